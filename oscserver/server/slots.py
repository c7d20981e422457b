"""Slot state and the A/B files each slot's sounds are written to.

A slot is a client-chosen name (validated by `protocol.canonical_slot`). It holds its class, its
base latent (set by seed, random, invert or morph), its current latent and its latest file.
Sounds are written atomically into the output folder, alternating `<slot>-a.wav` and
`<slot>-b.wav`, so a buffer a client is playing is never overwritten by the next sound.
Nothing is ever written outside the output folder.

Only the worker thread touches a `SlotStore`.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from oscserver.audio.io import resample, write_wav_atomic
from oscserver.server.protocol import SLOT_PATTERN

log = logging.getLogger(__name__)

#: Temporary names `write_wav_atomic` uses for our files: `.<slot>-<a|b>.<random>.tmp`.
_TEMP_PATTERN = re.compile(r"^\.[A-Za-z0-9_-]{1,64}-[ab]\..*\.tmp$")


class UnknownSlot(ValueError):
    """A request named a slot that holds no sound yet."""

    def __init__(self, name: str) -> None:
        super().__init__(
            f"slot {name} is empty; fill it first with /drum/seed, /drum/random or /drum/invert"
        )
        self.name = name


@dataclass
class Slot:
    """The state of one slot.

    Attributes:
        name: Canonical slot name.
        cls: Its class name.
        base: Shape [w_dim]; the latent that `/drum/pca` moves around.
        latent: Shape [w_dim] (the latent of its latest sound; for a path, the last step's).
        path: Its latest file.
        frames: Length of its latest file, in frames at the output rate.
    """

    name: str
    cls: str
    base: np.ndarray
    latent: np.ndarray
    path: Path
    frames: int


class SlotStore:
    """All slots of one server, and the writing of their files.

    Args:
        out_dir: The output folder (created if missing).
        model_rate: The engine's sample rate in Hz.
        out_rate: The rate of the files written, in Hz (resampled when it differs).
        fmt: WAV sample format, one of `oscserver.audio.io.WAV_SUBTYPES`.
    """

    def __init__(self, out_dir: Path, model_rate: int, out_rate: int, fmt: str) -> None:
        self.out_dir = Path(out_dir).expanduser().resolve()
        self.out_dir.mkdir(parents=True, exist_ok=True)
        self.model_rate = model_rate
        self.out_rate = out_rate
        self.fmt = fmt
        self._slots: dict[str, Slot] = {}
        self._turn: dict[str, int] = {}

    def __contains__(self, name: str) -> bool:
        return name in self._slots

    def __len__(self) -> int:
        return len(self._slots)

    def get(self, name: str) -> Slot:
        """The slot's state; raises UnknownSlot when it holds no sound."""
        try:
            return self._slots[name]
        except KeyError:
            raise UnknownSlot(name) from None

    def frames_at_out_rate(self, frames: int) -> int:
        """How many frames `frames` model samples become at the output rate."""
        if self.out_rate == self.model_rate:
            return frames
        return round(frames * self.out_rate / self.model_rate)

    def next_path(self, name: str) -> Path:
        """The file the slot's next sound goes to (the one its latest sound is not in)."""
        if not SLOT_PATTERN.match(name):
            raise ValueError(f"invalid slot name {name!r}")
        suffix = "ab"[self._turn.get(name, 0) % 2]
        path = self.out_dir / f"{name}-{suffix}.wav"
        if path.parent != self.out_dir:  # defence in depth: the pattern already forbids it
            raise ValueError(f"slot name {name!r} leaves the output folder")
        return path

    def write(self, name: str, audio: np.ndarray) -> tuple[Path, int]:
        """Writes a sound into the slot's next file, atomically.

        Args:
            name: Canonical slot name.
            audio: float32 of shape [frames] (one sound) or [n, frames] (n sounds, written one
                after another).

        Returns:
            The file written and its length in frames at the output rate.
        """
        audio = np.asarray(audio, dtype=np.float32)
        if audio.ndim not in (1, 2):
            raise ValueError(f"audio must be [frames] or [n, frames], got shape {audio.shape}")
        if self.out_rate != self.model_rate:  # each sound on its own: n * frames stays exact
            audio = resample(audio.T, self.model_rate, self.out_rate).T
        audio = np.ascontiguousarray(audio.reshape(-1))
        path = write_wav_atomic(self.next_path(name), audio, self.out_rate, self.fmt)
        self._turn[name] = self._turn.get(name, 0) + 1
        return path, int(audio.shape[0])

    def set(
        self, name: str, cls: str, base: np.ndarray, latent: np.ndarray, path: Path, frames: int
    ) -> Slot:
        """Records a slot's new state after its file is in place."""
        slot = Slot(
            name,
            cls,
            np.array(base, dtype=np.float32),
            np.array(latent, dtype=np.float32),
            path,
            frames,
        )
        self._slots[name] = slot
        return slot


def remove_stale_temporaries(out_dir: Path) -> int:
    """Deletes temporary files a killed server left in `out_dir`; returns how many."""
    removed = 0
    if not out_dir.is_dir():
        return 0
    for path in out_dir.iterdir():
        if _TEMP_PATTERN.match(path.name) and path.is_file():
            path.unlink(missing_ok=True)
            removed += 1
    if removed:
        log.info("removed %d stale temporary files from %s", removed, out_dir)
    return removed
