function fixSliders(root) {
  for (const s of root.querySelectorAll('.widget-slider')) {
    const h = s.querySelector('.noUi-handle');
    if (!h) continue;
    const lab = s.querySelector('.widget-label');
    const text = lab ? lab.textContent.trim() : '';
    const m = text.match(/^(.*)\((.*)\)\s*$/);
    const name = m ? m[1].trim() : text;
    const unit = m ? m[2].trim() : '';
    if (name && h.getAttribute('aria-label') !== name) h.setAttribute('aria-label', name);
    const v = parseFloat(h.getAttribute('aria-valuenow'));
    if (!isNaN(v)) {
      const t = unit === 'deg' ? `${Math.round(v)} degrees` : unit === 'm' ? `${v.toFixed(2)} metres`
              : unit === 'min' ? `${Math.round(v * 100) / 100} minutes` : `${Math.round(v * 100) / 100} ${unit}`;
      if (h.getAttribute('aria-valuetext') !== t) h.setAttribute('aria-valuetext', t);
    }
    const r = s.querySelector('.widget-readout');
    if (r && r.getAttribute('tabindex') !== '-1') r.setAttribute('tabindex', '-1');
  }
}
// Fit the room: size the figure's box and pick "beside" or "stacked" (see _CSS).
function roomOf(root) {
  if (root.classList.contains('neuralsim-present')) return root.clientHeight - 20;
  const panel = root.closest('.jp-WindowedPanel-outer') || root.closest('.jp-Notebook');
  return panel ? panel.clientHeight : window.innerHeight;
}
// from the top of the figure to the bottom of what must be on screen with it (px)
function needed(root) {
  const t = root.querySelector('.neuralsim-top').getBoundingClientRect().top;
  let b = t;
  const present = root.classList.contains('neuralsim-present');
  // projected: the gauges and the key (the text line may run on below them); else the gauges and the text
  const must = ['.neuralsim-figure', '.neuralsim-stepper', ...(present
    ? ['svg.neuralsim-gauges-large', '.neuralsim-legend-box svg'] : ['svg.neuralsim-gauges', 'p.neuralsim-text'])];
  if (root.classList.contains('neuralsim-patient')) must.push('.neuralsim-sliders');   // the examination
  for (const s of must) {
    const e = root.querySelector(s);
    if (e) b = Math.max(b, e.getBoundingClientRect().bottom);
  }
  return b - t;
}
// in patient mode the sliders are how the patient is examined: room under the figure row for them (px)
function below(root) {
  const s = root.classList.contains('neuralsim-patient') && root.querySelector('.neuralsim-sliders');
  if (!s) return 0;
  return Math.max(0, s.getBoundingClientRect().bottom - root.querySelector('.neuralsim-top').getBoundingClientRect().bottom);
}
// the width of the column beside the figure (--ns-side-w: px, or vw in presentation mode)
function sideWidth(root) {
  const v = getComputedStyle(root).getPropertyValue('--ns-side-w').trim();
  const n = parseFloat(v) || 480;
  return v.endsWith('vw') ? n * window.innerWidth / 100 : n;
}
function fitRoom(root, aspects, force) {
  const top = root.querySelector('.neuralsim-top'), side = root.querySelector('.neuralsim-side');
  if (!top || !side || !aspects.length) return;
  const W = Math.floor(top.getBoundingClientRect().width), H = Math.floor(roomOf(root));
  if (W < 50 || H < 50) return;               // hidden (another tab in front): keep the last layout
  // a patient-mode explorer sits under its patient bar (patient, test, instructions): room for that too
  const desk = root.closest('.neuralsim-patient-explorer');
  const above = desk ? Math.max(0, root.getBoundingClientRect().top - desk.getBoundingClientRect().top) : 0;
  const room = H - 12 - above, gap = 8, spare = 4;
  if (!force && root._nsRoom === `${W}x${H}` && needed(root) <= room) return;
  root._nsRoom = `${W}x${H}`;
  const amin = Math.min(...aspects), amax = Math.max(...aspects);
  const set = (w, h) => { root.style.setProperty('--ns-fig-w', `${Math.max(1, Math.floor(w))}px`);
                          root.style.setProperty('--ns-fig-h', `${Math.max(1, Math.floor(h))}px`); };
  // the drawn body's height in a w x h box, in the widest view (where it is smallest)
  const drawn = (w, h) => Math.min(h, w / amax);
  root.classList.add('ns-laid');
  root.classList.remove('ns-stacked');
  set(100, 100);
  const sideW = sideWidth(root);
  const wB = W - sideW - gap, hB = Math.min(room - below(root), wB / amin);
  const besideOk = needed(root) + spare <= room && wB > 150;
  root.classList.add('ns-stacked');
  const band = needed(root) - 100;          // steps, gauges and text line under a 100 px figure
  const hS = Math.min(room - band - spare, W / amin);
  const stackedOk = hS > 150;
  if (besideOk && (!stackedOk || drawn(wB, hB) >= drawn(W, hS))) {
    root.classList.remove('ns-stacked');
    set(wB, hB);
  } else {
    set(W, Math.max(hS, 150));
  }
}
function click(root, cls) { const b = root.querySelector(cls); if (b && !b.disabled) b.click(); }
function render({ model, el }) {
  el.style.display = 'none';
  let root = null, tries = 0, ro = null, onResize = null, cleanup = null;
  const start = () => {
    root = el.closest('.neuralsim-explorer');
    if (!root) { if (tries++ < 400) setTimeout(start, 50); return; }
    fixSliders(root);
    const aspects = (model.get('aspects') || []).filter((a) => a > 0);
    const fit = (force) => { if (root.isConnected) fitRoom(root, aspects, force); };
    onResize = () => fit(false);
    fit(true);
    ro = new ResizeObserver(onResize);
    ro.observe(root);
    const panel = root.closest('.jp-WindowedPanel-outer') || root.closest('.jp-Notebook');
    if (panel) ro.observe(panel);
    ro.observe(root.querySelector('.neuralsim-top') || root);
    window.addEventListener('resize', onResize);
    let present = root.classList.contains('neuralsim-present');
    // the sliders' drawer (presentation mode) starts under the step buttons, which stay in sight
    const drawerTop = () => {
      const st = root.querySelector('.neuralsim-stepper');
      if (st) root.style.setProperty('--ns-drawer-top', `${Math.ceil(st.getBoundingClientRect().bottom) + 2}px`);
    };
    new MutationObserver(() => {            // presentation mode on or off (fitRoom's own classes aside)
      const now = root.classList.contains('neuralsim-present');
      if (now !== present) { present = now; fit(true); }
      if (root.classList.contains('ns-sliders-on')) drawerTop();
    }).observe(root, { attributes: true, attributeFilter: ['class'] });
    new MutationObserver(() => fixSliders(root)).observe(root, {
      subtree: true, childList: true, attributes: true, attributeFilter: ['aria-valuenow'] });
    const onKey = (e) => {
      if (e.ctrlKey || e.metaKey || e.altKey) return;
      const t = e.target;
      const typing = t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName));
      if (typing) return;
      const inSlider = t && t.classList && t.classList.contains('noUi-handle');
      const present = root.classList.contains('neuralsim-present');
      let act = null;
      if (e.key === 'n' || (!inSlider && (e.key === 'PageDown' || (present && e.key === 'ArrowRight')))) act = '.neuralsim-next';
      else if (e.key === 'p' || (!inSlider && (e.key === 'PageUp' || (present && e.key === 'ArrowLeft')))) act = '.neuralsim-prev';
      else if (e.key === 'f') act = '.neuralsim-present-toggle';
      else if (e.key === 's' && present) act = '.neuralsim-sliders-toggle';
      else if (e.key === 'Escape' && present) act = '.neuralsim-present-toggle';
      if (act) { e.preventDefault(); e.stopPropagation(); click(root, act); }
    };
    root.addEventListener('keydown', onKey, true);
    // keys pressed while the focus is on the page itself (it fell there) still reach the presented explorer
    const onPageKey = (e) => {
      if (root.isConnected && root.classList.contains('neuralsim-present')
          && (document.activeElement === document.body || document.activeElement === null)) onKey(e);
    };
    document.addEventListener('keydown', onPageKey);
    // a step button disabled under the focus (at the last or the first step) hands the focus on, so
    // that n / p / f / Escape keep working: to the other step button, or to the presentation button
    const handOn = (b) => {
      if (!b.disabled || !(document.activeElement === b || document.activeElement === document.body)) return;
      const other = root.querySelector(b.classList.contains('neuralsim-next') ? '.neuralsim-prev' : '.neuralsim-next');
      const to = other && !other.disabled ? other : root.querySelector('.neuralsim-present-toggle');
      if (to) to.focus();
    };
    const steps = new MutationObserver((ms) => ms.forEach((m) => handOn(m.target)));
    root.querySelectorAll('.neuralsim-next, .neuralsim-prev').forEach((b) =>
      steps.observe(b, { attributes: true, attributeFilter: ['disabled'] }));
    // leaving the browser's full screen (its own Escape, which the page never sees) leaves presentation
    // mode too: the sliders come back, and the focus stays on the explorer
    let full = false, leaving = false;     // leaving: the explorer itself asked to leave (f, Escape, button)
    const onFull = () => {
      if (document.fullscreenElement === root) { full = true; return; }
      if (full && !document.fullscreenElement) {
        full = false;
        // the class goes only when the kernel answers: clicking again then would enter anew
        if (!leaving && root.classList.contains('neuralsim-present')) click(root, '.neuralsim-present-toggle');
        leaving = false;
        setTimeout(() => { const t = root.querySelector('.neuralsim-present-toggle'); if (t) t.focus(); }, 300);
      }
    };
    document.addEventListener('fullscreenchange', onFull);
    cleanup = () => { document.removeEventListener('keydown', onPageKey);
                      document.removeEventListener('fullscreenchange', onFull); steps.disconnect(); };
    const tog = root.querySelector('.neuralsim-present-toggle');
    if (tog) tog.addEventListener('click', () => {
      const on = !root.classList.contains('neuralsim-present');
      leaving = !on;
      try {
        if (on && root.requestFullscreen && !document.fullscreenElement) root.requestFullscreen().catch(() => {});
        else if (!on && document.fullscreenElement) document.exitFullscreen().catch(() => {});
      } catch (err) { /* full screen refused: the fixed full-window layout still applies */ }
      if (on) setTimeout(() => { const n = root.querySelector('.neuralsim-next'); if (n) n.focus(); }, 300);
    });
  };
  start();
  return () => {                        // the view is removed (output cleared, cell run again)
    if (ro) ro.disconnect();
    if (onResize) window.removeEventListener('resize', onResize);
    if (cleanup) cleanup();
  };
}
export default { render };
