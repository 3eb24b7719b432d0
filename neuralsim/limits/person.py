"""People who differ: a body plus how far the hamstrings and the nerve will go.

A :class:`Person` is immutable.  Besides height (m) and a mobility class (as
:class:`~neuralsim.Body`) it carries what decides where a movement stops:

* **hamstring stretch tolerance** ``hamstring_tolerance_pct``: the
  hamstrings' group stretch (each muscle's musculotendon elongation beyond its
  length in the anatomical position, weighted by cross-sectional area,
  :func:`hamstring_stretch_pct`; %) at which the stretch alone would be too
  strong to go on (stretch tolerance, in the sense of Weppler & Magnusson
  2010); default :func:`typical_tolerance_pct`;
* **passive stiffness** ``hamstring_stiffness``: resistance to stretch
  relative to a typical person (1 = typical, dimensionless); it sets the
  reported passive resistance at the stop, not the stop itself;
* **nerve sensitivity** ``nerve_threshold_pct``: for each region along the
  nerve (:data:`SYMPTOM_SITES`), the rise of local nerve strain above its
  value in the baseline posture, standing (percentage points of the strain
  beyond the nerve's in-situ length, ``in_situ_strain_pct`` of
  :func:`neuralsim.nerve_mechanics`: a threshold, like the rabbit ones, is an
  elongation beyond the length at rest; standing is that length, so the rise
  is the in-situ strain itself), that counts as that region's
  full load; the regions' loads are summed along the nerve
  (:func:`discomfort`), and the nerve alone ends a movement when every region
  is at its threshold; default :func:`typical_thresholds`;
  ``sensitised=True`` multiplies every threshold by
  ``nerve_sensitised_factor`` (below 1);
* **entrapment** (optional): a mapping site -> severity from 0 (free) to 1
  (held fast), sites as in the mechanics (``"lumbar_roots"``,
  ``"piriformis"``, ``"popliteal"``, ``"tarsal_tunnel"``): passed to
  :func:`neuralsim.nerve_mechanics` (the nerve held there) and lowering the
  threshold where it is held (the nerve is irritated there too); a teaching
  hypothesis: in people with spinally referred leg pain, radiculopathy
  included, sciatic excursion was no different from people without it
  (Ridehalgh et al. 2015, a row of ``data/evidence.csv``);
* **joint limits** (optional): a mapping joint -> ``(min, max)`` degrees that
  narrows the mobility class's range (a stiff hip).

Every numeric field may be an array: all broadcast to one shape, and the
person then stands for that many people (:attr:`Person.shape`).
:meth:`Person.stack` joins single people into one array person.

The hidden parameters (tolerance, stiffness, thresholds, entrapment) are not
shown by ``repr``: a virtual patient can be handed to a student without
giving the answer away.

Where a movement stops (:mod:`neuralsim.limits`) is where the felt
stretch and the felt nerve together reach the person's tolerance
(:func:`discomfort`).  Typical values come from anchors in
``data/parameters.csv`` (names ``person_*``, each with its source and status):
the typical thresholds are the strain rises of a raise to
``person_slr_nerve_onset_deg``, and the typical tolerance the one with which a
typical raise ends at ``person_slr_hamstring_stop_deg``.  No study measures a symptom threshold as a
nerve strain in people, so the thresholds are anchored to a clinical angle
and follow the nerve mechanics as it is revised.

>>> p = Person()
>>> p
Person(height_m=1.75, mobility='typical')
>>> Person(sensitised=True).threshold_pct("popliteal") < p.threshold_pct("popliteal")
True
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any, Mapping, Sequence

import numpy as np

from ..core import parameters as _p
from ..core.body import HEIGHT_RANGE_M, Body
from ..core.errors import OutOfRangeError, as_name, as_numbers, is_masked, read_only
from ..core.joints import MOBILITIES, UNIT, check_joint, joint_range
from ..model import registry as _reg

__all__ = ["Person", "SYMPTOM_SITES", "ENTRAPMENT_SITES", "ENTRAPMENT_SITE_OF", "typical_thresholds",
           "typical_tolerance_pct", "resting_strain_pct", "hamstring_stretch_pct", "hamstring_weights",
           "discomfort"]

#: Sites along the nerve with a symptom threshold, head to foot: the sites of the registry's
#: mechanics nerve that name what is felt there (a live view of the active registry).
SYMPTOM_SITES: tuple[str, ...] = _reg.Live(lambda r: r.mechanics_nerve.symptom_sites)  # type: ignore[assignment]


#: Entrapment sites (the registry's ``entrapments`` of the mechanics nerve) and the symptom site each lies at.
ENTRAPMENT_SITE_OF: Mapping[str, str] = _reg.LiveMap(
    lambda r: {n: e.lies_at for n, e in r.mechanics_nerve.entrapments.items()})
ENTRAPMENT_SITES: tuple[str, ...] = _reg.Live(lambda r: r.mechanics_nerve.entrapments)  # type: ignore[assignment]


def _registry_cache(fn):
    """``lru_cache`` keyed by the active registry as well as the arguments: what is built from the
    registry's structures is built again inside :func:`~neuralsim.model.registry.using`."""
    cached = lru_cache(maxsize=8)(lambda key, *args: fn(*args))

    def wrapper(*args):
        return cached(_reg.current().key, *args)
    wrapper.__doc__, wrapper.__name__, wrapper.__wrapped__ = fn.__doc__, fn.__name__, fn
    wrapper.cache_clear = cached.cache_clear
    return wrapper


@_registry_cache
def resting_strain_pct() -> tuple[float, ...]:
    """Local nerve strain beyond the in-situ length at each symptom site standing (the anatomical
    position), % (cached): 0 while the mechanics' resting posture is the anatomical position.

    A threshold is a *rise* of strain above this: standing is symptom-free by definition.
    """
    from ..mechanics.nerve import nerve_mechanics   # inside: mechanics loads numpy's solvers, kept off import
    from ..model.lengths import REFERENCE
    m = nerve_mechanics(REFERENCE)
    return tuple(float(m.in_situ_strain_pct(s)) for s in SYMPTOM_SITES)


def hamstring_weights() -> np.ndarray:
    """Each hamstring's weight in the group's stretch (fractions summing to 1), in the order of
    :data:`neuralsim.model.HAMSTRINGS`: its physiological cross-sectional area (the registry's
    ``pcsa`` of each muscle, cm^2) over the group's."""
    reg = _reg.current()
    w = np.array([reg[m].pcsa_cm2() for m in reg.group("hamstrings")])
    return w / w.sum()


def hamstring_stretch_pct(elongation_pct: Any) -> np.ndarray:
    """The hamstrings' group stretch (%) from each muscle's elongation, ``(..., k)`` -> ``(...)``.

    Elongation of each of the ``k`` hamstrings' musculotendon length over its
    length standing (%), in the order of :data:`neuralsim.model.HAMSTRINGS`; the
    group's stretch is their mean weighted by physiological cross-sectional
    area (each muscle's ``pcsa`` in the registry, :func:`hamstring_weights`):
    the passive tension the person feels is the sum of the muscles' tensions,
    and in the linear range each muscle's tension grows with its area times its
    elongation.
    """
    return np.asarray(elongation_pct, dtype=float) @ hamstring_weights()


def discomfort(rise_pct: Any, stretch_pct: Any, thresholds_pct: Any, tolerance_pct: Any, *,
               parts: bool = True) -> dict:
    """How strongly a posture is felt, from the nerve's strain rises and the hamstrings' stretch.

    ``rise_pct``: rise of local nerve strain above standing at each of
    :data:`SYMPTOM_SITES` (%, ``(..., s)`` for the s sites); ``stretch_pct``: the hamstrings' group
    stretch (%, ``(...)``, :func:`hamstring_stretch_pct`); ``thresholds_pct`` and
    ``tolerance_pct``: the person's (``(..., s)`` and ``(...)``, broadcasting).

    * hamstrings: ``h = stretch / tolerance`` (1 = the stretch alone ends the movement);
    * nerve: each region's load ``r_s = max(rise_s, 0) / threshold_s``, summed over
      the nerve as ``n = (mean_s r_s^q)^(1/q)`` with ``q = person_nerve_summation_exponent``
      (spatial summation: a long stretch of loaded nerve is felt more than one
      spot, the most loaded region counting most); ``n = 1`` when every region is
      at its threshold;
    * each is felt from its onset (``person_hamstring_onset``, ``person_nerve_onset``,
      fractions of 1): ``h' = max(h - onset, 0) / (1 - onset)``, likewise ``n'``;
    * the discomfort ``D = h' + n'``: the movement stops where it reaches 1 (the
      person's tolerance).  One tissue alone stops it at its own limit (``h = 1`` or
      ``n = 1``); both together stop it sooner.

    Returns a dict of arrays: ``"D"``, ``"h"``, ``"n"``, ``"h_felt"`` (``h'``),
    ``"n_felt"`` (``n'``), and ``"sites"`` (``(..., s)``: each region's part of
    ``n'``, in proportion to ``r_s^q``; they sum to ``n'``).  ``parts=False``
    returns ``"D"`` alone (the solver's sweep needs no more).
    """
    q = _p.value("person_nerve_summation_exponent")
    on_h = _p.value("person_hamstring_onset")
    on_n = _p.value("person_nerve_onset")
    r = np.maximum(np.asarray(rise_pct, dtype=float), 0.0) / np.asarray(thresholds_pct, dtype=float)
    rq = np.square(r) if q == 2.0 else r ** q
    mean_q = rq.mean(axis=-1)
    n = np.sqrt(mean_q) if q == 2.0 else mean_q ** (1.0 / q)
    h = np.asarray(stretch_pct, dtype=float) / np.asarray(tolerance_pct, dtype=float)
    hf = np.maximum(h - on_h, 0.0) / (1.0 - on_h)
    nf = np.maximum(n - on_n, 0.0) / (1.0 - on_n)
    if not parts:
        return {"D": hf + nf}
    share = np.divide(rq, rq.sum(axis=-1, keepdims=True), out=np.zeros_like(rq), where=rq > 0)
    return {"D": hf + nf, "h": h, "n": n, "h_felt": hf, "n_felt": nf, "sites": share * nf[..., None]}


@_registry_cache
def _slr_quantities(hip_deg: float) -> tuple[np.ndarray, float]:
    """Strain rises at the sites (%) and the hamstrings' group stretch (%) of a plain raise to ``hip_deg``."""
    from ..mechanics.nerve import nerve_mechanics
    from ..model.lengths import HAMSTRINGS, REFERENCE, muscle_length
    from ..core.posture import Posture
    from .pelvis import with_rhythm
    post = with_rhythm(Posture(), {"hip_flexion": hip_deg})        # the pelvis as in people's raises
    m = nerve_mechanics(post)
    rise = np.array([float(m.in_situ_strain_pct(s)) for s in SYMPTOM_SITES]) - np.array(resting_strain_pct())
    el = np.array([100.0 * (muscle_length(post, mu) / muscle_length(REFERENCE, mu) - 1.0) for mu in HAMSTRINGS])
    return rise, float(hamstring_stretch_pct(el))


@_registry_cache
def typical_tolerance_pct() -> float:
    """The typical hamstring stretch tolerance (% group stretch from standing), from its anchor.

    The tolerance with which the typical person's plain straight-leg raise (knee
    straight, ankle and neck neutral) ends at ``person_slr_hamstring_stop_deg``:
    there the hamstrings' felt stretch and the nerve's (typical thresholds) add up
    to the person's tolerance, ``h' + n' = 1`` (:func:`discomfort`), so
    ``h = onset + (1 - onset) (1 - n')``.
    """
    rise, stretch = _slr_quantities(_p.value("person_slr_hamstring_stop_deg"))
    nf = float(discomfort(rise, stretch, np.array(_typical_rises()), 1.0)["n_felt"])
    if nf >= 1.0:
        raise ValueError("person_slr_hamstring_stop_deg lies beyond the typical nerve's own stop; "
                         "the anchors in parameters.csv contradict each other")
    on_h = _p.value("person_hamstring_onset")
    return stretch / (on_h + (1.0 - on_h) * (1.0 - nf))


@_registry_cache
def _typical_rises() -> tuple[float, ...]:
    from ..core.joints import joint_range as _jr
    from ..mechanics.nerve import nerve_mechanics
    from ..core.posture import Posture
    rest = np.array(resting_strain_pct())
    from .pelvis import with_rhythm
    slr = nerve_mechanics(with_rhythm(Posture(), {"hip_flexion": _p.value("person_slr_nerve_onset_deg")}))
    rise = np.array([float(slr.in_situ_strain_pct(s)) for s in SYMPTOM_SITES]) - rest
    df = nerve_mechanics(Posture(ankle_dorsiflexion=_jr("ankle_dorsiflexion", "typical")[1]))
    sites = _reg.current().mechanics_nerve.sites
    for k, s in enumerate(SYMPTOM_SITES):      # the site behind the ankle (placed at its crossing)
        if sites[s].at == "ankle_dorsiflexion":
            rise[k] = max(rise[k], _p.value("person_ankle_margin") * (float(df.in_situ_strain_pct(s)) - rest[k]))
    return tuple(float(x) for x in rise)


def typical_thresholds() -> dict[str, float]:
    """The typical person's regional thresholds: site -> rise of local strain above standing (%).

    Baseline posture: standing (the anatomical position), where every rise is 0.
    From the roots to behind the knee: the rise a plain straight-leg raise to
    ``person_slr_nerve_onset_deg`` gives at that site, so that the nerve alone
    (every region at its threshold, :func:`discomfort` ``n = 1``) would end a
    typical raise there.  Ankle: the larger of
    that and ``person_ankle_margin`` times the rise of full standing
    dorsiflexion (standing with the foot pulled up gives no symptoms).
    """
    return dict(zip(SYMPTOM_SITES, _typical_rises()))


def _num(name: str, value: Any, unit: str, lo: float, hi: float) -> Any:
    """Check a number or array of numbers in [lo, hi] (the shared check, core.errors.as_numbers);
    return a float or a read-only array."""
    arr = as_numbers(name, value, lo, hi, unit)
    if arr.ndim == 0:
        return float(arr)
    arr = arr.copy()
    arr.setflags(write=False)
    return arr


def _overlaps(joint: str, lo: Any, hi: Any, mobility: Any) -> None:
    """A joint limit narrows the mobility class's range, so it must reach into it: a limit of
    100 to 140 deg for a hip that flexes to 90 would leave no range at all."""
    try:
        mob, lo, hi = np.broadcast_arrays(np.asarray(mobility, dtype=object), np.asarray(lo), np.asarray(hi))
    except ValueError:
        return                               # the shapes are refused, with all of them named, below
    for m in MOBILITIES:
        here = mob == m
        if not here.any():
            continue
        m_lo, m_hi = joint_range(joint, m)
        extra = f"(a limit narrows the {m} range {m_lo:g} to {m_hi:g} {UNIT}, so it must overlap it)"
        if (lo[here] > m_hi + 1e-9).any():
            raise OutOfRangeError(f"{joint} limit min", float(lo[here].max()), -np.inf, m_hi, UNIT, extra)
        if (hi[here] < m_lo - 1e-9).any():
            raise OutOfRangeError(f"{joint} limit max", float(hi[here].min()), m_lo, np.inf, UNIT, extra)


@dataclass(frozen=True, eq=False)
class Person:
    """One person (or many, with array fields).  See the module docstring for each field.

    ``height_m`` (m), ``mobility`` (``"hypomobile"``, ``"typical"``,
    ``"hypermobile"``; for many people an array of those), and hidden:
    ``hamstring_tolerance_pct`` (%), ``hamstring_stiffness`` (1 = typical),
    ``nerve_threshold_pct`` (site -> %, default typical), ``sensitised``
    (bool), ``entrapment`` (site -> severity 0..1), ``joint_limits``
    (joint -> (min, max) deg).
    """

    height_m: Any = field(default_factory=lambda: _p.value("height_default"))
    mobility: Any = "typical"
    hamstring_tolerance_pct: Any = field(default=None, repr=False)
    hamstring_stiffness: Any = field(default=1.0, repr=False)
    nerve_threshold_pct: Mapping[str, Any] | None = field(default=None, repr=False)
    sensitised: Any = field(default=False, repr=False)
    entrapment: Mapping[str, Any] | None = field(default=None, repr=False)
    joint_limits: Mapping[str, tuple] | None = field(default=None, repr=False)
    _shape: tuple = field(default=(), init=False, repr=False)

    def __post_init__(self) -> None:
        s = object.__setattr__
        s(self, "height_m", _num("person height", self.height_m, "m", *HEIGHT_RANGE_M))
        mob = self.mobility
        if is_masked(mob):
            raise TypeError(f"mobility: a masked array is not taken; choose one of {', '.join(MOBILITIES)}")
        try:
            mob = np.asarray(mob, dtype=object)
        except ValueError:
            raise TypeError(f"mobility: {mob!r} is not a name or a flat list of names; "
                            f"choose one of {', '.join(MOBILITIES)}") from None
        for m in mob.flat:
            as_name("mobility", m, MOBILITIES)
        s(self, "mobility", str(mob) if mob.ndim == 0 else read_only(mob.copy()))
        if self.hamstring_tolerance_pct is None:
            s(self, "hamstring_tolerance_pct", typical_tolerance_pct())
        s(self, "hamstring_tolerance_pct",
          _num("hamstring stretch tolerance", self.hamstring_tolerance_pct, "% elongation", 0.5, 60.0))
        s(self, "hamstring_stiffness", _num("hamstring passive stiffness", self.hamstring_stiffness,
                                            "(relative to typical, 1 = typical)", 0.05, 10.0))
        thr = typical_thresholds()
        if self.nerve_threshold_pct is not None:
            if not isinstance(self.nerve_threshold_pct, Mapping):
                raise TypeError("nerve_threshold_pct must be a mapping site -> strain threshold in %")
            for site, v in self.nerve_threshold_pct.items():
                thr[as_name("symptom site", site, SYMPTOM_SITES)] = v
        s(self, "nerve_threshold_pct",
          {k: _num(f"nerve threshold at {k}", v, "% strain", 0.05, 50.0) for k, v in thr.items()})
        sens = np.asarray(self.sensitised)
        if sens.dtype != bool or is_masked(self.sensitised):
            raise TypeError(f"sensitised: {self.sensitised!r} must be True or False (or an array of them)")
        s(self, "sensitised", bool(sens) if sens.ndim == 0 else read_only(sens.copy()))
        ent = {}
        if self.entrapment is not None:
            if not isinstance(self.entrapment, Mapping):
                raise TypeError("entrapment must be a mapping site -> severity (0 free .. 1 held fast)")
            for site, v in self.entrapment.items():
                as_name("entrapment site", site, ENTRAPMENT_SITES)
                ent[site] = _num(f"entrapment severity at {site}", v, "(0 free .. 1 held fast)", 0.0, 1.0)
        s(self, "entrapment", ent)
        lim = {}
        if self.joint_limits is not None:
            if not isinstance(self.joint_limits, Mapping):
                raise TypeError(f"joint_limits must be a mapping joint -> (min, max) in {UNIT}")
            for j, pair in self.joint_limits.items():
                check_joint(j)
                if not isinstance(pair, (tuple, list)) or len(pair) != 2:
                    raise TypeError(f"joint_limits[{j!r}] must be a pair (min, max) in {UNIT}, got {pair!r}")
                wide = joint_range(j, "hypermobile")
                lo = _num(f"{j} limit min", pair[0], UNIT, *wide)
                hi = _num(f"{j} limit max", pair[1], UNIT, *wide)
                if np.any(np.asarray(lo) > np.asarray(hi)):
                    raise ValueError(f"joint_limits[{j!r}]: min {pair[0]} {UNIT} is above max {pair[1]} {UNIT}")
                _overlaps(j, lo, hi, self.mobility)
                lim[j] = (lo, hi)
        s(self, "joint_limits", lim)
        fields = {"height_m": self.height_m, "mobility": self.mobility,
                  "hamstring_tolerance_pct": self.hamstring_tolerance_pct,
                  "hamstring_stiffness": self.hamstring_stiffness, "sensitised": self.sensitised,
                  **{f"nerve_threshold_pct[{k!r}]": v for k, v in self.nerve_threshold_pct.items()},
                  **{f"entrapment[{k!r}]": v for k, v in self.entrapment.items()},
                  **{f"joint_limits[{j!r}] {end}": x for j, pair in self.joint_limits.items()
                     for end, x in zip(("min", "max"), pair)}}
        shapes = {k: np.shape(v) for k, v in fields.items()}
        named = ", ".join(f"{k} {v}" for k, v in shapes.items() if v)
        try:
            shape = np.broadcast_shapes(*shapes.values())
        except ValueError:
            raise ValueError(f"the person's array fields do not broadcast to one shape: {named}") from None
        if len(shape) > 1:
            raise ValueError(f"people must be a single person or a 1-d array of people, got shape {shape} "
                             f"from {named}")
        s(self, "_shape", tuple(shape))

    # -- shape ----------------------------------------------------------------
    @property
    def shape(self) -> tuple:
        """``()`` for one person, ``(n,)`` for ``n`` people."""
        return self._shape

    @property
    def n(self) -> int:
        """Number of people (1 for a single person)."""
        return self._shape[0] if self._shape else 1

    def __len__(self) -> int:
        if not self._shape:
            raise TypeError("a single person has no length")
        return self._shape[0]

    def __repr__(self) -> str:
        if self._shape:
            return f"Person(n={self._shape[0]})"
        return f"Person(height_m={self.height_m:.2f}, mobility={self.mobility!r})"

    # -- derived values (always arrays of shape (n,)) -------------------------
    def _vec(self, value: Any) -> np.ndarray:
        return np.broadcast_to(np.asarray(value), (self.n,))

    def threshold_pct(self, site: str):
        """Effective symptom threshold at ``site`` (% strain): sensitisation and entrapment included.

        ``sensitised`` multiplies it by ``nerve_sensitised_factor``; an
        entrapment at that site of severity ``s`` multiplies it by
        ``1 - s * (1 - person_entrapment_threshold_factor)`` (an irritated,
        compressed nerve is more mechanosensitive where it is held).
        """
        as_name("symptom site", site, SYMPTOM_SITES)
        t = self.thresholds()[:, SYMPTOM_SITES.index(site)]
        if not self._shape:
            return float(t[0])
        t.flags.writeable = False
        return t

    def thresholds(self) -> np.ndarray:
        """Effective thresholds, shape ``(n, len(SYMPTOM_SITES))`` (% strain)."""
        n = self.n
        out = np.stack([self._vec(self.nerve_threshold_pct[s]).astype(float) for s in SYMPTOM_SITES], axis=1)
        fac = np.where(self._vec(self.sensitised), _p.value("nerve_sensitised_factor"), 1.0)
        out = out * fac[:, None]
        keep = _p.value("person_entrapment_threshold_factor")
        for site, sev in self.entrapment.items():
            k = SYMPTOM_SITES.index(ENTRAPMENT_SITE_OF[site])
            out[:, k] = out[:, k] * (1.0 - self._vec(sev) * (1.0 - keep))
        return out.reshape(n, len(SYMPTOM_SITES))

    def tolerance(self) -> np.ndarray:
        """Hamstring stretch tolerance, shape ``(n,)`` (% elongation)."""
        return self._vec(self.hamstring_tolerance_pct).astype(float)

    def stiffness(self) -> np.ndarray:
        """Relative passive stiffness, shape ``(n,)`` (1 = typical)."""
        return self._vec(self.hamstring_stiffness).astype(float)

    def mobilities(self) -> np.ndarray:
        return self._vec(np.asarray(self.mobility, dtype=object))

    def joint_range(self, joint: str) -> tuple[np.ndarray, np.ndarray]:
        """Each person's range of ``joint``: ``(min, max)`` arrays of shape ``(n,)`` in degrees."""
        check_joint(joint)
        mob = self.mobilities()
        lo = np.array([joint_range(joint, m)[0] for m in MOBILITIES])
        hi = np.array([joint_range(joint, m)[1] for m in MOBILITIES])
        idx = np.zeros(self.n, dtype=int)
        for k, m in enumerate(MOBILITIES):      # three classes, each compared with all people at once
            idx[mob == m] = k
        lo, hi = lo[idx], hi[idx]
        if joint in self.joint_limits:
            a, b = self.joint_limits[joint]
            lo = np.maximum(lo, self._vec(a))
            hi = np.minimum(hi, self._vec(b))
        return lo.astype(float), hi.astype(float)

    def body(self) -> Body:
        """The :class:`~neuralsim.Body` of a single person."""
        if self._shape:
            raise ValueError("body() needs a single person; index the array person first")
        return Body(self.height_m, self.mobility)

    # -- building -------------------------------------------------------------
    def replace(self, **changes: Any) -> "Person":
        """A new person with some fields changed."""
        return replace(self, **changes)

    def __getitem__(self, i: int) -> "Person":
        """One person out of many."""
        if not self._shape:
            raise TypeError("a single person cannot be indexed")
        if not isinstance(i, (int, np.integer)):
            raise TypeError(f"index people with an integer, got {type(i).__name__}")
        def conv(v):
            if np.ndim(v) == 0:
                return v
            x = np.asarray(v)[i]
            return x.item() if hasattr(x, "item") else x
        return Person(
            height_m=conv(self.height_m), mobility=str(conv(self.mobility)),
            hamstring_tolerance_pct=conv(self.hamstring_tolerance_pct),
            hamstring_stiffness=conv(self.hamstring_stiffness),
            nerve_threshold_pct={k: conv(v) for k, v in self.nerve_threshold_pct.items()},
            sensitised=bool(conv(self.sensitised)),
            entrapment={k: conv(v) for k, v in self.entrapment.items()} or None,
            joint_limits={j: (conv(a), conv(b)) for j, (a, b) in self.joint_limits.items()} or None,
        )

    @classmethod
    def stack(cls, people: Sequence["Person"]) -> "Person":
        """Join single people into one array person of shape ``(len(people),)``."""
        people = list(people)
        if not people:
            raise ValueError("stack needs at least one person")
        for p in people:
            if not isinstance(p, Person):
                raise TypeError(f"stack takes Person objects, got {type(p).__name__}")
            if p.shape:
                raise ValueError("stack takes single people (shape ()), not arrays of people")
        col = lambda f: np.array([f(p) for p in people])  # noqa: E731
        ent_sites = sorted({k for p in people for k in p.entrapment})
        lim_joints = sorted({k for p in people for k in p.joint_limits})
        lims = {}
        for j in lim_joints:
            wide = joint_range(j, "hypermobile")
            lims[j] = (col(lambda p: p.joint_limits.get(j, wide)[0]), col(lambda p: p.joint_limits.get(j, wide)[1]))
        return cls(
            height_m=col(lambda p: p.height_m),
            mobility=np.array([p.mobility for p in people], dtype=object),
            hamstring_tolerance_pct=col(lambda p: p.hamstring_tolerance_pct),
            hamstring_stiffness=col(lambda p: p.hamstring_stiffness),
            nerve_threshold_pct={s: col(lambda p: p.nerve_threshold_pct[s]) for s in SYMPTOM_SITES},
            sensitised=col(lambda p: p.sensitised),
            entrapment={k: col(lambda p: p.entrapment.get(k, 0.0)) for k in ent_sites} or None,
            joint_limits=lims or None,
        )

