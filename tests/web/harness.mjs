// Runs neuralsim/web/model.js on the cases tests/test_web_model.py writes, and writes back what it
// computed, for the test to compare with the library (the comparison is the test's, not this file's).
//
//   node tests/web/harness.mjs CASES.json [MODEL.js]
//
// CASES.json names the data folder, the drawing proportions, the bodies ([height m, mobility]), a
// binary file of postures (float64, rows of the eight angles in joints.csv order, degrees) with the
// body of each row (int32), the drawings to make (int32 pairs: row, view index), the refusals to
// try, and the folder to write to. Written there: lengths.f64 (row x structure, mm),
// contributions.f64 (row x structure x joint, mm), drawing.f64 (the drawings' points, mm, in the
// order below), drawing_counts.i32 (points per polyline), drawing_scalars.f64 (per drawing: head
// radius mm, the seven frame angles rad in SEGMENTS order, the default nerve's drawn length mm) and
// result.json (the tables, the refusals' errors, the time taken).
import { readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";

const [casesPath, modelPath] = process.argv.slice(2);
const cases = JSON.parse(readFileSync(casesPath, "utf-8"));
const here = new URL(".", import.meta.url);
const modelUrl = modelPath ? pathToFileURL(resolve(modelPath)).href : new URL("../../neuralsim/web/model.js", here).href;
const { createModel } = await import(modelUrl);

const read = (name) => readFileSync(join(cases.data_dir, name), "utf-8");
const model = createModel({
  structures: read("structures.json"), joints: read("joints.csv"), parameters: read("parameters.csv"),
  drawing: cases.drawing,
});
const f64 = (path) => new Float64Array(new Uint8Array(readFileSync(path)).buffer);
const i32 = (path) => new Int32Array(new Uint8Array(readFileSync(path)).buffer);
const write = (name, typed) => writeFileSync(join(cases.out, name), new Uint8Array(typed.buffer, typed.byteOffset, typed.byteLength));

const { JOINTS, STRUCTURES, NERVES, MUSCLES, SEGMENTS, VIEWS } = model;
const nj = JOINTS.length, ns = STRUCTURES.length;
const angles = f64(cases.postures);
const rowBody = i32(cases.rows_body);
const n = rowBody.length;
const bodies = cases.bodies.map(([h, m]) => model.bodyOf(h, m));
const posture = (row) => {
  const p = {};
  for (let j = 0; j < nj; j++) p[JOINTS[j]] = angles[row * nj + j];
  return p;
};

const started = performance.now();
const lengths = new Float64Array(n * ns);
const contributions = new Float64Array(n * ns * nj);
for (let r = 0; r < n; r++) {
  const p = posture(r), body = bodies[rowBody[r]];
  const ls = model.lengths(p, body);
  for (let s = 0; s < ns; s++) {
    lengths[r * ns + s] = ls[STRUCTURES[s]];
    const c = model.contributions(p, body, STRUCTURES[s]);
    for (let j = 0; j < nj; j++) contributions[(r * ns + s) * nj + j] = c[JOINTS[j]];
  }
}
const lengthsMs = performance.now() - started;

const drawings = i32(cases.drawings);
const points = [], counts = [], scalars = [];
const polyline = (pts) => { counts.push(pts.length); for (const [x, y] of pts) points.push(x, y); };
for (let k = 0; k < drawings.length; k += 2) {
  const row = drawings[k], view = VIEWS[drawings[k + 1]];
  const d = model.drawing(posture(row), bodies[rowBody[row]], view);
  polyline(Object.values(d.joints));
  d.skeleton.forEach(polyline);
  polyline([d.head.centre]);
  polyline(SEGMENTS.map((s) => d.frames[s].origin));
  NERVES.forEach((name) => polyline(d.nerves[name]));
  MUSCLES.forEach((name) => polyline(d.muscles[name]));
  scalars.push(d.head.radius, ...SEGMENTS.map((s) => d.frames[s].angle), d.nerve_drawn_length_mm);
}

const errors = cases.refusals.map((c) => {
  try {
    const body = model.bodyOf(c.height, c.mobility);
    if (c.call === "lengths") model.lengths(c.posture, body);
    else if (c.call === "contributions") model.contributions(c.posture, body, c.structure);
    else if (c.call === "drawing") model.drawing(c.posture, body, c.view);
    else if (c.call === "check") model.checkPosture(c.posture, c.mobility);
    else throw new Error(`harness: unknown call ${c.call}`);
    return null;
  } catch (e) {
    const kind = e instanceof TypeError ? "type" : e instanceof RangeError ? "value" : "other";
    const out = { kind, message: e.message };
    if (e instanceof model.OutOfRangeError) Object.assign(out, { quantity: e.quantity, value: e.value, range: e.range, unit: e.unit });
    return out;
  }
});

write("lengths.f64", lengths);
write("contributions.f64", contributions);
write("drawing.f64", Float64Array.from(points));
write("drawing_counts.i32", Int32Array.from(counts));
write("drawing_scalars.f64", Float64Array.from(scalars));
writeFileSync(join(cases.out, "result.json"), JSON.stringify({
  joints: JOINTS, structures: STRUCTURES, nerves: NERVES, muscles: MUSCLES, segments: SEGMENTS, views: VIEWS,
  ranges: Object.fromEntries(model.MOBILITIES.map((m) => [m, JOINTS.map((j) => model.jointRange(j, m))])),
  segment_mm: bodies.map((b) => Object.fromEntries(["head", "cervical", "thoracic", "lumbar", "pelvis_up", "pelvis_back",
    "thigh", "shank", "foot", "ankle_height"].map((s) => [s, b.segment(s)]))),
  errors, rows: n, lengths_ms: lengthsMs,
}));
