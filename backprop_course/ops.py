"""Primitive Functions shared by `Value` (floats) and `Tensor` (ndarrays).

Each backward is written with arithmetic and `Function.apply` calls only, so it
runs on raw numbers during an ordinary backward pass and records a graph of
its own under `create_graph=True` (gradients of gradients).

Each primitive also has a tangent rule, `jvp(ctx, *tangents)`, for forward mode
(`func.jvp`, `func.jacfwd`): from one tangent per input, the output's tangent J t.
"""

import math

import numpy as np

from .autodiff import Function
from .numpy_compat import matrix_transpose


def _scalar(x):
    return type(x) is float


class Add(Function):
    op = "+"

    @staticmethod
    def forward(ctx, x, y):
        return x + y

    @staticmethod
    def backward(ctx, g):
        return g, g  # the add gate distributes: both inputs get the upstream gradient

    @staticmethod
    def jvp(ctx, tx, ty):
        return tx + ty


class Sub(Function):
    op = "-"

    @staticmethod
    def forward(ctx, x, y):
        return x - y

    @staticmethod
    def backward(ctx, g):
        return g, -g

    @staticmethod
    def jvp(ctx, tx, ty):
        return tx - ty


class Neg(Function):
    op = "neg"

    @staticmethod
    def forward(ctx, x):
        return -x

    @staticmethod
    def backward(ctx, g):
        return -g

    @staticmethod
    def jvp(ctx, t):
        return -t


class Mul(Function):
    op = "*"

    @staticmethod
    def forward(ctx, x, y):
        ctx.save_for_backward(x, y)
        return x * y

    @staticmethod
    def backward(ctx, g):
        x, y = ctx.saved_tensors
        return y * g, x * g  # the mul gate swaps its inputs

    @staticmethod
    def jvp(ctx, tx, ty):
        x, y = ctx.saved_tensors
        return tx * y + x * ty  # the product rule


class Div(Function):
    op = "/"

    @staticmethod
    def forward(ctx, x, y):
        if _scalar(y) and y == 0.0:
            raise ZeroDivisionError(f"division by zero: {x} / 0")
        out = x / y
        ctx.save_for_backward(y, out)
        return out

    @staticmethod
    def backward(ctx, g):
        y, out = ctx.saved_tensors
        gx = g / y
        return gx, -gx * out

    @staticmethod
    def jvp(ctx, tx, ty):
        y, out = ctx.saved_tensors
        return (tx - out * ty) / y


def _pow(x, c):
    """x ** c; for floats, IEEE's infinities (as NumPy and PyTorch give) where Python raises."""
    try:
        return x**c
    except ZeroDivisionError:  # 0.0 ** negative
        return -math.inf if math.copysign(1, x) < 0 and c % 2 == 1 else math.inf
    except OverflowError:  # a result beyond the largest float
        return -math.inf if x < 0 and c % 2 == 1 else math.inf


class PowConst(Function):
    """x ** c for a fixed number c."""

    op = "**"

    @staticmethod
    def forward(ctx, x, c):
        out = _pow(x, c)
        if isinstance(out, complex):
            raise ValueError(f"{x} ** {c} is complex: a negative base needs a whole-number exponent")
        ctx.c = c
        # IEEE's pow gives (-inf) ** -0.5 = 0 where sqrt(-inf) is NaN: where the value is NaN (x is not), so is
        # the slope, as in PyTorch. A factor (NaN there, 1 elsewhere) keeps every other slope exact.
        nan = None if _scalar(x) else np.isnan(out) & ~np.isnan(x)
        ctx.nan = np.where(nan, np.nan, 1).astype(out.dtype) if nan is not None and nan.any() else None
        ctx.save_for_backward(x)
        return out

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        c = ctx.c
        if c == 0:
            return _select(g, False)  # x ** 0 is constant: 0, even for an infinite g (g * 0 would be NaN)
        slope = g * c * _pow(x, c - 1) if c != 1 else g
        return slope if ctx.nan is None else slope * ctx.nan

    @staticmethod
    def jvp(ctx, t):
        return PowConst.backward(ctx, t)  # elementwise: the Jacobian is diagonal, so J t = J^T t


class Pow(Function):
    """x ** y where the exponent is itself a node."""

    op = "**"

    @staticmethod
    def forward(ctx, x, y):
        out = _pow(x, y)
        if isinstance(out, complex):
            raise ValueError(f"{x} ** {y} is complex: a negative base needs a whole-number exponent")
        # At x = 0 the formulas meet 0 * inf; PyTorch's limits there: no slope in x where y = 0 (x ** 0 is
        # constant, also at x = NaN), none in y where y >= 0. A select of the slope in x, and log's argument
        # shifted to 1, at those points only keep every other point exact, under create_graph too; where x = y
        # = 0 the second order meets 1/0 and is NaN, as in PyTorch. log(x) and y - 1 are taken in the result's
        # dtype (a float32 base with a float64 exponent has float64 slopes).
        x_zero = x == 0
        y_zero, ctx.log_zero = (x_zero | (x != x)) & (y == 0), x_zero & (y >= 0)
        ctx.keep_x, ctx.one = (not y_zero, 1) if type(y_zero) is bool else (~y_zero, np.ones((), np.result_type(out)))
        if not _scalar(out):  # an array, also 0-d: a NumPy scalar would be read as a number and take x's dtype
            ctx.log_zero = np.asarray(ctx.log_zero, dtype=np.result_type(out))
        ctx.save_for_backward(x, y, out)
        return out

    @staticmethod
    def backward(ctx, g):
        x, y, out = ctx.saved_tensors
        with np.errstate(divide="ignore", invalid="ignore"):  # 0 ** -1 where y = 0 is selected away
            gx = _select(g * y * _pow(x, y - ctx.one), ctx.keep_x)
        if not ctx.needs_input_grad[1]:
            gy = None
        elif _scalar(x) and x <= 0:  # x**y·log(x): its limit at x = 0 (0 where y >= 0), no real log below 0
            gy = 0.0 if ctx.log_zero else g * out * (-math.inf if x == 0 else math.nan)
        else:
            gy = g * out * Log.apply(x + ctx.log_zero)
        return gx, gy

    @staticmethod
    def jvp(ctx, tx, ty):
        gx, gy = Pow.backward(ctx, tx)[0], Pow.backward(ctx, ty)[1]  # elementwise in each input
        return gx if gy is None else gx + gy


class Exp(Function):
    op = "exp"

    @staticmethod
    def forward(ctx, x):
        out = (math.inf if x > 709.78 else math.exp(x)) if _scalar(x) else np.exp(x)  # NaN stays NaN
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, g):
        (out,) = ctx.saved_tensors
        return g * out

    @staticmethod
    def jvp(ctx, t):
        (out,) = ctx.saved_tensors
        return t * out


class Log(Function):
    op = "log"

    @staticmethod
    def forward(ctx, x):
        if _scalar(x):
            if x <= 0:
                raise ValueError(f"log is only defined for positive numbers, got {x}")
            out = math.log(x)
        else:
            out = np.log(x)
        ctx.save_for_backward(x)
        return out

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g / x

    @staticmethod
    def jvp(ctx, t):
        (x,) = ctx.saved_tensors
        return t / x


class Tanh(Function):
    op = "tanh"

    @staticmethod
    def forward(ctx, x):
        out = math.tanh(x) if _scalar(x) else np.tanh(x)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, g):
        (out,) = ctx.saved_tensors
        return g * (1 - out * out)

    @staticmethod
    def jvp(ctx, t):
        (out,) = ctx.saved_tensors
        return t * (1 - out * out)


class Sigmoid(Function):
    op = "σ"

    @staticmethod
    def forward(ctx, x):
        # exp of a non-positive number only, so neither side can overflow.
        if _scalar(x):
            e = math.exp(-abs(x))
            out = 1 / (1 + e) if x >= 0 else e / (1 + e)
        else:
            e = np.exp(-np.abs(x))
            out = np.where(x >= 0, 1, e) / (1 + e)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, g):
        (out,) = ctx.saved_tensors
        return g * out * (1 - out)  # local gradient (1 - σ)σ, at most 0.25

    @staticmethod
    def jvp(ctx, t):
        (out,) = ctx.saved_tensors
        return t * out * (1 - out)


class Select(Function):
    """g where `mask` holds, else 0: how relu and max route gradients.

    A select, not `g * mask`, so that no -0.0 appears (-3 * False is -0.0)
    and an infinite g stays out of the masked-off entries (inf * 0 is NaN).
    """

    op = "select"

    @staticmethod
    def forward(ctx, g, mask):
        ctx.mask = mask
        if _scalar(g):
            return g if mask else 0.0
        return np.where(mask, g, np.zeros((), g.dtype))

    @staticmethod
    def backward(ctx, g):
        return Select.apply(g, ctx.mask)

    @staticmethod
    def jvp(ctx, t):
        return Select.apply(t, ctx.mask)


_BITS = {np.dtype(np.float32): np.int32, np.dtype(np.float64): np.int64}
SELECT_BY_BITS_FROM = 1024  # elements: below it np.where's one call beats the bit mask's four (a tiny MLP's layers)


def _select(g, mask):
    """Select.apply(g, mask), skipping apply's bookkeeping when g is a raw number or array."""
    if type(g) is float:
        return g if mask else 0.0
    if type(g) is np.ndarray:
        bits = _BITS.get(g.dtype)
        if bits is None or g.size < SELECT_BY_BITS_FROM:  # (0-d too: ufuncs make 0-d results numpy scalars)
            return np.where(mask, g, np.zeros((), g.dtype))
        # np.where bit for bit (+0.0 off the mask, whatever g holds there), in a third of its time:
        # g's bits ANDed with all ones on the mask, all zeros off it (True is 1 as an int8, -1 negated,
        # all ones widened; negating the one-byte mask before widening it is the cheaper order).
        ones = np.negative(np.asarray(mask, np.bool_).view(np.int8)).astype(bits)
        return np.bitwise_and(g.view(bits), ones).view(g.dtype)
    return Select.apply(g, mask)


class ReLU(Function):
    op = "relu"

    @staticmethod
    def forward(ctx, x):
        # The gradient passes where x > 0, and at NaN (as in PyTorch); blocked where x <= 0 only.
        if _scalar(x):
            ctx.mask = x > 0 or x != x
            return x if ctx.mask else 0.0  # NaN propagates, as in PyTorch
        out = np.maximum(x, 0)  # NaN propagates
        # The same mask in one comparison (out is x or NaN there, ±0 elsewhere). It is kept on ctx, not
        # saved: no one else holds it, so it needs no write lock.
        ctx.mask = out != 0
        return out

    @staticmethod
    def backward(ctx, g):
        return _select(g, ctx.mask)  # a vector-Jacobian product: the diagonal Jacobian is never built

    @staticmethod
    def jvp(ctx, t):
        return t * ctx.mask


class Maximum(Function):
    """Elementwise max(x, y). On a tie the first argument wins the gradient; NaN propagates, and so does its
    gradient, to both arguments."""

    op = "max"

    @staticmethod
    def forward(ctx, x, y):
        nan = (x != x) | (y != y)  # NaN is not below the other: both get the gradient, as in PyTorch
        ctx.save_for_backward((x >= y) | nan, (x < y) | nan)
        if _scalar(x) and _scalar(y):
            return x if x >= y or x != x else y
        return np.maximum(x, y)

    @staticmethod
    def backward(ctx, g):
        first, second = ctx.saved_tensors
        return _select(g, first), _select(g, second)  # the max gate routes

    @staticmethod
    def jvp(ctx, tx, ty):
        first, second = ctx.saved_tensors
        return tx * first + ty * second


class MatMul(Function):
    """x @ y for operands with at least two dimensions (batched allowed)."""

    op = "@"

    @staticmethod
    def forward(ctx, x, y):
        ctx.save_for_backward(x, y)
        return x @ y

    @staticmethod
    def backward(ctx, g):
        x, y = ctx.saved_tensors
        need_x, need_y = ctx.needs_input_grad
        # Batch dimensions added by broadcasting are summed away by apply.
        return (g @ matrix_transpose(y) if need_x else None), (matrix_transpose(x) @ g if need_y else None)

    @staticmethod
    def jvp(ctx, tx, ty):
        x, y = ctx.saved_tensors
        need_x, need_y = ctx.needs_input_grad  # False for an input without a tangent: skip its zero product
        if need_x and need_y:
            return tx @ y + x @ ty
        return tx @ y if need_x else x @ ty


def _reduced_shape(shape, axis):
    """The keepdims shape of a reduction over `axis` (None, int or tuple)."""
    if axis is None:
        return (1,) * len(shape)
    axes = {a % len(shape) for a in ((axis,) if isinstance(axis, int) else axis)}
    return tuple(1 if i in axes else n for i, n in enumerate(shape))


class BroadcastTo(Function):
    op = "broadcast"

    @staticmethod
    def forward(ctx, x, shape):
        ctx.out_shape = shape
        return np.broadcast_to(x, shape)

    @staticmethod
    def backward(ctx, g):
        return g  # apply sums it back to the input's shape

    @staticmethod
    def jvp(ctx, t):
        return np.broadcast_to(t, ctx.out_shape)


class Sum(Function):
    op = "sum"

    @staticmethod
    def forward(ctx, x, axis, keepdims):
        ctx.shape, ctx.kept = x.shape, _reduced_shape(x.shape, axis)
        ctx.axis, ctx.keepdims = axis, keepdims
        return np.sum(x, axis=axis, keepdims=keepdims)

    @staticmethod
    def backward(ctx, g):
        return BroadcastTo.apply(g.reshape(ctx.kept), ctx.shape)

    @staticmethod
    def jvp(ctx, t):
        return np.sum(t, axis=ctx.axis, keepdims=ctx.keepdims)


class Mean(Function):
    op = "mean"

    @staticmethod
    def forward(ctx, x, axis, keepdims):
        out = Sum.forward(ctx, x, axis, keepdims)
        ctx.n = x.size // max(out.size, 1)
        return out / ctx.n

    @staticmethod
    def backward(ctx, g):
        return Sum.backward(ctx, g) / ctx.n

    @staticmethod
    def jvp(ctx, t):
        return Sum.jvp(ctx, t) / ctx.n


class Max(Function):
    """Max over axes. Ties: the first maximal element (argmax) gets the gradient."""

    op = "max"

    @staticmethod
    def forward(ctx, x, axis, keepdims):
        axes = tuple(range(x.ndim)) if axis is None else tuple(
            a % x.ndim for a in ((axis,) if isinstance(axis, int) else axis))
        rest = [a for a in range(x.ndim) if a not in axes]
        moved = np.transpose(x, rest + list(axes))
        flat = moved.reshape(moved.shape[: len(rest)] + (math.prod(moved.shape[len(rest):]),))  # (-1 fails when empty)
        onehot = np.zeros(flat.shape, bool)
        np.put_along_axis(onehot, flat.argmax(-1)[..., None], True, axis=-1)
        ctx.mask = np.transpose(onehot.reshape(moved.shape), np.argsort(rest + list(axes)))
        ctx.shape, ctx.kept = x.shape, _reduced_shape(x.shape, axis)
        ctx.axis, ctx.keepdims = axis, keepdims
        return np.max(x, axis=axis, keepdims=keepdims)

    @staticmethod
    def backward(ctx, g):
        return _select(BroadcastTo.apply(g.reshape(ctx.kept), ctx.shape), ctx.mask)

    @staticmethod
    def jvp(ctx, t):
        return np.sum(t * ctx.mask, axis=ctx.axis, keepdims=ctx.keepdims)  # the tangent of the chosen element


class Norm(Function):
    """The Euclidean norm over `axis` (None: all entries), scaled by the largest entry so that squares of tiny or
    huge entries neither underflow nor overflow. At a zero vector the slope is 0, as in PyTorch."""

    op = "norm"

    @staticmethod
    def forward(ctx, x, axis, keepdims):
        scale = np.max(np.abs(x), axis=axis, keepdims=True, initial=0.0)
        ctx.zero, ctx.kept, ctx.axis = scale == 0, scale.shape, axis
        unit = np.where(ctx.zero | np.isinf(scale), 1, scale)
        with np.errstate(invalid="ignore"):  # inf / inf: the norm is inf there anyway
            kept = np.where(np.isinf(scale), scale, unit * np.sqrt(np.sum((x / unit) ** 2, axis, keepdims=True)))
        out = kept if keepdims else kept.reshape(np.sum(x, axis=axis).shape)
        ctx.save_for_backward(x, out)
        return out

    @staticmethod
    def backward(ctx, g):
        x, out = ctx.saved_tensors
        # x / |x| (a ratio first: tiny |x| never squared), selected to 0 at x = 0, where the ratio is 0/0, so
        # the second order there is NaN (the Hessian has no value at 0), as in PyTorch
        with np.errstate(invalid="ignore"):
            return _select(g.reshape(ctx.kept) * (x / out.reshape(ctx.kept)), ~ctx.zero)

    @staticmethod
    def jvp(ctx, t):
        x, out = ctx.saved_tensors
        dot = np.sum(t * x, axis=ctx.axis, keepdims=True)
        return (dot / (out.reshape(ctx.kept) + ctx.zero)).reshape(np.shape(out))


class Reshape(Function):
    op = "reshape"

    @staticmethod
    def forward(ctx, x, shape):
        ctx.shape, ctx.out_shape = x.shape, shape
        return np.reshape(x, shape)

    @staticmethod
    def backward(ctx, g):
        return g.reshape(ctx.shape)

    @staticmethod
    def jvp(ctx, t):
        return np.reshape(t, ctx.out_shape)


class Transpose(Function):
    op = "transpose"

    @staticmethod
    def forward(ctx, x, axes):
        axes = tuple(range(x.ndim))[::-1] if axes is None else tuple(a % x.ndim for a in axes)
        ctx.inverse = tuple(np.argsort(axes))
        return np.transpose(x, axes)

    @staticmethod
    def backward(ctx, g):
        return g.transpose(ctx.inverse)

    @staticmethod
    def jvp(ctx, t):
        return np.transpose(t, np.argsort(ctx.inverse))


class GetItem(Function):
    op = "[]"

    @staticmethod
    def forward(ctx, x, index):
        ctx.index, ctx.shape = index, x.shape
        return x[index]

    @staticmethod
    def backward(ctx, g):
        return ScatterAdd.apply(g, ctx.index, ctx.shape)

    @staticmethod
    def jvp(ctx, t):
        return t[ctx.index]


class ScatterAdd(Function):
    """zeros(shape) with g added at `index` (repeated indices add up)."""

    op = "scatter"

    @staticmethod
    def forward(ctx, g, index, shape):
        ctx.index, ctx.out_shape = index, shape
        out = np.zeros(shape, dtype=g.dtype)
        np.add.at(out, index, g)
        return out

    @staticmethod
    def backward(ctx, g):
        return GetItem.apply(g, ctx.index)

    @staticmethod
    def jvp(ctx, t):
        return ScatterAdd.forward(ctx, t, ctx.index, ctx.out_shape)


class Softmax(Function):
    op = "softmax"

    @staticmethod
    def forward(ctx, x, axis):
        e = np.exp(x - x.max(axis=axis, keepdims=True, initial=-np.inf))  # (initial: an empty axis has no max)
        out = e / e.sum(axis=axis, keepdims=True)
        ctx.axis = axis
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, g):
        (out,) = ctx.saved_tensors
        return out * (g - (g * out).sum(axis=ctx.axis, keepdims=True))

    @staticmethod
    def jvp(ctx, t):
        return Softmax.backward(ctx, t)  # the softmax Jacobian diag(s) - s s^T is symmetric


class LogSoftmax(Function):
    op = "log_softmax"

    @staticmethod
    def forward(ctx, x, axis):
        shifted = x - x.max(axis=axis, keepdims=True, initial=-np.inf)
        out = shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))
        ctx.axis = axis
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, g):
        (out,) = ctx.saved_tensors
        return g - Exp.apply(out) * g.sum(axis=ctx.axis, keepdims=True)

    @staticmethod
    def jvp(ctx, t):
        (out,) = ctx.saved_tensors
        return t - (np.exp(out) * t).sum(axis=ctx.axis, keepdims=True)


# PyTorch's names beyond the lecture's ---------------------------------------------------
class Sin(Function):
    op = "sin"

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return math.sin(x) if _scalar(x) else np.sin(x)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * Cos.apply(x)

    @staticmethod
    def jvp(ctx, t):
        (x,) = ctx.saved_tensors
        return t * np.cos(x)


class Cos(Function):
    op = "cos"

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return math.cos(x) if _scalar(x) else np.cos(x)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return -g * Sin.apply(x)

    @staticmethod
    def jvp(ctx, t):
        (x,) = ctx.saved_tensors
        return -t * np.sin(x)


class Abs(Function):
    """|x|. Its slope is sign(x): 0 at x = 0, and at NaN, as in PyTorch."""

    op = "abs"

    @staticmethod
    def forward(ctx, x):
        ctx.sign = np.where(x != x, 0, np.sign(x)) if not _scalar(x) else float((x > 0) - (x < 0))
        return abs(x) if _scalar(x) else np.abs(x)

    @staticmethod
    def backward(ctx, g):
        return g * ctx.sign

    @staticmethod
    def jvp(ctx, t):
        return t * ctx.sign


class Clamp(Function):
    """x limited to [low, high] (either may be None). The gradient passes where x lies inside, ends included
    (not at NaN, whose value passes through, as in PyTorch)."""

    op = "clamp"

    @staticmethod
    def forward(ctx, x, low, high):
        ctx.mask = (True if low is None else x >= low) & (True if high is None else x <= high)
        out = x if low is None else np.maximum(x, low)
        return out if high is None else np.minimum(out, high)

    @staticmethod
    def backward(ctx, g):
        return _select(g, ctx.mask)

    @staticmethod
    def jvp(ctx, t):
        return np.where(ctx.mask, t, 0.0)


class Clone(Function):
    """A copy with its own memory; the gradient passes unchanged."""

    op = "clone"

    @staticmethod
    def forward(ctx, x):
        return np.array(x, copy=True)

    @staticmethod
    def backward(ctx, g):
        return g

    @staticmethod
    def jvp(ctx, t):
        return t


class Stack(Function):
    """Its inputs stacked along a new axis; each gets back its slice of the gradient."""

    op = "stack"

    @staticmethod
    def forward(ctx, axis, *xs):
        ctx.axis = axis
        return np.stack(xs, axis=axis)

    @staticmethod
    def backward(ctx, g):
        index = (slice(None),) * (ctx.axis % g.ndim)
        return tuple(g[index + (i,)] for i in range(g.shape[ctx.axis]))

    @staticmethod
    def jvp(ctx, *ts):
        return np.stack(ts, axis=ctx.axis)


class Cat(Function):
    """Its inputs joined along an existing axis; each gets back its slice of the gradient."""

    op = "cat"

    @staticmethod
    def forward(ctx, axis, *xs):
        ctx.axis, ctx.ends = axis, np.cumsum([x.shape[axis] for x in xs])
        return np.concatenate(xs, axis=axis)

    @staticmethod
    def backward(ctx, g):
        index = (slice(None),) * (ctx.axis % g.ndim)
        starts = [0, *ctx.ends[:-1]]
        return tuple(g[index + (slice(int(a), int(b)),)] for a, b in zip(starts, ctx.ends, strict=True))

    @staticmethod
    def jvp(ctx, *ts):
        return np.concatenate(ts, axis=ctx.axis)
