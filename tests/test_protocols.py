"""The protocols (neuralsim/protocols.py): the slump test, the straight-leg raise, forward bends and the
femoral protocols, step by step, with the lengths each step must change."""
import math

import numpy as np
import pytest

import neuralsim as ns
from neuralsim.state import analysis
from neuralsim.model import protocols
from neuralsim.core.parameters import value as P

HAMSTRINGS = ns.HAMSTRINGS
rad = math.radians


def test_slump_seed_order_and_names():
    names = [n for n, _ in protocols.SLUMP_SEED]
    assert names == ["sit, feet off the ground", "slump, arms behind, look ahead", "extend one knee",
                     "look down", "dorsiflex the ankle", "look up"]


def test_slump_bed_rises_then_falls_at_look_up_while_hamstrings_change_only_at_the_knee():
    steps = protocols.SLUMP_SEED
    beds = [ns.nerve_bed_length(p) for _, p in steps]
    ham = {m: [ns.muscle_length(p, m) for _, p in steps] for m in HAMSTRINGS}
    rises = np.diff(beds)
    assert rises[0] > 0        # slump
    assert rises[1] > 0        # extend one knee
    assert rises[2] > 0        # look down
    assert rises[3] > 0        # dorsiflex
    assert rises[4] < 0        # look up
    for m in HAMSTRINGS:
        d = np.diff(ham[m])
        assert d[1] > 0                              # knee extension stretches the hamstrings
        assert np.all(d[[0, 2, 3, 4]] == 0.0)       # nothing else changes them


def test_looking_up_changes_the_nerve_not_the_hamstrings():
    _, end = protocols.SLUMP_SEED[4]
    _, up = protocols.SLUMP_SEED[5]
    c = ns.bed_contributions(up, reference=end)
    assert c["cervical_flexion"] < 0
    assert all(v == 0 for j, v in c.items() if j != "cervical_flexion")


def test_classic_order_reaches_the_same_tension_before_release():
    seed_df = dict(protocols.SLUMP_SEED)["dorsiflex the ankle"]
    classic_df = dict(protocols.SLUMP_CLASSIC)["dorsiflexion"]
    assert seed_df.replace(cervical_flexion=45) == classic_df.replace(cervical_flexion=45)
    classic = [ns.nerve_bed_length(p) for _, p in protocols.SLUMP_CLASSIC]
    assert np.all(np.diff(classic)[:4] > 0) and np.diff(classic)[4] < 0


def test_forward_bend_hip_hinge_vs_spinal_flexion():
    """Hinging changes the hamstrings a lot; rounding the spine loads the nerve more for the same hip angle."""
    hinge = protocols.FORWARD_BEND_HIP_HINGE[-1].posture
    round_ = protocols.FORWARD_BEND_SPINAL[-1].posture
    st_hinge = ns.muscle_length(hinge, "semitendinosus") - ns.muscle_length(ns.Posture(), "semitendinosus")
    st_round = ns.muscle_length(round_, "semitendinosus") - ns.muscle_length(ns.Posture(), "semitendinosus")
    assert st_hinge > 2 * st_round
    spine = ns.bed_contributions(round_)
    assert spine["cervical_flexion"] + spine["thoracic_flexion"] + spine["lumbar_flexion"] > 0.5 * spine["hip_flexion"]


def test_slr_sensitisers_each_add_length():
    beds = [ns.nerve_bed_length(p) for _, p in protocols.SLR_SENSITISERS]
    assert np.all(np.diff(beds) > 0)


def test_prone_knee_bend_and_slump_knee_bend_step_by_step():
    d_h, d_k, d_c = P("femoral_offset_hip"), P("femoral_offset_knee"), P("nerve_offset_cervical")
    rows = analysis.step_table("prone_knee_bend")
    assert rows[0]["nerve"] == "femoral" and rows[0]["group"] == "quadriceps"
    assert [r["change_mm"] for r in rows] == pytest.approx([0.0, d_k * rad(90), d_k * rad(30), d_h * rad(15)])
    assert [r["quadriceps_change_mm"] for r in rows] == pytest.approx(
        [0.0, P("rectus_femoris_knee") * rad(90), P("rectus_femoris_knee") * rad(30), P("rectus_femoris_hip") * rad(15)])
    rows = analysis.step_table("slump_knee_bend")
    # neck release: the bed shortens by d_c x 40 deg; no muscle of any group moves
    assert rows[-1]["change_mm"] == pytest.approx(-d_c * rad(40))
    assert all(rows[-1][f"{g}_change_mm"] == 0.0 for g in ("hamstrings", "calf", "quadriceps"))
    diff = analysis.neck_differentiation(protocols.SLUMP_KNEE_BEND[2].posture, 40, 0, nerve="femoral")
    assert diff["nerve_mm"] == pytest.approx(-d_c * rad(40)) and diff["rectus_femoris_mm"] == 0.0
    assert protocols.get("prone_knee_bend").view == "prone"
    assert protocols.get("slump_knee_bend").view == "side_lying"
