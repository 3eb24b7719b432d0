"""Measure how much of each view's box the drawing uses (``python benchmarks/view_boxes.py``).

For every view, the world extent (mm, y up) of everything :func:`neuralsim.view.svg.posture_svg` draws
(silhouette, head and gaze arrow, nerve with its widest strain halo, muscles, labels) over the
postures that view is taught with, for the shortest and the tallest body (typical and hypermobile):

* every step of every protocol of :mod:`neuralsim.model.protocols` in that protocol's view, and every
  preset in the view of each protocol it is a step of (where the explorer draws it);
* the patient mode's stop postures (``neuralsim.classroom.clinic``): every clinic patient, both tests, with
  the neck and the ankle at the ends of the shown range and in neutral, and its marks and
  "stops at N deg" label beside the foot;

then the support (the floor's thickness, a strip of couch or plinth under the body); the sitting
and supine boxes are then made taller, room added above the body, until no wider than
:data:`neuralsim.view.svg.MAX_SHARED_ASPECT` (the shape the explorers' layout shows beside its panel).
It prints
that extent and the box it gives (extent plus a margin) as fractions of the tallest body's height,
beside :data:`neuralsim.view.svg._BOXES`; a posture beyond them (a slider pushed far) zooms the picture
out (:func:`neuralsim.view.svg.picture_box`) rather than cutting the body off.
"""
from __future__ import annotations

import re
import sys

import numpy as np

import neuralsim as ns
from neuralsim.classroom import clinic, figures
from neuralsim.model import protocols
from neuralsim.view import svg
from neuralsim.core.body import HEIGHT_RANGE_M
from neuralsim.model.geometry import VIEWS

H_MAX = HEIGHT_RANGE_M[1] * 1000.0
MARGIN = 0.02 * H_MAX          # room round the measured extent (mm)
_LYING = ("standing", "sitting", "supine")


def teaching_set(view: str):
    """``(name, posture, nerve)`` of every protocol step and preset drawn in ``view``."""
    for key, pr in protocols.ALL.items():
        if pr.view == view:
            for i, s in enumerate(pr.steps):
                yield f"{key} {i + 1}", s.posture, pr.nerve
    for name, p in protocols.POSTURES.items():
        if view in preset_views(p):
            yield f"preset {name}", p, None


def preset_views(p) -> set:
    """The views the explorer may draw preset ``p`` in: those of the protocols it is a step of
    (a preset comes in the view of its protocol), or, for a preset of no protocol, the first of
    standing, sitting, supine whose support carries it."""
    views = {pr.view for pr in protocols.ALL.values() if any(s.posture == p for s in pr.steps)}
    return views or {next(v for v in _LYING if svg.support_fits(p, v))}


def stop_cases():
    """``(name, posture, view, marks)`` of the patient mode at each stop: the posture held at the
    stop and the SVG marks its hook adds to the figure (drawn for the body the explorer shows)."""
    body = clinic._SHOWN_BODY
    for label, patient in clinic.patients().items():
        for test in clinic.EXPLORER_TESTS:
            mode = clinic.PatientMode(patient, test)
            for neck in (body_range("cervical_flexion", body) + (0.0,)):
                for ankle in (body_range("ankle_dorsiflexion", body) + (0.0,)):
                    p0 = mode.start().replace(cervical_flexion=neck, ankle_dorsiflexion=ankle)
                    p, _note = mode.constrain(p0.replace(**{mode.joint: 0.0 if mode.direction < 0 else 140.0}),
                                              mode.joint)
                    d = ns.model.drawing(p, body, mode.view)
                    marks, _line = mode.annotate(p, d)
                    yield f"{label} {test} neck {neck:g} ankle {ankle:g}", p, mode.view, marks


def body_range(joint: str, body) -> tuple[float, float]:
    return tuple(float(v) for v in ns.joint_range(joint, body.mobility))


_TEXT = re.compile(r'<text[^>]*?x="([-\d.]+)" y="([-\d.]+)"[^>]*?text-anchor="(\w+)"[^>]*?font-size="([\d.]+)"[^>]*>([^<]*)<')


def marks_extent(marks: str):
    """World box (mm, y up) of the patient-mode marks: circles, polygons, rects and text."""
    xs, ys = [], []
    for cx, cy, r in re.findall(r'<circle[^>]*?cx="([-\d.]+)" cy="([-\d.]+)" r="([\d.]+)"', marks):
        xs += [float(cx) - float(r) - 17, float(cx) + float(r) + 17]       # the ring's white ground
        ys += [-float(cy) - float(r) - 17, -float(cy) + float(r) + 17]
    for pts in re.findall(r'<polygon[^>]*?points="([^"]+)"', marks):
        a = np.array([[float(v) for v in p.split(",")] for p in pts.split()])
        xs += [a[:, 0].min() - 5, a[:, 0].max() + 5]
        ys += [-a[:, 1].max() - 5, -a[:, 1].min() + 5]
    for x, y, w, h in re.findall(r'<rect[^>]*?x="([-\d.]+)" y="([-\d.]+)" width="([\d.]+)" height="([\d.]+)"', marks):
        xs += [float(x), float(x) + float(w)]
        ys += [-float(y) - float(h), -float(y)]
    for x, y, anchor, size, text in _TEXT.findall(marks):
        halo = float(re.search(r'stroke-width="([\d.]+)"', marks[marks.index(f'x="{x}" y="{y}"'):]).group(1))
        x0, y0, x1, y1 = svg._text_box(float(x), -float(y), text.replace("&#x27;", "'"), float(size), anchor, halo)
        xs += [x0, x1]
        ys += [y0, y1]
    return (min(xs), min(ys), max(xs), max(ys)) if xs else None


def support_extent(view: str, body) -> tuple[float, float] | None:
    """World heights (mm) the support needs: ``(bottom, top)`` of the floor, or of a strip of
    couch or plinth (its top and a tenth of the tallest body below it); ``None`` for side-lying."""
    sil = svg._silhouette(body)
    if view == "standing":
        top = -(body.segment("thigh") + body.segment("shank") + body.segment("ankle_height"))
        return top - 0.02 * H_MAX, top
    if view == "side_lying":
        return None
    top = -sil["_back"][view]
    return top - 0.1 * H_MAX, top


def measure(view: str):
    """The measured extent of ``view`` (world mm) and, per side, the case that set it."""
    ext, by = [np.inf, np.inf, -np.inf, -np.inf], [None] * 4

    def take(box, name):
        for i, better in enumerate((min, min, max, max)):
            if better(box[i], ext[i]) != ext[i]:
                ext[i], by[i] = box[i], name

    for h in HEIGHT_RANGE_M:
        for mob in ("typical", "hypermobile"):   # a hypomobile explorer clamps to angles inside these
            body = ns.Body(h, mob)
            for name, p, nerve in teaching_set(view):
                take(figures.drawn_extent(p, body, view, nerve=nerve), f"{name} ({h:g} m)")
            sup = support_extent(view, body)
            if sup is not None:
                take((ext[0], sup[0], ext[2], sup[1]), f"support ({h:g} m)")
    for name, p, v, marks in stop_cases():
        if v == view:
            take(figures.drawn_extent(p, clinic._SHOWN_BODY, view), name)
            m = marks_extent(marks)
            if m is not None:
                take(m, name + " marks")
    return ext, by


def main() -> int:
    for view in VIEWS:
        ext, by = measure(view)
        box = [ext[0] - MARGIN, ext[1] - MARGIN, ext[2] + MARGIN, ext[3] + MARGIN]
        if view in ("sitting", "supine"):     # no wider than the explorers' layout shows beside its panel
            box[3] = max(box[3], box[1] + (box[2] - box[0]) / svg.MAX_SHARED_ASPECT)
        old = svg.view_box(view)
        print(f"{view}: extent x {ext[0]:.0f}..{ext[2]:.0f}, y {ext[1]:.0f}..{ext[3]:.0f} mm; "
              f"box now {old[2] - old[0]:.0f} x {old[3] - old[1]:.0f} mm, measured + margin "
              f"{box[2] - box[0]:.0f} x {box[3] - box[1]:.0f} mm")
        print("   fractions:", tuple(round(v / H_MAX, 3) for v in box), "now", svg._BOXES[view])
        for side, name in zip(("left", "bottom", "right", "top"), by):
            print(f"   {side}: {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
