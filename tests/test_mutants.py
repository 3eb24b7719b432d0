"""Tests written for mutants that survived their module's own tests (tests/mutation/run.py, the sample and
its score in tests/README.md, "Mutation testing").

Each test names the module it is about; it asserts a value derived by hand, a published range or a
property, never a number read back from the code. They live in one file because the module files are
edited in parallel; ``tests/mutation/run.py`` runs this file beside every module's own.
"""
import math

import numpy as np
import pytest

import neuralsim as ns
from neuralsim.core import errors as E
from neuralsim.core.body import Body


# -- core/errors.py: the messages of the input contract -------------------------------------------------


def test_a_huge_negative_integer_is_shown_with_its_sign():
    # 10**20 does not fit a float's %g without rounding, so it is written by hand: -1.000e+20
    err = E.OutOfRangeError("body height", -(10**20), 1.4, 2.1, "m")
    assert str(err).startswith("body height: -1.000e+20 m ")
    # 21 digits: the first, then the next three, exponent 20 (cut, not rounded)
    assert str(E.OutOfRangeError("x", -12345 * 10**16, 0, 1, "mm")).startswith("x: -1.234e+20 mm ")
    assert str(E.OutOfRangeError("x", 12345 * 10**16, 0, 1, "mm")).startswith("x: 1.234e+20 mm ")


def test_a_long_value_is_cut_to_sixty_characters_in_a_type_error():
    # repr of a 59-letter string is 61 characters: one too many, so it is cut to 57 + "..."
    text = "a" * 59
    with pytest.raises(TypeError) as err:
        E.as_numbers("hip_flexion", text, 0, 90, "deg")
    shown = str(err.value).split(": ", 1)[1].split(" is not a number")[0]
    assert shown == repr(text)[:57] + "..." and len(shown) == 60
    # 58 letters: 60 characters, shown whole
    with pytest.raises(TypeError) as err:
        E.as_numbers("hip_flexion", "a" * 58, 0, 90, "deg")
    assert repr("a" * 58) in str(err.value)


def test_an_array_of_text_is_named_by_its_first_element():
    with pytest.raises(TypeError) as err:
        E.as_numbers("knee_flexion", np.array(["ab", "cd"]), -5, 140, "deg")
    assert str(err.value).startswith("knee_flexion: 'ab' is not a number")


def test_default_reason_and_too_large_reason_are_said():
    with pytest.raises(E.OutOfRangeError) as err:
        E.as_numbers("knee_flexion", 150.0, -5, 140, "deg")
    assert str(err.value) == "knee_flexion: 150 deg is outside the allowed range -5 to 140 deg"
    with pytest.raises(E.OutOfRangeError) as err:
        E.as_numbers("knee_flexion", [10**400], -5, 140, "deg")
    assert "is too large for the allowed range -5 to 140 deg" in str(err.value)
    assert str(err.value).startswith("knee_flexion: 1.000e+400 deg")


# -- core/body.py ---------------------------------------------------------------------------------------


def test_an_unknown_segment_is_named_with_the_choices():
    with pytest.raises(ValueError) as err:
        Body().segment("tail")
    msg = str(err.value)
    assert "'tail'" in msg and "thigh" in msg and "shank" in msg and "foot" in msg


def test_errors_survive_pickling_with_their_attributes():
    # the explorer's kernel and multiprocessing send errors through pickle
    import pickle
    err = pickle.loads(pickle.dumps(E.OutOfRangeError("knee_flexion", 150.0, -5, 140, "deg", "(typical range)")))
    assert type(err) is E.OutOfRangeError
    assert (err.joint, err.value, err.range, err.unit, err.extra) == ("knee_flexion", 150.0, (-5.0, 140.0), "deg",
                                                                     "(typical range)")
    name = pickle.loads(pickle.dumps(E.UnknownNameError("protocol", "slumpp", ["slump", "slr"])))
    assert type(name) is E.UnknownNameError and (name.kind, name.name, name.choices) == (
        "protocol", "slumpp", ("slump", "slr"))


# -- core/joints.py -------------------------------------------------------------------------------------


def test_the_spine_joints_carry_their_segment_above_them():
    # the neck, upper and low back bend segments that lie above the joint; hip, knee, ankle below
    from neuralsim.core.joints import TABLE
    above = {name for name, j in TABLE.items() if j.child_above is True}
    assert above == {"cervical_flexion", "thoracic_flexion", "lumbar_flexion"}
    assert all(j.child_above is False for name, j in TABLE.items() if name not in above)


def test_every_joint_has_its_plain_words_one_by_one():
    # joints.csv lists the words separated by ';' ("neck;cervical;..."): each is a word of its own
    from neuralsim.core.joints import WORDS
    assert {"neck", "cervical spine"} <= set(WORDS["cervical_flexion"])
    assert {"low back", "lumbar spine"} <= set(WORDS["lumbar_flexion"])
    assert all(";" not in w and w == w.strip() and w for words in WORDS.values() for w in words)


# -- core/parameters.py ---------------------------------------------------------------------------------


def test_the_parameter_table_has_every_column_of_the_file():
    from neuralsim.core import parameters as P
    rows = P.table()
    assert len(rows) == len(P.PARAMETERS)
    assert all(set(r) == {"name", "value", "unit", "status", "source", "note"} for r in rows)
    hip = next(r for r in rows if r["name"] == "range_hip_flexion_max")
    assert (hip["value"], hip["unit"]) == (120.0, "deg")     # normative hip flexion, 120 deg
    assert hip["note"] == "" and next(r for r in rows if r["name"] == "range_hip_flexion_min")["note"]


# -- core/posture.py ------------------------------------------------------------------------------------


def test_angle_array_checks_against_the_typical_range_unless_told():
    from neuralsim.core.posture import angle_array
    # 145 deg of knee flexion: past the typical 140, inside the hypermobile 150
    p = ns.Posture(knee_flexion=145.0, hip_flexion=30.0)
    with pytest.raises(ns.OutOfRangeError) as err:
        angle_array(p)
    assert err.value.range == (-5.0, 140.0)
    a = angle_array(p, "hypermobile")
    assert float(a["knee_flexion"]) == 145.0 and float(a["hip_flexion"]) == 30.0 and float(a["ankle_dorsiflexion"]) == 0
    arr = angle_array(ns.Posture(hip_flexion=[10.0, 20.0, 30.0]))
    assert all(v.shape == (3,) for v in arr.values())
    assert arr["hip_flexion"].tolist() == [10.0, 20.0, 30.0] and arr["knee_flexion"].tolist() == [0.0, 0.0, 0.0]


def test_angle_arrays_of_a_posture_and_its_reference():
    from neuralsim.core.posture import angle_arrays, broadcast_shape
    now, ref = angle_arrays(ns.Posture(hip_flexion=40.0), ns.Posture())
    assert float(now["hip_flexion"]) == 40.0 and float(ref["hip_flexion"]) == 0.0
    assert not any(a.flags.writeable for a in (*now.values(), *ref.values()))
    now, ref = angle_arrays(ns.Posture(hip_flexion=[0.0, 45.0]), {"knee_flexion": 20.0})
    assert now["hip_flexion"].tolist() == [0.0, 45.0] and ref["knee_flexion"].tolist() == [20.0, 20.0]
    assert broadcast_shape(ns.Posture(), ns.Posture(knee_flexion=[1.0, 2.0, 3.0])) == (3,)
    assert broadcast_shape(ns.Posture(knee_flexion=[1.0, 2.0, 3.0]), ns.Posture()) == (3,)
    with pytest.raises(ValueError, match=r"shape \(2,\).*shape \(3,\)"):
        broadcast_shape(ns.Posture(knee_flexion=[1.0, 2.0]), ns.Posture(knee_flexion=[1.0, 2.0, 3.0]))


def test_an_array_posture_iterates_over_its_first_axis():
    p = ns.Posture.from_array(np.arange(2 * 3 * 8, dtype=float).reshape(2, 3, 8) % 20)
    rows = list(p)
    assert len(rows) == 2 and all(r.shape == (3,) for r in rows)
    assert rows[1].hip_flexion.tolist() == (np.arange(48.0).reshape(2, 3, 8)[1, :, 3] % 20).tolist()
    with pytest.raises(TypeError):
        iter(ns.Posture())


def test_a_posture_shows_the_angles_that_are_not_zero():
    assert repr(ns.Posture()) == "Posture()"
    assert repr(ns.Posture(hip_flexion=30.0, knee_flexion=-2.5)) == "Posture(hip_flexion=30, knee_flexion=-2.5)"
    assert repr(ns.Posture(hip_flexion=[1.0, 2.0])) == "Posture(shape=(2,))"


# -- limits/cases.py ------------------------------------------------------------------------------------


def test_a_class_is_at_most_a_hundred_thousand_patients():
    from neuralsim.limits import cases
    with pytest.raises(ValueError, match="100000"):
        cases.class_set(0, 100_001)
    with pytest.raises(ValueError):
        cases.class_set(0, 0)


def test_a_generated_class_has_adult_heights_and_thresholds_around_the_typical():
    from neuralsim.limits import cases
    people = cases.class_set(7, 400)
    heights = np.array([p.person.height_m for p in people])
    # drawn around 1.72 m with an SD of 0.09 m (adult stature), clipped to 1.5-2.0 m
    assert abs(heights.mean() - 1.72) < 0.02 and 0.07 < heights.std() < 0.11
    assert np.mean((heights == 1.5) | (heights == 2.0)) < 0.02
    # short-hamstring patients keep a nerve like anyone's: every threshold a factor around 1 (log-SD 0.12)
    # of the typical, drawn per patient
    typical = ns.Person().nerve_threshold_pct
    factors = np.array([p.person.nerve_threshold_pct["lumbar_roots"] / typical["lumbar_roots"]
                        for p in people if p.answer == "hamstrings"])
    assert len(factors) > 40
    assert 0.9 < np.median(factors) < 1.1 and 0.08 < np.log(factors).std() < 0.16


# -- the second round: survivors of the whole sample (seed 21) over today's main ------------------------


def test_a_masked_array_error_ends_at_the_range_when_nothing_is_added():
    with pytest.raises(TypeError) as err:
        E.as_numbers("knee_flexion", np.ma.masked_array([1.0, 2.0], mask=[0, 1]), -5, 140, "deg")
    assert str(err.value) == ("knee_flexion: a masked array is not taken (drop or fill its masked entries); "
                              "give real numbers in deg, allowed range -5 to 140 deg")


def test_one_number_in_a_sequence_that_is_not_a_list_is_that_number():
    import array
    # array.array and range are neither lists nor numpy arrays: one element is the one number asked for
    assert E.as_number("hip_flexion", array.array("d", [2.5]), 0, 90, "deg") == 2.5
    assert E.as_number("hip_flexion", range(7, 8), 0, 90, "deg") == 7.0


def test_a_not_finite_number_is_said_to_be_not_finite():
    with pytest.raises(E.OutOfRangeError) as err:
        E.as_numbers("knee_flexion", [0.0, math.nan], -5, 140, "deg")
    assert str(err.value) == "knee_flexion: nan deg is not a finite number; allowed range -5 to 140 deg"


def test_too_large_a_call_is_told_to_split_the_work():
    with pytest.raises(ValueError) as err:
        E.check_size("postures", 2_000_000, 1_000_000, "postures")
    assert str(err.value) == ("postures: 2,000,000 postures is more than the limit of 1,000,000 postures one call "
                              "takes; split the work into smaller calls")
    assert E.check_size("postures", 1_000_000, 1_000_000, "postures") == 1_000_000


def _joint_table(monkeypatch, text):
    from neuralsim.core import joints
    monkeypatch.setattr(joints, "read_text", lambda name: text)
    return joints._load_table()


def test_a_joint_defined_twice_in_the_table_is_named(monkeypatch):
    from neuralsim.core.data import read_text
    text = read_text("joints.csv")
    knee = next(line for line in text.splitlines() if line.startswith("knee_flexion,"))
    with pytest.raises(ValueError) as err:
        _joint_table(monkeypatch, text.rstrip("\n") + "\n" + knee + "\n")
    assert str(err.value) == "joint 'knee_flexion' is defined twice in joints.csv"


def test_a_joint_table_without_words_gives_each_joint_its_label_only(monkeypatch):
    from neuralsim.core.data import read_text
    rows = read_text("joints.csv").splitlines()
    cut = rows[0].split(",").index("words")
    text = "\n".join(",".join(r.split(",")[:cut]) for r in rows) + "\n"
    table = _joint_table(monkeypatch, text)
    assert table["knee_flexion"].words == () and table["knee_flexion"].label == "knee flexion"


def test_the_out_of_plane_joints_turn_no_segment_in_the_drawing():
    from neuralsim.core.joints import TABLE
    # hip adduction and rotation have no child segment in the sagittal drawing: no turn of it either
    for j in ("hip_adduction", "hip_internal_rotation"):
        assert not TABLE[j].in_plane and TABLE[j].turn == 0
    # the in-plane ones turn their child one way or the other
    assert {TABLE[j].turn for j in TABLE if TABLE[j].in_plane} == {-1, 1}


def test_a_joint_name_that_is_not_text_lists_the_joints():
    from neuralsim.core.joints import check_joint
    with pytest.raises(TypeError) as err:
        check_joint(3)
    assert "the joints are cervical_flexion, thoracic_flexion, lumbar_flexion, hip_flexion," in str(err.value)
    assert str(err.value).endswith("knee_flexion, ankle_dorsiflexion (angles in deg)")


def test_a_single_posture_has_no_length_and_says_so():
    with pytest.raises(TypeError) as err:
        len(ns.Posture())
    assert str(err.value) == "a single posture has no length"


def test_a_postures_angles_are_its_joints_in_order():
    angles = ns.Posture(knee_flexion=30.0, hip_flexion=-10.0).angles()
    assert list(angles) == ["cervical_flexion", "thoracic_flexion", "lumbar_flexion", "hip_flexion",
                            "hip_adduction", "hip_internal_rotation", "knee_flexion", "ankle_dorsiflexion"]
    assert angles["knee_flexion"] == 30.0 and angles["hip_flexion"] == -10.0 and angles["ankle_dorsiflexion"] == 0.0


def test_every_case_is_labelled_with_its_own_name():
    from neuralsim.limits import cases
    for name, patient in cases.CASES.items():
        assert patient.label == name


def test_the_hypermobile_case_has_a_more_tolerant_nerve_and_longer_hamstrings_than_typical():
    from neuralsim.limits import cases
    from neuralsim.limits.person import typical_tolerance_pct
    p = cases.CASES["neither, hypermobile"].person
    typical = ns.Person().nerve_threshold_pct
    assert all(p.nerve_threshold_pct[s] > typical[s] for s in typical)
    assert 1.2 * typical_tolerance_pct() < p.hamstring_tolerance_pct < 2.0 * typical_tolerance_pct()


# -- limits/person.py and stops.py ----------------------------------------------------------------------


def test_stacking_no_people_is_refused_in_words():
    with pytest.raises(ValueError) as err:
        ns.Person.stack([])
    assert str(err.value) == "stack needs at least one person"


def test_a_replaced_person_has_the_new_value():
    p = ns.Person().replace(height_m=1.9, sensitised=True)
    assert p.height_m == 1.9 and p.sensitised is True and ns.Person().sensitised is False


def test_a_bad_joint_limit_names_the_joint_and_its_end():
    with pytest.raises(TypeError) as err:
        ns.Person(joint_limits={"hip_flexion": ("a", 90.0)})
    assert str(err.value).startswith("hip_flexion limit min: 'a' is not a number")


def test_the_mobility_of_stacked_people_is_text_per_person():
    people = ns.Person.stack([ns.Person(), ns.Person(mobility="hypermobile")])
    assert people.mobility.dtype == object and list(people.mobility) == ["typical", "hypermobile"]
    assert people[1].mobility == "hypermobile"


def test_one_slr_stop_is_described_and_a_single_differentiation_is_a_plain_bool():
    from neuralsim.limits import stops
    lim = stops.movement_limit(ns.Posture(), "hip_flexion")
    text = lim.describe()
    assert text.startswith(f"stops at hip flexion {lim.angle_deg:.0f} deg, limited by the ")
    # the slump's neck release with a sensitised nerve: the stop moves by several degrees
    d = stops.differentiate(ns.Posture(), "hip_flexion", "ankle_dorsiflexion", [-20.0, 20.0],
                            ns.Person(sensitised=True))
    assert d.nerve_involved() is True
    assert d.nerve_involved(min_change_deg=0.0) is True
    assert d.nerve_involved(min_change_deg=1000.0) is False


# -- model/registry.py: data refused in words, defaults of a structure --------------------------------------


def _data():
    import json
    from neuralsim.core.data import read_text
    return json.loads(read_text("structures.json"))


def test_registry_data_that_is_not_a_mapping_is_named_by_its_type():
    from neuralsim.model.registry import Registry
    with pytest.raises(ValueError) as err:
        Registry.from_data([1, 2])
    assert str(err.value) == "registry data must be a mapping, got list"


def test_a_group_whose_felt_words_are_one_text_is_refused_in_full_words():
    from neuralsim.model.registry import Registry
    data = _data()
    data["groups"]["hamstrings"]["felt"] = "ab"      # two letters: a text, not [region, sensation]
    with pytest.raises(ValueError) as err:
        Registry.from_data(data)
    assert str(err.value) == ("registry data: group 'hamstrings' must be a muscle group of the registry "
                              "with 'felt': [region, sensation] in words")


def test_a_registry_keeps_the_name_of_its_source():
    from neuralsim.model.registry import Registry
    assert Registry.from_data(_data(), "my structures").source == "my structures"


def test_a_muscle_without_an_area_says_what_to_declare():
    from neuralsim.model.registry import Registry
    reg = Registry.from_data(_data())
    with pytest.raises(ValueError) as err:
        reg["sciatic"].pcsa_cm2()   # a nerve has no muscle area
    assert str(err.value) == ("nerve 'sciatic' declares no 'pcsa' (physiological cross-sectional area, cm^2: "
                                   "a parameters.csv name or a number) in the registry")


def test_a_lookup_of_one_kind_refuses_the_other_kind():
    from neuralsim.model.registry import Registry
    reg = Registry.from_data(_data())
    assert reg.check("semitendinosus", "muscle").name == "semitendinosus"
    with pytest.raises(ValueError) as err:
        reg.check("semitendinosus", "nerve")
    assert str(err.value) == "unknown nerve 'semitendinosus': choose one of sciatic, femoral, saphenous"
    with pytest.raises(ValueError) as err:
        reg.check("tibial")
    assert str(err.value).startswith("unknown structure 'tibial': choose one of sciatic, femoral, saphenous, ")


def test_a_structures_defaults_are_its_name_no_contrast_and_the_nerve_group():
    from neuralsim.model.registry import Registry
    data = _data()
    del data["muscles"]["gastrocnemius"]["short"]
    reg = Registry.from_data(data)
    assert reg["gastrocnemius"].short == "gastrocnemius"
    # the data give no muscle a contrast text: nothing to show, not the word None
    assert all(m.contrast == "" for m in reg.muscles.values())
    # a nerve declares no group: it is in the group "nerve"
    assert "group" not in data["nerves"]["sciatic"] and reg["sciatic"].group == "nerve"


def test_each_site_of_the_nerve_is_named_by_its_key():
    from neuralsim.model.registry import current
    sites = current().mechanics_nerve.sites
    assert sites and all(site.name == key for key, site in sites.items())


def _nerve_with(change):
    from neuralsim.model.registry import Registry
    data = _data()
    change(data["nerves"]["sciatic"])
    return lambda: Registry.from_data(data)


def test_bad_entrapments_and_path_ends_are_refused_in_full_words():
    build = _nerve_with(lambda n: n["entrapments"].update(test_hold=["knee_flexion"]))
    with pytest.raises(ValueError) as err:
        build()
    assert str(err.value) == "nerve 'sciatic': entrapment 'test_hold': expected a mapping with keys at, mm, lies_at"
    build = _nerve_with(lambda n: n["entrapments"].update(test_hold={"at": "elbow", "lies_at": "popliteal"}))
    with pytest.raises(ValueError) as err:
        build()
    assert str(err.value) == ("nerve 'sciatic': entrapment 'test_hold': 'at' 'elbow' is neither a joint of the nerve "
                              "nor one of its sites")
    build = _nerve_with(lambda n: n["path"][-1].update(end="tail"))
    with pytest.raises(ValueError) as err:
        build()
    assert str(err.value).startswith("nerve 'sciatic': unknown segment 'tail'; the segments are ")
    # a path that ends right but does not start with a start run
    build = _nerve_with(lambda n: n["path"].__setitem__(0, {"end": "head_neck"}))
    with pytest.raises(ValueError) as err:
        build()
    assert str(err.value) == "nerve 'sciatic': the path must be start, crossings..., end"


def test_the_knee_lies_on_the_thighs_axis_one_thigh_length_below_the_hip():
    from neuralsim.model.registry import joint_locations
    b = ns.Body(1.80)
    # Winter's thigh: 0.245 of the height, 441 mm for 1.80 m
    assert joint_locations(b)["thigh"]["knee_flexion"] == pytest.approx((0.0, -0.245 * 1800.0))
    assert joint_locations(b)["thigh"]["hip_flexion"] == (0.0, 0.0)


def test_live_registry_values_add_from_either_side_and_show_as_their_values():
    from neuralsim.limits.stops import HAMSTRING_FEEL, REGIONS
    words = tuple(HAMSTRING_FEEL)
    assert len(words) == 2 and all(isinstance(w, str) and w for w in words)
    assert ("x",) + HAMSTRING_FEEL == ("x",) + words
    assert HAMSTRING_FEEL + ("x",) == words + ("x",)
    assert repr(REGIONS) == repr(dict(REGIONS)) and len(dict(REGIONS)) == len(REGIONS) > 0


# -- teaching/exercises.py: what a student reads -------------------------------------------------------


def _first(kind):
    from neuralsim.teaching import exercises as X
    return next(k for k, e in X.EXERCISES.items() if e.kind == kind)


def test_each_kind_of_question_says_the_form_of_its_answer():
    from neuralsim.teaching import exercises as X
    key = "slr_biggest_sensitiser"
    opts = X.EXERCISES[key].choices()
    assert X.ask(key).endswith(" Choose one of: " + "; ".join(repr(o) for o in opts) + ".")
    number = X.EXERCISES[_first("number")]
    assert X.ask(_first("number")).endswith(f" Give a number in {number.unit}.")
    assert X.ask(_first("joints")).endswith(" Tick the joints (or give their names, such as 'knee, hip').")


def test_an_exercise_name_that_is_not_text_lists_the_exercises():
    from neuralsim.teaching import exercises as X
    with pytest.raises(TypeError) as err:
        X.check(3, "1")
    first, second = list(X.EXERCISES)[:2]
    assert f"the exercises are {first}, {second}, " in str(err.value)


def test_a_wrong_answer_gets_a_general_hint_and_after_three_the_way_to_the_worked_answer():
    from neuralsim.teaching import exercises as X
    key = "slr_biggest_sensitiser"
    right = X.EXERCISES[key].answer()
    wrong = next(o for o in X.EXERCISES[key].choices() if o != right)
    X.reset_attempts()
    try:
        fbs = [X.check(key, wrong) for _ in range(3)]
    finally:
        X.reset_attempts()
    assert fbs[0].reason == "hint" and fbs[0].correct is False
    assert "to see the worked answer" not in fbs[1].message
    assert fbs[2].message.endswith(f"run neuralsim.exercises.solution({key!r}) to see the worked answer.)")


def test_a_name_that_is_not_a_joint_is_shown_with_spaces():
    from neuralsim.teaching import exercises as X
    assert X.joint_label("big_toe_flexion") == "big toe flexion"
    assert X.joint_label("knee_flexion") == "knee flexion"


def test_neck_flexion_in_the_slump_knee_bend_moves_the_femoral_bed_not_rectus_femoris():
    from neuralsim.teaching import exercises as X
    # rectus femoris crosses only the hip and the knee; the femoral nerve's bed runs up the canal to the neck
    assert X.EXERCISES["front_neck_which"].answer() == "femoral nerve bed"


def test_the_slump_step_choices_are_every_step_after_sitting():
    from neuralsim.teaching import exercises as X
    key = next(k for k, e in X.EXERCISES.items() if e.kind == "choice" and "extend one knee" in e.choices())
    # Butler's slump test in the course's order, the sitting start not being a step one takes
    assert list(X.EXERCISES[key].choices()) == ["slump, arms behind, look ahead", "extend one knee", "look down",
                                                "dorsiflex the ankle", "look up"]


def test_the_check_button_is_the_primary_action_and_says_what_it_does():
    import ipywidgets as W
    from neuralsim.teaching import exercises as X
    box = X.widget("slr_biggest_sensitiser")
    button = next(c for c in box.children if isinstance(c, W.Button))
    assert button.description == "Check" and button.button_style == "primary"
    assert button.tooltip == "check your answer against the model"
    radio = next(c for c in box.children if isinstance(c, W.RadioButtons))
    # the label "Your answer:" is not cut to the widgets' default label width
    assert radio.style.description_width == "initial"


def test_a_shown_prediction_says_agrees_or_compare():
    from neuralsim.teaching import exercises as X
    key = "predict_sensitiser"
    box = X.predict(key)
    right = X.EXERCISES["slr_biggest_sensitiser"].answer()
    assert box.lock(right) is True
    box.show()
    assert "<b>Agrees.</b>" in box.status.value
    box = X.predict(key)
    wrong = next(o for o in X.EXERCISES["slr_biggest_sensitiser"].choices() if o != right)
    box.lock(wrong)
    box.show()
    assert "<b>Compare.</b>" in box.status.value and "Not yet" not in box.status.value


# -- mechanics: bands and the nerve model's inputs -------------------------------------------------------


def _bands_with(monkeypatch, **values):
    import dataclasses
    from types import MappingProxyType
    from neuralsim.core import parameters as P
    from neuralsim.mechanics import bands
    table = dict(P.PARAMETERS)
    for name, v in values.items():
        table[name] = dataclasses.replace(table[name], value=v)
    monkeypatch.setattr(P, "PARAMETERS", MappingProxyType(table))
    return bands._load()


def test_strain_band_thresholds_that_do_not_increase_are_refused(monkeypatch):
    from neuralsim.core.parameters import value
    first = value("strain_band_venous_flow_impaired")
    assert len(_bands_with(monkeypatch)) >= 4       # the shipped thresholds load
    # the second threshold equal to the first: a band of no width
    with pytest.raises(ValueError, match="must start at 0 % and increase"):
        _bands_with(monkeypatch, strain_band_ischaemia=first)
    with pytest.raises(ValueError, match="must start at 0 % and increase"):
        _bands_with(monkeypatch, strain_band_ischaemia=0.5 * first)


def test_the_band_of_one_strain_is_plain_text():
    from neuralsim.mechanics import bands
    assert type(bands.strain_band(1.0)) is str and bands.strain_band(0.0) == "low"


def test_the_nerve_models_inputs_say_their_allowed_values():
    from neuralsim.mechanics.nerve import NerveModel
    with pytest.raises(ValueError) as err:
        NerveModel(shear_lag_mm=0.0)
    assert str(err.value) == "shear-lag length: 0.0 mm is not allowed; give a number more than 0"
    with pytest.raises(ValueError) as err:
        NerveModel(prestrain_pct=-1.0)
    assert str(err.value) == "prestrain: -1.0 % is not allowed; give a number 0 or more and at most 10 %"


def test_a_nerve_without_prestrain_is_a_model():
    from neuralsim.mechanics.nerve import NerveModel
    m = NerveModel(prestrain_pct=0.0)
    assert m.prestrain == 0.0


def test_an_unknown_site_lists_the_sites_head_to_foot():
    m = ns.nerve_mechanics(ns.Posture())
    with pytest.raises(ValueError) as err:
        m.excursion_mm("nowhere")
    assert str(err.value) == ("unknown site 'nowhere': choose one of cervical, conus, lumbar_roots, hip, "
                              "mid_thigh, popliteal, ankle")


def test_the_nerve_model_is_built_once_per_body_and_uses_the_registry_it_is_given():
    from neuralsim.mechanics.nerve import NerveModel, nerve_model
    from neuralsim.model.registry import Registry, current
    assert nerve_model() is nerve_model()
    other = Registry.from_data(_data(), "a copy")
    assert NerveModel(registry=other).registry is other and current() is not other
