"""The course notebooks with every exercise stub replaced by its reference solution: every check must pass.

This proves that each notebook's exercises can be solved in place (the check cells see the names the stubs
define, and nothing else in the notebook gets in the way), and that every registered exercise appears in exactly
one notebook.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

from backprop_course.exercises import EXERCISES, NOTEBOOKS, check_source, reference_source

NOTEBOOK_DIR = Path(__file__).resolve().parents[1] / "notebooks"
CELL_TIMEOUT_S = 120
PROGRESS_ENV = "BACKPROP_COURSE_PROGRESS"  # where check() records results (documented in exercises)
TIME_LIMIT_ENV = "BACKPROP_COURSE_TIME_LIMIT"  # scales every exercise's time limit


NOTEBOOK_FILES = sorted(NOTEBOOK_DIR.glob("[0-9][0-9]_*.ipynb"))  # new notebooks are picked up by themselves


def role_cells(nb, role):
    """(cell index, exercise id) of the cells with the given role ("stub" or "check")."""
    found = []
    for i, cell in enumerate(nb.cells):
        meta = cell.metadata.get("backprop_course", {})
        if cell.cell_type == "code" and meta.get("role") == role:
            found.append((i, meta.get("exercise")))
    return found


def present_notebooks():
    return {p.name[:2]: nbformat.read(p, as_version=4) for p in NOTEBOOK_FILES}


def check_outputs(cell):
    return "\n".join(o.get("data", {}).get("text/plain", "") + o.get("text", "") for o in cell.get("outputs", []))


@pytest.mark.parametrize("path", NOTEBOOK_FILES, ids=lambda p: p.stem)
def test_reference_solutions_pass_every_check(path, tmp_path, monkeypatch):
    nb = nbformat.read(path, as_version=4)
    stubs = role_cells(nb, "stub")
    if not stubs:
        pytest.skip(f"{path.name} has no exercise cells")
    for i, exercise_id in stubs:
        nb.cells[i].source = reference_source(exercise_id)

    progress = tmp_path / "progress.json"
    monkeypatch.setenv(PROGRESS_ENV, str(progress))  # the kernel inherits it; the learner's own file stays untouched
    monkeypatch.setenv(TIME_LIMIT_ENV, "5")  # a loaded machine must not turn a correct solution into a timeout
    client = NotebookClient(nb, timeout=CELL_TIMEOUT_S, kernel_name="python3",
                            resources={"metadata": {"path": str(NOTEBOOK_DIR)}})
    try:
        client.execute()
    except CellExecutionError as err:
        pytest.fail(f"{path.name} with the reference solutions raised:\n{err}")

    entries = json.loads(progress.read_text(encoding="utf-8"))["exercises"] if progress.exists() else {}
    for i, exercise_id in role_cells(nb, "check"):
        entry = entries.get(exercise_id, {})
        assert entry.get("status") == "passed", (
            f"{path.name}: check({exercise_id!r}) did not pass with the reference solution "
            f"(progress: {entry}):\n{check_outputs(nb.cells[i])}")
    assert {e for _, e in stubs} <= set(entries), f"{path.name}: some stubs were never checked"


def test_every_exercise_has_one_stub_and_check_in_its_own_notebook():
    notebooks = present_notebooks()
    if not notebooks:
        pytest.skip("no notebooks yet")
    where = Counter()
    for key, nb in notebooks.items():
        stubs, checks = role_cells(nb, "stub"), role_cells(nb, "check")
        for i, exercise_id in stubs:
            assert exercise_id in EXERCISES, f"{NOTEBOOKS.get(key, key)}: stub for unknown exercise {exercise_id!r}"
            assert EXERCISES[exercise_id].notebook == key, (
                f"{exercise_id!r} belongs in notebook {EXERCISES[exercise_id].notebook}, not {NOTEBOOKS.get(key, key)}")
            where[exercise_id] += 1
            assert "raise NotImplementedError" in nb.cells[i].source, f"{exercise_id!r}: the shipped cell is no stub"
            following = next((j for j in range(i + 1, len(nb.cells)) if nb.cells[j].cell_type == "code"), None)
            assert following is not None and (following, exercise_id) in checks, (
                f"{NOTEBOOKS.get(key, key)}: the code cell after the {exercise_id!r} stub must be its check cell")
            assert nb.cells[following].source.strip() == check_source(exercise_id)
        assert sorted(e for _, e in checks) == sorted(e for _, e in stubs), f"{key}: checks without stubs"
    expected = [ex.id for ex in EXERCISES.values() if ex.notebook in notebooks]
    assert {e: where[e] for e in expected} == dict.fromkeys(expected, 1)
