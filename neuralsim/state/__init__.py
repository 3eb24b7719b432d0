"""The state layer: one computed state per posture (:class:`State`, :func:`compute`) and the tables read from it."""
from .states import *  # noqa: F401,F403
from .states import __all__  # noqa: F401
