"""`jacobian_size_calculator`: why backprop never builds the Jacobians of y = x·W."""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np

from ..checks import positive_int
from ..func import format_bytes, jacobian_nbytes
from .base import Explorer

DTYPES = ("float16", "float32", "float64")


def human_bytes(n):
    """Binary units, with the decimal size next to big numbers: '256 GiB (274.9 GB)'."""
    text = format_bytes(n)
    return text if n < 2**30 else f"{text} ({n / 1e9:,.1f} GB)"


def jacobian_bytes(n, d, m, dtype="float32"):
    """Bytes of each array, as a dict: the two Jacobians and the VJP's inputs and outputs."""
    size = np.dtype(dtype).itemsize
    return {
        "dy/dx": jacobian_nbytes((n, m), (n, d), dtype),
        "dy/dW": jacobian_nbytes((n, m), (d, m), dtype),
        "dL/dy": n * m * size,
        "dL/dx": n * d * size,
        "dL/dW": d * m * size,
    }


class JacobianSizeCalculator(Explorer):
    """Number boxes `.sliders["N"]`, `["D"]`, `["M"]` and a dropdown `["dtype"]`; `.sizes` holds the bytes."""

    def __init__(self, n, d, m, dtype):
        box = {"min": 1, "max": 10**7, "layout": widgets.Layout(width="12em")}
        sliders = {
            "N": widgets.BoundedIntText(value=n, description="N (batch)", **box),
            "D": widgets.BoundedIntText(value=d, description="D (inputs)", **box),
            "M": widgets.BoundedIntText(value=m, description="M (outputs)", **box),
            "dtype": widgets.Dropdown(options=DTYPES, value=dtype, description="dtype"),
        }
        super().__init__(sliders, widgets.HBox(list(sliders.values())))

    def _update(self):
        n, d, m = (self.values[k] for k in "NDM")
        dtype = self.values["dtype"]
        self.sizes = b = jacobian_bytes(n, d, m, dtype)
        text = (f"y = x·W with x {n}×{d} and W {d}×{m} in {dtype}\n"
                f"Jacobian dy/dx: ({n}·{d})×({n}·{m}) = {n * d * n * m:,} numbers = {human_bytes(b['dy/dx'])}\n"
                f"Jacobian dy/dW: ({d}·{m})×({n}·{m}) = {d * m * n * m:,} numbers = {human_bytes(b['dy/dW'])}\n"
                f"VJP instead: dL/dy {human_bytes(b['dL/dy'])} in, dL/dx {human_bytes(b['dL/dx'])} "
                f"and dL/dW {human_bytes(b['dL/dW'])} out (each the size of its matrix)")
        self.show("", text)


def jacobian_size_calculator(N=64, D=4096, M=4096, dtype="float32"):  # noqa: N803 - the lecture's names
    """Bytes of the Jacobians of y = x·W next to the bytes a VJP needs.

    The defaults are the lecture's: dy/dx alone is 256 GiB in float32, dy/dW 16 TiB.
    """
    if dtype not in DTYPES:
        raise ValueError(f"dtype must be one of {DTYPES}, got {dtype!r}")
    N, D, M = (positive_int(v, name) for name, v in (("N", N), ("D", D), ("M", M)))  # noqa: N806
    return JacobianSizeCalculator(N, D, M, dtype)
