"""The mapping network fitted to where the encoder puts real drums in W, class by class.

After a reconstruction-first run (encoder -> W -> synthesis, trained as an autoencoder of real
drums), the synthesis network plays back whatever the encoder hears. A generator then only
needs a mapping network whose w, for each class, are distributed as the encoder's w of that
class's real drums. This stage fits it so, with no synthesis network in the loop and no
adversary: it lowers the energy distance (Szekely and Rizzo's statistic, zero only when two
distributions are equal, no kernel width to choose) between a batch of the mapping's w and a
batch of encoded training drums, for every class at once. Fitting a prior to an autoencoder's
latents afterwards is the two-stage idea of Dai and Wipf (2019).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import keras
import numpy as np
import tensorflow as tf

from oscserver.training.gan import in_batches


class MappingFitError(ValueError):
    """The encoded drums cannot be fitted (a class without drums, bad settings)."""


@dataclass(frozen=True)
class MappingFitConfig:
    """How the mapping network is fitted."""

    steps: int = 3000
    batch: int = 128  # w per class and step, from the mapping and from the encoded drums
    lr: float = 1e-3
    seed: int = 0  # seeds the z and the encoded drums of every step (and fresh weights)
    log_every: int = 50  # steps between rows of the returned history
    from_scratch: bool = False  # start from fresh weights, not the checkpoint's mapping

    def __post_init__(self) -> None:
        if self.steps < 1 or self.batch < 2 or self.log_every < 1:
            raise MappingFitError("steps and log_every must be >= 1, batch >= 2")
        if not 0.0 < self.lr <= 1.0:
            raise MappingFitError(f"lr must be in (0, 1], got {self.lr}")


def encode_by_class(
    encoder: keras.Model, audio: np.ndarray, class_id: np.ndarray, classes: int
) -> list[np.ndarray]:
    """The encoder's w of every sound, grouped by class: one [n_c, w_dim] array per class."""
    encoded = in_batches(lambda x: encoder(x, training=False)[0], audio)
    return [encoded[class_id == c] for c in range(classes)]


def energy_distance(x: tf.Tensor, y: tf.Tensor) -> tf.Tensor:
    """The (V-statistic) energy distance of two samples [n, d] and [m, d]: a scalar >= 0."""

    def mean_norm(a: tf.Tensor, b: tf.Tensor) -> tf.Tensor:
        # the small constant keeps the gradient of |a - a| finite on the diagonal
        return tf.reduce_mean(tf.sqrt(tf.reduce_sum(tf.square(a[:, None] - b[None]), -1) + 1e-8))

    return 2.0 * mean_norm(x, y) - mean_norm(x, x) - mean_norm(y, y)


def fit_mapping(
    mapping: keras.Model,
    encoded: Sequence[np.ndarray],
    config: MappingFitConfig,
    on_step: Callable[[int, int], None] | None = None,
) -> list[dict[str, float]]:
    """Fits `mapping` in place so that its w of class c are distributed as encoded[c].

    Args:
        mapping: The mapping network ((z, class id) -> w); training starts from its weights.
        encoded: For every class, the encoder's w of its training drums [n_c, w_dim].
        on_step: Told (steps done, config.steps) after every step.

    Returns:
        A row every config.log_every steps: the step and the energy distance of each class.
    """
    classes, z_dim = len(encoded), int(mapping.inputs[0].shape[-1])
    if any(len(e) < 2 for e in encoded):
        counts = [len(e) for e in encoded]
        raise MappingFitError(f"every class needs at least 2 encoded drums, got {counts}")
    rng = np.random.default_rng(config.seed)
    optimizer = keras.optimizers.Adam(config.lr)
    labels = tf.constant(np.repeat(np.arange(classes), config.batch), tf.int32)

    @tf.function
    def step(z: tf.Tensor, real: tf.Tensor) -> tf.Tensor:
        with tf.GradientTape() as tape:
            w = tf.reshape(mapping([z, labels], training=True), [classes, config.batch, -1])
            per_class = tf.stack([energy_distance(w[c], real[c]) for c in range(classes)])
            loss = tf.reduce_mean(per_class)
        grads = tape.gradient(loss, mapping.trainable_variables)
        optimizer.apply(grads, mapping.trainable_variables)
        return per_class

    history = []
    for i in range(1, config.steps + 1):
        z = rng.standard_normal((classes * config.batch, z_dim), dtype=np.float32)
        real = np.stack([e[rng.integers(0, len(e), config.batch)] for e in encoded])
        per_class = step(tf.constant(z), tf.constant(real, tf.float32)).numpy()
        if i % config.log_every == 0 or i == config.steps:
            history.append({"step": i, **{f"energy{c}": float(d) for c, d in enumerate(per_class)}})
        if on_step is not None:
            on_step(i, config.steps)
    return history
