"""Formal grading: the verdict comes from a process in which no learner code ever ran.

    python -m backprop_course.exercises.formal NOTEBOOK.ipynb [EXERCISE_ID ...]

grades a saved notebook (every exercise it has a check for, or those named) and prints
one verdict per exercise; the nbgrader export grades the same way (nbgrade.py).

A `Grader` is that process's side. It starts one worker (child.py) in isolated mode
(`python -I`: neither the working folder nor PYTHON* variables reach sys.path), with a
clean environment, in a fresh temporary folder, in a session of its own. For each
exercise the worker forks a child that replays the notebook's cells up to the check
and runs the exercise's probe on every case, under hard CPU and memory limits, and
sends back plain numbers (JSON, arrays as float64 bytes: nothing is unpickled). The
grader enforces the wall clock itself: when time is up it kills the child's and the
worker's process groups. It computes the reference and every declared mistake on the
same cases, runs the diagnoses on the learner's numbers, compares (checking.decide) and
alone decides.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
import os
import secrets
import selectors
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from . import registry
from .checking import Failure, cap, decide, fresh, seen_of
from .child import UNREPORTED
from .result import ERROR, INCORRECT, NOT_ATTEMPTED, PASSED, TIMEOUT

MEMORY = 2 * 2**30  # bytes of address space an answer may add to the worker's
START_S = 120.0  # how long the worker may take to import numpy and the library
SLACK_S = 3.0  # wall-clock seconds on top of an exercise's limit, for replaying the notebook's cells
MAX_LINE = 96 * 2**20
_PACKAGE_PARENT = str(Path(__file__).resolve().parents[2])
_BOOT = ("import sys; sys.path.insert(0, {path!r}); "
         "from backprop_course.exercises import child; print('{{\"ready\": true}}', flush=True); child.serve()")


@dataclass
class Verdict:
    """One exercise's formal grade: what the student reads, and `mistake`, the declared mistake that matched."""

    exercise_id: str
    status: str
    points: int
    max_points: int
    message: str
    case: str | None = None
    expected: str | None = None
    got: str | None = None
    mistake: str | None = None

    @property
    def passed(self):
        return self.status == PASSED

    def text(self):
        unit = "point" if self.max_points == 1 else "points"
        lines = [f"{self.exercise_id}: {self.status} ({self.points}/{self.max_points} {unit})", self.message]
        lines += [f"{label}: {value}" for label, value in (("Failing case", self.case), ("Expected", self.expected),
                                                            ("Got", self.got)) if value]
        return "\n".join(cap(line) for line in lines)

    def record(self):
        """Plain data for reports (kept in the graded notebook's cell output)."""
        return asdict(self)


def mistake_name(exercise, message):
    """A short, stable name for the declared mistake with this message, or None: its function's name when that
    names it alone (`no_factor_two`), otherwise the message's opening words."""
    names = [getattr(m.answer, "__name__", "<lambda>") for m in exercise.mistakes]
    for mistake, name in zip(exercise.mistakes, names):
        if mistake.message == message:
            if name != "<lambda>" and names.count(name) == 1:
                return name.strip("_")
            words = message.split(":")[0].split(". ")[0]
            return words if len(words) <= 60 else words[:57].rsplit(" ", 1)[0] + "…"
    return None


def _time_scale():
    from .runner import time_limit_scale

    return time_limit_scale()[0]


def _decode(value, names):
    """The child's numbers ({name: {"shape", "b64"}}) as {name: float64 array}, or None if they are not that or
    lack one of `names`."""
    if not (isinstance(value, dict) and all(n in value for n in names)):
        return None
    seen = {}
    for name, item in value.items():
        try:
            shape = tuple(int(n) for n in item["shape"])
            raw = base64.b64decode(item["b64"], validate=True)
            seen[str(name)] = np.frombuffer(raw, dtype="<f8").reshape(shape).astype(np.float64)
        except (KeyError, TypeError, ValueError, binascii.Error):
            return None
    return seen


class Grader:
    """Grades exercises for many notebooks with one worker; references and mistakes are computed once each."""

    def __init__(self, memory=MEMORY):
        self.memory = memory
        self._proc = self._folder = None
        self._buffer = bytearray()
        self._references, self._mistakes = {}, {}
        self._cases = {}

    # the worker ---------------------------------------------------------------------------------------
    def _start(self):
        self._folder = tempfile.mkdtemp(prefix="backprop-course-grading-")
        env = {"PATH": os.defpath, "LANG": "C.UTF-8", "HOME": self._folder, "MPLBACKEND": "Agg",
               "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
               "BACKPROP_COURSE_PROGRESS": os.path.join(self._folder, "progress.json")}
        self._proc = subprocess.Popen(
            [sys.executable, "-I", "-c", _BOOT.format(path=_PACKAGE_PARENT)], stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, cwd=self._folder, env=env, start_new_session=True)
        self._buffer = bytearray()
        if self._line(time.monotonic() + START_S) != {"ready": True}:
            self.close()
            raise RuntimeError("the grading worker did not start")

    def close(self):
        """Stop the worker (and anything of it still running)."""
        if self._proc is not None:
            _kill_group(self._proc.pid)
            _kill_session(self._proc.pid)  # its children too, whichever process group they moved to
            self._proc.wait()
            for stream in (self._proc.stdin, self._proc.stdout):
                stream.close()
            self._proc = None
        if self._folder:
            shutil.rmtree(self._folder, ignore_errors=True)
            self._folder = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def _line(self, deadline, nonce=None, key=None):
        """The worker's next JSON line (the next one that carries `nonce` and `key`, if given), or None when the
        deadline passes or the worker is gone. An answer can write into the worker's output (through /proc, say):
        what it writes there carries no later request's nonce, so it decides no other exercise."""
        fd = self._proc.stdout.fileno()
        with selectors.DefaultSelector() as selector:
            selector.register(fd, selectors.EVENT_READ)
            while True:
                complete = b"\n" in self._buffer
                while not complete:  # a bytearray, and only the new chunk searched: linear in the line's length
                    left = deadline - time.monotonic()
                    if left <= 0 or not selector.select(left):
                        return None
                    chunk = os.read(fd, 1 << 20)
                    if not chunk or len(self._buffer) > MAX_LINE:
                        return None
                    self._buffer += chunk
                    complete = b"\n" in chunk
                line, self._buffer = self._buffer.split(b"\n", 1)
                message = parse(line)
                if nonce is None or (isinstance(message, dict) and message.get("nonce") == nonce and key in message):
                    return message

    def _probe(self, exercise, cells, limit):
        """(how the child ended, its report or None, whether time ran out)."""
        if self._proc is None or self._proc.poll() is not None:
            self.close()
            self._start()
        nonce = secrets.token_hex(16)  # made now: no earlier answer can know it
        request = {"exercise": exercise.id, "cells": [c if isinstance(c, str) else "" for c in cells],
                   "cpu": math.ceil(limit), "memory": self.memory, "nonce": nonce}
        self._proc.stdin.write((json.dumps(request) + "\n").encode())
        self._proc.stdin.flush()
        deadline = time.monotonic() + limit + SLACK_S
        started = self._line(deadline, nonce, "pid")
        pid = started.get("pid") if isinstance(started, dict) else None
        answer = self._line(deadline, nonce, "ended") if pid else None
        if answer is None:
            if _is_child_of(pid, self._proc.pid):  # an answer can forge this line: kill only the worker's child
                _kill_group(pid)
            self.close()  # a fresh worker for the next exercise
            return None, None, True
        ended, output = answer.get("ended"), answer.get("output")
        ended = {k: v for k, v in ended.items() if k in ("exit", "signal") and type(v) is int} \
            if isinstance(ended, dict) else {}
        return ended, well_formed(parse(output) if isinstance(output, str) else None), False

    # the parent's own computations --------------------------------------------------------------------
    def _case_list(self, exercise):
        if exercise.id not in self._cases:
            self._cases[exercise.id] = list(exercise.cases())
        return self._cases[exercise.id]

    def _outputs(self, exercise, answer, case):
        return seen_of(exercise.probe(answer, *fresh(case.args)), tuple(exercise.outputs))

    def _reference(self, exercise, i):
        key = (exercise.id, i)
        if key not in self._references:
            self._references[key] = self._outputs(exercise, exercise.reference, self._case_list(exercise)[i])
        return self._references[key]

    def _known(self, exercise, i):
        """(outputs, message) of each declared mistake on case i, computed lazily, once."""
        for j, mistake in enumerate(exercise.mistakes):
            key = (exercise.id, i, j)
            if key not in self._mistakes:
                try:
                    self._mistakes[key] = self._outputs(exercise, mistake.answer, self._case_list(exercise)[i])
                except Exception:  # noqa: BLE001 - a mistake that cannot run on this case matches nothing
                    self._mistakes[key] = None
            if self._mistakes[key] is not None:
                yield self._mistakes[key], mistake.message

    # the verdict ----------------------------------------------------------------------------------------
    def grade(self, exercise_id, cells):
        """The Verdict for `exercise_id` when the notebook's code cells before its check are `cells`."""
        exercise = registry.get(exercise_id)
        limit = exercise.time_limit * _time_scale()
        ended, report, timed_out = self._probe(exercise, cells, limit)

        def verdict(status, message, **more):
            points = exercise.points if status == PASSED else 0
            if more.get("mistake") is None and status == INCORRECT:
                more["mistake"] = mistake_name(exercise, message)
            return Verdict(exercise.id, status, points, exercise.points, message, **more)

        if timed_out or (ended or {}).get("signal") in (signal.SIGXCPU, signal.SIGKILL):
            why = (f"Stopped after {limit:g} s: your code ran far longer than a solution needs. Look for a loop "
                   "that never ends, or one that revisits nodes it has already seen.")
            return verdict(TIMEOUT, f"{why} {exercise.timeout_why}".strip())
        if report is None or report.get("crash") == "memory":
            return verdict(ERROR, _crash_message(ended, report))
        if not report["defined"]:
            errors = report["syntax_errors"]
            if errors:
                cell, line, message = errors[-1]
                return verdict(ERROR, f"Python cannot read your code: a syntax error ({cap(message, 200)}) in code "
                                      f"cell {cell}, line {line}. Fix it, run the cell, then run the check again.")
            return verdict(NOT_ATTEMPTED, f"No cell defines `{exercise.name}`: write your answer in its cell and "
                                          "run it.")
        return self._judge(exercise, report["cases"], verdict)

    def _judge(self, exercise, results, verdict):
        cases, names = self._case_list(exercise), tuple(exercise.outputs)
        for i, case in enumerate(cases):
            if i >= len(results):
                return verdict(ERROR, "The grading process stopped before every case was tried.",
                               case=case.description)
            got = results[i]
            if "not_attempted" in got:
                return verdict(NOT_ATTEMPTED, "Not attempted yet: the code still raises NotImplementedError. "
                                              "Replace `raise NotImplementedError` with your code.")
            if "failure" in got:
                failure = got["failure"]
                return verdict(INCORRECT, failure["why"] or "Wrong.", case=case.description,
                               expected=failure["expected"], got=failure["got"])
            if "error" in got:
                return verdict(ERROR, _error_message(got), case=case.description)
            seen = _decode(got.get("ok"), names)
            if seen is None:
                return verdict(INCORRECT, f"{exercise.name} returned None: is a `return` missing?",
                               case=case.description)
            try:
                decide(exercise, seen, fresh(case.args), self._reference(exercise, i), self._known(exercise, i))
            except Failure as failure:
                return verdict(INCORRECT, failure.why, case=case.description, expected=failure.expected,
                               got=failure.got)
            except Exception as exc:  # noqa: BLE001 - a diagnosis that cannot read these numbers: they are not right
                return verdict(INCORRECT, f"Your results could not be checked ({type(exc).__name__}).",
                               case=case.description)
        return verdict(PASSED, f"Correct! All {len(cases)} cases passed.")


def parse(text):
    """JSON from the worker or the answer's process, or None if it is not JSON that can be read (a nesting too
    deep for Python's parser is one way to fail)."""
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        return None


def _text_or_none(value):
    return None if value is None else cap(value if isinstance(value, str) else "(not text)", 2000)


def well_formed(report):
    """The child's report with every part the grader reads of the kind it expects, or None if it is not one (the
    answer runs in the child's process and may have written anything)."""
    if not isinstance(report, dict):
        return None
    if report.get("crash") is not None:
        return {"crash": "memory"} if report["crash"] == "memory" else None
    errors, cases = report.get("syntax_errors", []), report.get("cases", [])
    if not (isinstance(errors, list) and isinstance(cases, list) and all(isinstance(c, dict) for c in cases)
            and all(isinstance(e, list) and len(e) == 3 and type(e[0]) is int and type(e[1]) is int
                    and isinstance(e[2], str) for e in errors)):
        return None
    clean = []
    for case in cases:
        if "not_attempted" in case:
            clean.append({"not_attempted": True})
        elif "failure" in case:
            failure = case["failure"] if isinstance(case["failure"], dict) else {}
            clean.append({"failure": {k: _text_or_none(failure.get(k)) for k in ("why", "expected", "got")}})
        elif "error" in case:
            clean.append({"error": _text_or_none(case["error"]) or "", "advice": _text_or_none(case.get("advice")),
                          "kind": case.get("kind") if case.get("kind") in ("recursion", "memory", "exit") else ""})
        else:
            clean.append({"ok": case.get("ok")})  # read by _decode, which expects nothing of it
    return {"defined": report.get("defined") is True, "syntax_errors": errors, "cases": clean}


def _is_child_of(pid, parent):
    """Is `pid` a process whose parent is `parent` (True where /proc cannot tell)?"""
    if not isinstance(pid, int) or isinstance(pid, bool) or pid <= 1:
        return False
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return int(stat.read().rsplit(")", 1)[1].split()[1]) == parent
    except FileNotFoundError:
        return not os.path.exists("/proc/self/stat")
    except (OSError, ValueError, IndexError):
        return False


def _kill_session(sid):
    """Kill every process of session `sid` (where /proc lists them)."""
    try:
        entries = [e for e in os.listdir("/proc") if e.isdigit()]
    except OSError:
        return
    for entry in entries:
        try:
            with open(f"/proc/{entry}/stat") as stat:
                if int(stat.read().rsplit(")", 1)[1].split()[3]) == sid:
                    os.kill(int(entry), signal.SIGKILL)
        except (OSError, ValueError, IndexError):
            pass


def _kill_group(pid):
    try:
        os.killpg(pid, signal.SIGKILL)
    except OSError:
        pass


def _crash_message(ended, report):
    ended = ended or {}
    if report is not None or not ended:
        return "Your code used more memory than grading allows (about 2 GiB): look for a huge array."
    if ended.get("signal") == signal.SIGSEGV:
        return "Your code crashed Python itself (a segmentation fault), so it could not be graded."
    if "signal" in ended:
        return f"Your code was stopped by signal {ended['signal']} before it could be graded."
    if ended.get("exit") in (UNREPORTED, 0):
        return ("The grading process could not report on your code (it may have closed, replaced or written into "
                "what grading needs, such as its output pipe): return your answer and leave the process alone.")
    return (f"Your code ended the grading process (exit status {ended['exit']}) before it could be graded: "
            "return your answer instead of exiting.")


def _error_message(got):
    text = cap(str(got.get("error")), 2000)
    kind = got.get("kind")
    if kind == "memory":
        return "Your code ran out of memory (about 2 GiB are allowed): look for a huge array."
    if kind == "recursion":
        return (f"Your code raised {text}. Python allows about 1000 nested calls; use a loop with an explicit "
                "stack instead of recursion.")
    if kind == "exit":
        return f"Your code raised {text}. A check cannot be left early: return your answer instead."
    advice = got.get("advice")
    return f"Your code raised {text}." + (f" {cap(str(advice), 1000)}" if advice else "")


# command line ----------------------------------------------------------------------------------------------
def notebook_checks(nb):
    """[(exercise id, code cell sources before its check)] for a notebook's checks, in order."""
    from ..instructor import CHECK_CALL

    found, code = [], []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id", "")
        ids = [grade_id.removesuffix("_check")] if grade_id.endswith("_check") else \
            [exercise_id for exercise_id, _ in CHECK_CALL.findall(cell.source)]
        found += [(i, list(code)) for i in ids if i in registry.EXERCISES]
        code.append(cell.source)
    return found


def main(argv=None):
    import nbformat

    from . import EXERCISES  # noqa: F401 - registers every exercise

    argv = sys.argv[1:] if argv is None else argv
    if not argv:
        print("usage: python -m backprop_course.exercises.formal NOTEBOOK.ipynb [EXERCISE_ID ...]", file=sys.stderr)
        return 2
    nb = nbformat.read(argv[0], as_version=4)
    wanted = set(argv[1:])
    with Grader() as grader:
        for exercise_id, cells in notebook_checks(nb):
            if not wanted or exercise_id in wanted:
                print(grader.grade(exercise_id, cells).text(), end="\n\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
