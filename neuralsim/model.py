"""The nerve bed and the muscles, built on one body geometry.

The *nerve bed* is the path the neuraxis and the sciatic-tibial nerve lie in:
from the upper cervical canal (C1) down the thoracic and lumbar canal, out
with the L4-S3 roots to the sciatic notch, behind the hip, down the back of
the thigh between the hamstrings, behind the knee, down the calf, behind the
medial malleolus and a little way under the foot.  Its length is in mm.

Reference posture
-----------------
Relative bed length is the bed length divided by its length in a reference
posture.  The default reference is the anatomical position (every angle 0:
standing upright, looking ahead, knees straight, foot at a right angle).  It
is the zero of every clinical angle, so each joint's contribution is measured
from the position every goniometer reading starts from, and it is a posture
anyone can take; relative length 1.05 means "5 % longer than standing tall".

Shapes
------
Every function takes one posture or many: a :class:`~neuralsim.Posture` whose
angles are arrays (all broadcast to one shape ``S``), a mapping joint ->
degrees, or an array of shape ``S + (8,)`` in :data:`~neuralsim.JOINTS` order.
It returns a float for a single posture, else an array of shape ``S``.
There is no Python loop over postures.
"""
from __future__ import annotations

from functools import lru_cache
from typing import Any, Mapping

import numpy as np

from .body import DEFAULT_BODY, Body
from .geometry import Crossing, Pathway, Run, kinematics, polyline_length
from .joints import JOINTS
from .posture import Posture, angle_array, angle_arrays, as_posture
from . import parameters as _p

__all__ = [
    "MUSCLES", "HAMSTRINGS", "REFERENCE", "nerve_bed_length", "relative_bed_length",
    "bed_contributions", "muscle_length", "nerve_pathway", "muscle_pathway",
    "joint_locations", "body_frames", "drawing", "angle_for_bed_length",
]

#: Muscles whose musculotendon length the model gives (mm).
MUSCLES: tuple[str, ...] = ("semimembranosus", "semitendinosus", "biceps_femoris_lh", "gastrocnemius")
#: The three hamstrings.
HAMSTRINGS: tuple[str, ...] = tuple(m for m in MUSCLES if m != "gastrocnemius")

#: The default reference posture: the anatomical position.
REFERENCE = Posture()

# Drawing-only proportions of the head (they change no length).
_HEAD_ROUNDNESS = 0.75
_HEAD_FORWARD = 0.15

_OUT_OF_PLANE = {
    "hip_adduction": "nerve_offset_hip_adduction",
    "hip_internal_rotation": "nerve_offset_hip_rotation",
}


def _body(body: Body | None) -> Body:
    if body is None:
        return DEFAULT_BODY
    if not isinstance(body, Body):
        raise TypeError(f"body must be a neuralsim.Body, got {type(body).__name__}")
    return body


@lru_cache(maxsize=64)
def joint_locations(body: Body = DEFAULT_BODY) -> Mapping[str, Mapping[str, tuple[float, float]]]:
    """segment -> {joint: (x, y)}: joint centres in each segment's frame (mm)."""
    seg = body.segment
    return {
        "head_neck": {"cervical_flexion": (0.0, 0.0)},
        "thoracic": {"thoracic_flexion": (0.0, 0.0), "cervical_flexion": (0.0, seg("thoracic"))},
        "lumbar": {"lumbar_flexion": (0.0, 0.0), "thoracic_flexion": (0.0, seg("lumbar"))},
        "pelvis": {"hip_flexion": (0.0, 0.0), "lumbar_flexion": (-seg("pelvis_back"), seg("pelvis_up"))},
        "thigh": {"hip_flexion": (0.0, 0.0), "knee_flexion": (0.0, -seg("thigh"))},
        "shank": {"knee_flexion": (0.0, 0.0), "ankle_dorsiflexion": (0.0, -seg("shank"))},
        "foot": {"ankle_dorsiflexion": (0.0, 0.0)},
    }


def _between(segment: str, top: tuple[float, float], d_top: float,
             bottom: tuple[float, float], d_bottom: float, frac: float) -> Run:
    """A run from the joint-level point below ``top`` to the one at ``bottom``.

    It leaves each end parallel to the segment for ``frac`` of the distance
    between the two joints and crosses over in the middle.
    """
    (tx, ty), (bx, by) = top, bottom
    r = frac * abs(ty - by)
    pts = [(tx - d_top, ty), (tx - d_top, ty - r), (bx - d_bottom, by + r), (bx - d_bottom, by)]
    return Run(segment, tuple(pts))


@lru_cache(maxsize=64)
def nerve_pathway(body: Body = DEFAULT_BODY) -> Pathway:
    """The nerve bed of ``body`` as a :class:`~neuralsim.geometry.Pathway`, head to foot."""
    loc = joint_locations(body)
    off = body.offset
    seg = body.segment
    frac = _p.value("run_fraction")
    d_c, d_t, d_l = off("nerve_offset_cervical"), off("nerve_offset_thoracic"), off("nerve_offset_lumbar")
    d_h, d_k, d_a = off("nerve_offset_hip"), off("nerve_offset_knee"), off("nerve_offset_ankle")
    foot, ankle_h = seg("foot"), seg("ankle_height")
    heel_x = -_p.value("foot_heel_fraction") * foot
    end = (heel_x + _p.value("nerve_foot_reach") * foot, -_p.value("nerve_foot_end_height") * ankle_h)
    pieces = [
        Run("head_neck", ((-d_c, seg("cervical")), (-d_c, 0.0))),
        Crossing("cervical_flexion", d_c),
        _between("thoracic", loc["thoracic"]["cervical_flexion"], d_c, (0.0, 0.0), d_t, frac),
        Crossing("thoracic_flexion", d_t),
        _between("lumbar", loc["lumbar"]["thoracic_flexion"], d_t, (0.0, 0.0), d_l, frac),
        Crossing("lumbar_flexion", d_l),
        _between("pelvis", loc["pelvis"]["lumbar_flexion"], d_l, (0.0, 0.0), d_h, frac),
        Crossing("hip_flexion", d_h),
        Crossing("hip_adduction", off(_OUT_OF_PLANE["hip_adduction"]), sign=+1),
        Crossing("hip_internal_rotation", off(_OUT_OF_PLANE["hip_internal_rotation"]), sign=+1),
        _between("thigh", (0.0, 0.0), d_h, loc["thigh"]["knee_flexion"], d_k, frac),
        Crossing("knee_flexion", d_k),
        _between("shank", (0.0, 0.0), d_k, loc["shank"]["ankle_dorsiflexion"], d_a, frac),
        Crossing("ankle_dorsiflexion", d_a),
        Run("foot", ((-d_a, 0.0), (-d_a, -_p.value("nerve_foot_drop") * ankle_h), end)),
    ]
    # The out-of-plane crossings sit beside the hip; for the in-plane checks the
    # hip crossing must be followed by a run, so move them after the thigh run.
    inplane = [p for p in pieces if not (isinstance(p, Crossing) and not p.in_plane)]
    outplane = [p for p in pieces if isinstance(p, Crossing) and not p.in_plane]
    return Pathway("nerve bed", tuple(inplane + outplane), loc)


@lru_cache(maxsize=64)
def muscle_pathway(muscle: str, body: Body = DEFAULT_BODY) -> Pathway:
    """The musculotendon path of ``muscle`` (one of :data:`MUSCLES`) for ``body``."""
    _check_muscle(muscle)
    loc = joint_locations(body)
    off = body.offset
    frac = _p.value("run_fraction")
    knee = loc["thigh"]["knee_flexion"]
    if muscle in HAMSTRINGS:
        r_h, r_k = off(f"{muscle}_hip"), off(f"{muscle}_knee")
        above = off("hamstring_origin_above_hip")
        reach = off(f"{muscle}_shank_reach")
        pieces = (
            Run("pelvis", ((-r_h, above), (-r_h, 0.0))),
            Crossing("hip_flexion", r_h),
            _between("thigh", (0.0, 0.0), r_h, knee, r_k, frac),
            Crossing("knee_flexion", r_k),
            Run("shank", ((-r_k, 0.0), (-r_k, -reach))),
        )
    else:
        r_k, r_a = off("gastrocnemius_knee"), off("gastrocnemius_ankle")
        reach = off("gastrocnemius_thigh_reach")
        ins = off("gastrocnemius_insertion")
        pieces = (
            Run("thigh", ((-r_k, knee[1] + reach), (-r_k, knee[1]))),
            Crossing("knee_flexion", r_k),
            _between("shank", (0.0, 0.0), r_k, loc["shank"]["ankle_dorsiflexion"], r_a, frac),
            Crossing("ankle_dorsiflexion", r_a),
            Run("foot", ((-r_a, 0.0), (-r_a, -ins))),
        )
    return Pathway(muscle, pieces, loc)


def _check_muscle(muscle: Any) -> str:
    if not isinstance(muscle, str):
        raise TypeError(f"a muscle name must be text, got {muscle!r}: choose one of {', '.join(MUSCLES)}")
    if muscle not in MUSCLES:
        raise ValueError(f"unknown muscle {muscle!r}: choose one of {', '.join(MUSCLES)}")
    return muscle


def _result(x: np.ndarray):
    x = np.asarray(x, dtype=float)
    return float(x) if x.ndim == 0 else x


# -- public API ---------------------------------------------------------------

def nerve_bed_length(posture: Any, body: Body | None = None):
    """Absolute length of the nerve bed, mm.

    ``posture``: a :class:`~neuralsim.Posture` (angles scalar or arrays of a common
    broadcast shape ``S``), a mapping joint -> degrees, or an array ``S + (8,)``.
    Returns a float, or an array of shape ``S``.  Angles outside ``body``'s
    ranges raise ``ValueError``.

    >>> # 90 deg of hip flexion wraps the bed round a 41 mm offset: 41 x pi/2 mm
    >>> round(nerve_bed_length(Posture(hip_flexion=90)) - nerve_bed_length(Posture()), 1)
    64.4
    """
    b = _body(body)
    return _result(nerve_pathway(b).length(angle_array(posture, b.mobility)))


def relative_bed_length(posture: Any, reference: Any = None, body: Body | None = None):
    """Bed length divided by its length in ``reference`` (dimensionless; 1.0 at the reference).

    ``reference`` defaults to the anatomical position (all angles 0); it may be a
    single posture or broadcast against ``posture``.  Shapes as :func:`nerve_bed_length`.

    >>> relative_bed_length(Posture())
    1.0
    """
    b = _body(body)
    path = nerve_pathway(b)
    now, ref = angle_arrays(posture, REFERENCE if reference is None else reference, b.mobility)
    return _result(path.length(now) / path.length(ref))


def bed_contributions(posture: Any, reference: Any = None, body: Body | None = None) -> dict:
    """Change of bed length at each joint from ``reference`` to ``posture``, mm.

    Returns joint -> mm (a float, or an array of the broadcast shape) for every
    joint in :data:`~neuralsim.JOINTS`; the values sum exactly to
    ``nerve_bed_length(posture) - nerve_bed_length(reference)``.  Positive means
    that joint lengthened the bed.
    """
    b = _body(body)
    path = nerve_pathway(b)
    now_a, ref_a = angle_arrays(posture, REFERENCE if reference is None else reference, b.mobility)
    now, ref = path.deltas(now_a), path.deltas(ref_a)
    return {j: _result(now[j] - ref[j]) for j in JOINTS}


def muscle_length(posture: Any, muscle: str, body: Body | None = None):
    """Musculotendon length of ``muscle`` (one of :data:`MUSCLES`), mm.

    It depends only on the joints the muscle crosses: hip and knee for the
    hamstrings, knee and ankle for gastrocnemius.  Shapes as :func:`nerve_bed_length`.
    """
    _check_muscle(muscle)
    b = _body(body)
    return _result(muscle_pathway(muscle, b).length(angle_array(posture, b.mobility)))


def body_frames(posture: Any, body: Body | None = None, view: str = "standing"):
    """World frames of the segments for one posture (see :func:`neuralsim.geometry.kinematics`)."""
    b = _body(body)
    p = as_posture(posture)
    if p.shape:
        raise ValueError(f"drawing needs a single posture, got one of shape {p.shape}")
    angles = {j: float(a) for j, a in angle_array(p, b.mobility).items()}
    return kinematics(angles, joint_locations(b), view), angles


def drawing(posture: Any, body: Body | None = None, view: str = "standing") -> dict:
    """Everything needed to draw one posture, in world mm (x forwards, y up).

    Returns a dict with ``"joints"`` (name -> ``(2,)`` point), ``"skeleton"``
    (list of ``(k, 2)`` polylines: head-to-pelvis chain and leg), ``"head"``
    (centre ``(2,)`` and radius), ``"nerve"`` (``(k, 2)`` polyline of the bed,
    the very path whose length :func:`nerve_bed_length` gives, less the
    out-of-plane hip terms), and ``"muscles"`` (name -> ``(k, 2)``).
    """
    b = _body(body)
    frames, angles = body_frames(posture, b, view)

    def world(segment: str, xy) -> np.ndarray:
        o, a = frames[segment]
        c, s = np.cos(a), np.sin(a)
        x, y = xy
        return o + np.array([c * x - s * y, s * x + c * y])

    seg = b.segment
    heel = _p.value("foot_heel_fraction")
    joints = {
        "c1": world("head_neck", (0.0, seg("cervical"))),
        "c7_t1": world("head_neck", (0.0, 0.0)),
        "t12_l1": world("thoracic", (0.0, 0.0)),
        "l5_s1": world("lumbar", (0.0, 0.0)),
        "hip": world("pelvis", (0.0, 0.0)),
        "knee": world("shank", (0.0, 0.0)),
        "ankle": world("foot", (0.0, 0.0)),
        "heel": world("foot", (-heel * seg("foot"), -seg("ankle_height"))),
        "toe": world("foot", ((1.0 - heel) * seg("foot"), -seg("ankle_height"))),
    }
    # drawing only: a round head, slightly in front of the neck's axis
    head_r = 0.5 * seg("head") * _HEAD_ROUNDNESS
    # the skull sits on C1: the circle's lowest point touches the top of the neck
    fwd = _HEAD_FORWARD * seg("head")
    head_c = world("head_neck", (fwd, seg("cervical") + float(np.sqrt(head_r**2 - fwd**2))))
    spine = np.array([joints[k] for k in ("c1", "c7_t1", "t12_l1", "l5_s1", "hip")])
    leg = np.array([joints[k] for k in ("hip", "knee", "ankle", "heel", "toe", "ankle")])
    nerve = nerve_pathway(b).points(frames, angles)
    muscles = {m: muscle_pathway(m, b).points(frames, angles) for m in MUSCLES}
    return {
        "joints": joints, "skeleton": [spine, leg], "head": (head_c, head_r),
        "nerve": nerve, "muscles": muscles, "frames": frames, "angles": angles,
        "nerve_drawn_length_mm": polyline_length(nerve),
    }


def angle_for_bed_length(posture: Any, joint: str, length_mm, body: Body | None = None):
    """Angle of ``joint`` (deg) at which the bed reaches ``length_mm``, the other joints as in ``posture``.

    This inverts the joint's own length law (wrap or fold, see
    :mod:`neuralsim.geometry`) exactly.  Where the length cannot be reached
    inside the joint's range for ``body``'s mobility the result is ``nan``
    (not reachable), never a clamped angle.  Shapes broadcast as in
    :func:`nerve_bed_length`.

    >>> round(angle_for_bed_length(Posture(), "hip_flexion", nerve_bed_length(Posture()) + 64.4), 1)
    90.0
    """
    from .joints import check_joint, joint_range

    check_joint(joint)
    b = _body(body)
    path = nerve_pathway(b)
    angles = angle_array(posture, b.mobility)
    target = np.asarray(length_mm, dtype=float)
    if not np.all(np.isfinite(target)) or np.any(target <= 0):
        raise ValueError(f"target bed length {length_mm!r} mm must be finite and positive")
    crossing = next(c for c in path.crossings if c.joint == joint)
    without = path.length(angles) - crossing.delta(angles[joint])
    need = target - without
    d = crossing.offset_mm
    phi = np.where(need >= 0, need / d, 2.0 * np.arctan(need / (2.0 * d)))
    theta = np.degrees(phi) / crossing.sign
    lo, hi = joint_range(joint, b.mobility)
    theta = np.where((theta < lo - 1e-9) | (theta > hi + 1e-9), np.nan, theta)
    return _result(theta)
