"""The progress store: persists, survives concurrent writers and a corrupted file, never breaks a check."""

import json
import multiprocessing

import pytest

from backprop_course.exercises import EXERCISES, check, progress
from backprop_course.exercises.store import ProgressStore


@pytest.fixture
def path(tmp_path, monkeypatch):
    path = tmp_path / "home" / "progress.json"
    monkeypatch.setenv("BACKPROP_COURSE_PROGRESS", str(path))
    return path


def _wrong(x, y, z):
    return 0.0, 0.0, 0.0


def test_a_check_creates_the_file_and_counts_attempts(path):
    assert not path.exists()
    check("scalar_backward", _wrong)
    check("scalar_backward", EXERCISES["scalar_backward"].reference)
    check("scalar_backward", _wrong)  # a later failure keeps the best score
    entry = json.loads(path.read_text())["exercises"]["scalar_backward"]
    assert entry["attempts"] == 3
    assert entry["passed"] is True and entry["status"] == "passed"
    assert entry["points"] == EXERCISES["scalar_backward"].points
    assert [p.name for p in path.parent.iterdir() if p.name.endswith(".tmp")] == []


def test_a_stub_is_not_an_attempt(path):
    def stub(x, y, z):
        raise NotImplementedError

    check("scalar_backward", stub)
    entry = ProgressStore().entry("scalar_backward")
    assert entry["attempts"] == 0 and entry["status"] == "not attempted"


def _hammer(path, name, n, go):
    store = ProgressStore(path)
    go.wait(30)  # start together, so that the writes really interleave
    for _ in range(n):
        store.update("shared", lambda e: e.update(attempts=e["attempts"] + 1))
        store.update(name, lambda e: e.update(attempts=e["attempts"] + 1))


def test_two_processes_writing_at_once_lose_no_update(path):
    path.parent.mkdir(parents=True)
    ctx = multiprocessing.get_context("fork")
    go = ctx.Event()
    workers = [ctx.Process(target=_hammer, args=(path, f"worker{i}", 150, go)) for i in range(2)]
    for w in workers:
        w.start()
    go.set()
    for w in workers:
        w.join(120)
        assert w.exitcode == 0
    entries = json.loads(path.read_text())["exercises"]
    assert entries["shared"]["attempts"] == 300
    assert entries["worker0"]["attempts"] == entries["worker1"]["attempts"] == 150


@pytest.mark.parametrize("content", ["{not json", '["a", "list"]', '{"exercises": {"x": 3}}', ""])
def test_a_corrupted_file_is_set_aside_and_the_check_still_works(path, content):
    path.parent.mkdir(parents=True)
    path.write_text(content)
    result = check("scalar_backward", EXERCISES["scalar_backward"].reference)
    assert result.passed
    aside = list(path.parent.glob("progress.json.corrupt-*"))
    assert len(aside) == 1 and aside[0].read_text() == content
    assert any("could not be read" in note for note in result.notes)
    assert json.loads(path.read_text())["exercises"]["scalar_backward"]["passed"] is True


def test_an_unwritable_location_never_breaks_a_check(tmp_path, monkeypatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    monkeypatch.setenv("BACKPROP_COURSE_PROGRESS", str(blocker / "progress.json"))
    result = check("scalar_backward", EXERCISES["scalar_backward"].reference)
    assert result.passed
    assert any("could not be saved" in note for note in result.notes)


def test_progress_lists_every_exercise_with_its_status(path):
    check("scalar_backward", EXERCISES["scalar_backward"].reference)
    check("relu_vjp", lambda x, g: g)
    table = progress()
    assert [row[1] for row in table.rows] == list(EXERCISES)
    status = {row[1]: row[3] for row in table.rows}
    assert "passed" in status["scalar_backward"]
    assert "incorrect" in status["relu_vjp"]
    assert "not started" in status["hvp"]
    assert table.footer[-1] == f"{EXERCISES['scalar_backward'].points}/{sum(e.points for e in EXERCISES.values())}"
