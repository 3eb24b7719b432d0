"""Grading a submission as untrusted code (standard library only, so ``make test`` covers it).

nbgrader's autograde runs the student's notebook *and* the locked test cells in one kernel, as
the account that owns the course: a submission can replace ``neuralsim.teaching.exercises.check``, read
the solutions and the gradebook, and leave a process behind. Here grading has two steps:

1. :func:`run_answers` executes the submission's code cells in a throwaway bubblewrap sandbox as
   the unprivileged account ``nssandbox`` (not the grader, not the student): no network, its
   own pid namespace (everything it started dies with it), a private ``/tmp``, only ``/usr`` and
   the read-only course environment visible (no course folder, no solutions, no gradebook, no
   other submission, no home), CPU, memory, file-size and process limits and a wall-clock
   timeout. The only thing that leaves the sandbox is the JSON value of each ``answer_<i>``.
2. :func:`check_answers` checks those values with ``neuralsim.teaching.exercises.check`` in a fresh
   process of the root-owned course environment that never ran the submission's code, so no
   patch the submission made can reach the checker.

:func:`submission_owner_problem` refuses a submission whose files do not belong to the student it
names (``nbgrader submit --student someone-else``).
"""
from __future__ import annotations

import json
import os
import pwd
import resource
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["Limits", "SANDBOX_USER", "sandbox_argv", "run_answers", "check_answers", "grade_notebook",
           "submission_owner_problem", "Grade"]

#: The account sandboxes run as: owns nothing, in no group of anyone's.
SANDBOX_USER = "nssandbox"
#: Largest answer document read back from a sandbox (answers are a number or a short list).
MAX_OUTPUT = 64 * 1024

# Runs inside the sandbox: every code cell of the submission in one namespace (errors are
# recorded and the next cell runs, as a student's "run all" with errors allowed would), then the
# answers as JSON on the file descriptor given as argv[2]; anything not JSON-able is dropped.
RUNNER = r'''
import json, os, sys, traceback
fd = int(sys.argv[2])
out = os.fdopen(fd, "w")
os.set_inheritable(fd, False)
nb = json.load(open(sys.argv[1], encoding="utf-8"))
names = json.loads(sys.argv[3])
ns = {"__name__": "__main__"}
errors = []
for i, cell in enumerate(nb.get("cells", [])):
    if cell.get("cell_type") != "code":
        continue
    src = cell.get("source", "")
    src = "".join(src) if isinstance(src, list) else str(src)
    if "get_ipython" in src or src.lstrip().startswith(("!", "%")):
        errors.append(f"cell {i}: shell and magic commands are not run when grading")
        continue
    try:
        exec(compile(src, f"<cell {i}>", "exec"), ns)
    except BaseException as e:
        errors.append(f"cell {i}: {type(e).__name__}: {e}"[:300])
answers = {}
for n in names:
    if n in ns:
        try:
            answers[n] = json.loads(json.dumps(ns[n], allow_nan=False))
        except (TypeError, ValueError):
            errors.append(f"{n}: not a plain value (number, text, list)")
# What a submission did that an honest one never does goes into the teacher's report: the sandbox
# already made it harmless (fresh checker process, pid namespace killed), but the teacher should know.
swapped = sorted(k for k, m in list(sys.modules.items())
                 if (k == "neuralsim" or k.startswith("neuralsim.")) and not isinstance(m, type(sys)))
if swapped:
    errors.insert(0, f"replaced modules {', '.join(swapped)} (ignored: answers are checked in a fresh process)")
me = {os.getpid(), os.getppid(), 1}
others = [p for p in os.listdir("/proc") if p.isdigit() and int(p) not in me]
if others:
    errors.insert(0, f"left {len(others)} process(es) running (ended with the sandbox)")
json.dump({"answers": answers, "errors": errors[:20]}, out)
out.close()
'''


@dataclass(frozen=True)
class Limits:
    """Limits of one sandbox: seconds of CPU and of wall clock, bytes of address space and of any one
    file written, number of processes of the sandbox account, open files."""

    cpu_s: int = 60
    wall_s: float = 120.0
    address_space: int = 3 * 2**30
    file_size: int = 16 * 2**20
    processes: int = 64
    open_files: int = 256


def _root_links():
    """bwrap arguments for /bin, /lib, /lib64, /sbin: symlinks into /usr on merged-/usr systems, else read-only binds."""
    args = []
    for top in ("bin", "lib", "lib64", "lib32", "sbin"):
        p = Path("/") / top
        if p.is_symlink():
            args += ["--symlink", os.readlink(p), str(p)]
        elif p.is_dir():
            args += ["--ro-bind", str(p), str(p)]
    return args


def sandbox_argv(work: Path, course_env: Path, argv, bwrap: str = "bwrap") -> list[str]:
    """The bubblewrap command that runs ``argv`` with ``work`` (read-write, the only writable folder
    besides a private /tmp) as its current folder and ``course_env`` read-only; nothing else of the
    machine's files but /usr is visible (no /etc, /home, /var, no course folder); no network."""
    course_env = Path(os.path.realpath(course_env))
    return [bwrap, "--unshare-all", "--die-with-parent", "--new-session",
            "--ro-bind", "/usr", "/usr", *_root_links(),
            "--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp",   # before the binds: one may lie below /tmp
            "--ro-bind", str(course_env), str(course_env),
            "--bind", str(work), "/work", "--chdir", "/work",
            "--setenv", "HOME", "/work", "--setenv", "PATH", f"{course_env}/bin:/usr/bin:/bin",
            "--setenv", "PYTHONDONTWRITEBYTECODE", "1", "--setenv", "MPLBACKEND", "Agg",
            "--unsetenv", "JUPYTERHUB_API_TOKEN",
            "--", *argv]


def _limiter(limits: Limits):
    def preexec():
        for res, value in ((resource.RLIMIT_CPU, limits.cpu_s), (resource.RLIMIT_AS, limits.address_space),
                           (resource.RLIMIT_FSIZE, limits.file_size), (resource.RLIMIT_NPROC, limits.processes),
                           (resource.RLIMIT_NOFILE, limits.open_files), (resource.RLIMIT_CORE, 0)):
            resource.setrlimit(res, (value, value))
    return preexec


def _account(user):
    if user is None:
        return None
    return pwd.getpwnam(user) if isinstance(user, str) else pwd.getpwuid(user)


def run_answers(notebook: Path, names, course_env: Path, *, user=SANDBOX_USER, limits: Limits = Limits(),
                scratch: Path | None = None, bwrap: str = "bwrap") -> dict:
    """Execute the submission ``notebook`` in a sandbox and return ``{"answers": {...}, "errors": [...]}``.

    ``user``: the account the sandbox runs as (a name or uid; ``None`` = the caller, for tests run
    without root). The notebook is copied into a fresh folder first, so the sandbox never sees the
    course folder it came from. Raises TimeoutError when the sandbox outlives ``limits.wall_s``.
    """
    pw = _account(user)
    work_parent = Path(tempfile.mkdtemp(prefix="neuralsim-grade-", dir=scratch))
    try:
        work = work_parent / "work"
        work.mkdir(mode=0o700)
        data = _read_regular(notebook, limit=8 * 2**20)
        (work / "submission.ipynb").write_bytes(data)
        (work / "runner.py").write_text(RUNNER)
        if pw is not None and os.getuid() == 0:
            os.chown(work_parent, pw.pw_uid, pw.pw_gid)
            for p in (work, work / "submission.ipynb", work / "runner.py"):
                os.chown(p, pw.pw_uid, pw.pw_gid)
        python = str(Path(course_env) / "bin" / "python")
        r, w = os.pipe()
        argv = sandbox_argv(work, course_env, [python, "-I", "/work/runner.py", "/work/submission.ipynb",
                                               str(w), json.dumps(list(names))], bwrap=bwrap)
        kwargs = {}
        if pw is not None and os.getuid() == 0:
            kwargs = {"user": pw.pw_uid, "group": pw.pw_gid, "extra_groups": []}
        errfile = open(work_parent / "stderr", "w+b")
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                stderr=errfile, pass_fds=(w,), start_new_session=True,
                                preexec_fn=_limiter(limits), cwd="/", env={"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"},
                                **kwargs)
        os.close(w)
        try:
            out = _read_bounded(r, proc, limits.wall_s)
        finally:
            os.close(r)
            _kill_group(proc)
        try:
            doc = json.loads(out.decode("utf-8")) if out else {}
        except ValueError:
            doc = {}
        answers = doc.get("answers") if isinstance(doc.get("answers"), dict) else {}
        errors = [str(e)[:300] for e in doc.get("errors", [])][:20] if isinstance(doc.get("errors"), list) else []
        if not out:
            errfile.seek(0)
            err = errfile.read(4000).decode(errors="replace")
            errors.append(f"the sandbox gave no answers (exit {proc.returncode}): {err.strip()[-300:]}")
        errfile.close()
        return {"answers": {n: answers[n] for n in names if n in answers}, "errors": errors}
    finally:
        shutil.rmtree(work_parent, ignore_errors=True)


def _read_regular(path: Path, limit: int) -> bytes:
    """The bytes of a regular file opened without following a symlink, at most ``limit``."""
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise ValueError(f"submission {str(path)!r} is not a regular file")
        data = os.read(fd, limit + 1)
    finally:
        os.close(fd)
    if len(data) > limit:
        raise ValueError(f"submission {str(path)!r} is larger than {limit} bytes")
    return data


def _read_bounded(fd: int, proc: subprocess.Popen, wall_s: float) -> bytes:
    import selectors
    import time
    sel = selectors.DefaultSelector()
    sel.register(fd, selectors.EVENT_READ)
    end, chunks, size = time.monotonic() + wall_s, [], 0
    while True:
        left = end - time.monotonic()
        if left <= 0:
            raise TimeoutError(f"grading sandbox still running after {wall_s} s: killed")
        if not sel.select(timeout=min(left, 1.0)):
            continue
        chunk = os.read(fd, 65536)
        if not chunk:
            break
        size += len(chunk)
        if size > MAX_OUTPUT:
            return b""
        chunks.append(chunk)
    proc.wait(timeout=max(1.0, end - time.monotonic()))
    return b"".join(chunks)


def _kill_group(proc: subprocess.Popen) -> None:
    """The sandbox's session is killed whatever happened (bwrap's pid namespace takes everything
    the submission started with it)."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        pass


CHECKER = r'''
import json, sys
try:
    from neuralsim.teaching.exercises import check
except ImportError:
    from neuralsim.exercises import check
doc = json.load(sys.stdin)
out = {}
for key, name in doc["questions"]:
    if name not in doc["answers"]:
        out[name] = [False, "no answer"]
        continue
    try:
        r = check(key, doc["answers"][name])
        out[name] = [bool(r.correct), str(r.message)[:300]]
    except Exception as e:
        out[name] = [False, f"{type(e).__name__}: {e}"[:300]]
json.dump(out, sys.stdout)
'''


def check_answers(answers: dict, questions, course_env: Path, *, user=SANDBOX_USER, timeout: float = 60) -> dict:
    """``{answer_name: (correct, message)}``: ``questions`` are (exercise key, answer name) pairs, checked
    by ``neuralsim.teaching.exercises.check`` in a fresh process of the course environment (isolated mode, no
    user site, started from ``/``) that never ran the submission's code."""
    pw = _account(user)
    kwargs = {"user": pw.pw_uid, "group": pw.pw_gid, "extra_groups": []} if pw is not None and os.getuid() == 0 else {}
    doc = json.dumps({"answers": answers, "questions": [list(q) for q in questions]})
    r = subprocess.run([str(Path(course_env) / "bin" / "python"), "-I", "-c", CHECKER], input=doc,
                       capture_output=True, text=True, timeout=timeout, cwd="/", start_new_session=True,
                       env={"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "MPLBACKEND": "Agg"}, **kwargs)
    if r.returncode:
        raise RuntimeError(f"the checker failed: {r.stderr.strip()[-500:]}")
    return {k: (bool(v[0]), v[1]) for k, v in json.loads(r.stdout).items()}


@dataclass
class Grade:
    """One submission's result: points per answer, the messages, and the sandbox's errors."""

    student: str
    score: int
    max_score: int
    results: dict = field(default_factory=dict)
    errors: list = field(default_factory=list)
    refused: str = ""


def grade_notebook(student: str, notebook: Path, questions, course_env: Path, *, user=SANDBOX_USER,
                   limits: Limits = Limits(), scratch: Path | None = None) -> Grade:
    """Grade one submission: answers from the sandbox, checked outside it; a timeout scores 0."""
    names = [name for _, name in questions]
    try:
        ran = run_answers(notebook, names, course_env, user=user, limits=limits, scratch=scratch)
    except (TimeoutError, ValueError, OSError) as e:
        return Grade(student, 0, len(questions), {}, [str(e)])
    results = check_answers(ran["answers"], questions, course_env, user=user)
    return Grade(student, sum(ok for ok, _ in results.values()), len(questions), results, ran["errors"])


def submission_owner_problem(folder: Path, student: str, uid_of=None) -> str:
    """Why the submission ``folder`` cannot be accepted as ``student``'s ("" when it can).

    Every entry (the folder and each file in it, not following symlinks) must be owned by the
    Unix account of ``student``; symlinks and anything but regular files and folders are refused.
    ``uid_of`` maps a user name to a uid (default: the system's accounts).
    """
    uid_of = uid_of or (lambda n: pwd.getpwnam(n).pw_uid)
    try:
        want = uid_of(student)
    except KeyError:
        return f"no Unix account {student!r}: refused"
    todo = [Path(folder)]
    while todo:
        p = todo.pop()
        st = os.lstat(p)
        if stat.S_ISLNK(st.st_mode):
            return f"{p} is a symlink: refused"
        if st.st_uid != want:
            try:
                owner = pwd.getpwuid(st.st_uid).pw_name
            except KeyError:
                owner = str(st.st_uid)
            return f"{p} belongs to {owner!r}, not to {student!r}: refused (a submission in someone else's name?)"
        if stat.S_ISDIR(st.st_mode):
            todo.extend(Path(p) / n for n in os.listdir(p))
        elif not stat.S_ISREG(st.st_mode):
            return f"{p} is not a regular file: refused"
    return ""


if __name__ == "__main__":   # pragma: no cover - manual use: grade one notebook as the caller
    q = json.loads(sys.argv[3])
    print(grade_notebook("?", Path(sys.argv[1]), q, Path(sys.argv[2]), user=None))
