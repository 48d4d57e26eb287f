"""The nbgrader export (its metadata, check cells and config) and the command line; grading: test_classroom.py."""

import ast
import contextlib
import io
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


def test_export_writes_one_notebook_per_notebook_with_exercises(tmp_path):
    paths = instructor.export_nbgrader(tmp_path)
    keys = sorted({ex.notebook for ex in EXERCISES.values()})
    assert [p.name for p in paths] == [f"{NOTEBOOKS[k]}.ipynb" for k in keys]
    assert [p.parent.name for p in paths] == [NOTEBOOKS[k] for k in keys]  # one assignment per notebook
    config = (tmp_path / "nbgrader_config.py").read_text()
    assert "backprop_course.exercises.nbgrade.FormalGrade" in config and "Execute'" not in config
    timeout = int(config.split("c.Execute.timeout = ")[1].split()[0])
    assert timeout > max(ex.time_limit for ex in EXERCISES.values()) + 30
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
                name = EXERCISES[exercise_id].name
                assert cell.source == f'from backprop_course.exercises import check\ncheck("{exercise_id}", {name})'
                seen.add(exercise_id)
    assert seen == set(EXERCISES)


def test_solution_source_runs_and_passes():
    from backprop_course.exercises import check

    for ex in EXERCISES.values():
        namespace = {}
        imports = reference_source(ex.id).split(ex.source)[0]
        exec(imports + solution_source(ex.id), namespace)
        assert check(ex.id, namespace[ex.name]), ex.id


def test_command_line(tmp_path):
    out = subprocess.run([sys.executable, "-m", "backprop_course.instructor", "export-nbgrader", str(tmp_path / "c")],
                         capture_output=True, text=True, check=True).stdout
    assert "01_scalar_graph.ipynb" in out and "generate_assignment" in out


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



def test_report_flags_a_submission_nbgrader_could_not_grade(tmp_path):
    for student in ("ann", "bob"):
        (tmp_path / "submitted" / student / "01_scalar_graph").mkdir(parents=True)
    graded = tmp_path / "autograded" / "ann" / "01_scalar_graph"
    graded.mkdir(parents=True)
    nbformat.write(nbformat.v4.new_notebook(), graded / "01_scalar_graph.ipynb")
    run = _cli("report", tmp_path)
    assert run.returncode == 0 and "NOT GRADED: bob/01_scalar_graph" in run.stdout and "ann/" not in run.stdout
    assert (tmp_path / "reports" / "scores.csv").read_text().startswith("student")


def test_a_check_run_by_nbgrader_in_a_kernel_never_gives_points_silently(monkeypatch):
    from backprop_course.exercises import check
    from backprop_course.exercises.runner import NotGradedHere

    namespace = {}
    exec(reference_source("scalar_backward"), namespace)
    right, wrong = namespace["scalar_backward"], lambda x, y, z: (0.0, 0.0, 0.0)
    monkeypatch.setenv("NBGRADER_EXECUTION", "validate")
    assert check("scalar_backward", right)
    with pytest.raises(NotGradedHere, match="incorrect"):
        check("scalar_backward", wrong)
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")  # a config without the formal grader: loud, not full marks
    with pytest.raises(NotGradedHere, match="formal grader"):
        check("scalar_backward", right)
