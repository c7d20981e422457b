"""The inference engine: a model artifact loaded once, rendering drums from latents.

Importing this package is light: TensorFlow loads when a model is opened (`open_model`) or
`DrumEngine` is first named, so `oscserver.engine.files` and `oscserver.limits` serve the command
line's checks and `--help` without it.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from oscserver.limits import MAX_PATH_STEPS, MAX_REFINE_STEPS
from oscserver.shipped import default_model_path

if TYPE_CHECKING:
    from oscserver.engine.engine import DrumEngine, Render

__all__ = [
    "MAX_PATH_STEPS",
    "MAX_REFINE_STEPS",
    "DrumEngine",
    "ModelError",
    "Render",
    "default_model_path",
    "open_model",
]

#: Names of `oscserver.engine.engine` this package hands out on first use (PEP 562).
_HEAVY = ("DrumEngine", "Render")


class ModelError(ValueError):
    """A model cannot be opened: no folder there, or a missing, corrupt or unknown file in it.
    The message names the path and what is wrong, in one line."""


def open_model(path: str | os.PathLike[str] | None = None, *, warmup: bool = True) -> DrumEngine:
    """The engine over the model folder at `path` (None: the shipped model or $DRUMSYNTH_MODEL).

    Args:
        warmup: Run every compiled function once first (a server); one-shot work skips it and
            traces only what it runs.

    Raises:
        ModelError: the folder is missing (found before TensorFlow is imported), or its
            artifact does not load.
    """
    folder = Path(path) if path is not None else default_model_path()
    if not folder.exists():
        raise ModelError(f"no model at {folder}: pass --model or set DRUMSYNTH_MODEL")
    from oscserver.engine.engine import DrumEngine

    try:
        return DrumEngine.load(folder, warmup=warmup)
    except (ValueError, OSError) as err:  # the artifact's own error is a ValueError
        raise ModelError(f"cannot load the model at {folder}: {err}") from err


def __getattr__(name: str) -> Any:
    """`DrumEngine` and `Render`, imported (with TensorFlow) when first asked for."""
    if name in _HEAVY:
        from oscserver.engine import engine

        return getattr(engine, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
