"""The browser harness itself, without a browser: CI policy, network guard, parsers."""
from __future__ import annotations

import socket
from pathlib import Path

import pytest

import conftest
import explorer_driver as D
import jupyter_harness as H
import neuralsim as ns


def test_missing_chromium_fails_in_ci_and_skips_elsewhere(monkeypatch):
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI=true"):
        conftest._missing("/usr/bin/chromium is not installed")
    monkeypatch.setenv("CI", "false")
    with pytest.raises(pytest.skip.Exception):
        conftest._missing("/usr/bin/chromium is not installed")
    monkeypatch.delenv("CI")
    with pytest.raises(pytest.skip.Exception):
        conftest._missing("/usr/bin/chromium is not installed")


@pytest.mark.parametrize("url, local", [
    ("http://127.0.0.1:8866/voila/static/voila.js", True),
    ("ws://127.0.0.1:40000/api/kernels/x/channels", True),
    ("http://localhost:8888/lab", True),
    ("data:image/png;base64,AAAA", True),
    ("blob:http://127.0.0.1:1/abc", True),
    ("https://cdn.jsdelivr.net/npm/@fortawesome/fontawesome-free@5/css/all.min.css", False),
    ("http://127.0.0.1.example.com/x", False),
    ("https://localhost.evil.org/", False),
    ("http://10.0.0.1/", False),
])
def test_network_guard_allows_only_loopback(url, local):
    assert H.NetworkGuard.is_local(url) is local


def test_free_port_is_bindable_on_loopback():
    port = H.free_port()
    assert 1024 < port < 65536
    with socket.socket() as s:
        s.bind(("127.0.0.1", port))


def test_isolated_env_points_every_user_dir_at_the_temp_home(tmp_path):
    env = H.isolated_env(tmp_path)
    for key in ("HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_DATA_HOME", "XDG_RUNTIME_DIR",
                "JUPYTER_CONFIG_DIR", "JUPYTER_RUNTIME_DIR", "IPYTHONDIR", "MPLCONFIGDIR"):
        assert env[key].startswith(str(tmp_path)), key
    assert env["JUPYTER_PATH"].split(":")[0] == str(H.APP_JUPYTER_PATH)
    assert (H.APP_JUPYTER_PATH / "voila" / "templates" / H.VOILA_TEMPLATE / "index.html.j2").exists()


def test_app_template_has_no_cdn_link():
    tpl = H.APP_JUPYTER_PATH / "voila" / "templates" / H.VOILA_TEMPLATE
    for f in tpl.iterdir():
        text = f.read_text()
        assert "https://" not in text and "http://" not in text and "//cdn" not in text, f


def test_text_line_parser_and_library_check():
    sitting = ns.protocols.SITTING
    angles = {j: float(getattr(sitting, j)) for j in ns.JOINTS}
    prev = dict(angles, knee_flexion=91.0)
    bed, bed0 = float(ns.nerve_bed_length(sitting)), float(ns.nerve_bed_length(ns.Posture(**prev)))
    ref = float(ns.nerve_bed_length(ns.REFERENCE))
    ham = lambda a: sum(float(ns.muscle_length(ns.Posture(**a), m)) for m in ns.HAMSTRINGS) / 3
    line = (f"Knee extended to 90° → nerve bed {bed - bed0:+.0f} mm ({100 * (bed - bed0) / bed0:+.1f} %); "
            f"hamstrings {ham(angles) - ham(prev):+.0f} mm. Bed now {bed:.0f} mm, "
            f"{100 * (bed / ref - 1):+.1f} % against standing.")
    assert D.text_numbers(line)["bed_mm"] == round(bed)
    assert D.check_line(line, angles, prev) == []
    # a line whose numbers belong to another posture is caught
    wrong = line.replace(f"Bed now {bed:.0f} mm", f"Bed now {bed + 3:.0f} mm")
    assert any("bed_mm" in m for m in D.check_line(wrong, angles, prev))
    assert D.check_line("something else", angles) != []
    # a minus sign (U+2212) reads as negative
    assert D._num("\u22123.5") == -3.5


def test_non_blank_screenshot_check(tmp_path):
    from PIL import Image, ImageDraw

    blank = tmp_path / "blank.png"
    Image.new("RGB", (400, 300), "white").save(blank)
    assert D.non_blank(blank)[0] is False
    drawn = tmp_path / "drawn.png"
    im = Image.new("RGB", (400, 300), "white")
    d = ImageDraw.Draw(im)
    for i in range(40):
        d.line([(10 + 9 * i, 10), (390 - 9 * i, 290)], fill=(6 * i, 100, 255 - 6 * i), width=3)
    im.save(drawn)
    assert D.non_blank(drawn)[0] is True


def test_app_config_selects_the_local_template_and_hides_teacher_notebooks():
    import json

    conf = json.loads((H.APP_DIR / "voila.json").read_text())
    assert conf["VoilaConfiguration"]["template"] == H.VOILA_TEMPLATE
    assert conf["Voila"]["ip"] == "127.0.0.1"
    assert "teacher" in conf["ContentsManager"]["hide_globs"]


def test_quiet_lab_env_names_plugins_and_toolbar_items_this_jupyterlab_has(tmp_path):
    """bench_latency --quiet-lab hides JupyterLab's busy indicators; if a JupyterLab upgrade renamed
    them, the comparison would silently measure an ordinary JupyterLab."""
    import json
    import sys

    sys.path.insert(0, str(H.REPO / "benchmarks"))
    import bench_latency as BL

    env = BL.quiet_lab_env(tmp_path)
    conf = Path(env["JUPYTER_CONFIG_DIR"])
    disabled = json.loads((conf / "labconfig" / "page_config.json").read_text())["disabledExtensions"]
    assert set(disabled) == set(BL.BUSY_INDICATOR_PLUGINS)
    panel = json.loads((conf / "lab" / "user-settings" / "@jupyterlab" / "notebook-extension"
                        / "panel.jupyterlab-settings").read_text())
    assert [t["name"] for t in panel["toolbar"] if t["disabled"]] == list(BL.BUSY_TOOLBAR_ITEMS)
    # the names exist in the JupyterLab that is installed here
    static = Path(sys.prefix) / "share" / "jupyter" / "lab" / "static"
    bundle = "".join(p.read_text(errors="replace") for p in static.glob("*.js"))
    for plugin in BL.BUSY_INDICATOR_PLUGINS:
        assert f'"{plugin}"' in bundle, plugin
    schema = Path(sys.prefix) / "share" / "jupyter" / "lab" / "schemas" / "@jupyterlab" / "notebook-extension" / "panel.json"
    for item in BL.BUSY_TOOLBAR_ITEMS:
        assert f'"name": "{item}"' in schema.read_text(), item
