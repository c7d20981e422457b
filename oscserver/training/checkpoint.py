"""Training checkpoints: the one place that writes and reads a run's `checkpoint/` folder.

A checkpoint holds each network's weights (`<name>.weights.h5`), the optimisers' state keyed
by optimiser and variable path (`optimizers.npz`, so a reordered or grown network restores
what still matches instead of shifting every slot), and `state.json` (format version, step,
model and training configuration, random state). It is written to a temporary folder and
renamed into place, so an interruption leaves the previous checkpoint whole.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import keras
import numpy as np

#: Version of the folder layout; 1 had no "format" key and keyed optimiser slots by index.
CHECKPOINT_FORMAT = 2
STATE_FILE = "state.json"
OPTIMIZER_FILE = "optimizers.npz"


class CheckpointError(ValueError):
    """A checkpoint folder is missing, incomplete or of an unknown format."""


@dataclass(frozen=True)
class Restored:
    """What load_checkpoint brought back."""

    state: dict[str, Any]  # state.json as saved
    optimizer_slots: int  # optimiser variables restored
    optimizer_fresh: int  # optimiser variables left as they were (absent or reshaped)


def _key(optimizer_name: str, variable: keras.Variable) -> str:
    # "adam_1/conv0_kernel_momentum" -> "g:conv0_kernel_momentum": Keras numbers optimiser
    # names per process, the slot name after the slash follows the variable it belongs to.
    return f"{optimizer_name}:{variable.path.split('/', 1)[-1]}"


def read_state(folder: Path) -> dict[str, Any]:
    """state.json of a checkpoint; raises CheckpointError when there is none or it is newer."""
    path = folder / STATE_FILE
    if not path.is_file():
        raise CheckpointError(f"no checkpoint in {folder.parent}: run `drumsynth train` first")
    state: dict[str, Any] = json.loads(path.read_text())
    version = int(state.get("format", 1))
    if version > CHECKPOINT_FORMAT:
        raise CheckpointError(
            f"checkpoint format {version} is newer than this code's {CHECKPOINT_FORMAT}"
        )
    return state


def save_checkpoint(
    folder: Path,
    models: Mapping[str, keras.Model],
    optimizers: Mapping[str, keras.optimizers.Optimizer],
    state: Mapping[str, Any],
) -> None:
    """Writes models, optimisers (may be empty) and state to `folder`, replacing it whole."""
    tmp = folder.with_name(folder.name + ".tmp")
    tmp.mkdir(parents=True, exist_ok=True)
    for name, model in models.items():
        model.save_weights(tmp / f"{name}.weights.h5")
    if optimizers:
        slots = {
            _key(name, v): np.asarray(v.numpy())
            for name, opt in optimizers.items()
            for v in opt.variables
        }
        if len(slots) != sum(len(opt.variables) for opt in optimizers.values()):
            raise CheckpointError("two optimiser variables share a name: give layers unique names")
        np.savez(tmp / OPTIMIZER_FILE, **slots)
    (tmp / STATE_FILE).write_text(json.dumps({**state, "format": CHECKPOINT_FORMAT}))
    if folder.exists():
        old = folder.with_name(folder.name + ".old")
        folder.rename(old)
        tmp.rename(folder)
        for f in old.iterdir():
            f.unlink()
        old.rmdir()
    else:
        tmp.rename(folder)


def load_checkpoint(
    folder: Path,
    models: Mapping[str, keras.Model],
    optimizers: Mapping[str, keras.optimizers.Optimizer],
    *,
    reshapable: tuple[str, ...] = (),
) -> Restored:
    """Restores what save_checkpoint wrote into built models and optimisers.

    Args:
        reshapable: Models whose layers may have changed shape since (restored where they
            still fit: keras skip_mismatch); every other model must match exactly.
    """
    state = read_state(folder)
    for name, model in models.items():
        model.load_weights(folder / f"{name}.weights.h5", skip_mismatch=name in reshapable)
    restored = fresh = 0
    path = folder / OPTIMIZER_FILE
    saved: dict[str, np.ndarray] = {}
    if path.exists() and int(state.get("format", 1)) >= 2:  # format 1 slots were by index
        with np.load(path) as d:
            saved = {k: d[k] for k in d.files}
    for name, opt in optimizers.items():
        for v in opt.variables:
            value = saved.get(_key(name, v))
            if value is not None and tuple(value.shape) == tuple(v.shape):
                v.assign(value)
                restored += 1
            else:
                fresh += 1
    return Restored(state, restored, fresh)
