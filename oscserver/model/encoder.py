"""Encoder: audio -> w, inverting the generator (one w for every layer), and the drum's class."""

from __future__ import annotations

import keras

from oscserver.model.config import ModelConfig
from oscserver.model.discriminator import build_features, conv_stack


def build_encoder(config: ModelConfig) -> keras.Model:
    """Builds the encoder.

    Input: audio [batch, frames] at the model's rate, aligned to its onset.
    Outputs: w [batch, w_dim]; class logits [batch, classes] (the class head, trained on
    generated and real sounds: W's class means are too close together to name a real drum).
    """
    audio = keras.Input(shape=(config.frames,), name="audio")
    mel = build_features(config)(audio)
    h = conv_stack(mel, config.enc_channels, "conv")
    h = keras.layers.LeakyReLU(0.2)(keras.layers.Dense(512, name="fc")(h))
    w = keras.layers.Dense(config.w_dim, name="to_w")(h)
    logits = keras.layers.Dense(len(config.classes), name="to_class")(h)
    return keras.Model(audio, [w, logits], name="encoder")
