"""The model in the page (neuralsim/web/model.js, run by Node) beside the library, in the same run.

Timed, each the best of several repeats:
  * the length of every structure of the registry for 10**4 random postures (one body, 1.75 m,
    typical): the library's vectorised call (``structure_length`` on the (10**4, 8) array, once per
    structure) against Node calling ``lengths(p, body)`` once per posture (every structure);
  * one posture, as the explorer needs on a key press: the library's ``structure_length`` of every
    structure and ``drawing`` against the page's ``lengths`` and ``drawing``.

A record, not a target (issue 26 states its target as key press to painted frame, which
``bench_latency.py`` will measure for the exported page): the script prints the figures and the
ratios and exits 0. Needs ``node`` on the PATH.

Run: ``.venv/bin/python benchmarks/bench_web_model.py``.
"""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
import timeit
from pathlib import Path

import numpy as np

import neuralsim as ns
from neuralsim.core.data import DATA_DIR
from neuralsim.model.lengths import DRAWING_PROPORTIONS, drawing, structure_length
from neuralsim.model.registry import current

N = 10**4
REPEATS = 7
MODEL_JS = Path(__file__).resolve().parents[1] / "neuralsim" / "web" / "model.js"

NODE_TIMER = r"""
import { readFileSync } from "node:fs";
const [modelUrl, dataDir, postures, proportions, n, repeats] = JSON.parse(process.argv[1]);
const { createModel } = await import(modelUrl);
const read = (name) => readFileSync(`${dataDir}/${name}`, "utf-8");
const model = createModel({ structures: read("structures.json"), joints: read("joints.csv"),
                            parameters: read("parameters.csv"), drawing: proportions });
const body = model.bodyOf(1.75, "typical");
const rows = new Float64Array(new Uint8Array(readFileSync(postures)).buffer);
const ps = [];
for (let r = 0; r < n; r++) ps.push(Object.fromEntries(model.JOINTS.map((j, k) => [j, rows[r * 8 + k]])));
const best = (fn) => { let b = Infinity; for (let i = 0; i < repeats; i++) { const t = performance.now(); fn(); b = Math.min(b, performance.now() - t); } return b / 1000; };
let sink = 0;
best(() => { for (const p of ps) sink += model.lengths(p, body).sciatic; });     // warm-up (JIT)
const all = best(() => { for (const p of ps) sink += model.lengths(p, body).sciatic; });
const k = 1000;
const one = best(() => { for (let i = 0; i < k; i++) sink += model.lengths(ps[i], body).sciatic; }) / k;
const draw = best(() => { for (let i = 0; i < k; i++) sink += model.drawing(ps[i], body, "sitting").nerve.length; }) / k;
console.log(JSON.stringify({ all, one, draw, sink }));
"""


def best(fn, repeats: int = REPEATS) -> float:
    return min(timeit.repeat(fn, number=1, repeat=repeats))


def main() -> int:
    node = shutil.which("node")
    if node is None:
        print("node is not on the PATH: nothing to compare")
        return 1
    rng = np.random.default_rng(0)
    lo = np.array([ns.joint_range(j)[0] for j in ns.JOINTS])
    hi = np.array([ns.joint_range(j)[1] for j in ns.JOINTS])
    angles = rng.uniform(lo, hi, size=(N, len(ns.JOINTS)))
    body = ns.Body(1.75, "typical")
    names = list(current())
    postures = ns.Posture.from_array(angles)
    py_all = best(lambda: [structure_length(postures, s, body=body) for s in names])
    singles = [ns.Posture.from_array(a) for a in angles[:200]]
    py_one = best(lambda: [[structure_length(p, s, body=body) for s in names] for p in singles]) / len(singles)
    py_draw = best(lambda: [drawing(p, body, "sitting") for p in singles]) / len(singles)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "postures.f64"
        angles.astype("<f8").tofile(path)
        args = json.dumps([MODEL_JS.as_uri(), str(DATA_DIR), str(path), dict(DRAWING_PROPORTIONS), N, REPEATS])
        done = subprocess.run([node, "--input-type=module", "-e", NODE_TIMER, args], capture_output=True,
                              text=True, check=True, timeout=600)
    js = json.loads(done.stdout)
    version = subprocess.run([node, "--version"], capture_output=True, text=True).stdout.strip()
    print(f"Node {version}; {len(names)} structures; best of {REPEATS}")
    print(f"10^4 postures, every length: library (vectorised) {py_all * 1e3:.2f} ms, page {js['all'] * 1e3:.2f} ms"
          f" -> page / library = {js['all'] / py_all:.2f}x")
    print(f"one posture, every length: library {py_one * 1e6:.0f} us, page {js['one'] * 1e6:.1f} us"
          f" -> library / page = {py_one / js['one']:.0f}x")
    print(f"one drawing (sitting): library {py_draw * 1e3:.2f} ms, page {js['draw'] * 1e3:.3f} ms"
          f" -> library / page = {py_draw / js['draw']:.0f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
