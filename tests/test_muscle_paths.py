"""Muscle paths with published moment-arm behaviour (issue 12, item 6).

Expected values are derived by hand from the moment-arm curve written in
``neuralsim/geometry.py`` (``r = d (1 + gain sin(90 deg x angle / peak))``) and
the parameters in ``data/parameters.csv``; moment arms of the model are
measured here as the slope of the muscle's length (a central difference), so
the test reads the path, not the formula it is built from.
"""
from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import neuralsim as ns
from neuralsim.geometry import LAWS, Crossing, MomentArmCurve
from neuralsim.model import muscle_pathway
from neuralsim.registry import Registry, using

HAMSTRINGS = ("semitendinosus", "semimembranosus", "biceps_femoris_lh")
KNEE_CURVES = HAMSTRINGS + ("gastrocnemius",)
H = 0.01   # deg, step of the central difference


def slope_moment_arm(muscle: str, joint: str, deg):
    """|dL/dangle| (mm per rad) of the whole muscle path at ``deg`` of ``joint``, the other joints at 0."""
    deg = np.asarray(deg, dtype=float)
    up = ns.muscle_length(ns.Posture(**{joint: deg + H}), muscle)
    down = ns.muscle_length(ns.Posture(**{joint: deg - H}), muscle)
    return np.abs(up - down) / math.radians(2 * H)


@pytest.mark.parametrize("muscle", KNEE_CURVES)
def test_knee_moment_arm_peaks_mid_range_and_falls_in_deep_flexion(muscle):
    angles = np.append(np.arange(1.0, 140.0, 1.0), 140.0 - H)
    r = slope_moment_arm(muscle, "knee_flexion", angles)
    peak_at = angles[int(np.argmax(r))]
    assert 30.0 <= peak_at <= 75.0, f"{muscle}: peak at {peak_at} deg"
    deep = r[(angles >= 120) & (angles <= 140)]
    assert deep.max() < r.max() * 0.95            # falls clearly after the peak
    assert r[-1] < r[0]                           # and below the straight-knee value at 140 deg


@pytest.mark.parametrize("muscle, d, peak_deg, gain", [
    # offsets (mm) and curve parameters from parameters.csv
    ("semitendinosus", 45.0, 50.0, 0.2),
    ("semimembranosus", 30.0, 50.0, 0.2),
    ("biceps_femoris_lh", 20.0, 50.0, 0.2),
    ("gastrocnemius", 20.0, 45.0, 0.3),
])
def test_knee_moment_arm_hand_values(muscle, d, peak_deg, gain):
    r = slope_moment_arm(muscle, "knee_flexion", [1e-3 + H, peak_deg, min(3 * peak_deg, 140 - H)])
    assert r[0] == pytest.approx(d, abs=0.05)                        # straight knee: the cited offset
    assert r[1] == pytest.approx(d * (1 + gain), abs=0.05)           # the peak: (1 + gain) d
    if 3 * peak_deg < 140:
        assert r[2] == pytest.approx(d * (1 - gain), abs=0.05)       # three times the peak angle: (1 - gain) d


def test_semitendinosus_shortening_from_0_to_110_deg_knee_flexion():
    """Published: knee moment arm 40-55 mm (Spoor et al. 1990) over 110 deg (1.92 rad) gives 77-106 mm."""
    short = ns.muscle_length(ns.Posture(), "semitendinosus") - \
        ns.muscle_length(ns.Posture(knee_flexion=110), "semitendinosus")
    lo, hi = 40.0 * math.radians(110), 55.0 * math.radians(110)
    assert lo <= short <= hi
    # by hand: 45 x 1.9199 rad + 45 x 0.2 x (100 deg in rad / (pi/2) ... ) : the integral of the curve,
    # 45 * (u + 0.2 * (2 p / pi) * (1 - cos(pi u / 2 p))) with u = 110 deg, p = 50 deg
    # = 45 * (1.91986 + 0.2 * 0.55556 * (1 + 0.95106)) = 45 * 2.13665 = 96.15 mm
    assert short == pytest.approx(96.15, abs=0.05)
    # the previous fold law gave 2 x 45 x tan(55 deg) = 128.5 mm, above the range
    assert 2 * 45.0 * math.tan(math.radians(55)) > hi


@pytest.mark.parametrize("muscle, d", [("semitendinosus", 65.0), ("semimembranosus", 60.0),
                                       ("biceps_femoris_lh", 60.0)])
def test_hamstring_hip_moment_arm_varies_with_hip_angle(muscle, d):
    """Hip moment arms change with hip angle (largest at moderate flexion, smaller in deep flexion)
    and stay larger than the knee's (Visser et al. 1990; Kellis & Blazevich 2022)."""
    r0, r45, r90, r120 = slope_moment_arm(muscle, "hip_flexion", [H + 1e-3, 45.0, 90.0, 120.0 - H])
    assert r0 == pytest.approx(d, abs=0.05)
    assert r45 == pytest.approx(1.15 * d, abs=0.05)                        # peak, gain 0.15 at 45 deg
    assert r90 == pytest.approx(d, abs=0.05)                               # back to d at twice the peak
    assert r120 == pytest.approx(d * (1 + 0.15 * math.sin(math.radians(240))), abs=0.05)   # 0.870 d at 120 deg
    assert r45 > 1.1 * r0 and r120 < 0.9 * r0
    hip = slope_moment_arm(muscle, "hip_flexion", np.arange(1.0, 120.0, 1.0))
    knee = slope_moment_arm(muscle, "knee_flexion", np.arange(1.0, 140.0, 1.0))
    assert hip.min() > knee.max()


@settings(max_examples=60, deadline=None)
@given(muscle=st.sampled_from(KNEE_CURVES + ("rectus_femoris",)),
       joint=st.sampled_from(("hip_flexion", "knee_flexion")),
       deg=st.floats(min_value=-5.0, max_value=140.0))
def test_length_change_is_the_integral_of_the_moment_arm(muscle, joint, deg):
    """L(angle) - L(0) equals the signed integral of the crossing's moment arm (trapezoid, fine grid)."""
    path = muscle_pathway(muscle)
    crossing = next((c for c in path.crossings if c.joint == joint), None)
    if crossing is None:
        return
    if joint == "hip_flexion":
        deg = min(deg, 120.0)
    grid = np.linspace(0.0, deg, 4001)
    r = crossing.moment_arm(grid)
    integral = float(np.sum(0.5 * (r[1:] + r[:-1]) * np.diff(np.radians(grid))))
    change = ns.muscle_length(ns.Posture(**{joint: deg}), muscle) - ns.muscle_length(ns.Posture(), muscle)
    assert change == pytest.approx(crossing.sign * integral, abs=0.01)


def test_the_law_is_chosen_by_the_data():
    """The same muscle with the knee crossing's law switched to wrap_fold in the data folds again:
    at 90 deg it loses 2 x 45 x tan(45 deg) = 90 mm."""
    import copy
    import json
    from pathlib import Path

    data = json.loads((Path(ns.__file__).parent / "data" / "structures.json").read_text("utf-8"))
    st_path = data["muscles"]["semitendinosus"]["path"]
    knee = next(p for p in st_path if p.get("cross") == "knee_flexion")
    assert knee["law"] == "moment_arm_curve"
    folded = copy.deepcopy(data)
    fk = next(p for p in folded["muscles"]["semitendinosus"]["path"] if p.get("cross") == "knee_flexion")
    for key in ("law", "peak", "gain"):
        fk.pop(key)
    with using(Registry.from_data(folded)):
        loss = ns.muscle_length(ns.Posture(), "semitendinosus") - \
            ns.muscle_length(ns.Posture(knee_flexion=90), "semitendinosus")
        assert isinstance(next(c for c in muscle_pathway("semitendinosus").crossings
                               if c.joint == "knee_flexion"), Crossing)
    assert loss == pytest.approx(90.0, abs=1e-6)
    assert type(next(c for c in muscle_pathway("semitendinosus").crossings
                     if c.joint == "knee_flexion")) is MomentArmCurve
    assert set(LAWS) == {"wrap_fold", "moment_arm_curve"}


@pytest.mark.parametrize("change, message", [
    ({"law": "spiral"}, "unknown law"),
    ({"law": "wrap_fold", "peak": "hamstring_knee_peak_angle"}, "do not belong"),
    ({"law": "moment_arm_curve"}, "needs 'peak'"),
])
def test_bad_laws_in_the_data_are_refused(change, message):
    import json
    from pathlib import Path

    data = json.loads((Path(ns.__file__).parent / "data" / "structures.json").read_text("utf-8"))
    knee = next(p for p in data["muscles"]["semitendinosus"]["path"] if p.get("cross") == "knee_flexion")
    for key in ("law", "peak", "gain"):
        knee.pop(key)
    knee.update(change)
    with pytest.raises(ValueError, match=message):
        reg = Registry.from_data(data)
        reg.pathway("semitendinosus", ns.DEFAULT_BODY)


@pytest.mark.parametrize("peak, gain", [(0.0, 0.2), (50.0, 1.0), (50.0, -0.1), (float("nan"), 0.2)])
def test_curve_parameters_are_checked(peak, gain):
    with pytest.raises(ValueError, match="moment-arm curve"):
        MomentArmCurve("knee_flexion", 45.0, side="posterior", peak_deg=peak, gain=gain)


def test_gastrocnemius_ankle_offset_is_the_cited_achilles_moment_arm():
    """Maganaris et al. 2000: 43-56 mm at rest; 20 deg of dorsiflexion wraps 50 mm x 0.349 rad = 17.45 mm."""
    change = ns.muscle_length(ns.Posture(ankle_dorsiflexion=20), "gastrocnemius") - \
        ns.muscle_length(ns.Posture(), "gastrocnemius")
    assert change == pytest.approx(50.0 * math.radians(20), abs=1e-6)
    from neuralsim import parameters
    assert 43.0 <= parameters.value("gastrocnemius_ankle") <= 56.0


@pytest.mark.parametrize("muscle", KNEE_CURVES)
@pytest.mark.parametrize("view", ["standing", "sitting", "supine"])
def test_drawn_muscle_has_the_computed_length_at_deep_bends(muscle, view):
    p = ns.Posture(hip_flexion=120, knee_flexion=140, ankle_dorsiflexion=20)
    d = ns.model.drawing(p, view=view)
    drawn = float(np.hypot(*np.diff(d["muscles"][muscle], axis=0).T).sum())
    assert drawn == pytest.approx(ns.muscle_length(p, muscle), abs=0.05)


@pytest.mark.parametrize("muscle, d", [("semitendinosus", 45.0), ("semimembranosus", 30.0),
                                       ("biceps_femoris_lh", 20.0), ("gastrocnemius", 20.0)])
@pytest.mark.parametrize("knee", [10.0, 45.0, 90.0])
def test_drawn_bend_stays_at_the_knee(muscle, d, knee):
    """The drawn vertex is the one near the joint (where the runs' lines meet, d / cos(knee / 2)
    from the knee centre), not the far crossing of the same length on the other side of the chord."""
    p = ns.Posture(hip_flexion=90, knee_flexion=knee)
    dr = ns.model.drawing(p, view="sitting")
    pts = dr["muscles"][muscle]
    nearest = float(np.min(np.hypot(*(pts - dr["joints"]["knee"]).T)))
    corner = d / math.cos(math.radians(knee / 2))
    assert nearest <= 1.5 * corner
