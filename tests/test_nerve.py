"""Tests of the nerve-in-its-bed model (neuralsim.mechanics).

Expected values come from the physics (hand-solved shear-lag cases, the
core's bed length, equilibrium of a cable that cannot be pushed, an
independent solver) or from the published figures (neuralsim/data/evidence.csv: Ridehalgh 2014, Alshami 2008, Reid 1960,
Smith 1993, Coppieters 2006-2009, Ellis 2012), never from the code's own output.
"""
from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import neuralsim as ns
from neuralsim.mechanics import nerve as me
from neuralsim.model import protocols as pr
from neuralsim.core.joints import JOINTS, joint_range
from neuralsim.model import nerve_pathway
from neuralsim.core.parameters import PARAMETERS, value

P = ns.Posture
FREE = math.inf
NECK_MAX = joint_range("cervical_flexion")[1]


def _model():
    return me._model(ns.DEFAULT_BODY)


def _rise(post, site, start=P()):
    return ns.nerve_mechanics(post).strain_pct(site) - ns.nerve_mechanics(start).strain_pct(site)


def _stretch(post, site, start=P()):
    """Elongation (%) at ``site`` beyond its length in ``start``, worked from the strains from the unloaded
    length: (1 + e) / (1 + e_start) - 1, what markers on a nerve in situ measure."""
    e, e0 = ns.nerve_mechanics(post).strain_pct(site), ns.nerve_mechanics(start).strain_pct(site)
    return 100.0 * ((1.0 + e / 100.0) / (1.0 + e0 / 100.0) - 1.0)


def _random_postures(n, seed):
    rng = np.random.default_rng(seed)
    return P(**{j: rng.uniform(*joint_range(j), n) for j in JOINTS})


def _toe_law(model):
    """Toe end (strain) and stiffening ratio of every element, from the parameters of its tissue."""
    toe, ratio = np.empty(len(model.element_mm)), np.empty(len(model.element_mm))
    mids = 0.5 * (model.s_mm[1:] + model.s_mm[:-1])
    for t, (a, z) in model.tissue_mm.items():
        inside = (mids >= a) & (mids < z)
        toe[inside] = 0.01 * value(f"mech_toe_end_{t}_pct")       # beyond the resting strain
        ratio[inside] = value(f"mech_toe_stiffening_{t}")
    return (1.0 + model._p_elem) * (1.0 + toe) - 1.0, ratio     # from the unloaded length


def _tension_residual(model, u, U):
    """Largest out-of-balance force (in units of the nerve's EA) at the interior nodes, for one posture."""
    he, EA, p, g = model.element_mm, model._EA, model._p_elem, model._g
    toe, ratio = _toe_law(model)
    eps = np.diff(u) / he + p
    # a cable that can pull but not push, stiffer by the ratio beyond its toe
    t = EA * np.maximum(eps, 0.0) + (ratio - 1.0) * EA * np.maximum(eps - toe, 0.0)
    # the interface: g x, and in the leg beyond its glide (lam_limb / lam_beyond)^2 times stiffer
    x = u - U
    hold = g * x
    leg = model.glide_nodes
    r = (model.shear_lag_mm["limb"] / value("mech_shear_lag_beyond_glide")) ** 2
    beyond = np.maximum(np.abs(x[leg]) - model.glide_mm, 0.0) * np.sign(x[leg])
    hold[leg] += (r - 1.0) * g[leg] * beyond
    return np.abs(t[1:] - t[:-1] - hold[1:-1]).max()


# -- a nerve that cannot be pushed -------------------------------------------------

def test_a_shortened_bed_lets_the_nerve_go_slack_instead_of_pushing_it():
    # 120 deg of knee flexion folds the bed by 2 x 25 mm x tan(60 deg) = 86.6 mm at the knee
    knee = 2 * 25 * math.tan(math.radians(60))
    res = ns.nerve_mechanics(P(knee_flexion=120))
    assert res.bed_change_mm == pytest.approx(-knee)
    # the resting tension takes up a little of it (the nerve recoils from the knee on both sides),
    # the rest lies slack in the fold; the thigh nerve is not pushed up the leg
    assert knee - 10 < res.slack_mm < knee
    assert abs(res.excursion_mm("mid_thigh")) < 2.0
    assert res.strain_pct("popliteal") == pytest.approx(0.0, abs=1e-9)
    assert res.strain_profile_pct.min() >= 0.0


def test_slack_solution_is_in_equilibrium_with_tension_only():
    model = _model()
    post = _random_postures(40, 7)
    u = model.solve_direct(post)
    res = model.solve(post)
    d, _ = model.deltas(post)
    U = (model._Wj @ d).T
    assert np.allclose(res.nerve_displacement_mm, u, atol=1e-6)
    for k in range(40):
        assert _tension_residual(model, u[k], U[k]) < 1e-9
    # folds only where the nerve is slack, and only in the candidate elements
    f = res._folds
    assert np.all(f >= -1e-12)
    strain = np.diff(u, axis=1) / model.element_mm + model._p_elem
    slack = strain < -1e-9
    assert not slack[:, np.setdiff1d(np.arange(len(model.element_mm)), model._cand)].any()
    assert np.allclose(f.T, np.where(slack[:, model._cand], -strain[:, model._cand] * model.element_mm[model._cand], 0),
                       atol=1e-6)


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 2**31 - 1))
def test_no_element_is_ever_in_compression(seed):
    post = _random_postures(64, seed)
    ref = _random_postures(64, seed + 1)
    model = _model()
    res = model.solve(post, ref)
    assert np.all(res.strain_profile_pct >= 0.0)
    # the candidate-element solution is the exact minimum: the independent active-set solver agrees
    assert np.allclose(res.nerve_displacement_mm, model.solve_direct(post, ref), atol=1e-6)
    # the quick peak (key elements) is the peak over every element
    assert np.array_equal(res.peak_strain_pct, res._elem.max(axis=0))
    assert np.array_equal(res.strain_pct("cervical"), res._elem[model._cerv].max(axis=0))


def test_end_state_is_the_same_for_every_order_of_the_movements():
    # Move the joints one at a time in three different orders; each step starts the active-set
    # solver from the regimes (slack, toe, beyond the toe) reached at the step before (as a real
    # sequence would).
    model = _model()
    start = P(hip_flexion=20, knee_flexion=100, cervical_flexion=-30, ankle_dorsiflexion=-20)
    moves = [dict(hip_flexion=80), dict(knee_flexion=10), dict(cervical_flexion=50), dict(ankle_dorsiflexion=15)]
    ends = []
    for order in ([0, 1, 2, 3], [3, 2, 1, 0], [2, 0, 3, 1]):
        post, act = start, None
        for i in order:
            post = post.replace(**moves[i])
            u, act = model.solve_direct(post, start=act, return_active=True)
        ends.append(u)
    for u in ends[1:]:
        assert np.allclose(u, ends[0], atol=1e-9)
    assert np.allclose(model.solve(post).nerve_displacement_mm, ends[0], atol=1e-6)


@settings(max_examples=12, deadline=None)
@given(st.integers(0, 2**31 - 1), st.permutations(list(range(5))))
def test_end_state_is_the_same_for_every_order_of_random_movements(seed, order):
    # random start and five random joint moves (often taking the cord, roots or nerve beyond
    # their toe), made one at a time in a random order, each step from the regimes of the last
    rng = np.random.default_rng(seed)
    joints = list(rng.choice(JOINTS, size=5, replace=False))
    start = P(**{j: float(rng.uniform(*joint_range(j))) for j in JOINTS})
    moves = [{j: float(rng.uniform(*joint_range(j)))} for j in joints]
    model = _model()
    post, act = start, None
    for i in order:
        post = post.replace(**moves[i])
        u, act = model.solve_direct(post, start=act, return_active=True)
    once = model.solve_direct(post)
    assert np.allclose(u, once, atol=1e-9)
    assert np.allclose(model.solve(post).nerve_displacement_mm, once, atol=1e-6)


def test_random_postures_reach_beyond_the_toe():
    # the property tests above cover the stiff part of the law: a good share of random postures use it
    res = _model().solve(_random_postures(400, 5))
    assert 0.05 * 400 < res._cols.size < 400


def test_reference_posture_is_rest_under_the_resting_tension():
    post = P(hip_flexion=45, knee_flexion=20)
    res = ns.nerve_mechanics(post, reference=post)
    p = value("mech_prestrain_pct")
    assert all(res.excursion_mm(s) == 0.0 for s in me.SITES)
    assert res.strain_pct("mid_thigh") == pytest.approx(p)
    assert res.strain_pct("lumbar_roots") == pytest.approx(p / value("mech_root_stiffness_ratio"))
    assert res.strain_pct("cervical") == pytest.approx(p / value("mech_cord_stiffness_ratio"))
    assert res.slack_mm == 0.0


# -- hand-solved cases ----------------------------------------------------------------

def _uniform(lam, **kw):
    # linear (no toe region): the hand-solved cases of a linear cable
    kw.setdefault("stiffening", 1.0)
    return me.NerveModel(shear_lag_mm=lam, cord_stiffness=1.0, root_stiffness=1.0, **kw)


def test_shear_lag_decay_matches_the_continuum_solution():
    # A lengthening crossing far from both ends of a uniform taut cable:
    # u - U = +-(Delta/2) exp(-|x|/lam), strain rise (Delta/2lam) exp(-|x|/lam).
    lam = 60.0
    model = _uniform(lam, prestrain_pct=1.0, element_mm=1.0)
    res, rest = model.solve(P(hip_flexion=60)), model.solve(P())
    delta = 41 * math.pi / 3
    s_hip = model.crossing_mm["hip_flexion"]
    exc = res.excursion_profile_mm
    rise = res.strain_profile_pct - rest.strain_profile_pct
    assert rise.max() == pytest.approx(100 * delta / (2 * lam), rel=0.02)
    for dist in (60.0, 120.0, 180.0):
        above = np.interp(s_hip - dist, model.s_mm, exc)
        below = np.interp(s_hip + dist, model.s_mm, exc)
        assert above == pytest.approx(delta / 2 * math.exp(-dist / lam), rel=0.03)   # pulled distally
        assert below == pytest.approx(-delta / 2 * math.exp(-dist / lam), rel=0.03)  # pulled proximally
        assert np.interp(s_hip + dist, model.s_mm, rise) == pytest.approx(
            100 * delta / (2 * lam) * math.exp(-dist / lam), rel=0.03)


def test_frictionless_taut_cable_strains_uniformly_by_bed_change_over_length():
    model = _uniform(FREE, prestrain_pct=1.0)
    post = P(hip_flexion=60, ankle_dorsiflexion=15, cervical_flexion=30)
    dL = 41 * math.pi / 3 + 15 * math.radians(15) + 15 * math.radians(30)   # all three wrap
    assert ns.nerve_bed_length(post) - ns.nerve_bed_length(P()) == pytest.approx(dL)
    L = nerve_pathway(ns.DEFAULT_BODY).run_length
    assert np.allclose(model.solve(post).strain_profile_pct, 1.0 + 100 * dL / L, rtol=1e-9)


def test_frictionless_cable_goes_slack_as_a_whole_when_the_bed_shortens_by_more_than_its_stretch():
    # resting strain 0.3 % over about 1.6 m = 4.9 mm of stretch; 40 deg of knee flexion folds
    # 2 x 25 x tan(20 deg) = 18.2 mm: the whole cable goes slack, tension 0 everywhere
    model = _uniform(FREE, prestrain_pct=0.3)
    res = model.solve(P(knee_flexion=40))
    L = nerve_pathway(ns.DEFAULT_BODY).run_length
    assert np.allclose(res.strain_profile_pct, 0.0, atol=1e-9)
    assert res.slack_mm == pytest.approx(2 * 25 * math.tan(math.radians(20)) - 0.003 * L, rel=1e-6)


def test_beyond_its_toe_the_nerve_is_stiffer_by_the_ratio_hand_solved():
    # A frictionless cable of one stiffness EA carries one tension T everywhere.  With the cord
    # (length Lc) stiffening beyond a toe end e_t beyond its in-situ length (strain from the
    # unloaded length e_u = (1 + p)(1 + e_t) - 1, p the resting strain) and the rest linear, the
    # two pieces in series take up the bed's lengthening dL:
    #   Lc (e_u + (T/EA - e_u) / r) + (L - Lc) T/EA = p L + dL   (cord beyond its toe)
    p, e_t, r = 0.01, 0.02, 4.0
    e_u = (1 + p) * (1 + e_t) - 1
    model = _uniform(FREE, prestrain_pct=100 * p, toe_end_pct={"cord": 100 * e_t, "roots": math.inf,
                                                                "nerve": math.inf}, stiffening={"cord": r})
    L = nerve_pathway(ns.DEFAULT_BODY).run_length
    Lc = model.cord_mm[1]
    post = P(hip_flexion=90, knee_flexion=0, ankle_dorsiflexion=20, cervical_flexion=40)
    dL = ns.nerve_bed_length(post) - ns.nerve_bed_length(P())
    tau = (p * L + dL - Lc * e_u * (1 - 1 / r)) / (Lc / r + (L - Lc))    # T / EA
    cord_strain = e_u + (tau - e_u) / r
    assert cord_strain > e_u                                              # the case solved is beyond the toe
    res = model.solve(post)
    e = res.element_strain_pct
    assert np.allclose(e[model.cord], 100 * cord_strain, rtol=1e-9)
    assert np.allclose(e[~model.cord], 100 * tau, rtol=1e-9)
    # in the toe (a small lengthening) the cord strains like the rest: the law is linear there
    small = P(hip_flexion=10)
    dL = ns.nerve_bed_length(small) - ns.nerve_bed_length(P())
    assert np.allclose(model.solve(small).element_strain_pct, 100 * (p + dL / L), rtol=1e-9)


def test_the_toe_region_ends_at_the_cited_strain_beyond_rest():
    model = _model()
    toe, ratio = _toe_law(model)
    assert np.array_equal(model._ratio, ratio) and np.allclose(model._toe, toe)
    for t in me.TISSUES:
        assert value(f"mech_toe_stiffening_{t}") > 1.0          # stiffer beyond the toe, never softer
    # everyday movements stay in the toe (Kwan et al. 1992: 8 % beyond in-situ length carried 2 h)
    assert value("mech_toe_end_nerve_pct") == 8.0
    # normal full neck flexion (Reid 1960: about 10 %) reaches the end of the cord's toe
    assert value("mech_toe_end_cord_pct") == value("strain_band_cord_normal_flexion")


@pytest.mark.parametrize("kw, err", [(dict(toe_end_pct=-1), ValueError), (dict(toe_end_pct={"spine": 5}), ValueError),
                                     (dict(stiffening=0.5), ValueError), (dict(stiffening="5"), TypeError),
                                     (dict(stiffening={"nerve": 2000}), ValueError)])
def test_bad_tension_law(kw, err):
    with pytest.raises(err, match="toe end|stiffening|tissue"):
        me.NerveModel(**kw)


@pytest.mark.parametrize("bad, err", [(-1.0, ValueError), (0.0, ValueError), (float("nan"), ValueError),
                                      ("12", TypeError), (True, TypeError)])
def test_bad_glide(bad, err):
    with pytest.raises(err, match=r"glide of the leg's nerve.*mm"):
        me.NerveModel(glide_mm=bad)


def test_the_leg_glides_then_is_held_by_hand():
    # one posture: the hip flexed 60 deg slides the leg's nerve up, past its glide below the knee
    model = me.NerveModel(glide_mm=me.leg_glide_mm())
    assert model.glide_mm == value("mech_glide_leg_mm") == 12.2     # Shum et al. 2013, default body
    assert _model().glide_mm == math.inf and _model().glide_nodes.size == 0    # off by default
    post = P(hip_flexion=60)
    u = model.solve(post).nerve_displacement_mm
    d, _ = model.deltas(post)
    U = (model._Wj @ d)[:, 0]
    x = u - U
    leg = model.glide_nodes
    s = model.s_mm[leg]
    # the leg: below the knee's crossing (its 2 mm element), above the tarsal tunnel
    assert s.min() > model.crossing_mm["knee_flexion"] and s.max() < model.region_mm["tarsal_tunnel"][0]
    assert x[leg].min() < -value("mech_glide_leg_mm")           # some of the leg slid beyond its glide
    free = _model()
    xf = free.solve(post).excursion_profile_mm
    assert x[leg].min() > xf[leg].min() + 1.0                     # held: it slides less than a free leg
    # equilibrium with the hold g x + (r - 1) g sign(x) max(|x| - glide, 0), r = (1500 / 80)^2, by hand
    assert _tension_residual(model, u, U) < 1e-9


# -- the neck as several joints, the cord as its own tissue ---------------------------------

def test_neck_flexion_is_shared_over_c2_to_t1_in_the_cited_proportions():
    model = _model()
    neck = [(w, x) for j, w, x in model.crossings if j == "cervical_flexion"]
    assert len(neck) >= 5
    rom = [10, 15, 20, 20, 17, 9]                      # White & Panjabi 1990, C2/3 .. C7/T1 (deg)
    assert [w for w, _x in neck] == pytest.approx([r / sum(rom) for r in rom])
    c2, t1 = model.cervical_span_mm
    assert all(c2 < x <= t1 for _w, x in neck)
    assert neck[-1][1] == pytest.approx(model.crossing_mm["cervical_flexion"])   # C7/T1 where the core has it
    # the bed change is still the core's
    post = P(cervical_flexion=NECK_MAX, hip_flexion=30)
    assert ns.nerve_mechanics(post).bed_change_mm == pytest.approx(ns.nerve_bed_length(post) - ns.nerve_bed_length(P()))


def test_full_neck_flexion_stretches_the_cervical_cord_about_ten_percent():
    # Reid 1960: about 10 % over C2-T1 (7-13 % accepted)
    assert 7.0 <= _rise(P(cervical_flexion=NECK_MAX), "cervical") <= 13.0


def test_straight_leg_raise_strains_the_cord_less_than_a_third_of_neck_flexion():
    neck = _rise(P(cervical_flexion=NECK_MAX), "cervical")
    slr = _rise(P(hip_flexion=60), "cervical")
    assert 0.0 <= slr < neck / 3


def test_neck_flexion_barely_moves_the_conus_and_the_thigh_nerve():
    res = ns.nerve_mechanics(P(cervical_flexion=NECK_MAX))
    assert abs(res.excursion_mm("conus")) < 2.0
    assert abs(res.excursion_mm("mid_thigh")) < 0.5
    # the neck's 15 mm x pi/3 = 15.7 mm is taken up in the neck
    assert res.bed_change_mm == pytest.approx(15 * math.pi / 3)


def test_neck_flexion_in_neutral_sitting_barely_moves_the_thigh_nerve():
    a = ns.nerve_mechanics(pr.SITTING)
    b = ns.nerve_mechanics(pr.SITTING.replace(cervical_flexion=45))
    assert abs(b.excursion_mm("mid_thigh") - a.excursion_mm("mid_thigh")) <= 2.0
    assert abs(b.excursion_mm("conus") - a.excursion_mm("conus")) <= 2.0


def _neck_pull_at_mid_thigh(base):
    a, b = ns.nerve_mechanics(base), ns.nerve_mechanics(base.replace(cervical_flexion=45))
    return b.excursion_mm("mid_thigh") - a.excursion_mm("mid_thigh"), b.strain_pct("mid_thigh") - a.strain_pct("mid_thigh")


@pytest.mark.xfail(strict=True, reason="limitation: the cervical tethers that give Reid's 10 % at the neck take up "
                   "the neck's pull, and normal neck flexion leaves the cord in its toe, so a taut leg does not "
                   "let the neck reach the thigh (slumped, knee straight: 0.05 mm proximally, as in neutral "
                   "sitting; asked: 0.7 mm more slumped)")
def test_neck_flexion_pulls_the_thigh_nerve_up_when_slumped_with_the_knee_straight():
    neutral, _ = _neck_pull_at_mid_thigh(pr.SITTING)
    slumped, tension = _neck_pull_at_mid_thigh(pr.SITTING.replace(lumbar_flexion=30, thoracic_flexion=30, knee_flexion=0))
    # proximally, by more than ultrasound resolves (SEM 0.7 mm) beyond what it does in neutral sitting
    assert slumped < neutral - 0.7
    assert tension > 0.1


def test_the_cord_is_its_own_tissue_with_its_own_bands():
    model = _model()
    assert model.cord.any() and not model.cord.all()
    assert np.all(model._EA[model.cord] == value("mech_cord_stiffness_ratio"))
    assert value("mech_cord_stiffness_ratio") < 1.0             # more compliant than the nerve
    assert model.site_mm["conus"] == pytest.approx(model.cord_mm[1])
    assert me.CORD_STRAIN_BANDS[1].lower_pct == 10.0 and "Reid" in me.CORD_STRAIN_BANDS[0].source
    assert all("rabbit" not in b.meaning for b in me.CORD_STRAIN_BANDS)
    res = ns.nerve_mechanics(P(cervical_flexion=NECK_MAX))
    assert res.peak_nerve_strain_pct < res.strain_pct("cervical")
    cord = res.cord_nodes
    assert cord[0] and not cord[-1] and res.s_mm[cord].max() == pytest.approx(model.cord_mm[1])


# -- strain from the in-situ length -------------------------------------------------------

def test_in_situ_strain_is_elongation_beyond_the_length_at_rest():
    """(1 + e) / (1 + e_rest) - 1 element by element, e_rest the resting strain: the prestrain in the
    nerve, prestrain / 0.15 in cord and roots (one resting tension); 0 at rest, the exact ratio."""
    model = _model()
    p = value("mech_prestrain_pct") / 100.0
    rest = np.where(model.cord, p / value("mech_cord_stiffness_ratio"), p)
    roots = (model._mids > model.tissue_mm["roots"][0]) & (model._mids < model.tissue_mm["roots"][1])
    rest = np.where(roots, p / value("mech_root_stiffness_ratio"), rest)
    standing = ns.nerve_mechanics(P())
    assert np.abs(standing.element_in_situ_strain_pct).max() < 1e-9        # at rest: the in-situ length
    assert all(abs(standing.in_situ_strain_pct(s)) < 1e-9 for s in me.SITES)
    post = pr.POSTURES["slump end (look down, dorsiflex)"]
    res = ns.nerve_mechanics(post)
    e = np.asarray(res.element_strain_pct) / 100.0
    want = 100.0 * ((1.0 + e) / (1.0 + rest) - 1.0)
    np.testing.assert_allclose(res.element_in_situ_strain_pct, want, atol=1e-9)
    # not the first-order difference: at the roots' 2.67 % rest the two differ visibly
    k = int(np.argmax(np.where(roots, want, -np.inf)))
    assert abs(want[k] - 100.0 * (e[k] - rest[k])) > 0.2
    # the peripheral peak is the largest of the nerve's elements (below the plexus), by hand
    nerve = model._mids >= model.tissue_mm["nerve"][0]
    assert res.peak_nerve_in_situ_strain_pct == pytest.approx(want[nerve].max(), abs=1e-9)
    # a site: the same ratio of the site's strains (rest strain of the tissue it lies in)
    e_site = res.strain_pct("lumbar_roots") / 100.0
    assert res.in_situ_strain_pct("lumbar_roots") == pytest.approx(
        100.0 * ((1.0 + e_site) / (1.0 + p / value("mech_root_stiffness_ratio")) - 1.0), abs=1e-9)


def test_a_slack_nerve_is_shorter_than_in_situ():
    """A bent knee lets the nerve fall slack behind it: its unloaded length, -p / (1 + p) from in situ."""
    res = ns.nerve_mechanics(P(knee_flexion=120))
    p = value("mech_prestrain_pct") / 100.0
    assert res.element_in_situ_strain_pct.min() == pytest.approx(-100.0 * p / (1.0 + p), abs=1e-9)


def test_the_roots_have_bands_of_their_own_from_root_data():
    """Roots have no epineurium: the rabbit peripheral-nerve bands are not theirs.  Their landmark is
    the 2-4 % a straight-leg raise gave cadaver roots (Smith et al. 1993), its upper end the edge."""
    assert me.ROOT_STRAIN_BANDS[1].lower_pct == 4.0 and "Smith" in me.ROOT_STRAIN_BANDS[0].source
    assert all("rabbit" not in b.meaning for b in me.ROOT_STRAIN_BANDS)
    assert {b.colour for b in me.ROOT_STRAIN_BANDS[1:]}.isdisjoint(b.colour for b in me.STRAIN_BANDS[1:])
    model = _model()
    res = ns.nerve_mechanics(P(hip_flexion=60))
    a, z = model.tissue_mm["roots"]
    assert np.array_equal(res.root_nodes, (res.s_mm > a + 1e-9) & (res.s_mm < z - 1e-9))
    assert not (res.root_nodes & res.cord_nodes).any()
    # Smith's raise, measured from supine: the roots' stretch inside the published 2-4 %, the first band
    assert 2.0 <= res.in_situ_strain_pct("lumbar_roots") <= 4.0


# -- published figures (evidence file) ---------------------------------------------------

def test_smith_root_excursion_and_strain_in_a_60_degree_straight_leg_raise():
    res = ns.nerve_mechanics(P(hip_flexion=60))
    assert 0.5 <= res.excursion_mm("lumbar_roots") <= 5.0      # distally, 0.5-5 mm
    assert 2.0 <= _rise(P(hip_flexion=60), "lumbar_roots") <= 4.0


def test_coppieters_directions_of_tibial_nerve_movement():
    hf = ns.nerve_mechanics(P(hip_flexion=70))
    df = ns.nerve_mechanics(P(ankle_dorsiflexion=20))
    assert hf.excursion_mm("popliteal") < 0 and hf.excursion_mm("ankle") < 0   # proximally, far down the leg
    assert df.excursion_mm("ankle") > 0                                          # distally


def test_evidence_rows_of_the_mechanics():
    from neuralsim import evidence
    rows = {r["key"]: r for r in evidence.comparisons()}
    # the median- and ulnar-nerve slider/tensioner figures are compared by direction only
    for key in ("slider_tensioner_excursion_ratio", "slider_in_vivo"):
        assert rows[key]["check"] == "direction" and rows[key]["low"] is None, key
    # every mechanics row has a computed model value; its misses are exactly the stated limitations: the
    # toe region, and the glides whose excursions differ by less than ultrasound can measure
    mech = [k for k in rows if k.startswith(("ridehalgh", "alshami", "reid", "smith", "coppieters", "slider", "ellis"))
            and rows[k]["check"] != "none"]            # Ridehalgh 2015 (people with leg pain): no number compared
    assert len(mech) == 12 and all(rows[k]["model"] is not None for k in mech)
    unresolved = ["slider_tensioner_excursion_ratio", "slider_in_vivo", "ellis_slider"]
    assert [k for k in mech if not rows[k]["within"]] == ["alshami_order", *unresolved]
    assert all(rows[k]["met"] and not rows[k]["resolved"] for k in unresolved)
    assert "tarsal tunnel" in rows["alshami_order"]["limitation"]
    assert not rows["boyd_prepositioning"]["within"] and "toe" in rows["boyd_prepositioning"]["limitation"]
    assert rows["reid_cervical"]["model"] == pytest.approx(_stretch(P(cervical_flexion=NECK_MAX), "cervical"))
    assert rows["smith_root_strain"]["model"] == pytest.approx(_stretch(P(hip_flexion=60), "lumbar_roots"))


# -- entrapment -------------------------------------------------------------------------

def _near(res, x, side):
    """Strain (%) of the element just proximal (side -1) or distal (+1) of position x."""
    m = res.model
    i = int(np.argmin(np.abs(m.s_mm - x)))
    return res._elem[i - 1 if side < 0 else i, 0]


def test_popliteal_entrapment_holds_the_leg_and_gathers_strain_above_it():
    post = P(hip_flexion=70)
    free = ns.nerve_mechanics(post)
    held = ns.nerve_mechanics(post, entrapment={"popliteal": 0.8})
    x = held.model.entrapment_mm["popliteal"]
    for site in ("popliteal", "ankle"):                    # distal of the hold, the hip's pull falls
        assert abs(held.excursion_mm(site)) < abs(free.excursion_mm(site))
    assert _near(held, x, -1) > _near(free, x, -1) + 1.0   # strain gathers next to it
    # a freer hold moves the nerve more; severity 0 is no entrapment
    mild = ns.nerve_mechanics(post, entrapment={"popliteal": 0.3})
    assert abs(held.excursion_mm("popliteal")) < abs(mild.excursion_mm("popliteal")) < abs(free.excursion_mm("popliteal"))
    none = ns.nerve_mechanics(post, entrapment={"popliteal": 0.0})
    assert none.excursion_mm("popliteal") == pytest.approx(free.excursion_mm("popliteal"))


@pytest.mark.parametrize("site, beyond", [("lumbar_roots", "conus"), ("piriformis", "lumbar_roots")])
def test_proximal_entrapment_in_a_straight_leg_raise(site, beyond):
    post = P(hip_flexion=70)
    free = ns.nerve_mechanics(post)
    held = ns.nerve_mechanics(post, entrapment={site: 1.0})
    x = held.model.entrapment_mm[site]
    assert abs(held.excursion_mm(beyond)) < 0.2 * abs(free.excursion_mm(beyond))
    assert _near(held, x, +1) > _near(free, x, +1)


def test_tarsal_tunnel_entrapment_holds_the_foot_end():
    post = P(hip_flexion=70, knee_flexion=0)
    free = ns.nerve_mechanics(post)
    held = ns.nerve_mechanics(post, entrapment={"tarsal_tunnel": 1.0})
    x = held.model.entrapment_mm["tarsal_tunnel"]
    assert abs(held.excursion_mm("ankle")) < abs(free.excursion_mm("ankle"))
    assert _near(held, x, -1) > _near(free, x, -1)


@pytest.mark.parametrize("bad, err", [({"knee": 0.5}, ValueError), ({"popliteal": 1.5}, ValueError),
                                      ({"popliteal": -0.1}, ValueError), ({"popliteal": "high"}, TypeError),
                                      ({"popliteal": True}, TypeError), (["popliteal"], TypeError)])
def test_bad_entrapment(bad, err):
    with pytest.raises(err, match="entrapment"):
        ns.nerve_mechanics(P(), entrapment=bad)


# -- shapes, vectorisation, bad input ---------------------------------------------

def test_vectorised_equals_one_by_one():
    rng = np.random.default_rng(3)
    angles = {j: rng.uniform(*joint_range(j), size=(3, 4)) for j in JOINTS}
    res = ns.nerve_mechanics(P(**angles))
    N = len(res.s_mm)
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
    assert c.excursion_mm("hip").shape == (2,) and c.excursion_mm("hip")[1] == 0.0


def test_s_mm_runs_from_c1_to_the_foot_and_sites_are_in_order():
    model = _model()
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
        me.NerveModel(prestrain_pct=float("nan"))
    with pytest.raises(TypeError, match="prestrain"):
        me.NerveModel(prestrain_pct="1")


def test_parameters_documented():
    names = [n for n in PARAMETERS if n.startswith(("mech_", "strain_band_"))]
    assert len(names) >= 25
    for n in names:
        assert PARAMETERS[n].source and PARAMETERS[n].unit
    for n in ("mech_shear_lag_canal", "mech_shear_lag_cervical_canal", "mech_shear_lag_roots", "mech_shear_lag_limb",
              "mech_prestrain_pct", "mech_shear_lag_tarsal_tunnel", "mech_cord_stiffness_ratio",
              "mech_root_stiffness_ratio", "mech_entrapment_hold_mm", *(f"mech_toe_end_{t}_pct" for t in me.TISSUES),
              *(f"mech_toe_stiffening_{t}" for t in me.TISSUES)):
        assert "assumption" in PARAMETERS[n].source, n
    assert "White & Panjabi" in PARAMETERS["mech_neck_rom_c4_c5"].source
    assert "Saifuddin" in PARAMETERS["mech_conus_level"].source


def test_neck_release_lowers_strain_in_the_slump():
    a = ns.nerve_mechanics(pr.SLUMP_NECK_RELEASE[0].posture)
    b = ns.nerve_mechanics(pr.SLUMP_NECK_RELEASE[1].posture)
    assert b.peak_strain_pct < a.peak_strain_pct
    assert b.strain_pct("cervical") < a.strain_pct("cervical")


def test_strain_gathers_where_the_joints_move_in_the_slump():
    # the slump end position: strain is not the same everywhere (cord at the neck, nerve at the knee)
    res = ns.nerve_mechanics(pr.SLUMP_NECK_RELEASE[0].posture)
    s = [res.strain_pct(x) for x in ("cervical", "lumbar_roots", "mid_thigh", "popliteal", "ankle")]
    assert max(s) - min(s) > 3.0


def test_discretisation_converged():
    post = _random_postures(500, 1)
    a = me.NerveModel().solve(post)
    b = me.NerveModel(element_mm=10).solve(post)
    for s in me.SITES:
        assert np.abs(a.excursion_mm(s) - b.excursion_mm(s)).max() < 0.05
        # the cord's crossings are 16 mm apart under a 40 mm hold: its peak converges to first
        # order in the element length (about 2 % of the value per halving)
        assert np.abs(a.strain_pct(s) - b.strain_pct(s)).max() < (0.4 if s in ("cervical", "conus") else 0.05)
    # with the leg's glide on: its hold beyond the glide is a kink in the interface's law, and near it
    # (and near the roots' toe end, which the held leg brings closer) the strain converges to first order
    g = me.NerveModel(glide_mm=me.leg_glide_mm()).solve(post)
    h = me.NerveModel(glide_mm=me.leg_glide_mm(), element_mm=10).solve(post)
    for s in me.SITES:
        assert np.abs(g.excursion_mm(s) - h.excursion_mm(s)).max() < 0.05
        assert np.abs(g.strain_pct(s) - h.strain_pct(s)).max() < (0.4 if s in ("cervical", "conus", "lumbar_roots") else 0.05)
    assert np.abs(a.peak_strain_pct - b.peak_strain_pct).max() < 0.6


def test_single_pivot_fallback_finds_the_same_slack():
    # Murty's rule (one element flipped at a time) is the fall-back when block pivoting has not
    # settled; forced from the first step it must reach the same unique solution
    model = me.NerveModel()
    post = _random_postures(400, 11)
    d, _ = model.deltas(post)
    block = model.folds(d)
    model._block_steps = 0
    assert np.allclose(model.folds(d), block, atol=1e-9)
