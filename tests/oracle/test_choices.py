"""Each declared course choice holds as documented, and really differs from torch (so the oracle's adjustment
is needed, not a cover for a bug)."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")
# torch warns when a non-leaf's .grad is read: that is the choice being checked
pytestmark = pytest.mark.filterwarnings("ignore:The .grad attribute of a Tensor that is not a leaf")

import backprop_course as bc  # noqa: E402

from .declared import COURSE_CHOICES  # noqa: E402
from .ops_table import OPS_BY_NAME  # noqa: E402


def _float64_default():
    ours, theirs = bc.Tensor([1, 2]).dtype, torch.tensor([1.0, 2.0]).dtype
    return ours == np.float64, theirs == torch.float64


def _intermediate_grad():
    x = bc.tensor([1.0, 2.0], requires_grad=True)
    h = x * 3
    (h * h).sum().backward()
    xt = torch.tensor([1.0, 2.0], requires_grad=True)
    ht = xt * 3
    (ht * ht).sum().backward()
    return h.grad is not None and np.allclose(h.grad.data, 2 * h.data), ht.grad is not None


def _first_maximum():
    x = bc.tensor([3.0, 1.0, 3.0], requires_grad=True)
    x.max().backward()
    xt = torch.tensor([3.0, 1.0, 3.0], requires_grad=True)
    xt.max().backward()
    a, b = bc.tensor([2.0], requires_grad=True), bc.tensor([2.0], requires_grad=True)
    a.maximum(b).sum().backward()
    ours = x.grad.data.tolist() == [1.0, 0.0, 0.0] and (a.grad.item(), b.grad.item()) == (1.0, 0.0)
    return ours, xt.grad.tolist() == [1.0, 0.0, 0.0]


def _numpy_promotion():
    ours = (bc.Tensor(np.ones(2, np.float32)) * bc.Tensor(2.0)).dtype
    theirs = (torch.ones(2) * torch.tensor(2.0, dtype=torch.float64)).dtype
    return ours == np.float64, theirs == torch.float64


def _signed_zero():
    x = bc.tensor([-0.0], requires_grad=True)
    x.sqrt().sum().backward()
    xt = torch.tensor([-0.0], requires_grad=True)
    xt.sqrt().sum().backward()
    return x.grad.item() == np.inf, xt.grad.item() == np.inf


def _scaled_norm():
    x = bc.tensor([1e-300, 1e-300], requires_grad=True)
    x.norm().backward()
    xt = torch.tensor([1e-300, 1e-300], dtype=torch.float64, requires_grad=True)
    xt.norm().backward()
    exact = np.sqrt(2) * 1e-300, [2**-0.5] * 2
    return np.isclose(x.norm().item(), exact[0]) and np.allclose(x.grad.data, exact[1]), (
        np.isclose(xt.norm().item(), exact[0]) and np.allclose(xt.grad, exact[1]))


# choice -> a check returning (the course does as documented, torch does the same)
HOLDS = {"float64 default": _float64_default, "intermediate grad": _intermediate_grad,
         "first maximum": _first_maximum, "numpy promotion": _numpy_promotion, "signed zero": _signed_zero,
         "scaled norm": _scaled_norm}


def test_every_choice_has_a_check_and_every_adjusted_op_names_a_choice():
    assert set(HOLDS) == set(COURSE_CHOICES)
    assert {op.choice for op in OPS_BY_NAME.values()} - {None} <= set(COURSE_CHOICES)


@pytest.mark.parametrize("name", sorted(COURSE_CHOICES))
def test_choice_holds_and_differs_from_torch(name):
    ours_as_documented, torch_agrees = HOLDS[name]()
    assert ours_as_documented, f"the course no longer does what the choice {name!r} documents"
    assert not torch_agrees, f"torch now agrees with {name!r}: drop the choice and the oracle's adjustment"
