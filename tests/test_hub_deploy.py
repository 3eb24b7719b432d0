"""The class hub's own logic (deploy/jupyterhub): roster, TLS refusal, data folder, limits, safe notebook copy.

Fast and without JupyterHub: the load test (benchmarks/load_hub.py) runs the real hub.
"""
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from neuralsim.classroom import notebooks_cli

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "deploy" / "jupyterhub"))
import neuralsim_hub as hub  # noqa: E402


def roster(tmp_path, text):
    p = tmp_path / "class.csv"
    p.write_text(text)
    return p


# ----------------------------------------------------------------------------- roster
def test_roster_splits_teachers_and_students_in_file_order(tmp_path):
    p = roster(tmp_path, "\ufeffusername, role\n# the teacher\nmsmith,teacher\n\nalex,student\nbea,\nzoe\n")
    r = hub.parse_roster(p)
    assert r.teachers == ["msmith"]
    assert r.students == ["alex", "bea", "zoe"]
    assert r.users == ["msmith", "alex", "bea", "zoe"]


def test_roster_refuses_two_students_with_the_same_name(tmp_path):
    p = roster(tmp_path, "username,role\nmsmith,teacher\nalex,student\nbea,student\nalex,student\n")
    with pytest.raises(hub.RosterError, match=r"line 5: 'alex' is listed twice \(first on line 3\)"):
        hub.parse_roster(p)


@pytest.mark.parametrize("name", ["Alex", "alex.k", "1alex", "a" * 33, "al ex", "élise", ""])
def test_roster_refuses_names_unix_or_the_hub_cannot_use(tmp_path, name):
    p = roster(tmp_path, f"username,role\nmsmith,teacher\n{name},student\n")
    with pytest.raises(hub.RosterError, match="line 3: user name .* is not allowed"):
        hub.parse_roster(p)


@pytest.mark.parametrize("name", ["root", "daemon", "www-data", "jovyan"])
def test_roster_refuses_system_account_names(tmp_path, name):
    p = roster(tmp_path, f"username,role\nmsmith,teacher\n{name},student\n")
    with pytest.raises(hub.RosterError, match=f"'{name}' is a system account name"):
        hub.parse_roster(p)


def test_roster_refuses_unknown_role_missing_teacher_and_bad_header(tmp_path):
    with pytest.raises(hub.RosterError, match="role 'admin' for 'alex'"):
        hub.parse_roster(roster(tmp_path, "username,role\nmsmith,teacher\nalex,admin\n"))
    with pytest.raises(hub.RosterError, match="no teacher"):
        hub.parse_roster(roster(tmp_path, "username,role\nalex,student\n"))
    with pytest.raises(hub.RosterError, match="no student"):
        hub.parse_roster(roster(tmp_path, "username,role\nmsmith,teacher\n"))
    with pytest.raises(hub.RosterError, match="must name a 'username' column"):
        hub.parse_roster(roster(tmp_path, "name,role\nalex,student\n"))
    with pytest.raises(hub.RosterError, match="unknown column"):
        hub.parse_roster(roster(tmp_path, "username,password\nalex,secret\n"))
    with pytest.raises(hub.RosterError, match="3 cells for 2 columns"):
        hub.parse_roster(roster(tmp_path, "username,role\nmsmith,teacher,x\n"))
    with pytest.raises(hub.RosterError, match="empty roster"):
        hub.parse_roster(roster(tmp_path, "\n# nobody\n"))


# ----------------------------------------------------------------------------- listening address
@pytest.mark.parametrize("ip", ["127.0.0.1", "127.0.0.2", "::1", "localhost"])
def test_loopback_needs_no_tls(ip):
    hub.check_bind(ip)


@pytest.mark.parametrize("ip", ["0.0.0.0", "", "::", "192.168.1.20", "10.0.0.5", "example.org"])
def test_listening_beyond_this_machine_without_tls_is_refused(ip):
    with pytest.raises(ValueError, match="without TLS"):
        hub.check_bind(ip)
    with pytest.raises(ValueError, match="without TLS"):
        hub.check_bind(ip, ssl_cert="/some/cert.pem")     # the key is missing


def test_tls_files_must_exist(tmp_path):
    cert, key = tmp_path / "c.pem", tmp_path / "k.pem"
    cert.write_text("cert")
    with pytest.raises(ValueError, match="TLS key file .* does not exist"):
        hub.check_bind("0.0.0.0", str(cert), str(key))
    key.write_text("key")
    hub.check_bind("0.0.0.0", str(cert), str(key))


def _load_config(monkeypatch, tmp_path, **env):
    """Execute jupyterhub_config.py as JupyterHub would, with these settings; return its exit message or None."""
    from traitlets.config import Config

    for k in [k for k in os.environ if k.startswith("NEURALSIM_HUB_")]:
        monkeypatch.delenv(k)
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    monkeypatch.setattr(os, "getuid", lambda: 0)
    cfg = Config()
    code = (ROOT / "deploy" / "jupyterhub" / "jupyterhub_config.py").read_text()
    try:
        exec(compile(code, "jupyterhub_config.py", "exec"), {"get_config": lambda: cfg, "__file__":
                                                              str(ROOT / "deploy" / "jupyterhub" / "jupyterhub_config.py")})
    except SystemExit as e:
        return str(e)
    return None


def test_the_hub_configuration_refuses_0_0_0_0_without_tls(monkeypatch, tmp_path):
    p = roster(tmp_path, "username,role\nmsmith,teacher\nalex,student\n")
    msg = _load_config(monkeypatch, tmp_path, NEURALSIM_HUB_ROSTER=str(p), NEURALSIM_HUB_IP="0.0.0.0",
                       NEURALSIM_HUB_DATA=str(tmp_path / "data"))
    assert msg.startswith("neuralsim hub: refusing to listen on 0.0.0.0")
    assert not (tmp_path / "data").exists()


def test_the_hub_configuration_refuses_a_data_folder_inside_the_repository(monkeypatch, tmp_path):
    p = roster(tmp_path, "username,role\nmsmith,teacher\nalex,student\n")
    msg = _load_config(monkeypatch, tmp_path, NEURALSIM_HUB_ROSTER=str(p),
                       NEURALSIM_HUB_DATA=str(ROOT / "deploy" / "jupyterhub" / "run"))
    assert "inside the repository" in msg


def test_the_hub_configuration_needs_a_roster(monkeypatch, tmp_path):
    assert "set NEURALSIM_HUB_ROSTER" in _load_config(monkeypatch, tmp_path)


# ----------------------------------------------------------------------------- data folder
def test_data_folder_defaults_outside_any_checkout():
    assert hub.data_dir({}, uid=0) == Path("/var/lib/neuralsim-hub")
    assert hub.data_dir({"XDG_DATA_HOME": "/home/t/.data"}, uid=1000) == Path("/home/t/.data/neuralsim-hub")
    assert hub.data_dir({"NEURALSIM_HUB_DATA": "/srv/class"}, uid=0) == Path("/srv/class")


def test_data_folder_inside_or_around_the_repository_is_refused(tmp_path):
    repo = tmp_path / "repo"
    repo.mkdir()
    hub.check_data_dir(tmp_path / "data", repo)
    with pytest.raises(ValueError, match="inside the repository"):
        hub.check_data_dir(repo / "deploy" / "jupyterhub" / "run", repo)
    with pytest.raises(ValueError, match="contains the repository"):
        hub.check_data_dir(tmp_path, repo)


def test_data_folder_under_tmp_or_dev_shm_is_refused():
    """Every student's server mounts its own empty /tmp and /dev/shm over the real ones."""
    for hidden in ("/tmp/neuralsim-hub", "/dev/shm/hub", "/tmp"):
        with pytest.raises(ValueError, match="private, empty folder"):
            hub.check_data_not_private(Path(hidden))
    hub.check_data_not_private(Path("/var/lib/neuralsim-hub"))
    hub.check_data_not_private(Path("/tmpdata/hub"))   # a name starting with 'tmp' is not /tmp


def test_make_clean_and_git_clean_leave_the_data_folder_intact(tmp_path):
    """The repository's own `clean` recipe and `git clean -fdx`, run on a copy of the checkout after a
    class: the students' homes and the hub's database (in the default data folder's layout) survive."""
    if not shutil.which("make") or not shutil.which("git"):
        pytest.fail("make and git are needed (both are installed with the project's requirements)")
    repo, data = tmp_path / "repo", tmp_path / "var-lib-neuralsim-hub"
    repo.mkdir()
    shutil.copy(ROOT / "Makefile", repo / "Makefile")
    subprocess.run(["git", "init", "-q"], cwd=repo, check=True)
    # the recipe first asks the hub module whether a hub of this checkout runs (none does here)
    (repo / "deploy" / "jupyterhub").mkdir(parents=True)
    shutil.copy(ROOT / "deploy" / "jupyterhub" / "neuralsim_hub.py", repo / "deploy" / "jupyterhub" / "neuralsim_hub.py")
    for d in (".venv/bin", ".venv-hub/bin", "build", "dist-hub", "deploy/jupyterhub/node_modules", "deploy/jupyterhub/run"):
        (repo / d).mkdir(parents=True, exist_ok=True)
    (data / "homes" / "alex" / "neuralsim").mkdir(parents=True)
    (data / "homes" / "alex" / "neuralsim" / "02_slump_test.ipynb").write_text("{}")
    (data / "state").mkdir()
    (data / "state" / "jupyterhub.sqlite").write_text("db")
    hub.check_data_dir(data, repo)
    subprocess.run(["make", "-s", "clean"], cwd=repo, check=True)
    assert not (repo / ".venv").exists() and not (repo / ".venv-hub").exists() and not (repo / "dist-hub").exists()
    subprocess.run(["git", "clean", "-qfdx"], cwd=repo, check=True)
    assert (data / "homes" / "alex" / "neuralsim" / "02_slump_test.ipynb").read_text() == "{}"
    assert (data / "state" / "jupyterhub.sqlite").read_text() == "db"


def test_parse_size():
    assert hub.parse_size("1G") == 2**30
    assert hub.parse_size("512M") == 512 * 2**20
    assert hub.parse_size("1.5G") == 3 * 2**29
    assert hub.parse_size("300000000") == 300_000_000
    with pytest.raises(ValueError, match="memory size 'lots'"):
        hub.parse_size("lots")


# ----------------------------------------------------------------------------- cgroups (on a fake tree)
def test_cgroup_v1_limits_are_written_under_the_hubs_own_group(tmp_path):
    for c in ("memory/hubgroup", "cpu"):
        (tmp_path / c).mkdir(parents=True)
    proc = tmp_path / "proc_cgroup"
    proc.write_text("4:memory:/hubgroup\n1:cpu:/\n0::/\n")
    cg = hub.Cgroups(root=str(tmp_path), proc_self=str(proc))
    assert cg.version == 1
    cg.create("alex", 2**30, 0.5)
    mem = tmp_path / "memory" / "hubgroup" / "neuralsim-hub" / "alex"
    cpu = tmp_path / "cpu" / "neuralsim-hub" / "alex"
    assert (mem / "memory.limit_in_bytes").read_text() == str(2**30)
    assert (cpu / "cpu.cfs_quota_us").read_text() == "50000"          # half of a 100 ms period
    assert (cpu / "cpu.cfs_period_us").read_text() == "100000"
    assert (tmp_path / "cpu" / "neuralsim-hub" / "cpu.shares").read_text() == str(40 * 1024)   # the class weighs 40 processes
    assert cg.procs_files("alex") == sorted([str(cpu / "cgroup.procs"), str(mem / "cgroup.procs")])
    (mem / "memory.oom_control").write_text("oom_kill_disable 0\nunder_oom 0\noom_kill 2\n")
    assert cg.oom_kills("alex") == 2


def test_cgroup_v2_limits(tmp_path):
    (tmp_path / "cgroup.controllers").write_text("cpu memory")
    (tmp_path / "hub.slice").mkdir()
    proc = tmp_path / "proc_cgroup"
    proc.write_text("0::/hub.slice\n")
    cg = hub.Cgroups(root=str(tmp_path), proc_self=str(proc))
    assert cg.version == 2
    cg.create("bea", 512 * 2**20, 1.0)
    d = tmp_path / "hub.slice" / "neuralsim-hub" / "bea"
    assert (d / "memory.max").read_text() == str(512 * 2**20)
    assert (d / "cpu.max").read_text() == "100000 100000"
    assert (tmp_path / "hub.slice" / "neuralsim-hub" / "cpu.weight").read_text() == "4000"


def test_no_cgroups_means_not_available(tmp_path):
    proc = tmp_path / "proc_cgroup"
    proc.write_text("0::/\n")
    assert not hub.Cgroups(root=str(tmp_path / "none"), proc_self=str(proc)).available


def test_reachable_by_all(tmp_path):
    private = tmp_path / "private"
    private.mkdir(mode=0o700)
    exe = private / "python"
    exe.write_text("")
    exe.chmod(0o755)
    os.chmod(tmp_path, 0o755)
    assert not hub.reachable_by_all(exe)          # a folder on the way is closed to others
    private.chmod(0o755)
    assert hub.reachable_by_all(exe) == all(os.stat(d).st_mode & 1 for d in exe.parents)
    link = tmp_path / "link"
    link.symlink_to(exe)
    private.chmod(0o700)
    assert not hub.reachable_by_all(link)         # judged where the symlink leads


# ----------------------------------------------------------------------------- the notebook copy
@pytest.fixture
def shipped(tmp_path, monkeypatch):
    pkg = tmp_path / "site" / "neuralsim"
    (pkg / "notebooks").mkdir(parents=True)
    (pkg / "notebooks" / "00_a.ipynb").write_text('{"a": 1}')
    (pkg / "notebooks" / "01_b.ipynb").write_text('{"b": 2}')
    monkeypatch.setattr(notebooks_cli, "_PACKAGE_DIR", pkg)
    return pkg


def test_copy_is_atomic_a_failed_write_keeps_the_old_copy(shipped, tmp_path, monkeypatch):
    dest = tmp_path / "home" / "neuralsim"
    dest.mkdir(parents=True)
    (dest / "00_a.ipynb").write_text("my edits")

    def disk_full(fd):
        raise OSError(28, "No space left on device")
    monkeypatch.setattr(os, "fsync", disk_full)
    with pytest.raises(OSError, match="No space left"):
        notebooks_cli.copy_notebooks(dest, overwrite=True)
    assert (dest / "00_a.ipynb").read_text() == "my edits"      # never a truncated notebook
    assert sorted(p.name for p in dest.iterdir()) == ["00_a.ipynb"]   # no temporary file left


def test_copy_writes_whole_files_and_keeps_edits(shipped, tmp_path):
    dest = tmp_path / "home" / "neuralsim"
    assert [p.name for p in notebooks_cli.copy_notebooks(dest)] == ["00_a.ipynb", "01_b.ipynb"]
    (dest / "00_a.ipynb").write_text("my edits")
    assert notebooks_cli.copy_notebooks(dest) == []
    assert (dest / "00_a.ipynb").read_text() == "my edits"
    assert (dest / "01_b.ipynb").read_text() == '{"b": 2}'


def test_copy_refuses_a_destination_that_is_a_symlink_out_of_the_home(shipped, tmp_path):
    home, outside = tmp_path / "home", tmp_path / "elsewhere"
    home.mkdir()
    outside.mkdir()
    (home / "neuralsim").symlink_to(outside)
    with pytest.raises(ValueError, match="is a symlink"):
        notebooks_cli.copy_notebooks(home / "neuralsim", within=home)
    with pytest.raises(ValueError, match="is a symlink"):
        notebooks_cli.copy_notebooks(home / "neuralsim")
    assert list(outside.iterdir()) == []


def test_copy_refuses_a_symlinked_folder_on_the_way(shipped, tmp_path):
    home, outside = tmp_path / "home", tmp_path / "elsewhere"
    home.mkdir()
    outside.mkdir()
    (home / "course").symlink_to(outside)
    with pytest.raises(ValueError, match="'course' is a symlink"):
        notebooks_cli.copy_notebooks(home / "course" / "neuralsim", within=home)
    assert list(outside.iterdir()) == []
    with pytest.raises(ValueError, match="not inside"):
        notebooks_cli.copy_notebooks(outside / "x", within=home)


def test_copy_never_writes_through_a_symlinked_notebook(shipped, tmp_path):
    dest, victim = tmp_path / "home" / "neuralsim", tmp_path / "victim.txt"
    dest.mkdir(parents=True)
    victim.write_text("precious")
    (dest / "00_a.ipynb").symlink_to(victim)
    notebooks_cli.copy_notebooks(dest)                    # kept as it is (the student's entry)
    assert victim.read_text() == "precious" and (dest / "00_a.ipynb").is_symlink()
    notebooks_cli.copy_notebooks(dest, overwrite=True)    # the link itself is replaced
    assert victim.read_text() == "precious"
    assert not (dest / "00_a.ipynb").is_symlink() and (dest / "00_a.ipynb").read_text() == '{"a": 1}'


def test_cli_within_option(shipped, tmp_path, capsys):
    home = tmp_path / "home"
    home.mkdir()
    (home / "neuralsim").symlink_to(tmp_path)
    assert notebooks_cli.main(home / "neuralsim", within=home) == 2
    assert "symlink" in capsys.readouterr().err


# ----------------------------------------------------------------------------- the assignment
def test_assignment_is_built_from_the_exercises_and_graded_by_their_checker():
    import hubctl
    from neuralsim.teaching import exercises

    nb = hubctl.assignment_notebook()
    meta = [c["metadata"]["nbgrader"] for c in nb["cells"]]
    assert len({m["grade_id"] for m in meta}) == len(meta)                    # nbgrader needs unique ids
    tests = [c for c in nb["cells"] if c["metadata"]["nbgrader"]["grade"]]
    answers = [c for c in nb["cells"] if c["metadata"]["nbgrader"]["solution"]]
    assert len(tests) == len(answers) == len(hubctl.QUESTIONS)
    assert all(t["metadata"]["nbgrader"]["locked"] and t["metadata"]["nbgrader"]["points"] == 1 for t in tests)
    for i, ((key, solution), t, a) in enumerate(zip(hubctl.QUESTIONS, tests, answers), start=1):
        assert exercises.ask(key) in "".join(c["source"] for c in nb["cells"] if c["cell_type"] == "markdown")
        assert f"check({key!r}, answer_{i})" in t["source"]
        ns = {}
        exec(a["source"], ns)                       # the teacher's solution passes the test cell ...
        exec(t["source"], ns)
        ns[f"answer_{i}"] = ["ankle_dorsiflexion"] if solution.startswith("[") else 12345
        with pytest.raises(AssertionError):         # ... a wrong answer does not
            exec(t["source"], ns)


def test_teacher_material_becomes_owner_only_wherever_it_is(tmp_path):
    old, new = tmp_path / "notebooks" / "teacher", tmp_path / "teacher"
    new.mkdir()
    (new / "solutions.ipynb").write_text("{}")
    os.chmod(new, 0o755)
    lone = tmp_path / "answers.ipynb"
    lone.write_text("{}")
    os.chmod(lone, 0o644)
    changed = hub.protect_teacher_material([old, new, lone])     # the old place is gone: skipped
    assert changed == [str(new), str(lone)]
    assert os.stat(new).st_mode & 0o777 == 0o700 and os.stat(lone).st_mode & 0o777 == 0o600
    assert hub.protect_teacher_material([old, new, lone]) == []   # nothing left to change


# ----------------------------------------------------------------------------- the hub's scripts
HUB_SCRIPTS = sorted([ROOT / "benchmarks" / "load_hub.py", ROOT / "benchmarks" / "attack_hub.py",
                      ROOT / "benchmarks" / "hub_teardown.py", *(ROOT / "deploy" / "jupyterhub").glob("*.py"),
                      *(ROOT / "deploy" / "kubernetes").glob("*.py")])


def _unbound_globals(source: str, filename: str) -> set[str]:
    """Names a function reads as globals that the module never binds (nor the builtins): each
    one a NameError waiting for the line that runs it."""
    import builtins
    import symtable

    top = symtable.symtable(source, filename, "exec")
    bound = {s.get_name() for s in top.get_symbols() if s.is_assigned() or s.is_imported()}
    used: set[str] = set()

    def walk(t):
        for s in t.get_symbols():
            if s.is_declared_global() and s.is_assigned():
                bound.add(s.get_name())
            if t.get_type() != "module" and s.is_global() and s.is_referenced():
                used.add(s.get_name())
        for c in t.get_children():
            walk(c)
    walk(top)
    return used - bound - set(dir(builtins)) - {"__file__", "__name__", "__doc__"}


@pytest.mark.parametrize("script", HUB_SCRIPTS, ids=lambda p: p.name)
def test_hub_scripts_read_no_global_they_never_define(script):
    # a table written inside one of the code strings sent to kernels reads as defined, and is a
    # NameError only in the phase that uses it (there: the noisy neighbours never ran)
    assert _unbound_globals(script.read_text(), str(script)) == set()


def test_unbound_globals_finds_a_name_hidden_in_a_string():
    src = "CODE = '''\nROLE = {}\n'''\ndef main():\n    return ROLE['x'], CODE, len\n"
    assert _unbound_globals(src, "x.py") == {"ROLE"}


def test_the_code_the_load_test_sends_to_kernels_is_python():
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import load_hub as lh

    assert set(lh.ROLE_CODE) == {"spinner", "shm-filler"}
    for name, code in [*lh.ROLE_CODE.items(), ("undo", lh.ROLE_UNDO),
                       ("submit", lh.SUBMIT_CODE % repr(["hip_flexion"])), ("attack", lh.ATTACK_CODE % "{}")]:
        compile(code, name, "exec")
    # the submission's cell is what a student runs, not where the test keeps its own tables
    assert "ROLE_CODE" not in lh.SUBMIT_CODE and "ROLE_UNDO" not in lh.SUBMIT_CODE
    assert "_noisy" in lh.ROLE_CODE["spinner"] and "_noisy" in lh.ROLE_UNDO
    assert "/dev/shm/neuralsim-fill" in lh.ROLE_CODE["shm-filler"] and "/dev/shm/neuralsim-fill" in lh.ROLE_UNDO


class _PingingSocket:
    """A kernel websocket whose kernel never answers while the server pings every ``ping_s``:
    recv() returns only when no ping comes within its read timeout (websocket-client answers
    pings inside recv and reads on)."""

    def __init__(self, ping_s, websocket):
        self.ping_s, self.timeouts, self.exc = ping_s, [], websocket.WebSocketTimeoutException
        self.timeout = None

    def send(self, data):
        pass

    def settimeout(self, t):
        self.timeouts.append(t)
        self.timeout = t

    def recv(self):
        import json
        import time
        if self.timeout < self.ping_s:
            time.sleep(self.timeout)
            raise self.exc("timed out")
        time.sleep(3 * self.ping_s)     # pings kept the read alive; then someone else's message
        return json.dumps({"channel": "iopub", "msg_type": "status", "header": {"msg_type": "status"},
                           "parent_header": {"msg_id": "another"}, "content": {"execution_state": "busy"}})


def test_a_kernel_request_ends_at_its_deadline_whatever_the_server_pings():
    import time
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import load_hub as lh

    kc = lh.KernelChannel.__new__(lh.KernelChannel)
    kc.session, kc.widgets, kc.opened = "s", {}, []
    kc.ws = _PingingSocket(1.5, lh.websocket)
    t0 = time.monotonic()
    with pytest.raises(TimeoutError):
        kc.request("shell", "execute_request", {}, timeout=2.0)
    assert time.monotonic() - t0 < 2.0 + 1.0 + 0.5    # the deadline, one short read, slack
    assert max(kc.ws.timeouts) <= 1.0


def test_an_attack_step_that_swallows_every_exception_still_ends_at_the_alarm(monkeypatch):
    import time
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import attack_hub as ah

    monkeypatch.setattr(ah, "STEP_LIMIT_S", 1)
    suite = ah.Suite(run=None, students={}, args=None)

    def step():
        for _ in range(8):
            try:
                time.sleep(0.5)
            except Exception:  # noqa: BLE001 - a broad except somewhere in the step's code
                pass
        suite.record("limits", "never reached", True, "")
    t0 = time.monotonic()
    suite.guard("limits", "a step that hangs", step)
    assert time.monotonic() - t0 < 2.0
    (row,) = suite.rows
    assert row["blocked"] is False and "StepOverrun" in row["result"] and row["attack"] == "a step that hangs"


def test_a_recorded_failure_prints_where_it_came_from(capsys):
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import load_hub as lh

    def deep_in_the_figures():
        return None + 1
    try:
        deep_in_the_figures()
    except TypeError as e:
        line = lh.failed("student07", e)
    assert line.startswith("TypeError: unsupported operand")
    out = capsys.readouterr().out
    assert "traceback of student07" in out and "deep_in_the_figures" in out and "return None + 1" in out


def test_the_hubs_own_processes_get_a_cpu_group_as_heavy_as_the_class(tmp_path):
    for c in ("memory", "cpu"):
        (tmp_path / c).mkdir(parents=True)
    proc = tmp_path / "proc_cgroup"
    proc.write_text("4:memory:/\n1:cpu:/\n0::/\n")
    cg = hub.Cgroups(root=str(tmp_path), proc_self=str(proc), weight_of=40)
    d = cg.join_service(4321)
    assert d == tmp_path / "cpu" / "neuralsim-hub-service"            # beside the class, not a student
    assert (d / "cpu.shares").read_text() == (tmp_path / "cpu" / "neuralsim-hub" / "cpu.shares").read_text() == "40960"
    assert (d / "cgroup.procs").read_text() == "4321"
    assert "neuralsim-hub-service" not in cg.names()                  # never demoted or killed as a student
    (d / "cgroup.procs").unlink()                                     # (a real group empties itself)
    (d / "cpu.shares").unlink()
    cg.remove_all()
    assert not d.exists()


def test_the_hubs_cpu_group_on_cgroup_v2(tmp_path):
    (tmp_path / "cgroup.controllers").write_text("cpu memory")
    (tmp_path / "hub.slice").mkdir()
    proc = tmp_path / "proc_cgroup"
    proc.write_text("0::/hub.slice\n")
    cg = hub.Cgroups(root=str(tmp_path), proc_self=str(proc), weight_of=40)
    d = cg.join_service(99)
    assert d == tmp_path / "hub.slice" / "neuralsim-hub-service"
    assert (d / "cpu.weight").read_text() == "4000" == (tmp_path / "hub.slice" / "neuralsim-hub" / "cpu.weight").read_text()


def test_a_demoted_student_runs_in_a_group_as_light_as_one_process_and_comes_back(tmp_path):
    for c in ("memory", "cpu", "cpuacct", "pids", "freezer"):
        (tmp_path / c).mkdir(parents=True)
    proc = tmp_path / "proc_cgroup"
    proc.write_text("".join(f"{i}:{c}:/\n" for i, c in enumerate(("memory", "cpu", "cpuacct", "pids", "freezer"))))
    cg = hub.Cgroups(root=str(tmp_path), proc_self=str(proc), weight_of=40)
    cg.create("alex", 2**30, 1.0)
    low = tmp_path / "cpu" / "neuralsim-hub-low"
    assert (low / "cpu.shares").read_text() == "1024"                          # all demoted students: one process
    assert (low / "alex" / "cpu.cfs_quota_us").read_text() == "100000"          # the same 1-core quota there
    normal = tmp_path / "cpu" / "neuralsim-hub" / "alex"
    (normal / "cgroup.procs").write_text("101 102")
    cg.set_low("alex", True)
    # a fake tree keeps what was written; a real one moves each pid written (one at a time)
    assert (low / "alex" / "cgroup.procs").read_text() == "102"
    assert cg.is_low("alex") and cg.pids("alex") == [101, 102]
    (normal / "cgroup.procs").write_text("")
    cg.set_low("alex", False)
    assert (normal / "cgroup.procs").read_text() == "102"
    assert "neuralsim-hub-low" not in cg.names() and cg.names() == ["alex"]


def test_a_process_in_the_hubs_own_groups_places_the_class_where_it_came_from(tmp_path):
    # the hub moves into its service group, and the load test's client starts the hub from its own
    # group: a Cgroups made afterwards must find the same class folder, not one nested inside
    for c in ("memory/job", "cpu/neuralsim-hub-load-client/neuralsim-hub-service"):
        (tmp_path / c).mkdir(parents=True)
    proc = tmp_path / "proc_cgroup"
    proc.write_text("4:memory:/job\n1:cpu:/neuralsim-hub-load-client/neuralsim-hub-service\n0::/\n")
    cg = hub.Cgroups(root=str(tmp_path), proc_self=str(proc))
    assert cg.base["cpu"] == tmp_path / "cpu" / "neuralsim-hub"
    assert cg.service_dir() == tmp_path / "cpu" / "neuralsim-hub-service"
    assert cg.base["memory"] == tmp_path / "memory" / "job" / "neuralsim-hub"


def test_the_attack_table_names_no_path_of_the_machine_it_ran_on(tmp_path, monkeypatch):
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import attack_hub as ah

    readme = tmp_path / "README.md"
    readme.write_text(f"intro\n{ah.START}\nSTALE ROW\n{ah.END}\nafter\n")
    monkeypatch.setattr(ah, "README", readme)
    run = "/var/tmp/neuralsim-hub-attack-x1y2"
    ah.write_table({"finished": "now", "seconds": 1, "attacks": 1, "blocked": 1, "rows": [
        {"kind": "grading", "attack": "plant a file", "blocked": True, "result": f"refused ('{run}/data/inbound/x')"},
        {"kind": "grading", "attack": "cut short", "blocked": True, "result": f"shown: REFUSED x: {run[:-3]}"}]}, run)
    text = readme.read_text()
    assert run not in text and "refused ('<run folder>/data/inbound/x')" in text
    assert text.startswith("intro\n") and text.endswith("after\n") and "STALE ROW" not in text
    assert "| grading | plant a file | refused ('<run folder>/data/inbound/x') | blocked |" in text
    assert "| grading | cut short | shown: REFUSED x: <run folder> | blocked |" in text and "/var/tmp" not in text


def test_cpu_demand_counts_time_running_and_waiting_of_the_groups_threads(tmp_path):
    import threading
    import time
    (tmp_path / "cpu").mkdir()
    proc = tmp_path / "proc_cgroup"
    proc.write_text("1:cpu:/\n")
    (tmp_path / "memory").mkdir()
    cg = hub.Cgroups(root=str(tmp_path), proc_self=str(proc))
    assert cg.demand_ns("alex") is None                                   # no group
    d = tmp_path / "cpu" / "neuralsim-hub" / "alex"
    d.mkdir(parents=True)
    end = time.thread_time() + 0.2
    while time.thread_time() < end:                                       # 0.2 s of this thread's CPU
        pass
    tid = threading.get_native_id()
    (d / "tasks").write_text(f"{tid}\n999999999\n")                      # a thread gone meanwhile counts 0
    with open(f"/proc/{tid}/schedstat") as f:
        ran, waited = (int(x) for x in f.read().split()[:2])
    got = cg.demand_ns("alex")
    assert ran >= 0.2e9 and ran + waited <= got <= ran + waited + 0.1e9


def test_a_second_class_folder_has_its_own_groups(tmp_path):
    for c in ("memory", "cpu", "cpuacct", "pids", "freezer"):
        (tmp_path / c).mkdir(parents=True)
    proc = tmp_path / "proc_cgroup"
    proc.write_text("".join(f"{i}:{c}:/\n" for i, c in enumerate(("memory", "cpu", "cpuacct", "pids", "freezer"))))
    first = hub.Cgroups(root=str(tmp_path), proc_self=str(proc))
    second = hub.Cgroups(root=str(tmp_path), proc_self=str(proc), folder="course-b")
    first.create("alex", 2**30, 1.0)
    second.create("sam", 2**30, 1.0)
    assert first.base["cpu"] == tmp_path / "cpu" / "neuralsim-hub"
    assert second.base["cpu"] == tmp_path / "cpu" / "course-b"
    assert first.names() == ["alex"] and second.names() == ["sam"]     # a hub's start-up kill sees its own only
    assert second.low_dir("sam") == tmp_path / "cpu" / "course-b-low" / "sam"
    assert second.service_dir() == tmp_path / "cpu" / "course-b-service"
    assert first.low_dir("alex") == tmp_path / "cpu" / "neuralsim-hub-low" / "alex"


@pytest.mark.parametrize("folder", ["", "../etc", "Neuralsim", "a/b", "x" * 49, "-hub"])
def test_a_class_folder_that_is_not_a_plain_name_is_refused(tmp_path, folder):
    with pytest.raises(ValueError, match="NEURALSIM_HUB_CGROUP"):
        hub.Cgroups(root=str(tmp_path), proc_self=str(tmp_path / "none"), folder=folder)


def test_a_second_hub_on_the_same_class_folder_is_refused_and_names_the_first(tmp_path):
    fd = hub.hold_hub_lock("neuralsim-hub", run_dir=str(tmp_path))
    try:
        assert (tmp_path / "neuralsim-hub.lock").read_text().strip() == str(os.getpid())
        with pytest.raises(hub.HubLockError, match=rf"pid {os.getpid()}\).*NEURALSIM_HUB_CGROUP"):
            hub.hold_hub_lock("neuralsim-hub", run_dir=str(tmp_path))    # flock: per open file, so refused here too
        os.close(hub.hold_hub_lock("course-b", run_dir=str(tmp_path)))   # another folder: its own lock
    finally:
        os.close(fd)
    os.close(hub.hold_hub_lock("neuralsim-hub", run_dir=str(tmp_path)))  # released with the first hub


def test_the_hub_lock_never_follows_a_link(tmp_path):
    target = tmp_path / "victim"
    target.write_text("root's file\n")
    (tmp_path / "neuralsim-hub.lock").symlink_to(target)
    with pytest.raises(OSError):
        hub.hold_hub_lock("neuralsim-hub", run_dir=str(tmp_path))
    assert target.read_text() == "root's file\n"
