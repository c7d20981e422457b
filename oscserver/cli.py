"""The `drumsynth` command line: each subcommand parses options and calls one function of a layer."""

from __future__ import annotations

from pathlib import Path

import click

from oscserver import __version__
from oscserver.server.app import DEFAULT_QUEUE, WAV_FORMATS


@click.group(context_settings={"help_option_names": ["-h", "--help"], "show_default": True})
@click.version_option(__version__, prog_name="drumsynth")
def main() -> None:
    """drumsynth-osc: a neural drum instrument served over OSC.

    Run `drumsynth serve` to start the OSC server on the shipped model.
    """


@main.command()
@click.option(
    "--host",
    envvar="DRUMSYNTH_HOST",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on; 0.0.0.0 for other machines.",
)
@click.option(
    "--port",
    envvar="DRUMSYNTH_PORT",
    type=click.IntRange(0, 65535),
    default=57300,
    show_default=True,
    help="UDP port (0 picks a free one).",
)
@click.option(
    "--model",
    envvar="DRUMSYNTH_MODEL",
    type=click.Path(path_type=Path),
    default=None,
    help="Model artifact folder.  [default: the shipped model]",
)
@click.option(
    "--out",
    envvar="DRUMSYNTH_OUT",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder for the WAV files.  [default: $XDG_CACHE_HOME/drumsynth or ~/.cache/drumsynth]",
)
@click.option(
    "--format",
    "fmt",
    envvar="DRUMSYNTH_FORMAT",
    type=click.Choice(WAV_FORMATS),
    default="float32",
    show_default=True,
    help="WAV sample format.",
)
@click.option(
    "--sr",
    envvar="DRUMSYNTH_SR",
    type=click.IntRange(8000, 192000),
    default=None,
    help="Sample rate of the files (your client's).  [default: the model's]",
)
@click.option(
    "--queue",
    "queue_size",
    envvar="DRUMSYNTH_QUEUE",
    type=click.IntRange(1, 4096),
    default=DEFAULT_QUEUE,
    show_default=True,
    help="Most slots waiting at once; past it requests are answered busy.",
)
@click.option(
    "--warmup/--no-warmup",
    envvar="DRUMSYNTH_WARMUP",
    default=True,
    show_default=True,
    help="Run the model once before answering.",
)
@click.option(
    "--log-level",
    envvar="DRUMSYNTH_LOG_LEVEL",
    default="info",
    show_default=True,
    type=click.Choice(["debug", "info", "warning", "error"]),
    help="Log lines on stderr.",
)
def serve(
    host: str, port: int, model: Path | None, out: Path | None, fmt: str, sr: int | None,
    queue_size: int, warmup: bool, log_level: str,
) -> None:  # fmt: skip
    """Serve the model over OSC (UDP) until Ctrl-C or SIGTERM.

    \b
    Example:
      drumsynth serve --port 57300 --sr 48000 --format int24
      oscsend localhost 57300 /drum/seed si kick 42   # -> /drum/done ... <path> ...
    """
    from oscserver.server.app import StartupError, run

    try:
        run(host=host, port=port, model=model, out=out, fmt=fmt, sr=sr, queue_size=queue_size,
            warmup=warmup, log_level=log_level)  # fmt: skip
    except StartupError as err:
        raise click.ClickException(str(err)) from None


@main.command()
def protocol() -> None:
    """Print the OSC protocol page (Markdown), generated from the address table.

    \b
    Example:
      drumsynth protocol > docs/protocol.md
    """
    from oscserver.server.protocol import render_markdown

    click.echo(render_markdown(), nl=False)


# ---- training: dataset -> train -> fit-pca -> train-encoder -> export -------------------------


@main.command()
@click.argument("roots", nargs=-1, required=True,
                type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--out", "-o", type=click.Path(dir_okay=False, path_type=Path),
              default=Path("data/drums.npz"), help="Dataset file (.npz, with a .json summary).")
@click.option("--classes", default="kick,snare,hat,tom,cymbal",
              help="Comma-separated classes, matched in kit instrument, folder and file names.")
@click.option("--test-fraction", type=click.FloatRange(0.0, 0.5), default=0.15,
              help="Share of each class's instruments held out for testing.")
@click.option("--shifts", default="-2,-1,1,2",
              help="Pitch shifts in semitones added to the training split ('' for none).")
@click.option("--seed", type=click.IntRange(0), default=0, help="Seed of the split.")
def dataset(roots: tuple[Path, ...], out: Path, classes: str, test_fraction: float,
            shifts: str, seed: int) -> None:
    """Build a training set from folders of one-shots and Hydrogen drum kits.

    \b
    Example:
      drumsynth dataset /usr/share/hydrogen/data/drumkits -o data/hydrogen.npz
    """
    from oscserver.model.config import ModelConfig
    from oscserver.training.dataset import build_dataset

    names = tuple(c.strip() for c in classes.split(",") if c.strip())
    try:
        steps = [float(s) for s in shifts.split(",") if s.strip()]
    except ValueError:
        raise click.BadParameter(f"not a list of numbers: {shifts!r}", param_hint="--shifts") from None
    config = ModelConfig(classes=names)
    try:
        summary = build_dataset(list(roots), out, classes=names, sample_rate=config.sample_rate,
                                frames=config.frames, test_fraction=test_fraction, shifts=steps,
                                seed=seed)
    except (ValueError, OSError) as err:
        raise click.ClickException(str(err)) from None
    click.echo(f"{out}: {summary['examples']} sounds; files per class {summary['files']}; "
               f"test files {summary['test_files']}")


@main.command()
@click.option("--data", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              required=True, help="Dataset built by `drumsynth dataset`.")
@click.option("--run", "run_dir", type=click.Path(file_okay=False, path_type=Path),
              default=Path("runs/main"), help="Run folder: checkpoints, samples, losses. "
              "An existing run resumes.")
@click.option("--steps", type=click.IntRange(1), default=20000, help="Train until this step.")
@click.option("--batch", type=click.IntRange(1), default=16, help="Global batch size.")
@click.option("--lr", type=click.FloatRange(0, 1, min_open=True), default=2e-4,
              help="Learning rate of generator and discriminator.")
@click.option("--r1", type=click.FloatRange(0), default=10.0, help="R1 penalty weight.")
@click.option("--sample-every", type=click.IntRange(1), default=1000,
              help="Steps between sample WAVs and spectrograms.")
@click.option("--seed", type=click.IntRange(0), default=0, help="Seed of the run's randomness.")
def train(data: Path, run_dir: Path, steps: int, batch: int, lr: float, r1: float,
          sample_every: int, seed: int) -> None:
    """Train the GAN (mapping, synthesis, discriminator); all GPUs when there are several.

    \b
    Example:
      drumsynth train --data data/hydrogen.npz --run runs/main --steps 20000
    """
    from oscserver.training.gan import TrainConfig
    from oscserver.training.recipe import train_run

    config = TrainConfig(steps=steps, batch=batch, lr_g=lr, lr_d=lr, r1_gamma=r1,
                         sample_every=sample_every, seed=seed)
    try:
        train_run(data, run_dir, config)
    except (ValueError, OSError) as err:
        raise click.ClickException(str(err)) from None


@main.command("fit-pca")
@click.option("--run", "run_dir", type=click.Path(exists=True, file_okay=False, path_type=Path),
              default=Path("runs/main"), help="Run folder with a checkpoint.")
@click.option("--axes", type=click.IntRange(1, 64), default=8, help="Principal axes per class.")
@click.option("--samples", type=click.IntRange(100), default=10_000,
              help="Sampled w per class the PCA is fitted on.")
@click.option("--seed", type=click.IntRange(0), default=0, help="Seed of the sampled w.")
def fit_pca_cmd(run_dir: Path, axes: int, samples: int, seed: int) -> None:
    """Fit the per-class PCA of W of a run's generator (run/pca.npz)."""
    from oscserver.training.recipe import fit_pca_run

    try:
        click.echo(str(fit_pca_run(run_dir, axes=axes, samples=samples, seed=seed)))
    except (ValueError, OSError) as err:
        raise click.ClickException(str(err)) from None


@main.command("train-encoder")
@click.option("--run", "run_dir", type=click.Path(exists=True, file_okay=False, path_type=Path),
              default=Path("runs/main"), help="Run folder with a checkpoint and pca.npz.")
@click.option("--steps", type=click.IntRange(1), default=3000,
              help="Steps on generated (w, audio) pairs.")
@click.option("--batch", type=click.IntRange(1), default=16, help="Pairs per step.")
@click.option("--real-data", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              default=None, help="Dataset to fine-tune on real sounds afterwards.")
@click.option("--real-steps", type=click.IntRange(0), default=0,
              help="Fine-tuning steps on --real-data (spectral loss only).")
@click.option("--seed", type=click.IntRange(0), default=0, help="Seed of the pairs.")
def train_encoder_cmd(run_dir: Path, steps: int, batch: int, real_data: Path | None,
                      real_steps: int, seed: int) -> None:
    """Train the encoder (audio -> w) with a latent and a multi-resolution spectral loss."""
    from oscserver.training.encoder import EncoderTrainConfig
    from oscserver.training.recipe import train_encoder_run

    try:
        out = train_encoder_run(run_dir, EncoderTrainConfig(steps=steps, batch=batch, seed=seed),
                                real_data, real_steps)
    except (ValueError, OSError) as err:
        raise click.ClickException(str(err)) from None
    click.echo(str(out))


@main.command()
@click.option("--run", "run_dir", type=click.Path(exists=True, file_okay=False, path_type=Path),
              default=Path("runs/main"), help="Run folder with checkpoint, pca.npz, encoder.")
@click.option("--out", "-o", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="Model folder to write, e.g. models/drums-v1.")
def export(run_dir: Path, out: Path) -> None:
    """Write a run's model artifact (weights, config, PCA, checksums)."""
    from oscserver.training.recipe import export_run

    try:
        click.echo(str(export_run(run_dir, out)))
    except (ValueError, OSError) as err:
        raise click.ClickException(str(err)) from None


@main.command()
@click.option("--model", type=click.Path(path_type=Path), required=True,
              help="Model artifact folder (with manifest.json).")
@click.option("--data", type=click.Path(path_type=Path), required=True,
              help="Dataset .npz made by `drumsynth dataset`, with the model's classes.")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="Folder for report.json and the PNG figures.")
@click.option("--per-class", type=click.IntRange(2, 4096), default=64,
              help="Generated sounds per class (seeds 0..N-1, psi 1).")
@click.option("--refine-steps", type=click.IntRange(0), default=100,
              help="Refinement steps of the inversion after the encoder.")
@click.option("--invert-count", type=click.IntRange(0), default=8,
              help="Most test sounds inverted per class (0: skip the inversion).")
@click.option("--best-of", type=click.IntRange(1, 4096), default=256,
              help="Random seeds per class the inversion is compared with.")
@click.option("--losses", type=click.Path(path_type=Path), default=None,
              help="A run's losses.jsonl, drawn as training curves.")
@click.option("--seed", type=click.IntRange(0), default=0,
              help="Seed of the noise baseline and of the choice of inverted sounds.")
def evaluate(model: Path, data: Path, out: Path, per_class: int, refine_steps: int,
             invert_count: int, best_of: int, losses: Path | None, seed: int) -> None:
    """Measure a model against its dataset: report.json, figures and a summary.

    Class fidelity, Frechet distance (next to train-vs-test and a noise baseline), diversity,
    memorisation and inversion, each with its target.

    \b
    Example:
      drumsynth evaluate --model models/drums-v1 --data data/hydrogen.npz \\
        --out runs/main/eval --losses runs/main/losses.jsonl
    """
    from oscserver.training.evaluate import EvalConfig, EvaluationError, format_summary, run

    try:
        config = EvalConfig(per_class=per_class, refine_steps=refine_steps,
                            invert_count=invert_count, best_of=best_of, seed=seed)
        report = run(model=model, data=data, out=out, config=config, losses=losses,
                     log=lambda line: click.echo(line, err=True))
    except EvaluationError as err:
        raise click.ClickException(str(err)) from None
    click.echo(format_summary(report))
    click.echo(f"\nreport and figures in {out}")


if __name__ == "__main__":  # `python -m oscserver.cli serve`; keep this block last
    main()
