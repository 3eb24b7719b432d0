"""The joint table (neuralsim/joints.py): the one source of each joint's facts, joint names and angle checks."""
import dataclasses

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import neuralsim as ns
from neuralsim.model.geometry import CHAIN


@settings(max_examples=300, deadline=None)
@given(joint=st.sampled_from(ns.JOINTS), mobility=st.sampled_from(ns.MOBILITIES),
       angle=st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.integers(-400, 400),
                       st.floats(-200, 200)))
def test_a_plain_number_is_judged_as_the_same_number_in_an_array(joint, mobility, angle):
    """check_angle's shortcut for a plain float or int accepts and refuses exactly what the array path does."""
    from neuralsim.core.joints import check_angle

    def judge(value):
        try:
            return ("ok", float(np.asarray(check_angle(joint, value, mobility)).reshape(-1)[0]))
        except ns.OutOfRangeError as e:
            return ("refused", e.joint)

    plain, arr = judge(angle), judge(np.array([angle], dtype=float))
    assert plain[0] == arr[0]
    if plain[0] == "ok":
        assert plain[1] == arr[1] == float(angle)
    else:
        assert plain[1] == arr[1] == joint


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


def test_the_joint_table_is_the_one_source():
    from neuralsim.core import joints
    from neuralsim.view import svg
    from neuralsim.classroom import widgets
    assert ns.JOINTS == tuple(joints.TABLE)
    # the pelvis is no joint of its own: it shares the hip's angle (core.posture.joint_angles)
    assert tuple(f.name for f in dataclasses.fields(ns.Posture) if f.init) == ns.JOINTS + ("pelvic_tilt",)
    assert svg.JOINT_LABELS is joints.LABELS and widgets.ACTION_WORDS is joints.ACTION_WORDS
    assert joints.DESCRIPTIONS["knee_flexion"] == "knee: 0 = straight, + bent (flexion), - hyperextended"
    assert joints.TABLE["hip_flexion"].range() == ns.joint_range("hip_flexion")
    assert {j for _p, j, _k, _a in CHAIN.values()} == {j.name for j in joints.TABLE.values() if j.in_plane}
    assert not joints.TABLE["hip_adduction"].in_plane
