"""Matplotlib figures as SVG text, without pyplot's global state or a GUI backend.

`LivePlot` keeps an explorer fast: the figure is drawn once, and only the few artists a slider
moves (points, a tangent line, heatmap cells and their numbers) are drawn again, by hand, as a
small SVG laid over it. A slider press then sends a few hundred bytes, not a whole figure.
"""

from __future__ import annotations

import io
from html import escape

import numpy as np
from matplotlib.colors import to_hex
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle
from matplotlib.text import Text

DASHES = {"--": "6,3", ":": "1.5,2", "-.": "6,2,1.5,2"}


def new_figure(width=6.0, height=3.0):
    return Figure(figsize=(width, height), layout="constrained")


def figure_svg(fig) -> str:
    """The figure as SVG text. The layout is computed on the first call and then kept, since
    explorers only move data around and re-running the layout would double the cost of an update."""
    buf = io.StringIO()
    fig.savefig(buf, format="svg")
    fig.set_layout_engine("none")
    return buf.getvalue()


class LivePlot:
    """A figure drawn once (`.background`), and its `moving` artists drawn over it (`overlay()`).

    The moving artists may be Line2D (lines and round markers), Text and Rectangle; their data,
    text and colours change through matplotlib's own setters between calls to `overlay()`.
    """

    def __init__(self, fig, moving):
        self.fig, self.moving = fig, list(moving)
        for artist in self.moving:
            artist.set_visible(False)
        self.background = figure_svg(fig)  # lays the figure out; positions are fixed from here on
        for artist in self.moving:
            artist.set_visible(True)
        self.width, self.height = fig.get_size_inches() * 72  # SVG user units are points
        self._scale = 72 / fig.dpi  # display pixels to points
        # The layout is fixed, so each artist's data-to-display transform is too: freeze it once
        # (a live transform recomputes its chain of parts on every call).
        self._transforms = {id(a): (a.get_data_transform() if isinstance(a, Rectangle) else a.get_transform()).frozen()
                            for a in self.moving}
        self._clips = {id(a): self._clip_rect(a) for a in self.moving}

    def _clip_rect(self, artist):
        """(x, y, width, height) in SVG units of the box matplotlib clips `artist` to (its axes), or None."""
        box = artist.get_clip_box() if artist.get_clip_on() else None
        if box is None:
            return None
        s = self._scale
        return box.x0 * s, self.height - box.y1 * s, box.width * s, box.height * s

    def _points(self, artist, xy):
        disp = self._transforms[id(artist)].transform(np.asarray(xy, dtype=float).reshape(-1, 2))
        return [(x * self._scale, self.height - y * self._scale) for x, y in disp]

    def _draw(self, artist):
        """The artist as SVG, clipped as matplotlib clips it (a tangent line stops at the axes)."""
        body, clip = self._shape(artist), self._clips[id(artist)]
        if not body or clip is None:
            return body
        x, y, w, h = (f"{v:.1f}" for v in clip)  # a nested viewport clips what it holds to its box
        return f'<svg x="{x}" y="{y}" width="{w}" height="{h}" viewBox="{x} {y} {w} {h}">{body}</svg>'

    def _shape(self, artist):
        if not artist.get_visible():
            return ""
        if isinstance(artist, Line2D):
            pts = [p for p in self._points(artist, artist.get_xydata()) if np.isfinite(p).all()]
            color, lw = to_hex(artist.get_color()), artist.get_linewidth() * 1.0
            out = ""
            if artist.get_linestyle() not in ("None", "", " ") and len(pts) > 1:
                dash = DASHES.get(artist.get_linestyle())
                dashes = f' stroke-dasharray="{dash}"' if dash else ""
                out += (f'<polyline points="{" ".join(f"{x:.1f},{y:.1f}" for x, y in pts)}" fill="none" '
                        f'stroke="{color}" stroke-width="{lw}"{dashes}/>')
            if artist.get_marker() not in ("None", "", " ", None):
                face = artist.get_markerfacecolor()
                fill = "none" if isinstance(face, str) and face == "none" else to_hex(face)
                edge = to_hex(artist.get_markeredgecolor())
                r = artist.get_markersize() / 2
                out += "".join(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r}" fill="{fill}" stroke="{edge}"/>'
                               for x, y in pts)
            return out
        if isinstance(artist, Rectangle):
            box = artist.get_bbox()  # in data units
            (x0, y0), (x1, y1) = self._points(artist, [(box.x0, box.y0), (box.x1, box.y1)])
            return (f'<rect x="{min(x0, x1):.1f}" y="{min(y0, y1):.1f}" width="{abs(x1 - x0):.1f}" '
                    f'height="{abs(y1 - y0):.1f}" fill="{to_hex(artist.get_facecolor())}"/>')
        if isinstance(artist, Text):
            ((x, y),) = self._points(artist, [artist.get_position()])
            anchor = {"center": "middle", "left": "start", "right": "end"}[artist.get_ha()]
            size = artist.get_fontsize()
            dy = size * 0.35 if artist.get_va() in ("center", "center_baseline") else 0
            return (f'<text x="{x:.1f}" y="{y + dy:.1f}" text-anchor="{anchor}" font-size="{size}" '
                    f'font-family="DejaVu Sans, sans-serif" fill="{to_hex(artist.get_color())}">'
                    f"{escape(artist.get_text())}</text>")
        raise TypeError(f"LivePlot cannot draw a {type(artist).__name__}")

    def overlay(self) -> str:
        """The moving artists as an SVG the size of the figure, to lay over `background`."""
        body = "".join(self._draw(a) for a in self.moving)
        return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{self.width:g}pt" height="{self.height:g}pt" '
                f'viewBox="0 0 {self.width:g} {self.height:g}">{body}</svg>')

    def svg(self, overlay=None) -> str:
        """Background and overlay (drawn now unless given) as one SVG document (what explorers expose as `.svg`)."""
        inner = self.overlay() if overlay is None else overlay
        inner = inner[inner.index(">") + 1:-len("</svg>")]
        end = self.background.rindex("</svg>")
        return self.background[:end] + f"<g>{inner}</g>" + self.background[end:]
