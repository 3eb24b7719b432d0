"""The one computed state per posture (neuralsim/state.py, ``neuralsim.compute``)."""
import dataclasses

import numpy as np
import pytest

import neuralsim as ns


def test_femoral_mechanics_is_refused_clearly():
    s = ns.compute(ns.Posture(knee_flexion=90))
    with pytest.raises(ValueError, match="not modelled for the femoral nerve"):
        s.mechanics("femoral")
    assert s.mechanics("sciatic").peak_strain_pct == ns.nerve_mechanics(ns.Posture(knee_flexion=90)).peak_strain_pct


def test_state_agrees_with_every_function_and_is_read_only():
    p = ns.Posture(hip_flexion=[0.0, 60.0], knee_flexion=[[30.0], [0.0]], cervical_flexion=20)
    ref = ns.Posture(knee_flexion=90)
    s = ns.compute(p, reference=ref)
    assert s.shape == (2, 2) and s.drawing is None
    for n in ns.NERVES:
        assert np.array_equal(s.lengths_mm[n], ns.nerve_bed_length(p, n))
        assert np.array_equal(s.relative(n), ns.relative_bed_length(p, ref, nerve=n))
        c = ns.bed_contributions(p, ref, nerve=n)
        assert all(np.array_equal(s.contributions_mm[n][j], c[j]) for j in ns.JOINTS)
        assert np.allclose(sum(c.values()), s.change_mm(n))
    for m in ns.MUSCLES:
        assert np.array_equal(s.lengths_mm[m], ns.muscle_length(p, m))
        assert np.shape(s.contributions_mm[m]["ankle_dorsiflexion"]) == (2, 2)
    assert np.allclose(s.group_mean_mm("hamstrings"), np.mean([ns.muscle_length(p, m) for m in ns.HAMSTRINGS], axis=0))
    with pytest.raises(TypeError):
        s.lengths_mm["sciatic"] = 0.0
    with pytest.raises(dataclasses.FrozenInstanceError):
        s.view = "prone"
    with pytest.raises(ValueError, match="single posture"):
        ns.compute(p, view="sitting")
    with pytest.raises(ValueError, match="unknown nerve 'ulnar'"):
        s.relative("ulnar")
    with pytest.raises(ValueError, match="unknown muscle group"):
        s.group_mean_mm("rotator cuff")


def test_state_validates_once_and_refuses_bad_angles():
    with pytest.raises(ValueError, match="knee_flexion"):
        ns.compute({"knee_flexion": 200})
    with pytest.raises(ValueError, match="knee_flexion"):
        ns.compute(ns.Posture(knee_flexion=140), body=ns.Body(mobility="hypomobile"))


# -- compute for a subset of structures (the explorer's update): the same numbers ---------------
@pytest.mark.parametrize("posture", [ns.Posture(), ns.protocols.SITTING, ns.Posture(hip_flexion=70, knee_flexion=10,
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
    a = ns.compute(ns.protocols.SITTING, structures=["sciatic"])
    b = ns.compute(ns.protocols.SITTING, body=tall, structures=["sciatic"])
    assert b.reference_mm["sciatic"] / a.reference_mm["sciatic"] == pytest.approx(1.96 / 1.75)
    assert b.lengths_mm["sciatic"] == pytest.approx(ns.nerve_bed_length(ns.protocols.SITTING, body=tall))


def test_an_unknown_structure_is_refused_by_name():
    with pytest.raises(ValueError, match="unknown structure 'vagus'"):
        ns.compute(ns.protocols.SITTING, structures=["sciatic", "vagus"])
    with pytest.raises(TypeError):
        ns.compute(ns.protocols.SITTING, structures=[3])


def test_a_structure_not_computed_is_a_value_error_naming_what_was():
    s = ns.compute(ns.Posture(knee_flexion=30), structures=["sciatic"])
    with pytest.raises(ValueError, match=r"structure 'femoral' was not computed: .*structures=\['sciatic'\]"):
        s.change_mm("femoral")
    with pytest.raises(ValueError, match="was not computed"):
        s.relative("femoral")
    with pytest.raises(ValueError, match="was not computed"):
        s.group_mean_mm("hamstrings")
    with pytest.raises(ValueError, match="unknown structure 'Sciatic'"):
        s.change_mm("Sciatic")
    assert s.change_mm("sciatic") == ns.nerve_bed_length(ns.Posture(knee_flexion=30)) - ns.nerve_bed_length(ns.Posture())


def test_no_structures_at_all_is_refused_rather_than_an_empty_state():
    with pytest.raises(ValueError, match="structures: an empty list computes nothing"):
        ns.compute(ns.Posture(), structures=[])
    with pytest.raises(TypeError, match="structures: 3 is not a name or a list of names"):
        ns.compute(ns.Posture(), structures=3)
    with pytest.raises(TypeError, match="muscle group: .* is not a name"):
        ns.compute(ns.Posture()).group_mean_mm(["hamstrings"])


@pytest.mark.parametrize("posture,reference", [
    (ns.Posture(knee_flexion=[0.0, 30.0]), None),
    (ns.Posture(knee_flexion=30.0), ns.Posture(hip_flexion=[0.0, 20.0])),
    (ns.Posture(knee_flexion=30.0), None),
])
def test_every_array_of_a_state_is_read_only_and_the_next_call_unchanged(posture, reference):
    drawn = not posture.shape and reference is None
    s = ns.compute(posture, reference=reference, view="standing" if drawn else None)
    arrays = [*s.lengths_mm.values(), *s.reference_mm.values(), *s.angles.values(),
              *(x for c in s.contributions_mm.values() for x in c.values()),
              s.change_mm("sciatic"), s.relative("sciatic"), s.group_mean_mm("hamstrings")]
    if s.drawing is not None:
        arrays += [*s.drawing["joints"].values(), *s.drawing["nerves"].values(), s.drawing["nerve"]]
    arrays = [a for a in arrays if isinstance(a, np.ndarray)]
    assert arrays
    before = ns.compute(posture, reference=reference).lengths_mm["sciatic"]
    for a in arrays:
        assert not a.flags.writeable
        with pytest.raises(ValueError, match="read-only"):
            a[...] = 0.0
    assert np.array_equal(ns.compute(posture, reference=reference).lengths_mm["sciatic"], before)


def test_a_drawing_against_an_array_reference_is_refused_naming_both_shapes():
    with pytest.raises(ValueError, match=r"drawing needs a single posture and reference, got posture shape \(\) "
                                         r"and reference shape \(2,\)"):
        ns.compute(ns.Posture(knee_flexion=30), reference=ns.Posture(hip_flexion=[0, 20]), view="standing")
