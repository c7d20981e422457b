"""The class head: it names held-out drums, at any level, through a save and load, and the
engine reports its class for inverted sounds."""

import dataclasses
import json

import numpy as np
import pytest
from sklearn.ensemble import HistGradientBoostingClassifier

from oscserver.engine import DrumEngine
from oscserver.model.artifact import load_artifact
from oscserver.model.class_head import CLASS_HEAD_FILE, ClassHead, ClassHeadError, head_features
from oscserver.model.config import tiny_config
from oscserver.training.tiny import synthetic_drums

CLASSES = ("kick", "snare", "hat")


@pytest.fixture(scope="module")
def drums():
    config = tiny_config(CLASSES)
    return synthetic_drums(CLASSES, 16, config, np.random.default_rng(0))


@pytest.fixture(scope="module")
def head(drums) -> ClassHead:
    train = drums.split == 0
    return ClassHead.fit(drums.audio[train], drums.class_id[train], 3, drums.sample_rate)


def test_the_head_names_drums_it_never_saw_at_any_level(drums, head):
    test = drums.split == 1
    named = head.predict(drums.audio[test])
    assert np.mean(named == drums.class_id[test]) >= 0.9
    np.testing.assert_array_equal(head.predict(0.05 * drums.audio[test]), named)
    assert head.predict(drums.audio[:0]).shape == (0,)


@pytest.mark.parametrize("classes", [2, 3])
def test_the_walked_trees_score_as_scikit_learn_does(drums, classes):
    keep = drums.class_id < classes
    features = head_features(drums.audio[keep], drums.sample_rate)
    trees = HistGradientBoostingClassifier(max_iter=20, min_samples_leaf=2, random_state=0)
    trees.fit(features, drums.class_id[keep])
    head = ClassHead.from_trees(trees, drums.sample_rate)
    assert head.classes == classes
    scores, expected = head.scores(features), trees.decision_function(features)
    if classes == 2:  # scikit-learn gives the second class's score alone
        expected = np.stack([np.zeros_like(expected), expected], axis=1)
    np.testing.assert_allclose(scores, expected, atol=1e-9)
    np.testing.assert_array_equal(scores.argmax(axis=1), trees.predict(features))


def test_the_head_reads_back_as_it_was_saved(drums, head, tmp_path):
    head.save(tmp_path / "head.npz")
    again = ClassHead.load(tmp_path / "head.npz")
    assert again.sample_rate == drums.sample_rate and again.classes == 3
    np.testing.assert_array_equal(again.predict(drums.audio), head.predict(drums.audio))


def test_a_file_that_is_no_class_head_is_a_clear_error(head, tmp_path):
    garbage = tmp_path / "garbage.npz"
    garbage.write_bytes(b"not an npz file")
    with pytest.raises(ClassHeadError, match="not a readable class head"):
        ClassHead.load(garbage)
    np.savez(tmp_path / "other.npz", weights=np.zeros(3))
    with pytest.raises(ClassHeadError, match="not a readable class head"):
        ClassHead.load(tmp_path / "other.npz")
    # a child that points out of its tree would index past the arrays
    broken = dataclasses.replace(head, left=head.left + head.left.shape[1])
    broken.save(tmp_path / "broken.npz")
    with pytest.raises(ClassHeadError, match="inconsistent trees"):
        ClassHead.load(tmp_path / "broken.npz")


def test_every_class_needs_two_drums(drums):
    labels = np.where(drums.class_id == 2, 1, drums.class_id)  # no hats left
    with pytest.raises(ValueError, match="2 sounds of every class"):
        ClassHead.fit(drums.audio, labels, 3, drums.sample_rate)


def test_the_engine_names_inverted_sounds_with_the_models_head(tiny_model):
    artifact = load_artifact(tiny_model)
    assert artifact.class_head is not None  # the tiny model ships one, as drums-v2 does
    classes = artifact.config.classes
    drums = synthetic_drums(classes, 8, artifact.config, np.random.default_rng(1))
    # a head that names every drum one class up: what it says is not what the encoder says
    shifted = ClassHead.fit(
        drums.audio, (drums.class_id + 1) % len(classes), len(classes), drums.sample_rate
    )
    sound = drums.audio[drums.class_id == 0][0]
    engine = DrumEngine(dataclasses.replace(artifact, class_head=shifted), warmup=False)
    named = classes[int(shifted.predict(engine.prepare(sound, drums.sample_rate)[None])[0])]
    assert engine.invert(sound, drums.sample_rate).labels == (named,)
    assert named == classes[1]
    # without a head, the encoder's own names the sound
    encoder_only = DrumEngine(dataclasses.replace(artifact, class_head=None), warmup=False)
    logits = artifact.encoder(encoder_only.prepare(sound, drums.sample_rate)[None])[1]
    expected = classes[int(np.argmax(logits[0]))]
    assert encoder_only.invert(sound, drums.sample_rate).labels == (expected,)


def test_a_model_whose_manifest_lists_no_head_loads(tiny_model, tmp_path):
    # (a listed head that changed or is missing stops the model: tests/model/test_artifact.py)
    import shutil

    model = tmp_path / "m"
    shutil.copytree(tiny_model, model)
    (model / CLASS_HEAD_FILE).unlink()
    manifest = json.loads((model / "manifest.json").read_text())
    del manifest["checksums"][CLASS_HEAD_FILE]
    (model / "manifest.json").write_text(json.dumps(manifest))
    assert load_artifact(model).class_head is None
