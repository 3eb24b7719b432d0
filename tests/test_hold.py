"""A held position (neuralsim/mechanics/hold.py): relaxation from its own source, time 0 = the elastic
result, tension relaxing monotonically toward rest over the whole time range, shapes, bad times refused."""
import math

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import neuralsim as ns
from neuralsim.core import parameters as P
from neuralsim.core.errors import OutOfRangeError
from neuralsim.evidence import rows
from neuralsim.mechanics import hold as H
from neuralsim.mechanics import FLOW_BANDS, creep, held, nerve_mechanics, relaxation, relaxed_at_strain

SITES = ("cervical", "lumbar_roots", "hip", "mid_thigh", "popliteal", "ankle")
SLUMP_LONG_SIT = ns.Posture(hip_flexion=90, knee_flexion=0, ankle_dorsiflexion=20, lumbar_flexion=30,
                            thoracic_flexion=30, cervical_flexion=45)
G_INF = 1.0 - P.value("hold_relaxed_fraction")
TAU = P.value("hold_relaxation_time_s")
T_MAX = P.value("hold_max_s")


def test_relaxation_is_set_from_its_own_source_not_from_wall():
    for name in ("hold_relaxed_fraction", "hold_relaxation_time_s"):
        src = P.PARAMETERS[name].source
        assert src.startswith("Chen et al. 2010") and "Wall" not in src, src
    # the abstract's figures: 55.97 % relaxed, tau2 199 s (normal rats)
    assert abs(P.value("hold_relaxed_fraction") - 0.5597) < 0.005
    assert P.value("hold_relaxation_time_s") == 199
    assert rows.row("wall_relaxation")["kind"] == "comparison"


def test_relaxation_function_by_hand():
    assert relaxation(0.0) == 1.0
    # one time constant: g_inf + (1 - g_inf) / e; 56 % relaxed at the end
    assert relaxation(TAU) == pytest.approx(0.44 + 0.56 / math.e, rel=1e-12)
    assert relaxation(T_MAX) == pytest.approx(0.44, abs=1e-12)
    assert creep(0.0) == 1.0
    # the same solid under a constant load: retardation time tau / g_inf (452 s)
    assert creep(T_MAX) == pytest.approx(1 / 0.44 - (1 / 0.44 - 1) * math.exp(-7200 * 0.44 / 199), rel=1e-12)
    assert creep(452.27) == pytest.approx(1 / 0.44 - (1 / 0.44 - 1) / math.e, rel=1e-4)


def test_time_zero_is_the_elastic_result_exactly():
    m = nerve_mechanics(SLUMP_LONG_SIT)
    rest = nerve_mechanics(ns.Posture())
    h = held(SLUMP_LONG_SIT, 0.0)
    assert h.relaxed_fraction == 0.0
    for s in SITES:
        assert h.strain_pct(s) == m.strain_pct(s)
        assert h.in_situ_strain_pct(s) == m.in_situ_strain_pct(s)
        assert h.tension_x_rest(s) == m.tension_x_rest(s)
        # tension in the toe is proportional to the strain from the unloaded length
        if m.in_situ_strain_pct(s) < 7.0:                    # well short of every toe end (8 % and more)
            assert h.tension_x_rest(s) == pytest.approx(m.strain_pct(s) / rest.strain_pct(s), rel=1e-9)
    assert held(ns.Posture(), 0.0).tension_x_rest("mid_thigh") == pytest.approx(1.0, rel=1e-12)


def test_tension_beyond_the_toe_has_the_stiffer_part_of_the_law():
    # hip flexed 120 deg with the foot pulled up, slumped: the mid-thigh nerve goes beyond its toe
    p = ns.Posture(hip_flexion=120, ankle_dorsiflexion=20, lumbar_flexion=30, thoracic_flexion=30,
                   hip_adduction=10, hip_internal_rotation=10)
    m = nerve_mechanics(p)
    e = m.strain_pct("mid_thigh") / 100.0                     # from the unloaded length
    rest = 0.004                                               # mech_prestrain_pct 0.4 %
    toe = (1.0 + rest) * 1.08 - 1.0                            # 8 % beyond the in-situ length
    assert e > toe + 0.002                                     # well beyond the toe: the law's second line
    # tension / resting tension: e / rest in the toe, plus (5 - 1) (e - toe) / rest beyond it
    by_hand = (e + 4.0 * (e - toe)) / rest
    assert held(p, 0.0).tension_x_rest("mid_thigh") == pytest.approx(by_hand, rel=1e-9)
    assert by_hand > 1.3 * e / rest                            # the toe law alone would be far lower


def test_an_hour_held_by_hand():
    m = nerve_mechanics(SLUMP_LONG_SIT)
    h = held(SLUMP_LONG_SIT, 3600.0)
    # the long sit takes the thigh's nerve just beyond its toe (8 % beyond its in-situ length):
    # tension / resting tension is e / p, plus (5 - 1) (e - toe end) / p beyond it
    e, p = m.strain_pct("mid_thigh") / 100.0, 0.004
    toe = (1.0 + p) * 1.08 - 1.0
    t0 = (e + 4.0 * max(e - toe, 0.0)) / p
    g = 0.44 + 0.56 * math.exp(-3600.0 / 199.0)
    assert h.tension_x_rest("mid_thigh") == pytest.approx(1.0 + g * (t0 - 1.0), rel=1e-12)
    assert h.strain_pct("mid_thigh") == m.strain_pct("mid_thigh")          # the bed is held
    assert h.relaxed_fraction == pytest.approx(1.0 - g, rel=1e-12)


def test_an_unloaded_or_slack_nerve_keeps_its_tension():
    h = held(ns.Posture(knee_flexion=120), [0.0, 600.0, T_MAX])
    assert h.strain_pct("popliteal")[0] < 1e-9                 # slack behind the bent knee
    t = h.tension_x_rest("popliteal")
    assert np.all(t < 1e-6) and np.all(t == t[0])               # nothing to relax, nothing gained


postures = st.builds(lambda hip, knee, ankle, neck: ns.Posture(hip_flexion=hip, knee_flexion=knee,
                                                                ankle_dorsiflexion=ankle, cervical_flexion=neck),
                     st.floats(-10, 100), st.floats(0, 130), st.floats(-40, 20), st.floats(0, 45))
times = st.floats(0.0, T_MAX)


@settings(max_examples=60, deadline=None, derandomize=True)
@given(postures, times, times)
def test_held_strain_and_tension_relax_monotonically(p, a, b):
    t1, t2 = min(a, b), max(a, b)
    h = held(p, [t1, t2])
    for s in SITES:
        e = h.strain_pct(s)
        assert e[1] <= e[0]                                    # a held strain never grows
        t = h.tension_x_rest(s)
        assert t[1] <= t[0]                                    # a held tension never grows
        if t[0] > 1.0:
            assert t[1] >= 1.0                                 # toward rest, never past it
        else:
            assert t[1] == t[0]                                # unloaded or slack: kept
    assert 0.0 <= h.relaxed_fraction[0] <= h.relaxed_fraction[1] <= 1.0 - G_INF + 1e-12
    j = creep([t1, t2])
    assert 1.0 <= j[0] <= j[1] <= 1.0 / G_INF + 1e-12          # creep under a constant load only grows


def test_over_the_whole_range_on_a_fine_grid():
    t = np.linspace(0.0, T_MAX, 2001)
    g = relaxation(t)
    assert np.all(np.diff(g) <= 0.0) and g[0] == 1.0 and g[-1] >= G_INF
    assert np.all(np.diff(creep(t)) >= 0.0)


def test_shapes_broadcast_and_results_are_read_only():
    p = ns.Posture(knee_flexion=[0.0, 30.0, 60.0])
    t = np.array([0.0, 60.0, 600.0, 3600.0])[:, None]
    h = held(p, t)
    assert h.shape == (4, 3)
    for s in SITES:
        for x in (h.strain_pct(s), h.tension_x_rest(s), h.in_situ_strain_pct(s), h.flow_band(s)):
            assert x.shape == (4, 3) and not x.flags.writeable
    assert h.relaxed_fraction.shape == (4, 3) and not h.held_s.flags.writeable
    assert np.all(h.tension_x_rest("mid_thigh")[0] == held(p, 0.0).tension_x_rest("mid_thigh"))
    one = held(ns.Posture(), 60.0)
    assert isinstance(one.tension_x_rest("hip"), float) and isinstance(one.flow_band("hip"), int)
    assert relaxation([0.0, 1.0]).shape == (2,) and not relaxation([0.0, 1.0]).flags.writeable
    with pytest.raises(ValueError, match=r"held_s: times of shape \(2,\) do not broadcast.*\(3,\)"):
        held(p, [0.0, 1.0])


@pytest.mark.parametrize("bad", [-1.0, -1e-3, math.nan, math.inf, T_MAX + 1.0, 1e9, [0.0, -5.0]])
def test_bad_times_are_refused_with_name_range_and_unit(bad):
    for call in (lambda: held(ns.Posture(), bad), lambda: relaxation(bad), lambda: creep(bad),
                 lambda: relaxed_at_strain(6.0, bad)):
        with pytest.raises(OutOfRangeError) as e:
            call()
        assert e.value.quantity == "held_s" and e.value.unit == "s" and e.value.range == (0.0, T_MAX)
        assert "held_s" in str(e.value) and " s " in str(e.value)


@pytest.mark.parametrize("bad", ["60", None, True, 3 + 0j])
def test_times_that_are_not_numbers_are_type_errors(bad):
    with pytest.raises(TypeError, match="held_s"):
        held(ns.Posture(), bad)


def test_unknown_site_is_refused():
    with pytest.raises(ValueError, match="unknown site"):
        held(ns.Posture(), 0.0).tension_x_rest("elbow")
    with pytest.raises(ValueError, match="unknown site"):
        held(ns.Posture(), 0.0).flow_band("elbow")


def test_relaxation_in_a_stress_relaxation_test_by_hand():
    # stretched 6 % beyond in-situ length from a 0.4 % resting strain, held to equilibrium
    p = 0.01 * P.value("mech_prestrain_pct")
    e = (1 + p) * 1.06 - 1
    assert relaxed_at_strain(6.0, T_MAX) == pytest.approx(100 * 0.56 * (e - p) / e, rel=1e-9)
    assert relaxed_at_strain(0.0, T_MAX) == 0.0
    # more of the tension is the movement's at larger strains, so a larger share relaxes
    r = relaxed_at_strain(np.array([6.0, 9.0, 12.0]), 3600.0)
    assert np.all(np.diff(r) > 0)


def test_flow_bands_follow_clark_et_al():
    half = rows.row("hold_flow_reduced_strain_pct")["low"]       # 8 %, Clark et al. 1992
    severe = rows.row("hold_flow_severe_strain_pct")["low"]      # 15 %
    recover = rows.row("hold_flow_recovery_s")["low"]            # 30 min
    assert (half, severe, recover) == (8.0, 15.0, 1800.0)
    # a grid of postures, every band computed by hand from the in-situ strain
    grid = ns.Posture(hip_flexion=np.linspace(0, 110, 12)[:, None], knee_flexion=0.0,
                      ankle_dorsiflexion=np.linspace(-20, 20, 5)[None, :], lumbar_flexion=30,
                      thoracic_flexion=30, cervical_flexion=45)
    for t in (0.0, recover - 1.0, recover, T_MAX):
        h = held(grid, t)
        for s in ("hip", "mid_thigh", "popliteal", "ankle"):
            e = h.in_situ_strain_pct(s)
            want = np.where(e >= severe, 3, np.where(e >= half, 2 if t >= recover else 1, 0))
            assert np.array_equal(h.flow_band(s), want), (s, t)
        assert np.all(h.flow_band("lumbar_roots") == FLOW_BANDS.index("no blood-flow figure (cord or roots)"))
        assert np.all(h.flow_band("cervical") == 4)
    # the grid reaches beyond 8 % somewhere, so the middle bands are exercised
    assert np.any(held(grid, 0.0).flow_band("mid_thigh") == 1)


def test_exported_from_the_package():
    assert ns.held is held and H.held is held


def test_hold_table_rows_are_the_held_values():
    slump = ns.model.protocols.POSTURES["slump end (look down, dorsiflex)"]
    times = [0.0, 60.0, 1800.0]
    rows_ = H.hold_table(slump, times, "mid_thigh", entrapment={"popliteal": 0.8})
    h = held(slump, np.array(times), entrapment={"popliteal": 0.8})
    assert [r["held_s"] for r in rows_] == times
    for k, r in enumerate(rows_):
        assert r["tension_x_rest"] == h.tension_x_rest("mid_thigh")[k]
        assert r["in_situ_strain_pct"] == h.in_situ_strain_pct("mid_thigh")[k]
        assert r["relaxed_pct"] == pytest.approx(100 * (1 - relaxation(times[k])), rel=1e-12)
        assert r["blood_flow"] == FLOW_BANDS[h.flow_band("mid_thigh")[k]]
    text = H.format_hold_table(rows_)
    assert len(text.splitlines()) == 4 and "30 min" in text and "1 min" in text and "0 s" in text
    with pytest.raises(TypeError, match="one posture"):
        H.hold_table(ns.Posture(knee_flexion=[0.0, 10.0]), times, "hip")
    with pytest.raises(OutOfRangeError, match="held_s"):
        H.hold_table(slump, [0.0, -1.0], "hip")


def test_flow_band_of_a_strain_by_hand():
    assert [H.flow_band_of(e, 0.0) for e in (0.0, 7.99, 8.0, 14.99, 15.0, 30.0)] == [0, 0, 1, 1, 3, 3]
    assert H.flow_band_of(10.0, 1799.0) == 1 and H.flow_band_of(10.0, 1800.0) == 2
    assert H.flow_band_of(20.0, T_MAX) == 3                     # little recovery at the larger stretch
    with pytest.raises(OutOfRangeError, match="held_s"):
        H.flow_band_of(10.0, -1.0)
    with pytest.raises(OutOfRangeError, match="in_situ_strain_pct"):
        H.flow_band_of(-1.0, 0.0)
