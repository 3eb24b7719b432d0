"""Old import paths (``neuralsim.svg``, ``neuralsim.person`` ...) for one release.

Until version 0.2 the package was a flat set of modules; they now live in layered subpackages.
``import neuralsim.svg`` still works and gives the very same module object as
``neuralsim.view.svg`` (so monkeypatching either patches both), with a ``DeprecationWarning``
naming the new path.  ``neuralsim.model``, ``.mechanics``, ``.state``, ``.limits`` and
``.evidence`` are packages that re-export what the old modules of those names exported.
"""
from __future__ import annotations

import importlib
import importlib.machinery
import sys
import warnings

#: old module name -> its home now (both under ``neuralsim.``)
MOVED = {
    "errors": "core.errors", "parameters": "core.parameters", "joints": "core.joints",
    "posture": "core.posture", "body": "core.body",
    "geometry": "model.geometry", "registry": "model.registry", "protocols": "model.protocols",
    "bands": "mechanics.bands", "analysis": "state.analysis",
    "person": "limits.person", "cases": "limits.cases",
    "svg": "view.svg", "plots": "view.plots", "tables": "view.tables",
    "exercises": "teaching.exercises",
    "widgets": "classroom.widgets", "clinic": "classroom.clinic", "notebooks_cli": "classroom.notebooks_cli",
}


class _Alias:
    # A finder and loader by protocol (find_spec / create_module / exec_module): subclassing the
    # abstract bases in importlib.abc would load importlib.resources on every ``import neuralsim``.
    def find_spec(self, fullname, path=None, target=None):
        head, _, tail = fullname.partition(".")
        if head != "neuralsim" or tail not in MOVED:
            return None
        return importlib.machinery.ModuleSpec(fullname, self)

    def create_module(self, spec):
        new = "neuralsim." + MOVED[spec.name.split(".", 1)[1]]
        warnings.warn(f"{spec.name} is now {new}; the old path goes in neuralsim 0.2",
                      DeprecationWarning, stacklevel=3)
        return importlib.import_module(new)

    def exec_module(self, module):
        pass  # already executed under its new name


def install() -> None:
    if not any(isinstance(f, _Alias) for f in sys.meta_path):
        sys.meta_path.append(_Alias())
