"""Tabulate the hamstrings' musculotendon lengths of OpenSim's RajagopalLaiUhlrich2023 model.

Writes ``neuralsim/data/opensim_hamstrings.csv``: the path lengths (mm) of the right
semimembranosus, semitendinosus and biceps femoris long head over a grid of hip flexion
(-20 to 120 deg) and knee flexion (0 to 140 deg), every other coordinate of the model at 0
(pelvis level, hip neither adducted nor rotated, ankle neutral).  The model is the full-body
model of Rajagopal et al. 2016 (IEEE Trans Biomed Eng 63(10):2068-79) with the high-flexion
knee and hamstring paths of Lai et al. 2017 (Ann Biomed Eng 45(12):2762-74) and the changes of
Uhlrich et al. 2022, as distributed in the opensim-models collection; its thigh (hip to knee
joint centre) is written beside the table so the comparison can use a body of the same thigh.

The project does not depend on OpenSim: the table is made once, with OpenSim's own Python
package in an environment of its own, and committed; run again only to remake it:

    python -m venv /tmp/osim && /tmp/osim/bin/pip install opensim
    /tmp/osim/bin/python tools/tabulate_opensim_hamstrings.py PATH/TO/RajagopalLaiUhlrich2023.osim

Signs: OpenSim's ``hip_flexion_r`` and ``knee_angle_r`` are both positive in flexion, as the
project's ``hip_flexion`` and ``knee_flexion`` are.
"""
from __future__ import annotations

import math
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "neuralsim" / "data" / "opensim_hamstrings.csv"
MUSCLES = {"semimembranosus": "semimem_r", "semitendinosus": "semiten_r", "biceps_femoris_lh": "bflh_r"}
HIPS = range(-20, 121, 10)
KNEES = range(0, 141, 10)


def main(model_path: str) -> None:
    import numpy as np
    import opensim as osim

    model = osim.Model(model_path)
    state = model.initSystem()
    coords = model.getCoordinateSet()

    def pose(hip: float, knee: float) -> None:
        for i in range(coords.getSize()):
            c = coords.get(i)
            if not c.getLocked(state):
                c.setValue(state, 0.0, False)
        coords.get("hip_flexion_r").setValue(state, math.radians(hip), False)
        coords.get("knee_angle_r").setValue(state, math.radians(knee), False)
        model.assemble(state)
        model.realizePosition(state)

    pose(0.0, 0.0)
    joints = model.getJointSet()
    hip_c = joints.get("hip_r").getChildFrame().getPositionInGround(state).to_numpy()
    knee_c = joints.get("walker_knee_r").getChildFrame().getPositionInGround(state).to_numpy()
    thigh_mm = 1000.0 * float(np.linalg.norm(hip_c - knee_c))
    muscles = model.getMuscles()
    rows = []
    for hip in HIPS:
        for knee in KNEES:
            pose(hip, knee)
            got = (math.degrees(coords.get("hip_flexion_r").getValue(state)), math.degrees(coords.get("knee_angle_r").getValue(state)))
            assert abs(got[0] - hip) < 0.01 and abs(got[1] - knee) < 0.01, (hip, knee, got)
            rows.append([hip, knee] + [1000.0 * muscles.get(n).getLength(state) for n in MUSCLES.values()])
    head = [
        "# Hamstring musculotendon lengths (mm) of OpenSim's RajagopalLaiUhlrich2023 model "
        "(Rajagopal et al. 2016; Lai et al. 2017; Uhlrich et al. 2022), right leg, OpenSim "
        f"{osim.__version__}; every other coordinate 0.",
        f"# model_thigh_mm,{thigh_mm:.1f}",
        "# made by tools/tabulate_opensim_hamstrings.py",
        "hip_flexion_deg,knee_flexion_deg," + ",".join(f"{m}_mm" for m in MUSCLES),
    ]
    body = [f"{h},{k}," + ",".join(f"{v:.2f}" for v in vals) for h, k, *vals in rows]
    OUT.write_text("\n".join(head + body) + "\n", encoding="utf-8")
    print(f"{len(rows)} postures written to {OUT.name}; model thigh {thigh_mm:.1f} mm")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
