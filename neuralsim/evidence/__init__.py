"""The evidence layer: the model beside every published figure of ``data/evidence.csv``,
and the experiments and movements the mechanics is set beside (:mod:`.experiments`)."""
from .comparisons import *  # noqa: F401,F403
from .comparisons import __all__ as _comparisons
from .experiments import *  # noqa: F401,F403
from .experiments import __all__ as _experiments

__all__ = [*_comparisons, *_experiments]
