"""The published figures as data (neuralsim/evidence/rows.py): data/evidence.csv read once, looked up by name."""
import csv

import pytest

from neuralsim.core.data import read_text
from neuralsim.core.errors import UnknownNameError
from neuralsim.evidence import rows


def test_one_row_per_line_of_the_file_with_numbers_for_the_range():
    lines = list(csv.DictReader(read_text("evidence.csv").splitlines()))
    assert len(rows.EVIDENCE) == len(lines) >= 40
    kne = rows.row("knee_extension_hip90")
    assert (kne["low"], kne["high"], kne["unit"]) == (30.9, 39.5, "deg")       # 35.2 +/- 1.96 x 14.2 / sqrt(42), as in the CSV
    assert rows.row("coppieters_direction")["low"] is None                        # direction only: no range


def test_an_unknown_row_names_the_known_ones():
    with pytest.raises(UnknownNameError, match="unknown evidence row 'nope'.*knee_extension_hip90"):
        rows.row("nope")


def test_a_row_of_an_unknown_kind_is_refused(monkeypatch):
    bad = read_text("evidence.csv").replace(",comparison,range,", ",guess,range,", 1)
    monkeypatch.setattr(rows, "read_text", lambda name: bad)
    with pytest.raises(ValueError, match="kind 'guess'"):
        rows._load()
