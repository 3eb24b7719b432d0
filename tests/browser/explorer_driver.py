"""Drive the neuralsim explorer in a page (JupyterLab or Voila) and check it.

The explorer's DOM hooks (set by :mod:`neuralsim.classroom.widgets`): ``neuralsim-slider-<joint>``
on each joint slider, ``neuralsim-figure`` on the live SVG, ``neuralsim-text`` on
the text line, ``neuralsim-preset`` on preset buttons and ``neuralsim-next`` /
``neuralsim-prev`` on the protocol step buttons.  When a notebook shows several
explorers, the first one in the page is driven.

Every check compares the page with numbers computed here, in the test process,
by the library: the posture is read back from the sliders' ARIA values, and
the text line must show that posture's bed-length change (mm) and relative
change (%) as :func:`neuralsim.nerve_bed_length` gives them.
"""
from __future__ import annotations

import re
import time
from pathlib import Path

import neuralsim as ns

# A number with an optional sign (ASCII or Unicode minus) and decimals.
_NUM = r"([+\-\u2212]?\d+(?:\.\d+)?)"


def _num(s: str) -> float:
    return float(s.replace("\u2212", "-"))


def read_posture(page) -> dict:
    """joint -> degrees, from the first explorer's slider handles (aria-valuenow)."""
    values = page.evaluate(
        """(joints) => { const out = {};
            for (const j of joints) {
              const h = document.querySelector(`.neuralsim-slider-${j} .noUi-handle`);
              if (h) out[j] = parseFloat(h.getAttribute('aria-valuenow'));
            }
            return out; }""", list(ns.JOINTS))
    return values


def text_line(page) -> str:
    """The first explorer's text line, read from the DOM (textContent, whitespace collapsed).

    Not ``innerText``: JupyterLab skips rendering cells outside the viewport
    (content-visibility), and there ``innerText`` is empty although the line is in the page.
    """
    return page.locator(".neuralsim-text").first.evaluate(
        "e => e.textContent.replace(/\\s+/g, ' ').trim()")


def figure_html(page) -> str:
    return page.locator(".neuralsim-figure").first.inner_html()


def _group_words(nerve: str) -> str:
    """How the text line names the muscles a nerve is told apart from: the group ("hamstrings"),
    or the muscle's own name when the group has one muscle ("rectus femoris")."""
    group = ns.NERVES[nerve].contrast
    members = [m for m, spec in ns.MUSCLES.items() if spec.group == group]
    return group if len(members) != 1 else ns.MUSCLES[members[0]].label


def _bed(angles: dict, nerve: str = "sciatic") -> float:
    return float(ns.nerve_bed_length(ns.Posture(**angles), nerve))


def _contrast(angles: dict, nerve: str = "sciatic") -> float:
    """Mean length (mm) of the muscles of the nerve's contrast group (the hamstrings for the sciatic)."""
    p = ns.Posture(**angles)
    group = ns.NERVES[nerve].contrast
    members = [m for m, spec in ns.MUSCLES.items() if spec.group == group]
    return sum(float(ns.muscle_length(p, m)) for m in members) / len(members)


_LINE = re.compile(
    r"nerve bed\s*" + _NUM + r"\s*mm\s*\(" + _NUM + r"\s*%\);\s*(?P<group>[a-z][a-z ]*?)\s*" + _NUM + r"\s*mm\."
    r"\s*Bed now\s*" + _NUM + r"\s*mm,\s*" + _NUM + r"\s*% against standing"
    r"(?:;\s*peak nerve strain\s*" + _NUM + r"\s*%)?")


def text_numbers(text: str) -> dict | None:
    """The numbers of the explorer's text line, or None if it has another form.

    The line reads "<what> → nerve bed +N mm (+P %); <muscles> +H mm. Bed now B mm,
    +R % against standing[; peak nerve strain S %]."  N, P and H are changes since
    the previous state; B and R describe the posture shown; <muscles> names what the nerve
    is told apart from ("hamstrings" for the sciatic nerve, "rectus femoris" for the femoral);
    ``nerve`` is the nerve whose contrast those words name.
    """
    m = _LINE.search(text)
    if not m:
        return None
    g = [None if x is None else _num(x) for i, x in enumerate(m.groups()) if i != 2]
    out = dict(zip(("d_mm", "d_pct", "ham_mm", "bed_mm", "rel_pct", "peak_pct"), g))
    words = m.group("group")
    out["nerve"] = next((n for n in ns.NERVES if _group_words(n) == words), None)
    out["group"] = words
    return out


def check_line(text: str, angles: dict, prev: dict | None = None) -> list[str]:
    """Differences between the text line and the library for ``angles`` (after ``prev``)."""
    got = text_numbers(text)
    if got is None:
        return [f"the text line {text!r} does not read 'nerve bed ... Bed now ... against standing'"]
    nerve = got["nerve"]
    if nerve is None:
        return [f"the text line names {got['group']!r}, the contrast of no nerve of neuralsim.NERVES"]
    bed, ref = _bed(angles, nerve), float(ns.nerve_bed_length(ns.REFERENCE, nerve))
    want = {"bed_mm": (bed, 0.5), "rel_pct": (100.0 * (bed / ref - 1.0), 0.05)}
    if prev is not None:
        b0 = _bed(prev, nerve)
        want["d_mm"] = (bed - b0, 0.5)
        want["d_pct"] = (100.0 * (bed - b0) / b0, 0.05)
        want["ham_mm"] = (_contrast(angles, nerve) - _contrast(prev, nerve), 0.5)
    bad = []
    if got["peak_pct"] is not None and not ns.NERVES[nerve].mechanics:
        bad.append(f"a peak strain is shown for the {nerve} nerve, which the mechanics does not model")
    elif got["peak_pct"] is not None:
        want["peak_pct"] = (float(ns.nerve_mechanics(ns.Posture(**angles)).peak_nerve_in_situ_strain_pct), 0.05)
    for key, (value, tol) in want.items():
        if abs(got[key] - value) > tol + 1e-6:
            bad.append(f"{key}: shown {got[key]:g}, library {value:.3f}")
    return bad


def consistent(page, prev: dict | None = None) -> tuple[bool, str]:
    """Does the text line show the library's numbers for the sliders' posture?"""
    angles = read_posture(page)
    if len(angles) != len(ns.JOINTS):
        return False, f"sliders found for {sorted(angles)} only"
    text = text_line(page)
    bad = check_line(text, angles, prev)
    return not bad, f"{'; '.join(bad)} (sliders {angles}, text {text!r})"


def next_frames(page, n: int = 1) -> None:
    """Return after the page has drawn ``n`` more frames (its own pace: slower on a loaded machine)."""
    page.evaluate("""(n) => new Promise(done => { const f = (k) => k ? requestAnimationFrame(() => f(k - 1)) : done();
                                                   f(n); })""", n)


#: True once nothing in any explorer of the page has changed for ``frames`` frames (called once a frame)
_QUIET = """(frames) => {
  let q = window.__nsQuiet;
  if (!q) {
    q = window.__nsQuiet = {frames: 0, mo: new MutationObserver(() => { q.frames = 0; })};
    for (const r of document.querySelectorAll('.neuralsim-explorer, .neuralsim-patient-explorer'))
      q.mo.observe(r, {subtree: true, childList: true, attributes: true, characterData: true});
  }
  if (++q.frames < frames) return false;
  q.mo.disconnect(); window.__nsQuiet = null;
  return true;
}"""


def settled(page, frames: int = 5, timeout: float = 60.0) -> None:
    """Wait until the explorers' DOM has not changed for ``frames`` frames in a row: the layout
    (the helper refits the figure from a ResizeObserver) and the last message applied."""
    page.evaluate("() => { if (window.__nsQuiet) window.__nsQuiet.mo.disconnect(); window.__nsQuiet = null; }")
    page.wait_for_function(_QUIET, arg=frames, polling="raf", timeout=timeout * 1000)


def wait_consistent(page, prev: dict | None = None, timeout: float = 60.0, frames: int = 10) -> str:
    """Wait until the text line matches the sliders and nothing changes for ``frames`` frames."""
    deadline = time.monotonic() + timeout
    last, same, why = None, 0, ""
    while time.monotonic() < deadline:
        ok, why = consistent(page, prev)
        snap = (text_line(page), figure_html(page), tuple(sorted(read_posture(page).items())))
        same = same + 1 if snap == last else 0
        last = snap
        if ok and same >= frames:
            return snap[0]
        next_frames(page)
    raise AssertionError(f"explorer did not settle on the library's numbers within {timeout} s: {why}")


def slider_handle(page, joint: str):
    return page.locator(f".neuralsim-slider-{joint} .noUi-handle").first


def press_keys(page, joint: str, key: str, n: int, wait_each: bool = True) -> None:
    handle = slider_handle(page, joint)
    handle.focus()
    for _ in range(n):
        before = read_posture(page)
        page.keyboard.press(key)
        if wait_each:
            wait_consistent(page, prev=before)


def drag(page, joint: str, dx: float) -> None:
    """Drag the joint's slider handle by ``dx`` pixels with the mouse."""
    handle = slider_handle(page, joint)
    handle.scroll_into_view_if_needed()
    box = handle.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + dx, y, steps=8)
    page.mouse.up()


def close(a: dict, b, tol: float = 0.51) -> bool:
    return all(abs(a[j] - float(getattr(b, j))) <= tol for j in ns.JOINTS)


def explorer_box(page):
    """The element holding the first explorer (figure, sliders and text line)."""
    return page.evaluate_handle(
        """() => { let e = document.querySelector('.neuralsim-figure');
            while (e && !(e.querySelector('.neuralsim-text') && e.querySelector('.noUi-handle'))) e = e.parentElement;
            return e; }""")


def non_blank(png: Path) -> tuple[bool, str]:
    """A screenshot shows something: many colours and >2 % of pixels off the background."""
    from PIL import Image

    im = Image.open(png).convert("RGB")
    w, h = im.size
    colours = im.getcolors(maxcolors=w * h)
    background = max(colours)[0]
    off = 1.0 - background / (w * h)
    ok = len(colours) >= 16 and off >= 0.02 and w >= 200 and h >= 150
    return ok, f"{png.name}: {w}x{h} px, {len(colours)} colours, {100 * off:.1f} % off the background"


def error_outputs(page) -> list[str]:
    """Text of error/stderr outputs shown in the page's output areas."""
    return page.evaluate(
        """() => Array.from(document.querySelectorAll(
              '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"],'
              + '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.error"]'))
            .map(e => e.innerText.slice(0, 1000))""")


def exercise(page, log) -> dict:
    """Keyboard, mouse, preset, protocol step and fast input; return what was seen."""
    seen = {}
    wait_consistent(page)
    fig0 = figure_html(page)
    assert "<svg" in fig0, "the figure holds no SVG"

    # Keyboard: three 1-degree steps on the knee slider, each one checked.
    start = read_posture(page)["knee_flexion"]
    key, sign = ("ArrowLeft", -1) if start >= 0 else ("ArrowRight", +1)
    press_keys(page, "knee_flexion", key, 3)
    after_keys = read_posture(page)["knee_flexion"]
    assert after_keys == start + 3 * sign, f"3 x {key} moved the knee slider {start} -> {after_keys}"
    fig1 = figure_html(page)
    assert fig1 != fig0, "the figure did not change after key presses"
    seen["keyboard"] = (start, after_keys, text_line(page))

    # Mouse: drag the hip slider's handle to the right.
    hip0 = read_posture(page)["hip_flexion"]
    drag(page, "hip_flexion", 40 if hip0 < 60 else -40)
    wait_consistent(page)
    hip1 = read_posture(page)["hip_flexion"]
    assert abs(hip1 - hip0) >= 5, f"dragging by 40 px moved hip flexion {hip0} -> {hip1} only"
    fig2 = figure_html(page)
    assert fig2 != fig1, "the figure did not change after the mouse drag"
    seen["mouse"] = (hip0, hip1, text_line(page))

    # Preset: a button labelled with a named posture of the library sets exactly that posture.
    labels = [t.strip() for t in page.locator(".neuralsim-preset").all_inner_texts()]
    assert labels, "no preset buttons (.neuralsim-preset)"
    now = read_posture(page)
    pick = next(((i, k) for i, k in enumerate(labels)
                 if k in ns.protocols.POSTURES and not close(now, ns.protocols.POSTURES[k])), None)
    assert pick, f"no preset button whose label is a posture of neuralsim.model.protocols.POSTURES: {labels}"
    target = ns.protocols.POSTURES[pick[1]]
    page.locator(".neuralsim-preset").nth(pick[0]).click()
    wait_until(page, lambda: close(read_posture(page), target),
              lambda: f"preset {pick[1]!r} set {read_posture(page)}, library says {target}")
    wait_consistent(page, prev=now)
    fig3 = figure_html(page)
    assert fig3 != fig2, "the figure did not change after the preset"
    seen["preset"] = (pick[1], text_line(page))

    # Protocol step: "next" moves to the step the step label names, of the protocol selected.
    now = read_posture(page)
    title = page.evaluate("""() => { const s = document.querySelector('.neuralsim-protocol select');
                                     return s ? s.options[s.selectedIndex].text : null; }""")
    title = (title or "").replace("\xa0", " ")  # ipywidgets shows option labels with no-break spaces
    key = next((k for k, v in ns.protocols.ALL.items() if v.title == title), None)
    assert key, f"the protocol menu shows {title!r}, not a title of neuralsim.model.protocols.ALL"
    label0 = page.locator(".neuralsim-step").first.inner_text()
    page.locator(".neuralsim-next").first.click()
    wait_until(page, lambda: page.locator(".neuralsim-step").first.inner_text() != label0,
              lambda: f"the step label stayed {label0!r} after 'next'")
    label = page.locator(".neuralsim-step").first.inner_text()
    m = re.search(r"step (\d+) of (\d+)", label)
    assert m, f"step label {label!r} names no step"
    k, n = int(m.group(1)), int(m.group(2))
    steps = ns.protocols.ALL[key].steps
    assert n == len(steps) and steps[k - 1].name in label, (label, [s.name for s in steps])
    wait_until(page, lambda: close(read_posture(page), steps[k - 1].posture),
              lambda: f"step {k} of {key!r} should set {steps[k - 1].posture}, sliders at {read_posture(page)}")
    wait_consistent(page, prev=now)
    fig4 = figure_html(page)
    if not close(now, steps[k - 1].posture):
        assert fig4 != fig3, "the figure did not change after the protocol step"
    seen["step"] = (key, k, text_line(page))

    # Fast input: 15 key presses without waiting; the last value must win.
    k0 = read_posture(page)["knee_flexion"]
    press_keys(page, "knee_flexion", "ArrowLeft" if k0 > 60 else "ArrowRight", 15, wait_each=False)
    log.traffic.wait_answered(page)                 # the kernel has answered every press
    wait_consistent(page)
    k1 = read_posture(page)["knee_flexion"]
    assert abs(k1 - k0) >= 14.5, f"15 fast key presses moved the knee slider {k0} -> {k1} only"
    seen["fast"] = (k0, k1, text_line(page))
    return seen


def wait_until(page, pred, message, timeout: float = 60.0) -> None:
    """Wait until ``pred()`` holds, checked once a frame of the page; ``message()`` says what did not happen."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if pred():
            return
        next_frames(page)
    raise AssertionError(message())
