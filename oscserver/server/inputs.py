"""Audio files named by requests (`/drum/invert`, `/drum/break`), read within bounds.

A request names a path on the server's machine, so reading it is guarded like any other input:

- only regular files are read (never a FIFO, a device or a folder), opened without blocking;
- with read roots (`serve --allow-read DIR`), only files inside them, after resolving links;
- the size (`MAX_FILE_BYTES`) is checked from the open file and the duration
  (`MAX_FILE_SECONDS`), rate and channels from its header, before any sample is read; the
  samples are then read block by block, mixed to mono as they come, never past the bound;
- anything that cannot be read gets one reason, "not a readable audio file: <name>", whether it
  is missing, forbidden, outside the roots or not audio, so probing cannot tell which;
- silence, and files without samples, are "silent input".
"""

from __future__ import annotations

import os
import stat
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import soundfile as sf

from oscserver.limits import (
    MAX_FILE_BYTES,
    MAX_FILE_CHANNELS,
    MAX_FILE_RATE,
    MAX_FILE_SECONDS,
    SILENCE_PEAK,
)

_BLOCK = 65536  # frames decoded at a time


class InputRefused(ValueError):
    """A named file that is not served; the message is the reason for the client."""


@dataclass(frozen=True)
class ReadPolicy:
    """Which files requests may name, and how big they may be.

    Attributes:
        roots: Folders the files must lie in (resolved); empty: any folder.
        max_bytes: Largest file size.
        max_seconds: Longest duration.
    """

    roots: tuple[Path, ...] = ()
    max_bytes: int = MAX_FILE_BYTES
    max_seconds: float = MAX_FILE_SECONDS

    @classmethod
    def under(cls, roots: Sequence[Path]) -> ReadPolicy:
        """The default bounds inside these roots, each made absolute with links resolved."""
        return cls(tuple(Path(os.path.realpath(Path(r).expanduser())) for r in roots))

    def allows(self, path: Path) -> bool:
        """True when `path` (resolved) lies inside a root, or there are no roots."""
        return not self.roots or any(path.is_relative_to(root) for root in self.roots)


def read_request_audio(sent: str, policy: ReadPolicy) -> tuple[np.ndarray, int]:
    """Reads the file a request named, as mono float32.

    Args:
        sent: The path as the client sent it (`~` is expanded).
        policy: Roots and bounds.

    Returns:
        The samples [samples] at the file's own rate, and that rate in Hz.

    Raises:
        InputRefused: unreadable (one reason for every cause), too big, too long, or silent.
    """
    name = Path(sent).name[:64] or sent[:64]
    unreadable = InputRefused(f"not a readable audio file: {name}")
    try:
        real = Path(os.path.realpath(Path(sent).expanduser()))
        if not policy.allows(real):
            raise unreadable
        fd = os.open(real, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0))
    except (OSError, ValueError):  # missing, forbidden, a NUL in the name
        raise unreadable from None
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode):
        os.close(fd)
        raise unreadable
    with os.fdopen(fd, "rb") as handle:
        if info.st_size > policy.max_bytes:
            raise InputRefused(
                f"file too big: {name} has {info.st_size / 1e6:.1f} MB, at most "
                f"{policy.max_bytes / 1e6:g} MB"
            )
        try:
            mono, rate = _decode(handle, name, policy.max_seconds)
        except (sf.LibsndfileError, RuntimeError, TypeError, ValueError, OSError) as err:
            if isinstance(err, InputRefused):
                raise
            raise unreadable from None
    if not np.all(np.isfinite(mono)):
        raise unreadable
    if mono.size == 0 or float(np.max(np.abs(mono))) < SILENCE_PEAK:
        raise InputRefused("silent input")
    return mono, rate


def _too_long(name: str, seconds: float, limit: float) -> InputRefused:
    return InputRefused(f"audio too long: {name} lasts {seconds:.1f} s, at most {limit:g} s")


def _decode(handle: object, name: str, max_seconds: float) -> tuple[np.ndarray, int]:
    with sf.SoundFile(handle) as f:
        rate, channels = int(f.samplerate), int(f.channels)
        if not (0 < rate <= MAX_FILE_RATE and 0 < channels <= MAX_FILE_CHANNELS):
            raise ValueError("rate or channels out of bounds")
        limit = int(max_seconds * rate)
        if f.frames > limit:  # the header says so: nothing is read
            raise _too_long(name, f.frames / rate, max_seconds)
        blocks, total = [], 0
        for block in f.blocks(_BLOCK, dtype="float32", always_2d=True):
            total += block.shape[0]
            if total > limit:  # a header that lied
                raise _too_long(name, total / rate, max_seconds)
            blocks.append(block.mean(axis=1, dtype=np.float32))
    mono = np.concatenate(blocks) if blocks else np.zeros(0, np.float32)
    return mono.astype(np.float32, copy=False), rate
