"""Run a check on a learner's submission: never raise, stop code that runs too long.

Time limits. In the main thread on Unix (where a Jupyter kernel runs cells)
a SIGALRM timer (`signal.setitimer`) raises `TimeLimitExceeded` inside the
learner's code; an outer timer (pytest-timeout, say) is re-armed afterwards.
Elsewhere (Windows, or a check called from another thread) the check runs in
a daemon thread that is joined with a timeout, and then asked to stop by an
asynchronous exception. Either way a long call into C (one huge NumPy
operation) is only interrupted when it returns to Python.
"""

from __future__ import annotations

import ctypes
import os
import signal
import threading
import time
import traceback
from pathlib import Path

from . import registry
from .checking import Failure, Tester
from .result import ERROR, INCORRECT, NOT_ATTEMPTED, PASSED, TIMEOUT, Result
from .store import ProgressStore

_PACKAGE = str(Path(__file__).resolve().parents[1])
TIME_LIMIT_ENV = "BACKPROP_COURSE_TIME_LIMIT"


class TimeLimitExceeded(BaseException):
    """Raised inside code that ran past its time limit (a BaseException, so `except Exception` can't swallow it)."""


def call_with_time_limit(fn, seconds):
    if hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread():
        return _with_alarm(fn, seconds)
    return _in_thread(fn, seconds)


def _with_alarm(fn, seconds):
    def on_alarm(signum, frame):
        raise TimeLimitExceeded(seconds)

    start = time.monotonic()
    previous = signal.signal(signal.SIGALRM, on_alarm)
    outer_delay, outer_interval = signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        return fn()
    finally:
        try:
            signal.setitimer(signal.ITIMER_REAL, 0)  # an alarm already pending still lands here
        finally:
            signal.signal(signal.SIGALRM, previous if previous is not None else signal.SIG_DFL)
            if outer_delay:
                remaining = outer_delay - (time.monotonic() - start)
                signal.setitimer(signal.ITIMER_REAL, max(remaining, 1e-3), outer_interval)


def _in_thread(fn, seconds):
    box = {}

    def target():
        try:
            box["value"] = fn()
        except BaseException as exc:  # handed back to the caller's thread
            box["error"] = exc

    worker = threading.Thread(target=target, daemon=True, name="backprop-course-check")
    worker.start()
    worker.join(seconds)
    if worker.is_alive():
        ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(worker.ident), ctypes.py_object(TimeLimitExceeded))
        worker.join(1.0)
        raise TimeLimitExceeded(seconds)
    if "error" in box:
        raise box["error"]
    return box.get("value")


def describe_exception(exc):
    """'ZeroDivisionError: division by zero (line 3, in scalar_backward: `return 1 / 0`)'.

    The line is the deepest frame outside this package, which is the learner's.
    """
    frames = traceback.extract_tb(exc.__traceback__)
    own = [f for f in frames if not str(Path(f.filename).resolve()).startswith(_PACKAGE)]
    frame = (own or frames or [None])[-1]
    text = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    if frame is not None:
        code = f": `{frame.line.strip()}`" if frame.line else ""
        text += f" (line {frame.lineno}, in {frame.name}{code})"
    return text


def _time_limit(exercise):
    try:
        scale = float(os.environ.get(TIME_LIMIT_ENV, "1"))
    except ValueError:
        scale = 1.0
    return exercise.time_limit * max(scale, 0.01)


def run(exercise, submission, time_limit=None):
    """Run the exercise's check; return (status, why, tester, failure-or-None)."""
    t = Tester()
    limit = time_limit or _time_limit(exercise)
    try:
        call_with_time_limit(lambda: exercise.check(t, submission), limit)
    except Failure as failure:
        return INCORRECT, failure.why, t, failure
    except NotImplementedError as exc:
        where = f" ({exc})" if str(exc) else ""
        return NOT_ATTEMPTED, f"Not attempted yet: the code still raises NotImplementedError{where}. " \
                              f"Replace `raise NotImplementedError` with your code, then run this check again.", t, None
    except TimeLimitExceeded:
        return TIMEOUT, (f"Stopped after {limit:g} s: your code ran far longer than a solution needs. "
                         "Look for a loop that never ends, or one that revisits nodes it has already seen."), t, None
    except RecursionError as exc:
        return ERROR, (f"Your code raised {describe_exception(exc)}. Python allows about 1000 nested calls; "
                       "use a loop with an explicit stack instead of recursion."), t, None
    except Exception as exc:  # the learner's code crashed: report it, never raise
        why = f"Your code raised {describe_exception(exc)}."
        advice = exercise.advice(exc) if exercise.advice else None
        return ERROR, why + (f" {advice}" if advice else ""), t, None
    return PASSED, f"Correct! All {len(t.tested)} cases passed.", t, None


def check(exercise_id, submission, *, time_limit=None):
    """Check `submission` for exercise `exercise_id`; return a Result (truthy iff it passed).

    Never raises for a wrong or unfinished answer; an unknown id raises
    UnknownExerciseError listing the valid ids.
    """
    exercise = registry.get(exercise_id)
    status, why, t, failure = run(exercise, submission, time_limit)
    passed = status == PASSED
    result = Result(
        exercise_id=exercise.id, title=exercise.title, status=status,
        points=exercise.points if passed else 0, max_points=exercise.points, message=why, tested=t.tested,
        case=t.current if status in (INCORRECT, ERROR, TIMEOUT) else None,
        expected=failure.expected if failure else None, got=failure.got if failure else None,
    )
    store = ProgressStore()
    try:
        store.record(result)
        if status in (INCORRECT, ERROR, TIMEOUT):  # a stub still to be written uses up no hint
            result.hint = next_hint(exercise, store)
    except OSError as exc:  # progress is a convenience; a read-only home must not break a check
        result.notes.append(f"Progress could not be saved: {exc}")
    result.notes.extend(store.notices)
    return result


def next_hint(exercise, store):
    """The next hint in order (the last one repeats), counting it as shown."""
    if not exercise.hints:
        return None
    entry = store.update(exercise.id, lambda e: e.update(hints_shown=e["hints_shown"] + 1))
    n = min(entry["hints_shown"], len(exercise.hints))
    return f"({n}/{len(exercise.hints)}) {exercise.hints[n - 1]}"
