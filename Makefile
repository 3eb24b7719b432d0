# neuralsim: two commands for a fresh machine with only Python 3 and make.
#   make lab   - set everything up, open JupyterLab on the first notebook
#   make test  - set everything up, run every test (unit, property, notebooks, browser)
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
ROOT_FLAG := $(shell [ "$$(id -u)" = "0" ] && echo --allow-root)

.PHONY: setup lab test test-fast app bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,browser]'
	touch $(STAMP)

setup: $(STAMP)

lab: $(STAMP)
	$(BIN)/jupyter lab $(ROOT_FLAG) notebooks/00_start_here.ipynb

test: $(STAMP)
	$(BIN)/python -m pytest

# The library's own tests only (no notebooks, no browser): quick while editing.
test-fast: $(STAMP)
	$(BIN)/python -m pytest neuralsim tests -m "not browser"

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_core.py
	$(BIN)/python benchmarks/bench_mechanics.py

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .hypothesis artifacts
