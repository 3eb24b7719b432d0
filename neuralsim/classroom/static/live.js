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
function morph(cur, next) {
  let x = cur.firstChild, y = next.firstChild;
  while (y) {
    const ny = y.nextSibling;
    if (!x) { cur.appendChild(y); y = ny; continue; }
    const nx = x.nextSibling;
    if (x.nodeType !== y.nodeType || x.nodeName !== y.nodeName || x.namespaceURI !== y.namespaceURI) {
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
function render({ model, el }) {
  const box = document.createElement('div');
  box.className = 'widget-html-content';
  el.appendChild(box);
  const tpl = document.createElement('template');
  let first = true;
  const show = () => {
    const v = model.get('value') || '';
    if (first) { box.innerHTML = v; first = false; return; }
    tpl.innerHTML = v;
    morph(box, tpl.content);
    tpl.innerHTML = '';
  };
  show();
  model.on('change:value', show);
  return () => model.off('change:value', show);
}
export default { render };
