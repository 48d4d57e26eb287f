"""`gradient_health_explorer`: the gradient each layer of a deep network receives, by depth, activation and
initialization. Also `layer_gradient_norms`, the measurement it draws (notebook 10 uses it too)."""

from __future__ import annotations

import functools

import ipywidgets as widgets
import numpy as np

from ..nn import mse_loss
from ..tensor import Tensor
from ..viz.labels import DATA_COLOR, GRAD_COLOR
from .base import Explorer
from .plots import LivePlot, new_figure

ACTIVATIONS = ("sigmoid", "tanh", "relu")
INITS = {"naive": "N(0, 1)", "fan_in": "1/√fan_in", "he": "He √(2/fan_in)"}
MAX_DEPTH = 20
LOG_RANGE = (-10, 18)  # powers of ten on the picture's vertical axis: every setting's norms fit


def weight_std(init, fan_in):
    """The standard deviation of the weights: 1 (naive), 1/√fan_in, or √(2/fan_in) (He)."""
    return {"naive": 1.0, "fan_in": 1 / np.sqrt(fan_in), "he": np.sqrt(2 / fan_in)}[init]


@functools.lru_cache(maxsize=256)
def _norms(depth, activation, init, width, batch, seed):
    rng = np.random.default_rng(seed)
    X, y = rng.normal(size=(batch, width)), rng.normal(size=(batch, 1))
    std = weight_std(init, width)
    weights = [Tensor(rng.normal(size=(width, width)) * std, requires_grad=True) for _ in range(depth)]
    readout = Tensor(rng.normal(size=(width, 1)) * std, requires_grad=True)
    h, zs = Tensor(X), []
    for W in weights:
        z = h @ W
        zs.append(z)
        h = getattr(z, activation)()
    mse_loss(h @ readout, Tensor(y)).backward()
    grad_z = np.array([np.linalg.norm(z.grad.numpy()) for z in zs])
    grad_W = np.array([np.linalg.norm(W.grad.numpy()) for W in weights])
    grad_z.flags.writeable = grad_W.flags.writeable = False  # cached: shared by every caller
    return grad_z, grad_W


def layer_gradient_norms(depth=10, activation="sigmoid", init="fan_in", width=64, batch=128, seed=0):
    """(‖∂L/∂z_l‖, ‖∂L/∂W_l‖) for l = 1..depth, two arrays, measured on the Tensor engine.

    The network: `depth` layers z_l = h_{l-1}·W_l, h_l = activation(z_l) (no biases), of `width` units, with
    W_l ~ N(0, std²) for std = weight_std(init, width); then a linear readout and the mean squared error
    against random targets. The inputs and targets are N(0, 1), from `seed`.
    """
    if activation not in ACTIVATIONS:
        raise ValueError(f"activation must be one of {', '.join(ACTIVATIONS)}; got {activation!r}")
    if init not in INITS:
        raise ValueError(f"init must be one of {', '.join(INITS)}; got {init!r}")
    return _norms(int(depth), activation, init, int(width), int(batch), int(seed))


class GradientHealthExplorer(Explorer):
    """Slider `depth` and menus `activation` and `init`; the picture is ‖∂L/∂z_l‖ and ‖∂L/∂W_l‖ against the
    layer l, on a log scale. Also exposes `.grad_z` and `.grad_W` (the arrays drawn) and `.ratio`
    (‖∂L/∂z_1‖ / ‖∂L/∂z_depth‖, first layer over last)."""

    def __init__(self, depth, activation, init):
        sliders = {
            "depth": widgets.IntSlider(value=depth, min=2, max=MAX_DEPTH, step=1, description="depth"),
            "activation": widgets.Dropdown(options=ACTIVATIONS, value=activation, description="activation"),
            "init": widgets.Dropdown(options=[(label, key) for key, label in INITS.items()], value=init,
                                     description="init"),
        }
        self._fig = new_figure(6.0, 3.2)
        ax = self._fig.add_subplot()
        ax.set_xlim(0.5, MAX_DEPTH + 0.5)
        ax.set_ylim(*LOG_RANGE)
        ax.set_xticks(range(1, MAX_DEPTH + 1, 1 if MAX_DEPTH <= 10 else 2))
        ticks = range(LOG_RANGE[0], LOG_RANGE[1] + 1, 4)
        ax.set_yticks(list(ticks), [f"1e{k}" for k in ticks])
        ax.grid(axis="y", color="#dddddd", lw=0.6)
        ax.axhline(0, color="#999999", lw=0.8)
        ax.set_xlabel("layer l (1 = next to the input)")
        ax.set_ylabel("gradient norm")
        (self._z_line,) = ax.plot([], [], "o-", color=GRAD_COLOR, ms=4, label="‖∂L/∂z_l‖ (arriving at layer l)")
        (self._w_line,) = ax.plot([], [], "--", color=DATA_COLOR, lw=1.2, label="‖∂L/∂W_l‖ (its weights)")
        ax.legend(loc="upper right", fontsize=8)
        self._plot = LivePlot(self._fig, [self._w_line, self._z_line])
        super().__init__(sliders)

    def _nearby_values(self):
        """A step of the slider, and every other choice of each menu (a click away)."""
        now, out = self._control_values(), super()._nearby_values()
        for name in ("activation", "init"):
            out += [{**now, name: v} for v in _option_values(self.sliders[name]) if v != now[name]]
        return out

    def _update(self):
        depth, activation, init = self.values["depth"], self.values["activation"], self.values["init"]
        self.grad_z, self.grad_W = layer_gradient_norms(depth, activation, init)
        layers = np.arange(1, depth + 1)
        self._z_line.set_data(layers, np.log10(self.grad_z))
        self._w_line.set_data(layers, np.log10(self.grad_W))
        self.ratio = self.grad_z[0] / self.grad_z[-1]
        per_layer = self.ratio ** (1 / (depth - 1))
        smallest = int(np.argmin(self.grad_z)) + 1
        text = (f"{depth} layers of {activation}, weights {INITS[init]}\n"
                f"‖∂L/∂z‖ at the last layer {self.grad_z[-1]:.2e}, at the first {self.grad_z[0]:.2e}: "
                f"×{self.ratio:.2e} on the way back (×{per_layer:.3g} per layer)\n"
                f"smallest at layer {smallest}")
        self.show_plot(self._plot, text)


def _option_values(menu):
    return [o[1] if isinstance(o, tuple) else o for o in menu.options]


def gradient_health_explorer(depth=10, activation="sigmoid", init="fan_in"):
    """Depth, activation and initialization of a deep network, and the gradient norm every layer receives.

    The defaults are notebook 10's vanishing case: 10 sigmoid layers with 1/√fan_in weights.
    """
    if activation not in ACTIVATIONS or init not in INITS or not 2 <= depth <= MAX_DEPTH:
        raise ValueError(f"depth must be 2 to {MAX_DEPTH}, activation one of {', '.join(ACTIVATIONS)} and init "
                         f"one of {', '.join(INITS)}; got {depth!r}, {activation!r}, {init!r}")
    return GradientHealthExplorer(int(depth), activation, init)
