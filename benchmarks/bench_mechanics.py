"""Nerve mechanics benchmark: a ratio against the core, measured in the same process.

Target (issue "How the nerve moves inside its bed"): 10**5 postures solved in
one call of ``nerve_mechanics`` (a ``Posture`` of arrays) (peak strain and the excursion and strain at
every site read out) cost per posture at most 20x ``nerve_bed_length`` on the
same postures.

Also printed, for information: the same postures solved by
``NerveModel.solve_direct`` (the plain active-set Newton method over every
element, one batched Thomas solve per step), how many postures have some
slack and how many take some element beyond its toe region (those solve the
second, larger complementarity problem), the time of the toe-only part, and
the time with an entrapment.

Run: ``.venv/bin/python benchmarks/bench_mechanics.py``.  Exits 1 if the target
is missed.  Timings are the best of 15 repeats, the two functions timed
alternately so that a burst of other work on the machine hits both.
"""
from __future__ import annotations

import os

# One BLAS thread, as in a notebook kernel sharing the machine: the core (no BLAS) and the
# mechanics (small matrix products) are then timed on the same single core.  Under heavy load a
# multi-threaded BLAS spins and waits, which would time the machine's load, not the model.
for _v in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_v, "1")

import platform
import sys
import timeit

import numpy as np

import neuralsim as ns
from bench_core import best, random_postures  # the same postures and timing rule as the core benchmark
from neuralsim import mechanics as me

N = 10**5
REPEATS = 15
TARGET = 20.0


def best_pair(fa, fb, repeats: int = REPEATS) -> tuple[float, float]:
    """Best times of ``fa`` and ``fb``, measured alternately (a burst of other work hits both)."""
    ta, tb = [], []
    for _ in range(repeats):
        ta.append(timeit.timeit(fa, number=1))
        tb.append(timeit.timeit(fb, number=1))
    return min(ta), min(tb)


def solve_all(angles: np.ndarray):
    res = ns.nerve_mechanics(angles)
    out = [res.peak_strain_pct]
    for s in me.SITES:
        out.append(res.excursion_mm(s))
        out.append(res.strain_pct(s))
    return out


def main() -> int:
    angles = random_postures(N)
    post = ns.Posture.from_array(angles)                    # the same postures as a Posture
    ns.nerve_bed_length(angles[:10])
    solve_all(angles[:10])                                  # build the model once (cached per body)
    # the target uses Posture input: the core is cheapest there, so the ratio is the stricter one
    t_bed, t_mech = best_pair(lambda: ns.nerve_bed_length(post), lambda: solve_all(post))
    t_bed_arr, t_mech_arr = best_pair(lambda: ns.nerve_bed_length(angles), lambda: solve_all(angles))
    model = me.nerve_model(ns.DEFAULT_BODY)
    t_direct = best(lambda: model.solve_direct(angles[: N // 10]), repeats=1) * 10
    t_entr = best(lambda: ns.nerve_mechanics(post, entrapment={"popliteal": 0.5}).peak_strain_pct, repeats=3)
    res = ns.nerve_mechanics(post)
    beyond = res._cols.size
    d, _ = model.deltas(post)
    t_toe = best(lambda: model.beyond_toe(d, model.folds(d)), repeats=5)
    ratio = t_mech / t_bed
    ok = ratio <= TARGET
    print(f"machine: {platform.machine()}, {platform.system()}, Python {platform.python_version()}, "
          f"numpy {np.__version__}")
    print(f"postures: {N}; nodes along the nerve: {len(model.s_mm)} (elements {model.element_mm.min():.1f}-{model.h:.1f} mm); "
          f"with some slack: {100 * float(np.mean(res.slack_mm > 0)):.0f} %; "
          f"with some element beyond its toe: {100 * beyond / N:.0f} %")
    print(f"nerve_bed_length:      {t_bed * 1e3:8.2f} ms  ({t_bed / N * 1e9:7.1f} ns per posture)")
    print(f"nerve_mechanics:       {t_mech * 1e3:8.2f} ms  ({t_mech / N * 1e9:7.1f} ns per posture)"
          f"  -> ratio {ratio:.1f}x (target <= {TARGET:g}x) {'PASS' if ok else 'FAIL'}")
    print(f"array (N, 8) input:    core {t_bed_arr * 1e3:.2f} ms, mechanics {t_mech_arr * 1e3:.2f} ms"
          f"  -> ratio {t_mech_arr / t_bed_arr:.1f}x")
    print(f"toe-only part (folds and the toe check, no read-out): {t_toe * 1e3:8.2f} ms  -> ratio {t_toe / t_bed:.1f}x "
          "(information only)")
    print(f"solve_direct (1/10 of the postures, x10): {t_direct * 1e3:8.2f} ms  ({t_direct / N * 1e9:7.1f} ns per posture)"
          f"  -> ratio {t_direct / t_bed:.1f}x (information only)")
    print(f"with an entrapment (peak strain only): {t_entr * 1e3:8.2f} ms  -> ratio {t_entr / t_bed:.1f}x (information only)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
