"""The matplotlib analysis figures (neuralsim/plots.py): the numbers drawn are the hand-derived ones.

Expected values come from the wrap and fold laws with the offsets of data/parameters.csv: a wrap
lengthens by d x angle (rad), a fold of two runs d behind a joint shortens by 2 d tan(angle / 2), and a
hamstring's knee moment-arm curve integrates to d (u + gain (2 p / pi) (1 - cos(pi u / 2 p))).
(test_svg.py holds the figures' first tests: labels with units, one hip curve, the slump knee bar.)
"""
import math

import matplotlib
import numpy as np
import pytest

import neuralsim as ns
from neuralsim.mechanics import bands
from neuralsim.view import svg
from neuralsim.classroom import figures
from neuralsim.core.parameters import value as P

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


rad = math.radians


def wrap_or_fold(d, deg, wraps_when_positive=True):
    """Change of a bed (mm) crossing one joint d mm from its centre, bent ``deg`` from 0."""
    a = deg if wraps_when_positive else -deg
    return d * rad(a) if a >= 0 else -2 * d * math.tan(rad(-a) / 2)


def hamstring_knee_shortening(d, knee_deg, peak_deg=50.0, gain=0.2):
    """Shortening (mm) of a hamstring from a straight knee to ``knee_deg``: the curve's integral."""
    u, p = rad(knee_deg), rad(peak_deg)
    return d * (u + gain * (2 * p / math.pi) * (1 - math.cos(math.pi * u / (2 * p))))


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def test_knee_curves_by_hand():
    fig = figures.length_angle_curves("knee_flexion", n=30)      # -5 to 140 deg in 5 deg steps
    lines = {l.get_label(): l for l in fig.axes[0].lines}
    x, nerve = lines["nerve bed"].get_data()
    assert x[0] == -5.0 and x[-1] == 140.0
    at = {float(a): i for i, a in enumerate(x)}
    d_k = P("nerve_offset_knee")
    # knee 90: the runs 25 mm behind the knee fold, 2 x 25 x tan(45 deg) = 50 mm shorter
    assert nerve[at[90.0]] == pytest.approx(-2 * d_k * math.tan(rad(45)), abs=1e-9)
    # 5 deg of hyperextension wraps the bed round the back of the knee: 25 mm x 5 deg
    assert nerve[at[-5.0]] == pytest.approx(d_k * rad(5), abs=1e-9)
    # semitendinosus (45 mm, peak 50 deg, gain 0.2) at 110 deg: 96.15 mm shorter
    st_line = lines["semitendinosus"].get_ydata()
    assert st_line[at[110.0]] == pytest.approx(-hamstring_knee_shortening(45.0, 110.0), abs=0.01)
    assert st_line[at[110.0]] == pytest.approx(-96.15, abs=0.05)
    # the colour meanings of the figure: the nerve blue
    assert lines["nerve bed"].get_color() == svg.NERVE_COLOUR


def test_heatmap_cells_are_the_hip_wrap_plus_the_knee_fold():
    fig = figures.two_joint_heatmap("hip_flexion", "knee_flexion", n=5)
    cells = np.asarray(fig.axes[0].collections[0].get_array()).reshape(5, 5)   # rows: knee, columns: hip
    hips = np.linspace(-20.0, 120.0, 5)            # the typical ranges (deg)
    knees = np.linspace(-5.0, 140.0, 5)
    standing = ns.nerve_bed_length(ns.Posture())   # the reference the map is drawn against (mm)
    d_h, d_k = P("nerve_offset_hip"), P("nerve_offset_knee")
    for i, k in enumerate(knees):
        for j, h in enumerate(hips):
            # behind the hip: flexion wraps, extension folds; behind the knee: flexion folds
            want = 100.0 * (wrap_or_fold(d_h, h) + wrap_or_fold(d_k, k, wraps_when_positive=False)) / standing
            assert cells[i, j] == pytest.approx(want, abs=1e-9), (h, k)
    assert cells[0, -1] > 0 > cells[-1, 0]          # raised straight leg longest, bent knee and hip shortest


def test_step_bars_by_hand():
    fig = figures.step_bars("slump")
    n = len(ns.protocols.SLUMP_SEED)
    patches = fig.axes[0].patches
    nerve = [p.get_height() for p in patches[:n]]
    hamstrings = [p.get_height() for p in patches[n:2 * n]]
    # extend one knee (90 -> 0 deg): the mean of the three hamstrings (45, 30, 20 mm) lengthens
    mean_knee = np.mean([hamstring_knee_shortening(d, 90.0) for d in (45.0, 30.0, 20.0)])
    assert mean_knee == pytest.approx(56.61, abs=0.01)
    assert hamstrings == pytest.approx([0.0, 0.0, mean_knee, 0.0, 0.0, 0.0], abs=1e-9)
    # look down: the neck goes from 25 deg of extension (a fold) to 45 deg of flexion (a wrap)
    d_c = P("nerve_offset_cervical")
    assert nerve[3] == pytest.approx(d_c * (rad(45) + 2 * math.tan(rad(12.5))), abs=1e-9)
    # look up: 45 deg of flexion to 40 deg of extension
    assert nerve[5] == pytest.approx(-d_c * (rad(45) + 2 * math.tan(rad(20))), abs=1e-9)
    # the legend counts the hamstrings the registry holds (semitendinosus, semimembranosus, biceps long head)
    assert [t.get_text() for t in fig.axes[0].get_legend().get_texts()] == ["nerve bed", "hamstrings (mean of 3)"]


def test_sensitiser_curves_are_the_plain_raise_shifted_by_each_sensitiser():
    fig = figures.sensitiser_curves(1.04)
    ax = fig.axes[0]
    curves = {l.get_label().split(":")[0]: l for l in ax.lines if ":" in str(l.get_label())}
    standing = ns.nerve_bed_length(ns.Posture())
    hips, plain = curves["plain straight-leg raise"].get_data()
    assert plain == pytest.approx(100.0 * P("nerve_offset_hip") * np.radians(hips) / standing, abs=1e-9)
    # each sensitiser adds its own wrap at every hip angle
    for name, d, deg in [("+ neck flexion 40", P("nerve_offset_cervical"), 40.0),
                         ("+ dorsiflexion 15", P("nerve_offset_ankle"), 15.0)]:
        shift = curves[name].get_ydata() - plain
        assert shift == pytest.approx(np.full_like(plain, 100.0 * d * rad(deg) / standing), abs=1e-9), name
    # the target, 4 % above standing, is a horizontal line
    target = [l for l in ax.lines if l not in curves.values()]
    assert len(target) == 1 and list(target[0].get_ydata()) == pytest.approx([4.0, 4.0])


def test_strain_profiles_mark_the_published_thresholds():
    fig = figures.strain_profiles({"sitting": ns.protocols.SITTING})
    ax = fig.axes[0]
    levels = {float(l.get_ydata()[0]): l.get_color() for l in ax.lines if len(set(l.get_ydata())) == 1
              and l.get_label().startswith("_")}
    # Lundborg & Rydevik 1973 (8 %, 15 %), Ogata & Naito 1986 (15.7 %), each in its band's colour
    assert sorted(levels) == [8.0, 15.0, 15.7]
    assert [levels[b.lower_pct] for b in bands.STRAIN_BANDS[1:]] == [b.colour for b in bands.STRAIN_BANDS[1:]]
    texts = [t.get_text() for t in ax.texts]
    assert texts == [b.label for b in bands.STRAIN_BANDS[1:]]
    assert ax.get_ylim()[1] >= 15.7 * 1.1 - 1e-9      # room above the top threshold for its label


def test_evidence_figure_marks_within_and_outside():
    rows = [{"quantity": "a", "low": 1.0, "high": 2.0, "unit": "mm", "model": 1.5, "within": True},
            {"quantity": "b", "low": 1.0, "high": None, "unit": "1", "model": 0.5, "within": False},
            {"quantity": "c", "low": None, "high": None, "unit": "deg", "model": None, "within": False}]
    fig = figures.evidence_figure(rows)
    within, outside = fig.axes
    assert [l.get_marker() for l in within.lines] == ["o"] and [l.get_marker() for l in outside.lines] == ["X"]
    assert within.get_title(loc="left") == "a: model 1.50 mm" and outside.get_title(loc="left") == "b: model 0.500"
    for ax, (lo, hi, m) in [(within, (1.0, 2.0, 1.5)), (outside, (1.0, 1.0, 0.5))]:
        left, right = ax.get_xlim()
        assert left < min(lo, m) and right > max(hi, m)
    # the published range is the bar: from low to high for a closed range
    bar = within.patches[0]
    assert (bar.get_x(), bar.get_x() + bar.get_width()) == pytest.approx((1.0, 2.0))


def test_the_evidence_figure_prints_numbers_and_units_as_a_page_does():
    """Every word the evidence figure draws (titles and tick labels): no float noise or unrounded
    digits, units as a page prints them (°, cm², no [deg] or cm^2), arrows and names, not identifiers."""
    import re
    import sys
    sys.path.insert(0, str(__import__("pathlib").Path(__file__).parent))
    from support import raw_output
    from neuralsim import evidence
    rows = [{"quantity": "knee short of full extension at hip 90 deg (deg knee flexion)", "low": 21.0,
             "high": 49.4, "unit": "deg", "model": 50.97425974151235, "within": False},
            {"quantity": "biceps_femoris_lh: hip 0->90 deg (ratio)", "low": 1.0, "high": 3.0, "unit": "1",
             "model": 2.887919909015777, "within": True},
            {"quantity": "area (cm^2)", "low": 10.0, "high": 20.0, "unit": "cm^2", "model": 18.4, "within": True}]
    titles = [ax.get_title(loc="left") for ax in figures.evidence_figure(rows).axes]
    assert titles == ["knee short of full extension at hip 90° (° knee flexion): model 51.0°",
                      "biceps femoris, long head: hip 0 → 90° (ratio): model 2.89",
                      "area (cm²): model 18.4 cm²"]
    fig = figures.evidence_figure(evidence.comparisons())
    fig.canvas.draw()
    words = [t.get_text() for ax in fig.axes for t in [ax.title, ax._left_title, *ax.get_xticklabels()]]
    text = " ".join(words)
    assert len(fig.axes) >= 30 and raw_output(text) == []
    assert not re.search(r"\d\.\d{4,}|\bdeg\b|\^2|\[|->|\b[a-z]+_[a-z_]+\b", text), text
    plt.close("all")
