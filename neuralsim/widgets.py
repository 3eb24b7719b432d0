"""The explorer: sliders per joint, presets, protocol steps and a live SVG figure.

>>> from neuralsim.widgets import Explorer
>>> ex = Explorer("slump")
>>> ex.sliders["knee_flexion"].value = 0
>>> ex.text.value.count("nerve bed") >= 1
True

Display it in a notebook with ``ex`` (or ``ex.widget``).  Every change (a
slider, a preset, a protocol step, the body height or mobility) runs one
method, :meth:`Explorer._update`, which computes the posture's numbers once,
builds the figure as an SVG string (:mod:`neuralsim.svg`) and writes one line
of text under it with the change in bed length (mm and %) and in hamstring
length (mm).  Sliders are clamped to the joint's range for the chosen
mobility (the widgets clamp; the library itself refuses out-of-range angles).
"""
from __future__ import annotations

from typing import Any, Mapping

import ipywidgets as w

from . import protocols
from .body import DEFAULT_BODY, HEIGHT_RANGE_M, Body
from .joints import ACTION_WORDS as _JOINT_WORDS, JOINTS, MOBILITIES, UNIT, joint_range
from .model import HAMSTRINGS, drawing, muscle_pathway, nerve_pathway
from .posture import Posture, as_posture
from .svg import JOINT_LABELS, contributions_svg, load_mechanics, posture_svg

__all__ = ["Explorer", "change_text", "ACTION_WORDS"]

#: joint -> (name, word for an increase, word for a decrease), for the text line
#: (an alias of the joint table's words).
ACTION_WORDS: Mapping[str, tuple[str, str, str]] = _JOINT_WORDS


def change_text(what: str, bed_before: float, bed_after: float, ham_before: float, ham_after: float,
                rel_after: float, peak_strain: float | None = None) -> str:
    """The text line: ``what`` → bed change (mm, % of the previous bed), hamstring change (mm), and the state now.

    Lengths in mm; ``rel_after`` is the relative bed length (1 = standing).
    """
    d = bed_after - bed_before
    pct = 100.0 * d / bed_before
    dh = ham_after - ham_before
    s = (f"{what} → nerve bed {d:+.0f} mm ({pct:+.1f} %); hamstrings {dh:+.0f} mm. "
         f"Bed now {bed_after:.0f} mm, {100.0 * (rel_after - 1.0):+.1f} % against standing")
    if peak_strain is not None:
        s += f"; peak nerve strain {peak_strain:.1f} %"
    return s + "."


class Explorer:
    """Interactive explorer of the nerve bed (ipywidgets).

    ``protocol``: key of :data:`neuralsim.protocols.ALL` selected for the
    step-through (default ``"slump"``).  ``view``: ``"standing"``, ``"sitting"``
    or ``"supine"`` (default: the protocol's view).  ``body``: a
    :class:`~neuralsim.Body` (height and mobility; default 1.75 m, typical).
    ``posture``: the starting posture (default neutral, all 0 deg).
    ``strain``: colour the nerve by local strain when :mod:`neuralsim.mechanics`
    is available (``True``), or never (``False``).

    Attributes for code and tests: ``sliders`` (joint -> FloatSlider, deg),
    ``text`` (HTML text line), ``figure`` (HTML with the SVG), ``presets``
    (label -> Button), ``next_button``, ``prev_button``, ``reset_button``,
    ``protocol_select``, ``step_label``, ``height`` (m), ``mobility``,
    ``widget`` (the whole box), ``state`` (the numbers last shown).
    """

    def __init__(self, protocol: str = "slump", view: str | None = None, body: Body | None = None,
                 posture: Any = None, strain: bool = True, width_px: int = 420):
        if protocol not in protocols.ALL:
            raise ValueError(f"unknown protocol {protocol!r}: choose one of {', '.join(protocols.ALL)}")
        self.body = DEFAULT_BODY if body is None else body
        self._view_fixed = view
        self.view = view or protocols.ALL[protocol].view
        self._width = width_px
        self._mech = load_mechanics() if strain else None
        self._hold = False
        self._path_cache: dict = {}
        self._step = -1
        self.state: dict = {}
        start = Posture() if posture is None else as_posture(posture)

        self.sliders: dict[str, w.FloatSlider] = {}
        for j in JOINTS:
            lo, hi = joint_range(j, self.body.mobility)
            s = w.FloatSlider(
                value=min(max(float(getattr(start, j)), lo), hi), min=lo, max=hi, step=1.0,
                description=f"{JOINT_LABELS[j]} ({UNIT})", readout_format=".0f", continuous_update=True,
                style={"description_width": "170px"}, layout=w.Layout(width="440px"),
                tooltip=f"{JOINT_LABELS[j]} in degrees; arrow keys step by 1 {UNIT}",
            )
            s.add_class(f"neuralsim-slider-{j}")
            s.observe(self._on_slider, names="value")
            self.sliders[j] = s

        self.height = w.FloatSlider(value=self.body.height_m, min=HEIGHT_RANGE_M[0], max=HEIGHT_RANGE_M[1],
                                    step=0.01, description="body height (m)", readout_format=".2f",
                                    style={"description_width": "170px"}, layout=w.Layout(width="440px"))
        self.height.add_class("neuralsim-height")
        self.height.observe(self._on_body, names="value")
        self.mobility = w.ToggleButtons(options=list(MOBILITIES), value=self.body.mobility,
                                        description="joint ranges", style={"button_width": "auto"})
        self.mobility.add_class("neuralsim-mobility")
        self.mobility.observe(self._on_body, names="value")

        self.reset_button = w.Button(description="reset to neutral", tooltip="all angles back to 0 deg")
        self.reset_button.add_class("neuralsim-reset")
        self.reset_button.on_click(lambda _b: self.set_posture(Posture(), "Reset to neutral"))

        self.presets: dict[str, w.Button] = {}
        for label, p in protocols.POSTURES.items():
            b = w.Button(description=label, tooltip=f"preset: {label}", layout=w.Layout(width="auto"))
            b.add_class("neuralsim-preset")
            b.on_click(lambda _b, label=label, p=p: self.set_posture(p, f"Preset '{label}'"))
            self.presets[label] = b

        self.protocol_select = w.Dropdown(options=[(v.title, k) for k, v in protocols.ALL.items()],
                                          value=protocol, description="protocol",
                                          layout=w.Layout(width="440px"))
        self.protocol_select.add_class("neuralsim-protocol")
        self.protocol_select.observe(self._on_protocol, names="value")
        self.prev_button = w.Button(description="◀ previous step", tooltip="previous step of the protocol")
        self.next_button = w.Button(description="next step ▶", tooltip="next step of the protocol")
        self.prev_button.add_class("neuralsim-prev")
        self.next_button.add_class("neuralsim-next")
        self.prev_button.on_click(lambda _b: self.step(-1))
        self.next_button.on_click(lambda _b: self.step(+1))
        self.step_label = w.HTML(value="")
        self.step_label.add_class("neuralsim-step")

        self.figure = w.HTML(value="")
        self.figure.add_class("neuralsim-figure")
        self.text = w.HTML(value="")
        self.text.add_class("neuralsim-text")

        controls = w.VBox(
            [*self.sliders.values(), w.HBox([self.reset_button]), self.height, self.mobility,
             w.HTML("<b>Presets</b>"), w.Box(list(self.presets.values()), layout=w.Layout(flex_flow="row wrap", width="450px")),
             w.HTML("<b>Step through a protocol</b>"), self.protocol_select,
             w.HBox([self.prev_button, self.next_button]), self.step_label],
            layout=w.Layout(width="460px"))
        picture = w.VBox([self.figure, self.text], layout=w.Layout(max_width="880px"))
        # The picture comes first: in a narrow notebook column it sits at the top, above the
        # controls, so a projected explorer shows the body without scrolling.
        self.widget = w.HBox([picture, controls], layout=w.Layout(flex_flow="row wrap"))
        self.widget.add_class("neuralsim-explorer")

        self._posture = self._read_sliders()
        self._update("Start")
        self._show_step()

    # -- public ---------------------------------------------------------------
    @property
    def posture(self) -> Posture:
        """The posture the sliders show now (degrees)."""
        return self._posture

    @property
    def protocol(self) -> str:
        return self.protocol_select.value

    def set_posture(self, posture: Any, what: str = "Posture set") -> None:
        """Move every slider to ``posture`` (clamped to the current ranges) and update once."""
        p = as_posture(posture)
        self._hold = True
        try:
            for j, s in self.sliders.items():
                s.value = min(max(float(getattr(p, j)), s.min), s.max)
        finally:
            self._hold = False
        self._posture = self._read_sliders()
        self._update(what)

    def step(self, delta: int) -> None:
        """Go ``delta`` steps forwards (+1) or backwards (-1) through the selected protocol."""
        steps = protocols.ALL[self.protocol].steps
        self._step = min(max(self._step + delta, 0), len(steps) - 1)
        name, p = steps[self._step]
        self._show_step()
        self.set_posture(p, f"Step {self._step + 1}/{len(steps)} '{name}'")

    def _ipython_display_(self):
        from IPython.display import display
        display(self.widget)

    # -- internals ------------------------------------------------------------
    def _read_sliders(self) -> Posture:
        return Posture(**{j: s.value for j, s in self.sliders.items()})

    def _show_step(self) -> None:
        proto = protocols.ALL[self.protocol]
        n = len(proto.steps)
        if self._step < 0:
            self.step_label.value = f"{proto.title}: {n} steps; press 'next step' to begin."
        else:
            self.step_label.value = (f"{proto.title}: step {self._step + 1} of {n}: "
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
        self._posture = self._posture.replace(**{joint: change["new"]})
        self._update(f"{name} {verb} to {change['new']:g}°")

    def _on_protocol(self, change) -> None:
        self._step = -1
        if self._view_fixed is None:
            self.view = protocols.ALL[change["new"]].view
        self._show_step()
        self._update(f"Protocol '{protocols.ALL[change['new']].title}' chosen")

    def _on_body(self, change) -> None:
        if self._hold:
            return
        self.body = Body(height_m=round(float(self.height.value), 2), mobility=self.mobility.value)
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
        what = (f"Height {self.body.height_m:.2f} m" if change["owner"] is self.height
                else f"Mobility '{self.body.mobility}'")
        self._update(what)  # the change is against the same posture in the old body

    def _paths(self, b: Body):
        """Pathways and their fixed run lengths for body ``b`` (mm), computed once per body."""
        cached = self._path_cache.get(b)
        if cached is None:
            nerve = nerve_pathway(b)
            muscles = {m: (muscle_pathway(m, b), muscle_pathway(m, b).run_length) for m in HAMSTRINGS}
            cached = self._path_cache[b] = (nerve, nerve.run_length, muscles)
        return cached

    def _update(self, what: str) -> None:
        """Recompute the numbers for the current posture once, redraw the figure, rewrite the text line.

        All numbers come from the library's pathways (the same ones
        :func:`neuralsim.nerve_bed_length` and :func:`neuralsim.muscle_length`
        sum), evaluated once for this posture; the figure reuses them.
        """
        p, b = self._posture, self.body
        d = drawing(p, b, self.view)
        angles = d["angles"]
        nerve, nerve_run, muscles = self._paths(b)
        deltas = {j: float(v) for j, v in nerve.deltas(angles).items()}
        bed = nerve_run + sum(deltas.values())
        muscles_mm = {m: run + sum(float(v) for v in path.deltas(angles).values())
                      for m, (path, run) in muscles.items()}
        ham = sum(muscles_mm.values()) / len(muscles_mm)
        rel = bed / nerve_run          # the reference is the anatomical position: every delta is 0
        mech = None
        if self._mech is not None:
            try:
                mech = self._mech(p, body=b)
            except TypeError:
                mech = None
        before = self.state or None
        bed0 = before["bed_mm"] if before else bed
        ham0 = before["hamstrings_mm"] if before else ham
        peak = None if mech is None else float(mech.peak_strain_pct)
        self.state = {"what": what, "posture": p, "bed_mm": bed, "relative_bed": rel,
                      "hamstrings_mm": ham, "bed_change_mm": bed - bed0, "hamstrings_change_mm": ham - ham0,
                      "contributions_mm": deltas, "peak_strain_pct": peak}
        numbers = {"bed_mm": bed, "relative_bed": rel, "muscles_mm": muscles_mm}
        fig = posture_svg(p, b, self.view, strain=mech, data=d, width_px=self._width, numbers=numbers)
        bars = contributions_svg(deltas, width_px=self._width)
        self.figure.value = f'<div style="display:flex;flex-wrap:wrap;gap:8px">{fig}{bars}</div>'
        line = change_text(what, bed0, bed, ham0, ham, rel, peak)
        self.text.value = f'<p role="status" aria-live="polite" style="font-size:1.05em">{line}</p>'
