"""Small objects that show well both as text and in Jupyter, and the inline markup their messages use."""

from __future__ import annotations

import html
import re

# Course messages use three kinds of inline markup: `code`, **strong** and *em*. A code span is literal, so
# `x**2` keeps its asterisks. Emphasis wraps whole words only: the opening marker comes after a space, an
# opening bracket or the start and before a letter or digit; the closing one comes after a non-space and
# before a space, punctuation or the end. So arithmetic such as 2 * 3, x**2, w0*x0 or a * b**-1 stays as it is.
_MARKUP = re.compile(
    r"`(?P<code>[^`\n]+)`"
    r"|(?<![^\s(\[{\"'])(?P<mark>\*\*?)(?P<inner>\w[^`\n]*?)(?<=[^\s*])(?P=mark)(?![^\s.,;:!?)\]}\"'])"
)
_TAGS = {"*": "em", "**": "strong"}
_CODE_STYLE = "background:#eef0f2;color:inherit;padding:0 0.2em;border-radius:3px"

# Feedback sits on a light panel of its own, as the pictures and readouts do, so its colours keep a contrast of
# at least 4.5:1 in light and dark themes alike. It wraps at spaces only (JupyterLab breaks words anywhere in
# output <pre>), and a token too long for a whole line breaks rather than overflows; `anywhere`, unlike
# `break-word`, also lets a grid column shrink to fit.
_PANEL_STYLE = ("background:#ffffff;color:#1f1f1f;padding:0.4em 0.8em;margin:0.3em 0;border-radius:4px;"
                "white-space:pre-wrap;word-break:normal;overflow-wrap:anywhere;max-width:100%;box-sizing:border-box")


def markup(text, as_html=True):
    """`text` with its inline markup rendered: as HTML with everything else escaped, or as plain text without
    the emphasis markers (backticks stay there: they show where code starts and ends)."""
    escape = html.escape if as_html else str

    def render(m):
        if m["code"] is not None:
            return f"<code style='{_CODE_STYLE}'>{escape(m['code'])}</code>" if as_html else m[0]
        inner, tag = markup(m["inner"], as_html), _TAGS[m["mark"]]
        return f"<{tag}>{inner}</{tag}>" if as_html else inner

    parts, end = [], 0
    for m in _MARKUP.finditer(text):
        parts += [escape(text[end:m.start()]), render(m)]
        end = m.end()
    return "".join(parts) + escape(text[end:])


def panel(body, accent="#c4c7c5"):
    """HTML `body` on the feedback panel, with a bar of colour `accent` down its left side."""
    return f"<div class='bpc-feedback' style='{_PANEL_STYLE};border-left:6px solid {accent}'>{body}</div>"


class Text:
    """A message in the course's inline markup; `code=True` shows it as a code block instead."""

    def __init__(self, text, code=False):
        self.text, self.code = text, code

    def __repr__(self):
        return self.text if self.code else markup(self.text, as_html=False)

    __str__ = __repr__

    def _repr_html_(self):
        if self.code:  # code keeps its lines: it scrolls sideways rather than wrap
            return f"<pre style='white-space:pre;overflow-x:auto'>{html.escape(self.text)}</pre>"
        return panel(markup(self.text))


class Table:
    """Rows of cells under a header, with an optional footer row (a total)."""

    def __init__(self, title, header, rows, footer=None, notes=()):
        self.title, self.header, self.rows, self.footer = title, tuple(header), [tuple(r) for r in rows], footer
        self.notes = list(notes)

    def _all(self):
        return [self.header, *self.rows] + ([tuple(self.footer)] if self.footer else [])

    def __repr__(self):
        table = [[str(c) for c in row] for row in self._all()]
        widths = [max(len(row[i]) for row in table) for i in range(len(self.header))]
        lines = ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in table]
        lines.insert(1, "  ".join("-" * w for w in widths))
        if self.footer:
            lines.insert(len(lines) - 1, lines[1])
        return "\n".join([self.title, *lines, *(markup(n, as_html=False) for n in self.notes)])

    __str__ = __repr__

    def _repr_html_(self):
        def row(cells, tag):
            cells = "".join(f"<{tag} style='text-align:left'>{html.escape(str(c))}</{tag}>" for c in cells)
            return f"<tr>{cells}</tr>"

        body = "".join(row(r, "td") for r in self.rows)
        foot = row(self.footer, "th") if self.footer else ""
        notes = "".join(f"<p>{markup(n)}</p>" for n in self.notes)
        return (f"<div><b>{html.escape(self.title)}</b><table>{row(self.header, 'th')}{body}{foot}</table>"
                f"{notes}</div>")
