"""The course's exercises, by id, in course order, and the one shape every exercise has.

Each exercise is one small module in `catalog/`, named after its notebook, its place
there and its id (`n01a_scalar_backward.py`), which defines `EXERCISE`: the modules
are found and ordered by name, so adding a module adds the exercise. An exercise is
a reference answer, its cases, a *probe*, its *diagnoses*, its mistakes and its hints:

    def scalar_backward(x, y, z):
        '''Return (df/dx, df/dy, df/dz) for f = (x + y) * z.'''      # the task the stub shows
        ...                                                          # the model answer

    EXERCISE = Exercise(
        id="scalar_backward", title="Backward through f = (x + y)·z", notebook="01", section="3", points=2,
        prompt="...", reference=scalar_backward,
        cases=lambda: [Case("the lecture's point", (-2.0, 5.0, -4.0)), ...],   # what to try
        outputs=("df/dx", "df/dy", "df/dz"),                                   # the numbers compared
        mistakes=(Mistake(lambda x, y, z: (z / 2, z / 2, x + y), ADD_COPIES), ...),
        hints=("Name the add node q = x + y ...", ...),
        by_hand=True,
    )

The grade of one case, in three steps:
1. The probe, `probe(answer, *case.args)`, turns an answer into plain data: the
   outputs (a tuple in the order of `outputs`), or a dict of named numbers holding
   the outputs and anything else the diagnoses read (an input after the call, the
   bytes at the peak). It runs the learner's answer (in a child process under formal
   grading), and in the grader the reference and every mistake, on fresh copies of the
   same arguments. The default probe calls the answer. A probe raises `Failure` only
   for an answer it cannot turn into numbers (a set where a list belongs).
2. The diagnoses, plain functions `diagnose(seen, *case.args)` on the learner's
   numbers (a dict of float64 arrays), raise a `Failure` for a structural fault (an
   input written in place, a parent listed after its child, too much memory). They
   run in the grader, never beside the answer.
3. The comparator (checking.compare) compares the outputs, name by name, with the
   reference's (a shape first, then the numbers, to rtol/atol). On a mismatch the
   first mistake whose outputs all match the learner's gives its message (a mistake
   that changes one output only also gives it when that output is the first wrong one
   and matches); an answer within 5% gets `near_miss`, anything else `otherwise`. An
   exercise with more than one right answer (an order of a graph's nodes) has
   `outputs=()`: its diagnoses decide, and its mistakes are tested to meet them.

Rules of the check:
- `by_hand=True` runs the learner's code with the engine's differentiation switched
  off (autodiff.differentiation_disabled); using it fails with BY_HAND.
- `own_work=((function_or_module, message), ...)`: calling that library code from the
  learner's answer (directly or through a wrapper) fails with the message.
- `advice(exc)` adds lecture-language advice to a crash; `timeout_why` to a timeout.

Hints are strings, or (part, text) pairs: a hint about a part (an output name) that
passed in the last attempt is skipped. They advance only when the learner asks.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
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


def call(answer, *args):
    """The default probe: the answer's own return value, read as the outputs."""
    return answer(*args)


@dataclass(frozen=True)
class Mistake:
    """A known-wrong answer and the message that explains it (reported exactly)."""

    answer: object
    message: str


@dataclass(frozen=True)
class Case:
    """One thing the check tries: shown as `description`, probed as `probe(answer, *args)`."""

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
    probe: Callable = call
    outputs: tuple = ("the result",)
    diagnoses: tuple = ()
    mistakes: tuple = ()
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


def discover():
    """Fill EXERCISES from the catalog's modules, in the order of their names (notebook, then place)."""
    from . import catalog

    found = [importlib.import_module(f"{catalog.__name__}.{info.name}").EXERCISE
             for info in sorted(pkgutil.iter_modules(catalog.__path__), key=lambda info: info.name)]
    ids = [e.id for e in found]
    for exercise in found:
        if ids.count(exercise.id) > 1:
            raise ValueError(f"exercise id {exercise.id!r} is defined twice")
        if exercise.notebook not in NOTEBOOKS:
            raise ValueError(f"exercise {exercise.id!r}: unknown notebook {exercise.notebook!r}")
    EXERCISES.clear()
    EXERCISES.update((e.id, e) for e in found)


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
