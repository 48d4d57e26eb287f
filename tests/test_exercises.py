"""Every exercise: the reference passes, known-wrong answers fail for their reason, stubs and crashes are reported."""

import pytest

from backprop_course.exercises import EXERCISES, check, reference_source, stub_source
from backprop_course.exercises.sources import STUB_LINE

IDS = list(EXERCISES)
MUTANTS = [pytest.param(ex.id, i, id=f"{ex.id}-{m.answer.__name__}") for ex in EXERCISES.values()
           for i, m in enumerate(ex.mutants)]


@pytest.fixture(autouse=True)
def progress_file(tmp_path, monkeypatch):
    monkeypatch.setenv("BACKPROP_COURSE_PROGRESS", str(tmp_path / "progress.json"))
    return tmp_path / "progress.json"


def _define(source, name):
    namespace = {}
    exec(compile(source, f"<{name}>", "exec"), namespace)
    return namespace[name]


@pytest.mark.parametrize("exercise_id", IDS)
def test_reference_passes(exercise_id):
    ex = EXERCISES[exercise_id]
    result = check(exercise_id, ex.reference)
    assert result, result
    assert result.passed and result.status == "passed"
    assert result.points == result.max_points == ex.points
    assert len(result.tested) >= 3


@pytest.mark.parametrize("exercise_id", IDS)
def test_reference_source_passes_when_run_as_a_cell(exercise_id):
    ex = EXERCISES[exercise_id]
    assert check(exercise_id, _define(reference_source(exercise_id), ex.name))


@pytest.mark.parametrize("exercise_id", IDS)
def test_has_at_least_three_mutants_and_hints(exercise_id):
    ex = EXERCISES[exercise_id]
    assert len(ex.mutants) >= 3
    assert len(ex.hints) >= 2
    assert ex.reference.__doc__, "the docstring is the task the stub shows"


@pytest.mark.parametrize(("exercise_id", "index"), MUTANTS)
def test_mutant_is_rejected_for_its_reason(exercise_id, index):
    mutant = EXERCISES[exercise_id].mutants[index]
    result = check(exercise_id, mutant.answer)
    assert not result
    assert result.status in ("incorrect", "error"), result
    assert result.points == 0
    assert mutant.reason in result.message, result


@pytest.mark.parametrize("exercise_id", IDS)
def test_stub_is_reported_not_raised(exercise_id):
    ex = EXERCISES[exercise_id]
    source = stub_source(exercise_id)
    assert STUB_LINE in source
    result = check(exercise_id, _define(source, ex.name))
    assert not result
    assert result.status == "not attempted"
    assert "Not attempted yet" in result.message


@pytest.mark.parametrize("exercise_id", IDS)
def test_crashing_answer_is_reported_with_its_type_and_line(exercise_id):
    ex = EXERCISES[exercise_id]
    source = stub_source(exercise_id).replace(STUB_LINE, "return {}['no such key']")
    result = check(exercise_id, _define(source, ex.name))
    assert result.status == "error", result
    assert "KeyError" in result.message
    assert "line " in result.message
    assert "{}['no such key']" in result.message or "in " in result.message
