"""Exercise checkers: right answers derived by hand, wrong answers get hints and never the answer."""
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import neuralsim as ns
from neuralsim.teaching import exercises
from neuralsim.core.parameters import value as P
from support import standing

NOTEBOOKS = ["00_start_here", "01_hamstrings_or_nerve", "02_slump_test", "03_straight_leg_raise",
             "04_nerve_glides", "05_model_and_evidence", "06_front_of_the_thigh"]


@pytest.fixture(autouse=True)
def fresh():
    exercises.reset_attempts()
    yield
    exercises.reset_attempts()


# Right answers derived from the model's rules and parameters, not read back from the checker.
HAND = {
    # the hamstrings cross only the hip (flexion) and the knee
    "start_nerve_not_hamstring": [j for j in ns.JOINTS if j not in ("hip_flexion", "knee_flexion")],
    "ham_joints": ["hip_flexion", "knee_flexion"],
    "ham_neck_40": 0.0,
    # hinge: hip 90 only; rounding: hip 40, less than the hinge, knee unchanged in both
    "ham_bend_hamstrings": "hip hinge",
    # looking up moves only the neck, which no hamstring crosses
    "slump_look_up_hamstrings": 0.0,
    # wrap: 41 mm x pi/2; fold: -2 x 25 mm x tan(45 deg)
    "model_hip_wrap": P("nerve_offset_hip") * math.pi / 2,
    "model_knee_fold": -2 * P("nerve_offset_knee") * math.tan(math.radians(45)),
}


def _hand_slr_plain():
    return math.degrees(0.04 * standing() / P("nerve_offset_hip"))


def _hand_slr_all_four():
    gained = (P("nerve_offset_ankle") * math.radians(15) + P("nerve_offset_hip_adduction") * math.radians(15)
              + P("nerve_offset_hip_rotation") * math.radians(20) + P("nerve_offset_cervical") * math.radians(40))
    return math.degrees(gained / P("nerve_offset_hip"))


def _hand_bend_nerve():
    end = ns.protocols.FORWARD_BEND_SPINAL[-1].posture
    rounding = sum(P(f"nerve_offset_{j}") * math.radians(getattr(end, f"{j}_flexion"))
                   for j in ("cervical", "thoracic", "lumbar", "hip"))
    hinge = P("nerve_offset_hip") * math.radians(ns.protocols.FORWARD_BEND_HIP_HINGE[-1].posture.hip_flexion)
    return "spinal rounding" if rounding > hinge else "hip hinge"


def _hand_sitting():
    s = ns.protocols.SITTING
    assert s.ankle_dorsiflexion <= 0 <= s.hip_flexion and s.knee_flexion >= 0
    return (P("nerve_offset_hip") * math.radians(s.hip_flexion)
            - 2 * P("nerve_offset_knee") * math.tan(math.radians(s.knee_flexion / 2))
            + 2 * P("nerve_offset_ankle") * math.tan(math.radians(s.ankle_dorsiflexion / 2)))


HAND.update({"slr_hip_plain": _hand_slr_plain(), "slr_all_four": _hand_slr_all_four(),
             "ham_bend_nerve": _hand_bend_nerve(), "start_sitting_change": _hand_sitting()})


@pytest.mark.parametrize("key", sorted(HAND))
def test_hand_derived_answers_are_right(key):
    fb = exercises.check(key, HAND[key])
    assert fb.correct is True, fb.message


@pytest.mark.parametrize("key", [k for k, e in exercises.EXERCISES.items() if e.kind == "number"])
def test_numbers_right_inside_tolerance_wrong_outside(key):
    ex = exercises.EXERCISES[key]
    right = float(ex.answer())
    tol = ex.tolerance
    assert exercises.check(key, right + 0.9 * tol).correct
    assert exercises.check(key, right - 0.9 * tol).correct
    wrong = exercises.check(key, right + tol + (0.5 if tol else 1.0))
    assert wrong.correct is False and "Hint:" in wrong.message


@pytest.mark.parametrize("key", list(exercises.EXERCISES))
def test_first_wrong_answer_gives_a_hint_not_the_answer(key):
    ex = exercises.EXERCISES[key]
    right = ex.answer()
    if ex.kind == "number":
        wrong = float(right) + 10 * max(ex.tolerance, 1.0) + 3.0
    elif ex.kind == "choice":
        wrong = next(c for c in ex.choices() if c != right)
    else:
        wrong = sorted(set(ns.JOINTS) - set(right))[:1] or ["hip_adduction"]
    fb = exercises.check(key, wrong)
    assert fb.correct is False
    assert fb.message.startswith("Not what the model gives. Hint:")
    if ex.kind == "number":
        for fmt in ("{:.0f}", "{:.1f}", "{:.2f}"):
            text = fmt.format(float(right))
            if text not in ("0", "0.0", "-0", "-0.0", "0.00", "-0.00"):
                assert text not in fb.message
    elif ex.kind == "choice":
        assert right not in fb.message
    else:
        assert not all(j in fb.message for j in right)
    assert "solution(" not in fb.message        # the worked answer is only offered after several tries
    assert exercises.check(key, right).correct


def test_after_several_wrong_tries_the_worked_solution_is_offered():
    for i in range(exercises.REVEAL_AFTER - 1):
        assert "solution(" not in exercises.check("model_hip_wrap", 1.0).message
    fb = exercises.check("model_hip_wrap", 1.0)
    assert "solution('model_hip_wrap')" in fb.message
    assert f"{P('nerve_offset_hip') * math.pi / 2:.1f}" in exercises.solution("model_hip_wrap")


def test_hints_change_with_tries():
    a = exercises.check("slump_look_up_mm", 500).message
    b = exercises.check("slump_look_up_mm", 500).message
    assert a != b


def test_no_answer_yet_and_badly_formed_answers():
    fb = exercises.check("ham_neck_40", None)
    assert fb.correct is None and fb.reason == "empty" and "No answer" in fb.message
    fb = exercises.check("ham_neck_40", "seven")
    assert fb.correct is False and "number" in fb.message
    fb = exercises.check("ham_joints", ["elbow"])
    assert fb.correct is False and "not a joint" in fb.message
    fb = exercises.check("ham_bend_nerve", "yoga")
    assert fb.correct is False and "choose one of" in fb.message


def test_choices_accept_case_and_whole_words_and_joint_labels():
    right = exercises.EXERCISES["ham_bend_hamstrings"].answer()
    assert right == "hip hinge"
    assert exercises.check("ham_bend_hamstrings", right.upper()).correct
    assert exercises.check("ham_bend_hamstrings", "Hinge").correct
    assert exercises.check("ham_bend_hamstrings", "hip h").reason == "form"    # a one-letter word is not a choice
    assert exercises.check("ham_joints", ["hip flexion", "knee flexion"]).correct
    assert not exercises.check("ham_joints", ["hip_flexion"]).correct


def test_slump_and_glide_answers_follow_the_protocols():
    steps = ns.protocols.SLUMP_SEED
    changes = [ns.nerve_bed_length(b.posture) - ns.nerve_bed_length(a.posture) for a, b in zip(steps, steps[1:])]
    biggest = steps[1 + max(range(len(changes)), key=changes.__getitem__)].name
    assert exercises.check("slump_biggest_step", biggest).correct
    assert exercises.check("slump_look_up_mm", changes[-1]).correct
    from neuralsim.state.analysis import GLIDES
    (s0, s1), (t0, t1) = list(GLIDES.values())[:2]
    diff = (ns.nerve_bed_length(t1) - ns.nerve_bed_length(t0)) - (ns.nerve_bed_length(s1) - ns.nerve_bed_length(s0))
    assert exercises.check("glide_bed_difference", diff).correct
    assert exercises.check("glide_neck", "looks up (extension)").correct


def test_slr_biggest_single_sensitiser_is_the_one_that_lowers_people_s_stop_most():
    from neuralsim.limits import cases
    people = cases.healthy_people()
    plain = np.asarray(ns.movement_limit(ns.Posture(), "hip_flexion", people).angle_deg)
    lower = {name: float((plain - np.asarray(ns.movement_limit(ns.Posture(**extra), "hip_flexion",
                                                                 people).angle_deg)).mean())
             for name, extra in [("+ dorsiflexion 15", {"ankle_dorsiflexion": 15}),
                                 ("+ hip adduction 15", {"hip_adduction": 15}),
                                 ("+ hip internal rotation 20", {"hip_internal_rotation": 20}),
                                 ("+ neck flexion 40", {"cervical_flexion": 40})]}
    best = max(lower, key=lower.get)
    assert exercises.check("slr_biggest_sensitiser", best).correct
    assert exercises.PREDICTIONS["predict_sensitiser"].model() == best
    # the published order: pulling the foot up lowers a healthy raise (Boyd et al. 2009, 4-12 deg accepted
    # from plantarflexed to dorsiflexed), neck flexion less (the clinical order)
    assert lower["+ dorsiflexion 15"] > lower["+ neck flexion 40"] > 0
    # by bed length alone the order differs, and that answer gets its own hint
    gains = {"+ dorsiflexion 15": P("nerve_offset_ankle") * math.radians(15),
             "+ hip adduction 15": P("nerve_offset_hip_adduction") * math.radians(15),
             "+ hip internal rotation 20": P("nerve_offset_hip_rotation") * math.radians(20),
             "+ neck flexion 40": P("nerve_offset_cervical") * math.radians(40)}
    bed = max(gains, key=gains.get)
    assert bed != best
    fb = exercises.check("slr_biggest_sensitiser", bed)
    assert fb.correct is False and fb.reason == "bed_not_stop"
    right = exercises.check("slr_biggest_sensitiser", best).message
    assert f"{lower[best]:.1f}°" in right and "bed length alone" in right


def test_glide_strain_exercise_uses_mechanics():
    from neuralsim.mechanics import nerve_mechanics as nm
    (s0, s1), (t0, t1) = list(__import__("neuralsim.state.analysis", fromlist=["GLIDES"]).GLIDES.values())[:2]
    rise_s = float(nm(s1).peak_strain_pct) - float(nm(s0).peak_strain_pct)
    rise_t = float(nm(t1).peak_strain_pct) - float(nm(t0).peak_strain_pct)
    assert rise_s < rise_t                      # the slider raises peak strain less (published direction)
    assert exercises.check("glide_lower_peak", "slider").correct
    assert not exercises.check("glide_lower_peak", "tensioner").correct


def test_model_within_counts_the_comparison_rows():
    from neuralsim.evidence import comparisons
    rows = comparisons()
    assert exercises.check("model_within", sum(bool(r["within"]) for r in rows if r["kind"] == "comparison")).correct
    assert not exercises.check("model_within", len(rows) + 1).correct


@pytest.mark.parametrize("nb", NOTEBOOKS)
def test_two_to_four_exercises_per_notebook(nb):
    assert 2 <= len(exercises.for_notebook(nb)) <= 4


def test_unknown_exercise():
    with pytest.raises(ValueError, match="no exercise"):
        exercises.check("nope", 1)


def test_feedback_displays():
    fb = exercises.check("ham_neck_40", 0)
    assert fb and "RIGHT" in repr(fb) and 'role="status"' in fb._repr_html_()
    assert "Right" in fb._repr_html_()
    assert "ham_neck_40" in exercises.EXERCISES and "semitendinosus" in exercises.ask("ham_neck_40")


# -- natural answers: what people type is read; junk is refused ---------------------------

LOOK_UP = exercises.EXERCISES["slump_look_up_mm"].answer()   # checked against the hand value below


def test_look_up_step_by_hand():
    # looking up in the source order: the neck goes from 45 deg flexion (wrap) to 40 deg extension (fold)
    end, last = ns.protocols.SLUMP_SEED[-2].posture, ns.protocols.SLUMP_SEED[-1].posture
    d_c = P("nerve_offset_cervical")
    fold = lambda a: 2 * d_c * math.tan(math.radians(a / 2))   # noqa: E731
    by_hand = -(d_c * math.radians(end.cervical_flexion) if end.cervical_flexion > 0 else -fold(-end.cervical_flexion)) \
        - fold(-last.cervical_flexion)
    assert abs(LOOK_UP - by_hand) < 1e-6 and -23.5 < LOOK_UP < -22.0


@pytest.mark.parametrize("text", ["-22.7", "-22.7 mm", "-22.7mm", "\u221222.7", "\u221222,7 mm", "-22,7",
                                  " -22.70  millimetres ", "-2.27 cm", "\u22122,27 cm"])
def test_natural_number_forms_are_right(text):
    fb = exercises.check("slump_look_up_mm", text)
    assert fb.correct is True and fb.reason == "right", (text, fb.message)


@pytest.mark.parametrize("junk", [False, True, "s", "twenty", "-22.7 deg", "22.7.1", "nan", float("nan"),
                                  float("inf"), [1.0], {"nerve_mm": -22.7}])
def test_junk_for_a_number_is_refused_with_its_unit(junk):
    fb = exercises.check("slump_look_up_mm", junk)
    assert fb.correct is False and fb.reason == "form" and "mm" in fb.message, (junk, fb.message)


def test_degree_sign_and_word_are_read():
    right = HAND["slr_hip_plain"]
    for text in (f"{right:.1f}\u00b0", f"{right:.1f} degrees", f"{right:.1f}".replace(".", ",") + " deg"):
        assert exercises.check("slr_hip_plain", text).correct, text


@pytest.mark.parametrize("key, text", [
    ("slr_biggest_sensitiser", "ankle"), ("slr_biggest_sensitiser", "Dorsiflexion"),
    ("ham_bend_nerve", "spinal rounding"), ("ham_bend_nerve", "rounding"), ("ham_bend_nerve", "spine"),
    ("ham_bend_hamstrings", "hinge"), ("glide_neck", "up"), ("glide_neck", "looks up"),
    ("slump_biggest_step", "knee"), ("slump_biggest_step", "Extend one knee"),
])
def test_natural_choice_words_are_right(key, text):
    fb = exercises.check(key, text)
    assert fb.correct is True, (key, text, fb.message)


def test_neck_names_its_sensitiser_and_is_judged_on_it():
    # the right sensitiser is the ankle's (test_slr_biggest_single_sensitiser_is_the_one_that_lowers_people_s_stop_most);
    # "neck" is read as the neck's row, so it is a readable but wrong answer
    fb = exercises.check("slr_biggest_sensitiser", "neck")
    assert fb.correct is False and fb.reason != "form"
    assert exercises.parse_choice("neck", exercises._SINGLE) == "+ neck flexion 40"


@pytest.mark.parametrize("key, junk", [("ham_bend_nerve", "s"), ("ham_bend_nerve", "sp"), ("ham_bend_nerve", "r"),
                                       ("ham_bend_nerve", True), ("ham_bend_nerve", 1),
                                       ("slr_biggest_sensitiser", "hip"),   # two options share the word
                                       ("slump_biggest_step", "look"), ("glide_neck", "sideways")])
def test_junk_choices_are_refused(key, junk):
    fb = exercises.check(key, junk)
    assert fb.correct is False and fb.reason == "form" and "choose one of" in fb.message


@pytest.mark.parametrize("text", ["hip, knee", "Knee and hip", "hip flexion; knee flexion", ["knee", "HIP"],
                                  ["hip_flexion", "knee_flexion"]])
def test_joints_in_plain_words(text):
    assert exercises.check("ham_joints", text).correct, text


def test_plain_joint_words_for_the_nerve_only_joints():
    text = "neck, upper back, low back, hip adduction, hip rotation and ankle"
    assert exercises.check("start_nerve_not_hamstring", text).correct


# -- hints aimed at the likely mistake ----------------------------------------------------

def _hint(key, given):
    fb = exercises.check(key, given)
    assert fb.correct is False and fb.message.startswith("Not what the model gives. Hint:")
    return fb


@pytest.mark.parametrize("text", ["22.7", "+22.7 mm", "22,7"])
def test_sign_error_gets_the_sign_hint(text):
    fb = _hint("slump_look_up_mm", text)
    assert fb.reason == "sign" and "sign" in fb.message and "22.7" not in fb.message


def test_sign_error_on_the_knee_fold():
    fb = _hint("model_knee_fold", -HAND["model_knee_fold"])
    assert fb.reason == "sign"


def test_since_start_instead_of_one_step():
    rows = ns.analysis.step_table("slump")
    since_start = rows[-1]["bed_mm"] - rows[0]["bed_mm"]
    assert abs(since_start - LOOK_UP) > 20                     # far apart, so the two cannot be confused
    fb = _hint("slump_look_up_mm", f"{since_start:.1f} mm")
    assert fb.reason == "since_start" and "since the start" in fb.message and "last step" in fb.message
    # the hamstrings: the knee straightened earlier in the test, so since the start they are longer
    ham_since = rows[-1]["hamstrings_mm"] - rows[0]["hamstrings_mm"]
    assert ham_since > 10
    assert _hint("slump_look_up_hamstrings", ham_since).reason == "since_start"


def test_nerve_value_given_for_the_muscle():
    assert _hint("slump_look_up_hamstrings", LOOK_UP).reason == "nerve_not_muscle"
    neck40 = P("nerve_offset_cervical") * math.radians(40)      # the bed wraps round the neck
    assert _hint("ham_neck_40", neck40).reason == "nerve_not_muscle"


def test_forgot_a_joint():
    # sitting: hip alone (the knee forgotten)
    fb = _hint("start_sitting_change", P("nerve_offset_hip") * math.radians(ns.protocols.SITTING.hip_flexion))
    assert fb.reason == "missing_joint" and "knee" in fb.message
    # joints: a right subset is "you left out"; a right superset is "does not belong"
    fb = _hint("ham_joints", ["hip"])
    assert fb.reason == "missing_joint" and "left out 1 joint" in fb.message and "knee" not in fb.message
    fb = _hint("ham_joints", ["hip", "knee", "neck"])
    assert fb.reason == "extra_joint"
    fb = _hint("start_nerve_not_hamstring", "neck, upper back, low back, ankle")
    assert fb.reason == "missing_joint" and "three directions" in fb.message


def test_unit_and_rule_mistakes():
    assert _hint("slr_hip_plain", math.radians(HAND["slr_hip_plain"])).reason == "radians"
    assert _hint("model_hip_wrap", P("nerve_offset_hip") * 90).reason == "degrees"
    assert _hint("model_hip_wrap", 2 * P("nerve_offset_hip")).reason == "fold_not_wrap"
    assert _hint("model_knee_fold", -P("nerve_offset_knee") * math.pi / 2).reason == "wrap_not_fold"
    assert _hint("slr_all_four", HAND["slr_hip_plain"] - HAND["slr_all_four"]).reason == "angle_not_difference"
    from neuralsim.evidence import comparisons
    rows = comparisons()
    compared = [r for r in rows if r["kind"] == "comparison" and r["model"] is not None]
    assert _hint("model_within", len(compared)).reason == "all_rows"
    assert _hint("model_within", sum(not r["within"] for r in compared)).reason == "outside_count"
    assert _hint("model_within", sum(r["within"] for r in rows)).reason == "counted_inputs"


def test_targeted_hints_never_hold_the_answer():
    for key, ex in exercises.EXERCISES.items():
        for m in ex.mistakes:
            fb = exercises.check(key, m.value())
            assert fb.correct is False and fb.reason == m.reason, (key, m.reason)
            if ex.kind == "number":
                assert f"{float(ex.answer()):.1f}" not in fb.message or float(ex.answer()) == 0


def test_a_right_answer_says_because():
    for key, ex in exercises.EXERCISES.items():
        assert len(ex.because() if callable(ex.because) else ex.because) > 20, key
    fb = exercises.check("slump_look_up_hamstrings", "0")
    assert fb.correct and ", because " in fb.message and "neck" in fb.message


def test_messages_use_plain_joint_names():
    texts = [exercises.ask(k) for k in exercises.EXERCISES] + [exercises.solution(k) for k in exercises.EXERCISES]
    texts += [exercises.check("ham_joints", ["hip"]).message, exercises.check("ham_joints", "elbow").message]
    for t in texts:
        assert not any(j in t for j in ns.JOINTS), t


@settings(max_examples=300, deadline=None)
@given(x=st.floats(min_value=-1e5, max_value=1e5, allow_nan=False), digits=st.integers(0, 4),
       minus=st.sampled_from(["-", "\u2212"]), comma=st.booleans(), unit=st.sampled_from(["", " mm", "mm", " millimetres"]))
def test_parse_number_reads_every_written_form(x, digits, minus, comma, unit):
    text = f"{x:.{digits}f}"
    written = text.replace("-", minus)
    if comma:
        written = written.replace(".", ",")
    assert exercises.parse_number(written + unit, "mm") == float(text)


# -- widgets and predictions (the same checker behind the buttons) ---------------------------

def test_exercise_widget_checks_what_is_typed():
    w = exercises.widget("slump_look_up_mm")
    assert w.submit("\u221222,7 mm").correct
    assert 'data-correct="true"' in w.feedback.value and "because" in w.feedback.value
    assert w.submit("22.7").reason == "sign"
    # Enter in the box checks too, and then pressing Check on the same answer does not count a second try
    exercises.reset_attempts()
    w.control.value = "500"
    assert exercises._attempts["slump_look_up_mm"] == 1 and "Not yet" in w.feedback.value
    w.children[2].click()
    assert exercises._attempts["slump_look_up_mm"] == 1


def test_choice_and_joints_widgets():
    w = exercises.widget("ham_bend_nerve")
    assert w.control.value is None                      # nothing chosen for the learner
    assert set(w.control.options) == {"hip hinge", "spinal rounding"}
    w = exercises.widget("ham_joints")
    labels = [c.description for c in w.control]
    assert "neck flexion" in labels and "cervical_flexion" not in labels
    for c in w.control:
        c.value = c.description in ("hip flexion", "knee flexion")
    w.children[2].click()                               # the Check button
    assert 'data-correct="true"' in w.feedback.value


def test_prediction_locks_then_reveals():
    p = exercises.predict("predict_look_up")
    assert p.show() is None                              # nothing to reveal before a prediction is locked
    assert p.lock("s") is False and not p.control.disabled   # unreadable: not locked
    assert p.lock("-20 mm") is True
    assert p.control.disabled and "Locked" in p.status.value and "-22.7" not in p.status.value
    fb = p.show()
    assert fb.correct is True and "\u221222.7 mm" in fb.message      # within 3 mm of the model
    by_hand = -(P("nerve_offset_cervical") * math.radians(45) + 2 * P("nerve_offset_cervical") * math.tan(math.radians(20)))
    assert abs(exercises.PREDICTIONS["predict_look_up"].model() - by_hand) < 1e-9


def test_prediction_answers_by_hand():
    assert exercises.reveal("predict_hamstring_zero", "neck, upper back, low back, hip adduction, "
                            "hip rotation, ankle").correct
    assert exercises.reveal("predict_taller", "the same").correct
    assert exercises.reveal("predict_bend_nerve", HAND["ham_bend_nerve"]).correct
    gains = {j: P(f"nerve_offset_{n}") * math.radians(30) for j, n in
             [("hip flexion", "hip"), ("neck flexion", "cervical"), ("upper back flexion", "thoracic"),
              ("low back flexion", "lumbar")]}
    assert exercises.reveal("predict_joint_30", max(gains, key=gains.get)).correct
    assert not exercises.reveal("predict_glide_bed", "slider").correct


def test_every_prediction_reveals_model_and_reason():
    for key, p in exercises.PREDICTIONS.items():
        if p.kind == "words":         # nothing to score: the learner's words and what to compare them with
            fb = exercises.reveal(key, "the stiff one, and no")
            assert fb.correct is None and "the stiff one, and no" in fb.message and len(p.explain()) > 30
            continue
        model = p.model()
        fb = exercises.reveal(key, model if p.kind != "joints" else sorted(model))
        assert fb.correct and "The model:" in fb.message and len(p.explain()) > 30, key


def _hand_bed_change(p):
    """Bed change from standing by the two rules, joint by joint (wrap d*angle; fold -2 d tan(|angle|/2))."""
    def rule(d, a):     # a > 0 opens the bed's side (wrap); a < 0 closes it (fold)
        return d * math.radians(a) if a >= 0 else -2 * d * math.tan(math.radians(-a) / 2)
    return (rule(P("nerve_offset_cervical"), p.cervical_flexion) + rule(P("nerve_offset_thoracic"), p.thoracic_flexion)
            + rule(P("nerve_offset_lumbar"), p.lumbar_flexion) + rule(P("nerve_offset_hip"), p.hip_flexion)
            + rule(P("nerve_offset_hip_adduction"), p.hip_adduction)
            + rule(P("nerve_offset_hip_rotation"), p.hip_internal_rotation)
            + rule(P("nerve_offset_knee"), -p.knee_flexion)             # behind the knee: flexion folds
            + rule(P("nerve_offset_ankle"), p.ankle_dorsiflexion))


def test_slump_since_start_by_hand_and_its_slips():
    first, last = ns.protocols.SLUMP_SEED[0].posture, ns.protocols.SLUMP_SEED[-1].posture
    by_hand = _hand_bed_change(last) - _hand_bed_change(first)
    assert 60 < by_hand < 70
    assert exercises.check("slump_since_start_mm", f"{by_hand:.1f} mm").correct
    assert _hint("slump_since_start_mm", LOOK_UP).reason == "per_step"          # the last step only
    assert _hint("slump_since_start_mm", _hand_bed_change(last)).reason == "since_standing"


def test_numbers_too_large_for_a_float_are_feedback_not_an_overflow():
    exercises.reset_attempts()
    f = exercises.check("model_hip_wrap", 10**400)
    assert f.correct is False and f.reason == "form" and "too large" in f.message
    for bad in (float("nan"), np.float64("inf"), np.complex128(1j), np.ma.masked_array(1.0, mask=True)):
        assert exercises.check("model_hip_wrap", bad).reason == "form"


def test_a_0d_array_or_a_numpy_scalar_is_the_number_it_holds():
    right = exercises.EXERCISES["model_hip_wrap"].answer()
    for given in (np.array(right), np.float32(right), np.float64(right)):
        exercises.reset_attempts()
        assert exercises.check("model_hip_wrap", given).correct is True


def test_an_exercise_name_that_is_not_text_is_a_type_error_listing_the_exercises():
    for bad in (["model_hip_wrap"], None, 1):
        with pytest.raises(TypeError, match="exercise: .* is not a name \\(text\\); the exercises are"):
            exercises.check(bad, "1")
    with pytest.raises(TypeError, match="prediction: .* is not a name"):
        exercises.reveal(["x"], "1")


# -- answers written as words or fractions; tolerances that leave the known slips outside -----------

@pytest.mark.parametrize("words", ["none", "zero", "Zero.", "no change", "No Change", "nothing", "unchanged",
                                   "0", "0 mm", "does not change", "doesn\u2019t change"])
def test_zero_like_words_are_read_as_zero(words):
    # the semitendinosus and rectus femoris cross neither the neck: 0 mm by hand
    assert exercises.parse_number(words, "mm") == 0.0
    assert exercises.check("ham_neck_40", words).correct is True
    assert exercises.check("front_neck_rectus_mm", words).correct is True


def test_zero_like_words_for_a_change_that_is_not_zero_get_a_hint_not_a_form_error():
    fb = exercises.check("slump_look_up_mm", "no change")
    assert fb.correct is False and fb.reason != "form"


def test_none_is_an_empty_set_of_joints():
    assert exercises.parse_joints("none") == frozenset() == exercises.parse_joints("No joints.")
    assert exercises.check("ham_joints", "none").correct is False


def test_counts_written_as_fractions():
    assert exercises.parse_number("16 of 20", "rows") == 16.0
    assert exercises.parse_number("16 out of 20 rows", "rows") == 16.0
    assert exercises.parse_number("16/20", "rows") == 16.0
    assert exercises.parse_number("16 comparisons", "rows") == 16.0
    with pytest.raises(ValueError, match="more than the whole"):
        exercises.parse_number("21 of 20", "rows")
    with pytest.raises(ValueError):                       # a fraction is a count, not a length
        exercises.parse_number("16 of 20", "mm")
    # counted from the rows (comparisons that were checked), not from the summary the checker uses
    rows = [r for r in ns.evidence.comparisons() if r["kind"] == "comparison" and r["check"] != "none"]
    within = sum(1 for r in rows if r["within"])
    assert exercises.check("model_within", f"{within} of {len(rows)}").correct is True
    assert exercises.check("model_within", f"{len(rows) - within} of {len(rows)}").reason == "outside_count"


def _glide_by_hand():
    (s_start, s_end), (t_start, t_end) = list(ns.analysis.GLIDES.values())[:2]
    return _hand_bed_change(s_end) - _hand_bed_change(s_start), _hand_bed_change(t_end) - _hand_bed_change(t_start)


def test_glide_difference_by_hand_and_its_subtraction_slips():
    slider, tensioner = _glide_by_hand()
    assert slider < 0 < tensioner                         # the slider gives length back, the tensioner takes it up
    assert exercises.check("glide_bed_difference", f"{tensioner - slider:.1f} mm").correct
    # the tensioner's own change as its table prints it (41.4 mm): not accepted, and its own hint
    fb = exercises.check("glide_bed_difference", f"{tensioner:.1f}")
    assert fb.correct is False and fb.reason == "tensioner_only"
    fb = exercises.check("glide_bed_difference", f"{tensioner + slider:.1f}")
    assert fb.correct is False and fb.reason == "minus_a_minus"


@pytest.mark.parametrize("key", [k for k, e in exercises.EXERCISES.items() if e.kind == "number"])
def test_answers_as_tables_print_them_are_right_and_every_slip_gets_its_hint(key):
    ex = exercises.EXERCISES[key]
    right = float(ex.answer())
    assert exercises.check(key, f"{right:.1f}").correct is True           # read off a one-decimal table
    for m in ex.mistakes:
        exercises.reset_attempts()
        for written in (float(m.value()), f"{float(m.value()):.1f}"):
            fb = exercises.check(key, written)
            assert fb.correct is False and fb.reason == m.reason, (key, m.reason, written)


# -- what answers a prediction stays off the page until it is locked ------------------------------

class _Shell:
    """Stands in for the notebook's IPython shell: after_lock swaps its display publisher."""

    def __init__(self):
        self.display_pub = self


@pytest.fixture
def shell(monkeypatch):
    import IPython
    fake = _Shell()
    monkeypatch.setattr(IPython, "get_ipython", lambda: fake)
    return fake


def test_after_lock_holds_printed_and_displayed_output_until_the_prediction_is_locked(shell, capsys):
    p = exercises.predict("predict_slump_step")
    held = exercises.after_lock("predict_slump_step")
    with held:
        print("extend one knee +50.0 mm")
        shell.display_pub.publish({"text/plain": "the step table"})
        total = 1 + 1                               # the cell's own checks still run at once
    assert total == 2
    assert "extend one knee" not in capsys.readouterr().out      # nothing printed to the page
    box = held.widget
    assert box.output.outputs == () and box.waiting.layout.display != "none"
    assert exercises.HELD_BACK_TEXT in box.waiting.value
    assert p.lock("knee") is True
    outs = box.output.outputs
    assert [o["output_type"] for o in outs] == ["stream", "display_data"]     # in the order shown
    assert outs[0]["text"] == "extend one knee +50.0 mm\n" and outs[1]["data"] == {"text/plain": "the step table"}
    assert box.waiting.layout.display == "none"


def test_after_lock_shows_at_once_once_locked_or_outside_a_notebook(shell, capsys):
    p = exercises.predict("predict_taller")
    p.lock("the same")
    with exercises.after_lock("predict_taller") as held:
        print("shown")
    assert held.widget is None and "shown" in capsys.readouterr().out


def test_after_lock_lets_a_failing_check_fail(shell):
    exercises.predict("predict_sensitiser")
    with pytest.raises(AssertionError):
        with exercises.after_lock("predict_sensitiser"):
            assert False
    import sys
    assert sys.stdout is not None and shell.display_pub is shell       # both put back


def test_after_lock_needs_a_prediction_key():
    with pytest.raises(ValueError, match="no prediction"):
        exercises.after_lock("nope")


def test_a_prediction_in_words_locks_text_and_compares_without_a_score():
    p = exercises.predict("predict_clinic_earliest")
    assert p.lock("  ") is False and p.lock("x") is False          # a few words, not nothing
    assert p.lock("patient D, and the neck brings the leg down") is True
    assert p.control.disabled and "patient D" in p.status.value
    fb = p.show()
    assert fb.correct is None and "Compare" in p.status.value and "No answer yet" not in p.status.value
