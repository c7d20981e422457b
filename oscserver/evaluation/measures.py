"""The measures of an evaluation, as pure functions of feature vectors and audio.

Frechet distance (in a PCA of log-mel statistics fitted on real training sounds), diversity,
memorisation, best-of-N spectral distance, the noise-burst baseline, and the two classifiers of
class fidelity (band features and shape features).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np
from keras import ops
from scipy import linalg
from scipy.signal import butter, sosfilt
from scipy.spatial.distance import cdist, pdist

from oscserver.model.spectral import multires_distance_from_magnitudes, multires_magnitudes
from oscserver.training.dataset import Dataset

#: Dimensions of the PCA the Frechet distance is measured in: at 40-60 test sounds per class a
#: 16-d covariance is well estimated, a 64-d one is singular.
FRECHET_DIMS = 16
#: Candidates per batch in the best-of-N comparison (bounds the STFT's memory).
DISTANCE_CHUNK = 32

#: What the two classifiers of class fidelity are (also written into the report).
BAND_CLASSIFIER = "RBF support-vector machine (C=1, balanced classes) on standardised band features"
SHAPE_CLASSIFIER = "random forest (300 trees, balanced classes, random_state 0) on shape features"


@dataclass(frozen=True)
class Projection:
    """A PCA of feature vectors: x [n, d] -> (x - mean) @ components.T [n, k]."""

    mean: np.ndarray  # [d] mean of the vectors it was fitted on
    components: np.ndarray  # [k, d] orthonormal axes, most variance first

    @classmethod
    def fit(cls, x: np.ndarray, dims: int = FRECHET_DIMS) -> Projection:
        """Fits on x [n, d]; keeps min(dims, n - 1, d) axes."""
        x = np.asarray(x, np.float64)
        if x.ndim != 2 or len(x) < 2:
            raise ValueError(f"need [n >= 2, d] vectors to fit a projection, got {x.shape}")
        mean = x.mean(axis=0)
        _, _, vt = np.linalg.svd(x - mean, full_matrices=False)
        return cls(mean, vt[: min(dims, len(x) - 1, x.shape[1])])

    def __call__(self, x: np.ndarray) -> np.ndarray:
        return (np.asarray(x, np.float64) - self.mean) @ self.components.T


@dataclass(frozen=True)
class Standardiser:
    """x -> (x - mean) / std per column, so that no column dominates a Euclidean distance."""

    mean: np.ndarray  # [d]
    std: np.ndarray  # [d], 1 where a column is constant

    @classmethod
    def fit(cls, x: np.ndarray) -> Standardiser:
        sd = x.std(axis=0)
        return cls(x.mean(axis=0), np.where(sd > 1e-8, sd, 1.0))

    def __call__(self, x: np.ndarray) -> np.ndarray:
        return (x - self.mean) / self.std


def frechet_distance(
    a: np.ndarray,
    b: np.ndarray,
    weights_a: np.ndarray | None = None,
    weights_b: np.ndarray | None = None,
) -> float:
    """Frechet distance between Gaussian fits of two sets of feature vectors a [n, d], b [m, d].

    |mu_a - mu_b|^2 + tr(S_a + S_b - 2 (S_a S_b)^(1/2)); 0 for identical sets. Covariances of
    fewer than d + 1 vectors are singular; the distance stays defined but is dominated by the
    larger set's spread when the other is tiny, so trust it only with enough vectors on both
    sides. Optional weights [n] / [m] weight the rows of each fit (e.g. to a class mix).
    """
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    if a.ndim != 2 or b.ndim != 2 or a.shape[1] != b.shape[1]:
        raise ValueError(f"need [n, d] and [m, d] features, got {a.shape} and {b.shape}")
    if len(a) < 2 or len(b) < 2:
        raise ValueError(f"need at least 2 vectors in each set, got {len(a)} and {len(b)}")
    mu_a, mu_b = np.average(a, axis=0, weights=weights_a), np.average(b, axis=0, weights=weights_b)
    s_a = np.atleast_2d(np.cov(a, rowvar=False, aweights=weights_a))
    s_b = np.atleast_2d(np.cov(b, rowvar=False, aweights=weights_b))
    root = linalg.sqrtm(s_a @ s_b)
    if not np.all(np.isfinite(root)):  # a singular product: nudge both away from it
        eps = 1e-6 * np.eye(len(s_a))
        root = linalg.sqrtm((s_a + eps) @ (s_b + eps))
    if np.iscomplexobj(root):
        scale = max(1.0, float(np.abs(np.trace(root))))
        if np.max(np.abs(root.imag)) > 1e-3 * scale:
            raise ValueError(f"square root has a large imaginary part {np.max(np.abs(root.imag))}")
        root = root.real
    d = float(np.sum((mu_a - mu_b) ** 2) + np.trace(s_a) + np.trace(s_b) - 2.0 * np.trace(root))
    return max(d, 0.0)


def mean_pairwise_distance(x: np.ndarray) -> float:
    """Mean Euclidean distance over all pairs of rows of x [n, d] (n >= 2)."""
    if len(x) < 2:
        raise ValueError(f"need at least 2 vectors, got {len(x)}")
    return float(np.mean(pdist(x)))


def nearest_distances(queries: np.ndarray, references: np.ndarray) -> np.ndarray:
    """Distance from each row of queries [n, d] to its nearest row of references [m, d]: [n]."""
    return cdist(queries, references).min(axis=1)


def group_pair_distances(x: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """Distances between all pairs of rows of x [n, d] that share a group [n]: [pairs]."""
    out = [pdist(x[groups == g]) for g in np.unique(groups) if np.sum(groups == g) >= 2]
    return np.concatenate(out) if out else np.zeros(0)


def copies_of_training(data: Dataset) -> np.ndarray:
    """[n] True for test sounds whose samples equal a training sound's.

    Drum kits share samples (one file under two kits' names), so a split by instrument can put
    the same sound on both sides; such a copy is not a held-out sound.
    """
    train = {hashlib.sha1(a.tobytes()).digest() for a in data.audio[data.split == 0]}
    return np.array(
        [s == 1 and hashlib.sha1(a.tobytes()).digest() in train
         for a, s in zip(data.audio, data.split, strict=True)],
        dtype=bool,
    )  # fmt: skip


def held_out(data: Dataset, copies: np.ndarray | None = None) -> np.ndarray:
    """[n] True for the held-out drums a model is judged on: test sounds as recorded (not
    augmented copies) that are not copies of a training sound (`copies`, computed when None)."""
    if copies is None:
        copies = copies_of_training(data)
    return (data.split == 1) & (data.augmented == 0) & ~copies


def noise_bursts(n: int, frames: int, sample_rate: int, rng: np.random.Generator) -> np.ndarray:
    """The naive baseline: white noise, lowpass or highpass filtered, with an exponential decay.

    Decay rates are uniform in 5..60 per second, cutoffs log-uniform in 100 Hz..10 kHz.

    Returns:
        Shape [n, frames], float32, peak 0.9.
    """
    t = np.arange(frames) / sample_rate
    out = np.empty((n, frames), np.float32)
    for i in range(n):
        kind = "lowpass" if rng.random() < 0.5 else "highpass"
        cutoff = float(np.exp(rng.uniform(np.log(100.0), np.log(10_000.0))))
        sos = butter(2, min(cutoff, 0.45 * sample_rate), btype=kind, fs=sample_rate, output="sos")
        x = sosfilt(sos, rng.standard_normal(frames)) * np.exp(-t * rng.uniform(5.0, 60.0))
        out[i] = 0.9 * x / max(float(np.max(np.abs(x))), 1e-12)
    return out


def best_of(candidates: np.ndarray, targets: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each target, the nearest candidate by the multi-resolution spectral distance.

    Each candidate's spectra are computed once for all targets.

    Args:
        candidates: Shape [n, samples].
        targets: Shape [k, samples].

    Returns:
        The smallest distances [k] and the indices of those candidates [k].
    """
    target_mags = [multires_magnitudes(t) for t in targets]
    best = np.full(len(targets), np.inf)
    index = np.zeros(len(targets), np.int64)
    for i in range(0, len(candidates), DISTANCE_CHUNK):
        mags = multires_magnitudes(candidates[i : i + DISTANCE_CHUNK])
        for t, tm in enumerate(target_mags):
            d = ops.convert_to_numpy(multires_distance_from_magnitudes(mags, tm))
            j = int(np.argmin(d))
            if d[j] < best[t]:
                best[t], index[t] = d[j], i + j
    return best, index


def fit_band_classifier(features: np.ndarray, labels: np.ndarray):  # noqa: ANN201 - sklearn
    """The band-features classifier, fitted on band features [n, d] and labels [n].

    On the Hydrogen set (instrument-wise 5-fold cross-validation of the training split) it beat
    logistic regression, random forests and gradient boosting: 0.88 to 0.96 per class; hat and
    cymbal are the pair it confuses. Deterministic.
    """
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    from sklearn.svm import SVC

    return make_pipeline(StandardScaler(), SVC(C=1.0, class_weight="balanced")).fit(
        features, labels
    )


def fit_shape_classifier(features: np.ndarray, labels: np.ndarray):  # noqa: ANN201 - sklearn
    """The shape-features classifier, fitted on shape features [n, d] and labels [n].

    A random forest: scale-free, so decay times in seconds and levels in dB need no scaling.
    Deterministic (fixed random_state, one job).
    """
    from sklearn.ensemble import RandomForestClassifier

    return RandomForestClassifier(
        n_estimators=300, class_weight="balanced", random_state=0, n_jobs=1
    ).fit(features, labels)


def accuracy(classifier, features: np.ndarray, label: int) -> tuple[float, np.ndarray]:  # noqa: ANN001
    """Share of rows of features [n, d] (n >= 1) the classifier labels `label`, and its
    predictions [n]."""
    pred = np.asarray(classifier.predict(features))
    return float(np.mean(pred == label)), pred
