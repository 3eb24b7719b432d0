"""People who differ (neuralsim.limits.person): fields, thresholds, the hamstrings' group stretch, discomfort.

Expected values are worked by hand from the formulas in the docstrings and from
the nerve mechanics and muscle lengths themselves, not from the solver.
"""
from __future__ import annotations

import math

import numpy as np
import pytest

import neuralsim as ns
from neuralsim.limits import cases as C
from neuralsim.mechanics import nerve_mechanics
from neuralsim.model import HAMSTRINGS, muscle_length
from neuralsim.core.parameters import value as V
from neuralsim.limits.person import (SYMPTOM_SITES, Person, discomfort, hamstring_stretch_pct, typical_thresholds,
                              typical_tolerance_pct)

P = ns.Posture


def _rises(post):
    """Rise of local strain above standing at each symptom site (%), from the mechanics: the strain beyond
    the in-situ (standing) length, (1 + e) / (1 + e_standing) - 1 of the strains from the unloaded length."""
    rest, m = nerve_mechanics(P()), nerve_mechanics(post)
    return np.array([100 * ((1 + m.strain_pct(s) / 100) / (1 + rest.strain_pct(s) / 100) - 1) for s in SYMPTOM_SITES])


def _group_stretch(post):
    """The hamstrings' stretch (%): elongations weighted by Ward et al.'s cross-sectional areas, by hand."""
    el = [100 * (muscle_length(post, m) / muscle_length(P(), m) - 1) for m in HAMSTRINGS]
    return (18.4 * el[0] + 4.8 * el[1] + 11.3 * el[2]) / (18.4 + 4.8 + 11.3)


def test_group_stretch_weights_each_hamstring_by_its_area():
    assert HAMSTRINGS == ("semimembranosus", "semitendinosus", "biceps_femoris_lh")
    assert hamstring_stretch_pct([10.0, 0.0, 0.0]) == pytest.approx(10 * 18.4 / 34.5)     # 5.333 %
    assert hamstring_stretch_pct([0.0, 10.0, 0.0]) == pytest.approx(10 * 4.8 / 34.5)      # 1.391 %
    assert hamstring_stretch_pct([[6.0, 6.0, 6.0], [0.0, 0.0, 3.45]]).tolist() == pytest.approx([6.0, 1.13])


def test_discomfort_by_hand():
    thr = np.array([2.0, 4.0, 4.0, 4.0, 5.0])
    on_h, on_n = V("person_hamstring_onset"), V("person_nerve_onset")
    assert (on_h, on_n, V("person_nerve_summation_exponent")) == (0.7, 0.7, 2.0)
    # every region at its threshold: n = 1; stretch at 85 % of tolerance: h' = (0.85 - 0.7) / 0.3 = 0.5
    d = discomfort(thr, 8.5, thr, 10.0)
    assert d["n"] == pytest.approx(1.0) and d["n_felt"] == pytest.approx(1.0)
    assert d["h_felt"] == pytest.approx(0.5) and d["D"] == pytest.approx(1.5)
    assert d["sites"].tolist() == pytest.approx([0.2] * 5)           # equal loads share n' equally
    # one region at twice its threshold, the rest unloaded (or shortened: a fall counts 0):
    # n = sqrt(2^2 / 5) = 0.894, n' = (0.894 - 0.7) / 0.3 = 0.6486; stretch below onset: h' = 0
    d = discomfort([4.0, -1.0, 0.0, 0.0, 0.0], 6.0, thr, 10.0)
    assert d["n"] == pytest.approx(math.sqrt(4 / 5))
    assert d["n_felt"] == pytest.approx((math.sqrt(0.8) - 0.7) / 0.3)
    assert d["h_felt"] == 0.0 and d["D"] == pytest.approx(d["n_felt"])
    assert d["sites"][0] == pytest.approx(d["n_felt"]) and d["sites"][1:].tolist() == [0.0] * 4


def test_typical_thresholds_are_the_rises_of_the_nerve_anchor_raise():
    h = V("person_slr_nerve_onset_deg")          # the raise, the pelvis turning back 0.29 deg per deg beyond 8
    rises = _rises(P(hip_flexion=h, pelvic_tilt=0.29 * (h - 8.0)))
    thr = typical_thresholds()
    for k, s in enumerate(SYMPTOM_SITES[:-1]):
        assert thr[s] == pytest.approx(rises[k], rel=1e-9)
    # the ankle: standing with the foot pulled up to the end of its typical range gives no symptoms
    df = _rises(P(ankle_dorsiflexion=20.0))[-1]
    assert thr["ankle"] == pytest.approx(max(rises[-1], V("person_ankle_margin") * df))


def test_typical_tolerance_makes_the_typical_raise_end_at_its_anchor():
    """At the anchor raise the felt stretch and the felt nerve add up to 1, worked from the mechanics."""
    h = V("person_slr_hamstring_stop_deg")
    post = P(hip_flexion=h, pelvic_tilt=0.29 * (h - 8.0))
    thr = np.array(list(typical_thresholds().values()))
    n = math.sqrt(np.mean((np.maximum(_rises(post), 0) / thr) ** 2))
    h = _group_stretch(post) / typical_tolerance_pct()
    felt_n = max(n - 0.7, 0) / 0.3
    felt_h = max(h - 0.7, 0) / 0.3
    assert 0 < felt_n < felt_h                       # both felt, the stretch more: a hamstring-led end point
    assert felt_h + felt_n == pytest.approx(1.0, abs=1e-9)


def test_thresholds_follow_sensitisation_and_entrapment():
    typ = Person().threshold_pct("popliteal")
    assert Person(sensitised=True).threshold_pct("popliteal") == pytest.approx(typ * V("nerve_sensitised_factor"))
    held = Person(entrapment={"piriformis": 0.5})
    keep = V("person_entrapment_threshold_factor")
    assert held.threshold_pct("hip") == pytest.approx(Person().threshold_pct("hip") * (1 - 0.5 * (1 - keep)))
    assert held.threshold_pct("ankle") == pytest.approx(Person().threshold_pct("ankle"))


def test_bad_person_input_refused():
    with pytest.raises(ns.OutOfRangeError, match="hamstring stretch tolerance: 0.1 % elongation is outside"):
        Person(hamstring_tolerance_pct=0.1)
    with pytest.raises(TypeError, match="sensitised"):
        Person(sensitised="yes")
    with pytest.raises(ValueError, match="entrapment site 'belt'"):
        Person(entrapment={"belt": 0.5})
    with pytest.raises(ValueError, match="unknown symptom site 'toe'"):
        Person(nerve_threshold_pct={"toe": 1.0})
    with pytest.raises(ValueError, match="do not broadcast"):
        Person(hamstring_tolerance_pct=[10.0, 12.0], hamstring_stiffness=[1.0, 1.0, 1.0])


def test_repr_hides_hidden_parameters():
    p = Person(hamstring_tolerance_pct=9.0, sensitised=True, entrapment={"piriformis": 0.5})
    text = repr(p)
    assert "9" not in text and "sensitised" not in text and "piriformis" not in text


def test_people_stack_and_index_round_trip():
    singles = [C.CASES[k].person for k in C.CASES]
    many = Person.stack(singles)
    assert many.shape == (len(singles),) and repr(many) == f"Person(n={len(singles)})"
    for i, one in enumerate(singles):
        back = many[i]
        assert back.hamstring_tolerance_pct == one.hamstring_tolerance_pct
        np.testing.assert_array_equal(back.thresholds(), one.thresholds())
        assert back.joint_range("hip_flexion") == one.joint_range("hip_flexion")
        assert back.mobility == one.mobility and back.sensitised == one.sensitised

# -- the input contract: the shared checks of core.errors -------------------------------------------------

import datetime  # noqa: E402


@pytest.mark.parametrize("field,bad,exc,text", [
    ("height_m", np.complex128(1.8 + 3j), TypeError, "person height: np.complex128(1.8+3j) is not a number"),
    ("height_m", 10**400, ns.OutOfRangeError, "person height: 1.000e+400 m is too large for the allowed range 1.4 to 2.1 m"),
    ("hamstring_stiffness", ["2"], TypeError, "hamstring passive stiffness: '2' is not a number"),
    ("hamstring_stiffness", datetime.timedelta(seconds=2), TypeError, "hamstring passive stiffness: datetime.timedelta"),
    ("hamstring_stiffness", np.timedelta64(2, "D"), TypeError, "hamstring passive stiffness: np.timedelta64"),
    ("hamstring_stiffness", [b"2"], TypeError, "hamstring passive stiffness: b'2' is not a number"),
    ("hamstring_stiffness", b"2", TypeError, "hamstring passive stiffness: b'2' is not a number"),
    ("hamstring_tolerance_pct", np.ma.masked_array([5.0], mask=[True]), TypeError, "a masked array is not taken"),
    ("entrapment", {"piriformis": 10**400}, ns.OutOfRangeError,
     "entrapment severity at piriformis: 1.000e+400 (0 free .. 1 held fast) is too large"),
    ("entrapment", {"piriformis": True}, TypeError, "entrapment severity at piriformis: True is not a number"),
])
def test_values_the_contract_refuses_are_refused_with_the_field_range_and_unit(field, bad, exc, text):
    with pytest.raises(exc) as err:
        Person(**{field: bad})
    assert text in str(err.value), str(err.value)
    assert " to " in str(err.value)               # the allowed range is named


def test_a_joint_limit_must_overlap_the_mobility_class_range():
    # a hypomobile hip flexes to 90 deg (0.75 x 120): a limit from 100 deg would leave the range (100, 90)
    hi = ns.joint_range("hip_flexion", "hypomobile")[1]
    assert hi == pytest.approx(0.75 * V("range_hip_flexion_max"))
    with pytest.raises(ns.OutOfRangeError, match=r"hip_flexion limit min: 100 deg .* 90 deg or less .*hypomobile range"):
        Person(mobility="hypomobile", joint_limits={"hip_flexion": (100.0, 140.0)})
    lo, top = Person(mobility="hypomobile", joint_limits={"hip_flexion": (50.0, 140.0)}).joint_range("hip_flexion")
    assert (lo[0], top[0]) == (50.0, hi)          # narrowed from below, the class's own end above
    # the other end: a hypomobile hip extends to -15 deg (0.75 x -20), so a limit ending at -18 leaves nothing
    with pytest.raises(ns.OutOfRangeError, match=r"hip_flexion limit max: -18 deg .* -15 deg or more"):
        Person(mobility="hypomobile", joint_limits={"hip_flexion": (-24.0, -18.0)})
    # an array of people: each checked against their own class
    people = Person(mobility=["typical", "hypomobile"], joint_limits={"hip_flexion": ([95.0, 80.0], 140.0)})
    assert people.joint_range("hip_flexion")[0].tolist() == [95.0, 80.0]
    with pytest.raises(ns.OutOfRangeError, match="hypomobile"):
        Person(mobility=["typical", "hypomobile"], joint_limits={"hip_flexion": ([80.0, 95.0], 140.0)})


def test_names_are_checked_by_the_shared_check():
    with pytest.raises(ns.UnknownNameError, match="unknown mobility 'Typical'"):
        Person(mobility="Typical")
    with pytest.raises(TypeError, match="mobility: 1 is not a name"):
        Person(mobility=1)
    with pytest.raises(ns.UnknownNameError, match="unknown symptom site 'knee'"):
        Person().threshold_pct("knee")
    with pytest.raises(TypeError, match=r"symptom site: \['hip'\] is not a name"):
        Person().threshold_pct(["hip"])
    with pytest.raises(ns.UnknownNameError, match="unknown entrapment site 'hip'"):
        Person(entrapment={"hip": 1.0})
    assert Person(mobility=np.str_("hypermobile")).mobility == "hypermobile"


def test_a_shape_error_names_the_fields():
    with pytest.raises(ValueError, match=r"1-d array of people, got shape \(2, 2\) from height_m \(2, 2\)"):
        Person(height_m=np.full((2, 2), 1.7))
    with pytest.raises(ValueError, match=r"do not broadcast.*height_m \(2,\), hamstring_stiffness \(3,\)"):
        Person(height_m=[1.7, 1.8], hamstring_stiffness=[1.0, 1.0, 1.0])


def test_array_fields_are_read_only():
    p = Person(height_m=[1.7, 1.8], mobility=["typical", "hypomobile"], sensitised=[True, False],
               joint_limits={"knee_flexion": ([0.0, 5.0], 130.0)})
    for a in (p.height_m, p.mobility, p.sensitised, p.joint_limits["knee_flexion"][0], p.threshold_pct("hip")):
        assert not a.flags.writeable
