"""``python -m neuralsim export DEST``: one self-contained HTML page per explorer, no server needed.

Each page carries, inline, the model in the page (``neuralsim/web/model.js``), its drawing
(``web/draw.js``) and controls (``web/page.js``, ``web/page.css``), and the data they read: the
library's own data files (``data/structures.json``, ``joints.csv``, ``parameters.csv``, as they
ship), and the tables the library draws from, read from :mod:`neuralsim.view.svg`,
:mod:`neuralsim.model.protocols` and the registry when the page is written (the silhouette of
every body height the page offers, colours, view boxes, the protocols' steps, the presets). So a
page changes when the data or the drawing code changes, on the next export, and holds no hand
copy of them.

A page opens from ``file://``, from any static web host and inside a learning platform's page
(an iframe or an uploaded file): nothing is fetched (its Content-Security-Policy allows no
request at all), and it needs no Python. What it shows and does is the notebook explorer's
(:class:`neuralsim.classroom.widgets.Explorer`) configured as in the course's notebooks: the
figure, gauges, text line, key, joints' bars where the notebook shows them, presets, protocol
steps, keys (n / p, f, Escape), presentation mode, touch, and the state in the link's fragment
(``#protocol=slr&step=3`` or the angles). What it does not do: the nerve's strain halo, the
holding time and the clinic's patients (the nerve mechanics and the stops do not run in the
page yet); the page's key says so.
"""
from __future__ import annotations

import json
import math
import os
from importlib import resources
from pathlib import Path
from types import SimpleNamespace
from typing import Any, Mapping

__all__ = ["EXPLORERS", "MAX_PAGE_BYTES", "export", "page_data", "page_html"]

#: The most a page may weigh (bytes): a phone on a school's network opens it at once.
MAX_PAGE_BYTES = 1_500_000


def _front_of_thigh_presets() -> dict:
    from ..model import protocols
    return {"lying prone": protocols.PRONE_KNEE_BEND[0].posture,
            "side-lying slump, hip extended": protocols.SLUMP_KNEE_BEND[2].posture}


#: file stem -> the explorer as the course's notebook makes it (protocol, protocols offered,
#: presets offered (labels of protocols.POSTURES, or a callable giving label -> posture), joint bars)
EXPLORERS: Mapping[str, Mapping[str, Any]] = {
    "forward-bend": {"title": "Forward bend: hip hinge or spinal flexion", "notebook": "01_hamstrings_or_nerve.ipynb",
                     "protocol": "hip_hinge", "protocols": ["hip_hinge", "spinal_bend"],
                     "presets": ["neutral (standing)", "sitting", "hip hinge", "toe touch by rounding"],
                     "joint_bars": True},
    "slump": {"title": "The slump test", "notebook": "02_slump_test.ipynb",
              "protocol": "slump", "protocols": ["slump", "slump_classic", "slump_release"],
              "presets": ["sitting", "slump end (look down, dorsiflex)", "slump end, looking up",
                          "slump end, neck flexed", "slump end, neck released"], "joint_bars": False},
    "straight-leg-raise": {"title": "The straight-leg raise", "notebook": "03_straight_leg_raise.ipynb",
                           "protocol": "slr", "protocols": ["slr"], "presets": ["straight-leg raise 60 deg"],
                           "joint_bars": True},
    "glides": {"title": "Nerve glides: sliders and tensioners", "notebook": "04_nerve_glides.ipynb",
               "protocol": "sciatic_glide",
               "protocols": ["sciatic_glide", "sciatic_slider", "sciatic_tensioner", "sciatic_knee_only"],
               "presets": ["sciatic slider end", "sciatic tensioner end"], "joint_bars": False},
    "front-of-thigh": {"title": "The front of the thigh: the femoral nerve", "notebook": "06_front_of_the_thigh.ipynb",
                       "protocol": "prone_knee_bend", "protocols": ["prone_knee_bend", "slump_knee_bend"],
                       "presets": _front_of_thigh_presets, "joint_bars": False},
}

#: The figure's height (px) at its natural size, as the notebook explorer draws it.
_HEIGHT_PX = 470


def _web(name: str) -> str:
    return (resources.files("neuralsim") / "web" / name).read_text(encoding="utf-8")


def _data(name: str) -> str:
    from ..core.data import DATA_DIR
    return (Path(DATA_DIR) / name).read_text(encoding="utf-8")


def _floats(x: Any) -> Any:
    """Nested lists of plain floats from numpy arrays and tuples (for JSON)."""
    if hasattr(x, "tolist"):
        return x.tolist()
    if isinstance(x, dict):
        return {k: _floats(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_floats(v) for v in x]
    return x


def _heights() -> list[float]:
    """The body heights the page offers (m): the model's range in the height slider's 0.01 m steps."""
    from ..core.body import HEIGHT_RANGE_M
    lo, hi = HEIGHT_RANGE_M
    return [round(lo + k / 100.0, 2) for k in range(int(round((hi - lo) * 100)) + 1)]


def drawing_data() -> dict:
    """What neuralsim/web/draw.js draws from, read from :mod:`neuralsim.view.svg` and the registry."""
    from ..core.body import Body
    from ..core.joints import LABELS
    from ..model import registry as _reg
    from ..model.geometry import VIEWS
    from ..view import svg
    from . import widgets

    reg = _reg.current()
    nerves = {}
    for n in reg.nerves:
        spec = reg.nerve(n)
        nerves[n] = {"label": spec.label, "contrast": spec.contrast, "contrast_over": bool(spec.contrast_over),
                     "figure_parts": list(spec.figure_parts or [])}
    muscles = {m: {"group": reg.muscles[m].group, "short": reg.muscles[m].figure_short,
                   "full": reg.muscles[m].figure_name, "label": reg.muscles[m].label, "in_front": svg._in_front(m)}
               for m in reg.muscles}
    return {
        "h_max_mm": svg._H_MAX_MM, "view_boxes": {v: list(svg.view_box(v)) for v in VIEWS},
        "view_order": list(widgets._VIEW_ORDER), "support": dict(svg._SUPPORT),
        "nerve_colour": svg.NERVE_COLOUR, "body_fill": svg.BODY_FILL, "body_outline": svg.BODY_OUTLINE,
        "support_fill": svg.SUPPORT_FILL, "nerve_width": svg.NERVE_WIDTH, "over_width": svg._OVER_WIDTH,
        "muscle_styles": {g: [c, w, list(d)] for g, (c, w, d) in svg.MUSCLE_STYLES.items()},
        "font_mm": svg._FONT_MM, "label_halo": svg._LABEL_HALO, "em": dict(svg._EM), "em_other": svg._EM_OTHER,
        "across_mm": svg._ACROSS_MM, "across_lean_deg": svg._ACROSS_LEAN, "stagger_mm": svg._STAGGER_MM,
        "stagger_steps": svg._STAGGER_STEPS, "support_gap_mm": svg._SUPPORT_GAP_MM, "head_sink_mm": svg._HEAD_SINK_MM,
        "gaze_from": svg._GAZE_FROM, "gaze_to": svg._GAZE_TO, "eyes_up_max_deg": svg.EYES_UP_MAX_DEG,
        "ref_h": svg._REF_H, "order": list(svg._ORDER), "gauge_range_pct": list(svg.GAUGE_RANGE_PCT),
        "label_gap_mm": svg._LABEL_GAP_MM, "lane_mm": svg._LANE_MM, "lane_full": list(svg._LANE_FULL),
        "lane_end": list(svg._LANE_END), "side_lying_turn_deg": svg.SIDE_LYING_TURN_DEG,
        "arm_places": dict(svg.ARM_PLACES), "large_type_px": svg.LARGE_TYPE_PX, "large_w_px": svg.LARGE_W_PX,
        "joint_labels": dict(LABELS), "nerves": nerves, "muscles": muscles,
        "groups": {g: list(reg.group(g)) for g in reg.groups},
        "silhouettes": {f"{h:.2f}": _floats(svg._silhouette_local(Body(h))) for h in _heights()},
    }


def page_data(name: str) -> dict:
    """Everything the page of explorer ``name`` (a key of :data:`EXPLORERS`) reads, as JSON-able data."""
    from ..core.joints import ACTION_WORDS, JOINTS
    from ..model import protocols as P
    from ..model.lengths import DRAWING_PROPORTIONS
    from ..view import svg
    from . import widgets

    if name not in EXPLORERS:
        raise ValueError(f"unknown explorer {name!r}: choose one of {', '.join(EXPLORERS)}")
    cfg = EXPLORERS[name]
    keys = widgets._offered_protocols(cfg["protocol"], cfg["protocols"])
    presets = cfg["presets"]() if callable(cfg["presets"]) else cfg["presets"]
    preset_map = widgets._offered_presets(presets)
    shown = SimpleNamespace()
    widgets.Explorer._choose_structures(shown, cfg["protocol"], None)
    angles = lambda p: {j: float(getattr(p, j)) for j in JOINTS}   # noqa: E731
    protocols = {k: {"title": P.ALL[k].title, "view": P.ALL[k].view,
                     "steps": [[s.name, angles(s.posture)] for s in P.ALL[k].steps]} for k in keys}
    return {
        "name": name, "title": cfg["title"], "notebook": cfg["notebook"],
        "files": {"structures": _data("structures.json"), "joints": _data("joints.csv"),
                  "parameters": _data("parameters.csv"), "drawing": dict(DRAWING_PROPORTIONS)},
        "draw": drawing_data(),
        "explorer": {
            "protocol": cfg["protocol"], "protocols": protocols, "joint_bars": bool(cfg["joint_bars"]),
            "presets": [[label, angles(p)] for label, p in preset_map.items()],
            # the view each preset is drawn in, for each protocol chosen (widgets._preset_view)
            "preset_views": {k: {label: widgets._preset_view(p, k, keys) for label, p in preset_map.items()}
                             for k in keys},
            "nerve": shown.nerve, "gauged": list(shown.gauged), "drawn": list(shown.drawn),
            "group_words": shown._group_words, "gauge_title": shown._gauge_title, "height_px": _HEIGHT_PX,
            "legend": svg.legend_svg(None, [m for m in _drawn_order(shown)], width_px=470, strain=False,
                                     compact=True, nerve=shown.nerve),
            # presentation mode's key, for a lecture hall (as the notebook explorer's, legend_svg large=True)
            "legend_large": svg.legend_svg(None, [m for m in _drawn_order(shown)], strain=False, large=True,
                                           nerve=shown.nerve),
            "action_words": {j: list(ACTION_WORDS[j]) for j in JOINTS},
            "heights": [_heights()[0], _heights()[-1]],
        },
    }


def _drawn_order(shown) -> list[str]:
    """The drawn muscles in the registry's order (as the explorer's drawing holds them)."""
    from ..model import registry as _reg
    return [m for m in _reg.current().muscles if m in shown.drawn]


_TEMPLATE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline' blob:; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'">
<title>{title} (neuralsim explorer)</title>
<style>{css}</style>
</head>
<body>
<main id="neuralsim-page" class="ns-page" data-explorer="{name}">
<noscript>This explorer needs JavaScript switched on in the browser.</noscript>
</main>
<script type="text/plain" id="ns-model">{model}</script>
<script type="text/plain" id="ns-draw">{draw}</script>
<script type="text/plain" id="ns-controls">{controls}</script>
<script type="text/plain" id="ns-live">{live}</script>
<script type="application/json" id="ns-data">{data}</script>
<script type="module">
const load = (id) => import(URL.createObjectURL(new Blob([document.getElementById(id).textContent], {{ type: "text/javascript" }})));
const [{{ createModel }}, {{ createDrawing }}, {{ startExplorer }}, live] = await Promise.all(
  [load("ns-model"), load("ns-draw"), load("ns-controls"), load("ns-live")]);
startExplorer(document.getElementById("neuralsim-page"), JSON.parse(document.getElementById("ns-data").textContent),
              createModel, createDrawing, live.default);
</script>
</body>
</html>
"""


def page_html(name: str) -> str:
    """The self-contained HTML text of explorer ``name``'s page."""
    data = page_data(name)
    from . import _static
    sources = {k: _web(f) for k, f in (("model", "model.js"), ("draw", "draw.js"), ("controls", "page.js"))}
    sources["live"] = _static("live.js")       # the notebook explorer's own in-place updates
    for k, text in sources.items():
        if "</script" in text.lower():
            raise ValueError(f"web/{k}: a closing script tag in the source would end its element in the page")
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":")).replace("</", "<\\/")
    from html import escape
    return _TEMPLATE.format(title=escape(data["title"]), name=name, css=_web("page.css"), data=text, **sources)


def export(dest: str | os.PathLike, names: list[str] | None = None) -> list[Path]:
    """Write one page per explorer (``names``: keys of :data:`EXPLORERS`, default all) into folder ``dest``
    (made if missing; its parent must exist); returns the files written. A page over
    :data:`MAX_PAGE_BYTES` is an error, not a file."""
    if not isinstance(dest, (str, os.PathLike)):
        raise TypeError(f"dest: {dest!r} is not a folder path; give the folder to write the pages into")
    chosen = list(EXPLORERS) if names is None else list(names)
    for n in chosen:
        if n not in EXPLORERS:
            raise ValueError(f"unknown explorer {n!r}: choose one of {', '.join(EXPLORERS)}")
    folder = Path(dest)
    if str(dest) == "":
        raise ValueError("dest: an empty path; give the folder to write the pages into")
    if folder.exists() and not folder.is_dir():
        raise ValueError(f"dest: {str(folder)!r} is a file, not a folder; give a folder to write the pages into")
    if not folder.exists():
        if not folder.parent.is_dir():
            raise ValueError(f"dest: the folder {str(folder.parent)!r} that would hold {folder.name!r} does not exist")
        folder.mkdir()
    if not os.access(folder, os.W_OK):
        raise ValueError(f"dest: {str(folder)!r} is not writable")
    written = []
    for n in chosen:
        html = page_html(n).encode("utf-8")
        if len(html) > MAX_PAGE_BYTES:
            raise ValueError(f"page {n!r}: {len(html)} bytes, over the {MAX_PAGE_BYTES} bytes a page may weigh")
        path = folder / f"{n}.html"
        path.write_bytes(html)
        written.append(path)
    return written


def main(dest: str, names: list[str] | None = None) -> int:
    """The command: write the pages, print what was written (size in kB)."""
    for path in export(dest, names):
        print(f"{path}  {math.ceil(path.stat().st_size / 1000)} kB")
    return 0
