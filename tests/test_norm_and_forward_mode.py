"""The exercises of sections 11 and 12: each mistake gets exactly its declared message, and the checks' own
expected values are right (central differences, not the reference alone)."""

import numpy as np
import pytest

from backprop_course import Tensor
from backprop_course.exercises import EXERCISES, check
from backprop_course.exercises.forward_mode import DUAL_CASES, Dual

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
