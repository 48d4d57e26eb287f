"""Turning DOT source into SVG, with or without a system Graphviz.

The `graphviz` package only knows how to call a program named `dot`. The
course must also work from a plain `pip install`, so rendering is routed here:
system `dot` when it is on PATH, otherwise the `graphviz-pure` executable that
the pip dependency installs next to the Python interpreter.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import graphviz

from .fit import fit_html

__all__ = ["CourseDigraph", "RenderError", "RendererNotFoundError", "find_renderer", "render_svg", "run_renderer"]

FIX_HINT = (
    "Install the pip package with `pip install graphviz-pure` (a dependency of backprop-course), "
    "or install system Graphviz (`apt-get install graphviz`, `brew install graphviz`, `conda install graphviz`)."
)
TIMEOUT_S = 60


class RendererNotFoundError(RuntimeError):
    """Neither system `dot` nor `graphviz-pure` could be found."""


class RenderError(RuntimeError):
    """The renderer ran but could not turn the DOT source into a picture."""


def find_renderer() -> str:
    """Path of the program that renders DOT: system `dot` first, then `graphviz-pure`.

    `graphviz-pure` is looked for next to the running interpreter (a virtualenv's
    bin/ is often not on PATH inside Jupyter), then on PATH.
    """
    dot = shutil.which("dot")
    if dot:
        return dot
    name = "graphviz-pure.exe" if os.name == "nt" else "graphviz-pure"
    beside = os.path.join(os.path.dirname(sys.executable), name)
    if os.path.isfile(beside) and os.access(beside, os.X_OK):
        return beside
    on_path = shutil.which("graphviz-pure")
    if on_path:
        return on_path
    raise RendererNotFoundError(
        "Cannot draw the graph: no Graphviz renderer found (looked for `dot` on PATH and for "
        f"`graphviz-pure` next to {sys.executable} and on PATH). {FIX_HINT}"
    )


def run_renderer(source: str, format: str = "svg", engine: str = "dot") -> bytes:
    """Render DOT `source` to `format` bytes with the program `find_renderer` picks."""
    program = find_renderer()
    cmd = [program, f"-T{format}"]
    if engine != "dot":
        cmd.append(f"-K{engine}")
    try:
        done = subprocess.run(cmd, input=source.encode("utf-8"), capture_output=True, timeout=TIMEOUT_S)
    except subprocess.TimeoutExpired:
        raise RenderError(
            f"{program} took more than {TIMEOUT_S} s to lay out the graph; draw fewer nodes (max_nodes=...)"
        ) from None
    except OSError as err:
        raise RenderError(f"Could not run {program}: {err}. {FIX_HINT}") from None
    if done.returncode != 0:
        detail = done.stderr.decode("utf-8", "replace").strip() or f"exit status {done.returncode}"
        raise RenderError(f"{os.path.basename(program)} -T{format} failed: {detail}")
    return done.stdout


def render_svg(graph) -> str:
    """The SVG text of a `graphviz` graph (or of raw DOT source)."""
    if isinstance(graph, CourseDigraph):
        return graph.svg()
    source = graph if isinstance(graph, str) else graph.source
    engine = getattr(graph, "engine", "dot")
    return run_renderer(source, "svg", engine).decode("utf-8")


class CourseDigraph(graphviz.Digraph):
    """A `graphviz.Digraph` whose rendering (Jupyter display, `pipe`, `render`) goes
    through `run_renderer`, so it works without system Graphviz and fails loudly.

    In Jupyter it shows as HTML that fits the cell (see `fit.fit_html`), with the plain SVG beside it
    for other front-ends."""

    _svg_cache = None  # (source, engine, svg): a picture is laid out once, however often it is shown

    def svg(self) -> str:
        """The rendered SVG text."""
        key = (self.source, self.engine)
        if self._svg_cache is None or self._svg_cache[:2] != key:
            self._svg_cache = (*key, run_renderer(key[0], "svg", key[1]).decode("utf-8"))
        return self._svg_cache[2]

    def pipe(self, format=None, renderer=None, formatter=None, neato_no_op=None, quiet=False, *,
             engine=None, encoding=None):
        if renderer or formatter or neato_no_op:
            raise ValueError("renderer/formatter/neato_no_op are not supported by the course renderer")
        data = run_renderer(self.source, format or self.format, engine or self.engine)
        return data.decode(encoding) if encoding else data

    def render(self, filename=None, directory=None, view=False, cleanup=False, format=None, *,
               engine=None, outfile=None, **kwargs):
        """Save the source and write the rendered file next to it; returns the output path."""
        if view or kwargs:
            raise ValueError(f"unsupported render options: {sorted(kwargs) + (['view'] if view else [])}")
        fmt = format or (os.path.splitext(str(outfile))[1].lstrip(".") if outfile else self.format)
        source_path = self.save(filename, directory=directory)
        out_path = str(outfile) if outfile else f"{source_path}.{fmt}"
        data = run_renderer(self.source, fmt, engine or self.engine)
        with open(out_path, "wb") as f:
            f.write(data)
        if cleanup:
            os.remove(source_path)
        return out_path

    def _repr_mimebundle_(self, include=None, exclude=None, **_):
        # Render eagerly (SVG only) so a missing renderer raises a clear error
        # instead of silently falling back to "<Digraph at 0x...>".
        include = set(include) if include is not None else {"text/html", "image/svg+xml"}
        include -= set(exclude or ())
        bundle = {}
        if "text/html" in include:
            bundle["text/html"] = fit_html(self.svg())
        if "image/svg+xml" in include:
            bundle["image/svg+xml"] = self.svg()
        if "image/png" in include:
            bundle["image/png"] = self.pipe(format="png")
        return bundle

    def __repr__(self):
        return f"<{type(self).__name__}: {self.source.count(chr(10))} lines of DOT; display it to render>"
