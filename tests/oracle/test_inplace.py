"""In-place writes against torch's version counters: where torch refuses, the course refuses (at the write or
at backward); where torch computes, the course computes the same."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")

import backprop_course as bc  # noqa: E402

from .declared import case  # noqa: E402
from .harness import assert_close  # noqa: E402

LIBS = {"ours": (lambda a: bc.tensor(a, requires_grad=True), bc.no_grad),
        "theirs": (lambda a: torch.tensor(a, dtype=torch.float64, requires_grad=True), torch.no_grad)}


def _zero_intermediate(lib):
    leaf, _ = LIBS[lib]
    x = leaf([0.5, -1.0])
    y = x.exp()
    y.zero_()
    (y * x).sum().backward()
    return x.grad


def _write_through_early_detach(lib):
    leaf, no_grad = LIBS[lib]
    x = leaf([1.0, 2.0])
    d = x.detach()
    loss = (x * x).sum()
    with no_grad():
        d += 10
    loss.backward()
    return x.grad


def _optimizer_step(lib):
    leaf, no_grad = LIBS[lib]
    w = leaf([1.0, -2.0])
    (w * w * w).sum().backward()
    with no_grad():
        w -= 0.1 * w.grad
    (w * w).sum().backward()
    return w.detach(), w.grad


def _write_after_backward(lib):
    leaf, no_grad = LIBS[lib]
    x = leaf([1.0, 3.0])
    (x * x).sum().backward()
    with no_grad():
        x *= 2
    (x.exp()).sum().backward()
    return x.grad


SCENARIOS = {"zero_ of an intermediate": _zero_intermediate,
             "write through a detach taken before forward": _write_through_early_detach,
             "optimizer step": _optimizer_step, "write after backward": _write_after_backward}


@pytest.mark.parametrize("name", [case(f"inplace:{name}", name) for name in SCENARIOS])
def test_inplace_matches_torch(name):
    try:
        expected = SCENARIOS[name]("theirs")
    except RuntimeError:
        with pytest.raises(Exception):  # noqa: B017 - torch refuses; the course must too, never a wrong gradient
            SCENARIOS[name]("ours")
        return
    got = SCENARIOS[name]("ours")
    pairs = zip(got, expected) if isinstance(got, tuple) else [(got, expected)]
    for a, b in pairs:
        assert_close(np.asarray(a.data), b.detach().numpy(), name)
