"""The gradient-health explorer and the measurement it draws (notebook 10)."""

import itertools

import numpy as np
import pytest

from backprop_course.exercises.catalog.n10a_smallest_gradient_layer import QUIZ, smallest_gradient_layer
from backprop_course.widgets import gradient_health_explorer, layer_gradient_norms
from backprop_course.widgets.gradient_health import weight_std


def _by_hand(depth, activation, init, width=64, batch=128, seed=0):
    """The same network backpropagated in NumPy, without the engine: (‖∂L/∂z_l‖, ‖∂L/∂W_l‖)."""
    f = {"sigmoid": lambda z: 1 / (1 + np.exp(-z)), "tanh": np.tanh, "relu": lambda z: np.maximum(z, 0)}[activation]
    df = {"sigmoid": lambda z: f(z) * (1 - f(z)), "tanh": lambda z: 1 - np.tanh(z) ** 2,
          "relu": lambda z: (z > 0) * 1.0}[activation]
    rng = np.random.default_rng(seed)
    X, y = rng.normal(size=(batch, width)), rng.normal(size=(batch, 1))
    std = weight_std(init, width)
    Ws = [rng.normal(size=(width, width)) * std for _ in range(depth)]
    readout = rng.normal(size=(width, 1)) * std
    hs, zs = [X], []
    for W in Ws:
        zs.append(hs[-1] @ W)
        hs.append(f(zs[-1]))
    dh = (2 * (hs[-1] @ readout - y) / batch) @ readout.T
    grad_z, grad_W = [], []
    for layer in reversed(range(depth)):
        dz = dh * df(zs[layer])
        grad_z.append(np.linalg.norm(dz))
        grad_W.append(np.linalg.norm(hs[layer].T @ dz))
        dh = dz @ Ws[layer].T
    return np.array(grad_z[::-1]), np.array(grad_W[::-1])


@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "relu"])
@pytest.mark.parametrize("init", ["naive", "fan_in", "he"])
def test_the_engine_s_layer_norms_match_numpy_by_hand(activation, init):
    got_z, got_W = layer_gradient_norms(6, activation, init, width=16, batch=20, seed=3)
    want_z, want_W = _by_hand(6, activation, init, width=16, batch=20, seed=3)
    np.testing.assert_allclose(got_z, want_z, rtol=1e-9)
    np.testing.assert_allclose(got_W, want_W, rtol=1e-9)


@pytest.mark.parametrize("depth", [6, 10, 16])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_the_quiz_answers_are_what_the_engine_measures(depth, seed):
    # every pair the task allows, not only those the check asks about: show_solution shows them all
    for activation, init in {*QUIZ, *itertools.product(("sigmoid", "tanh", "relu"), ("naive", "fan_in"))}:
        grad_z, _ = layer_gradient_norms(depth, activation, init, seed=seed)
        assert int(np.argmin(grad_z)) + 1 == smallest_gradient_layer(activation, init, depth), (activation, init)


def test_the_explorer_redraws_for_each_setting():
    e = gradient_health_explorer()
    grad_z, _ = layer_gradient_norms(10, "sigmoid", "fan_in")
    assert e.ratio == grad_z[0] / grad_z[-1] < 1e-5
    assert f"at the first {grad_z[0]:.2e}" in e.text and "smallest at layer 1" in e.text
    background = e.view.background
    e.sliders["activation"].value = "relu"
    e.sliders["init"].value = "naive"
    assert e.ratio > 1e6 and "smallest at layer 10" in e.text
    e.sliders["depth"].value = 4
    assert len(e.grad_z) == 4 and "4 layers of relu, weights N(0, 1)" in e.text
    assert e.view.background == background and "<polyline" in e.view.frame["picture"]  # only the lines move
    assert len(e.view.frame["picture"]) < 5000
    with pytest.raises(ValueError, match="init must be one of"):
        layer_gradient_norms(3, "relu", "xavier")
    with pytest.raises(ValueError, match="depth must be 2 to 20"):
        gradient_health_explorer(depth=30)


def test_a_menu_s_other_choices_are_sent_ahead_as_the_browser_will_ask_for_them():
    e = gradient_health_explorer(depth=5, activation="tanh", init="he")
    here = list(e.view.frame["values"])
    assert here == [5, 1, 2]  # depth, then each menu's index
    ahead = {tuple(f["values"]): f for f in e.view.nearby}
    assert set(ahead) <= {(4, 1, 2), (6, 1, 2), (5, 0, 2), (5, 2, 2), (5, 1, 0), (5, 1, 1)}
    assert len(ahead) >= 1
    for values, frame in ahead.items():
        e.sliders["depth"].value = values[0]
        e.sliders["activation"].index = values[1]
        e.sliders["init"].index = values[2]
        assert e.view.frame == frame, values
        e.sliders["depth"].value, e.sliders["activation"].index, e.sliders["init"].index = here
        assert e.view.frame["values"] == here


def test_a_saved_explorer_says_to_run_its_cell_again_when_its_kernel_is_gone():
    from IPython.core.interactiveshell import InteractiveShell
    from IPython.utils.capture import capture_output

    from backprop_course.widgets.base import STALE, STALE_STYLE

    InteractiveShell.instance()
    e = gradient_health_explorer(depth=3)
    with capture_output() as shown:
        from IPython.display import display

        display(e)
    widget, style = shown.outputs
    assert widget.data["text/plain"] == STALE and "run its cell again" in STALE
    assert widget.data["application/vnd.jupyter.widget-view+json"]["model_id"] == e.model_id
    assert style.data["text/html"] == STALE_STYLE and f'content:"{STALE}"' in STALE_STYLE
    assert ":not(:has(*))" in STALE_STYLE  # only the error line, which holds text and no element
