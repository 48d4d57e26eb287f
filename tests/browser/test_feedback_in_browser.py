"""Exercise feedback as a learner sees it in JupyterLab: its markup rendered, no word broken across lines,
long tokens kept inside the output area, and every text readable (WCAG contrast of at least 4.5:1) in the
light and dark themes, the explorers' readouts included. The contrast figures go to
test-artifacts/browser/contrast.txt."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from pages import open_and_run_all, run_new_cell, wait_for

NOTEBOOK = Path(__file__).resolve().parents[2] / "notebooks" / "01_scalar_graph.ipynb"
LIGHT, DARK = "JupyterLab Light", "JupyterLab Dark"
MIN_CONTRAST = 4.5  # WCAG AA for body text
NARROW = {"width": 900, "height": 2400}  # lines of feedback wrap; all of it fits in one screenshot

# Passed, incorrect and error feedback, a learner's long unbroken token, and every hint of two exercises
# (the course's backticks and *emphasis* among them). None of these texts has arithmetic in it, so any
# asterisk or backtick left on the screen is markup that did not render.
FEEDBACK_CELL = '''\
from IPython.display import display
from backprop_course.exercises import EXERCISES

def scalar_backward(x, y, z):
    return z / 2, z / 2, x + y

def topological_order(root):
    raise ValueError("_".join("no_such_attribute" for _ in range(20)))

feedback = [
    check("scalar_backward", lambda x, y, z: (z, z, x + y)),
    check("scalar_backward", scalar_backward(-2.0, 5.0, -4.0)),  # called, not passed
    check("scalar_backward", scalar_backward),
    check("topological_order", topological_order),
    *(hint(ex) for ex in ("topological_order", "multiply_function") for _ in EXERCISES[ex].hints),
]
display(*feedback)'''
SOURCES_CELL = 'import json; print(json.dumps([getattr(f, "text", None) or f.message for f in feedback]))'

# Words of `root`'s text that the browser broke across lines, leaving out tokens wider than `root` (those
# must break); and how many of its text nodes wrap onto more than one line.
SPLIT_WORDS_JS = """
root => {
  const split = [], walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  let wrapped = 0;
  for (let node; (node = walker.nextNode());) {
    const lines = new Set();
    for (const word of node.data.matchAll(/\\S+/g)) {
      const range = document.createRange();
      range.setStart(node, word.index);
      range.setEnd(node, word.index + word[0].length);
      const rects = [...range.getClientRects()].filter(r => r.width > 0);
      const tops = new Set(rects.map(r => Math.round(r.top)));
      tops.forEach(t => lines.add(t));
      const wide = rects.reduce((sum, r) => sum + r.width, 0) > root.clientWidth;
      if (tops.size > 1 && !wide) split.push(word[0]);
    }
    wrapped += lines.size > 1;
  }
  return {split, wrapped};
}
"""

# How far `root` sticks out: past its own box (content wider than it) and past its output area.
OVERFLOW_JS = """
root => Math.max(root.scrollWidth - root.clientWidth, root.getBoundingClientRect().right
                 - root.closest('.jp-OutputArea-output').getBoundingClientRect().right)
"""

# For every text node under each element: its colour and the colour behind it (the backgrounds of its
# ancestors, composited up to the first opaque one), and their WCAG contrast ratio.
CONTRAST_JS = """
roots => {
  const rgba = c => { const v = c.match(/[\\d.]+/g).map(Number); return v.length === 3 ? [...v, 1] : v; };
  const over = ([r, g, b, a], [R, G, B]) => [r * a + R * (1 - a), g * a + G * (1 - a), b * a + B * (1 - a)];
  const luminance = rgb => rgb.map(v => (v /= 255) <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4)
                              .reduce((sum, v, i) => sum + v * [0.2126, 0.7152, 0.0722][i], 0);
  const behind = el => {
    const layers = [];
    for (; el; el = el.parentElement) {
      const c = rgba(getComputedStyle(el).backgroundColor);
      if (c[3] > 0) layers.push(c);
      if (c[3] === 1) break;
    }
    return layers.reduceRight((below, c) => over(c, below), [255, 255, 255]);
  };
  const hex = rgb => '#' + rgb.map(v => Math.round(v).toString(16).padStart(2, '0')).join('');
  return roots.flatMap(root => {
    const found = [], walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let node; (node = walker.nextNode());) {
      if (!node.data.trim()) continue;
      const el = node.parentElement, bg = behind(el), fg = over(rgba(getComputedStyle(el).color), bg);
      const [hi, lo] = [luminance(fg), luminance(bg)].sort((a, b) => b - a);
      found.push({headline: !!el.closest('.bpc-headline'), text: node.data.trim().slice(0, 30),
                  color: hex(fg), background: hex(bg), ratio: (hi + 0.05) / (lo + 0.05)});
    }
    return found;
  });
}
"""


def use_theme(page, name):
    """Choose Settings > Theme > `name`, as a learner does, and wait until the page wears it."""
    page.locator(".lm-MenuBar-item", has_text=re.compile(r"^Settings$")).click()
    for label in ("Theme", name):  # a submenu's items have no ARIA role: find them by their labels
        label = page.locator(".lm-Menu-itemLabel").get_by_text(label, exact=True)
        page.locator(".lm-Menu-item").filter(has=label).click()
    wait_for(lambda: page.evaluate("document.body.dataset.jpThemeName") == name, f"the {name} theme",
             seen=lambda: page.evaluate("document.body.dataset.jpThemeName"))


@pytest.fixture
def feedback_page(lab, page):
    """Notebook 01 run in a narrow window; the window and the light theme are restored afterwards, since
    later tests share the page."""
    shutil.copytree(NOTEBOOK.parent, lab.root, dirs_exist_ok=True)  # a copy: the lab autosaves
    wide = page.viewport_size
    page.set_viewport_size(NARROW)
    try:
        open_and_run_all(page, lab, NOTEBOOK.name)
        yield page
    finally:
        use_theme(page, LIGHT)
        page.set_viewport_size(wide)


def contrast(page, theme, report):
    """The contrast of every feedback and readout text in `theme`, one line of figures per kind."""
    feedback = page.evaluate(CONTRAST_JS, page.locator(".bpc-feedback").element_handles())
    found = {
        "feedback headline": [t for t in feedback if t["headline"]],
        "feedback text": [t for t in feedback if not t["headline"]],
        "explorer readout": page.evaluate(CONTRAST_JS, page.locator(".bpc-readout").element_handles()),
    }
    for kind, texts in found.items():
        assert texts, f"no {kind} text in the page"
        pairs = {(t["color"], t["background"]): t["ratio"] for t in texts}
        shown = ", ".join(f"{fg} on {bg} {r:.2f}" for (fg, bg), r in sorted(pairs.items(), key=lambda p: p[1]))
        report.append(f"{theme}, {kind}: lowest {min(pairs.values()):.2f}:1 over {len(texts)} texts ({shown})")
    return [t | {"kind": kind} for kind, texts in found.items() for t in texts if t["ratio"] < MIN_CONTRAST]


def test_feedback_renders_wraps_at_spaces_and_reads_well_in_both_themes(feedback_page, artifacts):
    page = feedback_page
    cells = page.locator(".jp-Notebook .jp-Cell")
    cell = cells.nth(cells.count())
    run_new_cell(page, FEEDBACK_CELL)
    sources = json.loads(run_new_cell(page, SOURCES_CELL))
    assert any("`" in s for s in sources) and any("*" in s for s in sources), sources  # there is markup to render
    panels = cell.locator(".bpc-feedback")
    wait_for(lambda: panels.count() == len(sources), f"{len(sources)} feedback outputs", seen=panels.count)
    cell.scroll_into_view_if_needed()
    cell.screenshot(path=str(artifacts / "feedback-light.png"))

    shown = panels.all_inner_texts()
    assert not [t for t in shown if "`" in t or "*" in t], shown
    layout = [panel.evaluate(SPLIT_WORDS_JS) for panel in panels.all()]
    assert any(lay["wrapped"] for lay in layout), "no feedback wraps: the window is too wide to test wrapping"
    assert not [lay["split"] for lay in layout if lay["split"]], layout
    overflow = [panel.evaluate(OVERFLOW_JS) for panel in panels.all()]
    assert max(overflow) <= 0.5, overflow

    page.locator(".bpc-readout").first.wait_for()
    report = []
    low = contrast(page, "light", report)
    use_theme(page, DARK)
    low += contrast(page, "dark", report)
    cell.scroll_into_view_if_needed()
    cell.screenshot(path=str(artifacts / "feedback-dark.png"))
    explorer = page.locator(".jp-OutputArea-output").filter(has=page.locator(".bpc-readout")).first
    explorer.scroll_into_view_if_needed()
    explorer.screenshot(path=str(artifacts / "explorer-dark.png"))
    (artifacts / "contrast.txt").write_text("\n".join(report) + "\n")
    print("\n".join(report))
    assert not low, f"texts below {MIN_CONTRAST}:1: {low}"
