"""The explorer's update in-process: one slider move, against recomputing everything, same process.

Run: ``.venv/bin/python benchmarks/bench_update.py [--kernel] [--json out.json]``

What is timed (best of 7 repeats of a sweep, per update, ms):

* **update**: :class:`neuralsim.classroom.widgets.Explorer`'s slider handler for one knee
  move (``slider.value = v``): the posture's numbers, the figure, the gauges and
  the text line, as the browser benchmark's ``python`` column measures it in
  the kernel.  The knee sweeps 130 -> 0 deg one degree at a time (every posture
  new) in the slump explorer's sitting posture, strain halo on.
* **from scratch** (the baseline): the same postures through the library with
  nothing kept between them (what the library keeps from one posture to the
  next is dropped before each) and nothing left out: ``neuralsim.compute`` of
  every structure of the registry with the drawing, the nerve mechanics,
  :func:`neuralsim.view.svg.posture_svg` and :func:`neuralsim.view.svg.gauges_svg`.
* the parts of an update (compute of the explorer's structures, mechanics,
  figure, gauges), for reading.

``--kernel`` also times the update in a real ipykernel (started with
jupyter_client, no browser), where every widget change is serialised, signed
and sent as a comm message: the in-kernel cost on an idle machine, beside the
cost of setting a one-word ``ipywidgets.HTML`` there (the floor); and 40 updates 150 ms apart,
as the browser benchmark presses the key, when the caches have gone cold (CPU and wall time).

Target (exit status 1 if missed): update <= 0.7 x from scratch, in the same run.
Timings are the best of several repeats, the figure least disturbed by other
work on a shared machine; ``--clock cpu`` times them by this process's CPU time instead of the
wall clock (other work on the machine then counts only through the caches it shares).
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
import timeit
from pathlib import Path

import neuralsim as ns
from neuralsim.view import svg
from neuralsim.model.protocols import SITTING
from neuralsim.classroom.widgets import Explorer

TARGET_RATIO = 0.7
REPEATS = 7
KNEE = [float(v) for v in range(130, -1, -1)]


#: the clock the repeats are timed with: wall (time.perf_counter) or this process's CPU time
#: (time.process_time: what other work on a shared machine changes least)
CLOCKS = {"wall": time.perf_counter, "cpu": time.process_time}
_clock = CLOCKS["wall"]


def _per_update(fn, n: int) -> float:
    return 1e3 * min(timeit.repeat(fn, number=1, repeat=REPEATS, timer=_clock)) / n


def explorer_update_ms() -> tuple[float, Explorer]:
    ex = Explorer("slump", posture=SITTING)
    knee = ex.sliders["knee_flexion"]

    def sweep():
        for v in KNEE:
            knee.value = v
        knee.value = 131.0       # then back to the start (not timed: one more update in every repeat)

    sweep()                      # warm: pathways, models, silhouettes
    return _per_update(sweep, len(KNEE) + 1), ex


def forget() -> None:
    """Drop what the library keeps between updates (reference lengths, drawn pieces, outlines)."""
    from neuralsim import mechanics
    from neuralsim.state import states as state
    from neuralsim.model import registry

    state._REF_CACHE.clear()
    svg._OUTLINES.clear()
    svg._HEADS.clear()
    reg = registry.current()
    for name in reg:
        reg.pathway(name, ns.DEFAULT_BODY).__dict__.pop("_drawn_pieces", None)
    mechanics.nerve_model(ns.DEFAULT_BODY).__dict__.pop("_ref_deltas", None)


def from_scratch_ms(body=None, view="sitting") -> float:
    postures = [SITTING.replace(knee_flexion=v) for v in KNEE]

    def sweep():
        for p in postures:
            forget()
            st = ns.compute(p, body=body, view=view)
            mech = st.mechanics("sciatic")
            svg.posture_svg(p, body, view, strain=mech, data=st.drawing, height_px=470, legend=False,
                            numbers={"bed_mm": st.lengths_mm["sciatic"], "relative_bed": st.relative("sciatic"),
                                     "muscles_mm": {m: st.lengths_mm[m] for m in st.groups["hamstrings"]}})
            rows = [{"name": "nerve bed", "kind": "nerve", "mm": st.lengths_mm["sciatic"],
                     "ref_mm": st.reference_mm["sciatic"], "step_mm": 0.0, "start_mm": 0.0}]
            rows += [{"name": m, "kind": m, "mm": st.lengths_mm[m], "ref_mm": st.reference_mm[m],
                      "step_mm": 0.0, "start_mm": 0.0} for m in st.groups["hamstrings"]]
            svg.gauges_svg(rows)

    sweep()
    return _per_update(sweep, len(postures))


def parts_ms(ex: Explorer) -> dict:
    """The parts of one update (ms, best of repeats, over the same sweep)."""
    b, view, names = ex.body, "sitting", ex._structures
    postures = [SITTING.replace(knee_flexion=v) for v in KNEE]
    states = [ns.compute(p, body=b, view=view, structures=names) for p in postures]
    mechs = [s.mechanics("sciatic") for s in states]
    for m in mechs:                                  # solved outside the figure's timing
        m.in_situ_strain_profile_pct, m.peak_nerve_in_situ_strain_pct

    def compute_all():
        for p in postures:
            ns.compute(p, body=b, view=view, structures=names)

    def mechanics_all():
        for p in postures:
            m = ns.nerve_mechanics(p, body=b)
            m.in_situ_strain_profile_pct, m.peak_nerve_in_situ_strain_pct          # what the update reads of it

    def figures():
        for p, s, m in zip(postures, states, mechs):
            svg.posture_svg(p, b, view, strain=m, data=s.drawing, height_px=470, legend=False, nerve="sciatic",
                            numbers={"bed_mm": s.lengths_mm["sciatic"], "relative_bed": s.relative("sciatic"),
                                     "muscles_mm": {m_: s.lengths_mm[m_] for m_ in ex.gauged}})

    n = len(postures)
    return {"compute": _per_update(compute_all, n), "mechanics": _per_update(mechanics_all, n),
            "figure": _per_update(figures, n)}


_KERNEL_CODE = r'''
import json, time, statistics, timeit
import ipywidgets as W
from neuralsim.model.protocols import SITTING
from neuralsim.classroom.widgets import Explorer
ex = Explorer("slump", posture=SITTING)
knee = ex.sliders["knee_flexion"]
vals = [float(v) for v in range(130, -1, -1)] + [float(v) for v in range(0, 131)]
for v in vals[:40]:
    knee.value = v
def med(fn, n):
    ts = []
    for i in range(n):
        t = time.perf_counter(); fn(i); ts.append(1e3 * (time.perf_counter() - t))
    return statistics.median(ts), sorted(ts)[int(0.9 * n)]
upd = med(lambda i: setattr(knee, "value", vals[i % len(vals)]), 3 * len(vals))
# presses 150 ms apart, as the browser benchmark makes them: the update runs with cold caches
cold_cpu, cold_wall = [], []
for i in range(40):
    time.sleep(0.15)
    t, w = time.process_time(), time.perf_counter()
    knee.value = vals[i]
    cold_cpu.append(1e3 * (time.process_time() - t)); cold_wall.append(1e3 * (time.perf_counter() - w))
def sweep():
    for v in vals[:131]:
        knee.value = v
    knee.value = 131.0
best = min(timeit.repeat(sweep, number=1, repeat=7)) * 1e3 / 132     # as the in-process figure
h = W.HTML("0")
floor = med(lambda i: setattr(h, "value", str(i)), 400)
print(json.dumps({"update_median_ms": upd[0], "update_p90_ms": upd[1], "update_best_ms": best,
                  "floor_median_ms": floor[0], "paused_cpu_median_ms": statistics.median(cold_cpu),
                  "paused_wall_median_ms": statistics.median(cold_wall)}))
'''


def kernel_ms() -> dict:
    """The update in a real ipykernel (comm messages serialised, signed and sent); medians, ms."""
    from jupyter_client.manager import start_new_kernel

    km, kc = start_new_kernel(kernel_name="python3")
    try:
        out = []
        kc.execute_interactive(_KERNEL_CODE, timeout=600, output_hook=lambda m: out.append(
            m["content"].get("text", "") if m["msg_type"] == "stream" else ""))
        return json.loads("".join(out).strip().splitlines()[-1])
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--kernel", action="store_true", help="also time the update inside a real ipykernel")
    ap.add_argument("--json", type=Path, default=None)
    ap.add_argument("--clock", choices=sorted(CLOCKS), default="wall",
                    help="time the repeats by the wall clock (default) or by this process's CPU time")
    args = ap.parse_args(argv)
    global _clock
    _clock = CLOCKS[args.clock]
    upd, ex = explorer_update_ms()
    base = from_scratch_ms()
    parts = parts_ms(ex)
    ratio = upd / base
    report = {"clock": args.clock, "update_ms": upd, "from_scratch_ms": base, "ratio": ratio, "parts_ms": parts,
              "load_average": os.getloadavg(), "time_utc": time.strftime("%Y-%m-%d %H:%M", time.gmtime())}
    print(f"explorer update      {upd:.3f} ms per slider move (best of {REPEATS} sweeps of {len(KNEE) + 1}, "
          f"{args.clock} clock)")
    print(f"from scratch         {base:.3f} ms (every structure, mechanics, figure, gauges; nothing kept)")
    print("parts                " + ", ".join(f"{k} {v:.3f}" for k, v in parts.items()) + " ms")
    if args.kernel:
        k = kernel_ms()
        report["kernel"] = k
        print(f"in a kernel          update {k['update_best_ms']:.3f} ms (best sweep, as above); per update median "
              f"{k['update_median_ms']:.3f} ms, p90 {k['update_p90_ms']:.3f}; one-word HTML "
              f"{k['floor_median_ms']:.3f} ms (messages included)")
        print(f"  presses 150 ms apartmedian {k['paused_cpu_median_ms']:.3f} ms CPU, "
              f"{k['paused_wall_median_ms']:.3f} ms wall (the caches cold, as in the browser benchmark)")
    ok = ratio <= TARGET_RATIO
    print(f"{'PASS' if ok else 'FAIL'} update / from scratch = {ratio:.2f} <= {TARGET_RATIO:g}  "
          f"(load average {report['load_average'][0]:.2f})")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report, indent=2))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
