"""Bodies (neuralsim/body.py): segment lengths and offsets scale with height, mobility widens ranges,
bad heights and mobilities are refused."""
import numpy as np
import pytest

import neuralsim as ns


def test_segment_lengths_scale_with_height():
    for h in (1.5, 1.75, 2.0):
        b = ns.Body(height_m=h)
        assert b.segment("thigh") == pytest.approx(0.245 * h * 1000)
        assert b.segment("shank") == pytest.approx(0.246 * h * 1000)
        assert b.segment("foot") == pytest.approx(0.152 * h * 1000)
    # offsets scale isometrically: the hip offset is 41 mm at the default height only
    assert ns.Body(height_m=2.1).offset("nerve_offset_hip") == pytest.approx(41 * 2.1 / 1.75)


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


def test_unknown_muscle_and_bad_body():
    with pytest.raises(ValueError, match="unknown muscle 'quadriceps'.*semitendinosus"):
        ns.muscle_length(ns.Posture(), "quadriceps")
    with pytest.raises(ns.OutOfRangeError, match=r"body height: 3 m is outside the allowed range 1.4 to 2.1 m"):
        ns.Body(height_m=3)
    with pytest.raises(ns.OutOfRangeError, match="not a finite number"):
        ns.Body(height_m=float("nan"))
    with pytest.raises(ValueError, match="mobility"):
        ns.Body(mobility="bendy")
    with pytest.raises(TypeError, match="neuralsim.Body"):
        ns.nerve_bed_length(ns.Posture(), body=1.8)
    with pytest.raises(TypeError, match="muscle name must be text.*semitendinosus"):
        ns.muscle_length(ns.Posture(), 3)

@pytest.mark.parametrize("bad,exc,text", [
    (np.complex128(1.8 + 3j), TypeError, "body height: np.complex128(1.8+3j) is not a number"),
    (10**400, ns.OutOfRangeError, "body height: 1.000e+400 m is too large for the allowed range 1.4 to 2.1 m"),
    (np.ma.masked_array(1.8, mask=False), TypeError, "body height: a masked array is not taken"),
    ([1.8], TypeError, "body height: [1.8] is not one number"),
])
def test_a_height_that_is_not_one_real_number_in_range_is_refused(bad, exc, text):
    with pytest.raises(exc) as err:
        ns.Body(bad)
    assert text in str(err.value) and "1.4 to 2.1 m" in str(err.value)
