"""my_value: the learner's own scalar class, checked step by step through its public surface only."""

import math

import numpy as np
import pytest

from backprop_course import Value
from backprop_course.exercises import EXERCISES, check, stub_source
from backprop_course.exercises.catalog import n04b_my_value as mv

EXERCISE = EXERCISES["my_value"]


@pytest.fixture(autouse=True)
def progress_file(tmp_path, monkeypatch):
    monkeypatch.setenv("BACKPROP_COURSE_PROGRESS", str(tmp_path / "progress.json"))


def _class(source, name="MyValue"):
    namespace = {}
    exec(compile("import math\n" + source, "<learner>", "exec"), namespace)
    return namespace[name]


def _written_up_to(step, source=mv._REFERENCE_SOURCE):
    """`source` with every method of a later step still a stub: a learner part of the way through."""
    stubbed = _class(stub_source("my_value"))
    cls = _class(source)
    for name, method in vars(stubbed).items():
        doc = getattr(method, "__doc__", "") or ""
        if callable(method) and doc.startswith("Step ") and int(doc.split()[1]) > step:
            setattr(cls, name, method)
    return cls


def test_every_issue_mistake_is_declared():
    declared = {m.message for m in EXERCISE.mistakes}
    for message in (mv.ASSIGN, mv.RECURSIVE, mv.NO_SWAP, mv.POWER_RULE, mv.TANH_LOCAL, mv.RELU_AT_ZERO,
                    mv.DOUBLE_COUNT, mv.REFLECTED, mv.USES_LIBRARY, mv.CIRCULAR, mv.NOT_ONCE, mv.ZEROES_LEAVES,
                    mv.EXP_LOCAL, mv.TANH_INPUT):
        assert message in declared


@pytest.mark.parametrize(("step", "next_step"), [(0, "step 1, data and grad"),
                                                 (1, "step 2, the values of + and *"),
                                                 (3, "step 4, a number on either side"),
                                                 (5, "step 6, exp, tanh, relu")])
def test_the_check_stops_at_the_first_step_not_written(step, next_step):
    result = check("my_value", _written_up_to(step))
    assert result.status == "not attempted", result
    assert next_step in result.message
    if step > 1:
        assert f"steps 1-{step} pass" in result.message


def test_with_only_the_values_of_add_and_mul_the_local_steps_are_not_said_to_pass():
    # a * whose local step gives each input its own value × upstream: its numbers show only once backward() runs
    no_swap = mv._REFERENCE_SOURCE.replace("self.grad += other.data * upstream", "self.grad += self.data * upstream")
    result = check("my_value", _written_up_to(2, no_swap))
    assert result.status == "not attempted", result
    assert "the values of + and *" in result.message
    assert "the local steps of + and * are checked once backward() runs" in result.message


def test_mul_gets_feedback_before_tanh_is_written():
    no_swap = (mv._REFERENCE_SOURCE.replace("self.grad += other.data * upstream", "self.grad += self.data * upstream")
               .replace("other.grad += self.data * upstream", "other.grad += other.data * upstream"))
    result = check("my_value", _written_up_to(3, no_swap))
    assert result.status == "incorrect" and result.message == mv.NO_SWAP
    assert "x.tanh" not in " ".join(result.tested)


def test_internal_names_are_the_learners_choice():
    source = (mv._REFERENCE_SOURCE.replace("_prev", "inputs").replace("_backward", "local_step")
              .replace("_op", "kind").replace("MyValue", "Scalar"))
    assert "_prev" not in source and "_backward" not in source
    assert check("my_value", _class(source, "Scalar"))


def test_the_library_value_itself_is_refused():
    result = check("my_value", Value)
    assert result.status == "incorrect" and result.message == mv.USES_LIBRARY


def test_an_unnamed_wrong_local_gradient_is_still_caught():
    source = mv._REFERENCE_SOURCE.replace("self.grad += e * upstream", "self.grad += upstream")
    result = check("my_value", _class(source))
    assert result.status == "incorrect"
    assert result.case == "x.exp() at x = 0.5" and result.message == mv.WRONG_NUMBER
    assert result.expected.startswith("x.grad = ") and result.got == "x.grad = 1"


def test_a_mistake_only_random_expressions_reach_is_caught():
    # tanh right near 0.8 (the unit case) but wrong beyond |x| = 1
    source = mv._REFERENCE_SOURCE.replace("t = math.tanh(self.data)",
                                          "t = math.tanh(self.data) if abs(self.data) < 1 else 0.9")
    result = check("my_value", _class(source))
    assert result.status == "incorrect"
    assert result.case.startswith("random expression")


def test_a_crash_is_reported_with_its_line():
    source = stub_source("my_value").replace("raise NotImplementedError  # your code here",
                                             "return {}['no such key']")
    result = check("my_value", _class(source))
    assert result.status == "error" and "KeyError" in result.message


def _without(*methods):
    cls = _class(mv._REFERENCE_SOURCE)
    for name in methods:
        delattr(cls, name)
    return cls


@pytest.mark.parametrize("step", [1, 2, 3, 4, 5])
def test_a_class_that_has_only_the_first_steps_is_told_which_methods_come_next(step):
    # the notebook's class starts with __init__ alone: a step's methods are added, not filled in
    later = [m for s, methods in mv.STEP_METHODS.items() if s > step for m in methods]
    result = check("my_value", _without(*later))
    assert result.status == "not attempted", result
    assert f"step {step + 1}, {mv.STEPS[step][0]}" in result.message
    assert all(f"`{m}`" in result.message for m in mv.STEP_METHODS[step + 1])
    assert "NotImplementedError" not in result.message


def test_a_missing_method_among_later_ones_is_a_mistake_not_a_step_to_come():
    result = check("my_value", _without("__radd__", "__rmul__"))
    assert result.status == "incorrect" and result.message == mv.REFLECTED


@pytest.mark.parametrize(("edit", "why"), [
    (("self.data = float(data)", "self.data = float(data) + 1"), "MyValue(number).data must be that number"),
    (("self.grad = 0.0\n        self._prev", "self.grad = 1.0\n        self._prev"), "grad must start at 0.0"),
    (("out = MyValue(self.data + other.data, (self, other), \"+\")",
      "out = MyValue(self.data + other.data, (self, other), \"+\")\n        self.data = 0.0"), "inputs unchanged"),
])
def test_the_first_steps_are_judged_by_their_own_diagnoses(edit, why):
    assert edit[0] in mv._REFERENCE_SOURCE
    result = check("my_value", _class(mv._REFERENCE_SOURCE.replace(*edit)))
    assert result.status == "incorrect" and why in result.message, result


def test_the_reference_passes_the_first_steps_diagnoses():
    for step, build in mv._steps()[:2]:
        seen = {k: np.asarray(v, dtype=float) for k, v in mv.observed(mv.MyValue, step, build).items()}
        mv.starts_right(seen, step, build)
        mv.inputs_kept(seen, step, build)


def test_the_reference_agrees_with_the_course_s_value_on_the_last_step():
    # the numbers every learner is compared with on exp, tanh, relu and the random expressions are the engine's
    for step, build in mv._steps():
        if step == len(mv.STEPS):
            mine, engine = mv._observe(build, mv.MyValue), mv._observe(build, Value)
            assert mine.keys() == engine.keys()
            assert all(math.isclose(mine[k], engine[k], rel_tol=1e-12, abs_tol=1e-15) for k in mine), build.__doc__
