"""Formal grading in a fresh process: the verdict never depends on names in the notebook's namespace.

The nbgrader export's locked check cells run

    python -m backprop_course.exercises.formal EXERCISE_ID

with a JSON object on stdin: {"nonce": a random token, "cells": the code the kernel has run, in order}.
This process imports a clean copy of the library, takes its own copy of the exercise and
its own references to the grading functions, and only then runs the learner's code: the
last cell that defines the exercise's name, after the exercise's imports, in a namespace
of its own. Whatever that code rebinds or patches in the library is put back before the
check starts, and the check itself compares plain numbers with helpers bound at import.
The last line printed is "<nonce> <status>"; the cell passes only on "<nonce> passed".

This is not a sandbox: see the README's "For instructors".
"""

from __future__ import annotations

import ast
import dataclasses
import json
import sys

from . import registry, runner
from .checking import cap

_run, _describe, _limit = runner.run, runner.describe_exception, runner.call_with_time_limit
_PASSED = "passed"
MAX_INPUT = 50 * 2**20


def _defines(source, name):
    """Does `source` define `name` at its top level (a def, a class or an assignment)?"""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return False
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and node.name == name:
            return True
        if isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if any(isinstance(t, ast.Name) and t.id == name for t in targets):
                return True
    return False


def _snapshot():
    return {name: (module, dict(vars(module))) for name, module in list(sys.modules.items())
            if name == "backprop_course" or name.startswith("backprop_course.")}


def _restore(snapshot):
    """Undo what the learner's code changed in the library's modules (rebound or added names)."""
    for module, names in snapshot.values():
        space = vars(module)
        for key in [k for k in space if k not in names]:
            del space[key]
        for key, value in names.items():
            if space.get(key, _restore) is not value:
                space[key] = value


def grade(exercise_id, cells):
    """(status, report) for the learner's code in `cells`."""
    exercise = dataclasses.replace(registry.get(exercise_id))  # a private copy the learner's code cannot reach
    snapshot = _snapshot()
    source = next((c for c in reversed(cells) if isinstance(c, str) and _defines(c, exercise.name)), None)
    if source is None:
        return "not attempted", f"No cell defines `{exercise.name}`: write your answer in its cell and run it."
    namespace = {"__name__": "__main__"}
    try:
        code = compile(exercise.imports + "\n" + source, "<answer cell>", "exec")
        _limit(lambda: exec(code, namespace), exercise.time_limit)
    except BaseException as exc:  # noqa: BLE001 - the learner's cell: reported, never fatal
        _restore(snapshot)
        return "error", f"Running your answer cell raised {_describe(exc)}."
    _restore(snapshot)
    submission = namespace.get(exercise.name)
    status, why, tester, failure, notes = _run(exercise, submission)
    _restore(snapshot)
    lines = [f"{exercise.id}: {status} ({exercise.points if status == _PASSED else 0}/{exercise.points} points)", why]
    if status != _PASSED and tester.current:
        lines.append(f"Failing case: {tester.current}")
    if failure is not None and failure.expected is not None:
        lines += [f"Expected: {failure.expected}", f"Got: {failure.got}"]
    return status, "\n".join(cap(line) for line in lines + notes)


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    write, flush = sys.__stdout__.write, sys.__stdout__.flush
    try:
        request = json.loads(sys.stdin.read(MAX_INPUT))
        nonce, cells = str(request["nonce"]), list(request["cells"])
        exercise_id = argv[0]
    except (ValueError, KeyError, TypeError, IndexError) as exc:
        print(f"formal grading needs an exercise id and a JSON request on stdin: {exc}", file=sys.stderr)
        return 2
    try:
        status, report = grade(exercise_id, cells)
    except registry.UnknownExerciseError as exc:
        status, report = "error", str(exc)
    write(f"{report}\n{nonce} {status}\n")
    flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
