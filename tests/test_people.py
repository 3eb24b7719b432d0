"""The evidence rows about people (neuralsim/evidence/people.py): computed through movement_limit, every row of
data/evidence.csv that names one of them has it, and each value is the one the limits tests derive."""
import math

import numpy as np
import pytest

from neuralsim import evidence
from neuralsim.evidence import people
from neuralsim.evidence.rows import EVIDENCE


def test_every_people_quantity_is_a_row_of_the_csv_and_computed():
    keys = set(people.QUANTITIES)
    assert {"slr_healthy_mean", "knee_extension_hip90", "ylinen_four_weeks"} <= keys
    assert keys <= {r["model"] for r in EVIDENCE}
    rows = {r["key"]: r for r in evidence.comparisons() if r["key"] in keys}
    assert set(rows) == keys
    assert rows["slr_neck_vs_dorsiflexion"]["within"]
    assert rows["ylinen_four_weeks"]["model"] == pytest.approx(17.0, abs=0.05)     # the 4 weeks' published gain


def test_the_sd_row_is_the_spread_of_the_mean_rows_people():
    mean = people.QUANTITIES["slr_healthy_mean"](None)
    assert people.QUANTITIES["slr_healthy_sd"](None)["value"] == mean["sd"]
    assert 8.0 <= mean["sd"] <= 25.0 and math.isfinite(mean["value"])


def test_the_pcsa_rows_are_the_parameters():
    from neuralsim.core.parameters import value
    for m in ("semimembranosus", "semitendinosus", "biceps_femoris_lh"):
        assert people.QUANTITIES[f"ward_pcsa_{m}"](None)["value"] == value(f"person_pcsa_{m}")


def test_healthy_people_are_the_neither_answers_of_the_seeded_class():
    from neuralsim.limits.cases import class_set
    n = sum(p.answer == "neither" for p in class_set(1, 200))
    assert np.asarray(people._healthy().height_m).shape == (n,) and n > 20
