"""Where movements stop, what stops them, and differentiation (neuralsim.limits).

Published figures come from the rows of ``data/evidence.csv`` (``neuralsim.evidence.rows``, each with its
source); misses against them are ``xfail(strict=True)`` with the reason.
The person's fields and the discomfort formula are tested in test_person.py,
the virtual patients in test_cases.py.
"""
from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import neuralsim as ns
from neuralsim.limits import cases as C
from neuralsim import limits as L
from neuralsim.mechanics import nerve_mechanics
from neuralsim.model import HAMSTRINGS, muscle_length
from neuralsim.limits.person import SYMPTOM_SITES, Person

P = ns.Posture
from neuralsim.evidence.rows import row as EV_ROW
from neuralsim.evidence import people as EV_PEOPLE


def _class(seed=1, n=200):
    """Generated people of the healthy kind ("neither" answers) for population figures."""
    return Person.stack([p.person for p in C.class_set(seed, n) if p.answer == "neither"])


def _by_hand(post, person, entrapment=None):
    """(h', n') worked from the muscle lengths and the nerve mechanics with the formulas of the docstring.

    Group stretch: elongations weighted by cross-sectional area 18.4 / 4.8 / 11.3 cm^2; nerve: the
    root-mean-square of each region's strain rise over its threshold (the rise beyond the in-situ
    length, standing: (1 + e) / (1 + e_standing) - 1 of the strains from the unloaded length); both
    felt from 0.7.
    """
    el = [100 * (muscle_length(post, m) / muscle_length(P(), m) - 1) for m in HAMSTRINGS]
    h = (18.4 * el[0] + 4.8 * el[1] + 11.3 * el[2]) / 34.5 / person.hamstring_tolerance_pct
    rest, m = nerve_mechanics(P()), nerve_mechanics(post, entrapment=entrapment)
    r = [max(100 * ((1 + m.strain_pct(s) / 100) / (1 + rest.strain_pct(s) / 100) - 1), 0) / person.threshold_pct(s)
         for s in SYMPTOM_SITES]
    n = math.sqrt(sum(x * x for x in r) / 5)
    return max(h - 0.7, 0) / 0.3, max(n - 0.7, 0) / 0.3


# -- the stop comes from the thresholds ------------------------------------------

def test_short_hamstrings_stop_where_the_group_stretch_reaches_tolerance():
    person = Person(hamstring_tolerance_pct=8.0)
    r = L.movement_limit(P(), "hip_flexion", person)
    assert r.limited_by == "hamstrings"
    hf, nf = _by_hand(P(hip_flexion=r.angle_deg), person)
    assert nf == 0.0                             # the nerve is not yet felt this early in the raise
    assert hf == pytest.approx(1.0, abs=1e-3)    # so the stretch alone ends it: group stretch = 8 %
    assert r.hamstring_stretch_pct == pytest.approx(8.0, abs=1e-3)
    assert _by_hand(P(hip_flexion=r.angle_deg - 0.5), person)[0] < 1.0
    assert r.symptoms == (("back of the thigh", "broad stretch in the muscle"),)


def test_typical_raise_ends_where_stretch_and_nerve_together_reach_tolerance():
    """The healthy end point is not the first of two independent limits: both tissues add."""
    person = Person()
    r = L.movement_limit(P(), "hip_flexion", person)
    hf, nf = _by_hand(P(hip_flexion=r.angle_deg), person)
    assert hf > 0 and nf > 0 and hf + nf == pytest.approx(1.0, abs=1e-3)
    assert r.limited_by == "hamstrings" and hf > nf          # .limited_by names the larger share
    assert r.discomfort == pytest.approx(1.0, abs=1e-3)
    alone_h = L.movement_limit(P(), "hip_flexion", person.replace(
        nerve_threshold_pct={s: 50.0 for s in SYMPTOM_SITES}))
    alone_n = L.movement_limit(P(), "hip_flexion", person.replace(hamstring_tolerance_pct=60.0))
    assert r.angle_deg < alone_h.angle_deg - 2 and r.angle_deg < alone_n.angle_deg - 2
    assert alone_h.hamstring_ratio == pytest.approx(1.0, abs=1e-3)     # each alone stops at its own limit
    assert alone_n.nerve_ratio == pytest.approx(1.0, abs=1e-3)


def test_sensitised_nerve_stop_worked_by_hand():
    person = Person(sensitised=True)
    r = L.movement_limit(P(), "hip_flexion", person)
    assert r.limited_by == "nerve"
    hf, nf = _by_hand(P(hip_flexion=r.angle_deg), person)
    assert nf > hf and hf + nf == pytest.approx(1.0, abs=1e-3)
    assert sum(_by_hand(P(hip_flexion=r.angle_deg - 0.5), person)) < 1.0
    assert r.symptoms[0][1] != "broad stretch in the muscle"          # what stopped it comes first
    np.testing.assert_allclose(r.intensity[2:].sum(), nf, atol=1e-3)  # the regions share the nerve's part


def test_entrapment_is_held_by_the_mechanics_and_lowers_the_threshold_there():
    person = C.CASES["nerve stuck at the piriformis"].person
    r = L.movement_limit(P(), "hip_flexion", person)
    hf, nf = _by_hand(P(hip_flexion=r.angle_deg), person, entrapment={"piriformis": 1.0})
    assert hf + nf == pytest.approx(1.0, abs=1e-3)
    assert r.limited_by == "nerve" and r.symptoms[0] == ("buttock", "deep pulling or burning")
    free = L.movement_limit(P(), "hip_flexion", person.replace(entrapment=None,
                            nerve_threshold_pct={"hip": person.threshold_pct("hip")}))
    assert r.angle_deg < free.angle_deg          # the hold gathers strain at the buttock: an earlier stop


def test_joint_range_stop_and_block_felt():
    r = L.movement_limit(P(), "hip_flexion", C.CASES["stiff hip"].person)
    assert r.limited_by == "joint range"
    assert r.angle_deg == pytest.approx(45.0)
    assert any("firm block" in how for _, how in r.symptoms)


def test_vectorised_matches_one_by_one():
    people = [p for p in C.class_set(3, 20) if p.answer != "stiff hip"][:12]   # a stiff hip cannot sit at 90 deg
    many = L.movement_limit(C.SLUMP_START, "knee_flexion", [p.person for p in people], direction=-1)
    for i, p in enumerate(people):
        one = L.movement_limit(C.SLUMP_START, "knee_flexion", p.person, direction=-1)
        assert many.angle_deg[i] == pytest.approx(one.angle_deg, abs=1e-6)
        assert many.limited_by[i] == one.limited_by
        assert set(many.symptoms[i]) == set(one.symptoms)
    for why, row in zip(many.limited_by, many.intensity):     # .limited_by names the larger share of D
        if why != "joint range":
            assert (why == "hamstrings") == (row[1] >= row[2:].sum())


def test_height_does_not_change_strain_or_relative_stretch():
    """The sweep uses the default height: check that this is exact for another body."""
    post = P(hip_flexion=[20.0, 60.0, 90.0], cervical_flexion=30.0)
    tall = ns.Body(2.0)
    a, b = nerve_mechanics(post), nerve_mechanics(post, body=tall)
    for s in SYMPTOM_SITES:   # to the mesh: the element length (mech_element_mm) does not scale with height
        np.testing.assert_allclose(a.strain_pct(s), b.strain_pct(s), atol=0.01)
    for mu in HAMSTRINGS:
        np.testing.assert_allclose(muscle_length(post, mu) / muscle_length(P(), mu),
                                   muscle_length(post, mu, body=tall) / muscle_length(P(), mu, body=tall), rtol=1e-12)


def test_bad_input_refused():
    with pytest.raises(ValueError, match="direction"):
        L.movement_limit(P(), "hip_flexion", direction=2)
    with pytest.raises(ValueError, match="unknown joint"):
        L.movement_limit(P(), "elbow")
    with pytest.raises(TypeError, match="Person"):
        L.movement_limit(P(), "hip_flexion", person="tight")
    with pytest.raises(ValueError, match="single posture"):
        L.movement_limit(P(hip_flexion=[0, 10]), "hip_flexion")
    with pytest.raises(ValueError, match="crossed by the hamstrings"):
        L.differentiate(P(), "hip_flexion", "knee_flexion", [0, 30])
    with pytest.raises(ns.OutOfRangeError, match="hip_flexion: 100 deg .* 45 deg"):
        L.movement_limit(P(hip_flexion=100), "hip_flexion", C.CASES["stiff hip"].person)
    with pytest.raises(ns.OutOfRangeError, match="hip_flexion: 90 deg .*start posture"):   # another joint's range
        L.movement_limit(C.SLUMP_START, "knee_flexion", C.CASES["stiff hip"].person, direction=-1)
    with pytest.raises(ValueError, match="weeks"):
        L.after_stretching(Person(), weeks=1)


# -- published figures ------------------------------------------------------------

def test_typical_slr_and_its_spread_inside_published_range():
    row, sd_row = EV_ROW("slr_healthy_mean"), \
        EV_ROW("slr_healthy_sd")
    r = L.movement_limit(P(ankle_dorsiflexion=-20), "hip_flexion", _class())
    a = np.asarray(r.angle_deg)
    assert row["low"] <= a.mean() <= row["high"]
    assert sd_row["low"] <= a.std() <= sd_row["high"]


#: The active-knee-extension start as Kuilart et al. 2005 measured it: lying supine, hip and knee at 90 deg,
#: spine and neck neutral (not the slump: its flexed spine and neck load the nerve, which the test does not).
AKE_START = P(hip_flexion=90, knee_flexion=90)


def test_ake_start_is_the_supine_hip90_knee90_posture():
    assert L.AKE_START == AKE_START          # the evidence row and these tests use the same start


@pytest.mark.xfail(strict=True, reason=(
    "the hamstrings' lever ratio, with the raise anchored at 64 deg: generated healthy people straightening the "
    "knee from the supine hip-90 start stop about 51 deg short of straight (SD about 16), 1.6 deg beyond the "
    "accepted 21.0-49.4 deg. The mean moment arms over the tests' arcs are 66-71 mm at the hip and 23-51 mm at "
    "the knee (Spoor et al. 1990 at the knee, with a mid-range peak; larger at the hip per Visser et al. 1990 and "
    "Kellis & Blazevich 2022), so the paths lengthen 0.35-0.72 times as much per degree at the knee (biceps "
    "femoris long head 0.35, semimembranosus 0.52, semitendinosus 0.72); no published figure found raises that "
    "ratio. About 0.9 deg less true hip flexion in the test than at the end of the raise would land it inside, "
    "but no published measurement shows the knee test tilting the pelvis back more than the raise (Fredriksen "
    "et al. 1997: pelvic motion in a knee-extension test minimal; Bohannon et al. 1985: in the raise the pelvis "
    "turns from the first few degrees and its share grows), so the tilt is not modelled. With the foot pointed "
    "20 deg (the test's descriptions leave the ankle neutral or relaxed) the nerve's share falls and the mean is "
    "49.1 deg, just inside; the source seen does not give Kuilart's ankle, so the start keeps it neutral"))
def test_active_knee_extension_at_hip90_stop_and_spread_inside_published_range():
    """Like for like: Kuilart's supine active knee extension against the same start in the model."""
    row = EV_ROW("knee_extension_hip90")
    r = L.movement_limit(AKE_START, "knee_flexion", _class(), direction=-1)
    a = np.asarray(r.angle_deg)
    assert row["low"] <= a.mean() <= row["high"]
    assert 7.0 <= a.std() <= 21.0           # published SD 14.2 deg, accepted half to one and a half times


def _arc_mm(d_mm, peak_deg, gain, angle_deg):
    """Length change over a flexion arc by the moment-arm law, worked by hand (mm).

    r(t) = d (1 + g sin(pi t / 2p)), integrated from 0 to the angle: d (t + g (2p/pi) (1 - cos(pi t / 2p))).
    """
    t, p = math.radians(angle_deg), math.radians(peak_deg)
    return d_mm * (t + gain * (2 * p / math.pi) * (1 - math.cos(math.pi * t / (2 * p))))


def test_hamstring_lever_ratios_worked_from_the_cited_moment_arms():
    """The knee-to-hip lever ratio that sets the active-knee-extension stop, from the parameter table by hand.

    Offsets (mm) at the hip / knee: semimembranosus 60 / 30, semitendinosus 65 / 45, biceps femoris long
    head 60 / 20; peaks at 45 deg (hip, gain 0.15) and 50 deg (knee, gain 0.2). Over 90 deg the hip arc
    gives d (pi/2 + 0.15) and the knee arc d (pi/2 + 0.2 x 0.5556 x (1 - cos 162 deg)).
    """
    hand = {}
    for m, (dh, dk) in {"semimembranosus": (60, 30), "semitendinosus": (65, 45), "biceps_femoris_lh": (60, 20)}.items():
        hip, knee = _arc_mm(dh, 45, 0.15, 90), _arc_mm(dk, 50, 0.2, 90)
        model_hip = muscle_length(P(hip_flexion=90), m) - muscle_length(P(), m)
        model_knee = muscle_length(P(hip_flexion=90), m) - muscle_length(P(hip_flexion=90, knee_flexion=90), m)
        assert model_hip == pytest.approx(hip, abs=0.01) and model_knee == pytest.approx(knee, abs=0.01)
        hand[m] = knee / hip
    assert hand["biceps_femoris_lh"] == pytest.approx(0.346, abs=0.001)
    assert hand["semimembranosus"] == pytest.approx(0.520, abs=0.001)
    assert hand["semitendinosus"] == pytest.approx(0.719, abs=0.001)
    row = next(r for r in __import__("neuralsim").evidence.comparisons() if r["key"] == "knee_extension_hip90")
    assert "0.35-0.72 times" in row["limitation"] and "66-71 mm at the hip" in row["limitation"]


def test_less_true_hip_flexion_brings_the_knee_stop_towards_straight():
    """What a backward pelvic tilt would do to the active knee extension, within the lever-ratio bounds.

    Every person's knee stops at least as near straight with the hip at 88 deg as at 90. For a stop
    set by the hamstrings' length, each degree of hip is made up by (hip moment arm near 90 deg) / (knee
    moment arm near the stop) degrees of knee: between semitendinosus' 65 x 1.01 / (45 x 1.2) = 1.2 and
    biceps femoris' 60 x 1.01 / (20 x 1.16) = 2.6, the group's mean lies between.
    """
    people = _class()
    at90 = np.asarray(L.movement_limit(AKE_START, "knee_flexion", people, direction=-1).angle_deg)
    at88 = np.asarray(L.movement_limit(AKE_START.replace(hip_flexion=88), "knee_flexion", people,
                                       direction=-1).angle_deg)
    assert np.all(at88 <= at90 + 1e-9)
    assert 1.2 <= (at90.mean() - at88.mean()) / 2.0 <= 2.6
    row = EV_PEOPLE._ev_knee_extension_hip90(None)
    assert row["per_deg"] == pytest.approx((at90.mean() - at88.mean()) / 2.0, abs=1e-9)
    # the smallest lowering of the hip angle that reaches the range's upper end, checked on both sides
    high = EV_ROW("knee_extension_hip90")["high"]
    need = row["tilt_needed"]
    assert 0.0 < need < 10.0
    def mean_at(hip):
        return np.asarray(L.movement_limit(AKE_START.replace(hip_flexion=hip), "knee_flexion", people,
                                           direction=-1).angle_deg).mean()
    assert mean_at(90.0 - need) <= high < mean_at(90.0 - need + 0.1)


def test_pointing_the_foot_in_the_ake_moves_only_the_nerves_share():
    """The ankle is not fixed in the active knee extension (neutral or relaxed, pointed): what that changes.

    The hamstrings do not cross the ankle, so with the nerve out of play (thresholds at the 50 % ceiling)
    the stop is the same with the foot pointed 20 deg; with the typical nerve, pointing the foot unloads
    it, so every stop is as near straight or nearer, and the mean moves by less than the nerve's share.
    """
    people = _class()
    free = people.replace(nerve_threshold_pct={s: 50.0 for s in SYMPTOM_SITES})
    neutral = L.movement_limit(AKE_START, "knee_flexion", free, direction=-1)
    pointed = L.movement_limit(AKE_START.replace(ankle_dorsiflexion=-20), "knee_flexion", free, direction=-1)
    np.testing.assert_allclose(pointed.angle_deg, neutral.angle_deg, atol=1e-6)
    a0 = np.asarray(L.movement_limit(AKE_START, "knee_flexion", people, direction=-1).angle_deg)
    a1 = np.asarray(L.movement_limit(AKE_START.replace(ankle_dorsiflexion=-20), "knee_flexion", people,
                                     direction=-1).angle_deg)
    assert np.all(a1 <= a0 + 1e-9) and np.all(a1 >= np.asarray(neutral.angle_deg) - 1e-9)
    row = EV_PEOPLE._ev_knee_extension_hip90(None)
    assert row["pointed_deg"] == 20 and row["value_pointed"] == pytest.approx(a1.mean(), abs=1e-9)
    assert 0.0 < a0.mean() - a1.mean() < a0.mean() - np.mean(neutral.angle_deg)


def test_slumped_spine_and_neck_never_let_the_knee_go_further_than_the_ake_start():
    """Slumping flexes joints the hamstrings do not cross: it can only add the nerve's load to the knee's stop.

    The supine active-knee-extension start and the slump start differ only in the spine and neck, so every
    person's slump stop is at least as far from straight; direction only (no published slump knee-extension
    angle with numbers for healthy people was found; Johnson & Chiarello 1997 give the neck's direction).
    """
    people = _class()
    supine = L.movement_limit(AKE_START, "knee_flexion", people, direction=-1)
    assert list(supine.limited_by).count("hamstrings") > len(supine.limited_by) / 2     # mostly stretch-led
    slump = L.movement_limit(C.SLUMP_START, "knee_flexion", people, direction=-1)
    gap = np.asarray(slump.angle_deg) - np.asarray(supine.angle_deg)
    assert gap.min() >= -1e-9 and gap.mean() > 0.0
    assert list(slump.limited_by).count("nerve") > list(supine.limited_by).count("nerve")   # the nerve's share grows


def test_slump_looking_up_lets_the_knee_straighten_further():
    """Johnson & Chiarello 1997 (direction): knee extension is smaller with the neck flexed."""
    people = _class()
    down = L.movement_limit(C.SLUMP_START, "knee_flexion", people, direction=-1)
    up = L.movement_limit(C.SLUMP_START.replace(cervical_flexion=-20), "knee_flexion", people, direction=-1)
    gain = np.asarray(down.angle_deg) - np.asarray(up.angle_deg)
    assert gain.min() >= -1e-9 and gain.mean() > 3.0
    assert 0.0 <= np.min(up.angle_deg) and np.max(down.angle_deg) < 89.0      # every knee leaves the start
    assert set(down.limited_by) <= {"hamstrings", "nerve"}


def test_slumped_start_is_not_past_the_nerves_limit():
    """Sitting slumped with the neck flexed and the knee bent is felt faintly or not at all by a typical person."""
    hf, nf = _by_hand(C.SLUMP_START, Person())
    assert hf == 0.0 and nf < 0.25
    hf_up, nf_up = _by_hand(C.SLUMP_START.replace(cervical_flexion=-20), Person())
    assert nf_up < nf                                                  # looking up unloads the nerve


def test_dorsiflexion_lowers_healthy_slr_inside_published_range():
    row = EV_ROW("slr_dorsiflexion_healthy")
    d = L.differentiate(P(), "hip_flexion", "ankle_dorsiflexion", [-20, 20], _class())
    assert row["low"] <= -np.mean(d.change_deg) <= row["high"]
    assert np.all(np.asarray(d.change_deg) <= 1e-9)                    # nobody goes higher with the foot up
    assert d.results[0].limited_by.count("hamstrings") > len(d.results[0].limited_by) / 2   # mostly stretch-led


def test_dorsiflexion_lowers_sensitised_slr_inside_published_range():
    row = EV_ROW("slr_dorsiflexion_sensitised")
    d = L.differentiate(P(), "hip_flexion", "ankle_dorsiflexion", [0, 10], Person(sensitised=True))
    assert row["low"] <= -d.change_deg <= row["high"]
    assert all(r.limited_by == "nerve" for r in d.results)


def test_neck_flexion_sensitises_slr_less_than_dorsiflexion():
    person = Person(sensitised=True)
    ankle = L.differentiate(P(), "hip_flexion", "ankle_dorsiflexion", [0, 10], person)
    neck = L.differentiate(P(), "hip_flexion", "cervical_flexion", [0, 40], person)
    assert 0 < -neck.change_deg < -ankle.change_deg




def test_short_hamstrings_normal_nerve_no_change_from_neck_or_ankle():
    person = C.CASES["short hamstrings"].person
    for remote, angles in (("cervical_flexion", [-40, 0, 40]), ("ankle_dorsiflexion", [-30, 0, 10])):
        d = L.differentiate(P(), "hip_flexion", remote, angles, person)
        assert np.ptp(d.angle_deg) < 1e-6
        assert all(r.limited_by == "hamstrings" for r in d.results)
    d = L.differentiate(C.SLUMP_START, "knee_flexion", "cervical_flexion", [45, -20], person, direction=-1)
    assert d.change_deg == pytest.approx(0.0, abs=1e-6)


def test_sensitised_nerve_stops_earlier_and_neck_release_changes_it():
    typical = L.movement_limit(P(), "hip_flexion")
    sens = L.movement_limit(P(), "hip_flexion", Person(sensitised=True))
    assert sens.angle_deg < typical.angle_deg - 10
    assert sens.limited_by == "nerve"
    slr = L.differentiate(P(), "hip_flexion", "cervical_flexion", [40, 0], Person(sensitised=True))
    assert slr.change_deg > 3.0              # releasing the neck lets the leg go higher


# -- properties --------------------------------------------------------------------

people_st = st.builds(
    Person,
    mobility=st.sampled_from(["hypomobile", "typical", "hypermobile"]),
    hamstring_tolerance_pct=st.floats(3.0, 30.0),
    sensitised=st.booleans(),
    entrapment=st.one_of(st.none(), st.fixed_dictionaries({"piriformis": st.floats(0.0, 1.0)})),
)
moves = st.sampled_from([(P(), "hip_flexion", 1), (C.SLUMP_START, "knee_flexion", -1),
                         (P(knee_flexion=60), "knee_flexion", -1)])


@settings(max_examples=40, deadline=None)
@given(people_st, moves)
def test_stop_never_exceeds_joint_range(person, move):
    start, joint, direction = move
    r = L.movement_limit(start, joint, person, direction=direction)
    lo, hi = person.joint_range(joint)
    assert lo[0] - 1e-9 <= r.angle_deg <= hi[0] + 1e-9
    a0 = getattr(start, joint)
    assert (r.angle_deg - a0) * direction >= -1e-9


@settings(max_examples=40, deadline=None)
@given(people_st, st.floats(0.3, 1.0), st.floats(0.3, 1.0), moves)
def test_less_extensible_or_more_sensitive_never_goes_further(person, f_tol, f_thr, move):
    start, joint, direction = move
    base = L.movement_limit(start, joint, person, direction=direction)
    tighter = person.replace(hamstring_tolerance_pct=max(0.5, person.hamstring_tolerance_pct * f_tol))
    touchier = person.replace(nerve_threshold_pct={s: v * f_thr for s, v in person.nerve_threshold_pct.items()})
    for other in (tighter, touchier):
        r = L.movement_limit(start, joint, other, direction=direction)
        assert (r.angle_deg - base.angle_deg) * direction <= 1e-3


@settings(max_examples=25, deadline=None)
@given(people_st, st.floats(-50, 45), st.floats(-35, 15))   # inside every mobility class's range
def test_result_independent_of_order_remote_joints_were_set(person, neck, ankle):
    a = P().replace(cervical_flexion=neck).replace(ankle_dorsiflexion=ankle)
    b = P().replace(ankle_dorsiflexion=ankle).replace(cervical_flexion=neck)
    ra = L.movement_limit(a, "hip_flexion", person)
    rb = L.movement_limit(b, "hip_flexion", person)
    assert ra.angle_deg == rb.angle_deg and ra.limited_by == rb.limited_by and ra.symptoms == rb.symptoms


# -- forward bend and stretching ------------------------------------------------------

def test_stiff_hip_forces_spinal_rounding_which_tensions_the_nerve_not_the_hamstrings():
    typical = L.forward_bend(Person(), 90.0)
    stiff = L.forward_bend(C.CASES["stiff hip"].person, 90.0)
    assert stiff["hip_deg"] == pytest.approx(45.0)
    assert stiff["lumbar_deg"] + stiff["thoracic_deg"] > typical["lumbar_deg"] + typical["thoracic_deg"]
    assert stiff["reached_deg"] == pytest.approx(90.0)
    hip_only = nerve_mechanics(P(hip_flexion=45.0))
    assert stiff["nerve_strain_pct"]["lumbar_roots"] > hip_only.in_situ_strain_pct("lumbar_roots") + 1.0
    rounded = P(hip_flexion=45.0, lumbar_flexion=stiff["lumbar_deg"], thoracic_flexion=stiff["thoracic_deg"])
    for mu in HAMSTRINGS:   # the rounding adds nothing to the hamstrings
        assert muscle_length(rounded, mu) == pytest.approx(muscle_length(P(hip_flexion=45.0), mu))


def test_four_weeks_of_stretching_follows_ylinen():
    row = EV_ROW("ylinen_four_weeks")
    short = C.CASES["short hamstrings"].person
    before = L.movement_limit(P(), "hip_flexion", short)
    after = L.movement_limit(P(), "hip_flexion", L.after_stretching(short, 4))
    assert after.angle_deg - before.angle_deg == pytest.approx(row["low"], abs=0.05)
    nerve = C.CASES["sensitised nerve"].person
    assert L.movement_limit(P(), "hip_flexion", L.after_stretching(nerve)).angle_deg == pytest.approx(
        L.movement_limit(P(), "hip_flexion", nerve).angle_deg)


def test_after_stretching_for_many_people():
    singles = [C.CASES[k].person for k in C.CASES]
    many = Person.stack(singles)
    stretched = L.after_stretching(many, 4)
    assert np.asarray(stretched.hamstring_tolerance_pct).shape == (len(singles),)
    assert np.all(np.asarray(stretched.hamstring_tolerance_pct) > many.tolerance())

# -- the input contract and the size limits ---------------------------------------------------------------

@pytest.mark.parametrize("bad", [["0", "10"], [False, True], [b"0", b"1"], [0, None], np.array([0, 10j]),
                                 np.ma.masked_array([0.0, 10.0], mask=[False, True])])
def test_differentiate_refuses_remote_angles_that_are_not_numbers(bad):
    with pytest.raises(TypeError, match=r"remote_angles \(ankle_dorsiflexion\): .*-60 to 24 deg"):
        ns.differentiate(ns.Posture(), "hip_flexion", "ankle_dorsiflexion", bad)


def test_differentiate_refuses_remote_angles_out_of_range_or_of_the_wrong_shape():
    with pytest.raises(ns.OutOfRangeError, match=r"remote_angles \(ankle_dorsiflexion\): 1.000e\+400"):
        ns.differentiate(ns.Posture(), "hip_flexion", "ankle_dorsiflexion", [0, 10**400])
    with pytest.raises(ValueError, match=r"at least two angles in deg, got shape \(2, 1\)"):
        ns.differentiate(ns.Posture(), "hip_flexion", "ankle_dorsiflexion", [[0], [10]])


@pytest.mark.parametrize("bad", [np.True_, True, 1.0, "+1", None, np.timedelta64(1, "D")])
def test_direction_is_plus_or_minus_one_as_an_integer(bad):
    with pytest.raises(TypeError, match=r"direction: .* is not a whole number; give \+1 or -1"):
        ns.movement_limit(ns.Posture(), "hip_flexion", direction=bad)


def test_direction_as_a_numpy_integer_is_the_same_movement():
    a = ns.movement_limit(ns.Posture(), "knee_flexion", direction=np.int8(1))
    b = ns.movement_limit(ns.Posture(), "knee_flexion", direction=1)
    assert a.angle_deg == b.angle_deg and type(a.direction) is int


def test_differentiate_is_movement_limit_at_each_remote_angle_swept_at_once():
    # the definition: the stop at each remote angle is movement_limit's with the remote joint set there
    people = Person.stack([p.person for p in C.class_set(11, 12) if p.answer != "stiff hip"])
    angles = [-20.0, 0.0, 10.0, 20.0]
    d = ns.differentiate(ns.Posture(), "hip_flexion", "ankle_dorsiflexion", angles, people)
    for r, res in zip(angles, d.results):
        one = ns.movement_limit(ns.Posture(ankle_dorsiflexion=r), "hip_flexion", people)
        assert np.array_equal(res.angle_deg, one.angle_deg)
        assert res.limited_by == one.limited_by
        assert np.array_equal(res.intensity, one.intensity)            # bit for bit, as before
        assert all(np.array_equal(res.nerve_strain_pct[k], one.nerve_strain_pct[k]) for k in SYMPTOM_SITES)
        assert res.start == one.start
    assert np.array_equal(d.angle_deg, np.array([r.angle_deg for r in d.results]))
    assert np.array_equal(d.change_deg, d.angle_deg[-1] - d.angle_deg[0])


def test_a_thousand_remote_angles_take_one_sweep_not_a_thousand():
    import time
    t = time.perf_counter()
    d = ns.differentiate(ns.Posture(), "hip_flexion", "ankle_dorsiflexion", np.linspace(-20, 20, 1000))
    took = time.perf_counter() - t
    assert d.angle_deg.shape == (1000,)
    # one movement_limit takes about 0.05-0.15 s here, so a loop over the angles would take minutes;
    # the bound leaves room for a loaded machine
    assert took < 40.0, took
    # the stop falls as the foot comes up (the nerve is tensioned from below): monotone over the sweep
    assert np.all(np.diff(d.angle_deg) <= 1e-9)


def test_sizes_past_the_limits_are_refused_before_the_work():
    import time
    assert (L.MAX_PEOPLE, L.MAX_REMOTE_ANGLES) == (10_000, 1_000)
    many = Person(height_m=np.full(10**6, 1.75))
    t = time.perf_counter()
    with pytest.raises(ValueError, match="person: 1,000,000 people is more than the limit of 10,000 people"):
        ns.movement_limit(ns.Posture(), "hip_flexion", many)
    with pytest.raises(ValueError, match="remote_angles: 1,000,000 remote angles is more than the limit of 1,000"):
        ns.differentiate(ns.Posture(), "hip_flexion", "ankle_dorsiflexion", np.zeros(10**6))
    with pytest.raises(ValueError, match=r"remote_angles x people: 20,000 rows .* limit of 10,000"):
        ns.differentiate(ns.Posture(), "hip_flexion", "ankle_dorsiflexion", [0.0, 10.0],
                         Person(height_m=np.full(10_000, 1.75)))
    assert time.perf_counter() - t < 10.0


def test_results_are_read_only():
    people = Person(height_m=[1.7, 1.8])
    r = ns.movement_limit(ns.Posture(), "hip_flexion", people)
    d = ns.differentiate(ns.Posture(), "hip_flexion", "ankle_dorsiflexion", [0, 10], people)
    for a in (r.angle_deg, r.intensity, r.nerve_strain_pct["hip"], r.discomfort, d.angle_deg, d.change_deg,
              d.remote_angles_deg, d.symptoms_change, d.results[0].angle_deg):
        assert isinstance(a, np.ndarray) and not a.flags.writeable


@pytest.mark.parametrize("bad,exc", [(np.True_, TypeError), ("90", TypeError), (10**400, ns.OutOfRangeError),
                                     (151.0, ns.OutOfRangeError), (float("nan"), ns.OutOfRangeError)])
def test_forward_bend_checks_the_lean_with_the_shared_check(bad, exc):
    with pytest.raises(exc, match="trunk lean: .*0 to 150 deg"):
        L.forward_bend(None, bad)
    assert L.forward_bend(None, np.float32(60.0))["reached_deg"] == L.forward_bend(None, 60.0)["reached_deg"]
