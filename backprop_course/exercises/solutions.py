"""Hints, reference solutions and a fresh start, for learners."""

from __future__ import annotations

import os

from . import registry, sources
from .checking import cap
from .display import Text
from .runner import next_hint
from .store import ProgressStore

NO_SOLUTIONS_ENV = "BACKPROP_COURSE_NO_SOLUTIONS"


def hint(exercise_id):
    """The next hint for an exercise: each call shows one more (from a nudge to nearly the answer)."""
    ex = registry.get(exercise_id)
    try:
        store = ProgressStore()
        text = next_hint(ex, store)
        entry = store.entry(ex.id)
        if entry["hints_shown"] > len(ex.hint_texts(entry.get("passed_parts", []))):
            count, rest = text.split(") ", 1)   # the last hint again: say so, rather than number it as new
            text = f"{count}, again: there are no more) {rest}"
    except Exception:  # noqa: BLE001 - progress unavailable: show the first hint
        text = f"(1/{len(ex.hints)}) {ex.hint_texts()[0]}"
    return Text(f"Hint for {ex.id} {text}")


def solutions_disabled():
    return os.environ.get(NO_SOLUTIONS_ENV, "").strip().lower() not in ("", "0", "false", "no")


def show_solution(exercise_id):
    """The reference solution, once an attempt of yours got as far as numbers (unless the instructor turned it off).
    A stub, a missing `return` or a crash does not count."""
    ex = registry.get(exercise_id)
    if solutions_disabled():
        return Text(f"Solutions are turned off for this course ({NO_SOLUTIONS_ENV} is set).")
    try:
        attempts = ProgressStore().entry(ex.id)["real_attempts"]
    except Exception:  # noqa: BLE001
        attempts = 0
    if attempts < 1:
        return Text(f"Give {ex.id} a try first: write an answer that returns numbers and run its check cell. "
                    f"Stuck? hint({ex.id!r}) gives a nudge.")
    return Text(sources.reference_source(ex.id), code=True)


def reset_progress():
    """Start the course afresh: forget every check result and hint shown in this copy of the course."""
    store = ProgressStore()
    try:
        store.reset()
    except Exception as exc:  # noqa: BLE001
        return Text(f"Progress could not be reset: {cap(exc, 200)}")
    notes = " ".join(store.notices)
    return Text(f"Progress reset: {store.path} now records nothing. {notes}".strip())
