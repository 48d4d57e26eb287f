"""Every notebook in a real JupyterLab and Chromium, as a learner runs it: Run All, then look.

After Run All, in each notebook: every picture fits its output area and a graph's text stays legible;
the learner's tools resolve; every slider widget answers a keypress (and every menu a choice), and its
repaint times are reported at the end of the run (a benchmark, never asserted). Screenshots go to
test-artifacts/browser/.
"""

from __future__ import annotations

import shutil
import statistics
from pathlib import Path

import pytest
from pages import PICTURES_JS, menu_repaint_times, open_and_run_all, repaint_times, run_new_cell

NOTEBOOKS = sorted((Path(__file__).resolve().parents[2] / "notebooks").glob("*.ipynb"))
MIN_FONT_PX = 9.0
TOOLS = ("check", "hint", "progress", "score_table", "show_solution")


@pytest.fixture(scope="module")
def course(lab):
    """The notebooks copied into the lab's folder (a copy: the lab autosaves)."""
    shutil.copytree(NOTEBOOKS[0].parent, lab.root, dirs_exist_ok=True)
    return lab


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[nb.stem for nb in NOTEBOOKS])
def test_notebook_as_a_learner_sees_it(course, page, notebook, artifacts, latency_report):
    open_and_run_all(page, course, notebook.name)

    pictures = page.evaluate(PICTURES_JS)
    too_wide = [p for p in pictures if p["width"] > p["area"] + 0.5]
    assert not too_wide, f"pictures wider than their output area: {too_wide}"
    graphs = [p for p in pictures if p["kind"] == "graph"]
    tiny = [p for p in graphs if p["minFontPx"] is not None and p["minFontPx"] < MIN_FONT_PX]
    assert not tiny, f"graphs whose text shrank below {MIN_FONT_PX} px: {tiny}"
    latency_report.setdefault("graphs", []).extend((notebook.stem, p) for p in graphs)

    outputs = page.locator(".jp-OutputArea-output")
    for k, output in enumerate(outputs.all()):
        if output.locator(".widget-slider").count():
            name = f"{notebook.stem} output {k}"
            output.scroll_into_view_if_needed()
            times = repaint_times(output)
            assert times, f"{name}: no slider press changed the widget"
            latency_report.setdefault("widgets", {})[name] = times
            if output.locator("select").count():
                menu_times = menu_repaint_times(output)
                assert menu_times, f"{name}: no menu choice changed the widget"
                latency_report["widgets"][f"{name} menus"] = menu_times
            output.screenshot(path=str(artifacts / f"{notebook.stem}-widget-{k}.png"))
    for k, output in enumerate(outputs.all()):
        if output.locator("svg g.graph").count():
            output.scroll_into_view_if_needed()
            output.screenshot(path=str(artifacts / f"{notebook.stem}-graph-{k}.png"))

    shown = run_new_cell(page, f"print([f.__name__ for f in ({', '.join(TOOLS)})])")
    assert shown.strip() == str(list(TOOLS)), shown
    page.screenshot(path=str(artifacts / f"{notebook.stem}.png"))


def summarize(report):
    lines = []
    for name, times in report.get("widgets", {}).items():
        after, count = ("a menu choice", "choices") if name.endswith(" menus") else ("a keypress", "presses")
        lines.append(f"{name}: repaint after {after} {statistics.median(times):.0f} ms median, "
                     f"{max(times):.0f} ms max ({len(times)} {count})")
    for stem, p in report.get("graphs", []):
        lines.append(f"{stem} graph {p['title']}: {p['width']:.0f} px in a {p['area']:.0f} px output area, "
                     f"smallest text {p['minFontPx']:.1f} px")
    return lines
