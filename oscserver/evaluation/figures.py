"""Figures of an evaluation: generated beside real spectrograms per class, and PCA sweeps."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from oscserver.audio.dsp import log_mel
from oscserver.engine import DrumEngine
from oscserver.training.plots import _pyplot
from oscserver.training.samples import spectrogram_grid

#: Columns of each of the two grids in a generated-beside-real figure.
GRID_COLS = 4


def _draw_grid(fig, sounds: np.ndarray, labels: Sequence[str], rows: int, sample_rate: int,  # noqa: ANN001
               title: str) -> None:  # fmt: skip
    """Log-mel spectrograms of sounds [n, samples] in `rows` x GRID_COLS panels of fig."""
    axes = fig.subplots(rows, GRID_COLS, squeeze=False)
    for i, ax in enumerate(axes.flat):
        ax.axis("off")
        if i < len(sounds):
            mel = log_mel(sounds[i], sample_rate, n_fft=1024, hop=256, n_mels=64)
            ax.imshow(mel.T, origin="lower", aspect="auto", vmin=-8, vmax=4, cmap="magma")
            ax.set_title(labels[i], fontsize=7)
    fig.suptitle(title, fontsize=9)


def generated_beside_real(
    generated: np.ndarray, real: np.ndarray, cls: str, sample_rate: int, path: Path
) -> Path:
    """Log-mel spectrograms of generated sounds [n, samples] (left) and real held-out test
    sounds of the same class [m, samples] (right), one PNG."""
    plt = _pyplot()
    rows = max(1, -(-max(len(generated), len(real)) // GRID_COLS))
    fig = plt.figure(figsize=(2 * GRID_COLS * 1.6 + 0.4, rows * 1.5 + 0.4), layout="constrained")
    left, right = fig.subfigures(1, 2, wspace=0.04)
    _draw_grid(left, generated, [f"seed {i}" for i in range(len(generated))], rows, sample_rate,
               f"{cls}: generated")  # fmt: skip
    _draw_grid(right, real, [f"test {i}" for i in range(len(real))], rows, sample_rate,
               f"{cls}: real held-out test sounds")  # fmt: skip
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=80)
    plt.close(fig)
    return path


def pca_sweeps(
    engine: DrumEngine, cls: str, axes: int, span: float, steps: int, path: Path
) -> Path:
    """Sounds along the first `axes` PCA axes of a class, -span..+span standard deviations."""
    values = np.linspace(-span, span, steps)
    sounds, labels = [], []
    for a in range(axes):
        for v in values:
            coords = np.zeros(a + 1)
            coords[a] = v
            sounds.append(engine.from_coordinates(cls, coords.tolist()).audio)
            labels.append(f"{cls} pc{a + 1} {v:+.1f}")
    return spectrogram_grid(np.stack(sounds), labels, engine.sample_rate, path, cols=steps)
