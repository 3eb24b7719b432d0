"""The Voila app's files: the landing page's course map matches the notebooks; teacher material is not shipped.

The browser side (the page as rendered, the 404s) is in tests/browser/test_app_browser.py.
"""
import json
import re
from pathlib import Path

import nbformat

from neuralsim.classroom import notebooks_cli

ROOT = Path(__file__).resolve().parents[1]
TREE = ROOT / "app" / "share" / "jupyter" / "voila" / "templates" / "neuralsim" / "tree.html"
NB_DIR = ROOT / "notebooks"


def course_map() -> list[tuple[str, str, int]]:
    """(file, title, minutes) of each part of the landing page, in order."""
    text = TREE.read_text()
    return [(f, t, int(m)) for f, t, m in
            re.findall(r'\{"file": "([^"]+)", "title": "([^"]+)", "minutes": (\d+)', text)]


def _title_and_minutes(path: Path) -> tuple[str, int]:
    first = nbformat.read(path, as_version=4).cells[0].source
    title = re.match(r"# (.+)", first).group(1).strip()
    minutes = int(re.search(r"\*\*Estimated time:\*\* about (\d+) minutes", first).group(1))
    return title, minutes


def test_course_map_follows_the_notebooks():
    parts = course_map()
    assert [f for f, _, _ in parts] == [f"{n}.ipynb" for n in (
        "00_start_here", "01_hamstrings_or_nerve", "02_slump_test", "03_straight_leg_raise",
        "04_nerve_glides", "05_model_and_evidence", "06_front_of_the_thigh",
        "07_clinic_hamstrings_or_nerve")]
    for file, title, minutes in parts:
        assert (NB_DIR / file).exists(), file
        assert (title, minutes) == _title_and_minutes(NB_DIR / file), file
    # each part says what the student will do, in a sentence (not a file name)
    dos = re.findall(r'"do": "([^"]+)"', TREE.read_text())
    assert len(dos) == len(parts) and all(len(d) > 40 and ".ipynb" not in d for d in dos)


def test_landing_page_fetches_nothing_from_a_cdn():
    for name in ("tree.html", "page.html"):
        assert "http" not in (TREE.parent / name).read_text(), name       # no absolute URL at all
    assert "{% extends \"page.html\" %}" in TREE.read_text()     # this template's CDN-free frame


def test_teacher_material_is_outside_what_students_get():
    # Voila and the CLI serve/copy notebooks/; the wheel carries notebooks/*.ipynb: none holds solutions
    assert (ROOT / "teacher" / "solutions.ipynb").exists()
    assert not any(NB_DIR.rglob("*solution*")) and not [p for p in NB_DIR.iterdir() if p.is_dir()
                                                        and p.name != ".ipynb_checkpoints"]
    assert not any("solution" in n for n in notebooks_cli.available_notebooks())
    build_hooks = (ROOT / "build_hooks.py").read_text()
    assert 'source.glob("*.ipynb")' in build_hooks and "rglob" not in build_hooks
    assert "teacher" not in (ROOT / "MANIFEST.in").read_text()
    # and the app's listing hides a teacher folder if one is ever put back
    assert "teacher" in json.loads((ROOT / "app" / "voila.json").read_text())["ContentsManager"]["hide_globs"]
