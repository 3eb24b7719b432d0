"""The explorer without a browser: drive every control and compare the text with the library."""
import re

import numpy as np
import pytest

import neuralsim as ns
from neuralsim import protocols, widgets
from neuralsim.widgets import Explorer

LINE = re.compile(
    r"(?P<what>.+) → nerve bed (?P<d>[+-]\d+) mm \((?P<pct>[+-][\d.]+) %\); hamstrings (?P<dh>[+-]\d+) mm\. "
    r"Bed now (?P<bed>\d+) mm, (?P<rel>[+-][\d.]+) % against standing(; peak nerve strain (?P<peak>[\d.]+) %)?\.")


def parse(ex):
    text = re.sub(r"<[^>]+>", "", ex.text.value)
    m = LINE.fullmatch(text.strip())
    assert m, text
    return m


def hamstrings(p, body=None):
    return sum(ns.muscle_length(p, m, body=body) for m in ns.HAMSTRINGS) / 3


def assert_line_matches_library(ex, before, after, body=None, body_before="same"):
    """The numbers in the text line, recomputed here from the public API."""
    m = parse(ex)
    bb = body if body_before == "same" else body_before
    b0, b1 = ns.nerve_bed_length(before, body=bb), ns.nerve_bed_length(after, body=body)
    assert int(m["d"]) == round(b1 - b0)
    assert float(m["pct"]) == pytest.approx(round(100 * (b1 - b0) / b0, 1), abs=0.051)
    assert int(m["dh"]) == round(hamstrings(after, body) - hamstrings(before, bb))
    assert int(m["bed"]) == round(b1)
    rel = ns.relative_bed_length(after, body=body)
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
    assert "neuralsim-figure" in ex.figure._dom_classes and "neuralsim-text" in ex.text._dom_classes
    assert "neuralsim-next" in ex.next_button._dom_classes and "neuralsim-prev" in ex.prev_button._dom_classes
    assert set(ex.presets) == set(protocols.POSTURES)
    assert all("neuralsim-preset" in b._dom_classes for b in ex.presets.values())
    assert ex.posture == ns.Posture()
    assert 'aria-live="polite"' in ex.text.value
    assert ex.figure.value.count("<title") == 2 and ex.figure.value.count("<desc") == 2


def test_the_issue_example_knee_extended(ex):
    ex.sliders["knee_flexion"].value = 90
    ex.sliders["knee_flexion"].value = 0
    m = assert_line_matches_library(ex, ns.Posture(knee_flexion=90), ns.Posture())
    assert m["what"] == "Knee extended to 0°"
    # knee 90 -> 0 unfolds the bed behind the knee: + 2 x 25 mm x tan 45 deg = +50 mm
    assert int(m["d"]) == round(2 * ns.parameters.value("nerve_offset_knee"))


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
    assert ex.state["bed_mm"] == pytest.approx(ns.nerve_bed_length(before))
    assert ex.state["contributions_mm"] == pytest.approx(ns.bed_contributions(before))


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
    assert ex.view == proto.view
    assert ex.prev_button.disabled
    previous = ex.posture
    for i, (name, p) in enumerate(proto.steps):
        ex.next_button.click()
        assert ex.posture == p
        assert name in ex.step_label.value and f"step {i + 1} of {len(proto.steps)}" in ex.step_label.value
        m = assert_line_matches_library(ex, previous, p)
        assert m["what"] == f"Step {i + 1}/{len(proto.steps)} '{name}'"
        assert proto.view.capitalize() + " view" in ex.figure.value
        previous = p
    assert ex.next_button.disabled
    for i in range(len(proto.steps) - 2, -1, -1):
        ex.prev_button.click()
        assert ex.posture == proto.steps[i].posture
    assert ex.prev_button.disabled


def test_choosing_a_protocol_switches_view_and_restarts(ex):
    ex.next_button.click()
    ex.protocol_select.value = "slr"
    assert ex.view == "supine" and "press 'next step'" in ex.step_label.value
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
    assert ex.state["bed_mm"] == pytest.approx(ns.nerve_bed_length(ex.posture, body=ns.Body(mobility="hypermobile")))


def test_body_height_scales_every_length(ex):
    ex.presets["sitting"].click()
    bed_175 = ex.state["bed_mm"]
    ex.height.value = 1.96
    body = ns.Body(1.96)
    assert ex.state["bed_mm"] == pytest.approx(ns.nerve_bed_length(protocols.SITTING, body=body))
    assert ex.state["bed_mm"] / bed_175 == pytest.approx(1.96 / 1.75)
    m = parse(ex)
    assert m["what"] == "Height 1.96 m"
    assert int(m["d"]) == round(ns.nerve_bed_length(protocols.SITTING, body=body) - bed_175)
    assert int(m["bed"]) == round(ns.nerve_bed_length(protocols.SITTING, body=body))


def test_plain_nerve_without_mechanics(monkeypatch):
    monkeypatch.setattr(widgets, "load_mechanics", lambda: None)
    ex = Explorer("slump")
    ex.presets["slump end (look down, dorsiflex)"].click()
    assert parse(ex)["peak"] is None and "nerve strain" not in ex.figure.value
    assert ex.state["peak_strain_pct"] is None


def test_strain_in_text_and_figure_when_mechanics_exists():
    from neuralsim.svg import load_mechanics
    nm = load_mechanics()
    ex = Explorer("slump")
    ex.presets["slump end (look down, dorsiflex)"].click()
    peak = parse(ex)["peak"]
    if nm is None:
        assert peak is None
    else:
        want = float(nm(protocols.POSTURES["slump end (look down, dorsiflex)"]).peak_strain_pct)
        assert float(peak) == pytest.approx(round(want, 1), abs=0.051)
        assert f"peak {want:.1f} %" in ex.figure.value


def test_strain_colouring_uses_the_documented_api(monkeypatch):
    """A stand-in mechanics object with only the documented attributes is enough."""
    import types

    def fake(posture, body=None):
        n = 30
        prof = np.full(n, 9.0)
        return types.SimpleNamespace(s_mm=np.linspace(0, 1600, n), strain_profile_pct=prof, peak_strain_pct=9.0)

    monkeypatch.setattr(widgets, "load_mechanics", lambda: fake)
    ex = Explorer("slump")
    ex.sliders["knee_flexion"].value = 10
    assert parse(ex)["peak"] == "9.0"
    assert 'stroke="#E69F00"' in ex.figure.value      # the 8-15 % band colour (orange)


def test_display_hook_and_widget(ex):
    import ipywidgets
    assert isinstance(ex.widget, ipywidgets.Box) and hasattr(ex, "_ipython_display_")
    picture, controls = ex.widget.children                  # picture first: on top when the column is narrow
    assert list(picture.children) == [ex.figure, ex.text]     # the text line sits under the figure
    assert ex.sliders["knee_flexion"] in controls.children


def test_unknown_protocol_is_refused():
    with pytest.raises(ValueError, match="protocol"):
        Explorer("pilates")
