"""The evidence layer: the model beside every published figure of ``data/evidence.csv``,
the experiments and movements the mechanics is set beside (:mod:`.experiments`), and the
hamstrings beside a standard musculoskeletal model (:mod:`.reference_model`)."""
from .comparisons import *  # noqa: F401,F403
from .comparisons import __all__ as _comparisons
from .experiments import *  # noqa: F401,F403
from .experiments import __all__ as _experiments
from .reference_model import *  # noqa: F401,F403
from .reference_model import __all__ as _reference_model

__all__ = [*_comparisons, *_experiments, *_reference_model]
