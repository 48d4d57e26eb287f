"""Rendering routes: system `dot` when on PATH, else graphviz-pure, else one clear error."""

import os
import stat
import sys

import pytest

from backprop_course import Value
from backprop_course.viz import CourseDigraph, RendererNotFoundError, RenderError, draw_graph, find_renderer, render_svg

BUNDLED = os.path.join(os.path.dirname(sys.executable), "graphviz-pure")


def small_graph():
    x, y = Value(4.0, "x"), Value(-3.0, "y")
    f = x * y
    f.label = "f"
    f.backward()
    return f


@pytest.fixture
def no_path(tmp_path, monkeypatch):
    empty = tmp_path / "empty"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    return empty


@pytest.fixture
def fake_dot(tmp_path, monkeypatch):
    """A `dot` on PATH that records each call and delegates to graphviz-pure."""
    bin_dir, log = tmp_path / "bin", tmp_path / "dot-calls.log"
    bin_dir.mkdir()
    script = bin_dir / "dot"
    script.write_text(f'#!/bin/sh\necho "$@" >> "{log}"\nexec "{BUNDLED}" "$@"\n')
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", str(bin_dir))
    return script, log


def test_system_dot_is_preferred_when_on_path(fake_dot):
    script, log = fake_dot
    assert find_renderer() == str(script)
    svg = render_svg(draw_graph(small_graph()))
    assert "<svg" in svg and "&#45;12.0000" in svg
    assert log.read_text().split() == ["-Tsvg"]


def test_jupyter_display_goes_through_system_dot(fake_dot):
    _, log = fake_dot
    bundle = draw_graph(small_graph(), rankdir="LR")._repr_mimebundle_()
    assert list(bundle) == ["text/html", "image/svg+xml"] and "<svg" in bundle["image/svg+xml"]
    assert 'class="bpc-graph"' in bundle["text/html"] and "<svg" in bundle["text/html"]
    assert log.exists()


def test_without_dot_graphviz_pure_beside_the_interpreter_is_used(no_path):
    assert find_renderer() == BUNDLED
    g = draw_graph(small_graph())
    assert isinstance(g, CourseDigraph)
    assert "data &#45;12.0000" in render_svg(g)
    assert g.pipe(format="png").startswith(b"\x89PNG")
    assert "grad 4.0000" in g._repr_mimebundle_()["image/svg+xml"]


def test_render_writes_the_file(no_path, tmp_path):
    out = draw_graph(small_graph()).render(tmp_path / "pic", format="svg")
    assert out.endswith(".svg") and "<svg" in open(out).read()


def test_no_renderer_at_all_is_one_clear_error(no_path, tmp_path, monkeypatch):
    monkeypatch.setattr(sys, "executable", str(tmp_path / "nowhere" / "python"))
    with pytest.raises(RendererNotFoundError, match="pip install graphviz-pure") as err:
        find_renderer()
    assert "apt-get install graphviz" in str(err.value)
    # The error comes at the call, not later when Jupyter tries to display the picture.
    with pytest.raises(RendererNotFoundError):
        draw_graph(small_graph())


def test_display_never_falls_back_silently(no_path, tmp_path, monkeypatch):
    g = draw_graph(small_graph(), rankdir="LR")  # not laid out yet: "auto" would lay it out at the call
    monkeypatch.setattr(sys, "executable", str(tmp_path / "nowhere" / "python"))
    with pytest.raises(RendererNotFoundError):
        g._repr_mimebundle_()
    assert "at 0x" not in repr(g)


def test_unsupported_format_is_a_clear_error(no_path):  # graphviz-pure has no PDF output
    with pytest.raises(RenderError, match="pdf"):
        draw_graph(small_graph()).pipe(format="pdf")
