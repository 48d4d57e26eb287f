"""Graph pictures that fit their notebook cell and stay legible.

Graphviz sizes a picture by its content; an output area is about 900 px wide. A picture is
shown scaled down to its cell's width (click it for full size), and a layout is turned from
left-right to top-bottom when scaling it down would shrink its text below `MIN_TEXT_PX`.
"""

from __future__ import annotations

import re

FIT_WIDTH_PX = 900  # a JupyterLab output area beside the file browser, in a 1400 px window
MIN_TEXT_PX = 9.0
PX_PER_PT = 4 / 3
_SIZE = re.compile(r'<svg\b[^>]*?\swidth="([\d.]+)pt"[^>]*?\sheight="([\d.]+)pt"', re.S)

# A click toggles between "fit the cell" and "full size" (the box then scrolls sideways).
_TOGGLE = ("var s=this.style;var full=s.maxWidth==='none';s.maxWidth=full?'100%':'none';"
           "s.cursor=full?'zoom-in':'zoom-out'")


def svg_size_px(svg: str) -> tuple[float, float]:
    """(width, height) in CSS pixels of a Graphviz SVG (which gives its size in points)."""
    m = _SIZE.search(svg)
    return (float(m.group(1)) * PX_PER_PT, float(m.group(2)) * PX_PER_PT) if m else (0.0, 0.0)


def text_px_when_fitted(svg: str, font_pt: float) -> float:
    """How tall text of `font_pt` points is once the picture is scaled down to FIT_WIDTH_PX."""
    width = svg_size_px(svg)[0]
    scale = min(1.0, FIT_WIDTH_PX / width) if width else 1.0
    return font_pt * PX_PER_PT * scale


def fit_html(svg: str) -> str:
    """The SVG inline, at most its cell's width; a click shows it at full size."""
    start = svg.find("<svg")
    if start < 0:
        return svg
    tag = (f'<svg style="max-width:100%;height:auto;cursor:zoom-in" onclick="{_TOGGLE}" '
           'aria-label="computation graph (click for full size)"')
    return f'<div class="bpc-graph" style="overflow-x:auto;max-width:100%">{tag}{svg[start + 4:]}</div>'
