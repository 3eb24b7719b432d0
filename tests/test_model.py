"""Properties over the whole range, the public API's shapes, and the slump protocol."""
import math

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import neuralsim as ns
from neuralsim import protocols
from neuralsim.model import angle_for_bed_length

HAMSTRINGS = ns.HAMSTRINGS

# the direction in which each joint lengthens the nerve bed (clinical sign)
LENGTHENING = {
    "cervical_flexion": +1, "thoracic_flexion": +1, "lumbar_flexion": +1, "hip_flexion": +1,
    "hip_adduction": +1, "hip_internal_rotation": +1, "knee_flexion": -1, "ankle_dorsiflexion": +1,
}


def angle(joint):
    lo, hi = ns.joint_range(joint)
    return st.floats(lo, hi, allow_nan=False, allow_infinity=False)


postures = st.fixed_dictionaries({j: angle(j) for j in ns.JOINTS})


@settings(max_examples=300, deadline=None)
@given(start=postures, joint=st.sampled_from(ns.JOINTS), t=st.floats(0, 1))
def test_each_lengthening_movement_never_shortens_the_bed(start, joint, t):
    lo, hi = ns.joint_range(joint)
    a = start[joint]
    end = a + t * ((hi if LENGTHENING[joint] > 0 else lo) - a)
    before = ns.nerve_bed_length(ns.Posture(**start))
    after = ns.nerve_bed_length(ns.Posture(**{**start, joint: end}))
    assert after >= before - 1e-9


@settings(max_examples=200, deadline=None)
@given(start=postures, other=postures)
def test_hamstrings_ignore_neck_trunk_and_ankle(start, other):
    moved = dict(start)
    for j in ("cervical_flexion", "thoracic_flexion", "lumbar_flexion", "ankle_dorsiflexion"):
        moved[j] = other[j]
    for m in HAMSTRINGS:
        assert ns.muscle_length(ns.Posture(**moved), m) == ns.muscle_length(ns.Posture(**start), m)


@settings(max_examples=200, deadline=None)
@given(start=postures, other=postures)
def test_gastrocnemius_ignores_hip_neck_and_trunk(start, other):
    moved = dict(start)
    for j in ("cervical_flexion", "thoracic_flexion", "lumbar_flexion", "hip_flexion",
              "hip_adduction", "hip_internal_rotation"):
        moved[j] = other[j]
    assert ns.muscle_length(ns.Posture(**moved), "gastrocnemius") == \
        ns.muscle_length(ns.Posture(**start), "gastrocnemius")


@settings(max_examples=200, deadline=None)
@given(p=postures, ref=postures)
def test_contributions_sum_to_the_total_change(p, ref):
    P, R = ns.Posture(**p), ns.Posture(**ref)
    c = ns.bed_contributions(P, reference=R)
    assert set(c) == set(ns.JOINTS)
    total = ns.nerve_bed_length(P) - ns.nerve_bed_length(R)
    assert math.fsum(c.values()) == pytest.approx(total, abs=1e-9)


@settings(max_examples=100, deadline=None)
@given(end=postures, order=st.permutations(ns.JOINTS), detour=postures)
def test_same_end_posture_same_lengths_whatever_the_order(end, order, detour):
    """Move joint by joint, in any order and via any detour: the end lengths are the same."""
    current = dict(detour)
    for j in order:
        current[j] = end[j]
        ns.nerve_bed_length(ns.Posture(**current))     # each step is a valid posture
    p_path, p_direct = ns.Posture(**current), ns.Posture(**end)
    assert ns.nerve_bed_length(p_path) == ns.nerve_bed_length(p_direct)
    for m in ns.MUSCLES:
        assert ns.muscle_length(p_path, m) == ns.muscle_length(p_direct, m)


@settings(max_examples=50, deadline=None)
@given(st.lists(postures, min_size=1, max_size=8))
def test_vectorised_equals_one_at_a_time(rows):
    arr = np.array([[r[j] for j in ns.JOINTS] for r in rows])
    many = ns.nerve_bed_length(arr)
    assert many.shape == (len(rows),)
    for i, r in enumerate(rows):
        assert many[i] == pytest.approx(ns.nerve_bed_length(ns.Posture(**r)), abs=1e-9)
    rel = ns.relative_bed_length(ns.Posture.from_array(arr))
    assert rel.shape == (len(rows),)
    mus = ns.muscle_length(arr, "semitendinosus")
    assert mus.shape == (len(rows),)
    contrib = ns.bed_contributions(arr)
    assert all(np.shape(v) == (len(rows),) for v in contrib.values())


def test_broadcast_shapes():
    p = ns.Posture(hip_flexion=np.linspace(0, 90, 4)[:, None], knee_flexion=np.linspace(0, 90, 3)[None, :])
    assert p.shape == (4, 3)
    L = ns.nerve_bed_length(p)
    assert L.shape == (4, 3)
    # along each row knee flexion shortens; down each column hip flexion lengthens
    assert np.all(np.diff(L, axis=1) < 0) and np.all(np.diff(L, axis=0) > 0)
    assert isinstance(ns.nerve_bed_length(ns.Posture()), float)


def test_relative_length_is_one_at_the_reference():
    for _name, p in protocols.SLUMP_SEED:
        assert ns.relative_bed_length(p, reference=p) == pytest.approx(1.0)
    assert ns.relative_bed_length(ns.Posture()) == 1.0
    sit = protocols.SITTING
    assert ns.relative_bed_length(sit) == pytest.approx(
        ns.nerve_bed_length(sit) / ns.nerve_bed_length(ns.Posture()))


def test_posture_is_immutable_and_fills_neutral():
    p = ns.Posture(knee_flexion=30)
    with pytest.raises(Exception):
        p.knee_flexion = 10
    assert p.hip_flexion == 0.0 and p.ankle_dorsiflexion == 0.0
    arr = ns.Posture(knee_flexion=[10, 20])
    with pytest.raises(ValueError):
        arr.knee_flexion[0] = 5
    assert ns.Posture(knee_flexion=30) == ns.Posture(knee_flexion=30.0)
    assert len({ns.Posture(), ns.Posture(hip_flexion=0)}) == 1


# -- the slump test ---------------------------------------------------------

def test_slump_seed_order_and_names():
    names = [n for n, _ in protocols.SLUMP_SEED]
    assert names == ["sit, feet off the ground", "slump, arms behind, look ahead", "extend one knee",
                     "look down", "dorsiflex the ankle", "look up"]


def test_slump_bed_rises_then_falls_at_look_up_while_hamstrings_change_only_at_the_knee():
    steps = protocols.SLUMP_SEED
    beds = [ns.nerve_bed_length(p) for _, p in steps]
    ham = {m: [ns.muscle_length(p, m) for _, p in steps] for m in HAMSTRINGS}
    rises = np.diff(beds)
    assert rises[0] > 0        # slump
    assert rises[1] > 0        # extend one knee
    assert rises[2] > 0        # look down
    assert rises[3] > 0        # dorsiflex
    assert rises[4] < 0        # look up
    for m in HAMSTRINGS:
        d = np.diff(ham[m])
        assert d[1] > 0                              # knee extension stretches the hamstrings
        assert np.all(d[[0, 2, 3, 4]] == 0.0)       # nothing else changes them


def test_looking_up_changes_the_nerve_not_the_hamstrings():
    _, end = protocols.SLUMP_SEED[4]
    _, up = protocols.SLUMP_SEED[5]
    c = ns.bed_contributions(up, reference=end)
    assert c["cervical_flexion"] < 0
    assert all(v == 0 for j, v in c.items() if j != "cervical_flexion")


def test_classic_order_reaches_the_same_tension_before_release():
    seed_df = dict(protocols.SLUMP_SEED)["dorsiflex the ankle"]
    classic_df = dict(protocols.SLUMP_CLASSIC)["dorsiflexion"]
    assert seed_df.replace(cervical_flexion=45) == classic_df.replace(cervical_flexion=45)
    classic = [ns.nerve_bed_length(p) for _, p in protocols.SLUMP_CLASSIC]
    assert np.all(np.diff(classic)[:4] > 0) and np.diff(classic)[4] < 0


def test_forward_bend_hip_hinge_vs_spinal_flexion():
    """Hinging changes the hamstrings a lot; rounding the spine loads the nerve more for the same hip angle."""
    hinge = protocols.FORWARD_BEND_HIP_HINGE[-1].posture
    round_ = protocols.FORWARD_BEND_SPINAL[-1].posture
    st_hinge = ns.muscle_length(hinge, "semitendinosus") - ns.muscle_length(ns.Posture(), "semitendinosus")
    st_round = ns.muscle_length(round_, "semitendinosus") - ns.muscle_length(ns.Posture(), "semitendinosus")
    assert st_hinge > 2 * st_round
    spine = ns.bed_contributions(round_)
    assert spine["cervical_flexion"] + spine["thoracic_flexion"] + spine["lumbar_flexion"] > 0.5 * spine["hip_flexion"]


def test_slr_sensitisers_each_add_length():
    beds = [ns.nerve_bed_length(p) for _, p in protocols.SLR_SENSITISERS]
    assert np.all(np.diff(beds) > 0)


def test_angle_for_bed_length_inverts_the_law():
    base = ns.Posture(hip_flexion=90, lumbar_flexion=30, thoracic_flexion=30, knee_flexion=90)
    for target_knee in (80.0, 45.0, 10.0, 0.0, -3.0):
        L = ns.nerve_bed_length(base.replace(knee_flexion=target_knee))
        assert angle_for_bed_length(base, "knee_flexion", L) == pytest.approx(target_knee, abs=1e-9)
    # a length beyond reach within the knee's range is reported as nan, not clamped
    assert math.isnan(angle_for_bed_length(base, "knee_flexion", ns.nerve_bed_length(base) + 500))
    # vectorised over targets
    out = angle_for_bed_length(base, "hip_flexion", ns.nerve_bed_length(base) + np.array([0.0, 10.0]))
    assert out.shape == (2,) and out[0] == pytest.approx(90.0) and out[1] > 90.0


def test_body_size_and_mobility_change_numbers_sensibly():
    small, tall = ns.Body(height_m=1.5), ns.Body(height_m=2.0)
    p = ns.Posture(hip_flexion=90)
    ratio = ns.nerve_bed_length(p, body=tall) / ns.nerve_bed_length(p, body=small)
    assert ratio == pytest.approx(2.0 / 1.5)            # isometric scaling
    assert ns.relative_bed_length(p, body=tall) == pytest.approx(ns.relative_bed_length(p, body=small))
    hyper = ns.Body(mobility="hypermobile")
    assert ns.joint_range("knee_flexion", "hypermobile")[0] < ns.joint_range("knee_flexion")[0]
    ns.nerve_bed_length(ns.Posture(knee_flexion=-6), body=hyper)   # allowed for a hypermobile body
    with pytest.raises(ValueError, match="typical range"):
        ns.nerve_bed_length(ns.Posture(knee_flexion=-6))
