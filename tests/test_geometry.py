"""Hand-computed geometry: joint positions, wraps, folds, and drawing == numbers."""
import math

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import neuralsim as ns
from neuralsim import parameters as P
from neuralsim.geometry import Crossing, Run, Pathway, polyline_length
from neuralsim.model import drawing, nerve_pathway, muscle_pathway, joint_locations

H_MM = 1750.0


def test_segment_lengths_scale_with_height():
    for h in (1.5, 1.75, 2.0):
        b = ns.Body(height_m=h)
        assert b.segment("thigh") == pytest.approx(0.245 * h * 1000)
        assert b.segment("shank") == pytest.approx(0.246 * h * 1000)
        assert b.segment("foot") == pytest.approx(0.152 * h * 1000)
    # offsets scale isometrically: the hip offset is 41 mm at the default height only
    assert ns.Body(height_m=2.1).offset("nerve_offset_hip") == pytest.approx(41 * 2.1 / 1.75)


def test_neutral_standing_is_a_straight_vertical_chain():
    d = drawing(ns.Posture(), view="standing")
    j = d["joints"]
    assert j["hip"] == pytest.approx([0, 0])
    assert j["knee"] == pytest.approx([0, -0.245 * H_MM])
    assert j["ankle"] == pytest.approx([0, -(0.245 + 0.246) * H_MM])
    up = 0.057 * H_MM
    assert j["l5_s1"] == pytest.approx([-0.020 * H_MM, up])
    assert j["t12_l1"] == pytest.approx([-0.020 * H_MM, up + 0.100 * H_MM])
    assert j["c1"] == pytest.approx([-0.020 * H_MM, up + (0.100 + 0.160 + 0.065) * H_MM])
    # the bed starts at C1, 15 mm behind the canal's axis, and is straight down the neck
    nerve = d["nerve"]
    assert nerve[0] == pytest.approx([-0.020 * H_MM - 15.0, j["c1"][1]])
    assert nerve[1] == pytest.approx([-0.020 * H_MM - 15.0, j["c7_t1"][1]])


def test_sitting_and_supine_views_place_the_leg():
    sit = drawing(ns.Posture(hip_flexion=90, knee_flexion=90), view="sitting")["joints"]
    assert sit["knee"] == pytest.approx([0.245 * H_MM, 0], abs=1e-9)
    assert sit["ankle"] == pytest.approx([0.245 * H_MM, -0.246 * H_MM], abs=1e-9)
    sup = drawing(ns.Posture(hip_flexion=90), view="supine")["joints"]
    assert sup["knee"] == pytest.approx([0, 0.245 * H_MM], abs=1e-9)   # leg straight up
    assert sup["c1"][0] < -300                                         # head to the left


@pytest.mark.parametrize("joint,param,angle", [
    ("hip_flexion", "nerve_offset_hip", 90.0),
    ("hip_flexion", "nerve_offset_hip", 30.0),
    ("cervical_flexion", "nerve_offset_cervical", 45.0),
    ("thoracic_flexion", "nerve_offset_thoracic", 30.0),
    ("lumbar_flexion", "nerve_offset_lumbar", 60.0),
    ("ankle_dorsiflexion", "nerve_offset_ankle", 20.0),
    ("knee_flexion", "nerve_offset_knee", -5.0),          # hyperextension lengthens
    ("hip_adduction", "nerve_offset_hip_adduction", 20.0),
    ("hip_internal_rotation", "nerve_offset_hip_rotation", 30.0),
])
def test_single_joint_in_its_lengthening_direction_is_offset_times_angle(joint, param, angle):
    """A single joint bent by a known angle lengthens the bed by the cited offset x angle (within 2 %)."""
    base = ns.nerve_bed_length(ns.Posture())
    bent = ns.nerve_bed_length(ns.Posture(**{joint: angle}))
    expected = P.value(param) * math.radians(abs(angle))
    assert bent - base == pytest.approx(expected, rel=0.02)


@pytest.mark.parametrize("joint,param", [
    ("hip_flexion", "nerve_offset_hip"), ("knee_flexion", "nerve_offset_knee"),
    ("ankle_dorsiflexion", "nerve_offset_ankle"), ("cervical_flexion", "nerve_offset_cervical"),
    ("thoracic_flexion", "nerve_offset_thoracic"), ("lumbar_flexion", "nerve_offset_lumbar"),
])
def test_moment_arm_at_neutral_equals_cited_offset(joint, param):
    """dL/dtheta near 0 from finite differences of the length, in either direction, is the offset."""
    h = 0.5
    plus = ns.nerve_bed_length(ns.Posture(**{joint: h}))
    minus = ns.nerve_bed_length(ns.Posture(**{joint: -h}))
    arm = abs(plus - minus) / math.radians(2 * h)
    assert arm == pytest.approx(P.value(param), rel=0.02)


def test_knee_flexion_folds_the_bed_by_two_d_tan_half_angle():
    # 90 deg of knee flexion: the parallel runs 25 mm behind the knee meet in a fold,
    # losing 2 * 25 * tan(45 deg) = 50 mm.
    loss = ns.nerve_bed_length(ns.Posture()) - ns.nerve_bed_length(ns.Posture(knee_flexion=90))
    assert loss == pytest.approx(50.0, abs=1e-9)
    # and 60 deg: 2 * 25 * tan(30 deg)
    loss60 = ns.nerve_bed_length(ns.Posture()) - ns.nerve_bed_length(ns.Posture(knee_flexion=60))
    assert loss60 == pytest.approx(50.0 * math.tan(math.radians(30)), abs=1e-9)


def test_fold_point_is_where_the_runs_meet():
    """At 90 deg knee flexion the drawn fold lies at (d, d)/cos45 from the knee, i.e. sqrt(2)*25 mm away."""
    d = drawing(ns.Posture(hip_flexion=90, knee_flexion=90), view="sitting")
    knee = d["joints"]["knee"]
    dist = np.hypot(*(d["nerve"] - knee).T)
    assert dist.min() == pytest.approx(25.0 * math.sqrt(2), abs=1e-6)


def test_wrap_arc_points_stay_at_the_offset_from_the_hip():
    d = drawing(ns.Posture(hip_flexion=90), view="standing")
    hip = d["joints"]["hip"]
    dist = np.hypot(*(d["nerve"] - hip).T)
    on_arc = np.isclose(dist, 41.0, atol=1e-6)
    assert on_arc.sum() >= 20            # the arc is sampled, every point at 41 mm


postures = st.fixed_dictionaries({
    j: st.floats(*ns.joint_range(j), allow_nan=False, allow_infinity=False) for j in ns.JOINTS
})


@settings(max_examples=150, deadline=None)
@given(angles=postures, view=st.sampled_from(["standing", "sitting", "supine"]))
def test_drawn_nerve_is_the_computed_bed(angles, view):
    """The polyline the figure draws has the computed length (plus the out-of-plane hip terms)."""
    p = ns.Posture(**angles)
    d = drawing(p, view=view)
    c = ns.bed_contributions(p)
    drawn = polyline_length(d["nerve"]) + c["hip_adduction"] + c["hip_internal_rotation"]
    # out-of-plane terms are relative to 0, which is also the default reference
    assert drawn == pytest.approx(ns.nerve_bed_length(p), abs=0.05)
    for m in ns.MUSCLES:
        assert polyline_length(d["muscles"][m]) == pytest.approx(ns.muscle_length(p, m), abs=0.05)


def test_pathway_refuses_a_run_that_misses_the_joint():
    loc = joint_locations()
    with pytest.raises(ValueError, match="joint-level point"):
        Pathway("bad", (
            Run("pelvis", ((-41.0, 100.0), (-40.0, 0.0))),
            Crossing("hip_flexion", 41.0),
            Run("thigh", ((-41.0, 0.0), (-41.0, -200.0))),
        ), loc)


def test_pathway_refuses_a_run_too_short_for_the_deepest_fold():
    loc = joint_locations()
    knee_y = loc["thigh"]["knee_flexion"][1]
    with pytest.raises(ValueError, match="fold"):
        Pathway("bad", (
            Run("thigh", ((-25.0, knee_y + 5.0), (-25.0, knee_y))),
            Crossing("knee_flexion", 25.0),
            Run("shank", ((-25.0, 0.0), (-25.0, -5.0))),
        ), loc)


def test_crossing_sign_comes_from_the_chain():
    assert Crossing("hip_flexion", 41).sign == 1
    assert Crossing("knee_flexion", 25).sign == -1
    assert Crossing("cervical_flexion", 15).sign == 1
    with pytest.raises(ValueError, match="contradicts"):
        Crossing("knee_flexion", 25, sign=1)
    with pytest.raises(ValueError, match="positive"):
        Crossing("hip_flexion", -3)


def test_muscles_cross_only_their_joints():
    assert set(muscle_pathway("semitendinosus").joints) == {"hip_flexion", "knee_flexion"}
    assert set(muscle_pathway("gastrocnemius").joints) == {"knee_flexion", "ankle_dorsiflexion"}
    assert set(nerve_pathway().joints) == set(ns.JOINTS)
