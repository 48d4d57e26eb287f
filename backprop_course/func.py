"""Function transforms in the style of torch.func: small compositions of two passes.

- Reverse mode, `vjp`: one backward pass gives v^T J. `grad` is a vjp with
  cotangent 1, and `jacrev` stacks one vjp per output element.
- Forward mode, `jvp`: one forward pass in which every input carries a tangent
  and every primitive's tangent rule (`Function.jvp`) gives J t. No graph is
  recorded. `jacfwd` stacks one jvp per input element.
- `hessian` is jacfwd(jacrev(f)), forward over reverse; `hvp` is the jvp of
  the gradient.

Forward mode runs on `_Dual`, a Tensor that carries a tangent. When the inputs
already belong to another transform's graph (jvp inside jacrev, say), `jvp`
and `jacfwd` use the double-vjp trick instead: u -> J^T u is linear, so its
vjp with t is J t. Both give the same numbers; only the cost differs.

Arguments and outputs are Tensors (numbers and float arrays are converted), or
tuples, lists and dicts of them (pytrees). Transforms nest: an input that
already requires grad, or a tensor that requires grad which f closes over (a
parameter), gives results that stay connected to it. They record
their own graphs even inside no_grad(), as torch.func does.

Jacobians are built only under a memory budget (default 1 GiB, see
`set_jacobian_budget`). Over it, `MemoryError` is raised after one forward pass
and before anything Jacobian-sized is allocated.
"""

import contextlib
import functools
import inspect
import math
import weakref

import numpy as np

from . import autodiff, ops
from .autodiff import Context, Function, enable_grad
from .checks import number, positive_int
from .creation import from_numpy
from .tensor import Tensor
from .value import Value

__all__ = [
    "format_bytes", "grad", "grad_and_value", "hessian", "hvp", "jacfwd", "jacobian_nbytes", "jacrev", "jvp",
    "set_jacobian_budget", "vjp", "vmap",
]

_jacobian_budget = 2**30


def set_jacobian_budget(nbytes):
    """Set the largest Jacobian (in bytes) jacrev/jacfwd/hessian may build; None means no limit.

    Returns the previous budget, so a caller can restore it.
    """
    global _jacobian_budget
    if nbytes is not None:  # kept as given (an int stays an int), once it is known to be a number of bytes
        number(nbytes, "the Jacobian budget", "a finite non-negative number of bytes, or None for no limit",
               lambda v: 0 <= v < math.inf)
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


# --- pytrees: nested tuples, lists and dicts with Tensors at the leaves ------------------


def _flatten(tree):
    """The leaves of `tree` in order, and a spec to rebuild it: None for a leaf, else (type, keys, child specs)."""
    if type(tree) in (tuple, list):
        keys = range(len(tree))
    elif type(tree) is dict:
        keys = list(tree)
    else:
        return [tree], None
    leaves, specs = [], []
    for k in keys:
        sub, spec = _flatten(tree[k])
        leaves += sub
        specs.append(spec)
    return leaves, (type(tree), list(keys), specs)


def _unflatten(spec, leaves):
    """Rebuild a tree from its spec, taking leaves from the iterator `leaves`."""
    if spec is None:
        return next(leaves)
    kind, keys, specs = spec
    items = [_unflatten(s, leaves) for s in specs]
    return dict(zip(keys, items, strict=True)) if kind is dict else kind(items)


def _paths(spec, prefix=""):
    """A name suffix per leaf: '' for a bare leaf, '[0]', "['w']" inside containers."""
    if spec is None:
        return [prefix]
    _, keys, specs = spec
    return [p for k, s in zip(keys, specs, strict=True) for p in _paths(s, f"{prefix}[{k!r}]")]


def _detached(tree):
    leaves, spec = _flatten(tree)
    return _unflatten(spec, iter([x.detach() if isinstance(x, Tensor) else x for x in leaves]))


# --- plumbing ------------------------------------------------------------------------------


class _Input(Function):
    """A fresh node for one transform's input: the same values, a new identity in the graph."""

    op = "input"

    @staticmethod
    def forward(ctx, x):
        return x.view()  # a new array object, so saved-tensor lookups by id stay unambiguous

    @staticmethod
    def backward(ctx, g):
        return g

    @staticmethod
    def jvp(ctx, t):
        return t


def _stack(tensors, shape, dtype):
    if not tensors:
        return Tensor(np.zeros(shape, dtype))
    with enable_grad():
        return ops.Stack.apply(0, *tensors).reshape(shape)


def _describe(x):
    if isinstance(x, np.ndarray | np.generic):
        return f"an array of dtype {x.dtype}"
    return f"{type(x).__name__} {x!r}"[:80]


def _as_tensor(x, what):
    """A float Tensor from a Tensor, a Python number (or list of them), or a float array."""
    if isinstance(x, Tensor):
        return x
    if isinstance(x, Value):
        raise TypeError(
            f"{what} is a Value, but the func transforms work on Tensors: for a Value's gradient call "
            f".backward() and read .grad, or pass Tensor({x.data!r})")
    if isinstance(x, bool | np.bool_) or isinstance(x, str | bytes):
        raise TypeError(f"{what} must be a float Tensor, array or number, got {_describe(x)}")
    try:
        arr = np.asarray(x)
    except (TypeError, ValueError):
        arr = np.asarray(None)
    python_numbers = not isinstance(x, np.ndarray | np.generic)
    if arr.dtype.kind == "f" or (python_numbers and arr.dtype.kind in "iu"):
        return from_numpy(arr)  # no copy: the memory guard must not allocate a second (4096, 4096)
    raise TypeError(
        f"{what} must hold floating-point numbers (derivatives need them), got {_describe(x)}; "
        "convert it first, e.g. x.astype(float)"
    )


def _as_result(g, like):
    """A gradient or tangent as a Tensor: zeros shaped like `like` where nothing arrived."""
    if g is None:
        return Tensor(np.zeros(like.shape, like.dtype))
    return g if isinstance(g, Tensor) else Tensor(g)


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


_names_of = weakref.WeakKeyDictionary()  # inspect.signature is slow, and jacfwd calls f once per input element


def _arg_names(f, nargs):
    try:
        known = _names_of[f]
    except (KeyError, TypeError):
        known = []
        with contextlib.suppress(TypeError, ValueError):
            for p in inspect.signature(f).parameters.values():
                if p.kind is p.VAR_POSITIONAL:
                    break
                known.append(p.name)
        with contextlib.suppress(TypeError):  # not every callable can be weakly referenced
            _names_of[f] = known
    return [known[i] if i < len(known) else f"arg{i}" for i in range(nargs)]


def _check_shape(t, shape, what, against):
    if t.shape != shape:
        raise ValueError(f"{what} has shape {t.shape}, but {against} has shape {shape}; they must match")


class _Call:
    """f with the arguments picked by argnums (pytrees of Tensors) as swappable leaves."""

    def __init__(self, f, args, argnums, name, has_aux=False):
        self.f, self.args, self.name, self.has_aux = f, tuple(args), name, has_aux
        self.nums, self.single = _argnums(argnums, len(args), name)
        names = _arg_names(f, len(args))
        self.specs, self.primals, self.labels = [], [], []
        for i in self.nums:
            leaves, spec = _flatten(args[i])
            self.specs.append(spec)
            for leaf, path in zip(leaves, _paths(spec), strict=True):
                self.labels.append(names[i] + path)
                self.primals.append(_as_tensor(leaf, f"{name}: argument {i} ({names[i] + path})"))
        # Inputs that already carry a graph (or a tangent) belong to an enclosing transform.
        self.nested = any(p.requires_grad for p in self.primals)

    def __call__(self, leaves):
        """f with the leaves put in place: (output leaves, output spec, aux)."""
        call, leaves = list(self.args), iter(leaves)
        for i, spec in zip(self.nums, self.specs, strict=True):
            call[i] = _unflatten(spec, leaves)
        with enable_grad():
            out = self.f(*call)
        aux = None
        if self.has_aux:
            if type(out) not in (tuple, list) or len(out) != 2:
                raise TypeError(f"{self.name}: with has_aux=True, f must return a pair (output, aux), "
                                f"got {_describe(out)}")
            out, aux = out
        outs, spec = _flatten(out)
        for y in outs:
            if not isinstance(y, Tensor):
                raise TypeError(f"{self.name}: f must return a Tensor (or a tuple, list or dict of them), "
                                f"but it returned {_describe(y)}")
        return outs, spec, aux

    def regroup(self, per_leaf):
        """One result per input leaf, regrouped as the arguments: one tree, or a tuple of trees."""
        per_leaf = iter(per_leaf)
        trees = [_unflatten(spec, per_leaf) for spec in self.specs]
        return trees[0] if self.single else tuple(trees)

    def unnest(self, tree):
        """Results to hand back: detached unless an outer transform differentiates through them."""
        return tree if self.nested else _detached(tree)


_enclosing = []  # (name, input labels, input shapes) of the Jacobian transforms whose f runs now, outermost first


@contextlib.contextmanager
def _inside_jacobian(name, labels, inputs):
    """While an outer Jacobian transform runs f: an inner one checks the outer Jacobian's size as soon as it
    knows its own, before its remaining passes (jacfwd(jacfwd(f)) would otherwise run the inner one in full)."""
    _enclosing.append((name, labels, [x.shape for x in inputs]))
    try:
        yield
    finally:
        _enclosing.pop()


def _check_budget(name, outs, out_labels, ins, in_labels, enclosing=()):
    parts = [
        (f"d{yl}/d{xl}", y.shape + x.shape, jacobian_nbytes(y.shape, x.shape, np.result_type(y.dtype, x.dtype)))
        for y, yl in zip(outs, out_labels, strict=True) for x, xl in zip(ins, in_labels, strict=True)
    ]
    if _jacobian_budget is None:
        return
    _within_budget(name, parts)
    for outer, labels, shapes in reversed(enclosing):  # the Jacobians of this one's result, innermost first
        parts = [(f"d({label})/d{xl}", shape + xs, n * math.prod(xs))
                 for label, shape, n in parts for xl, xs in zip(labels, shapes, strict=True)]
        _within_budget(outer, parts)


def _within_budget(name, parts):
    if sum(n for _, _, n in parts) > _jacobian_budget:
        detail = " and ".join(f"{label} (shape {shape}) would need {format_bytes(n)}" for label, shape, n in parts)
        raise MemoryError(
            f"{name}: {detail}, over the Jacobian budget of {format_bytes(_jacobian_budget)}. "
            "Use vjp or jvp, which never build the Jacobian, or raise the budget with "
            "backprop_course.func.set_jacobian_budget(nbytes)."
        )


# --- reverse mode ------------------------------------------------------------------------


def _reverse_input(p):
    if not p.requires_grad:
        return from_numpy(p.data, requires_grad=True)
    x = _Input.apply(p)  # stays connected to the enclosing transform's graph
    if isinstance(x, _Dual):
        x._records = True  # reverse mode inside forward mode: the graph from here on is recorded
    return x


def _zeros_leaf(like, inside_forward):
    """A zero leaf that records a graph, shaped like `like`; a Dual (zero tangent) inside forward mode."""
    zeros = Tensor(np.zeros(like.shape, like.dtype))
    if not inside_forward:
        return Tensor(zeros.data, requires_grad=True)
    leaf = _Dual.seed(zeros, zeros)
    leaf._records = True
    return leaf


def _reaches_outside(outs, inputs):
    """Does the graph of `outs` reach a leaf that requires grad other than `inputs` (a parameter f closes over)?"""
    mine = {id(x) for x in inputs}
    return any(node.is_leaf and node.requires_grad and id(node) not in mine
               for node in autodiff.topological_order(*[y for y in outs if y.requires_grad]))


class _Linearization:
    """f run once on fresh input nodes: its outputs and their vjp (`pull`)."""

    def __init__(self, call):
        self.call = call
        with enable_grad():
            self.inputs = [_reverse_input(p) for p in call.primals]
        for x, label in zip(self.inputs, call.labels, strict=True):
            x.label = label
        self.outs, self.spec, self.aux = call(self.inputs)
        if not call.nested and _reaches_outside(self.outs, self.inputs):
            call.nested = True  # f closes over a tensor that requires grad: results stay connected to it

    def result(self):
        return self.call.unnest(_unflatten(self.spec, iter(self.outs)))

    def pull(self, cotangents):
        """v^T J for each input leaf, given one cotangent Tensor per output leaf."""
        create = self.call.nested or any(v.requires_grad for v in cotangents)
        seeds = [v if create else v.data.astype(y.dtype, copy=False)
                 for v, y in zip(cotangents, self.outs, strict=True)]
        with enable_grad() if create else contextlib.nullcontext():
            grads = autodiff.gradients(self.outs, seeds, create, retain_graph=True, stop=self.inputs)
        return [_as_result(grads.get(x), x) for x in self.inputs]

    def push(self):
        """The jvp by the double-vjp trick: a function from input tangents to output tangents."""
        with enable_grad():
            inside_forward = any(isinstance(x, _Dual) for x in self.inputs)
            us = [_zeros_leaf(y, inside_forward) for y in self.outs]
            transposed = self.pull(us)  # J^T u, recorded, and linear in u

        def push_fn(tangents):
            create = self.call.nested or any(t.requires_grad for t in tangents)
            seeds = [t if create else t.data for t in tangents]
            with enable_grad() if create else contextlib.nullcontext():
                grads = autodiff.gradients(transposed, seeds, create, retain_graph=True, stop=us)
            return [_as_result(grads.get(u), u) for u in us]

        return push_fn


# --- forward mode ------------------------------------------------------------------------


class _OuterGraph(Exception):
    """Forward mode met a Tensor whose graph began outside it (f closes over a node of an outer transform)."""


class _Dual(Tensor):
    """A Tensor carrying a tangent: forward mode's node (Autodidax's JVPTracer, in this engine).

    Ops run through Function.apply as for any Tensor, so a Dual requires grad;
    `wrap_output` then asks the op's tangent rule for the result's tangent.
    No graph is recorded, unless reverse mode runs inside forward mode (hessian
    is jacfwd(jacrev)): then the Duals are also that graph's nodes, and its
    backward pass, made of ops on Duals, carries tangents too.
    """

    __slots__ = ("tangent", "_records")

    @classmethod
    def seed(cls, primal, tangent):
        dual = super().wrap_output(primal.data, ())
        dual.requires_grad, dual._records = True, False
        dual.tangent = np.asarray(tangent.data, primal.dtype)
        return dual

    @classmethod
    def wrap_output(cls, data, parents, fn=None, saved=(), extras=None):
        if not parents:  # computed while recording was off: a constant, as in reverse mode
            return Tensor.wrap_output(data, parents, fn, saved, extras)
        records, tangents = False, []
        for p in parents:
            if isinstance(p, _Dual):
                records = records or p._records
                tangents.append(p.tangent)
            elif p.requires_grad:
                raise _OuterGraph  # a tangent computed here could not be differentiated along that graph
            else:
                tangents.append(_zero(p.data.shape, p.data.dtype))
        out = super().wrap_output(data, parents, fn, saved, extras) if records else super().wrap_output(data, ())
        out.requires_grad, out._records = True, records
        out.tangent = _output_tangent(fn, out, parents, saved, extras, tangents)
        return out


@functools.lru_cache(maxsize=1024)
def _zero(shape, dtype):
    """A constant's tangent: zeros that take no memory (a read-only broadcast view, so it can be shared)."""
    return np.broadcast_to(np.zeros((), dtype), shape)


def _output_tangent(fn, out, parents, saved, extras, tangents):
    if fn.jvp is Function.jvp:
        t = _tangent_by_two_vjps(fn, out, parents, saved, extras, tangents)
    else:
        t = autodiff.call_jvp(fn, Context.rebuilt(parents, saved, extras), tangents)
    t = np.asarray(t, dtype=out.dtype)
    if t.shape != out.shape:
        raise ValueError(f"{fn.__name__}.jvp returned a tangent of shape {t.shape}, but the output has shape "
                         f"{out.shape}; a tangent must have its output's shape")
    return t


def _tangent_by_two_vjps(fn, out, parents, saved, extras, tangents):
    """J t for a Function without a tangent rule: the vjp of u -> backward(u) = J^T u, at t."""
    probe = Tensor.wrap_output(out.data, parents, fn, saved, extras)
    u = Tensor(np.ones(out.shape, out.dtype), requires_grad=True)  # any value: backward is linear in u
    with enable_grad():
        grads = autodiff.node_vjp(probe, u)
    roots, seeds = [], []
    for g, t in zip(grads, tangents, strict=True):
        if isinstance(g, Tensor) and g.requires_grad:
            roots.append(g)
            seeds.append(t)
        elif g is not None and np.any(np.asarray(g) != 0):
            raise TypeError(
                f"{fn.__name__} has no jvp, and its backward does not use the incoming gradient through "
                "Tensor operations, so forward mode cannot derive a tangent from it; give it a "
                "@staticmethod jvp(ctx, *tangents) returning the output's tangent")
    return autodiff.gradients(roots, seeds, stop=[u]).get(u, np.zeros(out.shape, out.dtype))


def _forward(call, tangents):
    """One forward pass with the primals carrying `tangents` (None: no tangent).

    Returns (output leaves, spec, aux, output tangents), or None when f reaches
    a graph from outside forward mode (then the caller uses two vjps).
    """
    inputs = [p if t is None else _Dual.seed(p, t) for p, t in zip(call.primals, tangents, strict=True)]
    try:
        outs, spec, aux = call(inputs)
        if any(y.requires_grad and not isinstance(y, _Dual) for y in outs):
            raise _OuterGraph
    except _OuterGraph:
        call.nested = True  # the results must stay connected to that graph
        return None
    out_tangents = [Tensor(y.tangent) if isinstance(y, _Dual) else _as_result(None, y) for y in outs]
    return [y.detach() for y in outs], spec, aux, out_tangents


def _tangent_leaves(call, tangents, name):
    leaves, spec = _flatten(tuple(tangents))
    if len(leaves) != len(call.primals):
        raise ValueError(f"{name}: got {len(call.primals)} primal(s) but {len(leaves)} tangent(s)")
    out = []
    for i, (t, p) in enumerate(zip(leaves, call.primals, strict=True)):
        t = _as_tensor(t, f"{name}: tangent {i}")
        _check_shape(t, p.shape, f"{name}: tangent {i}", f"primal {i}")
        out.append(t)
    return out


# --- the transforms ---------------------------------------------------------------------


def vjp(f, *primals, has_aux=False):
    """Return (f(*primals), vjp_fn); vjp_fn(v) gives v^T J for every primal, as a tuple.

    The cotangent v has the structure of f's output. With has_aux=True, f returns
    (output, aux) and vjp returns (output, vjp_fn, aux).
    """
    call = _Call(f, primals, tuple(range(len(primals))), "vjp", has_aux)
    lin = _Linearization(call)

    def vjp_fn(cotangents):
        vs, spec = _flatten(cotangents)
        if len(vs) != len(lin.outs):
            raise ValueError(f"vjp_fn: f returned {len(lin.outs)} Tensor(s) but got {len(vs)} cotangent(s)")
        vs = [_as_tensor(v, "vjp_fn: the cotangent") for v in vs]
        for v, y in zip(vs, lin.outs, strict=True):
            _check_shape(v, y.shape, "vjp_fn: the cotangent", "f's output")
        return call.regroup(lin.pull(vs))

    out = lin.result(), vjp_fn
    return out + (call.unnest(lin.aux),) if has_aux else out


def _grad_and_value(f, args, argnums, has_aux, name):
    call = _Call(f, args, argnums, name, has_aux)
    lin = _Linearization(call)
    if len(lin.outs) != 1 or lin.outs[0].data.size != 1:
        what = f"shape {lin.outs[0].shape}" if len(lin.outs) == 1 else f"{len(lin.outs)} Tensors"
        raise ValueError(
            f"{name}: f must return a scalar (one number), but it returned {what}; "
            "reduce it (for example .sum()) or use vjp/jacrev for non-scalar outputs"
        )
    (y,) = lin.outs
    grads = call.regroup(lin.pull([Tensor(np.ones(y.shape, y.dtype))]))
    value = lin.result()
    return grads, ((value, call.unnest(lin.aux)) if has_aux else value)


def grad_and_value(f, argnums=0, has_aux=False):
    """Return a function computing (gradient, f's value) for a scalar-valued f.

    With has_aux=True, f returns (value, aux) and the function (gradient, (value, aux)).
    """
    @functools.wraps(f)
    def grad_and_value_f(*args):
        return _grad_and_value(f, args, argnums, has_aux, "grad_and_value")

    return grad_and_value_f


def grad(f, argnums=0, has_aux=False):
    """Return a function computing df/d(argument) for a scalar-valued f.

    With a tuple `argnums` it returns a tuple of gradients, one per argument; an
    argument that is a tuple, list or dict of Tensors gets a gradient of that
    shape. With has_aux=True, f returns (value, aux) and the function (gradient, aux).
    """
    @functools.wraps(f)
    def grad_f(*args):
        grads, value = _grad_and_value(f, args, argnums, has_aux, "grad")
        return (grads, value[1]) if has_aux else grads

    return grad_f


def _pushforward(call):
    """A function from input tangents (None: no tangent) to (outputs, spec, aux, output tangents).

    Each call is one pass of true forward mode. Inside another transform, or
    once f reaches a graph from outside, it is the double-vjp trick over one
    linearization of f instead.
    """
    lin = push_fn = None

    def push(tangents):
        nonlocal lin, push_fn
        if lin is None and not call.nested:
            done = _forward(call, tangents)
            if done is not None:
                return done
        if lin is None:
            lin = _Linearization(call)
            push_fn = lin.push()
        ts = [_as_result(None, p) if t is None else t for t, p in zip(tangents, call.primals, strict=True)]
        return call.unnest(lin.outs), lin.spec, lin.aux, push_fn(ts)

    return push


def _jvp(f, primals, tangents, has_aux, name):
    if type(primals) not in (tuple, list) or type(tangents) not in (tuple, list):
        raise TypeError(f"{name}: primals and tangents must be tuples (one entry per argument of f), "
                        f"got {type(primals).__name__} and {type(tangents).__name__}")
    call = _Call(f, primals, tuple(range(len(primals))), name, has_aux)
    outs, spec, aux, out_tangents = _pushforward(call)(_tangent_leaves(call, tangents, name))
    result = _unflatten(spec, iter(outs)), _unflatten(spec, iter(out_tangents))
    return result + (call.unnest(aux),) if has_aux else result


def jvp(f, primals, tangents, *, strict=False, has_aux=False):
    """Return (f(*primals), J @ tangents): the Jacobian-vector product, without building J.

    True forward mode: one pass of f in which each primal carries its tangent
    through every op's tangent rule. `primals` and `tangents` are tuples of the
    same structure. With has_aux=True, f returns (output, aux), and jvp adds aux.
    `strict` is accepted for torch.func's signature.
    """
    return _jvp(f, primals, tangents, has_aux, "jvp")


def _basis(x, k):
    e = np.zeros(x.data.size, x.dtype)
    e[k] = 1
    return Tensor(e.reshape(x.shape))


def _jacobian(y, x, vectors, by_rows):
    """Stack one vector per element of x (columns) or of y (rows) into the layout y.shape + x.shape."""
    if by_rows:
        return _stack(vectors, y.shape + x.shape, x.dtype)
    jac = _stack(vectors, x.shape + y.shape, y.dtype)
    with enable_grad():
        return jac.transpose(tuple(range(x.ndim, x.ndim + y.ndim)) + tuple(range(x.ndim)))


def _assemble(call, outs, spec, jacobians, aux):
    """Jacobians[j][i] (output leaf j, input leaf i) arranged as torch.func does: output outside, arguments inside."""
    result = _unflatten(spec, iter([call.regroup(row) for row in jacobians]))
    return (result, call.unnest(aux)) if call.has_aux else result


def _jacrev(f, argnums, has_aux, name, y_label="y"):
    @functools.wraps(f)
    def jac_f(*args):
        call = _Call(f, args, argnums, name, has_aux)
        enclosing = list(_enclosing)
        with _inside_jacobian(name, call.labels, call.primals):
            lin = _Linearization(call)
        outs, inputs = lin.outs, lin.inputs
        _check_budget(name, outs, [y_label + p for p in _paths(lin.spec)], inputs, call.labels, enclosing)
        jacobians = []
        for j, y in enumerate(outs):
            rows = []
            for k in range(y.data.size):
                cotangents = [_basis(o, k) if i == j else _as_result(None, o) for i, o in enumerate(outs)]
                rows.append(lin.pull(cotangents))
            jacobians.append([_jacobian(y, x, [r[i] for r in rows], True) for i, x in enumerate(inputs)])
        return _assemble(call, outs, lin.spec, jacobians, lin.aux)

    return jac_f


def _jacfwd(f, argnums, has_aux, name, y_label="y"):
    @functools.wraps(f)
    def jac_f(*args):
        call = _Call(f, args, argnums, name, has_aux)
        push, primals = _pushforward(call), call.primals
        columns = [[] for _ in primals]  # columns[i][k]: the output tangents for input leaf i, element k
        enclosing = list(_enclosing)
        with _inside_jacobian(name, call.labels, primals):
            for i, x in enumerate(primals):
                for k in range(x.data.size):
                    outs, spec, aux, tangents = push([_basis(x, k) if m == i else None for m in range(len(primals))])
                    if not any(columns):  # the first pass: output shapes are known, nothing Jacobian-sized yet
                        _check_budget(name, outs, [y_label + p for p in _paths(spec)], primals, call.labels,
                                      enclosing)
                    columns[i].append(tangents)
            if not any(columns):  # no input elements at all
                outs, spec, aux = call(primals)
        jacobians = [[_jacobian(y, x, [c[j] for c in columns[i]], False) for i, x in enumerate(primals)]
                     for j, y in enumerate(outs)]
        return _assemble(call, outs, spec, jacobians, aux)

    return jac_f


def _torch_options(name, randomness="error", chunk_size=None):
    """Check the options kept for torch.func's signatures; they change nothing here."""
    if randomness not in ("error", "different", "same"):
        raise ValueError(f"{name}: randomness must be 'error', 'different' or 'same', got {randomness!r}")
    if chunk_size is not None:
        positive_int(chunk_size, f"{name}: chunk_size")


def jacrev(f, argnums=0, *, has_aux=False, chunk_size=None):
    """Return a function computing the Jacobian of f, one vjp per output element.

    Layout as in torch.func: shape f(x).shape + x.shape, for each output and
    each argument in argnums (a tuple gives a tuple). With has_aux=True, f
    returns (output, aux) and the function (jacobian, aux). `chunk_size` is
    accepted for torch.func's signature; rows are always computed one by one.
    """
    _torch_options("jacrev", chunk_size=chunk_size)
    return _jacrev(f, argnums, has_aux, "jacrev")


def jacfwd(f, argnums=0, has_aux=False, *, randomness="error"):
    """Return a function computing the Jacobian of f, one forward-mode jvp per input element.

    Same layout and arguments as jacrev. `randomness` is accepted for
    torch.func's signature (the course's ops draw no random numbers).
    """
    _torch_options("jacfwd", randomness)
    return _jacfwd(f, argnums, has_aux, "jacfwd")


def hessian(f, argnums=0):
    """Return a function computing the Hessian of f: jacfwd(jacrev(f)), forward over reverse.

    Shape f(x).shape + x.shape + x.shape; a tuple argnums gives nested tuples.
    """
    return _jacfwd(_jacrev(f, argnums, False, "hessian"), argnums, False, "hessian", y_label="(dy/dx)")


def hvp(f, primals, tangents):
    """Return (f(*primals), H @ tangents) for a scalar f, without forming H.

    Forward over reverse: the jvp of the gradient. The second part is a tuple
    with one entry per primal.
    """
    def grad_and_f(*xs):
        return _grad_and_value(f, xs, tuple(range(len(xs))), False, "hvp")

    (_, value), (hv, _) = _jvp(grad_and_f, primals, tangents, False, "hvp")
    return value, hv


def _dims_per_leaf(dims, tree, what):
    """One batch dimension (an int or None) per leaf of `tree`; `dims` is one for all or a tree prefix."""
    if dims is None or (isinstance(dims, int) and not isinstance(dims, bool)):
        return [dims] * len(_flatten(tree)[0])
    same = type(dims) is type(tree) and type(dims) in (tuple, list, dict) and len(dims) == len(tree)
    if not same or (type(dims) is dict and dims.keys() != tree.keys()):
        raise ValueError(f"vmap: {what}={dims!r} must be an int, None, or match the structure of {_describe(tree)}")
    keys = list(tree) if type(tree) is dict else range(len(tree))
    return [d for k in keys for d in _dims_per_leaf(dims[k], tree[k], what)]


def _check_unbatched(f, column, elements, n):
    """An output declared unbatched (out_dims None) must be one value for the whole batch, and no run's
    gradient may flow to its own batch element (x ** 2 at 1 and -1 gives one value, two gradients)."""
    name = getattr(f, "__name__", type(f).__name__)
    batched = n == 0 or any(y.shape != column[0].shape or not np.array_equal(y.data, column[0].data, equal_nan=True)
                            for y in column[1:])
    if not batched and elements:
        batched = any(id(node) in elements for node in autodiff.topological_order(*column))
    if batched:
        raise ValueError(
            f"vmap({name}, ...): {name} returned an output that depends on the batch (it differs between batch "
            "elements, or its gradient reaches them), but out_dims is None for it; give it an out_dims (0 stacks "
            "the batch first)" + (", or, for an empty batch, where nothing can be checked, do not use None"
                                  if n == 0 else ""))


def vmap(f, in_dims=0, out_dims=0, randomness="error", *, chunk_size=None):
    """Return f mapped over a batch dimension: in_dims says where it is in each argument, out_dims where it goes.

    The semantics of torch.func.vmap, computed by a plain loop: f runs once per
    batch element and the results are stacked (so it is no faster than the
    loop). `in_dims` is an int or None for every argument, or a tuple with one
    entry per argument (None: not mapped); keyword arguments reach every run
    unmapped. An output with out_dims None must not depend on the batch. An
    empty batch runs f once on zeros, for the outputs' shapes. Each run draws
    its own random numbers; `randomness` and `chunk_size` are accepted for
    torch.func's signature.
    """
    _torch_options("vmap", randomness, chunk_size)

    @functools.wraps(f)
    def mapped(*args, **kwargs):  # keyword arguments are passed to every run unbatched, as in torch.func
        leaves, spec = _flatten(args)
        dims = _dims_per_leaf(in_dims if type(in_dims) is not list else tuple(in_dims), args, "in_dims")
        sizes = set()
        for x, d in zip(leaves, dims, strict=True):
            if d is not None:
                if not -np.ndim(x) <= d < np.ndim(x):
                    raise ValueError(f"vmap: in_dims={d} but an argument has shape {np.shape(x)}")
                sizes.add(np.shape(x)[d])
        if len(sizes) != 1:
            raise ValueError("vmap: no argument is mapped (all in_dims are None)" if not sizes else
                             f"vmap: the mapped dimensions have different sizes {sorted(sizes)}; they must agree")
        (n,) = sizes

        def element(x, d, b):
            if d is None:
                return x
            if b is None:  # an empty batch: a zero element, run once to learn the output's structure and shapes
                shape = np.shape(x)
                return Tensor(np.zeros(shape[:d % len(shape)] + shape[d % len(shape) + 1:], np.result_type(x)))
            return x[(slice(None),) * (d % np.ndim(x)) + (b,)]

        def run(b):
            xs = [element(x, d, b) for x, d in zip(leaves, dims, strict=True)]
            return f(*_unflatten(spec, iter(xs)), **kwargs), [x for x, d in zip(xs, dims) if d is not None]

        runs = [run(b) for b in range(n)] if n else [run(None)]
        results = [r for r, _ in runs]
        elements = {id(x) for _, xs in runs for x in xs if isinstance(x, Tensor) and x.requires_grad}
        outs, out_spec = _flatten(results[0])
        odims = _dims_per_leaf(out_dims, results[0], "out_dims")
        stacked = []
        for j, d in enumerate(odims):
            column = [_flatten(r)[0][j] for r in results]
            column = [y if isinstance(y, Tensor) else _as_tensor(y, "vmap: an output of f") for y in column]
            if d is None:  # torch.func's "not batched": f's output must not depend on the batch
                _check_unbatched(f, column, elements, n)
                stacked.append(column[0])
            elif n == 0:
                shape = column[0].shape
                d = d % (len(shape) + 1)
                stacked.append(Tensor(np.zeros(shape[:d] + (0,) + shape[d:], column[0].dtype)))
            else:
                stacked.append(ops.Stack.apply(d, *column))
        return _unflatten(out_spec, iter(stacked))

    return mapped
