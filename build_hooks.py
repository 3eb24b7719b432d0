"""Setuptools hook: put the course notebooks inside the wheel.

The notebooks live in the repository's top-level ``notebooks/`` folder (where
teachers and ``pytest --nbval-lax`` find them). ``build_py`` copies them into
``neuralsim/notebooks/`` of the build, so an installed wheel carries them and
``python -m neuralsim notebooks DEST`` can hand a copy to each student.
Editable installs skip the copy: there the package finds ``../notebooks``.
"""
from pathlib import Path
import shutil

from setuptools.command.build_py import build_py


class BuildPyWithNotebooks(build_py):
    def run(self):
        super().run()
        if getattr(self, "editable_mode", False):
            return
        source = Path(__file__).resolve().parent / "notebooks"
        target = Path(self.build_lib) / "neuralsim" / "notebooks"
        notebooks = sorted(source.glob("*.ipynb"))
        if not notebooks:
            raise RuntimeError(f"no notebooks in {source}: the wheel would ship without the course")
        target.mkdir(parents=True, exist_ok=True)
        for nb in notebooks:
            self.copy_file(str(nb), str(target / nb.name))
