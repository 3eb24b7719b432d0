"""Where the package's data files live: ``neuralsim/data/`` (every fact of the model, as tables)."""
from __future__ import annotations

from pathlib import Path

#: The folder of the data files (structures, joints, parameters, bands, evidence).
DATA_DIR = Path(__file__).resolve().parents[1] / "data"


def read_text(name: str) -> str:
    """The text (UTF-8) of the data file ``name`` (e.g. ``"joints.csv"``)."""
    return (DATA_DIR / name).read_text("utf-8")
