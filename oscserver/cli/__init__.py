"""The `drumsynth` command line: a click group whose subcommands parse options and call one
layer function each.

    serve.py    serve, protocol, presets: the OSC server and what it keeps
    render.py   generate, interpolate, invert, kit: one-shot sounds to WAV files
    train.py    render-soundfonts, dataset, train, fit-mapping, fit-pca, train-encoder, export
    eval.py     info, evaluate: what a model is and how well it does
    options.py  the options several commands share, each defined once
    common.py   one-line errors, the engine, output checks
    progress.py long work's progress: a bar on a terminal, plain lines elsewhere

Importing this package loads no TensorFlow: `--help` and `protocol` never need it.
"""

from __future__ import annotations

import click

from oscserver import __version__
from oscserver.cli import eval as eval_commands
from oscserver.cli import render, serve, train
from oscserver.cli.eval import EXIT_TARGETS_MISSED
from oscserver.logs import quiet_tensorflow

__all__ = ["EXIT_TARGETS_MISSED", "main"]


@click.group(context_settings={"help_option_names": ["-h", "--help"], "show_default": True})
@click.version_option(__version__, prog_name="drumsynth")
def main() -> None:
    """drumsynth-osc: a neural drum instrument served over OSC.

    Run `drumsynth serve` to start the OSC server on the shipped model.
    """
    quiet_tensorflow()  # before any command imports TensorFlow


for _module in (serve, render, train, eval_commands):
    for _command in _module.COMMANDS:
        main.add_command(_command)
