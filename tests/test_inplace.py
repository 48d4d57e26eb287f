"""In-place writes around a graph: each case where PyTorch raises also raises here (at the write), and
writes that can't harm a graph keep working."""

import numpy as np
import pytest

from backprop_course import Tensor, no_grad
from backprop_course.write_lock import WriteLock

torch = pytest.importorskip("torch")

SAVED = "saved it to compute gradients and has not run backward"


def both(values=(1.0, 2.0, 3.0)):
    """The same leaf here and in torch."""
    return Tensor(np.array(values), requires_grad=True), torch.tensor(values, dtype=torch.float64, requires_grad=True)


def test_zero_of_a_saved_result_raises_as_in_torch():
    x, tx = both()
    ty = tx.exp()
    ty.zero_()
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        (ty * tx).sum().backward()
    y = x.exp()  # Exp saves its result, so zero_ must not swap in a fresh array behind the graph's back
    with no_grad(), pytest.raises(RuntimeError, match=SAVED):
        y.zero_()
    (y * x).sum().backward()  # the write was refused, so the gradient is torch's without it
    _, tx = both()
    (tx.exp() * tx).sum().backward()
    np.testing.assert_allclose(x.grad.data, tx.grad.numpy(), rtol=1e-15)


def test_zero_writes_into_the_same_array():
    g = Tensor([1.0, -2.0])
    data = g.data
    assert g.zero_() is g and g.data is data and data.tolist() == [0.0, 0.0]


def test_a_view_taken_before_the_forward_pass_is_locked_with_it():
    x, tx = both()
    td = tx.detach()
    tloss = (tx * tx).sum()
    with torch.no_grad():
        td += 10
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        tloss.backward()

    d = x.detach()
    loss = (x * x).sum()
    with no_grad():
        with pytest.raises(RuntimeError, match=SAVED):
            d += 10
        with pytest.raises(ValueError, match="read-only"):
            d.data[0] = 10  # through numpy too
    loss.backward()
    np.testing.assert_array_equal(x.grad.data, [2.0, 4.0, 6.0])
    with no_grad():
        d += 10  # the graph has let go: the view is writable again, and it is x's memory
    assert x.data.tolist() == [11.0, 12.0, 13.0]


def test_a_detach_taken_while_locked_is_writable_after_backward():
    x, _ = both()
    loss = (x * x).sum()
    d = x.detach()
    with no_grad(), pytest.raises(RuntimeError, match=SAVED):
        d += 1
    loss.backward()
    with no_grad():
        d += 1
    assert x.data.tolist() == [2.0, 3.0, 4.0]


def test_a_view_of_a_result_says_it_is_a_view():
    x, _ = both()
    with no_grad():
        v = x.reshape(3, 1)
        with pytest.raises(RuntimeError, match="view of another tensor"):
            v += 1


def test_two_graphs_hold_an_array_until_both_let_go():
    x, _ = both()
    first, second = (x * x).sum(), (x * 3).sum()
    first.backward()
    with no_grad(), pytest.raises(RuntimeError, match=SAVED):
        x -= 1
    second.backward()
    with no_grad():
        x -= 1
    assert x.data.tolist() == [0.0, 1.0, 2.0]


def test_the_lock_owns_what_it_locks():
    lock, a = WriteLock(), np.ones(3)
    view = lock.detach(a)
    token = lock.lock([a, a[1:]])
    assert lock.holds(a) and lock.holds(view) and not view.flags.writeable
    del a  # the lock keeps the array alive, so its id can't be taken by another array
    b = np.ones(3)
    assert not lock.holds(b)
    lock.unlock(token)
    assert not lock.holds(view) and view.flags.writeable


WRITE_LOCKED = "from backprop_course import Tensor\nx = Tensor([1.0, 2.0], requires_grad=True)\nloss = (x * x).sum()\n"


@pytest.mark.parametrize("where", ["script", "ipython"])
def test_a_numpy_write_into_locked_data_is_explained(where):
    import subprocess
    import sys

    if where == "script":
        code = WRITE_LOCKED + "x.data[0] = 5\n"
    else:
        code = ("from IPython.core.interactiveshell import InteractiveShell\nshell = InteractiveShell.instance()\n"
                f"shell.run_cell({WRITE_LOCKED!r})\nshell.run_cell('x.data[0] = 5')\n")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    shown = run.stderr + run.stdout
    assert "assignment destination is read-only" in shown
    assert "a graph holds it for backward" in shown and "Run backward first" in shown
