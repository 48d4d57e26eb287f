"""Every exercise: the reference passes, each declared mistake gets exactly its message, stubs and crashes are
reported, and "by hand" means by hand (no engine, no central differences, no wrapper of the library)."""

import contextlib
import io
import math

import numpy as np
import pytest

from backprop_course import Function, Tensor, Value, func, topological_order
from backprop_course.exercises import EXERCISES, check, reference_source, stub_source
from backprop_course.exercises.checking import BY_HAND, IN_PLACE, NUMERIC
from backprop_course.exercises.sources import STUB_LINE

IDS = list(EXERCISES)
MISTAKES = [pytest.param(ex.id, i, id=f"{ex.id}-{i}") for ex in EXERCISES.values() for i in range(len(ex.mistakes))]


@pytest.fixture(autouse=True)
def progress_file(tmp_path, monkeypatch):
    monkeypatch.setenv("BACKPROP_COURSE_PROGRESS", str(tmp_path / "progress.json"))
    return tmp_path / "progress.json"


def _define(source, name):
    namespace = {}
    exec(compile(source, f"<{name}>", "exec"), namespace)
    return namespace[name]


@pytest.mark.parametrize("exercise_id", IDS)
def test_reference_passes(exercise_id):
    ex = EXERCISES[exercise_id]
    result = check(exercise_id, ex.reference)
    assert result, result
    assert result.passed and result.status == "passed"
    assert result.points == result.max_points == ex.points
    assert len(result.tested) >= 3


@pytest.mark.parametrize("exercise_id", IDS)
def test_reference_source_passes_when_run_as_a_cell(exercise_id):
    ex = EXERCISES[exercise_id]
    assert check(exercise_id, _define(reference_source(exercise_id), ex.name))


@pytest.mark.parametrize("exercise_id", IDS)
def test_has_at_least_three_mistakes_and_hints(exercise_id):
    ex = EXERCISES[exercise_id]
    assert len(ex.mistakes) >= 3
    assert len(ex.hints) >= 2
    assert ex.reference.__doc__, "the docstring is the task the stub shows"
    assert len({m.message for m in ex.mistakes}) >= 3


@pytest.mark.parametrize(("exercise_id", "index"), MISTAKES)
def test_each_mistake_gets_exactly_its_message(exercise_id, index):
    mistake = EXERCISES[exercise_id].mistakes[index]
    result = check(exercise_id, mistake.answer)
    assert not result
    assert result.status == "incorrect", result
    assert result.points == 0
    assert result.message == mistake.message, result


@pytest.mark.parametrize("exercise_id", IDS)
def test_stub_is_reported_not_raised(exercise_id):
    ex = EXERCISES[exercise_id]
    source = stub_source(exercise_id)
    assert STUB_LINE in source
    result = check(exercise_id, _define(source, ex.name))
    assert not result
    assert result.status == "not attempted"
    assert "Not attempted yet" in result.message


@pytest.mark.parametrize("exercise_id", IDS)
def test_crashing_answer_is_reported_with_its_type_and_line(exercise_id):
    ex = EXERCISES[exercise_id]
    source = stub_source(exercise_id).replace(STUB_LINE, "return {}['no such key']")
    result = check(exercise_id, _define(source, ex.name))
    assert result.status == "error", result
    assert "KeyError" in result.message
    assert "line " in result.message and ", in " in result.message


# By hand means by hand -------------------------------------------------------------------------------
def _central(f, point, h=1e-6):
    """Central differences of a scalar f at point: what a learner might return instead of the gradient."""
    grads = []
    for i in range(len(point)):
        up, down = list(point), list(point)
        up[i] += h
        down[i] -= h
        grads.append((f(*up) - f(*down)) / (2 * h))
    return grads


def _engine_scalar(x, y, z):
    vx, vy, vz = Value(x), Value(y), Value(z)
    ((vx + vy) * vz).backward()
    return vx.grad, vy.grad, vz.grad


def _engine_neuron(*p):
    leaves = [Value(v) for v in p]
    w0, x0, w1, x1, w2 = leaves
    out = (w0 * x0 + w1 * x1 + w2).sigmoid()
    out.backward()
    return (out.data, *(v.grad for v in leaves))


def _engine_fork(x, y):
    vx, vy = Value(x), Value(y)
    out = (vx + vy.sigmoid()) / (vx.sigmoid() + (vx + vy) ** 2)
    out.backward()
    return out.data, vx.grad, vy.grad


def _func_fork(x, y):
    def f(a, b):
        return (a + b.sigmoid()) / (a.sigmoid() + (a + b) ** 2)
    dx, dy = func.grad(f, argnums=(0, 1))(Tensor(x), Tensor(y))
    return f(Tensor(x), Tensor(y)).item(), dx.item(), dy.item()


def _engine_relu(x, g):
    t = Tensor(x, requires_grad=True)
    t.relu().backward(g)
    return t.grad.numpy()


def _vjp_relu(x, g):
    return func.vjp(lambda t: t.relu(), Tensor(x))[1](Tensor(g))[0].numpy()


def _engine_matmul(x, W, g):
    tx, tW = Tensor(x, requires_grad=True), Tensor(W, requires_grad=True)
    (tx @ tW).backward(g)
    return tx.grad.numpy(), tW.grad.numpy()


def _fork_value(x, y):
    s = lambda v: 1 / (1 + math.exp(-v))  # noqa: E731
    return (x + s(y)) / (s(x) + (x + y) ** 2)


def _neuron_value(w0, x0, w1, x1, w2):
    return 1 / (1 + math.exp(-(w0 * x0 + w1 * x1 + w2)))


def _central_neuron(*p):
    return (_neuron_value(*p), *_central(_neuron_value, p))


def _central_relu(x, g):
    return g * np.array(_central(lambda *v: np.maximum(v[0], 0), [x]) if False else
                        [(max(v + 1e-6, 0) - max(v - 1e-6, 0)) / 2e-6 for v in x.ravel()]).reshape(x.shape)


def _central_matmul(x, W, g):
    def loss(xx, WW):
        return float(((xx @ WW) * g).sum())
    h, grads = 1e-6, []
    for k, a in enumerate((x, W)):
        grad = np.zeros_like(a)
        for i in np.ndindex(a.shape):
            up, down = a.copy(), a.copy()
            up[i] += h
            down[i] -= h
            args_up, args_down = [x, W], [x, W]
            args_up[k], args_down[k] = up, down
            grad[i] = (loss(*args_up) - loss(*args_down)) / (2 * h)
        grads.append(grad)
    return tuple(grads)


ENGINE = [("scalar_backward", _engine_scalar), ("neuron_flat_backward", _engine_neuron),
          ("fork_backward", _engine_fork), ("fork_backward", _func_fork), ("relu_vjp", _engine_relu),
          ("relu_vjp", _vjp_relu), ("matmul_backward", _engine_matmul)]
CENTRAL = [("scalar_backward", lambda x, y, z: tuple(_central(lambda a, b, c: (a + b) * c, (x, y, z)))),
           ("neuron_flat_backward", _central_neuron),
           ("fork_backward", lambda x, y: (_fork_value(x, y), *_central(_fork_value, (x, y)))),
           ("matmul_backward", _central_matmul)]


@pytest.mark.parametrize(("exercise_id", "answer"), ENGINE, ids=[f"{e}-{a.__name__}" for e, a in ENGINE])
def test_using_the_engine_in_a_by_hand_exercise_is_refused(exercise_id, answer):
    result = check(exercise_id, answer)
    assert result.status == "incorrect" and result.message == BY_HAND, result


@pytest.mark.parametrize(("exercise_id", "answer"), CENTRAL, ids=[e for e, _ in CENTRAL])
def test_central_differences_are_a_near_miss(exercise_id, answer):
    result = check(exercise_id, answer)
    assert result.status == "incorrect" and result.message == NUMERIC, result


@pytest.mark.parametrize("h", [1e-4, 1e-2, 1.0])
def test_scalar_backward_by_central_differences_fails_at_large_inputs_whatever_the_step(h):
    def scalar_backward(x, y, z):
        return tuple(_central(lambda a, b, c: (a + b) * c, (x, y, z), h))

    result = check("scalar_backward", scalar_backward)
    assert result.message == NUMERIC and "123456789" in result.case, result


def test_relu_by_central_differences_fails():
    assert not check("relu_vjp", _central_relu)


class _Sigmoid(Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return 1 / (1 + np.exp(-x))


class _SigmoidByEngine(_Sigmoid):
    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        t = Tensor(x, requires_grad=True)
        t.sigmoid().backward(np.broadcast_to(g, np.shape(x)))
        return t.grad.numpy()


class _SigmoidByDifferences(_Sigmoid):
    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        h = 1e-6
        return g * (_SigmoidByDifferences.forward(ctx, x + h) - _SigmoidByDifferences.forward(ctx, x - h)) / (2 * h)


def test_a_sigmoid_whose_backward_calls_the_engine_is_refused():
    assert check("sigmoid_function", _SigmoidByEngine).message == BY_HAND


def test_a_sigmoid_whose_backward_differences_its_forward_is_a_near_miss():
    result = check("sigmoid_function", _SigmoidByDifferences)
    assert result.status == "incorrect" and "numerical approximation" in result.message, result


def test_wrappers_of_the_library_are_found_by_behaviour():
    from backprop_course.exercises.catalog.n04a_topological_order import OWN as OWN_ORDER
    from backprop_course.exercises.catalog.n08c_hvp import OWN as OWN_HVP

    assert check("topological_order", lambda r: topological_order(r)).message == OWN_ORDER
    assert check("topological_order", lambda r: list(reversed(list(reversed(topological_order(r)))))
                 ).message == OWN_ORDER
    assert check("hvp", lambda f, x, v: func.hvp(f, (Tensor(x),), (Tensor(v),))[1][0].numpy()).message == OWN_HVP
    jvp_of_grad = lambda f, x, v: func.jvp(func.grad(f), (Tensor(x),), (Tensor(v),))[1].numpy()  # noqa: E731
    assert check("hvp", jvp_of_grad).message == OWN_HVP


# Item by item: what a plausible wrong answer is told ---------------------------------------------------
def test_a_sigmoid_that_edits_its_saved_output_in_place_is_told_so_at_the_array_case():
    mistake = next(m for m in EXERCISES["sigmoid_function"].mistakes if m.message == IN_PLACE)
    assert "arrays" in check("sigmoid_function", mistake.answer).case


def test_a_function_that_writes_into_its_input_is_told_so_and_the_reference_is_not():
    from backprop_course.exercises.catalog.n03b_sigmoid_function import Sigmoid as Reference
    from backprop_course.exercises.functions import by_hand, unchanged

    class Sigmoid(Function):
        @staticmethod
        def forward(ctx, x):
            if isinstance(x, np.ndarray):
                np.negative(x, out=x)  # x is now -x
                x = -x
            return Reference.forward(ctx, x)

        @staticmethod
        def backward(ctx, g):
            return Reference.backward(ctx, g)

    result = check("sigmoid_function", Sigmoid)
    assert result.message == IN_PLACE and "arrays" in result.case, result
    x, g = np.array([0.5, -2.0]), np.ones(2)
    unchanged(by_hand(Reference, (x.copy(),), g), "by hand", (x,), g)  # the reference's numbers pass


def test_a_backward_returning_none_is_told_a_return_is_missing():
    class Sigmoid(_Sigmoid):
        @staticmethod
        def backward(ctx, g):
            ctx.saved_tensors  # noqa: B018

    assert check("sigmoid_function", Sigmoid).message == "dL/dx is None: is a `return` missing?"


def test_jacobian_bytes_as_an_integral_float_is_accepted():
    assert check("jacobian_bytes", lambda N, D, M, b=4: float(N * D * N * M * b))


def test_relu_vjp_that_prints_a_lot_is_not_told_it_built_a_jacobian():
    def relu_vjp(x, g):
        with contextlib.redirect_stdout(io.StringIO()):
            print("x" * 5_000_000)
        return g * (x > 0)

    assert check("relu_vjp", relu_vjp)


def test_hvp_that_prints_a_lot_is_not_told_it_formed_the_hessian():
    def hvp(f, x, v):
        with contextlib.redirect_stdout(io.StringIO()):
            print("x" * 5_000_000)
        return EXERCISES["hvp"].reference(f, x, v)

    assert check("hvp", hvp)


def test_the_reported_line_is_the_learner_s():
    class Sigmoid(_Sigmoid):
        @staticmethod
        def backward(ctx, g):
            return g * undefined_name  # noqa: F821

    result = check("sigmoid_function", Sigmoid)
    assert result.status == "error" and "undefined_name" in result.message and "in backward" in result.message


def test_a_list_as_the_visited_set_is_told_about_list_membership():
    def topological_order(root):
        order, visited, stack = [], [], [(root, False)]
        while stack:
            node, done = stack.pop()
            if done:
                order.append(node)
            elif node not in visited:
                visited.append(node)
                stack.append((node, True))
                stack.extend((p, False) for p in node.parents if p not in visited)
        return order

    result = check("topological_order", topological_order, time_limit=1)
    assert result.status in ("timeout", "passed"), result  # a very fast machine may finish
    if result.status == "timeout":
        assert "make `visited` a set" in result.message


def test_the_library_s_own_backward_rules_are_not_by_hand():
    from backprop_course import ops
    from backprop_course.autodiff import Context
    from backprop_course.exercises.checking import LIBRARY_FUNCTION, LIBRARY_RULE

    def relu_vjp(x, g):
        ctx = Context()
        ops.ReLU.forward(ctx, x)
        return ops.ReLU.backward(ctx, g)

    class Sigmoid(ops.Sigmoid):
        pass

    class Borrowed(Function):
        forward, backward = ops.Sigmoid.forward, ops.Sigmoid.backward

    class Delegates(Function):
        @staticmethod
        def forward(ctx, x):
            return ops.Sigmoid.forward(ctx, x)

        @staticmethod
        def backward(ctx, g):
            return ops.Sigmoid.backward(ctx, g)

    assert check("relu_vjp", relu_vjp).message == LIBRARY_RULE
    assert check("sigmoid_function", Sigmoid).message == LIBRARY_FUNCTION
    assert check("sigmoid_function", Borrowed).message == LIBRARY_FUNCTION
    assert check("sigmoid_function", Delegates).message == LIBRARY_RULE


def test_jacobian_bytes_asking_the_library_is_not_counting():
    from backprop_course.exercises.catalog.n06b_jacobian_bytes import OWN_COUNT

    def jacobian_bytes(N, D, M, bytes_per_float=4):
        return func.jacobian_nbytes((N * M,), (N * D,), np.dtype(f"f{bytes_per_float}"))

    assert check("jacobian_bytes", jacobian_bytes).message == OWN_COUNT


def test_a_multiply_that_asks_needs_input_grad_passes_in_every_way():
    # the by-hand run gives its ctx inputs that all need a gradient, as the engine would
    from backprop_course.exercises.catalog.n03d_multiply_function import Multiply as Reference

    class Multiply(Reference):
        @staticmethod
        def backward(ctx, g):
            x, y = ctx.saved_tensors
            need_x, need_y = ctx.needs_input_grad
            return (y * g if need_x else None), (x * g if need_y else None)

    result = check("multiply_function", Multiply)
    assert result.passed, result.message


def test_relu_vjp_names_the_array_it_wrote_into():
    from backprop_course.exercises.side_effects import WROTE_INTO

    def into_x(x, g):
        x[x <= 0] = 0
        return g * (x > 0)

    assert check("relu_vjp", into_x).message == WROTE_INTO.format("x")

    def into_grad_y(x, g):
        g *= x > 0
        return g

    assert check("relu_vjp", into_grad_y).message == WROTE_INTO.format("grad_y")


@pytest.mark.parametrize("exercise_id", ["relu_vjp", "matmul_backward", "jacobian_bytes", "norm_backward",
                                         "dual_numbers", "jacobian_passes", "hvp", "train_step", "mlp_backward",
                                         "diagnosis", "revive"])
def test_the_last_hint_is_something_to_check_not_code(exercise_id):
    last = EXERCISES[exercise_id].hint_texts()[-1]
    assert any(ch.isdigit() for ch in last), last
    assert not any(code in last for code in ("np.", " @ ", ".T ", "Tensor(", ".sum(", "outer(", "backward(")), last


CHECKABLE_LAST_HINT = ("scalar_backward", "topological_order", "sigmoid_function", "fork_backward", "max_gate",
                       "neuron_flat_backward", "multiply_function", "my_value")


@pytest.mark.parametrize("exercise_id", CHECKABLE_LAST_HINT)
def test_the_last_hint_gives_numbers_to_check_against_not_code(exercise_id):
    last = EXERCISES[exercise_id].hint_texts()[-1]
    assert last.startswith("Numbers to check against") and any(ch.isdigit() for ch in last)
    assert not any(code in last for code in ("def ", "return ", "+=", "ctx.", "np.", "`"))


def test_a_recursion_error_on_a_small_graph_is_not_told_about_deep_chains():
    from backprop_course.exercises.catalog.n04a_topological_order import RECURSION

    def topological_order(root):  # recurses without end, on any graph
        return topological_order(root)

    result = check("topological_order", topological_order)
    assert result.status == "error" and result.message != RECURSION
    assert result.case == "the lecture's graph f = (x + y)·z"


def test_a_pre_order_read_backwards_is_not_called_a_reversed_order():
    from backprop_course.exercises.catalog.n04a_topological_order import PREORDER, _preorder

    result = check("topological_order", lambda root: _preorder(root)[::-1])
    assert result.status == "incorrect" and "shared" in result.case and result.message != PREORDER
    assert check("topological_order", _preorder).message == PREORDER
