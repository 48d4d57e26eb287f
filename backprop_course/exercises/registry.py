"""The course's exercises, by id, in course order, and the one shape every exercise has.

An exercise is a reference answer, a check, its mistakes and its hints, registered
next to the reference:

    def scalar_backward(x, y, z):
        '''Return (df/dx, df/dy, df/dz) for f = (x + y) * z.'''      # the task the stub shows
        ...                                                          # the model answer

    register(Exercise(
        id="scalar_backward", title="Backward through f = (x + y)·z", notebook="01", section="3", points=2,
        prompt="...", reference=scalar_backward,
        cases=lambda: [Case("the lecture's point", (-2.0, 5.0, -4.0)), ...],   # the check: what to try
        outputs=("df/dx", "df/dy", "df/dz"),                                   # ...and what comes back
        mistakes=(Mistake(lambda x, y, z: (z / 2, z / 2, x + y), ADD_COPIES), ...),
        hints=("Name the add node q = x + y ...", ...),
        by_hand=True,
    ))

The runner does the rest (runner.grade): it checks the kind of submission (a function,
a `Function` subclass or a class, after the reference), then for every case runs the
reference and the submission on fresh copies of the same arguments and compares the
outputs, name by name (a shape first, then the numbers, to rtol/atol). On a mismatch
it runs each mistake on the same case: the first whose outputs all match the
learner's gives its message (a mistake that changes one output only also gives it when
that output is the first wrong one and matches); an
answer within 5% gets `near_miss`, anything else `otherwise`.

Optional parts of the check:
- `run(answer, *args)` turns an answer into its outputs (default `answer(*args)`); it
  may raise `checking.Failure` for what numbers cannot show (an input changed in
  place, a node listed twice). Outputs `()` means `run` alone decides (formal grading
  cannot check that: give every graded exercise outputs).
- `judge(outputs, *args)`, for an answer with more than one right output (an order of
  a graph's nodes): raises a `Failure` for wrong outputs, instead of the comparison.
- `by_hand=True` runs the learner's code with the engine's differentiation switched
  off (autodiff.differentiation_disabled); using it fails with BY_HAND.
- `own_work=((function_or_module, message), ...)`: calling that library code from the
  learner's answer (directly or through a wrapper) fails with the message.
- `advice(exc)` adds lecture-language advice to a crash; `timeout_why` to a timeout.

Hints are strings, or (part, text) pairs: a hint about a part (an output name) that
passed in the last attempt is skipped. They advance only when the learner asks.
"""

from __future__ import annotations

import inspect
import textwrap
from collections.abc import Callable
from dataclasses import dataclass

# The course notebook each exercise lives in (its two-digit prefix) and the file name. A new notebook adds its
# line here together with its lines in tests/test_checklist_coverage.py.
NOTEBOOKS = {
    "00": "00_computation_graphs",
    "01": "01_scalar_graph",
    "02": "02_sigmoid_primitive",
    "03": "03_flat_and_modular",
    "04": "04_build_your_engine",
    "05": "05_relu_vjp",
    "06": "06_matmul_slices",
    "07": "07_backprop_by_hand",
    "08": "08_reverse_forward_higher_order",
    "09": "09_debugging_backward",
    "10": "10_gradient_health",
    "11": "11_backprop_ninja",
    "12": "12_capstone",
}


@dataclass(frozen=True)
class Mistake:
    """A known-wrong answer and the message that explains it (reported exactly)."""

    answer: object
    message: str


@dataclass(frozen=True)
class Case:
    """One thing the check tries: shown as `description`, run as `run(answer, *args)`."""

    description: str
    args: tuple = ()


@dataclass(frozen=True)
class Exercise:
    """One graded exercise (see the module docstring). The reference's name is the stub's name and its
    docstring the task the stub shows."""

    id: str
    title: str
    notebook: str
    section: str
    points: int
    prompt: str
    reference: object
    cases: Callable
    hints: tuple
    mistakes: tuple = ()
    outputs: tuple = ("the result",)
    run: Callable | None = None
    judge: Callable | None = None
    by_hand: bool = False
    own_work: tuple = ()
    rtol: float = 1e-10
    atol: float = 1e-12
    near_miss: str | None = None
    otherwise: str | None = None
    shape_why: str = ""
    advice: Callable | None = None
    timeout_why: str = ""
    imports: str = ""
    time_limit: float = 10.0

    @property
    def name(self):
        """The name the learner's submission is defined under."""
        return self.reference.__name__

    @property
    def signature(self):
        ref = self.reference
        if inspect.isclass(ref):
            return f"class {ref.__name__}({', '.join(b.__name__ for b in ref.__bases__)})"
        return f"{ref.__name__}{inspect.signature(ref)}"

    @property
    def source(self):
        """The reference solution's source code (without imports)."""
        return textwrap.dedent(inspect.getsource(self.reference))

    def hint_texts(self, passed_parts=()):
        """The hints to offer, in order, leaving out those about parts that passed."""
        shown = [h for h in self.hints if not (isinstance(h, tuple) and h[0] in passed_parts)]
        return [h[1] if isinstance(h, tuple) else h for h in shown or self.hints]


class UnknownExerciseError(LookupError):
    def __str__(self):
        return self.args[0]


EXERCISES: dict[str, Exercise] = {}

# The order in which the exercises appear within their notebook (others follow in registration order).
ORDER = ("scalar_backward", "fork_backward", "neuron_flat_backward", "sigmoid_function", "max_gate",
         "multiply_function", "topological_order", "my_value", "relu_vjp", "matmul_backward", "jacobian_bytes",
         "norm_backward", "dual_numbers", "jacobian_passes", "hvp", "numeric_grad", "relative_error", "find_the_bugs",
         "train_step", "diagnosis", "revive")


def register(exercise):
    if exercise.id in EXERCISES:
        raise ValueError(f"exercise id {exercise.id!r} is registered twice")
    if exercise.notebook not in NOTEBOOKS:
        raise ValueError(f"exercise {exercise.id!r}: unknown notebook {exercise.notebook!r}")
    EXERCISES[exercise.id] = exercise
    arrival = {key: i for i, key in enumerate(EXERCISES)}
    ranked = sorted(EXERCISES.values(), key=lambda e: (
        e.notebook, ORDER.index(e.id) if e.id in ORDER else len(ORDER) + arrival[e.id]))
    EXERCISES.clear()
    EXERCISES.update((e.id, e) for e in ranked)
    return exercise


def get(exercise_id):
    """The exercise called `exercise_id`, or an error that lists the valid ids."""
    try:
        return EXERCISES[exercise_id]
    except (KeyError, TypeError):
        valid = ", ".join(EXERCISES)
        raise UnknownExerciseError(f"no exercise called {exercise_id!r:.80}; the exercises are: {valid}") from None


def in_notebook(notebook):
    """The exercises of one notebook: `notebook` is "01", 1 or "01_scalar_graph"."""
    key = notebook_key(notebook)
    return [ex for ex in EXERCISES.values() if ex.notebook == key]


def notebook_key(notebook):
    text = f"{notebook:02d}" if isinstance(notebook, int) else str(notebook)
    text = text.removesuffix(".ipynb").rsplit("/", 1)[-1]
    if text.isdigit():
        text = f"{int(text):02d}"
    key = text[:2]
    if key not in NOTEBOOKS or not NOTEBOOKS[key].startswith(text):
        raise ValueError(f"no notebook {notebook!r:.80}; the notebooks are: {', '.join(NOTEBOOKS)}")
    return key
