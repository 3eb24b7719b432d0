"""Remove what a load or attack run of the hub left behind (``make hub-clean-test``; as root).

Only things of test runs: run folders named ``neuralsim-hub-load-*`` or ``neuralsim-hub-attack-*``
in /var/tmp, the Unix accounts whose home is inside one of them (the hub's comment
required), their processes (by uid), the mounts inside those folders (home and exchange images,
loop devices detach with them), the hub's empty cgroups, and the folders themselves. A real class's
accounts (homes elsewhere) and data are never touched; the service accounts ``nsgrader`` and
``nssandbox`` go only when no other account of the hub is left.
"""
from __future__ import annotations

import glob
import os
import pwd
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "deploy" / "jupyterhub"))
import neuralsim_hub as hub  # noqa: E402

PREFIXES = ("neuralsim-hub-load-", "neuralsim-hub-attack-")


def run_folders(tmp: str | None = None) -> list[Path]:
    tmp = tmp or "/var/tmp"     # where load_hub.py makes them (RUN_PARENT)
    return sorted(Path(p) for pre in PREFIXES for p in glob.glob(os.path.join(tmp, pre + "*")))


def _inside(path: str, folders) -> bool:
    real = os.path.realpath(path)
    return any(real == str(f) or real.startswith(str(f) + os.sep) for f in folders)


def kill_uid(uid: int) -> int:
    n = 0
    for d in Path("/proc").iterdir():
        if not d.name.isdigit():
            continue
        try:
            for line in (d / "status").read_text().splitlines():
                if line.startswith("Uid:"):
                    if int(line.split()[1]) == uid:
                        os.kill(int(d.name), signal.SIGKILL)
                        n += 1
                    break
        except (OSError, ValueError):
            pass
    return n


def teardown(folders=None, verbose=True) -> dict:
    folders = [Path(os.path.realpath(f)) for f in (run_folders() if folders is None else folders)]
    done = {"processes": 0, "accounts": [], "mounts": [], "folders": []}
    users = [p for p in pwd.getpwall() if p.pw_gecos == hub.USER_MARKER and _inside(p.pw_dir, folders)]
    for p in users:
        done["processes"] += kill_uid(p.pw_uid)
    cg = hub.Cgroups()
    if cg.available:
        for p in users:
            done["processes"] += cg.kill(p.pw_name, timeout=5)
    time.sleep(0.2 if users else 0)
    with open("/proc/self/mounts") as f:
        mounts = [line.split()[1] for line in f]
    for m in sorted((m for m in mounts if _inside(m, folders)), key=len, reverse=True):
        r = subprocess.run(["umount", "-l", m], capture_output=True, stdin=subprocess.DEVNULL)
        if r.returncode == 0:
            done["mounts"].append(m)
    for p in users:
        subprocess.run(["userdel", p.pw_name], capture_output=True, stdin=subprocess.DEVNULL)
        done["accounts"].append(p.pw_name)
    if not hub.hub_users(hub.USER_MARKER):
        for name in hub.hub_users(hub.GRADER_MARKER):
            kill_uid(pwd.getpwnam(name).pw_uid)
            subprocess.run(["userdel", name], capture_output=True, stdin=subprocess.DEVNULL)
            done["accounts"].append(name)
        if cg.available:
            cg.remove_all()
    for f in folders:
        shutil.rmtree(f, ignore_errors=True)
        done["folders"].append(str(f))
    if verbose:
        print(f"hub teardown: {done['processes']} process(es) killed, {len(done['mounts'])} mount(s) removed, "
              f"{len(done['accounts'])} account(s) deleted, {len(done['folders'])} run folder(s) removed")
    return done


if __name__ == "__main__":
    if os.getuid() != 0:
        sys.exit("hub_teardown: run as root")
    teardown()
