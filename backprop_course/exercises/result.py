"""What a check returns: truthy when passed, and readable both as text and in Jupyter."""

from __future__ import annotations

import html
from dataclasses import dataclass, field

from .display import markup, panel

PASSED, INCORRECT, NOT_ATTEMPTED, ERROR, TIMEOUT = "passed", "incorrect", "not attempted", "error", "timeout"

_MARK = {PASSED: "✔", INCORRECT: "✘", NOT_ATTEMPTED: "…", ERROR: "✘", TIMEOUT: "⏱"}
_COLOR = {PASSED: "#1b7f3b", INCORRECT: "#b3261e", NOT_ATTEMPTED: "#6b6b6b", ERROR: "#b3261e", TIMEOUT: "#b3261e"}
_VALUES = ("Expected", "Got")  # values: shown in a code font
_CODE_FONT = "font-family:var(--jp-code-font-family,monospace)"
_ROWS = "display:grid;grid-template-columns:max-content minmax(0,1fr);gap:0.1em 1em;font-size:90%"


@dataclass
class Result:
    """The outcome of `check(exercise_id, submission)`.

    `status` is one of "passed", "incorrect", "not attempted", "error",
    "timeout". `tested` lists the cases tried; `case`, `expected` and `got`
    describe the first one that failed; `hint` is the next hint to read.
    """

    exercise_id: str
    title: str
    status: str
    points: int
    max_points: int
    message: str
    tested: list = field(default_factory=list)
    case: str | None = None
    expected: str | None = None
    got: str | None = None
    hint: str | None = None
    notes: list = field(default_factory=list)

    @property
    def passed(self):
        return self.status == PASSED

    def __bool__(self):
        return self.passed

    def _lines(self):
        """(label, text) pairs shared by the text and HTML views."""
        rows = []
        tested = self.tested[:-1] if self.case else self.tested  # the last one tested is the failing case
        if tested and self.status != NOT_ATTEMPTED:
            shown = "; ".join(tested[:4]) + (f"; and {len(tested) - 4} more" if len(tested) > 4 else "")
            rows.append(("Passed" if self.case else "Tested", shown))
        if self.case:
            rows.append(("Failing case", self.case))
        if self.expected is not None:
            rows.append(("Expected", self.expected))
        if self.got is not None:
            rows.append(("Got", self.got))
        if self.hint:
            rows.append(("Hint", self.hint))
        rows.extend(("Note", n) for n in self.notes)
        return rows

    def _headline(self):
        unit = "point" if self.max_points == 1 else "points"
        return f"{_MARK[self.status]} {self.exercise_id}: {self.status} ({self.points}/{self.max_points} {unit})"

    def __repr__(self):
        lines = [self._headline(), self.message]
        lines += [f"{label}: {text}" for label, text in self._lines()]
        return markup("\n".join(lines), as_html=False)

    __str__ = __repr__

    def _repr_html_(self):
        color = _COLOR[self.status]
        rows = "".join(
            f"<b>{html.escape(label)}</b>"
            f"<div style='{_CODE_FONT if label in _VALUES else ''}'>{markup(text)}</div>"
            for label, text in self._lines()
        )
        return panel(
            f"<div class='bpc-headline' style='font-weight:bold;color:{color}'>{html.escape(self._headline())}</div>"
            f"<div style='margin:0.3em 0'>{markup(self.message)}</div>"
            f"<div style='{_ROWS}'>{rows}</div>",
            accent=color,
        )
