"""``python -m neuralsim notebooks DEST``: a student's private copy of the notebooks."""
import json
from pathlib import Path

import pytest

from neuralsim.classroom import notebooks_cli


def _fake_layout(root: Path, where: str, names=("00_a.ipynb", "01_b.ipynb")):
    """A package dir with notebooks either inside it ("wheel") or beside it ("checkout")."""
    pkg = root / "neuralsim"
    pkg.mkdir(parents=True)
    nb_dir = pkg / "notebooks" if where == "wheel" else root / "notebooks"
    nb_dir.mkdir(parents=True)
    for i, name in enumerate(names):
        (nb_dir / name).write_text(json.dumps({"cells": [], "id": i}))
    (nb_dir / "README.txt").write_text("not a notebook")
    return pkg, nb_dir


@pytest.mark.parametrize("where", ["wheel", "checkout"])
def test_copies_every_notebook_and_nothing_else(tmp_path, monkeypatch, where):
    pkg, nb_dir = _fake_layout(tmp_path / "src", where)
    monkeypatch.setattr(notebooks_cli, "_PACKAGE_DIR", pkg)
    dest = tmp_path / "home" / "student01" / "neuralsim"
    written = notebooks_cli.copy_notebooks(dest)
    assert [p.name for p in written] == ["00_a.ipynb", "01_b.ipynb"]
    assert sorted(p.name for p in dest.iterdir()) == ["00_a.ipynb", "01_b.ipynb"]
    assert json.loads((dest / "01_b.ipynb").read_text())["id"] == 1
    assert notebooks_cli.notebook_source() == nb_dir


def test_wheel_copy_wins_over_checkout(tmp_path, monkeypatch):
    pkg, inside = _fake_layout(tmp_path, "wheel", names=("x.ipynb",))
    (tmp_path / "notebooks").mkdir()
    (tmp_path / "notebooks" / "y.ipynb").write_text("{}")
    monkeypatch.setattr(notebooks_cli, "_PACKAGE_DIR", pkg)
    assert notebooks_cli.notebook_source() == inside
    assert notebooks_cli.available_notebooks() == ["x.ipynb"]


def test_second_run_keeps_student_edits_unless_overwrite(tmp_path, monkeypatch):
    pkg, _ = _fake_layout(tmp_path / "src", "wheel")
    monkeypatch.setattr(notebooks_cli, "_PACKAGE_DIR", pkg)
    dest = tmp_path / "dest"
    notebooks_cli.copy_notebooks(dest)
    (dest / "00_a.ipynb").write_text("my edits")
    (dest / "01_b.ipynb").unlink()
    written = notebooks_cli.copy_notebooks(dest)
    assert [p.name for p in written] == ["01_b.ipynb"]
    assert (dest / "00_a.ipynb").read_text() == "my edits"
    written = notebooks_cli.copy_notebooks(dest, overwrite=True)
    assert len(written) == 2
    assert json.loads((dest / "00_a.ipynb").read_text())["id"] == 0


def test_writes_only_inside_dest(tmp_path, monkeypatch):
    pkg, nb_dir = _fake_layout(tmp_path / "src", "checkout")
    monkeypatch.setattr(notebooks_cli, "_PACKAGE_DIR", pkg)
    before = {p: p.stat().st_mtime_ns for p in (tmp_path / "src").rglob("*")}
    notebooks_cli.copy_notebooks(tmp_path / "dest")
    after = {p: p.stat().st_mtime_ns for p in (tmp_path / "src").rglob("*")}
    assert before == after
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dest", "src"]


def test_refuses_a_file_as_destination(tmp_path, monkeypatch):
    pkg, _ = _fake_layout(tmp_path / "src", "wheel")
    monkeypatch.setattr(notebooks_cli, "_PACKAGE_DIR", pkg)
    target = tmp_path / "afile"
    target.write_text("x")
    with pytest.raises(ValueError, match="not a folder"):
        notebooks_cli.copy_notebooks(target)


def test_no_notebooks_anywhere_is_an_error(tmp_path, monkeypatch):
    (tmp_path / "neuralsim").mkdir()
    monkeypatch.setattr(notebooks_cli, "_PACKAGE_DIR", tmp_path / "neuralsim")
    with pytest.raises(FileNotFoundError, match="no neuralsim notebooks"):
        notebooks_cli.copy_notebooks(tmp_path / "dest")
    assert not (tmp_path / "dest").exists()


def test_main_reports_copied_and_kept(tmp_path, monkeypatch, capsys):
    pkg, _ = _fake_layout(tmp_path / "src", "wheel")
    monkeypatch.setattr(notebooks_cli, "_PACKAGE_DIR", pkg)
    assert notebooks_cli.main(tmp_path / "d") == 0
    assert "copied 2 notebook(s)" in capsys.readouterr().out
    assert notebooks_cli.main(tmp_path / "d") == 0
    assert "copied 0 notebook(s)" in capsys.readouterr().out


def test_the_real_notebooks_are_found():
    """The repository (or the installed wheel) ships the course, slump notebook included."""
    names = notebooks_cli.available_notebooks()
    assert "00_start_here.ipynb" in names
    assert "02_slump_test.ipynb" in names
    for name in names:
        assert json.loads((notebooks_cli.notebook_source() / name).read_text())["nbformat"] == 4


def test_main_reports_errors_with_exit_code_2(tmp_path, monkeypatch, capsys):
    pkg, _ = _fake_layout(tmp_path / "src", "wheel")
    monkeypatch.setattr(notebooks_cli, "_PACKAGE_DIR", pkg)
    (tmp_path / "afile").write_text("x")
    assert notebooks_cli.main(tmp_path / "afile") == 2
    assert "not a folder" in capsys.readouterr().err


def test_command_line_copies_into_a_fresh_folder(tmp_path):
    """``python -m neuralsim.classroom.notebooks_cli DEST`` in a separate process, as a student would run it."""
    import subprocess
    import sys

    dest = tmp_path / "mine"
    r = subprocess.run([sys.executable, "-m", "neuralsim.classroom.notebooks_cli", str(dest)],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert sorted(p.name for p in dest.iterdir()) == notebooks_cli.available_notebooks()
    assert "02_slump_test.ipynb" in r.stdout


@pytest.mark.parametrize("dest", ["", " ", "\t"])
def test_an_empty_destination_is_refused_and_nothing_is_written(dest, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)              # '' would have meant this folder
    with pytest.raises(ValueError, match="destination: .* is empty; name the folder"):
        notebooks_cli.copy_notebooks(dest)
    assert notebooks_cli.main(dest) == 2
    assert "error: destination" in capsys.readouterr().err
    from neuralsim.classroom import cli
    assert cli.main(["notebooks", dest]) == 2
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("dest", [None, 3, b"notes", ["notes"]])
def test_a_destination_that_is_not_a_folder_name_is_a_type_error(dest, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(TypeError, match="destination: .* is not a folder name"):
        notebooks_cli.copy_notebooks(dest)
    if dest is not None:                     # within=None is the default: no folder to stay inside
        with pytest.raises(TypeError, match="within: .* is not a folder name"):
            notebooks_cli.copy_notebooks(tmp_path / "a", within=dest)
    assert list(tmp_path.iterdir()) == []
