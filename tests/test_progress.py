"""The progress store: persists, survives concurrent writers and a corrupted file, never breaks a check."""

import json
import multiprocessing
import os
import stat

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
    entry = json.loads(path.read_text())["exercises"]["scalar_backward"]
    assert entry["attempts"] == 2 and entry["status"] == "passed"
    assert entry["points"] == EXERCISES["scalar_backward"].points
    check("scalar_backward", _wrong)  # the store shows the latest check, as the check cell does
    entry = json.loads(path.read_text())["exercises"]["scalar_backward"]
    assert (entry["attempts"], entry["status"], entry["points"]) == (3, "incorrect", 0)
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


CORRUPT = [b"{not json", b'["a", "list"]', b"[" * 100_000, b'{"exercises": {}, "x": \xff\xfe}',
           b'{"exercises": {"scalar_backward": {"points": NaN}}}', b'{"exercises": {}, "pad": "' + b"x" * 2**21 + b'"}']


@pytest.mark.parametrize("content", CORRUPT, ids=["not-json", "a-list", "deeply-nested", "not-utf8", "nan", "huge"])
def test_a_corrupted_file_is_set_aside_and_the_check_still_works(path, content):
    path.parent.mkdir(parents=True)
    path.write_bytes(content)
    result = check("scalar_backward", EXERCISES["scalar_backward"].reference)
    assert result.passed
    aside = list(path.parent.glob("progress.json.corrupt-*"))
    assert len(aside) == 1 and aside[0].read_bytes() == content
    assert any("could not be read" in note for note in result.notes)
    assert json.loads(path.read_text())["exercises"]["scalar_backward"]["status"] == "passed"


def test_an_unwritable_location_never_breaks_a_check(tmp_path, monkeypatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    monkeypatch.setenv("BACKPROP_COURSE_PROGRESS", str(blocker / "progress.json"))
    result = check("scalar_backward", EXERCISES["scalar_backward"].reference)
    assert result.passed
    assert any("Progress is not saved" in note for note in result.notes)


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


BAD_ENTRIES = [{"points": "lots", "attempts": "x", "hints_shown": None}, {"points": 1_000_000}, {"attempts": -3},
               {"status": "passed with honours"}, {"points": 1.5}, {"attempts": True}, "just a string"]


@pytest.mark.parametrize("entry", BAD_ENTRIES, ids=range(len(BAD_ENTRIES)))
def test_a_bad_entry_is_dropped_with_a_note_and_nothing_breaks(path, entry):
    from backprop_course.exercises import hint, score_table, show_solution

    path.parent.mkdir(parents=True)
    path.write_text(json.dumps({"version": 2, "exercises": {"scalar_backward": entry, "relu_vjp": {"attempts": 2}}}))
    table = score_table("01")
    assert table.footer[-1] == "0/2"  # forged points never show
    assert any("was not valid" in note for note in table.notes)
    assert "Hint for scalar_backward (1/3)" in repr(hint("scalar_backward"))
    assert "try first" in repr(show_solution("scalar_backward"))
    result = check("scalar_backward", _wrong)
    assert result.status == "incorrect"
    stored = json.loads(path.read_text())["exercises"]
    assert stored["scalar_backward"]["attempts"] == 1 and stored["relu_vjp"]["attempts"] == 2
    assert "NaN" not in path.read_text()


needs_root = pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="os.mknod needs root")


@needs_root
@pytest.mark.parametrize("device", [(1, 3), (1, 5), (1, 7)], ids=["like-null", "like-zero", "like-full"])
def test_a_character_device_stays_a_character_device(tmp_path, monkeypatch, device):
    node = tmp_path / "device"
    os.mknod(node, 0o666 | stat.S_IFCHR, os.makedev(*device))
    monkeypatch.setenv("BACKPROP_COURSE_PROGRESS", str(node))
    first = check("scalar_backward", EXERCISES["scalar_backward"].reference)
    second = check("scalar_backward", _wrong)
    assert first.passed and second.status == "incorrect"
    assert stat.S_ISCHR(os.lstat(node).st_mode) and os.lstat(node).st_rdev == os.makedev(*device)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["device"]
    notes = first.notes + second.notes
    assert sum("Progress is not saved" in n and "character device" in n for n in notes) == 1  # said once


def test_a_symlink_stays_a_symlink(tmp_path, monkeypatch):
    target = tmp_path / "real.json"
    target.write_text('{"version": 2, "exercises": {}}')
    link = tmp_path / "progress.json"
    link.symlink_to(target)
    monkeypatch.setenv("BACKPROP_COURSE_PROGRESS", str(link))
    assert check("scalar_backward", EXERCISES["scalar_backward"].reference)
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert target.read_text() == '{"version": 2, "exercises": {}}'


@pytest.mark.parametrize("kind", ["fifo", "directory", "read-only"])
def test_a_fifo_a_directory_or_a_read_only_file_is_left_alone(tmp_path, monkeypatch, kind):
    path = tmp_path / "progress.json"
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "directory":
        path.mkdir()
    else:
        path.write_text('{"version": 2, "exercises": {}}')
        path.chmod(0o444)
    before = os.lstat(path)
    monkeypatch.setenv("BACKPROP_COURSE_PROGRESS", str(path))
    result = check("scalar_backward", EXERCISES["scalar_backward"].reference)
    assert result.passed
    after = os.lstat(path)
    assert (after.st_mode, after.st_ino) == (before.st_mode, before.st_ino)
    assert any("Progress is not saved" in n for n in result.notes)


def test_each_copy_of_the_course_has_its_own_store_and_reset_starts_afresh(tmp_path, monkeypatch):
    from backprop_course.exercises import hint, reset_progress, score_table

    monkeypatch.delenv("BACKPROP_COURSE_PROGRESS")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    old, new = tmp_path / "old-copy" / "notebooks", tmp_path / "new-copy" / "notebooks"
    old.mkdir(parents=True)
    new.mkdir(parents=True)
    monkeypatch.chdir(old)
    for _ in range(3):
        check("scalar_backward", EXERCISES["scalar_backward"].reference)
        hint("scalar_backward")
    monkeypatch.chdir(new)
    table = score_table("01")
    assert table.rows[0][3] == "· not started" and table.footer[-1] == "0/2"
    assert "(1/3)" in repr(hint("scalar_backward"))  # a stale store never hands out a later hint
    monkeypatch.chdir(old)
    assert score_table("01").footer[-1] == "2/2"
    assert "Progress reset" in repr(reset_progress())
    assert score_table("01").footer[-1] == "0/2"
    assert "(1/3)" in repr(hint("scalar_backward"))


def test_the_score_table_agrees_with_the_latest_check(path):
    from backprop_course.exercises import score_table

    def stub(x, y, z):
        raise NotImplementedError

    for answer, shown in [(EXERCISES["scalar_backward"].reference, "✔ passed"), (_wrong, "✘ incorrect"),
                          (stub, "… not attempted")]:
        result = check("scalar_backward", answer)
        row = score_table("01").rows[0]
        assert row[3] == shown and row[5] == f"{result.points}/2"


def test_the_same_answer_checked_again_is_not_another_attempt(path):
    for _ in range(3):  # Run All, three times
        check("scalar_backward", _wrong)
    assert ProgressStore().entry("scalar_backward")["attempts"] == 1
    check("scalar_backward", lambda x, y, z: (1.0, 1.0, 1.0))  # a changed answer counts
    check("scalar_backward", EXERCISES["scalar_backward"].reference)
    check("scalar_backward", EXERCISES["scalar_backward"].reference)
    assert ProgressStore().entry("scalar_backward")["attempts"] == 3


@pytest.mark.parametrize("answer", [lambda x, y, z: None, lambda x, y, z: (None, None, None), lambda x, y, z: 1 / 0],
                         ids=["None", "a tuple of None", "a crash"])
def test_show_solution_stays_locked_after_a_trivial_attempt(path, answer):
    from backprop_course.exercises import show_solution

    check("scalar_backward", answer)
    assert ProgressStore().entry("scalar_backward")["attempts"] == 1
    assert "try first" in repr(show_solution("scalar_backward"))
    check("scalar_backward", _wrong)  # an answer that returns numbers
    assert "def scalar_backward" in repr(show_solution("scalar_backward"))


def test_show_solution_stays_locked_after_a_topological_order_returning_none(path):
    from backprop_course.exercises import show_solution

    assert check("topological_order", lambda root: None).status == "incorrect"
    assert "try first" in repr(show_solution("topological_order"))
