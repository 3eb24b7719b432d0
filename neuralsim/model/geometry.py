"""Sagittal-plane linked segments and the paths that cross their joints.

Coordinates and signs
---------------------
Every segment has its own frame.  In the anatomical position (all angles 0)
all frames are aligned with the body: ``+x`` points anteriorly (forwards),
``+y`` superiorly (up).  Lengths are in millimetres, rotations
counter-clockwise-positive when the body faces ``+x`` (to the right).

The chain is rooted at the pelvis (origin: the hip centre)::

    head_neck --cervical_flexion-- thoracic --thoracic_flexion-- lumbar
      --lumbar_flexion-- pelvis --hip_flexion-- thigh --knee_flexion-- shank
      --ankle_dorsiflexion-- foot

Each joint turns its child segment by ``k * angle`` relative to the parent
(:data:`CHAIN` gives ``k``): hip flexion and ankle dorsiflexion turn the child
counter-clockwise, knee flexion and the three spinal flexions clockwise.

Paths
-----
A :class:`Pathway` (the nerve bed, or a muscle) is an ordered list of pieces:

* a :class:`Run` is a polyline fixed in one segment's frame; its length never
  changes;
* a :class:`Crossing` is where the path passes a joint at perpendicular
  distance ``d`` (the offset, in mm) from the joint centre, on one
  :class:`Side` of it (posterior, anterior, or out of the drawing plane).
  The crossing *is* the surface the path wraps: a circle of radius ``d``
  round the joint centre on that side, an object the path holds, so the
  side is data and no code asks which structure it is.  Runs end on the
  crossing's *joint-level point* ``J + d * n`` (``n`` the unit normal of
  that segment towards the crossing's side) and leave it parallel to the
  segment.

When the joint bends so that the path lies on the outside of the bend
(angle ``phi > 0`` in the path's lengthening direction) the path wraps an arc
of radius ``d`` round the joint centre and gains ``d * phi``.  When it bends
the other way, the two parallel runs meet in a fold at distance
``d / cos(phi/2)`` from the joint centre and the path loses
``2 * d * tan(|phi| / 2)``.  So the moment arm (``dL/dphi``) is ``d`` on the
wrapping side and ``d / cos^2(phi/2)`` on the folding side (``d`` near
neutral, ``2 d`` at 90 degrees), which keeps rising in deep bends; the muscles
whose published moment arms fall again use :class:`MomentArmCurve`.  Out-of-plane crossings (hip adduction and internal
rotation) follow the same law about axes perpendicular to the drawing and are
not drawn.

A crossing's *law* is the object itself, chosen by the data (``"law"`` in
``data/structures.json``, see :data:`LAWS`): :class:`Crossing` is the wrap/fold
law above (``"wrap_fold"``, the nerve beds); :class:`MomentArmCurve`
(``"moment_arm_curve"``, the hamstrings and gastrocnemius) gives a moment arm
that is the cited offset with the joint straight, rises to a peak and falls in
deep bends, as published moment-arm curves do, and its length change is the
closed-form integral of that moment arm.  Each law draws itself (see
:meth:`Crossing.drawn`), so the drawn polyline has the computed length.

The length of a pathway is therefore the sum of its run lengths plus one term
per crossing, which is what :meth:`Pathway.length` computes for arrays of
postures, and :meth:`Pathway.points` returns the very polyline whose length
that is, for drawing.

>>> c = Crossing("hip_flexion", 41.0)
>>> round(float(c.delta(90.0)), 1)   # 41 mm x pi/2
64.4
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import Mapping

import numpy as np

from ..core.joints import TABLE, check_joint, joint_range

__all__ = [
    "SEGMENTS", "CHAIN", "Side", "SIDES", "Crossing", "MomentArmCurve", "LAWS", "Run", "Pathway",
    "kinematics", "VIEWS", "VIEW_HOLDS", "posterior_normal", "polyline_length",
]

#: Segment names, head to foot.
SEGMENTS: tuple[str, ...] = ("head_neck", "thoracic", "lumbar", "pelvis", "thigh", "shank", "foot")

#: ``child: (parent, joint, k, child_above)``: the child turns by ``k * angle``
#: (counter-clockwise positive) about the joint; ``child_above`` is True for the
#: spine, whose children lie above their parents.
#: Derived from the joint table (``data/joints.csv``).
CHAIN: Mapping[str, tuple[str, str, int, bool]] = {
    j.child: (j.parent, j.name, j.turn, j.child_above) for j in TABLE.values() if j.in_plane
}

#: The root segment of the chain (its frame is placed by the view).
ROOT = "pelvis"


def _chain_order() -> tuple[str, ...]:
    """Child segments in an order where every parent comes before its children."""
    order: list[str] = []
    placed = {ROOT}
    pending = list(CHAIN)
    while pending:
        ready = [c for c in pending if CHAIN[c][0] in placed]
        if not ready:
            raise ValueError(f"joint table: segments {pending} are not linked to {ROOT}")
        for c in ready:
            order.append(c)
            placed.add(c)
            pending.remove(c)
    return tuple(order)


_ORDER = _chain_order()

#: joint -> (parent segment, child segment) for the in-plane joints.
JOINT_SEGMENTS: Mapping[str, tuple[str, str]] = {
    joint: (parent, child) for child, (parent, joint, _k, _above) in CHAIN.items()
}

#: Views for drawing: view -> (segment held still, its world angle in degrees,
#: counter-clockwise from upright).  Standing holds the thigh upright, sitting
#: holds it horizontal pointing forwards, supine and side-lying lay the pelvis
#: down with the head to the left (face up on the page; side-lying is seen from
#: above, the couch being the page), prone lays it face down with the head to
#: the right.
_RIGHT_ANGLE = math.degrees(math.pi / 2.0)
VIEW_HOLDS: Mapping[str, tuple[str, float]] = {
    "standing": ("thigh", 0.0),
    "sitting": ("thigh", _RIGHT_ANGLE),
    "supine": ("pelvis", _RIGHT_ANGLE),
    "prone": ("pelvis", -_RIGHT_ANGLE),
    "side_lying": ("pelvis", _RIGHT_ANGLE),
}
VIEWS: tuple[str, ...] = tuple(VIEW_HOLDS)


@dataclass(frozen=True)
class Side:
    """The side of a joint a path passes: ``normal_x`` is the x component (in the
    segment's frame, +x anterior) of the unit normal from the joint centre to the
    path: -1 posterior, +1 anterior, 0 out of the drawing plane."""

    name: str
    normal_x: float


#: The sides a crossing may have, by name.
SIDES: Mapping[str, Side] = {
    "posterior": Side("posterior", -1.0),
    "anterior": Side("anterior", +1.0),
    "out_of_plane": Side("out_of_plane", 0.0),
}


def _posterior_sign(joint: str) -> int:
    """+1 if a positive clinical angle puts a posterior path on the outside of the bend."""
    parent, child = JOINT_SEGMENTS[joint]
    _parent, _joint, k, above = CHAIN[child]
    # A child below its parent that turns counter-clockwise opens the posterior
    # side (hip flexion); a child above that turns clockwise does too (spine).
    return k if not above else -k


@dataclass(frozen=True)
class Crossing:
    """Where a path passes a joint.

    ``joint``: clinical joint name.  ``offset_mm``: perpendicular distance of the
    path from the joint centre (mm), > 0.  ``side``: a :class:`Side` or its
    name; default ``"posterior"`` for the in-plane joints and
    ``"out_of_plane"`` for the others.  ``sign``: +1 if a positive clinical
    angle lengthens the path; for in-plane joints it is derived from
    :data:`CHAIN` and the side (a posterior path lengthens with hip flexion,
    an anterior one with hip extension) and need not be given; an
    out-of-plane crossing must give it.
    """

    joint: str
    offset_mm: float
    sign: int = 0
    side: Side | str | None = None
    in_plane: bool = field(init=False, default=True)

    def __post_init__(self) -> None:
        check_joint(self.joint)
        if not (isinstance(self.offset_mm, (int, float)) and math.isfinite(self.offset_mm) and self.offset_mm > 0):
            raise ValueError(f"{self.joint}: path offset {self.offset_mm!r} mm must be a positive number")
        in_plane = self.joint in JOINT_SEGMENTS
        object.__setattr__(self, "in_plane", in_plane)
        side = self.side
        if side is None:
            side = "posterior" if in_plane else "out_of_plane"
        if isinstance(side, str):
            if side not in SIDES:
                raise ValueError(f"{self.joint}: unknown side {side!r}: choose one of {', '.join(SIDES)}")
            side = SIDES[side]
        if (side.normal_x != 0.0) != in_plane:
            raise ValueError(
                f"{self.joint}: side {side.name!r} does not fit a joint "
                f"{'in' if in_plane else 'out of'} the drawing plane")
        object.__setattr__(self, "side", side)
        if in_plane:
            derived = int(_posterior_sign(self.joint) * -side.normal_x)
            if self.sign not in (0, derived):
                raise ValueError(
                    f"{self.joint}: sign {self.sign} contradicts the chain (a {side.name} path gives {derived})"
                )
            object.__setattr__(self, "sign", derived)
        elif self.sign not in (-1, 1):
            raise ValueError(f"{self.joint}: an out-of-plane crossing needs sign +1 or -1")
        object.__setattr__(self, "offset_mm", float(self.offset_mm))

    def normal(self, angle_rad: float) -> np.ndarray:
        """World unit normal ``(2,)`` towards this crossing's side of a segment turned by ``angle_rad``."""
        k = self.side.normal_x
        return np.array([k * math.cos(angle_rad), k * math.sin(angle_rad)])

    @property
    def level_x(self) -> float:
        """x (mm, segment frame) of the joint-level point relative to the joint centre."""
        return self.side.normal_x * self.offset_mm

    def phi(self, angle_deg):
        """Bend in the path's lengthening direction, radians (array like ``angle_deg``)."""
        return np.radians(angle_deg) * self.sign

    def delta(self, angle_deg):
        """Change of path length at this joint from angle 0 (mm); any array shape (a float for one angle)."""
        d = self.offset_mm
        if getattr(angle_deg, "ndim", 0) == 0:      # one posture: the same arithmetic on a float
            phi = math.radians(float(angle_deg)) * self.sign
            return d * phi if phi >= 0.0 else (2.0 * d) * math.tan(0.5 * phi)
        phi = np.radians(angle_deg) * self.sign
        return np.where(phi >= 0.0, d * phi, (2.0 * d) * np.tan(0.5 * phi))

    def moment_arm(self, angle_deg):
        """``dL/dphi`` in mm: ``d`` when wrapping, ``d / cos^2(phi/2)`` when folding."""
        phi = self.phi(angle_deg)
        return np.where(phi >= 0.0, self.offset_mm, self.offset_mm / np.cos(0.5 * phi) ** 2)

    def fold_depth(self, angle_deg: float) -> float:
        """How far the fold lies from the joint level along each run (mm); 0 when wrapping."""
        phi = float(self.phi(angle_deg))
        return 0.0 if phi >= 0 else self.offset_mm * math.tan(-0.5 * phi)

    #: Data keys (``data/structures.json``) this law reads besides joint, side, offset and
    #: sign: data key -> constructor argument.  The wrap/fold law reads none.
    SPEC_KEYS = ()

    def drawn(self, centre: np.ndarray, n1: np.ndarray, n2: np.ndarray, turn: float, phi: float,
              before: np.ndarray, after: np.ndarray, arc_step_deg: float) -> np.ndarray:
        """World points ``(k, 2)`` (mm) that replace the two joint-level points in the drawing.

        ``centre``: joint centre; ``n1``/``n2``: unit normals towards this crossing's side
        of the segments before and after; ``turn``: their relative turn (rad); ``phi``: the
        bend in the lengthening direction (rad); ``before``/``after``: the neighbouring run
        points (the far ends of the straight runs next to the joint).  The wrap/fold law
        draws the arc of radius ``d`` (sampled every ``arc_step_deg``) or the fold point.
        """
        d = self.offset_mm
        if phi >= 0:
            n = max(2, int(math.ceil(abs(math.degrees(turn)) / arc_step_deg)) + 1)
            base = math.atan2(n1[1], n1[0])
            ts = base + turn * _unit_steps(n)
            return centre + d * np.column_stack((np.cos(ts), np.sin(ts)))
        return (centre + d * (n1 + n2) / (1.0 + float(n1 @ n2)))[None, :]



@dataclass(frozen=True)
class MomentArmCurve(Crossing):
    """A crossing whose moment arm follows a published-shape curve of the joint angle.

    For a positive clinical angle ``theta`` (flexion; radians here) the moment arm
    is (mm)::

        r(theta) = d * (1 + gain * sin(pi * theta / (2 * p)))      p = radians(peak_deg)

    ``d`` (``offset_mm``) with the joint straight, a peak of ``d * (1 + gain)`` at
    ``peak_deg``, back to ``d`` at twice that and down to ``d * (1 - gain)`` at three
    times it (choose a peak of at least a third of the deepest flexion, so the curve
    falls all the way).  The length change is its integral, in closed form (mm)::

        delta(theta) = sign * d * (theta + gain * (2 p / pi) * (1 - cos(pi * theta / (2 p))))

    (``sign`` +1 when flexion lengthens the path, as at the hip for a posterior
    muscle, -1 when it shortens it, as at the knee).  For negative angles
    (extension beyond the anatomical position, a few degrees at the knee, up to 20
    at the hip) the wrap/fold law of :class:`Crossing` holds, which has the same
    moment arm ``d`` at 0, so the curve is continuous.

    Drawing: for flexion the crossing is one vertex on the bisector of the joint
    (the line from the joint centre through the middle of a wrap or a fold), placed
    so that the two straight pieces from the neighbouring run points to it have
    exactly the computed length (of the two such points on that line, the one nearer
    the corner where the two runs' lines meet); for extension it is drawn as a wrap
    or fold.  In deep flexion, where the curve's moment arm is well below the fold's,
    the vertex lies further from the joint than a fold would: the muscle takes a
    wider path through the soft tissue between the two segments, as a path that is
    longer than a tight fold must.

    >>> c = MomentArmCurve("knee_flexion", 45.0, side="posterior", peak_deg=50.0, gain=0.2)
    >>> round(float(c.moment_arm(50.0)), 1), round(float(c.moment_arm(0.0)), 1)   # peak, straight
    (54.0, 45.0)
    """

    peak_deg: float = 1.0
    gain: float = 0.0

    SPEC_KEYS = (("peak", "peak_deg"), ("gain", "gain"))

    def __post_init__(self) -> None:
        super().__post_init__()
        checks = (("peak_deg", self.peak_deg, lambda v: v > 0.0, "a positive angle (deg)"),
                  ("gain", self.gain, lambda v: 0.0 <= v < 1.0, "a fraction from 0 up to (not including) 1"))
        for name, v, ok, what in checks:
            if not (isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) and ok(v)):
                raise ValueError(f"{self.joint}: moment-arm curve {name} {v!r} must be {what}")
            object.__setattr__(self, name, float(v))

    def _k(self) -> float:
        """pi / (2 p), per radian."""
        return math.pi / (2.0 * math.radians(self.peak_deg))

    def moment_arm(self, angle_deg):
        """``|dL/dtheta|`` in mm: the curve for flexion, the wrap/fold law for extension."""
        theta = np.radians(angle_deg)
        curve = self.offset_mm * (1.0 + self.gain * np.sin(self._k() * np.maximum(theta, 0.0)))
        return np.where(theta >= 0.0, curve, Crossing.moment_arm(self, np.minimum(angle_deg, 0.0)))

    def delta(self, angle_deg):
        """Change of path length from angle 0 (mm): the integral of :meth:`moment_arm`."""
        k = self._k()
        if getattr(angle_deg, "ndim", 0) == 0:      # one posture: the same arithmetic on a float
            a = float(angle_deg)
            u = max(math.radians(a), 0.0)
            curve = self.sign * self.offset_mm * (u + (self.gain / k) * (1.0 - math.cos(k * u)))
            return curve + Crossing.delta(self, min(a, 0.0))
        u = np.maximum(np.radians(angle_deg), 0.0)
        curve = self.sign * self.offset_mm * (u + (self.gain / k) * (1.0 - np.cos(k * u)))
        return curve + Crossing.delta(self, np.minimum(angle_deg, 0.0))

    def drawn(self, centre, n1, n2, turn, phi, before, after, arc_step_deg):
        if phi * self.sign < 0.0:                    # extension: the wrap/fold law
            return Crossing.drawn(self, centre, n1, n2, turn, phi, before, after, arc_step_deg)
        # The vertex F = centre + s * w on the bisector w with |F - before| + |F - after| = T,
        # T = the straight pieces it replaces plus this crossing's delta.  Writing
        # a = before - centre, b = after - centre: with q_i(s) = |a_i - s w|^2 and
        # sqrt(q1) + sqrt(q2) = T, sqrt(q1) = (T + (q1 - q2) / T) / 2, a quadratic in s.
        # (plain floats: this runs once per crossing per drawn posture)
        d = self.offset_mm
        cx, cy = float(centre[0]), float(centre[1])
        n1x, n1y, n2x, n2y = float(n1[0]), float(n1[1]), float(n2[0]), float(n2[1])
        ax, ay = float(before[0]) - cx, float(before[1]) - cy        # a = before - centre
        bx, by = float(after[0]) - cx, float(after[1]) - cy          # b = after - centre
        theta = phi * self.sign
        k = self._k()
        grow = d * (theta + (self.gain / k) * (1.0 - math.cos(k * theta)))     # delta, as in delta()
        T = math.hypot(ax - d * n1x, ay - d * n1y) + math.hypot(bx - d * n2x, by - d * n2y) + self.sign * grow
        chord = math.hypot(bx - ax, by - ay)
        if T <= chord + 1e-9:                        # straight (or within rounding): no vertex needed
            if T < chord - 1e-6:
                raise ValueError(f"{self.joint}: the straight runs beside the joint are too short to "
                                 f"draw a bend of {math.degrees(abs(phi)):.0f} deg with this moment-arm curve")
            return np.array([[cx + 0.5 * d * (n1x + n2x), cy + 0.5 * d * (n1y + n2y)]])
        wx, wy = n1x + n2x, n1y + n2y
        wn = math.hypot(wx, wy)
        wx, wy = wx / wn, wy / wn
        al, be = ax * wx + ay * wy, bx * wx + by * wy
        aa, bb = ax * ax + ay * ay, bx * bx + by * by
        m, c0 = -2.0 * (al - be), aa - bb            # q1 - q2 = m s + c0
        # s^2 - 2 al s + aa = (T + (m s + c0) / T)^2 / 4, i.e. A s^2 + 2 Bh s + C = 0 with
        h = 0.5 * m / T
        A = 1.0 - h * h
        Bh = -al - 0.5 * h * (T + c0 / T)
        C = aa - (0.5 * (T + c0 / T)) ** 2
        disc = Bh * Bh - A * C
        if disc < 0 or A <= 0:
            raise ValueError(f"{self.joint}: the straight runs beside the joint are too short to draw "
                             f"a bend of {math.degrees(abs(phi)):.0f} deg with this moment-arm curve")
        # of the line's two crossings with that ellipse, the one nearer the corner where the
        # two runs' lines meet (at d / cos(phi / 2) from the centre) keeps the path's shape
        corner = d / math.cos(0.5 * phi)
        root = math.sqrt(disc)
        s = min(((-Bh + root) / A, (-Bh - root) / A), key=lambda r: abs(r - corner))
        return np.array([[cx + s * wx, cy + s * wy]])


#: The crossing laws the data may name (``"law"`` of a crossing in ``data/structures.json``).
LAWS: Mapping[str, type] = {"wrap_fold": Crossing, "moment_arm_curve": MomentArmCurve}


@dataclass(frozen=True)
class Run:
    """A polyline fixed in one segment's frame; ``points`` has shape ``(k, 2)``, mm, k >= 2."""

    segment: str
    points: tuple[tuple[float, float], ...]

    def __post_init__(self) -> None:
        if self.segment not in SEGMENTS:
            raise ValueError(f"unknown segment {self.segment!r}: choose one of {', '.join(SEGMENTS)}")
        pts = tuple((float(x), float(y)) for x, y in self.points)
        if len(pts) < 2:
            raise ValueError(f"a run on {self.segment} needs at least two points")
        object.__setattr__(self, "points", pts)

    # A run never changes (frozen), so its array and length are computed once.
    @cached_property
    def array(self) -> np.ndarray:
        """The points as a read-only array ``(k, 2)``, mm."""
        arr = np.asarray(self.points, dtype=float)
        arr.setflags(write=False)
        return arr

    @cached_property
    def length(self) -> float:
        """Length of the polyline, mm."""
        return polyline_length(self.array)


def polyline_length(points: np.ndarray) -> float:
    """Length (mm) of a polyline given as an array of shape ``(k, 2)``."""
    pts = np.asarray(points, dtype=float)
    return float(np.hypot(*np.diff(pts, axis=0).T).sum())


def posterior_normal(angle_rad: float) -> np.ndarray:
    """World posterior unit normal ``(2,)`` of a segment turned by ``angle_rad``."""
    return np.array([-math.cos(angle_rad), -math.sin(angle_rad)])


@dataclass(frozen=True)
class Pathway:
    """A path made of runs and crossings, in order (see the module docstring).

    ``joint_locations``: segment -> {joint: (x, y)} giving each joint centre in
    that segment's frame (mm), used to check that runs meet the crossings.
    """

    name: str
    pieces: tuple
    joint_locations: Mapping[str, Mapping[str, tuple[float, float]]]

    def __post_init__(self) -> None:
        pieces = tuple(self.pieces)
        object.__setattr__(self, "pieces", pieces)
        runs = [p for p in pieces if isinstance(p, Run)]
        if not runs:
            raise ValueError(f"pathway {self.name}: needs at least one run")
        for i, piece in enumerate(pieces):
            if isinstance(piece, Crossing) and piece.in_plane:
                before = pieces[i - 1] if i > 0 else None
                after = pieces[i + 1] if i + 1 < len(pieces) else None
                if not (isinstance(before, Run) and isinstance(after, Run)):
                    raise ValueError(f"pathway {self.name}: crossing {piece.joint} must sit between two runs")
                self._check_end(piece, before, before.array[-1], before.array[-2])
                self._check_end(piece, after, after.array[0], after.array[1])
            elif not isinstance(piece, (Run, Crossing)):
                raise ValueError(f"pathway {self.name}: piece {piece!r} is neither a Run nor a Crossing")

    def _check_end(self, c: Crossing, run: Run, end: np.ndarray, nxt: np.ndarray) -> None:
        try:
            jx, jy = self.joint_locations[run.segment][c.joint]
        except KeyError:
            raise ValueError(f"pathway {self.name}: {c.joint} is not a joint of segment {run.segment}") from None
        target = np.array([jx + c.level_x, jy])
        if not np.allclose(end, target, atol=1e-6):
            raise ValueError(
                f"pathway {self.name}: the run on {run.segment} must end at {c.joint}'s "
                f"joint-level point {tuple(target)} mm, not {tuple(end)}"
            )
        if abs(nxt[0] - end[0]) > 1e-6:
            raise ValueError(f"pathway {self.name}: the run on {run.segment} must leave {c.joint} parallel to the segment")
        # The fold at the deepest bend the model allows must fit inside the run.
        lo, hi = joint_range(c.joint, "hypermobile")
        worst = lo if c.sign > 0 else hi
        need = c.fold_depth(worst)
        have = abs(nxt[1] - end[1])
        if need > have + 1e-9:
            raise ValueError(
                f"pathway {self.name}: the straight run on {run.segment} next to {c.joint} is "
                f"{have:.1f} mm but the fold at {worst:g} deg needs {need:.1f} mm"
            )

    # -- lengths ------------------------------------------------------------
    @cached_property
    def crossings(self) -> tuple[Crossing, ...]:
        return tuple(p for p in self.pieces if isinstance(p, Crossing))

    @property
    def joints(self) -> tuple[str, ...]:
        """The joints this path crosses, in path order."""
        return tuple(c.joint for c in self.crossings)

    @cached_property
    def run_length(self) -> float:
        """Sum of the fixed run lengths, mm: the path length with every crossed joint at 0."""
        return sum(p.length for p in self.pieces if isinstance(p, Run))

    def deltas(self, angles: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
        """joint -> change of length from angle 0 (mm), for each crossed joint."""
        return {c.joint: c.delta(angles[c.joint]) for c in self.crossings}

    def length(self, angles: Mapping[str, np.ndarray]) -> np.ndarray:
        """Path length (mm) for arrays of angles (deg) that broadcast together.

        ``angles``: joint -> angle array (degrees), already range-checked.  Only the
        joints this path crosses are read.  Returns an array of the broadcast shape.
        """
        return self.length_of(self.deltas(angles))

    def length_of(self, deltas: Mapping[str, np.ndarray]) -> np.ndarray:
        """Path length (mm) from the crossings' changes ``deltas`` (as :meth:`deltas` returns them)."""
        total = self.run_length
        for c in self.crossings:
            total = total + deltas[c.joint]
        return np.asarray(total, dtype=float)

    # -- drawing ------------------------------------------------------------
    def points(self, frames: Mapping[str, tuple[np.ndarray, float]], angles: Mapping[str, float],
               arc_step_deg: float = 3.0) -> np.ndarray:
        """World polyline ``(k, 2)`` in mm of the in-plane path for one posture.

        ``frames``: from :func:`kinematics`.  Its length plus the out-of-plane
        crossings' :meth:`Crossing.delta` equals :meth:`length` (arcs are
        sampled every ``arc_step_deg`` degrees, so within a small fraction of a mm).
        """
        # Pieces of the polyline as arrays, joined once at the end.  At a crossing
        # the previous run's last point is replaced by the arc (or the fold point),
        # and the next run's first point is left out: it is where the arc ends.
        # Each piece's points depend only on the frames of the segments it lies on (and, for a
        # crossing, its angle): the previous call's pieces are kept, read-only, keyed by exactly
        # those numbers, so when one joint moves the pieces above it are reused as computed.
        last = self.__dict__.get("_drawn_pieces", {})
        cache = self.__dict__["_drawn_pieces"] = {}
        key_of = _frame_keys(frames)
        worlds: dict[int, np.ndarray] = {}
        for i, piece in enumerate(pieces := self.pieces):
            if isinstance(piece, Run):
                key = (i, key_of[piece.segment], arc_step_deg)
                world = cache[key] = last.get(key)
                if world is None:
                    origin, ang = frames[piece.segment]
                    c, s = math.cos(ang), math.sin(ang)
                    world = cache[key] = piece.array @ np.array([[c, s], [-s, c]]) + origin
                    world.flags.writeable = False
                worlds[i] = world
        chunks: list[np.ndarray] = []
        skip_first = False
        for i, piece in enumerate(pieces):
            if isinstance(piece, Run):
                world = worlds[i]
                chunks.append(world[1:] if skip_first else world)
                skip_first = False
            elif piece.in_plane:
                prev_run, next_run = pieces[i - 1], pieces[i + 1]
                key = (i, key_of[prev_run.segment], key_of[next_run.segment], float(angles[piece.joint]),
                       arc_step_deg)
                drawn = cache[key] = last.get(key)
                if drawn is None:
                    jx, jy = self.joint_locations[next_run.segment][piece.joint]
                    o2, a2 = frames[next_run.segment]
                    c2, s2 = math.cos(a2), math.sin(a2)
                    centre = o2 + np.array([c2 * jx - s2 * jy, s2 * jx + c2 * jy])
                    a1 = frames[prev_run.segment][1]
                    turn = math.atan2(math.sin(a2 - a1), math.cos(a2 - a1))
                    phi = float(piece.phi(angles[piece.joint]))
                    drawn = cache[key] = piece.drawn(centre, piece.normal(a1), piece.normal(a2), turn, phi,
                                                     worlds[i - 1][-2], worlds[i + 1][1], arc_step_deg)
                    drawn.flags.writeable = False
                chunks[-1] = chunks[-1][:-1]     # the run's end is replaced by the crossing's points
                chunks.append(drawn)
                skip_first = True                # and the next run's start too
        return np.concatenate(chunks)


_LAST_FRAMES: list = [{}, {}]


def _frame_keys(frames: Mapping[str, tuple[np.ndarray, float]]) -> dict:
    """segment -> its frame as plain numbers (a key of the drawn pieces).  Every path of one drawing
    is drawn in the same frames: the last frames' keys are kept, for frames holding the very same
    (origin, angle) items."""
    last, keys = _LAST_FRAMES
    if len(last) != len(frames) or any(last.get(seg) is not fr for seg, fr in frames.items()):
        last, keys = dict(frames), {seg: (float(o[0]), float(o[1]), float(a)) for seg, (o, a) in frames.items()}
        _LAST_FRAMES[:] = last, keys
    return keys


@lru_cache(maxsize=None)
def _unit_steps(n: int) -> np.ndarray:
    """``n`` evenly spaced fractions from 0 to 1 (read-only), shared by every arc of ``n`` points."""
    steps = np.linspace(0.0, 1.0, n)
    steps.setflags(write=False)
    return steps


def kinematics(angles: Mapping[str, float], locations: Mapping[str, Mapping[str, tuple[float, float]]],
               view: str = "standing", pelvic_tilt: float = 0.0) -> dict[str, tuple[np.ndarray, float]]:
    """World frame of every segment for one posture: segment -> (origin ``(2,)`` mm, angle rad).

    ``angles``: joint -> degrees (scalars).  ``locations``: segment -> {joint:
    (x, y)} joint centres in the segment's frame (the child's origin is its
    joint with the parent).  ``view``: one of :data:`VIEWS`; it holds one
    segment at a fixed world angle (:data:`VIEW_HOLDS`).  The hip centre is at
    the world origin.  ``pelvic_tilt`` (deg, + = back): where the view holds the pelvis, it is
    held turned back by this much about the hip centre, so that a thigh and a trunk that keep
    their places (``angles`` being what the joints do, :func:`neuralsim.core.posture.joint_angles`)
    keep their directions on the page; lying, the low back's joint keeps its place too, and the
    hip centre moves off the origin.
    """
    try:
        held, held_deg = VIEW_HOLDS[view]
    except (KeyError, TypeError):
        raise ValueError(f"unknown view {view!r}: choose one of {', '.join(VIEWS)}") from None
    # the held segment's angle relative to the pelvis: the turns of the joints between them
    rel = 0.0
    seg = held
    while seg != ROOT:
        parent, joint, k, _above = CHAIN[seg]
        rel += k * math.radians(float(angles[joint]))
        seg = parent
    if held == ROOT and pelvic_tilt:
        rel -= CHAIN["thigh"][2] * math.radians(float(pelvic_tilt))
    frames: dict[str, tuple[np.ndarray, float]] = {ROOT: (np.zeros(2), math.radians(held_deg) - rel)}
    for child in _ORDER:
        parent, joint, k, _above = CHAIN[child]
        p_origin, p_angle = frames[parent]
        jx, jy = locations[parent][joint]
        c, s = math.cos(p_angle), math.sin(p_angle)
        origin = p_origin + np.array([c * jx - s * jy, s * jx + c * jy])
        frames[child] = (origin, p_angle + k * math.radians(float(angles[joint])))
    if held == ROOT and pelvic_tilt:
        # lying, the trunk stays on the couch and the turning pelvis lifts the hip: every segment
        # shifts so that the low back's joint is where it would be with the pelvis untilted
        jx, jy = locations[ROOT][CHAIN["lumbar"][1]]
        a0 = math.radians(held_deg) - rel - CHAIN["thigh"][2] * math.radians(float(pelvic_tilt))
        untilted = np.array([math.cos(a0) * jx - math.sin(a0) * jy, math.sin(a0) * jx + math.cos(a0) * jy])
        shift = untilted - frames["lumbar"][0]
        frames = {seg: (o + shift, a) for seg, (o, a) in frames.items()}
    return frames
