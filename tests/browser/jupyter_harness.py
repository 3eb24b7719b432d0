"""Start JupyterLab / Voila on loopback ports and drive Debian's Chromium.

Shared by the browser tests (``tests/browser``) and the latency benchmark
(``benchmarks/bench_latency.py``).  Nothing here talks to the network: the
servers listen on 127.0.0.1 only, the browser is Debian's ``/usr/bin/chromium``
(never a Playwright download), and :class:`NetworkGuard` aborts and records any
request that would leave the machine.

Every server is started in its own process group with HOME, XDG_* and the
Jupyter/IPython/matplotlib directories pointed at a throw-away directory, so a
run neither reads nor writes the user's settings; :meth:`Server.stop` ends the
group it started (by its id) and waits for it.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
CHROMIUM = "/usr/bin/chromium"
#: Flags for every Chromium launch: headless, no GPU, nothing phoning home.
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
#: The Voila template (no CDN stylesheets) used by ``make app`` and the tests.
APP_DIR = REPO / "app"
APP_JUPYTER_PATH = APP_DIR / "share" / "jupyter"
VOILA_TEMPLATE = "neuralsim"
LOCAL_HOSTS = {"127.0.0.1", "localhost", "[::1]", "::1"}


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def isolated_env(home: Path) -> dict:
    """Environment with HOME, XDG_* and Jupyter dirs under ``home`` (created)."""
    home = Path(home)
    env = dict(os.environ)
    dirs = {
        "HOME": home,
        "XDG_CONFIG_HOME": home / ".config",
        "XDG_CACHE_HOME": home / ".cache",
        "XDG_DATA_HOME": home / ".local" / "share",
        "XDG_RUNTIME_DIR": home / "run",
        "JUPYTER_CONFIG_DIR": home / ".jupyter",
        "JUPYTER_RUNTIME_DIR": home / "run" / "jupyter",
        "IPYTHONDIR": home / ".ipython",
        "MPLCONFIGDIR": home / ".config" / "matplotlib",
        "TMPDIR": home / "tmp",
    }
    for key, path in dirs.items():
        path.mkdir(parents=True, exist_ok=True)
        env[key] = str(path)
    os.chmod(dirs["XDG_RUNTIME_DIR"], 0o700)
    env.pop("JUPYTER_DATA_DIR", None)
    # The Voila template of app/ is found through JUPYTER_PATH (as with `make app`).
    env["JUPYTER_PATH"] = os.pathsep.join(
        [str(APP_JUPYTER_PATH)] + [p for p in env.get("JUPYTER_PATH", "").split(os.pathsep) if p])
    env["PYTHONUNBUFFERED"] = "1"
    env.pop("BROWSER", None)
    # No "fetch news?" settings here: the environment's own overrides.json (installed by the
    # setup) must keep JupyterLab quiet, as it does for a student's `make lab`.
    return env


class Server:
    """A Jupyter-family server process on 127.0.0.1:<port>, logging to a file."""

    def __init__(self, kind: str, argv: list, port: int, env: dict, log: Path, ready_path: str | None,
                 base_url: str = "/"):
        self.kind, self.argv, self.port, self.log_path = kind, argv, port, Path(log)
        # A runtime/temp dir of this server's own: its kernels' connection files go
        # there, which is how a kernel left behind is recognised in stop().
        self.private_dir = Path(env["HOME"]) / "servers" / f"{kind}-{port}"
        (self.private_dir / "tmp").mkdir(parents=True, exist_ok=True)
        self.env = dict(env, JUPYTER_RUNTIME_DIR=str(self.private_dir), TMPDIR=str(self.private_dir / "tmp"))
        self.ready_path, self.base_url = ready_path, base_url
        self.proc: subprocess.Popen | None = None
        self._log = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}{self.base_url}"

    def start(self, timeout: float = 90.0) -> "Server":
        self._log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(
            self.argv, env=self.env, stdout=self._log, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL, start_new_session=True, cwd=self.env.get("NEURALSIM_CWD", str(REPO)))
        deadline = time.monotonic() + timeout
        probe = f"http://127.0.0.1:{self.port}{self.ready_path}"
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.kind} exited with {self.proc.returncode}:\n{self.log_text()[-3000:]}")
            if self.ready_path is None:
                # Voila executes the notebook on any page request, so do not probe
                # with HTTP: wait for its "running at" line and an open port.
                if "is running at" in self.log_text():
                    try:
                        socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                        return self
                    except OSError:
                        pass
                time.sleep(0.25)
                continue
            try:
                with urllib.request.urlopen(probe, timeout=2) as r:
                    if r.status == 200:
                        return self
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(0.25)
        self.stop()
        raise RuntimeError(f"{self.kind} did not answer {probe} within {timeout:.0f} s:\n{self.log_text()[-3000:]}")

    def log_text(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except OSError:
            return ""

    def kernel_errors(self) -> list[str]:
        """Tracebacks and comm exceptions the server (and its kernels) logged."""
        text = self.log_text()
        return [m.group(0) for m in re.finditer(
            r"(Traceback \(most recent call last\)|Exception in comm_msg|Error in callback|KernelRestarter: restarting)[^\n]*",
            text)]

    def stop(self, timeout: float = 20.0) -> None:
        """Stop the process group this object started (SIGTERM, then SIGKILL)."""
        if self.proc is None:
            return
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(10)
        # Kernels started by the server live in the same session/group; make sure none is left.
        pgid = self.proc.pid
        try:
            os.killpg(pgid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and _group_alive(pgid):
            time.sleep(0.1)
        # jupyter_client starts each kernel in a session of its own: the server's
        # shutdown ends them; any left (after a SIGKILL) is found by its connection
        # file, which lies in this server's private dir, and ended by pid.
        leftover = _kernels_under(str(self.private_dir))
        for pid in leftover:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        if self._log:
            self._log.close()
        self.proc = None
        if _group_alive(pgid):
            raise RuntimeError(f"{self.kind}: processes of group {pgid} still running after stop")


def _group_alive(pgid: int) -> bool:
    """Is any process of group ``pgid`` still running (zombies aside)?"""
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # killpg(0) also succeeds for zombies; look for a live member in /proc
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                fields = (d / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[2]) == pgid and fields[0] != "Z":
                return True
    return False


def _kernels_under(home: str) -> list[int]:
    """PIDs of live kernel processes whose command line names a file under ``home``."""
    pids = []
    for d in Path("/proc").iterdir():
        if not d.name.isdigit():
            continue
        try:
            cmd = (d / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if "ipykernel" in cmd and f"{home}/" in cmd:
            pids.append(int(d.name))
    return pids


def _root_flag() -> list:
    return ["--allow-root"] if hasattr(os, "geteuid") and os.geteuid() == 0 else []


def jupyterlab(root_dir: Path, env: dict, log: Path, port: int | None = None) -> Server:
    """JupyterLab on 127.0.0.1 with no token, serving ``root_dir`` (not yet started)."""
    port = port or free_port()
    argv = [str(BIN / "jupyter"), "lab", "--no-browser", *_root_flag(),
            "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
            "--IdentityProvider.token=", "--ServerApp.password=",
            f"--ServerApp.root_dir={root_dir}",
            "--LabApp.expose_app_in_browser=True",
            "--LabApp.news_url=None",
            "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
            "--ServerApp.open_browser=False",
            "--ContentsManager.allow_hidden=False"]
    return Server("jupyterlab", argv, port, env, log, ready_path="/api/status")


def voila(target: Path, env: dict, log: Path, port: int | None = None,
          extra: list | None = None) -> Server:
    """Voila serving ``target`` with the app's configuration (``app/voila.json``).

    As ``make app`` does: the app's config dir on JUPYTER_CONFIG_PATH (template,
    classic tree page, teacher folder hidden), the app's template on JUPYTER_PATH.
    The tests add a free port, an empty token and tracebacks in the page.
    """
    port = port or free_port()
    env = dict(env)
    env["JUPYTER_CONFIG_PATH"] = os.pathsep.join(
        [str(APP_DIR)] + [p for p in env.get("JUPYTER_CONFIG_PATH", "").split(os.pathsep) if p])
    argv = [str(BIN / "voila"), "--no-browser", f"--port={port}", "--Voila.ip=127.0.0.1",
            "--show_tracebacks=True", "--token=", *(extra or []), str(target)]
    return Server("voila", argv, port, env, log, ready_path=None)


def voila_app_command() -> str:
    """The ``make app`` recipe (run from the repository root)."""
    return ("JUPYTER_PATH=$(CURDIR)/app/share/jupyter JUPYTER_CONFIG_PATH=$(CURDIR)/app "
            "$(BIN)/voila notebooks/")


# -- browser -------------------------------------------------------------------

def chromium_available() -> bool:
    return os.path.exists(CHROMIUM) and os.access(CHROMIUM, os.X_OK)


def launch_chromium(playwright, profile_dir: Path, env: dict, **context_kw):
    """A persistent Chromium context on a fresh profile dir (Debian's binary)."""
    shutil.rmtree(profile_dir, ignore_errors=True)
    Path(profile_dir).mkdir(parents=True)
    return playwright.chromium.launch_persistent_context(
        str(profile_dir), executable_path=CHROMIUM, headless=True, args=list(CHROMIUM_ARGS),
        env=env, viewport={"width": 1400, "height": 1600}, **context_kw)


class NetworkGuard:
    """Aborts and records every browser request to a host other than loopback."""

    def __init__(self):
        self.blocked: list[str] = []

    @staticmethod
    def is_local(url: str) -> bool:
        if url.startswith(("data:", "blob:", "about:", "file:")):     # no network (an exported page)
            return True
        m = re.match(r"^(?:https?|wss?)://(\[[^\]]+\]|[^/:]+)", url)
        return bool(m) and m.group(1) in LOCAL_HOSTS

    def install(self, context) -> "NetworkGuard":
        def route(r):
            if self.is_local(r.request.url):
                r.continue_()
            else:
                self.blocked.append(r.request.url)
                r.abort()
        context.route("**/*", route)
        return self

    def watch_page(self, page) -> None:
        def ws(w):
            if not self.is_local(w.url):
                self.blocked.append(w.url)
        page.on("websocket", ws)
        page.on("request", lambda req: None if self.is_local(req.url) else self.blocked.append(req.url))


def kernel_message(payload) -> tuple[str, dict, dict, dict] | None:
    """(channel, header, parent header, content) of one kernel websocket frame, or ``None``.

    A frame is JSON text (the legacy protocol) or, in the ``v1.kernel.websocket.jupyter.org``
    protocol, bytes: the number of offsets, the offsets (8 bytes each, little-endian), then the
    channel and the message's parts (header, parent header, metadata, content, buffers) between them.
    """
    try:
        if isinstance(payload, str):
            m = json.loads(payload)
            return m.get("channel", ""), m.get("header") or {}, m.get("parent_header") or {}, m.get("content") or {}
        n = int.from_bytes(payload[:8], "little")
        if not 6 <= n <= 64:
            return None
        offsets = [int.from_bytes(payload[8 + 8 * i:16 + 8 * i], "little") for i in range(n)]
        parts = [payload[a:b] for a, b in zip(offsets, offsets[1:])]
        return (parts[0].decode("utf-8"), json.loads(parts[1]), json.loads(parts[2]), json.loads(parts[4]))
    except (ValueError, IndexError, AttributeError, TypeError):
        return None


class KernelTraffic:
    """The page's requests to its kernels and the kernels' answers, read off the kernel websockets.

    The kernel reports ``idle`` for each request once it has handled it and sent what that
    produced, so when every request sent has its ``idle``, every key press, click and slider move
    the page has sent is answered and its replies are in the page (ipywidgets holds back a
    change while one of the same widget is unanswered and sends it on that ``idle``: the
    check is made again one frame later, when such a change has gone out).
    """

    def __init__(self, page):
        self.sent: set[str] = set()
        self.answered: set[str] = set()
        page.on("websocket", self._ws)

    def _ws(self, ws):
        if "/channels" not in ws.url:
            return

        def sent(payload):
            m = kernel_message(payload)
            if m and m[0] in ("shell", "control") and m[1].get("msg_id"):
                self.sent.add(m[1]["msg_id"])

        def received(payload):
            m = kernel_message(payload)
            if (m and m[0] == "iopub" and m[1].get("msg_type") == "status"
                    and m[3].get("execution_state") == "idle" and m[2].get("msg_id")):
                self.answered.add(m[2]["msg_id"])

        ws.on("framesent", sent)
        ws.on("framereceived", received)

    def pending(self) -> int:
        return len(self.sent - self.answered)

    def wait_answered(self, page, timeout: float = 60.0) -> None:
        """Wait until the kernel has answered every request the page sent (checked once a frame)."""
        if not self.sent:       # frames not understood would make every wait pass at once
            raise AssertionError("no request to a kernel seen on the page's websockets")
        frame = "() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))"
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            page.evaluate(frame)                       # websocket events reach this process meanwhile
            if self.pending() == 0:
                page.evaluate(frame)
                if self.pending() == 0:
                    return
        raise AssertionError(f"the kernel left {self.pending()} of {len(self.sent)} requests unanswered "
                             f"within {timeout} s")


class ConsoleLog:
    """Collects console errors, page errors and kernel errors seen on the websockets.

    Kernel errors are iopub ``error`` messages and ``stderr`` stream text.  Two
    stderr lines are expected and ignored: when JupyterLab connects to a fresh
    kernel its widget manager asks for the ``jupyter.widget.control`` comm before
    any cell has imported ipywidgets, and the kernel answers that it has no such
    comm target (and then no such comm).  They come before any code runs.
    """

    _ERROR = re.compile(r'"msg_type"\s*:\s*"error"')
    _STDERR = re.compile(r'"name"\s*:\s*"stderr"\s*,\s*"text"\s*:\s*"((?:[^"\\]|\\.)*)"')
    _BENIGN = re.compile(r"^(No such comm target registered: jupyter\.widget\.control|No such comm: [0-9a-f-]+)(\\n)?$")

    def __init__(self, page):
        self.errors: list[str] = []
        self.kernel: list[str] = []
        #: requests to the kernel and their answers (:meth:`KernelTraffic.wait_answered`)
        self.traffic = KernelTraffic(page)
        page.on("console", self._console)
        page.on("pageerror", lambda e: self.errors.append(f"pageerror: {e}"))
        page.on("websocket", self._ws)

    def _console(self, msg):
        if msg.type == "error":
            self.errors.append(f"console.error: {msg.text} @ {msg.location.get('url', '')}")

    def _ws(self, ws):
        def frame(payload):
            text = payload if isinstance(payload, str) else payload.decode("utf-8", "replace")
            if "iopub" not in text and '"channel": "iopub"' not in text and '"channel":"iopub"' not in text:
                return
            if self._ERROR.search(text):
                self.kernel.append(text[-2000:])
            for m in self._STDERR.finditer(text):
                if not self._BENIGN.match(m.group(1)):
                    self.kernel.append("stderr: " + m.group(1)[:2000])
        ws.on("framereceived", frame)


def open_in_lab_and_run_all(page, base_url: str, name: str, timeout_ms: int = 120_000) -> None:
    """Open notebook ``name`` in JupyterLab at ``base_url``, wait for its kernel, and start run-all.

    Returns as soon as the run has been requested; callers wait for what they need.
    """
    page.goto(f"{base_url}lab/tree/{name}?reset", wait_until="domcontentloaded")
    page.wait_for_function(
        """() => { const a = window.jupyterapp; const w = a && a.shell.currentWidget;
                   const k = w && w.sessionContext && w.sessionContext.session && w.sessionContext.session.kernel;
                   return k && k.status === 'idle' && w.content && w.content.widgets.length > 0; }""",
        timeout=timeout_ms)
    page.evaluate("window.jupyterapp.commands.execute('notebook:run-all-cells')")


def wait_all_run(page, timeout_ms: int = 180_000) -> None:
    """Wait until every code cell of JupyterLab's current notebook has run and its kernel is idle."""
    page.wait_for_function(
        """() => { const w = window.jupyterapp.shell.currentWidget;
                   const cells = w.content.widgets.filter(c => c.model.type === 'code');
                   return w.sessionContext.session.kernel.status === 'idle'
                          && cells.every(c => c.model.executionCount !== null); }""",
        timeout=timeout_ms, polling=250)
