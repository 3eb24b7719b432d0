r"""A held position: what the nerve's tension, strain and blood flow do over time.

:func:`~neuralsim.mechanics.nerve_mechanics` is elastic: its answer is the
nerve the moment a posture is reached.  :func:`held` asks what happens while
that posture is held for ``held_s`` seconds.  For teaching and
self-exploration, not for diagnosis or treatment.

Relaxation
----------
The tension a movement adds to the nerve above its resting tension relaxes
with the one-term reduced relaxation function

.. math::  G(t) = g_\infty + (1 - g_\infty)\, e^{-t/\tau},

``1 - g_inf`` (``hold_relaxed_fraction``) and ``tau``
(``hold_relaxation_time_s``) from the stress relaxation of normal rat sciatic
nerves (Chen et al. 2010), not from Wall et al. 1991, which stays the
comparison (:func:`neuralsim.evidence.comparisons`).  The tension at time ``t``
is ``T_rest + G(t) (T_0 - T_rest)`` where the movement stretched the nerve
(``T_0 > T_rest``), with ``T_0`` the elastic tension of :func:`nerve_mechanics`
and ``T_rest`` the resting tension of the reference posture (already relaxed:
the nerve has lain at rest for good).  At ``t = 0`` it is the elastic result
exactly; over time it falls monotonically toward the resting tension, never
below it.  Where the movement unloaded the nerve (``T_0 <= T_rest``) the
tension stays as it is: the recovery of tension in a nerve held shorter is not
modelled (the cited figures are all of stretched nerves), and a slack nerve
carries nothing and stays slack.

Strain in a held posture.  The bed is held, and the nerve and the tissue round
it are taken to relax with one relaxation function, so the balance of the two
is the same at every moment: the nerve keeps its place and its strain while its
tension falls (stress relaxation).  That is an assumption; a nerve that relaxes
faster than its interface would slide back toward its bed.

Tension is given as a multiple of the resting tension, which is one tension
along the whole cable, so sites compare directly.  It is read from the strain
with the whole tension law of :func:`nerve_mechanics`
(:meth:`~neuralsim.mechanics.NerveMechanics.tension_x_rest`): proportional to
the strain from the unloaded length in the toe (the tissue's stiffness
cancelling), and beyond the toe end the stiffer part added.

Creep.  Under a constant *load* (a weight hung on a nerve, not a held
posture), the strain grows: :func:`creep` is the creep function of the same
one-term solid, ``J(t) = 1/g_inf - (1/g_inf - 1) exp(-t g_inf / tau)``
(strain over the strain at loading).  It follows from the relaxation by linear
viscoelasticity; no published creep figure of peripheral nerve in tension with
numbers was found to check it.

Blood flow over minutes (teaching statements, direction only).  In rat sciatic
nerves (Clark et al. 1992), 8 % elongation cut the blood flow by about half,
which recovered substantially within 30 minutes as the tension relaxed, and 15 %
by about four fifths with little recovery.  :meth:`Held.flow_band` applies
those figures to the in-situ strain of the peripheral nerve at a site (roots
and cord: no such figure).  People: holding a provocative position brings on
tingling within minutes (all 13 patients with cubital tunnel syndrome in a
3-minute elbow flexion test, Buehler & Thayer 1988, who attribute it to
ischaemia), a teaching statement in data/evidence.csv that the model does not
compute.

Times: ``held_s`` from 0 to ``hold_max_s`` (2 h, the longest hold a cited
source measured); negative, NaN, infinite or longer times raise
:class:`~neuralsim.core.errors.OutOfRangeError` (unit ``s``).

>>> h = held(Posture(hip_flexion=70, knee_flexion=0), [0, 600])
>>> bool(h.tension_x_rest("mid_thigh")[1] < h.tension_x_rest("mid_thigh")[0])
True
"""
from __future__ import annotations

import math
from typing import Any, Mapping

import numpy as np

from ..core import parameters as _p
from ..core.body import Body
from ..core.errors import as_numbers, check_size, MAX_POSTURES, read_only
from ..core.posture import Posture  # noqa: F401  (the docstrings' examples)
from ..model import registry as _reg
from ..model.lengths import REFERENCE
from .nerve import NerveMechanics, nerve_mechanics

__all__ = ["relaxation", "creep", "relaxed_at_strain", "held", "Held", "FLOW_BANDS", "hold_limit_s",
           "hold_table", "format_hold_table", "flow_band_of"]

#: What the blood flow of the peripheral nerve at a site does while held, by band
#: (:meth:`Held.flow_band`): rat sciatic nerve, Clark et al. 1992; direction only.
FLOW_BANDS: tuple[str, ...] = (
    "not reduced",
    "reduced by about half at first",
    "largely recovered while held",
    "reduced by about four fifths, little recovery",
    "no blood-flow figure (cord or roots)",
)


def hold_limit_s() -> float:
    """The longest hold the model takes (s): ``hold_max_s``, the longest a cited source held a nerve."""
    return _p.value("hold_max_s")


def _times(held_s: Any) -> np.ndarray:
    return as_numbers("held_s", held_s, 0.0, hold_limit_s(), "s",
                      "(the longest hold a cited source measured; longer is not extrapolated)")


def _g(t: np.ndarray) -> np.ndarray:
    relaxed = _p.value("hold_relaxed_fraction")
    return (1.0 - relaxed) + relaxed * np.exp(-t / _p.value("hold_relaxation_time_s"))


def relaxation(held_s: Any) -> Any:
    """The reduced relaxation function ``G(t)`` (1 at ``t = 0``, falling to ``1 - hold_relaxed_fraction``):
    the share of the tension added by a movement still there after ``held_s`` seconds at a fixed length.

    >>> relaxation(0.0)
    1.0
    """
    t = _times(held_s)
    g = _g(t)
    return float(g) if g.ndim == 0 else read_only(g)


def creep(held_s: Any) -> Any:
    """The creep function ``J(t)``: strain after ``held_s`` seconds under a constant load, over the strain
    at loading (1 at ``t = 0``, rising to ``1 / (1 - hold_relaxed_fraction)``), of the same one-term solid
    as :func:`relaxation`.

    >>> creep(0.0)
    1.0
    """
    t = _times(held_s)
    g_inf = 1.0 - _p.value("hold_relaxed_fraction")
    j = 1.0 / g_inf - (1.0 / g_inf - 1.0) * np.exp(-t * g_inf / _p.value("hold_relaxation_time_s"))
    return float(j) if j.ndim == 0 else read_only(j)


def relaxed_at_strain(in_situ_strain_pct: Any, held_s: Any) -> Any:
    """Share of the whole tension (%) relaxed away when a peripheral nerve lying at its resting tension is
    stretched ``in_situ_strain_pct`` (%, beyond its in-situ length, 0 to 30) and held there ``held_s``
    seconds, as a stress-relaxation test measures it: ``100 (1 - G) (T_0 - T_rest) / T_0`` with the toe
    region's law and the nerve's resting strain ``mech_prestrain_pct``.  Broadcasts its two arguments.

    >>> relaxed_at_strain(6.0, 0.0)
    0.0
    """
    e = as_numbers("in_situ_strain_pct", in_situ_strain_pct, 0.0, 30.0, "%")
    t = _times(held_s)
    p = 0.01 * _p.value("mech_prestrain_pct")
    added = (1.0 + p) * 0.01 * e                            # strain the stretch adds (unloaded-length units)
    out = 100.0 * (1.0 - _g(t)) * added / (p + added)
    return float(out) if out.ndim == 0 else read_only(out)


def _flow_band(e: np.ndarray, t: np.ndarray) -> np.ndarray:
    half, severe = _p.value("hold_flow_reduced_strain_pct"), _p.value("hold_flow_severe_strain_pct")
    recovered = t >= _p.value("hold_flow_recovery_s")
    return np.where(e >= severe, 3, np.where(e >= half, np.where(recovered, 2, 1), 0))


def flow_band_of(in_situ_strain_pct: Any, held_s: Any) -> Any:
    """Index into :data:`FLOW_BANDS` for peripheral nerve at ``in_situ_strain_pct`` (%, beyond its in-situ
    length, 0 or more) held ``held_s`` seconds (teaching, direction only; Clark et al. 1992); broadcasts.

    >>> FLOW_BANDS[flow_band_of(2.0, 600.0)]
    'not reduced'
    """
    e = as_numbers("in_situ_strain_pct", in_situ_strain_pct, 0.0, math.inf, "%")
    t = _times(held_s)
    band = np.asarray(_flow_band(e, t), dtype=int)
    return int(band) if band.ndim == 0 else read_only(band)


class Held:
    """The nerve in a posture held for ``held_s`` seconds; shape ``S`` = the broadcast of the postures'
    shape and ``held_s``'s.  Site values are floats for one posture and one time, else read-only arrays.

    ``elastic``: the :class:`~neuralsim.mechanics.NerveMechanics` at time 0; ``held_s`` (s, read-only
    array); ``relaxed_fraction``: the share of the added tension relaxed away (``1 - G``).
    """

    def __init__(self, elastic: NerveMechanics, rest: NerveMechanics, t: np.ndarray) -> None:
        self.elastic = elastic
        self._rest = rest
        try:
            self.shape: tuple = np.broadcast_shapes(elastic.shape, t.shape)
        except ValueError:
            raise ValueError(f"held_s: times of shape {t.shape} do not broadcast against the postures' shape "
                             f"{elastic.shape}; give one time, times of a shape that broadcasts, or t[:, None] "
                             "for every time at every posture") from None
        check_size("held postures x times", int(np.prod(self.shape, dtype=np.int64)), MAX_POSTURES, "results")
        self.held_s = read_only(np.broadcast_to(t, self.shape).copy())
        self._G = np.broadcast_to(_g(t), self.shape)

    def _out(self, x: np.ndarray):
        x = np.broadcast_to(np.asarray(x, dtype=float), self.shape)
        return float(x) if x.ndim == 0 else read_only(x.copy())

    @property
    def relaxed_fraction(self):
        """Share of the tension a movement added that has relaxed away (0 at time 0), shape ``S``."""
        return self._out(1.0 - self._G)

    def strain_pct(self, site: str):
        """Strain at ``site`` from the unloaded length (%): the elastic strain, kept while the posture is held."""
        return self._out(self.elastic.strain_pct(site))

    def in_situ_strain_pct(self, site: str):
        """Strain at ``site`` from its in-situ length (%), kept while the posture is held."""
        return self._out(self.elastic.in_situ_strain_pct(site))

    def tension_x_rest(self, site: str):
        """Tension at ``site`` after the hold, as a multiple of the resting tension (1 at rest, 0 slack):
        relaxing toward 1 where the movement stretched the nerve, as it was where it unloaded it."""
        t0 = np.asarray(self.elastic.tension_x_rest(site), dtype=float)
        return self._out(np.where(t0 > 1.0, 1.0 + self._G * (t0 - 1.0), t0))

    def flow_band(self, site: str):
        """Index into :data:`FLOW_BANDS` of the nerve's blood flow at ``site`` after the hold (teaching,
        direction only; rat sciatic nerve, Clark et al. 1992), int, shape ``S``."""
        e = np.broadcast_to(np.asarray(self.elastic.in_situ_strain_pct(site), dtype=float), self.shape)
        m = self.elastic.model
        a, z = m.tissue_mm["nerve"]
        band = _flow_band(e, self.held_s)
        if not a <= m.site_mm[site] <= z:
            band = np.full(self.shape, 4)
        band = np.asarray(band, dtype=int)
        return int(band) if band.ndim == 0 else read_only(band.copy())


def held(posture: Any, held_s: Any, reference: Any = None, *, body: Body | None = None,
         entrapment: Mapping[str, float] | None = None, registry: _reg.Registry | None = None) -> Held:
    """The nerve in ``posture`` held for ``held_s`` seconds (a number or an array, 0 to ``hold_max_s``).

    ``posture``, ``reference``, ``body``, ``entrapment`` and ``registry`` as for
    :func:`~neuralsim.mechanics.nerve_mechanics`; ``held_s`` broadcasts against the postures' shape (give
    ``t[:, None]`` for every time at every posture).  Returns a :class:`Held`: ``strain_pct(site)``,
    ``in_situ_strain_pct(site)`` (kept while held), ``tension_x_rest(site)`` (relaxing toward the resting
    tension), ``relaxed_fraction``, ``flow_band(site)``.  ``held_s`` below 0, NaN, infinite or beyond
    ``hold_max_s`` raises :class:`~neuralsim.core.errors.OutOfRangeError` naming ``held_s`` and the unit
    ``s``; a time that is not a number raises ``TypeError``.

    >>> held(Posture(knee_flexion=[0, 30]), 60.0).shape
    (2,)
    """
    t = _times(held_s)
    elastic = nerve_mechanics(posture, reference, body=body, entrapment=entrapment, registry=registry)
    # the resting tension is one tension along the cable whatever the reference posture (a posture
    # equal to its reference leaves every element at its resting strain), so the anatomical position's is read
    rest = nerve_mechanics(REFERENCE, body=body, entrapment=entrapment, registry=registry)
    return Held(elastic, rest, t)


def hold_table(posture: Any, held_s: Any, site: str, *, body: Body | None = None,
               entrapment: Mapping[str, float] | None = None) -> list[dict]:
    """One row per time in ``held_s`` (s) of ``posture`` held: ``held_s``, ``in_situ_strain_pct`` (%) and
    ``tension_x_rest`` at ``site``, ``relaxed_pct`` (% of the added tension relaxed) and ``blood_flow``
    (a text of :data:`FLOW_BANDS`).  ``posture`` is one posture; ``held_s`` a number or a 1-d list."""
    t = np.atleast_1d(_times(held_s))
    if t.ndim != 1:
        raise TypeError(f"held_s: give a number or a flat list of times in s, got shape {t.shape}")
    elastic = nerve_mechanics(posture, body=body, entrapment=entrapment)
    if elastic.shape != ():
        raise TypeError(f"posture: give one posture for a table over times, got postures of shape {elastic.shape}")
    h = Held(elastic, nerve_mechanics(REFERENCE, body=body, entrapment=entrapment), t)
    e, ten, band = h.in_situ_strain_pct(site), h.tension_x_rest(site), h.flow_band(site)
    rel = h.relaxed_fraction
    return [{"held_s": float(t[k]), "in_situ_strain_pct": float(e[k]), "tension_x_rest": float(ten[k]),
             "relaxed_pct": 100.0 * float(rel[k]), "blood_flow": FLOW_BANDS[int(band[k])]}
            for k in range(t.size)]


def format_hold_table(rows: list[dict]) -> str:
    """:func:`hold_table`'s rows as text, one line per time."""
    head = f"{'held':>9}  {'strain (in situ)':>16}  {'tension':>11}  {'relaxed':>8}  blood flow (rat nerve figures)"
    lines = [head]
    for r in rows:
        t = r["held_s"]
        when = f"{t:g} s" if t < 60.0 else f"{t / 60.0:g} min"
        lines.append(f"{when:>9}  {r['in_situ_strain_pct']:>14.1f} %  {r['tension_x_rest']:>6.2f} x rest  "
                     f"{r['relaxed_pct']:>6.0f} %  {r['blood_flow']}")
    return "\n".join(lines)
