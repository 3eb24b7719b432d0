/**
 * The explorer's pictures in the page: the posture figure, the gauges, the joints' bars and the
 * text line, as neuralsim.view.svg (posture_svg, gauges_svg, contributions_svg, describe) and
 * neuralsim.classroom.widgets (change_text, choose_view) write them, from a drawing of
 * neuralsim/web/model.js.
 *
 * Every drawing constant (colours, widths, the label font's advance widths, the view boxes, the
 * silhouette of every body height the page offers, the supports' margins) comes from the library
 * through the exported page's data (neuralsim.classroom.export builds it from neuralsim.view.svg),
 * so the page draws what the library draws; tests/test_web_draw.py compares the SVG text with the
 * library's. The formulas' own shape factors (where a nose sits on the head) are the library's
 * code, ported as they stand.
 *
 * No strain halo: the nerve mechanics do not run in the page (the page's key says so).
 *
 * @module neuralsim/web/draw
 */

/** Python's round-half-even of x * 10^d to an integer count (numpy's rint), for points_attr. */
function rint(v) {
  const r = Math.round(v);
  return r - v === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/**
 * x written as Python's f"{x:.{d}f}" writes it: the exact binary value rounded to d decimals,
 * an exact tie to the even digit (JavaScript's toFixed takes the larger), "-0" kept.
 */
export function pyFixed(x, d) {
  if (Object.is(x, -0)) return d ? `-0.${"0".repeat(d)}` : "-0";
  const scale = 2 ** (d + 1);
  const t = x * scale;
  if (Number.isInteger(t) && Math.abs(t % 2) === 1 && Math.abs(x) < 1e15) {
    const neg = x < 0, ax = Math.abs(x), p = 10 ** d;
    let n = Math.floor(ax * p);
    if (n % 2 !== 0) n += 1;
    const s = (n / p).toFixed(d);
    return neg ? `-${s}` : s;
  }
  return x.toFixed(d);
}

/** Python's "%g" of a number (six significant digits). */
function g(x) {
  if (Number.isInteger(x) && Math.abs(x) < 1e6) return Object.is(x, -0) ? "-0" : String(x);
  return formatG(x);
}

/** A number as Python's "%g" writes it (six significant digits, trailing zeros dropped, an exact tie to the even digit). */
export function formatG(x) {
  if (Number.isNaN(x)) return "nan";
  if (!Number.isFinite(x)) return x > 0 ? "inf" : "-inf";
  if (x === 0) return Object.is(x, -0) ? "-0" : "0";
  // the shortest text that reads back as x, when it has six significant digits or fewer and no
  // exponent, is what "%g" writes (a point's 0.1 mm coordinates): the exact digits below are slow
  const ax = Math.abs(x), short = String(x);
  if (ax >= 1e-4 && ax < 1e6 && !short.includes("e") && short.replace(/^-?[0.]*/, "").replace(".", "").length <= 6) return short;
  let [mant, expText] = x.toExponential(5).split("e");
  const exact = Math.abs(x).toExponential(100).split("e")[0].replace(".", "");
  if (/^\d{6}50*$/.test(exact) && Number(exact[5]) % 2 === 0) {
    [mant, expText] = Math.abs(x).toExponential(100).split("e");
    mant = (x < 0 ? "-" : "") + mant.slice(0, 7);
  }
  const exp = Number(expText);
  const strip = (t) => (t.includes(".") ? t.replace(/0+$/, "").replace(/\.$/, "") : t);
  if (exp < -4 || exp >= 6) return `${strip(mant)}e${exp < 0 ? "-" : "+"}${String(Math.abs(exp)).padStart(2, "0")}`;
  return strip(Number(`${mant}e${expText}`).toFixed(5 - exp));
}

/** html.escape(text, quote=True). */
export function escape(text) {
  return String(text).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;").replace(/'/g, "&#x27;");
}

/** neuralsim.view.svg.number_text. */
export function numberText(value, digits = 0, signed = false) {
  let s = pyFixed(value, digits);
  if (/^-0(\.0*)?$/.test(s)) s = s.slice(1);
  return signed && !s.startsWith("-") ? `+${s}` : s;
}

/** neuralsim.view.svg.angle_text: to a tenth of a degree, no trailing .0. */
export function angleText(deg) {
  const v = Number(pyFixed(deg, 1)) + 0.0;
  return g(v === 0 ? 0 : v);
}

/** neuralsim.view.svg._signed: +1.5 / −1.5 (Unicode minus) / 0. */
function signed(v, nd) {
  const r = Number(pyFixed(v, nd));
  if (r === 0) return nd === 0 ? "0" : (0).toFixed(nd);
  return (r > 0 ? "+" : "\u2212") + pyFixed(Math.abs(r), nd);
}

/** neuralsim.view.svg.points_attr: world points, y flipped, 0.1 mm. */
function pointsAttr(pts) {
  let out = "";
  for (let i = 0; i < pts.length; i++) {
    const x = rint(pts[i][0] * 10.0) / 10.0 + 0.0, y = rint(pts[i][1] * -10.0) / 10.0 + 0.0;
    out += (i ? " " : "") + tenth(x) + "," + tenth(y);
  }
  return out;
}

/** "%g" of a number of whole tenths: under 10^5 in size it has six significant digits or fewer, so
 * the shortest text that reads back as it is Python's (a figure writes thousands of them). */
const tenth = (x) => (x === 0 ? "0" : Math.abs(x) < 1e5 ? String(x) : g(x));

/** neuralsim.view.svg._points_mm: whole mm (outlines). */
function pointsMm(pts) {
  let out = "";
  for (let i = 0; i < pts.length; i++) {
    const x = rint(pts[i][0]) + 0, y = rint(-pts[i][1]) + 0;
    out += (i ? " " : "") + (x === 0 ? 0 : x) + "," + (y === 0 ? 0 : y);
  }
  return out;
}

/**
 * The drawing functions, for a model and the library's drawing data.
 * @param {Object} model  createModel(...) of neuralsim/web/model.js
 * @param {Object} D      the exported page's drawing data (neuralsim.classroom.export)
 * @param {{stableIds?: boolean}} [options]  stableIds: every picture of a kind takes the same
 *   element ids (the library counts them up, one picture after another): a page that shows one
 *   figure, one set of gauges and one chart and changes them in place keeps its ids, so the
 *   figure's outline pass (a use of the body's group) is not rebuilt on every key
 */
export function createDrawing(model, D, { stableIds = false } = {}) {
  formatG = model.formatG || formatG;
  const H_MAX = D.h_max_mm;
  const MUSCLE = D.muscles;                 // name -> {group, short, full, label, in_front}
  const STYLES = D.muscle_styles;           // group -> [colour, width, dashes]
  const EM = D.em, EM_OTHER = D.em_other;
  const FONT = D.font_mm, HALO = D.label_halo;
  let counter = 0;
  const nextId = () => (stableIds ? 1 : ++counter);

  function polyline(pts, colour, width, extra = "", cls = "") {
    const c = cls ? ` class="${cls}"` : "";
    return `<polyline${c} points="${typeof pts === "string" ? pts : pointsAttr(pts)}" fill="none" stroke="${colour}" `
      + `stroke-width="${g(width)}" stroke-linejoin="round" stroke-linecap="round"${extra}/>`;
  }

  function polygon(pts, fill, stroke, width, cls = "") {
    const c = cls ? ` class="${cls}"` : "";
    return `<polygon${c} points="${pointsAttr(pts)}" fill="${fill}" stroke="${stroke}" stroke-width="${g(width)}" stroke-linejoin="round"/>`;
  }

  function muscleInfo(name) {
    const m = MUSCLE[name];
    if (!m) return ["other", name.replace(/_/g, " "), name.replace(/_/g, " ")];
    return [Object.hasOwn(STYLES, m.group) ? m.group : "other", m.short, m.full];
  }

  /** muscle -> [group, colour, width, dash] (neuralsim.view.svg.muscle_styles). */
  function muscleStyles(names) {
    const out = {}, counts = {};
    for (const m of names) {
      const group = muscleInfo(m)[0];
      const [colour, width, dashes] = STYLES[group];
      const k = counts[group] = (counts[group] ?? -1) + 1;
      out[m] = [group, colour, width, dashes[k % dashes.length]];
    }
    return out;
  }

  function viewBox(view) {
    const box = D.view_boxes[view];
    if (!box) throw new RangeError(`unknown view '${view}': choose one of ${Object.keys(D.view_boxes).join(", ")}`);
    return box;
  }

  const outward = ([x0, y0, x1, y1]) => [Math.floor(x0), Math.floor(y0), Math.ceil(x1), Math.ceil(y1)];

  function silhouette(b) {
    const key = pyFixed(b.height_m, 2);
    const s = D.silhouettes[key];
    if (!s) throw new RangeError(`body height ${b.height_m} m: the page draws the heights ${Object.keys(D.silhouettes)[0]} `
      + `to ${Object.keys(D.silhouettes).at(-1)} m in steps of 0.01 m`);
    return s;
  }

  const frameOf = (f) => [f.origin, f.angle];

  function toWorld([o, a], pts) {
    const c = Math.cos(a), s = Math.sin(a);
    return pts.map(([x, y]) => [o[0] + c * x - s * y, o[1] + s * x + c * y]);
  }

  function segmentBox(sil, b, segname, frame) {
    let pts, pad;
    if (frame === null) {
      const th = b.segment("thigh"), sh = b.segment("shank");
      const stance = { thigh: [[0.0, 0.0], 0.0], shank: [[0.0, -th], 0.0], foot: [[0.0, -th - sh], 0.0] };
      pts = [];
      for (const [seg, fr] of Object.entries(stance)) for (const p of sil[seg]) pts.push(...toWorld(fr, p));
      pad = 4.5;
    } else {
      pts = [];
      for (const p of sil[segname]) pts.push(...toWorld(frame, p));
      pad = 5.5;
    }
    let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
    for (const [x, y] of pts) { x0 = Math.min(x0, x); y0 = Math.min(y0, y); x1 = Math.max(x1, x); y1 = Math.max(y1, y); }
    return [x0 - pad, y0 - pad, x1 + pad, y1 + pad];
  }

  // -- the head --------------------------------------------------------------------------
  const eyesUpDeg = (neck) => Math.min(D.eyes_up_max_deg, Math.max(0.0, -neck));
  const headAngle = (d) => d.frames.head_neck.angle + eyesUpDeg(d.angles.cervical_flexion) * (Math.PI / 180.0);

  function headPoints(cx, cy, r, a, floor = null, gazeA = null) {
    const fwd = [Math.cos(a), Math.sin(a)], up = [-Math.sin(a), Math.cos(a)];
    const at = (f, u, k = 1.0) => [cx + k * r * (f * fwd[0] + u * up[0]), cy + k * r * (f * fwd[1] + u * up[1])];
    const eye = [cx + r * (0.5 * fwd[0] + 0.22 * up[0]), cy + r * (0.5 * fwd[1] + 0.22 * up[1])];
    const nose = [at(0.93, 0.12), at(1.3, -0.12), at(0.93, -0.3)];
    const hair = [];
    for (let i = 0; i < 12; i++) {
      const t = 0.55 * Math.PI + (1.35 * Math.PI - 0.55 * Math.PI) * i / 11;
      hair.push([cx + 1.02 * r * (Math.cos(t) * fwd[0] + Math.sin(t) * up[0]),
        cy + 1.02 * r * (Math.cos(t) * fwd[1] + Math.sin(t) * up[1])]);
    }
    let reach = D.gaze_to * r;
    const ga = gazeA === null ? a : gazeA;
    const look = [Math.cos(ga), Math.sin(ga)], side = [-Math.sin(ga), Math.cos(ga)];
    if (floor !== null && look[1] < -1e-9) {
      const tipRoom = 0.35 * r * 0.6 * Math.abs(look[0]) + 8.0;
      reach = Math.min(reach, (eye[1] - floor - tipRoom) / -look[1]);
    }
    if (reach - D.gaze_from * r < r) return [eye, nose, hair, null];
    const g0 = [eye[0] + D.gaze_from * r * look[0], eye[1] + D.gaze_from * r * look[1]];
    const g1 = [eye[0] + reach * look[0], eye[1] + reach * look[1]];
    const tip = [[g1[0] + 0.35 * r * (-look[0] + 0.6 * side[0]), g1[1] + 0.35 * r * (-look[1] + 0.6 * side[1])], g1,
      [g1[0] + 0.35 * r * (-look[0] - 0.6 * side[0]), g1[1] + 0.35 * r * (-look[1] - 0.6 * side[1])]];
    return [eye, nose, hair, [g0, g1, tip]];
  }

  function drawHead(cx, cy, r, a, floor, gazeA) {
    const [eye, nose, hair, gaze] = headPoints(cx, cy, r, a, floor, gazeA);
    const out = ['<g class="neuralsim-head">',
      `<circle cx="${pyFixed(cx, 1)}" cy="${pyFixed(-cy, 1)}" r="${pyFixed(r, 1)}" fill="${D.body_fill}" stroke="${D.body_outline}" stroke-width="10"/>`,
      polygon(hair, "#6B6259", "#6B6259", 4), polygon(nose, D.body_fill, D.body_outline, 8),
      `<circle cx="${pyFixed(eye[0], 1)}" cy="${pyFixed(-eye[1], 1)}" r="${pyFixed(0.12 * r, 1)}" fill="#222222"/>`];
    if (gaze !== null) {
      const [g0, g1, tip] = gaze;
      out.push(polyline([g0, g1], "#333333", 8, ' stroke-dasharray="18 14"', "neuralsim-gaze"), polyline(tip, "#333333", 8));
    }
    out.push("</g>");
    return out;
  }

  function headBox(cx, cy, r, a, floor, gazeA) {
    const [, nose, , gaze] = headPoints(cx, cy, r, a, floor, gazeA);
    const pts = gaze === null ? [...nose] : [...nose, ...gaze[2], gaze[0], gaze[1]];
    let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
    for (const [x, y] of pts) { x0 = Math.min(x0, x); y0 = Math.min(y0, y); x1 = Math.max(x1, x); y1 = Math.max(y1, y); }
    return [Math.min(x0 - 4.5, cx - r - 5.5), Math.min(y0 - 4.5, cy - r - 5.5),
      Math.max(x1 + 4.5, cx + r + 5.5), Math.max(y1 + 4.5, cy + r + 5.5)];
  }

  // -- the support -------------------------------------------------------------------------
  const couchTop = (view, sil) => (view === "supine" || view === "prone" ? -sil._back[view] : null);
  const headOverEnd = (d, top) => d.head.centre[1] - d.head.radius < top - D.head_sink_mm;

  function support(view, d, b, sil, box) {
    const [x0, y0, x1, y1] = box;
    const t = 0.02 * H_MAX;
    const cls = `class="neuralsim-support" data-support="${D.support[view]}"`;
    if (view === "standing") {
      const top = -(b.segment("thigh") + b.segment("shank") + b.segment("ankle_height"));
      return [`<rect ${cls} x="${pyFixed(x0, 0)}" y="${pyFixed(-top, 0)}" width="${pyFixed(x1 - x0, 0)}" height="${pyFixed(t, 0)}" fill="${D.support_fill}"/>`];
    }
    if (view === "side_lying") return couchFromAbove(d, cls, box);
    const top = -sil._back[view];
    let left = x0, edge = x1;
    const frames = d.frames, joints = d.joints;
    if (view === "sitting") {
      const calf = segmentBox(sil, b, "shank", frameOf(frames.shank))[0];
      edge = Math.min(joints.knee[0] - 0.04 * H_MAX, calf - D.support_gap_mm);
    } else if (headOverEnd(d, top)) {
      const shoulders = joints.c7_t1[0];
      if (d.head.centre[0] < joints.hip[0]) left = shoulders;
      else edge = shoulders;
    }
    if (view === "supine" || view === "prone") {
      const [fx0, fy0, fx1] = segmentBox(sil, b, "foot", frameOf(frames.foot));
      if (fy0 < top - D.head_sink_mm) {
        if (joints.ankle[0] < joints.hip[0]) left = Math.max(left, fx1 + D.support_gap_mm);
        else edge = Math.min(edge, fx0 - D.support_gap_mm);
      }
    }
    const leg = 0.015 * H_MAX;
    const hole = view === "prone" ? faceHole(d, top) : null;
    const tops = hole === null
      ? `<rect x="${pyFixed(left, 0)}" y="${pyFixed(-top, 0)}" width="${pyFixed(edge - left, 0)}" height="${pyFixed(t, 0)}"/>`
      : `<rect x="${pyFixed(left, 0)}" y="${pyFixed(-top, 0)}" width="${pyFixed(hole[0] - left, 0)}" height="${pyFixed(t, 0)}"/>`
        + `<rect x="${pyFixed(hole[1], 0)}" y="${pyFixed(-top, 0)}" width="${pyFixed(edge - hole[1], 0)}" height="${pyFixed(t, 0)}" data-after-hole="1"/>`;
    return [`<g ${cls} fill="${D.support_fill}">` + tops
      + `<rect x="${pyFixed(edge - 2 * leg, 0)}" y="${pyFixed(-top, 0)}" width="${pyFixed(leg, 0)}" height="${pyFixed(top - y0, 0)}"/>`
      + `<rect x="${pyFixed(left + 0.2 * (edge - left), 0)}" y="${pyFixed(-top, 0)}" width="${pyFixed(leg, 0)}" height="${pyFixed(top - y0, 0)}"/></g>`];
  }

  /** Side-lying, seen from above: the couch's top under the whole body, outlined, a pillow under the head. */
  function couchFromAbove(d, cls, [x0, y0, x1, y1]) {
    const m = 0.01 * H_MAX;
    const [hx, hy] = d.head.centre, r = d.head.radius;
    return [`<g ${cls}>`
      + `<rect x="${pyFixed(x0 + m, 0)}" y="${pyFixed(-y1 + m, 0)}" width="${pyFixed(x1 - x0 - 2 * m, 0)}" height="${pyFixed(y1 - y0 - 2 * m, 0)}" `
      + `rx="${pyFixed(2 * m, 0)}" fill="#EEEEEE" stroke="${D.support_fill}" stroke-width="10"/>`
      + `<ellipse class="neuralsim-pillow" cx="${pyFixed(hx, 0)}" cy="${pyFixed(-hy, 0)}" rx="${pyFixed(1.9 * r, 0)}" `
      + `ry="${pyFixed(1.5 * r, 0)}" fill="#FFFFFF" stroke="${D.support_fill}" stroke-width="10"/></g>`];
  }

  /** Face down, the head on the couch: the x range (whole mm) of the couch's face hole under the nose, or null. */
  function faceHole(d, top) {
    if (headOverEnd(d, top)) return null;
    const [cx, cy] = d.head.centre;
    const nose = headPoints(cx, cy, d.head.radius, d.frames.head_neck.angle)[1];
    if (Math.min(...nose.map((q) => q[1])) - 4.0 >= top) return null;
    return [Math.floor(Math.min(...nose.map((q) => q[0])) - 4.0 - D.support_gap_mm),
      Math.ceil(Math.max(...nose.map((q) => q[0])) + 4.0 + D.support_gap_mm)];
  }

  function stanceLeg(b, sil) {
    const th = b.segment("thigh"), sh = b.segment("shank");
    const frames = { thigh: [[0.0, 0.0], 0.0], shank: [[0.0, -th], 0.0], foot: [[0.0, -th - sh], 0.0] };
    const out = ['<g class="neuralsim-stance-leg" opacity="0.55">'];
    for (const seg of ["foot", "shank", "thigh"]) {
      for (const pts of sil[seg]) out.push(polygon(toWorld(frames[seg], pts), D.body_fill, D.body_outline, 8));
    }
    out.push("</g>");
    return out;
  }

  function bodyParts(frames, sil, fill, outline, cls) {
    const uid = nextId();
    const out = [`<use href="#ns-body-${uid}" fill="${outline}" stroke="${outline}" stroke-width="10" stroke-linejoin="round"/>`,
      `<g fill="${fill}" stroke="${fill}" stroke-width="0.5"><g id="ns-body-${uid}" class="${cls}">`];
    for (const seg of D.order) {
      out.push(sil[seg].map((pts) => `<polygon points="${pointsMm(toWorld(frameOf(frames[seg]), pts))}"/>`).join(""));
    }
    for (const [seg, items] of Object.entries(sil._joints)) {
      for (const [xy, r] of items) {
        const c = toWorld(frameOf(frames[seg]), [xy])[0];
        out.push(`<circle cx="${pyFixed(c[0], 0)}" cy="${pyFixed(-c[1], 0)}" r="${pyFixed(r, 0)}"/>`);
      }
    }
    out.push("</g></g>");
    return out;
  }

  // -- the arm (sitting: hands behind the back) ---------------------------------------------
  /** neuralsim.view.svg.arm_points: [shoulder, elbow, wrist, hand's end] (world mm), or null. */
  function armPoints(d, b, view) {
    if (!Object.hasOwn(D.arm_places, view)) return null;
    const arm = silhouette(b)._arm;
    const frames = d.frames;
    const sh = toWorld(frameOf(frames.thoracic), [arm.shoulder])[0];
    let wr = toWorld(frameOf(frames.lumbar), [arm.wrist])[0];
    const u = arm.upper, f = arm.fore;
    let v = [wr[0] - sh[0], wr[1] - sh[1]];
    let dist = Math.hypot(v[0], v[1]);
    if (dist > 0.98 * (u + f)) {
      const k = 0.98 * (u + f) / dist;
      wr = [sh[0] + v[0] * k, sh[1] + v[1] * k];
      v = [wr[0] - sh[0], wr[1] - sh[1]];
      dist = 0.98 * (u + f);
    }
    const along = (u * u - f * f + dist * dist) / (2 * dist);
    const h = Math.sqrt(Math.max(u * u - along * along, 0.0));
    const e = [v[0] / dist, v[1] / dist], n = [-v[1] / dist, v[0] / dist];
    const fa = frames.thoracic.angle, fwd = [Math.cos(fa), Math.sin(fa)];
    const mid = [sh[0] + along * e[0], sh[1] + along * e[1]];
    const elbows = [[mid[0] + h * n[0], mid[1] + h * n[1]], [mid[0] - h * n[0], mid[1] - h * n[1]]];
    const back = (q) => (q[0] - sh[0]) * fwd[0] + (q[1] - sh[1]) * fwd[1];
    const elbow = back(elbows[1]) < back(elbows[0]) ? elbows[1] : elbows[0];     // the one pointing backwards
    const fore = [(wr[0] - elbow[0]) / f, (wr[1] - elbow[1]) / f];
    const reach = 0.7 * arm.hand;
    return [sh, elbow, wr, [wr[0] + reach * fore[0], wr[1] + reach * fore[1]]];
  }

  function drawArm(d, b, view) {
    const pts = armPoints(d, b, view);
    if (pts === null) return [];
    const [wu, wf] = silhouette(b)._arm.widths;
    const upper = pointsAttr(pts.slice(0, 2)), lower = pointsAttr(pts.slice(1));
    return [`<g class="neuralsim-arm" data-arm="${D.arm_places[view]}">`,
      polyline(upper, D.body_outline, wu + 10), polyline(lower, D.body_outline, wf + 10),
      polyline(upper, D.body_fill, wu), polyline(lower, D.body_fill, wf), "</g>"];
  }

  // -- labels ----------------------------------------------------------------------------
  function textWidth(text, size) {
    let w = 0;
    for (const c of text) w += Object.hasOwn(EM, c) ? EM[c] : EM_OTHER;
    return size * w;
  }

  function textBox(x, y, text, size, anchor, halo = 0.0) {
    const w = textWidth(text, size);
    const xa = x - (anchor === "end" ? w : anchor === "middle" ? w / 2 : 0.0);
    const h = halo / 2;
    return [xa - h, y - 0.25 * size - h, xa + w + h, y + 0.8 * size + h];
  }

  function* labelPlaces(p, [ca, sa], sign, length, scale, towardHead, hang = null) {
    const [px, py] = p;
    const sides = hang ? [[sign, length * scale]] : [[sign, length * scale], [-sign, (length + D.across_mm) * scale]];
    for (const [side, r0] of sides) {
      let back = [-side * ca, -side * sa];
      if (side !== sign) {
        const t = D.across_lean_deg * (Math.PI / 180.0) * towardHead;
        back = [back[0] * Math.cos(t) + back[1] * Math.sin(t), -back[0] * Math.sin(t) + back[1] * Math.cos(t)];
      }
      let anchor = back[0] < -0.35 ? "end" : back[0] > 0.35 ? "start" : "middle";
      // the text beyond the leader's end: above one going up, below one going down, level beside one going sideways
      const base = back[1] > 0.35 ? D.label_gap_mm + 0.25 * FONT
        : back[1] < -0.35 ? -(D.label_gap_mm + 0.8 * FONT) : -0.3 * FONT;
      let dx = anchor === "end" ? -12 : anchor === "start" ? 12 : 0;
      if (hang !== null && side === sign && back[1] < -0.35) {
        anchor = hang;
        dx = hang === "end" ? 6 : hang === "start" ? -6 : 0;
      }
      const steps = hang ? 2 * D.stagger_steps : D.stagger_steps;          // hanging: no way across
      for (let k = 0; k <= steps; k++) {
        const r = r0 + k * D.stagger_mm * scale;
        const q = [px + back[0] * r, py + back[1] * r];
        yield { q, tx: q[0] + dx, ty: q[1] + base, anchor };
      }
    }
  }

  const onCouch = (place, floor) => Math.min(place.ty - 0.25 * FONT, place.q[1]) <= floor + 10.0;

  /** The first point of ``path`` nearest the target (numpy's argmin). */
  function nearest(path, [tx, ty]) {
    let best = 0, bd = Infinity;
    for (let i = 0; i < path.length; i++) {
      const dd = (path[i][0] - tx) ** 2 + (path[i][1] - ty) ** 2;
      if (dd < bd) { bd = dd; best = i; }
    }
    return best;
  }

  function labelItems(d, b, muscleNames, view, nerveParts, group, floor) {
    const frames = d.frames;
    const th = b.segment("thigh"), sh = b.segment("shank"), L = b.segment("lumbar");
    const s = b.height_m * 1000.0 / D.ref_h;
    const items = [];
    const nerve = d.nerve;
    const sitting = view === "sitting";
    if (nerveParts && nerveParts.length) {
      const [roots, thigh, shank] = nerveParts;
      items.push([nerve, "lumbar", [-20.0, 0.35 * L], roots, D.nerve_colour, 150, 1]);
      items.push([nerve, "thigh", [-41.0, -0.06 * th], thigh, D.nerve_colour, 150, 1]);
      items.push([nerve, "shank", [-25.0, -0.55 * sh], shank, D.nerve_colour, sitting ? 230 : 170, sitting ? -1 : 1]);
    }
    const named = muscleNames.filter((m) => muscleInfo(m)[0] === group);
    const colour = (Object.hasOwn(STYLES, group) ? STYLES[group] : STYLES.other)[0];
    const hang = [];        // item -> the text anchor of a name hanging below its leader's end (null: centred)
    named.forEach((m, i) => {
      const length = sitting ? 150 + 95 * i : 150 + 130 * (i % 2);
      const k = MUSCLE[m] && MUSCLE[m].in_front ? -1 : 1;
      const along = sitting ? 0.36 + 0.16 * i : 0.4 + 0.2 * i;
      items.push([d.muscles[m], "thigh", [-60.0 * k, -along * th], muscleInfo(m)[1], colour, length, k]);
      hang[items.length - 1] = sitting ? "end" : null;
    });
    // the text boxes placed so far; sitting, the hanging lower leg is one too
    const sil = silhouette(b);
    const placed = sitting ? ["shank", "foot"].map((seg) => segmentBox(sil, b, seg, frameOf(frames[seg]))) : [];
    const out = [], leaders = [];
    items.forEach(([path, segname, local, text, col, len0, sign], n) => {
      const { origin: o, angle: a } = frames[segname];
      const ca = Math.cos(a), sa = Math.sin(a);
      const lx = local[0] * s, ly = local[1];
      const target = [o[0] + ca * lx - sa * ly, o[1] + sa * lx + ca * ly];
      const p = path[nearest(path, target)];
      const hung = hang[n] ?? null;
      let length = len0;
      if (hung) {          // names hanging one under another: their leaders end at steps of depth
        const xl = ca * (p[0] - o[0]) + sa * (p[1] - o[1]);
        length += sign * (xl - lx) / s;
      }
      const towardHead = d.head.centre[0] > p[0] ? 1.0 : -1.0;
      let chosen = null;
      for (const place of labelPlaces(p, [ca, sa], sign, length, s, towardHead, hung)) {
        if (floor !== null && onCouch(place, floor)) continue;
        const box = textBox(place.tx, place.ty, text, FONT, place.anchor, HALO);
        if (chosen === null) chosen = [place, box];
        const texts = placed.slice(placed.length - out.length);          // the labels' boxes (not the lower leg's)
        if (!placed.some((q) => box[0] < q[2] && q[0] < box[2] && box[1] < q[3] && q[1] < box[3])
            && !texts.some((q) => crosses(p, place.q, q))
            && !leaders.some(([a0, a1]) => crosses(a0, a1, box))) {
          chosen = [place, box];
          break;
        }
      }
      if (chosen === null) {
        const places = [...labelPlaces(p, [ca, sa], sign, length, s, towardHead, hung)];
        const place = places[Math.min(D.stagger_steps + 1, places.length - 1)];
        chosen = [place, textBox(place.tx, place.ty, text, FONT, place.anchor, HALO)];
      }
      const [place, box] = chosen;
      out.push([p, place.q, place.tx, place.ty, place.anchor, text, col]);
      placed.push(box);
      leaders.push([p, place.q]);
    });
    return out;
  }

  /** Whether the segment a-b (world mm) passes through box [x0, y0, x1, y1] (Liang-Barsky clipping). */
  function crosses([ax, ay], [bx, by], box) {
    let t0 = 0.0, t1 = 1.0;
    for (const [p, q] of [[-(bx - ax), ax - box[0]], [bx - ax, box[2] - ax], [-(by - ay), ay - box[1]], [by - ay, box[3] - ay]]) {
      if (p === 0.0) {
        if (q < 0.0) return false;
        continue;
      }
      const t = q / p;
      if (p < 0.0) t0 = Math.max(t0, t);
      else t1 = Math.min(t1, t);
      if (t0 > t1) return false;
    }
    return true;
  }

  const r1 = (x) => { const v = Number(pyFixed(x, 1)) + 0.0; return g(v === 0 ? 0 : v); };

  function labels(items) {
    const out = [`<g class="neuralsim-labels" font-family="sans-serif" font-size="${pyFixed(FONT, 0)}" font-weight="bold">`];
    for (const [p, q, tx, ty, anchor, text, colour] of items) {
      const leader = `${r1(p[0])},${r1(-p[1])} ${r1(q[0])},${r1(-q[1])}`;
      out.push(polyline(leader, colour, 6, "", "neuralsim-leader"));
      out.push(`<circle cx="${pyFixed(p[0], 1)}" cy="${pyFixed(-p[1], 1)}" r="11" fill="${colour}"/>`);
      out.push(`<text x="${pyFixed(tx, 0)}" y="${pyFixed(-ty, 0)}" text-anchor="${anchor}" fill="${colour}" `
        + `stroke="#FFFFFF" stroke-width="${g(HALO)}" paint-order="stroke" class="neuralsim-label">${escape(text)}</text>`);
    }
    out.push("</g>");
    return out;
  }

  // -- extent and box ----------------------------------------------------------------------
  function extent(d, b, view, nervePts, muscles, items, floor) {
    const sil = silhouette(b);
    const frames = d.frames;
    const boxes = [];
    const add = (pts, pad) => {
      let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
      for (const [x, y] of pts) { x0 = Math.min(x0, x); y0 = Math.min(y0, y); x1 = Math.max(x1, x); y1 = Math.max(y1, y); }
      boxes.push([x0 - pad, y0 - pad, x1 + pad, y1 + pad]);
    };
    for (const seg of D.order) boxes.push(segmentBox(sil, b, seg, frameOf(frames[seg])));
    for (const [seg, jts] of Object.entries(sil._joints)) {
      const { origin: [ox, oy], angle: a } = frames[seg];
      const ca = Math.cos(a), sa = Math.sin(a);
      for (const [[x, y], r] of jts) {
        const cx = ox + ca * x - sa * y, cy = oy + sa * x + ca * y;
        boxes.push([cx - r - 5.5, cy - r - 5.5, cx + r + 5.5, cy + r + 5.5]);
      }
    }
    if (view === "standing") boxes.push(segmentBox(sil, b, "_stance", null));
    for (const line of d.skeleton) add(line, 4.5);
    const arm = armPoints(d, b, view);
    if (arm !== null) add(arm, (sil._arm.widths[0] + 10) / 2 + 0.1);
    boxes.push(headBox(d.head.centre[0], d.head.centre[1], d.head.radius, frames.head_neck.angle, floor, headAngle(d)));
    for (const [m, [, , width]] of Object.entries(muscleStyles(Object.keys(muscles)))) add(muscles[m], (width + 8) / 2 + 0.1);
    add(nervePts, D.nerve_width / 2 + 0.1);
    for (const [p, q, tx, ty, anchor, text] of items) {
      boxes.push([p[0] - 11.1, p[1] - 11.1, p[0] + 11.1, p[1] + 11.1]);
      boxes.push([q[0] - 3.1, q[1] - 3.1, q[0] + 3.1, q[1] + 3.1]);
      boxes.push(textBox(tx, ty, text, FONT, anchor, HALO));
    }
    return [Math.min(...boxes.map((x) => x[0])), Math.min(...boxes.map((x) => x[1])),
      Math.max(...boxes.map((x) => x[2])), Math.max(...boxes.map((x) => x[3]))];
  }

  function pictureBox(view, ext) {
    const box = viewBox(view);
    const [x0, y0, x1, y1] = box;
    const [e0, f0, e1, f1] = ext;
    if (e0 >= x0 && f0 >= y0 && e1 <= x1 && f1 <= y1) return box;
    let u0 = Math.min(x0, e0), v0 = Math.min(y0, f0), u1 = Math.max(x1, e1), v1 = Math.max(y1, f1);
    const aspect = (x1 - x0) / (y1 - y0);
    const w = u1 - u0, h = v1 - v0;
    if (w / h < aspect) {
      const extra = h * aspect - w;
      u0 -= extra / 2; u1 += extra / 2;
    } else {
      const extra = w / aspect - h;
      v0 -= extra / 2; v1 += extra / 2;
    }
    return outward([u0, v0, u1, v1]);
  }

  // -- the drawing as drawn: side-lying turned, the contrast muscles apart in lanes ------------------
  /** numpy.interp at x of the increasing xp (ties allowed) and fp. */
  function interp(x, xp, fp) {
    const n = xp.length;
    if (x > xp[n - 1]) return fp[n - 1];
    if (x < xp[0]) return fp[0];
    let lo = 0, hi = n - 1;                 // the last j with xp[j] <= x
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (xp[mid] <= x) lo = mid;
      else hi = mid - 1;
    }
    const j = lo;
    if (j === n - 1 || xp[j] === x) return fp[j];
    const slope = (fp[j + 1] - fp[j]) / (xp[j + 1] - xp[j]);
    let v = slope * (x - xp[j]) + fp[j];
    if (Number.isNaN(v)) {
      v = slope * (x - xp[j + 1]) + fp[j + 1];
      if (Number.isNaN(v) && fp[j] === fp[j + 1]) v = fp[j];
    }
    return v;
  }

  /** pts with points added along each segment at most step mm apart (the vertices kept). */
  function densify(pts, step) {
    const out = [pts[0]];
    for (let i = 1; i < pts.length; i++) {
      const a = pts[i - 1], b = pts[i];
      const dx = b[0] - a[0], dy = b[1] - a[1];
      const n = Math.max(1, Math.ceil(Math.hypot(dx, dy) / step));
      for (let k = 1; k <= n; k++) out.push([a[0] + dx * (k / n), a[1] + dy * (k / n)]);
    }
    return out;
  }

  /** A drawing turned deg counter-clockwise about the hip centre (the origin). */
  function turned(d, deg) {
    const t = deg * (Math.PI / 180.0);
    const c = Math.cos(t), s = Math.sin(t);
    const pt = ([x, y]) => [x * c + y * -s, x * s + y * c];
    const pts = (line) => line.map(pt);
    const each = (o, f) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, f(v)]));
    return { ...d, joints: each(d.joints, pt), skeleton: d.skeleton.map(pts),
      head: { centre: pt(d.head.centre), radius: d.head.radius }, nerve: pts(d.nerve),
      nerves: each(d.nerves, pts), muscles: each(d.muscles, pts),
      frames: each(d.frames, (f) => ({ origin: pt(f.origin), angle: f.angle + t })) };
  }

  /**
   * neuralsim.view.svg._drawn: d as drawn in view: side-lying turned; the nerve's contrast muscles
   * moved apart in the thigh onto lanes of their own alongside the nerve, each keeping its own path
   * at its ends.
   */
  function drawn(d, b, nerve, view) {
    if (view === "side_lying") d = turned(d, D.side_lying_turn_deg);
    const group = D.nerves[nerve].contrast;
    const names = Object.keys(d.muscles).filter((m) => muscleInfo(m)[0] === group);
    if (names.length < 2) return d;
    const { origin: o, angle: a } = d.frames.thigh;
    const th = b.segment("thigh");
    const c = Math.cos(a), sn = Math.sin(a);
    const s = b.height_m * 1000.0 / D.ref_h;
    const local = (pts) => pts.map(([x, y]) => {
      const r0 = x - o[0], r1 = y - o[1];
      return [c * r0 + sn * r1, -sn * r0 + c * r1];
    });
    const alongThigh = (loc) => {          // on its way down the thigh (not a folded-back shank)
      let low = 0;
      for (let i = 1; i < loc.length; i++) if (loc[i][1] < loc[low][1]) low = i;
      return loc.map(([x, y], i) => i <= low && y <= 0.0 && y >= -th && Math.abs(x) < 150.0 * s);
    };
    const sortedRun = (loc) => {           // [ys, xs] of the points down the thigh, by y
      const inside = alongThigh(loc);
      const run = loc.filter((_, i) => inside[i]).sort((p, q) => p[1] - q[1]);
      return [run.map((q) => q[1]), run.map((q) => q[0])];
    };
    const midX = (loc) => {
      const [ys, xs] = sortedRun(loc);
      return ys.length < 2 ? null : interp(-0.5 * th, ys, xs);
    };
    const paths = Object.fromEntries(names.map((m) => [m, local(densify(d.muscles[m], 15.0))]));
    const mids = Object.fromEntries(names.map((m) => [m, midX(paths[m])]));
    if (names.some((m) => mids[m] === null)) return d;
    const nerveLoc = local(densify(d.nerves[nerve], 15.0));
    const nerveMid = midX(nerveLoc);
    let beside = () => 0.0;
    if (nerveMid !== null) {
      const [ny, nx] = sortedRun(nerveLoc);
      beside = (y) => interp(y, ny, nx) - nerveMid;
    }
    const width = (Object.hasOwn(STYLES, group) ? STYLES[group] : STYLES.other)[1];
    const centre = nerveMid === null ? names.reduce((acc, m) => acc + mids[m], 0) / names.length : nerveMid;
    const gap = nerveMid !== null ? (D.nerve_width + width) / 2 + (D.lane_mm - width) : D.lane_mm / 2;
    const ranked = [...names].sort((p, q) => mids[q] - mids[p]);       // front to back
    let nFront = names.filter((m) => mids[m] > centre).length;
    if (nerveMid !== null) nFront = Math.min(Math.max(nFront, 1), names.length - 1);
    const lane = {};
    ranked.slice(0, nFront).forEach((m, k) => { lane[m] = centre + gap + k * D.lane_mm; });
    ranked.slice(nFront).forEach((m, k) => { lane[m] = centre - gap - k * D.lane_mm; });
    const [f0, f1] = D.lane_full, [e0, e1] = D.lane_end;
    const muscles = { ...d.muscles };
    for (const m of names) {
      const loc = paths[m];
      const inside = alongThigh(loc);
      let reach = -Infinity;
      muscles[m] = loc.map(([lx, ly], i) => {
        const t = -ly / th;                                      // fraction down the thigh
        reach = Math.max(reach, t);
        let w = Math.min(Math.max(Math.min((t - e0) / (f0 - e0), (e1 - t) / (e1 - f1)), 0.0), 1.0);
        if (Math.abs(lx) >= 150.0 * s || reach > e1 || !inside[i] || i === 0 || i === loc.length - 1) w = 0.0;
        const x = (1.0 - w) * lx + w * (lane[m] + beside(ly));
        return [o[0] + c * x - sn * ly, o[1] + sn * x + c * ly];
      });
    }
    return { ...d, muscles };
  }

  // -- the figure ----------------------------------------------------------------------------
  /**
   * neuralsim.view.svg.describe: the figure's description (its desc element).
   * @param {Object<string, number>} angles  joint -> deg
   * @param {{bed_mm: number, relative_bed: number, muscles_mm: Object<string, number>}} numbers
   */
  function describe(angles, b, view, numbers, nerve) {
    const spec = D.nerves[nerve];
    const list = model.JOINTS.map((j) => `${D.joint_labels[j]} ${angleText(angles[j] ?? 0.0)} ${model.UNIT}`).join(", ");
    const group = spec.contrast;
    const bedName = spec.label.charAt(0).toUpperCase() + spec.label.slice(1).toLowerCase();
    const gName = group.charAt(0).toUpperCase() + group.slice(1).toLowerCase();
    return `${view.charAt(0).toUpperCase() + view.slice(1).toLowerCase()} view of a ${pyFixed(b.height_m, 2)} m body. `
      + `Joint angles: ${list}. ${bedName} ${pyFixed(numbers.bed_mm, 0)} mm, `
      + `${numberText(100 * (numbers.relative_bed - 1), 1, true)} % against standing. `
      + `${gName}: ${D.groups[group].map((m) => `${MUSCLE[m].label} ${pyFixed(numbers.muscles_mm[m], 0)} mm`).join(", ")}.`;
  }

  /**
   * The posture's figure (neuralsim.view.svg.posture_svg with legend=False, no strain halo):
   * the same SVG text for the same drawing.
   * @param {Object} d  model.drawing(...) with only the structures drawn kept (see {@link keep})
   */
  function postureSvg(angles, b, view, data, { heightPx, numbers, nerve, labels: withLabels = true }) {
    const spec = D.nerves[nerve];
    const d = drawn(data, b, nerve, view);
    const nervePts = d.nerves[nerve];
    const sil = silhouette(b);
    const floor = couchTop(view, sil);
    const items = withLabels ? labelItems(d, b, Object.keys(d.muscles), view, spec.figure_parts, spec.contrast,
      view === "prone" ? floor : null) : [];
    const names = Object.keys(d.muscles);
    const group = spec.contrast;
    const box = pictureBox(view, extent(d, b, view, nervePts, d.muscles, items, floor));
    const [x0, y0, x1, y1] = box;
    const bh = y1 - y0, bw = x1 - x0;
    const widthPx = heightPx * bw / bh;
    const seen = view === "side_lying" ? "lying on its side, seen from above" : "seen from the side";
    const title = `Body ${seen}, ${view} view (${D.support[view]}), with the nerve bed and the ${group}`;
    const desc = describe(angles, b, view, numbers, nerve);
    const uid = nextId();
    const parts = [`<svg xmlns="http://www.w3.org/2000/svg" role="img" class="neuralsim-posture" data-view="${view}" `
      + `viewBox="${pyFixed(x0, 0)} ${pyFixed(-y1, 0)} ${pyFixed(bw, 0)} ${pyFixed(bh, 0)}" width="${pyFixed(widthPx, 0)}" height="${pyFixed(heightPx, 0)}" `
      + `aria-labelledby="ns-title-${uid} ns-desc-${uid}">`
      + `<title id="ns-title-${uid}">${escape(title)}</title><desc id="ns-desc-${uid}">${escape(desc)}</desc>`];
    parts.push(...support(view, d, b, sil, box));
    if (view === "standing") parts.push(...stanceLeg(b, sil));
    parts.push(...bodyParts(d.frames, sil, D.body_fill, D.body_outline, "neuralsim-body"), ...drawArm(d, b, view));
    for (const line of d.skeleton) parts.push(polyline(line, "#B9B3AC", 8, "", "neuralsim-skeleton"));
    parts.push(...drawHead(d.head.centre[0], d.head.centre[1], d.head.radius, d.frames.head_neck.angle, floor, headAngle(d)));
    const over = [];
    for (const [m, [mgroup, colour, width, dash]] of Object.entries(muscleStyles(names))) {
      const extra = dash === "none" ? "" : ` stroke-dasharray="${dash}"`;
      const pts = pointsAttr(d.muscles[m]);
      const cls = mgroup === "hamstrings" ? "neuralsim-hamstring" : `neuralsim-muscle neuralsim-${m}`;
      if (spec.contrast_over && mgroup === group) {
        over.push(polyline(pts, colour, D.over_width, extra + ` data-muscle="${m}"`, cls));
        continue;
      }
      parts.push(polyline(pts, "#FFFFFF", width + 8, "", "neuralsim-casing"));
      parts.push(polyline(pts, colour, width, extra + ` data-muscle="${m}"`, cls));
    }
    parts.push(polyline(nervePts, D.nerve_colour, D.nerve_width, "", "neuralsim-nerve"));
    parts.push(...over);
    if (withLabels) parts.push(...labels(items));
    parts.push("</svg>");
    return parts.join("");
  }

  /** A model drawing with only ``structures`` kept, in the registry's order (as neuralsim.compute draws). */
  function keep(d, structures) {
    const want = new Set(structures);
    const nerves = Object.fromEntries(Object.entries(d.nerves).filter(([n]) => want.has(n)));
    const muscles = Object.fromEntries(Object.entries(d.muscles).filter(([m]) => want.has(m)));
    const first = Object.hasOwn(nerves, model.DEFAULT_NERVE) ? nerves[model.DEFAULT_NERVE] : Object.values(nerves)[0];
    return { ...d, nerves, muscles, nerve: first };
  }

  // -- gauges, bars ------------------------------------------------------------------------
  /**
   * neuralsim.view.svg.gauges_svg; large: its presentation form (name, bar and change in % only,
   * type D.large_type_px, D.large_w_px wide, drawn its own size).
   */
  function gaugesSvg(rows, { reference = "standing (anatomical position)", widthPx = 470, title = null, startLabel = "since start",
    large = false }) {
    const [lo, hi] = D.gauge_range_pct;
    const fs = 15, row = 30, labelW = 86, barW = 136;
    const col = [labelW + barW + 8, labelW + barW + 156, labelW + barW + 234];
    const width = col[2] + 64, top = 44, height = top + row * rows.length + 6;
    const xOf = (pct) => labelW + barW * (Math.min(Math.max(pct, lo), hi) - lo) / (hi - lo);
    const zero = xOf(0.0);
    if (title === null) title = `Length of the nerve bed and of each hamstring against ${reference}`;
    const desc = rows.map((r) => `${r.name}: ${numberText(100 * (r.mm / r.ref_mm - 1), 1, true)} % `
      + `(${numberText(r.mm - r.ref_mm, 0, true)} mm) against ${reference}, `
      + `last step ${numberText(r.step_mm, 0, true)} mm, ${startLabel} ${numberText(r.start_mm, 0, true)} mm`).join("; ") + ".";
    if (large) return gaugesLarge(rows, title, desc);
    const uid = nextId();
    const out = [`<svg xmlns="http://www.w3.org/2000/svg" role="img" class="neuralsim-gauges" `
      + `viewBox="0 0 ${width} ${height}" width="${widthPx}" height="${pyFixed(widthPx * height / width, 0)}" `
      + `aria-labelledby="ns-g-title-${uid} ns-g-desc-${uid}" font-family="sans-serif" font-size="${fs}" fill="#222222">`
      + `<title id="ns-g-title-${uid}">${escape(title)}</title><desc id="ns-g-desc-${uid}">${escape(desc)}</desc>`
      + `<text x="${pyFixed(labelW + barW / 2, 0)}" y="14" text-anchor="middle" font-size="13">against standing</text>`
      + `<text x="${col[0]}" y="14" font-size="13">% and mm</text>`
      + `<text x="${col[1] + 56}" y="14" font-size="13" text-anchor="end">last step</text>`
      + `<text x="${col[2] + 62}" y="14" font-size="13" text-anchor="end">${escape(startLabel)}</text>`
      + `<text x="${col[1] + 56}" y="30" font-size="13" text-anchor="end">(mm)</text>`
      + `<text x="${col[2] + 62}" y="30" font-size="13" text-anchor="end">(mm)</text>`];
    for (const t of [lo, 0.0, 10.0, 20.0, hi]) {
      const x = xOf(t);
      out.push(t !== lo && t !== hi
        ? `<text x="${pyFixed(x, 0)}" y="30" font-size="11" text-anchor="middle" fill="#555555">${t >= 0 ? "+" : ""}${pyFixed(t, 0)}%</text>` : "");
      out.push(`<line x1="${pyFixed(x, 1)}" y1="${top - 8}" x2="${pyFixed(x, 1)}" y2="${height - 4}" stroke="#BBBBBB" stroke-width="1"/>`);
    }
    out.push(`<line x1="${pyFixed(zero, 1)}" y1="${top - 8}" x2="${pyFixed(zero, 1)}" y2="${height - 4}" stroke="#444444" stroke-width="2"/>`);
    const styles = muscleStyles(rows.filter((r) => r.kind !== "nerve").map((r) => r.kind));
    rows.forEach((r, i) => {
      const y = top + i * row;
      const pct = 100.0 * (r.mm / r.ref_mm - 1.0);
      let colour, dash;
      if (r.kind === "nerve") [colour, dash] = [D.nerve_colour, "none"];
      else [, colour, , dash] = styles[r.kind];
      const x = xOf(pct);
      const xa = Math.min(x, zero), xb = Math.max(x, zero);
      const edge = dash === "none" ? "" : ` stroke-dasharray="${dash.split(" ").map((v) => pyFixed(Number(v) * 0.4, 1)).join(" ")}"`;
      out.push(`<text x="${labelW - 8}" y="${y + 16}" text-anchor="end" font-weight="bold" fill="${colour}">${escape(r.name)}</text>`);
      out.push(`<rect class="neuralsim-gauge" data-kind="${escape(r.kind)}" data-pct="${pyFixed(pct, 2)}" x="${pyFixed(xa, 1)}" y="${y + 2}" `
        + `width="${pyFixed(xb - xa, 1)}" height="${row - 8}" fill="${colour}" fill-opacity="0.85" stroke="#222222" stroke-width="1.5"${edge}/>`);
      if (pct > hi || pct < lo) {
        const tip = pct > hi ? xb : xa, s = pct > hi ? 1 : -1;
        out.push(`<polygon points="${pyFixed(tip, 1)},${y + 1} ${pyFixed(tip + 10 * s, 1)},${pyFixed(y + row / 2 - 3, 1)} ${pyFixed(tip, 1)},${y + row - 7}" fill="#222222"/>`);
      }
      out.push(`<text x="${col[0]}" y="${y + 16}">${signed(pct, 1)} %, ${signed(r.mm - r.ref_mm, 0)} mm</text>`);
      out.push(`<text x="${col[1] + 56}" y="${y + 16}" text-anchor="end">${signed(r.step_mm, 0)}</text>`);
      out.push(`<text x="${col[2] + 62}" y="${y + 16}" text-anchor="end">${signed(r.start_mm, 0)}</text>`);
    });
    out.push("</svg>");
    return out.join("");
  }

  /** neuralsim.view.svg._gauges_large: name, bar, change in %, each row 40 px. */
  function gaugesLarge(rows, title, desc) {
    const [lo, hi] = D.gauge_range_pct;
    const fs = D.large_type_px, row = 40, top = 64, labelW = 76, barW = 170;
    const width = D.large_w_px, height = top + row * rows.length + 6;
    const xOf = (pct) => labelW + 8 + barW * (Math.min(Math.max(pct, lo), hi) - lo) / (hi - lo);
    const zero = xOf(0.0);
    const uid = nextId();
    const out = [`<svg xmlns="http://www.w3.org/2000/svg" role="img" class="neuralsim-gauges-large" `
      + `viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" `
      + `aria-labelledby="ns-gl-title-${uid} ns-gl-desc-${uid}" font-family="sans-serif" font-size="${fs}" fill="#222222">`
      + `<title id="ns-gl-title-${uid}">${escape(title)}</title><desc id="ns-gl-desc-${uid}">${escape(desc)}</desc>`
      + `<text x="${labelW + 8}" y="22">change against standing</text>`];
    for (const t of [0.0, 20.0]) {          // two tick labels: at this size more would run into one another
      out.push(`<text x="${pyFixed(xOf(t), 0)}" y="${top - 14}" text-anchor="middle" fill="#444444">${t === 0 ? "0" : `+${pyFixed(t, 0)} %`}</text>`);
    }
    for (const t of [lo, 10.0, 20.0, hi]) {
      const x = xOf(t);
      out.push(`<line x1="${pyFixed(x, 1)}" y1="${top - 8}" x2="${pyFixed(x, 1)}" y2="${height - 4}" stroke="#BBBBBB" stroke-width="1.5"/>`);
    }
    out.push(`<line x1="${pyFixed(zero, 1)}" y1="${top - 8}" x2="${pyFixed(zero, 1)}" y2="${height - 4}" stroke="#444444" stroke-width="3"/>`);
    const styles = muscleStyles(rows.filter((r) => r.kind !== "nerve").map((r) => r.kind));
    rows.forEach((r, i) => {
      const y = top + i * row;
      const pct = 100.0 * (r.mm / r.ref_mm - 1.0);
      let colour, dash, name;
      if (r.kind === "nerve") [colour, dash, name] = [D.nerve_colour, "none", "nerve"];
      else [[, colour, , dash], name] = [styles[r.kind], r.name];
      const x = xOf(pct);
      const xa = Math.min(x, zero), xb = Math.max(x, zero);
      const edge = dash === "none" ? "" : ` stroke-dasharray="${dash.split(" ").map((v) => pyFixed(Number(v) * 0.5, 1)).join(" ")}"`;
      out.push(`<text x="${labelW}" y="${y + 25}" text-anchor="end" font-weight="bold" fill="${colour}">${escape(name)}</text>`);
      out.push(`<rect data-kind="${escape(r.kind)}" data-pct="${pyFixed(pct, 2)}" x="${pyFixed(xa, 1)}" y="${y + 4}" `
        + `width="${pyFixed(xb - xa, 1)}" height="${row - 10}" fill="${colour}" fill-opacity="0.85" stroke="#222222" stroke-width="2"${edge}/>`);
      if (pct > hi || pct < lo) {
        const tip = pct > hi ? xb : xa, sgn = pct > hi ? 1 : -1;
        out.push(`<polygon points="${pyFixed(tip, 1)},${y + 3} ${pyFixed(tip + 12 * sgn, 1)},${pyFixed(y + row / 2 - 1, 1)} ${pyFixed(tip, 1)},${y + row - 5}" fill="#222222"/>`);
      }
      out.push(`<text x="${width - 2}" y="${y + 25}" text-anchor="end">${signed(pct, 1)} %</text>`);
    });
    out.push("</svg>");
    return out.join("");
  }

  function contributionsSvg(contributions, { title = null, scaleMm = 80.0, widthPx = 360 }) {
    const vals = model.JOINTS.map((j) => [j, contributions[j] ?? 0.0]);
    const biggest = Math.max(...vals.map(([, v]) => Math.abs(v)));
    const scale = Math.max(scaleMm, biggest);
    const row = 26, labelW = 150, barW = 160, pad = 60;
    const width = labelW + barW + pad, height = row * vals.length + 40;
    const total = vals.reduce((a, [, v]) => a + v, 0);
    if (title === null) title = "Change of nerve bed length at each joint against standing, mm";
    const desc = vals.map(([j, v]) => `${D.joint_labels[j]} ${numberText(v, 1, true)} mm`).join("; ")
      + `. Total ${numberText(total, 1, true)} mm.`;
    const x0 = labelW + barW / 2;
    const uid = nextId();
    const parts = [`<svg xmlns="http://www.w3.org/2000/svg" role="img" class="neuralsim-bars" `
      + `viewBox="0 0 ${width} ${height}" width="${widthPx}" height="${pyFixed(widthPx * height / width, 0)}" `
      + `aria-labelledby="ns-bars-title-${uid} ns-bars-desc-${uid}" font-family="sans-serif" font-size="13">`
      + `<title id="ns-bars-title-${uid}">${escape(title)}</title><desc id="ns-bars-desc-${uid}">${escape(desc)}</desc>`
      + `<text x="${pyFixed(width / 2, 0)}" y="16" text-anchor="middle" fill="#222222">bed length against standing, per joint (mm)</text>`
      + `<line x1="${g(x0)}" y1="24" x2="${g(x0)}" y2="${height - 8}" stroke="#666666"/>`];
    vals.forEach(([j, v], i) => {
      const y = 28 + i * row;
      const w = (barW / 2) * Math.abs(v) / scale;
      const fill = v >= 0 ? D.nerve_colour : "#FFFFFF";
      const x = v >= 0 ? x0 : x0 - w;
      const rounded = Number(pyFixed(v, 0));
      parts.push(`<text x="${labelW - 6}" y="${y + 16}" text-anchor="end" fill="#222222">${D.joint_labels[j]}</text>`);
      parts.push(`<rect class="neuralsim-bar" data-joint="${j}" x="${pyFixed(x, 1)}" y="${y + 4}" width="${pyFixed(w, 1)}" height="${row - 8}" fill="${fill}" stroke="${D.nerve_colour}" stroke-width="2"/>`);
      parts.push(`<text x="${g(x0 + barW / 2 + 4)}" y="${y + 16}" fill="#222222">${rounded >= 0 ? "+" : "-"}${Math.abs(rounded)}</text>`);
    });
    parts.push("</svg>");
    return parts.join("");
  }

  // -- the view a posture is drawn in, the text line -------------------------------------------
  /** neuralsim.view.svg.support_fits. */
  function supportFits(angles, view) {
    const hip = angles.hip_flexion ?? 0.0, knee = angles.knee_flexion ?? 0.0;
    if (view === "standing") return !(hip >= 45.0 && knee >= 45.0);
    if (view === "sitting") return hip >= 45.0;
    if (view === "supine") return hip >= 0.0 && knee <= hip + 5.0;
    return true;
  }

  /** neuralsim.classroom.widgets.choose_view. */
  function chooseView(angles, ...preferred) {
    for (const v of [...preferred, ...D.view_order]) if (v && supportFits(angles, v)) return v;
    const given = preferred.filter(Boolean);
    return given.length ? given[0] : "standing";
  }

  /** neuralsim.classroom.widgets.change_text (no strain: the mechanics do not run in the page). */
  function changeText(what, bedBefore, bedAfter, hamBefore, hamAfter, relAfter, group) {
    const dd = bedAfter - bedBefore, pct = 100.0 * dd / bedBefore, dh = hamAfter - hamBefore;
    return `${what} → nerve bed ${numberText(dd, 0, true)} mm (${numberText(pct, 1, true)} %); `
      + `${group} ${numberText(dh, 0, true)} mm. `
      + `Bed now ${numberText(bedAfter)} mm, ${numberText(100.0 * (relAfter - 1.0), 1, true)} % against standing.`;
  }

  return Object.freeze({ postureSvg, gaugesSvg, contributionsSvg, describe, keep, supportFits, chooseView, changeText,
    muscleInfo, viewBox, angleText, numberText });
}
