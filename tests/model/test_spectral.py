"""The one spectral distance: the same numbers for numpy and tensors, and usable as a loss."""

import numpy as np
import pytest
import tensorflow as tf

from oscserver.model.spectral import (
    multires_distance,
    multires_distance_from_magnitudes,
    multires_magnitudes,
)


def test_zero_for_identical_sounds_and_growing_with_difference():
    rng = np.random.default_rng(1)
    a = rng.standard_normal(8192).astype(np.float32)
    assert float(multires_distance(a, a)) == pytest.approx(0.0, abs=1e-6)
    near = float(multires_distance(a + 0.01 * rng.standard_normal(8192).astype(np.float32), a))
    far = float(multires_distance(0.1 * rng.standard_normal(8192).astype(np.float32), a))
    assert 0 < near < far


def test_numpy_arrays_and_tensors_measure_the_same():
    rng = np.random.default_rng(2)
    a, b = rng.standard_normal((2, 3, 4096)).astype(np.float32)
    from_numpy = np.asarray(multires_distance(a, b))
    from_tensors = multires_distance(tf.constant(a), tf.constant(b)).numpy()
    np.testing.assert_allclose(from_numpy, from_tensors, rtol=1e-6)
    assert from_numpy.shape == (3,)


def test_a_full_scale_sine_has_the_same_magnitude_at_every_size():
    t = np.arange(16384) / 44100
    sine = np.sin(2 * np.pi * 1000 * t).astype(np.float32)
    peaks = [float(np.max(np.asarray(m)[4:-4])) for m in multires_magnitudes(sine)]
    np.testing.assert_allclose(peaks, 0.5, rtol=0.2)


def test_magnitudes_of_one_target_broadcast_over_a_batch():
    rng = np.random.default_rng(3)
    batch = rng.standard_normal((5, 4096)).astype(np.float32)
    target = rng.standard_normal(4096).astype(np.float32)
    expected = np.asarray(multires_distance(batch, np.broadcast_to(target, batch.shape)))
    got = multires_distance_from_magnitudes(multires_magnitudes(batch), multires_magnitudes(target))
    np.testing.assert_allclose(np.asarray(got), expected, rtol=1e-6)


def test_the_gradient_is_finite_where_a_sound_is_silent():
    target = tf.constant(np.random.default_rng(4).standard_normal((1, 4096)), tf.float32)
    x = tf.Variable(tf.concat([target[:, :2048], tf.zeros((1, 2048))], axis=1))
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean(multires_distance(x, target))
    grad = tape.gradient(loss, x)
    assert np.all(np.isfinite(grad.numpy())) and float(tf.reduce_max(tf.abs(grad))) > 0


def test_shapes_must_agree():
    with pytest.raises(ValueError, match="shapes differ"):
        multires_distance(np.zeros(4096, np.float32), np.zeros(2048, np.float32))


def test_the_same_burst_with_other_noise_is_near_and_a_level_change_is_not():
    # Drums are noise: a bin-by-bin distance put two draws of one burst 1.3 apart, farther than
    # the burst at half its level; pooled into bands and frames they are near.
    rng = np.random.default_rng(5)
    decay = np.exp(-np.arange(16384) / 44100 / 0.05)
    a, b = (rng.standard_normal((2, 16384)) * decay).astype(np.float32)
    other_noise = float(multires_distance(b, a))
    half_level = float(multires_distance(0.5 * b, a))
    longer = float(multires_distance(b * decay**-0.5, a))
    assert other_noise < 0.5 and other_noise < 0.4 * half_level and other_noise < 0.25 * longer
