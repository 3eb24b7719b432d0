"""The clinic: examine a hidden virtual patient in the explorer, answer with a choice.

The explorer's patient mode (notebook 07): :class:`PatientMode` is the hook
:class:`neuralsim.widgets.Explorer` calls on every slider move (it holds the
movement at the hidden person's stop, from :func:`neuralsim.movement_limit`,
and says, as data, where the body is marked with what is felt, :meth:`PatientMode.marks`,
which the view draws);
:class:`PatientExplorer` is the widget a student uses: pick a patient and a
test, move the sliders, answer (a hint first, from :data:`HINTS`), read what
gave it away for that patient (:func:`because`), then what four weeks of
hamstring stretching and a course of nerve glides would change, as far as
trials measured it (:data:`STRETCHING_TEXT`, :data:`GLIDES_TEXT`).

>>> from neuralsim import cases
>>> PatientMode(cases.CASES["stiff hip"]).held(cases.SLR_START)   # deg: person_stiff_hip_max_deg
45.0
"""
from __future__ import annotations

import hashlib
from html import escape
from typing import Any

import numpy as np

from . import _static
from ..limits import cases as _cases
from ..core import parameters as _p
from ..view import svg as _svg
from ..core.body import Body
from ..core.joints import JOINTS
from ..limits.stops import FELT_KEYS, HAMSTRING_FEEL, REGIONS, after_stretching, movement_limit
from ..limits.person import Person
from ..core.posture import Posture, as_posture
from ..teaching.exercises import worked_example as _worked_example

__all__ = ["HINTS", "STRETCHING_TEXT", "GLIDES_TEXT", "WORKED_EXAMPLE", "change_text",
           "PatientMode", "PatientExplorer", "EXPLORER_TESTS", "patients", "because", "felt_marks"]

# where each felt item is marked on the drawing: a joint of model.drawing, or halfway between two
_MARK_AT = {
    "joint range": ("hip",), "hamstrings": ("hip", "knee"), "lumbar_roots": ("l5_s1",), "hip": ("hip",),
    "mid_thigh": ("hip", "knee"), "popliteal": ("knee",), "ankle": ("ankle", "toe"),
}
# the kind of mark (neuralsim.view.svg.Mark) of each felt item; every other item is a nerve symptom
_MARK_KIND = {"joint range": "block", "hamstrings": "stretch"}

#: What four weeks of hamstring stretching changes, as far as the trials measured it (shown by
#: :meth:`PatientExplorer.show_stretching` once the patient's answer is known).
STRETCHING_TEXT = (
    "Four weeks of daily hamstring stretching raised the straight-leg raise by 17 deg in a trial of 12 "
    "healthy men, with no change in the force needed at the same angles: the stretch was tolerated further, "
    "the muscle was not measurably longer or less stiff (Ylinen et al. 2009). Another trial found a 31 % fall "
    "in passive stiffness after 4 weeks (Marshall et al. 2011), and a review concludes that short programmes "
    "mostly change stretch tolerance (Weppler & Magnusson 2010). Here the tolerance is raised by the amount "
    "that gives 17 deg more raise; the nerve is left as it was, because none of these trials measured it. "
    "No trial in this project's evidence gives a figure for one week, so one week is not modelled.")
#: What is (and is not) known of what a course of nerve glides changes (shown with :data:`STRETCHING_TEXT`).
GLIDES_TEXT = (
    "Nerve glides: the cadaver and ultrasound studies in this project's evidence show that sliders move the "
    "nerve more and strain it less than tensioners (Coppieters & Butler 2008; Coppieters et al. 2009; Ellis "
    "et al. 2012), but none of them measured what weeks of glides do to the range or the symptoms, so the "
    "model does not predict a change from them.")


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


# -- the explorer's patient mode ------------------------------------------------------------------

#: The explorer's tests: name -> (moving joint, direction, start posture, view).  The other
#: sliders (the neck, the ankle, ...) differentiate.
EXPLORER_TESTS: dict[str, tuple[str, int, Posture, str]] = {
    "straight-leg raise": ("hip_flexion", +1, _cases.SLR_START, "supine"),
    "slump": ("knee_flexion", -1, _cases.SLUMP_START, "sitting"),
}
_HOW = {"straight-leg raise": "lying on the back: raise the straight leg with the hip flexion slider",
        "slump": "sitting slumped, looking down: straighten the knee with the knee flexion slider"}
_SHORT = {   # a short word for each felt item, written beside its mark on the body
    "joint range": "firm block", "hamstrings": "stretch", "lumbar_roots": "deep burning",
    "hip": "deep burning", "mid_thigh": "burning line", "popliteal": "pulling, burning", "ankle": "tingling",
}
_JOINT_NAME = {"hip_flexion": "hip flexion", "knee_flexion": "knee flexion"}
# the body (1.75 m) and the slider ranges the patient mode always shows, whoever the patient is:
# the widest class, so that neither the height nor the range of the sliders tells a patient apart
_SHOWN_BODY = Body(mobility="hypermobile")


def change_text(change_deg: float) -> str:
    """A change of a stop as a student reads it: ``"no change"`` when it rounds to 0.0 deg, else
    ``"moves"`` and the change signed to a tenth of a degree with a true minus (``"moves \u22123.2\u00b0"``),
    never ``-0.0`` or float noise."""
    d = round(float(change_deg), 1) + 0.0
    return "no change" if d == 0.0 else ("moves " + f"{d:+.1f}\u00b0".replace("-", "\u2212"))


def held_angle(angle_deg: float, direction: int) -> float:
    """The whole degree a slider is held at for a stop at ``angle_deg`` (deg): the last whole
    degree before it (rounded towards the start), since the sliders move in 1-degree steps."""
    a = float(angle_deg)
    return float(np.floor(a + 1e-9) if direction > 0 else np.ceil(a - 1e-9))


#: The notebook's worked example: a hidden person who is none of the patients :func:`patients`
#: offers nor one of the named cases, on which the page shows the procedure (its answer is
#: printed there; the patients' answers are not).
WORKED_EXAMPLE = _worked_example()

#: The seed of the clinic's own list of patients (drawn from :func:`neuralsim.cases.class_set`).
CLINIC_SEED = 7


def patients(seed: int | None = None, student: int | None = None) -> dict[str, _cases.Patient]:
    """The patients the patient mode offers: label -> :class:`~neuralsim.cases.Patient`.

    The clinic's list: six patients of the class set of :data:`CLINIC_SEED` (the first
    one of each answer of :data:`neuralsim.cases.ANSWERS`, and a second one with a nerve
    problem), under neutral labels ``"Patient A"`` ... in an order fixed by a hash of
    their class label, so neither the label nor the order gives the answer away; they
    are not the named cases the notebook discusses by name.  With ``seed``, a class set's
    patients too (all of them, or only ``student``'s, 1-based), under their own labels
    (``"patient 07"``).
    """
    pool = _cases.class_set(CLINIC_SEED, 30)
    picked = [next(p for p in pool if p.answer == a) for a in _cases.ANSWERS]
    picked.append([p for p in pool if p.answer == "nerve"][1])
    picked.sort(key=lambda p: hashlib.sha256(p.label.encode()).hexdigest())
    out = {f"Patient {chr(ord('A') + i)}": p for i, p in enumerate(picked)}
    if seed is not None:
        klass = _cases.class_set(seed)
        if student is None:
            out.update({p.label: p for p in klass})
        else:
            if isinstance(student, bool) or not isinstance(student, int) or not 1 <= student <= len(klass):
                raise ValueError(f"student: {student!r} is not allowed; give 1 to {len(klass)}")
            p = klass[student - 1]
            out[p.label] = p
    elif student is not None:
        raise ValueError("student needs the class's seed too (seed=...)")
    return out


def _felt_grouped(symptoms) -> str:
    """What is felt, grouped by sensation (strongest first): "sensation (region, region); ..."."""
    groups: dict[str, list[str]] = {}
    for where, how in symptoms:
        groups.setdefault(how, []).append(where)
    return "; ".join(how if wheres == ["the joint that moved"] else f"{how} ({', '.join(wheres)})"
                     for how, wheres in groups.items()) or "nothing"


def _felt_words(symptoms) -> str:
    """What is felt, in words, strongest first (from a MovementLimit's ``symptoms``)."""
    return "; ".join(how if where == "the joint that moved" else f"{how} in the {where}"
                     for where, how in symptoms) or "nothing"


def felt_marks(felt: list, *, left: bool = False) -> tuple:
    """A :class:`neuralsim.view.svg.Mark` (data) for each felt item of
    :data:`~neuralsim.limits.FELT_KEYS` in ``felt``: where on the body it is felt (joints of the
    drawing), what it is, in words, and a short word to write beside it, above the mark or, with
    ``left`` (the sitting view), left of the marks at the back and buttock.  The view draws them
    (:func:`neuralsim.view.svg.marks_svg`)."""
    words = {"joint range": "firm block at the joint", "hamstrings": "hamstring stretch"}
    return tuple(_svg.Mark(kind=_MARK_KIND.get(key, "nerve"), place=_MARK_AT[key],
                           words=words.get(key) or f"{REGIONS[key][1]} in the {REGIONS[key][0]}",
                           short=_SHORT[key], side="left" if left and key in ("lumbar_roots", "hip") else "above",
                           key=key)
                 for key in felt)


class PatientMode:
    """The explorer's patient mode: a hidden patient, a test, and where the movement stops.

    The hook :class:`neuralsim.widgets.Explorer` calls (``patient_mode=``):
    :meth:`constrain` on every slider move and :meth:`annotate` on every update.
    ``patient``: a :class:`~neuralsim.cases.Patient` (or a single
    :class:`~neuralsim.Person`); ``test``: a key of :data:`EXPLORER_TESTS`;
    ``label``: what the student sees (default the patient's label).

    Rules (angles in degrees): every joint is kept inside the person's range;
    the test's joint (the hip in the straight-leg raise, the knee in the slump)
    is held at the stop :func:`neuralsim.movement_limit` gives from the test's
    start angle with every other joint where the sliders put it; moving another
    joint (neck, ankle) changes that stop, and if the test's joint is past the
    new stop it comes back to it (the leg comes down).  ``repr`` names the
    label and the test only, never the person's parameters or the answer.
    """

    def __init__(self, patient: Any, test: str = "straight-leg raise", label: str | None = None) -> None:
        self.findings: list[str] = []
        self.on_finding = None          # called with the new finding's text, if set
        self.set_patient(patient, label)
        self.set_test(test)

    def __repr__(self) -> str:
        return f"PatientMode({self.label!r}, test={self.test!r})"

    # -- choosing --------------------------------------------------------------
    def set_patient(self, patient: Any, label: str | None = None) -> None:
        if isinstance(patient, _cases.Patient):
            person, default = patient.person, patient.label
        elif isinstance(patient, Person) and not patient.shape:
            person, default = patient, "the patient"
        else:
            raise TypeError(f"patient must be a neuralsim.cases.Patient or a single Person, got {type(patient).__name__}")
        self._person = person
        self.label = default if label is None else str(label)
        self._cache: dict = {}
        self.findings = []
        self._last_moved: str | None = None

    def set_test(self, test: str) -> None:
        if test not in EXPLORER_TESTS:
            raise ValueError(f"unknown test {test!r}: choose one of {', '.join(EXPLORER_TESTS)}")
        self.test = test

    @property
    def joint(self) -> str:
        """The joint the test moves."""
        return EXPLORER_TESTS[self.test][0]

    @property
    def direction(self) -> int:
        return EXPLORER_TESTS[self.test][1]

    @property
    def view(self) -> str:
        return EXPLORER_TESTS[self.test][3]

    def start(self, test: str | None = None) -> Posture:
        """The start posture of ``test`` (a key of :data:`EXPLORER_TESTS`; default this mode's),
        every angle inside this person's range (deg)."""
        return _cases.seated_start(self._person, EXPLORER_TESTS[self.test if test is None else test][2])

    # -- the library's answer ---------------------------------------------------
    def limit(self, posture: Any):
        """:func:`neuralsim.movement_limit` of the test's joint from its start angle, the other joints
        as in ``posture`` (deg); cached per posture of the other joints."""
        p = self._inside(as_posture(posture))[0]
        start = p.replace(**{self.joint: float(getattr(self.start(), self.joint))},
                          pelvic_tilt=self.start().pelvic_tilt)      # the movement tilts it from there
        key = (self.test, tuple(round(float(getattr(start, j)), 6) for j in JOINTS))
        if key not in self._cache:
            if len(self._cache) > 256:
                self._cache.clear()
            self._cache[key] = movement_limit(start, self.joint, self._person, direction=self.direction)
        return self._cache[key]

    def _inside(self, p: Posture) -> tuple[Posture, list[str]]:
        moved, held = {}, []
        for j in JOINTS:
            if j == self.joint:
                continue
            lo, hi = (float(v[0]) for v in self._person.joint_range(j))
            a = float(getattr(p, j))
            if not lo <= a <= hi:
                moved[j] = min(max(a, lo), hi)
                held.append(f"{_svg.JOINT_LABELS[j]} {_svg.angle_text(moved[j])}°")
        return (p.replace(**moved) if moved else p), held

    def held(self, posture: Any) -> float:
        """Where the test's joint is held with the other joints as in ``posture``: the last whole
        degree before :meth:`limit`'s angle (deg, :func:`held_angle`)."""
        return held_angle(self.limit(posture).angle_deg, self.direction)

    def at_stop(self, posture: Any) -> bool:
        """True when the test's joint is at its held stop (or between it and the library's angle)."""
        a = float(getattr(as_posture(posture), self.joint))
        return self.direction * (a - self.held(posture)) >= -1e-9

    # -- the explorer's hook -----------------------------------------------------
    def constrain(self, posture: Posture, joint: str) -> tuple[Posture, str]:
        """The posture a slider move of ``joint`` may reach, and a note saying what was held (deg)."""
        p, held = self._inside(as_posture(posture))
        notes = [f"Held at the end of this patient's range: {', '.join(held)}."] if held else []
        a, stop = float(getattr(p, self.joint)), self.held(p)
        if self.direction * (a - stop) > 1e-9:
            p = p.replace(**{self.joint: stop})
            what = _JOINT_NAME[self.joint]
            if joint == self.joint:
                notes.append(f"Held at {what} {stop:.0f}°: the movement stops there for this patient.")
            else:
                notes.append(f"With {_svg.JOINT_LABELS[joint]} at {_svg.angle_text(getattr(p, joint))}° the movement "
                             f"now stops at {what} {stop:.0f}°: it came back to there.")
            self._log(p, joint)
        elif joint == self.joint and abs(a - stop) <= 1e-9:      # moved exactly onto the stop
            self._log(p, joint)
        return p, " ".join(notes)

    def _log(self, p: Posture, joint: str) -> None:
        """Write the stop reached into :attr:`findings` (a run of moves of one other joint, each bringing
        the movement back, is one finding: the last)."""
        r = self.limit(p)
        others = (f"neck flexion {_svg.angle_text(p.cervical_flexion)}°, "
                  f"ankle dorsiflexion {_svg.angle_text(p.ankle_dorsiflexion)}°")
        finding = (f"{self.test} ({others}): stops at {_JOINT_NAME[self.joint]} {self.held(p):.0f}°; "
                   f"felt: {_felt_words(r.symptoms)}")
        if finding in self.findings:
            return
        if joint != self.joint and self.findings and self._last_moved == joint:
            self.findings[-1] = finding
        else:
            self.findings.append(finding)
        self._last_moved = joint
        if self.on_finding is not None:
            self.on_finding(finding)

    def marks(self, posture: Any) -> tuple:
        """The marks (data, :class:`neuralsim.view.svg.Mark`) for the picture of ``posture`` (deg):
        none before the stop; at it, where each felt item is felt and where the movement stopped."""
        p = as_posture(posture)
        if not self.at_stop(p):
            return ()
        felt = [k for k, on in zip(FELT_KEYS, np.asarray(self.limit(p).felt)) if on]
        stop, what = self.held(p), _JOINT_NAME[self.joint]
        return felt_marks(felt, left=self.view == "sitting") + (_svg.Mark(
            kind="stop", place=("hip" if self.joint == "hip_flexion" else "knee",),
            words=f"The movement stops at {what} {stop:.0f}°", short=f"stops at {stop:.0f}°",
            side="toe" if self.view == "supine" else "ankle"),)

    def annotate(self, posture: Posture, drawing_data: dict) -> tuple[str, str]:
        """The explorer's hook: the marks of :meth:`marks` drawn by the view
        (:func:`neuralsim.view.svg.marks_svg` on the drawing's joints) and an HTML line for the
        text: where it stopped, what is felt where."""
        p = as_posture(posture)
        r = self.limit(p)
        what = _JOINT_NAME[self.joint]
        others = (f"neck flexion {_svg.angle_text(p.cervical_flexion)}°, "
                  f"ankle dorsiflexion {_svg.angle_text(p.ankle_dorsiflexion)}°")
        head = f"<b>{escape(self.label)}, {escape(self.test)}</b> ({escape(others)}): "
        if not self.at_stop(p):
            line = (f'<p class="neuralsim-patient-line" style="margin:2px 0;font-size:15px">{head}'
                    f'{what} {float(getattr(p, self.joint)):.0f}°. Not stopped yet: {escape(_HOW[self.test])}.</p>')
            return "", line
        stop = self.held(p)
        marks = _svg.marks_svg(self.marks(p), drawing_data["joints"])
        line = (f'<p class="neuralsim-patient-line neuralsim-patient-stop" style="margin:2px 0;font-size:15px;'
                f'border-left:6px solid #000;padding-left:6px">{head}<b>stops at {what} {stop:.0f}°</b>. '
                f'Felt: {escape(_felt_grouped(r.symptoms))}.</p>')
        return marks, line


def because(patient: _cases.Patient) -> str:
    """What gave the answer away for this patient, in words, with this patient's angles (deg).

    The tests of :func:`neuralsim.cases.examine` read with the rule of
    :func:`neuralsim.cases.identify` (the procedure the notebook teaches): only
    the findings that decide this patient's answer are named, with the stops as
    the sliders hold them (:func:`held_angle`).
    """
    f = _cases.examine(patient)
    slr, ankle, neck, rel, slump = f["slr"], f["slr_ankle"], f["slr_neck"], f["slr_released"], f["slump"]
    normal = _p.value("slr_normal_min_deg")
    muscle = tuple(HAMSTRING_FEEL)       # the registry's words for the hamstrings' stretch
    stop = held_angle(slr.angle_deg, +1)
    first = f"The plain straight-leg raise stopped at {stop:.0f}°"
    if slr.limited_by == "joint range" and slr.angle_deg < 90.0:
        return (f"{first} at a firm block with no stretch felt, far short of a normal hip's range, and neither "
                "the neck nor the ankle changed it: the hip joint itself is stiff.")
    if slr.angle_deg >= normal:
        return (f"{first}, a normal range ({normal:.0f}° or more), so nothing is short: the first limit is "
                f"the ordinary end of the tolerance ({_felt_words(slr.symptoms[:1])}).")
    cues = []
    if slr.symptoms[:1] != (muscle,):
        cues.append(f"what was felt most at its stop was a nerve symptom ({_felt_words(slr.symptoms[:1])}), "
                    "not the broad stretch of a muscle")
    if slr.symptoms[:1] == (muscle,) and slump.results[0].symptoms[:1] != (muscle,):
        cues.append(f"sitting slumped with the neck bent, what was felt most was a nerve symptom "
                    f"({_felt_words(slump.results[0].symptoms[:1])})")
    for d, what, direction in ((neck, "bending the neck 40°", +1), (ankle, "pulling the ankle up 10°", +1),
                               (slump, "looking up in the slump", -1)):
        if d.nerve_involved():
            a0, a1 = (held_angle(x, direction) for x in d.angle_deg[[0, -1]])
            cues.append(f"{what} moved the stop from {a0:.0f}° to {a1:.0f}°, more than the {d.mdd_deg:g}° a "
                        "re-measurement can differ by, and the hamstrings do not cross that joint")
    r = held_angle(rel.angle_deg, +1)
    short = rel.angle_deg < normal and rel.symptoms[:1] == (muscle,)
    parts = [f"{first} (short of {normal:.0f}°)."]
    if cues:
        parts.append("The nerve takes part: " + "; ".join(cues) + ".")
    else:
        parts.append("Neither the neck nor the ankle moved the stop by more than measurement error, and the stretch "
                     "in the back of the thigh was what was felt: nothing points to the nerve.")
    if short:
        parts.append(f"With the nerve slackened (neck back, foot pointed) the raise still stopped at {r:.0f}° "
                     "with a broad stretch in the back of the thigh felt most: the hamstrings are short"
                     + (" as well." if cues else "."))
    else:
        parts.append(f"With the nerve slackened (neck back, foot pointed) the raise reached {r:.0f}° and what was "
                     f"felt most was {_felt_words(rel.symptoms[:1])}, not a hamstring stretch: the hamstrings "
                     "are not what stops it.")
    return " ".join(parts)


_PATIENT_CSS = "<style>\n" + _static("patient.css") + "</style>"


class PatientExplorer:
    """The explorer in patient mode (ipywidgets): pick a patient and a test, move sliders, answer.

    ``PatientExplorer()`` offers the clinic's six patients under neutral labels
    (:func:`patients`); ``seed``/``student`` add the class set's patients.
    The figure is :class:`neuralsim.widgets.Explorer`'s, with
    :class:`PatientMode` as its hook: a slider moved past the patient's stop is
    held there, and the stop and what is felt where are marked on the body and
    said in the text line.  The answer is a choice of
    :data:`neuralsim.cases.ANSWERS`; a wrong one gets a hint first, a right one
    (or a second wrong one) the answer and what gave it away (:func:`because`).
    Once the answer is known, the button ``stretch`` appears: what four weeks of
    hamstring stretching and a course of nerve glides would change for this
    patient, as far as trials measured it (:meth:`show_stretching`); before
    that it is hidden, since a raise that stretching lengthens would give the
    answer away.  Attributes: ``explorer``, ``mode``, ``patient`` and ``test``
    (dropdowns), ``answer``, ``check``, ``feedback``, ``stretch``,
    ``stretch_out``, ``findings_box``, ``widget``.
    """

    def __init__(self, seed: int | None = None, student: int | None = None, *, height_px: int = 430) -> None:
        import ipywidgets as w
        from .widgets import Explorer

        self.patients = patients(seed, student)
        names = list(self.patients)
        if student is not None:              # the student's own patient first
            names = [names[-1]] + names[:-1]
        first = self.patients[names[0]]
        self.mode = PatientMode(first, "straight-leg raise", label=names[0])
        self.mode.on_finding = lambda _f: self._show_findings()
        self.explorer = Explorer("slr", body=_SHOWN_BODY, posture=self.mode.start(), view=self.mode.view,
                                 presets={}, protocols=["slr"], height_px=height_px, patient_mode=self.mode)
        ex = self.explorer
        for hidden in (ex.protocol_select, ex.step_label, ex.prev_button, ex.next_button, ex.height,
                       ex.mobility, ex.reset_button, ex.pelvis, ex.pelvis_follows):
            hidden.layout.display = "none"
        ex.prev_button.disabled = ex.next_button.disabled = True    # the n / p keys step nothing
        self.patient = w.Dropdown(options=names, value=names[0], description="Patient",
                                  layout=w.Layout(width="240px"), style={"description_width": "60px"})
        self.test = w.Dropdown(options=list(EXPLORER_TESTS), value="straight-leg raise", description="Test",
                               layout=w.Layout(width="260px"), style={"description_width": "40px"})
        self.restart = w.Button(description="back to the start position",
                                tooltip="the test's start posture for this patient", layout=w.Layout(width="auto"))
        self.how = w.HTML()
        self.patient.add_class("neuralsim-patient-select")
        self.test.add_class("neuralsim-test-select")
        self.restart.add_class("neuralsim-restart")
        self.findings_box = w.HTML()
        self.findings_box.add_class("neuralsim-patient-findings")
        self.answer = w.RadioButtons(options=list(_cases.ANSWERS), value=None, description="What limits?",
                                     layout=w.Layout(width="auto"), style={"description_width": "90px"})
        self.check = w.Button(description="Check my answer", button_style="primary", layout=w.Layout(width="160px"))
        self.feedback = w.HTML()
        self.answer.add_class("neuralsim-patient-answer")
        self.check.add_class("neuralsim-patient-check")
        self.feedback.add_class("neuralsim-patient-feedback")
        self.stretch = w.Button(description="4 weeks of hamstring stretching?", layout=w.Layout(width="auto"))
        self.stretch_out = w.HTML()
        self.stretch.add_class("neuralsim-patient-stretch")
        self.stretch_out.add_class("neuralsim-patient-stretch-out")
        self.stretch.on_click(lambda _b: self.show_stretching())
        self.stretch.layout.display = "none"     # shown once the answer is known (_answered)
        self.wrong = 0
        self.patient.observe(lambda ch: self.choose_patient(ch["new"]), names="value")
        self._refused = False
        self.test.observe(lambda ch: None if self._refused else self.choose_test(ch["new"]), names="value")
        self.restart.on_click(lambda _b: self.choose_test(self.test.value))
        self.check.on_click(lambda _b: self.check_answer())
        bar = w.HBox([self.patient, self.test, self.restart, self.how],
                     layout=w.Layout(flex_flow="row wrap", align_items="center"))
        bar.add_class("neuralsim-patient-bar")
        answer = w.VBox([w.HBox([self.answer, self.check], layout=w.Layout(flex_flow="row wrap",
                                                                            align_items="center")),
                         self.feedback, self.stretch, self.stretch_out], layout=w.Layout(width="100%"))
        self.widget = w.VBox([w.HTML(_PATIENT_CSS), bar, ex.widget, answer, self.findings_box])
        self.widget.add_class("neuralsim-patient-explorer")
        self.explorer.widget.add_class("neuralsim-patient")
        self._show_how()
        self._show_findings()

    def __repr__(self) -> str:
        return f"PatientExplorer(patient={self.patient.value!r}, test={self.test.value!r})"

    def _ipython_display_(self):  # pragma: no cover - display hook
        from IPython.display import display
        display(self.widget)

    def _show_how(self) -> None:
        self.how.value = f'<span style="font-size:14px">{escape(_HOW[self.test.value])}; neck and ankle differentiate.</span>'

    def _show_findings(self) -> None:
        items = "".join(f"<li>{escape(f)}</li>" for f in self.mode.findings)
        self.findings_box.value = (f"<p style='margin:2px 0'><b>Findings for {escape(self.patient.value)}</b> "
                                   "(each stop you reach is written here):</p>"
                                   + (f"<ul style='margin:0'>{items}</ul>" if items else
                                      "<p style='margin:2px 0'>none yet.</p>"))

    def choose_patient(self, label: str) -> None:
        """A new patient: back to the test's start, findings, answer and feedback cleared."""
        if label not in self.patients:
            raise ValueError(f"unknown patient {label!r}: choose one of {', '.join(self.patients)}")
        if self.patient.value != label:
            self.patient.value = label       # comes back here through the observer
            return
        self.mode.set_patient(self.patients[label], label)
        self.wrong = 0
        self.answer.value = None
        self.feedback.value = ""
        self.stretch_out.value = ""
        self.stretch.layout.display = "none"
        self._show_findings()
        self.mode.set_test("straight-leg raise")
        if self.test.value != "straight-leg raise":
            self.test.value = "straight-leg raise"      # comes back to choose_test through the observer
        else:
            self.choose_test("straight-leg raise")

    def choose_test(self, test: str) -> None:
        """Start ``test`` (a key of :data:`EXPLORER_TESTS`) from its start posture."""
        if test not in EXPLORER_TESTS:
            raise ValueError(f"unknown test {test!r}: choose one of {', '.join(EXPLORER_TESTS)}")
        if self.test.value != test:
            self.test.value = test           # comes back here through the observer
            return
        view = EXPLORER_TESTS[test][3]
        seat = self.mode.start(test)
        if not _svg.support_fits(seat, view):
            # a hip that cannot bend far enough to sit: this patient cannot be examined sitting
            back = self.mode.test
            self.how.value = (f'<span style="font-size:14px"><b>This patient cannot sit up for the {escape(test)}:</b> '
                              "the hip does not bend far enough to sit on the plinth. Examine lying down.</span>")
            if back != test:
                self._refused = True
                self.test.value = back
                self._refused = False
            return
        self.mode.set_test(test)
        self._show_how()
        self.explorer.set_posture(self.mode.start(), f"{self.mode.label}: {test}, start position",
                                  view=self.mode.view, anchor="since start")

    def move(self, joint: str, angle_deg: float) -> float:
        """Move one slider as a student would (deg); returns where it was held."""
        s = self.explorer.sliders[joint]
        s.value = min(max(float(angle_deg), s.min), s.max)
        return float(s.value)

    def check_answer(self, answer: str | None = None) -> bool:
        """Compare the chosen answer with the hidden one; a hint first, then the answer; always a because."""
        a = self.answer.value if answer is None else answer
        if a is None:
            self.feedback.value = "<p>Choose an answer first.</p>"
            return False
        if a not in _cases.ANSWERS:
            raise ValueError(f"answer {a!r} is not one of {', '.join(_cases.ANSWERS)}")
        current = self.patients[self.patient.value]
        truth = current.answer
        if a == truth:
            self.feedback.value = f"<p><b>Right: {escape(truth)}.</b> Because: {escape(because(current))}</p>"
            self.stretch.layout.display = None
            return True
        self.wrong += 1
        if self.wrong < 2:   # a hint first, never the answer first
            self.feedback.value = f"<p><b>Not quite.</b> {escape(HINTS[truth])}</p>"
        else:
            self.feedback.value = (f"<p><b>Not quite:</b> this patient's answer is <b>{escape(truth)}</b>. "
                                   f"Because: {escape(because(current))}</p>")
            self.stretch.layout.display = None
        return False

    def show_stretching(self) -> tuple[float, float]:
        """This patient's straight-leg raise before and after 4 weeks of hamstring stretching (deg),
        as far as the trials go (:func:`neuralsim.limits.after_stretching`, Ylinen et al. 2009), with
        :data:`STRETCHING_TEXT` and :data:`GLIDES_TEXT` (the ``stretch`` button, after the answer)."""
        person = self.patients[self.patient.value].person
        before = movement_limit(_cases.SLR_START, "hip_flexion", person).angle_deg
        after = movement_limit(_cases.SLR_START, "hip_flexion", after_stretching(person, 4)).angle_deg
        # as the slider holds them (the last whole degree before the stop), so the text and the held
        # slider agree (a stop at 33.9 deg is held at 33, not called 34)
        shown_before, shown_after = held_angle(before, +1), held_angle(after, +1)
        self.stretch_out.value = (
            f"<p>This patient's straight-leg raise: {shown_before:.0f}° now, {shown_after:.0f}° after 4 weeks of daily "
            f"hamstring stretching.</p><p>{escape(STRETCHING_TEXT)}</p><p>{escape(GLIDES_TEXT)}</p>")
        return before, after

