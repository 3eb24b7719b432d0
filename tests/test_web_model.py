"""The model in the page (``neuralsim/web/model.js``) gives the library's numbers.

Python is the reference. Node runs the module (through ``tests/web/harness.mjs``) on cases this file
writes, and the comparison is made here, with the library's own functions:

* at 1.40, 1.75 and 2.10 m and each mobility, 10^4 seeded random postures drawn uniformly over every
  joint's whole range for that mobility, 256 corners of the ranges (every joint at one end), every
  protocol step (``protocols.ALL``) and every preset (``protocols.POSTURES``): the length of every
  structure and each joint's contribution within 0.01 mm;
* drawings of 10^4 of those random postures (bodies and views in turn), of every protocol step in
  its protocol's view and of every preset in every view: every point (joints, skeleton, head, segment
  origins, every nerve and muscle polyline) within 0.01 mm, the same number of points, frame angles
  within 1e-6 rad;
* refusals: the steps and presets a hypomobile body cannot take, angles just past each end of each
  range, angles that are no numbers, bad heights, mobilities, joints, views and structures: the same
  kind of error with the same message (and for a number out of range its quantity, value, range and unit).

Without Node the tests are skipped with the reason, except under ``CI=true``, where they fail (as the
browser tests do without Chromium). ``apt-get install nodejs`` gives Node 18 on Debian 12 (the module
is plain ES2022 and asks for no newer Node; it was checked here with Node 20); no npm package is used.
"""
from __future__ import annotations

import inspect
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from neuralsim.core.body import _SEGMENT_FRACTIONS, Body
from neuralsim.core.data import DATA_DIR
from neuralsim.core.errors import OutOfRangeError
from neuralsim.core.joints import JOINTS, MOBILITIES, joint_range
from neuralsim.core.posture import Posture
from neuralsim.model import protocols
from neuralsim.model.geometry import SEGMENTS, VIEWS, Pathway
from neuralsim.model.lengths import DRAWING_PROPORTIONS, body_frames, drawing, length_contributions, structure_length
from neuralsim.model.registry import current

ROOT = Path(__file__).resolve().parents[1]
MODEL_JS = ROOT / "neuralsim" / "web" / "model.js"
HARNESS = ROOT / "tests" / "web" / "harness.mjs"
HEIGHTS = (1.40, 1.75, 2.10)
BODIES = [(h, m) for h in HEIGHTS for m in MOBILITIES]
RANDOM = 10_000
TOL_MM = 0.01
TOL_RAD = 1e-6


def _missing(reason: str):
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI=true and {reason}: the page's model must be checked in CI "
                    "(install Node.js with `apt-get install -y nodejs`)", pytrace=False)
    pytest.skip(reason)


def _node() -> str:
    node = shutil.which("node")
    if node is None:
        _missing("node (Node.js) is not installed")
    out = subprocess.run([node, "--version"], capture_output=True, text=True, timeout=60).stdout.strip()
    major = re.match(r"v(\d+)\.", out)
    if major is None or int(major.group(1)) < 18:
        _missing(f"node is {out or 'of unknown version'}; the page's model is checked with Node.js 18 or later")
    return node


def _in_range(posture: Posture, mobility: str) -> bool:
    return all(joint_range(j, mobility)[0] - 1e-9 <= getattr(posture, j) <= joint_range(j, mobility)[1] + 1e-9
               for j in JOINTS)


def _named_postures() -> list[tuple[Posture, str]]:
    """Every protocol step with its protocol's view and every preset in every view."""
    out = [(step.posture, proto.view) for proto in protocols.ALL.values() for step in proto.steps]
    out += [(p, view) for p in protocols.POSTURES.values() for view in VIEWS]
    return out


def _refusals() -> list[dict]:
    """Calls the library refuses, each with what it is given."""
    out = []
    for posture, view in _named_postures():
        for h, m in BODIES:
            if not _in_range(posture, m):
                angles = {j: float(a) for j, a in posture.angles().items() if a != 0.0}
                out.append({"call": "lengths", "posture": angles, "height": h, "mobility": m})
                out.append({"call": "drawing", "posture": angles, "height": h, "mobility": m, "view": view})
    for m in MOBILITIES:
        for j in JOINTS:
            lo, hi = joint_range(j, m)
            for a in (lo - 0.5, hi + 0.5, lo - 1e-6, hi + 1e-6, -1000.0, 1e7):
                out.append({"call": "lengths", "posture": {j: a}, "height": 1.75, "mobility": m})
    for bad in ("90", True, None, {"deg": 90}):
        out.append({"call": "lengths", "posture": {"knee_flexion": bad}, "height": 1.75, "mobility": "typical"})
    out += [
        {"call": "lengths", "posture": {}, "height": 2.5, "mobility": "typical"},
        {"call": "lengths", "posture": {}, "height": 1.0, "mobility": "typical"},
        {"call": "lengths", "posture": {}, "height": "1.75", "mobility": "typical"},
        {"call": "lengths", "posture": {}, "height": 1.75, "mobility": "flexible"},
        {"call": "lengths", "posture": {}, "height": 1.75, "mobility": 3},
        {"call": "lengths", "posture": {"elbow_flexion": 10}, "height": 1.75, "mobility": "typical"},
        {"call": "drawing", "posture": {"hip_flexion": 30}, "height": 1.75, "mobility": "typical", "view": "upside_down"},
        {"call": "contributions", "posture": {}, "height": 1.75, "mobility": "typical", "structure": "deltoid"},
        {"call": "contributions", "posture": {"knee_flexion": 141}, "height": 1.75, "mobility": "typical",
         "structure": "sciatic"},
    ]
    return out


def _python_refusal(case: dict):
    try:
        body = Body(case["height"], case["mobility"])
        if case["call"] == "lengths":
            for s in current():
                structure_length(case["posture"], s, body=body)
        elif case["call"] == "contributions":
            length_contributions(case["posture"], case["structure"], body=body)
        else:
            drawing(case["posture"], body, case["view"])
    except (TypeError, ValueError) as e:
        out = {"kind": "type" if isinstance(e, TypeError) else "value", "message": str(e)}
        if isinstance(e, OutOfRangeError):
            out.update(quantity=e.quantity, value=e.value, range=list(e.range), unit=e.unit)
        return out
    return None


def _drawn(d: dict) -> tuple[list[np.ndarray], list[float]]:
    """A drawing's polylines and numbers in the harness's order."""
    reg = current()
    lines = [np.array(list(d["joints"].values())), *d["skeleton"], np.array([d["head"][0]]),
             np.array([d["frames"][s][0] for s in SEGMENTS])]
    lines += [d["nerves"][n] for n in reg.nerves] + [d["muscles"][m] for m in reg.muscles]
    scalars = [d["head"][1], *(d["frames"][s][1] for s in SEGMENTS), d["nerve_drawn_length_mm"]]
    return [np.asarray(x, dtype=float).reshape(-1, 2) for x in lines], scalars


@pytest.fixture(scope="module")
def cases(tmp_path_factory):
    return write_cases(tmp_path_factory.mktemp("web-model"), RANDOM)


def write_cases(out: Path, random: int) -> dict:
    """The postures (rows: ``random`` per body, the corners, the named postures), their bodies, the
    drawings and the refusals, written to ``out`` for the harness."""
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(26)
    rows, row_body = [], []
    for b, (_h, m) in enumerate(BODIES):
        lo = np.array([joint_range(j, m)[0] for j in JOINTS])
        hi = np.array([joint_range(j, m)[1] for j in JOINTS])
        rows.append(rng.uniform(lo, hi, size=(random, len(JOINTS))))
        corners = rng.integers(0, 2, size=(256, len(JOINTS))).astype(bool)
        corners[0], corners[1] = False, True              # every joint at its lowest, at its highest
        rows.append(np.where(corners, hi, lo))
        named = [p.as_array() for p, _view in _named_postures() if _in_range(p, m)]
        rows.append(np.array(named))
        row_body += [b] * (random + 256 + len(named))
    rows = np.concatenate(rows)
    row_body = np.array(row_body, dtype=np.int32)
    drawings = []
    starts = [int(np.flatnonzero(row_body == b)[0]) for b in range(len(BODIES))]
    for i in range(random):             # random postures: as many in all, bodies and views in turn
        b, k = i % len(BODIES), i // len(BODIES)
        drawings.append((starts[b] + k, k % len(VIEWS)))
    for b, (_h, m) in enumerate(BODIES):  # named postures, in their views
        start = starts[b] + random + 256
        named = [(p, view) for p, view in _named_postures() if _in_range(p, m)]
        drawings += [(start + k, VIEWS.index(view)) for k, (_p, view) in enumerate(named)]
    drawings = np.array(drawings, dtype=np.int32)
    rows.astype("<f8").tofile(out / "postures.f64")
    row_body.astype("<i4").tofile(out / "rows_body.i32")
    drawings.astype("<i4").tofile(out / "drawings.i32")
    refusals = _refusals()
    spec = {"data_dir": str(DATA_DIR), "drawing": dict(DRAWING_PROPORTIONS), "bodies": BODIES,
            "postures": str(out / "postures.f64"), "rows_body": str(out / "rows_body.i32"),
            "drawings": str(out / "drawings.i32"), "refusals": refusals, "out": str(out)}
    (out / "cases.json").write_text(json.dumps(spec), "utf-8")
    return {"rows": rows, "row_body": row_body, "drawings": drawings, "refusals": refusals, "dir": out}


def run_harness(cases: dict, model: Path = MODEL_JS) -> dict:
    """Run Node on the cases with ``model``; the harness's results, read back."""
    node = _node()
    out = cases["dir"]
    done = subprocess.run([node, str(HARNESS), str(out / "cases.json"), str(model)], capture_output=True,
                          text=True, timeout=600)
    assert done.returncode == 0, f"the harness failed:\n{done.stderr[-4000:]}"
    result = json.loads((out / "result.json").read_text("utf-8"))
    n, ns, nj = len(cases["rows"]), len(result["structures"]), len(result["joints"])
    result["lengths"] = np.fromfile(out / "lengths.f64", "<f8").reshape(n, ns)
    result["contributions"] = np.fromfile(out / "contributions.f64", "<f8").reshape(n, ns, nj)
    result["points"] = np.fromfile(out / "drawing.f64", "<f8").reshape(-1, 2)
    result["counts"] = np.fromfile(out / "drawing_counts.i32", "<i4")
    result["scalars"] = np.fromfile(out / "drawing_scalars.f64", "<f8").reshape(len(cases["drawings"]), -1)
    return result


@pytest.fixture(scope="module")
def js(cases):
    return run_harness(cases)


def test_the_tables_are_the_librarys(js):
    reg = current()
    assert js["joints"] == list(JOINTS)
    assert js["nerves"] == list(reg.nerves) and js["muscles"] == list(reg.muscles)
    assert js["structures"] == list(reg) and js["segments"] == list(SEGMENTS) and js["views"] == list(VIEWS)
    assert js["ranges"] == {m: [list(joint_range(j, m)) for j in JOINTS] for m in MOBILITIES}
    for (h, m), segments in zip(BODIES, js["segment_mm"]):
        assert set(segments) == set(_SEGMENT_FRACTIONS)
        for name, mm in segments.items():
            assert abs(mm - Body(h, m).segment(name)) < 1e-9, (h, m, name)


def _rows_of(cases: dict, b: int) -> np.ndarray:
    return np.flatnonzero(cases["row_body"] == b)


def _length_gap(cases: dict, js: dict) -> float:
    """The largest difference (mm) between the page's and the library's lengths over every row."""
    gap = 0.0
    for b, (h, m) in enumerate(BODIES):
        rows = _rows_of(cases, b)
        postures = Posture.from_array(cases["rows"][rows])
        for s, name in enumerate(js["structures"]):
            want = structure_length(postures, name, body=Body(h, m))
            gap = max(gap, float(np.abs(js["lengths"][rows, s] - want).max()))
    return gap


def test_the_comparison_sees_a_broken_wrap(tmp_path):
    """The check can fail: with the wrap law bent (``d sin(phi)`` for ``d phi``: 41 mm x (pi/2 - 1),
    23 mm, at a hip flexed 90 deg) the page's lengths leave the library's, on the corners and the
    named postures; the module as it is stays within 0.01 mm of them."""
    source = MODEL_JS.read_text("utf-8")
    law = "return phi >= 0.0 ? d * phi : (2.0 * d) * Math.tan(0.5 * phi);"
    assert source.count(law) == 1
    broken = tmp_path / "model.js"
    broken.write_text(source.replace(law, law.replace("d * phi", "d * Math.sin(phi)")), "utf-8")
    small = write_cases(tmp_path / "cases", random=0)
    assert _length_gap(small, run_harness(small, broken)) > 10.0
    assert _length_gap(small, run_harness(small)) < TOL_MM


def test_every_length_within_a_hundredth_of_a_mm(cases, js):
    for b, (h, m) in enumerate(BODIES):
        rows = _rows_of(cases, b)
        postures = Posture.from_array(cases["rows"][rows])
        for s, name in enumerate(js["structures"]):
            want = structure_length(postures, name, body=Body(h, m))
            got = js["lengths"][rows, s]
            worst = int(np.argmax(np.abs(got - want)))
            assert abs(got[worst] - want[worst]) < TOL_MM, (
                f"{name} at {h} m, {m}: {got[worst]} mm in the page, {want[worst]} mm in the library "
                f"for {dict(zip(JOINTS, cases['rows'][rows[worst]]))}")


def test_every_contribution_within_a_hundredth_of_a_mm(cases, js):
    for b, (h, m) in enumerate(BODIES):
        rows = _rows_of(cases, b)
        postures = Posture.from_array(cases["rows"][rows])
        for s, name in enumerate(js["structures"]):
            want = length_contributions(postures, name, body=Body(h, m))
            for j, joint in enumerate(JOINTS):
                got = js["contributions"][rows, s, j]
                worst = int(np.argmax(np.abs(got - want[joint])))
                assert abs(got[worst] - want[joint][worst]) < TOL_MM, (
                    f"{name}, {joint} at {h} m, {m}: {got[worst]} mm in the page, {want[joint][worst]} mm "
                    f"in the library for {dict(zip(JOINTS, cases['rows'][rows[worst]]))}")


def test_every_drawing_within_a_hundredth_of_a_mm(cases, js):
    reg = current()
    names = ["joints", "spine", "leg", "head centre", "segment origins", *reg.nerves, *reg.muscles]
    at = line = resampled = 0
    for k, (row, view_index) in enumerate(cases["drawings"]):
        h, m = BODIES[cases["row_body"][row]]
        posture = Posture.from_array(cases["rows"][row])
        view = VIEWS[view_index]
        lines, scalars = _drawn(drawing(posture, Body(h, m), view))
        where = f"{view} drawing at {h} m, {m}, of {dict(zip(JOINTS, cases['rows'][row]))}"
        for name, want in zip(names, lines):
            count = int(js["counts"][line])
            if count != len(want) and name in reg:
                want = _resampled(name, posture, Body(h, m), view, count)
                resampled += 1
            assert count == len(want), f"{name}: {count} points in the page, {len(want)} in the library ({where})"
            got = js["points"][at:at + count]
            assert np.abs(got - want).max() < TOL_MM, f"{name}: {got} mm in the page, {want} in the library ({where})"
            at, line = at + count, line + 1
        got = js["scalars"][k]
        assert abs(got[0] - scalars[0]) < TOL_MM and abs(got[-1] - scalars[-1]) < TOL_MM, where
        assert np.abs(got[1:-1] - np.array(scalars[1:-1])).max() < TOL_RAD, where
    assert at == len(js["points"]) and line == len(js["counts"])
    assert len(cases["drawings"]) >= RANDOM
    # only the named postures (whole degrees) turn a joint by an exact multiple of the arc step
    assert resampled < len(_named_postures()) * len(BODIES), resampled


def _resampled(name: str, posture: Posture, body: Body, view: str, count: int) -> np.ndarray:
    """The library's polyline of ``name`` with ``count`` points, when a joint turns by an exact
    multiple of the arc step (3 deg: a knee bent 120 deg is 40 steps): the number of points on that
    arc then hangs on the last bit of ``atan2``, which glibc and V8 round differently
    (-2.0943951023931953 against ...57 rad for that knee). The library is asked with the step
    nudged by 1e-12 of itself, which moves only such a boundary; anything else keeps its count and
    still fails."""
    frames, angles = body_frames(posture, body, view)
    path = current().pathway(name, body)
    step = inspect.signature(Pathway.points).parameters["arc_step_deg"].default
    for nudged in (step * (1 - 1e-12), step * (1 + 1e-12)):
        points = path.points(frames, angles, arc_step_deg=nudged)
        if len(points) == count:
            return points
    return path.points(frames, angles)


def test_every_refusal_is_the_librarys(cases, js):
    assert len(js["errors"]) == len(cases["refusals"])
    refused = 0
    for case, got in zip(cases["refusals"], js["errors"]):
        want = _python_refusal(case)
        assert want is not None, f"the library takes {case}: it belongs in the equality cases, not the refusals"
        assert got == want, f"{case}: the page says {got}, the library {want}"
        refused += 1
    # the named postures a hypomobile body cannot take are among them (hip flexion 90 is its end)
    assert refused > 6 * len(JOINTS) * len(MOBILITIES)


def test_the_module_holds_no_model_number():
    """As the library's geometry code (tests/test_parameters.py): below its marker line, model.js
    holds no numeric literal but neutral ones, so every model number comes from the data files (or,
    for the head, from DRAWING_PROPORTIONS) and the page cannot keep an old value when they change.
    Above the marker are the text helpers (number formatting, CSV)."""
    text = MODEL_JS.read_text("utf-8")
    marker = "// ---- the model: no number below but neutral ones"
    assert text.count(marker) == 1
    code = text[text.index(marker):]
    code = re.sub(r"/\*.*?\*/|//[^\n]*|`(?:[^`\\]|\\.)*`|\"(?:[^\"\\]|\\.)*\"|'(?:[^'\\]|\\.)*'", "", code,
                  flags=re.S)
    # the library's neutral literals, a radix, and the degrees of a half turn
    allowed = {"0", "0.0", "1", "1.0", "2", "2.0", "0.5", "1000.0", "1e-9", "1e-6", "3.0", "10", "180.0"}
    numbers = set(re.findall(r"(?<![\w.])\d+(?:\.\d+)?(?:e[+-]?\d+)?", code))
    assert "1000.0" in numbers and "createModel" in code      # the scan reads the model, not an empty tail
    assert numbers - allowed == set(), f"model.js holds the numbers {sorted(numbers - allowed)}"
