"""Notebook 10: initialization by fan-in, clipping by the global norm, and where a deep network's gradient is
smallest."""

from __future__ import annotations

import numbers

import numpy as np

from .. import autodiff
from .checking import IN_PLACE, Failure
from .registry import Case, Exercise, Mistake, register

# smallest_gradient_layer -------------------------------------------------------------------------------
# The notebook's network: `depth` layers z = h·W, h = activation(z), of width 64, W ~ N(0, std²) with std
# from `init`. The gradient reaching layer l is ∂L/∂z_l; layers count from 1 (next to the input) to depth.
INITS = {"naive": "N(0, 1)", "fan_in": "1/√fan_in", "he": "He"}
QUIZ = (("sigmoid", "fan_in"), ("tanh", "fan_in"), ("relu", "fan_in"), ("relu", "naive"))


def smallest_gradient_layer(activation, init, depth):
    """Predict which layer l (1 = next to the input, depth = next to the output) receives the smallest gradient
    ‖∂L/∂z_l‖ in the notebook's network, for activation "sigmoid", "tanh" or "relu" and init "naive" (N(0, 1))
    or "fan_in" (std 1/√fan_in)."""
    # Going back one layer multiplies the gradient by Wᵀ, which scales it by about std·√fan_in (8 for N(0, 1)
    # with fan_in 64, 1 for 1/√fan_in), and by the activation's local gradient: at most 0.25 for the sigmoid,
    # at most 1 (and below 1 away from 0) for tanh, 1 on the half of a ReLU's units that are on (√½ in norm).
    # With N(0, 1) weights the sigmoid saturates (z has a spread of about 5, σ′ averages about 0.07): 8 · 0.07 < 1.
    if activation == "sigmoid":
        return 1
    return depth if init == "naive" else 1   # growing on the way back: smallest next to the output


PREDICT = ("The quiz asks for a prediction, not a measurement: your code ran a backward pass. Estimate the factor "
           "each layer back multiplies the gradient by, instead.")


def _run_quiz(answer, depth):
    got = []
    for activation, init in QUIZ:
        layer = answer(activation, init, depth)
        if isinstance(layer, bool) or not isinstance(layer, numbers.Integral | np.integer):
            raise Failure(f"Return a layer number, an int from 1 to {depth}; got {type(layer).__name__} for "
                          f"({activation!r}, {init!r}).")
        got.append(int(layer))
    return got


def _quiz_names():
    return tuple(f"{a} with {INITS[i]}" for a, i in QUIZ)


register(Exercise(
    id="smallest_gradient_layer",
    title="Where is the gradient smallest?",
    notebook="10",
    section="14",
    points=2,
    prompt="Before running anything: for each activation and initialization, which layer of the deep network "
           "receives the smallest gradient?",
    reference=smallest_gradient_layer,
    own_work=((autodiff.gradients, PREDICT),),   # every backward pass goes through it
    cases=lambda: [Case(f"depth = {d}", (d,)) for d in (10, 6, 16)],
    outputs=_quiz_names(),
    probe=_run_quiz,
    rtol=0,
    atol=0,
    mistakes=(
        Mistake(lambda a, i, d: 1, "Not every gradient vanishes: with N(0, 1) weights each layer going back "
                                   "multiplies the gradient by Wᵀ, about √fan_in = 8 times larger, which outweighs "
                                   "the activation's local gradient. There the gradient EXPLODES on the way back "
                                   "and is smallest next to the output."),
        Mistake(lambda a, i, d: d, "The gradient starts at the output and is multiplied, layer by layer, on its way "
                                   "back: where each factor is below 1 (σ′ ≤ 0.25, or 1/√fan_in weights with a ReLU "
                                   "that drops half), it is smallest next to the INPUT, layer 1."),
        Mistake(lambda a, i, d: d + 1 - smallest_gradient_layer(a, i, d),
                "Upside down: layer 1 is next to the input. The gradient starts at the output (layer depth) and "
                "shrinks or grows on its way back towards layer 1."),
        Mistake(lambda a, i, d: smallest_gradient_layer(a, i, d) - 1,
                "Count the layers from 1 (next to the input) to depth (next to the output), not from 0."),
    ),
    hints=(
        "Going back one layer multiplies the gradient by the activation's local gradient and by Wᵀ. Estimate the "
        "size of each factor.",
        "Wᵀ scales a vector's norm by about std·√fan_in: 8 with N(0, 1) weights and fan_in 64, 1 with 1/√fan_in.",
        "Check: a ReLU with N(0, 1) weights multiplies the gradient by about 8·√½ ≈ 5.7 per layer on the way "
        "back; a sigmoid with 1/√fan_in weights by about 0.25 or less.",
    ),
    imports="import numpy as np",
))


# init_scale ------------------------------------------------------------------------------------------
def init_scale(fan_in, activation):
    """Return the standard deviation for the weights of a layer with `fan_in` inputs followed by `activation`
    ("linear", "tanh" or "relu"), so that the variance of the pre-activations stays the same from layer to
    layer."""
    gain = 2.0 if activation == "relu" else 1.0   # a ReLU zeroes half its inputs: twice the variance makes up
    return float(np.sqrt(gain / fan_in))          # Var(z) = fan_in · std² · E[h²]


VARIANCE = ("That is the variance, not the standard deviation: Var(w) = gain / fan_in, so the standard deviation "
            "is its square root.")
NO_RELU_GAIN = ("A ReLU sets every negative input to 0, so it keeps only half of the variance: the relu layer "
                "needs std = √(2 / fan_in) (He initialization), twice the variance of the others.")
RELU_GAIN_EVERYWHERE = ("The factor 2 makes up for the half a ReLU throws away. A tanh or linear layer keeps "
                        "(near 0) the variance it gets, so it needs std = √(1 / fan_in): with √(2 / fan_in) "
                        "its pre-activations grow by √2 at every layer.")
TIMES_FAN_IN = ("The more inputs a unit sums, the larger its pre-activation: the standard deviation must SHRINK as "
                "fan_in grows, like 1/√fan_in.")
NOT_A_FLOAT = "Return the standard deviation as one number (a float)."


def _run_scale(answer, fan_in, activation):
    got = answer(fan_in, activation)
    if isinstance(got, bool) or not isinstance(got, numbers.Real):
        raise Failure(NOT_A_FLOAT, got=type(got).__name__)
    return got


def _scale_cases():
    pairs = [(64, "relu"), (64, "tanh"), (100, "linear"), (3, "linear"), (784, "relu"), (1, "tanh")]
    return [Case(f"fan_in = {n}, activation = {a!r}", (n, a)) for n, a in pairs]


register(Exercise(
    id="init_scale",
    title="Scale the weights by the fan-in",
    notebook="10",
    section="14",
    points=2,
    prompt="Return the standard deviation of a layer's weights, from its fan-in and the activation after it, so "
           "that the pre-activations keep their variance from layer to layer.",
    reference=init_scale,
    cases=_scale_cases,
    outputs=("std",),
    probe=_run_scale,
    mistakes=(
        Mistake(lambda n, a: (2.0 if a == "relu" else 1.0) / n, VARIANCE),
        Mistake(lambda n, a: 1 / np.sqrt(n), NO_RELU_GAIN),
        Mistake(lambda n, a: np.sqrt(2 / n), RELU_GAIN_EVERYWHERE),
        Mistake(lambda n, a: np.sqrt((2.0 if a == "relu" else 1.0) * n), TIMES_FAN_IN),
    ),
    hints=(
        "z = Σᵢ wᵢ·hᵢ sums fan_in products of independent, zero-mean weights: Var(z) = fan_in · Var(w) · E[h²].",
        "A linear unit passes E[h²] = Var(z) on to the next layer: ask that the next Var(z) be the same, and solve "
        "for Var(w). A ReLU passes only half of it, E[h²] = Var(z) / 2.",
        "Check: fan_in = 64 gives std 0.125 for tanh and 0.1768 for relu.",
    ),
    imports="import numpy as np",
))


# clip_grad_norm ----------------------------------------------------------------------------------------
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
OUTPUTS = ("grads[0]", "grads[1]", "grads[2]")


def _run_clip(answer, grads, max_norm):
    copies = [g.copy() for g in grads]
    out = answer(copies, max_norm)
    if not all(np.array_equal(g, c) for g, c in zip(grads, copies, strict=True)):
        raise Failure(IN_PLACE + " Here: the arrays in `grads` (they belong to the parameters' .grad).")
    if not (isinstance(out, (list, tuple)) and len(out) == len(grads)):
        got = f"a {type(out).__name__} of length {len(out)}" if isinstance(out, (list, tuple)) else \
            type(out).__name__
        raise Failure(f"Return a list of {len(grads)} arrays, one per array in grads; got {got}.")
    return out


def _clip_cases():
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


register(Exercise(
    id="clip_grad_norm",
    title="Clip the gradients by their global norm",
    notebook="10",
    section="14",
    points=2,
    prompt="Return new arrays: the gradients scaled together, by one factor, so that their global norm is at most "
           "max_norm.",
    reference=clip_grad_norm,
    cases=_clip_cases,
    outputs=OUTPUTS,
    probe=_run_clip,
    mistakes=(
        Mistake(_clip_each, EACH),
        Mistake(_clip_always, ALWAYS),
        Mistake(_clip_sum_of_norms, SUM_OF_NORMS),
        Mistake(_clip_values, BY_VALUE),
        Mistake(_clip_in_place, IN_PLACE + " Here: the arrays in `grads` (they belong to the parameters' .grad)."),
    ),
    shape_why="Each clipped array has the shape of the gradient it comes from.",
    hints=(
        "One number for all the arrays together: the square root of the sum of every squared entry.",
        "Every array gets the same factor, and the factor is never above 1.",
        "Check: [[3, 4]] with max_norm 1 gives [[0.6, 0.8]]; with max_norm 10 it stays [[3, 4]].",
    ),
    imports="import numpy as np",
))


# clipped_sgd_step --------------------------------------------------------------------------------------
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


def _run_step(answer, params, grads, lr, max_norm):
    given = [a.copy() for a in params + grads]
    p, g = [a.copy() for a in params], [a.copy() for a in grads]
    out = answer(p, g, lr, max_norm)
    if not all(np.array_equal(a, b) for a, b in zip(given, p + g, strict=True)):
        raise Failure(IN_PLACE + " Here: `params` or `grads`; return new arrays.")
    if not (isinstance(out, (list, tuple)) and len(out) == len(params)):
        raise Failure(f"Return a list of {len(params)} arrays, the new parameters.")
    return out


def _step_cases():
    rng = np.random.default_rng(22)
    params = [rng.normal(size=(3, 2)) * 4, rng.normal(size=2) * 4, rng.normal(size=(2, 2)) * 4]
    grads = [rng.normal(size=(3, 2)) * 50, rng.normal(size=2) * 50, rng.normal(size=(2, 2)) * 50]
    return [Case("large gradients (global norm about 180), lr = 0.1, max_norm = 1", (params, grads, 0.1, 1.0)),
            Case("the same parameters, gradients / 1000 (within max_norm), lr = 0.5, max_norm = 1",
                 (params, [g / 1000 for g in grads], 0.5, 1.0)),
            Case("the same, lr = 0.01, max_norm = 5", (params, grads, 0.01, 5.0))]


register(Exercise(
    id="clipped_sgd_step",
    title="One SGD step with clipped gradients",
    notebook="10",
    section="14",
    points=1,
    prompt="Return the new parameters after one SGD step whose gradients were clipped by their global norm.",
    reference=clipped_sgd_step,
    own_work=((clip_grad_norm, COURSE_CLIP),),
    cases=_step_cases,
    outputs=("params[0]", "params[1]", "params[2]"),
    probe=_run_step,
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
))
