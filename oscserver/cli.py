"""The `drumsynth` command line: each subcommand parses options and calls one layer function."""

from __future__ import annotations

import math
import secrets
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click
import numpy as np

from oscserver import __version__
from oscserver.audio.io import WAV_SUBTYPES
from oscserver.limits import (
    DEADLINE_RANGE,
    DEFAULT_DEADLINE_S,
    DEFAULT_MAX_SLOTS,
    DEFAULT_QUEUE,
    MAX_PATH_STEPS,
    MAX_REFINE_STEPS,
    MAX_SEED,
    PSI_RANGE,
    QUEUE_RANGE,
    SLOTS_RANGE,
    SR_RANGE,
)
from oscserver.logs import configure_logging, quiet_tensorflow
from oscserver.model.config import ARCHITECTURES
from oscserver.server.app import WAV_FORMATS

if TYPE_CHECKING:
    from oscserver.engine import DrumEngine


_presets_option = click.option(
    "--presets",
    envvar="DRUMSYNTH_PRESETS",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder of the presets files, one per model.  "
    "[default: $XDG_DATA_HOME/drumsynth/presets, else ~/.local/share/drumsynth/presets]",
)


@click.group(context_settings={"help_option_names": ["-h", "--help"], "show_default": True})
@click.version_option(__version__, prog_name="drumsynth")
def main() -> None:
    """drumsynth-osc: a neural drum instrument served over OSC.

    Run `drumsynth serve` to start the OSC server on the shipped model.
    """
    quiet_tensorflow()  # before any command imports TensorFlow


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
    type=click.IntRange(*SR_RANGE),
    default=None,
    help="Sample rate of the files (your client's).  [default: the model's]",
)
@click.option(
    "--queue",
    "queue_size",
    envvar="DRUMSYNTH_QUEUE",
    type=click.IntRange(*QUEUE_RANGE),
    default=DEFAULT_QUEUE,
    show_default=True,
    help="Most slots waiting at once; past it requests are answered busy.",
)
@click.option(
    "--allow",
    "allow",
    envvar="DRUMSYNTH_ALLOW",
    multiple=True,
    metavar="CIDR",
    help="Also take requests from this network (e.g. 192.168.1.0/24); repeat for more. "
    "Needed to listen on any address but loopback.  [default: this machine only]",
)
@click.option(
    "--allow-read",
    "allow_read",
    envvar="DRUMSYNTH_ALLOW_READ",
    multiple=True,
    type=click.Path(file_okay=False, path_type=Path),
    metavar="DIR",
    help="/drum/invert and /drum/break read audio only under this folder; repeat for more. "
    "Needed with --allow.  [default on loopback: any folder]",
)
@click.option(
    "--slots",
    "max_slots",
    envvar="DRUMSYNTH_SLOTS",
    type=click.IntRange(*SLOTS_RANGE),
    default=DEFAULT_MAX_SLOTS,
    show_default=True,
    help="Most slots kept; past it the least recently used slot and its files are deleted.",
)
@click.option(
    "--deadline",
    envvar="DRUMSYNTH_DEADLINE",
    type=click.FloatRange(*DEADLINE_RANGE),
    default=DEFAULT_DEADLINE_S,
    show_default=True,
    help="Seconds a long job (a /drum/break) may run before it is stopped.",
)
@click.option(
    "--warmup/--no-warmup",
    envvar="DRUMSYNTH_WARMUP",
    default=True,
    show_default=True,
    help="Run the model once before answering.",
)
@_presets_option
@click.option(
    "--wekinator-slot",
    envvar="DRUMSYNTH_WEKINATOR_SLOT",
    default="wek",
    show_default=True,
    help="The slot Wekinator's /wek/outputs moves along the PCA axes.",
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
    queue_size: int, allow: tuple[str, ...], allow_read: tuple[Path, ...], max_slots: int,
    deadline: float, warmup: bool, presets: Path | None, wekinator_slot: str, log_level: str,
) -> None:  # fmt: skip
    """Serve the model over OSC (UDP) until Ctrl-C or SIGTERM.

    \b
    Example:
      drumsynth serve --port 57300 --sr 48000 --format int24
      oscsend localhost 57300 /drum/seed si kick 42   # -> /drum/done ... <path> ...
      drumsynth serve --host 0.0.0.0 --allow 192.168.1.0/24 --allow-read ~/samples
    """
    from oscserver.server.app import StartupError, run

    configure_logging(log_level)  # before run(): the project's lines only
    try:
        run(host=host, port=port, model=model, out=out, fmt=fmt, sr=sr, queue_size=queue_size,
            warmup=warmup, allow=allow, allow_read=allow_read, max_slots=max_slots,
            deadline=deadline, presets=presets, wekinator_slot=wekinator_slot,
            log_level=log_level)  # fmt: skip
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


F = TypeVar("F", bound=Callable[..., Any])


def _existing_run_option(help_text: str) -> Callable[[F], F]:
    """--run: a run folder that earlier training steps made."""
    return click.option(
        "--run",
        "run_dir",
        type=click.Path(exists=True, file_okay=False, path_type=Path),
        default=Path("runs/main"),
        show_default=True,
        help=help_text,
    )


# ---- training: dataset -> train -> fit-pca -> train-encoder -> export -------------------------


@main.command("render-soundfonts")
@click.option(
    "--out",
    "-o",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("data/renders"),
    help="Folder for the renders and their manifest.json.",
)
def render_soundfonts_cmd(out: Path) -> None:
    """Render the General MIDI drum kits of Debian's soundfonts into labelled one-shots.

    Needs fluidsynth and the soundfonts (sh scripts/install-kits.sh). Each file is labelled
    by its GM note; out/manifest.json records class, instrument, source and licence.
    """
    from oscserver.training.soundfonts import render_soundfonts

    with _one_line_errors():
        manifest = render_soundfonts(out)
    click.echo(f"{manifest}")


@main.command()
@click.argument(
    "roots", nargs=-1, required=True, type=click.Path(exists=True, file_okay=False, path_type=Path)
)
@click.option(
    "--out",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("data/drums.npz"),
    help="Dataset file (.npz, with a .json summary).",
)
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
@click.option("--seed", type=click.IntRange(0), default=0, help="Seed of the split.")
@click.option(
    "--test-sources",
    default="",
    help="Comma-separated sources held out whole as the test set (e.g. timgm6mb,lmms,"
    "hydrogen/GMRockKit); replaces --test-fraction.",
)
@click.option(
    "--arch",
    type=click.Choice(list(ARCHITECTURES)),
    default="default",
    help="Architecture whose length and rate the sounds are cut to.",
)
def dataset(
    roots: tuple[Path, ...],
    out: Path,
    classes: str,
    test_fraction: float,
    shifts: str,
    seed: int,
    test_sources: str,
    arch: str,
) -> None:
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
    with _one_line_errors():
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
        )
    click.echo(
        f"{out}: {summary['examples']} sounds; files per class {summary['files']}; "
        f"test files {summary['test_files']}"
    )


@main.command()
@click.option(
    "--data",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    required=True,
    help="Dataset built by `drumsynth dataset`.",
)
@click.option(
    "--run",
    "run_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("runs/main"),
    help="Run folder: checkpoints, samples, losses. An existing run resumes.",
)
@click.option("--steps", type=click.IntRange(1), default=20000, help="Train until this step.")
@click.option("--batch", type=click.IntRange(1), default=16, help="Global batch size.")
@click.option(
    "--lr",
    type=click.FloatRange(0, 1, min_open=True),
    default=1e-4,
    help="Learning rate of the generator.",
)
@click.option(
    "--lr-d",
    type=click.FloatRange(0, 1, min_open=True),
    default=5e-5,
    help="Learning rate of the discriminator.",
)
@click.option("--r1", type=click.FloatRange(0), default=30.0, help="R1 penalty weight.")
@click.option(
    "--stats-weight",
    type=click.FloatRange(0),
    default=1.0,
    help="Weight of matching each class's log-mel mean and spread (0: plain adversarial, "
    "which collapsed each class to one sound on drums-v2's data).",
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
    help="Steps between snapshots kept in RUN/snapshots/stepN, to choose the best step by "
    "evaluation afterwards (0: none).",
)
@click.option("--seed", type=click.IntRange(0), default=0, help="Seed of the run's randomness.")
@click.option(
    "--arch",
    type=click.Choice(list(ARCHITECTURES)),
    default="default",
    help="Architecture of a new run (a resumed run keeps its own).",
)
@click.option(
    "--init-from",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=None,
    help="Start a new run's generator from this model folder (same classes; outputs the "
    "architecture added start from their bias alone). A resumed run ignores it.",
)
def train(
    data: Path,
    run_dir: Path,
    steps: int,
    batch: int,
    lr: float,
    lr_d: float,
    r1: float,
    stats_weight: float,
    sample_every: int,
    keep_every: int,
    seed: int,
    arch: str,
    init_from: Path | None,
) -> None:
    """Train the GAN (mapping, synthesis, discriminator); all GPUs when there are several.

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
        sample_every=sample_every,
        keep_every=keep_every,
        seed=seed,
    )
    with _one_line_errors():
        classes = Dataset.load(data).classes
        train_run(data, run_dir, config, ARCHITECTURES[arch](classes), init_from)


@main.command("fit-pca")
@_existing_run_option("Run folder with a checkpoint.")
@click.option("--axes", type=click.IntRange(1, 64), default=8, help="Principal axes per class.")
@click.option(
    "--samples",
    type=click.IntRange(100),
    default=10_000,
    help="Sampled w per class the PCA is fitted on.",
)
@click.option("--seed", type=click.IntRange(0), default=0, help="Seed of the sampled w.")
def fit_pca_cmd(run_dir: Path, axes: int, samples: int, seed: int) -> None:
    """Fit the per-class PCA of W of a run's generator (run/pca.npz)."""
    from oscserver.training.recipe import fit_pca_run

    with _one_line_errors():
        click.echo(str(fit_pca_run(run_dir, axes=axes, samples=samples, seed=seed)))


@main.command("train-encoder")
@_existing_run_option("Run folder with a checkpoint and pca.npz.")
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
    help="Fine-tuning steps on --real-data (spectral loss only).",
)
@click.option("--seed", type=click.IntRange(0), default=0, help="Seed of the pairs.")
def train_encoder_cmd(
    run_dir: Path, steps: int, batch: int, real_data: Path | None, real_steps: int, seed: int
) -> None:
    """Train the encoder (audio -> w) with a latent and a multi-resolution spectral loss."""
    from oscserver.training.encoder import EncoderTrainConfig
    from oscserver.training.recipe import train_encoder_run

    with _one_line_errors():
        out = train_encoder_run(
            run_dir, EncoderTrainConfig(steps=steps, batch=batch, seed=seed), real_data, real_steps
        )
    click.echo(str(out))


@main.command()
@_existing_run_option("Run folder with checkpoint, pca.npz, encoder.")
@click.option(
    "--out",
    "-o",
    type=click.Path(file_okay=False, path_type=Path),
    required=True,
    help="Model folder to write, e.g. models/drums-v2.",
)
def export(run_dir: Path, out: Path) -> None:
    """Write a run's model artifact (weights, config, PCA, checksums)."""
    from oscserver.training.recipe import export_run

    with _one_line_errors():
        click.echo(str(export_run(run_dir, out)))


# ---- render commands: generate, interpolate, invert, info -----------------------------------
# Importing oscserver.engine loads TensorFlow, which `--help` and `protocol` never need, so this
# mirrors the engine's constant; tests/test_cli.py checks that they agree. The bounds come from
# oscserver.limits, shared with the server: a seed printed here works over OSC too.
INTERPOLATIONS = ("lin", "slerp")  # oscserver.engine.latent.INTERPOLATIONS

_model_option = click.option(
    "--model",
    envvar="DRUMSYNTH_MODEL",
    type=click.Path(path_type=Path),
    default=None,
    help="Model artifact folder.  [default: the shipped model]",
)
_format_option = click.option(
    "--format",
    "fmt",
    envvar="DRUMSYNTH_FORMAT",
    type=click.Choice(tuple(WAV_SUBTYPES)),
    default="float32",
    show_default=True,
    help="WAV sample format.",
)
_sr_option = click.option(
    "--sr",
    envvar="DRUMSYNTH_SR",
    type=click.IntRange(*SR_RANGE),
    default=None,
    help="Sample rate of the files, resampled.  [default: the model's, 44100]",
)


def _finite(ctx: click.Context, param: click.Parameter, value: float) -> float:
    if not math.isfinite(value):
        raise click.BadParameter(f"{value} is not a finite number")
    return value


_psi_option = click.option(
    "--psi",
    type=click.FloatRange(*PSI_RANGE),
    default=1.0,
    show_default=True,
    callback=_finite,
    help="Truncation: 0 the class mean, 1 the seed's own sound, above 1 exaggerated.",
)


def _coordinates(
    ctx: click.Context, param: click.Parameter, value: str | tuple[float, ...] | None
) -> tuple[float, ...]:
    """--pca "1.5,-0.5" or --pc 1.5 --pc -0.5 -> (1.5, -0.5); finite numbers only."""
    if value is None:
        return ()
    if isinstance(value, str):
        try:
            value = tuple(float(v) for v in value.split(","))
        except ValueError:
            msg = f"{value!r} is not numbers separated by commas, e.g. 1.5,-0.5"
            raise click.BadParameter(msg) from None
    if not all(math.isfinite(v) for v in value):
        raise click.BadParameter("coordinates must be finite numbers (no nan or inf)")
    return value


def _anchors(
    ctx: click.Context, param: click.Parameter, specs: tuple[str, ...]
) -> tuple[tuple[str, int], ...]:
    """("kick:42", "snare:7") -> (("kick", 42), ("snare", 7))."""
    anchors = []
    for spec in specs:
        cls, _, seed = spec.rpartition(":")
        if not cls or not seed.isdigit() or int(seed) > MAX_SEED:
            raise click.BadParameter(f"{spec!r} is not CLASS:SEED, e.g. kick:42")
        anchors.append((cls, int(seed)))
    return tuple(anchors)


@contextmanager
def _one_line_errors() -> Iterator[None]:
    """Bad input found by the engine or the file system: one `Error:` line, no traceback."""
    try:
        yield
    except (ValueError, OSError) as err:
        raise click.ClickException(str(err)) from None


def _load_engine(model: Path | None) -> DrumEngine:
    """The engine over --model (or the shipped model), without warm-up: one-shot commands
    trace only what they run. Raises ClickException in one line."""
    from oscserver.engine import DrumEngine, default_model_path
    from oscserver.model.artifact import ArtifactError

    path = model if model is not None else default_model_path()
    if not path.exists():
        raise click.ClickException(f"no model at {path}: pass --model or set DRUMSYNTH_MODEL")
    try:
        return DrumEngine.load(path, warmup=False)
    except (ArtifactError, OSError) as err:
        raise click.ClickException(f"cannot load the model at {path}: {err}") from None


def _class(engine: DrumEngine, cls: str | None, option: str = "--class") -> str:
    """The model's first class for None; a one-line error naming the valid ones otherwise."""
    if cls is None:
        return engine.classes[0]
    if cls not in engine.classes:
        raise click.BadParameter(
            f"unknown class {cls!r}; this model knows {', '.join(engine.classes)}",
            param_hint=f"'{option}'",
        )
    return cls


def _check_out(folder: Path) -> None:
    from oscserver.engine.files import OutputError, check_writable

    try:
        check_writable(folder)
    except OutputError as err:
        raise click.ClickException(str(err)) from None


@main.command()
@click.option(
    "-s",
    "--seed",
    type=click.IntRange(0, MAX_SEED),
    default=None,
    help="Seed of the (first) sound.  [default: a random one, printed]",
)
@click.option(
    "-c",
    "--class",
    "cls",
    default=None,
    help="Drum class, one of the model's (see `drumsynth info`).  [default: its first]",
)
@_psi_option
@click.option(
    "--pca",
    "pca",
    metavar="C1,C2,...",
    default=None,
    callback=_coordinates,
    help="PCA coordinates in standard deviations around the seed's sound, one per axis.",
)
@click.option(
    "--pc",
    "pcs",
    type=float,
    multiple=True,
    callback=_coordinates,
    help="One PCA coordinate; repeat for the next axes (instead of --pca).",
)
@click.option(
    "-n",
    "--count",
    type=click.IntRange(1, 1024),
    default=1,
    show_default=True,
    help="Render this many consecutive seeds, from --seed on.",
)
@click.option(
    "-o",
    "--out",
    type=click.Path(path_type=Path),
    default=Path("."),
    help="A .wav file, or a folder (made if missing) for <class>-<seed>.wav files.",
)
@_sr_option
@_format_option
@_model_option
def generate(
    seed: int | None, cls: str | None, psi: float, pca: tuple[float, ...],
    pcs: tuple[float, ...], count: int, out: Path, sr: int | None, fmt: str, model: Path | None,
) -> None:  # fmt: skip
    """Render the sound of a seed, moved along the PCA axes, to WAV.

    \b
    Examples:
      drumsynth generate --seed 42 --class kick -o kick.wav
      drumsynth generate --class snare -n 8 -o snares/      # 8 seeds from a random one
      drumsynth generate -s 42 -c hat --pca 1.5,-0.5 --psi 0.8 --sr 48000 --format int24
    """
    from oscserver.engine.files import output_paths, target_folder, write_renders

    if pca and pcs:
        raise click.UsageError("give the coordinates with --pca or with --pc, not both")
    coords = pca or pcs
    if seed is None:
        seed = secrets.randbelow(MAX_SEED + 1)
    if seed + count - 1 > MAX_SEED:
        raise click.BadParameter(f"seeds run past {MAX_SEED}", param_hint="'--count'")
    _check_out(target_folder(out))
    engine = _load_engine(model)
    cls = _class(engine, cls)
    if len(coords) > engine.pca_axes:
        raise click.BadParameter(
            f"{len(coords)} coordinates, but this model has {engine.pca_axes} PCA axes",
            param_hint="'--pca' / '--pc'",
        )
    seeds = range(seed, seed + count)
    suffix = (f"-psi{psi:g}" if psi != 1.0 else "") + (
        "-pc" + "_".join(f"{c:g}" for c in coords) if coords else ""
    )
    paths = output_paths(out, [f"{cls}-{s}{suffix}" for s in seeds])
    with _one_line_errors():
        sounds = [
            engine.from_coordinates(cls, coords, base=engine.seed_latent(s, cls, psi)).audio
            if coords else engine.generate(s, cls, psi).audio
            for s in seeds
        ]  # fmt: skip
        written = write_renders(
            np.stack(sounds), paths, rate_in=engine.sample_rate,
            rate_out=sr or engine.sample_rate, fmt=fmt,
        )  # fmt: skip
    for path, s in zip(written, seeds, strict=True):
        click.echo(f"{path}  class {cls} seed {s}")


@main.command()
@click.option("-a", "--seed-a", type=click.IntRange(0, MAX_SEED), default=None,
              help="Seed of the first sound.")  # fmt: skip
@click.option("--class-a", default=None, help="Its class.  [default: the model's first]")
@click.option("-b", "--seed-b", type=click.IntRange(0, MAX_SEED), default=None,
              help="Seed of the last sound.")  # fmt: skip
@click.option("--class-b", default=None, help="Its class.  [default: --class-a]")
@click.option(
    "--anchor",
    "anchors",
    metavar="CLASS:SEED",
    multiple=True,
    callback=_anchors,
    help="A sound the path passes through; two or more, in order (instead of -a/-b).",
)
@click.option(
    "--steps",
    type=click.IntRange(2, MAX_PATH_STEPS),
    default=8,
    show_default=True,
    help="Sounds on the path, the anchors' own included.",
)
@click.option(
    "--mode",
    type=click.Choice(INTERPOLATIONS),
    default="lin",
    show_default=True,
    help="lin: straight lines in W; slerp: great circles (keeps the latent's norm).",
)
@_psi_option
@click.option("--concat", is_flag=True, help="Write the steps one after another into one file.")
@click.option(
    "-o", "--out", type=click.Path(path_type=Path), default=None,
    help="Folder for step-NNN.wav files, or the .wav file with --concat."
         "  [default: ./<A>_to_<B>/ or ./<A>_to_<B>.wav]",
)  # fmt: skip
@_sr_option
@_format_option
@_model_option
def interpolate(
    seed_a: int | None, class_a: str | None, seed_b: int | None, class_b: str | None,
    anchors: tuple[tuple[str, int], ...], steps: int, mode: str, psi: float, concat: bool,
    out: Path | None, sr: int | None, fmt: str, model: Path | None,
) -> None:  # fmt: skip
    """Render a path of sounds from seed A to seed B (or through several anchors).

    \b
    Examples:
      drumsynth interpolate -a 1 --class-a kick -b 7 --class-b snare --steps 16 -o morph/
      drumsynth interpolate --anchor kick:1 --anchor tom:5 --anchor kick:9 --steps 32 \\
          --mode slerp --concat -o loop.wav
    """
    from oscserver.engine.files import output_paths, target_folder, write_renders

    pair = (seed_a, class_a, seed_b, class_b)
    if anchors and any(v is not None for v in pair):
        raise click.UsageError("give --anchor or -a/-b with their classes, not both")
    if not anchors and (seed_a is None or seed_b is None):
        raise click.UsageError("give -a SEED and -b SEED, or --anchor CLASS:SEED two or more times")
    if len(anchors) == 1:
        raise click.BadParameter("a path needs two or more anchors", param_hint="'--anchor'")
    if out is not None:
        _check_out(target_folder(out))
    engine = _load_engine(model)
    if anchors:
        specs = [(_class(engine, c, "--anchor"), s) for c, s in anchors]
    else:
        first = _class(engine, class_a, "--class-a")
        last = _class(engine, class_b, "--class-b") if class_b else first
        assert seed_a is not None and seed_b is not None
        specs = [(first, seed_a), (last, seed_b)]
    label = "_to_".join(f"{c}-{s}" for c, s in specs)
    if out is None:
        out = Path(".") if concat else Path(label)
        _check_out(target_folder(out))
    width = len(str(steps - 1))
    names = [label] if concat else [f"step-{i:0{width}d}" for i in range(steps)]
    with _one_line_errors():
        latents = [engine.seed_latent(s, c, psi) for c, s in specs]
        audio = engine.path(latents, steps, mode).audio
        written = write_renders(
            audio.reshape(1, -1) if concat else audio, output_paths(out, names),
            rate_in=engine.sample_rate, rate_out=sr or engine.sample_rate, fmt=fmt,
        )  # fmt: skip
    for path in written:
        click.echo(str(path))


@main.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--refine",
    type=click.IntRange(0, MAX_REFINE_STEPS),
    default=0,
    show_default=True,
    help="Gradient steps after the encoder: a closer sound, slower.",
)
@click.option(
    "-o",
    "--out",
    type=click.Path(path_type=Path),
    default=Path("."),
    help="A .wav file, or a folder for <FILE's name>-resynth.wav.",
)
@click.option(
    "--save-latent",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Also save the latent w ([w_dim] float32; [n, w_dim] with --slices) as a .npy file.",
)
@click.option(
    "--slices",
    is_flag=True,
    help="FILE is a loop or breakbeat: cut it at its hits, invert each slice, write "
    "<name>-sliceNN.wav and the re-synthesised loop <name>-break.wav.",
)
@_sr_option
@_format_option
@_model_option
def invert(
    file: Path, refine: int, out: Path, save_latent: Path | None, slices: bool, sr: int | None,
    fmt: str, model: Path | None,
) -> None:  # fmt: skip
    """Find the model's nearest sound to an audio FILE and write its resynthesis.

    Prints the nearest class and the PCA coordinates of the sound in that class.

    \b
    Examples:
      drumsynth invert my-snare.wav --refine 50 -o resynth.wav --save-latent snare.npy
      drumsynth invert amen.wav --slices -o amen/     # every hit, and the whole loop again
    """
    from oscserver.engine.files import (
        output_paths,
        read_audio,
        target_folder,
        write_latent,
        write_renders,
    )

    with _one_line_errors():
        audio, rate = read_audio(file)  # before the slow load: a bad file fails at once
    _check_out(target_folder(out))
    if save_latent is not None:
        _check_out(save_latent.parent)
    engine = _load_engine(model)
    if slices:
        _invert_slices(engine, file, audio, rate, refine, out, save_latent, sr, fmt)
        return
    with _one_line_errors():
        render = engine.invert(audio, rate, refine)
        cls = engine.nearest_class(render.latent)
        coords = ",".join(f"{c:.3f}" for c in engine.to_coordinates(cls, render.latent))
        (path,) = write_renders(
            render.audio, output_paths(out, [f"{file.stem}-resynth"]),
            rate_in=engine.sample_rate, rate_out=sr or engine.sample_rate, fmt=fmt,
        )  # fmt: skip
        if save_latent is not None:
            write_latent(save_latent, render.latent)
    click.echo(str(path))
    click.echo(f"nearest class: {cls}")
    click.echo(f"pca ({cls}, std devs from its mean): {coords}")
    if save_latent is not None:
        click.echo(f"latent: {save_latent}")
    click.echo(f"its PCA part as a command: drumsynth generate -c {cls} --psi 0 --pca {coords}")


def _invert_slices(
    engine: DrumEngine, file: Path, audio: np.ndarray, rate: int, refine: int, out: Path,
    save_latent: Path | None, sr: int | None, fmt: str,
) -> None:  # fmt: skip
    """`invert --slices`: one WAV per hit and the loop laid out again from the resynthesis."""
    from oscserver.audio.dsp import place_slices
    from oscserver.engine.files import output_paths, write_latent, write_renders

    rate_out = sr or engine.sample_rate
    with _one_line_errors():
        starts, render = engine.invert_slices(audio, rate, refine)
        names = [f"{file.stem}-slice{i:02d}" for i in range(len(starts))]
        paths = write_renders(render.audio, output_paths(out, names), rate_in=engine.sample_rate,
                              rate_out=rate_out, fmt=fmt)  # fmt: skip
        length = int(round(len(audio) * engine.sample_rate / rate))
        loop = place_slices(render.audio, starts, length, engine.sample_rate)
        (loop_path,) = write_renders(
            loop, output_paths(out, [f"{file.stem}-break"]), rate_in=engine.sample_rate,
            rate_out=rate_out, fmt=fmt,
        )  # fmt: skip
        if save_latent is not None:
            write_latent(save_latent, render.latent)
    for path, start, w in zip(paths, starts, render.latent, strict=True):
        click.echo(f"{path}  at {start / engine.sample_rate:.3f} s  {engine.nearest_class(w)}")
    click.echo(str(loop_path))


def _training_rows(training: dict[str, Any]) -> list[tuple[str, str]]:
    """What the artifact records of its training: the shipped generator's step first. The
    run's `steps` option is left out: it is where a run would have stopped, not what it did."""
    training = dict(training)
    rows = []
    if "gan_steps" in training:
        rows.append(("gan steps", f"{training.pop('gan_steps'):,} (the shipped generator's step)"))
    settings = {k: v for k, v in dict(training.pop("train", {})).items() if k != "steps"}
    if settings:
        rows.append(("gan settings", ", ".join(f"{k} {v}" for k, v in settings.items())))
    return rows + [(k, str(v)) for k, v in training.items()]


@main.command()
@click.option("-s", "--seed", type=click.IntRange(0, MAX_SEED), required=True,
              help="The seed every class renders.")  # fmt: skip
@_psi_option
@click.option(
    "-o",
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    required=True,
    help="The bank folder to write (made if missing).",
)
@_sr_option
@_format_option
@_model_option
def kit(seed: int, psi: float, out: Path, sr: int | None, fmt: str, model: Path | None) -> None:
    """Render a coherent kit: the same seed through every class, as a SuperDirt bank folder
    (sound n of the class order is <n>.wav; zero-padded from ten classes on).

    \b
    Example:
      drumsynth kit --seed 42 -o ~/samples/gan42    # then s "gan42:0 gan42:1" in Tidal
    """
    from oscserver.engine.files import write_renders

    _check_out(out)
    engine = _load_engine(model)
    width = len(str(len(engine.classes) - 1))
    paths = [out / f"{i:0{width}d}.wav" for i in range(len(engine.classes))]
    with _one_line_errors():
        written = write_renders(
            engine.kit(seed, psi).audio, paths, rate_in=engine.sample_rate,
            rate_out=sr or engine.sample_rate, fmt=fmt,
        )  # fmt: skip
    for path, cls in zip(written, engine.classes, strict=True):
        click.echo(f"{path}  class {cls} seed {seed}")


@main.group()
def presets() -> None:
    """Move the server's presets (one file per model) between machines."""


def _presets_file(folder: Path | None, model: Path | None) -> tuple[Path, str]:
    """The presets file `serve` uses for --model, and the model's name (its folder's)."""
    from oscserver.server.presets import presets_file
    from oscserver.shipped import default_model_path

    name = (model if model is not None else default_model_path()).name
    return presets_file(folder, name), name


@presets.command("export")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@_presets_option
@_model_option
def presets_export(file: Path, presets: Path | None, model: Path | None) -> None:
    """Write the model's presets to FILE (JSON)."""
    from oscserver.server.presets import PresetError, read_presets, write_presets

    source, name = _presets_file(presets, model)
    try:
        found = read_presets(source) if source.exists() else {}
        write_presets(file, name, found)
    except (PresetError, OSError) as err:
        raise click.ClickException(str(err)) from None
    click.echo(f"{file}  {len(found)} presets of {name}")


@presets.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@_presets_option
@_model_option
def presets_import(file: Path, presets: Path | None, model: Path | None) -> None:
    """Add the presets in FILE to the model's (a preset of the same name is replaced). Stop
    the server first: it writes the file too."""
    from oscserver.limits import MAX_PRESETS
    from oscserver.server.presets import PresetError, read_presets, write_presets

    target, name = _presets_file(presets, model)
    try:
        merged = read_presets(target) if target.exists() else {}
        incoming = read_presets(file)
        merged.update(incoming)
        if len(merged) > MAX_PRESETS:
            raise PresetError(f"that makes {len(merged)} presets, at most {MAX_PRESETS} fit")
        write_presets(target, name, merged)
    except (PresetError, OSError) as err:
        raise click.ClickException(str(err)) from None
    click.echo(f"{target}  {len(incoming)} presets imported, {len(merged)} in all")


@main.command()
@_model_option
def info(model: Path | None) -> None:
    """Print the model: classes, sample rate, PCA axes, sizes, provenance.

    \b
    Example:
      drumsynth info --model models/drums-v2
    """
    engine = _load_engine(model)
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


@main.command()
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
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    required=True,
    help="Folder for report.json and the PNG figures.",
)
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
@click.option(
    "--seed",
    type=click.IntRange(0),
    default=0,
    show_default=True,
    help="Seed of the noise baseline and of the choice of inverted sounds.",
)
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
        report = run(
            model=model,
            data=data,
            out=out,
            config=config,
            losses=losses,
            log=lambda line: click.echo(line, err=True),
        )
    except EvaluationError as err:
        raise click.ClickException(str(err)) from None
    click.echo(format_table(report))
    click.echo(f"\nreport and figures in {out}")
    click.echo(report.verdict())
    if not report.passed and not no_fail:
        click.get_current_context().exit(EXIT_TARGETS_MISSED)


if __name__ == "__main__":  # `python -m oscserver.cli serve`; keep this block last
    main()
