"""tables.show: what a student reads instead of a dict or a list of tuples."""
import math

import neuralsim as ns
from neuralsim import evidence
from neuralsim.state import analysis
from neuralsim.view import tables


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
    assert [tables.cell_text(v, None) for v in (0.99812, 8.71, 43.04, 1683.4, -0.0001)] == \
        ["0.998", "8.71", "43.0", "1683", "0.000"]


def test_joint_table_has_no_code_names_and_html_is_escaped():
    t = tables.show(analysis.joint_effects(step_deg=10))
    text, html = repr(t), t._repr_html_()
    assert not any(j in text or j in html for j in ns.JOINTS)
    assert "neck flexion" in html and "<th scope='col'" in html
    assert "&lt;b&gt;" in tables.show([{"note": "<b>"}])._repr_html_()


def test_evidence_tables_render_every_row_they_are_given():
    rows = evidence.comparisons()
    shown = tables.show_evidence(rows)
    assert [t.caption.split(":")[0] for t in shown.tables] == ["Comparisons", "Inputs"]
    assert sum(len(t.rows) for t in shown.tables) == len(rows)
    assert len(shown.tables[0].rows) == sum(r["kind"] == "comparison" for r in rows)
    head, *body = shown.tables[0].cells()
    assert "within the published range?" in head and "why the model differs" in head
    not_compared = [r for r in body if r[head.index("model")] == "–"]
    assert not_compared and all(r[head.index("within the published range?")] == "not compared" for r in not_compared)
    assert "key" not in shown.tables[0].columns and "check" not in shown.tables[0].columns
    assert sum(r[head.index("within the published range?")] == "yes" for r in body) == \
        sum(r["within"] for r in rows if r["kind"] == "comparison")
    assert shown._repr_html_().count("<tr>") == len(rows) + 2
    # a row made by hand without a kind, with a new column, still shows
    extra = tables.show_evidence([{"quantity": "q", "model": 1.0, "within": True, "new_col_mm": 2.0}])
    assert extra.tables[0].cells()[0] == ["what is compared", "model", "within the published range?", "new col (mm)"]


def test_one_dict_is_one_row():
    t = tables.show({"nerve_mm": -22.70007, "semitendinosus_mm": 0.0})
    assert t.cells() == [["nerve bed (mm)", "semitendinosus (mm)"], ["-22.7", "0.0"]]


def test_a_parameter_source_on_a_students_page_keeps_the_citation_not_the_projects_remarks():
    import re
    from neuralsim.core import parameters
    from neuralsim.view import tables
    # by hand: the remarks go, the citation and the reasoning stay
    assert tables.source_text("Lundborg & Rydevik 1973, J Bone Joint Surg Br 55:390-401 (rabbit; quoted widely, "
                              "not read in the source: status 'check' in data/evidence.csv)") == \
        "Lundborg & Rydevik 1973, J Bone Joint Surg Br 55:390-401 (rabbit)"
    assert tables.source_text("Ward, Eng, Smallwood & Lieber 2009, Clin Orthop Relat Res 467(4):1074-82; value as "
                              "recalled from its table, not re-read") == \
        "Ward, Eng, Smallwood & Lieber 2009, Clin Orthop Relat Res 467(4):1074-82"
    assert tables.source_text("range of Alshami et al. 2008 (J Appl Biomech 24(4):368-76; tested in "
                              "tests/test_mechanics.py), so") == "range of Alshami et al. 2008 (J Appl Biomech 24(4):368-76), so"
    cite = re.compile(r"[A-Z][a-z]+(?: et al\.| & [A-Z][a-z]+)?,? (?:19|20)\d\d")
    shown = tables.parameter_rows(parameters.table())
    for raw, row in zip(parameters.table(), shown):
        text = row["source"]
        assert not re.search(r"tests/|data/|\.py\b|\.csv\b|re-read|recalled", text), (row["name"], text)
        assert cite.findall(text) == cite.findall(raw["source"]), row["name"]      # every citation kept
        assert {k: v for k, v in row.items() if k != "source"} == {k: v for k, v in raw.items() if k != "source"}
