"""Matplotlib figures as SVG text, without pyplot's global state or a GUI backend."""

from __future__ import annotations

import io

from matplotlib.figure import Figure


def new_figure(width=6.0, height=3.0):
    return Figure(figsize=(width, height), layout="constrained")


def figure_svg(fig) -> str:
    buf = io.StringIO()
    fig.savefig(buf, format="svg")
    return buf.getvalue()
