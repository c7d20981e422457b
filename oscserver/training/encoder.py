"""Training the encoder on generated (w, audio) pairs: a latent loss plus a spectral loss.

Pairs are drawn fresh every step from the moving-average generator (random classes, seeds,
truncation and noise); the spectral loss compares the resynthesis of the predicted w (with the
same noise) against the target, so the encoder learns what is audible, not only where w is.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import keras
import numpy as np
import tensorflow as tf

from oscserver.engine.engine import OUTPUT_PEAK
from oscserver.model.generator import Generator
from oscserver.model.spectral import multires_distance


@dataclass(frozen=True)
class EncoderTrainConfig:
    """Hyper-parameters of encoder training."""

    steps: int = 3000  # optimiser steps
    batch: int = 16  # pairs per step
    lr: float = 3e-4  # Adam learning rate
    latent_weight: float = 1.0  # weight of the (variance-normalised) latent MSE
    spectral_weight: float = 1.0  # weight of the multi-resolution spectral loss
    class_weight: float = 0.3  # weight of the class head's cross-entropy
    seed: int = 0  # seed of every random draw


def train_encoder(
    encoder: keras.Model,
    generator: Generator,
    class_means: np.ndarray,
    train: EncoderTrainConfig,
    *,
    on_step: Callable[[int, int], None] | None = None,
) -> list[dict[str, float]]:
    """Trains `encoder` in place.

    Args:
        class_means: [classes, w_dim] mean w per class (truncation centres).
        on_step: Told (steps done, train.steps) before the first step and after every step.

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
        layer_shape, synth_shape = generator.noise_shapes(b)
        layer_noise, synth_noise = rng.normal(layer_shape), rng.normal(synth_shape)
        audio = generator.synthesis([ws, layer_noise, synth_noise], training=False)
        peak = tf.reduce_max(tf.abs(audio), axis=1, keepdims=True) + 1e-6
        target = audio * (OUTPUT_PEAK / peak)  # the engine normalises what it inverts the same way
        with tf.GradientTape() as tape:
            w_hat, logits = encoder(target, training=True)
            latent = tf.reduce_mean(tf.square((w_hat - w) / w_scale), axis=1)
            resynth = generator.synthesis(
                [tf.tile(w_hat[:, None], [1, c.num_ws, 1]), layer_noise, synth_noise],
                training=False,
            )
            # scaled as its target was, so that the right w gives the target itself
            spectral = multires_distance(resynth * (OUTPUT_PEAK / peak), target)
            xent = class_loss(labels, logits)
            loss = tf.reduce_mean(
                train.latent_weight * latent
                + train.spectral_weight * spectral
                + train.class_weight * xent
            )
        grads = tape.gradient(loss, encoder.trainable_weights)
        opt.apply_gradients(zip(grads, encoder.trainable_weights, strict=False))
        return {
            "loss": loss,
            "latent": tf.reduce_mean(latent),
            "spectral": tf.reduce_mean(spectral),
            "class": tf.reduce_mean(xent),
        }

    if on_step is not None:
        on_step(0, train.steps)
    history = []
    for i in range(train.steps):
        out = {k: float(v) for k, v in step().items()}
        history.append({"step": i + 1, **out})
        if on_step is not None:
            on_step(i + 1, train.steps)
    return history


def peak_normalized(audio: tf.Tensor) -> tf.Tensor:
    """Sounds [batch, frames] scaled to the engine's output peak, as it plays and inverts them."""
    peak = tf.reduce_max(tf.abs(audio), axis=1, keepdims=True) + 1e-6
    return audio * (OUTPUT_PEAK / peak)


def resynthesis_distance(
    encoder: keras.Model,
    generator: Generator,
    target: tf.Tensor,
    rng: tf.random.Generator,
    *,
    train_synthesis: bool,
    noise: float = 0.0,
) -> tuple[tf.Tensor, tf.Tensor]:
    """Inverts sounds with the encoder and plays their w back, with noise drawn from `rng`.

    Args:
        target: [batch, frames], peak-normalised (real drums as the dataset holds them).
        train_synthesis: The synthesis network's training flag (the GAN's resynthesis stage
            trains it; fine-tuning the encoder alone does not).
        noise: Gaussian noise added to each w before it is played, in units of the batch's
            spread of w (so the encoder cannot outgrow it by spreading W wider).

    Returns:
        The spectral distance of each peak-normalised resynthesis from its target [batch],
        and the class head's logits [batch, classes].
    """
    w, logits = encoder(target, training=True)
    if noise:
        spread = tf.stop_gradient(tf.sqrt(tf.reduce_mean(tf.math.reduce_variance(w, axis=0))))
        w += noise * spread * rng.normal(tf.shape(w))
    layer_shape, synth_shape = generator.noise_shapes(tf.shape(target)[0])
    ws = tf.tile(w[:, None], [1, generator.config.num_ws, 1])
    audio = generator.synthesis(
        [ws, rng.normal(layer_shape), rng.normal(synth_shape)], training=train_synthesis
    )
    return multires_distance(peak_normalized(audio), target), logits


def class_loss(labels: tf.Tensor, logits: tf.Tensor) -> tf.Tensor:
    """Cross-entropy of the class head: labels [batch] int, logits [batch, classes] -> [batch]."""
    return tf.nn.sparse_softmax_cross_entropy_with_logits(tf.cast(labels, tf.int32), logits)


def finetune_encoder_real(
    encoder: keras.Model,
    generator: Generator,
    audio: np.ndarray,
    labels: np.ndarray,
    steps: int,
    *,
    batch: int = 16,
    lr: float = 5e-5,
    class_weight: float = 1.0,
    seed: int = 0,
    on_step: Callable[[int, int], None] | None = None,
) -> list[dict[str, float]]:
    """Fine-tunes the encoder on real sounds: the spectral loss of their resynthesis, and the
    class head's cross-entropy on their labels. Batches are class-balanced.

    Args:
        audio: [n, frames] real sounds, onset-aligned and peak-normalised (as the dataset holds).
        labels: [n] their class ids.
        on_step: Told (steps done, steps) before the first step and after every step.
    """
    rng = np.random.default_rng(seed)
    opt = keras.optimizers.Adam(lr)
    opt.build(encoder.trainable_weights)
    noise_rng = tf.random.Generator.from_seed(seed)

    @tf.function
    def step(target: tf.Tensor, label: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor]:
        with tf.GradientTape() as tape:
            distance, logits = resynthesis_distance(
                encoder, generator, target, noise_rng, train_synthesis=False
            )
            spectral = tf.reduce_mean(distance)
            xent = tf.reduce_mean(class_loss(label, logits))
            loss = spectral + class_weight * xent
        grads = tape.gradient(loss, encoder.trainable_weights)
        opt.apply_gradients(zip(grads, encoder.trainable_weights, strict=False))
        return spectral, xent

    if on_step is not None:
        on_step(0, steps)
    by_class = [np.flatnonzero(labels == k) for k in np.unique(labels)]
    history = []
    for i in range(steps):
        picks = rng.integers(0, len(by_class), batch)
        idx = np.array([rng.choice(by_class[k]) for k in picks])
        spectral, xent = (float(x) for x in step(tf.constant(audio[idx]), tf.constant(labels[idx])))
        history.append({"step": i + 1, "spectral": spectral, "class": xent})
        if on_step is not None:
            on_step(i + 1, steps)
    return history
