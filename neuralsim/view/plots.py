"""Matplotlib figures for analysis (not for the live explorer, which is SVG).

Length-angle curves, heat maps over two joints, protocol step bars, the
straight-leg raise with sensitisers, the model beside the published figures
and nerve strain profiles.  Every function returns the matplotlib ``Figure``;
all numbers come from the core model (mm, degrees, %).  Colours are the
the figure's: the nerve blue, the hamstrings purple, the calf grey; lines also
differ in style.
"""
from __future__ import annotations

from typing import Any, Mapping, Sequence

import numpy as np

from ..mechanics.bands import STRAIN_BANDS
from ..core.body import DEFAULT_BODY, Body
from ..core.joints import UNIT, joint_range
from ..model.lengths import MUSCLES, muscle_length, nerve_bed_length, relative_bed_length
from ..core.posture import Posture, as_posture
from .svg import GASTROC_COLOUR, HAMSTRING_COLOUR, JOINT_LABELS, NERVE_COLOUR, OKABE_ITO

__all__ = ["length_angle_curves", "two_joint_heatmap", "step_bars", "sensitiser_curves",
           "evidence_figure", "strain_profiles"]

# One colour meaning across the figure, the gauges and these plots: the nerve blue, the
# hamstrings purple (told apart by line style), the calf grey.
_COLOURS = {"nerve": NERVE_COLOUR, "semimembranosus": HAMSTRING_COLOUR,
            "semitendinosus": HAMSTRING_COLOUR, "biceps_femoris_lh": HAMSTRING_COLOUR,
            "gastrocnemius": GASTROC_COLOUR}
_STYLES = {"nerve": "-", "semimembranosus": "--", "semitendinosus": "-.", "biceps_femoris_lh": ":",
           "gastrocnemius": (0, (5, 1, 1, 1, 1, 1))}


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


def _b(body):
    return DEFAULT_BODY if body is None else body


def length_angle_curves(joint: str, base: Any = None, body: Body | None = None, n: int = 121):
    """Change of bed and muscle lengths (mm) as ``joint`` sweeps its whole range (deg) from ``base``.

    Changes are against ``base`` with ``joint`` at 0 (or at its range end nearest 0).
    """
    b = _b(body)
    p0 = Posture() if base is None else as_posture(base)
    lo, hi = joint_range(joint, b.mobility)
    angles = np.linspace(lo, hi, n)
    sweep = p0.replace(**{joint: angles})
    zero = p0.replace(**{joint: min(max(0.0, lo), hi)})
    plt = _plt()
    fig, ax = plt.subplots(figsize=(6.5, 4))
    ax.plot(angles, np.broadcast_to(nerve_bed_length(sweep, body=b) - nerve_bed_length(zero, body=b), angles.shape),
            _STYLES["nerve"],
            color=_COLOURS["nerve"], lw=3, label="nerve bed")
    for m in MUSCLES:
        change = np.broadcast_to(muscle_length(sweep, m, body=b) - muscle_length(zero, m, body=b), angles.shape)
        ax.plot(angles, change, linestyle=_STYLES.get(m, (0, (2, 2))),
                color=_COLOURS.get(m, OKABE_ITO["black"]), lw=2, label=m.replace("_lh", " (long head)").replace("_", " "))
    ax.axhline(0, color="#999999", lw=0.8)
    _finish(fig, ax, f"{JOINT_LABELS[joint]} ({UNIT})", "change of length (mm)",
            f"Lengths as {JOINT_LABELS[joint]} moves")
    return fig


def two_joint_heatmap(joint_x: str, joint_y: str, base: Any = None, body: Body | None = None, n: int = 61):
    """Heat map of the bed's change against standing (%) over two joints (deg), with contours every 1 %."""
    b = _b(body)
    p0 = Posture() if base is None else as_posture(base)
    xs = np.linspace(*joint_range(joint_x, b.mobility), n)
    ys = np.linspace(*joint_range(joint_y, b.mobility), n)
    X, Y = np.meshgrid(xs, ys)
    rel = 100.0 * (relative_bed_length(p0.replace(**{joint_x: X, joint_y: Y}), body=b) - 1.0)
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


def step_bars(protocol: str, body: Body | None = None):
    """Bars of the change per step (mm) of a protocol: nerve bed beside the mean hamstring."""
    from ..state.analysis import step_table
    rows = step_table(protocol, body)
    plt = _plt()
    fig, ax = plt.subplots(figsize=(7, 3.8))
    x = np.arange(len(rows))
    ax.bar(x - 0.2, [r["change_mm"] for r in rows], 0.4, color=_COLOURS["nerve"], label="nerve bed")
    ax.bar(x + 0.2, [r["hamstrings_change_mm"] for r in rows], 0.4, color=_COLOURS["semitendinosus"],
           hatch="//", label="hamstrings (mean of 3)")
    ax.axhline(0, color="#666666", lw=0.8)
    ax.set_xticks(x, [r["step"] for r in rows], rotation=25, ha="right", fontsize=8)
    _finish(fig, ax, None, "change from previous step (mm)")
    return fig


def sensitiser_curves(relative_target: float = 1.04, body: Body | None = None):
    """Bed against standing (%) as the straight leg is raised, for each sensitiser; the target as a line."""
    from ..state.analysis import SENSITISERS, sensitiser_table
    b = _b(body)
    lo, hi = joint_range("hip_flexion", b.mobility)
    hips = np.linspace(0.0, hi, 121)
    rows = {r["name"]: r for r in sensitiser_table(relative_target, b)}
    plt = _plt()
    fig, ax = plt.subplots(figsize=(6.5, 4))
    colours = _LINE_COLOURS
    styles = ["-", "--", "-.", ":", (0, (5, 1)), (0, (1, 1))]
    for i, (name, extra) in enumerate(SENSITISERS.items()):
        rel = 100.0 * (relative_bed_length(Posture(**extra).replace(hip_flexion=hips), body=b) - 1.0)
        ax.plot(hips, rel, linestyle=styles[i % len(styles)], color=colours[i % len(colours)], lw=2,
                label=f"{name}: {rows[name]['hip_deg']:.0f}{chr(176)}")
    ax.axhline(100.0 * (relative_target - 1.0), color="#000000", lw=1)
    _finish(fig, ax, f"hip flexion, knee straight ({UNIT})", "nerve bed against standing (%)",
            f"Straight-leg raise: where the bed reaches +{100 * (relative_target - 1):.0f} %")
    return fig


def evidence_figure(rows: Sequence[Mapping] | None = None):
    """The model beside each published figure with a numeric range.

    Each row is drawn on its own scale: the published range as a bar from
    ``low`` to ``high`` (open-ended when ``high`` is None), the model as a dot
    (filled when within, a cross when outside).  Rows without numbers are left
    to the table.
    """
    if rows is None:
        from ..evidence.comparisons import comparisons
        rows = comparisons()
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
        ax.set_title(f"{r['quantity']} [{r['unit']}]: model {m:g}", fontsize=7, loc="left", pad=2)
    fig.tight_layout()
    return fig


def strain_profiles(postures: Mapping[str, Any]):
    """Local nerve strain (%) along the nerve (mm from its upper end) for named postures.

    Dotted lines, each labelled, mark where the
    bands of :mod:`neuralsim.bands` start (animal-model thresholds, for teaching only).
    """
    from ..mechanics.nerve import nerve_mechanics
    plt = _plt()
    fig, ax = plt.subplots(figsize=(7, 3.8))
    # line colours none of the strain bands uses, so a posture's line is never read as a threshold
    colours = [c for c in _LINE_COLOURS if c.upper() not in {b.colour.upper() for b in STRAIN_BANDS}]
    styles = ["-", "--", "-.", ":"]
    for i, (name, p) in enumerate(postures.items()):
        r = nerve_mechanics(p)
        ax.plot(np.asarray(r.s_mm), np.asarray(r.strain_profile_pct), linestyle=styles[i % 4],
                color=colours[i % len(colours)], lw=2, label=f"{name} (peak {float(r.peak_strain_pct):.1f} %)")
    for i, band in enumerate(STRAIN_BANDS[1:], 1):   # the one band scale (neuralsim.bands), labelled
        dashes = tuple(float(x) for x in band.pattern.split())       # the band's own dash pattern
        ax.axhline(band.lower_pct, color=band.colour, lw=1.0, ls=(0, dashes) if dashes else "-")
        close = i + 1 < len(STRAIN_BANDS) and STRAIN_BANDS[i + 1].lower_pct - band.lower_pct < 2.0
        ax.annotate(band.label, (1.0, band.lower_pct), xycoords=("axes fraction", "data"),
                    ha="right", va="top" if close else "bottom", fontsize=7, color=band.colour)
    ax.set_ylim(top=max(ax.get_ylim()[1], STRAIN_BANDS[-1].lower_pct * 1.1))   # room for the top label
    _finish(fig, ax, "position along the nerve from its upper end (mm)", "local strain (%)")
    return fig
