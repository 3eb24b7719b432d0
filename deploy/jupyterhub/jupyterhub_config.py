"""JupyterHub for one neuralsim class on one machine.

Start it (from the repository root, after the setup in README.md):

    NEURALSIM_HUB_PASSWORD='a class password' .venv/bin/jupyterhub -f deploy/jupyterhub/jupyterhub_config.py

Every student logs in with any user name and the class password, gets their own
Jupyter server in their own home folder (``<homes>/<user name>``) with a fresh
copy of the neuralsim notebooks in ``neuralsim/`` and lands on the first one.

Settings come from environment variables (all optional except the password):

NEURALSIM_HUB_PASSWORD       shared class password (8 characters or more)
NEURALSIM_HUB_IP             address to listen on (default 127.0.0.1 = this machine only;
                             use 0.0.0.0 behind HTTPS to serve a classroom network)
NEURALSIM_HUB_PORT           public port (default 8000); the proxy's API uses PORT+1,
                             the hub itself PORT+2, all on 127.0.0.1
NEURALSIM_HUB_DIR            hub state: database, cookie secret, logs (default deploy/jupyterhub/run)
NEURALSIM_HUB_HOMES          students' home folders (default $NEURALSIM_HUB_DIR/homes)
NEURALSIM_HUB_SERVICE_TOKEN  if set, registers an admin service "neuralsim-loadtest" with this
                             API token (used by benchmarks/load_hub.py; leave unset in class)

This uses SimpleLocalProcessSpawner: every student's server runs as the Unix user
that started the hub, so students are separated by folder, not by the operating
system. That is fine for a trusted class on a lab machine and for the load test;
README.md says what to change for a real deployment (system users or Kubernetes).
"""
import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
c = get_config()  # noqa: F821  (provided by JupyterHub when it loads this file)

password = os.environ.get("NEURALSIM_HUB_PASSWORD", "")
if len(password) < 8:
    sys.exit("neuralsim hub: set NEURALSIM_HUB_PASSWORD to a class password of 8 characters or more")

ip = os.environ.get("NEURALSIM_HUB_IP", "127.0.0.1")
port = int(os.environ.get("NEURALSIM_HUB_PORT", "8000"))
state = Path(os.environ.get("NEURALSIM_HUB_DIR", HERE / "run")).resolve()
homes = Path(os.environ.get("NEURALSIM_HUB_HOMES", state / "homes")).resolve()
state.mkdir(parents=True, exist_ok=True)
homes.mkdir(parents=True, exist_ok=True)

# -- the hub, its proxy and its own files (all inside `state`) -----------------------------
c.JupyterHub.bind_url = f"http://{ip}:{port}"
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = port + 2
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{port + 1}"
local_chp = HERE / "node_modules" / ".bin" / "configurable-http-proxy"
c.ConfigurableHTTPProxy.command = [str(local_chp) if local_chp.exists() else "configurable-http-proxy"]
c.ConfigurableHTTPProxy.pid_file = str(state / "proxy.pid")
c.JupyterHub.db_url = f"sqlite:///{state / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(state / "jupyterhub_cookie_secret")
c.JupyterHub.pid_file = str(state / "jupyterhub.pid")
c.JupyterHub.cleanup_servers = True          # stopping the hub stops every student's server
c.JupyterHub.concurrent_spawn_limit = 40     # a class of 30 may all press "start" in the same minute
c.JupyterHub.active_server_limit = 60

# -- log in: any user name + the class password ----------------------------------------------
c.JupyterHub.authenticator_class = "shared-password"
c.SharedPasswordAuthenticator.user_password = password
c.Authenticator.allow_all = True

# -- one server per student, in their own home folder ---------------------------------------
c.JupyterHub.spawner_class = "jupyterhub.spawner.SimpleLocalProcessSpawner"
c.SimpleLocalProcessSpawner.home_dir_template = str(homes / "{username}")
c.Spawner.notebook_dir = "~"                  # the student's home: they see nothing else
c.Spawner.default_url = "/lab/tree/neuralsim/00_start_here.ipynb"
# The single-user server comes from the same environment as the hub (and neuralsim).
c.Spawner.cmd = [str(Path(sys.executable).with_name("jupyterhub-singleuser"))]
c.Spawner.args = [
    # No terminals: with this spawner a shell runs as the hub's Unix user, one click
    # from every other student's folder (notebook code can still reach them: see README).
    "--ServerApp.terminals_enabled=False",
    # Server extensions a student does not need (language servers, the Voila app):
    # each costs start-up time when 30 servers start at once.
    "--ServerApp.jpserver_extensions", "jupyter_lsp=False",
    "--ServerApp.jpserver_extensions", "voila.server_extension=False",
]
if os.getuid() == 0:  # lab machines and containers that run everything as root
    c.Spawner.args.append("--allow-root")
c.Spawner.start_timeout = 180                 # 30 servers starting at once on 2 cores
c.Spawner.http_timeout = 180


def _home(spawner) -> Path:
    return Path(spawner.home_dir)


# Keep every write inside the student's home: temporary files go to the home's
# .cache/tmp instead of /tmp, and Python never writes bytecode caches next to the
# installed package (it still reads the ones the installer compiled).
c.Spawner.environment = {
    "PYTHONDONTWRITEBYTECODE": "1",
    "TMPDIR": lambda spawner: str(_home(spawner) / ".cache" / "tmp"),
}


def copy_course(spawner):
    """Before a student's server starts: make their home and give them the notebooks.

    Existing copies are kept, so a student never loses their edits.
    """
    from neuralsim.notebooks_cli import copy_notebooks

    home = _home(spawner)
    (home / ".cache" / "tmp").mkdir(parents=True, exist_ok=True)
    try:
        written = copy_notebooks(home / "neuralsim")
    except FileNotFoundError as e:  # a checkout without notebooks: the server still starts
        (home / "neuralsim").mkdir(exist_ok=True)
        spawner.log.warning("neuralsim: %s", e)
    else:
        spawner.log.info("neuralsim: %d notebook(s) copied for %s", len(written), spawner.user.name)


c.Spawner.pre_spawn_hook = copy_course

# -- optional admin service for the load test ----------------------------------------------
service_token = os.environ.get("NEURALSIM_HUB_SERVICE_TOKEN")
if service_token:
    c.JupyterHub.services = [{"name": "neuralsim-loadtest", "api_token": service_token}]
    c.JupyterHub.load_roles = [{
        "name": "neuralsim-loadtest",
        "scopes": ["admin:users", "admin:servers", "tokens", "list:users", "read:users"],
        "services": ["neuralsim-loadtest"],
    }]
