"""Hints and reference solutions for learners."""

from __future__ import annotations

import os

from . import registry, sources
from .display import Text
from .runner import next_hint
from .store import ProgressStore

NO_SOLUTIONS_ENV = "BACKPROP_COURSE_NO_SOLUTIONS"


def hint(exercise_id):
    """The next hint for an exercise (they go from a nudge to nearly the answer)."""
    ex = registry.get(exercise_id)
    try:
        text = next_hint(ex, ProgressStore())
    except OSError:  # progress unavailable: show the first hint
        text = f"(1/{len(ex.hints)}) {ex.hints[0]}"
    return Text(f"Hint for {ex.id} {text}")


def solutions_disabled():
    return os.environ.get(NO_SOLUTIONS_ENV, "").strip().lower() not in ("", "0", "false", "no")


def show_solution(exercise_id):
    """The reference solution, once you have made at least one attempt (unless the instructor turned it off)."""
    ex = registry.get(exercise_id)
    if solutions_disabled():
        return Text(f"Solutions are turned off for this course ({NO_SOLUTIONS_ENV} is set).")
    try:
        attempts = ProgressStore().entry(ex.id)["attempts"]
    except OSError:
        attempts = 0
    if attempts < 1:
        return Text(f"Give {ex.id} a try first: write an answer and run its check cell at least once. "
                    f"Stuck? hint({ex.id!r}) gives a nudge.")
    return Text(sources.reference_source(ex.id), code=True)
