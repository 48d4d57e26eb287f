"""Notebook 01: the backward pass of f = (x + y)·z, by hand."""

from ..cases import points
from ..checking import ADD_COPIES, CHAIN_RULE, HARDCODED, MUL_SWAPS, SIGN
from ..registry import Case, Exercise, Mistake


def scalar_backward(x, y, z):
    """Return (df/dx, df/dy, df/dz) for f = (x + y) * z, working right to left through the graph."""
    q = x + y                 # forward: the add node
    grad_f = 1.0              # df/df
    grad_z = q * grad_f       # mul gate: the *other* input times upstream
    grad_q = z * grad_f
    grad_x = 1.0 * grad_q     # add gate: local gradient 1, so it copies upstream
    grad_y = 1.0 * grad_q
    return grad_x, grad_y, grad_z


EXERCISE = Exercise(
    id="scalar_backward",
    title="Backward through f = (x + y)·z",
    notebook="01",
    section="3",
    points=2,
    prompt="Write the backward pass of f = (x + y)·z by hand: return (df/dx, df/dy, df/dz) for any x, y, z.",
    reference=scalar_backward,
    cases=lambda: [*points((-2.0, 5.0, -4.0), 1, 5, -5, 5, "xyz"), Case("x = 1.5, y = -1.5, z = 2", (1.5, -1.5, 2.0)),
                   # Large inputs: exact for derived gradients, where finite differences lose digits to rounding.
                   Case("x = 123456789.123, y = 0.25, z = -3.7", (123456789.123, 0.25, -3.7))],
    outputs=("df/dx", "df/dy", "df/dz"),
    by_hand=True,
    mistakes=(
        Mistake(lambda x, y, z: (z / 2, z / 2, x + y), ADD_COPIES),
        Mistake(lambda x, y, z: (x + y, x + y, z), MUL_SWAPS),
        Mistake(lambda x, y, z: (1.0, 1.0, x + y), CHAIN_RULE),
        Mistake(lambda x, y, z: (-4.0, -4.0, 3.0), HARDCODED),
        Mistake(lambda x, y, z: (x * z, y * z, x + y),
                "The add gate's local gradient is 1 for each input, not the input itself: df/dx = df/dq, "
                "with no factor x."),
        Mistake(lambda x, y, z: (z, z, (x + y) * z),
                "df/dz is the mul gate's *other* input, q = x + y, not f itself."),
        Mistake(lambda x, y, z: (-z, -z, -(x + y)), SIGN),
    ),
    hints=(
        "Name the add node q = x + y, so f = q·z. Go right to left, starting from df/df = 1.",
        "What does each gate send back? The backward pass drawn above shows it: the mul node and the add node "
        "follow different patterns.",
        "Numbers to check against: at (−2, 5, −4) the answer is (−4, −4, 3); at (1, 2, 5) it is (5, 5, 3).",
    ),
)
