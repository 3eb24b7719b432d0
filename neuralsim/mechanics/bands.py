"""The one scale of local nerve strain, used by the figure, the plots and the mechanics.

The strain is elongation beyond the nerve's in-situ length (its length lying
at rest in the body), as the thresholds were measured: the ``in_situ_``
outputs of :func:`neuralsim.nerve_mechanics`, not its strain from the
unloaded length.  The bands are for peripheral nerve; the cord and the roots
have bands of their own (:mod:`neuralsim.mechanics.nerve`).

Each band starts at a published threshold (a row of ``data/parameters.csv``
with its source) and is described in ``data/strain_bands.csv``: a name, a
short plain label, what the animal experiments saw, a colour and a dash
pattern.  The thresholds are from rabbit nerves (Lundborg & Rydevik 1973:
venous flow impaired at 8 %, ischaemia at 15 %; Kwan et al. 1992: conduction
kept at 8 %, about 99 % block at 15 %; Ogata & Naito 1986: blood flow stops
above 15.7 %).  Below 8 % no published threshold applies, and the band says
so.  For education only, not clinical limits (:data:`BAND_CAVEAT`).

The colours (sky blue, orange, dark red, black) stay apart under simulated
protanopia, deuteranopia and tritanopia (tested), and colour is never the only
cue: every band has a text :attr:`StrainBand.label` (and a dash pattern).

>>> strain_band(3.0), strain_band(8.0), strain_band(16.0)
('low', 'venous flow impaired', 'blood flow stops')
>>> STRAIN_BANDS[1].label
'8-15 %: venous flow impaired'
"""
from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..core import parameters as _p
from ..core.errors import OutOfRangeError
from ..core.data import read_text

__all__ = ["StrainBand", "STRAIN_BANDS", "BAND_CAVEAT", "strain_band", "strain_colour",
           "band_index", "check_strain"]

#: Said wherever the strain bands are shown.
BAND_CAVEAT = ("These thresholds come from experiments on rabbit nerves; they are given for "
               "education and are not clinical limits for people.")


@dataclass(frozen=True)
class StrainBand:
    """A band of local nerve strain, ``lower_pct <= strain < upper_pct`` (%).

    ``range_label``: the range in words ("8-15 %"), the shortest text cue;
    ``label``: the range and the meaning in a few words; ``meaning``: a sentence on what was seen at that
    strain; ``source``: the studies (from the parameter rows); ``colour``: hex;
    ``pattern``: an SVG ``stroke-dasharray`` ("" = solid), a second cue.
    """

    name: str
    lower_pct: float
    upper_pct: float
    range_label: str
    label: str
    meaning: str
    source: str
    colour: str
    pattern: str


def _load() -> tuple[StrainBand, ...]:
    text = read_text("strain_bands.csv")
    rows = list(csv.DictReader(text.splitlines()))
    values = {n: p.value for n, p in _p.PARAMETERS.items()}
    lowers = [values[r["lower_parameter"]] if r["lower_parameter"] else 0.0 for r in rows]
    if lowers[0] != 0.0 or any(b <= a for a, b in zip(lowers, lowers[1:])):
        raise ValueError("strain band thresholds in parameters.csv must start at 0 % and increase")
    uppers = lowers[1:] + [math.inf]
    bands = []
    for r, lo, hi in zip(rows, lowers, uppers):
        srcs = []
        for name in r["source_parameters"].split(";"):
            s = _p.PARAMETERS[name].source
            if s not in srcs:
                srcs.append(s)
        rng = f"under {hi:g} %" if lo == 0.0 else f"from {lo:g} %" if math.isinf(hi) else f"{lo:g}-{hi:g} %"
        bands.append(StrainBand(
            name=r["name"], lower_pct=lo, upper_pct=hi, range_label=rng, label=f"{rng}: {r['short']}",
            meaning=r["meaning"].format(**values), source="; ".join(srcs),
            colour=r["colour"], pattern=r["pattern"]))
    return tuple(bands)


#: The strain bands, lowest first (animal-model thresholds, for education only).
STRAIN_BANDS: tuple[StrainBand, ...] = _load()
_EDGES = np.array([b.lower_pct for b in STRAIN_BANDS[1:]])
_NAMES = np.array([b.name for b in STRAIN_BANDS], dtype=object)
_COLOURS = np.array([b.colour for b in STRAIN_BANDS], dtype=object)


def check_strain(strain_pct: Any) -> np.ndarray:
    """Local strain (%) as a float array; ``TypeError`` for non-numbers,
    :class:`~neuralsim.errors.OutOfRangeError` for negative, NaN or infinite strain."""
    if (isinstance(strain_pct, (bool, np.bool_, str, bytes, bytearray, complex, np.complexfloating))
            or strain_pct is None):
        raise TypeError(f"strain: {strain_pct!r} is not a number; give local strain in %, "
                        "a finite number, 0 % or more")
    try:
        arr = np.asarray(strain_pct)
    except (TypeError, ValueError, OverflowError):
        raise TypeError(f"strain: {strain_pct!r} is not a number; give local strain in %, 0 % or more") from None
    if arr.dtype.kind not in "iuf":
        raise TypeError(f"strain: {strain_pct!r} is not a number; give local strain in %, 0 % or more")
    arr = arr.astype(float)
    bad = ~np.isfinite(arr) | (arr < 0.0)
    if bad.any():
        val = float(arr[bad].flat[0])
        raise OutOfRangeError("strain", val, 0.0, math.inf, "%",
                              reason="is not allowed" if not math.isfinite(val) else None)
    return arr


def band_index(strain_pct: Any) -> np.ndarray:
    """Index into :data:`STRAIN_BANDS` of each local strain (%); same shape as the input."""
    return np.searchsorted(_EDGES, check_strain(strain_pct), side="right")


def strain_band(strain_pct: Any):
    """Name of the band of a local strain (%, >= 0): ``str`` for a scalar, an array for an array."""
    out = _NAMES[band_index(strain_pct)]
    return str(out) if np.ndim(out) == 0 else out


def strain_colour(strain_pct: Any):
    """Hex colour of the band of a local strain (%, >= 0): ``str`` for a scalar, an array for an array."""
    out = _COLOURS[band_index(strain_pct)]
    return str(out) if np.ndim(out) == 0 else out
