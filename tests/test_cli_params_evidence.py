"""The command line table, the parameter file, and the evidence comparisons."""
import csv
import math
import re
import subprocess
import sys
from importlib import resources
from pathlib import Path

import pytest

import neuralsim as ns
from neuralsim import parameters as P, protocols
from neuralsim.evidence import comparisons, core_rows

ROOT = Path(__file__).resolve().parents[1]


def test_cli_slump_table_matches_the_library():
    out = subprocess.run([sys.executable, "-m", "neuralsim", "slump"], capture_output=True, text=True, check=True).stdout
    lines = [l for l in out.splitlines() if l[:1].isalpha() and "  " in l and not l.startswith("step")]
    rows = {}
    for l in lines:
        m = re.match(r"(.+?)\s{2,}([\d.]+)\s+([+-][\d.]+)((?:\s+[\d.]+)+)$", l)
        if m:
            rows[m.group(1).strip()] = [float(m.group(2)), float(m.group(3))] + [float(x) for x in m.group(4).split()]
    assert list(rows) == [n for n, _ in protocols.SLUMP_SEED]
    prev = None
    for name, p in protocols.SLUMP_SEED:
        rel, change, bed, sm, st_, bf, *others = rows[name]
        assert rel == pytest.approx(ns.relative_bed_length(p), abs=5e-4)
        assert bed == pytest.approx(ns.nerve_bed_length(p), abs=0.05)
        assert change == pytest.approx(0.0 if prev is None else ns.nerve_bed_length(p) - prev, abs=0.05)
        assert st_ == pytest.approx(ns.muscle_length(p, "semitendinosus"), abs=0.05)
        prev = ns.nerve_bed_length(p)


def test_readme_shows_the_current_slump_table():
    out = subprocess.run([sys.executable, "-m", "neuralsim", "slump"], capture_output=True, text=True, check=True).stdout
    readme = (ROOT / "README.md").read_text()
    table = "\n".join(out.strip().splitlines()[2:])
    assert table in readme, "README's slump table is stale: paste the output of `python -m neuralsim slump`"


def test_every_parameter_row_is_complete():
    text = resources.files("neuralsim").joinpath("data/parameters.csv").read_text()
    rows = list(csv.DictReader(text.splitlines()))
    assert len(rows) == len(P.PARAMETERS) > 30
    for r in rows:
        assert r["name"] and r["unit"] and r["source"], r
        assert r["status"] in ("confirmed", "approximate"), r
        assert math.isfinite(float(r["value"]))
    # what evidence.md marks confirmed and the model uses directly
    assert P.PARAMETERS["nerve_offset_hip"].value == 41 and P.PARAMETERS["nerve_offset_hip"].status == "confirmed"


def test_no_model_number_hides_outside_the_parameter_file():
    """The geometry code holds no numeric literal but neutral ones: every model number is in parameters.csv."""
    import io
    import tokenize
    allowed = {"0", "0.0", "1", "1.0", "2", "2.0", "0.5", "1000.0", "1e-9", "1e-6", "3.0", "64", "-1", "+1"}
    for name in ("model.py", "body.py", "geometry.py"):
        src = (ROOT / "neuralsim" / name).read_text()
        for tok in tokenize.generate_tokens(io.StringIO(src).readline):
            if tok.type == tokenize.NUMBER and tok.string not in allowed:
                line = src.splitlines()[tok.start[0] - 1]
                assert line.strip().startswith("_HEAD_"), f"{name}:{tok.start[0]}: literal {tok.string} in {line.strip()!r}"


def test_cli_lists_protocols_and_params(capsys):
    from neuralsim.__main__ import main
    assert main(["protocols"]) == 0
    out = capsys.readouterr().out
    for key in protocols.ALL:
        assert key in out
    assert main(["params"]) == 0
    out = capsys.readouterr().out
    assert "nerve_offset_hip" in out and "Robinson" in out


def test_core_evidence_rows_are_within_or_explained():
    rows = core_rows()
    assert len(rows) >= 12
    for r in rows:
        assert set(r) >= {"quantity", "published", "low", "high", "unit", "model", "within", "source", "status", "limitation"}
        if r["within"]:
            assert r["limitation"] == ""
        else:
            assert len(r["limitation"]) > 40, r["quantity"]


def test_hip_figure_is_within_two_percent():
    hip = ns.bed_contributions(ns.Posture(hip_flexion=90))["hip_flexion"]
    assert hip == pytest.approx(41 * math.pi / 2, rel=0.02)


@pytest.mark.parametrize("muscle,lo,hi", [("semitendinosus", 40, 55), ("semimembranosus", 20, 40),
                                           ("biceps_femoris_lh", 15, 25)])
def test_hamstring_knee_moment_arms_in_published_ranges(muscle, lo, hi):
    """Finite-difference moment arms between 0 and 30 deg of knee flexion lie in Spoor's ranges."""
    for k in range(0, 31, 5):
        a = ns.muscle_length(ns.Posture(knee_flexion=k), muscle)
        b = ns.muscle_length(ns.Posture(knee_flexion=k + 0.5), muscle)
        arm = (a - b) / math.radians(0.5)
        assert lo <= arm <= hi


def test_hamstrings_depend_more_on_hip_than_knee():
    for m in ns.HAMSTRINGS:
        hip = ns.muscle_length(ns.Posture(hip_flexion=90), m) - ns.muscle_length(ns.Posture(), m)
        knee = ns.muscle_length(ns.Posture(), m) - ns.muscle_length(ns.Posture(knee_flexion=90), m)
        assert hip > knee
    bf_hip = ns.muscle_length(ns.Posture(hip_flexion=90), "biceps_femoris_lh") - ns.muscle_length(ns.Posture(), "biceps_femoris_lh")
    bf_knee = ns.muscle_length(ns.Posture(), "biceps_femoris_lh") - ns.muscle_length(ns.Posture(knee_flexion=90), "biceps_femoris_lh")
    assert bf_hip > 2 * bf_knee


def test_spinal_canal_lengthening_in_published_range_mostly_cervical():
    def span(joint):
        lo, hi = ns.joint_range(joint)
        c = ns.bed_contributions(ns.Posture(**{joint: hi}), reference=ns.Posture(**{joint: lo}))
        return c[joint]
    parts = {j: span(j) for j in ("cervical_flexion", "thoracic_flexion", "lumbar_flexion")}
    assert 50 <= sum(parts.values()) <= 90
    assert max(parts, key=parts.get) == "cervical_flexion"


def test_delp_segment_ratio_is_a_stated_limitation():
    row = next(r for r in core_rows() if r["quantity"].startswith("thigh length over shank"))
    assert not row["within"] and "Winter" in row["limitation"]
    assert row["model"] == pytest.approx(0.245 / 0.246, abs=1e-3)
    assert row["low"] < 0.396 / 0.426 < row["high"]


def test_structural_differentiation_direction():
    """Neck flexion leaves less knee extension before the bed reaches a set length; DF and IR add to it."""
    from neuralsim.evidence import knee_angle_at_onset
    slumped = protocols.SLUMP_CLASSIC[1].posture
    onset = ns.nerve_bed_length(slumped.replace(knee_flexion=20))
    flexed = knee_angle_at_onset(slumped.replace(cervical_flexion=45), onset)
    extended = knee_angle_at_onset(slumped.replace(cervical_flexion=-30), onset)
    assert flexed > 20 > extended
    df = knee_angle_at_onset(slumped.replace(cervical_flexion=45, ankle_dorsiflexion=15), onset)
    ir = knee_angle_at_onset(slumped.replace(cervical_flexion=45, ankle_dorsiflexion=15, hip_internal_rotation=20), onset)
    assert ir > df > flexed


def test_comparisons_include_every_evidence_row_once_mechanics_exists():
    rows = comparisons()
    assert len(rows) >= len(core_rows())
