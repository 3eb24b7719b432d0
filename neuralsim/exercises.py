"""Exercises for the notebooks, checked at once against the model.

Each exercise has a key, the notebook it belongs to, a question, and an
answer that is *computed from the library* when a learner's answer is checked
(never typed in here), so the exercises stay right if a parameter changes.

>>> from neuralsim import exercises
>>> print(exercises.check("ham_neck_40", 0).correct)
True

:func:`check` returns a :class:`Feedback`: right or wrong, with a hint when
wrong.  The answer itself is never shown on the first try; after
:data:`REVEAL_AFTER` wrong tries at the same exercise the feedback points to
the worked solution (teachers: ``notebooks/teacher/solutions.ipynb`` or
:func:`solution`).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from html import escape
from typing import Any, Callable, Sequence

from .joints import JOINTS

__all__ = ["Exercise", "Feedback", "EXERCISES", "REVEAL_AFTER", "ask", "check", "solution",
           "for_notebook", "reset_attempts"]

#: Wrong tries at one exercise after which the feedback offers the worked solution.
REVEAL_AFTER = 3


@dataclass
class Feedback:
    """Result of checking an answer: ``correct`` (bool, or None when no answer was given) and a message."""

    key: str
    correct: bool | None
    message: str

    def __bool__(self) -> bool:
        return bool(self.correct)

    def __repr__(self) -> str:
        mark = {True: "RIGHT", False: "NOT YET", None: "NO ANSWER"}[self.correct]
        return f"{mark}: {self.message}"

    def _repr_html_(self) -> str:
        colour = {True: "#009E73", False: "#D55E00", None: "#666666"}[self.correct]
        mark = {True: "Right", False: "Not yet", None: "No answer yet"}[self.correct]
        return (f'<div role="status" style="border-left:6px solid {colour};padding:4px 8px">'
                f'<b>{mark}.</b> {escape(self.message)}</div>')


@dataclass
class Exercise:
    """One exercise.

    ``kind``: ``"number"`` (answer a float, right within ``tolerance`` in ``unit``),
    ``"choice"`` (one of ``choices()``), or ``"joints"`` (a set of joint names).
    ``answer()`` computes the right answer from the library; ``hints`` are shown
    in turn on wrong tries; ``working()`` explains the answer (solutions only).
    """

    key: str
    notebook: str
    question: str
    kind: str
    answer: Callable[[], Any]
    hints: Sequence[str]
    working: Callable[[], str]
    tolerance: float = 0.0
    unit: str = ""
    choices: Callable[[], Sequence[str]] | None = None

    def _normalise(self, given: Any) -> Any:
        if self.kind == "number":
            if isinstance(given, bool) or not isinstance(given, (int, float)) or not math.isfinite(given):
                try:
                    given = float(given)
                except (TypeError, ValueError):
                    raise ValueError(f"{self.key}: give a number in {self.unit}, not {given!r}") from None
                if not math.isfinite(given):
                    raise ValueError(f"{self.key}: give a finite number in {self.unit}")
            return float(given)
        if self.kind == "choice":
            opts = list(self.choices())
            text = str(given).strip().casefold()
            exact = [o for o in opts if o.casefold() == text]
            if exact:
                return exact[0]
            starts = [o for o in opts if o.casefold().startswith(text)] if text else []
            if len(starts) == 1:
                return starts[0]
            raise ValueError(f"{self.key}: choose one of: " + "; ".join(repr(o) for o in opts))
        if self.kind == "joints":
            if isinstance(given, str):
                given = [given]
            from .svg import JOINT_LABELS
            by_label = {v: k for k, v in JOINT_LABELS.items()}
            out = set()
            for g in given:
                g = str(g).strip()
                name = g if g in JOINTS else by_label.get(g.replace("_", " "))
                if name is None:
                    raise ValueError(f"{self.key}: {g!r} is not a joint; use names from {', '.join(JOINTS)}")
                out.add(name)
            return frozenset(out)
        raise ValueError(f"unknown exercise kind {self.kind!r}")  # pragma: no cover

    def is_right(self, given: Any) -> bool:
        value = self._normalise(given)
        right = self.answer()
        if self.kind == "number":
            return abs(value - float(right)) <= self.tolerance
        if self.kind == "joints":
            return value == frozenset(right)
        return value == right

    def check(self, given: Any) -> Feedback:
        return check(self.key, given)


_attempts: dict[str, int] = {}


def reset_attempts() -> None:
    """Forget every wrong try (for a fresh start)."""
    _attempts.clear()


def check(key: str, given: Any) -> Feedback:
    """Check ``given`` against exercise ``key``; right/wrong with a hint, never the answer on the first try."""
    ex = _get(key)
    if given is None or (isinstance(given, (str, list, tuple, set, frozenset)) and len(given) == 0):
        return Feedback(key, None, "Replace None with your answer and run the cell again. " + _format_hint(ex))
    try:
        ok = ex.is_right(given)
    except ValueError as e:
        return Feedback(key, False, f"That answer has the wrong form: {e}")
    if ok:
        _attempts.pop(key, None)
        return Feedback(key, True, "Well done: that matches the model.")
    n = _attempts.get(key, 0) + 1
    _attempts[key] = n
    hint = ex.hints[min(n - 1, len(ex.hints) - 1)]
    msg = f"Not what the model gives. Hint: {hint}"
    if n >= REVEAL_AFTER:
        msg += (f" (After {n} tries: ask your teacher, or run neuralsim.exercises.solution({key!r}) "
                "to see the worked answer.)")
    return Feedback(key, False, msg)


def _format_hint(ex: Exercise) -> str:
    if ex.kind == "number":
        return f"Give a number in {ex.unit}."
    if ex.kind == "choice":
        return "Choose one of: " + "; ".join(repr(o) for o in ex.choices()) + "."
    return "Give a list of joint names such as ['hip_flexion']."


def ask(key: str) -> str:
    """The question of exercise ``key`` (with the form the answer should take)."""
    ex = _get(key)
    tol = f" (counted right within ±{ex.tolerance:g} {ex.unit})" if ex.kind == "number" and ex.tolerance else ""
    return f"{ex.question}{tol} {_format_hint(ex)}"


def solution(key: str) -> str:
    """The worked answer of exercise ``key`` (for teachers and after several tries)."""
    ex = _get(key)
    return ex.working()


def for_notebook(notebook: str) -> list[Exercise]:
    """Exercises of one notebook (its file name without ``.ipynb``)."""
    return [e for e in EXERCISES.values() if e.notebook == notebook]


def _get(key: str) -> Exercise:
    try:
        return EXERCISES[key]
    except KeyError:
        raise ValueError(f"no exercise {key!r}; the exercises are {', '.join(EXERCISES)}") from None


# -- the answers, computed from the library ---------------------------------------

def _bed(p):
    from .model import nerve_bed_length
    return nerve_bed_length(p)


def _sitting_change():
    from . import protocols
    from .posture import Posture
    return _bed(protocols.SITTING) - _bed(Posture())


def _nerve_not_hamstring():
    from .analysis import crossed_joints
    return set(crossed_joints("nerve")) - set(crossed_joints("semitendinosus"))


def _ham_joints():
    from .analysis import crossed_joints
    return set(crossed_joints("semitendinosus"))


def _neck40_semitendinosus():
    from .model import muscle_length
    from .posture import Posture
    return muscle_length(Posture(cervical_flexion=40), "semitendinosus") - muscle_length(Posture(), "semitendinosus")


_BENDS = ("hip hinge", "spinal rounding")


def _bend_end(which):
    from . import protocols
    return (protocols.FORWARD_BEND_HIP_HINGE if which == "hip hinge" else protocols.FORWARD_BEND_SPINAL)[-1].posture


def _bend_more(quantity):
    from .analysis import _mean_hamstrings
    from .body import DEFAULT_BODY

    def f():
        if quantity == "nerve":
            vals = {w: _bed(_bend_end(w)) for w in _BENDS}
        else:
            vals = {w: _mean_hamstrings(_bend_end(w), DEFAULT_BODY) for w in _BENDS}
        return max(vals, key=vals.get)
    return f


def _slump_rows():
    from .analysis import step_table
    return step_table("slump")


def _slump_steps():
    return [r["step"] for r in _slump_rows()[1:]]


def _slump_biggest():
    rows = _slump_rows()[1:]
    return max(rows, key=lambda r: r["change_mm"])["step"]


def _slr_rows():
    from .analysis import sensitiser_table
    return sensitiser_table(1.04)


_SINGLE = ("+ dorsiflexion 15", "+ hip adduction 15", "+ hip internal rotation 20", "+ neck flexion 40")


def _slr_biggest():
    rows = {r["name"]: r for r in _slr_rows()}
    return max(_SINGLE, key=lambda n: rows[n]["earlier_by_deg"])


def _glides():
    from .analysis import GLIDES, glide_table
    rows = glide_table()
    names = list(GLIDES)
    return {"slider": rows[0], "tensioner": rows[1], "names": names}


def _glide_lower_peak():
    from .analysis import mechanics_available
    if not mechanics_available():
        raise ValueError("this exercise needs neuralsim.mechanics, which is not installed yet")
    g = _glides()
    return "slider" if g["slider"]["strain_rise_pct"] < g["tensioner"]["strain_rise_pct"] else "tensioner"


def _glide_neck():
    from .analysis import GLIDES
    start, end = GLIDES["slider: knee straightens while the head looks up"]
    return "looks up (extension)" if end.cervical_flexion < start.cervical_flexion else "looks down (flexion)"


def _crossing(joint):
    from .model import nerve_pathway
    return next(c for c in nerve_pathway().crossings if c.joint == joint)


def _within_count():
    from .evidence import summary
    return summary()["within"]


def _ex(key, notebook, question, kind, answer, hints, working, **kw) -> Exercise:
    return Exercise(key, notebook, question, kind, answer, hints, working, **kw)


EXERCISES: dict[str, Exercise] = {e.key: e for e in [
    # 00 start here
    _ex("start_sitting_change", "00_start_here",
        "Sit down: go from the neutral standing posture to the 'sitting' preset. By how many mm does "
        "the nerve bed change?", "number", _sitting_change,
        ["Press the 'sitting' preset in the explorer and read the text line, or compare "
         "nerve_bed_length for the two postures.",
         "Sitting bends the hip (which lengthens the bed) and the knee (which shortens it): the answer is their sum."],
        lambda: f"sitting - standing = {_sitting_change():+.1f} mm (hip flexion adds, knee flexion takes away).",
        tolerance=2.0, unit="mm"),
    _ex("start_nerve_not_hamstring", "00_start_here",
        "Which joints change the length of the nerve bed but not the length of the semitendinosus?",
        "joints", _nerve_not_hamstring,
        ["Move each slider in turn and watch which lengths change in the text line.",
         "The hamstrings cross only two joints; the nerve bed runs from the neck to the foot."],
        lambda: "nerve bed crosses every joint; semitendinosus only hip and knee: " + ", ".join(sorted(_nerve_not_hamstring()))),
    # 01 hamstrings or nerve
    _ex("ham_joints", "01_hamstrings_or_nerve",
        "Which joints change the length of the semitendinosus?", "joints", _ham_joints,
        ["Look at the table of length changes per joint: which columns are non-zero for the semitendinosus?",
         "A muscle only changes length at joints it crosses."],
        lambda: "semitendinosus crosses " + ", ".join(sorted(_ham_joints()))),
    _ex("ham_neck_40", "01_hamstrings_or_nerve",
        "By how many mm does 40 degrees of neck flexion change the length of the semitendinosus?",
        "number", _neck40_semitendinosus,
        ["Does the semitendinosus cross the neck?", "Think about where the muscle starts and ends."],
        lambda: f"{_neck40_semitendinosus():.1f} mm: the muscle does not cross the neck.", tolerance=0.5, unit="mm"),
    _ex("ham_bend_nerve", "01_hamstrings_or_nerve",
        "At the end of each forward bend, which way of bending lengthens the nerve bed more?",
        "choice", _bend_more("nerve"),
        ["Step through both forward-bend protocols and compare the bed length at the last step.",
         "Count the joints each bend uses: rounding the back adds three spinal joints the nerve crosses."],
        lambda: f"{_bend_more('nerve')()}: bed {_bed(_bend_end('hip hinge')):.0f} mm (hinge) vs "
                f"{_bed(_bend_end('spinal rounding')):.0f} mm (rounding).",
        choices=lambda: _BENDS),
    _ex("ham_bend_hamstrings", "01_hamstrings_or_nerve",
        "At the end of each forward bend, which way of bending lengthens the hamstrings more?",
        "choice", _bend_more("hamstrings"),
        ["The hamstrings cross only the hip and the knee: which bend uses more hip flexion?",
         "Compare the hip angle at the last step of each bend."],
        lambda: f"{_bend_more('hamstrings')()}: it uses more hip flexion, the only one of the bend's joints the hamstrings cross.",
        choices=lambda: _BENDS),
    # 02 slump test
    _ex("slump_biggest_step", "02_slump_test",
        "Which step of the slump test (source order) lengthens the nerve bed the most?",
        "choice", _slump_biggest,
        ["Step through the protocol and read the change in the text line at each step.",
         "Which single joint moves through the largest angle during one step?"],
        lambda: f"{_slump_biggest()} (" + "; ".join(f"{r['step']} {r['change_mm']:+.1f} mm" for r in _slump_rows()) + ")",
        choices=_slump_steps),
    _ex("slump_look_up_mm", "02_slump_test",
        "In the last step (look up), by how many mm does the bed change? (negative = shorter)",
        "number", lambda: _slump_rows()[-1]["change_mm"],
        ["Go to the last step with the 'next' button and read the text line.",
         "Looking up slackens the bed: the sign is negative."],
        lambda: f"{_slump_rows()[-1]['change_mm']:+.1f} mm", tolerance=1.5, unit="mm"),
    _ex("slump_look_up_hamstrings", "02_slump_test",
        "In the same step (look up), by how many mm do the hamstrings change?",
        "number", lambda: _slump_rows()[-1]["hamstrings_change_mm"],
        ["Which joints moved in that step? Which joints do the hamstrings cross?",
         "This is the point of structural differentiation."],
        lambda: f"{_slump_rows()[-1]['hamstrings_change_mm']:+.1f} mm: only the neck moved, and no hamstring crosses it.",
        tolerance=0.5, unit="mm"),
    # 03 straight-leg raise
    _ex("slr_hip_plain", "03_straight_leg_raise",
        "Lying on the back with the knee straight and everything else neutral, at what hip flexion angle "
        "does the bed reach 1.04 times its standing length?", "number",
        lambda: _slr_rows()[0]["hip_deg"],
        ["Use hip_angle_for_bed_length, or raise the hip slider until the text line reads +4.0 %.",
         "Only the hip moves; the bed gains its moment arm times the angle in radians."],
        lambda: f"{_slr_rows()[0]['hip_deg']:.1f} deg", tolerance=1.5, unit="deg"),
    _ex("slr_biggest_sensitiser", "03_straight_leg_raise",
        "Which single sensitiser brings that point soonest (smallest hip angle)?", "choice", _slr_biggest,
        ["Compare the 'sooner by' column of the sensitiser table.",
         "A sensitiser that moves through a large angle at a joint with a big moment arm adds most length."],
        lambda: _slr_biggest(), choices=lambda: _SINGLE),
    _ex("slr_all_four", "03_straight_leg_raise",
        "With all four sensitisers together, how many degrees sooner is that point reached than in the plain raise?",
        "number", lambda: _slr_rows()[-1]["earlier_by_deg"],
        ["Read the last row of the sensitiser table.",
         "Are the sensitisers' effects simply added in this model? Compare with the single rows."],
        lambda: f"{_slr_rows()[-1]['earlier_by_deg']:.1f} deg", tolerance=1.5, unit="deg"),
    # 04 nerve glides
    _ex("glide_bed_difference", "04_nerve_glides",
        "How many mm more does the bed lengthen in the tensioner than in the slider?", "number",
        lambda: _glides()["tensioner"]["bed_change_mm"] - _glides()["slider"]["bed_change_mm"],
        ["Read the 'bed change' column of the glide table.",
         "The two movements differ only in what the neck does."],
        lambda: f"{_glides()['tensioner']['bed_change_mm'] - _glides()['slider']['bed_change_mm']:.1f} mm",
        tolerance=1.5, unit="mm"),
    _ex("glide_lower_peak", "04_nerve_glides",
        "Which movement raises the peak nerve strain less from its start to its end?", "choice", _glide_lower_peak,
        ["Look at the 'rise' column of the glide table.",
         "In which movement does one end of the bed give back length while the other takes it up?"],
        lambda: _glide_lower_peak(), choices=lambda: ("slider", "tensioner")),
    _ex("glide_neck", "04_nerve_glides",
        "In the slider, what does the neck do while the knee straightens?", "choice", _glide_neck,
        ["Step through the slider in the explorer and watch the head.",
         "A slider lengthens the bed at one end while shortening it at the other."],
        lambda: _glide_neck(), choices=lambda: ("looks up (extension)", "looks down (flexion)")),
    # 05 model and evidence
    _ex("model_hip_wrap", "05_model_and_evidence",
        "With the hip moment arm from the parameter table, how many mm does 90 degrees of hip flexion add to the bed?",
        "number", lambda: float(_crossing("hip_flexion").delta(90.0)),
        ["Hip flexion puts the nerve on the outside of the bend: it wraps round the joint.",
         "Wrapping adds moment arm x angle, with the angle in radians."],
        lambda: f"{float(_crossing('hip_flexion').delta(90.0)):.1f} mm = offset x pi/2",
        tolerance=1.0, unit="mm"),
    _ex("model_knee_fold", "05_model_and_evidence",
        "How many mm does the bed change at the knee when it bends from straight to 90 degrees? (negative = shorter)",
        "number", lambda: float(_crossing("knee_flexion").delta(90.0)),
        ["Knee flexion puts the nerve on the inside of the bend: it folds.",
         "A fold loses 2 x offset x tan(angle / 2)."],
        lambda: f"{float(_crossing('knee_flexion').delta(90.0)):.1f} mm = -2 x offset x tan(45 deg)",
        tolerance=1.0, unit="mm"),
    _ex("model_within", "05_model_and_evidence",
        "How many of the comparisons (not the inputs) does the model fall within?",
        "number", _within_count,
        ["Count the rows marked WITHIN under COMPARISONS in the table.",
         "Every row is either within or has a stated limitation."],
        lambda: f"{_within_count()} rows", tolerance=0.0, unit="rows"),
]}
