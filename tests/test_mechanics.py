"""Tests of the nerve-in-its-bed model (neuralsim.mechanics).

Expected values come from the physics (hand-solved shear-lag cases, the
core's bed length, conservation and superposition) or from the published
published figures (neuralsim/data/evidence.csv), never from the code's own output.
"""
from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import neuralsim as ns
from neuralsim import mechanics as me
from neuralsim import protocols as pr
from neuralsim.joints import JOINTS, joint_range
from neuralsim.model import nerve_pathway

P = ns.Posture
FREE = math.inf


def _crossing_index(model, joint):
    return [c.joint for c in model.crossings].index(joint)


def _elements(m):
    """Element strains (%) of a single-posture result, shape (N-1,)."""
    return m._elem[:, 0]


# -- physics ------------------------------------------------------------------

def test_no_friction_gives_uniform_strain_equal_to_bed_change_over_length():
    model = me.NerveModel(shear_lag_mm=FREE, slack_pct=0.0)
    post = P(hip_flexion=60, ankle_dorsiflexion=15, cervical_flexion=30)
    dL = ns.nerve_bed_length(post) - ns.nerve_bed_length(P())
    L = nerve_pathway(ns.DEFAULT_BODY).run_length
    res = model.solve(post)
    # 41 mm x pi/3 + 15 mm x 15 deg + 15 mm x 30 deg (all wrapping): checked against the core
    assert dL == pytest.approx(41 * math.pi / 3 + 15 * math.radians(15) + 15 * math.radians(30), rel=1e-9)
    assert np.allclose(res.strain_profile_pct, 100 * dL / L, rtol=1e-9)
    assert np.ptp(_elements(res)) < 1e-9


def test_no_friction_with_slack_is_uniform_and_reduced_by_the_slack():
    model = me.NerveModel(shear_lag_mm=FREE, slack_pct=1.0)
    post = P(hip_flexion=90)
    dL = 41 * math.pi / 2
    L = nerve_pathway(ns.DEFAULT_BODY).run_length
    assert np.allclose(model.solve(post).strain_profile_pct, 100 * dL / L - 1.0, rtol=1e-9)


def test_single_joint_strain_peaks_at_that_joint_and_falls_monotonically():
    model = me.NerveModel(slack_pct=0.0)
    for joint, angle in (("hip_flexion", 60), ("knee_flexion", -5), ("ankle_dorsiflexion", 20),
                         ("cervical_flexion", 50), ("lumbar_flexion", 40)):
        res = model.solve(P(**{joint: angle}))
        e = _elements(res)
        k = int(e.argmax())
        x = model.crossing_mm[joint]
        # the peak element contains the crossing (either neighbour when it sits on a node)
        assert model.s_mm[k] - 1e-9 <= x <= model.s_mm[k + 1] + 1e-9, joint
        assert np.all(np.diff(e[: k + 1]) >= -1e-12), joint      # rising towards the joint
        assert np.all(np.diff(e[k:]) <= 1e-12), joint            # falling beyond it


def test_shear_lag_decay_matches_the_continuum_solution():
    # A crossing far from both ends: u - U = +-(Delta/2) exp(-|x|/lam), strain (Delta/2lam) exp(-|x|/lam).
    lam = 60.0
    model = me.NerveModel(shear_lag_mm=lam, slack_pct=0.0, element_mm=1.0)
    res = model.solve(P(hip_flexion=60))
    delta = 41 * math.pi / 3
    s_hip = model.crossing_mm["hip_flexion"]
    assert res.peak_strain_pct == pytest.approx(100 * delta / (2 * lam), rel=0.01)
    exc = res.excursion_profile_mm[0] if res.excursion_profile_mm.ndim == 2 else res.excursion_profile_mm
    for dist in (60.0, 120.0, 180.0):
        above = np.interp(s_hip - dist, model.s_mm, exc)
        below = np.interp(s_hip + dist, model.s_mm, exc)
        assert above == pytest.approx(delta / 2 * math.exp(-dist / lam), rel=0.03)   # pulled distally
        assert below == pytest.approx(-delta / 2 * math.exp(-dist / lam), rel=0.03)  # pulled proximally
        strain = np.interp(s_hip + dist, model.s_mm, res.strain_profile_pct)
        assert strain == pytest.approx(100 * delta / (2 * lam) * math.exp(-dist / lam), rel=0.03)


def test_nerve_length_is_conserved_between_its_anchors():
    # The nerve is anchored at both ends, so its stretch integrates to the bed change.
    model = me.NerveModel(slack_pct=0.0)
    post = P(hip_flexion=80, knee_flexion=30, cervical_flexion=-20)
    u = model.solve_direct(post)
    assert u[0] == 0.0
    assert u[-1] == pytest.approx(ns.nerve_bed_length(post) - ns.nerve_bed_length(P()), abs=1e-9)


def test_slider_moves_more_and_strains_at_least_three_times_less_than_tensioner():
    st_ = me.slider_tensioner()
    sl, te = st_["slider"], st_["tensioner"]
    assert sl["excursion_mm"] > te["excursion_mm"] + 5.0
    assert te["strain_pct"] > 0
    assert te["strain_pct"] >= 3.0 * max(sl["strain_pct"], 0.0)
    # and the slider really is a slider: the bed lengthens at the knee while it shortens at the neck
    start, end = pr.SCIATIC_SLIDER[0].posture, pr.SCIATIC_SLIDER[1].posture
    c = ns.bed_contributions(end, reference=start)
    assert c["knee_flexion"] > 0 > c["cervical_flexion"]
    c = ns.bed_contributions(pr.SCIATIC_TENSIONER[1].posture, reference=pr.SCIATIC_TENSIONER[0].posture)
    assert c["knee_flexion"] > 0 and c["cervical_flexion"] > 0


def test_slack_delays_the_rise_of_strain():
    hips = np.linspace(0, 90, 91)
    taut = me.NerveModel(slack_pct=0.0).solve(P(hip_flexion=hips)).peak_strain_pct
    slack = me.NerveModel(slack_pct=1.5).solve(P(hip_flexion=hips)).peak_strain_pct
    assert taut[1] > 0                       # no slack: strain from the first degree
    first = hips[np.argmax(slack > 0)]
    assert first > 10                        # 1.5 % slack: nothing for the first part of the raise
    assert np.all(slack <= taut + 1e-12)
    assert np.all(np.diff(slack) >= -1e-12)  # then it rises


def test_end_state_does_not_depend_on_the_order_of_movements():
    model = me._model(ns.DEFAULT_BODY)
    a = dict(hip_flexion=70)
    b = dict(knee_flexion=0, ankle_dorsiflexion=15, cervical_flexion=40)
    start = P(knee_flexion=60)
    a_first = start.replace(**a)
    b_first = start.replace(**b)
    end = start.replace(**a, **b)
    for site in me.SITES:
        # excursions of each leg of the two paths add up to the same total
        one = model.solve(a_first, start).excursion_mm(site) + model.solve(end, a_first).excursion_mm(site)
        two = model.solve(b_first, start).excursion_mm(site) + model.solve(end, b_first).excursion_mm(site)
        assert one == pytest.approx(two, abs=1e-9)
        assert one == pytest.approx(model.solve(end, start).excursion_mm(site), abs=1e-9)
    # and the superposed solution equals each posture's own tridiagonal solve
    direct = model.solve_direct(end, start)
    assert np.allclose(direct, model.solve(end, start).nerve_displacement_mm, atol=1e-9)


def test_reference_posture_is_rest():
    post = P(hip_flexion=45, knee_flexion=20)
    res = ns.nerve_mechanics(post, reference=post)
    assert res.peak_strain_pct == 0.0
    assert all(res.excursion_mm(s) == 0.0 for s in me.SITES)


def test_directions_of_movement():
    # hip flexion pulls the nerve up the leg, dorsiflexion pulls it down (Coppieters et al. 2006)
    hf = ns.nerve_mechanics(P(hip_flexion=70))
    df = ns.nerve_mechanics(P(ankle_dorsiflexion=20))
    assert hf.excursion_mm("popliteal") < 0 and hf.excursion_mm("ankle") < 0
    assert hf.excursion_mm("cervical") > 0           # and the cord down towards it
    assert df.excursion_mm("ankle") > 0 and df.excursion_mm("mid_thigh") > 0


# -- calibration against the published figures --------------------------------------------

def _row(part):
    rows = [r for r in me.evidence_rows() if part in r["quantity"]]
    assert len(rows) == 1, part
    return rows[0]


def test_evidence_rows_are_complete_and_consistent():
    rows = me.evidence_rows()
    keys = {"quantity", "published", "low", "high", "unit", "model", "within", "source", "status", "limitation"}
    assert len(rows) == 18     # 8 movement and strain, 4 sliders and tensioners, 6 strain effects
    for r in rows:
        assert set(r) == keys
        assert isinstance(r["within"], bool)
        assert (r["limitation"] == "") == r["within"]
        if r["low"] is not None and r["high"] is not None and r["model"] is not None:
            if r["within"]:
                assert r["low"] - 0.01 <= r["model"] <= r["high"] + 0.01


def test_ridehalgh_knee_extension_excursion_is_a_stated_limitation():
    # 9.9 +/- 2.2 mm at hip 30, 12.4 +/- 4.4 at hip 60.  The model slides further (documented).
    # Fold law: knee 90 -> 0 lengthens the bed by 2 x 25 mm x tan(45 deg) = 50 mm.
    knee = 2 * 25 * math.tan(math.radians(45))
    assert ns.nerve_bed_length(P(knee_flexion=0)) - ns.nerve_bed_length(P(knee_flexion=90)) == pytest.approx(knee)
    for hip, hi in ((30, 12.1), (60, 16.8)):
        x = me.ridehalgh(hip)
        assert x > hi
        assert x < knee                  # but never more than the knee's bed change
    r = _row("hip 30")
    assert not r["within"] and "shear-lag" in r["limitation"] and "ratio" in r["limitation"]
    # knee extension pulls the nerve distally at mid-thigh, as measured
    assert me.ridehalgh(30) > 0


def test_alshami_ankle_strain():
    al = me.alshami()
    # +3.9 % with dorsiflexion (10 cadavers, no spread given; 2.9-4.9 % accepted)
    assert 2.9 <= al["knee flexed, hip neutral"] <= 4.9
    assert _row("dorsiflexion 0 -> 20 deg (knee bent")["within"]
    # pre-positioning raises it: knee extended or hip flexed first > knee bent, both together highest
    assert al["knee extended"] > al["knee flexed, hip neutral"]
    assert al["hip flexed"] > al["knee flexed, hip neutral"]
    assert al["knee extended, hip flexed"] > max(al["hip flexed"], al["knee extended"])
    assert _row("knee extended / hip flexed first")["within"]
    # without the tarsal-tunnel hold (limb interface there too) the bent knee's slack swallows it
    loose = me.NerveModel(shear_lag_mm={"tarsal_tunnel": me._model(ns.DEFAULT_BODY).shear_lag_mm["limb"]})
    assert me.alshami(loose)["knee flexed, hip neutral"] < 1.0
    # the offset that gives exactly 3.9 % (the model is linear in the offset) reproduces it in the
    # full set-up, and is close to the 15 mm estimated from the course behind the malleolus
    d = me.fitted_ankle_offset()
    model = me._model(ns.DEFAULT_BODY)
    k = _crossing_index(model, "ankle_dorsiflexion")
    start, _ = model.deltas(P(knee_flexion=90))
    end = start.copy()
    end[k] += d * math.radians(20)
    rise = me.NerveMechanics(model, (), end).strain_pct("ankle") - me.NerveMechanics(model, (), start).strain_pct("ankle")
    assert rise == pytest.approx(3.9, rel=1e-9)
    assert 10.0 < d < 25.0


def test_smith_root_strain_within_and_excursion_a_limitation():
    res = ns.nerve_mechanics(P(hip_flexion=60))
    assert 2.0 <= res.strain_pct("lumbar_roots") <= 4.0
    assert res.excursion_mm("lumbar_roots") > 0        # pulled distally, towards the leg
    assert abs(res.excursion_mm("lumbar_roots")) > 5.0  # documented: more than 0.5-5 mm
    assert not _row("root excursion")["within"]
    assert _row("root strain")["within"]


def test_reid_neck_flexion_cord_strain_is_a_stated_limitation():
    res = ns.nerve_mechanics(P(cervical_flexion=60))
    cs = res.strain_pct("cervical")
    assert 0 < cs < 7.0              # about 10 % published: far lower in the model (documented)
    # the neck's lengthening (15 mm x 60 deg) spread over the whole bed would give dL / L; the
    # model's slippery canal keeps the mid-cervical strain within a factor 2 of that
    dL = 15 * math.radians(60)
    uniform = 100 * dL / me._model(ns.DEFAULT_BODY).length_mm
    assert uniform / 2 < cs + 0.5 < 2 * uniform
    assert "dentate" in _row("cervical cord")["limitation"]


def test_slider_rows():
    assert _row("tensioner / slider ratio")["within"]
    assert _row("largest excursion")["within"]


# -- strain bands ---------------------------------------------------------------

def test_strain_bands_come_from_the_literature_with_caveat():
    assert [b.lower_pct for b in me.STRAIN_BANDS] == [0.0, 8.0, 15.0, 15.7]
    assert "Ogata" in me.STRAIN_BANDS[-1].source and "Lundborg" in me.STRAIN_BANDS[1].source
    assert "not clinical" in me.BAND_CAVEAT and "rabbit" in me.BAND_CAVEAT
    assert me.strain_band(0.0) == "low"
    assert me.strain_band(7.99) == "low"
    assert me.strain_band(8.0) == "venous flow impaired"
    assert me.strain_band(15.0) == "ischaemia, conduction at risk"
    assert me.strain_band(15.7) == "blood flow stops"
    assert list(me.strain_band([1, 10, 20])) == ["low", "venous flow impaired", "blood flow stops"]
    assert me.strain_colour(20.0) == "#000000"


@pytest.mark.parametrize("bad", [-0.1, float("nan"), float("inf")])
def test_strain_band_refuses_bad_input(bad):
    with pytest.raises(ValueError, match="%"):
        me.strain_band(bad)


@pytest.mark.parametrize("bad", ["3", None, True])
def test_strain_band_refuses_non_numbers(bad):
    with pytest.raises(TypeError, match="%"):
        me.strain_band(bad)


# -- shapes, vectorisation, bad input ---------------------------------------------

def test_vectorised_equals_one_by_one():
    rng = np.random.default_rng(3)
    angles = {j: rng.uniform(*joint_range(j), size=(3, 4)) for j in JOINTS}
    res = ns.nerve_mechanics(P(**angles))
    N = len(res.s_mm)
    assert res.s_mm.shape == (N,)
    assert res.strain_profile_pct.shape == (3, 4, N)
    assert res.excursion_profile_mm.shape == (3, 4, N)
    assert res.peak_strain_pct.shape == (3, 4)
    for i in range(3):
        for j in range(4):
            one = ns.nerve_mechanics(P(**{k: float(v[i, j]) for k, v in angles.items()}))
            assert isinstance(one.peak_strain_pct, float)
            assert one.peak_strain_pct == pytest.approx(res.peak_strain_pct[i, j], abs=1e-9)
            for s in me.SITES:
                assert one.excursion_mm(s) == pytest.approx(res.excursion_mm(s)[i, j], abs=1e-9)
                assert one.strain_pct(s) == pytest.approx(res.strain_pct(s)[i, j], abs=1e-9)
            assert np.allclose(one.strain_profile_pct, res.strain_profile_pct[i, j])


def test_array_and_mapping_inputs_and_broadcast_reference():
    arr = np.zeros((2, 8))
    arr[:, JOINTS.index("hip_flexion")] = [30, 60]
    a = ns.nerve_mechanics(arr)
    b = ns.nerve_mechanics({"hip_flexion": 60})
    assert a.peak_strain_pct[1] == pytest.approx(b.peak_strain_pct)
    c = ns.nerve_mechanics(P(hip_flexion=60), reference=P(hip_flexion=[0, 60]))
    assert c.peak_strain_pct.shape == (2,) and c.peak_strain_pct[1] == 0.0


def test_s_mm_runs_from_c1_to_the_foot_and_sites_are_in_order():
    model = me._model(ns.DEFAULT_BODY)
    assert model.s_mm[0] == 0.0
    assert model.s_mm[-1] == pytest.approx(nerve_pathway(ns.DEFAULT_BODY).run_length)
    pos = [model.site_mm[s] for s in me.SITES]
    assert pos == sorted(pos)
    assert model.site_mm["hip"] == model.crossing_mm["hip_flexion"]


def test_body_scales_the_bed():
    tall = ns.Body(height_m=2.0)
    res = ns.nerve_mechanics(P(hip_flexion=60), body=tall)
    assert res.s_mm[-1] == pytest.approx(nerve_pathway(tall).run_length)


def test_bad_angles_raise_the_core_errors():
    with pytest.raises(ValueError) as core:
        ns.nerve_bed_length(P(knee_flexion=145))
    with pytest.raises(ValueError) as mech:
        ns.nerve_mechanics(P(knee_flexion=145))
    assert str(mech.value) == str(core.value)
    assert "knee_flexion" in str(mech.value) and "deg" in str(mech.value)
    with pytest.raises(ValueError, match="cervical_flexion"):
        ns.nerve_mechanics(P(), reference=P(cervical_flexion=65))
    with pytest.raises(ValueError, match="hip_flexion"):
        ns.nerve_mechanics({"hip_flexion": float("nan")})
    with pytest.raises(TypeError):
        ns.nerve_mechanics("upright")
    with pytest.raises(ValueError, match="shape"):
        ns.nerve_mechanics(np.zeros((3, 7)))
    with pytest.raises(TypeError, match="Body"):
        ns.nerve_mechanics(P(), body="tall")


def test_bad_site_and_parameters():
    res = ns.nerve_mechanics(P())
    with pytest.raises(ValueError, match="mid_thigh"):
        res.strain_pct("calf")
    with pytest.raises(ValueError, match="site"):
        res.excursion_mm(3)
    with pytest.raises(ValueError, match="mm"):
        me.NerveModel(shear_lag_mm=-5)
    with pytest.raises(ValueError, match="region"):
        me.NerveModel(shear_lag_mm={"neck": 100})
    with pytest.raises(ValueError, match="%"):
        me.NerveModel(slack_pct=float("nan"))


def test_parameters_documented():
    from neuralsim.parameters import PARAMETERS
    names = [n for n in PARAMETERS if n.startswith(("mech_", "strain_band_"))]
    assert len(names) >= 13
    for n in names:
        p = PARAMETERS[n]
        assert p.source and p.unit
    for n in ("mech_shear_lag_canal", "mech_shear_lag_roots", "mech_shear_lag_limb", "mech_slack_pct",
              "mech_shear_lag_tarsal_tunnel", "mech_tarsal_tunnel_above"):
        assert "assumption" in PARAMETERS[n].source


def test_new_protocols_registered():
    for key in ("sciatic_slider", "sciatic_tensioner", "sciatic_knee_only", "slump_release", "sciatic_glide"):
        assert key in pr.ALL
    assert pr.ALL["slump_release"].steps[1].posture.cervical_flexion == 0
    assert pr.ALL["slump_release"].steps[0].posture.cervical_flexion > 0
    # releasing the neck lowers strain everywhere in the slump end position
    a = ns.nerve_mechanics(pr.SLUMP_NECK_RELEASE[0].posture)
    b = ns.nerve_mechanics(pr.SLUMP_NECK_RELEASE[1].posture)
    assert b.peak_strain_pct < a.peak_strain_pct
    assert b.strain_pct("mid_thigh") < a.strain_pct("mid_thigh")


# -- properties over the whole range ----------------------------------------------

def _angle(j):
    lo, hi = joint_range(j)
    return st.floats(lo, hi, allow_nan=False)


postures = st.fixed_dictionaries({j: _angle(j) for j in JOINTS}).map(lambda d: P(**d))


@settings(max_examples=60, deadline=None)
@given(postures, postures)
def test_properties_over_the_range(post, ref):
    res = ns.nerve_mechanics(post, reference=ref)
    prof = res.strain_profile_pct
    assert np.all(np.isfinite(prof)) and np.all(prof >= 0)
    assert res.peak_strain_pct >= prof.max() - 1e-12
    for s in me.SITES:
        assert 0 <= res.strain_pct(s) <= res.peak_strain_pct + 1e-12
        assert math.isfinite(res.excursion_mm(s))
        # the nerve cannot slide further than the bed changed in total
        assert abs(res.excursion_mm(s)) <= sum(abs(v) for v in ns.bed_contributions(post, ref).values()) + 1e-9
    # swapping posture and reference reverses every excursion
    back = ns.nerve_mechanics(ref, reference=post)
    for s in me.SITES:
        assert back.excursion_mm(s) == pytest.approx(-res.excursion_mm(s), abs=1e-9)


@settings(max_examples=40, deadline=None)
@given(postures)
def test_frictionless_strain_is_uniform_over_the_range(post):
    model = me.NerveModel(shear_lag_mm=FREE, slack_pct=0.0)
    res = model.solve(post)
    dL = ns.nerve_bed_length(post) - ns.nerve_bed_length(P())
    expected = max(100 * dL / model.length_mm, 0.0)
    assert np.allclose(res.strain_profile_pct, expected, atol=1e-9)


@settings(max_examples=40, deadline=None)
@given(postures, st.floats(0.0, 3.0))
def test_more_slack_never_more_strain(post, slack):
    a = me.NerveModel(slack_pct=slack).solve(post)
    b = me.NerveModel(slack_pct=slack + 0.5).solve(post)
    assert np.all(b.strain_profile_pct <= a.strain_profile_pct + 1e-12)
    for s in me.SITES:
        assert b.excursion_mm(s) == pytest.approx(a.excursion_mm(s), abs=1e-9)  # slack does not change movement


def test_discretisation_converged():
    # the element length is a numerical choice: halving it must hardly change the answers
    rng = np.random.default_rng(1)
    post = P(**{j: rng.uniform(*joint_range(j), 500) for j in JOINTS})
    a = me.NerveModel().solve(post)
    b = me.NerveModel(element_mm=10).solve(post)
    for s in me.SITES:
        assert np.abs(a.excursion_mm(s) - b.excursion_mm(s)).max() < 0.3
        # the ankle site is a crossing inside the short tarsal-tunnel hold: the strain has a
        # sharp peak there, and interpolating element strains cuts it by about h / (2 lam),
        # so it converges to first order only (about 0.1 % per halving): a looser bound
        assert np.abs(a.strain_pct(s) - b.strain_pct(s)).max() < (0.15 if s == "ankle" else 0.1)
    assert np.abs(a.peak_strain_pct - b.peak_strain_pct).max() < 0.1
    # the tunnel is meshed finer than the rest, in proportion to its shear-lag length
    model = me.NerveModel()
    lo, hi = model.region_mm["tarsal_tunnel"]
    inside = (model.s_mm[:-1] >= lo - 1e-9) & (model.s_mm[1:] <= hi + 1e-9)
    lam, resolve = model.shear_lag_mm["tarsal_tunnel"], ns.parameters.value("mech_resolve_shear_lag")
    assert model.element_mm[inside].max() <= 20.0 * lam / resolve + 1e-9
