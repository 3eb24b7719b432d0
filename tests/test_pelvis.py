"""The pelvis: a tilt in the posture that shares the thigh-trunk angle, and the rhythm people's pelvis follows.

Hand-derived values: the hip joint flexes hip_flexion - tilt and the low back lumbar_flexion + tilt; the
rhythm is 0.29 deg of tilt per degree of thigh flexion beyond 8 deg (Bohannon, Gajdosik & LeVeau 1985: a
fourth to a third, from the first 8 deg) and 4.1 deg over a knee straightened from 90 deg with the hip
flexed (Fredriksen et al. 1997); sitting tilts it 18.3 deg (J Orthop Sci 2012;17(6):682-6).
"""
from __future__ import annotations

import math

import numpy as np
import pytest

import neuralsim as ns
from neuralsim import Posture as P
from neuralsim.core.posture import PELVIC_TILT_RANGE, joint_angles
from neuralsim.limits import cases as C
from neuralsim.limits import pelvis
from neuralsim.model import muscle_length
from neuralsim.model.lengths import drawing, structure_length


def test_a_posture_that_does_not_name_the_pelvis_means_what_it_always_meant():
    p = P(hip_flexion=70, lumbar_flexion=10)
    assert p.pelvic_tilt == 0.0 and joint_angles(p) == p.angles()
    assert ns.nerve_bed_length(p) == ns.nerve_bed_length(P(hip_flexion=70.0, lumbar_flexion=10.0))
    assert P(hip_flexion=70) != P(hip_flexion=70, pelvic_tilt=5) and repr(P(pelvic_tilt=5)) == "Posture(pelvic_tilt=5)"


def test_the_tilt_shares_the_thigh_trunk_angle_between_hip_and_low_back():
    tilted = P(hip_flexion=70, lumbar_flexion=10, pelvic_tilt=15)
    same = P(hip_flexion=55, lumbar_flexion=25)
    a = joint_angles(tilted)
    assert a["hip_flexion"] == 55.0 and a["lumbar_flexion"] == 25.0
    for name in ("sciatic", "semitendinosus", "biceps_femoris_lh"):
        assert structure_length(tilted, name) == pytest.approx(structure_length(same, name), abs=1e-9)
    # the hamstrings cross the hip, not the low back: 15 deg less hip flexion shortens them
    assert muscle_length(tilted, "semitendinosus") < muscle_length(P(hip_flexion=70), "semitendinosus")
    arr = P(hip_flexion=[60, 70], pelvic_tilt=[0, 10])
    np.testing.assert_allclose(joint_angles(arr)["hip_flexion"], [60, 60])
    assert arr[1] == P(hip_flexion=70, pelvic_tilt=10) and arr.replace(pelvic_tilt=0)[1] == P(hip_flexion=70)
    assert ns.core.posture.as_posture({"hip_flexion": 70, "pelvic_tilt": 10}) == P(hip_flexion=70, pelvic_tilt=10)


def test_a_tilt_out_of_its_range_is_refused_with_its_name_range_and_unit():
    with pytest.raises(ValueError) as err:
        P(pelvic_tilt=PELVIC_TILT_RANGE[1] + 1)
    assert "pelvic_tilt" in str(err.value) and "deg" in str(err.value) and f"{PELVIC_TILT_RANGE[1]:g}" in str(err.value)
    with pytest.raises(TypeError):
        P(pelvic_tilt="10")
    with pytest.raises(ValueError):                    # the hip joint itself beyond its range
        ns.nerve_bed_length(P(hip_flexion=-20, pelvic_tilt=40))


def test_the_rhythm_worked_by_hand():
    assert pelvis.coupled_tilt(5.0) == 0.0                                 # none in the first 8 deg
    assert pelvis.coupled_tilt(64.0) == pytest.approx(0.29 * 56)
    assert pelvis.coupled_tilt(90.0, 0.0, 90.0) == pytest.approx(0.29 * 82 + 4.1)
    raised = pelvis.with_rhythm(P(), {"hip_flexion": 64.0})
    assert raised.pelvic_tilt == pytest.approx(0.29 * 56) and raised.hip_flexion == 64.0
    assert pelvis.with_rhythm(P(), {"hip_flexion": 64.0}, "fixed").pelvic_tilt == 0.0
    # knee extension sitting: the tilt grows from the start's own 18.3 deg by 4.1 deg per 90 deg
    out = pelvis.with_rhythm(C.SLUMP_START, {"knee_flexion": np.array([90.0, 45.0, 0.0])})
    np.testing.assert_allclose(out.pelvic_tilt, 18.3 + 4.1 * np.array([0, 0.5, 1.0]))
    assert C.SLUMP_START.pelvic_tilt == 18.3
    assert ns.limits.AKE_START.pelvic_tilt == pytest.approx(0.29 * 82)


def test_the_raise_reads_the_thigh_angle_and_the_pelvis_takes_its_share():
    r = ns.movement_limit(P(), "hip_flexion")
    assert round(r.angle_deg) == ns.core.parameters.value("person_slr_hamstring_stop_deg")
    at = r.posture()
    assert at.pelvic_tilt == pytest.approx(0.29 * (r.angle_deg - 8.0), abs=1e-9)
    held = ns.movement_limit(P(), "hip_flexion", pelvis="fixed")
    assert held.angle_deg < r.angle_deg - 5            # a pelvis held still leaves the whole raise to the hip joint
    with pytest.raises(ValueError):
        ns.movement_limit(P(), "hip_flexion", pelvis="loose")


def test_the_drawing_turns_the_pelvis_and_keeps_the_trunk_and_thigh():
    flat, tilted = P(hip_flexion=60), P(hip_flexion=60, pelvic_tilt=15)
    for view in ("supine", "sitting"):
        a, b = drawing(flat, view=view)["frames"], drawing(tilted, view=view)["frames"]
        assert b["pelvis"][1] - a["pelvis"][1] == pytest.approx(math.radians(15))
        for seg in ("lumbar", "thigh", "shank"):
            assert b[seg][1] == pytest.approx(a[seg][1])        # the same directions on the page
    a, b = drawing(flat, view="supine")["joints"], drawing(tilted, view="supine")["joints"]
    np.testing.assert_allclose(a["l5_s1"], b["l5_s1"], atol=1e-9)   # lying, the low back stays on the couch
    assert b["hip"][1] > a["hip"][1]                                  # and the turning pelvis lifts the hip
