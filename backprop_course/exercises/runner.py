"""Run a check on a learner's submission: never raise, stop code that runs too long.

Time limits. In the main thread on Unix (where a Jupyter kernel runs cells) a
SIGALRM timer raises `TimeLimitExceeded` inside the learner's code, and keeps
raising it every 50 ms until the code stops; each raise also arms a trace function
that raises again at the next line, which is the line inside an `except: pass`
that swallowed the first one. Elsewhere (Windows, or a check called from another
thread) the check runs in a daemon thread, which gets the same exception,
asynchronously and repeatedly. An outer timer (pytest-timeout, say) is re-armed
afterwards. A long call into C (one huge NumPy operation) is only interrupted when
it returns to Python.

Tamper resistance. `grade` takes its own references to the comparison helpers when
this module is imported, and an exercise's reference, cases and mistakes before
the learner's code runs; the verdict is computed from plain float64 arrays.
"""

from __future__ import annotations

import ctypes
import functools
import hashlib
import linecache
import math
import os
import signal
import sys
import sysconfig
import threading
import time
from pathlib import Path

from .. import autodiff
from . import registry
from .checking import (
    BY_HAND,
    MESSAGE_CAP,
    Failure,
    NotWrittenYet,
    cap,
    code_objects,
    decide,
    fresh,
    library_rules,
    seen_of,
    submission_kind_error,
    watching,
)
from .result import ERROR, INCORRECT, NOT_ATTEMPTED, PASSED, TIMEOUT, Result
from .store import ProgressStore

_PACKAGE = str(Path(__file__).resolve().parents[1])
TIME_LIMIT_ENV = "BACKPROP_COURSE_TIME_LIMIT"
REPEAT_S = 0.05  # once time is up, raise again this often until the code stops
GIVE_UP_S = 5.0  # off the main thread: how long to keep trying to stop a worker before reporting anyway


class TimeLimitExceeded(BaseException):
    """Raised inside code that ran past its time limit (a BaseException, so `except Exception` can't swallow it).

    Creating one arms, in the thread that raises it, a trace function that raises it
    again at the next line of the learner's code.
    """

    def __init__(self, *args):
        super().__init__(*args)
        _arm(sys._getframe(1))


# Code that is not the learner's: this package, the standard library and installed packages. It is never
# interrupted by the trace function, so its clean-up (a `with` block's exit, say) always runs.
_NOT_LEARNERS = tuple({_PACKAGE, os.path.dirname(os.__file__),
                       *(sysconfig.get_paths()[k] for k in ("stdlib", "platstdlib", "purelib", "platlib"))})
_guards = {}  # thread id -> the frame of the check that is timing the learner's code


def _stop_tracer(frame, event, arg):
    if not frame.f_code.co_filename.startswith(_NOT_LEARNERS):
        raise TimeLimitExceeded(0)  # CPython then unsets tracing; _rearm sets it again at the next call or return
    return None


def _rearm(frame, event, arg):
    if sys.gettrace() is None:
        _arm(frame)


def _arm(frame):
    """From `frame` up to the check, make every learner line raise TimeLimitExceeded."""
    guard = _guards.get(threading.get_ident())
    if guard is None:
        return
    while frame is not None and frame is not guard:
        if not frame.f_code.co_filename.startswith(_NOT_LEARNERS):
            frame.f_trace, frame.f_trace_lines = _stop_tracer, True
        frame = frame.f_back
    sys.settrace(_stop_tracer)
    sys.setprofile(_rearm)


def _unarm(guard_frame, previous_trace, previous_profile):
    _guards.pop(threading.get_ident(), None)
    sys.settrace(previous_trace)
    sys.setprofile(previous_profile)
    guard_frame.f_trace = None


def call_with_time_limit(fn, seconds):
    previous_hook = sys.unraisablehook

    def quiet(unraisable):  # the limit, raised again in a generator being finalized, is no news
        if not isinstance(unraisable.exc_value, TimeLimitExceeded):
            previous_hook(unraisable)

    sys.unraisablehook = quiet
    try:
        if hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread():
            return _with_alarm(fn, seconds)
        return _in_thread(fn, seconds)
    finally:
        sys.unraisablehook = previous_hook


def _with_alarm(fn, seconds):
    def on_alarm(signum, frame):
        raise TimeLimitExceeded(seconds)

    start, trace, profile = time.monotonic(), sys.gettrace(), sys.getprofile()
    previous = signal.signal(signal.SIGALRM, on_alarm)
    outer_delay, outer_interval = signal.setitimer(signal.ITIMER_REAL, seconds, REPEAT_S)
    _guards[threading.get_ident()] = sys._getframe()
    try:
        return fn()
    finally:
        try:
            signal.setitimer(signal.ITIMER_REAL, 0)  # an alarm already pending still lands here
        finally:
            _unarm(sys._getframe(), trace, profile)
            signal.signal(signal.SIGALRM, previous if previous is not None else signal.SIG_DFL)
            if outer_delay:
                remaining = outer_delay - (time.monotonic() - start)
                signal.setitimer(signal.ITIMER_REAL, max(remaining, 1e-3), outer_interval)


def _in_thread(fn, seconds):
    box = {}

    def target():
        _guards[threading.get_ident()] = sys._getframe()
        try:
            box["value"] = fn()
        except BaseException as exc:  # handed back to the caller's thread
            box["error"] = exc
        finally:
            _unarm(sys._getframe(), None, None)

    worker = threading.Thread(target=target, daemon=True, name="backprop-course-check")
    worker.start()
    worker.join(seconds)
    deadline = time.monotonic() + GIVE_UP_S
    while worker.is_alive() and time.monotonic() < deadline:
        ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(worker.ident), ctypes.py_object(TimeLimitExceeded))
        worker.join(REPEAT_S)
    if worker.is_alive() or isinstance(box.get("error"), TimeLimitExceeded):
        raise TimeLimitExceeded(seconds)
    if "error" in box:
        raise box["error"]
    return box.get("value")


def describe_exception(exc):
    """'ZeroDivisionError: division by zero (line 3, in scalar_backward: `return 1 / 0`)'.

    The line is the deepest frame outside this package, which is the learner's. The
    learner's text is capped, and an exception whose str() fails is still described.
    """
    try:
        text = str(exc)
    except BaseException:  # noqa: BLE001 - a learner's __str__ may raise anything
        text = "(its message could not be shown)"
    name = type(exc).__name__
    text = f"{name}: {cap(text)}" if text else name
    try:
        frame = _deepest_learner_frame(exc.__traceback__)
    except BaseException:  # noqa: BLE001
        frame = None
    if frame is not None:
        filename, lineno, name = frame
        line = linecache.getline(filename, lineno).strip()
        code = f": `{cap(line, 200)}`" if line else ""
        text += f" (line {lineno}, in {name}{code})"
    return text


@functools.lru_cache(maxsize=256)
def _in_package(filename):
    return str(Path(filename).resolve()).startswith(_PACKAGE)


def _deepest_learner_frame(tb):
    """(filename, line, function) of the deepest frame outside this package; quick on a million-deep traceback."""
    found = None
    while tb is not None:
        code = tb.tb_frame.f_code
        if not _in_package(code.co_filename):
            found = (code.co_filename, tb.tb_lineno, code.co_name)
        tb = tb.tb_next
    return found


def time_limit_scale():
    """The factor BACKPROP_COURSE_TIME_LIMIT asks for, and a note if the setting was unusable."""
    raw = os.environ.get(TIME_LIMIT_ENV, "").strip()
    if not raw:
        return 1.0, None
    try:
        scale = float(raw)
    except ValueError:
        scale = math.nan
    if not (math.isfinite(scale) and 0 < scale <= 1000):
        return 1.0, (f"{TIME_LIMIT_ENV}={cap(raw, 40)} was ignored: it must be a positive, finite factor "
                     "(at most 1000), such as 3 on a slow machine.")
    return scale, None


# The check -----------------------------------------------------------------------------------------------
def _forbidden(ex):
    """{code object: message} for the library code an answer must not use."""
    found = library_rules() if ex.by_hand else {}
    found.update((code, message) for target, message in ex.own_work for code in code_objects(target))
    return found


def _make_grade():
    """`grade(exercise, submission, tester)`, with every helper it needs bound now, before learner code runs."""
    disabled, refused = autodiff.differentiation_disabled, autodiff.DifferentiationDisabled
    failure, kind_error, numbers_of, verdict = Failure, submission_kind_error, seen_of, decide
    by_hand_message, watch = BY_HAND, watching

    def learner_call(ex, call, args):
        """Run the learner's part of a case under the exercise's rules."""
        with watch(_forbidden(ex)) as used:
            try:
                if ex.by_hand:
                    with disabled(by_hand_message):
                        out = call(*args)
                else:
                    out = call(*args)
            except refused:
                raise failure(by_hand_message) from None
            except Exception:
                if used:  # the forbidden call is the news, not what went wrong after it
                    raise failure(used[0]) from None
                raise
        if used:
            raise failure(used[0])
        return out

    def grade(ex, submission, t):
        reference, probe, mistakes, names = ex.reference, ex.probe, tuple(ex.mistakes), tuple(ex.outputs)
        why = kind_error(submission, reference, ex.name)
        if why:
            raise failure(why)

        def safely(answer, args):
            try:
                return numbers_of(probe(answer, *fresh(args)), names)
            except Exception:  # a mistake that cannot run on this case matches nothing
                return None

        for case in list(ex.cases()):
            t.case(case.description)
            expected = probe(reference, *fresh(case.args))
            got = learner_call(ex, lambda *a: probe(submission, *a), fresh(case.args))
            if got is None:
                raise failure(f"{ex.name} returned None: is a `return` missing?")
            expected, got = numbers_of(expected, names), numbers_of(got, names)
            known = ((o, m.message) for m in mistakes if (o := safely(m.answer, case.args)) is not None)
            verdict(ex, got, fresh(case.args), expected, known)

    return grade


grade = _make_grade()


class Tester:
    """Records what a check tested; `current` is the case being tested now."""

    def __init__(self):
        self.tested, self.current = [], None

    def case(self, description):
        self.tested.append(description)
        self.current = description


def run(exercise, submission, time_limit=None):
    """Run the exercise's check; return (status, why, tester, failure-or-None, notes)."""
    t = Tester()
    scale, note = time_limit_scale()
    notes = [note] if note else []
    limit = exercise.time_limit * scale
    if time_limit is not None:
        if isinstance(time_limit, (int, float)) and math.isfinite(time_limit) and time_limit > 0:
            limit = float(time_limit)
        else:
            notes.append(f"time_limit={cap(repr(time_limit), 40)} was ignored: it must be a positive, finite "
                         "number of seconds.")
    try:
        call_with_time_limit(lambda: grade(exercise, submission, t), limit)
    except Failure as failure:
        return INCORRECT, cap(failure.why, 2 * MESSAGE_CAP), t, failure, notes
    except NotWrittenYet as exc:
        return NOT_ATTEMPTED, f"Not attempted yet: {exc}, then run this check again.", t, None, notes
    except NotImplementedError as exc:
        where = f" ({describe_exception(exc).split(': ', 1)[-1]})" if str(exc) else ""
        return NOT_ATTEMPTED, f"Not attempted yet: the code still raises NotImplementedError{where}. " \
                              f"Replace `raise NotImplementedError` with your code, then run this check again.", \
            t, None, notes
    except TimeLimitExceeded:
        why = (f"Stopped after {limit:g} s: your code ran far longer than a solution needs. Look for a loop that "
               "never ends, or one that revisits nodes it has already seen.")
        return TIMEOUT, f"{why} {exercise.timeout_why}".strip(), t, None, notes
    except KeyboardInterrupt:
        raise  # the learner interrupted the kernel: stop the check
    except RecursionError as exc:
        return ERROR, (f"Your code raised {describe_exception(exc)}. Python allows about 1000 nested calls; "
                       "use a loop with an explicit stack instead of recursion."), t, None, notes
    except BaseException as exc:  # noqa: BLE001 - the learner's code crashed (or exited): report it, never raise
        why = f"Your code raised {describe_exception(exc)}."
        if isinstance(exc, (SystemExit, GeneratorExit)) or not isinstance(exc, Exception):
            why += " A check cannot be left early: return your answer instead."
        try:
            advice = exercise.advice(exc) if exercise.advice else None
        except Exception:  # noqa: BLE001
            advice = None
        return ERROR, why + (f" {advice}" if advice else ""), t, None, notes
    return PASSED, f"Correct! All {len(t.tested)} cases passed.", t, None, notes


def check(exercise_id, submission, *, time_limit=None):
    """Check `submission` for exercise `exercise_id`; return a Result (truthy iff it passed).

    Never raises for anything the learner's code or the progress file does (only a
    kernel interrupt stops it); an unknown id raises UnknownExerciseError listing
    the valid ids.
    """
    exercise = registry.get(exercise_id)
    status, why, t, failure, notes = run(exercise, submission, time_limit)
    passed = status == PASSED
    failed_part = getattr(failure, "part", None)
    result = Result(
        exercise_id=exercise.id, title=exercise.title, status=status,
        points=exercise.points if passed else 0, max_points=exercise.points, message=why, tested=t.tested,
        case=t.current if status in (INCORRECT, ERROR, TIMEOUT) else None,
        expected=failure.expected if failure else None, got=failure.got if failure else None, notes=notes,
    )
    if status in (INCORRECT, ERROR, TIMEOUT) and exercise.hints:
        result.hint = f'Stuck? hint("{exercise.id}") gives a hint.'
    if failed_part is not None and failed_part in exercise.outputs:
        passed_parts = list(exercise.outputs[:exercise.outputs.index(failed_part)])
    else:
        passed_parts = []
    try:
        store = ProgressStore()
        store.record(result, passed_parts)
        result.notes.extend(store.notices)
    except Exception as exc:  # noqa: BLE001 - progress is a convenience; it never breaks a check
        result.notes.append(f"Progress could not be saved: {cap(exc, 200)}")
    _under_nbgrader(result)
    return result


class NotGradedHere(Exception):
    """Raised by a check that nbgrader runs in a kernel (see _under_nbgrader)."""


def _under_nbgrader(result):
    """nbgrader's validate counts a check cell that raises as failed; its autograde must not run checks in a
    kernel at all (the exported config grades with the formal grader instead), so there a check fails loudly
    rather than give points a kernel's code could have faked."""
    mode = os.environ.get("NBGRADER_EXECUTION")
    if mode == "autograde":
        raise NotGradedHere("This check is graded by backprop_course's formal grader: run nbgrader autograde with "
                            "the nbgrader_config.py that `backprop_course.instructor export-nbgrader` wrote.")
    if mode == "validate" and not result.passed:
        raise NotGradedHere(f"{result.exercise_id}: {result.status}. {result.message}")


def next_hint(exercise, store):
    """The next hint in order (the last one repeats), counting it as shown. Hints about parts that passed in
    the last attempt are left out; a count kept for other hints (an older course) starts again."""
    if not exercise.hints:
        return None
    key = hashlib.sha256(repr(exercise.hints).encode()).hexdigest()[:12]

    def advance(entry):
        shown = entry["hints_shown"] if entry.get("hints_key") == key else 0
        entry.update(hints_shown=shown + 1, hints_key=key)

    entry = store.update(exercise.id, advance)
    texts = exercise.hint_texts(entry.get("passed_parts", []))
    n = min(entry["hints_shown"], len(texts))
    return f"({n}/{len(texts)}) {texts[n - 1]}"
