"""The SVG pictures: drawn from the library's geometry, accessible, strain-coloured when possible."""
import math
import re
import sys
import types
import xml.etree.ElementTree as ET

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import neuralsim as ns
from neuralsim import svg
from neuralsim.geometry import VIEWS
from neuralsim.model import drawing
from neuralsim.parameters import value as P

NS = "{http://www.w3.org/2000/svg}"


def parse(text):
    return ET.fromstring(text)


def polyline_points(el):
    return np.array([[float(v) for v in pair.split(",")] for pair in el.get("points").split()])


def nerve_lines(root):
    return [el for el in root.iter(NS + "polyline") if el.get("class") == "neuralsim-nerve"]


POSTURES = [ns.Posture(), ns.protocols.SITTING, ns.protocols.SLUMP_SEED[4].posture,
            ns.Posture(hip_flexion=60, ankle_dorsiflexion=15), ns.Posture(knee_flexion=140, hip_flexion=-20)]


@pytest.mark.parametrize("view", ["standing", "sitting", "supine"])
@pytest.mark.parametrize("posture", POSTURES, ids=repr)
def test_title_desc_and_nerve_path_are_the_library_geometry(view, posture):
    text = svg.posture_svg(posture, view=view, strain=None)
    root = parse(text)                                   # well-formed XML
    title, desc = root.find(NS + "title"), root.find(NS + "desc")
    assert title is not None and title.text.strip()
    assert desc is not None and f"{ns.nerve_bed_length(posture):.0f} mm" in desc.text
    ids = root.get("aria-labelledby").split()
    assert ids == [title.get("id"), desc.get("id")]
    lines = nerve_lines(root)
    assert len(lines) == 1 and lines[0].get("stroke") == svg.NERVE_COLOUR
    pts = polyline_points(lines[0])
    want = drawing(posture, view=view)["nerve"] * (1, -1)   # SVG y points down
    assert pts.shape == want.shape
    assert np.abs(pts - want).max() <= 0.051                # written to 0.1 mm
    hams = [el for el in root.iter(NS + "polyline") if el.get("class") == "neuralsim-hamstring"]
    assert len(hams) == 3 and all(el.get("stroke-dasharray") for el in hams)


def test_the_drawn_nerve_is_as_long_as_the_bed_in_plane():
    # Hip adduction and rotation are out of the drawing's plane; everything else is drawn.
    p = ns.Posture(hip_flexion=70, knee_flexion=30, cervical_flexion=30, lumbar_flexion=20)
    pts = polyline_points(nerve_lines(parse(svg.posture_svg(p, strain=None)))[0])
    drawn = np.hypot(*np.diff(pts, axis=0).T).sum()
    assert drawn == pytest.approx(ns.nerve_bed_length(p), abs=1.0)


def test_taller_body_draws_a_longer_nerve_in_the_same_box():
    small = parse(svg.posture_svg(ns.Posture(), ns.Body(1.50), strain=None))
    tall = parse(svg.posture_svg(ns.Posture(), ns.Body(2.00), strain=None))
    assert small.get("viewBox") == tall.get("viewBox")
    ls = np.ptp(polyline_points(nerve_lines(small)[0])[:, 1])
    lt = np.ptp(polyline_points(nerve_lines(tall)[0])[:, 1])
    assert lt / ls == pytest.approx(2.00 / 1.50, rel=1e-3)


joint_angle = {j: st.floats(*ns.joint_range(j, "hypermobile")) for j in ns.JOINTS}


@settings(max_examples=60, deadline=None)
@given(angles=st.fixed_dictionaries(joint_angle), view=st.sampled_from(list(VIEWS)))
def test_every_posture_of_the_tallest_body_fits_the_view_box(angles, view):
    body = ns.Body(2.10, "hypermobile")
    d = drawing(ns.Posture(**angles), body, view)
    x0, y0, x1, y1 = svg.view_box(view)
    pts = np.vstack([*d["nerves"].values(), *d["skeleton"], *d["muscles"].values()])
    (cx, cy), r = d["head"]
    assert pts[:, 0].min() >= x0 and pts[:, 0].max() <= x1
    assert pts[:, 1].min() >= y0 and pts[:, 1].max() <= y1
    assert x0 <= cx - r and cx + r <= x1 and y0 <= cy - r and cy + r <= y1


def test_bad_view_is_refused():
    with pytest.raises(ValueError, match="view"):
        svg.posture_svg(ns.Posture(), view="upside_down")


def fake_strain(profile):
    profile = np.asarray(profile, dtype=float)
    return types.SimpleNamespace(s_mm=np.linspace(0.0, 1600.0, len(profile)), strain_profile_pct=profile,
                                 peak_strain_pct=float(profile.max()))


def test_uniform_strain_colours_the_whole_nerve_in_one_band():
    root = parse(svg.posture_svg(ns.Posture(), strain=fake_strain(np.full(40, 5.0))))
    lines = nerve_lines(root)
    assert len(lines) == 1 and lines[0].get("stroke") == svg.STRAIN_BANDS[0].colour   # under 8 %
    assert "peak 5.0 %" in ET.tostring(root, "unicode")


def test_rising_strain_walks_through_every_band_in_order_and_keeps_the_path():
    p = ns.protocols.SITTING
    root = parse(svg.posture_svg(p, view="sitting", strain=fake_strain(np.linspace(0.0, 20.0, 200))))
    lines = nerve_lines(root)
    colours = [el.get("stroke") for el in lines]
    assert colours == [band.colour for band in svg.STRAIN_BANDS]
    joined = np.vstack([polyline_points(el) for el in lines])
    want = drawing(p, view="sitting")["nerve"] * (1, -1)
    # consecutive pieces share their end points, so the union is the whole path
    assert np.abs(joined[0] - want[0]).max() < 0.06 and np.abs(joined[-1] - want[-1]).max() < 0.06
    assert len(joined) == len(want) + len(lines) - 1


def test_strain_colour_bands():
    assert svg.strain_colour(0.0) == svg.strain_colour(7.99) == "#56B4E9"   # sky blue, under 8 %
    assert svg.strain_colour(8.0) == svg.OKABE_ITO["orange"]                # 8 to 15 %
    assert svg.strain_colour(15.0) == "#B2182B"                             # 15 to 15.7 %
    assert svg.strain_colour(15.7) == svg.OKABE_ITO["black"]


def test_auto_falls_back_to_a_plain_nerve_without_mechanics(monkeypatch):
    monkeypatch.setitem(sys.modules, "neuralsim.mechanics", None)   # import now fails
    assert svg.load_mechanics() is None
    root = parse(svg.posture_svg(ns.protocols.SITTING, view="sitting"))
    lines = nerve_lines(root)
    assert len(lines) == 1 and lines[0].get("stroke") == svg.NERVE_COLOUR
    assert "nerve strain" not in ET.tostring(root, "unicode")


def test_auto_uses_the_mechanics_model_when_it_is_there():
    nm = svg.load_mechanics()
    p = ns.protocols.SLUMP_SEED[4].posture
    text = svg.posture_svg(p, view="sitting")
    if nm is None:
        assert "nerve strain" not in text
    else:
        assert f"peak {float(nm(p).peak_strain_pct):.1f} %" in text


def test_contribution_bars_are_proportional_and_signed():
    p = ns.Posture(hip_flexion=90, knee_flexion=90)
    contrib = ns.bed_contributions(p)
    root = parse(svg.contributions_svg(contrib))
    assert root.find(NS + "title").text and "Total" in root.find(NS + "desc").text
    bars = {el.get("data-joint"): el for el in root.iter(NS + "rect") if el.get("class") == "neuralsim-bar"}
    assert set(bars) == set(ns.JOINTS)
    hip, knee = bars["hip_flexion"], bars["knee_flexion"]
    # hip 90 deg wraps: 41 mm x pi/2; knee 90 deg folds: -2 x 25 mm x tan 45 deg
    ratio = (P("nerve_offset_hip") * math.pi / 2) / (2 * P("nerve_offset_knee"))
    assert float(hip.get("width")) / float(knee.get("width")) == pytest.approx(ratio, rel=0.01)
    assert hip.get("fill") == svg.OKABE_ITO["vermillion"] and knee.get("fill") == svg.OKABE_ITO["blue"]
    assert float(knee.get("x")) + float(knee.get("width")) == pytest.approx(float(hip.get("x")), abs=0.11)
    assert float(bars["ankle_dorsiflexion"].get("width")) == 0.0


def test_bars_widen_their_scale_for_big_changes():
    root = parse(svg.contributions_svg({"hip_flexion": 160.0, "knee_flexion": -40.0}, scale_mm=80.0))
    bars = {el.get("data-joint"): float(el.get("width")) for el in root.iter(NS + "rect")
            if el.get("class") == "neuralsim-bar"}
    assert bars["hip_flexion"] == pytest.approx(80.0) and bars["knee_flexion"] == pytest.approx(20.0)


def test_ids_are_unique_across_pictures_on_one_page():
    page = svg.protocol_strip("slump").svg
    ids = re.findall(r'id="([^"]+)"', page)
    assert len(ids) == len(set(ids)) == 2 * len(ns.protocols.SLUMP_SEED)


def test_no_network_or_script_in_the_svg():
    text = svg.posture_svg(ns.Posture()) + svg.contributions_svg(ns.bed_contributions(ns.Posture()))
    assert "http" not in text.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "<script" not in text


# -- matplotlib analysis figures (neuralsim.plots) -----------------------------------------------

import matplotlib  # noqa: E402

matplotlib.use("Agg")
from neuralsim import plots  # noqa: E402


def test_length_angle_curves_are_the_model():
    fig = plots.length_angle_curves("hip_flexion")
    ax = fig.axes[0]
    assert "(deg)" in ax.get_xlabel() and "(mm)" in ax.get_ylabel()
    nerve = next(l for l in ax.lines if l.get_label() == "nerve bed")
    x, y = nerve.get_data()
    i = int(np.argmin(abs(x - 90)))
    assert y[i] == pytest.approx(P("nerve_offset_hip") * math.radians(x[i]))
    gastro = next(l for l in ax.lines if l.get_label() == "gastrocnemius")
    assert np.all(gastro.get_ydata() == 0)          # it does not cross the hip
    matplotlib.pyplot.close(fig)


def test_heatmap_and_other_figures_build():
    import matplotlib.pyplot as plt
    fig = plots.two_joint_heatmap("hip_flexion", "knee_flexion", n=21)
    assert "(%)" in fig.axes[1].get_ylabel()
    plt.close(fig)
    fig = plots.step_bars("slump")
    heights = [p.get_height() for p in fig.axes[0].patches[:len(ns.protocols.SLUMP_SEED)]]
    assert heights[2] == pytest.approx(2 * P("nerve_offset_knee"))     # knee 90 -> 0 unfolds
    plt.close(fig)
    plt.close(plots.sensitiser_curves(1.04))
    rows = [{"quantity": "a", "low": 1.0, "high": 2.0, "unit": "mm", "model": 1.5, "within": True},
            {"quantity": "b", "low": 1.0, "high": None, "unit": "1", "model": 0.5, "within": False},
            {"quantity": "c", "low": None, "high": None, "unit": "deg", "model": None, "within": False}]
    fig = plots.evidence_figure(rows)
    assert len(fig.axes) == 2
    plt.close(fig)


def test_strain_profiles_with_and_without_mechanics(monkeypatch):
    import matplotlib.pyplot as plt
    fig = plots.strain_profiles({"sitting": ns.protocols.SITTING})
    if svg.load_mechanics() is not None:
        assert len(fig.axes[0].lines) >= 1 and "(%)" in fig.axes[0].get_ylabel()
    plt.close(fig)
    monkeypatch.setattr(svg, "load_mechanics", lambda: None)
    fig = plots.strain_profiles({"sitting": ns.protocols.SITTING})
    assert "not available" in fig.axes[0].texts[0].get_text()
    plt.close(fig)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.floats(-3000, 3000), st.floats(-3000, 3000)), min_size=1, max_size=80))
def test_points_attr_is_each_point_to_a_tenth_of_a_mm_with_y_flipped(pts):
    """The SVG ``points`` text: one "x,y" pair per point, in order, 0.1 mm resolution, y up -> y down."""
    arr = np.array(pts, dtype=float)
    text = svg.points_attr(arr)
    pairs = text.split(" ")
    assert len(pairs) == len(pts)
    back = np.array([[float(v) for v in p.split(",")] for p in pairs])
    assert np.all(np.abs(back[:, 0] - arr[:, 0]) <= 0.05 + 1e-9)
    assert np.all(np.abs(back[:, 1] + arr[:, 1]) <= 0.05 + 1e-9)
    values = [v for p in pairs for v in p.split(",")]
    assert "-0" not in values and not any("e" in v for v in values)   # no negative zero, no exponent
