"""The eight joints of the model: names, sign conventions and ranges.

The facts about each joint (name, sign convention, labels, plain words,
the segments it links) live in one table, ``data/joints.csv``
(:data:`TABLE`); the ranges with their sources are rows of
``parameters.csv``.  All angles are in degrees at the API, with clinical names and signs.  Zero is
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

import csv
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Mapping

from . import parameters as _p
from .errors import as_numbers
from .data import read_text

__all__ = [
    "JOINTS", "UNIT", "DESCRIPTIONS", "MOBILITIES", "Joint", "TABLE", "LABELS", "ACTION_WORDS", "WORDS",
    "joint_range", "check_angle", "check_joint",
]


@dataclass(frozen=True)
class Joint:
    """One row of ``data/joints.csv``: everything the package says about a joint.

    ``name``: clinical name (degrees, positive direction in the name).
    ``region``: the body part in plain words ("Knee").  ``label``: short
    label ("knee flexion").  ``increase``/``decrease``: what the body part
    did when the angle rose/fell ("bent"/"extended").  ``positive``/
    ``negative``: the meaning of a positive/negative angle.  ``zero``: what
    0 deg means when that needs saying ("0 = straight").  ``parent``/
    ``child``: the segments the joint links in the sagittal chain (empty for
    the out-of-plane hip joints); the child turns by ``turn * angle``
    counter-clockwise; ``child_above`` is True for the spine, whose children
    lie above their parents.  ``words``: other plain words a learner may use for
    the joint ("neck", "cervical"), read from the column ``words`` (``;`` between them).  The range (deg) is in ``parameters.csv``
    (``range_<name>_min``/``_max``, with sources): :meth:`range`.
    """

    name: str
    region: str
    label: str
    increase: str
    decrease: str
    positive: str
    negative: str
    zero: str = ""
    parent: str = ""
    child: str = ""
    turn: int = 0
    child_above: bool = False
    words: tuple[str, ...] = ()

    @property
    def in_plane(self) -> bool:
        """True for the joints drawn in the sagittal plane (they link two segments)."""
        return bool(self.child)

    @property
    def description(self) -> str:
        """Plain-language meaning of the joint's positive and negative direction."""
        zero = f"{self.zero}, " if self.zero else ""
        return f"{self.region.lower()}: {zero}+ {self.positive}, - {self.negative}"

    def range(self, mobility: str = "typical") -> tuple[float, float]:
        """Allowed ``(min, max)`` in degrees for a mobility class (see :func:`joint_range`)."""
        return joint_range(self.name, mobility)


def _load_table() -> Mapping[str, Joint]:
    text = read_text("joints.csv")
    rows: dict[str, Joint] = {}
    for row in csv.DictReader(text.splitlines()):
        r = {k: (v or "").strip() for k, v in row.items()}
        if r["name"] in rows:
            raise ValueError(f"joint {r['name']!r} is defined twice in joints.csv")
        rows[r["name"]] = Joint(
            name=r["name"], region=r["region"], label=r["label"], increase=r["increase"],
            decrease=r["decrease"], positive=r["positive"], negative=r["negative"], zero=r["zero"],
            parent=r["parent"], child=r["child"], turn=int(r["turn"]) if r["turn"] else 0,
            child_above=r["child_above"] == "yes",
            words=tuple(w.strip() for w in r.get("words", "").split(";") if w.strip()),
        )
    return MappingProxyType(rows)


#: The joint table (name -> :class:`Joint`), read once from ``data/joints.csv``:
#: the one place a joint's facts live.  Everything below is derived from it.
TABLE: Mapping[str, Joint] = _load_table()

#: Joint names in the fixed order used by arrays of shape ``(..., 8)``.
JOINTS: tuple[str, ...] = tuple(TABLE)

#: The unit of every joint angle at the API.
UNIT = "deg"

#: Plain-language meaning of each joint's positive and negative direction.
DESCRIPTIONS: Mapping[str, str] = MappingProxyType({j.name: j.description for j in TABLE.values()})

#: Short plain names of the joints, for labels ("knee flexion").
LABELS: Mapping[str, str] = MappingProxyType({j.name: j.label for j in TABLE.values()})

#: joint -> (name, word for an increase, word for a decrease), for text lines.
ACTION_WORDS: Mapping[str, tuple[str, str, str]] = MappingProxyType(
    {j.name: (j.region, j.increase, j.decrease) for j in TABLE.values()})

#: joint -> every plain word for it, its label first (answers are read with these).
WORDS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {j.name: (j.label,) + j.words for j in TABLE.values()})

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
