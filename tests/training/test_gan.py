"""The generator's class-statistics losses: quantile matching of each class's log-mel."""

import numpy as np
import pytest
import tensorflow as tf

from oscserver.model.config import tiny_config
from oscserver.training.gan import GanTrainer, TrainConfig


@pytest.fixture(scope="module")
def trainer():
    t = GanTrainer(tiny_config(("kick", "snare")), TrainConfig(batch=8, quantile_weight=1.0),
                   tf.distribute.get_strategy())  # fmt: skip
    rng = np.random.default_rng(0)
    frames = t.config.frames
    decay = np.exp(-np.arange(frames) / 300.0).astype(np.float32)
    kick = (rng.standard_normal(frames) * decay).astype(np.float32)
    snare = (rng.standard_normal(frames) * np.sqrt(decay)).astype(np.float32)
    # every kick is one sound, so its quantiles are that sound's log-mel
    t.set_real_stats(np.stack([kick] * 8 + [snare] * 8), np.repeat([0, 1], 8))
    return t, kick, snare


def _error(t: GanTrainer, audio: np.ndarray, labels: list[int]) -> float:
    mel = t.features(t._floor(tf.constant(audio)))  # as the generator's step measures
    return float(t._quantile_error(mel, tf.constant(labels, tf.int32)))


def test_a_group_shaped_like_its_class_is_near_its_quantiles(trainer):
    t, kick, snare = trainer
    right = _error(t, np.stack([kick] * 4), [0] * 4)
    wrong = _error(t, np.stack([snare] * 4), [0] * 4)
    assert right < 0.2 * wrong


def test_the_order_within_a_group_does_not_matter(trainer):
    t, kick, snare = trainer
    mel = t.features(t._floor(tf.constant(np.stack([kick, snare, kick, snare]))))
    labels = tf.constant([1] * 4, tf.int32)
    a = float(t._quantile_error(mel, labels))
    b = float(t._quantile_error(tf.gather(mel, [1, 3, 0, 2]), labels))
    assert a == pytest.approx(b, rel=1e-6) and a > 0
