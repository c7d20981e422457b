"""The `drumsynth` command line: each subcommand parses options and calls one function of a layer."""

from __future__ import annotations

import click

from oscserver import __version__


@click.group(context_settings={"help_option_names": ["-h", "--help"], "show_default": True})
@click.version_option(__version__, prog_name="drumsynth")
def main() -> None:
    """drumsynth-osc: a neural drum instrument served over OSC.

    Run `drumsynth serve` to start the OSC server on the shipped model.
    """
