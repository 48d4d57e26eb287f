"""Notebook 10's exercises take no shortcut: a clipped step that borrows the course's clip_grad_norm (which the
notebook imports for its exploding run) and a quiz answer that runs the network are refused, each with its own
message."""

import pytest

from backprop_course.exercises import check, gradient_health
from backprop_course.exercises.gradient_health import COURSE_CLIP, PREDICT
from backprop_course.widgets import layer_gradient_norms


@pytest.fixture(autouse=True)
def progress_file(tmp_path, monkeypatch):
    monkeypatch.setenv("BACKPROP_COURSE_PROGRESS", str(tmp_path / "progress.json"))


def test_a_clipped_step_may_use_the_learner_s_clip_but_not_the_course_s():
    def clip_grad_norm(grads, max_norm):   # the learner's own, by the global norm
        total = sum(float((g ** 2).sum()) for g in grads) ** 0.5
        return [g * min(1.0, max_norm / total) for g in grads]

    def with_course_clip(params, grads, lr, max_norm):
        return [p - lr * g for p, g in zip(params, gradient_health.clip_grad_norm(grads, max_norm), strict=True)]

    def with_own_clip(params, grads, lr, max_norm):
        return [p - lr * g for p, g in zip(params, clip_grad_norm(grads, max_norm), strict=True)]

    result = check("clipped_sgd_step", with_course_clip)
    assert not result and result.message == COURSE_CLIP, result
    assert check("clipped_sgd_step", with_own_clip)


def test_the_quiz_refuses_running_the_network():
    def smallest_gradient_layer(activation, init, depth):
        grad_z, _ = layer_gradient_norms(depth, activation, init, seed=7)   # a seed nothing has cached
        return int(grad_z.argmin()) + 1

    result = check("smallest_gradient_layer", smallest_gradient_layer)
    assert not result and result.message == PREDICT, result
