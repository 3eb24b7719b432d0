"""Every bad-input path raises ValueError naming the joint, the value, the allowed range and the unit."""
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import neuralsim as ns
from neuralsim.__main__ import main


def _assert_full_message(err, joint, value_text, lo, hi):
    msg = str(err.value)
    assert joint in msg
    assert value_text in msg
    assert f"{lo:g} to {hi:g}" in msg
    assert "deg" in msg


@pytest.mark.parametrize("joint", ns.JOINTS)
def test_out_of_range_above_and_below_for_every_joint(joint):
    lo, hi = ns.joint_range(joint, "hypermobile")
    for bad in (hi + 1.5, lo - 1.5):
        with pytest.raises(ValueError) as err:
            ns.Posture(**{joint: bad})
        _assert_full_message(err, joint, f"{bad:g}", lo, hi)


def test_typical_body_refuses_what_a_hypermobile_posture_allows():
    lo, hi = ns.joint_range("hip_flexion")
    p = ns.Posture(hip_flexion=hi + 5)          # fine for a hypermobile person
    for fn in (ns.nerve_bed_length, ns.relative_bed_length, ns.bed_contributions,
               lambda q: ns.muscle_length(q, "semitendinosus")):
        with pytest.raises(ValueError) as err:
            fn(p)
        _assert_full_message(err, "hip_flexion", f"{hi + 5:g}", lo, hi)
        assert "typical" in str(err.value)


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


@pytest.mark.parametrize("bad", ["90", None, True, object(), [1, "a"], {"x": 1}])
def test_wrong_types(bad):
    lo, hi = ns.joint_range("hip_flexion", "hypermobile")
    with pytest.raises(ValueError) as err:
        ns.Posture(hip_flexion=bad)
    msg = str(err.value)
    assert "hip_flexion" in msg and "deg" in msg and f"{lo:g} to {hi:g}" in msg
    assert "not a number" in msg


def test_unknown_joint_names():
    with pytest.raises(TypeError):
        ns.Posture(knee_flex=10)                    # Python's own keyword check
    for call in (lambda: ns.nerve_bed_length({"knee_flex": 10}),
                 lambda: ns.Posture().replace(elbow_flexion=10),
                 lambda: ns.joint_range("elbow_flexion")):
        with pytest.raises(ValueError) as err:
            call()
        msg = str(err.value)
        assert "unknown joint" in msg and "knee_flexion" in msg and "deg" in msg


def test_wrong_shapes():
    with pytest.raises(ValueError) as err:
        ns.nerve_bed_length(np.zeros((5, 7)))
    assert "(..., 8)" in str(err.value) and "(5, 7)" in str(err.value) and "deg" in str(err.value)
    with pytest.raises(ValueError) as err:
        ns.Posture(hip_flexion=np.zeros(3), knee_flexion=np.zeros(4))
    assert "broadcast" in str(err.value) and "hip_flexion(3,)" in str(err.value)
    with pytest.raises(ValueError, match="single posture"):
        from neuralsim.model import drawing
        drawing(ns.Posture(knee_flexion=[0, 10]))


def test_wrong_posture_type():
    with pytest.raises(ValueError, match="expected a Posture"):
        ns.nerve_bed_length("slump")
    with pytest.raises(ValueError, match="expected a Posture"):
        ns.nerve_bed_length(42)


def test_unknown_muscle_and_bad_body():
    with pytest.raises(ValueError, match="unknown muscle 'quadriceps'.*semitendinosus"):
        ns.muscle_length(ns.Posture(), "quadriceps")
    with pytest.raises(ValueError, match=r"body height: 3 m is outside the allowed range 1.4 to 2.1 m"):
        ns.Body(height_m=3)
    with pytest.raises(ValueError, match="not a finite number"):
        ns.Body(height_m=float("nan"))
    with pytest.raises(ValueError, match="mobility"):
        ns.Body(mobility="bendy")
    with pytest.raises(ValueError, match="neuralsim.Body"):
        ns.nerve_bed_length(ns.Posture(), body=1.8)


def test_unknown_view():
    from neuralsim.model import drawing
    with pytest.raises(ValueError, match="unknown view 'upside_down'"):
        drawing(ns.Posture(), view="upside_down")


def test_cli_unknown_protocol_is_a_clear_error(capsys):
    assert main(["table", "cartwheel"]) == 2
    err = capsys.readouterr().err
    assert "unknown protocol 'cartwheel'" in err and "slump" in err


@settings(max_examples=300, deadline=None)
@given(joint=st.sampled_from(ns.JOINTS), mobility=st.sampled_from(ns.MOBILITIES),
       angle=st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.integers(-400, 400),
                       st.floats(-200, 200)))
def test_a_plain_number_is_judged_as_the_same_number_in_an_array(joint, mobility, angle):
    """check_angle's shortcut for a plain float or int accepts and refuses exactly what the array path does."""
    from neuralsim.joints import check_angle

    def judge(value):
        try:
            return ("ok", float(np.asarray(check_angle(joint, value, mobility)).reshape(-1)[0]))
        except ValueError as e:
            return ("refused", str(e).split(":")[0])

    plain, arr = judge(angle), judge(np.array([angle], dtype=float))
    assert plain[0] == arr[0]
    if plain[0] == "ok":
        assert plain[1] == arr[1] == float(angle)
    else:
        assert plain[1] == arr[1] == joint
