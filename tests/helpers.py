"""Synthetic drums shared by tests: hits with known onsets, laid out as a break."""

from __future__ import annotations

import numpy as np

BREAK_STARTS = (0, 11025, 22050, 27562, 33075, 44100, 55125, 60637, 66150)
BREAK_KINDS = ("kick", "hat", "snare", "hat", "kick", "hat", "snare", "hat", "kick")


def drum_hit(rng: np.random.Generator, sr: int, kind: str) -> np.ndarray:
    """A 0.3 s kick (falling sine), snare or hat (decaying noise) that rings out smoothly."""
    t = np.arange(int(0.3 * sr)) / sr
    fade = np.minimum(1.0, (t[-1] - t) / 0.05)  # real hits ring out, they do not stop dead
    if kind == "kick":
        return np.sin(2 * np.pi * 60 * t * (1 + np.exp(-t * 30))) * np.exp(-t * 12) * fade
    return rng.standard_normal(t.size) * np.exp(-t * (20 if kind == "snare" else 60)) * fade


def synthetic_break(rng: np.random.Generator, sr: int = 44100) -> np.ndarray:
    """Two seconds of hits at BREAK_STARTS (samples at 44.1 kHz), random levels: [samples]."""
    x = np.zeros(sr * 2)
    for start, kind in zip(BREAK_STARTS, BREAK_KINDS, strict=True):
        s = int(start * sr / 44100)
        hit = drum_hit(rng, sr, kind) * rng.uniform(0.4, 1.0)
        x[s : s + hit.size] += hit[: x.size - s]
    return x.astype(np.float32)
