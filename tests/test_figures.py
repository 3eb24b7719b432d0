"""classroom/figures.py: the notebooks' figures compute with the model and hand the view what it
draws.  Expected values by hand from parameters.csv (a bed crossing the hip 41 mm behind its
centre lengthens by 41 mm x the flexion in radians)."""
import math
import re

import pytest

import neuralsim as ns
from neuralsim.classroom import figures

RAISE = ns.Posture(hip_flexion=60)
WRAP = ns.DEFAULT_BODY.offset("nerve_offset_hip") * math.radians(60)      # 42.9 mm


def test_the_description_words_the_posture_s_lengths():
    standing = ns.nerve_bed_length(ns.Posture())
    text = figures.describe(RAISE)
    assert f"Nerve bed {standing + WRAP:.0f} mm, {100 * WRAP / standing:+.1f} % against standing." in text
    assert "hip flexion 60 deg" in text and text.startswith("Standing view of a 1.75 m body.")
    # the same words are the picture's <desc>
    assert "<desc id=\"ns-desc-" in figures.posture_svg(RAISE) and text in figures.posture_svg(RAISE)


def test_the_strain_halo_is_computed_for_a_nerve_the_mechanics_models_only():
    halo = re.compile(r'class="neuralsim-strain"')
    assert halo.search(figures.posture_svg(RAISE))                         # the sciatic: mechanics
    assert not halo.search(figures.posture_svg(RAISE, strain=None))
    assert not halo.search(figures.posture_svg(ns.Posture(knee_flexion=90), view="prone", nerve="femoral"))
    assert figures.strain_result(RAISE, nerve="femoral") is None


def test_the_protocol_strip_captions_each_step_s_change():
    # the slump's third step straightens the knee from 90 deg: the bed behind it unfolds by
    # 2 x offset x tan(45 deg) = 2 x the knee's offset
    page = figures.protocol_strip("slump").svg
    changes = [float(v) for v in re.findall(r"bed ([-+][\d.]+) mm, now", page)]
    assert len(changes) == len(ns.protocols.SLUMP_SEED)
    assert changes[0] == 0.0
    assert changes[2] == pytest.approx(2 * ns.DEFAULT_BODY.offset("nerve_offset_knee"), abs=0.05)


def test_an_unknown_view_is_refused_naming_the_views():
    with pytest.raises(ValueError, match="standing"):
        figures.posture_svg(RAISE, view="upside_down")
