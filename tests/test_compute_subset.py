"""neuralsim.compute for a subset of structures: the same numbers as for the whole registry."""
import numpy as np
import pytest

import neuralsim as ns
from neuralsim.protocols import SITTING


@pytest.mark.parametrize("posture", [ns.Posture(), SITTING, ns.Posture(hip_flexion=70, knee_flexion=10,
                                                                        cervical_flexion=40, ankle_dorsiflexion=15)])
def test_a_subset_gives_the_same_lengths_contributions_and_drawing(posture):
    names = ("sciatic", "semitendinosus", "gastrocnemius")
    whole = ns.compute(posture, view="sitting")
    part = ns.compute(posture, view="sitting", structures=names)
    assert set(part.lengths_mm) == set(part.reference_mm) == set(part.contributions_mm) == set(names)
    for n in names:
        assert part.lengths_mm[n] == whole.lengths_mm[n] and part.reference_mm[n] == whole.reference_mm[n]
        assert dict(part.contributions_mm[n]) == dict(whole.contributions_mm[n])
    assert set(part.drawing["muscles"]) == {"semitendinosus", "gastrocnemius"}
    assert set(part.drawing["nerves"]) == {"sciatic"}
    np.testing.assert_array_equal(part.drawing["nerve"], whole.drawing["nerves"]["sciatic"])
    np.testing.assert_array_equal(part.drawing["muscles"]["gastrocnemius"], whole.drawing["muscles"]["gastrocnemius"])
    # the reference kept between calls is the anatomical position's bed
    assert part.reference_mm["sciatic"] == pytest.approx(ns.nerve_bed_length(ns.Posture()), abs=1e-9)


def test_the_reference_kept_between_calls_follows_the_body():
    tall = ns.Body(1.96)
    a = ns.compute(SITTING, structures=["sciatic"])
    b = ns.compute(SITTING, body=tall, structures=["sciatic"])
    assert b.reference_mm["sciatic"] / a.reference_mm["sciatic"] == pytest.approx(1.96 / 1.75)
    assert b.lengths_mm["sciatic"] == pytest.approx(ns.nerve_bed_length(SITTING, body=tall))


def test_an_unknown_structure_is_refused_by_name():
    with pytest.raises(ValueError, match="unknown structure 'vagus'"):
        ns.compute(SITTING, structures=["sciatic", "vagus"])
    with pytest.raises(TypeError):
        ns.compute(SITTING, structures=[3])
