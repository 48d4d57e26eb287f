"""A saved explorer, reopened after its kernel is gone, says to run its cell again instead of "model not found"."""

from __future__ import annotations

import shutil
from pathlib import Path

from pages import RUN_ALL_TIMEOUT_S, open_and_run_all, wait_for

from backprop_course.widgets.base import STALE

NOTEBOOK = Path(__file__).resolve().parents[2] / "notebooks" / "10_gradient_health.ipynb"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"

# Each output the widget renderer could not fill: its own text, its font size, and the text drawn after it.
MISSING_JS = """
() => [...document.querySelectorAll('.jp-OutputArea-output.jupyter-widgets')]
  .filter(el => el.children.length === 0)
  .map(el => ({text: el.textContent, fontSize: getComputedStyle(el).fontSize,
               after: getComputedStyle(el, '::after').content}))
"""


def _saved_widget_outputs(lab, name):
    cells = (lab.api(f"contents/{name}?content=1") or {}).get("content", {}).get("cells", [])
    return [o for c in cells for o in c.get("outputs", []) if WIDGET_VIEW in o.get("data", {})]


def test_a_reopened_explorer_says_to_run_its_cell_again(lab, page):
    shutil.copy(NOTEBOOK, lab.root / NOTEBOOK.name)
    open_and_run_all(page, lab, NOTEBOOK.name)
    page.locator(".jp-NotebookPanel-toolbar [data-command='docmanager:save']").click()  # a key may go to a menu
    saved = wait_for(lambda: _saved_widget_outputs(lab, NOTEBOOK.name), "the explorer's output saved in the file",
                     RUN_ALL_TIMEOUT_S)
    assert all(o["data"]["text/plain"] == STALE for o in saved)

    for session in lab.api("sessions") or []:  # the kernel, and every widget model in it, is gone
        lab.api(f"sessions/{session['id']}", method="DELETE")
    page.goto(lab.tree_url(NOTEBOOK.name))
    page.locator(".jp-Notebook .jp-CodeCell").first.wait_for()
    missing = wait_for(lambda: page.evaluate(MISSING_JS), "the explorer's output, with no widget to show",
                       RUN_ALL_TIMEOUT_S)
    for output in missing:
        assert output["fontSize"] == "0px", output  # JupyterLab's own line is not shown
        assert STALE in output["after"], output
