"""The evidence comparisons (neuralsim/evidence.py): published figures as data, every model value computed,
comparisons apart from inputs, known misses as strict xfails."""
import csv
import math
import re
from importlib import resources

import pytest

import neuralsim as ns
from neuralsim.model import protocols
from neuralsim.evidence import comparisons, core_rows


def test_core_evidence_rows_are_within_or_explained():
    rows = core_rows()
    assert len(rows) >= 12
    for r in rows:
        assert set(r) >= {"quantity", "published", "low", "high", "unit", "model", "within", "source", "status", "limitation"}
        if r["within"]:
            assert r["limitation"] == ""
        else:
            assert len(r["limitation"]) > 40, r["quantity"]


def test_structural_differentiation_direction():
    """Neck flexion leaves less knee extension before the bed reaches a set length; DF and IR add to it."""
    from neuralsim.evidence import knee_angle_at_onset
    slumped = protocols.SLUMP_CLASSIC[1].posture
    onset = ns.nerve_bed_length(slumped.replace(knee_flexion=20))
    flexed = knee_angle_at_onset(slumped.replace(cervical_flexion=45), onset)
    extended = knee_angle_at_onset(slumped.replace(cervical_flexion=-30), onset)
    assert flexed > 20 > extended
    df = knee_angle_at_onset(slumped.replace(cervical_flexion=45, ankle_dorsiflexion=15), onset)
    ir = knee_angle_at_onset(slumped.replace(cervical_flexion=45, ankle_dorsiflexion=15, hip_internal_rotation=20), onset)
    assert ir > df > flexed


# -- evidence as data ---------------------------------------------------------------------------------------

from functools import lru_cache                     # noqa: E402

from neuralsim import evidence                      # noqa: E402


@lru_cache(maxsize=None)
def _rows(height_m=1.75):
    return {r["key"]: r for r in comparisons(ns.Body(height_m))}


def test_evidence_file_is_complete_and_every_row_has_a_model_function():
    text = resources.files("neuralsim").joinpath("data/evidence.csv").read_text()
    rows = list(csv.DictReader(text.splitlines()))
    assert len(rows) == len(evidence.EVIDENCE) >= 30
    keys = [r["model"] for r in rows]
    assert len(set(keys)) == len(keys) and set(keys) == set(evidence.MODEL_QUANTITIES)
    for r in rows:
        assert r["quantity"] and r["published"] and r["unit"] and r["source"] and r["conditions"], r
        assert r["status"] in ("confirmed", "partly", "check", "confirmed (direction only)"), r
        assert r["kind"] in ("comparison", "input") and r["check"] in ("range", "at_least", "direction", "none"), r
        if r["check"] in ("range", "at_least"):
            assert r["low"] != "", r
        if r["check"] == "range":
            assert float(r["low"]) <= float(r["high"]), r
        assert len(r["limitation"]) > 30, r


def test_no_model_number_is_typed_into_the_evidence_prose():
    """Every number in a limitation text is a published figure or a test condition of the file: model
    numbers come in through {placeholders} computed by the model function."""
    published = " ".join(r["published"] + " " + r["quantity"] + " " + r["conditions"] for r in evidence.EVIDENCE)
    known = set(re.findall(r"(?<![\w.])\d+(?:\.\d+)?(?![\w])", published))
    for r in evidence.EVIDENCE:
        template = re.sub(r"\{[^}]*\}", "", r["limitation"])
        for num in re.findall(r"(?<![\w.])\d+(?:\.\d+)?(?![\w])", template):
            assert num in known, (r["model"], num, r["limitation"])


def test_comparisons_use_the_body_they_are_given():
    tall, short = _rows(1.75), _rows(1.5)
    scale = 1.5 / 1.75
    # the hip wrap scales with height: 41 mm x scale x pi/2 (by hand)
    assert short["bed_change_hip_90"]["model"] == pytest.approx(41 * scale * math.pi / 2, rel=1e-9)
    # mechanics rows too, so rows computed for the default body whatever the body cannot pass; excursions
    # scale with height, while strains (alshami_ankle) are ratios of lengths that all scale, so nearly not
    for key in ("ridehalgh_hip30", "smith_root_excursion", "slider_in_vivo"):
        assert short[key]["model"] != pytest.approx(tall[key]["model"], rel=1e-3), key
    # the Ridehalgh excursion comes from the knee's fold, which scales with height
    assert short["ridehalgh_hip30"]["model"] < tall["ridehalgh_hip30"]["model"]


def test_summary_counts_comparisons_apart_from_inputs():
    rows = list(_rows().values())
    comp = [r for r in rows if r["kind"] == "comparison" and r["check"] != "none"]
    n = sum(r["within"] for r in comp)
    s = evidence.summary(rows)
    assert (s["within"], s["comparisons"]) == (n, len(comp))
    assert s["text"].startswith(f"{n} of {len(comp)} comparisons within")
    # not compared: Hawkins & Hull (coefficients not seen), Ridehalgh 2015 (no number), Buehler & Thayer
    # (symptoms in people)
    assert s["inputs"] == sum(r["kind"] == "input" for r in rows) and s["not_compared"] == 3
    from neuralsim.evidence import format_comparisons
    text = format_comparisons(rows)
    assert text.index("COMPARISONS") < text.index("INPUTS") and text.rstrip().endswith(s["text"])


# Known misses against published data: strict xfail, so a model that comes inside the range shows up.
KNOWN_MISSES = {
    "thigh_over_shank": "the model follows Winter's fractions (thigh about as long as the shank), not Delp's generic model",
    "alshami_order": "the ankle's strain is set by the tarsal tunnel's hold, which no pre-position changes; a nerve "
                     "taken beyond its toe is stiffer and strains less for the same dorsiflexion",
    "boyd_prepositioning": "the hip's pre-tension leaves the leg's nerve in its toe, so hip and ankle add linearly; "
                           "a nerve beyond its toe carries the ankle's pull further, moving more, not less",
    **{k: "the model's slider, knee extension alone and tensioner move the nerve at mid-thigh within 0.2 mm of each "
          "other, under the published measurement error of excursion by ultrasound, so no direction is shown"
       for k in ("slider_tensioner_excursion_ratio", "slider_in_vivo", "ellis_slider")},
    "wall_relaxation": "the relaxation taken from rat sciatic nerve in compression (Chen et al. 2010) relaxes 53-54 % "
                       "in 1 h, more than the 34-48 % Wall et al. measured in tension (not tuned to it)",
    "knee_extension_hip90": "from the supine hip-90 start the knee stops about 51 deg short (accepted 21-49): the cited "
                            "moment arms, larger at the hip than at the knee, give a knee-to-hip lever ratio of "
                            "0.35-0.72; about 0.9 deg of extra pelvic tilt would land it, but no published "
                            "measurement gives the knee test more tilt than the raise; a pointed foot would "
                            "land it too (49.1), but Kuilart's ankle position is not in the source seen",
}
_COMPARED = [r["model"] for r in evidence.EVIDENCE if r["kind"] == "comparison" and r["check"] != "none"]


@pytest.mark.parametrize("key", [pytest.param(k, marks=pytest.mark.xfail(strict=True, reason=KNOWN_MISSES[k]))
                                 if k in KNOWN_MISSES else k for k in _COMPARED])
def test_model_lies_within_each_published_figure(key):
    row = _rows()[key]
    assert row["within"], (key, row["model"], row["low"], row["high"])


@pytest.mark.parametrize("key", [r["model"] for r in evidence.EVIDENCE if r["kind"] == "input"])
def test_each_input_matches_the_figure_it_was_set_from(key):
    row = _rows()[key]
    assert row["within"] and row["limitation"] == "", (key, row["model"])


def test_a_miss_states_its_limitation_with_computed_numbers():
    row = _rows()["thigh_over_shank"]
    thigh, shank = ns.Body().segment("thigh"), ns.Body().segment("shank")
    assert row["model"] == pytest.approx(thigh / shank, rel=1e-12)
    assert f"{thigh:.0f} mm" in row["limitation"] and f"{shank:.0f} mm" in row["limitation"]
    assert row["low"] < 0.396 / 0.426 < row["high"]
    hh = _rows()["hawkins_hull"]
    assert hh["model"] is None and not hh["within"] and "not seen" in hh["limitation"]


def test_a_difference_below_the_measurement_error_is_never_within():
    """The slider, knee-alone and tensioner rows rest on differences of mid-thigh excursion; each is within
    only if its difference is at least the smallest published SEM of sciatic excursion by ultrasound
    (Ridehalgh et al. 2012: 0.69 and 0.87 mm; Ellis et al. 2008: 0.79 mm)."""
    from neuralsim.core.parameters import PARAMETERS
    from neuralsim.evidence.experiments import slider_tensioner
    from neuralsim.mechanics import nerve_model
    err = PARAMETERS["evidence_excursion_error_mm"]
    assert err.value == min(0.69, 0.87, 0.79) and err.unit == "mm"
    assert all(x in err.source for x in ("0.69", "0.87", "0.79", "Ridehalgh", "Ellis"))
    st = slider_tensioner(nerve_model())
    sl, kn, te = (st[k]["excursion_mm"] for k in ("slider", "knee alone", "tensioner"))
    steps = {"slider_tensioner_excursion_ratio": [sl - te], "slider_in_vivo": [sl - kn, kn - te],
             "ellis_slider": [sl - max(kn, te)]}
    rows = _rows()
    for key, diffs in steps.items():
        r = rows[key]
        assert r["met"] == all(d > 0 for d in diffs), key
        assert r["resolved"] == (min(diffs) >= err.value), key
        assert r["within"] == (r["met"] and r["resolved"]), key
        if not r["within"]:
            assert f"{min(diffs):.2f} mm" in r["limitation"] and f"{err.value:g} mm" in r["limitation"], key
    # rows with no excursion difference are judged on their range or direction alone
    assert all(r["resolved"] for k, r in rows.items() if k not in steps and k != "coppieters_direction")
    s = evidence.summary(list(rows.values()))
    comp = [r for r in rows.values() if r["kind"] == "comparison" and r["check"] != "none"]
    assert s["met"] == sum(r["met"] for r in comp) >= s["within"]
    if s["met"] != s["within"]:
        assert f"({s['met']} if model differences below the measurement error counted)" in s["text"]


def test_the_stuck_nerve_is_a_teaching_hypothesis_beside_what_was_found_in_people():
    """Ridehalgh et al. 2015: sciatic excursion in people with spinally referred leg pain (radiculopathy
    included) no different from asymptomatic people; the row says so and compares no number."""
    r = _rows()["ridehalgh_leg_pain"]
    assert r["check"] == "none" and r["model"] is None and not r["within"]
    assert "Ridehalgh" in r["source"] and "2015" in r["source"] and "no significant difference" in r["published"]
    assert "teaching hypothesis" in r["limitation"] and "radiculopathy" in r["limitation"]
