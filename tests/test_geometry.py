"""Hand-computed geometry (neuralsim/geometry.py): joint positions, wraps, folds, moment-arm curves, every view,
and drawing == numbers."""
import math

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import neuralsim as ns
from neuralsim.core import parameters as P
from neuralsim.model.geometry import VIEWS, Crossing, MomentArmCurve, Run, Pathway, polyline_length
from neuralsim.model import drawing, nerve_pathway, muscle_pathway, joint_locations

H_MM = 1750.0
rad = math.radians


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


# -- published figures the wraps and moment arms must meet -------------------------------------

def test_hip_figure_is_within_two_percent():
    hip = ns.bed_contributions(ns.Posture(hip_flexion=90))["hip_flexion"]
    assert hip == pytest.approx(41 * math.pi / 2, rel=0.02)


@pytest.mark.parametrize("muscle,lo,hi", [("semitendinosus", 40, 55), ("semimembranosus", 20, 40),
                                           ("biceps_femoris_lh", 15, 25)])
def test_hamstring_knee_moment_arms_in_published_ranges(muscle, lo, hi):
    """Finite-difference moment arms between 0 and 30 deg of knee flexion lie in Spoor's ranges."""
    for k in range(0, 31, 5):
        a = ns.muscle_length(ns.Posture(knee_flexion=k), muscle)
        b = ns.muscle_length(ns.Posture(knee_flexion=k + 0.5), muscle)
        arm = (a - b) / math.radians(0.5)
        assert lo <= arm <= hi


def test_hamstrings_depend_more_on_hip_than_knee():
    for m in ns.HAMSTRINGS:
        hip = ns.muscle_length(ns.Posture(hip_flexion=90), m) - ns.muscle_length(ns.Posture(), m)
        knee = ns.muscle_length(ns.Posture(), m) - ns.muscle_length(ns.Posture(knee_flexion=90), m)
        assert hip > knee
    bf_hip = ns.muscle_length(ns.Posture(hip_flexion=90), "biceps_femoris_lh") - ns.muscle_length(ns.Posture(), "biceps_femoris_lh")
    bf_knee = ns.muscle_length(ns.Posture(), "biceps_femoris_lh") - ns.muscle_length(ns.Posture(knee_flexion=90), "biceps_femoris_lh")
    assert bf_hip > 2 * bf_knee


def test_spinal_canal_lengthening_in_published_range_mostly_cervical():
    def span(joint):
        lo, hi = ns.joint_range(joint)
        c = ns.bed_contributions(ns.Posture(**{joint: hi}), reference=ns.Posture(**{joint: lo}))
        return c[joint]
    parts = {j: span(j) for j in ("cervical_flexion", "thoracic_flexion", "lumbar_flexion")}
    assert 50 <= sum(parts.values()) <= 90
    assert max(parts, key=parts.get) == "cervical_flexion"


# -- muscle paths with published moment-arm behaviour ----------------------------------------
#
# Expected values are derived by hand from the moment-arm curve written in
# ``neuralsim/geometry.py`` (``r = d (1 + gain sin(90 deg x angle / peak))``) and
# the parameters in ``data/parameters.csv``; moment arms of the model are
# measured here as the slope of the muscle's length (a central difference), so
# the test reads the path, not the formula it is built from.

HAMSTRINGS = ("semitendinosus", "semimembranosus", "biceps_femoris_lh")


KNEE_CURVES = HAMSTRINGS + ("gastrocnemius",)


H = 0.01   # deg, step of the central difference


def slope_moment_arm(muscle: str, joint: str, deg):
    """|dL/dangle| (mm per rad) of the whole muscle path at ``deg`` of ``joint``, the other joints at 0."""
    deg = np.asarray(deg, dtype=float)
    up = ns.muscle_length(ns.Posture(**{joint: deg + H}), muscle)
    down = ns.muscle_length(ns.Posture(**{joint: deg - H}), muscle)
    return np.abs(up - down) / math.radians(2 * H)


@pytest.mark.parametrize("muscle", KNEE_CURVES)
def test_knee_moment_arm_peaks_mid_range_and_falls_in_deep_flexion(muscle):
    angles = np.append(np.arange(1.0, 140.0, 1.0), 140.0 - H)
    r = slope_moment_arm(muscle, "knee_flexion", angles)
    peak_at = angles[int(np.argmax(r))]
    assert 30.0 <= peak_at <= 75.0, f"{muscle}: peak at {peak_at} deg"
    deep = r[(angles >= 120) & (angles <= 140)]
    assert deep.max() < r.max() * 0.95            # falls clearly after the peak
    assert r[-1] < r[0]                           # and below the straight-knee value at 140 deg


@pytest.mark.parametrize("muscle, d, peak_deg, gain", [
    # offsets (mm) and curve parameters from parameters.csv
    ("semitendinosus", 45.0, 50.0, 0.2),
    ("semimembranosus", 30.0, 50.0, 0.2),
    ("biceps_femoris_lh", 20.0, 50.0, 0.2),
    ("gastrocnemius", 20.0, 45.0, 0.3),
])
def test_knee_moment_arm_hand_values(muscle, d, peak_deg, gain):
    r = slope_moment_arm(muscle, "knee_flexion", [1e-3 + H, peak_deg, min(3 * peak_deg, 140 - H)])
    assert r[0] == pytest.approx(d, abs=0.05)                        # straight knee: the cited offset
    assert r[1] == pytest.approx(d * (1 + gain), abs=0.05)           # the peak: (1 + gain) d
    if 3 * peak_deg < 140:
        assert r[2] == pytest.approx(d * (1 - gain), abs=0.05)       # three times the peak angle: (1 - gain) d


def test_semitendinosus_shortening_from_0_to_110_deg_knee_flexion():
    """Published: knee moment arm 40-55 mm (Spoor et al. 1990) over 110 deg (1.92 rad) gives 77-106 mm."""
    short = ns.muscle_length(ns.Posture(), "semitendinosus") - \
        ns.muscle_length(ns.Posture(knee_flexion=110), "semitendinosus")
    lo, hi = 40.0 * math.radians(110), 55.0 * math.radians(110)
    assert lo <= short <= hi
    # by hand: 45 x 1.9199 rad + 45 x 0.2 x (100 deg in rad / (pi/2) ... ) : the integral of the curve,
    # 45 * (u + 0.2 * (2 p / pi) * (1 - cos(pi u / 2 p))) with u = 110 deg, p = 50 deg
    # = 45 * (1.91986 + 0.2 * 0.55556 * (1 + 0.95106)) = 45 * 2.13665 = 96.15 mm
    assert short == pytest.approx(96.15, abs=0.05)
    # the previous fold law gave 2 x 45 x tan(55 deg) = 128.5 mm, above the range
    assert 2 * 45.0 * math.tan(math.radians(55)) > hi


@pytest.mark.parametrize("muscle, d", [("semitendinosus", 65.0), ("semimembranosus", 60.0),
                                       ("biceps_femoris_lh", 60.0)])
def test_hamstring_hip_moment_arm_varies_with_hip_angle(muscle, d):
    """Hip moment arms change with hip angle (largest at moderate flexion, smaller in deep flexion)
    and stay larger than the knee's (Visser et al. 1990; Kellis & Blazevich 2022)."""
    r0, r45, r90, r120 = slope_moment_arm(muscle, "hip_flexion", [H + 1e-3, 45.0, 90.0, 120.0 - H])
    assert r0 == pytest.approx(d, abs=0.05)
    assert r45 == pytest.approx(1.15 * d, abs=0.05)                        # peak, gain 0.15 at 45 deg
    assert r90 == pytest.approx(d, abs=0.05)                               # back to d at twice the peak
    assert r120 == pytest.approx(d * (1 + 0.15 * math.sin(math.radians(240))), abs=0.05)   # 0.870 d at 120 deg
    assert r45 > 1.1 * r0 and r120 < 0.9 * r0
    hip = slope_moment_arm(muscle, "hip_flexion", np.arange(1.0, 120.0, 1.0))
    knee = slope_moment_arm(muscle, "knee_flexion", np.arange(1.0, 140.0, 1.0))
    assert hip.min() > knee.max()


@settings(max_examples=60, deadline=None)
@given(muscle=st.sampled_from(KNEE_CURVES + ("rectus_femoris",)),
       joint=st.sampled_from(("hip_flexion", "knee_flexion")),
       deg=st.floats(min_value=-5.0, max_value=140.0))
def test_length_change_is_the_integral_of_the_moment_arm(muscle, joint, deg):
    """L(angle) - L(0) equals the signed integral of the crossing's moment arm (trapezoid, fine grid)."""
    path = muscle_pathway(muscle)
    crossing = next((c for c in path.crossings if c.joint == joint), None)
    if crossing is None:
        return
    if joint == "hip_flexion":
        deg = min(deg, 120.0)
    grid = np.linspace(0.0, deg, 4001)
    r = crossing.moment_arm(grid)
    integral = float(np.sum(0.5 * (r[1:] + r[:-1]) * np.diff(np.radians(grid))))
    change = ns.muscle_length(ns.Posture(**{joint: deg}), muscle) - ns.muscle_length(ns.Posture(), muscle)
    assert change == pytest.approx(crossing.sign * integral, abs=0.01)


@pytest.mark.parametrize("peak, gain", [(0.0, 0.2), (50.0, 1.0), (50.0, -0.1), (float("nan"), 0.2)])
def test_curve_parameters_are_checked(peak, gain):
    with pytest.raises(ValueError, match="moment-arm curve"):
        MomentArmCurve("knee_flexion", 45.0, side="posterior", peak_deg=peak, gain=gain)


def test_gastrocnemius_ankle_offset_is_the_cited_achilles_moment_arm():
    """Maganaris et al. 2000: 43-56 mm at rest; 20 deg of dorsiflexion wraps 50 mm x 0.349 rad = 17.45 mm."""
    change = ns.muscle_length(ns.Posture(ankle_dorsiflexion=20), "gastrocnemius") - \
        ns.muscle_length(ns.Posture(), "gastrocnemius")
    assert change == pytest.approx(50.0 * math.radians(20), abs=1e-6)
    from neuralsim.core import parameters
    assert 43.0 <= parameters.value("gastrocnemius_ankle") <= 56.0


@pytest.mark.parametrize("muscle", KNEE_CURVES)
@pytest.mark.parametrize("view", ["standing", "sitting", "supine"])
def test_drawn_muscle_has_the_computed_length_at_deep_bends(muscle, view):
    p = ns.Posture(hip_flexion=120, knee_flexion=140, ankle_dorsiflexion=20)
    d = ns.model.drawing(p, view=view)
    drawn = float(np.hypot(*np.diff(d["muscles"][muscle], axis=0).T).sum())
    assert drawn == pytest.approx(ns.muscle_length(p, muscle), abs=0.05)


@pytest.mark.parametrize("muscle, d", [("semitendinosus", 45.0), ("semimembranosus", 30.0),
                                       ("biceps_femoris_lh", 20.0), ("gastrocnemius", 20.0)])
@pytest.mark.parametrize("knee", [10.0, 45.0, 90.0])
def test_drawn_bend_stays_at_the_knee(muscle, d, knee):
    """The drawn vertex is the one near the joint (where the runs' lines meet, d / cos(knee / 2)
    from the knee centre), not the far crossing of the same length on the other side of the chord."""
    p = ns.Posture(hip_flexion=90, knee_flexion=knee)
    dr = ns.model.drawing(p, view="sitting")
    pts = dr["muscles"][muscle]
    nearest = float(np.min(np.hypot(*(pts - dr["joints"]["knee"]).T)))
    corner = d / math.cos(math.radians(knee / 2))
    assert nearest <= 1.5 * corner


# -- anterior crossings, and every drawn path in every view (femoral nerve, prone, side-lying) -----

def test_an_anterior_crossing_is_the_posterior_law_mirrored():
    from neuralsim.model.geometry import Crossing
    post, ant = Crossing("knee_flexion", 20.0), Crossing("knee_flexion", 20.0, side="anterior")
    assert (post.sign, ant.sign) == (-1, +1) and ant.level_x == 20.0 and post.level_x == -20.0
    assert float(ant.delta(90.0)) == pytest.approx(20.0 * math.pi / 2)          # wraps: d x phi
    for a in (-5.0, 30.0, 120.0):
        assert float(ant.delta(a)) == pytest.approx(float(post.delta(-a)))
    with pytest.raises(ValueError, match="does not fit"):
        Crossing("hip_adduction", 10.0, sign=1, side="anterior")
    with pytest.raises(ValueError, match="contradicts"):
        Crossing("hip_flexion", 10.0, sign=1, side="anterior")


joint_angle = {j: st.floats(*ns.joint_range(j, "hypermobile")) for j in ns.JOINTS}


@settings(max_examples=60, deadline=None)
@given(angles=st.fixed_dictionaries(joint_angle), view=st.sampled_from(VIEWS))
def test_every_drawn_path_is_the_computed_one_in_every_view(angles, view):
    body = ns.Body(mobility="hypermobile")
    s = ns.compute(ns.Posture(**angles), body=body, view=view)
    assert polyline_length(s.drawing["nerves"]["femoral"]) == pytest.approx(s.lengths_mm["femoral"], abs=0.05)
    out_of_plane = sum(s.contributions_mm["sciatic"][j] for j in ("hip_adduction", "hip_internal_rotation"))
    drawn = polyline_length(s.drawing["nerves"]["sciatic"]) + out_of_plane
    assert drawn == pytest.approx(s.lengths_mm["sciatic"], abs=0.05)   # the reference is the anatomical position
    for m in s.muscles:
        assert polyline_length(s.drawing["muscles"][m]) == pytest.approx(s.lengths_mm[m], abs=0.05)


def test_prone_and_side_lying_views():
    # prone: lying face down, head to the right; a bent knee lifts the foot off the couch
    d = ns.compute(ns.Posture(knee_flexion=90), view="prone").drawing["joints"]
    # the spine lies level, behind (above) the hip centre by the pelvis's L5/S1 offset
    assert d["c1"][0] > 500 and d["c1"][1] == pytest.approx(ns.DEFAULT_BODY.segment("pelvis_back"))
    assert d["knee"][1] == pytest.approx(0.0, abs=1e-9) and d["ankle"][1] == pytest.approx(ns.DEFAULT_BODY.segment("shank"))
    # hip extension lifts the knee off the couch
    d = ns.compute(ns.Posture(hip_flexion=-15), view="prone").drawing["joints"]
    assert d["knee"][1] == pytest.approx(ns.DEFAULT_BODY.segment("thigh") * math.sin(rad(15)))
    # side-lying is drawn like supine (seen from above), head to the left
    a = ns.compute(ns.Posture(), view="side_lying").drawing["joints"]
    b = ns.compute(ns.Posture(), view="supine").drawing["joints"]
    assert all(np.allclose(a[k], b[k]) for k in a) and a["c1"][0] < 0
    assert set(VIEWS) >= {"standing", "sitting", "supine", "prone", "side_lying"}


