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
import secrets
import sys
from pathlib import Path

__all__ = ["notebook_source", "available_notebooks", "copy_notebooks"]

_PACKAGE_DIR = Path(__file__).resolve().parents[1]  # the neuralsim package


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


def _open_dir(path: Path, within: Path | None) -> int:
    """File descriptor of folder ``path``, made if missing, reached without following any symlink.

    With ``within``, every component of ``path`` below ``within`` is opened with
    ``O_NOFOLLOW``: a symlink anywhere on the way (``neuralsim -> /etc``) is refused, so
    a process with more rights than the folder's owner (the hub) never writes outside it.
    """
    flags = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0)
    if within is None:
        within, parts = path.parent, [path.name]
        within.mkdir(parents=True, exist_ok=True)
    else:
        within = Path(os.path.abspath(within))
        try:
            parts = path.relative_to(within).parts
        except ValueError:
            raise ValueError(f"destination {str(path)!r} is not inside {str(within)!r}") from None
        if ".." in parts:
            raise ValueError(f"destination {str(path)!r} must not contain '..'")
    try:
        fd = os.open(within, flags)
    except OSError as e:
        raise ValueError(f"{str(within)!r} is not a folder (or is a symlink): {e.strerror}") from None
    for part in parts:
        try:
            os.mkdir(part, 0o755, dir_fd=fd)
        except FileExistsError:
            pass
        except OSError:
            os.close(fd)
            raise
        try:
            nfd = os.open(part, flags, dir_fd=fd)
        except OSError as e:
            raise ValueError(f"destination {str(path)!r}: {part!r} is a symlink or not a folder; "
                             f"refusing to follow it ({e.strerror})") from None
        finally:
            os.close(fd)
        fd = nfd
    return fd


def _atomic_write(dir_fd: int, name: str, data: bytes) -> None:
    """Write ``name`` inside the folder ``dir_fd``: a temporary file, flushed, then renamed over ``name``.

    A crash or a full disk leaves either the old file or the new one, never a truncated
    notebook; the rename replaces a symlink called ``name`` itself, never what it points to.
    """
    tmp = f".{name}.{secrets.token_hex(6)}.tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0),
                 0o644, dir_fd=dir_fd)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, name, src_dir_fd=dir_fd, dst_dir_fd=dir_fd)
    except BaseException:
        try:
            os.unlink(tmp, dir_fd=dir_fd)
        except OSError:
            pass
        raise


def _folder_name(what: str, value) -> str:
    """``value`` as a folder name (text or path-like), refusing an empty one: ``''`` would mean the
    current folder, which nobody means by typing nothing."""
    if isinstance(value, (bytes, bytearray)) or not isinstance(value, (str, os.PathLike)):
        raise TypeError(f"{what}: {value!r} is not a folder name; give the folder as text or a path")
    text = os.fspath(value)
    if not isinstance(text, str):
        raise TypeError(f"{what}: {value!r} is not a folder name; give the folder as text or a path")
    if not text.strip():
        raise ValueError(f"{what}: {value!r} is empty; name the folder to copy the notebooks into "
                         "(use '.' for the current folder)")
    if "\0" in text:
        raise ValueError(f"{what}: {value!r} holds a NUL character, which no folder name can hold")
    return text


def copy_notebooks(dest, overwrite: bool = False, within=None) -> list[Path]:
    """Copy every shipped notebook into folder ``dest``; return the paths written.

    ``dest`` (str or path-like) is created with its parents if missing. A
    notebook whose name already exists in ``dest`` (file or symlink) is skipped
    (the student's copy wins) unless ``overwrite`` is true. Each copy is
    written to a temporary file and renamed into place (atomic). Symlinks are
    never followed: ``dest`` itself, and with ``within`` (a folder such as the
    student's home) every folder between ``within`` and ``dest``, must be a real
    folder. Raises ValueError when ``dest`` exists and is not a folder, is or
    passes through a symlink, or is not inside ``within``. Only ``dest`` is written to.
    """
    dest = Path(os.path.abspath(os.path.expanduser(_folder_name("destination", dest))))
    if within is not None:
        within = _folder_name("within", within)
    if os.path.lexists(dest) and (os.path.islink(dest) or not dest.is_dir()):
        kind = "a symlink" if os.path.islink(dest) else "not a folder"
        raise ValueError(f"destination {str(dest)!r} exists and is {kind}")
    source = notebook_source()
    names = available_notebooks()
    fd = _open_dir(dest, None if within is None else Path(os.path.expanduser(os.fspath(within))))
    written = []
    try:
        for name in names:
            try:
                os.lstat(name, dir_fd=fd)
                exists = True
            except FileNotFoundError:
                exists = False
            if exists and not overwrite:
                continue
            # Fresh bytes, fresh times, the default permissions of the writer's umask
            # (writable by the student even when the installed package is read-only).
            _atomic_write(fd, name, (source / name).read_bytes())
            written.append(dest / name)
    finally:
        os.close(fd)
    return written


def main(dest, overwrite: bool = False, within=None) -> int:
    """CLI body for ``python -m neuralsim notebooks DEST [--overwrite]``; returns the exit code (2 on error)."""
    try:
        written = copy_notebooks(dest, overwrite=overwrite, within=within)
    except (ValueError, OSError) as e:   # FileNotFoundError and a folder it may not write included
        print(f"error: {e}", file=sys.stderr)
        return 2
    names = available_notebooks()
    skipped = len(names) - len(written)
    print(f"copied {len(written)} notebook(s) to {Path(os.fspath(dest)).expanduser()}"
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
    _p.add_argument("--within", help="refuse to write unless DEST is inside this folder, reached without symlinks")
    _a = _p.parse_args()
    sys.exit(main(_a.dest, overwrite=_a.overwrite, within=_a.within))
