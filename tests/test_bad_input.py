"""Bad input gets a clear error that names what went wrong."""

import numpy as np
import pytest

from backprop_course import Function, Tensor, Value
from backprop_course.autodiff import GraphFreedError
from backprop_course.nn import cross_entropy


@pytest.mark.parametrize("bad", ["3", None, [1.0], 1j, True])
def test_value_of_a_non_number(bad):
    with pytest.raises(TypeError, match=f"Value needs a real number, got {type(bad).__name__}"):
        Value(bad)


def test_value_plus_str_either_side():
    with pytest.raises(TypeError, match=r"Value \+ str"):
        Value(1.0) + "a"
    with pytest.raises(TypeError, match=r"Value \+ str"):
        "a" + Value(1.0)
    with pytest.raises(TypeError, match=r"Value \* str"):
        Value(1.0) * "a"
    with pytest.raises(TypeError, match=r"Value \*\* str"):
        Value(1.0) ** "a"


def test_value_domain_errors_name_the_value():
    with pytest.raises(ValueError, match="positive.*-1"):
        Value(-1.0).log()
    with pytest.raises(ZeroDivisionError, match="division by zero"):
        Value(1.0) / 0
    with pytest.raises(ValueError, match="complex"):
        Value(-8.0) ** (1 / 3)


def test_tensor_of_strings_is_rejected():
    with pytest.raises(TypeError, match="Tensor needs real numbers.*<U"):
        Tensor(["a", "b"])
    with pytest.raises(TypeError, match="Tensor needs"):
        Tensor([1.0, 2.0]) + "a"
    with pytest.raises(TypeError, match="Tensor needs"):
        Tensor(None)


def test_integer_arrays_are_cast_to_float64():
    t = Tensor(np.array([1, 2, 3], dtype=np.int32), requires_grad=True)
    assert t.dtype == np.float64
    (t * t).sum().backward()
    assert t.grad.dtype == np.float64 and t.grad.data.tolist() == [2.0, 4.0, 6.0]


def test_float32_stays_float32():
    t = Tensor(np.ones(3, np.float32), requires_grad=True)
    y = (t * 2 + 1).exp().sum()
    assert y.dtype == np.float32
    y.backward()
    assert t.grad.dtype == np.float32


@pytest.mark.parametrize("sx, sy", [((2, 3), (2, 3)), ((3,), (4,)), ((2, 3), (4,)), ((5, 2, 3), (4, 3, 2))])
def test_matmul_shape_mismatch_names_both_shapes(sx, sy):
    x, y = Tensor(np.ones(sx), requires_grad=True), Tensor(np.ones(sy))
    with pytest.raises(ValueError, match="matmul shape mismatch") as err:
        x @ y
    assert str(sx) in str(err.value) and str(sy) in str(err.value)


def test_matmul_of_a_scalar_is_rejected():
    with pytest.raises(ValueError, match=r"at least 1-D.*\(\) and \(2,\)"):
        Tensor(2.0) @ Tensor([1.0, 2.0])


def test_backward_on_non_scalar_needs_grad():
    x = Tensor(np.ones((2, 3)), requires_grad=True)
    with pytest.raises(RuntimeError, match=r"scalar.*\(2, 3\)"):
        (x * 2).backward()
    with pytest.raises(ValueError, match=r"\(3,\).*\(2, 3\)"):
        (x * 2).backward(np.ones(3))


def test_backward_without_requires_grad():
    with pytest.raises(RuntimeError, match="requires_grad"):
        (Tensor([1.0]) * 2).sum().backward()


def test_second_backward_through_freed_graph():
    x = Tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    y.backward()
    with pytest.raises(GraphFreedError, match="second time.*retain_graph=True"):
        y.backward()
    assert isinstance(GraphFreedError("x"), RuntimeError)


class TwoInputsOneGrad(Function):
    @staticmethod
    def forward(ctx, x, y):
        return x * y

    @staticmethod
    def backward(ctx, grad):
        return grad  # one gradient for two inputs


class WrongShape(Function):
    @staticmethod
    def forward(ctx, x):
        return x * 2

    @staticmethod
    def backward(ctx, grad):
        return np.ones(5)


class ExtraLeadingAxis(Function):
    @staticmethod
    def forward(ctx, x):
        return x * 2

    @staticmethod
    def backward(ctx, grad):
        return np.ones((3,) + grad.shape)  # broadcastable to the input, but the output never had that axis


class ArrayForAValue(Function):
    @staticmethod
    def forward(ctx, x):
        return x * 2

    @staticmethod
    def backward(ctx, grad):
        return np.ones(2)


@pytest.mark.parametrize("make", [lambda: (Value(1.0), Value(2.0)),
                                  lambda: (Tensor([1.0], requires_grad=True), Tensor([2.0], requires_grad=True))])
def test_custom_function_returning_wrong_count(make):
    a, b = make()
    out = TwoInputsOneGrad.apply(a, b)
    with pytest.raises(ValueError, match=r"TwoInputsOneGrad\.backward returned 1 gradient\(s\).*2 Value/Tensor input"):
        out.sum().backward() if isinstance(out, Tensor) else out.backward()


def test_custom_function_returning_wrong_shape():
    x = Tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(ValueError, match=r"WrongShape\.backward.*shape \(5,\).*shape \(2,\)"):
        WrongShape.apply(x).sum().backward()
    with pytest.raises(ValueError, match=r"ExtraLeadingAxis\.backward.*shape \(3, 2\).*shape \(2,\)"):
        ExtraLeadingAxis.apply(x).sum().backward()
    with pytest.raises(ValueError, match=r"ArrayForAValue\.backward.*must be a real number"):
        ArrayForAValue.apply(Value(1.0)).backward()


def test_matrix_transpose_of_a_vector():
    with pytest.raises(ValueError, match=r"at least 2.*\(3,\)"):
        _ = Tensor([1.0, 2.0, 3.0]).mT


# clear messages, one case each ------------------------------------------------------------------
@pytest.mark.parametrize("result", ["text", None, [1.0], (1.0, 2.0)], ids=["str", "None", "list", "tuple"])
@pytest.mark.parametrize("x", [Value(1.0), Tensor([1.0], requires_grad=True)], ids=["Value", "Tensor"])
def test_a_forward_returning_a_non_number_is_named(result, x):
    class Odd(Function):
        @staticmethod
        def forward(ctx, x):
            return result

        @staticmethod
        def backward(ctx, g):
            return g

    with pytest.raises(TypeError, match=rf"Odd\.forward returned {type(result).__name__}.* must return one"):
        Odd.apply(x)


def test_apply_refuses_to_mix_a_value_and_a_tensor():
    class Both(Function):
        @staticmethod
        def forward(ctx, x, y):
            return x

        @staticmethod
        def backward(ctx, g):
            return g, g

    with pytest.raises(TypeError, match=r"Both\.apply got Tensor and Value inputs.*can't be mixed"):
        Both.apply(Value(1.0), Tensor([1.0]))


def test_a_function_without_backward_is_named():
    class OnlyForward(Function):
        @staticmethod
        def forward(ctx, x):
            return 2 * x

    with pytest.raises(NotImplementedError, match=r"OnlyForward has no backward: define @staticmethod backward"):
        OnlyForward.apply(Value(1.0)).backward()


@pytest.mark.parametrize(("call", "error", "words"), [
    (lambda: Tensor(np.zeros(0)).max(), ValueError, r"max of an empty tensor \(shape \(0,\)\)"),
    (lambda: Tensor(np.zeros((2, 0))).max(axis=1), ValueError, "max of an empty tensor"),
    (lambda: Tensor(np.ones((2, 2))).sum(axis=1.5), TypeError, r"sum: axis must be None, an int or a tuple of ints"),
    (lambda: Tensor(np.ones((2, 2))).max(axis=(0, 0)), ValueError, "names the same dimension twice"),
    (lambda: Tensor(np.ones((2, 2))).mean(axis=2), ValueError, "out of range for a tensor with 2 dimension"),
], ids=["max-empty", "max-empty-axis", "sum-float-axis", "max-repeated-axis", "mean-axis-out-of-range"])
def test_reduction_arguments(call, error, words):
    with pytest.raises(error, match=words):
        call()


def test_cross_entropy_target_too_large_to_be_a_class():
    with pytest.raises(ValueError, match=r"targets must lie in \[0, 2\) for 2 classes; got 1e\+20 at position 0"):
        cross_entropy(Tensor([[1.0, 2.0]]), np.array([1e20]))


def test_grad_assignment_needs_a_tensor_of_the_right_shape():
    t = Tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(TypeError, match=r"\.grad must be a Tensor.*got list"):
        t.grad = [1.0]
    with pytest.raises(ValueError, match=r"\.grad must have its tensor's shape \(2,\), got shape \(3,\)"):
        t.grad = Tensor([1.0, 2.0, 3.0])
    t.grad = Tensor([0.5, 0.5])
    assert t.grad.data.tolist() == [0.5, 0.5]


@pytest.mark.parametrize("make", [lambda: Value(1.0, label=5), lambda: Tensor([1.0], label=5)], ids=["Value", "Tensor"])
def test_a_label_must_be_a_string(make):
    with pytest.raises(TypeError, match="a label must be a string.*got int 5"):
        make()
