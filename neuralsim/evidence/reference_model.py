"""The hamstrings beside a standard musculoskeletal model of the field (OpenSim).

The project's hamstrings are paths wrapped round the hip and knee at cited moment arms
(:mod:`neuralsim.model.geometry`).  This module sets their *length changes* beside those of
OpenSim's RajagopalLaiUhlrich2023 model (Rajagopal et al. 2016, IEEE Trans Biomed Eng
63(10):2068-79, with the high-flexion knee and hamstring paths of Lai et al. 2017, Ann Biomed
Eng 45(12):2762-74), tabulated once into ``data/opensim_hamstrings.csv`` over a grid of hip
flexion (-20 to 120 deg) and knee flexion (0 to 140 deg); the script that made the table is
``tools/tabulate_opensim_hamstrings.py`` (OpenSim is not a dependency).

What is compared: for each hamstring, the change of musculotendon length from the anatomical
position (hip and knee at 0 deg), in mm, at every posture of the grid, for a body whose thigh
(hip to knee centre) is as long as the OpenSim model's.  Changes, not lengths, because the
two models place origins and insertions differently; the question the course asks of a
muscle is how much a joint lengthens it.

The figure of merit is the RMS difference of the changes over the grid divided by the RMS of
the OpenSim model's own change (:data:`TOLERANCE`: at most 0.30).  It is a model beside a
model, not beside people: OpenSim's paths come from cadaver and MRI anatomy and are
themselves uncertain.

>>> r = hamstrings_beside_opensim()
>>> sorted(r)
['biceps_femoris_lh', 'semimembranosus', 'semitendinosus']
>>> r["semitendinosus"]["postures"]
225
"""
from __future__ import annotations

import io
from types import MappingProxyType
from typing import Any, Mapping

import numpy as np

from ..core.body import Body
from ..core.data import read_text
from ..core.posture import Posture
from ..model.lengths import muscle_length

__all__ = ["TOLERANCE", "OPENSIM_TABLE", "opensim_table", "hamstrings_beside_opensim",
           "hamstrings_beside_opensim_rows"]

#: The largest RMS difference of the length changes, as a fraction of the reference model's RMS
#: change, that counts as agreeing (the criterion the project set for this comparison).
TOLERANCE = 0.30
#: The data file of the reference model's hamstring lengths.
OPENSIM_TABLE = "opensim_hamstrings.csv"
_MUSCLES = ("semimembranosus", "semitendinosus", "biceps_femoris_lh")


def opensim_table() -> Mapping[str, Any]:
    """The reference model's table: ``hip_flexion_deg`` and ``knee_flexion_deg`` (deg), the
    length of each hamstring (``"<muscle>_mm"``, mm), ``model_thigh_mm`` (mm) and ``source``
    (text).  Arrays are read-only."""
    text = read_text(OPENSIM_TABLE)
    notes = [line[1:].strip() for line in text.splitlines() if line.startswith("#")]
    body = "\n".join(line for line in text.splitlines() if line and not line.startswith("#"))
    a = np.genfromtxt(io.StringIO(body), delimiter=",", names=True)
    thigh = next(float(n.split(",")[1]) for n in notes if n.startswith("model_thigh_mm,"))
    out = {name: np.array(a[name], dtype=float) for name in a.dtype.names}
    for v in out.values():
        v.flags.writeable = False
    out["model_thigh_mm"] = thigh
    out["source"] = notes[0]
    return MappingProxyType(out)


def _thigh_matched_body(thigh_mm: float) -> Body:
    per_metre = Body(height_m=1.75).segment("thigh") / 1.75   # the thigh is a fixed fraction of height
    return Body(height_m=round(thigh_mm / per_metre, 2))


def hamstrings_beside_opensim(body: Body | None = None) -> Mapping[str, Mapping[str, Any]]:
    """Each hamstring's length changes beside the OpenSim model's, over the table's grid.

    ``body``: a :class:`~neuralsim.Body`; by default one whose thigh is as long as the OpenSim
    model's (about 1.67 m tall).  Returns, per muscle (read-only): ``rms_difference_mm``,
    ``reference_rms_change_mm``, ``ratio`` (the first over the second, 1), ``within`` (ratio <=
    :data:`TOLERANCE`), ``max_difference_mm`` (mm) with the posture where it occurs
    (``at_hip_deg``, ``at_knee_deg``), ``postures`` (how many), ``height_m`` (of the body
    used), and the changes themselves (``model_change_mm``, ``reference_change_mm``, arrays over
    the grid, mm).
    """
    t = opensim_table()
    if body is None:
        body = _thigh_matched_body(t["model_thigh_mm"])
    elif not isinstance(body, Body):
        raise TypeError(f"body must be a neuralsim.Body, got {type(body).__name__} {body!r}")
    hip, knee = t["hip_flexion_deg"], t["knee_flexion_deg"]
    zero = (hip == 0) & (knee == 0)
    grid = Posture(hip_flexion=hip, knee_flexion=knee)
    out = {}
    for m in _MUSCLES:
        ref = t[f"{m}_mm"]
        ref_change = ref - ref[zero][0]
        ours = np.asarray(muscle_length(grid, m, body=body), dtype=float)
        ours_change = ours - float(muscle_length(Posture(), m, body=body))
        diff = ours_change - ref_change
        rms = float(np.sqrt(np.mean(diff ** 2)))
        ref_rms = float(np.sqrt(np.mean(ref_change ** 2)))
        worst = int(np.argmax(np.abs(diff)))
        for arr in (ours_change, ref_change):
            arr.flags.writeable = False
        out[m] = MappingProxyType({
            "rms_difference_mm": rms, "reference_rms_change_mm": ref_rms, "ratio": rms / ref_rms,
            "within": rms / ref_rms <= TOLERANCE, "max_difference_mm": float(diff[worst]),
            "at_hip_deg": float(hip[worst]), "at_knee_deg": float(knee[worst]),
            "postures": int(hip.size), "height_m": body.height_m,
            "model_change_mm": ours_change, "reference_change_mm": ref_change,
        })
    return MappingProxyType(out)


def hamstrings_beside_opensim_rows(result: Mapping[str, Mapping[str, Any]] | None = None) -> list[dict]:
    """:func:`hamstrings_beside_opensim` as rows for a table: per muscle (``muscle``, its name)
    the RMS difference (``rms_difference_mm``), OpenSim's RMS change (``opensim_rms_change_mm``),
    their ratio (``ratio_pct``, %), the largest difference (``largest_difference_mm``) and where
    (``at_hip_deg``, ``at_knee_deg``), and ``agrees`` (the ratio at most :data:`TOLERANCE`)."""
    r = hamstrings_beside_opensim() if result is None else result
    return [{"muscle": m, "rms_difference_mm": x["rms_difference_mm"],
             "opensim_rms_change_mm": x["reference_rms_change_mm"], "ratio_pct": 100.0 * x["ratio"],
             "largest_difference_mm": x["max_difference_mm"], "at_hip_deg": x["at_hip_deg"],
             "at_knee_deg": x["at_knee_deg"], "agrees": x["within"]} for m, x in r.items()]
