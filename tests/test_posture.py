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
