"""The graph a picture reads: the course's own nodes, or a learner's micrograd-style ones.

A course `Value`/`Tensor` is read as it is. Any other object with `.data` and either
`.parents` and `.op` (the course's names) or `._prev` and `._op` (micrograd's) is wrapped in
a `ForeignNode`, so `topological_order` and the labels see one interface.
"""

from __future__ import annotations

from ..autodiff import Node, topological_order


class ForeignNode:
    """A learner's node seen through the course's names; `.obj` is the original object."""

    __slots__ = ("obj", "parents", "data", "grad", "label", "op", "requires_grad")

    def __init__(self, obj):
        self.obj, self.parents = obj, ()
        self.data, self.grad = obj.data, getattr(obj, "grad", None)
        self.label = str(getattr(obj, "label", "") or "")
        op = getattr(obj, "op", None)
        self.op = str(op if op is not None else getattr(obj, "_op", "") or "")
        self.requires_grad = True


def is_graph_node(obj) -> bool:
    """A course node, or an object shaped like one (see the module docstring)."""
    if isinstance(obj, Node):
        return True
    return hasattr(obj, "data") and (hasattr(obj, "parents") and hasattr(obj, "op")
                                     or hasattr(obj, "_prev") and hasattr(obj, "_op"))


def _inputs(obj):
    inputs = obj.parents if hasattr(obj, "parents") else obj._prev
    if isinstance(inputs, (set, frozenset)):  # micrograd keeps a set: give it a stable order
        inputs = sorted(inputs, key=lambda p: (str(getattr(p, "label", "")), repr(p.data)))
    return tuple(inputs)


def graph_order(root):
    """(nodes in topological order, {id(original object): node}) for `root`'s graph."""
    if isinstance(root, Node):
        order = topological_order(root)
        return order, {id(n): n for n in order}
    wrapped, stack = {id(root): ForeignNode(root)}, [root]
    while stack:  # wrap every reachable object once, without recursion
        obj = stack.pop()
        parents = []
        for p in _inputs(obj):
            if not is_graph_node(p):
                raise TypeError(f"a node's inputs must be nodes too, got {type(p).__name__}: {p!r:.60}")
            if id(p) not in wrapped:
                wrapped[id(p)] = ForeignNode(p)
                stack.append(p)
            parents.append(wrapped[id(p)])
        wrapped[id(obj)].parents = tuple(parents)
    return topological_order(wrapped[id(root)]), wrapped
