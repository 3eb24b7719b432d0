"""SVG pictures of one posture, drawn from the library's own geometry.

Every coordinate drawn comes from a :func:`neuralsim.model.drawing` result the caller
hands in (the same geometry whose lengths :func:`neuralsim.nerve_bed_length` and
:func:`neuralsim.muscle_length` return, so the picture and the numbers cannot
disagree); this module computes no lengths, drawings or strains itself (an
import-linter contract holds it to that): :mod:`neuralsim.classroom.figures`
computes them and hands them here.  World coordinates are millimetres (x forwards, y up); the SVG
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
>>> from neuralsim.model import drawing, nerve_bed_length, relative_bed_length, muscle_length, HAMSTRINGS
>>> p = Posture(hip_flexion=90)
>>> numbers = {"bed_mm": nerve_bed_length(p), "relative_bed": relative_bed_length(p),
...            "muscles_mm": {m: muscle_length(p, m) for m in HAMSTRINGS}}
>>> s = posture_svg(p, view="standing", data=drawing(p), numbers=numbers)
>>> s.startswith("<svg") and "<title" in s and "<desc" in s
True
"""
from __future__ import annotations

import itertools
import math
from functools import lru_cache
from html import escape
from typing import Any, Mapping, NamedTuple

import numpy as np

from ..mechanics import bands as _bands
from ..core.body import DEFAULT_BODY, HEIGHT_RANGE_M, Body
from ..core.joints import JOINTS, LABELS, UNIT
from ..model import registry as _reg
from ..core.posture import as_posture

__all__ = [
    "OKABE_ITO", "NERVE_COLOUR", "HAMSTRING_COLOUR", "STRAIN_BANDS", "JOINT_LABELS",
    "posture_svg", "posture_parts", "POSTURE_PARTS", "picture_uid", "contributions_svg", "gauges_svg", "legend_svg", "muscle_info", "MUSCLE_STYLES", "support_fits", "view_box", "picture_box", "drawn_extent", "describe", "Picture", "picture", "strip", "strain_colour", "points_attr", "band_of",
    "Mark", "marks_svg", "MARK_R_MM", "number_text", "angle_text", "eyes_up_deg", "EYES_UP_MAX_DEG",
    "arm_points", "ARM_PLACES", "SIDE_LYING_TURN_DEG", "LARGE_TYPE_PX", "LARGE_W_PX",
]

#: The Okabe-Ito colour-blind-safe palette (name -> hex).
OKABE_ITO: Mapping[str, str] = {
    "black": "#000000", "orange": "#E69F00", "sky_blue": "#56B4E9", "bluish_green": "#009E73",
    "yellow": "#F0E442", "blue": "#0072B2", "vermillion": "#D55E00", "reddish_purple": "#CC79A7",
}
#: The nerve's colour everywhere (figure, gauges, plots, text): one meaning, the nerve.
NERVE_COLOUR = OKABE_ITO["blue"]
#: The hamstrings' colour everywhere; the three are told apart by dash pattern and label.
HAMSTRING_COLOUR = OKABE_ITO["reddish_purple"]
GASTROC_COLOUR = "#6E6E6E"
SKELETON_COLOUR = "#444444"
#: The silhouette: a light fill with a darker outline, so coloured paths read on it.
BODY_FILL, BODY_OUTLINE = "#E4E0DA", "#8A8580"
SUPPORT_FILL = "#C9C9C9"

#: Strain bands: the one scale of :mod:`neuralsim.bands` (also used by the mechanics).  Strain
#: is drawn as a halo round the (always blue) nerve: the band's colour, the band's dash pattern,
#: and a width that grows band by band (a cue that needs no colour at all); the key prints each
#: band's range and meaning.
STRAIN_BANDS = _bands.STRAIN_BANDS

#: Muscle group -> drawing style (colour, stroke width mm, dash patterns in turn).  A muscle
#: of a group not listed here is drawn in the "other" style: adding one from data never fails.
MUSCLE_STYLES: Mapping[str, tuple[str, float, tuple[str, ...]]] = {
    "hamstrings": (HAMSTRING_COLOUR, 16.0, ("none", "44 18", "12 12")),
    "calf": (GASTROC_COLOUR, 14.0, ("6 14",)),
    "quadriceps": (OKABE_ITO["bluish_green"], 18.0, ("30 12 6 12",)),
    "other": (OKABE_ITO["black"], 12.0, ("4 10",)),
}
def muscle_info(name: str) -> tuple[str, str, str]:
    """``(group, short label, full name)`` of a muscle, from the registry (its ``group``,
    ``figure_short`` and ``figure_name``); a group the drawing has no style for is ``"other"``,
    and so is a muscle the registry does not have (named by its own name)."""
    spec = _reg.current().muscles.get(name)
    if spec is None:                      # not in the registry: the default style
        return ("other", name.replace("_", " "), name.replace("_", " "))
    return (spec.group if spec.group in MUSCLE_STYLES else "other", spec.figure_short, spec.figure_name)


def muscle_styles(names) -> dict:
    """muscle -> ``(group, colour, stroke width mm, dash pattern)`` for ``names`` in order: each
    group's muscles take the group's dash patterns in turn (``"none"`` = solid).  One table for
    the figure, the key and the gauges, so a muscle looks the same in all three."""
    names = tuple(names)
    reg = _reg.current()
    key = (id(reg), names)
    got = _STYLES.get(key)
    if got is None or got[0] is not reg:        # the entry holds its registry: an id is never reused
        if len(_STYLES) > 256:
            _STYLES.clear()
        got = _STYLES[key] = (reg, _muscle_styles(names))
    return dict(got[1])


#: (registry, muscle names) -> their styles (the figure, its extent and the gauges ask on every update)
_STYLES: dict = {}


def _muscle_styles(names: tuple) -> dict:
    out, counts = {}, {}
    for m in names:
        group = muscle_info(m)[0]
        colour, width, dashes = MUSCLE_STYLES[group]
        k = counts[group] = counts.get(group, -1) + 1
        out[m] = (group, colour, width, dashes[k % len(dashes)])
    return out


#: Short plain names of the joints, for labels (an alias of the joint table's labels).
JOINT_LABELS: Mapping[str, str] = LABELS


def number_text(value: float, digits: int = 0, *, signed: bool = False) -> str:
    """A number as a student reads it: rounded to ``digits`` first, so that float noise (1e-14)
    and a negative zero read as 0; ``signed`` puts + or a minus in front.

    >>> number_text(-0.3, signed=True), number_text(2.449, 1), number_text(1.4e-14, 1, signed=True)
    ('+0', '2.4', '+0.0')
    """
    v = round(float(value), digits) + 0.0
    return f"{v:+.{digits}f}" if signed else f"{v:.{digits}f}"


def angle_text(deg: float) -> str:
    """A joint angle (deg) to a tenth of a degree, without a trailing ``.0`` and without float noise.

    >>> angle_text(33.0), angle_text(0.25), angle_text(1.42109e-14), angle_text(-12.5)
    ('33', '0.2', '0', '-12.5')
    """
    return f"{round(float(deg), 1) + 0.0:g}"

# The picture's box is fixed per view (so the figure does not jump while a slider moves or a
# protocol steps, and a taller body really looks taller): world x0, y0, x1, y1 as fractions of
# the tallest body the model accepts.  Measured by benchmarks/view_boxes.py: the extent of
# everything drawn (silhouette, gaze arrow, nerve and its strain halo, muscles, labels, the
# support, the patient mode's stop marks and its "stops at" label) over every protocol step and
# preset drawn in the view and the patient mode's stops, for the shortest and the tallest body,
# plus 2 % of the tallest body's height all round.  The sitting and supine boxes, which the
# sciatic explorers show beside the standing one, are then made taller (room above the body,
# where a leg raised past the steps goes) until no wider than MAX_SHARED_ASPECT: a wider one makes
# the explorer's layout put the figure above the panel instead of beside it, and the standing
# body, the tallest of the three, comes out smaller there (Voila at 1280 x 800: 414 px high
# instead of 561).  A posture beyond a box (a slider pushed far) zooms the picture out
# (picture_box) instead of cutting the body off.
MAX_SHARED_ASPECT = 1.28
_BOXES: Mapping[str, tuple[float, float, float, float]] = {
    "standing": (-0.264, -0.570, 0.498, 0.498),
    "sitting": (-0.377, -0.328, 0.726, 0.534),
    "supine": (-0.498, -0.252, 0.606, 0.611),
    "prone": (-0.564, -0.183, 0.498, 0.371),
    "side_lying": (-0.435, -0.243, 0.498, 0.390),
}
_H_MAX_MM = HEIGHT_RANGE_M[1] * 1000.0


def view_box(view: str) -> tuple[float, float, float, float]:
    """World box ``(x0, y0, x1, y1)`` in mm (whole mm, y up) drawn for ``view``: it holds every
    protocol step and preset of the view and the patient mode's stops, for every body height
    (see :func:`picture_box` for a posture beyond them)."""
    try:
        x0, y0, x1, y1 = _BOXES[view]
    except KeyError:
        raise ValueError(f"unknown view {view!r}: choose one of {', '.join(_BOXES)}") from None
    return _outward((x0 * _H_MAX_MM, y0 * _H_MAX_MM, x1 * _H_MAX_MM, y1 * _H_MAX_MM))


def _outward(box) -> tuple[float, float, float, float]:
    """``box`` rounded outwards to whole mm (the SVG's ``viewBox`` is written in whole mm)."""
    x0, y0, x1, y1 = box
    return (float(math.floor(x0)), float(math.floor(y0)), float(math.ceil(x1)), float(math.ceil(y1)))


_ids = itertools.count(1)


def picture_uid() -> int:
    """A new number for a picture's element ids (``uid`` of :func:`posture_svg` and
    :func:`gauges_svg`), never handed out before in this process."""
    return next(_ids)


strain_colour = _bands.strain_colour
_band_index = _bands.band_index


def points_attr(pts: np.ndarray) -> str:
    """SVG ``points`` text of a world polyline ``(k, 2)`` (mm), y flipped, 0.1 mm resolution."""
    a = np.round(np.asarray(pts, dtype=float) * (1.0, -1.0), 1) + 0.0  # + 0.0 turns -0.0 into 0.0
    # one %-format of the whole array: about half the time of formatting point by point
    return " ".join(["%g,%g"] * len(a)) % tuple(a.ravel().tolist())


def _polyline(pts, colour: str, width: float, extra: str = "", cls: str = "") -> str:
    """A polyline of world points ``(k, 2)`` (mm), or of their :func:`points_attr` text."""
    c = f' class="{cls}"' if cls else ""
    return (f'<polyline{c} points="{pts if isinstance(pts, str) else points_attr(pts)}" fill="none" stroke="{colour}" '
            f'stroke-width="{width:g}" stroke-linejoin="round" stroke-linecap="round"{extra}/>')


def _nerve_segments(nerve: np.ndarray, strain: Any, nerve_text: str | None = None) -> list[str]:
    """Halo polylines under the nerve, one per run of points in the same strain band
    (``nerve_text``: the nerve's :func:`points_attr` text, when the caller has it: each run's
    points are a piece of it).

    The halo's colour, dash pattern and width all step with the band (see :data:`STRAIN_BANDS`),
    from the strain beyond the nerve's in-situ length (``in_situ_strain_profile_pct``): the rabbit
    thresholds were measured that way.
    """
    frac, spinal_end = _bed_fractions(strain)
    prof = np.asarray(strain.in_situ_strain_profile_pct, dtype=float)
    seg = np.hypot(*np.diff(nerve, axis=0).T)
    s_draw = np.concatenate(([0.0], np.cumsum(seg)))
    mids = 0.5 * (s_draw[1:] + s_draw[:-1]) / s_draw[-1]
    local = np.interp(mids, frac, prof)
    band = _band_index(np.maximum(local, 0.0))    # shorter than in situ (slack): the lowest band
    # The cord and the roots are tissues of their own: the nerve's (rabbit peripheral-nerve) bands
    # do not apply to them, so they get no halo (band -1) and the peak is the peripheral nerve's.
    if spinal_end is not None:
        band = np.where(mids <= spinal_end, -1, band)
    # runs of points in one band: each starts where the band changes (found at once, not point by point)
    starts = np.concatenate(([0], np.flatnonzero(np.diff(band)) + 1)).tolist()
    ends = starts[1:] + [len(band)]
    points = (nerve_text if nerve_text is not None else points_attr(nerve)).split(" ")
    out = []
    for start, end, k in zip(starts, ends, band[starts].tolist()):
        if k < 0:
            continue
        b = STRAIN_BANDS[k]
        dash = f' stroke-dasharray="{_scale_dash(b.pattern, 4.0)}"' if b.pattern else ""
        out.append(_polyline(" ".join(points[start:end + 1]), b.colour, halo_width(k),
                             f' data-band="{k}"{dash}', cls="neuralsim-strain"))
    return out


#: id of a mechanics model's node positions -> (those positions, each node's fraction of the way
#: along the bed, the fraction where the cord and roots end or ``None``): the same for every posture
#: of one model, so worked out once.
_FRACTIONS: dict = {}


def _bed_fractions(strain: Any) -> tuple:
    s_raw = strain.s_mm
    got = _FRACTIONS.get(id(s_raw))
    if got is None or got[0] is not s_raw:          # the entry holds its array: an id is never reused
        if len(_FRACTIONS) > 64:
            _FRACTIONS.clear()
        # The mechanics model measures s along the bed in the anatomical position
        # (C1 at 0, the end of the bed at s[-1]); the drawn bed runs between the
        # same two ends, so points are matched by their fraction of the way along.
        s_mm = np.asarray(s_raw, dtype=float)
        frac = (s_mm - s_mm[0]) / (s_mm[-1] - s_mm[0])
        frac.flags.writeable = False
        spinal = np.asarray(strain.cord_nodes, dtype=bool) | np.asarray(strain.root_nodes, dtype=bool)
        got = _FRACTIONS[id(s_raw)] = (s_raw, frac, float(frac[spinal].max()) if spinal.any() else None)
    return got[1], got[2]


#: Stroke widths in world mm (a 2.1 m box drawn about 500 px high: 24 mm is about 6 px).
NERVE_WIDTH = 24.0
_FONT_MM = 62.0


#: Width (mm) of a muscle drawn over a nerve it runs along (rectus femoris on the femoral nerve):
#: narrower than the nerve, so the nerve's blue shows on both sides of it.
_OVER_WIDTH = 12.0


def halo_width(band: int) -> float:
    """Width (mm) of the strain halo of band ``band`` (0 = lowest): wider for every band up."""
    return NERVE_WIDTH + 14.0 + 12.0 * band


# -- the silhouette --------------------------------------------------------------
# Drawing-only outlines of each segment in its own frame (x forwards, y along the
# segment from its proximal joint, mm for a 1.75 m body; x scales with height, y
# with the segment's length).  They change no length: the paths drawn on them are
# the model's.  Each outline keeps the nerve and the muscles of its segment inside.
_REF_H = 1750.0


def _silhouette_local(b: Body) -> dict:
    s = b.height_m * 1000.0 / _REF_H
    seg = b.segment
    L, T, C = seg("lumbar"), seg("thoracic"), seg("cervical")
    th, sh = seg("thigh"), seg("shank")
    foot, ah = seg("foot"), seg("ankle_height")
    heel = _p_value("foot_heel_fraction") * foot

    def poly(pts, ys=1.0):
        return np.array([(x * s, y * ys) for x, y in pts], dtype=float)

    ell = np.linspace(0.0, 2 * math.pi, 20, endpoint=False)
    pelvis = np.column_stack((-10 * s + 105 * s * np.cos(ell), 45 * s + 105 * s * np.sin(ell)))
    pelvis[:, 0] = np.maximum(pelvis[:, 0], -100 * s)      # a flatter back of the buttock
    return {
        "pelvis": [pelvis],
        "lumbar": [poly([(-55, -0.1), (150, -0.1), (150, 1.05), (-58, 1.05)], L)],
        "thoracic": [poly([(-62, 0), (165, 0), (170, 0.6), (115, 1.0), (-45, 1.02), (-68, 0.55)], T)],
        "head_neck": [poly([(-42, -0.15), (62, -0.15), (52, 1.0), (-34, 1.0)], C)],
        "thigh": [poly([(-98, 0.12), (88, 0.12), (64, -0.88), (55, -1.0), (-58, -1.0), (-74, -0.86), (-104, -0.45)], th)],
        "shank": [poly([(-58, 0.05), (52, 0.05), (46, -0.25), (40, -0.9), (32, -1.0), (-30, -1.0),
                        (-42, -0.75), (-74, -0.32)], sh)],
        "foot": [np.array([(-40 * s, 0.35 * ah), (38 * s, 0.35 * ah), (0.45 * (foot - heel), -0.35 * ah),
                           (foot - heel, -0.8 * ah), (foot - heel, -ah), (-heel, -ah), (-heel - 12 * s, -0.5 * ah)])],
        "_joints": {"thigh": [((0.0, -th), 56 * s)], "shank": [((0.0, -sh), 36 * s)]},
        # the arm (drawn sitting, hands behind the back): lengths, widths, the shoulder in the thoracic
        # frame and the wrist in the lumbar frame (just behind the low back, at the sacrum)
        "_arm": {"upper": _p_value("frac_upper_arm") * b.height_m * 1000.0,
                 "fore": _p_value("frac_forearm") * b.height_m * 1000.0,
                 "hand": _p_value("frac_hand") * b.height_m * 1000.0,
                 "widths": (78 * s, 62 * s), "shoulder": (18 * s, 0.86 * T), "wrist": (-92 * s, 0.12 * L)},
        # depth of the support's top below the hip centre (prone: the chest and thighs rest on it)
        "_back": {"standing": 0.0, "sitting": 80 * s, "supine": 72 * s, "prone": 110 * s, "side_lying": 72 * s},
    }


def _p_value(name: str) -> float:
    from ..core.parameters import value
    return value(name)


_SIL_CACHE: dict = {}


def _silhouette(b: Body) -> dict:
    got = _SIL_CACHE.get(b)
    if got is None:
        got = _SIL_CACHE[b] = _silhouette_local(b)
    return got


def _to_world(frame, pts) -> np.ndarray:
    o, a = frame
    c, s = math.cos(a), math.sin(a)
    pts = np.asarray(pts, dtype=float)
    return np.column_stack((o[0] + c * pts[:, 0] - s * pts[:, 1], o[1] + s * pts[:, 0] + c * pts[:, 1]))


def _polygon(pts, fill: str, stroke: str, width: float, cls: str = "") -> str:
    c = f' class="{cls}"' if cls else ""
    return (f'<polygon{c} points="{points_attr(pts)}" fill="{fill}" stroke="{stroke}" '
            f'stroke-width="{width:g}" stroke-linejoin="round"/>')


_ORDER = ("foot", "shank", "thigh", "pelvis", "lumbar", "thoracic", "head_neck")


def _points_mm(pts) -> str:
    """``points`` text to the whole mm (outlines only: 1 mm is a quarter of a pixel on screen)."""
    a = np.rint(np.asarray(pts, dtype=float) * (1.0, -1.0)).astype(int)
    return " ".join(["%d,%d"] * len(a)) % tuple(a.ravel().tolist())


def _body_parts(frames, sil, fill: str, outline: str, cls: str, uid: int | None = None) -> list[str]:
    """The silhouette: every segment's outline drawn once, shown twice (a wide outline pass through
    ``<use>``, then the fill pass on top, so the seams between segments vanish)."""
    uid = next(_ids) if uid is None else uid
    out = [f'<use href="#ns-body-{uid}" fill="{outline}" stroke="{outline}" stroke-width="10" stroke-linejoin="round"/>',
           f'<g fill="{fill}" stroke="{fill}" stroke-width="0.5"><g id="ns-body-{uid}" class="{cls}">']
    for segname in _ORDER:
        out.append(_segment_outline(sil, segname, frames[segname]))
    for segname, items in sil["_joints"].items():
        (ox, oy), a = frames[segname]
        ca, sa = math.cos(a), math.sin(a)
        for ((x, y), r) in items:        # as _to_world, on plain floats (the same arithmetic)
            cx, cy = float(ox) + ca * x - sa * y, float(oy) + sa * x + ca * y
            out.append(f'<circle cx="{cx:.0f}" cy="{-cy:.0f}" r="{r:.0f}"/>')
    out.append("</g></g>")
    return out


#: (silhouette, segment, frame) -> the segment's outline polygons (SVG text).  A slider moves
#: one joint: the segments above it keep their frames, so their outlines are reused as drawn.
_OUTLINES: dict = {}


def _segment_outline(sil: dict, segname: str, frame) -> str:
    o, a = frame
    key = (id(sil), segname, float(o[0]), float(o[1]), float(a))
    got = _OUTLINES.get(key)
    if got is None:
        if len(_OUTLINES) > 4096:
            _OUTLINES.clear()
        got = _OUTLINES[key] = "".join(f'<polygon points="{_points_mm(_to_world(frame, pts))}"/>'
                                       for pts in sil[segname])
    return got


_HEADS: dict = {}


#: How far the eyes turn up in the head (deg) when the neck extends: as far as the neck's extension,
#: up to this.  "Look up" in a slump tilts a head that the flexed trunk points at the floor; the eyes
#: turning up with it are what make the gaze rise above the horizontal (the voluntary upward range of
#: the eyes is larger than this; a modest share of it is drawn).
EYES_UP_MAX_DEG = 30.0


def eyes_up_deg(neck_flexion_deg: float) -> float:
    """How far the drawn gaze is turned up from the head's forward direction (deg), for a neck
    flexion (deg): the eyes follow an extending neck (up to :data:`EYES_UP_MAX_DEG`) and look
    straight out of a flexed or neutral one, which already lowers the gaze."""
    return float(min(EYES_UP_MAX_DEG, max(0.0, -float(neck_flexion_deg))))


def _head_angle(d: dict) -> float:
    """Where the drawn gaze points (rad, world; 0 = forwards, + = up): the head's forward direction
    turned up by the eyes (:func:`eyes_up_deg`)."""
    return float(d["frames"]["head_neck"][1]) + math.radians(eyes_up_deg(d["angles"]["cervical_flexion"]))


def _head(d: dict, floor: float | None = None) -> list[str]:
    """The head: a round skull with an eye, a nose and a dashed arrow where the person looks.

    ``floor``: world height (mm) of a support's top the gaze arrow must stop at (a couch under a
    lying head), or ``None``."""
    (cx, cy), r = d["head"]
    a = d["frames"]["head_neck"][1]
    g = _head_angle(d)
    key = (float(cx), float(cy), float(r), float(a), float(g), floor)
    got = _HEADS.get(key)           # the same head (a slider below the neck moved): drawn before
    if got is None:
        if len(_HEADS) > 1024:
            _HEADS.clear()
        got = _HEADS[key] = _draw_head(cx, cy, r, a, floor, g)
    return got


#: The gaze arrow runs from this far in front of the eye to at most this far (head radii).
_GAZE_FROM, _GAZE_TO = 1.2, 3.0


def _head_points(cx: float, cy: float, r: float, a: float, floor: float | None = None, gaze_a: float | None = None):
    """World points (mm) of the head's drawing: ``(eye, nose (3, 2), hair (12, 2), gaze)``; ``gaze``
    is ``(start, end, tip (3, 2))`` of the arrow, or ``None`` where it has no room: it ends where
    it would meet ``floor`` (a support's top, world y), and is left out if that leaves less than a
    head radius of it (a face turned to the couch: the nose shows where it looks).  ``gaze_a``:
    the arrow's direction (rad, world) when the eyes turn in the head (default: the head's ``a``)."""
    fwd = np.array([math.cos(a), math.sin(a)])
    up = np.array([-math.sin(a), math.cos(a)])
    c = np.array([cx, cy])
    eye = c + r * (0.5 * fwd + 0.22 * up)
    nose = np.array([c + r * (0.93 * fwd + 0.12 * up), c + r * (1.3 * fwd - 0.12 * up), c + r * (0.93 * fwd - 0.3 * up)])
    hair = np.array([c + 1.02 * r * (math.cos(t) * fwd + math.sin(t) * up)
                     for t in np.linspace(0.55 * math.pi, 1.35 * math.pi, 12)])
    reach = _GAZE_TO * r
    ga = a if gaze_a is None else gaze_a
    look, side = np.array([math.cos(ga), math.sin(ga)]), np.array([-math.sin(ga), math.cos(ga)])
    if floor is not None and look[1] < -1e-9:       # looking down towards the support
        tip_room = 0.35 * r * 0.6 * abs(look[0]) + 8.0   # the arrowhead's half width and stroke
        reach = min(reach, (eye[1] - floor - tip_room) / -look[1])
    if reach - _GAZE_FROM * r < r:
        return eye, nose, hair, None
    g0, g1 = eye + _GAZE_FROM * r * look, eye + reach * look
    tip = np.array([g1 + 0.35 * r * (-look + 0.6 * side), g1, g1 + 0.35 * r * (-look - 0.6 * side)])
    return eye, nose, hair, (g0, g1, tip)


def _draw_head(cx: float, cy: float, r: float, a: float, floor: float | None = None,
               gaze_a: float | None = None) -> list[str]:
    eye, nose, hair, gaze = _head_points(cx, cy, r, a, floor, gaze_a)
    out = [
        f'<g class="neuralsim-head">',
        f'<circle cx="{cx:.1f}" cy="{-cy:.1f}" r="{r:.1f}" fill="{BODY_FILL}" stroke="{BODY_OUTLINE}" stroke-width="10"/>',
        _polygon(hair, "#6B6259", "#6B6259", 4),
        _polygon(nose, BODY_FILL, BODY_OUTLINE, 8),
        f'<circle cx="{eye[0]:.1f}" cy="{-eye[1]:.1f}" r="{0.12 * r:.1f}" fill="#222222"/>',
    ]
    if gaze is not None:
        g0, g1, tip = gaze
        out += [_polyline(np.array([g0, g1]), "#333333", 8, ' stroke-dasharray="18 14"', cls="neuralsim-gaze"),
                _polyline(tip, "#333333", 8)]
    out.append("</g>")
    return out


#: view -> where the drawn arm is: sitting, the slump test's position (hands clasped behind the back,
#: which every slump step and the sitting preset starts from); other views draw no arm.
ARM_PLACES: Mapping[str, str] = {"sitting": "behind the back"}


def arm_points(d: Mapping, b: Body, view: str):
    """World points (mm) of the drawn arm, ``(shoulder, elbow, wrist, hand's end)`` as a ``(4, 2)``
    array, or ``None`` in a view that draws none (:data:`ARM_PLACES`).  Behind the back: the wrist
    just behind the low back, the elbow bent and pointing backwards (the arm's two lengths from the
    drawing's proportions), the hand on along the forearm."""
    if view not in ARM_PLACES:
        return None
    arm = _silhouette(b)["_arm"]
    frames = d["frames"]
    sh = _to_world(frames["thoracic"], [arm["shoulder"]])[0]
    wr = _to_world(frames["lumbar"], [arm["wrist"]])[0]
    u, f = arm["upper"], arm["fore"]
    v = wr - sh
    dist = float(np.hypot(*v))
    if dist > 0.98 * (u + f):                 # out of reach: the arm nearly straight towards the wrist
        wr = sh + v * (0.98 * (u + f) / dist)
        v, dist = wr - sh, 0.98 * (u + f)
    along = (u * u - f * f + dist * dist) / (2 * dist)
    h = math.sqrt(max(u * u - along * along, 0.0))
    e_dir, n = v / dist, np.array([-v[1], v[0]]) / dist
    fwd = np.array([math.cos(frames["thoracic"][1]), math.sin(frames["thoracic"][1])])
    elbows = [sh + along * e_dir + h * n, sh + along * e_dir - h * n]
    elbow = min(elbows, key=lambda e: float(np.dot(e - sh, fwd)))        # the one pointing backwards
    fore = (wr - elbow) / f
    hand = wr + 0.7 * arm["hand"] * fore
    return np.array([sh, elbow, wr, hand])


def _arm(d: Mapping, b: Body, view: str) -> list[str]:
    """The arm of :func:`arm_points` (nothing in a view without one): the upper arm, then the forearm
    and hand a little narrower, each an outline pass under a fill pass like the silhouette's."""
    pts = arm_points(d, b, view)
    if pts is None:
        return []
    wu, wf = _silhouette(b)["_arm"]["widths"]
    upper, lower = points_attr(pts[:2]), points_attr(pts[1:])
    return [f'<g class="neuralsim-arm" data-arm="{ARM_PLACES[view]}">',
            _polyline(upper, BODY_OUTLINE, wu + 10), _polyline(lower, BODY_OUTLINE, wf + 10),
            _polyline(upper, BODY_FILL, wu), _polyline(lower, BODY_FILL, wf), "</g>"]


def _couch_top(view: str, sil: dict) -> float | None:
    """World height (mm) of the couch's top under a lying body (supine, prone), else ``None``."""
    return -sil["_back"][view] if view in ("supine", "prone") else None


def _support(view: str, d: dict, b: Body, sil: dict, box=None) -> list[str]:
    """The surface the body rests on, placed from the drawn body: the floor under the standing
    foot, a plinth under the thigh when sitting, a couch under a lying body (ending under the
    shoulders when the head would otherwise go through it: :func:`_head_over_end`).  ``box``:
    the picture's world box (default :func:`view_box`)."""
    x0, y0, x1, y1 = view_box(view) if box is None else box
    t = 0.02 * _H_MAX_MM
    cls = f'class="neuralsim-support" data-support="{_SUPPORT[view]}"'
    if view == "standing":
        top = d["joints"]["ankle"][1] if False else -(b.segment("thigh") + b.segment("shank") + b.segment("ankle_height"))
        return [f'<rect {cls} x="{x0:.0f}" y="{-top:.0f}" width="{x1 - x0:.0f}" height="{t:.0f}" fill="{SUPPORT_FILL}"/>']
    if view == "side_lying":
        return _couch_from_above(d, cls, (x0, y0, x1, y1))
    top = -sil["_back"][view]
    left, edge = x0, x1
    frames = d["frames"]
    if view == "sitting":
        # the plinth's front edge behind the knee, and behind the hanging calf (a tall body's calf
        # reaches further back than the knee joint's fixed margin)
        calf = _segment_box(sil, b, "shank", frames["shank"])[0]
        edge = min(float(d["joints"]["knee"][0]) - 0.04 * _H_MAX_MM, calf - _SUPPORT_GAP_MM)
    elif _head_over_end(d, top):
        # the head would go through the couch (neck extended lying on the back, flexed lying face
        # down): it hangs over the couch's end, which is under the shoulders (C7-T1)
        shoulders = float(d["joints"]["c7_t1"][0])
        if float(d["head"][0][0]) < float(d["joints"]["hip"][0]):
            left = shoulders
        else:
            edge = shoulders
    if view in ("supine", "prone"):
        fx0, fy0, fx1, _fy1 = _segment_box(sil, b, "foot", frames["foot"])
        if fy0 < top - _HEAD_SINK_MM:
            # the foot would go through the couch (lying face down, the foot at a right angle to the
            # shin): it hangs over the couch's end, which is under the shin, clear of the foot
            if float(d["joints"]["ankle"][0]) < float(d["joints"]["hip"][0]):
                left = max(left, fx1 + _SUPPORT_GAP_MM)
            else:
                edge = min(edge, fx0 - _SUPPORT_GAP_MM)
    leg = 0.015 * _H_MAX_MM
    hole = _face_hole(d, top) if view == "prone" else None
    if hole is None:
        tops = f'<rect x="{left:.0f}" y="{-top:.0f}" width="{edge - left:.0f}" height="{t:.0f}"/>'
    else:      # face down, the nose over the couch's face hole (it would go through the couch's top)
        tops = (f'<rect x="{left:.0f}" y="{-top:.0f}" width="{hole[0] - left:.0f}" height="{t:.0f}"/>'
                f'<rect x="{hole[1]:.0f}" y="{-top:.0f}" width="{edge - hole[1]:.0f}" height="{t:.0f}" data-after-hole="1"/>')
    return [f'<g {cls} fill="{SUPPORT_FILL}">' + tops +
            f'<rect x="{edge - 2 * leg:.0f}" y="{-top:.0f}" width="{leg:.0f}" height="{top - y0:.0f}"/>'
            f'<rect x="{left + 0.2 * (edge - left):.0f}" y="{-top:.0f}" width="{leg:.0f}" height="{top - y0:.0f}"/></g>']


def _couch_from_above(d: Mapping, cls: str, box) -> list[str]:
    """Side-lying, seen from above: the couch's top under the body's whole length (the picture's box,
    a margin in), outlined, with a pillow under the head."""
    x0, y0, x1, y1 = box
    m = 0.01 * _H_MAX_MM
    (hx, hy), r = d["head"]
    return [f'<g {cls}>'
            f'<rect x="{x0 + m:.0f}" y="{-y1 + m:.0f}" width="{x1 - x0 - 2 * m:.0f}" height="{y1 - y0 - 2 * m:.0f}" '
            f'rx="{2 * m:.0f}" fill="#EEEEEE" stroke="{SUPPORT_FILL}" stroke-width="10"/>'
            f'<ellipse class="neuralsim-pillow" cx="{float(hx):.0f}" cy="{-float(hy):.0f}" rx="{1.9 * float(r):.0f}" '
            f'ry="{1.5 * float(r):.0f}" fill="#FFFFFF" stroke="{SUPPORT_FILL}" stroke-width="10"/></g>']


#: The gap (mm) between a support's end and a body part hanging over it.
_SUPPORT_GAP_MM = 10.0

#: How far (mm) the drawn head may dip below a couch's top before the couch is drawn ending
#: under the shoulders (a head resting on the couch dips about 14 mm: the outline and the hair).
_HEAD_SINK_MM = 30.0


def _face_hole(d: Mapping, top: float):
    """Face down with the head on the couch: the x range (whole mm, world) of the couch's face hole
    when the nose would reach below the couch's top ``top`` (world y, mm), else ``None``.  The hole
    is the nose's width and :data:`_SUPPORT_GAP_MM` either side."""
    if _head_over_end(d, top):
        return None
    (cx, cy), r = d["head"]
    nose = _head_points(float(cx), float(cy), float(r), float(d["frames"]["head_neck"][1]))[1]
    if float(nose[:, 1].min()) - 4.0 >= top:          # the nose's outline (8 mm) clear of the top
        return None
    return (math.floor(float(nose[:, 0].min()) - 4.0 - _SUPPORT_GAP_MM),
            math.ceil(float(nose[:, 0].max()) + 4.0 + _SUPPORT_GAP_MM))


def _head_over_end(d: Mapping, top: float) -> bool:
    """Whether a lying body's head (``d``: a :func:`neuralsim.model.drawing`) would reach more than
    :data:`_HEAD_SINK_MM` below the couch's top ``top`` (world y, mm): then it hangs over the end."""
    (_hx, hy), r = d["head"]
    return float(hy) - float(r) < top - _HEAD_SINK_MM


#: view -> what the body rests on (``data-support`` of the drawn support).
_SUPPORT: Mapping[str, str] = {"standing": "floor", "sitting": "plinth", "supine": "couch", "prone": "couch",
                                "side_lying": "couch"}


def _stance_leg(b: Body, sil: dict) -> list[str]:
    """Standing: the other leg, straight under the hip (the drawn leg may bend or lift); the same
    for every posture of a body, so drawn once per silhouette."""
    key = (id(sil), b)
    got = _STANCE.get(key)
    if got is None or got[0] is not sil:
        if len(_STANCE) > 64:
            _STANCE.clear()
        got = _STANCE[key] = (sil, _draw_stance_leg(b, sil))
    return got[1]


_STANCE: dict = {}


def _draw_stance_leg(b: Body, sil: dict) -> list[str]:
    th, sh = b.segment("thigh"), b.segment("shank")
    frames = {"thigh": (np.zeros(2), 0.0), "shank": (np.array([0.0, -th]), 0.0),
              "foot": (np.array([0.0, -th - sh]), 0.0)}
    out = ['<g class="neuralsim-stance-leg" opacity="0.55">']
    for segname in ("foot", "shank", "thigh"):
        for pts in sil[segname]:
            out.append(_polygon(_to_world(frames[segname], pts), BODY_FILL, BODY_OUTLINE, 8))
    out.append("</g>")
    return out


def _in_front(muscle: str) -> bool:
    """Whether the registry's path of ``muscle`` passes its first in-plane joint in front."""
    try:
        path = _reg.current().muscles[muscle].path
    except KeyError:                      # not in the registry: drawn as given, named behind
        return False
    return next((p.get("side") == "anterior" for p in path if "cross" in p and p.get("side") != "out_of_plane"),
                False)


def _nearest(path: np.ndarray, target) -> int:
    d = path - np.asarray(target)
    d *= d
    return int((d[:, 0] + d[:, 1]).argmin())


#: How much longer (mm, 1.75 m body) a leader is that crosses the body to the side away from the couch.
_ACROSS_MM = 230.0
#: ... and how far (deg) it leans from square to the segment towards the head.
_ACROSS_LEAN = 40.0
#: A label whose text would overlap one placed before it gets a leader longer by this (mm, 1.75 m
#: body), up to :data:`_STAGGER_STEPS` times, so names along a body lying flat are staggered.
_STAGGER_MM = 70.0
_STAGGER_STEPS = 3
#: The gap (mm) between a leader's end and the letters of its label above or below it.
_LABEL_GAP_MM = 10.0


def _label_items(d: dict, b: Body, muscle_names: list, view: str = "standing", nerve_parts: tuple = (),
                 group: str = "hamstrings", floor: float | None = None) -> list[tuple]:
    """Where each label goes: ``(p, q, tx, ty, anchor, text, colour)`` in world mm (the leader from
    ``p`` on the path to ``q``, the text at ``tx, ty`` with its SVG ``text-anchor``).

    Each leader starts on its own path and goes out of the body (the muscles of ``group``, the
    nerve's contrast group, in steps of different length, so paths that run close together are
    still named one by one; backwards for a muscle behind the hip, forwards for one in front of it,
    as its registry path says).  Sitting, the tibial nerve's name goes in front of the shank, where
    the plinth leaves room.  A label whose text would overlap one placed before it gets a longer
    leader, in :data:`_STAGGER_MM` steps (see :func:`_label_places`).  ``floor``: the couch's top
    under a body lying face down (world y, mm): a label that would sit on the couch goes to the
    other side of the body instead, its leader :data:`_ACROSS_MM` longer to cross the body."""
    frames = d["frames"]
    th, sh, L = b.segment("thigh"), b.segment("shank"), b.segment("lumbar")
    s = b.height_m * 1000.0 / _REF_H
    items = []   # (path, segment, target in its frame, label, colour, leader length mm, direction +1 back / -1 front)
    hang = {}    # item -> the text anchor of a name hanging below its leader's end (default: centred)
    nerve = d["nerve"]
    sitting = view == "sitting"
    if nerve_parts:              # the registry's names of the nerve's parts (none: not named)
        roots, thigh, shank = nerve_parts
        items.append((nerve, "lumbar", (-20.0, 0.35 * L), roots, NERVE_COLOUR, 150, 1))
        items.append((nerve, "thigh", (-41.0, -0.06 * th), thigh, NERVE_COLOUR, 150, 1))
        items.append((nerve, "shank", (-25.0, -0.55 * sh), shank, NERVE_COLOUR, 230 if sitting else 170,
                      -1 if sitting else 1))
    named = [m for m in muscle_names if muscle_info(m)[0] == group]
    colour = MUSCLE_STYLES[group][0] if group in MUSCLE_STYLES else MUSCLE_STYLES["other"][0]
    for i, m in enumerate(named):
        length = (150 + 95 * i) if sitting else (150 + 130 * (i % 2))
        k = -1 if _in_front(m) else 1
        # sitting, the names hang under the thigh, each left of its leader's end (so a longer leader
        # further on passes right of the names above it), between the nerve's name and the shank
        along = (0.36 + 0.16 * i) if sitting else (0.4 + 0.2 * i)
        items.append((d["muscles"][m], "thigh", (-60.0 * k, -along * th), muscle_info(m)[1],
                      colour, length, k))
        hang[len(items) - 1] = "end" if sitting else None
    # placed: the text boxes (world mm) of the labels so far; sitting, the hanging lower leg is one too
    # (a name under the thigh would otherwise print over the shank)
    sil = _silhouette(b)
    placed = [_segment_box(sil, b, seg, frames[seg]) for seg in ("shank", "foot")] if sitting else []
    out = []
    leaders = []                  # the leaders (p, q) so far
    for n, (path, segname, local, text, colour, length, sign) in enumerate(items):
        o, a = frames[segname]
        ca, sa = math.cos(a), math.sin(a)
        lx, ly = local[0] * s, local[1]
        target = (o[0] + ca * lx - sa * ly, o[1] + sa * lx + ca * ly)      # the segment frame's point
        p = path[_nearest(path, target)]
        if hang.get(n):       # names hanging one under another: their leaders end at steps of depth
            xl = ca * (float(p[0]) - o[0]) + sa * (float(p[1]) - o[1])            # p's x in the frame
            length += sign * (xl - lx) / s
        toward_head = 1.0 if d["head"][0][0] > p[0] else -1.0
        # Taken: the first place that is off the couch and clear of the labels placed so far; else
        # the first off the couch; else (on the couch either way) across the body at its first length.
        # Clear: its text off the boxes placed so far, its leader through none of their texts, and no
        # leader so far through its text.
        chosen = None
        for place in _label_places(p, (ca, sa), sign, length, s, toward_head, hang.get(n)):
            if floor is not None and place.on_couch(floor):
                continue
            box = place.box(text)
            if chosen is None:
                chosen = (place, box)
            texts = placed[len(placed) - len(out):]          # the labels' boxes (not the lower leg's)
            if (not any(box[0] < q[2] and q[0] < box[2] and box[1] < q[3] and q[1] < box[3] for q in placed)
                    and not any(_crosses(p, place.q, q) for q in texts)
                    and not any(_crosses(a0, a1, box) for a0, a1 in leaders)):
                chosen = (place, box)
                break
        if chosen is None:
            places = list(_label_places(p, (ca, sa), sign, length, s, toward_head, hang.get(n)))
            place = places[min(_STAGGER_STEPS + 1, len(places) - 1)]
            chosen = (place, place.box(text))
        place, box = chosen
        out.append((p, place.q, place.tx, place.ty, place.anchor, text, colour))
        placed.append(box)
        leaders.append((p, place.q))
    return out


def _crosses(a, b, box) -> bool:
    """Whether the segment ``a``-``b`` (world mm) passes through ``box`` ``(x0, y0, x1, y1)``
    (Liang-Barsky clipping)."""
    (ax, ay), (bx, by) = (float(a[0]), float(a[1])), (float(b[0]), float(b[1]))
    t0, t1 = 0.0, 1.0
    for p_, q_ in ((-(bx - ax), ax - box[0]), (bx - ax, box[2] - ax), (-(by - ay), ay - box[1]), (by - ay, box[3] - ay)):
        if p_ == 0.0:
            if q_ < 0.0:
                return False
            continue
        t = q_ / p_
        if p_ < 0.0:
            t0 = max(t0, t)
        else:
            t1 = min(t1, t)
        if t0 > t1:
            return False
    return True


class _Place(NamedTuple):
    """Where a label goes: its leader's end ``q`` and text at ``(tx, ty)`` (world mm), SVG anchor."""

    q: tuple
    tx: float
    ty: float
    anchor: str

    def on_couch(self, floor: float) -> bool:
        """Whether the text's foot or the leader's end is below the couch's top ``floor`` (+10 mm)."""
        return min(self.ty - 0.25 * _FONT_MM, self.q[1]) <= floor + 10.0

    def box(self, text: str) -> tuple:
        """World box (mm) of ``text`` set here, its white ground included."""
        return _text_box(self.tx, self.ty, text, _FONT_MM, self.anchor, _LABEL_HALO)


def _label_places(p, axis: tuple, sign: int, length: float, scale: float, toward_head: float,
                  hang: str | None = None):
    """The places a label with its leader from ``p`` may go, in order of preference: square to its
    segment (``axis``: the segment's (cos, sin)) on its own side (``sign`` +1 behind, -1 in front),
    ``length`` mm out, then longer by :data:`_STAGGER_MM` up to :data:`_STAGGER_STEPS` times; then
    the same across the body, :data:`_ACROSS_MM` further and leaning towards the head
    (``toward_head``: +1 when the head is at larger x).  Lengths are for a 1.75 m body, times ``scale``.
    ``hang``: the text anchor of a name below a leader going down on its own side (default centred);
    such a name is never taken across the body, its leader lengthened up to twice as often instead."""
    ca, sa = axis
    px, py = float(p[0]), float(p[1])
    sides = ((sign, length * scale),) if hang else ((sign, length * scale), (-sign, (length + _ACROSS_MM) * scale))
    for side, r0 in sides:
        back = (-side * ca, -side * sa)
        if side != sign:
            t = math.radians(_ACROSS_LEAN) * toward_head
            back = (back[0] * math.cos(t) + back[1] * math.sin(t), -back[0] * math.sin(t) + back[1] * math.cos(t))
        anchor = "end" if back[0] < -0.35 else ("start" if back[0] > 0.35 else "middle")
        # the text beyond the leader's end, never on the leader: above the end of a leader going up,
        # below the end of one going down, level with it beside one going sideways
        base = _LABEL_GAP_MM + 0.25 * _FONT_MM if back[1] > 0.35 else (
            -(_LABEL_GAP_MM + 0.8 * _FONT_MM) if back[1] < -0.35 else -0.3 * _FONT_MM)
        dx = -12 if anchor == "end" else (12 if anchor == "start" else 0)
        if hang is not None and side == sign and back[1] < -0.35:
            anchor, dx = hang, (6 if hang == "end" else -6 if hang == "start" else 0)
        for k in range(2 * _STAGGER_STEPS + 1 if hang else _STAGGER_STEPS + 1):   # hanging: no way across
            r = r0 + k * _STAGGER_MM * scale
            q = (px + back[0] * r, py + back[1] * r)
            yield _Place(q, q[0] + dx, q[1] + base, anchor)


def _labels(items: list) -> list[str]:
    """The labels of :func:`_label_items`: a leader line, a dot on the path and the short name."""
    out = [f'<g class="neuralsim-labels" font-family="sans-serif" font-size="{_FONT_MM:.0f}" font-weight="bold">']
    for p, q, tx, ty, anchor, text, colour in items:
        leader = "%g,%g %g,%g" % (round(float(p[0]), 1) + 0.0, round(-float(p[1]), 1) + 0.0,
                                  round(q[0], 1) + 0.0, round(-q[1], 1) + 0.0)
        out.append(_polyline(leader, colour, 6, cls="neuralsim-leader"))
        out.append(f'<circle cx="{p[0]:.1f}" cy="{-p[1]:.1f}" r="11" fill="{colour}"/>')
        out.append(f'<text x="{tx:.0f}" y="{-ty:.0f}" text-anchor="{anchor}" fill="{colour}" '
                   f'stroke="#FFFFFF" stroke-width="{_LABEL_HALO:g}" paint-order="stroke" class="neuralsim-label">{escape(text)}</text>')
    out.append("</g>")
    return out


#: Width of the white ground round a label's letters (mm).
_LABEL_HALO = 14.0
#: Advance widths (em, rounded up to 0.01) of DejaVu Sans Bold, the bold sans-serif face
#: Chromium draws with on Debian, for the characters the labels use; any other character
#: counts as :data:`_EM_OTHER`.
_EM_GROUPS = {"'": 0.31, "ijl ": 0.35, "/": 0.37, "IJ.,": 0.38, ":": 0.4, "-": 0.42, "f": 0.44, "()": 0.46,
              "t": 0.48, "r\u00b0": 0.5, "z": 0.59, "cs": 0.6, "L": 0.64, "x": 0.65, "vy": 0.66, "k": 0.67,
              "ae": 0.68, "oEFT": 0.69, "0123456789": 0.7, "bdghnpqu": 0.72, "SYZ": 0.73, "CP": 0.74, "B": 0.77,
              "AKRVX": 0.78, "U": 0.82, "G": 0.83, "DHN+": 0.84, "OQ": 0.86, "w": 0.93, "M": 1.0, "%": 1.01,
              "m": 1.05, "W": 1.11}
_EM = {c: w for chars, w in _EM_GROUPS.items() for c in chars}
_EM_OTHER = 1.15


def text_width(text: str, size: float) -> float:
    """Width (in the units of ``size``) of ``text`` set in bold sans-serif at font size ``size``,
    from :data:`_EM` (a wider face than DejaVu Sans Bold may run a little longer)."""
    return size * _ems(text)


@lru_cache(maxsize=1024)
def _ems(text: str) -> float:
    """Width of ``text`` in em (the same few labels are measured at every place tried, every update)."""
    return sum(_EM.get(c, _EM_OTHER) for c in text)


def _text_box(x: float, y: float, text: str, size: float, anchor: str, halo: float = 0.0):
    """World box ``(x0, y0, x1, y1)`` (mm) a line of text takes at baseline ``(x, y)`` (world y up):
    :func:`text_width` wide, 0.8 em above the baseline and 0.25 em below, plus ``halo / 2``."""
    w = text_width(text, size)
    xa = x - (w if anchor == "end" else w / 2 if anchor == "middle" else 0.0)
    h = halo / 2
    return (xa - h, y - 0.25 * size - h, xa + w + h, y + 0.8 * size + h)


def _extent(d: dict, b: Body, view: str, nerve_pts, muscles, label_items, floor, strain: bool):
    """World box ``(x0, y0, x1, y1)`` (mm) of everything :func:`posture_svg` draws of the body (not
    the support or the key): the silhouette with its outline, the stance leg, the skeleton, the
    head with its gaze arrow, each muscle with its white casing, the nerve with its widest strain
    halo, and the labels with their white ground."""
    sil = _silhouette(b)
    frames = d["frames"]
    boxes = []                    # (x0, y0, x1, y1) of each thing drawn

    for segname in _ORDER:
        boxes.append(_segment_box(sil, b, segname, frames[segname]))
    for segname, jts in sil["_joints"].items():
        (ox, oy), a = frames[segname]
        ca, sa = math.cos(a), math.sin(a)
        for (x, y), r in jts:
            cx, cy = ox + ca * x - sa * y, oy + sa * x + ca * y
            boxes.append((cx - r - 5.5, cy - r - 5.5, cx + r + 5.5, cy + r + 5.5))
    if view == "standing":
        boxes.append(_segment_box(sil, b, "_stance", None))
    (cx, cy), r = d["head"]
    boxes.append(_head_box(float(cx), float(cy), float(r), float(frames["head_neck"][1]), floor, _head_angle(d)))
    # the lines (skeleton, muscles, nerve), each padded by half its width: all points at once
    lines = [(line, 4.5) for line in d["skeleton"]]
    arm = arm_points(d, b, view)
    if arm is not None:
        lines.append((arm, (sil["_arm"]["widths"][0] + 10) / 2 + 0.1))
    lines += [(muscles[m], (width + 8) / 2 + 0.1) for m, (_g, _c, width, _dash) in muscle_styles(list(muscles)).items()]
    lines.append((nerve_pts, (halo_width(len(STRAIN_BANDS) - 1) if strain else NERVE_WIDTH) / 2 + 0.1))
    pts = [np.asarray(line, dtype=float) for line, _pad in lines]
    pad = np.repeat([p for _line, p in lines], [len(a) for a in pts])[:, None]
    pts = np.concatenate(pts)
    lo, hi = (pts - pad).min(axis=0), (pts + pad).max(axis=0)
    boxes.append((float(lo[0]), float(lo[1]), float(hi[0]), float(hi[1])))
    for p, q, tx, ty, anchor, text, _colour in label_items:
        px, py = float(p[0]), float(p[1])
        boxes.append((px - 11.1, py - 11.1, px + 11.1, py + 11.1))
        boxes.append((q[0] - 3.1, q[1] - 3.1, q[0] + 3.1, q[1] + 3.1))
        boxes.append(_text_box(tx, ty, text, _FONT_MM, anchor, _LABEL_HALO))
    x0, y0, x1, y1 = zip(*boxes)
    return (float(min(x0)), float(min(y0)), float(max(x1)), float(max(y1)))


_SEG_BOXES: dict = {}


def _segment_box(sil: dict, b: Body, segname: str, frame) -> tuple:
    """World box (mm) of a segment's outline in ``frame``, its 10 mm outline pass included
    (``"_stance"``: the standing view's other leg); kept for a segment whose frame did not move."""
    key = (id(sil), segname) if frame is None else (id(sil), segname, float(frame[0][0]), float(frame[0][1]),
                                                    float(frame[1]))
    got = _SEG_BOXES.get(key)
    if got is None:
        if len(_SEG_BOXES) > 4096:
            _SEG_BOXES.clear()
        if frame is None:
            th, sh = b.segment("thigh"), b.segment("shank")
            stance = {"thigh": (np.zeros(2), 0.0), "shank": (np.array([0.0, -th]), 0.0),
                      "foot": (np.array([0.0, -th - sh]), 0.0)}
            pts, pad = np.vstack([_to_world(fr, p) for seg, fr in stance.items() for p in sil[seg]]), 4.5
        else:
            pts, pad = np.vstack([_to_world(frame, p) for p in sil[segname]]), 5.5
        lo, hi = pts.min(axis=0), pts.max(axis=0)
        got = _SEG_BOXES[key] = (float(lo[0]) - pad, float(lo[1]) - pad, float(hi[0]) + pad, float(hi[1]) + pad)
    return got


_HEAD_BOXES: dict = {}


def _head_box(cx: float, cy: float, r: float, a: float, floor: float | None, gaze_a: float | None = None) -> tuple:
    """World box (mm) of the head as :func:`_draw_head` draws it: skull and outline, nose, gaze arrow."""
    key = (cx, cy, r, a, floor, gaze_a)
    got = _HEAD_BOXES.get(key)
    if got is None:
        if len(_HEAD_BOXES) > 1024:
            _HEAD_BOXES.clear()
        _eye, nose, _hair, gaze = _head_points(cx, cy, r, a, floor, gaze_a)
        pts = [nose] if gaze is None else [nose, gaze[2], np.array([gaze[0], gaze[1]])]
        allp = np.vstack(pts)
        lo, hi = allp.min(axis=0) - 4.5, allp.max(axis=0) + 4.5
        got = _HEAD_BOXES[key] = (min(float(lo[0]), cx - r - 5.5), min(float(lo[1]), cy - r - 5.5),
                                  max(float(hi[0]), cx + r + 5.5), max(float(hi[1]), cy + r + 5.5))
    return got


def drawn_extent(data: Mapping, body: Body | None = None, view: str = "standing", *, nerve: str | None = None,
                 labels: bool = True, strain: bool = True):
    """World box ``(x0, y0, x1, y1)`` (mm, y up) of what :func:`posture_svg` draws of the body in
    ``view`` (silhouette, head and gaze arrow, muscles, nerve with its strain halo, labels; not the
    support or the key).  ``data``: the :func:`neuralsim.model.drawing` result of the posture in
    ``view``; ``nerve``/``labels`` as for :func:`posture_svg`; ``strain``: leave room for the
    widest strain halo."""
    b = DEFAULT_BODY if body is None else body
    view_box(view)                                   # an unknown view: the ValueError naming the views
    d = _drawn(data, b, nerve, view)
    nerve_pts = d["nerve"] if nerve is None else d["nerves"][nerve]
    floor, items = _placed_labels(d, b, view, nerve, labels)
    return _extent(d, b, view, nerve_pts, d["muscles"], items, floor, strain)


#: In the thigh the paths of a nerve's contrast muscles (the hamstrings) run within a few mm of one
#: another and of the nerve (they share their origin): drawn there side by side in lanes this far
#: apart (mm, centre to centre), each on its own side of the nerve, so the three read as three.
_LANE_MM = 18.0
#: Where along the thigh (fractions of its length from the hip) the lanes are fully apart, and where
#: they have joined their own paths again (the origin and the insertions are drawn where they are).
_LANE_FULL, _LANE_END = (0.25, 0.6), (0.05, 0.9)


def _densify(pts: np.ndarray, step: float) -> np.ndarray:
    """``pts`` with points added along each segment at most ``step`` mm apart (the vertices kept)."""
    pts = np.asarray(pts, dtype=float)
    out = [pts[:1]]
    for a, b in zip(pts[:-1], pts[1:]):
        n = max(1, int(math.ceil(math.hypot(*(b - a)) / step)))
        out.append(a + (b - a) * (np.arange(1, n + 1)[:, None] / n))
    return np.vstack(out)


#: Side-lying is seen from above (the couch under the body's length): the drawing is turned this far
#: (deg, counter-clockwise, about the hip) from the library's side-lying drawing, which lies like the
#: supine one, so that the femoral slump's curled trunk (60 deg of spinal flexion) lies along the
#: couch instead of standing up from it like a sitting person's.
SIDE_LYING_TURN_DEG = 30.0


def _turned(d: Mapping, deg: float) -> Mapping:
    """``d`` (a :func:`neuralsim.model.drawing` result) turned ``deg`` counter-clockwise about the hip
    centre (the origin): every point, frame and the head; lengths and angles between parts unchanged."""
    t = math.radians(deg)
    rot = np.array([[math.cos(t), math.sin(t)], [-math.sin(t), math.cos(t)]])     # row vectors: p @ rot

    def pts(a):
        return np.asarray(a, dtype=float) @ rot

    (hc, hr) = d["head"]
    return {**d, "joints": {k: pts(v) for k, v in d["joints"].items()},
            "skeleton": [pts(line) for line in d["skeleton"]],
            "head": (pts(hc), hr), "nerve": pts(d["nerve"]),
            "nerves": {k: pts(v) for k, v in d["nerves"].items()},
            "muscles": {k: pts(v) for k, v in d["muscles"].items()},
            "frames": {k: (pts(o), float(a) + t) for k, (o, a) in d["frames"].items()}}


def _drawn(d: Mapping, b: Body, nerve: str | None, view: str = "standing") -> Mapping:
    """``d`` as drawn in ``view``: side-lying turned :data:`SIDE_LYING_TURN_DEG`; the contrast muscles of ``nerve`` drawn apart in the thigh (see :data:`_LANE_MM`):
    each keeps its own path at its ends; along the thigh it is moved square to the thigh onto a lane of
    its own (alongside the nerve), keeping their order front to back, the nerve between them."""
    if view == "side_lying":
        d = _turned(d, SIDE_LYING_TURN_DEG)
    group = _contrast(nerve)
    names = [m for m in d["muscles"] if muscle_info(m)[0] == group]
    if len(names) < 2:
        return d
    (o, a), th = d["frames"]["thigh"], b.segment("thigh")
    c, sn = math.cos(a), math.sin(a)
    s = b.height_m * 1000.0 / _REF_H

    def local(pts):
        rel = np.asarray(pts, dtype=float) - o
        return np.column_stack((c * rel[:, 0] + sn * rel[:, 1], -sn * rel[:, 0] + c * rel[:, 1]))

    def along_thigh(loc):        # the points of a path on its way down the thigh (not a folded-back shank)
        down = np.arange(len(loc)) <= int(np.argmin(loc[:, 1]))          # to its lowest point
        return down & (loc[:, 1] <= 0.0) & (loc[:, 1] >= -th) & (np.abs(loc[:, 0]) < 150.0 * s)

    def mid_x(loc):              # the path's x (thigh frame) halfway down the thigh, if it runs there
        inside = along_thigh(loc)
        if inside.sum() < 2:
            return None
        y, x = loc[inside, 1], loc[inside, 0]
        order = np.argsort(y)
        return float(np.interp(-0.5 * th, y[order], x[order]))

    paths = {m: local(_densify(d["muscles"][m], 15.0)) for m in names}
    mids = {m: mid_x(p) for m, p in paths.items()}
    if any(v is None for v in mids.values()):
        return d
    nerve_loc = local(_densify(d["nerve"] if nerve is None else d["nerves"][nerve], 15.0))
    nerve_mid = mid_x(nerve_loc)
    if nerve_mid is not None:    # the lanes run alongside the nerve: its x (thigh frame) down the thigh
        run = along_thigh(nerve_loc)
        ny, nx = nerve_loc[run, 1], nerve_loc[run, 0]
        order = np.argsort(ny)
        beside = lambda y: np.interp(y, ny[order], nx[order]) - nerve_mid       # noqa: E731
    else:
        beside = lambda y: 0.0 * y                                                # noqa: E731
    width = MUSCLE_STYLES[group][1] if group in MUSCLE_STYLES else MUSCLE_STYLES["other"][1]
    centre = float(np.mean(list(mids.values()))) if nerve_mid is None else nerve_mid
    gap = (NERVE_WIDTH + width) / 2 + (_LANE_MM - width) if nerve_mid is not None else _LANE_MM / 2
    # front to back; with the nerve between them (the sciatic nerve runs between the lateral and the
    # medial hamstrings), at least one lane on each side of it
    ranked = sorted(names, key=lambda m: -mids[m])
    n_front = sum(mids[m] > centre for m in names)
    if nerve_mid is not None:
        n_front = min(max(n_front, 1), len(names) - 1)
    front, back = ranked[:n_front], ranked[n_front:]
    lane = {m: centre + gap + k * _LANE_MM for k, m in enumerate(front)}
    lane.update({m: centre - gap - k * _LANE_MM for k, m in enumerate(back)})
    (f0, f1), (e0, e1) = _LANE_FULL, _LANE_END
    out = dict(d["muscles"])
    for m, loc in paths.items():
        t = -loc[:, 1] / th                                     # fraction down the thigh
        w = np.clip(np.minimum((t - e0) / (f0 - e0), (e1 - t) / (e1 - f1)), 0.0, 1.0)
        w[np.abs(loc[:, 0]) >= 150.0 * s] = 0.0
        w[np.maximum.accumulate(t) > e1] = 0.0     # past the knee (a shank folded back along the thigh)
        w[~along_thigh(loc)] = 0.0
        w[[0, -1]] = 0.0
        x = (1.0 - w) * loc[:, 0] + w * (lane[m] + beside(loc[:, 1]))
        y = loc[:, 1]
        out[m] = np.column_stack((o[0] + c * x - sn * y, o[1] + sn * x + c * y))
    return {**d, "muscles": out}


def _placed_labels(d: Mapping, b: Body, view: str, nerve: str | None, labels: bool) -> tuple:
    """``(floor, items)``: the couch's top under a lying body (:func:`_couch_top`) and where the
    labels go (:func:`_label_items`; none when ``labels`` is false), as :func:`posture_svg`
    draws them and :func:`drawn_extent` measures them."""
    floor = _couch_top(view, _silhouette(b))
    if not labels:
        return floor, []
    return floor, _label_items(d, b, list(d["muscles"]), view, nerve_parts=_nerve_spec(nerve).figure_parts,
                               group=_contrast(nerve),
                               floor=floor if view == "prone" else None)


def _nerve_spec(nerve: str | None):
    """The registry's definition of ``nerve`` (its default nerve when ``None``)."""
    r = _reg.current()
    return r.nerve(nerve)


def _contrast(nerve: str | None) -> str:
    """The muscle group the registry tells ``nerve`` apart from (the default nerve's when ``None``)."""
    return _nerve_spec(nerve).contrast


def picture_box(view: str, extent=None) -> tuple[float, float, float, float]:
    """The world box (mm) a picture in ``view`` is drawn in: :func:`view_box`, or, when ``extent``
    (a drawn extent, world mm) does not fit in it, the smallest box of the same shape (aspect
    ratio) holding both (padded alike on the two sides of its short side): the picture zooms out for a posture beyond the
    view's teaching range instead of cutting part of the body off, and the layout keeps its shape."""
    x0, y0, x1, y1 = box = view_box(view)
    if extent is None:
        return box
    e0, f0, e1, f1 = extent
    if e0 >= x0 and f0 >= y0 and e1 <= x1 and f1 <= y1:
        return box
    u0, v0, u1, v1 = min(x0, e0), min(y0, f0), max(x1, e1), max(y1, f1)
    aspect = (x1 - x0) / (y1 - y0)
    w, h = u1 - u0, v1 - v0
    if w / h < aspect:                     # too narrow: widen on both sides
        extra = h * aspect - w
        u0, u1 = u0 - extra / 2, u1 + extra / 2
    else:                                  # too flat: raise the top and lower the bottom alike
        extra = w / aspect - h
        v0, v1 = v0 - extra / 2, v1 + extra / 2
    return _outward((u0, v0, u1, v1))


def posture_svg(posture: Any, body: Body | None = None, view: str = "standing", *, data: Mapping,
                strain: Any = None, title: str | None = None, desc: str | None = None,
                width_px: int | None = None, legend: bool = True,
                numbers: Mapping | None = None, height_px: int | None = None, labels: bool = True,
                nerve: str | None = None, uid: int | None = None) -> str:
    """An SVG picture (string) of one posture: a silhouette, a nerve bed and every muscle of the registry.

    ``posture``: a single :class:`~neuralsim.Posture` (angles in degrees) or a
    mapping joint -> degrees.  ``view``: ``"standing"``, ``"sitting"`` or
    ``"supine"``; the support drawn (floor, plinth, couch) follows the view.
    ``data``: the :func:`neuralsim.model.drawing` result of ``posture`` in ``view`` (every
    coordinate drawn).  ``strain``: ``None`` draws no strain halo; or a result object
    (:func:`neuralsim.mechanics.nerve_mechanics`) with ``s_mm`` and
    ``in_situ_strain_profile_pct`` arrays (shape ``(N,)``, mm and % beyond the in-situ length),
    ``cord_nodes`` and ``root_nodes`` (``(N,)`` bool: no halo there, they have bands of their own)
    and ``peak_nerve_in_situ_strain_pct`` (the peak along the peripheral nerve, %).
    ``title``/``desc`` replace the generated ones.
    ``legend``: draw the key in a panel right of the body's box (never on the
    body).  ``labels``: name the nerve's parts and each hamstring with leader
    lines.  ``numbers``: the lengths for the description (see
    :func:`describe`; needed unless ``desc`` is given).  ``nerve``: the nerve bed drawn (a key of
    :data:`neuralsim.NERVES`; default the sciatic); a strain halo only for a
    nerve the mechanics model covers.  Drawing units are mm; ``height_px``
    (default 480) or ``width_px`` sets the displayed size in pixels.  The
    picture's box is :func:`view_box` (every step and preset of the view fits
    it); a posture beyond it is drawn whole in a larger box of the same shape
    (:func:`picture_box`), never cut off.  ``uid``: the number in the picture's element ids
    (title, description, outline); default a new one for every picture, so that pictures on one
    page never share an id (a figure redrawn in place, as the explorer's, keeps its own).
    """
    return "".join(posture_parts(posture, body, view, data=data, strain=strain, title=title, desc=desc,
                                 width_px=width_px, legend=legend, numbers=numbers, height_px=height_px,
                                 labels=labels, nerve=nerve, uid=uid).values()) + "</svg>"


#: The parts of :func:`posture_parts`, in drawing order (each one string of whole elements, maybe
#: empty); ``"svg"`` is the opening tag: the others go inside it.
POSTURE_PARTS = ("svg", "caption", "support", "body", "skeleton", "head", "halo", "muscles", "nerve",
                 "labels", "key")


def posture_parts(posture: Any, body: Body | None = None, view: str = "standing", *, data: Mapping,
                  strain: Any = None, title: str | None = None, desc: str | None = None,
                  width_px: int | None = None, legend: bool = True,
                  numbers: Mapping | None = None, height_px: int | None = None, labels: bool = True,
                  nerve: str | None = None, uid: int | None = None) -> dict[str, str]:
    """:func:`posture_svg`'s picture in parts: part name (:data:`POSTURE_PARTS`, in order) -> SVG
    text; joined, then ``"</svg>"``, they are that picture byte for byte.  A figure redrawn in
    place (the explorer's) replaces only the parts that changed."""
    b = DEFAULT_BODY if body is None else body
    p = as_posture(posture)
    d = _drawn(data, b, nerve, view)
    nerve_pts = d["nerve"] if nerve is None else d["nerves"][nerve]
    if nerve is not None and not _nerve_spec(nerve).mechanics:
        strain = None
    floor, items = _placed_labels(d, b, view, nerve, labels)
    names = list(d["muscles"])
    group = _contrast(nerve)
    contrast_over = _nerve_spec(nerve).contrast_over   # its contrast group runs along it: drawn over it
    box = picture_box(view, _extent(d, b, view, nerve_pts, d["muscles"], items, floor, strain is not None))
    x0, y0, x1, y1 = box
    bh = y1 - y0
    panel = (0.04 * _H_MAX_MM + _LEGEND_W * 0.96 * bh / _LEGEND_H) if legend else 0.0
    bw = x1 - x0 + panel
    if height_px is None:
        height_px = 480 if width_px is None else width_px * bh / bw
    width_px = height_px * bw / bh
    if title is None:
        seen = "lying on its side, seen from above" if view == "side_lying" else "seen from the side"
        title = f"Body {seen}, {view} view ({_SUPPORT[view]}), with the nerve bed and the {group}"
    if desc is None:
        if numbers is None:
            raise TypeError("posture_svg: give numbers (the lengths for the description, see describe) "
                            "or desc (the description itself)")
        desc = describe(p, b, view, numbers, nerve=nerve)
    fixed = uid is not None              # a picture redrawn in place: one id number for all its ids
    uid = int(uid) if fixed else next(_ids)
    out = dict.fromkeys(POSTURE_PARTS, "")
    out["svg"] = (
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" class="neuralsim-posture" data-view="{view}" '
        f'viewBox="{x0:.0f} {-y1:.0f} {bw:.0f} {bh:.0f}" width="{width_px:.0f}" height="{height_px:.0f}" '
        f'aria-labelledby="ns-title-{uid} ns-desc-{uid}">')
    out["caption"] = (f'<title id="ns-title-{uid}">{escape(title)}</title>'
                      f'<desc id="ns-desc-{uid}">{escape(desc)}</desc>')
    sil = _silhouette(b)
    frames = d["frames"]
    out["support"] = "".join(_support(view, d, b, sil, box) + (_stance_leg(b, sil) if view == "standing" else []))
    out["body"] = "".join(list(_body_parts(frames, sil, BODY_FILL, BODY_OUTLINE, "neuralsim-body", uid if fixed else None))
                          + list(_arm(d, b, view)))
    out["skeleton"] = "".join(_polyline(line, "#B9B3AC", 8, cls="neuralsim-skeleton") for line in d["skeleton"])
    out["head"] = "".join(_head(d, floor))
    peak = None
    nerve_text = points_attr(nerve_pts)      # one text for the nerve and its halo's runs
    if strain is not None:
        out["halo"] = "".join(_nerve_segments(nerve_pts, strain, nerve_text))
        if legend:                      # the key prints the peak (%): read only when drawn
            peak = float(strain.peak_nerve_in_situ_strain_pct)
    parts: list[str] = []
    over = []      # muscles drawn over the nerve (they run along it: under it they would be hidden)
    for m, (mgroup, colour, width, dash) in muscle_styles(names).items():   # styled by group
        extra = "" if dash == "none" else f' stroke-dasharray="{dash}"'
        pts = points_attr(d["muscles"][m])          # one text for the casing and the muscle
        cls = "neuralsim-hamstring" if mgroup == "hamstrings" else f"neuralsim-muscle neuralsim-{m}"
        if contrast_over and mgroup == group:
            over.append(_polyline(pts, colour, _OVER_WIDTH, extra + f' data-muscle="{m}"', cls=cls))
            continue
        parts.append(_polyline(pts, "#FFFFFF", width + 8, cls="neuralsim-casing"))
        parts.append(_polyline(pts, colour, width, extra + f' data-muscle="{m}"', cls=cls))
    out["muscles"] = "".join(parts)
    out["nerve"] = _polyline(nerve_text, NERVE_COLOUR, NERVE_WIDTH, cls="neuralsim-nerve") + "".join(over)
    if labels:
        out["labels"] = "".join(_labels(items))
    if legend:
        scale = bh / _LEGEND_H
        out["key"] = (f'<g class="neuralsim-legend" transform="translate({x1 + 0.02 * _H_MAX_MM:.0f} '
                      f'{-y1 + 0.02 * _H_MAX_MM:.0f}) scale({scale * 0.96:.3f})">{legend_body(peak, names, nerve=nerve)}</g>')
    return out


_LEGEND_H = 560.0                       # legend user units (px at its natural size)
_LEGEND_W = 300.0


def _nerve_key(nerve: str | None) -> str:
    spec = _nerve_spec(nerve)
    return f"nerve: {', '.join(spec.figure_parts) if spec.figure_parts else spec.label}"


def legend_body(peak: float | None, muscles: list | tuple | None = None, strain: bool | None = None,
                nerve: str | None = None) -> str:
    """The key's SVG content (no outer ``<svg>``), in a 300 x 560 box of user units."""
    if muscles is None:
        muscles = list(_reg.current().muscles)
    fs = 17
    out = [f'<g font-family="sans-serif" font-size="{fs}" fill="#222222">']
    y = 20
    out.append(f'<text x="0" y="{y}" font-weight="bold">Key</text>')
    y += 30
    out.append(f'<line x1="0" y1="{y}" x2="46" y2="{y}" stroke="{NERVE_COLOUR}" stroke-width="7" stroke-linecap="round"/>'
               f'<text x="56" y="{y + 6}">{escape(_nerve_key(nerve))}</text>')
    rows, y = _muscle_key(muscles, y, 28, 46, 56, 6)
    out.extend(rows)
    y += 28
    out.append(f'<text x="0" y="{y + 6}" fill="#555555">grey: body and support</text>')
    show_strain = peak is not None if strain is None else strain
    if show_strain:
        y += 40
        head = "nerve strain (halo)" + ("" if peak is None else f": peak {peak:.1f} %")
        out.append(f'<text x="0" y="{y}" font-weight="bold">{head}</text>')
        for k, b in enumerate(STRAIN_BANDS):
            y += 32
            out.append(_band_sample(k, 4, 42, y))
            now = "  (peak)" if peak is not None and band_of(peak) == k else ""
            out.append(f'<text x="56" y="{y + 6}" font-size="14">{escape(b.label)}{now}'
                       f'<title>{escape(b.meaning)}</title></text>')
        out.append(f'<text x="0" y="{y + 30}" font-size="12" fill="#555555">rabbit data: not clinical limits</text>')
    out.append("</g>")
    return "".join(out)


def _muscle_key(muscles, y: float, step: float, sample: float, text_x: float, dy: float) -> tuple[list, float]:
    """The key's muscle entries, one row per muscle ``step`` below the last (from ``y``): a line
    sample ``sample`` long in the muscle's style, then its label at ``text_x`` (baseline ``dy``
    below the row).  Returns the SVG pieces and the last row's ``y`` (user units)."""
    out = []
    for m, (_group, colour, width, dash) in muscle_styles(muscles).items():
        _g, short, full = muscle_info(m)
        extra = "" if dash == "none" else f' stroke-dasharray="{_scale_dash(dash, 0.27)}"'
        y += step
        out.append(f'<line x1="0" y1="{y}" x2="{sample}" y2="{y}" stroke="{colour}" stroke-width="{width * 0.27:.1f}"{extra}/>'
                   f'<text x="{text_x}" y="{y + dy}">{escape(f"{short}: {full}" if short != full else full)}</text>')
    return out, y


def _scale_dash(dash: str, k: float) -> str:
    return " ".join(f"{float(v) * k:.1f}" for v in dash.split())


def band_of(pct: float) -> int:
    """Index in :data:`STRAIN_BANDS` of the band a local strain of ``pct`` (%) lies in (below 0: the first)."""
    return int(_band_index(max(float(pct), 0.0)))


def _band_sample(k: int, x0: float, x1: float, y: float) -> str:
    """A short piece of nerve with the halo of band ``k`` (its colour, dash pattern and width)."""
    b = STRAIN_BANDS[k]
    dash = f' stroke-dasharray="{_scale_dash(b.pattern, 1.0)}"' if b.pattern else ""
    return (f'<line x1="{x0}" y1="{y}" x2="{x1}" y2="{y}" stroke="{b.colour}" stroke-width="{halo_width(k) * 0.27:.1f}"{dash}/>'
            f'<line x1="{x0}" y1="{y}" x2="{x1}" y2="{y}" stroke="{NERVE_COLOUR}" stroke-width="{NERVE_WIDTH * 0.27:.1f}"/>')


def _legend_compact(peak: float | None, muscles, strain: bool, peak_band: int | None = None,
                    nerve: str | None = None) -> tuple[str, float]:
    """Two columns (structures | strain bands) in a 640-unit-wide box; also its height.

    ``peak_band``: mark this band as the one the peak is in (when ``peak`` is not given)."""
    fs = 16
    out = [f'<g font-family="sans-serif" font-size="{fs}" fill="#222222">']
    y = 16
    out.append(f'<line x1="0" y1="{y}" x2="40" y2="{y}" stroke="{NERVE_COLOUR}" stroke-width="7" stroke-linecap="round"/>'
               f'<text x="48" y="{y + 5}">{escape(_nerve_key(nerve))}</text>')
    rows, y = _muscle_key(muscles, y, 24, 40, 48, 5)
    out.extend(rows)
    y += 24
    out.append(f'<text x="0" y="{y + 5}" fill="#555555">grey: body and support; dashed arrow: gaze</text>')
    h = y + 12
    if strain:
        x = 330
        yy = 16
        head = "nerve strain (halo)" + ("" if peak is None else f", peak {peak:.1f} %")
        out.append(f'<text x="{x}" y="{yy + 5}" font-weight="bold">{head}</text>')
        for k, b in enumerate(STRAIN_BANDS):
            yy += 26
            now = (band_of(peak) if peak is not None else peak_band) == k
            bold = ' font-weight="bold"' if now else ""
            mark = " ◀ peak" if now else ""
            out.append(_band_sample(k, x + 4, x + 40, yy))
            out.append(f'<text x="{x + 52}" y="{yy + 5}" font-size="14"{bold}>{escape(b.label)}{mark}'
                       f'<title>{escape(b.meaning)}</title></text>')
        yy += 24
        out.append(f'<text x="{x}" y="{yy + 5}" font-size="12" fill="#555555">rabbit data, for education: not clinical limits</text>')
        h = max(h, yy + 14)
    out.append("</g>")
    return "".join(out), h


#: Presentation mode's key and gauges: their smallest type (px, drawn at their own size) and width
#: (px; they sit in a side column of 37 % of a 1024 px projector's width).
LARGE_TYPE_PX = 20
LARGE_W_PX = 370


def _legend_large(peak: float | None, muscles, strain: bool, peak_band: int | None = None,
                  nerve: str | None = None) -> tuple[str, float]:
    """The key for a lecture hall: structures by their short names (left), strain bands by their
    ranges (right), type :data:`LARGE_TYPE_PX` px; also its height (px)."""
    fs, step = LARGE_TYPE_PX, 30
    out = [f'<g font-family="sans-serif" font-size="{fs}" fill="#222222">']
    y = 22
    out.append(f'<line x1="0" y1="{y}" x2="40" y2="{y}" stroke="{NERVE_COLOUR}" stroke-width="7" stroke-linecap="round"/>'
               f'<text x="48" y="{y + 7}">nerve<title>{escape(_nerve_key(nerve))}</title></text>')
    for m, (_group, colour, width, dash) in muscle_styles(muscles).items():
        _g, short, full = muscle_info(m)
        extra = "" if dash == "none" else f' stroke-dasharray="{_scale_dash(dash, 0.27)}"'
        y += step
        out.append(f'<line x1="0" y1="{y}" x2="40" y2="{y}" stroke="{colour}" stroke-width="{width * 0.27:.1f}"{extra}/>'
                   f'<text x="48" y="{y + 7}">{escape(short)}<title>{escape(full)}</title></text>')
    h = y + 14
    if strain:
        x, yy = 170, 22
        out.append(f'<text x="{x}" y="{yy + 7}" font-weight="bold">strain (halo)</text>')
        for k, b in enumerate(STRAIN_BANDS):
            yy += step
            now = (band_of(peak) if peak is not None else peak_band) == k
            out.append(_band_sample(k, x + 4, x + 40, yy))
            bold, mark = (' font-weight="bold"', " ◀") if now else ("", "")
            out.append(f'<text x="{x + 50}" y="{yy + 7}"{bold}>{escape(b.range_label)}{mark}'
                       f'<title>{escape(b.label)}: {escape(b.meaning)}</title></text>')
        yy += step
        out.append(f'<text x="{x}" y="{yy + 7}" fill="#555555">rabbit data</text>')
        h = max(h, yy + 14)
    out.append("</g>")
    return "".join(out), h


def legend_svg(peak: float | None, muscles: list | tuple | None = None, width_px: int = 260,
               strain: bool | None = None, compact: bool = False, peak_band: int | None = None,
               nerve: str | None = None, large: bool = False) -> str:
    """The figure's key as its own SVG (the explorer shows it beside the body, never on it).

    ``peak``: the peak local strain (%) to print, or ``None``.  ``compact``: two columns
    (structures, strain bands) for a wide, low box; there ``peak_band`` marks a band as the
    peak's without printing the value.  ``large``: for a lecture hall (presentation mode), two
    columns of short names, every letter :data:`LARGE_TYPE_PX` px high or more, drawn
    :data:`LARGE_W_PX` px wide (``width_px`` is then ignored).
    """
    if muscles is None:
        muscles = list(_reg.current().muscles)
    show = peak is not None if strain is None else bool(strain)
    if large:
        body, h = _legend_large(peak, muscles, show, peak_band, nerve)
        w_units = float(LARGE_W_PX)
        width_px = LARGE_W_PX          # drawn at its own size: its type is the size it says
    elif compact:
        body, h = _legend_compact(peak, muscles, show, peak_band, nerve)
        w_units = 640.0
    else:
        body, h = legend_body(peak, muscles, show, nerve), (_LEGEND_H if show else 250.0)
        w_units = _LEGEND_W
    return (f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="Key to the figure" class="neuralsim-legend" '
            f'viewBox="0 0 {w_units:.0f} {h:.0f}" width="{width_px}" height="{width_px * h / w_units:.0f}">'
            f'{body}</svg>')


def support_fits(posture: Any, view: str) -> bool:
    """Whether the support of ``view`` can carry ``posture`` (angles in degrees).

    Standing: not a seated posture (hip and knee both flexed 45 deg or more would fold the
    body over a standing leg).  Sitting on a plinth: the hip flexed at least 45 deg (less
    and the trunk would lie back off the plinth's edge).  Supine on a couch: the hip not
    extended and the knee bent no more than 5 deg beyond the hip (the shank stays above the
    couch).  A view this module has no rule for is accepted.
    """
    p = as_posture(posture)
    hip, knee = float(p.hip_flexion), float(p.knee_flexion)
    if view == "standing":
        return not (hip >= 45.0 and knee >= 45.0)
    if view == "sitting":
        return hip >= 45.0
    if view == "supine":
        return hip >= 0.0 and knee <= hip + 5.0
    return True


def describe(posture: Any, body: Body | None = None, view: str = "standing",
             numbers: Mapping | None = None, *, nerve: str | None = None) -> str:
    """One-paragraph text description of a posture and its lengths (for ``<desc>``).

    ``numbers``: ``{"bed_mm", "relative_bed", "muscles_mm": {muscle: mm}}``, the bed of ``nerve``
    (the registry's default nerve when ``None``) and the lengths of the muscles of the group the
    registry tells it apart from (:func:`neuralsim.classroom.figures.describe` computes them).
    """
    if numbers is None:
        raise TypeError("describe: numbers (the bed and muscle lengths, mm) is required; "
                        "neuralsim.classroom.figures.describe computes them")
    b = DEFAULT_BODY if body is None else body
    p = as_posture(posture)
    r = _reg.current()
    angles = ", ".join(f"{JOINT_LABELS[j]} {angle_text(getattr(p, j))} {UNIT}" for j in JOINTS)
    group = _contrast(nerve)
    # the default nerve is called plainly "nerve bed"; a named one by its registry label
    bed_name = "Nerve bed" if nerve is None else _nerve_spec(nerve).label.capitalize()
    return (f"{view.capitalize()} view of a {b.height_m:.2f} m body. Joint angles: {angles}. "
            f"{bed_name} {numbers['bed_mm']:.0f} mm, "
            f"{number_text(100 * (numbers['relative_bed'] - 1), 1, signed=True)} % against standing. "
            f"{group.capitalize()}: " + ", ".join(
                f"{r.muscles[m].label} {numbers['muscles_mm'][m]:.0f} mm" for m in r.group(group)) + ".")


def contributions_svg(contributions: Mapping[str, float], *, title: str | None = None,
                      desc: str | None = None, scale_mm: float = 80.0, width_px: int = 360) -> str:
    """Horizontal bar chart (SVG string) of joint -> change of bed length (mm).

    Bars are in the nerve's colour: filled to the right (sign "+") where the joint
    lengthens the bed, outlined to the left (sign "-") where it shortens it.  Each
    change is against standing (the anatomical position).  The axis spans ``±scale_mm`` and widens to
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
        title = "Change of nerve bed length at each joint against standing, mm"
    if desc is None:
        desc = ("; ".join(f"{JOINT_LABELS[j]} {number_text(v, 1, signed=True)} mm" for j, v in vals)
                + f". Total {number_text(total, 1, signed=True)} mm.")
    x0 = label_w + bar_w / 2
    uid = next(_ids)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" class="neuralsim-bars" '
        f'viewBox="0 0 {width} {height}" width="{width_px}" height="{width_px * height / width:.0f}" '
        f'aria-labelledby="ns-bars-title-{uid} ns-bars-desc-{uid}" font-family="sans-serif" font-size="13">'
        f'<title id="ns-bars-title-{uid}">{escape(title)}</title><desc id="ns-bars-desc-{uid}">{escape(desc)}</desc>'
        f'<text x="{width / 2:.0f}" y="16" text-anchor="middle" fill="#222222">bed length against standing, per joint (mm)</text>'
        f'<line x1="{x0:g}" y1="24" x2="{x0:g}" y2="{height - 8}" stroke="#666666"/>'
    ]
    for i, (j, v) in enumerate(vals):
        y = 28 + i * row
        w = (bar_w / 2) * abs(v) / scale
        fill = NERVE_COLOUR if v >= 0 else "#FFFFFF"
        x = x0 if v >= 0 else x0 - w
        parts.append(f'<text x="{label_w - 6}" y="{y + 16}" text-anchor="end" fill="#222222">{JOINT_LABELS[j]}</text>')
        parts.append(f'<rect class="neuralsim-bar" data-joint="{j}" x="{x:.1f}" y="{y + 4}" width="{w:.1f}" height="{row - 8}" fill="{fill}" stroke="{NERVE_COLOUR}" stroke-width="2"/>')
        parts.append(f'<text x="{x0 + bar_w / 2 + 4:g}" y="{y + 16}" fill="#222222">{int(round(v)):+d}</text>')
    parts.append("</svg>")
    return "".join(parts)


#: The gauges' scale: percent change against the reference (the anatomical position).
GAUGE_RANGE_PCT: tuple[float, float] = (-10.0, 30.0)


def gauges_svg(rows: list, *, reference: str = "standing (anatomical position)", width_px: int = 470,
               title: str | None = None, start_label: str = "since start", large: bool = False,
               uid: int | None = None) -> str:
    """Side-by-side gauges (SVG string): the nerve bed and each hamstring, drawn alike.

    ``rows``: one dict per structure with ``name`` (label), ``kind`` (``"nerve"`` or a muscle
    name), ``mm`` (length now, mm), ``ref_mm`` (length in the reference posture, mm),
    ``step_mm`` (change at the last step, mm) and ``start_mm`` (change since the start, mm).
    Each bar is the change against the reference in % (scale :data:`GAUGE_RANGE_PCT`, clipped
    with an arrow beyond it) in the structure's own colour (nerve blue, hamstrings purple
    with their dash pattern as the bar's edge); the columns beside it print that change in %
    and mm, then the last step's change and the change since the start (mm), labelled.
    ``large``: for a lecture hall (presentation mode): the bars and the change in % only, every
    letter :data:`LARGE_TYPE_PX` px or more, drawn :data:`LARGE_W_PX` px wide (``width_px``
    ignored; the millimetres are in the text line and the description).
    ``uid``: the number in its element ids (default a new one, as :func:`posture_svg`).
    """
    lo, hi = GAUGE_RANGE_PCT
    fs, row = 15, 30
    label_w, bar_w = 86, 136
    col = [label_w + bar_w + 8, label_w + bar_w + 156, label_w + bar_w + 234]
    width = col[2] + 64
    top = 44
    height = top + row * len(rows) + 6
    x_of = lambda pct: label_w + bar_w * (min(max(pct, lo), hi) - lo) / (hi - lo)  # noqa: E731
    zero = x_of(0.0)
    if title is None:
        title = f"Length of the nerve bed and of each hamstring against {reference}"
    desc = "; ".join(
        f"{r['name']}: {number_text(100 * (r['mm'] / r['ref_mm'] - 1), 1, signed=True)} % "
        f"({number_text(r['mm'] - r['ref_mm'], signed=True)} mm) against {reference}, "
        f"last step {number_text(r['step_mm'], signed=True)} mm, {start_label} "
        f"{number_text(r['start_mm'], signed=True)} mm" for r in rows) + "."
    if large:
        return _gauges_large(rows, title, desc, uid)
    uid = next(_ids) if uid is None else int(uid)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" role="img" class="neuralsim-gauges" '
           f'viewBox="0 0 {width} {height}" width="{width_px}" height="{width_px * height / width:.0f}" '
           f'aria-labelledby="ns-g-title-{uid} ns-g-desc-{uid}" font-family="sans-serif" font-size="{fs}" fill="#222222">'
           f'<title id="ns-g-title-{uid}">{escape(title)}</title><desc id="ns-g-desc-{uid}">{escape(desc)}</desc>',
           _gauge_scale(start_label, len(rows))]
    styles = muscle_styles([r["kind"] for r in rows if r["kind"] != "nerve"])
    for i, r in enumerate(rows):
        y = top + i * row
        pct = 100.0 * (r["mm"] / r["ref_mm"] - 1.0)
        if r["kind"] == "nerve":
            colour, dash = NERVE_COLOUR, "none"
        else:
            _group, colour, _w, dash = styles[r["kind"]]
        x = x_of(pct)
        x_a, x_b = min(x, zero), max(x, zero)
        edge = "" if dash == "none" else f' stroke-dasharray="{_scale_dash(dash, 0.4)}"'
        out.append(f'<text x="{label_w - 8}" y="{y + 16}" text-anchor="end" font-weight="bold" fill="{colour}">{escape(r["name"])}</text>')
        out.append(f'<rect class="neuralsim-gauge" data-kind="{escape(r["kind"])}" data-pct="{pct:.2f}" x="{x_a:.1f}" y="{y + 2}" '
                   f'width="{x_b - x_a:.1f}" height="{row - 8}" fill="{colour}" fill-opacity="0.85" stroke="#222222" stroke-width="1.5"{edge}/>')
        if pct > hi or pct < lo:
            tip = x_b if pct > hi else x_a
            s = 1 if pct > hi else -1
            out.append(f'<polygon points="{tip:.1f},{y + 1} {tip + 10 * s:.1f},{y + row / 2 - 3:.1f} {tip:.1f},{y + row - 7}" fill="#222222"/>')
        out.append(f'<text x="{col[0]}" y="{y + 16}">{_signed(pct, 1)} %, {_signed(r["mm"] - r["ref_mm"], 0)} mm</text>')
        out.append(f'<text x="{col[1] + 56}" y="{y + 16}" text-anchor="end">{_signed(r["step_mm"], 0)}</text>')
        out.append(f'<text x="{col[2] + 62}" y="{y + 16}" text-anchor="end">{_signed(r["start_mm"], 0)}</text>')
    out.append("</svg>")
    return "".join(out)


def _gauges_large(rows: list, title: str, desc: str, uid: int | None = None) -> str:
    """:func:`gauges_svg`'s ``large`` form (see there): name, bar, change in %, each row 40 px."""
    lo, hi = GAUGE_RANGE_PCT
    fs, row, top = LARGE_TYPE_PX, 40, 64
    label_w, bar_w = 76, 170
    width, height = LARGE_W_PX, top + row * len(rows) + 6
    x_of = lambda pct: label_w + 8 + bar_w * (min(max(pct, lo), hi) - lo) / (hi - lo)  # noqa: E731
    zero = x_of(0.0)
    uid = next(_ids) if uid is None else int(uid)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" role="img" class="neuralsim-gauges-large" '
           f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
           f'aria-labelledby="ns-gl-title-{uid} ns-gl-desc-{uid}" font-family="sans-serif" font-size="{fs}" fill="#222222">'
           f'<title id="ns-gl-title-{uid}">{escape(title)}</title><desc id="ns-gl-desc-{uid}">{escape(desc)}</desc>'
           f'<text x="{label_w + 8}" y="22">change against standing</text>']
    for t in (0.0, 20.0):          # two tick labels: at this size more would run into one another
        x = x_of(t)
        out.append(f'<text x="{x:.0f}" y="{top - 14}" text-anchor="middle" fill="#444444">{"0" if t == 0 else f"{t:+.0f} %"}</text>')
    for t in (lo, 10.0, 20.0, hi):
        x = x_of(t)
        out.append(f'<line x1="{x:.1f}" y1="{top - 8}" x2="{x:.1f}" y2="{height - 4}" stroke="#BBBBBB" stroke-width="1.5"/>')
    out.append(f'<line x1="{zero:.1f}" y1="{top - 8}" x2="{zero:.1f}" y2="{height - 4}" stroke="#444444" stroke-width="3"/>')
    styles = muscle_styles([r["kind"] for r in rows if r["kind"] != "nerve"])
    for i, r in enumerate(rows):
        y = top + i * row
        pct = 100.0 * (r["mm"] / r["ref_mm"] - 1.0)
        if r["kind"] == "nerve":
            colour, dash, name = NERVE_COLOUR, "none", "nerve"
        else:
            _group, colour, _w, dash = styles[r["kind"]]
            name = r["name"]
        x = x_of(pct)
        x_a, x_b = min(x, zero), max(x, zero)
        edge = "" if dash == "none" else f' stroke-dasharray="{_scale_dash(dash, 0.5)}"'
        out.append(f'<text x="{label_w}" y="{y + 25}" text-anchor="end" font-weight="bold" fill="{colour}">{escape(name)}</text>')
        out.append(f'<rect data-kind="{escape(r["kind"])}" data-pct="{pct:.2f}" x="{x_a:.1f}" y="{y + 4}" '
                   f'width="{x_b - x_a:.1f}" height="{row - 10}" fill="{colour}" fill-opacity="0.85" stroke="#222222" stroke-width="2"{edge}/>')
        if pct > hi or pct < lo:
            tip = x_b if pct > hi else x_a
            sgn = 1 if pct > hi else -1
            out.append(f'<polygon points="{tip:.1f},{y + 3} {tip + 12 * sgn:.1f},{y + row / 2 - 1:.1f} {tip:.1f},{y + row - 5}" fill="#222222"/>')
        out.append(f'<text x="{width - 2}" y="{y + 25}" text-anchor="end">{_signed(pct, 1)} %</text>')
    out.append("</svg>")
    return "".join(out)


@lru_cache(maxsize=64)
def _gauge_scale(start_label: str, n_rows: int) -> str:
    """The gauges' column heads and scale lines (the same on every update of an explorer)."""
    lo, hi = GAUGE_RANGE_PCT
    row, label_w, bar_w, top = 30, 86, 136, 44
    col = [label_w + bar_w + 8, label_w + bar_w + 156, label_w + bar_w + 234]
    height = top + row * n_rows + 6
    x_of = lambda pct: label_w + bar_w * (min(max(pct, lo), hi) - lo) / (hi - lo)  # noqa: E731
    zero = x_of(0.0)
    out = [f'<text x="{label_w + bar_w / 2:.0f}" y="14" text-anchor="middle" font-size="13">against standing</text>'
           f'<text x="{col[0]}" y="14" font-size="13">% and mm</text>'
           f'<text x="{col[1] + 56}" y="14" font-size="13" text-anchor="end">last step</text>'
           f'<text x="{col[2] + 62}" y="14" font-size="13" text-anchor="end">{escape(start_label)}</text>'
           f'<text x="{col[1] + 56}" y="30" font-size="13" text-anchor="end">(mm)</text>'
           f'<text x="{col[2] + 62}" y="30" font-size="13" text-anchor="end">(mm)</text>']
    for t in (lo, 0.0, 10.0, 20.0, hi):
        x = x_of(t)
        out.append(f'<text x="{x:.0f}" y="30" font-size="11" text-anchor="middle" fill="#555555">{t:+.0f}%</text>'
                   if t not in (lo, hi) else "")
        out.append(f'<line x1="{x:.1f}" y1="{top - 8}" x2="{x:.1f}" y2="{height - 4}" stroke="#BBBBBB" stroke-width="1"/>')
    out.append(f'<line x1="{zero:.1f}" y1="{top - 8}" x2="{zero:.1f}" y2="{height - 4}" stroke="#444444" stroke-width="2"/>')
    return "".join(out)


def _signed(v: float, nd: int) -> str:
    """``+1.5`` / ``−1.5`` (Unicode minus) / ``0`` for a value that rounds to zero."""
    r = round(float(v), nd)
    if r == 0:
        return "0" if nd == 0 else f"{0:.{nd}f}"
    s = f"{abs(r):.{nd}f}"
    return ("+" if r > 0 else "\u2212") + s


# -- marks on the body (the clinic's patient mode: where it stopped, what is felt where) ---------

class Mark(NamedTuple):
    """One mark on the picture, as data (the patient mode's :meth:`marks` give them).

    ``kind``: ``"block"`` (a firm block at the joint: a black square), ``"stretch"`` (a muscle
    stretch: a dashed pink ring), ``"nerve"`` (a nerve symptom: an orange star) or ``"stop"``
    (where the movement stopped: a black dot at the joint, the words by the foot); ``place``:
    the joints of the drawing (``drawing()["joints"]`` names) the mark sits halfway between;
    ``words``: what the mark means (its ``<title>``); ``short``: the word written beside it
    (``""``: none); ``side``: where that word goes: ``"above"`` the mark, ``"left"`` of it (the
    back and buttock seated), or for a stop ``"toe"`` (under the toes, lying on the back) or
    ``"ankle"`` (after the ankle); ``key``: the felt item (``data-felt``)."""

    kind: str
    place: tuple
    words: str
    short: str = ""
    side: str = "above"
    key: str = ""


#: Size of a mark (mm in the drawing: a star's outer radius).
MARK_R_MM = 64.0
_MARK_STYLE = {   # Okabe-Ito colours, each with a second cue (shape)
    "block": ("#000000", "square"), "stretch": ("#CC79A7", "ring"), "nerve": ("#D55E00", "star"),
}


def _mark(x: float, y: float, colour: str, shape: str, label: str, key: str = "") -> str:
    t = f"<title>{escape(label)}</title>"
    a = f'class="felt-mark" data-felt="{escape(key)}"'
    r = MARK_R_MM
    if shape == "square":
        return (f'<rect {a} x="{x - r * 0.6:.0f}" y="{-y - r * 0.6:.0f}" width="{r * 1.2:.0f}" '
                f'height="{r * 1.2:.0f}" fill="{colour}" opacity="0.8">{t}</rect>')
    if shape == "ring":
        halo = (f'<circle cx="{x:.0f}" cy="{-y:.0f}" r="{r:.0f}" fill="none" stroke="#fff" '
                f'stroke-width="34"/>')       # a white ground, so the ring reads over the muscles' lines
        return halo + (f'<circle {a} cx="{x:.0f}" cy="{-y:.0f}" r="{r:.0f}" fill="none" stroke="{colour}" '
                       f'stroke-width="18" stroke-dasharray="24 12">{t}</circle>')
    pts = []
    for k in range(10):
        rk = r if k % 2 == 0 else 0.44 * r
        ang = np.pi / 2 + k * np.pi / 5
        pts.append(f"{x + rk * np.cos(ang):.0f},{-y - rk * np.sin(ang):.0f}")
    return (f'<polygon {a} points="{" ".join(pts)}" fill="{colour}" stroke="#fff" stroke-width="10" '
            f'stroke-linejoin="round" paint-order="stroke">{t}</polygon>')


def _stop_mark(m: Mark, joints: Mapping) -> str:
    jx, jy = (float(v) for v in np.mean([np.asarray(joints[j], dtype=float) for j in m.place], axis=0))
    # the words go by the foot, the end of the limb that moved, clear of the labels at the hip
    if m.side == "toe":
        fx, fy = (float(v) for v in joints["toe"])
        tx, ty, anchor = fx, fy + 110, "middle"
    else:
        fx, fy = (float(v) for v in joints["ankle"])
        tx, ty, anchor = fx + 120, fy - 25, "start"
    return (f'<g class="stop-mark"><circle cx="{jx:.0f}" cy="{-jy:.0f}" r="38" fill="#000"/>'
            f'<text x="{tx:.0f}" y="{-ty:.0f}" text-anchor="{anchor}" font-size="80" font-weight="700" '
            f'fill="#000" stroke="#FFD54F" stroke-width="22" paint-order="stroke" font-family="sans-serif">'
            f'{escape(m.short)}</text><title>{escape(m.words)}</title></g>')


def marks_svg(marks, joints: Mapping) -> str:
    """SVG (drawing units, mm; to go inside :func:`posture_svg`'s ``<svg>``) of :class:`Mark` s.

    ``joints``: the joint points of the posture's drawing (``drawing()["joints"]``, mm, y up).
    Each felt mark has a ``<title>`` and its short word beside it on a white ground (so colour
    is never the only cue); a word close to an earlier one goes a line further away."""
    out = []
    used: list[tuple[float, float]] = []
    for m in marks:
        if m.kind == "stop":
            out.append(_stop_mark(m, joints))
            continue
        x, y = (float(v) for v in np.mean([np.asarray(joints[j], dtype=float) for j in m.place], axis=0))
        colour, shape = _MARK_STYLE[m.kind]
        out.append(_mark(x, y, colour, shape, m.words, m.key))
        if not m.short:
            continue
        if m.side == "left":
            tx, ty = x - MARK_R_MM - 25.0, y - 25.0
            while any(abs(tx - ux) < 330 and abs(ty - uy) < 80 for ux, uy in used):
                ty -= 85.0
            used.append((tx, ty))
            out.append(f'<text class="felt-label" x="{tx:.0f}" y="{-ty:.0f}" text-anchor="end" font-size="72" '
                       f'font-weight="700" fill="#000" stroke="#fff" stroke-width="18" paint-order="stroke" '
                       f'font-family="sans-serif">{escape(m.short)}</text>')
        else:
            # the word goes above the mark, one line higher for each earlier word close by
            ty = y + MARK_R_MM + 45.0
            while any(abs(x - ux) < 330 and abs(ty - uy) < 80 for ux, uy in used):
                ty += 85.0
            used.append((x, ty))
            out.append(f'<text class="felt-label" x="{x:.0f}" y="{-ty:.0f}" text-anchor="middle" font-size="72" '
                       f'font-weight="700" fill="#000" stroke="#fff" stroke-width="18" paint-order="stroke" '
                       f'font-family="sans-serif">{escape(m.short)}</text>')
    return "".join(out)


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


def strip(steps, *, nerve: str | None = None, width_px: int = 230) -> Picture:
    """Pictures side by side, each with a caption, and the key of ``nerve`` above them.

    ``steps``: ``(name, figure_svg, row)`` per step, ``row`` a
    :func:`neuralsim.state.analysis.step_table` row (``change_mm``, ``relative_bed``, ``group``
    and ``<group>_change_mm``: mm, and 1.0 = standing)."""
    cells = []
    for i, (name, fig, r) in enumerate(steps):
        cells.append(
            f'<figure style="margin:4px;width:{width_px}px">{fig}<figcaption style="font-size:0.85em">'
            f'<b>{i + 1}. {escape(name)}</b><br>bed {number_text(r["change_mm"], 1, signed=True)} mm, now '
            f'{number_text(100 * (r["relative_bed"] - 1), 1, signed=True)} % against standing; {r["group"]} '
            f'{number_text(r[r["group"] + "_change_mm"], 1, signed=True)} mm</figcaption></figure>')
    key = legend_svg(None, width_px=260, nerve=nerve)
    return Picture(f'{key}<div style="display:flex;flex-wrap:wrap">{"".join(cells)}</div>')
