"""A class, not one student: nbgrader's autograde sharded over students, and a report of the class's mistakes.

autograde(course, jobs): the students in COURSE/submitted are split into `jobs` shards;
each shard is graded by one `nbgrader autograde` process in a folder of its own (the
course's config, source and gradebook, and that shard's submissions), so each process
starts one grading worker for all its students and notebooks. The shards' autograded
notebooks are moved into the course, and their gradebook rows merged into its one
gradebook.

report(course): reads the verdicts the formal grader left in COURSE/autograded
(exercises/nbgrade.py) and writes COURSE/reports/scores.csv (student × exercise
points), mistakes.csv (exercise, mistake, students, most common first) and
mistakes.png (the same as a bar chart).
"""

from __future__ import annotations

import csv
import fnmatch
import json
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

import nbformat

from .exercises import EXERCISES
from .exercises.nbgrade import VERDICT_MIME

GRADEBOOK = "gradebook.db"
_PER_STUDENT = ("submitted_assignment", "submitted_notebook", "grade", "comment")


def students_of(course, pattern="*"):
    submitted = Path(course) / "submitted"
    return sorted(p.name for p in submitted.iterdir() if p.is_dir() and fnmatch.fnmatchcase(p.name, pattern)) \
        if submitted.is_dir() else []


def _shard_folder(course, folder, students):
    folder.mkdir()
    for name in ("nbgrader_config.py", "source", "release"):
        if (course / name).exists():
            (folder / name).symlink_to(course / name)
    shutil.copy2(course / GRADEBOOK, folder / GRADEBOOK)
    (folder / "submitted").mkdir()
    for student in students:
        (folder / "submitted" / student).symlink_to(course / "submitted" / student)


def merge(course_db, shard_db, students):
    """Copy the shard's rows for `students` into the course's gradebook, replacing older ones."""
    marks = ",".join("?" * len(students))
    with sqlite3.connect(course_db) as db:
        db.execute("ATTACH DATABASE ? AS shard", (str(shard_db),))
        db.execute(f"INSERT OR IGNORE INTO student SELECT * FROM shard.student WHERE id IN ({marks})", students)
        assignments = f"SELECT id FROM {{db}}.submitted_assignment WHERE student_id IN ({marks})"
        notebooks = f"SELECT id FROM {{db}}.submitted_notebook WHERE assignment_id IN ({assignments})"
        for db_name in ("main", "shard"):
            where = {"submitted_assignment": f"student_id IN ({marks})",
                     "submitted_notebook": f"assignment_id IN ({assignments.format(db=db_name)})",
                     "grade": f"notebook_id IN ({notebooks.format(db=db_name)})",
                     "comment": f"notebook_id IN ({notebooks.format(db=db_name)})"}
            for table in reversed(_PER_STUDENT) if db_name == "main" else _PER_STUDENT:
                if db_name == "main":
                    db.execute(f"DELETE FROM main.{table} WHERE {where[table]}", students)
                else:
                    db.execute(f"INSERT INTO main.{table} SELECT * FROM shard.{table} WHERE {where[table]}", students)
        db.commit()
        db.execute("DETACH DATABASE shard")


def autograde(course, jobs=1, pattern="*", assignment="*", log=sys.stderr):
    """Autograde every submission of the students matching `pattern` in `jobs` parallel shards."""
    course = Path(course).resolve()
    if not (course / GRADEBOOK).exists():
        raise FileNotFoundError(f"{course / GRADEBOOK} is missing: run `nbgrader generate_assignment` first")
    students = students_of(course, pattern)
    shards = [s for s in (students[k::max(1, jobs)] for k in range(max(1, jobs))) if s]
    with tempfile.TemporaryDirectory(prefix="autograde-") as tmp:
        running = []
        for k, shard in enumerate(shards):
            folder = Path(tmp) / f"shard{k}"
            _shard_folder(course, folder, shard)
            command = [sys.executable, "-m", "nbgrader", "autograde", assignment, "--force"]
            running.append((folder, shard, subprocess.Popen(command, cwd=folder, stdout=subprocess.DEVNULL,
                                                            stderr=open(folder / "autograde.log", "wb"))))
        failed = []
        for folder, shard, process in running:
            if process.wait() != 0:
                failed.append(folder.name)
                log.write((folder / "autograde.log").read_text(errors="replace")[-4000:])
            for student in shard:
                graded = folder / "autograded" / student
                if graded.is_dir():
                    shutil.rmtree(course / "autograded" / student, ignore_errors=True)
                    shutil.copytree(graded, course / "autograded" / student)
            merge(course / GRADEBOOK, folder / GRADEBOOK, shard)
    return students, failed


# the report ------------------------------------------------------------------------------------------------
def verdicts(course):
    """{student: {exercise id: verdict record}} from the autograded notebooks."""
    found = {}
    for path in sorted(Path(course).glob("autograded/*/*/*.ipynb")):
        student = path.parent.parent.name
        nb = nbformat.read(path, as_version=4)
        for cell in nb.cells:
            for output in cell.get("outputs", []) if cell.cell_type == "code" else []:
                record = output.get("data", {}).get(VERDICT_MIME)
                if isinstance(record, str):
                    record = json.loads(record)
                if isinstance(record, dict) and record.get("exercise_id") in EXERCISES:
                    found.setdefault(student, {})[record["exercise_id"]] = record
    return found


def mistake_counts(found):
    """[(exercise id, mistake, students)], by exercise in course order, most common first."""
    counts = Counter()
    for records in found.values():
        for exercise_id, record in records.items():
            if record["status"] != "passed":
                label = record.get("mistake") or {"incorrect": "other wrong answer"}.get(record["status"],
                                                                                         record["status"])
                counts[exercise_id, label] += 1
    order = list(EXERCISES)
    return sorted(((e, m, n) for (e, m), n in counts.items()), key=lambda row: (order.index(row[0]), -row[2], row[1]))


def not_graded(course):
    """["student/assignment"] for each submission without an autograded notebook (nbgrader could not grade it)."""
    course = Path(course)
    return [f"{p.parent.name}/{p.name}" for p in sorted(course.glob("submitted/*/*"))
            if p.is_dir() and not any((course / "autograded" / p.parent.name / p.name).glob("*.ipynb"))]


def report(course):
    """Write COURSE/reports/{scores.csv, mistakes.csv, mistakes.png}; return their paths and the table's rows."""
    course = Path(course)
    found = verdicts(course)
    exercises = [e for e in EXERCISES if any(e in r for r in found.values())]
    out = course / "reports"
    out.mkdir(exist_ok=True)
    with open(out / "scores.csv", "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["student", *exercises, "total"])
        for student, records in sorted(found.items()):
            points = [records[e]["points"] if e in records else "" for e in exercises]
            writer.writerow([student, *points, sum(p for p in points if p != "")])
    rows = mistake_counts(found)
    with open(out / "mistakes.csv", "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["exercise", "mistake", "students"])
        writer.writerows(rows)
    _chart(rows, out / "mistakes.png")
    return [out / "scores.csv", out / "mistakes.csv", out / "mistakes.png"], rows


def _chart(rows, path):
    from matplotlib.figure import Figure  # no pyplot: no GUI backend, no global state

    fig = Figure(figsize=(9, 0.35 * max(len(rows), 1) + 1.2))
    ax = fig.subplots()
    labels = [f"{e}: {m}" for e, m, _ in rows][::-1]
    ax.barh(range(len(rows)), [n for *_, n in rows][::-1], color="#b3261e")
    ax.set_yticks(range(len(rows)), labels, fontsize=8)
    ax.set_xlabel("students")
    ax.set_title("Named mistakes, per exercise (most common first)")
    fig.tight_layout()
    fig.savefig(path, dpi=100)


def table(rows):
    width = max([len(f"{e}: {m}") for e, m, _ in rows] + [10])
    return "\n".join(f"{f'{e}: {m}':<{width}}  {n}" for e, m, n in rows) or "no mistakes"

