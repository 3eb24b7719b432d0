"""Regression, found in Chromium: the slider's float-rounded echo after a preset.

After the kernel set the knee slider to 0 for a preset, the browser's slider sent
back 8.9e-16, and the explorer treated it as a new move ("Knee bent to
8.88178e-16°", +0 mm), hiding what the preset did.  Without a browser: replay
that echo and check that the preset's line and numbers stay.
"""
import neuralsim as ns
from neuralsim.classroom.widgets import Explorer


def test_float_echo_of_a_preset_is_not_a_new_move():
    ex = Explorer("slump", posture=ns.protocols.SITTING)
    ex.presets["neutral (standing)"].click()
    line = ex.text.value
    assert "Preset 'neutral (standing)'" in line
    ex.sliders["knee_flexion"].value = 8.881784197001252e-16  # what Chromium sent back
    assert ex.text.value == line
    assert ex.posture.knee_flexion == 0.0
    # a real one-degree move is still reported, with the library's numbers
    ex.sliders["knee_flexion"].value = 1.0
    before, after = ns.Posture(), ns.Posture(knee_flexion=1.0)
    d = ns.nerve_bed_length(after) - ns.nerve_bed_length(before)
    assert "Knee bent to 1°" in ex.text.value
    # a degree of knee flexion folds the bed by 2 x 25 mm x tan(0.5 deg), about 0.44 mm: shown rounded
    # to the millimetre, as +0 (never -0)
    assert -0.5 < d < 0 and "nerve bed +0 mm" in ex.text.value
