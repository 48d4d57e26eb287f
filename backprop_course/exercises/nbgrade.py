"""nbgrader's autograde, graded by the formal grader (formal.py) instead of a kernel.

The exported nbgrader_config.py puts `FormalGrade` where nbgrader's `Execute` was:
no kernel runs the submission. For each locked check cell (grade id `<exercise>_check`)
the grader replays the code cells above it in a child process and decides; the cell's
outputs become the verdict: the feedback as text, the verdict as JSON under VERDICT_MIME
(read by `instructor report`), and, when it did not pass, an error output without a
traceback, which is what gives nbgrader its 0 points.
"""

from __future__ import annotations

import atexit

from nbconvert.preprocessors import Preprocessor
from nbformat.v4 import new_output
from traitlets import Bool

from . import EXERCISES
from .formal import Grader

VERDICT_MIME = "application/vnd.backprop-course.verdict+json"
# nbgrader's autograde steps after its sanitizing, with FormalGrade in place of Execute.
AUTOGRADE = ["backprop_course.exercises.nbgrade.FormalGrade", "nbgrader.preprocessors.IgnorePattern",
             "nbconvert.preprocessors.ClearMetadataPreprocessor", "nbgrader.preprocessors.LimitOutput",
             "nbgrader.preprocessors.SaveAutoGrades", "nbgrader.preprocessors.AssignLatePenalties",
             "nbgrader.preprocessors.CheckCellMetadata"]

_grader = None


def grader():
    """One grader per process: nbgrader grades every student's notebooks in the same process."""
    global _grader
    if _grader is None:
        _grader = Grader()
        atexit.register(_grader.close)
    return _grader


def verdict_outputs(verdict):
    outputs = [new_output("display_data", data={"text/plain": verdict.text(), VERDICT_MIME: verdict.record()})]
    if not verdict.passed:  # what gives nbgrader its 0 points; no traceback, so the feedback shows the verdict once
        outputs.append(new_output("error", ename=verdict.status, evalue=verdict.message, traceback=[]))
    return outputs


class FormalGrade(Preprocessor):
    """Set each check cell's outputs to the formal grader's verdict on the code cells above it."""

    enabled = Bool(True).tag(config=True)

    def preprocess(self, nb, resources):
        code = []
        for cell in nb.cells:
            if cell.cell_type != "code":
                continue
            grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id", "")
            exercise_id = grade_id.removesuffix("_check")
            if grade_id.endswith("_check") and exercise_id in EXERCISES:
                cell.outputs = verdict_outputs(grader().grade(exercise_id, list(code)))
                cell.execution_count = None
            code.append(cell.source)
        return nb, resources
