"""A named mistake's message goes only to an answer that has the mistake's own numbers."""

import pytest

from backprop_course.exercises import EXERCISES, check
from backprop_course.exercises.checking import ADD_COPIES


@pytest.fixture(autouse=True)
def progress_file(tmp_path, monkeypatch):
    monkeypatch.setenv("BACKPROP_COURSE_PROGRESS", str(tmp_path / "progress.json"))


def test_a_mistake_of_several_outputs_needs_all_of_them():
    # ADD_COPIES halves both df/dx and df/dy; halving df/dx alone is some other slip
    assert any(m.message == ADD_COPIES for m in EXERCISES["scalar_backward"].mistakes)
    both = check("scalar_backward", lambda x, y, z: (z / 2, z / 2, x + y))
    assert both.message == ADD_COPIES
    one = check("scalar_backward", lambda x, y, z: (z / 2, z, x + y))
    assert one.status == "incorrect" and one.message != ADD_COPIES and "df/dx" in one.message
