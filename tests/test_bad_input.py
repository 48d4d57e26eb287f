"""Bad input gets a clear error that names what went wrong."""

import numpy as np
import pytest

from backprop_course import Function, Tensor, Value
from backprop_course.autodiff import GraphFreedError


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
    with pytest.raises(ValueError, match=r"TwoInputsOneGrad\.backward returned 1 gradient\(s\).*2 input"):
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
