"""The teacher's commands for the class hub (run as root, with the same NEURALSIM_HUB_* settings as the hub).

    hubctl.py passwords [--out FILE]    a one-time password for each roster name without one, listed in FILE
                                        (mode 0600; default <data>/hub-passwords.csv, outside the repository)
    hubctl.py set-passwords FILE        passwords from a CSV 'username,password' (e.g. chosen with the students)
    hubctl.py release                   build the assignment from neuralsim.teaching.exercises, release it to the class
    hubctl.py collect                   collect the students' submissions
    hubctl.py grade                     autograde them and print the grade table (also course/grades.csv)
    hubctl.py unlock [--name N] [--address A]   lift login locks (all of them without options)
    hubctl.py remove-users [NAME ...]   delete Unix accounts the hub made (all, or the named ones); homes stay

nbgrader (release, the gradebook) runs as the unprivileged account ``nsgrader`` with stdin closed,
in a session of its own, with settings only from a root-owned folder. Collecting refuses a
submission whose files are not the named student's; grading runs each submission's code in a
bubblewrap sandbox as ``nssandbox`` and checks the answers in a fresh process
(``neuralsim_sandbox.py``). Root writes into the course folder never follow a symlink.
"""
from __future__ import annotations

import argparse
import csv
import json
import os
import pwd
import secrets
import stat
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from neuralsim_hub import (GRADER, GRADER_MARKER, USER_MARKER, LoginLimiter, data_dir, ensure_unix_user, hub_users,  # noqa: E402
                           parse_roster, remove_unix_users, safe_mkdir, safe_write, teacher_step)
from neuralsim_sandbox import SANDBOX_USER, Limits, grade_notebook, submission_owner_problem  # noqa: E402

COURSE_ID = "neuralsim"
ASSIGNMENT = "ps1"
#: The assignment: exercises of neuralsim.teaching.exercises and the teacher's solution (checked with
#: neuralsim.teaching.exercises.check when the assignment is built, so a wrong solution never ships).
QUESTIONS = [
    ("ham_neck_40", "0"),
    ("ham_joints", "['hip_flexion', 'knee_flexion']"),
]


def course_env() -> Path:
    return Path(os.environ.get("NEURALSIM_HUB_ENV", "/opt/neuralsim-hub/env"))


# ----------------------------------------------------------------------------- passwords
def _db_session(data: Path):
    from nativeauthenticator.orm import UserInfo
    from sqlalchemy import create_engine
    from sqlalchemy.orm import Session

    db = data / "state" / "jupyterhub.sqlite"
    if not db.exists():
        sys.exit(f"no hub database at {db}: start the hub once first (make hub)")
    engine = create_engine(f"sqlite:///{db}")
    UserInfo.__table__.create(engine, checkfirst=True)
    return Session(engine), UserInfo


def set_passwords(pairs, data: Path, replace: bool = True) -> list[str]:
    """Store bcrypt hashes for (username, password) pairs in the hub database (approved accounts)."""
    import bcrypt

    session, UserInfo = _db_session(data)
    done = []
    for name, password in pairs:
        if len(password) < 8:
            raise ValueError(f"password for {name!r} is shorter than 8 characters")
        row = session.query(UserInfo).filter(UserInfo.username == name).first()
        if row is not None and not replace:
            continue
        hashed = bcrypt.hashpw(password.encode(), bcrypt.gensalt())
        if row is None:
            session.add(UserInfo(username=name, password=hashed, is_authorized=True))
        else:
            row.password, row.is_authorized = hashed, True
        done.append(name)
    session.commit()
    return done


def cmd_passwords(args):
    roster = parse_roster(os.environ["NEURALSIM_HUB_ROSTER"])
    session, UserInfo = _db_session(data_dir())
    have = {u.username for u in session.query(UserInfo).all()}
    new = [(n, secrets.token_urlsafe(9)) for n in roster.users if n not in have]
    set_passwords(new, data_dir(), replace=False)
    args.out = args.out or str(data_dir() / "hub-passwords.csv")
    fd = os.open(args.out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["username", "password"])
        w.writerows(new)
    print(f"{len(new)} new password(s) in {args.out} (mode 0600); {len(have)} account(s) kept theirs. "
          "Students change theirs at /hub/change-password.")


def cmd_set_passwords(args):
    with open(args.file, newline="") as f:
        pairs = [(r["username"].strip(), r["password"]) for r in csv.DictReader(f)]
    allowed = set(parse_roster(os.environ["NEURALSIM_HUB_ROSTER"]).users)
    unknown = [n for n, _ in pairs if n not in allowed]
    if unknown:
        sys.exit(f"not on the roster: {unknown}")
    print(f"set {len(set_passwords(pairs, data_dir()))} password(s)")


# ----------------------------------------------------------------------------- nbgrader
def assignment_notebook() -> dict:
    """The nbgrader source notebook: per exercise its question, a solution cell and a locked test cell."""
    from neuralsim.teaching.exercises import ask, check

    cells = [_md("intro", "# Assignment 1: which structures does a joint stretch?\n\n"
                 "Answer each question in the cell below it (replace the line `raise NotImplementedError()`), "
                 "run the notebook, save it and submit it. The tests under each answer are the same checks "
                 "as in the course notebooks (`neuralsim.teaching.exercises.check`).")]
    for i, (key, solution) in enumerate(QUESTIONS, start=1):
        if not check(key, eval(solution, {})).correct:   # noqa: S307 - the teacher's own constant above
            raise ValueError(f"the solution {solution} of exercise {key!r} is not right any more: fix QUESTIONS")
        cells.append(_md(f"q{i}", f"**Question {i}.** {ask(key)}"))
        cells.append(_code(f"answer_{i}", f"### BEGIN SOLUTION\nanswer_{i} = {solution}\n### END SOLUTION",
                           {"solution": True, "grade": False, "locked": False}))
        cells.append(_code(f"test_{i}", f"from neuralsim.teaching.exercises import check\n"
                                         f"assert check({key!r}, answer_{i}).correct, check({key!r}, answer_{i}).message",
                           {"solution": False, "grade": True, "locked": True, "points": 1}))
    return {"nbformat": 4, "nbformat_minor": 5, "cells": cells,
            "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}}


def _md(grade_id, text):
    return {"cell_type": "markdown", "id": grade_id, "source": text,
            "metadata": {"nbgrader": {"grade_id": grade_id, "locked": True, "solution": False, "grade": False,
                                      "schema_version": 3}}}


def _code(grade_id, text, flags):
    return {"cell_type": "code", "id": grade_id, "source": text, "outputs": [], "execution_count": None,
            "metadata": {"nbgrader": dict(flags, grade_id=grade_id, schema_version=3)}}


def course_dir(data: Path) -> Path:
    return data / "course"


def teacher_etc(data: Path) -> Path:
    """The teacher's nbgrader settings: root-owned, readable by the grader, writable by nobody else.
    nbgrader runs with this as its current folder, home and config folder, so no settings file the
    grader could write (``course/nbgrader_config.py``, ``~/.jupyter``) is ever loaded."""
    return data / "etc" / "teacher"


def grader(data: Path):
    """The grading account and the course folder it owns (0700: solutions and gradebook stay private)."""
    course = course_dir(data)
    pw = ensure_unix_user(GRADER, Path("/nonexistent"), marker=GRADER_MARKER)
    ensure_unix_user(SANDBOX_USER, Path("/nonexistent"), marker=GRADER_MARKER)
    try:
        os.mkdir(course, 0o700)
    except FileExistsError:
        pass
    st = os.lstat(course)
    if not stat.S_ISDIR(st.st_mode):
        sys.exit(f"{course} is not a plain folder: refusing")
    os.lchown(course, pw.pw_uid, pw.pw_gid)
    os.chmod(course, 0o700)
    stale = course / "nbgrader_config.py"   # settings the grader could write are never used
    if os.path.lexists(stale):
        os.unlink(stale)
    etc = teacher_etc(data)
    etc.mkdir(parents=True, exist_ok=True)
    os.chown(etc, 0, pw.pw_gid)
    os.chmod(etc, 0o750)
    safe_write(etc, "nbgrader_config.py",
               (f"c = get_config()  # noqa: F821\nc.CourseDirectory.root = {str(course)!r}\n"
                f"c.CourseDirectory.course_id = {COURSE_ID!r}\nc.Exchange.root = {str(data / 'exchange')!r}\n").encode(),
               0, pw.pw_gid, 0o640)
    # jupyter_core writes this marker into the config folder at first start; the folder is not the grader's to write
    safe_write(etc, "migrated", b"", 0, pw.pw_gid, 0o640)
    return pw, course


def nbgrader(data: Path, *argv, check=True):
    """nbgrader as the grader account: stdin closed, its own session, settings only from ``teacher_etc``."""
    pw, course = grader(data)
    etc = teacher_etc(data)
    run = data / "grader-run"
    safe_mkdir(data, "grader-run", pw.pw_uid, pw.pw_gid, 0o700)
    env = {"HOME": str(etc), "PATH": f"{course_env() / 'bin'}:/usr/bin:/bin", "LANG": "C.UTF-8",
           "JUPYTER_CONFIG_DIR": str(etc), "JUPYTER_CONFIG_PATH": str(etc), "JUPYTER_DATA_DIR": str(run),
           "JUPYTER_RUNTIME_DIR": str(run), "IPYTHONDIR": str(run), "PYTHONDONTWRITEBYTECODE": "1",
           "PYTHONNOUSERSITE": "1"}
    r = teacher_step([str(course_env() / "bin" / "nbgrader"), *argv], cwd=etc, env=env, user=pw.pw_uid,
                     group=pw.pw_gid, extra_groups=[])
    if check and r.returncode:
        sys.exit(f"nbgrader {argv[0]} failed:\n{r.stdout}{r.stderr}")
    return r


def cmd_release(args):
    data = data_dir()
    pw, course = grader(data)
    nb = json.dumps(assignment_notebook(), indent=1).encode()
    # root writes into the grader's folder: never through a symlink the grader (or a submission) planted
    safe_mkdir(course, f"source/{ASSIGNMENT}", pw.pw_uid, pw.pw_gid, 0o700)
    safe_write(course, f"source/{ASSIGNMENT}/neuralsim_assignment.ipynb", nb, pw.pw_uid, pw.pw_gid, 0o600)
    nbgrader(data, "db", "assignment", "add", ASSIGNMENT)
    nbgrader(data, "generate_assignment", ASSIGNMENT, "--force")
    r = nbgrader(data, "release_assignment", ASSIGNMENT, "--force")
    print(r.stdout + r.stderr if args.verbose else f"released {ASSIGNMENT} to course {COURSE_ID}")
    _warnings(r)


def _warnings(r):
    """nbgrader's warnings (e.g. "cheating attempt?") are shown whether or not -v was given."""
    for line in (r.stdout + r.stderr).splitlines():
        if "WARNING" in line or "cheating" in line.lower():
            print(line, file=sys.stderr)


def inbound(data: Path) -> Path:
    return data / "exchange" / COURSE_ID / "inbound"


def collect(data: Path, students=None) -> tuple[list[str], list[str]]:
    """Copy each student's latest submission from the exchange into ``course/submitted`` (as the
    grader's files), refusing any whose files do not belong to the student it names.

    Returns (students collected, problems). Only regular files are read, with ``O_NOFOLLOW``.
    """
    pw, course = grader(data)
    allowed = set(students) if students is not None else set(parse_roster(os.environ["NEURALSIM_HUB_ROSTER"]).students)
    latest, problems = {}, []
    box = inbound(data)
    for entry in sorted(os.listdir(box)) if box.is_dir() else []:
        parts = entry.split("+")
        if len(parts) < 3 or parts[1] != ASSIGNMENT:
            continue
        student, stamp = parts[0], parts[2]
        if student not in allowed:
            problems.append(f"{entry}: {student!r} is not a student on the roster: refused")
            continue
        why = submission_owner_problem(box / entry, student)
        if why:
            problems.append(f"{entry}: {why}")
            continue
        if student not in latest or stamp > latest[student][0]:
            latest[student] = (stamp, entry)
    for student, (stamp, entry) in sorted(latest.items()):
        src = box / entry / "neuralsim_assignment.ipynb"
        try:
            fd = os.open(src, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
            with os.fdopen(fd, "rb") as f:
                if not stat.S_ISREG(os.fstat(f.fileno()).st_mode):
                    raise OSError("not a regular file")
                body = f.read(8 * 2**20 + 1)
        except OSError as e:
            problems.append(f"{entry}: {e}")
            continue
        if len(body) > 8 * 2**20:
            problems.append(f"{entry}: notebook larger than 8 MiB: refused")
            continue
        safe_mkdir(course, f"submitted/{student}/{ASSIGNMENT}", pw.pw_uid, pw.pw_gid, 0o700)
        safe_write(course, f"submitted/{student}/{ASSIGNMENT}/neuralsim_assignment.ipynb", body,
                   pw.pw_uid, pw.pw_gid, 0o600)
        safe_write(course, f"submitted/{student}/{ASSIGNMENT}/timestamp.txt", stamp.encode(),
                   pw.pw_uid, pw.pw_gid, 0o600)
    return sorted(latest), problems


def cmd_collect(args):
    data = data_dir()
    got, problems = collect(data)
    for p in problems:
        print(f"REFUSED {p}", file=sys.stderr)
    print(f"collected: {len(got)} submission(s) of {ASSIGNMENT}; refused {len(problems)}")
    return len(got)


def grade_table(data: Path, limits: Limits = Limits()) -> tuple[list[dict], list[str]]:
    """Grade every collected submission in a sandbox; write course/grades.csv and course/grading-report.txt."""
    pw, course = grader(data)
    questions = [(key, f"answer_{i}") for i, (key, _) in enumerate(QUESTIONS, start=1)]
    rows, report = [], []
    sub = course / "submitted"
    for student in sorted(os.listdir(sub)) if sub.is_dir() else []:
        nb = sub / student / ASSIGNMENT / "neuralsim_assignment.ipynb"
        if not nb.is_file():
            continue
        g = grade_notebook(student, nb, questions, course_env(), user=SANDBOX_USER, limits=limits)
        rows.append({"student_id": student, "score": g.score, "max_score": g.max_score})
        for e in g.errors:
            report.append(f"{student}: {e}")
    text = "student_id,score,max_score\n" + "".join(f"{r['student_id']},{r['score']},{r['max_score']}\n" for r in rows)
    safe_write(course, "grades.csv", text.encode(), pw.pw_uid, pw.pw_gid, 0o600)
    safe_write(course, "grading-report.txt", ("\n".join(report) + "\n").encode(), pw.pw_uid, pw.pw_gid, 0o600)
    return rows, report


def cmd_grade(args):
    rows, report = grade_table(data_dir())
    print(f"{'student':<16}{'score':>8}{'max':>6}")
    for r in rows:
        print(f"{r['student_id']:<16}{float(r['score']):>8.1f}{float(r['max_score']):>6.1f}")
    for line in report:
        print(f"  {line}", file=sys.stderr)
    print(f"{len(rows)} graded in the sandbox; table also in {course_dir(data_dir()) / 'grades.csv'}, "
          f"what the submissions' code raised in {course_dir(data_dir()) / 'grading-report.txt'}")


def cmd_unlock(args):
    """Lift login locks: a name, an address, or (neither given) all of them."""
    lim = LoginLimiter(data_dir() / "state" / "logins.sqlite")
    n = lim.unlock(args.name, args.address)
    print(f"unlocked: {n} failed login(s) forgotten")


def cmd_remove_users(args):
    names = args.names or hub_users(USER_MARKER) + hub_users(GRADER_MARKER)
    removed = remove_unix_users(names, USER_MARKER) + remove_unix_users(names, GRADER_MARKER)
    print(f"removed {len(removed)} account(s): {' '.join(removed)} (their homes are kept)")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("-v", "--verbose", action="store_true")
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("passwords")
    p.add_argument("--out", help="default: <data folder>/hub-passwords.csv")
    p = sub.add_parser("set-passwords")
    p.add_argument("file")
    sub.add_parser("release")
    sub.add_parser("collect")
    sub.add_parser("grade")
    p = sub.add_parser("unlock")
    p.add_argument("--name")
    p.add_argument("--address")
    p = sub.add_parser("remove-users")
    p.add_argument("names", nargs="*")
    args = ap.parse_args(argv)
    if os.getuid() != 0:
        sys.exit("hubctl: run as root (it manages the hub's accounts and data)")
    {"passwords": cmd_passwords, "set-passwords": cmd_set_passwords, "release": cmd_release,
     "collect": cmd_collect, "grade": cmd_grade, "unlock": cmd_unlock, "remove-users": cmd_remove_users}[args.cmd](args)


if __name__ == "__main__":
    main()
_ = pwd
