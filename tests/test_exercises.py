"""Exercise checkers: right answers derived by hand, wrong answers get hints and never the answer."""
import math

import pytest

import neuralsim as ns
from neuralsim import exercises
from neuralsim.parameters import value as P

NOTEBOOKS = ["00_start_here", "01_hamstrings_or_nerve", "02_slump_test", "03_straight_leg_raise",
             "04_nerve_glides", "05_model_and_evidence"]


@pytest.fixture(autouse=True)
def fresh():
    exercises.reset_attempts()
    yield
    exercises.reset_attempts()


def standing():
    return ns.nerve_bed_length(ns.Posture())


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
    assert fb.correct is None and "None" in fb.message
    fb = exercises.check("ham_neck_40", "seven")
    assert fb.correct is False and "number" in fb.message
    fb = exercises.check("ham_joints", ["elbow"])
    assert fb.correct is False and "not a joint" in fb.message
    fb = exercises.check("ham_bend_nerve", "yoga")
    assert fb.correct is False and "choose one of" in fb.message


def test_choices_accept_case_and_unique_prefix_and_joint_labels():
    right = exercises.EXERCISES["ham_bend_hamstrings"].answer()
    assert exercises.check("ham_bend_hamstrings", right.upper()).correct
    assert exercises.check("ham_bend_hamstrings", right[:5]).correct
    assert exercises.check("ham_joints", ["hip flexion", "knee flexion"]).correct
    assert not exercises.check("ham_joints", ["hip_flexion"]).correct


def test_slump_and_glide_answers_follow_the_protocols():
    steps = ns.protocols.SLUMP_SEED
    changes = [ns.nerve_bed_length(b.posture) - ns.nerve_bed_length(a.posture) for a, b in zip(steps, steps[1:])]
    biggest = steps[1 + max(range(len(changes)), key=changes.__getitem__)].name
    assert exercises.check("slump_biggest_step", biggest).correct
    assert exercises.check("slump_look_up_mm", changes[-1]).correct
    from neuralsim.analysis import GLIDES
    (s0, s1), (t0, t1) = list(GLIDES.values())[:2]
    diff = (ns.nerve_bed_length(t1) - ns.nerve_bed_length(t0)) - (ns.nerve_bed_length(s1) - ns.nerve_bed_length(s0))
    assert exercises.check("glide_bed_difference", diff).correct
    assert exercises.check("glide_neck", "looks up (extension)").correct


def test_slr_biggest_single_sensitiser_by_hand():
    gains = {"+ dorsiflexion 15": P("nerve_offset_ankle") * math.radians(15),
             "+ hip adduction 15": P("nerve_offset_hip_adduction") * math.radians(15),
             "+ hip internal rotation 20": P("nerve_offset_hip_rotation") * math.radians(20),
             "+ neck flexion 40": P("nerve_offset_cervical") * math.radians(40)}
    assert exercises.check("slr_biggest_sensitiser", max(gains, key=gains.get)).correct


def test_glide_strain_exercise_needs_and_uses_mechanics():
    from neuralsim.svg import load_mechanics
    nm = load_mechanics()
    if nm is None:
        fb = exercises.check("glide_lower_peak", "slider")
        assert fb.correct is False and "mechanics" in fb.message
    else:
        (s0, s1), (t0, t1) = list(__import__("neuralsim.analysis", fromlist=["GLIDES"]).GLIDES.values())[:2]
        rise_s = float(nm(s1).peak_strain_pct) - float(nm(s0).peak_strain_pct)
        rise_t = float(nm(t1).peak_strain_pct) - float(nm(t0).peak_strain_pct)
        assert exercises.check("glide_lower_peak", "slider" if rise_s < rise_t else "tensioner").correct


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


# -- the analysis tables the exercises and notebooks use (neuralsim.analysis) ---------------------

from neuralsim import analysis  # noqa: E402


def test_step_table_changes_add_up_and_hamstrings_move_only_with_hip_or_knee():
    for key, proto in ns.protocols.ALL.items():
        rows = analysis.step_table(key)
        assert [r["step"] for r in rows] == proto.names()
        total = sum(r["change_mm"] for r in rows)
        assert total == pytest.approx(rows[-1]["bed_mm"] - rows[0]["bed_mm"])
        for (_, a), (_, b), r in zip(proto.steps, proto.steps[1:], rows[1:]):
            if a.hip_flexion == b.hip_flexion and a.knee_flexion == b.knee_flexion:
                assert r["hamstrings_change_mm"] == 0.0


def test_joint_effects_by_hand():
    rows = {r["joint"]: r for r in analysis.joint_effects(step_deg=10)}
    assert rows["hip_flexion"]["nerve_mm"] == pytest.approx(P("nerve_offset_hip") * math.radians(10))
    # knee flexion from straight folds the bed: -2 d tan(5 deg)
    assert rows["knee_flexion"]["nerve_mm"] == pytest.approx(-2 * P("nerve_offset_knee") * math.tan(math.radians(5)))
    assert rows["ankle_dorsiflexion"]["gastrocnemius_mm"] == pytest.approx(
        P("gastrocnemius_ankle") * math.radians(10))
    # at the end of its range a joint is stepped the other way
    top = ns.Posture(knee_flexion=ns.joint_range("knee_flexion")[1])
    knee = next(r for r in analysis.joint_effects(top) if r["joint"] == "knee_flexion")
    assert knee["step_deg"] == -10 and knee["nerve_mm"] > 0


def test_hip_angle_for_bed_length_by_hand_and_unreachable():
    L0 = standing()
    need = 50.0
    assert analysis.hip_angle_for_bed_length(ns.Posture(), L0 + need) == pytest.approx(
        math.degrees(need / P("nerve_offset_hip")))
    assert math.isnan(analysis.hip_angle_for_bed_length(ns.Posture(), L0 + 1000.0))
    hypo = ns.Body(mobility="hypomobile")
    reach = P("nerve_offset_hip") * math.radians(ns.joint_range("hip_flexion", "hypomobile")[1])
    assert math.isnan(analysis.hip_angle_for_bed_length(ns.Posture(), standing() + reach + 1.0, hypo))


def test_sensitisers_shift_the_angle_by_their_own_length():
    rows = {r["name"]: r for r in analysis.sensitiser_table(1.04)}
    assert rows["+ neck flexion 40"]["earlier_by_deg"] == pytest.approx(
        math.degrees(P("nerve_offset_cervical") * math.radians(40) / P("nerve_offset_hip")))


def test_people_table_relative_targets_do_not_depend_on_height():
    rows = {r["body"]: r for r in analysis.people_table((1.04,))}
    assert rows["short, typical"]["hip_deg@1.04"] == pytest.approx(rows["tall, typical"]["hip_deg@1.04"])
    assert "not reached" in analysis.format_people_table(analysis.people_table((1.05,)))


def test_neck_differentiation_leaves_every_hamstring_alone():
    d = analysis.neck_differentiation(ns.protocols.SLUMP_SEED[4].posture, 45, -40)
    assert all(d[f"{m}_mm"] == 0 for m in ns.HAMSTRINGS)
    assert d["nerve_mm"] == pytest.approx(-(P("nerve_offset_cervical") * math.radians(45)
                                            + 2 * P("nerve_offset_cervical") * math.tan(math.radians(20))))


def test_glide_tables_without_mechanics_give_nan(monkeypatch):
    import neuralsim.svg as svg_mod
    monkeypatch.setattr(svg_mod, "load_mechanics", lambda: None)
    rows = analysis.glide_table()
    assert all(math.isnan(r["excursion_mm"]) and math.isnan(r["strain_rise_pct"]) for r in rows)
    assert all(not math.isnan(r["bed_change_mm"]) for r in rows)
    sites = analysis.site_table()
    assert [r["site"] for r in sites] == list(analysis.SITES)
    assert "nan" in analysis.format_site_table(sites)


def test_glide_tables_with_mechanics_match_the_model():
    from neuralsim.svg import load_mechanics
    nm = load_mechanics()
    if nm is None:
        assert not analysis.mechanics_available()
        return
    (s0, s1) = analysis.GLIDES["slider: knee straightens while the head looks up"]
    row = analysis.glide_table()[0]
    assert row["excursion_mm"] == pytest.approx(
        float(nm(s1).excursion_mm("mid_thigh")) - float(nm(s0).excursion_mm("mid_thigh")))
    site = {r["site"]: r for r in analysis.site_table()}["popliteal"]
    assert site["slider: knee straightens while the head looks up|strain_pct"] == pytest.approx(
        float(nm(s1).strain_pct("popliteal")))


def test_text_formatters_carry_units():
    assert "(mm)" in analysis.format_step_table(analysis.step_table("slump"))
    assert "(deg)" in analysis.format_sensitiser_table(analysis.sensitiser_table())
    assert "mm" in analysis.format_joint_effects(analysis.joint_effects())
    assert "(%)" in analysis.format_glide_table(analysis.glide_table())
    text = analysis.format_parameter_table()
    assert "nerve_offset_hip" in text and "Robinson" in text
    rows = [{"quantity": "q", "published": "p", "low": 1.0, "high": None, "unit": "mm", "model": 2.0,
             "within": False, "source": "s", "status": "check", "limitation": "because"}]
    out = analysis.format_comparisons(rows)
    assert "OUTSIDE" in out and "limitation: because" in out and "open" in out
