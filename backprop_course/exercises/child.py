"""The answer's side of formal grading: a worker that runs learner code only in forked children.

formal.Grader starts one worker (`python -I`, a clean environment, a fresh temporary
folder) and sends it one JSON line per exercise: {"exercise", "cells", "cpu", "memory",
"nonce"}. The worker, which never runs learner code itself, forks a child per request
and answers with two JSON lines, each with the request's nonce: {"pid": the child's pid}
at once (so the grader can kill the child's process group when time is up), then
{"ended": how the child ended, "output": what it wrote}; what arrives on its stdin while
a child runs is dropped (only a child could have written it). The child, in a process
group of its own, under hard CPU, memory, file-size and process limits (and as `nobody`
if the grader runs as root), replays the notebook's earlier cells (replay.py), then runs
the exercise's probe, `probe(answer, *case.args)`, on every case and writes plain data
only: per case, the named numbers it saw as float64 arrays, or the Failure of an answer
the probe could not read, or the crash that stopped it. It decides nothing: the grader
runs the diagnoses and compares.

By-hand exercises: before any learner code runs, every function of the engine's modules
gets a body that raises (found through the garbage collector, so threads, profilers and
stray references reach the stub too), and importing the engine's modules afresh, or
another differentiation package, is refused.
"""

from __future__ import annotations

import base64
import gc
import json
import linecache
import os
import resource
import select
import signal
import sys
import tempfile
import types

import numpy as np

from . import registry
from . import replay as replaying
from .checking import BY_HAND, Failure, cap, fresh, seen_of, submission_kind_error, watching

UNREPORTED = 3  # the child's exit status when it could not write its report
STATEMENT_S = 3.0  # seconds a replayed statement may take (an import, a def, an assignment)
MAX_OUTPUT = 8 * 2**20  # bytes a child may send back (the largest report is under 1 MiB); more cannot be read
HANDS_OFF = "backprop_course: differentiation is switched off in a by-hand exercise"
DIFFERENTIATION_PACKAGES = ("torch", "jax", "jaxlib", "autograd", "tensorflow", "mxnet", "sympy")
ENGINE = tuple(f"backprop_course.{m}" for m in ("autodiff", "autograd", "ops", "func", "gradcheck", "tensor",
                                                 "creation", "value", "operators", "nn"))


# The child ------------------------------------------------------------------------------------------------
def _stub_code(free, _cache={}):  # noqa: B006 - a cache on purpose
    """A function body that raises HANDS_OFF, with `free` free variables (so it fits any closure)."""
    if free not in _cache:
        names = [f"v{i}" for i in range(free)]
        source = ("def outer():\n" + "".join(f"    {n} = 0\n" for n in names) + "    def stub(*args, **kwargs):\n"
                  + (f"        ({', '.join(names)},)\n" if names else "")
                  + f"        raise RuntimeError({HANDS_OFF!r})\n    return stub\n")
        space = {}
        exec(source, space)  # noqa: S102 - our own constant source
        _cache[free] = space["outer"]().__code__
    return _cache[free]


def _switch_off_engine():
    """Give every function of the engine's modules a body that raises HANDS_OFF."""
    for obj in gc.get_objects():
        if isinstance(obj, types.FunctionType) and getattr(obj, "__module__", None) in ENGINE:
                obj.__code__ = _stub_code(len(obj.__code__.co_freevars))


class _Refuse:
    """An import hook: no differentiation package, and no library module not already loaded."""

    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in DIFFERENTIATION_PACKAGES or name.startswith("backprop_course"):
            raise ImportError(f"{name} cannot be imported in a by-hand exercise")
        return None


def _limits(cpu, memory):
    """Hard limits the child cannot raise again: CPU seconds, address space, file size and new processes."""
    vm = 0
    try:
        with open("/proc/self/status") as status:
            vm = next(int(line.split()[1]) * 1024 for line in status if line.startswith("VmSize:"))
    except (OSError, StopIteration, ValueError):
        pass
    for which, value in ((resource.RLIMIT_CPU, int(cpu) + 1), (resource.RLIMIT_AS, vm + memory),
                         (resource.RLIMIT_FSIZE, 2**20), (resource.RLIMIT_NPROC, 0), (resource.RLIMIT_CORE, 0)):
        try:
            resource.setrlimit(which, (value, value))
        except (ValueError, OSError):
            pass  # a platform without this limit: the grader's wall clock still holds


def _drop_root(folder):
    """Run as `nobody` when grading runs as root: then the answer cannot signal the grader, read its pipes or
    write its files (the gradebook), and the process limit holds."""
    if os.name != "posix" or os.geteuid() != 0:
        return
    try:
        import pwd

        uid, gid = pwd.getpwnam("nobody")[2:4]
    except (ImportError, KeyError):
        uid = gid = 65534
    os.chown(folder, uid, gid)
    os.setgroups([])
    os.setgid(gid)
    os.setuid(uid)


def _array(a):
    return {"shape": list(a.shape), "b64": base64.b64encode(np.ascontiguousarray(a, dtype="<f8").tobytes()).decode()}


def _describe(exc):
    """A crash as plain text, even when its type or message cannot be shown."""
    from .runner import describe_exception

    try:
        return describe_exception(exc)
    except BaseException:  # noqa: BLE001 - a raising __name__ on a metaclass, say
        return "an exception that cannot be described"


def _text(value):
    """`value` as capped text (None stays None), even when its __str__ raises."""
    if value is None:
        return None
    try:
        return cap(str(value))
    except BaseException:  # noqa: BLE001 - a learner's object with a raising __str__
        return "(a value that cannot be shown)"


class _Slow(BaseException):
    """Raised in a replayed statement that runs past STATEMENT_S."""


def _too_slow(signum, frame):
    raise _Slow


def _replay(statements, namespace):
    """Run each statement as the kernel did; one that fails or runs past STATEMENT_S leaves its names out (a loop
    inside C cannot be interrupted: the grader's wall clock ends that)."""
    previous = signal.signal(signal.SIGALRM, _too_slow)
    for number, statement in enumerate(statements):
        filename = f"<your cell, part {number}>"  # linecache then shows a crash's line of code
        linecache.cache[filename] = (len(statement), None, statement.splitlines(True), filename)
        try:
            if not statement.lstrip().startswith(("import ", "from ")):  # an import may be slow, and is never a loop
                signal.setitimer(signal.ITIMER_REAL, STATEMENT_S)
            exec(compile(statement, filename, "exec"), namespace)  # noqa: S102 - the learner's code, here only
        except BaseException:  # noqa: BLE001, S110 - it failed in the kernel too: its names are missing
            pass
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
    signal.signal(signal.SIGALRM, previous)


def probe(exercise, cells):
    """What the child reports for the learner's code in `cells` (a dict of plain data)."""
    from .runner import _forbidden

    forbidden = _forbidden(exercise) if not exercise.by_hand else \
        {c: m for c, m in _forbidden(exercise).items() if m != BY_HAND}
    cases = list(exercise.cases())  # before the engine is switched off: a case may be built with it
    if exercise.by_hand:
        _switch_off_engine()
        sys.meta_path.insert(0, _Refuse())
    plan = replaying.replay(cells, exercise.name)
    report = {"syntax_errors": [list(e) for e in plan.syntax_errors], "defined": plan.defined, "cases": []}
    if not plan.defined:
        return report
    namespace = {"__name__": "__main__"}
    _replay(([exercise.imports] if exercise.imports else []) + list(plan.statements), namespace)
    answer = namespace.get(exercise.name)
    why = submission_kind_error(answer, exercise.reference, exercise.name)
    if why:
        report["cases"].append({"failure": {"why": why}})
        return report
    for case in cases:
        report["cases"].append(_one_case(exercise, answer, case, forbidden))
        if "ok" not in report["cases"][-1]:
            break
    return report


def _advice(exercise, exc):
    try:
        return _text(exercise.advice(exc)) if exercise.advice else None
    except BaseException:  # noqa: BLE001 - advice is a courtesy
        return None


def _one_case(exercise, answer, case, forbidden):
    try:
        with watching(forbidden) as used:
            try:
                out = exercise.probe(answer, *fresh(case.args))
            except Exception:
                if used:
                    raise Failure(used[0]) from None
                raise
        if used:
            raise Failure(used[0])
        if out is None:  # a missing return, which the grader names
            return {"ok": None}
        return {"ok": {name: _array(a) for name, a in seen_of(out, tuple(exercise.outputs)).items()}}
    except Failure as failure:
        return {"failure": {k: _text(getattr(failure, k, None)) for k in ("why", "expected", "got", "part")}}
    except NotImplementedError as exc:
        return {"not_attempted": _describe(exc)}
    except RecursionError as exc:
        return {"error": _describe(exc), "kind": "recursion"}
    except MemoryError:
        return {"error": "MemoryError", "kind": "memory"}
    except BaseException as exc:  # noqa: BLE001 - the learner's crash, described
        return _crash(exercise, exc)


def _crash(exercise, exc):
    try:
        if type(exc) is RuntimeError and len(exc.args) == 1 and type(exc.args[0]) is str and exc.args[0] == HANDS_OFF:
            return {"failure": {"why": BY_HAND}}
        return {"error": _describe(exc), "kind": "exit" if isinstance(exc, (SystemExit, GeneratorExit)) else "",
                "advice": _advice(exercise, exc)}
    except BaseException:  # noqa: BLE001 - an exception object built to break whoever looks at it
        return {"error": "an exception that cannot be described", "kind": ""}


def _child(request, fd):
    """In the forked child: limits, a fresh folder, silence, the probe, the report on `fd`; never returns."""
    code = 0
    try:
        os.setpgid(0, 0)
        folder = tempfile.mkdtemp(prefix="answer-")
        os.chdir(folder)
        null = os.open(os.devnull, os.O_RDWR)
        for std in (0, 1, 2):
            os.dup2(null, std)
        _limits(request["cpu"], request["memory"])
        _drop_root(folder)
        sys.setrecursionlimit(1000)
        exercise = registry.get(request["exercise"])
        try:
            report = probe(exercise, request["cells"])
        except MemoryError:
            report = {"crash": "memory"}
        data = json.dumps(report).encode()
        with os.fdopen(fd, "wb", closefd=False) as pipe:
            pipe.write(data)
    except BaseException:  # noqa: BLE001 - the grader sees no report and says so
        code = UNREPORTED
    os._exit(code)


# The worker -----------------------------------------------------------------------------------------------
def _send(message):
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


def _collect(pid, fd):
    """The child's report (at most MAX_OUTPUT bytes) and how it ended. Reading stops once the child has ended,
    even if a process it started still holds the pipe open."""
    chunks, size, status = [], 0, None
    while True:
        readable = select.select([fd], [], [], 0.05)[0]
        chunk = os.read(fd, 1 << 20) if readable else None
        if chunk:
            if size < MAX_OUTPUT:
                chunks.append(chunk[:MAX_OUTPUT - size])
            size += len(chunk)
            continue
        if chunk == b"" or status is not None:
            break  # end of the pipe, or the child ended and nothing was left to read
        done, code = os.waitpid(pid, os.WNOHANG)
        if done:
            status = code
    os.close(fd)
    if status is None:
        status = os.waitpid(pid, 0)[1]
    try:
        os.killpg(pid, signal.SIGKILL)  # whatever it started and left behind
    except OSError:
        pass
    ended = {"signal": os.WTERMSIG(status)} if os.WIFSIGNALED(status) else {"exit": os.WEXITSTATUS(status)}
    output = b"".join(chunks).decode("utf-8", "replace") if size <= MAX_OUTPUT else None
    return ended, output


def _drain(fd):
    """Discard whatever is waiting on `fd`: the grader sends nothing while a child runs, so it was written by the
    child (through /proc, say), and is no request."""
    while select.select([fd], [], [], 0)[0] and os.read(fd, 1 << 20):
        pass


def _requests(fd=0):
    """The grader's requests, one JSON line each, until stdin ends (the grader sends one, then waits)."""
    while True:
        chunks = [os.read(fd, 1 << 20)]
        while chunks[-1] and not chunks[-1].endswith(b"\n"):
            chunks.append(os.read(fd, 1 << 20))
        if not chunks[-1]:
            return
        yield json.loads(b"".join(chunks))


def serve():
    """Answer the grader's requests, echoing each one's nonce, until stdin ends."""
    from . import EXERCISES  # noqa: F401 - registers every exercise before any child is forked

    gc.collect()
    for request in _requests():
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(read)
            _child(request, write)
        os.close(write)
        nonce = request.get("nonce")
        _send({"nonce": nonce, "pid": pid})
        ended, output = _collect(pid, read)
        _drain(0)  # before answering: once answered, the grader's next request may come
        _send({"nonce": nonce, "ended": ended, "output": output})
