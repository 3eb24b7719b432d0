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
