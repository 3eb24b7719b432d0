"""Give a student their own copy of the teaching notebooks.

``python -m neuralsim notebooks DEST`` copies every ``*.ipynb`` that ships
with neuralsim into the folder ``DEST`` (created if missing). On JupyterHub
each student runs it once, or the hub runs it for them before their server
starts (see ``deploy/jupyterhub/``), so that every student edits a private
copy in their own home and nobody writes into the installed package.

Where the notebooks come from:

* an installed wheel carries them as package data in ``neuralsim/notebooks/``;
* a development checkout (``pip install -e .``) has them in the repository's
  top-level ``notebooks/`` folder, next to the ``neuralsim`` package.

Files that already exist in ``DEST`` are left alone unless ``overwrite=True``:
a second run must never wipe a student's edits.
"""
from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

__all__ = ["notebook_source", "available_notebooks", "copy_notebooks"]

_PACKAGE_DIR = Path(__file__).resolve().parent


def notebook_source() -> Path:
    """Folder holding the shipped notebooks (wheel first, then the source checkout).

    Raises FileNotFoundError when neither location holds a ``.ipynb`` file.
    """
    candidates = [_PACKAGE_DIR / "notebooks", _PACKAGE_DIR.parent / "notebooks"]
    for folder in candidates:
        if folder.is_dir() and any(folder.glob("*.ipynb")):
            return folder
    raise FileNotFoundError(
        "no neuralsim notebooks found: looked in "
        + " and ".join(str(c) for c in candidates)
    )


def available_notebooks() -> list[str]:
    """File names of the shipped notebooks, sorted (``00_start_here.ipynb`` first)."""
    return sorted(p.name for p in notebook_source().glob("*.ipynb"))


def copy_notebooks(dest, overwrite: bool = False) -> list[Path]:
    """Copy every shipped notebook into folder ``dest``; return the paths written.

    ``dest`` (str or path-like) is created with its parents if missing. A
    notebook whose file already exists in ``dest`` is skipped (the student's
    copy wins) unless ``overwrite`` is true. Raises ValueError when ``dest``
    exists and is not a folder. Only ``dest`` is written to.
    """
    dest = Path(os.path.expanduser(os.fspath(dest)))
    if dest.exists() and not dest.is_dir():
        raise ValueError(f"destination {str(dest)!r} exists and is not a folder")
    source = notebook_source()
    dest.mkdir(parents=True, exist_ok=True)
    written = []
    for name in available_notebooks():
        target = dest / name
        if target.exists() and not overwrite:
            continue
        # copyfile, not copy2: the student's copy gets fresh times and the
        # default permissions of their own umask (writable even when the
        # installed package is read-only).
        shutil.copyfile(source / name, target)
        written.append(target)
    return written


def main(dest, overwrite: bool = False) -> int:
    """CLI body for ``python -m neuralsim notebooks DEST [--overwrite]``; returns the exit code (2 on error)."""
    try:
        written = copy_notebooks(dest, overwrite=overwrite)
    except (ValueError, FileNotFoundError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    names = available_notebooks()
    skipped = len(names) - len(written)
    print(f"copied {len(written)} notebook(s) to {Path(dest).expanduser()}"
          + (f" ({skipped} already there, kept; use --overwrite to replace)" if skipped else ""))
    for path in written:
        print(f"  {path.name}")
    return 0


if __name__ == "__main__":  # python -m neuralsim.notebooks_cli DEST [--overwrite]
    import argparse

    _p = argparse.ArgumentParser(prog="python -m neuralsim notebooks",
                                 description="Copy the neuralsim notebooks into a folder of your own.")
    _p.add_argument("dest", help="folder to copy into (created if missing)")
    _p.add_argument("--overwrite", action="store_true", help="replace notebooks already there")
    _a = _p.parse_args()
    sys.exit(main(_a.dest, overwrite=_a.overwrite))
