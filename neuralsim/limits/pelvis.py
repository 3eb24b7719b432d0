"""The lumbopelvic rhythm: how far the pelvis tilts back as the thigh rises and the knee straightens.

A :class:`~neuralsim.Posture`'s ``hip_flexion`` is the angle between the thigh and the trunk;
its ``pelvic_tilt`` says how much of it the pelvis takes (:func:`neuralsim.core.posture.joint_angles`).
People do not hold the pelvis still: in a supine hip flexion, knee bent or straight, it turns
back from the first few degrees and takes a fourth to a third of the movement (Bohannon,
Gajdosik & LeVeau 1985), and straightening the knee with the hip flexed turns it back a few
degrees more (Fredriksen et al. 1997).  :func:`coupled_tilt` gives that tilt; the movements of
:func:`neuralsim.limits.movement_limit` follow it unless told to hold the pelvis.

>>> round(coupled_tilt(64.0), 1)          # the end of a typical raise: deg of backward tilt
16.2
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ..core import parameters as _p
from ..core.posture import PELVIC_TILT_RANGE, Posture

__all__ = ["coupled_tilt", "with_rhythm", "PELVIS_MODES", "AKE_START"]

#: ``"coupled"``: the pelvis follows the thigh and the knee (:func:`coupled_tilt`) on top of the
#: start's own tilt; ``"fixed"``: it keeps the start's tilt.
PELVIS_MODES = ("coupled", "fixed")


def coupled_tilt(hip_flexion: Any, knee_flexion: Any = 0.0, knee_from: Any = None) -> Any:
    """The pelvis's backward tilt (deg) with the thigh at ``hip_flexion`` (deg, thigh-trunk) and,
    with ``knee_from`` given, the knee straightened from ``knee_from`` to ``knee_flexion`` (deg).

    ``pelvis_hip_share`` of the thigh-trunk flexion beyond ``pelvis_hip_onset_deg``, plus
    ``pelvis_knee_tilt_deg`` per 90 deg of knee extension (only straightening counts).
    """
    h = np.asarray(hip_flexion, dtype=float)
    tilt = _p.value("pelvis_hip_share") * np.maximum(h - _p.value("pelvis_hip_onset_deg"), 0.0)
    if knee_from is not None:
        ext = np.maximum(np.asarray(knee_from, dtype=float) - np.asarray(knee_flexion, dtype=float), 0.0)
        tilt = tilt + _p.value("pelvis_knee_tilt_deg") * ext / 90.0
    tilt = np.clip(tilt, *PELVIC_TILT_RANGE)
    return float(tilt) if tilt.ndim == 0 else tilt


def with_rhythm(start: Posture, changes: dict, pelvis: str = "coupled") -> Posture:
    """``start`` with ``changes`` (joint -> deg, arrays allowed) and, ``pelvis="coupled"``, the
    pelvis tilted further as people's does on the way from the start: by the rhythm of
    :func:`coupled_tilt` when the thigh moves (its change from the start's thigh-trunk angle), and
    when the knee straightens with the hip flexed (45 deg or more).  The start's own tilt is kept
    as it is (a lying start with the thigh already raised names its tilt: :data:`AKE_START`)."""
    post = start.replace(**changes)
    if pelvis == "fixed":
        return post
    tilt = np.asarray(start.pelvic_tilt, dtype=float)
    if "hip_flexion" in changes:
        tilt = tilt + np.asarray(coupled_tilt(post.hip_flexion)) - coupled_tilt(float(start.hip_flexion)) \
            if not np.ndim(start.hip_flexion) else tilt + np.asarray(coupled_tilt(post.hip_flexion)) \
            - np.asarray(coupled_tilt(start.hip_flexion))
    if "knee_flexion" in changes and np.all(np.asarray(start.hip_flexion) >= 45.0):
        ext = np.maximum(np.asarray(start.knee_flexion, dtype=float) - np.asarray(post.knee_flexion, dtype=float), 0.0)
        tilt = tilt + _p.value("pelvis_knee_tilt_deg") * ext / 90.0
    tilt = np.clip(tilt, *PELVIC_TILT_RANGE)
    return post.replace(pelvic_tilt=float(tilt) if tilt.ndim == 0 else tilt)


#: The active-knee-extension start as Kuilart et al. 2005 measured it: lying supine, the thigh and the
#: knee at 90 deg, spine and neck neutral, the pelvis turned back as bringing the thigh up turns it.
AKE_START = Posture(hip_flexion=90, knee_flexion=90, pelvic_tilt=coupled_tilt(90.0))
