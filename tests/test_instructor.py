"""The nbgrader export: metadata, a release without solutions, and the reference scoring full points."""

import ast
import contextlib
import io
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from backprop_course import instructor
from backprop_course.exercises import EXERCISES, NOTEBOOKS, reference_source, solution_source


@pytest.fixture(autouse=True)
def progress_file(tmp_path, monkeypatch):
    monkeypatch.setenv("BACKPROP_COURSE_PROGRESS", str(tmp_path / "progress.json"))


def _solution_lines(exercise_id):
    """The lines between the solution markers: what a release must not contain."""
    lines, inside = [], False
    for line in solution_source(exercise_id).splitlines():
        if "### BEGIN SOLUTION" in line or "### END SOLUTION" in line:
            inside = "BEGIN" in line
        elif inside and len(line.strip()) > 8:
            lines.append(line.strip())
    return lines


def test_export_writes_one_notebook_per_notebook_with_exercises(tmp_path):
    paths = instructor.export_nbgrader(tmp_path)
    keys = sorted({ex.notebook for ex in EXERCISES.values()})
    assert [p.name for p in paths] == [f"{NOTEBOOKS[k]}.ipynb" for k in keys]
    assert (tmp_path / "nbgrader_config.py").exists()
    seen = set()
    for path in paths:
        nb = nbformat.read(path, as_version=4)
        nbformat.validate(nb)
        for cell in nb.cells:
            meta = cell.metadata["nbgrader"]
            assert meta["schema_version"] == 3
            if meta["solution"]:
                assert not meta["locked"] and not meta["grade"]
                assert "### BEGIN SOLUTION" in cell.source and "### END SOLUTION" in cell.source
                ast.parse(cell.source)
            if meta["grade"]:
                exercise_id = meta["grade_id"].removesuffix("_check")
                assert meta["locked"] and meta["points"] == EXERCISES[exercise_id].points
                assert f'"backprop_course.exercises.formal", "{exercise_id}"' in cell.source
                seen.add(exercise_id)
    assert seen == set(EXERCISES)


def test_solution_source_runs_and_passes():
    from backprop_course.exercises import check, reference_source

    for ex in EXERCISES.values():
        namespace = {}
        imports = reference_source(ex.id).split(ex.source)[0]
        exec(imports + solution_source(ex.id), namespace)
        assert check(ex.id, namespace[ex.name]), ex.id


def test_command_line(tmp_path):
    out = subprocess.run([sys.executable, "-m", "backprop_course.instructor", "export-nbgrader", str(tmp_path / "c")],
                         capture_output=True, text=True, check=True).stdout
    assert "01_scalar_graph.ipynb" in out and "generate_assignment" in out


def _nbgrader(course, *args):
    # nbgrader runs `alembic` (a script next to the interpreter) to create its gradebook
    path = os.pathsep.join([os.path.dirname(sys.executable), os.environ.get("PATH", "")])
    env = {**os.environ, "PATH": path, "BACKPROP_COURSE_PROGRESS": str(course / "progress.json")}
    run = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=course, env=env, capture_output=True,
                         text=True, timeout=500)
    assert run.returncode == 0, run.stdout + run.stderr
    return run


REBIND = ("check = lambda *a, **k: True\n"
          "import backprop_course.exercises as _e, backprop_course.exercises.runner as _r\n"
          "_e.check = _r.check = lambda *a, **k: True\n")
PATCH = "import backprop_course.exercises.checking as c\nc.close = lambda *a, **k: True\n"


def _students(course, assignment):
    """The released notebooks with every answer cell changed as each cheating student does."""
    def nan_answer(source, exercise_id):
        n = len(EXERCISES[exercise_id].outputs)
        nan = "float('nan')" if n <= 1 else "(" + "float('nan'), " * n + ")"
        return PATCH + source.replace("raise NotImplementedError()", f"c.close = lambda *a, **k: True; return {nan}")

    changes = {"rebinding": lambda source, exercise_id: REBIND + source, "patching": nan_answer}
    for student, change in changes.items():
        folder = course / "submitted" / student / assignment
        folder.mkdir(parents=True)
        for path in sorted((course / "release" / assignment).glob("*.ipynb")):
            nb = nbformat.read(path, as_version=4)
            for cell in nb.cells:
                meta = cell.metadata.get("nbgrader", {})
                if meta.get("solution"):
                    cell.source = change(cell.source, meta["grade_id"].removesuffix("_answer"))
            nbformat.write(nb, folder / path.name)


def test_nbgrader_release_has_no_solutions_and_cheating_students_score_nothing(tmp_path):
    pytest.importorskip("nbgrader")
    from nbgrader.api import Gradebook

    course = tmp_path / "course"
    assignment = instructor.ASSIGNMENT
    instructor.export_nbgrader(course)

    _nbgrader(course, "generate_assignment", assignment, "--no-db")
    released = sorted((course / "release" / assignment).glob("*.ipynb"))
    assert [p.name for p in released] == sorted(p.name for p in (course / "source" / assignment).glob("*.ipynb"))
    text = "\n".join(p.read_text(encoding="utf-8") for p in released)
    assert "BEGIN SOLUTION" not in text and "END SOLUTION" not in text
    for exercise_id in EXERCISES:
        leaked = [line for line in _solution_lines(exercise_id) if line in text]
        assert not leaked, (exercise_id, leaked)

    # Autograde the reference (the source notebooks) and the two cheating students; that needs the gradebook.
    _nbgrader(course, "generate_assignment", assignment, "--force")
    shutil.copytree(course / "source" / assignment, course / "submitted" / "honest" / assignment)
    _students(course, assignment)
    _nbgrader(course, "autograde", assignment)
    total = sum(ex.points for ex in EXERCISES.values())
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        scores = {s: gradebook.find_submission(assignment, s).score for s in ("honest", "rebinding", "patching")}
        assert gradebook.find_submission(assignment, "honest").max_score == total
    print(f"nbgrader scores out of {total}: {scores}")
    assert scores == {"honest": total, "rebinding": 0, "patching": 0}


def _cli(*args):
    """The command line, in this process (a subprocess per call would cost seconds on a loaded machine)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = instructor.main([str(a) for a in args])
    return subprocess.CompletedProcess(args, code, out.getvalue(), err.getvalue())


def test_exporting_twice_keeps_an_edit_unless_forced(tmp_path):
    paths = instructor.export_nbgrader(tmp_path)
    assert instructor.export_nbgrader(tmp_path) == paths  # unchanged notebooks: a second export is fine
    edited = paths[0].read_text(encoding="utf-8").replace("graded exercises", "graded exercises (edited)")
    paths[0].write_text(edited, encoding="utf-8")
    run = _cli("export-nbgrader", tmp_path)
    assert run.returncode == 2 and "--force" in run.stderr and len(run.stderr.strip().splitlines()) == 1
    assert paths[0].read_text(encoding="utf-8") == edited
    assert _cli("export-nbgrader", tmp_path, "--force").returncode == 0
    assert "(edited)" not in paths[0].read_text(encoding="utf-8")


@pytest.mark.parametrize("name", ["../../x", "", ".", "..", "a/b", "-rf", "x" * 65, "name with space"])
def test_assignment_names_are_validated(tmp_path, name):
    run = _cli("export-nbgrader", tmp_path / "course", "--assignment", name)
    assert run.returncode == 2 and run.stderr.startswith("error: ") and len(run.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "course").exists() and not (tmp_path / "x").exists()


def test_fill_solutions_refuses_to_overwrite_its_input_or_an_existing_file(tmp_path):
    source = Path(__file__).resolve().parents[1] / "notebooks" / "01_scalar_graph.ipynb"
    learner = tmp_path / "01_scalar_graph.ipynb"
    shutil.copy(source, learner)
    before = learner.read_bytes()
    for out in (tmp_path, tmp_path / "." / ""):
        run = _cli("fill-solutions", learner, "--out", out)
        assert run.returncode == 2 and "input" in run.stderr and len(run.stderr.strip().splitlines()) == 1
        assert learner.read_bytes() == before
    assert _cli("fill-solutions", learner, "--out", tmp_path / "key").returncode == 0
    again = _cli("fill-solutions", learner, "--out", tmp_path / "key")
    assert again.returncode == 2 and "--force" in again.stderr
    assert _cli("fill-solutions", learner, "--out", tmp_path / "key", "--force").returncode == 0


@pytest.mark.parametrize("problem", ["invalid-json", "directory", "missing", "no-arguments", "unknown-command"])
def test_every_cli_error_is_one_line_with_status_2(tmp_path, problem):
    bad = tmp_path / "bad.ipynb"
    args = {"invalid-json": ["fill-solutions", bad, "--out", tmp_path / "o"],
            "directory": ["fill-solutions", tmp_path, "--out", tmp_path / "o"],
            "missing": ["fill-solutions", tmp_path / "nope.ipynb", "--out", tmp_path / "o"],
            "no-arguments": [], "unknown-command": ["grade-everything"]}[problem]
    bad.write_text("{not json")
    run = _cli(*args)
    assert run.returncode == 2, run
    assert run.stderr.startswith("error: ") and len(run.stderr.strip().splitlines()) == 1, run.stderr
    assert "Traceback" not in run.stderr and not (tmp_path / "o").exists()


def test_formal_grading_ignores_the_namespace_and_patches(tmp_path):
    """The locked cell's grader, run as nbgrader does, on the kernel's code."""
    import json

    from backprop_course.exercises import formal

    cheat = ("check = lambda *a, **k: True\nimport backprop_course.exercises.checking as c\n"
             "c.close = lambda *a, **k: True\nc.compare = lambda *a, **k: None\n"
             "def scalar_backward(x, y, z):\n    c.close = lambda *a, **k: True\n    return (float('nan'),) * 3\n")
    honest = reference_source("scalar_backward")
    assert formal.grade("scalar_backward", [honest, cheat])[0] == "incorrect"
    assert formal.grade("scalar_backward", [cheat, honest])[0] == "passed"
    assert formal.grade("scalar_backward", ["x = 1"])[0] == "not attempted"
    exits = "def scalar_backward(x, y, z):\n    import sys; sys.exit(0)\n"
    assert formal.grade("scalar_backward", [exits])[0] == "error"
    run = subprocess.run([sys.executable, "-m", "backprop_course.exercises.formal", "scalar_backward"],
                         input=json.dumps({"nonce": "N0NCE", "cells": [cheat]}), capture_output=True, text=True)
    assert run.returncode == 0 and run.stdout.strip().endswith("N0NCE incorrect")
