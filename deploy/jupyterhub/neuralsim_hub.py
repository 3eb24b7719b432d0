"""The logic behind ``jupyterhub_config.py``, standard library only (so it is unit-tested in ``make test``).

* :func:`parse_roster`: the teacher's class list (CSV) -> the allow list and the admins.
* :func:`check_bind`: refuses to listen beyond this machine without TLS.
* :func:`data_dir` / :func:`check_data_dir`: where the students' homes and the hub's state
  live (outside the repository, so ``make clean`` and ``git clean`` never reach them).
* :func:`ensure_unix_user` / :func:`ensure_home` / :func:`remove_unix_users`: one Unix account
  per student, made by the hub (which runs as root) and marked, so clean-up removes only those.
* :class:`Cgroups`: a memory and CPU limit per student, enforced by the kernel (cgroup v2 or v1).
"""
from __future__ import annotations

import csv
import ipaddress
import os
import pwd
import re
import stat
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["Roster", "RosterError", "parse_roster", "check_bind", "data_dir", "check_data_dir",
           "parse_size", "reachable_by_all", "ensure_unix_user", "ensure_home", "remove_unix_users", "hub_users",
           "protect_teacher_material", "Cgroups", "USER_MARKER"]

#: GECOS comment of every Unix account the hub creates: clean-up removes only accounts carrying it.
USER_MARKER = "neuralsim-hub student"
#: User names: lower-case letter first, then lower-case letters, digits, '-' or '_' (at most 32: useradd's limit).
USERNAME_RE = re.compile(r"^[a-z][a-z0-9_-]{0,31}$")
#: Never a student: names of system accounts a roster must not claim.
RESERVED = frozenset({"root", "daemon", "bin", "sys", "sync", "games", "man", "lp", "mail", "news", "uucp",
                      "proxy", "www-data", "backup", "list", "irc", "nobody", "systemd-network", "sshd",
                      "messagebus", "admin", "jupyterhub", "jovyan", "nbgrader"})
ROLES = ("student", "teacher")


class RosterError(ValueError):
    """A roster line that cannot be used; the message names the file, the line and the value."""


@dataclass
class Roster:
    """The class: user names of the students and of the teachers (the hub's admins), in file order."""

    students: list[str] = field(default_factory=list)
    teachers: list[str] = field(default_factory=list)

    @property
    def users(self) -> list[str]:
        return self.teachers + self.students


def parse_roster(path) -> Roster:
    """Read the teacher's roster: a CSV file with a header line ``username`` (and optionally ``role``).

    ``role`` is ``student`` (the default when the column or the cell is empty) or ``teacher``.
    User names are lower-case (``USERNAME_RE``), unique, and not a system account name
    (``RESERVED``). Blank lines and lines starting with ``#`` are skipped. Raises
    :class:`RosterError` (a ValueError) naming the line for anything else, and when no
    teacher or no student is listed.

    >>> import tempfile, os
    >>> p = os.path.join(tempfile.mkdtemp(), "class.csv")
    >>> _ = open(p, "w").write("username,role\\nmsmith,teacher\\nalex,\\nalex2,student\\n")
    >>> parse_roster(p)
    Roster(students=['alex', 'alex2'], teachers=['msmith'])
    """
    path = Path(path)
    text = path.read_text(encoding="utf-8-sig")
    lines = [(n, line) for n, line in enumerate(text.splitlines(), start=1)
             if line.strip() and not line.lstrip().startswith("#")]
    if not lines:
        raise RosterError(f"{path}: empty roster (expected a header line 'username,role')")
    header_n, header = lines[0]
    columns = [c.strip().lower() for c in next(csv.reader([header]))]
    if "username" not in columns:
        raise RosterError(f"{path}, line {header_n}: the header must name a 'username' column, got {header!r}")
    unknown = set(columns) - {"username", "role", ""}
    if unknown:
        raise RosterError(f"{path}, line {header_n}: unknown column(s) {sorted(unknown)}; allowed: username, role")
    roster, seen = Roster(), {}
    for n, line in lines[1:]:
        cells = [c.strip() for c in next(csv.reader([line]))]
        row = dict(zip(columns, cells + [""] * (len(columns) - len(cells))))
        if len(cells) > len(columns):
            raise RosterError(f"{path}, line {n}: {len(cells)} cells for {len(columns)} columns in {line!r}")
        name, role = row["username"], (row.get("role") or "student").lower()
        if not USERNAME_RE.match(name):
            raise RosterError(f"{path}, line {n}: user name {name!r} is not allowed: use 1 to 32 lower-case "
                              "letters, digits, '-' or '_', starting with a letter (e.g. 'alex.k' -> 'alexk')")
        if name in RESERVED:
            raise RosterError(f"{path}, line {n}: {name!r} is a system account name; choose another user name")
        if role not in ROLES:
            raise RosterError(f"{path}, line {n}: role {role!r} for {name!r}; allowed: student, teacher")
        if name in seen:
            raise RosterError(f"{path}, line {n}: {name!r} is listed twice (first on line {seen[name]}); "
                              "two students need two different user names")
        seen[name] = n
        (roster.teachers if role == "teacher" else roster.students).append(name)
    if not roster.teachers:
        raise RosterError(f"{path}: no teacher (role 'teacher'): the hub needs an admin")
    if not roster.students:
        raise RosterError(f"{path}: no student listed")
    return roster


def check_bind(ip: str, ssl_cert: str | None = None, ssl_key: str | None = None) -> None:
    """Refuse to listen on anything but loopback without TLS (passwords would cross the network in clear).

    ``ip`` is the address to listen on ("" or "0.0.0.0" = every interface). With TLS both
    ``ssl_cert`` and ``ssl_key`` must name readable files. Raises ValueError otherwise.

    >>> check_bind("127.0.0.1")
    >>> check_bind("0.0.0.0")
    Traceback (most recent call last):
    ...
    ValueError: refusing to listen on 0.0.0.0 (beyond this machine) without TLS: set NEURALSIM_HUB_SSL_CERT and NEURALSIM_HUB_SSL_KEY to the certificate and key files, or listen on 127.0.0.1 behind a reverse proxy that terminates TLS
    """
    shown = ip or "0.0.0.0"
    try:
        loopback = bool(ip) and ipaddress.ip_address(ip).is_loopback
    except ValueError:
        loopback = ip == "localhost"
    if loopback:
        return
    if not ssl_cert or not ssl_key:
        raise ValueError(f"refusing to listen on {shown} (beyond this machine) without TLS: set "
                         "NEURALSIM_HUB_SSL_CERT and NEURALSIM_HUB_SSL_KEY to the certificate and key files, "
                         "or listen on 127.0.0.1 behind a reverse proxy that terminates TLS")
    for what, f in (("certificate", ssl_cert), ("key", ssl_key)):
        if not os.path.isfile(f) or not os.access(f, os.R_OK):
            raise ValueError(f"TLS {what} file {f!r} does not exist or is not readable")


def data_dir(environ=None, uid: int | None = None) -> Path:
    """Where the hub keeps students' homes and its own state.

    ``NEURALSIM_HUB_DATA`` if set; otherwise ``/var/lib/neuralsim-hub`` for root and
    ``$XDG_DATA_HOME/neuralsim-hub`` (``~/.local/share/neuralsim-hub``) for anyone else.

    >>> str(data_dir({}, uid=0))
    '/var/lib/neuralsim-hub'
    >>> str(data_dir({"XDG_DATA_HOME": "/home/t/.data"}, uid=1000))
    '/home/t/.data/neuralsim-hub'
    """
    environ = os.environ if environ is None else environ
    uid = os.getuid() if uid is None else uid
    if environ.get("NEURALSIM_HUB_DATA"):
        return Path(environ["NEURALSIM_HUB_DATA"]).expanduser().absolute()
    if uid == 0:
        return Path("/var/lib/neuralsim-hub")
    xdg = environ.get("XDG_DATA_HOME") or os.path.join(os.path.expanduser("~"), ".local", "share")
    return Path(xdg) / "neuralsim-hub"


def check_data_dir(data: Path, repository: Path) -> None:
    """Refuse a data folder inside the repository (``make clean``/``git clean -fdx`` would delete it) or holding it."""
    d, r = Path(os.path.realpath(data)), Path(os.path.realpath(repository))
    if d == r or r in d.parents:
        raise ValueError(f"the hub's data folder {str(data)!r} is inside the repository {str(r)!r}, where "
                         "'make clean' or 'git clean' could delete the students' work: choose a folder outside it "
                         "(NEURALSIM_HUB_DATA, default /var/lib/neuralsim-hub)")
    if d in r.parents:
        raise ValueError(f"the hub's data folder {str(data)!r} contains the repository {str(r)!r}: choose another")


_SIZE = {"": 1, "K": 2**10, "M": 2**20, "G": 2**30, "T": 2**40}


def parse_size(text) -> int:
    """Bytes from ``"1G"``, ``"512M"``, ``"300000000"`` (binary units, as JupyterHub's mem_limit).

    >>> parse_size("1G"), parse_size("512M"), parse_size(4096)
    (1073741824, 536870912, 4096)
    """
    if isinstance(text, int):
        return text
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([KMGT]?)i?B?\s*", str(text), re.IGNORECASE)
    if not m:
        raise ValueError(f"memory size {text!r}: use a number of bytes or e.g. '512M', '1G'")
    return int(float(m.group(1)) * _SIZE[m.group(2).upper()])


# ----------------------------------------------------------------------------- accounts and homes
def hub_users(marker: str = USER_MARKER) -> list[str]:
    """Unix accounts created by the hub (their GECOS comment is ``marker``)."""
    return sorted(p.pw_name for p in pwd.getpwall() if p.pw_gecos == marker)


def ensure_unix_user(name: str, home: Path, marker: str = USER_MARKER) -> pwd.struct_passwd:
    """The Unix account ``name`` (created with its own group, no password, home ``home``; needs root).

    An account that exists already must carry ``marker``: the hub never takes over an
    account it did not make (``root``, a teacher's own login, a service account).
    """
    if not USERNAME_RE.match(name) or name in RESERVED:
        raise ValueError(f"user name {name!r} is not allowed for a student account")
    try:
        pw = pwd.getpwnam(name)
    except KeyError:
        subprocess.run(["useradd", "--no-create-home", "--home-dir", str(home), "--shell", "/bin/bash",
                        "--comment", marker, "--user-group", name], check=True, capture_output=True)
        pw = pwd.getpwnam(name)
    if pw.pw_gecos != marker:
        raise PermissionError(f"Unix account {name!r} exists and was not made by the hub: refusing to use it "
                              "for a student (rename the student in the roster)")
    if pw.pw_uid == 0 or pw.pw_gid == 0:
        raise PermissionError(f"Unix account {name!r} has uid or gid 0: refusing")
    return pw


def ensure_home(home: Path, uid: int, gid: int) -> None:
    """Make ``home`` (mode 0700, owned by uid:gid); refuse one that is a symlink or owned by someone else."""
    home = Path(home)
    try:
        os.mkdir(home, 0o700)
        os.chown(home, uid, gid)
    except FileExistsError:
        pass
    st = os.lstat(home)
    if stat.S_ISLNK(st.st_mode) or not stat.S_ISDIR(st.st_mode):
        raise PermissionError(f"student home {str(home)!r} is not a plain folder: refusing")
    if st.st_uid != uid:
        raise PermissionError(f"student home {str(home)!r} belongs to uid {st.st_uid}, not {uid}: refusing")
    os.chmod(home, 0o700)


def remove_unix_users(names, marker: str = USER_MARKER) -> list[str]:
    """Delete the Unix accounts among ``names`` that the hub made (homes are kept); return those removed."""
    removed = []
    for name in names:
        try:
            pw = pwd.getpwnam(name)
        except KeyError:
            continue
        if pw.pw_gecos != marker:
            continue
        subprocess.run(["userdel", name], check=True, capture_output=True)
        removed.append(name)
    return removed


def reachable_by_all(path) -> bool:
    """True when anyone may run ``path``: the file (symlinks resolved) and every folder above it are o+x.

    (A virtual environment made from a Python under ``/root`` fails this: students could not start it.)
    """
    real = Path(os.path.realpath(path))
    try:
        if not os.stat(real).st_mode & 0o001:
            return False
        return all(os.stat(d).st_mode & 0o001 for d in real.parents)
    except OSError:
        return False


def protect_teacher_material(paths) -> list[str]:
    """Make each existing path readable by its owner only (teacher solutions); return the paths changed."""
    changed = []
    for p in paths:
        p = Path(p)
        if p.exists() and os.stat(p).st_mode & 0o077:
            os.chmod(p, 0o700 if p.is_dir() else 0o600)
            changed.append(str(p))
    return changed


# ----------------------------------------------------------------------------- limits
class Cgroups:
    """A cgroup per student with a memory limit and a CPU quota, made by the hub (root).

    cgroup v2 (``/sys/fs/cgroup/cgroup.controllers``) or v1 (``memory`` and ``cpu``
    hierarchies). Each student's group sits under the hub's own group, in a folder
    ``neuralsim-hub``. The student's server is moved into it before it drops root
    (:meth:`attach`, called in the child between fork and exec); its kernels inherit it.
    When a student's processes together go over the memory limit, the kernel's OOM killer
    ends the biggest one in that group only (their notebook kernel): JupyterLab then says
    the kernel died and restarts it; nobody else is touched. The CPU quota caps a student at
    ``cpu`` cores however many processes they start.
    """

    PERIOD_US = 100_000

    def __init__(self, root: str = "/sys/fs/cgroup", proc_self: str = "/proc/self/cgroup", weight_of: int = 40):
        """``weight_of``: the class as a whole gets the CPU weight of that many ordinary processes.

        (A cgroup competes for CPU as ONE entity against the processes beside it: left at the
        default weight, 30 students together would get the share of a single process whenever
        other work runs on the machine.)
        """
        self.root = Path(root)
        self.version = None
        self.base: dict[str, Path] = {}
        try:
            own = dict(self._parse_proc(Path(proc_self).read_text()))
        except OSError:
            return
        if (self.root / "cgroup.controllers").exists() and "" in own:
            base = self.root / own[""].lstrip("/") / "neuralsim-hub"
            self.version, self.base = 2, {"memory": base, "cpu": base}
        elif (self.root / "memory").is_dir() and (self.root / "cpu").is_dir():
            self.version = 1
            self.base = {c: self.root / c / own.get(c, "/").lstrip("/") / "neuralsim-hub" for c in ("memory", "cpu")}
        try:
            for b in set(self.base.values()):
                b.mkdir(exist_ok=True)
                if self.version == 2:
                    (b.parent / "cgroup.subtree_control").write_text("+memory +cpu")
                    (b / "cgroup.subtree_control").write_text("+memory +cpu")
                    (b / "cpu.weight").write_text(str(min(10000, 100 * weight_of)))
            if self.version == 1:
                (self.base["cpu"] / "cpu.shares").write_text(str(min(262144, 1024 * weight_of)))
        except OSError:
            self.version, self.base = None, {}

    @staticmethod
    def _parse_proc(text):
        for line in text.splitlines():
            _, controllers, path = line.split(":", 2)
            for c in controllers.split(",") if controllers else [""]:
                yield c, path

    @property
    def available(self) -> bool:
        return self.version is not None

    def paths(self, name: str) -> dict[str, Path]:
        return {c: b / name for c, b in self.base.items()}

    def create(self, name: str, mem_bytes: int, cpus: float) -> None:
        """Make (or update) the group of student ``name``: memory limit in bytes, CPU limit in cores."""
        quota = max(1000, int(cpus * self.PERIOD_US))
        p = self.paths(name)
        for d in set(p.values()):
            d.mkdir(exist_ok=True)
        if self.version == 2:
            (p["memory"] / "memory.max").write_text(str(mem_bytes))
            swap = p["memory"] / "memory.swap.max"
            if swap.exists():
                swap.write_text("0")
            (p["cpu"] / "cpu.max").write_text(f"{quota} {self.PERIOD_US}")
        else:
            (p["memory"] / "memory.limit_in_bytes").write_text(str(mem_bytes))
            memsw = p["memory"] / "memory.memsw.limit_in_bytes"
            if memsw.exists():
                try:
                    memsw.write_text(str(mem_bytes))
                except OSError:
                    pass
            (p["cpu"] / "cpu.cfs_period_us").write_text(str(self.PERIOD_US))
            (p["cpu"] / "cpu.cfs_quota_us").write_text(str(quota))

    def procs_files(self, name: str) -> list[str]:
        return sorted({str(d / "cgroup.procs") for d in self.paths(name).values()})

    @staticmethod
    def attach(procs_files) -> None:
        """Move the calling process into the groups (safe between fork and exec: plain writes)."""
        for f in procs_files:
            fd = os.open(f, os.O_WRONLY)
            try:
                os.write(fd, str(os.getpid()).encode())
            finally:
                os.close(fd)

    def oom_kills(self, name: str) -> int:
        """How many processes of student ``name`` the OOM killer has ended in this group."""
        d = self.paths(name)["memory"]
        f = d / ("memory.events" if self.version == 2 else "memory.oom_control")
        try:
            for line in f.read_text().splitlines():
                k, _, v = line.partition(" ")
                if k == "oom_kill":
                    return int(v)
        except OSError:
            pass
        return 0

    def pids(self, name: str) -> list[int]:
        try:
            return [int(x) for x in (self.paths(name)["memory"] / "cgroup.procs").read_text().split()]
        except OSError:
            return []

    def remove(self, name: str) -> None:
        """Delete the student's group once it is empty (no-op while processes remain)."""
        for d in set(self.paths(name).values()):
            try:
                d.rmdir()
            except OSError:
                pass

    def remove_all(self) -> None:
        """Delete every empty student group and the ``neuralsim-hub`` folder itself."""
        for b in set(self.base.values()):
            for d in b.iterdir() if b.is_dir() else []:
                if d.is_dir():
                    try:
                        d.rmdir()
                    except OSError:
                        pass
            try:
                b.rmdir()
            except OSError:
                pass
