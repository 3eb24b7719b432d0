// Runs neuralsim/web/draw.js (on neuralsim/web/model.js) on the cases tests/test_web_draw.py
// writes, and writes back the SVG text it draws, for the test to compare with the library's.
//
//   node tests/web/draw_harness.mjs CASES.json OUT.json
//
// CASES.json: {"page": an exported page's data (neuralsim.classroom.export.page_data), "cases":
// [{angles, height, mobility, view, nerve, structures, height_px, gauges: rows, bars: bool}]}.
// OUT.json: per case {figure, gauges, gauges_large, bars} (SVG text) and the time taken.
import { readFileSync, writeFileSync } from "node:fs";

const [casesPath, outPath] = process.argv.slice(2);
const here = new URL(".", import.meta.url);
const { createModel } = await import(new URL("../../neuralsim/web/model.js", here).href);
const { createDrawing } = await import(new URL("../../neuralsim/web/draw.js", here).href);
const { page, cases } = JSON.parse(readFileSync(casesPath, "utf-8"));
const model = createModel(page.files);
const draw = createDrawing(model, page.draw);
const started = performance.now();
const out = cases.map((c) => {
  const body = model.bodyOf(c.height, c.mobility);
  const lengths = model.lengths(c.angles, body);
  const ref = model.lengths({}, body);
  const nerve = c.nerve;
  const gauged = page.draw.groups[page.draw.nerves[nerve].contrast];
  const muscles_mm = Object.fromEntries(gauged.map((m) => [m, lengths[m]]));
  const numbers = { bed_mm: lengths[nerve], relative_bed: lengths[nerve] / ref[nerve], muscles_mm };
  const d = draw.keep(model.drawing(c.angles, body, c.view), c.structures);
  const figure = draw.postureSvg(c.angles, body, c.view, d, { heightPx: c.height_px, numbers, nerve });
  const rows = gauged.map((m) => ({ name: draw.muscleInfo(m)[1], kind: m, mm: lengths[m], ref_mm: ref[m], step_mm: c.step_mm, start_mm: c.start_mm }));
  rows.unshift({ name: "nerve bed", kind: "nerve", mm: lengths[nerve], ref_mm: ref[nerve], step_mm: c.step_mm, start_mm: c.start_mm });
  const gauges = draw.gaugesSvg(rows, { startLabel: c.start_label, widthPx: 470, title: c.gauge_title });
  const gaugesLarge = draw.gaugesSvg(rows, { startLabel: c.start_label, title: c.gauge_title, large: true });
  const bars = draw.contributionsSvg(model.contributions(c.angles, body, nerve), { widthPx: 470, title: c.bars_title });
  const text = draw.changeText(c.what, c.bed_before, lengths[nerve], c.ham_before,
    gauged.reduce((a, m) => a + lengths[m], 0) / gauged.length, lengths[nerve] / ref[nerve], c.group_words);
  return { figure, gauges, gauges_large: gaugesLarge, bars, text, view: draw.chooseView(c.angles, c.view) };
});
writeFileSync(outPath, JSON.stringify({ out, ms: performance.now() - started }));
