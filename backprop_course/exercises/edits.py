"""Known-wrong answers written as small edits of the reference's own source, so each reads as the mistake."""

import inspect
import textwrap


def source_of(reference):
    return textwrap.dedent(inspect.getsource(reference))


def edited(reference, name, *edits, **names):
    """`reference` (a function or class) rebuilt from its source with (old, new) text `edits`, renamed `name`.

    `names` are the module-level names the source needs (np, math). Each `old` must occur in the source.
    """
    source = source_of(reference)
    for old, new in edits:
        if old not in source:
            raise ValueError(f"{name}: {old!r} is not in the source of {reference.__name__}")
        source = source.replace(old, new)
    namespace = dict(names)
    exec(compile(source, f"<{name}>", "exec"), namespace)
    answer = namespace[reference.__name__]
    answer.__name__ = answer.__qualname__ = name
    return answer
