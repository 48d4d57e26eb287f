"""Notebook 10: one SGD step with the gradients clipped by their global norm."""

import numpy as np

from ..checking import IN_PLACE, Failure, Seen
from ..registry import Case, Exercise, Mistake
from ..side_effects import changed, left_in
from .n10c_clip_grad_norm import clip_grad_norm


def clipped_sgd_step(params, grads, lr, max_norm):
    """Return the new parameters (a list of new arrays) after one SGD step, p - lr·g, with the gradients first
    clipped by their global norm to max_norm (your clip_grad_norm may help). Leave params and grads unchanged."""
    total = np.sqrt(sum(float(np.sum(g ** 2)) for g in grads))
    scale = min(1.0, max_norm / total) if total > 0 else 1.0
    return [p - lr * scale * g for p, g in zip(params, grads, strict=True)]


def _clip(arrays, max_norm):
    """clip_grad_norm for the mistakes below: an answer calling the course's clip_grad_norm is refused."""
    total = np.sqrt(sum(float(np.sum(a ** 2)) for a in arrays))
    return [a * min(1.0, max_norm / total) for a in arrays]


def _step_clips_params(params, grads, lr, max_norm):
    return [p - lr * g for p, g in zip(_clip(params, max_norm), grads, strict=True)]


def _step_clips_update(params, grads, lr, max_norm):
    return _clip([p - lr * g for p, g in zip(params, grads, strict=True)], max_norm)


def _step_unclipped(params, grads, lr, max_norm):
    return [p - lr * g for p, g in zip(params, grads, strict=True)]


def _step_clips_each(params, grads, lr, max_norm):
    return [p - lr * g * min(1.0, max_norm / np.linalg.norm(g)) for p, g in zip(params, grads, strict=True)]


def _step_uphill(params, grads, lr, max_norm):
    return [p + lr * g for p, g in zip(params, _clip(grads, max_norm), strict=True)]


CLIPS_PARAMS = ("The parameters were clipped, not the gradients: clipping bounds the size of a STEP, so it applies "
                "to the gradients, and the parameters keep whatever size they have.")
CLIPS_UPDATE = ("The new parameters were clipped after the step: clip the gradients first, then step with them.")
UNCLIPPED = "The gradients were not clipped: with these gradients the step is far larger than max_norm allows."
UPHILL = "The step goes uphill: gradient descent subtracts, p − lr·g."
STEP_EACH = ("Each gradient was clipped by its own norm, which changes the step's direction: clip them together, "
             "by their global norm, as in clip_grad_norm.")
COURSE_CLIP = ("Your step calls the course's clip_grad_norm (the notebook imports it for its exploding run): clip "
               "with your own.")
CHANGED_INPUTS = IN_PLACE + " Here: `params` or `grads`; return new arrays."
OUTPUTS = ("params[0]", "params[1]", "params[2]")


def probe(answer, params, grads, lr, max_norm):
    """The new parameters, and what the answer left in the two lists it was handed."""
    out = answer(params, grads, lr, max_norm)
    if not (isinstance(out, (list, tuple)) and len(out) == len(OUTPUTS)):
        raise Failure(f"Return a list of {len(OUTPUTS)} arrays, the new parameters.")
    return Seen({**dict(zip(OUTPUTS, out, strict=True)), **left_in("params", params, len(OUTPUTS)),
                 **left_in("grads", grads, len(OUTPUTS))})


def keeps_params_and_grads(seen, params, grads, lr, max_norm):
    """The arrays in `params` and `grads` are as they were."""
    if changed(seen, "params", params) or changed(seen, "grads", grads):
        raise Failure(CHANGED_INPUTS)


def _cases():
    rng = np.random.default_rng(22)
    params = [rng.normal(size=(3, 2)) * 4, rng.normal(size=2) * 4, rng.normal(size=(2, 2)) * 4]
    grads = [rng.normal(size=(3, 2)) * 50, rng.normal(size=2) * 50, rng.normal(size=(2, 2)) * 50]
    return [Case("large gradients (global norm about 180), lr = 0.1, max_norm = 1", (params, grads, 0.1, 1.0)),
            Case("the same parameters, gradients / 1000 (within max_norm), lr = 0.5, max_norm = 1",
                 (params, [g / 1000 for g in grads], 0.5, 1.0)),
            Case("the same, lr = 0.01, max_norm = 5", (params, grads, 0.01, 5.0))]


EXERCISE = Exercise(
    id="clipped_sgd_step",
    title="One SGD step with clipped gradients",
    notebook="10",
    section="14",
    points=1,
    prompt="Return the new parameters after one SGD step whose gradients were clipped by their global norm.",
    reference=clipped_sgd_step,
    own_work=((clip_grad_norm, COURSE_CLIP),),
    cases=_cases,
    outputs=OUTPUTS,
    probe=probe,
    diagnoses=(keeps_params_and_grads,),
    mistakes=(
        Mistake(_step_clips_params, CLIPS_PARAMS),
        Mistake(_step_clips_update, CLIPS_UPDATE),
        Mistake(_step_unclipped, UNCLIPPED),
        Mistake(_step_uphill, UPHILL),
        Mistake(_step_clips_each, STEP_EACH),
    ),
    hints=(
        "Two lines: clip, then step.",
        "Check: with max_norm = 1 no parameter array moves by more than lr in norm.",
    ),
    imports="import numpy as np",
)
