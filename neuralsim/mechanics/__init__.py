"""The mechanics layer: what the nerve lying in its bed does (slack, excursion, strain), and the strain bands."""
from .nerve import *  # noqa: F401,F403
from .nerve import __all__  # noqa: F401
