"""What the commands share beyond options: one-line errors, the engine, output checks."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import click

from oscserver.engine import ModelError, open_model
from oscserver.engine.files import OutputError, check_writable

if TYPE_CHECKING:
    from oscserver.engine import DrumEngine


@contextmanager
def one_line_errors() -> Iterator[None]:
    """Bad input found by the engine or the file system: one `Error:` line, no traceback."""
    try:
        yield
    except (ValueError, OSError) as err:
        raise click.ClickException(str(err)) from None


def open_engine(model: Path | None) -> DrumEngine:
    """The engine over --model (or the shipped model), without warm-up: one-shot commands
    trace only what they run. Raises ClickException in one line."""
    try:
        return open_model(model, warmup=False)
    except ModelError as err:
        raise click.ClickException(str(err)) from None


def pick_class(engine: DrumEngine, cls: str | None, option: str = "--class") -> str:
    """The model's first class for None; a one-line error naming the valid ones otherwise."""
    if cls is None:
        return engine.classes[0]
    if cls not in engine.classes:
        raise click.BadParameter(
            f"unknown class {cls!r}; this model knows {', '.join(engine.classes)}",
            param_hint=f"'{option}'",
        )
    return cls


def check_out(folder: Path) -> None:
    """A folder the command will write into: made if missing, writable, or a one-line error
    before the model loads."""
    try:
        check_writable(folder)
    except OutputError as err:
        raise click.ClickException(str(err)) from None
