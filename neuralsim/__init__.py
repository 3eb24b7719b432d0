"""neuralsim: the beds of the sciatic and femoral nerves, joint by joint.

A small teaching model: a sagittal-plane body whose joint angles (degrees,
clinical names and signs) set the length of the nerve bed from the upper
cervical canal to the foot, and of the hamstrings and gastrocnemius beside it.
For teaching and self-exploration, not for diagnosis or treatment.

>>> import neuralsim as ns
>>> slump_end = ns.Posture(hip_flexion=90, lumbar_flexion=30, thoracic_flexion=30,
...                        cervical_flexion=45, ankle_dorsiflexion=15)
>>> ns.relative_bed_length(slump_end) > 1.0
True
"""
from . import _compat
from .core.joints import JOINTS, UNIT, MOBILITIES, joint_range
from .core.errors import OutOfRangeError, UnknownNameError
from .core.posture import Posture
from .core.body import Body, DEFAULT_BODY
from .model import (
    MUSCLES, HAMSTRINGS, REFERENCE, nerve_bed_length, relative_bed_length,
    bed_contributions, muscle_length,
)
from .model import NERVES, structure_length

_compat.install()

__all__ = [
    "JOINTS", "UNIT", "MOBILITIES", "joint_range", "Posture", "Body", "DEFAULT_BODY",
    "MUSCLES", "HAMSTRINGS", "REFERENCE", "nerve_bed_length", "relative_bed_length",
    "bed_contributions", "muscle_length", "protocols", "nerve_mechanics", "held",
    "NERVES", "structure_length", "State", "compute",
    "OutOfRangeError", "UnknownNameError",
    "Person", "movement_limit", "differentiate", "cases",
]
__version__ = "0.1.0"


#: names of ``neuralsim`` that load on first use: attribute -> (module, name in it or None for the module)
_LAZY = {
    "compute": ("neuralsim.state", "compute"), "State": ("neuralsim.state", "State"),
    "nerve_mechanics": ("neuralsim.mechanics", "nerve_mechanics"),
    "held": ("neuralsim.mechanics", "held"),
    "Person": ("neuralsim.limits.person", "Person"),
    "movement_limit": ("neuralsim.limits", "movement_limit"), "differentiate": ("neuralsim.limits", "differentiate"),
    "protocols": ("neuralsim.model.protocols", None), "cases": ("neuralsim.limits.cases", None),
}
_LAYERS = ("core", "model", "mechanics", "state", "limits", "evidence", "view", "teaching", "classroom")


def __getattr__(name):
    # Heavier parts load on first use, so ``import neuralsim`` stays cheap
    # (no matplotlib, no ipywidgets until something is drawn).
    import importlib
    if name in _LAZY:
        module, attr = _LAZY[name]
        m = importlib.import_module(module)
        return m if attr is None else getattr(m, attr)
    if name in _LAYERS or name in _compat.MOVED:
        return importlib.import_module(f"neuralsim.{name}")
    raise AttributeError(f"module 'neuralsim' has no attribute {name!r}")
