"""Score tables: one notebook's exercises, or the whole course. They show each exercise's latest check,
so they always agree with the check cells."""

from __future__ import annotations

from . import registry
from .display import Table, Text
from .store import ProgressStore

_SHOWN = {"passed": "✔ passed", "incorrect": "✘ incorrect", "error": "✘ error", "timeout": "⏱ timeout",
          "not attempted": "… not attempted", "not started": "· not started"}


def _table(title, exercises):
    store = ProgressStore()
    try:
        entries = store.entries()
    except Exception:  # noqa: BLE001 - an unreadable progress file shows as a fresh start
        entries = {}
    rows, total, best = [], 0, 0
    for ex in exercises:
        entry = entries.get(ex.id, {})
        points = entry.get("points", 0)
        total, best = total + ex.points, best + points
        rows.append((ex.notebook, ex.id, ex.title, _SHOWN.get(entry.get("status"), "· not started"),
                     entry.get("attempts", 0), f"{points}/{ex.points}"))
    header = ("notebook", "exercise", "title", "status", "attempts", "points")
    table = Table(title, header, rows, footer=("", "total", "", "", "", f"{best}/{total}"))
    table.notes = store.notices
    return table


def score_table(notebook):
    """This notebook's exercises, their latest status and points (put it at the end of each notebook)."""
    key = registry.notebook_key(notebook)
    exercises = registry.in_notebook(key)
    if not exercises:
        return Text(f"{registry.NOTEBOOKS[key]} has no graded exercises. progress() shows the whole course.")
    return _table(f"Score for {registry.NOTEBOOKS[key]}", exercises)


def progress():
    """Every exercise of the course, with its latest status and points."""
    return _table("Your progress through the course", registry.EXERCISES.values())
