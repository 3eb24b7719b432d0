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
// parts that changed; they are parsed off the page together (one inert <template>, after the
// message's last part has arrived: a microtask) and changed in place, and the page keeps, for each
// part, the run of nodes it made.
const SVG_NS = 'http://www.w3.org/2000/svg';
function render({ model, el }) {
  const box = document.createElement('div');
  box.className = 'widget-html-content';
  el.appendChild(box);
  const tpl = document.createElement('template');
  const order = model.get('order') || [];
  const text = (k) => model.get(`part_${k}`) || '';
  // the parts `names` (and the <svg> tag, the panel) parsed at once: name -> nodes (the tag: an element)
  const parse = (names, tag, panel) => {
    tpl.innerHTML = (tag ? `${text('svg')}</svg>` : '') + (panel ? `<div>${text('panel')}</div>` : '')
      + `<svg xmlns="${SVG_NS}">${names.map((k) => `<g>${text(k)}</g>`).join('')}</svg>`;
    const top = Array.from(tpl.content.childNodes), out = {};
    if (tag) out.svg = top.shift();
    if (panel) out.panel = Array.from(top.shift().childNodes);
    Array.from(top[0].childNodes).forEach((g, i) => { out[names[i]] = Array.from(g.childNodes); });
    return out;
  };
  const fig = document.createElement('div');
  fig.className = 'neuralsim-figure';
  box.appendChild(fig);
  const first = parse(order, true, true);
  const svg = first.svg;
  fig.appendChild(svg);
  const runs = {};
  for (const k of order) { runs[k] = first[k]; for (const n of runs[k]) svg.appendChild(n); }
  let panel = first.panel;
  for (const n of panel) box.appendChild(n);
  tpl.innerHTML = '';
  // where a part with no nodes now puts new ones: before the first node of a later part
  const anchor = (i) => {
    for (let j = i + 1; j < order.length; j++) if (runs[order[j]].length) return runs[order[j]][0];
    return null;
  };
  const pending = new Set();
  let queued = false;
  const flush = () => {
    queued = false;
    const names = order.filter((k) => pending.has(k));
    const got = parse(names, pending.has('svg'), pending.has('panel'));
    pending.clear();
    if (got.svg) attrs(svg, got.svg);
    for (const k of names) {
      const olds = runs[k];
      const after = olds.length ? olds[olds.length - 1].nextSibling : anchor(order.indexOf(k));
      runs[k] = morphRun(svg, olds, got[k], after);
    }
    if (got.panel) panel = morphRun(box, panel, got.panel, null);
    tpl.innerHTML = '';
  };
  const handlers = ['svg', ...order, 'panel'].map((k) => {
    const f = () => { pending.add(k); if (!queued) { queued = true; queueMicrotask(flush); } };
    model.on(`change:part_${k}`, f);
    return [`change:part_${k}`, f];
  });
  return () => handlers.forEach(([e, f]) => model.off(e, f));
}
// morph: for a page that changes its own parts in place (neuralsim/web/page.js, the exported page)
export default { render, morph };
