"""Notebook 07's step-by-step cells (dlog_probs ... db1, then the fused dlogits) can be solved in place: each
right answer gets the engine's ✔, and a wrong one its ✘."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
from nbclient import NotebookClient

NOTEBOOK = next((Path(__file__).resolve().parents[1] / "notebooks").glob("07_*.ipynb"))

# Each step's answer, derived one primitive at a time from the forward lines of the notebook.
ANSWERS = {
    "dlog_probs": "dlog_probs = np.zeros_like(log_probs)\ndlog_probs[np.arange(N), y] = -1 / N",
    "dprobs": "dprobs = dlog_probs / probs",
    "dcounts_sum_inv": "dcounts_sum_inv = (counts * dprobs).sum(axis=1, keepdims=True)",
    "dcounts_sum": "dcounts_sum = -counts_sum ** -2 * dcounts_sum_inv",
    "dcounts": "dcounts = counts_sum_inv * dprobs + dcounts_sum",
    "dshifted": "dshifted = counts * dcounts",
    "dm": "dm = -dshifted.sum(axis=1, keepdims=True)",
    "dlogits": "dlogits = dshifted + np.eye(C)[logits.argmax(axis=1)] * dm",
    "dlogits_fused": "dlogits_fused = (probs - np.eye(C)[y]) / N",
    "dW2": "dW2 = h.T @ dlogits",
    "db2": "db2 = dlogits.sum(axis=0)",
    "dh": "dh = dlogits @ W2.T",
    "dz": "dz = dh * (z > 0)",
    "dW1": "dW1 = X.T @ dz",
    "db1": "db1 = dz.sum(axis=0)",
}
STUB = re.compile(r"^(d\w+) = None   # your code here")


def test_every_step_matches_the_engine_and_a_wrong_one_does_not():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    stubs = [cell for cell in nb.cells if cell.cell_type == "code" and STUB.match(cell.source)]
    assert sorted(STUB.match(cell.source)[1] for cell in stubs) == sorted(ANSWERS)
    for cell in stubs:
        cell.source = ANSWERS[STUB.match(cell.source)[1]]
    wrong = nbformat.v4.new_code_cell('compare("probs", dlog_probs * probs)   # log\'s local gradient inverted')
    nb.cells.insert(nb.cells.index(stubs[1]) + 2, wrong)
    NotebookClient(nb, timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": str(NOTEBOOK.parent)}}).execute()
    verdicts = [line for cell in nb.cells if cell.cell_type == "code" and cell.source.startswith("compare(")
                for out in cell.outputs for line in out.get("text", "").splitlines() if line and line[0] in "✔✘…"]
    assert len(verdicts) == len(ANSWERS) + 1, verdicts
    assert [v for v in verdicts if v.startswith("✘")] == [v for v in verdicts if v.startswith("✘ dprobs")], verdicts
    assert sum(v.startswith("✔") for v in verdicts) == len(ANSWERS)
