"""The one autodiff engine behind both `Value` and `Tensor`.

A front-end (a `Node` subclass) holds data; `Function.apply` runs a primitive's
forward on the raw data and records the new node's parents and what forward
saved. `backward` walks the graph in reverse topological order and calls each
node's `Function.backward`, fitting the gradients to the inputs' shapes.

Nodes never point back at their outputs, so a graph holds no reference cycles
and is freed as soon as it is dropped; and a node keeps only plain tuples, not
a context object, because Python's cyclic collector slows in proportion to the
number of live container objects (the main cost in micrograd's training loop).
"""

from __future__ import annotations

import contextlib
import functools
import inspect
import operator

from numpy import ndarray

from .numpy_compat import NUMPY2, numpy2_dtype

__all__ = [
    # building graphs
    "Function", "Context", "Node", "no_grad", "enable_grad", "set_grad_enabled",
    "differentiation_disabled", "DifferentiationDisabled", "GraphFreedError",
    # reading graphs (viz, widgets, exercises and func use these, never the underscores)
    "topological_order", "gradients", "node_vjp", "backward", "check_backward", "call_jvp", "argument_position",
    "is_grad_enabled",
]

_grad_enabled = True
_disabled_reason = None
_recording = True  # grads enabled and differentiation not disabled: a front-end's fast path may build nodes


def is_grad_enabled():
    """Whether operations record a graph here (False inside no_grad())."""
    return _grad_enabled


def _set_state(grad_enabled, disabled_reason):
    global _grad_enabled, _disabled_reason, _recording
    _grad_enabled, _disabled_reason = grad_enabled, disabled_reason
    _recording = grad_enabled and disabled_reason is None


@contextlib.contextmanager
def set_grad_enabled(mode):
    """Record graphs inside the block if `mode` is true, not otherwise."""
    previous = _grad_enabled
    _set_state(bool(mode), _disabled_reason)
    try:
        yield
    finally:
        _set_state(previous, _disabled_reason)


def no_grad(function=None):
    """Run a block without recording a graph (for updates and evaluation); as a decorator, `@no_grad()` or
    `@no_grad`, a whole function."""
    return _switch(False, function, "no_grad")


def enable_grad(function=None):
    """Record graphs inside the block, even within no_grad(); also a decorator, with or without ()."""
    return _switch(True, function, "enable_grad")


def _switch(mode, function, name):
    if function is None:
        return set_grad_enabled(mode)
    if not callable(function):
        raise TypeError(f"{name}() takes no argument (as a decorator it takes the function), got {function!r}")
    return set_grad_enabled(mode)(function)


class DifferentiationDisabled(RuntimeError):
    """Raised when graph recording or a backward pass is attempted inside `differentiation_disabled()`."""


@contextlib.contextmanager
def differentiation_disabled(reason):
    """Switch the engine's differentiation off inside the block.

    Recording a graph (`Function.apply` on an input that requires grad),
    `backward`, `gradients`, `node_vjp` and so every `func` transform raise
    `DifferentiationDisabled(reason)`. Arithmetic on nodes that need no
    gradient still works. The exercises use it while a learner's "by hand"
    answer runs.
    """
    previous = _disabled_reason
    _set_state(_grad_enabled, str(reason))
    try:
        yield
    finally:
        _set_state(_grad_enabled, previous)


def _refuse_if_disabled():
    if _disabled_reason is not None:
        raise DifferentiationDisabled(_disabled_reason)


class Context:
    """What a Function's forward leaves for its backward (PyTorch's `ctx`).

    Forward may also set attributes of its own (`ctx.axis = axis`).
    """

    __slots__ = ("saved_tensors", "_parents", "__dict__")

    @classmethod
    def by_hand(cls, n_inputs):
        """A ctx for calling a Function's forward and backward yourself, with n inputs that all need a
        gradient."""
        ctx = cls()
        ctx.saved_tensors = ()
        ctx._parents = (_NEEDS_GRAD,) * n_inputs
        return ctx

    @classmethod
    def rebuilt(cls, parents, saved, extras):
        """The ctx a Function's forward left: its node inputs, what it saved and the attributes it set."""
        ctx = cls()
        ctx._parents, ctx.saved_tensors = parents, saved
        if extras:
            ctx.__dict__.update(extras)
        return ctx

    @classmethod
    def for_node(cls, node):
        """The ctx that made `node`, for calling its Function's backward or jvp yourself."""
        return cls.rebuilt(node.parents, node._saved, node._extras)

    def save_for_backward(self, *values):
        self.saved_tensors = values

    @property
    def saved_values(self):
        """MiniTorch's name for `saved_tensors`."""
        return self.saved_tensors

    @property
    def needs_input_grad(self):
        """One bool per argument of forward, as in PyTorch: does it need a gradient? (False for an
        argument that is not a Value or Tensor, such as an axis.)"""
        needs = tuple(map(_requires_grad, self._parents))
        arguments = self.__dict__.get(_ARGUMENTS)
        return needs if arguments is None else tuple(_spread(needs, arguments, False))


class GraphFreedError(RuntimeError):
    """Raised by a second backward through values that the first one freed."""


_data, _requires_grad = operator.attrgetter("data"), operator.attrgetter("requires_grad")
NO_GRAPH = "no graph"  # the `_extras` of a result computed while recording was off
_NEEDS_GRAD = type("Input", (), {"requires_grad": True})()  # what a by-hand ctx's inputs look like
_ARGUMENTS = "_arguments"  # in a ctx whose forward got non-node arguments: which arguments were nodes


class Node:
    """A vertex of the graph. Front-ends (`Value`, `Tensor`) add the arithmetic on top.

    `parents` holds the input nodes in argument order; leaves have none.
    `_fn` is the Function that made the node (None for a leaf), `_saved` what its
    forward saved and `_extras` the attributes it set on ctx (None once freed).
    Each front-end lays these out in slots of its own: `Value` keeps them without
    tuples and builds its common nodes and its backward pass directly (the
    results are this engine's to the last bit; its tests compare them).

    The engine calls these hooks of a front-end, and nothing else. They are the
    front-end protocol, public so that a front-end (or func's dual numbers) can
    implement them and a reader can call them; learners never need them:

    ===============  ======================================================  ==========================
    hook             does                                                    default
    ===============  ======================================================  ==========================
    ``wrap_output``  a new node from forward's raw result (leaves too: the   none: each front-end's own
                     front-end's constructor for data it already checked)
    ``fit_grad``     a backward's gradient for one input, converted to that  none: each front-end's own
                     input's kind and shape, or a clear error
    ``accumulate``   a leaf's old `.grad` plus a new gradient                ``new`` if ``old`` is None,
                                                                             else ``old + new``
    ``as_grad``      a seed gradient as a node, for ``create_graph``         the gradient unchanged
    ``release``      free what a node saved (after its backward step)        drop a non-empty ``_saved``
    ===============  ======================================================  ==========================
    """

    __slots__ = ()
    __array_ufunc__ = None  # so `ndarray * node` defers to the node's operator

    @property
    def op(self):
        """Short name of the operation that made this node ("" for leaves)."""
        return (self._fn.op or self._fn.__name__) if self._fn else ""

    @property
    def is_leaf(self):
        return self._fn is None

    @classmethod
    def wrap_output(cls, data, parents, fn=None, saved=(), extras=None):
        """A new node holding `data`: made by `fn` from `parents` (with forward's `saved` values and ctx
        attributes `extras`), or a leaf when `parents` is ()."""
        raise NotImplementedError

    @staticmethod
    def fit_grad(grad, data, node, index):
        """`grad`, the gradient `node`'s backward returned for its input `index` (holding `data`), in that
        input's kind and shape; a clear error if it can't be."""
        raise NotImplementedError

    @staticmethod
    def accumulate(old, new):
        """A leaf's `.grad` after one more backward pass."""
        return new if old is None else old + new

    @staticmethod
    def as_grad(grad):
        """A seed gradient as the engine differentiates it again under create_graph."""
        return grad

    def release(self):
        """Free what forward saved for this node's backward step."""
        if self._saved:  # what forward saved goes; a node that saved nothing can be walked again
            self._saved = None


class Function:
    """A primitive with a hand-written local gradient.

    Subclass it with static `forward(ctx, *inputs)` and `backward(ctx, grad)`.
    `forward` sees plain floats or ndarrays; `backward` returns one gradient
    per node input (None where no gradient is needed), or, as in PyTorch, one
    per argument of forward with None for those that are not nodes. An optional
    `jvp(ctx, *tangents)` gives forward mode the output's tangent; without
    one, forward mode uses two vjps through `backward` (the double-vjp trick).
    """

    op = None  # short display name; defaults to the class name

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        for name in ("forward", "backward"):
            if getattr(cls, name) is getattr(Function, name):
                setattr(cls, name, staticmethod(_missing(cls.__name__, name)))

    @staticmethod
    def forward(ctx, *args):
        raise NotImplementedError("define forward(ctx, *inputs) as a @staticmethod")

    @staticmethod
    def backward(ctx, grad):
        raise NotImplementedError("define backward(ctx, grad) as a @staticmethod")

    @staticmethod
    def jvp(ctx, *tangents):
        """The tangent rule: one tangent per node input in (or, written as PyTorch's are, one per
        argument of forward, None for a constant), the output's tangent out."""
        raise NotImplementedError

    @classmethod
    def apply(cls, *args):
        """Run forward on raw data and, if grads are on, record the node.

        Node arguments become parents; anything else (an axis, a shape, a plain
        number) is passed to forward unchanged. With no node argument the raw
        result is returned, which lets one backward formula serve raw and graph modes.
        """
        ctx = Context()
        for a in args:
            if not isinstance(a, Node):
                parents, raw = _split_arguments(args, ctx)
                break
        else:  # nodes only, the common case
            parents, raw = args, map(_data, args)  # (map: a comprehension is a call of its own before 3.12)
        ctx._parents, ctx.saved_tensors = parents, ()
        out = cls.forward(ctx, *raw)
        if not parents:  # raw mode
            return out
        if not NUMPY2:
            out = numpy2_dtype(cls, out, parents, ctx)
        if type(parents[-1]) is not type(parents[0]):  # (one comparison keeps apply fast; it covers every built-in op)
            _check_one_front_end(cls, parents)
        if _grad_enabled:
            for p in parents:
                if p.requires_grad:  # the first input that requires grad: its front-end wraps the result
                    if _disabled_reason is not None:
                        raise DifferentiationDisabled(_disabled_reason)
                    return type(p).wrap_output(out, parents, cls, ctx.saved_tensors, ctx.__dict__ or None)
        # A result without a graph: `cls` is passed only so that a bad output can be reported by name.
        node = type(parents[0]).wrap_output(out, (), cls, (), None if _grad_enabled else NO_GRAPH)
        node._fn = None
        return node


def _split_arguments(args, ctx):
    """forward's node inputs (the new node's parents) and its raw arguments, when some arguments are not
    nodes: a node's data, anything else unchanged; ctx records which ones were nodes."""
    is_node = tuple([isinstance(a, Node) for a in args])
    ctx.__dict__[_ARGUMENTS] = is_node
    parents = tuple([a for a in args if isinstance(a, Node)])
    # A constant that is a node's own data (apply(x, x.data)) gets its own copy: create_graph
    # finds saved values' nodes by identity, and would take the constant for x.
    datas = {id(p.data) for p in parents}
    return parents, [a.data if node else _copy(a) if id(a) in datas else a for a, node in zip(args, is_node)]


def _missing(cls_name, method):
    def missing(*args):
        signature = "forward(ctx, *inputs)" if method == "forward" else "backward(ctx, grad)"
        raise NotImplementedError(f"{cls_name} has no {method}: define @staticmethod {signature} in the class"
                                  + ("" if method == "forward" else ", returning one gradient per input"))
    return missing


def _check_one_front_end(fn, parents):
    first = parents[0]
    if not all(isinstance(p, type(first)) or isinstance(first, type(p)) for p in parents):
        names = " and ".join(sorted({type(p).__name__ for p in parents}))
        raise TypeError(f"{fn.__name__}.apply got {names} inputs; a Value and a Tensor can't be mixed in one "
                        "operation (use Values throughout, or Tensors throughout)")


def topological_order(*roots):
    """Every node reachable from the root(s), each after all of its parents.

    Iterative depth-first post-order, so depth is limited by memory only.
    """
    order, visited, stack = [], set(), []
    push, pop, mark = stack.append, stack.pop, visited.add
    for root in roots:
        if root in visited:
            continue
        mark(root)
        push((root, iter(root.parents)))
        while stack:
            node, pending = stack[-1]
            for parent in pending:
                if parent not in visited:
                    mark(parent)
                    grandparents = parent.parents
                    if not grandparents:  # a leaf is done at once (the same order, without a stack entry)
                        order.append(parent)
                        continue
                    push((parent, iter(grandparents)))
                    break
            else:
                pop()
                order.append(node)
    return order


def node_vjp(node, grad, create_graph=False):
    """One node's step of the backward pass: the gradients it sends to each parent."""
    _refuse_if_disabled()
    grads = _call_backward(node, grad, create_graph)
    return [None if g is None or not p.requires_grad else node.fit_grad(g, p.data, node, i)
            for i, (g, p) in enumerate(zip(grads, node.parents))]


def _call_backward(node, grad, create_graph):
    """The node's Function.backward, with its ctx rebuilt: one raw gradient per parent."""
    fn, parents, saved = node._fn, node.parents, node._saved
    if saved is None:
        raise GraphFreedError(
            f"Trying to backward through the graph a second time ({fn.__name__}'s saved values were "
            "already freed). Pass retain_graph=True to the first backward() if you need to call it twice."
        )
    if create_graph:
        # Saved inputs and outputs are re-attached to their nodes so that the
        # backward formula itself is recorded and can be differentiated again.
        # (Parents win over the node: an op that returns its input unchanged is the identity.)
        by_id = {id(node.data): node}
        by_id.update({id(p.data): p for p in parents})
        saved = tuple([by_id.get(id(s), s) for s in saved])
    ctx = Context()  # Context.rebuilt, written out: this runs once per node of every backward pass
    ctx._parents, ctx.saved_tensors = parents, saved
    extras = node._extras
    if extras:
        ctx.__dict__.update(extras)
    try:
        grads = fn.backward(ctx, grad)
    except TypeError as err:
        if "does not support ufuncs" not in str(err):
            raise
        raise TypeError(_numpy_in_backward(fn, "called a NumPy function (np.exp, np.maximum, ...) on")) from None
    if type(grads) is not tuple and type(grads) is not list and len(parents) == 1:
        grads = (grads,)  # a bare gradient for the one input
    elif type(grads) is not tuple or len(grads) != len(parents):
        grads = _one_per_input(fn.__name__, grads, parents, ctx.__dict__.get(_ARGUMENTS))
    if create_graph and isinstance(grad, Node):
        _check_recorded(fn, grad, saved, grads, parents)
    return grads


def _numpy_in_backward(fn, did):
    name = fn.__name__
    return (f"{name}.backward {did} a Tensor. Gradients of gradients (create_graph=True, and func's transforms "
            "that nest, such as hessian or jacrev of jacrev) run backward on Tensors so that it is recorded, and "
            "NumPy functions are not recorded. Write "
            f"{name}.backward with Tensor operations (g * (x > 0), x.exp(), other Functions' apply).")


def _check_recorded(fn, grad, saved, grads, parents):
    """Under create_graph, a NumPy array from backward has lost the graph its gradient depends on: refuse it
    (an all-zero array is a constant gradient, and stays allowed)."""
    if not (grad.requires_grad or any(isinstance(s, Node) and s.requires_grad for s in saved)):
        return  # nothing to record: the gradients are constants
    for g, p in zip(grads, parents):
        if p.requires_grad and hasattr(g, "any") and not isinstance(g, Node) and g.any():  # a raw, nonzero array
            raise TypeError(_numpy_in_backward(fn, "returned a NumPy array computed from"))


def call_jvp(fn, ctx, tangents):
    """fn.jvp with one tangent per node input, or, when its signature takes one per argument of
    forward (PyTorch's convention), with None for the constants."""
    arguments = ctx.__dict__.get(_ARGUMENTS)
    if arguments is not None and _takes_one_per_argument(fn.jvp, len(arguments)):
        tangents = _spread(tangents, arguments, None)
    return fn.jvp(ctx, *tangents)


@functools.lru_cache(maxsize=256)
def _takes_one_per_argument(jvp, n):
    params = list(inspect.signature(jvp).parameters.values())[1:]  # after ctx
    if any(p.kind is p.VAR_POSITIONAL for p in params):
        return False
    return sum(p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD) for p in params) == n


def _spread(per_node, arguments, fill):
    """Values given one per node input, laid out one per argument of forward, `fill` at the constants."""
    given = iter(per_node)
    return [next(given) if is_node else fill for is_node in arguments]


def _copy(data):
    """A new object equal to a node's data: an array's copy, or a number times one."""
    return data.copy() if hasattr(data, "copy") else data * 1.0


def argument_position(node, index):
    """The position among forward's arguments of node's input `index` (they differ when forward got
    constants too), for messages that name an input."""
    arguments = node._extras.get(_ARGUMENTS) if type(node._extras) is dict else None
    return index if arguments is None else [k for k, is_node in enumerate(arguments) if is_node][index]


def _one_per_input(name, grads, parents, arguments):
    """What backward returned, as one gradient per node input, or a clear error.

    Two conventions are accepted: the course's, one gradient per node input (a bare gradient when there
    is one input; a tuple or a list), and PyTorch's, one per argument of forward with None for those
    that are not nodes. A number for a constant is refused rather than dropped (MiniTorch drops it): it
    is what a backward returns when its gradients are out of order, and would put one input's gradient
    on another."""
    if type(grads) is not tuple:  # a list is never one gradient, so it is read as one per input
        grads = tuple(grads) if type(grads) is list else (grads,)
    if len(grads) == len(parents):
        return grads
    if arguments is None or len(grads) != len(arguments):
        others = "" if arguments is None else f" and {len(arguments) - len(parents)} other argument(s)"
        raise ValueError(
            f"{name}.backward returned {len(grads)} gradient(s) but {name}.forward took {len(parents)} "
            f"Value/Tensor input(s){others}; return one gradient per Value/Tensor input, in order"
            + ("" if arguments is None else ", or one per argument (None for the others)") + "."
        )
    for k, (g, is_node) in enumerate(zip(grads, arguments)):
        if g is not None and not is_node:
            raise ValueError(
                f"{name}.backward returned a gradient for input {k} of forward, a constant (a plain number, an "
                "array or an axis), not a Value or Tensor; return None in its place, or pass a Value or Tensor "
                "to get a gradient for it."
            )
    return tuple([g for g, is_node in zip(grads, arguments) if is_node])


def gradients(roots, seeds, create_graph=False, retain_graph=True, stop=()):
    """Push `seeds` back from `roots`: a dict from each reached node to its total gradient.

    Gradients flow down to leaves and to the nodes in `stop`, no further;
    nothing is written to `.grad`. Without `retain_graph` each node's saved
    values are freed once it has been used.
    """
    _refuse_if_disabled()
    grads = {}
    for root, seed in zip(roots, seeds):
        grads[root] = grads[root] + seed if root in grads else seed
    stop = set(stop)
    for node in reversed(topological_order(*roots)):
        g = grads.get(node)
        if g is None or node._fn is None or (stop and node in stop):
            continue
        # node_vjp inlined: this loop is the hot path of every backward pass.
        for i, (parent, pg) in enumerate(zip(node.parents, _call_backward(node, g, create_graph))):
            if pg is None or not parent.requires_grad:
                continue
            # What fit_grad returns unchanged needs no call: a float for a float, an array of the input's
            # shape and dtype for an array (numpy's built-in dtypes are single objects; any other goes to fit_grad).
            data, kind = parent.data, type(pg)
            if kind is not type(data) or kind is not float and (
                    kind is not ndarray or pg.shape != data.shape or pg.dtype is not data.dtype):
                pg = node.fit_grad(pg, data, node, i)
            old = grads.get(parent)
            grads[parent] = pg if old is None else old + pg
        if not retain_graph:
            node.release()
    return grads


def check_backward(root):
    """Raise the clear error for a backward pass that can't run: differentiation is switched off, or
    `root` was computed without a graph."""
    _refuse_if_disabled()
    if root._fn is None and root._extras is NO_GRAPH:
        raise RuntimeError(
            f"backward() on a {type(root).__name__} that recorded no graph: it was computed while graph recording "
            "was off (inside no_grad()), so there is no path back to its inputs. Compute it outside no_grad().")


def backward(root, grad, retain_graph=False, create_graph=False):
    """Backpropagate `grad` from `root` into the `.grad` of every node that requires it.

    Leaves accumulate across calls; intermediate nodes have their `.grad`
    overwritten, so a second call never double-counts them.
    """
    check_backward(root)
    seed = type(root).as_grad(grad) if create_graph else grad
    for node, g in gradients([root], [seed], create_graph, retain_graph).items():
        if node._fn is not None:
            node.grad = g
        elif node.requires_grad:
            node.grad = node.accumulate(node.grad, g)
