"""Notebooks 02 and 03: primitives as `Function` subclasses (sigmoid, multiply, max)."""

import numpy as np

from ..autodiff import Function
from ..value import Value
from .checking import CHAIN_RULE, MUL_SWAPS, SIGMOID_LOCAL, Failure, compare, fmt
from .functions import check_function
from .registry import Exercise, Mutant, register

IMPORTS = "import numpy as np\n\nfrom backprop_course import Function"


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


class _SigmoidLocalIsSigma(Function):
    @staticmethod
    def forward(ctx, x):
        out = 1 / (1 + np.exp(-x))
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad_output):
        (out,) = ctx.saved_tensors
        return grad_output * out


class _SigmoidNoUpstream(_SigmoidLocalIsSigma):
    @staticmethod
    def backward(ctx, grad_output):
        (out,) = ctx.saved_tensors
        return out * (1 - out)


class _SigmoidOfInput(Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return 1 / (1 + np.exp(-x))

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        return grad_output * x * (1 - x)


class _SigmoidWrongSign(Function):
    @staticmethod
    def forward(ctx, x):
        out = 1 / (1 + np.exp(x))
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad_output):
        (out,) = ctx.saved_tensors
        return -grad_output * out * (1 - out)


def _sigmoid(x):
    return 1 / (1 + np.exp(-x))


def _sigmoid_alternatives(inputs, g):
    (x,), s = inputs, _sigmoid(inputs[0])
    return [((g * s,), SIGMOID_LOCAL), ((s * (1 - s) + 0 * g,), CHAIN_RULE),
            ((g * x * (1 - x),), "The local gradient σ(1 − σ) is about the *output* σ(x), not the input x: "
                                 "save the output in forward and use it in backward.")]


def _check_sigmoid(t, cls):
    rng = np.random.default_rng(2)
    points = [(1.0, 1.0), (0.0, 1.0), (-2.5, 0.5), (6.0, 2.0)] + [
        (float(x), float(g)) for x, g in zip(rng.uniform(-4, 4, 3).round(3), rng.uniform(-3, 3, 3).round(3),
                                             strict=True)]
    check_function(
        t, cls, "Sigmoid",
        forward=_sigmoid, backward=lambda inputs, g: (g * _sigmoid(inputs[0]) * (1 - _sigmoid(inputs[0])),),
        value_cases=[((x,), g) for x, g in points],
        tensor_cases=[((rng.normal(0, 3, (3, 4)),), rng.normal(0, 1, (3, 4)))],
        forward_why="forward must return σ(x) = 1 / (1 + e^(−x)); at x = 1 that is 0.7311.",
        alternatives=_sigmoid_alternatives,
    )


register(Exercise(
    id="sigmoid_function",
    title="Sigmoid as one primitive",
    notebook="02",
    section="6",
    points=2,
    prompt="Write `Sigmoid`, a `Function` with forward σ(x) and backward (1 − σ)σ × upstream. It must work on "
           "floats (Value) and ndarrays (Tensor).",
    check=_check_sigmoid,
    hints=(
        "Use np.exp, which works for floats and arrays alike. Save what backward needs with ctx.save_for_backward.",
        "The local gradient is σ(x)(1 − σ(x)): save the output σ(x) in forward, not x.",
        "backward returns grad_output * out * (1 - out), where out = ctx.saved_tensors[0].",
    ),
    reference=Sigmoid,
    imports=IMPORTS,
    mutants=(
        Mutant(_SigmoidLocalIsSigma, "not σ(x) itself", "backward multiplies by σ instead of σ(1 − σ)"),
        Mutant(_SigmoidNoUpstream, "Downstream gradient = local gradient × upstream", "ignores grad_output"),
        Mutant(_SigmoidOfInput, "*output* σ(x)", "applies σ(1 − σ) to the saved input x"),
        Mutant(_SigmoidWrongSign, "1 / (1 + e^(−x))", "forward computes σ(−x)"),
    ),
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


class _MultiplyNoSwap(Multiply):
    @staticmethod
    def backward(ctx, grad_z):
        x, y = ctx.saved_tensors
        return x * grad_z, y * grad_z


class _MultiplyNoUpstream(Multiply):
    @staticmethod
    def backward(ctx, grad_z):
        x, y = ctx.saved_tensors
        return y, x


class _MultiplyLikeAdd(Multiply):
    @staticmethod
    def backward(ctx, grad_z):
        return grad_z, grad_z


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


def _mul_alternatives(inputs, g):
    x, y = inputs
    return [((x * g, y * g), MUL_SWAPS), ((y + 0 * g, x + 0 * g), CHAIN_RULE),
            ((g + 0 * x, g + 0 * y), "That is the add gate's rule (a distributor). " + MUL_SWAPS)]


def _check_multiply(t, cls):
    rng = np.random.default_rng(3)
    value_cases = [((2.0, 3.0), 5.0), ((4.0, -3.0), 1.0)] + [
        (tuple(float(v) for v in rng.uniform(-4, 4, 2).round(3)), round(float(rng.uniform(-3, 3)), 3))
        for _ in range(4)]
    tensor_cases = [((rng.normal(size=(3, 4)), rng.normal(size=(3, 4))), rng.normal(size=(3, 4))),
                    ((rng.normal(size=(3, 4)), rng.normal(size=4)), rng.normal(size=(3, 4)))]
    check_function(t, cls, "Multiply", forward=lambda x, y: x * y, backward=lambda inputs, g: (
        inputs[1] * g, inputs[0] * g), value_cases=value_cases, tensor_cases=tensor_cases,
        forward_why="forward must return x·y.", alternatives=_mul_alternatives)
    t.case("two Multiply nodes in one graph, both built before backward: (a·b)·3 + (c·d)·(−2)")
    a, b, c, d = (Value(v) for v in (1.5, -2.0, 0.5, 4.0))
    (cls.apply(a, b) * 3.0 + cls.apply(c, d) * -2.0).backward()
    got, expected = (a.grad, b.grad, c.grad, d.grad), (-6.0, 4.5, -8.0, -1.0)
    compare(got, expected, ("dL/da", "dL/db", "dL/dc", "dL/dd"), [(
        (3 * d.data, 3 * c.data, -2 * d.data, -2 * c.data),
        "Each call of forward must keep its own inputs in its own ctx (ctx.save_for_backward): a value stored "
        "elsewhere is overwritten by the next forward before backward runs.")])
    t.case("a fork: z = a·a, so dz/da = 2a")
    a = Value(-1.5)
    cls.apply(a, a).backward()
    if a.grad != 2 * -1.5:
        raise Failure("With both inputs the same Value the gradients of the two uses must add up to 2a.",
                      expected="dz/da = -3", got=f"dz/da = {fmt(a.grad)}")


register(Exercise(
    id="multiply_function",
    title="The lecture's Multiply, with ctx",
    notebook="03",
    section="8",
    points=2,
    prompt="Write `Multiply`, the lecture's Function: forward saves its inputs with ctx.save_for_backward and "
           "returns x·y; backward returns one gradient per input.",
    check=_check_multiply,
    hints=(
        "forward: ctx.save_for_backward(x, y), then return x * y.",
        "backward: x, y = ctx.saved_tensors. Each input gets the *other* input times grad_z.",
        "return y * grad_z, x * grad_z",
    ),
    reference=Multiply,
    imports=IMPORTS,
    mutants=(
        Mutant(_MultiplyNoSwap, "*other* input", "each input gets its own value times grad_z"),
        Mutant(_MultiplyNoUpstream, "not multiplied by the gradient flowing in", "ignores grad_z"),
        Mutant(_MultiplyLikeAdd, "add gate's rule", "passes grad_z through unchanged, like an add gate"),
        Mutant(_MultiplyClassState, "ctx.save_for_backward", "keeps its inputs on the class instead of ctx"),
    ),
))


# Max ---------------------------------------------------------------------------------------------
class MaxGate(Function):
    """z = max(x, y), elementwise. The gradient goes to the larger input; on a tie the FIRST input (x) gets it."""

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
    class Routed(MaxGate):
        @staticmethod
        def backward(ctx, grad_z):
            x, y = ctx.saved_tensors
            return grad_z * x_mask(x, y), grad_z * y_mask(x, y)

        @staticmethod
        def forward(ctx, x, y):
            ctx.save_for_backward(x, y)
            return np.maximum(x, y)
    return Routed


_MaxSplitsTies = _routes(lambda x, y: (x > y) + 0.5 * (x == y), lambda x, y: (x < y) + 0.5 * (x == y))
_MaxSplitsTies.__name__ = "_MaxSplitsTies"
_MaxBothOnTie = _routes(lambda x, y: x >= y, lambda x, y: x <= y)
_MaxBothOnTie.__name__ = "_MaxBothOnTie"
_MaxSecondWinsTies = _routes(lambda x, y: x > y, lambda x, y: x <= y)
_MaxSecondWinsTies.__name__ = "_MaxSecondWinsTies"
_MaxToTheLoser = _routes(lambda x, y: x < y, lambda x, y: x >= y)
_MaxToTheLoser.__name__ = "_MaxToTheLoser"

TIE_RULE = "The course's tie rule: on a tie (x == y) the first input, x, gets the whole gradient and y gets 0."


def _max_alternatives(inputs, g):
    x, y = (np.asarray(v) for v in inputs)
    tie = (x == y)
    return [  # the tie mistakes first: at a tie "to the loser" looks like "y wins ties"
        ((g * ((x > y) + 0.5 * tie), g * ((x < y) + 0.5 * tie)), "You split the gradient on a tie. " + TIE_RULE),
        ((g * (x >= y), g * (x <= y)), "On a tie you sent the gradient to both inputs, which doubles it. " + TIE_RULE),
        ((g * (x > y), g * (x <= y)), "On a tie you gave the gradient to y. " + TIE_RULE),
        ((g * (x < y), g * (x >= y)), "The max gate routes the upstream gradient to the input that won "
                                      "(the larger one); the other input gets 0."),
        ((1.0 * (x >= y) + 0 * g, 1.0 * (x < y) + 0 * g), CHAIN_RULE),
    ]


def _check_max(t, cls):
    rng = np.random.default_rng(5)
    value_cases = [((4.0, 5.0), 9.0), ((4.0, 2.0), 1.0), ((3.0, 3.0), 2.0), ((-1.5, -1.5), -4.0)] + [
        (tuple(float(v) for v in rng.integers(-3, 4, 2)), round(float(rng.uniform(-3, 3)), 3)) for _ in range(4)]
    x = rng.integers(-2, 3, (3, 5)).astype(float)
    y = rng.integers(-2, 3, (3, 5)).astype(float)
    check_function(
        t, cls, "MaxGate", forward=np.maximum,
        backward=lambda inputs, g: (g * (inputs[0] >= inputs[1]), g * (inputs[0] < inputs[1])),
        value_cases=value_cases, tensor_cases=[((x, y), rng.uniform(-3, 3, (3, 5)))],
        forward_why="forward must return the larger of x and y.", alternatives=_max_alternatives, smooth=False)


register(Exercise(
    id="max_gate",
    title="The max gate routes",
    notebook="02",
    section="7",
    points=2,
    prompt="Write `MaxGate`: forward returns max(x, y) (elementwise); backward sends the upstream gradient to the "
           "larger input and 0 to the other. Tie rule: on x == y the first input, x, gets it all.",
    check=_check_max,
    hints=(
        "The max gate is a router: the winner gets the upstream gradient unchanged, the loser gets 0.",
        "In forward, save the mask x_wins = x >= y (x wins ties) and return np.maximum(x, y).",
        "backward returns grad_z * x_wins, grad_z * (1 - x_wins).",
    ),
    reference=MaxGate,
    imports=IMPORTS,
    mutants=(
        Mutant(_MaxToTheLoser, "input that won", "routes the gradient to the smaller input"),
        Mutant(_MaxSplitsTies, "split the gradient on a tie", "halves the gradient between tied inputs"),
        Mutant(_MaxBothOnTie, "to both inputs", "both tied inputs get the full gradient"),
        Mutant(_MaxSecondWinsTies, "gave the gradient to y", "the second input wins ties"),
    ),
))
