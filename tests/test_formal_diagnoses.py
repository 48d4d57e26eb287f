"""Formal grading of notebooks 09 and 10: a fault seen in the answer's process is named by the grader's
diagnosis, from the numbers the child reported."""

import textwrap

import pytest

from backprop_course.exercises import reference_source
from backprop_course.exercises.catalog import (
    n09a_numeric_grad,
    n09b_relative_error,
    n09c_find_the_bugs,
    n10c_clip_grad_norm,
)
from backprop_course.exercises.formal import Grader


@pytest.fixture(autouse=True)
def short_limits(monkeypatch):
    monkeypatch.setenv("BACKPROP_COURSE_TIME_LIMIT", "0.2")


def body(exercise_id):
    return reference_source(exercise_id, imports=False)


def test_diagnoses_judge_what_the_answer_s_process_saw():
    """An input written in place, f called at float32 points, a NaN for two zero gradients, a set that misses the
    large inputs' bug."""
    numeric = body("numeric_grad")
    faults = [
        ("numeric_grad", numeric.replace("np.array(x, dtype=np.float64)", "x").replace("x[i] = old  ", "# "),
         n09a_numeric_grad.CHANGED_X),
        ("numeric_grad", numeric.replace("dtype=np.float64", "dtype=np.float32"), n09a_numeric_grad.NO_FLOAT64),
        ("relative_error", body("relative_error").replace("np.linalg.norm(n), tiny)", "np.linalg.norm(n))"),
         n09b_relative_error.NO_TINY),
        ("find_the_bugs", "def find_the_bugs():\n    return {'z3', 'h2', 'h1', 'b1'}\n", n09c_find_the_bugs.SMALL_ONLY),
        ("clip_grad_norm", body("clip_grad_norm").replace("return [g * scale for g in grads]",
                                                          "for g in grads:\n        g *= scale\n    return grads"),
         n10c_clip_grad_norm.CHANGED_GRADS),
    ]
    with Grader() as grader:
        verdicts = [(grader.grade(exercise_id, ["import numpy as np\n", textwrap.dedent(answer)]), why)
                    for exercise_id, answer, why in faults]
    for verdict, why in verdicts:
        assert verdict.status == "incorrect" and verdict.message == why, verdict.text()
