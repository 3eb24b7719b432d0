# neuralsim: two commands for a fresh machine with only Python 3 and make.
#   make lab   - set everything up, open JupyterLab on the first notebook
#   make test  - set everything up, run every test (unit, property, notebooks, browser)
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
ROOT_FLAG := $(shell [ "$$(id -u)" = "0" ] && echo --allow-root)

.PHONY: setup lab test test-fast app bench bench-latency clean load-test hub contact-sheet hub-env hub-passwords assignment-release assignment-collect assignment-grade hub-unlock attack-test hub-clean-test

# Enables the Jupyter server extension neuralsim.websocket (kernel websockets without Nagle delays).
# A wheel installs it itself (data-files in pyproject.toml); an editable install skips
# data files, so the setup puts it into the environment.
SERVER_CONF := jupyter-config/jupyter_server_config.d/neuralsim.json
# JupyterLab asks on first start whether to fetch Jupyter's news from the internet (and checks
# for updates): a question a student cannot answer, and a request from an offline classroom.
LAB_OVERRIDES := jupyter-config/lab/settings/overrides.json

$(STAMP): pyproject.toml $(SERVER_CONF) $(LAB_OVERRIDES)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,browser,k8s]'
	install -D -m 644 $(SERVER_CONF) $(VENV)/etc/jupyter/jupyter_server_config.d/neuralsim.json
	install -D -m 644 $(LAB_OVERRIDES) $(VENV)/share/jupyter/lab/settings/overrides.json
	touch $(STAMP)

setup: $(STAMP)

lab: $(STAMP)
	$(BIN)/jupyter lab $(ROOT_FLAG) notebooks/00_start_here.ipynb

test: $(STAMP)
	$(BIN)/python -m pytest

# The library's own tests only (no notebooks, no browser): quick while editing.
test-fast: $(STAMP)
	$(BIN)/python -m pytest neuralsim tests -m "not browser"

# A seeded sample of mutants of core, model, mechanics, limits and answer checking, each run against its
# module's tests (tests/mutation/run.py; about an hour; not part of `make test`; tests/README.md has the score).
.PHONY: mutants
mutants: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[mutation]'
	$(BIN)/python tests/mutation/run.py

# The notebooks as a web app (Voila): a course map as landing page, no code shown, nothing from a CDN
# (teacher solutions live in teacher/, outside the served folder).
app: $(STAMP)
	JUPYTER_PATH=$(CURDIR)/app/share/jupyter JUPYTER_CONFIG_PATH=$(CURDIR)/app $(BIN)/voila notebooks/

bench-latency: $(STAMP)
	$(BIN)/python benchmarks/bench_latency.py

# every step of the slump test, straight-leg raise and glides as projected, into artifacts/contact-sheet/
contact-sheet: $(STAMP)
	$(BIN)/python benchmarks/contact_sheet.py

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_core.py
	$(BIN)/python benchmarks/bench_mechanics.py

# The hub, its teacher's steps and its load test run from an environment of their own, so that
# JupyterHub and nbgrader (with nbgrader's JupyterLab menus) never enter the one `make lab` opens.
HUB_VENV   := .venv-hub
HBIN       := $(HUB_VENV)/bin
LOAD_STAMP := $(HUB_VENV)/.installed-stamp
CHP_STAMP  := deploy/jupyterhub/node_modules/.stamp
$(LOAD_STAMP): pyproject.toml $(SERVER_CONF)
	$(PYTHON) -m venv $(HUB_VENV)
	$(HBIN)/python -m pip install --quiet --upgrade pip
	$(HBIN)/python -m pip install --quiet -e '.[test,browser,k8s,load]'
	install -D -m 644 $(SERVER_CONF) $(HUB_VENV)/etc/jupyter/jupyter_server_config.d/neuralsim.json
	touch $(LOAD_STAMP)
$(CHP_STAMP): deploy/jupyterhub/package-lock.json
	cd deploy/jupyterhub && npm ci --no-audit --no-fund
	touch $(CHP_STAMP)

# JupyterHub + 30 simulated students on 127.0.0.1, about 5 min; not part of `make test`
load-test: $(LOAD_STAMP) $(CHP_STAMP) hub-env
	$(HBIN)/python benchmarks/load_hub.py

# The students' read-only course environment: neuralsim from a wheel (not editable), JupyterHub's
# single-user server and nbgrader, owned by root. Rebuild it after changing the package.
HUB_ENV ?= /opt/neuralsim-hub/env
# a Python every student may run (not one under /root, e.g. pyenv's)
HUB_PYTHON ?= /usr/bin/python3
HUBCTL  := $(HBIN)/python deploy/jupyterhub/hubctl.py
hub-env: $(STAMP)
	rm -rf build dist-hub
	$(BIN)/python -m pip wheel --quiet --no-deps -w dist-hub .
	$(HUB_PYTHON) -m venv --clear $(HUB_ENV)
	$(HUB_ENV)/bin/python -m pip install --quiet dist-hub/neuralsim-*.whl 'jupyterhub>=5.3' 'nbgrader>=0.9.6'
	rm -rf build dist-hub
	chown -R root:root $(HUB_ENV)
	chmod -R go-w $(HUB_ENV)

# a class on this machine (as root): NEURALSIM_HUB_ROSTER=class.csv make hub
hub: $(LOAD_STAMP) $(CHP_STAMP)
	$(HBIN)/jupyterhub -f deploy/jupyterhub/jupyterhub_config.py

# The teacher's steps (as root, NEURALSIM_HUB_ROSTER and NEURALSIM_HUB_DATA as for `make hub`):
hub-passwords: $(LOAD_STAMP)      # a one-time password for each roster name that has none yet
	$(HUBCTL) passwords
assignment-release: $(LOAD_STAMP) # build the assignment from neuralsim.teaching.exercises and release it
	$(HUBCTL) release
assignment-collect: $(LOAD_STAMP) # collect the submissions
	$(HUBCTL) collect
assignment-grade: $(LOAD_STAMP)   # grade each in a bubblewrap sandbox and show the grade table
	$(HUBCTL) grade
hub-unlock: $(LOAD_STAMP)         # lift login locks: NAME=alex and/or ADDRESS=10.0.0.7, or all of them
	$(HUBCTL) unlock $(if $(NAME),--name $(NAME)) $(if $(ADDRESS),--address $(ADDRESS))

# The project's own attacks on the hub (as root, 127.0.0.1 only, bounded, cleans up; about 6 min;
# not part of `make test`): every attack of the red team's report, each result recorded, and the
# attack table in deploy/jupyterhub/README.md rewritten from this run.
attack-test: $(LOAD_STAMP) $(CHP_STAMP) hub-env
	$(HBIN)/python benchmarks/attack_hub.py --write-readme

# Removes whatever an interrupted load or attack run left: its accounts, cgroups, mounts, processes.
hub-clean-test:
	$(PYTHON) benchmarks/hub_teardown.py

# Never touches the hub's data (homes, database, submissions): they live outside the repository.
# Refused while a hub started from this checkout runs (its login page needs .venv-hub).
clean:
	@$(PYTHON) deploy/jupyterhub/neuralsim_hub.py refuse-if-running $(CURDIR)
	rm -rf $(VENV) $(HUB_VENV) build dist dist-hub *.egg-info .pytest_cache .hypothesis artifacts deploy/jupyterhub/node_modules
