"""Rows of dicts shown as readable tables in notebooks and the Voila app.

The library's tables are lists of dicts with code-style keys (``nerve_mm``,
``hip_deg@1.04``) and values such as joint code names (``cervical_flexion``).
:func:`show` turns them into a table a student reads: plain column names with
units, plain joint names, numbers rounded, yes/no for true/false, and a dash
for a missing value.  It shows whatever columns the rows carry, so a table that
gains a column still renders.

>>> t = show([{"joint": "cervical_flexion", "nerve_mm": 10.47, "within": True}])
>>> print(t)
joint        | nerve bed (mm) | within the published range?
neck flexion | 10.5           | yes
"""
from __future__ import annotations

import math
import re
from html import escape
from typing import Any, Mapping, Sequence

from ..core.joints import LABELS
from ..model import registry as _reg

__all__ = ["Table", "Tables", "show", "show_evidence", "column_label", "cell_text"]

#: Plain names of the columns the library's tables use.
COLUMN_LABELS: Mapping[str, str] = {
    "quantity": "what is compared",
    "published": "published figure",
    "low": "published low",
    "high": "published high",
    "model": "model",
    "within": "within the published range?",
    "source": "source",
    "status": "status",
    "limitation": "why the model differs",
    "conditions": "measured in",
    "kind": "kind",
    "name": "name",
    "value": "value",
    "unit": "unit",
    "note": "note",
    "joint": "joint",
    "step": "step",
    "nerve_mm": "nerve bed (mm)",
    "bed_mm": "nerve bed (mm)",
    "change_mm": "bed change in this step (mm)",
    "relative_bed": "bed relative to standing",
    "hamstrings_mm": "hamstrings, mean (mm)",
    "hamstrings_change_mm": "hamstrings change in this step (mm)",
    "bed_change_mm": "bed change (mm)",
    "excursion_mm": "nerve slide (mm)",
    "peak_strain_pct": "peak strain (%)",
    "strain_rise_pct": "rise of peak strain (%)",
    "hip_deg": "hip angle (°)",
    "earlier_by_deg": "sooner by (°)",
    "rms_difference_mm": "RMS difference of the change (mm)",
    "opensim_rms_change_mm": "OpenSim's RMS change (mm)",
    "ratio_pct": "difference / OpenSim's change (%)",
    "largest_difference_mm": "largest difference (mm)",
    "agrees": "within the tolerance?",
}

_SUFFIX = {"_mm": " (mm)", "_deg": " (°)", "_pct": " (%)", "_m": " (m)"}


def column_label(key: str) -> str:
    """Plain name of a column: ``"semitendinosus_mm"`` -> ``"semitendinosus (mm)"``."""
    if key in COLUMN_LABELS:
        return COLUMN_LABELS[key]
    m = re.fullmatch(r"(.+?)(_mm|_deg|_pct|_m)(@.*)?", key)
    if m:
        at = f" at {m.group(3)[1:]}" if m.group(3) else ""
        return _plain(m.group(1)) + at + _SUFFIX[m.group(2)]
    return _plain(key)


_NAMES = {"nerve": "nerve bed"}


def _plain(text: str) -> str:
    if text in LABELS:
        return LABELS[text]
    if text in _NAMES:
        return _NAMES[text]
    muscle = _reg.current().muscles.get(text)
    if muscle is not None:                # the name the figure's key gives it, from the registry
        return muscle.figure_name
    return text.replace("_", " ")


#: Units as a page prints them (the data files' ASCII forms: ``deg``, ``cm^2``; ``1``: a ratio, no unit).
_UNITS = {"deg": "°", "cm^2": "cm²", "mm^2": "mm²", "1": ""}


def unit_text(unit: str) -> str:
    """A data file's unit as a page prints it: ``"deg"`` -> ``"°"``, ``"cm^2"`` -> ``"cm²"``, ``"1"`` -> ``""``."""
    return _UNITS.get(unit, unit)


def quantity_text(text: str) -> str:
    """A data file's description of a quantity as a page prints it: degrees as ``°``
    (``"90 deg hip"`` -> ``"90° hip"``, ``"(deg)"`` -> ``"(°)"``), arrows as ``→``, squared units
    as ``²``, a structure's identifier (``biceps_femoris_lh``) by its name."""
    text = re.sub(r"(\d) ?deg\b", r"\1°", text)
    text = re.sub(r"\(deg\b", "(°", text)
    text = text.replace(" -> ", " → ").replace("->", " → ").replace("^2", "²")
    return re.sub(r"\b[a-z]+(?:_[a-z]+)+\b", lambda m: _plain(m.group(0)), text)


#: The project's own remarks inside a parameter's source (which test checks it, whether the figure was
#: re-read in the source): for its developers, kept in the data file, left off a student's page.
_REMARKS = (
    re.compile(r";\s*value as recalled from its table, not re-read"),
    re.compile(r";\s*quoted widely, not read in the source: status 'check' in data/evidence\.csv"),
    re.compile(r"[;,]\s*(?:tested|checked) in (?:tests|data)/[\w./-]+"),
    re.compile(r"\s*\([^()]*\b(?:tested|checked) in (?:tests|data)/[\w./-]+\)"),
)
#: The data files by the names a page gives them.
_FILES = ((re.compile(r"\bdata/evidence\.csv\b"), "the evidence table"),
          (re.compile(r"\bdata/parameters\.csv\b"), "the parameter table"))


def source_text(source: str) -> str:
    """A parameter's source as a student's page prints it: the citation and the reasoning, without
    the project's remarks on them (:data:`_REMARKS`: test files, data files, "not re-read")."""
    for pat in _REMARKS:
        source = pat.sub("", source)
    for pat, name in _FILES:
        source = pat.sub(name, source)
    return source


def parameter_rows(rows: Sequence[Mapping]) -> list[dict]:
    """Rows of :func:`neuralsim.core.parameters.table` for a student's page: each source as
    :func:`source_text` gives it."""
    return [dict(r, source=source_text(str(r.get("source", "")))) for r in rows]


def cell_text(value: Any, digits: int | None = 1, signed: bool = False) -> str:
    """One value as text: yes/no, numbers rounded to ``digits`` (``None``: about three significant
    figures; no ``-0.0``; ``+`` with ``signed``), a dash for nothing."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if digits is None:      # about three significant figures, never an exponent
            digits = 0 if abs(value) >= 100 else 1 if abs(value) >= 10 else 2 if abs(value) >= 1 else 3
        text = f"{value:+.{digits}f}" if signed else f"{value:.{digits}f}"
        if float(text) == 0:
            text = text.lstrip("+-")
        return text
    if isinstance(value, str):
        return _plain(value) if re.fullmatch(r"[a-z]+_[a-z_]+", value) else value
    return str(value)


class Table:
    """A list of rows shown as an HTML table (notebooks, Voila) or as aligned text."""

    def __init__(self, rows: Sequence[Mapping], columns: Sequence[str] | None = None,
                 caption: str = "", digits: int | None = 1, signed: Sequence[str] = ()):
        self.rows = [dict(r) for r in rows]
        if columns is None:
            columns = list(dict.fromkeys(k for r in self.rows for k in r))
        self.columns = list(columns)
        self.caption = caption
        self.digits = digits
        self.signed = set(signed)

    def cells(self) -> list[list[str]]:
        """Header and body as text: the first row is the plain column names."""
        head = [column_label(c) for c in self.columns]
        body = [[cell_text(r.get(c), self.digits, c in self.signed) for c in self.columns] for r in self.rows]
        return [head] + body

    def __repr__(self) -> str:
        cells = self.cells()
        widths = [max(len(row[i]) for row in cells) for i in range(len(self.columns))]
        lines = [" | ".join(t.ljust(w) for t, w in zip(row, widths)).rstrip() for row in cells]
        return ((self.caption + "\n") if self.caption else "") + "\n".join(lines)

    def _repr_html_(self) -> str:
        head, *body = self.cells()
        cap = f"<caption style='text-align:left;font-weight:bold'>{escape(self.caption)}</caption>" \
            if self.caption else ""
        th = "".join(f"<th scope='col' style='text-align:left;padding:3px 8px'>{escape(h)}</th>" for h in head)
        rows = "".join("<tr>" + "".join(f"<td style='text-align:left;padding:3px 8px;vertical-align:top'>"
                                        f"{escape(c)}</td>" for c in row) + "</tr>" for row in body)
        return (f"<table class='neuralsim-table' style='border-collapse:collapse;font-size:0.95em'>{cap}"
                f"<thead><tr>{th}</tr></thead><tbody>{rows}</tbody></table>")


def show(rows: Sequence[Mapping] | Mapping, columns: Sequence[str] | None = None, caption: str = "",
         digits: int = 1, signed: Sequence[str] = ()) -> Table:
    """A :class:`Table` of ``rows`` (a list of dicts, or one dict shown as one row).

    ``columns``: which keys, in order (default: every key); ``signed``: columns of
    changes, written with ``+`` or ``-``.
    """
    if isinstance(rows, Mapping):
        rows = [rows]
    return Table(rows, columns, caption, digits, signed)


class Tables:
    """Several :class:`Table` shown one after the other."""

    def __init__(self, tables: Sequence[Table]):
        self.tables = list(tables)

    def __repr__(self) -> str:
        return "\n\n".join(repr(t) for t in self.tables)

    def _repr_html_(self) -> str:
        return "<br>".join(t._repr_html_() for t in self.tables)


#: Evidence columns in reading order; columns for the program (the model quantity's key, how a row
#: is checked, the range's ends, already in the published text) are left out; any other column shows at the end.
EVIDENCE_FIRST = ("quantity", "published", "unit", "model", "within", "conditions", "source", "status", "limitation")
EVIDENCE_HIDDEN = ("key", "check", "low", "high", "kind")


def show_evidence(rows: Sequence[Mapping]) -> Tables:
    """The rows of :func:`neuralsim.evidence.comparisons` as two tables: comparisons, then inputs.

    Whatever rows and columns it is given are shown (a row without a ``kind``
    counts as a comparison), with plain column names.
    """
    keys = list(dict.fromkeys(k for r in rows for k in r))
    columns = [k for k in EVIDENCE_FIRST if k in keys] + [k for k in keys
                                                          if k not in EVIDENCE_FIRST and k not in EVIDENCE_HIDDEN]
    rows = [dict(r, within="not compared") if r.get("model") is None and r.get("check") != "direction"
            and not r.get("within") else r for r in rows]
    kinds = {"comparison": "Comparisons: the model beside figures it was not set from",
             "input": "Inputs: figures a parameter was taken from (they match because they were copied)"}
    out = []
    for kind, caption in kinds.items():
        part = [r for r in rows if r.get("kind", "comparison") == kind]
        if part:
            out.append(Table(part, columns, caption, digits=None))
    other = [r for r in rows if r.get("kind", "comparison") not in kinds]
    if other:
        out.append(Table(other, columns, "Other figures", digits=None))
    return Tables(out)
