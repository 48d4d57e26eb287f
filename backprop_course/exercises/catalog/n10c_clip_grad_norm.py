"""Notebook 10: clip a list of gradients by their global norm."""

import numpy as np

from ..checking import IN_PLACE, Failure, Seen
from ..registry import Case, Exercise, Mistake
from ..side_effects import changed, left_in


def clip_grad_norm(grads, max_norm):
    """Return new arrays: `grads` (a list of ndarrays) scaled together so that their global norm, the square root
    of the sum of every squared entry of every array, is at most `max_norm`. Leave `grads` unchanged."""
    total = np.sqrt(sum(float(np.sum(g ** 2)) for g in grads))
    scale = min(1.0, max_norm / total) if total > 0 else 1.0   # under max_norm: nothing changes
    return [g * scale for g in grads]


def _clip_each(grads, max_norm):
    return [g * min(1.0, max_norm / np.linalg.norm(g)) for g in grads]


def _clip_always(grads, max_norm):
    total = np.sqrt(sum(np.sum(g ** 2) for g in grads))
    return [g * max_norm / total for g in grads]


def _clip_sum_of_norms(grads, max_norm):
    total = sum(np.linalg.norm(g) for g in grads)
    return [g * min(1.0, max_norm / total) for g in grads]


def _clip_values(grads, max_norm):
    return [np.clip(g, -max_norm, max_norm) for g in grads]


def _clip_in_place(grads, max_norm):
    total = np.sqrt(sum(np.sum(g ** 2) for g in grads))
    for g in grads:
        g *= min(1.0, max_norm / total)
    return grads


EACH = ("Each array was clipped by its own norm: the direction of the whole gradient changed (a small tensor kept "
        "its size while a large one shrank). Clip by the GLOBAL norm, √(Σ over every array of its squared "
        "entries), and scale every array by the same factor.")
ALWAYS = ("These gradients were already within max_norm, and yours were scaled anyway: clipping only ever "
          "shrinks. Scale by min(1, max_norm / global norm).")
SUM_OF_NORMS = ("The global norm is the norm of all the entries together, √(Σᵢ ‖gᵢ‖²), not the sum of the "
                "arrays' norms Σᵢ ‖gᵢ‖ (which is larger, so you clipped too much).")
BY_VALUE = ("That clips each entry to [-max_norm, max_norm] (clipping by value), which changes the gradient's "
            "direction. Clipping by norm scales every array by one factor, min(1, max_norm / global norm).")
CHANGED_GRADS = IN_PLACE + " Here: the arrays in `grads` (they belong to the parameters' .grad)."
OUTPUTS = ("grads[0]", "grads[1]", "grads[2]")


def probe(answer, grads, max_norm):
    """The clipped arrays, and what the answer left in the list it was handed."""
    out = answer(grads, max_norm)
    if not (isinstance(out, (list, tuple)) and len(out) == len(OUTPUTS)):
        got = f"a {type(out).__name__} of length {len(out)}" if isinstance(out, (list, tuple)) else \
            type(out).__name__
        raise Failure(f"Return a list of {len(OUTPUTS)} arrays, one per array in grads; got {got}.")
    return Seen({**dict(zip(OUTPUTS, out, strict=True)), **left_in("grads", grads, len(OUTPUTS))})


def keeps_grads(seen, grads, max_norm):
    """The arrays in `grads` are as they were."""
    if changed(seen, "grads", grads):
        raise Failure(CHANGED_GRADS)


def _cases():
    rng = np.random.default_rng(21)
    big = [rng.normal(size=(4, 3)) * 3, rng.normal(size=3) * 0.01, rng.normal(size=(3, 2))]
    small = [g / 100 for g in big]
    mixed = [np.full((2, 2), 0.1), np.array([3.0, 4.0]), np.zeros((1, 3))]   # one array alone is over max_norm
    total = np.sqrt(sum(np.sum(g ** 2) for g in big))
    return [Case(f"three arrays with global norm {total:.4g}, max_norm = 1", (big, 1.0)),
            Case(f"the same arrays / 100 (global norm {total / 100:.4g}), max_norm = 1", (small, 1.0)),
            Case("[0.1·ones(2, 2), [3, 4], zeros(1, 3)] (global norm 5.004), max_norm = 5.5: already within",
                 (mixed, 5.5)),
            Case("[0.1·ones(2, 2), [3, 4], zeros(1, 3)], max_norm = 2", (mixed, 2.0))]


EXERCISE = Exercise(
    id="clip_grad_norm",
    title="Clip the gradients by their global norm",
    notebook="10",
    section="14",
    points=2,
    prompt="Return new arrays: the gradients scaled together, by one factor, so that their global norm is at most "
           "max_norm.",
    reference=clip_grad_norm,
    cases=_cases,
    outputs=OUTPUTS,
    probe=probe,
    diagnoses=(keeps_grads,),
    mistakes=(
        Mistake(_clip_each, EACH),
        Mistake(_clip_always, ALWAYS),
        Mistake(_clip_sum_of_norms, SUM_OF_NORMS),
        Mistake(_clip_values, BY_VALUE),
        Mistake(_clip_in_place, CHANGED_GRADS),
    ),
    shape_why="Each clipped array has the shape of the gradient it comes from.",
    hints=(
        "One number for all the arrays together: the square root of the sum of every squared entry.",
        "Every array gets the same factor, and the factor is never above 1.",
        "Check: [[3, 4]] with max_norm 1 gives [[0.6, 0.8]]; with max_norm 10 it stays [[3, 4]].",
    ),
    imports="import numpy as np",
)
