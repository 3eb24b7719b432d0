"""The explorer without a browser: drive every control and compare the text with the library."""
import re
import warnings
from pathlib import Path

import numpy as np
import pytest

import neuralsim as ns
from neuralsim.model import protocols
from neuralsim.view import svg
from neuralsim.classroom import widgets
from neuralsim.view.svg import support_fits
from neuralsim.classroom.widgets import Explorer, choose_view

LINE = re.compile(
    r"(?P<what>.+) → nerve bed (?P<d>[+-]\d+) mm \((?P<pct>[+-][\d.]+) %\); (?P<group>[a-z ]+) (?P<dh>[+-]\d+) mm\. "
    r"Bed now (?P<bed>\d+) mm, (?P<rel>[+-][\d.]+) % against standing(; peak nerve strain (?P<peak>[\d.]+) %)?\."
    r" (?P<since>Since [^:]+): nerve bed (?P<sbed>[+-]\d+) mm, (?P<sgroup>[a-z ]+) (?P<sham>[+-]\d+) mm\."
    r"(?: (?P<clamped>Clamped to the \w+ joint ranges: .+\.))?")


def parse(ex):
    line = re.search(r'<p class="neuralsim-text"[^>]*>(.*)</p>', ex.text.value, re.S).group(1)
    text = re.sub(r"<[^>]+>", "", line)
    m = LINE.fullmatch(text.strip())
    assert m, text
    return m


def contrast_muscles(nerve="sciatic"):
    """The muscles of the nerve's contrast group, read from the registry by hand."""
    return [m for m, spec in ns.MUSCLES.items() if spec.group == ns.NERVES[nerve].contrast]


def hamstrings(p, body=None, nerve="sciatic"):
    names = contrast_muscles(nerve)
    return sum(ns.muscle_length(p, m, body=body) for m in names) / len(names)


def assert_line_matches_library(ex, before, after, body=None, body_before="same", nerve="sciatic"):
    """The numbers in the text line, recomputed here from the public API (``nerve``'s bed)."""
    m = parse(ex)
    bb = body if body_before == "same" else body_before
    b0, b1 = ns.nerve_bed_length(before, nerve, body=bb), ns.nerve_bed_length(after, nerve, body=body)
    assert int(m["d"]) == round(b1 - b0)
    assert float(m["pct"]) == pytest.approx(round(100 * (b1 - b0) / b0, 1), abs=0.051)
    assert int(m["dh"]) == round(hamstrings(after, body, nerve) - hamstrings(before, bb, nerve))
    assert int(m["bed"]) == round(b1)
    rel = ns.relative_bed_length(after, nerve=nerve, body=body)
    assert float(m["rel"]) == pytest.approx(round(100 * (rel - 1), 1), abs=0.051)
    return m


@pytest.fixture
def ex():
    return Explorer("slump", strain=False)


def test_controls_are_labelled_classed_and_start_neutral(ex):
    assert list(ex.sliders) == list(ns.JOINTS)
    for j, s in ex.sliders.items():
        assert "(deg)" in s.description and s.step == 1 and s.continuous_update
        assert (s.min, s.max) == ns.joint_range(j, "typical")
        assert s.value == 0.0
        assert f"neuralsim-slider-{j}" in s._dom_classes
    assert "neuralsim-live" in ex.live._dom_classes and 'class="neuralsim-text"' in ex.text.value
    assert ex.live.value == f'<div class="neuralsim-figure">{ex.figure.value}</div>{ex.text.value}'
    assert "neuralsim-next" in ex.next_button._dom_classes and "neuralsim-prev" in ex.prev_button._dom_classes
    assert set(ex.presets) == set(protocols.POSTURES)
    assert all("neuralsim-preset" in b._dom_classes for b in ex.presets.values())
    assert ex.posture == ns.Posture()
    assert 'aria-live="polite"' in ex.text.value
    assert ex.figure.value.count("<title") == 1 and ex.figure.value.count("<desc") == 1
    assert ex.gauges.value.count("<title") == 1 and 'class="neuralsim-gauges"' in ex.gauges.value
    assert ex.view == "standing"      # neutral is a standing posture, even in the slump explorer


def test_a_slider_move_sends_one_message_with_only_the_parts_that_changed(ex, monkeypatch):
    """One key press, one message: the figure's parts, the gauges and the text line travel together
    (a second message costs the browser about a frame; benchmarks/README.md), and only the parts
    that changed travel: applied to what the page had, they make the whole new picture."""
    sent = []
    real = widgets.w.Widget._send

    def record(self, msg, buffers=None):
        sent.append((self, msg))
        return real(self, msg, buffers)

    before = {k: v for k, v in ex.live.get_state().items() if k.startswith("part_")}
    old_value = ex.live.value
    monkeypatch.setattr(widgets.w.Widget, "_send", record)
    knee = ex.sliders["knee_flexion"]
    knee.value = 30.0
    others = [(wd, m) for wd, m in sent if wd is not knee]
    assert [wd for wd, _m in others] == [ex.live]
    state = others[0][1]["state"]
    assert "Knee bent to 30°" in state["part_panel"] and "neuralsim-gauges" in state["part_panel"]
    assert "data-muscle=\"semitendinosus\"" in state["part_muscles"]          # the hamstrings cross the knee
    # the knee moved: the head, the floor and the figure's frame (its <svg> tag) did not
    assert not {"part_head", "part_support", "part_svg"} & set(state)
    after = {**before, **state}
    inner = "".join(after[f"part_{k}"] for k in ex.live.order)
    assert f'<div class="neuralsim-figure">{after["part_svg"]}{inner}</svg></div>{after["part_panel"]}' == ex.live.value
    assert ex.live.value != old_value and ex.live.value == f'<div class="neuralsim-figure">{ex.figure.value}</div>{ex.text.value}'
    knee.value = 30.0 + 1e-9                        # the browser's float echo of the same angle: nothing sent
    assert len([m for wd, m in sent if wd is ex.live]) == 1


def test_the_figure_keeps_its_ids_from_update_to_update_and_two_explorers_do_not_share_them():
    a, b = Explorer("slump"), Explorer("slump")
    ids = re.findall(r'id="([^"]+)"', a.live.value)
    assert len(ids) == len(set(ids)) == 5         # title, desc, outline; the gauges' title and desc
    a.sliders["knee_flexion"].value = 40
    assert re.findall(r'id="([^"]+)"', a.live.value) == ids
    assert not set(ids) & set(re.findall(r'id="([^"]+)"', b.live.value))


def test_extending_the_knee_from_90_deg_unfolds_the_bed_by_2_offsets(ex):
    ex.sliders["knee_flexion"].value = 90
    ex.sliders["knee_flexion"].value = 0
    m = assert_line_matches_library(ex, ns.Posture(knee_flexion=90), ns.Posture())
    assert m["what"] == "Knee extended to 0°"
    # knee 90 -> 0 unfolds the bed behind the knee: + 2 x 25 mm x tan 45 deg = +50 mm
    assert int(m["d"]) == round(2 * 25.0)               # nerve_offset_knee, parameters.csv


@pytest.mark.parametrize("joint", ns.JOINTS)
def test_every_slider_over_its_full_range(ex, joint):
    s = ex.sliders[joint]
    values = np.unique(np.r_[np.arange(s.min, s.max, 7.0), s.max, s.min])
    before = ex.posture
    figures = {ex.figure.value}
    for v in values:
        old_text = ex.text.value
        s.value = float(v)
        after = ns.Posture(**{joint: float(v)})
        assert ex.posture == after
        assert ex.text.value != old_text
        assert_line_matches_library(ex, before, after)
        figures.add(ex.figure.value)
        before = after
    assert len(figures) > len(values) // 2      # the figure really changes as the joint moves
    assert ex.shown["bed_mm"] == pytest.approx(ns.nerve_bed_length(before))
    assert ex.shown["contributions_mm"] == pytest.approx(ns.bed_contributions(before))


def test_sliders_clamp_instead_of_refusing(ex):
    s = ex.sliders["hip_flexion"]
    s.value = 500
    assert s.value == ns.joint_range("hip_flexion")[1]
    s.value = -500
    assert s.value == ns.joint_range("hip_flexion")[0]
    assert_line_matches_library(ex, ns.Posture(hip_flexion=s.max), ns.Posture(hip_flexion=s.min))


@pytest.mark.parametrize("label", list(protocols.POSTURES))
def test_every_preset(ex, label):
    ex.sliders["ankle_dorsiflexion"].value = 5
    before = ex.posture
    ex.presets[label].click()
    want = protocols.POSTURES[label]
    assert ex.posture == want
    assert all(ex.sliders[j].value == getattr(want, j) for j in ns.JOINTS)
    m = assert_line_matches_library(ex, before, want)
    assert m["what"] == f"Preset '{label}'"


@pytest.mark.parametrize("key", list(protocols.ALL))
def test_every_protocol_step_forwards_and_back(key):
    ex = Explorer(key, strain=False)
    proto = protocols.ALL[key]
    assert ex.view == choose_view(ns.Posture(), proto.view)     # neutral start: the protocol's view if it fits
    assert ex.prev_button.disabled
    previous = ex.posture
    for i, (name, p) in enumerate(proto.steps):
        ex.next_button.click()
        assert ex.posture == p
        assert name in ex.step_label.value and f"step {i + 1} of {len(proto.steps)}" in ex.step_label.value
        m = assert_line_matches_library(ex, previous, p, nerve=proto.nerve)
        assert m["what"] == f"Step {i + 1}/{len(proto.steps)} '{name}'"
        assert proto.view.capitalize() + " view" in ex.figure.value
        assert f'data-view="{proto.view}"' in ex.figure.value and support_fits(p, proto.view)
        previous = p
    assert ex.next_button.disabled
    for i in range(len(proto.steps) - 2, -1, -1):
        ex.prev_button.click()
        assert ex.posture == proto.steps[i].posture
    assert ex.prev_button.disabled


def test_choosing_a_protocol_switches_view_and_restarts(ex):
    ex.next_button.click()
    ex.protocol_select.value = "slr"
    assert ex.view == "supine" and "press 'next step'" in ex.step_label.value   # sitting fits the couch too
    ex.next_button.click()
    assert ex.posture == protocols.SLR_SENSITISERS[0].posture


def test_reset(ex):
    ex.presets["sitting"].click()
    ex.reset_button.click()
    assert ex.posture == ns.Posture() and all(s.value == 0 for s in ex.sliders.values())
    assert parse(ex)["what"] == "Reset to neutral"


def test_mobility_changes_ranges_and_clamps(ex):
    ex.sliders["hip_flexion"].value = 120
    ex.mobility.value = "hypomobile"
    for j, s in ex.sliders.items():
        assert (s.min, s.max) == ns.joint_range(j, "hypomobile")
    assert ex.sliders["hip_flexion"].value == ns.joint_range("hip_flexion", "hypomobile")[1]
    body = ns.Body(mobility="hypomobile")
    assert_line_matches_library(ex, ns.Posture(hip_flexion=120), ex.posture, body, body_before=None)
    ex.mobility.value = "hypermobile"
    assert ex.sliders["hip_flexion"].max == ns.joint_range("hip_flexion", "hypermobile")[1]
    ex.sliders["hip_flexion"].value = ex.sliders["hip_flexion"].max   # hypermobile range is usable
    assert ex.shown["bed_mm"] == pytest.approx(ns.nerve_bed_length(ex.posture, body=ns.Body(mobility="hypermobile")))


def test_body_height_scales_every_length(ex):
    ex.presets["sitting"].click()
    bed_175 = ex.shown["bed_mm"]
    ex.height.value = 1.96
    body = ns.Body(1.96)
    assert ex.shown["bed_mm"] == pytest.approx(ns.nerve_bed_length(protocols.SITTING, body=body))
    assert ex.shown["bed_mm"] / bed_175 == pytest.approx(1.96 / 1.75)
    m = parse(ex)
    assert m["what"] == "Height 1.96 m"
    assert int(m["d"]) == round(ns.nerve_bed_length(protocols.SITTING, body=body) - bed_175)
    assert int(m["bed"]) == round(ns.nerve_bed_length(protocols.SITTING, body=body))


def test_plain_nerve_without_strain():
    ex = Explorer("slump", strain=False)
    ex.presets["slump end (look down, dorsiflex)"].click()
    assert parse(ex)["peak"] is None and "nerve strain" not in ex.figure.value
    assert ex.shown["peak_strain_pct"] is None


def test_strain_in_text_and_figure():
    ex = Explorer("slump")
    ex.presets["slump end (look down, dorsiflex)"].click()
    peak = parse(ex)["peak"]
    want = float(ns.nerve_mechanics(protocols.POSTURES["slump end (look down, dorsiflex)"]).peak_nerve_in_situ_strain_pct)
    assert float(peak) == pytest.approx(round(want, 1), abs=0.051)
    assert f"peak nerve strain {want:.1f} %" in ex.text.value and "neuralsim-strain" in ex.figure.value
    band = svg.STRAIN_BANDS[svg.band_of(want)]
    assert f"{band.label} ◀ peak" in ex.legend.value        # the key marks the peak's band


def test_strain_colouring_uses_the_documented_api(monkeypatch):
    """A stand-in mechanics object with only the documented attributes is enough."""
    import types
    import neuralsim.mechanics.nerve as mechanics

    def fake(posture, reference=None, *, body=None, entrapment=None):
        n = 30
        return types.SimpleNamespace(s_mm=np.linspace(0, 1600, n), in_situ_strain_profile_pct=np.full(n, 9.0),
                                     cord_nodes=np.zeros(n, bool), root_nodes=np.zeros(n, bool),
                                     peak_nerve_in_situ_strain_pct=9.0)

    monkeypatch.setattr(mechanics, "nerve_mechanics", fake)
    ex = Explorer("slump")
    ex.sliders["knee_flexion"].value = 10
    assert parse(ex)["peak"] == "9.0"
    halo = f'stroke="{svg.STRAIN_BANDS[1].colour}" stroke-width="{svg.halo_width(1):g}"'
    assert halo in ex.figure.value      # the 8-15 % band: its colour and its width


def test_explorer_numbers_are_the_state_of_the_posture():
    """Figure, gauges and text come from one neuralsim.compute state: the same numbers."""
    ex = Explorer("slump")
    ex.presets["slump end (look down, dorsiflex)"].click()
    st = ns.compute(ex.posture, body=ex.body)
    assert ex.shown["bed_mm"] == st.lengths_mm["sciatic"]
    assert ex.shown["relative_bed"] == pytest.approx(st.relative("sciatic"), abs=1e-12)
    assert ex.shown["contributions_mm"] == {j: pytest.approx(v, abs=1e-12) for j, v in st.contributions_mm["sciatic"].items()}
    assert ex.shown["hamstrings_mm"] == pytest.approx(float(st.group_mean_mm("hamstrings")), abs=1e-9)


def test_display_hook_and_widget(ex):
    import ipywidgets
    assert isinstance(ex.widget, ipywidgets.Box) and hasattr(ex, "_ipython_display_")
    _style, top, controls = ex.widget.children[:3]          # picture first: on top when the column is narrow
    live, side = top.children
    assert live is ex.live
    # the side column: protocol, step buttons, key; the style sheet sets the live widget's
    # gauges and text line between the step buttons and the key (checked in the browser tests)
    assert [c for c in side.children if c in (ex.legend, ex.protocol_select)] == [ex.protocol_select, ex.legend]
    assert ex.live.value.index("neuralsim-posture") < ex.live.value.index("neuralsim-gauges")
    assert ex.text.value.index("neuralsim-gauges") < ex.text.value.index("neuralsim-text")   # gauges, then the line
    assert any(ex.next_button in getattr(c, "children", ()) for c in side.children)
    sliders = [s for box in controls.children[0].children for s in box.children]
    assert sliders == list(ex.sliders.values())


def test_the_page_gets_the_style_sheet_and_browser_programs_of_the_package_files(ex):
    # read here from the files themselves, so a loader that drops or alters a byte fails
    static = Path(widgets.__file__).parent / "static"
    css, keys_js, live_js = ((static / n).read_bytes().decode("utf-8") for n in ("explorer.css", "explorer.js", "live.js"))
    assert ".neuralsim-present" in css and "function fitRoom" in keys_js and "function morph" in live_js
    style, helper = ex.widget.children[0], ex.widget.children[-1]
    assert style.get_state()["value"] == "<style>\n" + css + "</style>"
    assert helper.get_state()["_esm"] == keys_js and ex.live.get_state()["_esm"] == live_js
    # one class for every explorer's helper and live widget, not one made per explorer (anywidget's
    # traits give each instance a subclass of its own, so the test is isinstance of the one class)
    other = Explorer("slr", strain=False)
    assert all(isinstance(x, widgets._helper_class()) for x in (helper, other.widget.children[-1]))
    assert all(isinstance(x, widgets._live_class()) for x in (ex.live, other.live))


def _figure_height(ex):
    return int(re.search(r'<svg[^>]*class="neuralsim-posture"[^>]*\sheight="(\d+)"', ex.figure.value).group(1))


def test_max_height_px_caps_the_figure_and_width_px_is_its_deprecated_name():
    with warnings.catch_warnings():
        warnings.simplefilter("error", DeprecationWarning)          # the new name warns of nothing
        assert _figure_height(Explorer("slump", strain=False)) == 470                         # height_px's default
        assert _figure_height(Explorer("slump", strain=False, max_height_px=350)) == 350
        assert _figure_height(Explorer("slump", strain=False, max_height_px=100)) == 300      # never below 300
        assert _figure_height(Explorer("slump", strain=False, height_px=400, max_height_px=900)) == 400
    with pytest.warns(DeprecationWarning, match=r"width_px=.*max_height_px="):
        old = Explorer("slump", strain=False, width_px=350)
    assert _figure_height(old) == 350


def test_state_is_the_deprecated_name_of_shown(ex):
    ex.sliders["knee_flexion"].value = 30
    with pytest.warns(DeprecationWarning, match=r"Explorer\.state is now Explorer\.shown"):
        old = ex.state
    assert old is ex.shown and ex.shown["posture"] == ns.Posture(knee_flexion=30)
    assert not isinstance(ex.shown, ns.State)


def test_unknown_protocol_is_refused():
    with pytest.raises(ValueError, match="protocol"):
        Explorer("pilates")


# -- views, supports, presets and protocols per notebook, clamping, gauges ------------------------

def test_view_follows_the_posture_and_never_the_wrong_support(ex):
    assert ex.view == "standing"                           # neutral: standing, not lying above a plinth
    ex.next_button.click()                                  # slump step 1: sitting on the plinth
    assert ex.view == "sitting" and 'data-support="plinth"' in ex.figure.value
    ex.reset_button.click()                                 # back to neutral: standing again
    assert ex.view == "standing" and 'data-support="floor"' in ex.figure.value
    ex.presets["sitting"].click()
    assert ex.view == "sitting"
    ex.sliders["hip_flexion"].value = 30                    # leaning back off the plinth's edge ...
    assert ex.view == "standing"                            # ... is drawn standing (hip 30, knee 90 fits)
    ex.presets["straight-leg raise 60 deg"].click()
    assert ex.view == "supine" and 'data-support="couch"' in ex.figure.value


@pytest.mark.parametrize("label", list(protocols.POSTURES))
def test_every_preset_is_drawn_on_a_support_that_carries_it(label):
    for key in ("slump", "slr", "hip_hinge", "sciatic_glide"):
        ex = Explorer(key, strain=False)
        ex.presets[label].click()
        assert support_fits(protocols.POSTURES[label], ex.view), (key, label, ex.view)
        assert f'data-view="{ex.view}"' in ex.figure.value


def test_preset_view_is_the_view_of_the_protocol_it_comes_from():
    ex = Explorer("hip_hinge", strain=False)
    ex.presets["sitting"].click()
    assert ex.view == "sitting"                 # no jack-knifed standing figure
    ex.presets["slump end (look down, dorsiflex)"].click()
    assert ex.view == "sitting"
    ex.presets["neutral (standing)"].click()
    assert ex.view == "standing"
    ex = Explorer("slr", strain=False)
    ex.presets["neutral (standing)"].click()     # in the straight-leg raise: lying on the back
    assert ex.view == "supine"


def test_seated_glides_are_never_drawn_supine():
    ex = Explorer("sciatic_glide", strain=False)
    assert ex.view == "supine"
    ex.protocol_select.value = "sciatic_slider"
    for _ in protocols.ALL["sciatic_slider"].steps:
        ex.next_button.click()
        assert ex.view == "sitting"


def test_choose_view_by_hand():
    assert choose_view(ns.Posture(), "sitting") == "standing"
    assert choose_view(protocols.SITTING, "standing") == "sitting"
    assert choose_view(ns.Posture(knee_flexion=60), "supine") == "standing"   # shank would go through the couch
    assert choose_view(ns.Posture(hip_flexion=70, knee_flexion=45), "supine") == "supine"


def _walk(widget):
    yield widget
    for child in getattr(widget, "children", ()):
        yield from _walk(child)


def test_each_notebook_explorer_offers_only_its_own_presets_and_protocols():
    ex = Explorer("slr", protocols=["slr"], presets=["straight-leg raise 60 deg"], strain=False)
    assert list(ex.presets) == ["straight-leg raise 60 deg"]
    assert [v for _t, v in ex.protocol_select.options] == ["slr"]
    ex = Explorer("slump", protocols=["slump_classic"], presets={"my sit": protocols.SITTING}, strain=False)
    assert [v for _t, v in ex.protocol_select.options] == ["slump", "slump_classic"]   # its own always offered
    ex.presets["my sit"].click()
    assert ex.posture == protocols.SITTING
    with pytest.raises(ValueError, match="preset"):
        Explorer("slr", presets=["yoga"])
    headings = lambda e: [c for c in _walk(e.widget) if getattr(c, "value", None) == "<b>Presets</b>"]  # noqa: E731
    assert len(headings(ex)) == 1 and headings(Explorer("slr", presets={}, strain=False)) == []   # none over nothing
    with pytest.raises(ValueError, match="protocol"):
        Explorer("slr", protocols=["pilates"])


def test_a_clamped_preset_says_so():
    ex = Explorer("hip_hinge", strain=False)
    ex.mobility.value = "hypomobile"
    ex.presets["toe touch by rounding"].click()       # lumbar 55 and thoracic 35 deg: over the hypomobile ranges
    m = parse(ex)
    lo_hi = ns.joint_range("lumbar_flexion", "hypomobile")
    assert m["clamped"] and f"low back flexion {lo_hi[1]:g}° (asked 55°)" in m["clamped"]
    assert "upper back flexion 30° (asked 35°)" in m["clamped"]
    ex.presets["hip hinge"].click()                   # hip 90 deg fits the hypomobile range: no note
    assert parse(ex)["clamped"] is None


def test_gauges_show_the_last_step_beside_the_change_since_step_1():
    # Step 4 of the slump, "look down", moves the neck only: the hamstrings' last step is 0 while
    # their change since step 1 is the knee's, so the two columns differ.  By hand, at 1.75 m
    # (parameters.csv: nerve offsets cervical 15, thoracic 18, lumbar 20, knee 25 mm):
    # look down, neck -25 -> +45 deg behind the joint: the fold of the extension, 2 x 15 tan(12.5 deg)
    #   = 6.651 mm, goes, and a wrap of 15 x 45 pi/180 = 11.781 mm comes: +18.43 mm;
    # since step 1 (sitting): neck 0 -> 45 (+11.781), upper back 0 -> 30 (18 x pi/6 = +9.425), low back
    #   0 -> 30 (20 x pi/6 = +10.472), knee 90 -> 0 (the fold 2 x 25 tan(45 deg) = 50 mm goes): +81.68 mm;
    # semitendinosus: 0 in the last step (it crosses no neck joint); since step 1 the integral of its
    #   knee moment-arm curve r = d (1 + g sin(pi t / 2p)) from 0 to 90 deg: d [pi/2 + g (2p/pi)(1 - cos(0.9 pi))]
    #   with d = 45 mm, g = 0.2, p = 50 deg (0.8727 rad): 45 x (1.5708 + 0.2 x 0.5556 x 1.9511) = 80.44 mm.
    ex = Explorer("slump", strain=False)
    for _ in range(4):                                 # sit, slump, extend one knee, look down
        ex.next_button.click()
    assert protocols.SLUMP_SEED[3].name == "look down"
    m = parse(ex)
    assert m["since"] == "Since step 1"
    assert (int(m["d"]), int(m["sbed"]), int(m["dh"])) == (18, 82, 0)
    g = ex.gauges.value
    assert "last step" in g and "since step 1" in g and "against standing" in g
    assert "nerve bed: " in g and "last step +18 mm, since step 1 +82 mm" in g
    assert re.search(r"ST: [^;]*, last step \+0 mm, since step 1 \+80 mm;", g)
    for label in ("SM", "BFlh"):
        assert re.search(rf"{label}: [^;]*, last step \+0 mm, since step 1 \+[1-9]\d* mm", g), label
    # the numbers behind the rounding, by the hand values above
    steps = protocols.SLUMP_SEED
    bed = [ns.nerve_bed_length(s.posture) for s in steps[:4]]
    assert bed[3] - bed[2] == pytest.approx(18.43, abs=0.01)
    assert bed[3] - bed[0] == pytest.approx(81.68, abs=0.01)
    st = [ns.muscle_length(s.posture, "semitendinosus") for s in steps[:4]]
    assert (st[3] - st[2], st[3] - st[0]) == (pytest.approx(0.0, abs=1e-9), pytest.approx(80.44, abs=0.01))
    # the desc lists each structure's % against standing
    st_ref = ns.muscle_length(ns.Posture(), "semitendinosus")
    assert f"ST: {100 * (st[3] / st_ref - 1):+.1f} %" in g


def test_presentation_mode_toggles_a_class():
    ex = Explorer("slump", strain=False)
    ex.present_button.value = True
    assert "neuralsim-present" in ex.widget._dom_classes
    ex.present_button.value = False
    assert "neuralsim-present" not in ex.widget._dom_classes


def test_presentation_mode_draws_the_gauges_and_key_large_and_shows_the_sliders_on_demand():
    ex = Explorer("slump")
    ex.step(+1)
    line = ex.text.value[ex.text.value.index('<p class="neuralsim-text"'):]
    assert 'class="neuralsim-gauges"' in ex.text.value and "neuralsim-gauges-large" not in ex.text.value
    ex.present_button.value = True
    # the same numbers, drawn for the room; the text line and the step untouched
    assert "neuralsim-gauges-large" in ex.text.value and 'class="neuralsim-gauges"' not in ex.text.value
    assert ex.text.value.endswith(line) and 'viewBox="0 0 370 ' in ex.legend.value
    assert ex.live.value.endswith(ex.text.value)
    ex.sliders_button.value = True
    assert "ns-sliders-on" in ex.widget._dom_classes
    ex.present_button.value = False              # leaving presentation mode hides the drawer's class too
    assert "ns-sliders-on" not in ex.widget._dom_classes and not ex.sliders_button.value
    assert 'class="neuralsim-gauges"' in ex.text.value and ex.text.value.endswith(line)


# -- each explorer draws and gauges its own nerve's muscles (registry data) ------------------------

def _drawn_muscles(ex):
    return set(re.findall(r'data-muscle="([a-z_]+)"', ex.figure.value))


def _gauged(ex):
    return re.findall(r'data-kind="([a-z_]+)"', ex.gauges.value)


def test_sciatic_explorer_draws_hamstrings_and_calf_but_not_rectus_femoris():
    ex = Explorer("slump", strain=False)
    ex.presets["slump end (look down, dorsiflex)"].click()
    assert ex.nerve == "sciatic"
    assert _drawn_muscles(ex) == {"semimembranosus", "semitendinosus", "biceps_femoris_lh", "gastrocnemius"}
    assert _gauged(ex) == ["nerve", "semimembranosus", "semitendinosus", "biceps_femoris_lh"]
    assert "rectus femoris" not in ex.legend.value and "RF" not in ex.figure.value
    assert "gastrocnemius" in ex.legend.value and "nerve: roots, sciatic, tibial" in ex.legend.value


def test_femoral_explorer_draws_and_gauges_rectus_femoris_and_the_femoral_bed():
    ex = Explorer("prone_knee_bend")
    assert ex.nerve == "femoral" and ex.gauged == ("rectus_femoris",) and ex.drawn == ("rectus_femoris",)
    ex.next_button.click()                        # lying prone
    ex.next_button.click()                        # knee bent to 90 deg
    assert _drawn_muscles(ex) == {"rectus_femoris"} and _gauged(ex) == ["nerve", "rectus_femoris"]
    m = assert_line_matches_library(ex, ns.Posture(), ns.Posture(knee_flexion=90), nerve="femoral")
    # by hand: the saphenous branch wraps 20 mm in front of the knee, 90 deg: 20 x pi / 2 = 31.4 mm
    assert int(m["d"]) == 31 and m["group"] == m["sgroup"] == "rectus femoris"
    assert ex.shown["bed_mm"] - ns.nerve_bed_length(ns.Posture(), "femoral") == pytest.approx(10 * np.pi, abs=1e-9)
    assert ex.shown["group"] == "quadriceps" and ex.shown["peak_strain_pct"] is None   # mechanics: sciatic only
    assert "neuralsim-strain" not in ex.figure.value and "nerve strain" not in ex.legend.value
    assert "femoral nerve bed" in ex.legend.value and "semitendinosus" not in ex.legend.value
    assert 'data-view="prone"' in ex.figure.value


def test_the_muscles_drawn_come_from_the_registry_data():
    """A nerve's contrast and drawn_with groups are data: a new group is drawn with no code change."""
    import copy
    import json
    from pathlib import Path
    from neuralsim.model import registry

    data = json.loads((Path(ns.__file__).parent / "data" / "structures.json").read_text("utf-8"))
    data = copy.deepcopy(data)
    data["muscles"]["adductor_magnus"] = {**data["muscles"]["semimembranosus"], "label": "adductor magnus",
                                          "short": "AM", "group": "adductors"}
    data["nerves"]["sciatic"]["drawn_with"] = ["adductors"]          # no calf, an adductor instead
    with registry.using(registry.Registry.from_data(data)):
        ex = Explorer("slump", strain=False)
        assert ex.drawn == ("semimembranosus", "semitendinosus", "biceps_femoris_lh", "adductor_magnus")
        assert _drawn_muscles(ex) == set(ex.drawn) and "gastrocnemius" not in ex.figure.value
        assert _gauged(ex) == ["nerve", "semimembranosus", "semitendinosus", "biceps_femoris_lh"]
        assert "adductor magnus" in ex.legend.value
    with pytest.raises(ValueError, match="drawn_with"):
        data["nerves"]["sciatic"]["drawn_with"] = "calf"
        registry.Registry.from_data(data)


def test_the_explorer_computes_only_what_it_shows(monkeypatch):
    """One compute per update, for the explorer's nerve and the muscles it draws (not the registry)."""
    calls = []
    real = widgets.compute

    def spy(*a, **kw):
        calls.append(kw.get("structures"))
        return real(*a, **kw)

    ex = Explorer("slump", strain=False)
    monkeypatch.setattr(widgets, "compute", spy)
    ex.sliders["knee_flexion"].value = 30
    assert len(calls) == 1 and set(calls[0]) == {"sciatic", *ex.drawn}
    assert "femoral" not in calls[0] and "rectus_femoris" not in calls[0]


def test_a_nerve_without_contrast_muscles_is_refused_by_name():
    import copy
    import json
    from pathlib import Path
    from neuralsim.model import registry

    data = copy.deepcopy(json.loads((Path(ns.__file__).parent / "data" / "structures.json").read_text("utf-8")))
    data["nerves"]["femoral"]["contrast"] = "adductors"          # no muscle of that group
    with registry.using(registry.Registry.from_data(data)):
        with pytest.raises(ValueError, match="femoral nerve's contrast group 'adductors'"):
            Explorer("prone_knee_bend")


def test_the_femoral_explorer_names_rectus_femoris_in_front_of_the_thigh():
    """The contrast muscle gets its label; rectus femoris runs in front of the hip (registry data), so its
    leader goes forwards, against the segment's back direction."""
    ex = Explorer("slump_knee_bend", strain=False)
    for _ in range(3):
        ex.next_button.click()
    labels = re.findall(r'<text[^>]*class="neuralsim-label">([^<]+)</text>', ex.figure.value)
    assert labels == ["RF"]
    leader = re.search(r'<polyline class="neuralsim-leader" points="([^"]+)"', ex.figure.value).group(1)
    (x0, y0), (x1, y1) = [tuple(float(v) for v in pt.split(",")) for pt in leader.split()]
    angle = ns.compute(ex.posture, view=ex.view).drawing["frames"]["thigh"][1]
    forwards = np.cos(angle) * (x1 - x0) + np.sin(angle) * -(y1 - y0)      # SVG y points down
    assert forwards > 0
    ex = Explorer("slump", strain=False)
    labels = re.findall(r'<text[^>]*class="neuralsim-label">([^<]+)</text>', ex.figure.value)
    assert labels == ["roots", "sciatic", "tibial", "SM", "ST", "BFlh"]


@pytest.mark.parametrize("mobility", ["hypomobile", "typical", "hypermobile"])
def test_the_text_line_holds_no_float_noise_or_negative_zero(mobility):
    # presets clamped to a hypomobile range once read "Knee bent to 0.25 deg -> nerve bed -0 mm"
    from support import raw_output
    ex = Explorer("slump", strain=False)
    ex.mobility.value = mobility
    seen = []
    for label in protocols.POSTURES:
        ex.presets[label].click()
        seen += raw_output(ex.text.value)
    for key in protocols.ALL:
        ex.protocol_select.value = key
        for _ in protocols.ALL[key].steps:
            ex.next_button.click()
            seen += raw_output(ex.text.value)
    ex.reset_button.click()
    ex.sliders["cervical_flexion"].value = 0.1
    ex.sliders["cervical_flexion"].value = 0.1 - 0.1        # back to 0 through float arithmetic
    seen += raw_output(ex.text.value)
    assert not seen, seen


def test_changes_are_rounded_before_their_sign():
    line = widgets.change_text("Knee bent to 0.25\u00b0", 1000.0, 999.7, 300.0, 300.2, 0.99997)
    assert "-0 " not in line and "nerve bed +0 mm" in line and "(+0.0 %)" in line and "+0.0 % against" in line
    assert svg.angle_text(1.42109e-14) == "0" and svg.angle_text(33.0) == "33" and svg.angle_text(-0.04) == "0"


def test_joint_bars_show_each_joints_share_of_the_bed_change():
    ex = Explorer("hip_hinge", strain=False, joint_bars=True)
    assert "neuralsim-bars" not in Explorer("hip_hinge", strain=False).text.value     # off by default
    ex.sliders["hip_flexion"].value = 30
    bars = re.search(r'<svg[^>]*class="neuralsim-bars".*?</svg>', ex.text.value, re.S).group(0)
    # by hand: the bed wraps behind the hip, offset x angle in radians; no other joint moved
    import math
    hip = ns.core.parameters.value("nerve_offset_hip") * math.radians(30)
    assert f"hip flexion +{hip:.1f} mm" in bars and "neck flexion +0.0 mm" in bars
    assert f"Total +{hip:.1f} mm" in bars


def test_hold_for_says_what_holding_does_with_the_library_numbers():
    ex = Explorer("slump")
    assert ex.hold_for.value == 0.0 and ex.hold_for.max == ns.mechanics.hold_limit_s() / 60
    assert "neuralsim-hold-for" in ex.hold_for._dom_classes and "(min)" in ex.hold_for.description
    ex.presets["slump end (look down, dorsiflex)"].click()
    assert "neuralsim-hold" not in ex.text.value                     # not held: the line as before
    ex.hold_for.value = 5.0
    relaxed = 100 * (1 - ns.mechanics.relaxation(300.0))
    peak = float(ns.nerve_mechanics(protocols.POSTURES["slump end (look down, dorsiflex)"]).peak_nerve_in_situ_strain_pct)
    flow = ns.mechanics.FLOW_BANDS[ns.mechanics.flow_band_of(peak, 300.0)]
    assert f"Held 5 min: {relaxed:.0f} % of the tension the movement added has relaxed" in ex.text.value
    assert f"blood flow at the peak (rat figures): {flow}." in ex.text.value
    assert ex.shown["relaxed_pct"] == pytest.approx(relaxed) and ex.posture == protocols.POSTURES[
        "slump end (look down, dorsiflex)"]                          # holding moves no joint
    assert Explorer("slump", strain=False).hold_for is not None
