"""The registry of structures: every nerve bed and muscle, declared as data.

``data/structures.json`` declares each structure once: its kind (nerve or
muscle), a label, a short name for table columns, a group for muscles
(``hamstrings``, ``calf``, ``quadriceps``...) and its path, as runs fixed to
segments and joint crossings with the side of the joint they pass, offsets
named from ``parameters.csv`` and, where it is not wrap-and-fold, the
crossing's law (``"law"``, one of :data:`neuralsim.geometry.LAWS`, with the
parameters that law reads).  This module reads it and builds each path as
a :class:`~neuralsim.geometry.Pathway` for a :class:`~neuralsim.Body`.
Nothing in the package asks which structure it is: code loops over the
registry (a muscle's group, a nerve's ``mechanics`` flag and ``contrast``
group are data).  The nerve the mechanics models also declares its sites
(:class:`Site`: where excursion and strain are reported, which have a
symptom threshold and the words for what is felt there) and its entrapment
places (:class:`Entrapment`); each hamstring names its cross-sectional area
(``pcsa``), the weight of the group's stretch; ``groups`` gives a muscle
group the words for what its stretch feels like (:attr:`Registry.felt`).
Every cache built from the registry is keyed by it (:attr:`Registry.key`),
so :func:`using` changes the lengths, the drawing data, the mechanics, the
people's reference values and the stops together.

A new structure needs no code: give :meth:`Registry.from_data` (or
:meth:`Registry.load`) a mapping of the same form and make it the active
registry with :func:`using`::

    with using(Registry.from_data(data)):
        muscle_length(posture, "my_muscle")

>>> sorted(current().muscles)[:2]
['biceps_femoris_lh', 'gastrocnemius']
>>> current().group("hamstrings")
('semimembranosus', 'semitendinosus', 'biceps_femoris_lh')
"""
from __future__ import annotations

import contextlib
import itertools
import json
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any, Iterator, Mapping, Sequence

from ..core import parameters as _p
from ..core.body import Body, _SEGMENT_FRACTIONS
from .geometry import JOINT_SEGMENTS, LAWS, SEGMENTS, SIDES, Crossing, Pathway, Run
from ..core.joints import TABLE, joint_range
from ..core.data import DATA_DIR

__all__ = ["Structure", "Site", "Entrapment", "Registry", "DEFAULT", "current", "using", "KINDS",
           "SITE_ANCHORS", "length_expression", "Live", "LiveMap"]

#: The kinds of structure, and the key each has in the data file.
KINDS: Mapping[str, str] = MappingProxyType({"nerve": "nerves", "muscle": "muscles"})

_KEYS = itertools.count(1)


# -- lengths written as expressions ---------------------------------------------

_TERM = re.compile(r"\s*([+-]?)\s*([^+-]+)")


def length_expression(text: Any, body: Body) -> float:
    """Value (mm) of a length written in the data file, for ``body``.

    ``text``: a number, or a sum of terms, each a product (``*``) of numbers,
    segment names (their length in mm for ``body``) and parameter names (a
    parameter in mm is scaled to ``body``'s height; others are plain factors).
    No other syntax is read (nothing is evaluated as code).

    >>> from neuralsim import DEFAULT_BODY
    >>> length_expression("-nerve_foot_drop * ankle_height", DEFAULT_BODY) == -0.6 * DEFAULT_BODY.segment("ankle_height")
    True
    """
    if isinstance(text, (int, float)) and not isinstance(text, bool):
        return float(text)
    if not isinstance(text, str) or not text.strip():
        raise ValueError(f"a length must be a number or an expression, got {text!r}")
    total = 0.0
    pos = 0
    s = text.strip()
    while pos < len(s):
        m = _TERM.match(s, pos)
        if not m or not m.group(2).strip():
            raise ValueError(f"cannot read the length {text!r} at {s[pos:]!r}")
        sign = -1.0 if m.group(1) == "-" else 1.0
        value = 1.0
        for factor in m.group(2).split("*"):
            value *= _factor(factor.strip(), body, text)
        total += sign * value
        pos = m.end()
    return total


def _factor(name: str, body: Body, text: str) -> float:
    if name in _SEGMENT_FRACTIONS:
        return body.segment(name)
    if name in _p.PARAMETERS:
        return body.offset(name) if _p.PARAMETERS[name].unit == "mm" else _p.value(name)
    try:
        v = float(name)
    except ValueError:
        raise ValueError(
            f"length {text!r}: {name!r} is neither a segment ({', '.join(_SEGMENT_FRACTIONS)}) "
            f"nor a parameter of parameters.csv nor a number") from None
    if not math.isfinite(v):
        raise ValueError(f"length {text!r}: {name!r} is not finite")
    return v


# -- structures ------------------------------------------------------------------

@dataclass(frozen=True, eq=False)
class Structure:
    """One nerve bed or muscle of the registry.

    ``name``; ``kind`` (``"nerve"`` or ``"muscle"``); ``label`` (plain words);
    ``short`` (a table column heading); ``group`` (muscles: ``hamstrings``,
    ``calf``, ``quadriceps``...; nerves: ``"nerve"``); ``path`` (the pieces
    as declared, read-only); for nerves ``roots``, ``course``, ``contrast``
    (the muscle group it is told apart from), ``drawn_with`` (further muscle
    groups drawn beside it, not gauged: the calf beside the sciatic) and
    ``mechanics`` (True when :mod:`neuralsim.mechanics` models it), ``sites``
    (name -> :class:`Site`, head to foot: the named places along the nerve the
    mechanics reports) and ``entrapments`` (name -> :class:`Entrapment`: where
    the nerve can be held); for muscles ``pcsa`` (the ``parameters.csv`` row or
    number giving its physiological cross-sectional area, cm^2, or ``""``:
    the weight of its group's stretch, :meth:`pcsa_cm2`); ``figure_short`` and
    ``figure_name`` (the label the figure writes on a muscle and the name its key gives; default
    ``short`` and ``label``); for nerves ``figure_parts`` (the three names the figure writes
    beside its roots, thigh part and shank part, or none) and ``contrast_over`` (True when its
    contrast group's muscles run along it and are drawn over it).
    """

    name: str
    kind: str
    label: str
    short: str
    group: str
    path: tuple
    roots: str = ""
    course: str = ""
    contrast: str = ""
    mechanics: bool = False
    drawn_with: tuple[str, ...] = ()
    pcsa: str = ""
    sites: Mapping[str, "Site"] = field(default_factory=lambda: MappingProxyType({}))
    entrapments: Mapping[str, "Entrapment"] = field(default_factory=lambda: MappingProxyType({}))
    figure_short: str = ""
    figure_name: str = ""
    figure_parts: tuple[str, ...] = ()
    contrast_over: bool = False

    def pcsa_cm2(self) -> float:
        """Physiological cross-sectional area (cm^2) from :attr:`pcsa`; ``ValueError`` when not declared."""
        if not self.pcsa:
            raise ValueError(f"{self.kind} {self.name!r} declares no 'pcsa' (physiological cross-sectional "
                             "area, cm^2: a parameters.csv name or a number) in the registry")
        return _p.value(self.pcsa) if self.pcsa in _p.PARAMETERS else float(self.pcsa)

    @property
    def symptom_sites(self) -> tuple[str, ...]:
        """The sites with words for what is felt there (:attr:`Site.felt`), head to foot."""
        return tuple(n for n, site in self.sites.items() if site.felt)

    @property
    def joints(self) -> tuple[str, ...]:
        """The joints the path crosses, in path order."""
        return tuple(p["cross"] for p in self.path if "cross" in p)

    def __repr__(self) -> str:
        return f"Structure({self.name!r}, kind={self.kind!r}, group={self.group!r}, joints={self.joints})"


#: Places along a nerve that are not joint crossings, which a site may be measured from:
#: ``"neck"``, the middle of the span C2 to T1 where the peak cord strain is taken, and
#: ``"cord_end"``, the lower end of the spinal cord (the conus).  The mechanics places them.
SITE_ANCHORS: tuple[str, ...] = ("neck", "cord_end")


@dataclass(frozen=True)
class Site:
    """A named place along a nerve, where the mechanics reports excursion and strain.

    ``at``: a joint the nerve crosses in the drawing plane (its crossing), one
    of :data:`SITE_ANCHORS`, or an earlier site; then either ``fraction`` (a
    ``parameters.csv`` name: that fraction of the nerve's run in segment
    ``of`` further along the nerve) or ``mm`` (a parameters.csv name in mm,
    scaled with height, with a sign: ``"-name"`` towards the head, ``"name"``
    towards the foot), or neither (at the anchor itself).  ``felt``:
    ``(region, sensation)`` in plain words for a site with a symptom
    threshold (``()`` for none); ``tabled``: shown in the glides' site table.
    """

    name: str
    at: str
    fraction: str = ""
    of: str = ""
    mm: str = ""
    felt: tuple[str, ...] = ()
    tabled: bool = True


@dataclass(frozen=True)
class Entrapment:
    """A place where a nerve can be held to its bed: placed as a :class:`Site` (``at``, ``mm``),
    with ``lies_at``, the symptom site whose threshold a hold there lowers."""

    name: str
    at: str
    lies_at: str
    mm: str = ""


def _param_term(text: Any, where: str, unit: str | None = None) -> str:
    name = text[1:] if isinstance(text, str) and text.startswith("-") else text
    if not isinstance(name, str) or name not in _p.PARAMETERS:
        raise ValueError(f"{where}: {text!r} is not a parameter of parameters.csv")
    if unit is not None and _p.PARAMETERS[name].unit != unit:
        raise ValueError(f"{where}: {name!r} is in {_p.PARAMETERS[name].unit}, not {unit}")
    return text


def _places(spec: Any, where: str, joints: tuple[str, ...]) -> tuple[dict, dict]:
    """The ``sites`` and ``entrapments`` of a nerve's spec, checked."""
    sites: dict[str, Site] = {}
    raw = spec.get("sites", {})
    if not isinstance(raw, Mapping):
        raise ValueError(f"{where}: 'sites' must be a mapping name -> site")
    for name, s in raw.items():
        w = f"{where}: site {name!r}"
        if not isinstance(s, Mapping) or set(s) - {"at", "fraction", "of", "mm", "felt", "tabled", "note"}:
            raise ValueError(f"{w}: expected a mapping with keys at, fraction, of, mm, felt, tabled")
        at = s.get("at")
        if at not in joints and at not in SITE_ANCHORS and at not in sites:
            raise ValueError(f"{w}: 'at' {at!r} is none of the nerve's joints ({', '.join(joints)}), "
                             f"the anchors {', '.join(SITE_ANCHORS)} or an earlier site")
        if "fraction" in s and "mm" in s:
            raise ValueError(f"{w}: give 'fraction' (with 'of') or 'mm', not both")
        if ("fraction" in s) != ("of" in s):
            raise ValueError(f"{w}: 'fraction' needs 'of', the segment whose run it is a fraction of")
        if "of" in s and s["of"] not in SEGMENTS:
            raise ValueError(f"{w}: unknown segment {s['of']!r}; the segments are {', '.join(SEGMENTS)}")
        felt = s.get("felt", ())
        if isinstance(felt, str) or not isinstance(felt, Sequence) or len(felt) not in (0, 2) \
                or not all(isinstance(x, str) and x for x in felt):
            raise ValueError(f"{w}: 'felt' must be [region, sensation] in words, got {felt!r}")
        sites[name] = Site(name, at, fraction=_param_term(s["fraction"], w) if "fraction" in s else "",
                           of=str(s.get("of", "")), mm=_param_term(s["mm"], w, "mm") if "mm" in s else "",
                           felt=tuple(felt), tabled=bool(s.get("tabled", True)))
    ents: dict[str, Entrapment] = {}
    raw = spec.get("entrapments", {})
    if not isinstance(raw, Mapping):
        raise ValueError(f"{where}: 'entrapments' must be a mapping name -> place")
    for name, e in raw.items():
        w = f"{where}: entrapment {name!r}"
        if not isinstance(e, Mapping) or set(e) - {"at", "mm", "lies_at", "note"}:
            raise ValueError(f"{w}: expected a mapping with keys at, mm, lies_at")
        at = e.get("at")
        if at not in joints and at not in sites:
            raise ValueError(f"{w}: 'at' {at!r} is neither a joint of the nerve nor one of its sites")
        lies = e.get("lies_at")
        if lies not in sites or not sites[lies].felt:
            raise ValueError(f"{w}: 'lies_at' {lies!r} must be a site of the nerve with 'felt' words")
        ents[name] = Entrapment(name, at, lies, mm=_param_term(e["mm"], w, "mm") if "mm" in e else "")
    return sites, ents


_PIECE_KEYS = {"start": {"start", "along"}, "end": {"end", "along", "then"},
               "cross": {"cross", "side", "offset", "sign", "law"}
               | {key for law in LAWS.values() for key, _arg in law.SPEC_KEYS}}


def _structure(name: str, kind: str, spec: Mapping) -> Structure:
    where = f"{kind} {name!r}"
    if not isinstance(spec, Mapping):
        raise ValueError(f"{where}: expected a mapping, got {type(spec).__name__}")
    known = {"label", "short", "group", "path", "roots", "course", "contrast", "mechanics", "note", "drawn_with"}
    known |= {"sites", "entrapments", "figure_parts", "contrast_over"} if kind == "nerve" else {
        "pcsa", "figure_short", "figure_name"}
    extra = set(spec) - known
    if extra:
        raise ValueError(f"{where}: unknown keys {sorted(extra)}; allowed: {sorted(known)}")
    path = spec.get("path")
    if not isinstance(path, Sequence) or isinstance(path, str) or len(path) < 3:
        raise ValueError(f"{where}: 'path' must list a start run, at least one crossing and an end run")
    pieces = []
    for i, piece in enumerate(path):
        if not isinstance(piece, Mapping):
            raise ValueError(f"{where}: path piece {i} is not a mapping")
        kinds = [k for k in _PIECE_KEYS if k in piece]
        if len(kinds) != 1 or not set(piece) <= _PIECE_KEYS[kinds[0]]:
            raise ValueError(f"{where}: path piece {i} {dict(piece)} must be one of start, cross or end "
                             f"with keys {', '.join(sorted(set().union(*_PIECE_KEYS.values())))}")
        pieces.append(MappingProxyType(dict(piece)))
    if "start" not in pieces[0] or "end" not in pieces[-1] or any(
            "cross" not in p for p in pieces[1:-1]):
        raise ValueError(f"{where}: the path must be start, crossings..., end")
    for p in pieces[1:-1]:
        if p["cross"] not in TABLE:
            raise ValueError(f"{where}: unknown joint {p['cross']!r}; the joints are {', '.join(TABLE)}")
        law = p.get("law", "wrap_fold")
        if law not in LAWS:
            raise ValueError(f"{where}: {p['cross']}: unknown law {law!r}; choose one of {', '.join(LAWS)}")
        extra = set(p) - {"cross", "side", "offset", "sign", "law"} - {k for k, _a in LAWS[law].SPEC_KEYS}
        if extra:
            raise ValueError(f"{where}: {p['cross']}: keys {sorted(extra)} do not belong to the law {law!r}")
        if p.get("side", "posterior") not in SIDES:
            raise ValueError(f"{where}: {p['cross']}: unknown side {p.get('side')!r}; choose one of {', '.join(SIDES)}")
    for p in (pieces[0], pieces[-1]):
        seg = p.get("start", p.get("end"))
        if seg not in SEGMENTS:
            raise ValueError(f"{where}: unknown segment {seg!r}; the segments are {', '.join(SEGMENTS)}")
    if not any(TABLE[p["cross"]].in_plane for p in pieces[1:-1]):
        raise ValueError(f"{where}: the path must cross at least one joint in the drawing plane")
    group = spec.get("group", "nerve" if kind == "nerve" else "")
    if kind == "muscle" and not group:
        raise ValueError(f"{where}: a muscle needs a 'group' (e.g. hamstrings, calf, quadriceps)")
    pcsa = spec.get("pcsa", "")
    if pcsa != "":
        if isinstance(pcsa, bool) or not isinstance(pcsa, (str, int, float)):
            raise ValueError(f"{where}: 'pcsa' must be a parameters.csv name or a number (cm^2), got {pcsa!r}")
        if isinstance(pcsa, str) and pcsa not in _p.PARAMETERS:
            raise ValueError(f"{where}: 'pcsa' {pcsa!r} is not a parameter of parameters.csv")
        if not isinstance(pcsa, str) and not (math.isfinite(pcsa) and pcsa > 0):
            raise ValueError(f"{where}: 'pcsa' {pcsa!r} must be a positive number of cm^2")
    joints = tuple(p["cross"] for p in pieces[1:-1] if TABLE[p["cross"]].in_plane)
    sites, ents = _places(spec, where, joints) if kind == "nerve" else ({}, {})
    return Structure(
        name=name, kind=kind, label=str(spec.get("label", name.replace("_", " "))),
        short=str(spec.get("short", name)), group=str(group), path=tuple(pieces),
        roots=str(spec.get("roots", "")), course=str(spec.get("course", "")),
        contrast=str(spec.get("contrast", "")), mechanics=bool(spec.get("mechanics", False)),
        drawn_with=_groups_list(spec.get("drawn_with", ()), where), pcsa=str(pcsa),
        sites=MappingProxyType(sites), entrapments=MappingProxyType(ents),
        figure_short=str(spec.get("figure_short", spec.get("short", name))),
        figure_name=str(spec.get("figure_name", spec.get("label", name.replace("_", " ")))),
        figure_parts=_figure_parts(spec.get("figure_parts", ()), where),
        contrast_over=bool(spec.get("contrast_over", False)),
    )


def _figure_parts(value: Any, where: str) -> tuple[str, ...]:
    # the figure has three places for them: beside the roots, the thigh part, the shank part
    if (isinstance(value, str) or not isinstance(value, Sequence) or len(value) not in (0, 3)
            or not all(isinstance(v, str) and v for v in value)):
        raise ValueError(f"{where}: 'figure_parts' must list three names (roots, thigh part, shank part) "
                         f"or none, got {value!r}")
    return tuple(value)


def _groups_list(value: Any, where: str) -> tuple[str, ...]:
    if isinstance(value, str) or not isinstance(value, Sequence) or not all(isinstance(g, str) for g in value):
        raise ValueError(f"{where}: 'drawn_with' must be a list of muscle group names, got {value!r}")
    return tuple(value)


# -- building paths for a body -----------------------------------------------------

def joint_locations(body: Body) -> Mapping[str, Mapping[str, tuple[float, float]]]:
    """segment -> {joint: (x, y)}: joint centres in each segment's frame (mm)."""
    seg = body.segment
    return {
        "head_neck": {"cervical_flexion": (0.0, 0.0)},
        "thoracic": {"thoracic_flexion": (0.0, 0.0), "cervical_flexion": (0.0, seg("thoracic"))},
        "lumbar": {"lumbar_flexion": (0.0, 0.0), "thoracic_flexion": (0.0, seg("lumbar"))},
        "pelvis": {"hip_flexion": (0.0, 0.0), "lumbar_flexion": (-seg("pelvis_back"), seg("pelvis_up"))},
        "thigh": {"hip_flexion": (0.0, 0.0), "knee_flexion": (0.0, -seg("thigh"))},
        "shank": {"knee_flexion": (0.0, 0.0), "ankle_dorsiflexion": (0.0, -seg("shank"))},
        "foot": {"ankle_dorsiflexion": (0.0, 0.0)},
    }


def _shared_segment(a: str, b: str, where: str) -> str:
    common = set(JOINT_SEGMENTS[a]) & set(JOINT_SEGMENTS[b])
    if len(common) != 1:
        raise ValueError(f"{where}: joints {a} and {b} do not share a segment; list the crossings in path order")
    return common.pop()


def _fold_need(c: Crossing) -> float:
    """Straight run (mm) the fold of ``c`` needs at the deepest bend any mobility allows."""
    lo, hi = joint_range(c.joint, "hypermobile")
    return c.fold_depth(lo if c.sign > 0 else hi)


def _between(segment: str, top: tuple[float, float], c_top: Crossing,
             bottom: tuple[float, float], c_bottom: Crossing, frac: float, where: str) -> Run:
    """The run from the joint-level point of ``c_top`` to that of ``c_bottom``.

    It leaves each end parallel to the segment, for ``frac`` of the distance
    between the two joints or for as long as that end's deepest fold needs,
    whichever is longer, and crosses over in between.
    """
    (tx, ty), (bx, by) = top, bottom
    gap = abs(ty - by)
    down = 1.0 if ty > by else -1.0
    r_top, r_bot = max(frac * gap, _fold_need(c_top)), max(frac * gap, _fold_need(c_bottom))
    if r_top + r_bot > gap:
        # a deep fold on one side takes the room the other end does not need
        r_top = max(_fold_need(c_top), gap - r_bot)
        if r_top + r_bot > gap + 1e-9:
            raise ValueError(
                f"{where}: the folds at {c_top.joint} and {c_bottom.joint} need {r_top + r_bot:.1f} mm "
                f"of straight run but the joints are {gap:.1f} mm apart on {segment}; use smaller offsets")
    x1, x2 = tx + c_top.level_x, bx + c_bottom.level_x
    pts = [(x1, ty), (x1, ty - down * r_top), (x2, by + down * r_bot), (x2, by)]
    return Run(segment, tuple(pts))


def build_pathway(structure: Structure, body: Body) -> Pathway:
    """The path of ``structure`` for ``body`` (see the data file's ``about``)."""
    where = f"{structure.kind} {structure.name!r}"
    loc = joint_locations(body)
    frac = _p.value("run_fraction")
    length = lambda text: length_expression(text, body)  # noqa: E731
    crossings = []
    for spec in structure.path[1:-1]:
        side = spec.get("side", "posterior" if TABLE[spec["cross"]].in_plane else "out_of_plane")
        law = LAWS[spec.get("law", "wrap_fold")]
        try:
            extra = {arg: length(spec[key]) for key, arg in law.SPEC_KEYS}
            crossings.append(law(spec["cross"], length(spec["offset"]), sign=int(spec.get("sign", 0)),
                                 side=side, **extra))
        except KeyError as e:
            raise ValueError(f"{where}: crossing {spec['cross']} needs {e.args[0]!r}") from None
    inplane = [c for c in crossings if c.in_plane]
    outplane = [c for c in crossings if not c.in_plane]
    first, last = inplane[0], inplane[-1]
    start, end = structure.path[0], structure.path[-1]

    def level(segment: str, c: Crossing) -> tuple[float, float]:
        try:
            jx, jy = loc[segment][c.joint]
        except KeyError:
            raise ValueError(f"{where}: {c.joint} is not a joint of segment {segment}") from None
        return jx + c.level_x, jy

    x0, y0 = level(start["start"], first)
    pieces: list = [Run(start["start"], ((x0, y0 + length(start["along"])), (x0, y0)))]
    for a, b in zip(inplane, inplane[1:]):
        seg = _shared_segment(a.joint, b.joint, where)
        pieces += [a, _between(seg, loc[seg][a.joint], a, loc[seg][b.joint], b, frac, where)]
    x1, y1 = level(end["end"], last)
    tail = [(x1, y1), (x1, y1 + length(end["along"]))]
    tail += [(length(x), length(y)) for x, y in end.get("then", ())]
    pieces += [last, Run(end["end"], tuple(tail))]
    # The out-of-plane crossings are not drawn; they follow the in-plane pieces.
    return Pathway(structure.label, tuple(pieces + outplane), loc)


# -- the registry -------------------------------------------------------------------

class Registry(Mapping[str, Structure]):
    """Every structure by name (a read-only mapping), with views by kind and group.

    Build one with :meth:`from_data` (a mapping like ``data/structures.json``)
    or :meth:`load` (a JSON file).  Paths are built once per body on first use
    (:meth:`pathway`).
    """

    def __init__(self, structures: Mapping[str, Structure], source: str = "",
                 felt: Mapping[str, tuple[str, str]] | None = None) -> None:
        self._all = dict(structures)
        #: muscle group -> (region, sensation): what a stretch of the group feels like, in plain words
        self.felt: Mapping[str, tuple[str, str]] = MappingProxyType(dict(felt or {}))
        self.source = source
        #: a number of this registry alone, for caches of what is built from it (a registry
        #: compares equal by its contents, so it is no dictionary key itself)
        self.key: int = next(_KEYS)
        self._paths: dict = {}
        self.nerves: Mapping[str, Structure] = MappingProxyType(
            {n: s for n, s in self._all.items() if s.kind == "nerve"})
        self.muscles: Mapping[str, Structure] = MappingProxyType(
            {n: s for n, s in self._all.items() if s.kind == "muscle"})
        if not self.nerves:
            raise ValueError("a registry needs at least one nerve")

    @property
    def default_nerve(self) -> str:
        """The nerve used where none is named: the first one the data lists."""
        return next(iter(self.nerves))

    @classmethod
    def from_data(cls, data: Mapping, source: str = "data") -> "Registry":
        """Build from a mapping ``{"nerves": {name: spec}, "muscles": {name: spec}}``."""
        if not isinstance(data, Mapping):
            raise ValueError(f"registry data must be a mapping, got {type(data).__name__}")
        unknown = set(data) - {"about", "groups", *KINDS.values()}
        if unknown:
            raise ValueError(f"registry data: unknown keys {sorted(unknown)}; expected nerves, muscles and groups")
        out: dict[str, Structure] = {}
        for kind, key in KINDS.items():
            for name, spec in (data.get(key) or {}).items():
                if not isinstance(name, str) or not re.fullmatch(r"[a-z][a-z0-9_]*", name):
                    raise ValueError(f"{kind} name {name!r}: use lower-case letters, digits and _")
                if name in out:
                    raise ValueError(f"{name!r} is declared twice in the registry")
                out[name] = _structure(name, kind, spec)
        felt = {}
        groups = {s.group for s in out.values() if s.kind == "muscle"}
        for g, spec in (data.get("groups") or {}).items():
            words = spec.get("felt") if isinstance(spec, Mapping) else None
            if g not in groups or not isinstance(spec, Mapping) or set(spec) - {"felt", "note"} \
                    or isinstance(words, str) or not isinstance(words, Sequence) or len(words) != 2 \
                    or not all(isinstance(w, str) and w for w in words):
                raise ValueError(f"registry data: group {g!r} must be a muscle group of the registry "
                                 "with 'felt': [region, sensation] in words")
            felt[g] = tuple(words)
        return cls(out, source, felt)

    @classmethod
    def load(cls, path: str | Path) -> "Registry":
        """Read a registry from a JSON file of the form of ``data/structures.json``."""
        p = Path(path)
        return cls.from_data(json.loads(p.read_text("utf-8")), source=str(p.name))

    # Mapping
    def __getitem__(self, name: str) -> Structure:
        return self._all[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._all)

    def __len__(self) -> int:
        return len(self._all)

    def group(self, group: str) -> tuple[str, ...]:
        """Names of the muscles in ``group`` (e.g. ``"hamstrings"``), in registry order."""
        return tuple(n for n, s in self.muscles.items() if s.group == group)

    @property
    def mechanics_nerve(self) -> Structure:
        """The nerve :mod:`neuralsim.mechanics` models (the first with ``mechanics: true``)."""
        for s in self.nerves.values():
            if s.mechanics:
                return s
        raise ValueError("the registry has no nerve with 'mechanics': true; the nerve mechanics needs one")

    @property
    def groups(self) -> tuple[str, ...]:
        """The muscle groups, in registry order."""
        return tuple(dict.fromkeys(s.group for s in self.muscles.values()))

    def check(self, name: Any, kind: str | None = None) -> Structure:
        """The structure ``name`` (of ``kind`` if given), else ``ValueError`` listing the choices
        (``TypeError`` when ``name`` is not text)."""
        pool = self._all if kind is None else (self.nerves if kind == "nerve" else self.muscles)
        what = "structure" if kind is None else kind
        if not isinstance(name, str):
            raise TypeError(f"a {what} name must be text, got {name!r}: choose one of {', '.join(pool)}")
        if name not in pool:
            raise ValueError(f"unknown {what} {name!r}: choose one of {', '.join(pool)}")
        return pool[name]

    def nerve(self, name: Any = None) -> Structure:
        """The nerve ``name``, or the registry's default nerve when ``name`` is ``None``
        (errors as :meth:`check`).

        >>> current().nerve().name == current().default_nerve
        True
        """
        return self.check(self.default_nerve if name is None else name, "nerve")

    def pathway(self, name: str, body: Body) -> Pathway:
        """The :class:`~neuralsim.geometry.Pathway` of ``name`` for ``body`` (built once, then cached)."""
        key = (name, body)
        path = self._paths.get(key)
        if path is None:
            if len(self._paths) > 512:
                self._paths.clear()
            path = self._paths[key] = build_pathway(self.check(name), body)
        return path


_active: list[Registry] = []


class Live(Sequence):
    """A tuple-like view that asks the active registry on every use (``fn(current())``),
    so a name like ``SITES`` follows :func:`using`."""

    def __init__(self, fn) -> None:
        self._fn = fn

    def _items(self) -> tuple:
        return tuple(self._fn(current()))

    def __getitem__(self, i):
        return self._items()[i]

    def __len__(self) -> int:
        return len(self._items())

    def __iter__(self):
        return iter(self._items())

    def __contains__(self, x: object) -> bool:
        return x in self._items()

    def __eq__(self, other: object) -> bool:
        if isinstance(other, (tuple, list, Live)):
            return self._items() == tuple(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __add__(self, other):
        return self._items() + tuple(other)

    def __radd__(self, other):
        return tuple(other) + self._items()

    def __repr__(self) -> str:
        return repr(self._items())


class LiveMap(Mapping):
    """A read-only mapping that asks the active registry on every use (``fn(current())``)."""

    def __init__(self, fn) -> None:
        self._fn = fn

    def __getitem__(self, key):
        return self._fn(current())[key]

    def __iter__(self):
        return iter(self._fn(current()))

    def __len__(self) -> int:
        return len(self._fn(current()))

    def __repr__(self) -> str:
        return repr(dict(self._fn(current())))


def _default() -> Registry:
    # read on first use, so ``import neuralsim`` stays cheap
    if not _active:
        _active.append(Registry.load(DATA_DIR / "structures.json"))
    return _active[0]


def current() -> Registry:
    """The registry the model functions use now (:data:`DEFAULT` unless inside :func:`using`)."""
    return _active[-1] if _active else _default()


def __getattr__(name: str):
    if name == "DEFAULT":       #: the package's registry, read from ``data/structures.json``
        return _default()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@contextlib.contextmanager
def using(registry: Registry):
    """Make ``registry`` the active one inside a ``with`` block (for new or test structures)."""
    if not isinstance(registry, Registry):
        raise TypeError(f"expected a neuralsim.registry.Registry, got {type(registry).__name__}")
    _default()
    _active.append(registry)
    try:
        yield registry
    finally:
        _active.remove(registry)
