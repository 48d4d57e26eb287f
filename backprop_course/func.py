"""Function transforms in the style of torch.func, built from one reverse pass.

Everything here is a small composition of `vjp` (HIPS autograd's idea):

- `grad` is a vjp with cotangent 1;
- `jacrev` stacks one vjp per output element;
- `jvp` uses the double-vjp trick: g(u) = J^T u is linear in u, so the vjp of
  g with cotangent v is J v (forward mode without a forward-mode engine);
- `jacfwd` stacks one jvp per input element; `hessian` is jacfwd(jacrev(f));
- `hvp` differentiates <grad f, v> once more (reverse-over-reverse).

Inputs and outputs are Tensors (numbers and float arrays are converted).
Transforms nest: an input that already requires grad (for example inside
another transform) gives results that stay connected to it. They record their
own graphs even inside no_grad(), as torch.func does.

Jacobians are built only under a memory budget (default 1 GiB, see
`set_jacobian_budget`). Over it, `MemoryError` is raised after the forward pass
and before anything Jacobian-sized is allocated.
"""

import contextlib
import functools
import inspect
import math
import numbers

import numpy as np

from . import autodiff
from .autodiff import Function, enable_grad
from .tensor import Tensor, from_numpy

__all__ = [
    "format_bytes", "grad", "hessian", "hvp", "jacfwd", "jacobian_nbytes", "jacrev", "jvp",
    "set_jacobian_budget", "vjp",
]

_jacobian_budget = 2**30


def set_jacobian_budget(nbytes):
    """Set the largest Jacobian (in bytes) jacrev/jacfwd/hessian may build; None means no limit.

    Returns the previous budget, so a caller can restore it.
    """
    global _jacobian_budget
    if nbytes is not None and (isinstance(nbytes, bool) or not isinstance(nbytes, numbers.Real) or nbytes < 0):
        raise ValueError(f"the Jacobian budget must be a non-negative number of bytes or None, got {nbytes!r}")
    previous, _jacobian_budget = _jacobian_budget, nbytes
    return previous


def jacobian_nbytes(out_shape, in_shape, dtype=np.float64):
    """Bytes of a Jacobian d(out)/d(in): one number per (output element, input element) pair."""
    return math.prod(out_shape) * math.prod(in_shape) * np.dtype(dtype).itemsize


def format_bytes(nbytes):
    """A byte count in binary units: 268435456 -> '256 MiB', 2**44 -> '16 TiB'."""
    value, units = float(nbytes), ["bytes", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"]
    while value >= 1024 and len(units) > 1:
        value /= 1024
        units.pop(0)
    unit = units[0]
    return f"{value:.0f} {unit}" if value >= 100 or value == int(value) else f"{value:.3g} {unit}"


# --- plumbing ------------------------------------------------------------------


class _Input(Function):
    """A fresh node for one transform's input: the same values, a new identity in the graph."""

    op = "input"

    @staticmethod
    def forward(ctx, x):
        return x.view()  # a new array object, so saved-tensor lookups by id stay unambiguous

    @staticmethod
    def backward(ctx, g):
        return g


class _Stack(Function):
    op = "stack"

    @staticmethod
    def forward(ctx, *xs):
        ctx.n = len(xs)
        return np.stack(xs)

    @staticmethod
    def backward(ctx, g):
        return tuple(g[i] for i in range(ctx.n))


def _stack(tensors, shape, dtype):
    if not tensors:
        return Tensor(np.zeros(shape, dtype))
    with enable_grad():
        return _Stack.apply(*tensors).reshape(shape)


def _describe(x):
    if isinstance(x, np.ndarray | np.generic):
        return f"an array of dtype {x.dtype}"
    return f"{type(x).__name__} {x!r}"[:80]


def _as_tensor(x, what):
    """A float Tensor from a Tensor, a Python number (or list of them), or a float array."""
    if isinstance(x, Tensor):
        return x
    if isinstance(x, bool | np.bool_) or isinstance(x, str | bytes):
        raise TypeError(f"{what} must be a float Tensor, array or number, got {_describe(x)}")
    try:
        arr = np.asarray(x)
    except (TypeError, ValueError):
        arr = np.asarray(None)
    python_numbers = not isinstance(x, np.ndarray | np.generic)
    if arr.dtype.kind == "f" or (python_numbers and arr.dtype.kind in "iu"):
        return from_numpy(arr)  # no copy: a guard must not allocate a second (4096, 4096)
    raise TypeError(
        f"{what} must hold floating-point numbers (derivatives need them), got {_describe(x)}; "
        "convert it first, e.g. x.astype(float)"
    )


def _argnums(argnums, nargs, name):
    single = isinstance(argnums, int) and not isinstance(argnums, bool)
    nums = (argnums,) if single else argnums
    if not isinstance(nums, tuple) or not nums or not all(isinstance(i, int) and not isinstance(i, bool) for i in nums):
        raise TypeError(f"{name}: argnums must be an int or a non-empty tuple of ints, got {argnums!r}")
    for i in nums:
        if not -nargs <= i < nargs:
            raise ValueError(f"{name}: argnums={argnums!r} but the function was called with {nargs} argument(s)")
    nums = tuple(i % nargs for i in nums)
    if len(set(nums)) != len(nums):
        raise ValueError(f"{name}: argnums={argnums!r} repeats an argument")
    return nums, single


def _arg_names(f, nargs):
    names = [f"arg{i}" for i in range(nargs)]
    with contextlib.suppress(TypeError, ValueError):
        params = list(inspect.signature(f).parameters.values())
        for i, p in enumerate(params[:nargs]):
            if p.kind is p.VAR_POSITIONAL:
                break
            names[i] = p.name
    return names


def _pullback(roots, seeds, inputs, create_graph):
    """The gradient arriving at each input (or None), stopping there; no `.grad` is written."""
    grads = autodiff.gradients(roots, seeds, create_graph, retain_graph=True, stop=inputs)
    return [grads.get(x) for x in inputs]


def _check_shape(t, shape, what, against):
    if t.shape != shape:
        raise ValueError(f"{what} has shape {t.shape}, but {against} has shape {shape}; they must match")


class _Linearization:
    """f's output at the primals, and its vjp (`pull`), with the bookkeeping they share."""

    def __init__(self, f, args, argnums, name):
        self.nums, self.single = _argnums(argnums, len(args), name)
        self.names = _arg_names(f, len(args))
        primals = [_as_tensor(args[i], f"{name}: argument {i} ({self.names[i]})") for i in self.nums]
        self.nested = any(p.requires_grad for p in primals)
        call = list(args)
        with enable_grad():
            self.inputs = [_Input.apply(p) if p.requires_grad else from_numpy(p.data, True) for p in primals]
            for i, x in zip(self.nums, self.inputs, strict=True):
                x.label = self.names[i]
                call[i] = x
            out = f(*call)
        if not isinstance(out, Tensor):
            raise TypeError(f"{name}: f must return a Tensor, but it returned {_describe(out)}")
        self.out = out

    @property
    def result(self):
        """The output to hand back: detached unless an outer transform differentiates through it."""
        return self.out if self.nested else self.out.detach()

    def pull(self, cotangent):
        """J^T cotangent for each input: a tuple of Tensors shaped like the inputs."""
        create = self.nested or cotangent.requires_grad
        seed = cotangent if create else cotangent.data.astype(self.out.dtype, copy=False)
        with enable_grad() if create else contextlib.nullcontext():
            grads = _pullback([self.out], [seed], self.inputs, create)
        return tuple(
            Tensor(np.zeros(x.shape, x.dtype)) if g is None else g if isinstance(g, Tensor) else Tensor(g)
            for g, x in zip(grads, self.inputs, strict=True)
        )

    def push(self):
        """The jvp, built by the double-vjp trick: returns t -> J t for a tuple of tangents."""
        with enable_grad():
            u = Tensor(np.zeros(self.out.shape, self.out.dtype), requires_grad=True)
            transposed = self.pull(u)  # J^T u, recorded, and linear in u

        def jvp_fn(tangents):
            create = self.nested or any(t.requires_grad for t in tangents)
            seeds = [t if create else t.data for t in tangents]
            with enable_grad() if create else contextlib.nullcontext():
                (jt,) = _pullback(transposed, seeds, [u], create)
            if jt is None:
                return Tensor(np.zeros(self.out.shape, self.out.dtype))
            return jt if isinstance(jt, Tensor) else Tensor(jt)

        return jvp_fn

    def check_budget(self, name):
        parts = [
            (f"dy/d{self.names[i]}", self.out.shape + x.shape,
             jacobian_nbytes(self.out.shape, x.shape, np.result_type(self.out.dtype, x.dtype)))
            for i, x in zip(self.nums, self.inputs, strict=True)
        ]
        total = sum(n for _, _, n in parts)
        if _jacobian_budget is not None and total > _jacobian_budget:
            detail = " and ".join(f"{label} (shape {shape}) would need {format_bytes(n)}" for label, shape, n in parts)
            raise MemoryError(
                f"{name}: {detail}, over the Jacobian budget of {format_bytes(_jacobian_budget)}. "
                "Use vjp or jvp, which never build the Jacobian, or raise the budget with "
                "backprop_course.func.set_jacobian_budget(nbytes)."
            )

    def select(self, results):
        return results[0] if self.single else tuple(results)


def _tuple(x):
    return tuple(x) if isinstance(x, tuple | list) else (x,)


def _tangents(lin, tangents, name):
    if len(tangents) != len(lin.inputs):
        raise ValueError(f"{name}: got {len(lin.inputs)} primal(s) but {len(tangents)} tangent(s)")
    out = []
    for i, (t, x) in enumerate(zip(tangents, lin.inputs, strict=True)):
        t = _as_tensor(t, f"{name}: tangent {i}")
        _check_shape(t, x.shape, f"{name}: tangent {i}", f"primal {i}")
        out.append(t)
    return out


# --- the transforms ---------------------------------------------------------------


def vjp(f, *primals):
    """Return (f(*primals), vjp_fn); vjp_fn(v) gives v^T J for every primal, as a tuple."""
    lin = _Linearization(f, primals, tuple(range(len(primals))), "vjp")

    def vjp_fn(cotangent):
        v = _as_tensor(cotangent, "vjp_fn: the cotangent")
        _check_shape(v, lin.out.shape, "vjp_fn: the cotangent", "f's output")
        return lin.pull(v)

    return lin.result, vjp_fn


def grad(f, argnums=0):
    """Return a function computing df/d(argument) for a scalar-valued f.

    With a tuple `argnums` it returns a tuple of gradients, one per argument.
    """

    @functools.wraps(f)
    def grad_f(*args):
        lin = _Linearization(f, args, argnums, "grad")
        if lin.out.numel() != 1:
            raise ValueError(
                f"grad: f must return a scalar (one number), but it returned shape {lin.out.shape}; "
                "reduce it (for example .sum()) or use vjp/jacrev for non-scalar outputs"
            )
        return lin.select(lin.pull(Tensor(np.ones(lin.out.shape, lin.out.dtype))))

    return grad_f


def jvp(f, primals, tangents):
    """Return (f(*primals), J @ tangents): the Jacobian-vector product, without building J.

    Computed with the double-vjp trick (reverse mode applied twice), not a
    forward-mode engine: u -> J^T u is linear, and its vjp with v is J v.
    """
    lin = _Linearization(f, _tuple(primals), tuple(range(len(_tuple(primals)))), "jvp")
    ts = _tangents(lin, _tuple(tangents), "jvp")
    return lin.result, lin.push()(ts)


def jacrev(f, argnums=0):
    """Return a function computing the Jacobian of f, one vjp per output element.

    Layout as in torch.func: shape f(x).shape + x.shape.
    """

    @functools.wraps(f)
    def jac_f(*args):
        lin = _Linearization(f, args, argnums, "jacrev")
        lin.check_budget("jacrev")
        out = lin.out
        rows = []
        for k in range(out.numel()):
            e = np.zeros(out.numel(), out.dtype)
            e[k] = 1
            rows.append(lin.pull(Tensor(e.reshape(out.shape))))
        return lin.select([
            _stack([row[i] for row in rows], out.shape + x.shape, x.dtype) for i, x in enumerate(lin.inputs)
        ])

    return jac_f


def jacfwd(f, argnums=0):
    """Return a function computing the Jacobian of f, one jvp per input element.

    Same layout as jacrev: f(x).shape + x.shape.
    """

    @functools.wraps(f)
    def jac_f(*args):
        lin = _Linearization(f, args, argnums, "jacfwd")
        lin.check_budget("jacfwd")
        push, out = lin.push(), lin.out
        jacobians = []
        for i, x in enumerate(lin.inputs):
            cols = []
            for k in range(x.numel()):
                tangents = [Tensor(np.zeros(y.shape, y.dtype)) for y in lin.inputs]
                e = np.zeros(x.numel(), x.dtype)
                e[k] = 1
                tangents[i] = Tensor(e.reshape(x.shape))
                cols.append(push(tangents))
            jac = _stack(cols, x.shape + out.shape, out.dtype)
            with enable_grad():
                jacobians.append(jac.transpose(tuple(range(x.ndim, x.ndim + out.ndim)) + tuple(range(x.ndim))))
        return lin.select(jacobians)

    return jac_f


def hessian(f, argnums=0):
    """Return a function computing the Hessian of f: jacfwd(jacrev(f)), shape out + x.shape + x.shape."""
    if not isinstance(argnums, int) or isinstance(argnums, bool):
        raise TypeError(f"hessian: argnums must be one int, got {argnums!r}")
    return jacfwd(jacrev(f, argnums), argnums)


def hvp(f, primals, tangents):
    """Return (f(*primals), H @ tangents) for a scalar f, without forming H.

    Reverse over reverse: the gradient of <grad f, v> is H v. The second part is
    a tuple with one entry per primal.
    """
    primals = _tuple(primals)
    nums = tuple(range(len(primals)))
    lin = _Linearization(f, primals, nums, "hvp")  # validates the inputs, runs f once
    ts = _tangents(lin, _tuple(tangents), "hvp")
    if lin.out.numel() != 1:
        raise ValueError(f"hvp: f must return a scalar (one number), but it returned shape {lin.out.shape}")

    def grad_dot_v(*xs):
        return sum((g * t).sum() for g, t in zip(grad(f, nums)(*xs), ts, strict=True))

    return lin.result, grad(grad_dot_v, nums)(*primals)
