"""The registry of structures (data/structures.json), the joint table, the one computed state
(neuralsim.compute), and the femoral nerve with rectus femoris as the proof that a new
structure is data.  Expected values are derived by hand from the offsets in parameters.csv."""
import dataclasses
import json
import math
from importlib import resources

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import neuralsim as ns
from neuralsim import analysis, protocols, registry
from neuralsim.__main__ import format_table, protocol_table
from neuralsim.geometry import CHAIN, VIEWS, polyline_length
from neuralsim.parameters import value as P

rad = math.radians


def default_data() -> dict:
    return json.loads(resources.files("neuralsim").joinpath("data/structures.json").read_text())


# -- a new muscle from data alone -------------------------------------------------------------

NEW = {
    # a one-joint quadriceps head: in front of the knee, 25 mm, 150 mm of thigh and 60 mm of shank
    "test_vastus": {"label": "test vastus", "short": "TV", "group": "quadriceps", "path": [
        {"start": "thigh", "along": "150"},
        {"cross": "knee_flexion", "side": "anterior", "offset": "25"},
        {"end": "shank", "along": "-60"}]},
    # a one-joint knee flexor declared a hamstring: it must join HAMSTRINGS through its group
    "test_short_head": {"label": "test short head", "short": "TSH", "group": "hamstrings", "path": [
        {"start": "thigh", "along": "100"},
        {"cross": "knee_flexion", "side": "posterior", "offset": "20"},
        {"end": "shank", "along": "-80"}]},
}


@pytest.fixture
def bigger_registry(tmp_path):
    data = default_data()
    data["muscles"].update(NEW)
    f = tmp_path / "structures.json"
    f.write_text(json.dumps(data))
    with registry.using(registry.Registry.load(f)) as reg:
        yield reg


def test_a_new_muscle_from_data_alone_gets_length_contributions_drawing_and_columns(bigger_registry):
    assert "test_vastus" in ns.MUSCLES and ns.MUSCLES["test_vastus"].group == "quadriceps"
    assert list(ns.HAMSTRINGS) == ["semimembranosus", "semitendinosus", "biceps_femoris_lh", "test_short_head"]
    # length: 150 + 60 mm of runs, plus 25 mm x the knee angle (anterior: flexion wraps)
    assert ns.muscle_length(ns.Posture(), "test_vastus") == pytest.approx(210.0, abs=1e-9)
    knee = np.array([0.0, 45.0, 90.0])
    assert ns.muscle_length(ns.Posture(knee_flexion=knee), "test_vastus") == pytest.approx(210 + 25 * np.radians(knee))
    # hyperextension folds it: 2 x 25 x tan(2.5 deg) shorter
    assert ns.muscle_length(ns.Posture(knee_flexion=-5), "test_vastus") == pytest.approx(210 - 50 * math.tan(rad(2.5)))
    # posterior one-joint flexor: 180 mm, folds with flexion
    assert ns.muscle_length(ns.Posture(knee_flexion=90), "test_short_head") == pytest.approx(180 - 40 * math.tan(rad(45)))
    # contributions, from the state
    s = ns.compute(ns.Posture(hip_flexion=30, knee_flexion=90), view="standing")
    c = s.contributions_mm["test_vastus"]
    assert c["knee_flexion"] == pytest.approx(25 * math.pi / 2) and c["hip_flexion"] == 0.0
    assert sum(c.values()) == pytest.approx(s.change_mm("test_vastus"))
    # drawing: the polyline is the computed path (arcs sampled every 3 deg)
    pts = s.drawing["muscles"]["test_vastus"]
    assert polyline_length(pts) == pytest.approx(s.lengths_mm["test_vastus"], abs=0.05)
    # table columns: joint effects, its text table, the command-line protocol table
    rows = {r["joint"]: r for r in analysis.joint_effects(step_deg=10)}
    assert rows["knee_flexion"]["test_vastus_mm"] == pytest.approx(25 * rad(10))
    assert rows["hip_flexion"]["test_vastus_mm"] == 0.0
    assert "TV" in analysis.format_joint_effects(list(rows.values()))
    cli = protocol_table("prone_knee_bend")
    assert cli[1]["test_vastus"] - cli[0]["test_vastus"] == pytest.approx(25 * rad(90))
    assert "TV (mm)" in format_table(cli)
    # the group means in the step table follow the registry
    st_rows = analysis.step_table("prone_knee_bend")
    want = np.mean([ns.muscle_length(protocols.PRONE_KNEE_BEND[1].posture, m)
                    for m in ("rectus_femoris", "test_vastus")])
    assert st_rows[1]["quadriceps_mm"] == pytest.approx(want)


def test_the_temporary_registry_ends_with_its_block(bigger_registry):
    assert "test_vastus" in ns.MUSCLES
    registry._active.remove(bigger_registry)      # what leaving the block does
    try:
        assert "test_vastus" not in ns.MUSCLES and len(ns.HAMSTRINGS) == 3
        with pytest.raises(ValueError, match="unknown muscle 'test_vastus'"):
            ns.muscle_length(ns.Posture(), "test_vastus")
    finally:
        registry._active.append(bigger_registry)


@pytest.mark.parametrize("change, match", [
    (lambda m: m["path"][1].update(cross="elbow_flexion"), "unknown joint 'elbow_flexion'"),
    (lambda m: m["path"][1].update(side="lateral"), "unknown side 'lateral'"),
    (lambda m: m["path"][1].update(offset="no_such_parameter"), "neither a segment"),
    (lambda m: m["path"][1].update(offset="__import__('os')"), "neither a segment"),
    (lambda m: m["path"][1].update(cross="hip_adduction"), "crossing the drawing plane|at least one joint"),
    (lambda m: m["path"].insert(2, {"cross": "cervical_flexion", "offset": "10"}), "do not share a segment"),
    (lambda m: m.pop("group"), "needs a 'group'"),
    (lambda m: m["path"][1].update(side="posterior", offset="300"), "fold"),
])
def test_bad_registry_data_is_refused_with_a_reason(change, match):
    data = default_data()
    muscle = json.loads(json.dumps(NEW["test_vastus"]))
    change(muscle)
    data["muscles"]["test_vastus"] = muscle
    with pytest.raises(ValueError, match=match):
        reg = registry.Registry.from_data(data)
        reg.pathway("test_vastus", ns.DEFAULT_BODY)


# -- the femoral nerve and rectus femoris, by hand from the offsets ----------------------------

def test_femoral_bed_lengthens_with_hip_extension_knee_flexion_and_neck_flexion():
    base = ns.nerve_bed_length(ns.Posture(), "femoral")
    d_h, d_k, d_c = P("femoral_offset_hip"), P("femoral_offset_knee"), P("nerve_offset_cervical")
    assert ns.nerve_bed_length(ns.Posture(hip_flexion=-20), "femoral") - base == pytest.approx(d_h * rad(20))
    assert ns.nerve_bed_length(ns.Posture(knee_flexion=90), "femoral") - base == pytest.approx(d_k * math.pi / 2)
    assert ns.nerve_bed_length(ns.Posture(cervical_flexion=40), "femoral") - base == pytest.approx(d_c * rad(40))
    # in front of the hip, flexion folds it: 2 d tan(phi / 2) shorter
    assert ns.nerve_bed_length(ns.Posture(hip_flexion=90), "femoral") - base == pytest.approx(-2 * d_h * math.tan(rad(45)))
    # the sciatic bed, behind the hip, does the opposite
    s0 = ns.nerve_bed_length(ns.Posture())
    assert ns.nerve_bed_length(ns.Posture(hip_flexion=-20)) - s0 == pytest.approx(-2 * P("nerve_offset_hip") * math.tan(rad(10)))
    # the ankle, hip adduction and rotation are not on the femoral bed
    c = ns.bed_contributions(ns.Posture(ankle_dorsiflexion=15, hip_adduction=15, hip_internal_rotation=20), nerve="femoral")
    assert all(v == 0.0 for v in c.values())


def test_rectus_femoris_follows_hip_and_knee_but_not_the_neck():
    r_h, r_k = P("rectus_femoris_hip"), P("rectus_femoris_knee")
    L = lambda **a: ns.muscle_length(ns.Posture(**a), "rectus_femoris")  # noqa: E731
    assert L(hip_flexion=-20) - L() == pytest.approx(r_h * rad(20))
    assert L(knee_flexion=90) - L() == pytest.approx(r_k * math.pi / 2)
    assert L(cervical_flexion=40, thoracic_flexion=30, lumbar_flexion=30) == L()
    assert ns.MUSCLES["rectus_femoris"].group == "quadriceps"
    assert ns.NERVES["femoral"].contrast == "quadriceps" and ns.NERVES["femoral"].roots == "L2-L4"


def test_prone_knee_bend_and_slump_knee_bend_step_by_step():
    d_h, d_k, d_c = P("femoral_offset_hip"), P("femoral_offset_knee"), P("nerve_offset_cervical")
    rows = analysis.step_table("prone_knee_bend")
    assert rows[0]["nerve"] == "femoral" and rows[0]["group"] == "quadriceps"
    assert [r["change_mm"] for r in rows] == pytest.approx([0.0, d_k * rad(90), d_k * rad(30), d_h * rad(15)])
    assert [r["quadriceps_change_mm"] for r in rows] == pytest.approx(
        [0.0, P("rectus_femoris_knee") * rad(90), P("rectus_femoris_knee") * rad(30), P("rectus_femoris_hip") * rad(15)])
    rows = analysis.step_table("slump_knee_bend")
    # neck release: the bed shortens by d_c x 40 deg; no muscle of any group moves
    assert rows[-1]["change_mm"] == pytest.approx(-d_c * rad(40))
    assert all(rows[-1][f"{g}_change_mm"] == 0.0 for g in ("hamstrings", "calf", "quadriceps"))
    diff = analysis.neck_differentiation(protocols.SLUMP_KNEE_BEND[2].posture, 40, 0, nerve="femoral")
    assert diff["nerve_mm"] == pytest.approx(-d_c * rad(40)) and diff["rectus_femoris_mm"] == 0.0
    assert protocols.get("prone_knee_bend").view == "prone"
    assert protocols.get("slump_knee_bend").view == "side_lying"


def test_femoral_mechanics_is_refused_clearly():
    s = ns.compute(ns.Posture(knee_flexion=90))
    with pytest.raises(ValueError, match="not modelled for the femoral nerve"):
        s.mechanics("femoral")
    assert s.mechanics("sciatic").peak_strain_pct == ns.nerve_mechanics(ns.Posture(knee_flexion=90)).peak_strain_pct


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


def test_the_femoral_bed_is_drawn_in_front_of_the_hip_and_the_sciatic_behind():
    d = ns.compute(ns.Posture(), view="standing").drawing
    fem, sci = d["nerves"]["femoral"], d["nerves"]["sciatic"]
    at_hip = lambda pts: pts[np.argmin(np.abs(pts[:, 1]) + 1e3 * (np.abs(pts[:, 0]) > 100))]  # noqa: E731
    assert at_hip(fem)[0] == pytest.approx(P("femoral_offset_hip"))
    assert at_hip(sci)[0] == pytest.approx(-P("nerve_offset_hip"))


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


# -- the one computed state ------------------------------------------------------------------------

def test_state_agrees_with_every_function_and_is_read_only():
    p = ns.Posture(hip_flexion=[0.0, 60.0], knee_flexion=[[30.0], [0.0]], cervical_flexion=20)
    ref = ns.Posture(knee_flexion=90)
    s = ns.compute(p, reference=ref)
    assert s.shape == (2, 2) and s.drawing is None
    for n in ns.NERVES:
        assert np.array_equal(s.lengths_mm[n], ns.nerve_bed_length(p, n))
        assert np.array_equal(s.relative(n), ns.relative_bed_length(p, ref, nerve=n))
        c = ns.bed_contributions(p, ref, nerve=n)
        assert all(np.array_equal(s.contributions_mm[n][j], c[j]) for j in ns.JOINTS)
        assert np.allclose(sum(c.values()), s.change_mm(n))
    for m in ns.MUSCLES:
        assert np.array_equal(s.lengths_mm[m], ns.muscle_length(p, m))
        assert np.shape(s.contributions_mm[m]["ankle_dorsiflexion"]) == (2, 2)
    assert np.allclose(s.group_mean_mm("hamstrings"), np.mean([ns.muscle_length(p, m) for m in ns.HAMSTRINGS], axis=0))
    with pytest.raises(TypeError):
        s.lengths_mm["sciatic"] = 0.0
    with pytest.raises(dataclasses.FrozenInstanceError):
        s.view = "prone"
    with pytest.raises(ValueError, match="single posture"):
        ns.compute(p, view="sitting")
    with pytest.raises(ValueError, match="unknown nerve 'ulnar'"):
        s.relative("ulnar")
    with pytest.raises(ValueError, match="unknown muscle group"):
        s.group_mean_mm("rotator cuff")


def test_state_validates_once_and_refuses_bad_angles():
    with pytest.raises(ValueError, match="knee_flexion"):
        ns.compute({"knee_flexion": 200})
    with pytest.raises(ValueError, match="knee_flexion"):
        ns.compute(ns.Posture(knee_flexion=140), body=ns.Body(mobility="hypomobile"))


def test_body_is_keyword_only_with_a_clear_message():
    with pytest.raises(TypeError, match="body is keyword-only"):
        ns.nerve_bed_length(ns.Posture(), ns.DEFAULT_BODY)
    with pytest.raises(TypeError):
        ns.muscle_length(ns.Posture(), "semitendinosus", ns.DEFAULT_BODY)
    assert ns.nerve_bed_length(ns.Posture(), body=ns.Body(2.0)) == pytest.approx(
        ns.nerve_bed_length(ns.Posture()) * 2.0 / 1.75)


# -- the joint table -----------------------------------------------------------------------------

def test_the_joint_table_is_the_one_source():
    from neuralsim import joints, svg, widgets
    assert ns.JOINTS == tuple(joints.TABLE)
    assert tuple(f.name for f in dataclasses.fields(ns.Posture) if f.init) == ns.JOINTS
    assert svg.JOINT_LABELS is joints.LABELS and widgets.ACTION_WORDS is joints.ACTION_WORDS
    assert joints.DESCRIPTIONS["knee_flexion"] == "knee: 0 = straight, + bent (flexion), - hyperextended"
    assert joints.TABLE["hip_flexion"].range() == ns.joint_range("hip_flexion")
    assert {j for _p, j, _k, _a in CHAIN.values()} == {j.name for j in joints.TABLE.values() if j.in_plane}
    assert not joints.TABLE["hip_adduction"].in_plane


def test_an_anterior_crossing_is_the_posterior_law_mirrored():
    from neuralsim.geometry import Crossing
    post, ant = Crossing("knee_flexion", 20.0), Crossing("knee_flexion", 20.0, side="anterior")
    assert (post.sign, ant.sign) == (-1, +1) and ant.level_x == 20.0 and post.level_x == -20.0
    assert float(ant.delta(90.0)) == pytest.approx(20.0 * math.pi / 2)          # wraps: d x phi
    for a in (-5.0, 30.0, 120.0):
        assert float(ant.delta(a)) == pytest.approx(float(post.delta(-a)))
    with pytest.raises(ValueError, match="does not fit"):
        Crossing("hip_adduction", 10.0, sign=1, side="anterior")
    with pytest.raises(ValueError, match="contradicts"):
        Crossing("hip_flexion", 10.0, sign=1, side="anterior")
