r"""How the nerve moves inside its bed: slack, excursion and local strain.

The core model (:mod:`neuralsim.model`) gives the length of the nerve *bed*.
This module asks what the nerve lying in that bed does: where it slides, how
far, and where it is stretched.  For teaching and self-exploration, not for
diagnosis or treatment.

The model (a one-dimensional shear-lag cable)
---------------------------------------------
Arc length ``s`` (mm) runs along the bed from C1 (``s = 0``) to the end of the
bed in the foot (``s = L``), measured with every joint at 0 (the anatomical
position; the core's fixed run lengths).  Each joint crossing ``j`` of the core
pathway (:func:`neuralsim.model.nerve_pathway`) sits at a fixed position
``s_j`` found by adding up the run lengths before it; the two out-of-plane hip
crossings sit at the hip.

*Bed.*  The segments between joints are rigid, so when the posture changes from
the reference, the bed only lengthens at the crossings.  A bed point at ``s``
moves along the bed (positive = distal, towards the foot) by

.. math::  U(s) = \sum_j \Delta_j \, H(s - s_j), \qquad
           \Delta_j = \delta_j(\text{posture}) - \delta_j(\text{reference}),

with ``delta_j`` the core's :meth:`~neuralsim.geometry.Crossing.delta` (mm) and
``H`` the unit step.  C1 is the origin, ``U(0) = 0``.

*Nerve.*  The nerve (neuraxis, roots, sciatic and tibial nerve, one cable)
moves by ``u(s)``; its strain is ``e = du/ds`` (small strain, lengths along
the anatomical bed).  The trunk is a linear elastic cable that keeps a
resting tension, so it follows a shortening bed by recoiling as well as a
lengthening one by stretching (a nerve cut in situ retracts).  Inside it the
fascicles lie crimped (wavy) in the reference posture, a uniform slack
``e0``: they carry no load until the trunk has been stretched by more than
``e0``.  The strain this module reports is the part beyond the slack,

.. math::  \varepsilon(s) = \max\bigl(u'(s) - e_0,\ 0\bigr),

zero until the slack is taken up, then rising one for one.

*Interface.*  The tissue round the nerve resists sliding with a shear force
``k (u - U)`` per unit length.  Equilibrium of a short piece of nerve of
axial stiffness ``EA``:

.. math::  EA\,u''(s) = k\,\bigl(u(s) - U(s)\bigr).

Only the ratio matters for strain and movement: the *shear-lag length*
``lam = sqrt(EA / k)`` (mm), the distance over which a pull at a joint fades
by a factor ``e``.  ``lam`` is given per region (spinal canal C1 to L5/S1,
lumbosacral roots L5/S1 to the hip, limb, and the tarsal tunnel: the tibial
nerve from a few cm above the ankle to the end of the bed, bound under the
flexor retinaculum and the plantar muscles, where ``lam`` is short so the
bed change of dorsiflexion stays near the ankle).  With no friction (``k = 0``,
``lam`` infinite) the strain is the same everywhere: the bed change divided
by the bed length.  For one joint moved, ``u - U`` and the strain fall off
as ``exp(-|s - s_j| / lam)`` on both sides of it (less the pull of the ends).

*Ends.*  The nerve is anchored to its bed at both ends: ``u(0) = 0`` at C1
(the brainstem) and ``u(L) = U(L)`` at the end of the bed in the foot.

Outputs (positive = distal):

* nerve excursion ``u - U`` (mm): how far the nerve has slid along its bed,
  which is what ultrasound and cadaver markers measure;
* local strain ``max(u' - e0, 0)`` (%): elongation beyond the slack, the part
  that loads the nerve fibres (the strain the physiology thresholds refer to).

Discretisation and solution
---------------------------
Nodes ``s_i`` with element lengths ``h_i = s_{i+1} - s_i``: each region is
cut into equal elements of about ``mech_element_mm``, shorter in proportion
where its ``lam`` is below ``mech_resolve_shear_lag`` (the tarsal tunnel:
about 5 mm), and region edges are nodes.  Node ``i`` stands for its cell,
from the middle of the element before it to the middle of the one after it
(length ``c_i``); ``g_i = c_i * mean(1 / lam**2)`` over the cell (1/mm) and
``U_i`` is the bed displacement averaged over the cell (a crossing need not
fall on a node).  Dividing by ``EA``:

.. math::  -\frac{u_{i-1}}{h_{i-1}} + \Bigl(\frac{1}{h_{i-1}} + \frac{1}{h_i} + g_i\Bigr)u_i
           - \frac{u_{i+1}}{h_i} = g_i\,U_i,
           \qquad u_0 = 0,\quad u_{N-1} = U_{N-1},

one tridiagonal system per posture, with the same matrix for every posture.
It is factorised once (Thomas algorithm).  Because the system is linear and
``U`` is a sum of unit steps, the solution is ``u = sum_j Delta_j G_j``
where ``G_j`` solves the system for a 1 mm step at crossing ``j``; the
model solves for the ``G_j`` once (a batched Thomas solve) and any number of
postures then cost one small matrix product.  :meth:`NerveModel.solve_direct`
solves every posture's own system (batched Thomas, loop over nodes) and gives
the same numbers.  The end state depends only on the posture and the
reference, never on the order in which the joints were moved.

Limitations (also in :func:`evidence_rows`): the trunk is linear, so a bed
that shortens a lot lets the nerve recoil as far as it likes, where a real
nerve that has lost its resting tension would go slack; there is no creep
or stress relaxation; the spine is lumped into three joints; the only local
hold is the tarsal tunnel (no dentate ligaments, no root sleeves in the
foramina).  One linear interface length sets both how fast excursion fades
away from a joint and how far its pull carries, so the model cannot at once
let neck movement reach the thigh (sliders) and keep the roots, the thigh
excursion and the cord strain as local as the cadaver and ultrasound data
show; see the limitation texts of :func:`evidence_rows`.

Every parameter is a row of ``data/parameters.csv`` (names ``mech_*`` and
``strain_band_*``) with its source or the word "assumption".

>>> m = nerve_mechanics(Posture(hip_flexion=70))
>>> m.excursion_mm("popliteal") < 0   # hip flexion pulls the nerve up the leg
True
>>> m.strain_pct("hip") > m.strain_pct("ankle")
True
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Mapping

import numpy as np

from . import parameters as _p
from .body import DEFAULT_BODY, Body
from .geometry import Crossing, Run
from .joints import joint_range
from .model import REFERENCE, _body, nerve_pathway
from .posture import Posture, angle_array

__all__ = [
    "SITES", "REGIONS", "STRAIN_BANDS", "StrainBand", "strain_band", "strain_colour",
    "NerveModel", "NerveMechanics", "nerve_mechanics", "evidence_rows", "fitted_ankle_offset",
    "BAND_CAVEAT", "ridehalgh", "alshami", "slider_tensioner",
]

#: Named sites along the nerve, head to foot.
SITES: tuple[str, ...] = ("cervical", "lumbar_roots", "hip", "mid_thigh", "popliteal", "ankle")

#: Regions with their own interface (shear-lag length): C1 to L5/S1, L5/S1 to
#: the hip, the hip to the foot, and the tibial nerve in and below the tarsal
#: tunnel (from ``mech_tarsal_tunnel_above`` mm above the ankle crossing to
#: the end of the bed), which overrides "limb" there.
REGIONS: tuple[str, ...] = ("canal", "roots", "limb", "tarsal_tunnel")

# The strain bands (thresholds, labels, colours) are the one scale in
# neuralsim.bands, shared with the figure and the plots.
from .errors import OutOfRangeError  # noqa: E402
from .bands import BAND_CAVEAT, STRAIN_BANDS, StrainBand, strain_band, strain_colour  # noqa: E402


# -- the model ----------------------------------------------------------------

def _positive(name: str, value: Any, unit: str, allow_zero: bool = False, upper: float = math.inf) -> float:
    ok = isinstance(value, (int, float, np.floating, np.integer)) and not isinstance(value, bool)
    if ok:
        value = float(value)
        ok = math.isfinite(value) or value == math.inf
        ok = ok and (value >= 0 if allow_zero else value > 0) and value <= upper
    if not ok:
        lo = "0 or more" if allow_zero else "more than 0"
        raise ValueError(f"{name}: {value!r} {unit} is not allowed; give a number {lo}"
                         + (f" and at most {upper:g} {unit}" if upper < math.inf else ""))
    return float(value)


#: Model-size bounds: the smallest target element length (mm) and the most elements.
ELEMENT_MM_MIN = 1.0
MAX_ELEMENTS = 20000


class NerveModel:
    """The nerve-in-its-bed model for one body, with its parameters.

    Defaults come from ``parameters.csv``.  Overrides (for teaching and tests):
    ``shear_lag_mm``: a number (mm, every region) or a mapping region -> mm
    (``math.inf`` means no interface friction); ``slack_pct``: uniform slack
    in the reference posture (%); ``element_mm``: target element length (mm).

    Attributes: ``s_mm`` node positions (``(N,)``, mm from C1),
    ``element_mm`` element lengths (``(N-1,)``, mm; shorter in the tarsal
    tunnel), ``h`` the longest element (mm), ``length_mm`` bed length in the
    anatomical position (mm), ``crossing_mm`` and ``site_mm`` (name -> mm from
    C1), ``region_mm`` (region -> (start, end) mm from C1), ``shear_lag_mm``
    (region -> mm), ``slack`` (dimensionless, 0.005 = 0.5 %).
    """

    def __init__(self, body: Body | None = None, *, shear_lag_mm: Any = None,
                 slack_pct: Any = None, element_mm: Any = None) -> None:
        self.body = b = _body(body)
        path = nerve_pathway(b)
        lam = {r: _p.value(f"mech_shear_lag_{r}") * b.scale for r in REGIONS}
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
        self.slack = 0.01 * (_p.value("mech_slack_pct") if slack_pct is None
                             else _positive("slack", slack_pct, "%", allow_zero=True, upper=20.0))
        h_target = _p.value("mech_element_mm") if element_mm is None else _positive("element length", element_mm, "mm", upper=200.0)
        if h_target < ELEMENT_MM_MIN:   # model size has bounds: refuse before building a huge mesh
            raise OutOfRangeError("element_mm", h_target, ELEMENT_MM_MIN, 200.0, "mm")

        # crossing positions along the anatomical bed (mm from C1)
        pos, cross, s = {}, [], 0.0
        for piece in path.pieces:
            if isinstance(piece, Run):
                s += piece.length
            elif piece.in_plane:
                pos[piece.joint] = s
                cross.append(piece)
        for piece in path.crossings:
            if not piece.in_plane:
                pos[piece.joint] = pos["hip_flexion"]
                cross.append(piece)
        self.length_mm = L = s
        self.crossings: tuple[Crossing, ...] = tuple(cross)
        self.crossing_mm: dict[str, float] = pos
        s_l, s_h = pos["lumbar_flexion"], pos["hip_flexion"]
        s_t = pos["ankle_dorsiflexion"] - _p.value("mech_tarsal_tunnel_above") * b.scale
        self.region_mm: dict[str, tuple[float, float]] = {
            "canal": (0.0, s_l), "roots": (s_l, s_h), "limb": (s_h, s_t), "tarsal_tunnel": (s_t, L)}
        # Mesh: each region is cut into equal elements of the target length, shorter
        # in proportion where its shear-lag length is below mech_resolve_shear_lag
        # (so a short hold such as the tarsal tunnel is resolved, and halving the
        # target halves every element); region edges fall on nodes.
        resolve = _p.value("mech_resolve_shear_lag") * b.scale
        edges = [0.0]
        n_elements = sum(max(1, math.ceil((z - a) / (h_target * min(1.0, lam[r] / resolve)) - 1e-9))
                         for r, (a, z) in self.region_mm.items())
        if n_elements > MAX_ELEMENTS:
            raise OutOfRangeError("element count", n_elements, 1, MAX_ELEMENTS, "elements",
                                  f"(element_mm {h_target:g} mm with shear-lag lengths "
                                  + ", ".join(f"{r} {v:g} mm" for r, v in lam.items()) + ")")
        for r, (a, z) in self.region_mm.items():
            step = h_target * min(1.0, lam[r] / resolve)
            n_r = max(1, int(math.ceil((z - a) / step - 1e-9)))
            edges.extend(np.linspace(a, z, n_r + 1)[1:])
        self.s_mm = np.array(edges)
        if len(self.s_mm) < 5:
            self.s_mm = np.linspace(0.0, L, 5)
        self.s_mm.setflags(write=False)
        N = len(self.s_mm)
        self.element_mm = he = np.diff(self.s_mm)   # (N-1,) element lengths, mm
        self.element_mm.setflags(write=False)
        self.h = float(he.max())                     # longest element, mm
        # Cell (control volume) of node i: from the middle of the element before it
        # to the middle of the element after it.  The interface stiffness (~ 1/lam^2)
        # and the bed's unit steps are averaged over it, so crossings need not fall
        # on nodes.
        lo = self.s_mm - 0.5 * np.concatenate(([0.0], he))
        hi = self.s_mm + 0.5 * np.concatenate((he, [0.0]))
        inv = np.zeros(N)
        for r, (a, z) in self.region_mm.items():
            inv += np.clip(np.minimum(hi, z) - np.maximum(lo, a), 0.0, None) / lam[r] ** 2
        self._g = inv                                 # (N,) interface per node: cell length / lam^2, 1/mm
        posn = np.array([pos[c.joint] for c in cross])
        # (N, n_crossings): the share of node i's cell lying distal of crossing j
        self._W = np.clip((hi[:, None] - posn[None, :]) / (hi - lo)[:, None], 0.0, 1.0)
        # sites
        runs = [p for p in path.pieces if isinstance(p, Run)]
        first = runs[0].length
        pelvis = [r for r in runs if r.segment == "pelvis"][0].length
        thigh = [r for r in runs if r.segment == "thigh"][0].length
        self.site_mm: dict[str, float] = {
            "cervical": _p.value("mech_site_cervical") * first,
            "lumbar_roots": s_l + _p.value("mech_site_lumbar_roots") * pelvis,
            "hip": s_h,
            "mid_thigh": s_h + _p.value("mech_site_mid_thigh") * thigh,
            "popliteal": pos["knee_flexion"],
            "ankle": pos["ankle_dorsiflexion"],
        }
        # linear interpolation weights: nodes (for u) and element midpoints (for strain)
        self._site_node = {k: self._weights(v, self.s_mm) for k, v in self.site_mm.items()}
        mids = 0.5 * (self.s_mm[1:] + self.s_mm[:-1])
        self._site_elem = {k: self._weights(v, mids) for k, v in self.site_mm.items()}
        # the matrix is the same for every posture: factorise it once
        # interior node i: -u_{i-1}/h_{i-1} + (1/h_{i-1} + 1/h_i + g_i) u_i - u_{i+1}/h_i = g_i U_i
        n = N - 2
        low = 1.0 / he[:-1]                           # coupling to the node before, 1/mm
        up = 1.0 / he[1:]                             # coupling to the node after, 1/mm
        diag = low + up + self._g[1:-1]
        cp = np.empty(n)
        m = np.empty(n)
        m[0] = 1.0 / diag[0]
        cp[0] = -up[0] * m[0]
        for i in range(1, n):
            m[i] = 1.0 / (diag[i] + low[i] * cp[i - 1])
            cp[i] = -up[i] * m[i]
        self._cp, self._m, self._low, self._up_end = cp, m, low, up[-1]
        # unit responses: nerve and bed displacement per mm of lengthening at each crossing
        unit = self._bed(np.eye(len(cross)))                  # (N, n_crossings)
        G = self._thomas(unit)
        self._G = np.ascontiguousarray(G.T)                   # (n_crossings, N)
        self._H = np.ascontiguousarray(unit.T)                # (n_crossings, N)
        self._Gstrain = np.ascontiguousarray(np.diff(G, axis=0).T / he)  # (n_crossings, N-1) per mm
        self._Gstrain_pct_T = np.ascontiguousarray(100.0 * self._Gstrain.T)  # (N-1, n_crossings) % per mm
        exc = np.empty((len(cross), len(SITES)))
        posn = np.array([pos[c.joint] for c in cross])
        for k, site in enumerate(SITES):
            i, j, w = self._site_node[site]
            x = self.site_mm[site]
            step = np.where(posn < x - 1e-9, 1.0, np.where(posn > x + 1e-9, 0.0, 0.5))
            exc[:, k] = (1.0 - w) * G[i] + w * G[j] - step
        self._site_exc = exc

    @staticmethod
    def _weights(x: float, grid: np.ndarray) -> tuple[int, int, float]:
        if x <= grid[0]:
            return 0, 0, 0.0
        if x >= grid[-1]:
            k = len(grid) - 1
            return k, k, 0.0
        j = int(np.searchsorted(grid, x, side="right")) - 1
        w = (x - grid[j]) / (grid[j + 1] - grid[j])
        return j, j + 1, float(w)

    # -- solving --------------------------------------------------------------
    def deltas(self, posture: Any, reference: Any = None) -> tuple[np.ndarray, tuple]:
        """Bed lengthening at each crossing from ``reference`` to ``posture``, mm.

        Returns an array ``(n_crossings, M)`` (``M`` postures, flattened) and the
        broadcast shape ``S``.  Angles are checked like the core (``ValueError``).
        """
        mob = self.body.mobility
        now = angle_array(posture, mob)
        ref = angle_array(REFERENCE if reference is None else reference, mob)
        shape = np.broadcast_shapes(*(np.shape(a) for a in now.values()), *(np.shape(a) for a in ref.values()))
        d = np.empty((len(self.crossings), int(np.prod(shape, dtype=int))))
        for k, c in enumerate(self.crossings):
            d[k] = np.broadcast_to(c.delta(now[c.joint]) - c.delta(ref[c.joint]), shape).reshape(-1)
        return d, tuple(shape)

    def _bed(self, d: np.ndarray) -> np.ndarray:
        """Bed displacement at the nodes, ``(N, M)`` mm, for crossing lengthenings ``d`` ``(n_crossings, M)``.

        Each node takes the mean of ``U`` over its cell, so a node whose cell
        holds a crossing takes the part of the step that lies distal of it.
        """
        return self._W @ d

    def _thomas(self, U: np.ndarray) -> np.ndarray:
        """Nerve displacement ``(N, M)`` for bed displacement ``U`` ``(N, M)``.

        The batched Thomas algorithm: the loop runs over the nodes, each step
        acting on all ``M`` columns at once.  The matrix is the same for every
        column, so its factorisation (``_cp``, ``_m``) is computed once.
        """
        g = self._g
        N, M = U.shape
        u = np.empty_like(U)
        u[0] = 0.0
        u[-1] = U[-1]
        n = N - 2
        cp, m = self._cp, self._m
        dp = np.empty((n, M))
        low = self._low
        rhs = U[1:-1] * g[1:-1, None]
        rhs[-1] += self._up_end * u[-1]
        dp[0] = rhs[0] * m[0]
        for i in range(1, n):
            dp[i] = (rhs[i] + low[i] * dp[i - 1]) * m[i]   # the lower diagonal is -low
        x = u[1:-1]
        x[-1] = dp[-1]
        for i in range(n - 2, -1, -1):
            x[i] = dp[i] - cp[i] * x[i + 1]
        return u

    def solve(self, posture: Any, reference: Any = None) -> "NerveMechanics":
        """The nerve in its bed for ``posture`` (from ``reference``), see :func:`nerve_mechanics`."""
        d, shape = self.deltas(posture, reference)
        return NerveMechanics(self, shape, d)

    def solve_direct(self, posture: Any, reference: Any = None) -> np.ndarray:
        """Nerve displacement ``S + (N,)`` (mm) by one Thomas solve per posture (all at once).

        The same numbers :meth:`solve` gets by superposing unit responses; kept
        to check that superposition and as the plain statement of the method.
        """
        d, shape = self.deltas(posture, reference)
        u = self._thomas(self._bed(d))
        return np.ascontiguousarray(u.T).reshape(shape + (u.shape[0],))


class NerveMechanics:
    """The state of the nerve in one posture or an array of postures (shape ``S``).

    Positions ``s_mm`` (``(N,)``, mm from C1 along the bed in the anatomical
    position).  Profiles have shape ``S + (N,)``; site values are floats for a
    single posture, else arrays of shape ``S``.  Excursion is positive distally
    (towards the foot), in mm; strain is elongation beyond the slack, in %.
    """

    def __init__(self, model: NerveModel, shape: tuple, d: np.ndarray) -> None:
        self.model = model
        self.shape = shape
        self._d = np.ascontiguousarray(d)                             # (n_crossings, M) mm
        # element strain beyond the slack, (N-1, M) %: one row per element so that
        # the peak is an element-wise maximum over rows
        e = model._Gstrain_pct_T @ self._d
        np.subtract(e, 100.0 * model.slack, out=e)
        np.maximum(e, 0.0, out=e)
        self._elem = e

    @property
    def _dT(self) -> np.ndarray:
        return self._d.T

    @property
    def s_mm(self) -> np.ndarray:
        """Node positions along the bed from C1 (mm), shape ``(N,)``."""
        return self.model.s_mm

    def _out(self, x: np.ndarray):
        x = np.asarray(x, dtype=float).reshape(self.shape)
        return float(x) if x.ndim == 0 else x

    def _profile(self, x: np.ndarray) -> np.ndarray:
        return x.reshape(self.shape + (x.shape[-1],))

    @property
    def nerve_displacement_mm(self) -> np.ndarray:
        """Nerve displacement ``u`` along the bed from the reference (mm, + distal), ``S + (N,)``."""
        return self._profile(self._dT @ self.model._G)

    @property
    def bed_displacement_mm(self) -> np.ndarray:
        """Bed displacement ``U`` along the bed from the reference (mm, + distal), ``S + (N,)``."""
        return self._profile(self._dT @ self.model._H)

    @property
    def excursion_profile_mm(self) -> np.ndarray:
        """Nerve movement relative to its bed ``u - U`` at every node (mm, + distal), ``S + (N,)``."""
        return self._profile(self._dT @ (self.model._G - self.model._H))

    @property
    def strain_profile_pct(self) -> np.ndarray:
        """Local strain beyond the slack at every node (%), shape ``S + (N,)``.

        Node value = mean of the two elements beside it (the end nodes take their one element).
        """
        e = self._elem.T
        nodes = np.empty((e.shape[0], e.shape[1] + 1))
        nodes[:, 0], nodes[:, -1] = e[:, 0], e[:, -1]
        nodes[:, 1:-1] = 0.5 * (e[:, 1:] + e[:, :-1])
        return self._profile(nodes)

    @property
    def peak_strain_pct(self):
        """Highest local strain anywhere along the nerve (%, largest element strain), shape ``S``."""
        return self._out(np.maximum.reduce(self._elem, axis=0))

    @property
    def peak_position_mm(self):
        """Where the peak strain is (mm from C1, element midpoint), shape ``S``."""
        k = self._elem.argmax(axis=0)
        s = self.model.s_mm
        return self._out(0.5 * (s[k] + s[k + 1]))

    @property
    def bed_change_mm(self):
        """Bed lengthening from the reference (mm; the core's figure), shape ``S``."""
        return self._out(self._d.sum(axis=0))

    @staticmethod
    def _site(site: Any) -> str:
        if not isinstance(site, str) or site not in SITES:
            raise ValueError(f"unknown site {site!r}: choose one of {', '.join(SITES)}")
        return site

    def excursion_mm(self, site: str):
        """How far the nerve has slid along its bed at ``site`` (mm, + = distal), shape ``S``."""
        k = SITES.index(self._site(site))
        return self._out(self.model._site_exc[:, k] @ self._d)

    def strain_pct(self, site: str):
        """Local strain beyond the slack at ``site`` (%), shape ``S``."""
        self._site(site)
        i, j, w = self.model._site_elem[site]
        return self._out((1.0 - w) * self._elem[i] + w * self._elem[j])


@lru_cache(maxsize=16)
def _model(body: Body) -> NerveModel:
    return NerveModel(body)


def nerve_mechanics(posture: Any, reference: Any = None, body: Body | None = None) -> NerveMechanics:
    """Excursion and local strain of the nerve in its bed.

    ``posture``: a :class:`~neuralsim.Posture` (angles in degrees, scalars or
    arrays broadcasting to a shape ``S``), a mapping joint -> degrees, or an
    array ``S + (8,)``.  ``reference``: the posture in which the nerve lies at
    rest with its slack (default: the anatomical position, all angles 0); it
    may broadcast against ``posture``.  ``body``: a :class:`~neuralsim.Body`.

    Returns a :class:`NerveMechanics` with ``excursion_mm(site)`` (mm, + =
    distal), ``strain_pct(site)`` (%), ``peak_strain_pct`` (%), and the
    profiles ``s_mm`` ``(N,)``, ``strain_profile_pct`` and
    ``excursion_profile_mm`` ``S + (N,)``.  Sites: :data:`SITES`.  Angles
    outside the body's ranges raise the core's ``ValueError``.

    >>> m = nerve_mechanics(Posture(knee_flexion=[90, 0]), reference=Posture(knee_flexion=90))
    >>> m.excursion_mm("mid_thigh").shape
    (2,)
    """
    return _model(_body(body)).solve(posture, reference)


# -- calibration and evidence ------------------------------------------------

def _joint_max(joint: str, body: Body) -> float:
    return joint_range(joint, body.mobility)[1]


def ridehalgh(hip_deg: float, model: NerveModel | None = None) -> float:
    """Nerve excursion at mid-thigh (mm, + distal) for knee extension 90 -> 0 deg, supine, at a hip angle."""
    m = _model(DEFAULT_BODY) if model is None else model
    a = m.solve(Posture(hip_flexion=hip_deg, knee_flexion=90))
    b = m.solve(Posture(hip_flexion=hip_deg, knee_flexion=0))
    return b.excursion_mm("mid_thigh") - a.excursion_mm("mid_thigh")


def alshami(model: NerveModel | None = None) -> dict[str, float]:
    """Tibial nerve strain at the ankle (%) after dorsiflexion from 0 to 20 deg in four set-ups.

    Keys ``"knee flexed, hip neutral"``, ``"knee extended"``, ``"hip flexed"``,
    ``"knee extended, hip flexed"``.  The cadaver start has the knee bent 90 deg
    and the hip neutral; the reference state is the anatomical position.
    """
    m = _model(DEFAULT_BODY) if model is None else model
    setups = {
        "knee flexed, hip neutral": dict(knee_flexion=90),
        "knee extended": dict(knee_flexion=0),
        "hip flexed": dict(knee_flexion=90, hip_flexion=90),
        "knee extended, hip flexed": dict(knee_flexion=0, hip_flexion=90),
    }
    out = {}
    for k, kw in setups.items():
        start, end = Posture(**kw), Posture(**kw, ankle_dorsiflexion=20)
        out[k] = m.solve(end).strain_pct("ankle") - m.solve(start).strain_pct("ankle")
    return out


def slider_tensioner(model: NerveModel | None = None) -> dict[str, dict[str, float]]:
    """The seated sciatic slider and tensioner of :mod:`neuralsim.protocols`.

    For each (``"slider"``, ``"tensioner"``, ``"knee alone"``): ``excursion_mm``
    at mid-thigh from start to end (mm, + distal) and ``strain_pct``, the
    largest rise of local strain anywhere along the nerve from start to end
    (%), as a strain gauge zeroed at the start would record it.
    """
    from . import protocols as pr
    m = _model(DEFAULT_BODY) if model is None else model
    out = {}
    for key, steps in (("slider", pr.SCIATIC_SLIDER), ("tensioner", pr.SCIATIC_TENSIONER),
                       ("knee alone", pr.SCIATIC_KNEE_ONLY)):
        a, b = m.solve(steps[0].posture), m.solve(steps[1].posture)
        out[key] = {"excursion_mm": b.excursion_mm("mid_thigh") - a.excursion_mm("mid_thigh"),
                    "strain_pct": float((b.strain_profile_pct - a.strain_profile_pct).max())}
    return out


def fitted_ankle_offset(target_pct: float = 3.9, dorsiflexion_deg: float = 20.0,
                        model: NerveModel | None = None) -> float:
    """Ankle offset (mm) that would make dorsiflexion 0 -> ``dorsiflexion_deg`` strain the ankle site by ``target_pct``.

    Knee bent 90 deg, hip neutral (the first Alshami et al. 2008 set-up).  The
    bed change at the ankle is ``d * phi`` (wrapping side) and the nerve's
    elongation is linear in it: ``e_end = e_start + d * phi * G`` with ``G``
    the ankle-site elongation per mm of bed change at the ankle and
    ``e_start`` the elongation the bent knee leaves there.  While the start
    is slack (``e_start <= slack``), the reported rise is
    ``e_end - slack``, so ``d = (target + slack - e_start) / (phi * G)``.
    Used only as a cross-check of the ankle offset row; the row is not changed.
    """
    m = _model(DEFAULT_BODY) if model is None else model
    k = [c.joint for c in m.crossings].index("ankle_dorsiflexion")
    i, j, w = m._site_elem["ankle"]
    g = (1.0 - w) * m._Gstrain[k, i] + w * m._Gstrain[k, j]
    d0, _ = m.deltas(Posture(knee_flexion=90))
    e_start = float(((1.0 - w) * m._Gstrain[:, i] + w * m._Gstrain[:, j]) @ d0[:, 0])
    if e_start > m.slack:
        raise ValueError(f"the start posture already strains the ankle site ({100 * e_start:.2f} %); "
                         "the offset fit needs a slack start")
    phi = math.radians(dorsiflexion_deg)
    return (0.01 * target_pct + m.slack - e_start) / (phi * g)


def _row(quantity, published, low, high, unit, model, within, source, status, limitation):
    model = None if model is None else round(float(model), 2)
    return {"quantity": quantity, "published": published, "low": low, "high": high, "unit": unit,
            "model": model, "within": bool(within), "source": source, "status": status,
            "limitation": "" if within else limitation}


def evidence_rows(body: Body | None = None) -> list[dict]:
    """The mechanics model beside each published figure on movement, sliders and strain.

    One dict per figure of the evidence file's sections "Movement and strain of
    the nerve", "Sliders and tensioners" and "What strain does to a nerve",
    with keys ``quantity``, ``published`` (text), ``low``, ``high`` (numbers or
    ``None``), ``unit``, ``model`` (number), ``within`` (bool), ``source``,
    ``status``, ``limitation`` ('' when within).  Where a source gives one
    figure without a spread, the accepted range is stated in ``published``.
    (The canal length change of Breig and Louis is a bed-length figure: the
    core's rows in :mod:`neuralsim.evidence` compare it.)
    """
    b = _body(body)
    m = _model(b)
    rows = []
    # -- movement and strain -------------------------------------------------
    r30, r60 = ridehalgh(30, m), ridehalgh(60, m)
    lim_r = ("the knee's bed change (the core's fold law gives 50 mm for 90 deg) reaches mid-thigh, 215 mm "
             "above the knee, almost undiminished because the limb interface is slippery (shear-lag length "
             f"{m.shear_lag_mm['limb']:.0f} mm). In a linear shear-lag cable one length sets both how fast "
             "excursion fades (about Delta/2 exp(-x/lam)) and how far a pull carries: a thigh length of about "
             "250-300 mm would bring this row inside the range but (checked) cuts the tensioner/slider strain "
             "ratio to about 2, because neck extension would no longer offset the knee. A linear cable also "
             "ignores the hip angle, where the data show more excursion at hip 60 deg (slack taken up first). "
             "Needed: an interface that holds until a shear threshold and then slides (friction), or slack "
             "that depends on posture")
    for hip, val, pub, lo, hi in ((30, r30, "9.9 +/- 2.2 mm", 7.7, 12.1), (60, r60, "12.4 +/- 4.4 mm", 8.0, 16.8)):
        rows.append(_row(f"sciatic excursion at mid-thigh, knee extension 90 -> 0 deg, hip {hip} deg",
                         pub + " (mean +/- SD, n=16)", lo, hi, "mm", val, lo <= val <= hi,
                         "Ridehalgh, Moore & Hough 2014, Man Ther 19(1):59-64", "confirmed", lim_r))
    al = alshami(m)
    first = al["knee flexed, hip neutral"]
    rows.append(_row("tibial nerve strain at the ankle, dorsiflexion 0 -> 20 deg (knee bent, hip neutral)",
                     "+3.9 % (10 cadavers; no spread given: 2.9-4.9 % accepted)", 2.9, 4.9, "%", first,
                     2.9 <= first <= 4.9, "Alshami, Babri, Souvlis & Coppieters 2008, J Appl Biomech 24(4):368-76",
                     "partly",
                     f"the tarsal tunnel holds the 5 mm bed change of a 15 mm ankle offset near the ankle; this "
                     f"row is sensitive to that assumed hold (mech_shear_lag_tarsal_tunnel). The offset that "
                     f"would give 3.9 % is {fitted_ankle_offset(model=m):.0f} mm"))
    order = (al["knee extended, hip flexed"] >= max(al["knee extended"], al["hip flexed"])
             and al["hip flexed"] > first and al["knee extended"] > first)
    rows.append(_row("ankle strain from dorsiflexion with the knee extended / hip flexed first (both)",
                     "higher when the knee is extended or the hip flexed first, higher still with both",
                     None, None, "%", al["knee extended, hip flexed"], order,
                     "Alshami, Babri, Souvlis & Coppieters 2008, J Appl Biomech 24(4):368-76", "partly",
                     "pre-positioning only adds strain where it takes up slack at the ankle; in the model "
                     f"it does not (knee flexed {first:.2f} %, knee extended "
                     f"{al['knee extended']:.2f} %, hip flexed {al['hip flexed']:.2f} %, both "
                     f"{al['knee extended, hip flexed']:.2f} %)"))
    neck = m.solve(Posture(cervical_flexion=_joint_max("cervical_flexion", b)))
    cs = neck.strain_pct("cervical")
    rows.append(_row("cervical cord strain, neck from neutral to full flexion", "about 10 % (18 necropsies; "
                     "7-13 % accepted)", 7.0, 13.0, "%", cs, 7.0 <= cs <= 13.0,
                     "Reid 1960, J Neurol Neurosurg Psychiatry 23:214-21", "partly",
                     "the neck is one joint at C7/T1 and the cord slides freely in the canal (shear-lag length "
                     f"{m.shear_lag_mm['canal']:.0f} mm), so its 16 mm of lengthening spreads over the whole "
                     "neuraxis: at a crossing the strain is at most Delta / (lam above + lam below). Holding the "
                     "cord near the neck instead (tried: shear-lag length 20-50 mm over 60-600 mm round C7/T1, as "
                     "the dentate ligaments and roots might) puts the strain at the one lumped joint, not over "
                     "C2-T1 (mid-cervical site 1-5 %), and stops neck movement reaching the thigh (slider and "
                     "tensioner excursions then equal within 1 mm: no slider effect, no structural "
                     "differentiation). Needed: the neck as several joints spreading the lengthening over C2-T1, a cord much "
                     "more compliant along its length than the sciatic nerve (its own axial stiffness, which "
                     "breaks the uniform-strain rule of a single cable) with segmental tethers"))
    slr = m.solve(Posture(hip_flexion=60))
    rx, rs = slr.excursion_mm("lumbar_roots"), slr.strain_pct("lumbar_roots")
    rows.append(_row("L4-S1 root excursion, straight-leg raise to 60 deg", "0.5-5 mm (10 cadavers)", 0.5, 5.0, "mm",
                     abs(rx), 0.5 <= abs(rx) <= 5.0, "Smith, Massie, Chesnut & Garfin 1993, Spine 18(8):992-9",
                     "partly",
                     "the roots slide almost as freely as the rest of the nerve (shear-lag length "
                     f"{m.shear_lag_mm['roots']:.0f} mm), so the hip's 43 mm pull reaches them 78 mm away. "
                     "Excursion below 5 mm there needs a root length of about 120 mm or less (held in the "
                     "foramina), but the slider's 3x strain ratio needs more than about 250 mm so that neck "
                     "movement reaches the thigh (checked: 100 mm gives 3.6 mm and a ratio of 1.8): one "
                     "linear interface cannot do both. Needed: an interface that transmits tension from the cord "
                     "without letting the roots slide (friction with a threshold, or tethers that act only "
                     "when the roots are pulled out of the canal)"))
    rows.append(_row("L4-S1 root strain, straight-leg raise to 60 deg", "2-4 % (10 cadavers)", 2.0, 4.0, "%", rs,
                     2.0 <= rs <= 4.0, "Smith, Massie, Chesnut & Garfin 1993, Spine 18(8):992-9", "partly",
                     "see the root excursion row"))
    df = m.solve(Posture(ankle_dorsiflexion=20))
    hf = m.solve(Posture(hip_flexion=70))
    ok = df.excursion_mm("ankle") > 0 and hf.excursion_mm("popliteal") < 0 and hf.excursion_mm("ankle") < 0
    rows.append(_row("direction of tibial nerve movement: dorsiflexion / hip flexion",
                     "dorsiflexion pulls the nerve distally; hip flexion pulls it proximally, far down the leg",
                     None, None, "mm", hf.excursion_mm("ankle"), ok,
                     "Coppieters et al. 2006, J Orthop Res 24(9):1883-9", "confirmed (direction only)",
                     "the signs of the model's excursions disagree with the cadaver data"))
    # -- sliders and tensioners ---------------------------------------------
    st = slider_tensioner(m)
    sl, te, kn = st["slider"], st["tensioner"], st["knee alone"]
    exc_ratio = sl["excursion_mm"] / te["excursion_mm"] if te["excursion_mm"] > 0 else math.inf
    strain_ratio = te["strain_pct"] / max(sl["strain_pct"], 1e-6)
    rows.append(_row("slider / tensioner excursion ratio (sciatic in the model; median and ulnar in the cadavers)",
                     "median nerve 12.6 vs 6.1 mm (2.1x); ulnar nerve 8.3 vs 3.8 mm (2.2x)", 2.07, 2.18, "1",
                     exc_ratio, 2.07 <= exc_ratio <= 2.18, "Coppieters & Butler 2008, Man Ther 13(3):213-21",
                     "confirmed",
                     f"different nerve and joints: in the seated sciatic slider the neck gives back most of what "
                     f"the knee takes, so the tensioner hardly moves the mid-thigh ({te['excursion_mm']:.1f} mm) "
                     f"and the ratio is larger; the direction (slider moves the nerve more) agrees"))
    rows.append(_row("tensioner / slider ratio of the strain rise", "median nerve 6.8 % vs 0.8 % (8.5x)", 3.0, None,
                     "1", strain_ratio, strain_ratio >= 3.0, "Coppieters & Butler 2008, Man Ther 13(3):213-21",
                     "confirmed", "the model's slider strains the nerve nearly as much as the tensioner"))
    ratio9 = sl["excursion_mm"] / te["excursion_mm"] if te["excursion_mm"] > 0 else math.inf
    ok9 = sl["excursion_mm"] > kn["excursion_mm"] > te["excursion_mm"]
    rows.append(_row("slider vs tensioner excursion in vivo (model: sciatic at mid-thigh, mm)",
                     "median nerve: slider 10.2 +/- 2.8 mm, tensioner 1.8 +/- 4.0 mm, single joint 3.4-5.6 mm",
                     7.4, 13.0, "mm", sl["excursion_mm"], 7.4 <= sl["excursion_mm"] <= 13.0 and ok9,
                     "Coppieters, Hough & Dilley 2009, JOSPT 39(3):164-71", "partly",
                     f"the order slider > single joint > tensioner holds ({sl['excursion_mm']:.1f} > "
                     f"{kn['excursion_mm']:.1f} > {te['excursion_mm']:.1f} mm), but the sciatic slider moves "
                     f"the nerve further than the median-nerve slider (longer bed, larger joints; ratio {ratio9:.1f})"))
    rows.append(_row("sciatic slider (neck extension with knee extension): largest excursion", "largest sciatic "
                     "excursion of the techniques compared", None, None, "mm", sl["excursion_mm"],
                     sl["excursion_mm"] > max(kn["excursion_mm"], te["excursion_mm"]),
                     "Ellis, Hing & McNair 2012, JOSPT 42(8):667-75", "confirmed (direction only)",
                     "the model's slider does not move the nerve most"))
    # -- what strain does to a nerve (the band thresholds) ----------------------
    v = _p.PARAMETERS
    for name, pub, src, status, what in (
        ("strain_band_blood_flow_stops", "above 15.7 %", "Ogata & Naito 1986, J Hand Surg Br 11(1):10-14",
         "confirmed", "blood flow stops (rabbit sciatic nerve)"),
        ("strain_band_conduction_kept", "8 % for 2 h: no significant loss",
         "Kwan, Wall, Massie & Garfin 1992, Acta Orthop Scand 63:267-72", "partly",
         "conduction kept (rabbit tibial nerve)"),
        ("strain_band_conduction_block", "15 %: 99 % drop of the muscle response",
         "Kwan, Wall, Massie & Garfin 1992, Acta Orthop Scand 63:267-72", "partly",
         "conduction lost (rabbit tibial nerve)"),
        ("strain_band_venous_flow_impaired", "8 %", "Lundborg & Rydevik 1973, J Bone Joint Surg Br 55:390-401",
         "check", "venous flow impaired (rabbit)"),
        ("strain_band_ischaemia", "15 %", "Lundborg & Rydevik 1973, J Bone Joint Surg Br 55:390-401", "check",
         "complete ischaemia (rabbit)"),
    ):
        val = v[name].value
        pubval = float(pub.split("%")[0].split()[-1])
        rows.append(_row(f"strain band threshold: {what}", pub, pubval, pubval, "%", val, abs(val - pubval) < 1e-9,
                         src, status, "the band threshold in parameters.csv differs from the source"))
    rows.append(_row("stress relaxation after 1 h at 6 / 9 / 12 % strain", "48 / 34 / 34 % (rabbit tibial nerve)",
                     34.0, 48.0, "%", 0.0, False, "Wall et al. 1991, J Hand Surg Am 16(5):859-63", "confirmed",
                     "the model is elastic: strain and tension do not change with time, so it shows no relaxation; "
                     "a position held for minutes loads the nerve less than the model says"))
    return rows
