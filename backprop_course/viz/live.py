"""`LiveGraph`: a graph picture laid out once, then updated in place.

A slider moves numbers, and a stepper moves a highlight; neither changes the graph's shape. So
Graphviz lays a graph out once, and later pictures of the same shape are made by rewriting the
SVG's texts and highlight colours, which takes microseconds instead of a layout. A new shape, or a
number too wide for its cell, gets a new layout.
"""

from __future__ import annotations

import html
import re

from . import labels
from .draw import HIGHLIGHT_EDGE, draw_graph
from .render import run_renderer

_NODE = re.compile(r'(<g id="(n\d+(?:op)?)" class=")node(">)(.*?)(</g>)', re.S)
_EDGE = re.compile(r'<g id="(e\d+_\d+)" class="edge">.*?</g>', re.S)
_TEXT = re.compile(r'<text\b([^>]*)>(.*?)</text>', re.S)
_POLYGON = re.compile(r'<polygon\b[^>]*\bpoints="([^"]+)"')
_ANCHOR_X = re.compile(r'\stext-anchor="\w+"|\sx="[-\d.]+"')
_DOT_NODE = re.compile(r'^\t(n\d+) \[label=<(.*)> ', re.M)
_DOT_CELL = re.compile(r"<td\b[^>]*>(.*?)</td>", re.S)
_NUMBER = re.compile(rf'(<font color="(?:{labels.DATA_COLOR}|{labels.GRAD_COLOR})">)([^<]*)(</font>)')
ROOM_CHARS = len("grad -00.0000")  # laid out with digits as padding (never shown)
_DOT_LIT_NODE = re.compile(r'^\t(n\d+) \[.*\bclass=highlight', re.M)
_DOT_LIT_EDGE = re.compile(rf'^\tn(\d+) -> n(\d+)op \[.*color="{HIGHLIGHT_EDGE}"', re.M)


def _without_highlight(source):
    source = source.replace(f' bgcolor="{labels.HIGHLIGHT_FILL}"', "").replace(" class=highlight", "")
    source = source.replace(f'fillcolor="{labels.HIGHLIGHT_FILL}"', 'fillcolor="#eeeeee"')
    source = re.sub(rf' ?\bcolor="{HIGHLIGHT_EDGE}"| ?\bpenwidth=2.5', "", source)
    return source.replace("[ ", "[")


def _shape_of(neutral):
    """The DOT source without its texts: equal for pictures that can share a layout."""
    return re.sub(r"<td\b([^>]*)>.*?</td>", r"<td\1></td>", neutral, flags=re.S)


def _texts_of(source):
    """{node name: its label's lines in order}, from the DOT source."""
    out = {}
    for name, label in _DOT_NODE.findall(source):
        lines = []
        for cell in _DOT_CELL.findall(label):
            lines += [html.unescape(re.sub(r"<[^>]+>", "", part)) for part in cell.split("<br/>")]
        out[name] = lines
    return out


class LiveGraph:
    """Pictures of one changing graph: `svg(root, grads=..., highlight=...)` takes `draw_graph`'s arguments.

    `.layouts` counts the Graphviz layouts made so far.
    """

    def __init__(self, show_grad=True, rankdir="auto"):
        self.show_grad, self.rankdir = show_grad, rankdir
        self.layouts = 0
        self._key = self._pieces = None

    def svg(self, root, grads=None, highlight=()):
        graph = draw_graph(root, show_grad=self.show_grad, highlight=highlight, grads=grads,
                           rankdir=self.rankdir if self._key is None else self._rankdir)
        source = graph.source
        neutral = _without_highlight(source)
        key = _shape_of(neutral)
        texts = _texts_of(source)
        lit = set(_DOT_LIT_NODE.findall(source))
        lit_edges = {f"e{j}_{i}" for j, i in _DOT_LIT_EDGE.findall(source)}
        if key == self._key:
            svg = self._fill(texts, lit, lit_edges)
            if svg is not None:
                return svg
        self._rankdir = graph.graph_attr["rankdir"]
        self._key = key
        self.layouts += 1
        # Lay numbers out with room for a few more digits, so most changes fit without a new layout.
        roomy = _NUMBER.sub(lambda m: m.group(1) + m.group(2).ljust(ROOM_CHARS, "0") + m.group(3), neutral)
        self._build(run_renderer(roomy, "svg").decode("utf-8"), texts)
        self._room = {(name, k): max(len(line), ROOM_CHARS if ("data" in line or "grad" in line) else 0)
                      for name, lines in texts.items() for k, line in enumerate(lines)}
        return self._fill(texts, lit, lit_edges)

    def _build(self, svg, texts):
        """Split the neutral SVG into fixed pieces and slots: ("class"|"fill"|"text", ...) and ("edge", ...)."""
        pieces, at = [], 0
        for m in _NODE.finditer(svg):
            pieces.append(svg[at:m.start()])
            name, body = m.group(2), m.group(4)
            pieces += [m.group(1), ("class", name), m.group(3)]
            points = [tuple(map(float, p.split(","))) for ps in _POLYGON.findall(body) for p in ps.split()]
            if name.endswith("op"):
                pieces.append(("opfill", name, body))
            else:
                xs, ys = [p[0] for p in points] or [0], [p[1] for p in points] or [0]
                box = f"{min(xs)},{min(ys)} {max(xs)},{min(ys)} {max(xs)},{max(ys)} {min(xs)},{max(ys)}"
                pieces.append(("bg", name, box))
                self._text_slots(pieces, name, body)
            pieces.append(m.group(5))
            at = m.end()
        pieces.append(svg[at:])
        # edges: a second pass over the fixed text, so a highlighted edge can be recoloured
        self._pieces = []
        for piece in pieces:
            if not isinstance(piece, str):
                self._pieces.append(piece)
                continue
            at = 0
            for m in _EDGE.finditer(piece):
                self._pieces += [piece[at:m.start()], ("edge", m.group(1), m.group(0))]
                at = m.end()
            self._pieces.append(piece[at:])
        self._counts = {name: len(lines) for name, lines in texts.items()}

    @staticmethod
    def _text_slots(pieces, name, body):
        """Each text becomes a slot centred in its cell, so a new number of the same length sits in place."""
        at, k, centre = 0, 0, 0.0
        polygons = list(_POLYGON.finditer(body))
        for m in _TEXT.finditer(body):
            before = [p for p in polygons if p.start() < m.start()]
            if before:
                xs = [float(p.split(",")[0]) for p in before[-1].group(1).split()]
                centre = (min(xs) + max(xs)) / 2
            attrs = _ANCHOR_X.sub("", m.group(1))
            pieces += [body[at:m.start()], ("text", name, k, f'<text text-anchor="middle" x="{centre:.2f}"{attrs}>')]
            at, k = m.end(), k + 1
        pieces.append(body[at:])

    def _fill(self, texts, lit, lit_edges):
        """The SVG for these texts and highlights, or None when a text does not fit its cell."""
        if {n: len(t) for n, t in texts.items()} != self._counts:
            return None
        out = []
        for piece in self._pieces:
            if isinstance(piece, str):
                out.append(piece)
                continue
            kind, name = piece[0], piece[1]
            node = name[:-2] if name.endswith("op") else name
            if kind == "class":
                out.append("node highlight" if node in lit else "node")
            elif kind == "bg":  # always there, so moving the highlight changes a colour, not the tree
                fill = labels.HIGHLIGHT_FILL if name in lit else "none"
                out.append(f'<polygon fill="{fill}" stroke="none" points="{piece[2]}"/>')
            elif kind == "opfill":
                out.append(piece[2].replace('fill="#eeeeee"', f'fill="{labels.HIGHLIGHT_FILL}"')
                           if node in lit else piece[2])
            elif kind == "text":
                text = texts[name][piece[2]]
                if len(text) > self._room[name, piece[2]]:  # longer than what its cell was laid out for
                    return None
                out.append(f"{piece[3]}{html.escape(text, quote=False)}</text>")
            elif kind == "edge":
                body = piece[2]
                if name in lit_edges:
                    body = body.replace('stroke="#555555"', f'stroke="{HIGHLIGHT_EDGE}" stroke-width="2.5"')
                    body = body.replace('fill="#555555"', f'fill="{HIGHLIGHT_EDGE}"')
                out.append(body)
        return "".join(out)
