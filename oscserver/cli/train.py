"""The training commands, in recipe order: render-soundfonts -> dataset -> train ->
[fit-mapping] -> fit-pca -> train-encoder -> export. Each runs one step of
`oscserver.training.recipe` (or the dataset's)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import click

from oscserver.cli.common import one_line_errors
from oscserver.cli.options import (
    F,
    arch_option,
    dataset_option,
    existing_run_option,
    minutes_option,
    out_option,
    seed_option,
)
from oscserver.cli.progress import Progress
from oscserver.model.config import ARCHITECTURES


def _weight_option(flag: str, default: float, help_text: str) -> Callable[[F], F]:
    """A loss weight (or noise level) of `drumsynth train`: a number >= 0 (0 turns it off)."""
    return click.option(flag, type=click.FloatRange(0), default=default, help=help_text)


def _lr_option(flag: str, default: float, help_text: str) -> Callable[[F], F]:
    """A learning rate of `drumsynth train`: a number in (0, 1]."""
    return click.option(
        flag, type=click.FloatRange(0, 1, min_open=True), default=default, help=help_text
    )


@click.command("render-soundfonts")
@out_option("Folder for the renders and their manifest.json.", kind="folder",
            default=Path("data/renders"))  # fmt: skip
def render_soundfonts(out: Path) -> None:
    """Render the General MIDI drum kits of Debian's soundfonts into labelled one-shots.

    Needs fluidsynth and the soundfonts (sh scripts/install-kits.sh). Each file is labelled
    by its GM note; out/manifest.json records class, instrument, source and licence.
    """
    from oscserver.training.soundfonts import render_soundfonts

    with one_line_errors():
        manifest = render_soundfonts(out)
    click.echo(f"{manifest}")


@click.command("pack-dataset")
@dataset_option("Dataset built by `drumsynth dataset`.")
@out_option("The packed dataset to write, e.g. gpu/drums-train.npz.", kind="file", required=True)
def pack_dataset(data: Path, out: Path) -> None:
    """Pack a dataset's training drums small enough to carry to another machine.

    16-bit samples, compressed, without the pitch-shifted copies (248 MB -> 20 MB for the
    shipped data). Every command that takes --data reads the packed file as it is and makes
    the copies again. The held-out test drums stay behind: evaluate where the full dataset is.
    """
    from oscserver.training.dataset import Dataset

    with one_line_errors():
        click.echo(str(Dataset.load(data).pack(out)))


@click.command()
@click.argument(
    "roots", nargs=-1, required=True, type=click.Path(exists=True, file_okay=False, path_type=Path)
)
@out_option("Dataset file (.npz, with a .json summary).", kind="file",
            default=Path("data/drums.npz"))  # fmt: skip
@click.option(
    "--classes",
    default="kick,snare,hat,tom,cymbal",
    help="Comma-separated classes, matched in kit instrument, folder and file names.",
)
@click.option(
    "--test-fraction",
    type=click.FloatRange(0.0, 0.5),
    default=0.15,
    help="Share of each class's instruments held out for testing.",
)
@click.option(
    "--shifts",
    default="-2,-1,1,2",
    help="Pitch shifts in semitones added to the training split ('' for none).",
)
@seed_option("Seed of the split.")
@click.option(
    "--test-sources",
    default="",
    help="Comma-separated sources held out whole as the test set (e.g. timgm6mb,lmms,"
    "hydrogen/GMRockKit); replaces --test-fraction.",
)
@arch_option("Architecture whose length and rate the sounds are cut to.")
def dataset(
    roots: tuple[Path, ...], out: Path, classes: str, test_fraction: float, shifts: str,
    seed: int, test_sources: str, arch: str,
) -> None:  # fmt: skip
    """Build a training set from Hydrogen drum kits, soundfont renders and folders of one-shots.

    \b
    Example:
      drumsynth render-soundfonts -o data/renders
      drumsynth dataset /usr/share/hydrogen/data/drumkits data/renders \\
          /usr/share/lmms/samples/drums /usr/share/sonic-pi/samples \\
          --test-sources timgm6mb,lmms -o data/drums.npz
    """
    from oscserver.training.dataset import build_dataset

    names = tuple(c.strip() for c in classes.split(",") if c.strip())
    try:
        steps = [float(s) for s in shifts.split(",") if s.strip()]
    except ValueError:
        raise click.BadParameter(
            f"not a list of numbers: {shifts!r}", param_hint="--shifts"
        ) from None
    config = ARCHITECTURES[arch](names)
    with one_line_errors(), Progress("dataset", "files") as progress:
        summary = build_dataset(
            list(roots),
            out,
            classes=names,
            sample_rate=config.sample_rate,
            frames=config.frames,
            test_fraction=test_fraction,
            shifts=steps,
            seed=seed,
            test_sources=[t.strip() for t in test_sources.split(",") if t.strip()],
            on_step=progress.step,
        )
    click.echo(
        f"{out}: {summary['examples']} sounds; files per class {summary['files']}; "
        f"test files {summary['test_files']}"
    )


@click.command()
@dataset_option("Dataset built by `drumsynth dataset`.")
@click.option(
    "--run",
    "run_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("runs/main"),
    help="Run folder: checkpoints, samples, losses. An existing run resumes.",
)
@click.option("--steps", type=click.IntRange(1), default=20000, help="Train until this step.")
@click.option("--batch", type=click.IntRange(1), default=16, help="Global batch size.")
@_lr_option("--lr", 1e-4, "Learning rate of the generator.")
@_lr_option("--lr-d", 5e-5, "Learning rate of the discriminator.")
@click.option("--r1", type=click.FloatRange(0), default=30.0, help="R1 penalty weight.")
@_weight_option(
    "--stats-weight",
    1.0,
    "Weight of matching each class's log-mel mean and spread (0: plain adversarial, "
    "which collapsed each class to one sound on drums-v2's data).",
)
@_weight_option(
    "--duration-weight",
    0.0,
    "Weight (per second) of matching how long each class's sounds last: the quantiles "
    "of their lengths, not only their average spectrogram.",
)
@_weight_option(
    "--recon-weight",
    0.0,
    "Weight of resynthesising real drums: an encoder trained beside the GAN inverts "
    "them, and the synthesis network learns to play them back from its w (0: off). A run "
    "resumed with it needs encoder.weights.h5 in its checkpoint.",
)
@_weight_option(
    "--adv-weight",
    1.0,
    "Weight of the adversary (0: no discriminator at all, the reconstruction-first "
    "stage: with --recon-weight, encoder and synthesis learn as an autoencoder of real drums).",
)
@_weight_option(
    "--recon-noise",
    0.0,
    "Noise added to the encoder's w before the resynthesis, in units of the batch's spread "
    "of w: the synthesis network learns to play the neighbourhood of each real drum alike, "
    "for a mapping fitted afterwards (`drumsynth fit-mapping`).",
)
@click.option(
    "--train-synthesis/--freeze-synthesis",
    default=True,
    help="--freeze-synthesis: the mapping network alone learns, on top of the synthesis "
    "network (and encoder) of a reconstruction-first stage, which stay exactly as they are.",
)
@_lr_option("--lr-e", 1e-4, "Learning rate of that encoder.")
@click.option(
    "--ema-halflife",
    type=click.IntRange(1),
    default=500,
    help="Half-life in steps of the generator's moving average, the weights a model ships "
    "(longer smooths more of the GAN's oscillation out of a snapshot).",
)
@click.option(
    "--sample-every",
    type=click.IntRange(1),
    default=1000,
    help="Steps between sample WAVs and spectrograms.",
)
@click.option(
    "--keep-every",
    type=click.IntRange(0),
    default=0,
    help="Steps between snapshots kept in RUN/snapshots/stepN (whole checkpoints, about 60 MB "
    "each for the default architecture), to choose the best step by evaluation afterwards, or "
    "to branch a run from one (0: none).",
)
@seed_option("Seed of the run's randomness.")
@minutes_option("Stop after this much training, with a checkpoint; the same command resumes it.")
@arch_option("Architecture of a new run (a resumed run keeps its own).")
@click.option(
    "--init-from",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=None,
    help="Start a new run's generator from this model folder, or from this run folder's "
    "latest checkpoint (same classes; outputs the architecture added start from their bias "
    "alone). A resumed run ignores it.",
)
def train(
    data: Path, run_dir: Path, steps: int, batch: int, lr: float, lr_d: float, r1: float,
    stats_weight: float, duration_weight: float, recon_weight: float, adv_weight: float,
    recon_noise: float,
    train_synthesis: bool, lr_e: float,
    ema_halflife: int, sample_every: int,
    keep_every: int, seed: int,
    minutes: float | None,
    arch: str,
    init_from: Path | None,
) -> None:  # fmt: skip
    """Train the GAN (mapping, synthesis, discriminator); all GPUs when there are several.

    The losses of every step go to RUN/losses.jsonl.

    \b
    Example:
      drumsynth train --data data/hydrogen.npz --run runs/main --steps 20000
    """
    from oscserver.training.dataset import Dataset
    from oscserver.training.gan import TrainConfig
    from oscserver.training.recipe import train_run

    config = TrainConfig(
        steps=steps,
        batch=batch,
        lr_g=lr,
        lr_d=lr_d,
        r1_gamma=r1,
        stats_weight=stats_weight,
        duration_weight=duration_weight,
        recon_weight=recon_weight,
        adv_weight=adv_weight,
        recon_noise=recon_noise,
        train_synthesis=train_synthesis,
        lr_e=lr_e,
        ema_halflife=ema_halflife,
        sample_every=sample_every,
        keep_every=keep_every,
        seed=seed,
    )
    with one_line_errors(), Progress("train") as progress:
        model = ARCHITECTURES[arch](Dataset.classes_in(data))
        seconds = None if minutes is None else 60.0 * minutes
        train_run(data, run_dir, config, model, init_from, on_step=progress.step, seconds=seconds)


@click.command("fit-pca")
@existing_run_option("Run folder with a checkpoint.")
@click.option("--axes", type=click.IntRange(1, 64), default=8, help="Principal axes per class.")
@click.option(
    "--samples",
    type=click.IntRange(100),
    default=10_000,
    help="Sampled w per class the PCA is fitted on.",
)
@seed_option("Seed of the sampled w.")
def fit_pca(run_dir: Path, axes: int, samples: int, seed: int) -> None:
    """Fit the per-class PCA of W of a run's generator (run/pca.npz)."""
    from oscserver.training.recipe import fit_pca_run

    with one_line_errors():
        click.echo(str(fit_pca_run(run_dir, axes=axes, samples=samples, seed=seed)))


@click.command("fit-mapping")
@existing_run_option("Run folder with a checkpoint and an encoder (a --recon-weight run has one).")
@dataset_option(
    "Dataset built by `drumsynth dataset`: its training drums (not the pitch-shifted copies) "
    "are the targets."
)
@click.option("--steps", type=click.IntRange(1), default=3000, help="Steps, all classes each.")
@click.option("--batch", type=click.IntRange(2), default=128, help="w per class and step.")
@_lr_option("--lr", 1e-3, "Learning rate of the mapping network.")
@click.option(
    "--from-scratch",
    is_flag=True,
    help="Start from fresh weights (drawn with --seed), not the checkpoint's mapping network.",
)
@seed_option("Seed of the z and of the drums drawn each step.")
def fit_mapping(
    run_dir: Path, data: Path, steps: int, batch: int, lr: float, from_scratch: bool, seed: int
) -> None:
    """Fit the mapping network to the encoder's w of real drums, class by class.

    The second stage of the reconstruction-first route: after `drumsynth train --recon-weight
    1 --adv-weight 0`, the synthesis network plays back what the encoder hears, and the
    mapping network learns to give each class's w the spread of the encoded real drums of
    that class (energy distance; no adversary, no synthesis in the loop). Writes
    run/mapping.weights.h5, which fit-pca, train-encoder and export then use.
    """
    from oscserver.training.mapping import MappingFitConfig
    from oscserver.training.recipe import fit_mapping_run

    with one_line_errors(), Progress("fit-mapping") as progress:
        config = MappingFitConfig(
            steps=steps, batch=batch, lr=lr, seed=seed, from_scratch=from_scratch
        )
        out = fit_mapping_run(run_dir, data, config, on_step=progress.step)
    click.echo(str(out))


@click.command("fit-class-head")
@existing_run_option("Run folder with a checkpoint.")
@dataset_option(
    "Dataset built by `drumsynth dataset`: the head learns its training drums and is scored "
    "on its held-out ones."
)
@seed_option("Seed of the trees.")
def fit_class_head(run_dir: Path, data: Path, seed: int) -> None:
    """Fit the class head that names inverted sounds (run/class_head.npz).

    Gradient-boosted trees on envelope shape and band levels, which name drums of libraries
    they never heard better than the encoder's own head. Export puts it in the model; without
    it /drum/invert reports the encoder's guess. Prints the share of held-out drums of each
    class it names right.
    """
    from oscserver.model.class_head import CLASS_HEAD_FILE
    from oscserver.training.recipe import fit_class_head_run

    with one_line_errors():
        held_out = fit_class_head_run(run_dir, data, seed)
    named = ", ".join(f"{name} {share:.2f}" for name, share in held_out.items())
    click.echo(f"held-out drums named right: {named}" if named else "no held-out drums in the data")
    click.echo(str(run_dir / CLASS_HEAD_FILE))


@click.command("train-encoder")
@existing_run_option("Run folder with a checkpoint and pca.npz.")
@click.option(
    "--steps", type=click.IntRange(1), default=3000, help="Steps on generated (w, audio) pairs."
)
@click.option("--batch", type=click.IntRange(1), default=16, help="Pairs per step.")
@click.option(
    "--real-data",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="Dataset to fine-tune on real sounds afterwards.",
)
@click.option(
    "--real-steps",
    type=click.IntRange(0),
    default=0,
    help="Fine-tuning steps on --real-data: the spectral loss of the resynthesis and the "
    "class head's cross-entropy, in class-balanced batches.",
)
@seed_option("Seed of the pairs.")
def train_encoder(
    run_dir: Path, steps: int, batch: int, real_data: Path | None, real_steps: int, seed: int
) -> None:
    """Train the encoder (audio -> w) with a latent and a multi-resolution spectral loss."""
    from oscserver.training.encoder import EncoderTrainConfig
    from oscserver.training.recipe import train_encoder_run

    config = EncoderTrainConfig(steps=steps, batch=batch, seed=seed)
    with one_line_errors(), Progress("train-encoder") as progress:
        out = train_encoder_run(run_dir, config, real_data, real_steps, on_step=progress.step)
    click.echo(str(out))


@click.command("train-residual-head")
@click.option(
    "--model",
    "model_dir",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    required=True,
    help="Model folder: the head trains beside its encoder and goes into it.",
)
@dataset_option("Dataset built by `drumsynth dataset`: its training drums; held-out ones scored.")
@click.option(
    "--run",
    "run_dir",
    type=click.Path(file_okay=False, path_type=Path),
    required=True,
    help="Folder for the head's checkpoint and losses (resumed from).",
)
@click.option("--steps", type=click.IntRange(1), default=20000, help="Train until this step.")
@click.option("--batch", type=click.IntRange(1), default=8, help="Drums a step.")
@minutes_option("Stop after this long (checkpointed) and put the head reached into the model.")
@click.option(
    "--from-model",
    is_flag=True,
    help="A run without a checkpoint starts from the head the model holds, at the step its "
    "manifest names (a fresh optimiser): train a shipped head on.",
)
@seed_option("Seed of the batches.")
def train_residual_head(
    model_dir: Path,
    data: Path,
    run_dir: Path,
    steps: int,
    batch: int,
    minutes: float | None,
    from_model: bool,
    seed: int,
) -> None:
    """Train the residual head (the encoder's guess at the detail W lacks) into a model.

    It guesses, in one pass, what refinement adds to an inverted drum's controls, so
    /drum/invert without refinement sounds nearer the recording, and refinement starts there.
    Writes the run's checkpoint every 500 steps and resumes from it; then puts the head into the
    model folder and prints, per class, the held-out drums' mean distance without and with it.
    """
    from oscserver.training.recipe import train_residual_head_run
    from oscserver.training.residual_head import ResidualHeadTrainConfig

    config = ResidualHeadTrainConfig(steps=steps, batch=batch, seed=seed)
    with one_line_errors(), Progress("train-residual-head") as progress:
        table = train_residual_head_run(
            model_dir, data, run_dir, config, progress.step, minutes, from_model
        )
    for name, row in table.items():
        click.echo(
            f"{name}: held-out distance {row['encoder']:.3f} -> {row['with_head']:.3f} "
            f"({row['drums']} drums)"
        )
    click.echo(str(model_dir))


@click.command()
@existing_run_option("Run folder with checkpoint, pca.npz, encoder.")
@out_option("Model folder to write, e.g. models/drums-v2.", kind="folder", required=True)
def export(run_dir: Path, out: Path) -> None:
    """Write a run's model artifact (weights, config, PCA, checksums)."""
    from oscserver.training.recipe import export_run

    with one_line_errors():
        click.echo(str(export_run(run_dir, out)))


COMMANDS = (
    render_soundfonts,
    dataset,
    pack_dataset,
    train,
    fit_mapping,
    fit_pca,
    fit_class_head,
    train_encoder,
    train_residual_head,
    export,
)
