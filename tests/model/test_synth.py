"""The synthesiser's oscillators and decay envelopes, and starting a grown architecture from an
older model."""

import dataclasses

import numpy as np
import pytest

from oscserver.model.config import ModelConfig, tiny_config
from oscserver.model.generator import Generator
from oscserver.model.layers import DrumSynth, noise_band_matrix, oscillators
from oscserver.training.gan import transfer_weights


def _level_db(audio: np.ndarray) -> float:
    return float(20.0 * np.log10(np.sqrt(np.mean(np.square(audio))) + 1e-30))


def _render(envelopes: int, env_control: float) -> np.ndarray:
    """Loud steady partials and noise for 64 frames, envelopes at one decay control."""
    c = tiny_config()
    synth = DrumSynth(c.sample_rate, c.hop, c.partials, c.noise_bands, c.n_fft_noise,
                      c.min_hz, c.max_hz, envelopes=envelopes)  # fmt: skip
    frames = 64
    controls = np.full((1, frames, 2 * c.partials + c.noise_bands + envelopes), 4.0, np.float32)
    controls[..., 2 * c.partials + c.noise_bands :] = env_control
    noise = np.random.default_rng(0).standard_normal(
        (1, frames + 1, c.noise_bins, 2)
    ).astype(np.float32)  # fmt: skip
    return np.asarray(synth([controls, noise]))[0]


def test_oscillators_play_the_running_sum_of_their_gliding_frequencies():
    # the definition, sample by sample in float64: each partial's amplitude and frequency move
    # linearly from one control point to the next, its phase is their running sum
    sr, hop, frames = 44100, 128, 256
    rng = np.random.default_rng(3)
    amp = rng.uniform(0.0, 0.25, (2, frames + 1, 4))
    freq = np.exp(rng.uniform(np.log(30.0), np.log(14000.0), (2, frames + 1, 4)))
    frac = np.arange(hop) / hop

    def per_sample(x: np.ndarray) -> np.ndarray:
        y = x[:, :-1, None] + (x[:, 1:] - x[:, :-1])[:, :, None] * frac[None, None, :, None]
        return y.reshape(2, frames * hop, 4)

    phase = np.cumsum(per_sample(freq) * 2.0 * np.pi / sr, axis=1)
    expected = np.sum(per_sample(amp) * np.sin(phase), axis=-1)
    played = np.asarray(oscillators(amp.astype(np.float32), freq.astype(np.float32), hop, sr))
    assert played.shape == (2, frames * hop)
    assert np.max(np.abs(played - expected)) < 0.01 * np.sqrt(np.mean(np.square(expected)))
    # a steady partial is a pure tone at its frequency
    tone = np.asarray(oscillators(np.full((1, 9, 1), 0.5, np.float32),
                                  np.full((1, 9, 1), 1000.0, np.float32), hop, sr))[0]  # fmt: skip
    n = np.arange(1, 8 * hop + 1)
    np.testing.assert_allclose(tone, 0.5 * np.sin(2.0 * np.pi * 1000.0 * n / sr), atol=1e-4)


def test_partials_cannot_reach_past_half_the_sample_rate():
    with pytest.raises(ValueError, match="max_hz"):
        DrumSynth(22050, 128, 4, 16, 256, 30.0, 14000.0)


def test_noise_gains_cover_every_bin_log_spaced_or_one_a_bin():
    for spacing, bands in (("log", 64), ("linear", 129), ("linear", 40)):
        m = noise_band_matrix(44100, 256, bands, spacing)
        assert m.shape == (bands, 129)
        np.testing.assert_allclose(m.sum(axis=0), 1.0, atol=1e-6)  # unit gains: unit noise
    np.testing.assert_array_equal(noise_band_matrix(44100, 256, 129, "linear"), np.eye(129))
    log = noise_band_matrix(44100, 256, 64, "log")
    assert np.count_nonzero(log[:, 129 * 5000 // 22050 :].sum(axis=1)) < 16  # few above 5 kHz
    with pytest.raises(ValueError, match="noise_spacing"):
        dataclasses.replace(tiny_config(), noise_spacing="mel")
    data = tiny_config().to_json()
    del data["noise_spacing"]  # configs written before it: log-spaced, as they were trained
    assert ModelConfig.from_json(data).noise_spacing == "log"


def test_a_steady_decay_control_reaches_silence_where_frame_gains_alone_do_not():
    steady = _render(0, 0.0)
    decaying = _render(2, 5.0)  # about 0.25 nepers a frame: -60 dB within 28 frames
    hop = tiny_config().hop
    assert abs(_level_db(steady[: hop // 2]) - _level_db(decaying[: hop // 2])) < 1.0
    assert _level_db(steady[-8 * hop :]) > -20.0
    assert _level_db(decaying[-8 * hop :]) - _level_db(decaying[: hop // 2]) < -100.0


def test_the_initial_decay_control_is_gentle():
    start = _render(2, -3.0)
    hop = tiny_config().hop
    drop = _level_db(start[-4 * hop :]) - _level_db(start[: 4 * hop])
    assert -4.0 < drop < 0.0  # 64 frames of 0.0024 nepers: about -1.3 dB


def test_envelopes_default_to_none_for_configs_written_before_them():
    data = tiny_config().to_json()
    del data["envelopes"]
    assert ModelConfig.from_json(data).envelopes == 0
    with pytest.raises(ValueError, match="envelopes"):
        dataclasses.replace(tiny_config(), envelopes=1)


def test_a_generator_grown_by_envelopes_starts_as_its_source_sounds():
    old_config = dataclasses.replace(tiny_config(), envelopes=0)
    old, new = Generator.build(old_config), Generator.build(tiny_config())
    transfer_weights(old.mapping, new.mapping)
    transfer_weights(old.synthesis, new.synthesis)
    z = np.random.default_rng(1).standard_normal((3, old_config.z_dim)).astype(np.float32)
    labels = np.array([0, 1, 2], np.int32)
    layer, synth = old.noise(np.random.default_rng(2), 3)
    audio = []
    for gen in (old, new):
        w = np.asarray(gen.mapping([z, labels]))
        ws = np.repeat(w[:, None], gen.config.num_ws, axis=1)
        audio.append(np.asarray(gen.synthesis([ws, layer, synth])))
    hop = old_config.hop
    head = [_level_db(a[:, : 8 * hop]) for a in audio]
    assert abs(head[0] - head[1]) < 0.5
    assert np.corrcoef(audio[0][:, : 8 * hop].ravel(), audio[1][:, : 8 * hop].ravel())[0, 1] > 0.99


def test_weights_cannot_shrink_into_a_smaller_architecture():
    big = Generator.build(tiny_config())
    small = Generator.build(dataclasses.replace(tiny_config(), envelopes=0))
    with pytest.raises(ValueError, match="cannot grow"):
        transfer_weights(big.synthesis, small.synthesis)
