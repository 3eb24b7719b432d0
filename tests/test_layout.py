"""The test suite's layout: the tests of neuralsim/<layer>/<module>.py live in tests/test_<module>.py
(module names are unique across the layers; neuralsim/__main__.py, which only calls the command line,
is tested with it in tests/test_cli.py); files about more than one module are few, named and described
in tests/README.md."""
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
TESTS = ROOT / "tests"

# Test files that are about no single module of the package: each is described in tests/README.md.
NOT_ONE_MODULE = {
    "test_notebooks_meta.py",   # the notebooks as files
    "test_app_meta.py",         # the Voila app's files
    "test_hub_deploy.py",       # deploy/jupyterhub
    "test_hub_security.py",     # deploy/jupyterhub's defences (sandbox, owner check, cgroups, logins)
    "test_kubernetes.py",       # deploy/kubernetes
    "test_layout.py",           # this file
    "test_packaging.py",        # the wheel's contents
    "test_layers.py",           # the layers' contract and the import graph
    "test_registry_in_use.py",  # the active registry through lengths, drawing, mechanics, people and stops
    "test_fuzz.py",             # the input contract over the whole public API
    "test_mutants.py",          # tests written for surviving mutants of several modules (tests/mutation/run.py)
    "test_web_model.py",        # neuralsim/web/model.js, a JavaScript file, against core and model (run by Node)
    "test_web_draw.py",         # neuralsim/web/draw.js, a JavaScript file, against neuralsim.view.svg (run by Node)
}

def modules() -> list[str]:
    return sorted(p.stem for p in (ROOT / "neuralsim").rglob("*.py") if p.stem != "__init__")


def file_for(module: str) -> str:
    return {"__main__": "test_cli.py", "_compat": "test_compat.py"}.get(module, f"test_{module}.py")


def test_module_names_are_unique_across_the_layers():
    stems = modules()
    assert len(stems) == len(set(stems)), sorted({s for s in stems if stems.count(s) > 1})


def test_the_package_has_the_modules_this_layout_names():
    found = modules()
    # a hand-written floor of modules the layers must hold, so a broken glob cannot pass as an empty list
    assert {"__main__", "analysis", "bands", "body", "errors", "comparisons", "geometry", "joints", "lengths",
            "parameters", "plots", "posture", "protocols", "registry", "states", "svg", "widgets", "stops",
            "nerve", "cli"} <= set(found)
    assert file_for("__main__") == "test_cli.py" and file_for("lengths") == "test_lengths.py"


@pytest.mark.parametrize("module", modules())
def test_every_module_has_its_test_file(module):
    path = TESTS / file_for(module)
    assert path.is_file(), f"neuralsim/{module}.py has no tests/{file_for(module)}"
    assert re.search(r"^(async )?def test_", path.read_text("utf-8"), re.M), f"{path.name} holds no test"


def test_every_test_file_is_a_modules_or_named_as_about_several():
    own = {file_for(m) for m in modules()}
    for path in sorted(TESTS.glob("test_*.py")):
        assert path.name in own or path.name in NOT_ONE_MODULE, (
            f"{path.name} is neither tests/test_<module>.py of a neuralsim module nor listed in NOT_ONE_MODULE")
    assert all((TESTS / name).is_file() for name in NOT_ONE_MODULE)


def test_the_readme_maps_every_test_file():
    text = (TESTS / "README.md").read_text("utf-8")
    named = set(re.findall(r"`(test_\w+\.py)`", text))
    files = {p.name for p in TESTS.glob("test_*.py")}
    assert files - named == set(), f"tests/README.md does not describe {sorted(files - named)}"
    missing = named - files
    assert missing == set(), f"tests/README.md names missing files {sorted(missing)}"
