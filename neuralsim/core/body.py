"""The body: segment lengths scaled from height, and a mobility class.

Lengths are in millimetres.  Every length in the model (segments and the
offsets of the nerve and muscle paths from the joint centres) scales with
``height_m / height_default`` (isometric scaling; a stated assumption).

>>> b = Body()
>>> round(b.segment("thigh"))
429
"""
from __future__ import annotations

from dataclasses import dataclass

from . import parameters as _p
from .errors import as_numbers
from .joints import MOBILITIES

__all__ = ["Body", "DEFAULT_BODY", "HEIGHT_RANGE_M"]

#: Heights the model accepts (m).  Outside this the adult proportions do not hold.
HEIGHT_RANGE_M = (_p.value("height_min"), _p.value("height_max"))

_SEGMENT_FRACTIONS = {
    "head": "frac_head",
    "cervical": "frac_cervical",
    "thoracic": "frac_thoracic",
    "lumbar": "frac_lumbar",
    "pelvis_up": "frac_pelvis_up",
    "pelvis_back": "frac_pelvis_back",
    "thigh": "frac_thigh",
    "shank": "frac_shank",
    "foot": "frac_foot",
    "ankle_height": "frac_ankle_height",
}


@dataclass(frozen=True)
class Body:
    """A person: height in metres and a mobility class.

    ``mobility`` is one of ``"hypomobile"``, ``"typical"``, ``"hypermobile"``;
    it scales both ends of every joint range (see :func:`neuralsim.joints.joint_range`).
    """

    height_m: float = _p.value("height_default")
    mobility: str = "typical"

    def __post_init__(self) -> None:
        # TypeError for what is not a real number, OutOfRangeError (a ValueError) out of
        # range; numpy scalars (np.float32(1.75)) are numbers too
        h = as_numbers("body height", self.height_m, HEIGHT_RANGE_M[0], HEIGHT_RANGE_M[1], "m")
        if h.ndim != 0:
            raise TypeError(f"body height: {self.height_m!r} is not one number; give metres, allowed "
                            f"range {HEIGHT_RANGE_M[0]:g} to {HEIGHT_RANGE_M[1]:g} m")
        object.__setattr__(self, "height_m", float(h))
        if not isinstance(self.mobility, str):
            raise TypeError(f"mobility: {self.mobility!r} is not text; choose one of {', '.join(MOBILITIES)}")
        if self.mobility not in MOBILITIES:
            raise ValueError(
                f"mobility: {self.mobility!r} is not one of {', '.join(MOBILITIES)}"
            )

    @property
    def scale(self) -> float:
        """Height relative to the default body (dimensionless)."""
        return self.height_m / _p.value("height_default")

    def segment(self, name: str) -> float:
        """Length of a body segment in mm (``thigh``, ``shank``, ``foot``, ...)."""
        try:
            frac = _SEGMENT_FRACTIONS[name]
        except KeyError:
            raise ValueError(
                f"unknown segment {name!r}: choose one of {', '.join(_SEGMENT_FRACTIONS)}"
            ) from None
        return _p.value(frac) * self.height_m * 1000.0

    def offset(self, name: str) -> float:
        """A path offset parameter (mm) scaled to this body's height."""
        p = _p.PARAMETERS[name]
        if p.unit != "mm":
            raise ValueError(f"parameter {name!r} is in {p.unit}, not mm")
        return p.value * self.scale


DEFAULT_BODY = Body()
