"""Everything the oracle is told, declared once: the hypothesis budget, tolerances, course choices, known bugs."""

import fnmatch
import os
from dataclasses import dataclass

import numpy as np
import pytest
from hypothesis import HealthCheck, Phase, settings

# CI: the same examples every run. ORACLE_EXAMPLES=n: n fresh random examples per test.
_LONG = int(os.environ.get("ORACLE_EXAMPLES", "0"))
EXAMPLES = settings(
    max_examples=_LONG or 12,
    derandomize=not _LONG,
    deadline=None,
    database=None,
    phases=(Phase.explicit, Phase.reuse, Phase.generate) if not _LONG else tuple(Phase),  # CI: no shrinking
    suppress_health_check=list(HealthCheck),
)
PROGRAMS = settings(EXAMPLES, max_examples=_LONG or 25)

# Agreement up to rounding: a few ulps per op, through at most a few dozen ops. `atol` is relative to
# the largest magnitude in play (harness.assert_close), so a tiny true value is never rounded to "equal".
TOLERANCE = {np.dtype(np.float64): dict(rtol=1e-9, atol=1e-12), np.dtype(np.float32): dict(rtol=2e-5, atol=1e-6)}


@dataclass(frozen=True)
class Choice:
    """A documented place where the course differs from PyTorch on purpose."""

    name: str
    reason: str


def _choices(*choices):
    return {c.name: c for c in choices}


# The course's choices (docs/pytorch.md, "Course choices"). The oracle names the one it applies.
COURSE_CHOICES = _choices(
    Choice("float64 default", "Tensor(list) is float64, as gradient checks need the precision; torch's is float32. "
                              "The oracle builds its tensors in the course's dtype."),
    Choice("intermediate grad", "every node's .grad is filled in so the pictures can draw it; torch fills "
                                "leaves only. The oracle calls retain_grad() on torch's intermediates."),
    Choice("first maximum", "on a tie, max/min (and maximum/minimum's first argument) take the whole gradient; "
                            "torch splits it. The oracle's max gathers at torch's argmax (its first maximum), "
                            "and its maximum takes x where x == y."),
    Choice("numpy promotion", "dtypes promote as NumPy's (NEP 50): float32 with a 0-d float64 tensor gives "
                              "float64, where torch keeps float32 (a 0-d tensor is 'weak' there). The oracle "
                              "casts its inputs to NumPy's result dtype first."),
    Choice("signed zero", "-0.0 is 0: sqrt's slope there is +inf, as at +0.0, where torch's is -inf "
                          "(1/(2·sqrt(-0.0)) keeps the sign of the zero). The oracle gives torch +0.0."),
)


def choice(name):
    """The declared choice `name` (a KeyError for a typo, so every use points at a declaration)."""
    return COURSE_CHOICES[name]


# Known engine bugs the oracle hits, each a strict xfail: when the fix lands, its cases pass, the xfails
# fail, and the line here goes. A bug names its cases: `ops` (an op of the table, a transform check or a
# Value check, by exact name), `at` (an fnmatch pattern over "special/dtype", for named special inputs
# only; "!pattern" for all but those, the hypothesis test included) and `when` (a test on the input
# arrays). A hypothesis test draws around a bug with a `when`, and is xfailed whole by a bug with neither.
@dataclass(frozen=True)
class Bug:
    ops: tuple
    reason: str
    at: str | None = None
    when: object = None

    def covers(self, name, special=None, arrays=None):
        if name not in self.ops:
            return False
        if special is None:  # the hypothesis test: xfailed whole, unless the bug is seen on some inputs only
            return self.when is None and (self.at is None or self.at.startswith("!"))
        if self.at is not None:
            negated = self.at.startswith("!")
            if fnmatch.fnmatchcase(special, self.at.lstrip("!")) == negated:
                return False
        return self.when is None or self.when(arrays)


def _bug(ops, reason, at=None, when=None):
    return Bug((ops,) if isinstance(ops, str) else tuple(ops), reason, at, when)


def _zero(arrays):
    return all(a.size and not a.any() for a in arrays)


def _empty(arrays):
    return any(a.size == 0 for a in arrays)


def _zero_d(arrays):
    return any(a.ndim == 0 for a in arrays)


def _not_zero_d(arrays):
    return not _zero_d(arrays)


def _small(arrays):
    return any(0 < np.abs(a).max(initial=0) < 1e-6 for a in arrays)


def _mixed(arrays):
    return len({a.dtype for a in arrays}) > 1


KNOWN_BUGS = [
    _bug("sum(dim=())", "sum(dim=()) reduces nothing; torch reduces every dimension", when=_not_zero_d),
    _bug(("max(dim=-1)[0]", "min(dim=-1)[0]"), "t.max(dim) and t.min(dim) return the values alone, so [0] takes "
                                               "a row; torch returns (values, indices)", at="!empty/*"),
    _bug("transpose(0, 1)", "transpose(0, 1) is NumPy's axes permutation: the identity on 2-D, an error on 3-D"),
    _bug(("norm(dim=-1)", "softmax(dim=-1)", "log_softmax(dim=-1)", "flatten(1)", "squeeze((0, 2))"),
         "a PyTorch spelling fails (a TypeError, or an error inside numpy)"),
    _bug("squeeze(0)", "squeeze(0) of a 0-d tensor fails inside the course (torch returns it)", when=_zero_d),
    _bug("clamp(max=y)", "clamp(max=Tensor) fails in backward (Clamp.backward returned 1 gradient)"),
    _bug(("softmax(axis=-1)", "log_softmax(axis=-1)"), "softmax over an empty dimension fails inside numpy",
         when=_empty),
    _bug("norm()", "norm()'s gradient at 0 is NaN (torch: 0)", when=_zero),
    _bug("norm()", "norm() overflows for tiny inputs (x·x underflows): infinite gradients", at="tiny/*"),
    _bug("norm()", "norm() composed as (x·x).sum() ** 0.5: its second order cancels at the scale 1/|x| (2e12 "
                   "where torch's is 0, at x = 2.6e-29)", when=_small),
    _bug("norm()", "norm() overflows for huge float32 inputs (x·x is inf): NaN second order", at="huge/float32"),
    _bug("x ** y", "Tensor ** Tensor at base 0: NaN gradients (torch: 0)", when=_zero),
    _bug("transform:autograd.grad(intermediate)", "autograd.grad stops at the inputs listed, so an input's "
                                                  "gradient misses the paths through another listed input"),
    _bug("transform:closure", "func.grad detaches its result from parameters the function closes over"),
    _bug("transform:vmap(out_dims=None)", "vmap(out_dims=None) of a batched output returns the first element"),
    _bug("transform:vmap(keyword)", "vmap does not pass keyword arguments on"),
    _bug("transform:autograd.grad(seed at inf)", "autograd.grad seeds with out*0+1: an infinite output makes "
                                                 "every gradient NaN"),
    _bug("transform:Function with a numpy backward, second order", "a Function whose backward uses numpy loses "
         "its graph under create_graph: the Hessian of sum(relu(v)·v) comes out 1, not 2, with no error"),
    _bug("inplace:zero_ of an intermediate", "zero_() swaps in a new array, so backward uses the stale values"),
    _bug("inplace:write through a detach taken before forward", "a view taken before the forward pass is not "
                                                                 "locked: the write goes through, wrong gradient"),
    _bug(("value:0 ** -1", "value:0 ** Value(0.5)", "value:(1e300) ** 2"),
         "Value ** raises Python's own ZeroDivisionError or OverflowError, in forward or backward"),
    # Found by this suite; each is written up with a repro for the engine's maintainers.
    _bug(("relu", "maximum"), "the gradient at a NaN input is 0; torch passes the upstream gradient", at="nan/*"),
    _bug("abs", "abs's gradient at NaN is NaN (sign(nan)); torch gives 0", at="nan/*"),
    _bug(("clamp(-0.5, 0.5)", "clamp(min=0.1)", "clamp(max=0.1)"),
         "clamp passes the gradient at a NaN input; torch gives 0", at="nan/*"),
    _bug(("sqrt", "x ** 0.5"), "at -inf the value is NaN but the gradient 0 ((-inf)**-0.5 is 0); torch: NaN",
         at="inf/*"),
    _bug("x / y", "second order at 1e-300: the order of operations overflows to -inf where torch's gives NaN",
         at="tiny/*"),
    _bug("x ** y", "second order at 1e-38 (float32): finite (-2.5e37) where torch's order of operations "
                   "overflows to inf", at="tiny/float32"),
    _bug("x ** y", "float32 ** float64: the exponent's float64 gradient uses a float32 log(x) (relative error "
                   "1e-8)", when=_mixed),
]


def marks(name, special=None, arrays=None):
    """The strict xfail of a case if a known bug covers it, else no marks."""
    reasons = [b.reason for b in KNOWN_BUGS if b.covers(name, special, arrays)]
    return [pytest.mark.xfail(strict=True, reason="; ".join(reasons))] if reasons else []


def avoided(name, arrays):
    """True where a known bug of op `name` is seen on inputs like `arrays` (the hypothesis draw is discarded)."""
    return any(name in b.ops and b.at is None and b.when is not None and b.when(arrays) for b in KNOWN_BUGS)


def case(name, *values, special=None, arrays=None):
    """A pytest.param named `name` (and `special`), xfailed if a known bug covers it."""
    case_id = name if special is None else f"{name}@{special}"
    return pytest.param(*values, id=case_id, marks=marks(name, special, arrays))
