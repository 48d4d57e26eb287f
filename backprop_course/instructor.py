"""Tools for instructors: nbgrader assignments and solution-filled notebooks.

    python -m backprop_course.instructor export-nbgrader OUT/ [--assignment backprop_course]
    python -m backprop_course.instructor fill-solutions NOTEBOOK.ipynb [...] --out DIR

`export-nbgrader` writes an nbgrader course directory: OUT/nbgrader_config.py and
OUT/source/<assignment>/<notebook>.ipynb, one notebook per course notebook that
has exercises, named like it (01_scalar_graph.ipynb, ...). Each exercise gets a
locked prompt, an answer cell whose function bodies sit between
`### BEGIN SOLUTION` / `### END SOLUTION`, and a locked, graded check cell worth
the exercise's points. Then, in OUT: `nbgrader generate_assignment <assignment>`.
Released notebooks switch show_solution off (BACKPROP_COURSE_NO_SOLUTIONS=1);
note that the reference solutions also ship inside the installed package.

`fill-solutions` replaces every exercise stub in course notebooks with its
reference solution (for answer keys, and for testing the notebooks).
"""

from __future__ import annotations

import argparse
import ast
import re
import sys
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from .exercises import registry, sources

CHECK_CALL = re.compile(r"""check\(\s*["'](\w+)["']\s*,\s*(\w+)""")
ASSIGNMENT = "backprop_course"


# nbgrader --------------------------------------------------------------------------------------------
def _nbgrader(cell, grade_id, *, solution=False, grade=False, locked=True, points=None):
    meta = {"grade": grade, "grade_id": grade_id, "locked": locked, "schema_version": 3, "solution": solution,
            "task": False}
    if points is not None:
        meta["points"] = points
    cell.metadata["nbgrader"] = meta
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
            _nbgrader(new_code_cell(f'result = check("{ex.id}", {ex.name})\nprint(result)\n'
                                    "assert result, result.message"),
                      f"{ex.id}_check", grade=True, points=ex.points),
        ]
    nb = new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"display_name": "Python 3", "language": "python", "name": "python3"}
    nb.metadata["language_info"] = {"name": "python"}
    return nb


def export_nbgrader(out, assignment=ASSIGNMENT):
    """Write an nbgrader course directory to `out`; return the notebook paths written."""
    out = Path(out)
    folder = out / "source" / assignment
    folder.mkdir(parents=True, exist_ok=True)
    config = out / "nbgrader_config.py"
    if not config.exists():
        config.write_text('c = get_config()  # noqa: F821\nc.CourseDirectory.course_id = "backprop_course"\n',
                          encoding="utf-8")
    written = []
    for key, name in registry.NOTEBOOKS.items():
        if registry.in_notebook(key):
            path = folder / f"{name}.ipynb"
            nbformat.write(nbgrader_notebook(key), path)
            written.append(path)
    return written


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
def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m backprop_course.instructor", description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    export = commands.add_parser("export-nbgrader", help="write nbgrader source notebooks with inlined solutions")
    export.add_argument("out", type=Path, help="the nbgrader course directory to write")
    export.add_argument("--assignment", default=ASSIGNMENT, help=f"assignment name (default {ASSIGNMENT})")
    fill = commands.add_parser("fill-solutions", help="copy course notebooks with every stub replaced by its solution")
    fill.add_argument("notebooks", nargs="+", type=Path)
    fill.add_argument("--out", type=Path, required=True, help="folder for the filled copies")
    args = parser.parse_args(argv)

    if args.command == "export-nbgrader":
        for path in export_nbgrader(args.out, args.assignment):
            print(f"wrote {path}")
        print(f"next: cd {args.out} && nbgrader generate_assignment {args.assignment}")
    else:
        args.out.mkdir(parents=True, exist_ok=True)
        for path in args.notebooks:
            nb = nbformat.read(path, as_version=4)
            filled = fill_solutions(nb)
            nbformat.write(nb, args.out / path.name)
            print(f"{path.name}: filled {', '.join(filled) or 'no exercises'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
