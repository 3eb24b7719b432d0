"""The course as a student alone meets it in the Voila app, in Chromium at 1280x800.

* every "Predict first" lock comes before what answers it: on each page, what
  ``exercises.after_lock`` holds back is empty (a line asks for the lock) until the
  prediction above it is locked, then shown (16 predictions over the eight parts);
* no raw repr, float noise or negative zero in any page's text, every prediction locked;
* notebook 07's page names no patient beside an answer or a stop;
* a notebook page opened directly (no landing page first) gets the ``_xsrf`` cookie,
  and closing it shuts its kernel down (the shutdown answered, not refused with 403);
* while a page renders, the spinner says in words what is happening.

Screenshots of each part's first screen go to artifacts/browser/course-<part>.png.
"""
from __future__ import annotations

import re
import sys
import time
import urllib.error
import urllib.request

import pytest

import explorer_driver as D
import jupyter_harness as H

sys.path.insert(0, str(H.REPO / "tests"))
from support import raw_output  # noqa: E402

from neuralsim.limits import cases  # noqa: E402
from neuralsim.classroom import clinic  # noqa: E402
from neuralsim.teaching import exercises  # noqa: E402

pytestmark = pytest.mark.browser

VIEW = {"width": 1280, "height": 800}
COURSE = ["00_start_here", "01_hamstrings_or_nerve", "02_slump_test", "03_straight_leg_raise",
          "04_nerve_glides", "05_model_and_evidence", "06_front_of_the_thigh", "07_clinic_hamstrings_or_nerve"]
RENDER_MS = 600_000          # a loaded shared machine renders a long page slowly; the test waits


def _predictions(part: str) -> list[str]:
    return [k for k, p in exercises.PREDICTIONS.items() if p.notebook == part]


def _open(pg, url: str, part: str) -> None:
    pg.set_viewport_size(VIEW)
    pg.goto(f"{url}voila/render/{part}.ipynb", wait_until="domcontentloaded", timeout=RENDER_MS)
    pg.wait_for_function("() => !document.getElementById('loading') && "
                         "document.getElementById('rendered_cells')?.style.display !== 'none'", timeout=RENDER_MS)
    n = len(_predictions(part))
    pg.wait_for_function(f"() => document.querySelectorAll('.neuralsim-prediction').length === {n}",
                         timeout=120_000)


def _lock(pg, key: str) -> None:
    box = pg.locator(f".neuralsim-prediction-{key}")
    box.scroll_into_view_if_needed()
    kind = exercises.PREDICTIONS[key].kind
    if kind == "choice":
        box.locator("input[type=radio]").first.check()
    elif kind == "joints":
        box.locator("input[type=checkbox]").first.check()
    elif kind == "words":
        box.locator("textarea").fill("the first one, and the neck changes it")
    else:
        box.locator("input").first.fill("0")
    box.get_by_role("button", name="Lock my prediction").click()
    box.locator(".neuralsim-locked").wait_for(timeout=120_000)


def _held_texts(pg, key: str) -> list[str]:
    return pg.eval_on_selector_all(f".neuralsim-after-lock-{key}",
                                   "els => els.map(e => e.innerText.trim() + (e.querySelector('img,svg') ? ' [figure]' : ''))")


@pytest.mark.parametrize("part", COURSE)
def test_each_prediction_locks_before_its_answer_appears_and_no_raw_output(part, page, voila_server, artifacts):
    pg, log = page
    _open(pg, voila_server.url, part)
    pg.screenshot(path=str(artifacts / f"course-{part[:2]}.png"))
    ok, why = D.non_blank(artifacts / f"course-{part[:2]}.png")
    assert ok, why
    keys = _predictions(part)
    locked = 0
    for key in keys:
        held = _held_texts(pg, key)
        assert all(t == "" for t in held), (key, held)             # nothing of the answer before the lock
        if held:
            assert exercises.HELD_BACK_TEXT in pg.inner_text("body")
        _lock(pg, key)
        locked += 1
        if held:
            D.wait_until(pg, lambda: all(t for t in _held_texts(pg, key)), lambda: f"{key}: held output not shown after the lock",
                         timeout=120.0)
    assert locked == len(keys)
    text = pg.inner_text("body")
    assert raw_output(text) == [], raw_output(text)
    assert log.errors == [], log.errors
    assert D.error_outputs(pg) == []


def test_the_course_has_sixteen_predictions():
    assert sum(len(_predictions(p)) for p in COURSE) == len(exercises.PREDICTIONS) >= 16   # 16 when the issue counted; more since


def test_the_clinic_page_holds_no_answer_key(page, voila_server):
    pg, _log = page
    part = "07_clinic_hamstrings_or_nerve"
    _open(pg, voila_server.url, part)
    for key in _predictions(part):
        _lock(pg, key)
    # what the cells print and show (the prose names the kinds of patient in general, as it should)
    text = "\n".join(pg.eval_on_selector_all(
        ".jp-CodeCell .jp-OutputArea-output",
        "els => els.filter(e => !e.querySelector('.neuralsim-prediction, .neuralsim-exercise')).map(e => e.innerText)"))
    assert "worked example" in text
    for line in text.splitlines():
        for name in [*cases.CASES, *clinic.patients()]:
            if name.casefold() in line.casefold():
                rest = line.casefold().replace(name.casefold(), " ")
                assert not [a for a in cases.ANSWERS if re.search(rf"\b{a}\b", rest)], line
                assert not re.search(r"\b(?:stops?|held) at\b|->", rest), line


def _kernel_status(url: str, kernel: str) -> int:
    try:
        with urllib.request.urlopen(f"{url}api/kernels/{kernel}", timeout=30) as r:
            return r.status
    except urllib.error.HTTPError as e:
        return e.code


def test_a_page_opened_directly_shuts_its_kernel_down_when_closed(chromium, voila_server):
    chromium.clear_cookies()                         # as a student following a link straight to a part
    pg = chromium.new_page()
    seen: list[str] = []
    pg.add_init_script("""
      window.__progress = [];
      new MutationObserver(() => {
        const el = document.getElementById('loading_text');
        if (el && el.textContent && window.__progress.at(-1) !== el.textContent) window.__progress.push(el.textContent);
      }).observe(document, {subtree: true, childList: true, characterData: true});""")
    answers: list[int] = []
    pg.on("response", lambda r: answers.append(r.status) if "voila/api/shutdown/" in r.url else None)
    _open(pg, voila_server.url, "06_front_of_the_thigh")
    seen = pg.evaluate("window.__progress")
    # a warm server can render before the observer sees a step: then the words must at least be in the page
    assert any(re.match(r"Preparing this page: part \d+ of \d+", s) for s in seen) or (
        not seen and "Preparing this page" in pg.content()), seen
    assert "_xsrf" in {c["name"] for c in chromium.cookies()}
    kernel = pg.evaluate("JSON.parse(document.getElementById('jupyter-config-data').textContent).kernelId")
    assert _kernel_status(voila_server.url, kernel) == 200
    pg.close(run_before_unload=True)
    deadline = time.time() + 60
    while _kernel_status(voila_server.url, kernel) != 404 and time.time() < deadline:
        time.sleep(0.5)
    assert _kernel_status(voila_server.url, kernel) == 404, "the kernel of the closed page is still running"
    assert not re.search(r"403 POST /voila/api/shutdown", voila_server.log_text())


PRESENT = {"width": 1024, "height": 768}


def test_presentation_mode_at_1024x768_cuts_no_control(page, voila_server, artifacts):
    """A lecturer's projector: 1024 x 768, the explorer in presentation mode: no button or menu's text cut."""
    pg, log = page
    _open(pg, voila_server.url, "02_slump_test")
    pg.set_viewport_size(PRESENT)
    pg.locator(".neuralsim-explorer").first.scroll_into_view_if_needed()
    pg.get_by_role("button", name="presentation").first.click()
    pg.wait_for_selector(".neuralsim-present", timeout=60_000)
    D.settled(pg)
    pg.screenshot(path=str(artifacts / "course-presentation-1024.png"))
    cut = pg.evaluate("""() => Array.from(document.querySelectorAll('.neuralsim-present button, .neuralsim-present select'))
        .filter(e => e.offsetParent !== null && e.scrollWidth > e.clientWidth + 1)
        .map(e => (e.innerText || e.value || '').trim())""")
    assert cut == [], f"controls whose text is cut at 1024 x 768: {cut}"
    assert log.errors == [], log.errors


def test_zz_contact_sheet_of_every_parts_first_screen(artifacts):
    """One PNG of the eight first screens and presentation mode, for a person to look at (not a check)."""
    from PIL import Image
    shots = [artifacts / f"course-{p[:2]}.png" for p in COURSE] + [artifacts / "course-presentation-1024.png"]
    shots = [s for s in shots if s.exists()]
    if not shots:
        pytest.skip("no screenshots: run the page tests first")
    w, h = 640, 400
    sheet = Image.new("RGB", (3 * w, ((len(shots) + 2) // 3) * h), "white")
    for i, s in enumerate(shots):
        im = Image.open(s).convert("RGB")
        im.thumbnail((w - 8, h - 8))
        sheet.paste(im, ((i % 3) * w + 4, (i // 3) * h + 4))
    sheet.save(artifacts / "course-contact-sheet.png")


def _focus_in_explorer(pg) -> bool:
    return pg.evaluate("() => !!document.activeElement && !!document.activeElement.closest('.neuralsim-explorer')")


def test_the_keys_keep_working_after_the_last_step_and_after_leaving_full_screen(page, voila_server):
    pg, log = page
    _open(pg, voila_server.url, "02_slump_test")
    from neuralsim.model import protocols
    n = len(protocols.ALL["slump"].steps)
    pg.locator(".neuralsim-explorer").first.scroll_into_view_if_needed()
    pg.get_by_role("button", name="presentation").first.click()
    pg.wait_for_selector(".neuralsim-present", timeout=60_000)
    D.settled(pg)
    for k in range(n):
        pg.keyboard.press("n")
        D.wait_until(pg, lambda: D.text_line(pg).startswith(f"Step {k + 1}/"), lambda: f"step {k + 1} not reached")
    pg.wait_for_function("() => document.querySelector('.neuralsim-next').disabled", timeout=60_000)
    D.settled(pg)                                                      # the last step: next is disabled
    assert _focus_in_explorer(pg), "the focus fell out of the explorer at the last step"
    pg.keyboard.press("p")                                             # and the keys still work
    D.wait_until(pg, lambda: D.text_line(pg).startswith(f"Step {n - 1}/"), lambda: "p did nothing after the last step")
    # leaving the browser's full screen (as its own Escape does) leaves presentation mode, focus kept
    entered = pg.evaluate("() => document.fullscreenElement !== null")
    if entered:
        pg.evaluate("() => document.exitFullscreen()")
        pg.wait_for_function("() => !document.querySelector('.neuralsim-present')", timeout=60_000)
        try:                       # the focus is handed back a moment after the layout changes
            pg.wait_for_function("() => !!document.activeElement?.closest('.neuralsim-explorer')", timeout=10_000)
        except Exception:
            pass
        assert _focus_in_explorer(pg), "the focus fell out of the explorer on leaving full screen"
    else:                          # headless Chromium refused full screen: Escape is the way out
        pg.keyboard.press("Escape")
        pg.wait_for_function("() => !document.querySelector('.neuralsim-present')", timeout=60_000)
    assert pg.locator(".neuralsim-controls").first.is_visible()       # the sliders are back
    assert log.errors == [], log.errors
