"""The learner's code read from their saved notebook: found by its exercise cell, run afresh, and replaced by the
course's stand-in, with one printed line that says why, when it is missing, unwritten or crashing."""

import json

import numpy as np
import pytest

from backprop_course.exercises import reference_source, stub_source
from backprop_course.exercises.catalog.n07a_mlp_backward import _square_batch, mlp_backward
from backprop_course.exercises.saved import STAND_IN, NotSaved, saved_definition, yours_or_stand_in
from backprop_course.exercises.sources import STUB_LINE

NOTEBOOK = "07_backprop_by_hand.ipynb"


def _save(folder, *cells):
    """A notebook in `folder` with code cells (source, tags)."""
    nb = {"cells": [{"cell_type": "code", "metadata": {"tags": list(tags)}, "source": source, "outputs": [],
                     "execution_count": None} for source, tags in cells],
          "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    (folder / NOTEBOOK).write_text(json.dumps(nb), encoding="utf-8")


def _load(folder, capsys):
    """(function, whose, what was printed with its line breaks and indents read as single spaces)."""
    fn, whose = yours_or_stand_in("mlp_backward", *_square_batch(), folder=folder)
    return fn, whose, " ".join(capsys.readouterr().out.split())


def test_the_learner_s_written_function_is_used_silently(tmp_path, capsys):
    _save(tmp_path, ("x = 1", ()), (reference_source("mlp_backward"), ("exercise",)))
    fn, whose, out = _load(tmp_path, capsys)
    assert whose == "your mlp_backward" and out == ""
    assert fn is not mlp_backward and fn.__module__ == "your_mlp_backward"   # run afresh from the saved cell
    for mine, course in zip(fn(*_square_batch()), mlp_backward(*_square_batch()), strict=True):
        np.testing.assert_array_equal(mine, course)


def test_the_last_exercise_cell_that_defines_the_name_wins(tmp_path, capsys):
    first = reference_source("mlp_backward")
    last = first.replace("    return dW1, db1, dW2, db2", "    return 'last', db1, dW2, db2")
    _save(tmp_path, (first, ("exercise",)), (last, ("exercise",)))
    fn, _, _ = _load(tmp_path, capsys)
    assert fn(*_square_batch())[0] == "last"


def test_an_unwritten_stub_gets_the_stand_in_with_its_reason(tmp_path, capsys):
    _save(tmp_path, (stub_source("mlp_backward"), ("exercise",)))
    fn, whose, out = _load(tmp_path, capsys)
    assert fn is mlp_backward and whose == f"{STAND_IN} for mlp_backward"
    assert out == f"the course's stand-in for mlp_backward runs, because your mlp_backward in {NOTEBOOK} is not " \
                  "written yet (as last saved)."


def test_the_reason_is_wrapped_at_words_to_fit_a_notebook_output(tmp_path, capsys):
    _save(tmp_path, (stub_source("mlp_backward"), ("exercise",)))
    yours_or_stand_in("mlp_backward", *_square_batch(), folder=tmp_path)
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2 and all(len(line) <= 100 for line in lines)
    assert lines[1].startswith("    is not written yet")   # broken between words, the rest indented


def test_a_crashing_function_gets_the_stand_in_and_the_error(tmp_path, capsys):
    _save(tmp_path, (stub_source("mlp_backward").replace(STUB_LINE, "return {}['no such key']"), ("exercise",)))
    fn, whose, out = _load(tmp_path, capsys)
    assert fn is mlp_backward and whose == f"{STAND_IN} for mlp_backward"
    assert out.startswith(f"{STAND_IN} for mlp_backward runs, because your mlp_backward in {NOTEBOOK} raised ")
    assert "raised KeyError" in out and "in mlp_backward" in out


def test_a_cell_that_fails_as_it_runs_gets_the_stand_in(tmp_path, capsys):
    _save(tmp_path, ("import no_such_module_here\n\ndef mlp_backward(X, y, W1, b1, W2, b2):\n    pass\n",
                     ("exercise",)))
    fn, whose, out = _load(tmp_path, capsys)
    assert fn is mlp_backward and whose == f"{STAND_IN} for mlp_backward" and "ModuleNotFoundError" in out


@pytest.mark.parametrize(("cells", "reason"), [
    ((), "cannot be read"),
    (((reference_source("mlp_backward"), ()),), "has no exercise cell that defines mlp_backward"),
    (((reference_source("mlp_backward").replace("def ", "def ("), ("exercise",)),),
     "has no exercise cell that defines mlp_backward"),
])
def test_code_that_is_not_there_gets_the_stand_in(tmp_path, capsys, cells, reason):
    if cells:
        _save(tmp_path, *cells)
    fn, whose, out = _load(tmp_path, capsys)
    assert fn is mlp_backward and whose == f"{STAND_IN} for mlp_backward" and reason in out


def test_saved_definition_says_what_is_missing(tmp_path):
    with pytest.raises(NotSaved, match="cannot be read"):
        saved_definition("numeric_grad", tmp_path)
    (tmp_path / NOTEBOOK).write_text("{not json", encoding="utf-8")
    with pytest.raises(NotSaved, match="cannot be read"):
        saved_definition("mlp_backward", tmp_path)
