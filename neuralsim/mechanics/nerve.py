r"""How the nerve and cord move inside their bed: slack, excursion and local strain.

The core model (:mod:`neuralsim.model`) gives the length of the nerve *bed*.
This module asks what the nerve lying in that bed does: where it slides, how
far, where it is stretched and where it falls slack.  For teaching and
self-exploration, not for diagnosis or treatment.

The model: a tension-only cable in a regional bed
-------------------------------------------------
Arc length ``s`` (mm) runs along the bed from C1 (``s = 0``) to the end of the
bed in the foot (``s = L``), measured in the anatomical position.  The cable is
the spinal cord (C1 to the conus, about L1/L2), the cauda equina and roots
(conus to a little beyond the foramina) and the sciatic and tibial nerve, each tissue
with its own axial stiffness ``EA`` (cord and roots as fractions of the
nerve's).

*Bed.*  Segments are rigid, so the bed only changes length at the joint
crossings of :func:`neuralsim.model.nerve_pathway`.  The neck is not one
joint: the core's ``cervical_flexion`` lengthening is shared among six
crossings C2/3 to C7/T1 in proportion to their segmental range of motion
(White & Panjabi), placed at equal vertebral heights along the cervical run;
the public joint is unchanged.  A bed point at ``s`` moves along the bed by
``U(s) = sum_j Delta_j H(s - s_j)`` (mm, + = distal).

*Nerve.*  The nerve moves by ``u(s)``.  In the reference posture it lies taut
under one small resting tension ``T0`` (strain ``p`` in the nerve,
``p / (EA ratio)`` in cord and roots).  Its strain is ``e = u' + p`` and its
tension

.. math::  t = EA \max(e, 0) + (r - 1)\, EA \max(e - e_t, 0):

it can be stretched but never pushed, and it stiffens as it is stretched: a
toe region of stiffness ``EA`` up to ``e_t`` (the tissue's toe end, taken
beyond its resting strain), then a linear region ``r`` times stiffer
(:data:`TISSUES` each with their own ``e_t`` and ``r``; ``parameters.csv``).
Where the bed shortens more than the resting tension can take up, the nerve
falls slack (lies in a fold) and carries nothing; it is not pushed along its bed.

*Interface.*  The tissue round the nerve resists sliding with ``k (u - U)``
per unit length; ``lam = sqrt(EA / k)`` (mm) is the shear-lag length of each
region: short in the cervical canal (the dentate ligaments and roots tether
the cord), long in the thoracic and lumbar canal (cord and cauda slide in
CSF), short for the roots held at their foramina, long along the limb and
short again in the tarsal tunnel.  With ``NerveModel(glide_mm=leg_glide_mm())`` (off by
default) the nerve in the leg (below the knee's crossing, above the tarsal
tunnel) glides on its bed only so far: beyond a slide
``|u - U|`` of ``mech_glide_leg_mm`` (read from the largest slide measured
behind the knee in people, Shum et al. 2013) the hold is
``(lam_limb / lam_beyond)^2`` times stiffer, the bed holding the nerve about as
firmly as where it is bound (``mech_shear_lag_beyond_glide``, an assumption):

.. math::  q(x) = k x + (r - 1)\, k\, \operatorname{sign}(x) \max(|x| - x_g, 0).

So a pre-position that has used the glide up leaves a later movement less to
slide and more to strain (flexing the hip first: dorsiflexion moves the nerve
behind the knee less, Boyd et al. 2012, and strains it more at the ankle,
Alshami et al. 2008: both within their published figures with it on).  It is
off by default because the stops of :mod:`neuralsim.limits` are calibrated on a
freely gliding leg: with it on, the typical raise's nerve is no longer felt at
the anchor, and the classroom's cases change their answers; until those
anchors are set again with it, the Boyd and Alshami rows of ``data/evidence.csv``
stay misses of the default model.  An *entrapment* adds a point hold at a
named place (:data:`ENTRAPMENT_SITES`): a teaching hypothesis, not a finding
in people (in people with spinally referred leg pain, radiculopathy included,
Ridehalgh et al. 2015 found sciatic excursion no different from people
without it; a row of ``data/evidence.csv``).  Ends: ``u(0) = 0`` at C1,
``u(L) = U(L)`` at the foot.

The state is the unique minimum of the convex energy

.. math::  E(u) = \sum_e \tfrac{1}{2} EA_e h_e \left[\max(\varepsilon_e + p_e, 0)^2
                + (r_e - 1) \max(\varepsilon_e + p_e - e_{t,e}, 0)^2\right]
                + \sum_i \tfrac{1}{2} k_i c_i \left[(u_i - U_i)^2
                + (r_i - 1) \max(|u_i - U_i| - x_g, 0)^2\right],

(``r_i = 1`` off the leg and with the glide off; the tension law and the hold
are monotone, so the energy is convex) so it depends only on
the posture and the reference, never on the order in which the joints were
moved.

Solution (exact, vectorised over postures)
------------------------------------------
Each crossing sits in the middle of a short element of its own.  Between
candidate elements (the crossings' elements, the two ends and each entrapment
hold) the tension obeys ``t'' = (k / EA)(t - T0)``, which has no interior
minimum below ``T0`` (> 0): the nerve can only fall slack in a candidate
element.  Write ``f >= 0`` for the slack (mm of fold) in each candidate; the
taut system is linear, so the strain ``w`` of the candidates is
``w = p + Mx Delta + Mf f`` with matrices computed once.  The state solves the
complementarity problem ``w >= 0, f >= 0, w f = 0`` (``Mf`` is positive
definite: one solution), found exactly by block principal pivoting with the
postures grouped by their set of slack elements (one small solve per group;
Murty's single-pivot rule as a fall-back).  That is the whole answer for a
posture whose every element stays in its toe, checked exactly on the key
elements (inside a piece of one tissue the strain has no interior maximum
above its resting strain, and every toe end lies above it).  Beyond the toe
the stiffer part acts as a second fibre in parallel, taut only beyond ``e_t``;
its tension in an element is an eigenstrain ``eta`` of the toe system, and
the leg's hold beyond its glide a point force at its node (one variable for
each direction of slide), so those postures solve a second complementarity
problem in (folds, ``eta`` of every element, the holds beyond the glide):
``eta >= 0``, ``e_t + eta / (r - 1) - e >= 0``, one zero (and likewise with
the slide and the glide), again by block principal pivoting (one stacked solve per size of the active
set).  Displacement, excursion and strain are superpositions of unit
responses.  :meth:`NerveModel.solve_direct` solves the same energy
independently, by an active-set Newton method over every element and its
three regimes (slack, toe, beyond) and every leg node's hold (within or beyond
its glide; batched Thomas algorithm), and agrees to rounding (tested).

Outputs (positive = distal):

* excursion ``u - U`` (mm): how far the nerve has slid along its bed;
* local strain from the unloaded length (%): ``max(u' + p, 0)``; 0 where slack;
  never negative.  Published strains are changes from a start posture:
  compare differences (the experiments of :mod:`neuralsim.evidence.experiments` do);
* local strain from the in-situ length (%, the ``in_situ_`` outputs): the
  change of length from the nerve's length lying at rest in the reference
  posture (default the anatomical position), ``(1 + e) / (1 + e_rest) - 1``
  with ``e`` and ``e_rest`` from the unloaded length.  This is what an
  experiment measures between two marks on a nerve in situ, and what every
  threshold, band and colour applies to: the rabbit thresholds
  (:mod:`neuralsim.mechanics.bands`) are elongation beyond in-situ length.
  The exact ratio, not the first-order ``e - e_rest``: the roots rest at
  ``p / 0.15`` (2.7 %), where the two differ by 0.2 % at 8 %, and the ratio is
  the one a marker study reports.  Negative where the nerve lies slack (its
  unloaded length is shorter than its in-situ length).

The rabbit bands are applied to the peripheral nerve only.  The cord has its
own (:data:`CORD_STRAIN_BANDS`), and so do the roots (:data:`ROOT_STRAIN_BANDS`):
they have no epineurium, and no threshold of harm measured in roots was found.

Sites (:data:`SITES`, declared with the nerve in the registry, ``data/structures.json``): ``"cervical"`` is the peak cord strain over C2-T1,
``"conus"`` the lower end of the cord, then the roots near their foramina,
the hip, mid-thigh, popliteal fossa and ankle.  Cord strain has its own bands
(:data:`CORD_STRAIN_BANDS`); the peripheral-nerve bands are not applied to it.

Limitations (the model beside each published figure: :func:`neuralsim.evidence.comparisons`): elastic: the state
the moment a posture is reached (what holding it does over time, relaxation and creep, is
:func:`neuralsim.mechanics.held`, one relaxation function for the whole cable, and the nerve keeps its
place while it relaxes); the toe ends beyond everyday strains (8 % nerve
and roots, 10 % cord, beyond rest: assumptions), so in the course's movements
the nerve stays in its toe; the leg glides without limit by default (so hip and ankle add
linearly at the popliteal fossa, against Boyd et al. 2012, and both pre-positions add no
ankle strain, against Alshami et al. 2008); with the glide on, where it ends is read from
one excursion measured in people and applied all along the leg, how firmly the bed then
holds is an assumption, and the thigh glides without limit; the interface holds
by its slide, not by friction that tightens with the nerve's tension; the
cervical tethers and the roots' hold are linear springs, so the neck does not
reach the thigh through a taut neuraxis (neck flexion moves the mid-thigh nerve
as little slumped with the knee straight as in neutral sitting) and at mid-thigh
the seated slider, knee extension alone and the tensioner are nearly the same; the lumbar spine and
thorax still bend at one crossing each; the cord tethers, root hold, tissue
stiffnesses, toe ends and resting tension are assumptions chosen within
published ranges (each row of ``data/parameters.csv`` says which).

>>> m = nerve_mechanics(Posture(hip_flexion=70))
>>> m.excursion_mm("popliteal") < 0   # hip flexion pulls the nerve up the leg
True
>>> slack = nerve_mechanics(Posture(knee_flexion=120))
>>> slack.slack_mm > 0 and slack.excursion_mm("mid_thigh") < 5   # a bent knee lets it go slack
True
"""
from __future__ import annotations

import math
from collections import OrderedDict
from functools import cached_property
from typing import Any, Mapping

import numpy as np

from ..core import parameters as _p
from ..core.body import Body
from ..model.geometry import Crossing, Run
from ..model import registry as _reg
from ..model.lengths import REFERENCE, _body
from ..core.posture import Posture, angle_array, broadcast_shape  # noqa: F401  (Posture: the docstrings' examples)

__all__ = [
    "SITES", "REGIONS", "TISSUES", "ENTRAPMENT_SITES", "NECK_LEVELS", "STRAIN_BANDS", "CORD_STRAIN_BANDS", "StrainBand",
    "strain_band", "strain_colour", "NerveModel", "NerveMechanics", "nerve_mechanics", "nerve_model",
    "BAND_CAVEAT", "ROOT_STRAIN_BANDS",
]

#: Named sites along the nerve, head to foot, as the registry's mechanics nerve declares
#: them (its ``sites``; a live view of the active registry).  ``"cervical"`` reports the
#: peak cord strain over C2-T1; ``"conus"`` is the lower end of the cord.
SITES: tuple[str, ...] = _reg.Live(lambda r: r.mechanics_nerve.sites)  # type: ignore[assignment]

#: Tissues with their own stiffness and tension law, head to foot.
TISSUES: tuple[str, ...] = ("cord", "roots", "nerve")

#: Regions with their own interface (shear-lag length), head to foot.
REGIONS: tuple[str, ...] = ("cervical_canal", "canal", "roots", "limb", "tarsal_tunnel")

#: Where an entrapment can hold the nerve (see :func:`nerve_mechanics`): the registry's
#: ``entrapments`` of the mechanics nerve (a live view of the active registry).
ENTRAPMENT_SITES: tuple[str, ...] = _reg.Live(lambda r: r.mechanics_nerve.entrapments)  # type: ignore[assignment]

#: The neck's intervertebral levels over which ``cervical_flexion`` is shared.
NECK_LEVELS: tuple[str, ...] = ("c2_c3", "c3_c4", "c4_c5", "c5_c6", "c6_c7", "c7_t1")

# The nerve's strain bands (thresholds, labels, colours) are the one scale in
# neuralsim.bands, shared with the figure and the plots; the cord has its own.
from ..core.errors import OutOfRangeError, as_name, as_number, read_only  # noqa: E402
from .bands import BAND_CAVEAT, STRAIN_BANDS, StrainBand, strain_band, strain_colour  # noqa: E402


def _cord_bands() -> tuple[StrainBand, ...]:
    normal = _p.PARAMETERS["strain_band_cord_normal_flexion"]
    v = normal.value
    return (
        StrainBand("within normal neck flexion", 0.0, v, f"under {v:g} %", f"under {v:g} %: within normal neck flexion",
                   "no more than full neck flexion stretches a normal cervical cord (cadavers)",
                   normal.source, "#56B4E9", ""),
        StrainBand("beyond normal movement", v, math.inf, f"from {v:g} %", f"from {v:g} %: beyond normal movement",
                   "more than full neck flexion gives a normal cord; the model has no sourced threshold of "
                   "harm for the cord", normal.source, "#E69F00", "12 6"),
    )


#: Strain bands of the spinal cord, from cord data (the nerve's rabbit bands are not applied to it).
CORD_STRAIN_BANDS: tuple[StrainBand, ...] = _cord_bands()


def _root_bands() -> tuple[StrainBand, ...]:
    slr = _p.PARAMETERS["strain_band_root_slr"]
    v = slr.value
    return (
        StrainBand("within a straight-leg raise", 0.0, v, f"under {v:g} %", f"under {v:g} %: within a straight-leg raise",
                   "no more than a straight-leg raise stretched the L4-S1 roots of cadavers", slr.source, "#56B4E9", ""),
        StrainBand("beyond a straight-leg raise", v, math.inf, f"from {v:g} %", f"from {v:g} %: beyond a straight-leg raise",
                   "more than a straight-leg raise stretched cadaver roots; the model has no sourced threshold of "
                   "harm for the roots", slr.source, "#CC79A7", "12 6"),
    )


#: Strain bands of the lumbosacral roots (in-situ strain), from root data: the nerve's rabbit
#: bands, measured on peripheral nerve, are not applied to roots, which have no epineurium.
ROOT_STRAIN_BANDS: tuple[StrainBand, ...] = _root_bands()


def _in_situ(pct: np.ndarray, rest: np.ndarray) -> np.ndarray:
    """Strain from the in-situ length (%) of strain ``pct`` from the unloaded length (%), with the
    resting strain ``rest`` (dimensionless, broadcasting against the rows of ``pct``)."""
    return 100.0 * ((1.0 + 0.01 * pct) / (1.0 + rest) - 1.0)


# -- the model ----------------------------------------------------------------

def _positive(name: str, value: Any, unit: str, allow_zero: bool = False, upper: float = math.inf) -> float:
    if isinstance(value, (bool, np.bool_, np.timedelta64)) or not isinstance(value, (int, float, np.floating, np.integer)):
        raise TypeError(f"{name}: {value!r} is not a number; give a number in {unit}")
    value = float(value)
    ok = (math.isfinite(value) or value == math.inf) and (value >= 0 if allow_zero else value > 0) and value <= upper
    if not ok:
        lo = "0 or more" if allow_zero else "more than 0"
        raise ValueError(f"{name}: {value!r} {unit} is not allowed; give a number {lo}"
                         + (f" and at most {upper:g} {unit}" if upper < math.inf else ""))
    return value


def _check_entrapment(entrapment: Any, sites: tuple[str, ...] | None = None) -> tuple[tuple[str, float], ...]:
    """``entrapment`` as a sorted tuple of (site, severity) with severity > 0 (checked against
    ``sites``, default the active registry's :data:`ENTRAPMENT_SITES`)."""
    if entrapment is None:
        return ()
    allowed = tuple(_reg.current().mechanics_nerve.entrapments) if sites is None else sites
    if not isinstance(entrapment, Mapping):
        raise TypeError(f"entrapment must be a mapping site -> severity (0 to 1), got {type(entrapment).__name__}")
    out = []
    for site, sev in entrapment.items():
        as_name("entrapment site", site, allowed)
        sev = as_number(f"entrapment severity at {site}", sev, 0.0, 1.0, "(0 free .. 1 held fast)")
        if sev > 0.0:
            out.append((site, sev))
    return tuple(sorted(out))


def leg_glide_mm(body: Body | None = None) -> float:
    """The leg's glide to give ``NerveModel(glide_mm=...)`` (mm): ``mech_glide_leg_mm`` scaled with the body."""
    return _p.value("mech_glide_leg_mm") * _body(body).scale


#: Model-size bounds: the smallest target element length (mm) and the most elements.
ELEMENT_MM_MIN = 1.0
MAX_ELEMENTS = 20000


class NerveModel:
    """The nerve-in-its-bed model for one body, with its parameters.

    Defaults come from ``parameters.csv``.  Overrides (for teaching and tests):
    ``shear_lag_mm``: a number (mm, every region) or a mapping region -> mm
    (``math.inf``: no interface friction there); ``prestrain_pct``: the
    nerve's strain in the anatomical position (%, 0 or more; the cord's
    follows from the same resting tension); ``cord_stiffness``: axial
    stiffness of the cord as a fraction of the peripheral nerve's;
    ``element_mm``: target element length (mm); ``entrapment``: mapping
    site -> severity 0..1 (see :func:`nerve_mechanics`); ``registry``: the
    :class:`~neuralsim.model.registry.Registry` whose mechanics nerve it models
    (default the active one), with its sites and entrapment places;
    ``toe_end_pct``: where each tissue's toe region ends (% beyond its
    resting strain; ``math.inf``: never), and ``stiffening``: its stiffness
    beyond the toe as a multiple of the toe's (1 or more; 1: linear), each a
    number for every tissue or a mapping tissue -> value (:data:`TISSUES`);
    ``glide_mm``: how far the tibial nerve in the leg (below the knee's
    crossing, above the tarsal tunnel) slides on its bed before the bed holds
    it (mm; default ``math.inf``, off: it glides without limit, the interface
    linear; :func:`leg_glide_mm` is the figure read from people, scaled
    with the body).

    Attributes: ``s_mm`` node positions (``(N,)``, mm from C1);
    ``element_mm`` element lengths (``(N-1,)``, mm); ``cord`` (``(N-1,)``
    bool, element is spinal cord); ``length_mm``; ``crossings`` (tuple of
    ``(joint, share, position_mm)``: the neck is split over C2/3 to C7/T1);
    ``crossing_mm`` (joint -> position of its main crossing, mm from C1);
    ``site_mm``, ``region_mm``, ``shear_lag_mm``, ``prestrain`` (nerve,
    dimensionless), ``cord_prestrain``, ``toe_end`` and ``stiffening``
    (tissue -> toe end beyond rest, dimensionless, and ratio), ``glide_mm``
    and ``glide_nodes`` (the nodes whose hold stiffens beyond the glide).
    """

    def __init__(self, body: Body | None = None, *, shear_lag_mm: Any = None, prestrain_pct: Any = None,
                 cord_stiffness: Any = None, root_stiffness: Any = None, element_mm: Any = None,
                 entrapment: Any = None, registry: _reg.Registry | None = None, toe_end_pct: Any = None,
                 stiffening: Any = None, glide_mm: Any = None) -> None:
        self.body = b = _body(body)
        self.registry = reg = _reg.current() if registry is None else registry
        nerve = reg.mechanics_nerve
        #: the sites of the nerve (registry order, head to foot) and the places it can be held
        self.sites: tuple[str, ...] = tuple(nerve.sites)
        # sites at the neck report the peak cord strain over C2-T1 (see strain_pct)
        self._neck_sites = frozenset(n for n, s in nerve.sites.items() if s.at == "neck")
        self.entrapment_sites: tuple[str, ...] = tuple(nerve.entrapments)
        self.entrapment = dict(_check_entrapment(entrapment, self.entrapment_sites))
        h_target = self._set_parameters(b, shear_lag_mm, prestrain_pct, cord_stiffness, root_stiffness, element_mm)
        self._set_tension_law(toe_end_pct, stiffening)
        self._set_glide(glide_mm)
        path = reg.pathway(nerve.name, b)
        self._place_crossings(path)
        self._place_regions_and_sites(path, nerve)
        self._build_mesh(h_target)
        self._build_tissues_and_interface()
        self._build_glide()
        self._build_taut_system()
        self._build_slack_candidates()
        self._build_site_rows()
        self._build_key_elements()

    def _set_parameters(self, b: Body, shear_lag_mm: Any, prestrain_pct: Any, cord_stiffness: Any,
                        root_stiffness: Any, element_mm: Any) -> float:
        """Shear-lag lengths, resting strain and stiffness ratios, defaults or the overrides
        (checked); returns the target element length (mm)."""
        sc = b.scale
        lam = {r: _p.value(f"mech_shear_lag_{r}") * sc for r in REGIONS}
        if shear_lag_mm is not None:
            if isinstance(shear_lag_mm, Mapping):
                for r, v in shear_lag_mm.items():
                    if r not in REGIONS:
                        raise ValueError(f"unknown region {r!r}: choose one of {', '.join(REGIONS)}")
                    lam[r] = _positive(f"shear-lag length of {r}", v, "mm")
            else:
                v = _positive("shear-lag length", shear_lag_mm, "mm")
                lam = {r: v for r in REGIONS}
        self.shear_lag_mm = lam
        self.prestrain = 0.01 * (_p.value("mech_prestrain_pct") if prestrain_pct is None
                                 else _positive("prestrain", prestrain_pct, "%", allow_zero=True, upper=10.0))
        ratio = (_p.value("mech_cord_stiffness_ratio") if cord_stiffness is None
                 else _positive("cord stiffness", cord_stiffness, "(fraction of the nerve's)", upper=10.0))
        self.cord_stiffness = ratio
        self.cord_prestrain = self.prestrain / ratio      # the same resting tension in cord and nerve
        rr = (_p.value("mech_root_stiffness_ratio") if root_stiffness is None
              else _positive("root stiffness", root_stiffness, "(fraction of the nerve's)", upper=10.0))
        self.root_stiffness = rr
        h_target = (_p.value("mech_element_mm") if element_mm is None
                    else _positive("element length", element_mm, "mm", upper=200.0))
        if h_target < ELEMENT_MM_MIN:   # model size has bounds: refuse before building a huge mesh
            raise OutOfRangeError("element_mm", h_target, ELEMENT_MM_MIN, 200.0, "mm")
        return h_target

    def _set_tension_law(self, toe_end_pct: Any, stiffening: Any) -> None:
        """Toe end (strain beyond the resting strain, dimensionless) and linear-over-toe stiffness
        ratio of each tissue (:data:`TISSUES`), defaults or the overrides (checked): a number for
        every tissue or a mapping tissue -> value."""
        def per_tissue(given: Any, what: str, unit: str, lower_ok) -> dict[str, float]:
            out = {t: _p.value(f"mech_toe_{'end' if what == 'toe end' else 'stiffening'}_{t}"
                               + ("_pct" if what == "toe end" else "")) for t in TISSUES}
            if given is None:
                return out
            items = given.items() if isinstance(given, Mapping) else ((t, given) for t in TISSUES)
            for t, v in items:
                if t not in TISSUES:
                    raise ValueError(f"unknown tissue {t!r} for the {what}: choose one of {', '.join(TISSUES)}")
                out[t] = lower_ok(f"{what} of {t}", v, unit)
            return out

        def ratio(name: str, v: Any, unit: str) -> float:
            v = _positive(name, v, unit, upper=1000.0)
            if v < 1.0:
                raise ValueError(f"{name}: {v!r} is not allowed; give a ratio of 1 (linear) to 1000: "
                                 "the nerve stiffens as it is stretched, it never softens")
            return v

        toe = per_tissue(toe_end_pct, "toe end", "% beyond the resting length", lambda n, v, u: _positive(n, v, u))
        #: tissue -> strain beyond its resting (in-situ) length at which its toe region ends (dimensionless)
        self.toe_end: dict[str, float] = {t: 0.01 * v for t, v in toe.items()}
        #: tissue -> axial stiffness beyond the toe as a multiple of the toe's (1: linear)
        self.stiffening: dict[str, float] = per_tissue(stiffening, "stiffening", "(linear over toe stiffness)", ratio)

    def _set_glide(self, glide_mm: Any) -> None:
        """The leg's glide (mm; off unless given) and the shear-lag length that holds the nerve beyond it (mm)."""
        sc = self.body.scale
        # off by default: the stop anchors of neuralsim.limits and the classroom's cases are
        # calibrated on a leg that glides without limit (see the module docstring)
        self.glide_mm = math.inf if glide_mm is None else _positive("glide of the leg's nerve", glide_mm, "mm")
        self._beyond_glide_lag = _p.value("mech_shear_lag_beyond_glide") * sc

    def _place_crossings(self, path) -> None:
        """Where each crossing lies along the anatomical bed (mm from C1); the neck split over C2/3 to C7/T1."""
        pos, s = {}, 0.0
        for piece in path.pieces:
            if isinstance(piece, Run):
                s += piece.length
            elif piece.in_plane:
                pos[piece.joint] = s
        self.length_mm = s
        for piece in path.crossings:
            if not piece.in_plane:
                pos[piece.joint] = pos["hip_flexion"]
        self.crossing_mm: dict[str, float] = pos
        self._core_crossings: tuple[Crossing, ...] = tuple(path.crossings)
        self._vert = vert = pos["cervical_flexion"] / 7.0      # seven cervical levels of equal height, C1 at 0
        rom = np.array([_p.value(f"mech_neck_rom_{lv}") for lv in NECK_LEVELS])
        crossings = []
        for k, (lv, w) in enumerate(zip(NECK_LEVELS, rom / rom.sum())):
            crossings.append(("cervical_flexion", float(w), (k + 2) * vert))   # C2/3 at 2 levels below C1
        for c in path.crossings:
            if c.joint != "cervical_flexion":
                crossings.append((c.joint, 1.0, pos[c.joint]))
        self.crossings: tuple[tuple[str, float, float], ...] = tuple(crossings)

    def _place_regions_and_sites(self, path, nerve: _reg.Structure) -> None:
        """The regions of the interface, the tissues, and the registry's sites and entrapment places (mm from C1)."""
        pos, L, vert, sc = self.crossing_mm, self.length_mm, self._vert, self.body.scale
        runs = {}
        for p in path.pieces:                   # the first run in each segment
            if isinstance(p, Run):
                runs.setdefault(p.segment, p.length)
        s_c, s_l, s_h = pos["cervical_flexion"], pos["lumbar_flexion"], pos["hip_flexion"]
        s_t1 = s_c + vert                                  # T1/T2: one level below C7/T1
        s_conus = pos["thoracic_flexion"] + _p.value("mech_conus_level") * runs["lumbar"]
        s_t = pos["ankle_dorsiflexion"] - _p.value("mech_tarsal_tunnel_above") * sc
        self.region_mm: dict[str, tuple[float, float]] = {
            "cervical_canal": (0.0, s_t1), "canal": (s_t1, s_l), "roots": (s_l, s_h),
            "limb": (s_h, s_t), "tarsal_tunnel": (s_t, L)}
        self.cord_mm = (0.0, s_conus)
        s_plexus = s_l + _p.value("mech_root_end") * runs["pelvis"]   # roots become the plexus, beyond the foramina
        self.tissue_mm: dict[str, tuple[float, float]] = {
            "cord": (0.0, s_conus), "roots": (s_conus, s_plexus), "nerve": (s_plexus, L)}
        self.cervical_span_mm = (vert, s_t1)               # C2 to T1: where "cervical" takes the peak
        anchors = {**pos, "neck": 0.5 * (vert + s_t1), "cord_end": s_conus}

        def place(p, where: str) -> float:
            try:
                x = anchors[p.at]
            except KeyError:
                raise ValueError(f"{where}: the nerve mechanics cannot place 'at' {p.at!r}") from None
            if getattr(p, "fraction", ""):
                if p.of not in runs:
                    raise ValueError(f"{where}: the nerve has no run in segment {p.of!r}")
                return x + _p.value(p.fraction) * runs[p.of]
            if p.mm:
                name = p.mm.lstrip("-")
                return x - _p.value(name) * sc if p.mm.startswith("-") else x + _p.value(name) * sc
            return x

        self.site_mm: dict[str, float] = {}
        for name, site in nerve.sites.items():
            self.site_mm[name] = anchors[name] = place(site, f"site {name!r}")
        self.entrapment_mm: dict[str, float] = {
            name: place(e, f"entrapment {name!r}") for name, e in nerve.entrapments.items()}
        # sites placed on a crossing (inside its own short element) or at the neck's span are no nodes
        self._site_nodes = [self.site_mm[n] for n, site in nerve.sites.items()
                            if site.fraction or site.mm or site.at not in (*pos, "neck")]

    def _build_mesh(self, h_target: float) -> None:
        """Nodes ``s_mm`` and elements ``element_mm``.

        Every crossing sits in the middle of a short element of its own, so its step
        in the bed falls between two nodes; sites, entrapment points and region edges
        are nodes; the rest is cut into elements of about h_target, shorter in
        proportion where the shear-lag length is below mech_resolve_shear_lag.
        """
        L, sc, lam = self.length_mm, self.body.scale, self.shear_lag_mm
        s_conus, s_plexus = self.cord_mm[1], self.tissue_mm["roots"][1]
        hc = _p.value("mech_crossing_element_mm") * sc
        self._xs = xs = sorted({round(x, 9) for _j, _w, x in self.crossings})
        fixed = {0.0, L, s_conus, s_plexus, *(a for a, _z in self.region_mm.values()), *self.cervical_span_mm,
                 *self.entrapment_mm.values(), *self._site_nodes}
        for x in xs:
            fixed.update((x - 0.5 * hc, x + 0.5 * hc))
        fixed = np.array(sorted(fixed))
        for x in xs:                                       # nothing else inside a crossing's element
            fixed = fixed[~((fixed > x - 0.5 * hc + 1e-9) & (fixed < x + 0.5 * hc - 1e-9))]
        resolve = _p.value("mech_resolve_shear_lag") * sc
        n_elements = sum(max(1, math.ceil((z - a) / (h_target * min(1.0, lam[r] / resolve)) - 1e-9))
                         for r, (a, z) in self.region_mm.items()) + 2 * len(xs)
        if n_elements > MAX_ELEMENTS:
            raise OutOfRangeError("element count", n_elements, 1, MAX_ELEMENTS, "elements",
                                  f"(element_mm {h_target:g} mm with shear-lag lengths "
                                  + ", ".join(f"{r} {v:g} mm" for r, v in lam.items()) + ")")
        nodes = [0.0]
        for a, z in zip(fixed[:-1], fixed[1:]):
            if z - a < 1e-9:
                continue
            mid = 0.5 * (a + z)
            r = self._region_at(mid)
            step = h_target * min(1.0, lam[r] / resolve)
            n = max(1, int(math.ceil((z - a) / step - 1e-9)))
            nodes.extend(np.linspace(a, z, n + 1)[1:])
        self.s_mm = sm = np.array(nodes)
        sm.setflags(write=False)
        self.element_mm = he = np.diff(sm)
        he.setflags(write=False)
        self.h = float(he.max())
        self._mids = 0.5 * (sm[1:] + sm[:-1])
        self.cord = self._mids < s_conus
        self.cord.setflags(write=False)

    def _build_tissues_and_interface(self) -> None:
        """Axial stiffness and resting strain per element; interface stiffness per node (holds included)."""
        sm, he, mids, lam = self.s_mm, self.element_mm, self._mids, self.shear_lag_mm
        N = len(sm)
        stiff = {"cord": self.cord_stiffness, "roots": self.root_stiffness, "nerve": 1.0}
        EA = np.ones(N - 1)                                 # axial stiffness, in units of the nerve's
        for t, (a, z) in self.tissue_mm.items():
            EA[(mids >= a) & (mids < z)] = stiff[t]
        self._EA = EA
        self._p_elem = self.prestrain / EA                  # (N-1,) resting strain: one resting tension
        toe = np.full(N - 1, math.inf)
        ratio = np.ones(N - 1)
        for t, (a, z) in self.tissue_mm.items():
            inside = (mids >= a) & (mids < z)
            toe[inside], ratio[inside] = self.toe_end[t], self.stiffening[t]
        # from the unloaded length: the toe end is an elongation beyond the in-situ (resting) length
        toe = (1.0 + self._p_elem) * (1.0 + toe) - 1.0
        # elements that stiffen beyond their toe: each gets a second, stiffer fibre in parallel,
        # taut from the toe end on (its tension (ratio - 1) EA max(strain - toe end, 0))
        self._stiff = np.nonzero((ratio > 1.0) & np.isfinite(toe))[0]
        self._toe = toe
        self._ratio = ratio
        # interface per node: its cell (middle of the element before to middle of the one after)
        # times k = EA / lam^2, k taken with the EA of the tissue at that point
        lo = sm - 0.5 * np.concatenate(([0.0], he))
        hi = sm + 0.5 * np.concatenate((he, [0.0]))
        g = np.zeros(N)
        for r, (a, z) in self.region_mm.items():
            for t, (t0, t1) in self.tissue_mm.items():
                ea = stiff[t]
                aa, zz = max(a, t0), min(z, t1)
                if zz > aa:
                    g += np.clip(np.minimum(hi, zz) - np.maximum(lo, aa), 0.0, None) * ea / lam[r] ** 2
        hold = _p.value("mech_entrapment_hold_mm") * self.body.scale
        for site, sev in self.entrapment.items():
            i = int(np.argmin(np.abs(sm - self.entrapment_mm[site])))
            g[i] += (1e9 if sev >= 1.0 else sev / (1.0 - sev)) / hold
        self._g = g
        posn = np.array([x for _j, _w, x in self.crossings])
        self._W = (sm[:, None] > posn[None, :]).astype(float)    # (N, n_crossings): node distal of the crossing

    def _build_glide(self) -> None:
        """The nodes of the leg whose hold stiffens beyond the glide: the interface there is
        ``g x`` up to a slide ``|x|`` of ``glide_mm``, then ``r`` times stiffer, with
        ``r = (lam_limb / lam_beyond)^2`` (the hold of a nerve whose glide is used up)."""
        sm = self.s_mm
        hc = _p.value("mech_crossing_element_mm") * self.body.scale
        a = self.crossing_mm["knee_flexion"] + 0.5 * hc - 1e-9          # below the knee crossing's element
        z = self.region_mm["tarsal_tunnel"][0]
        lam = self.shear_lag_mm["limb"]
        ratio = (lam / self._beyond_glide_lag) ** 2 if math.isfinite(lam) else math.inf
        if not math.isfinite(self.glide_mm) or not ratio > 1.0 or not math.isfinite(ratio):
            nodes = np.zeros(0, dtype=int)        # no limit, or the limb already held as firmly
        else:
            nodes = np.nonzero((sm >= a) & (sm < z - 1e-9))[0]
            nodes = nodes[(nodes > 0) & (nodes < len(sm) - 1)]
        self.glide_nodes = nodes
        nodes.setflags(write=False)
        self._glide_ratio = np.full(nodes.size, ratio)

    def _build_taut_system(self) -> None:
        """The taut system (every element carrying tension), factorised once: unit responses to each joint group."""
        sm, he, g, crossings = self.s_mm, self.element_mm, self._g, self.crossings
        N = len(sm)
        A = self._A = self._EA / he                        # element stiffness / EA_nerve, 1/mm
        n = N - 2
        K = np.zeros((n, n))
        idx = np.arange(n)
        K[idx, idx] = A[:-1] + A[1:] + g[1:-1]
        K[idx[:-1], idx[:-1] + 1] = -A[1:-1]
        K[idx[1:], idx[1:] - 1] = -A[1:-1]
        self._Kinv = Kinv = np.linalg.inv(K)
        # unit bed steps: rhs = g U (+ the coupling to the fixed end node, u_end = U_end)
        rhs = g[1:-1, None] * self._W[1:-1]
        rhs[-1] += A[-1] * self._W[-1]
        Gx = np.zeros((N, len(crossings)))
        Gx[1:-1] = Kinv @ rhs
        Gx[-1] = self._W[-1]
        # Joint columns: the six sub-crossings of the neck move together (shares of the
        # neck's lengthening) and the three hip crossings share one place, so the
        # responses are combined per joint group: one column each for the neck, thoracic,
        # lumbar, hip (flexion + adduction + rotation), knee and ankle.
        groups = []
        J = np.zeros((len(crossings), 0))
        for k, (j, w, x) in enumerate(crossings):
            grp = "hip" if j.startswith("hip_") else j
            if grp not in groups:
                groups.append(grp)
                J = np.hstack([J, np.zeros((len(crossings), 1))])
                J[k, -1] = w
            elif grp == "cervical_flexion":
                J[k, groups.index(grp)] = w
        self.groups: tuple[str, ...] = tuple(groups)
        self._Wj = self._W @ J                               # (N, n_groups) bed step per mm of each group
        self._Gj = Gx @ J

    def _build_slack_candidates(self) -> None:
        """The elements where the nerve can fall slack, their unit folds, and the complementarity problem.

        Candidates: each crossing's element, the two end elements and, with an entrapment,
        the elements beside its hold.  Elsewhere the resting tension keeps the nerve taut:
        between these elements the tension obeys t'' = (k / EA)(t - T0), so it has no
        interior minimum below the resting tension T0.
        """
        sm, he, A, groups = self.s_mm, self.element_mm, self._A, self.groups
        N = len(sm)
        n = N - 2
        cand = {0, N - 2}
        for x in self._xs:
            cand.add(int(np.searchsorted(sm, x)) - 1)
        for site in self.entrapment:
            i = int(np.argmin(np.abs(sm - self.entrapment_mm[site])))
            cand.update(k for k in (i - 1, i) if 0 <= k <= N - 2)
        self._cand = np.array(sorted(cand))
        # the joint group whose crossing lies in each candidate element (-1: an end or a hold)
        cg = np.full(len(self._cand), -1)
        for k, (j, _w, x) in enumerate(self.crossings):
            e = int(np.searchsorted(sm, round(x, 9))) - 1
            grp = "hip" if j.startswith("hip_") else j
            cg[int(np.searchsorted(self._cand, e))] = groups.index(grp)
        self._cand_group = cg
        nc = len(self._cand)
        # unit folds: element e holds 1 mm of slack (its tension is EA (du/h + p + f/h))
        rhs = np.zeros((n, nc))
        for k, e in enumerate(self._cand):
            if e >= 1:
                rhs[e - 1, k] += A[e]        # node e (interior index e-1) is the element's first node
            if e + 1 <= n:
                rhs[e, k] -= A[e]            # node e+1 (interior index e)
        Gf = np.zeros((N, nc))
        Gf[1:-1] = self._Kinv @ rhs
        # unit responses to the stiff fibres: a fibre's tension tau in element e acts on the toe
        # system as an eigenstrain tau / EA_e of that element (one column per stiffening element)
        st = self._stiff
        rhs = np.zeros((n, st.size))
        for k, e in enumerate(st):
            if e >= 1:
                rhs[e - 1, k] += self._EA[e]
            if e + 1 <= n:
                rhs[e, k] -= self._EA[e]
        Ge = np.zeros((N, st.size))
        Ge[1:-1] = self._Kinv @ rhs
        # unit responses to the leg's holds beyond the glide: a hold beyond its glide adds the force
        # -g_i zeta (zeta >= 0, mm: (r - 1) times the slide beyond the glide) at its node, one column
        # for a slide distally (+) and one for a slide proximally (-)
        gn = self.glide_nodes
        Gt = np.zeros((N, gn.size))
        if gn.size:
            Gt[1:-1] = -self._Kinv[:, gn - 1] * self._g[gn][None, :]
        self._n_fibres = st.size
        Ge = np.hstack([Ge, Gt, -Gt])
        self._Ge = np.ascontiguousarray(Ge)              # (N, n_stiff + 2 n_glide) mm per unit variable
        self._Se = np.ascontiguousarray(np.diff(Ge, axis=0) / he[:, None])    # (N-1, n_var) strain per unit
        del self._Kinv
        self._G = np.ascontiguousarray(np.hstack([self._Gj, Gf]))          # (N, n_groups + nc) mm per mm
        del self._Gj
        # element strain (dimensionless, from the reference) per unit of each basis column
        S = np.diff(self._G, axis=0) / he[:, None]
        S[self._cand, len(groups) + np.arange(nc)] += 1.0 / he[self._cand]
        self._S = np.ascontiguousarray(S)                                     # (N-1, n_groups + nc)
        ng = len(groups)
        # the complementarity problem on the candidates, in strain units:
        # w = p + Mx d + Mf f >= 0, f >= 0, w f = 0
        self._Mx = np.ascontiguousarray(S[self._cand, :ng])
        self._Mf = np.ascontiguousarray(S[self._cand, ng:])
        self._pc = self._p_elem[self._cand]
        self._inv_cache: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        self._block_steps = 12          # block pivoting steps before the single-pivot (Murty) rule
        # the complementarity problem with the stiff fibres, variables z = (folds f, eigenstrains
        # eta of the stiff fibres): v = q + Mz z >= 0, z >= 0, v z = 0, where v is the strain of each
        # candidate (folds) and toe end + eta / (ratio - 1) - strain of each stiffening element
        # (a fibre carries tension only beyond the toe end)
        # (the holds beyond the glide likewise: zeta >= 0, glide + zeta / (r - 1) -+ slide >= 0, one zero)
        nv = self._Ge.shape[1]
        X = self._G - np.hstack([self._Wj, np.zeros((N, nc))])             # slide u - U per basis column
        self._measure_d, self._measure_e, self._threshold, self._soft = self._stiff_rows(S, X)
        Mz = np.zeros((nc + nv, nc + nv))
        Mz[:nc, :nc] = self._Mf
        Mz[:nc, nc:] = self._Se[self._cand]
        Mz[nc:, :nc] = -self._measure_d[:, ng:]
        Mz[nc:, nc:] = np.diag(self._soft) - self._measure_e
        self._Mz = Mz
        self._MzT = np.ascontiguousarray(Mz.T)

    def _stiff_rows(self, S: np.ndarray, X: np.ndarray):
        """For each variable of the stiff problem (the fibres of the stiffening elements, then the
        leg's holds beyond the glide, distal then proximal): the row of what it measures (an
        element's strain, or the slide of a node, + or -) over the basis columns and over the
        variables, its threshold (toe end beyond the resting strain, or the glide) and 1 / (r - 1)."""
        st, gn = self._stiff, self.glide_nodes
        Ge = self._Ge
        md = np.vstack([S[st], X[gn], -X[gn]])
        me = np.vstack([self._Se[st], Ge[gn], -Ge[gn]])
        thr = np.concatenate([self._toe[st] - self._p_elem[st], np.full(2 * gn.size, self.glide_mm)])
        soft = 1.0 / (np.concatenate([self._ratio[st], self._glide_ratio, self._glide_ratio]) - 1.0)
        return np.ascontiguousarray(md), np.ascontiguousarray(me), thr, soft

    def _build_site_rows(self) -> None:
        """Excursion ``u - U`` at nodes and strain at element midpoints, interpolated to each site."""
        sm, S = self.s_mm, self._S
        N, nc = len(sm), len(self._cand)
        self._X = self._G - np.hstack([self._Wj, np.zeros((N, nc))])       # (N, n_groups + nc)
        self._site_node = {k: _weights(v, sm) for k, v in self.site_mm.items()}
        self._site_elem = {k: _weights(v, self._mids) for k, v in self.site_mm.items()}
        Xs = np.empty((len(self.sites), self._X.shape[1]))
        Ss = np.empty((len(self.sites), self._X.shape[1]))
        ps = np.empty(len(self.sites))
        for k, site in enumerate(self.sites):
            i, j, w = self._site_node[site]
            Xs[k] = (1.0 - w) * self._X[i] + w * self._X[j]
            i, j, w = self._site_elem[site]
            Ss[k] = (1.0 - w) * S[i] + w * S[j]
            ps[k] = (1.0 - w) * self._p_elem[i] + w * self._p_elem[j]
        self._Xsite, self._Ssite, self._psite = Xs, Ss, ps
        Xe = np.empty((len(self.sites), self._Ge.shape[1]))
        Se = np.empty((len(self.sites), self._Ge.shape[1]))
        for k, site in enumerate(self.sites):
            i, j, w = self._site_node[site]
            Xe[k] = (1.0 - w) * self._Ge[i] + w * self._Ge[j]     # the bed does not move with a fibre
            i, j, w = self._site_elem[site]
            Se[k] = (1.0 - w) * self._Se[i] + w * self._Se[j]
        self._Xsite_e, self._Ssite_e = Xe, Se

    def _build_key_elements(self) -> None:
        """Key elements, where the strain of a piece of one tissue in one region between
        two crossings can peak: the candidates, and the elements beside each tissue
        junction, region edge, entrapment hold and the ends of the C2-T1 span.  Inside a
        piece the strain has no interior maximum above the tissue's resting strain, so
        the peak over all elements is the peak over these whenever that is at least the
        highest resting strain; otherwise every element is checked (see _peak)."""
        sm, mids = self.s_mm, self._mids
        N = len(sm)
        key = set(self._cand.tolist())
        c0, c1 = self.cervical_span_mm
        edges = [*(a for a, _z in self.region_mm.values()), *(a for a, _z in self.tissue_mm.values()),
                 *self.entrapment_mm.values(), c0, c1, self.length_mm]
        for x in edges:
            i = int(np.argmin(np.abs(sm - x)))
            key.update(k for k in (i - 1, i) if 0 <= k <= N - 2)
        for i in self.glide_nodes:          # a hold beyond the glide is a point force: a kink in the tension
            key.update(k for k in (i - 1, i) if 0 <= k <= N - 2)
        self._key = np.array(sorted(key))
        self._cerv = np.nonzero((mids > c0) & (mids < c1))[0]
        self._cerv_key = np.intersect1d(self._cerv, self._key)
        self._below = np.nonzero(~self.cord)[0]                  # elements below the cord
        self._below_key = np.intersect1d(self._below, self._key)
        self._peripheral = np.nonzero(mids >= self.tissue_mm["nerve"][0])[0]   # peripheral nerve elements

    def _element_tension(self, k: int, e: np.ndarray) -> np.ndarray:
        """Tension of element ``k`` (in units of the nerve's ``EA``) at strain ``e`` from its unloaded length
        (dimensionless, 0 or more): ``EA e + (r - 1) EA max(e - e_t, 0)``."""
        EA, r, toe = self._EA[k], self._ratio[k], self._toe[k]
        t = EA * e
        if r > 1.0 and math.isfinite(toe):
            t = t + (r - 1.0) * EA * np.maximum(e - toe, 0.0)
        return t

    def _region_at(self, x: float) -> str:
        for r, (a, z) in self.region_mm.items():
            if a <= x < z:
                return r
        return REGIONS[-1]

    # -- solving --------------------------------------------------------------
    def deltas(self, posture: Any, reference: Any = None) -> tuple[np.ndarray, tuple]:
        """Bed lengthening of each joint group of :attr:`groups` from ``reference`` to ``posture``, mm.

        Returns an array ``(n_groups, M)`` (``M`` postures, flattened) and the
        broadcast shape ``S``.  Groups: the neck (the core's ``cervical_flexion``
        change, shared among C2/3 to C7/T1 in proportion to their segmental
        range), thoracic, lumbar, hip (flexion + adduction + internal rotation,
        one place), knee, ankle.  Angles are checked like the core.
        """
        mob = self.body.mobility
        if reference is not None:     # shapes that do not broadcast: both named, before any work
            broadcast_shape(posture, reference)
        now = angle_array(posture, mob)
        if reference is None:      # the anatomical position: its crossing changes are kept (see _ref_deltas)
            ref, was = None, self._ref_deltas
        else:
            ref = angle_array(reference, mob)
            was = [c.delta(ref[c.joint]) for c in self._core_crossings]
        shape = np.broadcast_shapes(*(np.shape(a) for a in now.values()),
                                    *(() if ref is None else (np.shape(a) for a in ref.values())))
        M = int(np.prod(shape, dtype=int))
        d = np.zeros((len(self.groups), M))
        for c, k, w in zip(self._core_crossings, self._core_groups, was):
            if shape:
                d[k] += np.broadcast_to(c.delta(now[c.joint]) - w, shape).reshape(M)
            else:                  # one posture: nothing to broadcast
                d[k] += c.delta(now[c.joint]) - w
        return d, tuple(shape)

    @cached_property
    def _core_groups(self) -> list[int]:
        """Row of :attr:`groups` each core crossing adds to (the hip's three joints share one)."""
        return [self.groups.index("hip" if c.joint.startswith("hip_") else c.joint) for c in self._core_crossings]

    @cached_property
    def _ref_deltas(self) -> list:
        """Each core crossing's change in the anatomical position (mm), computed once per model."""
        ref = angle_array(REFERENCE, self.body.mobility)
        return [c.delta(ref[c.joint]) for c in self._core_crossings]

    def folds(self, d: np.ndarray) -> np.ndarray:
        """Slack (mm of fold) in each candidate element, ``(n_candidates, M)``, for bed changes ``d``.

        Solves the complementarity problem ``w = p + Mx d + Mf f >= 0``,
        ``f >= 0``, ``w f = 0`` (strain ``w`` of each candidate element, fold
        ``f``) exactly by block principal pivoting, postures grouped by their
        set of slack elements so that each group costs one small solve; any
        posture not settled after 12 block steps continues one element at a
        time (Murty's rule, finite for this positive definite problem).
        """
        qT = d.T @ self._Mx.T
        qT += self._pc                                       # (M, nc) candidate strain if no fold anywhere
        M, nc = qT.shape
        fT = np.zeros((M, nc))
        # first guess: slack where the candidate would be in compression and its own joint
        # shortens the bed (a far joint's pull is often taken up by a fold at that joint)
        own = self._cand_group
        dT = d.T
        slack = (qT < 0.0) & np.where(own >= 0, dT[:, np.maximum(own, 0)] < 0.0, False)
        todo = np.nonzero((qT < 0.0).any(axis=1))[0]
        MfT = self._MfT
        bits = self._bits
        for it in range(200):
            if todo.size == 0:
                return np.ascontiguousarray(fT.T)
            S = slack[todo]
            codes = S @ bits
            order = np.argsort(codes, kind="stable")
            cols = todo[order]
            cs = codes[order]
            S = S[order]
            qs = qT[cols]
            fs = np.zeros_like(qs)
            starts = np.concatenate(([0], np.flatnonzero(np.diff(cs)) + 1, [cs.size]))
            for a, z in zip(starts[:-1], starts[1:]):
                ia, invT = self._inverse(int(cs[a]))
                if ia.size:
                    fs[a:z, ia] = -(qs[a:z, ia] @ invT)
            w = fs @ MfT
            w += qs
            ok, new = _pivot(S, fs, w, it < self._block_steps)
            fT[cols[ok]] = fs[ok]
            keep = ~ok
            todo = cols[keep]
            slack[todo] = new[keep]
        raise RuntimeError("nerve mechanics: the slack problem did not settle")  # pragma: no cover

    @cached_property
    def _MfT(self) -> np.ndarray:
        return np.ascontiguousarray(self._Mf.T)

    @cached_property
    def _bits(self) -> np.ndarray:
        return (1 << np.arange(len(self._cand))).astype(np.int64)

    def _inverse(self, code: int) -> tuple[np.ndarray, np.ndarray]:
        """Candidates slack in set ``code`` (bit mask) and the transposed inverse of their block of ``Mf``."""
        hit = self._inv_cache.get(code)
        if hit is None:
            ia = np.array([k for k in range(len(self._cand)) if code >> k & 1], dtype=int)
            hit = (ia, np.linalg.inv(self._Mf[np.ix_(ia, ia)]).T if ia.size else np.zeros((0, 0)))
            if len(self._inv_cache) < 4096:
                self._inv_cache[code] = hit
        return hit

    def beyond_toe(self, d: np.ndarray, f: np.ndarray) -> np.ndarray:
        """Postures (column indices) where the toe-only state ``(d, f)`` stretches some element beyond
        its toe end or slides some node of the leg beyond its glide.  Exact from the key elements
        alone: inside a piece of one tissue the strain has no interior maximum above the resting
        strain, and every toe end lies above it; every node of the leg is checked."""
        st = self._stiff
        if st.size == 0 and self.glide_nodes.size == 0:
            return np.zeros(0, dtype=int)
        c = np.vstack([d, f])
        key = self._stiff_key
        e = self._S[key] @ c
        e += (self._p_elem[key] - self._toe[key])[:, None]
        out = (e > 0.0).any(axis=0)
        if self.glide_nodes.size:
            x = self._X_glide @ c
            out |= (np.abs(x) > self.glide_mm).any(axis=0)
        return np.nonzero(out)[0]

    @cached_property
    def _X_glide(self) -> np.ndarray:
        return np.ascontiguousarray(self._X[self.glide_nodes])

    @cached_property
    def _stiff_key(self) -> np.ndarray:
        return np.intersect1d(self._key, self._stiff)

    def stiff_fibres(self, d: np.ndarray, f: np.ndarray, cols: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Folds and stiff-fibre eigenstrains of the postures ``cols`` (some element beyond its toe).

        Solves the complementarity problem of the bilinear laws, ``v = q + Mz z >= 0``,
        ``z >= 0``, ``v z = 0`` with ``z`` = (folds of the candidates in mm, eigenstrain of each
        stiffening element's stiff fibre, then each leg node's hold beyond its glide, distally
        and proximally), exactly by block principal pivoting, each step one stacked solve per
        size of the active sets (Murty's rule after :attr:`_block_steps` steps).  The start: the
        toe-only folds and what that state takes beyond a toe end or a glide.  Returns ``f``
        ``(n_candidates, K)`` and ``eta`` ``(n_variables, K)``.
        """
        nc, ng = len(self._cand), len(self.groups)
        dk = d[:, cols]
        n = nc + self._Ge.shape[1]
        q = np.empty((cols.size, n))
        q[:, :nc] = dk.T @ self._Mx.T
        q[:, :nc] += self._pc
        q[:, nc:] = -(dk.T @ self._measure_d[:, :ng].T)
        q[:, nc:] += self._threshold
        fk = f[:, cols]
        # the start: the toe-only state's folds, and what it takes beyond a toe end or a glide
        beyond = self._measure_d @ np.vstack([dk, fk]) > self._threshold[:, None]
        active = np.hstack([fk.T > 0.0, beyond.T])
        z = np.zeros((cols.size, n))
        todo = np.arange(cols.size)
        for it in range(500):
            if todo.size == 0:
                return np.ascontiguousarray(z[:, :nc].T), np.ascontiguousarray(z[:, nc:].T)
            A = active[todo]
            qs = q[todo]
            zs = self._solve_active(A, qs)
            v = zs @ self._MzT
            v += qs
            ok, new = _pivot(A, zs, v, it < self._block_steps)
            z[todo[ok]] = zs[ok]
            todo = todo[~ok]
            active[todo] = new[~ok]
        raise RuntimeError("nerve mechanics: the stiffening problem did not settle")  # pragma: no cover

    def _solve_active(self, A: np.ndarray, q: np.ndarray) -> np.ndarray:
        """``z`` with ``v = q + Mz z`` zero on each row's active set ``A`` and ``z`` zero off it.

        Rows are batched by the size of their active set: one stacked LAPACK solve per size
        (the sets are mostly all different, so there is little to share between rows)."""
        z = np.zeros_like(q)
        size = A.sum(axis=1)
        for a in np.unique(size):
            if a == 0:
                continue
            rows = np.flatnonzero(size == a)
            step = max(1, int(4_000_000 // (a * a)))           # bound the stacked matrices' memory
            for r0 in range(0, rows.size, step):
                rr = rows[r0:r0 + step]
                ia = np.nonzero(A[rr])[1].reshape(rr.size, a)
                B = self._Mz[ia[:, :, None], ia[:, None, :]]
                rhs = np.take_along_axis(q[rr], ia, axis=1)
                z[rr[:, None], ia] = -np.linalg.solve(B, rhs[:, :, None])[:, :, 0]
        return z

    def solve(self, posture: Any, reference: Any = None) -> "NerveMechanics":
        """The nerve in its bed for ``posture`` (from ``reference``), see :func:`nerve_mechanics`."""
        d, shape = self.deltas(posture, reference)
        f = self.folds(d)
        cols = self.beyond_toe(d, f)
        eta = None
        if cols.size:
            f[:, cols], eta = self.stiff_fibres(d, f, cols)
        return NerveMechanics(self, shape, d, f, cols, eta)

    def solve_direct(self, posture: Any, reference: Any = None, max_iter: int = 100,
                     start: np.ndarray | None = None, return_active: bool = False):
        """Nerve displacement ``S + (N,)`` (mm) by an active-set Newton method on every element.

        The plain statement of the method and an independent check of
        :meth:`solve` (which lets only the candidate elements fall slack and
        writes the stiff part of the law as fibres in parallel): each element
        is slack (no tension), in its toe (tension ``EA strain``) or beyond it
        (tension ``EA toe_end + ratio EA (strain - toe_end)``); each step
        solves the tridiagonal system with the elements' current regimes and
        the leg's holds' (within the glide, or beyond it distally or
        proximally: ``r`` times stiffer) (batched Thomas algorithm, one
        column per posture), then takes the regimes of the strains and slides
        it gives; it stops when they no longer change,
        which is the exact minimum of the convex energy.  ``start``: the
        regimes taken at the first step (int, 0 slack / 1 toe / 2 beyond, or
        bool for taut, ``S + (N-1,)``; default: those of the bed's own
        stretch), e.g. those reached in a previous posture, as when the
        joints are moved one after another.  Returns ``u`` and, with
        ``return_active``, the final regimes (int8, ``S + (N-1,)``).
        """
        d, shape = self.deltas(posture, reference)
        U = self._Wj @ d
        N, M = U.shape
        he, EA, p, g = self.element_mm, self._EA, self._p_elem, self._g
        toe, EA2 = self._toe[:, None], (EA * self._ratio)[:, None]

        def regimes(eps):
            return np.where(eps > 0.0, np.where(eps > toe, 2, 1), 0).astype(np.int8)

        if start is None:
            reg = regimes(np.diff(U, axis=0) / he[:, None] + p[:, None])
        else:
            st = np.asarray(start)
            st = st.astype(np.int8) if st.dtype != bool else st.astype(np.int8)
            reg = np.ascontiguousarray(np.broadcast_to(st, shape + (N - 1,)).reshape(M, N - 1).T)
        # tension t = a du + b of each element in its regime (a in units of EA_nerve / mm)
        toe_t = np.where(np.isfinite(toe), toe, 0.0)
        b_beyond = EA2 * p[:, None] - (EA2 - EA[:, None]) * toe_t
        # the leg's holds: g x within the glide, r g x -+ (r - 1) g glide beyond it (slide x = u - U)
        gn, glide = self.glide_nodes, self.glide_mm
        g_in = g[gn, None]
        g_out = (g[gn] * self._glide_ratio)[:, None]
        b_out = ((self._glide_ratio - 1.0) * g[gn] * (glide if gn.size else 0.0))[:, None]

        def slides(u):
            x = u[gn] - U[gn]
            return np.where(x > glide, 1, np.where(x < -glide, -1, 0)).astype(np.int8)

        side = np.zeros((gn.size, M), dtype=np.int8)
        for _ in range(max_iter):
            A = np.where(reg == 0, 0.0, np.where(reg == 1, EA[:, None], EA2)) / he[:, None]
            T = np.where(reg == 0, 0.0, np.where(reg == 1, (EA * p)[:, None], b_beyond))
            n = N - 2
            ga = np.repeat(g[:, None], M, axis=1)
            gb = np.zeros((N, M))
            if gn.size:
                ga[gn] = np.where(side == 0, g_in, g_out)
                gb[gn] = -side * b_out               # the hold's force is a x + b
            diag = A[:-1] + A[1:] + ga[1:-1]
            rhs = ga[1:-1] * U[1:-1] - gb[1:-1] + T[1:] - T[:-1]
            rhs[-1] += A[-1] * U[-1]
            cp = np.empty((n, M))
            dp = np.empty((n, M))
            den = diag[0]
            cp[0] = -A[1] / den
            dp[0] = rhs[0] / den
            for i in range(1, n):
                den = diag[i] + A[i] * cp[i - 1]
                cp[i] = -A[i + 1] / den
                dp[i] = (rhs[i] + A[i] * dp[i - 1]) / den
            u = np.empty((N, M))
            u[0], u[-1] = 0.0, U[-1]
            u[n] = dp[n - 1]
            for i in range(n - 2, -1, -1):
                u[i + 1] = dp[i] - cp[i] * u[i + 2]
            new = regimes(np.diff(u, axis=0) / he[:, None] + p[:, None])
            new_side = slides(u)
            if np.array_equal(new, reg) and np.array_equal(new_side, side):
                break
            reg, side = new, new_side
        else:  # pragma: no cover
            raise RuntimeError("nerve mechanics: the active-set iteration did not settle")
        u = np.ascontiguousarray(u.T).reshape(shape + (N,))
        if return_active:
            return u, np.ascontiguousarray(reg.T).reshape(shape + (N - 1,))
        return u


def _pivot(active: np.ndarray, z: np.ndarray, w: np.ndarray, block: bool) -> tuple[np.ndarray, np.ndarray]:
    """One step of principal pivoting for the problems ``w = q + M z >= 0, z >= 0, w z = 0``, rows of postures.

    ``active``: the variables taken as non-zero; ``z``, ``w``: the solution on that set.  Returns which
    rows are solved (no negative ``z`` on the set, no negative ``w`` off it) and the next active sets:
    every violation flipped at once (block pivoting), or with ``block`` false only the first one
    (Murty's rule, which always ends).
    """
    bad_z = active & (z < -1e-12)
    bad_w = ~active & (w < -1e-12)
    viol = bad_z | bad_w
    ok = ~viol.any(axis=1)
    if block:
        return ok, (active & ~bad_z) | bad_w
    first = np.argmax(viol, axis=1)
    new = active.copy()
    k = np.arange(active.shape[0])
    new[k, first] = ~new[k, first]
    return ok, new


def _weights(x: float, grid: np.ndarray) -> tuple[int, int, float]:
    if x <= grid[0]:
        return 0, 0, 0.0
    if x >= grid[-1]:
        k = len(grid) - 1
        return k, k, 0.0
    j = int(np.searchsorted(grid, x, side="right")) - 1
    w = (x - grid[j]) / (grid[j + 1] - grid[j])
    return j, j + 1, float(w)


class NerveMechanics:
    """The state of the nerve in one posture or an array of postures (shape ``S``).

    Positions ``s_mm`` (``(N,)``, mm from C1 along the bed in the anatomical
    position).  Profiles have shape ``S + (N,)``; site values are floats for a
    single posture, else arrays of shape ``S``.  Excursion is positive distally
    (towards the foot), in mm; strain is elongation from the unloaded (zero
    slack) length, in %: 0 where the nerve is slack, never negative.
    """

    def __init__(self, model: NerveModel, shape: tuple, d: np.ndarray, f: np.ndarray,
                 cols: np.ndarray | None = None, eta: np.ndarray | None = None) -> None:
        self.model = model
        self.shape = shape
        ng = len(model.groups)
        self._c = np.ascontiguousarray(np.vstack([d, f]))     # (n_groups + nc, M): bed changes and folds, mm
        self._d = self._c[:ng]
        self._folds = self._c[ng:]
        # the postures with some element beyond its toe, and their stiff fibres' eigenstrains (n_stiff, K)
        self._cols = np.zeros(0, dtype=int) if cols is None else cols
        self._eta = eta
        self._elem_cache = None
        self._site_cache: dict[str, np.ndarray] = {}

    def _add_fibres(self, out: np.ndarray, rows_of_unit: np.ndarray, cols=slice(None)) -> np.ndarray:
        """Add the stiff fibres' part (``rows_of_unit @ eta``) to ``out`` (rows x the columns ``cols``)."""
        if self._cols.size == 0:
            return out
        if isinstance(cols, slice):
            out[:, self._cols] += rows_of_unit @ self._eta
            return out
        pos = np.full(self._c.shape[1], -1)
        pos[self._cols] = np.arange(self._cols.size)
        sel = pos[cols]
        hit = sel >= 0
        if hit.any():
            out[:, hit] += rows_of_unit @ self._eta[:, sel[hit]]
        return out

    def _sites(self, what: str) -> np.ndarray:
        """Excursion (``"x"``, mm) or strain (``"e"``, %, not for "cervical") at every site, ``(n_sites, M)``."""
        got = self._site_cache.get(what)
        if got is None:
            m = self.model
            if what == "x":
                got = self._add_fibres(m._Xsite @ self._c, m._Xsite_e)
            else:
                got = self._add_fibres(m._Ssite @ self._c, m._Ssite_e)
                got += m._psite[:, None]
                np.maximum(got, 0.0, out=got)
                got *= 100.0
            got.flags.writeable = False
            self._site_cache[what] = got
        return got

    @property
    def element_strain_pct(self) -> np.ndarray:
        """Local strain of every element (%, from the unloaded length), shape ``S + (N-1,)``
        (element ``i`` runs from node ``i`` to node ``i + 1``)."""
        return self._profile(self._elem)

    @property
    def _elem(self) -> np.ndarray:
        """Element strain from the unloaded length (%), ``(N-1, M)``."""
        if self._elem_cache is None:
            self._elem_cache = read_only(self._strain_rows(slice(None)))
        return self._elem_cache

    def _strain_rows(self, rows, cols=slice(None)) -> np.ndarray:
        m = self.model
        e = self._add_fibres(m._S[rows] @ self._c[:, cols], m._Se[rows], cols)
        e += m._p_elem[rows, None]
        np.maximum(e, 0.0, out=e)           # clears rounding (-1e-16) in a fold: slack is 0 strain
        e *= 100.0
        return e

    def _peak(self, rows: np.ndarray, key: np.ndarray) -> np.ndarray:
        """Largest strain over element ``rows`` (%), ``(M,)``, from the ``key`` rows where that is exact."""
        m = self.model
        if self._elem_cache is not None:
            return self._elem_cache[rows].max(axis=0)
        peak = self._strain_rows(key).max(axis=0)
        need = np.nonzero(peak < 100.0 * m._p_elem[rows].max() - 1e-9)[0]
        if need.size:
            peak[need] = self._strain_rows(rows, need).max(axis=0)
        return peak

    @property
    def s_mm(self) -> np.ndarray:
        """Node positions along the bed from C1 (mm), shape ``(N,)``."""
        return read_only(self.model.s_mm)

    def _out(self, x: np.ndarray):
        # results are read-only: a site's row is a view of the kept cache, which the next call reads
        x = np.asarray(x, dtype=float).reshape(self.shape)
        return float(x) if x.ndim == 0 else read_only(x)

    def _profile(self, x: np.ndarray) -> np.ndarray:
        return read_only(np.ascontiguousarray(x.T).reshape(self.shape + (x.shape[0],)))

    @property
    def nerve_displacement_mm(self) -> np.ndarray:
        """Nerve displacement ``u`` along the bed from the reference (mm, + distal), ``S + (N,)``."""
        return self._profile(self._add_fibres(self.model._G @ self._c, self.model._Ge))

    @property
    def bed_displacement_mm(self) -> np.ndarray:
        """Bed displacement ``U`` along the bed from the reference (mm, + distal), ``S + (N,)``."""
        return self._profile(self.model._Wj @ self._d)

    @property
    def excursion_profile_mm(self) -> np.ndarray:
        """Nerve movement relative to its bed ``u - U`` at every node (mm, + distal), ``S + (N,)``."""
        return self._profile(self._add_fibres(self.model._X @ self._c, self.model._Ge))

    @property
    def strain_profile_pct(self) -> np.ndarray:
        """Local strain at every node (%, from the unloaded length), shape ``S + (N,)``.

        Node value = mean of the two elements beside it (the end nodes take their one element).
        """
        e = self._elem
        nodes = np.empty((e.shape[0] + 1, e.shape[1]))
        nodes[0], nodes[-1] = e[0], e[-1]
        nodes[1:-1] = 0.5 * (e[1:] + e[:-1])
        return self._profile(nodes)

    @property
    def cord_nodes(self) -> np.ndarray:
        """``(N,)`` bool: nodes on the spinal cord (C1 to the conus), whose strain belongs on
        :data:`CORD_STRAIN_BANDS`, not on the nerve's :data:`STRAIN_BANDS`."""
        return read_only(self.model.s_mm <= self.model.cord_mm[1] + 1e-9)

    @property
    def slack_mm(self):
        """Nerve lying slack in folds where the bed has shortened (mm, total), shape ``S``."""
        return self._out(self._folds.sum(axis=0))

    @property
    def peak_strain_pct(self):
        """Highest local strain anywhere along the cord, roots and nerve (%, largest element strain), shape ``S``."""
        m = self.model
        return self._out(self._peak(np.arange(len(m.element_mm)), m._key))

    @property
    def peak_nerve_strain_pct(self):
        """Highest local strain below the cord (roots and peripheral nerve, %), shape ``S``."""
        m = self.model
        return self._out(self._peak(m._below, m._below_key))

    @property
    def peak_position_mm(self):
        """Where the peak strain is (mm from C1, element midpoint), shape ``S``."""
        return self._out(self.model._mids[self._elem.argmax(axis=0)])

    @property
    def bed_change_mm(self):
        """Bed lengthening from the reference (mm; the core's figure), shape ``S``."""
        return self._out(self._d.sum(axis=0))

    def _site(self, site: Any) -> int:
        sites = self.model.sites
        if not isinstance(site, str) or site not in sites:
            raise ValueError(f"unknown site {site!r}: choose one of {', '.join(sites)}")
        return sites.index(site)

    def excursion_mm(self, site: str):
        """How far the nerve has slid along its bed at ``site`` (mm, + = distal), shape ``S``."""
        k = self._site(site)
        return self._out(self._sites("x")[k])

    def strain_pct(self, site: str):
        """Local strain at ``site`` (%, from the unloaded length), shape ``S``.

        ``"cervical"`` is the peak cord strain over C2-T1; the other sites are
        the strain at that point (interpolated between element midpoints).
        """
        k = self._site(site)
        m = self.model
        if site in m._neck_sites:
            return self._out(self._peak(m._cerv, m._cerv_key))
        return self._out(self._sites("e")[k])


    # -- strain from the in-situ length: what every band, colour and threshold applies to --------
    @property
    def element_in_situ_strain_pct(self) -> np.ndarray:
        """Local strain of every element from its in-situ length (its length at rest in the reference
        posture), %, shape ``S + (N-1,)``; negative where the nerve lies slack."""
        return self._profile(_in_situ(self._elem, self.model._p_elem[:, None]))

    @property
    def in_situ_strain_profile_pct(self) -> np.ndarray:
        """Local strain from the in-situ length at every node (%), shape ``S + (N,)``: the mean of the
        two elements beside it (the end nodes take their one element), as :attr:`strain_profile_pct`."""
        e = _in_situ(self._elem, self.model._p_elem[:, None])
        nodes = np.empty((e.shape[0] + 1, e.shape[1]))
        nodes[0], nodes[-1] = e[0], e[-1]
        nodes[1:-1] = 0.5 * (e[1:] + e[:-1])
        return self._profile(nodes)

    def in_situ_strain_pct(self, site: str):
        """Local strain at ``site`` from its in-situ length (%), shape ``S``; ``"cervical"`` the peak
        over C2-T1 (the cord rests at one strain, so the peak is the same element either way)."""
        k = self._site(site)
        m = self.model
        if site in m._neck_sites:
            return self._out(_in_situ(self._peak(m._cerv, m._cerv_key), m._p_elem[m._cerv].max()))
        return self._out(_in_situ(self._sites("e")[k], m._psite[k]))

    def tension_x_rest(self, site: str):
        """Tension at ``site`` as a multiple of the resting tension (1 at rest, 0 slack), shape ``S``, with
        the whole tension law: the toe, and beyond the toe end the stiffer part (``stiffening`` times the
        toe's stiffness).  The resting tension is one tension along the cable, so sites compare directly;
        ``"cervical"`` is the tension where the cord strain over C2-T1 peaks (the cord has one law, so the
        peak strain is the peak tension)."""
        k = self._site(site)
        m = self.model
        if site in m._neck_sites:
            e = 0.01 * self._peak(m._cerv, m._cerv_key)
            c = m._cerv[0]
            return self._out(m._element_tension(c, e) / m.prestrain)
        # tension, unlike strain, is continuous where the tissue (and its stiffness) changes, so the
        # two elements' tensions are interpolated, each with its own law
        i, j, w = m._site_elem[site]
        e = 0.01 * self._strain_rows(np.array([i, j]))
        return self._out(((1.0 - w) * m._element_tension(i, e[0]) + w * m._element_tension(j, e[1])) / m.prestrain)

    @property
    def root_nodes(self) -> np.ndarray:
        """``(N,)`` bool: nodes on the roots (the conus to the plexus), whose strain belongs on
        :data:`ROOT_STRAIN_BANDS`, not on the nerve's :data:`STRAIN_BANDS`."""
        a, z = self.model.tissue_mm["roots"]
        s = self.model.s_mm
        return read_only((s > a + 1e-9) & (s < z - 1e-9))

    @property
    def peak_nerve_in_situ_strain_pct(self):
        """Highest local strain from the in-situ length along the peripheral nerve (below the roots,
        where the rabbit bands apply), %, shape ``S``."""
        m = self.model
        rows = m._peripheral
        return self._out(_in_situ(self._elem[rows], m._p_elem[rows, None]).max(axis=0))


#: (registry key, body, entrapment) -> NerveModel, most recently used last
_MODELS: "OrderedDict[tuple, NerveModel]" = OrderedDict()
_MODELS_MAX = 32


def _model(body: Body, entrapment: tuple = (), registry: _reg.Registry | None = None) -> NerveModel:
    """The model of ``body`` with ``entrapment`` (checked pairs) for ``registry`` (default the
    active one), built once: the key holds the registry, so :func:`~neuralsim.model.registry.using`
    gives the mechanics of the registry in use."""
    reg = _reg.current() if registry is None else registry
    key = (reg.key, body, entrapment)
    m = _MODELS.get(key)
    if m is None:
        m = _MODELS[key] = NerveModel(body, entrapment=dict(entrapment), registry=reg)
        if len(_MODELS) > _MODELS_MAX:
            _MODELS.popitem(last=False)
    else:
        _MODELS.move_to_end(key)
    return m


def nerve_model(body: Body | None = None, *, entrapment: Mapping[str, float] | None = None,
                registry: _reg.Registry | None = None) -> NerveModel:
    """The :class:`NerveModel` :func:`nerve_mechanics` uses for ``body`` and ``entrapment`` in
    ``registry`` (default the active one; built once, then kept): for solving many postures with one model."""
    reg = _registry(registry)
    return _model(_body(body), _check_entrapment(entrapment, tuple(reg.mechanics_nerve.entrapments)), reg)


def _registry(registry: Any) -> _reg.Registry:
    if registry is None:
        return _reg.current()
    if not isinstance(registry, _reg.Registry):
        raise TypeError(f"registry must be a neuralsim.model.registry.Registry, got {type(registry).__name__}")
    return registry


def nerve_mechanics(posture: Any, reference: Any = None, *, body: Body | None = None,
                    entrapment: Mapping[str, float] | None = None,
                    registry: _reg.Registry | None = None) -> NerveMechanics:
    """Excursion and local strain of the nerve and cord in their bed.

    ``posture``: a :class:`~neuralsim.Posture` (angles in degrees, scalars or
    arrays broadcasting to a shape ``S``), a mapping joint -> degrees, or an
    array ``S + (8,)``.  ``reference``: the posture in which the nerve lies at
    rest, taut with its resting tension (default: the anatomical position,
    all angles 0); it may broadcast against ``posture``.  ``body``: a
    :class:`~neuralsim.Body`.  ``entrapment``: a mapping site -> severity
    (dimensionless, 0 = free to 1 = held fast) for sites in
    :data:`ENTRAPMENT_SITES` (``"lumbar_roots"`` at the disc, ``"piriformis"``,
    ``"popliteal"``, ``"tarsal_tunnel"``): the nerve is held to its bed there,
    so it slides less beyond the site and strains more next to it (a teaching hypothesis: see
    the module docstring).

    Returns a :class:`NerveMechanics` with ``excursion_mm(site)`` (mm, + =
    distal), ``strain_pct(site)`` (%), ``peak_strain_pct`` (%), and the
    profiles ``s_mm`` ``(N,)``, ``strain_profile_pct`` and
    ``excursion_profile_mm`` ``S + (N,)``.  Sites: :data:`SITES`.  Angles
    outside the body's ranges raise the core's ``ValueError``; an unknown
    entrapment site or a severity outside 0..1 raises ``ValueError``, a
    severity that is not a number ``TypeError``.  ``registry``: the
    :class:`~neuralsim.model.registry.Registry` whose nerve is modelled
    (default the active one, see :func:`~neuralsim.model.registry.using`).

    >>> m = nerve_mechanics(Posture(knee_flexion=[90, 0]), reference=Posture(knee_flexion=90))
    >>> m.excursion_mm("mid_thigh").shape
    (2,)
    """
    return nerve_model(body, entrapment=entrapment, registry=registry).solve(posture, reference)
