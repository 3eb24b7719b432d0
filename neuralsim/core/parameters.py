"""Every number the model uses, read once from ``data/parameters.csv``.

Each row of the file has a ``name``, a ``value``, a ``unit``, a ``source`` and
a ``status`` (``confirmed`` when the figure was read in the cited source,
``approximate`` otherwise) and a short ``note``.  Nothing else in the package
hard-codes a model parameter: it asks :func:`value`.

>>> value("nerve_offset_hip")
41.0
>>> PARAMETERS["nerve_offset_hip"].unit
'mm'
"""
from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Mapping
from .data import read_text

__all__ = ["Parameter", "PARAMETERS", "value", "table"]

_STATUSES = ("confirmed", "approximate")


@dataclass(frozen=True)
class Parameter:
    """One model parameter: its value, unit, source and status."""

    name: str
    value: float
    unit: str
    source: str
    status: str
    note: str = ""

    def __post_init__(self) -> None:
        if not self.name:
            raise ValueError("a parameter needs a name")
        if self.status not in _STATUSES:
            raise ValueError(
                f"parameter {self.name!r}: status {self.status!r} is not one of {_STATUSES}"
            )
        if not self.unit:
            raise ValueError(f"parameter {self.name!r} has no unit")
        if not self.source:
            raise ValueError(f"parameter {self.name!r} has no source")


def _load() -> Mapping[str, Parameter]:
    text = read_text("parameters.csv")
    rows = {}
    for row in csv.DictReader(text.splitlines()):
        p = Parameter(
            name=row["name"].strip(),
            value=float(row["value"]),
            unit=row["unit"].strip(),
            source=row["source"].strip(),
            status=row["status"].strip(),
            note=(row.get("note") or "").strip(),
        )
        if p.name in rows:
            raise ValueError(f"parameter {p.name!r} is defined twice in parameters.csv")
        rows[p.name] = p
    return MappingProxyType(rows)


#: All parameters by name (read-only mapping), loaded once at import.
PARAMETERS: Mapping[str, Parameter] = _load()


def value(name: str) -> float:
    """The value of parameter ``name`` in the unit its row states."""
    try:
        return PARAMETERS[name].value
    except KeyError:
        raise KeyError(f"no parameter named {name!r} in parameters.csv") from None


def table() -> list[dict[str, object]]:
    """All parameters as a list of plain dicts (for notebooks and docs)."""
    return [
        {"name": p.name, "value": p.value, "unit": p.unit, "status": p.status,
         "source": p.source, "note": p.note}
        for p in PARAMETERS.values()
    ]
