"""Differentiable losses used in training: multi-resolution spectral distance in TensorFlow."""

from __future__ import annotations

import tensorflow as tf


def multires_stft_loss(
    a: tf.Tensor, b: tf.Tensor, fft_sizes: tuple[int, ...] = (2048, 1024, 512, 256, 128)
) -> tf.Tensor:
    """Spectral convergence + log-magnitude L1 over several STFT sizes, per example.

    Args:
        a, b: Audio [batch, samples].

    Returns:
        [batch] distances (0 for identical audio).
    """
    total = tf.zeros(tf.shape(a)[:1])
    for n in fft_sizes:
        sa = tf.abs(tf.signal.stft(a, n, n // 4, pad_end=True))
        sb = tf.abs(tf.signal.stft(b, n, n // 4, pad_end=True))
        conv = tf.norm(sa - sb, axis=(-2, -1)) / (tf.norm(sb, axis=(-2, -1)) + 1e-6)
        logl1 = tf.reduce_mean(
            tf.abs(tf.math.log(sa + 1e-5) - tf.math.log(sb + 1e-5)), axis=(-2, -1)
        )
        total += conv + logl1
    return total / len(fft_sizes)
