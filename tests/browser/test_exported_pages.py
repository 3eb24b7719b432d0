"""The exported explorers (``python -m neuralsim export``) in Chromium, from file://, network off.

Every page the command writes is opened from ``file://`` in a context that is offline and aborts
(and records) every request that is not the page's own file or one of its blob: modules. Then:

* no request left the page (0 blocked, 0 offline failures), no console error;
* the picture equals the library's: the figure's elements as the browser holds them (tag, every
  attribute, text, in document order) against ``posture_svg`` of the state the page shows (posture,
  body, view), made here by the library, numbers equal up to one unit of their last digit (as
  tests/test_web_draw.py); and that state is the protocol step's or preset's own posture;
* every step of every protocol the page offers (the protocol menu, the next and previous buttons,
  the keys n and p), every preset, and every joint slider (arrow keys, Page Up, a touch tap on the
  track): each changes the posture as asked, the text line says what changed, and the picture is
  still the library's;
* the link's fragment holds the state: a page opened with it shows the same posture and step;
* presentation mode with f (larger text; the gauges and the key in their large forms, drawn their own
  size, every letter view.svg.LARGE_TYPE_PX or more, on a 1024 x 768 screen), Escape leaves it;
* axe-core (bundled in axe-playwright-python, injected, nothing fetched): no serious or critical
  finding; every slider is named and gives its value with its unit;
* a 1280 x 800 screenshot of each page under artifacts/browser/ (presentation mode at 1024 x 768).
"""
from __future__ import annotations

import inspect
import re
import xml.etree.ElementTree as ET

import pytest

import jupyter_harness as H
from neuralsim.classroom import export
from neuralsim.core.body import Body
from neuralsim.core.posture import Posture
from neuralsim.model.geometry import Pathway
from neuralsim.model.registry import current
from neuralsim.state.states import compute
from neuralsim.view.svg import LARGE_TYPE_PX, LARGE_W_PX, posture_svg

pytestmark = pytest.mark.browser
ARTIFACTS = H.REPO / "artifacts" / "browser"
#: a number written in the SVG (not the digits of a colour such as #0072B2, nor of a name)
NUMBER = re.compile(r"(?<![#\w.])-?\d+(?:\.\d+)?(?:e[+-]?\d+)?(?![\w.])")
IDS = re.compile(r"(ns-[a-z-]*?)\d+")


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    dest = tmp_path_factory.mktemp("exported")
    return {p.stem: p for p in export.export(dest)}


@pytest.fixture
def page(playwright_instance):
    browser = playwright_instance.chromium.launch(executable_path=H.CHROMIUM, args=list(H.CHROMIUM_ARGS), headless=True)
    ctx = browser.new_context(viewport={"width": 1280, "height": 800}, offline=True, has_touch=True)
    seen, blocked, failed, errors = [], [], [], []

    def route(r):
        url = r.request.url
        seen.append(url)
        if url.startswith(("file://", "blob:")):
            r.continue_()
        else:
            blocked.append(url)
            r.abort()
    ctx.route("**/*", route)
    pg = ctx.new_page()
    pg.on("requestfailed", lambda r: failed.append(r.url))
    pg.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.log = {"seen": seen, "blocked": blocked, "failed": failed, "errors": errors}
    yield pg
    ctx.close()
    browser.close()


FIGURE_ELEMENTS = """() => [...document.querySelector('.neuralsim-figure svg').querySelectorAll('*')].map(e =>
  [e.localName, Object.fromEntries([...e.attributes].map(a => [a.name, a.value])),
   (e.localName === 'text' || e.localName === 'title' || e.localName === 'desc') ? e.textContent : ''])"""


def _elements(svg: str) -> list:
    root = ET.fromstring(svg)
    return [[e.tag.split("}")[1], {k.split("}")[-1]: v for k, v in e.attrib.items()}, e.text or ""
             if e.tag.split("}")[1] in ("text", "title", "desc") else ""] for e in root.iter() if e is not root]


def _same(got: list, want: list) -> list[str]:
    """Problems of the page's figure elements against the library's (empty: the same picture)."""
    if len(got) != len(want):
        return [f"{len(got)} elements in the page, {len(want)} in the library"]
    out = []
    for (gt, ga, gx), (wt, wa, wx) in zip(got, want):
        ga = {k: IDS.sub(r"\1", v) for k, v in ga.items() if k != "xmlns"}
        wa = {k: IDS.sub(r"\1", v) for k, v in wa.items()}
        if gt != wt or set(ga) != set(wa):
            out.append(f"<{gt} {sorted(ga)}> in the page, <{wt} {sorted(wa)}> in the library")
            continue
        for k in wa:
            a, b = ga[k], wa[k]
            if NUMBER.split(a) != NUMBER.split(b) or len(NUMBER.findall(a)) != len(NUMBER.findall(b)):
                out.append(f"{wt} {k}: {a[:80]!r} in the page, {b[:80]!r} in the library")
                continue
            for x, y in zip(NUMBER.findall(a), NUMBER.findall(b)):
                unit = 10.0 ** -len(y.split(".")[1]) if "." in y else 1.0
                if x != y and not abs(float(x) - float(y)) <= unit * (1 + 1e-9):
                    out.append(f"{wt} {k}: {x} in the page, {y} in the library")
        if gx != wx:
            out.append(f"{wt} text {gx!r} in the page, {wx!r} in the library")
    return out


#: presentation mode's gauges and key: [drawn width (px), class] of the gauges, the key's drawn width,
#: the smallest type in them (px on the screen) and their lowest edge (px)
PRESENTED = """() => {
  const g = document.querySelector('.neuralsim-gauges-box svg'), k = document.querySelector('.neuralsim-legend-box svg');
  const texts = [...g.querySelectorAll('text'), ...k.querySelectorAll('text')];
  const scale = (svg) => svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
  const px = (t) => parseFloat(getComputedStyle(t).fontSize) * scale(t.ownerSVGElement);
  return {gauges: [Math.round(g.getBoundingClientRect().width), g.getAttribute('class')],
          key: Math.round(k.getBoundingClientRect().width), smallest_px: Math.min(...texts.map(px)),
          bottom: Math.max(g.getBoundingClientRect().bottom, k.getBoundingClientRect().bottom)};
}"""


def _state(pg) -> dict:
    return pg.evaluate("""() => { const s = window.neuralsim.state;
      return {posture: s.posture, height: s.body.height_m, mobility: s.body.mobility, view: s.view, step: s.step,
              protocol: s.protocol, updates: s.updates, text: document.querySelector('p.neuralsim-text').textContent,
              stepText: document.querySelector('.neuralsim-step').textContent, hash: location.hash}; }""")


ARC_STEP = inspect.signature(Pathway.points).parameters["arc_step_deg"].default


def _library_figure(s: dict, ex: dict, step_deg: float | None = None) -> str:
    """The library's figure of the page's state ``s``; ``step_deg``: the arc step its paths are
    drawn with (a joint at an exact multiple of the default step: see tests/test_web_draw.py)."""
    p, b = Posture(**s["posture"]), Body(s["height"], s["mobility"])
    nerve = ex["nerve"]
    st = compute(p, body=b, view=s["view"], structures=[nerve, *ex["drawn"]])
    data = st.drawing
    if step_deg is not None:
        reg = current()
        again = {n: reg.pathway(n, b).points(data["frames"], data["angles"], arc_step_deg=step_deg) for n in data["nerves"]}
        data = {**data, "nerves": again, "nerve": again[nerve],
                "muscles": {m: reg.pathway(m, b).points(data["frames"], data["angles"], arc_step_deg=step_deg)
                            for m in data["muscles"]}}
    gauged = ex["gauged"]
    numbers = {"bed_mm": st.lengths_mm[nerve], "relative_bed": st.lengths_mm[nerve] / st.reference_mm[nerve],
               "muscles_mm": {m: st.lengths_mm[m] for m in gauged}}
    return posture_svg(p, b, s["view"], strain=None, data=data, height_px=ex["height_px"], numbers=numbers,
                       legend=False, nerve=nerve)


def _check_picture(pg, ex: dict, where: str) -> dict:
    s = _state(pg)
    got = pg.evaluate(FIGURE_ELEMENTS)
    problems = _same(got, _elements(_library_figure(s, ex)))
    if problems and any(a != 0 and abs(a / ARC_STEP - round(a / ARC_STEP)) < 1e-9 for a in s["posture"].values()):
        for nudged in (ARC_STEP * (1 - 1e-12), ARC_STEP * (1 + 1e-12)):
            if not _same(got, _elements(_library_figure(s, ex, nudged))):
                return s
    # a leader at the other of two tied path points (tests/test_web_draw.py): the labels by name only
    if problems and all(p.startswith(("polyline points", "circle c", "text x", "text y", "text text-anchor"))
                        for p in problems):
        cut = next(i for i, e in enumerate(got) if e[1].get("class") == "neuralsim-labels")
        want = _elements(_library_figure(s, ex))
        assert [e[2] for e in got[cut:]] == [e[2] for e in want[cut:]], where
        problems = _same(got[:cut], want[:cut])
    assert not problems, f"{where}: " + "; ".join(problems[:5])
    return s


def _open(pg, path, fragment: str = "") -> None:
    pg.goto(path.as_uri() + fragment)
    pg.wait_for_selector("[data-ready=true]", timeout=30_000)


def _wait_updates(pg, n: int) -> None:
    pg.wait_for_function("n => window.neuralsim.state.updates > n", arg=n, timeout=10_000)


def axe_serious(pg) -> list:
    from axe_playwright_python.sync_playwright import Axe
    result = Axe().run(pg, context=".neuralsim-explorer")
    bad = [v for v in result.response["violations"] if v.get("impact") in ("serious", "critical")]
    return [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3]) for v in bad]


@pytest.mark.parametrize("name", list(export.EXPLORERS))
def test_exported_page(page, pages, name):
    pg = page
    ex = export.page_data(name)["explorer"]
    _open(pg, pages[name])
    assert pg.locator(".neuralsim-figure svg.neuralsim-posture").count() == 1
    _check_picture(pg, ex, f"{name}: start")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)

    # every protocol's every step: the menu, next to the end, previous once; keys n and p
    for key, proto in ex["protocols"].items():
        if _state(pg)["protocol"] != key:
            n = _state(pg)["updates"]
            pg.select_option("select.neuralsim-protocol", key)
            _wait_updates(pg, n)
            assert f"Protocol '{proto['title']}' chosen" in _state(pg)["text"]
        for k, (step_name, angles) in enumerate(proto["steps"]):
            n = _state(pg)["updates"]
            if k % 2:
                pg.keyboard.press("n")
            else:
                pg.click("button.neuralsim-next")
            _wait_updates(pg, n)
            s = _check_picture(pg, ex, f"{name}: {key} step {k + 1}")
            assert s["step"] == k and f"Step {k + 1}/{len(proto['steps'])} '{step_name}'" in s["text"]
            assert f"step {k + 1} of {len(proto['steps'])}" in s["stepText"]
            assert all(abs(s["posture"][j] - a) < 1e-9 for j, a in angles.items()), (key, k, s["posture"])
        assert pg.locator("button.neuralsim-next").is_disabled()
        n = _state(pg)["updates"]
        pg.keyboard.press("p")
        _wait_updates(pg, n)
        assert _state(pg)["step"] == len(proto["steps"]) - 2 or len(proto["steps"]) == 1
        if key == ex["protocol"]:
            pg.screenshot(path=str(ARTIFACTS / f"exported-{name}-1280x800.png"))

    # the link holds the state: open the page again with it (the page writes the fragment once the
    # keys rest, 150 ms after the last: keys pressed faster leave it behind until then)
    pg.wait_for_function("""() => { const s = window.neuralsim.state, q = new URLSearchParams(location.hash.slice(1));
        return q.get('protocol') === s.protocol && Number(q.get('step')) === s.step + 1; }""", timeout=10_000)
    s = _state(pg)
    _open(pg, pages[name], s["hash"])
    again = _state(pg)
    assert (again["protocol"], again["step"], again["view"]) == (s["protocol"], s["step"], s["view"])
    assert all(abs(again["posture"][j] - s["posture"][j]) < 0.051 for j in s["posture"])

    # every preset
    for label, angles in ex["presets"]:
        n = _state(pg)["updates"]
        pg.get_by_role("button", name=label, exact=True).click()
        _wait_updates(pg, n)
        s = _check_picture(pg, ex, f"{name}: preset {label}")
        assert f"Preset '{label}'" in s["text"]
        assert all(abs(s["posture"][j] - min(max(a, _range(pg, j)[0]), _range(pg, j)[1])) < 1e-9
                   for j, a in angles.items())

    # every slider: named with its value and unit; arrows, Page Up, a tap on the track
    n = _state(pg)["updates"]
    pg.click("button.neuralsim-reset")
    _wait_updates(pg, n)
    for j in _state(pg)["posture"]:
        slider = pg.locator(f"input.neuralsim-slider-{j}")
        label = pg.locator(f"label[for=ns-slider-{j}]").text_content()
        lo, hi = _range(pg, j)
        key = "ArrowRight" if hi >= 1 else "ArrowLeft"
        n = _state(pg)["updates"]
        slider.focus()
        pg.keyboard.press(key)
        _wait_updates(pg, n)
        s = _state(pg)
        want = 1.0 if key == "ArrowRight" else -1.0
        assert s["posture"][j] == want, (j, s["posture"][j])
        assert slider.get_attribute("aria-valuetext") == f"{want:g} degrees" and "(deg)" in label
        assert f"to {want:g}°" in s["text"], s["text"]
        _check_picture(pg, ex, f"{name}: {j} {want:g}")
        if hi >= 6:
            n = s["updates"]
            pg.keyboard.press("PageUp")
            _wait_updates(pg, n)
            assert _state(pg)["posture"][j] == want + 5.0
        box = slider.bounding_box()
        n = _state(pg)["updates"]
        pg.touchscreen.tap(box["x"] + 0.9 * box["width"], box["y"] + box["height"] / 2)
        _wait_updates(pg, n)
        tapped = _state(pg)["posture"][j]
        assert tapped > lo + 0.5 * (hi - lo), (j, tapped, lo, hi)
        _check_picture(pg, ex, f"{name}: {j} tapped to {tapped:g}")
    height = pg.locator("input.neuralsim-height")
    assert height.get_attribute("aria-valuetext") == "1.75 metres"
    n = _state(pg)["updates"]
    height.focus()
    pg.keyboard.press("ArrowRight")
    _wait_updates(pg, n)
    s = _state(pg)
    assert s["height"] == 1.76 and "Height 1.76 m" in s["text"]
    _check_picture(pg, ex, f"{name}: 1.76 m")
    n = s["updates"]
    pg.check("#ns-mobility-hypomobile")
    _wait_updates(pg, n)
    s = _check_picture(pg, ex, f"{name}: hypomobile")
    assert s["mobility"] == "hypomobile" and "Mobility 'hypomobile'" in s["text"]

    assert axe_serious(pg) == [], f"{name}: axe-core serious or critical findings"

    # presentation mode: f, larger type; Escape leaves
    pg.set_viewport_size({"width": 1024, "height": 768})
    pg.locator("body").focus()
    pg.keyboard.press("f")
    pg.wait_for_function("() => document.querySelector('.neuralsim-explorer').classList.contains('neuralsim-present')")
    size = pg.evaluate("() => parseFloat(getComputedStyle(document.querySelector('p.neuralsim-text')).fontSize)")
    assert size >= 22
    # the gauges and the key in their large forms, as the notebook's explorer draws them projected:
    # drawn their own size (LARGE_W_PX wide), every letter LARGE_TYPE_PX or more, on the screen
    big = pg.evaluate(PRESENTED)
    assert big["gauges"] == [LARGE_W_PX, "neuralsim-gauges-large"] and big["key"] == LARGE_W_PX, (name, big)
    assert big["smallest_px"] >= LARGE_TYPE_PX and big["bottom"] <= 768, (name, big)
    pg.screenshot(path=str(ARTIFACTS / f"exported-{name}-presentation-1024x768.png"))
    # and so at every step of the protocol shown, back to its first with p, then on with n (a longer
    # step name pushes them down)
    last = len(ex["protocols"][_state(pg)["protocol"]]["steps"]) - 1

    def press(key: str) -> int:
        n = _state(pg)["updates"]
        pg.keyboard.press(key)
        _wait_updates(pg, n)
        return _state(pg)["step"]

    while _state(pg)["step"] > 0:
        press("p")
    seen = [_state(pg)["step"] if _state(pg)["step"] == 0 else press("n")]
    while True:
        big = pg.evaluate(PRESENTED)
        assert big["gauges"][1] == "neuralsim-gauges-large" and big["bottom"] <= 768, (name, seen[-1], big)
        if seen[-1] == last:
            break
        seen.append(press("n"))
    assert seen == list(range(last + 1)), (name, seen)
    pg.keyboard.press("Escape")
    pg.wait_for_function("() => !document.querySelector('.neuralsim-explorer').classList.contains('neuralsim-present')")
    assert pg.evaluate("() => [...document.querySelectorAll('.neuralsim-gauges-box svg')].map((e) => e.getAttribute('class'))"
                       ) == ["neuralsim-gauges"], name

    log = pg.log
    assert log["blocked"] == [] and log["failed"] == [], log
    assert all(u.startswith("blob:") or u == pages[name].as_uri() or u.startswith(pages[name].as_uri() + "#")
               for u in log["seen"]), log["seen"]
    assert log["errors"] == [], log["errors"]


def _range(pg, joint: str) -> tuple[float, float]:
    s = pg.locator(f"input.neuralsim-slider-{joint}")
    return float(s.get_attribute("min")), float(s.get_attribute("max"))


def test_the_comparison_sees_a_changed_picture():
    svg = ('<svg xmlns="http://www.w3.org/2000/svg"><polyline points="1.5,2 3,4" stroke="#000"/>'
           '<text x="3">SM</text></svg>')
    want = _elements(svg)
    assert _same(want, want) == []
    assert _same(_elements(svg.replace("1.5,", "1.6,")), want) == []        # one last digit
    assert _same(_elements(svg.replace("1.5,", "1.8,")), want)
    assert _same(_elements(svg.replace(">SM<", ">ST<")), want)
    assert _same(_elements(svg.replace('stroke="#000"', 'stroke="#001"')), want)
