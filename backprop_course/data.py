"""Tiny 2-D classification datasets, made with numpy and a seed (nothing is downloaded).

Each returns (X, y): X is a float64 array of shape (n, 2), y an int64 array of
shape (n,) with class labels 0, 1, ...; points are shuffled.
"""

import numpy as np

from .checks import is_int, nonnegative, positive_int


def _split(n, k):
    """n points shared among k classes as evenly as possible."""
    return [n // k + (i < n % k) for i in range(k)]


def _shuffled(rng, parts, noise):
    X = np.concatenate([p for p, _ in parts])
    y = np.concatenate([np.full(len(p), label, dtype=np.int64) for p, label in parts])
    X = X + noise * rng.standard_normal(X.shape)
    order = rng.permutation(len(y))
    return X[order], y[order]


def make_moons(n=100, noise=0.1, seed=0, *, n_samples=None, random_state=None):
    """Two interleaving half circles: class 0 on top, class 1 shifted right and down.

    `n_samples=` and `random_state=` are scikit-learn's spellings of `n` and `seed`.
    """
    n = n if n_samples is None else n_samples
    seed = seed if random_state is None else random_state
    n, noise = positive_int(n, "n"), nonnegative(0.0 if noise is None else noise, "noise")
    rng = np.random.default_rng(seed)
    top, bottom = _split(n, 2)
    t0, t1 = np.linspace(0, np.pi, top), np.linspace(0, np.pi, bottom)
    upper = np.column_stack([np.cos(t0), np.sin(t0)])
    lower = np.column_stack([1 - np.cos(t1), 0.5 - np.sin(t1)])
    return _shuffled(rng, [(upper, 0), (lower, 1)], noise)


def make_spirals(n=100, classes=3, noise=0.2, seed=0):
    """`classes` spiral arms winding out from the origin, one per class (CS231n's toy data).

    `noise` jitters the angle, in radians.
    """
    n, classes, noise = positive_int(n, "n"), positive_int(classes, "classes"), nonnegative(noise, "noise")
    rng = np.random.default_rng(seed)
    parts = []
    for k, m in enumerate(_split(n, classes)):
        radius = np.linspace(0.0, 1.0, m)
        angle = np.linspace(k, k + 1, m) * 2 * np.pi * 2 / classes + noise * rng.standard_normal(m)
        parts.append((radius[:, None] * np.column_stack([np.sin(angle), np.cos(angle)]), k))
    return _shuffled(rng, parts, 0.0)


def make_blobs(n=100, centers=3, std=1.0, seed=0):
    """Gaussian clusters. `centers` is a count (placed at random in [-5, 5]^2) or a (k, 2) array."""
    n, std = positive_int(n, "n"), nonnegative(std, "std")
    rng = np.random.default_rng(seed)
    if is_int(centers):
        centers = rng.uniform(-5, 5, size=(positive_int(centers, "centers"), 2))
    centers = np.asarray(centers, dtype=np.float64)
    if centers.ndim != 2 or centers.shape[1] != 2 or len(centers) == 0:
        raise ValueError(f"centers must be a positive count or an array of shape (k, 2), got shape {centers.shape}")
    parts = [(np.repeat(c[None], m, axis=0), k) for k, (c, m) in enumerate(zip(centers, _split(n, len(centers))))]
    return _shuffled(rng, parts, std)


# Short English words for character-level models (notebook 11): a few hundred characters, no download.
WORDS = (
    "ant bat bear bee bird boar bug calf camel cat clam cod colt cow crab crow cub deer dog dove duck eagle eel "
    "elk emu ewe fawn finch fish flea fly foal fox frog gnat goat goose gull hare hawk hen heron horse hound ibis "
    "jay kid kite koala lamb lark lion llama lynx mole moose moth mouse mule newt otter owl ox panda pig pony "
    "pup quail rabbit ram rat raven robin seal shark sheep shrew slug snail snake sow squid stag swan tiger toad "
    "trout tuna turkey viper vole wasp whale wolf worm wren yak zebra"
).split()


def make_bigrams(words=WORDS):
    """Character bigrams of `words`, with "." marking each word's start and end: (X, y, chars).

    `chars` is "." followed by the letters in use, sorted; X[i] is the index of a character in `chars` and y[i]
    the index of the one after it ("cat" gives .c, ca, at, t.).
    """
    words = [str(w) for w in words]
    if not words or not all(words):
        raise ValueError("words must be a non-empty list of non-empty strings")
    chars = "." + "".join(sorted(set("".join(words)) - {"."}))
    index = {c: i for i, c in enumerate(chars)}
    pairs = [(index[a], index[b]) for w in words for a, b in zip("." + w, w + ".")]
    X, y = (np.array(column, dtype=np.int64) for column in zip(*pairs))
    return X, y, chars
