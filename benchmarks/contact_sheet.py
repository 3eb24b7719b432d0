"""Contact sheets: every protocol step of the slump test, the straight-leg raise, the glides and the
femoral nerve's tests (prone knee bend, side-lying slump knee bend), drawn at projector size and photographed in Chromium (``make contact-sheet``).

Each sheet is one PNG in ``artifacts/contact-sheet/`` (1280 px wide, one figure per step as the
explorer draws it: view, support, strain halo, labels and key), for a teacher to check every
picture before class.  Beside them, ``exported-<name>-step-<k>.png``: every page of
``python -m neuralsim export`` opened from ``file://`` at 1280 x 800 at each step of its first
protocol, as a student sees it without a server.  Needs Debian's Chromium (``/usr/bin/chromium``)
and Playwright.
"""
from __future__ import annotations

import argparse
import sys
from html import escape
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "browser"))

from neuralsim.model import protocols
from neuralsim.classroom import figures  # noqa: E402
from neuralsim.state.analysis import step_table  # noqa: E402

#: The protocols on the sheets (the slump test, the straight-leg raise, the glides).
SHEETS = ("slump", "slump_classic", "slr", "sciatic_glide", "sciatic_slider", "sciatic_tensioner",
          "sciatic_knee_only", "prone_knee_bend", "slump_knee_bend")


def sheet_html(key: str, height_px: int = 360) -> str:
    proto = protocols.ALL[key]
    rows = step_table(key)
    cells = []
    for i, ((name, p), r) in enumerate(zip(proto.steps, rows)):
        fig = figures.posture_svg(p, view=proto.view, height_px=height_px, legend=(i == 0),
                              title=f"Step {i + 1}: {name}", nerve=proto.nerve)
        cells.append(f'<figure><div>{fig}</div><figcaption><b>{i + 1}. {escape(name)}</b><br>'
                     f'{escape(proto.nerve)} nerve bed {r["change_mm"]:+.1f} mm at this step; {escape(r["group"])} '
                     f'{r[r["group"] + "_change_mm"]:+.1f} mm</figcaption></figure>')
    return ("<!doctype html><html><head><meta charset='utf-8'><style>"
            "body{font-family:sans-serif;margin:12px;background:#fff}figure{margin:6px;display:inline-block;"
            "vertical-align:top}figcaption{font-size:18px;max-width:600px}h1{font-size:26px;margin:4px}"
            f"</style></head><body><h1>{escape(proto.title)} ({proto.view} view)</h1>{''.join(cells)}</body></html>")


def render(pages: dict, out_dir: Path, width: int = 1280) -> list[Path]:
    """Screenshot each ``name -> html`` page at ``width`` px (full page) into ``out_dir``."""
    from playwright.sync_api import sync_playwright
    import jupyter_harness as H
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=H.CHROMIUM, headless=True, args=list(H.CHROMIUM_ARGS))
        page = browser.new_page(viewport={"width": width, "height": 800})
        for name, html in pages.items():
            page.set_content(html)
            path = out_dir / f"{name}.png"
            page.screenshot(path=str(path), full_page=True)
            paths.append(path)
        browser.close()
    return paths


def explorer_screenshot(path: Path, notebook: str = "02_slump_test.ipynb", steps: int = 4) -> Path:
    """The explorer as a class sees it: Voila at 1280 x 800, ``steps`` presses of "next step"."""
    import tempfile
    from playwright.sync_api import sync_playwright
    import explorer_driver as D
    import jupyter_harness as H
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        env = H.isolated_env(home)
        server = H.voila(ROOT / "notebooks", env, home / "voila.log").start()
        try:
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=H.CHROMIUM, headless=True, args=list(H.CHROMIUM_ARGS))
                page = browser.new_page(viewport={"width": 1280, "height": 800})
                page.goto(f"{server.url}voila/render/{notebook}", wait_until="domcontentloaded")
                page.wait_for_selector(".neuralsim-figure svg", timeout=120_000)
                for k in range(steps):
                    page.locator(".neuralsim-next").first.click()
                    D.wait_until(page, lambda: D.text_line(page).startswith(f"Step {k + 1}/"), lambda: "no step")
                page.wait_for_timeout(500)
                page.evaluate("document.querySelector('.neuralsim-explorer').scrollIntoView({block: 'start'})")
                page.wait_for_timeout(300)
                path.parent.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(path))
                browser.close()
        finally:
            server.stop()
    return path


def exported_screenshots(out_dir: Path) -> list[Path]:
    """Every exported page (``python -m neuralsim export``) from ``file://`` at 1280 x 800, one PNG
    per step of its first protocol (``exported-<name>-step-<k>.png``)."""
    import tempfile
    from playwright.sync_api import sync_playwright
    import jupyter_harness as H
    from neuralsim.classroom.export import export, page_data
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=H.CHROMIUM, headless=True, args=list(H.CHROMIUM_ARGS))
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        for html in export(Path(tmp)):
            ex = page_data(html.stem)["explorer"]
            for k in range(len(ex["protocols"][ex["protocol"]]["steps"])):
                page.goto(f"{html.as_uri()}#protocol={ex['protocol']}&step={k + 1}")
                page.wait_for_selector("[data-ready=true]", timeout=30_000)
                path = out_dir / f"exported-{html.stem}-step-{k + 1}.png"
                page.screenshot(path=str(path))
                paths.append(path)
        browser.close()
    return paths


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=ROOT / "artifacts" / "contact-sheet")
    ap.add_argument("--explorer", type=Path, default=None,
                    help="also photograph the slump explorer in Voila at 1280x800 into this PNG "
                         "(the README's picture: docs/explorer.png)")
    ap.add_argument("--no-exported", action="store_true", help="leave out the exported pages' screenshots")
    ap.add_argument("protocols", nargs="*", default=list(SHEETS))
    args = ap.parse_args(argv)
    if args.explorer is not None:
        print(explorer_screenshot(args.explorer))
    for p in render({k: sheet_html(k) for k in args.protocols}, args.out):
        print(p)
    if not args.no_exported:
        for p in exported_screenshots(args.out):
            print(p)
    return 0


if __name__ == "__main__":
    sys.exit(main())
