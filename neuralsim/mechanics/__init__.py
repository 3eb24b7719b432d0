"""The mechanics layer: what the nerve lying in its bed does (slack, excursion, strain), the strain bands,
and what holding a position does over time."""
from .nerve import *  # noqa: F401,F403
from .nerve import __all__ as _nerve_all
from .hold import *  # noqa: F401,F403
from .hold import __all__ as _hold_all

__all__ = [*_nerve_all, *_hold_all]
