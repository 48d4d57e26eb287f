"""The exercises of sections 11 and 12: each mistake gets exactly its declared message, and the checks' own
expected values are right (central differences, not the reference alone)."""

import numpy as np
import pytest

from backprop_course import Tensor
from backprop_course.exercises import EXERCISES, check
from backprop_course.exercises.catalog.n08a_dual_numbers import DUAL_CASES, Dual

NEW = ("norm_backward", "dual_numbers", "jacobian_passes")


@pytest.fixture(autouse=True)
def progress_file(tmp_path, monkeypatch):
    monkeypatch.setenv("BACKPROP_COURSE_PROGRESS", str(tmp_path / "progress.json"))


@pytest.mark.parametrize(("exercise_id", "index"),
                         [(e, i) for e in NEW for i in range(len(EXERCISES[e].mistakes))])
def test_each_mistake_gets_exactly_its_message(exercise_id, index):
    mistake = EXERCISES[exercise_id].mistakes[index]
    result = check(exercise_id, mistake.answer)
    assert result.status == "incorrect"
    assert result.message == mistake.message


def test_mistakes_have_distinct_messages():
    for exercise_id in NEW:
        reasons = [m.message for m in EXERCISES[exercise_id].mistakes]
        assert len(set(reasons)) == len(reasons)


def test_norm_backward_is_by_hand():
    def with_the_engine(W, x):
        Wt, xt = Tensor(W, requires_grad=True), Tensor(x, requires_grad=True)
        q = Wt @ xt
        f = (q * q).sum()
        f.backward()
        return f.item(), Wt.grad.numpy(), xt.grad.numpy()

    result = check("norm_backward", with_the_engine)
    assert result.status == "incorrect"
    assert "by hand" in result.message


def _numerical_norm(h, five_point):
    """(f, df/dW, df/dx) with each gradient entry from central differences of step h (or a five-point stencil)."""
    def f(W, x):
        return float((W @ x) @ (W @ x))

    def derivative(g, a):
        out = np.zeros_like(a)
        for i in np.ndindex(a.shape):
            def at(t, i=i):
                b = a.copy()
                b[i] += t
                return g(b)
            out[i] = ((8 * (at(h) - at(-h)) - (at(2 * h) - at(-2 * h))) / (12 * h) if five_point
                      else (at(h) - at(-h)) / (2 * h))
        return out

    return lambda W, x: (f(W, x), derivative(lambda b: f(b, x), W), derivative(lambda b: f(W, b), x))


@pytest.mark.parametrize("five_point", [False, True])
@pytest.mark.parametrize("h", [1e-2, 1e-3, 1e-4, 1e-6])
def test_norm_backward_by_finite_differences_is_a_near_miss(h, five_point):
    """f is quadratic, so central differences are exact but for rounding: the case with entries near 1e8 leaves
    them only rounding."""
    from backprop_course.exercises.checking import NUMERIC

    result = check("norm_backward", _numerical_norm(h, five_point))
    assert result.status == "incorrect" and result.message == NUMERIC, result


def test_norm_backward_written_other_ways_passes():
    def with_einsum(W, x):
        q = np.einsum("ij,j->i", W, x)
        return np.sum(q ** 2), 2 * q[:, None] * x[None, :], 2 * (q @ W)

    def with_loops(W, x):
        m, n = W.shape
        q = [sum(W[i, j] * x[j] for j in range(n)) for i in range(m)]
        return (sum(v * v for v in q), np.array([[2 * q[i] * x[j] for j in range(n)] for i in range(m)]),
                np.array([sum(W[i, j] * 2 * q[i] for i in range(m)) for j in range(n)]))

    assert check("norm_backward", with_einsum) and check("norm_backward", with_loops)


def test_norm_backward_summed_dW_is_told_so_whatever_else_is_wrong():
    from backprop_course.exercises.catalog.n06c_norm_backward import SUMMED, not_summed
    from backprop_course.exercises.checking import Failure

    W, x = np.ones((3, 2)), np.ones(2)
    not_summed({"df/dW": np.ones((3, 2))}, W, x)   # W's shape: the diagnosis has nothing to say
    for shape in ((3,), (2,)):
        with pytest.raises(Failure) as wrong:
            not_summed({"df/dW": np.ones(shape)}, W, x)
        assert wrong.value.why == SUMMED
    result = check("norm_backward", lambda W, x: (0.0, (2 * W @ x) @ W, W.T @ (2 * W @ x)))
    assert result.message == SUMMED, result


def test_norm_backward_reference_gives_the_lecture_numbers():
    f, dW, dx = EXERCISES["norm_backward"].reference(np.array([[0.1, 0.5], [-0.3, 0.8]]), np.array([0.2, 0.4]))
    assert f == pytest.approx(0.116, abs=1e-15)
    np.testing.assert_allclose(dW, [[0.088, 0.176], [0.104, 0.208]], atol=1e-15)
    np.testing.assert_allclose(dx, [-0.112, 0.636], atol=1e-15)


@pytest.mark.parametrize(("description", "build"), DUAL_CASES, ids=[d for d, _ in DUAL_CASES])
def test_dual_reference_tangents_match_central_differences(description, build):
    """Each case seeds tangents; moving every seeded input by h·tangent and differencing the values must agree."""
    h = 1e-6
    plus = build(lambda v, t: Dual(v + h * t, 0.0)).value
    minus = build(lambda v, t: Dual(v - h * t, 0.0)).value
    assert build(Dual).tangent == pytest.approx((plus - minus) / (2 * h), rel=1e-7, abs=1e-8)


def test_dual_neuron_gives_the_lecture_gradient():
    neuron = next(build for description, build in DUAL_CASES if "neuron" in description)
    assert round(neuron(Dual).tangent, 4) == 0.3932


def test_dual_without_reflected_operators_is_told_to_add_them():
    class Dual:
        def __init__(self, value, tangent):
            self.value, self.tangent = value, tangent

        def __add__(self, other):
            return Dual(self.value + other.value, self.tangent + other.tangent)

    result = check("dual_numbers", Dual)
    assert result.status == "error"
    assert "__rmul__" in result.message or "lift plain numbers" in result.message


def test_jacobian_passes_returns_an_int():
    result = check("jacobian_passes", lambda n_inputs, n_outputs, mode: 3.0)
    assert result.status == "incorrect" and "an int" in result.message


def test_the_dual_hints_leave_the_derivative_rules_to_the_learner():
    texts = " ".join(EXERCISES["dual_numbers"].hint_texts())
    for rule in ("u'·v", "v²", "tanh(u)²", "e^u ·"):
        assert rule not in texts
    assert "-0.5" in EXERCISES["dual_numbers"].hint_texts()[-1]   # the last hint is numbers to check against
