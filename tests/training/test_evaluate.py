"""Evaluation: each measure against a case with a known answer, then the whole report and CLI."""

from __future__ import annotations

import dataclasses
import json
import math
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from oscserver.audio.dsp import multires_spectral_distance
from oscserver.cli import main
from oscserver.model.config import tiny_config
from oscserver.training.dataset import Dataset
from oscserver.training.evaluate import (
    ENVELOPE_NAMES,
    FEATURE_MELS,
    EvalConfig,
    EvaluationError,
    best_of,
    copies_of_training,
    evaluate,
    fit_classifier,
    format_summary,
    frechet_distance,
    group_pair_distances,
    mean_pairwise_distance,
    nearest_distances,
    noise_bursts,
    read_losses,
    sound_features,
)
from oscserver.training.tiny import synthetic_drums

SMALL = EvalConfig(per_class=8, refine_steps=2, invert_count=2, best_of=8, preview=4,
                   sweep_steps=3)  # fmt: skip


def synthetic(classes: tuple[str, ...], per_class: int = 16, seed: int = 1) -> Dataset:
    """Synthetic drums with two 'velocity layers' per group and augmented copies of 4 sounds."""
    data = synthetic_drums(classes, per_class, tiny_config(classes), np.random.default_rng(seed))
    data = dataclasses.replace(data, group=np.arange(len(data.audio), dtype=np.int32) // 2)
    train = np.flatnonzero(data.split == 0)[:4]
    copies = data.subset(train)
    copies = dataclasses.replace(copies, audio=(copies.audio[:, ::-1] * 0.5).copy(),
                                 augmented=np.ones(len(train), np.int8))  # fmt: skip
    return Dataset(*(np.concatenate([getattr(data, f), getattr(copies, f)])
                     for f in ("audio", "class_id", "split", "group", "augmented")),
                   data.classes, data.sample_rate)  # fmt: skip


def save_npz(data: Dataset, path: Path) -> Path:
    np.savez(path, audio=data.audio, class_id=data.class_id, split=data.split, group=data.group,
             augmented=data.augmented, classes=np.array(data.classes),
             sample_rate=np.array(data.sample_rate))  # fmt: skip
    return path


# ---- the measures ------------------------------------------------------------------------


def test_features_shape_and_finite():
    data = synthetic(("kick", "snare", "hat"), per_class=4)
    f = sound_features(data.audio, data.sample_rate)
    assert f.stats.shape == (len(data.audio), 2 * FEATURE_MELS)
    assert f.envelope.shape == (len(data.audio), len(ENVELOPE_NAMES))
    assert np.all(np.isfinite(f.combined))


def test_envelope_decay_time_of_an_exponential():
    sr, frames = 44100, 32768
    t = np.arange(frames) / sr
    # 20 dB down after ln(10) / rate seconds.
    rate = 20.0
    audio = (np.sin(2 * np.pi * 440 * t) * np.exp(-t * rate))[None].astype(np.float32)
    env = dict(zip(ENVELOPE_NAMES, sound_features(audio, sr).envelope[0], strict=True))
    assert env["decay20_s"] == pytest.approx(np.log(10) / rate, abs=0.015)
    assert env["decay40_s"] == pytest.approx(2 * np.log(10) / rate, abs=0.015)
    assert env["attack_s"] < 0.01


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
    uniform = np.full(len(both), 0.3)
    assert frechet_distance(both, c, uniform) == pytest.approx(frechet_distance(both, c))
    only_a = np.r_[np.ones(len(a)), np.zeros(len(b))]
    assert frechet_distance(both, c, only_a) == pytest.approx(frechet_distance(a, c))
    assert frechet_distance(c, both, None, only_a) == pytest.approx(frechet_distance(c, a))


def test_frechet_with_fewer_vectors_than_dimensions_is_finite():
    rng = np.random.default_rng(2)
    d = frechet_distance(rng.standard_normal((10, 64)), rng.standard_normal((64, 64)))
    assert math.isfinite(d) and d > 0
    with pytest.raises(ValueError, match="at least 2"):
        frechet_distance(np.zeros((1, 4)), np.zeros((5, 4)))


def test_classifier_separates_different_synthetic_classes():
    data = synthetic(("kick", "snare", "hat"), per_class=20, seed=3)
    f = sound_features(data.audio, data.sample_rate).combined
    train, test = data.split == 0, (data.split == 1) & (data.augmented == 0)
    clf = fit_classifier(f[train], data.class_id[train])
    accuracy = np.mean(clf.predict(f[test]) == data.class_id[test])
    assert accuracy > 0.9


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
    copies = f[:10]
    assert np.all(nearest_distances(copies, f) < layers.min())
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


def test_best_of_finds_the_nearest_candidate_by_spectral_distance():
    rng = np.random.default_rng(6)
    candidates = noise_bursts(40, 4096, 44100, rng)  # more than one chunk of candidates
    targets = candidates[[33, 5]] + 0.001 * rng.standard_normal((2, 4096)).astype(np.float32)
    best, index = best_of(candidates, targets)
    assert index.tolist() == [33, 5]
    for t in range(2):
        every = multires_spectral_distance(
            candidates, np.broadcast_to(targets[t], candidates.shape)
        )
        assert best[t] == pytest.approx(every.min(), rel=1e-12)


def test_losses_of_a_resumed_run_keep_the_last_row_of_each_step(tmp_path):
    rows = [{"step": s, "d": float(s)} for s in (1, 2, 3)] + [{"step": 2, "d": 20.0}]
    path = tmp_path / "losses.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n\n")
    assert read_losses(path) == [{"step": 1, "d": 1.0}, {"step": 2, "d": 20.0},
                                 {"step": 3, "d": 3.0}]  # fmt: skip


def test_noise_bursts_follow_their_generator():
    a = noise_bursts(4, 4096, 44100, np.random.default_rng(5))
    b = noise_bursts(4, 4096, 44100, np.random.default_rng(5))
    assert a.shape == (4, 4096) and a.dtype == np.float32
    np.testing.assert_array_equal(a, b)
    np.testing.assert_allclose(np.abs(a).max(axis=1), 0.9, rtol=1e-6)


# ---- the whole evaluation ------------------------------------------------------------------


def _numbers(node, path="report"):
    """Every number in a JSON tree, with its path."""
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _numbers(v, f"{path}.{k}")
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _numbers(v, f"{path}[{i}]")
    elif isinstance(node, (int, float)) and not isinstance(node, bool):
        yield path, node
    elif node is None:
        yield path, None


def test_report_on_the_tiny_model(engine, tmp_path):
    data = synthetic(engine.classes)
    losses = [{"step": i, "seconds": i * 0.1, "d": 1.0 / (i + 1), "g": 2.0} for i in range(1, 40)]
    report = evaluate(engine, data, tmp_path, SMALL, losses=losses)

    for key in (
        "class_fidelity",
        "frechet",
        "diversity",
        "memorisation",
        "inversion",
        "targets",
        "figures",
        "counts",
        "training",
    ):
        assert key in report, key
    assert json.loads((tmp_path / "report.json").read_text()) == report
    for path, value in _numbers(report):
        if path.endswith(".limit") or path == "report.training.last.seconds":
            continue
        assert value is not None and math.isfinite(value), path
    for table in ("generated", "train_floor", "noise_baseline"):
        assert set(report["frechet"][table]) == {*engine.classes, "overall"}
    assert report["inversion"]["sounds"] == dict.fromkeys(engine.classes, 2)
    assert set(report["targets"]) == {"class_fidelity", "frechet", "diversity", "inversion",
                                      "memorisation"}  # fmt: skip
    assert all(isinstance(t["pass"], bool) for t in report["targets"].values())
    assert report["memorisation"]["layer_pairs"] > 0
    # Augmented copies are training sounds for the classifier, not for the counts of real ones.
    assert sum(c["train_augmented"] for c in report["counts"].values()) == 4

    expected = {"confusion.png", "losses.png"}
    for cls in engine.classes:
        expected |= {f"generated_{cls}.png", f"sweep_{cls}.png", f"inversion_{cls}.png"}
    assert set(report["figures"]) == expected
    for name in expected:
        assert (tmp_path / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", name

    summary = format_summary(report)
    assert all(cls in summary for cls in engine.classes)
    assert summary.count("PASS") + summary.count("FAIL") == 5


def test_evaluation_refuses_a_dataset_of_other_classes(engine, tmp_path):
    data = synthetic(("kick", "snare", "tom"), per_class=4)
    with pytest.raises(EvaluationError, match="classes"):
        evaluate(engine, data, tmp_path, SMALL)


def test_cli_evaluate(tiny_model, tmp_path):
    from oscserver.engine import DrumEngine

    classes = DrumEngine.load(tiny_model, warmup=False).classes
    npz = save_npz(synthetic(classes), tmp_path / "data.npz")
    losses = tmp_path / "losses.jsonl"
    losses.write_text("".join(json.dumps({"step": i, "d": 1.0, "g": 2.0}) + "\n"
                              for i in range(1, 5)))  # fmt: skip
    out = tmp_path / "eval"
    result = CliRunner().invoke(main, [
        "evaluate", "--model", str(tiny_model), "--data", str(npz), "--out", str(out),
        "--per-class", "4", "--refine-steps", "1", "--invert-count", "1", "--best-of", "4",
        "--losses", str(losses)])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "fidelity" in result.output and "memorisation" in result.output
    assert (out / "report.json").is_file() and (out / "losses.png").is_file()


@pytest.mark.parametrize("case", ["no-model", "no-data", "other-classes", "bad-losses"])
def test_cli_evaluate_errors_are_one_line(case, tiny_model, tmp_path):
    npz = save_npz(synthetic(("kick", "snare", "hat"), per_class=4), tmp_path / "data.npz")
    args = {"--model": str(tiny_model), "--data": str(npz), "--out": str(tmp_path / "eval")}
    if case == "no-model":
        args["--model"] = str(tmp_path / "missing")
    elif case == "no-data":
        args["--data"] = str(tmp_path / "missing.npz")
    elif case == "other-classes":
        args["--data"] = str(save_npz(synthetic(("kick", "snare", "tom"), per_class=4),
                                      tmp_path / "other.npz"))  # fmt: skip
    else:
        (tmp_path / "losses.jsonl").write_text("{not json\n")
        args["--losses"] = str(tmp_path / "losses.jsonl")
    result = CliRunner().invoke(main, ["evaluate", *[x for kv in args.items() for x in kv]])
    assert result.exit_code == 1, result.output
    lines = [line for line in result.output.splitlines() if line.startswith("Error:")]
    assert len(lines) == 1, result.output
    assert {"no-model": "no model", "no-data": "no dataset", "other-classes": "differ",
            "bad-losses": "not JSON"}[case] in lines[0]  # fmt: skip
