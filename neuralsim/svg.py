"""SVG pictures of one posture, drawn from the library's own geometry.

Every coordinate drawn comes from :func:`neuralsim.model.drawing`, the same
geometry whose lengths :func:`neuralsim.nerve_bed_length` and
:func:`neuralsim.muscle_length` return, so the picture and the numbers cannot
disagree.  World coordinates are millimetres (x forwards, y up); the SVG
flips y (SVG y points down) and keeps millimetres as user units.

The pictures are plain strings (no matplotlib, nothing fetched from the
network): :func:`posture_svg` draws the stick figure, the nerve bed and the
hamstrings; :func:`contributions_svg` draws a bar chart of each joint's
contribution to the change of bed length (mm).  Both carry ``<title>`` and
``<desc>`` for screen readers.

Colours are the Okabe-Ito palette (safe for the common colour-vision
deficiencies); every colour is also backed by a second cue (dash pattern,
sign printed beside a bar, band label in the legend).

>>> from neuralsim import Posture
>>> s = posture_svg(Posture(hip_flexion=90), view="standing")
>>> s.startswith("<svg") and "<title" in s and "<desc" in s
True
"""
from __future__ import annotations

import itertools
import math
from html import escape
from typing import Any, Mapping

import numpy as np

from . import bands as _bands
from .body import DEFAULT_BODY, HEIGHT_RANGE_M, Body
from .joints import JOINTS, LABELS, UNIT
from .model import HAMSTRINGS, MUSCLES, NERVES, drawing, nerve_bed_length, muscle_length, relative_bed_length
from .posture import as_posture

__all__ = [
    "OKABE_ITO", "NERVE_COLOUR", "HAMSTRING_COLOUR", "STRAIN_BANDS", "JOINT_LABELS",
    "posture_svg", "contributions_svg", "view_box", "describe", "Picture", "picture", "protocol_strip", "strain_colour", "load_mechanics", "points_attr",
]

#: The Okabe-Ito colour-blind-safe palette (name -> hex).
OKABE_ITO: Mapping[str, str] = {
    "black": "#000000", "orange": "#E69F00", "sky_blue": "#56B4E9", "bluish_green": "#009E73",
    "yellow": "#F0E442", "blue": "#0072B2", "vermillion": "#D55E00", "reddish_purple": "#CC79A7",
}
#: Nerve colour when no strain model is available.
NERVE_COLOUR = OKABE_ITO["blue"]
#: Hamstring colour (drawn dashed as a second cue).
HAMSTRING_COLOUR = OKABE_ITO["reddish_purple"]
GASTROC_COLOUR = "#888888"
#: Line style of each muscle group: (colour, width, SVG dash attribute, CSS class); a group not
#: listed (a new one in the registry) is drawn with the last entry's style under its own class.
_GROUP_STYLES: Mapping[str, tuple[str, float, str, str]] = {
    "hamstrings": (HAMSTRING_COLOUR, 8, ' stroke-dasharray="28 16"', "neuralsim-hamstring"),
    "calf": (GASTROC_COLOUR, 6, ' stroke-dasharray="6 12"', "neuralsim-gastrocnemius"),
    "quadriceps": (OKABE_ITO["bluish_green"], 8, ' stroke-dasharray="10 10 2 10"', "neuralsim-quadriceps"),
}
SKELETON_COLOUR = "#444444"

#: Strain bands: the one scale of :mod:`neuralsim.bands` (also used by the mechanics).
STRAIN_BANDS = _bands.STRAIN_BANDS

#: Short plain names of the joints, for labels (an alias of the joint table's labels).
JOINT_LABELS: Mapping[str, str] = LABELS

# The picture's box is fixed per view (so the figure does not jump while a
# slider moves, and a taller body really looks taller): world x0, y0, x1, y1
# as fractions of the tallest body the model accepts, found by sampling
# hypermobile postures of that body (every drawn point fell inside).
_BOXES: Mapping[str, tuple[float, float, float, float]] = {
    "standing": (-0.48, -0.64, 0.53, 0.53),
    "sitting": (-0.53, -0.47, 0.64, 0.53),
    "supine": (-0.53, -0.48, 0.64, 0.64),
    "prone": (-0.64, -0.64, 0.53, 0.48),        # the supine box turned half a turn (head to the right)
    "side_lying": (-0.53, -0.48, 0.64, 0.64),   # held like supine, seen from above
}
_H_MAX_MM = HEIGHT_RANGE_M[1] * 1000.0


def view_box(view: str) -> tuple[float, float, float, float]:
    """World box ``(x0, y0, x1, y1)`` in mm drawn for ``view`` (fits every posture of every body)."""
    try:
        x0, y0, x1, y1 = _BOXES[view]
    except KeyError:
        raise ValueError(f"unknown view {view!r}: choose one of {', '.join(_BOXES)}") from None
    return (x0 * _H_MAX_MM, y0 * _H_MAX_MM, x1 * _H_MAX_MM, y1 * _H_MAX_MM)


_ids = itertools.count(1)


def load_mechanics():
    """``neuralsim.mechanics.nerve_mechanics`` if that module can be imported, else ``None``."""
    try:
        from .mechanics import nerve_mechanics
    except Exception:  # the mechanics model is optional for drawing
        return None
    return nerve_mechanics


strain_colour = _bands.strain_colour
_band_index = _bands.band_index


def points_attr(pts: np.ndarray) -> str:
    """SVG ``points`` text of a world polyline ``(k, 2)`` (mm), y flipped, 0.1 mm resolution."""
    a = np.round(np.asarray(pts, dtype=float) * (1.0, -1.0), 1) + 0.0  # + 0.0 turns -0.0 into 0.0
    # one %-format of the whole array: about half the time of formatting point by point
    return " ".join(["%g,%g"] * len(a)) % tuple(a.ravel().tolist())


def _polyline(pts, colour: str, width: float, extra: str = "", cls: str = "") -> str:
    c = f' class="{cls}"' if cls else ""
    return (f'<polyline{c} points="{points_attr(pts)}" fill="none" stroke="{colour}" '
            f'stroke-width="{width:g}" stroke-linejoin="round" stroke-linecap="round"{extra}/>')


def _nerve_segments(nerve: np.ndarray, strain: Any) -> tuple[list[str], float | None]:
    """Polylines of the nerve coloured by local strain; also the peak strain (%)."""
    # The mechanics model measures s along the bed in the anatomical position
    # (C1 at 0, the end of the bed at s[-1]); the drawn bed runs between the
    # same two ends, so points are matched by their fraction of the way along.
    s_mm = np.asarray(strain.s_mm, dtype=float)
    prof = np.asarray(strain.strain_profile_pct, dtype=float)
    seg = np.hypot(*np.diff(nerve, axis=0).T)
    s_draw = np.concatenate(([0.0], np.cumsum(seg)))
    mids = 0.5 * (s_draw[1:] + s_draw[:-1]) / s_draw[-1]
    local = np.interp(mids, (s_mm - s_mm[0]) / (s_mm[-1] - s_mm[0]), prof)
    band = _band_index(local)
    out = []
    start = 0
    n = len(band)
    for i in range(1, n + 1):
        if i == n or band[i] != band[start]:
            colour = STRAIN_BANDS[int(band[start])].colour
            out.append(_polyline(nerve[start:i + 1], colour, 14, cls="neuralsim-nerve"))
            start = i
    return out, float(strain.peak_strain_pct)


def posture_svg(posture: Any, body: Body | None = None, view: str = "standing", *,
                strain: Any = "auto", title: str | None = None, desc: str | None = None,
                width_px: int = 360, data: Mapping | None = None, legend: bool = True,
                numbers: Mapping | None = None, nerve: str | None = None) -> str:
    """An SVG picture (string) of one posture with a nerve bed and every muscle of the registry.

    ``posture``: a single :class:`~neuralsim.Posture` (angles in degrees) or a
    mapping joint -> degrees.  ``view``: ``"standing"``, ``"sitting"`` or
    ``"supine"``.  ``strain``: ``"auto"`` colours the nerve by local strain
    using :func:`neuralsim.mechanics.nerve_mechanics` when that module exists
    (plain blue otherwise); ``None`` never colours it; or a result object with
    ``s_mm`` and ``strain_profile_pct`` arrays (shape ``(N,)``, mm and %) and
    ``peak_strain_pct``.  ``title``/``desc`` replace the generated ones.
    ``data``: a precomputed :func:`neuralsim.model.drawing` result (saves work).
    ``legend``: draw the key in the top-left corner.  ``numbers``: precomputed
    lengths for the description (see :func:`describe`).  ``nerve``: the nerve
    bed drawn (a key of :data:`neuralsim.NERVES`; default the sciatic); strain
    colours only for a nerve the mechanics model covers.
    Drawing units are mm; ``width_px`` sets the displayed width in pixels.
    """
    b = DEFAULT_BODY if body is None else body
    p = as_posture(posture)
    d = drawing(p, b, view) if data is None else data
    nerve_pts = d["nerve"] if nerve is None else d["nerves"][nerve]
    if nerve is not None and not NERVES[nerve].mechanics:
        strain = None
    if isinstance(strain, str) and strain == "auto":
        nm = load_mechanics()
        strain = None
        if nm is not None:
            try:
                strain = nm(p, body=b)
            except TypeError:
                strain = None
    x0, y0, x1, y1 = view_box(view)
    bw, bh = x1 - x0, y1 - y0
    parts: list[str] = []
    if title is None:
        title = f"Stick figure, {view} view, with the nerve bed and the hamstrings"
    if desc is None:
        desc = describe(p, b, view, numbers, nerve=nerve)
    uid = next(_ids)
    parts.append(
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" class="neuralsim-posture" '
        f'viewBox="{x0:.0f} {-y1:.0f} {bw:.0f} {bh:.0f}" width="{width_px}" height="{width_px * bh / bw:.0f}" '
        f'aria-labelledby="ns-title-{uid} ns-desc-{uid}">'
        f'<title id="ns-title-{uid}">{escape(title)}</title><desc id="ns-desc-{uid}">{escape(desc)}</desc>'
    )
    # support surface: a table under the thigh when sitting, the couch under the back when supine
    t = 0.02 * _H_MAX_MM
    if view == "sitting":
        parts.append(f'<rect x="{-0.15 * _H_MAX_MM:.0f}" y="{1.6 * t:.0f}" width="{0.3 * _H_MAX_MM:.0f}" height="{t:.0f}" fill="#DDDDDD"/>')
    elif view == "supine":
        parts.append(f'<rect x="{x0:.0f}" y="{2.2 * t:.0f}" width="{0.6 * _H_MAX_MM - x0:.0f}" height="{t:.0f}" fill="#DDDDDD"/>')
    elif view == "prone":   # the couch under the front of the body (head to the right)
        parts.append(f'<rect x="{-0.6 * _H_MAX_MM:.0f}" y="{2.2 * t:.0f}" width="{x1 + 0.6 * _H_MAX_MM:.0f}" height="{t:.0f}" fill="#DDDDDD"/>')
    for line in d["skeleton"]:
        parts.append(_polyline(line, SKELETON_COLOUR, 22, cls="neuralsim-skeleton"))
    (cx, cy), r = d["head"]
    parts.append(f'<circle cx="{cx:.1f}" cy="{-cy:.1f}" r="{r:.1f}" fill="#FFFFFF" stroke="{SKELETON_COLOUR}" stroke-width="14"/>')
    peak = None
    if strain is not None:
        segs, peak = _nerve_segments(nerve_pts, strain)
        parts.extend(segs)
    else:
        parts.append(_polyline(nerve_pts, NERVE_COLOUR, 14, cls="neuralsim-nerve"))
    drawn_groups: dict[str, tuple] = {}
    for m, pts in d["muscles"].items():
        group = MUSCLES[m].group
        colour, width, dash, cls = _GROUP_STYLES.get(group, (*list(_GROUP_STYLES.values())[-1][:3], f"neuralsim-{group}"))
        drawn_groups.setdefault(group, (colour, dash))
        parts.append(_polyline(pts, colour, width, dash, cls=cls))
    if legend:
        # the key names every muscle group drawn but the calf (its grey dotted line is background)
        extra = [(g, c, dash) for g, (c, dash) in drawn_groups.items() if g not in ("hamstrings", "calf")]
        parts.append(_legend(x0, y1, bw, bh, peak, view, extra))
    parts.append("</svg>")
    return "".join(parts)


def _legend(bx0: float, by1: float, bw: float, bh: float, peak: float | None, view: str = "sitting",
            extra: list | tuple = ()) -> str:
    """Key in the top-left corner; the strain bands, when shown, in a bottom corner the body never
    reaches in that view (right when standing, left when sitting or lying)."""
    fs = 0.04 * bw
    x0, y0 = bx0 + 0.6 * fs, -by1 + 1.2 * fs
    out = [f'<g font-family="sans-serif" font-size="{fs:.0f}" fill="#222222">']
    nerve_label = "nerve bed" if peak is None else "nerve bed (colour = strain)"
    rows = [(nerve_label, NERVE_COLOUR if peak is None else STRAIN_BANDS[1].colour, ""),
            ("hamstrings", HAMSTRING_COLOUR, ' stroke-dasharray="28 16"'), *extra]
    for i, (label, colour, extra) in enumerate(rows):
        y = y0 + i * 1.3 * fs
        out.append(f'<line x1="{x0:.0f}" y1="{y:.0f}" x2="{x0 + 2.5 * fs:.0f}" y2="{y:.0f}" '
                   f'stroke="{colour}" stroke-width="{0.25 * fs:.0f}"{extra}/>')
        out.append(f'<text x="{x0 + 3 * fs:.0f}" y="{y + 0.35 * fs:.0f}">{label}</text>')
    if peak is not None:
        n = len(STRAIN_BANDS)
        y = -by1 + bh - (n + 1.2) * 1.2 * fs
        if view == "standing":
            x0 = bx0 + bw - 12.5 * fs
        out.append(f'<text x="{x0:.0f}" y="{y + 0.35 * fs:.0f}">nerve strain (peak {peak:.1f} %):</text>')
        for i, b in enumerate(STRAIN_BANDS):   # the range in words beside each colour, the meaning in <title>
            yy = y + (i + 1) * 1.2 * fs
            out.append(f'<rect x="{x0:.0f}" y="{yy - 0.4 * fs:.0f}" width="{1.5 * fs:.0f}" height="{0.8 * fs:.0f}" fill="{b.colour}">'
                       f'<title>{escape(b.label)}</title></rect>')
            out.append(f'<text x="{x0 + 2 * fs:.0f}" y="{yy + 0.35 * fs:.0f}">{escape(b.range_label)}</text>')
    out.append("</g>")
    return "".join(out)


def describe(posture: Any, body: Body | None = None, view: str = "standing",
             numbers: Mapping | None = None, *, nerve: str | None = None) -> str:
    """One-paragraph text description of a posture and its lengths (for ``<desc>``).

    ``numbers``: optional precomputed ``{"bed_mm", "relative_bed", "muscles_mm": {muscle: mm}}``
    (the explorer passes them so nothing is computed twice); else computed here.
    """
    b = DEFAULT_BODY if body is None else body
    p = as_posture(posture)
    angles = ", ".join(f"{JOINT_LABELS[j]} {float(getattr(p, j)):g} {UNIT}" for j in JOINTS)
    if nerve is not None:      # a named nerve: its bed, beside the muscle group it is told apart from
        group = NERVES[nerve].contrast
        mus = [m for m, s in MUSCLES.items() if s.group == group]
        bed = nerve_bed_length(p, nerve, body=b)
        return (f"{view.capitalize()} view of a {b.height_m:.2f} m body. Joint angles: {angles}. "
                f"{NERVES[nerve].label.capitalize()} {bed:.0f} mm, "
                f"{100 * (relative_bed_length(p, nerve=nerve, body=b) - 1):+.1f} % against standing. "
                f"{group.capitalize()}: " + ", ".join(
                    f"{MUSCLES[m].label} {muscle_length(p, m, body=b):.0f} mm" for m in mus) + ".")
    if numbers is None:
        numbers = {"bed_mm": nerve_bed_length(p, body=b), "relative_bed": relative_bed_length(p, body=b),
                   "muscles_mm": {m: muscle_length(p, m, body=b) for m in HAMSTRINGS}}
    bed, rel = numbers["bed_mm"], numbers["relative_bed"]
    ham = ", ".join(f"{m.replace('_lh', ' long head').replace('_', ' ')} {numbers['muscles_mm'][m]:.0f} mm"
                    for m in HAMSTRINGS)
    return (f"{view.capitalize()} view of a {b.height_m:.2f} m body. Joint angles: {angles}. "
            f"Nerve bed {bed:.0f} mm, {100 * (rel - 1):+.1f} % against standing. Hamstrings: {ham}.")


def contributions_svg(contributions: Mapping[str, float], *, title: str | None = None,
                      desc: str | None = None, scale_mm: float = 80.0, width_px: int = 360) -> str:
    """Horizontal bar chart (SVG string) of joint -> change of bed length (mm).

    Bars to the right (vermillion, sign "+") lengthen the bed, bars to the left
    (blue, sign "-") shorten it.  The axis spans ``±scale_mm`` and widens to
    the largest bar if that is bigger.
    """
    vals = [(j, float(contributions.get(j, 0.0))) for j in JOINTS]
    biggest = max(abs(v) for _j, v in vals)
    scale = max(scale_mm, biggest)
    row, label_w, bar_w, pad = 26, 150, 160, 60
    width = label_w + bar_w + pad
    height = row * len(vals) + 40
    total = sum(v for _j, v in vals)
    if title is None:
        title = "Change of nerve bed length at each joint, mm"
    if desc is None:
        desc = "; ".join(f"{JOINT_LABELS[j]} {v:+.1f} mm" for j, v in vals) + f". Total {total:+.1f} mm."
    x0 = label_w + bar_w / 2
    uid = next(_ids)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" class="neuralsim-bars" '
        f'viewBox="0 0 {width} {height}" width="{width_px}" height="{width_px * height / width:.0f}" '
        f'aria-labelledby="ns-bars-title-{uid} ns-bars-desc-{uid}" font-family="sans-serif" font-size="13">'
        f'<title id="ns-bars-title-{uid}">{escape(title)}</title><desc id="ns-bars-desc-{uid}">{escape(desc)}</desc>'
        f'<text x="{width / 2:.0f}" y="16" text-anchor="middle" fill="#222222">change of bed length (mm)</text>'
        f'<line x1="{x0:g}" y1="24" x2="{x0:g}" y2="{height - 8}" stroke="#666666"/>'
    ]
    for i, (j, v) in enumerate(vals):
        y = 28 + i * row
        w = (bar_w / 2) * abs(v) / scale
        colour = OKABE_ITO["vermillion"] if v >= 0 else OKABE_ITO["blue"]
        x = x0 if v >= 0 else x0 - w
        parts.append(f'<text x="{label_w - 6}" y="{y + 16}" text-anchor="end" fill="#222222">{JOINT_LABELS[j]}</text>')
        parts.append(f'<rect class="neuralsim-bar" data-joint="{j}" x="{x:.1f}" y="{y + 4}" width="{w:.1f}" height="{row - 8}" fill="{colour}"/>')
        parts.append(f'<text x="{x0 + bar_w / 2 + 4:g}" y="{y + 16}" fill="#222222">{int(round(v)):+d}</text>')
    parts.append("</svg>")
    return "".join(parts)


class Picture:
    """An SVG or HTML snippet that Jupyter displays (``_repr_html_``); ``.svg`` is the text."""

    def __init__(self, svg: str):
        self.svg = svg

    def _repr_html_(self) -> str:
        return self.svg

    def __repr__(self) -> str:
        return f"<neuralsim picture: {len(self.svg)} characters of SVG>"

    def save(self, path: str) -> None:
        """Write the SVG to ``path`` (a vector file for handouts)."""
        with open(path, "w", encoding="utf-8") as f:
            f.write(self.svg)


def picture(posture: Any, body: Body | None = None, view: str = "standing", **kw) -> Picture:
    """:func:`posture_svg` wrapped so that a notebook cell shows it."""
    return Picture(posture_svg(posture, body, view, **kw))


def protocol_strip(protocol: str, body: Body | None = None, width_px: int = 230) -> Picture:
    """Every step of a protocol as a small picture with its name and bed change (mm) underneath
    (the protocol's nerve, beside the muscle group its registry entry contrasts it with)."""
    from . import protocols
    from .analysis import step_table
    proto = protocols.ALL[protocol]
    rows = step_table(protocol, body)
    cells = []
    for i, ((name, p), r) in enumerate(zip(proto.steps, rows)):
        fig = posture_svg(p, body, proto.view, strain=None, width_px=width_px, legend=False,
                          title=f"Step {i + 1}: {name}", nerve=proto.nerve)
        cells.append(
            f'<figure style="margin:4px;width:{width_px}px">{fig}<figcaption style="font-size:0.85em">'
            f'<b>{i + 1}. {escape(name)}</b><br>bed {r["change_mm"]:+.1f} mm, now '
            f'{100 * (r["relative_bed"] - 1):+.1f} % against standing; {r["group"]} '
            f'{r[r["group"] + "_change_mm"]:+.1f} mm</figcaption></figure>')
    key = (f'<p style="font-size:0.85em">Solid blue: the {NERVES[proto.nerve].label}. Dashed purple: the hamstrings; '
           'dash-dot green: the quadriceps (rectus femoris). Grey: the skeleton and the support.</p>')
    return Picture(f'{key}<div style="display:flex;flex-wrap:wrap">{"".join(cells)}</div>')
