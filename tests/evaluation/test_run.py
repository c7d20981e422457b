"""The whole evaluation on the tiny model, and `drumsynth evaluate`."""

from __future__ import annotations

import json
import math

import pytest
from click.testing import CliRunner

from oscserver.cli import EXIT_TARGETS_MISSED, main
from oscserver.evaluation.config import EvalConfig, EvaluationError
from oscserver.evaluation.report import INVERSION_CLASS_TARGETS, Diversity, format_table
from oscserver.evaluation.run import evaluate, read_losses
from tests.evaluation.synth import record, report, save_npz, synthetic

SMALL = EvalConfig(per_class=8, invert_count=3, refine_count=1, refine_steps=2, best_of=8,
                   noise_count=8, preview=4, sweep_axes=1, sweep_steps=3)  # fmt: skip


def _numbers(node, path="report"):
    """Every number (or None) in a JSON tree, with its path."""
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


def test_report_on_the_tiny_model_is_per_class(engine, tmp_path):
    data = synthetic(engine.classes)
    losses = [{"step": i, "seconds": i * 0.1, "d": 1.0 / (i + 1), "g": 2.0} for i in range(1, 40)]
    lines: list[str] = []
    report = evaluate(engine, data, tmp_path, SMALL, losses=losses, log=lines.append)

    assert [c.name for c in report.per_class] == list(engine.classes)
    data_json = json.loads((tmp_path / "report.json").read_text())
    assert data_json == json.loads(json.dumps(report.to_json()))
    for path, value in _numbers(data_json):
        assert value is None or math.isfinite(value), path
    for c in report.per_class:
        assert c.counts.test == 3 and c.counts.inverted == 3 and c.counts.refined == 1
        assert c.inversion is not None and sum(c.inversion.heard.values()) == 3
        # Played with other noise, a sound is still nearer itself than any seed is to a real drum.
        assert 0 < c.inversion.noise_floor < c.inversion.best_of, c.name
        assert c.frechet.generated is not None and c.frechet.train_floor is not None
        assert len(c.targets) == 9
        applies = {t.name: t.applies for t in c.targets}
        assert applies["inversion_class"] == (c.name in INVERSION_CLASS_TARGETS)
        assert all(t.value is not None and t.limit is not None for t in c.targets), c.name
    # Augmented copies are training sounds for the classifiers, not for the counts of real ones.
    assert sum(c.counts.train_augmented for c in report.per_class) == 4
    assert report.layers.pairs > 0

    expected = {"confusion_band.png", "confusion_shape.png", "losses.png"}
    for cls in engine.classes:
        expected |= {f"generated_{cls}.png", f"sweep_{cls}.png", f"inversion_{cls}.png"}
    assert set(report.figures) == expected
    for name in expected:
        assert (tmp_path / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", name

    table = format_table(report)
    assert all(cls in table for cls in engine.classes)
    # Progress lines carry the elapsed time.
    assert lines and all(line.startswith("[") and " s] " in line for line in lines)
    assert any("inverting 3 test sounds" in line for line in lines)


def test_evaluation_refuses_a_dataset_of_other_classes(engine, tmp_path):
    data = synthetic(("kick", "snare", "tom"), per_class=4)
    with pytest.raises(EvaluationError, match="classes"):
        evaluate(engine, data, tmp_path, SMALL)


def test_losses_of_a_resumed_run_keep_the_last_row_of_each_step(tmp_path):
    rows = [{"step": s, "d": float(s)} for s in (1, 2, 3)] + [{"step": 2, "d": 20.0}]
    path = tmp_path / "losses.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n\n")
    assert read_losses(path) == [{"step": 1, "d": 1.0}, {"step": 2, "d": 20.0},
                                 {"step": 3, "d": 3.0}]  # fmt: skip


CLI_SMALL = ["--per-class", "4", "--invert-count", "2", "--refine-count", "1",
             "--refine-steps", "1", "--best-of", "4"]  # fmt: skip


def test_cli_evaluate_fails_a_model_that_misses_and_names_the_misses(tiny_model, tmp_path):
    from oscserver.engine import DrumEngine

    classes = DrumEngine.load(tiny_model, warmup=False).classes
    npz = save_npz(synthetic(classes), tmp_path / "data.npz")
    losses = tmp_path / "losses.jsonl"
    losses.write_text("".join(json.dumps({"step": i, "d": 1.0, "g": 2.0}) + "\n"
                              for i in range(1, 5)))  # fmt: skip
    out = tmp_path / "eval"
    args = ["evaluate", "--model", str(tiny_model), "--data", str(npz), "--out", str(out),
            *CLI_SMALL, "--losses", str(losses)]  # fmt: skip
    result = CliRunner().invoke(main, args)
    # A tiny model trained for seconds misses targets: the run fails, and its last line says
    # which, class by class, as report.json does.
    assert result.exit_code == EXIT_TARGETS_MISSED, result.output
    report = json.loads((out / "report.json").read_text())
    assert report["passed"] is False and report["misses"]
    last = result.output.strip().splitlines()[-1]
    assert last.startswith("FAIL: ")
    failing = [c["name"] for c in report["per_class"] if not c["passed"]]
    assert failing and all(f"{cls} (" in last for cls in failing)
    for miss in report["misses"]:
        assert f"miss: {miss}" in result.output
    assert (out / "losses.png").is_file()


@pytest.mark.parametrize(("passing", "flags", "status"), [
    (True, [], 0), (False, [], EXIT_TARGETS_MISSED), (False, ["--no-fail"], 0)])  # fmt: skip
def test_cli_exit_status_follows_the_verdict(passing, flags, status, tmp_path, monkeypatch):
    import oscserver.evaluation.run

    snare = record("snare") if passing else record("snare", diversity=Diversity(3.0, 10.0, 0.3))
    made = report(record("kick"), snare)
    monkeypatch.setattr(oscserver.evaluation.run, "run", lambda **kwargs: made)
    args = ["evaluate", "--model", "m", "--data", "d", "--out", str(tmp_path), *flags]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == status, result.output
    assert result.output.strip().splitlines()[-1] == made.verdict()


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
