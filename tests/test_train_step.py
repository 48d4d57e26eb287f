"""Notebook 12's train_step: the grader judges a training run by the loss it computes from the trained parameters."""

import pytest

from backprop_course.exercises import check
from backprop_course.exercises.catalog import n12a_train_step as t
from backprop_course.exercises.checking import Failure


@pytest.fixture(autouse=True)
def progress_file(tmp_path, monkeypatch):
    monkeypatch.setenv("BACKPROP_COURSE_PROGRESS", str(tmp_path / "progress.json"))


def test_the_reference_s_trained_parameters_converge_and_an_untrained_start_does_not():
    seen = t.probe(t.train_step, t.STEPS)
    t.converges(seen, t.STEPS)
    untrained = dict(seen, **{name: p.data for name, p in zip(t.TRAINED, t._init(13), strict=True)})
    with pytest.raises(Failure) as stuck:
        t.converges(untrained, t.STEPS)
    assert "training did not converge" in stuck.value.why and stuck.value.expected == f"loss < {t.TARGET}"


def test_a_step_that_is_right_at_first_but_stops_short_is_told_it_did_not_converge():
    def tired_step(params, x, y, lr):
        """The reference's step while the loss is above 0.3 (as in the first steps); then it stands still."""
        loss = t.train_step(params, x, y, 0.0)
        if loss > 0.3:
            t.train_step(params, x, y, lr)
        return loss

    result = check("train_step", tired_step)
    assert not result and "training did not converge" in result.message and str(t.STEPS) in result.case, result
