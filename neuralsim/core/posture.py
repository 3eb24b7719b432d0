"""Postures: one set of joint angles, or many at once.

A :class:`Posture` is immutable.  Each angle is in degrees with the clinical
sign of :mod:`neuralsim.joints`; joints not named stay at 0 (the anatomical
position).  An angle may be a number or an array: all arrays must broadcast
together, and the posture then stands for that many postures
(:attr:`Posture.shape`), at most :data:`~neuralsim.core.errors.MAX_POSTURES`
(one million) of them; a larger shape is refused before anything of that size is made.

>>> p = Posture(hip_flexion=90, knee_flexion=90)
>>> p.knee_flexion
90.0
>>> p.replace(knee_flexion=0).knee_flexion
0.0
>>> Posture(knee_flexion=[0, 45, 90]).shape
(3,)

The pelvis
----------
``pelvic_tilt`` (deg, + = tilted back, posteriorly; default 0) is not a joint of its own: it
says how a posture's ``hip_flexion``, the angle between the thigh and the trunk (what a
clinician reads with the trunk on the couch), is shared between the hip joint and the low back.
The pelvis turns back between a trunk and a thigh that keep their places, so the hip joint
flexes ``hip_flexion - pelvic_tilt`` and the lumbar spine ``lumbar_flexion + pelvic_tilt``
(:func:`joint_angles`; every length and the drawing use these).  With no tilt the two are the
same, so a posture that does not name the pelvis means what it always meant.

>>> joint_angles(Posture(hip_flexion=70, pelvic_tilt=15))["hip_flexion"]
55.0
"""
from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from typing import Any, Iterator, Mapping

import numpy as np

from .errors import MAX_POSTURES, check_size, is_masked
from .joints import JOINTS, UNIT, check_angle, check_joint

__all__ = ["Posture", "as_posture", "angle_array", "angle_arrays", "broadcast_shape", "joint_angles",
           "PELVIC_TILT_RANGE"]

#: The pelvic tilt a posture may hold (deg, + = back): from a forward tilt of 20 to a backward one of 45.
PELVIC_TILT_RANGE = (-20.0, 45.0)


def _check_tilt(value):
    from .errors import as_numbers
    if type(value) is float or type(value) is int:
        if PELVIC_TILT_RANGE[0] <= value <= PELVIC_TILT_RANGE[1]:
            return np.asarray(value, dtype=float)
    return as_numbers("pelvic_tilt", value, *PELVIC_TILT_RANGE, UNIT, "(+ = tilted back)")


@dataclass(frozen=True, eq=False)
class Posture:
    """Joint angles in degrees (see :mod:`neuralsim.joints` for signs).

    Construction checks every angle against the widest (hypermobile) range:
    ``TypeError`` for what is not a real number, :class:`~neuralsim.errors.OutOfRangeError`
    (a ``ValueError``) for NaN, infinity or a value out of range, each naming
    joint, value, range and unit.  The model
    functions check again against the body they are given.
    """

    cervical_flexion: Any = 0.0
    thoracic_flexion: Any = 0.0
    lumbar_flexion: Any = 0.0
    hip_flexion: Any = 0.0
    hip_adduction: Any = 0.0
    hip_internal_rotation: Any = 0.0
    knee_flexion: Any = 0.0
    ankle_dorsiflexion: Any = 0.0
    pelvic_tilt: Any = 0.0
    _shape: tuple = field(default=(), init=False, repr=False)

    def __post_init__(self) -> None:
        values = []
        for name in JOINTS:
            arr = check_angle(name, getattr(self, name), "hypermobile")
            if arr.ndim == 0:
                val: Any = float(arr)
            else:
                val = arr.copy()
                val.setflags(write=False)
            object.__setattr__(self, name, val)
            values.append(arr)
        tilt = _check_tilt(self.pelvic_tilt)
        if tilt.ndim:
            tilt = tilt.copy()
            tilt.setflags(write=False)
        object.__setattr__(self, "pelvic_tilt", float(tilt) if tilt.ndim == 0 else tilt)
        values.append(tilt)
        try:
            shape = np.broadcast_shapes(*(np.shape(v) for v in values))
        except ValueError:
            shapes = ", ".join(f"{n}{np.shape(v)}" for n, v in zip(JOINTS + ("pelvic_tilt",), values))
            raise ValueError(
                f"the joint angle arrays ({UNIT}) do not broadcast to one shape: {shapes}"
            ) from None
        check_size(f"posture of shape {tuple(shape)}", math.prod(shape), MAX_POSTURES, "postures")
        object.__setattr__(self, "_shape", tuple(shape))

    # -- conveniences -----------------------------------------------------
    @property
    def shape(self) -> tuple:
        """Broadcast shape of the angles: ``()`` for a single posture."""
        return self._shape

    def replace(self, **angles: Any) -> "Posture":
        """A new posture with some angles changed (degrees; ``pelvic_tilt`` too)."""
        for name in angles:
            if name != "pelvic_tilt":
                check_joint(name)
        if not self._shape and "pelvic_tilt" not in angles \
                and all(type(v) is float or type(v) is int for v in angles.values()):
            # one posture, plain numbers (a slider move): the other angles were checked when
            # this posture was made, so only the new ones are checked, as the constructor would
            new = object.__new__(Posture)
            for name in JOINTS + ("pelvic_tilt",):
                object.__setattr__(new, name, getattr(self, name))
            for name, v in angles.items():
                object.__setattr__(new, name, float(check_angle(name, v, "hypermobile")))
            object.__setattr__(new, "_shape", ())
            return new
        return dataclasses.replace(self, **angles)

    def angles(self) -> dict[str, Any]:
        """Mapping joint -> angle (degrees), in :data:`JOINTS` order."""
        return {name: getattr(self, name) for name in JOINTS}

    def as_array(self) -> np.ndarray:
        """Angles as an array of shape ``shape + (8,)`` in :data:`JOINTS` order (deg); the pelvic
        tilt is not a joint and is left out (see :func:`joint_angles` for what the joints do)."""
        return np.stack([np.broadcast_to(getattr(self, n), self._shape) for n in JOINTS], axis=-1)

    @classmethod
    def from_array(cls, angles: Any) -> "Posture":
        """Build from an array of shape ``(..., 8)`` in :data:`JOINTS` order (deg)."""
        arr = _numeric_array(angles)
        if arr.ndim < 1 or arr.shape[-1] != len(JOINTS):
            raise ValueError(
                f"an angle array must have shape (..., {len(JOINTS)}) with the joints "
                f"{', '.join(JOINTS)} in that order ({UNIT}); got shape {arr.shape}"
            )
        return cls(**{n: arr[..., i] for i, n in enumerate(JOINTS)})

    def __getitem__(self, index: Any) -> "Posture":
        """One posture (or a slice) out of an array posture."""
        if not self._shape:
            raise ValueError("a single posture cannot be indexed; it has shape ()")
        return Posture(**{n: np.broadcast_to(getattr(self, n), self._shape)[index]
                          for n in JOINTS + ("pelvic_tilt",)})

    def __len__(self) -> int:
        if not self._shape:
            raise TypeError("a single posture has no length")
        return self._shape[0]

    def __iter__(self) -> Iterator["Posture"]:
        if not self._shape:
            raise TypeError("a single posture is not iterable")
        return (self[i] for i in range(self._shape[0]))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Posture):
            return NotImplemented
        return self._shape == other._shape and all(
            np.array_equal(getattr(self, n), getattr(other, n)) for n in JOINTS + ("pelvic_tilt",)
        )

    def __hash__(self) -> int:
        if self._shape:
            raise TypeError("an array posture is not hashable")
        return hash(tuple(getattr(self, n) for n in JOINTS + ("pelvic_tilt",)))

    def __repr__(self) -> str:
        if self._shape:
            return f"Posture(shape={self._shape})"
        parts = [f"{n}={getattr(self, n):g}" for n in JOINTS + ("pelvic_tilt",) if getattr(self, n) != 0.0]
        return "Posture(" + ", ".join(parts) + ")"


def _numeric_array(values: Any) -> np.ndarray:
    # Only the shape is judged here; each joint's column is then checked by check_angle
    # (which refuses booleans, text, complex numbers, ... with the joint's name and range).
    if isinstance(values, (str, bytes, bytearray)):
        raise TypeError(f"expected angles in {UNIT}, got the text {values!r}")
    if is_masked(values):   # refused, as every angle input: see errors.as_numbers
        raise TypeError(f"angles: a masked array is not taken; give plain numbers in {UNIT} "
                        f"of shape (..., {len(JOINTS)})")
    try:
        if isinstance(values, (list, tuple)):
            # kept as the objects given, so that a True or a "90" among numbers reaches its own
            # joint's check (numpy would make [0, True] numbers, and [0, "x"] text in every column)
            arr = np.asarray(values, dtype=object)
            if arr.ndim and arr.shape[-1] == len(JOINTS) and all(type(v) is float or type(v) is int
                                                                  for v in arr.flat):
                try:
                    return arr.astype(float)
                except OverflowError:     # an integer too large for a float: its joint's check says so
                    pass
            return arr
        return np.asarray(values)
    except (TypeError, ValueError, OverflowError):
        raise TypeError(f"expected an array of angles in {UNIT} of shape (..., {len(JOINTS)}), "
                        f"got {values!r}") from None


def as_posture(posture: Any) -> Posture:
    """Accept a :class:`Posture`, a mapping joint -> degrees (``pelvic_tilt`` too), or an array ``(..., 8)``."""
    if isinstance(posture, Posture):
        return posture
    if isinstance(posture, Mapping):
        for name in posture:
            if name != "pelvic_tilt":
                check_joint(name)
        return Posture(**posture)
    if isinstance(posture, (np.ndarray, list, tuple)):
        return Posture.from_array(posture)
    raise TypeError(
        f"expected a Posture, a mapping of joint -> angle in {UNIT}, or an array of "
        f"shape (..., {len(JOINTS)}); got {type(posture).__name__}"
    )


def angle_array(posture: Any, mobility: str = "typical") -> dict[str, np.ndarray]:
    """What the joints of ``posture`` do (deg, :func:`joint_angles`) checked against ``mobility``'s
    ranges, as arrays.

    Every joint's array has the posture's full shape (read-only broadcast
    views), so a result computed from only some joints still has the shape
    of the whole posture.
    """
    p = as_posture(posture)
    a = joint_angles(p)
    if not p.shape:
        return {n: check_angle(n, a[n], mobility) for n in JOINTS}
    return {n: np.broadcast_to(check_angle(n, a[n], mobility), p.shape) for n in JOINTS}


def joint_angles(posture: Any) -> dict[str, Any]:
    """What each joint does in ``posture`` (deg): its angles with the pelvic tilt shared out, the
    hip joint flexed ``hip_flexion - pelvic_tilt`` and the low back ``lumbar_flexion + pelvic_tilt``
    (see the module docstring); floats for a single posture, arrays otherwise."""
    p = as_posture(posture)
    out = p.angles()
    t = p.pelvic_tilt
    if np.ndim(t) or t != 0.0:
        out["hip_flexion"] = out["hip_flexion"] - t
        out["lumbar_flexion"] = out["lumbar_flexion"] + t
    return out


def broadcast_shape(posture: Any, reference: Any) -> tuple:
    """The shape of results for ``posture`` against ``reference``; ``ValueError`` naming both
    shapes when they do not broadcast together."""
    p, r = as_posture(posture), as_posture(reference)
    try:
        shape = tuple(np.broadcast_shapes(p.shape, r.shape))
    except ValueError:
        raise ValueError(
            f"the posture (shape {p.shape}) and the reference (shape {r.shape}) do not broadcast "
            f"to one shape; give postures whose angle arrays ({UNIT}) broadcast together"
        ) from None
    check_size(f"posture (shape {p.shape}) against reference (shape {r.shape})", math.prod(shape),
               MAX_POSTURES, "postures")
    return shape


def angle_arrays(posture: Any, reference: Any, mobility: str = "typical") -> tuple[dict, dict]:
    """Checked angles (deg) of ``posture`` and ``reference``, every array of their common
    broadcast shape (see :func:`broadcast_shape`)."""
    shape = broadcast_shape(posture, reference)
    now, ref = angle_array(posture, mobility), angle_array(reference, mobility)
    if not shape:                     # two single postures: checked scalars, nothing to broadcast
        for a in (*now.values(), *ref.values()):
            a.flags.writeable = False     # read-only, as the broadcast views below are
        return now, ref
    return ({n: np.broadcast_to(a, shape) for n, a in now.items()},
            {n: np.broadcast_to(a, shape) for n, a in ref.items()})
