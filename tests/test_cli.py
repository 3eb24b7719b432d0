"""The command line, ``python -m neuralsim`` (neuralsim/__main__.py): its tables are the library's numbers."""
import re
import subprocess
import sys
from pathlib import Path

import pytest

import neuralsim as ns
from neuralsim.model import protocols
from neuralsim.classroom.cli import main

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


def test_cli_lists_protocols_and_params(capsys):
    from neuralsim.classroom.cli import main
    assert main(["protocols"]) == 0
    out = capsys.readouterr().out
    for key in protocols.ALL:
        assert key in out
    assert main(["params"]) == 0
    out = capsys.readouterr().out
    assert "nerve_offset_hip" in out and "Robinson" in out


def test_cli_unknown_protocol_is_a_clear_error(capsys):
    assert main(["table", "cartwheel"]) == 2
    err = capsys.readouterr().err
    assert "unknown protocol 'cartwheel'" in err and "slump" in err
