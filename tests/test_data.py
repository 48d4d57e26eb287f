"""Toy datasets: shapes, dtypes, labels, determinism and geometry."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backprop_course.data import make_blobs, make_moons, make_spirals

MAKERS = [make_moons, make_spirals, make_blobs]


@pytest.mark.parametrize("make", MAKERS)
@settings(max_examples=20, deadline=None)
@given(n=st.integers(1, 300), seed=st.integers(0, 2**32 - 1))
def test_shapes_dtypes_and_balanced_labels(make, n, seed):
    X, y = make(n, seed=seed)
    assert X.shape == (n, 2) and X.dtype == np.float64
    assert y.shape == (n,) and y.dtype == np.int64
    assert np.all(np.isfinite(X))
    k = 2 if make is make_moons else 3
    counts = np.bincount(y, minlength=k)
    assert len(counts) == k and counts.max() - counts.min() <= 1


@pytest.mark.parametrize("make", MAKERS)
def test_same_seed_same_data_other_seed_other_data(make):
    X1, y1 = make(50, seed=3)
    X2, y2 = make(50, seed=3)
    X3, _ = make(50, seed=4)
    np.testing.assert_array_equal(X1, X2)
    np.testing.assert_array_equal(y1, y2)
    assert not np.array_equal(X1, X3)


@pytest.mark.parametrize("make", MAKERS)
def test_points_are_shuffled(make):
    _, y = make(200, seed=0)
    assert np.count_nonzero(np.diff(y)) > 20  # not sorted by class


def test_noiseless_moons_lie_on_their_half_circles():
    X, y = make_moons(100, noise=0.0)
    top, bottom = X[y == 0], X[y == 1]
    np.testing.assert_allclose(np.hypot(*top.T), 1.0)
    assert np.all(top[:, 1] >= -1e-12)
    np.testing.assert_allclose(np.hypot(bottom[:, 0] - 1.0, bottom[:, 1] - 0.5), 1.0)
    assert np.all(bottom[:, 1] <= 0.5 + 1e-12)


def test_spirals_and_blobs_geometry():
    X, y = make_spirals(300, classes=4, noise=0.0)
    assert set(y) == {0, 1, 2, 3}
    assert np.hypot(*X.T).max() <= 1.0 + 1e-12
    centers = np.array([[0.0, 0.0], [10.0, 10.0]])
    X, y = make_blobs(2000, centers=centers, std=0.5, seed=1)
    for k, c in enumerate(centers):
        np.testing.assert_allclose(X[y == k].mean(axis=0), c, atol=0.1)
        np.testing.assert_allclose(X[y == k].std(axis=0), 0.5, atol=0.05)


@pytest.mark.parametrize("call, message", [
    (lambda: make_moons(0), "n must be a positive integer"),
    (lambda: make_moons(10.5), "n must be a positive integer"),
    (lambda: make_moons(10, noise=-1), "noise"),
    (lambda: make_spirals(10, classes=0), "classes"),
    (lambda: make_blobs(10, centers=np.zeros((3, 3))), r"\(3, 3\)"),
    (lambda: make_blobs(10, std=-0.1), "std"),
])
def test_bad_arguments(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_bigrams_mark_each_word_s_start_and_end():
    from backprop_course.data import WORDS, make_bigrams

    X, y, chars = make_bigrams(["cat", "at"])
    assert chars == ".act"
    pairs = ["".join(chars[i] for i in p) for p in zip(X, y)]
    assert pairs == [".c", "ca", "at", "t.", ".a", "at", "t."]
    X, y, chars = make_bigrams()
    assert len(X) == len(y) == sum(len(w) + 1 for w in WORDS) and chars[0] == "."
    assert X.dtype == y.dtype == np.int64 and np.bincount(X).max() > 1  # repeated indices: an embedding adds up
