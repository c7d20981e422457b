"""The mapping network fitted to encoded real drums: the statistic, the fit, the command."""

import json

import keras
import numpy as np
import pytest
import tensorflow as tf
from click.testing import CliRunner

from oscserver.cli import main
from oscserver.model.config import tiny_config
from oscserver.model.mapping import build_mapping
from oscserver.training.mapping import (
    MappingFitConfig,
    MappingFitError,
    energy_distance,
    fit_mapping,
)
from tests.training.test_dataset import make_kit
from tests.training.test_recipe import invoke


def test_energy_distance_is_zero_only_for_the_same_distribution():
    rng = np.random.default_rng(0)
    x, y = (tf.constant(rng.standard_normal((256, 8)), tf.float32) for _ in range(2))
    same = float(energy_distance(x, x))
    twin = float(energy_distance(x, y))
    shifted = float(energy_distance(x, y + 1.0))
    wider = float(energy_distance(x, 3.0 * y))  # same mean, another spread
    assert abs(same) < 1e-3 and twin < 0.1
    assert shifted > 10 * twin and wider > 10 * twin
    assert float(energy_distance(y + 1.0, x)) == pytest.approx(shifted, rel=1e-5)


def test_the_fitted_mapping_gives_each_class_the_mean_and_spread_of_its_drums():
    keras.utils.set_random_seed(0)  # the mapping's initial weights
    config = tiny_config(("kick", "snare"))
    mapping = build_mapping(config)
    rng = np.random.default_rng(1)
    centre = rng.standard_normal((2, config.w_dim)).astype(np.float32) * 2.0
    spread = np.array([0.2, 0.6], np.float32)
    encoded = [centre[c] + spread[c] * rng.standard_normal((80, config.w_dim)).astype(np.float32)
               for c in range(2)]  # fmt: skip
    z = np.random.default_rng(2).standard_normal((512, config.z_dim)).astype(np.float32)

    def mapped(c: int) -> np.ndarray:
        return mapping([z, np.full(512, c, np.int32)]).numpy()

    before = [float(energy_distance(mapped(c), encoded[c])) for c in range(2)]
    history = fit_mapping(mapping, encoded, MappingFitConfig(steps=300, batch=64, lr=3e-3))
    assert [row["step"] for row in history] == [50, 100, 150, 200, 250, 300]
    for c in range(2):
        w = mapped(c)
        assert float(energy_distance(w, encoded[c])) < 0.1 * before[c]
        assert np.linalg.norm(w.mean(0) - centre[c]) < 0.25 * np.linalg.norm(centre[c])
        assert w.std(0).mean() == pytest.approx(spread[c], rel=0.4)


def test_a_class_without_two_drums_is_a_clear_error():
    mapping = build_mapping(tiny_config(("kick", "snare")))
    w_dim = mapping.outputs[0].shape[-1]
    with pytest.raises(MappingFitError, match="at least 2 encoded drums"):
        fit_mapping(mapping, [np.zeros((5, w_dim)), np.zeros((1, w_dim))], MappingFitConfig())


def test_reconstruction_first_route_from_the_command_line(tmp_path):
    kits = make_kit(tmp_path / "kits", np.random.default_rng(0))
    data, run, model = tmp_path / "d.npz", tmp_path / "run", tmp_path / "m"
    invoke("dataset", kits, "-o", data, "--classes", "kick,snare,hat", "--arch", "tiny",
           "--test-fraction", "0.34")  # fmt: skip
    run.mkdir()
    for command in ("fit-mapping", "fit-class-head"):
        result = CliRunner().invoke(main, [command, "--run", str(run), "--data", str(data)])
        assert result.exit_code != 0 and "no checkpoint" in result.output
    # a GAN run without reconstruction has no encoder to fit to
    invoke("train", "--data", data, "--run", run, "--steps", 1, "--batch", 4, "--arch", "tiny")
    result = CliRunner().invoke(main, ["fit-mapping", "--run", str(run), "--data", str(data)])
    assert result.exit_code != 0 and "no encoder" in result.output
    assert "Traceback" not in result.output

    ae = tmp_path / "ae"
    invoke("train", "--data", data, "--run", ae, "--steps", 2, "--batch", 4, "--arch", "tiny",
           "--recon-weight", 1, "--adv-weight", 0, "--stats-weight", 0)  # fmt: skip
    # from fresh weights: drawn from the seed, so the same command gives the same fit
    from oscserver.model.mapping import build_mapping

    def fitted(*flags: object) -> list[np.ndarray]:
        invoke("fit-mapping", "--run", ae, "--data", data, "--steps", 2, "--batch", 8, *flags)
        mapping = build_mapping(tiny_config(("kick", "snare", "hat")))
        mapping.load_weights(ae / "mapping.weights.h5")
        return mapping.get_weights()

    scratch = fitted("--from-scratch", "--seed", 5)
    assert json.loads((ae / "mapping_fit.json").read_text())["config"]["from_scratch"]
    for a, b in zip(scratch, fitted("--from-scratch", "--seed", 5), strict=True):
        np.testing.assert_array_equal(a, b)
    assert any(not np.array_equal(a, b) for a, b in zip(scratch, fitted("--seed", 5), strict=True))
    invoke("fit-mapping", "--run", ae, "--data", data, "--steps", 4, "--batch", 8)
    fit = json.loads((ae / "mapping_fit.json").read_text())
    assert fit["checkpoint_step"] == 2 and set(fit["drums"]) == {"kick", "snare", "hat"}
    assert fit["energy"][-1]["step"] == 4 and fit["energy"][-1]["snare"] >= 0
    invoke("fit-pca", "--run", ae, "--samples", 500, "--axes", 4)
    invoke("fit-class-head", "--run", ae, "--data", data)
    named = json.loads((ae / "class_head.json").read_text())["held_out_named_right"]
    assert set(named) == {"kick", "snare", "hat"} and all(0 <= v <= 1 for v in named.values())
    invoke("export", "--run", ae, "-o", model)  # the encoder is the checkpoint's

    from oscserver.engine import DrumEngine
    from oscserver.model.generator import Generator, seed_to_z

    engine = DrumEngine.load(model, warmup=False)
    fitted = Generator.build(engine.config)
    fitted.mapping.load_weights(ae / "mapping.weights.h5")
    z = seed_to_z(3, engine.config.z_dim)[None]
    np.testing.assert_allclose(
        engine.seed_latent(3, "snare"), fitted.mapping([z, np.array([1], np.int32)])[0], atol=1e-5
    )
    # the autoencoder's live synthesis network, the one its encoder learned to drive
    live = Generator.build(engine.config)
    live.synthesis.load_weights(ae / "checkpoint" / "synthesis.weights.h5")
    shipped = Generator.build(engine.config)
    shipped.synthesis.load_weights(model / "synthesis.weights.h5")
    for a, b in zip(shipped.synthesis.weights, live.synthesis.weights, strict=True):
        np.testing.assert_array_equal(a.numpy(), b.numpy())
    manifest = json.loads((model / "manifest.json").read_text())
    assert manifest["training"]["mapping_fit"]["config"]["steps"] == 4
    # the class head goes into the model, with what it named right of the held-out drums
    assert engine.artifact.class_head is not None
    assert manifest["training"]["class_head"] == named
