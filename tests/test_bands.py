"""The one strain-band scale: data with sources, shared by figure, plots and mechanics."""
import itertools
import math
import types

import numpy as np
import pytest
import xml.etree.ElementTree as ET

import neuralsim as ns
from neuralsim import mechanics
from neuralsim.mechanics import bands
from neuralsim.view import svg
from neuralsim.classroom import figures
from neuralsim import mechanics as me
from neuralsim.core.errors import OutOfRangeError
from neuralsim.core.parameters import PARAMETERS


def test_thresholds_are_the_published_figures_with_their_sources():
    # Lundborg & Rydevik 1973 (8 %, 15 %), Ogata & Naito 1986 (15.7 %): read off the papers' figures
    assert [b.lower_pct for b in bands.STRAIN_BANDS] == [0.0, 8.0, 15.0, 15.7]
    assert [b.upper_pct for b in bands.STRAIN_BANDS] == [8.0, 15.0, 15.7, math.inf]
    assert "Lundborg" in bands.STRAIN_BANDS[1].source and "Kwan" in bands.STRAIN_BANDS[1].source
    assert "Kwan" in bands.STRAIN_BANDS[2].source and "Ogata" in bands.STRAIN_BANDS[3].source
    # no band without a published threshold: the 0-8 % band says it is below the first one
    assert bands.STRAIN_BANDS[0].meaning.startswith("below the first published threshold")
    for b in bands.STRAIN_BANDS[1:]:
        assert any(p.value == b.lower_pct and p.name.startswith("strain_band_") for p in PARAMETERS.values())


def test_every_band_has_a_text_label_and_a_distinct_pattern():
    assert [b.range_label for b in bands.STRAIN_BANDS] == ["under 8 %", "8-15 %", "15-15.7 %", "from 15.7 %"]
    labels = [b.label for b in bands.STRAIN_BANDS]
    assert labels == ["under 8 %: below thresholds", "8-15 %: venous flow impaired",
                      "15-15.7 %: ischaemia", "from 15.7 %: blood flow stops"]
    assert len({b.pattern for b in bands.STRAIN_BANDS}) == len(bands.STRAIN_BANDS)


def test_the_modules_share_one_scale():
    assert svg.STRAIN_BANDS is bands.STRAIN_BANDS is mechanics.STRAIN_BANDS
    assert svg.strain_colour is bands.strain_colour is mechanics.strain_colour
    assert mechanics.strain_band is bands.strain_band


def test_figure_colour_and_mechanics_band_agree_from_0_to_25_pct_in_0_01_steps():
    strains = np.arange(0, 2501) / 100.0            # 0.00 ... 25.00 %, each exactly as written
    by_name = {b.name: b for b in bands.STRAIN_BANDS}
    names = mechanics.strain_band(strains)
    colours = svg.strain_colour(strains)
    # the band drawn for each strain, as the figure paints a nerve of uniform strain
    for pct, name, colour in zip(strains, names, colours):
        assert by_name[name].colour == colour
        assert by_name[name].lower_pct <= pct < by_name[name].upper_pct
        assert mechanics.strain_band(float(pct)) == name and svg.strain_colour(float(pct)) == colour
    # hand-checked edges
    want = {0.0: "low", 7.99: "low", 8.0: "venous flow impaired", 14.99: "venous flow impaired",
            15.0: "ischaemia, conduction at risk", 15.69: "ischaemia, conduction at risk",
            15.7: "blood flow stops", 25.0: "blood flow stops"}
    for pct, name in want.items():
        assert names[int(round(pct * 100))] == name


def _fake(pct):
    return types.SimpleNamespace(s_mm=np.linspace(0.0, 1600.0, 20), in_situ_strain_profile_pct=np.full(20, pct),
                                 cord_nodes=np.zeros(20, bool), root_nodes=np.zeros(20, bool),
                                 peak_nerve_in_situ_strain_pct=pct)


@pytest.mark.parametrize("pct", [0.0, 5.0, 7.99, 8.0, 12.0, 15.0, 15.2, 15.69, 15.7, 20.0])
def test_drawn_nerve_takes_the_mechanics_band_colour(pct):
    root = ET.fromstring(figures.posture_svg(ns.Posture(), strain=_fake(pct)))
    # the nerve itself stays blue; its strain is the halo drawn round it (class neuralsim-strain)
    strokes = {el.get("stroke") for el in root.iter("{http://www.w3.org/2000/svg}polyline")
               if el.get("class") == "neuralsim-strain"}
    band = {b.name: b for b in bands.STRAIN_BANDS}[mechanics.strain_band(pct)]
    assert strokes == {band.colour}
    text = ET.tostring(root, "unicode")
    assert band.range_label in text and band.label in text   # the legend names every band in words


# Machado, Oliveira & Fernandes 2009 (IEEE TVCG 15:1291), severity 1.0, linear sRGB
_CVD = {
    "protanopia": [[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216], [-0.003882, -0.048116, 1.051998]],
    "deuteranopia": [[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413], [-0.011820, 0.042940, 0.968881]],
    "tritanopia": [[1.255528, -0.076749, -0.178779], [-0.078411, 0.930809, 0.147602], [0.004733, 0.691367, 0.303900]],
}


def _lab(hex_colour, matrix):
    c = np.array([int(hex_colour[i:i + 2], 16) for i in (1, 3, 5)]) / 255.0
    lin = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    lin = np.clip(np.asarray(matrix) @ lin, 0.0, 1.0)
    xyz = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]]) @ lin
    xyz /= (0.95047, 1.0, 1.08883)
    f = np.where(xyz > (6 / 29) ** 3, np.cbrt(xyz), xyz / (3 * (6 / 29) ** 2) + 4 / 29)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def test_lab_conversion_by_hand():
    assert np.allclose(_lab("#FFFFFF", np.eye(3)), [100, 0, 0], atol=0.05)
    assert np.allclose(_lab("#000000", np.eye(3)), [0, 0, 0], atol=1e-9)
    # a deuteranope sees pure red and pure green nearly alike (the reason for this test)
    assert np.linalg.norm(_lab("#FF0000", _CVD["deuteranopia"]) - _lab("#00FF00", _CVD["deuteranopia"])) < 30


@pytest.mark.parametrize("vision", ["normal"] + list(_CVD))
def test_band_colours_stay_apart_under_colour_vision_deficiency(vision):
    m = np.eye(3) if vision == "normal" else _CVD[vision]
    labs = [_lab(b.colour, m) for b in bands.STRAIN_BANDS]
    # CIE76 distance of at least 30 between any two bands (about 13 just-noticeable steps), and each
    # band at least 40 from the white page
    assert min(np.linalg.norm(a - b) for a, b in itertools.combinations(labs, 2)) >= 30
    assert min(np.linalg.norm(a - _lab("#FFFFFF", m)) for a in labs) >= 40


@pytest.mark.parametrize("bad", [-0.01, float("nan"), float("inf"), [1.0, -2.0]])
def test_bad_strain_values(bad):
    with pytest.raises(OutOfRangeError, match="%") as e:
        bands.strain_band(bad)
    assert e.value.joint == "strain" and e.value.unit == "%" and e.value.range == (0.0, math.inf)


@pytest.mark.parametrize("bad", ["3", None, True, b"3", 3 + 0j, np.timedelta64(3, "D")])
def test_bad_strain_types(bad):
    with pytest.raises(TypeError, match="%"):
        bands.strain_colour(bad)


def test_array_shape_kept():
    assert bands.strain_band(np.zeros((2, 3))).shape == (2, 3)
    assert bands.strain_colour([[1.0], [9.0]]).tolist() == [["#56B4E9"], ["#E69F00"]]


# -- the scale as mechanics re-exports it ------------------------------------------------------------

def test_strain_bands_come_from_the_literature_with_caveat():
    assert [b.lower_pct for b in me.STRAIN_BANDS] == [0.0, 8.0, 15.0, 15.7]
    assert "Ogata" in me.STRAIN_BANDS[-1].source and "Lundborg" in me.STRAIN_BANDS[1].source
    assert "not clinical" in me.BAND_CAVEAT and "rabbit" in me.BAND_CAVEAT
    assert me.strain_band(0.0) == "low"
    assert me.strain_band(7.99) == "low"
    assert me.strain_band(8.0) == "venous flow impaired"
    assert me.strain_band(15.0) == "ischaemia, conduction at risk"
    assert me.strain_band(15.7) == "blood flow stops"
    assert list(me.strain_band([1, 10, 20])) == ["low", "venous flow impaired", "blood flow stops"]
    assert me.strain_colour(20.0) == "#000000"


@pytest.mark.parametrize("bad", [-0.1, float("nan"), float("inf")])
def test_strain_band_refuses_bad_input(bad):
    with pytest.raises(ValueError, match="%"):
        me.strain_band(bad)


@pytest.mark.parametrize("bad", ["3", None, True])
def test_strain_band_refuses_non_numbers(bad):
    with pytest.raises(TypeError, match="%"):
        me.strain_band(bad)


