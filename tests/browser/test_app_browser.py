"""The Voila app as a student meets it, in Chromium at 1280x800.

* the landing page is a course map (order, title, time, what you will do) with
  links that open each notebook, and fetches nothing off the machine;
* teacher material is not served: ``/voila/render/teacher/...`` is 404;
* an exercise is answered through its widget (typed with a Unicode minus and a
  decimal comma, then a sign slip) and gets the checker's feedback;
* a prediction is entered, locked (the input is disabled) and then revealed
  against the model's number, computed here with the library.

Screenshots of the landing page and of an answered exercise go to
artifacts/browser/.
"""
from __future__ import annotations

import re
import urllib.error
import urllib.request

import pytest

import explorer_driver as D
import jupyter_harness as H

pytestmark = pytest.mark.browser

VIEW = {"width": 1280, "height": 800}
SLUMP = "02_slump_test.ipynb"


def _status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=30) as r:
            return r.status
    except urllib.error.HTTPError as e:
        return e.code


def _course_map():
    """(file, title, minutes) of every part of the course map in the app's template."""
    import sys
    sys.path.insert(0, str(H.REPO / "tests"))
    from test_app_meta import course_map
    return course_map()


def test_landing_page_is_a_course_map(page, voila_server, chromium, artifacts):
    pg, log = page
    pg.set_viewport_size(VIEW)
    pg.goto(voila_server.url, wait_until="networkidle")
    parts = pg.locator("#course-map li.step")
    expected = _course_map()
    assert parts.count() == len(expected) == 8
    for i, (file, title, minutes) in enumerate(expected):
        part = parts.nth(i)
        link = part.locator("a.title")
        assert link.inner_text().strip() == title
        assert link.get_attribute("aria-label") == f"Part {i + 1}: {title}"
        assert part.locator(".num").inner_text().strip() == str(i + 1)
        assert link.get_attribute("href").endswith(f"voila/render/{file}")
        assert part.locator(".time").inner_text().strip() == f"about {minutes} min"
        assert len(part.locator(".do").inner_text()) > 40          # what you will do, in a sentence
    body = pg.inner_text("body")
    assert ".ipynb" not in body and "teacher" not in body.lower()
    total = sum(m for _, _, m in expected)
    assert f"{len(expected)} parts, about {total // 60} h {total % 60} min in all" in body
    # the first two parts and the start of the third are on screen without scrolling
    box = parts.nth(1).bounding_box()
    assert box is not None and box["y"] + box["height"] <= VIEW["height"]
    pg.screenshot(path=str(artifacts / "voila-landing.png"))
    ok, why = D.non_blank(artifacts / "voila-landing.png")
    assert ok, why
    html = pg.content()
    assert "cdn.jsdelivr.net" not in html and "unpkg.com" not in html
    assert log.errors == [], log.errors
    assert chromium.network_guard.blocked == [], chromium.network_guard.blocked
    # a link opens its notebook
    with pg.expect_navigation():
        parts.nth(0).locator("a.title").click()
    assert pg.url.endswith("voila/render/00_start_here.ipynb")


@pytest.mark.parametrize("path", ["voila/render/teacher/solutions.ipynb", "voila/tree/teacher",
                                  "voila/render/../teacher/solutions.ipynb", "voila/files/teacher/solutions.ipynb",
                                  "voila/render/%2E%2E/teacher/solutions.ipynb"])
def test_teacher_material_is_not_served(voila_server, path):
    # Voila's file route answers 403 for any .ipynb; every other route 404: the notebook is not there
    assert _status(voila_server.url + path) == (403 if "/files/" in path else 404)
    assert _status(voila_server.url + f"voila/render/{SLUMP}") == 200     # the app itself is up


def _open_slump(pg, voila_server):
    pg.set_viewport_size(VIEW)
    pg.goto(f"{voila_server.url}voila/render/{SLUMP}", wait_until="domcontentloaded")
    pg.wait_for_selector(".neuralsim-exercise-slump_look_up_mm input", timeout=180_000)


def test_exercise_answered_through_its_widget(page, voila_server, artifacts):
    from neuralsim.teaching import exercises
    pg, log = page
    _open_slump(pg, voila_server)
    assert "replace None" not in pg.inner_text("body").lower()
    box = pg.locator(".neuralsim-exercise-slump_look_up_mm")
    box.scroll_into_view_if_needed()
    feedback = box.locator(".neuralsim-feedback")
    # a sign slip first: the hint is about the sign, and the number is not given away
    box.locator("input").fill("22,7")
    box.get_by_role("button", name="Check").click()
    feedback.wait_for(timeout=60_000)
    text = feedback.inner_text()
    assert feedback.get_attribute("data-correct") == "false" and "sign" in text and "22.7" not in text
    # then the natural form of the right answer: Unicode minus, decimal comma, unit
    box.locator("input").fill("\u221222,7 mm")
    box.get_by_role("button", name="Check").click()
    pg.wait_for_function(
        "() => document.querySelector('.neuralsim-exercise-slump_look_up_mm .neuralsim-feedback')"
        "?.dataset.correct === 'true'", timeout=60_000)
    text = feedback.inner_text()
    assert text.startswith("Right.") and "because" in text
    assert exercises.check("slump_look_up_mm", "\u221222,7 mm").correct          # the same checker
    # a choice: pick a radio button by its label
    choice = pg.locator(".neuralsim-exercise-slump_biggest_step")
    choice.scroll_into_view_if_needed()
    choice.get_by_text("look down", exact=True).click()
    choice.get_by_role("button", name="Check").click()
    choice.locator(".neuralsim-feedback").wait_for(timeout=60_000)
    assert choice.locator(".neuralsim-feedback").get_attribute("data-correct") == "false"
    box.scroll_into_view_if_needed()
    path = artifacts / "voila-exercise-answered.png"
    box.screenshot(path=str(path))
    ok, why = D.non_blank(path)
    assert ok, why
    assert log.errors == [], log.errors
    assert D.error_outputs(pg) == []


def test_prediction_locks_then_reveals(page, voila_server, artifacts):
    from neuralsim.state import analysis
    from neuralsim.model import protocols
    pg, log = page
    _open_slump(pg, voila_server)
    box = pg.locator(".neuralsim-prediction-predict_look_up")
    box.scroll_into_view_if_needed()
    show = box.get_by_role("button", name="Show the model")
    assert show.is_disabled()                               # nothing to reveal before a prediction
    assert "The model" not in box.inner_text()
    box.locator("input").fill("-10 mm")
    box.get_by_role("button", name="Lock my prediction").click()
    pg.wait_for_function(
        "() => document.querySelector('.neuralsim-prediction-predict_look_up input')?.disabled === true",
        timeout=60_000)
    box.locator(".neuralsim-locked").wait_for(timeout=60_000)
    assert "Locked: you predicted" in box.inner_text() and "The model" not in box.inner_text()
    show.click()
    box.locator(".neuralsim-feedback").wait_for(timeout=60_000)
    text = box.locator(".neuralsim-feedback").inner_text()
    model = analysis.neck_differentiation(protocols.SLUMP_SEED[4].posture, 45, -40)["nerve_mm"]
    assert -23.5 < model < -22.0
    assert f"The model: \u2212{abs(model):.1f} mm" in text and "differs from your prediction" in text
    assert re.search(r"You predicted: \u221210\.0 mm", text)
    assert box.locator("input").is_disabled()              # still locked after the reveal
    box.screenshot(path=str(artifacts / "voila-prediction-revealed.png"))
    assert log.errors == [], log.errors


def test_exercise_and_prediction_in_jupyterlab(page, lab_server, artifacts):
    """The same widgets in JupyterLab: type, check, lock, reveal, without editing a cell."""
    import jupyter_harness as H
    pg, log = page
    pg.set_viewport_size(VIEW)
    H.open_in_lab_and_run_all(pg, lab_server.url, SLUMP, timeout_ms=90_000)
    box = pg.locator(".neuralsim-exercise-slump_look_up_hamstrings")
    box.wait_for(timeout=180_000)
    box.scroll_into_view_if_needed()
    # the hamstrings (mean of three) since the start: the knee straightened from 90 deg on the way;
    # each loses d x (pi/2 + 0.2 x (5/9) x (1 - cos 162 deg)) = 1.7876 d on the moment-arm curve
    # (peak 50 deg, gain 0.2), d = 30, 45, 20 mm: 1.7876 x 95 / 3 = 56.6 mm
    rows_since_start = "56.6"
    box.locator("input").fill(rows_since_start)
    box.get_by_role("button", name="Check").click()
    box.locator(".neuralsim-feedback").wait_for(timeout=60_000)
    assert "since the start" in box.locator(".neuralsim-feedback").inner_text()
    box.locator("input").fill("0 mm")
    box.get_by_role("button", name="Check").click()
    pg.wait_for_function(
        "() => document.querySelector('.neuralsim-exercise-slump_look_up_hamstrings .neuralsim-feedback')"
        "?.dataset.correct === 'true'", timeout=60_000)
    pred = pg.locator(".neuralsim-prediction-predict_slump_step")
    pred.scroll_into_view_if_needed()
    # the strip, the step table and the bars under the prompt are held back until the lock
    held = pg.locator(".neuralsim-after-lock-predict_slump_step")
    assert held.count() == 3
    assert all(t.strip() == "" for t in held.all_inner_texts())
    pred.get_by_text("extend one knee", exact=True).click()
    pred.get_by_role("button", name="Lock my prediction").click()
    pg.wait_for_function("() => Array.from(document.querySelectorAll('.neuralsim-after-lock-predict_slump_step'))"
                         ".every(e => e.innerText.trim() || e.querySelector('img, svg'))", timeout=60_000)
    assert "extend one knee" in held.nth(1).inner_text()        # the step table, shown after the lock
    pred.get_by_role("button", name="Show the model").click()
    pred.locator(".neuralsim-feedback").wait_for(timeout=60_000)
    text = pred.locator(".neuralsim-feedback").inner_text()
    assert text.startswith("Agrees.") and "The model: extend one knee" in text
    assert pred.locator("input[type=radio]").first.is_disabled()
    box.screenshot(path=str(artifacts / "lab-exercise-answered.png"))
    assert log.errors == [], log.errors
