"""Exercises whose reference the notebook itself uses: an answer may not hand the work to that reference."""

from .checking import Failure, code_objects, watching


def without_the_reference(answer, reference, message, *args):
    """answer(*args), refused with `message` if it calls the course's `reference` on the way (the reference
    itself, handed in whole, is the model answer and passes)."""
    if answer is reference:
        return answer(*args)
    with watching(dict.fromkeys(code_objects(reference), message)) as used:
        out = answer(*args)
    if used:
        raise Failure(message)
    return out
