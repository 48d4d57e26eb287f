"""The course's exercises, by id, in course order."""

from __future__ import annotations

import inspect
import textwrap
from collections.abc import Callable
from dataclasses import dataclass

# The course notebook each exercise lives in (its two-digit prefix) and the file name.
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
    "09": "09_capstone",
}


@dataclass(frozen=True)
class Mutant:
    """A known-wrong answer. Its rejection message must contain `reason`."""

    answer: object
    reason: str
    description: str


@dataclass(frozen=True)
class Exercise:
    """One graded exercise.

    `check(t, submission)` raises `checking.Failure` for a wrong answer and
    records what it tested on the `Tester` t. `reference` is the model answer;
    its name is the name the notebook's stub uses and its docstring is the
    task the stub shows. `advice(exc)` may add lecture-language advice to the
    report of an exception raised by the learner's code.
    """

    id: str
    title: str
    notebook: str
    section: str
    points: int
    prompt: str
    check: Callable
    hints: tuple[str, ...]
    reference: object
    mutants: tuple[Mutant, ...]
    imports: str = ""
    time_limit: float = 10.0
    advice: Callable | None = None

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


class UnknownExerciseError(LookupError):
    def __str__(self):
        return self.args[0]


EXERCISES: dict[str, Exercise] = {}

# The order within a notebook in which the exercises appear there.
ORDER = ("scalar_backward", "topological_order", "sigmoid_function", "fork_backward", "max_gate",
         "neuron_flat_backward",
         "multiply_function", "relu_vjp", "matmul_backward", "jacobian_bytes", "norm_backward", "dual_numbers",
         "jacobian_passes", "hvp", "train_step")


def register(exercise):
    if exercise.id in EXERCISES:
        raise ValueError(f"exercise id {exercise.id!r} is registered twice")
    if exercise.notebook not in NOTEBOOKS:
        raise ValueError(f"exercise {exercise.id!r}: unknown notebook {exercise.notebook!r}")
    EXERCISES[exercise.id] = exercise
    ranked = sorted(EXERCISES.values(), key=lambda e: (e.notebook, ORDER.index(e.id) if e.id in ORDER else 99))
    EXERCISES.clear()
    EXERCISES.update((e.id, e) for e in ranked)
    return exercise


def get(exercise_id):
    """The exercise called `exercise_id`, or an error that lists the valid ids."""
    try:
        return EXERCISES[exercise_id]
    except (KeyError, TypeError):
        valid = ", ".join(EXERCISES)
        raise UnknownExerciseError(f"no exercise called {exercise_id!r}; the exercises are: {valid}") from None


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
        raise ValueError(f"no notebook {notebook!r}; the notebooks are: {', '.join(NOTEBOOKS)}")
    return key
