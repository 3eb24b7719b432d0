"""The eight joints of the model: names, sign conventions and ranges.

All angles are in degrees at the API, with clinical names and signs.  Zero is
the anatomical position (standing upright, looking ahead, knees straight,
foot at a right angle to the shank).

=========================  ==============================================
joint                      positive direction (negative is the opposite)
=========================  ==============================================
``cervical_flexion``       chin towards chest (negative = extension)
``thoracic_flexion``       rounding the upper back (negative = extension)
``lumbar_flexion``         rounding the low back (negative = extension)
``hip_flexion``            thigh forwards (negative = extension)
``hip_adduction``          thigh across the midline (negative = abduction)
``hip_internal_rotation``  knee turned in (negative = external rotation)
``knee_flexion``           heel towards buttock; 0 = straight
                           (negative = hyperextension)
``ankle_dorsiflexion``     toes up (negative = plantarflexion)
=========================  ==============================================
"""
from __future__ import annotations

from functools import lru_cache
from typing import Mapping

from . import parameters as _p
from .errors import as_numbers

__all__ = ["JOINTS", "UNIT", "DESCRIPTIONS", "MOBILITIES", "joint_range", "check_angle", "check_joint"]

#: Joint names in the fixed order used by arrays of shape ``(..., 8)``.
JOINTS: tuple[str, ...] = (
    "cervical_flexion",
    "thoracic_flexion",
    "lumbar_flexion",
    "hip_flexion",
    "hip_adduction",
    "hip_internal_rotation",
    "knee_flexion",
    "ankle_dorsiflexion",
)

#: The unit of every joint angle at the API.
UNIT = "deg"

#: Plain-language meaning of each joint's positive and negative direction.
DESCRIPTIONS: Mapping[str, str] = {
    "cervical_flexion": "neck: + looks down (flexion), - looks up (extension)",
    "thoracic_flexion": "upper back: + rounds (flexion), - arches (extension)",
    "lumbar_flexion": "low back: + rounds (flexion), - arches (extension)",
    "hip_flexion": "hip: + thigh forwards (flexion), - thigh backwards (extension)",
    "hip_adduction": "hip: + thigh across the midline (adduction), - outwards (abduction)",
    "hip_internal_rotation": "hip: + knee turned in (internal rotation), - out (external rotation)",
    "knee_flexion": "knee: 0 = straight, + bent (flexion), - hyperextended",
    "ankle_dorsiflexion": "ankle: + toes up (dorsiflexion), - toes down (plantarflexion)",
}

#: Mobility classes a learner can choose; each scales both ends of every range.
MOBILITIES: tuple[str, ...] = ("hypomobile", "typical", "hypermobile")


def check_joint(name: object) -> str:
    """Return ``name`` if it is a joint of the model, else raise ``TypeError`` (not text) or ``ValueError``."""
    if not isinstance(name, str):
        raise TypeError(f"a joint name must be text, got {name!r}: the joints are {', '.join(JOINTS)} "
                        f"(angles in {UNIT})")
    if name not in JOINTS:
        raise ValueError(
            f"unknown joint {name!r}: the joints are {', '.join(JOINTS)} (angles in {UNIT})"
        )
    return name


def joint_range(joint: str, mobility: str = "typical") -> tuple[float, float]:
    """Allowed range ``(min, max)`` of ``joint`` in degrees for a mobility class.

    >>> joint_range("knee_flexion")
    (-5.0, 140.0)
    """
    check_joint(joint)
    if not isinstance(mobility, str) or mobility not in MOBILITIES:
        raise ValueError(f"unknown mobility {mobility!r}: choose one of {', '.join(MOBILITIES)}")
    return _range(joint, mobility)


@lru_cache(maxsize=None)
def _range(joint: str, mobility: str) -> tuple[float, float]:
    # The parameters are read-only, so each (joint, mobility) is computed once.
    factor = _p.value(f"mobility_{mobility}")
    lo = _p.value(f"range_{joint}_min") * factor
    hi = _p.value(f"range_{joint}_max") * factor
    if f"limit_{joint}_min" in _p.PARAMETERS:
        lo = max(lo, _p.value(f"limit_{joint}_min"))
    if f"limit_{joint}_max" in _p.PARAMETERS:
        hi = min(hi, _p.value(f"limit_{joint}_max"))
    return (round(lo, 6), round(hi, 6))


def range_text(joint: str, mobility: str) -> str:
    lo, hi = joint_range(joint, mobility)
    return f"{lo:g} to {hi:g} {UNIT} ({mobility} range)"


def check_angle(joint: str, angle, mobility: str = "typical"):
    """Check a scalar or array of angles (degrees) for ``joint``; return it as float(s).

    Raises ``TypeError`` for what is not a real number (text, bytes, booleans,
    ``None``, complex numbers, times) and :class:`~neuralsim.errors.OutOfRangeError`
    (a ``ValueError``) for NaN, infinity and values outside the range; both
    name the joint, the offending value, the allowed range and the unit.
    Never clamps.
    """
    import numpy as np

    if type(angle) is float or type(angle) is int:  # the common case, a plain number (bool excluded)
        lo, hi = joint_range(joint, mobility)
        if lo - 1e-9 <= angle <= hi + 1e-9:     # False for NaN: that takes the full path and its message
            return np.asarray(angle, dtype=float)
    check_joint(joint)
    lo, hi = joint_range(joint, mobility)
    return as_numbers(joint, angle, lo, hi, UNIT, f"({mobility} range)")
