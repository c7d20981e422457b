"""Discriminator: log-mel spectrogram and class -> realness, with projection conditioning."""

from __future__ import annotations

import keras

from oscserver.model.config import ModelConfig
from oscserver.model.layers import LogMel, MinibatchStd


def build_features(config: ModelConfig, name: str = "log_mel") -> LogMel:
    """The log-mel front end shared by the discriminator and the encoder."""
    return LogMel(config.sample_rate, config.mel_fft, config.mel_hop, config.mel_bands, name=name)


def mel_frames(config: ModelConfig) -> int:
    """Frames of the log-mel features of one sound."""
    return -(-config.frames // config.mel_hop)


def conv_stack(x: keras.KerasTensor, channels: tuple[int, ...], prefix: str) -> keras.KerasTensor:
    """Strided 2-D convolutions over [time, mel] with leaky ReLUs, then flattened."""
    x = keras.layers.Reshape((*x.shape[1:], 1))(x)
    for i, ch in enumerate(channels):
        x = keras.layers.Conv2D(ch, 3, strides=2, padding="same", name=f"{prefix}{i}")(x)
        x = keras.layers.LeakyReLU(0.2)(x)
    return keras.layers.Flatten()(x)


def build_discriminator(config: ModelConfig) -> keras.Model:
    """Builds the discriminator.

    Inputs: mel [batch, mel_frames, mel_bands] (log-mel of audio), class id [batch] int32.
    Output: logits [batch]: higher means more real for that class.
    """
    mel = keras.Input(shape=(mel_frames(config), config.mel_bands), name="mel")
    label = keras.Input(shape=(), dtype="int32", name="class_id")
    h = MinibatchStd(name="batch_std")(conv_stack(mel, config.disc_channels, "conv"))
    h = keras.layers.LeakyReLU(0.2)(keras.layers.Dense(128, name="fc")(h))
    out = keras.layers.Dense(1, name="out")(h)
    embed = keras.layers.Embedding(len(config.classes), 128, name="class_proj")(label)
    proj = keras.layers.Dot(axes=1)([h, embed])
    logits = keras.layers.Reshape(())(keras.layers.Add()([out, proj]))
    return keras.Model([mel, label], logits, name="discriminator")
