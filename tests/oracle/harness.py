"""Running one computation on both engines, and comparing what comes out."""

import numpy as np
import torch

import backprop_course as bc
from backprop_course import autograd

from .declared import TOLERANCE, choice


def assert_close(ours, theirs, what, scale_too=()):
    """Equal shapes, NaN where torch has NaN, infinities equal, finite values within the dtype's rounding.

    The absolute slack scales with the largest finite entry of torch's answer, and of `scale_too` (a
    second-order gradient is made of first-order terms, which its rounding is relative to); never with
    a floor that would hide a tiny value. Below the normal range the dtype's own spacing is the floor (a
    float32 gradient of 1e-42 has an absolute rounding of 1.4e-45, whatever its relative tolerance).
    """
    ours_arr, theirs_arr = np.asarray(ours), np.asarray(theirs)
    assert ours_arr.shape == theirs_arr.shape, f"{what}: shape {ours_arr.shape}, torch {theirs_arr.shape}"
    dtype = ours_arr.dtype if ours_arr.dtype.kind == "f" else np.dtype(np.float64)
    tol = TOLERANCE[np.dtype(np.float32) if dtype == np.float32 else np.dtype(np.float64)]
    theirs64 = theirs_arr.astype(np.float64)
    magnitudes = np.concatenate([np.ravel(theirs64), np.ravel(np.asarray(scale_too, dtype=np.float64))])
    finite = np.abs(magnitudes[np.isfinite(magnitudes)])
    scale = finite.max() if finite.size else 0.0
    atol = max(tol["atol"] * scale, 2 * np.finfo(dtype).smallest_subnormal)
    np.testing.assert_allclose(ours_arr.astype(np.float64), theirs64, rtol=tol["rtol"], atol=atol,
                               equal_nan=True, err_msg=f"{what} (ours, then torch's)")


def numpy_dtype(arrays):
    """The dtype NumPy's rules give the result (the course's choice "numpy promotion")."""
    choice("numpy promotion")
    return np.result_type(*arrays)


def leaves(arrays, lib):
    """Leaves that require grad, built from float arrays; the reference's cast to NumPy's result dtype.

    Both keep the arrays' dtypes (float64 unless drawn float32): the course's "float64 default" is
    never left to torch's float32 default.
    """
    choice("float64 default")
    if lib == "ours":
        return [bc.Tensor(a, requires_grad=True) for a in arrays]
    dtype = numpy_dtype(arrays) if len(arrays) > 1 else arrays[0].dtype
    return [torch.tensor(np.asarray(a, dtype=dtype), requires_grad=True) for a in arrays]


def data(t):
    if t is None:
        return None
    return t.detach().numpy(force=True) if isinstance(t, torch.Tensor) else np.asarray(t.data)


def grad_fn(lib):
    return autograd.grad if lib == "ours" else torch.autograd.grad


def first_and_second_order(fn, arrays, lib, cotangent, weights):
    """fn's output; the gradients of <out, cotangent>; and the gradients of <those gradients, weights>.

    First order by .backward() (what learners call), second order by a create_graph=True gradient
    differentiated again (double backward). An input a gradient does not reach gets zeros.
    """
    xs = leaves(arrays, lib)
    out = fn(*xs)
    result = {"out": data(out), "dtype": data(out).dtype}
    if not out.requires_grad:
        return result
    cot = _like(cotangent, out, lib)
    out.backward(cot)
    result["grad"] = [_or_zeros(x.grad, x) for x in xs]
    xs = leaves(arrays, lib)
    out = fn(*xs)
    gs = grad_fn(lib)(out, xs, grad_outputs=_like(cotangent, out, lib), create_graph=True, allow_unused=True)
    terms = [(g * _like(w, g, lib)).sum() for g, w in zip(gs, weights) if g is not None and g.requires_grad]
    if terms:
        total = sum(terms)
        # An explicit seed: the second order is checked apart from how a seed is made.
        second = grad_fn(lib)(total, xs, grad_outputs=_like(np.ones(1), total, lib), allow_unused=True)
        result["grad2"] = [_or_zeros(g, x) for g, x in zip(second, xs)]
    else:
        result["grad2"] = [np.zeros(x.shape, data(x).dtype) for x in xs]
    return result


def _like(array, t, lib):
    shape = tuple(t.shape)
    array = np.asarray(array, dtype=data(t).dtype).reshape(-1)[: int(np.prod(shape))].reshape(shape)
    return bc.Tensor(array) if lib == "ours" else torch.from_numpy(array.copy())


def _or_zeros(g, x):
    return np.zeros(x.shape, data(x).dtype) if g is None else data(g)


def compare_results(ours, theirs, what):
    assert ours["dtype"] == theirs["dtype"], f"{what}: dtype {ours['dtype']}, torch {theirs['dtype']}"
    assert_close(ours["out"], theirs["out"], f"{what}: value")
    assert ("grad" in ours) == ("grad" in theirs), f"{what}: requires_grad differs from torch's"
    for i, (a, b) in enumerate(zip(ours.get("grad", ()), theirs.get("grad", ()))):
        assert_close(a, b, f"{what}: gradient of input {i}")
    for i, (a, b) in enumerate(zip(ours.get("grad2", ()), theirs.get("grad2", ()))):
        assert_close(a, b, f"{what}: second-order gradient of input {i}", scale_too=theirs["grad"][i])


def run_both(fn_ours, fn_theirs, arrays, seed, what):
    """Run both engines on `arrays`; where torch refuses the inputs, the course must refuse them too."""
    rng = np.random.default_rng(seed)
    cotangent = rng.standard_normal(4096)  # its first out.size entries seed the backward pass
    weights = [rng.standard_normal(a.shape) for a in arrays]
    with np.errstate(all="ignore"):
        try:
            fn_theirs(*leaves(arrays, "theirs"))
        except (RuntimeError, IndexError, ValueError, TypeError) as refusal:
            try:
                fn_ours(*leaves(arrays, "ours"))
            except Exception:
                return
            raise AssertionError(f"{what}: torch refuses ({refusal}), the course computes something") from None
        theirs = first_and_second_order(fn_theirs, arrays, "theirs", cotangent, weights)
        ours = first_and_second_order(fn_ours, arrays, "ours", cotangent, weights)
    compare_results(ours, theirs, what)
