"""``python -m neuralsim export DEST``: one self-contained page per explorer (issue 26).

What is checked here without a browser (tests/browser/test_exported_pages.py opens the pages):
the command writes a page per explorer of the course, each at most 1.5 MB, that names no address
to fetch (its Content-Security-Policy allows no request; no src or href leaves the page); the data
it carries is the library's as it stands (the data files' text, every silhouette, the protocols'
steps), read when the page is written; a bad DEST or explorer name is a clear error.
"""
from __future__ import annotations

import json
import re

import pytest

from neuralsim.classroom import export
from neuralsim.classroom.cli import main
from neuralsim.core.body import Body
from neuralsim.core.data import DATA_DIR
from neuralsim.model import protocols
from neuralsim.view import svg


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    dest = tmp_path_factory.mktemp("pages") / "explorers"
    assert main(["export", str(dest)]) == 0
    return dest


def _data(html: str) -> dict:
    found = re.search(r'<script type="application/json" id="ns-data">(.*?)</script>', html, re.S)
    return json.loads(found.group(1))


def test_a_page_per_explorer_each_under_the_limit(pages):
    names = sorted(p.stem for p in pages.glob("*.html"))
    assert names == sorted(["forward-bend", "slump", "straight-leg-raise", "glides", "front-of-thigh"])
    for p in pages.glob("*.html"):
        size = p.stat().st_size
        assert 100_000 < size <= 1_500_000, (p.name, size)


def test_nothing_to_fetch(pages):
    for p in pages.glob("*.html"):
        html = p.read_text("utf-8")
        csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]*)"', html).group(1)
        assert "default-src 'none'" in csp and "script-src 'unsafe-inline' blob:" in csp
        assert "connect-src" not in csp and "http" not in csp
        # no element loads anything: no src, no stylesheet link, no import of an address
        assert not re.search(r"<(script|img|iframe|link|audio|video|source|object|embed)\b[^>]*\b(src|href)=", html, re.I)
        assert not re.search(r"""import\s*\(?\s*["'](https?:|//)""", html)
        assert "@import" not in html and "url(http" not in html


def test_the_page_carries_the_librarys_data_as_it_stands(pages):
    d = _data((pages / "slump.html").read_text("utf-8"))
    for key, name in (("structures", "structures.json"), ("joints", "joints.csv"), ("parameters", "parameters.csv")):
        assert d["files"][key] == (DATA_DIR / name).read_text("utf-8")
    sil = d["draw"]["silhouettes"]
    assert list(sil)[0] == "1.40" and list(sil)[-1] == "2.10" and len(sil) == 71
    want = svg._silhouette_local(Body(1.83))
    assert sil["1.83"]["thigh"] == [a.tolist() for a in want["thigh"]]
    assert d["draw"]["view_boxes"]["sitting"] == list(svg.view_box("sitting"))
    steps = d["explorer"]["protocols"]["slump"]["steps"]
    assert [s[0] for s in steps] == [s.name for s in protocols.ALL["slump"].steps]
    assert steps[2][1]["hip_flexion"] == float(protocols.ALL["slump"].steps[2].posture.hip_flexion)


def test_the_page_changes_with_the_library(monkeypatch):
    """Nothing is a frozen copy: a colour changed in the library is the page's on the next export."""
    monkeypatch.setattr(svg, "NERVE_COLOUR", "#123456")
    assert export.page_data("slump")["draw"]["nerve_colour"] == "#123456"


def test_bad_destinations_are_clear_errors(tmp_path, capsys):
    afile = tmp_path / "a.txt"
    afile.write_text("x")
    assert main(["export", str(afile)]) == 2
    assert "is a file, not a folder" in capsys.readouterr().err
    assert main(["export", str(tmp_path / "no" / "such")]) == 2
    assert "does not exist" in capsys.readouterr().err
    assert main(["export", str(tmp_path / "ok"), "--only", "slumpy"]) == 2
    err = capsys.readouterr().err
    assert "unknown explorer 'slumpy'" in err and "straight-leg-raise" in err
    assert not (tmp_path / "ok").exists()           # nothing written on a bad name
    with pytest.raises(TypeError, match="dest"):
        export.export(3)
    with pytest.raises(ValueError, match="unknown explorer"):
        export.page_data("clinic-x")
