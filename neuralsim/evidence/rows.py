"""The published figures as data: one dict per row of ``data/evidence.csv``."""
from __future__ import annotations

import csv

from ..core.data import read_text
from ..core.errors import UnknownNameError

__all__ = ["EVIDENCE", "KINDS", "CHECKS", "row"]

KINDS = ("comparison", "input")
CHECKS = ("range", "at_least", "direction", "none")


def _num(text: str) -> float | None:
    return None if text.strip() == "" else float(text)


def _load() -> tuple[dict, ...]:
    text = read_text("evidence.csv")
    rows = []
    for r in csv.DictReader(text.splitlines()):
        row = {k: v.strip() for k, v in r.items()}
        row["low"], row["high"] = _num(row["low"]), _num(row["high"])
        if row["kind"] not in KINDS or row["check"] not in CHECKS:
            raise ValueError(f"evidence.csv row {row['model']!r}: kind {row['kind']!r} / check {row['check']!r}")
        rows.append(row)
    return tuple(rows)


#: The published figures, one dict per row of ``data/evidence.csv`` (``low``/``high`` as numbers or ``None``).
EVIDENCE: tuple[dict, ...] = _load()


def row(model: str) -> dict:
    """The row whose ``model`` column is ``model`` (``UnknownNameError`` naming the known ones otherwise)."""
    for r in EVIDENCE:
        if r["model"] == model:
            return r
    raise UnknownNameError("evidence row", model, [r["model"] for r in EVIDENCE])
