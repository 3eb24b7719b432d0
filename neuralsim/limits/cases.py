"""Virtual patients: named cases, a seeded class set, and the procedure that tells them apart.

Each :class:`Patient` has a label a student sees and a hidden
:class:`~neuralsim.person.Person`; ``repr`` shows neither the parameters nor the
answer.  :func:`examine` runs the tests of the clinic notebook on a patient
and :func:`identify` applies its decision rule to what those tests show
(stopping angles and what is felt where: never the hidden parameters).

The answers: ``"hamstrings"``, ``"nerve"``, ``"both"``, ``"stiff hip"``,
``"neither"``.

>>> p = CASES["short hamstrings"]
>>> p
Patient('short hamstrings')
>>> identify(p)
'hamstrings'
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..core import parameters as _p
from ..core.errors import Choices, as_integer, as_name
from .stops import HAMSTRING_FEEL, Differentiation, MovementLimit, differentiate, movement_limit
from .person import Person, typical_tolerance_pct
from ..core.posture import Posture, as_posture

__all__ = ["Patient", "CASES", "ANSWERS", "class_set", "examine", "identify", "seated_start", "answer_key",
           "SLR_START", "SLUMP_START", "RELEASED_SLR_START", "healthy_people", "sensitiser_stops",
           "format_sensitiser_stops"]

ANSWERS: tuple[str, ...] = ("hamstrings", "nerve", "both", "stiff hip", "neither")

#: Supine, everything neutral: the straight-leg raise moves hip_flexion from here.
SLR_START = Posture()
#: The straight-leg raise with the nerve slackened from both ends: neck extended, ankle plantarflexed.
RELEASED_SLR_START = Posture(cervical_flexion=-40, ankle_dorsiflexion=-30)
#: Seated slump, neck flexed, knee bent: the slump's knee extension moves knee_flexion down from 90.  The
#: pelvis is turned back as sitting turns it (``pelvis_sitting_tilt_deg``), the slump flexing the back further.
SLUMP_START = Posture(hip_flexion=90, lumbar_flexion=30, thoracic_flexion=30, cervical_flexion=45, knee_flexion=90,
                      pelvic_tilt=_p.value("pelvis_sitting_tilt_deg"))
#: Remote-joint angles the clinic uses (deg): ankle neutral -> dorsiflexed, neck neutral -> flexed,
#: and in the slump the neck flexed -> looking up.
ANKLE_ANGLES = (0.0, 10.0)
NECK_ANGLES = (0.0, 40.0)
SLUMP_NECK_ANGLES = (45.0, -20.0)


@dataclass(frozen=True, eq=False)
class Patient:
    """A virtual patient: a ``label`` to show and a hidden ``person`` and ``answer``."""

    label: str
    person: Person = field(repr=False)
    answer: str = field(repr=False)

    def __post_init__(self) -> None:
        if not isinstance(self.label, str):
            raise TypeError(f"label: {self.label!r} is not text; give the name a student sees")
        as_name("answer", self.answer, ANSWERS)
        if not isinstance(self.person, Person) or self.person.shape:
            raise TypeError("a patient's person must be a single neuralsim.Person")

    def __repr__(self) -> str:
        return f"Patient({self.label!r})"


def _typical_thresholds(factor: float = 1.0) -> dict:
    return {s: factor * v for s, v in Person().nerve_threshold_pct.items()}


def _root_sensitised(factor: float) -> dict:
    """Typical thresholds with the roots' lowered by ``factor`` (an irritated root, as over a disc)."""
    t = _typical_thresholds()
    t["lumbar_roots"] *= factor
    return t


def _cases() -> dict[str, Patient]:
    tol = typical_tolerance_pct()
    stiff = _p.value("person_stiff_hip_max_deg")
    c = {
        "short hamstrings": Patient("short hamstrings", Person(hamstring_tolerance_pct=0.55 * tol), "hamstrings"),
        "sensitised nerve": Patient("sensitised nerve", Person(sensitised=True), "nerve"),
        "nerve stuck at the piriformis": Patient(
            "nerve stuck at the piriformis", Person(entrapment={"piriformis": 1.0}), "nerve"),
        "both": Patient("both", Person(hamstring_tolerance_pct=0.6 * tol,
                                       nerve_threshold_pct=_root_sensitised(0.25)), "both"),
        "neither, hypermobile": Patient("neither, hypermobile", Person(
            mobility="hypermobile", hamstring_tolerance_pct=1.6 * tol,
            nerve_threshold_pct=_typical_thresholds(1.4)), "neither"),
        "stiff hip": Patient("stiff hip", Person(joint_limits={"hip_flexion": (-20.0, stiff)}), "stiff hip"),
    }
    return c


#: The named virtual patients of the clinic notebook (an unknown name raises
#: :class:`~neuralsim.errors.UnknownNameError` listing them).
CASES: dict[str, Patient] = Choices("case", _cases())


def class_set(seed: int, n: int = 30) -> list[Patient]:
    """``n`` virtual patients for a class, each a different hidden person, reproducible from ``seed``.

    Labels are ``"patient 01"`` ... .  Each patient's answer is drawn first
    (about a third "neither", the rest spread over the other answers), then
    the person is drawn around the typical values with the spreads of
    ``parameters.csv`` (``person_*_sd*``), kept clear of the borderline so
    that the answer is well defined.  The same seed gives the same class.
    """
    seed = as_integer("seed", seed, 0, math.inf, "(a seed)")
    n = as_integer("n", n, 1, 100_000, "patients")
    rng = np.random.default_rng(seed)
    tol0 = typical_tolerance_pct()
    tol_sd = _p.value("person_hamstring_tolerance_sd") * tol0
    thr_sd = _p.value("person_nerve_threshold_sd")
    stiff = _p.value("person_stiff_hip_max_deg")
    kinds = rng.choice(ANSWERS, size=n, p=[0.2, 0.2, 0.1, 0.1, 0.4])
    out = []
    for i, kind in enumerate(kinds):   # n is a class (tens), each draw a handful of numbers
        height = float(np.clip(rng.normal(1.72, 0.09), 1.5, 2.0))
        f_thr = float(np.exp(rng.normal(0.0, thr_sd)))
        tol_normal = float(np.clip(rng.normal(tol0, tol_sd), tol0 - 0.7 * tol_sd, tol0 + 2 * tol_sd))
        tol_short = float(rng.uniform(0.45, 0.6) * tol0)
        kw: dict[str, Any] = {"height_m": height, "hamstring_stiffness": float(np.exp(rng.normal(0.0, 0.2)))}
        if kind == "hamstrings":
            kw.update(hamstring_tolerance_pct=tol_short, nerve_threshold_pct=_typical_thresholds(f_thr))
        elif kind == "nerve":
            if rng.random() < 0.5:
                kw.update(sensitised=True, nerve_threshold_pct=_typical_thresholds(min(f_thr, 1.0)))
            else:
                site = str(rng.choice(["piriformis", "lumbar_roots"]))
                kw.update(entrapment={site: 1.0}, nerve_threshold_pct=_typical_thresholds(min(f_thr, 1.0)))
            kw.update(hamstring_tolerance_pct=tol_normal)
        elif kind == "both":
            kw.update(hamstring_tolerance_pct=float(rng.uniform(0.55, 0.6) * tol0),
                      nerve_threshold_pct=_root_sensitised(0.25 * min(f_thr, 1.0)))
        elif kind == "stiff hip":
            kw.update(hamstring_tolerance_pct=tol_normal, nerve_threshold_pct=_typical_thresholds(f_thr),
                      joint_limits={"hip_flexion": (-20.0, float(rng.uniform(0.75, 1.0) * stiff))})
        else:
            mob = str(rng.choice(["typical", "hypermobile"], p=[0.7, 0.3]))
            kw.update(mobility=mob, hamstring_tolerance_pct=tol_normal,
                      nerve_threshold_pct=_typical_thresholds(max(f_thr, 1.0)))
        out.append(Patient(f"patient {i + 1:02d}", Person(**kw), str(kind)))
    return out


def answer_key(seed: int, n: int = 30) -> list[tuple[str, str]]:
    """For the teacher: ``(label, answer)`` of every patient of :func:`class_set` ``(seed, n)``."""
    return [(p.label, p.answer) for p in class_set(seed, n)]


def healthy_people(seed: int = 1, n: int = 200) -> Person:
    """The generated healthy people of a seeded class: the ``"neither"`` answers of
    :func:`class_set` ``(seed, n)``, as one array :class:`~neuralsim.limits.person.Person`."""
    people = [p.person for p in class_set(seed, n) if p.answer == "neither"]
    if not people:
        raise ValueError(f"class_set({seed}, {n}) holds no healthy person; take a larger n")
    return Person.stack(people)


def sensitiser_stops(people: Person | None = None, sensitisers: dict | None = None) -> list[dict]:
    """Where the straight-leg raise stops with each sensitiser, for people (default
    :func:`healthy_people`).

    One row per sensitiser combination (default the bed table's,
    :data:`neuralsim.state.analysis.SENSITISERS`, the plain raise first), lying on the back
    with the knee straight: ``name``, ``mean_deg`` and ``sd_deg`` (the stops' mean and SD, deg
    hip flexion), ``lower_by_deg`` (the mean over the people of their own plain stop minus this
    stop, deg), ``n`` (people).
    """
    from ..state.analysis import SENSITISERS
    people = healthy_people() if people is None else people
    rows, plain = [], None
    for name, extra in (SENSITISERS if sensitisers is None else sensitisers).items():
        a = np.atleast_1d(np.asarray(movement_limit(SLR_START.replace(**extra), "hip_flexion", people).angle_deg,
                                     dtype=float))
        plain = a if plain is None else plain
        rows.append({"name": name, "mean_deg": float(a.mean()), "sd_deg": float(a.std()),
                     "lower_by_deg": float((plain - a).mean()), "n": int(a.size)})
    return rows


def format_sensitiser_stops(rows) -> str:
    """Plain-text table of :func:`sensitiser_stops` rows (degrees)."""
    head = f"{'straight-leg raise':<30}{'stop, mean (deg)':>18}{'SD (deg)':>10}{'lower by (deg)':>16}"
    lines = [head, "-" * len(head)]
    for r in rows:
        lines.append(f"{r['name']:<30}{r['mean_deg']:>18.1f}{r['sd_deg']:>10.1f}{r['lower_by_deg']:>16.1f}")
    return "\n".join(lines)


def seated_start(person: Person, start=None):
    """The slump start (default :data:`SLUMP_START`) with every angle brought inside the person's range.

    A person whose hip cannot flex to 90 deg sits with the hip as far as it goes (deg).
    """
    if not isinstance(person, Person) or person.shape:
        raise TypeError("seated_start takes a single neuralsim.Person")
    start = SLUMP_START if start is None else as_posture(start)
    if start.shape:
        raise ValueError(f"the start posture must be a single posture (shape ()), got shape {start.shape}")
    fitted = {}
    for j, a in start.angles().items():
        lo, hi = person.joint_range(j)
        fitted[j] = float(min(max(a, lo[0]), hi[0]))
    return Posture(**fitted, pelvic_tilt=start.pelvic_tilt)


def examine(patient: Patient | Person) -> dict:
    """Run the clinic's tests on one patient; returns what a clinician would see.

    Keys: ``"slr"`` (straight-leg raise, :class:`~neuralsim.limits.MovementLimit`),
    ``"slr_ankle"`` and ``"slr_neck"`` (:class:`~neuralsim.limits.Differentiation`
    with the ankle 0 -> 10 deg dorsiflexion and the neck 0 -> 40 deg flexion),
    ``"slr_released"`` (the raise with the neck extended and the ankle
    plantarflexed), ``"slump"`` (the slump's knee extension, neck flexed ->
    looking up, a :class:`~neuralsim.limits.Differentiation`; seated as far as
    the person's joints allow, :func:`seated_start`).
    """
    person = patient.person if isinstance(patient, Patient) else patient
    if not isinstance(person, Person):
        raise TypeError(f"examine takes a Patient or a Person, got {type(patient).__name__}")
    slump = seated_start(person)
    return {
        "slr": movement_limit(SLR_START, "hip_flexion", person),
        "slr_ankle": differentiate(SLR_START, "hip_flexion", "ankle_dorsiflexion", ANKLE_ANGLES, person),
        "slr_neck": differentiate(SLR_START, "hip_flexion", "cervical_flexion", NECK_ANGLES, person),
        "slr_released": movement_limit(RELEASED_SLR_START, "hip_flexion", person),
        "slump": differentiate(slump, "knee_flexion", "cervical_flexion", SLUMP_NECK_ANGLES, person,
                               direction=-1),
    }


def identify(patient: Patient | Person, findings: dict | None = None) -> str:
    """The clinic notebook's decision rule, applied to what the tests show.

    1. The raise stops at a firm block (no stretch felt) short of 90 deg: ``"stiff hip"``.
    2. The raise reaches ``slr_normal_min_deg`` or more: ``"neither"``.
    3. Otherwise the nerve takes part if what is felt most at the raise's stop, or at
       the slump's (neck flexed), is a nerve symptom (a deep pull or burning, tingling:
       not the broad stretch of a muscle), or if the neck or the ankle moves the raise's
       stop, or looking up moves the slump's knee stop, by more than the test's minimal
       detectable difference (:func:`neuralsim.limits.mdd_deg`: smaller changes are
       measurement error); the hamstrings are short if the
       raise with the nerve slackened (neck extended, ankle plantarflexed)
       still stops below ``slr_normal_min_deg`` and the stretch in the back
       of the thigh is the strongest thing felt there.  Both, one, or (if neither shows)
       the hamstrings.
    """
    f = examine(patient) if findings is None else _check_findings(findings)
    slr = f["slr"]
    normal = _p.value("slr_normal_min_deg")
    if slr.limited_by == "joint range" and slr.angle_deg < 90.0:
        return "stiff hip"
    if slr.angle_deg >= normal:
        return "neither"
    muscle = (tuple(HAMSTRING_FEEL),)
    nerve_felt = slr.symptoms[:1] != muscle or f["slump"].results[0].symptoms[:1] != muscle
    nerve = bool(nerve_felt or f["slr_ankle"].nerve_involved() or f["slr_neck"].nerve_involved()
                 or f["slump"].nerve_involved())
    rel = f["slr_released"]
    muscle_first = rel.symptoms[:1] == muscle
    hamstrings = rel.angle_deg < normal and muscle_first
    if nerve and hamstrings:
        return "both"
    if nerve:
        return "nerve"
    return "hamstrings"


#: What :func:`examine` returns: key -> the kind of result (a single person's).
_FINDINGS = {"slr": MovementLimit, "slr_ankle": Differentiation, "slr_neck": Differentiation,
             "slr_released": MovementLimit, "slump": Differentiation}


def _check_findings(findings: Any) -> dict:
    """``findings`` if it is what :func:`examine` returns for one patient, else an error naming what is wrong."""
    if not isinstance(findings, dict):
        raise TypeError(f"findings: {type(findings).__name__} is not what examine() returns; "
                        f"give examine(patient) (a dict with {', '.join(_FINDINGS)}) or None")
    missing = [k for k in _FINDINGS if k not in findings]
    if missing:
        raise ValueError(f"findings: {', '.join(missing)} missing; give examine(patient) "
                         f"(a dict with {', '.join(_FINDINGS)}) or None")
    for k, kind in _FINDINGS.items():
        v = findings[k]
        if not isinstance(v, kind) or (np.ndim(v.angle_deg) != (0 if kind is MovementLimit else 1)):
            raise TypeError(f"findings[{k!r}]: {type(v).__name__} is not the {kind.__name__} of one patient "
                            "that examine() gives")
    return findings
