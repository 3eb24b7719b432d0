"""Where the data files live (neuralsim/core/data.py)."""
import pytest

from neuralsim.core.data import DATA_DIR, read_text


def test_every_data_file_is_in_the_data_folder():
    names = {p.name for p in DATA_DIR.iterdir()}
    assert {"structures.json", "joints.csv", "parameters.csv", "strain_bands.csv", "evidence.csv"} <= names
    assert DATA_DIR.name == "data" and DATA_DIR.parent.name == "neuralsim"


def test_read_text_is_the_files_utf8_text():
    assert read_text("joints.csv") == (DATA_DIR / "joints.csv").read_bytes().decode("utf-8")
    assert read_text("joints.csv").startswith("name,region,label")


def test_a_missing_file_says_so():
    with pytest.raises(FileNotFoundError):
        read_text("no_such_file.csv")
