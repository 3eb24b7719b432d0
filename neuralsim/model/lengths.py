"""The nerve beds and the muscles, built on one body geometry.

Every structure is declared once, as data, in ``data/structures.json`` (see
:mod:`neuralsim.registry`): :data:`NERVES` and :data:`MUSCLES` map each name
to its definition (with ``.group`` for muscles).  The *sciatic nerve bed*
(the default nerve) is the path the neuraxis and the sciatic-tibial nerve lie
in: from the upper cervical canal (C1) down the thoracic and lumbar canal,
out with the L4-S3 roots to the sciatic notch, behind the hip, down the back
of the thigh between the hamstrings, behind the knee, down the calf, behind
the medial malleolus and a little way under the foot.  The *femoral nerve
bed* shares the canal, leaves with the L2-L4 roots and passes in front of the
hip and the knee.  Lengths are in mm.

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
There is no Python loop over postures.  ``reference`` and ``body`` are
keyword-only where they follow the posture and the structure.
"""
from __future__ import annotations

from functools import lru_cache
from types import MappingProxyType
from typing import Any, Iterator, Mapping, Sequence

import numpy as np

from . import registry as _reg
from ..core.body import DEFAULT_BODY, Body
from .geometry import Pathway, kinematics, polyline_length
from ..core.joints import JOINTS
from ..core.posture import Posture, angle_array, angle_arrays, as_posture, broadcast_shape
from ..core import parameters as _p
from ..core.errors import UnknownNameError, as_numbers

__all__ = [
    "NERVES", "MUSCLES", "HAMSTRINGS", "DEFAULT_NERVE", "REFERENCE", "nerve_bed_length",
    "relative_bed_length", "bed_contributions", "muscle_length", "structure_length",
    "length_contributions", "pathway", "nerve_pathway", "muscle_pathway", "joint_locations",
    "body_frames", "drawing", "angle_for_bed_length",
]

#: The nerve the functions use when none is named: the first nerve of the built-in
#: registry's data (a registry's own first nerve is ``Registry.default_nerve``).
DEFAULT_NERVE: str = _reg.current().default_nerve


class _KindView(Mapping):
    """Live read-only view: name -> :class:`~neuralsim.registry.Structure` of one kind
    in the active registry.  Iterating gives the names, so ``for m in MUSCLES`` and
    ``"semitendinosus" in MUSCLES`` work as with a tuple of names."""

    def __init__(self, kind: str) -> None:
        self._kind = kind

    def _pool(self) -> Mapping:
        r = _reg.current()
        return r.nerves if self._kind == "nerve" else r.muscles

    def __getitem__(self, name: str):
        pool = self._pool()
        if isinstance(name, str) and name in pool:
            return pool[name]
        try:
            hash(name)
        except TypeError:             # a list: not a name at all (``in`` would say so too)
            raise TypeError(f"{self._kind}: {name!r} is not a name (text); choose one of {', '.join(pool)}") from None
        raise UnknownNameError(self._kind, name, pool)   # a KeyError too, so ``in`` and ``get`` work

    def __iter__(self) -> Iterator[str]:
        return iter(self._pool())

    def __len__(self) -> int:
        return len(self._pool())

    def __repr__(self) -> str:
        return f"{self._kind.upper()}S{tuple(self)}"


class _GroupView(Sequence):
    """Live tuple-like view of the names of one muscle group in the active registry."""

    def __init__(self, group: str) -> None:
        self.group = group

    def _names(self) -> tuple[str, ...]:
        return _reg.current().group(self.group)

    def __getitem__(self, i):
        return self._names()[i]

    def __len__(self) -> int:
        return len(self._names())

    def __iter__(self) -> Iterator[str]:
        return iter(self._names())

    def __eq__(self, other: object) -> bool:
        if isinstance(other, (tuple, list, _GroupView)):
            return tuple(self) == tuple(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return repr(self._names())


#: Nerve beds of the model: name -> definition (``.roots``, ``.contrast``, ``.mechanics``...).
NERVES: Mapping = _KindView("nerve")
#: Muscles whose musculotendon length the model gives (mm): name -> definition with ``.group``.
MUSCLES: Mapping = _KindView("muscle")
#: The muscles of group ``hamstrings`` (derived from the registry, not a list of names).
HAMSTRINGS: Sequence[str] = _GroupView("hamstrings")

#: The default reference posture: the anatomical position.
REFERENCE = Posture()

# Drawing-only proportions of the head (they change no length).
_HEAD_ROUNDNESS = 0.75
_HEAD_FORWARD = 0.15
#: The same, by name, for the model in the page (neuralsim/web/model.js is handed them, so they live here only).
DRAWING_PROPORTIONS: Mapping[str, float] = MappingProxyType({"head_roundness": _HEAD_ROUNDNESS,
                                                             "head_forward": _HEAD_FORWARD})


def _body(body: Body | None) -> Body:
    if body is None:
        return DEFAULT_BODY
    if not isinstance(body, Body):
        raise TypeError(f"body must be a neuralsim.Body, got {type(body).__name__}")
    return body


@lru_cache(maxsize=64)
def joint_locations(body: Body = DEFAULT_BODY) -> Mapping[str, Mapping[str, tuple[float, float]]]:
    """segment -> {joint: (x, y)}: joint centres in each segment's frame (mm)."""
    return _reg.joint_locations(body)


def _nerve(nerve: Any) -> str:
    if nerve is None:
        return _reg.current().default_nerve
    if isinstance(nerve, Body):
        raise TypeError("body is keyword-only: pass it as body=..., e.g. nerve_bed_length(posture, body=b)")
    return _reg.current().check(nerve, "nerve").name


def _muscle(muscle: Any) -> str:
    return _reg.current().check(muscle, "muscle").name


def pathway(name: str, body: Body | None = None) -> Pathway:
    """The :class:`~neuralsim.geometry.Pathway` of any structure of the registry for ``body``."""
    return _reg.current().pathway(_reg.current().check(name).name, _body(body))


def nerve_pathway(body: Body = DEFAULT_BODY, nerve: str | None = None) -> Pathway:
    """The bed of ``nerve`` (default: the registry's first nerve) for ``body``, head to foot."""
    return _reg.current().pathway(_nerve(nerve), _body(body))


def muscle_pathway(muscle: str, body: Body = DEFAULT_BODY) -> Pathway:
    """The musculotendon path of ``muscle`` (one of :data:`MUSCLES`) for ``body``."""
    return _reg.current().pathway(_muscle(muscle), _body(body))


def _result(x: np.ndarray):
    # an array result is read-only: it may be kept (a state's lengths) and handed out again
    x = np.asarray(x, dtype=float)
    if x.ndim == 0:
        return float(x)
    x.flags.writeable = False
    return x


# -- public API ---------------------------------------------------------------

def nerve_bed_length(posture: Any, nerve: str | None = None, *, body: Body | None = None):
    """Absolute length of the bed of ``nerve`` (a key of :data:`NERVES`), mm.

    ``posture``: a :class:`~neuralsim.Posture` (angles scalar or arrays of a common
    broadcast shape ``S``), a mapping joint -> degrees, or an array ``S + (8,)``.
    Returns a float, or an array of shape ``S``.  Angles outside ``body``'s
    ranges raise ``ValueError``.

    >>> # 90 deg of hip flexion wraps the bed round a 41 mm offset: 41 x pi/2 mm
    >>> round(nerve_bed_length(Posture(hip_flexion=90)) - nerve_bed_length(Posture()), 1)
    64.4
    >>> # the femoral bed passes in front of the hip: 20 deg of extension round 30 mm
    >>> round(nerve_bed_length(Posture(hip_flexion=-20), "femoral") - nerve_bed_length(Posture(), "femoral"), 2)
    10.47
    """
    name = _nerve(nerve)
    b = _body(body)
    return _result(_reg.current().pathway(name, b).length(angle_array(posture, b.mobility)))


def relative_bed_length(posture: Any, reference: Any = None, *, nerve: str | None = None,
                        body: Body | None = None):
    """Bed length divided by its length in ``reference`` (dimensionless; 1.0 at the reference).

    ``reference`` defaults to the anatomical position (all angles 0); it may be a
    single posture or broadcast against ``posture``.  Shapes as :func:`nerve_bed_length`.

    >>> relative_bed_length(Posture())
    1.0
    """
    name = _nerve(nerve)
    b = _body(body)
    path = _reg.current().pathway(name, b)
    p, ref = as_posture(posture), as_posture(REFERENCE if reference is None else reference)
    broadcast_shape(p, ref)                  # refuses shapes that do not broadcast, naming both
    # each length on its own shape (a single reference is computed once), then broadcast
    return _result(path.length(angle_array(p, b.mobility)) / path.length(angle_array(ref, b.mobility)))


def length_contributions(posture: Any, structure: str, reference: Any = None, *,
                         body: Body | None = None) -> dict:
    """Change of the length of ``structure`` (any nerve or muscle) at each joint, mm.

    joint -> mm (a float, or an array of the broadcast shape) for every joint
    in :data:`~neuralsim.JOINTS` (0 for joints the structure does not cross),
    from ``reference`` (default the anatomical position) to ``posture``; the
    values sum to the change of length.  Positive means that joint lengthened it.
    """
    b = _body(body)
    path = pathway(structure, b)
    return _contributions(path, *angle_arrays(posture, REFERENCE if reference is None else reference, b.mobility))


def _contributions(path: Pathway, angles: Mapping, ref: Mapping) -> dict:
    return _contributions_of(path.deltas(angles), path.deltas(ref), angles, ref)


def _contributions_of(now: Mapping, was: Mapping, angles: Mapping, ref: Mapping, shape: tuple | None = None) -> dict:
    """joint -> ``now - was`` (mm) for every joint, in the broadcast shape of ``angles`` and ``ref``
    (``shape``, when the caller knows it)."""
    if shape is None:
        shape = np.broadcast_shapes(*(np.shape(a) for a in angles.values()), *(np.shape(a) for a in ref.values()))
    if not shape:                     # one posture: plain numbers (the explorer's case, once per update)
        return {j: float(now[j] - was[j]) if j in now else 0.0 for j in JOINTS}
    zero = np.zeros(shape)
    return {j: _result(now[j] - was[j] + zero) if j in now else _result(zero) for j in JOINTS}


def bed_contributions(posture: Any, reference: Any = None, *, nerve: str | None = None,
                      body: Body | None = None) -> dict:
    """Change of the bed length of ``nerve`` at each joint from ``reference`` to ``posture``, mm.

    Returns joint -> mm (a float, or an array of the broadcast shape) for every
    joint in :data:`~neuralsim.JOINTS`; the values sum exactly to
    ``nerve_bed_length(posture) - nerve_bed_length(reference)``.  Positive means
    that joint lengthened the bed.
    """
    return length_contributions(posture, _nerve(nerve), reference, body=body)


def muscle_length(posture: Any, muscle: str, *, body: Body | None = None):
    """Musculotendon length of ``muscle`` (one of :data:`MUSCLES`), mm.

    It depends only on the joints the muscle crosses (its path in the
    registry): hip and knee for the hamstrings and rectus femoris, knee and
    ankle for gastrocnemius.  Shapes as :func:`nerve_bed_length`.
    """
    name = _muscle(muscle)
    b = _body(body)
    return _result(_reg.current().pathway(name, b).length(angle_array(posture, b.mobility)))


def structure_length(posture: Any, structure: str, *, body: Body | None = None):
    """Length (mm) of any structure of the registry, nerve or muscle.  Shapes as :func:`nerve_bed_length`."""
    b = _body(body)
    return _result(pathway(structure, b).length(angle_array(posture, b.mobility)))


def body_frames(posture: Any, body: Body | None = None, view: str = "standing"):
    """World frames of the segments for one posture (see :func:`neuralsim.geometry.kinematics`)."""
    b = _body(body)
    p = as_posture(posture)
    if p.shape:
        raise ValueError(f"drawing needs a single posture, got one of shape {p.shape}")
    angles = {j: float(a) for j, a in angle_array(p, b.mobility).items()}
    return kinematics(angles, joint_locations(b), view, p.pelvic_tilt), angles


def drawing(posture: Any, body: Body | None = None, view: str = "standing", *,
            angles: Mapping[str, float] | None = None, structures: Any = None) -> dict:
    """Everything needed to draw one posture, in world mm (x forwards, y up).

    Returns a dict with ``"joints"`` (name -> ``(2,)`` point), ``"skeleton"``
    (list of ``(k, 2)`` polylines: head-to-pelvis chain and leg), ``"head"``
    (centre ``(2,)`` and radius), ``"nerves"`` (name -> ``(k, 2)`` polyline of
    each nerve bed of :data:`NERVES`, the very path whose length
    :func:`nerve_bed_length` gives, less the out-of-plane hip terms),
    ``"nerve"`` (the default nerve's polyline), ``"muscles"`` (name -> ``(k, 2)``
    for every muscle of :data:`MUSCLES`), ``"frames"`` and ``"angles"``.
    ``angles``: the posture's angles already checked (joint -> deg), to skip a
    second check (used by :func:`neuralsim.compute`).  ``structures``: names
    of the nerves and muscles to draw (default all; checked names, as
    :func:`neuralsim.compute` passes them); ``"nerve"`` is then the default
    nerve if drawn, else the first nerve drawn (``None`` when none is).
    """
    b = _body(body)
    if angles is None:
        frames, angles = body_frames(posture, b, view)
    else:
        frames = kinematics(angles, joint_locations(b), view, 0.0 if posture is None else as_posture(posture).pelvic_tilt)

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
    reg = _reg.current()
    drawn = reg if structures is None else set(structures)
    nerves = {n: reg.pathway(n, b).points(frames, angles) for n in reg.nerves if n in drawn}
    muscles = {m: reg.pathway(m, b).points(frames, angles) for m in reg.muscles if m in drawn}
    default = nerves.get(reg.default_nerve, next(iter(nerves.values()), None))
    return {
        "joints": joints, "skeleton": [spine, leg], "head": (head_c, head_r),
        "nerve": default, "nerves": nerves, "muscles": muscles, "frames": frames, "angles": angles,
        "nerve_drawn_length_mm": None if default is None else polyline_length(default),
    }


def angle_for_bed_length(posture: Any, joint: str, length_mm, body: Body | None = None, *,
                         nerve: str | None = None):
    """Angle of ``joint`` (deg) at which the bed reaches ``length_mm``, the other joints as in ``posture``.

    This inverts the joint's own length law (wrap or fold, see
    :mod:`neuralsim.geometry`) exactly.  Where the length cannot be reached
    inside the joint's range for ``body``'s mobility the result is ``nan``
    (not reachable), never a clamped angle.  Shapes broadcast as in
    :func:`nerve_bed_length`.

    >>> round(angle_for_bed_length(Posture(), "hip_flexion", nerve_bed_length(Posture()) + 64.4), 1)
    90.0
    """
    from ..core.joints import check_joint, joint_range

    check_joint(joint)
    b = _body(body)
    nerve = _nerve(nerve)
    path = nerve_pathway(b, nerve)
    angles = angle_array(posture, b.mobility)
    target = as_numbers("length_mm", length_mm, 0.0, np.inf, "mm")
    if not np.all(np.isfinite(target)) or np.any(target <= 0):
        raise ValueError(f"target bed length {length_mm!r} mm must be finite and positive")
    crossing = next((c for c in path.crossings if c.joint == joint), None)
    if crossing is None:
        raise ValueError(f"the {nerve} bed does not cross {joint}: no angle of it changes the bed length")
    without = path.length(angles) - crossing.delta(angles[joint])
    need = target - without
    d = crossing.offset_mm
    phi = np.where(need >= 0, need / d, 2.0 * np.arctan(need / (2.0 * d)))
    theta = np.degrees(phi) / crossing.sign
    lo, hi = joint_range(joint, b.mobility)
    theta = np.where((theta < lo - 1e-9) | (theta > hi + 1e-9), np.nan, theta)
    return _result(theta)
