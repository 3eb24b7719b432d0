/**
 * The explorer in an exported page: the controls and their rules, as
 * neuralsim.classroom.widgets.Explorer has them (a slider per joint clamped to the body's ranges,
 * body height and mobility, reset, presets, a protocol's steps, the text line saying what changed,
 * the gauges' "since" column), computed in the page by model.js and drawn by draw.js. Keys:
 * Tab from control to control, arrows move a slider by 1 deg (Page Up / Down by 5 deg); n / p (or
 * Page Down / Page Up outside a slider) next / previous step; f presentation mode, Escape leaves
 * it. The posture, the body and the step are in the link's fragment, so a link opens the page where
 * it was (``#protocol=slr&step=3``, or the angles: ``#hip_flexion=60&knee_flexion=0``).
 *
 * @module neuralsim/web/page
 */

const el = (tag, attrs = {}, ...children) => {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "class") e.className = v;
    else if (k === "text") e.textContent = v;
    else if (k === "html") e.innerHTML = v;
    else e.setAttribute(k, v);
  }
  for (const c of children) e.append(c);
  return e;
};

/**
 * Build the explorer in ``root`` and start it.
 * @param {HTMLElement} root
 * @param {Object} data  the page's data (neuralsim.classroom.export.page_data)
 * @param {Function} createModel  from model.js
 * @param {Function} createDrawing  from draw.js
 * @param {{render: Function}} live  neuralsim/classroom/static/live.js (the notebook explorer's own
 *   browser side): shows an HTML value and, on each change, changes only what differs in place
 * @returns {Object} the explorer's state and actions (for tests: window.neuralsim)
 */
export function startExplorer(root, data, createModel, createDrawing, live) {
  const model = createModel(data.files);
  const draw = createDrawing(model, data.draw, { stableIds: true });
  const X = data.explorer;
  const JOINTS = model.JOINTS;
  const labels = data.draw.joint_labels;
  const nerve = X.nerve, gauged = X.gauged, structures = [nerve, ...X.drawn];
  const cap = (s) => s.charAt(0).toUpperCase() + s.slice(1).toLowerCase();
  const esc = (s) => String(s).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

  const S = {
    body: model.bodyOf(model.parameter("height_default"), "typical"),
    posture: Object.fromEntries(JOINTS.map((j) => [j, 0.0])),
    protocol: X.protocol, step: -1, view: null, shown: null, start: null, startLabel: "since start", note: "",
    updates: 0, lastMs: 0,
  };
  S.view = draw.chooseView(S.posture, null, X.protocols[S.protocol].view);

  // -- the page's parts ---------------------------------------------------------------------
  root.classList.add("neuralsim-explorer");
  // A part whose HTML is set on each update, changed in place with live.js's morph as in the
  // notebook: the first value parsed into the page, every later one parsed off the page and only
  // what differs changed, so
  // the browser restyles and repaints only the changed nodes (a knee moved: the shank, the foot,
  // the paths and the numbers), not both SVGs whole.
  const livePart = (cls) => {
    const box = el("div", { class: cls });
    let value = "";
    const inner = el("div", { class: "widget-html-content" });
    box.append(inner);
    const tpl = document.createElement("template");
    Object.defineProperty(box, "html", {
      set(v) {
        if (v === value) return;
        if (!value) inner.innerHTML = v;
        else { tpl.innerHTML = v; live.morph(inner, tpl.content); tpl.innerHTML = ""; }
        value = v;
      },
    });
    return box;
  };
  const figure = livePart("neuralsim-figure");
  const protocolSelect = el("select", { class: "neuralsim-protocol", id: "ns-protocol" });
  for (const [k, p] of Object.entries(X.protocols)) protocolSelect.append(el("option", { value: k, text: p.title }));
  const stepLabel = el("div", { class: "neuralsim-step", id: "ns-step" });
  const prev = el("button", { type: "button", class: "neuralsim-prev", title: "previous step of the protocol (key p)", text: "◀ previous step" });
  const next = el("button", { type: "button", class: "neuralsim-next ns-primary", title: "next step of the protocol (key n)", text: "next step ▶" });
  const present = el("button", { type: "button", class: "neuralsim-present-toggle", "aria-pressed": "false",
    title: "full screen, larger type; keys n / p step, f or Escape leave", text: "presentation" });
  const gauges = livePart("neuralsim-gauges-box");
  const text = el("p", { class: "neuralsim-text", role: "status", "aria-live": "polite" });
  const legend = el("div", { class: "neuralsim-legend-box", html: X.legend });
  const bars = livePart("neuralsim-bars-box");
  const side = el("div", { class: "neuralsim-side" },
    el("label", { class: "ns-protocol-label", for: "ns-protocol", text: "protocol " }, protocolSelect), stepLabel,
    el("div", { class: "neuralsim-stepper" }, prev, next, present), gauges, text, legend, bars);
  const top = el("div", { class: "neuralsim-top" }, figure, side);

  const sliders = {}, outputs = {};
  const sliderBox = el("div", { class: "neuralsim-sliders" });
  const angleWords = (v) => `${draw.angleText(v)} degrees`;
  for (const j of JOINTS) {
    const [lo, hi] = model.jointRange(j, S.body.mobility);
    const id = `ns-slider-${j}`;
    const s = el("input", { type: "range", id, class: `neuralsim-slider-${j}`, min: lo, max: hi, step: "any", value: 0,
      title: `${labels[j]} in degrees; arrow keys step by 1 deg` });
    const out = el("output", { for: id, text: "0°" });
    sliders[j] = s; outputs[j] = out;
    sliderBox.append(el("div", { class: "ns-slider" }, el("label", { for: id, text: `${labels[j]} (deg)` }), s, out));
  }
  const height = el("input", { type: "range", id: "ns-height", class: "neuralsim-height", min: X.heights[0], max: X.heights[1],
    step: 0.01, value: S.body.height_m });
  const heightOut = el("output", { for: "ns-height" });
  const mobility = el("fieldset", { class: "neuralsim-mobility" }, el("legend", { text: "joint ranges" }));
  for (const m of model.MOBILITIES) {
    const r = el("input", { type: "radio", name: "ns-mobility", id: `ns-mobility-${m}`, value: m });
    if (m === S.body.mobility) r.checked = true;
    mobility.append(el("label", { for: `ns-mobility-${m}` }, r, ` ${m}`));
  }
  const reset = el("button", { type: "button", class: "neuralsim-reset", title: "all angles back to 0 deg", text: "reset to neutral" });
  const presets = el("div", { class: "neuralsim-presets" });
  for (const [label, angles] of X.presets) {
    const b = el("button", { type: "button", class: "neuralsim-preset", title: `preset: ${label}`, text: label });
    b.addEventListener("click", () => preset(label, angles));
    presets.append(b);
  }
  const controls = el("div", { class: "neuralsim-controls" }, sliderBox,
    el("div", { class: "ns-body" }, el("div", { class: "ns-slider" }, el("label", { for: "ns-height", text: "body height (m)" }), height, heightOut), reset),
    mobility, ...(X.presets.length ? [el("h2", { text: "Presets" }), presets] : []),
    el("p", { class: "ns-help", text: "Keys: Tab to a slider, arrows move it (Page Up / Down by 5 deg); n / p next / previous step; f presentation, Escape leaves it." }));
  const about = el("p", { class: "ns-about" });
  about.innerHTML = `Runs in this page alone, no server: neuralsim's model in JavaScript, checked against the Python library. `
    + `Not in this page: the nerve's strain halo and the holding time (they run in the notebook, <i>${esc(data.notebook)}</i>).`;
  root.append(el("h1", { text: data.title }), top, controls, about);

  // -- the rules of neuralsim.classroom.widgets.Explorer ---------------------------------------
  function showSliders() {
    for (const j of JOINTS) {
      const v = S.posture[j];
      sliders[j].value = v;
      sliders[j].setAttribute("aria-valuetext", angleWords(v));
      outputs[j].textContent = `${draw.angleText(v)}°`;
    }
    height.value = S.body.height_m;
    height.setAttribute("aria-valuetext", `${S.body.height_m.toFixed(2)} metres`);
    heightOut.textContent = `${S.body.height_m.toFixed(2)} m`;
    for (const r of mobility.querySelectorAll("input")) r.checked = r.value === S.body.mobility;
  }

  function showStep() {
    const proto = X.protocols[S.protocol], n = proto.steps.length;
    stepLabel.innerHTML = S.step < 0 ? `${n} steps; press 'next step' to begin.`
      : `Now at step ${S.step + 1} of ${n}: <b>${esc(proto.steps[S.step][0])}</b>`;
    prev.disabled = S.step <= 0;
    next.disabled = S.step >= n - 1;
  }

  const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;

  function update(what) {
    const t0 = performance.now();
    const p = S.posture, b = S.body;
    const L = model.lengths(p, b), ref = model.lengths({}, b);
    const bed = L[nerve], nerveRun = ref[nerve];
    const musclesMm = Object.fromEntries(gauged.map((m) => [m, L[m]]));
    const ham = mean(Object.values(musclesMm));
    const rel = bed / nerveRun;
    const before = S.shown;
    const sameBody = before !== null && before.body === b;
    const bed0 = before ? before.bed_mm : bed, ham0 = before ? before.group_mm : ham;
    const m0 = sameBody ? before.muscles_mm : musclesMm;
    if (S.start === null) S.start = { bed_mm: bed, muscles_mm: { ...musclesMm } };
    const deltas = model.contributions(p, b, nerve);
    S.shown = { what, posture: { ...p }, body: b, view: S.view, bed_mm: bed, relative_bed: rel, group_mm: ham,
      muscles_mm: musclesMm, contributions_mm: deltas, bed_since_start_mm: bed - S.start.bed_mm };
    const d = draw.keep(model.drawing(p, b, S.view), structures);
    figure.html = draw.postureSvg(p, b, S.view, d, { heightPx: X.height_px, nerve,
      numbers: { bed_mm: bed, relative_bed: rel, muscles_mm: musclesMm } });
    const rows = [{ name: "nerve bed", kind: "nerve", mm: bed, ref_mm: nerveRun, step_mm: bed - bed0, start_mm: bed - S.start.bed_mm }];
    for (const m of gauged) {
      rows.push({ name: draw.muscleInfo(m)[1], kind: m, mm: musclesMm[m], ref_mm: ref[m], step_mm: musclesMm[m] - m0[m],
        start_mm: musclesMm[m] - S.start.muscles_mm[m] });
    }
    S.rows = rows;
    paintPanel();
    const words = X.group_words;
    const since = ` <span class="neuralsim-since">${esc(cap(S.startLabel))}: nerve bed `
      + `${draw.numberText(bed - S.start.bed_mm, 0, true)} mm, ${esc(words)} `
      + `${draw.numberText(ham - mean(Object.values(S.start.muscles_mm)), 0, true)} mm.</span>`;
    const note = S.note ? ` <strong class="neuralsim-clamped">${esc(S.note.trim())}</strong>` : "";
    text.innerHTML = esc(draw.changeText(what, bed0, bed, ham0, ham, rel, words)) + since + note;
    if (X.joint_bars) {
      bars.html = draw.contributionsSvg(deltas, { widthPx: 470,
        title: "Each joint's share of the nerve bed's change against standing, mm" });
    }
    showSliders();
    clearTimeout(linkTimer);              // the fragment once the keys rest (a history call costs a frame's share)
    linkTimer = setTimeout(writeLink, 150);
    S.updates += 1;
    S.lastMs = performance.now() - t0;
  }

  /** The gauges and the key in the mode's size: presentation mode draws their large forms (as the notebook's explorer). */
  function paintPanel() {
    const large = root.classList.contains("neuralsim-present");
    gauges.html = draw.gaugesSvg(S.rows, { startLabel: S.startLabel, widthPx: 470, title: X.gauge_title, large });
    const key = large ? X.legend_large : X.legend;
    if (legend.dataset.large !== String(large)) {
      legend.innerHTML = key;
      legend.dataset.large = String(large);
    }
  }

  function clampedTo(p) {
    const out = {}, clamped = [];
    for (const j of JOINTS) {
      const [lo, hi] = model.jointRange(j, S.body.mobility);
      const want = p[j] ?? 0.0, got = Math.min(Math.max(want, lo), hi);
      if (got !== want) clamped.push(`${labels[j]} ${draw.angleText(got)}° (asked ${draw.angleText(want)}°)`);
      out[j] = got;
    }
    return [out, clamped];
  }

  function setPosture(p, what = "Posture set", view = null, anchor = null) {
    const [got, clamped] = clampedTo(p);
    S.note = clamped.length ? ` Clamped to the ${S.body.mobility} joint ranges: ${clamped.join(", ")}.` : "";
    S.posture = got;
    S.view = draw.chooseView(S.posture, view, S.view);
    if (anchor !== null) { S.start = null; S.startLabel = anchor; }
    update(what);
  }

  function step(delta) {
    const proto = X.protocols[S.protocol], steps = proto.steps;
    S.step = Math.min(Math.max(S.step + delta, 0), steps.length - 1);
    const [name, p] = steps[S.step];
    showStep();
    const anchor = S.step === 0 || S.startLabel !== "since step 1" ? "since step 1" : null;
    setPosture(p, `Step ${S.step + 1}/${steps.length} '${name}'`, proto.view, anchor);
  }

  function preset(label, p) {
    const view = X.preset_views[S.protocol][label];
    setPosture(p, `Preset '${label}'`, view, "since preset");
  }

  function onSlider(j, value) {
    if (Math.abs(value - S.posture[j]) < 1e-6) return;
    const [name, up, down] = X.action_words[j];
    const verb = value > S.posture[j] ? up : down;
    S.posture = { ...S.posture, [j]: value };
    S.note = "";
    if (!draw.supportFits(S.posture, S.view)) S.view = draw.chooseView(S.posture, X.protocols[S.protocol].view);
    update(`${name} ${verb} to ${draw.angleText(value)}°`);
  }

  function onProtocol(key) {
    S.protocol = key;
    protocolSelect.value = key;
    S.step = -1;
    S.view = draw.chooseView(S.posture, X.protocols[key].view);
    showStep();
    S.start = null; S.startLabel = "since protocol";
    update(`Protocol '${X.protocols[key].title}' chosen`);
  }

  function onBody(h, mob, byHeight) {
    S.body = model.bodyOf(Math.round(h * 100) / 100, mob);
    const before = S.posture;
    const now = {};
    for (const j of JOINTS) {
      const [lo, hi] = model.jointRange(j, mob);
      now[j] = Math.min(Math.max(before[j], lo), hi);
      sliders[j].min = lo; sliders[j].max = hi;
    }
    const clamped = JOINTS.filter((j) => now[j] !== before[j])
      .map((j) => `${labels[j]} ${draw.angleText(now[j])}° (was ${draw.angleText(before[j])}°)`);
    S.note = clamped.length ? ` Clamped to the ${mob} joint ranges: ${clamped.join(", ")}.` : "";
    S.posture = now;
    S.view = draw.chooseView(S.posture, S.view);
    S.start = null;
    update(byHeight ? `Height ${S.body.height_m.toFixed(2)} m` : `Mobility '${mob}'`);
  }

  // -- presentation mode ---------------------------------------------------------------------
  let askedFull = false;
  function setPresent(on) {
    root.classList.toggle("neuralsim-present", on);
    present.setAttribute("aria-pressed", String(on));
    if (S.rows) paintPanel();
    if (on && document.fullscreenEnabled && !document.fullscreenElement) {
      askedFull = true;
      root.requestFullscreen().catch(() => { askedFull = false; });
    } else if (!on && document.fullscreenElement && askedFull) {
      askedFull = false;
      document.exitFullscreen().catch(() => {});
    }
  }
  document.addEventListener("fullscreenchange", () => {
    if (!document.fullscreenElement && askedFull) { askedFull = false; setPresent(false); }
  });

  // -- the link's fragment -------------------------------------------------------------------
  let writing = false, linkTimer = 0;
  function linkText() {
    const q = new URLSearchParams();
    q.set("protocol", S.protocol);
    if (S.step >= 0) q.set("step", String(S.step + 1));
    q.set("height", S.body.height_m.toFixed(2));
    q.set("mobility", S.body.mobility);
    for (const j of JOINTS) if (S.posture[j] !== 0) q.set(j, draw.angleText(S.posture[j]));
    return q.toString();
  }
  function writeLink() {
    const frag = linkText();
    if (location.hash.slice(1) === frag) return;
    writing = true;
    try { history.replaceState(null, "", `#${frag}`); } catch { /* a sandboxed frame: no link, the page works */ }
    writing = false;
  }
  function readLink() {
    const q = new URLSearchParams(location.hash.slice(1));
    if (![...q.keys()].length) return false;
    const h = Number(q.get("height")), m = q.get("mobility");
    const okH = Number.isFinite(h) && h >= X.heights[0] && h <= X.heights[1];
    const okM = model.MOBILITIES.includes(m);
    if (okH || okM) onBody(okH ? h : S.body.height_m, okM ? m : S.body.mobility, okH);
    const key = q.get("protocol");
    if (key && Object.hasOwn(X.protocols, key) && key !== S.protocol) onProtocol(key);
    const k = Number.parseInt(q.get("step") ?? "", 10);
    if (Number.isInteger(k) && k >= 1 && k <= X.protocols[S.protocol].steps.length) { S.step = k - 2; step(+1); }
    const angles = {};
    let any = false;
    const given = JOINTS.some((j) => q.has(j));      // a step alone keeps the step's posture
    for (const j of given ? JOINTS : []) {
      const v = Number(q.get(j) ?? 0);
      angles[j] = Number.isFinite(v) ? v : 0;
      if (Math.abs(angles[j] - S.posture[j]) > 0.05) any = true;
    }
    if (any) setPosture(angles, "Posture from the link", null, "since the link");
    if (S.updates === 0) update("Start");
    return true;
  }
  window.addEventListener("hashchange", () => { if (!writing) readLink(); });

  // -- events ----------------------------------------------------------------------------------
  // A joint slider moves in whole degrees: a drag or a tap lands on the nearest one (inside the range,
  // whose ends may be halves: a hypomobile knee's -3.75 deg), a key steps from where it is (1 deg,
  // Page Up / Down 5 deg, Home / End the range's ends). step="any", so that an angle a step or a
  // preset sets is shown as it is, not snapped to a grid counted from the range's end.
  const clampTo = (s, v) => Math.min(Math.max(v, Number(s.min)), Number(s.max));
  for (const j of JOINTS) {
    const s = sliders[j];
    s.addEventListener("input", () => onSlider(j, clampTo(s, Math.round(Number(s.value)))));
    s.addEventListener("keydown", (e) => {
      const by = { ArrowRight: 1, ArrowUp: 1, ArrowLeft: -1, ArrowDown: -1, PageUp: 5, PageDown: -5 }[e.key];
      if (by === undefined && e.key !== "Home" && e.key !== "End") return;
      e.preventDefault();
      e.stopPropagation();
      const v = e.key === "Home" ? Number(s.min) : e.key === "End" ? Number(s.max) : clampTo(s, S.posture[j] + by);
      s.value = v;
      onSlider(j, v);
    });
  }
  height.addEventListener("input", () => onBody(Number(height.value), S.body.mobility, true));
  for (const r of mobility.querySelectorAll("input")) r.addEventListener("change", () => onBody(S.body.height_m, r.value, false));
  reset.addEventListener("click", () => setPosture({}, "Reset to neutral", null, "since reset"));
  prev.addEventListener("click", () => step(-1));
  next.addEventListener("click", () => step(+1));
  present.addEventListener("click", () => setPresent(!root.classList.contains("neuralsim-present")));
  protocolSelect.addEventListener("change", () => onProtocol(protocolSelect.value));
  document.addEventListener("keydown", (e) => {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    const t = e.target;
    const inSlider = t instanceof HTMLInputElement && t.type === "range";
    if (t && (t.isContentEditable || t.tagName === "SELECT" || t.tagName === "TEXTAREA"
      || (t.tagName === "INPUT" && !inSlider && t.type !== "radio"))) return;
    const on = root.classList.contains("neuralsim-present");
    let act = null;
    if (e.key === "n" || (!inSlider && (e.key === "PageDown" || (on && e.key === "ArrowRight")))) act = next;
    else if (e.key === "p" || (!inSlider && (e.key === "PageUp" || (on && e.key === "ArrowLeft")))) act = prev;
    else if (e.key === "f") act = present;
    else if (e.key === "Escape" && on) act = present;
    if (act) { e.preventDefault(); if (!act.disabled) act.click(); }
  });

  protocolSelect.value = S.protocol;
  showStep();
  if (!readLink()) update("Start");
  root.dataset.ready = "true";
  // from the start of the page's navigation until it answers a key (ms; the benchmark reads it)
  const api = { state: S, model, draw, step, setPosture, preset, onProtocol, onBody, linkText, readyMs: performance.now() };
  window.neuralsim = api;
  return api;
}
