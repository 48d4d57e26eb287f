"""Check analytic gradients against central differences, in float64."""

from dataclasses import dataclass

import numpy as np

from .autodiff import no_grad
from .tensor import Tensor
from .value import Value


class GradcheckError(AssertionError):
    """Raised when analytic and numeric gradients disagree; `.report` has the details."""

    def __init__(self, message, report):
        super().__init__(message)
        self.report = report


@dataclass
class InputReport:
    index: int
    max_abs_error: float
    max_rel_error: float
    worst_index: tuple
    analytic: float
    numeric: float
    ok: bool

    def __str__(self):
        mark = "ok  " if self.ok else "FAIL"
        if not (np.isfinite(self.analytic) and np.isfinite(self.numeric)):
            which = "analytic" if not np.isfinite(self.analytic) else "numeric"
            return (f"{mark} input {self.index}: the {which} gradient is {getattr(self, which)} at index "
                    f"{self.worst_index} (analytic {self.analytic:.6g}, numeric {self.numeric:.6g})")
        return (f"{mark} input {self.index}: max abs error {self.max_abs_error:.3g}, "
                f"max rel error {self.max_rel_error:.3g} at {self.worst_index} "
                f"(analytic {self.analytic:.6g}, numeric {self.numeric:.6g})")


def _leaves(arrays, scalar):
    if scalar:
        return [Value(float(a)) for a in arrays]
    return [Tensor(a, requires_grad=True) for a in arrays]


def _objective(func, leaves, weights):
    """func's output reduced to a scalar by fixed random weights (a random projection)."""
    out = func(*leaves)
    if isinstance(out, Value):
        return out
    if not isinstance(out, Tensor):
        raise TypeError(f"gradcheck: func must return a Value or Tensor, got {type(out).__name__}")
    if weights[0] is None:
        weights[0] = np.random.default_rng(0).standard_normal(out.shape)
    return (out * weights[0]).sum() if out.ndim else out


def gradcheck(func, inputs, eps=1e-6, atol=1e-5, rtol=1e-3):
    """Return True if func's gradients match central differences, else raise GradcheckError.

    `inputs` are Values or Tensors (one or a sequence); they are copied to float64
    and never modified. A non-scalar output is checked through a random projection.
    """
    inputs = tuple(inputs) if isinstance(inputs, (list, tuple)) else (inputs,)
    scalar = all(isinstance(x, Value) for x in inputs)
    if not scalar and not all(isinstance(x, (Tensor, np.ndarray)) for x in inputs):
        raise TypeError("gradcheck: inputs must be all Values or all Tensors")
    base = [np.array(x.data if hasattr(x, "data") else x, dtype=np.float64) for x in inputs]
    weights = [None]

    leaves = _leaves(base, scalar)
    _objective(func, leaves, weights).backward()
    analytic = [np.zeros_like(b) if leaf.grad is None else np.asarray(getattr(leaf.grad, "data", leaf.grad), float)
                for b, leaf in zip(base, leaves, strict=True)]

    def f(arrays):
        with no_grad():
            return float(np.asarray(_objective(func, _leaves(arrays, scalar), weights).data))

    reports = []
    for i, b in enumerate(base):
        numeric = np.zeros_like(b)
        for idx in np.ndindex(b.shape):
            arrays = [a.copy() for a in base]
            arrays[i][idx] = b[idx] + eps
            plus = f(arrays)
            arrays[i][idx] = b[idx] - eps
            numeric[idx] = (plus - f(arrays)) / (2 * eps)
        abs_err = np.abs(analytic[i] - numeric)
        rel_err = abs_err / np.maximum(np.abs(numeric), 1e-12)
        # NaN or inf in either gradient is a failure (a comparison with NaN is never true), reported first.
        bad = ~(abs_err <= atol + rtol * np.abs(numeric)) | ~np.isfinite(analytic[i]) | ~np.isfinite(numeric)
        nonfinite = ~(np.isfinite(analytic[i]) & np.isfinite(numeric))
        worst = (np.unravel_index(np.argmax(nonfinite if nonfinite.any() else abs_err), b.shape)
                 if b.size else ())
        reports.append(InputReport(i, float(np.nanmax(abs_err, initial=0) if not nonfinite.any() else np.inf),
                                   float(np.nanmax(rel_err, initial=0) if not nonfinite.any() else np.inf),
                                   tuple(int(k) for k in worst), float(analytic[i][worst] if b.size else 0),
                                   float(numeric[worst] if b.size else 0), not bad.any()))
    if all(r.ok for r in reports):
        return True
    text = "\n".join(str(r) for r in reports)
    raise GradcheckError(f"gradcheck failed: analytic and numeric gradients differ\n{text}", reports)
