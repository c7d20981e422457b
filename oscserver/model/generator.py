"""Generator: composes a mapping and a synthesis network, and draws their noise explicitly."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import keras
import numpy as np

from oscserver.model.config import ModelConfig
from oscserver.model.mapping import build_mapping
from oscserver.model.synthesis import build_synthesis


@dataclass
class Generator:
    """The two generator networks of one model; reads no globals."""

    config: ModelConfig  # dimensions shared by both networks
    mapping: keras.Model  # (z, class) -> w
    synthesis: keras.Model  # (ws, noise) -> audio

    @classmethod
    def build(cls, config: ModelConfig) -> Generator:
        return cls(config, build_mapping(config), build_synthesis(config))

    def noise_shapes(self, batch: Any) -> tuple[list[Any], list[Any]]:
        """Shapes of the synthesis network's per-layer and synthesiser noise for `batch` sounds
        (an int or a tensor): [batch, control_frames, num_noise] and
        [batch, control_frames + 1, noise_bins, 2]. Training draws them from a
        `tf.random.Generator` with these shapes."""
        c = self.config
        return [batch, c.control_frames, c.num_noise], [
            batch,
            c.control_frames + 1,
            c.noise_bins,
            2,
        ]

    def noise(self, rng: np.random.Generator, batch: int) -> tuple[np.ndarray, np.ndarray]:
        """Draws the synthesis network's per-layer and synthesiser noise (noise_shapes), float32."""
        layer, synth = self.noise_shapes(batch)
        return (
            rng.standard_normal(tuple(layer), dtype=np.float32),
            rng.standard_normal(tuple(synth), dtype=np.float32),
        )


def seed_to_z(seed: int, z_dim: int) -> np.ndarray:
    """The latent of a seed, the same way everywhere: shape [z_dim], float32."""
    return np.random.default_rng(seed).standard_normal(z_dim).astype(np.float32)
