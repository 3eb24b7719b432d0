"""The clinic: examine a virtual patient with buttons, answer with buttons.

:func:`stop_summary` is what the explorer's "patient" mode needs for one posture
and one person: where the movement stops, what stops it, and which regions
are felt (plain data, no widgets).  :func:`stop_svg` draws the stop posture
with :mod:`neuralsim.svg` and marks where it is felt, at points of the same
geometry.  :class:`Clinic` is the widget of notebook 07: pick a patient, run
the straight-leg raise and the slump, differentiate with neck and ankle,
choose an answer, and read what gave it away.

>>> s = stop_summary({"hip_flexion": 0}, "hip_flexion")
>>> s["limited_by"], round(s["angle_deg"])
('hamstrings', 64)
"""
from __future__ import annotations

from html import escape
from typing import Any

import numpy as np

from . import cases as _cases
from . import svg as _svg
from .limits import FELT_KEYS, REGIONS, after_stretching, movement_limit
from .model import drawing
from .person import Person

__all__ = ["stop_summary", "stop_svg", "Clinic", "TESTS", "HINTS", "STRETCHING_TEXT", "GLIDES_TEXT"]

# where each felt item is marked on the drawing: a joint of model.drawing, or halfway between two
_MARK_AT = {
    "joint range": ("hip",), "hamstrings": ("hip", "knee"), "lumbar_roots": ("l5_s1",), "hip": ("hip",),
    "mid_thigh": ("hip", "knee"), "popliteal": ("knee",), "ankle": ("ankle", "toe"),
}
_MARK_STYLE = {   # Okabe-Ito colours, each with a second cue (shape)
    "joint range": ("#000000", "square"), "hamstrings": ("#CC79A7", "ring"),
}
_NERVE_MARK = ("#D55E00", "star")

#: The clinic's tests: name -> (start posture, moving joint, direction, view).
TESTS: dict[str, tuple] = {
    "straight-leg raise": (_cases.SLR_START, "hip_flexion", +1, "supine"),
    "straight-leg raise, ankle dorsiflexed 10 deg": (
        _cases.SLR_START.replace(ankle_dorsiflexion=10.0), "hip_flexion", +1, "supine"),
    "straight-leg raise, neck flexed 40 deg": (
        _cases.SLR_START.replace(cervical_flexion=40.0), "hip_flexion", +1, "supine"),
    "straight-leg raise, nerve slackened (neck extended, foot pointed)": (
        _cases.RELEASED_SLR_START, "hip_flexion", +1, "supine"),
    "slump: straighten the knee, looking down": (_cases.SLUMP_START, "knee_flexion", -1, "sitting"),
    "slump: straighten the knee, looking up": (
        _cases.SLUMP_START.replace(cervical_flexion=-20.0), "knee_flexion", -1, "sitting"),
}

STRETCHING_TEXT = (
    "Four weeks of daily hamstring stretching raised the straight-leg raise by 17 deg in a trial of 12 "
    "healthy men, with no change in the force needed at the same angles: the stretch was tolerated further, "
    "the muscle was not measurably longer or less stiff (Ylinen et al. 2009). Another trial found a 31 % fall "
    "in passive stiffness after 4 weeks (Marshall et al. 2011), and a review concludes that short programmes "
    "mostly change stretch tolerance (Weppler & Magnusson 2010). Here the tolerance is raised by the amount "
    "that gives 17 deg more raise; the nerve is left as it was, because none of these trials measured it. "
    "No trial in this project's evidence gives a figure for one week, so one week is not modelled.")
GLIDES_TEXT = (
    "Nerve glides: the cadaver and ultrasound studies in this project's evidence show that sliders move the "
    "nerve more and strain it less than tensioners (Coppieters & Butler 2008; Coppieters et al. 2009; Ellis "
    "et al. 2012), but none of them measured what weeks of glides do to the range or the symptoms, so the "
    "model does not predict a change from them.")


#: The key to the marks on the stop picture (shape and colour, so colour is never the only cue).
MARK_KEY = ("<p style='margin:0'>solid line: the nerve's bed (blue: strain under 8 %); dashed pink: the hamstrings<br>"
            "<span style='color:#D55E00'>&#9733;</span> nerve symptoms &nbsp; "
            "<span style='color:#CC79A7'>&#9676;</span> hamstring stretch &nbsp; "
            "<span style='color:#000000'>&#9632;</span> firm block at the joint</p>")

#: A hint for a wrong answer, by the right answer (given before the answer itself).
HINTS: dict[str, str] = {
    "nerve": ("Compare the raise with the neck flexed or the ankle dorsiflexed with the plain raise: the "
              "hamstrings cross neither joint. Did the stop move? And with the nerve slackened?"),
    "hamstrings": ("Did flexing the neck or dorsiflexing the ankle move the stop at all? Where does the raise stop "
                   "with the nerve slackened from both ends, and what is felt there?"),
    "both": ("Two questions: does the neck or the ankle move the stop, and does the raise with the nerve "
             "slackened still stop short with a stretch in the back of the thigh?"),
    "stiff hip": "What was felt at the stop: a stretch, or a firm block with nothing felt at the back of the leg?",
    "neither": "Compare the stopping angle with a normal straight-leg raise (50 deg or more).",
}


def stop_summary(start: Any, joint: str, person: Person | None = None, *, direction: int = +1) -> dict:
    """Where the movement of ``joint`` from ``start`` stops for one person, as plain data.

    Keys: ``angle_deg`` (deg), ``limited_by`` (``"hamstrings"``, ``"nerve"``,
    ``"joint range"``), ``felt`` (list of :data:`~neuralsim.limits.FELT_KEYS`
    items felt), ``symptoms`` (list of ``(region, sensation)``, strongest
    first), ``posture`` (the stop posture), ``body`` (the person's
    :class:`~neuralsim.Body`, for drawing), ``text`` (one sentence).  For the
    explorer's patient mode.
    """
    if person is not None and (not isinstance(person, Person) or person.shape):
        raise TypeError("stop_summary takes a single neuralsim.Person (or None for the typical person)")
    r = movement_limit(start, joint, person, direction=direction)
    body = (Person() if person is None else person).body()
    return {"angle_deg": r.angle_deg, "limited_by": r.limited_by, "body": body,
            "felt": [k for k, on in zip(FELT_KEYS, r.felt) if on], "symptoms": list(r.symptoms),
            "posture": r.posture(), "text": r.describe()}


def _mark(x: float, y: float, colour: str, shape: str, label: str) -> str:
    t = f"<title>{escape(label)}</title>"
    if shape == "square":
        return f'<rect x="{x - 30:.0f}" y="{-y - 30:.0f}" width="60" height="60" fill="{colour}" opacity="0.8">{t}</rect>'
    if shape == "ring":
        return (f'<circle cx="{x:.0f}" cy="{-y:.0f}" r="48" fill="none" stroke="{colour}" stroke-width="16" '
                f'stroke-dasharray="20 10">{t}</circle>')
    pts = []
    for k in range(10):
        r = 50 if k % 2 == 0 else 22
        a = np.pi / 2 + k * np.pi / 5
        pts.append(f"{x + r * np.cos(a):.0f},{-y - r * np.sin(a):.0f}")
    return f'<polygon class="felt-mark" points="{" ".join(pts)}" fill="{colour}" opacity="0.9">{t}</polygon>'


def stop_svg(summary: dict, view: str = "supine", width_px: int = 380) -> str:
    """The stop posture drawn by :func:`neuralsim.svg.posture_svg`, with marks where it is felt.

    Orange stars: nerve symptoms (at the buttock, the back of the thigh, behind
    the knee, in the foot); a dashed pink ring: hamstring stretch in the back
    of the thigh; a black square: a firm block at the joint.  Each mark has a
    ``<title>`` naming what is felt.
    """
    p = summary["posture"]
    body = summary.get("body")
    d = drawing(p, body, view=view)
    desc = "Stop posture. " + summary["text"]
    picture = _svg.posture_svg(p, body, view=view, width_px=width_px, data=d, desc=desc, legend=False,
                            title="Where the movement stopped and where it is felt")
    joints = d["joints"]
    marks = []
    words = {"joint range": "firm block at the joint", "hamstrings": "hamstring stretch"}
    for key in summary["felt"]:
        pts = [np.asarray(joints[j]) for j in _MARK_AT[key]]
        x, y = np.mean(pts, axis=0)
        colour, shape = _MARK_STYLE.get(key, _NERVE_MARK)
        label = words.get(key) or f"{REGIONS[key][1]} in the {REGIONS[key][0]}"
        marks.append(_mark(float(x), float(y), colour, shape, label))
    return picture.replace("</svg>", "".join(marks) + "</svg>")


class Clinic:
    """The widget of notebook 07 (ipywidgets): examine a patient, answer, get feedback.

    ``Clinic()`` offers the named cases; ``Clinic(seed=..., student=...)``
    adds the class set's patient for that student (the teacher reproduces
    the class with :func:`neuralsim.cases.class_set`).  ``.widget`` is the
    box to display (the object displays itself too).
    """

    def __init__(self, seed: int | None = None, student: int | None = None) -> None:
        import ipywidgets as w
        self._w = w
        self.patients: dict[str, _cases.Patient] = dict(_cases.CASES)
        if seed is not None:
            klass = _cases.class_set(seed)
            if student is None:
                for p in klass:
                    self.patients[p.label] = p
            else:
                if isinstance(student, bool) or not isinstance(student, int) or not 1 <= student <= len(klass):
                    raise ValueError(f"student: {student!r} is not allowed; give 1 to {len(klass)}")
                p = klass[student - 1]
                self.patients[p.label] = p
        names = list(self.patients)
        self.patient = w.Dropdown(options=names, value=names[0], description="Patient",
                                  layout=w.Layout(width="540px"))
        self.test = w.Dropdown(options=list(TESTS), value=list(TESTS)[0], description="Test",
                               layout=w.Layout(width="540px"))
        self.run = w.Button(description="Run the test", button_style="primary", layout=w.Layout(width="160px"))
        self.picture = w.HTML()
        self.log = w.HTML()
        self.answer = w.RadioButtons(options=list(_cases.ANSWERS), value=None,
                                     description="What limits?", layout=w.Layout(width="420px"))
        self.check = w.Button(description="Check my answer", layout=w.Layout(width="160px"))
        self.feedback = w.HTML()
        self.stretch = w.Button(description="4 weeks of hamstring stretching?", layout=w.Layout(width="260px"))
        self.stretch_out = w.HTML()
        self.findings: list[str] = []
        self.run.on_click(lambda _: self.run_test())
        self.check.on_click(lambda _: self.check_answer())
        self.stretch.on_click(lambda _: self.show_stretching())
        self.patient.observe(lambda _: self.reset(), names="value")
        left = w.VBox([self.patient, w.HBox([self.test]), self.run, self.picture],
                      layout=w.Layout(width="560px"))
        right = w.VBox([self.log, self.answer, self.check, self.feedback, self.stretch, self.stretch_out],
                       layout=w.Layout(width="560px"))
        self.widget = w.HBox([left, right], layout=w.Layout(flex_flow="row wrap"))
        self.widget.add_class("neuralsim-clinic")
        self.log.add_class("neuralsim-clinic-log")
        self.feedback.add_class("neuralsim-clinic-feedback")
        self.picture.add_class("neuralsim-clinic-figure")
        self.reset()

    def _ipython_display_(self):  # pragma: no cover - display hook
        from IPython.display import display
        display(self.widget)

    @property
    def current(self) -> _cases.Patient:
        return self.patients[self.patient.value]

    def reset(self) -> None:
        """New patient: clear the findings, the answer and the feedback."""
        self.findings = []
        self.wrong = 0
        self.log.value = "<p>Findings: no tests run yet for this patient.</p>"
        self.picture.value = ""
        self.answer.value = None
        self.feedback.value = ""
        self.stretch_out.value = ""

    def run_test(self, name: str | None = None) -> dict:
        """Run one test of :data:`TESTS` (the selected one by default); show and log what it shows."""
        name = self.test.value if name is None else name
        if name not in TESTS:
            raise ValueError(f"unknown test {name!r}: choose one of {', '.join(TESTS)}")
        start, joint, direction, view = TESTS[name]
        fitted = _cases.seated_start(self.current.person, start)   # a stiff hip sits as far as it goes
        s = stop_summary(fitted, joint, self.current.person, direction=direction)
        self.picture.value = stop_svg(s, view) + MARK_KEY
        felt = "; ".join(f"{how} ({where})" for where, how in s["symptoms"]) or "nothing"
        what = "knee flexion" if joint == "knee_flexion" else "hip flexion"
        line = (f"<li><b>{escape(name)}</b>: stops at {what} {s['angle_deg']:.0f} deg; felt (strongest first): "
                f"{escape(felt)}</li>")
        self.findings.append(line)
        self.log.value = "<p>Findings:</p><ul>" + "".join(self.findings) + "</ul>"
        return s

    def check_answer(self, answer: str | None = None) -> bool:
        """Compare the chosen answer with the patient's; show why (what gave it away)."""
        a = self.answer.value if answer is None else answer
        if a is None:
            self.feedback.value = "<p>Choose an answer first.</p>"
            return False
        if a not in _cases.ANSWERS:
            raise ValueError(f"answer {a!r} is not one of {', '.join(_cases.ANSWERS)}")
        truth = self.current.answer
        if a == truth:
            self.feedback.value = f"<p>Right. {escape(_cases.EXPLANATIONS[truth])}</p>"
            return True
        self.wrong += 1
        if self.wrong < 2:   # a hint first, never the answer first
            self.feedback.value = f"<p>Not quite. {escape(HINTS[truth])}</p>"
        else:
            self.feedback.value = (f"<p>Not quite: this patient's answer is <b>{escape(truth)}</b>. "
                                   f"{escape(_cases.EXPLANATIONS[truth])}</p>")
        return False

    def show_stretching(self) -> tuple[float, float]:
        """Straight-leg raise before and after 4 weeks of hamstring stretching (Ylinen et al. 2009)."""
        person = self.current.person
        before = movement_limit(_cases.SLR_START, "hip_flexion", person)
        after = movement_limit(_cases.SLR_START, "hip_flexion", after_stretching(person, 4))
        self.stretch_out.value = (
            f"<p>Straight-leg raise now {before.angle_deg:.0f} deg (limited by the {escape(before.limited_by)}); "
            f"after 4 weeks of stretching {after.angle_deg:.0f} deg (limited by the {escape(after.limited_by)}).</p>"
            f"<p>{escape(STRETCHING_TEXT)}</p><p>{escape(GLIDES_TEXT)}</p>")
        return before.angle_deg, after.angle_deg
