"""Matplotlib figures as SVG text, without pyplot's global state or a GUI backend."""

from __future__ import annotations

import io

from matplotlib.figure import Figure


def new_figure(width=6.0, height=3.0):
    return Figure(figsize=(width, height), layout="constrained")


def figure_svg(fig) -> str:
    """The figure as SVG text. The layout is computed on the first call and then kept, since
    explorers only move data around and re-running the layout would double the cost of an update."""
    buf = io.StringIO()
    fig.savefig(buf, format="svg")
    fig.set_layout_engine("none")
    return buf.getvalue()
