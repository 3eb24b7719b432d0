"""The hamstrings beside OpenSim's RajagopalLaiUhlrich2023 model (neuralsim/evidence/reference_model.py)."""
import math

import numpy as np
import pytest

import neuralsim as ns
from neuralsim.evidence import reference_model as rm

HAMSTRINGS = ("semimembranosus", "semitendinosus", "biceps_femoris_lh")


def test_the_table_covers_the_grid_once_with_signs_as_the_project_uses_them():
    t = rm.opensim_table()
    hip, knee = t["hip_flexion_deg"], t["knee_flexion_deg"]
    assert sorted(set(hip)) == list(range(-20, 121, 10)) and sorted(set(knee)) == list(range(0, 141, 10))
    assert hip.size == 15 * 15 and len(set(zip(hip, knee))) == hip.size
    assert 380 < t["model_thigh_mm"] < 440            # an adult thigh, hip centre to knee centre
    assert "Rajagopal" in t["source"] and "Lai" in t["source"]
    for m in HAMSTRINGS:
        L = t[f"{m}_mm"].reshape(15, 15)              # rows: hip -20..120, columns: knee 0..140
        assert np.all((L > 250) & (L < 700)), m      # musculotendon lengths of an adult, mm
        # both models' conventions: hip flexion lengthens a hamstring, knee flexion shortens it
        assert np.all(np.diff(L, axis=0) > 0), m
        assert np.all(np.diff(L[:, :11], axis=1) < 0), m    # to 100 deg knee flexion


def test_the_table_is_read_only():
    t = rm.opensim_table()
    with pytest.raises(ValueError):
        t["semitendinosus_mm"][0] = 0.0
    with pytest.raises(TypeError):
        t["model_thigh_mm"] = 1.0
    r = rm.hamstrings_beside_opensim()
    with pytest.raises(ValueError):
        r["semitendinosus"]["model_change_mm"][0] = 0.0
    with pytest.raises(TypeError):
        r["semitendinosus"]["ratio"] = 0.0


def test_the_default_body_has_the_reference_models_thigh():
    r = rm.hamstrings_beside_opensim()
    h = r["semitendinosus"]["height_m"]
    thigh = ns.Body(height_m=h).segment("thigh")
    # heights are kept to the centimetre: the thigh within what 0.5 cm of height changes it
    assert abs(thigh - rm.opensim_table()["model_thigh_mm"]) <= 0.005 * thigh / h + 1e-9


def _fake_table(monkeypatch, scale: float, offset: float):
    """Swap the OpenSim table for the project's own lengths: ``offset + scale * change``."""
    t = rm.opensim_table()
    hip, knee = t["hip_flexion_deg"], t["knee_flexion_deg"]
    body = rm._thigh_matched_body(t["model_thigh_mm"])
    grid = ns.Posture(hip_flexion=hip, knee_flexion=knee)
    cols = []
    for m in HAMSTRINGS:
        change = np.asarray(ns.muscle_length(grid, m, body=body)) - float(ns.muscle_length(ns.Posture(), m, body=body))
        cols.append(offset + scale * change)
    rows = [f"{h:g},{k:g}," + ",".join(f"{c[i]:.6f}" for c in cols) for i, (h, k) in enumerate(zip(hip, knee))]
    text = "\n".join(["# a table made by the test", f"# model_thigh_mm,{t['model_thigh_mm']}",
                      "hip_flexion_deg,knee_flexion_deg," + ",".join(f"{m}_mm" for m in HAMSTRINGS), *rows])
    monkeypatch.setattr(rm, "read_text", lambda name: text)


def test_a_reference_equal_to_the_model_differs_by_nothing(monkeypatch):
    _fake_table(monkeypatch, scale=1.0, offset=400.0)    # another origin: only changes are compared
    for m, x in rm.hamstrings_beside_opensim().items():
        assert x["rms_difference_mm"] == pytest.approx(0.0, abs=1e-5) and x["within"], m


def test_a_reference_that_changes_twice_as_much_gives_a_ratio_of_one_half(monkeypatch):
    # difference = c - 2c = -c, so RMS(difference) / RMS(2c) = 1/2 whatever c is
    _fake_table(monkeypatch, scale=2.0, offset=300.0)
    for m, x in rm.hamstrings_beside_opensim().items():
        assert x["ratio"] == pytest.approx(0.5, abs=1e-6), m
        assert not x["within"]


def test_the_semitendinosus_is_within_the_tolerance_of_opensims_change():
    x = rm.hamstrings_beside_opensim()["semitendinosus"]
    assert x["postures"] == 225
    assert x["ratio"] <= rm.TOLERANCE


# The two other hamstrings miss: their hip moment arms stay near 58-66 mm over the whole hip range
# (a path wrapped on a circle, with a modest peak at 45 deg), where OpenSim's fall to 20-23 mm at
# 110 deg of hip flexion and to 36-40 mm at 10 deg of extension; and the biceps femoris' knee moment
# arm (20 mm straight, Spoor et al. 1990 via a textbook summary) is about 8 mm smaller than
# OpenSim's 28-31 mm. Stated in notebook 05 and the README; a strict xfail so a model that comes
# within shows up.
@pytest.mark.parametrize("muscle", [
    pytest.param("semimembranosus", marks=pytest.mark.xfail(strict=True, reason="hip moment arm does not fall in deep flexion")),
    pytest.param("biceps_femoris_lh", marks=pytest.mark.xfail(strict=True, reason="hip moment arm constant; knee moment arm 8 mm small")),
])
def test_the_other_hamstrings_are_within_the_tolerance_of_opensims_change(muscle):
    assert rm.hamstrings_beside_opensim()[muscle]["ratio"] <= rm.TOLERANCE


def test_the_misses_come_from_deep_hip_flexion_as_stated():
    """Where the two models part: the largest differences sit at the deepest hip flexion, and
    there OpenSim's hip moment arm is the smaller (our change the larger)."""
    r = rm.hamstrings_beside_opensim()
    for m in ("semimembranosus", "biceps_femoris_lh"):
        assert r[m]["at_hip_deg"] >= 100 and r[m]["max_difference_mm"] > 0, m
    t = rm.opensim_table()
    hip, knee = t["hip_flexion_deg"], t["knee_flexion_deg"]
    for m in HAMSTRINGS:
        L = t[f"{m}_mm"]
        ma = (L[(hip == 120) & (knee == 0)][0] - L[(hip == 100) & (knee == 0)][0]) / math.radians(20)
        assert ma < 35, (m, ma)      # OpenSim: well under the 60-65 mm the project cites at the hip


def test_bad_body_is_refused_by_name():
    with pytest.raises(TypeError, match="body"):
        rm.hamstrings_beside_opensim(body="tall")


def test_the_page_rows_carry_units_and_the_verdict():
    rows = rm.hamstrings_beside_opensim_rows()
    assert [r["muscle"] for r in rows] == list(HAMSTRINGS)
    for r in rows:
        assert set(r) == {"muscle", "rms_difference_mm", "opensim_rms_change_mm", "ratio_pct",
                          "largest_difference_mm", "at_hip_deg", "at_knee_deg", "agrees"}
        assert r["agrees"] == (r["ratio_pct"] <= 100 * rm.TOLERANCE)
        assert r["ratio_pct"] == pytest.approx(100 * r["rms_difference_mm"] / r["opensim_rms_change_mm"])
