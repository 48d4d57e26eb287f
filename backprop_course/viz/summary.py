"""Choosing what to draw when a graph is too big to lay out."""

from __future__ import annotations

from collections import deque


def drawn_cost(node) -> int:
    """Graphviz nodes one graph node needs: its record, plus an op node if computed."""
    return 2 if node.parents else 1


def nearest_nodes(root, budget):
    """Nodes closest to `root` (breadth-first over parents) whose drawing fits in `budget`.

    The output end is kept because that is where backpropagation starts; what is
    cut lies further upstream and is summarised by the caller.
    """
    kept, seen, queue, used = set(), {id(root)}, deque([root]), 0
    while queue:
        node = queue.popleft()
        cost = drawn_cost(node)
        if used + cost > budget:
            break
        used += cost
        kept.add(id(node))
        for p in node.parents:
            if id(p) not in seen:
                seen.add(id(p))
                queue.append(p)
    return kept
