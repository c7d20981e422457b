"""Artifact save/load/validation and network shapes for every shipped configuration."""

import json
import shutil

import numpy as np
import pytest

from oscserver.model.artifact import ArtifactError, load_artifact, save_artifact
from oscserver.model.config import ModelConfig, tiny_config
from oscserver.model.discriminator import build_discriminator, build_features
from oscserver.model.encoder import build_encoder
from oscserver.model.generator import Generator


@pytest.mark.parametrize("config", [ModelConfig(), tiny_config()], ids=["default", "tiny"])
def test_networks_output_shapes_and_dtypes(config):
    gen = Generator.build(config)
    w = gen.mapping([np.zeros((2, config.z_dim), np.float32), np.array([0, 1], np.int32)])
    assert tuple(w.shape) == (2, config.w_dim)
    layer, synth = gen.noise(np.random.default_rng(0), 2)
    ws = np.repeat(np.asarray(w)[:, None], config.num_ws, axis=1)
    audio = gen.synthesis([ws, layer, synth])
    assert tuple(audio.shape) == (2, config.frames) and audio.dtype == "float32"
    mel = build_features(config)(audio)
    logits = build_discriminator(config)([np.asarray(mel), np.array([0, 1], np.int32)])
    assert tuple(logits.shape) == (2,)
    w, logits = build_encoder(config)(audio)
    assert tuple(w.shape) == (2, config.w_dim)
    assert tuple(logits.shape) == (2, len(config.classes))  # the class head


def test_default_config_is_at_least_32768_samples():
    assert ModelConfig().frames >= 32768 and ModelConfig().sample_rate == 44100


def test_config_json_round_trip():
    c = tiny_config(("kick", "snare", "hat", "tom"))
    assert ModelConfig.from_json(json.loads(json.dumps(c.to_json()))) == c


def copy_model(tiny_model, tmp_path):
    dst = tmp_path / "m"
    shutil.copytree(tiny_model, dst)
    return dst


def test_save_load_gives_identical_audio(tiny_model, engine, tmp_path):
    art = load_artifact(tiny_model)
    again = save_artifact(tmp_path / "again", art.config, art.generator, art.encoder, art.pca)
    from oscserver.engine import DrumEngine

    other = DrumEngine.load(again, warmup=False)
    np.testing.assert_array_equal(other.generate(9, "kick").audio, engine.generate(9, "kick").audio)


def test_missing_file_named(tiny_model, tmp_path):
    m = copy_model(tiny_model, tmp_path)
    (m / "pca.npz").unlink()
    with pytest.raises(ArtifactError, match="missing pca.npz"):
        load_artifact(m)


def test_checksum_mismatch_named(tiny_model, tmp_path):
    m = copy_model(tiny_model, tmp_path)
    with (m / "synthesis.weights.h5").open("ab") as f:
        f.write(b"\0")
    with pytest.raises(ArtifactError, match="checksum mismatch for synthesis.weights.h5"):
        load_artifact(m)


def test_unknown_version_named(tiny_model, tmp_path):
    m = copy_model(tiny_model, tmp_path)
    manifest = json.loads((m / "manifest.json").read_text())
    manifest["format_version"] = "99"
    (m / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(ArtifactError, match="unknown format version '99'"):
        load_artifact(m)


def test_missing_folder(tmp_path):
    with pytest.raises(ArtifactError, match="model folder not found"):
        load_artifact(tmp_path / "nothing")
