"""The explorer as projected: 1280 x 800 in Voila and JupyterLab, every view, keyboard, axe-core.

* Fits the room: with the explorer scrolled to the top of the page, the figure, the gauges,
  the text line and both step buttons are inside the viewport (and, in JupyterLab, inside the
  notebook's visible area) together: no scrolling between the picture and "next step".
  JupyterLab is checked in the layout a teacher gets on opening it (the file browser open, the
  notebook column about 950 px wide), then with the file browser closed and opened again (the
  explorer lays itself out anew each time).  The figure stays large enough to teach from:
  its box is at least ``MIN_FIGURE_PX`` high at every step.
* The key never covers the body: the bounding boxes (as the browser lays them out) of the key
  and of the drawn body, head and labels do not intersect.
* Every preset and every step of every protocol the notebook offers is drawn on a support
  that carries the posture the sliders show (``neuralsim.view.svg.support_fits``), and the support
  drawn is the view's (floor, plinth, couch).
* Sliders: an accessible name and a rounded value with its unit on every handle; one Tab stop
  per slider; keys n / p step through the protocol; f opens presentation mode.
* axe-core (bundled in axe-playwright-python, injected into the page, nothing fetched) finds no
  serious or critical violation in the explorer of each notebook that has one.

The notebooks checked are every student notebook whose code makes an ``Explorer(`` (found by
reading the notebooks, so a notebook that gains an explorer is checked without editing this file).
"""
from __future__ import annotations

import re

import nbformat
import pytest

import explorer_driver as D
import jupyter_harness as H
import neuralsim as ns
from neuralsim.model.geometry import VIEWS
from neuralsim.view.svg import support_fits

pytestmark = pytest.mark.browser

ROOM = {"width": 1280, "height": 800}
NOTEBOOKS = H.REPO / "notebooks"


def _explorer_notebooks() -> list[str]:
    """The student notebooks whose code cells make an explorer."""
    found = []
    for path in sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        if any(c.cell_type == "code" and re.search(r"\bExplorer\(", c.source) for c in nb.cells):
            found.append(path.name)
    return found


#: notebooks whose explorer this file does not check, and where it is checked instead (listed, not skipped silently)
CHECKED_ELSEWHERE = {"07_clinic_hamstrings_or_nerve.ipynb": "patient mode: no protocol steps to take (the patient sets the "
           "test); its room check (menus, figure, stop line and the examining sliders on screen together, "
           "Voila and JupyterLab with the file browser open) is test_clinic_browser.py::_fits_the_room"}
EXPLORER_NOTEBOOKS = [n for n in _explorer_notebooks() if n not in CHECKED_ELSEWHERE]
#: view -> what carries the body in it (``data-support`` of the drawn support)
SUPPORT = {"standing": "floor", "sitting": "plinth", "supine": "couch", "prone": "couch", "side_lying": "couch"}
#: the figure's box is at least this high at 1280 x 800 (px): a figure much under 470 px (the
#: explorer's default height) is too small to teach from on a projector
MIN_FIGURE_PX = 440


def test_every_explorer_notebook_is_checked():
    """The notebooks found include the five known to have an explorer (the search cannot come back empty)."""
    known = {"00_start_here.ipynb", "01_hamstrings_or_nerve.ipynb", "02_slump_test.ipynb",
             "03_straight_leg_raise.ipynb", "04_nerve_glides.ipynb"}
    assert known <= set(EXPLORER_NOTEBOOKS), EXPLORER_NOTEBOOKS
    assert set(SUPPORT) == set(VIEWS), "a view without the support it should be drawn on"


_RECTS = """() => {
  const r = (e) => { if (!e) return null; const b = e.getBoundingClientRect();
                     return [b.left, b.top, b.right, b.bottom]; };
  const q = (s) => r(document.querySelector(s));
  const area = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-WindowedPanel-outer')
            || document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook');
  return {figure: q('.neuralsim-figure svg'), gauges: q('.neuralsim-gauges'), text: q('.neuralsim-text'),
          next: q('.neuralsim-next'), prev: q('.neuralsim-prev'), legend: q('.neuralsim-legend-box svg'),
          body: q('.neuralsim-figure .neuralsim-body'), head: q('.neuralsim-figure .neuralsim-head'),
          labels: q('.neuralsim-figure .neuralsim-labels'), area: r(area),
          view: [0, 0, window.innerWidth, window.innerHeight]};
}"""


def _inside(inner, outer, tol=0.5):
    return (inner[0] >= outer[0] - tol and inner[1] >= outer[1] - tol
            and inner[2] <= outer[2] + tol and inner[3] <= outer[3] + tol)


def _overlap(a, b):
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _to_top(page):
    """Scroll the explorer's top to the top of what the page shows (JupyterLab: of the notebook panel).

    JupyterLab draws the cells of a long notebook as they come into view, which can move the
    explorer after a scroll: scroll, let the page settle, and scroll again until it stays at the top.
    """
    for _ in range(5):
        off = page.evaluate("""() => { const e = document.querySelector('.neuralsim-explorer');
            const outer = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-WindowedPanel-outer');
            if (!outer) { e.scrollIntoView({block: 'start'}); return 0; }
            const off = e.getBoundingClientRect().top - outer.getBoundingClientRect().top - 4;
            outer.scrollTop += off;
            return off; }""")
        D.settled(page)
        if abs(off) < 1:
            return


def check_fits(page, where: str) -> dict:
    _to_top(page)
    rects = page.evaluate(_RECTS)
    frame = rects["view"]
    for name in ("figure", "gauges", "text", "next", "prev"):
        assert rects[name], f"{where}: no {name} in the page"
        assert _inside(rects[name], frame), f"{where}: {name} {rects[name]} is outside the 1280x800 viewport"
        if rects["area"]:
            assert _inside(rects[name], rects["area"]), (
                f"{where}: {name} {rects[name]} is outside the notebook's visible area {rects['area']}")
    for part in ("body", "head", "labels"):
        assert not _overlap(rects["legend"], rects[part]), f"{where}: the key {rects['legend']} covers the {part}"
    high = rects["figure"][3] - rects["figure"][1]
    assert high >= MIN_FIGURE_PX, f"{where}: the figure is {high:.0f} px high, under {MIN_FIGURE_PX} px"
    return rects


def _figure_view(page):
    return page.evaluate("""() => { const s = document.querySelector('.neuralsim-figure svg');
        const g = s.querySelector('.neuralsim-support');
        return [s.getAttribute('data-view'), g && g.getAttribute('data-support')]; }""")


def check_support(page, where: str):
    view, support = _figure_view(page)
    posture = ns.Posture(**D.read_posture(page))
    assert support == SUPPORT[view], f"{where}: {view} view drawn on {support}"
    assert support_fits(posture, view), f"{where}: {posture} drawn in the {view} view"
    return view


def _wait_text(page, prefix):
    D.wait_until(page, lambda: D.text_line(page).startswith(prefix),
                 lambda: f"text line {D.text_line(page)!r} does not start with {prefix!r}")
    D.settled(page)                                  # the figure refitted to the step's view


def every_preset_and_step(page, where: str) -> set:
    """Press every preset and every step of every protocol offered; check the support each time."""
    views = set()
    labels = [t.strip() for t in page.locator(".neuralsim-preset").all_inner_texts()]
    for i, label in enumerate(labels):
        page.locator(".neuralsim-preset").nth(i).click()
        _wait_text(page, f"Preset '{label}'")
        views.add(check_support(page, f"{where}, preset {label!r}"))
    options = page.evaluate("() => [...document.querySelector('.neuralsim-protocol select').options].map(o => o.text)")
    for title in options:
        page.locator(".neuralsim-protocol select").select_option(label=title)
        title = title.replace("\xa0", " ")
        key = next(k for k, v in ns.protocols.ALL.items() if v.title == title)
        for k, (name, _p) in enumerate(ns.protocols.ALL[key].steps):
            page.locator(".neuralsim-next").first.click()
            _wait_text(page, f"Step {k + 1}/")
            views.add(check_support(page, f"{where}, {key} step {k + 1} {name!r}"))
            check_fits(page, f"{where}, {key} step {k + 1}")
    return views


def check_sliders_accessible(page, where: str):
    # the first explorer of the page (notebook 07 shows two)
    handles = page.evaluate("""() => [...document.querySelector('.neuralsim-explorer').querySelectorAll('.noUi-handle')].map(h =>
        [h.getAttribute('aria-label'), h.getAttribute('aria-valuetext'), h.getAttribute('aria-valuenow')])""")
    assert len(handles) == len(ns.JOINTS) + 3, handles          # 8 joints, the body height, the hold time, the pelvis
    for name, text, now in handles:
        assert name and name[0].isalpha(), f"{where}: slider without a name: {handles}"
        assert re.fullmatch(r"-?\d+(\.\d\d?)? (degrees|metres|minutes)", text or ""), f"{where}: value text {text!r}"
    # one Tab stop per slider: Tab from the first handle lands on the next slider's handle
    page.locator(".neuralsim-explorer .noUi-handle").first.focus()
    seen = []
    for _ in range(len(ns.JOINTS) - 1):
        page.keyboard.press("Tab")
        seen.append(page.evaluate("() => document.activeElement.getAttribute('aria-label')"))
    names = [h[0] for h in handles[1:len(ns.JOINTS)]]
    assert seen == names, f"{where}: Tab went {seen}, sliders are {names}"
    # the focused handle shows a ring wider than 1 px
    ring = page.evaluate("() => getComputedStyle(document.activeElement).outlineWidth")
    assert float(ring.rstrip("px")) >= 3, ring


#: the step buttons as the kernel set them for the step shown (``next`` disabled only at the last step)
_BUTTONS_SET = """() => { const e = document.querySelector('.neuralsim-explorer');
  const m = e.querySelector('.neuralsim-step').textContent.match(/step (\\d+) of (\\d+)/);
  return !!m && e.querySelector('.neuralsim-next').disabled === (m[1] === m[2])
             && e.querySelector('.neuralsim-prev').disabled === (m[1] === '1'); }"""

#: presentation mode as the f key leaves it: the class, the focus inside the explorer on a step button
_PRESENTING = """() => { const e = document.querySelector('.neuralsim-explorer');
  const a = document.activeElement;
  return e.classList.contains('neuralsim-present') && e.contains(a) && a.closest('.neuralsim-stepper') !== null; }"""


def check_keys(page, where: str):
    label0 = page.locator(".neuralsim-step").first.inner_text()
    page.locator(".neuralsim-reset").first.focus()           # focus inside the explorer, not on a slider
    m = re.search(r"step (\d+) of (\d+)", label0)
    key = "p" if m and m.group(1) == m.group(2) else "n"     # at the last step only "previous" moves
    page.keyboard.press(key)
    D.wait_until(page, lambda: page.locator(".neuralsim-step").first.inner_text() != label0,
                 lambda: f"{where}: key {key} did not step ({label0!r})")
    D.wait_until(page, lambda: page.evaluate(_BUTTONS_SET),
                 lambda: f"{where}: the step buttons were not enabled for the new step")
    page.keyboard.press("f")
    # the state f gives: presentation mode, laid out in the whole window, with the focus on a step
    # button (so n / p / Escape reach the explorer's keys; the button it was on is hidden)
    page.wait_for_function(_PRESENTING, timeout=60_000)
    D.settled(page)
    rects = page.evaluate(_RECTS)
    assert _inside(rects["figure"], rects["view"]) and _inside(rects["next"], rects["view"])
    big = page.evaluate("() => parseFloat(getComputedStyle(document.querySelector('p.neuralsim-text')).fontSize)")
    assert big >= 22, f"{where}: presentation text is {big}px"
    page.keyboard.press("Escape")
    D.wait_until(page, lambda: not page.evaluate("() => document.querySelector('.neuralsim-explorer').classList.contains('neuralsim-present')"),
                 lambda: f"{where}: Escape did not leave presentation mode")


def axe_serious(page) -> list:
    from axe_playwright_python.sync_playwright import Axe
    result = Axe().run(page, context=".neuralsim-explorer")
    bad = [v for v in result.response["violations"] if v.get("impact") in ("serious", "critical")]
    return [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3]) for v in bad]


def _open_voila(page, server, name):
    page.set_viewport_size(ROOM)
    page.goto(f"{server.url}voila/render/{name}", wait_until="domcontentloaded")
    page.wait_for_selector(".neuralsim-figure svg", timeout=120_000)
    D.wait_consistent(page)
    page.wait_for_function("() => document.querySelector('.neuralsim-explorer .noUi-handle[aria-label]')",
                           timeout=60_000)
    D.settled(page)


def _open_lab(page, server, name):
    """Open the notebook in JupyterLab's default layout (the file browser open) and run it."""
    page.set_viewport_size(ROOM)
    H.open_in_lab_and_run_all(page, server.url, name, timeout_ms=90_000)
    H.wait_all_run(page)
    page.wait_for_selector(".neuralsim-figure svg", timeout=60_000)
    page.wait_for_function("() => document.querySelector('.neuralsim-explorer .noUi-handle[aria-label]')",
                           timeout=60_000)
    D.settled(page)


def _lab_layout(page) -> dict:
    return page.evaluate("""() => { const fb = document.querySelector('#filebrowser');
        const nb = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-WindowedPanel-outer');
        return {left_collapsed: window.jupyterapp.shell.leftCollapsed,
                file_browser: !!fb && fb.getBoundingClientRect().width > 100,
                notebook_px: nb ? Math.round(nb.getBoundingClientRect().width) : null}; }""")


def _toggle_left(page, collapse: bool):
    page.evaluate("(c) => c ? window.jupyterapp.shell.collapseLeft() : window.jupyterapp.shell.expandLeft()", collapse)
    page.wait_for_function("(c) => window.jupyterapp.shell.leftCollapsed === c", arg=collapse, timeout=60_000)
    D.settled(page)                                  # the explorer refitted to the new width


@pytest.mark.parametrize("name", EXPLORER_NOTEBOOKS)
def test_explorer_fits_the_room_in_voila(page, voila_server, chromium, artifacts, name):
    pg, log = page
    _open_voila(pg, voila_server, name)
    where = f"Voila {name}"
    check_fits(pg, where)
    pg.screenshot(path=str(artifacts / f"room-voila-{name.split('_')[0]}.png"))
    assert axe_serious(pg) == [], f"{where}: axe-core serious/critical violations"
    check_sliders_accessible(pg, where)
    views = every_preset_and_step(pg, where)
    assert views, where
    check_keys(pg, where)
    assert log.errors == [], f"browser console errors: {log.errors}"
    assert chromium.network_guard.blocked == [], f"requests left 127.0.0.1: {chromium.network_guard.blocked}"


@pytest.mark.parametrize("name", EXPLORER_NOTEBOOKS)
def test_explorer_fits_the_room_in_jupyterlab(page, lab_server, chromium, artifacts, name):
    """JupyterLab as it opens: the file browser open beside the notebook (no Ctrl+B first)."""
    pg, log = page
    _open_lab(pg, lab_server, name)
    layout = _lab_layout(pg)
    assert layout["left_collapsed"] is False and layout["file_browser"], f"not JupyterLab's default layout: {layout}"
    assert layout["notebook_px"] < 1000, layout       # the file browser takes its share of the 1280 px
    where = f"JupyterLab {name} (file browser open, notebook {layout['notebook_px']} px wide)"
    open_rects = check_fits(pg, where)
    pg.screenshot(path=str(artifacts / f"room-lab-{name.split('_')[0]}.png"))
    assert axe_serious(pg) == [], f"{where}: axe-core serious/critical violations"
    check_sliders_accessible(pg, where)
    every_preset_and_step(pg, where)
    # The teacher closes the file browser (Ctrl+B): the explorer lays itself out for the wider
    # page, as large as before or larger; opened again, it still fits.
    _toggle_left(pg, True)
    wide = check_fits(pg, f"JupyterLab {name} (file browser closed)")
    assert wide["figure"][3] - wide["figure"][1] >= open_rects["figure"][3] - open_rects["figure"][1] - 1
    pg.screenshot(path=str(artifacts / f"room-lab-{name.split('_')[0]}-closed.png"))
    _toggle_left(pg, False)
    check_fits(pg, f"JupyterLab {name} (file browser opened again)")
    check_keys(pg, where)
    assert chromium.network_guard.blocked == [], f"requests left 127.0.0.1: {chromium.network_guard.blocked}"
