"""Notebook 04: order a graph's nodes so that every node comes after its parents."""

from collections import Counter

import numpy as np

from ... import autodiff
from ...value import Value
from ..checking import Failure, Seen
from ..registry import Case, Exercise, Mistake


def topological_order(root):
    """Return a list of every node reachable from root, each exactly once and after all of its
    .parents."""
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


# The graphs the check tries ---------------------------------------------------------------------------
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


OTHER_GRAPHS = {"the lecture's graph": _lecture_graph, "a shared node": _doubled, "a random graph": _shared_dag}


# What can be wrong with an order, each said once -------------------------------------------------------
NOT_A_LIST = "Return a list of nodes (the Values themselves)."
STRANGER = ("Your list contains something that is not a node of this graph: list the nodes themselves (Values), "
            "the root's ancestors and the root.")
TWICE = ("A node appears more than once: list each node exactly once. A node used twice (b = a + a) is reached "
         "along two paths; keep a set of visited nodes.")
MISSING = "Nodes are missing: list every node the root depends on, the leaves included, and the root itself."
PREORDER = ("Your list starts with the root, but the root depends on every other node: a node may appear only "
            "after all of its parents. Reading a pre-order backwards is not enough: where a node has several users "
            "(b = a + a; c = b * b; d = b + c), a pre-order lists it at its first visit, before its other users. "
            "Append a node once all of its parents are listed (a post-order).")
REVERSED = ("Reversed: the root goes last. Your list, read backwards, is a valid order on every graph the check "
            "tried; the forward pass needs every node after its parents.")
BEFORE_PARENT = ("A node comes before one of its parents: a node may appear only after all of its parents, so that "
                 "the forward pass can compute it and the backward pass, running the list in reverse, reaches it "
                 "after all of its users.")
RECURSION = ("RecursionError on a chain 10,000 operations deep: each recursive call uses a Python stack frame "
             "and Python allows only about 1000. Use a loop with an explicit stack (a list of nodes still to visit) "
             "instead of recursion.")
OWN = "That calls the library's own topological_order: write your own traversal."
ORDER = "the order"


def _name(node):
    return f"`{node.label}`" if node.label else f"a {node.op or 'leaf'} node ({node.data:.4g})"


def _positions(answer, build):
    """The answer's order on the graph `build` makes, as positions in the reference's order of the same graph
    (-1 for anything that is not one of its nodes)."""
    root = build()
    order = answer(root)
    if not isinstance(order, (list, tuple)):
        raise Failure(NOT_A_LIST, got=type(order).__name__)
    position = {id(n): i for i, n in enumerate(topological_order(root))}
    return [position.get(id(n), -1) for n in order]


def listed(answer, build):
    """The probe: the answer's order on this case's graph, and on each other small graph (which tells a reversed
    order from a wrong one), as positions."""
    try:
        seen = Seen({ORDER: _positions(answer, build)})
    except RecursionError:
        if build is not _chain:
            raise
        raise Failure(RECURSION, expected="a list of every node", got="RecursionError") from None
    for name, other in OTHER_GRAPHS.items():
        if other is not build:
            try:
                seen[f"{ORDER} on {name}"] = _positions(answer, other)
            except Exception:  # noqa: BLE001 - the answer failing there: that graph's own case says how
                seen[f"{ORDER} on {name}"] = [-1]
    return seen


def _fault(positions, nodes):
    """The Failure an order deserves (as positions in `nodes`, the reference's order), or None if it is valid. A
    node before its parent is BEFORE_PARENT here: valid_order may name it more precisely."""
    if not all(p.is_integer() and 0 <= p < len(nodes) for p in positions):
        return Failure(STRANGER)
    counts = Counter(positions)
    twice = next((p for p in positions if counts[p] > 1), None)
    if twice is not None:
        return Failure(TWICE, expected="each node once", got=f"{_name(nodes[int(twice)])} {counts[twice]} times")
    if len(counts) < len(nodes):
        return Failure(MISSING, expected=f"{len(nodes)} nodes", got=f"{len(positions)} nodes")
    place = {int(p): i for i, p in enumerate(positions)}
    index = {id(n): i for i, n in enumerate(nodes)}
    for p in positions:
        node = nodes[int(p)]
        for parent in node.parents:
            if place[index[id(parent)]] > place[int(p)]:
                return Failure(BEFORE_PARENT, expected=f"{_name(parent)} before {_name(node)}",
                               got=f"{_name(node)} before {_name(parent)}")
    return None


def valid_order(seen, build):
    """The diagnosis: the learner's order (positions in the reference's order of the same graph) lists every node
    once, each after its parents; a node before its parent is told as a reversed order when the orders on every
    graph are valid read backwards, and as a pre-order when the root comes first."""
    graphs = {ORDER: build, **{f"{ORDER} on {name}": other for name, other in OTHER_GRAPHS.items()
                               if other is not build}}
    nodes = topological_order(build())
    positions = seen[ORDER].ravel().tolist()
    failure = _fault(positions, nodes)
    if failure is None:
        return
    if failure.why == BEFORE_PARENT:
        backwards = all(key in seen and _fault(seen[key].ravel().tolist()[::-1], topological_order(build_it())) is None
                        for key, build_it in graphs.items())
        why = REVERSED if backwards else PREORDER if positions[0] == len(nodes) - 1 else BEFORE_PARENT
        failure = Failure(why, expected=failure.expected, got=failure.got)
    raise failure


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
    order, stack = [], [(root, False)]
    while stack:
        node, done = stack.pop()
        if done:
            order.append(node)  # a shared node is appended once per path to it
        else:
            stack.append((node, True))
            stack.extend((p, False) for p in node.parents)
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


def _breadth_first(root):
    order, seen, queue = [], {root}, [root]
    while queue:
        node = queue.pop(0)
        order.append(node)
        for p in node.parents:
            if p not in seen:
                seen.add(p)
                queue.append(p)
    return order[::-1]


EXERCISE = Exercise(
    id="topological_order",
    title="Topological order, iteratively",
    notebook="04",
    section="8",
    points=3,
    prompt="Return every node reachable from `root` once, each after all of its `.parents`. It must handle shared "
           "nodes (b = a + a; c = b + b) and a chain 10,000 nodes deep.",
    reference=topological_order,
    cases=lambda: [Case("the lecture's graph f = (x + y)·z", (_lecture_graph,)),
                   Case("a shared node: b = a + a; c = b + b", (_doubled,)),
                   Case("a random graph of 30 nodes with many shared nodes", (_shared_dag,)),
                   Case("a chain 10,000 operations deep", (_chain,))],
    outputs=(),  # more than one order is right: the diagnosis decides
    probe=listed,
    diagnoses=(valid_order,),
    own_work=((autodiff.topological_order, OWN),),
    mistakes=(
        Mistake(_preorder, PREORDER),  # valid read backwards on a tree only: not on the shared graphs
        Mistake(lambda root: [root, *topological_order(root)[:-1]], PREORDER),
        Mistake(_no_visited_set, TWICE),
        Mistake(_recursive, RECURSION),
        Mistake(_breadth_first, BEFORE_PARENT),
        Mistake(lambda root: topological_order(root)[::-1], REVERSED),
        Mistake(lambda root: list(autodiff.topological_order(root)), OWN),
    ),
    timeout_why="A `node in visited` test on a list looks at every element, so with 40,001 nodes it takes hundreds "
                "of millions of steps: make `visited` a set.",
    hints=(
        "A node may be listed only after all of its parents: that is a post-order depth-first traversal.",
        "Keep a `visited` set so that a shared node is listed once, and a list `stack` instead of recursion.",
        "Numbers to check against: f = (x + y)·z gives 5 nodes with f last; b = a + a; c = b + b gives 3 nodes, "
        "[a, b, c]; the 10,000-deep chain gives 40,001 nodes.",
    ),
    time_limit=20.0,
)
