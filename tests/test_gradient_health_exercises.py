"""Notebook 10's exercises take no shortcut: a clipped step that borrows the course's clip_grad_norm (which the
notebook imports for its exploding run) and a quiz answer that runs the network are refused, each with its own
message."""

import pytest

from backprop_course.exercises import check
from backprop_course.exercises.catalog.n10a_smallest_gradient_layer import PREDICT
from backprop_course.exercises.catalog.n10c_clip_grad_norm import clip_grad_norm as course_clip_grad_norm
from backprop_course.exercises.catalog.n10d_clipped_sgd_step import COURSE_CLIP
from backprop_course.widgets import layer_gradient_norms


@pytest.fixture(autouse=True)
def progress_file(tmp_path, monkeypatch):
    monkeypatch.setenv("BACKPROP_COURSE_PROGRESS", str(tmp_path / "progress.json"))


def test_a_clipped_step_may_use_the_learner_s_clip_but_not_the_course_s():
    def clip_grad_norm(grads, max_norm):   # the learner's own, by the global norm
        total = sum(float((g ** 2).sum()) for g in grads) ** 0.5
        return [g * min(1.0, max_norm / total) for g in grads]

    def with_course_clip(params, grads, lr, max_norm):
        return [p - lr * g for p, g in zip(params, course_clip_grad_norm(grads, max_norm), strict=True)]

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


def _global_scale(grads, max_norm):
    return min(1.0, max_norm / sum(float((g ** 2).sum()) for g in grads) ** 0.5)


def test_a_step_that_writes_into_params_or_grads_is_told_so():
    from backprop_course.exercises.catalog.n10d_clipped_sgd_step import CHANGED_INPUTS

    def steps_in_place(params, grads, lr, max_norm):    # right numbers, but the caller's parameters moved
        scale = _global_scale(grads, max_norm)
        for p, g in zip(params, grads, strict=True):
            p -= lr * scale * g
        return params

    def clips_grads_in_place(params, grads, lr, max_norm):
        scale = _global_scale(grads, max_norm)
        for g in grads:
            g *= scale
        return [p - lr * g for p, g in zip(params, grads, strict=True)]

    for answer in (steps_in_place, clips_grads_in_place):
        result = check("clipped_sgd_step", answer)
        assert result.status == "incorrect" and result.message == CHANGED_INPUTS, result


def test_a_clip_that_empties_the_list_it_was_handed_is_told_so():
    from backprop_course.exercises.catalog.n10c_clip_grad_norm import CHANGED_GRADS

    def clip_grad_norm(grads, max_norm):
        scale = _global_scale(grads, max_norm)
        out = [g * scale for g in grads]
        grads.clear()
        return out

    result = check("clip_grad_norm", clip_grad_norm)
    assert result.status == "incorrect" and result.message == CHANGED_GRADS, result
