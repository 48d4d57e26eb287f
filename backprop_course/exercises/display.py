"""Small objects that show well both as text and in Jupyter."""

from __future__ import annotations

import html


class Text:
    """A message; `code=True` shows it as a code block in Jupyter."""

    def __init__(self, text, code=False):
        self.text, self.code = text, code

    def __repr__(self):
        return self.text

    __str__ = __repr__

    def _repr_html_(self):
        body = html.escape(self.text)
        return f"<pre>{body}</pre>" if self.code else f"<p style='white-space:pre-wrap'>{body}</p>"


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
        return "\n".join([self.title, *lines, *self.notes])

    __str__ = __repr__

    def _repr_html_(self):
        def row(cells, tag):
            cells = "".join(f"<{tag} style='text-align:left'>{html.escape(str(c))}</{tag}>" for c in cells)
            return f"<tr>{cells}</tr>"

        body = "".join(row(r, "td") for r in self.rows)
        foot = row(self.footer, "th") if self.footer else ""
        notes = "".join(f"<p>{html.escape(n)}</p>" for n in self.notes)
        return (f"<div><b>{html.escape(self.title)}</b><table>{row(self.header, 'th')}{body}{foot}</table>"
                f"{notes}</div>")
