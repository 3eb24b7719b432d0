"""A seeded fuzz test of the whole public API against the input contract.

Every generated call puts one unusual value (NaN, infinity, huge integers, complex numbers, booleans,
numpy scalars of every dtype, masked arrays, numbers written as text, bytes, None, lists, tuples and
nested lists, times, Decimal, Fraction, empty arrays, wrong shapes, unhashable names) into one argument
of one public function, and judges how the call ends against an oracle written apart from the library:

* **correct result**: the contract accepts the value, and the result is finite, read-only (every array
  in it) and the same as the result of the same call with the value written as plain floats;
* **clear error**: the contract refuses the value, and the call raised ``TypeError`` or ``ValueError``
  whose message names the argument (and, for a number, its unit and allowed range);
* **unclear error**: anything else that raised (another exception, a message that does not say what
  was wrong, or a valid value refused);
* **silent wrong number**: a result for a value the contract refuses, or a result that differs from the
  plain call's, is not finite or can be written to.

The counts are printed (``-s``) and bounded: no silent wrong number, at most 0.5 % unclear errors.
The run is seeded (``derandomize=True``), so the counts in ``tests/README.md`` are reproducible.
"""
from __future__ import annotations

import contextlib
import dataclasses
import datetime
import decimal
import fractions
import io
import math
from collections import Counter
from typing import Any, Callable

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import neuralsim as ns
from neuralsim.classroom import cli
from neuralsim.core.body import HEIGHT_RANGE_M
from neuralsim.limits import cases
from neuralsim.limits.person import SYMPTOM_SITES
from neuralsim.mechanics.nerve import SITES, NerveMechanics
from neuralsim.model import protocols, registry
from neuralsim.state.states import State
from neuralsim.teaching import exercises

#: Generated calls: at least 5,000, enough for every public function to meet each kind of unusual
#: value in each argument many times, and still under two minutes.
CALLS = 5200

# -- the oracle: what the contract says of a value, written apart from the library -----------------------

_NOT_NUMBERS = (bool, np.bool_, str, bytes, bytearray, complex, np.complexfloating, np.timedelta64,
                np.datetime64, datetime.timedelta, datetime.date, datetime.time, decimal.Decimal, dict, set,
                frozenset, np.ma.MaskedArray)
_REAL = (int, float, np.integer, np.floating, fractions.Fraction)


def _walk(value: Any):
    """(shape, leaves) of a rectangular nest of lists/tuples, or None when it is ragged.
    A plain numeric array inside is its numbers (numpy reads ``[np.array(1.0)]`` as ``[1.0]``)."""
    if isinstance(value, np.ndarray) and not isinstance(value, np.ma.MaskedArray) and value.dtype.kind in "iuf":
        value = value.tolist()
    if not isinstance(value, (list, tuple)):
        return (), [value]
    if not value:
        return (0,), []
    parts = [_walk(v) for v in value]
    if any(p is None for p in parts) or len({p[0] for p in parts}) != 1:
        return None
    return (len(value),) + parts[0][0], [x for p in parts for x in p[1]]


def classify(value: Any, lo: float, hi: float, max_ndim: int = 32):
    """``("ok", floats)`` for real numbers in ``[lo, hi]`` (an array of at most ``max_ndim``
    dimensions), else ``("type", None)``, ``("range", None)`` or ``("shape", None)``."""
    if value is None or isinstance(value, _NOT_NUMBERS):
        return "type", None
    if isinstance(value, np.ndarray):
        if value.dtype.kind not in "iuf":
            return "type", None
        shape, leaves = value.shape, value.ravel().tolist()
    elif isinstance(value, (list, tuple)):
        walked = _walk(value)
        if walked is None:
            return "type", None
        shape, leaves = walked
        if any(v is None or isinstance(v, _NOT_NUMBERS) or not isinstance(v, _REAL) for v in leaves):
            return "type", None
    elif isinstance(value, _REAL):
        shape, leaves = (), [value]
    else:
        return "type", None
    floats = []
    for v in leaves:
        try:
            f = float(v)
        except OverflowError:
            return "range", None
        if not math.isfinite(f) or not lo - 1e-9 <= f <= hi + 1e-9:
            return "range", None
        floats.append(f)
    if len(shape) > max_ndim:
        return "shape", None
    return "ok", np.array(floats, dtype=float).reshape(shape)


def range_text(lo: float, hi: float, unit: str) -> str:
    if math.isinf(lo) and math.isinf(hi):
        return unit
    if math.isinf(hi):
        return f"{lo:g} {unit} or more"
    if math.isinf(lo):
        return f"{hi:g} {unit} or less"
    return f"{lo:g} to {hi:g} {unit}"


# -- comparing results --------------------------------------------------------------------------------

def canon(x: Any, arrays: list) -> Any:
    """A plain nested value of a result (for equality), collecting every numpy array in ``arrays``."""
    if isinstance(x, np.ndarray):
        arrays.append(x)
        return ("array", x.shape, x.dtype.kind, x.tolist())
    if isinstance(x, (float, np.floating)):
        return ("float", float(x))
    if isinstance(x, (bool, int, str, type(None), np.integer, np.bool_)):
        return x
    if isinstance(x, ns.Posture):
        return ("Posture", x.shape, [canon(getattr(x, j), arrays) for j in ns.JOINTS])
    if isinstance(x, NerveMechanics):
        return ("mechanics", x.shape, [canon(x.strain_pct(s), arrays) for s in ("hip", "popliteal", "ankle")],
                canon(x.excursion_mm("mid_thigh"), arrays), canon(x.peak_strain_pct, arrays))
    if isinstance(x, State):
        return ("State", canon(dict(x.lengths_mm), arrays), canon(dict(x.reference_mm), arrays),
                canon({k: dict(v) for k, v in x.contributions_mm.items()}, arrays), canon(dict(x.angles), arrays))
    if dataclasses.is_dataclass(x):
        return (type(x).__name__, [(f.name, canon(getattr(x, f.name), arrays)) for f in dataclasses.fields(x)])
    if isinstance(x, dict) or hasattr(x, "items"):
        return ("dict", sorted((str(k), canon(v, arrays)) for k, v in x.items()))
    if isinstance(x, (list, tuple)):
        return ("seq", [canon(v, arrays) for v in x])
    return ("object", type(x).__name__)


def _finite(c: Any) -> bool:
    if isinstance(c, tuple) and c and c[0] == "float":
        return math.isfinite(c[1])
    if isinstance(c, tuple) and c and c[0] == "array" and c[2] == "f":
        return bool(np.all(np.isfinite(np.asarray(c[3], dtype=float))))
    if isinstance(c, (list, tuple)):
        return all(_finite(v) for v in c)
    return True


def judge_result(got: Any, want: Callable[[], Any] | None) -> str:
    """A result the contract allows: finite, read-only and equal to the plain call's (``want()``)."""
    arrays: list = []
    c = canon(got, arrays)
    if not _finite(c) or any(a.flags.writeable for a in arrays):
        return "silent wrong number"
    if want is not None and canon(want(), []) != c:
        return "silent wrong number"
    return "correct result"


def judge_error(e: BaseException, *needles) -> str:
    """A clear error: TypeError or ValueError whose message holds every needle (a tuple: any of them)."""
    if not isinstance(e, (TypeError, ValueError)):
        return "unclear error"
    msg = str(e)
    for n in needles:
        alts = n if isinstance(n, tuple) else (n,)
        if not any(a in msg for a in alts):
            return "unclear error"
    return "clear error"


# -- the calls ----------------------------------------------------------------------------------------

def _wide(j):
    return ns.joint_range(j, "hypermobile")


def _typical(j):
    return ns.joint_range(j, "typical")


_MEMO: dict = {}


def _memo(key, call):
    """The plain call, computed once per key (the oracle's side of a comparison)."""
    def get():
        if key not in _MEMO:
            _MEMO[key] = call()
        return _MEMO[key]
    return get


@dataclasses.dataclass
class Numeric:
    """One numeric argument of one call: ``call(value)``; the label, unit and range its errors must name."""

    name: str
    call: Callable[[Any], Any]
    label: str
    lo: float
    hi: float
    unit: str
    texts: tuple = ()            # range texts the message may name (default: the allowed range)
    max_ndim: int = 32
    scalar: bool = False
    shape_label: str = ""        # what a shape error must name (default the label)
    none_is_default: bool = False  # None means "the default" (documented), not a bad number

    def run(self, value: Any) -> tuple[str, str]:
        if value is None and self.none_is_default:
            try:
                return judge_result(self.call(None), None), "default"
            except Exception as e:   # noqa: BLE001
                return "unclear error", f"the documented default refused: {e}"
        return self._run(value)

    def _run(self, value: Any) -> tuple[str, str]:
        kind, plain = classify(value, self.lo, self.hi, 0 if self.scalar else self.max_ndim)
        try:
            got = self.call(value)
        except Exception as e:   # noqa: BLE001 - every way a call can end is judged
            if kind == "ok":
                return "unclear error", f"valid value refused: {type(e).__name__}: {e}"
            if kind == "shape":
                return judge_error(e, self.shape_label or self.label), str(e)
            texts = self.texts or (range_text(self.lo, self.hi, self.unit),)
            return judge_error(e, self.label, self.unit, texts), f"{type(e).__name__}: {e}"
        if kind != "ok":
            return "silent wrong number", f"{kind} value gave {got!r}"[:300]
        plain_value = float(plain) if plain.ndim == 0 else plain
        key = (self.name, plain.shape, tuple(plain.ravel().tolist()))
        return judge_result(got, _memo(key, lambda: self.call(plain_value))), "result"


@dataclasses.dataclass
class Name:
    """One name argument: right when it is text among ``choices``."""

    name: str
    call: Callable[[Any], Any]
    label: Any
    choices: tuple
    arrays: bool = False         # a list or 1-d array of names is one name per person
    none_means: str | None = None  # None is the argument's default: the same as this name

    def run(self, value: Any) -> tuple[str, str]:
        ok = isinstance(value, str) and value in self.choices
        plain: Any = str(value) if ok else None
        if value is None and self.none_means is not None:
            ok, plain = True, self.none_means
        if self.arrays and isinstance(value, (list, tuple, np.ndarray)) and np.ndim(value) == 1:
            items = list(value)
            ok = bool(items) and all(isinstance(v, str) and v in self.choices for v in items)
            plain = [str(v) for v in items] if ok else None
        try:
            got = self.call(value)
        except Exception as e:   # noqa: BLE001
            if ok:
                return "unclear error", f"valid name refused: {type(e).__name__}: {e}"
            return judge_error(e, self.label), f"{type(e).__name__}: {e}"
        if not ok:
            return "silent wrong number", f"bad name {value!r} gave {got!r}"[:300]
        return judge_result(got, _memo((self.name, repr(plain)), lambda: self.call(plain))), "result"


@dataclasses.dataclass
class Custom:
    """A call with an oracle of its own: ``run(value) -> (outcome, note)``."""

    name: str
    run: Callable[[Any], tuple[str, str]]


# values --------------------------------------------------------------------------------------------

_DTYPES = [np.int8, np.int16, np.int32, np.int64, np.uint8, np.uint16, np.uint32, np.uint64, np.float16,
           np.float32, np.float64, np.longdouble, np.complex64, np.complex128, np.bool_]


def _numpy_scalar(dtype, x: float):
    if np.issubdtype(dtype, np.integer):
        return dtype(int(abs(x)) % 120)
    if dtype is np.bool_:
        return np.bool_(x > 0)
    return dtype(x)


_scalars = st.one_of(
    st.floats(-200, 200), st.floats(0, 3), st.integers(-200, 200), st.integers(0, 3),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([math.nan, math.inf, -math.inf, 1e308, -0.0, 5e-324]),
    st.integers(min_value=10**300, max_value=10**420), st.integers(min_value=-10**420, max_value=-10**300),
    st.booleans(), st.just(np.bool_(True)), st.none(),
    st.complex_numbers(max_magnitude=200, allow_nan=False), st.just(1.8 + 3j),
    st.tuples(st.sampled_from(_DTYPES), st.floats(-150, 150)).map(lambda t: _numpy_scalar(*t)),
    st.sampled_from(["90", "1.8", " 10 ", "1e3", "nan", "", "-5", "0.5"]), st.text(max_size=3),
    st.binary(max_size=3), st.just(b"90"), st.just(bytearray(b"1")),
    st.integers(-100, 100).map(lambda s: datetime.timedelta(seconds=s)),
    st.integers(-100, 100).map(lambda d: np.timedelta64(d, "D")), st.just(np.datetime64(5, "D")),
    st.just(datetime.date(2020, 1, 1)),
    st.floats(-100, 100).map(lambda x: decimal.Decimal(repr(x))), st.just(decimal.Decimal("NaN")),
    st.fractions(min_value=-150, max_value=150), st.fractions(min_value=0, max_value=2),
    st.floats(-100, 100).map(lambda x: np.ma.masked_array(x, mask=True)),
    st.just(np.ma.masked), st.just(np.array(1.0)), st.just(np.array(0.5, dtype=np.float32)),
)
_arrays = st.one_of(
    st.lists(st.floats(-100, 100), min_size=1, max_size=3).map(
        lambda xs: np.ma.masked_array(xs, mask=[i % 2 == 1 for i in range(len(xs))])),
    st.sampled_from([np.array([]), np.zeros((0, 8)), np.zeros((2, 0)), np.zeros((2, 3)), np.full(3, 1.0),
                     np.array(["1"]), np.array([True, False]), np.array([1 + 2j]), np.array([1, None], dtype=object),
                     np.ones((2, 2)), np.array([0.5, 1.0], dtype=np.float32), np.arange(3, dtype=np.uint8)]),
    st.lists(st.floats(-150, 150), min_size=1, max_size=4).map(np.array),
    st.lists(st.floats(0, 2), min_size=1, max_size=3).map(np.array),
    st.lists(st.floats(1.4, 2.1), min_size=1, max_size=3).map(np.array),
)
_nested = st.one_of(
    st.lists(_scalars, max_size=3), st.lists(_scalars, max_size=3).map(tuple),
    st.lists(st.lists(st.floats(-100, 100) | st.booleans(), min_size=1, max_size=2), max_size=2),
    st.lists(st.floats(0, 2), min_size=1, max_size=3),
    st.just([[1.0, 2.0], [3.0]]), st.just([]), st.just([[]]), st.just([0.5, "1"]), st.just([1.7, [1.8]]),
)
VALUES = st.one_of(_scalars, _scalars, _arrays, _nested, st.just({"a": 1}), st.just({1.0}))


def _names(valid: tuple) -> st.SearchStrategy:
    v = list(valid)
    return st.one_of(
        st.sampled_from(v), st.sampled_from(v).map(lambda s: s.upper()), st.sampled_from(v).map(lambda s: s + "\n"),
        st.sampled_from(v).map(lambda s: " " + s), st.sampled_from(v).map(lambda s: [s]),
        st.sampled_from(v).map(lambda s: (s,)), st.sampled_from(v).map(lambda s: s.encode()),
        st.sampled_from(v).map(np.str_), st.sampled_from(v).map(lambda s: np.array([s])),
        st.sampled_from(["", "Both\n", "cartwheel", "__class__", "0"]), st.text(max_size=4),
        st.sampled_from([None, 1, 1.5, True, np.int64(0), {"a": 1}, {"sciatic"}, [["x"]], object]),
    )


# -- the targets --------------------------------------------------------------------------------------

_P = ns.Posture(hip_flexion=40, knee_flexion=20)
_PERSON_FIELDS = ("height_m", "mobility", "hamstring_tolerance_pct", "hamstring_stiffness",
                  "nerve_threshold_pct", "sensitised", "entrapment", "joint_limits")


def _person(**kw):
    p = ns.Person(**kw)
    return {f: getattr(p, f) for f in _PERSON_FIELDS} | {"shape": p.shape}


def _angle_targets() -> list:
    out = []
    for j in ns.JOINTS:
        wide, typ = _wide(j), _typical(j)
        texts = (range_text(*wide, "deg"), range_text(*typ, "deg"))
        out += [
            Numeric(f"Posture({j})", lambda v, j=j: ns.Posture(**{j: v}), j, *wide, "deg"),
            Numeric(f"Posture.replace({j})", lambda v, j=j: _P.replace(**{j: v}), j, *wide, "deg"),
            Numeric(f"Posture.from_array[{j}]", lambda v, j=j: ns.Posture.from_array(
                [v if n == j else 0.0 for n in ns.JOINTS]), j, *wide, "deg", scalar=True),
            Numeric(f"nerve_bed_length({j})", lambda v, j=j: ns.nerve_bed_length({j: v}), j, *typ, "deg", texts),
            Numeric(f"relative_bed_length({j})", lambda v, j=j: ns.relative_bed_length(ns.Posture(**{j: v})),
                    j, *typ, "deg", texts),
            Numeric(f"relative_bed_length(reference {j})", lambda v, j=j: ns.relative_bed_length(
                _P, {j: v}, nerve="femoral"), j, *typ, "deg", texts),
            Numeric(f"muscle_length({j})", lambda v, j=j: ns.muscle_length({j: v}, "semitendinosus"),
                    j, *typ, "deg", texts),
            Numeric(f"structure_length({j})", lambda v, j=j: ns.structure_length({j: v}, "rectus_femoris"),
                    j, *typ, "deg", texts),
            Numeric(f"bed_contributions({j})", lambda v, j=j: ns.bed_contributions({j: v}), j, *typ, "deg", texts),
            Numeric(f"nerve_mechanics({j})", lambda v, j=j: ns.nerve_mechanics({j: v}), j, *typ, "deg", texts),
            Numeric(f"compute({j})", lambda v, j=j: ns.compute({j: v}), j, *typ, "deg", texts),
            Numeric(f"compute(reference {j})", lambda v, j=j: ns.compute(_P, reference={j: v}),
                    j, *typ, "deg", texts),
            Numeric(f"Body(hypermobile) {j}", lambda v, j=j: ns.nerve_bed_length(
                {j: v}, body=ns.Body(mobility="hypermobile")), j, *wide, "deg"),
        ]
    return out


def _person_targets() -> list:
    kl_lo, kl_hi = _wide("knee_flexion")[0], _typical("knee_flexion")[1]
    return [
        Numeric("Body(height_m)", lambda v: ns.Body(height_m=v), "body height", *HEIGHT_RANGE_M, "m", scalar=True),
        Numeric("Body(height_m) lengths", lambda v: ns.nerve_bed_length(_P, body=ns.Body(v)), "body height",
                *HEIGHT_RANGE_M, "m", scalar=True),
        Numeric("Person(height_m)", lambda v: _person(height_m=v), "person height", *HEIGHT_RANGE_M, "m", max_ndim=1,
                shape_label="height_m"),
        Numeric("Person(hamstring_stiffness)", lambda v: _person(hamstring_stiffness=v), "hamstring passive stiffness",
                0.05, 10.0, "(relative to typical, 1 = typical)", max_ndim=1, shape_label="hamstring_stiffness"),
        Numeric("Person(hamstring_tolerance_pct)", lambda v: _person(hamstring_tolerance_pct=v),
                "hamstring stretch tolerance", 0.5, 60.0, "% elongation", max_ndim=1,
                shape_label="hamstring_tolerance_pct", none_is_default=True),
        Numeric("Person(nerve_threshold_pct)", lambda v: _person(nerve_threshold_pct={"hip": v}),
                "nerve threshold at hip", 0.05, 50.0, "% strain", max_ndim=1,
                shape_label="nerve_threshold_pct['hip']"),
        Numeric("Person(entrapment)", lambda v: _person(entrapment={"piriformis": v}),
                "entrapment severity at piriformis", 0.0, 1.0, "(0 free .. 1 held fast)", max_ndim=1,
                shape_label="entrapment['piriformis']"),
        Numeric("Person(joint_limits)", lambda v: _person(joint_limits={"knee_flexion": (v, 150.0)}),
                "knee_flexion limit min", kl_lo, kl_hi, "deg",
                (range_text(*_wide("knee_flexion"), "deg"), range_text(-math.inf, kl_hi, "deg")), max_ndim=1,
                shape_label="joint_limits['knee_flexion']"),
        Numeric("nerve_mechanics(entrapment)", lambda v: ns.nerve_mechanics(_P, entrapment={"popliteal": v}),
                "entrapment severity at popliteal", 0.0, 1.0, "(0 free .. 1 held fast)", scalar=True),
        Numeric("Differentiation.nerve_involved", lambda v: _DIFF.nerve_involved(v), "min_change_deg",
                0.0, math.inf, "deg", scalar=True, none_is_default=True),
    ]


_DIFF = ns.differentiate(ns.Posture(), "hip_flexion", "ankle_dorsiflexion", [0.0, 10.0])
_DIFF_CACHE: dict = {}


def _differentiate(v):
    return ns.differentiate(ns.Posture(), "hip_flexion", "ankle_dorsiflexion", v)


def _run_differentiate(value) -> tuple[str, str]:
    lo, hi = _typical("ankle_dorsiflexion")
    kind, plain = classify(value, lo, hi, 1)
    if kind == "ok" and not 2 <= plain.size <= 4:
        kind = "shape"
    t = Numeric("differentiate", _differentiate, "remote_angles", lo, hi, "deg",
                (range_text(*_wide("ankle_dorsiflexion"), "deg"), range_text(lo, hi, "deg")))
    if kind != "ok":
        try:
            got = _differentiate(value)
        except Exception as e:   # noqa: BLE001
            if kind == "shape":
                return judge_error(e, "remote_angles", "deg"), str(e)
            return judge_error(e, "remote_angles", "deg", t.texts), str(e)
        return "silent wrong number", f"{value!r} gave a result"
    key = tuple(plain.tolist())
    got = _differentiate(value)
    if key not in _DIFF_CACHE:
        _DIFF_CACHE[key] = _differentiate(plain)
    return judge_result(got, lambda: _DIFF_CACHE[key]), "result"


_ML_CACHE: dict = {}


def _whole(value) -> bool:
    """A whole number: Python's or numpy's integers (numpy's timedelta64 is an integer type to numpy only)."""
    return (isinstance(value, (int, np.integer))
            and not isinstance(value, (bool, np.bool_, np.timedelta64, np.datetime64)))


def _run_direction(value) -> tuple[str, str]:
    ok = _whole(value) and int(value) in (1, -1)
    try:
        got = ns.movement_limit(ns.Posture(), "knee_flexion", direction=value)
    except Exception as e:   # noqa: BLE001
        if ok:
            return "unclear error", f"valid direction refused: {e}"
        return judge_error(e, "direction", "+1 or -1"), str(e)
    if not ok:
        return "silent wrong number", f"direction {value!r} gave a result"
    if int(value) not in _ML_CACHE:
        _ML_CACHE[int(value)] = ns.movement_limit(ns.Posture(), "knee_flexion", direction=int(value))
    return judge_result(got, lambda: _ML_CACHE[int(value)]), "result"


def _run_exercise(value) -> tuple[str, str]:
    """``exercises.check`` answers every answer with feedback, never an exception; a number as the number."""
    key = "model_hip_wrap"
    exercises.reset_attempts()
    try:
        got = exercises.check(key, value)
    except Exception as e:   # noqa: BLE001
        return "unclear error", f"{type(e).__name__}: {e}"
    if not isinstance(got, exercises.Feedback):
        return "silent wrong number", repr(got)
    kind, plain = classify(value, -math.inf, math.inf, 0)
    if kind == "ok":
        exercises.reset_attempts()
        return judge_result(got, lambda: exercises.check(key, float(plain))), "result"
    if value is None or (isinstance(value, (str, list, tuple)) and not (value.strip() if isinstance(value, str)
                                                                         else value)):
        return ("correct result" if got.reason == "empty" else "silent wrong number"), got.reason
    if isinstance(value, str):
        return ("correct result" if got.reason in ("form", "hint", "right", "sign", "degrees",
                                                    "fold_not_wrap") else "silent wrong number"), got.reason
    return ("correct result" if got.reason == "form" else "silent wrong number"), f"{value!r}: {got.reason}"


def _shape_run(call):
    def run(value) -> tuple[str, str]:
        a, b = value
        ok = a == b or 1 in (a, b)
        try:
            got = call(ns.Posture(knee_flexion=np.linspace(0, 40, a)), ns.Posture(hip_flexion=np.linspace(0, 30, b)))
        except Exception as e:   # noqa: BLE001
            if ok:
                return "unclear error", f"valid shapes refused: {e}"
            return judge_error(e, "posture", "reference", "shape"), str(e)
        if not ok:
            return "silent wrong number", f"shapes {a}, {b} gave a result"
        return judge_result(got, None), "result"
    return run


def _run_size(value) -> tuple[str, str]:
    a, b = value
    ok = a * b <= 10**6
    try:
        got = ns.Posture(hip_flexion=np.zeros((a, 1)), knee_flexion=np.zeros(b))
    except Exception as e:   # noqa: BLE001
        if ok:
            return "unclear error", str(e)
        return judge_error(e, "posture", "limit", "1,000,000"), str(e)
    return ("correct result" if ok and got.shape == (a, b) else "silent wrong number"), "result"


def _run_cli(argv) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            rc = cli.main(list(argv))
        except SystemExit as e:   # argparse's own refusal: usage and the problem on stderr
            rc = e.code
        except Exception as e:    # noqa: BLE001
            return "unclear error", f"{type(e).__name__}: {e}"
    cmd = argv[0] if argv else None
    if any(a == "-h" or (len(a) > 2 and "--help".startswith(a)) for a in argv):
        return ("correct result" if rc == 0 and "usage:" in out.getvalue() else "unclear error"), "help"
    valid = ((cmd in ("slump", "protocols", "params") and len(argv) == 1)
             or (cmd == "table" and len(argv) == 2 and argv[1] in protocols.ALL))
    if valid:
        if rc != 0:
            return "unclear error", err.getvalue()
        if cmd == "table":
            want = io.StringIO()
            with contextlib.redirect_stdout(want):
                cli.main(["table", str(argv[1])])
            return ("correct result" if want.getvalue() == out.getvalue() else "silent wrong number"), "table"
        return "correct result", cmd
    if rc == 0:
        return "silent wrong number", f"{argv!r} exited 0"
    text = err.getvalue()
    clear = rc == 2 and ("usage:" in text or "protocol" in text or "destination" in text)
    return ("clear error" if clear else "unclear error"), text[:200]


_argv = st.one_of(
    st.tuples(st.just("table"), _names(tuple(protocols.ALL)).filter(lambda s: isinstance(s, str))),
    st.tuples(st.just("notebooks"), st.sampled_from(["", " ", "\t"])),
    st.tuples(st.sampled_from(["slump", "protocols", "params", "table", "notebooks", "", "--help-me", "SLUMP"])),
    # never a folder name after "notebooks" (nor a prefix of it): the fuzz writes no files
    st.lists(st.text(max_size=6), max_size=3).filter(
        lambda xs: not any(x and "notebooks".startswith(x) for x in xs)).map(tuple),
)


def _targets() -> list[tuple[Any, st.SearchStrategy]]:
    T: list[tuple[Any, st.SearchStrategy]] = [(t, _scalars if t.scalar else VALUES)
                                              for t in _angle_targets() + _person_targets()]
    reg = registry.current()
    nerves, muscles, structs = tuple(reg.nerves), tuple(reg.muscles), tuple(reg)
    sites = ns.nerve_mechanics(_P)
    state = ns.compute(_P)
    names = [
        Name("nerve_bed_length(nerve)", lambda v: ns.nerve_bed_length(_P, v), "nerve", nerves, none_means=nerves[0]),
        Name("relative_bed_length(nerve)", lambda v: ns.relative_bed_length(_P, nerve=v), "nerve", nerves, none_means=nerves[0]),
        Name("bed_contributions(nerve)", lambda v: ns.bed_contributions(_P, nerve=v), "nerve", nerves, none_means=nerves[0]),
        Name("muscle_length(muscle)", lambda v: ns.muscle_length(_P, v), "muscle", muscles),
        Name("structure_length(structure)", lambda v: ns.structure_length(_P, v), "structure", structs),
        Name("NERVES[]", lambda v: ns.NERVES[v].name, "nerve", nerves),
        Name("MUSCLES[]", lambda v: ns.MUSCLES[v].name, "muscle", muscles),
        Name("registry.check", lambda v: reg.check(v).name, "structure", structs),
        Name("protocols.get", lambda v: protocols.get(v).title, "protocol", tuple(protocols.ALL)),
        Name("protocols.POSTURES[]", lambda v: protocols.POSTURES[v], "posture", tuple(protocols.POSTURES)),
        Name("cases.CASES[]", lambda v: cases.CASES[v].label, "case", tuple(cases.CASES)),
        Name("compute(structures)", lambda v: ns.compute(_P, structures=[v]), "structure", structs),
        Name("State.change_mm", lambda v: state.change_mm(v), "structure", structs),
        Name("State.relative", lambda v: state.relative(v), "nerve", nerves, none_means=nerves[0]),
        Name("State.group_mean_mm", lambda v: state.group_mean_mm(v), "muscle group", tuple(reg.groups)),
        Name("State.mechanics", lambda v: state.mechanics(v), "nerve", ("sciatic",), none_means=nerves[0]),
        Name("strain_pct(site)", lambda v: sites.strain_pct(v), "site", SITES),
        Name("excursion_mm(site)", lambda v: sites.excursion_mm(v), "site", SITES),
        Name("Person(mobility)", lambda v: _person(mobility=v), "mobility", ns.MOBILITIES, arrays=True),
        Name("Body(mobility)", lambda v: ns.Body(mobility=v), "mobility", ns.MOBILITIES),
        Name("joint_range(joint)", lambda v: ns.joint_range(v), "joint", ns.JOINTS),
        Name("Person.threshold_pct", lambda v: ns.Person().threshold_pct(v), "symptom site",
             SYMPTOM_SITES),
        Name("Person(entrapment site)", lambda v: _person(entrapment={v: 1.0}), "entrapment site",
             ("lumbar_roots", "piriformis", "popliteal", "tarsal_tunnel")),
        Name("nerve_mechanics(entrapment site)", lambda v: ns.nerve_mechanics(_P, entrapment={v: 0.5}),
             "entrapment site", ("lumbar_roots", "piriformis", "popliteal", "tarsal_tunnel")),
        Name("Person(nerve_threshold_pct site)", lambda v: _person(nerve_threshold_pct={v: 1.0}), "symptom site",
             SYMPTOM_SITES),
        Name("Person(joint_limits joint)", lambda v: _person(joint_limits={v: (0.0, 10.0)}), "joint",
             tuple(j for j in ns.JOINTS if ns.joint_range(j)[0] <= 0 and ns.joint_range(j)[1] >= 10)),
        Name("exercises.check(key)", lambda v: exercises.check(v, ""), "exercise", tuple(exercises.EXERCISES)),
        Name("exercises.solution(key)", lambda v: exercises.solution(v), "exercise", tuple(exercises.EXERCISES)),
        Name("Patient(answer)", lambda v: cases.Patient("x", ns.Person(), v), "answer", cases.ANSWERS),
        Name("movement_limit(joint)", lambda v: ns.movement_limit(ns.Posture(), v), "joint", ns.JOINTS),
    ]
    # a mapping's key must be hashable before any call: Python refuses {["hip"]: 1.0} itself
    keyed = {"Person(entrapment site)", "nerve_mechanics(entrapment site)", "Person(nerve_threshold_pct site)",
             "Person(joint_limits joint)"}
    T += [(t, _names(t.choices).filter(_hashable) if t.name in keyed else _names(t.choices)) for t in names]
    any_value = st.one_of(VALUES, _names(("x",)))
    T += [
        (Custom("differentiate(remote_angles)", _run_differentiate), VALUES),
        (Custom("differentiate(remote_angles) near", _run_differentiate),
         st.lists(st.floats(-30, 30) | st.booleans() | st.sampled_from(["0", "10"]), min_size=0, max_size=3)),
        (Custom("movement_limit(direction)", _run_direction),
         st.one_of(VALUES, st.sampled_from([1, -1, np.int8(1), np.int64(-1), np.True_, 1.0, -1.0, 2, 0, "+1"]))),
        (Custom("exercises.check(answer)", _run_exercise), st.one_of(VALUES, st.sampled_from(["90 deg", "64,4 mm"]))),
        (Custom("relative_bed_length shapes", _shape_run(ns.relative_bed_length)), st.tuples(
            st.integers(1, 4), st.integers(1, 4))),
        (Custom("bed_contributions shapes", _shape_run(ns.bed_contributions)), st.tuples(
            st.integers(1, 4), st.integers(1, 4))),
        (Custom("nerve_mechanics shapes", _shape_run(ns.nerve_mechanics)), st.tuples(
            st.integers(1, 4), st.integers(1, 4))),
        (Custom("compute shapes", _shape_run(lambda p, r: ns.compute(p, reference=r))), st.tuples(
            st.integers(1, 4), st.integers(1, 4))),
        (Custom("Posture size", _run_size), st.tuples(st.sampled_from([1, 10, 1000, 2000]),
                                                       st.sampled_from([1, 10, 1000, 10**4]))),
        (Custom("cli.main(argv)", _run_cli), _argv),
        (Custom("cases.identify(findings)", _run_identify), any_value),
        (Custom("cases.examine(patient)", _run_examine), any_value),
        (Custom("cases.class_set(seed)", _run_class_set), VALUES),
    ]
    return T


def _hashable(value) -> bool:
    try:
        hash(value)
    except TypeError:
        return False
    return True


def _run_identify(value) -> tuple[str, str]:
    if value is None:            # None: examine the patient first
        return ("correct result" if cases.identify(cases.CASES["both"], None) == "both"
                else "silent wrong number"), "examined"
    try:
        got = cases.identify(cases.CASES["both"], value)
    except Exception as e:   # noqa: BLE001
        return judge_error(e, "findings"), str(e)
    return "silent wrong number", f"findings {value!r} gave {got!r}"


def _run_examine(value) -> tuple[str, str]:
    try:
        got = cases.examine(value)
    except Exception as e:   # noqa: BLE001
        return judge_error(e, ("Patient", "Person")), str(e)
    return "silent wrong number", f"examine({value!r}) gave {got!r}"[:200]


def _run_class_set(value) -> tuple[str, str]:
    ok = _whole(value) and value >= 0
    try:
        got = cases.class_set(value, 2)
    except Exception as e:   # noqa: BLE001
        if ok:
            return "unclear error", f"valid seed refused: {e}"
        return judge_error(e, "seed"), str(e)
    if not ok:
        return "silent wrong number", f"seed {value!r} gave patients"
    want = cases.answer_key(int(value), 2)
    return ("correct result" if [(p.label, p.answer) for p in got] == want else "silent wrong number"), "result"


TARGETS = _targets()
OUTCOMES = ("correct result", "clear error", "unclear error", "silent wrong number")


def test_the_fuzz_covers_the_public_api():
    names = {t.name.split("(")[0].split("[")[0].split(".")[0] for t, _ in TARGETS}
    for want in ("Posture", "Body", "Person", "compute", "State", "nerve_bed_length", "relative_bed_length",
                 "muscle_length", "structure_length", "bed_contributions", "nerve_mechanics", "movement_limit",
                 "differentiate", "cases", "exercises", "protocols", "registry", "NERVES", "cli"):
        assert want in names, want
    assert len(TARGETS) >= 150


def test_fuzz_the_public_api(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)          # the command line runs in an empty folder of its own
    counts: Counter = Counter()
    unclear: list = []

    @settings(max_examples=CALLS, derandomize=True, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(st.data())
    def one_call(data):
        k = data.draw(st.integers(0, len(TARGETS) - 1), label="target")
        target, values = TARGETS[k]
        value = data.draw(values, label=target.name)
        outcome, note = target.run(value)
        counts[outcome] += 1
        if outcome == "unclear error":
            unclear.append((target.name, value, note))
        assert outcome != "silent wrong number", (target.name, value, note)

    one_call()
    total = sum(counts.values())
    with capsys.disabled():
        print(f"\nfuzz: {total} calls: " + ", ".join(f"{counts[k]} {k}s" for k in OUTCOMES))
        for name, value, note in unclear[:20]:
            print(f"  unclear: {name} {value!r:.60}: {note[:160]}")
    assert total >= 5000
    assert counts["silent wrong number"] == 0
    assert counts["unclear error"] <= 0.005 * total, unclear[:10]
    assert counts["correct result"] >= 0.1 * total and counts["clear error"] >= 0.3 * total   # both kinds exercised


# -- results are read-only, over the public functions -----------------------------------------------------

_ARRAY_POSTURE = ns.Posture(hip_flexion=[0.0, 30.0, 60.0], knee_flexion=[[0.0], [45.0]])


def _public_results():
    p, r = _ARRAY_POSTURE, ns.Posture(hip_flexion=[10.0, 20.0, 30.0])
    m = ns.nerve_mechanics(p, r)
    s = ns.compute(p, reference=r)
    people = ns.Person(height_m=[1.6, 1.9])
    limit = ns.movement_limit(ns.Posture(), "hip_flexion", people)
    diff = ns.differentiate(ns.Posture(), "hip_flexion", "ankle_dorsiflexion", [0, 10], people)
    return {
        "nerve_bed_length": lambda: ns.nerve_bed_length(p),
        "relative_bed_length": lambda: ns.relative_bed_length(p, r),
        "muscle_length": lambda: ns.muscle_length(p, "semitendinosus"),
        "structure_length": lambda: ns.structure_length(p, "femoral"),
        "bed_contributions": lambda: ns.bed_contributions(p, r),
        "Posture angles": lambda: p.angles(),
        "nerve_mechanics.strain_pct": lambda: m.strain_pct("hip"),
        "nerve_mechanics.excursion_mm": lambda: m.excursion_mm("mid_thigh"),
        "nerve_mechanics.strain_profile_pct": lambda: m.strain_profile_pct,
        "nerve_mechanics.excursion_profile_mm": lambda: m.excursion_profile_mm,
        "nerve_mechanics.peak_strain_pct": lambda: m.peak_strain_pct,
        "nerve_mechanics.slack_mm": lambda: m.slack_mm,
        "nerve_mechanics.bed_change_mm": lambda: m.bed_change_mm,
        "nerve_mechanics.s_mm": lambda: m.s_mm,
        "State.lengths_mm": lambda: dict(s.lengths_mm),
        "State.contributions_mm": lambda: {k: dict(v) for k, v in s.contributions_mm.items()},
        "State.angles": lambda: dict(s.angles),
        "State.change_mm": lambda: s.change_mm("sciatic"),
        "State.relative": lambda: s.relative("sciatic"),
        "State.group_mean_mm": lambda: s.group_mean_mm("hamstrings"),
        "State.mechanics": lambda: s.mechanics().strain_pct("popliteal"),
        "Person fields": lambda: (people.height_m, people.threshold_pct("hip")),
        "movement_limit": lambda: (limit.angle_deg, limit.intensity, limit.nerve_strain_pct, limit.discomfort),
        "differentiate": lambda: (diff.angle_deg, diff.change_deg, diff.remote_angles_deg),
    }


def _arrays_in(x, out):
    if isinstance(x, np.ndarray):
        out.append(x)
    elif isinstance(x, dict):
        for v in x.values():
            _arrays_in(v, out)
    elif isinstance(x, (list, tuple)):
        for v in x:
            _arrays_in(v, out)
    return out


@pytest.mark.parametrize("name", list(_public_results()))
def test_every_result_array_is_read_only_and_writing_to_it_changes_nothing(name):
    get = _public_results()[name]
    arrays = _arrays_in(get(), [])
    assert arrays, name
    before = [a.copy() for a in _arrays_in(get(), [])]
    for a in arrays:
        assert not a.flags.writeable, name
        with pytest.raises(ValueError, match="read-only"):
            a[...] = 0
    assert all(np.array_equal(a, b) for a, b in zip(_arrays_in(get(), []), before))


def test_the_issue_example_a_mechanics_result_is_no_window_into_its_cache():
    m = ns.nerve_mechanics(ns.Posture(hip_flexion=[10.0, 20.0]))
    first = m.strain_pct("hip").copy()
    with pytest.raises(ValueError, match="read-only"):
        m.strain_pct("hip")[:] = 0
    with pytest.raises(ValueError):           # nor can the flag be turned back: the cache itself is read-only
        m.strain_pct("hip").flags.writeable = True
    assert np.array_equal(m.strain_pct("hip"), first) and first.min() > 0
