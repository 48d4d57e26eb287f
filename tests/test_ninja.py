"""Notebook 11's fused backward passes agree with the engine's gradients (the references are what the checks trust)."""

import numpy as np

from backprop_course import Tensor
from backprop_course.exercises.catalog.n11a_cross_entropy_backward import cross_entropy_backward
from backprop_course.exercises.catalog.n11b_batchnorm_backward import batchnorm_backward
from backprop_course.exercises.catalog.n11c_embedding_backward import embedding_backward
from backprop_course.nn import cross_entropy


def test_cross_entropy_backward_is_the_engine_s():
    rng = np.random.default_rng(0)
    logits, y = rng.normal(size=(9, 5)) * 3, rng.integers(0, 5, 9)
    t = Tensor(logits, requires_grad=True)
    cross_entropy(t, y).backward()
    np.testing.assert_allclose(cross_entropy_backward(logits, y), t.grad.numpy(), rtol=1e-12, atol=1e-15)


def test_batchnorm_backward_with_bessel_is_the_engine_s():
    rng = np.random.default_rng(1)
    x, dout = rng.normal(size=(7, 4)) * 2 + 1, rng.normal(size=(7, 4))
    gamma, beta = rng.normal(size=4), rng.normal(size=4)
    tx, tg, tb = (Tensor(a, requires_grad=True) for a in (x, gamma, beta))
    diff = tx - tx.mean(axis=0)
    var = (diff ** 2).sum(axis=0) / (len(x) - 1)
    out = tg * diff * (var + 1e-5) ** -0.5 + tb
    out.backward(dout)
    for got, want in zip(batchnorm_backward(dout, x, gamma), (tx.grad, tg.grad, tb.grad), strict=True):
        np.testing.assert_allclose(got, want.numpy(), rtol=1e-10, atol=1e-13)


def test_embedding_backward_adds_repeated_rows_as_the_engine_does():
    rng = np.random.default_rng(2)
    X, demb = np.array([3, 1, 3, 3, 0]), rng.normal(size=(5, 2))
    C = Tensor(rng.normal(size=(4, 2)), requires_grad=True)
    C[X].backward(demb)
    np.testing.assert_allclose(embedding_backward(X, demb, 4), C.grad.numpy(), rtol=1e-15)
    assert np.allclose(embedding_backward(X, demb, 4)[3], demb[[0, 2, 3]].sum(axis=0))


def test_the_fused_exercises_refuse_the_engine(tmp_path, monkeypatch):
    from backprop_course.exercises import check
    from backprop_course.exercises.checking import BY_HAND

    monkeypatch.setenv("BACKPROP_COURSE_PROGRESS", str(tmp_path / "progress.json"))

    def cross_entropy_backward(logits, y):
        t = Tensor(logits, requires_grad=True)
        cross_entropy(t, y).backward()
        return t.grad.numpy()

    def embedding_backward(X, demb, vocab_size):
        C = Tensor(np.zeros((vocab_size, demb.shape[1])), requires_grad=True)
        C[X].backward(demb)
        return C.grad.numpy()

    for exercise_id, answer in (("cross_entropy_backward", cross_entropy_backward),
                                ("embedding_backward", embedding_backward)):
        result = check(exercise_id, answer)
        assert not result and result.message == BY_HAND, result


def test_the_batchnorm_hint_s_numbers_are_the_reference_s():
    dx, dgamma, dbeta = batchnorm_backward(np.array([[1.0], [0.0]]), np.array([[1.0], [3.0]]), np.array([1.0]), eps=0)
    np.testing.assert_allclose(dx, [[0.0], [0.0]], atol=1e-15)
    np.testing.assert_allclose(dgamma, [-0.7071], atol=5e-5)
    np.testing.assert_allclose(dbeta, [1.0])


def test_each_fused_exercise_names_the_input_it_wrote_into(tmp_path, monkeypatch):
    from backprop_course.exercises import check
    from backprop_course.exercises.side_effects import WROTE_INTO

    monkeypatch.setenv("BACKPROP_COURSE_PROGRESS", str(tmp_path / "progress.json"))

    def into_logits(logits, y):
        logits -= logits.max(axis=1, keepdims=True)
        return cross_entropy_backward(logits, y)

    def into_x(dout, x, gamma, eps=1e-5):
        out = batchnorm_backward(dout, x, gamma)
        x[:] = 0
        return out

    def into_demb(X, demb, vocab_size):
        out = embedding_backward(X, demb, vocab_size)
        demb *= 2
        return out

    for exercise_id, answer, name in (("cross_entropy_backward", into_logits, "logits"),
                                      ("batchnorm_backward", into_x, "x"), ("embedding_backward", into_demb, "demb")):
        result = check(exercise_id, answer)
        assert not result and result.message == WROTE_INTO.format(name), result


def test_cross_entropy_without_a_max_shift_is_told_it_overflows(tmp_path, monkeypatch):
    from backprop_course.exercises import check
    from backprop_course.exercises.catalog.n11a_cross_entropy_backward import CE_OVERFLOW

    monkeypatch.setenv("BACKPROP_COURSE_PROGRESS", str(tmp_path / "progress.json"))

    def no_shift(logits, y):
        probs = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
        probs[np.arange(len(y)), y] -= 1
        return probs / len(y)

    with np.errstate(all="ignore"):
        result = check("cross_entropy_backward", no_shift)
    assert not result and result.message == CE_OVERFLOW and "800" in result.case, result



def five_point(f, a, h):
    """df/da by the five-point stencil with step h, entry by entry: accurate to about 1e-13 on inputs of size 1."""
    grad = np.zeros(np.shape(a))
    for i in np.ndindex(grad.shape):
        def at(step, i=i):
            moved = np.array(a, dtype=float)
            moved[i] += step
            return f(moved)
        grad[i] = (at(-2 * h) - 8 * at(-h) + 8 * at(h) - at(2 * h)) / (12 * h)
    return grad


def test_a_five_point_stencil_that_passes_the_ordinary_cases_is_caught_on_inputs_of_size_1e8(tmp_path, monkeypatch):
    from backprop_course.exercises import check
    from backprop_course.exercises.checking import NUMERIC

    monkeypatch.setenv("BACKPROP_COURSE_PROGRESS", str(tmp_path / "progress.json"))

    def cross_entropy_backward(logits, y):
        def loss(logits):
            shifted = logits - logits.max(axis=1, keepdims=True)
            return -(shifted[np.arange(len(y)), y] - np.log(np.exp(shifted).sum(axis=1))).mean()
        return five_point(loss, logits, 3e-3)

    def batchnorm_backward(dout, x, gamma, eps=1e-5):
        def loss(x, gamma, beta):
            return (dout * (gamma * (x - x.mean(0)) / np.sqrt(x.var(0, ddof=1) + eps) + beta)).sum()
        beta = np.zeros_like(gamma)
        return (five_point(lambda t: loss(t, gamma, beta), x, 1e-3),
                five_point(lambda t: loss(x, t, beta), gamma, 1e-3),
                five_point(lambda t: loss(x, gamma, t), beta, 1e-3))

    for exercise_id, stencil in (("cross_entropy_backward", cross_entropy_backward),
                                 ("batchnorm_backward", batchnorm_backward)):
        result = check(exercise_id, stencil)
        assert not result and result.message == NUMERIC and "1e8" in result.case, result
