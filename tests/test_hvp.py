"""hvp: the Hessian-vector product by double backward, and the memory diagnosis of its large case."""

import numpy as np
import pytest

from backprop_course.exercises import EXERCISES, check
from backprop_course.exercises.catalog.n08c_hvp import HESSIAN, no_hessian
from backprop_course.exercises.checking import Failure, seen_of
from backprop_course.exercises.side_effects import PEAK

EXERCISE = EXERCISES["hvp"]


@pytest.fixture(autouse=True)
def progress_file(tmp_path, monkeypatch):
    monkeypatch.setenv("BACKPROP_COURSE_PROGRESS", str(tmp_path / "progress.json"))


def test_the_large_case_is_measured_and_the_reference_is_well_under_the_limit():
    case = EXERCISE.cases()[-1]
    seen = seen_of(EXERCISE.probe(EXERCISE.reference, *case.args), EXERCISE.outputs)
    n = case.args[1].size
    assert 0 < float(seen[PEAK]) < n * n   # measured, and under a quarter of the limit
    no_hessian(seen, *case.args)
    seen[PEAK] = np.array(4.0 * n * n + 1)
    with pytest.raises(Failure) as wrong:
        no_hessian(seen, *case.args)
    assert wrong.value.why == HESSIAN


def test_an_answer_that_holds_an_n_by_n_array_is_told_about_the_hessian():
    def hvp(f, x, v):
        square = np.outer(v, v)   # as much memory as H would take
        return EXERCISE.reference(f, x, v) + 0 * square[0, :]

    result = check("hvp", hvp)
    assert result.status == "incorrect" and result.message == HESSIAN, result
    assert "n = 1500" in result.case


def test_the_formal_grader_judges_the_peak_the_answer_s_process_measured():
    from backprop_course.exercises.formal import Grader

    square = ("import numpy as np\nfrom backprop_course import Tensor\n\n"
              "def hvp(f, x, v):\n"
              "    x = Tensor(x, requires_grad=True)\n"
              "    f(x).backward(create_graph=True)\n"
              "    grad, x.grad = x.grad, None\n"
              "    (grad * Tensor(v)).sum().backward()\n"
              "    return x.grad.numpy() + 0 * np.outer(v, v)[0]\n")
    with Grader() as grader:
        verdict = grader.grade("hvp", [square])
        assert not verdict.passed and verdict.message == HESSIAN and "n = 1500" in verdict.case, verdict.text()
        assert grader.grade("hvp", [square.replace(" + 0 * np.outer(v, v)[0]", "")]).passed
