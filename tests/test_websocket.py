"""neuralsim.websocket: kernel websockets with TCP_NODELAY, switched on in every Jupyter server we start.

The latency it removes is measured by ``benchmarks/bench_latency.py``; the
browser tests check that JupyterLab and Voila really used the class (their logs).
Here: the class sets the flag before Jupyter's own connect, the extension
replaces only Jupyter's default class, and the environment and the app's Voila
configuration switch it on.
"""
from __future__ import annotations

import json
import logging
import os
import re
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
from jupyter_server.services.kernels.connection.channels import ZMQChannelsWebsocketConnection
from jupyter_server.services.kernels.websocket import KernelWebsocketHandler
from traitlets.config import Configurable
from traitlets.utils.importstring import import_item

from neuralsim import websocket as nws

REPO = Path(__file__).resolve().parents[1]
CONF = REPO / "jupyter-config" / "jupyter_server_config.d" / "neuralsim.json"


class _FakeKernelManager(Configurable):
    kernel_id = "k-123"


def test_connect_sets_nodelay_before_jupyter_connects(monkeypatch, caplog):
    events = []
    handler = KernelWebsocketHandler.__new__(KernelWebsocketHandler)  # no tornado request needed
    handler.set_nodelay = lambda value: events.append(("set_nodelay", value))
    monkeypatch.setattr(ZMQChannelsWebsocketConnection, "connect", lambda self: events.append(("connect",)))
    conn = nws.NoDelayKernelWebsocketConnection(parent=_FakeKernelManager(), websocket_handler=handler)
    conn.log = logging.getLogger("test-nodelay")
    with caplog.at_level(logging.INFO, logger="test-nodelay"):
        conn.connect()
    assert events == [("set_nodelay", True), ("connect",)]
    assert f"{nws.NODELAY_LOG} k-123" in caplog.text


def _server(current):
    return SimpleNamespace(web_app=SimpleNamespace(settings={nws.SETTING: current}),
                           log=logging.getLogger("test-nodelay"))


def test_extension_replaces_jupyters_default_class():
    app = _server(ZMQChannelsWebsocketConnection)
    nws._load_jupyter_server_extension(app)
    assert app.web_app.settings[nws.SETTING] is nws.NoDelayKernelWebsocketConnection


def test_extension_leaves_a_class_configured_elsewhere():
    # e.g. a gateway server's connection class: not ours to replace
    other = import_item("jupyter_server.gateway.connections.GatewayWebSocketConnection")
    app = _server(other)
    nws._load_jupyter_server_extension(app)
    assert app.web_app.settings[nws.SETTING] is other
    assert nws._jupyter_server_extension_points() == [{"module": "neuralsim.websocket"}]


def test_config_file_enables_the_extension_and_the_wheel_installs_it():
    conf = json.loads(CONF.read_text())
    assert conf == {"ServerApp": {"jpserver_extensions": {"neuralsim.websocket": True}}}
    # pyproject.toml's data-files table maps the file into the environment's etc/jupyter
    # (read as text: tomllib is Python 3.11+, the project supports 3.10)
    table = (REPO / "pyproject.toml").read_text().split("[tool.setuptools.data-files]\n", 1)[1].split("\n[", 1)[0]
    entries = dict(line.split(" = ", 1) for line in table.splitlines() if " = " in line)
    assert json.loads(entries['"etc/jupyter/jupyter_server_config.d"']) == [CONF.relative_to(REPO).as_posix()]


def test_this_environment_has_the_extension_enabled(tmp_path):
    """What `make setup` (or a wheel) installed: `jupyter server extension list` shows it enabled and OK."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("JUPYTER")}
    env.update(HOME=str(tmp_path), JUPYTER_CONFIG_DIR=str(tmp_path / "jupyter"))
    out = subprocess.run([sys.executable, "-m", "jupyter", "server", "extension", "list"],
                         capture_output=True, text=True, env=env, timeout=120)
    text = re.sub(r"\x1b\[[0-9;]*m", "", out.stdout + out.stderr)   # no colours
    words = [ln.split() for ln in text.splitlines()]
    assert ["neuralsim.websocket", "enabled"] in words, text
    assert ["neuralsim.websocket", "OK"] in words, text     # it imports and validates


def test_voila_app_config_names_the_class():
    conf = json.loads((REPO / "app" / "voila.json").read_text())
    assert import_item(conf["Voila"][nws.SETTING]) is nws.NoDelayKernelWebsocketConnection


@pytest.mark.parametrize("module", ["jupyter_server", "tornado"])
def test_import_neuralsim_does_not_import_jupyter_server(module):
    code = f"import sys, neuralsim; sys.exit(1 if {module!r} in sys.modules else 0)"
    assert subprocess.run([sys.executable, "-c", code], timeout=60).returncode == 0
