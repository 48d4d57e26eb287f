"""mlp_backward: a two-layer network's backward pass by hand, checked tensor by tensor against the engine."""

import numpy as np
import pytest

from backprop_course import Tensor, func
from backprop_course.exercises import EXERCISES, check
from backprop_course.exercises.catalog import n07a_mlp_backward as mb
from backprop_course.exercises.checking import BY_HAND, NUMERIC

EXERCISE = EXERCISES["mlp_backward"]


@pytest.fixture(autouse=True)
def progress_file(tmp_path, monkeypatch):
    monkeypatch.setenv("BACKPROP_COURSE_PROGRESS", str(tmp_path / "progress.json"))


def test_every_issue_mistake_is_declared():
    declared = {m.message for m in EXERCISE.mistakes}
    assert {mb.NO_N, mb.SUM_NOT_MEAN, mb.BIAS_AXIS, mb.BIAS_NOT_SUMMED, mb.MASK_AT_ZERO, mb.MASK_QUANTITY,
            mb.W2_NOT_TRANSPOSED, mb.X_WRONG_SIDE, mb.NO_ONEHOT, mb.SIGN_FLIPPED, mb.MASK_IS_H, mb.OVERFLOW,
            *(mb.alone_too_large(name) for name in ("dW2", "db2", "dW1", "db1"))} <= declared


def _central_differences(X, y, W1, b1, W2, b2, eps=1e-6):
    """Numeric gradients: nudge every parameter entry both ways."""
    def loss(W1, b1, W2, b2):
        logits = np.maximum(X @ W1 + b1, 0) @ W2 + b2
        shifted = logits - logits.max(axis=1, keepdims=True)
        return -(shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True)))[np.arange(len(y)), y].mean()

    params = [p.astype(float) for p in (W1, b1, W2, b2)]
    grads = []
    for p in params:
        g = np.zeros_like(p)
        for i in np.ndindex(p.shape):
            old = p[i]
            p[i] = old + eps
            up = loss(*params)
            p[i] = old - eps
            down = loss(*params)
            p[i] = old
            g[i] = (up - down) / (2 * eps)
        grads.append(g)
    return tuple(grads)


def test_central_differences_are_a_near_miss():
    result = check("mlp_backward", _central_differences)
    assert result.status == "incorrect" and result.message == NUMERIC, result


def test_the_engine_s_gradients_are_refused():
    result = check("mlp_backward", mb._engine_backward)
    assert result.status == "incorrect" and result.message == BY_HAND, result


def test_the_reference_matches_the_engine_to_rounding():
    for batch in (mb._square_batch, mb._spiral_batch, mb._random_batch):
        inputs = batch()
        for mine, engine in zip(mb.mlp_backward(*inputs), mb._engine_backward(*inputs), strict=True):
            assert mine.shape == engine.shape
            assert np.abs(mine - engine).max() < 1e-14


def test_the_feedback_names_the_first_wrong_tensor_in_backward_order():
    def wrong_db1(*inputs):
        dW1, db1, dW2, db2 = mb.mlp_backward(*inputs)
        return dW1, db1 + 0.5, dW2, db2

    result = check("mlp_backward", wrong_db1)
    assert result.status == "incorrect"
    assert result.message == EXERCISE.otherwise
    assert result.expected.startswith("db1 = ") and result.got.startswith("db1 = ")


def test_a_wrong_shape_is_named_with_the_shape_it_needs():
    def transposed_db2(*inputs):
        dW1, db1, dW2, db2 = mb.mlp_backward(*inputs)
        return dW1, db1, dW2, db2[None, :]

    result = check("mlp_backward", transposed_db2)
    assert result.message.startswith("db2 has the wrong shape") and "db2 like b2 (C,)" in result.message


def test_a_func_transform_is_refused_as_engine_use():
    def with_func(X, y, W1, b1, W2, b2):
        def loss(W1, b1, W2, b2):
            from backprop_course.nn import cross_entropy
            return cross_entropy((Tensor(X) @ W1 + b1).relu() @ W2 + b2, y)
        return func.grad(loss, argnums=(0, 1, 2, 3))(*(Tensor(p) for p in (W1, b1, W2, b2)))

    result = check("mlp_backward", with_func)
    assert result.status == "incorrect" and result.message == BY_HAND


def test_the_learners_arrays_cannot_change_the_check():
    def scribbles(X, y, W1, b1, W2, b2):
        out = mb.mlp_backward(X, y, W1, b1, W2, b2)
        for a in (X, W1, b1, W2, b2):
            a[...] = 0.0  # in place: the check must keep its own copies
        return out

    assert check("mlp_backward", scribbles)


def test_a_matmul_crash_gets_shape_advice():
    def crashes(X, y, W1, b1, W2, b2):
        return X @ W2[:2], b1, W2, b2

    result = check("mlp_backward", crashes)
    assert result.status == "error" and "ValueError" in result.message
    assert "every gradient has the shape of what it is for" in result.message


def _with(change):
    """The reference with `change(dW1, db1, dW2, db2, N)` applied to its gradients."""
    def answer(X, y, W1, b1, W2, b2):
        return change(*mb.mlp_backward(X, y, W1, b1, W2, b2), len(y))
    return answer


def test_every_gradient_is_too_large_only_when_every_gradient_is():
    only_db2 = check("mlp_backward", _with(lambda dW1, db1, dW2, db2, N: (dW1, db1, dW2, db2 * N)))
    assert only_db2.message == mb.alone_too_large("db2") and "Every" not in only_db2.message
    every = check("mlp_backward", _with(lambda dW1, db1, dW2, db2, N: (dW1 * N, db1 * N, dW2 * N, db2 * N)))
    assert every.message == mb.SUM_NOT_MEAN
    # db2 too large and dW1 wrong in another way: the first wrong tensor is named, not "every gradient"
    two = check("mlp_backward", _with(lambda dW1, db1, dW2, db2, N: (dW1 + 1, db1, dW2, db2 * N)))
    assert two.message == mb.alone_too_large("db2")


def naive_softmax_backward(X, y, W1, b1, W2, b2):
    """A careful backward pass whose softmax skips the max-shift."""
    N = len(y)
    z = X @ W1 + b1
    h = np.maximum(z, 0)
    e = np.exp(h @ W2 + b2)
    dlogits = e / e.sum(axis=1, keepdims=True)
    dlogits[np.arange(N), y] -= 1
    dlogits /= N
    dz = dlogits @ W2.T * (z > 0)
    return X.T @ dz, dz.sum(axis=0), h.T @ dlogits, dlogits.sum(axis=0)


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_a_softmax_without_the_max_shift_is_rejected_on_large_logits():
    X, y, W1, b1, W2, b2 = mb._confident_batch()
    assert (np.maximum(X @ W1 + b1, 0) @ W2 + b2).max() > 750   # exp overflows float64 beyond about 709
    for a, b in zip(naive_softmax_backward(*mb._square_batch()), mb.mlp_backward(*mb._square_batch()), strict=True):
        assert np.allclose(a, b)                                   # right on ordinary logits
    result = check("mlp_backward", naive_softmax_backward)
    assert result.status == "incorrect" and result.message == mb.OVERFLOW and "1000" in result.case


def test_the_hints_end_with_something_to_check_not_code():
    for text in EXERCISE.hint_texts():
        assert not any(code in text for code in ("@", "np.", ".T", "sum(axis", "W2ᵀ", "(z > 0)")), text
    assert any(ch.isdigit() for ch in EXERCISE.hint_texts()[-1])


def _seen(answer, batch):
    return dict(zip(mb.OUTPUTS, (np.asarray(g, dtype=float) for g in mb.probe(answer, *batch)), strict=True))


def test_a_bias_shape_is_told_only_when_it_is_the_first_wrong_tensor():
    from backprop_course.exercises.checking import Failure

    batch = mb._square_batch()
    for diagnose in EXERCISE.diagnoses:
        diagnose(_seen(mb.mlp_backward, batch), *batch)   # the reference: nothing to say
    per_example = _with(lambda dW1, db1, dW2, db2, N: (dW1, db1, dW2, np.ones(N)))
    with pytest.raises(Failure) as wrong:
        mb.bias_shapes(_seen(per_example, batch), *batch)
    assert wrong.value.why == mb.BIAS_AXIS
    # dW2, before db2 in the backward pass, is wrong too: its values speak, not db2's shape
    both = _with(lambda dW1, db1, dW2, db2, N: (dW1, db1, dW2 + 1, np.ones(N)))
    mb.bias_shapes(_seen(both, batch), *batch)
    assert check("mlp_backward", both).message != mb.BIAS_AXIS


def test_nan_is_overflow_only_on_the_batch_with_large_logits():
    nan = _with(lambda dW1, db1, dW2, db2, N: (dW1 * np.nan, db1, dW2, db2))
    mb.finite_on_large_logits(_seen(nan, mb._square_batch()), *mb._square_batch())
    result = check("mlp_backward", nan)
    assert result.message != mb.OVERFLOW and "1000" not in (result.case or ""), result
