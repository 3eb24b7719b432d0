/**
 * The core model of neuralsim in the page: body, joints, postures, the registry's pathways
 * (wraps, folds, moment-arm curves), the length of every structure, each joint's contribution
 * and the drawing coordinates.
 *
 * It is a port of neuralsim.core (body, joints, posture checks) and neuralsim.model (geometry,
 * registry, lengths.drawing) and reads the same data files: data/structures.json, data/joints.csv
 * and data/parameters.csv, handed to {@link createModel} as text (or, for the registry, as the
 * parsed JSON). No number of the model is written here: every one comes from those files or, for
 * the two drawing-only head proportions, from neuralsim.model.lengths.DRAWING_PROPORTIONS.
 * Python stays the reference: tests/test_web_model.py checks this module against the library on
 * seeded random postures over every joint's whole range, every protocol step and every preset.
 *
 * Units: angles in degrees with the clinical names and signs of joints.csv (0 = the anatomical
 * position; + flexion, adduction, internal rotation, dorsiflexion); every length and coordinate
 * in millimetres; heights in metres; world coordinates x forwards, y up; frame angles in radians,
 * counter-clockwise.
 *
 * Plain modern JavaScript (an ES2022 module, no dependencies, no build step): Node 18 or later, Chromium.
 *
 * @module neuralsim/web/model
 */

/**
 * A number outside the allowed range (or not finite), as neuralsim.core.errors.OutOfRangeError:
 * the message names the quantity, the value, the range and the unit, and the error carries them.
 */
export class OutOfRangeError extends RangeError {
  /**
   * @param {string} quantity  a joint, or a named quantity such as "body height"
   * @param {number} value     the offending value
   * @param {number} low       lowest allowed (inclusive)
   * @param {number} high      highest allowed (inclusive)
   * @param {string} unit      "deg", "m", ...
   * @param {string} [extra]   appended to the message ("(typical range)")
   * @param {string} [reason]  default "is outside the allowed range"
   */
  constructor(quantity, value, low, high, unit, extra = "", reason = null) {
    const why = reason === null ? "is outside the allowed range" : reason;
    const msg = `${quantity}: ${formatG(value)} ${unit} ${why} ${rangeText(low, high, unit)}`;
    super(msg + (extra ? ` ${extra}` : ""));
    this.name = "OutOfRangeError";
    this.quantity = quantity;
    this.value = value;
    this.low = low;
    this.high = high;
    this.range = [low, high];
    this.unit = unit;
    this.extra = extra;
  }
}

/**
 * A number as Python's "%g" writes it (six significant digits, trailing zeros dropped), so the
 * messages read as the library's do.
 * @param {number} x
 * @returns {string}
 */
export function formatG(x) {
  if (typeof x !== "number") return String(x);
  if (Number.isNaN(x)) return "nan";
  if (x === Infinity) return "inf";
  if (x === -Infinity) return "-inf";
  if (x === 0) return Object.is(x, -0) ? "-0" : "0";
  let [mant, expText] = x.toExponential(5).split("e");
  // JavaScript rounds an exact tie up, Python to the even digit
  const exact = Math.abs(x).toExponential(100).split("e")[0].replace(".", "");
  if (/^\d{6}50*$/.test(exact) && Number(exact[5]) % 2 === 0) {
    [mant, expText] = Math.abs(x).toExponential(100).split("e");
    mant = (x < 0 ? "-" : "") + mant.slice(0, 7);
  }
  const exp = Number(expText);
  const strip = (s) => (s.includes(".") ? s.replace(/0+$/, "").replace(/\.$/, "") : s);
  if (exp < -4 || exp >= 6) {
    return `${strip(mant)}e${exp < 0 ? "-" : "+"}${String(Math.abs(exp)).padStart(2, "0")}`;
  }
  return strip(Number(`${mant}e${expText}`).toFixed(5 - exp));
}

/** "low to high unit", as neuralsim.core.errors.range_text. */
function rangeText(low, high, unit) {
  if (!Number.isFinite(high) && !Number.isFinite(low)) return `any finite number (${unit})`;
  if (!Number.isFinite(high)) return `${formatG(low)} ${unit} or more`;
  if (!Number.isFinite(low)) return `${formatG(high)} ${unit} or less`;
  return `${formatG(low)} to ${formatG(high)} ${unit}`;
}

/** A value written as Python's repr writes what JSON would make of it (for the messages). */
function repr(value, depth = 0) {
  if (value === null || value === undefined) return "None";
  if (value === true) return "True";
  if (value === false) return "False";
  if (typeof value === "string") return `'${value}'`;
  if (typeof value === "number") return formatG(value);
  if (depth > 2) return "...";
  if (Array.isArray(value)) return `[${value.map((v) => repr(v, depth + 1)).join(", ")}]`;
  if (typeof value === "object") {
    return `{${Object.entries(value).map(([k, v]) => `'${k}': ${repr(v, depth + 1)}`).join(", ")}}`;
  }
  return String(value);
}

/** A short text of a value (at most 60 characters), as the library's messages show one. */
function shown(value) {
  const text = repr(value);
  return text.length <= 60 ? text : `${text.slice(0, 57)}...`;
}

/** A number checked as neuralsim.core.errors.as_number: TypeError or OutOfRangeError. */
function checkNumber(name, value, low, high, unit, extra = "") {
  if (typeof value !== "number") {
    throw new TypeError(`${name}: ${shown(value)} is not a number; give a real number in ${unit}, allowed range `
      + `${rangeText(low, high, unit)}${extra ? ` ${extra}` : ""}`);
  }
  if (!Number.isFinite(value)) {
    throw new OutOfRangeError(name, value, low, high, unit, extra, "is not a finite number; allowed range");
  }
  if (value < low - 1e-9 || value > high + 1e-9) throw new OutOfRangeError(name, value, low, high, unit, extra);
  return value;
}

/**
 * Rows of a CSV text (RFC 4180 quoting) as objects keyed by the header, empty lines skipped.
 * @param {string} text
 * @returns {Array<Object<string, string>>}
 */
export function parseCsv(text) {
  const records = [];
  let row = [], field = "", quoted = false, touched = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') { field += '"'; i++; }
      else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') { quoted = true; touched = true; }
    else if (ch === ",") { row.push(field); field = ""; touched = true; }
    else if (ch === "\n" || ch === "\r") {
      if (ch === "\r" && text[i + 1] === "\n") i++;
      if (touched || field) { row.push(field); records.push(row); }
      row = []; field = ""; touched = false;
    } else { field += ch; touched = true; }
  }
  if (touched || field) { row.push(field); records.push(row); }
  const [header, ...rest] = records;
  return rest.map((r) => Object.fromEntries(header.map((h, i) => [h, r[i] ?? ""])));
}

/** Python's round(x, 6) for the range ends (exact decimal, so no 0.1 + 0.2 tails). */
function round6(x) {
  return Number(x.toFixed(6));
}

// ---- the model: no number below but neutral ones; every model number comes from the data ----

const DEG = Math.PI / 180.0;         // as math.radians and np.radians multiply
const RAD = 180.0 / Math.PI;         // as math.degrees
const radians = (deg) => deg * DEG;
const degrees = (rad) => rad * RAD;

/** The sides a crossing may pass a joint on: the x component of the unit normal to the path. */
const SIDES = { posterior: -1.0, anterior: +1.0, out_of_plane: 0.0 };

/** Segment names, head to foot (neuralsim.model.geometry.SEGMENTS). */
export const SEGMENTS = Object.freeze(["head_neck", "thoracic", "lumbar", "pelvis", "thigh", "shank", "foot"]);
const ROOT = "pelvis";

/** Body segments and the fraction parameter each is scaled from (neuralsim.core.body). */
const SEGMENT_FRACTIONS = {
  head: "frac_head", cervical: "frac_cervical", thoracic: "frac_thoracic", lumbar: "frac_lumbar",
  pelvis_up: "frac_pelvis_up", pelvis_back: "frac_pelvis_back", thigh: "frac_thigh", shank: "frac_shank",
  foot: "frac_foot", ankle_height: "frac_ankle_height",
};

const RIGHT_ANGLE = degrees(Math.PI / 2.0);
/** view -> [segment held still, its world angle in degrees] (neuralsim.model.geometry.VIEW_HOLDS). */
const VIEW_HOLDS = {
  standing: ["thigh", 0.0],
  sitting: ["thigh", RIGHT_ANGLE],
  supine: ["pelvis", RIGHT_ANGLE],
  prone: ["pelvis", -RIGHT_ANGLE],
  side_lying: ["pelvis", RIGHT_ANGLE],
};
/** The views a drawing may be made in. */
export const VIEWS = Object.freeze(Object.keys(VIEW_HOLDS));

/** The mobility classes; each scales both ends of every joint range. */
export const MOBILITIES = Object.freeze(["hypomobile", "typical", "hypermobile"]);

/** The crossing laws the registry may name. */
const LAWS = { wrap_fold: [], moment_arm_curve: [["peak", "peakDeg"], ["gain", "gain"]] };

const TERM = /\s*([+-]?)\s*([^+-]+)/y;

/**
 * The model, built from the data files.
 *
 * @param {Object} data
 * @param {string|Object} data.structures  data/structures.json (text or parsed)
 * @param {string} data.joints              data/joints.csv (text)
 * @param {string} data.parameters          data/parameters.csv (text)
 * @param {{head_roundness: number, head_forward: number}} data.drawing
 *   neuralsim.model.lengths.DRAWING_PROPORTIONS (drawing-only head proportions, dimensionless)
 * @returns {Object} the model's functions and tables (see the returned object's members)
 */
export function createModel(data) {
  const registryData = typeof data.structures === "string" ? JSON.parse(data.structures) : data.structures;
  const proportions = data.drawing;
  if (!proportions || typeof proportions.head_roundness !== "number" || typeof proportions.head_forward !== "number") {
    throw new TypeError("createModel: data.drawing must give head_roundness and head_forward "
      + "(neuralsim.model.lengths.DRAWING_PROPORTIONS)");
  }

  // -- parameters.csv: name -> {value, unit} ---------------------------------------------------
  const PARAMETERS = {};
  for (const row of parseCsv(data.parameters)) {
    const name = row.name.trim();
    if (name in PARAMETERS) throw new Error(`parameter '${name}' is defined twice in parameters.csv`);
    PARAMETERS[name] = { value: Number(row.value.trim()), unit: row.unit.trim() };
  }
  const value = (name) => {
    if (!(name in PARAMETERS)) throw new Error(`no parameter named '${name}' in parameters.csv`);
    return PARAMETERS[name].value;
  };

  // -- joints.csv ----------------------------------------------------------------------------
  const TABLE = {};
  for (const row of parseCsv(data.joints)) {
    const r = Object.fromEntries(Object.entries(row).map(([k, v]) => [k, (v || "").trim()]));
    TABLE[r.name] = {
      name: r.name, label: r.label, parent: r.parent, child: r.child,
      turn: r.turn ? Number.parseInt(r.turn, 10) : 0, childAbove: r.child_above === "yes",
      inPlane: Boolean(r.child),
    };
  }
  const JOINTS = Object.freeze(Object.keys(TABLE));
  const JOINT_INDEX = Object.fromEntries(JOINTS.map((j, i) => [j, i]));
  const UNIT = "deg";

  /** child -> [parent, joint, k, childAbove] for the in-plane joints. */
  const CHAIN = {};
  for (const j of Object.values(TABLE)) if (j.inPlane) CHAIN[j.child] = [j.parent, j.name, j.turn, j.childAbove];
  /** joint -> [parent segment, child segment]. */
  const JOINT_SEGMENTS = {};
  for (const [child, [parent, joint]] of Object.entries(CHAIN)) JOINT_SEGMENTS[joint] = [parent, child];
  const ORDER = [];
  {
    const placed = new Set([ROOT]);
    let pending = Object.keys(CHAIN);
    while (pending.length) {
      const ready = pending.filter((c) => placed.has(CHAIN[c][0]));
      if (!ready.length) throw new Error(`joint table: segments ${pending} are not linked to ${ROOT}`);
      for (const c of ready) { ORDER.push(c); placed.add(c); }
      pending = pending.filter((c) => !placed.has(c));
    }
  }

  /** mobility -> [min, max] (degrees) of every joint, in JOINTS order. */
  const RANGES = {};
  for (const mobility of MOBILITIES) {
    const factor = value(`mobility_${mobility}`);
    RANGES[mobility] = Object.freeze(JOINTS.map((joint) => {
      let lo = value(`range_${joint}_min`) * factor;
      let hi = value(`range_${joint}_max`) * factor;
      if (`limit_${joint}_min` in PARAMETERS) lo = Math.max(lo, value(`limit_${joint}_min`));
      if (`limit_${joint}_max` in PARAMETERS) hi = Math.min(hi, value(`limit_${joint}_max`));
      return Object.freeze([round6(lo), round6(hi)]);
    }));
  }

  function checkMobility(mobility) {
    if (typeof mobility !== "string" || !MOBILITIES.includes(mobility)) {
      throw new RangeError(`unknown mobility ${shown(mobility)}: choose one of ${MOBILITIES.join(", ")}`);
    }
    return mobility;
  }

  /**
   * Allowed [min, max] of a joint in degrees for a mobility class.
   * @param {string} joint
   * @param {string} [mobility="typical"]
   * @returns {[number, number]} degrees
   */
  function jointRange(joint, mobility = "typical") {
    checkJoint(joint);
    return RANGES[checkMobility(mobility)][JOINTS.indexOf(joint)];
  }

  function checkJoint(name) {
    if (typeof name !== "string") {
      throw new TypeError(`a joint name must be text, got ${shown(name)}: the joints are ${JOINTS.join(", ")} (angles in ${UNIT})`);
    }
    if (!JOINTS.includes(name)) {
      throw new RangeError(`unknown joint ${shown(name)}: the joints are ${JOINTS.join(", ")} (angles in ${UNIT})`);
    }
    return name;
  }

  /**
   * The posture's eight angles (degrees), checked as the library checks them: every joint against
   * the widest (hypermobile) range, as a neuralsim.Posture is made, then against ``mobility``'s,
   * as the model functions do for their body. Joints not named are 0 (the anatomical position).
   * Throws TypeError (not a number, an unknown joint name is a RangeError) or OutOfRangeError
   * naming the joint, the value, the allowed range and the unit; never clamps.
   * @param {Object<string, number>} p  joint -> degrees
   * @param {string} [mobility="typical"]
   * @returns {Object<string, number>} joint -> degrees, all eight, in joints.csv order (frozen)
   */
  function checkPosture(p, mobility = "typical") {
    const a = anglesOf(p, mobility);
    return Object.freeze(Object.fromEntries(JOINTS.map((j, i) => [j, a[i]])));
  }

  /** The checked angles of ``p`` (as checkPosture), degrees, in JOINTS order. */
  function anglesOf(p, mobility) {
    if (p === null || typeof p !== "object" || Array.isArray(p)) {
      throw new TypeError(`expected a mapping of joint -> angle in ${UNIT}; got ${shown(p)}`);
    }
    const keys = Object.keys(p);
    for (let i = 0; i < keys.length; i++) if (JOINT_INDEX[keys[i]] === undefined) checkJoint(keys[i]);
    const own = RANGES[checkMobility(mobility)], widest = RANGES.hypermobile;
    const angles = new Float64Array(JOINTS.length);
    for (let i = 0; i < JOINTS.length; i++) {
      const j = JOINTS[i];
      const a = keys.length === 0 || !(j in p) ? 0.0 : p[j];
      const range = widest[i];
      // the plain in-range number first (a slider's every move); anything else gets its message
      angles[i] = typeof a === "number" && a >= range[0] - 1e-9 && a <= range[1] + 1e-9 ? a
        : checkNumber(j, a, range[0], range[1], UNIT, "(hypermobile range)");
    }
    if (own !== widest) {
      for (let i = 0; i < JOINTS.length; i++) {
        const a = angles[i], range = own[i];
        if (!(a >= range[0] - 1e-9 && a <= range[1] + 1e-9)) {
          checkNumber(JOINTS[i], a, range[0], range[1], UNIT, `(${mobility} range)`);
        }
      }
    }
    return angles;
  }

  // -- the body ------------------------------------------------------------------------------
  const heightDefault = value("height_default");
  const HEIGHT_RANGE_M = Object.freeze([value("height_min"), value("height_max")]);
  const bodies = new Map();
  const made = new WeakSet();        // the bodies bodyOf made (and only those have their paths cached)

  /**
   * A person: a height and a mobility class; every length of the model scales with height.
   * @param {number} [height_m]  metres (height_min to height_max of parameters.csv)
   * @param {string} [mobility="typical"]  "hypomobile", "typical" or "hypermobile"
   * @returns {{height_m: number, mobility: string, scale: number, segment: function(string): number,
   *            offset: function(string): number}} segment and offset lengths in mm
   */
  function bodyOf(height_m = heightDefault, mobility = "typical") {
    const h = checkNumber("body height", height_m, HEIGHT_RANGE_M[0], HEIGHT_RANGE_M[1], "m");
    if (typeof mobility !== "string") {
      throw new TypeError(`mobility: ${shown(mobility)} is not text; choose one of ${MOBILITIES.join(", ")}`);
    }
    if (!MOBILITIES.includes(mobility)) {
      throw new RangeError(`mobility: ${shown(mobility)} is not one of ${MOBILITIES.join(", ")}`);
    }
    const key = `${h}|${mobility}`;
    let body = bodies.get(key);
    if (body === undefined) {
      const scale = h / heightDefault;
      body = Object.freeze({
        height_m: h, mobility, scale,
        /** Length of a body segment in mm. */
        segment(name) {
          if (!(name in SEGMENT_FRACTIONS)) {
            throw new RangeError(`unknown segment '${name}': choose one of ${Object.keys(SEGMENT_FRACTIONS).join(", ")}`);
          }
          return value(SEGMENT_FRACTIONS[name]) * h * 1000.0;
        },
        /** A path offset parameter (mm) scaled to this body's height. */
        offset(name) {
          const p = PARAMETERS[name];
          if (p.unit !== "mm") throw new RangeError(`parameter '${name}' is in ${p.unit}, not mm`);
          return p.value * scale;
        },
        paths: new Map(),
      });
      bodies.set(key, body);
      made.add(body);
    }
    return body;
  }

  function asBody(body) {
    if (body === undefined || body === null) return bodyOf();
    if (!made.has(body)) {
      throw new TypeError(`body must come from bodyOf(height_m, mobility), got ${shown(body)}`);
    }
    return body;
  }

  /** segment -> {joint: [x, y]}: joint centres in each segment's frame (mm). */
  function jointLocations(body) {
    const seg = (n) => body.segment(n);
    return {
      head_neck: { cervical_flexion: [0.0, 0.0] },
      thoracic: { thoracic_flexion: [0.0, 0.0], cervical_flexion: [0.0, seg("thoracic")] },
      lumbar: { lumbar_flexion: [0.0, 0.0], thoracic_flexion: [0.0, seg("lumbar")] },
      pelvis: { hip_flexion: [0.0, 0.0], lumbar_flexion: [-seg("pelvis_back"), seg("pelvis_up")] },
      thigh: { hip_flexion: [0.0, 0.0], knee_flexion: [0.0, -seg("thigh")] },
      shank: { knee_flexion: [0.0, 0.0], ankle_dorsiflexion: [0.0, -seg("shank")] },
      foot: { ankle_dorsiflexion: [0.0, 0.0] },
    };
  }

  /** A length written in the data file (a number or a sum of products of names), mm for ``body``. */
  function lengthExpression(text, body) {
    if (typeof text === "number") return text;
    if (typeof text !== "string" || !text.trim()) throw new Error(`a length must be a number or an expression, got ${shown(text)}`);
    const s = text.trim();
    let total = 0.0, pos = 0;
    while (pos < s.length) {
      TERM.lastIndex = pos;
      const m = TERM.exec(s);
      if (!m || !m[2].trim()) throw new Error(`cannot read the length ${shown(text)} at ${shown(s.slice(pos))}`);
      const sign = m[1] === "-" ? -1.0 : 1.0;
      let v = 1.0;
      for (const factor of m[2].split("*")) v *= lengthFactor(factor.trim(), body, text);
      total += sign * v;
      pos = TERM.lastIndex;
    }
    return total;
  }

  function lengthFactor(name, body, text) {
    if (name in SEGMENT_FRACTIONS) return body.segment(name);
    if (name in PARAMETERS) return PARAMETERS[name].unit === "mm" ? body.offset(name) : value(name);
    const v = Number(name);
    if (name === "" || !Number.isFinite(v)) {
      throw new Error(`length ${shown(text)}: ${shown(name)} is neither a segment nor a parameter of parameters.csv nor a number`);
    }
    return v;
  }

  // -- crossings: the wrap/fold law and the moment-arm curve -----------------------------------

  /** +1 if a positive clinical angle puts a posterior path on the outside of the bend. */
  function posteriorSign(joint) {
    const [, , k, above] = CHAIN[JOINT_SEGMENTS[joint][1]];
    return above ? -k : k;
  }

  /**
   * A crossing of ``joint`` at ``offset`` mm from its centre on ``side``; its law is the wrap/fold
   * law, or the moment-arm curve when ``curve`` gives {peakDeg, gain}.
   */
  function makeCrossing(joint, offset, sign, side, curve) {
    checkJoint(joint);
    if (!(Number.isFinite(offset) && offset > 0)) throw new Error(`${joint}: path offset ${offset} mm must be a positive number`);
    const inPlane = joint in JOINT_SEGMENTS;
    if (!(side in SIDES)) throw new Error(`${joint}: unknown side '${side}': choose one of ${Object.keys(SIDES).join(", ")}`);
    const normalX = SIDES[side];
    if ((normalX !== 0.0) !== inPlane) throw new Error(`${joint}: side '${side}' does not fit a joint ${inPlane ? "in" : "out of"} the drawing plane`);
    if (inPlane) {
      const derived = Math.trunc(posteriorSign(joint) * -normalX);
      if (sign !== 0 && sign !== derived) throw new Error(`${joint}: sign ${sign} contradicts the chain (a ${side} path gives ${derived})`);
      sign = derived;
    } else if (sign !== 1 && sign !== -1) {
      throw new Error(`${joint}: an out-of-plane crossing needs sign +1 or -1`);
    }
    const d = offset;
    const c = {
      joint, index: JOINT_INDEX[joint], offset: d, sign, normalX, inPlane, levelX: normalX * d,
      /** World unit normal towards this crossing's side of a segment turned by ``angleRad``. */
      normal: (angleRad) => [normalX * Math.cos(angleRad), normalX * Math.sin(angleRad)],
      /** Bend in the path's lengthening direction (rad). */
      phi: (deg) => radians(deg) * sign,
      /** How far the fold lies from the joint level along each run (mm); 0 when wrapping. */
      foldDepth(deg) {
        const phi = radians(deg) * sign;
        return phi >= 0 ? 0.0 : d * Math.tan(-0.5 * phi);
      },
    };
    const wrapDelta = (deg) => {
      const phi = radians(deg) * sign;
      return phi >= 0.0 ? d * phi : (2.0 * d) * Math.tan(0.5 * phi);
    };
    const wrapDrawn = (centre, n1, n2, turn, phi, arcStepDeg) => {
      if (phi >= 0) {
        const n = Math.max(2, Math.ceil(Math.abs(degrees(turn)) / arcStepDeg) + 1);
        const base = Math.atan2(n1[1], n1[0]);
        const step = 1.0 / (n - 1);
        const out = [];
        for (let i = 0; i < n; i++) {
          const t = base + turn * (i === n - 1 ? 1.0 : i * step);
          out.push([centre[0] + d * Math.cos(t), centre[1] + d * Math.sin(t)]);
        }
        return out;
      }
      const dot = 1.0 + (n1[0] * n2[0] + n1[1] * n2[1]);
      return [[centre[0] + d * (n1[0] + n2[0]) / dot, centre[1] + d * (n1[1] + n2[1]) / dot]];
    };
    if (!curve) {
      c.delta = wrapDelta;
      /** World points (mm) that replace the two joint-level points in the drawing. */
      c.drawn = (centre, n1, n2, turn, phi, before, after, arcStepDeg) => wrapDrawn(centre, n1, n2, turn, phi, arcStepDeg);
      return Object.freeze(c);
    }
    const { peakDeg, gain } = curve;
    if (!(Number.isFinite(peakDeg) && peakDeg > 0.0)) throw new Error(`${joint}: moment-arm curve peak_deg ${peakDeg} must be a positive angle (deg)`);
    if (!(Number.isFinite(gain) && gain >= 0.0 && gain < 1.0)) throw new Error(`${joint}: moment-arm curve gain ${gain} must be a fraction from 0 up to (not including) 1`);
    const k = Math.PI / (2.0 * radians(peakDeg));       // per radian
    c.delta = (deg) => {
      const u = Math.max(radians(deg), 0.0);
      const grown = sign * d * (u + (gain / k) * (1.0 - Math.cos(k * u)));
      return grown + wrapDelta(Math.min(deg, 0.0));
    };
    c.drawn = (centre, n1, n2, turn, phi, before, after, arcStepDeg) => {
      if (phi * sign < 0.0) return wrapDrawn(centre, n1, n2, turn, phi, arcStepDeg);   // extension
      // one vertex on the bisector, placed so that the two straight pieces to it have the
      // computed length (neuralsim.model.geometry.MomentArmCurve.drawn)
      const [cx, cy] = centre;
      const [n1x, n1y] = n1, [n2x, n2y] = n2;
      const ax = before[0] - cx, ay = before[1] - cy;
      const bx = after[0] - cx, by = after[1] - cy;
      const theta = phi * sign;
      const grow = d * (theta + (gain / k) * (1.0 - Math.cos(k * theta)));
      const T = Math.hypot(ax - d * n1x, ay - d * n1y) + Math.hypot(bx - d * n2x, by - d * n2y) + sign * grow;
      const chord = Math.hypot(bx - ax, by - ay);
      const tooShort = () => new Error(`${joint}: the straight runs beside the joint are too short to draw a bend of `
        + `${Math.abs(degrees(phi)).toFixed(0)} deg with this moment-arm curve`);
      if (T <= chord + 1e-9) {
        if (T < chord - 1e-6) throw tooShort();
        return [[cx + 0.5 * d * (n1x + n2x), cy + 0.5 * d * (n1y + n2y)]];
      }
      let wx = n1x + n2x, wy = n1y + n2y;
      const wn = Math.hypot(wx, wy);
      wx /= wn; wy /= wn;
      const al = ax * wx + ay * wy, be = bx * wx + by * wy;
      const aa = ax * ax + ay * ay, bb = bx * bx + by * by;
      const m = -2.0 * (al - be), c0 = aa - bb;
      const h = 0.5 * m / T;
      const A = 1.0 - h * h;
      const Bh = -al - 0.5 * h * (T + c0 / T);
      const C = aa - (0.5 * (T + c0 / T)) ** 2;
      const disc = Bh * Bh - A * C;
      if (disc < 0 || A <= 0) throw tooShort();
      const corner = d / Math.cos(0.5 * phi);
      const root = Math.sqrt(disc);
      const r1 = (-Bh + root) / A, r2 = (-Bh - root) / A;
      const s = Math.abs(r2 - corner) < Math.abs(r1 - corner) ? r2 : r1;
      return [[cx + s * wx, cy + s * wy]];
    };
    return Object.freeze(c);
  }

  // -- the registry's pathways ---------------------------------------------------------------
  const NERVES = Object.freeze(Object.keys(registryData.nerves || {}));
  const MUSCLES = Object.freeze(Object.keys(registryData.muscles || {}));
  /** Every structure of the registry: the nerves, then the muscles, in the data's order. */
  const STRUCTURES = Object.freeze([...NERVES, ...MUSCLES]);
  const SPECS = {};
  for (const n of NERVES) SPECS[n] = registryData.nerves[n];
  for (const m of MUSCLES) SPECS[m] = registryData.muscles[m];
  if (!NERVES.length) throw new Error("a registry needs at least one nerve");

  function checkStructure(name) {
    if (typeof name !== "string") throw new TypeError(`a structure name must be text, got ${shown(name)}: choose one of ${STRUCTURES.join(", ")}`);
    if (!(name in SPECS)) throw new RangeError(`unknown structure ${shown(name)}: choose one of ${STRUCTURES.join(", ")}`);
    return name;
  }

  function run(segment, points) {
    let length = 0.0;
    for (let i = 1; i < points.length; i++) length += Math.hypot(points[i][0] - points[i - 1][0], points[i][1] - points[i - 1][1]);
    return Object.freeze({ kind: "run", segment, points, length });
  }

  function foldNeed(c) {
    const [lo, hi] = jointRange(c.joint, "hypermobile");
    return c.foldDepth(c.sign > 0 ? lo : hi);
  }

  /** The run between the joint-level points of two crossings (neuralsim.model.registry._between). */
  function between(segment, top, cTop, bottom, cBottom, frac, where) {
    const [tx, ty] = top, [bx, by] = bottom;
    const gap = Math.abs(ty - by);
    const down = ty > by ? 1.0 : -1.0;
    let rTop = Math.max(frac * gap, foldNeed(cTop));
    const rBot = Math.max(frac * gap, foldNeed(cBottom));
    if (rTop + rBot > gap) {
      rTop = Math.max(foldNeed(cTop), gap - rBot);
      if (rTop + rBot > gap + 1e-9) {
        throw new Error(`${where}: the folds at ${cTop.joint} and ${cBottom.joint} need ${(rTop + rBot).toFixed(1)} mm `
          + `of straight run but the joints are ${gap.toFixed(1)} mm apart on ${segment}; use smaller offsets`);
      }
    }
    const x1 = tx + cTop.levelX, x2 = bx + cBottom.levelX;
    return run(segment, [[x1, ty], [x1, ty - down * rTop], [x2, by + down * rBot], [x2, by]]);
  }

  function sharedSegment(a, b, where) {
    const common = JOINT_SEGMENTS[a].filter((s) => JOINT_SEGMENTS[b].includes(s));
    if (common.length !== 1) throw new Error(`${where}: joints ${a} and ${b} do not share a segment; list the crossings in path order`);
    return common[0];
  }

  /** The pathway of ``name`` for ``body``: {name, pieces, crossings, runLength (mm)}, built once. */
  function pathway(name, body) {
    let path = body.paths.get(name);
    if (path !== undefined) return path;
    const spec = SPECS[name];
    const kind = NERVES.includes(name) ? "nerve" : "muscle";
    const where = `${kind} '${name}'`;
    const loc = jointLocations(body);
    const frac = value("run_fraction");
    const length = (text) => lengthExpression(text, body);
    const pieces = spec.path;
    const crossings = [];
    for (const p of pieces.slice(1, -1)) {
      const joint = p.cross;
      if (!(joint in TABLE)) throw new Error(`${where}: unknown joint '${joint}'`);
      const side = p.side ?? (TABLE[joint].inPlane ? "posterior" : "out_of_plane");
      const law = p.law ?? "wrap_fold";
      if (!(law in LAWS)) throw new Error(`${where}: ${joint}: unknown law '${law}'; choose one of ${Object.keys(LAWS).join(", ")}`);
      let curve = null;
      if (LAWS[law].length) {
        curve = {};
        for (const [key, arg] of LAWS[law]) {
          if (!(key in p)) throw new Error(`${where}: crossing ${joint} needs '${key}'`);
          curve[arg] = length(p[key]);
        }
      }
      crossings.push(makeCrossing(joint, length(p.offset), Math.trunc(Number(p.sign ?? 0)), side, curve));
    }
    const inplane = crossings.filter((c) => c.inPlane);
    const outplane = crossings.filter((c) => !c.inPlane);
    const first = inplane[0], last = inplane[inplane.length - 1];
    const start = pieces[0], end = pieces[pieces.length - 1];
    const level = (segment, c) => {
      const at = loc[segment]?.[c.joint];
      if (!at) throw new Error(`${where}: ${c.joint} is not a joint of segment ${segment}`);
      return [at[0] + c.levelX, at[1]];
    };
    const [x0, y0] = level(start.start, first);
    const out = [run(start.start, [[x0, y0 + length(start.along)], [x0, y0]])];
    for (let i = 0; i + 1 < inplane.length; i++) {
      const a = inplane[i], b = inplane[i + 1];
      const seg = sharedSegment(a.joint, b.joint, where);
      out.push(a, between(seg, loc[seg][a.joint], a, loc[seg][b.joint], b, frac, where));
    }
    const [x1, y1] = level(end.end, last);
    const tail = [[x1, y1], [x1, y1 + length(end.along)]];
    for (const [x, y] of end.then ?? []) tail.push([length(x), length(y)]);
    out.push(last, run(end.end, tail));
    out.push(...outplane);
    let runLength = 0.0;
    for (const piece of out) if (piece.kind === "run") runLength += piece.length;
    path = Object.freeze({ name, pieces: Object.freeze(out), crossings: Object.freeze(out.filter((q) => q.kind !== "run")),
      runLength, locations: loc });
    body.paths.set(name, path);
    return path;
  }

  // -- lengths and contributions -------------------------------------------------------------
  const ZERO = new Float64Array(JOINTS.length);      // the anatomical position, the default reference

  /**
   * The length of every structure of the registry (nerve beds and muscles), mm.
   * @param {Object<string, number>} p  joint -> degrees (joints not named: 0)
   * @param {Object} [body]  from {@link bodyOf} (default: the default height, typical mobility)
   * @returns {Object<string, number>} structure -> mm
   */
  function lengths(p, body) {
    const b = asBody(body);
    const angles = anglesOf(p, b.mobility);
    const out = {};
    for (const name of STRUCTURES) {
      const path = pathway(name, b);
      let total = path.runLength;
      for (const c of path.crossings) total += c.delta(angles[c.index]);
      out[name] = total;
    }
    return out;
  }

  /**
   * The change of the length of ``structure`` at each joint from ``reference`` (default the
   * anatomical position) to ``p``, mm; every joint is named (0 where the structure does not cross
   * it), and the values sum to the change of length. Positive: that joint lengthened it.
   * @param {Object<string, number>} p  joint -> degrees
   * @param {Object} body  from {@link bodyOf}
   * @param {string} structure  a nerve or a muscle of the registry
   * @param {Object<string, number>} [reference]  joint -> degrees (default: every angle 0)
   * @returns {Object<string, number>} joint -> mm
   */
  function contributions(p, body, structure, reference = undefined) {
    const b = asBody(body);
    const path = pathway(checkStructure(structure), b);
    const now = anglesOf(p, b.mobility);
    const was = reference === undefined ? ZERO : anglesOf(reference, b.mobility);
    const dNow = {}, dWas = {};
    for (const c of path.crossings) { dNow[c.joint] = c.delta(now[c.index]); dWas[c.joint] = c.delta(was[c.index]); }
    const out = {};
    for (const j of JOINTS) out[j] = j in dNow ? dNow[j] - dWas[j] : 0.0;
    return out;
  }

  // -- drawing ---------------------------------------------------------------------------------

  /**
   * World frame of every segment for one posture (neuralsim.model.lengths.body_frames).
   * @param {Object<string, number>} p  joint -> degrees
   * @param {Object} body  from {@link bodyOf}
   * @param {string} [view="standing"]  one of {@link VIEWS}
   * @returns {{frames: Object<string, {origin: [number, number], angle: number}>, angles: Object<string, number>}}
   *   origin in world mm (hip centre at 0, 0), angle in radians counter-clockwise
   */
  function bodyFrames(p, body, view = "standing") {
    const { frames, angles } = framesOf(p, asBody(body), view);
    return { frames, angles };
  }

  function framesOf(p, b, view) {
    const values = anglesOf(p, b.mobility);
    return { frames: kinematics(values, jointLocations(b), view),
      angles: Object.freeze(Object.fromEntries(JOINTS.map((j, i) => [j, values[i]]))), values };
  }

  function kinematics(angles, locations, view) {
    if (typeof view !== "string" || !(view in VIEW_HOLDS)) {
      throw new RangeError(`unknown view ${shown(view)}: choose one of ${VIEWS.join(", ")}`);
    }
    const [held, heldDeg] = VIEW_HOLDS[view];
    let rel = 0.0;
    for (let seg = held; seg !== ROOT;) {
      const [parent, joint, k] = CHAIN[seg];
      rel += k * radians(angles[JOINT_INDEX[joint]]);
      seg = parent;
    }
    const frames = { [ROOT]: { origin: [0.0, 0.0], angle: radians(heldDeg) - rel } };
    for (const child of ORDER) {
      const [parent, joint, k] = CHAIN[child];
      const { origin: [ox, oy], angle } = frames[parent];
      const [jx, jy] = locations[parent][joint];
      const c = Math.cos(angle), s = Math.sin(angle);
      frames[child] = { origin: [ox + (c * jx - s * jy), oy + (s * jx + c * jy)],
        angle: angle + k * radians(angles[JOINT_INDEX[joint]]) };
    }
    return frames;
  }

  /** World polyline (mm) of a pathway's in-plane path (neuralsim.model.geometry.Pathway.points). */
  function points(path, frames, angles, arcStepDeg = 3.0) {
    const pieces = path.pieces;
    const worlds = pieces.map((piece) => {
      if (piece.kind !== "run") return null;
      const { origin: [ox, oy], angle } = frames[piece.segment];
      const c = Math.cos(angle), s = Math.sin(angle);
      return piece.points.map(([x, y]) => [x * c - y * s + ox, x * s + y * c + oy]);
    });
    const out = [];
    let skipFirst = false;
    for (let i = 0; i < pieces.length; i++) {
      const piece = pieces[i];
      if (piece.kind === "run") {
        const world = worlds[i];
        for (let j = skipFirst ? 1 : 0; j < world.length; j++) out.push(world[j]);
        skipFirst = false;
      } else if (piece.inPlane) {
        const prev = pieces[i - 1], next = pieces[i + 1];
        const [jx, jy] = path.locations[next.segment][piece.joint];
        const { origin: [o2x, o2y], angle: a2 } = frames[next.segment];
        const c2 = Math.cos(a2), s2 = Math.sin(a2);
        const centre = [o2x + (c2 * jx - s2 * jy), o2y + (s2 * jx + c2 * jy)];
        const a1 = frames[prev.segment].angle;
        const turn = Math.atan2(Math.sin(a2 - a1), Math.cos(a2 - a1));
        const phi = piece.phi(angles[piece.index]);
        const before = worlds[i - 1][worlds[i - 1].length - 2], after = worlds[i + 1][1];
        const drawn = piece.drawn(centre, piece.normal(a1), piece.normal(a2), turn, phi, before, after, arcStepDeg);
        out.pop();                       // the run's end is replaced by the crossing's points
        out.push(...drawn);
        skipFirst = true;                // and the next run's start too
      }
    }
    return out;
  }

  /**
   * Everything needed to draw one posture, in world mm (x forwards, y up), as
   * neuralsim.model.lengths.drawing gives it.
   * @param {Object<string, number>} p  joint -> degrees
   * @param {Object} body  from {@link bodyOf}
   * @param {string} [view="standing"]  one of {@link VIEWS}
   * @returns {{joints: Object<string, [number, number]>, skeleton: Array<Array<[number, number]>>,
   *   head: {centre: [number, number], radius: number}, nerves: Object<string, Array<[number, number]>>,
   *   nerve: Array<[number, number]>, muscles: Object<string, Array<[number, number]>>,
   *   frames: Object<string, {origin: [number, number], angle: number}>, angles: Object<string, number>,
   *   nerve_drawn_length_mm: number}}  points [x, y] in mm; the spine and the leg polylines;
   *   the head's centre and radius (mm); frame angles in radians; angles in degrees
   */
  function drawing(p, body, view = "standing") {
    const b = asBody(body);
    const { frames, angles, values } = framesOf(p, b, view);
    const world = (segment, [x, y]) => {
      const { origin: [ox, oy], angle } = frames[segment];
      const c = Math.cos(angle), s = Math.sin(angle);
      return [ox + (c * x - s * y), oy + (s * x + c * y)];
    };
    const seg = (n) => b.segment(n);
    const heel = value("foot_heel_fraction");
    const joints = {
      c1: world("head_neck", [0.0, seg("cervical")]),
      c7_t1: world("head_neck", [0.0, 0.0]),
      t12_l1: world("thoracic", [0.0, 0.0]),
      l5_s1: world("lumbar", [0.0, 0.0]),
      hip: world("pelvis", [0.0, 0.0]),
      knee: world("shank", [0.0, 0.0]),
      ankle: world("foot", [0.0, 0.0]),
      heel: world("foot", [-heel * seg("foot"), -seg("ankle_height")]),
      toe: world("foot", [(1.0 - heel) * seg("foot"), -seg("ankle_height")]),
    };
    // drawing only: a round head, slightly in front of the neck's axis, its lowest point on C1
    const headR = 0.5 * seg("head") * proportions.head_roundness;
    const fwd = proportions.head_forward * seg("head");
    const headC = world("head_neck", [fwd, seg("cervical") + Math.sqrt(headR ** 2 - fwd ** 2)]);
    const spine = ["c1", "c7_t1", "t12_l1", "l5_s1", "hip"].map((k) => joints[k]);
    const leg = ["hip", "knee", "ankle", "heel", "toe", "ankle"].map((k) => joints[k]);
    const nerves = {}, muscles = {};
    for (const n of NERVES) nerves[n] = points(pathway(n, b), frames, values);
    for (const m of MUSCLES) muscles[m] = points(pathway(m, b), frames, values);
    const nerve = nerves[NERVES[0]];
    let drawnLength = 0.0;
    for (let i = 1; i < nerve.length; i++) drawnLength += Math.hypot(nerve[i][0] - nerve[i - 1][0], nerve[i][1] - nerve[i - 1][1]);
    return {
      joints, skeleton: [spine, leg], head: { centre: headC, radius: headR },
      nerve, nerves, muscles, frames, angles, nerve_drawn_length_mm: drawnLength,
    };
  }

  return Object.freeze({
    JOINTS, UNIT, VIEWS, MOBILITIES, SEGMENTS, NERVES, MUSCLES, STRUCTURES, HEIGHT_RANGE_M,
    DEFAULT_NERVE: NERVES[0],
    parameter: value, jointRange, checkPosture, bodyOf, lengths, contributions, bodyFrames, drawing,
    jointLocations: (body) => jointLocations(asBody(body)),
    OutOfRangeError,
  });
}
