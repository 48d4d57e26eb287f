"""Notebook 12: return a start from which the stuck network learns; the grader trains it to judge it."""

import numpy as np

from ..checking import Failure, Seen, fmt
from ..registry import Case, Exercise, Mistake
from ..wont_learn import HIDDEN, LR, STEPS, TARGET, dead_units, loss, moons, stuck_net, train

STILL_DEAD = ("All 16 hidden units are still 0 for every one of the 200 points (z = X·W1 + b1 ≤ 0 everywhere), so no "
              "gradient reaches W1 or b1, and W2 sees only zeros: the loss stays at log 2 = 0.693. The bias holds "
              "every unit below 0: where should a ReLU's bias start?")
ALL_ZERO = ("With W1 = 0 every unit computes the same z = b1 for every point: nothing tells the units apart, and "
            "with b1 ≤ 0 nothing passes the ReLU at all. Keep W1's random values: they break the symmetry.")
ALWAYS_ON = ("Every hidden unit is now positive for all 200 points: the ReLU never bends, so the network is a linear "
             "model (section 1), whose boundary is a straight line that cannot separate the moons. Start the units "
             "with some points on each side of 0.")


PARAMS = ("W1", "b1", "W2", "b2")


def revive(params):
    """Return new parameters [W1, b1, W2, b2], of the same shapes as `params` (the stuck
    network's), from which gradient descent learns. Do not change `params` itself."""
    W1, b1, W2, b2 = params
    return [W1.copy(), np.zeros_like(b1), W2.copy(), b2.copy()]


def probe(answer, seed):
    """The learner's start for the stuck network of this seed, as four named arrays."""
    out = answer(stuck_net(seed))
    if not (isinstance(out, (list, tuple)) and len(out) == 4):
        raise Failure("Return a list of the four parameters [W1, b1, W2, b2].", got=type(out).__name__)
    return Seen(zip(PARAMS, out, strict=True))  # plain numbers, which the grader judges itself


def learns_from(seen, seed):
    """The diagnosis: raise a Failure unless the learner's start is of the right shapes and training on the moons
    from it, for the stuck network of this seed, brings the loss below TARGET."""
    out = [seen[name] for name in PARAMS]
    X, y = moons()
    stuck = stuck_net(seed)
    for name, got, want in zip(PARAMS, out, stuck, strict=True):
        if got.shape != want.shape:
            raise Failure(f"{name} must keep its shape: the network is the same, only its start changes.",
                          expected=f"{name}: shape {want.shape}", got=f"{name}: shape {got.shape}")
    if not np.all(out[0] == 0) and dead_units(out, X) == HIDDEN:
        raise Failure(STILL_DEAD)
    if np.all(out[0] == 0):
        raise Failure(ALL_ZERO)
    if (X @ out[0] + out[1] > 0).all():
        raise Failure(ALWAYS_ON)
    final = loss(train(out, X, y)[1], X, y)
    if not final < TARGET:
        raise Failure(f"After {STEPS} steps at lr {LR} the loss is {fmt(final)}, still above {TARGET}; "
                      f"{dead_units(out, X)} of {HIDDEN} hidden units start dead for every point.",
                      expected=f"loss < {TARGET}", got=f"loss {fmt(final)}")


EXERCISE = Exercise(
    id="revive",
    title="A start from which the network learns",
    notebook="12",
    section="14",
    points=2,
    prompt="Return a start [W1, b1, W2, b2] for the stuck network from which gradient descent learns: the check "
           f"trains it {STEPS} steps at lr {LR} with the course's mlp_backward, and the loss must fall below {TARGET}.",
    reference=revive,
    cases=lambda: [Case(f"the stuck network (seed 1): same shapes, live units, {STEPS} steps bring the loss below "
                        f"{TARGET}", (1,)),
                   Case("the same from the stuck network with seed 2", (2,)),
                   Case("the same from the stuck network with seed 3", (3,))],
    outputs=(),  # many starts learn: the diagnosis decides
    probe=probe,
    diagnoses=(learns_from,),
    mistakes=(
        Mistake(lambda params: params, STILL_DEAD),
        Mistake(lambda params: [params[0], params[1], params[2] * 10, params[3]], STILL_DEAD),
        Mistake(lambda params: [np.zeros_like(params[0]), np.zeros_like(params[1]), params[2], params[3]], ALL_ZERO),
        Mistake(lambda params: [params[0], np.full_like(params[1], 5.0), params[2], params[3]], ALWAYS_ON),
    ),
    hints=(
        "The backward pass is right, so the fix is in the start: which parameter keeps every z below 0?",
        "A unit passes a gradient only for points where its z = x·w + b is above 0. Some points on each side of 0 "
        "let a unit bend the boundary.",
        f"Check it: after your fix, the dead-unit count should be 0 of {HIDDEN}, and {STEPS} steps at lr {LR} should "
        "bring the loss from about 0.83 to about 0.10.",
    ),
    imports="import numpy as np",
)
