"""Named postures and test sequences, as data.

Each protocol is a tuple of :class:`Step` ``(name, posture)`` pairs, so
``for name, posture in SLUMP_SEED`` works.  :data:`ALL` maps each protocol's
name to a :class:`Protocol` with a title, the view to draw it in, its steps
and the nerve it tests (a key of :data:`neuralsim.NERVES`); :func:`get`
looks one up by name with a clear error.

The angles are typical values chosen to show each step clearly (degrees,
clinical signs); real people vary.

>>> [name for name, _ in SLUMP_SEED][:2]
['sit, feet off the ground', 'slump, arms behind, look ahead']
"""
from __future__ import annotations

from typing import Mapping, NamedTuple

from ..core.errors import Choices
from ..core.posture import Posture

__all__ = [
    "Step", "Protocol", "get", "PRONE_KNEE_BEND", "SLUMP_KNEE_BEND", "SITTING", "SLUMP_SEED", "SLUMP_CLASSIC", "SLR_SENSITISERS",
    "FORWARD_BEND_HIP_HINGE", "FORWARD_BEND_SPINAL", "SCIATIC_GLIDE_SUPINE", "ALL", "POSTURES",
]


class Step(NamedTuple):
    """One step of a protocol: a short name and the posture at the end of it."""

    name: str
    posture: Posture


class Protocol(NamedTuple):
    """A named sequence of steps with the view it is drawn in and the nerve it tests."""

    title: str
    view: str
    steps: tuple
    nerve: str = "sciatic"

    def names(self) -> list[str]:
        return [s.name for s in self.steps]


#: Sitting upright on a high table, feet hanging (the start of the slump test).
SITTING = Posture(hip_flexion=90, knee_flexion=90, ankle_dorsiflexion=-10)
_SLUMPED = SITTING.replace(lumbar_flexion=30, thoracic_flexion=30, cervical_flexion=-25)
_KNEE_STRAIGHT = _SLUMPED.replace(knee_flexion=0)
_LOOK_DOWN = _KNEE_STRAIGHT.replace(cervical_flexion=45)
_DORSIFLEX = _LOOK_DOWN.replace(ankle_dorsiflexion=15)
_LOOK_UP = _DORSIFLEX.replace(cervical_flexion=-40)

#: The slump test in the order of the source article.  While slumped the
#: person keeps looking ahead, which extends the neck a little against the
#: rounded upper back (cervical_flexion -25).
SLUMP_SEED: tuple = (
    Step("sit, feet off the ground", SITTING),
    Step("slump, arms behind, look ahead", _SLUMPED),
    Step("extend one knee", _KNEE_STRAIGHT),
    Step("look down", _LOOK_DOWN),
    Step("dorsiflex the ankle", _DORSIFLEX),
    Step("look up", _LOOK_UP),
)

_C_SLUMP = SITTING.replace(lumbar_flexion=30, thoracic_flexion=30)
_C_NECK = _C_SLUMP.replace(cervical_flexion=45)
_C_KNEE = _C_NECK.replace(knee_flexion=0)
_C_DF = _C_KNEE.replace(ankle_dorsiflexion=15)
_C_RELEASE = _C_DF.replace(cervical_flexion=0)

#: The slump test in the classic clinical order, ending with the neck released to neutral.
SLUMP_CLASSIC: tuple = (
    Step("sit upright", SITTING),
    Step("slump", _C_SLUMP),
    Step("neck flexion", _C_NECK),
    Step("knee extension", _C_KNEE),
    Step("dorsiflexion", _C_DF),
    Step("neck release", _C_RELEASE),
)

_SUPINE = Posture()
_SLR = _SUPINE.replace(hip_flexion=60)
_SLR_DF = _SLR.replace(ankle_dorsiflexion=15)
_SLR_ADD = _SLR_DF.replace(hip_adduction=15)
_SLR_IR = _SLR_ADD.replace(hip_internal_rotation=20)
_SLR_NECK = _SLR_IR.replace(cervical_flexion=40)

#: Straight-leg raise, then the sensitisers added one at a time.
SLR_SENSITISERS: tuple = (
    Step("lying on the back", _SUPINE),
    Step("straight-leg raise to 60 deg", _SLR),
    Step("+ dorsiflexion", _SLR_DF),
    Step("+ hip adduction", _SLR_ADD),
    Step("+ hip internal rotation", _SLR_IR),
    Step("+ neck flexion", _SLR_NECK),
)

#: Forward bend, knees straight, reaching down by hinging at the hips with a neutral spine.
FORWARD_BEND_HIP_HINGE: tuple = (
    Step("standing", Posture()),
    Step("hinge halfway", Posture(hip_flexion=45)),
    Step("hinge fully", Posture(hip_flexion=90)),
)

#: Forward bend, knees straight, reaching down mostly by rounding the spine.
FORWARD_BEND_SPINAL: tuple = (
    Step("standing", Posture()),
    Step("round halfway", Posture(cervical_flexion=20, thoracic_flexion=20, lumbar_flexion=30, hip_flexion=20)),
    Step("round fully", Posture(cervical_flexion=40, thoracic_flexion=35, lumbar_flexion=55, hip_flexion=40)),
)

_GLIDE_BENT = Posture(hip_flexion=70, knee_flexion=45, ankle_dorsiflexion=-15)
_GLIDE_OUT = _GLIDE_BENT.replace(knee_flexion=10, ankle_dorsiflexion=15)

#: The supine sciatic nerve glide of the source article: lying on the back,
#: leg lifted with the knee bent; straighten the knee and pull the foot up;
#: let go again.  Small, easy ranges.
SCIATIC_GLIDE_SUPINE: tuple = (
    Step("leg lifted, knee bent", _GLIDE_BENT),
    Step("knee straightened, foot pulled up", _GLIDE_OUT),
    Step("release", _GLIDE_BENT),
)

#: Every protocol by name.
ALL: Mapping[str, Protocol] = {
    "slump": Protocol("Slump test (order of the source article)", "sitting", SLUMP_SEED),
    "slump_classic": Protocol("Slump test (classic clinical order)", "sitting", SLUMP_CLASSIC),
    "slr": Protocol("Straight-leg raise with sensitisers", "supine", SLR_SENSITISERS),
    "hip_hinge": Protocol("Forward bend by hip hinge", "standing", FORWARD_BEND_HIP_HINGE),
    "spinal_bend": Protocol("Forward bend by spinal flexion", "standing", FORWARD_BEND_SPINAL),
    "sciatic_glide": Protocol("Supine sciatic nerve glide", "supine", SCIATIC_GLIDE_SUPINE),
}

#: Single named postures for preset buttons.
POSTURES: Mapping[str, Posture] = {
    "neutral (standing)": Posture(),
    "sitting": SITTING,
    "slump end (look down, dorsiflex)": _DORSIFLEX,
    "slump end, looking up": _LOOK_UP,
    "straight-leg raise 60 deg": _SLR,
    "hip hinge": Posture(hip_flexion=90),
    "toe touch by rounding": Posture(cervical_flexion=40, thoracic_flexion=35, lumbar_flexion=55, hip_flexion=40),
}

# -- sliders and tensioners (nerve mechanics) ----------------------------------
# Seated, slumped (hip 90, lumbar 30, thoracic 30 deg).  In a slider one end of
# the bed lengthens while the other shortens; in a tensioner both lengthen.
_SLIDE_SEAT = Posture(hip_flexion=90, lumbar_flexion=30, thoracic_flexion=30, knee_flexion=60)

#: Sciatic slider: the knee straightens while the head looks up, then both return.
SCIATIC_SLIDER: tuple = (
    Step("slumped, knee bent, looking down", _SLIDE_SEAT.replace(cervical_flexion=40)),
    Step("knee nearly straight, looking up", _SLIDE_SEAT.replace(knee_flexion=20, cervical_flexion=-40)),
    Step("back: knee bent, looking down", _SLIDE_SEAT.replace(cervical_flexion=40)),
)

#: Sciatic tensioner: the knee straightens while the head looks down, then both return.
SCIATIC_TENSIONER: tuple = (
    Step("slumped, knee bent, looking up", _SLIDE_SEAT.replace(cervical_flexion=-40)),
    Step("knee nearly straight, looking down", _SLIDE_SEAT.replace(knee_flexion=20, cervical_flexion=40)),
    Step("back: knee bent, looking up", _SLIDE_SEAT.replace(cervical_flexion=-40)),
)

#: The knee alone (single-joint movement), head held in neutral.
SCIATIC_KNEE_ONLY: tuple = (
    Step("slumped, knee bent", _SLIDE_SEAT),
    Step("knee nearly straight", _SLIDE_SEAT.replace(knee_flexion=20)),
    Step("back: knee bent", _SLIDE_SEAT),
)

#: The slump end position (classic order), then the neck released to neutral.
SLUMP_NECK_RELEASE: tuple = (
    Step("slump end: neck flexed, knee straight, foot pulled up", _C_DF),
    Step("neck released", _C_RELEASE),
)

ALL = {
    **ALL,
    "sciatic_slider": Protocol("Sciatic slider (knee straightens, head looks up)", "sitting", SCIATIC_SLIDER),
    "sciatic_tensioner": Protocol("Sciatic tensioner (knee straightens, head looks down)", "sitting", SCIATIC_TENSIONER),
    "sciatic_knee_only": Protocol("Knee extension alone, slumped sitting", "sitting", SCIATIC_KNEE_ONLY),
    "slump_release": Protocol("Slump end position with and without neck release", "sitting", SLUMP_NECK_RELEASE),
}
POSTURES = {
    **POSTURES,
    "slump end, neck flexed": _C_DF,
    "slump end, neck released": _C_RELEASE,
    "sciatic slider end": SCIATIC_SLIDER[1].posture,
    "sciatic tensioner end": SCIATIC_TENSIONER[1].posture,
}
# An unknown name raises UnknownNameError (a ValueError and a KeyError) listing the valid names.
ALL = Choices("protocol", ALL)
POSTURES = Choices("posture", POSTURES)
__all__ += ["SCIATIC_SLIDER", "SCIATIC_TENSIONER", "SCIATIC_KNEE_ONLY", "SLUMP_NECK_RELEASE"]

# -- the front of the thigh: the femoral nerve ----------------------------------
# Lying face down (prone) the hip starts at 0 deg; the examiner bends the knee,
# then lifts the thigh off the couch (hip extension).
_PRONE = Posture()
_PKB_90 = _PRONE.replace(knee_flexion=90)
_PKB_FULL = _PRONE.replace(knee_flexion=120)
_PKB_HIP = _PKB_FULL.replace(hip_flexion=-15)

#: Prone knee bend (femoral nerve): prone, the knee bends, then the hip extends.
PRONE_KNEE_BEND: tuple = (
    Step("lying prone", _PRONE),
    Step("knee bent to 90 deg", _PKB_90),
    Step("knee bent fully", _PKB_FULL),
    Step("+ hip extension", _PKB_HIP),
)

# Side-lying slump: trunk and neck curled, the lower leg held bent (not
# modelled: the model has one leg, the upper one); the upper knee bends, the
# hip extends, then the neck is released.  Neck movement changes the femoral
# bed but no thigh muscle: differentiation for the front of the thigh.
_SL_SLUMP = Posture(cervical_flexion=40, thoracic_flexion=30, lumbar_flexion=30)
_SL_KNEE = _SL_SLUMP.replace(knee_flexion=90)
_SL_HIP = _SL_KNEE.replace(hip_flexion=-15)
_SL_RELEASE = _SL_HIP.replace(cervical_flexion=0)

#: Side-lying slump knee bend (femoral nerve), ending with the neck released.
SLUMP_KNEE_BEND: tuple = (
    Step("side-lying slump, neck flexed", _SL_SLUMP),
    Step("+ knee flexion", _SL_KNEE),
    Step("+ hip extension", _SL_HIP),
    Step("neck released", _SL_RELEASE),
)

ALL = Choices("protocol", {
    **ALL,
    "prone_knee_bend": Protocol("Prone knee bend (femoral nerve)", "prone", PRONE_KNEE_BEND, "femoral"),
    "slump_knee_bend": Protocol("Side-lying slump knee bend (femoral nerve)", "side_lying", SLUMP_KNEE_BEND,
                                "femoral"),
})


def get(name: str) -> Protocol:
    """The :class:`Protocol` called ``name`` (a key of :data:`ALL`), else
    :class:`~neuralsim.errors.UnknownNameError` (a ``ValueError``) listing them."""
    return ALL[name]
