"""Tests of the mechanics beside published experiments and the course's movements
(neuralsim/evidence/experiments.py).

Expected values are the published figures (neuralsim/data/evidence.csv: Ridehalgh 2014,
Alshami 2008) or derived by hand from the offsets in parameters.csv, never the code's output.
"""
from __future__ import annotations

import math

import pytest

import neuralsim as ns
from neuralsim.evidence import experiments as ex
from neuralsim.mechanics import nerve as me
from neuralsim.model import protocols as pr

P = ns.Posture


def test_ridehalgh_mid_thigh_excursion_in_range_and_larger_at_hip_60():
    x30, x60 = ex.ridehalgh(30), ex.ridehalgh(60)
    assert 7.7 <= x30 <= 12.1          # 9.9 +/- 2.2 mm
    assert 8.0 <= x60 <= 16.8          # 12.4 +/- 4.4 mm
    assert x60 > x30                   # the hip takes up the slack behind the knee first


def test_alshami_ankle_strain_and_its_rise_with_knee_or_hip_prepositioned():
    al = ex.alshami()
    assert 2.9 <= al["knee flexed, hip neutral"] <= 4.9        # +3.9 %
    assert al["knee extended"] > al["knee flexed, hip neutral"]
    assert al["hip flexed"] > al["knee flexed, hip neutral"]
    # strain is from zero slack: the start of every set-up is taut at the ankle, so the rise
    # is not made by clipping a negative start at zero
    for kw in (dict(knee_flexion=90), dict(knee_flexion=0), dict(knee_flexion=90, hip_flexion=90)):
        assert ns.nerve_mechanics(P(**kw)).strain_pct("ankle") > 0


@pytest.mark.xfail(strict=True, reason="limitation of the default model, whose leg glides without limit: the "
                   "ankle's strain is set by the tarsal tunnel's short hold beside the ankle crossing, which neither "
                   "pre-position changes (3.60 % with both as with either; Alshami 2008: higher still with both); "
                   "with the leg's glide on it passes (test_alshami_with_the_leg_glide)")
def test_alshami_both_prepositions_raise_ankle_strain_further():
    al = ex.alshami()
    assert al["knee extended, hip flexed"] > max(al["knee extended"], al["hip flexed"]) + 0.05


GLIDE = dict(glide_mm=me.leg_glide_mm())     # the leg's glide on (off by default: the stop anchors)


def test_alshami_with_the_leg_glide():
    # with both pre-positions the leg's nerve has slid past its glide and is held, so the ankle's
    # pull stays near the ankle: higher still with both (Alshami et al. 2008); the single rows hold
    al = ex.alshami(me.NerveModel(**GLIDE))
    assert al["knee extended, hip flexed"] > max(al["knee extended"], al["hip flexed"]) + 0.05
    assert 2.9 <= al["knee flexed, hip neutral"] <= 4.9
    assert al["knee extended"] > al["knee flexed, hip neutral"] and al["hip flexed"] > al["knee flexed, hip neutral"]


def test_slider_single_joint_tensioner_by_their_movements():
    # the slider is a slider: the bed lengthens at the knee while it shortens at the neck; the
    # tensioner lengthens it at both
    c = ns.bed_contributions(pr.SCIATIC_SLIDER[1].posture, reference=pr.SCIATIC_SLIDER[0].posture)
    assert c["knee_flexion"] > 0 > c["cervical_flexion"]
    c = ns.bed_contributions(pr.SCIATIC_TENSIONER[1].posture, reference=pr.SCIATIC_TENSIONER[0].posture)
    assert c["knee_flexion"] > 0 and c["cervical_flexion"] > 0
    st_ = ex.slider_tensioner()
    for k in ("slider", "knee alone", "tensioner"):
        assert st_[k]["excursion_mm"] > 0                          # knee extension slides the thigh nerve distally
        assert st_[k]["strain_pct"] >= st_[k]["leg_strain_pct"] > 0
    # the tensioner's largest strain rise is in the cervical cord, not in the leg
    assert st_["tensioner"]["strain_pct"] > 3.0 * st_["tensioner"]["leg_strain_pct"]


@pytest.mark.xfail(strict=True, reason="limitation: the neck reaches the thigh only through the neuraxis, which "
                   "the cervical tethers (Reid's 10 % at the neck) and the roots' hold, linear springs, keep apart "
                   "from the leg, so at mid-thigh slider, knee alone and tensioner move 6.74 / 6.66 / 6.59 mm "
                   "(10.26 / 10.20 / 10.14 with the leg's glide on), steps of 0.07 mm against the 1 mm asked "
                   "(Ellis, Hing & McNair 2012: the slider moves the sciatic nerve most)")
def test_slider_moves_the_thigh_nerve_more_than_the_knee_alone_and_that_more_than_the_tensioner():
    st_ = ex.slider_tensioner()
    sl, kn, te = (st_[k]["excursion_mm"] for k in ("slider", "knee alone", "tensioner"))
    assert sl >= kn + 1.0 and kn >= te + 1.0


@pytest.mark.xfail(strict=True, reason="limitation: in the leg the tensioner and the slider are the same knee "
                   "extension (the neck's part stays in the cord), so the leg's nerve strains alike in both "
                   "(rise 2.08 % against 2.06 %, ratio 1.01 against the 2 asked; the same with the glide on)")
def test_tensioner_strains_the_leg_nerve_at_least_twice_as_much_as_the_slider():
    st_ = ex.slider_tensioner()
    assert st_["tensioner"]["leg_strain_pct"] >= 2.0 * st_["slider"]["leg_strain_pct"] > 0


@pytest.mark.xfail(strict=True, reason="limitation of the default model, whose leg glides without limit: hip "
                   "and ankle add linearly at the popliteal fossa (1.51 mm with the hip at 0 and at 60 deg; Boyd et "
                   "al. 2012: three-fold less with the hip flexed); with the leg's glide on it passes "
                   "(test_boyd_with_the_leg_glide)")
def test_boyd_dorsiflexion_moves_the_tibial_nerve_less_and_strains_it_more_with_the_hip_flexed():
    _boyd_holds(me.nerve_model())


def test_boyd_with_the_leg_glide():
    m = me.NerveModel(**GLIDE)
    _boyd_holds(m)
    # and Ridehalgh's knee extensions stay inside their published ranges (mean +/- SD) with it on
    assert 7.7 <= ex.ridehalgh(30, m) <= 12.1 and 8.0 <= ex.ridehalgh(60, m) <= 16.8


def _boyd_holds(m):
    b = ex.boyd(m)
    neutral, flexed = b["hip neutral"], b["hip flexed"]
    assert neutral["excursion_mm"] > 0
    # published: 2.18 mm with the hip neutral, a mean three-fold reduction with it flexed; a
    # difference below the 0.7 mm measurement error (SEM) would be no result
    assert flexed["excursion_mm"] <= 0.5 * neutral["excursion_mm"]
    assert neutral["excursion_mm"] - flexed["excursion_mm"] >= 0.7
    # what the ankle's pull does not move at the popliteal fossa it strains nearer the ankle (Boyd
    # measured excursion only; Alshami et al. 2008 found the ankle's strain higher with the hip flexed)
    rise = {hip: m.solve(P(hip_flexion=hip, ankle_dorsiflexion=20)).strain_pct("ankle")
            - m.solve(P(hip_flexion=hip)).strain_pct("ankle") for hip in (0.0, 60.0)}
    assert rise[60.0] > rise[0.0]


def test_boyd_needs_the_glide_a_leg_that_glides_freely_adds_hip_and_ankle():
    b = ex.boyd(me.nerve_model())
    assert b["hip flexed"]["excursion_mm"] == pytest.approx(b["hip neutral"]["excursion_mm"], abs=0.05)


def test_a_nerve_beyond_its_toe_carries_the_ankles_pull_further_up_the_leg():
    # why stiffening alone cannot give Boyd's figure: with a toe that ends within a straight-leg
    # raise, the hip's pre-tension makes the leg's nerve stiffer, and a stiffer nerve takes the
    # ankle's pull further (shear-lag length sqrt(EA / k)), so the popliteal fossa moves more
    low = me.NerveModel(toe_end_pct={"nerve": 1.0, "roots": 2.0, "cord": 10.0}, stiffening=5.0, glide_mm=math.inf)
    b = ex.boyd(low)
    assert b["hip flexed"]["excursion_mm"] > b["hip neutral"]["excursion_mm"] + 0.7
    lin = ex.boyd(me.NerveModel(stiffening=1.0, glide_mm=math.inf))
    assert lin["hip flexed"]["excursion_mm"] == pytest.approx(lin["hip neutral"]["excursion_mm"], abs=1e-9)


def test_the_articles_supine_glide_is_a_tensioner_and_the_slider_version_strains_less():
    g = ex.glide_as_slider()
    written, slider = g["as written"], g["as a slider"]
    # knee 45 -> 10 deg opens the fold: 2 x 25 mm x (tan 22.5 - tan 5 deg) = 16.34 mm;
    # ankle -15 -> +15 deg: the fold opens (2 x 15 mm x tan 7.5 deg = 3.95 mm), then wraps 15 mm x 15 deg = 3.93 mm
    knee = 2 * 25 * (math.tan(math.radians(22.5)) - math.tan(math.radians(5)))
    ankle = 2 * 15 * math.tan(math.radians(7.5)) + 15 * math.radians(15)
    assert written["bed_change_mm"] == pytest.approx(knee + ankle)      # both joints take length: a tensioner
    assert slider["bed_change_mm"] == pytest.approx(knee - ankle)       # the ankle gives some back
    assert written["strain_rise_pct"] > 3 * slider["strain_rise_pct"] > 0
    assert slider["excursion_mm"] > 0
    assert "as a slider" in ex.format_glide_as_slider(g)
    # the rise of the peak is the glide table's (notebook 04 prints both: one quantity, one number)
    from neuralsim.state import analysis
    row = next(r for r in analysis.glide_table() if r["name"].startswith("supine sciatic glide"))
    assert written["peak_rise_pct"] == pytest.approx(row["strain_rise_pct"], abs=1e-9)
    text = ex.format_glide_as_slider(g)
    head, line = text.splitlines()[:2]
    assert "largest strain rise" in head and "rise of the peak" in head and line.startswith("as written")
    assert line.split()[-4:] == [f"{written['strain_rise_pct']:.1f}", "%", f"{row['strain_rise_pct']:.1f}", "%"]
    assert max(len(t) for t in text.splitlines()) <= 100          # one line each on a 1024 px page


def test_entrapment_table():
    rows = ex.entrapment_table(P(hip_flexion=70), "piriformis", severities=(0.0, 1.0))
    assert [r["severity"] for r in rows] == [0.0, 1.0]
    assert set(rows[0]["excursion_mm"]) == set(me.SITES)
    free = ns.nerve_mechanics(P(hip_flexion=70))
    assert rows[0]["excursion_mm"]["conus"] == pytest.approx(free.excursion_mm("conus"))
    assert abs(rows[1]["excursion_mm"]["conus"]) < abs(rows[0]["excursion_mm"]["conus"])
    assert "severity" in ex.format_entrapment_table(rows)
    with pytest.raises(ValueError, match="piriformis"):
        ex.entrapment_table(P(), "knee")
    with pytest.raises(ValueError, match="single posture"):
        ex.entrapment_table(P(hip_flexion=[10, 20]), "popliteal")
