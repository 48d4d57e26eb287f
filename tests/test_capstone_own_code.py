"""Notebook 12 runs the learner's own code from the saved notebooks 07 and 09 beside it, says so, and never trains
with a backward pass that the learner's checker rejects."""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbclient import NotebookClient

from backprop_course.exercises import NOTEBOOKS
from backprop_course.instructor import fill_solutions

NOTEBOOK_DIR = Path(__file__).resolve().parents[1] / "notebooks"
CAPSTONE = NOTEBOOK_DIR / f"{NOTEBOOKS['12']}.ipynb"


def _save(folder, prefix, edit=None):
    nb = nbformat.read(NOTEBOOK_DIR / f"{NOTEBOOKS[prefix]}.ipynb", as_version=4)
    fill_solutions(nb)
    for cell in nb.cells:
        if edit and cell.metadata.get("backprop_course", {}).get("role") == "stub":
            cell.source = edit(cell.source)
    nbformat.write(nb, folder / f"{NOTEBOOKS[prefix]}.ipynb")


def _run_sections_3_and_4(folder, monkeypatch):
    """Notebook 12 up to its training with the learner's backward pass (section 4), run in `folder`: its text."""
    monkeypatch.setenv("BACKPROP_COURSE_PROGRESS", str(folder / "progress.json"))
    nb = nbformat.read(CAPSTONE, as_version=4)
    end = next(i for i, c in enumerate(nb.cells) if c.source.startswith("## 5."))
    nb.cells = nb.cells[:end]
    NotebookClient(nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(folder)}}).execute()
    return "\n".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.outputs)


def test_the_learner_s_saved_code_trains_and_is_named(tmp_path, monkeypatch):
    _save(tmp_path, "07")
    _save(tmp_path, "09")
    out = _run_sections_3_and_4(tmp_path, monkeypatch)
    assert "backward pass: your mlp_backward\nchecker: your numeric_grad and your relative_error" in out
    assert "trained with your mlp_backward:" in out
    assert "stand-in" not in out


def test_a_backward_pass_the_checker_rejects_does_not_train(tmp_path, monkeypatch):
    _save(tmp_path, "07", edit=lambda src: src.replace("    dlogits /= N\n", "    dlogits /= -N\n"))   # signs flipped
    out = _run_sections_3_and_4(tmp_path, monkeypatch)   # no 09 here: the course's checker stands in, and says so
    assert "the course's stand-in for numeric_grad runs, because 09_debugging_backward.ipynb cannot be read" \
        in " ".join(out.split())   # the reason is wrapped to the output's width
    assert "backward pass: your mlp_backward\n" in out
    assert "your mlp_backward disagrees with the checker on dW2" in out
    assert "the course's stand-in for mlp_backward trains below instead" in out
    assert "trained with the course's stand-in for mlp_backward:" in out
