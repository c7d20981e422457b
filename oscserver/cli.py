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


if __name__ == "__main__":  # `python -m oscserver.cli serve`; keep this block last
    main()
