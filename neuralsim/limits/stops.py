"""Where a movement stops, what stops it, and what is felt where.

:func:`movement_limit` moves one joint from a start posture, in one direction,
until the person's discomfort reaches their tolerance or the joint's range ends:

* **hamstrings**: the hamstrings' group stretch (each muscle's elongation over
  its length in the anatomical position, weighted by cross-sectional area:
  :func:`neuralsim.person.hamstring_stretch_pct`) relative to the person's
  stretch tolerance, ``h``;
* **nerve**: the rise of local nerve strain above standing (strain beyond the
  in-situ length, from :func:`neuralsim.nerve_mechanics`) at each region along the nerve relative to
  that region's threshold (:meth:`neuralsim.person.Person.threshold_pct`),
  summed along the nerve as a root-mean-square, ``n``;
* each is felt from an onset, and the felt parts add
  (:func:`neuralsim.person.discomfort`): the movement stops where
  ``D = h' + n'`` reaches 1.  One tissue alone stops it at its own limit;
  both together stop it sooner.  The end point of a healthy raise is thus
  not the first of two independent limits: the nerve takes part in it (as
  Boyd et al. 2009 argue from dorsiflexion lowering the healthy raise), and
  :attr:`MovementLimit.limited_by` names the larger share;
* **joint range**: the end of the person's range of the joint, if it comes first.

Solving
-------
For one start posture the sweep is the same for everybody: the joint's angle
``a0 + direction * t`` for ``t`` from 0 to the widest reach.  Nerve strain at
the sites and hamstring elongation are computed once on a 1-degree grid of
``t`` (one vectorised call), every person's discomfort is worked out on the
whole grid at once (an array ``(people, grid)``), the first grid step where it
reaches 1 brackets the stop, and 10 steps of bisection on all people's
brackets together (each step one vectorised call on an array of postures)
narrow it to 1/1024 deg.  There is no Python loop over people.  A stop
passed and un-passed again inside one 1-degree step would be missed; the
quantities here rise steadily along each movement.

Height: every length in the model scales with height (isometric scaling), so
strain and relative elongation do not depend on it (to the mechanics mesh, whose element
length is fixed in mm: under 0.01 % strain); the sweep uses the
default height and the result holds for everybody (a test checks this).

Shapes: for a single :class:`~neuralsim.person.Person` the result holds
floats and strings; for ``n`` people, arrays of shape ``(n,)`` and lists of
length ``n``.

>>> from neuralsim import Posture
>>> r = movement_limit(Posture(), "hip_flexion")     # a straight-leg raise, typical person
>>> r.limited_by
'hamstrings'
>>> round(r.angle_deg)                                # person_slr_hamstring_stop_deg
64
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping, Sequence

import numpy as np

from ..core import parameters as _p
from ..core.body import Body
from ..core.errors import OutOfRangeError, as_number, as_numbers, as_sign, check_size, read_only
from ..core.joints import JOINTS, UNIT, check_joint, joint_range
from ..model import registry as _reg
from ..model.lengths import HAMSTRINGS, REFERENCE, muscle_length
from .person import SYMPTOM_SITES, Person, discomfort, hamstring_stretch_pct, resting_strain_pct
from ..core.posture import Posture, as_posture
from .pelvis import PELVIS_MODES, with_rhythm

__all__ = [
    "movement_limit", "differentiate", "MovementLimit", "Differentiation", "REGIONS", "forward_bend", "mdd_deg",
    "after_stretching", "FELT_KEYS", "AKE_START", "HAMSTRING_FEEL",
    "LIMITED_BY", "MAX_PEOPLE", "MAX_REMOTE_ANGLES",
]

#: The most people one :func:`movement_limit` call takes, and the most rows (people times remote
#: angles) one :func:`differentiate` call takes: every row's discomfort is worked out on the whole
#: 1-degree grid at once, about 40 numbers per grid step, so this keeps a call to a few hundred MB.
MAX_PEOPLE = 10_000
#: The most remote angles one :func:`differentiate` call takes.
MAX_REMOTE_ANGLES = 1_000

#: What can stop a movement.
LIMITED_BY: tuple[str, ...] = ("hamstrings", "nerve", "joint range")

#: Where each symptom site is felt and how (plain words for the learner): the ``felt`` words
#: of each site in the registry.
REGIONS: Mapping[str, tuple[str, str]] = _reg.LiveMap(
    lambda r: {n: r.mechanics_nerve.sites[n].felt for n in r.mechanics_nerve.symptom_sites})
#: What a hamstring stretch feels like: the registry's ``felt`` words of the hamstrings.
HAMSTRING_FEEL: tuple[str, str] = _reg.Live(lambda r: r.felt["hamstrings"])  # type: ignore[assignment]
_JOINT_FEEL = ("the joint that moved", "firm block at the end of the joint's range, no stretch felt")

#: Columns of :attr:`MovementLimit.felt`: the end of the joint's range, the hamstrings, then each symptom site.
FELT_KEYS: tuple[str, ...] = _reg.Live(  # type: ignore[assignment]
    lambda r: ("joint range", "hamstrings", *r.mechanics_nerve.symptom_sites))


def _words(row: np.ndarray, nerve_first: bool) -> tuple:
    """Pairs (region, sensation) of the items felt, the main contributor's first, each group strongest first."""
    out: list[tuple[str, str]] = []
    reg = _reg.current()
    pairs = [_JOINT_FEEL, reg.felt["hamstrings"]] + [reg.mechanics_nerve.sites[s].felt for s in SYMPTOM_SITES]
    felt = _p.value("person_felt_min")
    order = list(np.argsort(-row, kind="stable"))
    if nerve_first:
        order = [k for k in order if k >= 2] + [k for k in order if k < 2]
    for k in order:
        if row[k] >= felt and pairs[k] not in out:
            out.append(pairs[k])
    return tuple(out)

# the sweep body: default height (strain and relative stretch do not depend on it) and the
# widest ranges, so that no angle a hypermobile person can reach is refused
_SWEEP_BODY = Body(mobility="hypermobile")
_GRID_STEP_DEG = 1.0
_BISECTIONS = 10


def _rest() -> np.ndarray:
    """(s,) local strain standing at the s symptom sites, % (cached in neuralsim.person)."""
    return np.array(resting_strain_pct())


def _reference_lengths() -> np.ndarray:
    return np.array([muscle_length(REFERENCE, m) for m in HAMSTRINGS])


def _quantities(angles: np.ndarray, start: Posture, joint: str, entrapment: dict | None = None,
                remote: dict | None = None, pelvis: str = "coupled") -> tuple[np.ndarray, np.ndarray]:
    """Rise of nerve strain above standing at the s symptom sites ``(..., s)`` (%) and the elongation
    of the k hamstrings ``(..., k)`` (%).

    ``remote``: remote joint -> angles (deg) broadcasting with ``angles`` (differentiation's rows)."""
    from ..mechanics.nerve import nerve_mechanics
    post = with_rhythm(start, {joint: angles, **(remote or {})}, pelvis)
    m = nerve_mechanics(post, None, body=_SWEEP_BODY, entrapment=entrapment or None)
    strain = np.stack([np.asarray(m.in_situ_strain_pct(s), dtype=float) for s in SYMPTOM_SITES], axis=-1)
    lengths = np.stack([np.asarray(muscle_length(post, mu, body=_SWEEP_BODY), dtype=float) for mu in HAMSTRINGS],
                       axis=-1)
    stretch = 100.0 * (lengths / _reference_lengths() - 1.0)
    return strain - _rest(), stretch


def _feel(rise: np.ndarray, elong: np.ndarray, thr: np.ndarray, tol: np.ndarray, parts: bool = True) -> dict:
    """:func:`neuralsim.person.discomfort` of site rises ``(..., s)`` and hamstring elongations ``(..., k)``."""
    return discomfort(rise, hamstring_stretch_pct(elong), thr, tol, parts=parts)


def _as_person(person: Any) -> Person:
    if person is None:
        return Person()
    if isinstance(person, Person):
        return person
    if isinstance(person, (list, tuple)):
        return Person.stack(person)
    raise TypeError(f"person must be a neuralsim.Person (or a list of them), got {type(person).__name__}")


def _single_start(start: Any) -> Posture:
    p = as_posture(start)
    if p.shape:
        raise ValueError(f"the start posture must be a single posture (shape ()), got shape {p.shape}")
    return p


@dataclass(frozen=True)
class MovementLimit:
    """Where a movement stopped for each person and why.

    ``angle_deg``: the moved joint's angle at the stop (deg; float or ``(n,)``);
    ``limited_by``: ``"hamstrings"``, ``"nerve"`` or ``"joint range"`` (str or list);
    ``intensity``: each item's part of the discomfort at the stop, over
    :data:`FELT_KEYS` (``(7,)`` or ``(n, 7)``; fractions of the person's tolerance:
    the hamstrings' felt stretch ``h'`` and each nerve region's part of ``n'``,
    :func:`neuralsim.person.discomfort`; they sum to ``discomfort``; the joint's
    block 2 when the range stopped the movement, else 0); ``felt`` (property):
    booleans, felt or not; ``symptoms`` (property): the same in words, a tuple of
    ``(region, sensation)`` pairs (or a list of them, one per person);
    ``discomfort``: ``D`` at the stop (1 when the person stopped it; below 1 when
    the joint's range did);
    ``nerve_strain_pct``: site -> local strain beyond the in-situ length at the stop (%);
    ``peak_nerve_strain_pct``: highest site strain at the stop (%);
    ``hamstring_stretch_pct``: the hamstrings' group stretch at the stop (%,
    :func:`neuralsim.person.hamstring_stretch_pct`);
    ``passive_resistance``: group stretch times relative stiffness (%; 1 x typical);
    ``nerve_ratio`` / ``hamstring_ratio``: each tissue's load at the stop, ``n`` and
    ``h`` (1 = where that tissue alone would stop the movement);
    ``joint``, ``start``, ``direction`` as given.
    """

    joint: str
    start: Posture
    direction: int
    angle_deg: Any
    limited_by: Any
    intensity: np.ndarray
    nerve_strain_pct: dict
    peak_nerve_strain_pct: Any
    hamstring_stretch_pct: Any
    passive_resistance: Any
    nerve_ratio: Any
    hamstring_ratio: Any
    discomfort: Any = None
    pelvis: str = "coupled"

    @property
    def felt(self) -> np.ndarray:
        """Booleans over :data:`FELT_KEYS` (shape ``(7,)`` or ``(n, 7)``): felt at the stop or not.

        An item is felt when its part of the discomfort is at least ``person_felt_min`` of the
        person's tolerance (the joint's block only when the joint range stopped the movement).
        """
        return self.intensity >= _p.value("person_felt_min")

    @property
    def symptoms(self):
        """What is felt where: a tuple of ``(region, sensation)`` pairs (or a list of them).

        The first pair belongs to what stopped the movement (:attr:`limited_by`): for a
        nerve stop the nerve's regions come first, strongest first, then the stretch.
        """
        if self.intensity.ndim == 1:
            return _words(self.intensity, self.limited_by == "nerve")
        return [_words(row, why == "nerve") for row, why in zip(self.intensity, self.limited_by)]

    @property
    def movement_deg(self):
        """How far the joint moved from the start to the stop (deg, >= 0)."""
        return np.abs(np.asarray(self.angle_deg) - getattr(self.start, self.joint)) if np.ndim(self.angle_deg) \
            else abs(self.angle_deg - getattr(self.start, self.joint))

    def posture(self, i: int | None = None) -> Posture:
        """The posture at the stop (of person ``i`` for many people), the pelvis tilted as it was there."""
        a = self.angle_deg if i is None else self.angle_deg[i]
        return with_rhythm(self.start, {self.joint: float(a)}, self.pelvis)

    def describe(self, i: int | None = None) -> str:
        """One sentence: where it stopped, why, and what was felt where."""
        a = self.angle_deg if i is None else self.angle_deg[i]
        why = self.limited_by if i is None else self.limited_by[i]
        sym = self.symptoms if i is None else self.symptoms[i]
        felt = "; ".join(f"{how} in the {where}" if where != _JOINT_FEEL[0] else how for where, how in sym)
        return f"stops at {self.joint.replace('_', ' ')} {a:.0f} {UNIT}, limited by the {why}: {felt}"


def _solve(start: Posture, joint: str, direction: int, a0: float, lo: np.ndarray, hi: np.ndarray,
           thr: np.ndarray, tol: np.ndarray, ent: dict, remote: tuple | None = None, pelvis: str = "coupled"):
    """The stops of people who share one entrapment ``ent``: grid bracketing, then vectorised bisection.

    Returns ``angle`` (deg), ``stopped_by_range`` (bool), site strain rises ``(m, s)`` and hamstring
    elongations ``(m, k)`` at the stop, for the ``m`` rows given.  ``remote``: ``(joint, angles (K,),
    row -> index into angles (m,))`` when the rows hold a remote joint at their own angles
    (:func:`differentiate`): the grid is then swept once for each remote angle, in one call.
    """
    rj = None if remote is None else {remote[0]: remote[1][remote[2]]}      # remote angle of each row
    reach = np.maximum(0.0, (hi - a0) if direction > 0 else (a0 - lo))      # (m,) deg
    T = float(reach.max())
    t = np.arange(0.0, T + _GRID_STEP_DEG, _GRID_STEP_DEG)
    t = t[t < T - 1e-9]
    t = np.append(t, T)                                                       # (G,) deg
    wide = joint_range(joint, "hypermobile")
    ang = np.clip(a0 + direction * t, *wide)
    if remote is None:
        rise, elong = _quantities(ang, start, joint, ent, None, pelvis)        # (G, s), (G, k)
        rise, elong = rise[None, :, :], elong[None, :, :]
    else:
        rise, elong = _quantities(ang[None, :], start, joint, ent, {remote[0]: remote[1][:, None]}, pelvis)  # (K, G, .)
        rise, elong = rise[remote[2]], elong[remote[2]]                       # (m, G, .)
    d = _feel(rise, elong, thr[:, None, :], tol[:, None], False)["D"]       # (m, G)
    passed = (d >= 1.0) & (t[None, :] <= reach[:, None] + 1e-9)
    any_grid = passed.any(axis=1)
    g1 = np.where(any_grid, passed.argmax(axis=1), 0)
    # check the end of each person's reach (it may fall between grid points)
    at_end = np.where(any_grid, False, True)
    lo_t = np.where(any_grid, t[np.maximum(g1 - 1, 0)], 0.0)
    hi_t = np.where(any_grid, t[g1], reach)
    if at_end.any():
        r_e, e_e = _quantities(np.clip(a0 + direction * reach, *wide), start, joint, ent, rj, pelvis)
        end_passed = at_end & (_feel(r_e, e_e, thr, tol, False)["D"] >= 1.0)
        last = np.searchsorted(t, reach, side="left") - 1
        lo_t = np.where(end_passed, t[np.clip(last, 0, None)], lo_t)
        stopped_by_range = at_end & ~end_passed
    else:
        stopped_by_range = np.zeros(len(reach), dtype=bool)
    at_start = any_grid & (g1 == 0)
    need = ~stopped_by_range & ~at_start
    for _ in range(_BISECTIONS):
        if not need.any():
            break
        mid = 0.5 * (lo_t + hi_t)
        r_m, e_m = _quantities(np.clip(a0 + direction * mid, *wide), start, joint, ent, rj, pelvis)
        over = _feel(r_m, e_m, thr, tol, False)["D"] >= 1.0
        hi_t = np.where(need & over, mid, hi_t)
        lo_t = np.where(need & ~over, mid, lo_t)
    t_stop = np.where(stopped_by_range, reach, np.where(at_start, 0.0, hi_t))
    angle = np.clip(a0 + direction * t_stop, lo, hi)
    if remote is None:
        r_f, e_f = _quantities(angle, start, joint, ent, None, pelvis)             # (m, s), (m, k)
    else:
        # the reported strains at the stop: each remote angle as one number, as movement_limit has it
        # (numpy's vectorised sine and cosine may differ from the scalar ones in the last bit)
        r_f, e_f = np.empty((angle.size, len(SYMPTOM_SITES))), np.empty((angle.size, len(HAMSTRINGS)))
        for k in np.unique(remote[2]):
            rows = np.flatnonzero(remote[2] == k)
            r_f[rows], e_f[rows] = _quantities(angle[rows], start.replace(**{remote[0]: float(remote[1][k])}),
                                               joint, ent, None, pelvis)
    return angle, stopped_by_range, r_f, e_f


def _check_movement(start: Any, joint: Any, person: Any, direction: Any) -> tuple[Posture, str, Person, int]:
    """The arguments of a movement, checked (the sizes included) before any work."""
    start = _single_start(start)
    check_joint(joint)
    direction = as_sign("direction", direction, f"+1: the {joint} angle grows; -1: it falls")
    people = _as_person(person)
    check_size("person", people.n, MAX_PEOPLE, "people")
    return start, joint, people, direction


def movement_limit(start: Any, joint: str, person: Any = None, *, direction: int = +1,
                   pelvis: str = "coupled") -> MovementLimit:
    """Move ``joint`` from the ``start`` posture until the person's discomfort reaches 1; see the module docstring.

    ``start``: a single posture (``Posture``, mapping joint -> deg, or array ``(8,)``);
    ``joint``: the joint that moves; ``direction``: +1 (the angle grows) or -1;
    ``person``: a :class:`~neuralsim.person.Person` (one or many, at most
    :data:`MAX_PEOPLE`, ten thousand), a list of them, or ``None`` for the typical person.

    The straight-leg raise is ``movement_limit(Posture(), "hip_flexion")``;
    the slump's knee extension is ``movement_limit(slump_posture, "knee_flexion",
    direction=-1)`` (the knee straightens: its flexion angle falls).

    ``pelvis``: ``"coupled"`` (default) lets the pelvis tilt back as people's do, with the thigh
    rising towards the trunk and the knee straightening with the hip flexed
    (:func:`neuralsim.limits.pelvis.coupled_tilt`, on top of the start's own ``pelvic_tilt``);
    ``"fixed"`` holds it at the start's tilt.  The stop is given as the moved joint's angle of
    the posture: for the hip, the thigh-trunk angle a clinician reads.
    """
    start, joint, people, direction = _check_movement(start, joint, person, direction)
    return _limits(start, joint, people, direction, pelvis=_check_pelvis(pelvis))[0]


def _check_pelvis(pelvis: Any) -> str:
    from ..core.errors import as_name
    return as_name("pelvis", pelvis, PELVIS_MODES)


def _limits(start: Posture, joint: str, people: Person, direction: int,
            remote_joint: str | None = None, remote_angles: np.ndarray | None = None,
            pelvis: str = "coupled") -> list[MovementLimit]:
    """:func:`movement_limit` for every person with ``remote_joint`` at each of ``remote_angles``
    (deg; one :class:`MovementLimit` per remote angle), all remote angles in one sweep."""
    n = people.n
    ra = None if remote_joint is None else np.asarray(remote_angles, dtype=float)
    K = 1 if ra is None else len(ra)
    a0 = float(getattr(start, joint))
    for j in JOINTS:          # the start must be a posture every person can take (a loop over joints)
        lo_j, hi_j = people.joint_range(j)
        a_j = ra if j == remote_joint else np.array([float(getattr(start, j))])
        bad = (a_j[:, None] < lo_j - 1e-9) | (a_j[:, None] > hi_j + 1e-9)         # (K, n)
        if bad.any():
            kk, k = np.unravel_index(int(np.argmax(bad)), bad.shape)
            raise OutOfRangeError(j, float(a_j[kk]), lo_j[k], hi_j[k], UNIT, extra=f"(start posture; the range of person {k})")
    lo, hi = people.joint_range(joint)
    thr = people.thresholds()                                                 # (n, s) %
    tol = people.tolerance()                                                  # (n,) %
    # people held at the same places with the same severities share one sweep of the mechanics:
    # a loop over the distinct entrapments (a handful), never over people
    sites = sorted(people.entrapment)
    sev = np.stack([np.broadcast_to(np.asarray(people.entrapment[k], float), (n,)) for k in sites], axis=1) \
        if sites else np.zeros((n, 0))
    groups, which = np.unique(sev, axis=0, return_inverse=True)
    which = np.asarray(which).reshape(-1)
    angle = np.empty((K, n))
    stopped_by_range = np.empty((K, n), dtype=bool)
    s_f = np.empty((K, n, len(SYMPTOM_SITES)))
    h_f = np.empty((K, n, len(HAMSTRINGS)))
    for g, row in enumerate(groups):
        idx = np.flatnonzero(which == g)
        ent = {k: float(v) for k, v in zip(sites, row) if v > 0}
        rk = np.repeat(np.arange(K), idx.size)                                 # rows: (remote angle, person)
        ri = np.tile(idx, K)
        got = _solve(start, joint, direction, a0, lo[ri], hi[ri], thr[ri], tol[ri], ent,
                     None if ra is None else (remote_joint, ra, rk), pelvis)
        angle[rk, ri], stopped_by_range[rk, ri], s_f[rk, ri], h_f[rk, ri] = got
    starts = [start] if ra is None else [start.replace(**{remote_joint: float(r)}) for r in ra]
    return [_movement_limit(starts[kk], joint, direction, people, angle[kk], stopped_by_range[kk], s_f[kk],
                            h_f[kk], thr, tol, pelvis) for kk in range(K)]


def _movement_limit(start: Posture, joint: str, direction: int, people: Person, angle: np.ndarray,
                    stopped_by_range: np.ndarray, s_f: np.ndarray, h_f: np.ndarray, thr: np.ndarray,
                    tol: np.ndarray, pelvis: str = "coupled") -> MovementLimit:
    """The :class:`MovementLimit` of the stops found (arrays over the people), read-only."""
    f = _feel(s_f, h_f, thr, tol)
    limited = np.where(stopped_by_range, "joint range", np.where(f["h_felt"] >= f["n_felt"], "hamstrings", "nerve"))
    # each item's part of the discomfort, (n, 2 + s) over FELT_KEYS;
    # the joint's block counts 2 (above everything) when the range stopped the movement
    intensity = np.concatenate([2.0 * stopped_by_range[:, None], f["h_felt"][:, None], f["sites"]], axis=1)
    stretch_max = hamstring_stretch_pct(h_f)
    strain_f = s_f + _rest()
    single = not people.shape

    def pick(x):
        return float(x[0]) if single else read_only(np.array(x))

    return MovementLimit(
        joint=joint, start=start, direction=int(direction),
        angle_deg=pick(angle), limited_by=str(limited[0]) if single else [str(x) for x in limited],
        intensity=read_only(np.array(intensity[0] if single else intensity)),
        nerve_strain_pct={s: pick(strain_f[:, k]) for k, s in enumerate(SYMPTOM_SITES)},
        peak_nerve_strain_pct=pick(strain_f.max(axis=-1)),
        hamstring_stretch_pct=pick(stretch_max),
        passive_resistance=pick(stretch_max * people.stiffness()),
        nerve_ratio=pick(f["n"]), hamstring_ratio=pick(f["h"]), discomfort=pick(f["D"]), pelvis=pelvis,
    )


def mdd_deg(joint: str) -> float:
    """The minimal detectable difference of a stop of ``joint``'s movement (deg): the straight-leg
    raise's for the hip (``mdd_slr_deg``), the knee-extension tests' for the knee
    (``mdd_knee_extension_deg``); for another joint, none being published, the larger of the two."""
    check_joint(joint)
    if joint == "hip_flexion":
        return _p.value("mdd_slr_deg")
    if joint == "knee_flexion":
        return _p.value("mdd_knee_extension_deg")
    return max(_p.value("mdd_slr_deg"), _p.value("mdd_knee_extension_deg"))


@dataclass(frozen=True)
class Differentiation:
    """Stops of one movement at several angles of a remote joint.

    ``remote_angles_deg`` ``(K,)``; ``results``: one :class:`MovementLimit` per
    remote angle; ``angle_deg``: stops, ``(K,)`` for one person or ``(K, n)``;
    ``change_deg``: stop at the last remote angle minus stop at the first
    (deg; float or ``(n,)``); ``symptoms_change``: whether what is felt
    differs between the first and last remote angle (bool or ``(n,)``);
    ``mdd_deg``: the movement's minimal detectable difference (:func:`mdd_deg`);
    ``beyond_mdd`` (property): whether the change exceeds it, i.e. is more than
    measurement error.
    """

    joint: str
    remote_joint: str
    remote_angles_deg: np.ndarray
    results: tuple
    angle_deg: np.ndarray
    change_deg: Any
    symptoms_change: Any
    mdd_deg: float = 7.0

    @property
    def beyond_mdd(self):
        """True where the stop changed by more than the minimal detectable difference (bool or ``(n,)``)."""
        out = np.abs(np.asarray(self.change_deg)) > self.mdd_deg
        return bool(out) if out.ndim == 0 else out

    def nerve_involved(self, min_change_deg: float | None = None):
        """True where moving the remote joint changed the stop by more than ``min_change_deg``.

        The remote joint is one the hamstrings do not cross, so only the nerve
        can carry its effect to the stop.  Default threshold: the movement's minimal
        detectable difference (:attr:`mdd_deg`): a smaller change is measurement error.
        """
        m = self.mdd_deg if min_change_deg is None \
            else as_number("min_change_deg", min_change_deg, 0.0, np.inf, UNIT)
        out = np.abs(np.asarray(self.change_deg)) > m
        return bool(out) if out.ndim == 0 else out


def differentiate(start: Any, joint: str, remote_joint: str, remote_angles: Sequence[float],
                  person: Any = None, *, direction: int = +1, pelvis: str = "coupled") -> Differentiation:
    """Structural differentiation: the stop of ``joint`` with ``remote_joint`` at each of ``remote_angles`` (deg).

    The remote joint must be one the hamstrings do not cross (not the hip's
    flexion, not the knee): the neck (``cervical_flexion``), the ankle, the
    spine, or the hip's adduction and rotation.  If it changes where the
    movement stops, the nerve is involved.

    ``remote_angles``: at least two, at most :data:`MAX_REMOTE_ANGLES` (a thousand)
    angles in degrees, within the remote joint's hypermobile range; remote angles times
    people at most :data:`MAX_PEOPLE` (ten thousand).  Every remote angle is swept in one
    vectorised call (the stops are those :func:`movement_limit` gives at each).
    """
    start, joint, people, direction = _check_movement(start, joint, person, direction)
    check_joint(remote_joint)
    if remote_joint in ("hip_flexion", "knee_flexion"):
        raise ValueError(f"remote joint {remote_joint!r} is crossed by the hamstrings, so it cannot tell nerve "
                         "from hamstrings; choose cervical_flexion, ankle_dorsiflexion, a spinal joint, "
                         "hip_adduction or hip_internal_rotation")
    if remote_joint == joint:
        raise ValueError(f"the remote joint must differ from the moving joint ({joint})")
    ra = as_numbers(f"remote_angles ({remote_joint})", remote_angles, *joint_range(remote_joint, "hypermobile"),
                    UNIT, "(hypermobile range)")
    if ra.ndim != 1 or ra.size < 2:
        raise ValueError(f"remote_angles must be a 1-d list of at least two angles in {UNIT}, got shape {ra.shape}")
    check_size("remote_angles", ra.size, MAX_REMOTE_ANGLES, "remote angles")
    check_size("remote_angles x people", ra.size * people.n, MAX_PEOPLE, "rows (remote angles x people)")
    ra = read_only(ra.copy())
    results = tuple(_limits(start, joint, people, direction, remote_joint, ra, _check_pelvis(pelvis)))
    stops = np.array([np.asarray(r.angle_deg, dtype=float) for r in results])
    change = stops[-1] - stops[0]
    sym = (results[0].felt != results[-1].felt).any(axis=-1)
    sym_change: Any = bool(sym) if sym.ndim == 0 else read_only(sym)
    return Differentiation(joint, remote_joint, ra, results, read_only(stops),
                           float(change) if change.ndim == 0 else read_only(change), sym_change, mdd_deg(joint))


def forward_bend(person: Any = None, trunk_deg: float = 90.0) -> dict:
    """Bend forward, knees straight, until the trunk leans ``trunk_deg`` (deg from upright).

    The hip hinges first, as far as the person's first limit for hip flexion
    (hamstrings, nerve or a stiff hip's range, from :func:`movement_limit`);
    the rest is made up by rounding the low back and then the upper back,
    each to its range.  Returns a dict (arrays ``(n,)`` for many people):
    ``hip_deg``, ``lumbar_deg``, ``thoracic_deg`` (deg), ``reached_deg``
    (the lean achieved, deg), ``hip_limited_by``, ``nerve_strain_pct``
    (site -> % beyond the in-situ length at the end posture) and ``peak_nerve_strain_pct``.  This is the
    source article's point that a hip that does not hinge makes the spine
    round, and the rounding lengthens the nerve's bed, not the hamstrings.
    """
    from ..mechanics.nerve import nerve_mechanics
    trunk_deg = as_number("trunk lean", trunk_deg, 0.0, 150.0, UNIT)
    people = _as_person(person)
    hip = movement_limit(Posture(), "hip_flexion", people)
    h = np.atleast_1d(np.asarray(hip.angle_deg, dtype=float))
    hip_deg = np.minimum(trunk_deg, h)
    rest = trunk_deg - hip_deg
    lum_max = people.joint_range("lumbar_flexion")[1]
    tho_max = people.joint_range("thoracic_flexion")[1]
    lum = np.minimum(rest, lum_max)
    tho = np.minimum(rest - lum, tho_max)
    post = Posture(hip_flexion=hip_deg, lumbar_flexion=lum, thoracic_flexion=tho)
    m = nerve_mechanics(post, None, body=_SWEEP_BODY)
    strain = {s: np.asarray(m.in_situ_strain_pct(s), dtype=float) for s in SYMPTOM_SITES}
    single = not people.shape

    def pick(x):
        return float(np.asarray(x).reshape(-1)[0]) if single else np.asarray(x)

    return {"hip_deg": pick(hip_deg), "lumbar_deg": pick(lum), "thoracic_deg": pick(tho),
            "reached_deg": pick(hip_deg + lum + tho), "hip_limited_by": hip.limited_by,
            "nerve_strain_pct": {k: pick(v) for k, v in strain.items()},
            "peak_nerve_strain_pct": pick(np.max(np.stack(list(strain.values())), axis=0))}


def after_stretching(person: Any = None, weeks: int = 4) -> Person:
    """The person after a programme of hamstring stretching, as far as trials support.

    Only 4 weeks is supported (``ValueError`` otherwise: no trial in the
    project's evidence gives a figure for another duration).  Ylinen et al.
    2009: after 4 weeks of daily stretching the straight-leg raise grew by
    17 deg with no change of the force at the same angle, i.e. the muscle's
    length-tension curve did not move: the stretch is tolerated further.  In
    neuralsim that is a higher ``hamstring_tolerance_pct``: the group stretch
    the hamstrings reach 17 deg further along the raise (from where the
    stretch alone would stop the person, ankle and neck neutral).  Stiffness is left unchanged
    (Ylinen; Marshall et al. 2011 found -31 %, so this is stated as
    uncertain), and the nerve's thresholds are unchanged: no trial here shows
    hamstring stretching changing nerve sensitivity.  A person stopped by the
    nerve therefore gains little or nothing.
    """
    if isinstance(weeks, bool) or weeks != 4:
        raise ValueError(f"weeks: {weeks!r} is not supported; the trials in the evidence (Ylinen et al. 2009, "
                         "Marshall et al. 2011) give figures for 4 weeks only")
    people = _as_person(person)
    gain = 17.0
    tol = people.tolerance()
    # the hamstring-only stop: the angle where the group stretch reaches the tolerance, ignoring the nerve
    grid = np.arange(0.0, joint_range("hip_flexion", "hypermobile")[1] + 0.5, 0.5)
    lengths = np.stack([np.asarray(muscle_length(with_rhythm(Posture(), {"hip_flexion": grid}), mu, body=_SWEEP_BODY))
                        for mu in HAMSTRINGS], axis=-1)
    stretch = hamstring_stretch_pct(100.0 * (lengths / _reference_lengths() - 1.0))   # rises with the angle
    ang = np.interp(tol, stretch, grid)
    new_tol = np.interp(np.minimum(ang + gain, grid[-1]), grid, stretch)
    new_tol = float(new_tol[0]) if not people.shape else new_tol
    return people.replace(hamstring_tolerance_pct=new_tol)


#: The active-knee-extension start as Kuilart et al. 2005 measured it: lying supine, the thigh and the
#: knee at 90 deg, spine and neck neutral (not the slump, whose flexed spine and neck load the nerve),
#: the pelvis turned back as bringing the thigh up turns it (:mod:`neuralsim.limits.pelvis`).
from .pelvis import AKE_START  # noqa: E402
