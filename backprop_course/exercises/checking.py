"""Tools for writing checks: the failure a wrong answer raises, and comparisons that explain."""

from __future__ import annotations

import inspect
import numbers

import numpy as np

from ..autodiff import Function, Node

# The lecture's phrases, shared by the checks that catch the same misconception.
ADD_COPIES = ("The add gate does not split the gradient: it copies (distributes) the upstream gradient, "
              "unchanged, to every input.")
MUL_SWAPS = "The mul gate sends each input the *other* input times the upstream gradient (a swap multiplier)."
CHAIN_RULE = ("Downstream gradient = local gradient × upstream gradient: it looks like a local gradient was "
              "not multiplied by the gradient flowing in from above.")
SIGMOID_LOCAL = ("The sigmoid's local gradient is σ(x)·(1 − σ(x)) (at most 0.25), not σ(x) itself: "
                 "at the lecture's neuron that is (1 − 0.7311)·0.7311 = 0.1966.")
ROUNDING = ("Close, but not exact: did you round an intermediate value? The slides show 0.40 for ∂x0 because "
            "they multiply a rounded 0.20; the exact value is 0.3932. Keep full precision.")
HARDCODED = ("Right at the lecture's numbers only: your code must work for any inputs "
             "(did you type in the lecture's answer?).")
FORKS_ADD = ("Where a variable is used more than once (a fork), its gradients ADD: use += to accumulate, "
             "never = (which keeps only the last one).")


class Failure(Exception):
    """A wrong answer: why, in the lecture's words, and the values that showed it."""

    def __init__(self, why, expected=None, got=None):
        super().__init__(why)
        self.why, self.expected, self.got = why, expected, got


class Tester:
    """Records what a check tested; `current` is the case being tested now."""

    def __init__(self):
        self.tested, self.current = [], None

    def case(self, description):
        self.tested.append(description)
        self.current = description


def fmt(x):
    """A short, readable rendering of a number, array or tuple."""
    if isinstance(x, tuple):
        return "(" + ", ".join(fmt(v) for v in x) + ")"
    if isinstance(x, bool) or x is None:
        return repr(x)
    if isinstance(x, numbers.Integral):
        return str(int(x))
    if isinstance(x, numbers.Real):
        return f"{float(x):.6g}"
    if isinstance(x, np.ndarray):
        return np.array2string(x + 0.0, precision=4, separator=", ", threshold=24, suppress_small=True)
    return repr(x)


def as_array(x, what):
    """`x` as a float ndarray (Values and Tensors are unwrapped), or a Failure saying what was wrong."""
    if isinstance(x, Node):
        x = x.data
    if x is None:
        raise Failure(f"{what}: expected a number or array, got None (is a `return` missing?)")
    try:
        arr = np.asarray(x, dtype=np.float64)
    except (TypeError, ValueError):
        raise Failure(f"{what}: expected a number or array, got {type(x).__name__} {x!r:.60}") from None
    return arr


def as_numbers(out, names):
    """The learner's tuple of results as float arrays, one per name."""
    if isinstance(out, (list, tuple)) and len(out) == len(names):
        return tuple(as_array(v, n) for v, n in zip(out, names, strict=True))
    if len(names) == 1:
        return (as_array(out, names[0]),)
    got = f"a {type(out).__name__} of length {len(out)}" if isinstance(out, (list, tuple)) else type(out).__name__
    raise Failure(f"Return a tuple of {len(names)} values ({', '.join(names)}); got {got}.")


def close(got, expected, rtol=1e-7, atol=1e-9):
    got, expected = np.asarray(got, float), np.asarray(expected, float)
    return got.shape == expected.shape and bool(np.allclose(got, expected, rtol=rtol, atol=atol))


def compare(got, expected, names, alternatives=(), near_miss=None, otherwise=None, shape_why="", rtol=1e-7,
            atol=1e-9):
    """Raise a Failure at the first of `names` where `got` differs from `expected`.

    `alternatives` are (answer, why) pairs: the answers a known misconception
    gives. If the failing value matches one, its `why` is the explanation.
    `near_miss` explains an answer within 5% of the truth (rounding, say);
    `otherwise` explains any other difference. Shapes are compared first
    (a gradient has the shape of what it is for); `shape_why` adds to that.
    """
    for i, name in enumerate(names):
        g, e = np.asarray(got[i], float), np.asarray(expected[i], float)
        if g.shape != e.shape:
            raise Failure(f"{name} must have shape {e.shape}, but yours has shape {g.shape}. {shape_why}".strip(),
                          expected=f"shape {e.shape}", got=f"shape {g.shape}")
        if close(g, e, rtol, atol):
            continue
        why = next((why for alt, why in alternatives if close(g, np.asarray(alt[i], float), rtol, atol)), None)
        if why is None and near_miss and bool(np.allclose(g, e, rtol=0.05, atol=1e-3)):
            why = near_miss
        if why is None:
            why = otherwise or f"{name} is wrong."
        raise Failure(why, expected=f"{name} = {fmt(_plain(e))}", got=f"{name} = {fmt(_plain(g))}")


def _plain(a):
    return a.item() if a.ndim == 0 else a


def require_function(fn, name):
    if inspect.isclass(fn) or not callable(fn):
        raise Failure(f"Pass your function itself, `{name}` (without calling it); got {type(fn).__name__}.")


def require_function_class(cls, name):
    if not (inspect.isclass(cls) and issubclass(cls, Function)):
        what = f"the class {cls.__name__}" if inspect.isclass(cls) else f"a {type(cls).__name__}"
        raise Failure(f"Pass your class itself, `{name}`, a subclass of backprop_course.Function; got {what}.")
    if cls.forward is Function.forward or cls.backward is Function.backward:
        raise NotImplementedError(f"{cls.__name__} must define both forward and backward")
