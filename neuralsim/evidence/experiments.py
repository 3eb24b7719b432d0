"""The nerve mechanics set beside published experiments and the course's movements.

Each function here repeats one experiment or one movement of the course on
:func:`neuralsim.mechanics.nerve_mechanics` and returns plain numbers:
Ridehalgh's mid-thigh excursion, Alshami's ankle strains, the seated slider
and tensioner, the supine glide as written and as a slider, and what an
entrapment does.  :mod:`neuralsim.evidence.comparisons` sets them beside the
published figures of ``data/evidence.csv``; notebook 4 prints them.

>>> round(ridehalgh(30), 1) > 0        # knee extension pulls the nerve towards the foot at mid-thigh
True
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ..core.body import Body
from ..core.posture import Posture
from ..mechanics.nerve import ENTRAPMENT_SITES, SITES, NerveModel, nerve_mechanics, nerve_model
from ..model import protocols as pr

__all__ = ["ridehalgh", "alshami", "boyd", "slider_tensioner", "glide_as_slider", "format_glide_as_slider",
           "entrapment_table", "format_entrapment_table"]


def ridehalgh(hip_deg: float, model: NerveModel | None = None) -> float:
    """Nerve excursion at mid-thigh (mm, + distal) for knee extension 90 -> 0 deg, supine, at a hip angle."""
    m = nerve_model() if model is None else model
    a = m.solve(Posture(hip_flexion=hip_deg, knee_flexion=90))
    b = m.solve(Posture(hip_flexion=hip_deg, knee_flexion=0))
    return b.excursion_mm("mid_thigh") - a.excursion_mm("mid_thigh")


def alshami(model: NerveModel | None = None) -> dict[str, float]:
    """Tibial nerve strain at the ankle (%) after dorsiflexion from 0 to 20 deg in four set-ups.

    Keys ``"knee flexed, hip neutral"``, ``"knee extended"``, ``"hip flexed"``,
    ``"knee extended, hip flexed"``.  The cadaver start has the knee bent 90 deg
    and the hip neutral; the reference state is the anatomical position.
    """
    m = nerve_model() if model is None else model
    setups = {
        "knee flexed, hip neutral": dict(knee_flexion=90),
        "knee extended": dict(knee_flexion=0),
        "hip flexed": dict(knee_flexion=90, hip_flexion=90),
        "knee extended, hip flexed": dict(knee_flexion=0, hip_flexion=90),
    }
    out = {}
    for k, kw in setups.items():
        start, end = Posture(**kw), Posture(**kw, ankle_dorsiflexion=20)
        out[k] = m.solve(end).strain_pct("ankle") - m.solve(start).strain_pct("ankle")
    return out


def boyd(model: NerveModel | None = None, hip_flexed_deg: float = 60.0) -> dict[str, dict[str, float]]:
    """Dorsiflexion 0 -> 20 deg, supine with the knee straight, with the hip neutral and flexed first.

    Keys ``"hip neutral"`` and ``"hip flexed"`` (``hip_flexed_deg``, default 60 deg, short of
    a typical straight-leg raise's stop); for each: ``excursion_mm``, the tibial nerve's
    movement at the popliteal fossa (mm, + distal), and ``strain_pct``, the rise of its local
    strain there (%), from the start of the dorsiflexion.
    """
    m = nerve_model() if model is None else model
    out = {}
    for key, hip in (("hip neutral", 0.0), ("hip flexed", hip_flexed_deg)):
        a = m.solve(Posture(hip_flexion=hip))
        b = m.solve(Posture(hip_flexion=hip, ankle_dorsiflexion=20))
        out[key] = {"excursion_mm": b.excursion_mm("popliteal") - a.excursion_mm("popliteal"),
                    "strain_pct": b.strain_pct("popliteal") - a.strain_pct("popliteal")}
    return out


def slider_tensioner(model: NerveModel | None = None) -> dict[str, dict[str, float]]:
    """The seated sciatic slider and tensioner of :mod:`neuralsim.protocols`.

    For each (``"slider"``, ``"tensioner"``, ``"knee alone"``): ``excursion_mm``
    at mid-thigh from start to end (mm, + distal); ``strain_pct``, the
    largest rise of local strain anywhere along the cord, roots and nerve
    from start to end (%), as a strain gauge zeroed at the start would record
    it; ``leg_strain_pct``, the same over the leg's nerve only (hip to ankle
    crossing: the cord and roots excluded).
    """
    m = nerve_model() if model is None else model
    s = m.s_mm
    leg = (s >= m.crossing_mm["hip_flexion"]) & (s <= m.crossing_mm["ankle_dorsiflexion"])
    out = {}
    for key, steps in (("slider", pr.SCIATIC_SLIDER), ("tensioner", pr.SCIATIC_TENSIONER),
                       ("knee alone", pr.SCIATIC_KNEE_ONLY)):
        a, b = m.solve(steps[0].posture), m.solve(steps[1].posture)
        rise = b.strain_profile_pct - a.strain_profile_pct
        out[key] = {"excursion_mm": b.excursion_mm("mid_thigh") - a.excursion_mm("mid_thigh"),
                    "strain_pct": float(rise.max()), "leg_strain_pct": float(rise[leg].max())}
    return out


def glide_as_slider(body: Body | None = None) -> dict[str, dict[str, Any]]:
    """The source article's supine sciatic glide as written, and the same ranges made a slider.

    As written (:data:`neuralsim.protocols.SCIATIC_GLIDE_SUPINE`): the knee
    straightens while the foot is pulled up, so the bed lengthens at both
    joints: a tensioner done in small ranges.  As a slider: the same knee
    and ankle ranges, but the foot points down while the knee straightens
    (and comes up as it bends), so the ankle gives back part of what the knee
    takes.  For each (``"as written"``, ``"as a slider"``): ``start`` and
    ``end`` postures, ``bed_change_mm`` (core), ``excursion_mm`` at mid-thigh
    (mm, + distal), ``strain_rise_pct``, the largest rise of local strain
    anywhere from start to end (%), and ``peak_rise_pct``, how much the peak (beyond the in-situ
    length) rose, as :func:`neuralsim.state.analysis.glide_table` gives it (%; the peak may sit
    elsewhere than the largest rise).
    """
    m = nerve_model(body)
    g0, g1 = pr.SCIATIC_GLIDE_SUPINE[0].posture, pr.SCIATIC_GLIDE_SUPINE[1].posture
    pairs = {"as written": (g0, g1),
             "as a slider": (g0.replace(ankle_dorsiflexion=g1.ankle_dorsiflexion),
                             g1.replace(ankle_dorsiflexion=g0.ankle_dorsiflexion))}
    out = {}
    for name, (a, z) in pairs.items():
        ra, rz = m.solve(a), m.solve(z)
        out[name] = {"start": a, "end": z, "bed_change_mm": rz.bed_change_mm - ra.bed_change_mm,
                     "excursion_mm": rz.excursion_mm("mid_thigh") - ra.excursion_mm("mid_thigh"),
                     "strain_rise_pct": float((rz.strain_profile_pct - ra.strain_profile_pct).max()),
                     "peak_rise_pct": float(np.max(rz.element_in_situ_strain_pct))
                     - float(np.max(ra.element_in_situ_strain_pct))}
    return out


def format_glide_as_slider(glide: dict) -> str:
    """Plain-text lines of :func:`glide_as_slider` (mm and %)."""
    head = (f"{'':12s}{'bed change':>13s}{'excursion at mid-thigh':>25s}{'largest strain rise':>22s}"
            f"{'rise of the peak':>19s}")
    return "\n".join([head] + [f"{name:12s}{g['bed_change_mm']:>+10.1f} mm{g['excursion_mm']:>+22.1f} mm"
                                f"{g['strain_rise_pct']:>20.1f} %{g['peak_rise_pct']:>17.1f} %"
                                for name, g in glide.items()])


def entrapment_table(posture: Any, site: str, severities=(0.0, 0.5, 1.0), reference: Any = None,
                     body: Body | None = None) -> list[dict]:
    """What an entrapment at ``site`` does in one ``posture``, for each severity (0 free .. 1 held fast).

    One dict per severity: ``severity``; ``excursion_mm`` (site -> mm, + distal,
    for every site of :data:`SITES`); ``strain_above_pct`` and
    ``strain_below_pct``: local strain of the nerve just proximal and just
    distal of the hold (%); ``peak_strain_pct`` (%).
    """
    if not isinstance(site, str) or site not in ENTRAPMENT_SITES:
        raise ValueError(f"unknown entrapment site {site!r}: choose one of {', '.join(ENTRAPMENT_SITES)}")
    sites = tuple(SITES)
    rows = []
    for sev in severities:
        r = nerve_mechanics(posture, reference, body=body, entrapment={site: sev})
        if r.shape:
            raise ValueError(f"entrapment_table needs a single posture, got one of shape {r.shape}")
        m = r.model
        i = int(np.argmin(np.abs(m.s_mm - m.entrapment_mm[site])))
        e = r.element_strain_pct
        rows.append({"severity": float(sev), "excursion_mm": {s: r.excursion_mm(s) for s in sites},
                     "strain_above_pct": float(e[i - 1]), "strain_below_pct": float(e[i]),
                     "peak_strain_pct": r.peak_strain_pct})
    return rows


def format_entrapment_table(rows: list[dict]) -> str:
    """Plain-text table of :func:`entrapment_table` (mm and %)."""
    sites = list(rows[0]["excursion_mm"]) if rows else list(SITES)
    head = (f"{'severity':>8} " + " ".join(f"{s:>12}" for s in sites)
            + f" {'above (%)':>10} {'below (%)':>10} {'peak (%)':>9}")
    lines = [" " * 9 + "excursion (mm, + towards the foot) at each site; strain beside the hold", head,
             "-" * len(head)]
    for r in rows:   # rounded, + 0.0: a site held still (-4e-9 mm) reads +0.0, not -0.0
        lines.append(f"{r['severity']:>8.2f} " + " ".join(f"{round(r['excursion_mm'][s], 1) + 0.0:>+12.1f}" for s in sites)
                     + f" {r['strain_above_pct']:>10.2f} {r['strain_below_pct']:>10.2f} {r['peak_strain_pct']:>9.2f}")
    return "\n".join(lines)
