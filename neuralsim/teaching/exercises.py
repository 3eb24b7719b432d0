"""Exercises and predictions for the notebooks, checked at once against the model.

Each exercise has a key, the notebook it belongs to, a question, and an
answer that is *computed from the library* when a learner's answer is checked
(never typed in here), so the exercises stay right if a parameter changes.

Two ways in, one checker:

* from code (teacher solutions, grading scripts): :func:`check` is a pure
  function of an exercise key and an answer and returns a :class:`Feedback`;

  >>> from neuralsim import exercises
  >>> print(exercises.check("ham_neck_40", "0 mm").correct)
  True

* in a notebook or the Voila app: :func:`widget` shows the question with an
  input (a number box with its unit, one choice, or several tick boxes) and a
  *Check* button; no code needs editing.  :func:`predict` shows a prediction
  that is entered, locked, then revealed against the model.

Answers are read the way people write them: ``"-22.7 mm"``, ``"−22.7"``
(Unicode minus), ``"-22,7"`` (decimal comma), ``"2.3 cm"``; a choice by a word
of it (``"dorsiflexion"``, ``"neck"``); joints by plain names (``"neck, ankle"``).
Junk is refused with the form expected (``"s"`` is not *spinal rounding*;
``True`` is not a number).  A wrong answer gets a hint aimed at the likely
mistake (a sign error, the change since the start instead of in one step, a
joint left out); a right one gets a short *because*.  The answer itself is never
shown on a first try; after :data:`REVEAL_AFTER` wrong tries at the same
exercise the feedback points to the worked solution (teachers: the solutions
notebook in ``teacher/`` of the repository, or :func:`solution`).
"""
from __future__ import annotations

import math
import numbers
import re
import unicodedata
from dataclasses import dataclass, field
from html import escape
from typing import Any, Callable, Mapping, Sequence

from ..core.errors import as_number
from ..core.joints import JOINTS, WORDS

__all__ = ["Exercise", "Feedback", "Mistake", "Prediction", "EXERCISES", "PREDICTIONS", "REVEAL_AFTER",
           "ask", "check", "solution", "for_notebook", "reset_attempts", "parse_number", "parse_choice",
           "parse_joints", "parse_words", "joint_label", "ZERO_WORDS", "after_lock", "widget", "predict", "reveal"]

#: Wrong tries at one exercise after which the feedback offers the worked solution.
REVEAL_AFTER = 3

_GREEN, _ORANGE, _GREY = "#007A5A", "#B34700", "#595959"   # Okabe-Ito green/vermillion darkened for text contrast


@dataclass
class Feedback:
    """Result of checking an answer.

    ``correct``: True, False, or None when no answer was given; ``message``: what
    to tell the learner; ``reason``: why, for code and tests: ``"right"``,
    ``"empty"``, ``"form"`` (the answer could not be read), ``"sign"``,
    ``"since_start"``, ``"per_step"``, ``"missing_joint"``, ``"extra_joint"``,
    another named mistake of the exercise, or ``"hint"`` (a general hint).
    """

    key: str
    correct: bool | None
    message: str
    reason: str = ""

    def __bool__(self) -> bool:
        return bool(self.correct)

    def __repr__(self) -> str:
        mark = {True: "RIGHT", False: "NOT YET", None: "NO ANSWER"}[self.correct]
        return f"{mark}: {self.message}"

    def _repr_html_(self) -> str:
        colour = {True: _GREEN, False: _ORANGE, None: _GREY}[self.correct]
        mark = {True: "Right", False: "Not yet", None: "No answer yet"}[self.correct]
        return (f'<div role="status" class="neuralsim-feedback" data-correct="{str(self.correct).lower()}" '
                f'style="border-left:6px solid {colour};padding:4px 8px;font-size:1.05em">'
                f'<b>{mark}.</b> {escape(self.message)}</div>')


@dataclass
class Mistake:
    """A likely wrong answer and the hint aimed at it.

    ``value()`` computes the wrong value from the library (number exercises; hit
    within the exercise's tolerance) or the wrong set of joints (joints
    exercises); ``reason`` names the mistake in :class:`Feedback`.
    """

    reason: str
    value: Callable[[], Any]
    hint: str


@dataclass
class Exercise:
    """One exercise.

    ``kind``: ``"number"`` (answer a float, right within ``tolerance`` in ``unit``),
    ``"choice"`` (one of ``choices()``), or ``"joints"`` (a set of joint names).
    ``answer()`` computes the right answer from the library; ``because`` is the
    short reason shown with a right answer (text, or a function computing it); ``mistakes`` are likely wrong answers
    with a hint each; ``hints`` are shown in turn on other wrong tries;
    ``working()`` explains the answer (solutions only).  ``aliases`` maps more
    words to a choice (``{"spine": "spinal rounding"}``).
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
    because: str | Callable[[], str] = ""
    mistakes: Sequence[Mistake] = ()
    aliases: Mapping[str, str] = field(default_factory=dict)

    def read(self, given: Any) -> Any:
        """``given`` as this exercise reads it (a float in ``unit``, one of the choices, a set of
        joints, or for ``"words"`` the text); ValueError naming the form expected otherwise."""
        if self.kind == "number":
            return parse_number(given, self.unit)
        if self.kind == "choice":
            return parse_choice(given, self.choices(), self.aliases)
        if self.kind == "joints":
            return parse_joints(given)
        if self.kind == "words":
            return parse_words(given)
        raise ValueError(f"unknown exercise kind {self.kind!r}")  # pragma: no cover

    def is_right(self, given: Any) -> bool:
        return self.matches(self.read(given), self.answer())

    def matches(self, value: Any, target: Any) -> bool:
        """Whether ``value`` (as :meth:`read` gives it) counts as ``target``; words never match
        (they are compared by the learner, not by the checker)."""
        if self.kind == "number":
            return abs(value - float(target)) <= self.tolerance + 1e-9
        if self.kind == "joints":
            return value == frozenset(target)
        if self.kind == "words":
            return False
        return value == target

    def check(self, given: Any) -> Feedback:
        return check(self.key, given)


# -- reading answers the way people write them ------------------------------------------

_MINUS = dict.fromkeys(map(ord, "\u2212\u2012\u2013\u2014\ufe63\uff0d"), "-")
_UNITS = {
    "mm": {"mm": 1.0, "millimetre": 1.0, "millimetres": 1.0, "millimeter": 1.0, "millimeters": 1.0,
           "cm": 10.0, "centimetre": 10.0, "centimetres": 10.0, "centimeter": 10.0, "centimeters": 10.0},
    "deg": {"deg": 1.0, "degs": 1.0, "degree": 1.0, "degrees": 1.0, "\u00b0": 1.0, "\u00ba": 1.0},
    "rows": {"row": 1.0, "rows": 1.0, "comparison": 1.0, "comparisons": 1.0},
    "%": {"%": 1.0, "percent": 1.0, "per cent": 1.0},
}
_NUMBER = re.compile(r"^([+-]?(?:\d+(?:\.\d*)?|\.\d+))\s*(.*?)\s*$")
# Words people write for a change or an amount of nothing: read as 0 in any unit.
ZERO_WORDS = frozenset({"0", "zero", "none", "nil", "nothing", "no change", "unchanged", "no difference",
                        "does not change", "doesn't change", "it does not change", "not at all"})
# A count written as a fraction of the whole ("16 of 20", "16 out of 20", "16/20"): only for counts.
_FRACTION = re.compile(r"^(\d+)\s*(?:of|out of|/)\s*(\d+)\s*([a-z ]*?)\s*$")
_COUNTS = ("rows",)


def parse_number(given: Any, unit: str = "") -> float:
    """A number from what a learner typed, in ``unit``.

    Accepts numbers (not booleans) and text such as ``"-22.7"``, ``"-22.7 mm"``,
    ``"−22.7"`` (Unicode minus), ``"-22,7"`` (decimal comma), ``"+5°"``, and for mm
    also cm (converted); words for nothing (``"none"``, ``"zero"``, ``"no change"``: 0); and a
    count as a fraction of the whole (``"16 of 20"``, ``"16/20"``: 16) for counts.  Raises
    ValueError naming the expected unit otherwise.

    >>> parse_number("−22,7 mm", "mm"), parse_number("2.5 cm", "mm"), parse_number(90, "deg")
    (-22.7, 25.0, 90.0)
    >>> parse_number("no change", "mm"), parse_number("16 of 20", "rows")
    (0.0, 16.0)
    """
    want = f" in {unit}" if unit else ""
    if isinstance(given, bool):
        raise ValueError(f"give a number{want}, not {given!r}")
    if isinstance(given, numbers.Real) or (type(given).__name__ == "ndarray" and getattr(given, "ndim", 1) == 0):
        # the shared check: an integer too large for a float is out of range, not an OverflowError;
        # a 0-d array is the number it holds
        try:
            value, factor = as_number("answer", given, -math.inf, math.inf, unit or "(no unit)"), 1.0
        except TypeError as e:      # the checker reads answers: a form it cannot read is feedback
            raise ValueError(str(e)) from None
    elif isinstance(given, str):
        text = unicodedata.normalize("NFKC", given).translate(_MINUS).strip()
        words = " ".join(text.casefold().replace("’", "'").rstrip(".!").split())
        if words in ZERO_WORDS:
            return 0.0
        if "," in text and "." not in text and text.count(",") == 1:
            text = text.replace(",", ".")
        frac = _FRACTION.match(words)
        if frac and unit in _COUNTS:
            part, whole = int(frac.group(1)), int(frac.group(2))
            if part > whole:
                raise ValueError(f"{part} of {whole} is more than the whole: give the count{want}")
            text = f"{part} {frac.group(3)}".strip()
        m = _NUMBER.match(text)
        if not m:
            raise ValueError(f"give a number{want}, such as -12.5, not {given!r}")
        value, written = float(m.group(1)), m.group(2).casefold().strip()
        if written in ("", unit.casefold()):
            factor = 1.0
        elif written in _UNITS.get(unit, {}):
            factor = _UNITS[unit][written]
        else:
            raise ValueError(f"give the number{want} (not {written!r})")
    else:
        raise ValueError(f"give a number{want}, not {given!r}")
    value *= factor
    if not math.isfinite(value):
        raise ValueError(f"give a finite number{want}")
    return value + 0.0


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z]+", unicodedata.normalize("NFKC", str(text)).casefold())


def parse_choice(given: Any, options: Sequence[str], aliases: Mapping[str, str] | None = None) -> str:
    """The option a learner meant.

    Right: the option itself (any case), an alias, or one or more whole words of
    exactly one option (``"dorsiflexion"`` for ``"+ dorsiflexion 15"``).  Refused:
    non-text, fewer than three letters (``"s"``), words of several or no
    options.

    >>> parse_choice("Neck", ["+ dorsiflexion 15", "+ neck flexion 40"])
    '+ neck flexion 40'
    """
    opts = list(options)
    listing = "choose one of: " + "; ".join(repr(o) for o in opts)
    if not isinstance(given, str):
        raise ValueError(listing)
    text = " ".join(unicodedata.normalize("NFKC", given).casefold().split())
    for o in opts:
        if o.casefold() == text:
            return o
    for alias, target in (aliases or {}).items():
        if alias.casefold() == text:
            return target
    words = [w for w in _words(text) if w not in _STOP]
    if sum(len(w) for w in words) < 3:
        raise ValueError(listing)
    hits = [o for o in opts if set(words) <= set(_words(o))]
    if len(hits) == 1:
        return hits[0]
    raise ValueError(listing)


_STOP = {"the", "a", "an", "by", "at", "of", "and", "more", "most"}


def parse_words(given: Any) -> str:
    """A prediction in the learner's own words: text with at least three letters, spaces tidied.

    >>> parse_words("  the one with   the stiff hip ")
    'the one with the stiff hip'
    """
    if not isinstance(given, str) or sum(len(w) for w in _words(given)) < 3:
        raise ValueError("write your prediction in a few words")
    return " ".join(unicodedata.normalize("NFKC", given).split())



def joint_label(name: str) -> str:
    """The plain label of a joint (``"neck flexion"`` for ``cervical_flexion``)."""
    return WORDS[name][0] if name in WORDS else name.replace("_", " ")


def parse_joints(given: Any) -> frozenset:
    """A set of joint names from plain words or code names.

    Accepts a list of names or one text with commas, semicolons or "and"
    (``"neck, upper back and ankle"``).

    >>> sorted(parse_joints("Knee and hip"))
    ['hip_flexion', 'knee_flexion']
    """
    if isinstance(given, str):
        if " ".join(given.casefold().split()).rstrip(".") in ("none", "no joint", "no joints", "nothing"):
            return frozenset()
        parts = re.split(r"\s*(?:,|;|/|\band\b|\+|\n)\s*", given.strip())
    elif isinstance(given, (list, tuple, set, frozenset)):
        parts = list(given)
    else:
        raise ValueError("tick the joints, or give a list of joint names such as ['knee', 'hip']")
    by_word = {w: j for j, ws in WORDS.items() for w in ws}
    out = set()
    for g in parts:
        if not isinstance(g, str):
            raise ValueError(f"{g!r} is not a joint; use names such as 'neck' or 'knee'")
        g = " ".join(g.strip().casefold().replace("_", " ").split())
        if not g:
            continue
        name = g.replace(" ", "_") if g.replace(" ", "_") in JOINTS else by_word.get(g)
        if name is None:
            raise ValueError(f"{g!r} is not a joint; use: " + ", ".join(joint_label(j) for j in JOINTS))
        out.add(name)
    return frozenset(out)


# -- checking --------------------------------------------------------------------------

_attempts: dict[str, int] = {}


def reset_attempts() -> None:
    """Forget every wrong try (for a fresh start)."""
    _attempts.clear()


def _empty(given: Any) -> bool:
    return given is None or (isinstance(given, (str, list, tuple, set, frozenset)) and len(
        given.strip() if isinstance(given, str) else given) == 0)


def _targeted(ex: Exercise, value: Any, right: Any) -> tuple[str, str] | None:
    """(reason, hint) for a recognised mistake, or None."""
    for m in ex.mistakes:
        wrong = m.value()
        if ex.kind == "number" and abs(value - float(wrong)) <= max(ex.tolerance, 1e-6) \
                and not ex.matches(value, right):
            return m.reason, m.hint
        if ex.kind == "joints" and value == frozenset(wrong):
            return m.reason, m.hint
        if ex.kind == "choice" and value == wrong and not ex.matches(value, right):
            return m.reason, m.hint
    if ex.kind == "number" and abs(float(right)) > ex.tolerance and abs(value + float(right)) <= ex.tolerance:
        return "sign", ("Check the sign: the size looks right, but does the bed (or muscle) get longer "
                        "(+) or shorter (−) here?")
    if ex.kind == "joints":
        right = frozenset(right)
        if value < right:
            n = len(right - value)
            return "missing_joint", (f"Each joint you chose is right, but you left out {n} "
                                     f"joint{'s' if n > 1 else ''}: go through the body from the neck to the foot.")
        if value > right:
            n = len(value - right)
            return "extra_joint", (f"All the right joints are there, plus {n} that "
                                   f"do{'es' if n == 1 else ''} not belong: which of them does the path not cross?")
    return None


def check(key: str, given: Any) -> Feedback:
    """Check ``given`` against exercise ``key``: right (with a short *because*) or a hint, never the answer first.

    A pure function of the answer apart from one thing: it counts wrong tries per
    exercise, to cycle general hints and to offer the worked solution after
    :data:`REVEAL_AFTER` of them (:func:`reset_attempts` forgets them).
    """
    ex = _get(key)
    if _empty(given):
        return Feedback(key, None, "No answer yet. " + _format_hint(ex), "empty")
    try:
        value = ex.read(given)
    except ValueError as e:
        return Feedback(key, False, f"I could not read that answer: {e}.", "form")
    right = ex.answer()
    if ex.matches(value, right):
        _attempts.pop(key, None)
        text = ex.because() if callable(ex.because) else ex.because
        because = f", because {text}" if text else "."
        return Feedback(key, True, "That matches the model" + because, "right")
    n = _attempts.get(key, 0) + 1
    _attempts[key] = n
    hit = _targeted(ex, value, right)
    if hit:
        reason, hint = hit
    else:
        reason, hint = "hint", ex.hints[min(n - 1, len(ex.hints) - 1)]
    msg = f"Not what the model gives. Hint: {hint}"
    if n >= REVEAL_AFTER:
        msg += (f" (After {n} tries: ask your teacher, or run neuralsim.exercises.solution({key!r}) "
                "to see the worked answer.)")
    return Feedback(key, False, msg, reason)


def _format_hint(ex: Exercise) -> str:
    if ex.kind == "number":
        return f"Give a number in {ex.unit}."
    if ex.kind == "choice":
        return "Choose one of: " + "; ".join(repr(o) for o in ex.choices()) + "."
    return "Tick the joints (or give their names, such as 'knee, hip')."


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
    if not isinstance(key, str):
        raise TypeError(f"exercise: {key!r} is not a name (text); the exercises are {', '.join(EXERCISES)}")
    try:
        return EXERCISES[key]
    except KeyError:
        raise ValueError(f"no exercise {key!r}; the exercises are {', '.join(EXERCISES)}") from None


# -- the answers, computed from the library ---------------------------------------

def _bed(p):
    from ..model.lengths import nerve_bed_length
    return nerve_bed_length(p)


def _sitting_change():
    from ..model import protocols
    from ..core.posture import Posture
    return _bed(protocols.SITTING) - _bed(Posture())


def _nerve_not_hamstring():
    from ..state.analysis import crossed_joints
    return set(crossed_joints("nerve")) - set(crossed_joints("semitendinosus"))


def _ham_joints():
    from ..state.analysis import crossed_joints
    return set(crossed_joints("semitendinosus"))


def _neck40_semitendinosus():
    from ..model.lengths import muscle_length
    from ..core.posture import Posture
    return muscle_length(Posture(cervical_flexion=40), "semitendinosus") - muscle_length(Posture(), "semitendinosus")


_BENDS = ("hip hinge", "spinal rounding")


def _bend_end(which):
    from ..model import protocols
    return (protocols.FORWARD_BEND_HIP_HINGE if which == "hip hinge" else protocols.FORWARD_BEND_SPINAL)[-1].posture


def _bend_more(quantity):
    from ..state.states import compute

    def f():
        if quantity == "nerve":
            vals = {w: _bed(_bend_end(w)) for w in _BENDS}
        else:
            vals = {w: float(compute(_bend_end(w)).group_mean_mm("hamstrings")) for w in _BENDS}
        return max(vals, key=vals.get)
    return f


def _slump_rows():
    from ..state.analysis import step_table
    return step_table("slump")


def _bed_standing():
    from ..core.posture import Posture
    return _bed(Posture())


def _slump_steps():
    return [r["step"] for r in _slump_rows()[1:]]


def _slump_biggest():
    rows = _slump_rows()[1:]
    return max(rows, key=lambda r: r["change_mm"])["step"]


def _slr_rows():
    from ..state.analysis import sensitiser_table
    return sensitiser_table(1.04)


_SINGLE = ("+ dorsiflexion 15", "+ hip adduction 15", "+ hip internal rotation 20", "+ neck flexion 40")


def _slr_stops():
    from ..limits.cases import sensitiser_stops
    return {r["name"]: r for r in sensitiser_stops()}


def _slr_biggest():
    """The single sensitiser that lowers where the raise stops most, for generated healthy people."""
    rows = _slr_stops()
    return max(_SINGLE, key=lambda n: rows[n]["lower_by_deg"])


def _slr_bed_biggest():
    """The single sensitiser that adds most bed length (reaches 1.04 x standing soonest)."""
    rows = {r["name"]: r for r in _slr_rows()}
    return max(_SINGLE, key=lambda n: rows[n]["earlier_by_deg"])


def _slr_stops_words() -> str:
    rows = _slr_stops()
    order = sorted(_SINGLE, key=lambda n: -rows[n]["lower_by_deg"])
    return ("for the generated healthy people the raise stops sooner by "
            + ", ".join(f"{rows[n]['lower_by_deg']:.1f}° with {n[2:]}°" for n in order)
            + " on average")


def _slr_stops_because() -> str:
    bed = _slr_bed_biggest()
    rows = {r["name"]: r for r in _slr_rows()}
    also = "" if bed == _slr_biggest() else (
        f"; by bed length alone {bed[2:]}° would come first ({rows[bed]['earlier_by_deg']:.1f}° sooner to "
        "1.04 × standing), but a raise stops where the nerve's strain is felt, not where the bed's total "
        "length reaches a mark")
    return _slr_stops_words() + also + "."


def _glides():
    from ..state.analysis import GLIDES, glide_table
    rows = glide_table()
    names = list(GLIDES)
    return {"slider": rows[0], "tensioner": rows[1], "names": names}


def _glide_lower_peak():
    g = _glides()
    return "slider" if g["slider"]["strain_rise_pct"] < g["tensioner"]["strain_rise_pct"] else "tensioner"


def _glide_neck():
    from ..state.analysis import GLIDES
    start, end = GLIDES["slider: knee straightens while the head looks up"]
    return "looks up (extension)" if end.cervical_flexion < start.cervical_flexion else "looks down (flexion)"


def _crossing(joint):
    from ..model.lengths import nerve_pathway
    return next(c for c in nerve_pathway().crossings if c.joint == joint)


def _row_count():
    from ..evidence.comparisons import summary
    return summary()["comparisons"]


def _within_all_rows():
    from ..evidence.comparisons import comparisons
    return sum(1 for r in comparisons() if r["within"])


def _within_count():
    from ..evidence.comparisons import summary
    return summary()["within"]


def _sitting_hip_only():
    from ..model import protocols
    from ..core.posture import Posture
    return _bed(Posture(hip_flexion=protocols.SITTING.hip_flexion)) - _bed(Posture())


def _neck40_nerve():
    from ..core.posture import Posture
    return _bed(Posture(cervical_flexion=40)) - _bed(Posture())


def _labels(joints) -> str:
    return ", ".join(joint_label(j) for j in JOINTS if j in set(joints))


def _ex(key, notebook, question, kind, answer, hints, working, **kw) -> Exercise:
    return Exercise(key, notebook, question, kind, answer, hints, working, **kw)


_BEND_ALIASES = {"hinge": "hip hinge", "hinging": "hip hinge", "hips": "hip hinge", "hip": "hip hinge",
                 "rounding": "spinal rounding", "spine": "spinal rounding", "spinal": "spinal rounding",
                 "round": "spinal rounding", "rounded back": "spinal rounding",
                 "spinal flexion": "spinal rounding", "rounding the spine": "spinal rounding"}

EXERCISES: dict[str, Exercise] = {e.key: e for e in [
    # 00 start here
    _ex("start_sitting_change", "00_start_here",
        "Sit down: go from the neutral standing posture to the 'sitting' preset. By how many mm does "
        "the nerve bed change? (negative = shorter)", "number", _sitting_change,
        ["Press the 'sitting' preset in the explorer and read the text line.",
         "Sitting bends the hip (which lengthens the bed) and the knee (which shortens it): the answer is their sum."],
        lambda: f"sitting - standing = {_sitting_change():+.1f} mm (hip flexion adds, knee flexion takes away).",
        tolerance=2.0, unit="mm",
        because="the bed wraps round the back of the bent hip (longer) but folds behind the bent knee "
                "(shorter), and the two nearly cancel.",
        mistakes=[Mistake("missing_joint", _sitting_hip_only,
                          "That is the hip alone. Sitting also bends the knee (and lets the ankle point "
                          "down): what does the bed do behind a bent knee?")]),
    _ex("start_nerve_not_hamstring", "00_start_here",
        "Which joints change the length of the nerve bed but not the length of the semitendinosus "
        "(a hamstring)?", "joints", _nerve_not_hamstring,
        ["Move each slider in turn and watch which lengths change in the text line.",
         "The hamstrings cross only two joints; the nerve bed runs from the neck to the foot."],
        lambda: "the nerve bed crosses every joint; the semitendinosus only the hip and the knee: "
                + _labels(_nerve_not_hamstring()),
        because="the hamstrings run from the pelvis to below the knee, so only the hip (in flexion) and "
                "the knee change them; the nerve bed runs from the neck to the foot.",
        mistakes=[Mistake("missing_joint",
                          lambda: _nerve_not_hamstring() - {"hip_adduction", "hip_internal_rotation"},
                          "The spine and the ankle are right. The hip moves in three directions: do the "
                          "other two (across the body, turning in) change the semitendinosus in this model?")]),
    # 01 hamstrings or nerve
    _ex("ham_joints", "01_hamstrings_or_nerve",
        "Which joints change the length of the semitendinosus?", "joints", _ham_joints,
        ["Look at the table of length changes per joint: which rows are non-zero for the semitendinosus?",
         "A muscle only changes length at joints it crosses."],
        lambda: "semitendinosus crosses " + _labels(_ham_joints()),
        because="a muscle changes length only at the joints it crosses, and the semitendinosus runs "
                "from the sitting bone to below the knee."),
    _ex("ham_neck_40", "01_hamstrings_or_nerve",
        "By how many mm does 40 degrees of neck flexion change the length of the semitendinosus?",
        "number", _neck40_semitendinosus,
        ["Does the semitendinosus cross the neck?", "Think about where the muscle starts and ends."],
        lambda: f"{_neck40_semitendinosus():.1f} mm: the muscle does not cross the neck.", tolerance=0.5, unit="mm",
        because="the muscle does not cross the neck, so the neck cannot change its length.",
        mistakes=[Mistake("nerve_not_muscle", _neck40_nerve,
                          "That is what the nerve bed does. The question is about the muscle: does it "
                          "cross the neck?")]),
    _ex("ham_bend_nerve", "01_hamstrings_or_nerve",
        "At the end of each forward bend, which way of bending lengthens the nerve bed more?",
        "choice", _bend_more("nerve"),
        ["Step through both forward-bend protocols and compare the bed length at the last step.",
         "Count the joints each bend uses: rounding the back adds three spinal joints the nerve crosses."],
        lambda: f"{_bend_more('nerve')()}: bed {_bed(_bend_end('hip hinge')):.0f} mm (hinge) vs "
                f"{_bed(_bend_end('spinal rounding')):.0f} mm (rounding).",
        choices=lambda: _BENDS, aliases=_BEND_ALIASES,
        because="rounding bends the neck, the upper and the low back as well as the hip, and the nerve "
                "bed wraps round every one of them."),
    _ex("ham_bend_hamstrings", "01_hamstrings_or_nerve",
        "At the end of each forward bend, which way of bending lengthens the hamstrings more?",
        "choice", _bend_more("hamstrings"),
        ["The hamstrings cross only the hip and the knee: which bend uses more hip flexion?",
         "Compare the hip angle at the last step of each bend."],
        lambda: f"{_bend_more('hamstrings')()}: it uses more hip flexion, the only one of the bend's joints the hamstrings cross.",
        choices=lambda: _BENDS, aliases=_BEND_ALIASES,
        because="the hinge uses more hip flexion, and the hip is the only joint of either bend the "
                "hamstrings cross."),
    # 02 slump test
    _ex("slump_biggest_step", "02_slump_test",
        "Which step of the slump test (source order) lengthens the nerve bed the most?",
        "choice", _slump_biggest,
        ["Step through the protocol and read the change in the text line at each step.",
         "Which single joint moves through the largest angle during one step?"],
        lambda: f"{_slump_biggest()} (" + "; ".join(f"{r['step']} {r['change_mm']:+.1f} mm" for r in _slump_rows()) + ")",
        choices=_slump_steps, aliases={"knee": "extend one knee", "straighten the knee": "extend one knee",
                                       "knee extension": "extend one knee", "ankle": "dorsiflex the ankle",
                                       "dorsiflexion": "dorsiflex the ankle", "slump": "slump, arms behind, look ahead"},
        because="straightening the knee undoes a deep fold behind it: the knee moves through the "
                "largest angle of any step."),
    _ex("slump_look_up_mm", "02_slump_test",
        "In the last step (look up), by how many mm does the bed change in that one step? (negative = shorter)",
        "number", lambda: _slump_rows()[-1]["change_mm"],
        ["Go to the last step with the 'next' button and read the text line.",
         "Which joint moves in this step, and which way?"],
        lambda: f"{_slump_rows()[-1]['change_mm']:+.1f} mm", tolerance=1.5, unit="mm",
        because="looking up takes the neck from flexion into extension: the wrap at the neck is undone "
                "and a fold made, so the bed gives length back.",
        mistakes=[Mistake("since_start", lambda: _slump_rows()[-1]["bed_mm"] - _slump_rows()[0]["bed_mm"],
                          "That is the change since the start of the test. The question asks for the "
                          "change in the last step only (from 'dorsiflex the ankle' to 'look up').")]),
    _ex("slump_look_up_hamstrings", "02_slump_test",
        "In the same step (look up), by how many mm do the hamstrings change?",
        "number", lambda: _slump_rows()[-1]["hamstrings_change_mm"],
        ["Which joints moved in that step? Which joints do the hamstrings cross?",
         "This is the point of structural differentiation."],
        lambda: f"{_slump_rows()[-1]['hamstrings_change_mm']:+.1f} mm: only the neck moved, and no hamstring crosses it.",
        tolerance=0.5, unit="mm",
        because="only the neck moved in that step, and no hamstring crosses the neck.",
        mistakes=[Mistake("nerve_not_muscle", lambda: _slump_rows()[-1]["change_mm"],
                          "That is the nerve bed's change. The question is about the hamstrings: do they "
                          "cross the neck?"),
                  Mistake("since_start",
                          lambda: _slump_rows()[-1]["hamstrings_mm"] - _slump_rows()[0]["hamstrings_mm"],
                          "That is the change since the start of the test (the knee straightened on the way). "
                          "The question asks about the last step only.")]),
    _ex("slump_since_start_mm", "02_slump_test",
        "From the first position (sitting on the table) to the last (look up), by how many mm does the "
        "bed change in all? (negative = shorter)", "number",
        lambda: _slump_rows()[-1]["bed_mm"] - _slump_rows()[0]["bed_mm"],
        ["Add up the changes of every step after the first, or compare the bed at the first and the last step.",
         "Most of it comes from the knee: which step straightened it?"],
        lambda: f"{_slump_rows()[-1]['bed_mm'] - _slump_rows()[0]['bed_mm']:+.1f} mm (the sum of the step changes)",
        tolerance=2.0, unit="mm",
        because="the steps add up: the knee, the slump, the chin and the ankle take up length, and looking up "
                "gives only part of it back.",
        mistakes=[Mistake("per_step", lambda: _slump_rows()[-1]["change_mm"],
                          "That is the change in the last step only. The question asks for the change since the "
                          "first position: add up every step."),
                  Mistake("since_standing", lambda: _slump_rows()[-1]["bed_mm"] - _bed_standing(),
                          "That is the change from standing. The test starts sitting on the table: compare "
                          "with the first position.")]),
    # 03 straight-leg raise
    _ex("slr_hip_plain", "03_straight_leg_raise",
        "Lying on the back with the knee straight and everything else neutral, at what hip flexion angle "
        "does the bed reach 1.04 times its standing length?", "number",
        lambda: _slr_rows()[0]["hip_deg"],
        ["Raise the hip slider until the text line reads +4.0 %, or read the first row of the sensitiser table.",
         "Only the hip moves; the bed gains its moment arm times the angle in radians."],
        lambda: f"{_slr_rows()[0]['hip_deg']:.1f} deg", tolerance=1.5, unit="deg",
        because="only the hip moves, and the bed wraps round it: 4 % of the standing bed divided by "
                "the hip's moment arm gives the angle (in radians).",
        mistakes=[Mistake("radians", lambda: math.radians(_slr_rows()[0]["hip_deg"]),
                          "That looks like an angle in radians: give it in degrees.")]),
    _ex("slr_biggest_sensitiser", "03_straight_leg_raise",
        "For the generated healthy people, which single sensitiser lowers where the straight-leg raise "
        "stops the most?", "choice", _slr_biggest,
        ["Compare the 'lower by' column of the table of where people's raises stop.",
         "The bed table says which sensitiser adds most length; the stop is where the nerve's strain is felt."],
        lambda: _slr_biggest() + ": " + _slr_stops_words() + ".", choices=lambda: _SINGLE,
        aliases={"ankle": "+ dorsiflexion 15", "foot": "+ dorsiflexion 15", "head": "+ neck flexion 40",
                 "adduction": "+ hip adduction 15", "rotation": "+ hip internal rotation 20"},
        because=_slr_stops_because,
        mistakes=[Mistake("bed_not_stop", _slr_bed_biggest,
                          "That is the sensitiser that adds most bed length (the first table). The question "
                          "is where people's raises stop: read the second table.")]),
    _ex("slr_all_four", "03_straight_leg_raise",
        "With all four sensitisers together, how many degrees sooner does the bed reach 1.04 times its standing "
        "length than in the plain raise?",
        "number", lambda: _slr_rows()[-1]["earlier_by_deg"],
        ["Read the last row of the sensitiser table.",
         "Are the sensitisers' effects simply added in this model? Compare with the single rows."],
        lambda: f"{_slr_rows()[-1]['earlier_by_deg']:.1f} deg", tolerance=1.5, unit="deg",
        because="in this model each sensitiser uses up its own length, so their effects simply add.",
        mistakes=[Mistake("angle_not_difference", lambda: _slr_rows()[-1]["hip_deg"],
                          "That is the hip angle at which the point is reached. The question asks how many "
                          "degrees sooner than in the plain raise: compare with the first row.")]),
    # 04 nerve glides
    _ex("glide_bed_difference", "04_nerve_glides",
        "How many mm more does the bed lengthen in the tensioner than in the slider?", "number",
        lambda: _glides()["tensioner"]["bed_change_mm"] - _glides()["slider"]["bed_change_mm"],
        ["Read the 'bed change' column of the glide table.",
         "The two movements differ only in what the neck does."],
        lambda: f"{_glides()['tensioner']['bed_change_mm'] - _glides()['slider']['bed_change_mm']:.1f} mm",
        # the table's one-decimal cells differ from the answer by at most 0.1 mm; the slips below lie
        # 1.3 mm and more away, so they get their hints
        tolerance=0.5, unit="mm",
        because="both straighten the knee the same way; in the tensioner the neck also takes up length, "
                "in the slider it gives length back.",
        mistakes=[Mistake("tensioner_only", lambda: _glides()["tensioner"]["bed_change_mm"],
                          "That is the tensioner's bed change on its own. The question asks how much more "
                          "than in the slider: subtract the slider's change."),
                  Mistake("minus_a_minus", lambda: _glides()["tensioner"]["bed_change_mm"]
                          + _glides()["slider"]["bed_change_mm"],
                          "Look at the sign of the slider's change: the bed gets shorter in the slider, and "
                          "taking away a negative change adds its size.")]),
    _ex("glide_lower_peak", "04_nerve_glides",
        "Which movement raises the peak nerve strain less from its start to its end?", "choice", _glide_lower_peak,
        ["Look at the 'rise' column of the glide table.",
         "In which movement does one end of the bed give back length while the other takes it up?"],
        lambda: _glide_lower_peak(), choices=lambda: ("slider", "tensioner"),
        because="in the slider one end of the bed gives back length while the other takes it up, so the "
                "nerve slides instead of stretching."),
    _ex("glide_neck", "04_nerve_glides",
        "In the slider, what does the neck do while the knee straightens?", "choice", _glide_neck,
        ["Step through the slider in the explorer and watch the head.",
         "A slider lengthens the bed at one end while shortening it at the other."],
        lambda: _glide_neck(), choices=lambda: ("looks up (extension)", "looks down (flexion)"),
        aliases={"up": "looks up (extension)", "down": "looks down (flexion)"},
        because="the straightening knee takes up length at the lower end, so the head looks up to give "
                "length back at the upper end."),
    # 05 model and evidence
    _ex("model_hip_wrap", "05_model_and_evidence",
        "With the hip moment arm from the parameter table, how many mm does 90 degrees of hip flexion add to the bed?",
        "number", lambda: float(_crossing("hip_flexion").delta(90.0)),
        ["Hip flexion puts the nerve on the outside of the bend: it wraps round the joint.",
         "Wrapping adds moment arm x angle, with the angle in radians."],
        lambda: f"{float(_crossing('hip_flexion').delta(90.0)):.1f} mm = moment arm x pi/2",
        tolerance=1.0, unit="mm",
        because="the nerve lies on the outside of the bending hip, so it wraps: moment arm × angle in radians.",
        mistakes=[Mistake("degrees", lambda: float(_crossing("hip_flexion").offset_mm) * 90.0,
                          "Did you multiply by 90? The wrap rule needs the angle in radians (90° = π/2)."),
                  Mistake("fold_not_wrap", lambda: 2 * float(_crossing("hip_flexion").offset_mm),
                          "That is the fold rule (2 × moment arm × tan(angle/2)). Behind the hip the nerve "
                          "is on the outside of the bend: it wraps.")]),
    _ex("model_knee_fold", "05_model_and_evidence",
        "How many mm does the bed change at the knee when it bends from straight to 90 degrees? (negative = shorter)",
        "number", lambda: float(_crossing("knee_flexion").delta(90.0)),
        ["Knee flexion puts the nerve on the inside of the bend: it folds.",
         "A fold loses 2 x moment arm x tan(angle / 2)."],
        lambda: f"{float(_crossing('knee_flexion').delta(90.0)):.1f} mm = -2 x moment arm x tan(45 deg)",
        tolerance=1.0, unit="mm",
        because="behind the knee the nerve is on the inside of the bend, so it folds: it loses "
                "2 × moment arm × tan(45°).",
        mistakes=[Mistake("wrap_not_fold", lambda: -float(_crossing("knee_flexion").offset_mm) * math.pi / 2,
                          "That is the wrap rule (moment arm × angle). Behind the knee the nerve is on the "
                          "inside of the bend: it folds.")]),
    _ex("model_within", "05_model_and_evidence",
        "How many of the comparisons (not the inputs) does the model fall within?",
        "number", _within_count,
        ["Count the rows marked 'yes' (within) in the comparisons table, not in the inputs table.",
         "Every row is either within or has a stated limitation."],
        lambda: f"{_within_count()} rows", tolerance=0.0, unit="rows",
        because="every other row has its limitation stated beside it.",
        mistakes=[Mistake("all_rows", _row_count, "That is every comparison: count only those within."),
                  Mistake("outside_count", lambda: _row_count() - _within_count(),
                          "That is the number of comparisons outside the published figure: count those within."),
                  Mistake("counted_inputs", _within_all_rows,
                          "That counts the inputs too. Inputs are figures a parameter was taken from, so they "
                          "match by construction: count only the comparisons.")]),
]}


# -- predictions: entered, locked, then revealed against the model ------------------------

@dataclass
class Prediction:
    """A "predict first" question: the learner commits to an answer before the model shows its own.

    ``kind`` as for :class:`Exercise`; ``model()`` computes the model's answer;
    ``explain()`` says why, in a sentence or two with numbers.
    """

    key: str
    notebook: str
    question: str
    kind: str
    model: Callable[[], Any]
    explain: Callable[[], str]
    unit: str = ""
    tolerance: float = 0.0
    choices: Callable[[], Sequence[str]] | None = None

    def as_exercise(self) -> Exercise:
        return Exercise(self.key, self.notebook, self.question, self.kind, self.model, ("",), self.explain,
                        tolerance=self.tolerance, unit=self.unit, choices=self.choices)


def _show(kind: str, value: Any, unit: str = "") -> str:
    if kind == "number":
        return f"{float(value):+.1f} {unit}".replace("-", "−").strip()
    if kind == "joints":
        return _labels(value) or "none"
    if kind == "words":
        return f"\u201c{value}\u201d"
    return str(value)


def reveal(key: str, predicted: Any) -> Feedback:
    """Set a locked prediction beside the model: ``correct`` says whether they agree, ``message`` explains.

    Raises ValueError if ``predicted`` cannot be read (the widget then does not lock it).
    """
    p = _get_prediction(key)
    ex = p.as_exercise()
    value = ex.read(predicted)
    if p.kind == "words":      # nothing to score: the learner compares with what they find
        return Feedback(key, None, f"You predicted: {_show(p.kind, value)}. {p.explain()}", "words")
    model = p.model()
    agree = ex.matches(value, model)
    verdict = "Your prediction agrees with the model." if agree else "The model differs from your prediction."
    msg = (f"You predicted: {_show(p.kind, value, p.unit)}. The model: {_show(p.kind, model, p.unit)}. "
           f"{verdict} {p.explain()}")
    return Feedback(key, agree, msg, "right" if agree else "prediction")


def _joint_delta(joint: str, deg: float) -> float:
    return float(_crossing(joint).delta(deg))


def _joint_most_30():
    return joint_label(max(JOINTS, key=lambda j: _joint_delta(j, 30.0)))


def _joint_most_30_explain():
    best = sorted(JOINTS, key=lambda j: -_joint_delta(j, 30.0))[:3]
    return ("For 30° the bed gains " + "; ".join(f"{joint_label(j)} {_joint_delta(j, 30.0):+.1f} mm" for j in best)
            + ": a wrap adds moment arm × angle, so the joint whose bed lies farthest from its centre wins.")


def _look_up_diff():
    from ..model import protocols
    from ..state.analysis import neck_differentiation
    return neck_differentiation(protocols.SLUMP_SEED[4].posture, neck_from=45, neck_to=-40)["nerve_mm"]


def _taller():
    from ..state.analysis import people_table
    rows = {r["body"]: r["hip_deg@1.04"] for r in people_table((1.04,))}
    d = rows["tall, typical"] - rows["short, typical"]
    return "the same hip angle" if abs(d) < 0.05 else ("a larger hip angle" if d > 0 else "a smaller hip angle")


def _bigger_bed_change():
    g = _glides()
    return max(("slider", "tensioner"), key=lambda n: abs(g[n]["bed_change_mm"]))


PREDICTIONS: dict[str, Prediction] = {p.key: p for p in [
    Prediction("predict_joint_30", "00_start_here",
               "Before you touch the explorer: which single joint, moved by 30°, do you expect to lengthen "
               "the nerve bed most?", "choice", _joint_most_30, _joint_most_30_explain,
               choices=lambda: tuple(joint_label(j) for j in JOINTS)),
    Prediction("predict_hamstring_zero", "01_hamstrings_or_nerve",
               "For 10° at each joint, which joints will leave the semitendinosus (a hamstring) unchanged?",
               "joints", lambda: set(JOINTS) - _ham_joints(),
               lambda: "The semitendinosus crosses only the hip (in flexion) and the knee; every other joint "
                       "leaves it alone, while the nerve bed changes at all of them."),
    Prediction("predict_bend_nerve", "01_hamstrings_or_nerve",
               "Which forward bend will lengthen the nerve bed more at its end?", "choice", _bend_more("nerve"),
               lambda: (f"Bed at the end: hip hinge {_bed(_bend_end('hip hinge')):.0f} mm, spinal rounding "
                        f"{_bed(_bend_end('spinal rounding')):.0f} mm. Rounding bends three spinal joints "
                        "as well as the hip, and the bed wraps round each."),
               choices=lambda: _BENDS),
    Prediction("predict_slump_step", "02_slump_test",
               "Which step of the slump test will add the most length to the nerve bed?", "choice",
               _slump_biggest,
               lambda: ("Change per step: " + "; ".join(f"{r['step']} {r['change_mm']:+.1f} mm"
                                                        for r in _slump_rows()[1:])
                        + ". Straightening the knee undoes the deepest fold of the test."),
               choices=_slump_steps),
    Prediction("predict_look_up", "02_slump_test",
               "Knee straight, ankle pulled up: by how many mm will the bed change when the person looks up "
               "from 45° of neck flexion to 40° of extension? (negative = shorter)", "number", _look_up_diff,
               lambda: ("Looking up undoes the wrap round the neck and makes a fold; no hamstring crosses the "
                        "neck, so they do not change at all."), unit="mm", tolerance=3.0),
    Prediction("predict_sensitiser", "03_straight_leg_raise",
               "For healthy people, which single sensitiser will lower where the straight-leg raise stops the most?",
               "choice", _slr_biggest, lambda: _slr_stops_because()[0].upper() + _slr_stops_because()[1:],
               choices=lambda: _SINGLE),
    Prediction("predict_taller", "03_straight_leg_raise",
               "Will a taller person reach 1.04 × standing at a smaller, the same, or a larger hip angle?",
               "choice", _taller,
               lambda: ("Every length scales with height, the standing bed and the moment arms alike, so a "
                        "relative target is reached at the same angle."),
               choices=lambda: ("a smaller hip angle", "the same hip angle", "a larger hip angle")),
    Prediction("predict_glide_bed", "04_nerve_glides",
               "Which movement will change the nerve bed length more: the slider or the tensioner?",
               "choice", _bigger_bed_change,
               lambda: (f"Bed change: slider {_glides()['slider']['bed_change_mm']:+.1f} mm, tensioner "
                        f"{_glides()['tensioner']['bed_change_mm']:+.1f} mm. In the slider the neck gives back "
                        "what the knee takes up."),
               choices=lambda: ("slider", "tensioner")),
    Prediction("predict_misses", "05_model_and_evidence",
               "Of the comparisons below (published figures the model was not set from), how many do you "
               "expect the model to miss?",
               "number", lambda: _row_count() - _within_count(),
               lambda: (f"{_row_count() - _within_count()} of {_row_count()} comparisons fall outside the "
                        "published figure; each has its reason stated in the table."), unit="rows", tolerance=0.0),
]}


def _get_prediction(key: str) -> Prediction:
    if not isinstance(key, str):
        raise TypeError(f"prediction: {key!r} is not a name (text); the predictions are {', '.join(PREDICTIONS)}")
    try:
        return PREDICTIONS[key]
    except KeyError:
        raise ValueError(f"no prediction {key!r}; the predictions are {', '.join(PREDICTIONS)}") from None


# -- widgets: answer in JupyterLab and in Voila without editing code ----------------------

def _input(kind: str, unit: str, choices: Sequence[str] | None, label: str):
    """(widget, read) for one kind of answer; ``read()`` gives the learner's answer."""
    import ipywidgets as W
    if kind == "number":
        box = W.Text(placeholder=f"a number in {unit}, e.g. -12.5" if unit in ("mm", "deg") else "a number",
                     description=label, style={"description_width": "initial"},
                     layout=W.Layout(width="22em"))
        return W.HBox([box, W.Label(unit)]), box, lambda: box.value
    if kind == "words":
        area = W.Textarea(placeholder="in a few words", description=label, style={"description_width": "initial"},
                          layout=W.Layout(width="36em", height="4.5em"))
        return area, area, lambda: area.value
    if kind == "choice":
        radio = W.RadioButtons(options=list(choices), value=None, description=label,
                               style={"description_width": "initial"}, layout=W.Layout(width="auto"))
        return radio, radio, lambda: radio.value
    ticks = [W.Checkbox(description=joint_label(j), value=False, indent=False, layout=W.Layout(width="15em"))
             for j in JOINTS]
    names = list(JOINTS)
    grid = W.GridBox(ticks, layout=W.Layout(grid_template_columns="repeat(4, 15em)"))
    return grid, ticks, lambda: [n for n, t in zip(names, ticks) if t.value]


def _frame(children, css: str, key: str):
    import ipywidgets as W
    box = W.VBox(children, layout=W.Layout(border="1px solid #bbbbbb", padding="6px 10px", margin="8px 0",
                                           max_width="1100px"))
    box.add_class(css)
    box.add_class(f"{css}-{key}")
    return box


def widget(key: str):
    """An exercise as a widget: the question, an input, a *Check* button and the feedback.

    A number is checked on *Check* or on Enter; the same answer twice in a row is
    counted (and shown) once.

    Works in JupyterLab and Voila (nothing to edit).  The returned box has
    ``.submit(answer)`` (check an answer as if typed, for tests) and
    ``.feedback`` (the HTML widget with the last :class:`Feedback`).
    """
    import ipywidgets as W
    ex = _get(key)
    tol = (f" <span style='color:{_GREY}'>(counted right within ±{ex.tolerance:g} {escape(ex.unit)})</span>"
           if ex.kind == "number" and ex.tolerance else "")
    question = W.HTML(f"<p style='font-size:1.05em;margin:4px 0'><b>{escape(ex.question)}</b>{tol}</p>")
    shown, control, read = _input(ex.kind, ex.unit, ex.choices() if ex.choices else None, "Your answer:")
    button = W.Button(description="Check", button_style="primary", tooltip="check your answer against the model")
    feedback = W.HTML()

    last: dict[str, Any] = {}

    def submit(given):
        fb = check(key, given)
        feedback.value = fb._repr_html_()
        last["given"] = given
        return fb

    def submit_once(given):
        # Enter in the number box and the Check button both check; one answer is counted once
        if last.get("given") != given:
            submit(given)

    button.on_click(lambda _b: submit_once(read()))
    if ex.kind == "number":
        control.continuous_update = False           # the value arrives on Enter (or on leaving the box)
        control.observe(lambda ch: submit_once(ch["new"]) if ch["new"].strip() else None, names="value")
    box = _frame([question, shown, button, feedback], "neuralsim-exercise", key)
    box.submit, box.feedback, box.control = submit, feedback, control
    return box


def predict(key: str):
    """A prediction as a widget: enter it, *Lock my prediction*, then *Show the model*.

    Locking disables the input (the prediction cannot be changed after the
    fact); the model's answer stays hidden until the learner asks for it.
    The returned box has ``.lock(answer)`` and ``.show()`` for tests.
    """
    import ipywidgets as W
    p = _get_prediction(key)
    question = W.HTML(f"<p style='font-size:1.05em;margin:4px 0'><b>Predict first.</b> {escape(p.question)}</p>")
    shown, control, read = _input(p.kind, p.unit, p.choices() if p.choices else None, "My prediction:")
    lock_b = W.Button(description="Lock my prediction", button_style="primary", layout=W.Layout(width="auto"))
    show_b = W.Button(description="Show the model", disabled=True, layout=W.Layout(width="auto"))
    status = W.HTML()
    state: dict[str, Any] = {}
    gate = _Gate()
    _GATES[key] = gate          # what after_lock(key) below this widget waits for

    def controls():
        return control if isinstance(control, list) else [control]

    def lock(given):
        try:
            p.as_exercise().read(given)
        except ValueError as e:
            status.value = Feedback(key, None, f"Enter a prediction first: {e}.")._repr_html_()
            return False
        state["predicted"] = given
        status.value = (f"<div role='status' class='neuralsim-locked'>Locked: you predicted "
                        f"{escape(_show(p.kind, p.as_exercise().read(given), p.unit))}.</div>")
        for c in controls():
            c.disabled = True
        lock_b.disabled = True
        lock_b.description = "Prediction locked"
        show_b.disabled = False
        gate.open()
        return True

    def show():
        if "predicted" not in state:
            return None
        fb = reveal(key, state["predicted"])
        status.value = fb._repr_html_().replace("<b>Right.</b>", "<b>Agrees.</b>").replace(
            "<b>Not yet.</b>", "<b>Compare.</b>").replace("<b>No answer yet.</b>", "<b>Compare.</b>")
        show_b.disabled = True
        return fb

    lock_b.on_click(lambda _b: lock(read()))
    show_b.on_click(lambda _b: show())
    box = _frame([question, shown, W.HBox([lock_b, show_b]), status], "neuralsim-prediction", key)
    box.lock, box.show, box.status, box.control = lock, show, status, control
    return box


class _Gate:
    """Whether a prediction widget is locked, and what to show once it is."""

    def __init__(self) -> None:
        self.locked = False
        self._waiting: list[Callable[[], None]] = []

    def open(self) -> None:
        self.locked = True
        for show in self._waiting:
            show()
        self._waiting.clear()

    def when_open(self, show: Callable[[], None]) -> None:
        if self.locked:
            show()
        else:
            self._waiting.append(show)


_GATES: dict[str, _Gate] = {}

#: What stands in for held-back output until its prediction is locked.
HELD_BACK_TEXT = "Lock your prediction above to see this."


class _Held:
    """Collects what a cell prints and displays, in order, as notebook outputs (see :func:`after_lock`)."""

    def __init__(self) -> None:
        self.outputs: list[dict] = []

    def write(self, text: str) -> int:
        if self.outputs and self.outputs[-1].get("name") == "stdout":
            self.outputs[-1]["text"] += text
        else:
            self.outputs.append({"output_type": "stream", "name": "stdout", "text": text})
        return len(text)

    def flush(self) -> None:
        pass

    def publish(self, data, metadata=None, source=None, *, transient=None, update=False, **kw) -> None:
        self.outputs.append({"output_type": "display_data", "data": dict(data), "metadata": dict(metadata or {})})

    def clear_output(self, wait: bool = False) -> None:
        self.outputs.clear()


class after_lock:
    """Hold back what a cell shows until the prediction ``key`` above it is locked.

    ``with exercises.after_lock("predict_slump_step"): display(table)`` runs the
    cell at once (its checks run as always) but keeps its printed text, tables
    and figures out of the page: a line asks the learner to lock the prediction,
    and the output appears under it when they do.  Outside a notebook, when no
    prediction widget ``key`` was shown, or once it is locked, the output is
    shown as usual.
    """

    def __init__(self, key: str) -> None:
        _get_prediction(key)
        self.key = key
        self._held: _Held | None = None
        self.widget = None      # the box shown in the cell's place while the output is held back

    def __enter__(self) -> "after_lock":
        import sys
        try:
            from IPython import get_ipython
            shell = get_ipython()
        except ImportError:          # pragma: no cover - IPython comes with the notebooks
            shell = None
        gate = _GATES.get(self.key)
        if shell is None or gate is None or gate.locked:
            return self
        self._held, self._shell = _Held(), shell
        self._saved = sys.stdout, shell.display_pub
        plt = sys.modules.get("matplotlib.pyplot")
        self._figures = set(plt.get_fignums()) if plt else set()
        sys.stdout, shell.display_pub = self._held, self._held
        return self

    def __exit__(self, kind, error, tb) -> None:
        if self._held is None:
            return
        import sys
        try:
            plt = sys.modules.get("matplotlib.pyplot")
            if plt is not None and kind is None:
                from IPython.display import display
                for n in sorted(set(plt.get_fignums()) - self._figures):   # the cell's new figures
                    display(plt.figure(n))
                    plt.close(n)
        finally:
            sys.stdout, self._shell.display_pub = self._saved
        if kind is not None:
            return
        import ipywidgets as W
        from IPython.display import display
        waiting = W.HTML(f"<p class='neuralsim-held-back' style='color:{_GREY};margin:4px 0'>"
                         f"{escape(HELD_BACK_TEXT)}</p>")
        out = W.Output()
        out.add_class("neuralsim-after-lock")
        out.add_class(f"neuralsim-after-lock-{self.key}")       # which prediction it waits for
        held = tuple(self._held.outputs)

        def show():
            waiting.layout.display = "none"
            out.outputs = held

        self.widget = W.VBox([waiting, out])
        self.widget.output, self.widget.waiting = out, waiting
        _GATES[self.key].when_open(show)
        display(self.widget)


# -- 06 front of the thigh (femoral nerve or rectus femoris?) ---------------------------

def _front_change(protocol, step, structure):
    """Change (mm) of ``structure`` at step ``step`` of ``protocol`` (from the step before)."""
    from ..model import protocols
    from ..state.states import compute
    steps = protocols.get(protocol).steps
    return compute(steps[step].posture).change_mm(structure) - compute(steps[step - 1].posture).change_mm(structure)


_FRONT = ("femoral nerve bed", "rectus femoris", "both", "neither")


def _front_neck_changes():
    nerve, muscle = (abs(_front_change("slump_knee_bend", 3, s)) > 1e-9 for s in ("femoral", "rectus_femoris"))
    return {(True, False): _FRONT[0], (False, True): _FRONT[1], (True, True): _FRONT[2]}.get((nerve, muscle), _FRONT[3])


EXERCISES.update({e.key: e for e in [
    _ex("front_knee_90_mm", "06_front_of_the_thigh",
        "Lying prone, the knee bends from straight to 90 degrees. By how many mm does the femoral nerve bed lengthen?",
        "number", lambda: _front_change("prone_knee_bend", 1, "femoral"),
        ["The femoral bed passes in front of the knee: knee flexion puts it on the outside of the bend.",
         "Wrapping adds offset x angle in radians; the offset is femoral_offset_knee in the parameter table."],
        lambda: f"{_front_change('prone_knee_bend', 1, 'femoral'):.1f} mm = femoral_offset_knee x pi/2",
        tolerance=1.0, unit="mm",
        because="the bed lies in front of the knee, so a bending knee wraps it: offset x angle in radians.",
        mistakes=[Mistake("sign", lambda: -_front_change("prone_knee_bend", 1, "femoral"),
                          "Check the sign: in front of the knee, is the bed on the inside or the outside "
                          "of the bend when the heel comes towards the buttock?")]),
    _ex("front_neck_rectus_mm", "06_front_of_the_thigh",
        "In the side-lying slump knee bend, by how many mm does releasing the neck change rectus femoris?",
        "number", lambda: _front_change("slump_knee_bend", 3, "rectus_femoris"),
        ["Which joints does rectus femoris cross?", "A muscle only changes length at the joints it crosses."],
        lambda: f"{_front_change('slump_knee_bend', 3, 'rectus_femoris'):.1f} mm: it crosses only the hip and the knee.",
        tolerance=0.5, unit="mm",
        because="rectus femoris runs from the pelvis to the shin: the neck is not on its path.",
        mistakes=[Mistake("per_step", lambda: _front_change("slump_knee_bend", 3, "femoral"),
                          "That is the femoral nerve bed's change. The question asks about the muscle.")]),
    _ex("front_neck_which", "06_front_of_the_thigh",
        "The pull at the front of the thigh eases when the neck is released in the side-lying slump knee bend. "
        "Which structure does the model say changed length?",
        "choice", _front_neck_changes,
        ["Compare the bed and the quadriceps columns of the step table at the last step.",
         "The femoral bed runs up the spinal canal; rectus femoris runs from the pelvis to the shin."],
        lambda: f"{_front_neck_changes()}: the bed changes by {_front_change('slump_knee_bend', 3, 'femoral'):+.1f} mm, "
                f"rectus femoris by {_front_change('slump_knee_bend', 3, 'rectus_femoris'):+.1f} mm.",
        choices=lambda: _FRONT,
        because="only the femoral bed reaches up the spinal canal to the neck.",
        aliases={"nerve": "femoral nerve bed", "femoral": "femoral nerve bed", "femoral nerve": "femoral nerve bed",
                 "muscle": "rectus femoris", "quadriceps": "rectus femoris"}),
]})


# -- predictions of notebooks 04, 06 and 07 ----------------------------------------------

_STUCK = ("it gathers above the hold", "it gathers below the hold", "it spreads evenly along the nerve")


def _stuck_strain():
    from ..core.posture import Posture
    from ..evidence.experiments import entrapment_table
    free, held = (entrapment_table(Posture(hip_flexion=70), "popliteal")[i] for i in (0, -1))
    up = held["strain_above_pct"] - free["strain_above_pct"]
    down = held["strain_below_pct"] - free["strain_below_pct"]
    return _STUCK[0] if up > 0 > down else _STUCK[1] if down > 0 > up else _STUCK[2]


_HOLD = ("the tension falls and the strain stays", "both fall", "both stay as they were",
         "the strain rises the longer it is held")


def _hold_effect():
    from ..mechanics.hold import hold_table
    from ..model.protocols import POSTURES
    first, last = hold_table(POSTURES["slump end (look down, dorsiflex)"], [0, 1800], "mid_thigh")
    tension = last["tension_x_rest"] - first["tension_x_rest"]
    strain = last["in_situ_strain_pct"] - first["in_situ_strain_pct"]
    if tension < 0 and strain == 0:
        return _HOLD[0]
    if tension < 0 and strain < 0:
        return _HOLD[1]
    return _HOLD[2] if strain == 0 else _HOLD[3]


def _femoral_lengthening():
    from ..state.analysis import joint_effects
    return {r["joint"] for r in joint_effects(step_deg=10, nerve="femoral") if r["nerve_mm"] > 0}


def _front_steps():
    from ..state.analysis import step_table
    return [r["step"] for r in step_table("prone_knee_bend")[1:]]


def _front_biggest_step():
    from ..state.analysis import step_table
    return max(step_table("prone_knee_bend")[1:], key=lambda r: r["change_mm"])["step"]


_RELEASE = ("the bed shortens, rectus femoris does not change", "both shorten",
            "rectus femoris shortens, the bed does not change", "neither changes")


def _front_release():
    bed, muscle = (_front_change("slump_knee_bend", 3, s) for s in ("femoral", "rectus_femoris"))
    short_bed, short_muscle = bed < -1e-9, muscle < -1e-9
    return _RELEASE[{(True, False): 0, (True, True): 1, (False, True): 2}.get((short_bed, short_muscle), 3)]


_NECK_MOVES = ("neither stop moves", "only the short-hamstring patient's stop moves",
               "only the sensitised patient's stop moves", "both stops move")


def _clinic_neck():
    from ..core.posture import Posture
    from ..limits.cases import CASES, NECK_ANGLES
    from ..limits.stops import differentiate
    moved = [differentiate(Posture(), "hip_flexion", "cervical_flexion", NECK_ANGLES, CASES[name].person)
             .nerve_involved() for name in ("short hamstrings", "sensitised nerve")]
    return _NECK_MOVES[{(False, False): 0, (True, False): 1, (False, True): 2}.get(tuple(moved), 3)]


def _clinic_neck_explain() -> str:
    from ..core.posture import Posture
    from ..limits.cases import CASES, NECK_ANGLES
    from ..limits.stops import differentiate
    d = [differentiate(Posture(), "hip_flexion", "cervical_flexion", NECK_ANGLES, CASES[name].person)
         for name in ("short hamstrings", "sensitised nerve")]
    return (f"With the neck bent the short-hamstring raise moves {abs(d[0].change_deg):.1f}\u00b0 (the hamstrings do "
            f"not reach the neck) and the sensitised one {abs(d[1].change_deg):.1f}\u00b0 earlier; a re-measurement of "
            f"a raise can differ by up to {d[0].mdd_deg:g}\u00b0, so a change counts only beyond that.")


def worked_example():
    """The clinic notebook's worked example: a hidden person who is none of the clinic's patients
    (a sensitised nerve, hamstrings a little short of typical, 1.66 m), with the answer the
    procedure gives; the page teaches the procedure on it instead of on the patients."""
    from ..limits.cases import Patient
    from ..limits.person import Person, typical_tolerance_pct
    # factors chosen for teaching, as for the named cases: a nerve that the ankle differentiates clearly
    # and a slackened raise still short of normal, so that step 3 has something to rule out
    return Patient("worked example", Person(height_m=1.66, sensitised=True,
                                            hamstring_tolerance_pct=0.9 * typical_tolerance_pct()), "nerve")


def _gains() -> tuple[str, str]:
    """The two answers about stretching: a change beyond the raise's minimal detectable difference or not."""
    from ..limits.stops import mdd_deg
    d = mdd_deg("hip_flexion")
    return (f"yes, by more than {d:g}\u00b0", f"no: by {d:g}\u00b0 or less, within the error of measuring a raise")


def _stretch_gain_deg():
    from ..core.posture import Posture
    from ..limits.stops import after_stretching, movement_limit
    person = worked_example().person
    before = movement_limit(Posture(), "hip_flexion", person).angle_deg
    return float(movement_limit(Posture(), "hip_flexion", after_stretching(person, 4)).angle_deg - before)


def _stretch_gain():
    from ..core.parameters import value
    from ..limits.stops import mdd_deg
    return _gains()[0] if _stretch_gain_deg() > mdd_deg("hip_flexion") else _gains()[1]


PREDICTIONS.update({p.key: p for p in [
    Prediction("predict_stuck_strain", "04_nerve_glides",
               "A straight-leg raise to 70\u00b0 with the nerve held behind the knee: where does its strain go?",
               "choice", _stuck_strain,
               lambda: ("Held behind the knee, the nerve cannot slide down into the leg: the length the raise "
                        "takes up at the hip has to come from the nerve above the hold, which stretches more, "
                        "while the nerve below it is left almost unloaded."), choices=lambda: _STUCK),
    Prediction("predict_hold", "04_nerve_glides",
               "The slump end held for thirty minutes: what happens to the strain and the tension of the "
               "nerve at mid-thigh?", "choice", _hold_effect,
               lambda: ("The posture holds the bed, so the nerve keeps its length and its strain; what it lets go "
                        "of, slowly, is the tension the movement added (stress relaxation). The blood-flow "
                        "figures go by the stretch, which is why a held stretch is not made safe by waiting."),
               choices=lambda: _HOLD),
    Prediction("predict_front_joints", "06_front_of_the_thigh",
               "Moving each joint by 10\u00b0 from standing (in the direction its slider names), which "
               "movements will lengthen the femoral nerve bed?", "joints", _femoral_lengthening,
               lambda: ("The femoral bed runs up the spinal canal, so bending the neck and the back wraps it; "
                        "it passes in front of the knee, so knee flexion wraps it too; in front of the hip, "
                        "flexion folds it (shorter), and it does not reach the ankle.")),
    Prediction("predict_front_step", "06_front_of_the_thigh",
               "Which step of the prone knee bend will add most to the femoral nerve bed?", "choice",
               _front_biggest_step,
               lambda: ("Bending the knee from straight to 90\u00b0 moves it through the largest angle of the "
                        "test, and the bed wraps round the front of the knee."), choices=_front_steps),
    Prediction("predict_front_release", "06_front_of_the_thigh",
               "At the end of the side-lying slump knee bend only the neck is released. What happens?",
               "choice", _front_release,
               lambda: ("Only the femoral bed runs up to the neck; rectus femoris runs from the pelvis to the "
                        "shin, so the neck cannot change it."), choices=lambda: _RELEASE),
    Prediction("predict_clinic_neck", "07_clinic_hamstrings_or_nerve",
               "Bending the neck forward 40\u00b0 before the raise: whose stopping angle moves by more than a "
               "re-measurement can differ (the raise's minimal detectable difference), the patient with short "
               "hamstrings and a normal nerve, the patient with a sensitised nerve, both, or neither?",
               "choice", _clinic_neck, _clinic_neck_explain, choices=lambda: _NECK_MOVES),
    Prediction("predict_clinic_earliest", "07_clinic_hamstrings_or_nerve",
               "Which patient do you expect to stop earliest in the plain straight-leg raise, and will "
               "bending the neck change where they stop? Write it down before you open the patients.",
               "words", lambda: None,
               lambda: ("Now compare with what the explorer shows: raise each patient's leg, then bend the "
                        "neck and see whether the leg has to come down.")),
    Prediction("predict_clinic_stretching", "07_clinic_hamstrings_or_nerve",
               "Four weeks of daily hamstring stretching, as in the trial: will the worked example's "
               "straight-leg raise go further?", "choice", _stretch_gain,
               lambda: ("Stretching raised the tolerance of the stretch in the trials and left the nerve as it "
                        "was; a raise the nerve stops does not go further when the stretch is tolerated better."),
               choices=_gains),
]})
