"""The one autodiff engine behind both `Value` and `Tensor`.

A front-end (a `Node` subclass) holds data; `Function.apply` runs a primitive's
forward on the raw data and records the new node's parents and context.
`backward` walks the recorded graph in reverse topological order and calls each
node's `Function.backward`, fitting the gradients to the inputs' shapes.
"""

from __future__ import annotations

import contextlib
import copy

_grad_enabled = True


@contextlib.contextmanager
def no_grad():
    """Run a block without recording a graph (for updates and evaluation)."""
    global _grad_enabled
    previous, _grad_enabled = _grad_enabled, False
    try:
        yield
    finally:
        _grad_enabled = previous


class Context:
    """What a Function's forward leaves for its backward (PyTorch's `ctx`)."""

    def save_for_backward(self, *values):
        self.saved_tensors = values


class Node:
    """A vertex of the graph. Front-ends add the arithmetic on top.

    `parents` holds the input nodes in argument order; leaves have none.
    Subclasses implement `_wrap_output` and `_fit_grad`.
    """

    __slots__ = ("data", "grad", "parents", "op", "label", "requires_grad", "_fn", "_ctx")
    __array_ufunc__ = None  # so `ndarray * node` defers to the node's operator

    def _init_node(self, data, parents=(), label="", requires_grad=True, fn=None, ctx=None):
        self.data = data
        self.grad = None
        self.parents = parents
        self.op = (fn.op or fn.__name__) if fn else ""
        self.label = label
        self.requires_grad = requires_grad
        self._fn = fn
        self._ctx = ctx

    @property
    def is_leaf(self):
        return self._fn is None

    # Hooks for the front-ends.
    @classmethod
    def _wrap_output(cls, data, parents, fn, ctx, requires_grad):
        raise NotImplementedError

    @staticmethod
    def _fit_grad(grad, data, fn_name, index):
        """Return `grad` reduced to `data`'s shape, or raise a clear ValueError."""
        raise NotImplementedError

    @staticmethod
    def _accumulate(old, new):
        return new if old is None else old + new


class Function:
    """A primitive with a hand-written local gradient.

    Subclass it with static `forward(ctx, *inputs)` and `backward(ctx, grad)`.
    `forward` sees plain floats or ndarrays; `backward` returns one gradient
    per node input (None where no gradient is needed).
    """

    op = None  # short display name; defaults to the class name

    @staticmethod
    def forward(ctx, *args):
        raise NotImplementedError

    @staticmethod
    def backward(ctx, grad):
        raise NotImplementedError

    @classmethod
    def apply(cls, *args):
        """Run forward on raw data and, if grads are on, record the node.

        Node arguments become parents; anything else (an axis, a shape) is
        passed to forward unchanged. With no node argument the raw result is
        returned, which lets one backward formula serve raw and graph modes.
        """
        front = None
        raw = []
        for a in args:
            if isinstance(a, Node):
                front = front or type(a)
                raw.append(a.data)
            else:
                raw.append(a)
        ctx = Context()
        out = cls.forward(ctx, *raw)
        if front is None:
            return out
        nodes = tuple(a for a in args if isinstance(a, Node))
        needs = tuple(n.requires_grad for n in nodes)
        if not (_grad_enabled and any(needs)):
            return front._wrap_output(out, (), None, None, False)
        ctx.needs_input_grad = needs
        return front._wrap_output(out, nodes, cls, ctx, True)


class GraphFreedError(RuntimeError):
    pass


def topological_order(root):
    """Every node reachable from `root`, each after all of its parents.

    Iterative depth-first post-order, so depth is limited by memory only.
    """
    order, visited = [], {id(root)}
    stack = [(root, iter(root.parents))]
    while stack:
        node, pending = stack[-1]
        for parent in pending:
            if id(parent) not in visited:
                visited.add(id(parent))
                stack.append((parent, iter(parent.parents)))
                break
        else:
            stack.pop()
            order.append(node)
    return order


def node_vjp(node, grad, create_graph=False):
    """One node's step of the backward pass: the gradients it sends to each parent."""
    fn, ctx = node._fn, node._ctx
    name = fn.__name__
    if not hasattr(ctx, "needs_input_grad"):
        raise GraphFreedError(
            f"Trying to backward through the graph a second time ({name} was already freed). "
            "Pass retain_graph=True to the first backward() if you need to call it twice."
        )
    if create_graph:
        # Saved inputs and outputs are re-attached to their nodes so that the
        # backward formula itself is recorded and can be differentiated again.
        ctx = copy.copy(ctx)
        by_id = {id(p.data): p for p in node.parents}
        by_id[id(node.data)] = node
        ctx.saved_tensors = tuple(by_id.get(id(s), s) for s in getattr(ctx, "saved_tensors", ()))
    grads = fn.backward(ctx, grad)
    if not isinstance(grads, tuple):
        grads = (grads,)
    if len(grads) != len(node.parents):
        raise ValueError(
            f"{name}.backward returned {len(grads)} gradient(s) but {name}.forward took "
            f"{len(node.parents)} input(s); return one gradient per input, in order."
        )
    return [
        None if g is None or not p.requires_grad else type(node)._fit_grad(g, p.data, name, i)
        for i, (g, p) in enumerate(zip(grads, node.parents, strict=True))
    ]


def backward(root, grad, retain_graph=False, create_graph=False):
    """Backpropagate `grad` from `root` into every node that requires it.

    Leaves accumulate into `.grad` across calls; intermediate nodes have their
    `.grad` overwritten, so a second call never double-counts them.
    """
    order = topological_order(root)
    grads = {id(root): grad}
    wrap = type(root)._as_grad if create_graph else None
    if wrap:
        grads[id(root)] = wrap(grad)
    for node in reversed(order):
        g = grads.pop(id(node), None)
        if g is None or not node.requires_grad:
            continue
        if node._fn is None:
            node.grad = node._accumulate(node.grad, g)
            continue
        node.grad = g
        for parent, pg in zip(node.parents, node_vjp(node, g, create_graph), strict=True):
            if pg is not None:
                key = id(parent)
                grads[key] = pg if key not in grads else grads[key] + pg
        if not retain_graph:
            del node._ctx.needs_input_grad
            node._ctx.saved_tensors = ()
