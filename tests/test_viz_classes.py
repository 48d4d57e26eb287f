"""Class pictures: the declared colours on points and regions, one ring per mistake, clear messages for bad shapes."""

import numpy as np
import pytest
from matplotlib.colors import to_rgb, to_rgba
from matplotlib.figure import Figure

from backprop_course.viz import CLASS_COLORS, REGION_COLORS, plot_regions, scatter_classes
from backprop_course.viz.classes import tint

# four points per class at the corners of small squares, far apart
CORNERS = np.array([[0, 0], [0, 1], [1, 0], [1, 1]]) * 0.2
PLANE = np.meshgrid(np.linspace(-1, 5, 30), np.linspace(-1, 5, 20))
GRID = np.column_stack([PLANE[0].ravel(), PLANE[1].ravel()])


def dataset(k):
    """4 points of each of k classes round the centres (0, 0), (4, 0), (0, 4)."""
    centres = np.array([[0, 0], [4, 0], [0, 4]])[:k]
    X = np.concatenate([c + CORNERS for c in centres])
    return X, np.repeat(np.arange(k), len(CORNERS)), centres


def nearest_centre_scores(points, centres):
    """Class scores that predict the nearest centre: minus the squared distance to each."""
    return -((points[:, None, :] - centres[None]) ** 2).sum(axis=-1)


def axes():
    return Figure().subplots()


def ring_centres(ax):
    rings = next(c for c in ax.collections if c.get_label() == "misclassified")
    return {tuple(p) for p in rings.get_offsets()}


@pytest.mark.parametrize("k", [2, 3])
def test_one_ring_per_mistake(k):
    X, y, centres = dataset(k)
    scores = nearest_centre_scores(X, centres)
    flipped = [1, 6] if k == 2 else [1, 6, 11]   # turn some predictions to the next class
    for i in flipped:
        scores[i] = np.roll(scores[i], 1)
    predicted = scores.argmax(axis=1)
    assert (predicted != y).sum() == len(flipped)

    ax = axes()
    count = plot_regions(ax, PLANE, X, y, nearest_centre_scores(GRID, centres), scores, "toy")
    assert count == len(flipped)
    assert ring_centres(ax) == {tuple(X[i]) for i in flipped}
    assert ax.get_title() == f"toy, {len(flipped)} misclassified"


def test_no_mistakes_no_rings():
    X, y, centres = dataset(3)
    ax = axes()
    assert plot_regions(ax, PLANE, X, y, nearest_centre_scores(GRID, centres), nearest_centre_scores(X, centres)) == 0
    assert ring_centres(ax) == set()
    assert ax.get_title() == "0 misclassified"


def test_one_score_column_is_class_1_against_0():
    X, y, _ = dataset(2)
    score = np.where(X[:, 0] > 2, 1.0, -1.0)   # class 1 right of x = 2
    score[0] = 1.0                              # a class-0 point called class 1
    plane_score = np.where(GRID[:, 0] > 2, 1.0, -1.0)
    assert plot_regions(axes(), PLANE, X, y, plane_score, score) == 1
    assert plot_regions(axes(), PLANE, X, y, plane_score[:, None], score[:, None]) == 1


def test_okabe_ito_colours():
    assert CLASS_COLORS[:3] == ("#E69F00", "#0072B2", "#009E73")   # orange, blue, bluish green
    assert len(set(CLASS_COLORS)) == len(CLASS_COLORS)


def test_points_have_their_class_colour_and_a_white_edge():
    X, y, _ = dataset(3)
    ax = axes()
    scatter_classes(ax, X, y)
    for label, points in enumerate(ax.collections):
        assert points.get_label() == f"class {label}"
        assert np.allclose(points.get_facecolors(), to_rgba(CLASS_COLORS[label]))
        assert np.allclose(points.get_edgecolors(), to_rgba("white"))
        assert {tuple(p) for p in points.get_offsets()} == {tuple(p) for p in X[y == label]}


def test_regions_are_pale_tints_of_the_class_colours():
    for color, region in zip(CLASS_COLORS, REGION_COLORS):
        assert region == pytest.approx(tint(color))
        assert np.allclose(1 - np.array(region), 0.27 * (1 - np.array(to_rgb(color))))   # same hue, paler

    X, y, centres = dataset(3)
    ax = axes()
    plot_regions(ax, PLANE, X, y, nearest_centre_scores(GRID, centres), nearest_centre_scores(X, centres))
    image = ax.collections[0].get_array().reshape(-1, 3)   # the RGB at each grid point, in xx.ravel() order
    for label, centre in enumerate(centres):
        at_centre = np.argmin(((GRID - centre) ** 2).sum(axis=1))
        assert np.allclose(image[at_centre], REGION_COLORS[label])
    # the softmax is sure at a centre and unsure halfway between two: paler there, never white
    halfway = np.argmin(((GRID - centres[:2].mean(axis=0)) ** 2).sum(axis=1))
    predicted = nearest_centre_scores(GRID[halfway:halfway + 1], centres).argmax()
    assert np.all(np.array(REGION_COLORS[predicted]) < image[halfway]) and np.all(image[halfway] < 1)


@pytest.mark.parametrize(("change", "message"), [
    (dict(X=np.zeros((8, 3))), r"X must be an \(n, 2\) array of points in the plane, got shape \(8, 3\)"),
    (dict(y=np.zeros(7, dtype=int)), r"y must hold one class label per point: X has 8 points, y has shape \(7,\)"),
    (dict(y=np.zeros(8)), r"y must hold integer class labels"),
    (dict(scores=np.zeros((7, 2))), r"scores must have one row of class scores per point: X has 8 points, "
                                    r"scores has shape \(7, 2\)"),
    (dict(plane_scores=np.zeros((20, 30, 2))), r"plane_scores must have one row of class scores per point: "
                                               r"the plane has 600 points \(xx.size\)"),
    (dict(plane_scores=np.zeros((600, 3))), r"plane_scores and scores must score the same classes: 3 columns "
                                            r"against 2"),
    (dict(y=np.array([0, 1, 2, 0, 1, 2, 0, 1])), r"y has class 2, but the scores have only 2 columns"),
    (dict(plane=(np.zeros((20, 30)), np.zeros((30, 20)))), r"plane must be \(xx, yy\) from np.meshgrid"),
])
def test_bad_shapes_are_named(change, message):
    X, y, centres = dataset(2)
    args = dict(plane=PLANE, X=X, y=y, plane_scores=nearest_centre_scores(GRID, centres),
                scores=nearest_centre_scores(X, centres)) | change
    with pytest.raises(ValueError, match=message):
        plot_regions(axes(), **args)


def test_scatter_checks_its_points():
    with pytest.raises(ValueError, match=r"y must hold one class label per point: X has 3 points"):
        scatter_classes(axes(), np.zeros((3, 2)), [0, 1])
