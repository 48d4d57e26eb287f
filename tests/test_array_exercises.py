"""The array exercises of notebooks 05 and 06. Their diagnoses judge plain numbers: the reference's pass them, a
planted fault gets its message, here and through the formal grader (the numbers measured in the answer's process,
judged outside it). Finite differences of any small fixed step are told they are not exact."""

import textwrap

import numpy as np
import pytest

from backprop_course.exercises import EXERCISES, check, reference_source
from backprop_course.exercises.checking import NUMERIC, Failure, seen_of
from backprop_course.exercises.formal import Grader
from backprop_course.exercises.side_effects import PEAK, WROTE_INTO


@pytest.fixture(autouse=True)
def progress_file(tmp_path, monkeypatch):
    monkeypatch.setenv("BACKPROP_COURSE_PROGRESS", str(tmp_path / "progress.json"))


def _seen(exercise_id, answer, case):
    ex = EXERCISES[exercise_id]
    args = tuple(np.copy(a) if isinstance(a, np.ndarray) else a for a in case.args)
    return seen_of(ex.probe(answer, *args), ex.outputs)


def _diagnose(exercise_id, seen, case):
    for diagnose in EXERCISES[exercise_id].diagnoses:
        diagnose(seen, *case.args)


@pytest.mark.parametrize("exercise_id", ["relu_vjp", "matmul_backward"])
def test_the_reference_meets_every_diagnosis_on_every_case(exercise_id):
    ex = EXERCISES[exercise_id]
    for case in ex.cases():
        _diagnose(exercise_id, _seen(exercise_id, ex.reference, case), case)


def test_a_reported_peak_above_the_limit_is_a_jacobian():
    from backprop_course.exercises.catalog.n05a_relu_vjp import JACOBIAN

    case = EXERCISES["relu_vjp"].cases()[-1]
    seen = _seen("relu_vjp", EXERCISES["relu_vjp"].reference, case)
    n = case.args[0].size
    seen[PEAK] = np.array(4.0 * n * n)
    with pytest.raises(Failure) as wrong:
        _diagnose("relu_vjp", seen, case)
    assert wrong.value.why == JACOBIAN


@pytest.mark.parametrize("name", ["x", "W", "grad_y"])
def test_matmul_backward_names_the_array_it_wrote_into(name):
    def matmul_backward(x, W, grad_y):
        grad_x, grad_W = grad_y @ W.T, x.T @ grad_y
        {"x": x, "W": W, "grad_y": grad_y}[name][...] = 0
        return grad_x, grad_W

    assert check("matmul_backward", matmul_backward).message == WROTE_INTO.format(name)


def _matmul_by_differences(h):
    def matmul_backward(x, W, grad_y):
        def loss(xx, WW):
            return float(((xx @ WW) * grad_y).sum())
        grads = []
        for k, a in enumerate((x, W)):
            grad = np.zeros_like(a)
            for i in np.ndindex(a.shape):
                up, down = [x, W], [x, W]
                up[k], down[k] = a.copy(), a.copy()
                up[k][i] += h
                down[k][i] -= h
                grad[i] = (loss(*up) - loss(*down)) / (2 * h)
            grads.append(grad)
        return tuple(grads)
    return matmul_backward


@pytest.mark.parametrize("h", [1.0, 1e-1, 1e-3, 1e-4])
def test_matmul_backward_by_central_differences_is_a_near_miss(h):
    """L is linear in x and in W, so central differences are exact but for rounding: the case with x near 1e8 leaves
    dL/dx only rounding."""
    result = check("matmul_backward", _matmul_by_differences(h))
    assert result.status == "incorrect" and result.message == NUMERIC, result


def test_matmul_backward_written_other_ways_passes():
    def with_einsum(x, W, grad_y):
        return np.einsum("nm,dm->nd", grad_y, W), np.einsum("nd,nm->dm", x, grad_y)

    def transposed_twice(x, W, grad_y):
        return (W @ grad_y.T).T, (grad_y.T @ x).T

    assert check("matmul_backward", with_einsum) and check("matmul_backward", transposed_twice)


# Through the formal grader -------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def grader():
    with Grader() as g:
        yield g


def _grade(grader, exercise_id, source):
    return grader.grade(exercise_id, ["import numpy as np\nfrom backprop_course import Tensor\n",
                                      textwrap.dedent(source)])


def test_formal_grading_judges_the_measured_numbers(grader):
    from backprop_course.exercises.catalog.n05a_relu_vjp import JACOBIAN

    assert _grade(grader, "relu_vjp", reference_source("relu_vjp")).passed
    jacobian = """
        def relu_vjp(x, grad_y):
            return (np.diag((x.ravel() > 0).astype(float)) @ grad_y.ravel()).reshape(x.shape)
        """
    verdict = _grade(grader, "relu_vjp", jacobian)
    assert not verdict.passed and verdict.message == JACOBIAN, verdict.text()
    into_x = """
        def relu_vjp(x, grad_y):
            x[x <= 0] = 0
            return grad_y * (x > 0)
        """
    verdict = _grade(grader, "relu_vjp", into_x)
    assert not verdict.passed and verdict.message == WROTE_INTO.format("x"), verdict.text()
