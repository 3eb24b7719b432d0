"""A whole class at once: JupyterHub with 30 simulated students (loopback only).

Run:  make load-test      (or: .venv-hub/bin/python benchmarks/load_hub.py)

What it does, in one run, and then stops everything it started:

1. Starts JupyterHub from ``deploy/jupyterhub/jupyterhub_config.py`` on 127.0.0.1
   with free ports, a roster, a temporary data folder (hub state, homes, course,
   exchange) and a random password for each account.
2. Single-user baseline: student01 logs in alone, starts a server, opens the
   slump notebook, starts a kernel (timed, ``--solo-kernels`` times), runs the
   notebook top to bottom and moves sliders (``--solo-moves`` times, timed).
3. The class: ``--students`` students (student01..student30) arrive
   ``--stagger`` seconds apart (30 x 2 s: everyone within the same minute).
   Each logs in through the login form with their own password, starts a
   server, opens the notebook, starts a kernel (timed), runs every code cell
   and moves Explorer sliders ``--moves`` times with a human pause between
   moves (timed).  Meanwhile the last ``--spinners`` students (3) keep a core busy
   each and the one before them (``--shm-fillers``) fills its ``/dev/shm`` to its
   limit, from the start of the class phase to its end; their figures are not
   counted as slider moves.  When all are done, memory per student is measured
   with the 30 servers and kernels alive.
4. After class (servers alive): attacks from a student's kernel, a memory hog,
   the login lockout, nbgrader (30 submit, the teacher collects and grades),
   then waits for the idle culler (see ``after_class``).
5. Stops the hub (which stops every student's server), kills any process of
   the run still alive (same pid and start time), removes the Unix accounts and
   cgroups the hub made, and checks the file system: nothing may have been
   written outside the students' homes (and the exchange inbound) and the run's folder.

Everything goes through the same protocols as JupyterLab: the hub's login form
and REST API, the student's Jupyter server REST API (contents, sessions) via
the hub's proxy with the student's own API token, and the kernel websocket
(Jupyter messaging protocol).  A slider move is the ``comm_msg`` a browser's
widget manager sends when a slider is dragged (``method: update``); its
latency runs from sending it to the kernel reporting idle for it, after the
Explorer's text line came back.  Every text line is checked against
``neuralsim.nerve_bed_length`` / ``relative_bed_length`` computed here.

Exit status 0 when every notebook ran without error, every slider update
returned the library's numbers, nothing was written outside the homes and the
p95 of kernel start and of slider updates under load are at most 3x the
single-user p95; 1 otherwise.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import uuid
from pathlib import Path

import psutil
import requests
import websocket

ROOT = Path(__file__).resolve().parents[1]
CONFIG = ROOT / "deploy" / "jupyterhub" / "jupyterhub_config.py"
sys.path.insert(0, str(CONFIG.parent))
import hubctl  # noqa: E402
import neuralsim_hub as hub  # noqa: E402
sys.path.insert(0, str(ROOT / "benchmarks"))
import hub_teardown  # noqa: E402
NOTEBOOK_IN_HOME = "neuralsim/02_slump_test.ipynb"
RUN_PARENT = "/var/tmp"
#: the live widget's trait that holds the gauges and the text line (only changed parts are sent)
_PANEL = "part_panel"
RESULT_RE = re.compile(r"Bed now (\d+) mm, ([+-]?\d+\.\d) % against standing")
# Joints moved, in turn (all visible in the sitting slump).
MOVE_JOINTS = ["knee_flexion", "ankle_dorsiflexion", "cervical_flexion", "hip_flexion",
               "thoracic_flexion", "lumbar_flexion"]


# ----------------------------------------------------------------------------- small helpers
def free_port_block(n: int = 3) -> int:
    """A port P with P..P+n-1 all free on 127.0.0.1, below 1024 (the hub refuses ports a student could take)."""
    rng = random.Random()
    for _ in range(200):
        p = rng.randrange(700, 1000 - n)
        ok = True
        for q in range(p, p + n):
            with socket.socket() as s:
                try:
                    s.bind(("127.0.0.1", q))
                except OSError:
                    ok = False
                    break
        if ok:
            return p
    raise RuntimeError("no block of free ports on 127.0.0.1")


def pct(values, q):
    """q-th percentile (0..100) by linear interpolation; nan for no data."""
    v = sorted(values)
    if not v:
        return float("nan")
    k = (len(v) - 1) * q / 100.0
    lo, hi = int(k), min(int(k) + 1, len(v) - 1)
    return v[lo] + (v[hi] - v[lo]) * (k - lo)


def summary(values):
    return {"n": len(values), "median": pct(values, 50), "p95": pct(values, 95),
            "max": max(values) if values else float("nan")}


class Deadline:
    def __init__(self, seconds):
        self.end = time.monotonic() + seconds

    def left(self):
        return self.end - time.monotonic()

    def check(self, what):
        if self.left() <= 0:
            raise TimeoutError(f"run deadline passed during {what}")


def failed(where: str, e: BaseException) -> str:
    """The one-line record of a failure; its traceback goes to the run's output (the log of
    `make load-test`), so an error in the figures can be found in the code."""
    with _PRINT:
        print(f"--- traceback of {where}: {type(e).__name__}: {e}", flush=True)
        traceback.print_exception(e, file=sys.stdout)
        sys.stdout.flush()
    return f"{type(e).__name__}: {e}"


_PRINT = threading.Lock()


# ----------------------------------------------------------------------------- kernel websocket
class KernelChannel:
    """The kernel websocket of a Jupyter server, speaking the JSON messaging protocol.

    Tracks ipywidgets model state (comm_open / comm_msg update) like a browser's
    widget manager does, so sliders and the Explorer's text line can be found.
    """

    def __init__(self, url, token, timeout):
        self.session = uuid.uuid4().hex
        self.ws = websocket.create_connection(
            f"{url}?session_id={self.session}", header=[f"Authorization: token {token}"],
            timeout=timeout, suppress_origin=True)
        self.widgets: dict[str, dict] = {}      # comm_id -> state
        self.opened: list[str] = []             # comm ids in order of opening

    def close(self):
        try:
            self.ws.close()
        except Exception:
            pass

    def send(self, channel, msg_type, content):
        msg_id = uuid.uuid4().hex
        self.ws.send(json.dumps({
            "channel": channel,
            "header": {"msg_id": msg_id, "msg_type": msg_type, "session": self.session,
                       "username": "student", "version": "5.3", "date": ""},
            "parent_header": {}, "metadata": {}, "content": content, "buffers": []}))
        return msg_id

    def _track(self, msg):
        t = msg.get("msg_type") or msg["header"]["msg_type"]
        c = msg.get("content", {})
        if t == "comm_open" and c.get("target_name") == "jupyter.widget":
            self.widgets[c["comm_id"]] = dict(c.get("data", {}).get("state", {}))
            self.opened.append(c["comm_id"])
        elif t == "comm_msg" and c.get("comm_id") in self.widgets:
            data = c.get("data", {})
            if data.get("method") in ("update", "echo_update"):
                self.widgets[c["comm_id"]].update(data.get("state", {}))

    def request(self, channel, msg_type, content, timeout):
        """Send a request; return (reply content, [iopub messages for it]) once the kernel is idle for it."""
        msg_id = self.send(channel, msg_type, content)
        end = time.monotonic() + timeout
        reply, iopub, idle = None, [], False
        expect_reply = msg_type.endswith("_request")
        while not (idle and (reply is not None or not expect_reply)):
            left = end - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"{msg_type}: no answer in {timeout:.0f} s")
            # Short reads, the deadline checked between them: the server's websocket pings are
            # answered inside recv(), so a read timeout of `left` would restart with every ping
            # and a kernel that never answers would hold the caller for ever.
            self.ws.settimeout(min(left, 1.0))
            try:
                raw = self.ws.recv()
            except websocket.WebSocketTimeoutException:
                continue
            if raw == "":      # websocket-client's answer to a close frame
                raise websocket.WebSocketConnectionClosedException(
                    f"{msg_type}: the server closed the kernel websocket")
            msg = json.loads(raw)
            self._track(msg)
            if msg.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            if msg["channel"] == "iopub":
                iopub.append(msg)
                if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
                    idle = True
            elif msg["channel"] in ("shell", "control"):
                reply = msg["content"]
        return reply, iopub

    def wait_ready(self, timeout):
        """kernel_info_request until answered (the kernel may still be starting)."""
        end = time.monotonic() + timeout
        while True:
            try:
                reply, _ = self.request("shell", "kernel_info_request", {}, timeout=min(5.0, max(0.1, end - time.monotonic())))
                return reply
            except (TimeoutError, websocket.WebSocketTimeoutException):
                if time.monotonic() > end:
                    raise TimeoutError("kernel did not answer kernel_info")

    def execute_output(self, code, timeout):
        """Run code; return (its standard output, [errors])."""
        reply, iopub = self.request("shell", "execute_request", {
            "code": code, "silent": False, "store_history": False, "user_expressions": {},
            "allow_stdin": False, "stop_on_error": True}, timeout)
        out = "".join(m["content"]["text"] for m in iopub if m["msg_type"] == "stream" and m["content"]["name"] == "stdout")
        errors = [m["content"] for m in iopub if m["msg_type"] == "error"]
        return out, errors

    def execute(self, code, timeout):
        reply, iopub = self.request("shell", "execute_request", {
            "code": code, "silent": False, "store_history": True, "user_expressions": {},
            "allow_stdin": False, "stop_on_error": True}, timeout)
        errors = [m["content"] for m in iopub if m["msg_type"] == "error"]
        if reply.get("status") != "ok":
            errors.append(reply)
        return errors

    # -- widgets ---------------------------------------------------------------------------
    def explorer(self):
        """(sliders {joint: comm_id}, text comm_id, height comm_id, mobility comm_id) of the last Explorer shown."""
        sliders, start = {}, None
        for i, cid in enumerate(self.opened):
            classes = self.widgets[cid].get("_dom_classes", [])
            for cls in classes:
                if cls.startswith("neuralsim-slider-"):
                    joint = cls[len("neuralsim-slider-"):]
                    if joint == "cervical_flexion" or not sliders:
                        sliders, start = {}, i      # a new Explorer starts with its first slider
                    sliders[joint] = cid
        if not sliders:
            raise RuntimeError("no Explorer sliders (class neuralsim-slider-*) in the notebook")
        after = self.opened[start:]
        # the explorer's live widget: the figure in parts, and its panel (the gauges and the text line
        # with the bed length)
        text = next(cid for cid in after if "neuralsim-live" in self.widgets[cid].get("_dom_classes", [])
                    and RESULT_RE.search(str(self.widgets[cid].get(_PANEL, ""))))
        height = next((cid for cid in after if "neuralsim-height" in self.widgets[cid].get("_dom_classes", [])), None)
        mobility = next((cid for cid in after if self.widgets[cid].get("_model_name") == "ToggleButtonsModel"
                         and set(self.widgets[cid].get("_options_labels", [])) >= {"typical"}), None)
        return sliders, text, height, mobility

    def move(self, comm_id, value, text_id, timeout):
        """Drag a slider: send the widget update; return (latency s, new text line)."""
        t0 = time.perf_counter()
        _, iopub = self.request("shell", "comm_msg", {
            "comm_id": comm_id, "data": {"method": "update", "state": {"value": value}, "buffer_paths": []}}, timeout)
        dt = time.perf_counter() - t0
        texts = [m["content"]["data"]["state"][_PANEL] for m in iopub
                 if m["msg_type"] == "comm_msg" and m["content"]["comm_id"] == text_id
                 and _PANEL in m["content"]["data"].get("state", {})]
        errors = [m["content"] for m in iopub if m["msg_type"] == "error"]
        return dt, (texts[-1] if texts else None), errors


# ----------------------------------------------------------------------------- one student
#: What the noisy neighbours run in their kernels during the class phase (a process of their own:
#: the kernel stays responsive for the after-class steps).
ROLE_CODE = {
    "spinner": "import json, subprocess, sys\n"
               "_noisy = subprocess.Popen([sys.executable, '-c', 'while True: pass'])\n"
               "print(json.dumps({'pid': _noisy.pid}))",
    "shm-filler": "import json, os\nn = 0\n"
                  "with open('/dev/shm/neuralsim-fill', 'wb') as f:\n"
                  "    try:\n"
                  "        while True:\n"
                  "            f.write(b'\\x01' * 2**20); f.flush(); n += 1\n"
                  "    except OSError as e:\n"
                  "        err = e.strerror\n"
                  "print(json.dumps({'filled_mib': n, 'stopped_by': err}))",
}
ROLE_UNDO = ("import os\nif '_noisy' in globals(): _noisy.kill()\n"
             "if os.path.exists('/dev/shm/neuralsim-fill'): os.remove('/dev/shm/neuralsim-fill')")

SUBMIT_CODE = r'''
import json, os, subprocess
os.chdir(os.path.expanduser("~"))
def nbg(*a):
    r = subprocess.run(["nbgrader", *a, "ps1", "--course", "neuralsim"], capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
nbg("fetch_assignment")
p = os.path.join("ps1", "neuralsim_assignment.ipynb")
with open(p) as f:
    nb = json.load(f)
answers = {"answer_1": "answer_1 = 0", "answer_2": "answer_2 = %s"}
for c in nb["cells"]:
    gid = c.get("metadata", {}).get("nbgrader", {}).get("grade_id")
    if gid in answers:
        c["source"] = answers[gid]
with open(p, "w") as f:
    json.dump(nb, f)
nbg("submit")
print("submitted")
'''

ATTACK_CODE = r'''
import glob, json, os, signal
P = json.loads(%r)
res = {}
def attempt(label, f):
    try:
        f()
        res[label] = "SUCCEEDED"
    except OSError as e:
        res[label] = "refused: " + (e.strerror or type(e).__name__)
def read(path):
    with open(path, "rb") as f:
        f.read(1)
attempt("read another student's notebook", lambda: read(P["other_nb"]))
attempt("list another student's home", lambda: os.listdir(P["other_home"]))
attempt("list the homes folder", lambda: os.listdir(P["homes"]))
attempt("read the hub's cookie secret", lambda: read(P["secret"]))
attempt("read the hub's database", lambda: read(P["db"]))
attempt("read the hub's environment (/proc/PID/environ)", lambda: read(f"/proc/{P['hub_pid']}/environ"))
attempt("read another student's server environment (its API token)", lambda: read(f"/proc/{P['other_pid']}/environ"))
attempt("signal another student's server (SIGTERM)", lambda: os.kill(P["other_pid"], signal.SIGTERM))
attempt("signal another student's kernel (SIGKILL)", lambda: os.kill(P["other_kernel"], signal.SIGKILL))
attempt("signal the hub (SIGTERM)", lambda: os.kill(P["hub_pid"], signal.SIGTERM))
import neuralsim
pkg = os.path.dirname(neuralsim.__file__)
res["neuralsim imported from"] = pkg
attempt("append to the installed neuralsim/__init__.py", lambda: open(os.path.join(pkg, "__init__.py"), "a").close())
attempt("create a module in the installed package", lambda: open(os.path.join(pkg, "evil.py"), "w").close())
for t in P["teacher"]:
    attempt("read the teacher's solutions in the checkout", lambda: read(t))
attempt("read the assignment source with its solutions", lambda: read(P["source"]))
attempt("list other students' submissions", lambda: os.listdir(P["inbound"]))
print(json.dumps(res))
'''


class Student:
    def __init__(self, name, hub, run):
        self.name, self.hub, self.run = name, hub, run
        self.http = requests.Session()
        self.token = None
        self.result = {"name": name, "errors": [], "kernel_start_s": [], "slider_s": [],
                       "slider_checked": 0, "slider_wrong": []}

    def log(self, msg):
        if self.run.verbose:
            print(f"[{time.monotonic() - self.run.t0:7.1f}s] {self.name}: {msg}", flush=True)

    def login(self):
        """The login form, as a browser submits it (the student's own password)."""
        r = self.http.get(f"{self.hub}/hub/login", timeout=60)
        r.raise_for_status()
        m = re.search(r'name="_xsrf"\s+value="([^"]+)"', r.text)
        xsrf = m.group(1) if m else self.http.cookies.get("_xsrf", "")
        r = self.http.post(f"{self.hub}/hub/login", allow_redirects=False, timeout=60,
                           data={"username": self.name, "password": self.run.passwords[self.name], "_xsrf": xsrf})
        if r.status_code != 302 or not any(c.name.startswith("jupyterhub-hub-login") for c in self.http.cookies):
            raise RuntimeError(f"login failed: HTTP {r.status_code}")
        # The student's API token (what the hub's token page hands out), issued by the admin service.
        r = requests.post(f"{self.hub}/hub/api/users/{self.name}/tokens", timeout=60,
                          headers={"Authorization": f"token {self.run.service_token}"},
                          json={"note": "neuralsim load test", "expires_in": 3600})
        r.raise_for_status()
        self.token = r.json()["token"]
        self.api = {"Authorization": f"token {self.token}"}

    def start_server(self, deadline):
        t0 = time.perf_counter()
        r = requests.post(f"{self.hub}/hub/api/users/{self.name}/server", headers=self.api, timeout=120)
        if r.status_code not in (201, 202, 400):   # 400: already running
            raise RuntimeError(f"spawn: HTTP {r.status_code} {r.text[:200]}")
        while True:
            deadline.check("server start")
            u = requests.get(f"{self.hub}/hub/api/users/{self.name}", headers=self.api, timeout=60).json()
            srv = u.get("servers", {}).get("", {})
            if srv.get("ready"):
                break
            if not srv.get("pending") and not srv:
                if time.perf_counter() - t0 > 10:
                    raise RuntimeError("server neither pending nor ready")
            time.sleep(0.25)
        self.result["server_start_s"] = time.perf_counter() - t0
        self.base = f"{self.hub}/user/{self.name}"
        self.open_tab()

    def open_tab(self):
        """A JupyterLab tab stays open: it polls the server's kernel list every 10 s, which the server
        (and so the idle culler) counts as activity. close_tab() is the student closing the browser."""
        self._tab_closed = threading.Event()

        def poll():
            while not self._tab_closed.wait(10.0):
                try:
                    requests.get(f"{self.base}/api/kernels", headers=self.api, timeout=30)
                except requests.RequestException:
                    pass
        threading.Thread(target=poll, daemon=True).start()

    def close_tab(self):
        if getattr(self, "_tab_closed", None) is not None:
            self._tab_closed.set()

    def stop_server(self, deadline):
        self.close_tab()
        requests.delete(f"{self.hub}/hub/api/users/{self.name}/server", headers=self.api, timeout=120)
        while requests.get(f"{self.hub}/hub/api/users/{self.name}", headers=self.api,
                           timeout=60).json().get("servers", {}).get(""):
            deadline.check("server stop")
            time.sleep(0.25)

    def open_notebook(self):
        r = requests.get(f"{self.base}/api/contents/{self.run.notebook}", params={"content": 1},
                         headers=self.api, timeout=120)
        if r.status_code == 404 and self.run.fixture:
            requests.put(f"{self.base}/api/contents/{self.run.notebook}", headers=self.api, timeout=120,
                         json={"type": "notebook", "format": "json", "content": self.run.fixture}).raise_for_status()
            r = requests.get(f"{self.base}/api/contents/{self.run.notebook}", params={"content": 1},
                             headers=self.api, timeout=120)
        r.raise_for_status()
        self.nb = r.json()["content"]
        self.cells = ["".join(c["source"]) if isinstance(c["source"], list) else c["source"]
                      for c in self.nb["cells"] if c["cell_type"] == "code"]

    def start_kernel(self, timeout=300.0):
        """POST a session (starts the kernel) and wait for kernel_info: the kernel start time.
        The whole start (HTTP, websocket, kernel_info) ends within ``timeout`` seconds."""
        t0 = time.perf_counter()
        end = time.monotonic() + timeout
        r = requests.post(f"{self.base}/api/sessions", headers=self.api, timeout=min(120.0, timeout), json={
            "path": self.run.notebook, "type": "notebook", "name": Path(self.run.notebook).name,
            "kernel": {"name": "python3"}})
        r.raise_for_status()
        sess = r.json()
        self.session_id, kid = sess["id"], sess["kernel"]["id"]
        self.kernel_id = kid
        ws_url = self.base.replace("http://", "ws://") + f"/api/kernels/{kid}/channels"
        self.kc = KernelChannel(ws_url, self.token, timeout=max(1.0, min(120.0, end - time.monotonic())))
        self.kc.wait_ready(timeout=max(1.0, end - time.monotonic()))
        dt = time.perf_counter() - t0
        self.result["kernel_start_s"].append(dt)
        return dt

    def reconnect(self):
        """A new websocket to the same kernel, as JupyterLab opens after a while away (the server
        closes a websocket that answered no ping while the test was not reading it)."""
        old = self.kc
        old.close()
        ws_url = self.base.replace("http://", "ws://") + f"/api/kernels/{self.kernel_id}/channels"
        self.kc = KernelChannel(ws_url, self.token, timeout=120)
        # the widgets live in the kernel: what the browser knew of them carries over
        self.kc.widgets, self.kc.opened = old.widgets, old.opened
        self.kc.wait_ready(timeout=120)

    def submit_assignment(self, k):
        """nbgrader fetch, answer, submit, from the student's kernel (as `!nbgrader ...` in a cell).

        Even-numbered students get both questions right, the others only the first.
        """
        right = k % 2 == 1          # student02, student04, ... (k counts from 0)
        out, errors = self.kc.execute_output(
            SUBMIT_CODE % repr(["hip_flexion", "knee_flexion"] if right else ["hip_flexion"]), timeout=300)
        if errors or "submitted" not in out:
            e = errors[0] if errors else {}
            raise RuntimeError(f"nbgrader fetch/submit: {e.get('ename')}: {e.get('evalue', out)[:300]}")
        self.result["expected_score"] = 2.0 if right else 1.0

    def stop_kernel(self):
        self.kc.close()
        requests.delete(f"{self.base}/api/sessions/{self.session_id}", headers=self.api, timeout=120)

    def run_all(self):
        t0 = time.perf_counter()
        for i, code in enumerate(self.cells):
            errors = self.kc.execute(code, timeout=300)
            if errors:
                e = errors[0]
                raise RuntimeError(f"cell {i}: {e.get('ename')}: {e.get('evalue')}")
        self.result["run_all_s"] = time.perf_counter() - t0
        # Autosave, as JupyterLab does after a run (writes the notebook in the student's home).
        requests.put(f"{self.base}/api/contents/{self.run.notebook}", headers=self.api, timeout=120,
                     json={"type": "notebook", "format": "json", "content": self.nb}).raise_for_status()

    def move_sliders(self, n, rng):
        import neuralsim as ns

        sliders, text, height, mobility = self.kc.explorer()
        w = self.kc.widgets
        for k in range(n):
            joint = MOVE_JOINTS[k % len(MOVE_JOINTS)]
            cid = sliders[joint]
            lo, hi, now = w[cid]["min"], w[cid]["max"], w[cid]["value"]
            choices = [v for v in range(int(lo), int(hi) + 1) if v != now]
            value = float(rng.choice(choices))
            dt, line, errors = self.kc.move(cid, value, text, timeout=120)
            if errors:
                raise RuntimeError(f"slider {joint}: {errors[0].get('ename')}: {errors[0].get('evalue')}")
            self.result["slider_s"].append(dt)
            # The library's numbers for the posture the sliders now show.
            posture = ns.Posture(**{j: w[c]["value"] for j, c in sliders.items()})
            if abs(w[cid]["value"] - value) > 1e-9:
                self.result["slider_wrong"].append(f"{joint}: kernel kept {w[cid]['value']}, sent {value}")
            body = ns.Body(height_m=round(float(w[height]["value"]), 2) if height else 1.75,
                           mobility=(w[mobility]["_options_labels"][w[mobility]["index"]] if mobility else "typical"))
            bed = ns.nerve_bed_length(posture, body=body)
            rel = ns.relative_bed_length(posture, body=body)
            m = RESULT_RE.search(line or "")
            if not m:
                self.result["slider_wrong"].append(f"{joint}={value}: no result line in {line!r}")
            elif abs(int(m.group(1)) - bed) > 0.5 + 1e-6 or abs(float(m.group(2)) - 100 * (rel - 1)) > 0.05 + 1e-6:
                self.result["slider_wrong"].append(
                    f"{joint}={value}: shown {m.group(1)} mm {m.group(2)} %, library {bed:.2f} mm {100 * (rel - 1):+.2f} %")
            else:
                self.result["slider_checked"] += 1
            time.sleep(rng.uniform(*self.run.think))


# ----------------------------------------------------------------------------- the run
class Run:
    def __init__(self, args):
        self.args = args
        self.verbose = args.verbose
        self.t0 = time.monotonic()
        self.students = [f"student{k + 1:02d}" for k in range(args.students)]
        # Each student's own password; 'latecomer' is on the roster but never in class (the lockout check).
        self.passwords = {n: secrets.token_urlsafe(12) for n in self.students + ["latecomer", "teacher01"]}
        self.service_token = secrets.token_hex(32)
        self.notebook = args.notebook
        self.think = (args.think_min, args.think_max)
        # not under /tmp: every student gets a private /tmp, which would hide homes kept there
        self.base = Path(tempfile.mkdtemp(prefix=getattr(args, "prefix", "neuralsim-hub-load-"), dir=RUN_PARENT))
        os.chmod(self.base, 0o755)     # students traverse it to reach their homes
        self.data = self.base / "data"
        self.state, self.homes = self.data / "state", self.data / "homes"
        self.roster = self.base / "roster.csv"
        os.environ["NEURALSIM_HUB_DATA"] = str(self.data)        # for hubctl (the teacher's steps)
        os.environ["NEURALSIM_HUB_ROSTER"] = str(self.roster)
        taken = [n for n in self.passwords if _account(n) and _account(n).pw_gecos != hub.USER_MARKER]
        if taken:
            raise SystemExit(f"Unix accounts {taken} exist and are not the hub's: the load test will not use them")
        self.roster.write_text("username,role\nteacher01,teacher\n"
                               + "".join(f"{n},student\n" for n in self.students + ["latecomer"]))
        self.fixture = None
        if not (ROOT / "notebooks" / Path(self.notebook).name).exists():
            self.fixture = fixture_notebook()
            print(f"WARNING: notebooks/{Path(self.notebook).name} not found: using a built-in fixture notebook")
        self.hub_proc = None
        self.seen_pids: dict[int, float] = {}   # pid -> start time: a reused pid is never taken for ours

    # -- hub -----------------------------------------------------------------------------------
    #: the CPU group of this test's own process while it runs
    CLIENT_GROUP = hub.Cgroups.CLIENT

    def start_hub(self):
        # The test's client stands for 30 browsers on machines of their own: a CPU group as heavy
        # as the class's (like the hub's), so students spinning cores on the server slow what the
        # students' sliders wait for (hub, proxy, their kernels) and not the measuring itself.
        cg = hub.Cgroups()
        self.client_group = cg.join_service(os.getpid(), self.CLIENT_GROUP) if cg.available else None
        self.port = free_port_block(3)
        self.hub = f"http://127.0.0.1:{self.port}"
        (self.base / "tmp").mkdir(mode=0o700)
        env = dict(os.environ, TMPDIR=str(self.base / "tmp"), NEURALSIM_HUB_IP="127.0.0.1",
                   NEURALSIM_HUB_PORT=str(self.port), NEURALSIM_HUB_DATA=str(self.data),
                   NEURALSIM_HUB_ROSTER=str(self.roster), NEURALSIM_HUB_SERVICE_TOKEN=self.service_token,
                   NEURALSIM_HUB_MEM_LIMIT=self.args.mem_limit, NEURALSIM_HUB_CPU_LIMIT="1",
                   NEURALSIM_HUB_CULL_TIMEOUT=str(self.args.cull_timeout), NEURALSIM_HUB_ACTIVITY_INTERVAL="10",
                   NEURALSIM_HUB_LOGIN_TRIES="5", NEURALSIM_HUB_LOGIN_WAIT="600")
        self.hub_log_path = self.base / "hub.log"
        self.hub_log = open(self.hub_log_path, "w")
        jhub = Path(sys.executable).with_name("jupyterhub")
        self.checkout = install_copy(self.base / "checkout")
        self.config = self.checkout / "deploy" / "jupyterhub" / "jupyterhub_config.py"
        self.hub_proc = subprocess.Popen([str(jhub), "-f", str(self.config)], cwd=self.base, env=env,
                                         stdout=self.hub_log, stderr=subprocess.STDOUT, start_new_session=True)
        end = time.monotonic() + 90
        while time.monotonic() < end:
            if self.hub_proc.poll() is not None:
                raise RuntimeError(f"hub exited ({self.hub_proc.returncode}); see {self.hub_log_path}")
            try:
                if requests.get(f"{self.hub}/hub/api/", timeout=5).ok:
                    hubctl.set_passwords(self.passwords.items(), self.data)
                    return
            except requests.RequestException:
                pass
            time.sleep(0.3)
        raise RuntimeError("hub did not answer within 90 s")

    def remember_pids(self):
        """Every process of the run (hub, proxy, servers, kernels), so stop() can be sure they are gone."""
        try:
            hub = psutil.Process(self.hub_proc.pid)
            for p in [hub] + hub.children(recursive=True):
                self.seen_pids.setdefault(p.pid, p.create_time())
        except psutil.Error:
            pass

    def student_processes(self):
        """{student: [psutil.Process]} of the run's processes, by JUPYTERHUB_USER in their environment."""
        self.remember_pids()
        out = {}
        for p in self.ours():
            try:
                user = p.environ().get("JUPYTERHUB_USER")
            except psutil.Error:
                continue
            if user:
                out.setdefault(user, []).append(p)
        return out

    def cpu_seconds(self):
        """(CPU seconds used by the whole machine, by this run's processes and the test itself) so far."""
        t = psutil.cpu_times()
        machine = t.user + t.system + getattr(t, "nice", 0) + getattr(t, "irq", 0) + getattr(t, "softirq", 0)
        ours = sum(psutil.Process().cpu_times()[:2])
        for p in self.ours():
            try:
                ours += sum(p.cpu_times()[:2])
            except psutil.Error:
                pass
        return machine, ours

    def memory(self):
        per = {}
        for user, procs in self.student_processes().items():
            rss = uss = 0
            for p in procs:
                try:
                    mi = p.memory_full_info()
                    rss += mi.rss
                    uss += mi.uss
                except psutil.Error:
                    pass
            per[user] = {"rss_mb": rss / 2**20, "uss_mb": uss / 2**20, "processes": len(procs)}
        hub_rss = 0
        for p in self.ours():
            try:
                if "JUPYTERHUB_USER" not in p.environ():
                    hub_rss += p.memory_info().rss
            except psutil.Error:
                pass
        return per, hub_rss / 2**20

    def stop(self):
        """Stop the hub (it stops the servers and the proxy), then make sure every process of the run is gone."""
        if self.hub_proc is None:
            self._leave_client_group()
            return []
        self.remember_pids()
        try:
            r = requests.post(f"{self.hub}/hub/api/shutdown", json={"servers": True, "proxy": True},
                              headers={"Authorization": f"token {self.service_token}"}, timeout=30)
            if r.status_code >= 400:
                self.hub_proc.send_signal(signal.SIGTERM)
        except requests.RequestException:
            self.hub_proc.send_signal(signal.SIGTERM)
        try:
            self.hub_proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.hub_proc.send_signal(signal.SIGTERM)
            try:
                self.hub_proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.hub_proc.kill()
                self.hub_proc.wait(timeout=10)
        self.hub_log.close()
        leftovers = []
        gone, alive = psutil.wait_procs(self.ours(), timeout=15)
        for p in alive:
            leftovers.append(p.pid)
            try:
                p.kill()
            except psutil.Error:
                pass
        self._leave_client_group()
        return leftovers

    def _leave_client_group(self):
        if getattr(self, "client_group", None) is not None:
            hub.Cgroups().leave_service(os.getpid(), self.CLIENT_GROUP)
            self.client_group = None


    def cpu_groups(self) -> dict[str, str]:
        """The cpu cgroup of the hub, its proxy and this test's client."""
        out = {"client": cgroup_of(os.getpid()).get("cpu", "?")}
        try:
            out["hub"] = cgroup_of(self.hub_proc.pid).get("cpu", "?")
            out["proxy"] = cgroup_of(int((self.state / "proxy.pid").read_text())).get("cpu", "?")
        except (OSError, ValueError) as e:
            out["error"] = f"{type(e).__name__}: {e}"
        return out

    def ours(self):
        """The run's processes still alive: same pid AND same start time as when seen (pids get reused)."""
        out = []
        for pid, started in list(self.seen_pids.items()):
            try:
                p = psutil.Process(pid)
                if p.create_time() == started:
                    out.append(p)
            except psutil.Error:
                pass
        return out


def cgroup_of(pid: int) -> dict[str, str]:
    """{controller: cgroup path} of process ``pid`` ("" for the v2 hierarchy)."""
    out = {}
    with open(f"/proc/{pid}/cgroup") as f:
        for line in f:
            _, controllers, path = line.rstrip("\n").split(":", 2)
            for c in controllers.split(",") if controllers else [""]:
                out[c] = path
    return out


def spinner_state(run, name, role) -> dict:
    """What a spinner did: CPU seconds it used, and where it runs now (demoted: the low group)."""
    out = {}
    try:
        p = psutil.Process(role["pid"])
        if p.create_time() == role["started"]:
            out["cpu_s"] = round(sum(p.cpu_times()[:2]), 1)
            out["cpu_cgroup_at_end"] = cgroup_of(p.pid).get("cpu", "?")
    except (psutil.Error, OSError):
        out["cpu_s"] = "gone"
    cg = hub.Cgroups()
    try:
        out["group_cpu.weight"] = int((cg.paths(name)["cpu"] / "cpu.weight").read_text())   # v2
    except (OSError, KeyError, ValueError):
        pass
    return out


def install_copy(dest: Path) -> Path:
    """The hub's own copy of the checkout, as a school would run it: a clone (with its .git) plus
    the working tree's current files, and the proxy from this checkout's node_modules. The hub
    makes the copy owner-only when it starts; the attacks then try to read it."""
    subprocess.run(["git", "clone", "-q", "--no-hardlinks", str(ROOT), str(dest)], check=True,
                   stdin=subprocess.DEVNULL)
    files = subprocess.run(["git", "ls-files", "-cmo", "--exclude-standard", "-z"], cwd=ROOT, check=True,
                           capture_output=True).stdout.split(b"\0")
    for f in filter(None, (x.decode() for x in files)):
        src = ROOT / f
        if src.is_file() and not src.is_symlink():
            (dest / f).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / f)
    nm = ROOT / "deploy" / "jupyterhub" / "node_modules"
    if nm.is_dir():
        os.symlink(nm, dest / "deploy" / "jupyterhub" / "node_modules")
    return dest


def _account(name):
    import pwd
    try:
        return pwd.getpwnam(name)
    except KeyError:
        return None


def fixture_notebook():
    """Stand-in for notebooks/02_slump_test.ipynb while it does not exist: the slump table and the Explorer."""
    cells = [
        "import neuralsim as ns\nfrom neuralsim.state.analysis import step_table\n"
        "rows = step_table('slump')\nprint(len(rows), 'steps')",
        "for r in rows:\n    print(f\"{r['step']:<34} {r['relative_bed']:.3f} {r['change_mm']:+.1f} mm\")",
        "import ipywidgets as widgets\nfrom neuralsim.classroom.widgets import Explorer\n"
        "explorer = Explorer('slump')\nexplorer",
        "knee = widgets.FloatSlider(value=0, min=0, max=140, description='knee (deg)')\nknee",
    ]
    return {"nbformat": 4, "nbformat_minor": 5, "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
            "cells": [{"cell_type": "code", "id": f"c{i}", "metadata": {}, "execution_count": None, "outputs": [],
                       "source": src} for i, src in enumerate(cells)]}


# ----------------------------------------------------------------------------- file check
class WriteWatcher:
    """Every file written on this machine while the run lasts, with the process that wrote it.

    Linux fanotify (needs root) on the whole root file system and /dev/shm:
    FAN_MODIFY and FAN_CLOSE_WRITE events carry the writer's pid, so a write
    is attributed to a student (JUPYTERHUB_USER in the process environment),
    to the hub or proxy, or to something else on the machine (ignored: other
    work going on at the same time).  Creating an empty folder or deleting a
    file is not a content write and is not seen.
    """

    FAN_CLOEXEC, FAN_UNLIMITED_QUEUE = 0x1, 0x10
    FAN_MARK_ADD, FAN_MARK_FILESYSTEM = 0x1, 0x100
    FAN_MODIFY, FAN_CLOSE_WRITE, FAN_Q_OVERFLOW = 0x2, 0x8, 0x4000

    def __init__(self, run):
        import ctypes
        import select

        self.run, self._select = run, select
        self.libc = ctypes.CDLL("libc.so.6", use_errno=True)
        self.libc.fanotify_mark.argtypes = [ctypes.c_int, ctypes.c_uint, ctypes.c_uint64, ctypes.c_int, ctypes.c_char_p]
        self.fd = self.libc.fanotify_init(self.FAN_CLOEXEC | self.FAN_UNLIMITED_QUEUE, os.O_RDONLY | os.O_LARGEFILE)
        if self.fd < 0:
            raise OSError(ctypes.get_errno(), "fanotify_init (the file check needs root on Linux)")
        marked = 0
        for mount in ("/", "/dev/shm"):
            if os.path.isdir(mount) and self.libc.fanotify_mark(
                    self.fd, self.FAN_MARK_ADD | self.FAN_MARK_FILESYSTEM,
                    self.FAN_MODIFY | self.FAN_CLOSE_WRITE, -100, mount.encode()) == 0:
                marked += 1
        if not marked:
            raise OSError(ctypes.get_errno(), "fanotify_mark /")
        self.owner: dict[int, str | None] = {}
        self.writes: dict[str, set[str]] = {}   # owner -> paths
        self.overflow = False
        self.events = 0
        self._stop = threading.Event()
        self.thread = threading.Thread(target=self._loop, daemon=True)
        self.thread.start()

    def _who(self, pid):
        if pid in self.owner:
            return self.owner[pid]
        who = None
        try:
            p = psutil.Process(pid)
            user = p.environ().get("JUPYTERHUB_USER")
            if user:
                who = user
            elif pid in self.run.seen_pids or (self.run.hub_proc and pid == self.run.hub_proc.pid):
                who = "(hub)"
            else:
                for a in p.parents():
                    if self.run.hub_proc and a.pid == self.run.hub_proc.pid:
                        who = "(hub)"
                        break
        except psutil.Error:
            who = "(gone)" if pid in self.run.seen_pids else None
        self.owner[pid] = who
        return who

    def _loop(self):
        import struct

        size = struct.calcsize("IBBHQii")
        while not self._stop.is_set():
            r, _, _ = self._select.select([self.fd], [], [], 0.2)
            if not r:
                continue
            buf = os.read(self.fd, 65536)
            off = 0
            while off + size <= len(buf):
                event_len, _v, _r, _m, mask, fd, pid = struct.unpack_from("IBBHQii", buf, off)
                off += event_len
                self.events += 1
                if mask & self.FAN_Q_OVERFLOW:
                    self.overflow = True
                if fd < 0:
                    continue
                try:
                    if pid == os.getpid():
                        continue
                    who = self._who(pid)
                    if who:
                        path = os.readlink(f"/proc/self/fd/{fd}").removesuffix(" (deleted)")
                        self.writes.setdefault(who, set()).add(path)
                except OSError:
                    pass
                finally:
                    os.close(fd)

    def stop(self):
        time.sleep(0.5)
        self._stop.set()
        self.thread.join(timeout=5)
        os.close(self.fd)

    def violations(self, homes: Path, state: Path):
        """Writes by a student outside their own home, by the hub outside its state and the homes."""
        bad = []
        for who, paths in sorted(self.writes.items()):
            for p in sorted(paths):
                if who == "(hub)" or who == "(gone)":
                    # the run's folder (data folder, the hub's log, its TMPDIR); useradd's account files;
                    # the lock that keeps a second hub off the students' cgroup folder
                    ok = _under(p, self.run.base) or re.fullmatch(
                        r"/etc/(\.pwd\.lock|(passwd|group|shadow|gshadow|subuid|subgid)([-+]|\.\d+)?)", p) is not None \
                        or re.fullmatch(r"/run/[a-z][a-z0-9-]*\.lock", p) is not None
                else:
                    # a student's server logs to the hub's log through the stdout it inherits;
                    # nbgrader submit writes into the exchange's inbound folder
                    ok = (_under(p, homes / who) or p == str(self.run.hub_log_path)
                          or _under(p, state.parent / "exchange" / "neuralsim" / "inbound"))
                if not ok:
                    bad.append(f"{who}: {p}")
        return bad


def _under(path, folder):
    return path == str(folder) or path.startswith(str(folder) + "/")


# ----------------------------------------------------------------------------- main
def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--students", type=int, default=30)
    ap.add_argument("--login-stagger", type=float, default=3.0,
                    help="seconds between two students logging in and starting their server (default 3)")
    ap.add_argument("--stagger", type=float, default=2.0,
                    help="seconds between two students opening and running the notebook (default 2: 30 in one minute)")
    ap.add_argument("--moves", type=int, default=8, help="slider moves per student (default 8)")
    ap.add_argument("--solo-moves", type=int, default=60, help="slider moves of the single-user baseline")
    ap.add_argument("--solo-kernels", type=int, default=5, help="kernel starts of the single-user baseline")
    ap.add_argument("--spinners", type=int, default=3, help="students who keep a core busy during class (3)")
    ap.add_argument("--shm-fillers", type=int, default=1, help="students who fill their /dev/shm during class (1)")
    ap.add_argument("--think-min", type=float, default=0.3, help="pause between two slider moves, s")
    ap.add_argument("--think-max", type=float, default=1.0)
    ap.add_argument("--timeout", type=float, default=1500, help="the whole run ends by then (s)")
    ap.add_argument("--mem-limit", default="1G", help="memory limit per student (default 1G)")
    ap.add_argument("--cull-timeout", type=int, default=120,
                    help="seconds without activity before the culler stops a server (default 120; open tabs "
                         "poll every 10 s, as JupyterLab does)")
    ap.add_argument("--notebook", default=NOTEBOOK_IN_HOME, help="notebook path inside each home")
    ap.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    ap.add_argument("--keep", action="store_true", help="keep the temporary homes and hub state")
    ap.add_argument("--no-file-check", action="store_true")
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args(argv)
    if not 1 <= args.students <= 60:
        ap.error("--students must be 1..60")

    run = Run(args)
    deadline = Deadline(args.timeout)
    watcher = None if args.no_file_check else WriteWatcher(run)
    rng = random.Random(20261124)
    out = {"students": args.students, "login_stagger_s": args.login_stagger, "stagger_s": args.stagger, "moves": args.moves,
           "load_average_before": os.getloadavg()}
    failures = []
    students = []
    print(f"neuralsim load test: {args.students} students log in {args.login_stagger:g} s apart, then open and run "
          f"the notebook {args.stagger:g} s apart and move a slider {args.moves} times each; "
          f"temporary folder {run.base}", flush=True)
    try:
        run.start_hub()
        print(f"hub up on {run.hub} after {time.monotonic() - run.t0:.1f} s", flush=True)

        # -- 1. single user ----------------------------------------------------------------------
        solo = Student("student01", run.hub, run)
        solo.login()
        solo.start_server(deadline)
        solo.open_notebook()
        for i in range(args.solo_kernels):
            solo.start_kernel()
            if i < args.solo_kernels - 1:
                solo.stop_kernel()
        solo.run_all()
        solo.move_sliders(args.solo_moves, random.Random(1))
        mem_solo, _ = run.memory()
        solo.stop_kernel()
        solo.stop_server(deadline)   # student01 starts afresh with the class
        out["solo"] = {"server_start_s": solo.result["server_start_s"], "run_all_s": solo.result["run_all_s"],
                       "kernel_start": summary(solo.result["kernel_start_s"]),
                       "slider": summary(solo.result["slider_s"]),
                       "memory_mb": mem_solo.get("student01")}
        failures += [f"solo: {w}" for w in solo.result["slider_wrong"]]
        print(f"single user: kernel start median {out['solo']['kernel_start']['median']:.2f} s, "
              f"slider median {1000 * out['solo']['slider']['median']:.0f} ms p95 {1000 * out['solo']['slider']['p95']:.0f} ms",
              flush=True)

        # -- 2. the class ------------------------------------------------------------------------
        done = threading.Semaphore(0)
        release = threading.Event()

        arrived = threading.Semaphore(0)
        go = threading.Event()
        go_at = [0.0]

        def student_life(k, st):
            try:
                try:
                    time.sleep(k * args.login_stagger)
                    st.log("logs in")
                    st.login()
                    st.start_server(deadline)
                    st.log(f"server up in {st.result['server_start_s']:.1f} s")
                finally:
                    arrived.release()
                go.wait(timeout=max(1.0, deadline.left()))
                role = roles.get(k)
                if role:
                    # the noisy neighbours start with the class and keep at it until it has finished
                    st.open_notebook()
                    st.start_kernel()
                    out_, errs = st.kc.execute_output(ROLE_CODE[role], timeout=180)
                    if errs:
                        raise RuntimeError(f"{role}: {errs[0].get('ename')}: {errs[0].get('evalue')}")
                    st.result["role"] = {"role": role, **json.loads(out_.strip().splitlines()[-1])}
                    if role == "spinner":
                        # the spinner must be where its CPU is capped and demoted: its student's group
                        pid = st.result["role"]["pid"]
                        where = cgroup_of(pid).get("cpu", "?")
                        st.result["role"]["cpu_cgroup"] = where
                        st.result["role"]["started"] = psutil.Process(pid).create_time()
                        if not where.endswith(f"/neuralsim-hub/{st.name}"):
                            raise RuntimeError(f"spinner {pid} is in cpu cgroup {where}, not in {st.name}'s")
                    st.log(f"{role}: {st.result['role']}")
                    st.result["ok"] = True
                    return
                time.sleep(max(0.0, go_at[0] + k * args.stagger - time.monotonic()))
                st.open_notebook()
                st.start_kernel()
                st.log(f"kernel up in {st.result['kernel_start_s'][-1]:.1f} s")
                st.run_all()
                st.log(f"ran the notebook in {st.result['run_all_s']:.1f} s")
                st.move_sliders(args.moves, random.Random(1000 + k))
                st.result["ok"] = True
            except Exception as e:  # noqa: BLE001 - every failure is reported
                st.result["errors"].append(failed(st.name, e))
            finally:
                done.release()
                release.wait(timeout=max(1.0, deadline.left()))
                if roles.get(k) and st.result.get("role"):
                    try:   # the class phase is over: stop spinning, empty /dev/shm (the kernel stays for later)
                        st.reconnect()   # its websocket went unread all class: the server has closed it
                        st.kc.execute_output(ROLE_UNDO, timeout=60)
                    except Exception as e:  # noqa: BLE001
                        st.result["errors"].append(f"undo {roles[k]}: " + failed(f"{st.name} undo {roles[k]}", e))

        def wait_all(sem, what):
            n = 0
            while n < args.students and deadline.left() > 0:
                if sem.acquire(timeout=min(5.0, max(0.1, deadline.left()))):
                    n += 1
                run.remember_pids()
            if n < args.students:
                raise TimeoutError(f"only {n} of {args.students} students {what} before the deadline")

        # the last students are the noisy neighbours: three spin a core each, one fills its /dev/shm
        roles = {k: "spinner" for k in range(args.students - args.spinners, args.students)}
        roles.update({k: "shm-filler" for k in range(args.students - args.spinners - args.shm_fillers,
                                                       args.students - args.spinners)})
        threads = []
        for k in range(args.students):
            st = Student(f"student{k + 1:02d}", run.hub, run)
            students.append(st)
            th = threading.Thread(target=student_life, args=(k, st), daemon=True)
            th.start()
            threads.append(th)
        t_arrive = time.monotonic()
        wait_all(arrived, "logged in")
        out["arrival_wall_s"] = time.monotonic() - t_arrive
        print(f"all {args.students} servers up after {out['arrival_wall_s']:.0f} s; "
              f"the class now opens the notebook and runs it, {args.stagger:g} s apart", flush=True)
        time.sleep(2.0)
        run.remember_pids()
        cpu0 = run.cpu_seconds()
        go_at[0] = time.monotonic()
        go.set()
        class_t0 = time.monotonic()
        try:
            wait_all(done, "finished")
        finally:
            out["class_wall_s"] = time.monotonic() - class_t0
            run.remember_pids()
            cpu1 = run.cpu_seconds()
            out["class_cpu_s"] = {"machine": cpu1[0] - cpu0[0], "this_run": cpu1[1] - cpu0[1],
                                  "available": (os.cpu_count() or 1) * out["class_wall_s"]}
            mem, hub_mb = run.memory()
            out["load_average_after_class"] = os.getloadavg()
            out["cpu_groups"] = run.cpu_groups()
            for st in students:
                role = st.result.get("role") or {}
                if role.get("role") == "spinner":
                    role.update(spinner_state(run, st.name, role))
            release.set()
            for th in threads:
                th.join(timeout=30)

        ok = [s for s in students if s.result.get("ok")]
        out["class"] = {"noisy": {s.name: s.result["role"] for s in students if s.result.get("role")}}
        for s in students:
            failures += [f"{s.name}: {e}" for e in s.result["errors"]]
            failures += [f"{s.name}: {w}" for w in s.result["slider_wrong"]]
        ks = [s.result["kernel_start_s"][-1] for s in students if s.result["kernel_start_s"]]
        sl = [v for s in students for v in s.result["slider_s"]]
        ss = [s.result["server_start_s"] for s in students if "server_start_s" in s.result]
        ra = [s.result["run_all_s"] for s in students if "run_all_s" in s.result]
        uss = [m["uss_mb"] for m in mem.values()]
        rss = [m["rss_mb"] for m in mem.values()]
        out["class"] |= {"completed": len(ok), "server_start": summary(ss), "kernel_start": summary(ks),
                        "run_all": summary(ra), "slider": summary(sl),
                        "slider_checked": sum(s.result["slider_checked"] for s in students),
                        "memory_per_student_uss_mb": summary(uss), "memory_per_student_rss_mb": summary(rss),
                        "students_with_processes": len(mem), "hub_and_proxy_rss_mb": hub_mb,
                        "memory_total_rss_mb": sum(rss)}
        out["ratio_p95"] = {"slider": out["class"]["slider"]["p95"] / out["solo"]["slider"]["p95"],
                            "kernel_start": out["class"]["kernel_start"]["p95"] / out["solo"]["kernel_start"]["p95"]}
        if len(ok) != args.students:
            failures.append(f"only {len(ok)} of {args.students} students completed")
        for key in ("slider", "kernel_start"):
            if out["ratio_p95"][key] > 3.0:
                failures.append(f"{key} p95 under load is {out['ratio_p95'][key]:.2f}x the single user (limit 3x)")
        after_class(run, ok, args, out, failures, deadline)
    except Exception as e:  # noqa: BLE001
        failures.append("run aborted: " + failed("the run", e))
    finally:
        for s in students:
            s.close_tab()
        leftovers = run.stop()
        out["leftover_processes_killed"] = leftovers
        if leftovers:
            failures.append(f"{len(leftovers)} process(es) outlived the hub and were killed: {leftovers}")

    # -- 3. nothing written outside the homes ------------------------------------------------------
    if watcher is not None:
        watcher.stop()
        bad = watcher.violations(run.homes, run.state)
        students_seen = sorted(w for w in watcher.writes if w.startswith("student"))
        out["files"] = {"events": watcher.events, "writers": len(students_seen), "outside_homes": bad,
                        "files_written_by_students": sum(len(watcher.writes[w]) for w in students_seen),
                        "files_written_by_hub": len(watcher.writes.get("(hub)", ()))}
        if bad:
            failures.append(f"{len(bad)} file(s) written outside the writer's home: {bad[:10]}")
        if watcher.overflow:
            failures.append("fanotify queue overflowed: the file check is incomplete")
        if len(students_seen) < args.students:
            failures.append(f"file check saw writes from only {len(students_seen)} students")
        homes = sorted(p.name for p in run.homes.iterdir()) if run.homes.exists() else []
        sizes = [sum(f.stat().st_size for f in (run.homes / h).rglob("*") if f.is_file()) / 2**20 for h in homes]
        out["files"]["homes"] = len(homes)
        out["files"]["home_mb"] = summary(sizes)
    # -- 4. the Unix accounts, cgroups, mounts and folder of the run (only those the hub made) --------
    if args.keep:
        print(f"kept {run.base}, its mounts and the Unix accounts; remove them with: make hub-clean-test")
    else:
        done = hub_teardown.teardown([run.base], verbose=False)
        out["accounts_removed"] = len(done["accounts"])
        out["mounts_removed"] = len(done["mounts"])

    out["failures"] = failures
    report(out)
    if args.json:
        args.json.write_text(json.dumps(out, indent=2, default=str))
    return 0 if not failures else 1


def hub_api(run, path):
    r = requests.get(f"{run.hub}/hub/api/{path}", headers={"Authorization": f"token {run.service_token}"}, timeout=60)
    r.raise_for_status()
    return r.json()


def running_servers(run):
    return {u["name"] for u in hub_api(run, "users?state=active") if u.get("servers", {}).get("", {}).get("ready")}


def after_class(run, students, args, out, failures, deadline):
    """With the class's servers and kernels alive: attacks, a memory hog, lockout, nbgrader, culling."""
    by_name = {s.name: s for s in students}
    # the websockets of the students used below went unread since their last slider move, and the
    # server closes such sockets: new ones to the same kernels, as JupyterLab opens after a while away
    for n in ("student02", "student04", "student05", "student06", "student07", "student08"):
        if n in by_name:
            by_name[n].reconnect()
    t0 = time.monotonic()
    hubctl.cmd_release(argparse.Namespace(verbose=False))   # the teacher's `make assignment-release`
    out["nbgrader_release_s"] = time.monotonic() - t0
    procs = run.student_processes()
    hub_pid = run.hub_proc.pid

    # -- attacks from student02's kernel on student03, the hub, the package, the teacher -------
    attacker, victim = by_name.get("student02"), by_name.get("student03")
    if attacker and victim and victim.name in procs:
        vp = sorted(procs[victim.name], key=lambda p: p.create_time())
        teacher = sorted(str(p) for d in (run.checkout / "notebooks" / "teacher", run.checkout / "teacher") if d.is_dir()
                         for p in d.rglob("*.ipynb"))
        params = {"other_nb": str(run.homes / victim.name / run.notebook), "other_home": str(run.homes / victim.name),
                  "homes": str(run.homes), "secret": str(run.state / "jupyterhub_cookie_secret"),
                  "db": str(run.state / "jupyterhub.sqlite"), "hub_pid": hub_pid,
                  "other_pid": vp[0].pid, "other_kernel": vp[-1].pid, "teacher": teacher,
                  "source": str(run.data / "course" / "source" / hubctl.ASSIGNMENT / "neuralsim_assignment.ipynb"),
                  "inbound": str(run.data / "exchange" / "neuralsim" / "inbound")}
        text, errors = attacker.kc.execute_output(ATTACK_CODE % json.dumps(params), timeout=120)
        if errors:
            failures.append(f"attack cell raised {errors[0].get('ename')}: {errors[0].get('evalue')}")
        else:
            res = json.loads(text.strip().splitlines()[-1])
            out["attacks"] = res
            won = [k for k, v in res.items() if v == "SUCCEEDED"]
            if won:
                failures.append(f"attacks that succeeded: {won}")
            if not teacher:
                out["attacks"]["read the teacher's solutions in the checkout"] = "no teacher notebooks in the checkout"
            alive = [p for p in vp if p.is_running()]
            if len(alive) != len(vp) or not psutil.pid_exists(hub_pid):
                failures.append("a signal from another student's kernel ended a process")
    else:
        failures.append("attacks not run: student02 or student03 missing")

    # -- a memory hog: only its own kernel goes --------------------------------------------------
    hog = by_name.get("student04")
    others = [by_name[n] for n in ("student05", "student06", "student07", "student08") if n in by_name]
    if hog and others:
        before = {s.name: {p.pid for p in procs.get(s.name, [])} for s in others}
        limit = hub.parse_size(args.mem_limit)
        hog_result = {}

        def eat():
            try:
                hog.kc.execute(f"x = bytearray(b'\\x01') * {2 * limit}", timeout=120)
                hog_result["outcome"] = "the allocation succeeded"
            except Exception as e:  # noqa: BLE001 - the kernel is expected to die
                hog_result["outcome"] = f"{type(e).__name__}"
        during = {}

        def slide(st, seed):
            st.result["slider_s"], st.result["slider_wrong"] = [], []
            try:
                st.move_sliders(4, random.Random(seed))
            except Exception as e:  # noqa: BLE001
                st.result["slider_wrong"].append(failed(f"{st.name} sliders beside the memory hog", e))
            during[st.name] = (list(st.result["slider_s"]), list(st.result["slider_wrong"]))
        th = [threading.Thread(target=eat)] + [threading.Thread(target=slide, args=(s, 5000 + i))
                                               for i, s in enumerate(others)]
        for t in th:
            t.start()
            time.sleep(0.2)
        for t in th:
            t.join(timeout=180)
        time.sleep(2)
        kills = hub.Cgroups().oom_kills(hog.name)
        after = run.student_processes()
        lost = [n for n, pids in before.items() if not pids <= {p.pid for p in after.get(n, [])}]
        wrong = [w for _, (_, ws) in during.items() for w in ws]
        lat = [v for _, (vs, _) in during.items() for v in vs]
        hog_server = hog.name in running_servers(run)
        out["memory_hog"] = {"limit": args.mem_limit, "asked_bytes": 2 * limit, "oom_kills_in_its_cgroup": kills,
                             "its_server_still_running": hog_server, "other_students_processes_lost": lost,
                             "other_sliders": summary(lat), "other_sliders_wrong": wrong, **hog_result}
        if kills < 1:
            failures.append(f"memory hog: no OOM kill in {hog.name}'s cgroup ({hog_result})")
        if not hog_server:
            failures.append(f"memory hog: {hog.name}'s server went down with its kernel")
        if lost or wrong or len(lat) < 4 * len(others):
            failures.append(f"memory hog hurt others: lost {lost}, wrong {wrong[:3]}, {len(lat)} slider replies")
    else:
        failures.append("memory hog not run: students missing")

    # -- login lockout: 'latecomer' after 5 wrong passwords cannot log in with the right one ----
    probe = Student("latecomer", run.hub, run)
    real = run.passwords["latecomer"]
    refused = 0
    for i in range(5):
        run.passwords["latecomer"] = f"wrong-{i}-{real}"
        try:
            probe.login()
        except RuntimeError:
            refused += 1
    run.passwords["latecomer"] = real
    try:
        probe.login()
        locked = False
    except RuntimeError:
        locked = True
    out["lockout"] = {"wrong_passwords_refused": refused, "right_password_refused_after_5_wrong": locked}
    if refused != 5 or not locked:
        failures.append(f"login lockout: {out['lockout']}")

    # -- nbgrader: every student fetches, answers and submits; the teacher collects and grades ----
    t0 = time.monotonic()
    errs = []

    def submit(st, k):
        try:
            if st is hog:       # its kernel was killed: a new one, as after JupyterLab's "kernel restarted"
                st.start_kernel()
            else:
                st.reconnect()
            st.submit_assignment(k)
        except Exception as e:  # noqa: BLE001
            errs.append(f"{st.name}: " + failed(f"{st.name} nbgrader submit", e))
    pending = [(s, int(s.name[-2:]) - 1) for s in students]
    while pending:
        batch, pending = pending[:3], pending[3:]
        th = [threading.Thread(target=submit, args=b) for b in batch]
        for t in th:
            t.start()
        for t in th:
            t.join(timeout=300)
    out["nbgrader"] = {"submit_errors": errs, "submit_wall_s": time.monotonic() - t0}
    t0 = time.monotonic()
    n = hubctl.cmd_collect(argparse.Namespace(verbose=False))
    rows, report_lines = hubctl.grade_table(run.data)      # each graded in the bubblewrap sandbox
    expected = {s.name: s.result["expected_score"] for s in students if "expected_score" in s.result}
    got = {r["student_id"]: float(r["score"]) for r in rows}
    out["nbgrader"].update({"collected": n, "graded": len(rows), "grade_wall_s": time.monotonic() - t0,
                            "scores": dict(sorted(got.items())), "expected_submissions": len(expected),
                            "grading_report_lines": len(report_lines)})
    # the report holds what the submissions raised: here the test cells of the wrong answers (the odd-
    # numbered students leave out a joint), and nothing an honest submission never does
    odd = [line for line in report_lines if "AssertionError" not in line]
    if odd:
        failures.append(f"nbgrader: the grading report says more than wrong answers: {odd[:3]}")
    if errs or n != len(expected) or got != expected:
        failures.append(f"nbgrader: {len(errs)} submit errors {errs[:2]}, collected {n}, "
                        f"grades differ: {[(k, got.get(k), v) for k, v in expected.items() if got.get(k) != v][:5]}")

    # -- CPU quota: how often the students' groups were held back ---------------------------------
    cg = hub.Cgroups()
    thr = {}
    for s in students:
        try:
            stat = dict(line.split() for line in (cg.paths(s.name)["cpu"] / "cpu.stat").read_text().splitlines())
            thr[s.name] = (int(stat.get("nr_throttled", 0)), int(stat.get("throttled_time", 0)) / 1e9
                           if "throttled_time" in stat else int(stat.get("throttled_usec", 0)) / 1e6)
        except (OSError, ValueError):
            pass
    out["cpu_throttling"] = {"students": len(thr), "periods_throttled_total": sum(v[0] for v in thr.values()),
                             "seconds_throttled_total": sum(v[1] for v in thr.values()),
                             "seconds_throttled_max": max((v[1] for v in thr.values()), default=0.0)}

    # -- the idle culler stops servers nobody uses: everyone closes their tab --------------------
    for s in students:
        s.close_tab()
    t0 = time.monotonic()
    up0 = running_servers(run)
    end = t0 + args.cull_timeout + 120
    while time.monotonic() < end and running_servers(run) and deadline.left() > 10:
        time.sleep(5)
    left = running_servers(run)
    culled = sorted(up0 - left)
    log = run.hub_log_path.read_text(errors="replace")
    out["culling"] = {"servers_idle": len(up0), "culled": len(culled), "still_running": sorted(left),
                      "waited_s": time.monotonic() - t0, "culler_log_lines": log.count("Culling server")}
    if not culled or log.count("Culling server") < 1:
        failures.append(f"idle culler: {out['culling']}")


def report(out):
    print("\n=== neuralsim JupyterHub load test ===")
    print(f"machine: {os.cpu_count()} cores, {psutil.virtual_memory().total / 2**30:.0f} GiB; load average before the run "
          + " ".join(f"{x:.1f}" for x in out["load_average_before"])
          + (", after the class phase " + " ".join(f"{x:.1f}" for x in out["load_average_after_class"])
             if "load_average_after_class" in out else "") + " (other work on the machine skews the figures)")
    s, c = out.get("solo"), out.get("class")
    if s and c:
        print(f"{'':<22}{'1 student':>30}{str(out['students']) + ' students':>32}")
        def cell(d, f):
            return f"median {f * d['median']:7.2f}  p95 {f * d['p95']:7.2f}"
        solo_server = {"median": s["server_start_s"], "p95": s["server_start_s"]}
        for label, so, cl, f in [("server start (s)", solo_server, c["server_start"], 1),
                                 ("kernel start (s)", s["kernel_start"], c["kernel_start"], 1),
                                 ("slider update (ms)", s["slider"], c["slider"], 1000)]:
            print(f"{label:<22}{cell(so, f):>30}{cell(cl, f):>32}")
        print(f"run all cells (s): single {s['run_all_s']:.2f}; class median {c['run_all']['median']:.2f} p95 {c['run_all']['p95']:.2f}")
        print(f"noisy neighbours during class: {c.get('noisy') or 'none'}")
        print(f"cpu cgroups: {out.get('cpu_groups')}")
        print(f"p95 ratio under load / single (limit 3x): slider {out['ratio_p95']['slider']:.2f}x, "
              f"kernel start {out['ratio_p95']['kernel_start']:.2f}x")
        print(f"students completed: {c['completed']}/{out['students']}; slider results checked against the library: "
              f"{c['slider_checked']} (+{s['slider']['n']} single-user)")
        print(f"wall time: all servers up {out['arrival_wall_s']:.0f} s after the first login; "
              f"notebook + sliders for the class {out['class_wall_s']:.0f} s")
        u = out["class_cpu_s"]
        print(f"CPU during the class phase: {u['this_run']:.0f} s by this run (hub, 30 servers and kernels, the test), "
              f"{max(0.0, u['machine'] - u['this_run']):.0f} s by other work on the machine, of {u['available']:.0f} s available")
        m = c["memory_per_student_uss_mb"]
        r = c["memory_per_student_rss_mb"]
        print(f"memory per student (server + kernel, all {c['students_with_processes']} alive): USS median {m['median']:.0f} MB "
              f"max {m['max']:.0f} MB; RSS median {r['median']:.0f} MB; total RSS {c['memory_total_rss_mb'] / 1024:.1f} GB; "
              f"hub + proxy {c['hub_and_proxy_rss_mb']:.0f} MB")
        if s.get("memory_mb"):
            print(f"memory, single student alone: USS {s['memory_mb']['uss_mb']:.0f} MB, RSS {s['memory_mb']['rss_mb']:.0f} MB")
    if "files" in out:
        f = out["files"]
        print(f"files written (fanotify, by process): students {f['files_written_by_students']} "
              f"(from {f['writers']} students), hub {f['files_written_by_hub']}; outside the writer's home: "
              f"{len(f['outside_homes'])}; home size median {f['home_mb']['median']:.1f} MB")
    if "attacks" in out:
        print("attacks from student02's kernel:")
        for k, v in out["attacks"].items():
            print(f"  {k:<62} {v}")
    for key in ("memory_hog", "lockout", "cpu_throttling", "nbgrader", "culling"):
        if key in out:
            print(f"{key}: " + json.dumps(out[key], default=str)[:900])
    print(f"leftover processes after stop: {len(out.get('leftover_processes_killed', []))}")
    if out["failures"]:
        print("FAILED:")
        for f in out["failures"][:40]:
            print("  -", f)
    else:
        print("PASSED")


if __name__ == "__main__":
    sys.exit(main())
