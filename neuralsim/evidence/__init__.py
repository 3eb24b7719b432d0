"""The evidence layer: the model beside every published figure of ``data/evidence.csv``."""
from .comparisons import *  # noqa: F401,F403
from .comparisons import __all__  # noqa: F401
