"""The classroom layer: the explorer widget, the clinic, the command line and the notebooks' copier.

ipywidgets and anywidget load only when an explorer is made.  The explorer's style sheets and
browser programs are files in ``static/`` (package data), read by :func:`_static`.
"""
from importlib import resources


def _static(name: str) -> str:
    """The text of ``static/<name>`` (a style sheet or a browser program) as shipped in the package."""
    return (resources.files(__name__) / "static" / name).read_text(encoding="utf-8")
