"""The wheel (what the classroom hub and `pip install` get) carries every data file the package reads.

An editable install reads ``neuralsim/data`` from the checkout, so a data file missing from the
wheel only shows once neuralsim is installed from a wheel (the hub's read-only environment):
the registry of structures (``structures.json``) was once left out that way.  The wheel is
built the way ``make hub-env`` builds it, from a copy of the checkout's tracked files, so the
checkout is left as it was.
"""
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

import neuralsim as ns

ROOT = Path(__file__).resolve().parents[1]


def _tracked() -> list[str]:
    try:
        out = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        pytest.fail("the packaging test needs a git checkout (it builds the wheel from the tracked files)")
    return [line for line in out.splitlines() if line]


@pytest.fixture(scope="module")
def wheel_names(tmp_path_factory) -> set[str]:
    src = tmp_path_factory.mktemp("src")
    for rel in _tracked():
        if rel.split("/")[0] in {"neuralsim", "notebooks", "jupyter-config"} or "/" not in rel:
            dst = src / rel
            dst.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / rel, dst)
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(out), str(src)],
                   check=True, capture_output=True, text=True)
    (whl,) = out.glob("neuralsim-*.whl")
    with zipfile.ZipFile(whl) as z:
        return set(z.namelist())


def test_the_wheel_carries_every_data_file(wheel_names):
    data = sorted(p.name for p in (ROOT / "neuralsim" / "data").iterdir() if p.is_file())
    assert {"structures.json", "parameters.csv", "joints.csv", "evidence.csv", "strain_bands.csv"} <= set(data)
    missing = [name for name in data if f"neuralsim/data/{name}" not in wheel_names]
    assert missing == [], f"the wheel lacks neuralsim/data/{missing}"


def test_the_wheel_carries_the_modules_and_the_course(wheel_names):
    modules = sorted(p.relative_to(ROOT / "neuralsim").as_posix() for p in (ROOT / "neuralsim").rglob("*.py"))
    assert [m for m in modules if f"neuralsim/{m}" not in wheel_names] == []
    notebooks = sorted(p.name for p in (ROOT / "notebooks").glob("*.ipynb"))
    assert len(notebooks) >= 8
    assert [n for n in notebooks if f"neuralsim/notebooks/{n}" not in wheel_names] == []


def test_the_wheel_carries_the_explorers_style_sheets_and_browser_programs(wheel_names):
    static = sorted(p.name for p in (ROOT / "neuralsim" / "classroom" / "static").iterdir() if p.is_file())
    assert {"explorer.css", "explorer.js", "live.js", "patient.css"} <= set(static)
    assert [n for n in static if f"neuralsim/classroom/static/{n}" not in wheel_names] == []


def test_the_wheel_carries_the_model_in_the_page(wheel_names):
    web = sorted(p.name for p in (ROOT / "neuralsim" / "web").iterdir() if p.suffix in (".js", ".css"))
    assert {"model.js", "draw.js", "page.js", "page.css"} <= set(web)     # what an exported page carries
    assert [n for n in web if f"neuralsim/web/{n}" not in wheel_names] == []


@pytest.mark.parametrize("module", ["numpy.ma", "matplotlib", "ipywidgets", "neuralsim.limits.stops",
                                    "neuralsim.mechanics.nerve", "neuralsim.view.svg"])
def test_a_bare_import_leaves_the_heavy_and_upper_parts_unloaded(module):
    # each of these costs a noticeable part of numpy's own import time (numpy.ma alone about a fifth);
    # they load when first used, so `import neuralsim` stays within its benchmark target
    code = f"import sys, neuralsim; sys.exit(1 if {module!r} in sys.modules else 0)"
    assert subprocess.run([sys.executable, "-c", code], timeout=60).returncode == 0


def test_person_still_comes_from_the_front_on_first_use():
    from neuralsim.limits.person import Person
    assert ns.Person is Person and "Person" in ns.__all__
