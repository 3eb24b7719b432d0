"""Virtual patients (neuralsim.limits.cases): the named cases, the seeded class set, the procedure."""
from __future__ import annotations

import numpy as np
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
    with pytest.raises(TypeError, match="seed: 'one' is not a whole number"):
        C.class_set("one")
    with pytest.raises(TypeError, match="seed: .*timedelta64.* is not a whole number"):
        C.class_set(np.timedelta64(1, "D"))
    with pytest.raises(ValueError, match="seed: -1 .* 0 .* or more"):
        C.class_set(-1)
    with pytest.raises(ValueError, match="n: 0 patients is outside the allowed range 1 to 100000 patients"):
        C.class_set(1, 0)
    with pytest.raises(ValueError, match="unknown answer 'tight'"):
        C.Patient("x", C.CASES["both"].person, "tight")
    with pytest.raises(TypeError, match="seated_start"):
        C.seated_start("a person")


def test_an_unknown_or_unhashable_case_name_lists_the_cases():
    with pytest.raises(KeyError) as err:           # UnknownNameError: a KeyError and a ValueError
        C.CASES["Both\n"]
    assert isinstance(err.value, ValueError) and str(err.value).startswith("unknown case 'Both\\n': choose one of")
    assert "short hamstrings" in str(err.value) and "stiff hip" in str(err.value)
    with pytest.raises(TypeError, match=r"case: \['both'\] is not a name \(text\); choose one of short hamstrings"):
        C.CASES[["both"]]
    assert C.CASES.get("nobody") is None and "both" in C.CASES


def test_identify_refuses_findings_that_are_not_examine_s():
    p = C.CASES["both"]
    with pytest.raises(ValueError, match="findings: slr, slr_ankle, slr_neck, slr_released, slump missing"):
        C.identify(p, {})
    with pytest.raises(TypeError, match="findings: list is not what examine"):
        C.identify(p, [])
    f = C.examine(p)
    with pytest.raises(TypeError, match=r"findings\['slr'\]: Differentiation is not the MovementLimit"):
        C.identify(p, {**f, "slr": f["slump"]})
    assert C.identify(p, f) == "both" == p.answer


def test_seated_start_takes_any_single_posture_and_refuses_others():
    p = C.CASES["stiff hip"].person
    assert C.seated_start(p, {"hip_flexion": 90}).hip_flexion == p.joint_range("hip_flexion")[1][0]
    with pytest.raises(TypeError, match="expected a Posture"):
        C.seated_start(p, 3)
    with pytest.raises(ValueError, match=r"single posture \(shape \(\)\), got shape \(2,\)"):
        C.seated_start(p, {"hip_flexion": [0, 90]})


@pytest.mark.xfail(strict=True, raises=AssertionError, reason=(
    "8 of 28, 13 of 26 and 12 of 28 patients of seeds 0, 1 and 2 (stiff hips aside; 29-50 %, against at most 5 %) "
    "cannot straighten the knee at all in the slump, even looking up: the short-hamstring patients' tolerance "
    "(drawn at 0.45-0.6 of the typical one) is already reached sitting with the hip joint at 72 deg (the pelvis "
    "tilted back 18.3 deg), and a sensitised nerve is over its limit sitting slumped; the class generator's "
    "spreads are modelling choices, not fitted to the slump"))
def test_at_most_one_in_twenty_of_a_class_cannot_extend_the_knee_in_the_slump():
    from neuralsim import Person, differentiate
    for seed in (0, 1, 2):
        patients = [p for p in C.class_set(seed) if p.answer != "stiff hip"]
        people = Person.stack([p.person for p in patients])
        d = differentiate(C.SLUMP_START, "knee_flexion", "cervical_flexion", [45, -20], people, direction=-1)
        stuck = np.asarray(d.angle_deg[-1]) >= C.SLUMP_START.knee_flexion - 0.5     # not even looking up
        assert stuck.sum() <= 0.05 * len(patients), (seed, int(stuck.sum()), len(patients))
