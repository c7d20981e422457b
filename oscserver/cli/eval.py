"""The commands that look at a model: `info` prints what it is, `evaluate` measures it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from oscserver.cli.common import open_engine
from oscserver.cli.options import model_option, out_option, seed_option
from oscserver.cli.progress import Progress
from oscserver.limits import MAX_REFINE_STEPS


def _training_rows(training: dict[str, Any]) -> list[tuple[str, str]]:
    """What the artifact records of its training: the shipped generator's step first. The
    run's `steps` option is left out: it is where a run would have stopped, not what it did.
    A reconstruction-first model (no adversary) names its run an autoencoder and gives its
    fitted mapping in one line."""
    from oscserver.training.gan import is_autoencoder

    training = dict(training)
    train = dict(training.pop("train", {}))
    kind = "autoencoder" if is_autoencoder(train) else "gan"
    rows = []
    if "gan_steps" in training:
        steps = training.pop("gan_steps")
        rows.append((f"{kind} steps", f"{steps:,} (the shipped networks' step)"))
    settings = {k: v for k, v in train.items() if k != "steps"}
    if settings:
        rows.append((f"{kind} settings", ", ".join(f"{k} {v}" for k, v in settings.items())))
    fit = training.pop("mapping_fit", None)
    if fit:
        config = ", ".join(f"{k} {v}" for k, v in fit.get("config", {}).items())
        drums = ", ".join(f"{k} {v}" for k, v in fit.get("drums", {}).items())
        energy = ", ".join(f"{k} {v:.3f}" for k, v in fit.get("energy", {}).items() if k != "step")
        rows.append(("mapping fit", f"{config}; training drums {drums}; energy distance {energy}"))
    head = training.pop("class_head", None)
    if head:
        named = ", ".join(f"{k} {v:.2f}" for k, v in head.items())
        rows.append(("class head fit", f"held-out drums named right: {named}"))
    return rows + [(k, str(v)) for k, v in training.items()]


@click.command()
@model_option
def info(model: Path | None) -> None:
    """Print the model: classes, sample rate, PCA axes, sizes, provenance.

    \b
    Example:
      drumsynth info --model models/drums-v2
    """
    engine = open_engine(model)
    artifact = engine.artifact
    gen = artifact.generator
    rows = [
        ("model", engine.name),
        ("format version", engine.format_version),
        ("sample rate", f"{engine.sample_rate} Hz"),
        ("frames", f"{engine.frames} ({engine.frames / engine.sample_rate:.3f} s)"),
        ("classes", ", ".join(engine.classes)),
        ("latent", f"z {engine.config.z_dim}, w {engine.w_dim}"),
        ("device", engine.device),
        ("parameters", f"mapping {gen.mapping.count_params():,}, synthesis "
                       f"{gen.synthesis.count_params():,}, encoder "
                       f"{artifact.encoder.count_params():,}"),
        ("class head", "trees on envelope shape and band levels" if artifact.class_head
                       else "the encoder's"),
        ("pca axes", f"{engine.pca_axes} per class, explained variance per axis:"),
    ]  # fmt: skip
    for cls in engine.classes:
        explained = artifact.pca[cls].explained
        values = " ".join(f"{v:.3f}" for v in explained)
        rows.append((f"  {cls}", f"{values}  (sum {float(explained.sum()):.3f})"))
    rows += _training_rows(artifact.manifest.get("training", {}))
    skip = {"format_version", "name", "checksums", "training"}
    rows += [(k, str(v)) for k, v in artifact.manifest.items() if k not in skip]
    width = max(len(k) for k, _ in rows)
    for key, value in rows:
        click.echo(f"{key:<{width}}  {value}")


#: Exit status of `drumsynth evaluate` when a class misses a target.
EXIT_TARGETS_MISSED = 3


@click.command()
@click.option(
    "--model",
    type=click.Path(path_type=Path),
    required=True,
    help="Model artifact folder (with manifest.json).",
)
@click.option(
    "--data",
    type=click.Path(path_type=Path),
    required=True,
    help="Dataset .npz made by `drumsynth dataset`, with the model's classes.",
)
@out_option("Folder for report.json and the PNG figures.", kind="folder", required=True)
@click.option(
    "--per-class",
    type=click.IntRange(2, 4096),
    default=64,
    show_default=True,
    help="Generated sounds per class (seeds 0..N-1, psi 1).",
)
@click.option(
    "--invert-count",
    type=click.IntRange(0),
    default=40,
    show_default=True,
    help="Most held-out test sounds inverted per class, encoder only (0: skip the inversion).",
)
@click.option(
    "--refine-count",
    type=click.IntRange(0),
    default=8,
    show_default=True,
    help="Of those, how many are also refined (about 30 ms per step per sound on a CPU).",
)
@click.option(
    "--refine-steps",
    type=click.IntRange(0, MAX_REFINE_STEPS),
    default=50,
    show_default=True,
    help="Refinement steps of the refined inversion.",
)
@click.option(
    "--best-of",
    type=click.IntRange(1, 4096),
    default=256,
    show_default=True,
    help="Random seeds of the true class the inversion is compared with.",
)
@click.option(
    "--losses",
    type=click.Path(path_type=Path),
    default=None,
    help="A run's losses.jsonl, drawn as training curves.",
)
@seed_option("Seed of the noise baseline and of the choice of inverted sounds.")
@click.option(
    "--no-fail",
    is_flag=True,
    help="Exit 0 even when a class misses a target (for exploring checkpoints).",
)
def evaluate(
    model: Path,
    data: Path,
    out: Path,
    per_class: int,
    invert_count: int,
    refine_count: int,
    refine_steps: int,
    best_of: int,
    losses: Path | None,
    seed: int,
    no_fail: bool,
) -> None:
    """Measure a model against its dataset, class by class: report.json, figures, a table.

    Per class: class fidelity under two classifiers, Frechet distance (next to train-vs-test
    and a noise baseline), diversity, memorisation and inversion, each with its target. The
    model fails if any class misses any target.

    \b
    Exit status: 0 every class meets every target (or --no-fail), 1 bad input,
    3 a class missed a target (the last line names the misses).

    \b
    Example:
      drumsynth evaluate --model models/drums-v2 --data data/drums.npz \\
        --out runs/main/eval --losses runs/main/losses.jsonl
    """
    from oscserver.evaluation.config import EvalConfig, EvaluationError
    from oscserver.evaluation.report import format_table
    from oscserver.evaluation.run import run

    try:
        config = EvalConfig(
            per_class=per_class,
            invert_count=invert_count,
            refine_count=refine_count,
            refine_steps=refine_steps,
            best_of=best_of,
            seed=seed,
        )
        with Progress("evaluate", "classes") as progress:
            report = run(model=model, data=data, out=out, config=config, losses=losses,
                         log=progress.note, on_step=progress.step)  # fmt: skip
    except EvaluationError as err:
        raise click.ClickException(str(err)) from None
    click.echo(format_table(report))
    click.echo(f"\nreport and figures in {out}")
    click.echo(report.verdict())
    if not report.passed and not no_fail:
        click.get_current_context().exit(EXIT_TARGETS_MISSED)


COMMANDS = (info, evaluate)
