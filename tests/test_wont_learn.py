"""Notebook 12's stuck network: it really does not learn, for the reason the diagnosis names, and every number its
messages and hints state is the network's own."""

import re

import numpy as np
import pytest

from backprop_course.exercises import EXERCISES, check
from backprop_course.exercises import wont_learn as w
from backprop_course.exercises.catalog.n09a_numeric_grad import numeric_grad
from backprop_course.exercises.catalog.n09b_relative_error import relative_error
from backprop_course.exercises.catalog.n12b_diagnosis import WRONG_CAUSE, diagnosis
from backprop_course.exercises.catalog.n12c_revive import revive


@pytest.fixture(autouse=True)
def progress_file(tmp_path, monkeypatch):
    monkeypatch.setenv("BACKPROP_COURSE_PROGRESS", str(tmp_path / "progress.json"))


def test_the_stuck_network_is_stuck_with_right_gradients_that_are_zero():
    X, y = w.moons()
    stuck = w.stuck_net()
    losses, _ = w.train(stuck, X, y)
    assert np.ptp(losses) < 1e-4 and abs(losses[-1] - np.log(2)) < 1e-4         # "0.693", "4th decimal"
    grads = w.mlp_backward(X, y, *stuck)
    assert [np.abs(g).max() for g in grads[:3]] == [0.0, 0.0, 0.0]               # dW1, db1, dW2 exactly 0
    assert w.dead_units(stuck, X) == w.HIDDEN == 16                              # "All 16 hidden units"
    X8, y8 = X[:8], y[:8]                             # the notebook checks on its small batch: all green there
    for i, g in enumerate(w.mlp_backward(X8, y8, *stuck)):
        def f(t, i=i):
            return w.loss([t if j == i else p for j, p in enumerate(stuck)], X8, y8)
        assert relative_error(g, numeric_grad(f, stuck[i].copy())) < 1e-6


def test_the_fix_learns_and_the_stated_numbers_are_its_own():
    X, y = w.moons()
    losses, _ = w.train(revive(w.stuck_net()), X, y)
    assert round(losses[0], 2) == 0.83 and round(losses[-1], 2) == 0.10 < w.TARGET   # the last hint's numbers
    assert "0.83" in EXERCISES["revive"].hints[-1] and "0.10" in EXERCISES["revive"].hints[-1]
    linear = [*w.stuck_net()[:1], np.full(w.HIDDEN, 5.0), *w.stuck_net()[2:]]   # every unit always on
    assert (X @ linear[0] + linear[1] > 0).all()
    assert min(w.train(linear, X, y)[0]) > w.TARGET                              # a linear net never gets there


def test_the_diagnosis_names_a_declared_cause_and_each_wrong_one_is_explained():
    assert diagnosis() in w.CAUSES
    assert set(WRONG_CAUSE) == set(w.CAUSES) - {diagnosis()}
    result = check("diagnosis", lambda: "the moon")
    assert result.status == "incorrect" and "declared causes" in result.message


def test_revive_that_changes_the_stuck_parameters_in_place_is_still_judged_on_its_return():
    def in_place(params):
        params[1][:] = 0.0
        return params

    assert check("revive", in_place)


def test_revive_of_the_wrong_shape_or_too_weak_is_told_so_with_its_numbers():
    result = check("revive", lambda p: [p[0], np.zeros(3), p[2], p[3]])
    assert result.status == "incorrect" and "b1 must keep its shape" in result.message
    weak = check("revive", lambda p: [p[0] * 3, p[1], p[2], p[3]])   # a few units alive, too few to learn in time
    assert weak.status == "incorrect"
    assert re.search(r"the loss is 0\.\d+, still above 0\.15; \d+ of 16 hidden units start dead", weak.message)


def test_the_grader_reads_the_cause_back_and_refuses_a_position_that_names_none():
    from backprop_course.exercises.catalog import n12b_diagnosis as d
    from backprop_course.exercises.checking import Failure, seen_of

    def judge(position):
        d.names_the_cause(seen_of(d.Seen({d.CAUSE: position}), ()), "sizes")

    judge(w.CAUSES.index(diagnosis()))   # the reference's cause, as the probe reports it
    for position in (2.5, np.nan, len(w.CAUSES), -1, [3, 3]):
        with pytest.raises(Failure) as refused:
            judge(position)
        assert refused.value.why == d.DECLARED, position
    with pytest.raises(Failure) as wrong:
        judge(w.CAUSES.index("a missing /N"))
    assert wrong.value.why == WRONG_CAUSE["a missing /N"]
