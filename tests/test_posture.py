"""Postures (neuralsim/posture.py): immutable, neutral by default, shapes and types checked."""
import numpy as np
import pytest

import neuralsim as ns


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


def test_wrong_shapes():
    with pytest.raises(ValueError) as err:
        ns.nerve_bed_length(np.zeros((5, 7)))
    assert "(..., 8)" in str(err.value) and "(5, 7)" in str(err.value) and "deg" in str(err.value)
    with pytest.raises(ValueError) as err:
        ns.Posture(hip_flexion=np.zeros(3), knee_flexion=np.zeros(4))
    assert "broadcast" in str(err.value) and "hip_flexion(3,)" in str(err.value)
    with pytest.raises(ValueError, match="single posture"):
        from neuralsim.model import drawing
        drawing(ns.Posture(knee_flexion=[0, 10]))


def test_wrong_posture_type():
    with pytest.raises(TypeError, match="expected a Posture"):
        ns.nerve_bed_length("slump")
    with pytest.raises(TypeError, match="expected a Posture"):
        ns.nerve_bed_length(42)


# -- replace: one posture changed by a slider (the explorer's fast path) -----------------------
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_WIDE = {j: ns.joint_range(j, "hypermobile") for j in ns.JOINTS}


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_replace_gives_the_posture_the_constructor_gives(data):
    """Over every joint's whole hypermobile range, with ints or floats and with values just
    outside it: ``replace`` equals building the posture afresh, or refuses it the same way."""
    base = {j: data.draw(st.floats(*_WIDE[j])) for j in ns.JOINTS}
    p = ns.Posture(**base)
    joint = data.draw(st.sampled_from(ns.JOINTS))
    lo, hi = _WIDE[joint]
    value = data.draw(st.one_of(st.floats(lo, hi), st.integers(int(np.ceil(lo)), int(np.floor(hi))),
                                st.floats(hi + 0.01, hi + 500), st.floats(lo - 500, lo - 0.01),
                                st.just(float("nan")), st.booleans()))
    try:
        want = ns.Posture(**{**base, joint: value})
    except (TypeError, ValueError) as e:
        with pytest.raises(type(e)) as got:
            p.replace(**{joint: value})
        assert str(got.value) == str(e) and joint in str(e)
        return
    got = p.replace(**{joint: value})
    assert got == want and hash(got) == hash(want) and got.shape == ()
    assert all(type(getattr(got, j)) is float for j in ns.JOINTS)
    assert getattr(got, joint) == float(value) and p == ns.Posture(**base)      # p itself unchanged

# -- from_array blames the joint whose value is wrong; sizes are bounded -----------------------------------

@pytest.mark.parametrize("k", range(8))
@pytest.mark.parametrize("bad,exc", [(True, TypeError), ("90", TypeError), (np.bool_(False), TypeError),
                                     (10**400, ns.OutOfRangeError), (float("nan"), ns.OutOfRangeError),
                                     (1 + 2j, TypeError)])
def test_from_array_blames_the_joint_at_the_bad_position(k, bad, exc):
    row = [0.0] * 8
    row[k] = bad
    joint = ns.JOINTS[k]
    lo, hi = ns.joint_range(joint, "hypermobile")
    with pytest.raises(exc) as err:
        ns.Posture.from_array(row)
    assert str(err.value).startswith(f"{joint}:") and f"{lo:g} to {hi:g} deg" in str(err.value)


def test_from_array_of_plain_numbers_and_of_numpy_scalars_is_the_same_posture():
    row = [1, 2.5, np.float32(3.0), np.int8(4), 5, np.array(6.0), 7, 8]
    p = ns.Posture.from_array(row)
    assert p.as_array().tolist() == [1.0, 2.5, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0]
    assert ns.Posture.from_array([[0] * 8, [0, 1, 0, 0, 0, 0, 0, 0]]).thoracic_flexion.tolist() == [0.0, 1.0]


def test_a_masked_array_is_refused_by_from_array_and_by_each_angle():
    with pytest.raises(TypeError, match="masked"):
        ns.Posture.from_array(np.ma.masked_array(np.zeros(8), mask=[True] + [False] * 7))
    with pytest.raises(TypeError, match="knee_flexion: a masked array"):
        ns.Posture(knee_flexion=np.ma.masked_array([10.0, 20.0], mask=[False, True]))


def test_a_posture_broadcasting_past_a_million_is_refused_before_anything_that_size_is_made():
    import time
    from neuralsim.core.errors import MAX_POSTURES
    assert MAX_POSTURES == 10**6
    assert ns.Posture(hip_flexion=np.zeros((1000, 1)), knee_flexion=np.zeros(1000)).shape == (1000, 1000)
    t = time.perf_counter()
    with pytest.raises(ValueError, match=r"posture of shape \(1000000, 1000000\): 1,000,000,000,000 postures is "
                                         r"more than the limit of 1,000,000"):
        ns.Posture(hip_flexion=np.zeros((10**6, 1)), knee_flexion=np.zeros(10**6))
    assert time.perf_counter() - t < 5.0          # 10^12 postures would take 64 TB
    with pytest.raises(ValueError, match=r"posture \(shape \(2000, 1\)\) against reference \(shape \(1000,\)\)"):
        ns.relative_bed_length(ns.Posture(knee_flexion=np.zeros((2000, 1))), ns.Posture(hip_flexion=np.zeros(1000)))
