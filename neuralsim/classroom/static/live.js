function attrs(x, y) {
  const a = x.attributes, b = y.attributes, n = b.length;
  let same = a.length === n;
  for (let i = 0; i < n; i++) {
    const q = b[i];
    if (same) {
      const p = a[i];
      if (p.name === q.name) { if (p.value !== q.value) p.value = q.value; continue; }
      same = false;
    }
    if (x.getAttribute(q.name) !== q.value) x.setAttribute(q.name, q.value);
  }
  if (!same || a.length !== n)
    for (let i = a.length - 1; i >= 0; i--) if (!y.hasAttribute(a[i].name)) x.removeAttribute(a[i].name);
}
// x (in the page) takes y's attributes, text and children, keeping x itself
function sameKind(x, y) {
  return x.nodeType === y.nodeType && x.nodeName === y.nodeName && x.namespaceURI === y.namespaceURI;
}
function morph(cur, next) {
  let x = cur.firstChild, y = next.firstChild;
  while (y) {
    const ny = y.nextSibling;
    if (!x) { cur.appendChild(y); y = ny; continue; }
    const nx = x.nextSibling;
    if (!sameKind(x, y)) {
      cur.replaceChild(y, x);
    } else if (x.nodeType !== 1) {
      if (x.nodeValue !== y.nodeValue) x.nodeValue = y.nodeValue;
    } else {
      attrs(x, y);
      morph(x, y);
    }
    x = nx; y = ny;
  }
  while (x) { const nx = x.nextSibling; cur.removeChild(x); x = nx; }
}
// The nodes `olds` (a run of `parent`'s children, before `after`) become `news`: the same change
// in place as morph, over that run only.  Returns the run's nodes now.
function morphRun(parent, olds, news, after) {
  const out = [], n = Math.min(olds.length, news.length);
  for (let i = 0; i < n; i++) {
    const x = olds[i], y = news[i];
    if (!sameKind(x, y)) { parent.replaceChild(y, x); out.push(y); continue; }
    if (x.nodeType !== 1) { if (x.nodeValue !== y.nodeValue) x.nodeValue = y.nodeValue; }
    else { attrs(x, y); morph(x, y); }
    out.push(x);
  }
  for (let i = n; i < news.length; i++) { parent.insertBefore(news[i], after); out.push(news[i]); }
  for (let i = n; i < olds.length; i++) parent.removeChild(olds[i]);
  return out;
}
// The live widget: the figure's <svg> opening tag (part_svg), the parts inside it (in the order
// `order` names them: part_<name>) and the panel under it (part_panel).  An update carries only the
// parts that changed; each is parsed off the page (an inert <template>) and changed in place, and
// the page keeps, for each part, the run of nodes it made.
function render({ model, el }) {
  const box = document.createElement('div');
  box.className = 'widget-html-content';
  el.appendChild(box);
  const tpl = document.createElement('template');
  const parse = (html) => { tpl.innerHTML = html; return Array.from(tpl.content.childNodes); };
  const inSvg = (markup) => {
    tpl.innerHTML = `<svg xmlns="http://www.w3.org/2000/svg">${markup}</svg>`;
    return Array.from(tpl.content.firstChild.childNodes);
  };
  const order = model.get('order') || [];
  const fig = document.createElement('div');
  fig.className = 'neuralsim-figure';
  box.appendChild(fig);
  fig.appendChild(parse(`${model.get('part_svg') || ''}</svg>`)[0]);
  const svg = fig.firstChild;
  const runs = {};
  for (const k of order) {
    runs[k] = inSvg(model.get(`part_${k}`) || '');
    for (const n of runs[k]) svg.appendChild(n);
  }
  let panel = parse(model.get('part_panel') || '');
  for (const n of panel) box.appendChild(n);
  // where a part with no nodes now puts new ones: before the first node of a later part
  const anchor = (i) => {
    for (let j = i + 1; j < order.length; j++) if (runs[order[j]].length) return runs[order[j]][0];
    return null;
  };
  const handlers = [];
  const on = (name, f) => { model.on(`change:${name}`, f); handlers.push([name, f]); };
  on('part_svg', () => attrs(svg, parse(`${model.get('part_svg') || ''}</svg>`)[0]));
  order.forEach((k, i) => on(`part_${k}`, () => {
    const olds = runs[k];
    const after = olds.length ? olds[olds.length - 1].nextSibling : anchor(i);
    runs[k] = morphRun(svg, olds, inSvg(model.get(`part_${k}`) || ''), after);
  }));
  on('part_panel', () => { panel = morphRun(box, panel, parse(model.get('part_panel') || ''), null); });
  tpl.innerHTML = '';
  return () => handlers.forEach(([name, f]) => model.off(`change:${name}`, f));
}
export default { render };
