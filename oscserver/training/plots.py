"""Figures of an evaluation: training curves and a confusion matrix (PNG, no display needed)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np

#: Keys of a losses.jsonl row that are bookkeeping, not curves.
NOT_CURVES = ("step", "seconds")


def _pyplot():  # noqa: ANN202 - the matplotlib.pyplot module, on the file-only backend
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def moving_average(values: np.ndarray, width: int) -> np.ndarray:
    """Trailing mean over up to `width` values: same length as `values` [n]."""
    values = np.asarray(values, np.float64)
    if width <= 1 or values.size == 0:
        return values
    csum = np.concatenate([[0.0], np.cumsum(values)])
    idx = np.arange(1, values.size + 1)
    lo = np.maximum(0, idx - width)
    return (csum[idx] - csum[lo]) / (idx - lo)


def loss_curves(rows: Sequence[Mapping[str, float]], path: Path) -> Path:
    """One panel per logged quantity (d, g, r1, ...) against step, raw and smoothed.

    Args:
        rows: losses.jsonl rows, each with "step" and any number of numeric values.
    """
    if not rows:
        raise ValueError("no loss rows to plot")
    keys = [k for k in rows[0] if k not in NOT_CURVES]
    steps = np.array([r["step"] for r in rows], np.float64)
    width = max(1, len(rows) // 50)
    plt = _pyplot()
    cols = min(3, len(keys))
    nrows = -(-len(keys) // cols)
    fig, axes = plt.subplots(nrows, cols, figsize=(cols * 4, nrows * 2.6), squeeze=False)
    for ax in axes.flat:
        ax.axis("off")
    for ax, key in zip(axes.flat, keys, strict=False):
        ax.axis("on")
        values = np.array([r.get(key, np.nan) for r in rows], np.float64)
        ax.plot(steps, values, lw=0.5, alpha=0.35, color="C0")
        ax.plot(steps, moving_average(values, width), lw=1.2, color="C0")
        ax.set_title(key, fontsize=9)
        ax.set_xlabel("step", fontsize=8)
        ax.tick_params(labelsize=7)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=90)
    plt.close(fig)
    return path


def confusion_matrix_plot(
    matrix: np.ndarray, classes: Sequence[str], path: Path, title: str = ""
) -> Path:
    """Draws a row-normalised confusion matrix [true, predicted] with counts in the cells."""
    matrix = np.asarray(matrix)
    k = len(classes)
    if matrix.shape != (k, k):
        raise ValueError(f"matrix must be [{k}, {k}] for {k} classes, got {matrix.shape}")
    rates = matrix / np.maximum(1, matrix.sum(axis=1, keepdims=True))
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(1.0 + 0.7 * k, 0.8 + 0.7 * k))
    ax.imshow(rates, vmin=0, vmax=1, cmap="Blues")
    for i in range(k):
        for j in range(k):
            ax.text(
                j,
                i,
                str(int(matrix[i, j])),
                ha="center",
                va="center",
                fontsize=8,
                color="white" if rates[i, j] > 0.5 else "black",
            )
    ax.set_xticks(range(k), classes, fontsize=8, rotation=45)
    ax.set_yticks(range(k), classes, fontsize=8)
    ax.set_xlabel("predicted", fontsize=8)
    ax.set_ylabel("asked for", fontsize=8)
    if title:
        ax.set_title(title, fontsize=9)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=90)
    plt.close(fig)
    return path
