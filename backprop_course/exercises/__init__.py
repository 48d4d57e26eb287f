"""Graded exercises: write a backward pass, get immediate feedback in the lecture's words.

    from backprop_course.exercises import check, hint, show_solution, score_table, progress

    def scalar_backward(x, y, z):
        raise NotImplementedError  # your code here
    check("scalar_backward", scalar_backward)   # -> Result: truthy when passed

Adding an exercise: one module in catalog/ (see registry.py: a reference, cases, a probe, diagnoses, mistakes
and hints).

Environment variables:
    BACKPROP_COURSE_PROGRESS      the progress file (default: one per copy of the course, see store.py)
    BACKPROP_COURSE_NO_SOLUTIONS  1 turns show_solution off (for graded courses)
    BACKPROP_COURSE_TIME_LIMIT    a factor on every check's time limit (e.g. 3 on a slow machine)

Notebook tools: stub_source(id) is the cell learners start from, reference_source(id) the
model answer defining the same name, check_source(id) the check call; see also
backprop_course.instructor (nbgrader export, solution-filled notebooks).
"""

from .registry import EXERCISES, NOTEBOOKS, Case, Exercise, Mistake, UnknownExerciseError, discover
from .result import Result
from .runner import check as _check
from .scores import progress, score_table
from .solutions import hint, reset_progress, show_solution
from .sources import check_source, reference_source, solution_source, stub_source

discover()


class CheckInterrupted(KeyboardInterrupt):
    """The kernel was interrupted during a check: Jupyter shows one line, not a traceback through the grader."""

    def _render_traceback_(self):  # IPython's hook: these lines replace the traceback
        return ["check interrupted"]


def check(exercise_id, submission, *, time_limit=None):
    try:
        return _check(exercise_id, submission, time_limit=time_limit)
    except KeyboardInterrupt:
        raise CheckInterrupted("check interrupted") from None  # still an interrupt: Run All stops here


check.__doc__ = _check.__doc__
__all__ = [
    "EXERCISES", "NOTEBOOKS", "Case", "CheckInterrupted", "Exercise", "Mistake", "Result", "UnknownExerciseError",
    "check", "check_source", "hint", "progress", "reference_source", "reset_progress", "score_table",
    "show_solution", "solution_source", "stub_source",
]
