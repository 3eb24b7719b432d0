"""The notebooks as files: no outputs, the seed's claims each taught under a heading, thin cells, pedagogy."""
import ast
import re
from pathlib import Path

import nbformat
import pytest

from neuralsim.teaching import exercises
from support import raw_output

ROOT = Path(__file__).resolve().parents[1]
NB_DIR = ROOT / "notebooks"
STUDENT = ["00_start_here.ipynb", "01_hamstrings_or_nerve.ipynb", "02_slump_test.ipynb",
           "03_straight_leg_raise.ipynb", "04_nerve_glides.ipynb", "05_model_and_evidence.ipynb",
           "06_front_of_the_thigh.ipynb"]
ALL = STUDENT + ["../teacher/solutions.ipynb"]   # teacher material lives outside the served notebooks/

# The teaching claims the project must make visible (the brief's list of what to teach from the source
# article, La Rocca G., "Neural Tension and Hamstring Myths"), each in the project's own short words, and
# where each is taught: notebook and heading.  The list lives here, in the repository; no test reads a file
# outside it.
SEED_CLAIMS = [
    "forward bending is limited by hip hinging, hip mobility or the sciatic nerve, not only hamstring length",
    "the sciatic nerve's path from the lumbar roots to the foot, and that it must glide",
    "muscle tightness and neural tension differ (which joints change which length)",
    "the slump test step by step in the article's order",
    "looking up relieves leg symptoms: neck movement changes the nerve bed, not the hamstrings",
    "nerves are glided, not stretched: sliders vs tensioners",
    "people differ: body size, joint ranges, nerve sensitivity",
    "what is felt where, and where a movement stops: nerve vs hamstring limits",
    "a nerve held ('stuck') at a chosen site, and what that does above and below it",
]
SEED_MAP = {
    SEED_CLAIMS[0]: ("01_hamstrings_or_nerve.ipynb", "Forward bend: hip hinge vs spinal flexion"),
    SEED_CLAIMS[1]: ("00_start_here.ipynb", "The nerve path drawn on the body"),
    SEED_CLAIMS[2]: ("01_hamstrings_or_nerve.ipynb",
                     "Muscle tightness vs neural tension: which joints change which length"),
    SEED_CLAIMS[3]: ("02_slump_test.ipynb", "The slump test step by step (source order)"),
    SEED_CLAIMS[4]: ("02_slump_test.ipynb",
                     "Structural differentiation: the neck changes the nerve, not the hamstrings"),
    SEED_CLAIMS[5]: ("04_nerve_glides.ipynb", "Sliders vs tensioners: excursion and strain"),
    SEED_CLAIMS[6]: ("03_straight_leg_raise.ipynb", "People differ: body size, joint ranges and nerve sensitivity"),
    SEED_CLAIMS[7]: ("07_clinic_hamstrings_or_nerve.ipynb",
                     "Neural tension feels different: where a movement stops and what is felt where"),
    SEED_CLAIMS[8]: ("04_nerve_glides.ipynb", "A nerve that is stuck"),
}
# Claims not taught yet: each is a strict xfail, so the test fails (and this entry must go) once a mapping
# to an existing heading is added above.
NOT_YET_TAUGHT = {
}


def load(name):
    return nbformat.read(NB_DIR / name, as_version=4)


def headings(nb):
    out = []
    for c in nb.cells:
        if c.cell_type == "markdown":
            out += [m.group(2).strip() for m in re.finditer(r"^(#+)\s+(.*)$", c.source, re.M)]
    return out


def test_every_claim_is_either_mapped_or_expected_missing():
    assert len(SEED_CLAIMS) == len(set(SEED_CLAIMS)) == 9
    assert set(SEED_MAP) | set(NOT_YET_TAUGHT) == set(SEED_CLAIMS)
    assert not set(SEED_MAP) & set(NOT_YET_TAUGHT)


@pytest.mark.parametrize("claim", [
    pytest.param(c, marks=pytest.mark.xfail(strict=True, reason=NOT_YET_TAUGHT[c])) if c in NOT_YET_TAUGHT else c
    for c in SEED_CLAIMS])
def test_every_seed_claim_maps_to_an_existing_heading(claim):
    assert claim in SEED_MAP, f"teaching claim not mapped to a notebook section: {claim!r}"
    notebook, heading = SEED_MAP[claim]
    assert heading in headings(load(notebook)), f"{notebook} lacks the heading {heading!r}"


def test_notebooks_and_package_cite_the_article_not_a_folder_outside_the_repository():
    for path in [*NB_DIR.rglob("*.ipynb"), *(ROOT / "neuralsim").rglob("*.py"), *(ROOT / "neuralsim").rglob("*.csv")]:
        text = path.read_text("utf-8")
        # the folder this checkout sits in, and the source material kept beside it: never named
        assert str(ROOT.parent) + "/" not in text, f"{path.relative_to(ROOT)} names the folder around the checkout"
        bad = re.search(r"\bshared[/\\](?:seed|reference)|\bevidence\.md\b", text)
        assert bad is None, f"{path.relative_to(ROOT)} names {bad.group(0)!r}"
    for name in STUDENT:
        refs = "\n".join(c.source for c in load(name).cells if c.cell_type == "markdown" and "## References" in c.source)
        assert "La Rocca" in refs and "Neural Tension and Hamstring Myths" in refs, name


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
            assert "nbval-ignore-output" in c.metadata.get("tags", [])
            last_demo = i
    assert "Predict first" in text


@pytest.mark.parametrize("name", STUDENT)
def test_exercises_in_the_notebook_are_the_library_ones(name):
    nb = load(name)
    used = re.findall(r'exercises\.(?:check|widget)\("([a-z0-9_]+)"', "\n".join(c.source for c in nb.cells))
    assert 2 <= len(used) <= 4
    assert used == [e.key for e in exercises.for_notebook(name[:-6])]


@pytest.mark.parametrize("name", ALL)
def test_check_output_cells_really_check(name):
    cells = [c for c in load(name).cells if c.cell_type == "code" and "nbval-check-output" in c.metadata.get("tags", [])]
    assert cells, f"{name} has no cell tagged nbval-check-output"
    for c in cells:
        assert re.search(r"^\s*assert ", c.source, re.M), c.source   # the check is the assertion
        assert "print(" in c.source or "display(" in c.source


@pytest.mark.parametrize("name", ALL + ["07_clinic_hamstrings_or_nerve.ipynb"])
def test_nbval_markers_are_cell_tags_not_comments_a_student_reads(name):
    # JupyterLab shows a cell's source; nbval reads the same markers from the cell's tags
    for c in load(name).cells:
        if c.cell_type == "code":
            assert "NBVAL" not in c.source, c.source
            assert set(c.metadata.get("tags", [])) <= {"nbval-check-output", "nbval-ignore-output"}


def test_the_explorer_notebook_names_other_tools_rely_on():
    assert (NB_DIR / "02_slump_test.ipynb").exists() and (NB_DIR / "00_start_here.ipynb").exists()
    src = "\n".join(c.source for c in load("02_slump_test.ipynb").cells)
    assert src.count("Explorer(") == 1          # one explorer on the page the browser tests open


def test_solutions_are_kept_apart():
    for name in STUDENT:
        src = "\n".join(c.source for c in load(name).cells)
        assert "solutions.ipynb" not in src and "exercises.solution(" not in src


# -- every "Predict first" prompt locked before what answers it ------------------------------------

COURSE = STUDENT + ["07_clinic_hamstrings_or_nerve.ipynb"]
_PREDICT = re.compile(r'^exercises\.predict\("([a-z0-9_]+)"\)$')
_HELD = re.compile(r'^with exercises\.after_lock\("([a-z0-9_]+)"\):\n')
_INTERACTIVE = ("Explorer(",)       # the prompt asks the learner to find the answer there


def prompts_and_locks(nb):
    """[(cell index of the prompt, key of the prediction widget under it, [cells below it up to the
    next heading])] of one notebook."""
    out = []
    for i, c in enumerate(nb.cells):
        if c.cell_type != "markdown" or "Predict first" not in c.source:
            continue
        assert c.source.count("Predict first") == 1, c.source      # one prompt, one lock
        after = nb.cells[i + 1] if i + 1 < len(nb.cells) else None
        m = _PREDICT.match(after.source.strip()) if after is not None and after.cell_type == "code" else None
        below = []
        for d in nb.cells[i + 2:]:
            if d.cell_type == "markdown" and (re.search(r"^#+ ", d.source, re.M) or "Predict first" in d.source):
                break
            if d.cell_type == "code":
                below.append(d)
        out.append((i, m.group(1) if m else None, below))
    return out


def test_the_course_has_as_many_locks_as_prompts_and_uses_every_prediction_once():
    prompts = sum(len(re.findall("Predict first", (NB_DIR / n).read_text())) for n in COURSE)
    keys = [k for n in COURSE for _, k, _ in prompts_and_locks(load(n))]
    assert prompts == len(keys) >= 16             # the issue counted 16 prompts over the course; more came since
    assert None not in keys, "a 'Predict first' prompt without its lock widget right under it"
    assert sorted(keys) == sorted(exercises.PREDICTIONS)


@pytest.mark.parametrize("name", COURSE)
def test_nothing_under_a_prompt_answers_it_before_the_lock(name):
    for i, key, below in prompts_and_locks(load(name)):
        assert exercises.PREDICTIONS[key].notebook == name[:-6], (name, key)
        for c in below:
            if any(s in c.source for s in _INTERACTIVE) or not c.source.strip():
                continue
            m = _HELD.match(c.source)
            assert m and m.group(1) == key, f"{name} cell under the prompt of {key} shows output before the lock:\n{c.source}"


# -- what a student reads: the executed outputs, every prediction locked -------------------------

# every gate open, so that what after_lock holds back is in the outputs too
_ALL_LOCKED = ("from neuralsim.teaching import exercises as _e\n"
               "_e._Gate.locked = property(lambda self: True, lambda self, value: None)")


def test_the_scan_finds_what_the_issue_found():
    for seen in ("{'femoral_offset_hip': 30.0, 'x': 1}", "[37.9 37.9] deg", "Person(height_m=1.64, mobility='x')",
                 "neck back to 0: 1.42109e-14\u00b0", "nerve bed -0 mm", "41.44224696400988 mm"):
        assert raw_output(seen), seen
    assert raw_output("bed \u221222.7 mm, +0.0 mm, 16 of 20, 1.04 x standing, 3.1 %, neck flexion 40\u00b0") == []


@pytest.mark.parametrize("name", COURSE)
def test_executed_outputs_hold_no_repr_or_float_noise(name):
    from nbclient import NotebookClient
    nb = load(name)
    nb.cells.insert(0, nbformat.v4.new_code_cell(_ALL_LOCKED))
    NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(NB_DIR)}}).execute()
    found = []
    for i, c in enumerate(nb.cells[1:]):
        for o in c.get("outputs", []):
            data = o.get("data", {})
            if "application/vnd.jupyter.widget-view+json" in data:
                continue                         # a widget: the browser tests read those on the page
            for text in [o.get("text", "")] + [data.get(k, "") for k in ("text/plain", "text/html", "text/markdown")]:
                found += [f"cell {i}: {r}" for r in raw_output(text)]
    assert not found, "\n".join(found)


@pytest.mark.parametrize("name", COURSE)
def test_the_prose_shows_no_code_to_a_student_of_the_app(name):
    # the Voila app hides code cells; a call written into the text would still reach the page
    for c in load(name).cells:
        if c.cell_type == "markdown":
            code = re.findall(r"`([^`]+)`", c.source)
            assert not [s for s in code if "(" in s or re.match(r"(?:ns|cases|clinic|exercises|limits)\.", s)], code


def test_the_model_page_reads_as_a_students_page():
    """Notebook 05: no file paths, test names, docstrings or source-reading remarks in its words (the
    developer's notes on the limitations are in docs/model_notes.md), and the tables it prints shown
    without them (view.tables.parameter_rows)."""
    nb = load("05_model_and_evidence.ipynb")
    words = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    assert not re.search(r"tests/|data/|\.py\b|\.csv\b|docstring|re-read|as recalled", words), \
        re.findall(r".{30}(?:tests/|data/|\.py\b|\.csv\b|docstring|re-read|as recalled).{20}", words)
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    assert "tables.parameter_rows(table)" in code and not re.search(r"^\s*# ", code, re.M)
    assert (NB_DIR.parent / "docs" / "model_notes.md").exists()


# -- no dead ends -----------------------------------------------------------------------------------

@pytest.mark.parametrize("name", COURSE)
def test_each_part_ends_with_what_was_learned_and_the_way_on(name):
    last = load(name).cells[-1]
    assert last.cell_type == "markdown" and last.source.startswith("## What you learned, and what comes next")
    assert len(re.findall(r"^- ", last.source, re.M)) >= 3
    links = re.findall(r"\]\(([^)]+\.ipynb)\)", last.source)
    following = COURSE[COURSE.index(name) + 1] if name != COURSE[-1] else COURSE[0]
    assert links == [following] and (NB_DIR / following).exists()


def test_the_course_map_lists_every_part():
    text = next(c.source for c in load("00_start_here.ipynb").cells if c.source.startswith("## Map of the notebooks"))
    assert re.findall(r"\]\(([^)]+\.ipynb)\)", text) == COURSE


@pytest.mark.parametrize("name", COURSE)
def test_every_preset_and_bar_chart_the_text_promises_is_on_the_page(name):
    nb = load(name)
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    offered = set(re.findall(r'"([^"]+)"', " ".join(re.findall(r"presets=\[([^\]]*)\]", code))))
    offered |= set(re.findall(r'"([^"]+)":', " ".join(re.findall(r"presets=\{(.*?)\}\)", code, re.S))))
    asked = [p for e in exercises.for_notebook(name[:-6]) for t in (e.question, *e.hints)
             for p in re.findall(r"'([^']+)' preset", t)]
    assert set(asked) <= offered, (name, set(asked) - offered)
    prose = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    if "bar chart" in prose:
        assert "joint_bars=True" in code, f"{name} promises a per-joint bar chart its explorer does not draw"
