"""The course notebooks: with every stub replaced by its reference each check passes; as shipped they run to the end."""

from pathlib import Path

import nbformat
import pytest

from backprop_course.exercises import EXERCISES
from backprop_course.exercises.store import ProgressStore
from backprop_course.instructor import CHECK_CALL, fill_solutions

pytest.importorskip("nbclient")
from nbclient import NotebookClient  # noqa: E402

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"


def _checked_ids(nb):
    return {i for cell in nb.cells if cell.cell_type == "code" for i, _ in CHECK_CALL.findall(cell.source)}


WITH_EXERCISES = [p for p in sorted(NOTEBOOKS.glob("*.ipynb")) if _checked_ids(nbformat.read(p, as_version=4))]


@pytest.fixture(autouse=True)
def progress_file(tmp_path, monkeypatch):
    # The kernel inherits the environment, so its checks record here too.
    monkeypatch.setenv("BACKPROP_COURSE_PROGRESS", str(tmp_path / "progress.json"))
    monkeypatch.delenv("BACKPROP_COURSE_NO_SOLUTIONS", raising=False)


def _run(nb, path):
    NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}).execute()


@pytest.mark.parametrize("path", WITH_EXERCISES, ids=lambda p: p.stem)
def test_filled_with_references_every_check_passes(path):
    nb = nbformat.read(path, as_version=4)
    ids = _checked_ids(nb)
    assert ids <= set(EXERCISES), f"unknown exercise ids: {ids - set(EXERCISES)}"
    assert set(fill_solutions(nb)) == ids, "every checked exercise needs a stub defining its name"
    _run(nb, path)
    entries = ProgressStore().entries()
    assert {i: entries.get(i, {}).get("status") for i in ids} == dict.fromkeys(ids, "passed")


@pytest.mark.parametrize("path", WITH_EXERCISES, ids=lambda p: p.stem)
def test_as_shipped_with_stubs_it_runs_to_the_end(path):
    nb = nbformat.read(path, as_version=4)
    _run(nb, path)  # raises CellExecutionError on any error
    entries = ProgressStore().entries()
    assert not [i for i in _checked_ids(nb) if entries.get(i, {}).get("passed")], "the shipped notebook has answers"
