"""Style mixing, class hybrids and kits on the real (tiny) model."""

import numpy as np
import pytest

from oscserver.engine import latent as L


def test_mix_styles_splits_at_the_layer() -> None:
    a, b = np.zeros(4, np.float32), np.ones(4, np.float32)
    ws = L.mix_styles(a, b, 9, 3)
    assert ws.shape == (9, 4)
    assert np.all(ws[:3] == 0) and np.all(ws[3:] == 1)
    assert np.all(L.mix_styles(a, b, 9)[:4] == 0) and np.all(L.mix_styles(a, b, 9)[4:] == 1)
    with pytest.raises(ValueError, match="layer must be between 0 and 9"):
        L.mix_styles(a, b, 9, 10)
    with pytest.raises(ValueError, match="alike"):
        L.mix_styles(a, np.ones(5), 9)
    per_layer = np.arange(36, dtype=np.float32).reshape(9, 4)
    np.testing.assert_array_equal(L.mix_styles(per_layer, b, 9, 2)[:2], per_layer[:2])
    np.testing.assert_array_equal(L.mix_styles(a, per_layer, 9, 2)[2:], per_layer[2:])


def test_mix_of_a_latent_with_itself_is_its_sound(engine) -> None:
    a = engine.seed_latent(3, engine.classes[0])
    np.testing.assert_array_equal(engine.mix(a, a).audio, engine.render(a).audio)


def test_mix_ends_are_the_two_sounds(engine) -> None:
    a = engine.seed_latent(3, engine.classes[0])
    b = engine.seed_latent(4, engine.classes[1])
    mixed = engine.mix(a, b, 4)
    assert mixed.audio.shape == (engine.frames,)
    assert mixed.latent.shape == (engine.num_ws, engine.w_dim)
    np.testing.assert_array_equal(mixed.latent[:4], np.tile(a, (4, 1)))
    np.testing.assert_array_equal(mixed.latent[4:], np.tile(b, (engine.num_ws - 4, 1)))
    # all layers from A is A's sound, all from B is B's: the per-layer path agrees with the
    # fast path within float rounding
    np.testing.assert_allclose(
        engine.mix(a, b, engine.num_ws).audio, engine.render(a).audio, atol=1e-5
    )
    np.testing.assert_allclose(engine.mix(a, b, 0).audio, engine.render(b).audio, atol=1e-5)
    assert not np.allclose(mixed.audio, engine.render(a).audio, atol=1e-4)
    with pytest.raises(ValueError, match="layer"):
        engine.mix(a, b, engine.num_ws + 1)


def test_render_styles_batches_and_checks(engine) -> None:
    ws = np.stack([L.mix_styles(engine.class_mean(k), engine.class_mean(k), engine.num_ws)
                   for k in engine.classes])  # fmt: skip
    r = engine.render_styles(ws)
    assert r.audio.shape == (len(engine.classes), engine.frames)
    with pytest.raises(ValueError, match="styles must be"):
        engine.render_styles(np.zeros((2, engine.w_dim), np.float32))
    bad = ws[0].copy()
    bad[0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        engine.render_styles(bad)


def test_hybrid_of_one_class_is_its_seed(engine) -> None:
    cls = engine.classes[1]
    np.testing.assert_allclose(
        engine.hybrid_latent([(cls, 0.3)], 11, 0.8), engine.seed_latent(11, cls, 0.8), atol=1e-5
    )


def test_hybrid_blends_inside_the_mapping(engine) -> None:
    a, b = engine.classes[0], engine.classes[1]
    half = engine.hybrid_latent([(a, 1.0), (b, 1.0)], 5)
    ends = [engine.seed_latent(5, k) for k in (a, b)]
    # between the two classes, but not their straight average in W: the blend is of the
    # embeddings, before the mapping's non-linear layers
    assert not np.allclose(half, ends[0]) and not np.allclose(half, ends[1])
    assert not np.allclose(half, (ends[0] + ends[1]) / 2, atol=1e-6)
    # psi 0: the class means blended by the same weights
    np.testing.assert_allclose(
        engine.hybrid_latent([(a, 3.0), (b, 1.0)], 5, 0.0),
        0.75 * engine.class_mean(a) + 0.25 * engine.class_mean(b),
        atol=1e-5,
    )
    r = engine.hybrid([(a, 0.7), (b, 0.3)], 5)
    assert r.audio.shape == (engine.frames,) and np.all(np.isfinite(r.audio))


@pytest.mark.parametrize(
    ("blend", "words"),
    [
        ([("kick", -1.0)], "weights must be finite and >= 0"),
        ([("kick", float("nan"))], "weights must be finite"),
        ([("kick", 0.0)], "a class with a weight above 0"),
        ([("cowbell", 1.0)], "unknown class"),
    ],
)
def test_hybrid_refuses(engine, blend, words) -> None:
    with pytest.raises(ValueError, match=words):
        engine.hybrid_latent(blend, 1)


def test_kit_is_the_same_seed_through_every_class(engine) -> None:
    kit = engine.kit(9, 0.9)
    n = len(engine.classes)
    assert kit.audio.shape == (n, engine.frames) and kit.latent.shape == (n, engine.w_dim)
    for i, cls in enumerate(engine.classes):
        np.testing.assert_array_equal(kit.latent[i], engine.seed_latent(9, cls, 0.9))
        np.testing.assert_allclose(kit.audio[i], engine.generate(9, cls, 0.9).audio, atol=1e-5)
