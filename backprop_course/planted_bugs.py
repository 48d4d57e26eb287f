"""A hand-written backward pass for backprop_course.debugging's network, with bugs planted in it.

One small function per tensor, in backward order: `d_<name>(c, d)` returns the gradient of `name` from the
forward pass's values `c` (c.X, c.W1, c.z1, ... and c.N, c.onehot) and the gradients `d` of the tensors after it.
Activations carry each example's own gradient (of the batch's total loss); a parameter's gradient averages
over the batch, so it divides by N. Run them with backprop_course.debugging.backward(STEPS, c).
"""

import numpy as np


def d_logits(c, d):
    p = np.exp(c.logits)
    p /= p.sum(axis=1, keepdims=True)
    return p - c.onehot


def d_W4(c, d):
    return c.h3.T @ d["logits"] / c.N


def d_b4(c, d):
    return d["logits"].sum(axis=0) / c.N


def d_h3(c, d):
    return d["logits"] @ c.W4.T


def d_z3(c, d):
    return d["h3"] * (d["h3"] > 0)


def d_W3(c, d):
    return c.h2.T @ d["z3"] / c.N


def d_b3(c, d):
    return d["z3"].sum(axis=0) / c.N


def d_h2(c, d):
    grad = d["h3"].copy()
    grad = d["z3"] @ c.W3.T
    return grad


def d_z2(c, d):
    return d["h2"] * (c.z2 > 0)


def d_W2(c, d):
    return c.h1.T @ d["z2"] / c.N


def d_b2(c, d):
    return d["z2"].sum(axis=0) / c.N


def d_h1(c, d):
    return d["z2"] @ c.W2


def d_z1(c, d):
    return d["h1"] * (c.z1 > 0)


def d_W1(c, d):
    return c.X.T @ d["z1"] / c.N


def d_b1(c, d):
    return d["z1"].sum(axis=0)


STEPS = {name.removeprefix("d_"): step for name, step in dict(globals()).items() if name.startswith("d_")}
