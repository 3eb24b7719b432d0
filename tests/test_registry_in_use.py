"""The active registry reaches every layer: a registry swapped inside ``registry.using(...)`` changes
the lengths, the drawing data, the mechanics, the people's reference values and the stops together
(nothing cached keeps the old one), and a hamstring or a site added from data alone works through
``compute``, the drawing data, ``nerve_mechanics`` and ``movement_limit``, and on to the clinic's
patient mode and the SVG picture.

About several modules (model.registry, model.lengths, state.states, mechanics.nerve, limits.person,
limits.stops, classroom.clinic, classroom.figures, view.svg), so not one module's file.  Expected values are derived by hand from the offsets and
cross-sectional areas of parameters.csv, or are properties (a site declared at a crossing moves as the
crossing's own site does), never copied from the code's output."""
import copy
import json
import math
from importlib import resources

import numpy as np
import pytest

import neuralsim as ns
from neuralsim.core.parameters import value as P
from neuralsim.limits import person as pe
from neuralsim.limits.stops import FELT_KEYS, REGIONS, movement_limit
from neuralsim.mechanics import nerve as me
from neuralsim.model import registry
from neuralsim.model.geometry import polyline_length
from neuralsim.model.lengths import drawing

RAISE = ns.Posture(hip_flexion=60)


def default_data() -> dict:
    return json.loads(resources.files("neuralsim").joinpath("data/structures.json").read_text())


def _nerve_name(data: dict) -> str:
    return next(n for n, s in data["nerves"].items() if s.get("mechanics"))


def doubled_hip(data: dict) -> dict:
    """The mechanics nerve with its hip offset doubled, in data."""
    data = copy.deepcopy(data)
    for piece in data["nerves"][_nerve_name(data)]["path"]:
        if piece.get("cross") == "hip_flexion":
            piece["offset"] = "2 * " + piece["offset"]
    return data


def _outputs(person: ns.Person) -> dict:
    """Every output the swap must reach, for one posture."""
    nerve = registry.current().mechanics_nerve.name
    m = ns.nerve_mechanics(RAISE)
    d = drawing(RAISE)
    stop = movement_limit(ns.Posture(), "hip_flexion", person)
    return {"bed_mm": ns.nerve_bed_length(RAISE) - ns.nerve_bed_length(ns.Posture()),
            "length_mm": ns.nerve_bed_length(RAISE),
            "mech_bed_mm": m.bed_change_mm, "excursion_mm": m.excursion_mm("mid_thigh"),
            "strain_pct": m.strain_pct("hip"), "state_mech_bed_mm": ns.compute(RAISE).mechanics().bed_change_mm,
            "drawn_mm": polyline_length(d["nerves"][nerve]), "rest_pct": pe.resting_strain_pct(),
            "thresholds": tuple(pe.typical_thresholds().values()), "tolerance_pct": pe.typical_tolerance_pct(),
            "stop_deg": stop.angle_deg, "stop_strain_pct": stop.peak_nerve_strain_pct}


def test_a_registry_swapped_inside_using_changes_lengths_mechanics_drawing_people_and_stops():
    # a person with fixed thresholds and tolerance (the default registry's typical ones), so that
    # the stop can move: the nerve, stretched sooner behind a hip of twice the offset, stops it sooner
    fixed = ns.Person(hamstring_tolerance_pct=30.0, nerve_threshold_pct=pe.typical_thresholds())
    wrap = ns.DEFAULT_BODY.offset("nerve_offset_hip") * math.radians(60)   # a wrap of 41 mm x 60 deg
    before = _outputs(fixed)
    assert before["bed_mm"] == pytest.approx(wrap) and before["mech_bed_mm"] == pytest.approx(wrap)
    with registry.using(registry.Registry.from_data(doubled_hip(default_data()))):
        inside = _outputs(fixed)
    after = _outputs(fixed)
    # lengths, mechanics and the state's mechanics all see the doubled offset (42.9 mm -> 85.9 mm)
    for key in ("bed_mm", "mech_bed_mm", "state_mech_bed_mm"):
        assert inside[key] == pytest.approx(2 * wrap), key
    # the drawing data is the same path: in-plane, its drawn length is the bed length (arcs sampled)
    assert inside["length_mm"] > before["length_mm"] + wrap
    for out in (before, inside):
        assert out["drawn_mm"] == pytest.approx(out["length_mm"], abs=0.05)
    # the nerve slides and stretches more; the reference values of people follow; the stop comes sooner
    assert inside["excursion_mm"] != pytest.approx(before["excursion_mm"], abs=0.1)
    assert inside["strain_pct"] > before["strain_pct"] + 0.1
    assert inside["thresholds"] != pytest.approx(before["thresholds"], rel=1e-3)
    assert inside["tolerance_pct"] != pytest.approx(before["tolerance_pct"], rel=1e-3)
    assert inside["stop_deg"] < before["stop_deg"] - 1.0
    # and leaving the block gives back every output exactly (no cache kept the swapped registry's)
    assert after == before


def test_the_mechanics_cache_holds_one_model_per_registry():
    r = registry.Registry.from_data(default_data())
    outside = me.nerve_model()
    with registry.using(r):
        inside = me.nerve_model()
        assert inside is not outside and inside.registry is r and me.nerve_model() is inside
    assert me.nerve_model() is outside
    # the same data gives the same numbers: a new registry changes the key, not the model
    np.testing.assert_array_equal(inside.s_mm, outside.s_mm)


# -- a hamstring from data alone ------------------------------------------------------------

EXTRA_PCSA = 10.0        # cm^2, given as a number in the data


def with_extra_hamstring(pcsa=EXTRA_PCSA) -> dict:
    """A fourth hamstring: the first hamstring's path with a hip offset 10 % larger, declared in data only."""
    data = default_data()
    first = next(n for n, s in data["muscles"].items() if s["group"] == "hamstrings")
    extra = copy.deepcopy(data["muscles"][first])
    extra.update(label="test hamstring", short="TH")
    extra["path"][1]["offset"] = "1.1 * " + extra["path"][1]["offset"]
    if pcsa is None:
        extra.pop("pcsa")
    else:
        extra["pcsa"] = pcsa
    data["muscles"]["test_hamstring"] = extra
    return data


def test_a_hamstring_added_from_data_alone_works_through_compute_drawing_and_movement_limit():
    areas = [P(f"person_pcsa_{m}") for m in ns.HAMSTRINGS] + [EXTRA_PCSA]   # Ward et al.'s three, then ours
    with registry.using(registry.Registry.from_data(with_extra_hamstring())):
        assert list(ns.HAMSTRINGS)[-1] == "test_hamstring" and len(ns.HAMSTRINGS) == 4
        np.testing.assert_allclose(pe.hamstring_weights(), np.array(areas) / sum(areas))
        s = ns.compute(RAISE, view="supine")
        assert "test_hamstring" in s.lengths_mm and "test_hamstring" in s.drawing["muscles"]
        assert polyline_length(s.drawing["muscles"]["test_hamstring"]) == pytest.approx(
            s.lengths_mm["test_hamstring"], abs=0.05)
        assert s.group_mean_mm("hamstrings") == pytest.approx(
            np.mean([s.lengths_mm[m] for m in ns.HAMSTRINGS]))
        for person in (ns.Person(), ns.Person.stack([ns.Person(), ns.Person(hamstring_tolerance_pct=5.0)])):
            stop = movement_limit(ns.Posture(), "hip_flexion", person)
            # the group's stretch at the stop is the area-weighted mean of the four elongations, by hand
            for k, angle in enumerate(np.atleast_1d(stop.angle_deg)):
                # the pelvis turns back 0.29 deg per degree beyond 8 (Bohannon, Gajdosik & LeVeau 1985)
                post = ns.Posture(hip_flexion=angle, pelvic_tilt=0.29 * max(angle - 8.0, 0.0))
                el = [100 * (ns.muscle_length(post, m) / ns.muscle_length(ns.Posture(), m) - 1)
                      for m in ns.HAMSTRINGS]
                want = float(np.dot(el, areas) / sum(areas))
                assert np.atleast_1d(stop.hamstring_stretch_pct)[k] == pytest.approx(want, rel=1e-6)
        # the typical raise is anchored at person_slr_hamstring_stop_deg with four hamstrings too
        assert movement_limit(ns.Posture(), "hip_flexion").angle_deg == pytest.approx(
            P("person_slr_hamstring_stop_deg"), abs=0.01)


def test_a_hamstring_without_an_area_is_refused_by_name_where_the_group_is_weighed():
    with registry.using(registry.Registry.from_data(with_extra_hamstring(pcsa=None))):
        assert ns.muscle_length(RAISE, "test_hamstring") > 0          # lengths need no area
        with pytest.raises(ValueError, match="'test_hamstring'.*pcsa"):
            movement_limit(ns.Posture(), "hip_flexion", ns.Person(hamstring_tolerance_pct=20.0))


# -- a site from data alone -------------------------------------------------------------------

def test_a_site_added_in_data_reaches_the_mechanics_the_site_table_and_the_people():
    data = default_data()
    nerve = data["nerves"][_nerve_name(data)]
    # a second site on the knee's crossing, with a symptom threshold, and one 30 mm above it
    nerve["sites"]["test_knee"] = {"at": "knee_flexion", "felt": ["test region", "test feeling"]}
    nerve["sites"]["test_above_knee"] = {"at": "knee_flexion", "mm": "-mech_entrapment_popliteal_above_knee"}
    post = ns.Posture(hip_flexion=50, ankle_dorsiflexion=10)
    with registry.using(registry.Registry.from_data(data)):
        assert me.SITES[-2:] == ("test_knee", "test_above_knee")
        m = ns.nerve_mechanics(post)
        # a site placed on the knee's crossing is the popliteal site; one placed where the popliteal
        # entrapment holds the nerve has that place
        assert m.excursion_mm("test_knee") == m.excursion_mm("popliteal")
        assert m.strain_pct("test_knee") == m.strain_pct("popliteal")
        assert m.model.site_mm["test_above_knee"] == m.model.entrapment_mm["popliteal"]
        assert pe.SYMPTOM_SITES[-1] == "test_knee" and "test_knee" in FELT_KEYS
        assert REGIONS["test_knee"] == ("test region", "test feeling")
        assert "test_knee" in ns.Person().nerve_threshold_pct
        stop = movement_limit(ns.Posture(), "hip_flexion")
        assert len(stop.intensity) == len(FELT_KEYS) == 2 + len(pe.SYMPTOM_SITES)
    assert "test_knee" not in me.SITES and "test_knee" not in pe.SYMPTOM_SITES


def test_a_state_keeps_the_mechanics_of_the_registry_it_was_computed_in():
    r = registry.Registry.from_data(doubled_hip(default_data()))
    wrap = ns.DEFAULT_BODY.offset("nerve_offset_hip") * math.radians(60)
    with registry.using(r):
        s = ns.compute(RAISE)
    # asked after the block, the state's mechanics is still that of its own registry
    assert s.mechanics().bed_change_mm == pytest.approx(2 * wrap)
    assert ns.compute(RAISE).mechanics().bed_change_mm == pytest.approx(wrap)
    # a registry may be named instead of made active
    assert ns.nerve_mechanics(RAISE, registry=r).bed_change_mm == pytest.approx(2 * wrap)
    with pytest.raises(TypeError, match="registry must be"):
        ns.nerve_mechanics(RAISE, registry=default_data())


def test_the_nerve_used_when_none_is_named_is_the_active_registry_s_first():
    """No nerve name in code: with the femoral listed first, every default follows it.  By hand:
    20 deg of hip extension wraps the femoral bed round its hip offset, offset x 20 x pi/180 mm."""
    data = default_data()
    data["nerves"] = {"femoral": data["nerves"]["femoral"],
                      **{n: s for n, s in data["nerves"].items() if n != "femoral"}}
    extended = ns.Posture(hip_flexion=-20)
    want = P("femoral_offset_hip") * math.radians(20)
    assert ns.nerve_bed_length(extended) - ns.nerve_bed_length(ns.Posture()) != pytest.approx(want, abs=0.5)
    with registry.using(registry.Registry.from_data(data)):
        assert registry.current().default_nerve == "femoral"
        assert ns.nerve_bed_length(extended) - ns.nerve_bed_length(ns.Posture()) == pytest.approx(want, abs=0.01)
        assert ns.compute(extended).relative() == pytest.approx(
            ns.nerve_bed_length(extended, "femoral") / ns.nerve_bed_length(ns.Posture(), "femoral"))
        assert ns.compute(extended, view="supine").drawing["nerve"] is not None
        np.testing.assert_allclose(drawing(extended)["nerve"], drawing(extended)["nerves"]["femoral"])
    assert registry.current().default_nerve == "sciatic"


def test_the_words_for_a_hamstring_stretch_come_from_the_registry():
    """The examination tells the muscle's feel from the nerve's by the registry's words, so other
    words in data still make a short-hamstrings patient 'hamstrings', not 'nerve'."""
    from neuralsim.limits import cases as C
    patient = C.CASES["short hamstrings"]
    assert C.identify(patient) == "hamstrings"
    data = default_data()
    data["groups"]["hamstrings"]["felt"] = ["back of the thigh", "a wide muscle stretch"]
    with registry.using(registry.Registry.from_data(data)):
        f = C.examine(patient)
        assert f["slr"].symptoms[0] == ("back of the thigh", "a wide muscle stretch")
        assert C.identify(patient, f) == "hamstrings"


# -- the front end: the patient mode and the picture follow the registry ------------------------

import xml.etree.ElementTree as ET  # noqa: E402

_SVG = "{http://www.w3.org/2000/svg}"


def _polylines(text: str, cls: str) -> list:
    return [el for el in ET.fromstring(text).iter(_SVG + "polyline") if el.get("class") == cls]


def _points(el) -> np.ndarray:
    return np.array([[float(v) for v in pair.split(",")] for pair in el.get("points").split()])


def test_a_hamstring_added_from_data_alone_shows_in_the_patient_mode_and_the_picture():
    from neuralsim.classroom import clinic, figures
    from neuralsim.limits import cases as C
    from neuralsim.limits.stops import HAMSTRING_FEEL
    patient = C.CASES["short hamstrings"]
    tolerance = float(patient.person.hamstring_tolerance_pct)
    outside = clinic.PatientMode(patient).limit(clinic.PatientMode(patient).start()).angle_deg
    areas = [P(f"person_pcsa_{m}") for m in ns.HAMSTRINGS] + [EXTRA_PCSA]
    with registry.using(registry.Registry.from_data(with_extra_hamstring())):
        mode = clinic.PatientMode(patient)
        start = mode.start()
        stop = mode.limit(start)
        # the stop: where the area-weighted stretch of the four hamstrings reaches the patient's
        # tolerance (by hand from the four lengths); the fourth, 10 % further behind the hip,
        # stretches more, so the leg stops sooner than with three
        assert stop.limited_by == "hamstrings"
        a = float(stop.angle_deg)                # the pelvis turning back 0.29 deg per degree beyond 8
        at = start.replace(hip_flexion=a, pelvic_tilt=start.pelvic_tilt + 0.29 * max(a - 8.0, 0.0))
        el = [100 * (ns.muscle_length(at, m) / ns.muscle_length(ns.Posture(), m) - 1) for m in ns.HAMSTRINGS]
        assert float(np.dot(el, areas) / sum(areas)) == pytest.approx(tolerance, rel=1e-4)
        assert stop.angle_deg < outside - 0.1
        # the explanation held at that stop names the hamstrings' stretch in the registry's words
        p, _note = mode.constrain(start.replace(hip_flexion=120.0), "hip_flexion")
        assert float(p.hip_flexion) == clinic.held_angle(stop.angle_deg, +1) == mode.held(start)
        marks, line = mode.annotate(p, drawing(p, view=mode.view))
        assert f"stops at hip flexion {p.hip_flexion:.0f}°" in line
        assert f"{HAMSTRING_FEEL[1]} ({HAMSTRING_FEEL[0]})" in line and "hamstring stretch" in marks
        # the picture: a path for it, the drawing's own coordinates, labelled and keyed from the registry
        text = figures.posture_svg(p, view=mode.view, strain=None)
        drawn = [el for el in _polylines(text, "neuralsim-hamstring") if el.get("data-muscle") == "test_hamstring"]
        assert len(drawn) == 1
        # (its ends; along the thigh the hamstrings are drawn in lanes apart: tests/test_svg.py)
        want = np.round(drawing(p, view=mode.view)["muscles"]["test_hamstring"] * (1.0, -1.0), 1)
        np.testing.assert_allclose(_points(drawn[0])[[0, -1]], want[[0, -1]], atol=1e-9)
        words = [t.text for t in ET.fromstring(text).iter(_SVG + "text")]
        assert "TH" in words                      # its short label, on the leader's end
        assert "TH: test hamstring" in text       # the key: short label and label
    assert "test_hamstring" not in figures.posture_svg(p, view=mode.view, strain=None)


def _drawn_nerve_mm(posture) -> float:
    from neuralsim.classroom import figures
    (line,) = _polylines(figures.posture_svg(posture, strain=None, labels=False, legend=False), "neuralsim-nerve")
    return polyline_length(_points(line))


def test_a_registry_swapped_inside_using_changes_the_picture():
    # the nerve drawn in the SVG: raising the leg 60 deg wraps it round the hip's offset (41 mm x 60 deg);
    # with the offset doubled in data, twice that (arcs drawn every 3 deg, points every 0.1 mm)
    wrap = ns.DEFAULT_BODY.offset("nerve_offset_hip") * math.radians(60)
    before = _drawn_nerve_mm(RAISE) - _drawn_nerve_mm(ns.Posture())
    with registry.using(registry.Registry.from_data(doubled_hip(default_data()))):
        inside = _drawn_nerve_mm(RAISE) - _drawn_nerve_mm(ns.Posture())
    after = _drawn_nerve_mm(RAISE) - _drawn_nerve_mm(ns.Posture())
    assert before == pytest.approx(wrap, abs=0.3) and after == pytest.approx(wrap, abs=0.3)
    assert inside == pytest.approx(2 * wrap, abs=0.3)
