"""The layers' contract: import-linter's contracts in pyproject.toml hold, and no module imports itself round
a circle (inside functions included), so the layers can be read from the package's folders."""
import shutil
import subprocess
import sys
from pathlib import Path

import grimp
import pytest

ROOT = Path(__file__).resolve().parents[1]
LAYERS = ("classroom", "teaching", "view", "evidence", "limits", "state", "mechanics", "model", "core")


def _lint_imports() -> Path:
    exe = Path(sys.executable).with_name("lint-imports")
    found = exe if exe.is_file() else shutil.which("lint-imports")
    if found is None:
        pytest.fail("lint-imports is missing: it comes with the test extra (pip install -e '.[test]')")
    return Path(found)


def test_lint_imports_keeps_every_contract():
    run = subprocess.run([str(_lint_imports()), "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    assert "0 broken" in run.stdout and "layers: classroom > teaching" in run.stdout


def test_the_contract_lists_every_layer_in_order():
    text = (ROOT / "pyproject.toml").read_text("utf-8")
    listed = [line.strip().strip('",') for line in text.split('layers = [', 1)[1].split("]", 1)[0].splitlines()
              if line.strip()]
    assert listed == [f"neuralsim.{name}" for name in LAYERS]
    folders = sorted(p.name for p in (ROOT / "neuralsim").iterdir() if (p / "__init__.py").is_file())
    assert sorted(LAYERS) == folders, "every subpackage is a layer of the contract"


def _graph():
    return grimp.build_graph("neuralsim", cache_dir=None)


def find_circles(imports: dict) -> list:
    """Every circle found by a depth-first walk of ``module -> set of modules it imports``."""
    colour, circles = {}, []

    def visit(m, path):
        colour[m] = "grey"
        for n in sorted(imports.get(m, ())):
            if colour.get(n) == "grey":
                circles.append(path[path.index(n):] + [n])
            elif n not in colour:
                visit(n, path + [n])
        colour[m] = "black"

    for m in sorted(imports):
        if m not in colour:
            visit(m, [m])
    return circles


def test_no_import_circle_between_any_two_modules():
    g = _graph()
    modules = {m for m in g.modules if m.count(".") >= 2}  # the layers' modules, not their packages
    imports = {m: {i for i in g.find_modules_directly_imported_by(m) if i in modules} for m in modules}
    assert len(imports) >= 25
    assert find_circles(imports) == []


def test_the_circle_search_finds_circles():
    assert find_circles({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == [["a", "b", "c", "a"]]
    assert find_circles({"a": {"b"}, "b": {"a"}, "c": set()}) == [["a", "b", "a"]]
    assert find_circles({"a": {"b", "c"}, "b": {"c"}, "c": set()}) == []


def _lint_copy_with(tmp_path, module: str, line: str):
    """Lint a copy of the package with ``line`` added, inside a function, to ``module`` (a path in it)."""
    copy = tmp_path / "neuralsim"
    shutil.copytree(ROOT / "neuralsim", copy, ignore=shutil.ignore_patterns("__pycache__", "data", "notebooks"))
    f = copy / module
    f.write_text(f.read_text("utf-8") + f"\n\ndef _upward():\n    {line}  # noqa\n", "utf-8")
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    env = {"PYTHONPATH": str(tmp_path), "PATH": str(Path(sys.executable).parent)}
    return subprocess.run([str(_lint_imports()), "--no-cache"], cwd=tmp_path, capture_output=True, text=True,
                          timeout=120, env=env)


def test_a_model_layer_module_importing_upwards_breaks_the_contract(tmp_path):
    # copy the package, add one upward import inside a function, and lint the copy: it must fail
    run = _lint_copy_with(tmp_path, "core/posture.py", "from ..view import svg")
    assert run.returncode != 0
    assert "neuralsim.core is not allowed to import neuralsim.view" in run.stdout


@pytest.mark.parametrize("module, line, broken", [
    ("view/svg.py", "from ..model.lengths import drawing", "neuralsim.view.svg -> neuralsim.model.lengths"),
    ("view/plots.py", "from ..state.analysis import step_table", "neuralsim.view.plots -> neuralsim.state.analysis"),
    ("view/tables.py", "from ..mechanics.nerve import nerve_mechanics",
     "neuralsim.view.tables -> neuralsim.mechanics.nerve"),
    # the package front re-exports drawing(): reaching it that way is refused as well
    ("view/svg.py", "from ..model import drawing", "neuralsim.view.svg -> neuralsim.model "),
    ("view/plots.py", "import neuralsim", "neuralsim.view.plots -> neuralsim "),
])
def test_the_view_computing_anything_breaks_the_contract(tmp_path, module, line, broken):
    # the view draws what it is handed: one import of the computing modules and the lint fails
    run = _lint_copy_with(tmp_path, module, line)
    assert run.returncode != 0
    assert broken in run.stdout.split("Broken contracts", 1)[-1], run.stdout[-2000:]


def test_the_view_contract_is_in_the_lint():
    run = subprocess.run([str(_lint_imports()), "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert "the view never computes" in run.stdout and "the view imports no package front" in run.stdout
