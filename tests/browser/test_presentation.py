"""Presentation mode as a lecturer projects it: Chromium at 1024 x 768, in Voila and in JupyterLab.

Measured in the page, on the slump notebook's first explorer, at every step of the slump test:

* the body is drawn at least 60 % of the screen's height tall: the person's height (the height
  slider's) at the figure's scale, which the view's box keeps through the steps (a body sitting
  with the knee straight is lower than it is tall: its outline's own height says little); the
  figure inside the screen;
* the gauges' and the key's smallest type is at least 20 px (their tick labels and names
  included), and both are wholly on the screen at every step (the text line comes after them and
  may run on below);
* the step buttons are on the screen, uncovered; the "sliders" button (or the key s) shows every
  joint slider on the screen beside the figure, uncovered, and a slider moved there moves the
  figure; the step buttons stay uncovered while the sliders are shown;
* leaving presentation mode (Escape) and leaving the browser's full screen keep the focus in the
  explorer (tests/browser/test_course_pages.py drives the last step in Voila; here JupyterLab too).

Screenshots: artifacts/browser/presentation-<where>-<step>.png.
"""
from __future__ import annotations

import pytest

import explorer_driver as D
import jupyter_harness as H

from neuralsim.model import protocols

pytestmark = pytest.mark.browser

PROJECTOR = {"width": 1024, "height": 768}
NOTEBOOK = "02_slump_test.ipynb"
MIN_TYPE_PX = 20
MIN_FIGURE = 0.60

#: the smallest rendered font size (px) of the text in an element, and whether it is on screen
_TYPE = """(sel) => { const e = document.querySelector(sel); if (!e) return null;
  const r = e.getBoundingClientRect();
  const sizes = Array.from(e.querySelectorAll('text')).filter(t => t.textContent.trim())
    .map(t => t.getBoundingClientRect().height > 0 ? parseFloat(getComputedStyle(t).fontSize)
              * (e.getBoundingClientRect().width / e.viewBox.baseVal.width) : 1e9);
  return {min: Math.min(...sizes), n: sizes.length, top: r.top, bottom: r.bottom, left: r.left, right: r.right}; }"""

#: whether the element's centre is the element itself (or inside it) for a click: on screen, uncovered
_UNCOVERED = """(sel) => Array.from(document.querySelectorAll(sel)).filter(e => e.offsetParent !== null).map(e => {
  const r = e.getBoundingClientRect(); const x = r.left + r.width / 2, y = r.top + r.height / 2;
  const hit = document.elementFromPoint(x, y);
  return {on: r.top >= 0 && r.bottom <= innerHeight && r.left >= 0 && r.right <= innerWidth,
          free: !!hit && (hit === e || e.contains(hit))}; })"""

_FIGURE = """() => { const s = document.querySelector('.neuralsim-present .neuralsim-figure svg');
  const r = s.getBoundingClientRect(); const vb = s.viewBox.baseVal;
  const k = Math.min(r.width / vb.width, r.height / vb.height);    // the drawing's scale (px per mm, meet)
  const m = parseFloat(document.querySelector('.neuralsim-height .noUi-handle').getAttribute('aria-valuenow'));
  return {person: 1000 * m * k, box: vb.height * k, top: r.top, bottom: r.bottom}; }"""


def _present(pg) -> None:
    pg.set_viewport_size(PROJECTOR)
    pg.locator(".neuralsim-explorer").first.scroll_into_view_if_needed()
    pg.locator(".neuralsim-present-toggle").first.click()
    pg.wait_for_selector(".neuralsim-present svg.neuralsim-gauges-large", timeout=60_000)
    D.settled(pg)


def _check_step(pg, where: str, step: str, artifacts) -> None:
    fig = pg.evaluate(_FIGURE)
    assert fig["person"] >= MIN_FIGURE * PROJECTOR["height"], f"{where} {step}: the person is drawn {fig['person']:.0f} px tall"
    assert fig["top"] >= -1 and fig["bottom"] <= PROJECTOR["height"] + 1, f"{where} {step}: figure off screen {fig}"
    for sel in (".neuralsim-present svg.neuralsim-gauges-large", ".neuralsim-present .neuralsim-legend-box svg"):
        t = pg.evaluate(_TYPE, sel)
        assert t is not None and t["n"] > 0, f"{where} {step}: no {sel}"
        assert t["min"] >= MIN_TYPE_PX - 0.01, f"{where} {step}: {sel} type {t['min']:.1f} px"
        assert t["left"] >= 0 and t["right"] <= PROJECTOR["width"] + 1, f"{where} {step}: {sel} off screen {t}"
        assert t["top"] >= 0 and t["bottom"] <= PROJECTOR["height"] + 1, f"{where} {step}: {sel} off screen {t}"
    for b in pg.evaluate(_UNCOVERED, ".neuralsim-present .neuralsim-stepper button"):
        assert b["on"] and b["free"], f"{where} {step}: a step button off screen or covered"
    # the side column's parts one under another: no box over another's (the figure is beside them)
    boxes = pg.evaluate("""() => ['.neuralsim-protocol', '.neuralsim-step', '.neuralsim-stepper',
        'svg.neuralsim-gauges-large', '.neuralsim-legend-box svg', 'p.neuralsim-text'].map(s => {
        const e = document.querySelector('.neuralsim-present ' + s); if (!e) return null;
        const r = e.getBoundingClientRect(); return [s, r.top, r.bottom]; }).filter(b => b)""")
    for (a, _t0, b0), (b, t1, _b1) in zip(boxes, boxes[1:]):
        assert t1 >= b0 - 1, f"{where} {step}: {b} starts {b0 - t1:.0f} px over {a}"
    pg.screenshot(path=str(artifacts / f"presentation-{where}-{step}.png"))


def _drive(pg, log, where: str, artifacts) -> None:
    _present(pg)
    # the gauges' and the key's whole box on screen where the steps begin
    for sel in (".neuralsim-present svg.neuralsim-gauges-large", ".neuralsim-present .neuralsim-legend-box svg"):
        t = pg.evaluate(_TYPE, sel)
        assert t["bottom"] <= PROJECTOR["height"] + 1, f"{where}: {sel} below the screen ({t['bottom']:.0f} px)"
    n = len(protocols.ALL["slump"].steps)
    _check_step(pg, where, "start", artifacts)
    for k in range(n):
        pg.keyboard.press("n")
        D.wait_until(pg, lambda: D.text_line(pg).startswith(f"Step {k + 1}/"), lambda: f"{where}: step {k + 1} not reached")
        D.settled(pg)
        _check_step(pg, where, f"{k + 1}", artifacts)
    # the sliders on demand: every joint's slider on screen and uncovered, the step buttons too
    pg.keyboard.press("s")
    pg.wait_for_selector(".neuralsim-present.ns-sliders-on", timeout=60_000)
    D.settled(pg)
    handles = pg.evaluate(_UNCOVERED, ".neuralsim-present .neuralsim-sliders .noUi-handle")
    assert len(handles) == 8 and all(h["on"] and h["free"] for h in handles), f"{where}: sliders {handles}"
    for b in pg.evaluate(_UNCOVERED, ".neuralsim-present .neuralsim-stepper button"):
        assert b["on"] and b["free"], f"{where}: a step button covered by the sliders"
    pg.screenshot(path=str(artifacts / f"presentation-{where}-sliders.png"))
    before = D.figure_html(pg)
    D.press_keys(pg, "cervical_flexion", "ArrowLeft", 5)          # "now move the neck", live
    D.wait_until(pg, lambda: D.figure_html(pg) != before, lambda: f"{where}: the neck slider moved no figure")
    pg.locator(".neuralsim-present .neuralsim-next").first.focus()
    pg.keyboard.press("s")                                             # and hidden again
    pg.wait_for_function("() => !document.querySelector('.ns-sliders-on')", timeout=60_000)
    # leaving presentation mode keeps the focus in the explorer, and the page's sliders come back
    pg.keyboard.press("Escape")
    pg.wait_for_function("() => !document.querySelector('.neuralsim-present')", timeout=60_000)
    try:
        pg.wait_for_function("() => !!document.activeElement?.closest('.neuralsim-explorer')", timeout=10_000)
    except Exception:
        pass
    assert pg.evaluate("() => !!document.activeElement?.closest('.neuralsim-explorer')"), \
        f"{where}: the focus fell out of the explorer on leaving presentation mode"
    assert pg.locator(".neuralsim-controls").first.is_visible()
    assert log.errors == [], log.errors


def test_presentation_mode_at_1024x768_in_voila(page, voila_server, artifacts):
    pg, log = page
    pg.set_viewport_size(PROJECTOR)
    pg.goto(f"{voila_server.url}voila/render/{NOTEBOOK}", wait_until="domcontentloaded", timeout=600_000)
    pg.wait_for_selector(".neuralsim-explorer .neuralsim-figure svg", timeout=600_000)
    _drive(pg, log, "voila", artifacts)


def test_presentation_mode_at_1024x768_in_jupyterlab(page, lab_server, artifacts):
    pg, log = page
    pg.set_viewport_size(PROJECTOR)
    H.open_in_lab_and_run_all(pg, lab_server.url, NOTEBOOK, timeout_ms=180_000)
    pg.wait_for_selector(".neuralsim-explorer .neuralsim-figure svg", timeout=180_000)
    _drive(pg, log, "lab", artifacts)



def test_the_clinic_projected_at_1024x768_keeps_its_examination_sliders_in_sight(page, voila_server, artifacts):
    """Patient mode (notebook 07): projected, the sliders are how the patient is examined: every one
    on the screen and uncovered (the key goes under them), the raise moves the figure; the body drawn
    60 % of the height tall, the gauges' type 20 px or more."""
    pg, log = page
    pg.set_viewport_size(PROJECTOR)
    pg.goto(f"{voila_server.url}voila/render/07_clinic_hamstrings_or_nerve.ipynb", wait_until="domcontentloaded",
            timeout=600_000)
    pg.wait_for_selector(".neuralsim-patient .neuralsim-figure svg", timeout=600_000)
    D.settled(pg)
    ex = pg.locator(".neuralsim-patient").first
    ex.scroll_into_view_if_needed()
    ex.locator(".neuralsim-present-toggle").click()
    pg.wait_for_selector(".neuralsim-present svg.neuralsim-gauges-large", timeout=60_000)
    D.settled(pg)
    pg.screenshot(path=str(artifacts / "presentation-clinic.png"))
    handles = pg.evaluate(_UNCOVERED, ".neuralsim-present .neuralsim-sliders .noUi-handle")
    assert len(handles) == 8 and all(h["on"] and h["free"] for h in handles), handles
    fig = pg.evaluate(_FIGURE)
    assert fig["person"] >= MIN_FIGURE * PROJECTOR["height"], f"the person is drawn {fig['person']:.0f} px tall"
    t = pg.evaluate(_TYPE, ".neuralsim-present svg.neuralsim-gauges-large")
    assert t["min"] >= MIN_TYPE_PX - 0.01 and t["bottom"] <= PROJECTOR["height"] + 1, t
    before = D.figure_html(pg)
    D.press_keys(pg, "hip_flexion", "ArrowRight", 10)                  # the raise, live
    D.wait_until(pg, lambda: D.figure_html(pg) != before, lambda: "the hip slider moved no figure")
    assert log.errors == [], log.errors
