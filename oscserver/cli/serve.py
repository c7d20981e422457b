"""The server's commands: `serve`, the `protocol` page and the `presets` files it keeps."""

from __future__ import annotations

from pathlib import Path

import click

from oscserver.cli.options import (
    format_option,
    model_option,
    out_option,
    presets_option,
    sr_option,
)
from oscserver.limits import (
    DEADLINE_RANGE,
    DEFAULT_DEADLINE_S,
    DEFAULT_MAX_SLOTS,
    DEFAULT_QUEUE,
    MAX_PRESETS,
    QUEUE_RANGE,
    SLOTS_RANGE,
)
from oscserver.logs import configure_logging


@click.command()
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
@model_option
@out_option(
    "Folder for the WAV files.  [default: $XDG_CACHE_HOME/drumsynth or ~/.cache/drumsynth]",
    kind="folder",
    envvar="DRUMSYNTH_OUT",
    default=None,
)
@format_option
@sr_option
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
@presets_option
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


@click.command()
def protocol() -> None:
    """Print the OSC protocol page (Markdown), generated from the address table.

    \b
    Example:
      drumsynth protocol > docs/protocol.md
    """
    from oscserver.server.protocol import render_markdown

    click.echo(render_markdown(), nl=False)


@click.group()
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
@presets_option
@model_option
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
@presets_option
@model_option
def presets_import(file: Path, presets: Path | None, model: Path | None) -> None:
    """Add the presets in FILE to the model's (a preset of the same name is replaced). Stop
    the server first: it writes the file too."""
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


COMMANDS = (serve, protocol, presets)
