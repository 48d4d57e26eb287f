"""Random `Value` expression trees against torch's 0-d float64 tensors: the value and every leaf's gradient."""

import math

import pytest

torch = pytest.importorskip("torch")

from hypothesis import given  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from backprop_course import Value  # noqa: E402

from .declared import PROGRAMS, case  # noqa: E402
from .harness import assert_close  # noqa: E402

# Each node kind on both engines. Guarded forms keep every tree inside the domain (log of 1 + a², a
# power of a positive base), so both engines compute a number; the edges are the special cases below.
NODES = {
    "+": lambda a, b: a + b,
    "-": lambda a, b: a - b,
    "*": lambda a, b: a * b,
    "/": lambda a, b: a / (b * b + 1),
    "** 2": lambda a, b: a**2,
    "** -1.5": lambda a, b: (a * a + 1) ** -1.5,
    "** Value": lambda a, b: (a * a + 1) ** b.tanh(),
    "2 **": lambda a, b: 2 ** b.tanh(),
    "neg": lambda a, b: -a,
    "exp": lambda a, b: a.tanh().exp(),
    "log": lambda a, b: (a * a + 1).log(),
    "tanh": lambda a, b: a.tanh(),
    "sigmoid": lambda a, b: a.sigmoid(),
    "relu": lambda a, b: a.relu(),
    "number +": lambda a, b: 3 + a,
    "number *": lambda a, b: -2.5 * a,
}


@st.composite
def trees(draw):
    """A tree as ([leaf values], [(node, operand, operand)]); operands index earlier nodes, so leaves are shared."""
    leaves = draw(st.lists(st.floats(-2, 2), min_size=1, max_size=4))
    steps = draw(st.lists(st.tuples(st.sampled_from(sorted(NODES)), st.integers(0, 99), st.integers(0, 99)),
                          min_size=1, max_size=12))
    return leaves, steps


def evaluate(leaves, steps, make):
    xs = [make(v) for v in leaves]
    pool = list(xs)
    for name, i, j in steps:
        pool.append(NODES[name](pool[i % len(pool)], pool[j % len(pool)]))
    return xs, pool[-1]


@pytest.mark.parametrize("check", [case("value:random trees", "trees")])
def test_value_trees_match_torch(check):
    @PROGRAMS
    @given(trees())
    def run(tree):
        leaves, steps = tree
        xs, out = evaluate(leaves, steps, Value)
        ts, ref = evaluate(leaves, steps, lambda v: torch.tensor(v, dtype=torch.float64, requires_grad=True))
        what = f"{steps} at {leaves}"
        assert isinstance(out, Value), what
        assert_close(out.data, ref.item(), f"{what}: value")
        out.backward()
        if not ref.requires_grad:
            return
        ref.backward()
        for k, (x, t) in enumerate(zip(xs, ts)):
            assert_close(x.grad, 0.0 if t.grad is None else t.grad.item(), f"{what}: gradient of leaf {k}",
                         scale_too=1.0)

    run()


# Edges where torch's float64 answer is a number (inf, nan or finite): the course must give it too, or refuse.
EDGES = {
    "0 ** -1": lambda a: a ** -1.0,
    "0 ** Value(0.5)": lambda a: 0 ** (a + 0.5),
    "Value(0) ** 0.5": lambda a: a**0.5,
    "exp(1000)": lambda a: (a + 1000).exp(),
    "(1e300) ** 2": lambda a: (a + 1e300) ** 2,
}


@pytest.mark.parametrize("name", [case(f"value:{name}", name) for name in EDGES])
def test_value_edges_match_torch_or_refuse_clearly(name):
    x = Value(0.0)
    t = torch.tensor(0.0, dtype=torch.float64, requires_grad=True)
    ref = EDGES[name](t)
    ref.backward()
    try:
        out = EDGES[name](x)
        out.backward()
    except (ValueError, ArithmeticError) as err:
        # A refusal is fine when it is the course's own message, not Python's.
        assert type(err) not in (ZeroDivisionError, OverflowError), f"{name}: Python's own error: {err!r}"
        return
    assert_close(out.data, ref.item(), f"{name}: value")
    assert_close(x.grad, t.grad.item(), f"{name}: gradient")
    assert not math.isnan(out.data) or math.isnan(ref.item())
