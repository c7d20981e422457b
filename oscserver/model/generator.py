"""Generator: composes a mapping and a synthesis network, and draws their noise explicitly."""

from __future__ import annotations

from dataclasses import dataclass

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

    def noise(self, rng: np.random.Generator, batch: int) -> tuple[np.ndarray, np.ndarray]:
        """Draws the synthesis network's per-layer and synthesiser noise.

        Returns:
            layer_noise [batch, control_frames, num_noise] and
            synth_noise [batch, control_frames + 1, noise_bins, 2], float32.
        """
        c = self.config
        layer = rng.standard_normal((batch, c.control_frames, c.num_noise), dtype=np.float32)
        synth = rng.standard_normal(
            (batch, c.control_frames + 1, c.noise_bins, 2), dtype=np.float32
        )
        return layer, synth


def seed_to_z(seed: int, z_dim: int) -> np.ndarray:
    """The latent of a seed, the same way everywhere: shape [z_dim], float32."""
    return np.random.default_rng(seed).standard_normal(z_dim).astype(np.float32)
