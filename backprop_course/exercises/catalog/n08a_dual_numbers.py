"""Notebook 08: forward mode as dual numbers."""

import math

from ..checking import Failure
from ..registry import Case, Exercise, Mistake


class Dual:
    """A number and its tangent (its derivative along one direction): Dual(value, tangent).

    Supports + - * / with Duals or plain numbers on either side, and .exp(), .tanh().
    """

    def __init__(self, value, tangent):
        self.value, self.tangent = value, tangent

    def _lift(self, other):
        return other if isinstance(other, Dual) else Dual(other, 0.0)   # a constant does not move: tangent 0

    def __add__(self, other):
        other = self._lift(other)
        return Dual(self.value + other.value, self.tangent + other.tangent)

    def __sub__(self, other):
        other = self._lift(other)
        return Dual(self.value - other.value, self.tangent - other.tangent)

    def __mul__(self, other):
        other = self._lift(other)   # the product rule: (uv)' = u'v + uv'
        return Dual(self.value * other.value, self.tangent * other.value + self.value * other.tangent)

    def __truediv__(self, other):
        other = self._lift(other)   # the quotient rule: (u/v)' = (u'v - uv') / v²
        return Dual(self.value / other.value,
                    (self.tangent * other.value - self.value * other.tangent) / other.value**2)

    def __radd__(self, other):
        return self + other

    def __rsub__(self, other):
        return self._lift(other) - self

    def __rmul__(self, other):
        return self * other

    def __rtruediv__(self, other):
        return self._lift(other) / self

    def exp(self):
        y = math.exp(self.value)
        return Dual(y, y * self.tangent)   # (e^u)' = e^u · u'

    def tanh(self):
        y = math.tanh(self.value)
        return Dual(y, (1 - y * y) * self.tangent)   # tanh' = 1 - tanh²


# Known-wrong answers: each overrides one rule of the reference --------------------------------------------
class _Wrong(Dual):
    def _lift(self, other):
        return other if isinstance(other, Dual) else type(self)(other, 0.0)


class _ProductOneTerm(_Wrong):
    def __mul__(self, other):
        other = self._lift(other)
        return type(self)(self.value * other.value, self.tangent * other.value)


class _TanhOneMinusTanh(_Wrong):
    def tanh(self):
        y = math.tanh(self.value)
        return type(self)(y, (1 - y) * self.tangent)


class _ConstantsMove(_Wrong):
    def _lift(self, other):
        return other if isinstance(other, Dual) else type(self)(other, 1.0)


class _QuotientSign(_Wrong):
    def __truediv__(self, other):
        other = self._lift(other)
        return type(self)(self.value / other.value,
                          (self.tangent * other.value + self.value * other.tangent) / other.value**2)


DUAL_MISTAKES = (
    Mistake(_ProductOneTerm, "The product rule has two terms: (u·v)' = u'·v + u·v'. Your product keeps only one."),
    Mistake(_TanhOneMinusTanh, "tanh'(u) = 1 − tanh(u)², not 1 − tanh(u): square the tanh."),
    Mistake(_ConstantsMove, "A plain number is a constant: its tangent is 0, so lift it as Dual(c, 0). Only the input "
                            "you differentiate along is seeded with tangent 1."),
    Mistake(_QuotientSign, "The quotient rule has a minus: (u/v)' = (u'·v − u·v') / v²."),
)


def _neuron(D):
    x0 = D(-1.0, 1.0)   # the lecture's neuron, differentiated along x0
    s = 2.0 * x0 + (-3.0) * (-2.0) + (-3.0)
    return 1 / (1 + (s * -1).exp())


DUAL_CASES = (
    ("Dual(2, 1) + Dual(3, 0.5)", lambda D: D(2.0, 1.0) + D(3.0, 0.5)),
    ("Dual(2, 1) - Dual(3, 0.5)", lambda D: D(2.0, 1.0) - D(3.0, 0.5)),
    ("Dual(3, 1) * Dual(-2, 0.5): the product rule", lambda D: D(3.0, 1.0) * D(-2.0, 0.5)),
    ("Dual(1.5, 1) / Dual(-2, 0.25): the quotient rule", lambda D: D(1.5, 1.0) / D(-2.0, 0.25)),
    ("2 * Dual(0.5, 1): a number on the left", lambda D: 2 * D(0.5, 1.0)),
    ("Dual(0.5, 1) * 3 - 1", lambda D: D(0.5, 1.0) * 3 - 1),
    ("4 - Dual(0.5, 1)", lambda D: 4 - D(0.5, 1.0)),
    ("1 / Dual(0.5, 1)", lambda D: 1 / D(0.5, 1.0)),
    ("Dual(0.5, 1) / 4 + 1", lambda D: D(0.5, 1.0) / 4 + 1),
    ("Dual(0.5, 2).exp()", lambda D: D(0.5, 2.0).exp()),
    ("Dual(0.5, 2).tanh()", lambda D: D(0.5, 2.0).tanh()),
    ("the lecture's neuron 1 / (1 + exp(-(w0·x0 + w1·x1 + w2))) along x0: its tangent is ∂f/∂x0 = 0.3932",
     _neuron),
    ("tanh(x·y) / (1 + x) with x = Dual(0.3, 1), y = Dual(-1.2, 0.5)",
     lambda D: (D(0.3, 1.0) * D(-1.2, 0.5)).tanh() / (1 + D(0.3, 1.0))),
)


NOT_A_DUAL = "Each operation must return a new Dual (with .value and .tangent)."


def probe(cls, build):
    """(value, tangent) of what the case builds with the answer's class; anything else is NOT_A_DUAL."""
    out = build(cls)
    if not (hasattr(out, "value") and hasattr(out, "tangent")):
        raise Failure(NOT_A_DUAL, got=type(out).__name__)
    return out.value, out.tangent


def _dual_advice(exc):
    if isinstance(exc, TypeError) and ("unsupported operand" in str(exc) or "not supported" in str(exc)):
        return ("For a number on the left, as in 2 * x or 1 / x, Python calls x.__rmul__(2) or x.__rtruediv__(1): "
                "define __radd__, __rsub__, __rmul__ and __rtruediv__ too.")
    if isinstance(exc, AttributeError):
        return "A number has no .value or .tangent: lift plain numbers to Dual(number, 0) before using them."
    return None


EXERCISE = Exercise(
    id="dual_numbers",
    title="Forward mode as dual numbers",
    notebook="08",
    section="12",
    points=3,
    prompt="Write Dual(value, tangent) with + - * / (Duals or numbers on either side), .exp() and .tanh(): each "
           "operation computes its value and pushes the tangent forward by its derivative.",
    cases=lambda: [Case(description, (build,)) for description, build in DUAL_CASES],
    outputs=("value", "tangent"),
    probe=probe,
    rtol=1e-12,
    mistakes=DUAL_MISTAKES,
    hints=(
        "Each operation returns a new Dual: the value as usual, and the tangent by the chain rule, e.g. "
        "(u + v)' = u' + v'.",
        "Turn a plain number c into Dual(c, 0): a constant does not move. Then 2 * x can call x.__rmul__(2), which "
        "is x * 2; for 4 - x and 1 / x, lift the number first. Which rule of calculus moves the tangent of a "
        "product, and of a quotient? exp and tanh can reuse the value they just computed.",
        "Check: Dual(3, 1) * Dual(-2, 0.5) gives value -6 and tangent -0.5; 1 / Dual(0.5, 1) gives 2 and -4; "
        "Dual(0.5, 2).tanh() gives 0.4621 and 1.5729.",
    ),
    reference=Dual,
    imports="import math",
    advice=_dual_advice,
)
