"""The live widget's browser side changes the page in place, and the page then shows exactly the
HTML the explorer sent.

``neuralsim.classroom.widgets._LIVE_ESM`` parses each new value off the page and changes only what differs
(attributes, text, elements whose tag differs).  Here its ``render`` runs in Chromium on a
stand-in for the widget's model (``get``, ``on``) that is given the values the explorer really
sends (slider moves, protocol steps, other views and nerves, a patient mode, a body change), one
after another; after each, the content must equal (``isEqualNode``: the same nodes, attributes
and text) the same value parsed afresh into an empty element, and on slider moves the figure's
SVG element must stay the same node.  No Jupyter server is needed.
"""
from __future__ import annotations

import random

import pytest

from neuralsim.model.protocols import SITTING
from neuralsim.classroom.widgets import _LIVE_ESM, Explorer

pytestmark = pytest.mark.browser


def _module_source() -> str:
    """The live widget's browser module as a plain script: ``render`` on ``window``."""
    assert _LIVE_ESM.rstrip().endswith("export default { render };")
    return _LIVE_ESM.replace("export default { render };", "window.__render = render;")


def _values() -> list[str]:
    """Live values in the order an explorer sends them, over many kinds of change."""
    rng = random.Random(7)
    out: list[str] = []
    ex = Explorer("slump", posture=SITTING)
    out.append(ex.live.value)
    for joint in ("knee_flexion", "cervical_flexion", "ankle_dorsiflexion", "hip_flexion", "lumbar_flexion"):
        s = ex.sliders[joint]
        for _ in range(3):
            s.value = float(round(rng.uniform(s.min, s.max)))
            out.append(ex.live.value)
    for _ in range(3):
        ex.next_button.click()
        out.append(ex.live.value)
    ex.protocol_select.value = "prone_knee_bend"         # another nerve and view
    out.append(ex.live.value)
    ex.next_button.click()
    out.append(ex.live.value)
    ex.protocol_select.value = "slr"                     # supine
    out.append(ex.live.value)
    ex.height.value = 1.55                               # another body
    out.append(ex.live.value)
    from neuralsim.classroom.clinic import PatientExplorer
    pe = PatientExplorer()
    ex2 = pe.explorer
    out.append(ex2.live.value)                           # a patient line above the gauges
    s = ex2.sliders["knee_flexion"]
    for v in (60.0, 30.0, 0.0):
        s.value = v
        out.append(ex2.live.value)
    out.append("")                                       # emptied, then filled again
    out.append(ex.live.value)
    return out


def test_morph_leaves_exactly_the_sent_html_and_keeps_unchanged_nodes(page):
    pg, log = page
    pg.set_content('<div id="el"></div><div id="ref"></div>')
    pg.add_script_tag(content=_module_source())
    values = _values()
    assert len(values) > 20 and len(set(values)) > 15
    # a stand-in for the anywidget model: value, change handlers; render draws the first value
    pg.evaluate("""(v) => {
        const handlers = [];
        window.__model = {value: v, get: (k) => window.__model[k], on: (e, f) => handlers.push(f),
                          off: () => {}, set: (x) => { window.__model.value = x; handlers.forEach((f) => f()); }};
        window.__render({model: window.__model, el: document.getElementById('el')});
        window.__fig = document.querySelector('#el svg.neuralsim-posture');
    }""", values[0])
    kept = 0
    for i, v in enumerate(values[1:], 1):
        got = pg.evaluate("""(v) => {
            window.__model.set(v);
            const box = document.querySelector('#el > .widget-html-content'), ref = document.getElementById('ref');
            ref.innerHTML = v;
            const fig = box.querySelector('svg.neuralsim-posture');
            const same = fig !== null && fig === window.__fig;
            window.__fig = fig;
            // the same nodes, attributes (in any order) and text as the value parsed afresh
            const a = box.childNodes, b = ref.childNodes;
            const equal = a.length === b.length && Array.from(a).every((x, k) => x.isEqualNode(b[k]));
            return {equal, same};
        }""", v)
        assert got["equal"], f"value {i}: the changed content differs from the HTML sent"
        kept += got["same"]
    # a slider move changes attributes and text only: the figure's SVG element stays in the page
    assert kept >= len(values) // 2, f"the figure was rebuilt on {len(values) - 1 - kept} of {len(values) - 1} updates"
    assert log.errors == []
