"""Training the encoder on generated (w, audio) pairs: a latent loss plus a spectral loss.

Pairs are drawn fresh every step from the moving-average generator (random classes, seeds,
truncation and noise); the spectral loss compares the resynthesis of the predicted w (with the
same noise) against the target, so the encoder learns what is audible, not only where w is.
"""

from __future__ import annotations

from dataclasses import dataclass

import keras
import numpy as np
import tensorflow as tf

from oscserver.model.generator import Generator
from oscserver.model.spectral import multires_stft_loss


@dataclass(frozen=True)
class EncoderTrainConfig:
    """Hyper-parameters of encoder training."""

    steps: int = 3000  # optimiser steps
    batch: int = 16  # pairs per step
    lr: float = 3e-4  # Adam learning rate
    latent_weight: float = 1.0  # weight of the (variance-normalised) latent MSE
    spectral_weight: float = 1.0  # weight of the multi-resolution spectral loss
    seed: int = 0  # seed of every random draw


def train_encoder(
    encoder: keras.Model,
    generator: Generator,
    class_means: np.ndarray,
    train: EncoderTrainConfig,
    *,
    verbose: bool = True,
) -> list[dict[str, float]]:
    """Trains `encoder` in place.

    Args:
        class_means: [classes, w_dim] mean w per class (truncation centres).

    Returns:
        Loss history, one row per step.
    """
    c = generator.config
    rng = tf.random.Generator.from_seed(train.seed)
    opt = keras.optimizers.Adam(train.lr)
    opt.build(encoder.trainable_weights)
    means = tf.constant(class_means, tf.float32)
    w_scale = tf.constant(float(np.std(class_means) + 1.0))

    @tf.function
    def step() -> dict[str, tf.Tensor]:
        b = train.batch
        labels = rng.uniform([b], 0, len(c.classes), dtype=tf.int32)
        w = generator.mapping([rng.normal([b, c.z_dim]), labels], training=False)
        psi = rng.uniform([b, 1], 0.5, 1.2)
        centre = tf.gather(means, labels)
        w = centre + psi * (w - centre)
        ws = tf.tile(w[:, None], [1, c.num_ws, 1])
        layer_noise = rng.normal([b, c.control_frames, c.num_noise])
        synth_noise = rng.normal([b, c.control_frames + 1, c.noise_bins, 2])
        audio = generator.synthesis([ws, layer_noise, synth_noise], training=False)
        peak = tf.reduce_max(tf.abs(audio), axis=1, keepdims=True) + 1e-6
        target = audio * (0.9 / peak)  # the engine normalises what it inverts the same way
        with tf.GradientTape() as tape:
            w_hat = encoder(target, training=True)
            latent = tf.reduce_mean(tf.square((w_hat - w) / w_scale), axis=1)
            resynth = generator.synthesis(
                [tf.tile(w_hat[:, None], [1, c.num_ws, 1]), layer_noise, synth_noise],
                training=False,
            )
            spectral = multires_stft_loss(resynth * (0.9 / peak), target)
            loss = tf.reduce_mean(train.latent_weight * latent + train.spectral_weight * spectral)
        grads = tape.gradient(loss, encoder.trainable_weights)
        opt.apply_gradients(zip(grads, encoder.trainable_weights, strict=False))
        return {
            "loss": loss,
            "latent": tf.reduce_mean(latent),
            "spectral": tf.reduce_mean(spectral),
        }

    bar = keras.utils.Progbar(
        train.steps,
        verbose=1 if verbose else 0,
        unit_name="step",
        stateful_metrics=["loss", "latent", "spectral"],
    )
    history = []
    for i in range(train.steps):
        out = {k: float(v) for k, v in step().items()}
        history.append({"step": i + 1, **out})
        bar.update(i + 1, list(out.items()))
    return history


def finetune_encoder_real(
    encoder: keras.Model,
    generator: Generator,
    audio: np.ndarray,
    steps: int,
    *,
    batch: int = 16,
    lr: float = 5e-5,
    seed: int = 0,
    verbose: bool = True,
) -> list[dict[str, float]]:
    """Fine-tunes the encoder on real sounds with the spectral loss of their resynthesis alone.

    Args:
        audio: [n, frames] real sounds, onset-aligned and peak-normalised (as the dataset holds).
    """
    c = generator.config
    rng = np.random.default_rng(seed)
    opt = keras.optimizers.Adam(lr)
    opt.build(encoder.trainable_weights)
    noise_rng = tf.random.Generator.from_seed(seed)

    @tf.function
    def step(target: tf.Tensor) -> tf.Tensor:
        b = tf.shape(target)[0]
        layer_noise = noise_rng.normal([b, c.control_frames, c.num_noise])
        synth_noise = noise_rng.normal([b, c.control_frames + 1, c.noise_bins, 2])
        with tf.GradientTape() as tape:
            w_hat = encoder(target, training=True)
            resynth = generator.synthesis(
                [tf.tile(w_hat[:, None], [1, c.num_ws, 1]), layer_noise, synth_noise],
                training=False,
            )
            peak = tf.reduce_max(tf.abs(resynth), axis=1, keepdims=True) + 1e-6
            loss = tf.reduce_mean(multires_stft_loss(resynth * (0.9 / peak), target))
        grads = tape.gradient(loss, encoder.trainable_weights)
        opt.apply_gradients(zip(grads, encoder.trainable_weights, strict=False))
        return loss

    bar = keras.utils.Progbar(
        steps, verbose=1 if verbose else 0, unit_name="step", stateful_metrics=["spectral"]
    )
    history = []
    for i in range(steps):
        idx = rng.integers(0, len(audio), batch)
        loss = float(step(tf.constant(audio[idx])))
        history.append({"step": i + 1, "spectral": loss})
        bar.update(i + 1, [("spectral", loss)])
    return history
