"""The cost of grading a class: CPU-seconds per student for the whole course, and the speed-up of --jobs.

    python benchmarks/grading.py [STUDENTS] [--jobs 1 2]

Exports the course for nbgrader, generates every assignment, submits STUDENTS copies of a
typical class (a third correct, a third with a wrong answer in each exercise, a third
untouched stubs) for all notebooks, then runs `instructor autograde` once per --jobs
value and reports its wall time and the CPU time of it and all its processes
(nbgrader, the grader, its worker and the children), per student. The target is at
most 4 CPU-s per student. nbgrader and the gradebook need `alembic` on PATH: it is
put there from the interpreter's folder.
"""

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

from backprop_course import instructor
from backprop_course.exercises import reference_source, registry

WRONG = "def {name}(*args, **kwargs):\n    return 0.0\n"


def _class(course, students):
    for key, name in registry.NOTEBOOKS.items():
        exercises = registry.in_notebook(key)
        if not exercises:
            continue
        released = nbformat.read(course / "release" / name / f"{name}.ipynb", as_version=4)
        for number in range(students):
            nb = nbformat.from_dict(released)
            for cell in nb.cells:
                meta = cell.metadata.get("nbgrader", {})
                if meta.get("solution"):
                    ex = registry.get(meta["grade_id"].removesuffix("_answer"))
                    cell.source = [reference_source(ex.id), WRONG.format(name=ex.name), cell.source][number % 3]
            folder = course / "submitted" / f"student{number:04d}" / name
            folder.mkdir(parents=True)
            nbformat.write(nb, folder / f"{name}.ipynb")


def _cpu():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("students", type=int, nargs="?", default=12)
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2])
    args = parser.parse_args()
    env = {**os.environ, "PATH": os.pathsep.join([os.path.dirname(sys.executable), os.environ.get("PATH", "")])}
    with tempfile.TemporaryDirectory() as tmp:
        course = Path(tmp) / "course"
        instructor.export_nbgrader(course)
        subprocess.run([sys.executable, "-m", "nbgrader", "generate_assignment", "*", "--log-level=ERROR"],
                       cwd=course, env=env, check=True, capture_output=True)
        _class(course, args.students)
        walls = {}
        for jobs in args.jobs:
            shutil.rmtree(course / "autograded", ignore_errors=True)
            cpu, start = _cpu(), time.monotonic()
            subprocess.run([sys.executable, "-m", "backprop_course.instructor", "autograde", str(course),
                            "--jobs", str(jobs)], env=env, check=True, capture_output=True)
            walls[jobs] = wall = time.monotonic() - start
            used = _cpu() - cpu
            print(f"--jobs {jobs}: {args.students} students, all {len(registry.EXERCISES)} exercises: "
                  f"wall {wall:.1f} s ({wall / args.students:.2f} s per student), "
                  f"CPU {used:.1f} s ({used / args.students:.2f} CPU-s per student; target <= 4)")
        if 1 in walls:
            for jobs, wall in walls.items():
                if jobs != 1:
                    print(f"speed-up of --jobs {jobs}: {walls[1] / wall:.2f}x")


if __name__ == "__main__":
    main()
