"""Notebook 11: the backward pass of an embedding lookup, a scatter-add, by hand."""

import numpy as np

from ..registry import Case, Exercise, Mistake
from ..side_effects import on_copies, written_into


def embedding_backward(X, demb, vocab_size):
    """For emb = C[X] with X (N,) integer indices into a table C (vocab_size, d), return dL/dC, of C's shape,
    from demb = dL/demb (N, d)."""
    dC = np.zeros((vocab_size, demb.shape[1]))
    np.add.at(dC, X, demb)   # a row of C used k times gets the sum of its k gradients
    return dC


def _assign(X, demb, vocab_size):
    dC = np.zeros((vocab_size, demb.shape[1]))
    dC[X] += demb
    return dC


def _mean(X, demb, vocab_size):
    dC = embedding_backward(X, demb, vocab_size)
    counts = np.bincount(X, minlength=vocab_size)[:, None]
    return dC / np.maximum(counts, 1)


def _total(X, demb, vocab_size):
    dC = np.zeros((vocab_size, demb.shape[1]))
    dC[np.unique(X)] = demb.sum(axis=0)
    return dC


SCATTER = ("A row of C used k times must get the SUM of its k gradients. `dC[X] = demb` and `dC[X] += demb` both "
           "keep just one of them for a repeated index (NumPy's fancy-index += reads all, then writes each once); "
           "NumPy's unbuffered np.add.at adds every one.")
MEAN = "A row used k times gets the sum of its k gradients, not their mean: don't divide by the count."
TOTAL = ("Every used row got the gradient of the whole batch: row r gets only the rows of demb where X == r.")
OUTPUTS = ("dC",)


def probe(answer, X, demb, vocab_size):
    return on_copies(lambda X, demb: answer(X, demb, vocab_size), OUTPUTS, X=X, demb=demb)


def inputs_kept(seen, X, demb, vocab_size):
    written_into(seen, X=X, demb=demb)


def _cases():
    rng = np.random.default_rng(33)
    return [Case("X = [1, 3, 1, 0, 1] into a table of 5 rows of width 2",
                 (np.array([1, 3, 1, 0, 1]), rng.normal(size=(5, 2)), 5)),
            Case("32 characters of the word list, vocabulary 27, width 4",
                 (rng.integers(0, 27, 32), rng.normal(size=(32, 4)), 27)),
            Case("every index once: X = [2, 0, 1]", (np.array([2, 0, 1]), rng.normal(size=(3, 3)), 4))]


EXERCISE = Exercise(
    id="embedding_backward",
    title="Backward through an embedding lookup",
    notebook="11",
    section="14",
    points=2,
    prompt="Return dC for emb = C[X], from the upstream demb, by hand.",
    reference=embedding_backward,
    cases=_cases,
    outputs=OUTPUTS,
    probe=probe,
    diagnoses=(inputs_kept,),
    by_hand=True,
    mistakes=(
        Mistake(_assign, SCATTER),
        Mistake(_mean, MEAN),
        Mistake(_total, TOTAL),
    ),
    shape_why="dC has the shape of the table C, (vocab_size, d).",
    hints=(
        "emb[i] is a copy of row X[i] of C: the gradient of a copy flows back to where it was copied from.",
        "The same row can be copied many times in one batch; its gradients add up (a fork, as in notebook 02).",
        "Check: X = [1, 1] with demb = [[1], [2]] and vocab_size 2 gives dC = [[0], [3]].",
    ),
    imports="import numpy as np",
)
