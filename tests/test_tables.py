"""tables.show: what a student reads instead of a dict or a list of tuples."""
import math

import neuralsim as ns
from neuralsim import analysis, evidence, tables


def test_plain_column_names_with_units():
    assert tables.column_label("nerve_mm") == "nerve bed (mm)"
    assert tables.column_label("semitendinosus_mm") == "semitendinosus (mm)"
    assert tables.column_label("biceps_femoris_lh_mm") == "biceps femoris, long head (mm)"
    assert tables.column_label("hip_deg@1.04") == "hip at 1.04 (°)"
    assert tables.column_label("strain_rise_pct") == "rise of peak strain (%)"
    assert tables.column_label("something_new") == "something new"      # an unknown column still reads


def test_cells():
    assert [tables.cell_text(v) for v in (True, False, None, math.nan, 3, -0.04, 2.25, "hip_flexion", "look up")] \
        == ["yes", "no", "–", "–", "3", "0.0", "2.2", "hip flexion", "look up"]
    assert tables.cell_text(2.6, signed=True) == "+2.6" and tables.cell_text(-0.01, signed=True) == "0.0"


def test_joint_table_has_no_code_names_and_html_is_escaped():
    t = tables.show(analysis.joint_effects(step_deg=10))
    text, html = repr(t), t._repr_html_()
    assert not any(j in text or j in html for j in ns.JOINTS)
    assert "neck flexion" in html and "<th scope='col'" in html
    assert "&lt;b&gt;" in tables.show([{"note": "<b>"}])._repr_html_()


def test_evidence_table_renders_every_row_it_is_given():
    rows = evidence.comparisons()
    t = tables.show(rows, columns=[k for k in rows[0] if k not in ("low", "high")])
    head, *body = t.cells()
    assert len(body) == len(rows) and "within the published range?" in head and "why the model differs" in head
    assert sum(r[head.index("within the published range?")] == "yes" for r in body) == sum(r["within"] for r in rows)
    assert t._repr_html_().count("<tr>") == len(rows) + 1


def test_one_dict_is_one_row():
    t = tables.show({"nerve_mm": -22.70007, "semitendinosus_mm": 0.0})
    assert t.cells() == [["nerve bed (mm)", "semitendinosus (mm)"], ["-22.7", "0.0"]]
