"""Classification pictures that every reader can tell apart: points, class regions, and the mistakes ringed.

- `CLASS_COLORS`: one Okabe–Ito colour per class, and `REGION_COLORS`, pale tints of the same hues.
- `scatter_classes(ax, X, y)` draws the points in their class colours.
- `plot_regions(ax, plane, X, y, plane_scores, scores)` colours the plane by the predicted class, draws the
  boundary, the points, and a ring round each misclassified one, and returns how many it ringed.

The helpers draw on the Axes they are given (pyplot's current figure is never touched).
"""

from __future__ import annotations

import numpy as np

# Okabe–Ito: hues that stay apart for every common colour-vision deficiency. Orange and blue differ in
# lightness too, so two classes survive greyscale. Yellow is left out: it vanishes on white.
CLASS_COLORS = ("#E69F00", "#0072B2", "#009E73", "#D55E00", "#CC79A7", "#56B4E9")
INK = "black"  # the boundary and the rings round mistakes: they read on every tint and on every point
POINT_EDGE = "white"  # keeps touching points apart, and each point apart from a ring drawn round it
TINT = 0.27  # the share of a class colour its region gets: pale, so that every point stands out on it
UNSURE = 0.35  # the share of that tint a region keeps where the model is least sure, so its hue stays legible


def tint(color, amount=TINT):
    """The "#rrggbb" colour mixed with white, as an RGB tuple: the same hue at `amount` of its strength."""
    # parsed by hand, so that importing backprop_course.viz (graph pictures, the CLI) does not load matplotlib
    rgb = np.frombuffer(bytes.fromhex(color.removeprefix("#")), np.uint8) / 255
    return tuple((1 - amount * (1 - rgb)).tolist())


REGION_COLORS = tuple(tint(c) for c in CLASS_COLORS)


def scatter_classes(ax, X, y):
    """The points X, shape (n, 2), in the colours of their classes y (labels 0, 1, ...), labelled "class c"."""
    X, y = _points(X, y)
    for label in np.unique(y):
        ax.scatter(*X[y == label].T, s=26, color=CLASS_COLORS[label], edgecolors=POINT_EDGE, linewidths=0.6,
                   label=f"class {label}", zorder=2)


def plot_regions(ax, plane, X, y, plane_scores, scores, title=None):
    """The plane coloured by a classifier's predicted class, its boundary, the data, and the mistakes ringed.

    `plane` is (xx, yy) from np.meshgrid, `plane_scores` the class scores (logits) at its xx.size points in
    xx.ravel() order, `scores` the scores at the n points X; each has one column per class, or for two classes
    may be one column, the score of class 1 against 0. The predicted class is the highest score. A region is
    tinted by how sure the softmax is: palest at the boundary, the class's full tint where it is certain.
    Returns the number of rings, the points whose predicted class is not y.
    """
    X, y = _points(X, y)
    xx, yy = (np.asarray(a, dtype=float) for a in plane)
    if xx.ndim != 2 or xx.shape != yy.shape:
        raise ValueError(f"plane must be (xx, yy) from np.meshgrid, two 2-D arrays of one shape; "
                         f"got shapes {xx.shape} and {yy.shape}")
    scores = _scores(scores, len(y), "scores", "X has", "points")
    plane_scores = _scores(plane_scores, xx.size, "plane_scores", "the plane has", "points (xx.size)")
    k = scores.shape[1]
    if plane_scores.shape[1] != k:
        raise ValueError(f"plane_scores and scores must score the same classes: "
                         f"{plane_scores.shape[1]} columns against {k}")
    if y.max() >= k:
        raise ValueError(f"y has class {y.max()}, but the scores have only {k} columns (classes 0 to {k - 1})")

    # the predicted class's tint, paler as the softmax gets unsure (1/k: every class equally likely)
    probs = np.exp(plane_scores - plane_scores.max(axis=1, keepdims=True))
    probs /= probs.sum(axis=1, keepdims=True)
    sure = (probs.max(axis=1) - 1 / k) / (1 - 1 / k)
    strength = UNSURE + (1 - UNSURE) * sure
    from_white = 1 - np.array(REGION_COLORS[:k])[probs.argmax(axis=1)]
    image = 1 - strength[:, None] * from_white
    ax.pcolormesh(xx, yy, image.reshape(*xx.shape, 3), shading="gouraud", zorder=0)

    # the boundary of class c is where its score meets the best other one; classes 0..k-2 cover every pair
    for c in range(k - 1):
        margin = (plane_scores[:, c] - np.delete(plane_scores, c, axis=1).max(axis=1)).reshape(xx.shape)
        if margin.min() < 0 < margin.max():   # the class wins somewhere and loses somewhere
            ax.contour(xx, yy, margin, levels=[0], colors=INK, linewidths=1, zorder=1)

    scatter_classes(ax, X, y)
    wrong = scores.argmax(axis=1) != y
    rings = ax.scatter(*X[wrong].T, s=110, facecolors="none", edgecolors=INK, linewidths=1.4,
                       label="misclassified", zorder=3)
    count = len(rings.get_offsets())
    ax.set(title=f"{title}, {count} misclassified" if title else f"{count} misclassified", xticks=[], yticks=[])
    return count


def _points(X, y):
    """X as an (n, 2) float array and y as n integer labels, each with a colour, or a ValueError saying why not."""
    X, y = np.asarray(X, dtype=float), np.asarray(y)
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError(f"X must be an (n, 2) array of points in the plane, got shape {X.shape}")
    if y.shape != (len(X),):
        raise ValueError(f"y must hold one class label per point: X has {len(X)} points, y has shape {y.shape}")
    if len(y) == 0:
        raise ValueError("X and y hold no points")
    if not np.issubdtype(y.dtype, np.integer) or y.min() < 0 or y.max() >= len(CLASS_COLORS):
        raise ValueError(f"y must hold integer class labels 0 to {len(CLASS_COLORS) - 1}, got {np.unique(y)}")
    return X, y


def _scores(scores, n, name, owner, what):
    """`scores` as an (n, k) float array, k >= 2 (one column: class 1's score against a 0 for class 0)."""
    scores = np.asarray(scores, dtype=float)
    if scores.ndim not in (1, 2) or len(scores) != n:
        raise ValueError(f"{name} must have one row of class scores per point: {owner} {n} {what}, "
                         f"{name} has shape {scores.shape}")
    if scores.ndim == 1 or scores.shape[1] == 1:
        scores = np.column_stack([np.zeros(n), scores.reshape(n)])
    if not 2 <= scores.shape[1] <= len(CLASS_COLORS):
        raise ValueError(f"{name} has {scores.shape[1]} columns: it needs one per class, for 2 to "
                         f"{len(CLASS_COLORS)} classes (the colours there are), or one for two classes")
    return scores
