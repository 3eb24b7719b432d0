"""Matplotlib figures for analysis (not for the live explorer, which is SVG).

Length-angle curves, heat maps over two joints, protocol step bars, the
straight-leg raise with sensitisers, the model beside the published figures
and nerve strain profiles.  Every function returns the matplotlib ``Figure``;
every number drawn is handed in, computed by the model (mm, degrees, %):
:mod:`neuralsim.classroom.figures` computes them and calls these.  Colours are the
the figure's: the nerve blue, the hamstrings purple, the calf grey; lines also
differ in style.
"""
from __future__ import annotations

from typing import Any, Mapping, Sequence

import numpy as np

from ..mechanics.bands import STRAIN_BANDS
from ..core.joints import UNIT
from . import tables as _tables
from .svg import HAMSTRING_COLOUR, JOINT_LABELS, NERVE_COLOUR, OKABE_ITO, muscle_info, muscle_styles

__all__ = ["length_angle_curves", "two_joint_heatmap", "step_bars", "sensitiser_curves",
           "evidence_figure", "strain_profiles"]

# One colour meaning across the figure, the gauges and these plots: the nerve blue, the
# hamstrings purple (told apart by line style), the calf grey.
#: Line styles of each muscle group's lines in turn (matplotlib), beside the group's colour
#: (:func:`neuralsim.view.svg.muscle_styles`, the figure's): a second cue besides colour.
_GROUP_LINES = {"hamstrings": ("--", "-.", ":"), "calf": ((0, (5, 1, 1, 1, 1, 1)),)}
_OTHER_LINE = (0, (2, 2))


def _muscle_lines(names) -> dict:
    """muscle -> (colour, matplotlib line style, label): the figure's colour of its group, its
    group's styles in turn, the registry's name for it."""
    out, seen = {}, {}
    for m, (group, colour, _w, _dash) in muscle_styles(names).items():
        styles = _GROUP_LINES.get(group, (_OTHER_LINE,))
        k = seen.get(group, 0)
        seen[group] = k + 1
        out[m] = (colour, styles[k % len(styles)], muscle_info(m)[2])
    return out


#: Okabe-Ito without yellow (too pale for lines on white).
#: Lines that are all the nerve under different conditions: blues, greens and greys (never the
#: hamstrings' purple or the strain halo's yellow-brown), told apart by line style too.
_LINE_COLOURS = [NERVE_COLOUR, OKABE_ITO["black"], OKABE_ITO["sky_blue"], OKABE_ITO["bluish_green"],
                 "#777777", "#00466E", "#5FB89A"]



def _finish(fig, ax, xlabel, ylabel, title=None, legend=True):
    """Axis labels (units in the text), optional title and legend, then a tight layout."""
    if xlabel is not None:
        ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if title is not None:
        ax.set_title(title)
    if legend:
        ax.legend(fontsize=8)
    fig.tight_layout()

def _plt():
    import matplotlib.pyplot as plt
    return plt


def length_angle_curves(joint: str, angles: Sequence[float], nerve_mm: Sequence[float],
                        muscles_mm: Mapping[str, Sequence[float]]):
    """Change of bed and muscle lengths (mm) as ``joint`` sweeps ``angles`` (deg).

    ``nerve_mm``: the bed's change at each angle (mm); ``muscles_mm``: muscle -> its change (mm).
    """
    angles = np.asarray(angles, dtype=float)
    plt = _plt()
    fig, ax = plt.subplots(figsize=(6.5, 4))
    ax.plot(angles, np.broadcast_to(np.asarray(nerve_mm, dtype=float), angles.shape),
            "-", color=NERVE_COLOUR, lw=3, label="nerve bed")
    lines = _muscle_lines(list(muscles_mm))
    for m, change in muscles_mm.items():
        change = np.broadcast_to(np.asarray(change, dtype=float), angles.shape)
        colour, style, label = lines[m]
        ax.plot(angles, change, linestyle=style, color=colour, lw=2, label=label)
    ax.axhline(0, color="#999999", lw=0.8)
    _finish(fig, ax, f"{JOINT_LABELS[joint]} ({UNIT})", "change of length (mm)",
            f"Lengths as {JOINT_LABELS[joint]} moves")
    return fig


def two_joint_heatmap(joint_x: str, joint_y: str, xs: Sequence[float], ys: Sequence[float], bed_pct):
    """Heat map of the bed's change against standing (%) over two joints (deg), with contours every 1 %.

    ``xs``/``ys``: the angles of ``joint_x``/``joint_y`` (deg); ``bed_pct``: shape ``(len(ys), len(xs))``."""
    X, Y = np.meshgrid(np.asarray(xs, dtype=float), np.asarray(ys, dtype=float))
    rel = np.asarray(bed_pct, dtype=float)
    plt = _plt()
    fig, ax = plt.subplots(figsize=(6, 4.6))
    im = ax.pcolormesh(X, Y, rel, cmap="cividis", shading="auto")
    cs = ax.contour(X, Y, rel, levels=np.arange(np.floor(rel.min()), np.ceil(rel.max()) + 1, 1.0),
                    colors="white", linewidths=0.6)
    ax.clabel(cs, fmt="%g %%", fontsize=7)
    fig.colorbar(im, ax=ax, label="nerve bed against standing (%)")
    _finish(fig, ax, f"{JOINT_LABELS[joint_x]} ({UNIT})", f"{JOINT_LABELS[joint_y]} ({UNIT})",
            "Nerve bed length over two joints", legend=False)
    return fig


def step_bars(rows: Sequence[Mapping], muscles_label: str = "hamstrings (mean)"):
    """Bars of the change per step (mm) of a protocol: nerve bed beside the mean hamstring.

    ``rows``: :func:`neuralsim.state.analysis.step_table` rows (``step``, ``change_mm``,
    ``hamstrings_change_mm``); ``muscles_label``: the legend's words for the muscle bars."""
    plt = _plt()
    fig, ax = plt.subplots(figsize=(7, 3.8))
    x = np.arange(len(rows))
    ax.bar(x - 0.2, [r["change_mm"] for r in rows], 0.4, color=NERVE_COLOUR, label="nerve bed")
    ax.bar(x + 0.2, [r["hamstrings_change_mm"] for r in rows], 0.4, color=HAMSTRING_COLOUR,
           hatch="//", label=muscles_label)
    ax.axhline(0, color="#666666", lw=0.8)
    ax.set_xticks(x, [r["step"] for r in rows], rotation=25, ha="right", fontsize=8)
    _finish(fig, ax, None, "change from previous step (mm)")
    return fig


def sensitiser_curves(hips: Sequence[float], curves: Mapping[str, Sequence[float]],
                      hip_deg: Mapping[str, float], relative_target: float = 1.04):
    """Bed against standing (%) as the straight leg is raised, for each sensitiser; the target as a line.

    ``hips``: hip flexion angles (deg, knee straight); ``curves``: sensitiser -> the bed against
    standing (%) at each angle; ``hip_deg``: sensitiser -> the hip angle where the bed reaches
    ``relative_target`` (deg)."""
    hips = np.asarray(hips, dtype=float)
    plt = _plt()
    fig, ax = plt.subplots(figsize=(6.5, 4))
    colours = _LINE_COLOURS
    styles = ["-", "--", "-.", ":", (0, (5, 1)), (0, (1, 1))]
    for i, (name, rel) in enumerate(curves.items()):
        ax.plot(hips, np.asarray(rel, dtype=float), linestyle=styles[i % len(styles)], color=colours[i % len(colours)], lw=2,
                label=f"{name}: {hip_deg[name]:.0f}{chr(176)}")
    ax.axhline(100.0 * (relative_target - 1.0), color="#000000", lw=1)
    _finish(fig, ax, f"hip flexion, knee straight ({UNIT})", "nerve bed against standing (%)",
            f"Straight-leg raise: where the bed reaches +{100 * (relative_target - 1):.0f} %")
    return fig


def evidence_figure(rows: Sequence[Mapping]):
    """The model beside each published figure with a numeric range.

    Each row is drawn on its own scale: the published range as a bar from
    ``low`` to ``high`` (open-ended when ``high`` is None), the model as a dot
    (filled when within, a cross when outside).  Rows without numbers are left
    to the table.  ``rows``: :func:`neuralsim.evidence.comparisons` rows.
    """
    num = [r for r in rows if r.get("model") is not None and r.get("low") is not None]
    plt = _plt()
    fig, axes = plt.subplots(len(num), 1, figsize=(8, 0.62 * len(num) + 0.6), squeeze=False)
    for ax, r in zip(axes[:, 0], num):
        lo, hi, m = float(r["low"]), r["high"], float(r["model"])
        top = float(hi) if hi is not None else max(lo, m) * 1.5 + 1e-9
        span = max(top - lo, abs(lo) * 0.1, 1e-6)
        left, right = min(lo, m) - 0.3 * span, max(top, m) + 0.3 * span
        ax.barh(0, top - lo, left=lo, height=0.5, color=OKABE_ITO["sky_blue"],
                hatch=None if hi is not None else "..")
        ax.plot([m], [0], "o" if r["within"] else "X", color=OKABE_ITO["black"] if r["within"]
                else OKABE_ITO["vermillion"], ms=8)
        ax.set_xlim(left, right)
        ax.set_yticks([])
        ax.tick_params(axis="x", labelsize=7)
        unit = _tables.unit_text(str(r["unit"]))
        value = _tables.cell_text(m, digits=None) + ("" if unit in ("", "°") else " ") + unit
        ax.set_title(f"{_tables.quantity_text(str(r['quantity']))}: model {value}", fontsize=7, loc="left", pad=2)
    fig.tight_layout()
    return fig


def strain_profiles(results: Mapping[str, Any]):
    """Local strain beyond the in-situ length (%) along the nerve (mm from its upper end) for named postures.

    ``results``: name -> a :func:`neuralsim.mechanics.nerve_mechanics` result (``s_mm``,
    ``in_situ_strain_profile_pct``, ``peak_nerve_in_situ_strain_pct``).

    Dotted lines, each labelled, mark where the
    bands of :mod:`neuralsim.bands` start (animal-model thresholds for peripheral nerve, for
    teaching only; the cord and roots have bands of their own); each line's label gives the
    peak along the peripheral nerve.
    """
    plt = _plt()
    fig, ax = plt.subplots(figsize=(7, 3.8))
    # line colours none of the strain bands uses, so a posture's line is never read as a threshold
    colours = [c for c in _LINE_COLOURS if c.upper() not in {b.colour.upper() for b in STRAIN_BANDS}]
    styles = ["-", "--", "-.", ":"]
    for i, (name, r) in enumerate(results.items()):
        ax.plot(np.asarray(r.s_mm), np.asarray(r.in_situ_strain_profile_pct), linestyle=styles[i % 4],
                color=colours[i % len(colours)], lw=2,
                label=f"{name} (nerve peak {float(r.peak_nerve_in_situ_strain_pct):.1f} %)")
    for i, band in enumerate(STRAIN_BANDS[1:], 1):   # the one band scale (neuralsim.bands), labelled
        dashes = tuple(float(x) for x in band.pattern.split())       # the band's own dash pattern
        ax.axhline(band.lower_pct, color=band.colour, lw=1.0, ls=(0, dashes) if dashes else "-")
        close = i + 1 < len(STRAIN_BANDS) and STRAIN_BANDS[i + 1].lower_pct - band.lower_pct < 2.0
        ax.annotate(band.label, (1.0, band.lower_pct), xycoords=("axes fraction", "data"),
                    ha="right", va="top" if close else "bottom", fontsize=7, color=band.colour)
    ax.set_ylim(top=max(ax.get_ylim()[1], STRAIN_BANDS[-1].lower_pct * 1.1))   # room for the top label
    _finish(fig, ax, "position along the nerve from its upper end (mm)",
            "local strain beyond in-situ length (%)")
    return fig
