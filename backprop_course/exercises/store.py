"""A learner's progress, kept in a small JSON file that never breaks a check.

The file is `~/.backprop_course/progress.json`, or the path in the environment
variable BACKPROP_COURSE_PROGRESS. Every change is a read-modify-write under
an exclusive lock (`fcntl.flock` on a sidecar `.lock` file where available),
so two kernels recording at once both keep their updates; the write goes to a
temporary file that `os.replace` swaps in, so a reader never sees half a file.
A file that cannot be parsed is renamed to `<name>.corrupt-<timestamp>` and
the store starts afresh.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
import time
from pathlib import Path

try:
    import fcntl
except ImportError:  # Windows: atomic replace still holds; concurrent writers may lose an update
    fcntl = None

ENV = "BACKPROP_COURSE_PROGRESS"
VERSION = 1


def default_path():
    if os.environ.get(ENV):
        return Path(os.environ[ENV]).expanduser()
    try:
        home = Path.home()
    except RuntimeError:  # no home directory can be determined (some containers)
        home = Path(tempfile.gettempdir())
    return home / ".backprop_course" / "progress.json"


def new_entry():
    return {"attempts": 0, "passed": False, "points": 0, "status": "not started", "hints_shown": 0, "updated": None}


class ProgressStore:
    """Read and update the progress file. `notices` collects what went wrong, for display."""

    def __init__(self, path=None):
        self.path = Path(path) if path is not None else default_path()
        self.notices = []

    def entries(self):
        """{exercise_id: entry} as stored now (empty if there is no file yet)."""
        return self._read()["exercises"]

    def entry(self, exercise_id):
        return {**new_entry(), **self.entries().get(exercise_id, {})}

    def update(self, exercise_id, change):
        """Apply `change(entry)` to one exercise's entry and save; return the new entry."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._locked():
            data = self._read()
            entry = {**new_entry(), **data["exercises"].get(exercise_id, {})}
            change(entry)
            entry["updated"] = time.strftime("%Y-%m-%dT%H:%M:%S")
            data["exercises"][exercise_id] = entry
            self._write(data)
        return entry

    def record(self, result):
        """Count an attempt (a stub that is still a stub is not one) and keep the best score."""

        def change(entry):
            if result.status != "not attempted":
                entry["attempts"] += 1
            entry["passed"] = bool(entry["passed"] or result.passed)
            entry["points"] = max(entry["points"], result.points)
            entry["status"] = "passed" if entry["passed"] else result.status

        return self.update(result.exercise_id, change)

    # file handling ------------------------------------------------------
    @contextlib.contextmanager
    def _locked(self):
        if fcntl is None:
            yield
            return
        with open(self.path.with_name(self.path.name + ".lock"), "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def _read(self):
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return {"version": VERSION, "exercises": {}}
        try:
            data = json.loads(text)
            if not (isinstance(data, dict) and isinstance(data.get("exercises"), dict)
                    and all(isinstance(e, dict) for e in data["exercises"].values())):
                raise ValueError("not a progress file")
            return data
        except ValueError:
            return self._set_aside()

    def _set_aside(self):
        aside = self.path.with_name(f"{self.path.name}.corrupt-{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}")
        with contextlib.suppress(FileNotFoundError):
            os.replace(self.path, aside)
            self.notices.append(f"Your progress file {self.path} could not be read; it was kept as {aside.name} "
                                "and progress starts afresh.")
        return {"version": VERSION, "exercises": {}}

    def _write(self, data):
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=self.path.name + ".", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                json.dump(data, f, indent=1, sort_keys=True)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, self.path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
