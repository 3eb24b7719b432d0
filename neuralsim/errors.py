"""The one exception of the library's input contract.

Bad input never gives a number.  A value of the wrong *type* (text, a
boolean, a complex number, a time, bytes, ``None``) raises ``TypeError``; a
number that is not allowed (out of range, NaN, infinite, too large to hold)
raises :class:`OutOfRangeError`, a ``ValueError``.  Both messages name the
quantity (a joint, or a parameter such as ``body height``), the value, the
allowed range and the unit.  :class:`OutOfRangeError` also carries them as
attributes, so a caller (the explorer) can catch it precisely and read them
instead of parsing text:

>>> from neuralsim.bands import strain_band
>>> try:
...     strain_band(-1.0)
... except OutOfRangeError as e:
...     (e.joint, e.value, e.range, e.unit)
('strain', -1.0, (0.0, inf), '%')
"""
from __future__ import annotations

import math
from typing import Any

__all__ = ["OutOfRangeError", "range_text"]


def range_text(low: float, high: float, unit: str) -> str:
    """``"low to high unit"``; an open end is written as "or more" / "or less"."""
    if math.isinf(high) and math.isinf(low):
        return f"any finite number ({unit})"
    if math.isinf(high):
        return f"{low:g} {unit} or more"
    if math.isinf(low):
        return f"{high:g} {unit} or less"
    return f"{low:g} to {high:g} {unit}"


class OutOfRangeError(ValueError):
    """A number outside the allowed range (or NaN, infinite, or too large).

    Attributes: ``joint`` (the joint or named quantity), ``value`` (the
    offending value, as given or as a float), ``low`` and ``high`` (the
    allowed range, inclusive; ``inf`` for an open end), ``range`` (the tuple
    ``(low, high)``) and ``unit``.  ``extra`` is appended to the message
    (for example which mobility class the range belongs to).
    """

    def __init__(self, joint: str, value: Any, low: float, high: float, unit: str,
                 extra: str = "", reason: str | None = None) -> None:
        self.joint = joint
        self.value = value
        self.low = float(low)
        self.high = float(high)
        self.unit = unit
        self.extra = extra
        self.reason = reason
        if reason is None:
            reason = "is outside the allowed range"
        v = f"{value:g}" if isinstance(value, float) else repr(value) if isinstance(value, str) else str(value)
        msg = f"{joint}: {v} {unit} {reason}; allowed {range_text(self.low, self.high, unit)}"
        super().__init__(msg + (f" {extra}" if extra else ""))

    @property
    def range(self) -> tuple[float, float]:
        """The allowed range ``(low, high)`` in :attr:`unit`."""
        return (self.low, self.high)

    def __reduce__(self):  # keep the attributes through pickling (multiprocessing, ipykernel)
        return (type(self), (self.joint, self.value, self.low, self.high, self.unit, self.extra, self.reason))
