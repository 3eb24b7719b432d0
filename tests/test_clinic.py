"""The clinic widget and notebook 07 as files (the browser test drives them in Chromium)."""
from __future__ import annotations

import ast
import re
from pathlib import Path

import nbformat
import pytest

from neuralsim import cases, clinic
from neuralsim.limits import movement_limit

NB = Path(__file__).resolve().parents[1] / "notebooks" / "07_clinic_hamstrings_or_nerve.ipynb"


def test_stop_summary_for_the_explorer_patient_mode():
    s = clinic.stop_summary(cases.SLR_START, "hip_flexion", cases.CASES["stiff hip"].person)
    assert s["limited_by"] == "joint range" and s["angle_deg"] == pytest.approx(45.0)
    assert s["felt"] == ["joint range"] and s["posture"].hip_flexion == pytest.approx(45.0)
    with pytest.raises(TypeError):
        clinic.stop_summary(cases.SLR_START, "hip_flexion", "stiff")


def test_stop_picture_marks_where_it_is_felt():
    s = clinic.stop_summary(cases.SLR_START, "hip_flexion", cases.CASES["nerve stuck at the piriformis"].person)
    svg = clinic.stop_svg(s, "supine")
    assert svg.startswith("<svg") and svg.endswith("</svg>")
    assert svg.count('<polygon class="felt-mark"') == len([k for k in s["felt"] if k not in ("joint range", "hamstrings")])
    assert "deep pulling or burning in the buttock" in svg          # the mark's title names it
    assert s["text"] in svg                                          # the description for screen readers


def test_clinic_runs_tests_hints_then_answers():
    desk = clinic.Clinic()
    desk.patient.value = "short hamstrings"
    s = desk.run_test("straight-leg raise")
    want = movement_limit(cases.SLR_START, "hip_flexion", cases.CASES["short hamstrings"].person).angle_deg
    assert s["angle_deg"] == want and f"{want:.0f} deg" in desk.log.value
    assert "<svg" in desk.picture.value
    assert desk.check_answer("nerve") is False
    assert "Not quite." in desk.feedback.value and "answer is" not in desk.feedback.value   # a hint first
    assert desk.check_answer("both") is False and "answer is <b>hamstrings</b>" in desk.feedback.value
    assert desk.check_answer("hamstrings") is True and desk.feedback.value.startswith("<p>Right.")
    desk.patient.value = "sensitised nerve"                      # a new patient clears the desk
    assert desk.findings == [] and desk.feedback.value == "" and desk.answer.value is None
    with pytest.raises(ValueError, match="unknown test"):
        desk.run_test("reflexes")


def test_clinic_stretching_button_follows_ylinen():
    desk = clinic.Clinic()
    desk.patient.value = "short hamstrings"
    before, after = desk.show_stretching()
    assert after - before == pytest.approx(17.0, abs=0.05)
    assert "Ylinen" in desk.stretch_out.value and "one week is not modelled" in desk.stretch_out.value


def test_clinic_class_patient_is_the_teachers():
    desk = clinic.Clinic(seed=2026, student=7)
    assert "patient 07" in desk.patient.options
    assert desk.patients["patient 07"].answer == cases.class_set(2026)[6].answer
    with pytest.raises(ValueError, match="student"):
        clinic.Clinic(seed=2026, student=31)


def test_notebook_07_stored_clean_thin_and_teaching():
    nb = nbformat.read(NB, as_version=4)
    nbformat.validate(nb)
    assert "widgets" not in nb.metadata
    first = nb.cells[0].source
    assert "**Estimated time:**" in first and "By the end you will be able to" in first
    assert "Misconception tackled here" in first and "not for diagnosis" in first.lower()
    heads = [m.group(1).strip() for c in nb.cells if c.cell_type == "markdown"
             for m in re.finditer(r"^#+\s+(.*)$", c.source, re.M)]
    for h in ("Exercises", "References", "The misconception, answered",
              "Neural tension feels different: where a movement stops and what is felt where",
              "A stuck nerve: pinched or held along its path"):
        assert h in heads
    seen_predict = False
    for c in nb.cells:
        if c.cell_type == "markdown" and "Predict first" in c.source:
            seen_predict = True
        if c.cell_type != "code":
            continue
        assert c.outputs == [] and c.execution_count is None
        if "Clinic(" in c.source:
            assert seen_predict and c.source.startswith("# NBVAL_IGNORE_OUTPUT")
            seen_predict = False
        tree = ast.parse(c.source)
        for node in ast.walk(tree):
            assert not isinstance(node, (ast.FunctionDef, ast.ClassDef, ast.Lambda, ast.For, ast.While))
        assert len(c.source.splitlines()) <= 22
        if "NBVAL_CHECK_OUTPUT" in c.source:
            assert re.search(r"^assert ", c.source, re.M)
    text = NB.read_text()
    assert "application/vnd.jupyter.widget" not in text and str(NB.resolve().parents[2]) + "/" not in text
