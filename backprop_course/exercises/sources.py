"""Source code for notebook cells: the stub, the reference, and the nbgrader solution form.

All three come from the reference solution's own source, so they cannot
drift apart: the stub keeps its signature and docstring and replaces every
function body with `raise NotImplementedError`.
"""

from __future__ import annotations

import ast

from . import registry

STUB_LINE = "raise NotImplementedError  # your code here"


def _with_bodies(source, replace):
    """`source` with each function body (after its docstring) replaced by `replace(indent, lines)`.

    Functions are the top-level ones and the methods of top-level classes.
    """
    lines = source.splitlines()
    functions = []
    for node in ast.parse(source).body:
        if isinstance(node, ast.FunctionDef):
            functions.append(node)
        elif isinstance(node, ast.ClassDef):
            functions.extend(n for n in node.body if isinstance(n, ast.FunctionDef))
    for fn in reversed(functions):  # bottom-up, so earlier line numbers stay valid
        first = fn.body[0]
        has_doc = isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) and isinstance(
            first.value.value, str)
        body = fn.body[1:] if has_doc else fn.body
        if not body:
            continue
        start = first.end_lineno if has_doc else body[0].lineno - 1
        indent = " " * body[0].col_offset
        lines[start:fn.end_lineno] = replace(indent, lines[start:fn.end_lineno])
    return "\n".join(lines) + "\n"


def stub_source(exercise_id):
    """The exercise cell learners start from: signature and task, body `raise NotImplementedError`."""
    ex = registry.get(exercise_id)
    return _imports(ex) + _with_bodies(ex.source, lambda indent, body: [indent + STUB_LINE])


def reference_source(exercise_id, imports=True):
    """The reference solution's source, defining the same name as the stub (with its imports)."""
    ex = registry.get(exercise_id)
    return (_imports(ex) if imports else "") + ex.source


def solution_source(exercise_id):
    """The reference with each body between nbgrader's `### BEGIN SOLUTION` / `### END SOLUTION`."""
    ex = registry.get(exercise_id)
    return _with_bodies(
        ex.source, lambda indent, body: [indent + "### BEGIN SOLUTION", *body, indent + "### END SOLUTION"])


def check_source(exercise_id):
    """The check cell that follows the exercise cell."""
    ex = registry.get(exercise_id)
    return f'check("{ex.id}", {ex.name})'


def _imports(ex):
    return ex.imports.strip() + "\n\n\n" if ex.imports.strip() else ""
