"""The model's values for the rows of ``data/evidence.csv`` about people: where movements stop.

Generated healthy people (the "neither" answers of a seeded class) go through the same tests as in the
clinic notebook; each function returns the model's value for one row (``{"value": ...}`` plus what the
row's limitation text reports).
"""
from __future__ import annotations

import numpy as np

from ..core import parameters as _p
from ..core.posture import Posture
from ..limits.cases import CASES, SLUMP_START, healthy_people
from ..limits.person import Person
from ..limits.stops import AKE_START, after_stretching, differentiate, movement_limit
from ..model.lengths import HAMSTRINGS, REFERENCE, muscle_length
from .rows import EVIDENCE, row
from ..model import registry as _reg

__all__ = ["QUANTITIES"]


def _healthy(seed: int = 1, n: int = 200) -> Person:
    """Generated healthy people ("neither" answers of a seeded class) for population figures."""
    return healthy_people(seed, n)


def _ev_slr_mean(c) -> dict:
    a = np.asarray(movement_limit(Posture(ankle_dorsiflexion=-20), "hip_flexion", _healthy()).angle_deg)
    return {"value": float(a.mean()), "sd": float(a.std()), "anchor": _p.value("person_slr_hamstring_stop_deg")}


def _ev_slr_sd(c) -> dict:
    return {"value": _ev_slr_mean(c)["sd"]}


def _ev_slr_dorsiflexion_healthy(c) -> dict:
    d = differentiate(Posture(), "hip_flexion", "ankle_dorsiflexion", [-20, 20], _healthy())
    ch = -np.asarray(d.change_deg)
    return {"value": float(ch.mean()), "nerve_limited": int(sum(x == "nerve" for x in d.results[0].limited_by)),
            "n_ham": int(sum(x == "hamstrings" for x in d.results[0].limited_by)), "n": int(ch.size)}


def _ev_slr_dorsiflexion_sensitised(c) -> dict:
    d = differentiate(Posture(), "hip_flexion", "ankle_dorsiflexion", [0, 10], Person(sensitised=True))
    return {"value": -float(d.change_deg)}


def _ev_neck_vs_ankle(c) -> dict:
    person = Person(sensitised=True)
    ankle = -differentiate(Posture(), "hip_flexion", "ankle_dorsiflexion", [0, 10], person).change_deg
    neck = -differentiate(Posture(), "hip_flexion", "cervical_flexion", [0, 40], person).change_deg
    return {"value": neck, "ok": 0 < neck < ankle, "ankle": ankle, "neck": neck}


#: The foot left pointed in the active knee extension (deg dorsiflexion; the plantarflexed foot of the
#: straight-leg-raise row): the test's protocols leave the ankle neutral or relaxed.
_AKE_POINTED_DEG = -20.0


def _ake_stops(people: Person, hip_deg: float, ankle_deg: float = 0.0, tilt_deg: float = 0.0) -> np.ndarray:
    """Each person's knee stop (deg flexion) straightening the knee supine with the thigh at ``hip_deg``
    (the pelvis following it, and turned back ``tilt_deg`` more)."""
    return np.asarray(movement_limit(AKE_START.replace(hip_flexion=hip_deg, ankle_dorsiflexion=ankle_deg,
                                                       pelvic_tilt=AKE_START.pelvic_tilt + tilt_deg),
                                     "knee_flexion", people, direction=-1).angle_deg)


def _ev_knee_extension_hip90(c) -> dict:
    """The supine active knee extension of generated healthy people, and what would move it.

    Besides the mean stop and its SD: the hamstrings' mean moment arms over the two arcs the tests
    use (hip 0 -> 90 deg with the knee straight, knee 90 -> 0 deg with the hip at 90; mm, the length
    change over the arc in radians, the pelvis held), their knee-to-hip ratio, how far the mean stop
    moves towards straight per degree the pelvis turns back beyond the rhythm (``per_deg``, from 0 and
    2 deg more), the pelvis's tilt at the start (``tilt_start``, deg) and the mean stop with the foot
    pointed (``value_pointed``, ankle at ``-pointed_deg``): the protocols leave the ankle neutral or relaxed.
    """
    from ..limits.pelvis import coupled_tilt
    people = _healthy()
    a = _ake_stops(people, 90.0)
    hip_arm, knee_arm = [], []
    for m in HAMSTRINGS:
        hip_arm.append((muscle_length(Posture(hip_flexion=90), m) - muscle_length(REFERENCE, m)) / (np.pi / 2))
        knee_arm.append((muscle_length(Posture(hip_flexion=90), m)
                         - muscle_length(Posture(hip_flexion=90, knee_flexion=90), m)) / (np.pi / 2))
    ratio = np.array(knee_arm) / np.array(hip_arm)
    per_deg = float((a.mean() - _ake_stops(people, 90.0, tilt_deg=2.0).mean()) / 2.0)
    pointed = float(_ake_stops(people, 90.0, ankle_deg=_AKE_POINTED_DEG).mean())
    return {"value": float(a.mean()), "sd": float(a.std()), "anchor": _p.value("person_slr_hamstring_stop_deg"),
            "pointed_deg": -_AKE_POINTED_DEG, "value_pointed": pointed,
            "ratio_min": float(ratio.min()), "ratio_max": float(ratio.max()),
            "hip_arm_min": float(min(hip_arm)), "hip_arm_max": float(max(hip_arm)),
            "knee_arm_min": float(min(knee_arm)), "knee_arm_max": float(max(knee_arm)),
            "per_deg": per_deg, "tilt_start": float(coupled_tilt(90.0)),
            "tilt_end": float(coupled_tilt(90.0, 0.0, 90.0))}


def _ev_slump_look_up(c) -> dict:
    people = _healthy()
    down = np.asarray(movement_limit(SLUMP_START, "knee_flexion", people, direction=-1).angle_deg)
    up = np.asarray(movement_limit(SLUMP_START.replace(cervical_flexion=-20), "knee_flexion", people,
                                   direction=-1).angle_deg)
    gain = down - up
    return {"value": float(gain.mean()), "ok": bool(gain.mean() > 0 and gain.min() >= -1e-9)}


def _ev_slump_symptoms_knee(c) -> dict:
    """Where generated healthy people feel the slump at its knee stop (neck flexed): % feeling each region."""
    from ..limits.stops import FELT_KEYS
    felt = np.asarray(movement_limit(SLUMP_START, "knee_flexion", _healthy(), direction=-1).felt)
    share = {k: 100.0 * float(felt[:, i].mean()) for i, k in enumerate(FELT_KEYS)}
    return {"value": share["popliteal"], "back": share["lumbar_roots"], "thigh": share["mid_thigh"]}


def _ev_ylinen(c) -> dict:
    short = CASES["short hamstrings"].person
    before = movement_limit(Posture(), "hip_flexion", short).angle_deg
    return {"value": movement_limit(Posture(), "hip_flexion", after_stretching(short, 4)).angle_deg - before}


def _pcsa(muscle: str):
    return lambda c: {"value": _reg.current()[muscle].pcsa_cm2()}


#: Model quantities of the movement-limit rows of ``data/evidence.csv`` (merged into
#: :data:`neuralsim.evidence.MODEL_QUANTITIES`).
QUANTITIES = {
    "slr_healthy_mean": _ev_slr_mean,
    "slr_healthy_sd": _ev_slr_sd,
    "slr_dorsiflexion_healthy": _ev_slr_dorsiflexion_healthy,
    "slr_dorsiflexion_sensitised": _ev_slr_dorsiflexion_sensitised,
    "slr_neck_vs_dorsiflexion": _ev_neck_vs_ankle,
    "knee_extension_hip90": _ev_knee_extension_hip90,
    "slump_look_up_knee": _ev_slump_look_up,
    "slump_symptoms_knee": _ev_slump_symptoms_knee,
    "ylinen_four_weeks": _ev_ylinen,
    # the rows named ward_pcsa_<muscle>: the cross-sectional area the registry gives that muscle
    **{r["model"]: _pcsa(r["model"][len("ward_pcsa_"):]) for r in EVIDENCE if r["model"].startswith("ward_pcsa_")},
}
