"""Formal grading: the verdict of a process in which no learner code ran, on the notebook's code cells.

Honest answers that work in the learner's kernel get their points (setup-cell imports, helper cells);
every attack on the grader scores nothing and grading ends within the exercise's limit.
"""

import os
import textwrap
import time
from pathlib import Path

import pytest

from backprop_course.exercises import EXERCISES, reference_source, stub_source
from backprop_course.exercises.formal import SLACK_S, Grader

SCALE = 0.2  # the grader's BACKPROP_COURSE_TIME_LIMIT in these tests: scalar_backward's 10 s become 2 s
SETUP_06 = "import numpy as np\nfrom backprop_course import Tensor\nfrom backprop_course.exercises import check, hint\n"


@pytest.fixture(scope="module")
def grader():
    with Grader() as g:
        yield g


@pytest.fixture(autouse=True)
def short_limits(monkeypatch):
    monkeypatch.setenv("BACKPROP_COURSE_TIME_LIMIT", str(SCALE))


def grade(grader, exercise_id, *cells):
    return grader.grade(exercise_id, [textwrap.dedent(c) for c in cells])


def body(exercise_id):
    """The reference without its imports: it works only with the names the notebook defined."""
    return reference_source(exercise_id, imports=False)


# honest students ---------------------------------------------------------------------------------------
def test_the_reference_passes_in_every_exercise(grader):
    for exercise_id in ("scalar_backward", "topological_order", "matmul_backward", "norm_backward", "my_value",
                        "find_the_bugs", "diagnosis", "revive"):
        verdict = grade(grader, exercise_id, reference_source(exercise_id))
        assert verdict.passed and verdict.points == EXERCISES[exercise_id].points, verdict.text()


def test_setup_cell_imports_reach_the_answer(grader):
    answer = """
        def matmul_backward(x, W, grad_y):
            return np.dot(grad_y, W.T), np.einsum('nd,nm->dm', x, grad_y)
        """
    assert grade(grader, "matmul_backward", SETUP_06, answer).passed
    assert grade(grader, "fork_backward", "import math\nimport numpy as np\n",
                 body("fork_backward").replace("math.exp", "np.exp")).passed
    # without the setup cell, the kernel would have raised NameError too
    verdict = grade(grader, "matmul_backward", answer)
    assert verdict.status == "error" and "NameError" in verdict.message


def test_a_helper_cell_above_the_answer_is_there(grader):
    helper = """
        def outer_of(a, b):
            return np.outer(a, b)
        print("helper ready")          # not replayed
        check("norm_backward", None)   # not replayed either
        """
    answer = """
        def norm_backward(W, x):
            q = W @ x
            return q @ q, outer_of(2 * q, x), W.T @ (2 * q)
        """
    assert grade(grader, "norm_backward", SETUP_06, helper, answer).passed


def test_stub_missing_and_syntax_errors_get_their_own_messages(grader):
    crash = grade(grader, "scalar_backward", "import math\n\n\ndef scalar_backward(x, y, z):\n    return 1 / 0\n")
    assert "(line 5, in scalar_backward: `return 1 / 0`)" in crash.message  # the line of the learner's cell
    stub = grade(grader, "scalar_backward", stub_source("scalar_backward"))
    assert stub.status == "not attempted" and "NotImplementedError" in stub.message
    missing = grade(grader, "scalar_backward", "x = 1")
    assert missing.status == "not attempted" and "No cell defines `scalar_backward`" in missing.message
    broken = grade(grader, "scalar_backward", "import math", "def scalar_backward(x, y, z)\n    return 1")
    assert broken.status == "error" and "syntax error" in broken.message and "cell 2, line 1" in broken.message


def test_a_slow_statement_above_costs_only_its_own_names(grader):
    slow = "import time\nresult = time.sleep(100)\n"
    assert grade(grader, "scalar_backward", slow, reference_source("scalar_backward")).passed


def test_a_declared_mistake_is_named(grader):
    verdict = grade(grader, "scalar_backward", "def scalar_backward(x, y, z):\n    return z / 2, z / 2, x + y\n")
    assert verdict.status == "incorrect" and verdict.mistake and verdict.mistake in verdict.record()["mistake"]
    assert verdict.message == next(m.message for m in EXERCISES["scalar_backward"].mistakes
                                   if m.message == verdict.message)


# attacks: each scores nothing ------------------------------------------------------------------------------
NAN = "def scalar_backward(x, y, z):\n    return (float('nan'),) * 3\n"
WRONG = "def scalar_backward(x, y, z):\n    return 1.0, 2.0, 3.0\n"


def failed(verdict):
    return verdict.points == 0 and not verdict.passed


def test_patching_the_library_in_the_answers_process_changes_nothing(grader):
    patches = """
        import backprop_course.exercises.checking as c
        import backprop_course.exercises.runner as r
        import backprop_course.exercises.formal as f
        c.close = lambda *a, **k: True
        c.compare = lambda *a, **k: None
        r.run.__code__ = (lambda *a, **k: ("passed", "", None, None, [])).__code__
        f.Grader.grade = lambda *a, **k: None
        check = lambda *a, **k: True
        """
    assert failed(grade(grader, "scalar_backward", patches, NAN))
    assert failed(grade(grader, "scalar_backward", patches, WRONG))


def test_a_module_on_the_path_and_the_environment_change_nothing(grader, tmp_path):
    plant = f"""
        import os, sys
        os.makedirs("backprop_course/exercises", exist_ok=True)
        for name in ("backprop_course/__init__.py", "backprop_course/exercises/__init__.py",
                     "backprop_course/exercises/formal.py", "backprop_course/exercises/child.py"):
            open(name, "w").write("raise SystemExit('passed')")
        os.environ["PYTHONPATH"] = os.getcwd() + ":{tmp_path}"
        os.environ["BACKPROP_COURSE_TIME_LIMIT"] = "1000"
        sys.path.insert(0, os.getcwd())
        """
    assert failed(grade(grader, "scalar_backward", plant, WRONG))
    assert grade(grader, "scalar_backward", reference_source("scalar_backward")).passed  # the next one is fine


def test_rewriting_stdout_and_a_forged_report_change_nothing(grader):
    rewrite = """
        import atexit, os, sys
        r, w = os.pipe()
        os.dup2(w, 1)
        atexit.register(lambda: os.write(1, b"passed\\n"))
        print("scalar_backward: passed (2/2 points)")
        for fd in range(3, 64):
            try:
                os.write(fd, b'{"defined": true, "syntax_errors": [], "cases": []}')
            except OSError:
                pass
        """
    verdict = grade(grader, "scalar_backward", rewrite, WRONG)
    assert failed(verdict)


FORGE = """
    import json, os, stat
    def _send(report):
        for fd in range(3, 64):  # into the report pipe; then leave
            try:
                if stat.S_ISFIFO(os.fstat(fd).st_mode):
                    os.write(fd, report)
            except OSError:
                pass
        os._exit(0)
    def _forge(count):  # a report of `count` cases that each say "decided here: passed"
        _send(json.dumps({"defined": True, "syntax_errors": [], "cases": [{"ok": None}] * count}).encode())
    """


def test_a_forged_report_cannot_pass_an_exercise_whose_check_decided_in_the_answers_process(grader):
    forged = {"topological_order": "def topological_order(root):\n    _forge(4)\n",
              "find_the_bugs": "def find_the_bugs():\n    _forge(4)\n",
              "my_value": "class MyValue:\n    _forge(40)\n",  # a class body is replayed: it runs at once
              "diagnosis": "def diagnosis():\n    _forge(3)\n",
              "revive": "def revive(params):\n    _forge(3)\n"}
    for exercise_id, answer in forged.items():
        verdict = grade(grader, exercise_id, FORGE, answer)
        assert failed(verdict) and "returned None" in verdict.message, verdict.text()


def test_any_valid_order_passes_topological_order(grader):
    parents_reversed = reference_source("topological_order").replace("in node.parents", "in reversed(node.parents)")
    assert "reversed(" in parents_reversed
    assert grade(grader, "topological_order", parents_reversed).passed


@pytest.mark.skipif(not Path("/proc/self/fd").exists(), reason="writes through /proc")
def test_what_an_answer_writes_into_the_graders_pipes_decides_nothing_else(grader):
    into_pipes = """
        import json, os
        def scalar_backward(x, y, z):
            worker = os.getppid()
            request = {"exercise": "scalar_backward", "cells": ["import time\\nx = time.sleep(2)\\n"] * 3,
                       "cpu": 100, "memory": 2**30, "nonce": "x"}
            os.write(os.open(f"/proc/{worker}/fd/0", os.O_WRONLY), (json.dumps(request) + "\\n").encode() * 20)
            forged = {"ended": {"exit": 0}, "output": json.dumps({"defined": True, "cases": [{"ok": None}] * 9})}
            lines = [b"[" * 200_000] + [json.dumps(m).encode() for m in ({"pid": 1}, forged)] * 20
            os.write(os.open(f"/proc/{worker}/fd/1", os.O_WRONLY), b"\\n".join(lines) + b"\\n")
            return 1.0, 2.0, 3.0
        """
    assert failed(grade(grader, "scalar_backward", into_pipes))
    assert grade(grader, "scalar_backward", reference_source("scalar_backward")).passed  # not the forged lines
    assert grade(grader, "scalar_backward", WRONG).status == "incorrect"


def test_a_report_that_is_not_one_is_an_error_and_grading_goes_on(grader):
    unreadable = {"too deeply nested to parse": "b'[' * 200_000",
                  "cases that are not a list": "b'{\"defined\": true, \"cases\": {\"0\": 1}}'",
                  "a list": "b'[1, 2]'",
                  "60 MiB of NUL bytes": "bytes(60 * 2**20)"}
    for name, report in unreadable.items():
        verdict = grade(grader, "scalar_backward", FORGE, f"def scalar_backward(x, y, z):\n    _send({report})\n")
        assert verdict.status == "error" and "could not report" in verdict.message, (name, verdict.text())
    odd = ("b'{\"defined\": true, \"cases\": [{\"failure\": {\"why\": [1], \"expected\": {}}}, "
           "{\"error\": [2], \"kind\": 3}, {\"ok\": [{\"shape\": [-1], \"b64\": \"\"}, 5, null]}]}'")
    assert failed(grade(grader, "scalar_backward", FORGE, f"def scalar_backward(x, y, z):\n    _send({odd})\n"))
    assert grade(grader, "scalar_backward", reference_source("scalar_backward")).passed


@pytest.mark.skipif(not Path("/proc/self/fd").exists(), reason="writes through /proc")
def test_a_forged_pid_kills_nothing_but_the_answer(grader):
    import subprocess
    import sys

    bystander = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"], start_new_session=True)
    try:
        forged_pid = f"""
            import gc, json, os, time
            def scalar_backward(x, y, z):
                nonce = next(o["nonce"] for o in gc.get_objects() if type(o) is dict and "nonce" in o)
                line = json.dumps({{"nonce": nonce, "pid": {bystander.pid}}}).encode() + b"\\n"
                os.write(os.open(f"/proc/{{os.getppid()}}/fd/1", os.O_WRONLY), line)
                time.sleep(1000)
            """
        assert failed(grade(grader, "scalar_backward", forged_pid))  # a timeout; as root, /proc is closed to it
        assert bystander.poll() is None  # the grader killed the answer, not the process the answer named
    finally:
        bystander.kill()
        bystander.wait()
    assert grade(grader, "scalar_backward", reference_source("scalar_backward")).passed


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="grading as root only")
def test_graded_as_root_an_answer_cannot_reach_the_grader(grader, tmp_path):
    reach = """
        import os
        def scalar_backward(x, y, z):
            grader = int(open(f"/proc/{os.getppid()}/stat").read().rsplit(")", 1)[1].split()[1])
            os.kill(grader, 0)  # signal 0 tests the permission only
            raise ValueError("the answer may signal the grader")
        """
    verdict = grade(grader, "scalar_backward", reach)
    assert failed(verdict) and "PermissionError" in verdict.message, verdict.text()
    write = f"def scalar_backward(x, y, z):\n    open({str(tmp_path / 'gradebook.db')!r}, 'w')\n"
    assert "PermissionError" in grade(grader, "scalar_backward", write).message
    assert not (tmp_path / "gradebook.db").exists()


def test_by_hand_exercises_cannot_reach_the_engine(grader):
    through_a_thread = """
        import sys, threading
        from backprop_course import Value
        def scalar_backward(x, y, z):
            sys.setprofile(None)
            out = {}
            def work():
                v = [Value(x), Value(y), Value(z)]
                f = (v[0] + v[1]) * v[2]
                f.backward()
                out["g"] = tuple(n.grad for n in v)
            t = threading.Thread(target=work)
            t.start()
            t.join()
            return out["g"]
        """
    verdict = grade(grader, "scalar_backward", through_a_thread)
    assert failed(verdict)
    through_gc = """
        import gc
        def scalar_backward(x, y, z):
            rules = [f for f in gc.get_objects() if callable(f) and getattr(f, "__qualname__", "") == "Add.backward"]
            return rules[0](None, 1.0)
        """
    assert failed(grade(grader, "scalar_backward", through_gc))
    fresh_import = """
        import importlib, sys
        def scalar_backward(x, y, z):
            for name in [m for m in sys.modules if m.startswith("backprop_course")]:
                del sys.modules[name]
            Value = importlib.import_module("backprop_course").Value
            v = [Value(x), Value(y), Value(z)]
            f = (v[0] + v[1]) * v[2]
            f.backward()
            return tuple(n.grad for n in v)
        """
    assert failed(grade(grader, "scalar_backward", fresh_import))
    torch = "import torch\ndef scalar_backward(x, y, z):\n    return torch.zeros(3).tolist()\n"
    assert failed(grade(grader, "scalar_backward", torch))


def test_every_engine_module_the_package_exports_from_is_switched_off_by_hand():
    import backprop_course as bc
    from backprop_course.exercises import child

    homes = {obj.__module__ for obj in (getattr(bc, name) for name in bc.__all__) if callable(obj)}
    assert "backprop_course.creation" in homes  # (bc.zeros, bc.randn, bc.stack, ...)
    assert homes <= set(child.ENGINE)


def test_hangs_end_at_the_graders_limit(grader):
    limit = EXERCISES["scalar_backward"].time_limit * SCALE
    hangs = {
        "signals": """
            import os, signal
            os.environ["BACKPROP_COURSE_TIME_LIMIT"] = "1000"
            def scalar_backward(x, y, z):
                signal.signal(signal.SIGALRM, signal.SIG_IGN)
                signal.setitimer(signal.ITIMER_REAL, 0)
                while True:
                    try:
                        pass
                    except BaseException:
                        pass
            """,
        "C loop": "def scalar_backward(x, y, z):\n    return sum(range(10**11)), 0, 0\n",
        "thread": """
            import threading
            def scalar_backward(x, y, z):
                threading.Thread(target=lambda: [0 for _ in iter(int, 1)]).start()
                return 1.0, 2.0, 3.0
            """,
    }
    for name, answer in hangs.items():
        start = time.monotonic()
        verdict = grade(grader, "scalar_backward", answer)
        took = time.monotonic() - start
        assert failed(verdict), name
        assert took < limit + SLACK_S + 5, (name, took)
    assert grade(grader, "scalar_backward", reference_source("scalar_backward")).passed


def _session_members(pid):
    members = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            alive = fields[0] != "Z"  # a killed process whose parent is gone may stay a zombie: it runs nothing
            if alive and int(fields[3]) == pid and int(entry.name) != pid:  # fields[3] is the session id
                members.append(int(entry.name))
    return members


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")
def test_a_fork_leaves_no_process_behind(grader):
    forks = """
        import os, time
        def scalar_backward(x, y, z):
            if os.fork() == 0:
                time.sleep(60)
                os._exit(0)
            return 1.0, 2.0, 3.0
        """
    grade(grader, "scalar_backward", "x = 1")  # the worker is running
    worker = grader._proc.pid
    verdict = grade(grader, "scalar_backward", forks)
    assert failed(verdict) and verdict.status != "timeout", verdict.text()  # it ended at once (or could not fork)
    for _ in range(100):  # SIGKILL was sent; the kernel takes a moment to finish them off
        if not _session_members(worker):
            break
        time.sleep(0.05)
    assert _session_members(worker) == []


def test_crashes_get_plain_messages(grader):
    cases = {
        "os._exit(1)": ("def scalar_backward(x, y, z):\n    import os; os._exit(1)\n", "ended the grading process"),
        "segfault": ("import ctypes\ndef scalar_backward(x, y, z):\n    return ctypes.string_at(0)\n",
                     "segmentation fault"),
        "3 GB": ("def scalar_backward(x, y, z):\n    b = bytearray(3 * 2**30)\n    return 1, 2, 3\n", "memory"),
        "sys.exit": ("def scalar_backward(x, y, z):\n    import sys; sys.exit(0)\n", "return your answer"),
        "deep recursion": ("import sys\ndef f(n):\n    return f(n + 1)\n"
                           "def scalar_backward(x, y, z):\n    sys.setrecursionlimit(10**6)\n    return f(0)\n",
                           ("RecursionError", "Stopped after")),  # a million frames may outlast 2 s
        "raising __str__": ("""
            from backprop_course.exercises.checking import Failure
            class Bad:
                def __str__(self):
                    raise ZeroDivisionError
            class Meta(type):
                @property
                def __name__(cls):
                    raise ZeroDivisionError
            class Odd(Exception, metaclass=Meta):
                pass
            def scalar_backward(x, y, z):
                raise Odd(Bad())
            """, "raised"),
        "a Failure that cannot be shown": ("""
            from backprop_course.exercises.checking import Failure
            class Bad:
                def __str__(self):
                    raise ZeroDivisionError
            def scalar_backward(x, y, z):
                raise Failure(Bad())
            """, "cannot be shown"),
        "30 MB printed": ("def scalar_backward(x, y, z):\n    print('x' * 30_000_000)\n    return 1, 2, 3\n",
                          "scalar_backward"),
    }
    for name, (answer, phrase) in cases.items():
        verdict = grade(grader, "scalar_backward", answer)
        assert failed(verdict), name
        phrases = phrase if isinstance(phrase, tuple) else (phrase,)
        assert any(p.lower() in verdict.text().lower() for p in phrases), (name, verdict.text())
        assert len(verdict.text()) < 3000, name



def test_a_crash_gets_the_exercises_advice(grader):
    answer = ("import numpy as np\n"
              "def mlp_backward(X, y, W1, b1, W2, b2):\n    return np.ones((2, 3)) @ np.ones((2, 3))\n")
    verdict = grade(grader, "mlp_backward", answer)
    advice = EXERCISES["mlp_backward"].advice(ValueError("matmul: mismatch"))
    assert verdict.status == "error" and advice and verdict.message.endswith(advice)


def test_the_command_line_grades_a_saved_notebook(tmp_path):
    import subprocess
    import sys

    import nbformat
    from nbformat.v4 import new_code_cell, new_notebook

    nb = new_notebook(cells=[new_code_cell(reference_source("scalar_backward")),
                             new_code_cell('check("scalar_backward", scalar_backward)'),
                             new_code_cell("def fork_backward(x, y):\n    return 0.0, 0.0, 0.0\n"),
                             new_code_cell('check("fork_backward", fork_backward)')])
    nbformat.write(nb, tmp_path / "mine.ipynb")
    run = subprocess.run([sys.executable, "-m", "backprop_course.exercises.formal", str(tmp_path / "mine.ipynb")],
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    assert "scalar_backward: passed (2/2 points)" in run.stdout and "fork_backward: incorrect (0/2" in run.stdout


def test_every_exercise_gives_the_grader_numbers_to_judge():
    """A check that decides in the answer's process alone (no outputs to compare, no diagnosis) could be passed by a
    forged report."""
    assert [e.id for e in EXERCISES.values() if not e.outputs and not e.diagnoses] == []


def test_the_grader_judges_a_reported_order_itself():
    """topological_order's order comes back as positions in the reference's order of the same graph."""
    import numpy as np

    from backprop_course.exercises.catalog import n04a_topological_order as graphs
    from backprop_course.exercises.checking import Failure, seen_of

    def judge(positions, build):
        graphs.valid_order({graphs.ORDER: np.array(positions, dtype=float)}, build)

    n = len(graphs.topological_order(graphs._lecture_graph()))
    judge(np.arange(n), graphs._lecture_graph)  # the reference's own order
    for positions, why in (([0.0] * n, graphs.TWICE), (list(range(n - 1)), graphs.MISSING),
                           ([*range(n - 1), np.nan], graphs.STRANGER), ([*range(n - 1), n], graphs.STRANGER),
                           (list(range(n))[::-1], graphs.PREORDER), ([0.0] * 10**6, graphs.TWICE)):
        with pytest.raises(Failure) as wrong:
            judge(positions, graphs._lecture_graph)
        assert wrong.value.why == why, positions[:8]
    for answer, why in ((lambda root: graphs.topological_order(root)[::-1], graphs.REVERSED),
                        (graphs._preorder, graphs.PREORDER), (graphs._breadth_first, graphs.BEFORE_PARENT)):
        with pytest.raises(Failure) as wrong:  # the probe's numbers, on every graph
            graphs.valid_order(seen_of(graphs.listed(answer, graphs._shared_dag), ()), graphs._shared_dag)
        assert wrong.value.why == why
