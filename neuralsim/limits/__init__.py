"""The limits layer: people who differ, where a movement stops and what is felt, the virtual patients."""
from .stops import *  # noqa: F401,F403
from .stops import __all__  # noqa: F401
