"""Artifact save/load/validation and network shapes for every shipped configuration."""

import json
import shutil

import numpy as np
import pytest

from oscserver.model.artifact import (
    ArtifactError,
    attach_residual_head,
    load_artifact,
    save_artifact,
)
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


@pytest.mark.parametrize("name", ["class_head.npz", "residual_head.weights.h5"])
def test_a_listed_optional_file_is_checked(tiny_model, tmp_path, name):
    m = copy_model(tiny_model, tmp_path)
    with (m / name).open("ab") as f:
        f.write(b"\0")
    with pytest.raises(ArtifactError, match=f"checksum mismatch for {name}"):
        load_artifact(m)
    (m / name).unlink()
    with pytest.raises(ArtifactError, match=f"missing {name}"):
        load_artifact(m)


def test_the_residual_head_survives_a_save_and_a_foreign_one_is_refused(tiny_model, tmp_path):
    from oscserver.model.residual_head import build_residual_head

    art = load_artifact(tiny_model)
    again = save_artifact(tmp_path / "again", art.config, art.generator, art.encoder, art.pca,
                          residual_head=art.residual_head)  # fmt: skip
    back = load_artifact(again).residual_head
    for a, b in zip(art.residual_head.weights, back.weights, strict=True):
        np.testing.assert_array_equal(np.asarray(a), np.asarray(b))
    # a head of another architecture does not go into the model, which stays as it was
    foreign = tmp_path / "foreign.weights.h5"
    build_residual_head(ModelConfig()).save_weights(foreign)
    before = (again / "manifest.json").read_text()
    with pytest.raises(ArtifactError, match="is not a residual head of again"):
        attach_residual_head(again, foreign, {})
    assert (again / "manifest.json").read_text() == before
    assert load_artifact(again).residual_head is not None


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
