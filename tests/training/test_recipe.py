"""The whole training recipe through the CLI, tiny and short: dataset -> ... -> a loadable model."""

import json

import numpy as np
from click.testing import CliRunner

from oscserver.cli import main
from oscserver.training.checkpoint import OPTIMIZER_FILE
from tests.training.test_dataset import make_kit


def invoke(*args):
    result = CliRunner().invoke(main, [str(a) for a in args])
    assert result.exit_code == 0, result.output
    return result.output


def test_recipe_end_to_end(tmp_path):
    kits = make_kit(tmp_path / "kits", np.random.default_rng(0))
    data, run, model = tmp_path / "d.npz", tmp_path / "run", tmp_path / "models" / "m"
    invoke(
        "dataset",
        kits,
        "-o",
        data,
        "--classes",
        "kick,snare,hat",
        "--arch",
        "tiny",
        "--test-fraction",
        "0.34",
    )
    invoke(
        "train",
        "--data",
        data,
        "--run",
        run,
        "--steps",
        3,
        "--batch",
        4,
        "--arch",
        "tiny",
        "--sample-every",
        3,
    )
    assert (run / "checkpoint" / "state.json").exists()
    assert list((run / "samples").glob("*.png"))  # a spectrogram grid to look at
    # resuming continues from the checkpoint
    invoke("train", "--data", data, "--run", run, "--steps", 5, "--batch", 4)
    assert json.loads((run / "checkpoint" / "state.json").read_text())["step"] == 5
    assert len((run / "losses.jsonl").read_text().splitlines()) == 5
    # a time budget stops it early, checkpointed where it stopped
    invoke("train", "--data", data, "--run", run, "--steps", 50, "--batch", 4, "--minutes", 1e-4)
    assert json.loads((run / "checkpoint" / "state.json").read_text())["step"] == 6
    assert len((run / "losses.jsonl").read_text().splitlines()) == 6
    invoke("fit-pca", "--run", run, "--samples", 500, "--axes", 4)
    invoke(
        "train-encoder",
        "--run",
        run,
        "--steps",
        2,
        "--batch",
        4,
        "--real-data",
        data,
        "--real-steps",
        2,
    )
    invoke("export", "--run", run, "-o", model)

    from oscserver.engine import DrumEngine

    engine = DrumEngine.load(model, warmup=False)
    assert engine.classes == ("kick", "snare", "hat") and engine.pca_axes == 4
    assert engine.generate(1, "hat").audio.shape == (8192,)
    auditions = sorted(p.name for p in (model / "examples").glob("*.wav"))
    assert len(auditions) == 3 * 8 and "snare-seed7.wav" in auditions
    assert engine.artifact.residual_head is None
    refused = CliRunner().invoke(main, ["train-residual-head", "--model", str(model), "--data",
                                        str(data), "--run", str(tmp_path / "none"),
                                        "--from-model"])  # fmt: skip
    assert refused.exit_code != 0 and "holds no residual head to start from" in refused.output
    assert "Traceback" not in refused.output

    # the residual head trains beside the finished model and goes into it, resuming its run
    head_run = tmp_path / "head-run"
    out = invoke("train-residual-head", "--model", model, "--data", data, "--run", head_run,
                 "--steps", 2, "--batch", 2)  # fmt: skip
    assert "held-out distance" in out
    out = invoke("train-residual-head", "--model", model, "--data", data, "--run", head_run,
                 "--steps", 3, "--batch", 2)  # fmt: skip
    assert json.loads((head_run / "checkpoint" / "state.json").read_text())["step"] == 3
    # a time budget stops it early, and the head it reached goes into the model
    invoke("train-residual-head", "--model", model, "--data", data, "--run", head_run,
           "--steps", 50, "--batch", 2, "--minutes", 1e-4)  # fmt: skip
    assert [json.loads(r)["step"] for r in (head_run / "losses.jsonl").read_text().splitlines()] \
        == [2, 3, 4]  # fmt: skip
    manifest = json.loads((model / "manifest.json").read_text())
    assert "residual_head.weights.h5" in manifest["checksums"]
    assert manifest["residual_head"]["step"] == 4
    headed = DrumEngine.load(model, warmup=False)
    assert headed.artifact.residual_head is not None
    # a new run may train the model's own head on, from the step it reached
    on = tmp_path / "head-on"
    invoke("train-residual-head", "--model", model, "--data", data, "--run", on,
           "--steps", 6, "--batch", 2, "--from-model")  # fmt: skip
    assert [json.loads(r)["step"] for r in (on / "losses.jsonl").read_text().splitlines()] == [6]
    assert json.loads((model / "manifest.json").read_text())["residual_head"]["step"] == 6

    # a new run may start from the exported model, keeping a snapshot of every step
    run2 = tmp_path / "run2"
    invoke("train", "--data", data, "--run", run2, "--steps", 2, "--batch", 4, "--arch", "tiny",
           "--init-from", model, "--keep-every", 1, "--sample-every", 2,
           "--duration-weight", 1, "--ema-halflife", 50)  # fmt: skip
    assert sorted(p.name for p in (run2 / "snapshots").iterdir()) == ["step000001", "step000002"]
    two = json.loads((run2 / "snapshots" / "step000002" / "state.json").read_text())
    assert two["step"] == 2 and two["train"]["ema_halflife"] == 50
    assert (run2 / "snapshots" / "step000002" / OPTIMIZER_FILE).exists()  # a run can branch
    other = tmp_path / "other.npz"
    invoke("dataset", kits, "-o", other, "--classes", "kick,snare", "--arch", "tiny")
    result = CliRunner().invoke(main, ["train", "--data", str(other), "--run",
                                       str(tmp_path / "run3"), "--arch", "tiny",
                                       "--init-from", str(model)])  # fmt: skip
    assert result.exit_code != 0 and "has classes" in result.output
    assert "Traceback" not in result.output
    # ... or from another run's latest checkpoint
    invoke("train", "--data", data, "--run", tmp_path / "run4", "--steps", 1, "--batch", 4,
           "--arch", "tiny", "--init-from", run, "--sample-every", 1)  # fmt: skip
    assert (tmp_path / "run4" / "checkpoint" / "state.json").exists()


def test_train_refuses_a_dataset_of_another_length(tmp_path):
    kits = make_kit(tmp_path / "kits", np.random.default_rng(0))
    data = tmp_path / "d.npz"
    invoke("dataset", kits, "-o", data, "--classes", "kick,snare,hat", "--arch", "tiny")
    result = CliRunner().invoke(
        main, ["train", "--data", str(data), "--run", str(tmp_path / "r"), "--steps", "1"]
    )
    assert result.exit_code != 0
    assert "rebuild it with the same --arch" in result.output
    assert "Traceback" not in result.output


def test_export_without_encoder_is_a_clear_error(tmp_path):
    result = CliRunner().invoke(main, ["export", "--run", str(tmp_path), "-o", str(tmp_path / "m")])
    assert result.exit_code != 0 and "no checkpoint" in result.output
