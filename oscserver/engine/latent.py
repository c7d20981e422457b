"""Latent math in W: truncation, PCA projection both ways, interpolation and paths.

Pure numpy; shapes are [w_dim] for one latent and [n, w_dim] for several.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # the artifact module imports Keras; this one stays numpy only
    from oscserver.model.artifact import ClassPCA

INTERPOLATIONS = ("lin", "slerp")


def truncate(w: np.ndarray, centre: np.ndarray, psi: float) -> np.ndarray:
    """The truncation trick: pulls w toward `centre` (psi 1: unchanged, 0: the centre)."""
    return (centre + psi * (w - centre)).astype(np.float32)


def from_coordinates(pca: ClassPCA, coords: Sequence[float], base: np.ndarray) -> np.ndarray:
    """w = base + sum_i coords[i] * std[i] * axis[i]; missing coordinates count as 0.

    Args:
        coords: At most k values, in standard deviations along the class's axes.
        base: [w_dim], the point the coordinates are relative to.
    """
    k = pca.components.shape[0]
    c = np.zeros(k, np.float32)
    if len(coords) > k:
        raise ValueError(f"got {len(coords)} coordinates, the model has {k} PCA axes")
    c[: len(coords)] = np.asarray(coords, np.float32)
    return (base + (c * pca.std) @ pca.components).astype(np.float32)


def to_coordinates(pca: ClassPCA, latent: np.ndarray, base: np.ndarray) -> np.ndarray:
    """Inverse of from_coordinates: [k] coordinates of `latent` relative to `base`.

    Exact for latents of the form from_coordinates(...); otherwise the projection onto the axes.
    """
    return (((latent - base) @ pca.components.T) / pca.std).astype(np.float32)


def mix_styles(a: np.ndarray, b: np.ndarray, num_ws: int, layer: int | None = None) -> np.ndarray:
    """Per-layer styles for style mixing: rows 0 to layer - 1 are a, the rest b.

    Args:
        a: [w_dim] (one style for every layer) or [num_ws, w_dim] (a style per layer): gives
            the coarse (early) layers' styles.
        b: The same, for the fine (late) layers.
        num_ws: Number of styled layers.
        layer: The first layer styled by b, 0 to num_ws; None is num_ws // 2.

    Returns:
        [num_ws, w_dim].
    """
    a, b = np.asarray(a, np.float32), np.asarray(b, np.float32)
    w_dim = a.shape[-1]
    for x in (a, b):
        if x.shape not in ((w_dim,), (num_ws, w_dim)):
            raise ValueError(
                f"a and b must be [w_dim] or [{num_ws}, w_dim] alike, got {a.shape} and {b.shape}"
            )
    split = num_ws // 2 if layer is None else layer
    if not 0 <= split <= num_ws:
        raise ValueError(f"layer must be between 0 and {num_ws}, got {split}")
    a, b = np.broadcast_to(a, (num_ws, w_dim)), np.broadcast_to(b, (num_ws, w_dim))
    return np.concatenate([a[:split], b[split:]])


def lerp(a: np.ndarray, b: np.ndarray, t: np.ndarray | float) -> np.ndarray:
    """Straight line from a (t=0) to b (t=1); t may be [n] for n points."""
    t = np.asarray(t, np.float32)[..., None]
    return ((1.0 - t) * a + t * b).astype(np.float32)


def slerp(a: np.ndarray, b: np.ndarray, t: np.ndarray | float) -> np.ndarray:
    """Spherical interpolation: the angle between a and b moves linearly, the norm linearly.

    Falls back to lerp when a and b are (anti)parallel or zero.
    """
    t = np.asarray(t, np.float32)[..., None]
    na, nb = np.linalg.norm(a), np.linalg.norm(b)
    if na < 1e-8 or nb < 1e-8:
        return lerp(a, b, t[..., 0])
    ua, ub = a / na, b / nb
    omega = float(np.arccos(np.clip(np.dot(ua, ub), -1.0, 1.0)))
    if omega < 1e-4 or np.pi - omega < 1e-4:
        return lerp(a, b, t[..., 0])
    s = np.sin(omega)
    direction = (np.sin((1.0 - t) * omega) * ua + np.sin(t * omega) * ub) / s
    return (direction * ((1.0 - t) * na + t * nb)).astype(np.float32)


def interpolate(a: np.ndarray, b: np.ndarray, t: np.ndarray | float, mode: str) -> np.ndarray:
    """lerp or slerp by name."""
    if mode == "lin":
        return lerp(a, b, t)
    if mode == "slerp":
        return slerp(a, b, t)
    raise ValueError(f"unknown interpolation {mode!r}; choose one of {', '.join(INTERPOLATIONS)}")


def blend_residuals(a: np.ndarray | None, b: np.ndarray | None, t: float) -> np.ndarray | None:
    """Two sounds' residuals (None: a sound of w alone, a zero residual) blended linearly at
    t; None when neither has one."""
    if a is None and b is None:
        return None
    a = np.zeros_like(b) if a is None else np.asarray(a, np.float32)
    b = np.zeros_like(a) if b is None else np.asarray(b, np.float32)
    return lerp(a, b, t)


def path(anchors: Sequence[np.ndarray], steps: int, mode: str = "lin") -> np.ndarray:
    """`steps` latents through the anchors in order, evenly spaced in the anchor index.

    The first equals anchors[0] and the last anchors[-1].

    Returns:
        [steps, w_dim].
    """
    if len(anchors) < 2:
        raise ValueError("a path needs at least two anchors")
    if steps < 2:
        raise ValueError(f"a path needs at least 2 steps, got {steps}")
    pos = np.linspace(0.0, len(anchors) - 1, steps)
    seg = np.minimum(pos.astype(int), len(anchors) - 2)
    out = np.empty((steps, anchors[0].shape[-1]), np.float32)
    for i, (s, p) in enumerate(zip(seg, pos, strict=False)):
        out[i] = interpolate(anchors[s], anchors[s + 1], p - s, mode)
    return out
