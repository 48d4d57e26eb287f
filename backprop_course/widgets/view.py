"""`FrameView`: an explorer's readout and picture, repainted in the browser as soon as a slider moves.

A round trip to the kernel takes longer than a learner notices (about 25 ms on a quiet 2-core
machine, before any drawing). So with each frame (the readout and picture for the sliders' values)
the kernel sends the frames one step away from them, and the browser shows the matching frame the
moment a slider's value changes. A value with no frame ahead (a drag, a typed number) waits for the
kernel as before. Either way what is shown is the kernel's own frame for exactly those values: the
browser computes nothing.
"""

from __future__ import annotations

import anywidget
import ipywidgets as widgets
import traitlets

_ESM = r"""
// Values match when equal, or for numbers within rounding (the slider's JavaScript may add its step
// in another order than Python does).
const same = (a, b) =>
  a === b || (typeof a === "number" && typeof b === "number" && Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a)));

const template = document.createElement("template");

// Make `to`'s children equal to `from`'s, changing only the texts and attributes that differ while
// the two trees have the same shape, and replacing a subtree where they don't.
function patch(to, from) {
  const a = to.childNodes;
  const b = from.childNodes;
  if (a.length !== b.length) {
    to.replaceChildren(...[...b].map((n) => n.cloneNode(true)));
    return;
  }
  for (let i = 0; i < b.length; i++) {
    const x = a[i];
    const y = b[i];
    if (x.nodeName !== y.nodeName) {
      x.replaceWith(y.cloneNode(true));
    } else if (x.nodeType !== Node.ELEMENT_NODE) {
      if (x.data !== y.data) x.data = y.data; // text and comments
    } else {
      for (const { name } of [...x.attributes]) if (!y.hasAttribute(name)) x.removeAttribute(name);
      for (const { name, value } of y.attributes) if (x.getAttribute(name) !== value) x.setAttribute(name, value);
      patch(x, y);
    }
  }
}

async function render({ model, el }) {
  const readout = document.createElement("div");
  const canvas = document.createElement("div");
  const back = document.createElement("div");
  const front = document.createElement("div");
  canvas.style.cssText = "display:grid;max-width:100%";
  for (const layer of [back, front]) layer.style.cssText = "grid-area:1/1;min-width:0;max-width:100%";
  canvas.append(back, front);
  el.append(readout, canvas);

  // The readout never shrinks. A shorter one (a leaf's one line after a node's four) would move
  // everything below it on the page, and the browser would lay out and repaint all of that. (Its
  // lines do not wrap, so its height does not depend on the page's width; a picture's does.)
  let tallest = 0;
  const keepHeight = new ResizeObserver(([entry]) => {
    if (entry.contentRect.height > tallest) {
      tallest = entry.contentRect.height;
      readout.style.minHeight = `${tallest}px`;
    }
  });
  keepHeight.observe(readout);

  // Only what differs from what is shown is written: a frame the browser showed ahead of the kernel
  // is not painted again when the kernel's copy arrives, and a graph whose numbers changed gets new
  // texts in place rather than a new picture to lay out.
  const shown = new Map();
  const put = (node, html) => {
    if (shown.get(node) !== html) {
      template.innerHTML = html;
      patch(node, template.content);
      shown.set(node, html);
    }
  };
  const keys = model.get("value_attrs");
  let sliders = null; // until their models are found, show the kernel's current frame
  const show = () => {
    let frame = model.get("frame");
    if (sliders !== null) {
      if (sliders.some((s) => s.comm_live === false)) return; // the kernel restarted: these frames are stale
      const now = sliders.map((s, i) => s.get(keys[i]));
      const matches = (f) => f.values?.length === now.length && f.values.every((v, i) => same(v, now[i]));
      frame = [frame, ...model.get("nearby")].find(matches);
      if (frame === undefined) return; // the kernel is still working on these values
    }
    put(back, model.get("background")); // with its frame: a new background arrives just before the frame for it
    put(readout, frame.readout ?? "");
    put(front, frame.picture ?? "");
    const opacity = frame.dim ? "0.3" : ""; // an error's frame dims the last picture
    if (canvas.style.opacity !== opacity) canvas.style.opacity = opacity;
  };
  model.on("change:frame", show);
  model.on("change:nearby", show);
  model.on("change:background", show);
  show();
  const refs = model.get("sliders");
  sliders = await Promise.all(refs.map((ref) => model.widget_manager.get_model(ref.replace(/^IPY_MODEL_/, ""))));
  sliders.forEach((s, i) => s.on(`change:${keys[i]}`, show));
  show();
  return () => {
    keepHeight.disconnect();
    sliders.forEach((s, i) => s.off(`change:${keys[i]}`, show));
  };
}

export default { render };
"""


class FrameView(anywidget.AnyWidget):
    """The readout above the picture, for the values of `sliders`.

    - `value_attrs`: the attribute of each slider's browser model that holds its value ("index" for menus);
    - `frame`: {"values": [one per slider], "readout": HTML, "picture": HTML, "dim": bool}, the current one;
    - `nearby`: frames for values one step away, shown without waiting for the kernel;
    - `background`: HTML under the picture (a `LivePlot`'s fixed figure), sent only when it changes.
    """

    _esm = _ESM
    sliders = traitlets.List(traitlets.Instance(widgets.Widget)).tag(sync=True, **widgets.widget_serialization)
    value_attrs = traitlets.List(traitlets.Unicode()).tag(sync=True)
    frame = traitlets.Dict().tag(sync=True)
    nearby = traitlets.List().tag(sync=True)
    background = traitlets.Unicode("").tag(sync=True)
