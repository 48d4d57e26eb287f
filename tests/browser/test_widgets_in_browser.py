"""Notebook 01 in a real JupyterLab and Chromium: run it, move sliders, step backward, get exercise feedback.

Every wait is on a condition in the page, never a fixed sleep, so the test holds on a loaded machine.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from pages import MINUS, RUN_ALL_TIMEOUT_S, open_and_run_all, run_new_cell, svg_sources, svg_texts, wait_for

from backprop_course.viz import fmt

NOTEBOOK = Path(__file__).resolve().parents[2] / "notebooks" / "01_scalar_graph.ipynb"


def highlighted(output) -> set[str]:
    """Ids of the SVG node groups drawn highlighted (the stepper's current node)."""
    ids = set()
    for source in svg_sources(output):
        for tag in re.findall(r"<g\b[^>]*>", source):
            classes = re.search(r'\bclass="([^"]*)"', tag)
            ident = re.search(r'\bid="([^"]*)"', tag)
            if classes and ident and {"node", "highlight"} <= set(classes.group(1).split()):
                ids.add(ident.group(1))
    return ids


def readout_number(text: str) -> float:
    return float(text.strip().replace(MINUS, "-"))


def slider(output, name):
    return output.locator(".widget-slider").filter(has=output.page.locator(f'label.widget-label:text-is("{name}")'))


def slider_value(output, name) -> float:
    return readout_number(slider(output, name).locator(".widget-readout").inner_text())


def expected_graph_texts(x, y, z) -> list[str]:
    """What the lecture's graph for f = (x + y) * z must show: values and gradients."""
    q, f = x + y, (x + y) * z
    return [f"data {fmt(f)}", f"data {fmt(q)}", f"grad {fmt(1.0)}", f"grad {fmt(z)}", f"grad {fmt(q)}"]


def wait_for_graph(output, x, y, z, what):
    expected = expected_graph_texts(x, y, z)
    wait_for(lambda: all(t in svg_texts(output) for t in expected), f"{what}: {expected}",
             seen=lambda: svg_texts(output))


@pytest.fixture(scope="module")
def notebook(lab, page):
    """Notebook 01 opened in JupyterLab with every cell run; returns its file name."""
    shutil.copytree(NOTEBOOK.parent, lab.root, dirs_exist_ok=True)  # a copy: the lab autosaves
    open_and_run_all(page, lab, NOTEBOOK.name)
    return NOTEBOOK.name


@pytest.fixture(scope="module")
def explorer(page, notebook):
    """The output holding the graph explorer for (x + y) * z: sliders x, y, z and the graph."""
    output = page.locator(".jp-OutputArea-output").filter(has=page.locator('label.widget-label:text-is("z")'))
    output = output.filter(has=page.locator("svg, img[src^='data:image/svg+xml']")).first
    output.wait_for(timeout=RUN_ALL_TIMEOUT_S * 1000)
    output.scroll_into_view_if_needed()
    return output


def test_static_graph_picture_shows_the_backward_pass(page, notebook):
    # draw_graph(f) after f.backward() (section 3), shown as HTML that fits the cell.
    pictures = page.locator(".jp-OutputArea-output").filter(has=page.locator("svg g.graph"))
    expected = expected_graph_texts(-2.0, 5.0, -4.0)
    assert any(all(t in svg_texts(p) for t in expected) for p in pictures.all()), [svg_texts(p) for p in pictures.all()]


def test_explorer_starts_at_the_lecture_point(explorer):
    x, y, z = (slider_value(explorer, n) for n in "xyz")
    assert (x, y, z) == (-2.0, 5.0, -4.0)  # the lecture's point, section 3
    assert slider(explorer, "x").locator(".widget-readout").inner_text() == f"{MINUS}2.00"
    wait_for_graph(explorer, x, y, z, "the graph at the lecture's point")
    assert "data -12.0000" in svg_texts(explorer)


def test_slider_keyboard_and_typed_readout_update_the_graph(explorer, artifacts):
    x0, y0, z0 = (slider_value(explorer, n) for n in "xyz")

    handle = slider(explorer, "x").locator(".noUi-handle")
    handle.focus()
    handle.press("ArrowRight")
    wait_for(lambda: slider_value(explorer, "x") != x0, "the x readout to move after ArrowRight on its handle")
    x1 = slider_value(explorer, "x")
    assert x0 < x1 < x0 + 1
    wait_for_graph(explorer, x1, y0, z0, f"the graph to show x = {x1}")

    y_readout = slider(explorer, "y").locator(".widget-readout")
    y_readout.fill("2.5")
    y_readout.press("Enter")
    wait_for(lambda: slider_value(explorer, "y") == 2.5, "the y readout to take the typed 2.5")
    z_readout = slider(explorer, "z").locator(".widget-readout")
    z_readout.fill("-3")
    z_readout.press("Enter")
    wait_for(lambda: z_readout.inner_text() == f"{MINUS}3.00", "the z readout to show the typed -3 as −3.00")
    wait_for_graph(explorer, x1, 2.5, -3.0, "the graph to show y = 2.5, z = -3")

    explorer.screenshot(path=str(artifacts / "graph_explorer.png"))


def test_backward_stepper_moves_the_highlight(page, notebook, artifacts):
    stepper = page.locator(".jp-OutputArea-output").filter(has=page.get_by_role("button", name="Next ▶")).first
    stepper.scroll_into_view_if_needed()
    before = wait_for(lambda: highlighted(stepper), "a highlighted node in the stepper's graph")
    stepper.get_by_role("button", name="Next ▶").click()
    after = wait_for(lambda: (h := highlighted(stepper)) != before and h, "the highlight to move after Next ▶")
    assert after != before
    stepper.screenshot(path=str(artifacts / "backward_stepper.png"))


def test_wrong_exercise_answer_gets_incorrect_and_a_hint(page, notebook, artifacts):
    feedback = run_new_cell(page, 'check("scalar_backward", lambda x, y, z: (1.0, 1.0, 1.0))')
    assert "incorrect" in feedback.lower(), feedback
    assert "hint" in feedback.lower(), feedback
    page.screenshot(path=str(artifacts / "notebook.png"))


def test_backward_stepper_counts_as_its_text_and_completes(page, notebook):
    stepper = page.locator(".jp-OutputArea-output").filter(has=page.get_by_role("button", name="Next ▶")).first
    stepper.scroll_into_view_if_needed()
    readout = stepper.locator(".widget-slider .widget-readout")
    text = stepper.locator(".bpc-readout")

    def shown():
        m = re.search(r"step (\d+)/(\d+)", text.inner_text())
        return m and (int(readout.inner_text()), int(m.group(1)), int(m.group(2)))

    while shown()[0] != 1:  # back to the start, whatever earlier tests did
        before = shown()[0]
        stepper.get_by_role("button", name="◀ Prev").click()
        wait_for(lambda b=before: shown()[0] == b - 1, "Prev to go back one step", seen=shown)
    total = shown()[2]
    heights = []
    for k in range(1, total + 1):
        slider_k, text_k, text_total = wait_for(lambda k=k: (s := shown()) and s[0] == k and s[1] == k and s,
                                                f"slider and text both at step {k}", seen=shown)
        assert (slider_k, text_k, text_total) == (k, k, total)
        heights.append(stepper.bounding_box()["height"])
        assert ("complete" in text.inner_text()) == (k == total), text.inner_text()
        if k < total:
            stepper.get_by_role("button", name="Next ▶").click()
    stepper.get_by_role("button", name="Next ▶").click()  # at the end, Next keeps saying the pass is complete
    wait_for(lambda: shown() == (total, total, total) and "complete" in text.inner_text(), "the completion message")
    # a leaf's one-line text after a node's four must not pull the page below up (nor make it repaint)
    assert len(set(heights)) == 1, f"the stepper's height changed as it stepped: {heights}"


def test_a_key_press_repaints_while_the_kernel_is_busy(page, explorer):
    # The kernel waits on input(), so it answers no widget message until the prompt is answered: the
    # graph can only change from the frames it sent ahead, one slider step away.
    x0, y0, z0 = (slider_value(explorer, n) for n in "xyz")
    prompt = run_new_cell(page, 'input("the kernel waits: ")')
    assert "the kernel waits" in prompt, prompt
    explorer.scroll_into_view_if_needed()
    handle = slider(explorer, "x").locator(".noUi-handle")
    handle.focus()
    handle.press("ArrowLeft")
    wait_for(lambda: slider_value(explorer, "x") != x0, "the x readout to move after ArrowLeft")
    x1 = slider_value(explorer, "x")
    wait_for_graph(explorer, x1, y0, z0, f"the graph to show x = {x1} while the kernel waits on input()")
    stdin = page.locator(".jp-Stdin-input").last
    stdin.fill("done")
    stdin.press("Enter")
    status = page.locator("#jp-main-statusbar")
    wait_for(lambda: "Idle" in status.inner_text(), "the kernel to be idle again", seen=status.inner_text)
