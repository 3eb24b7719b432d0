"""The hub's spawner and authenticator for a neuralsim class on one machine (imported by jupyterhub_config.py).

NeuralsimSpawner: LocalProcessSpawner that makes the student's Unix account and home,
puts their server into a cgroup with their memory and CPU limits before it drops root,
and copies the notebooks *as the student* (so a symlink planted in the home reaches only
what the student could reach anyway; the copy also refuses symlinks).

RosterAuthenticator: NativeAuthenticator (bcrypt passwords in the hub's database, login
lockout after failed tries, password change page) restricted to the roster: nobody
outside it can sign up, and nobody is approved just by signing up first.
"""
from __future__ import annotations

import asyncio
import resource
from pathlib import Path

from jupyterhub.spawner import LocalProcessSpawner
from nativeauthenticator import NativeAuthenticator
from nativeauthenticator import handlers as _native_handlers
from nativeauthenticator.orm import UserInfo
from traitlets import List, Unicode

from neuralsim_hub import Cgroups, ensure_home, ensure_unix_user, protect_teacher_material

_CGROUPS: Cgroups | None = None


class _NoStatsd:
    """nativeauthenticator 1.3.0's login handler still times logins with ``self.statsd``, which
    JupyterHub 6 removed (every login was an HTTP 500): a timer that does nothing."""

    def timer(self, *args, **kwargs):
        return self

    def start(self):
        return self

    def stop(self, *args, **kwargs):
        pass


if not hasattr(_native_handlers.LoginHandler, "statsd"):
    _native_handlers.LoginHandler.statsd = _NoStatsd()


def cgroups() -> Cgroups:
    global _CGROUPS
    if _CGROUPS is None:
        _CGROUPS = Cgroups()
    return _CGROUPS


class NeuralsimSpawner(LocalProcessSpawner):
    homes = Unicode(config=True, help="folder holding one home per student (outside the repository)")
    course_python = Unicode(config=True, help="python of the read-only course environment")
    notebooks_cli = Unicode(config=True, help="neuralsim/notebooks_cli.py inside the course environment")
    teacher_paths = List(Unicode(), config=True,
                         help="teacher material in the checkout: made owner-only before every start "
                              "(so material moved or added while the hub runs is covered too)")

    @property
    def home(self) -> Path:
        return Path(self.homes) / self.user.name

    async def _as_student(self, pw, *cmd):
        proc = await asyncio.create_subprocess_exec(
            *cmd, user=pw.pw_uid, group=pw.pw_gid, extra_groups=[], cwd=str(self.home),
            env={"HOME": str(self.home), "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"},
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
        out, _ = await proc.communicate()
        if proc.returncode:
            self.log.warning("neuralsim: %s for %s: %s", cmd[0], self.user.name, out.decode(errors="replace")[-500:])
        return proc.returncode

    async def start(self):
        name = self.user.name
        changed = protect_teacher_material(self.teacher_paths)
        if changed:
            self.log.warning("neuralsim: teacher material was readable by others, now owner-only: %s", changed)
        pw = ensure_unix_user(name, self.home)
        ensure_home(self.home, pw.pw_uid, pw.pw_gid)
        await self._as_student(pw, "/bin/mkdir", "-p", "--", str(self.home / ".cache" / "tmp"))
        await self._as_student(pw, self.course_python, "-I", self.notebooks_cli,
                               str(self.home / "neuralsim"), "--within", str(self.home))
        cg = cgroups()
        if cg.available and (self.mem_limit or self.cpu_limit):
            cg.create(name, self.mem_limit or 2**62, self.cpu_limit or 1024.0)
        elif self.mem_limit:
            self.log.warning("neuralsim: no writable cgroups: memory limit per process (RLIMIT_AS) only")
        return await super().start()

    def make_preexec_fn(self, name):
        drop_root = super().make_preexec_fn(name)
        cg = cgroups()
        files = cg.procs_files(name) if cg.available and (self.mem_limit or self.cpu_limit) else []
        as_limit = None if files or not self.mem_limit else int(self.mem_limit)

        def preexec():
            if files:
                Cgroups.attach(files)        # still root here: join the student's cgroup
            elif as_limit:
                resource.setrlimit(resource.RLIMIT_AS, (as_limit, as_limit))
            drop_root()
        return preexec

    async def stop(self, now=False):
        await super().stop(now=now)
        cgroups().remove(self.user.name)


class RosterAuthenticator(NativeAuthenticator):
    """Sign-up only for user names on the roster, and never approved by signing up alone."""

    def get_authed_users(self):
        # NativeAuthenticator approves a sign-up at once when the name is on the allow list or an
        # admin: then whoever signs up first as 'alex' (or as the teacher) owns the account.
        return {u.username for u in UserInfo.all_users(self.db) if u.is_authorized}

    def create_user(self, username, password, **kwargs):
        name = self.normalize_username(username)
        if name not in (self.allowed_users | self.admin_users):
            return None
        return super().create_user(username, password, **kwargs)


__all__ = ["NeuralsimSpawner", "RosterAuthenticator", "cgroups"]
