"""The translation table: each course op beside its PyTorch spelling, one line per op.

`Op(name, ours, theirs)`: `ours` runs on the course's Tensors, `theirs` on torch tensors (left out when the
same spelling works on both). `shapes` says how the inputs are drawn, `domain` where their values lie.
A reference adjusted by a course choice names it (`choice=`), and the choice is declared in `declared.py`.
"""

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F

import backprop_course as bc
from backprop_course import nn

from .declared import choice


@dataclass(frozen=True)
class Op:
    name: str
    ours: Callable
    theirs: Callable | None = None  # None: the same spelling on both
    shapes: str = "one"  # "one" input, two that "broadcast", two of the "same" shape, or "matmul" operands
    min_dims: int = 0
    max_dims: int = 3
    domain: str = "real"  # "real", "positive" or "nonzero" inputs
    nonempty: bool = False  # empty inputs have no answer (max of nothing)
    choice: str | None = None  # the course choice `theirs` applies

    def __post_init__(self):
        if self.choice is not None:
            choice(self.choice)  # declared, or a KeyError at import

    @property
    def arity(self):
        return 1 if self.shapes == "one" else 2

    def reference(self, *xs):
        return (self.theirs or self.ours)(*xs)


# --- references adjusted by a course choice ---------------------------------------------------
def first_max(x, dim=None, keepdim=False):
    """torch's max with the whole gradient at its first maximum (argmax's), the course's tie rule."""
    if dim is None:
        flat = x.reshape(-1)
        value = flat[flat.argmax()]
        return value.reshape((1,) * x.ndim) if keepdim else value
    value = x.gather(dim, x.argmax(dim, keepdim=True))
    return value if keepdim else value.squeeze(dim)


def first_min(x, dim=None, keepdim=False):
    return -first_max(-x, dim, keepdim)


def first_maximum(x, y):
    """torch.maximum, with a tie's gradient going to x alone."""
    return torch.where(x == y, x, torch.maximum(x, y))


def scaled_norm(x, dim=None):
    """torch's norm of x / s, times s, for s the largest |entry| (a constant; 1 where it is 0 or inf)."""
    s = np.max(np.abs(x.detach().numpy()), axis=dim, keepdims=True, initial=0.0)
    s = torch.from_numpy(np.where((s == 0) | np.isinf(s), 1, s))
    return torch.linalg.vector_norm(x / s, dim=dim) * (s.reshape(()) if dim is None else s.squeeze(dim))


def reversed_axes(x):
    return x.permute(tuple(reversed(range(x.ndim))))


def class_targets(x):
    """Integer targets for cross-entropy over the rows of x: 0, 1, 2, ... modulo the class count."""
    return np.arange(x.shape[0]) % x.shape[1]


OPS = [
    # elementwise
    Op("neg", lambda x: -x),
    Op("exp", lambda x: x.exp()),
    Op("log", lambda x: x.log(), domain="positive"),
    Op("tanh", lambda x: x.tanh()),
    Op("sigmoid", lambda x: x.sigmoid()),
    Op("relu", lambda x: x.relu()),
    Op("sin", lambda x: x.sin()),
    Op("cos", lambda x: x.cos()),
    Op("abs", lambda x: x.abs()),
    Op("sqrt", lambda x: x.sqrt(), lambda x: (x + 0.0).sqrt(), domain="positive", choice="signed zero"),
    Op("x ** 2", lambda x: x**2),
    Op("pow(3)", lambda x: x.pow(3)),
    Op("x ** 0.5", lambda x: x**0.5, lambda x: (x + 0.0) ** 0.5, domain="positive", choice="signed zero"),
    Op("x ** -1", lambda x: x**-1, domain="nonzero"),
    Op("x ** 0", lambda x: x**0),
    Op("2 ** x", lambda x: 2**x),
    Op("x + 1.5", lambda x: x + 1.5),
    Op("1.5 - x", lambda x: 1.5 - x),
    Op("x * -3", lambda x: x * -3),
    Op("x / 4", lambda x: x / 4),
    Op("1 / x", lambda x: 1 / x, domain="nonzero"),
    Op("clamp(-0.5, 0.5)", lambda x: x.clamp(-0.5, 0.5)),
    Op("clamp(min=0.1)", lambda x: x.clamp(min=0.1)),
    Op("clamp(max=0.1)", lambda x: x.clamp(max=0.1)),
    Op("clone", lambda x: x.clone()),
    # reductions
    Op("sum()", lambda x: x.sum()),
    Op("sum(axis=-1)", lambda x: x.sum(axis=-1), lambda x: x.sum(dim=-1), min_dims=1),
    Op("sum(dim=0, keepdim=True)", lambda x: x.sum(dim=0, keepdim=True), min_dims=1),
    Op("sum(axis=(0, -1))", lambda x: x.sum(axis=(0, -1)), lambda x: x.sum(dim=(0, -1)), min_dims=2),
    Op("sum(dim=())", lambda x: x.sum(dim=())),
    Op("mean()", lambda x: x.mean()),
    Op("mean(dim=-1)", lambda x: x.mean(dim=-1), min_dims=1),
    Op("max()", lambda x: x.max(), first_max, nonempty=True, choice="first maximum"),
    Op("max(axis=-1)", lambda x: x.max(axis=-1), lambda x: first_max(x, -1), min_dims=1, nonempty=True,
       choice="first maximum"),
    Op("max(axis=0, keepdims=True)", lambda x: x.max(axis=0, keepdims=True), lambda x: first_max(x, 0, True),
       min_dims=1, nonempty=True, choice="first maximum"),
    Op("max(axis=(0, -1))", lambda x: x.max(axis=(0, -1)), lambda x: first_max(x.movedim(0, -2).flatten(-2), -1),
       min_dims=2, nonempty=True, choice="first maximum"),
    Op("mean(axis=(0, -1), keepdims=True)", lambda x: x.mean(axis=(0, -1), keepdims=True),
       lambda x: x.mean(dim=(0, -1), keepdim=True), min_dims=2),
    Op("min()", lambda x: x.min(), first_min, nonempty=True, choice="first maximum"),
    Op("min(axis=-1)", lambda x: x.min(axis=-1), lambda x: first_min(x, -1), min_dims=1, nonempty=True,
       choice="first maximum"),
    Op("max(dim=-1)[0]", lambda x: x.max(dim=-1)[0], min_dims=1, nonempty=True),
    Op("min(dim=-1)[0]", lambda x: x.min(dim=-1)[0], min_dims=1, nonempty=True),
    Op("argmax(dim=-1)", lambda x: x.argmax(dim=-1), min_dims=1, nonempty=True),
    Op("norm()", lambda x: x.norm(), scaled_norm, choice="scaled norm"),
    Op("norm(dim=-1)", lambda x: x.norm(dim=-1), lambda x: scaled_norm(x, -1), min_dims=1, choice="scaled norm"),
    Op("softmax(axis=-1)", lambda x: x.softmax(axis=-1), lambda x: x.softmax(-1), min_dims=1),
    Op("log_softmax(axis=-1)", lambda x: x.log_softmax(axis=-1), lambda x: x.log_softmax(-1), min_dims=1),
    Op("softmax(dim=-1)", lambda x: x.softmax(dim=-1), min_dims=1),
    Op("log_softmax(dim=-1)", lambda x: x.log_softmax(dim=-1), min_dims=1),
    Op("cross_entropy", lambda x: nn.cross_entropy(x, class_targets(x)),
       lambda x: F.cross_entropy(x, torch.from_numpy(class_targets(x))), min_dims=2, max_dims=2, nonempty=True),
    # shapes and indexing
    Op("reshape(-1)", lambda x: x.reshape(-1)),
    Op("reshape(reversed)", lambda x: x.reshape(tuple(reversed(x.shape)))),
    Op("view(-1)", lambda x: x.view(-1)),
    Op("flatten()", lambda x: x.flatten()),
    Op("flatten(1)", lambda x: x.flatten(1), min_dims=2),
    Op("squeeze()", lambda x: x.squeeze()),
    Op("squeeze(0)", lambda x: x.squeeze(0)),
    Op("squeeze((0, 2))", lambda x: x.squeeze((0, 2)), min_dims=3),
    Op("unsqueeze(0)", lambda x: x.unsqueeze(0)),
    Op("unsqueeze(-1)", lambda x: x.unsqueeze(-1)),
    Op("transpose()", lambda x: x.transpose(), reversed_axes),
    Op(".T", lambda x: x.T, reversed_axes),
    Op("t()", lambda x: x.t(), max_dims=2),
    Op(".mT", lambda x: x.mT, min_dims=2),
    Op("transpose(0, 1)", lambda x: x.transpose(0, 1), min_dims=2),
    Op("[0]", lambda x: x[0], min_dims=1, nonempty=True),
    Op("[..., ::2]", lambda x: x[..., ::2], min_dims=1),
    Op("[[0, 0]]", lambda x: x[[0, 0]], min_dims=1, nonempty=True),
    Op("[x > 0]", lambda x: x[x > 0]),
    Op("[:, None]", lambda x: x[:, None], min_dims=1),
    Op("x * (x > 0)", lambda x: x * (x > 0)),
    # two inputs
    Op("x + y", lambda x, y: x + y, shapes="broadcast"),
    Op("x - y", lambda x, y: x - y, shapes="broadcast"),
    Op("x * y", lambda x, y: x * y, shapes="broadcast"),
    Op("x / y", lambda x, y: x / y, shapes="broadcast", domain="nonzero"),
    Op("x ** y", lambda x, y: x**y, shapes="broadcast", domain="positive"),
    Op("maximum", lambda x, y: x.maximum(y), first_maximum, shapes="broadcast", choice="first maximum"),
    Op("clamp(max=y)", lambda x, y: x.clamp(max=y), shapes="broadcast"),
    Op("x @ y", lambda x, y: x @ y, shapes="matmul"),
    Op("stack", lambda x, y: bc.stack([x, y]), lambda x, y: torch.stack([x, y]), shapes="same"),
    Op("stack(dim=-1)", lambda x, y: bc.stack([x, y], dim=-1), lambda x, y: torch.stack([x, y], dim=-1),
       shapes="same"),
    Op("cat", lambda x, y: bc.cat([x, y]), lambda x, y: torch.cat([x, y]), shapes="same", min_dims=1),
    Op("cat(dim=-1)", lambda x, y: bc.cat([x, y], dim=-1), lambda x, y: torch.cat([x, y], dim=-1),
       shapes="same", min_dims=1),
    Op("mse_loss", lambda x, y: nn.mse_loss(x, y), F.mse_loss, shapes="same"),
]
OPS_BY_NAME = {op.name: op for op in OPS}
assert len(OPS_BY_NAME) == len(OPS), "op names must be unique"


def _special(values):
    return np.array(values, dtype=np.float64)


# Named inputs at the edges: each op meets each of them (1-D, shaped up to an op's min_dims).
SPECIALS = {
    "zeros": _special([0.0, 0.0, 0.0]),
    "negative zero": _special([-0.0, 0.0]),
    "ties": _special([3.0, -1.0, 3.0, 3.0]),
    "tiny": _special([1e-300, -1e-300, 5e-324]),
    "huge": _special([1e300, -1e300, 1e200]),
    "inf": _special([np.inf, -np.inf, 1.0]),
    "nan": _special([np.nan, 1.0, -1.0]),
    "empty": _special([]),
    "0-d": _special(0.75),
}
# float32's own edges, where float64's would become 0 or inf on the cast.
SPECIALS32 = {"tiny": _special([1e-38, -1e-38, 1e-45]), "huge": _special([1e38, -1e38, 1e30])}
