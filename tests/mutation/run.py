"""Mutation testing of the model's layers: a seeded sample of mutmut's mutants, each run against the tests
of the module it mutates.

    .venv/bin/python tests/mutation/run.py                  # make mutants: seed 21, 500 mutants, one job
    .venv/bin/python tests/mutation/run.py --rerun survived timeout  # those again, after new tests
    .venv/bin/python tests/mutation/run.py --list            # how many mutants each module has, run nothing

The whole set (about 8,300 mutants of core, model, mechanics, limits and answer checking) takes a day on
this project's machines, so the run draws a sample: ``random.Random(seed).sample`` over the sorted names of
every mutant. It is not part of ``make test``.

How it runs:

1. mutmut 3 (``mutate_file_contents``) writes every module of MODULES with all its mutants behind
   trampolines into a copy of the package (``artifacts/mutants/tree``); a trampoline calls the mutant the
   environment variable ``MUTANT_UNDER_TEST`` names, or the original.
2. The parent process imports pytest, its plugins and the heavy libraries once (never neuralsim); each mutant
   runs in a child forked from it, which imports neuralsim from the copy (so code run at import time is
   mutated too) and runs the mutated module's own test file (tests/README.md: ``tests/test_<module>.py``)
   plus ``tests/test_mutants.py`` with ``-x``. Hypothesis is derandomized, keeps no example database
   (a verdict does not depend on earlier mutants) and does not shrink (a failing example is a kill).
3. killed: a test failed (or the mutant broke the import); survived: every selected test passed;
   timeout: more CPU time than ``timeout_factor`` x the unmutated run of the same tests + ``timeout_s``
   (the kernel stops the child: CPU time, not the clock, so a loaded machine does not make timeouts; a
   mutant that makes the code loop forever is detected, so it counts as killed in the score, reported
   apart). Mutants named in ``equivalent.txt`` (with the reason) leave the denominator.
4. ``artifacts/mutants/results.jsonl`` holds one line per mutant (the diff, its file and line); the summary is
   printed and written to ``artifacts/mutants/summary.txt``.
"""
from __future__ import annotations

import argparse
import ast
import difflib
import hashlib
import json
import math
import os
import random
import shutil
import signal
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "artifacts" / "mutants"
TREE = OUT / "tree"
HERE = Path(__file__).resolve().parent

# The modules mutated: core, model, mechanics, limits and answer checking (teaching/exercises.py).
MODULES = sorted(
    [p.relative_to(ROOT).as_posix() for layer in ("core", "model", "mechanics", "limits")
     for p in (ROOT / "neuralsim" / layer).glob("*.py") if p.name != "__init__.py"]
    + ["neuralsim/teaching/exercises.py"])

# Tests left out of the per-mutant run because one run of them costs more than the rest of their file
# together (hypothesis over every exercise, every hint of every answer); what they check is also checked
# by the faster tests of the same file or by tests/test_mutants.py.
SLOW = {
    "neuralsim/teaching/exercises.py": [
        "tests/test_exercises.py::test_targeted_hints_never_hold_the_answer",
        "tests/test_exercises.py::test_every_prediction_reveals_model_and_reason",
        "tests/test_exercises.py::test_unit_and_rule_mistakes",
        "tests/test_exercises.py::test_model_within_counts_the_comparison_rows",
        "tests/test_exercises.py::test_numbers_right_inside_tolerance_wrong_outside[model_within]",
        "tests/test_exercises.py::test_first_wrong_answer_gives_a_hint_not_the_answer[model_within]",
    ],
    "neuralsim/mechanics/nerve.py": [
        "tests/test_nerve.py::test_shear_lag_decay_matches_the_continuum_solution",
    ],
    "neuralsim/limits/stops.py": [  # hypothesis over people and movements, 25-40 examples of seconds each
        "tests/test_stops.py::test_stop_never_exceeds_joint_range",
        "tests/test_stops.py::test_less_extensible_or_more_sensitive_never_goes_further",
        "tests/test_stops.py::test_result_independent_of_order_remote_joints_were_set",
    ],
    "neuralsim/limits/cases.py": [  # the class set of seed 0 stays
        "tests/test_cases.py::test_class_set_identified_and_reproducible[1]",
        "tests/test_cases.py::test_class_set_identified_and_reproducible[2]",
        "tests/test_cases.py::test_class_set_identified_and_reproducible[2026]",
    ],
}

# Tests of the source text rather than its behaviour: a mutated copy holds new literals by design.
SOURCE_TESTS = ["tests/test_parameters.py::test_no_model_number_hides_outside_the_parameter_file"]

# Other test files a module's mutants run against: none yet beyond each module's own file.
RELATED: dict[str, list[str]] = {}


def dotted(path: str) -> str:
    return path[:-3].replace("/", ".")


# tests/test_mutants.py runs beside every module's file unless --without-new-tests (the suite as it was)
NEW_TESTS = ["tests/test_mutants.py"]


def test_files(path: str) -> list[str]:
    own = f"tests/test_{Path(path).stem}.py"
    return [own] + RELATED.get(path, []) + [f for f in NEW_TESTS if (TREE / f).is_file()]


def pytest_args(path: str) -> list[str]:
    # --tb=no: the verdict needs no traceback, and formatting one (arrays in it) costs a killed mutant seconds
    args = test_files(path) + ["-x", "-q", "--tb=no", "-p", "no:cacheprovider", "--no-header", "-o", "addopts=",
                               "-W", "ignore::DeprecationWarning"]
    for node in SLOW.get(path, []) + SOURCE_TESTS:
        args += ["--deselect", node]
    return args


# ---------------------------------------------------------------- 1. the mutants


INDEX_FORMAT = "2"  # bumped when the index's contents change, so an older index is rebuilt


def sources_hash() -> str:
    h = hashlib.sha256(INDEX_FORMAT.encode())
    for path in MODULES:
        h.update(path.encode() + b"\0" + (ROOT / path).read_bytes())
    import mutmut
    h.update(mutmut.__version__.encode())
    return h.hexdigest()[:16]


def build_tree() -> dict:
    """The copy of the package with every mutant, and for each mutant its module, line and diff."""
    index_path = OUT / "index.json"
    digest = sources_hash()
    if index_path.is_file():
        index = json.loads(index_path.read_text("utf-8"))
        if index.get("sources") == digest and TREE.is_dir():
            _copy_tests()
            return index
    from mutmut.mutation.file_mutation import mutate_file_contents

    if TREE.exists():
        shutil.rmtree(TREE)
    # the repository as the tests read it (README, notebooks, data), without environments or history
    shutil.copytree(ROOT, TREE, ignore=shutil.ignore_patterns(
        "__pycache__", ".git", ".venv*", "artifacts", "node_modules", "build", "dist*", "*.egg-info", ".hypothesis",
        ".pytest_cache", "tests"))
    mutants = {}
    for path in MODULES:
        source = (ROOT / path).read_text("utf-8")
        t0 = time.perf_counter()
        mutated = mutate_file_contents(path, source)
        (TREE / path).write_text(mutated.code, "utf-8")
        lines = mutated.code.splitlines()
        def_lines = _def_lines(source)
        for name in mutated.mutant_names:
            func = name.rsplit("__mutmut_", 1)[0]
            orig = _span_text(lines, mutated.line_span_by_function_name[func + "__mutmut_orig"])
            mut = _span_text(lines, mutated.line_span_by_function_name[name])
            line, diff = _diff(orig, mut, func + "__mutmut_orig", name)
            mutants[f"{dotted(path)}.{name}"] = {
                "module": path, "line": def_lines.get(_qualname(func), 0) + line, "diff": diff}
        print(f"  {path}: {len(mutated.mutant_names)} mutants ({time.perf_counter() - t0:.0f} s)", flush=True)
    index = {"sources": digest, "mutants": mutants}
    OUT.mkdir(parents=True, exist_ok=True)
    index_path.write_text(json.dumps(index, indent=0, ensure_ascii=False), "utf-8")
    _copy_tests()
    return index


def _copy_tests():
    # the tests are copied on every run, so new tests in tests/test_mutants.py take part
    if (TREE / "tests").exists():
        shutil.rmtree(TREE / "tests")
    shutil.copytree(ROOT / "tests", TREE / "tests", ignore=shutil.ignore_patterns("__pycache__", "browser"))
    # compiled once here: compiling the mutated modules (thousands of functions) would cost each child seconds
    import compileall
    compileall.compile_dir(TREE / "neuralsim", quiet=1)


def _span_text(lines, span):
    return lines[span.start - 1:span.end]


def _qualname(func: str) -> str:
    # mutmut's mangled names: x_<function> or xǁ<Class>ǁ<method>
    if func.startswith("x_"):
        return func[2:]
    _, cls, meth = func.split("ǁ")
    return f"{cls}.{meth}"


def _def_lines(source: str) -> dict[str, int]:
    out = {}
    for node in ast.parse(source).body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            out[node.name] = node.lineno
        elif isinstance(node, ast.ClassDef):
            for sub in node.body:
                if isinstance(sub, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    out[f"{node.name}.{sub.name}"] = sub.lineno
    return out


def _diff(orig: list[str], mut: list[str], orig_name: str, mut_name: str) -> tuple[int, str]:
    """The first changed line's offset from the def line, and the changed lines as - / +."""
    def clean(s):
        return s.replace(" # type: ignore # mutmut generated", "").replace(mut_name, orig_name)
    orig, mut = [clean(s) for s in orig], [clean(s) for s in mut]
    at = next(i for i, s in enumerate(orig) if f"def {orig_name}(" in s)
    first, out = None, []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=orig, b=mut, autojunk=False).get_opcodes():
        if tag == "equal":
            continue
        first = i1 - at if first is None else first
        out += ["- " + s.strip() for s in orig[i1:i2]] + ["+ " + s.strip() for s in mut[j1:j2]]
    return first or 0, "\n".join(out)


# ---------------------------------------------------------------- 2. the sample


def draw(index: dict, seed: int, size: int) -> list[str]:
    names = sorted(index["mutants"])
    return sorted(random.Random(seed).sample(names, min(size, len(names))))


def equivalent() -> dict[str, str]:
    """Mutants judged equivalent: ``name  reason`` per line of equivalent.txt."""
    path = HERE / "equivalent.txt"
    out = {}
    if path.is_file():
        for line in path.read_text("utf-8").splitlines():
            if line.strip() and not line.startswith("#"):
                name, _, reason = line.partition(" ")
                out[name] = reason.strip()
    return out


# ---------------------------------------------------------------- 3. the run


def warm_up():
    """Everything a child needs except neuralsim, imported once in the parent."""
    os.environ.setdefault("MPLBACKEND", "Agg")
    import importlib
    from importlib.metadata import entry_points

    import pytest  # noqa: F401
    for ep in entry_points(group="pytest11"):
        try:
            importlib.import_module(ep.value.split(":")[0])
        except Exception:
            pass
    for name in ("numpy", "matplotlib", "matplotlib.pyplot", "hypothesis", "hypothesis.strategies",
                 "ipywidgets", "anywidget", "IPython", "mutmut.mutation.trampoline", "libcst", "csv", "json"):
        try:
            importlib.import_module(name)
        except Exception:
            pass


def start(name: str, module: str, log: Path, cpu_limit: float) -> int:
    """Fork a child that runs the tests of ``module`` with ``name`` active, at most ``cpu_limit`` seconds of
    CPU time (then the kernel stops it with SIGXCPU); its pid."""
    pid = os.fork()
    if pid:
        return pid
    try:
        os.setpgid(0, 0)
        import resource
        resource.setrlimit(resource.RLIMIT_CPU, (math.ceil(cpu_limit), math.ceil(cpu_limit) + 10))
        fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        os.dup2(fd, 1)
        os.dup2(fd, 2)
        os.environ["MUTANT_UNDER_TEST"] = name
        from mutmut.mutation import trampoline
        trampoline.set_mutant_under_test(name)
        os.chdir(TREE)
        sys.path.insert(0, str(TREE))
        sys.path.insert(0, str(TREE / "tests"))
        from hypothesis import Phase, settings
        # no shrinking: a failing example is a kill, and shrinking it can take longer than the time limit
        settings.register_profile("mutants", database=None, derandomize=True, deadline=None, print_blob=False,
                                  phases=[Phase.explicit, Phase.reuse, Phase.generate])
        settings.load_profile("mutants")
        import pytest
        code = pytest.main(pytest_args(module))
        seen = sys.modules.get("neuralsim")
        if seen is not None and not Path(seen.__file__).resolve().is_relative_to(TREE):
            code = 99  # the tests did not see the copy: the run is broken, not the mutant killed
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(int(code))
    except BaseException:
        import traceback
        traceback.print_exc()
        sys.stderr.flush()
        os._exit(98)


# pytest's exit codes: 0 all passed, 1 a test failed, 2 collection failed (the mutant broke an import),
# 3 pytest's internal error (mutmut counts it killed too); 4 (bad arguments), 5 (no tests) and this
# script's own 98/99 are errors of the run, never counted as a kill.
VERDICT = {0: "survived", 1: "killed", 2: "killed", 3: "killed"}


def run(jobs: list[tuple[str, str]], limits: dict[str, float], workers: int, on_done) -> None:
    """Run (mutant name, module) pairs, ``workers`` at a time; ``on_done(name, status, seconds, code)``."""
    logs = OUT / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    pending = list(jobs)
    running: dict[int, tuple[str, str, float, Path]] = {}

    def stop(signum, frame):  # a stopped run leaves no child running its tests
        for pid in running:
            try:
                os.killpg(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        os._exit(128 + signum)
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    while pending or running:
        while pending and len(running) < workers:
            name, module = pending.pop(0)
            log = logs / (hashlib.sha1(name.encode()).hexdigest()[:12] + ".txt")
            running[start(name, module, log, limits[module])] = (name, module, time.perf_counter(), log)
        time.sleep(0.05)
        for pid, (name, module, t0, log) in list(running.items()):
            done, status, usage = os.wait4(pid, os.WNOHANG)
            elapsed = time.perf_counter() - t0
            if done:
                del running[pid]
                code = os.waitstatus_to_exitcode(status)
                verdict = "timeout" if code in (-signal.SIGXCPU, -signal.SIGKILL) else VERDICT.get(code, "error")
                on_done(name, verdict, usage.ru_utime + usage.ru_stime, code, log)
            elif elapsed > 10 * limits[module] + 60:   # asleep or blocked: not using its CPU time
                try:
                    os.killpg(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                os.waitpid(pid, 0)
                del running[pid]
                on_done(name, "timeout", elapsed, None, log)


def baselines(modules: list[str], args) -> dict[str, float]:
    """Each module's tests once unmutated (must pass) and once with mutmut's 'fail' mutant (must fail):
    the time limit per mutant, and proof that the trampolines of the copy are the code under test."""
    limits, seen = {}, {}
    cache_path = OUT / "baselines.json"   # seconds per (tests, their text): a restart need not time them again
    cache = json.loads(cache_path.read_text("utf-8")) if cache_path.is_file() else {}
    for module in modules:
        key = tuple(pytest_args(module))
        if key in seen:
            limits[module] = seen[key]
            continue
        timed = tuple(a for a in key if not a.startswith("--tb"))   # a passing run prints no traceback
        digest = hashlib.sha256(repr(timed).encode() + b"".join(
            (TREE / f).read_bytes() for f in test_files(module))).hexdigest()[:16]
        if digest in cache:
            seen[key] = limits[module] = args.timeout_factor * cache[digest] + args.timeout_s
            print(f"  {module}: tests timed before ({cache[digest]:.1f} s); limit {limits[module]:.0f} s")
            continue
        results = {}
        for name in ("", "fail"):
            run([(name, module)], {module: 1800.0}, 1,
                lambda n, status, s, code, log: results.__setitem__(n, (status, s, code, log)))
        status, seconds, code, log = results[""]
        if status != "survived":
            sys.exit(f"the unmutated tests of {module} fail (exit {code}); see {log}")
        if results["fail"][0] != "killed" or results["fail"][2] == 99:
            sys.exit(f"the tests of {module} do not reach the mutated copy (exit {results['fail'][2]}); "
                     f"see {results['fail'][3]}")
        seen[key] = limits[module] = args.timeout_factor * seconds + args.timeout_s
        cache[digest] = seconds
        cache_path.write_text(json.dumps(cache), "utf-8")
        print(f"  {module}: tests pass unmutated in {seconds:.1f} s of CPU, fail with every trampoline failing; "
              f"limit {limits[module]:.0f} s", flush=True)
    return limits


# ---------------------------------------------------------------- 4. the report


def summary(index: dict, results: dict[str, dict], sample: list[str], seed: int) -> str:
    eq = equivalent()
    rows, tot = [], {"mutants": 0, "killed": 0, "timeout": 0, "survived": 0, "equivalent": 0}
    for module in MODULES:
        names = [n for n in sample if index["mutants"][n]["module"] == module]
        if not names:
            continue
        c = {"mutants": len(names), "killed": 0, "timeout": 0, "survived": 0, "equivalent": 0}
        for n in names:
            status = results.get(n, {}).get("status", "not run")
            if status == "survived" and n in eq:
                c["equivalent"] += 1
            elif status in c:
                c[status] += 1
            else:
                c["errors"] = c.get("errors", 0) + 1
        rows.append((module, c))
        for k in tot:
            tot[k] += c[k]
    import mutmut

    def score(c):
        denominator = c["mutants"] - c["equivalent"]
        return 100.0 * (c["killed"] + c["timeout"]) / denominator if denominator else float("nan")

    out = [f"mutmut {mutmut.__version__}, seed {seed}, {len(sample)} of {len(index['mutants'])} mutants",
           "", "| module | mutants | killed | timed out | survived | equivalent | score |",
           "|---|---:|---:|---:|---:|---:|---:|"]
    for module, c in rows + [("all", tot)]:
        out.append(f"| {module} | {c['mutants']} | {c['killed']} | {c['timeout']} | {c['survived']} | "
                   f"{c['equivalent']} | {score(c):.1f} % |")
    out += ["", "score = (killed + timed out) / (mutants - equivalent)", "",
            "survivors not judged equivalent:"]
    for n in sample:
        r = results.get(n, {})
        if r.get("status") == "survived" and n not in eq:
            m = index["mutants"][n]
            out.append(f"  {m['module']}:{m['line']}  {n}\n    " + m["diff"].replace("\n", "\n    "))
    errors = [n for n in sample if results.get(n, {}).get("status") == "error"]
    if errors:
        out.append(f"\n{len(errors)} mutants ended in an error of the run (not counted): " + ", ".join(errors))
    missing = [n for n in sample if n not in results]
    if missing:
        out.append(f"\n{len(missing)} mutants of the sample not run yet")
    return "\n".join(out)


def load_results(path: Path) -> dict[str, dict]:
    results = {}
    if path.is_file():
        for line in path.read_text("utf-8").splitlines():
            r = json.loads(line)
            results[r["name"]] = r
    return results


def main(argv=None) -> int:
    os.chdir(ROOT)  # mutmut reads its settings from pyproject.toml here
    sys.dont_write_bytecode = False  # the children share the copy's compiled tests (pytest's rewritten asserts)
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=21)
    parser.add_argument("--sample", type=int, default=500, help="how many mutants to draw")
    parser.add_argument("--jobs", type=int, default=1, help="mutants run at once")
    parser.add_argument("--timeout-factor", type=float, default=3.0)
    parser.add_argument("--timeout-s", type=float, default=20.0)
    parser.add_argument("--fresh", action="store_true", help="forget earlier results of this sample")
    parser.add_argument("--rerun", nargs="+", default=(), metavar="STATUS",
                        help="run again, beside those not run yet, the mutants whose last verdict is one of these "
                             "(survived, timeout)")
    parser.add_argument("--only", nargs="*", default=None, help="run only these mutant names")
    parser.add_argument("--without-new-tests", action="store_true",
                        help="leave tests/test_mutants.py out: the score of the module files alone")
    parser.add_argument("--results", default=None, help="results file name (in artifacts/mutants)")
    parser.add_argument("--list", action="store_true", help="count the mutants per module; run nothing")
    args = parser.parse_args(argv)

    print("mutants:", flush=True)
    index = build_tree()
    sample = draw(index, args.seed, args.sample)
    if args.list:
        for module in MODULES:
            n = sum(1 for m in index["mutants"].values() if m["module"] == module)
            s = sum(1 for m in sample if index["mutants"][m]["module"] == module)
            print(f"  {module}: {n} mutants, {s} in the sample")
        return 0
    if args.without_new_tests:
        NEW_TESTS.clear()
    results_path = OUT / (args.results or f"results-seed{args.seed}-n{args.sample}.jsonl")
    if args.fresh and results_path.exists():
        results_path.unlink()
    results = load_results(results_path)
    if args.only is not None:
        todo = [n for n in args.only if n in index["mutants"]]
    else:   # those not run yet (or ended in an error of the run) and those of the statuses --rerun names
        todo = [n for n in sample if results.get(n, {}).get("status") in (None, "error", *args.rerun)]
    print(f"{len(todo)} mutants to run (seed {args.seed}, sample {len(sample)})", flush=True)

    warm_up()
    modules = sorted({index["mutants"][n]["module"] for n in todo})
    limits = baselines(modules, args)
    done = [0]
    t_start = time.perf_counter()

    def on_done(name, status, seconds, code, log):
        m = index["mutants"][name]
        record = {"name": name, "status": status, "cpu_s": round(seconds, 1), "exit": code,
                  "tests": test_files(m["module"]),
                  "module": m["module"], "line": m["line"], "diff": m["diff"]}
        results[name] = record
        with results_path.open("a", encoding="utf-8") as f:
            f.write(json.dumps(record, ensure_ascii=False) + "\n")
        if status == "killed":
            log.unlink(missing_ok=True)
        done[0] += 1
        print(f"[{done[0]}/{len(todo)} {time.perf_counter() - t_start:.0f} s] {status:8} {seconds:5.1f} s "
              f"{m['module']}:{m['line']} {name.rsplit('.', 1)[1]}", flush=True)

    run([(n, index["mutants"][n]["module"]) for n in todo], limits, args.jobs, on_done)
    text = summary(index, results, sample, args.seed)
    (OUT / "summary.txt").write_text(text + "\n", "utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
