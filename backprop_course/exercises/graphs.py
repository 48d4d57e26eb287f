"""Notebook 01: order a graph's nodes so that every node comes after its parents."""

from collections import Counter

import numpy as np

from .. import autodiff
from ..value import Value
from .checking import Failure, require_function
from .registry import Exercise, Mutant, register


def topological_order(root):
    """Return a list of every node reachable from root, each exactly once and after all of its .parents."""
    order, visited = [], set()
    stack = [(root, False)]   # an explicit stack: no recursion, so any depth works
    while stack:
        node, parents_done = stack.pop()
        if parents_done:
            order.append(node)          # post-order: only after all of its parents
        elif node not in visited:
            visited.add(node)
            stack.append((node, True))
            stack.extend((p, False) for p in node.parents if p not in visited)
    return order


# Known-wrong answers ---------------------------------------------------------
def _preorder(root):
    order, visited, stack = [], set(), [root]
    while stack:
        node = stack.pop()
        if node not in visited:
            visited.add(node)
            order.append(node)  # before its parents
            stack.extend(node.parents)
    return order


def _no_visited_set(root):
    order = []

    def visit(node):
        for p in node.parents:
            visit(p)
        order.append(node)  # a shared node is appended once per path to it

    visit(root)
    return order


def _recursive(root):
    order, visited = [], set()

    def visit(node):
        if node not in visited:
            visited.add(node)
            for p in node.parents:
                visit(p)
            order.append(node)

    visit(root)
    return order


def _reversed_bfs(root):
    order, seen, queue = [], {root}, [root]
    while queue:
        node = queue.pop(0)
        order.append(node)
        for p in node.parents:
            if p not in seen:
                seen.add(p)
                queue.append(p)
    return order[::-1]


# The check -------------------------------------------------------------------
def _lecture_graph():
    x, y, z = Value(-2.0, "x"), Value(5.0, "y"), Value(-4.0, "z")
    q = x + y
    q.label = "q"
    f = q * z
    f.label = "f"
    return f


def _doubled():
    a = Value(3.0, "a")
    b = a + a
    b.label = "b"
    c = b + b
    c.label = "c"
    return c


def _shared_dag(seed=4, size=30):
    """A random graph where many nodes feed several others (and some feed one node twice)."""
    rng = np.random.default_rng(seed)
    nodes = [Value(float(v), f"n{i}") for i, v in enumerate(rng.uniform(-1, 1, 4))]
    for i in range(len(nodes), size):
        a, b = (nodes[int(k)] for k in rng.integers(max(0, len(nodes) - 6), len(nodes), 2))
        node = a * b if rng.random() < 0.5 else a + b
        node.label = f"n{i}"
        nodes.append(node)
    root = nodes[-1] + nodes[-3]
    root.label = "root"
    return root


def _chain(depth=10_000):
    node = Value(0.5, "x0")
    for i in range(1, depth + 1):
        node = node * 1.0 + 0.001
        node.label = f"x{i}"
    return node


def _name(node):
    return f"`{node.label}`" if node.label else f"a {node.op or 'leaf'} node ({node.data:.4g})"


def _validate(order, root):
    if not isinstance(order, (list, tuple)):
        raise Failure(f"Return a list of nodes; got {type(order).__name__}.")
    nodes = autodiff.topological_order(root)
    members = {id(n) for n in nodes}
    stranger = next((n for n in order if id(n) not in members), None)
    if stranger is not None:
        raise Failure(f"Your list contains {stranger!r:.60}, which is not a node of this graph: "
                      "list the nodes themselves (Values), the root's ancestors and the root.")
    counts = Counter(id(n) for n in order)
    twice = next((n for n in order if counts[id(n)] > 1), None)
    if twice is not None:
        raise Failure(f"Node {_name(twice)} appears {counts[id(twice)]} times: list each node exactly once. "
                      "A node used twice (b = a + a) is reached along two paths; keep a set of visited nodes.",
                      expected="each node once", got=f"{_name(twice)} {counts[id(twice)]} times")
    missing = [n for n in nodes if id(n) not in counts]
    if missing:
        raise Failure(f"{len(missing)} node(s) are missing, for example {_name(missing[0])}: "
                      "list every node the root depends on, the leaves included, and the root itself.",
                      expected=f"{len(nodes)} nodes", got=f"{len(order)} nodes")
    position = {id(n): i for i, n in enumerate(order)}
    for node in order:
        for parent in node.parents:
            if position[id(parent)] > position[id(node)]:
                why = f"Node {_name(node)} comes before its parent {_name(parent)}: a node may appear only after " \
                      "all of its parents, so that the forward pass can compute it and the backward pass, " \
                      "running the list in reverse, reaches it after all of its users."
                if order[0] is root:
                    why += " Your list starts with the root: that is a pre-order traversal (a node, then its " \
                           "parents). Append a node only once all of its parents are in the list (post-order)."
                raise Failure(why, expected=f"{_name(parent)} before {_name(node)}",
                              got=f"{_name(node)} at position {position[id(node)]}, {_name(parent)} at "
                                  f"{position[id(parent)]}")


def _check(t, fn):
    require_function(fn, "topological_order")
    if fn is autodiff.topological_order:
        raise Failure("That is the library's own topological_order: write your own traversal.")
    for description, build in [("the lecture's graph f = (x + y)·z", _lecture_graph),
                               ("a shared node: b = a + a; c = b + b", _doubled),
                               ("a random graph of 30 nodes with many shared nodes", _shared_dag)]:
        t.case(description)
        root = build()
        _validate(fn(root), root)
    t.case("a chain 10,000 operations deep")
    root = _chain()
    try:
        order = fn(root)
    except RecursionError:
        raise Failure("RecursionError on a graph 10,000 nodes deep: each recursive call uses a Python stack frame "
                      "and Python allows only about 1000. Use a loop with an explicit stack (a list of nodes "
                      "still to visit) instead of recursion.", expected="a list of 20,001 nodes",
                      got="RecursionError") from None
    _validate(order, root)


register(Exercise(
    id="topological_order",
    title="Topological order, iteratively",
    notebook="01",
    section="8",
    points=3,
    prompt="Return every node reachable from `root` once, each after all of its `.parents`. It must handle shared "
           "nodes (b = a + a; c = b + b) and a chain 10,000 nodes deep.",
    check=_check,
    hints=(
        "A node may be listed only after all of its parents: that is a post-order depth-first traversal.",
        "Keep a `visited` set so that a shared node is listed once, and a list `stack` instead of recursion.",
        "Push (node, False) to mean 'visit its parents first' and (node, True) to mean 'its parents are done, "
        "append it'. Pop until the stack is empty.",
    ),
    reference=topological_order,
    mutants=(
        Mutant(_preorder, "pre-order", "appends each node before its parents"),
        Mutant(_no_visited_set, "exactly once", "no visited set: a shared node is listed once per path"),
        Mutant(_recursive, "RecursionError", "a correct recursive post-order, which fails 10,000 deep"),
        Mutant(_reversed_bfs, "before its parent", "breadth-first from the root, reversed"),
    ),
    time_limit=20.0,
))
