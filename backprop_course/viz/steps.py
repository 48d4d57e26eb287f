"""`backward_steps`: the backward pass one node at a time, as the lecture zooms in on a node."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..autodiff import Node, gradients, node_vjp, topological_order


@dataclass(frozen=True)
class Step:
    """One node's part of the backward pass.

    `upstream` is dL/dnode (the sum of what its children sent); `local` holds
    dnode/dparent for each parent (numbers for scalar graphs, None for tensors,
    whose local gradients are Jacobians that are never built); `downstream`
    holds what the node sends to each parent: upstream × local, as a VJP.
    Leaves have no parents, so `local` and `downstream` are empty.
    """

    index: int  # position in reverse topological order (0 = the output)
    node: Node
    upstream: object
    local: tuple
    downstream: tuple

    @property
    def parents(self):
        return self.node.parents


def backward_steps(root, grad=None):
    """Yield a `Step` per node of `root`'s graph, output first (reverse topological order).

    Nothing is written to `.grad`.
    `grad` seeds the output (default 1 for a scalar output).
    """
    if not isinstance(root, Node):
        raise TypeError(f"backward_steps needs a Value or Tensor, got {type(root).__name__}")
    scalar_graph = not isinstance(root.data, np.ndarray)
    if grad is None:
        if not scalar_graph and root.data.size != 1:
            raise ValueError(f"backward_steps needs grad= for an output of shape {root.data.shape}")
        grad = 1.0 if scalar_graph else np.ones_like(root.data)
    upstreams = gradients([root], [grad])
    for k, node in enumerate(reversed(topological_order(root))):
        upstream = upstreams.get(node)
        if upstream is None or not node.parents:
            yield Step(k, node, upstream, (), ())
            continue
        downstream = tuple(node_vjp(node, upstream))
        local = tuple(node_vjp(node, 1.0)) if scalar_graph else tuple(None for _ in downstream)
        yield Step(k, node, upstream, local, downstream)
