"""The clinic notebook (07) in a real browser: answers given through its widgets.

In Voila and in JupyterLab: choose a patient, run the straight-leg raise and its
neck-flexed version, check that the stops the page shows are the library's
(computed here, in the test process), give a wrong answer (a hint comes, not the
answer), then the right one (the explanation comes). No console or kernel
errors, no request off 127.0.0.1, and a 1280x800 screenshot under
artifacts/browser/.
"""
from __future__ import annotations

import re

import pytest

import explorer_driver as D
import jupyter_harness as H
from neuralsim import cases, clinic
from neuralsim.limits import movement_limit

pytestmark = pytest.mark.browser
NAME = "07_clinic_hamstrings_or_nerve.ipynb"


def _stop(patient: str, test: str) -> float:
    start, joint, direction, _ = clinic.TESTS[test]
    return movement_limit(start, joint, cases.CASES[patient].person, direction=direction).angle_deg


def _drive(pg, log, server, artifacts, shot: str) -> None:
    desk = pg.locator(".neuralsim-clinic").first
    desk.scroll_into_view_if_needed()
    selects = desk.locator("select")
    selects.nth(0).select_option("sensitised nerve")
    tests = list(clinic.TESTS)
    for k, test in enumerate(tests[:3:2]):          # the plain raise, then with the neck flexed
        selects.nth(1).select_option(test)
        desk.get_by_role("button", name="Run the test").click()
        pg.wait_for_function("n => document.querySelectorAll('.neuralsim-clinic-log li').length >= n",
                             arg=k + 1, timeout=30_000)
    items = desk.locator(".neuralsim-clinic-log li").all_inner_texts()
    shown = [float(re.search(r"stops at hip flexion (\d+) deg", t).group(1)) for t in items]
    want = [_stop("sensitised nerve", t) for t in tests[:3:2]]
    assert [round(w) for w in want] == shown, (items, want)
    assert shown[1] < shown[0]                      # the neck brought the stop earlier
    assert desk.locator(".neuralsim-clinic-figure svg").count() == 1
    desk.get_by_role("radio", name="hamstrings", exact=True).check()
    desk.get_by_role("button", name="Check my answer").click()
    fb = desk.locator(".neuralsim-clinic-feedback")
    fb.get_by_text("Not quite").wait_for(timeout=30_000)
    assert clinic.HINTS["nerve"][:40] in fb.inner_text() and "answer is" not in fb.inner_text()
    desk.get_by_role("radio", name="nerve", exact=True).check()
    desk.get_by_role("button", name="Check my answer").click()
    fb.get_by_text("Right.").wait_for(timeout=30_000)
    pg.set_viewport_size({"width": 1280, "height": 800})
    pg.evaluate("el => el.scrollIntoView({block: 'start'})", desk.element_handle())
    path = artifacts / f"{shot}.png"
    pg.screenshot(path=str(path))
    ok, why = D.non_blank(path)
    assert ok, why
    assert log.errors == [], log.errors
    assert log.kernel == [], log.kernel
    assert D.error_outputs(pg) == []
    assert server.kernel_errors() == []


def test_clinic_in_voila(page, voila_server, chromium, artifacts):
    pg, log = page
    pg.goto(f"{voila_server.url}voila/render/{NAME}", wait_until="domcontentloaded")
    pg.wait_for_selector(".neuralsim-clinic select", timeout=180_000)
    _drive(pg, log, voila_server, artifacts, "clinic-voila")
    assert chromium.network_guard.blocked == [], f"requests left 127.0.0.1: {chromium.network_guard.blocked}"


def test_clinic_in_jupyterlab(page, lab_server, chromium, artifacts):
    pg, log = page
    H.open_in_lab_and_run_all(pg, lab_server.url, NAME, timeout_ms=90_000)
    pg.wait_for_selector(".neuralsim-clinic select", timeout=180_000)
    _drive(pg, log, lab_server, artifacts, "clinic-lab")
    assert chromium.network_guard.blocked == [], f"requests left 127.0.0.1: {chromium.network_guard.blocked}"
