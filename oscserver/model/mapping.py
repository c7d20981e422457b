"""Mapping network: (z, class) -> w. Class conditioning enters here and only here."""

from __future__ import annotations

import keras

from oscserver.model.config import ModelConfig
from oscserver.model.layers import PixelNorm


def build_mapping(config: ModelConfig) -> keras.Model:
    """Builds the mapping network.

    Inputs: z [batch, z_dim] float32, class id [batch] int32.
    Output: w [batch, w_dim].
    """
    z = keras.Input(shape=(config.z_dim,), name="z")
    label = keras.Input(shape=(), dtype="int32", name="class_id")
    embed = keras.layers.Embedding(len(config.classes), config.z_dim, name="class_embed")(label)
    x = keras.layers.Concatenate()([PixelNorm()(z), PixelNorm()(embed)])
    for i in range(config.mapping_layers):
        x = keras.layers.Dense(config.mapping_units, name=f"fc{i}")(x)
        x = keras.layers.LeakyReLU(0.2)(x)
    w = keras.layers.Dense(config.w_dim, name="to_w")(x)
    return keras.Model([z, label], w, name="mapping")
