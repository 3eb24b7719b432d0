"""The clinic notebook (07) in a real browser: the explorer's patient mode, answered through widgets.

In Voila and in JupyterLab at 1280 x 800: pick a patient whose nerve limits the
raise, move the hip slider past the stop with the keyboard (held at the stop the
library gives, computed here in the test process), see the stop and what is felt
on the figure and in the text line, bend the neck (the leg comes back to the new
stop), give a wrong answer (a hint, not the answer), then the right one (the
answer with what gave it away); only then does the stretching button appear, and
it shows this patient's raise after four weeks of stretching with what the
trials measured and what is known of nerve glides. No console or kernel errors, no request off
127.0.0.1, and 1280 x 800 screenshots under artifacts/browser/.
"""
from __future__ import annotations

import math

import pytest

import explorer_driver as D
import jupyter_harness as H
from neuralsim.limits import cases
from neuralsim.classroom import clinic
from neuralsim.limits import differentiate, movement_limit

pytestmark = pytest.mark.browser
NAME = "07_clinic_hamstrings_or_nerve.ipynb"


def _nerve_patient() -> tuple[str, cases.Patient]:
    """The clinic's first nerve patient whose raise the neck brings down by whole degrees the slider
    shows (a case to drive; whether the change is beyond measurement error is the rule's business)."""
    for label, p in clinic.patients().items():
        d = differentiate(cases.SLR_START, "hip_flexion", "cervical_flexion", [0, 40], p.person)
        if p.answer == "nerve" and d.nerve_involved(min_change_deg=2.0) and d.change_deg < 0:
            return label, p
    raise AssertionError("no clinic patient with a nerve the neck reaches")  # pragma: no cover


def _value(desk, joint: str) -> float:
    return float(desk.locator(f".neuralsim-slider-{joint} .noUi-handle").first.get_attribute("aria-valuenow"))


def _wait_value(pg, joint: str, want: float) -> None:
    pg.wait_for_function(
        """([j, v]) => { const h = document.querySelector(`.neuralsim-patient-explorer .neuralsim-slider-${j} .noUi-handle`);
                         return h && Math.abs(parseFloat(h.getAttribute('aria-valuenow')) - v) < 0.01; }""",
        arg=[joint, want], timeout=60_000)


def _wait_line(pg, *parts: str) -> None:
    """Wait until the patient line says every one of ``parts`` (the kernel answers key presses in order)."""
    pg.wait_for_function(
        """ps => { const e = document.querySelector('.neuralsim-patient-explorer .neuralsim-patient-line');
                   return e && ps.every(p => e.textContent.includes(p)); }""", arg=list(parts), timeout=60_000)


def _shot(pg, desk, path) -> None:
    pg.evaluate("el => el.scrollIntoView({block: 'start'})", desk.element_handle())
    pg.screenshot(path=str(path))
    ok, why = D.non_blank(path)
    assert ok, why


def _fits_the_room(pg, desk) -> None:
    """Patient mode at 1280 x 800: with the patient bar at the top of the page, the patient and test menus,
    the figure, the line saying where the movement stopped and the sliders that examine (hip, knee, ankle,
    neck) are on screen together."""
    root = desk.locator(".neuralsim-patient").first
    pg.evaluate("el => el.scrollIntoView({block: 'start'})", desk.element_handle())
    D.settled(pg)
    vh = pg.viewport_size["height"]
    # in JupyterLab: inside the notebook's visible area (under the toolbar, above the status bar)
    area = pg.evaluate("""() => { const a = document.querySelector(
        '.jp-NotebookPanel:not(.lm-mod-hidden) .jp-WindowedPanel-outer');
        if (!a) return null; const b = a.getBoundingClientRect(); return [b.top, b.bottom]; }""")
    lo, hi = area if area else (0.0, vh)
    for what in (".neuralsim-patient-select select", ".neuralsim-figure svg", ".neuralsim-patient-stop", ".neuralsim-slider-hip_flexion .noUi-handle",
                 ".neuralsim-slider-knee_flexion .noUi-handle", ".neuralsim-slider-ankle_dorsiflexion .noUi-handle",
                 ".neuralsim-slider-cervical_flexion .noUi-handle"):
        b = desk.locator(what).first.bounding_box()
        assert b is not None and b["y"] >= lo - 0.5 and b["y"] + b["height"] <= hi + 0.5, (what, b, lo, hi)
    assert root.locator(".neuralsim-figure svg").first.bounding_box()["height"] >= 300   # still legible


def _drive(pg, log, server, artifacts, shot: str, room: bool = True) -> None:
    pg.set_viewport_size({"width": 1280, "height": 800})
    label, patient = _nerve_patient()
    held = math.floor(movement_limit(cases.SLR_START, "hip_flexion", patient.person).angle_deg)
    neck = math.floor(movement_limit(cases.SLR_START.replace(cervical_flexion=40), "hip_flexion",
                                     patient.person).angle_deg)
    desk = pg.locator(".neuralsim-patient-explorer").first
    desk.scroll_into_view_if_needed()
    desk.locator(".neuralsim-patient-select select").select_option(label)
    pg.wait_for_function("l => [...document.querySelectorAll('.neuralsim-patient-line')].some("
                         "e => e.textContent.includes(l + ', straight-leg raise') && e.textContent.includes('Not stopped yet'))",
                         arg=label, timeout=60_000)
    hip = desk.locator(".neuralsim-slider-hip_flexion .noUi-handle")
    hip.focus()
    for _ in range(held + 12):                  # a dozen key presses past the stop
        pg.keyboard.press("ArrowRight")
    _wait_value(pg, "hip_flexion", held)
    _wait_line(pg, f"stops at hip flexion {held}°")
    log.traffic.wait_answered(pg)               # the held value stays held once every key press is answered
    assert _value(desk, "hip_flexion") == held
    fig = desk.locator(".neuralsim-figure svg").first
    assert fig.locator(".stop-mark").count() == 1 and f"stops at {held}°" in fig.inner_html()
    felt = movement_limit(cases.SLR_START, "hip_flexion", patient.person).symptoms
    line = desk.locator(".neuralsim-patient-stop").first.inner_text()
    assert f"stops at hip flexion {held}°" in line
    for where, how in felt:                     # what is felt where, said in words
        assert how in line and where in line, (how, where, line)
    assert fig.locator(".felt-mark").count() >= 1 and fig.locator(".felt-label").count() >= 1
    if room:
        _fits_the_room(pg, desk)
    _shot(pg, desk, artifacts / f"{shot}-stop.png")

    neck_handle = desk.locator(".neuralsim-slider-cervical_flexion .noUi-handle")
    neck_handle.focus()
    for _ in range(40):                         # the neck to 40 deg, one degree per key press
        pg.keyboard.press("ArrowRight")
    _wait_value(pg, "cervical_flexion", 40.0)
    _wait_line(pg, "neck flexion 40°", f"stops at hip flexion {neck}°")
    _wait_value(pg, "hip_flexion", neck)        # the leg came back to the new stop
    assert neck < held
    assert f"stops at hip flexion {neck}°" in desk.locator(".neuralsim-patient-stop").first.inner_text()
    findings = desk.locator(".neuralsim-patient-findings").inner_text()
    assert f"stops at hip flexion {neck}°" in findings                             # the new stop is written down
    assert f"stops at hip flexion {held}°" in desk.locator(".neuralsim-patient-findings").inner_text()

    stretch = desk.locator(".neuralsim-patient-stretch")
    assert stretch.is_hidden()                  # before the answer it would give the answer away
    desk.get_by_role("radio", name="hamstrings", exact=True).check()
    desk.get_by_role("button", name="Check my answer").click()
    fb = desk.locator(".neuralsim-patient-feedback")
    fb.get_by_text("Not quite").wait_for(timeout=60_000)
    assert clinic.HINTS["nerve"][:40] in fb.inner_text() and "answer is" not in fb.inner_text()
    assert stretch.is_hidden()                  # a hint is not the answer
    fb.scroll_into_view_if_needed()
    pg.screenshot(path=str(artifacts / f"{shot}-hint.png"))
    desk.get_by_role("radio", name="nerve", exact=True).check()
    desk.get_by_role("button", name="Check my answer").click()
    fb.get_by_text("Right: nerve.").wait_for(timeout=60_000)
    assert "Because:" in fb.inner_text() and "The nerve takes part" in fb.inner_text()
    stretch.wait_for(state="visible", timeout=60_000)
    stretch.click()
    out = desk.locator(".neuralsim-patient-stretch-out")
    out.get_by_text("Ylinen", exact=False).first.wait_for(timeout=60_000)
    text = out.inner_text()
    assert "after 4 weeks of daily hamstring stretching" in text and "one week is not modelled" in text
    assert "Nerve glides" in text and "Coppieters" in text
    fb.scroll_into_view_if_needed()
    pg.screenshot(path=str(artifacts / f"{shot}-answer.png"))
    assert log.errors == [], log.errors
    assert log.kernel == [], log.kernel
    assert D.error_outputs(pg) == []
    assert server.kernel_errors() == []


def _axe_serious(pg) -> list:
    """axe-core (bundled in axe-playwright-python, injected, nothing fetched): serious or critical findings."""
    from axe_playwright_python.sync_playwright import Axe
    result = Axe().run(pg, context=".neuralsim-patient-explorer")
    bad = [v for v in result.response["violations"] if v.get("impact") in ("serious", "critical")]
    return [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3]) for v in bad]


def test_clinic_in_voila(page, voila_server, chromium, artifacts):
    pg, log = page
    pg.goto(f"{voila_server.url}voila/render/{NAME}", wait_until="domcontentloaded")
    pg.wait_for_selector(".neuralsim-patient-explorer .neuralsim-patient-select select", timeout=180_000)
    _drive(pg, log, voila_server, artifacts, "clinic-voila")
    assert _axe_serious(pg) == [], "axe-core serious/critical violations in the patient mode"
    assert chromium.network_guard.blocked == [], f"requests left 127.0.0.1: {chromium.network_guard.blocked}"


def test_clinic_in_jupyterlab(page, lab_server, chromium, artifacts):
    pg, log = page
    H.open_in_lab_and_run_all(pg, lab_server.url, NAME, timeout_ms=90_000)
    pg.wait_for_selector(".neuralsim-patient-explorer .neuralsim-patient-select select", timeout=180_000)
    # JupyterLab as a teacher opens it (file browser open): the same room check, inside the notebook's area
    _drive(pg, log, lab_server, artifacts, "clinic-lab")
    assert chromium.network_guard.blocked == [], f"requests left 127.0.0.1: {chromium.network_guard.blocked}"
