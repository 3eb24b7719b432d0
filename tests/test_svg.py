"""The SVG pictures: drawn from the library's geometry, accessible, strain-coloured when possible."""
import math
import re
import types
import xml.etree.ElementTree as ET

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import neuralsim as ns
from neuralsim.view import svg
from neuralsim.classroom import figures
from neuralsim.model.geometry import VIEWS
from neuralsim.model import drawing
from neuralsim.core.parameters import value as P

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
    text = figures.posture_svg(posture, view=view, strain=None)
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
    hams = {el.get("data-muscle"): el for el in root.iter(NS + "polyline") if el.get("class") == "neuralsim-hamstring"}
    assert set(hams) == set(ns.HAMSTRINGS)                   # each hamstring its own path ...
    assert len({el.get("stroke-dasharray") for el in hams.values()}) == 3     # ... told apart by dash pattern
    assert {el.get("stroke") for el in hams.values()} == {svg.HAMSTRING_COLOUR}   # one colour: the hamstrings
    d = drawing(posture, view=view)
    for m, el in hams.items():
        # the library's path at both ends (origin, insertion); between them at most a lane's move away
        # from it, square to the thigh: two lanes and the nerve's width (64 mm)
        pts, model = polyline_points(el) * (1, -1), d["muscles"][m]
        assert np.abs(pts[[0, -1]] - model[[0, -1]]).max() <= 0.051
        assert max(_distance_to(model, q) for q in pts) <= 2 * svg._LANE_MM + svg.NERVE_WIDTH
    assert root.get("data-view") == view


def _distance_to(path, q):
    """Distance (mm) from point ``q`` to the polyline ``path``."""
    a, b = path[:-1], path[1:]
    ab = b - a
    t = np.clip(((q - a) * ab).sum(axis=1) / np.maximum((ab * ab).sum(axis=1), 1e-12), 0.0, 1.0)
    return float(np.min(np.hypot(*(a + t[:, None] * ab - q).T)))


def test_the_drawn_nerve_is_as_long_as_the_bed_in_plane():
    # Hip adduction and rotation are out of the drawing's plane; everything else is drawn.
    p = ns.Posture(hip_flexion=70, knee_flexion=30, cervical_flexion=30, lumbar_flexion=20)
    pts = polyline_points(nerve_lines(parse(figures.posture_svg(p, strain=None)))[0])
    drawn = np.hypot(*np.diff(pts, axis=0).T).sum()
    assert drawn == pytest.approx(ns.nerve_bed_length(p), abs=1.0)


def test_taller_body_draws_a_longer_nerve_in_the_same_box():
    small = parse(figures.posture_svg(ns.Posture(), ns.Body(1.50), strain=None))
    tall = parse(figures.posture_svg(ns.Posture(), ns.Body(2.00), strain=None))
    assert small.get("viewBox") == tall.get("viewBox")
    ls = np.ptp(polyline_points(nerve_lines(small)[0])[:, 1])
    lt = np.ptp(polyline_points(nerve_lines(tall)[0])[:, 1])
    assert lt / ls == pytest.approx(2.00 / 1.50, rel=1e-3)


joint_angle = {j: st.floats(*ns.joint_range(j, "hypermobile")) for j in ns.JOINTS}


# -- everything drawn stays inside the picture's box -----------------------------------------------
# The SVG is read back as drawn: every polyline, polygon, circle and rect with half its stroke
# width, every text with the advance widths and ink heights of DejaVu Sans Bold (the face Chromium
# draws bold sans-serif with on Debian; matplotlib ships the same file) plus its white ground.

def _font():
    import os
    import matplotlib
    from fontTools.ttLib import TTFont
    f = TTFont(os.path.join(matplotlib.get_data_path(), "fonts", "ttf", "DejaVuSans-Bold.ttf"))
    cmap, hmtx, glyf, upm = f.getBestCmap(), f["hmtx"], f["glyf"], f["head"].unitsPerEm
    def measure(text):          # advance width, lowest and highest ink (em)
        names = [cmap[ord(c)] for c in text]
        ink = [glyf[n] for n in names if hasattr(glyf[n], "yMax")]
        return (sum(hmtx[n][0] for n in names) / upm, min((g.yMin for g in ink), default=0) / upm,
                max((g.yMax for g in ink), default=0) / upm)
    return measure


_measure = _font()


def drawn_boxes(text):
    """``(x0, y0, x1, y1, what)`` in SVG user units (y down) of everything drawn, the key aside."""
    root = parse(text)
    out = []

    def walk(el, sw, fs, body):
        tag, cls = el.tag.replace(NS, ""), el.get("class") or ""
        if "neuralsim-legend" in cls.split() or tag in ("title", "desc"):
            return
        body = body or (el.get("id") or "").startswith("ns-body")   # drawn again as a 10 mm outline
        if el.get("stroke-width") and not (el.get("id") or "").startswith("ns-body"):
            sw = float(el.get("stroke-width"))
        fs = float(el.get("font-size", fs))
        h = max(sw, 10.0 if body else 0.0) / 2 if (el.get("stroke") or sw) else 0.0
        if el.get("stroke") == "none":
            h = 0.0
        if tag in ("polyline", "polygon"):
            p = polyline_points(el)
            out.append((p[:, 0].min() - h, p[:, 1].min() - h, p[:, 0].max() + h, p[:, 1].max() + h, cls or tag))
        elif tag == "circle":
            cx, cy, r = (float(el.get(k)) for k in ("cx", "cy", "r"))
            out.append((cx - r - h, cy - r - h, cx + r + h, cy + r + h, cls or tag))
        elif tag == "rect":
            x, y, w, hh = (float(el.get(k)) for k in ("x", "y", "width", "height"))
            out.append((x - h, y - h, x + w + h, y + hh + h, cls or "rect"))
        elif tag == "text":
            words = "".join(el.itertext()) if el.find(NS + "title") is None else el.text
            adv, lo, hi = _measure(words)
            w, x, y = adv * fs, float(el.get("x")), float(el.get("y"))
            a = el.get("text-anchor", "start")
            x0 = x - (w if a == "end" else w / 2 if a == "middle" else 0.0)
            out.append((x0 - h, y - hi * fs - h, x0 + w + h, y - lo * fs + h, "text " + words))
            return
        for c in el:
            walk(c, sw, fs, body)

    for c in root:
        walk(c, 0.0, 16.0, False)
    return out


def view_box_of(text):
    x, y, w, h = (float(v) for v in parse(text).get("viewBox").split())
    return x, y, x + w, y + h


def assert_inside(text, where):
    x0, y0, x1, y1 = view_box_of(text)
    for bx0, by0, bx1, by1, what in drawn_boxes(text):
        assert bx0 >= x0 - 0.01 and by0 >= y0 - 0.01 and bx1 <= x1 + 0.01 and by1 <= y1 + 0.01, (
            f"{where}: {what} at x {bx0:.0f}..{bx1:.0f}, y {by0:.0f}..{by1:.0f} leaves the box "
            f"x {x0:.0f}..{x1:.0f}, y {y0:.0f}..{y1:.0f}")


def svg_box(view):
    """view_box in SVG user units (y down)."""
    x0, y0, x1, y1 = svg.view_box(view)
    return x0, -y1, x1, -y0


def teaching_cases():
    """Every protocol step in its protocol's view, every preset in the view of each protocol it is a
    step of (where the explorer draws it): ``(name, posture, view, nerve)``."""
    out = [(f"{k} {i + 1}", s.posture, pr.view, pr.nerve) for k, pr in ns.protocols.ALL.items()
           for i, s in enumerate(pr.steps)]
    for name, p in ns.protocols.POSTURES.items():
        for view in sorted({pr.view for pr in ns.protocols.ALL.values() if any(s.posture == p for s in pr.steps)}):
            out.append((f"preset {name}", p, view, None))
    return out


TEACHING = teaching_cases()


@pytest.mark.parametrize("height", [1.40, 1.75, 2.10])
@pytest.mark.parametrize("name,posture,view,nerve", TEACHING, ids=[c[0] + " " + c[2] for c in TEACHING])
def test_every_step_and_preset_is_drawn_whole_inside_its_view_box(name, posture, view, nerve, height):
    """The view's fixed box holds every protocol step and preset it shows, for every body height:
    the picture is not zoomed (its viewBox is view_box) and nothing drawn (body, gaze arrow, nerve
    with the widest strain halo, muscles, labels, support) leaves it."""
    text = figures.posture_svg(posture, ns.Body(height, "hypermobile"), view, nerve=nerve, legend=False,
                           strain=None if nerve not in (None, "sciatic") else fake_strain(np.full(10, 30.0)))
    assert view_box_of(text) == svg_box(view), name
    assert_inside(text, f"{name}, {view}, {height} m")


def stop_cases():
    from neuralsim.classroom import clinic
    body = clinic._SHOWN_BODY
    out = []
    neck = ns.joint_range("cervical_flexion", body.mobility)
    ankle = ns.joint_range("ankle_dorsiflexion", body.mobility)
    for label, patient in clinic.patients().items():
        for test in clinic.EXPLORER_TESTS:
            mode = clinic.PatientMode(patient, test)
            for c in (neck[0], 0.0, neck[1]):
                for a in (ankle[0], 0.0, ankle[1]):
                    p = mode.start().replace(cervical_flexion=c, ankle_dorsiflexion=a)
                    p, _ = mode.constrain(p.replace(**{mode.joint: 0.0 if mode.direction < 0 else 140.0}), mode.joint)
                    out.append((f"{label} {test} neck {c:g} ankle {a:g}", p, mode, body))
    return out


STOPPED_AT_LEAST = 90     # of 108: most cases stop (a loose patient may reach the end of the range)


def test_patient_mode_stops_and_their_marks_fit_the_view_box():
    """At every stop of the clinic's patients (neck and ankle at the ends of the shown range and in
    neutral), the figure with the marks and the "stops at N deg" label the patient mode adds beside
    the foot stays inside the view's fixed box."""
    n = stopped = 0
    for name, p, mode, body in stop_cases():
        d = drawing(p, body, mode.view)
        marks, _line = mode.annotate(p, d)
        stopped += "stops at" in marks          # else the movement reached its end first (no marks)
        fig = figures.posture_svg(p, body, mode.view, strain=fake_strain(np.full(10, 30.0)), data=d, legend=False)
        assert view_box_of(fig) == svg_box(mode.view), name
        assert_inside(fig[:-len("</svg>")] + marks + "</svg>", name)
        n += 1
    assert n == 6 * 2 * 9 and stopped >= STOPPED_AT_LEAST


@pytest.mark.parametrize("view", list(VIEWS))
def test_each_view_box_is_the_measured_extent_plus_a_small_margin(view):
    """The boxes are tight: on each side something drawn in a step, a preset or a patient-mode stop
    (for a 1.40 or a 2.10 m body) comes within 2 % of the tallest body's height (42 mm) + 8 mm of
    the edge (the library reckons a label's letters a few mm larger than their ink), the support's
    strip below a lying body aside, and the room above a sitting or supine body that gives those
    two boxes the shape the explorers' layout shows beside its panel (MAX_SHARED_ASPECT)."""
    H = ns.body.HEIGHT_RANGE_M[1] * 1000
    reach = [np.inf, np.inf, -np.inf, -np.inf]
    texts = []
    for name, p, v, nerve in TEACHING:
        if v == view:
            for h in (1.40, 2.10):
                texts.append(figures.posture_svg(p, ns.Body(h, "hypermobile"), view, nerve=nerve, legend=False,
                                             strain=None if nerve not in (None, "sciatic") else fake_strain(np.full(10, 30.0))))
    if view in ("supine", "sitting"):
        for name, p, mode, body in stop_cases():
            if mode.view == view:
                d = drawing(p, body, view)
                texts.append(figures.posture_svg(p, body, view, strain=None, data=d, legend=False)[:-6]
                             + mode.annotate(p, d)[0] + "</svg>")
    for text in texts:
        for b in drawn_boxes(text):
            if b[4].startswith("rect") or b[4] == "neuralsim-support":
                continue
            reach = [min(reach[0], b[0]), min(reach[1], b[1]), max(reach[2], b[2]), max(reach[3], b[3])]
    x0, y0, x1, y1 = svg_box(view)
    slack = [reach[0] - x0, reach[1] - y0, x1 - reach[2], y1 - reach[3]]
    sides = ["left", "top", "right", "bottom"]
    for side, gap in zip(sides, slack):
        if side == "bottom":
            # under the feet: the floor (2 % thick); under a lying or sitting body: the couch or
            # plinth, its top and a tenth of the tallest body of its legs
            assert 0 <= gap <= (0.02 if view == "standing" else 0.1) * H + 0.02 * H + 8, (view, side, gap)
            continue
        if side == "top" and view in ("sitting", "supine"):
            # made taller (room above the body) to the shape the explorers' layout can show beside
            # its panel: the measured box would have been wider than that
            width, height = x1 - x0, y1 - y0
            assert width / (height - gap + 0.02 * H) > svg.MAX_SHARED_ASPECT, (view, gap)
            assert svg.MAX_SHARED_ASPECT - 0.005 <= width / height <= svg.MAX_SHARED_ASPECT, view
            continue
        assert 0 <= gap <= 0.02 * H + 8, (view, side, round(gap))


@settings(max_examples=80, deadline=None)
@given(angles=st.fixed_dictionaries(joint_angle), view=st.sampled_from(list(VIEWS)),
       height=st.floats(*ns.body.HEIGHT_RANGE_M), labels=st.booleans())
def test_any_posture_is_drawn_whole_zooming_out_beyond_the_view_box(angles, view, height, labels):
    """A posture beyond the view's teaching range (any angles of a hypermobile body, any height) is
    never cut off: the picture's box grows past view_box, keeping its shape, until it holds
    everything drawn."""
    text = figures.posture_svg(ns.Posture(**angles), ns.Body(height, "hypermobile"), view, legend=False,
                           labels=labels, strain=fake_strain(np.full(10, 30.0)))
    assert_inside(text, f"{angles} {view} {height} m")
    x0, y0, x1, y1 = view_box_of(text)
    v0, w0, v1, w1 = svg_box(view)
    assert x0 <= v0 and y0 <= w0 and x1 >= v1 and y1 >= w1                  # never smaller than the view's box
    assert (x1 - x0) / (y1 - y0) == pytest.approx((v1 - v0) / (w1 - w0), rel=2e-3)   # and of its shape


def test_picture_box_grows_by_hand():
    x0, y0, x1, y1 = svg.view_box("standing")
    assert svg.picture_box("standing", (x0 + 10, y0 + 10, x1 - 10, y1 - 10)) == (x0, y0, x1, y1)
    # 100 mm too far right: 100 mm wider on the right, and taller by 100 / aspect split top and bottom
    got = svg.picture_box("standing", (x0 + 10, y0 + 10, x1 + 100, y1 - 10))
    extra_h = 100 * (y1 - y0) / (x1 - x0)
    assert got == (x0, math.floor(y0 - extra_h / 2), x1 + 100, math.ceil(y1 + extra_h / 2))


def test_bad_view_is_refused():
    with pytest.raises(ValueError, match="view"):
        figures.posture_svg(ns.Posture(), view="upside_down")


def fake_strain(profile):
    profile = np.asarray(profile, dtype=float)
    n = len(profile)
    return types.SimpleNamespace(s_mm=np.linspace(0.0, 1600.0, n), in_situ_strain_profile_pct=profile,
                                 cord_nodes=np.zeros(n, bool), root_nodes=np.zeros(n, bool),
                                 peak_nerve_in_situ_strain_pct=float(profile.max()))


def strain_lines(root):
    return [el for el in root.iter(NS + "polyline") if el.get("class") == "neuralsim-strain"]


def test_uniform_strain_draws_one_halo_in_one_band_and_keeps_the_nerve_blue():
    root = parse(figures.posture_svg(ns.Posture(), strain=fake_strain(np.full(40, 5.0))))
    halos = strain_lines(root)
    assert len(halos) == 1 and halos[0].get("stroke") == svg.STRAIN_BANDS[0].colour   # under 8 %
    assert float(halos[0].get("stroke-width")) == svg.halo_width(0)
    assert [el.get("stroke") for el in nerve_lines(root)] == [svg.NERVE_COLOUR]  # the nerve is always blue
    assert "peak 5.0 %" in ET.tostring(root, "unicode")


def test_rising_strain_walks_through_every_band_in_order_and_keeps_the_path():
    p = ns.protocols.SITTING
    root = parse(figures.posture_svg(p, view="sitting", strain=fake_strain(np.linspace(0.0, 20.0, 200))))
    lines = strain_lines(root)
    colours = [el.get("stroke") for el in lines]
    assert colours == [band.colour for band in svg.STRAIN_BANDS]
    widths = [float(el.get("stroke-width")) for el in lines]
    assert all(b > a for a, b in zip(widths, widths[1:]))     # the halo widens band by band: not colour alone
    dashes = [el.get("stroke-dasharray") for el in lines]
    assert dashes[0] is None and len(set(dashes)) == len(dashes)   # and its dash pattern is the band's
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


def test_auto_uses_the_mechanics_model():
    p = ns.protocols.SLUMP_SEED[4].posture
    text = figures.posture_svg(p, view="sitting")
    assert f"peak {float(ns.nerve_mechanics(p).peak_nerve_in_situ_strain_pct):.1f} %" in text


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
    # one colour for the nerve everywhere: filled where the joint lengthens the bed, outlined where it shortens it
    assert hip.get("fill") == svg.NERVE_COLOUR and knee.get("fill") == "#FFFFFF"
    assert knee.get("stroke") == svg.NERVE_COLOUR
    assert float(knee.get("x")) + float(knee.get("width")) == pytest.approx(float(hip.get("x")), abs=0.11)
    assert float(bars["ankle_dorsiflexion"].get("width")) == 0.0


def test_bars_widen_their_scale_for_big_changes():
    root = parse(svg.contributions_svg({"hip_flexion": 160.0, "knee_flexion": -40.0}, scale_mm=80.0))
    bars = {el.get("data-joint"): float(el.get("width")) for el in root.iter(NS + "rect")
            if el.get("class") == "neuralsim-bar"}
    assert bars["hip_flexion"] == pytest.approx(80.0) and bars["knee_flexion"] == pytest.approx(20.0)


def test_ids_are_unique_across_pictures_on_one_page():
    page = figures.protocol_strip("slump").svg
    ids = re.findall(r'id="([^"]+)"', page)
    assert len(ids) == len(set(ids)) == 3 * len(ns.protocols.SLUMP_SEED)   # title, desc, body outline; the key has no id


def test_no_network_or_script_in_the_svg():
    text = figures.posture_svg(ns.Posture()) + svg.contributions_svg(ns.bed_contributions(ns.Posture()))
    assert "http" not in text.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "<script" not in text


# -- matplotlib analysis figures (neuralsim.view.plots) -----------------------------------------------

import matplotlib  # noqa: E402

matplotlib.use("Agg")


def test_length_angle_curves_are_the_model():
    fig = figures.length_angle_curves("hip_flexion")
    ax = fig.axes[0]
    assert "(deg)" in ax.get_xlabel() and "(mm)" in ax.get_ylabel()
    nerve = next(l for l in ax.lines if l.get_label() == "nerve bed")
    x, y = nerve.get_data()
    i = int(np.argmin(abs(x - 90)))
    assert y[i] == pytest.approx(P("nerve_offset_hip") * math.radians(x[i]))
    gastro = next(l for l in ax.lines if l.get_label() == "gastrocnemius")
    assert np.all(gastro.get_ydata() == 0)          # it does not cross the hip
    matplotlib.pyplot.close(fig)


def test_the_view_s_figures_draw_the_numbers_they_are_handed():
    """The view's plots draw the data given (no model): axes in degrees and %/mm, cells, bars,
    lines and ranges read back as handed in, by hand."""
    import matplotlib.pyplot as plt
    from neuralsim.view import plots
    # heat map: 3 hip x 2 knee angles (deg), the bed against standing (%) in each cell
    pct = np.array([[0.0, 1.5, 3.0], [-2.0, -0.5, 1.0]])
    fig = plots.two_joint_heatmap("hip_flexion", "knee_flexion", [0.0, 45.0, 90.0], [0.0, 90.0], pct)
    ax, bar = fig.axes
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("hip flexion (deg)", "knee flexion (deg)")
    assert bar.get_ylabel() == "nerve bed against standing (%)"
    np.testing.assert_array_equal(np.asarray(ax.collections[0].get_array()).reshape(2, 3), pct)
    # cells centred on the angles given: the map spans half a step beyond each end (22.5 and 45 deg)
    assert ax.get_xlim() == pytest.approx((-22.5, 112.5)) and ax.get_ylim() == pytest.approx((-45.0, 135.0))
    assert sorted(float(v) for v in ax.collections[0].get_clim()) == [-2.0, 3.0]
    plt.close(fig)
    # step bars: the nerve's change beside the hamstrings', step by step (mm)
    rows = [{"step": "sit", "change_mm": 0.0, "hamstrings_change_mm": 0.0},
            {"step": "knee straight", "change_mm": 21.5, "hamstrings_change_mm": 40.0},
            {"step": "neck down", "change_mm": 6.0, "hamstrings_change_mm": 0.0}]
    fig = plots.step_bars(rows)
    ax = fig.axes[0]
    heights = [p.get_height() for p in ax.patches]
    assert heights == [0.0, 21.5, 6.0, 0.0, 40.0, 0.0]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["sit", "knee straight", "neck down"]
    assert ax.get_ylabel() == "change from previous step (mm)"
    plt.close(fig)
    # sensitiser curves: each line is the curve given, labelled with its hip angle (deg); the
    # target (+4 %) as a horizontal line
    hips = [0.0, 30.0, 60.0, 90.0]
    fig = plots.sensitiser_curves(hips, {"plain": [0.0, 1.0, 3.0, 6.0], "ankle up": [1.0, 2.5, 5.0, 8.0]},
                                  {"plain": 70.0, "ankle up": 45.2}, 1.04)
    ax = fig.axes[0]
    lines = {ln.get_label(): ln for ln in ax.get_lines()}
    assert list(lines)[:2] == ["plain: 70\N{DEGREE SIGN}", "ankle up: 45\N{DEGREE SIGN}"]
    np.testing.assert_array_equal(lines["ankle up: 45\N{DEGREE SIGN}"].get_ydata(), [1.0, 2.5, 5.0, 8.0])
    target = [ln for ln in ax.get_lines() if not ln.get_label().endswith("\N{DEGREE SIGN}")]
    assert [float(ln.get_ydata()[0]) for ln in target] == pytest.approx([4.0])
    assert ax.get_xlabel() == "hip flexion, knee straight (deg)" and ax.get_ylabel() == "nerve bed against standing (%)"
    assert "+4 %" in ax.get_title()
    plt.close(fig)
    # evidence: one panel per row with numbers, the published range as a bar, the model as a dot
    rows = [{"quantity": "a", "low": 1.0, "high": 2.0, "unit": "mm", "model": 1.5, "within": True},
            {"quantity": "b", "low": 1.0, "high": None, "unit": "1", "model": 0.5, "within": False},
            {"quantity": "c", "low": None, "high": None, "unit": "deg", "model": None, "within": False}]
    fig = plots.evidence_figure(rows)
    a, b = fig.axes
    (rng,) = a.patches
    assert (rng.get_x(), rng.get_width()) == pytest.approx((1.0, 1.0))          # 1 to 2 mm
    assert a.get_lines()[0].get_xdata()[0] == 1.5 and a.get_lines()[0].get_marker() == "o"
    assert a.get_xlim() == pytest.approx((0.7, 2.3))                           # 30 % of the span either side
    assert a.get_title(loc="left") == "a: model 1.50 mm" and b.get_title(loc="left") == "b: model 0.500"   # unit "1": a ratio
    # open-ended range: drawn from 1 to 1.5 x the larger of low and model; outside: a cross
    assert (b.patches[0].get_x(), b.patches[0].get_width()) == pytest.approx((1.0, 0.5))
    assert b.get_lines()[0].get_marker() == "X"
    plt.close(fig)


def test_strain_profiles_draw_one_line_per_posture():
    import matplotlib.pyplot as plt
    fig = figures.strain_profiles({"sitting": ns.protocols.SITTING, "slump end": ns.protocols.SLUMP_SEED[4].posture})
    labels = [l.get_label() for l in fig.axes[0].lines]
    assert "sitting" in " ".join(labels) and "slump end" in " ".join(labels)
    assert "(%)" in fig.axes[0].get_ylabel()
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


# -- silhouette, supports, labels, key, gauges --------------------------------------------------

def _shapes(root, cls):
    """Every point (SVG coordinates) of the polygons, polylines and circles under groups of class ``cls``."""
    pts = []
    for g in root.iter(NS + "g"):
        if cls not in (g.get("class") or "").split():
            continue
        for el in g.iter():
            if el.tag in (NS + "polygon", NS + "polyline"):
                pts.append(polyline_points(el))
            elif el.tag == NS + "circle":
                cx, cy, r = (float(el.get(k)) for k in ("cx", "cy", "r"))
                pts.append(np.array([[cx - r, cy - r], [cx + r, cy + r]]))
    return np.vstack(pts)


def _legend_box(root):
    g = next(g for g in root.iter(NS + "g") if g.get("class") == "neuralsim-legend")
    m = re.match(r"translate\(([-\d.]+) ([-\d.]+)\) scale\(([\d.]+)\)", g.get("transform"))
    tx, ty, k = (float(v) for v in m.groups())
    return tx, ty, tx + svg._LEGEND_W * k, ty + svg._LEGEND_H * k


CASES = [(f"{key} {i + 1}", s.posture, pr.view) for key, pr in ns.protocols.ALL.items()
         for i, s in enumerate(pr.steps)]


@pytest.mark.parametrize("height", [1.40, 1.75, 2.10])
@pytest.mark.parametrize("name,posture,view", CASES, ids=[c[0] for c in CASES])
def test_the_key_never_overlaps_the_body_or_the_labels(name, posture, view, height):
    root = parse(figures.posture_svg(posture, ns.Body(height), view, strain=fake_strain(np.full(10, 3.0))))
    body = np.vstack([_shapes(root, "neuralsim-body"), _shapes(root, "neuralsim-head"),
                      _shapes(root, "neuralsim-labels")])
    x0, y0, x1, y1 = _legend_box(root)
    vb = [float(v) for v in root.get("viewBox").split()]
    assert body[:, 0].max() < x0, f"{name}: body/labels reach x={body[:, 0].max():.0f}, key starts at {x0:.0f}"
    assert x1 <= vb[0] + vb[2] + 1 and y1 <= vb[1] + vb[3] + 1          # and the key is inside the picture


def _support_top(root):
    g = next(el for el in root.iter() if el.get("class") == "neuralsim-support")
    rect = g if g.tag == NS + "rect" else next(g.iter(NS + "rect"))
    return g.get("data-support"), float(rect.get("y"))


@pytest.mark.parametrize("name,posture,view", CASES, ids=[c[0] for c in CASES])
def test_every_protocol_step_rests_on_its_support(name, posture, view):
    """The drawn support is the one of the view, the posture fits it, and the body rests on it:
    the lowest point of the pelvis and trunk (sitting, supine) or of the standing foot (standing)
    is within 40 mm of the support's top, and nothing of them sinks further than that into it."""
    assert svg.support_fits(posture, view), name
    d = drawing(posture, view=view)
    root = parse(figures.posture_svg(posture, view=view, strain=None, data=d))
    support, top = _support_top(root)
    assert support == {"standing": "floor", "sitting": "plinth", "supine": "couch", "prone": "couch",
                       "side_lying": "couch"}[view]
    sil = svg._silhouette(ns.DEFAULT_BODY)
    if view == "side_lying":       # seen from above: the couch's top is under every part of the body
        g = next(el for el in root.iter() if el.get("class") == "neuralsim-support")
        rect = next(g.iter(NS + "rect"))
        x0, y0 = float(rect.get("x")), float(rect.get("y"))
        x1, y1 = x0 + float(rect.get("width")), y0 + float(rect.get("height"))
        body = next(el for el in root.iter() if el.get("class") == "neuralsim-body")
        pts = np.vstack([polyline_points(el) for el in body.iter(NS + "polygon")])
        assert (pts[:, 0] > x0).all() and (pts[:, 0] < x1).all() and (pts[:, 1] > y0).all() and (pts[:, 1] < y1).all(), name
        return
    if view == "standing":
        segs = ("foot",)
        frames = {"foot": (np.array([0.0, -ns.DEFAULT_BODY.segment("thigh") - ns.DEFAULT_BODY.segment("shank")]), 0.0)}
    else:
        segs = {"prone": ("pelvis", "thigh")}.get(view, ("pelvis", "lumbar") + (("thigh",) if view == "sitting" else ()))
        frames = d["frames"]
    pts = np.vstack([svg._to_world(frames[s], p) for s in segs for p in sil[s]])
    lowest = -pts[:, 1].min()           # SVG y of the lowest point
    assert abs(lowest - top) <= 40.0, (name, lowest, top)


def test_support_rules_by_hand():
    fits = svg.support_fits
    assert fits(ns.Posture(), "standing") and fits(ns.Posture(), "supine") and not fits(ns.Posture(), "sitting")
    seated = ns.protocols.SITTING
    assert fits(seated, "sitting") and not fits(seated, "standing")
    assert not fits(ns.Posture(knee_flexion=60), "supine")            # the shank would go through the couch
    assert fits(ns.Posture(hip_flexion=70, knee_flexion=45), "supine")   # the supine glide's start


def test_labels_start_on_their_own_paths():
    d = drawing(ns.protocols.SLR_SENSITISERS[1].posture, view="supine")
    root = parse(figures.posture_svg(ns.protocols.SLR_SENSITISERS[1].posture, view="supine", strain=None, data=d))
    g = next(g for g in root.iter(NS + "g") if g.get("class") == "neuralsim-labels")
    texts = [el.text for el in g.iter(NS + "text")]
    leaders = [polyline_points(el)[0] * (1, -1) for el in g.iter(NS + "polyline")]
    assert texts == ["roots", "sciatic", "tibial", "SM", "ST", "BFlh"]
    drawn = {el.get("data-muscle"): polyline_points(el) * (1, -1) for el in root.iter(NS + "polyline")
             if el.get("class") == "neuralsim-hamstring"}           # as drawn (apart in the thigh)
    paths = [d["nerve"]] * 3 + [drawn[m] for m in ("semimembranosus", "semitendinosus", "biceps_femoris_lh")]
    for text, start, path in zip(texts, leaders, paths):
        # the leader starts on a vertex of its own path (to the 0.1 mm the SVG is written in)
        assert np.min(np.abs(path - start).max(axis=1)) <= 0.051, text
    font = float(g.get("font-size"))
    assert font >= 60          # about 14 px at the explorer's size: readable from the back of a room


def test_a_muscle_added_from_data_is_drawn_with_a_group_style():
    d = dict(drawing(ns.Posture(hip_flexion=30)))
    d["muscles"] = {**d["muscles"], "adductor_magnus": d["muscles"]["semitendinosus"] + (80.0, 0.0)}
    text = figures.posture_svg(ns.Posture(hip_flexion=30), strain=None, data=d)
    root = parse(text)
    other = [el for el in root.iter(NS + "polyline") if el.get("data-muscle") == "adductor_magnus"]
    assert len(other) == 1 and other[0].get("stroke") == svg.MUSCLE_STYLES["other"][0]
    assert "adductor magnus" in text                        # and it is in the key
    assert svg.muscle_info("adductor_magnus")[0] == "other"


def test_head_shows_where_the_person_looks():
    def gaze(p):
        root = parse(figures.posture_svg(p, view="sitting", strain=None))
        el = next(el for el in root.iter(NS + "polyline") if el.get("class") == "neuralsim-gaze")
        a, b = polyline_points(el) * (1, -1)
        return math.degrees(math.atan2(b[1] - a[1], b[0] - a[0]))
    upright = ns.protocols.SITTING
    # the gaze turns with the head: straight ahead, then 40 deg down (flexion); looking up, the eyes turn
    # up in the head as well (as far as the neck extends, up to EYES_UP_MAX_DEG = 30): 40 + 30 deg up
    assert gaze(upright) == pytest.approx(0.0, abs=0.5)
    assert gaze(upright.replace(cervical_flexion=40)) == pytest.approx(-40.0, abs=0.5)
    assert gaze(upright.replace(cervical_flexion=-20)) == pytest.approx(20.0 + 20.0, abs=0.5)
    assert gaze(upright.replace(cervical_flexion=-40)) == pytest.approx(40.0 + 30.0, abs=0.5)


def _gauge_rows():
    p, ref = ns.protocols.SLR_SENSITISERS[1].posture, ns.Posture()
    rows = [{"name": "nerve bed", "kind": "nerve", "mm": ns.nerve_bed_length(p), "ref_mm": ns.nerve_bed_length(ref),
             "step_mm": 12.0, "start_mm": 40.0}]
    for m, short in zip(ns.HAMSTRINGS, ("SM", "ST", "BFlh")):
        rows.append({"name": short, "kind": m, "mm": ns.muscle_length(p, m), "ref_mm": ns.muscle_length(ref, m),
                     "step_mm": -3.0, "start_mm": 0.0})
    return rows


def test_gauges_are_the_change_against_the_reference_side_by_side():
    rows = _gauge_rows()
    root = parse(svg.gauges_svg(rows))
    bars = [el for el in root.iter(NS + "rect") if el.get("class") == "neuralsim-gauge"]
    assert [b.get("data-kind") for b in bars] == ["nerve", *ns.HAMSTRINGS]
    pcts = [100 * (r["mm"] / r["ref_mm"] - 1) for r in rows]
    assert [float(b.get("data-pct")) for b in bars] == pytest.approx(pcts, abs=0.006)
    lo, hi = svg.GAUGE_RANGE_PCT
    width = [float(b.get("width")) for b in bars]
    for w_, pct in zip(width, pcts):       # bar length proportional to the % change (inside the scale)
        assert w_ / width[0] == pytest.approx(min(pct, hi) / pcts[0], rel=0.01)
    assert bars[0].get("fill") == svg.NERVE_COLOUR and {b.get("fill") for b in bars[1:]} == {svg.HAMSTRING_COLOUR}
    # the straight-leg raise to 60 deg: the hip wraps the bed by 41 mm x 60 deg in radians
    assert rows[0]["mm"] - rows[0]["ref_mm"] == pytest.approx(P("nerve_offset_hip") * math.radians(60), abs=0.01)
    text = ET.tostring(root, "unicode")
    assert "last step" in text and "since start" in text and "against standing" in text
    assert "+12" in text and "+40" in text and "\u22123" in text      # signed, Unicode minus


def _font_sizes(root):
    """The font size (user units) every non-empty text is set in (its own, else its nearest parent's)."""
    sizes = []

    def walk(el, fs):
        fs = float(el.get("font-size", fs))
        if el.tag == NS + "text" and (el.text or "").strip():
            sizes.append(fs)
        for c in el:
            walk(c, fs)
    walk(root, 16.0)
    return sizes


def test_presentation_gauges_and_key_set_every_letter_20_px_or_more():
    # drawn at their own size (viewBox = width x height in px): every letter 20 px or more
    rows = _gauge_rows()
    for text in (svg.gauges_svg(rows, large=True), svg.legend_svg(None, list(ns.HAMSTRINGS) + ["gastrocnemius"],
                                                                   strain=True, large=True, peak_band=1)):
        root = parse(text)
        vb = [float(v) for v in root.get("viewBox").split()]
        assert (vb[2], vb[3]) == (float(root.get("width")), float(root.get("height"))) and vb[2] == svg.LARGE_W_PX
        sizes = _font_sizes(root)
        assert sizes and min(sizes) >= svg.LARGE_TYPE_PX == 20
    root = parse(svg.gauges_svg(rows, large=True))
    bars = [el for el in root.iter(NS + "rect") if el.get("data-kind")]
    pcts = [100 * (r["mm"] / r["ref_mm"] - 1) for r in rows]
    assert [float(b.get("data-pct")) for b in bars] == pytest.approx(pcts, abs=0.006)
    # by hand: the scale -10 .. +30 % over 170 px, so 1 % is 4.25 px wide (inside the scale)
    lo, hi = svg.GAUGE_RANGE_PCT
    for b, pct in zip(bars, pcts):
        assert float(b.get("width")) == pytest.approx(4.25 * (min(pct, hi) - max(min(pct, 0), lo)), abs=0.06)
    words = [el.text for el in root.iter(NS + "text")]
    assert words[-2 * len(rows)::2] == ["nerve", "SM", "ST", "BFlh"]
    assert words[-2 * len(rows) + 1::2] == [f"{'+' if p >= 0.05 else ''}{p:.1f} %".replace("-", "\u2212") for p in pcts]
    key = svg.legend_svg(None, list(ns.HAMSTRINGS), strain=True, large=True, peak_band=1)
    assert "8-15 % ◀" in key and "under 8 % ◀" not in key and all(s in key for s in ("SM", "ST", "BFlh"))


def test_gauges_clip_beyond_their_scale_with_an_arrow():
    rows = [{"name": "x", "kind": "semitendinosus", "mm": 150.0, "ref_mm": 100.0, "step_mm": 0, "start_mm": 0}]
    root = parse(svg.gauges_svg(rows))
    bar = next(el for el in root.iter(NS + "rect") if el.get("class") == "neuralsim-gauge")
    assert float(bar.get("data-pct")) == pytest.approx(50.0)
    assert len(list(root.iter(NS + "polygon"))) == 1       # the arrow says "more than the scale shows"


def test_the_cord_and_the_roots_get_no_nerve_band_halo():
    """The cord's and the roots' strain are on scales of their own: the figure puts the nerve's
    (rabbit peripheral-nerve) bands only below the roots."""
    p = ns.protocols.SLUMP_SEED[3].posture                 # slumped, knee straight, looking down
    m = ns.nerve_mechanics(p)
    prof = np.asarray(m.in_situ_strain_profile_pct)
    cord_peak = float(np.max(prof[np.asarray(m.cord_nodes)]))
    root_peak = float(np.max(prof[np.asarray(m.root_nodes)]))
    assert cord_peak > root_peak > float(m.peak_nerve_in_situ_strain_pct)   # looking down strains the cord most
    root = parse(figures.posture_svg(p, view="sitting", strain=m))
    text = ET.tostring(root, "unicode")
    assert f"peak {float(m.peak_nerve_in_situ_strain_pct):.1f} %" in text
    halo = np.array([[float(v) for v in pt.split(",")] for el in strain_lines(root)
                     for pt in el.get("points").split()])
    c1 = ns.model.drawing(p, view="sitting")["joints"]["c1"]
    # no halo point near the top of the cord (C1): the cord is drawn plain
    assert np.min(np.hypot(halo[:, 0] - c1[0], -halo[:, 1] - c1[1])) > 50.0


def test_both_keys_list_the_same_muscles_in_the_figures_styles():
    """The full key, the explorer's compact key, the figure and the gauges share one style per muscle."""
    names = ["semimembranosus", "semitendinosus", "biceps_femoris_lh", "gastrocnemius"]
    full = svg.legend_svg(None, names, strain=False)
    compact = svg.legend_svg(None, names, strain=False, compact=True)

    def samples(text):      # (stroke, dash) of each muscle's line sample, in order
        lines = re.findall(r'<line x1="0" y1="[\d.]+" x2="\d+" y2="[\d.]+" stroke="(#[0-9A-F]{6})" '
                           r'stroke-width="[\d.]+"(?: stroke-dasharray="([\d. ]+)")?/>', text)
        return lines        # (the nerve's sample has round caps: not matched)
    assert samples(full) == samples(compact)
    purple, grey = svg.HAMSTRING_COLOUR, svg.GASTROC_COLOUR
    # by hand: the hamstrings take solid, "44 18" and "12 12" in turn (x 0.27 in the key), the calf "6 14"
    assert samples(full) == [(purple, ""), (purple, "11.9 4.9"), (purple, "3.2 3.2"), (grey, "1.6 3.8")]
    for text in (full, compact):
        assert [t for t in ("SM: semimembranosus", "ST: semitendinosus", "BFlh: biceps femoris, long head",
                            "gastroc.: gastrocnemius") if t in text] == [
            "SM: semimembranosus", "ST: semitendinosus", "BFlh: biceps femoris, long head", "gastroc.: gastrocnemius"]
    assert "rectus femoris" not in full + compact
    fig = figures.posture_svg(ns.Posture(), strain=None)
    assert re.search(r'stroke="#CC79A7" stroke-width="16" stroke-linejoin="round" stroke-linecap="round" '
                     r'stroke-dasharray="44 18" data-muscle="semitendinosus"', fig)


def _couch_top_svg(root):
    return _support_top(root)[1]          # SVG y (down) of the couch's top


@pytest.mark.parametrize("step", ns.protocols.PRONE_KNEE_BEND, ids=lambda s: s.name)
def test_prone_labels_and_gaze_stay_off_the_couch(step):
    """Lying face down, rectus femoris (in front of the thigh, so facing the couch) is named above the
    body, and no gaze arrow is drawn into the couch: the face looks down at it, so the arrow, if
    drawn, ends above the couch's top."""
    root = parse(figures.posture_svg(step.posture, view="prone", strain=None, nerve="femoral"))
    top = _couch_top_svg(root)
    g = next(g for g in root.iter(NS + "g") if g.get("class") == "neuralsim-labels")
    texts = {el.text: el for el in g.iter(NS + "text")}
    assert set(texts) == {"RF"}
    _adv, lo, _hi = _measure("RF")
    bottom = float(texts["RF"].get("y")) - lo * svg._FONT_MM + 7       # lowest ink and its white ground
    hip_y = -drawing(step.posture, view="prone")["joints"]["hip"][1]
    assert bottom < hip_y < top                       # above the hip, and so well above the couch
    for el in root.iter(NS + "polyline"):
        if el.get("class") == "neuralsim-gaze":
            assert polyline_points(el)[:, 1].max() + 4 < top


def test_gaze_arrow_stops_at_the_couch_and_shows_when_the_head_turns_away_from_it():
    # prone, looking straight down: no room for an arrow; the neck extended 60 deg (looking ahead
    # along the couch): an arrow, ending above the couch's top
    down = parse(figures.posture_svg(ns.Posture(), view="prone", strain=None))
    assert not [el for el in down.iter(NS + "polyline") if el.get("class") == "neuralsim-gaze"]
    ahead = parse(figures.posture_svg(ns.Posture(cervical_flexion=-60), view="prone", strain=None))
    gaze = [polyline_points(el) for el in ahead.iter(NS + "polyline") if el.get("class") == "neuralsim-gaze"]
    assert len(gaze) == 1 and gaze[0][:, 1].max() < _couch_top_svg(ahead)


def test_rectus_femoris_is_drawn_over_the_femoral_nerve_it_runs_along():
    """In a femoral figure rectus femoris follows the nerve closely: it is drawn after (over) the
    nerve and narrower, so both show; in a sciatic figure the hamstrings stay under the nerve."""
    root = parse(figures.posture_svg(ns.protocols.PRONE_KNEE_BEND[1].posture, view="prone", strain=None, nerve="femoral"))
    order = [el.get("class") if el.get("class") == "neuralsim-nerve" else el.get("data-muscle")
             for el in root.iter(NS + "polyline") if el.get("class") == "neuralsim-nerve" or el.get("data-muscle")]
    assert order.index("rectus_femoris") > order.index("neuralsim-nerve")
    rf = next(el for el in root.iter(NS + "polyline") if el.get("data-muscle") == "rectus_femoris")
    assert float(rf.get("stroke-width")) < svg.NERVE_WIDTH
    sciatic = parse(figures.posture_svg(ns.Posture(), strain=None))
    order = [el.get("class") if el.get("class") == "neuralsim-nerve" else el.get("data-muscle")
             for el in sciatic.iter(NS + "polyline") if el.get("class") == "neuralsim-nerve" or el.get("data-muscle")]
    assert order[-1] == "neuralsim-nerve"


@pytest.mark.parametrize("view", ["supine", "prone"])
def test_a_head_that_would_go_through_the_couch_hangs_over_its_end(view):
    """Lying down, the couch is drawn under the head only while the head rests on it (dips at most
    30 mm into its top); a head that would go further (the neck extended on the back, flexed face
    down) hangs over the couch's end, which is then under the shoulders (C7-T1).  By hand from the
    drawing (1.75 m body): on the back the head's lowest point is 14 mm below the couch's top at
    neck 0 deg and 82 mm at -20 deg; face down 26 mm above it at 0 deg and 66 mm below at 30 deg."""
    def parts(angle):
        posture = ns.Posture(cervical_flexion=angle)
        root = parse(figures.posture_svg(posture, view=view, strain=None))
        g = next(el for el in root.iter() if el.get("class") == "neuralsim-support")
        rect = next(g.iter(NS + "rect"))
        tops = [el for el in g.iter(NS + "rect") if el.get("height") == rect.get("height")]  # (a face hole: two)
        x0 = float(rect.get("x"))
        couch = (x0, float(tops[-1].get("x")) + float(tops[-1].get("width")), float(rect.get("y")))
        head = next(g for g in root.iter(NS + "g") if g.get("class") == "neuralsim-head")
        c = next(head.iter(NS + "circle"))
        cx, cy, r = (float(c.get(k)) for k in ("cx", "cy", "r"))
        shoulders = float(drawing(posture, view=view)["joints"]["c7_t1"][0])
        return couch, (cx, cy + r), shoulders

    rests, hangs = (0, -20) if view == "supine" else (0, 30)
    (x0, x1, _top), _low, _sh = parts(rests)
    bx0, _by0, bx1, _by1 = svg.view_box(view)
    assert x1 == pytest.approx(bx1, abs=1)                   # to the picture's edge on the head's side
    if view == "supine":
        assert x0 == pytest.approx(bx0, abs=1)               # across the whole picture
    else:       # face down the foot, at a right angle to the shin, hangs over the couch's other end
        assert x0 > bx0 + 1
    (x0, x1, _top), (hx, _hy), shoulders = parts(hangs)
    assert (x0 if view == "supine" else x1) == pytest.approx(shoulders, abs=1)            # ends at C7-T1
    assert not x0 <= hx <= x1
    for angle in range(-70, 61, 5):                       # over the neck's whole typical range
        (x0, x1, top), (hx, hy), shoulders = parts(angle)
        assert x0 <= shoulders <= x1, angle                # the trunk always lies on the couch
        if x0 <= hx <= x1:                                 # a head over the couch rests on it
            assert hy <= top + 30.0 + 1e-6, (angle, hy, top)


def _label_ink(root):
    """``(text, x0, y0, x1, y1)``: the ink box (SVG units, y down) of every label's letters, measured
    with DejaVu Sans Bold's advance widths and glyph heights."""
    g = next(g for g in root.iter(NS + "g") if g.get("class") == "neuralsim-labels")
    fs = float(g.get("font-size"))
    out = []
    for el in g.iter(NS + "text"):
        adv, lo, hi = _measure(el.text)
        w, x, y = adv * fs, float(el.get("x")), float(el.get("y"))
        a = el.get("text-anchor", "start")
        x0 = x - (w if a == "end" else w / 2 if a == "middle" else 0.0)
        out.append((el.text, x0, y - hi * fs, x0 + w, y - lo * fs))
    return out


@pytest.mark.parametrize("height", [1.40, 1.75, 2.10])
@pytest.mark.parametrize("name,posture,view,nerve", TEACHING, ids=[c[0] for c in TEACHING])
def test_labels_never_print_over_one_another(name, posture, view, nerve, height):
    """No two labels' letters overlap in any step or preset the explorer draws (lying flat, the
    names along the body are staggered: their leaders get longer in steps until they clear)."""
    root = parse(figures.posture_svg(posture, ns.Body(height), view, strain=None, nerve=nerve))
    ink = _label_ink(root)
    for i, (t1, a0, b0, a1, b1) in enumerate(ink):
        for t2, c0, d0, c1, d1 in ink[i + 1:]:
            assert not (a0 < c1 and c0 < a1 and b0 < d1 and d0 < b1), (name, t1, t2)


def test_labels_of_a_body_lying_flat_are_staggered_by_hand():
    """On the back, in the anatomical position (1.75 m body, world mm, y up; a label's box is its
    text, 62 mm type with 0.8 em above the baseline and 0.25 em below, plus 7 mm of white ground;
    a leader pointing down puts the letters' top 10 mm below its end: the baseline 10 + 49.6 mm below):

    * 'roots' from (-170, -55), leader 150: baseline at -55 - 150 - 59.6 = -264.6, box y -287.1 to
      -208.0; 2.96 em wide, centred: x -268.8 to -71.2.
    * 'sciatic' from (0, -41), 3.66 em wide, centred: x -120.5 to 120.5, which overlaps in x; so its
      box top (baseline -41 - r - 59.6, plus 56.6) must be at or below -287.1: r >= 243.1 mm.  With
      70 mm steps from 150: 220 is too short, 290 (two steps) clears.
    * 'tibial' and the hamstrings clear everything placed before them at their own lengths."""
    d = drawing(ns.Posture(), view="supine")
    _floor, items = svg._placed_labels(d, ns.DEFAULT_BODY, "supine", None, True)
    reach = {text: math.hypot(q[0] - p[0], q[1] - p[1]) for p, q, _tx, _ty, _a, text, _c in items}
    assert svg._STAGGER_MM == 70.0
    assert reach == pytest.approx({"roots": 150.0, "sciatic": 290.0, "tibial": 170.0, "SM": 150.0,
                                   "ST": 280.0, "BFlh": 150.0}, abs=1e-6)


def test_marks_are_data_and_the_view_draws_them_where_they_say():
    from neuralsim.classroom import clinic
    # the patient mode gives data only: at a short-hamstrings patient's stop, the stretch and the stop
    mode = clinic.PatientMode(ns.cases.CASES["short hamstrings"])
    start = mode.start()
    at = mode.constrain(start.replace(hip_flexion=120.0), "hip_flexion")[0]
    assert mode.marks(start) == ()
    marks = mode.marks(at)
    assert [m.kind for m in marks] == ["stretch", "stop"] and all(isinstance(m, svg.Mark) for m in marks)
    assert marks[-1].short == f"stops at {at.hip_flexion:.0f}°" and marks[-1].side == "toe"
    assert not any("<" in str(field) for m in marks for field in m)
    # the view draws them on the joints given (mm, y up; SVG y down): the ring halfway between
    # hip and knee, its word 64 + 45 mm above it; the stop's dot on the hip, its words 110 mm above the toes
    joints = {"hip": (0.0, 1000.0), "knee": (400.0, 1000.0), "ankle": (800.0, 1000.0), "toe": (900.0, 1000.0)}
    root = parse(f'<svg xmlns="http://www.w3.org/2000/svg">{svg.marks_svg(marks, joints)}</svg>')
    ring = next(el for el in root.iter(NS + "circle") if el.get("class") == "felt-mark")
    assert (ring.get("cx"), ring.get("cy"), ring.get("r"), ring.get("data-felt")) == ("200", "-1000", "64", "hamstrings")
    assert ring.find(NS + "title").text == "hamstring stretch"
    texts = {el.text: el for el in root.iter(NS + "text")}
    assert (texts["stretch"].get("x"), texts["stretch"].get("y")) == ("200", "-1109")
    stop = next(el for el in root.iter(NS + "g") if el.get("class") == "stop-mark")
    assert (stop.find(NS + "circle").get("cx"), stop.find(NS + "circle").get("cy")) == ("0", "-1000")
    words = texts[marks[-1].short]
    assert (words.get("x"), words.get("y"), words.get("text-anchor")) == ("900", "-1110", "middle")



# -- the gaze follows the neck, over every protocol step and preset, at three heights -------------------

def _gaze_deg(p, view, body):
    root = parse(figures.posture_svg(p, body, view=view, strain=None))
    el = next((el for el in root.iter(NS + "polyline") if el.get("class") == "neuralsim-gaze"), None)
    if el is None:
        return None                       # a face turned to the couch: no room for the arrow
    a, b = polyline_points(el)[[0, -1]] * (1, -1)
    return math.degrees(math.atan2(b[1] - a[1], b[0] - a[0]))


def _steps_and_presets():
    out = [(f"{k}: {name}", p, proto.view) for k, proto in ns.protocols.ALL.items() for name, p in proto.steps]
    from neuralsim.classroom.widgets import choose_view      # the view the explorer draws a preset in
    seated = ("sitting", "slump", "slider", "tensioner")
    out += [(f"preset {label}", p, choose_view(p, None, "sitting" if any(w in label for w in seated) else "standing"))
            for label, p in ns.protocols.POSTURES.items()]
    return out


@pytest.mark.parametrize("height", [1.40, 1.75, 2.10])
def test_the_gaze_says_where_the_words_say_the_person_looks(height):
    body = ns.Body(height_m=height)
    for what, p, view in _steps_and_presets():
        if not svg.support_fits(p, view):
            continue
        g = _gaze_deg(p, view, body)
        words = what.casefold()
        if view not in ("standing", "sitting") or g is None:
            continue
        if "look up" in words or "looking up" in words:
            assert g > 0, (what, height, g)                    # above the horizontal
        elif "look ahead" in words:
            assert abs(g) <= 20, (what, height, g)
        elif "look down" in words or "looking down" in words:
            assert g < -20, (what, height, g)


@pytest.mark.parametrize("height", [1.40, 1.75, 2.10])
def test_the_gaze_turns_with_the_neck_over_its_whole_range(height):
    # from each step and preset, the neck swept over its range: more flexion never raises the gaze, and
    # from neutral the gaze goes down with flexion and up with extension (the neck's sign)
    body = ns.Body(height_m=height)
    lo, hi = ns.joint_range("cervical_flexion")
    sweep = np.linspace(lo, hi, 9)
    for what, p, view in _steps_and_presets():
        base = p.replace(cervical_flexion=0.0)
        if not all(svg.support_fits(base.replace(cervical_flexion=float(n)), view) for n in sweep):
            continue
        gz = [_gaze_deg(base.replace(cervical_flexion=float(n)), view, body) for n in sweep]
        if None in gz:
            continue
        gz = np.unwrap(np.radians(gz))
        assert np.all(np.diff(gz) < 1e-9), (what, height, np.degrees(gz).round(1))
        zero = float(np.radians(_gaze_deg(base, view, body)))
        zero = gz[np.argmin(np.abs(gz - zero))]
        assert gz[0] > zero > gz[-1], (what, height)            # extension up, flexion down


# -- no body part through a support, over every protocol step and preset, at three heights ------------

def _support_top_and_span(root):
    sup = next(el for el in root.iter() if el.get("class") == "neuralsim-support")
    top_rect = sup if sup.tag == NS + "rect" else next(sup.iter(NS + "rect"))
    x0 = float(top_rect.get("x"))
    return -float(top_rect.get("y")), x0, x0 + float(top_rect.get("width"))


def _deepest_below_support(p, view, body):
    """How far (mm) the drawn body outline reaches below the support's top, where the support is."""
    root = parse(figures.posture_svg(p, body, view=view, strain=None))
    top, x0, x1 = _support_top_and_span(root)
    deepest = 0.0
    body_g = next(el for el in root.iter() if el.get("class") == "neuralsim-body")
    for poly in body_g.iter(NS + "polygon"):
        pts = polyline_points(poly) * (1, -1)
        over = (pts[:, 0] > x0) & (pts[:, 0] < x1)
        if over.any():
            deepest = max(deepest, top - float(pts[over, 1].min()))
    return deepest


@pytest.mark.parametrize("height", [1.40, 1.75, 2.10])
def test_no_body_part_goes_through_its_support(height):
    # a resting body presses into a padded couch: its outline may dip by the outline's width and a
    # little soft tissue, under 2 % of its height (a heel lying on the back: 1.8 %); a foot at a right
    # angle lying face down (5.5 %) or a tall person's hanging calf (21 % into the plinth) went through
    body = ns.Body(height_m=height)
    lying = {"supine", "prone", "sitting"}
    for what, p, view in _steps_and_presets():
        if view not in lying or not svg.support_fits(p, view):
            continue
        assert _deepest_below_support(p, view, body) < 0.02 * height * 1000, (what, view, height)


def healthy_end_positions():
    """Every step and preset of the sciatic nerve's protocols, and where a typical person's straight-leg
    raise (plain and with the foot pulled up), slump knee extension and forward bend stop."""
    out = [(f"{k} {i + 1}: {s.name}", s.posture) for k, pr in ns.protocols.ALL.items() if pr.nerve == "sciatic"
           for i, s in enumerate(pr.steps)]
    out += [(f"preset {n}", p) for n, p in ns.protocols.POSTURES.items()]
    typical = ns.Person()
    slr = ns.movement_limit(ns.Posture(), "hip_flexion", typical)
    slr_df = ns.movement_limit(ns.Posture(ankle_dorsiflexion=15), "hip_flexion", typical)
    slump = ns.movement_limit(ns.protocols.SLUMP_SEED[1].posture, "knee_flexion", typical, direction=-1)
    bend = ns.limits.forward_bend(typical, 90.0)
    out += [("typical straight-leg raise stop", slr.posture()), ("typical raise with dorsiflexion", slr_df.posture()),
            ("typical slump knee extension stop", slump.posture()),
            ("typical forward bend", ns.Posture(hip_flexion=bend["hip_deg"], lumbar_flexion=bend["lumbar_deg"],
                                                thoracic_flexion=bend["thoracic_deg"]))]
    return out


@pytest.mark.parametrize("name,posture", healthy_end_positions(), ids=[c[0] for c in healthy_end_positions()])
def test_a_healthy_end_position_is_never_painted_as_harm(name, posture):
    """Strain is banded from the nerve's in-situ length (the rabbit thresholds are elongation beyond
    it), on the peripheral nerve only: an ordinary slump end, forward bend or a raise to a normal
    person's limit stays in the lowest band, in the halo and in the key."""
    m = ns.nerve_mechanics(posture)
    assert float(m.peak_nerve_in_situ_strain_pct) < svg.STRAIN_BANDS[1].lower_pct, name
    root = parse(figures.posture_svg(posture, view="sitting", strain=m))
    assert {el.get("data-band") for el in strain_lines(root)} == {"0"}, name
    assert f"{svg.STRAIN_BANDS[0].label}  (peak)" in ET.tostring(root, "unicode")


# -- postures drawn as the words say, over every protocol step and preset, at three heights -----------

def _inside(poly, q):
    """Whether point ``q`` is inside polygon ``poly`` (ray casting)."""
    x, y = q
    inside = False
    for (x0, y0), (x1, y1) in zip(poly, np.roll(poly, -1, axis=0)):
        if (y0 > y) != (y1 > y) and x < x0 + (y - y0) * (x1 - x0) / (y1 - y0):
            inside = not inside
    return inside


def _in_view(view):
    return [(what, p) for what, p, v in _steps_and_presets() if v == view and svg.support_fits(p, view)]


@pytest.mark.parametrize("height", [1.40, 1.75, 2.10])
def test_sitting_the_arms_are_behind_the_back(height):
    # the slump test's position ("slump, arms behind"): the elbow out behind the trunk, the hand behind
    # the low back (not on the thigh, which runs forwards from the hip), nothing of it in the plinth
    body = ns.Body(height_m=height)
    sil = svg._silhouette(body)
    for what, p in _in_view("sitting"):
        d = drawing(p, body, "sitting")
        root = parse(figures.posture_svg(p, body, view="sitting", strain=None, data=d))
        arm = next(el for el in root.iter(NS + "g") if el.get("class") == "neuralsim-arm")
        assert arm.get("data-arm") == "behind the back"
        lines = [polyline_points(el) * (1, -1) for el in arm.iter(NS + "polyline")]
        (sh, elbow), (_e, wrist, hand) = lines[0], lines[1]
        trunk = [svg._to_world(d["frames"][seg], pts) for seg in ("lumbar", "thoracic") for pts in sil[seg]]
        assert not any(_inside(poly, elbow) for poly in trunk), (what, height)        # out behind the trunk
        spine_x = min(float(d["joints"][j][0]) for j in ("c7_t1", "t12_l1", "l5_s1"))
        assert elbow[0] < spine_x and wrist[0] < float(d["joints"]["l5_s1"][0]), (what, height)
        assert max(wrist[0], hand[0]) < float(d["joints"]["hip"][0]), (what, height)   # not on the thigh
        assert min(pt[1] for pt in lines[0].tolist() + lines[1].tolist()) > _support_top_and_span(root)[0], what
        # and the arm's two parts are the proportions' lengths (upper arm 0.186 H, forearm 0.146 H)
        assert math.dist(sh, elbow) == pytest.approx(0.186 * height * 1000, abs=0.2)
        assert math.dist(elbow, wrist) == pytest.approx(0.146 * height * 1000, abs=0.2)


def _thigh_x(path, frame, y):
    """Thigh-frame x (mm, + forwards) where ``path`` (world) first crosses thigh-frame height ``y``."""
    (o, a) = frame
    c, s = math.cos(a), math.sin(a)
    rel = np.asarray(path) - o
    loc = np.column_stack((c * rel[:, 0] + s * rel[:, 1], -s * rel[:, 0] + c * rel[:, 1]))
    for (x0, y0), (x1, y1) in zip(loc[:-1], loc[1:]):
        if (y0 - y) * (y1 - y) <= 0 and y0 != y1:
            return x0 + (y - y0) * (x1 - x0) / (y1 - y0)
    return None


@pytest.mark.parametrize("height", [1.40, 1.75, 2.10])
def test_sitting_the_three_hamstrings_are_drawn_apart(height):
    # a third and halfway down the thigh the three hamstrings' strokes (16 mm) do not touch one another
    # or the nerve's (24 mm), and stay inside the thigh's outline
    body = ns.Body(height_m=height)
    th = body.segment("thigh")
    width = svg.MUSCLE_STYLES["hamstrings"][1]
    for what, p in _in_view("sitting"):
        d = drawing(p, body, "sitting")
        root = parse(figures.posture_svg(p, body, view="sitting", strain=None, data=d))
        hams = {el.get("data-muscle"): polyline_points(el) * (1, -1) for el in root.iter(NS + "polyline")
                if el.get("class") == "neuralsim-hamstring"}
        nerve = polyline_points(nerve_lines(root)[0]) * (1, -1)
        outline = svg._silhouette(body)["thigh"][0]
        for frac in (0.3, 0.5):
            y = -frac * th
            xs = sorted(_thigh_x(h, d["frames"]["thigh"], y) for h in hams.values())
            assert all(b - a >= width + 2 - 0.2 for a, b in zip(xs, xs[1:])), (what, height, frac, xs)   # 0.1 mm SVG
            xn = _thigh_x(nerve, d["frames"]["thigh"], y)
            assert min(abs(x - xn) for x in xs) >= (width + svg.NERVE_WIDTH) / 2 + 2 - 0.2, (what, height, frac)
            ring = np.vstack([outline, outline[:1]])
            back = min(x0 + (y - y0) * (x1 - x0) / (y1 - y0) for (x0, y0), (x1, y1) in zip(ring[:-1], ring[1:])
                       if (y0 - y) * (y1 - y) <= 0 and y0 != y1)            # the outline's back edge there
            assert xs[0] - width / 2 > back, (what, height, frac, xs[0], back)


def _leaders_and_ink(root):
    g = next(g for g in root.iter(NS + "g") if g.get("class") == "neuralsim-labels")
    leaders = [polyline_points(el) for el in g.iter(NS + "polyline")]
    return leaders, _label_ink(root)


def _segment_hits_box(a, b, box, steps=60):
    _t, x0, y0, x1, y1 = box
    for t in np.linspace(0.0, 1.0, steps):
        x, y = a + t * (b - a)
        if x0 < x < x1 and y0 < y < y1:
            return True
    return False


@pytest.mark.parametrize("height", [1.40, 1.75, 2.10])
def test_leader_lines_never_cross_a_label(height):
    # each leader ends beside its own label (the letters beyond its end, above, below or level with it)
    # and passes through no label's letters, its own included; sitting, no label prints over the
    # hanging shank or foot
    body = ns.Body(height_m=height)
    sil = svg._silhouette(body)
    for what, p, view in _steps_and_presets():
        if not svg.support_fits(p, view):
            continue
        nerve = "femoral" if view in ("prone", "side_lying") else None
        d = drawing(p, body, view)
        root = parse(figures.posture_svg(p, body, view=view, strain=None, nerve=nerve, data=d))
        leaders, ink = _leaders_and_ink(root)
        for line, own in zip(leaders, ink):
            for box in ink:
                assert not _segment_hits_box(line[0], line[-1], box), (what, view, height, own[0], box[0])
            # and it ends next to its own letters (within 30 mm of their box)
            _t, x0, y0, x1, y1 = own
            ex, ey = line[-1]
            assert max(x0 - ex, ex - x1, y0 - ey, ey - y1, 0) <= 30, (what, view, own[0])
        if view == "sitting":
            for seg in ("shank", "foot"):
                pts = np.vstack([svg._to_world(d["frames"][seg], q) for q in sil[seg]]) * (1, -1)
                sx0, sy0 = pts.min(axis=0)
                sx1, sy1 = pts.max(axis=0)
                for text, x0, y0, x1, y1 in ink:
                    assert not (x0 < sx1 and sx0 < x1 and y0 < sy1 and sy0 < y1), (what, height, text, seg)


@pytest.mark.parametrize("height", [1.40, 1.75, 2.10])
def test_face_down_the_nose_does_not_go_through_the_couch(height):
    # the nose over the couch's top wherever the couch is (face down, the couch has a face hole under it)
    body = ns.Body(height_m=height)
    for what, p in _in_view("prone"):
        root = parse(figures.posture_svg(p, body, view="prone", strain=None, nerve="femoral"))
        sup = next(el for el in root.iter() if el.get("class") == "neuralsim-support")
        first = next(sup.iter(NS + "rect"))
        tops = [el for el in sup.iter(NS + "rect") if el.get("height") == first.get("height")]
        top = -float(first.get("y"))
        head = next(g for g in root.iter(NS + "g") if g.get("class") == "neuralsim-head")
        nose = polyline_points(list(head.iter(NS + "polygon"))[1]) * (1, -1)
        for x, y in nose:
            over = any(float(r.get("x")) <= x <= float(r.get("x")) + float(r.get("width")) for r in tops)
            assert not over or y - 4.0 >= top, (what, height, x, y, top)     # 4 mm: half the outline


@pytest.mark.parametrize("height", [1.40, 1.75, 2.10])
def test_side_lying_reads_as_lying_along_the_couch(height):
    # seen from above: the trunk (hip to C7/T1) lies within 25 deg of the couch's length (not standing up
    # from it like a sitting person's), the head on a pillow, the body inside the couch's outline
    body = ns.Body(height_m=height)
    for what, p in _in_view("side_lying"):
        root = parse(figures.posture_svg(p, body, view="side_lying", strain=None, nerve="femoral"))
        sup = next(el for el in root.iter() if el.get("class") == "neuralsim-support")
        couch = next(sup.iter(NS + "rect"))
        cx0, cy0 = float(couch.get("x")), float(couch.get("y"))
        cx1, cy1 = cx0 + float(couch.get("width")), cy0 + float(couch.get("height"))
        assert cx1 - cx0 > cy1 - cy0                                  # a couch: longer than wide
        skeleton = [polyline_points(el) for el in root.iter(NS + "polyline") if el.get("class") == "neuralsim-skeleton"]
        pts = np.vstack(skeleton) * (1, -1)
        d = drawing(p, body, "side_lying")
        hip = pts[np.argmin(np.hypot(*(pts - svg._turned(d, svg.SIDE_LYING_TURN_DEG)["joints"]["hip"]).T))]
        c7 = pts[np.argmin(np.hypot(*(pts - svg._turned(d, svg.SIDE_LYING_TURN_DEG)["joints"]["c7_t1"]).T))]
        tilt = abs(math.degrees(math.atan2(c7[1] - hip[1], hip[0] - c7[0])))
        assert tilt <= 25, (what, height, tilt)
        pillow = next(el for el in sup.iter(NS + "ellipse") if el.get("class") == "neuralsim-pillow")
        head = next(g for g in root.iter(NS + "g") if g.get("class") == "neuralsim-head")
        c = next(head.iter(NS + "circle"))
        hx, hy = float(c.get("cx")), float(c.get("cy"))
        px, py = float(pillow.get("cx")), float(pillow.get("cy"))
        assert ((hx - px) / float(pillow.get("rx"))) ** 2 + ((hy - py) / float(pillow.get("ry"))) ** 2 < 0.1
        body_g = next(el for el in root.iter() if el.get("class") == "neuralsim-body")
        outline = np.vstack([polyline_points(el) for el in body_g.iter(NS + "polygon")])
        assert (outline[:, 0] > cx0).all() and (outline[:, 0] < cx1).all(), what
        assert (outline[:, 1] > cy0).all() and (outline[:, 1] < cy1).all(), what
