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
from .joints import JOINTS, UNIT, MOBILITIES, joint_range
from .errors import OutOfRangeError, UnknownNameError
from .posture import Posture
from .body import Body, DEFAULT_BODY
from .model import (
    MUSCLES, HAMSTRINGS, REFERENCE, nerve_bed_length, relative_bed_length,
    bed_contributions, muscle_length,
)
from .model import NERVES, structure_length

__all__ = [
    "JOINTS", "UNIT", "MOBILITIES", "joint_range", "Posture", "Body", "DEFAULT_BODY",
    "MUSCLES", "HAMSTRINGS", "REFERENCE", "nerve_bed_length", "relative_bed_length",
    "bed_contributions", "muscle_length", "protocols", "nerve_mechanics",
    "NERVES", "structure_length", "State", "compute",
    "OutOfRangeError", "UnknownNameError",
]
__version__ = "0.1.0"


def __getattr__(name):
    # Heavier parts load on first use, so ``import neuralsim`` stays cheap
    # (no matplotlib, no ipywidgets until something is drawn).
    if name in ("compute", "State"):
        from . import state
        return getattr(state, name)
    if name == "nerve_mechanics":
        from .mechanics import nerve_mechanics
        return nerve_mechanics
    if name in ("protocols", "mechanics", "widgets", "svg", "exercises", "plots", "evidence", "analysis",
                "registry"):
        import importlib
        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module 'neuralsim' has no attribute {name!r}")
