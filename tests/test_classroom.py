"""A class through a real nbgrader round trip: export, generate, submissions, sharded autograde, report.

One round trip serves every check (nbgrader is slow to start): 30 simulated students with planted answers
(the reference, a declared mistake or the stub), honest students whose answers lean on the notebook's own
cells, a student whose answer kills its process, and students who attack the grader. The per-exercise CSV
and the mistake table must match what was planted; every attack scores 0.
"""

import csv
import inspect
import os
import random
import re
import shutil
import subprocess
import sys
import textwrap

import nbformat
import pytest

from backprop_course import classroom, instructor
from backprop_course.exercises import EXERCISES, reference_source, registry, solution_source
from backprop_course.exercises.formal import mistake_name

pytest.importorskip("nbgrader")

NOTEBOOKS = ("01_scalar_graph", "06_matmul_slices")
CLASS = [f"s{i:02d}" for i in range(30)]
# Declared mistakes written as functions of their own: their source is what a student would write.
PLANTABLE = {"topological_order": ("_no_visited_set", "_recursive", "_breadth_first"),
             "norm_backward": ("_no_factor_two", "_W_times_xT", "_W_not_transposed", "_dW_summed")}


def _nbgrader(course, *args):
    # nbgrader runs `alembic` (a script next to the interpreter) to create its gradebook
    env = {**os.environ, "PATH": os.pathsep.join([os.path.dirname(sys.executable), os.environ.get("PATH", "")])}
    run = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=course, env=env, capture_output=True,
                         text=True, timeout=600)
    assert run.returncode == 0, run.stdout + run.stderr
    return run


def _solution_lines(exercise_id):
    """The lines between the solution markers: what a release must not contain."""
    lines, inside = [], False
    for line in solution_source(exercise_id).splitlines():
        if "### BEGIN SOLUTION" in line or "### END SOLUTION" in line:
            inside = "BEGIN" in line
        elif inside and len(line.strip()) > 8:
            lines.append(line.strip())
    return lines


def _mistake_source(exercise, function_name):
    mistake = next(m for m in exercise.mistakes if getattr(m.answer, "__name__", "") == function_name)
    source = textwrap.dedent(inspect.getsource(mistake.answer))
    return re.sub(rf"^def {re.escape(function_name)}\b", f"def {exercise.name}", source, count=1, flags=re.M), \
        mistake.message


def _submit(course, student, notebook, answers, extra_cells=()):
    """The released notebook with answer cells replaced ({exercise id: source}) and cells added at the top of
    the answers ([(exercise id before whose answer, source)])."""
    folder = course / "submitted" / student / notebook
    folder.mkdir(parents=True, exist_ok=True)
    nb = nbformat.read(course / "release" / notebook / f"{notebook}.ipynb", as_version=4)
    cells = []
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        exercise_id = meta.get("grade_id", "").removesuffix("_answer")
        if meta.get("solution"):
            cells += [nbformat.v4.new_code_cell(s) for before, s in extra_cells if before == exercise_id]
            if exercise_id in answers:
                cell.source = answers[exercise_id]
        cells.append(cell)
    nb.cells = cells
    nbformat.write(nb, folder / f"{notebook}.ipynb")
    return folder


def _plant_class(course):
    """Each class student's answers; returns {student: {exercise: points}} and {(exercise, mistake): count}."""
    rng = random.Random(7)
    points, mistakes = {}, {}
    for student in CLASS:
        points[student] = {}
        for notebook in NOTEBOOKS:
            answers = {}
            for ex in registry.in_notebook(notebook[:2]):
                choice = rng.choice(["reference", "reference", "stub", *PLANTABLE.get(ex.id, ())])
                if choice == "reference":
                    answers[ex.id] = reference_source(ex.id)
                elif choice != "stub":
                    answers[ex.id], message = _mistake_source(ex, choice)
                    key = (ex.id, mistake_name(ex, message))
                    mistakes[key] = mistakes.get(key, 0) + 1
                points[student][ex.id] = ex.points if choice == "reference" else 0
            _submit(course, student, notebook, answers)
    return points, mistakes


def _body(exercise_id):
    return reference_source(exercise_id, imports=False)


NAN3 = "def scalar_backward(x, y, z):\n    return (float('nan'),) * 3\n"
PATCHES = """\
import backprop_course.exercises.checking as c, backprop_course.exercises.runner as r
import backprop_course.exercises as e, backprop_course.exercises.formal as f
c.close = lambda *a, **k: True
c.compare = lambda *a, **k: None
r.run.__code__ = (lambda *a, **k: ("passed", "", None, None, [])).__code__
e.check = r.check = check = lambda *a, **k: True
f.Grader.grade = lambda *a, **k: None
"""
PLANT_FILES = """\
import os
os.makedirs("backprop_course/exercises", exist_ok=True)
for name in ("backprop_course/__init__.py", "backprop_course/exercises/__init__.py",
             "backprop_course/exercises/formal.py", "backprop_course/exercises/nbgrade.py"):
    open(name, "w").write("raise SystemExit(0)")
os.environ["PYTHONPATH"] = os.getcwd()
os.environ["BACKPROP_COURSE_TIME_LIMIT"] = "1000"
"""
REWRITE = """\
import atexit, gc, os
nonce = [o["nonce"] for o in gc.get_objects() if type(o) is dict and "nonce" in o]
r, w = os.pipe()
os.dup2(w, 1)
atexit.register(lambda: os.write(1, b"passed\\n"))
"""
ENGINE_IN_A_THREAD = """\
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
HANGS = """\
import signal
def scalar_backward(x, y, z):
    signal.signal(signal.SIGALRM, signal.SIG_IGN)
    signal.setitimer(signal.ITIMER_REAL, 0)
    while True:
        try:
            pass
        except BaseException:
            pass
"""
C_LOOP = "def jacobian_bytes(*args):\n    return sum(range(10**11))\n"
TOP_LEVEL_LOOP = "total = sum(range(10**11))\n"
THREAD_LEFT_RUNNING = """\
import threading
def jacobian_bytes(N, D, M, bytes_per_float=4):
    threading.Thread(target=lambda: [0 for _ in iter(int, 1)]).start()
    return -1
"""
FORKS = """\
import os, time
def norm_backward(W, x):
    if os.fork() == 0:
        time.sleep(60)
        os._exit(0)
    print("x" * 30_000_000)
    return 0.0, W * 0, x * 0
"""
ODD_FAILURE = """\
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
    raise Failure(Bad())
def topological_order(root):
    raise Odd(Bad())
"""
DEEP = """\
import sys
sys.setrecursionlimit(10**6)
def f(n):
    return f(n + 1)
def matmul_backward(x, W, grad_y):
    return f(0)
"""
FORGE = """\
import base64, json, os, stat
def _forge(names, count):  # a report in the child's format, written into its pipe: every case "ok"
    zero = {"shape": [], "b64": base64.b64encode(bytes(8)).decode()}
    case = {"ok": None if names is None else {n: zero for n in names}}
    report = json.dumps({"defined": True, "syntax_errors": [], "cases": [case] * count}).encode()
    for fd in range(3, 64):
        try:
            if stat.S_ISFIFO(os.fstat(fd).st_mode):
                os.write(fd, report)
        except OSError:
            pass
    os._exit(0)
"""
HUGE = "def norm_backward(W, x):\n    b = bytearray(3 * 2**30)\n    return 0.0, W, x\n"
DIES = "import os\ndef matmul_backward(x, W, grad_y):\n    os._exit(1)\n"


def _attackers(course):
    """Students who attack the grader (every one must score 0)."""
    _submit(course, "cheat_patch", NOTEBOOKS[0], {"scalar_backward": PATCHES + NAN3},
            [("topological_order", PATCHES)])
    folder = _submit(course, "cheat_files", NOTEBOOKS[0], {"scalar_backward": PLANT_FILES + REWRITE + NAN3})
    (folder / "backprop_course" / "exercises").mkdir(parents=True)
    for name in ("__init__.py", "exercises/__init__.py", "exercises/formal.py", "exercises/nbgrade.py"):
        (folder / "backprop_course" / name).write_text("raise SystemExit(0)\n")
    _submit(course, "cheat_engine", NOTEBOOKS[0], {"scalar_backward": ENGINE_IN_A_THREAD})
    _submit(course, "cheat_hang", NOTEBOOKS[0], {"scalar_backward": HANGS})
    _submit(course, "cheat_hang", NOTEBOOKS[1], {"matmul_backward": TOP_LEVEL_LOOP + "matmul_backward = print\n",
                                                 "jacobian_bytes": THREAD_LEFT_RUNNING, "norm_backward": FORKS})
    _submit(course, "cheat_crash", NOTEBOOKS[0], {"scalar_backward": ODD_FAILURE})
    _submit(course, "cheat_crash", NOTEBOOKS[1], {"matmul_backward": DEEP, "norm_backward": HUGE,
                                                  "jacobian_bytes": C_LOOP})
    forged = {"scalar_backward": ('("df/dx", "df/dy", "df/dz")', 50),
              "matmul_backward": ('("dL/dx", "dL/dW")', 50), "norm_backward": ("None", 50)}
    for notebook in NOTEBOOKS:
        _submit(course, "cheat_forge", notebook, {
            e: FORGE + f"def {EXERCISES[e].name}(*args):\n    _forge({names}, {count})\n"
            for e, (names, count) in forged.items() if EXERCISES[e].notebook == notebook[:2]})
    return ["cheat_patch", "cheat_files", "cheat_engine", "cheat_hang", "cheat_crash", "cheat_forge"]


def _honest(course):
    """Correct answers that need the notebook's own cells; the second student's answer kills its process."""
    dot = "def matmul_backward(x, W, grad_y):\n    return np.dot(grad_y, W.T), np.einsum('nd,nm->dm', x, grad_y)\n"
    helper = "def outer_of(a, b):\n    return np.outer(a, b)\n\nprint('a helper')\n"
    norm = "def norm_backward(W, x):\n    q = W @ x\n    return q @ q, outer_of(2 * q, x), W.T @ (2 * q)\n"
    _submit(course, "honest", NOTEBOOKS[1], {"matmul_backward": dot, "jacobian_bytes": reference_source(
        "jacobian_bytes"), "norm_backward": norm}, [("norm_backward", helper)])
    _submit(course, "honest", "02_sigmoid_primitive", {"fork_backward": _body("fork_backward").replace(
        "math.exp", "np.exp")}, [("fork_backward", "import numpy as np\n")])
    _submit(course, "honest", NOTEBOOKS[0], {"scalar_backward": reference_source("scalar_backward")})
    _submit(course, "dies", NOTEBOOKS[0], {"scalar_backward": reference_source("scalar_backward")})
    _submit(course, "dies", NOTEBOOKS[1], {"matmul_backward": DIES, "jacobian_bytes": reference_source(
        "jacobian_bytes"), "norm_backward": reference_source("norm_backward")})


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    course = tmp_path_factory.mktemp("class") / "course"
    instructor.export_nbgrader(course)
    for name in os.listdir(course / "source"):  # this class does three of the notebooks
        if name not in (*NOTEBOOKS, "02_sigmoid_primitive"):
            shutil.rmtree(course / "source" / name)
    _nbgrader(course, "generate_assignment", "*", "--log-level=WARN")
    points, planted = _plant_class(course)
    attackers = _attackers(course)
    _honest(course)
    env = {"BACKPROP_COURSE_TIME_LIMIT": "0.3", "PATH": os.pathsep.join([os.path.dirname(sys.executable),
                                                                         os.environ.get("PATH", "")])}
    run = subprocess.run([sys.executable, "-m", "backprop_course.instructor", "autograde", str(course), "--jobs", "2"],
                         env={**os.environ, **env}, capture_output=True, text=True, timeout=1200)
    assert run.returncode == 0, run.stdout + run.stderr
    paths, rows = classroom.report(course)
    return course, points, planted, attackers, paths, rows


def _scores(course):
    with open(course / "reports" / "scores.csv", newline="", encoding="utf-8") as f:
        return {row["student"]: row for row in csv.DictReader(f)}


def test_release_has_no_solutions(graded):
    course = graded[0]
    text = "\n".join(p.read_text(encoding="utf-8") for p in (course / "release").glob("*/*.ipynb"))
    assert "BEGIN SOLUTION" not in text and "END SOLUTION" not in text
    for exercise_id in EXERCISES:
        leaked = [line for line in _solution_lines(exercise_id) if line in text]
        assert not leaked, (exercise_id, leaked)


def test_the_class_scores_and_mistakes_match_what_was_planted(graded):
    course, points, planted, _, paths, rows = graded
    scores = _scores(course)
    for student, expected in points.items():
        got = {e: int(scores[student][e]) for e in expected}
        assert got == expected, student
    unnamed = ("not attempted", "error", "timeout", "other wrong answer")
    named = {(e, m): n for e, m, n in rows if e in PLANTABLE and m not in unnamed}
    assert named == planted
    assert [n for e, _, n in rows if e == "norm_backward"] == sorted(
        (n for e, _, n in rows if e == "norm_backward"), reverse=True)  # most common first
    assert all(p.exists() and p.stat().st_size > 0 for p in paths)
    assert paths[-1].read_bytes().startswith(b"\x89PNG")


def test_every_attack_scores_nothing(graded):
    course, _, _, attackers, _, _ = graded
    scores = _scores(course)
    for student in attackers:
        assert float(scores[student]["total"]) == 0, (student, scores[student])


def test_a_forged_report_is_read_and_judged_by_the_grader(graded):
    """The forged reports reach the grader (they are judged, not lost with a crash) and decide nothing."""
    verdicts = classroom.verdicts(graded[0])["cheat_forge"]
    assert {e: v["status"] for e, v in verdicts.items() if e in ("scalar_backward", "matmul_backward",
                                                                  "norm_backward")} == dict.fromkeys(
        ("scalar_backward", "matmul_backward", "norm_backward"), "incorrect"), verdicts
    assert "returned None" in verdicts["norm_backward"]["message"]


def test_honest_answers_get_their_points_and_a_dead_process_costs_one_exercise(graded):
    course = graded[0]
    scores = _scores(course)
    full = {e: EXERCISES[e].points for e in ("scalar_backward", "matmul_backward", "jacobian_bytes",
                                              "norm_backward", "fork_backward")}
    assert {e: int(scores["honest"][e]) for e in full} == full
    died = {e: int(scores["dies"][e]) for e in full if scores["dies"][e] != ""}
    assert died == {**{e: full[e] for e in died}, "matmul_backward": 0}
    verdict = classroom.verdicts(course)["dies"]["matmul_backward"]
    assert "ended the grading process" in verdict["message"]


def test_the_feedback_is_the_verdict_alone(graded):
    course = graded[0]
    nb = nbformat.read(course / "autograded" / "cheat_crash" / NOTEBOOKS[0] / f"{NOTEBOOKS[0]}.ipynb", as_version=4)
    checks = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id", "").endswith("_check")]
    assert checks and all(len(c.source.splitlines()) <= 2 for c in checks)
    for cell in checks:
        errors = [o for o in cell.outputs if o.output_type == "error"]
        shown = [o.data["text/plain"] for o in cell.outputs if o.output_type == "display_data"]
        assert len(errors) == 1 and errors[0].traceback == [] and len(shown) == 1, cell.outputs
        assert shown[0].startswith(cell.metadata.nbgrader.grade_id.removesuffix("_check") + ": ")
        assert errors[0].evalue in shown[0] and "Traceback" not in shown[0] and "File " not in shown[0]


def test_the_gradebook_holds_every_student(graded):
    from nbgrader.api import Gradebook

    course = graded[0]
    scores = _scores(course)
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        for student, row in scores.items():
            assignments = os.listdir(course / "submitted" / student)
            total = sum(gradebook.find_submission(a, student).score for a in assignments)
            assert total == float(row["total"]), student
