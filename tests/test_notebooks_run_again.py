"""Any cell can be run again after Run All, and learners read no assertions.

After a full run, every code cell runs once more, last to first (each cell then sees what later cells left behind,
as when a learner scrolls back up), then first to last; any error fails. Assertions that pin the lecture's numbers
live in collapsed cells tagged "asserts"; no cell a learner reads holds one.
"""

from __future__ import annotations

import ast
import json
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

from backprop_course.exercises import NOTEBOOKS

NOTEBOOK_DIR = Path(__file__).resolve().parents[1] / "notebooks"
CELL_TIMEOUT_S = 300
# The notebooks that keep both rules; a notebook joins the list once it does.
CHECKED = ("00", "01", "02", "03", "04")
NOT_READ = {"asserts", "check"}  # cells a learner does not have to read: collapsed checks, and the check calls


def _path(prefix):
    return NOTEBOOK_DIR / f"{NOTEBOOKS[prefix]}.ipynb"


def _tags(cell):
    return set(cell.get("metadata", {}).get("tags", []))


def _asserts_in(source):
    try:
        tree = ast.parse(source)
    except SyntaxError:  # IPython magics: fall back to the text
        return [line for line in source.splitlines() if line.lstrip().startswith("assert ")]
    return [node.lineno for node in ast.walk(tree) if isinstance(node, ast.Assert)]


@pytest.mark.parametrize("prefix", CHECKED, ids=lambda p: NOTEBOOKS[p])
def test_learners_read_no_assertions(prefix):
    cells = json.loads(_path(prefix).read_text(encoding="utf-8"))["cells"]
    for i, cell in enumerate(cells):
        source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
        if cell["cell_type"] != "code":
            continue
        if "asserts" in _tags(cell):
            assert cell["metadata"].get("jupyter", {}).get("source_hidden") is True, \
                f"{NOTEBOOKS[prefix]} cell {i}: an asserts cell must be collapsed"
            assert _asserts_in(source), f"{NOTEBOOKS[prefix]} cell {i} is tagged 'asserts' but asserts nothing"
        elif not _tags(cell) & NOT_READ:
            assert not _asserts_in(source), f"{NOTEBOOKS[prefix]} cell {i}: an assert in a cell learners read"


@pytest.mark.parametrize("prefix", CHECKED, ids=lambda p: NOTEBOOKS[p])
def test_every_cell_runs_again_after_run_all(prefix, tmp_path, monkeypatch):
    monkeypatch.setenv("BACKPROP_COURSE_PROGRESS", str(tmp_path / "progress.json"))
    monkeypatch.setenv("MPLBACKEND", "Agg")
    nb = nbformat.read(_path(prefix), as_version=4)
    client = NotebookClient(nb, timeout=CELL_TIMEOUT_S, kernel_name="python3",
                            resources={"metadata": {"path": str(NOTEBOOK_DIR)}})
    code = [(i, cell) for i, cell in enumerate(nb.cells) if cell.cell_type == "code"]
    with client.setup_kernel():
        for i, cell in code:
            client.execute_cell(cell, i)
        for order in (reversed(code), code):
            for i, cell in order:
                try:
                    client.execute_cell(cell, i)
                except CellExecutionError as err:
                    pytest.fail(f"{NOTEBOOKS[prefix]} cell {i}, run again after Run All:\n{cell.source}\n{err}")


@pytest.mark.parametrize("prefix", CHECKED, ids=lambda p: NOTEBOOKS[p])
def test_each_exercise_is_followed_by_its_derivation_after_the_check(prefix):
    """The formula comes after the check: a "Check your derivation" cell between an exercise's check and the next
    exercise."""
    cells = json.loads(_path(prefix).read_text(encoding="utf-8"))["cells"]
    roles = [c.get("metadata", {}).get("backprop_course", {}).get("role") for c in cells]
    checks = [i for i, role in enumerate(roles) if role == "check"]
    stubs = [i for i, role in enumerate(roles) if role == "stub"] + [len(cells)]
    for i in checks:
        end = next(s for s in stubs if s > i)
        derivations = [c for c in cells[i:end] if c["cell_type"] == "markdown"
                       and "".join(c["source"]).startswith("**Check your derivation.**")]
        assert derivations, f"{NOTEBOOKS[prefix]}: no 'Check your derivation' cell after the check in cell {i}"
