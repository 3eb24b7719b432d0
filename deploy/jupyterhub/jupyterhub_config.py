"""JupyterHub for one neuralsim class on one machine (run as root: it creates one Unix user per student).

    make hub-env                                  # once: the read-only course environment (root-owned)
    NEURALSIM_HUB_ROSTER=class.csv make hub       # the hub
    NEURALSIM_HUB_ROSTER=class.csv make hub-passwords   # one-time passwords for the roster, for the teacher

Settings (environment variables; only the roster is required):

NEURALSIM_HUB_ROSTER         CSV with a header 'username,role' (role: student or teacher); the allow list
NEURALSIM_HUB_DATA           data folder: homes/, state/ (database, cookie secret), course/, exchange/
                             (default /var/lib/neuralsim-hub as root, else $XDG_DATA_HOME/neuralsim-hub;
                             refused inside the repository)
NEURALSIM_HUB_ENV            read-only course environment (default /opt/neuralsim-hub/env, `make hub-env`)
NEURALSIM_HUB_IP             address to listen on (default 127.0.0.1; any other needs the two TLS files)
NEURALSIM_HUB_SSL_CERT, NEURALSIM_HUB_SSL_KEY   TLS certificate and key files
NEURALSIM_HUB_PORT           public port (default 800); proxy API PORT+1, hub PORT+2, on 127.0.0.1; all three
                             below the first unprivileged port (1024), so no student's process can take one
NEURALSIM_HUB_DISK           size of each student's home filesystem (default 1G; 0: no disk cap)
NEURALSIM_HUB_EXCHANGE_DISK  size of the exchange's filesystem (default 2G)
NEURALSIM_HUB_PIDS           processes and threads per student (default 256)
NEURALSIM_HUB_TMP_SIZE       size of each student's private /tmp and of their /dev/shm (default 512M)
NEURALSIM_HUB_MEM_LIMIT      memory per student, server + kernels together (default 1G)
NEURALSIM_HUB_CPU_LIMIT      CPU cores per student (default 1)
NEURALSIM_HUB_MAX_SERVERS    servers running at once (default 40)
NEURALSIM_HUB_CULL_TIMEOUT   seconds without activity before a server is stopped (default 3600)
NEURALSIM_HUB_CGROUP         the students' cgroup folder (default neuralsim-hub); a second hub on one machine
                             needs its own (a hub ends every student group in its folder when it starts)
NEURALSIM_HUB_SIGNUP         1: students choose their password on the sign-up page; the teacher approves
                             each one at /hub/authorize (default 0: the teacher hands out passwords)
NEURALSIM_HUB_LOGIN_TRIES, NEURALSIM_HUB_LOGIN_WAIT   failed logins before a user name is locked, and
                             for how many seconds (default 5 and 120)
NEURALSIM_HUB_SERVICE_TOKEN  registers an admin service (for benchmarks/load_hub.py; unset in class)
NEURALSIM_HUB_ACTIVITY_INTERVAL  seconds between activity reports (default 300; the load test uses less)
"""
import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
sys.path.insert(0, str(HERE))
from neuralsim_hub import (GRADER, GRADER_MARKER, Cgroups, HubLockError, hold_hub_lock, DiskImages, check_bind, check_data_dir, check_data_not_private,  # noqa: E402
                           check_ports, data_dir, ensure_unix_user, git_dirs, parse_roster, parse_size,
                           protect_teacher_material, reachable_by_all, readable_by_others, safe_mkdir)

c = get_config()  # noqa: F821  (provided by JupyterHub when it loads this file)
env = os.environ


def fail(msg):
    sys.exit(f"neuralsim hub: {msg}")


if os.getuid() != 0:
    fail("run the hub as root: it creates a Unix account per student and starts their servers as them")
if not env.get("NEURALSIM_HUB_ROSTER"):
    fail("set NEURALSIM_HUB_ROSTER to the class list (CSV: username,role); see deploy/jupyterhub/README.md")
try:
    roster = parse_roster(env["NEURALSIM_HUB_ROSTER"])
    ip = env.get("NEURALSIM_HUB_IP", "127.0.0.1")
    check_bind(ip, env.get("NEURALSIM_HUB_SSL_CERT"), env.get("NEURALSIM_HUB_SSL_KEY"))
    data = data_dir()
    check_data_dir(data, REPO)
    check_data_not_private(data)
    mem_limit = parse_size(env.get("NEURALSIM_HUB_MEM_LIMIT", "1G"))
    cpu_limit = float(env.get("NEURALSIM_HUB_CPU_LIMIT", "1"))
    disk = parse_size(env.get("NEURALSIM_HUB_DISK", "1G"))
    exchange_disk = parse_size(env.get("NEURALSIM_HUB_EXCHANGE_DISK", "2G"))
    tmp_size = parse_size(env.get("NEURALSIM_HUB_TMP_SIZE", "512M"))
    pids_limit = int(env.get("NEURALSIM_HUB_PIDS", "256"))
    port = int(env.get("NEURALSIM_HUB_PORT", "800"))
    check_ports(ip, (port, port + 1, port + 2))
except (OSError, ValueError) as e:
    fail(str(e))

# The checkout holds the teacher's solutions (and its .git their history): students reach none of it.
if readable_by_others(REPO):
    os.chmod(REPO, 0o700)
for g in git_dirs(REPO):
    if REPO not in g.parents and readable_by_others(g):
        fail(f"the checkout's git folder {g} (the solutions' history) is readable by other accounts: run the "
             "hub from a clone of its own (git clone), or make that folder owner-only")

course_env = Path(env.get("NEURALSIM_HUB_ENV", "/opt/neuralsim-hub/env"))
course_python = course_env / "bin" / "python"
cli = sorted(course_env.glob("lib/python3*/site-packages/neuralsim/classroom/notebooks_cli.py"))
if not course_python.exists() or not cli:
    fail(f"no course environment in {course_env}: run `make hub-env` (builds it from a wheel, owned by root)")
if not reachable_by_all(course_python):
    fail(f"{course_python} resolves to {os.path.realpath(course_python)}, which students cannot run: "
         "rebuild with `make hub-env HUB_PYTHON=/usr/bin/python3`")
if os.stat(course_env).st_uid != 0 or os.stat(cli[0]).st_mode & 0o022:
    fail(f"{course_env} must be owned by root and not writable by others")

state, homes = data / "state", data / "homes"
for d, mode in ((data, 0o755), (state, 0o700), (homes, 0o711)):
    d.mkdir(parents=True, exist_ok=True)
    os.chmod(d, mode)
# Teacher material in the checkout (wherever it is kept): readable by its owner only, now and
# before every server start.
teacher_paths = [str(REPO / "notebooks" / "teacher"), str(REPO / "teacher")]
protect_teacher_material(teacher_paths)

# -- the hub, its proxy and its own files (all inside `state`, root only) ---------------------
c.JupyterHub.bind_url = f"{'https' if ip not in ('127.0.0.1', 'localhost', '::1') else 'http'}://{ip}:{port}"
if env.get("NEURALSIM_HUB_SSL_CERT"):
    c.JupyterHub.ssl_cert = env["NEURALSIM_HUB_SSL_CERT"]
    c.JupyterHub.ssl_key = env["NEURALSIM_HUB_SSL_KEY"]
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = port + 2
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{port + 1}"
local_chp = HERE / "node_modules" / ".bin" / "configurable-http-proxy"
c.ConfigurableHTTPProxy.command = [str(local_chp) if local_chp.exists() else "configurable-http-proxy"]
c.ConfigurableHTTPProxy.pid_file = str(state / "proxy.pid")
c.JupyterHub.db_url = f"sqlite:///{state / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(state / "jupyterhub_cookie_secret")
c.JupyterHub.pid_file = str(state / "jupyterhub.pid")
# A restart of the hub stops every student's server (kernel state is lost; files are not): the
# proxy and the ports are taken afresh, and no process of a student survives into the next hub.
c.JupyterHub.cleanup_servers = True
_cg = Cgroups()
if _cg.available:
    # held until this process exits: a second hub on the same folder would kill our students below
    try:
        _lock = hold_hub_lock(_cg.folder)
    except HubLockError as e:
        fail(e)
for _name in _cg.names() if _cg.available else []:
    _cg.kill(_name)
if _cg.available:
    # the hub and its proxy (started after this) carry every student's traffic: a CPU group of
    # their own, as heavy as the class's, so students spinning cores cannot starve them
    _cg.join_service(os.getpid())
c.JupyterHub.concurrent_spawn_limit = 40
c.JupyterHub.active_server_limit = int(env.get("NEURALSIM_HUB_MAX_SERVERS", "40"))
activity = int(env.get("NEURALSIM_HUB_ACTIVITY_INTERVAL", "300"))
c.JupyterHub.last_activity_interval = activity

# -- identity: the roster, passwords (bcrypt, in the hub database), lockout ------------------
c.JupyterHub.authenticator_class = "neuralsim_spawner.RosterAuthenticator"
c.Authenticator.allowed_users = set(roster.students)
c.Authenticator.admin_users = set(roster.teachers)
c.NativeAuthenticator.enable_signup = env.get("NEURALSIM_HUB_SIGNUP", "0") == "1"
c.NativeAuthenticator.open_signup = False
c.NativeAuthenticator.minimum_password_length = 8
c.NativeAuthenticator.check_common_password = True
c.NativeAuthenticator.allowed_failed_logins = int(env.get("NEURALSIM_HUB_LOGIN_TRIES", "5"))
c.NativeAuthenticator.seconds_before_next_try = int(env.get("NEURALSIM_HUB_LOGIN_WAIT", "120"))
c.RosterAuthenticator.limiter_db = str(state / "logins.sqlite")
c.RosterAuthenticator.per_address = int(env.get("NEURALSIM_HUB_LOGIN_ADDRESS_TRIES", "20"))

# -- one Unix user per student, limits, the read-only course environment ----------------------
c.JupyterHub.spawner_class = "neuralsim_spawner.NeuralsimSpawner"
c.NeuralsimSpawner.homes = str(homes)
c.NeuralsimSpawner.course_python = str(course_python)
c.NeuralsimSpawner.notebooks_cli = str(cli[0])
c.NeuralsimSpawner.teacher_paths = teacher_paths
c.NeuralsimSpawner.disk_images = str(data / "disks") if disk else ""
c.NeuralsimSpawner.disk_size = disk
c.NeuralsimSpawner.pids_limit = pids_limit
c.NeuralsimSpawner.tmp_size = tmp_size
c.Spawner.mem_limit = mem_limit
c.Spawner.cpu_limit = cpu_limit
c.Spawner.notebook_dir = "~"
c.Spawner.default_url = "/lab/tree/neuralsim/00_start_here.ipynb"
c.Spawner.cmd = [str(course_env / "bin" / "jupyterhub-singleuser")]
c.Spawner.args = [
    "--ServerApp.jpserver_extensions", "jupyter_lsp=False",
    "--ServerApp.jpserver_extensions", "voila.server_extension=False",
]
c.Spawner.start_timeout = 180
c.Spawner.http_timeout = 180
c.LocalProcessSpawner.env_keep = ["LANG", "LC_ALL"]
etc = data / "etc"   # nbgrader settings shared by everyone (root-owned, read-only for students)
etc.mkdir(exist_ok=True)
os.chmod(etc, 0o755)
# The exchange: a filesystem of its own (a full exchange fills neither homes nor the hub's state),
# its course folder made here by the teacher's set-up and owned by the grader, so no student can
# claim it first; the root stays 1777 because nbgrader's fetch and submit insist it is writable.
exchange = data / "exchange"
grader_pw = ensure_unix_user(GRADER, Path("/nonexistent"), marker=GRADER_MARKER)
try:
    if exchange_disk:
        DiskImages(data / "disks").ensure("exchange", exchange, exchange_disk)
except (OSError, subprocess.CalledProcessError) as e:
    fail(f"could not mount the exchange's filesystem: {e}")
exchange.mkdir(exist_ok=True)
os.chown(exchange, 0, 0)
os.chmod(exchange, 0o1777)
course_x = exchange / "neuralsim"
if os.path.lexists(course_x) and (os.lstat(course_x).st_uid != grader_pw.pw_uid or os.path.islink(course_x)):
    os.rename(course_x, exchange / f".claimed-{os.lstat(course_x).st_uid}-{int(os.path.getmtime(exchange))}")
safe_mkdir(exchange, "neuralsim", grader_pw.pw_uid, grader_pw.pw_gid, 0o755)
safe_mkdir(exchange, "neuralsim/outbound", grader_pw.pw_uid, grader_pw.pw_gid, 0o755)
safe_mkdir(exchange, "neuralsim/inbound", grader_pw.pw_uid, grader_pw.pw_gid, 0o2733)
safe_mkdir(exchange, "neuralsim/feedback", grader_pw.pw_uid, grader_pw.pw_gid, 0o711)
(etc / "nbgrader_config.py").write_text(
    "c = get_config()  # noqa: F821\n"
    "c.CourseDirectory.course_id = 'neuralsim'\n"
    f"c.Exchange.root = {str(data / 'exchange')!r}\n")
c.Spawner.environment = {
    "PATH": f"{course_env / 'bin'}:/usr/local/bin:/usr/bin:/bin",
    "PYTHONDONTWRITEBYTECODE": "1",
    "TMPDIR": "/tmp",   # the student's own (a private tmpfs, see NeuralsimSpawner)
    "JUPYTER_CONFIG_PATH": str(etc),
    "JUPYTERHUB_ACTIVITY_INTERVAL": str(activity),
}

# -- services: the idle culler (and, for the load test only, an admin service) ---------------
cull_timeout = int(env.get("NEURALSIM_HUB_CULL_TIMEOUT", "3600"))
c.JupyterHub.services = [{
    "name": "idle-culler",
    "command": [sys.executable, "-m", "jupyterhub_idle_culler", f"--timeout={cull_timeout}",
                f"--cull-every={max(10, min(600, cull_timeout // 6))}"],
}]
c.JupyterHub.load_roles = [{
    "name": "idle-culler",
    "scopes": ["list:users", "read:users:activity", "read:servers", "delete:servers"],
    "services": ["idle-culler"],
}]
service_token = env.get("NEURALSIM_HUB_SERVICE_TOKEN")
if service_token:
    c.JupyterHub.services.append({"name": "neuralsim-loadtest", "api_token": service_token})
    c.JupyterHub.load_roles.append({
        "name": "neuralsim-loadtest",
        "scopes": ["admin:users", "admin:servers", "tokens", "list:users", "read:users", "shutdown"],
        "services": ["neuralsim-loadtest"],
    })
