"""Turning a function's parameters and the caller's ranges into sliders, and calling it on Values."""

from __future__ import annotations

import inspect
import math
import numbers

import ipywidgets as widgets

from ..value import Value
from ..viz import fmt

DEFAULT_RANGE = (-5.0, 5.0)


def parameter_names(fn, who):
    """Positional parameter names of `fn`, or a clear TypeError."""
    if not callable(fn):
        raise TypeError(f"{who} needs a function of the inputs (like lambda x, y: x * y), got {type(fn).__name__}")
    try:
        params = inspect.signature(fn).parameters.values()
    except (TypeError, ValueError):
        raise TypeError(f"{who} cannot read the parameters of {fn!r}; pass a plain function or lambda") from None
    names, defaults = [], {}
    for p in params:
        if p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
            raise TypeError(f"{who} needs named parameters (one slider each), but {fn!r} takes *args/**kwargs")
        if p.kind == p.KEYWORD_ONLY and p.default is p.empty:
            raise TypeError(f"{who}: keyword-only parameter {p.name!r} needs a default")
        names.append(p.name)
        if isinstance(p.default, numbers.Real):
            defaults[p.name] = float(p.default)
    if not names:
        raise TypeError(f"{who} needs a function with at least one input")
    return names, defaults


def parse_range(name, spec, fallback_value=None):
    """(lo, hi) or (lo, hi, value) or a bare value -> (lo, hi, value)."""
    if isinstance(spec, numbers.Real) and not isinstance(spec, bool):
        value = float(spec)
        return min(DEFAULT_RANGE[0], value), max(DEFAULT_RANGE[1], value), value
    try:
        numbers_ = [float(v) for v in spec]
    except (TypeError, ValueError):
        raise TypeError(f"range for {name!r} must be (min, max) or (min, max, value), got {spec!r}") from None
    if len(numbers_) not in (2, 3):
        raise TypeError(f"range for {name!r} must be (min, max) or (min, max, value), got {spec!r}")
    lo, hi = numbers_[:2]
    if not lo < hi:
        raise ValueError(f"range for {name!r} needs min < max, got {spec!r}")
    if len(numbers_) == 3:
        value = numbers_[2]
    elif fallback_value is not None:
        value = fallback_value
    else:
        value = (lo + hi) / 2
    if not lo <= value <= hi:
        raise ValueError(f"start value {value} for {name!r} is outside its range [{lo}, {hi}]")
    return lo, hi, value


def round_step(lo, hi, presses=20):
    """A 1-2-5 step that crosses [lo, hi] in about `presses` key presses: 0.5 for -5…5."""
    raw = (hi - lo) / presses
    power = 10.0 ** math.floor(math.log10(raw))
    return next(m * power for m in (1, 2, 5, 10) if m * power >= raw * 0.999)


def sliders_for(fn, ranges, who, step):
    """One FloatSlider per parameter of `fn`, named after it; `step` is a number or "auto" (`round_step`)."""
    if step != "auto" and (not isinstance(step, numbers.Real) or isinstance(step, bool) or not step > 0):
        raise ValueError(f"step must be a positive number or 'auto', got {step!r}")
    names, defaults = parameter_names(fn, who)
    unknown = sorted(set(ranges) - set(names))
    if unknown:
        raise TypeError(f"{who} got ranges for {', '.join(unknown)}, but the function's inputs are {', '.join(names)}")
    sliders, label_em = {}, max(2.5, 0.3 + 0.65 * max(len(n) for n in names))  # names in full, sliders aligned
    for name in names:
        lo, hi, value = parse_range(name, ranges.get(name, DEFAULT_RANGE), defaults.get(name))
        sliders[name] = widgets.FloatSlider(value=value, min=lo, max=hi, description=name,
                                            step=round_step(lo, hi) if step == "auto" else step,
                                            readout_format=".2f", style={"description_width": f"{label_em:g}em"})
    return sliders


def call_on_values(fn, at):
    """`fn` called on one Value per input (`at`: name -> number): its output Value and the inputs.

    Raises a ValueError naming the point when `fn` cannot be evaluated there, and a TypeError when it
    returns something other than a Value (for example after using math.exp).
    """
    inputs = {n: Value(v, n) for n, v in at.items()}
    try:
        out = fn(**inputs)
    except (ValueError, ArithmeticError) as err:
        args = ", ".join(f"{n}={fmt(v)}" for n, v in at.items())
        raise ValueError(f"cannot evaluate the function at {args}: {err}") from None
    if not isinstance(out, Value):
        raise TypeError(f"the function returned {type(out).__name__} {out!r:.40}; it should return a Value "
                        "computed from its inputs (use Value methods like .exp(), not math.exp)")
    return out, inputs
