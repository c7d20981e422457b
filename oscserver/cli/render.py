"""The one-shot sound commands: generate, interpolate, invert and kit write WAV files.

Each checks its output folder before the slow model load, so a bad --out fails at once.
"""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import TYPE_CHECKING

import click
import numpy as np

from oscserver.audio.dsp import place_slices
from oscserver.cli.common import check_out, one_line_errors, open_engine, pick_class
from oscserver.cli.options import (
    format_option,
    model_option,
    out_option,
    parse_anchors,
    parse_coordinates,
    psi_option,
    sound_seed_option,
    sr_option,
)
from oscserver.cli.progress import Progress
from oscserver.engine.files import (
    output_paths,
    read_audio,
    residual_file,
    target_folder,
    write_latent,
    write_renders,
)
from oscserver.engine.latent import INTERPOLATIONS
from oscserver.limits import MAX_PATH_STEPS, MAX_REFINE_STEPS, MAX_SEED

if TYPE_CHECKING:
    from oscserver.engine import DrumEngine


@click.command()
@sound_seed_option("Seed of the (first) sound.  [default: a random one, printed]", default=None)
@click.option(
    "-c",
    "--class",
    "cls",
    default=None,
    help="Drum class, one of the model's (see `drumsynth info`).  [default: its first]",
)
@psi_option
@click.option(
    "--pca",
    "pca",
    metavar="C1,C2,...",
    default=None,
    callback=parse_coordinates,
    help="PCA coordinates in standard deviations around the seed's sound, one per axis.",
)
@click.option(
    "--pc",
    "pcs",
    type=float,
    multiple=True,
    callback=parse_coordinates,
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
@out_option("A .wav file, or a folder (made if missing) for <class>-<seed>.wav files.",
            default=Path("."))  # fmt: skip
@sr_option
@format_option
@model_option
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
    if pca and pcs:
        raise click.UsageError("give the coordinates with --pca or with --pc, not both")
    coords = pca or pcs
    if seed is None:
        seed = secrets.randbelow(MAX_SEED + 1)
    if seed + count - 1 > MAX_SEED:
        raise click.BadParameter(f"seeds run past {MAX_SEED}", param_hint="'--count'")
    check_out(target_folder(out))
    engine = open_engine(model)
    cls = pick_class(engine, cls)
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
    with one_line_errors():
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


@click.command()
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
    callback=parse_anchors,
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
@psi_option
@click.option("--concat", is_flag=True, help="Write the steps one after another into one file.")
@out_option("Folder for step-NNN.wav files, or the .wav file with --concat."
            "  [default: ./<A>_to_<B>/ or ./<A>_to_<B>.wav]", default=None)  # fmt: skip
@sr_option
@format_option
@model_option
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
    pair = (seed_a, class_a, seed_b, class_b)
    if anchors and any(v is not None for v in pair):
        raise click.UsageError("give --anchor or -a/-b with their classes, not both")
    if not anchors and (seed_a is None or seed_b is None):
        raise click.UsageError("give -a SEED and -b SEED, or --anchor CLASS:SEED two or more times")
    if len(anchors) == 1:
        raise click.BadParameter("a path needs two or more anchors", param_hint="'--anchor'")
    if out is not None:
        check_out(target_folder(out))
    engine = open_engine(model)
    if anchors:
        specs = [(pick_class(engine, c, "--anchor"), s) for c, s in anchors]
    else:
        first = pick_class(engine, class_a, "--class-a")
        last = pick_class(engine, class_b, "--class-b") if class_b else first
        assert seed_a is not None and seed_b is not None
        specs = [(first, seed_a), (last, seed_b)]
    label = "_to_".join(f"{c}-{s}" for c, s in specs)
    if out is None:
        out = Path(".") if concat else Path(label)
        check_out(target_folder(out))
    width = len(str(steps - 1))
    names = [label] if concat else [f"step-{i:0{width}d}" for i in range(steps)]
    with one_line_errors():
        latents = [engine.seed_latent(s, c, psi) for c, s in specs]
        audio = engine.path(latents, steps, mode).audio
        written = write_renders(
            audio.reshape(1, -1) if concat else audio, output_paths(out, names),
            rate_in=engine.sample_rate, rate_out=sr or engine.sample_rate, fmt=fmt,
        )  # fmt: skip
    for path in written:
        click.echo(str(path))


@click.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--refine",
    type=click.IntRange(0, MAX_REFINE_STEPS),
    default=0,
    show_default=True,
    help="Gradient steps after the encoder: a closer sound, slower.",
)
@out_option("A .wav file, or a folder for <FILE's name>-resynth.wav.", default=Path("."))
@click.option(
    "--save-latent",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Also save the latent w ([w_dim] float32; [n, w_dim] with --slices) as a .npy file, "
    "and the residual beside it (<name>-residual.npy, [control_frames, controls], [n, ...] "
    "with --slices: the model's residual head's guess, refined by --refine steps; none for a "
    "model without the head, unrefined); engine.render(w, residual=r) plays the resynthesis "
    "again.",
)
@click.option(
    "--slices",
    is_flag=True,
    help="FILE is a loop or breakbeat: cut it at its hits, invert each slice, write "
    "<name>-sliceNN.wav and the re-synthesised loop <name>-break.wav.",
)
@sr_option
@format_option
@model_option
def invert(
    file: Path, refine: int, out: Path, save_latent: Path | None, slices: bool, sr: int | None,
    fmt: str, model: Path | None,
) -> None:  # fmt: skip
    """Find the model's nearest sound to an audio FILE and write its resynthesis.

    Prints the class it hears (the model's class head, as the server answers) and the PCA
    coordinates of the sound in that class.

    \b
    Examples:
      drumsynth invert my-snare.wav --refine 50 -o resynth.wav --save-latent snare.npy
      drumsynth invert amen.wav --slices -o amen/     # every hit, and the whole loop again
    """
    with one_line_errors():
        audio, rate = read_audio(file)  # before the slow load: a bad file fails at once
    check_out(target_folder(out))
    if save_latent is not None:
        check_out(save_latent.parent)
    engine = open_engine(model)
    if slices:
        _invert_slices(engine, file, audio, rate, refine, out, save_latent, sr, fmt)
        return
    with one_line_errors():
        with Progress("invert") as progress:  # refinement steps; the encoder alone is quick
            check = (lambda done: progress.step(round(done * refine), refine)) if refine else None
            render = engine.invert(audio, rate, refine, check)
            progress.finish()
        cls = render.labels[0]
        coords = ",".join(f"{c:.3f}" for c in engine.to_coordinates(cls, render.latent))
        (path,) = write_renders(
            render.audio, output_paths(out, [f"{file.stem}-resynth"]),
            rate_in=engine.sample_rate, rate_out=sr or engine.sample_rate, fmt=fmt,
        )  # fmt: skip
        if save_latent is not None:
            _save_state(save_latent, render.latent, render.residual)
    click.echo(str(path))
    click.echo(f"class: {cls}")
    click.echo(f"pca ({cls}, std devs from its mean): {coords}")
    if save_latent is not None:
        click.echo(f"latent: {save_latent}")
        if render.residual is not None:
            click.echo(f"residual: {residual_file(save_latent)}")
    click.echo(f"its PCA part as a command: drumsynth generate -c {cls} --psi 0 --pca {coords}")


def _save_state(path: Path, latent: np.ndarray, residual: np.ndarray | None) -> None:
    """The latent at `path` and the residual, where there is one, at `residual_file(path)`."""
    write_latent(path, latent)
    if residual is not None:
        write_latent(residual_file(path), residual)


def _invert_slices(
    engine: DrumEngine, file: Path, audio: np.ndarray, rate: int, refine: int, out: Path,
    save_latent: Path | None, sr: int | None, fmt: str,
) -> None:  # fmt: skip
    """`invert --slices`: one WAV per hit and the loop laid out again from the resynthesis."""
    rate_out = sr or engine.sample_rate
    with one_line_errors():
        with Progress("invert", unit=None) as progress:  # encoding, refinement and rendering
            starts, render = engine.invert_slices(audio, rate, refine, progress.fraction)
            progress.finish()
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
            _save_state(save_latent, render.latent, render.residual)
    for path, start, cls in zip(paths, starts, render.labels, strict=True):
        click.echo(f"{path}  at {start / engine.sample_rate:.3f} s  {cls}")
    click.echo(str(loop_path))


@click.command()
@sound_seed_option("The seed every class renders.", required=True)
@psi_option
@out_option("The bank folder to write (made if missing).", kind="folder", required=True)
@sr_option
@format_option
@model_option
def kit(seed: int, psi: float, out: Path, sr: int | None, fmt: str, model: Path | None) -> None:
    """Render a coherent kit: the same seed through every class, as a SuperDirt bank folder
    (sound n of the class order is <n>.wav; zero-padded from ten classes on).

    \b
    Example:
      drumsynth kit --seed 42 -o ~/samples/gan42    # then s "gan42:0 gan42:1" in Tidal
    """
    check_out(out)
    engine = open_engine(model)
    width = len(str(len(engine.classes) - 1))
    paths = [out / f"{i:0{width}d}.wav" for i in range(len(engine.classes))]
    with one_line_errors():
        written = write_renders(
            engine.kit(seed, psi).audio, paths, rate_in=engine.sample_rate,
            rate_out=sr or engine.sample_rate, fmt=fmt,
        )  # fmt: skip
    for path, cls in zip(written, engine.classes, strict=True):
        click.echo(f"{path}  class {cls} seed {seed}")


COMMANDS = (generate, interpolate, invert, kit)
