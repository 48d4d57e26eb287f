"""check(), Result, hints, solutions, score tables, sources and time limits."""

import ast
import math
import signal
import sys
import threading
import time

import nbformat
import numpy as np
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from backprop_course import Function, Value, topological_order
from backprop_course.exercises import (
    EXERCISES,
    NOTEBOOKS,
    Result,
    UnknownExerciseError,
    check,
    hint,
    score_table,
    show_solution,
    solution_source,
    stub_source,
)
from backprop_course.instructor import fill_solutions


@pytest.fixture(autouse=True)
def progress_file(tmp_path, monkeypatch):
    monkeypatch.setenv("BACKPROP_COURSE_PROGRESS", str(tmp_path / "progress.json"))
    monkeypatch.delenv("BACKPROP_COURSE_NO_SOLUTIONS", raising=False)


def _wrong(x, y, z):
    return z / 2, z / 2, x + y


def test_the_issue_s_exercises_are_all_registered():
    required = {"scalar_backward", "neuron_flat_backward", "sigmoid_function", "multiply_function", "max_gate",
                "topological_order", "relu_vjp", "matmul_backward", "jacobian_bytes", "hvp", "train_step"}
    assert required <= set(EXERCISES)
    assert all(ex.notebook in NOTEBOOKS for ex in EXERCISES.values())


def test_unknown_id_raises_and_lists_the_valid_ids():
    with pytest.raises(UnknownExerciseError) as err:
        check("scalar_backwards", _wrong)
    assert "scalar_backwards" in str(err.value) and "scalar_backward, " in str(err.value)
    for fn in (hint, show_solution, stub_source):
        with pytest.raises(UnknownExerciseError):
            fn("nope")


def test_a_wrong_answer_gets_lecture_feedback_in_text_and_html():
    result = check("scalar_backward", _wrong)
    assert isinstance(result, Result) and not result and not result.passed
    assert (result.points, result.max_points) == (0, EXERCISES["scalar_backward"].points)
    assert result.case == "x = -2, y = 5, z = -4 (the lecture's point)"
    assert result.expected == "df/dx = -4" and result.got == "df/dx = -2"
    assert result.hint == 'Stuck? hint("scalar_backward") gives a hint.'
    text, page = repr(result), result._repr_html_()
    for part in ("✘ scalar_backward: incorrect", "does not split", "Failing case", "Expected: df/dx = -4", "Hint"):
        assert part in text
    assert "does not split" in page and "Failing case" in page and "<script" not in page


def test_a_pass_is_truthy_and_says_what_was_tested():
    result = check("scalar_backward", EXERCISES["scalar_backward"].reference)
    assert result and result.points == result.max_points
    assert result.hint is None and result.case is None
    assert "Tested:" in repr(result) and "lecture's point" in repr(result)


@pytest.mark.parametrize("submission", [None, 42, "scalar_backward", int])
def test_a_submission_that_is_not_a_function_is_reported(submission):
    result = check("scalar_backward", submission)
    assert result.status == "incorrect" and "Pass your function" in result.message


def test_a_function_where_a_class_is_expected_is_reported():
    result = check("sigmoid_function", lambda x: x)
    assert result.status == "incorrect" and "subclass of backprop_course.Function" in result.message


def test_wrong_return_shapes_are_explained():
    assert "Return a tuple of 3 values" in check("scalar_backward", lambda x, y, z: 1.0).message
    assert check("scalar_backward", lambda x, y, z: (None, 1.0, 2.0)).message == "df/dx is None: is a `return` missing?"

    def no_return(x, y, z):
        (x + y) * z

    assert check("scalar_backward", no_return).message == "scalar_backward returned None: is a `return` missing?"


def test_a_sigmoid_that_only_works_on_floats_is_reported_at_the_tensor_case():
    class Sigmoid(Function):
        @staticmethod
        def forward(ctx, x):
            out = 1 / (1 + math.exp(-x))
            ctx.save_for_backward(out)
            return out

        @staticmethod
        def backward(ctx, grad_output):
            (out,) = ctx.saved_tensors
            return grad_output * out * (1 - out)

    result = check("sigmoid_function", Sigmoid)
    assert result.status == "error"
    assert "TypeError" in result.message and "math.exp(-x)" in result.message
    assert "arrays" in result.case


def test_a_function_that_mutates_its_input_is_rejected():
    class Multiply(Function):
        @staticmethod
        def forward(ctx, x, y):
            ctx.save_for_backward(x, y)
            return x * y

        @staticmethod
        def backward(ctx, grad_z):
            x, y = ctx.saved_tensors
            if isinstance(x, np.ndarray):
                x *= 1.5  # a learner "reusing" the saved buffer
                x /= 1.5
                x += 1e-3
                return y * grad_z, (x - 1e-3) * grad_z
            return y * grad_z, x * grad_z

    result = check("multiply_function", Multiply)
    assert result.status == "incorrect" and "in place" in result.message


def test_the_library_s_own_topological_order_is_not_accepted():
    assert "library's own" in check("topological_order", topological_order).message


def test_recursion_elsewhere_is_reported_with_advice():
    def scalar_backward(x, y, z):
        return scalar_backward(x, y, z)

    result = check("scalar_backward", scalar_backward)
    assert result.status == "error" and "RecursionError" in result.message and "explicit stack" in result.message


def _swallows_everything(x, y, z):
    while True:
        try:
            pass
        except:  # noqa: E722 - a learner's bare except must not swallow the time limit
            pass


def _swallows_in_a_call(x, y, z):
    def step():
        try:
            return sum(range(100))
        except:  # noqa: E722
            return 0

    while True:
        try:
            step()
        except:  # noqa: E722
            pass


def _spins(x, y, z):
    while True:
        pass


RUNAWAY = [_swallows_everything, _swallows_in_a_call, _spins]


@pytest.mark.parametrize("answer", RUNAWAY, ids=lambda f: f.__name__)
def test_code_that_runs_too_long_is_stopped_even_if_it_swallows_exceptions(answer):
    trace, profile = sys.gettrace(), sys.getprofile()
    start = time.monotonic()
    result = check("scalar_backward", answer, time_limit=1)  # a by-hand exercise: the engine is off meanwhile
    assert result.status == "timeout" and "Stopped after 1 s" in result.message
    assert time.monotonic() - start < 10
    assert (sys.gettrace(), sys.getprofile()) == (trace, profile)
    v = Value(3.0)
    (v * v).backward()  # differentiation is on again
    assert v.grad == 6.0


@pytest.mark.parametrize("answer", RUNAWAY, ids=lambda f: f.__name__)
def test_the_time_limit_also_works_off_the_main_thread(answer):
    box = {}
    start = time.monotonic()
    worker = threading.Thread(target=lambda: box.update(result=check("scalar_backward", answer, time_limit=1)))
    worker.start()
    worker.join(30)
    assert box["result"].status == "timeout"
    assert time.monotonic() - start < 10
    time.sleep(0.3)
    assert [t for t in threading.enumerate() if t.name == "backprop-course-check"] == []  # no worker left spinning


@pytest.mark.parametrize("setting", ["inf", "1e9", "nan", "-1", "0", "lots"])
def test_a_bad_time_limit_setting_is_ignored_with_a_note(monkeypatch, setting):
    monkeypatch.setenv("BACKPROP_COURSE_TIME_LIMIT", setting)
    result = check("scalar_backward", EXERCISES["scalar_backward"].reference)
    assert result.passed
    assert any("BACKPROP_COURSE_TIME_LIMIT" in n and "positive, finite" in n for n in result.notes)


@pytest.mark.parametrize("limit", [math.inf, math.nan, -1, 0, "5"])
def test_a_bad_time_limit_argument_is_ignored_with_a_note(limit):
    result = check("scalar_backward", EXERCISES["scalar_backward"].reference, time_limit=limit)
    assert result.passed and any("time_limit=" in n for n in result.notes)


class _Unprintable(Exception):
    def __str__(self):
        raise RuntimeError("no")


def _raises(exc):
    def scalar_backward(x, y, z):
        raise exc
    return scalar_backward


@pytest.mark.parametrize("answer", [_raises(_Unprintable()), _raises(SystemExit(3)), _raises(BaseException("b")),
                                    _raises(GeneratorExit()), lambda x, y, z: sys.exit()],
                         ids=["unprintable", "SystemExit", "BaseException", "GeneratorExit", "sys.exit"])
def test_anything_the_learner_s_code_raises_is_reported_and_recorded(answer):
    from backprop_course.exercises.store import ProgressStore

    result = check("scalar_backward", answer)
    assert result.status == "error" and result.points == 0
    assert ProgressStore().entry("scalar_backward")["attempts"] == 1


def test_a_huge_exception_message_is_capped():
    result = check("scalar_backward", _raises(ValueError("x" * 10_000_000)))
    assert result.status == "error" and len(result.message) < 2500 and "more characters" in result.message


def _nan_answer_that_patches(exercise_id):
    """A NaN answer that patches the comparison from inside the submission, as a cheating student might."""
    ex = EXERCISES[exercise_id]
    n = len(ex.outputs)
    nan = "float('nan')" if n <= 1 else "(" + "float('nan'), " * n + ")"
    body = f"import backprop_course.exercises.checking as c; c.close = lambda *a, **k: True; return {nan}"
    source = "import backprop_course.exercises.checking as c\nc.close = lambda *a, **k: True\n" + \
        stub_source(exercise_id).replace("raise NotImplementedError  # your code here", body)
    namespace = {}
    exec(source, namespace)
    return namespace[ex.name]


@pytest.mark.parametrize("exercise_id", list(EXERCISES))
def test_patching_the_checker_passes_nothing(exercise_id, monkeypatch):
    import backprop_course.exercises.checking as checking

    monkeypatch.setattr(checking, "close", checking.close)  # put back after the test
    monkeypatch.setattr(checking, "compare", lambda *a, **k: None)
    result = check(exercise_id, _nan_answer_that_patches(exercise_id))
    assert not result and result.points == 0


@pytest.mark.parametrize("exercise_id", list(EXERCISES))
def test_a_first_failure_reveals_no_answer(exercise_id):
    ex = EXERCISES[exercise_id]
    code = (line.split("  #")[0].strip() for line in ex.source.splitlines()[1:])
    solution = [line for line in code if len(line) > 12 and not line.startswith(('"""', "#", "def ", "class ", "@"))]
    for mistake in ex.mistakes:
        shown = repr(check(exercise_id, mistake.answer))
        assert not [line for line in solution if line in shown], (mistake.message, shown)
        assert not any(h in shown for h in ex.hint_texts())


def test_hints_advance_only_when_asked_and_follow_the_failing_part():
    Sigmoid = EXERCISES["sigmoid_function"].mistakes[0].answer  # noqa: N806 - forward right, backward wrong
    for _ in range(3):
        assert check("sigmoid_function", Sigmoid).hint == 'Stuck? hint("sigmoid_function") gives a hint.'
    first = repr(hint("sigmoid_function"))
    hints = EXERCISES["sigmoid_function"].hints
    assert "(1/2)" in first and hints[1] in first  # the hint about forward, which passed, is left out


@pytest.mark.skipif(not hasattr(signal, "setitimer"), reason="needs setitimer")
def test_an_outer_alarm_timer_survives_a_check():
    signal.setitimer(signal.ITIMER_REAL, 100.0)
    try:
        check("scalar_backward", EXERCISES["scalar_backward"].reference)
        remaining, _ = signal.getitimer(signal.ITIMER_REAL)
        assert 0 < remaining <= 100
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)


def test_hints_are_progressive_and_the_last_one_repeats():
    shown = [repr(hint("relu_vjp")) for _ in range(4)]
    hints = EXERCISES["relu_vjp"].hints
    assert [s.split(") ", 1)[1] for s in shown] == [hints[0], hints[1], hints[2], hints[2]]
    assert "(1/3)" in shown[0] and "(3/3)" in shown[2] and "(3/3, again: there are no more)" in shown[3]


def test_show_solution_needs_an_attempt_first(monkeypatch):
    assert "try first" in repr(show_solution("scalar_backward"))
    check("scalar_backward", _wrong)
    solution = show_solution("scalar_backward")
    assert "def scalar_backward" in repr(solution) and "<pre" in solution._repr_html_()
    monkeypatch.setenv("BACKPROP_COURSE_NO_SOLUTIONS", "1")
    assert "turned off" in repr(show_solution("scalar_backward"))


def test_score_table_shows_one_notebook():
    check("scalar_backward", EXERCISES["scalar_backward"].reference)
    for key in ("01", 1, "01_scalar_graph", "notebooks/01_scalar_graph.ipynb"):
        table = score_table(notebook=key)
        assert [row[1] for row in table.rows] == ["scalar_backward"]
    assert table.footer[-1] == "2/2"
    assert "01_scalar_graph" in repr(table) and "<table>" in table._repr_html_()
    with pytest.raises(ValueError, match="no notebook"):
        score_table("42")
    assert "has no graded exercises" in repr(score_table("00"))


@pytest.mark.parametrize("exercise_id", list(EXERCISES))
def test_stub_keeps_the_signature_and_task_but_none_of_the_solution(exercise_id):
    ex = EXERCISES[exercise_id]
    stub = stub_source(exercise_id)
    tree = ast.parse(stub)
    assert any(getattr(n, "name", None) == ex.name for n in tree.body)
    assert ex.reference.__doc__.splitlines()[0] in stub
    body, inside = [], False
    for line in solution_source(exercise_id).splitlines():
        if "### BEGIN SOLUTION" in line or "### END SOLUTION" in line:
            inside = "BEGIN" in line
        elif inside and len(line.strip()) > 8:
            body.append(line.strip())
    assert body
    assert not [line for line in body if line in stub]


def test_fill_solutions_replaces_stubs_in_course_style_cells():
    nb = new_notebook(cells=[
        new_code_cell("from backprop_course.exercises import check, score_table"),
        new_code_cell(stub_source("scalar_backward") + '\ncheck("scalar_backward", scalar_backward)'),
        new_code_cell(stub_source("sigmoid_function")),
        new_code_cell("%time 1 + 1"),
        new_code_cell('check("sigmoid_function", Sigmoid)'),
        new_code_cell('score_table(notebook="01")'),
    ])
    assert fill_solutions(nb) == ["scalar_backward", "sigmoid_function"]
    namespace = {}
    for cell in nb.cells:
        if cell.source.startswith("%"):
            continue
        exec(cell.source, namespace)
    assert check("scalar_backward", namespace["scalar_backward"]) and check("sigmoid_function", namespace["Sigmoid"])
    nbformat.validate(nb)


def test_a_stub_uses_up_no_hint_and_claims_no_tests():
    def scalar_backward(x, y, z):
        raise NotImplementedError  # your code here

    result = check("scalar_backward", scalar_backward)
    assert result.status == "not attempted" and result.hint is None
    assert "Tested" not in repr(result) and "Failing case" not in repr(result)
    assert check("scalar_backward", _wrong).hint.startswith("Stuck?")
