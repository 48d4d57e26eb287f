"""A learner's progress, kept in a small JSON file that never breaks a check and never damages a file.

Where. One store per copy of the course: `~/.backprop_course/progress/<folder>-<hash>.json`,
keyed by the folder the notebooks run in (a Jupyter kernel's working directory), so
a fresh copy of the course starts fresh; `reset_progress()` empties the current one.
The environment variable BACKPROP_COURSE_PROGRESS names a file instead (`/dev/null`,
or any path that is not a regular file, means "save nothing").

How. Every change is a read-modify-write under an exclusive lock (`fcntl.flock` on a
sidecar `.lock` file where available), so two kernels recording at once both keep
their updates. The write goes to a temporary file that `os.replace` swaps in, and
only over a regular file this user owns and may write: a device, FIFO, directory,
symlink or read-only file is never renamed or replaced. Reads are bounded, and
every entry is validated on load; a file that cannot be parsed is renamed to
`<name>.corrupt-<timestamp>`, and bad entries are dropped, each with a note.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import stat
import tempfile
import time
from pathlib import Path

try:
    import fcntl
except ImportError:  # Windows: atomic replace still holds; concurrent writers may lose an update
    fcntl = None

ENV = "BACKPROP_COURSE_PROGRESS"
VERSION = 2
MAX_BYTES = 1 << 20  # a progress file is a few kilobytes; never read more than this
STATUSES = ("not started", "not attempted", "passed", "incorrect", "error", "timeout")
_told = set()  # the "progress is not saved" notices already given, once per path and process


def default_path():
    if os.environ.get(ENV):
        return Path(os.environ[ENV]).expanduser()
    try:
        home = Path.home()
    except RuntimeError:  # no home directory can be determined (some containers)
        home = Path(tempfile.gettempdir())
    here = Path.cwd().resolve()
    key = hashlib.sha256(str(here).encode("utf-8", "surrogatepass")).hexdigest()[:12]
    return home / ".backprop_course" / "progress" / f"{here.name or 'root'}-{key}.json"


def new_entry():
    return {"attempts": 0, "points": 0, "status": "not started", "hints_shown": 0, "hints_key": "",
            "passed_parts": [], "updated": None, "answer_key": "", "real_attempts": 0}


def answer_key(result):
    """What a check saw of an answer (its verdict, message and numbers): the same answer checked again, as a
    Run All does, gives the same key, so it is not counted as another attempt."""
    seen = (result.status, result.message, result.case, result.expected, result.got, tuple(result.tested))
    return hashlib.sha256(repr(seen).encode("utf-8", "surrogatepass")).hexdigest()[:16]


def is_real_attempt(result):
    """Did the answer get as far as numbers? A pass, or a wrong number; not a stub, a missing `return` (None),
    a crash or a timeout."""
    return result.status == "passed" or (
        result.status == "incorrect" and result.got is not None and "None" not in str(result.got))


def _valid(entry, max_points):
    """Is `entry` a well-formed progress entry (the right types, finite, in range)?"""
    def count(v, top=10**9):
        return type(v) is int and 0 <= v <= top

    return (isinstance(entry, dict) and count(entry.get("attempts", 0)) and count(entry.get("hints_shown", 0))
            and count(entry.get("points", 0), max_points) and entry.get("status", "not started") in STATUSES
            and isinstance(entry.get("hints_key", ""), str) and isinstance(entry.get("answer_key", ""), str)
            and count(entry.get("real_attempts", 0))
            and isinstance(entry.get("passed_parts", []), list)
            and all(isinstance(p, str) for p in entry.get("passed_parts", []))
            and (entry.get("updated") is None or isinstance(entry.get("updated"), str)))


def _reject_constant(name):
    raise ValueError(f"{name} is not a number a progress file may hold")


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
        """Apply `change(entry)` to one exercise's entry and save it if the file may be written; return the entry."""
        writable = self._may_write()
        if writable:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._locked(writable):
            data = self._read()
            entry = {**new_entry(), **data["exercises"].get(exercise_id, {})}
            change(entry)
            entry["updated"] = time.strftime("%Y-%m-%dT%H:%M:%S")
            data["exercises"][exercise_id] = entry
            if writable:
                self._write(data)
        return entry

    def record(self, result, passed_parts=()):
        """Count an attempt when the answer changed (a stub that is still a stub is none, and neither is the same
        answer checked again); keep the latest status and points."""
        key = answer_key(result)

        def change(entry):
            if result.status != "not attempted" and key != entry["answer_key"]:
                entry["attempts"] += 1
                entry["real_attempts"] += is_real_attempt(result)
                entry["answer_key"] = key
            entry["points"], entry["status"] = result.points, result.status
            entry["passed_parts"] = list(passed_parts)

        return self.update(result.exercise_id, change)

    def reset(self):
        """Forget all progress in this store (the file is emptied, not removed)."""
        if self._may_write():
            with self._locked(True):
                self._write({"version": VERSION, "exercises": {}})

    # file handling ------------------------------------------------------
    def _kind(self):
        """'missing', 'file' (a regular file, not a symlink) or what else the path is."""
        try:
            st = os.lstat(self.path)
        except FileNotFoundError:
            return "missing", None
        except OSError as exc:
            return f"unreachable ({exc.strerror})", None
        if stat.S_ISLNK(st.st_mode):
            return "a symbolic link", st
        if stat.S_ISREG(st.st_mode):
            return "file", st
        kinds = {stat.S_ISCHR: "a character device", stat.S_ISBLK: "a block device", stat.S_ISFIFO: "a FIFO",
                 stat.S_ISDIR: "a directory", stat.S_ISSOCK: "a socket"}
        return next((name for test, name in kinds.items() if test(st.st_mode)), "not a regular file"), st

    def _may_write(self):
        kind, st = self._kind()
        why = None
        if kind == "file":
            if hasattr(os, "getuid") and st.st_uid != os.getuid():
                why = "belongs to another user"
            elif not st.st_mode & stat.S_IWUSR or not os.access(self.path, os.W_OK):  # root too: the mode says no
                why = "is read-only"
        elif kind != "missing":
            why = f"is {kind}"
        if why is None:
            return True
        if str(self.path) not in _told:
            _told.add(str(self.path))
            self.notices.append(f"Progress is not saved: {self.path} {why}, so it is left as it is. Set "
                                f"{ENV} to a regular file to keep your progress.")
        return False

    @contextlib.contextmanager
    def _locked(self, writable):
        if fcntl is None or not writable:
            yield
            return
        lock_path = self.path.with_name(self.path.name + ".lock")
        flags = os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
        fd = os.open(lock_path, flags, 0o600)
        try:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                raise OSError(f"{lock_path} is not a regular file")
            fcntl.flock(fd, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            os.close(fd)

    def _read(self):
        empty = {"version": VERSION, "exercises": {}}
        kind, _ = self._kind()
        if kind != "file":
            return empty
        try:
            fd = os.open(self.path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
        except OSError:
            return empty
        with os.fdopen(fd, "rb") as f:
            if not stat.S_ISREG(os.fstat(f.fileno()).st_mode):
                return empty
            raw = f.read(MAX_BYTES + 1)
        if not raw.strip():
            return empty
        try:
            if len(raw) > MAX_BYTES:
                raise ValueError("too large")
            data = json.loads(raw.decode("utf-8"), parse_constant=_reject_constant)
            if not (isinstance(data, dict) and isinstance(data.get("exercises"), dict)):
                raise ValueError("not a progress file")
        except (ValueError, RecursionError, MemoryError):
            return self._set_aside()
        return {"version": VERSION, "exercises": self._validated(data["exercises"])}

    def _validated(self, exercises):
        from .registry import EXERCISES

        kept, dropped = {}, []
        for key, entry in exercises.items():
            top = EXERCISES[key].points if key in EXERCISES else 10**6
            if _valid(entry, top):
                kept[key] = entry
            else:
                dropped.append(key)
        if dropped:
            shown = ", ".join(str(k)[:40] for k in dropped[:5])
            self.notices.append(f"Progress for {shown} was not valid and starts afresh.")
        return kept

    def _set_aside(self):
        aside = self.path.with_name(f"{self.path.name}.corrupt-{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}")
        if self._may_write():
            with contextlib.suppress(FileNotFoundError):
                os.replace(self.path, aside)
                self.notices.append(f"Your progress file {self.path} could not be read; it was kept as "
                                    f"{aside.name} and progress starts afresh.")
        return {"version": VERSION, "exercises": {}}

    def _write(self, data):
        kind, _ = self._kind()
        if kind not in ("file", "missing"):  # it changed under us: still never replace what is not ours
            return
        text = json.dumps(data, indent=1, sort_keys=True, allow_nan=False)
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=self.path.name + ".", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                f.write(text)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, self.path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
