"""The explorer: sliders per joint, presets, protocol steps, a live figure and gauges.

>>> from neuralsim.classroom.widgets import Explorer
>>> ex = Explorer("slump")
>>> ex.sliders["knee_flexion"].value = 0
>>> ex.text.value.count("nerve bed") >= 1
True

Display it in a notebook with ``ex`` (or ``ex.widget``).  Every change (a
slider, a preset, a protocol step, the body height or mobility) runs one
method, :meth:`Explorer._update`, which computes the posture's numbers once,
draws the figure (:func:`neuralsim.svg.posture_svg`) and the gauges of the
nerve bed and each hamstring (:func:`neuralsim.svg.gauges_svg`), and writes one
line of text with the change in bed length (mm and %) and in hamstring length
(mm).  Sliders are clamped to the joint's range for the chosen mobility (the
widgets clamp; the library itself refuses out-of-range angles) and the text line
says when a preset or step was clamped.

The view follows the posture: a protocol step is drawn in the protocol's view, a
preset in the view of the protocol it comes from, and a posture that the
current support cannot carry (:func:`neuralsim.svg.support_fits`: a neutral
standing posture on a plinth, a seated one lying on a couch) switches to one
that can.

Keyboard (documented in the explorer's help line): Tab moves control by control
(one stop per slider: the typed-in value box is reached by mouse only, since
the arrow keys already step the slider by 1 deg and Page Up/Down by 5 deg);
``n`` / ``p`` (or Page Down / Page Up outside a slider) next / previous step;
``f`` presentation mode (full screen, larger type; Escape leaves it).

Layout: in a browser the explorer sizes its figure to the room it has (``static/explorer.css``
and ``static/explorer.js``): beside the gauges on a wide page, above them on a narrow one
(JupyterLab with its file browser open), so that at 1280 x 800 the figure, the gauges, the text
line and the step buttons are on screen together; ``height_px`` is the figure's size where no
browser lays it out (saved HTML).
"""
from __future__ import annotations

import types
import warnings
from functools import lru_cache
from typing import Any, Iterable, Mapping

import ipywidgets as w

from . import _static
from ..model import protocols as _protocols
from ..core.body import DEFAULT_BODY, HEIGHT_RANGE_M, Body
from ..core.joints import ACTION_WORDS as _JOINT_WORDS, JOINTS, MOBILITIES, UNIT, joint_range
from ..model import registry as _reg
from ..mechanics.hold import FLOW_BANDS, flow_band_of, hold_limit_s, relaxation
from ..state.states import compute
from ..core.posture import PELVIC_TILT_RANGE, Posture, as_posture
from ..limits.pelvis import coupled_tilt
from ..view.svg import (JOINT_LABELS, POSTURE_PARTS, angle_text, contributions_svg, number_text, band_of, gauges_svg,
                        legend_svg, muscle_info, picture_uid, posture_parts, posture_svg, support_fits, view_box)

__all__ = ["Explorer", "change_text", "ACTION_WORDS", "choose_view"]

#: joint -> (name, word for an increase, word for a decrease), for the text line
#: (an alias of the joint table's words).
ACTION_WORDS: Mapping[str, tuple[str, str, str]] = _JOINT_WORDS

_VIEW_ORDER = ("standing", "sitting", "supine")





def choose_view(posture: Any, *preferred: str | None) -> str:
    """The first of ``preferred`` (then standing, sitting, supine) whose support carries ``posture``."""
    p = as_posture(posture)
    for v in (*preferred, *_VIEW_ORDER):
        if v and support_fits(p, v):
            return v
    return next(v for v in preferred if v) if any(preferred) else "standing"  # pragma: no cover


def change_text(what: str, bed_before: float, bed_after: float, ham_before: float, ham_after: float,
                rel_after: float, peak_strain: float | None = None, *, group: str = "hamstrings") -> str:
    """The text line: ``what`` → bed change (mm, % of the previous bed), muscle change (mm), and the state now.

    Lengths in mm; ``rel_after`` is the relative bed length (1 = standing).  The muscle
    change is the mean of the muscles of ``group`` (words for the nerve's contrast group, e.g.
    the three hamstrings; each one is in the gauges).
    """
    d = bed_after - bed_before
    pct = 100.0 * d / bed_before
    dh = ham_after - ham_before
    s = (f"{what} → nerve bed {number_text(d, signed=True)} mm ({number_text(pct, 1, signed=True)} %); "
         f"{group} {number_text(dh, signed=True)} mm. "
         f"Bed now {number_text(bed_after)} mm, {number_text(100.0 * (rel_after - 1.0), 1, signed=True)} % against standing")
    if peak_strain is not None:
        s += f"; peak nerve strain {number_text(peak_strain, 1)} %"
    return s + "."


# The explorer's style sheet (static/explorer.css, no URL in it): visible focus, presentation mode, layout.
# Layout: the browser-side helper (``_ESM``) measures the room the explorer has (its own width;
# the height of what the page shows: JupyterLab's notebook panel, Voila's window, the screen
# in presentation mode) and picks one of two layouts, whichever draws the body larger:
# "beside" (figure left, steps, gauges, text line and key right; wide pages such as Voila)
# or "stacked" (figure on top, below it the steps and text line beside the gauges, then the
# protocol menu and the key; narrow
# pages such as JupyterLab with its file browser open).  It sizes the figure's box
# (--ns-fig-w, --ns-fig-h) so that the figure, the gauges, the text line and the step
# buttons are on screen together; the SVG scales inside that box (its viewBox).
# Both layouts are one CSS grid on ``.neuralsim-top``: the live widget (figure, patient line,
# gauges, text line: one message per update) and the side column (protocol, step, step
# buttons, key) are ``display: contents``, so their parts are placed one by one.  Beside, the
# figure is laid over the empty first column (absolute, so its height never spreads the rows
# of the column beside it) and the grid is at least as high as the figure.
_CSS = "<style>\n" + _static("explorer.css") + "</style>"

# Browser side (static/explorer.js; anywidget, no network): names and rounded values with units on every slider
# handle, one Tab stop per slider, keyboard shortcuts and full screen for presentation mode.
_ESM = _static("explorer.js")


# Browser side of the live widget (static/live.js: figure, patient line, gauges, text line).  The
# widget holds the figure in its parts (svg.posture_parts, then the patient's marks) and the
# panel under it (patient line, gauges, text line, bars), one synced text each: an update sends,
# in one message, only the parts that changed (a knee press leaves the head, the labels and the
# support as they were), and the page parses and changes only those, in place (attributes, text,
# an element whose tag differs), so it restyles, lays out and repaints only the changed nodes.
# Nothing is run from a part (parsed in an inert <template>).  ``live.value`` is the whole HTML
# the parts make, as the page shows it.
_LIVE_ESM = _static("live.js")

#: The live widget's parts inside the figure's ``<svg>`` (its opening tag is ``part_svg``), in order.
_FIGURE_PARTS = (*POSTURE_PARTS[1:], "marks")


@lru_cache(maxsize=None)
def _live_class():
    """The live widget's class (made once, on first use: anywidget is imported only then)."""
    import anywidget
    import traitlets

    parts = {f"part_{k}": traitlets.Unicode("").tag(sync=True) for k in ("svg", *_FIGURE_PARTS, "panel")}

    def value(self) -> str:
        """The HTML shown: the figure's SVG (in ``div.neuralsim-figure``), then the panel."""
        inner = "".join(getattr(self, f"part_{k}") for k in _FIGURE_PARTS)
        return f'<div class="neuralsim-figure">{self.part_svg}{inner}</svg></div>{self.part_panel}'

    body = {"__doc__": "The explorer's figure and panel, sent part by part (see _LIVE_ESM).",
            "_esm": _LIVE_ESM,
            # the names of the figure's parts inside its <svg>, in order (the page builds it from them)
            "order": traitlets.List(traitlets.Unicode(), default_value=list(_FIGURE_PARTS)).tag(sync=True),
            **parts, "value": property(value)}
    return types.new_class("_Live", (anywidget.AnyWidget,), {}, lambda ns: ns.update(body))


def _live_widget():
    """The live widget: an HTML ``value`` (str) shown in the page, changed in place on update."""
    return _live_class()()


class _Part:
    """One part of the explorer's live widget as last sent (``value``: an SVG or HTML string)."""

    __slots__ = ("value",)

    def __init__(self) -> None:
        self.value = ""

    def __repr__(self) -> str:
        return f"_Part({len(self.value)} characters)"


@lru_cache(maxsize=None)
def _helper_class():
    """The browser-side helper's class (made once, on first use: anywidget is imported only then)."""
    import anywidget
    import traitlets

    class _ExplorerKeys(anywidget.AnyWidget):
        _esm = _ESM
        version = traitlets.Int(1).tag(sync=True)
        #: width / height of the figure's box in each view the explorer may draw (the layout's input)
        aspects = traitlets.List(traitlets.Float()).tag(sync=True)

    return _ExplorerKeys


def _helper(aspects: Iterable[float] = ()):
    """The browser-side helper widget (anywidget, a core dependency); ``aspects``: width / height
    of the figure in each view the explorer may draw (for the layout)."""
    return _helper_class()(aspects=list(aspects))


def _preset_view(posture: Posture, current_protocol: str, keys: Iterable[str]) -> str | None:
    """The view of the protocol a preset comes from: the current protocol if it holds the
    posture, else a standing protocol, else the first that does (``None`` if none does)."""
    holders = [k for k in keys if any(s.posture == posture for s in _protocols.ALL[k].steps)]
    if not holders:
        holders = [k for k, pr in _protocols.ALL.items() if any(s.posture == posture for s in pr.steps)]
    if current_protocol in holders:
        return _protocols.ALL[current_protocol].view
    views = [_protocols.ALL[k].view for k in holders]
    return "standing" if "standing" in views else (views[0] if views else None)


def _offered_protocols(protocol: str, protocols: Iterable[str] | None) -> list[str]:
    """The protocol keys an explorer offers: ``protocols`` (default all), ``protocol`` first if missing."""
    keys = list(_protocols.ALL) if protocols is None else list(protocols)
    for k in keys:
        if k not in _protocols.ALL:
            raise ValueError(f"unknown protocol {k!r}: choose one of {', '.join(_protocols.ALL)}")
    if protocol not in keys:
        keys.insert(0, protocol)
    return keys


def _offered_presets(presets: Iterable[str] | Mapping[str, Any] | None) -> dict[str, Posture]:
    """Label -> posture of the presets an explorer offers (default every preset of the protocols module)."""
    if presets is None:
        preset_map = dict(_protocols.POSTURES)
    elif isinstance(presets, Mapping):
        preset_map = {str(k): as_posture(v) for k, v in presets.items()}
    else:
        preset_map = {}
        for label in presets:
            if label not in _protocols.POSTURES:
                raise ValueError(f"unknown preset {label!r}: choose one of {', '.join(_protocols.POSTURES)}")
            preset_map[label] = _protocols.POSTURES[label]
    return preset_map


class Explorer:
    """Interactive explorer of the nerve bed (ipywidgets).

    ``protocol``: key of :data:`neuralsim.protocols.ALL` selected for the
    step-through (default ``"slump"``).  ``view``: the view to start in
    (``"standing"``, ``"sitting"``, ``"supine"``; default the protocol's); after
    that the view follows the protocol, the preset and the posture (see the
    module doc).  ``body``: a :class:`~neuralsim.Body` (height and mobility;
    default 1.75 m, typical).  ``posture``: the starting posture (default
    neutral, all 0 deg).  ``strain``: draw the nerve's strain halo when
    :mod:`neuralsim.mechanics` is available (``True``), or never (``False``).
    ``presets``: preset labels (keys of :data:`neuralsim.protocols.POSTURES`) or
    a mapping label -> posture to offer (default all); ``protocols``: protocol
    keys to offer (default all; ``protocol`` is always offered).
    ``height_px``: the figure's height in pixels (default 470, so the figure,
    gauges, text line and step buttons fit a 1280 x 800 screen together);
    ``max_height_px``: a cap on that height (not below 300 px; ``width_px`` is its
    old, misleading name, deprecated, kept for one release).
    ``nerve``: the nerve bed shown (a key of :data:`neuralsim.NERVES`; default
    the protocol's nerve).  The explorer draws and gauges the muscles of the
    nerve's ``contrast`` group and draws those of its ``drawn_with`` groups
    (registry data: hamstrings and calf beside the sciatic, rectus femoris
    beside the femoral nerve); only those are computed on each update.
    ``patient_mode``: a hook for a hidden patient (:class:`neuralsim.clinic.PatientMode`):
    its ``constrain(posture, joint)`` returns the posture a slider move may reach and a
    note, and its ``annotate(posture, drawing)`` the SVG marks and the HTML line added to
    each update (default ``None``: no patient).
    ``joint_bars``: also draw, under the text line, each joint's share of the nerve bed's
    change against standing (:func:`neuralsim.view.svg.contributions_svg`; default off).

    Attributes for code and tests: ``sliders`` (joint -> FloatSlider, deg),
    ``live`` (the one widget that shows the figure, the gauges and the text
    line: one message per update; its ``value`` is that HTML, which the browser applies by
    changing only what differs), and its parts as last sent, each with a
    ``value`` string: ``figure`` (the SVG), ``text`` (the patient line if any,
    the gauges' SVG and the text line ``p.neuralsim-text``), ``gauges`` (the
    same part as ``text``); ``legend`` (HTML with the key), ``presets`` (label ->
    Button), ``next_button``, ``prev_button``, ``reset_button``,
    ``present_button``, ``protocol_select``, ``step_label``, ``height`` (m),
    ``mobility``, ``widget`` (the whole box), ``view``, ``nerve``, ``gauged``
    and ``drawn`` (muscle names), ``shown`` (a dict of the numbers last shown; the
    contrast group's mean length under ``"<group>_mm"``, e.g. ``hamstrings_mm``;
    ``state`` is its old name, deprecated, kept for one release: it is not a
    :class:`neuralsim.State`).
    """

    def __init__(self, protocol: str = "slump", view: str | None = None, body: Body | None = None,
                 posture: Any = None, strain: bool = True, max_height_px: int | None = None, *,
                 presets: Iterable[str] | Mapping[str, Any] | None = None,
                 protocols: Iterable[str] | None = None, height_px: int = 470, patient_mode: Any = None,
                 nerve: str | None = None, width_px: int | None = None, joint_bars: bool = False):
        if protocol not in _protocols.ALL:
            raise ValueError(f"unknown protocol {protocol!r}: choose one of {', '.join(_protocols.ALL)}")
        if width_px is not None:
            warnings.warn("Explorer(width_px=...) is now Explorer(max_height_px=...) (it caps the figure's "
                          "height); the old name goes in neuralsim 0.2", DeprecationWarning, stacklevel=2)
            max_height_px = width_px if max_height_px is None else max_height_px
        self._choose_structures(protocol, nerve)
        self._protocol_keys = keys = _offered_protocols(protocol, protocols)
        preset_map = _offered_presets(presets)
        self.body = DEFAULT_BODY if body is None else body
        self._height_px = int(height_px if max_height_px is None else max(300, min(height_px, max_height_px)))
        self._strain = bool(strain)
        self._joint_bars = bool(joint_bars)
        self.patient_mode = patient_mode
        self._hold = False
        self._step = -1
        self.shown: dict = {}
        self._start: dict | None = None
        self._start_label = "since start"
        self._note = ""
        start = Posture() if posture is None else as_posture(posture)
        self.view = choose_view(start, view, _protocols.ALL[protocol].view)

        self._make_body_controls(start)
        self._make_presets(preset_map)
        self._make_protocol_controls(protocol, keys)
        self._make_live_parts()
        self._lay_out(keys)

        self._posture = self._read_sliders()
        self._update("Start")
        self._show_step()

    # -- the steps of __init__ -------------------------------------------------
    def _choose_structures(self, protocol: str, nerve: str | None) -> None:
        """The nerve shown and the muscles gauged and drawn beside it (registry data)."""
        reg = _reg.current()
        spec = reg.check(_protocols.ALL[protocol].nerve if nerve is None else nerve, "nerve")
        self.nerve = spec.name
        #: the muscles gauged (the nerve's contrast group) and drawn (those, then ``drawn_with``)
        self.gauged: tuple[str, ...] = reg.group(spec.contrast)
        if not self.gauged:
            raise ValueError(f"the {spec.name} nerve's contrast group {spec.contrast!r} has no muscle in the "
                             f"registry: the explorer gauges the nerve bed beside that group's muscles")
        self._group = spec.contrast
        self.drawn: tuple[str, ...] = self.gauged + tuple(m for g in spec.drawn_with for m in reg.group(g)
                                                          if m not in self.gauged)
        self._group_words = spec.contrast if len(self.gauged) != 1 else reg[self.gauged[0]].label
        self._structures = (self.nerve, *self.drawn)
        self._gauge_title = (f"Length of the nerve bed and of "
                             f"{'each of the ' if len(self.gauged) > 1 else ''}{self._group_words} "
                             f"against standing (anatomical position)")
        self._mechanics = spec.mechanics

    def _make_body_controls(self, start: Posture) -> None:
        """A slider per joint (clamped to the body's ranges), body height, mobility and reset."""
        wide = {"description_width": "175px"}
        self.sliders: dict[str, w.FloatSlider] = {}
        for j in JOINTS:
            lo, hi = joint_range(j, self.body.mobility)
            s = w.FloatSlider(
                value=min(max(float(getattr(start, j)), lo), hi), min=lo, max=hi, step=1.0,
                description=f"{JOINT_LABELS[j]} ({UNIT})", readout_format=".0f", continuous_update=True,
                style=wide, layout=w.Layout(width="415px"),   # two columns in JupyterLab's notebook
                tooltip=f"{JOINT_LABELS[j]} in degrees; arrow keys step by 1 {UNIT}",
            )
            s.add_class(f"neuralsim-slider-{j}")
            s.observe(self._on_slider, names="value")
            self.sliders[j] = s

        self.height = w.FloatSlider(value=self.body.height_m, min=HEIGHT_RANGE_M[0], max=HEIGHT_RANGE_M[1],
                                    step=0.01, description="body height (m)", readout_format=".2f",
                                    style=wide, layout=w.Layout(width="410px"))
        self.height.add_class("neuralsim-height")
        self.height.observe(self._on_body, names="value")
        self.mobility = w.ToggleButtons(options=list(MOBILITIES), value=self.body.mobility,
                                        description="joint ranges", style={"button_width": "auto"})
        self.mobility.add_class("neuralsim-mobility")
        self.mobility.observe(self._on_body, names="value")

        self.reset_button = w.Button(description="reset to neutral", tooltip="all angles back to 0 deg")
        self.reset_button.add_class("neuralsim-reset")
        self.reset_button.on_click(lambda _b: self.set_posture(Posture(), "Reset to neutral", anchor="since reset"))
        # how long the posture is held (min): the nerve's added tension relaxes, its strain stays (mechanics.hold)
        self.hold_for = w.FloatSlider(value=0.0, min=0.0, max=hold_limit_s() / 60.0, step=1.0,
                                      description="hold for (min)", readout_format=".0f", style=wide,
                                      layout=w.Layout(width="410px"),
                                      tooltip="how long the position is held: the tension relaxes, the strain stays")
        self.hold_for.add_class("neuralsim-hold-for")
        # the pelvis: how much of the thigh-trunk angle it takes by tilting back (deg); set by hand, or
        # following the thigh and the knee as people's pelvis does (neuralsim.limits.pelvis)
        self.pelvis = w.FloatSlider(value=float(start.pelvic_tilt), min=PELVIC_TILT_RANGE[0],
                                    max=PELVIC_TILT_RANGE[1], step=1.0, description=f"pelvis tilted back ({UNIT})",
                                    readout_format=".0f", style=wide, layout=w.Layout(width="410px"),
                                    tooltip="backward (posterior) tilt of the pelvis; negative = forward")
        self.pelvis.add_class("neuralsim-pelvis")
        self.pelvis.observe(self._on_pelvis, names="value")
        self.pelvis_follows = w.Checkbox(value=False, description="pelvis follows the thigh and knee",
                                         indent=False, layout=w.Layout(width="auto"))
        self.pelvis_follows.add_class("neuralsim-pelvis-follows")
        self.pelvis_follows.observe(self._on_pelvis_follows, names="value")
        self.hold_for.observe(lambda _c: self._update(f"Held for {float(self.hold_for.value):g} min"), names="value")

    def _make_presets(self, preset_map: Mapping[str, Posture]) -> None:
        """A button per preset posture."""
        self.presets: dict[str, w.Button] = {}
        for label, p in preset_map.items():
            b = w.Button(description=label, tooltip=f"preset: {label}", layout=w.Layout(width="auto"))
            b.add_class("neuralsim-preset")
            b.on_click(lambda _b, label=label, p=p: self._preset(label, p))
            self.presets[label] = b

    def _make_protocol_controls(self, protocol: str, keys: list[str]) -> None:
        """The protocol menu, the step buttons, presentation mode and the step's label."""
        self.protocol_select = w.Dropdown(options=[(_protocols.ALL[k].title, k) for k in keys],
                                          value=protocol, description="protocol",
                                          layout=w.Layout(width="100%"), style={"description_width": "64px"})
        self.protocol_select.add_class("neuralsim-protocol")
        self.protocol_select.observe(self._on_protocol, names="value")
        self.prev_button = w.Button(description="◀ previous step", tooltip="previous step of the protocol (key p)")
        self.next_button = w.Button(description="next step ▶", tooltip="next step of the protocol (key n)",
                                    button_style="primary")
        self.present_button = w.ToggleButton(value=False, description="presentation",
                                             tooltip="full screen, larger type; keys n / p step, f or Escape leave",
                                             icon="")
        # presentation mode: the joint sliders on demand, in the side column (a step's "now move the
        # neck" shown live); outside it they are always under the figure and this button is hidden
        self.sliders_button = w.ToggleButton(value=False, description="sliders",
                                             tooltip="show the joint sliders beside the figure (key s)")
        self.sliders_button.add_class("neuralsim-sliders-toggle")
        self.sliders_button.observe(self._on_sliders_shown, names="value")
        self.prev_button.add_class("neuralsim-prev")
        self.next_button.add_class("neuralsim-next")
        self.present_button.add_class("neuralsim-present-toggle")
        self.prev_button.on_click(lambda _b: self.step(-1))
        self.next_button.on_click(lambda _b: self.step(+1))
        self.present_button.observe(self._on_present, names="value")
        self.step_label = w.HTML(value="")
        self.step_label.add_class("neuralsim-step")

    def _make_live_parts(self) -> None:
        """The live widget (figure, gauges and text line) and the key beside it."""
        # Figure, gauges and text line are ONE widget: each update is one message, so a key press
        # paints once, where two messages relayed one after the other can fall in two frames (the
        # runs are in benchmarks/HISTORY.md), and the browser changes only what differs (_LIVE_ESM).
        # In a browser the style sheet places its parts in the grid of ``.neuralsim-top`` beside (or
        # under) the figure, with the side column's controls.
        self.live = _live_widget()
        self.live.add_class("neuralsim-live")
        # the figure and gauges are redrawn in place: their element ids stay the same from update to update
        self._uid, self._gauges_uid = picture_uid(), picture_uid()
        self._sent: dict[str, str] = {}
        self.figure = _Part()
        self.text = _Part()
        self.gauges = self.text
        self.legend = w.HTML(value="")
        self.legend.add_class("neuralsim-legend-box")

    def _lay_out(self, keys: list[str]) -> None:
        """Put the parts together in ``widget``: the figure row, then the controls, the style and the helper."""
        help_line = w.HTML('<span style="font-size:12px;color:#444">Keys: Tab to a slider, arrows move it; '
                           'n / p next / previous step; f presentation.</span>')

        stepper = w.HBox([self.prev_button, self.next_button, self.present_button, self.sliders_button])
        stepper.add_class("neuralsim-stepper")
        # In patient mode the sliders examine the patient: the key goes under them, so that the
        # figure, the stop line and the sliders fit a projector's screen together.
        key_beside = self.patient_mode is None
        side = w.VBox([self.protocol_select, self.step_label, stepper, *([self.legend] if key_beside else [])],
                      layout=w.Layout(width="480px"))
        side.add_class("neuralsim-side")
        top = w.HBox([self.live, side], layout=w.Layout(flex_flow="row wrap", align_items="flex-start"))
        top.add_class("neuralsim-top")
        sl = list(self.sliders.values())
        sliders_box = w.HBox([w.VBox(sl[:4]), w.VBox(sl[4:])], layout=w.Layout(flex_flow="row wrap"))
        sliders_box.add_class("neuralsim-sliders")
        controls = w.VBox(
            [sliders_box, *([] if key_beside else [self.legend]),
             w.HBox([self.height, self.reset_button], layout=w.Layout(flex_flow="row wrap")), self.mobility,
             self.hold_for,
             w.HBox([self.pelvis, self.pelvis_follows], layout=w.Layout(flex_flow="row wrap")),
             *([w.HTML("<b>Presets</b>"), w.Box(list(self.presets.values()), layout=w.Layout(flex_flow="row wrap"))]
               if self.presets else []),      # no heading over an empty row
             help_line])
        controls.add_class("neuralsim-controls")
        views = {*_VIEW_ORDER, *(_protocols.ALL[k].view for k in keys)}
        aspects = [(x1 - x0) / (y1 - y0) for x0, y0, x1, y1 in (view_box(v) for v in sorted(views))]
        parts = [w.HTML(_CSS), top, controls, _helper(aspects)]
        self.widget = w.VBox(parts)
        self.widget.add_class("neuralsim-explorer")

    # -- public ---------------------------------------------------------------
    @property
    def state(self) -> dict:
        """Deprecated name of :attr:`shown` (kept for one release; not a :class:`neuralsim.State`)."""
        warnings.warn("Explorer.state is now Explorer.shown (the numbers last shown, not a neuralsim.State); "
                      "the old name goes in neuralsim 0.2", DeprecationWarning, stacklevel=2)
        return self.shown

    @property
    def posture(self) -> Posture:
        """The posture the sliders show now (degrees)."""
        return self._posture

    @property
    def protocol(self) -> str:
        return self.protocol_select.value

    def set_posture(self, posture: Any, what: str = "Posture set", view: str | None = None,
                    anchor: str | None = None) -> None:
        """Move every slider to ``posture`` (clamped to the current ranges) and update once.

        ``view``: the view to draw it in when its support carries the posture.  ``anchor``: when
        given, the gauges' "since" column counts from this posture on (its label).
        """
        p = as_posture(posture)
        clamped = []
        self._hold = True
        try:
            for j, s in self.sliders.items():
                want = float(getattr(p, j))
                got = min(max(want, s.min), s.max)
                if got != want:
                    clamped.append(f"{JOINT_LABELS[j]} {angle_text(got)}° (asked {angle_text(want)}°)")
                s.value = got
            self.pelvis.value = float(p.pelvic_tilt)
        finally:
            self._hold = False
        self._note = (f" Clamped to the {self.body.mobility} joint ranges: {', '.join(clamped)}."
                      if clamped else "")
        self._posture = self._read_sliders()
        self.view = choose_view(self._posture, view, self.view)
        if anchor is not None:
            self._start, self._start_label = None, anchor
        self._update(what)

    def step(self, delta: int) -> None:
        """Go ``delta`` steps forwards (+1) or backwards (-1) through the selected protocol."""
        proto = _protocols.ALL[self.protocol]
        steps = proto.steps
        self._step = min(max(self._step + delta, 0), len(steps) - 1)
        name, p = steps[self._step]
        self._show_step()
        anchor = "since step 1" if self._step == 0 or self._start_label != "since step 1" else None
        self.set_posture(p, f"Step {self._step + 1}/{len(steps)} '{name}'", view=proto.view, anchor=anchor)

    def _ipython_display_(self):
        from IPython.display import display
        display(self.widget)

    # -- internals ------------------------------------------------------------
    def _preset(self, label: str, p: Posture) -> None:
        view = _preset_view(p, self.protocol, self._protocol_keys)
        self.set_posture(p, f"Preset '{label}'", view=view, anchor="since preset")

    def _on_present(self, change) -> None:
        if change["new"]:
            self.widget.add_class("neuralsim-present")
        else:
            self.widget.remove_class("neuralsim-present")
            self.sliders_button.value = False
        if getattr(self, "_painted", None) is not None:
            self._paint()

    def _on_sliders_shown(self, change) -> None:
        if change["new"]:
            self.widget.add_class("ns-sliders-on")
        else:
            self.widget.remove_class("ns-sliders-on")

    def _read_sliders(self) -> Posture:
        return Posture(**{j: s.value for j, s in self.sliders.items()}, pelvic_tilt=float(self.pelvis.value))

    def _following(self, p: Posture) -> Posture:
        """``p`` with the pelvis where the rhythm puts it (:func:`neuralsim.limits.pelvis.coupled_tilt`:
        the thigh's share, and with the hip flexed the knee's extension from 90 deg), when it follows."""
        if not self.pelvis_follows.value:
            return p
        bent = float(p.hip_flexion) >= 45.0
        return p.replace(pelvic_tilt=float(coupled_tilt(float(p.hip_flexion), float(p.knee_flexion),
                                                        90.0 if bent else None)))

    def _show_pelvis(self) -> None:
        self._hold = True
        try:
            self.pelvis.value = float(self._posture.pelvic_tilt)
        finally:
            self._hold = False

    def _on_pelvis(self, change) -> None:
        if self._hold or abs(change["new"] - float(self._posture.pelvic_tilt)) < 1e-6:
            return
        self.pelvis_follows.value = False           # a tilt set by hand no longer follows
        self._posture = self._posture.replace(pelvic_tilt=float(change["new"]))
        self._update(f"Pelvis tilted {'back' if change['new'] > change['old'] else 'forward'} to "
                     f"{angle_text(self._posture.pelvic_tilt)}°")

    def _on_pelvis_follows(self, change) -> None:
        if not change["new"]:
            return
        self._posture = self._following(self._posture)
        self._show_pelvis()
        self._update(f"Pelvis follows the thigh: tilted back {angle_text(self._posture.pelvic_tilt)}°")

    def _show_step(self) -> None:
        proto = _protocols.ALL[self.protocol]
        n = len(proto.steps)
        if self._step < 0:
            self.step_label.value = f"{n} steps; press 'next step' to begin."
        else:
            self.step_label.value = (f"Now at step {self._step + 1} of {n}: "
                                     f"<b>{proto.steps[self._step].name}</b>")
        self.prev_button.disabled = self._step <= 0
        self.next_button.disabled = self._step >= n - 1

    def _on_slider(self, change) -> None:
        if self._hold:
            return
        joint = next(j for j, s in self.sliders.items() if s is change["owner"])
        # After the kernel moves a slider (preset, protocol step), the browser's
        # slider may send back the same angle off by float rounding (seen in
        # Chromium: 8.9e-16 for 0).  That is no change: skip it, so nothing is
        # recomputed or sent and the line saying what the preset or step did stays.
        if abs(change["new"] - float(getattr(self._posture, joint))) < 1e-6:
            return
        name, up, down = ACTION_WORDS[joint]
        verb = up if change["new"] > change["old"] else down
        self._posture = self._following(self._posture.replace(**{joint: change["new"]}))
        if self.pelvis_follows.value:
            self._show_pelvis()
        self._note = ""
        if self.patient_mode is not None:       # the patient's movement is held at its stop
            self._posture, self._note = self.patient_mode.constrain(self._posture, joint)
            self._hold = True
            try:
                for j, s in self.sliders.items():
                    if s.value != getattr(self._posture, j):
                        s.value = float(getattr(self._posture, j))
            finally:
                self._hold = False
        if not support_fits(self._posture, self.view):
            self.view = choose_view(self._posture, _protocols.ALL[self.protocol].view)
        self._update(f"{name} {verb} to {angle_text(getattr(self._posture, joint))}°")

    def _on_protocol(self, change) -> None:
        self._step = -1
        self.view = choose_view(self._posture, _protocols.ALL[change["new"]].view)
        self._show_step()
        self._start, self._start_label = None, "since protocol"
        self._update(f"Protocol '{_protocols.ALL[change['new']].title}' chosen")

    def _on_body(self, change) -> None:
        if self._hold:
            return
        self.body = Body(height_m=round(float(self.height.value), 2), mobility=self.mobility.value)
        before = self._posture
        self._hold = True
        try:
            for j, s in self.sliders.items():
                lo, hi = joint_range(j, self.body.mobility)
                # widen first, then narrow, so min <= max at every moment; the slider clamps its value
                s.min = min(lo, s.min)
                s.max = max(hi, s.max)
                s.min, s.max = lo, hi
        finally:
            self._hold = False
        self._posture = self._read_sliders()
        clamped = [f"{JOINT_LABELS[j]} {angle_text(getattr(self._posture, j))}° (was {angle_text(getattr(before, j))}°)"
                   for j in JOINTS if float(getattr(self._posture, j)) != float(getattr(before, j))]
        self._note = (f" Clamped to the {self.body.mobility} joint ranges: {', '.join(clamped)}."
                      if clamped else "")
        self.view = choose_view(self._posture, self.view)
        what = (f"Height {self.body.height_m:.2f} m" if change["owner"] is self.height
                else f"Mobility '{self.body.mobility}'")
        self._start = None       # the reference lengths change with the body
        self._update(what)  # the change is against the same posture in the old body

    def _update(self, what: str) -> None:
        """Recompute the numbers for the current posture once, redraw the figure and the gauges,
        rewrite the text line.

        All numbers come from one :func:`neuralsim.compute` state of this
        posture (the posture checked once; lengths, contributions, drawing and
        the nerve mechanics from the same call), so the figure, the gauges and
        the text line show what the library computed.
        """
        p, b, nerve = self._posture, self.body, self.nerve
        st = compute(p, body=b, view=self.view, structures=self._structures)
        d = st.drawing
        bed = st.lengths_mm[nerve]
        nerve_run = st.reference_mm[nerve]           # the anatomical position
        deltas = dict(st.contributions_mm[nerve])
        names = self.gauged
        muscles_mm = {m: st.lengths_mm[m] for m in names}
        ham = sum(muscles_mm.values()) / len(muscles_mm)
        rel = bed / nerve_run
        mech = st.mechanics(nerve) if self._strain and self._mechanics else None
        group = self._group
        before = self.shown or None
        same_body = before is not None and before.get("body") == b
        bed0 = before["bed_mm"] if before else bed
        ham0 = before["group_mm"] if before else ham
        m0 = before["muscles_mm"] if same_body else muscles_mm
        if self._start is None:
            self._start = {"bed_mm": bed, "muscles_mm": dict(muscles_mm)}
        # the peak the bands apply to: the peripheral nerve beyond its in-situ length (cord and roots have bands of their own)
        peak = None if mech is None else float(mech.peak_nerve_in_situ_strain_pct)
        self.shown = {"what": what, "posture": p, "body": b, "view": self.view, "nerve": nerve,
                      "bed_mm": bed, "relative_bed": rel, "group": group, "group_mm": ham,
                      f"{group}_mm": ham, "muscles_mm": muscles_mm, "bed_change_mm": bed - bed0,
                      f"{group}_change_mm": ham - ham0, "contributions_mm": deltas, "peak_strain_pct": peak,
                      "bed_since_start_mm": bed - self._start["bed_mm"]}
        numbers = {"bed_mm": bed, "relative_bed": rel, "muscles_mm": muscles_mm}
        parts = posture_parts(p, b, self.view, strain=mech, data=d, height_px=self._height_px,
                              numbers=numbers, legend=False, nerve=nerve, uid=self._uid)
        marks, patient_line = self.patient_mode.annotate(p, d) if self.patient_mode is not None else ("", "")
        parts["marks"] = marks
        self.figure.value = "".join(parts.values()) + "</svg>"
        rows = [{"name": "nerve bed", "kind": "nerve", "mm": bed, "ref_mm": nerve_run,
                 "step_mm": bed - bed0, "start_mm": bed - self._start["bed_mm"]}]
        for m in names:
            rows.append({"name": muscle_info(m)[1], "kind": m, "mm": muscles_mm[m], "ref_mm": st.reference_mm[m],
                         "step_mm": muscles_mm[m] - m0[m], "start_mm": muscles_mm[m] - self._start["muscles_mm"][m]})
        words = self._group_words
        line = change_text(what, bed0, bed, ham0, ham, rel, peak, group=words)
        since = (f' <span class="neuralsim-since">{self._start_label.capitalize()}: nerve bed '
                 f'{number_text(bed - self._start["bed_mm"], signed=True)} mm, {words} '
                 f'{number_text(ham - sum(self._start["muscles_mm"].values()) / len(muscles_mm), signed=True)} mm.</span>')
        note = f' <strong class="neuralsim-clamped">{self._note.strip()}</strong>' if self._note else ""
        bars = (contributions_svg(deltas, width_px=470, title="Each joint's share of the nerve bed's change "
                                  "against standing, mm") if self._joint_bars else "")
        held_min = float(self.hold_for.value)
        hold = ""
        if mech is not None and held_min > 0.0:
            t = 60.0 * held_min
            self.shown.update(held_min=held_min, relaxed_pct=100.0 * (1.0 - relaxation(t)))
            hold = (f' <span class="neuralsim-hold">Held {held_min:g} min: {self.shown["relaxed_pct"]:.0f} % of the '
                    f'tension the movement added has relaxed, the strain stays; blood flow at the peak (rat '
                    f'figures): {FLOW_BANDS[flow_band_of(max(peak, 0.0), t)]}.</span>')
        self._painted = {"patient_line": patient_line, "rows": rows, "muscles": list(d["muscles"]),
                         "strain": mech is not None, "peak_band": None if peak is None else band_of(peak),
                         "nerve": nerve,
                         "line": (f'<p class="neuralsim-text" role="status" aria-live="polite">'
                                  f'{line}{since}{note}{hold}</p>{bars}'),
                         "parts": parts}
        self._paint()

    def _paint(self) -> None:
        """Write the gauges, the key and the text line of the last update, in the size of the mode
        shown: presentation mode draws the gauges and the key for a lecture hall (``large``)."""
        got = self._painted
        large = bool(self.present_button.value)
        gauges = gauges_svg(got["rows"], start_label=self._start_label, width_px=470, title=self._gauge_title,
                            large=large, uid=self._gauges_uid)
        # the key marks the band the peak is in (the peak's value is in the text line): it is
        # rebuilt only when that band (or the mode) changes, not on every update
        key = (got["strain"], got["peak_band"], large)
        if key != getattr(self, "_legend_key", None):
            self._legend_key = key
            self.legend.value = legend_svg(None, got["muscles"], width_px=470, strain=got["strain"],
                                           compact=True, peak_band=got["peak_band"], nerve=got["nerve"],
                                           large=large)
        self.text.value = f'{got["patient_line"]}{gauges}{got["line"]}'
        parts = dict(got["parts"], panel=self.text.value)
        changed = {k: v for k, v in parts.items() if self._sent.get(k) != v}
        self._sent = parts
        with self.live.hold_sync():          # one message, holding the parts that changed
            for k, v in changed.items():
                setattr(self.live, f"part_{k}", v)
