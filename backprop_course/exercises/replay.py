"""What an answer saw in the learner's kernel, rebuilt from the notebook's code cells (for formal grading).

Grading replays, in order, the top-level statements of every earlier code cell that
define names: imports, `def`s, classes and plain assignments. Everything else (a
check call, a plot, a training loop, `print`) is left out, so replaying is quick and
an answer sees the setup cell's imports and the learner's own helper cells, as it
did in the kernel. IPython syntax (`%magic`, `!shell`) is turned into Python first.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

_DEFINING = (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)


@dataclass(frozen=True)
class Replay:
    """The statements to run (Python source, one per item) and what could not be read."""

    statements: tuple
    syntax_errors: tuple  # (cell number, line, message) for each cell Python could not parse
    defined: bool  # does some statement define the exercise's name?


def _python(cell):
    """A cell's source as plain Python (IPython's transformations, if IPython is there)."""
    try:
        from IPython.core.inputtransformer2 import TransformerManager
    except ImportError:
        return cell
    try:
        return TransformerManager().transform_cell(cell)
    except Exception:  # noqa: BLE001 - an odd cell is replayed as written
        return cell


def _quick(value, functions):
    """Is an assignment's value quick to replay: no comprehension and no call of the notebook's own functions
    (`losses = train(...)` is left out; `rng = np.random.default_rng(0)` is kept)?"""
    for node in ast.walk(value):
        if isinstance(node, (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp, ast.Await, ast.Yield)):
            return False
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in functions:
            return False
    return True


def _names(node):
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return {node.name}
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        return {(a.asname or a.name).split(".")[0] for a in node.names}
    targets = node.targets if isinstance(node, ast.Assign) else [node.target]
    return {n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)}


def replay(cells, name):
    """The defining statements of `cells` (code cell sources, in notebook order) and whether one defines `name`."""
    parsed, errors = [], []
    for number, cell in enumerate(cells, 1):
        source = _python(cell if isinstance(cell, str) else "")
        try:
            parsed.append((source.splitlines(), ast.parse(source)))
        except (SyntaxError, ValueError) as exc:  # ValueError: a NUL byte
            errors.append((number, getattr(exc, "lineno", 0) or 0, str(getattr(exc, "msg", exc))))
    functions = {n.name for _, tree in parsed for n in tree.body if isinstance(n, (ast.FunctionDef,
                                                                                   ast.AsyncFunctionDef))}
    statements, defined = [], False
    for lines, tree in parsed:
        for node in tree.body:
            if isinstance(node, _DEFINING) or (isinstance(node, (ast.Assign, ast.AnnAssign))
                                               and node.value is not None and _quick(node.value, functions)):
                first = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])])
                # padded with blank lines, so that a crash names the line of the cell it is on
                statements.append("\n" * (first - 1) + "\n".join(lines[first - 1:node.end_lineno]))
                defined = defined or name in _names(node)
    return Replay(tuple(statements), tuple(errors), defined)
