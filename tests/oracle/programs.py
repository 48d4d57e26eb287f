"""Random programs: a few smooth ops of the translation table chained over two inputs, for the transforms."""

from dataclasses import dataclass

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from .ops_table import OPS_BY_NAME

# Ops that keep the broadcast shape and are smooth on moderate inputs (so both engines see the same
# branch everywhere); two-input ones combine any two earlier values.
UNARY = ["sin", "cos", "tanh", "sigmoid", "neg", "x ** 2", "exp", "softmax(axis=-1)", "log_softmax(axis=-1)",
         "sum(dim=0, keepdim=True)", "x * -3", "1.5 - x"]
BINARY = ["x + y", "x - y", "x * y", "maximum"]
STEPS = UNARY + BINARY


@dataclass(frozen=True)
class Program:
    steps: tuple  # (op name, index of first operand, index of second operand)

    def __call__(self, lib):
        """The program as a function f(x, y) on the course's Tensors ("ours") or torch's ("theirs")."""
        return lambda x, y: self.run(lib, x, y)[-1]

    def run(self, lib, x, y):
        """Every value the program computes, in order: x, y, one per step, and the output last."""
        pool = [x, y]
        for name, i, j in self.steps:
            op = OPS_BY_NAME[name]
            fn = op.ours if lib == "ours" else op.reference
            args = (pool[i % len(pool)],) if op.arity == 1 else (pool[i % len(pool)], pool[j % len(pool)])
            pool.append(fn(*args))
        return pool + [pool[-1] + x * y]  # every output depends on both inputs, in the broadcast shape

    def __repr__(self):
        return f"Program({list(self.steps)})"


@st.composite
def programs(draw):
    """(program, x, y): y's shape broadcasts against x's; values moderate, float64."""
    shape = draw(hnp.array_shapes(min_dims=1, max_dims=2, min_side=1, max_side=3))
    y_shape = draw(st.sampled_from([shape, shape[-1:], (1,) * len(shape)]))
    steps = draw(st.lists(st.tuples(st.sampled_from(STEPS), st.integers(0, 9), st.integers(0, 9)),
                          min_size=1, max_size=4))
    values = st.floats(-2.0, 2.0)
    x = draw(hnp.arrays(np.float64, shape, elements=values))
    y = draw(hnp.arrays(np.float64, y_shape, elements=values))
    return Program(tuple(steps)), x, y
