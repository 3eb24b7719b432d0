"""The notebooks as files: no outputs, the seed's claims each taught under a heading, thin cells, pedagogy."""
import ast
import re
from pathlib import Path

import nbformat
import pytest

from neuralsim import exercises

ROOT = Path(__file__).resolve().parents[1]
NB_DIR = ROOT / "notebooks"
SEED_README = Path("/work/shared/seed/README.md")
STUDENT = ["00_start_here.ipynb", "01_hamstrings_or_nerve.ipynb", "02_slump_test.ipynb",
           "03_straight_leg_raise.ipynb", "04_nerve_glides.ipynb", "05_model_and_evidence.ipynb"]
ALL = STUDENT + ["teacher/solutions.ipynb"]

# Each claim of the seed table (matched by the start of its first column) -> where it is taught.
SEED_MAP = {
    "Forward bending is limited": ("01_hamstrings_or_nerve.ipynb", "Forward bend: hip hinge vs spinal flexion"),
    "The sciatic nerve runs from the lumbar roots": ("00_start_here.ipynb", "The nerve path drawn on the body"),
    "Muscle tightness vs neural tension": ("01_hamstrings_or_nerve.ipynb",
                                           "Muscle tightness vs neural tension: which joints change which length"),
    "The slump test, step by step": ("02_slump_test.ipynb", "The slump test step by step (source order)"),
    "Looking up relieves leg symptoms": ("02_slump_test.ipynb",
                                         "Structural differentiation: the neck changes the nerve, not the hamstrings"),
    "Nerves should not be stretched hard": ("04_nerve_glides.ipynb", "Sliders vs tensioners: excursion and strain"),
    "People differ": ("03_straight_leg_raise.ipynb", "People differ: body size, joint ranges and nerve sensitivity"),
    "Neural tension feels different": ("07_clinic_hamstrings_or_nerve.ipynb",
                                       "Neural tension feels different: where a movement stops and what is felt where"),
    "A nerve can be pinched or held": ("07_clinic_hamstrings_or_nerve.ipynb",
                                       "A stuck nerve: pinched or held along its path"),
}

# The seed table as the project keeps it (used when the shared folder is not mounted, e.g. in CI).
SEED_CLAIMS_FALLBACK = list(SEED_MAP)


def seed_claims():
    if not SEED_README.exists():
        return SEED_CLAIMS_FALLBACK
    claims = []
    for line in SEED_README.read_text().splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if line.startswith("|") and len(cells) == 2 and cells[0] and not set(cells[0]) <= set("-") \
                and cells[0] != "claim in the article":
            claims.append(cells[0])
    return claims


def load(name):
    return nbformat.read(NB_DIR / name, as_version=4)


def headings(nb):
    out = []
    for c in nb.cells:
        if c.cell_type == "markdown":
            out += [m.group(2).strip() for m in re.finditer(r"^(#+)\s+(.*)$", c.source, re.M)]
    return out


def test_seed_table_is_read():
    claims = seed_claims()
    assert len(claims) == len(SEED_MAP)


@pytest.mark.parametrize("claim", seed_claims())
def test_every_seed_row_maps_to_an_existing_heading(claim):
    key = next((k for k in SEED_MAP if claim.startswith(k)), None)
    assert key is not None, f"seed claim not mapped to a notebook section: {claim!r}"
    notebook, heading = SEED_MAP[key]
    assert heading in headings(load(notebook)), f"{notebook} lacks the heading {heading!r}"


@pytest.mark.parametrize("name", ALL)
def test_stored_without_outputs_or_widget_state(name):
    nb = load(name)
    nbformat.validate(nb)
    assert "widgets" not in nb.metadata
    for c in nb.cells:
        if c.cell_type == "code":
            assert c.outputs == [] and c.execution_count is None
            assert "widgets" not in c.metadata
    raw = (NB_DIR / name).read_text()
    assert "application/vnd.jupyter.widget" not in raw and "image/png" not in raw


@pytest.mark.parametrize("name", STUDENT)
def test_cells_are_thin_and_hold_no_model_code(name):
    for c in load(name).cells:
        if c.cell_type != "code":
            continue
        src = "\n".join(l for l in c.source.splitlines() if not l.startswith("%"))
        tree = ast.parse(src)
        for node in ast.walk(tree):
            assert not isinstance(node, (ast.FunctionDef, ast.ClassDef, ast.Lambda, ast.For, ast.While)), c.source
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                mods = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module]
                assert all(m.split(".")[0] in ("neuralsim", "math") for m in mods), c.source
        assert len(c.source.splitlines()) <= 22, c.source


@pytest.mark.parametrize("name", STUDENT)
def test_pedagogy(name):
    nb = load(name)
    md = [c.source for c in nb.cells if c.cell_type == "markdown"]
    text = "\n".join(md)
    assert "**Estimated time:**" in md[0] and "By the end you will be able to" in md[0]
    assert "Misconception tackled here" in md[0] and "not for diagnosis" in md[0].lower()
    hs = headings(nb)
    assert "Exercises" in hs and "References" in hs and "The misconception, answered" in hs
    # a "predict first" prompt comes before every interactive demo
    last_predict, last_demo = -1, -1
    for i, c in enumerate(nb.cells):
        if c.cell_type == "markdown" and "Predict first" in c.source:
            last_predict = i
        if c.cell_type == "code" and "Explorer(" in c.source:
            assert last_predict > last_demo, f"no 'predict first' before the demo in cell {i}"
            assert c.source.startswith("# NBVAL_IGNORE_OUTPUT")
            last_demo = i
    assert "Predict first" in text


@pytest.mark.parametrize("name", STUDENT)
def test_exercises_in_the_notebook_are_the_library_ones(name):
    nb = load(name)
    used = re.findall(r'exercises\.check\("([a-z0-9_]+)"', "\n".join(c.source for c in nb.cells))
    assert 2 <= len(used) <= 4
    assert used == [e.key for e in exercises.for_notebook(name[:-6])]


@pytest.mark.parametrize("name", ALL)
def test_check_output_cells_really_check(name):
    cells = [c for c in load(name).cells if c.cell_type == "code" and "NBVAL_CHECK_OUTPUT" in c.source]
    assert cells, f"{name} has no NBVAL_CHECK_OUTPUT cell"
    for c in cells:
        assert c.source.startswith("# NBVAL_CHECK_OUTPUT")
        assert re.search(r"^\s*assert ", c.source, re.M), c.source   # the check is the assertion
        assert "print(" in c.source


def test_the_explorer_notebook_names_other_tools_rely_on():
    assert (NB_DIR / "02_slump_test.ipynb").exists() and (NB_DIR / "00_start_here.ipynb").exists()
    src = "\n".join(c.source for c in load("02_slump_test.ipynb").cells)
    assert src.count("Explorer(") == 1          # one explorer on the page the browser tests open


def test_solutions_are_kept_apart():
    for name in STUDENT:
        src = "\n".join(c.source for c in load(name).cells)
        assert "solutions.ipynb" not in src and "exercises.solution(" not in src
