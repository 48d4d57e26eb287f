"""The formula comes after the check: each exercise that asks for a derivation is followed by a "Check your
derivation" cell that shows the working (right after its check, or after a group of exercises asked together)."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

NOTEBOOK_DIR = Path(__file__).resolve().parents[1] / "notebooks"
MARK = "check your derivation"
# Exercises that ask for something other than a formula: a shape-free mask, a count, a class, a checker, a
# diagnosis or a quiz. Every other exercise needs its derivation cell.
NO_FORMULA = {"relu_vjp", "jacobian_bytes", "mlp_backward", "dual_numbers", "jacobian_passes", "numeric_grad",
              "relative_error", "find_the_bugs", "init_scale", "clip_grad_norm", "clipped_sgd_step",
              "smallest_gradient_layer", "train_step", "diagnosis", "revive"}


def _meta(cell):
    return cell.metadata.get("backprop_course", {})


@pytest.mark.parametrize("path", sorted(NOTEBOOK_DIR.glob("[0-9][0-9]_*.ipynb")), ids=lambda p: p.stem)
def test_each_check_is_followed_by_its_derivation(path):
    cells = nbformat.read(path, as_version=4).cells
    missing = [_meta(cell)["exercise"] for i, cell in enumerate(cells)
               if _meta(cell).get("role") == "check" and _meta(cell)["exercise"] not in NO_FORMULA
               and not any(c.cell_type == "markdown" and MARK in c.source.lower()
                           for c in cells[i:])]
    assert not missing, f"{path.name}: no {MARK!r} cell after the check of {missing}"
