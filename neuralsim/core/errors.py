"""The one exception of the library's input contract.

Bad input never gives a number.  A value of the wrong *type* (text, a
boolean, a complex number, a time, bytes, ``None``) raises ``TypeError``; a
number that is not allowed (out of range, NaN, infinite, too large to hold)
raises :class:`OutOfRangeError`, a ``ValueError``.  Both messages name the
quantity (a joint, or a parameter such as ``body height``), the value, the
allowed range and the unit.  :class:`OutOfRangeError` also carries them as
attributes, so a caller (the explorer) can catch it precisely and read them
instead of parsing text.  A masked array is refused (a ``TypeError``): the value under a mask
is nobody's angle, and carrying masks through every result would be a second contract.

Every public function checks its arguments with the helpers here (:func:`as_numbers`,
:func:`as_number`, :func:`as_integer`, :func:`as_sign`, :func:`as_name`), checks sizes before
the work with :func:`check_size`, and hands out arrays made read-only (:func:`read_only`):

>>> from neuralsim.mechanics.bands import strain_band
>>> try:
...     strain_band(-1.0)
... except OutOfRangeError as e:
...     (e.quantity, e.value, e.range, e.unit)
('strain', -1.0, (0.0, inf), '%')
"""
from __future__ import annotations

import datetime
import math
import numbers
import sys
from typing import Any

import numpy as np

__all__ = ["OutOfRangeError", "UnknownNameError", "Choices", "range_text", "as_numbers", "as_number",
           "as_name", "as_sign", "as_integer", "check_size", "read_only", "MAX_POSTURES"]

#: The most postures one call takes (the broadcast shape's size).  A mechanics result holds
#: about a thousand numbers per posture, so this bounds a call's memory to a few gigabytes at
#: most; it is checked before any array of that size is made.
MAX_POSTURES = 1_000_000


def range_text(low: float, high: float, unit: str) -> str:
    """``"low to high unit"``; an open end is written as "or more" / "or less"."""
    if math.isinf(high) and math.isinf(low):
        return f"any finite number ({unit})"
    if math.isinf(high):
        return f"{low:g} {unit} or more"
    if math.isinf(low):
        return f"{high:g} {unit} or less"
    return f"{low:g} to {high:g} {unit}"


def _show(value: Any) -> str:
    """A short text of a value: ``%g`` for floats, digit count for huge integers."""
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 10**15:
        d = str(abs(value))                           # too large for float(): scientific by hand
        return f"{'-' if value < 0 else ''}{d[0]}.{d[1:4]}e+{len(d) - 1}"
    try:
        return f"{float(value):g}"
    except (TypeError, ValueError, OverflowError):
        return repr(value)


class OutOfRangeError(ValueError):
    """A number outside the allowed range (or NaN, infinite, or too large).

    Attributes: ``quantity`` (the joint or the named quantity, such as ``body height``), ``value`` (the
    offending value, as given or as a float), ``low`` and ``high`` (the
    allowed range, inclusive; ``inf`` for an open end), ``range`` (the tuple
    ``(low, high)``) and ``unit``.  ``extra`` is appended to the message
    (for example which mobility class the range belongs to).  ``joint`` is the old name of
    ``quantity`` (from when every range was a joint's), kept as an alias.
    """

    def __init__(self, quantity: str, value: Any, low: float, high: float, unit: str,
                 extra: str = "", reason: str | None = None) -> None:
        self.quantity = quantity
        self.value = value
        self.low = float(low)
        self.high = float(high)
        self.unit = unit
        self.extra = extra
        self.reason = reason
        if reason is None:
            reason = "is outside the allowed range"
        msg = f"{quantity}: {_show(value)} {unit} {reason} {range_text(self.low, self.high, unit)}"
        super().__init__(msg + (f" {extra}" if extra else ""))

    @property
    def joint(self) -> str:
        """The old name of :attr:`quantity`."""
        return self.quantity

    @property
    def range(self) -> tuple[float, float]:
        """The allowed range ``(low, high)`` in :attr:`unit`."""
        return (self.low, self.high)

    def __reduce__(self):  # keep the attributes through pickling (multiprocessing, ipykernel)
        return (type(self), (self.quantity, self.value, self.low, self.high, self.unit, self.extra, self.reason))


# -- the checks every numeric input goes through --------------------------------

_NOT_NUMBERS = (bool, np.bool_, str, bytes, bytearray, memoryview, complex, np.complexfloating,
                np.timedelta64, np.datetime64, datetime.timedelta, datetime.date, datetime.time)


def _type_error(name: str, value: Any, low: float, high: float, unit: str, extra: str,
                what: str = "is not a number") -> TypeError:
    text = repr(value)
    text = text if len(text) <= 60 else text[:57] + "..."
    return TypeError(f"{name}: {text} {what}; give a real number in {unit}, allowed range "
                     f"{range_text(low, high, unit)}" + (f" {extra}" if extra else ""))


def _masked(name: str, low: float, high: float, unit: str, extra: str) -> TypeError:
    return TypeError(f"{name}: a masked array is not taken (drop or fill its masked entries); give real "
                     f"numbers in {unit}, allowed range {range_text(low, high, unit)}" + (f" {extra}" if extra else ""))


def _leaves(value: Any):
    for v in value:
        if isinstance(v, (list, tuple)):
            yield from _leaves(v)
        else:
            yield v


def is_masked(value: Any) -> bool:
    """Whether ``value`` is a numpy masked array (refused by every input of the library).

    >>> is_masked([1.0, 2.0])
    False
    """
    # Touching ``np.ma`` imports numpy.ma, which costs more than the rest of ``import neuralsim``;
    # a masked array can only exist once numpy.ma has been imported by someone.
    ma = sys.modules.get("numpy.ma")
    return ma is not None and isinstance(value, ma.MaskedArray)


def as_numbers(name: str, value: Any, low: float, high: float, unit: str, extra: str = "") -> np.ndarray:
    """``value`` (a real number or an array-like of them) as a float array, checked.

    ``TypeError`` for anything that is not real numbers: text, bytes, booleans,
    ``None``, complex numbers, times and dates, nested lists of uneven length;
    :class:`OutOfRangeError` for NaN, infinity, numbers too large for a float
    and numbers outside ``[low, high]`` (compared with a tolerance of 1e-9).
    Both name ``name``, the value, the range and ``unit``.

    >>> as_numbers("knee_flexion", [0, 90], -5, 140, "deg").tolist()
    [0.0, 90.0]
    """
    if value is None or isinstance(value, _NOT_NUMBERS):
        raise _type_error(name, value, low, high, unit, extra)
    if is_masked(value):
        # refused rather than honoured: a masked entry has no angle or height, and every result
        # would have to carry the mask on; silently using the values under it gives numbers for
        # entries the caller said are missing
        raise _masked(name, low, high, unit, extra)
    if isinstance(value, (list, tuple)):
        for v in _leaves(value):
            if is_masked(v):
                raise _masked(name, low, high, unit, extra)
    try:
        arr = np.asarray(value)
    except (TypeError, ValueError, OverflowError):   # ragged lists, odd objects
        raise _type_error(name, value, low, high, unit, extra, "is not a number or an array of numbers") from None
    kind = arr.dtype.kind
    if isinstance(value, (list, tuple)) and kind in "iuf":   # numpy turns [True, 2] into [1, 2], [b"Z"] into [[90]]
        for v in _leaves(value):
            if v is None or isinstance(v, _NOT_NUMBERS):
                raise _type_error(name, v, low, high, unit, extra)
    if kind == "O":                                  # e.g. integers too large for int64, Fraction, Decimal
        # a 0-d numeric array among the objects (a column of np.asarray([np.float32(1), ...], dtype=object)
        # taken with [..., i]) is the number it holds
        items = [v.item() if isinstance(v, np.ndarray) and not is_masked(v) and v.ndim == 0
                 and v.dtype.kind in "iuf" else v for v in arr.reshape(-1).tolist()]
        for v in items:
            if v is None or isinstance(v, _NOT_NUMBERS) or not isinstance(v, numbers.Real):
                raise _type_error(name, v, low, high, unit, extra)
        flat = []
        for v in items:
            try:
                flat.append(float(v))
            except OverflowError:
                raise OutOfRangeError(name, v, low, high, unit, extra, "is too large for the allowed range") from None
        arr = np.array(flat, dtype=float).reshape(arr.shape)
    elif kind not in "iuf":                          # text, bytes, booleans, complex, times
        if isinstance(value, (list, tuple)):
            bad = next((v for v in _leaves(value) if v is None or isinstance(v, _NOT_NUMBERS)
                        or not isinstance(v, numbers.Real)), value)
        else:
            bad = arr.reshape(-1)[0] if arr.size else value
            bad = bad.item() if hasattr(bad, "item") and kind not in "mM" else bad
        raise _type_error(name, bad, low, high, unit, extra)
    else:
        arr = arr.astype(float, copy=False)
    finite = np.isfinite(arr)
    if not finite.all():
        bad = float(arr[~finite].flat[0])
        raise OutOfRangeError(name, bad, low, high, unit, extra, "is not a finite number; allowed range")
    out = (arr < low - 1e-9) | (arr > high + 1e-9)
    if out.any():
        raise OutOfRangeError(name, float(arr[out].flat[0]), low, high, unit, extra)
    return arr


def as_number(name: str, value: Any, low: float, high: float, unit: str, extra: str = "") -> float:
    """One real number in ``[low, high]`` (as :func:`as_numbers`), as a float; an array of more
    than one number is a ``TypeError`` naming ``name``."""
    arr = as_numbers(name, value, low, high, unit, extra)
    if arr.ndim != 0:
        if arr.size == 1 and not isinstance(value, (list, tuple, np.ndarray)):
            return float(arr.reshape(()))
        raise _type_error(name, value, low, high, unit, extra, "is not one number")
    return float(arr)


def as_sign(name: str, value: Any, meaning: str = "") -> int:
    """``+1`` or ``-1`` (an integer, numpy's included; not a boolean, a float or text), else an
    error naming ``name`` and the two allowed values."""
    allowed = f"give +1 or -1{' (' + meaning + ')' if meaning else ''}"
    if not _is_whole(value):
        raise TypeError(f"{name}: {_short(value)} is not a whole number; {allowed}")
    if int(value) not in (1, -1):
        raise ValueError(f"{name}: {_show(value)} is not allowed; {allowed}")
    return int(value)


def _is_whole(value: Any) -> bool:
    # numpy's timedelta64 is an integer type to numpy, but a time to everybody else
    return (isinstance(value, (numbers.Integral, np.integer))
            and not isinstance(value, (bool, np.bool_, np.timedelta64, np.datetime64)))


def as_integer(name: str, value: Any, low: float, high: float, what: str) -> int:
    """A whole number (Python's or numpy's; not a boolean, a float, a time or text) in
    ``[low, high]``, as an ``int``; else an error naming ``name``, the range and ``what`` it counts."""
    if not _is_whole(value):
        raise TypeError(f"{name}: {_short(value)} is not a whole number; give a whole number of {what}, "
                        f"allowed range {range_text(low, high, what)}")
    if not low <= int(value) <= high:
        raise OutOfRangeError(name, int(value), low, high, what)
    return int(value)


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def as_name(kind: str, value: Any, choices) -> str:
    """``value`` if it is one of ``choices`` (text), else ``TypeError`` (not text, an unhashable
    list included) or :class:`UnknownNameError`, each naming ``kind`` and listing the choices."""
    choices = tuple(choices)
    if not isinstance(value, str):
        raise TypeError(f"{kind}: {_short(value)} is not a name (text); choose one of {', '.join(map(str, choices))}")
    if value not in choices:
        raise UnknownNameError(kind, value, choices)
    return value


def check_size(name: str, size: int, limit: int, what: str) -> int:
    """``size`` if it is at most ``limit``, else a ``ValueError`` naming ``name``, the size and the
    limit.  Called before the work (and the memory) that size would take."""
    if size > limit:
        raise ValueError(f"{name}: {size:,} {what} is more than the limit of {limit:,} {what} one call takes; "
                         "split the work into smaller calls")
    return size


def read_only(value: Any) -> Any:
    """``value`` with every numpy array in it (nested in dicts, lists and tuples) made read-only.

    Results are never views the caller can write into: an array handed out is flagged
    read-only, so writing to it raises instead of changing a cache or the next call's result.
    """
    if isinstance(value, np.ndarray):
        if value.flags.writeable:
            value.flags.writeable = False
    elif isinstance(value, (dict, list, tuple)):
        # plain numbers and text hold no array: skipped without a call (a drawing holds dozens)
        for v in (value.values() if isinstance(value, dict) else value):
            if type(v) not in _NO_ARRAYS:
                read_only(v)
    return value


_NO_ARRAYS = frozenset({float, int, bool, str, type(None)})


class UnknownNameError(KeyError, ValueError):
    """A name (of a protocol, a posture, ...) that is not one of the choices.

    A ``ValueError`` (a wrong value) and, since the lookup is by key, a
    ``KeyError`` too, so ``mapping.get`` and ``in`` keep working.  Attributes:
    ``kind`` (what was looked up), ``name`` and ``choices``.
    """

    def __init__(self, kind: str, name: Any, choices) -> None:
        self.kind, self.name, self.choices = kind, name, tuple(choices)
        super().__init__(f"unknown {kind} {name!r}: choose one of {', '.join(map(str, self.choices))}")

    def __str__(self) -> str:   # KeyError would print the message in quotes
        return str(self.args[0])

    def __reduce__(self):
        return (type(self), (self.kind, self.name, self.choices))


class Choices(dict):
    """A dict whose missing keys raise :class:`UnknownNameError` listing the valid names."""

    def __init__(self, kind: str, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kind = kind

    def __getitem__(self, key: Any):
        try:
            return super().__getitem__(key)
        except TypeError:            # an unhashable key (a list): say what was looked up
            raise TypeError(f"{self.kind}: {_short(key)} is not a name (text); "
                            f"choose one of {', '.join(map(str, self.keys()))}") from None

    def __missing__(self, key: Any):
        raise UnknownNameError(self.kind, key, self.keys())
