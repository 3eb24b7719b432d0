"""The public model functions (neuralsim/model.py): properties over the whole range, the shapes of the
results, bad input to them."""
import math

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import neuralsim as ns
from neuralsim.model import protocols
from neuralsim.model import angle_for_bed_length
from support import _assert_full_message

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


# -- the angle that gives a bed length -----------------------------------------


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


# -- bad input to the model functions, and the broadcast shape of their results ----------------

def test_typical_body_refuses_what_a_hypermobile_posture_allows():
    lo, hi = ns.joint_range("hip_flexion")
    p = ns.Posture(hip_flexion=hi + 5)          # fine for a hypermobile person
    for fn in (ns.nerve_bed_length, ns.relative_bed_length, ns.bed_contributions,
               lambda q: ns.muscle_length(q, "semitendinosus")):
        with pytest.raises(ValueError) as err:
            fn(p)
        _assert_full_message(err, "hip_flexion", f"{hi + 5:g}", lo, hi)
        assert "typical" in str(err.value)


def test_unknown_view():
    from neuralsim.model import drawing
    with pytest.raises(ValueError, match="unknown view 'upside_down'"):
        drawing(ns.Posture(), view="upside_down")


def test_issue_inputs_that_now_work():
    b = ns.Body(np.float32(1.75))
    assert b.height_m == 1.75 and b == ns.Body(1.75)
    # only the neck varies: semitendinosus does not cross it, but the result has the posture's shape
    st_len = ns.muscle_length(ns.Posture(cervical_flexion=[0, 10, 20]), "semitendinosus")
    assert st_len.shape == (3,) and np.all(st_len == ns.muscle_length(ns.Posture(), "semitendinosus"))
    c = ns.bed_contributions(ns.Posture(knee_flexion=[0, 10, 20]), ns.Posture(hip_flexion=[[0], [10]]))
    assert {np.shape(v) for v in c.values()} == {(2, 3)}
    # hand value: reference hip 10 deg wraps 41 mm x 10 deg; the posture has hip 0, so -41 x pi/18 mm
    assert c["hip_flexion"][1] == pytest.approx([-41 * math.pi / 18] * 3, abs=1e-9)
    assert c["hip_flexion"][0] == pytest.approx([0.0] * 3, abs=1e-12)
    assert c["cervical_flexion"].shape == (2, 3) and not c["cervical_flexion"].any()


_shape = st.lists(st.integers(1, 3), max_size=2).map(tuple)


@settings(max_examples=150, deadline=None)
@given(shapes=st.dictionaries(st.sampled_from(ns.JOINTS), _shape, max_size=3),
       ref_shape=_shape, ref_joint=st.sampled_from(ns.JOINTS), muscle=st.sampled_from(sorted(ns.MUSCLES)))
def test_results_have_the_broadcast_shape_of_all_inputs(shapes, ref_shape, ref_joint, muscle):
    try:
        p_shape = np.broadcast_shapes(*shapes.values()) if shapes else ()
    except ValueError:
        with pytest.raises(ValueError, match="broadcast"):
            ns.Posture(**{j: np.full(s, 5.0) for j, s in shapes.items()})
        return
    p = ns.Posture(**{j: np.full(s, 5.0) for j, s in shapes.items()})
    r = ns.Posture(**{ref_joint: np.full(ref_shape, 5.0)})
    assert np.shape(ns.nerve_bed_length(p)) == p_shape
    assert np.shape(ns.muscle_length(p, muscle)) == p_shape
    try:
        both = np.broadcast_shapes(p_shape, ref_shape)
    except ValueError:
        for fn in (ns.relative_bed_length, ns.bed_contributions):
            with pytest.raises(ValueError) as err:
                fn(p, r)
            assert f"shape {p_shape}" in str(err.value) and f"shape {ref_shape}" in str(err.value)
        return
    assert np.shape(ns.relative_bed_length(p, r)) == both
    contrib = ns.bed_contributions(p, r)
    assert {j: np.shape(v) for j, v in contrib.items()} == {j: both for j in ns.JOINTS}
    # the contributions still sum to the change of length (every angle 5 deg: a hand-checkable case)
    total = sum(np.asarray(v) for v in contrib.values())
    assert np.allclose(total, ns.nerve_bed_length(p) - ns.nerve_bed_length(r))


def test_body_is_keyword_only_with_a_clear_message():
    with pytest.raises(TypeError, match="body is keyword-only"):
        ns.nerve_bed_length(ns.Posture(), ns.DEFAULT_BODY)
    with pytest.raises(TypeError):
        ns.muscle_length(ns.Posture(), "semitendinosus", ns.DEFAULT_BODY)
    assert ns.nerve_bed_length(ns.Posture(), body=ns.Body(2.0)) == pytest.approx(
        ns.nerve_bed_length(ns.Posture()) * 2.0 / 1.75)




# -- the drawing: the same chain as the lengths, by hand -------------------------------------------------

H = 1750.0   # the default body, mm
# Winter's segment fractions of body height (data/parameters.csv): thigh 0.245, shank 0.246, foot 0.152,
# ankle height 0.039, cervical 0.065, thoracic 0.16, lumbar 0.10, hip centre to L5/S1 0.057 up and 0.020 back,
# head 0.130; the heel lies 0.22 of the foot behind the ankle centre
THIGH, SHANK, FOOT, ANKLE_H = 0.245 * H, 0.246 * H, 0.152 * H, 0.039 * H
CERV, THOR, LUMB, PELV_UP, PELV_BACK, HEAD = 0.065 * H, 0.16 * H, 0.10 * H, 0.057 * H, 0.020 * H, 0.130 * H
HEEL = 0.22 * FOOT


def test_drawing_standing_is_the_segment_chain_by_hand():
    from neuralsim.model import drawing
    d = drawing(ns.Posture())
    j = d["joints"]
    # standing: the hip at the origin, the spine straight up from L5/S1 (behind and above the hip), the leg
    # straight down, the foot forwards
    want = {
        "hip": (0.0, 0.0), "knee": (0.0, -THIGH), "ankle": (0.0, -THIGH - SHANK),
        "heel": (-HEEL, -THIGH - SHANK - ANKLE_H), "toe": (FOOT - HEEL, -THIGH - SHANK - ANKLE_H),
        "l5_s1": (-PELV_BACK, PELV_UP), "t12_l1": (-PELV_BACK, PELV_UP + LUMB),
        "c7_t1": (-PELV_BACK, PELV_UP + LUMB + THOR), "c1": (-PELV_BACK, PELV_UP + LUMB + THOR + CERV),
    }
    assert set(j) == set(want)
    for name, xy in want.items():
        assert j[name] == pytest.approx(xy, abs=1e-9), name
    spine, leg = d["skeleton"]
    assert np.array_equal(spine, np.array([j[k] for k in ("c1", "c7_t1", "t12_l1", "l5_s1", "hip")]))
    assert np.array_equal(leg, np.array([j[k] for k in ("hip", "knee", "ankle", "heel", "toe", "ankle")]))
    # the head: radius 0.75 x half its height, centred 0.15 of its height in front of the neck's axis,
    # its circle through C1 (the skull sits on the top of the neck)
    centre, r = d["head"]
    fwd = 0.15 * HEAD
    assert r == pytest.approx(0.5 * HEAD * 0.75)
    assert centre == pytest.approx((-PELV_BACK + fwd, j["c1"][1] + math.sqrt(r**2 - fwd**2)))
    assert math.dist(centre, j["c1"]) == pytest.approx(r)
    assert set(d) >= {"joints", "skeleton", "head", "nerve", "nerves", "muscles", "frames", "angles",
                      "nerve_drawn_length_mm"}


def test_drawing_turns_each_segment_by_its_joint():
    from neuralsim.model import drawing
    # knee flexed 90 deg: the shank points backwards from the knee, the foot (at a right angle to it) down
    j = drawing(ns.Posture(knee_flexion=90.0))["joints"]
    assert j["knee"] == pytest.approx((0.0, -THIGH), abs=1e-9)
    assert j["ankle"] == pytest.approx((-SHANK, -THIGH), abs=1e-9)
    assert j["heel"] == pytest.approx((-SHANK - ANKLE_H, -THIGH + HEEL), abs=1e-9)
    assert j["toe"] == pytest.approx((-SHANK - ANKLE_H, -THIGH - (FOOT - HEEL)), abs=1e-9)
    # the neck flexed 60 deg: C1 ends forwards and down of straight above C7/T1, the head's circle through it
    d = drawing(ns.Posture(cervical_flexion=60.0))
    c7 = np.asarray(d["joints"]["c7_t1"])
    assert c7 == pytest.approx((-PELV_BACK, PELV_UP + LUMB + THOR), abs=1e-9)
    assert d["joints"]["c1"] == pytest.approx(c7 + (CERV * math.sin(math.pi / 3), CERV * 0.5), abs=1e-9)
    centre, r = d["head"]
    assert math.dist(centre, d["joints"]["c1"]) == pytest.approx(r)
    # lying supine the body turns 90 deg: the head towards -x, the feet towards +x, the toes up
    j = drawing(ns.Posture(), view="supine")["joints"]
    assert j["knee"] == pytest.approx((THIGH, 0.0), abs=1e-9)
    assert j["ankle"] == pytest.approx((THIGH + SHANK, 0.0), abs=1e-9)
    assert j["toe"] == pytest.approx((THIGH + SHANK + ANKLE_H, FOOT - HEEL), abs=1e-9)
    assert j["c1"] == pytest.approx((-(PELV_UP + LUMB + THOR + CERV), -PELV_BACK), abs=1e-9)
    # the same with the angles already checked (as compute passes them): the view still holds
    angles = {k: 0.0 for k in ns.JOINTS}
    assert drawing(None, view="supine", angles=angles)["joints"]["knee"] == pytest.approx((THIGH, 0.0), abs=1e-9)


def test_drawing_draws_only_the_structures_asked_for():
    from neuralsim.model import drawing
    d = drawing(ns.Posture(), structures=["femoral", "rectus_femoris"])
    assert set(d["nerves"]) == {"femoral"} and set(d["muscles"]) == {"rectus_femoris"}
    assert d["nerve"] is d["nerves"]["femoral"]      # no sciatic drawn: the first nerve drawn
    # standing, no out-of-plane term: the drawn bed is as long as the computed one
    assert d["nerve_drawn_length_mm"] == pytest.approx(ns.nerve_bed_length(ns.Posture(), "femoral"))
    d = drawing(ns.Posture(), structures=["semitendinosus"])
    assert d["nerves"] == {} and d["nerve"] is None and d["nerve_drawn_length_mm"] is None
    assert set(d["muscles"]) == {"semitendinosus"}
    d = drawing(ns.Posture())
    assert set(d["nerves"]) == set(ns.NERVES) and set(d["muscles"]) == set(ns.MUSCLES)
    assert d["nerve"] is d["nerves"]["sciatic"]
