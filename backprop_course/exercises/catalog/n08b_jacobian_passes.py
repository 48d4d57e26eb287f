"""Notebook 08: how many passes a full Jacobian takes in reverse and in forward mode."""

import numbers

import numpy as np

from ..checking import Failure
from ..registry import Case, Exercise, Mistake


def jacobian_passes(n_inputs, n_outputs, mode):
    """Return how many passes build the full Jacobian of f: R^n_inputs -> R^n_outputs; mode
    "reverse" or "forward"."""
    if mode == "reverse":
        return n_outputs   # one VJP per output: each backward pass gives one row, the gradient of one output
    if mode == "forward":
        return n_inputs    # one JVP per input: each forward pass gives one column
    raise ValueError(f'mode must be "reverse" or "forward", got {mode!r}')


def _passes_swapped(n_inputs, n_outputs, mode):
    return n_inputs if mode == "reverse" else n_outputs


def _passes_per_entry(n_inputs, n_outputs, mode):
    return n_inputs * n_outputs


def _passes_reverse_always_one(n_inputs, n_outputs, mode):
    return 1 if mode == "reverse" else n_inputs


PASSES_MISTAKES = (
    Mistake(_passes_swapped,
            "Swapped: reverse mode (VJPs) takes one pass per output, since a backward pass starts from one output "
            "and gives its gradient, one row of the Jacobian; forward mode (JVPs) takes one pass per input, each "
            "giving one column."),
    Mistake(_passes_per_entry,
            "A pass gives a whole row of the Jacobian (reverse mode) or a whole column (forward mode), not one "
            "entry: count outputs or inputs, not their product."),
    Mistake(_passes_reverse_always_one,
            "One backward pass gives the gradient of one output. That is the whole Jacobian only when there is one "
            "output, like a scalar loss; with several outputs reverse mode needs one pass per output."),
)
NOT_A_COUNT = "Return a number of passes, an int."


def probe(answer, *args):
    """The count of passes; anything but an int is NOT_A_COUNT."""
    got = answer(*args)
    if isinstance(got, bool) or not isinstance(got, numbers.Integral | np.integer):
        raise Failure(NOT_A_COUNT, got=type(got).__name__)
    return got


def _cases():
    cases = [(6, 3, "notebook 08's chain, D0 = 6 inputs to D3 = 3"), (10**6, 1, "a scalar loss of a million "
             "parameters"), (1, 1000, "one input, a thousand outputs"), (5, 5, "a square Jacobian"),
             (7, 2, ""), (2, 9, "")]
    return [Case(f"n_inputs = {n_in}, n_outputs = {n_out}, mode = {mode!r}" + (f" ({what})" if what else ""),
                 (n_in, n_out, mode)) for n_in, n_out, what in cases for mode in ("reverse", "forward")]


EXERCISE = Exercise(
    id="jacobian_passes",
    title="How many passes for a full Jacobian?",
    notebook="08",
    section="12",
    points=1,
    prompt="Return the number of passes that build the full Jacobian of f: R^n_inputs -> R^n_outputs in reverse "
           "mode (VJPs) or forward mode (JVPs).",
    cases=_cases,
    outputs=("passes",),
    probe=probe,
    rtol=0,
    atol=0,
    mistakes=PASSES_MISTAKES,
    hints=(
        "A VJP starts from one output direction and returns a row of the Jacobian; a JVP starts from one input "
        "direction and returns a column.",
        "The Jacobian has n_outputs rows and n_inputs columns.",
        "Check against notebook 08's timings: as the inputs grew with one output, reverse mode stayed at 1 pass; as "
        "the outputs grew with one input, forward mode stayed at 1 pass.",
    ),
    reference=jacobian_passes,
)
