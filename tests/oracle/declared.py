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
    Choice("scaled norm", "norm() divides by the largest entry before squaring, so tiny or huge entries "
                          "(1e-300, 1e300) give the exact norm and slope, where torch's squares underflow to 0 "
                          "or overflow to inf. The oracle scales torch's input the same way."),
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


KNOWN_BUGS = [
    # Found by this suite. Not bugs, the order of operations at the edge of the floats; listed so that nobody
    # is surprised, and so that a change of formula that flips them is seen.
    _bug("x / y", "second order at 1e-300: the order of operations overflows to -inf where torch's gives NaN",
         at="tiny/*"),
    _bug("x ** y", "second order at 1e-38 (float32): finite (-2.5e37) where torch's order of operations "
                   "overflows to inf", at="tiny/float32"),
    _bug("x ** 0.5", "second order at -inf: NaN here, as the value and the slope are; torch's is 0 (its slope "
                     "is NaN from pow(-inf, -0.5), its derivative 0 from pow(-inf, -1.5))", at="inf/*"),
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
