"""The options several commands share, each defined once, and the parsing of their values.

Bounds and choices come from the code that owns them: `oscserver.limits` (shared with the
server, so a seed printed here works over OSC too), the WAV formats of `oscserver.audio.io`, the
interpolations of `oscserver.engine.latent` and the architectures of `oscserver.model.config`.
None of these imports TensorFlow, so `drumsynth --help` stays light.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal, TypeVar

import click

from oscserver.audio.io import WAV_SUBTYPES
from oscserver.limits import MAX_SEED, PSI_RANGE, SR_RANGE
from oscserver.model.config import ARCHITECTURES

F = TypeVar("F", bound=Callable[..., Any])


def _finite(ctx: click.Context, param: click.Parameter, value: float) -> float:
    if not math.isfinite(value):
        raise click.BadParameter(f"{value} is not a finite number")
    return value


def parse_coordinates(
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


def parse_anchors(
    ctx: click.Context, param: click.Parameter, specs: tuple[str, ...]
) -> tuple[tuple[str, int], ...]:
    """("kick:42", "snare:7") -> (("kick", 42), ("snare", 7))."""
    found = []
    for spec in specs:
        cls, _, seed = spec.rpartition(":")
        if not cls or not seed.isdigit() or int(seed) > MAX_SEED:
            raise click.BadParameter(f"{spec!r} is not CLASS:SEED, e.g. kick:42")
        found.append((cls, int(seed)))
    return tuple(found)


# ---- what a sound is made of and written as ---------------------------------------------------

model_option = click.option(
    "--model",
    envvar="DRUMSYNTH_MODEL",
    type=click.Path(path_type=Path),
    default=None,
    help="Model artifact folder.  [default: the shipped model]",
)
format_option = click.option(
    "--format",
    "fmt",
    envvar="DRUMSYNTH_FORMAT",
    type=click.Choice(tuple(WAV_SUBTYPES)),
    default="float32",
    show_default=True,
    help="WAV sample format.",
)
sr_option = click.option(
    "--sr",
    envvar="DRUMSYNTH_SR",
    type=click.IntRange(*SR_RANGE),
    default=None,
    help="Sample rate of the files (your client's), resampled.  [default: the model's]",
)
psi_option = click.option(
    "--psi",
    type=click.FloatRange(*PSI_RANGE),
    default=1.0,
    show_default=True,
    callback=_finite,
    help="Truncation: 0 the class mean, 1 the seed's own sound, above 1 exaggerated.",
)
presets_option = click.option(
    "--presets",
    envvar="DRUMSYNTH_PRESETS",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder of the presets files, one per model.  "
    "[default: $XDG_DATA_HOME/drumsynth/presets, else ~/.local/share/drumsynth/presets]",
)


def sound_seed_option(help_text: str, **kwargs: Any) -> Callable[[F], F]:
    """-s/--seed: the seed of a sound, one the server takes too (0 to MAX_SEED)."""
    return click.option("-s", "--seed", type=click.IntRange(0, MAX_SEED), help=help_text, **kwargs)


def out_option(
    help_text: str, kind: Literal["file", "folder", "any"] = "any", **kwargs: Any
) -> Callable[[F], F]:
    """-o/--out: where a command writes: a file, a folder or either."""
    path = click.Path(file_okay=kind != "folder", dir_okay=kind != "file", path_type=Path)
    return click.option("-o", "--out", type=path, help=help_text, **kwargs)


# ---- training and evaluation ------------------------------------------------------------------


def seed_option(help_text: str) -> Callable[[F], F]:
    """--seed: the seed of a step's randomness (a split, a run, sampled w, pairs, choices)."""
    return click.option("--seed", type=click.IntRange(0), default=0, help=help_text)


def minutes_option(help_text: str) -> Callable[[F], F]:
    """--minutes: a time budget for training, after which it checkpoints and stops."""
    return click.option(
        "--minutes", type=click.FloatRange(0, min_open=True), default=None, help=help_text
    )


def arch_option(help_text: str) -> Callable[[F], F]:
    """--arch: a named architecture of `oscserver.model.config`."""
    return click.option(
        "--arch", type=click.Choice(list(ARCHITECTURES)), default="default", help=help_text
    )


def dataset_option(help_text: str) -> Callable[[F], F]:
    """--data: a dataset file that `drumsynth dataset` built."""
    path = click.Path(exists=True, dir_okay=False, path_type=Path)
    return click.option("--data", type=path, required=True, help=help_text)


def existing_run_option(help_text: str) -> Callable[[F], F]:
    """--run: a run folder that earlier training steps made."""
    return click.option(
        "--run",
        "run_dir",
        type=click.Path(exists=True, file_okay=False, path_type=Path),
        default=Path("runs/main"),
        show_default=True,
        help=help_text,
    )


# ---- research probes (scripts/probe-*.py) -----------------------------------------------------


def probe_options(
    count: int, seed: int, count_help: str = "Held-out drums a class."
) -> Callable[[F], F]:
    """--model, --data (the shipped model and dataset by default), --count and --seed (of the
    choice of drums): what every research probe in `scripts/` reads."""

    def add(f: F) -> F:
        for option in reversed((
            click.option("--model", default="models/drums-v2",
                         type=click.Path(exists=True, file_okay=False)),
            click.option("--data", default="data/drums.npz",
                         type=click.Path(exists=True, dir_okay=False)),
            click.option("--count", default=count, type=click.IntRange(1), help=count_help),
            click.option("--seed", default=seed, type=click.IntRange(0),
                         help="Seeds the choice of drums."),
        )):  # fmt: skip
            f = option(f)
        return f

    return add
