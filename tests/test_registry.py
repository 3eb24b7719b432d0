"""The registry of structures (neuralsim/registry.py, data/structures.json): a new muscle from data alone,
bad data refused, the law of each crossing chosen by the data, and the femoral nerve with rectus femoris
as the proof that a new structure is data.  Expected values are derived by hand from the offsets in
parameters.csv."""
import json
import math
from importlib import resources

import numpy as np
import pytest

import neuralsim as ns
from neuralsim.state import analysis
from neuralsim.model import protocols, registry
from neuralsim.classroom.cli import format_table
from neuralsim.model.geometry import LAWS, Crossing, MomentArmCurve, polyline_length
from neuralsim.model import muscle_pathway
from neuralsim.core.parameters import value as P
from neuralsim.core.joints import joint_range
from neuralsim.model.registry import Registry, using

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
    st_rows = analysis.step_table("prone_knee_bend")
    assert st_rows[1]["lengths_mm"]["test_vastus"] - st_rows[0]["lengths_mm"]["test_vastus"] == pytest.approx(25 * rad(90))
    assert "TV (mm)" in format_table(st_rows)
    # the group means in the step table follow the registry
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


def test_knee_extension_lengthens_the_saphenous_bed():
    """The saphenous nerve passes the knee behind its flexion axis (with the sartorius and gracilis
    tendons), so flexion folds its bed (2 d tan(phi / 2) shorter) and extension gives it back; beyond
    straight it wraps, d x angle."""
    d = P("saphenous_offset_knee")
    L = lambda **a: ns.nerve_bed_length(ns.Posture(**a), "saphenous")  # noqa: E731
    assert L() - L(knee_flexion=90) == pytest.approx(2 * d * math.tan(rad(45)))      # extending from 90 deg
    assert L(knee_flexion=-5) - L() == pytest.approx(d * rad(5))                      # hyperextension wraps
    knee = np.linspace(*joint_range("knee_flexion"), 50)
    assert np.all(np.diff(ns.nerve_bed_length(ns.Posture(knee_flexion=knee), "saphenous")) < 0)
    # above the knee it is the femoral nerve's bed: the same hip, lumbar and neck effects
    for a in ({"hip_flexion": -20}, {"hip_flexion": 90}, {"cervical_flexion": 40}, {"lumbar_flexion": 30}):
        assert L(**a) - L() == pytest.approx(ns.nerve_bed_length(ns.Posture(**a), "femoral")
                                             - ns.nerve_bed_length(ns.Posture(), "femoral"))
    assert ns.NERVES["saphenous"].roots == "L3-L4" and "extension lengthens" in ns.NERVES["saphenous"].course


def test_the_prone_knee_bend_acts_through_the_femoral_nerve_in_front_of_the_thigh():
    """Each knee step of the prone knee bend lengthens the femoral bed by its anterior knee offset x the
    angle and folds the saphenous bed behind the knee: the test loads the femoral nerve's branches in
    front of the thigh, not its saphenous branch."""
    steps = [s.posture for s in protocols.PRONE_KNEE_BEND]
    d_k, d_s = P("femoral_offset_knee"), P("saphenous_offset_knee")
    for a, z in zip(steps[:2], steps[1:3]):       # the knee bends, nothing else moves
        assert z.hip_flexion == a.hip_flexion and z.knee_flexion > a.knee_flexion
        fem = ns.nerve_bed_length(z, "femoral") - ns.nerve_bed_length(a, "femoral")
        sap = ns.nerve_bed_length(z, "saphenous") - ns.nerve_bed_length(a, "saphenous")
        assert fem == pytest.approx(d_k * rad(z.knee_flexion - a.knee_flexion))
        assert sap == pytest.approx(-2 * d_s * (math.tan(rad(z.knee_flexion / 2)) - math.tan(rad(a.knee_flexion / 2))))
        assert fem > 0 > sap
    assert protocols.ALL["prone_knee_bend"].nerve == "femoral"
    assert "knee flexion lengthens them" in ns.NERVES["femoral"].course


def test_rectus_femoris_follows_hip_and_knee_but_not_the_neck():
    r_h, r_k = P("rectus_femoris_hip"), P("rectus_femoris_knee")
    L = lambda **a: ns.muscle_length(ns.Posture(**a), "rectus_femoris")  # noqa: E731
    assert L(hip_flexion=-20) - L() == pytest.approx(r_h * rad(20))
    assert L(knee_flexion=90) - L() == pytest.approx(r_k * math.pi / 2)
    assert L(cervical_flexion=40, thoracic_flexion=30, lumbar_flexion=30) == L()
    assert ns.MUSCLES["rectus_femoris"].group == "quadriceps"
    assert ns.NERVES["femoral"].contrast == "quadriceps" and ns.NERVES["femoral"].roots == "L2-L4"


def test_the_femoral_bed_is_drawn_in_front_of_the_hip_and_the_sciatic_behind():
    d = ns.compute(ns.Posture(), view="standing").drawing
    fem, sci = d["nerves"]["femoral"], d["nerves"]["sciatic"]
    at_hip = lambda pts: pts[np.argmin(np.abs(pts[:, 1]) + 1e3 * (np.abs(pts[:, 0]) > 100))]  # noqa: E731
    assert at_hip(fem)[0] == pytest.approx(P("femoral_offset_hip"))
    assert at_hip(sci)[0] == pytest.approx(-P("nerve_offset_hip"))


# -- the law of each crossing is chosen by the data ------------------------------------------------

def test_the_law_is_chosen_by_the_data():
    """The same muscle with the knee crossing's law switched to wrap_fold in the data folds again:
    at 90 deg it loses 2 x 45 x tan(45 deg) = 90 mm."""
    import copy
    import json
    from pathlib import Path

    data = json.loads((Path(ns.__file__).parent / "data" / "structures.json").read_text("utf-8"))
    st_path = data["muscles"]["semitendinosus"]["path"]
    knee = next(p for p in st_path if p.get("cross") == "knee_flexion")
    assert knee["law"] == "moment_arm_curve"
    folded = copy.deepcopy(data)
    fk = next(p for p in folded["muscles"]["semitendinosus"]["path"] if p.get("cross") == "knee_flexion")
    for key in ("law", "peak", "gain"):
        fk.pop(key)
    with using(Registry.from_data(folded)):
        loss = ns.muscle_length(ns.Posture(), "semitendinosus") - \
            ns.muscle_length(ns.Posture(knee_flexion=90), "semitendinosus")
        assert isinstance(next(c for c in muscle_pathway("semitendinosus").crossings
                               if c.joint == "knee_flexion"), Crossing)
    assert loss == pytest.approx(90.0, abs=1e-6)
    assert type(next(c for c in muscle_pathway("semitendinosus").crossings
                     if c.joint == "knee_flexion")) is MomentArmCurve
    assert set(LAWS) == {"wrap_fold", "moment_arm_curve"}


@pytest.mark.parametrize("change, message", [
    ({"law": "spiral"}, "unknown law"),
    ({"law": "wrap_fold", "peak": "hamstring_knee_peak_angle"}, "do not belong"),
    ({"law": "moment_arm_curve"}, "needs 'peak'"),
])
def test_bad_laws_in_the_data_are_refused(change, message):
    import json
    from pathlib import Path

    data = json.loads((Path(ns.__file__).parent / "data" / "structures.json").read_text("utf-8"))
    knee = next(p for p in data["muscles"]["semitendinosus"]["path"] if p.get("cross") == "knee_flexion")
    for key in ("law", "peak", "gain"):
        knee.pop(key)
    knee.update(change)
    with pytest.raises(ValueError, match=message):
        reg = Registry.from_data(data)
        reg.pathway("semitendinosus", ns.DEFAULT_BODY)




# -- sites, entrapment places, cross-sectional areas and felt words are data too ----------------

def test_the_mechanics_nerve_declares_its_sites_entrapments_and_the_hamstrings_their_areas():
    reg = registry.current()
    nerve = reg.mechanics_nerve
    assert nerve.mechanics and nerve.name in reg.nerves
    # the mechanics' site list, the people's symptom sites and the entrapment places are all read here
    assert tuple(nerve.sites)[0] == "cervical" and nerve.sites["cervical"].at == "neck"
    assert nerve.symptom_sites == tuple(n for n, s in nerve.sites.items() if s.felt)
    assert all(nerve.entrapments[e].lies_at in nerve.symptom_sites for e in nerve.entrapments)
    # each hamstring's area is its parameters.csv row (Ward et al. 2009)
    for m in reg.group("hamstrings"):
        assert reg[m].pcsa_cm2() == P(reg[m].pcsa) > 0
    assert len(reg.felt["hamstrings"]) == 2


def _with_site(**spec):
    data = default_data()
    nerve = next(s for s in data["nerves"].values() if s.get("mechanics"))
    nerve["sites"]["test_site"] = spec
    return data


@pytest.mark.parametrize("make, match", [
    (lambda: _with_site(at="elbow_flexion"), "'at' 'elbow_flexion' is none of the nerve's joints"),
    (lambda: _with_site(at="hip_flexion", fraction="mech_site_mid_thigh"), "'fraction' needs 'of'"),
    (lambda: _with_site(at="hip_flexion", fraction="mech_site_mid_thigh", of="arm"), "unknown segment 'arm'"),
    (lambda: _with_site(at="hip_flexion", mm="no_such_parameter"), "not a parameter"),
    (lambda: _with_site(at="hip_flexion", mm="mech_site_mid_thigh"), "not mm"),
    (lambda: _with_site(at="hip_flexion", felt=["only a region"]), "'felt' must be"),
    (lambda: _with_site(at="hip_flexion", colour="red"), "expected a mapping with keys"),
])
def test_bad_sites_are_refused_with_a_reason(make, match):
    with pytest.raises(ValueError, match=match):
        Registry.from_data(make())


@pytest.mark.parametrize("pcsa, match", [
    ("no_such_parameter", "not a parameter"), (-3.0, "positive number"), (True, "parameters.csv name or a number"),
])
def test_bad_cross_sectional_areas_are_refused(pcsa, match):
    data = default_data()
    data["muscles"]["semitendinosus"]["pcsa"] = pcsa
    with pytest.raises(ValueError, match=match):
        Registry.from_data(data)


def test_bad_entrapments_and_groups_are_refused():
    data = default_data()
    nerve = next(s for s in data["nerves"].values() if s.get("mechanics"))
    nerve["entrapments"]["test_hold"] = {"at": "knee_flexion", "lies_at": "conus"}   # conus has no felt words
    with pytest.raises(ValueError, match="'lies_at' 'conus'"):
        Registry.from_data(data)
    data = default_data()
    data["groups"]["no_such_group"] = {"felt": ["a", "b"]}
    with pytest.raises(ValueError, match="'no_such_group' must be a muscle group"):
        Registry.from_data(data)
    data = default_data()
    for s in data["nerves"].values():
        s["mechanics"] = False
    with pytest.raises(ValueError, match="no nerve with 'mechanics': true"):
        Registry.from_data(data).mechanics_nerve
