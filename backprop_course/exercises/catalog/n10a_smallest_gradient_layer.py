"""Notebook 10: predict where a deep network's gradient is smallest, before running it."""

import numbers

import numpy as np

from ... import autodiff
from ..checking import Failure
from ..registry import Case, Exercise, Mistake

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


def probe(answer, depth):
    """The answer's layer for each of the quiz's (activation, init) pairs."""
    got = []
    for activation, init in QUIZ:
        layer = answer(activation, init, depth)
        if isinstance(layer, bool) or not isinstance(layer, numbers.Integral | np.integer):
            raise Failure(f"Return a layer number, an int from 1 to {depth}; got {type(layer).__name__} for "
                          f"({activation!r}, {init!r}).")
        got.append(int(layer))
    return got


EXERCISE = Exercise(
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
    outputs=tuple(f"{a} with {INITS[i]}" for a, i in QUIZ),
    probe=probe,
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
)
