"""Features against hand-made signals with known answers."""

from __future__ import annotations

import numpy as np
import pytest

from oscserver.audio.features import (
    FEATURE_MELS,
    SHAPE_NAMES,
    SHAPE_SEGMENTS,
    sound_features,
)
from tests.evaluation.synth import synthetic

SR, FRAMES = 44100, 32768
T = np.arange(FRAMES) / SR


def shape(audio: np.ndarray) -> dict[str, float]:
    """The shape features of one sound [samples], by name."""
    row = sound_features(audio[None].astype(np.float32), SR).shape[0]
    return dict(zip(SHAPE_NAMES, row.tolist(), strict=True))


def test_features_shape_and_finite():
    data = synthetic(("kick", "snare", "hat"), per_class=4)
    f = sound_features(data.audio, data.sample_rate)
    n = len(data.audio)
    assert f.stats.shape == (n, 2 * FEATURE_MELS) and f.bands.shape == (n, 5 * FEATURE_MELS)
    assert f.shape.shape == (n, len(SHAPE_NAMES))
    assert np.all(np.isfinite(f.bands)) and np.all(np.isfinite(f.shape))


@pytest.mark.parametrize(("rate", "freq"), [(20.0, 440.0), (8.0, 55.0), (40.0, 3000.0)])
def test_decay_times_of_an_exponential(rate, freq):
    # exp(-rate t) is 20 dB down after ln(10) / rate seconds, 40 dB after twice that.
    env = shape(np.sin(2 * np.pi * freq * T) * np.exp(-T * rate))
    assert env["decay10_s"] == pytest.approx(np.log(10) / (2 * rate), abs=0.004)
    assert env["decay20_s"] == pytest.approx(np.log(10) / rate, abs=0.004)
    assert env["decay40_s"] == pytest.approx(2 * np.log(10) / rate, abs=0.006)
    assert env["attack_s"] < 0.005


def test_a_sound_that_never_decays_far_enough_lasts_to_its_end():
    env = shape(np.sin(2 * np.pi * 440 * T) * np.exp(-T * 2.0))  # -40 dB only after 2.3 s
    assert env["decay40_s"] == pytest.approx(FRAMES / SR, abs=0.03)


def test_attack_of_a_linear_ramp():
    ramp = np.minimum(T / 0.05, 1.0) * np.exp(-np.maximum(T - 0.05, 0.0) * 15.0)
    # From a tenth of the peak amplitude (-20 dB, at 5 ms) to the peak at 50 ms.
    assert shape(np.sin(2 * np.pi * 440 * T) * ramp)["attack_s"] == pytest.approx(0.045, abs=0.004)


def test_white_noise_is_flat_and_a_sine_is_not():
    noise = shape(np.random.default_rng(0).standard_normal(FRAMES) * np.exp(-T * 5.0))
    sine = shape(np.sin(2 * np.pi * 1000 * T) * np.exp(-T * 5.0))
    for seg, _ in SHAPE_SEGMENTS:
        assert noise[f"flatness_{seg}"] > 0.75, seg
        assert sine[f"flatness_{seg}"] < 0.01, seg
        # White noise's centroid is half the Nyquist frequency, a sine's is its frequency.
        assert noise[f"centroid_khz_{seg}"] == pytest.approx(SR / 4000, rel=0.05)
        assert sine[f"centroid_khz_{seg}"] == pytest.approx(1.0, rel=0.02)


def test_segment_levels_follow_the_decay():
    env = shape(np.sin(2 * np.pi * 440 * T) * np.exp(-T * 20.0))
    levels = [env[f"level_db_{seg}"] for seg, _ in SHAPE_SEGMENTS]
    assert levels == sorted(levels, reverse=True)
    assert levels[0] > -3.0 and levels[-1] < -40.0


def test_silence_after_a_short_sound_keeps_the_features_finite():
    click = np.where(T < 0.01, np.sin(2 * np.pi * 2000 * T), 0.0)
    assert all(np.isfinite(v) for v in shape(click).values())
