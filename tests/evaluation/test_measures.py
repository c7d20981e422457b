"""Each measure against a case with a known answer."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest

from oscserver.audio.features import sound_features
from oscserver.evaluation.measures import (
    Projection,
    best_of,
    copies_of_training,
    fit_band_classifier,
    fit_shape_classifier,
    frechet_distance,
    group_pair_distances,
    held_out,
    mean_pairwise_distance,
    nearest_distances,
    noise_bursts,
)
from oscserver.model.spectral import multires_distance
from tests.evaluation.synth import synthetic


def test_frechet_of_a_set_with_itself_is_zero_and_grows_with_a_shift():
    x = np.random.default_rng(0).standard_normal((200, 8))
    assert frechet_distance(x, x) == pytest.approx(0.0, abs=1e-6)
    shifts = [0.25, 0.5, 1.0, 2.0]
    d = [frechet_distance(x, x + s) for s in shifts]
    # Same covariance: the distance is exactly the squared shift of the mean, 8 * s^2.
    np.testing.assert_allclose(d, [8 * s**2 for s in shifts], rtol=1e-6)
    assert frechet_distance(x, 3 * x) > frechet_distance(x, 2 * x) > 0.5


def test_frechet_matches_the_closed_form_in_one_dimension():
    rng = np.random.default_rng(1)
    a, b = rng.normal(0.0, 1.0, (300, 1)), rng.normal(2.0, 3.0, (100, 1))
    expected = (a.mean() - b.mean()) ** 2 + (a.std(ddof=1) - b.std(ddof=1)) ** 2
    assert frechet_distance(a, b) == pytest.approx(expected, rel=1e-9)


def test_frechet_weights_pick_the_rows_of_a_fit():
    rng = np.random.default_rng(5)
    a, b, c = rng.normal(0, 1, (40, 3)), rng.normal(3, 2, (30, 3)), rng.normal(1, 1, (50, 3))
    both = np.concatenate([a, b])
    only_a = np.r_[np.ones(len(a)), np.zeros(len(b))]
    assert frechet_distance(both, c, np.full(len(both), 0.3)) == pytest.approx(
        frechet_distance(both, c)
    )
    assert frechet_distance(both, c, only_a) == pytest.approx(frechet_distance(a, c))


def test_frechet_with_fewer_vectors_than_dimensions_is_finite():
    rng = np.random.default_rng(2)
    d = frechet_distance(rng.standard_normal((10, 64)), rng.standard_normal((64, 64)))
    assert math.isfinite(d) and d > 0
    with pytest.raises(ValueError, match="at least 2"):
        frechet_distance(np.zeros((1, 4)), np.zeros((5, 4)))


def test_frechet_in_the_pca_of_forty_test_sounds_is_stable():
    # 40-60 test sounds per class in 64-d statistics: projected to 16-d, two draws of the same
    # distribution are near each other and far from a shifted one.
    rng = np.random.default_rng(3)
    mix = rng.standard_normal((64, 64)) / 8
    draw = lambda n, shift=0.0: (rng.standard_normal((n, 64)) + shift) @ mix  # noqa: E731
    project = Projection.fit(draw(400), 16)
    assert project.components.shape == (16, 64)
    np.testing.assert_allclose(project.components @ project.components.T, np.eye(16), atol=1e-9)
    test = project(draw(40))
    same, shifted = (
        frechet_distance(project(draw(64)), test),
        frechet_distance(project(draw(64, 1.0)), test),
    )
    assert math.isfinite(same) and shifted > 3 * same


def test_classifiers_separate_different_synthetic_classes():
    data = synthetic(("kick", "snare", "hat"), per_class=20, seed=3)
    f = sound_features(data.audio, data.sample_rate)
    train, test = data.split == 0, (data.split == 1) & (data.augmented == 0)
    for fit, x in ((fit_band_classifier, f.bands), (fit_shape_classifier, f.shape)):
        clf = fit(x[train], data.class_id[train])
        assert np.mean(clf.predict(x[test]) == data.class_id[test]) > 0.9, fit.__name__


def test_shape_classifier_is_deterministic():
    rng = np.random.default_rng(7)
    x, y = rng.standard_normal((60, 5)), rng.integers(0, 3, 60)
    q = rng.standard_normal((30, 5))
    a = fit_shape_classifier(x, y).predict_proba(q)
    np.testing.assert_array_equal(a, fit_shape_classifier(x, y).predict_proba(q))


def test_diversity_of_a_collapsed_set_is_small():
    rng = np.random.default_rng(4)
    spread = rng.standard_normal((50, 16))
    collapsed = spread[0] + 0.01 * rng.standard_normal((50, 16))
    assert mean_pairwise_distance(collapsed) < 0.05 * mean_pairwise_distance(spread)


def test_copies_of_training_sounds_are_nearer_than_velocity_layers():
    data = synthetic(("kick", "snare", "hat"), per_class=8)
    f = sound_features(data.audio, data.sample_rate).stats
    layers = group_pair_distances(f, data.group)
    assert layers.size > 0 and layers.min() > 0
    assert np.all(nearest_distances(f[:10], f) < layers.min())
    others = np.random.default_rng(0).standard_normal((10, f.shape[1])) * f.std(0) * 3 + f.mean(0)
    assert np.all(nearest_distances(others, f) > layers.min())


def test_a_test_sound_equal_to_a_training_sound_is_a_copy():
    data = synthetic(("kick", "snare", "hat"), per_class=8)
    test, train = np.flatnonzero(data.split == 1), np.flatnonzero(data.split == 0)
    assert not copies_of_training(data).any()
    audio = data.audio.copy()
    audio[test[1]] = audio[train[3]]
    copies = copies_of_training(dataclasses.replace(data, audio=audio))
    assert np.flatnonzero(copies).tolist() == [test[1]]
    # the held-out drums a model is judged on: the test sounds, the copy and augmented ones out
    augmented = data.augmented.copy()
    augmented[test[2]] = 1
    judged = held_out(dataclasses.replace(data, audio=audio, augmented=augmented))
    assert np.flatnonzero(judged).tolist() == [t for t in test if t not in (test[1], test[2])]
    np.testing.assert_array_equal(held_out(data, copies), (data.split == 1) & ~copies)


def test_best_of_finds_the_nearest_candidate_by_spectral_distance():
    rng = np.random.default_rng(6)
    candidates = noise_bursts(40, 4096, 44100, rng)  # more than one chunk of candidates
    targets = candidates[[33, 5]] + 0.001 * rng.standard_normal((2, 4096)).astype(np.float32)
    best, index = best_of(candidates, targets)
    assert index.tolist() == [33, 5]
    for t in range(2):
        every = multires_distance(candidates, np.broadcast_to(targets[t], candidates.shape))
        assert best[t] == pytest.approx(float(np.min(every)), rel=1e-5)


def test_noise_bursts_follow_their_generator():
    a = noise_bursts(4, 4096, 44100, np.random.default_rng(5))
    b = noise_bursts(4, 4096, 44100, np.random.default_rng(5))
    assert a.shape == (4, 4096) and a.dtype == np.float32
    np.testing.assert_array_equal(a, b)
    np.testing.assert_allclose(np.abs(a).max(axis=1), 0.9, rtol=1e-6)
