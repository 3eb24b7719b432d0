"""The hub's defences, piece by piece (fast; the whole hub under attack is `make attack-test`).

Tests that need root, bubblewrap, cgroups or loop devices skip without them, with the reason; under
CI=true a missing bubblewrap, e2fsprogs or system Python (which .ci/run installs) fails instead.
"""
import functools
import json
import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

HUB = Path(__file__).resolve().parents[1] / "deploy" / "jupyterhub"
sys.path.insert(0, str(HUB))
import neuralsim_hub as hub  # noqa: E402
import neuralsim_sandbox as sb  # noqa: E402

ROOT = os.getuid() == 0


def _missing(reason, installed_by_ci=False):
    """Skip, with the reason, when the machine lacks what a test needs.  Under CI=true a missing piece
    that .ci/run installs (bubblewrap, e2fsprogs, the system Python) fails instead: there a skip would
    hide a defence that was never tested.  Root, cgroup controllers and loop devices belong to the
    machine, not to .ci/run, so they skip everywhere and the skip reason says which is missing."""
    if installed_by_ci and os.environ.get("CI") == "true":
        pytest.fail(f"CI=true and {reason}: .ci/run installs it, so the hub's security tests must run")
    pytest.skip(reason)


def needs_root(test):
    @functools.wraps(test)
    def run(*a, **kw):
        if not ROOT:
            _missing("needs root")
        return test(*a, **kw)
    return run


def needs_bwrap(test):
    @functools.wraps(test)
    def run(*a, **kw):
        if not ROOT:
            _missing("needs root")
        if not (shutil.which("bwrap") and os.path.exists("/usr/bin/python3")):
            _missing("needs bubblewrap (Debian package bubblewrap) and /usr/bin/python3", installed_by_ci=True)
        return test(*a, **kw)
    return run


def notebook(*cells):
    return {"nbformat": 4, "nbformat_minor": 5, "metadata": {},
            "cells": [{"cell_type": "code", "source": c, "metadata": {}, "outputs": []} for c in cells]}


@pytest.fixture
def env_and_nb():
    """A stand-in course environment (bin/python -> /usr/bin/python3) and a folder for notebooks,
    both where the unprivileged sandbox account can reach them."""
    base = Path(tempfile.mkdtemp(prefix="neuralsim-sbtest-"))
    os.chmod(base, 0o755)
    (base / "env" / "bin").mkdir(parents=True)
    os.symlink("/usr/bin/python3", base / "env" / "bin" / "python")
    yield base / "env", base
    shutil.rmtree(base, ignore_errors=True)


def run(base, env, *cells, **kw):
    p = base / "submission.ipynb"
    p.write_text(json.dumps(notebook(*cells)))
    return sb.run_answers(p, ["answer_1", "answer_2"], env, user="nobody", **kw)


@needs_bwrap
def test_sandbox_has_no_network(env_and_nb):
    env, base = env_and_nb
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(1)
    port = srv.getsockname()[1]
    try:
        # the listener above is reachable from this machine; from the sandbox it must not be
        out = run(base, env, "import socket\ntry:\n    socket.create_connection(('127.0.0.1', %d), timeout=2)\n"
                  "    answer_1 = 'connected'\nexcept OSError as e:\n    answer_1 = type(e).__name__\n" % port)
    finally:
        srv.close()
    assert out["answers"]["answer_1"] in ("ConnectionRefusedError", "OSError", "TimeoutError")


@needs_bwrap
def test_sandbox_sees_neither_course_nor_solutions_and_runs_as_nobody(env_and_nb):
    env, base = env_and_nb
    secret = base / "solutions.txt"
    secret.write_text("answer_1 = 0")
    os.chmod(secret, 0o644)        # readable by everyone on the machine: only the sandbox hides it
    out = run(base, env, f"import os\nanswer_1 = os.path.exists({str(secret)!r})\nanswer_2 = os.getuid()\n"
              f"open({str(base / 'gradebook.db')!r}, 'w').write('x')\nopen({str(secret)!r}, 'w').write('x')")
    assert out["answers"] == {"answer_1": False, "answer_2": pwd.getpwnam("nobody").pw_uid}
    # the writes landed in the sandbox's own /tmp, gone with it
    assert not (base / "gradebook.db").exists() and secret.read_text() == "answer_1 = 0"


def _procs_with(marker):
    found = []
    for d in Path("/proc").iterdir():
        try:
            if d.name.isdigit() and marker in (d / "cmdline").read_bytes():
                found.append(int(d.name))
        except OSError:
            pass
    return found


@needs_bwrap
def test_sandbox_leaves_nothing_running(env_and_nb):
    env, base = env_and_nb
    out = run(base, env, "import subprocess\nsubprocess.Popen(['sleep', '317.25'], start_new_session=True)\n"
              "answer_1 = 1")
    assert out["answers"]["answer_1"] == 1
    assert out["errors"] == ["left 1 process(es) running (ended with the sandbox)"]   # the teacher is told
    time.sleep(0.2)
    assert _procs_with(b"317.25") == []


@needs_bwrap
def test_an_honest_submission_gets_no_report_line(env_and_nb):
    env, base = env_and_nb
    out = run(base, env, "import subprocess\nanswer_1 = subprocess.run(['true']).returncode\n"
              "answer_2 = [1, 2]")
    assert out == {"answers": {"answer_1": 0, "answer_2": [1, 2]}, "errors": []}


@needs_bwrap
def test_sandbox_is_killed_at_its_wall_clock_limit(env_and_nb):
    env, base = env_and_nb
    t = time.monotonic()
    with pytest.raises(TimeoutError):
        run(base, env, "import time\nwhile True:\n    time.sleep(0.01)  # 'spinning 811'", limits=sb.Limits(wall_s=2))
    assert time.monotonic() - t < 10
    time.sleep(0.2)
    assert _procs_with(b"spinning 811") == []


@needs_bwrap
def test_sandbox_process_limit_stops_a_fork_bomb(env_and_nb):
    env, base = env_and_nb
    out = run(base, env, "import subprocess\nps = []\ntry:\n    for i in range(200):\n"
              "        ps.append(subprocess.Popen(['sleep', '5']))\nexcept OSError:\n    pass\nanswer_1 = len(ps)",
              limits=sb.Limits(processes=20))
    assert out["answers"]["answer_1"] < 20


@needs_bwrap
def test_a_patched_checker_in_the_submission_never_reaches_the_check(env_and_nb):
    env, base = env_and_nb
    # wrong answers (the hamstrings do not cross the neck: 0 % change; they cross hip and knee)
    # plus a patch that would make any check pass inside the submission's own process
    out = run(base, env, "import sys, types\nfake = types.SimpleNamespace(check=lambda *a: types.SimpleNamespace("
              "correct=True, message='ok'))\nsys.modules['neuralsim.exercises'] = fake\n"
              "answer_1 = 25\nanswer_2 = ['ankle_dorsiflexion']")
    assert out["answers"] == {"answer_1": 25, "answer_2": ["ankle_dorsiflexion"]}
    assert out["errors"] == ["replaced modules neuralsim.exercises (ignored: answers are checked in a fresh process)"]
    res = sb.check_answers(out["answers"], [("ham_neck_40", "answer_1"), ("ham_joints", "answer_2")],
                           Path(sys.prefix), user=None)
    assert [ok for ok, _ in res.values()] == [False, False]
    right = sb.check_answers({"answer_1": 0, "answer_2": ["hip_flexion", "knee_flexion"]},
                             [("ham_neck_40", "answer_1"), ("ham_joints", "answer_2")], Path(sys.prefix), user=None)
    assert [ok for ok, _ in right.values()] == [True, True]


@needs_bwrap
def test_only_plain_values_leave_the_sandbox(env_and_nb):
    env, base = env_and_nb
    out = run(base, env, "class Sneaky(int):\n    def __eq__(self, o): return True\n"
              "answer_1 = Sneaky(3)\nanswer_2 = object()")
    assert out["answers"] == {"answer_1": 3}
    assert any("answer_2" in e for e in out["errors"])


@needs_root
def test_a_submission_in_someone_elses_name_is_refused(tmp_path):
    sub = tmp_path / "alexm+ps1+2026-12-07 08:00:00 UTC+abc"
    sub.mkdir()
    (sub / "neuralsim_assignment.ipynb").write_text("{}")
    nobody = pwd.getpwnam("nobody").pw_uid
    for p in (sub, sub / "neuralsim_assignment.ipynb"):
        os.chown(p, nobody, -1)
    uids = {"alexm": 4242, "bea": nobody}
    assert "not to 'alexm'" in sb.submission_owner_problem(sub, "alexm", uids.__getitem__)
    assert sb.submission_owner_problem(sub, "bea", uids.__getitem__) == ""
    os.symlink("/etc/shadow", sub / "extra")
    assert "symlink" in sb.submission_owner_problem(sub, "bea", uids.__getitem__)
    assert "no Unix account" in sb.submission_owner_problem(sub, "nobody-here", uids.__getitem__)


def test_root_writes_never_follow_a_planted_symlink(tmp_path):
    course = tmp_path / "course"
    (course / "source").mkdir(parents=True)
    target = tmp_path / "etc-passwd"
    target.write_text("root:x:0:0\n")
    os.symlink(target, course / "source" / "ps1")                  # a folder on the way is a symlink
    with pytest.raises(OSError):
        hub.safe_write(course, "source/ps1/neuralsim_assignment.ipynb", b"{}")
    with pytest.raises(OSError):
        hub.safe_mkdir(course, "source/ps1/more")
    os.unlink(course / "source" / "ps1")
    (course / "source" / "ps1").mkdir()
    os.symlink(target, course / "source" / "ps1" / "neuralsim_assignment.ipynb")   # the file itself is one
    hub.safe_write(course, "source/ps1/neuralsim_assignment.ipynb", b"{}", mode=0o600)
    assert target.read_text() == "root:x:0:0\n"
    f = course / "source" / "ps1" / "neuralsim_assignment.ipynb"
    assert not f.is_symlink() and f.read_bytes() == b"{}" and f.stat().st_mode & 0o777 == 0o600


def test_teacher_steps_run_without_the_terminal_in_a_new_session():
    r = hub.teacher_step([sys.executable, "-c", "import os, sys; print(os.getsid(0), os.readlink('/proc/self/fd/0'))"])
    sid, stdin = r.stdout.split()
    assert int(sid) != os.getsid(0) and stdin == "/dev/null"


class Clock:
    def __init__(self):
        self.t = 1000.0

    def __call__(self):
        return self.t


def test_login_limiter_locks_a_name_only_for_the_address_that_guessed(tmp_path):
    clock = Clock()
    lim = hub.LoginLimiter(tmp_path / "l.sqlite", per_address=20, per_name=5, window=300, lock=120, clock=clock)
    for _ in range(5):
        assert lim.blocked("msmith", "10.0.0.66") == 0
        lim.failed("msmith", "10.0.0.66")
    assert lim.blocked("msmith", "10.0.0.66") == pytest.approx(120)
    assert lim.blocked("msmith", "10.0.0.7") == 0          # the teacher at their own desk is not locked out
    clock.t += 121
    assert lim.blocked("msmith", "10.0.0.66") == 0


def test_login_limiter_blocks_a_spray_from_one_address_and_unlock_lifts_it(tmp_path):
    clock = Clock()
    lim = hub.LoginLimiter(tmp_path / "l.sqlite", per_address=20, per_name=5, window=300, lock=120, clock=clock)
    for k in range(20):
        lim.failed(f"name{k}", "10.0.0.66")                 # one try each for 20 names
    assert lim.blocked("someone-else", "10.0.0.66") == pytest.approx(300)
    assert lim.blocked("someone-else", "10.0.0.67") == 0
    other = hub.LoginLimiter(tmp_path / "l.sqlite", clock=clock)  # what `hubctl.py unlock` opens
    assert other.unlock(address="10.0.0.66") == 20
    assert lim.blocked("someone-else", "10.0.0.66") == 0


def test_client_address_ignores_what_the_client_wrote():
    assert hub.client_address("127.0.0.1", "1.2.3.4, 10.1.2.3") == "10.1.2.3"   # the proxy appends the real peer
    assert hub.client_address("10.9.9.9", "127.0.0.5") == "10.9.9.9"            # not from the proxy: the peer
    assert hub.client_address("127.0.0.1", None) == "127.0.0.1"
    assert hub.client_address("127.0.0.1", "not-an-address") == "127.0.0.1"


def test_ports_a_student_could_take_or_that_are_in_use_are_refused():
    with pytest.raises(ValueError, match="port 8000"):
        hub.check_ports("127.0.0.1", (8000, 8001, 8002), unprivileged_start=1024)
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    s.listen(1)
    port = s.getsockname()[1]
    try:
        with pytest.raises(ValueError, match="in use"):
            hub.check_ports("127.0.0.1", (port,), unprivileged_start=65536)
    finally:
        s.close()


def test_cpu_fairness_demotes_a_spinner_not_a_run_all():
    f = hub.CpuFairness(cgroups=None, window=10, busy=0.5, idle=0.25)
    verdicts = [f.decide("spinner", t, int(t * 1e9)) for t in range(0, 13)]     # one full core
    assert True in verdicts and verdicts.index(True) >= 8                    # after most of a window
    burst = [f.decide("runall", t, int(min(t, 1.5) * 1e9)) for t in range(0, 13)]   # 1.5 CPU-s, then idle
    assert True not in burst
    f.low.add("spinner")
    later = [f.decide("spinner", t, int(12e9 + (t - 12) * 0.05e9)) for t in range(13, 30)]   # stopped spinning
    assert False in later


def test_hub_processes_are_found_by_config_or_environment(tmp_path):
    repo = tmp_path / "repo"
    (repo / "deploy" / "jupyterhub").mkdir(parents=True)
    (repo / ".venv-hub" / "bin").mkdir(parents=True)
    proc = tmp_path / "proc"
    for pid, argv, cwd in ((11, ["jupyterhub", "-f", "deploy/jupyterhub/jupyterhub_config.py"], repo),
                           (12, [str(repo / ".venv-hub/bin/python"), str(repo / ".venv-hub/bin/jupyterhub"),
                                 "-f", "/elsewhere/jupyterhub_config.py"], tmp_path),
                           (13, ["jupyterhub", "-f", "/elsewhere/jupyterhub_config.py"], tmp_path),
                           (14, ["python", "-m", "http.server"], repo)):
        d = proc / str(pid)
        d.mkdir(parents=True)
        (d / "cmdline").write_bytes(b"\0".join(a.encode() for a in argv) + b"\0")
        os.symlink(cwd, d / "cwd")
    assert hub.hub_processes(repo, proc) == [11, 12]


def test_make_clean_refuses_while_a_hub_of_the_checkout_runs(tmp_path):
    repo = tmp_path / "repo"
    (repo / "deploy" / "jupyterhub").mkdir(parents=True)
    shutil.copy(HUB / "neuralsim_hub.py", repo / "deploy" / "jupyterhub")
    fake = repo / ".venv-hub" / "bin" / "jupyterhub"
    fake.parent.mkdir(parents=True)
    fake.write_text("#!/bin/sh\nsleep 30\n")
    fake.chmod(0o755)
    p = subprocess.Popen([str(fake), "-f", "deploy/jupyterhub/jupyterhub_config.py"], cwd=repo)
    try:
        time.sleep(0.2)
        r = subprocess.run([sys.executable, str(repo / "deploy/jupyterhub/neuralsim_hub.py"), "refuse-if-running",
                            str(repo)], capture_output=True, text=True)
        assert r.returncode != 0 and f"pid {p.pid}" in r.stderr
    finally:
        p.kill()
        p.wait()
    r = subprocess.run([sys.executable, str(repo / "deploy/jupyterhub/neuralsim_hub.py"), "refuse-if-running",
                        str(repo)], capture_output=True, text=True)
    assert r.returncode == 0


def test_checkout_and_git_folders_readable_by_others():
    tmp_path = Path(tempfile.mkdtemp(prefix="neuralsim-gittest-"))
    os.chmod(tmp_path, 0o755)
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    os.chmod(repo, 0o755)
    os.chmod(repo / ".git", 0o755)
    assert hub.readable_by_others(repo / ".git")
    os.chmod(repo, 0o700)
    assert not hub.readable_by_others(repo / ".git")     # the folder above it closes it
    wt = tmp_path / "wt"
    wt.mkdir()
    (repo / ".git" / "worktrees" / "wt").mkdir(parents=True)
    (repo / ".git" / "worktrees" / "wt" / "commondir").write_text("../..\n")
    (wt / ".git").write_text(f"gitdir: {repo / '.git' / 'worktrees' / 'wt'}\n")
    assert hub.git_dirs(wt) == [repo / ".git" / "worktrees" / "wt", repo / ".git"]
    shutil.rmtree(tmp_path)


@pytest.fixture
def cg():
    """Cgroups in a class folder of the tests' own (never a running hub's), removed afterwards."""
    if not ROOT:
        _missing("needs root")
    cg = hub.Cgroups(folder=f"neuralsim-hub-test-{os.getpid()}")
    if not cg.available:
        _missing("no writable cgroups (cpu, memory, pids controllers)")
    yield cg
    for name in cg.names():
        cg.kill(name, timeout=5)
    cg.remove_all()
    assert not any(b.exists() for b in cg.base.values()), "the tests' cgroup folders were left behind"


def test_cgroup_kill_ends_a_setsid_double_fork(cg):
    name = f"test-kill-{os.getpid()}"
    cg.create(name, 256 * 2**20, 1.0, pids=64)
    files = cg.procs_files(name)
    try:
        p = subprocess.Popen(["/bin/sh", "-c", "setsid sh -c 'sleep 319.5 & sleep 319.5' & sleep 319.5"],
                             preexec_fn=lambda: hub.Cgroups.attach(files))
        time.sleep(0.3)
        assert len(_procs_with(b"319.5")) >= 3
        assert cg.kill(name) >= 3
        p.wait(timeout=5)
        assert _procs_with(b"319.5") == [] and cg.pids(name) == []
        assert not any(d.exists() for d in cg.paths(name).values())
    finally:
        cg.kill(name)


def test_cgroup_pids_limit_stops_a_fork_bomb(cg):
    if cg.version == 1 and "pids" not in cg.base:
        _missing("no pids controller")
    name = f"test-pids-{os.getpid()}"
    cg.create(name, 256 * 2**20, 1.0, pids=16)
    files = cg.procs_files(name)
    try:
        r = subprocess.run([sys.executable, "-c", "import subprocess\nps = []\ntry:\n    for i in range(100):\n"
                            "        ps.append(subprocess.Popen(['sleep', '5']))\nexcept OSError:\n    pass\n"
                            "print(len(ps))\nfor p in ps: p.kill()"],
                           preexec_fn=lambda: hub.Cgroups.attach(files), capture_output=True, text=True, timeout=60)
        assert int(r.stdout) < 16
    finally:
        cg.kill(name)


@needs_root
def test_private_tmp_and_shm_vanish_with_the_process():
    nobody = pwd.getpwnam("nobody")
    marker = f"neuralsim-test-{os.getpid()}"

    def pre():
        hub.private_mounts(nobody.pw_uid, nobody.pw_gid, 8 * 2**20)
        os.setgid(nobody.pw_gid)
        os.setuid(nobody.pw_uid)
    r = subprocess.run(["/bin/sh", "-c", f"echo x > /dev/shm/{marker} && echo x > /tmp/{marker} && ls /tmp | wc -l "
                        f"&& (dd if=/dev/zero of=/dev/shm/big bs=1M count=20 2>/dev/null; stat -c %s /dev/shm/big)"],
                       preexec_fn=pre, capture_output=True, text=True, timeout=30)
    assert r.stdout.splitlines()[0].strip() == "1"          # an empty /tmp of its own
    assert int(r.stdout.splitlines()[1]) <= 8 * 2**20       # 20 MiB asked, capped at 8 MiB
    assert not os.path.exists(f"/dev/shm/{marker}") and not os.path.exists(f"/tmp/{marker}")


@needs_root
def test_disk_image_caps_a_home(tmp_path):
    if not shutil.which("mkfs.ext4"):
        _missing("needs e2fsprogs (mkfs.ext4)", installed_by_ci=True)
    if not os.path.exists("/dev/loop-control"):
        _missing("needs loop devices (/dev/loop-control)")
    disks = hub.DiskImages(tmp_path / "disks")
    home = tmp_path / "homes" / "alex"
    try:
        assert disks.ensure("alex", home, 16 * 2**20)
        assert hub.DiskImages.mounted(home)
        # the folder under the mount, which a student's older mount namespace still shows, is root's alone
        under = subprocess.run(["unshare", "-m", "sh", "-c", f"umount {home} && stat -c '%a %u' {home}"],
                               capture_output=True, text=True)
        assert under.stdout.split() == ["700", "0"], under.stderr
        r = subprocess.run(["dd", "if=/dev/zero", f"of={home / 'big'}", "bs=1M", "count=40"], capture_output=True,
                           text=True)
        assert "No space left" in r.stderr
        assert (home / "big").stat().st_size < 16 * 2**20
    finally:
        disks.release(home)
    assert not hub.DiskImages.mounted(home)
    assert disks.image("alex").stat().st_blocks * 512 <= 17 * 2**20   # sparse: at most what was written
