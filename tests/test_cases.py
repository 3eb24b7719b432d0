"""Virtual patients (neuralsim.limits.cases): the named cases, the seeded class set, the procedure."""
from __future__ import annotations

import pytest

from neuralsim.limits import cases as C


@pytest.mark.parametrize("name", list(C.CASES))
def test_every_named_case_identified_by_the_procedure(name):
    patient = C.CASES[name]
    assert C.identify(patient) == patient.answer


@pytest.mark.parametrize("seed", [0, 1, 2, 2026])
def test_class_set_identified_and_reproducible(seed):
    a, b = C.class_set(seed), C.class_set(seed)
    assert len(a) == 30
    for x, y in zip(a, b):
        assert x.label == y.label and x.answer == y.answer
        assert x.person.hamstring_tolerance_pct == y.person.hamstring_tolerance_pct
        assert x.person.height_m == y.person.height_m
        assert x.person.thresholds().tolist() == y.person.thresholds().tolist()
    assert len({p.person.hamstring_tolerance_pct for p in a}) > 20        # each a different person
    for p in a:
        assert C.identify(p) == p.answer, p.label
    assert C.answer_key(seed) == [(p.label, p.answer) for p in a]
    other = C.class_set(seed + 1)
    assert [p.person.height_m for p in other] != [p.person.height_m for p in a]


def test_patient_repr_hides_the_person_and_the_answer():
    for patient in C.class_set(5, 30):
        assert repr(patient) == f"Patient({patient.label!r})"
    assert repr(C.CASES["sensitised nerve"]) == "Patient('sensitised nerve')"


def test_seated_start_fits_the_persons_range():
    assert C.seated_start(C.CASES["stiff hip"].person).hip_flexion == pytest.approx(45.0)
    assert C.seated_start(C.CASES["short hamstrings"].person) == C.SLUMP_START


def test_bad_case_input_refused():
    with pytest.raises(TypeError, match="seed must be an integer"):
        C.class_set("one")
    with pytest.raises(ValueError, match="whole number of patients"):
        C.class_set(1, 0)
    with pytest.raises(ValueError, match="answer 'tight'"):
        C.Patient("x", C.CASES["both"].person, "tight")
    with pytest.raises(TypeError, match="seated_start"):
        C.seated_start("a person")
