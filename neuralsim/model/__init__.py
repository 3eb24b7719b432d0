"""The model layer: segment geometry, the registry of structures, their lengths, the protocols.

``from neuralsim.model import nerve_bed_length`` works as it did when the model was one module;
the lengths live in :mod:`neuralsim.model.lengths`.
"""
from .lengths import *  # noqa: F401,F403  (the public names of the lengths, as before)
from .lengths import __all__  # noqa: F401
