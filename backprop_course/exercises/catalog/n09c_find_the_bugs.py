"""Notebook 09: name the backward steps of the planted-bug network (backprop_course.planted_bugs) that are wrong.

The answer is a set of tensor names from debugging.LABELS. The check never shows the planted set: each case
tests one property (valid names; no right step named; the bugs of the small inputs; the one that only the large
inputs show), and a set that a plausible method gives is told what the method missed.

This module is also the answer key: the course's fix for each planted bug (FIXES), which stands in for a fix
the learner has not written in the notebook's picture (fix_stages).
"""

import numpy as np

from ... import debugging, planted_bugs
from ..checking import Failure, Seen
from ..registry import Case, Exercise, Mistake


# The course's fixes -----------------------------------------------------------------------------------------
def d_logits(c, d):
    shifted = c.logits - c.logits.max(axis=1, keepdims=True)   # softmax is shift-invariant; exp(≤ 0) can't overflow
    p = np.exp(shifted)
    p /= p.sum(axis=1, keepdims=True)
    return p - c.onehot


def d_z3(c, d):
    return d["h3"] * (c.z3 > 0)        # the mask comes from the pre-activation, not from the gradient


def d_h2(c, d):
    grad = d["h3"].copy()              # the skip path
    grad += d["z3"] @ c.W3.T           # ...plus the path through the layer: gradients add at a fork
    return grad


def d_h1(c, d):
    return d["z2"] @ c.W2.T


def d_b1(c, d):
    return d["z1"].sum(axis=0) / c.N


FIXES = {"logits": d_logits, "z3": d_z3, "h2": d_h2, "h1": d_h1, "b1": d_b1}
PLANTED = frozenset(FIXES)


def with_fixes(names, steps=None):
    """The planted backward (or `steps`) with the course's fix for each of `names`."""
    return {**(steps or planted_bugs.STEPS), **{name: FIXES[name] for name in names}}


def fix_stages(yours=None):
    """[(label, steps)]: the planted backward, then one more bug fixed per row, in backward order. The
    learner's fix from `yours` ({name: step}) is used where there is one, else the course's; labels say whose."""
    yours = {name: step for name, step in (yours or {}).items() if name in PLANTED}
    steps, rows = dict(planted_bugs.STEPS), [("as planted", dict(planted_bugs.STEPS))]
    for name in debugging.LABELS:
        if name in PLANTED:
            steps[name] = yours.get(name, FIXES[name])
            whose = "yours" if name in yours else "course's"
            rows.append((f"+ fix {name} ({whose})", dict(steps)))
    return rows


# The check --------------------------------------------------------------------------------------------------
def find_the_bugs():
    """Return the set of names (from backprop_course.debugging.LABELS) of the tensors whose backward step in
    backprop_course.planted_bugs has a bug: a step that is wrong even when it is fed correct upstream gradients.
    """
    return {"logits", "z3", "h2", "h1", "b1"}


DOWNSTREAM = ("Your set holds tensors whose steps are right: a bug spreads to every gradient computed after it, so "
              "the whole backward pass is red from the first bug on. Check each step alone, fed correct upstream "
              "gradients (gradient_errors(..., local=True)): then only the buggy steps stay red.")
FIRST_ONLY = ("That is the first red step in backward order on one batch, but not the only bug. Check each step "
              "alone (local=True), or fix this one and look again.")
SMALL_ONLY = ("One planted bug shows only on the large inputs: a check passes or fails on the inputs it sees. Run "
              "your checker on both batches.")
NOT_THE_SET = "Your set is not the set of planted bugs."
SMALL_BUGS = PLANTED - {"logits"}   # the bugs the small inputs show; logits overflows on the large ones only
NAMED = "named"                     # one 0/1 per tensor of debugging.LABELS


def probe(answer, aspect):
    """The names, as one 0/1 per tensor of debugging.LABELS."""
    out = answer()
    if not isinstance(out, (set, frozenset, list, tuple)) or not all(isinstance(n, str) for n in out):
        raise Failure(f"Return a set of tensor names (strings), such as {{'W4', 'z1'}}; got {type(out).__name__}.")
    unknown = sorted(set(out) - set(debugging.LABELS))
    if unknown:
        raise Failure(f"{', '.join(map(repr, unknown))} is not a tensor of the backward pass; the names are "
                      f"{', '.join(debugging.LABELS)}.")
    return Seen({NAMED: [float(label in out) for label in debugging.LABELS]})


def _first(bugs):
    return next(label for label in debugging.LABELS if label in bugs)


def _method_missed(got):
    """What a plausible method that gives the set `got` missed, or None."""
    if got - PLANTED and any(got == set(debugging.LABELS[k:]) for k, label in enumerate(debugging.LABELS)
                             if label in PLANTED):
        return DOWNSTREAM                  # everything red from a bug on: checked end to end
    if len(got) == 1 and got <= {_first(PLANTED), _first(SMALL_BUGS)}:
        return FIRST_ONLY                  # the first red step of one batch
    if got == SMALL_BUGS:
        return SMALL_ONLY                  # checked on the small inputs only
    return None


def names_the_planted_bugs(seen, aspect):
    """The names hold the case's `aspect` of the planted set; a set a plausible method gives is told what it
    missed, and the planted set itself is never shown."""
    named = seen[NAMED]
    if named.shape != (len(debugging.LABELS),) or not np.isin(named, (0.0, 1.0)).all():
        raise Failure(NOT_THE_SET)
    got = {label for label, on in zip(debugging.LABELS, named, strict=True) if on}
    if got == PLANTED:
        return
    why = _method_missed(got)
    if why:
        raise Failure(why)
    if aspect == "right steps" and got - PLANTED:
        wrong = len(got - PLANTED)
        raise Failure(f"{wrong} of the steps you named {'is' if wrong == 1 else 'are'} right: fed correct upstream "
                      "gradients, its relative error stays below 1e-6.")
    if aspect == "small inputs" and SMALL_BUGS - got:
        missing = len(SMALL_BUGS - got)
        raise Failure(f"{missing} buggy step{'s' if missing > 1 else ''} that the small inputs already show "
                      f"{'are' if missing > 1 else 'is'} missing from your set.")
    if aspect == "large inputs":
        raise Failure(SMALL_ONLY if "logits" not in got else NOT_THE_SET)


EXERCISE = Exercise(
    id="find_the_bugs",
    title="Find the planted bugs",
    notebook="09",
    section="14",
    points=3,
    prompt="Name the tensors whose backward step in backprop_course.planted_bugs is wrong, as a set of names "
           "from backprop_course.debugging.LABELS.",
    reference=find_the_bugs,
    cases=lambda: [Case("every name is a tensor of the backward pass", ("names",)),
                   Case("no step that is right is named", ("right steps",)),
                   Case("every bug the small inputs show is named", ("small inputs",)),
                   Case("the bug only the large inputs show is named", ("large inputs",))],
    outputs=(),  # the planted set is never shown: the diagnosis decides, in words
    probe=probe,
    diagnoses=(names_the_planted_bugs,),
    mistakes=(
        Mistake(lambda: set(debugging.LABELS), DOWNSTREAM),
        Mistake(lambda: set(debugging.LABELS[debugging.LABELS.index("z3"):]), DOWNSTREAM),
        Mistake(lambda: {"z3"}, FIRST_ONLY),
        Mistake(lambda: {"logits"}, FIRST_ONLY),
        Mistake(lambda: set(SMALL_BUGS), SMALL_ONLY),
    ),
    hints=(
        "Run your checker over the whole backward pass on both batches: the first red tensor in backward order "
        "has a bug, since everything computed before it was right.",
        "A bug spreads to every gradient after it. gradient_errors(steps, c, numeric_grad, relative_error, "
        "local=True) feeds each step correct upstream gradients, so only the buggy steps stay red.",
        "There are 5 planted bugs: 4 show on the small inputs, and 1 only on the large inputs.",
    ),
)
