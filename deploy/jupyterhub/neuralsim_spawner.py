"""The hub's spawner and authenticator for a neuralsim class on one machine (imported by jupyterhub_config.py).

NeuralsimSpawner: LocalProcessSpawner that makes the student's Unix account and home (a
size-capped filesystem of its own), kills whatever a previous server of theirs left, puts the
new server into a cgroup with their memory, CPU and process limits and into a mount namespace
with a private /tmp and /dev/shm before it drops root, copies the notebooks *as the student*
(so a symlink planted in the home reaches only what the student could reach anyway; the copy
also refuses symlinks), and on stop kills the whole cgroup (``setsid`` and double forks included).

RosterAuthenticator: NativeAuthenticator (bcrypt passwords in the hub's database, password
change page) restricted to the roster: nobody outside it can sign up, and nobody is approved
just by signing up first. Logins are limited per client address and per (name, address) before
any password is checked (``neuralsim_hub.LoginLimiter``), bcrypt runs on a thread pool off the
hub's event loop, and an unknown name costs the same bcrypt as a real one.
"""
from __future__ import annotations

import asyncio
import os
import resource
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import bcrypt
from tornado import web

from jupyterhub.spawner import LocalProcessSpawner
from nativeauthenticator import NativeAuthenticator
from nativeauthenticator import handlers as _native_handlers
from nativeauthenticator.orm import UserInfo
from traitlets import Bool, Float, Integer, List, Unicode

from neuralsim_hub import (Cgroups, CpuFairness, DiskImages, LoginLimiter, client_address, ensure_home,
                           ensure_unix_user, private_mounts, protect_teacher_material)

_CGROUPS: Cgroups | None = None
_FAIRNESS: CpuFairness | None = None


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


class _LoginHandler(_native_handlers.LoginHandler):
    """nativeauthenticator's login page without its second password check after a failed login.

    That check (to say "not authorized yet") runs bcrypt again, on the hub's event loop, and only
    for names that have an account: a failed login of a real name then took twice as long as one
    of an unknown name (the class list readable by timing) and held every other request meanwhile.
    Every account on the roster is authorized when its password is issued, so each failure says
    the same."""

    async def post(self):
        data = {arg: self.get_argument(arg, strip=False) for arg in self.request.arguments}
        user = await self.login_user(data)
        if user:
            self._jupyterhub_user = user
            self.redirect(self.get_next_url(user))
            return
        html = await self._render(login_error="Invalid username or password.", username=data.get("username"))
        self.finish(html)


def _weak_password_message(auth, whose: str) -> str:
    n = auth.minimum_password_length
    return (f"Something went wrong!\nBe sure {whose} has at least {n} characters and is not too common." if n > 0
            else f"Something went wrong!\nBe sure {whose} is not too common.")


async def _set_password(auth, name: str, new_password: str) -> bool:
    """nativeauthenticator's ``change_password`` with its bcrypt on the login pool, off the event loop."""
    info = auth.get_user(name)
    if info is None or not auth.is_password_strong(new_password):
        return False
    info.password = await asyncio.get_running_loop().run_in_executor(
        auth._pool, bcrypt.hashpw, new_password.encode("utf-8"), bcrypt.gensalt())
    auth.db.commit()
    return True


class _ChangePasswordHandler(_native_handlers.ChangePasswordHandler):
    """/hub/change-password with bcrypt off the hub's event loop, and wrong current passwords counted.

    nativeauthenticator checks the current password and hashes the new one on the event loop (about
    a quarter of a second each): a logged-in student posting the form in a loop held every login,
    spawn and API call of the class. A wrong current password counts as a failed login of that name
    from that address (:class:`LoginLimiter`), so the form is no way around the login's lock."""

    @web.authenticated
    async def post(self):
        auth = self.authenticator
        user = await self.get_current_user()
        old = self.get_body_argument("old_password", strip=False)
        new = self.get_body_argument("new_password", strip=False)
        confirmation = self.get_body_argument("new_password_confirmation", strip=False)
        address = auth.address_of(self)
        alert = "alert-danger"
        if auth.limiter.blocked(user.name, address) > 0:
            message = "Too many wrong passwords. Wait a few minutes, then try again."
        else:
            info = auth.get_user(user.name)
            stored = info.password if info is not None and info.password else auth._DUMMY
            ok = await asyncio.get_running_loop().run_in_executor(
                auth._pool, bcrypt.checkpw, old.encode("utf-8"), stored)
            if not ok:
                auth.limiter.failed(user.name, address)
                message = "Your current password was incorrect. Please try again."
            elif new != confirmation:
                message = "Your new password didn't match the confirmation. Please try again."
            elif await _set_password(auth, user.name, new):
                alert, message = "alert-success", "Your password has been changed successfully!"
            else:
                message = _weak_password_message(auth, "your new password")
        html = await self.render_template("change-password.html", user_name=user.name,
                                          result_message=message, alert=alert)
        self.finish(html)


class _ChangePasswordAdminHandler(_native_handlers.ChangePasswordAdminHandler):
    """The teacher's /hub/change-password/<name>, its bcrypt off the hub's event loop."""

    @_native_handlers.admin_users_scope
    async def post(self, user_name):
        auth = self.authenticator
        new = self.get_body_argument("new_password", strip=False)
        confirmation = self.get_body_argument("new_password_confirmation", strip=False)
        alert = "alert-danger"
        if new != confirmation:
            message = "The new password didn't match the confirmation. Please try again."
        elif await _set_password(auth, user_name, new):
            alert, message = "alert-success", f"The password for {user_name} has been changed successfully"
        else:
            message = _weak_password_message(auth, f"the new password for {user_name}")
        html = await self.render_template("change-password-admin.html", user_name=user_name,
                                          result_message=message, alert=alert)
        self.finish(html)


_HANDLERS = {_native_handlers.LoginHandler: _LoginHandler,
             _native_handlers.ChangePasswordHandler: _ChangePasswordHandler,
             _native_handlers.ChangePasswordAdminHandler: _ChangePasswordAdminHandler}


def cgroups() -> Cgroups:
    global _CGROUPS, _FAIRNESS
    if _CGROUPS is None:
        _CGROUPS = Cgroups()
        if _CGROUPS.available:
            _FAIRNESS = CpuFairness(_CGROUPS)
            _FAIRNESS.start()
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

    disk_images = Unicode("", config=True, help="folder of the homes' ext4 images ('' = no disk cap)")
    disk_size = Integer(1 << 30, config=True, help="bytes of each student's home filesystem")
    pids_limit = Integer(256, config=True, help="processes and threads per student")
    private_tmp = Bool(True, config=True, help="a private /tmp and /dev/shm per student (mount namespace)")
    tmp_size = Integer(512 << 20, config=True, help="bytes of each private /tmp and of /dev/shm (memory, counted in the limit)")

    async def start(self):
        name = self.user.name
        changed = protect_teacher_material(self.teacher_paths)
        if changed:
            self.log.warning("neuralsim: teacher material was readable by others, now owner-only: %s", changed)
        cg = cgroups()
        if cg.available:
            left = cg.kill(name)   # whatever a previous server left (setsid, nohup, double fork)
            if left:
                self.log.warning("neuralsim: killed %d leftover process(es) of %s before starting", left, name)
        pw = ensure_unix_user(name, self.home)
        if self.disk_images:
            await asyncio.to_thread(DiskImages(Path(self.disk_images)).ensure, name, self.home, self.disk_size)
            st = os.lstat(self.home)
            if st.st_uid == 0 and not os.listdir(self.home):
                os.chown(self.home, pw.pw_uid, pw.pw_gid)   # a fresh image: its root folder becomes the home
        ensure_home(self.home, pw.pw_uid, pw.pw_gid)
        await self._as_student(pw, "/bin/mkdir", "-p", "--", str(self.home / ".cache"))
        await self._as_student(pw, self.course_python, "-I", self.notebooks_cli,
                               str(self.home / "neuralsim"), "--within", str(self.home))
        if cg.available:
            cg.create(name, self.mem_limit or 2**62, self.cpu_limit or 1024.0, self.pids_limit)
        elif self.mem_limit:
            self.log.warning("neuralsim: no writable cgroups: memory limit per process (RLIMIT_AS) only")
        self._pw = pw
        return await super().start()

    def make_preexec_fn(self, name):
        drop_root = super().make_preexec_fn(name)
        cg = cgroups()
        files = cg.procs_files(name) if cg.available else []
        as_limit = None if files or not self.mem_limit else int(self.mem_limit)
        pw = self._pw
        private, tmp_size, nproc = self.private_tmp, self.tmp_size, self.pids_limit

        def preexec():
            if files:
                Cgroups.attach(files)        # still root here: join the student's cgroup
            elif as_limit:
                resource.setrlimit(resource.RLIMIT_AS, (as_limit, as_limit))
            resource.setrlimit(resource.RLIMIT_NPROC, (nproc, nproc))
            if private:
                private_mounts(pw.pw_uid, pw.pw_gid, tmp_size)
            drop_root()
        return preexec

    async def stop(self, now=False):
        await super().stop(now=now)
        cg = cgroups()
        if cg.available:
            n = await asyncio.to_thread(cg.kill, self.user.name)
            if n:
                self.log.info("neuralsim: killed %d process(es) %s left when their server stopped", n, self.user.name)

    async def poll(self):
        """When the server is gone, so is everything it left (a kernel's ``setsid`` child included)."""
        status = await super().poll()
        cg = cgroups()
        if status is not None and cg.available and cg.pids(self.user.name):
            n = await asyncio.to_thread(cg.kill, self.user.name)
            self.log.warning("neuralsim: %s's server ended; killed %d process(es) it left", self.user.name, n)
        return status


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

    def get_handlers(self, app):
        return [(url, _HANDLERS.get(h, h)) for url, h in super().get_handlers(app)]

    limiter_db = Unicode("", config=True, help="SQLite file of failed logins (LoginLimiter)")
    per_address = Integer(20, config=True, help="failed logins from one address before it waits")
    address_window = Float(300.0, config=True, help="seconds an address's failures count")
    _pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="neuralsim-bcrypt")
    #: checked for names with no password, so an unknown name takes as long as a real one
    _DUMMY = bcrypt.hashpw(b"not anyone's password", bcrypt.gensalt())
    _limiter = None

    @property
    def limiter(self) -> LoginLimiter:
        if self._limiter is None:
            type(self)._limiter = LoginLimiter(self.limiter_db or ":memory:", per_address=self.per_address,
                                               per_name=self.allowed_failed_logins or 5,
                                               window=self.address_window, lock=self.seconds_before_next_try)
        return self._limiter

    @staticmethod
    def address_of(handler) -> str:
        ctx = handler.request.connection.context
        peer = getattr(ctx, "_orig_remote_ip", None) or getattr(ctx, "remote_ip", None) or "?"
        return client_address(peer, handler.request.headers.get("X-Forwarded-For"))

    async def authenticate(self, handler, data):
        username = self.normalize_username(data.get("username", ""))
        password = str(data.get("password", ""))
        address = self.address_of(handler)
        wait = self.limiter.blocked(username, address)
        if wait > 0:
            self.log.warning("neuralsim: login for %r from %s refused without checking: %.0f s to wait",
                             username, address, wait)
            return None
        user = self.get_user(username)
        stored = user.password if user is not None and user.password else self._DUMMY
        ok = await asyncio.get_running_loop().run_in_executor(
            self._pool, bcrypt.checkpw, password.encode("utf-8"), stored)
        if ok and user is not None and user.is_authorized and (
                not user.has_2fa or user.is_valid_token(data.get("2fa"))):
            self.limiter.succeeded(username, address)
            return username
        self.limiter.failed(username, address)
        return None


__all__ = ["NeuralsimSpawner", "RosterAuthenticator", "cgroups"]
