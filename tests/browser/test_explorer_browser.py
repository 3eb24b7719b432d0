"""The slump notebook's explorer in a real browser: JupyterLab and Voila in Chromium.

Each test opens the notebook, lets it run, moves a slider with the keyboard and
with the mouse, presses a preset and a protocol step, presses keys faster than
the kernel answers, and checks after every action that the text line shows the
numbers the library computes (here, in the test process) for the posture the
sliders show, and that the SVG figure changed.  Then: no console errors, no
kernel errors, no request that left 127.0.0.1, and a non-blank screenshot of the
explorer saved under artifacts/browser/.
"""
from __future__ import annotations

import pytest

import explorer_driver as D
import jupyter_harness as H

pytestmark = pytest.mark.browser


def _sent_without_delay(server):
    """The server's kernel websockets were neuralsim's TCP_NODELAY ones (configured, not assumed)."""
    from neuralsim.websocket import NODELAY_LOG
    assert NODELAY_LOG in server.log_text(), (
        f"{server.kind} did not use neuralsim.websocket's connection class:\n{server.log_text()[-3000:]}")


def _no_errors(page, log, server):
    assert log.errors == [], f"browser console errors: {log.errors}"
    assert log.kernel == [], f"kernel errors/stderr on iopub: {log.kernel}"
    assert D.error_outputs(page) == [], f"error outputs in the page: {D.error_outputs(page)}"
    assert server.kernel_errors() == [], (
        f"{server.kind} log shows kernel errors: {server.kernel_errors()}\n{server.log_text()[-3000:]}")


def _screenshot(page, artifacts, name):
    box = D.explorer_box(page)
    path = artifacts / f"{name}.png"
    box.as_element().screenshot(path=str(path))
    ok, why = D.non_blank(path)
    assert ok, f"blank screenshot: {why}"
    return path


def _run_in_lab(page, lab_server, notebook):
    H.open_in_lab_and_run_all(page, lab_server.url, notebook.name, timeout_ms=90_000)
    H.wait_all_run(page)   # every code cell has an execution count and the kernel is idle again
    page.wait_for_selector(".neuralsim-figure svg", timeout=60_000)
    page.locator(".neuralsim-figure").first.scroll_into_view_if_needed()


def test_explorer_in_jupyterlab(page, lab_server, explorer_notebook, chromium, artifacts):
    pg, log = page
    _run_in_lab(pg, lab_server, explorer_notebook)
    D.exercise(pg, log)
    _screenshot(pg, artifacts, "jupyterlab-explorer")
    _no_errors(pg, log, lab_server)
    _sent_without_delay(lab_server)
    assert chromium.network_guard.blocked == [], f"requests left 127.0.0.1: {chromium.network_guard.blocked}"
    # the setup's overrides.json: no question about fetching Jupyter's news from the internet
    assert pg.get_by_text("official Jupyter news").count() == 0


def test_explorer_in_voila(page, voila_server, explorer_notebook, chromium, artifacts):
    pg, log = page
    pg.goto(f"{voila_server.url}voila/render/{explorer_notebook.name}", wait_until="domcontentloaded")
    pg.wait_for_selector(".neuralsim-figure svg", timeout=120_000)
    # No code is shown in the app: Voila strips the inputs.
    assert pg.locator(".cm-editor, .CodeMirror, .jp-CodeMirrorEditor").count() == 0
    assert "cdn.jsdelivr.net" not in pg.content()
    D.exercise(pg, log)
    _screenshot(pg, artifacts, "voila-explorer")
    _no_errors(pg, log, voila_server)
    _sent_without_delay(voila_server)
    assert chromium.network_guard.blocked == [], f"requests left 127.0.0.1: {chromium.network_guard.blocked}"


def test_voila_tree_page_is_local(page, voila_server, explorer_notebook, chromium):
    """The app's landing page lists the notebook and fetches nothing from a CDN."""
    pg, log = page
    pg.goto(voila_server.url, wait_until="networkidle")
    assert pg.locator(f"a[href*='{explorer_notebook.name}']").count() >= 1
    # teacher solutions are kept out of the students' list
    if explorer_notebook.parent == H.REPO / "notebooks":
        assert "teacher" not in pg.inner_text("body")
    html = pg.content()
    assert "cdn.jsdelivr.net" not in html and "unpkg.com" not in html
    assert log.errors == [], log.errors
    assert chromium.network_guard.blocked == [], f"requests left 127.0.0.1: {chromium.network_guard.blocked}"
