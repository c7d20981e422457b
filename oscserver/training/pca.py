"""Per-class PCA of W, fitted with scikit-learn on latents sampled from the mapping network."""

from __future__ import annotations

import numpy as np
from sklearn.decomposition import PCA

from oscserver.model.artifact import ClassPCA
from oscserver.model.generator import Generator


def sample_w(generator: Generator, label: int, n: int, rng: np.random.Generator) -> np.ndarray:
    """n latents of one class: [n, w_dim]."""
    z = rng.standard_normal((n, generator.config.z_dim), dtype=np.float32)
    labels = np.full(n, label, np.int32)
    return np.concatenate(
        [
            generator.mapping([z[i : i + 2048], labels[i : i + 2048]], training=False).numpy()
            for i in range(0, n, 2048)
        ]
    )


def fit_pca(
    generator: Generator, axes: int = 8, samples: int = 10_000, seed: int = 0
) -> dict[str, ClassPCA]:
    """Fits `axes` principal axes per class on `samples` sampled w each."""
    rng = np.random.default_rng(seed)
    out = {}
    for label, cls in enumerate(generator.config.classes):
        w = sample_w(generator, label, samples, rng)
        pca = PCA(n_components=axes, random_state=seed).fit(w)
        out[cls] = ClassPCA(
            mean=pca.mean_.astype(np.float32),
            components=pca.components_.astype(np.float32),
            std=np.sqrt(pca.explained_variance_).astype(np.float32),
            explained=pca.explained_variance_ratio_.astype(np.float32),
        )
    return out
