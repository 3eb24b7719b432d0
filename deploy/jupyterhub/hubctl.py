"""The teacher's commands for the class hub (run as root, with the same NEURALSIM_HUB_* settings as the hub).

    hubctl.py passwords [--out FILE]    a one-time password for each roster name without one, listed in FILE
                                        (mode 0600; default <data>/hub-passwords.csv, outside the repository)
    hubctl.py set-passwords FILE        passwords from a CSV 'username,password' (e.g. chosen with the students)
    hubctl.py release                   build the assignment from neuralsim.exercises, release it to the class
    hubctl.py collect                   collect the students' submissions
    hubctl.py grade                     autograde them and print the grade table (also course/grades.csv)
    hubctl.py remove-users [NAME ...]   delete Unix accounts the hub made (all, or the named ones); homes stay

nbgrader runs as the unprivileged account ``nsgrader`` (made here, marked like the students'),
never as root: autograding executes the students' code.
"""
from __future__ import annotations

import argparse
import csv
import json
import os
import pwd
import secrets
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from neuralsim_hub import USER_MARKER, data_dir, ensure_unix_user, hub_users, parse_roster, remove_unix_users  # noqa: E402

COURSE_ID = "neuralsim"
ASSIGNMENT = "ps1"
GRADER = "nsgrader"
GRADER_MARKER = "neuralsim-hub grader"
#: The assignment: exercises of neuralsim.exercises and the teacher's solution (checked with
#: neuralsim.exercises.check when the assignment is built, so a wrong solution never ships).
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
    from neuralsim.exercises import ask, check

    cells = [_md("intro", "# Assignment 1: which structures does a joint stretch?\n\n"
                 "Answer each question in the cell below it (replace the line `raise NotImplementedError()`), "
                 "run the notebook, save it and submit it. The tests under each answer are the same checks "
                 "as in the course notebooks (`neuralsim.exercises.check`).")]
    for i, (key, solution) in enumerate(QUESTIONS, start=1):
        if not check(key, eval(solution, {})).correct:   # noqa: S307 - the teacher's own constant above
            raise ValueError(f"the solution {solution} of exercise {key!r} is not right any more: fix QUESTIONS")
        cells.append(_md(f"q{i}", f"**Question {i}.** {ask(key)}"))
        cells.append(_code(f"answer_{i}", f"### BEGIN SOLUTION\nanswer_{i} = {solution}\n### END SOLUTION",
                           {"solution": True, "grade": False, "locked": False}))
        cells.append(_code(f"test_{i}", f"from neuralsim.exercises import check\n"
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


def grader(data: Path):
    """The grading account and the course folder it owns (0700: solutions and gradebook stay private)."""
    course = course_dir(data)
    pw = ensure_unix_user(GRADER, course, marker=GRADER_MARKER)
    course.mkdir(mode=0o700, exist_ok=True)
    os.chown(course, pw.pw_uid, pw.pw_gid)
    os.chmod(course, 0o700)
    return pw, course


def nbgrader(data: Path, *argv, check=True):
    pw, course = grader(data)
    env = {"HOME": str(course), "PATH": f"{course_env() / 'bin'}:/usr/bin:/bin", "LANG": "C.UTF-8",
           "JUPYTER_CONFIG_PATH": str(data / "etc"), "PYTHONDONTWRITEBYTECODE": "1"}
    return subprocess.run([str(course_env() / "bin" / "nbgrader"), *argv], cwd=course, env=env, user=pw.pw_uid,
                          group=pw.pw_gid, extra_groups=[], check=check, capture_output=True, text=True)


def cmd_release(args):
    data = data_dir()
    pw, course = grader(data)
    src = course / "source" / ASSIGNMENT
    nb = json.dumps(assignment_notebook(), indent=1)
    for d in (course / "source", src):
        d.mkdir(exist_ok=True)
        os.chown(d, pw.pw_uid, pw.pw_gid)
    (src / "neuralsim_assignment.ipynb").write_text(nb)
    os.chown(src / "neuralsim_assignment.ipynb", pw.pw_uid, pw.pw_gid)
    cfg = course / "nbgrader_config.py"
    cfg.write_text(f"c = get_config()  # noqa: F821\nc.CourseDirectory.root = {str(course)!r}\n"
                   f"c.CourseDirectory.course_id = {COURSE_ID!r}\nc.Exchange.root = {str(data / 'exchange')!r}\n")
    os.chown(cfg, pw.pw_uid, pw.pw_gid)
    r = nbgrader(data, "db", "assignment", "add", ASSIGNMENT)
    r = nbgrader(data, "generate_assignment", ASSIGNMENT, "--force")
    r = nbgrader(data, "release_assignment", ASSIGNMENT, "--force")
    print(r.stdout + r.stderr if args.verbose else f"released {ASSIGNMENT} to course {COURSE_ID}")


def cmd_collect(args):
    r = nbgrader(data_dir(), "collect", ASSIGNMENT, "--update")
    n = sum(1 for _ in (course_dir(data_dir()) / "submitted").glob(f"*/{ASSIGNMENT}")) \
        if (course_dir(data_dir()) / "submitted").exists() else 0
    print((r.stdout + r.stderr) if args.verbose else f"collected: {n} submission(s) of {ASSIGNMENT}")
    return n


def grade_table(data: Path) -> list[dict]:
    nbgrader(data, "autograde", ASSIGNMENT, "--force")
    nbgrader(data, "export", "--to", "grades.csv")
    with open(course_dir(data) / "grades.csv", newline="") as f:
        return list(csv.DictReader(f))


def cmd_grade(args):
    rows = grade_table(data_dir())
    print(f"{'student':<16}{'score':>8}{'max':>6}")
    for r in sorted(rows, key=lambda r: r["student_id"]):
        print(f"{r['student_id']:<16}{float(r['score']):>8.1f}{float(r['max_score']):>6.1f}")
    print(f"{len(rows)} graded; table also in {course_dir(data_dir()) / 'grades.csv'}")


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
    p = sub.add_parser("remove-users")
    p.add_argument("names", nargs="*")
    args = ap.parse_args(argv)
    if os.getuid() != 0:
        sys.exit("hubctl: run as root (it manages the hub's accounts and data)")
    {"passwords": cmd_passwords, "set-passwords": cmd_set_passwords, "release": cmd_release,
     "collect": cmd_collect, "grade": cmd_grade, "remove-users": cmd_remove_users}[args.cmd](args)


if __name__ == "__main__":
    main()
_ = pwd
