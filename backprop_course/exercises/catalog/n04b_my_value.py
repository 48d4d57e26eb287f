"""Notebook 04: the learner's own micrograd-style scalar class, checked one step at a time.

The check may touch only what every such class has: `Cls(number)`, `.data`, `.grad`, the operators,
`exp`/`tanh`/`relu` and `.backward()`. Its steps run in order and stop at the first one whose methods still
raise NotImplementedError, so `+` and `*` get feedback before `tanh` is written. The probe reads every named
node's data and grad (`<name>.data`, `<name>.grad`); a wrong number is explained by the first declared mistake
that gives the same numbers on the same graph.
"""

from __future__ import annotations

import math
import numbers

import numpy as np

from ... import autodiff
from ... import operators as operators_module
from ... import value as value_module
from ...value import Value
from ..checking import Failure, NotWrittenYet, Seen, fmt
from ..edits import edited, source_of
from ..registry import Case, Exercise, Mistake


class MyValue:
    """A scalar that remembers how it was computed: your own micrograd."""

    def __init__(self, data, _children=(), _op=""):
        """Step 1 · Keep data as a float, grad = 0.0, the inputs (_prev) and the op's name (_op)."""
        self.data = float(data)
        self.grad = 0.0
        self._prev = tuple(_children)   # a tuple, not a set: a + a has two edges to a
        self._op = _op
        self._backward = lambda upstream: None   # a leaf passes nothing on

    def __add__(self, other):
        """Step 2 · Return a new node self + other, with its local step."""
        other = other if isinstance(other, MyValue) else MyValue(other)   # step 4: a number on either side
        out = MyValue(self.data + other.data, (self, other), "+")

        def _backward(upstream):
            self.grad += upstream       # +=: a node used twice receives both gradients
            other.grad += upstream
        out._backward = _backward
        return out

    def __mul__(self, other):
        """Step 2 · Return a new node self * other, with its local step."""
        other = other if isinstance(other, MyValue) else MyValue(other)
        out = MyValue(self.data * other.data, (self, other), "*")

        def _backward(upstream):
            self.grad += other.data * upstream
            other.grad += self.data * upstream
        out._backward = _backward
        return out

    def backward(self):
        """Step 3 · Seed this node's grad with 1.0, then run every node's local step in reverse topological order."""
        order, visited, stack = [], set(), [(self, False)]
        while stack:                     # an explicit stack, not recursion: any depth works
            node, parents_done = stack.pop()
            if parents_done:
                order.append(node)
            elif node not in visited:
                visited.add(node)
                stack.append((node, True))
                stack.extend((p, False) for p in node._prev if p not in visited)
        for node in order:
            if node._prev:
                node.grad = 0.0          # intermediates are recomputed each call; leaves accumulate
        self.grad = 1.0
        for node in reversed(order):
            node._backward(node.grad)

    def __radd__(self, other):
        """Step 4 · other + self where other is a number (Python calls this after int.__add__ gives up)."""
        return self + other

    def __rmul__(self, other):
        """Step 4 · other * self where other is a number."""
        return self * other

    def __pow__(self, k):
        """Step 5 · self ** k for a number k, with its local step."""
        out = MyValue(self.data ** k, (self,), f"**{k}")

        def _backward(upstream):
            self.grad += k * self.data ** (k - 1) * upstream
        out._backward = _backward
        return out

    def __neg__(self):
        """Step 5 · -self."""
        return self * -1

    def __sub__(self, other):
        """Step 5 · self - other."""
        return self + (-other)

    def __rsub__(self, other):
        """Step 5 · other - self."""
        return other + (-self)

    def __truediv__(self, other):
        """Step 5 · self / other."""
        return self * other ** -1

    def __rtruediv__(self, other):
        """Step 5 · other / self."""
        return other * self ** -1

    def exp(self):
        """Step 6 · e ** self, with its local step."""
        e = math.exp(self.data)
        out = MyValue(e, (self,), "exp")

        def _backward(upstream):
            self.grad += e * upstream
        out._backward = _backward
        return out

    def tanh(self):
        """Step 6 · tanh(self), with its local step."""
        t = math.tanh(self.data)
        out = MyValue(t, (self,), "tanh")

        def _backward(upstream):
            self.grad += (1 - t ** 2) * upstream
        out._backward = _backward
        return out

    def relu(self):
        """Step 6 · max(0, self), with its local step (at exactly 0, the course's convention: no gradient)."""
        out = MyValue(max(0.0, self.data), (self,), "relu")

        def _backward(upstream):
            self.grad += (self.data > 0) * upstream
        out._backward = _backward
        return out


# The mistakes: each is the reference with one change, and the message that explains it ----------------------
ASSIGN = ("A node used twice (a + a, b * b) must receive both gradients: in the local steps write "
          "`grad += ...`, never `grad = ...`, which keeps only the last one.")
RECURSIVE = ("RecursionError on a chain 10,000 operations deep: a recursive topological sort uses one Python "
             "stack frame per node, and Python allows about 1000. Build the order with a loop and an explicit "
             "stack.")
CIRCULAR = ("RecursionError on a small graph: two of your methods call each other without end. For example, "
            "__neg__ written as 0 - self calls __rsub__, and __rsub__ written as other + (-self) calls __neg__ "
            "again. Build one of them from + and * alone.")
NOT_ONCE = ("A node's local step ran more than once: in b = a + a; c = b + b, b is reached along two paths, so a "
            "topological order without a visited set lists it twice and a.grad comes out 8 instead of 4. Keep a "
            "set of visited nodes, so that each node appears in the order once.")
ZEROES_LEAVES = ("A second backward() must add to the leaves' gradients (PyTorch-like accumulation): your "
                 "backward() also set the leaves' grad to 0.0. Reset only the nodes that have inputs.")
EXP_LOCAL = ("exp's local gradient is its output e^x, not its input x.")
TANH_INPUT = ("tanh's local gradient is 1 - t**2 with t = tanh(x), the output: you squared the input x.")
NO_SWAP = ("The mul gate is a swap multiplier: in c = a * b, a receives b × upstream and b receives a × upstream "
           "(each input gets the *other* input).")
POWER_RULE = ("The power rule is d(x**k)/dx = k·x**(k-1): the exponent drops by one (you have k·x**k).")
TANH_LOCAL = ("tanh's local gradient is 1 - tanh(x)**2, the square of the output (you have 1 - tanh(x)).")
RELU_AT_ZERO = ("ReLU passes the gradient only where its input is > 0; at exactly 0 it passes nothing (the "
                "course's convention, and the library's): test `self.data > 0`, not `>= 0`.")
DOUBLE_COUNT = ("A second backward() double-counted the intermediate nodes: their .grad still held the first "
                "call's gradient and += added the new one on top. At the start of backward(), set every "
                "non-leaf node's grad to 0.0 (leaves keep accumulating across calls, as in PyTorch).")
REFLECTED = ("2 * v raised TypeError: Python first asks int.__mul__(2, v), which gives up, then v.__rmul__(2). "
             "Define __radd__ and __rmul__: each can hand the work to + and *, which already wrap a number.")
USES_LIBRARY = ("Your class uses the course's engine (its Value, operators or topological order): write the "
                "arithmetic, the local steps and the order yourself, on plain floats.")
NOT_REVERSED = ("backward() must visit the nodes in REVERSE topological order, output first, so that every node "
                "has received its whole gradient before its local step sends it on.")
NO_SEED = "backward() must start by seeding the output's gradient with 1.0 (df/df = 1)."

_REFERENCE_SOURCE = source_of(MyValue)
_RECURSIVE_ORDER = '''\
        order, visited = [], set()

        def build(node):                 # recursive: one stack frame per node
            if node not in visited:
                visited.add(node)
                for p in node._prev:
                    build(p)
                order.append(node)
        build(self)
'''


def _changed(name, *edits):
    return edited(MyValue, name, *edits, math=math)


def _iterative_order_lines():
    start = _REFERENCE_SOURCE.index("        order, visited, stack")
    end = _REFERENCE_SOURCE.index("        for node in order:")
    return _REFERENCE_SOURCE[start:end]


class _UsesLibrary:
    """A wrapper around the library's Value: the check refuses it."""

    def __init__(self, data, node=None):
        self.node = Value(data) if node is None else node

    data = property(lambda self: self.node.data)
    grad = property(lambda self: self.node.grad)

    def _lift(self, other):
        return other.node if isinstance(other, _UsesLibrary) else other

    def __add__(self, other):
        return _UsesLibrary(None, self.node + self._lift(other))

    def __mul__(self, other):
        return _UsesLibrary(None, self.node * self._lift(other))

    def backward(self):
        self.node.backward()


# Value-comparable mistakes, in the order the check tries them as explanations: the first whose numbers match
# speaks (zeroing the leaves comes before `grad =`, which gives the same numbers on a second backward()).
MISTAKES = (
    Mistake(_changed("MyValue_zeroes_leaves", ("            if node._prev:\n                node.grad = 0.0",
                                                "            node.grad = 0.0")), ZEROES_LEAVES),
    Mistake(_changed("MyValue_assigns", ("grad += ", "grad = ")), ASSIGN),
    Mistake(_changed("MyValue_no_swap", ("self.grad += other.data * upstream", "self.grad += self.data * upstream"),
                     ("other.grad += self.data * upstream", "other.grad += other.data * upstream")), NO_SWAP),
    Mistake(_changed("MyValue_power_rule", ("k * self.data ** (k - 1)", "k * self.data ** k")), POWER_RULE),
    Mistake(_changed("MyValue_tanh", ("(1 - t ** 2)", "(1 - t)")), TANH_LOCAL),
    Mistake(_changed("MyValue_tanh_of_input", ("(1 - t ** 2)", "(1 - self.data ** 2)")), TANH_INPUT),
    Mistake(_changed("MyValue_exp_of_input", ("self.grad += e * upstream", "self.grad += self.data * upstream")),
            EXP_LOCAL),
    Mistake(_changed("MyValue_relu", ("(self.data > 0)", "(self.data >= 0)")), RELU_AT_ZERO),
    Mistake(_changed("MyValue_double_counts", ("                node.grad = 0.0", "                pass")),
            DOUBLE_COUNT),
    Mistake(_changed("MyValue_no_visited_set", ("elif node not in visited:", "else:"),
                     (" for p in node._prev if p not in visited)", " for p in node._prev)")), NOT_ONCE),
    Mistake(_changed("MyValue_forward_order", ("for node in reversed(order):", "for node in order:")), NOT_REVERSED),
    Mistake(_changed("MyValue_no_seed", ("self.grad = 1.0", "pass")), NO_SEED),
)
OTHER_MISTAKES = (
    Mistake(_changed("MyValue_recursive", (_iterative_order_lines(), _RECURSIVE_ORDER)), RECURSIVE),
    Mistake(_changed("MyValue_circular_neg", ("        return self * -1", "        return 0 - self")), CIRCULAR),
    Mistake(_changed("MyValue_no_reflected", (_REFERENCE_SOURCE[_REFERENCE_SOURCE.index("    def __radd__"):
                                                                _REFERENCE_SOURCE.index("    def __pow__")], "")),
            REFLECTED),
    Mistake(_UsesLibrary, USES_LIBRARY),
)


# The check ------------------------------------------------------------------------------------------------------
def _lecture_01(V):
    x, y, z = V(-2.0), V(5.0), V(-4.0)
    q = x + y
    f = q * z
    f.backward()
    return {"f": f, "q": q, "x": x, "y": y, "z": z}


def _fork_add(V):
    a = V(3.0)
    b = a + a
    b.backward()
    return {"b = a + a": b, "a": a}


def _fork_mul(V):
    b = V(-3.0)
    c = b * b
    c.backward()
    return {"c = b * b": c, "b": b}


def _fork_both(V):
    a, b = V(2.0), V(-3.0)
    f = (a * b) * (a + b)
    f.backward()
    return {"f": f, "a": a, "b": b}


def _shared_twice(V):
    a = V(3.0)
    b = a + a
    c = b + b
    c.backward()
    return {"c": c, "b": b, "a": a}


def _backward_twice(V):
    nodes = _lecture_01(V)
    nodes["f"].backward()
    return nodes


def _numbers(V):
    a = V(2.0)
    f = 2 * a + a * 3 + 1 + (4 + a) * 0.5
    f.backward()
    return {"f = 2·a + a·3 + 1 + (4 + a)·0.5": f, "a": a}


def _one_op(name, op, at):
    def build(V):
        x = V(at)
        out = op(x)
        out.backward()
        return {name: out, "x": x}
    build.__doc__ = f"{name} at x = {at:g}"
    return build


def _binary(name, op, a, b):
    def build(V):
        x, y = V(a), V(b)
        out = op(x, y)
        out.backward()
        return {name: out, "x": x, "y": y}
    build.__doc__ = f"{name} at x = {a:g}, y = {b:g}"
    return build


def _sigmoid_neuron(V):
    w0, x0, w1, x1, w2 = V(2.0), V(-1.0), V(-3.0), V(-2.0), V(-3.0)
    f = 1 / (1 + (-(w0 * x0 + w1 * x1 + w2)).exp())
    f.backward()
    return {"f": f, "w0": w0, "x0": x0, "w1": w1, "x1": x1, "w2": w2}


def _staged_sigmoid(V):
    x, y = V(3.0), V(-4.0)

    def sigmoid(v):
        return 1 / (1 + (-v).exp())

    f = (x + sigmoid(y)) / (sigmoid(x) + (x + y) ** 2)
    f.backward()
    return {"f": f, "x": x, "y": y}


def _tanh_neuron(V):
    x1, x2, w1, w2, b = V(2.0), V(0.0), V(-3.0), V(1.0), V(6.881373587019543)
    o = (x1 * w1 + x2 * w2 + b).tanh()
    o.backward()
    return {"o": o, "x1": x1, "x2": x2, "w1": w1, "w2": w2}


_UNARY = [lambda v: v + 1.5, lambda v: 2.0 * v, lambda v: 1 - v, lambda v: -v, lambda v: v ** 2, lambda v: v ** 3,
          lambda v: v.tanh(), lambda v: v.relu(), lambda v: (v * 0.5).exp(), lambda v: v / 3.0]
_BINARY = [lambda u, v: u + v, lambda u, v: u * v, lambda u, v: u - v, lambda u, v: u / (v * v + 1.0)]


def _random_expression(seed):
    def build(V):
        rng = np.random.default_rng(seed)
        leaves = [V(float(x)) for x in rng.uniform(-1.5, 1.5, 3)]
        nodes = list(leaves)
        for _ in range(12):
            if rng.random() < 0.5:
                node = _UNARY[rng.integers(len(_UNARY))](nodes[-1 - rng.integers(min(3, len(nodes)))])
            else:
                u, v = (nodes[-1 - k] for k in rng.integers(0, min(4, len(nodes)), 2))   # often shared
                node = _BINARY[rng.integers(len(_BINARY))](u, v)
            nodes.append(node.tanh() if abs(node.data) > 4 else node)
        root = nodes[-1] + nodes[-2] * nodes[-4]
        root.backward()
        return {"the output": root, **{f"leaf {i}": leaf for i, leaf in enumerate(leaves)}}
    build.__doc__ = f"random expression {seed} (with shared nodes) against the course's Value"
    return build


def _observe(build, V):
    """{"<name>.data": number, "<name>.grad": number} of the named nodes after `build` ran with class V."""
    seen = {}
    for name, node in build(V).items():
        data, grad = getattr(node, "data", None), getattr(node, "grad", None)
        if not all(isinstance(v, numbers.Real) and not isinstance(v, bool) for v in (data, grad)):
            raise Failure(f"{name} should be a node whose .data and .grad are numbers; got {node!r:.60}. Does "
                          "every operation return a new node of your class?")
        seen[f"{name}.data"], seen[f"{name}.grad"] = float(data), float(grad)
    return seen


def _data_and_grad(V):
    return {"MyValue(3.0)": V(3.0), "MyValue(-2)": V(-2)}


def _add_mul_forward(V):
    a, b = V(2.0), V(-3.0)
    nodes = {"a + b": a + b, "a * b": a * b}
    for name, out in nodes.items():
        if not isinstance(out, V):
            raise Failure(f"{name} must return a new node of your class, so that the graph goes on.",
                          expected=f"a node with data {-1 if '+' in name else -6}", got=f"{out!r:.60}")
    return {**nodes, "a": a, "b": b}


def starts_right(seen, step, build):
    """The diagnosis of step 1: a new node holds its number, as a float, and a grad of 0.0."""
    if build is not _data_and_grad:
        return
    for name, number in (("MyValue(3.0)", 3.0), ("MyValue(-2)", -2.0)):
        if seen[f"{name}.data"] != number:
            raise Failure("MyValue(number).data must be that number, as a float.", expected=f"data = {number:g}",
                          got=f"data = {fmt(seen[f'{name}.data'])}")
        if seen[f"{name}.grad"] != 0:
            raise Failure("A new node's grad must start at 0.0: the backward pass adds (+=) into it.",
                          expected="grad = 0.0", got=f"grad = {fmt(seen[f'{name}.grad'])}")


def inputs_kept(seen, step, build):
    """The diagnosis of step 2: + and * left their inputs as they were."""
    if build is _add_mul_forward and (seen["a.data"], seen["b.data"]) != (2.0, -3.0):
        raise Failure("An operation must leave its inputs unchanged: build a new node for the result.")


def _chain(V):
    x, one, step = V(0.5), V(1.0), V(0.001)
    node = x
    for _ in range(5000):
        node = node * one + step
    node.backward()
    return {"the output": node, "x": x}


STEPS = (
    ("data and grad", [_data_and_grad]),
    ("the values of + and *", [_add_mul_forward]),
    ("backward()", [_lecture_01, _fork_add, _fork_mul, _fork_both, _shared_twice, _backward_twice, _chain]),
    ("a number on either side", [_numbers]),
    ("**, -, / and unary -", [
        _one_op("x ** 3", lambda v: v ** 3, 2.0), _one_op("x ** 0.5", lambda v: v ** 0.5, 2.25),
        _one_op("x ** -2", lambda v: v ** -2, -1.5), _one_op("-x", lambda v: -v, 2.0),
        _binary("x - y", lambda a, b: a - b, 2.0, -3.0), _one_op("1 - x", lambda v: 1 - v, 2.0),
        _binary("x / y", lambda a, b: a / b, 3.0, -4.0), _one_op("1 / x", lambda v: 1 / v, -4.0)]),
    ("exp, tanh, relu", [
        _one_op("x.exp()", lambda v: v.exp(), 0.5), _one_op("x.tanh()", lambda v: v.tanh(), 0.8),
        _one_op("x.relu()", lambda v: v.relu(), 2.0), _one_op("x.relu()", lambda v: v.relu(), -1.5),
        _one_op("x.relu()", lambda v: v.relu(), 0.0),
        _sigmoid_neuron, _staged_sigmoid, _tanh_neuron, *[_random_expression(s) for s in range(12)]]),
)
_sigmoid_neuron.__doc__ = "notebook 02's sigmoid neuron 1 / (1 + exp(-(w0·x0 + w1·x1 + w2)))"
_staged_sigmoid.__doc__ = "notebook 02's staged f = (x + σ(y)) / (σ(x) + (x + y)²) at x = 3, y = -4"
_lecture_01.__doc__ = "notebook 01's f = (x + y)·z at x = -2, y = 5, z = -4"
_fork_add.__doc__, _fork_mul.__doc__ = "a fork: b = a + a", "a fork: c = b * b"
_fork_both.__doc__, _shared_twice.__doc__ = "forks: f = (a·b)·(a + b)", "shared twice: b = a + a; c = b + b"
_backward_twice.__doc__ = "backward() called twice on f = (x + y)·z"
_numbers.__doc__ = "numbers on either side: 2·a + a·3 + 1 + (4 + a)·0.5"
_tanh_neuron.__doc__ = "the micrograd lecture's tanh neuron"


_chain.__doc__ = "a chain 10,000 operations deep"
_data_and_grad.__doc__ = "MyValue(3.0) and MyValue(-2) hold .data and .grad"
_add_mul_forward.__doc__ = "a + b and a * b return new nodes"


def _steps():
    """(step number, build) of every case, in order."""
    return [(number, build) for number, (_, builds) in enumerate(STEPS, 1) for build in builds]


def _cases():
    return [Case(build.__doc__, (number, build)) for number, build in _steps()]


# The names of the numbers compared: each named node's data and grad, over every case's graph.
OUTPUTS = tuple(dict.fromkeys(name for _, build in _steps() for name in _observe(build, MyValue)))
WRONG_NUMBER = ("This number is wrong: for a .data, check that operation's forward value; for a .grad, the local "
                "step of each operation between that node and the output.")


# The methods each step adds (step 1 is __init__, which every class has): the notebook's class starts with
# __init__ alone, and the learner adds the others step by step.
STEP_METHODS = {2: ("__add__", "__mul__"), 3: ("backward",), 4: ("__radd__", "__rmul__"),
                5: ("__pow__", "__neg__", "__sub__", "__rsub__", "__truediv__", "__rtruediv__"),
                6: ("exp", "tanh", "relu")}


def _written(Cls, method):
    return any(method in vars(base) for base in Cls.__mro__ if base is not object)


def _first_unwritten(Cls):
    """The first step with a method not written yet, when no later step has one written; else None (a missing
    method among written later ones is a mistake, which the cases show)."""
    missing = [step for step, methods in STEP_METHODS.items() if not all(_written(Cls, m) for m in methods)]
    if missing and not any(_written(Cls, m) for step in STEP_METHODS if step > missing[0]
                           for m in STEP_METHODS[step]):
        return missing[0]
    return None


def _not_written(step):
    done = [title for title, _ in STEPS[:step - 1]]
    passed = ("start with " if not done else f"step 1 passes ({done[0]}). Next: " if len(done) == 1 else
              f"steps 1-{step - 1} pass ({'; '.join(done)}). Next: ")
    later = " (the local steps of + and * are checked once backward() runs)" if step == 3 else ""
    return NotImplementedError(f"{passed}step {step}, {STEPS[step - 1][0]}{later}")


def observed(Cls, step, build):
    """The probe: every named node's data and grad after `build` ran with the learner's class (an empty array for a
    name this graph does not have). The first step whose methods still raise NotImplementedError (or are missing)
    stops the check, saying so; a crash the lecture explains gets its message."""
    if issubclass(Cls, autodiff.Node):
        raise Failure(USES_LIBRARY)
    unwritten = _first_unwritten(Cls)
    if unwritten is not None and step >= unwritten:
        missing = [f"`{m}`" for m in STEP_METHODS[unwritten] if not _written(Cls, m)]
        raise NotWrittenYet(f"{_not_written(unwritten)}: write {', '.join(missing[:-1])}"
                            f"{' and ' if len(missing) > 1 else ''}{missing[-1]} in your class")
    try:
        seen = _observe(build, Cls)
    except NotImplementedError:
        raise _not_written(step) from None
    except RecursionError:
        raise Failure(RECURSIVE if build is _chain else CIRCULAR, expected="a gradient",
                      got="RecursionError") from None
    except TypeError as exc:
        if "unsupported operand" in str(exc) and ("'int'" in str(exc) or "'float'" in str(exc)):
            raise Failure(REFLECTED, got=f"TypeError: {exc}") from None
        raise
    return Seen({name: seen.get(name, ()) for name in OUTPUTS})


def _advice(exc):
    if isinstance(exc, AttributeError) and ("'int'" in str(exc) or "'float'" in str(exc)):
        return "A plain number reached code that expects a node: in + and *, turn a number into a leaf first."
    return None


EXERCISE = Exercise(
    id="my_value",
    title="Your own scalar engine",
    notebook="04",
    section="8",
    points=6,
    prompt="Write a micrograd-style scalar class, one step at a time: data and grad; + and * with their local "
           "backward steps; backward(); a number on either side; **, -, / and unary -; exp, tanh and relu. "
           "The check tests the steps in order and tells you which one comes next.",
    reference=MyValue,
    cases=_cases,
    outputs=OUTPUTS,
    probe=observed,
    diagnoses=(starts_right, inputs_kept),
    otherwise=WRONG_NUMBER,
    rtol=1e-9,
    mistakes=MISTAKES + OTHER_MISTAKES,
    own_work=((value_module, USES_LIBRARY), (operators_module, USES_LIBRARY),
              (autodiff.topological_order, USES_LIBRARY)),
    hints=(
        "Each operation makes a new node from its inputs and gives it a local step: a small function that receives "
        "the node's upstream gradient and adds local × upstream into each input's .grad.",
        "backward() needs an order in which every node comes after its inputs, each node once, built without "
        "recursion. Which gradients must start again from 0.0 on a second call, and which must keep adding up?",
        "Numbers to check against: f = (x + y)·z at (−2, 5, −4) gives (x, y, z).grad = (−4, −4, 3), and a second "
        "f.backward() gives (−8, −8, 6) with q.grad still −4; b = a + a; c = b + b at a = 3 gives a.grad = 4; "
        "2·a + a·3 + 1 + (4 + a)·0.5 at a = 2 gives a.grad = 5.5.",
    ),
    advice=_advice,
    imports="import math",
    time_limit=20.0,
)
