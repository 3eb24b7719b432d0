"""The logic behind ``jupyterhub_config.py``, standard library only (so it is unit-tested in ``make test``).

* :func:`parse_roster`: the teacher's class list (CSV) -> the allow list and the admins.
* :func:`check_bind`: refuses to listen beyond this machine without TLS.
* :func:`data_dir` / :func:`check_data_dir`: where the students' homes and the hub's state
  live (outside the repository, so ``make clean`` and ``git clean`` never reach them).
* :func:`ensure_unix_user` / :func:`ensure_home` / :func:`remove_unix_users`: one Unix account
  per student, made by the hub (which runs as root) and marked, so clean-up removes only those.
* :class:`Cgroups`: a memory, CPU and process limit per student, enforced by the kernel (cgroup v2
  or v1), and :meth:`Cgroups.kill`: every process of a student ends with their server.
* :class:`CpuFairness`: a student who keeps a core busy gets a low CPU weight until they stop.
* :func:`private_mounts`: a private ``/tmp`` and ``/dev/shm`` per student (a mount namespace).
* :class:`DiskImages`: a size-capped filesystem (a loop-mounted ext4 image) per home and for the exchange.
* :func:`safe_write` / :func:`safe_mkdir`: root writes into folders others can write without
  following a symlink (``O_NOFOLLOW`` on every component, ``fchown`` on the open file).
* :class:`LoginLimiter`: failed logins counted per client address and per (name, address), kept in
  a small SQLite file so ``hubctl.py unlock`` can lift a lock while the hub runs.
* :func:`check_ports`, :func:`hub_processes`, :func:`readable_by_others`: the proxy's ports, ``make
  clean``'s refusal while a hub runs, and the checkout (``.git`` included) closed to students.
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

__all__ = ["Roster", "RosterError", "parse_roster", "check_bind", "data_dir", "check_data_dir", "check_data_not_private",
           "parse_size", "reachable_by_all", "ensure_unix_user", "ensure_home", "remove_unix_users", "hub_users",
           "protect_teacher_material", "Cgroups", "GRADER", "GRADER_MARKER", "git_dirs", "client_address", "CpuFairness", "USER_MARKER", "private_mounts", "DiskImages",
           "safe_write", "safe_mkdir", "LoginLimiter", "HubLockError", "hold_hub_lock", "check_ports", "hub_processes", "readable_by_others",
           "teacher_step"]

#: GECOS comment of every Unix account the hub creates: clean-up removes only accounts carrying it.
USER_MARKER = "neuralsim-hub student"
#: The account nbgrader runs as for the teacher, and the comment the hub's own service accounts carry.
GRADER = "nsgrader"
GRADER_MARKER = "neuralsim-hub grader"
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


def check_data_not_private(data: Path) -> None:
    """Refuse a data folder under /tmp or /dev/shm: each student's server mounts its own empty one over
    the real folder (private mount namespace), so homes kept there would vanish from the students' view."""
    d = Path(os.path.realpath(data))
    for hidden in ("/tmp", "/dev/shm"):
        if d == Path(hidden) or Path(hidden) in d.parents:
            raise ValueError(f"the hub's data folder {str(data)!r} is under {hidden}, which every student's server "
                             "sees as a private, empty folder: choose another (default /var/lib/neuralsim-hub)")


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
    """A cgroup per student with a memory limit, a CPU quota and weight and a process limit, made by the hub (root).

    cgroup v2 (``/sys/fs/cgroup/cgroup.controllers``) or v1 (``memory``, ``cpu``, ``cpuacct``,
    ``pids`` and ``freezer`` hierarchies). Each student's group sits under the hub's own group, in a
    folder ``neuralsim-hub``. The student's server is moved into it before it drops root
    (:meth:`attach`, called in the child between fork and exec); its kernels and everything they
    start inherit it, ``setsid`` and double forks included, so :meth:`kill` ends all of it: on
    stop, and before each start (whatever a previous server left). Memory written to the
    student's private ``/tmp`` and ``/dev/shm`` (tmpfs) is charged to the group too. Over the
    memory limit the kernel's OOM killer ends the biggest process in that group only (their
    notebook kernel); at the process limit ``fork`` fails in that group only.

    ``folder`` (default ``$NEURALSIM_HUB_CGROUP``, else ``neuralsim-hub``) names the class's folder;
    its demoted and service groups are ``<folder>-low`` and ``<folder>-service``. A hub kills every
    group in its folder when it starts, so two hubs on one machine need two folders, and
    :func:`hold_hub_lock` refuses a second hub on a folder in use.
    """

    PERIOD_US = 100_000
    V1 = ("memory", "cpu", "cpuacct", "pids", "freezer")
    #: v1 ``cpu.shares`` of a student among the others of their group
    SHARES = 1024
    #: v1: the CPU group, beside the class's, that demoted students' processes are moved into. A
    #: weight lowered inside the class's group is not enough: that group weighs as ``weight_of``
    #: processes against everything else on the machine, and a demoted spinner uses all of it
    #: whenever the rest of the class is idle (three spinners can then take most of a 2-core
    #: machine from everything else on it).
    LOW = "neuralsim-hub-low"
    LOW_WEIGHT_OF = 1
    #: the default class folder; names allowed for ``folder``
    FOLDER = "neuralsim-hub"
    FOLDER_RE = re.compile(r"^[a-z][a-z0-9-]{0,47}$")

    def __init__(self, root: str = "/sys/fs/cgroup", proc_self: str = "/proc/self/cgroup", weight_of: int = 40,
                 folder: str | None = None):
        """``weight_of``: the class as a whole gets the CPU weight of that many ordinary processes.

        (A cgroup competes for CPU as ONE entity against the processes beside it: left at the
        default weight, 30 students together would get the share of a single process whenever
        other work runs on the machine.)
        """
        folder = folder if folder is not None else (os.environ.get("NEURALSIM_HUB_CGROUP") or self.FOLDER)
        if not isinstance(folder, str) or not self.FOLDER_RE.match(folder):
            raise ValueError(f"cgroup folder (NEURALSIM_HUB_CGROUP) {folder!r}: a lower-case letter, then at most "
                             "47 lower-case letters, digits or '-'")
        self.folder = folder
        # instance names shadow the class's defaults, so a second folder has groups of its own
        self.LOW, self.SERVICE = f"{folder}-low", f"{folder}-service"
        self.root = Path(root)
        self.weight_of = weight_of
        self.version = None
        self.base: dict[str, Path] = {}
        try:
            own = dict(self._parse_proc(Path(proc_self).read_text()))
        except OSError:
            return
        # a process already moved into one of these groups (the hub into its service group, what the
        # load test's client starts) places the class where the process came from, never inside
        own = {c: self._outside_own(path) for c, path in own.items()}
        if (self.root / "cgroup.controllers").exists() and "" in own:
            base = self.root / own[""].lstrip("/") / folder
            self.version, self.base = 2, {c: base for c in ("memory", "cpu", "pids")}
        elif (self.root / "memory").is_dir() and (self.root / "cpu").is_dir():
            self.version = 1
            self.base = {c: self.root / c / own.get(c, "/").lstrip("/") / folder
                         for c in self.V1 if (self.root / c).is_dir()}
        try:
            for b in set(self.base.values()):
                b.mkdir(exist_ok=True)
                if self.version == 2:
                    (b.parent / "cgroup.subtree_control").write_text("+memory +cpu +pids")
                    (b / "cgroup.subtree_control").write_text("+memory +cpu +pids")
                    (b / "cpu.weight").write_text(str(min(10000, 100 * weight_of)))
            if self.version == 1:
                (self.base["cpu"] / "cpu.shares").write_text(str(min(262144, 1024 * weight_of)))
                low = self.base["cpu"].parent / self.LOW
                low.mkdir(exist_ok=True)
                (low / "cpu.shares").write_text(str(1024 * self.LOW_WEIGHT_OF))
        except OSError:
            self.version, self.base = None, {}

    #: the load test's client's CPU group (benchmarks/load_hub.py)
    CLIENT = "neuralsim-hub-load-client"

    def _outside_own(self, path: str) -> str:
        parts = [x for x in path.split("/") if x]
        while parts and parts[-1] in (self.SERVICE, self.LOW, self.CLIENT, Cgroups.SERVICE, Cgroups.LOW):
            parts.pop()
        return "/" + "/".join(parts)

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

    def create(self, name: str, mem_bytes: int, cpus: float, pids: int = 512) -> None:
        """Make (or update) the group of student ``name``: memory limit in bytes, CPU limit in cores,
        at most ``pids`` processes and threads."""
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
            (p["cpu"] / "cpu.weight").write_text("100")
            (p["pids"] / "pids.max").write_text(str(pids))
        else:
            (p["memory"] / "memory.limit_in_bytes").write_text(str(mem_bytes))
            memsw = p["memory"] / "memory.memsw.limit_in_bytes"
            if memsw.exists():
                try:
                    memsw.write_text(str(mem_bytes))
                except OSError:
                    pass
            for d in (p["cpu"], self.low_dir(name)):       # the same quota wherever the student runs
                d.mkdir(exist_ok=True)
                (d / "cpu.cfs_period_us").write_text(str(self.PERIOD_US))
                (d / "cpu.cfs_quota_us").write_text(str(quota))
                (d / "cpu.shares").write_text(str(self.SHARES))
            if "pids" in p:
                (p["pids"] / "pids.max").write_text(str(pids))

    def low_dir(self, name: str) -> Path:
        """v1: student ``name``'s CPU group while demoted (in the low-weight group beside the class)."""
        return self.base["cpu"].parent / self.LOW / name

    def is_low(self, name: str) -> bool:
        try:
            return bool((self.low_dir(name) / "cgroup.procs").read_text().split())
        except (OSError, KeyError):
            return False

    #: the CPU group of the hub's own processes (hub, proxy, culler), beside the class's group
    SERVICE = "neuralsim-hub-service"

    def service_dir(self, name: str | None = None) -> Path:
        return self.base["cpu"].parent / (name or self.SERVICE)

    def join_service(self, pid: int, name: str | None = None) -> Path:
        """Move process ``pid`` (and what it starts later) into the CPU group ``name``, beside the
        class's group and of the same weight.

        Every slider message passes through the hub's proxy: left where it was, the proxy competes
        as ONE process against the class's group, which weighs as ``weight_of`` processes, so a
        student who keeps cores busy takes the CPU the proxy needs to serve everyone else."""
        d = self.service_dir(name)
        d.mkdir(exist_ok=True)
        if self.version == 2:
            (d / "cpu.weight").write_text(str(min(10000, 100 * self.weight_of)))
        else:
            (d / "cpu.shares").write_text(str(min(262144, 1024 * self.weight_of)))
        (d / "cgroup.procs").write_text(str(pid))
        return d

    def leave_service(self, pid: int, name: str | None = None) -> None:
        """Move ``pid`` back to the group above and remove the group ``name`` once it is empty."""
        d = self.service_dir(name)
        if not d.is_dir():
            return
        try:
            (d.parent / "cgroup.procs").write_text(str(pid))
        except OSError:
            pass
        try:
            d.rmdir()
        except OSError:
            pass

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
        """Every process of student ``name`` (any of the groups: a process moved out of one is still found)."""
        found = set()
        for d in self._dirs(name):
            try:
                found.update(int(x) for x in (d / "cgroup.procs").read_text().split())
            except OSError:
                pass
        return sorted(found)

    def _dirs(self, name: str) -> set[Path]:
        dirs = set(self.paths(name).values())
        if self.version == 1 and "cpu" in self.base:
            dirs.add(self.low_dir(name))
        return dirs

    def usage_ns(self, name: str) -> int | None:
        """CPU time used by student ``name``'s group so far, in nanoseconds (None without accounting)."""
        p = self.paths(name)
        try:
            if self.version == 2:
                for line in (p["cpu"] / "cpu.stat").read_text().splitlines():
                    if line.startswith("usage_usec "):
                        return int(line.split()[1]) * 1000
            elif "cpuacct" in p:
                return int((p["cpuacct"] / "cpuacct.usage").read_text())
        except OSError:
            pass
        return None

    def demand_ns(self, name: str) -> int | None:
        """CPU time used plus time spent waiting for a CPU (``/proc/<tid>/schedstat``), summed over
        the threads of student ``name`` now, in nanoseconds (None when the group is not there).

        What they asked for, whether or not they got it: on a busy machine a spinner gets less than
        half a core, so its usage alone does not tell it from a student working normally."""
        p = self.paths(name)
        files = [p["cpu"] / ("cgroup.threads" if self.version == 2 else "tasks")]
        if self.version == 1:
            files.append(self.low_dir(name) / "tasks")
        total, seen = 0, False
        for f in files:
            try:
                tids = f.read_text().split()
            except OSError:
                continue
            seen = True
            for tid in tids:
                try:
                    with open(f"/proc/{tid}/schedstat") as fh:
                        ran, waited = fh.read().split()[:2]
                    total += int(ran) + int(waited)
                except (OSError, ValueError):
                    pass
        return total if seen else None

    def set_low(self, name: str, low: bool) -> None:
        """Demote student ``name`` (``low``) or restore them. v1: their processes move to their group
        under :attr:`LOW` (weight of ``LOW_WEIGHT_OF`` processes for all demoted students together)
        or back; v2: their ``cpu.weight`` drops to 3 against 100 inside the class's group."""
        p = self.paths(name)
        if self.version == 2:
            (p["cpu"] / "cpu.weight").write_text("3" if low else "100")
            return
        src, dst = (p["cpu"], self.low_dir(name)) if low else (self.low_dir(name), p["cpu"])
        if not dst.is_dir():
            return
        # a process forked while we move its parent may land in the old group: read again
        for _ in range(20):
            try:
                left = [int(x) for x in (src / "cgroup.procs").read_text().split()]
            except OSError:
                return
            moved = 0
            for pid in left:
                try:
                    (dst / "cgroup.procs").write_text(str(pid))
                    moved += 1
                except OSError:      # gone meanwhile
                    pass
            if not moved:
                return

    def _freeze(self, name: str, frozen: bool) -> None:
        p = self.paths(name)
        try:
            if self.version == 2:
                (p["memory"] / "cgroup.freeze").write_text("1" if frozen else "0")
            elif "freezer" in p:
                (p["freezer"] / "freezer.state").write_text("FROZEN" if frozen else "THAWED")
        except OSError:
            pass

    def kill(self, name: str, timeout: float = 10.0) -> int:
        """End every process of student ``name`` (frozen first, so nothing forks away meanwhile) and
        remove their groups; return how many processes were killed."""
        import signal
        import time
        p = self.paths(name)
        if not any(d.exists() for d in p.values()):
            return 0
        if self.version == 2 and (p["memory"] / "cgroup.kill").exists():
            n = len(self.pids(name))
            (p["memory"] / "cgroup.kill").write_text("1")
        else:
            self._freeze(name, True)
            n, end = 0, time.monotonic() + timeout
            while time.monotonic() < end:
                left = self.pids(name)
                if not left:
                    break
                for pid in left:
                    try:
                        os.kill(pid, signal.SIGKILL)
                        n += 1
                    except ProcessLookupError:
                        pass
                self._freeze(name, False)   # a frozen process cannot die: thaw once they have SIGKILL pending
                time.sleep(0.05)
        end = time.monotonic() + timeout
        while self.pids(name) and time.monotonic() < end:
            time.sleep(0.05)
        self.remove(name)
        return n

    def names(self) -> list[str]:
        """Students that have a group now."""
        found = set()
        for b in set(self.base.values()):
            if b.is_dir():
                found.update(d.name for d in b.iterdir() if d.is_dir())
        return sorted(found)

    def remove(self, name: str) -> None:
        """Delete the student's group once it is empty (no-op while processes remain)."""
        for d in self._dirs(name):
            try:
                d.rmdir()
            except OSError:
                pass

    def remove_all(self) -> None:
        """Delete every empty student group, the ``neuralsim-hub`` folder itself and the empty group
        of the hub's own processes."""
        if "cpu" in self.base:
            low = self.base["cpu"].parent / self.LOW
            for d in [*(d for d in low.iterdir() if d.is_dir()), low] if low.is_dir() else []:
                try:
                    d.rmdir()
                except OSError:
                    pass
            try:
                self.service_dir().rmdir()
            except OSError:
                pass
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


class CpuFairness:
    """Low CPU weight for a student who keeps a core busy, the normal weight back once they stop.

    Each :meth:`step` (every ``every`` seconds) reads every student's CPU demand (time running
    or waiting for a CPU, :meth:`Cgroups.demand_ns`). A student whose threads asked for more than
    ``busy`` cores on average over the last ``window`` seconds is demoted
    (:meth:`Cgroups.set_low`: on v1 out of the class's heavy group into one that weighs as one
    process, so a waking neighbour, the hub's proxy and the rest of the machine get the core
    before the spinner does); one below ``idle``
    cores over the last ``window`` seconds gets the normal weight again. "Run all" of the slump
    notebook (about 1.5 CPU-seconds in a burst) stays under the threshold of a 10 s window; a
    ``while True: pass`` does not.
    """

    def __init__(self, cgroups: Cgroups, every: float = 1.0, window: float = 10.0, busy: float = 0.9,
                 idle: float = 0.25):
        self.cg, self.every, self.window, self.busy, self.idle = cgroups, every, window, busy, idle
        self.samples: dict[str, list[tuple[float, int]]] = {}
        self.low: set[str] = set()

    def decide(self, name: str, now: float, usage_ns: int) -> bool | None:
        """Record a sample; True: demote, False: restore, None: leave as is."""
        s = self.samples.setdefault(name, [])
        s.append((now, usage_ns))
        while len(s) > 2 and now - s[1][0] >= self.window:
            s.pop(0)
        if now - s[0][0] < self.window * 0.8:
            return None
        cores = (usage_ns - s[0][1]) / 1e9 / (now - s[0][0])
        if name not in self.low and cores > self.busy:
            return True
        if name in self.low and cores < self.idle:
            return False
        return None

    def step(self, now: float | None = None) -> None:
        import time
        now = time.monotonic() if now is None else now
        names = self.cg.names()
        for name in list(self.samples):
            if name not in names:
                self.samples.pop(name)
                self.low.discard(name)
        for name in names:
            usage = self.cg.demand_ns(name)
            if usage is None:
                continue
            verdict = self.decide(name, now, usage)
            if verdict is None:
                continue
            try:
                self.cg.set_low(name, verdict)
            except OSError:
                continue
            (self.low.add if verdict else self.low.discard)(name)

    def start(self):
        """Run :meth:`step` every ``every`` seconds on a daemon thread."""
        import threading
        import time

        def loop():
            while True:
                try:
                    self.step()
                except Exception:   # noqa: BLE001 - a vanished group must never stop the loop
                    pass
                time.sleep(self.every)
        t = threading.Thread(target=loop, name="neuralsim-cpu-fairness", daemon=True)
        t.start()
        return t


# ----------------------------------------------------------------------------- private /tmp and /dev/shm
_CLONE_NEWNS = 0x00020000
_MS_NOSUID, _MS_NODEV, _MS_REC, _MS_PRIVATE = 0x2, 0x4, 0x4000, 0x40000


def private_mounts(uid: int, gid: int, size: int, libc=None) -> None:
    """Give the calling process (and what it starts) a mount namespace of its own with an empty,
    size-capped tmpfs on ``/tmp`` and on ``/dev/shm``, owned by ``uid``:``gid``, mode 0700.

    Called as root in the student's server between fork and exec. The tmpfs pages are charged
    to the memory cgroup of the process that writes them (the student's), and the filesystems
    vanish with the last process of the namespace: nothing a student leaves in ``/dev/shm``
    survives their server. Raises OSError when the kernel refuses.
    """
    import ctypes
    libc = libc or ctypes.CDLL(None, use_errno=True)

    def check(rc, what):
        if rc != 0:
            e = ctypes.get_errno()
            raise OSError(e, f"{what}: {os.strerror(e)}")
    check(libc.unshare(_CLONE_NEWNS), "unshare(CLONE_NEWNS)")
    check(libc.mount(b"none", b"/", None, _MS_REC | _MS_PRIVATE, None), "mount --make-rprivate /")
    opts = f"size={int(size)},mode=0700,uid={int(uid)},gid={int(gid)}".encode()
    for target in (b"/tmp", b"/dev/shm"):
        check(libc.mount(b"tmpfs", target, b"tmpfs", _MS_NOSUID | _MS_NODEV, opts), f"mount tmpfs on {target.decode()}")


# ----------------------------------------------------------------------------- disk caps
class DiskImages:
    """A size-capped filesystem per student home (and one for the exchange): a sparse ext4 image
    file in ``images`` loop-mounted on the folder. A full home stops that student's writes only;
    the images live on their own filesystems, so the hub's database never shares their space."""

    def __init__(self, images: Path):
        self.images = Path(images)

    def image(self, name: str) -> Path:
        return self.images / f"{name}.ext4"

    @staticmethod
    def mounted(path: Path) -> bool:
        target = os.path.realpath(path)
        with open("/proc/self/mounts") as f:
            return any(line.split()[1] == target for line in f)

    def ensure(self, name: str, mountpoint: Path, size: int) -> bool:
        """Mount ``name``'s image (created with ``size`` bytes if missing) on ``mountpoint``; True if
        it is mounted now. The image's root folder is left for the caller to own and chmod."""
        mountpoint = Path(mountpoint)
        if self.mounted(mountpoint):
            return True
        self.images.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.chmod(self.images, 0o700)
        img = self.image(name)
        if not img.exists():
            with open(img, "wb") as f:
                f.truncate(int(size))
            subprocess.run(["mkfs.ext4", "-q", "-F", "-m", "0", "-E", "root_owner=0:0", str(img)], check=True,
                           capture_output=True, stdin=subprocess.DEVNULL)
        mountpoint.mkdir(mode=0o700, parents=True, exist_ok=True)
        # A student whose server started before this mount keeps, in its private mount namespace,
        # the folder under it: that folder must not be listable either.
        os.chmod(mountpoint, 0o700)
        r = subprocess.run(["mount", "-o", "loop,nosuid,nodev", str(img), str(mountpoint)], capture_output=True,
                           text=True, stdin=subprocess.DEVNULL)
        if r.returncode:
            raise OSError(f"could not mount {img} on {mountpoint}: {r.stderr.strip()}")
        lost = mountpoint / "lost+found"
        if lost.is_dir() and not lost.is_symlink():
            os.rmdir(lost)
        return True

    def release(self, mountpoint: Path) -> None:
        """Unmount (the loop device goes with it)."""
        if self.mounted(mountpoint):
            subprocess.run(["umount", str(mountpoint)], check=False, capture_output=True, stdin=subprocess.DEVNULL)


# ----------------------------------------------------------------------------- writes that never follow links
def _open_dir_nofollow(root: Path, parts) -> int:
    fd = os.open(root, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
    try:
        for part in parts:
            if part in ("", ".", ".."):
                raise PermissionError(f"refusing path component {part!r} below {root}")
            nfd = os.open(part, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=fd)
            os.close(fd)
            fd = nfd
    except BaseException:
        os.close(fd)
        raise
    return fd


def safe_mkdir(root: Path, rel: str, uid: int = -1, gid: int = -1, mode: int = 0o755) -> None:
    """Make each folder of ``rel`` below ``root`` (never through a symlink) owned by uid:gid."""
    parts = [p for p in Path(rel).parts]
    fd = _open_dir_nofollow(Path(root), [])
    try:
        for part in parts:
            if part in ("", ".", ".."):
                raise PermissionError(f"refusing path component {part!r} below {root}")
            try:
                os.mkdir(part, mode, dir_fd=fd)
            except FileExistsError:
                pass
            nfd = os.open(part, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=fd)
            os.close(fd)
            fd = nfd
            if os.getuid() == 0:
                os.fchown(fd, uid, gid)
            os.fchmod(fd, mode)
    finally:
        os.close(fd)


def safe_write(root: Path, rel: str, data: bytes, uid: int = -1, gid: int = -1, mode: int = 0o644) -> None:
    """Write ``data`` to ``root/rel`` as a new file owned by uid:gid, without following any symlink.

    Every folder on the way is opened with ``O_NOFOLLOW`` (a symlinked folder raises OSError
    ELOOP/ENOTDIR); the file is created under a fresh name with ``O_EXCL | O_NOFOLLOW``, owned
    with ``fchown`` on the open descriptor and renamed over the old name (a symlink planted there
    is replaced, never written through).
    """
    import secrets
    rel = Path(rel)
    dfd = _open_dir_nofollow(Path(root), rel.parts[:-1])
    tmp = f".{rel.name}.{secrets.token_hex(6)}.tmp"
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, mode, dir_fd=dfd)
        try:
            if os.getuid() == 0:
                os.fchown(fd, uid, gid)
            os.fchmod(fd, mode)
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
            os.fsync(fd)
        finally:
            os.close(fd)
        os.rename(tmp, rel.name, src_dir_fd=dfd, dst_dir_fd=dfd)
    except BaseException:
        try:
            os.unlink(tmp, dir_fd=dfd)
        except OSError:
            pass
        raise
    finally:
        os.close(dfd)


def teacher_step(argv, **kwargs) -> subprocess.CompletedProcess:
    """Run a child of a teacher's step: stdin closed and a session of its own, so it can neither
    read the teacher's terminal nor push input into it (TIOCSTI needs a controlling terminal)."""
    kwargs.setdefault("capture_output", True)
    kwargs.setdefault("text", True)
    return subprocess.run(argv, stdin=subprocess.DEVNULL, start_new_session=True, **kwargs)


# ----------------------------------------------------------------------------- logins
class LoginLimiter:
    """Failed logins, counted before any password is checked, in a SQLite file.

    * per client address: ``per_address`` failures within ``window`` seconds block that address
      for ``window`` seconds (a spray over many names from one machine);
    * per (user name, address): ``per_name`` failures lock that name *for that address* for
      ``lock`` seconds (guessing one password), so nobody elsewhere can lock the teacher out.

    Unknown names are counted like real ones (the answer never says which names exist).
    ``hubctl.py unlock`` (``make hub-unlock``) clears a name, an address or everything.
    """

    def __init__(self, path, per_address: int = 20, per_name: int = 5, window: float = 300.0,
                 lock: float = 120.0, clock=None):
        import sqlite3
        import time
        self.path, self.per_address, self.per_name, self.window, self.lock = path, per_address, per_name, window, lock
        self.clock = clock or time.time
        self.db = sqlite3.connect(str(path), timeout=5, isolation_level=None, check_same_thread=False)
        self.db.execute("CREATE TABLE IF NOT EXISTS failure (name TEXT, address TEXT, at REAL)")
        self.db.execute("CREATE INDEX IF NOT EXISTS failure_address ON failure (address, at)")
        if os.path.exists(path):
            os.chmod(path, 0o600)

    def _count(self, where, args, since):
        return self.db.execute(f"SELECT COUNT(*), MAX(at) FROM failure WHERE {where} AND at > ?",
                               (*args, since)).fetchone()

    def blocked(self, name: str, address: str) -> float:
        """Seconds until ``name`` may try again from ``address`` (0: may try now)."""
        now = self.clock()
        n, last = self._count("address = ?", (address,), now - self.window)
        if n >= self.per_address:
            return last + self.window - now
        n, last = self._count("name = ? AND address = ?", (name, address), now - self.lock)
        if n >= self.per_name:
            return last + self.lock - now
        return 0.0

    def failed(self, name: str, address: str) -> None:
        now = self.clock()
        self.db.execute("INSERT INTO failure VALUES (?, ?, ?)", (name, address, now))
        self.db.execute("DELETE FROM failure WHERE at < ?", (now - max(self.window, self.lock),))

    def succeeded(self, name: str, address: str) -> None:
        self.db.execute("DELETE FROM failure WHERE name = ? AND address = ?", (name, address))

    def unlock(self, name: str | None = None, address: str | None = None) -> int:
        """Forget failures of ``name`` and/or from ``address`` (both None: all); return how many."""
        if name is None and address is None:
            return self.db.execute("DELETE FROM failure").rowcount
        if name is not None and address is not None:
            return self.db.execute("DELETE FROM failure WHERE name = ? AND address = ?", (name, address)).rowcount
        if name is not None:
            return self.db.execute("DELETE FROM failure WHERE name = ?", (name,)).rowcount
        return self.db.execute("DELETE FROM failure WHERE address = ?", (address,)).rowcount


def client_address(peer: str, forwarded_for: str | None, proxies=("127.0.0.1", "::1")) -> str:
    """The address a login came from: the last entry of ``X-Forwarded-For`` when the connection came
    from the hub's own proxy (which appends the real peer), else the peer itself. ``X-Real-Ip`` and
    earlier ``X-Forwarded-For`` entries are the client's to invent and never used.

    >>> client_address("127.0.0.1", "6.6.6.6, 10.0.0.7")
    '10.0.0.7'
    >>> client_address("10.0.0.9", "127.0.0.1")
    '10.0.0.9'
    """
    if peer in proxies and forwarded_for:
        last = forwarded_for.split(",")[-1].strip()
        try:
            return str(ipaddress.ip_address(last.removeprefix("::ffff:")))
        except ValueError:
            return peer
    return peer


# ----------------------------------------------------------------------------- one hub per class folder
class HubLockError(RuntimeError):
    """Another hub holds the class folder's lock; the message names its pid and what to do."""


def hold_hub_lock(folder: str, run_dir: str = "/run") -> int:
    """Take the machine-wide lock of cgroup class folder ``folder`` for this process's lifetime.

    A hub kills every student group in its folder when it starts (whatever a previous hub left):
    a second hub on the same folder would end the running hub's students. The lock is an
    ``flock`` on ``<run_dir>/<folder>.lock`` (``/run`` is root's: opened with ``O_NOFOLLOW``,
    never through a link someone else placed), released by the kernel when the hub exits, so a
    crashed hub leaves no stale lock. Returns the open descriptor (keep it open);
    raises :class:`HubLockError` if another process holds it.
    """
    import fcntl

    if not Cgroups.FOLDER_RE.match(folder):
        raise ValueError(f"cgroup folder {folder!r}: a lower-case letter, then lower-case letters, digits or '-'")
    path = Path(run_dir) / f"{folder}.lock"
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise HubLockError(f"{path} is not a regular file: remove it and start the hub again")
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 32, 0).decode(errors="replace").strip() or "unknown"
            raise HubLockError(
                f"another hub (pid {holder}) runs with the students' cgroup folder {folder!r}; starting a second "
                f"one would end its students' servers. Stop it first, or give this hub a folder of its own "
                f"(NEURALSIM_HUB_CGROUP=<name>) and its own port and data folder.") from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        return fd
    except BaseException:
        os.close(fd)
        raise


# ----------------------------------------------------------------------------- ports, running hubs, the checkout
def check_ports(ip: str, ports, unprivileged_start: int | None = None) -> None:
    """Refuse ports a student could take (at or above the first unprivileged port) and ports in use.

    A student's process that outlived a restart must never be able to hold the hub's public
    port, its proxy's API or the hub itself (it would receive the login form's passwords), and
    the hub must never report "running" while its proxy failed to bind.
    """
    import socket
    if unprivileged_start is None:
        try:
            unprivileged_start = int(Path("/proc/sys/net/ipv4/ip_unprivileged_port_start").read_text())
        except (OSError, ValueError):
            unprivileged_start = 1024
    for port in ports:
        if not 0 < int(port) < unprivileged_start:
            raise ValueError(f"port {port}: any account may listen on ports {unprivileged_start}-65535, so a "
                             f"student's process could take it; use ports 1-{unprivileged_start - 1} "
                             "(NEURALSIM_HUB_PORT, default 800: public 800, proxy API 801, hub 802)")
    for port in ports:
        for host in {ip or "0.0.0.0", "127.0.0.1"}:
            fam = socket.AF_INET6 if ":" in host else socket.AF_INET
            s = socket.socket(fam, socket.SOCK_STREAM)
            try:
                s.bind((host, int(port)))
            except OSError as e:
                raise ValueError(f"port {port} on {host} is in use ({e.strerror}): refusing to start, as the "
                                 "proxy could not listen there (find the process with `ss -ltnp`)") from None
            finally:
                s.close()


def hub_processes(repository: Path, proc: Path = Path("/proc")) -> list[int]:
    """Pids of JupyterHubs started with this repository's configuration or from its ``.venv-hub``
    (``make clean`` refuses while any runs: it would delete the environment the hub runs from)."""
    repository = Path(os.path.realpath(repository))
    config = str(repository / "deploy" / "jupyterhub" / "jupyterhub_config.py")
    venv = repository / ".venv-hub"
    found = []
    for d in proc.iterdir() if proc.is_dir() else []:
        if not d.name.isdigit():
            continue
        try:
            words = [a.decode(errors="replace") for a in (d / "cmdline").read_bytes().split(b"\0") if a]
            cwd = os.readlink(d / "cwd")
        except OSError:
            continue
        if not any(os.path.basename(w).startswith("jupyterhub") for w in words[:2]):
            continue
        paths = [os.path.realpath(os.path.join(cwd, w)) for w in words]
        if config in paths or any(Path(p) == venv or venv in Path(p).parents for p in paths[:2]):
            found.append(int(d.name))
    return found


def readable_by_others(path) -> bool:
    """True when an account other than the owner (and root) could reach ``path``'s contents: it and
    every folder above it are o+x (or g+x), and it is o+r or g+r (folders) / readable (files)."""
    real = Path(os.path.realpath(path))
    try:
        st = os.stat(real)
        if not st.st_mode & 0o044:
            return False
        return all(os.stat(d).st_mode & 0o011 for d in real.parents)
    except OSError:
        return False


def git_dirs(repository: Path) -> list[Path]:
    """The checkout's git folders: ``.git`` itself, and for a worktree the folder its ``.git`` file names
    and that folder's common git directory."""
    repository = Path(repository)
    dotgit = repository / ".git"
    out = []
    if dotgit.is_dir():
        out.append(dotgit)
    elif dotgit.is_file():
        text = dotgit.read_text(errors="replace").strip()
        if text.startswith("gitdir:"):
            g = (repository / text[7:].strip()).resolve()
            out.append(g)
            common = g / "commondir"
            if common.is_file():
                out.append((g / common.read_text().strip()).resolve())
    return out


if __name__ == "__main__":   # `make clean`: python3 neuralsim_hub.py refuse-if-running <checkout>
    import sys
    if len(sys.argv) == 3 and sys.argv[1] == "refuse-if-running":
        running = hub_processes(Path(sys.argv[2]))
        if running:
            sys.exit(f"a hub started from this checkout is running (pid {', '.join(map(str, running))}): "
                     "stop it first; `make clean` would delete the environment its login page runs from")
    else:
        sys.exit("usage: neuralsim_hub.py refuse-if-running CHECKOUT")
