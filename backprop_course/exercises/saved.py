"""The learner's own code from another notebook: its exercise cell, read from the saved notebook and run afresh.

Each notebook runs in its own kernel, so a later notebook cannot see a function the learner wrote in an earlier
one. It can read it: the registry names the notebook an exercise lives in, and the cell tagged "exercise" that
defines the name holds the learner's code. That cell alone runs in a fresh namespace (it carries its own
imports), so nothing else from that notebook runs.

    fn, whose = yours_or_stand_in("mlp_backward", X, y, W1, b1, W2, b2)

gives the learner's function once it runs on the probe arguments, else the course's stand-in (the exercise's
reference), with a printed message that says why. `whose` says which one it is, for labels and titles.
"""

from __future__ import annotations

import ast
import json
import textwrap
from pathlib import Path

from . import registry
from .runner import describe_exception

STAND_IN = "the course's stand-in"


class NotSaved(LookupError):
    """The learner's code for a name is not in the saved notebook (no notebook, or no exercise cell for it)."""


def exercise_named(name):
    """The exercise whose answer is defined under `name`."""
    for ex in registry.EXERCISES.values():
        if ex.name == name:
            return ex
    raise registry.UnknownExerciseError(f"no exercise defines {name!r}")


def _defines(source, name):
    """Does the cell define `name` at its top level? (A cell that does not even parse defines nothing.)"""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return False
    return any(isinstance(node, (ast.FunctionDef, ast.ClassDef)) and node.name == name for node in tree.body)


def saved_definition(name, folder="."):
    """The learner's `name`: the last cell tagged "exercise" that defines it, in its notebook as saved in `folder`,
    run in a fresh namespace. Raises NotSaved when there is no such notebook or cell; whatever the cell itself
    raises comes through."""
    filename = registry.NOTEBOOKS[exercise_named(name).notebook] + ".ipynb"
    path = Path(folder) / filename
    try:
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise NotSaved(f"{filename} cannot be read in {Path(folder).resolve()} ({type(exc).__name__})") from None
    sources = [cell.get("source", "") for cell in cells
               if cell.get("cell_type") == "code" and "exercise" in cell.get("metadata", {}).get("tags", [])]
    sources = ["".join(s) if isinstance(s, list) else s for s in sources]
    found = [s for s in sources if _defines(s, name)]
    if not found:
        raise NotSaved(f"{filename} has no exercise cell that defines {name}")
    namespace = {"__name__": f"your_{name}"}
    exec(compile(found[-1], f"<{filename}: {name}>", "exec"), namespace)  # noqa: S102 - the learner's own cell
    return namespace[name]


def yours_or_stand_in(name, *probe, folder="."):
    """(function, whose): the learner's `name` from their saved notebook once it runs on `probe`, else the course's
    stand-in, after printing why (wrapped at 100 columns).
    `whose` is "your <name>" or "the course's stand-in for <name>"."""
    filename = registry.NOTEBOOKS[exercise_named(name).notebook] + ".ipynb"
    try:
        yours = saved_definition(name, folder)
        yours(*probe)
    except NotSaved as exc:
        why = str(exc)
    except NotImplementedError:
        why = f"your {name} in {filename} is not written yet (as last saved)"
    except Exception as exc:  # noqa: BLE001 - the learner's code crashed: say how, and run the course's
        why = f"your {name} in {filename} raised {describe_exception(exc)}"
    else:
        return yours, f"your {name}"
    whose = f"{STAND_IN} for {name}"
    # wrapped at words: a notebook's output area breaks a long line anywhere, even inside a name
    print(textwrap.fill(f"{whose} runs, because {why}.", width=100, subsequent_indent="    ",
                        break_long_words=False, break_on_hyphens=False))
    return exercise_named(name).reference, whose
