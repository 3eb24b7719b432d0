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
    """Rise of local strain above standing at each symptom site (%), from the mechanics."""
    rest, m = nerve_mechanics(P()), nerve_mechanics(post)
    return np.array([m.strain_pct(s) - rest.strain_pct(s) for s in SYMPTOM_SITES])


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
    rises = _rises(P(hip_flexion=V("person_slr_nerve_onset_deg")))
    thr = typical_thresholds()
    for k, s in enumerate(SYMPTOM_SITES[:-1]):
        assert thr[s] == pytest.approx(rises[k], rel=1e-9)
    # the ankle: standing with the foot pulled up to the end of its typical range gives no symptoms
    df = _rises(P(ankle_dorsiflexion=20.0))[-1]
    assert thr["ankle"] == pytest.approx(max(rises[-1], V("person_ankle_margin") * df))


def test_typical_tolerance_makes_the_typical_raise_end_at_its_anchor():
    """At the anchor raise the felt stretch and the felt nerve add up to 1, worked from the mechanics."""
    post = P(hip_flexion=V("person_slr_hamstring_stop_deg"))
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
