"""Small tables the notebooks show: protocol steps, which joint changes which
length, the straight-leg raise with sensitisers, sliders vs tensioners.

Every function returns plain rows (lists of dicts, units in the keys) read
from the one computed state of each posture (:func:`neuralsim.compute`), with
a column for every nerve and muscle of the registry, plus a ``format_*`` helper that prints them as text, so a
notebook cell stays one call.  Lengths in mm, angles in degrees, relative
lengths dimensionless (1.0 = the anatomical position).

>>> rows = step_table("slump")
>>> rows[0]["step"], round(rows[0]["change_mm"], 1)
('sit, feet off the ground', 0.0)
"""
from __future__ import annotations

import math
from typing import Any, Mapping, Sequence
import numpy as np


from ..model import registry as _reg
from ..core.body import DEFAULT_BODY, Body
from ..core.joints import JOINTS, joint_range
from ..model.lengths import nerve_bed_length, pathway
from ..core.posture import Posture, as_posture
from .states import compute
from ..model import protocols

__all__ = [
    "step_table", "format_step_table", "joint_effects", "format_joint_effects", "crossed_joints",
    "hip_angle_for_bed_length", "sensitiser_table", "format_sensitiser_table", "neck_differentiation",
    "GLIDES", "glide_table", "format_glide_table", "site_table", "format_site_table", "glide_end_postures", "SITES",
]

#: The sites of the mechanics nerve shown in :func:`site_table`: those the registry does not
#: mark ``tabled: false`` (a live view of the active registry).
SITES: tuple[str, ...] = _reg.Live(  # type: ignore[assignment]
    lambda r: tuple(n for n, s in r.mechanics_nerve.sites.items() if s.tabled))


def _b(body: Body | None) -> Body:
    return DEFAULT_BODY if body is None else body


def _mean_hamstrings(posture: Any, body: Body) -> float:
    """Mean hamstring length (mm) of one posture (kept for :mod:`neuralsim.exercises`)."""
    return float(compute(posture, body=body).group_mean_mm("hamstrings"))


def _protocol(protocol: str | Sequence) -> tuple[Sequence, str]:
    """Steps and nerve of a protocol key, or the steps given (and the default nerve)."""
    if isinstance(protocol, str):
        return protocols.get(protocol).steps, protocols.get(protocol).nerve
    return protocol, _reg.current().default_nerve


def step_table(protocol: str | Sequence, body: Body | None = None, *, nerve: str | None = None) -> list[dict]:
    """One row per step of a protocol (a key of :data:`neuralsim.protocols.ALL`, or a sequence of steps).

    ``nerve``: the nerve bed to follow (default: the protocol's nerve, or the
    sciatic for a sequence of steps); the muscles beside it are the group its
    registry entry names as its ``contrast`` (hamstrings for the sciatic,
    quadriceps for the femoral).  Keys: ``step``; ``nerve``; ``group`` (the
    contrast group); ``bed_mm`` (bed length, mm); ``relative_bed`` (against
    the anatomical position, 1); ``change_mm`` (bed change from the previous
    step, mm; 0 for the first); for every muscle group of the registry
    ``<group>_mm`` (mean length of its muscles, e.g. ``hamstrings_mm``, mm)
    and ``<group>_change_mm`` (its change from the previous step, mm);
    ``contributions_mm`` (joint -> mm of the bed from the anatomical position);
    ``lengths_mm`` (every nerve and muscle of the registry -> its length, mm),
    so one row holds all a command-line or notebook table of the step shows.
    """
    b = _b(body)
    steps, own = _protocol(protocol)
    nerve = own if nerve is None else nerve
    group = _reg.current().check(nerve, "nerve").contrast
    rows: list[dict] = []
    prev_bed = prev_mus = None
    for name, posture in steps:
        st = compute(posture, body=b)
        bed = st.lengths_mm[nerve]
        mus = {g: st.group_mean_mm(g) for g in st.groups}
        row = {"step": name, "nerve": nerve, "group": group, "bed_mm": bed, "relative_bed": st.relative(nerve),
               "change_mm": 0.0 if prev_bed is None else bed - prev_bed,
               "contributions_mm": dict(st.contributions_mm[nerve]), "lengths_mm": dict(st.lengths_mm)}
        for g, v in mus.items():
            row[f"{g}_mm"] = v
            row[f"{g}_change_mm"] = 0.0 if prev_mus is None else v - prev_mus[g]
        rows.append(row)
        prev_bed, prev_mus = bed, mus
    return rows


def format_step_table(rows: Sequence[Mapping]) -> str:
    """Plain-text table of :func:`step_table` rows (units in the header)."""
    group = rows[0]["group"] if rows else "hamstrings"
    head = f"{'step':<36}{'bed (mm)':>9}{'relative':>10}{'change (mm)':>13}{group + ' change (mm)':>24}"
    lines = [head, "-" * len(head)]
    for r in rows:
        lines.append(f"{r['step']:<36}{r['bed_mm']:>9.0f}{r['relative_bed']:>10.3f}"
                     f"{r['change_mm']:>+13.1f}{r[group + '_change_mm']:>+24.1f}")
    return "\n".join(lines)


def crossed_joints(structure: str, body: Body | None = None) -> tuple[str, ...]:
    """The joints whose angle changes the length of ``structure`` (a nerve or muscle name;
    ``"nerve"`` means the default nerve)."""
    b = _b(body)
    path = pathway(_reg.current().default_nerve if structure == "nerve" else structure, b)
    return tuple(j for j in JOINTS if j in path.joints)


def joint_effects(base: Any = None, step_deg: float = 10.0, body: Body | None = None, *,
                  nerve: str | None = None) -> list[dict]:
    """Change of each length when one joint moves ``step_deg`` degrees from ``base``.

    One row per joint: ``joint``, ``step_deg``, ``nerve_mm`` (the bed of
    ``nerve``) and ``<name>_mm`` for every nerve and muscle of the registry
    (mm).  ``base`` defaults to the anatomical position; a joint whose step
    would leave its range is moved the other way (``step_deg`` then reported
    negative).
    """
    b = _b(body)
    p0 = Posture() if base is None else as_posture(base)
    s0 = compute(p0, body=b)
    nerve = _reg.current().nerve(nerve).name
    rows = []
    for j in JOINTS:
        lo, hi = joint_range(j, b.mobility)
        a0 = float(getattr(p0, j))
        step = step_deg if a0 + step_deg <= hi else -step_deg
        s1 = compute(p0.replace(**{j: a0 + step}), body=b)
        row = {"joint": j, "step_deg": step, "nerve_mm": s1.lengths_mm[nerve] - s0.lengths_mm[nerve]}
        for name in s1.lengths_mm:
            row[f"{name}_mm"] = s1.lengths_mm[name] - s0.lengths_mm[name]
        rows.append(row)
    return rows


def format_joint_effects(rows: Sequence[Mapping]) -> str:
    """Plain-text table of :func:`joint_effects` rows (mm): one column per nerve and muscle."""
    reg = _reg.current()
    names = [n for n in reg if rows and f"{n}_mm" in rows[0]]
    cols = [(n, reg[n].short if reg[n].kind == "muscle" else n) for n in names]
    head = f"{'joint (step, deg)':<32}" + "".join(f"{c:>10}" for _n, c in cols)
    lines = [head + "   (all mm)", "-" * len(head)]
    for r in rows:
        label = "%s (%+g)" % (r["joint"], r["step_deg"])
        lines.append(f"{label:<32}" + "".join(f"{r[n + '_mm']:>+10.1f}" for n, _c in cols))
    key = [f"{reg[n].short} = {reg[n].label}" for n in names if reg[n].kind == "muscle"]
    beds = [n for n in names if reg[n].kind == "nerve"]
    lines.append(f"{', '.join(beds)}: nerve beds; " + ", ".join(key))
    return "\n".join(lines)


def hip_angle_for_bed_length(posture: Any, length_mm: float, body: Body | None = None) -> float:
    """Hip flexion (deg) at which the bed reaches ``length_mm`` (mm), other joints as in ``posture``.

    The straight-leg raise read backwards: raise the leg until the bed has
    taken up a given length.  ``nan`` when the length is not reached inside
    the hip's range (never a clamped angle).  The other angles of ``posture``
    are used as they are; its hip angle is ignored.
    """
    from ..model.lengths import angle_for_bed_length
    return float(angle_for_bed_length(as_posture(posture), "hip_flexion", length_mm, body=_b(body)))


#: The straight-leg raise base and its sensitisers, each alone (degrees).
SENSITISERS: Mapping[str, Mapping[str, float]] = {
    "plain straight-leg raise": {},
    "+ dorsiflexion 15": {"ankle_dorsiflexion": 15.0},
    "+ hip adduction 15": {"hip_adduction": 15.0},
    "+ hip internal rotation 20": {"hip_internal_rotation": 20.0},
    "+ neck flexion 40": {"cervical_flexion": 40.0},
    "+ all four": {"ankle_dorsiflexion": 15.0, "hip_adduction": 15.0,
                   "hip_internal_rotation": 20.0, "cervical_flexion": 40.0},
}


def sensitiser_table(relative_target: float = 1.04, body: Body | None = None,
                     sensitisers: Mapping[str, Mapping[str, float]] | None = None) -> list[dict]:
    """Hip angle (deg) at which the bed reaches ``relative_target`` × its standing length.

    One row per sensitiser combination (default :data:`SENSITISERS`), lying on
    the back with the knee straight: ``name``, ``hip_deg`` (``nan`` if never
    reached), ``earlier_by_deg`` (how many degrees sooner than the plain raise).
    """
    b = _b(body)
    target = relative_target * nerve_bed_length(Posture(), body=b)
    rows = []
    plain = None
    for name, extra in (SENSITISERS if sensitisers is None else sensitisers).items():
        hip = hip_angle_for_bed_length(Posture(**extra), target, b)
        if plain is None:
            plain = hip
        rows.append({"name": name, "hip_deg": hip, "earlier_by_deg": plain - hip})
    return rows


def format_sensitiser_table(rows: Sequence[Mapping]) -> str:
    """Plain-text table of :func:`sensitiser_table` rows (degrees)."""
    head = f"{'straight-leg raise':<30}{'hip angle (deg)':>16}{'sooner by (deg)':>17}"
    lines = [head, "-" * len(head)]
    for r in rows:
        lines.append(f"{r['name']:<30}{r['hip_deg']:>16.1f}{r['earlier_by_deg']:>17.1f}")
    return "\n".join(lines)


def neck_differentiation(posture: Any, neck_from: float, neck_to: float, body: Body | None = None, *,
                         nerve: str | None = None) -> dict:
    """Change of the bed of ``nerve`` (``nerve_mm``) and of every muscle (``<muscle>_mm``), mm,
    when only the neck moves from ``neck_from`` to ``neck_to`` deg."""
    b = _b(body)
    p = as_posture(posture)
    nerve = _reg.current().nerve(nerve).name
    a = compute(p.replace(cervical_flexion=neck_from), body=b)
    z = compute(p.replace(cervical_flexion=neck_to), body=b)
    out = {"nerve_mm": z.lengths_mm[nerve] - a.lengths_mm[nerve]}
    for m in z.muscles:
        out[f"{m}_mm"] = z.lengths_mm[m] - a.lengths_mm[m]
    return out


# -- sliders and tensioners (needs neuralsim.mechanics) -----------------------

_SEATED = protocols.SLUMP_CLASSIC[1].posture  # slumped sitting, knee bent 90


def _pair(name: str, fallback: tuple[Posture, Posture]) -> tuple[Posture, Posture]:
    steps = getattr(protocols, name, None)
    return (steps[0].posture, steps[1].posture) if steps else fallback


#: Movement pairs (start, end) compared in the glides notebook, degrees: the
#: seated slider, tensioner and knee-alone movements of :mod:`neuralsim.protocols`,
#: and the seed's supine sciatic glide.
GLIDES: Mapping[str, tuple[Posture, Posture]] = {
    "slider: knee straightens while the head looks up": _pair("SCIATIC_SLIDER", (
        _SEATED.replace(cervical_flexion=40), _SEATED.replace(cervical_flexion=-40, knee_flexion=0))),
    "tensioner: knee straightens while the head looks down": _pair("SCIATIC_TENSIONER", (
        _SEATED.replace(cervical_flexion=-40), _SEATED.replace(cervical_flexion=40, knee_flexion=0))),
    "knee alone (single joint)": _pair("SCIATIC_KNEE_ONLY", (_SEATED, _SEATED.replace(knee_flexion=0))),
    "supine sciatic glide (source article)": (
        protocols.SCIATIC_GLIDE_SUPINE[0].posture, protocols.SCIATIC_GLIDE_SUPINE[1].posture),
}


def _peak_in_situ(m) -> float:
    """Highest local strain beyond the in-situ length anywhere along the cable (%)."""
    return float(np.max(m.element_in_situ_strain_pct))


def glide_table(site: str = "mid_thigh", glides: Mapping | None = None, body: Body | None = None) -> list[dict]:
    """Bed change, nerve excursion and peak strain for each movement of :data:`GLIDES`.

    Keys: ``name``; ``bed_change_mm`` (core model); ``excursion_mm`` (nerve
    movement at ``site`` from start to end, mm, + = distal); ``peak_strain_pct``
    (highest local strain beyond the in-situ length at the end, cord, roots and nerve, %);
    ``strain_rise_pct`` (how much that peak rose from start to end, %), from
    :mod:`neuralsim.mechanics`.
    """
    b = _b(body)
    nerve = _reg.current().default_nerve
    rows = []
    for name, (start, end) in (GLIDES if glides is None else glides).items():
        s0, s1 = compute(start, body=b), compute(end, body=b)
        m0, m1 = s0.mechanics(), s1.mechanics()
        rows.append({
            "name": name, "bed_change_mm": s1.lengths_mm[nerve] - s0.lengths_mm[nerve],
            "excursion_mm": float(m1.excursion_mm(site)) - float(m0.excursion_mm(site)),
            "peak_strain_pct": _peak_in_situ(m1),
            "strain_rise_pct": _peak_in_situ(m1) - _peak_in_situ(m0),
        })
    return rows


def site_table(glides: Mapping | None = None, body: Body | None = None) -> list[dict]:
    """Excursion (mm, + = distal) and end strain (%) at every site of :data:`SITES` for each glide.

    One row per site: ``site`` and, per movement name, ``"<name>|excursion_mm"``
    (start to end) and ``"<name>|strain_pct"`` (at the end, beyond the in-situ length), from
    :mod:`neuralsim.mechanics`.
    """
    b = _b(body)
    g = GLIDES if glides is None else glides
    solved = {name: (compute(a, body=b).mechanics(), compute(z, body=b).mechanics()) for name, (a, z) in g.items()}
    rows = []
    for site in SITES:
        row: dict = {"site": site}
        for name in g:
            m0, m1 = solved[name]
            row[f"{name}|excursion_mm"] = float(m1.excursion_mm(site)) - float(m0.excursion_mm(site))
            row[f"{name}|strain_pct"] = float(m1.in_situ_strain_pct(site))
        rows.append(row)
    return rows


def format_site_table(rows: Sequence[Mapping], names: Sequence[str] | None = None) -> str:
    """Plain-text :func:`site_table`: per site, excursion (mm) / strain (%) for each movement."""
    names = list(GLIDES)[:2] if names is None else list(names)
    short = [n.split(":")[0] for n in names]
    head = f"{'site':<14}" + "".join(f"{s + ' mm / %':>26}" for s in short)
    lines = [head, "-" * len(head)]
    for r in rows:
        # rounded before formatting, + 0.0: a nerve held still (-4e-9 mm) reads 0.0, not -0.0
        cells = "".join(f"{round(r[n + '|excursion_mm'], 1) + 0.0:>15.1f} / {round(r[n + '|strain_pct'], 2) + 0.0:>7.2f}"
                        for n in names)
        lines.append(f"{r['site']:<14}{cells}")
    return "\n".join(lines)


def glide_end_postures() -> dict:
    """Name -> end posture of each movement in :data:`GLIDES` (for strain profiles)."""
    return {name: end for name, (_start, end) in GLIDES.items()}


def format_glide_table(rows: Sequence[Mapping]) -> str:
    """Plain-text table of :func:`glide_table` rows."""
    head = (f"{'movement':<54}{'bed change (mm)':>16}{'excursion (mm)':>15}{'peak strain (%)':>16}"
            f"{'rise (%)':>10}")
    lines = [head, "-" * len(head)]
    for r in rows:
        lines.append(f"{r['name']:<54}{r['bed_change_mm']:>+16.1f}{r['excursion_mm']:>15.1f}"
                     f"{r['peak_strain_pct']:>16.2f}{r['strain_rise_pct']:>+10.2f}")
    return "\n".join(lines)


def people_table(targets: Sequence[float] = (1.03, 1.04, 1.05),
                 bodies: Mapping[str, Body] | None = None) -> list[dict]:
    """Plain straight-leg raise: hip angle (deg) where the bed reaches each relative target, per body.

    ``targets``: relative bed lengths (1 = standing) standing in for how much
    lengthening a person's nerve tolerates before it complains (a teaching
    stand-in for nerve sensitivity).  ``bodies``: label -> :class:`Body`
    (default: short, typical, tall, hypomobile, hypermobile).  Rows: ``body``,
    ``height_m``, ``mobility``, ``hip_max_deg`` (end of the hip range), and
    ``"hip_deg@<target>"`` per target (``nan`` when not reached in range).
    """
    if bodies is None:
        bodies = {"short, typical": Body(1.55), "typical": Body(), "tall, typical": Body(1.95),
                  "typical height, hypomobile": Body(mobility="hypomobile"),
                  "typical height, hypermobile": Body(mobility="hypermobile")}
    rows = []
    for label, b in bodies.items():
        row = {"body": label, "height_m": b.height_m, "mobility": b.mobility,
               "hip_max_deg": joint_range("hip_flexion", b.mobility)[1]}
        base = nerve_bed_length(Posture(), body=b)
        for t in targets:
            row[f"hip_deg@{t:g}"] = hip_angle_for_bed_length(Posture(), t * base, b)
        rows.append(row)
    return rows


def format_people_table(rows: Sequence[Mapping]) -> str:
    """Plain-text :func:`people_table` ("not reached" where the hip range ends first)."""
    keys = [k for k in rows[0] if k.startswith("hip_deg@")]
    head = f"{'body':<30}{'hip range ends at':>18}" + "".join(f"{'bed x' + k[8:]:>14}" for k in keys)
    lines = [head + "   (hip angles in deg)", "-" * len(head)]
    for r in rows:
        cells = "".join(f"{'not reached':>14}" if math.isnan(r[k]) else f"{r[k]:>14.1f}" for k in keys)
        lines.append(f"{r['body']:<30}{r['hip_max_deg']:>18.0f}{cells}")
    return "\n".join(lines)


def format_parameter_table(rows: Sequence[Mapping] | None = None) -> str:
    """Every model parameter as text: name, value, unit, status, source."""
    if rows is None:
        from ..core.parameters import table
        rows = table()
    lines = [f"{'name':<32}{'value':>9}  {'unit':<30}{'status':<12}source", "-" * 110]
    for r in rows:
        lines.append(f"{r['name']:<32}{r['value']:>9g}  {r['unit'][:29]:<30}{r['status']:<12}{r['source']}")
    return "\n".join(lines)
