"""Reading and driving a JupyterLab page: waits on conditions (never fixed sleeps), SVG text, Run All."""

from __future__ import annotations

import base64
import html
import re
import time
import urllib.parse

RUN_ALL_TIMEOUT_S = 300
KERNEL_TIMEOUT_S = 60
MINUS = "\u2212"  # ipywidgets slider readouts write minus signs this way


def wait_for(condition, what, timeout_s=KERNEL_TIMEOUT_S, seen=None):
    """Poll `condition` until it returns something truthy, and return that.

    On timeout, fail naming `what` and, if given, what `seen()` shows then.
    """
    deadline = time.monotonic() + timeout_s
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            last = f"; last seen: {seen()!r}" if seen else ""
            raise AssertionError(f"timed out after {timeout_s} s waiting for {what}{last}")
        time.sleep(0.1)


def svg_sources(output) -> list[str]:
    """SVG text shown in an output: inline <svg> elements and <img> data URLs (how JupyterLab shows
    image/svg+xml), entity-decoded, so Graphviz's '&#45;' reads as '-'."""
    sources = output.locator("svg").evaluate_all("els => els.map(e => e.outerHTML)")
    for src in output.locator("img[src^='data:image/svg+xml']").evaluate_all("els => els.map(e => e.src)"):
        header, _, payload = src.partition(",")
        raw = base64.b64decode(payload).decode() if header.endswith(";base64") else urllib.parse.unquote(payload)
        sources.append(raw)
    return [html.unescape(s) for s in sources]


def svg_texts(output) -> list[str]:
    return [re.sub(r"<[^>]+>", "", t).strip() for s in svg_sources(output) for t in re.findall(r"<text\b.*?</text>", s)]


def prompts(page) -> list[str]:
    return [p.strip() for p in page.locator(".jp-Notebook .jp-CodeCell .jp-InputArea-prompt").all_inner_texts()]


def open_and_run_all(page, lab, name):
    """Open notebook `name` (already in lab.root) alone, wait for its kernel, Run All, wait for every cell.

    Earlier notebooks' kernels are shut down first, and `reset` opens a fresh workspace with no other tabs."""
    for session in lab.api("sessions") or []:
        lab.api(f"sessions/{session['id']}", method="DELETE")
    page.goto(lab.tree_url(name) + "&reset")
    page.locator(".jp-Notebook .jp-CodeCell").first.wait_for()
    status = page.locator("#jp-main-statusbar")
    wait_for(lambda: "Idle" in status.inner_text(), f"{name}'s kernel to start by itself (autoStartDefaultKernel)",
             RUN_ALL_TIMEOUT_S, seen=status.inner_text)
    page.locator(".lm-MenuBar-item", has_text=re.compile(r"^Run$")).click()
    page.get_by_role("menuitem", name="Run All Cells", exact=True).click()
    wait_for(lambda: all(re.fullmatch(r"\[\d+\]:", p) for p in prompts(page)),
             f"every code cell of {name} to run (a cell left at [ ] or [*] failed or hangs)", RUN_ALL_TIMEOUT_S,
             seen=lambda: prompts(page))


def run_new_cell(page, code):
    """Append a code cell holding `code`, run it, and return its output text."""
    cells = page.locator(".jp-Notebook .jp-Cell")
    count = cells.count()
    cells.last.locator(".jp-InputPrompt").click()
    page.keyboard.press("Escape")
    page.keyboard.press("b")
    wait_for(lambda: cells.count() == count + 1, "a new cell below the last one")
    new_cell = cells.nth(count)  # Shift+Enter on the last cell adds yet another one below it
    new_cell.locator(".cm-content").click()
    page.keyboard.insert_text(code)
    page.keyboard.press("Shift+Enter")
    output = new_cell.locator(".jp-OutputArea-output")
    return wait_for(lambda: output.count() and output.first.inner_text(), f"the output of {code!r}")


# Every picture in the page's outputs: Graphviz graphs (inline SVG with a "graph" group), SVG and PNG
# images (matplotlib), and widget pictures. For each: its rendered width, its output area's width, and
# for Graphviz graphs the smallest font size after scaling (SVG user units are points).
PICTURES_JS = """
() => [...document.querySelectorAll('.jp-OutputArea-output')].flatMap((out, k) => {
  const area = out.getBoundingClientRect().width;
  const items = [];
  for (const el of out.querySelectorAll('svg, img')) {
    if (el.closest('svg') !== el && el.tagName.toLowerCase() === 'svg' && el.parentElement.closest('svg')) continue;
    const box = el.getBoundingClientRect();
    if (box.width === 0) continue;  // not shown (a collapsed widget, an icon)
    const graph = el.tagName.toLowerCase() === 'svg' && el.querySelector('g.graph');
    let minFontPx = null;
    if (graph && el.viewBox.baseVal && el.viewBox.baseVal.width) {
      const perUnit = box.width / el.viewBox.baseVal.width;
      const sizes = [...el.querySelectorAll('text')].map(t => parseFloat(t.getAttribute('font-size') || '14'));
      if (sizes.length) minFontPx = Math.min(...sizes) * perUnit;
    }
    items.push({output: k, kind: graph ? 'graph' : el.tagName.toLowerCase(), width: box.width,
                area: area, minFontPx: minFontPx,
                title: graph ? (el.querySelector('title') || {}).textContent || '' : ''});
  }
  return items;
})
"""

# Arms a measurement of one keypress: from the keydown (capture phase) to the first frame painted after
# the last change the kernel makes to the widget's output (the pressed slider's own readout excluded).
# It settles once nothing changed for 300 ms; `window.__repaint` resolves to milliseconds, or null if
# nothing changed.
ARM_REPAINT_JS = """
([out, index]) => {
  const slider = out.querySelectorAll('.widget-slider')[index];
  window.__repaint = new Promise(resolve => {
    let tKey = null, tPaint = null, quiet = null;
    const onKey = () => { if (tKey === null) tKey = performance.now(); };
    const channel = new MessageChannel();
    channel.port1.onmessage = () => { tPaint = performance.now(); };
    const finish = () => {
      obs.disconnect();
      document.removeEventListener('keydown', onKey, true);
      resolve(tPaint === null || tKey === null ? null : tPaint - tKey);
    };
    const obs = new MutationObserver(mutations => {
      if (tKey === null || mutations.every(m => slider.contains(m.target))) return;
      requestAnimationFrame(() => channel.port2.postMessage(0));  // runs after that frame is painted
      clearTimeout(quiet);
      quiet = setTimeout(finish, 300);
    });
    document.addEventListener('keydown', onKey, true);
    obs.observe(out, {subtree: true, childList: true, characterData: true, attributes: true});
    setTimeout(() => { if (tPaint === null) finish(); }, 5000);
  });
}
"""


# Arms a measurement of one menu choice: from the change event to the first frame painted after the last
# change the kernel makes to the widget's output (the menu itself excluded), as ARM_REPAINT_JS does for keys.
MENU_REPAINT_JS = """
([out, index, value]) => new Promise(resolve => {
  const menu = out.querySelectorAll('select')[index];
  let tPaint = null, quiet = null;
  const channel = new MessageChannel();
  channel.port1.onmessage = () => { tPaint = performance.now(); };
  const finish = () => { obs.disconnect(); resolve(tPaint === null ? null : tPaint - tChange); };
  const obs = new MutationObserver(mutations => {
    if (mutations.every(m => menu.contains(m.target))) return;
    requestAnimationFrame(() => channel.port2.postMessage(0));
    clearTimeout(quiet);
    quiet = setTimeout(finish, 300);
  });
  obs.observe(out, {subtree: true, childList: true, characterData: true, attributes: true});
  const tChange = performance.now();
  menu.value = value;
  menu.dispatchEvent(new Event('change', {bubbles: true}));
  setTimeout(() => { if (tPaint === null) finish(); }, 5000);
})
"""


def menu_repaint_times(output):
    """Milliseconds from choosing each other option of each menu (<select>) in `output` to the widget's repaint;
    every menu ends where it started."""
    times = []
    menus = output.locator("select")
    for index in range(menus.count()):
        menu = menus.nth(index)
        start = menu.input_value()
        others = [v for v in menu.evaluate("m => [...m.options].map(o => o.value)") if v != start]
        for value in [*others, start]:
            ms = output.evaluate("(out, a) => (" + MENU_REPAINT_JS + ")([out, a[0], a[1]])", [index, value])
            if ms is not None:
                times.append(ms)
    return times


def repaint_times(output, presses=18):
    """Milliseconds from each arrow-key press on the sliders of `output` to the widget's repaint: at
    least `presses` in all and 6 per slider, so a widget with one slider has a median of more than
    its first few (slower) presses."""
    times = []
    handles = output.locator(".widget-slider .noUi-handle")
    per_slider = max(6, -(-presses // handles.count()))
    for index in range(handles.count()):
        handle = handles.nth(index)
        handle.scroll_into_view_if_needed()
        handle.focus()
        for press in range(per_slider):
            output.evaluate("(out, index) => (" + ARM_REPAINT_JS + ")([out, index])", index)
            handle.press("ArrowRight" if press % 2 == 0 else "ArrowLeft")
            ms = output.page.evaluate("window.__repaint")
            if ms is not None:
                times.append(ms)
    return times
