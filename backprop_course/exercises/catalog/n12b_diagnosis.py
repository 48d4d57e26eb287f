"""Notebook 12: name the cause why the network will not learn, from what the checker and the gradients show."""

from ..checking import Failure, Seen
from ..registry import Case, Exercise, Mistake
from ..wont_learn import CAUSES


def diagnosis():
    """Return the cause, one of backprop_course.exercises.wont_learn.CAUSES, why the stuck network
    does not learn."""
    return "dead ReLUs"


WRONG_CAUSE = {
    "a bug in the backward pass":
        "Your checker agrees with this backward pass on the stuck network itself: every relative error is far "
        "below 1e-6, so the gradients are right. The trouble is what they are: look at their sizes.",
    "a learning rate too large":
        "A learning rate that is too large makes the loss jump about or blow up. This loss does not move in the "
        "fourth decimal, and the weights' gradients are exactly 0: no learning rate moves a parameter along a "
        "zero gradient.",
    "vanishing gradients through saturated units":
        "Vanishing gradients are small and shrink layer by layer, through saturated sigmoids or tanhs (σ′ ≤ 0.25). "
        "This net has one ReLU layer, and its weight gradients are not small: they are exactly 0.",
    "a missing /N":
        "A missing /N makes every gradient N times too LARGE, and training too jumpy. These gradients are exactly 0.",
}
DECLARED = f"Return one of the declared causes, as a string: {'; '.join(map(repr, CAUSES))}."
CAUSE = "the cause"


def probe(answer, aspect):
    """The cause as its position in CAUSES (not the words, which only the grader reads back)."""
    got = answer()
    if not isinstance(got, str) or got not in CAUSES:
        raise Failure(DECLARED, got=repr(got)[:80])
    return Seen({CAUSE: CAUSES.index(got)})


def names_the_cause(seen, aspect):
    """The position must be a declared cause's, and the cause the one the stuck network shows."""
    position = seen[CAUSE]
    if position.shape != () or float(position) not in range(len(CAUSES)):
        raise Failure(DECLARED)
    cause = CAUSES[int(position)]
    if cause in WRONG_CAUSE:
        raise Failure(WRONG_CAUSE[cause])


EXERCISE = Exercise(
    id="diagnosis",
    title="Why the network will not learn",
    notebook="12",
    section="14",
    points=2,
    prompt="Name the cause of the stuck training, one of wont_learn.CAUSES, from what your checker and the "
           "gradient norms show.",
    reference=diagnosis,
    cases=lambda: [Case("the answer is one of the declared causes", ("declared",)),
                   Case("it agrees with the checker (the gradients are right)", ("checker",)),
                   Case("it agrees with the gradients' sizes and the hidden units", ("sizes",))],
    outputs=(),  # the grader reads the cause back and judges it: no answer is shown as the expected one
    probe=probe,
    diagnoses=(names_the_cause,),
    mistakes=tuple(Mistake(lambda cause=cause: cause, message) for cause, message in WRONG_CAUSE.items()),
    hints=(
        "First rule out a bug: run your checker on the stuck network. Then print the norm of each gradient.",
        "Which gradients are exactly 0? dW1 and db1 reach the loss only through the hidden units h = max(0, z).",
        "Count the hidden units that are 0 for all 200 points: if the count is 16 of 16, no gradient gets past them.",
    ),
)
