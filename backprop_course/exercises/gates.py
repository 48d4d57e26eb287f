"""Notebook 03: primitives as `Function` subclasses (sigmoid, max, multiply)."""

import numpy as np

from ..autodiff import Function
from ..value import Value
from .checking import CHAIN_RULE, IN_PLACE, MUL_SWAPS, NUMERIC, SIGMOID_LOCAL, SIGMOID_ONE_MINUS
from .functions import function_cases, run_function
from .registry import Case, Exercise, Mistake, register

IMPORTS = "import numpy as np\n\nfrom backprop_course import Function"
FORWARD_PART = "the output"


def _function(forward, backward, name):
    """A Function subclass from two plain functions (for writing mistakes in one line each)."""
    return type(name, (Function,), {"forward": staticmethod(forward), "backward": staticmethod(backward)})


# Sigmoid ---------------------------------------------------------------------------------------
class Sigmoid(Function):
    """σ(x) = 1 / (1 + e^(−x)) as one primitive. x is a float or an ndarray: use numpy."""

    @staticmethod
    def forward(ctx, x):
        out = 1 / (1 + np.exp(-x))
        ctx.save_for_backward(out)  # the local gradient needs only the output
        return out

    @staticmethod
    def backward(ctx, grad_output):
        (out,) = ctx.saved_tensors
        return grad_output * out * (1 - out)  # local gradient (1 − σ)σ times upstream


def _sigmoid_saving_output(local):
    def forward(ctx, x):
        out = 1 / (1 + np.exp(-x))
        ctx.save_for_backward(out)
        return out
    return _function(forward, lambda ctx, g: local(ctx.saved_tensors[0], g), "Sigmoid")


def _sigmoid_in_place(ctx, g):
    (out,) = ctx.saved_tensors
    out *= 1 - out  # writes into forward's output
    return g * out


def _forward_of_input(ctx, x):
    ctx.save_for_backward(x)
    return 1 / (1 + np.exp(-x))


def _sigmoid_cases():
    rng = np.random.default_rng(2)
    points = [(1.0, 1.0), (0.0, 1.0), (-2.5, 0.5), (6.0, 2.0)] + [
        (float(x), float(g)) for x, g in zip(rng.uniform(-4, 4, 3).round(3), rng.uniform(-3, 3, 3).round(3),
                                             strict=True)]
    return function_cases("Sigmoid", [((x,), g) for x, g in points],
                          [((rng.normal(0, 3, (3, 4)),), rng.normal(0, 1, (3, 4)))])


register(Exercise(
    id="sigmoid_function",
    title="Sigmoid as one primitive",
    notebook="03",
    section="6",
    points=2,
    prompt="Write `Sigmoid`, a `Function` for σ(x) = 1 / (1 + e^(−x)) as one primitive, forward and backward. "
           "It must work on floats (Value) and ndarrays (Tensor).",
    reference=Sigmoid,
    cases=_sigmoid_cases,
    outputs=(FORWARD_PART, "dL/dx"),
    probe=run_function,
    near_miss=NUMERIC,
    otherwise="Check forward against σ(x) = 1 / (1 + e^(−x)) and backward against the local gradient × upstream.",
    mistakes=(
        Mistake(_sigmoid_saving_output(lambda out, g: g * out), SIGMOID_LOCAL),
        Mistake(_sigmoid_saving_output(lambda out, g: g * (1 - out)), SIGMOID_ONE_MINUS),
        Mistake(_sigmoid_saving_output(lambda out, g: out * (1 - out)), CHAIN_RULE),
        Mistake(_function(_sigmoid_saving_output(None).forward, _sigmoid_in_place, "Sigmoid"), IN_PLACE),
        Mistake(_function(_forward_of_input, lambda ctx, g: g * ctx.saved_tensors[0] * (1 - ctx.saved_tensors[0]),
                          "Sigmoid"),
                "Your backward put the input x where the formula σ(1 − σ) needs σ(x): at x = 2 that gives "
                "2·(1 − 2) = −2 instead of 0.105."),
        Mistake(_function(lambda ctx, x: 1 / (1 + np.exp(x)), lambda ctx, g: -g, "Sigmoid"),
                "forward must return σ(x) = 1 / (1 + e^(−x)) (mind the minus sign in the exponent)."),
    ),
    hints=(
        (FORWARD_PART, "Use np.exp, which works for floats and arrays alike. Whatever backward needs, forward "
                       "must keep with ctx.save_for_backward."),
        "Which value does the local gradient (1 − σ)σ need, and which values has forward already computed?",
        "Numbers to check against: at x = 0 forward gives 0.5 and backward (upstream 1) gives 0.25; at x = 1, "
        "0.7311 and 0.19661; at x = 6, 0.99753 and 0.00247. On a (3, 4) array both have shape (3, 4).",
    ),
    imports=IMPORTS,
))


# Multiply ----------------------------------------------------------------------------------------
class Multiply(Function):
    """The lecture's Multiply: z = x·y. Its backward returns one gradient per input, in order."""

    @staticmethod
    def forward(ctx, x, y):
        ctx.save_for_backward(x, y)
        return x * y

    @staticmethod
    def backward(ctx, grad_z):
        x, y = ctx.saved_tensors
        return y * grad_z, x * grad_z  # the swap: each input gets the *other* one


def _saving_inputs(backward):
    def forward(ctx, x, y):
        ctx.save_for_backward(x, y)
        return x * y
    return _function(forward, lambda ctx, g: backward(*ctx.saved_tensors, g), "Multiply")


class _MultiplyClassState(Function):
    saved = None

    @staticmethod
    def forward(ctx, x, y):
        _MultiplyClassState.saved = (x, y)  # one slot for every call: the next forward overwrites it
        return x * y

    @staticmethod
    def backward(ctx, grad_z):
        x, y = _MultiplyClassState.saved
        return y * grad_z, x * grad_z


def _two_nodes(cls):
    """(a·b)·3 + (c·d)·(−2), both nodes built before backward: (L, dL/da, dL/db)."""
    a, b, c, d = (Value(v) for v in (1.5, -2.0, 0.5, 4.0))
    out = cls.apply(a, b) * 3.0 + cls.apply(c, d) * -2.0
    out.backward()
    return out.data, a.grad, b.grad


def _fork(cls):
    """z = a·a: (z, dz/da, dz/da)."""
    a = Value(-1.5)
    out = cls.apply(a, a)
    out.backward()
    return out.data, a.grad, a.grad


def _multiply_cases():
    rng = np.random.default_rng(3)
    values = [((2.0, 3.0), 5.0), ((4.0, -3.0), 1.0)] + [
        (tuple(float(v) for v in rng.uniform(-4, 4, 2).round(3)), round(float(rng.uniform(-3, 3)), 3))
        for _ in range(4)]
    arrays = [((rng.normal(size=(3, 4)), rng.normal(size=(3, 4))), rng.normal(size=(3, 4))),
              ((rng.normal(size=(3, 4)), rng.normal(size=4)), rng.normal(size=(3, 4)))]
    return function_cases("Multiply", values, arrays, extra=[
        Case("two Multiply nodes in one graph, both built before backward: (a·b)·3 + (c·d)·(−2)", (_two_nodes,)),
        Case("a fork: z = a·a, so dz/da = 2a", (_fork,)),
    ])


register(Exercise(
    id="multiply_function",
    title="The lecture's Multiply, with ctx",
    notebook="03",
    section="8",
    points=2,
    prompt="Write `Multiply`, the lecture's Function: forward saves its inputs with ctx.save_for_backward and "
           "returns x·y; backward returns one gradient per input.",
    reference=Multiply,
    cases=_multiply_cases,
    outputs=(FORWARD_PART, "dL/dx", "dL/dy"),
    probe=run_function,
    near_miss=NUMERIC,
    mistakes=(
        Mistake(_saving_inputs(lambda x, y, g: (x * g, y * g)), MUL_SWAPS),
        Mistake(_saving_inputs(lambda x, y, g: (y, x)), CHAIN_RULE),
        Mistake(_saving_inputs(lambda x, y, g: (g, g)), "That is the add gate's rule (a distributor). " + MUL_SWAPS),
        Mistake(_MultiplyClassState, "Each call of forward must keep its own inputs in its own ctx "
                                     "(ctx.save_for_backward): a value stored elsewhere is overwritten by the next "
                                     "forward before backward runs."),
    ),
    hints=(
        (FORWARD_PART, "forward: keep x and y for later with ctx.save_for_backward, then return the product."),
        "backward: get x and y back from ctx.saved_tensors. Each input gets the *other* input times grad_z.",
        "Numbers to check against: x = 2, y = 3 with upstream 5 gives (15, 10); with x and y of shape (3, 4), "
        "forward's output and both gradients have shape (3, 4).",
    ),
    imports=IMPORTS,
))


# Max ---------------------------------------------------------------------------------------------
class MaxGate(Function):
    """z = max(x, y), elementwise. Tie rule: on x == y the FIRST input, x, gets the whole gradient."""

    @staticmethod
    def forward(ctx, x, y):
        x_wins = x >= y              # the tie rule: x wins ties
        ctx.save_for_backward(x_wins)
        return np.maximum(x, y)

    @staticmethod
    def backward(ctx, grad_z):
        (x_wins,) = ctx.saved_tensors
        return grad_z * x_wins, grad_z * (1 - x_wins)  # the router: all to the winner, 0 to the other


def _routes(x_mask, y_mask):
    def forward(ctx, x, y):
        ctx.save_for_backward(x, y)
        return np.maximum(x, y)

    def backward(ctx, g):
        x, y = ctx.saved_tensors
        return g * x_mask(x, y), g * y_mask(x, y)
    return _function(forward, backward, "MaxGate")


def _max_not(ctx, g):
    (x_wins,) = ctx.saved_tensors
    return g * x_wins, g * ~x_wins


TIE_RULE = "The course's tie rule: on a tie (x == y) the first input, x, gets the whole gradient and y gets 0."


def _max_cases():
    rng = np.random.default_rng(5)
    values = [((4.0, 5.0), 9.0), ((4.0, 2.0), 1.0), ((3.0, 3.0), 2.0), ((-1.5, -1.5), -4.0)] + [
        (tuple(float(v) for v in rng.integers(-3, 4, 2)), round(float(rng.uniform(-3, 3)), 3)) for _ in range(4)]
    x = rng.integers(-2, 3, (3, 5)).astype(float)
    y = rng.integers(-2, 3, (3, 5)).astype(float)
    return function_cases("MaxGate", values, [((x, y), rng.uniform(-3, 3, (3, 5)))])


register(Exercise(
    id="max_gate",
    title="The max gate routes",
    notebook="03",
    section="7",
    points=2,
    prompt="Write `MaxGate`, a `Function` for z = max(x, y), elementwise, forward and backward. The course's tie "
           "rule: on x == y the first input, x, gets the whole gradient.",
    reference=MaxGate,
    cases=_max_cases,
    outputs=(FORWARD_PART, "dL/dx", "dL/dy"),
    probe=run_function,
    near_miss=NUMERIC,
    otherwise="forward must return the larger of x and y, and backward route the whole upstream gradient to it.",
    mistakes=(  # the tie mistakes first: at a tie "to the loser" looks like "y wins ties"
        Mistake(_routes(lambda x, y: (x > y) + 0.5 * (x == y), lambda x, y: (x < y) + 0.5 * (x == y)),
                "You split the gradient on a tie. " + TIE_RULE),
        Mistake(_routes(lambda x, y: x >= y, lambda x, y: x <= y),
                "On a tie you sent the gradient to both inputs, which doubles it. " + TIE_RULE),
        Mistake(_routes(lambda x, y: x > y, lambda x, y: x <= y), "On a tie you gave the gradient to y. " + TIE_RULE),
        Mistake(_routes(lambda x, y: x < y, lambda x, y: x >= y),
                "The max gate routes the upstream gradient to the input that won (the larger one); the other input "
                "gets 0."),
        Mistake(_function(MaxGate.forward, lambda ctx, g: (1.0 * ctx.saved_tensors[0] + 0 * g,
                                                          1.0 - ctx.saved_tensors[0] + 0 * g), "MaxGate"), CHAIN_RULE),
        Mistake(_function(MaxGate.forward, _max_not, "MaxGate"),
                "`~` on a Python bool is bitwise not on an integer (~True is −2, ~False is −1), so on numbers the "
                "loser gets a wrong gradient: use 1 - mask."),
    ),
    hints=(
        "The max gate is a router: the winner gets the upstream gradient unchanged, the loser gets 0.",
        "In forward, save which input won (with the tie rule: x wins ties), and return the elementwise maximum.",
        "Numbers to check against: max(4, 5) with upstream 9 gives (0, 9); max(3, 3) with upstream 2 gives (2, 0); "
        "on (3, 5) arrays each gradient has shape (3, 5).",
    ),
    imports=IMPORTS,
))
