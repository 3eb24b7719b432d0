"""Movement limits benchmark: 10**4 people in one call of ``movement_limit``.

The straight-leg raise (hip flexion from supine) for 10**4 generated people
(:func:`neuralsim.limits.cases.class_set`), solved in one call: one sweep of the
nerve mechanics and hamstring lengths on a 1-degree grid, every person
compared with the grid at once, then 10 vectorised bisection steps.

Baselines measured in the same process (best of the repeats, alternated):

* ``nerve_bed_length`` called 10**4 times, one scalar posture per call (what a
  loop over people would cost for even the cheapest model call);
* one vectorised ``nerve_bed_length`` call on 10**4 postures.

No target is set by the issue; the figures are recorded in benchmarks/README.md.
Run: ``.venv/bin/python benchmarks/bench_limits.py``.
"""
from __future__ import annotations

import platform
import timeit

import numpy as np

import neuralsim as ns
from neuralsim import limits
from neuralsim.limits import cases
from neuralsim.limits.person import Person

N = 10**4
REPEATS = 5


def main() -> int:
    people = Person.stack([p.person for p in cases.class_set(7, N)])
    rng = np.random.default_rng(0)
    hips = rng.uniform(0.0, 90.0, N)
    scalar = [ns.Posture(hip_flexion=float(h)) for h in hips]
    arr = ns.Posture(hip_flexion=hips)
    limits.movement_limit(ns.Posture(), "hip_flexion", people[0])      # warm the caches
    t_lim, t_loop, t_vec = [], [], []
    for _ in range(REPEATS):
        t_lim.append(timeit.timeit(lambda: limits.movement_limit(ns.Posture(), "hip_flexion", people), number=1))
        t_loop.append(timeit.timeit(lambda: [ns.nerve_bed_length(p) for p in scalar], number=1))
        t_vec.append(timeit.timeit(lambda: ns.nerve_bed_length(arr), number=1))
    lim, loop, vec = min(t_lim), min(t_loop), min(t_vec)
    print(f"python {platform.python_version()}, numpy {np.__version__}, {N} people")
    print(f"movement_limit, {N} people, one call : {lim * 1e3:8.1f} ms ({lim / N * 1e6:.1f} us per person)")
    print(f"{N} scalar nerve_bed_length calls     : {loop * 1e3:8.1f} ms")
    print(f"one nerve_bed_length call, {N} postures: {vec * 1e3:8.1f} ms")
    print(f"ratio to the scalar loop: {lim / loop:.2f}x; to one vectorised call: {lim / vec:.0f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
