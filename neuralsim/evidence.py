"""The model beside every published figure it can be compared with.

:func:`comparisons` returns one dict per figure in the project's evidence
list (``shared/reference/evidence.md``), with keys:

``quantity``   what is compared (units in the text)
``published``  the published figure, in words
``low``, ``high``  the published range as numbers (``None`` where the source gives only a direction)
``unit``       unit of ``low``, ``high`` and ``model``
``model``      the model's value (a number, or ``None`` where only a direction is compared)
``within``     True when the model lies inside the range (or agrees in direction)
``source``     citation
``status``     how well the citation was checked (``confirmed``, ``partly``, ``check``)
``limitation`` '' when within; otherwise the stated reason for the difference

The geometry rows are computed here; the rows about movement and strain of
the nerve come from :func:`neuralsim.mechanics.evidence_rows` when that
module is present.
"""
from __future__ import annotations

import math

import numpy as np

from .body import Body, DEFAULT_BODY
from .model import (
    angle_for_bed_length, bed_contributions, muscle_length, muscle_pathway, nerve_pathway,
)
from .joints import joint_range
from .posture import Posture
from . import protocols

__all__ = ["comparisons", "knee_angle_at_onset", "core_rows"]


def _row(quantity, published, low, high, unit, model, within, source, status, limitation=""):
    return {
        "quantity": quantity, "published": published, "low": low, "high": high, "unit": unit,
        "model": model, "within": bool(within), "source": source, "status": status,
        "limitation": "" if within else limitation,
    }


def _knee_moment_arm_near_extension(muscle: str) -> tuple[float, float]:
    """Smallest and largest knee moment arm (mm) of ``muscle`` between 0 and 30 deg of flexion."""
    crossing = next(c for c in muscle_pathway(muscle).crossings if c.joint == "knee_flexion")
    arms = crossing.moment_arm(np.linspace(0.0, 30.0, 31))
    return float(arms.min()), float(arms.max())


def knee_angle_at_onset(posture: Posture, onset_length_mm: float, body: Body | None = None) -> float:
    """Knee flexion (deg) at which extending the knee from ``posture`` brings the bed to ``onset_length_mm``.

    A larger angle means the knee can straighten less before the bed reaches
    that length (the stand-in for where symptoms begin).  ``nan`` if the length
    is not reached anywhere in the knee's range.
    """
    return angle_for_bed_length(posture, "knee_flexion", onset_length_mm, body=body)


def _slump_differentiation():
    """Knee angle at symptom onset in the slump with the neck flexed, neutral and extended."""
    slumped = protocols.SLUMP_CLASSIC[1].posture            # slumped, neck neutral, knee 90
    ref = slumped.replace(knee_flexion=20.0)
    from .model import nerve_bed_length
    onset = nerve_bed_length(ref)                           # onset: knee 20 deg short of straight, neck neutral
    neck_flex = knee_angle_at_onset(slumped.replace(cervical_flexion=45.0), onset)
    neutral = knee_angle_at_onset(slumped, onset)
    neck_ext = knee_angle_at_onset(slumped.replace(cervical_flexion=-30.0), onset)
    df = knee_angle_at_onset(slumped.replace(cervical_flexion=45.0, ankle_dorsiflexion=15.0), onset)
    ir = knee_angle_at_onset(slumped.replace(cervical_flexion=45.0, ankle_dorsiflexion=15.0,
                                             hip_internal_rotation=20.0), onset)
    return {"neck_flexed": neck_flex, "neutral": neutral, "neck_extended": neck_ext,
            "plus_dorsiflexion": df, "plus_internal_rotation": ir}


def core_rows(body: Body = DEFAULT_BODY) -> list[dict]:
    """Rows for the geometry and structural-differentiation figures (computed from the model)."""
    rows = []
    hip90 = bed_contributions(Posture(hip_flexion=90), body=body)["hip_flexion"]
    expected = 41.0 * math.pi / 2
    rows.append(_row(
        "nerve bed lengthening with 90 deg hip flexion (mm)",
        "median 41 mm from femoral head centre to sciatic nerve, so about 41 mm x pi/2 = 64 mm",
        round(expected * 0.98, 1), round(expected * 1.02, 1), "mm", round(hip90, 2),
        abs(hip90 - expected) <= 0.02 * expected,
        "Robinson & Probyn 2019, Can J Neurol Sci", "confirmed",
        "the hip offset is scaled with body height; at other heights the figure scales with it"))

    for muscle, lo, hi, published in (
        ("semitendinosus", 40.0, 55.0, "40-55 mm"),
        ("semimembranosus", 20.0, 40.0, "20-40 mm"),
        ("biceps_femoris_lh", 15.0, 25.0, "about 20 mm (taken as 15-25 mm)"),
    ):
        a_min, a_max = _knee_moment_arm_near_extension(muscle)
        rows.append(_row(
            f"{muscle} knee moment arm, 0-30 deg flexion (mm)", published, lo, hi, "mm",
            round(a_max, 1), lo <= a_min and a_max <= hi,
            "Spoor et al. 1990 (via a textbook summary)", "partly",
            "the fold law makes the moment arm rise with flexion; past the cited range at deep flexion"))

    for muscle in ("semitendinosus", "semimembranosus", "biceps_femoris_lh"):
        hip = muscle_length(Posture(hip_flexion=90), muscle) - muscle_length(Posture(), muscle)
        knee = muscle_length(Posture(), muscle) - muscle_length(Posture(knee_flexion=90), muscle)
        rows.append(_row(
            f"{muscle}: length change, hip 0->90 deg over knee 90->0 deg (ratio)",
            "hamstring moment arm larger at the hip than at the knee; biceps femoris length depends far more on the hip",
            1.0, None, "1", round(hip / knee, 2), hip / knee > 1.0,
            "Visser et al. 1990; Kellis & Blazevich 2022", "confirmed",
            "the hip moment arm would have to be larger than the knee's"))

    rows.append(_row(
        "hamstring musculotendon length vs hip and knee angle (regression)",
        "regression equations per muscle in % of thigh length", None, None, "% thigh length", None, False,
        "Hawkins & Hull 1990, J Biomech 23(5):487-94", "check",
        "the coefficients were not seen, so no number is compared; the model's absolute muscle lengths run "
        "longer than anatomical ones because each tendon is kept along the bone far enough to hold the fold "
        "of a deep knee bend: compare changes of length, not absolute lengths"))

    thigh, shank = body.segment("thigh"), body.segment("shank")
    ratio_model, ratio_delp = thigh / shank, 0.396 / 0.426
    rows.append(_row(
        "thigh length over shank length (ratio)", "generic model: hip-knee 0.396 m, knee-ankle 0.426 m (ratio 0.93)",
        round(ratio_delp * 0.97, 3), round(ratio_delp * 1.03, 3), "1", round(ratio_model, 3),
        abs(ratio_model - ratio_delp) <= 0.03 * ratio_delp,
        "Delp 1990 model geometry", "confirmed",
        f"the model follows Winter's fractions (thigh 0.245 H, shank 0.246 H), which make the thigh as long as the "
        f"shank; at the default {body.height_m:g} m the thigh is {thigh:.0f} mm and the shank {shank:.0f} mm"))

    for seg, frac in (("thigh", 0.245), ("shank", 0.246), ("foot", 0.152)):
        val = body.segment(seg) / (1000.0 * body.height_m)
        rows.append(_row(
            f"{seg} length as a fraction of height", f"{frac} H", frac, frac, "1", round(val, 4),
            abs(val - frac) < 1e-9, "Winter, Biomechanics and Motor Control of Human Movement", "check",
            "the model must use the table's fraction"))

    path = nerve_pathway(body)
    spine = {}
    for c in path.crossings:
        if c.joint in ("cervical_flexion", "thoracic_flexion", "lumbar_flexion"):
            lo, hi = joint_range(c.joint, body.mobility)
            spine[c.joint] = float(c.delta(hi) - c.delta(lo))
    total_cm = sum(spine.values()) / 10.0
    cervical_most = max(spine, key=spine.get) == "cervical_flexion"
    rows.append(_row(
        "spinal canal lengthening, full extension to full flexion (cm)",
        "5-9 cm in all, most of it in the cervical region", 5.0, 9.0, "cm", round(total_cm, 1),
        5.0 <= total_cm <= 9.0 and cervical_most, "Breig 1978; Louis 1981, Anat Clin 3:1-11", "check",
        "the spinal offsets are estimates and the ranges are a young adult's full active range"))

    d = _slump_differentiation()
    rows.append(_row(
        "slump: knee angle (deg) at which the bed reaches a set length, neck flexed vs extended",
        "neck flexion significantly reduces knee extension; dorsiflexion and hip medial rotation add to it",
        None, None, "deg", round(d["neck_flexed"] - d["neck_extended"], 1),
        d["neck_flexed"] > d["neutral"] > d["neck_extended"]
        and d["plus_internal_rotation"] > d["plus_dorsiflexion"] > d["neck_flexed"],
        "Johnson & Chiarello 1997, JOSPT 26(6):310-7", "confirmed (direction only)",
        "the model's direction would have to match"))
    rows.append(_row(
        "slump, structural differentiation: neck release changes the knee angle at onset (deg)",
        "releasing the neck changes knee and hip angle significantly in healthy people", None, None, "deg",
        round(d["neck_flexed"] - d["neutral"], 1), d["neck_flexed"] - d["neutral"] > 0,
        "Herrington et al. 2008, Man Ther 13(4):289-94", "confirmed (direction only)",
        "the model's direction would have to match"))
    return rows


def comparisons(body: Body = DEFAULT_BODY) -> list[dict]:
    """Every comparison: the geometry rows, then the mechanics rows if the mechanics model is present."""
    rows = core_rows(body)
    try:
        from .mechanics import evidence_rows
    except ImportError:
        return rows
    return rows + list(evidence_rows())
