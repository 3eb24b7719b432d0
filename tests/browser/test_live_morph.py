"""The live widget's browser side changes the page in place, and the page then shows exactly the
HTML the explorer's parts make.

``neuralsim.classroom.widgets._LIVE_ESM`` builds the figure from its parts (the ``<svg>`` opening
tag, the parts inside it, the panel under it); an update carries only the parts that changed, and
they are parsed off the page (together, once the message's parts have all arrived) and changed in
place (attributes, text, elements whose tag differs).
Here its ``render`` runs in Chromium on a stand-in for the widget's model (``get``, ``on``, ``off``;
a message sets its parts, then fires ``change:<part>`` for each, as Backbone does) that is given
the messages the explorer really sends (slider moves, protocol steps, other views and nerves, a
patient mode, a body change), one after another; after each, the content must equal
(``isEqualNode``: the same nodes, attributes and text) the explorer's whole ``live.value`` parsed
afresh into an empty element; the figure's SVG element stays the same node throughout, and a
part no message touched keeps its nodes.  No Jupyter server is needed.
"""
from __future__ import annotations

import random

import pytest

from neuralsim.model.protocols import SITTING
from neuralsim.classroom import widgets
from neuralsim.classroom.widgets import _LIVE_ESM, Explorer

pytestmark = pytest.mark.browser


def _module_source() -> str:
    """The live widget's browser module as a plain script: ``render`` on ``window``."""
    assert _LIVE_ESM.rstrip().endswith("export default { render, morph };")
    return _LIVE_ESM.replace("export default { render, morph };", "window.__render = render;")


def _parts(live) -> dict:
    return {k: v for k, v in live.get_state().items() if k.startswith("part_")}


def _messages(monkeypatch) -> tuple[dict, list[tuple[dict, str]]]:
    """The first explorer's parts, then ``(state sent, live.value after it)`` in the order the
    explorers send them, over many kinds of change.  Moving to another explorer's widget is a
    message with all its parts (what a page showing that one would hold)."""
    rng = random.Random(7)
    sent: list = []
    real = widgets.w.Widget._send

    def record(self, msg, buffers=None):
        if msg.get("method") == "update" and any(k.startswith("part_") for k in msg["state"]):
            sent.append(msg["state"])
        return real(self, msg, buffers)

    ex = Explorer("slump", posture=SITTING)
    first = {"order": list(ex.live.order), **_parts(ex.live)}
    monkeypatch.setattr(widgets.w.Widget, "_send", record)
    out: list = []

    def took(live) -> None:
        assert len(sent) <= 1, "one message per change"
        out.append((sent.pop() if sent else {}, live.value))

    for joint in ("knee_flexion", "cervical_flexion", "ankle_dorsiflexion", "hip_flexion", "lumbar_flexion"):
        s = ex.sliders[joint]
        for _ in range(3):
            s.value = float(round(rng.uniform(s.min, s.max)))
            took(ex.live)
    for _ in range(3):
        ex.next_button.click()
        took(ex.live)
    ex.protocol_select.value = "prone_knee_bend"         # another nerve and view
    took(ex.live)
    ex.next_button.click()
    took(ex.live)
    ex.protocol_select.value = "slr"                     # supine
    took(ex.live)
    ex.height.value = 1.55                               # another body
    took(ex.live)
    from neuralsim.classroom.clinic import PatientExplorer
    pe = PatientExplorer()
    ex2 = pe.explorer
    sent.clear()
    out.append((_parts(ex2.live), ex2.live.value))       # a patient line above the gauges, marks on the body
    s = ex2.sliders["knee_flexion"]
    for v in (60.0, 30.0, 0.0):
        s.value = v
        took(ex2.live)
    fem = Explorer("prone_knee_bend")                    # the femoral nerve: no strain halo
    sent.clear()
    out.append((_parts(fem.live), fem.live.value))
    fem.sliders["knee_flexion"].value = 100.0
    took(fem.live)
    out.append((_parts(ex.live), ex.live.value))         # back to the first: a halo again, under the muscles
    return first, out


def test_parts_change_the_page_to_exactly_the_explorers_html_and_keep_unchanged_nodes(page, monkeypatch):
    pg, log = page
    pg.set_content('<div id="el"></div><div id="ref"></div>')
    pg.add_script_tag(content=_module_source())
    first, messages = _messages(monkeypatch)
    assert len(messages) > 20 and len({v for _m, v in messages}) > 15
    # a stand-in for the anywidget model: its parts, and change handlers fired per changed part
    pg.evaluate("""(state) => {
        const handlers = {};
        window.__model = {state, get: (k) => window.__model.state[k],
                          on: (e, f) => (handlers[e] = handlers[e] || []).push(f),
                          off: (e, f) => { handlers[e] = (handlers[e] || []).filter((g) => g !== f); },
                          send: (msg) => { Object.assign(window.__model.state, msg);
                                           for (const k of Object.keys(msg)) (handlers['change:' + k] || []).forEach((f) => f()); }};
        window.__render({model: window.__model, el: document.getElementById('el')});
        window.__fig = document.querySelector('#el svg.neuralsim-posture');
    }""", first)
    untouched = 0
    for i, (msg, value) in enumerate(messages, 1):
        got = pg.evaluate("""async ([msg, v]) => {
            const box = document.querySelector('#el > .widget-html-content');
            const head = box.querySelector('svg.neuralsim-posture .neuralsim-head');
            window.__model.send(msg);
            await Promise.resolve();          // the parts are applied together, in a microtask
            const ref = document.getElementById('ref');
            ref.innerHTML = v;
            const fig = box.querySelector('svg.neuralsim-posture');
            // the same nodes, attributes (in any order) and text as the explorer's HTML parsed afresh
            const a = box.childNodes, b = ref.childNodes;
            const equal = a.length === b.length && Array.from(a).every((x, k) => x.isEqualNode(b[k]));
            return {equal, same: fig === window.__fig,
                    headKept: head !== null && head === box.querySelector('svg.neuralsim-posture .neuralsim-head')};
        }""", [msg, value])
        assert got["equal"], f"message {i} ({sorted(msg)}): the page differs from the explorer's HTML"
        assert got["same"], f"message {i}: the figure's SVG element was replaced"
        if "part_head" not in msg:
            assert got["headKept"], f"message {i}: the head was not sent but its nodes were replaced"
            untouched += 1
    assert untouched >= 5                        # moves below the neck leave the head as it was
    assert any("part_head" in m for m, _v in messages)
    assert any(m.get("part_halo") == "" for m, _v in messages) and messages[-1][0]["part_halo"]
    assert log.errors == []
