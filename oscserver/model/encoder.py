"""Encoder: audio -> w, inverting the generator (one w for every layer)."""

from __future__ import annotations

import keras

from oscserver.model.config import ModelConfig
from oscserver.model.discriminator import build_features, conv_stack


def build_encoder(config: ModelConfig) -> keras.Model:
    """Builds the encoder.

    Input: audio [batch, frames] at the model's rate, aligned to its onset.
    Output: w [batch, w_dim].
    """
    audio = keras.Input(shape=(config.frames,), name="audio")
    mel = build_features(config)(audio)
    h = conv_stack(mel, config.enc_channels, "conv")
    h = keras.layers.LeakyReLU(0.2)(keras.layers.Dense(512, name="fc")(h))
    w = keras.layers.Dense(config.w_dim, name="to_w")(h)
    return keras.Model(audio, w, name="encoder")
