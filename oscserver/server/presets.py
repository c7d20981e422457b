"""Presets: named slot states, one JSON file per model, kept across restarts.

A preset holds what a slot needs to sound again: its class, its base latent, its latent, its
PCA offsets (the coordinates of the latent around the base), for a style-mixed slot its
per-layer styles, and for a refined inversion its residual. The file is
`<folder>/<model>.json`; the folder is `--presets`, else
`$XDG_DATA_HOME/drumsynth/presets`, else `~/.local/share/drumsynth/presets`. Every change
rewrites the file atomically (a temporary file in the same folder, fsynced, renamed into
place), so a crash leaves the old set or the new one, never half of one.

Names follow the slot rules (letters, digits, `_` and `-`, at most 64), so no name can leave the
folder. No numpy arrays in the file: lists of floats, exact for float32 values, except the
residual (256 x 82 values for drums-v2): its shape and its float32 values, little-endian, in
base64, a quarter of the size of a list.

Only the worker thread touches a server's `PresetStore`; the CLI uses its own.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
import os
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from oscserver.limits import MAX_PRESETS
from oscserver.server.protocol import SLOT_PATTERN

log = logging.getLogger(__name__)

#: Version of the presets file; a newer one is refused, never overwritten. Version 2 added the
#: residual, which a server of version 1 would drop: it refuses the file instead.
PRESETS_FORMAT = 2
#: Versions read (a version 1 file is a version 2 file without residuals).
PRESETS_FORMATS_READ = (1, 2)

#: How far (standard deviations) a preset's stored PCA offsets may lie from its latent's.
PRESET_OFFSETS_TOLERANCE = 1e-3


class PresetError(ValueError):
    """A preset or presets file that cannot be used; the message says why."""


def default_presets_dir() -> Path:
    """$XDG_DATA_HOME/drumsynth/presets, else ~/.local/share/drumsynth/presets."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "drumsynth" / "presets"


def presets_file(folder: Path | None, model: str) -> Path:
    """The presets file of `model` in `folder` (None: `default_presets_dir()`)."""
    if not SLOT_PATTERN.fullmatch(model):
        model = "".join(c if SLOT_PATTERN.fullmatch(c) else "_" for c in model)[:64] or "model"
    return Path(folder or default_presets_dir()).expanduser() / f"{model}.json"


def check_name(name: str) -> str:
    """The name if it may name a preset; raises PresetError."""
    if not isinstance(name, str) or not SLOT_PATTERN.fullmatch(name):
        raise PresetError(
            f"a preset name is 1 to 64 letters, digits, _ and -, got {str(name)[:70]!r}"
        )
    return name


def _vector(data: Any, what: str, shape: tuple[int, ...] | None = None) -> np.ndarray:
    try:
        array = np.asarray(data, dtype=np.float32)
    except (TypeError, ValueError):
        raise PresetError(f"{what} must be numbers") from None
    if not np.all(np.isfinite(array)):
        raise PresetError(f"{what} holds NaN or infinite values")
    if shape is not None and array.shape != shape:
        raise PresetError(f"{what} has shape {array.shape}, this model needs {shape}")
    return array


def _residual_to_json(residual: np.ndarray) -> dict[str, Any]:
    r = np.ascontiguousarray(residual, dtype="<f4")
    return {"shape": list(r.shape), "float32le": base64.b64encode(r.tobytes()).decode("ascii")}


def _residual_from_json(data: Any) -> np.ndarray:
    if not isinstance(data, dict) or not isinstance(data.get("float32le"), str):
        raise PresetError("residual must be an object with a shape and float32le")
    shape = data.get("shape")
    if (not isinstance(shape, list) or len(shape) != 2
            or not all(isinstance(n, int) and n > 0 for n in shape)):  # fmt: skip
        raise PresetError("residual's shape must be two positive integers")
    try:
        raw = base64.b64decode(data["float32le"], validate=True)
    except (binascii.Error, ValueError):
        raise PresetError("residual's float32le is not base64") from None
    if len(raw) != 4 * shape[0] * shape[1]:
        raise PresetError(f"residual holds {len(raw)} bytes, its shape {shape} needs "
                          f"{4 * shape[0] * shape[1]}")  # fmt: skip
    return _vector(np.frombuffer(raw, "<f4").reshape(shape), "residual")


@dataclass(frozen=True)
class Preset:
    """One stored slot state.

    Attributes:
        cls: Its class.
        base: [w_dim], the latent `/drum/pca` moves around.
        latent: [w_dim], the latent of its sound.
        offsets: [k], the latent's PCA coordinates around the base (standard deviations).
        styles: [num_ws, w_dim] for a style-mixed slot, else None.
        residual: [control_frames, num_controls] for a refined inversion (and its edits), else
            None.
    """

    cls: str
    base: np.ndarray
    latent: np.ndarray
    offsets: np.ndarray
    styles: np.ndarray | None = None
    residual: np.ndarray | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "class": self.cls,
            "base": [float(x) for x in self.base],
            "latent": [float(x) for x in self.latent],
            "offsets": [float(x) for x in self.offsets],
            "styles": None if self.styles is None else [[float(x) for x in r] for r in self.styles],
            "residual": None if self.residual is None else _residual_to_json(self.residual),
        }

    @classmethod
    def from_json(cls, data: Any) -> Preset:
        """Reads one preset; raises PresetError naming what is wrong."""
        if not isinstance(data, dict) or not isinstance(data.get("class"), str):
            raise PresetError("a preset must be an object with a class")
        base = _vector(data.get("base"), "base")
        if base.ndim != 1:
            raise PresetError("base must be a list of numbers")
        styles, residual = data.get("styles"), data.get("residual")
        return cls(
            data["class"],
            base,
            _vector(data.get("latent"), "latent", base.shape),
            _vector(data.get("offsets", []), "offsets"),
            None if styles is None else _vector(styles, "styles"),
            None if residual is None else _residual_from_json(residual),
        )

    def check_fits(
        self,
        classes: tuple[str, ...],
        w_dim: int,
        num_ws: int,
        pca_axes: int | None = None,
        residual_shape: tuple[int, int] | None = None,
    ) -> None:
        """Raises PresetError when the preset was made with another kind of model (checks the
        offsets' count too when `pca_axes` is given, none stored allowed, and the residual's
        shape when `residual_shape` is)."""
        if self.cls not in classes:
            raise PresetError(f"class {self.cls!r} is not one of {' '.join(classes)}")
        if self.base.shape != (w_dim,):
            raise PresetError(f"its latents have {self.base.size} values, this model {w_dim}")
        if self.styles is not None and self.styles.shape != (num_ws, w_dim):
            raise PresetError(f"its styles have shape {self.styles.shape}")
        if pca_axes is not None and self.offsets.size and self.offsets.shape != (pca_axes,):
            raise PresetError(f"it has {self.offsets.size} PCA offsets, this model {pca_axes}")
        if (residual_shape is not None and self.residual is not None
                and self.residual.shape != tuple(residual_shape)):  # fmt: skip
            raise PresetError(
                f"its residual has shape {list(self.residual.shape)}, this model "
                f"{list(residual_shape)}"
            )


def read_presets(path: Path) -> dict[str, Preset]:
    """The presets in a presets file; raises PresetError (OSError when it cannot be read)."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except json.JSONDecodeError as err:
        raise PresetError(f"{path} is not valid JSON: {err}") from None
    if not isinstance(data, dict) or not isinstance(data.get("presets"), dict):
        raise PresetError(f"{path} is not a drumsynth presets file")
    if data.get("format") not in PRESETS_FORMATS_READ:
        raise PresetError(
            f"{path} has presets format {data.get('format')!r}, not one of "
            f"{' '.join(map(str, PRESETS_FORMATS_READ))}"
        )
    out = {}
    for name, entry in data["presets"].items():
        try:
            out[check_name(name)] = Preset.from_json(entry)
        except PresetError as err:
            raise PresetError(f"{path}: preset {str(name)[:70]!r}: {err}") from None
    return out


def write_presets(path: Path, model: str, presets: dict[str, Preset]) -> None:
    """Writes a presets file atomically (temporary file, fsync, rename)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    data = {
        "format": PRESETS_FORMAT,
        "model": model,
        "presets": {k: presets[k].to_json() for k in sorted(presets)},
    }
    fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(data, handle, indent=1)
            handle.write("\n")
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class PresetStore:
    """The presets of one model, held in memory and written through to its file.

    Args:
        path: The model's presets file; None keeps them in memory only.
        model: The model's name, written into the file.
    """

    def __init__(self, path: Path | None, model: str) -> None:
        self.path = path
        self.model = model
        self._presets: dict[str, Preset] = {}

    def load(self) -> None:
        """Reads the file if there is one. A file that cannot be read is moved aside (and
        logged) so that the next store does not overwrite it."""
        if self.path is None or not self.path.exists():
            return
        try:
            self._presets = read_presets(self.path)
        except (PresetError, OSError) as err:
            aside = self.path.with_name(f"{self.path.name}.broken-{int(time.time())}")
            log.warning("presets: %s; moved to %s, starting with none", err, aside)
            try:
                os.replace(self.path, aside)
            except OSError:
                self.path = None  # cannot move it: never overwrite it either
            self._presets = {}

    def names(self) -> tuple[str, ...]:
        """Every preset's name, sorted."""
        return tuple(sorted(self._presets))

    def get(self, name: str) -> Preset:
        """The preset called `name`; raises PresetError when there is none."""
        try:
            return self._presets[check_name(name)]
        except KeyError:
            raise PresetError(f"no preset named {name}") from None

    def put(self, name: str, preset: Preset) -> None:
        """Stores (or replaces) a preset and writes the file; raises PresetError when full."""
        check_name(name)
        if name not in self._presets and len(self._presets) >= MAX_PRESETS:
            raise PresetError(f"{MAX_PRESETS} presets already; forget one first")
        self._save({**self._presets, name: preset})

    def forget(self, name: str) -> None:
        """Deletes a preset and writes the file; raises PresetError when there is none."""
        self.get(name)
        self._save({k: v for k, v in self._presets.items() if k != name})

    def _save(self, presets: dict[str, Preset]) -> None:
        """Writes `presets` and then holds them; a failed write changes nothing."""
        if self.path is not None:
            try:
                write_presets(self.path, self.model, presets)
            except OSError as err:
                raise PresetError(f"cannot write {self.path}: {err.strerror or err}") from None
        self._presets = presets
