"""Small neural-network pieces on both engines.

On Values (micrograd-compatible): `Neuron`, `Layer`, `MLP(nin, nouts)`.
On Tensors (PyTorch-like): `Linear`, `MLP(sizes)`, `SGD`, `cross_entropy`, `mse_loss`.

`MLP` serves both: `MLP(2, [16, 16, 1])` builds Values (a `ValueMLP`),
`MLP([2, 16, 16, 2])` builds Tensors (a `TensorMLP`).

Weights come from a numpy Generator. Pass `rng` (a Generator or an int seed)
for exact reproducibility; by default a module-wide generator seeded with 0 is
used, so a fresh kernel always builds the same networks (`manual_seed` resets it).
"""

import numpy as np

from . import creation
from .autodiff import Function, no_grad
from .checks import is_int, number, positive, positive_int
from .creation import manual_seed  # noqa: F401 - manual_seed is part of nn's surface
from .tensor import Tensor
from .value import Value


def _generator(rng):
    if rng is None:
        return creation.generator()
    if isinstance(rng, np.random.Generator):
        return rng
    if is_int(rng):
        return np.random.default_rng(rng)
    raise TypeError(f"rng must be None, an int seed or a numpy Generator, got {type(rng).__name__}")


class Module:
    """Anything with parameters. Subclasses override `parameters()`."""

    def parameters(self):
        return []

    def zero_grad(self):
        for p in self.parameters():
            p.grad = 0.0 if isinstance(p, Value) else None


# --- on Values ----------------------------------------------------------------------


class Neuron(Module):
    """relu(w . x + b), or w . x + b with nonlin=False. Weights uniform in [-1, 1], bias 0."""

    def __init__(self, nin, nonlin=True, rng=None):
        nin, rng = positive_int(nin, "nin"), _generator(rng)
        self.w = [Value(float(w), f"w{i}") for i, w in enumerate(rng.uniform(-1, 1, nin))]
        self.b = Value(0.0, "b")
        self.nonlin = nonlin

    def __call__(self, x):
        if len(x) != len(self.w):
            raise ValueError(f"this Neuron takes {len(self.w)} inputs, got {len(x)}")
        act = sum((wi * xi for wi, xi in zip(self.w, x)), self.b)
        return act.relu() if self.nonlin else act

    def parameters(self):
        return self.w + [self.b]

    def __repr__(self):
        return f"{'ReLU' if self.nonlin else 'Linear'}Neuron({len(self.w)})"


class Layer(Module):
    """`nout` neurons reading the same inputs. Returns one Value when nout == 1, else a list."""

    def __init__(self, nin, nout, rng=None, **kwargs):
        rng = _generator(rng)
        self.neurons = [Neuron(nin, rng=rng, **kwargs) for _ in range(positive_int(nout, "nout"))]

    def __call__(self, x):
        out = [n(x) for n in self.neurons]
        return out[0] if len(out) == 1 else out

    def parameters(self):
        return [p for n in self.neurons for p in n.parameters()]

    def __repr__(self):
        return f"Layer of [{', '.join(str(n) for n in self.neurons)}]"


class MLP(Module):
    """A multilayer perceptron: `MLP(nin, nouts)` on Values or `MLP(sizes)` on Tensors.

    The last layer is linear; the hidden ones use ReLU (or `activation` on Tensors).
    """

    def __new__(cls, *args, **kwargs):
        if cls is not MLP:
            return super().__new__(cls)
        first = args[0] if args else kwargs.get("nin", kwargs.get("sizes"))
        if is_int(first):
            return super().__new__(ValueMLP)
        if isinstance(first, list | tuple):
            return super().__new__(TensorMLP)
        raise TypeError("use MLP(nin, nouts) for a Value network, e.g. MLP(2, [16, 16, 1]), "
                        "or MLP(sizes) for a Tensor network, e.g. MLP([2, 16, 16, 2])")


class ValueMLP(MLP):
    """micrograd's MLP: `ValueMLP(3, [4, 4, 1])` maps 3 numbers to 1 through two ReLU layers of 4."""

    def __init__(self, nin, nouts, rng=None):
        rng = _generator(rng)
        sizes = [positive_int(nin, "nin")] + [positive_int(n, "each of nouts") for n in nouts]
        self.layers = [Layer(sizes[i], sizes[i + 1], rng=rng, nonlin=i != len(nouts) - 1)
                       for i in range(len(nouts))]

    def __call__(self, x):
        for layer in self.layers:
            x = layer(x)
        return x

    def parameters(self):
        return [p for layer in self.layers for p in layer.parameters()]

    def __repr__(self):
        return f"MLP of [{', '.join(str(layer) for layer in self.layers)}]"


# --- on Tensors ---------------------------------------------------------------------


class Linear(Module):
    """y = x @ weight + bias, with weight of shape (in_features, out_features) as in the lecture's x W.

    He (Kaiming) uniform init: weight ~ U(-b, b) with b = sqrt(6 / in_features), bias 0.
    """

    def __init__(self, in_features, out_features, bias=True, rng=None, dtype=np.float64):
        n_in, n_out = positive_int(in_features, "in_features"), positive_int(out_features, "out_features")
        bound = np.sqrt(6.0 / n_in)
        w = _generator(rng).uniform(-bound, bound, (n_in, n_out)).astype(dtype)
        self.weight = Tensor(w, requires_grad=True, label="W")
        self.bias = Tensor(np.zeros(n_out, dtype), requires_grad=True, label="b") if bias else None

    def __call__(self, x):
        x = x if isinstance(x, Tensor) else Tensor(np.asarray(x, self.weight.dtype))
        if x.shape[-1:] != self.weight.shape[:1]:
            raise ValueError(f"Linear expects inputs with last dimension {self.weight.shape[0]}, got shape {x.shape}")
        y = x @ self.weight
        return y if self.bias is None else y + self.bias

    def parameters(self):
        return [self.weight] if self.bias is None else [self.weight, self.bias]

    def __repr__(self):
        n_in, n_out = self.weight.shape
        return f"Linear({n_in}, {n_out}, bias={self.bias is not None})"


_ACTIVATIONS = {"relu": Tensor.relu, "tanh": Tensor.tanh, "sigmoid": Tensor.sigmoid}


class TensorMLP(MLP):
    """Linear layers of the given sizes with an activation between them: `TensorMLP([2, 16, 2])`."""

    def __init__(self, sizes, activation="relu", rng=None, dtype=np.float64):
        sizes = [positive_int(n, "each of sizes") for n in sizes]
        if len(sizes) < 2:
            raise ValueError(f"sizes needs at least an input and an output size, got {sizes}")
        if activation not in _ACTIVATIONS:
            raise ValueError(f"activation must be one of {sorted(_ACTIVATIONS)}, got {activation!r}")
        rng = _generator(rng)
        self.activation = activation
        self.layers = [Linear(a, b, rng=rng, dtype=dtype) for a, b in zip(sizes, sizes[1:])]

    def __call__(self, x):
        act = _ACTIVATIONS[self.activation]
        for i, layer in enumerate(self.layers):
            x = layer(x)
            if i < len(self.layers) - 1:
                x = act(x)
        return x

    def parameters(self):
        return [p for layer in self.layers for p in layer.parameters()]

    def __repr__(self):
        return f"MLP({[self.layers[0].weight.shape[0]] + [layer.weight.shape[1] for layer in self.layers]}, " \
               f"activation={self.activation!r})"


class SGD:
    """Stochastic gradient descent, optionally with momentum: v = momentum * v + grad; p -= lr * v.

    Works on Tensors and Values alike.
    """

    def __init__(self, params, lr, momentum=0.0):
        self.params = list(params)
        if not self.params:
            raise ValueError("SGD got an empty parameter list")
        self.lr = positive(lr, "lr")
        self.momentum = number(momentum, "momentum", "a number in [0, 1)", lambda m: 0 <= m < 1)
        self.velocity = [None] * len(self.params)

    def step(self):
        with no_grad():
            for i, p in enumerate(self.params):
                g = p.grad if isinstance(p, Value) else None if p.grad is None else p.grad.data
                if g is None:
                    continue
                v = g if self.velocity[i] is None or not self.momentum else self.momentum * self.velocity[i] + g
                self.velocity[i] = v
                p.data = p.data - self.lr * v  # rebinding, so arrays shared with old graphs stay intact

    def zero_grad(self):
        for p in self.params:
            p.grad = 0.0 if isinstance(p, Value) else None


# --- losses ------------------------------------------------------------------------


def _class_indices(targets, logits):
    raw = targets.data if isinstance(targets, Tensor) else targets
    t = given = np.asarray(raw)
    if t.dtype.kind == "f" and np.all(np.isfinite(t)) and np.all(t == np.round(t)):
        # Tensors hold floats, so whole-number floats count as indices (if they fit: 1e20 would wrap around).
        t = t.astype(np.int64) if np.all(np.abs(t) < 2**62) else np.where(t < 0, -1, np.iinfo(np.int64).max)
    if t.dtype.kind not in "iu":
        raise TypeError(
            f"cross_entropy needs integer class indices as targets, got {t.dtype} values "
            f"{np.array2string(t.ravel()[:4], separator=', ')}; for one-hot targets pass y.argmax(axis=1)"
        )
    n, c = logits.shape
    if t.shape != (n,):
        raise ValueError(
            f"cross_entropy: logits has shape {logits.shape} (batch, classes) but targets has shape {t.shape}; "
            f"targets needs shape ({n},), one class index per row"
        )
    if t.size and (np.minimum.reduce(t, axis=None) < 0 or np.maximum.reduce(t, axis=None) >= c):  # (min, max)
        bad = np.flatnonzero((t < 0) | (t >= c))
        raise ValueError(f"cross_entropy: targets must lie in [0, {c}) for {c} classes; "
                         f"got {given.ravel()[bad[0]]:g} at position {bad[0]}")
    return t


def cross_entropy(logits, targets, reduction="mean", fused=True):
    """Softmax cross-entropy of (N, C) logits against N integer class indices.

    Computed as -log_softmax(logits)[i, targets[i]], which never overflows.
    `reduction` is "mean", "sum" or "none". By default one `CrossEntropy` node
    does it all (a training step's cheapest form); `fused=False` builds the same
    loss from log_softmax, indexing, negation and mean, for a picture of its graph.
    """
    logits = logits if isinstance(logits, Tensor) else Tensor(logits)
    if logits.ndim != 2:
        raise ValueError(f"cross_entropy expects logits of shape (batch, classes), got shape {logits.shape}")
    if reduction not in ("mean", "sum", "none"):
        raise ValueError(f"reduction must be 'mean', 'sum' or 'none', got {reduction!r}")
    t = _class_indices(targets, logits)
    if fused:
        return CrossEntropy.apply(logits, t, reduction)
    losses = -logits.log_softmax(axis=1)[np.arange(len(t)), t]
    return losses if reduction == "none" else losses.sum() if reduction == "sum" else losses.mean()


class CrossEntropy(Function):
    """Softmax cross-entropy as one primitive: its gradient is (softmax - one-hot) per row."""

    op = "cross_entropy"

    @staticmethod
    def forward(ctx, logits, targets, reduction):
        # As log_softmax computes it, to the last bit. (The ufuncs' reduce is what .max() and .sum() call,
        # without their Python wrapper: this runs once per training step.)
        shifted = logits - np.maximum.reduce(logits, axis=1, keepdims=True)
        log_p = shifted - np.log(np.add.reduce(np.exp(shifted), axis=1, keepdims=True))
        losses = -log_p[np.arange(len(targets)), targets]
        ctx.targets, ctx.reduction = targets, reduction
        ctx.p = np.exp(log_p)  # on ctx, not saved: no one else holds it, so it needs no write lock
        ctx.save_for_backward(logits)
        if reduction == "none":
            return losses
        total = np.add.reduce(losses, axis=None)
        return total if reduction == "sum" else total / max(len(targets), 1)

    @staticmethod
    def backward(ctx, g):
        (logits,), p = ctx.saved_tensors, ctx.p
        rows = np.arange(len(ctx.targets))
        if isinstance(logits, Tensor):  # create_graph: the softmax must be recorded, to be differentiated again
            one_hot = np.zeros(p.shape, p.dtype)
            one_hot[rows, ctx.targets] = 1
            d = logits.softmax(axis=1) - one_hot
        else:
            d = p.copy()
            d[rows, ctx.targets] -= 1
        if ctx.reduction == "none":
            return d * g.reshape(-1, 1)
        return d * (g / max(len(rows), 1)) if ctx.reduction == "mean" else d * g


def mse_loss(pred, target):
    """Mean squared error. The shapes must match exactly (silent broadcasting here is a classic bug)."""
    pred = pred if isinstance(pred, Tensor) else Tensor(pred)
    target = target if isinstance(target, Tensor) else Tensor(np.asarray(target, pred.dtype))
    if pred.shape != target.shape:
        raise ValueError(
            f"mse_loss: pred has shape {pred.shape} but target has shape {target.shape}; "
            "reshape one of them so the shapes match"
        )
    return ((pred - target) ** 2).mean()
