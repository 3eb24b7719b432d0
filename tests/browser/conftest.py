"""Fixtures for the browser tests: loopback JupyterLab and Voila, Debian's Chromium.

* The servers run with HOME, XDG_* and every Jupyter directory in a temporary
  directory, on free ports of 127.0.0.1, and are stopped (their whole process
  group, by id) when the session ends.
* JupyterLab serves a *copy* of the notebooks, so its autosave can never write
  outputs into the committed notebooks.  Voila serves ``notebooks/`` itself with
  the app's template, exactly like ``make app``.
* Chromium is ``/usr/bin/chromium`` (``apt-get install chromium``), never a
  Playwright download.  When ``CI=true`` a missing Chromium fails the tests;
  elsewhere they are skipped with the reason.
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

import jupyter_harness as H

ARTIFACTS = H.REPO / "artifacts" / "browser"


def _explorer_notebook() -> Path:
    """The notebook the tests drive: the slump notebook.

    ``NEURALSIM_BROWSER_NOTEBOOK=/path/to/notebook.ipynb`` drives another notebook
    that shows an explorer (for debugging the harness).
    """
    if os.environ.get("NEURALSIM_BROWSER_NOTEBOOK"):
        return Path(os.environ["NEURALSIM_BROWSER_NOTEBOOK"]).resolve()
    return H.REPO / "notebooks" / "02_slump_test.ipynb"


def _missing(reason: str):
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI=true and {reason}: the browser tests must run in CI "
                    "(install it with `apt-get install -y chromium`)", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def explorer_notebook() -> Path:
    nb = _explorer_notebook()
    assert nb.exists(), f"{nb} is missing"
    return nb


@pytest.fixture(scope="session")
def browser_home(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("browser-home")


@pytest.fixture(scope="session")
def browser_env(browser_home) -> dict:
    return H.isolated_env(browser_home)


@pytest.fixture(scope="session")
def playwright_instance():
    if not H.chromium_available():
        _missing(f"{H.CHROMIUM} is not installed")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("the Python package playwright is not installed (pip install -e .[browser])")
    with sync_playwright() as pw:
        yield pw


@pytest.fixture(scope="session")
def chromium(playwright_instance, browser_home, browser_env):
    """A Chromium context on a fresh profile, with every non-loopback request aborted."""
    ctx = H.launch_chromium(playwright_instance, browser_home / "chromium-profile", browser_env)
    guard = H.NetworkGuard().install(ctx)
    ctx.network_guard = guard
    yield ctx
    ctx.close()


@pytest.fixture
def page(chromium):
    """A new tab; yields (page, console log). Closed afterwards."""
    pg = chromium.new_page()
    chromium.network_guard.watch_page(pg)
    log = H.ConsoleLog(pg)
    yield pg, log
    pg.close()


def _started(server, request):
    request.addfinalizer(server.stop)
    return server.start()


@pytest.fixture(scope="session")
def lab_server(request, playwright_instance, explorer_notebook, browser_home, browser_env):
    root = browser_home / "lab-root"
    shutil.copytree(explorer_notebook.parent, root, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    return _started(H.jupyterlab(root, browser_env, browser_home / "jupyterlab.log"), request)


@pytest.fixture(scope="session")
def voila_server(request, playwright_instance, explorer_notebook, browser_home, browser_env):
    return _started(H.voila(explorer_notebook.parent, browser_env, browser_home / "voila.log"), request)


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS
