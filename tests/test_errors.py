"""The input contract (neuralsim/errors.py): bad input raises TypeError (wrong type) or OutOfRangeError, a ValueError
(wrong value), naming the joint, the value, the allowed range and the unit; never a number."""
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import neuralsim as ns
from support import _assert_full_message


@pytest.mark.parametrize("joint", ns.JOINTS)
def test_out_of_range_above_and_below_for_every_joint(joint):
    lo, hi = ns.joint_range(joint, "hypermobile")
    for bad in (hi + 1.5, lo - 1.5):
        with pytest.raises(ns.OutOfRangeError) as err:
            ns.Posture(**{joint: bad})
        _assert_full_message(err, joint, f"{bad:g}", lo, hi)
        e = err.value
        assert (e.joint, e.value, e.range, e.unit) == (joint, bad, (lo, hi), "deg")


@pytest.mark.parametrize("bad,shown", [(math.nan, "nan"), (math.inf, "inf"), (-math.inf, "-inf")])
def test_nan_and_inf(bad, shown):
    lo, hi = ns.joint_range("knee_flexion", "hypermobile")
    with pytest.raises(ValueError) as err:
        ns.Posture(knee_flexion=bad)
    _assert_full_message(err, "knee_flexion", shown, lo, hi)


def test_nan_inside_an_array():
    lo, hi = ns.joint_range("ankle_dorsiflexion", "hypermobile")
    with pytest.raises(ValueError) as err:
        ns.Posture(ankle_dorsiflexion=[0.0, np.nan, 5.0])
    _assert_full_message(err, "ankle_dorsiflexion", "nan", lo, hi)


def test_one_bad_value_in_a_large_array_is_named():
    angles = np.zeros(1000)
    angles[567] = 175.0
    with pytest.raises(ValueError) as err:
        ns.nerve_bed_length(ns.Posture.from_array(np.column_stack([np.zeros((1000, 6)), angles, np.zeros(1000)])))
    lo, hi = ns.joint_range("knee_flexion", "hypermobile")
    _assert_full_message(err, "knee_flexion", "175", lo, hi)


@pytest.mark.parametrize("bad", ["90", None, True, object(), [1, "a"], {"x": 1}, [bytearray(b"Z")], [True, 2], [[1, 2], [3]]])
def test_wrong_types(bad):
    lo, hi = ns.joint_range("hip_flexion", "hypermobile")
    with pytest.raises(TypeError) as err:
        ns.Posture(hip_flexion=bad)
    msg = str(err.value)
    assert "hip_flexion" in msg and "deg" in msg and f"{lo:g} to {hi:g}" in msg
    assert "not a number" in msg


# -- bad inputs, each with the error it gets; README.md lists the same table ----------

from fractions import Fraction                    # noqa: E402
from pathlib import Path                          # noqa: E402

from neuralsim.model import protocols                   # noqa: E402
from neuralsim.mechanics import NerveModel        # noqa: E402

from neuralsim.limits import cases               # noqa: E402

_NS = {"ns": ns, "np": np, "protocols": protocols, "NerveModel": NerveModel, "cases": cases}

# (the call as written in the README, the exception, text the message must hold)
ISSUE_CASES = [
    ('ns.Posture(hip_flexion=[True, True])', "TypeError", ["hip_flexion", "True", "-24 to 140 deg"]),
    ('ns.Posture(knee_flexion=["90"])', "TypeError", ["knee_flexion", "'90'", "-6 to 150 deg"]),
    ('ns.Posture(knee_flexion=np.complex128(90+45j))', "TypeError", ["knee_flexion", "90+45j", "deg"]),
    ('ns.Posture(knee_flexion=np.timedelta64(90, "D"))', "TypeError", ["knee_flexion", "timedelta64", "deg"]),
    ('ns.Posture(knee_flexion=bytearray(b"Z"))', "TypeError", ["knee_flexion", "bytearray", "deg"]),
    ('ns.Posture(knee_flexion=10**400)', "OutOfRangeError", ["knee_flexion", "1.000e+400", "-6 to 150 deg"]),
    ('ns.relative_bed_length(ns.Posture(knee_flexion=[0, 10, 20]), ns.Posture(hip_flexion=[0, 10]))',
     "ValueError", ["posture (shape (3,))", "reference (shape (2,))", "broadcast"]),
    ('ns.bed_contributions(ns.Posture(knee_flexion=[0, 10, 20]), ns.Posture(hip_flexion=[0, 10]))',
     "ValueError", ["posture (shape (3,))", "reference (shape (2,))", "broadcast"]),
    ('protocols.ALL["cartwheel"]', "UnknownNameError", ["unknown protocol 'cartwheel'", "slump", "sciatic_glide"]),
    ('NerveModel(element_mm=1e-4)', "OutOfRangeError", ["element_mm", "0.0001 mm", "1 to 200 mm"]),
    ('ns.Body(np.float32(3.0))', "OutOfRangeError", ["body height", "3 m", "1.4 to 2.1 m"]),
    ('ns.Posture(knee_flexion=np.ma.masked_array([10, 20], mask=[0, 1]))', "TypeError",
     ["knee_flexion", "masked array", "-6 to 150 deg"]),
    ('ns.Person(height_m=np.complex128(1.8+3j))', "TypeError", ["person height", "not a number", "1.4 to 2.1 m"]),
    ("ns.Person(hamstring_stiffness=['2'])", "TypeError", ["hamstring passive stiffness", "'2'", "0.05 to 10"]),
    ("ns.differentiate(ns.Posture(hip_flexion=60), 'hip_flexion', 'cervical_flexion', ['0', '10'])", "TypeError",
     ["remote_angles", "cervical_flexion", "'0'", "-84 to 72 deg"]),
    ("ns.movement_limit(ns.Posture(), 'hip_flexion', direction=np.True_)", "TypeError", ["direction", "+1 or -1"]),
    ("cases.CASES['Both\\n']", "UnknownNameError", ["unknown case", "short hamstrings", "stiff hip"]),
    ('ns.Posture(hip_flexion=np.zeros(2_000_000))', "ValueError", ["2,000,000 postures", "limit of 1,000,000"]),
    ('ns.Posture(hip_flexion=np.zeros((2000, 1)), knee_flexion=np.zeros(2000))', "ValueError",
     ["4,000,000 postures", "limit of 1,000,000"]),
    ("ns.nerve_mechanics(ns.Posture(hip_flexion=[60, 70])).strain_pct('hip')[:] = 0", "ValueError", ["read-only"]),
]
# (the call, what it now returns) for the inputs that were refused or gave the wrong shape
ISSUE_RESULTS = [
    ('ns.Body(np.float32(1.75))', "Body(height_m=1.75)"),
    ('ns.muscle_length(ns.Posture(cervical_flexion=[0, 10, 20]), "semitendinosus")', "shape (3,)"),
    ('ns.bed_contributions(ns.Posture(knee_flexion=[0, 10, 20]), ns.Posture(hip_flexion=[[0], [10]]))',
     "shape (2, 3) for every joint"),
]


@pytest.mark.parametrize("code,exc,parts", ISSUE_CASES, ids=[c[0] for c in ISSUE_CASES])
def test_issue_bad_inputs_get_the_documented_error(code, exc, parts):
    with pytest.raises(Exception) as err:
        exec(code, dict(_NS))          # exec, not eval: one row is an assignment
    assert type(err.value).__name__ == exc
    assert isinstance(err.value, TypeError if exc == "TypeError" else ValueError)
    for part in parts:
        assert part in str(err.value), (part, str(err.value))
    if exc == "OutOfRangeError":
        e = err.value
        assert e.joint in str(e) and e.unit in str(e) and e.low <= e.high


def test_readme_table_lists_every_issue_input_with_its_error():
    text = (Path(__file__).resolve().parents[1] / "README.md").read_text("utf-8")
    section = text.split("## Bad input and the errors it gets", 1)[1].split("\n## ", 1)[0]
    rows = [[c.strip().strip("`") for c in line.strip().strip("|").split("|")]
            for line in section.splitlines() if line.startswith("| `")]
    table = {r[0]: r[1] for r in rows}
    want = {code: exc for code, exc, _ in ISSUE_CASES}
    want.update({code: res for code, res in ISSUE_RESULTS})
    assert set(table) == set(want)
    for code, exc in want.items():
        assert table[code].startswith(exc), (code, table[code])


# -- hypothesis: unusual inputs of every kind get a number only when they are real numbers in range ----------

def _oracle(value, lo, hi):
    """What the contract says a value should get: "ok", "type" or "range" (written apart from the library)."""
    def bad_type(v):
        return (v is None or isinstance(v, (bool, np.bool_, str, bytes, bytearray, complex, np.complexfloating,
                                            np.timedelta64, np.datetime64, dict))
                or not isinstance(v, (int, float, np.integer, np.floating, Fraction, list, tuple)))
    if isinstance(value, (list, tuple)):
        leaves, shapes = [], set()

        def walk(v, depth):
            if isinstance(v, (list, tuple)):
                shapes.add((depth, len(v)))
                for x in v:
                    walk(x, depth + 1)
            else:
                shapes.add((depth, "leaf"))
                leaves.append(v)
        walk(value, 0)
        depths = {d for d, _ in shapes}
        ragged = any(len({n for d2, n in shapes if d2 == d}) > 1 for d in depths)
        if ragged or any(bad_type(v) or isinstance(v, (list, tuple)) for v in leaves):
            return "type"
        values = leaves
    else:
        if bad_type(value):
            return "type"
        values = [value]
    for v in values:
        try:
            f = float(v)
        except OverflowError:
            return "range"
        if not math.isfinite(f) or not lo - 1e-9 <= f <= hi + 1e-9:
            return "range"
    return "ok"


_scalars = st.one_of(
    st.floats(-300, 300), st.floats(allow_nan=True, allow_infinity=True), st.integers(-400, 400),
    st.integers(min_value=10**300, max_value=10**420), st.booleans(), st.none(), st.text(max_size=3),
    st.binary(max_size=2), st.binary(max_size=2).map(bytearray), st.complex_numbers(max_magnitude=200),
    st.floats(-200, 200).map(np.float32), st.integers(-200, 200).map(np.int16),
    st.complex_numbers(max_magnitude=200, allow_nan=False).map(np.complex128),
    st.integers(-200, 200).map(lambda d: np.timedelta64(d, "D")),
    st.integers(-200, 200).map(lambda d: np.datetime64(d, "D")), st.just(np.bool_(True)),
    st.fractions(min_value=-200, max_value=200), st.dictionaries(st.text(max_size=1), st.integers(), max_size=1),
)
_values = st.one_of(_scalars, st.lists(_scalars, max_size=3),
                    st.lists(st.lists(st.floats(-100, 100) | st.booleans(), min_size=1, max_size=2), max_size=2))


@settings(max_examples=400, deadline=None)
@given(joint=st.sampled_from(ns.JOINTS), value=_values)
def test_unusual_input_gets_a_number_only_when_it_is_a_real_number_in_range(joint, value):
    lo, hi = ns.joint_range(joint, "hypermobile")
    want = _oracle(value, lo, hi)
    try:
        p = ns.Posture(**{joint: value})
    except TypeError as e:
        assert want == "type", (value, str(e))
        msg = str(e)
    except ns.OutOfRangeError as e:
        assert want == "range", (value, str(e))
        assert (e.joint, e.unit, e.range) == (joint, "deg", (lo, hi))
        msg = str(e)
    else:
        assert want == "ok", value
        got = np.asarray(getattr(p, joint))
        assert got.dtype == float
        assert np.array_equal(got, np.asarray([float(v) for v in np.ravel(np.asarray(value, dtype=object))],
                                              dtype=float).reshape(np.shape(np.asarray(value, dtype=object))))
        return
    assert joint in msg and "deg" in msg and f"{lo:g} to {hi:g} deg" in msg

# -- the shared helpers every public function checks its arguments with ----------------------------------

from neuralsim.core import errors as E   # noqa: E402


@pytest.mark.parametrize("masked", [np.ma.masked_array([10.0, 20.0], mask=[False, True]),
                                    np.ma.masked_array(10.0, mask=False), np.ma.masked, [1.0, np.ma.masked]])
def test_masked_arrays_are_refused_not_read_under_the_mask(masked):
    # the value under a mask is not an angle anybody gave: refused, naming the joint, range and unit
    with pytest.raises(TypeError, match=r"knee_flexion: a masked array is not taken.*-5 to 140 deg"):
        E.as_numbers("knee_flexion", masked, -5, 140, "deg")
    with pytest.raises(TypeError, match="masked"):
        ns.nerve_bed_length(ns.Posture(knee_flexion=masked))


def test_as_number_is_one_number_and_names_the_range():
    assert E.as_number("body height", np.float32(1.5), 1.4, 2.1, "m") == 1.5
    assert E.as_number("x", np.array(2.0), 0, 3, "mm") == 2.0
    with pytest.raises(TypeError, match=r"body height: \[1.8\] is not one number.*1.4 to 2.1 m"):
        E.as_number("body height", [1.8], 1.4, 2.1, "m")
    with pytest.raises(E.OutOfRangeError, match=r"severity: 1.000e\+400 .* too large .*0 to 1"):
        E.as_number("severity", 10**400, 0, 1, "")


def test_as_sign_takes_plus_or_minus_one_only():
    assert E.as_sign("direction", np.int8(-1)) == -1 and E.as_sign("direction", 1) == 1
    for bad in (np.True_, True, 1.0, "1", np.timedelta64(1, "D"), None):
        with pytest.raises(TypeError, match="direction: .* is not a whole number; give \\+1 or -1"):
            E.as_sign("direction", bad)
    for bad in (0, 2, -3, np.int64(10**12)):
        with pytest.raises(ValueError, match="give \\+1 or -1"):
            E.as_sign("direction", bad)


def test_as_integer_refuses_times_which_numpy_counts_as_integers():
    assert issubclass(np.timedelta64, np.integer)          # why the check needs saying
    assert E.as_integer("seed", np.uint8(7), 0, math.inf, "(a seed)") == 7
    with pytest.raises(TypeError, match="seed: .*timedelta64.* not a whole number"):
        E.as_integer("seed", np.timedelta64(3, "D"), 0, math.inf, "(a seed)")
    with pytest.raises(E.OutOfRangeError, match="n: 0 patients .* 1 to 100000 patients"):
        E.as_integer("n", 0, 1, 100_000, "patients")


def test_as_name_and_choices_name_what_was_looked_up_even_for_unhashable_names():
    assert E.as_name("site", "hip", ("hip", "ankle")) == "hip"
    with pytest.raises(E.UnknownNameError, match="unknown site 'Hip': choose one of hip, ankle"):
        E.as_name("site", "Hip", ("hip", "ankle"))
    with pytest.raises(TypeError, match=r"site: \['hip'\] is not a name \(text\); choose one of hip, ankle"):
        E.as_name("site", ["hip"], ("hip", "ankle"))
    c = E.Choices("protocol", {"slump": 1})
    with pytest.raises(TypeError, match=r"protocol: \['slump'\] is not a name") as err:
        c[["slump"]]
    assert "unhashable" not in str(err.value)
    with pytest.raises(KeyError):         # still a KeyError for a missing name: ``in`` and ``get`` work
        c["Slump"]
    assert "Slump" not in c and c.get("x") is None


def test_check_size_names_the_limit_before_the_work():
    assert E.check_size("person", 10, 10, "people") == 10
    with pytest.raises(ValueError, match="person: 10,001 people is more than the limit of 10,000 people"):
        E.check_size("person", 10_001, 10_000, "people")


def test_read_only_reaches_into_dicts_lists_and_tuples():
    a, b, c = np.zeros(2), np.ones(2), np.full(2, 2.0)
    out = E.read_only({"x": a, "y": [b, (c, 1.0)]})
    assert out["x"] is a and not (a.flags.writeable or b.flags.writeable or c.flags.writeable)


def test_the_quantity_out_of_range_is_named_neutrally_and_joint_is_its_old_name():
    with pytest.raises(ns.OutOfRangeError) as err:
        ns.Body(height_m=3.0)
    e = err.value
    assert (e.quantity, e.value, e.range, e.unit) == ("body height", 3.0, (1.4, 2.1), "m")
    assert e.joint == "body height"                    # the old name, kept as an alias
    with pytest.raises(ns.OutOfRangeError) as err:
        ns.Posture(knee_flexion=151.0)
    assert err.value.quantity == err.value.joint == "knee_flexion"
