"""The notebooks' figures: compute with the model, then hand the numbers to the view.

The view (:mod:`neuralsim.view.svg`, :mod:`neuralsim.view.plots`) only draws what it is
given; the functions here compute what a figure shows (the drawing's coordinates, the
lengths, the nerve's strain, a protocol's step table, the evidence comparisons) and call
it.  A notebook cell stays one call:

>>> from neuralsim import Posture
>>> picture(Posture(hip_flexion=90)).svg.startswith("<svg")
True
"""
from __future__ import annotations

from typing import Any, Mapping

import numpy as np

from ..core.body import DEFAULT_BODY, Body
from ..core.joints import joint_range
from ..core.posture import Posture, as_posture
from ..mechanics.nerve import nerve_mechanics
from ..model import protocols
from ..model import registry as _reg
from ..model.lengths import drawing, muscle_length, nerve_bed_length, relative_bed_length
from ..state.analysis import SENSITISERS, sensitiser_table, step_table
from ..view import plots as _plots
from ..view import svg as _svg
from ..view.svg import Picture

__all__ = ["posture_svg", "picture", "describe", "description_numbers", "strain_result", "drawn_extent", "protocol_strip",
           "length_angle_curves", "two_joint_heatmap", "step_bars", "sensitiser_curves",
           "evidence_figure", "strain_profiles"]


def _b(body: Body | None) -> Body:
    return DEFAULT_BODY if body is None else body


def description_numbers(posture: Any, body: Body | None = None, *, nerve: str | None = None) -> dict:
    """The lengths :func:`neuralsim.view.svg.describe` words: ``bed_mm`` and ``relative_bed`` of
    ``nerve`` (the registry's default when ``None``), ``muscles_mm`` of the muscles of the group
    the registry tells it apart from (mm; relative 1.0 = standing)."""
    b, p = _b(body), as_posture(posture)
    r = _reg.current()
    group = r.nerve(nerve).contrast
    return {"bed_mm": nerve_bed_length(p, nerve, body=b),
            "relative_bed": relative_bed_length(p, nerve=nerve, body=b),
            "muscles_mm": {m: muscle_length(p, m, body=b) for m in r.group(group)}}


def strain_result(posture: Any, body: Body | None = None, *, nerve: str | None = None):
    """The nerve mechanics of ``posture`` for the strain halo, or ``None`` for a nerve the
    mechanics does not model (the registry's ``mechanics`` flag)."""
    r = _reg.current()
    if not r.nerve(nerve).mechanics:
        return None
    return nerve_mechanics(as_posture(posture), body=_b(body))


def describe(posture: Any, body: Body | None = None, view: str = "standing",
             numbers: Mapping | None = None, *, nerve: str | None = None) -> str:
    """:func:`neuralsim.view.svg.describe` with the lengths computed here (unless given)."""
    if numbers is None:
        numbers = description_numbers(posture, body, nerve=nerve)
    return _svg.describe(posture, body, view, numbers, nerve=nerve)


def posture_svg(posture: Any, body: Body | None = None, view: str = "standing", *,
                strain: Any = "auto", data: Mapping | None = None, numbers: Mapping | None = None,
                desc: str | None = None, nerve: str | None = None, **kw) -> str:
    """:func:`neuralsim.view.svg.posture_svg` of ``posture`` (deg) in ``view``, everything it draws
    computed here: the drawing (unless ``data`` is given), the strain halo (``strain="auto"``:
    :func:`neuralsim.mechanics.nerve_mechanics` when the nerve has mechanics; ``None``: no halo;
    or a result) and the lengths of the description (unless ``numbers`` or ``desc`` is given).
    Other keywords as for the view's function."""
    b, p = _b(body), as_posture(posture)
    _svg.view_box(view)                      # an unknown view: the ValueError naming the views
    if data is None:
        data = drawing(p, b, view)
    if isinstance(strain, str) and strain == "auto":
        strain = strain_result(p, b, nerve=nerve)
    if desc is None and numbers is None:
        numbers = description_numbers(p, b, nerve=nerve)
    return _svg.posture_svg(p, b, view, data=data, strain=strain, numbers=numbers, desc=desc, nerve=nerve, **kw)


def picture(posture: Any, body: Body | None = None, view: str = "standing", **kw) -> Picture:
    """:func:`posture_svg` wrapped so that a notebook cell shows it."""
    return Picture(posture_svg(posture, body, view, **kw))


def drawn_extent(posture: Any, body: Body | None = None, view: str = "standing", *, nerve: str | None = None,
                 labels: bool = True, strain: bool = True, data: Mapping | None = None):
    """:func:`neuralsim.view.svg.drawn_extent` of ``posture`` (deg), its drawing computed here."""
    b = _b(body)
    _svg.view_box(view)
    d = drawing(as_posture(posture), b, view) if data is None else data
    return _svg.drawn_extent(d, b, view, nerve=nerve, labels=labels, strain=strain)


def protocol_strip(protocol: str, body: Body | None = None, width_px: int = 230) -> Picture:
    """Every step of a protocol as a small picture with its name and bed change (mm) underneath
    (the protocol's nerve, beside the muscle group its registry entry contrasts it with)."""
    proto = protocols.ALL[protocol]
    rows = step_table(protocol, body)
    steps = []
    for i, ((name, p), r) in enumerate(zip(proto.steps, rows)):
        fig = posture_svg(p, body, proto.view, strain=None, width_px=width_px, legend=False, labels=False,
                          title=f"Step {i + 1}: {name}", nerve=proto.nerve)
        steps.append((name, fig, r))
    return _svg.strip(steps, nerve=proto.nerve, width_px=width_px)


# -- matplotlib figures -----------------------------------------------------------------------------

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
    nerve = nerve_bed_length(sweep, body=b) - nerve_bed_length(zero, body=b)
    muscles = {m: muscle_length(sweep, m, body=b) - muscle_length(zero, m, body=b) for m in _reg.current().muscles}
    return _plots.length_angle_curves(joint, angles, nerve, muscles)


def two_joint_heatmap(joint_x: str, joint_y: str, base: Any = None, body: Body | None = None, n: int = 61):
    """Heat map of the bed's change against standing (%) over two joints (deg), with contours every 1 %."""
    b = _b(body)
    p0 = Posture() if base is None else as_posture(base)
    xs = np.linspace(*joint_range(joint_x, b.mobility), n)
    ys = np.linspace(*joint_range(joint_y, b.mobility), n)
    X, Y = np.meshgrid(xs, ys)
    rel = 100.0 * (relative_bed_length(p0.replace(**{joint_x: X, joint_y: Y}), body=b) - 1.0)
    return _plots.two_joint_heatmap(joint_x, joint_y, xs, ys, rel)


def step_bars(protocol: str, body: Body | None = None):
    """Bars of the change per step (mm) of a protocol: nerve bed beside the mean hamstring."""
    n = len(_reg.current().group("hamstrings"))      # the registry's count, not a number in the view
    return _plots.step_bars(step_table(protocol, body), muscles_label=f"hamstrings (mean of {n})")


def sensitiser_curves(relative_target: float = 1.04, body: Body | None = None):
    """Bed against standing (%) as the straight leg is raised, for each sensitiser; the target as a line."""
    b = _b(body)
    lo, hi = joint_range("hip_flexion", b.mobility)
    hips = np.linspace(0.0, hi, 121)
    rows = {r["name"]: r for r in sensitiser_table(relative_target, b)}
    curves = {name: 100.0 * (relative_bed_length(Posture(**extra).replace(hip_flexion=hips), body=b) - 1.0)
              for name, extra in SENSITISERS.items()}
    return _plots.sensitiser_curves(hips, curves, {name: rows[name]["hip_deg"] for name in curves},
                                    relative_target)


def evidence_figure(rows=None):
    """The model beside each published figure with a numeric range (rows of
    :func:`neuralsim.evidence.comparisons`, computed when not given)."""
    if rows is None:
        from ..evidence.comparisons import comparisons
        rows = comparisons()
    return _plots.evidence_figure(rows)


def strain_profiles(postures: Mapping[str, Any], body: Body | None = None):
    """Local nerve strain (%) along the nerve for named postures (deg), the mechanics computed here."""
    return _plots.strain_profiles({name: nerve_mechanics(p, body=body) for name, p in postures.items()})
