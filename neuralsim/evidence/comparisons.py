"""The model beside every published figure it can be compared with.

The published figures are data: ``data/evidence.csv`` has one row per figure
with ``quantity``, ``published`` (the figure in words), ``low`` and ``high``
(the accepted range, empty where the source gives only a direction),
``unit``, ``conditions``, ``source``, ``status`` (how well the citation was
checked: ``confirmed``, ``partly``, ``check``), ``kind``, ``check`` and
``limitation``, and ``model``: the name of the function in
:data:`MODEL_QUANTITIES` that computes the model's value for a body.

``kind`` is ``comparison`` or ``input``.  A figure that set a parameter (an
offset, a threshold, a segment fraction, an interface length chosen to meet
it) and is then compared with that parameter is an *input*: agreeing with it
shows only that the parameter was copied correctly, so it is not counted as
evidence.  ``check`` says how the model value is judged: ``range`` (inside
``[low, high]``), ``at_least`` (``>= low``), ``direction`` (the direction the
source reports, judged by the model function), ``none`` (no number can be
compared).  The limitation text holds no model numbers: its ``{placeholders}``
are filled from the values the model function computes.

:func:`comparisons` returns one dict per row with the CSV fields plus
``model`` (the value, a float or ``None``), ``within`` (bool) and
``limitation`` ('' when within); :func:`summary` counts "N of M comparisons
within".  Both use the body they are given.

A comparison that rests on a difference of excursion between two movements
(``effect_mm``: the smallest step its direction or order rests on) is within
only when that difference is at least the published measurement error of
excursion by ultrasound (``evidence_excursion_error_mm``): a model difference
smaller than what could be measured cannot show a published direction.  Each
row says whether its direction or range was met (``met``) and whether its
difference could be measured (``resolved``); ``within`` is both.
"""
from __future__ import annotations

import math
from typing import Any, Callable, Mapping, Sequence

import numpy as np

from ..core import parameters as _p
from ..model import protocols
from ..core.body import Body, DEFAULT_BODY
from ..core.joints import joint_range
from ..model.lengths import (
    angle_for_bed_length, bed_contributions, muscle_length, muscle_pathway, nerve_bed_length, nerve_pathway,
)
from ..core.posture import Posture
from . import people as _people
from .experiments import alshami, boyd, ridehalgh, slider_tensioner
from .rows import CHECKS, EVIDENCE, KINDS

__all__ = ["EVIDENCE", "MODEL_QUANTITIES", "comparisons", "summary", "knee_angle_at_onset", "core_rows", "format_comparisons"]

class _Context:
    """One body, and the nerve mechanics of that body built once on first use."""

    def __init__(self, body: Body) -> None:
        self.body = body
        self._mech = None

    @property
    def mech(self):
        if self._mech is None:
            from ..mechanics.nerve import NerveModel
            self._mech = NerveModel(self.body)
        return self._mech

    def solve(self, **angles):
        return self.mech.solve(Posture(**angles))


# -- the model quantities, one function per name in the CSV's "model" column ------------------------------
# Each takes a _Context and returns {"value": number or None, ...}: "value_min" (the smallest value over
# the compared span, for a range), "ok" (the direction check), "also" (an extra condition), and any named
# numbers the limitation text uses.

def _bed_change_hip_90(c):
    return {"value": bed_contributions(Posture(hip_flexion=90), body=c.body)["hip_flexion"],
            "height_m": c.body.height_m}


def _knee_moment_arm(muscle):
    def f(c):
        crossing = next(x for x in muscle_pathway(muscle, c.body).crossings if x.joint == "knee_flexion")
        arms = crossing.moment_arm(np.linspace(0.0, 30.0, 31))
        return {"value": float(arms.max()), "value_min": float(arms.min())}
    return f


def _hip_over_knee(muscle):
    def f(c):
        L = lambda **a: muscle_length(Posture(**a), muscle, body=c.body)   # noqa: E731
        return {"value": (L(hip_flexion=90) - L()) / (L() - L(knee_flexion=90))}
    return f


def _not_compared(c):
    return {"value": None}


def _thigh_over_shank(c):
    thigh, shank = c.body.segment("thigh"), c.body.segment("shank")
    return {"value": thigh / shank, "thigh_mm": thigh, "shank_mm": shank, "height_m": c.body.height_m}


def _fraction(segment):
    return lambda c: {"value": c.body.segment(segment) / (1000.0 * c.body.height_m)}


def _canal_lengthening(c):
    spine = {}
    for x in nerve_pathway(c.body).crossings:
        if x.joint in ("cervical_flexion", "thoracic_flexion", "lumbar_flexion"):
            lo, hi = joint_range(x.joint, c.body.mobility)
            spine[x.joint.split("_")[0]] = float(x.delta(hi) - x.delta(lo))
    return {"value": sum(spine.values()) / 10.0, "also": max(spine, key=spine.get) == "cervical",
            **{f"{k}_mm": v for k, v in spine.items()}}


def knee_angle_at_onset(posture: Posture, onset_length_mm: float, body: Body | None = None) -> float:
    """Knee flexion (deg) at which extending the knee from ``posture`` brings the bed to ``onset_length_mm``.

    A larger angle means the knee can straighten less before the bed reaches
    that length (the stand-in for where symptoms begin).  ``nan`` if the length
    is not reached anywhere in the knee's range.
    """
    return angle_for_bed_length(posture, "knee_flexion", onset_length_mm, body=body)


def _slump_differentiation(body: Body) -> dict:
    """Knee angle (deg) at symptom onset in the slump with the neck flexed, neutral and extended."""
    slumped = protocols.SLUMP_CLASSIC[1].posture            # slumped, neck neutral, knee 90
    onset = nerve_bed_length(slumped.replace(knee_flexion=20.0), body=body)   # onset: knee 20 deg short of straight
    k = lambda **a: knee_angle_at_onset(slumped.replace(**a), onset, body)   # noqa: E731
    return {"neck_flexed": k(cervical_flexion=45.0), "neutral": k(), "neck_extended": k(cervical_flexion=-30.0),
            "plus_dorsiflexion": k(cervical_flexion=45.0, ankle_dorsiflexion=15.0),
            "plus_internal_rotation": k(cervical_flexion=45.0, ankle_dorsiflexion=15.0, hip_internal_rotation=20.0)}


def _slump_neck_flexion(c):
    d = _slump_differentiation(c.body)
    ok = (d["neck_flexed"] > d["neutral"] > d["neck_extended"]
          and d["plus_internal_rotation"] > d["plus_dorsiflexion"] > d["neck_flexed"])
    return {"value": d["neck_flexed"] - d["neck_extended"], "ok": ok}


def _slump_neck_release(c):
    d = _slump_differentiation(c.body)
    return {"value": d["neck_flexed"] - d["neutral"], "ok": d["neck_flexed"] - d["neutral"] > 0}


def _ridehalgh(hip):
    def f(c):
        m = c.mech
        knee = bed_contributions(Posture(hip_flexion=hip), Posture(hip_flexion=hip, knee_flexion=90),
                                 body=c.body)["knee_flexion"]
        return {"value": ridehalgh(hip, m), "knee_bed_mm": knee, "lam_limb": m.shear_lag_mm["limb"],
                "site_above_knee_mm": m.crossing_mm["knee_flexion"] - m.site_mm["mid_thigh"]}
    return f


def _alshami_ankle(c):
    return {"value": alshami(c.mech)["knee flexed, hip neutral"], "lam_tunnel": c.mech.shear_lag_mm["tarsal_tunnel"]}


def _alshami_order(c):
    a = alshami(c.mech)
    first = a["knee flexed, hip neutral"]
    # "higher still with both": more than either alone by more than a rounding step (0.01 %)
    ok = (a["knee extended, hip flexed"] > max(a["knee extended"], a["hip flexed"]) + 0.01
          and a["hip flexed"] > first and a["knee extended"] > first)
    return {"value": a["knee extended, hip flexed"], "ok": ok, "knee_flexed": first, "knee_extended": a["knee extended"],
            "hip_flexed": a["hip flexed"], "both": a["knee extended, hip flexed"]}


def _boyd_prepositioning(c):
    b = boyd(c.mech)
    neutral, flexed = b["hip neutral"]["excursion_mm"], b["hip flexed"]["excursion_mm"]
    ratio = flexed / neutral if neutral > 0 else math.inf
    # a difference below the measurement error (SEM 0.7 mm) is no result
    return {"value": ratio, "also": neutral - flexed >= 0.7, "neutral_mm": neutral, "flexed_mm": flexed}


def _reid_cervical(c):
    top = joint_range("cervical_flexion", c.body.mobility)[1]
    neck = bed_contributions(Posture(cervical_flexion=top), body=c.body)["cervical_flexion"]
    # Reid measured the stretch from the neck in neutral: the strain beyond the cord's in-situ length
    rise = c.solve(cervical_flexion=top).in_situ_strain_pct("cervical") - c.solve().in_situ_strain_pct("cervical")
    return {"value": rise, "lam_cervical": c.mech.shear_lag_mm["cervical_canal"], "neck_bed_mm": neck}


def _smith_root_excursion(c):
    hip = bed_contributions(Posture(hip_flexion=60), body=c.body)["hip_flexion"]
    return {"value": abs(c.solve(hip_flexion=60).excursion_mm("lumbar_roots")), "lam_roots": c.mech.shear_lag_mm["roots"],
            "hip_bed_mm": hip, "roots_to_hip_mm": c.mech.crossing_mm["hip_flexion"] - c.mech.site_mm["lumbar_roots"]}


def _smith_root_strain(c):
    # markers on the roots of a cadaver lying supine: elongation beyond the roots' in-situ length
    return {"value": c.solve(hip_flexion=60).in_situ_strain_pct("lumbar_roots")
            - c.solve().in_situ_strain_pct("lumbar_roots")}


def _coppieters_direction(c):
    df, hf = c.solve(ankle_dorsiflexion=20), c.solve(hip_flexion=70)
    ok = df.excursion_mm("ankle") > 0 and hf.excursion_mm("popliteal") < 0 and hf.excursion_mm("ankle") < 0
    effect = min(abs(df.excursion_mm("ankle")), abs(hf.excursion_mm("popliteal")), abs(hf.excursion_mm("ankle")))
    return {"value": hf.excursion_mm("ankle"), "ok": ok, "effect_mm": effect}


def _glides(c):
    st = slider_tensioner(c.mech)
    return st["slider"], st["tensioner"], st["knee alone"]


def _slider_tensioner_excursion_ratio(c):
    sl, te, _ = _glides(c)
    ratio = sl["excursion_mm"] / te["excursion_mm"] if te["excursion_mm"] > 0 else math.inf
    return {"value": ratio, "tensioner_mm": te["excursion_mm"], "slider_mm": sl["excursion_mm"],
            "ok": sl["excursion_mm"] > te["excursion_mm"], "effect_mm": sl["excursion_mm"] - te["excursion_mm"]}


def _slider_tensioner_strain_ratio(c):
    sl, te, _ = _glides(c)
    return {"value": te["strain_pct"] / max(sl["strain_pct"], 1e-6)}


def _slider_in_vivo(c):
    sl, te, kn = _glides(c)
    return {"value": sl["excursion_mm"], "ok": sl["excursion_mm"] > kn["excursion_mm"] > te["excursion_mm"],
            "slider_mm": sl["excursion_mm"], "knee_mm": kn["excursion_mm"], "tensioner_mm": te["excursion_mm"],
            "effect_mm": min(sl["excursion_mm"] - kn["excursion_mm"], kn["excursion_mm"] - te["excursion_mm"])}


def _ellis_slider(c):
    sl, te, kn = _glides(c)
    nxt = max(kn["excursion_mm"], te["excursion_mm"])
    return {"value": sl["excursion_mm"], "ok": sl["excursion_mm"] > nxt, "slider_mm": sl["excursion_mm"],
            "next_mm": nxt, "effect_mm": sl["excursion_mm"] - nxt}


def _parameter(name):
    return lambda c: {"value": _p.value(name)}


def _wall_relaxation(c):
    return {"value": 0.0}      # the model is elastic: it never relaxes


def _per_muscle(prefix: str, make: Callable[[str], Callable]) -> dict:
    """The quantities of the rows named ``<prefix><muscle>``: the row names the muscle (a registry name)."""
    return {r["model"]: make(r["model"][len(prefix):]) for r in EVIDENCE if r["model"].startswith(prefix)}


#: Model quantity name (the CSV's ``model`` column) -> function of a context with ``.body``.
MODEL_QUANTITIES: Mapping[str, Callable[[Any], dict]] = {
    "bed_change_hip_90": _bed_change_hip_90,
    **_per_muscle("knee_moment_arm_", _knee_moment_arm),
    **_per_muscle("hip_over_knee_", _hip_over_knee),
    "hawkins_hull": _not_compared,
    "thigh_over_shank": _thigh_over_shank,
    **{f"fraction_{s}": _fraction(s) for s in ("thigh", "shank", "foot")},
    "canal_lengthening": _canal_lengthening,
    "slump_neck_flexion": _slump_neck_flexion,
    "slump_neck_release": _slump_neck_release,
    "ridehalgh_hip30": _ridehalgh(30),
    "ridehalgh_hip60": _ridehalgh(60),
    "alshami_ankle": _alshami_ankle,
    "alshami_order": _alshami_order,
    "boyd_prepositioning": _boyd_prepositioning,
    "reid_cervical": _reid_cervical,
    "smith_root_excursion": _smith_root_excursion,
    "smith_root_strain": _smith_root_strain,
    "coppieters_direction": _coppieters_direction,
    "slider_tensioner_excursion_ratio": _slider_tensioner_excursion_ratio,
    "slider_tensioner_strain_ratio": _slider_tensioner_strain_ratio,
    "slider_in_vivo": _slider_in_vivo,
    "ellis_slider": _ellis_slider,
    "ridehalgh_leg_pain": _not_compared,
    **{n: _parameter(n) for n in ("strain_band_blood_flow_stops", "strain_band_conduction_kept",
                                  "strain_band_conduction_block", "strain_band_venous_flow_impaired",
                                  "strain_band_ischaemia")},
    "wall_relaxation": _wall_relaxation,
    **_people.QUANTITIES,
}


def _resolved(res: Mapping) -> bool:
    """Whether the excursion difference a row rests on (``effect_mm``, if any) is at least the
    published measurement error of excursion (``evidence_excursion_error_mm``)."""
    return "effect_mm" not in res or res["effect_mm"] >= _p.value("evidence_excursion_error_mm")


def _met(row: Mapping, res: Mapping) -> bool:
    """Whether the model's value meets the row's range or direction (the measurement error aside)."""
    v, check = res["value"], row["check"]
    if check == "none" or (v is None and check != "direction"):
        return False
    if check == "direction":
        ok = bool(res["ok"])
    else:
        lo, hi = row["low"], row["high"]
        tol = 1e-9 * max(1.0, abs(lo))
        vmin = res.get("value_min", v)
        ok = vmin >= lo - tol and (check == "at_least" or hi is None or v <= hi + tol)
    return ok and bool(res.get("also", True))


def comparisons(body: Body = DEFAULT_BODY, rows: Any = None) -> list[dict]:
    """Every figure of ``data/evidence.csv`` with the model's value for ``body`` beside it.

    ``rows``: the rows to compute (default :data:`EVIDENCE`).  Each dict has the
    CSV fields, ``model`` (the value: float or ``None``), ``within`` (bool) and
    ``limitation`` ('' when within, else the text with its numbers filled in).
    """
    ctx = _Context(body)
    out = []
    err = _p.value("evidence_excursion_error_mm")
    for row in EVIDENCE if rows is None else rows:
        res = MODEL_QUANTITIES[row["model"]](ctx)
        met, resolved = _met(row, res), _resolved(res)
        within = met and resolved
        value = res["value"]
        out.append({**row, "key": row["model"], "model": None if value is None else float(value),
                    "met": met, "resolved": resolved, "within": within,
                    "limitation": "" if within else row["limitation"].format(**res, error_mm=err)})
    return out


def summary(rows: Any = None, body: Body = DEFAULT_BODY) -> dict:
    """Counts over :func:`comparisons`: ``{"comparisons", "within", "met", "inputs", "inputs_within",
    "not_compared", "text"}``, ``text`` being e.g. "6 of 14 comparisons within (...)"; ``met``: the
    comparisons whose range or direction the model meets if differences below the measurement error
    counted (rows made by hand without ``met`` count as their ``within``)."""
    rows = comparisons(body) if rows is None else rows
    kind = lambda r: r.get("kind", "comparison")          # noqa: E731  (rows made by hand count as comparisons)
    none = [r for r in rows if r.get("check") == "none" or (r.get("model") is None and r.get("check") != "direction")]
    comp = [r for r in rows if kind(r) == "comparison" and not any(r is x for x in none)]
    inputs = [r for r in rows if kind(r) == "input"]
    n, m = sum(r["within"] for r in comp), len(comp)
    met = sum(r.get("met", r["within"]) for r in comp)
    ni = sum(r["within"] for r in inputs)
    below = f" ({met} if model differences below the measurement error counted)" if met != n else ""
    text = (f"{n} of {m} comparisons within{below}; {ni} of {len(inputs)} inputs match their source "
            f"(inputs are figures the model was set from, not evidence)"
            + (f"; {len(none)} figure{'s' if len(none) != 1 else ''} not compared" if none else ""))
    return {"comparisons": m, "within": n, "met": met, "inputs": len(inputs), "inputs_within": ni,
            "not_compared": len(none), "text": text}


def core_rows(body: Body = DEFAULT_BODY) -> list[dict]:
    """The rows that need only the geometry (no nerve mechanics), for ``body``."""
    geometric = {"bed_change_hip_90", "hawkins_hull", "thigh_over_shank", "canal_lengthening",
                 "slump_neck_flexion", "slump_neck_release"}
    keep = [r for r in EVIDENCE if r["model"] in geometric or r["model"].startswith(("knee_moment_arm_",
                                                                                    "hip_over_knee_", "fraction_"))]
    return comparisons(body, keep)


def format_comparisons(rows: Sequence[Mapping] | None = None) -> str:
    """The model beside each published figure (see :func:`comparisons`), as text.

    Comparisons first, then inputs (figures the model was set from), then a
    line "N of M comparisons within" computed from the rows.
    """
    if rows is None:
        rows = comparisons()
    out = []
    for kind, heading in (("comparison", "COMPARISONS (the model against figures it was not set from)"),
                          ("input", "INPUTS (figures the model was set from: agreement shows only that they were copied)")):
        out.append(heading)
        for i, r in enumerate((r for r in rows if r.get("kind", "comparison") == kind), 1):
            model = "direction only" if r["model"] is None else f"{r['model']:.4g} {r['unit']}"
            rng = ("" if r["low"] is None else
                   f" [published range {r['low']:g} to {'open' if r['high'] is None else format(r['high'], 'g')} {r['unit']}]")
            verdict = "WITHIN" if r["within"] else ("NOT COMPARED" if r["model"] is None else "OUTSIDE")
            out.append(f"{i:>2}. {r['quantity']}\n    published: {r['published']}{rng}\n"
                       f"    model: {model} -> {verdict}   ({r['source']}; {r['status']})")
            if r["limitation"]:
                out.append(f"    limitation: {r['limitation']}")
        out.append("")
    out.append(summary(rows)["text"])
    return "\n".join(out)
