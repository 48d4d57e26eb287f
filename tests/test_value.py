"""Value, the scalar front-end: operators, graph attributes, accumulation, deep graphs."""

import math
import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st
from strategies import FAST, floats

from backprop_course import Value


def numeric(f, *xs, eps=1e-6):
    """Central differences of a float function of floats, one partial per argument."""
    out = []
    for i in range(len(xs)):
        plus, minus = list(xs), list(xs)
        plus[i] += eps
        minus[i] -= eps
        out.append((f(*plus) - f(*minus)) / (2 * eps))
    return out


def check(f, *xs):
    """f on Values must match f on floats, and its gradients central differences."""
    vs = [Value(x) for x in xs]
    out = f(*vs)
    assert isinstance(out, Value) and type(out.data) is float
    assert out.data == pytest.approx(f(*xs), rel=1e-12, abs=1e-12)
    out.backward()
    for v, num in zip(vs, numeric(f, *xs), strict=True):
        assert type(v.grad) is float
        assert v.grad == pytest.approx(num, rel=1e-5, abs=1e-6)


numbers = st.sampled_from([2, -3, 0.5, -1.25, 7.0])

BINARY = {
    "+": lambda a, b: a + b,
    "-": lambda a, b: a - b,
    "*": lambda a, b: a * b,
    "/": lambda a, b: a / b,
}


@pytest.mark.parametrize("symbol", BINARY)
@FAST
@given(x=floats(0.5, 3.0), y=floats(0.5, 3.0), c=numbers)
def test_binary_operators_with_numbers_on_either_side(symbol, x, y, c):
    op = BINARY[symbol]
    check(op, x, y)
    check(lambda a: op(a, c), x)  # Value op number
    check(lambda a: op(c, a), x)  # number op Value (the reflected operator)
    check(lambda a: op(a, a), x)  # the same Value twice


@FAST
@given(x=floats(0.5, 3.0), y=floats(-2.0, 2.0), k=st.integers(-3, 3))
def test_powers(x, y, k):
    check(lambda a, b: a**b, x, y)  # Value exponent
    check(lambda a: a**y, x)  # float exponent
    check(lambda a: a**k, -x)  # int exponent, negative base
    check(lambda a: 2**a, y)  # rpow
    check(lambda a: x**a, y)


@FAST
@given(x=floats(-3.0, 3.0))
def test_unary_functions(x):
    check(lambda a: -a, x)
    check(lambda a: a.exp() if isinstance(a, Value) else math.exp(a), x)
    check(lambda a: a.tanh() if isinstance(a, Value) else math.tanh(a), x)
    check(lambda a: a.sigmoid() if isinstance(a, Value) else 1 / (1 + math.exp(-a)), x)
    check(lambda a: a.log() if isinstance(a, Value) else math.log(a), abs(x) + 0.1)
    if abs(x) > 1e-3:  # relu has a kink at 0
        check(lambda a: a.relu() if isinstance(a, Value) else max(a, 0.0), x)


def test_relu_and_sigmoid_values():
    assert Value(-2.0).relu().data == 0.0
    assert Value(2.5).relu().data == 2.5
    assert Value(0.0).sigmoid().data == 0.5


def test_zero_base_edge_cases():
    x = Value(0.0)
    (x**0).backward()
    assert x.grad == 0.0  # the derivative of a constant, not 0 * inf
    x, y = Value(0.0), Value(2.0)
    (x**y).backward()
    assert (x.grad, y.grad) == (0.0, 0.0)  # lim x->0 of x**y * log(x) is 0
    x, y = Value(-2.0), Value(2.0)
    (x**y).backward()
    assert x.grad == -4.0 and math.isnan(y.grad)  # no real log of a negative base
    x = Value(0.0)
    (x**0.5).backward()
    assert x.grad == math.inf  # the square root's slope at 0, not a ZeroDivisionError


def test_ints_become_floats():
    v = Value(3)
    assert type(v.data) is float and type(v.grad) is float
    out = v * 2
    assert type(out.data) is float


# graph attributes -------------------------------------------------------------
def test_parents_in_argument_order_and_op():
    a, b = Value(1.0, label="a"), Value(2.0, label="b")
    assert a.parents == () and a.op == "" and a.is_leaf
    assert a.label == "a"
    c = b - a
    assert c.parents[0] is b and c.parents[1] is a and c.op == "-"
    d = a + a
    assert len(d.parents) == 2 and d.parents[0] is a and d.parents[1] is a  # both edges kept
    assert (a * b).op == "*" and (a / b).op == "/" and (a**2).op == "**"
    assert a.sigmoid().op == "σ" and a.relu().op == "relu" and a.exp().op == "exp"
    assert a.tanh().op == "tanh" and a.log().op == "log"
    assert not c.is_leaf and c.label == ""
    c.label = "c"
    assert c.label == "c"


def test_constant_operand_becomes_a_parent():
    a = Value(3.0)
    out = 2 * a
    assert len(out.parents) == 2 and out.parents[1] is a and out.parents[0].data == 2.0


def test_a_plus_a_counts_both_edges():
    a = Value(3.0)
    b = a + a
    b.backward()
    assert a.grad == 2.0


def test_diamond_graph_is_topologically_ordered():
    # b = a + a; c = b + b: a naive pre-order traversal would push b's gradient twice.
    a = Value(1.5)
    b = a + a
    c = b + b
    c.backward()
    assert (b.grad, a.grad) == (2.0, 4.0)


# accumulation -----------------------------------------------------------------
def test_leaves_accumulate_across_backward_calls():
    x = Value(3.0)
    y = x * x
    y.backward()
    assert x.grad == 6.0
    y.backward()
    assert x.grad == 12.0  # leaves accumulate, like PyTorch
    x.grad = 0.0
    y.backward()
    assert x.grad == 6.0


def test_intermediates_are_not_double_counted():
    x = Value(2.0)
    b = x * x
    c = b + b
    for calls in (1, 2, 3):
        c.backward()
        assert b.grad == 2.0  # recomputed, not accumulated
        assert x.grad == 8.0 * calls


def test_leaf_shared_by_two_graphs_accumulates():
    x = Value(2.0)
    (x * 3).backward()
    (x * x).backward()
    assert x.grad == 3.0 + 4.0


def test_deep_chain_of_a_million_ops_at_default_recursion_limit():
    assert sys.getrecursionlimit() <= 10_000
    x = Value(0.5)
    y = x
    for _ in range(1_000_000):
        y = y + 1.0
    y.backward()
    assert y.data == 1_000_000.5
    assert x.grad == 1.0


# Value builds its common nodes without Function.apply, and backpropagates with inline rules; both
# must give what the generic engine gives, bit for bit (signed zeros, inf and NaN included).
FAST_PATH = {
    "a + b": lambda a, b: a + b, "a + 2": lambda a, b: a + 2, "2 + a": lambda a, b: 2 + a,
    "a - b": lambda a, b: a - b, "3 - a": lambda a, b: 3 - a, "a * b": lambda a, b: a * b,
    "a * a": lambda a, b: a * a, "-1.5 * a": lambda a, b: -1.5 * a, "-a": lambda a, b: -a,
    "relu": lambda a, b: a.relu(), "tanh": lambda a, b: a.tanh(), "exp": lambda a, b: (a * b).exp(),
}
SPECIAL = [0.0, -0.0, 1.5, -2.0, math.inf, -math.inf, math.nan, 800.0]


def _bits(x):
    return math.copysign(1, x), x if x == x else "nan"


@pytest.mark.parametrize("name", FAST_PATH)
def test_built_in_ops_match_the_generic_engine_bit_for_bit(name):
    from backprop_course import autodiff

    class Slow(Value):  # a subclass takes Function.apply and the generic backward
        __slots__ = ()

    f = FAST_PATH[name]
    for x in SPECIAL:
        for y in SPECIAL:
            for seed in (1.0, -0.0, math.inf):
                fast, slow = (Value(x), Value(y)), (Slow(x), Slow(y))
                out_fast, out_slow = f(*fast), f(*slow)
                assert type(out_fast) is Value
                assert _bits(out_fast.data) == _bits(out_slow.data) and out_fast.op == out_slow.op
                out_fast.backward(seed)
                autodiff.backward(out_slow, seed, retain_graph=True)
                for v, s in zip(fast, slow, strict=True):
                    assert _bits(v.grad) == _bits(s.grad), (name, x, y, seed)


def test_an_input_that_gets_no_gradient_reads_zero_and_a_failed_backward_changes_no_leaf():
    from backprop_course import Function

    class FirstOnly(Function):
        @staticmethod
        def forward(ctx, x, y):
            return x * 2

        @staticmethod
        def backward(ctx, g):
            return 2 * g, None

    class Broken(Function):
        @staticmethod
        def forward(ctx, x):
            return x

        @staticmethod
        def backward(ctx, g):
            raise ArithmeticError("planted")

    x, y = Value(1.0), Value(math.inf)
    inner = y.exp()  # inf: a -0.0 * inf would be NaN if it were pushed back
    out = FirstOnly.apply(x, inner) * 3
    out.backward()
    assert (x.grad, inner.grad, y.grad) == (6.0, 0.0, 0.0)
    assert math.copysign(1, inner.grad) == 1
    x.grad = 5.0
    with pytest.raises(ArithmeticError, match="planted"):
        (Broken.apply(x * 2) + x).backward()
    assert x.grad == 5.0


def test_a_function_of_three_values_keeps_its_parents_in_order():
    from backprop_course import Function

    class Fma(Function):  # x * y + z, written out by hand
        @staticmethod
        def forward(ctx, x, y, z):
            ctx.save_for_backward(x, y)
            return x * y + z

        @staticmethod
        def backward(ctx, g):
            x, y = ctx.saved_tensors
            return y * g, x * g, g

    a, b, c = Value(2.0), Value(3.0), Value(4.0)
    out = Fma.apply(a, Fma.apply(b, c, a).relu(), c)  # c twice, a at both ends
    assert out.parents[0] is a and out.parents[2] is c and out.parents[1].parents[0].parents == (b, c, a)
    out.backward()
    assert out.data == 2.0 * (3.0 * 4.0 + 2.0) + 4.0
    assert (a.grad, b.grad, c.grad) == (14.0 + 2.0, 2.0 * 4.0, 2.0 * 3.0 + 1.0)


@pytest.mark.parametrize("name", FAST_PATH)
def test_built_in_ops_record_nothing_under_no_grad_or_a_disabled_engine(name):
    from backprop_course import autodiff, no_grad

    a, b = Value(1.5), Value(-2.0)
    with no_grad():
        assert not autodiff.is_grad_enabled()
        out = FAST_PATH[name](a, b)
    assert autodiff.is_grad_enabled() and out.parents == () and out.is_leaf
    with pytest.raises(RuntimeError, match="recorded no graph"):
        out.backward()
    with autodiff.differentiation_disabled("by hand"), pytest.raises(autodiff.DifferentiationDisabled, match="by hand"):
        FAST_PATH[name](a, b)
    assert FAST_PATH[name](a, b).parents  # recording again afterwards
