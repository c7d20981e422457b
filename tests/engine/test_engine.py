"""The inference object over a real (tiny) artifact."""

import json
import subprocess
import sys

import numpy as np
import pytest
import soundfile as sf

from oscserver.audio.io import AudioReadError
from oscserver.model.spectral import multires_distance


def test_seed_sound_shape_dtype_and_latent(engine):
    r = engine.generate(7, engine.classes[1], psi=0.8)
    assert r.audio.shape == (engine.frames,) and r.audio.dtype == np.float32
    assert r.latent.shape == (engine.w_dim,)
    assert np.all(np.isfinite(r.audio)) and np.max(np.abs(r.audio)) > 0


def test_seed_deterministic_across_processes(engine, tiny_model):
    code = (
        "import sys, hashlib; from oscserver.engine import DrumEngine;"
        "e = DrumEngine.load(sys.argv[1], warmup=False);"
        "print(hashlib.sha256(e.generate(42, 'snare', 0.7).audio.tobytes()).hexdigest())"
    )
    digests = {
        subprocess.run(
            [sys.executable, "-c", code, str(tiny_model)],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
        for _ in range(2)
    }
    import hashlib

    assert digests == {
        hashlib.sha256(engine.generate(42, "snare", 0.7).audio.tobytes()).hexdigest()
    }


def test_different_seeds_differ(engine):
    a, b = engine.generate(1, "kick").audio, engine.generate(2, "kick").audio
    assert not np.allclose(a, b)


def test_truncation_zero_gives_class_mean(engine):
    r = engine.generate(5, "hat", psi=0.0)
    np.testing.assert_allclose(r.latent, engine.class_mean("hat"), atol=1e-6)


def test_pca_round_trip_through_engine(engine):
    base = engine.generate(3, "kick").latent
    coords = [1.0, -2.0, 0.5]
    r = engine.from_coordinates("kick", coords, base)
    back = engine.to_coordinates("kick", r.latent, base)
    np.testing.assert_allclose(back[:3], coords, atol=1e-4)
    np.testing.assert_allclose(back[3:], 0.0, atol=1e-4)


def test_path_endpoints_equal_their_anchors(engine):
    a, b = engine.generate(1, "kick"), engine.generate(2, "snare")
    for mode in ("lin", "slerp"):
        p = engine.path([a.latent, b.latent], 30, mode)
        assert p.audio.shape == (30, engine.frames)
        np.testing.assert_allclose(p.audio[0], a.audio, atol=1e-4)
        np.testing.assert_allclose(p.audio[-1], b.audio, atol=1e-4)


def test_path_through_several_anchors(engine):
    anchors = [engine.generate(s, "kick").latent for s in (1, 2, 3)]
    p = engine.path(anchors, 5)
    np.testing.assert_allclose(p.latent[2], anchors[1], atol=1e-5)


def test_morph_endpoints(engine):
    a, b = engine.generate(1, "kick").latent, engine.generate(2, "kick").latent
    np.testing.assert_allclose(engine.morph(a, b, 1.0).latent, b, atol=1e-6)


def test_inversion_of_generated_sound_beats_random_latents_and_refines_the_guess(engine):
    target = engine.generate(11, "snare").audio
    guess = engine.invert(target, engine.sample_rate)
    refined = engine.invert(target, engine.sample_rate, refine_steps=60)
    d_guess = float(multires_distance(guess.audio, target))
    d_refined = float(multires_distance(refined.audio, target))
    d_random = [
        float(multires_distance(engine.generate(seed, "snare").audio, target))
        for seed in range(100, 108)
    ]
    assert d_refined < d_guess
    assert d_refined < np.median(d_random)


def test_refinement_never_moves_a_sound_further_than_the_encoders_guess(engine):
    rng = np.random.default_rng(3)
    decay = np.exp(-np.arange(engine.frames) / rng.uniform(500, 8000, size=(4, 1)))
    bursts = (rng.standard_normal((4, engine.frames)) * decay).astype(np.float32)
    others = [engine.generate(seed, cls).audio for seed, cls in ((5, "kick"), (6, "hat"))]
    for sound in [*bursts, *others]:
        target = engine.prepare(sound, engine.sample_rate)
        d_guess = float(multires_distance(engine.invert(sound, engine.sample_rate).audio, target))
        for steps in (1, 2, 7):
            refined = engine.invert(sound, engine.sample_rate, refine_steps=steps)
            assert float(multires_distance(refined.audio, target)) <= d_guess + 1e-5
    # From a sound's own latent, every step (Adam's first is lr in each coordinate) moves away.
    own = engine.generate(9, "snare")
    residual = engine._refine(own.latent[None], own.audio[None], 3, None)
    assert residual.shape == (1, *engine.residual_shape) and not residual.any()


def test_a_refined_inversion_is_its_latent_and_residual_and_sounds_the_same_rendered_again(
    engine,
):
    rng = np.random.default_rng(5)
    decay = np.exp(-np.arange(engine.frames) / 3000.0)
    burst = (rng.standard_normal(engine.frames) * decay).astype(np.float32)
    target = engine.prepare(burst, engine.sample_rate)
    guess = engine.invert(burst, engine.sample_rate)
    refined = engine.invert(burst, engine.sample_rate, refine_steps=10)
    assert guess.residual.shape == engine.residual_shape  # the residual head's guess
    assert refined.residual.shape == engine.residual_shape
    assert not np.array_equal(refined.residual, guess.residual)  # refinement starts there
    # the residual is added to the controls of the encoder's own w
    np.testing.assert_array_equal(refined.latent, guess.latent)
    assert float(multires_distance(refined.audio, target)) < float(
        multires_distance(guess.audio, target)
    )
    again = engine.render(refined.latent, residual=refined.residual)
    np.testing.assert_array_equal(again.audio, refined.audio)
    # alone or in a batch, the same sound
    both = engine.render(
        np.stack([guess.latent, refined.latent]),
        residual=np.stack([guess.residual, refined.residual]),
    )
    np.testing.assert_allclose(both.audio[1], refined.audio, atol=1e-6)
    np.testing.assert_allclose(both.audio[0], guess.audio, atol=1e-6)


def test_the_residual_head_guesses_each_inversion_and_without_one_it_is_w_alone(engine):
    import dataclasses

    from oscserver.engine import DrumEngine
    from tests.helpers import synthetic_break

    rng = np.random.default_rng(8)
    burst = rng.standard_normal(engine.frames) * np.exp(-np.arange(engine.frames) / 2000.0)
    guess = engine.invert(burst.astype(np.float32), engine.sample_rate)
    assert guess.residual.any()  # the tiny model's head trained a few steps: not zero yet
    # the slot's state (w and the guess) plays the sound the inversion returned, to the bit
    again = engine.render(guess.latent, residual=guess.residual)
    np.testing.assert_array_equal(again.audio, guess.audio)
    plain = DrumEngine(dataclasses.replace(engine.artifact, residual_head=None), warmup=False)
    alone = plain.invert(burst.astype(np.float32), engine.sample_rate)
    assert alone.residual is None
    np.testing.assert_array_equal(alone.latent, guess.latent)  # the same w, with the guess
    np.testing.assert_allclose(alone.audio, engine.render(guess.latent).audio, atol=1e-6)
    assert not np.allclose(alone.audio, guess.audio, atol=1e-4)
    # a break: a guess for every hit, refined from there
    audio = synthetic_break(np.random.default_rng(3), sr=22050)
    starts, hits = engine.invert_slices(audio, 22050)
    assert hits.residual.shape == (len(starts), *engine.residual_shape)
    again = engine.render(hits.latent, residual=hits.residual)
    np.testing.assert_allclose(again.audio, hits.audio, atol=1e-6)
    assert plain.invert_slices(audio, 22050)[1].residual is None


def test_residuals_blend_along_paths_and_morphs_and_are_checked(engine):
    a, b = engine.generate(1, "kick"), engine.generate(2, "snare")
    r = np.random.default_rng(0).normal(0.0, 0.5, engine.residual_shape).astype(np.float32)
    own = engine.render(a.latent, residual=r)
    p = engine.path([a.latent, b.latent], 5, residuals=[r, None])
    np.testing.assert_allclose(p.audio[0], own.audio, atol=1e-5)
    np.testing.assert_allclose(p.audio[-1], b.audio, atol=1e-5)
    np.testing.assert_allclose(p.residual[2], 0.5 * r, atol=1e-6)
    half = engine.morph(a.latent, b.latent, 0.5, residuals=(None, r))
    np.testing.assert_allclose(half.residual, 0.5 * r, atol=1e-6)
    assert engine.morph(a.latent, b.latent, 0.5).residual is None
    mixed = engine.mix(a.latent, b.latent, residual=r)
    assert mixed.residual.shape == engine.residual_shape
    with pytest.raises(ValueError, match="residual must be"):
        engine.render(a.latent, residual=r[:-1])
    with pytest.raises(ValueError, match="NaN"):
        engine.render(a.latent, residual=np.full(engine.residual_shape, np.nan, np.float32))


def test_invert_file_any_rate_and_channels(engine, tmp_path):
    audio = engine.generate(4, "hat").audio
    stereo = np.stack([audio, audio], axis=1)
    sf.write(tmp_path / "in.flac", stereo, 22050)
    r = engine.invert_file(tmp_path / "in.flac")
    assert r.audio.shape == (engine.frames,) and r.latent.shape == (engine.w_dim,)


def test_inversion_hears_a_one_shot_as_training_did_without_its_noise_tail(engine):
    rng = np.random.default_rng(8)
    n = engine.frames
    hit = np.zeros(n, np.float32)
    hit[: n // 4] = rng.standard_normal(n // 4) * np.exp(-np.arange(n // 4) / (n / 64))
    tail = hit.copy()
    tail[n // 4 :] = 10 ** (-60 / 20) * rng.standard_normal(n - n // 4)  # a sampler's hiss
    clean, hissy = engine.prepare(hit, engine.sample_rate), engine.prepare(tail, engine.sample_rate)
    assert np.max(np.abs(hissy[n // 2 :])) == 0.0
    np.testing.assert_allclose(hissy, clean, atol=1e-3)


def test_invert_rejects_non_audio(engine, tmp_path):
    (tmp_path / "x.wav").write_text("hello")
    with pytest.raises(AudioReadError):
        engine.invert_file(tmp_path / "x.wav")


@pytest.mark.parametrize(
    "call,match",
    [
        (lambda e: e.generate(1, "cowbell"), "unknown class"),
        (lambda e: e.generate(1, "kick", psi=3.0), "psi"),
        (lambda e: e.generate(-1, "kick"), "seed"),
        (lambda e: e.seed_latents([1, 2], ["kick", "cowbell"], [1.0, 1.0]), "unknown class"),
        (lambda e: e.seed_latents([1, 2], ["kick"], [1.0, 1.0]), "as many"),
        (lambda e: e.seed_latents([], [], []), "at least one"),
        (lambda e: e.from_coordinates("kick", [float("nan")]), "finite"),
        (lambda e: e.morph(e.class_mean("kick"), e.class_mean("hat"), 1.5), "between 0 and 1"),
        (lambda e: e.path([e.class_mean("kick")], 4), "two anchors"),
        (lambda e: e.render(np.zeros(3, np.float32)), "latent must be"),
        (lambda e: e.invert(np.zeros(100, np.float32), 44100, refine_steps=10_000), "refine_steps"),
    ],
)
def test_bad_input_raises_clear_error(engine, call, match):
    with pytest.raises(ValueError, match=match):
        call(engine)


def test_info_facts(engine, tiny_model):
    manifest = json.loads((tiny_model / "manifest.json").read_text())
    assert engine.format_version == manifest["format_version"]
    assert engine.device == "cpu" or engine.device.startswith("gpu")
    assert engine.pca_axes == 8 and engine.classes == ("kick", "snare", "hat")


def test_invert_slices_of_a_break(engine):
    from tests.helpers import BREAK_STARTS, synthetic_break

    audio = synthetic_break(np.random.default_rng(3), sr=22050)  # any rate
    starts, r = engine.invert_slices(audio, 22050, refine_steps=2)
    assert len(starts) == len(BREAK_STARTS)
    np.testing.assert_allclose(starts, BREAK_STARTS, atol=0.006 * 44100)
    assert r.audio.shape == (len(starts), engine.frames) and r.latent.shape[0] == len(starts)


def test_invert_slices_of_silence_is_a_clear_error(engine):
    with pytest.raises(ValueError, match="no drum hits"):
        engine.invert_slices(np.zeros(20000, np.float32), 44100)


def test_refinement_runs_in_chunks_and_a_check_can_stop_it(engine):
    from oscserver.engine.engine import REFINE_CHUNK

    target = engine.generate(11, engine.classes[0]).audio
    calls = []

    def check(fraction: float) -> None:
        calls.append(fraction)
        if len(calls) == 2:
            raise InterruptedError("cancelled")

    with pytest.raises(InterruptedError):
        engine.invert(target, engine.sample_rate, refine_steps=3 * REFINE_CHUNK, check=check)
    assert calls == [0.0, 1 / (3 * REFINE_CHUNK)]  # one step first, the second chunk stopped
    whole = engine.invert(target, engine.sample_rate, refine_steps=REFINE_CHUNK + 5)
    seen: list[float] = []
    chunked = engine.invert(target, engine.sample_rate, REFINE_CHUNK + 5, seen.append)
    assert len(seen) >= 2 and seen[0] == 0.0 and seen == sorted(seen) and seen[-1] < 1.0
    np.testing.assert_allclose(chunked.latent, whole.latent, atol=1e-6)


def test_a_checked_path_and_break_report_rising_fractions_and_render_the_same(engine):
    a, b = (engine.seed_latent(s, engine.classes[0]) for s in (1, 2))
    seen: list[float] = []
    checked = engine.path([a, b], 40, check=seen.append)
    plain = engine.path([a, b], 40)
    assert seen and seen[0] == 0.0 and seen == sorted(seen) and seen[-1] < 1.0
    np.testing.assert_allclose(checked.audio, plain.audio, atol=1e-5)
    from tests.helpers import synthetic_break

    loop = synthetic_break(np.random.default_rng(3))
    fractions: list[float] = []
    starts, render = engine.invert_slices(loop, 44100, 2, fractions.append)
    assert fractions[0] == 0.0 and fractions == sorted(fractions) and fractions[-1] < 1.0
    assert len(fractions) >= len(starts) + 2  # encoding, each slice's refinement, rendering
    _, plain = engine.invert_slices(loop, 44100, 2)  # encoded in other batch sizes: rounding
    # Adam's first steps move every coordinate by about 0.02 whatever its gradient's size, so
    # rounding can flip the sign of a near-zero gradient: after 2 steps at most 2 x 0.02 apart.
    np.testing.assert_allclose(render.latent, plain.latent, atol=0.045)
    _, encoded = engine.invert_slices(loop, 44100, 0, fractions.append)
    _, encoded_plain = engine.invert_slices(loop, 44100, 0)
    np.testing.assert_allclose(encoded.latent, encoded_plain.latent, atol=1e-3)


def test_a_checked_render_reports_its_slices_and_sounds_as_one_batch(engine):
    latents = engine.kit_latents(3)
    fractions: list[float] = []
    checked = engine.render(latents, fractions.append).audio
    assert fractions and fractions[0] == 0.0 and fractions == sorted(fractions)
    assert all(f < 1.0 for f in fractions)
    np.testing.assert_allclose(checked, engine.kit(3).audio, atol=1e-5)


def test_seed_latents_map_a_batch_of_seeds_as_one_at_a_time(engine):
    seeds, classes, psis = [4, 9, 4, 0], ["kick", "hat", "snare", "kick"], [1.0, 0.5, 1.7, 0.0]
    batch = engine.seed_latents(seeds, classes, psis)
    assert batch.shape == (4, engine.w_dim) and batch.dtype == np.float32
    alone = np.stack([engine.seed_latent(*one) for one in zip(seeds, classes, psis, strict=True)])
    np.testing.assert_array_equal(batch, alone)  # to the bit: a slot's latent is its seed's
    np.testing.assert_array_equal(engine.seed_latents([9], ["hat"], [0.5])[0], alone[1])
