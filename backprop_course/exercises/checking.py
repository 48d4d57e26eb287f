"""Tools for checks: the failure a wrong answer raises, the lecture's shared phrases, and comparisons.

The comparisons see plain float64 ndarrays only (a learner's object becomes numbers
before it is judged) and use nothing but array operators and methods, bound here at
import: a later patch of this module's names, or of numpy's functions, cannot change
a verdict already being computed by the runner, which took its own references.
"""

from __future__ import annotations

import contextlib
import copy
import functools
import inspect
import numbers
import sys
import types

import numpy as np

from ..autodiff import Node

# The lecture's phrases, shared by the checks that catch the same misconception.
ADD_COPIES = ("The add gate does not split the gradient: it copies (distributes) the upstream gradient, "
              "unchanged, to every input.")
MUL_SWAPS = "The mul gate sends each input the *other* input times the upstream gradient (a swap multiplier)."
CHAIN_RULE = ("Downstream gradient = local gradient × upstream gradient: it looks like a local gradient was "
              "not multiplied by the gradient flowing in from above.")
SIGMOID_LOCAL = ("The sigmoid's local gradient is σ(x)·(1 − σ(x)) (at most 0.25), not σ(x) itself: "
                 "it needs both σ and 1 − σ.")
SIGMOID_ONE_MINUS = ("The sigmoid's local gradient is σ(x)·(1 − σ(x)): you have the factor 1 − σ(x) "
                     "but not σ(x).")
ROUNDING = ("Close, but not exact: did you round an intermediate value? The slides show 0.40 for ∂x0 because "
            "they multiply a rounded 0.20. Keep full precision.")
HARDCODED = ("Right at the lecture's numbers only: your code must work for any inputs "
             "(did you type in the lecture's answer?).")
FORKS_ADD = ("Where a variable is used more than once (a fork), its gradients ADD: use += to accumulate, "
             "never = (which keeps only the last one).")
SIGN = "A sign is flipped: check the sign of every local gradient."
BY_HAND = ("This exercise asks for the gradient by hand: your code called the library's differentiation "
           "(backward(), func or a graph that records gradients). Write out each local gradient and the chain "
           "rule yourself.")
NUMERIC = ("Close, but not exact: this looks like a numerical approximation such as central differences. "
           "Derive the gradient analytically; an exact answer agrees to rounding (10 significant digits).")
IN_PLACE = ("Your code changed an array in place that was not its own (an input, or what forward saved or "
            "returned): compute new arrays instead of writing into them.")

LIBRARY_RULE = ("This exercise asks for the gradient by hand: your code called the library's own local gradient "
                "(a backward rule in backprop_course.ops). Write it out yourself.")

LIBRARY_FUNCTION = ("Write forward and backward yourself: your class takes them from one of the library's own "
                    "Functions.")
LIBRARY_MODULES = ("backprop_course.ops", "backprop_course.autodiff")

MESSAGE_CAP = 2000  # characters of a learner's own text (an exception message) in a report


class Failure(Exception):
    """A wrong answer: why, in the lecture's words, and the values that showed it."""

    def __init__(self, why, expected=None, got=None, part=None):
        super().__init__(why)
        self.why, self.expected, self.got, self.part = why, expected, got, part


class Seen(dict):
    """Named numbers a probe saw: the outputs and whatever its exercise's diagnoses read."""


class NotWrittenYet(NotImplementedError):
    """A part of the answer that is not there at all yet (a method not written): the message says which."""


def cap(text, limit=MESSAGE_CAP):
    text = str(text)
    return text if len(text) <= limit else text[:limit] + f"… ({len(text) - limit:,} more characters)"


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
    return cap(repr(x), 60)


def _bound():
    """The number-making and comparing helpers, with every name they use bound now."""
    array, float64, ndarray, node, real, failure = np.array, np.float64, np.ndarray, Node, numbers.Real, Failure
    seen_type = Seen

    def as_array(x, what):
        """`x` as a plain float64 ndarray (Values and Tensors are unwrapped), or a Failure saying what was wrong."""
        if isinstance(x, node):
            x = x.data
        if x is None:
            raise failure(f"{what} is None: is a `return` missing?", part=what)
        if not isinstance(x, (real, ndarray, list, tuple)):
            raise failure(f"{what}: expected a number or array, got {type(x).__name__}.", part=what)
        try:
            out = array(x, dtype=float64)  # a copy, and a base-class ndarray: only numbers are judged
        except (TypeError, ValueError, OverflowError):
            raise failure(f"{what}: expected a number or array, got {type(x).__name__}.", part=what) from None
        return out

    def close(got, expected, rtol=1e-10, atol=1e-12):
        """Both are float64 ndarrays; equal shapes and every |got − expected| ≤ atol + rtol·|expected|."""
        if got.shape != expected.shape:
            return False
        diff = got - expected
        tol = atol + rtol * (expected * (expected >= 0) - expected * (expected < 0))
        return bool(((diff <= tol) & (-diff <= tol)).all())  # NaN compares False, so it never passes

    def compare(got, expected, names, mistakes=(), near_miss=None, otherwise=None, shape_why="", rtol=1e-10,
                atol=1e-12):
        """Raise a Failure at the first of `names` where `got` differs from `expected`.

        `mistakes` yields (outputs, message) for the known mistakes, lazily: an
        answer whose every output matches a mistake's gets its message. A mistake
        that changes one output only speaks of that output, so its message also
        goes to an answer whose first wrong output is that one and matches it,
        whatever else is wrong. Shapes are compared first.
        """
        for i, name in enumerate(names):
            g, e = got[i], expected[i]
            if g.shape != e.shape:
                why = f"{name} has the wrong shape. {shape_why}".strip()
                raise failure(why, expected=f"shape {e.shape}", got=f"shape {g.shape}", part=name)
            if close(g, e, rtol, atol):
                continue
            whole = first = None
            for outputs, message in mistakes:
                if all(close(got[j], outputs[j], rtol, atol) for j in range(len(names))):
                    whole = message
                    break
                if first is None and close(g, outputs[i], rtol, atol) and all(
                        close(outputs[j], expected[j], rtol, atol) for j in range(len(names)) if j != i):
                    first = message
            why = whole or first
            if why is None and near_miss and close(g, e, 0.05, 1e-3):
                why = near_miss
            raise failure(why or otherwise or f"{name} is wrong.", expected=f"{name} = {fmt(_plain(e))}",
                          got=f"{name} = {fmt(_plain(g))}", part=name)

    def as_numbers(out, names):
        """The learner's results as float arrays, one per name."""
        if len(names) == 1 and not (isinstance(out, (list, tuple)) and len(out) == 1):
            return (as_array(out, names[0]),)
        if isinstance(out, (list, tuple)) and len(out) == len(names):
            return tuple(as_array(v, n) for v, n in zip(out, names, strict=True))
        got = f"a {type(out).__name__} of length {len(out)}" if isinstance(out, (list, tuple)) else \
            type(out).__name__
        raise failure(f"Return a tuple of {len(names)} values ({', '.join(names)}); got {got}.")

    def seen_of(out, names):
        """What a probe returned, as {name: float64 array}: a Seen that holds every output name, or the outputs
        alone, in the order of `names` (a plain dict is an answer, never named numbers)."""
        if isinstance(out, seen_type):
            missing = [n for n in names if n not in out]
            if missing:
                raise failure(f"The probe's numbers lack {', '.join(missing)}.")
            return {str(k): as_array(v, str(k)) for k, v in out.items()}
        return dict(zip(names, as_numbers(out, names), strict=True))

    def decide(exercise, seen, args, expected, known):
        """Raise a Failure unless `seen`, the learner's numbers on a case with arguments `args`, is right: the
        exercise's diagnoses first, then its outputs compared with the reference's `expected`; `known` yields
        (numbers, message) of each declared mistake, lazily."""
        for diagnose in exercise.diagnoses:
            diagnose(seen, *args)
        names = tuple(exercise.outputs)
        if names:
            mistakes = ((tuple(o[n] for n in names), message) for o, message in known)
            compare(tuple(seen[n] for n in names), tuple(expected[n] for n in names), names, mistakes,
                    near_miss=exercise.near_miss or (NUMERIC if exercise.by_hand else None),
                    otherwise=exercise.otherwise, shape_why=exercise.shape_why, rtol=exercise.rtol,
                    atol=exercise.atol)

    return as_array, close, compare, as_numbers, seen_of, decide


def _plain(a):
    return a.item() if a.ndim == 0 else a


as_array, close, compare, as_numbers, seen_of, decide = _bound()


def fresh(args):
    """A copy of a case's arguments for one run (arrays, lists, dicts and tuples of them copied deeply), so that no
    run sees another's in-place changes."""
    return tuple(copy.deepcopy(a) if isinstance(a, (np.ndarray, list, dict, tuple)) else a for a in args)


def submission_kind_error(submission, reference, name):
    """Why `submission` is not the kind of thing the reference is (a function, a Function or a class), or None."""
    from ..autodiff import Function

    if inspect.isclass(reference) and issubclass(reference, Function):
        if not (inspect.isclass(submission) and issubclass(submission, Function)):
            what = f"the class {submission.__name__}" if inspect.isclass(submission) else \
                f"a {type(submission).__name__}"
            return f"Pass your class itself, `{name}`, a subclass of backprop_course.Function; got {what}."
        if any(getattr(getattr(submission, m, None), "__module__", "") in LIBRARY_MODULES
               for m in ("forward", "backward")):
            return LIBRARY_FUNCTION
        return None
    if inspect.isclass(reference):
        if not inspect.isclass(submission):
            return f"Pass your class itself, `{name}` (without calling it); got a {type(submission).__name__}."
        return None
    if inspect.isclass(submission) or not callable(submission):
        return f"Pass your function itself, `{name}` (without calling it); got {type(submission).__name__}."
    return None


def code_objects(target):
    """Every code object of a function, a class's methods, a module's functions or a tuple of these (nested
    functions included)."""
    if isinstance(target, tuple):
        return set().union(*(code_objects(t) for t in target))
    if isinstance(target, types.ModuleType):
        items = [v for v in vars(target).values() if getattr(v, "__module__", None) == target.__name__]
    else:
        items = [target]
    todo = []
    for item in items:
        todo += [getattr(v, "__func__", v) for v in vars(item).values()] if isinstance(item, type) else [item]
    todo = [getattr(f, "__code__", None) for f in todo]
    codes = set()
    while todo:
        code = todo.pop()
        if isinstance(code, types.CodeType) and code not in codes:
            codes.add(code)
            todo += code.co_consts
    return codes


@functools.lru_cache(maxsize=1)
def _library_rules():
    from .. import autodiff, ops

    rules = [getattr(cls, name) for cls in vars(ops).values() if isinstance(cls, type)
             and issubclass(cls, autodiff.Function) for name in ("backward", "jvp") if name in vars(cls)]
    return {code: LIBRARY_RULE for code in code_objects(tuple(rules))}


def library_rules():
    """{code: LIBRARY_RULE} for the backward (and tangent) rules of the library's primitives."""
    return dict(_library_rules())


@contextlib.contextmanager
def watching(forbidden):
    """Inside the block, note the message of every code object of `forbidden` ({code: message}) that is called;
    the list of messages is what the block gets. Nothing is raised inside the learner's code."""
    used = []
    if not forbidden:
        yield used
        return

    def watch(frame, event, arg):
        if event == "call" and frame.f_code in forbidden:
            used.append(forbidden[frame.f_code])

    previous = sys.getprofile()
    sys.setprofile(watch)
    try:
        yield used
    finally:
        sys.setprofile(previous)
