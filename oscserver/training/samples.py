"""Audition material written during and after training: WAVs per class and spectrogram grids."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from oscserver.audio.dsp import log_mel
from oscserver.audio.io import write_wav_atomic


def spectrogram_grid(
    sounds: np.ndarray, labels: Sequence[str], sample_rate: int, path: Path, cols: int = 8
) -> Path:
    """Draws log-mel spectrograms of [n, samples] sounds in a grid, one row per label run.

    Args:
        sounds: Shape [n, samples].
        labels: n titles.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    n = len(sounds)
    rows = -(-n // cols)
    fig, axes = plt.subplots(rows, cols, figsize=(cols * 1.6, rows * 1.5), squeeze=False)
    mels = log_mel(np.asarray(sounds), sample_rate, n_fft=1024, hop=256, n_mels=64)
    for i, ax in enumerate(axes.flat):
        ax.axis("off")
        if i < n:
            ax.imshow(mels[i].T, origin="lower", aspect="auto", vmin=-8, vmax=4, cmap="magma")
            ax.set_title(labels[i], fontsize=7)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=80)
    plt.close(fig)
    return path


def write_examples(
    sounds: np.ndarray, names: Sequence[str], sample_rate: int, folder: Path
) -> list[Path]:
    """Writes each [samples] row of `sounds` as folder/name.wav (float32)."""
    folder.mkdir(parents=True, exist_ok=True)
    return [
        write_wav_atomic(folder / f"{n}.wav", s, sample_rate)
        for s, n in zip(sounds, names, strict=False)
    ]
