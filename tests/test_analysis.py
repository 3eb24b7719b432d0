"""The analysis tables the exercises and notebooks use (neuralsim/analysis.py), by hand from the parameters."""
import math

import pytest

import neuralsim as ns
from neuralsim.state import analysis
from neuralsim import evidence
from neuralsim.core.parameters import value as P
from support import standing


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


def test_glide_tables_with_mechanics_match_the_model():
    from neuralsim.mechanics import nerve_mechanics as nm
    (s0, s1) = analysis.GLIDES["slider: knee straightens while the head looks up"]
    row = analysis.glide_table()[0]
    assert row["excursion_mm"] == pytest.approx(
        float(nm(s1).excursion_mm("mid_thigh")) - float(nm(s0).excursion_mm("mid_thigh")))
    sites = analysis.site_table()
    assert [r["site"] for r in sites] == list(analysis.SITES)
    site = {r["site"]: r for r in sites}["popliteal"]
    # strain beyond the in-situ length: (1 + e) / (1 + e standing) - 1 of the strains from the unloaded length
    e1, e_rest = float(nm(s1).strain_pct("popliteal")), float(nm(ns.Posture()).strain_pct("popliteal"))
    assert site["slider: knee straightens while the head looks up|strain_pct"] == pytest.approx(
        100 * ((1 + e1 / 100) / (1 + e_rest / 100) - 1))


def test_text_formatters_carry_units():
    assert "(mm)" in analysis.format_step_table(analysis.step_table("slump"))
    assert "(deg)" in analysis.format_sensitiser_table(analysis.sensitiser_table())
    assert "mm" in analysis.format_joint_effects(analysis.joint_effects())
    assert "(%)" in analysis.format_glide_table(analysis.glide_table())
    text = analysis.format_parameter_table()
    assert "nerve_offset_hip" in text and "Robinson" in text
    rows = [{"quantity": "q", "published": "p", "low": 1.0, "high": None, "unit": "mm", "model": 2.0,
             "within": False, "source": "s", "status": "check", "limitation": "because"}]
    out = evidence.format_comparisons(rows)
    assert "OUTSIDE" in out and "limitation: because" in out and "open" in out


def test_the_command_lines_table_prints_each_step_as_the_model_computes_it():
    # the command line formats step_table's rows: each printed number is the public length
    # function's, to the digits printed (bed 0.001, mm 0.1)
    from neuralsim.classroom.cli import format_table
    for key in ("slump", "prone_knee_bend"):
        proto = ns.protocols.ALL[key]
        lines = format_table(analysis.step_table(key)).splitlines()[2:]
        assert len(lines) == len(proto.steps)
        previous = None
        for line, (step, p) in zip(lines, proto.steps):
            assert line.startswith(step)
            rel, change, bed, *mm = (float(v) for v in line[34:].split())
            want_bed = ns.nerve_bed_length(p, proto.nerve)
            assert rel == pytest.approx(ns.relative_bed_length(p, nerve=proto.nerve), abs=6e-4)
            assert bed == pytest.approx(want_bed, abs=0.06)
            assert change == pytest.approx(0.0 if previous is None else want_bed - previous, abs=0.06)
            assert mm == pytest.approx([ns.muscle_length(p, m) for m in ns.MUSCLES], abs=0.06)
            previous = want_bed
