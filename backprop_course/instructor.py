"""Tools for instructors: nbgrader assignments, sharded autograding, class reports, solution-filled notebooks.

    python -m backprop_course.instructor export-nbgrader OUT/ [--assignment NAME]
    python -m backprop_course.instructor autograde COURSE/ [--jobs N] [--student GLOB] [--assignment GLOB]
    python -m backprop_course.instructor report COURSE/
    python -m backprop_course.instructor fill-solutions NOTEBOOK.ipynb [...] --out DIR

`export-nbgrader` writes an nbgrader course directory: OUT/nbgrader_config.py and
OUT/source/<notebook>/<notebook>.ipynb, one assignment per course notebook that
has exercises (or all in OUT/source/NAME with --assignment NAME). Each exercise
gets a locked prompt, an answer cell whose function bodies sit between
`### BEGIN SOLUTION` / `### END SOLUTION`, and a locked, graded check cell worth
the exercise's points: two lines, the in-notebook check, for the student. The
config makes nbgrader's autograde grade without a kernel: each check cell gets
the verdict of the formal grader (exercises/formal.py), a process in which no
learner code ran. Then, in OUT: `nbgrader generate_assignment "*"`.
Released notebooks switch show_solution off (BACKPROP_COURSE_NO_SOLUTIONS=1);
note that the reference solutions also ship inside the installed package.
Files already in OUT that differ from the export are kept unless --force.

`autograde` runs nbgrader's autograde over shards of the students in parallel
and keeps one gradebook; `report` writes COURSE/reports/scores.csv (student ×
exercise points), mistakes.csv and mistakes.png (the class's named mistakes,
per exercise, most common first). See backprop_course/classroom.py.

`fill-solutions` writes copies of course notebooks with every exercise stub
replaced by its reference solution (for answer keys, and for testing the
notebooks). It never writes over one of its inputs, nor over an existing file
without --force.

Errors are one line on stderr, with exit status 2.
"""

from __future__ import annotations

import argparse
import ast
import os
import re
import sys
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from .exercises import registry, sources

CHECK_CALL = re.compile(r"""check\(\s*["'](\w+)["']\s*,\s*(\w+)""")
ASSIGNMENT_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")

# The locked check cell: the in-notebook check, for the student. Formal grading does not run it: nbgrader's autograde
# replaces its outputs with the verdict of a process in which no learner code ran (exercises/nbgrade.py).
CHECK_CELL = """\
from backprop_course.exercises import check
check("{id}", {name})"""
CONFIG = """\
c = get_config()  # noqa: F821
c.CourseDirectory.course_id = "backprop_course"
# Autograde without a kernel: each check cell gets the verdict of backprop_course's formal grader, which runs the
# answer in a child process (backprop_course/exercises/formal.py).
c.Autograde.autograde_preprocessors = {preprocessors!r}
# Validating runs the notebook in a kernel: give every check time beyond its own limit ({longest:g} s).
c.Execute.timeout = {timeout}
c.ExecutePreprocessor.timeout = {timeout}
"""


class InstructorError(Exception):
    """A problem with the command's input, reported as one line."""


# nbgrader --------------------------------------------------------------------------------------------
def _nbgrader(cell, grade_id, *, solution=False, grade=False, locked=True, points=None):
    meta = {"grade": grade, "grade_id": grade_id, "locked": locked, "schema_version": 3, "solution": solution,
            "task": False}
    if points is not None:
        meta["points"] = points
    cell.metadata["nbgrader"] = meta
    cell.id = grade_id.replace(".", "-")[:64]  # stable ids: exporting twice writes the same file
    return cell


def _setup_source(exercises):
    lines = {line for ex in exercises for line in ex.imports.splitlines() if line.strip()}
    imports = sorted(lines, key=lambda line: (line.startswith("from"), line))
    return "\n".join([
        "import os",
        "",
        'os.environ["BACKPROP_COURSE_NO_SOLUTIONS"] = "1"  # graded work: show_solution is off',
        "",
        *imports,
        "from backprop_course.exercises import check, hint",
    ])


def nbgrader_notebook(notebook_key):
    """The nbgrader source notebook for one course notebook's exercises."""
    exercises = registry.in_notebook(notebook_key)
    name = registry.NOTEBOOKS[notebook_key]
    total = sum(ex.points for ex in exercises)
    cells = [
        _nbgrader(new_markdown_cell(
            f"# {name}: graded exercises ({total} points)\n\n"
            "Write each answer in the cell below its task, replacing `raise NotImplementedError()`. "
            "Run the check cell after it for feedback; `hint(\"exercise_id\")` gives a hint."), "intro"),
        _nbgrader(new_code_cell(_setup_source(exercises)), "setup"),
    ]
    for ex in exercises:
        cells += [
            _nbgrader(new_markdown_cell(f"## {ex.title} ({ex.points} points)\n\n{ex.prompt}\n\n"
                                        f"Define `{ex.signature}`."), f"{ex.id}_task"),
            _nbgrader(new_code_cell(sources.solution_source(ex.id)), f"{ex.id}_answer", solution=True, locked=False),
            _nbgrader(new_code_cell(CHECK_CELL.format(id=ex.id, name=ex.name)), f"{ex.id}_check", grade=True,
                      points=ex.points),
        ]
    nb = new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"display_name": "Python 3", "language": "python", "name": "python3"}
    nb.metadata["language_info"] = {"name": "python"}
    return nb


def check_assignment_name(name):
    if not ASSIGNMENT_NAME.fullmatch(name or "") or name.strip(".") == "":
        raise InstructorError(f"assignment name {name!r:.70} is not allowed: use letters, digits, '_', '-' and '.', "
                              "starting with a letter or digit")
    return name


def config_source():
    from .exercises.nbgrade import AUTOGRADE

    longest = max(ex.time_limit for ex in registry.EXERCISES.values())
    return CONFIG.format(preprocessors=AUTOGRADE, longest=longest, timeout=int(3 * longest + 30))


def export_nbgrader(out, assignment=None, force=False):
    """Write an nbgrader course directory to `out`; return the notebook paths written.

    Each course notebook with exercises is an assignment of its own, named like the notebook, so a submission
    that breaks one notebook costs that notebook only; `assignment` puts them all into one assignment instead.
    A notebook already there that differs from the export (an instructor's edit) is kept, and nothing is
    written, unless `force`.
    """
    out = Path(out)
    if assignment is not None:
        check_assignment_name(assignment)
    notebooks = {out / "source" / (assignment or name) / f"{name}.ipynb": nbformat.writes(nbgrader_notebook(key))
                 for key, name in registry.NOTEBOOKS.items() if registry.in_notebook(key)}
    edited = [p for p, text in notebooks.items() if p.exists() and p.read_text(encoding="utf-8") != text]
    if edited and not force:
        raise InstructorError(f"{edited[0]} exists and differs from the export ({len(edited)} such notebook(s)); "
                              "pass --force to overwrite")
    config = out / "nbgrader_config.py"
    if config.exists() and config.read_text(encoding="utf-8") != config_source() and not force:
        raise InstructorError(f"{config} exists and differs from the export; pass --force to overwrite")
    out.mkdir(parents=True, exist_ok=True)
    config.write_text(config_source(), encoding="utf-8")
    for path, text in notebooks.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return list(notebooks)


# solution-filled course notebooks ---------------------------------------------------------------------
def _definition_span(source, name):
    """(first, last) line numbers of the top-level def/class `name` in `source`, or None."""
    try:
        tree = ast.parse(source)
    except SyntaxError:  # IPython magics and the like: not a cell we can edit
        return None
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)) and node.name == name:
            first = min([node.lineno] + [d.lineno for d in node.decorator_list])
            return first, node.end_lineno
    return None


def fill_solutions(nb):
    """Replace each exercise's stub with its reference solution; return the ids filled.

    An exercise is found by its check call, `check("id", name)`; the stub is
    the top-level `def`/`class name` in that cell or the nearest code cell above.
    """
    filled = []
    code = [c for c in nb.cells if c.cell_type == "code"]
    for i, cell in enumerate(code):
        for exercise_id, name in CHECK_CALL.findall(cell.source):
            if exercise_id not in registry.EXERCISES:
                continue
            for target in [cell, *reversed(code[:i])]:
                span = _definition_span(target.source, name)
                if span:
                    lines = target.source.splitlines()
                    lines[span[0] - 1:span[1]] = sources.reference_source(exercise_id).rstrip().splitlines()
                    target.source = "\n".join(lines)
                    filled.append(exercise_id)
                    break
    return filled


# command line --------------------------------------------------------------------------------------------
def fill_solutions_files(notebooks, out, force=False):
    """Write a solution-filled copy of each notebook into `out`; yield (name, ids filled)."""
    out = Path(out)
    inputs = {Path(p).resolve() for p in notebooks}
    targets = [out / Path(p).name for p in notebooks]
    for target in targets:
        if target.resolve() in inputs:
            raise InstructorError(f"{target} is one of the input notebooks: the answer key is never written over an "
                                  "input; choose another --out")
        if target.exists() and not force:
            raise InstructorError(f"{target} exists; pass --force to overwrite it")
    read = []
    for path in notebooks:
        try:
            read.append(nbformat.read(path, as_version=4))
        except OSError as exc:
            raise InstructorError(f"cannot read {path}: {exc.strerror or exc}") from None
        except Exception as exc:  # nbformat's reader raises several kinds for a file that is not a notebook
            raise InstructorError(f"{path} is not a readable notebook ({type(exc).__name__})") from None
    out.mkdir(parents=True, exist_ok=True)
    for path, nb, target in zip(notebooks, read, targets, strict=True):
        filled = fill_solutions(nb)
        nbformat.write(nb, target)
        yield Path(path).name, filled


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        raise InstructorError(message)


def main(argv=None):
    parser = _Parser(prog="python -m backprop_course.instructor", description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    export = commands.add_parser("export-nbgrader", help="write nbgrader source notebooks with inlined solutions")
    export.add_argument("out", type=Path, help="the nbgrader course directory to write")
    export.add_argument("--assignment", help="one assignment of this name for every notebook (default: one "
                                             "assignment per notebook, named like it)")
    export.add_argument("--force", action="store_true", help="overwrite notebooks that differ from the export")
    grade = commands.add_parser("autograde", help="nbgrader autograde, sharded over students in parallel")
    grade.add_argument("course", type=Path, help="the nbgrader course directory")
    grade.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="parallel shards (default: CPUs)")
    grade.add_argument("--student", default="*", help="a glob of student ids (default: all)")
    grade.add_argument("--assignment", default="*", help="a glob of assignments (default: all)")
    report = commands.add_parser("report", help="per-exercise scores (CSV) and the class's named mistakes")
    report.add_argument("course", type=Path, help="the nbgrader course directory")
    fill = commands.add_parser("fill-solutions", help="copy course notebooks with every stub replaced by its solution")
    fill.add_argument("notebooks", nargs="+", type=Path)
    fill.add_argument("--out", type=Path, required=True, help="folder for the filled copies")
    fill.add_argument("--force", action="store_true", help="overwrite existing copies")
    try:
        args = parser.parse_args(argv)
        if args.command == "export-nbgrader":
            for path in export_nbgrader(args.out, args.assignment, args.force):
                print(f"wrote {path}")
            which = args.assignment or '"*"'
            print(f"next: cd {args.out} && nbgrader generate_assignment {which}")
        elif args.command == "autograde":
            from . import classroom

            if args.jobs < 1:
                raise InstructorError("--jobs must be at least 1")
            students, failed = classroom.autograde(args.course, args.jobs, args.student, args.assignment)
            print(f"autograded {len(students)} students in {args.jobs} shard(s)")
            for submission in classroom.not_graded(args.course):
                print(f"NOT GRADED: {submission} (see nbgrader's autograde log)")
            if failed:
                raise InstructorError(f"nbgrader failed in {', '.join(failed)} (its log is above)")
        elif args.command == "report":
            from . import classroom

            paths, rows = classroom.report(args.course)
            print(classroom.table(rows))
            for submission in classroom.not_graded(args.course):
                print(f"NOT GRADED: {submission} (see nbgrader's autograde log)")
            for path in paths:
                print(f"wrote {path}")
        else:
            for name, filled in fill_solutions_files(args.notebooks, args.out, args.force):
                print(f"{name}: filled {', '.join(filled) or 'no exercises'}")
    except InstructorError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"error: {exc.filename or ''}: {exc.strerror or exc}".replace("error: : ", "error: "), file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
