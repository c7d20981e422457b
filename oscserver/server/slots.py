"""Slot state, the A/B files each slot's sounds are written to, and the output folder.

A slot is a client-chosen name (validated by `protocol.canonical_slot`). It holds its class, its
base latent (set by seed, random, invert or morph), its current latent, the residual a refined
inversion added to the synthesiser's controls (carried through its edits) and its latest file.
Sounds are written atomically into the output folder, alternating `<slot>-a.wav` and
`<slot>-b.wav`, so a buffer a client is playing is never overwritten by the next sound.
Nothing is ever written outside the output folder. A kit or a break is also written as a
SuperDirt sample bank: the folder `<slot>/` inside the output folder, one file per sound
(`0.wav`, `1.wav`, ...; zero-padded to one width when there are ten or more, so that a bank's
sorted file names keep their order).

The disk is bounded: at most `max_slots` slots are kept (the least recently used one is evicted
with its files) and a write that would leave less than `MIN_FREE_BYTES` free fails as "disk
full". The output folder is locked against a second server, re-created when deleted, and while
it cannot be written every write fails with "output folder not writable: ...", recovering as
soon as it can.

Only the worker thread touches a `SlotStore`.
"""

from __future__ import annotations

import errno
import fcntl
import logging
import os
import re
import shutil
import tempfile
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from oscserver.audio.io import resample, write_wav_atomic
from oscserver.limits import DEFAULT_MAX_SLOTS, MIN_FREE_BYTES
from oscserver.server.protocol import SLOT_PATTERN

log = logging.getLogger(__name__)

#: Temporary names `write_wav_atomic` uses for our files: `.<slot>-<a|b>.<random>.tmp`.
_TEMP_PATTERN = re.compile(r"\.[A-Za-z0-9_-]{1,64}-[ab]\.[^/]*\.tmp")

#: Bytes per sample of each WAV format, for the free-space check.
_SAMPLE_BYTES = {"float32": 4, "int24": 3, "int16": 2}


class OutputUnavailable(ValueError):
    """The output folder cannot be written now; the message is the reason for the client."""


class OutputLocked(RuntimeError):
    """Another server holds the output folder."""


class OutputFolder:
    """The folder every sound is written into, held by one server at a time.

    Args:
        path: The folder (created if missing).
        min_free: Bytes that must stay free on its disk after a write.
        disk_usage: Reports the disk's free bytes (`shutil.disk_usage`; tests pass their own).
    """

    LOCK_NAME = ".drumsynth.lock"

    def __init__(
        self,
        path: Path,
        min_free: int = MIN_FREE_BYTES,
        disk_usage: Callable[[Path], int] = lambda p: shutil.disk_usage(p).free,
    ) -> None:
        self.path = Path(path).expanduser().absolute()
        self.min_free = min_free
        self.disk_usage = disk_usage
        self._lock_fd: int | None = None

    def open(self) -> None:
        """Creates the folder, proves it writable and locks it (before the model loads).

        Raises:
            OutputUnavailable: it cannot be made or written.
            OutputLocked: another server on this machine writes into it.
        """
        self._make()
        self._lock()

    def _make(self) -> None:
        try:
            self.path.mkdir(parents=True, exist_ok=True)
            with tempfile.TemporaryFile(dir=self.path, prefix=".drumsynth-probe-"):
                pass
        except OSError as err:
            raise OutputUnavailable(
                f"output folder not writable: {self.path}: {err.strerror or err}"
            ) from None

    def _lock(self) -> None:
        lock = self.path / self.LOCK_NAME
        try:
            fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as err:
            raise OutputUnavailable(
                f"output folder not writable: {self.path}: {err.strerror or err}"
            ) from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            holder = os.read(fd, 32).decode("ascii", "replace").strip() or "?"
            os.close(fd)
            raise OutputLocked(
                f"another drumsynth server (pid {holder}) uses the output folder {self.path}; "
                "give this one its own --out"
            ) from None
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        self._unlock()
        self._lock_fd = fd

    def _unlock(self) -> None:
        if self._lock_fd is not None:
            os.close(self._lock_fd)
            self._lock_fd = None

    def ensure(self, size: int) -> None:
        """Before a write of `size` bytes: re-creates a deleted folder, checks the free space.

        Raises:
            OutputUnavailable: the folder cannot be made or written ("disk full" when short).
        """
        if not self.path.is_dir():
            self._make()
            log.warning("output folder %s was gone; re-created it", self.path)
            try:
                self._lock()
            except (OutputLocked, OutputUnavailable) as err:
                log.warning("%s", err)
        try:
            free = self.disk_usage(self.path)
        except OSError as err:
            raise OutputUnavailable(
                f"output folder not writable: {self.path}: {err.strerror or err}"
            ) from None
        if free - size < self.min_free:
            raise OutputUnavailable(
                f"disk full: {free // 2**20} MiB free in {self.path}, a sound needs "
                f"{size // 2**20 + 1} MiB and {self.min_free // 2**20} MiB stay free"
            )

    def reason(self, err: OSError) -> OutputUnavailable:
        """The client's reason for a write that failed with `err`."""
        if err.errno in (errno.ENOSPC, errno.EDQUOT):
            return OutputUnavailable(f"disk full: {self.path}")
        return OutputUnavailable(f"output folder not writable: {self.path}: {err.strerror or err}")

    def close(self) -> None:
        """Releases the lock and deletes the lock file."""
        if self._lock_fd is not None:
            (self.path / self.LOCK_NAME).unlink(missing_ok=True)
            self._unlock()


class UnknownSlot(ValueError):
    """A request named a slot that holds no sound yet."""

    def __init__(self, name: str) -> None:
        super().__init__(
            f"slot {name} is empty; fill it first with /drum/seed, /drum/random or /drum/invert"
        )
        self.name = name


@dataclass(frozen=True)
class Break:
    """The hits of the last break inverted into (or mixed into) a slot.

    Attributes:
        onsets: [n] sample positions of the hits at the model's rate.
        base: [n, w_dim], the hits' latents as inverted (what `/drum/breakpca` moves around).
        latents: [n, w_dim], the hits' latents now.
        classes: The class of each hit.
        length: The loop's length in samples at the model's rate.
        residuals: [n, control_frames, num_controls], the hits' residuals (a refined break's;
            kept through `/drum/breakpca`, blended by `/drum/breakmix`), or None.
    """

    onsets: np.ndarray
    base: np.ndarray
    latents: np.ndarray
    classes: tuple[str, ...]
    length: int
    residuals: np.ndarray | None = None


@dataclass
class Slot:
    """The state of one slot.

    Attributes:
        name: Canonical slot name.
        cls: Its class name.
        base: Shape [w_dim]; the latent that `/drum/pca` moves around.
        latent: Shape [w_dim] (the latent of its latest sound; for a path, the last step's; for
            a style mix, the mean of its per-layer styles).
        path: Its latest file.
        frames: Length of its latest file, in frames at the output rate.
        styles: Shape [num_ws, w_dim], the per-layer styles of a style-mixed sound
            (`/drum/mix`), or None when one latent styles every layer.
        hits: The break it holds (`/drum/break`, `/drum/breakpca`, `/drum/breakmix`), or None.
        residual: Shape [control_frames, num_controls]: what a refined inversion added to the
            controls its latent gives the synthesiser, kept (or blended) through its edits;
            None for a sound of its latent alone.
    """

    name: str
    cls: str
    base: np.ndarray
    latent: np.ndarray
    path: Path
    frames: int
    styles: np.ndarray | None = None
    hits: Break | None = None
    residual: np.ndarray | None = None


class SlotStore:
    """All slots of one server, and the writing of their files.

    Args:
        folder: The output folder (opened).
        model_rate: The engine's sample rate in Hz.
        out_rate: The rate of the files written, in Hz (resampled when it differs).
        fmt: WAV sample format, one of `oscserver.audio.io.WAV_SUBTYPES`.
        max_slots: Most slots kept; past it the least recently used is evicted, files and all.
    """

    def __init__(
        self,
        folder: OutputFolder,
        model_rate: int,
        out_rate: int,
        fmt: str,
        max_slots: int = DEFAULT_MAX_SLOTS,
    ) -> None:
        if max_slots < 1:
            raise ValueError(f"max_slots must be >= 1, got {max_slots}")
        self.folder = folder
        self.out_dir = folder.path
        self.model_rate = model_rate
        self.out_rate = out_rate
        self.fmt = fmt
        self.max_slots = max_slots
        self.evicted = 0
        self._slots: OrderedDict[str, Slot] = OrderedDict()  # least recently used first
        self._turn: dict[str, int] = {}

    def __contains__(self, name: str) -> bool:
        return name in self._slots

    def __len__(self) -> int:
        return len(self._slots)

    def get(self, name: str) -> Slot:
        """The slot's state (now its most recently used); raises UnknownSlot when empty."""
        try:
            self._slots.move_to_end(name)
            return self._slots[name]
        except KeyError:
            raise UnknownSlot(name) from None

    def frames_at_out_rate(self, frames: int) -> int:
        """How many frames `frames` model samples become at the output rate."""
        if self.out_rate == self.model_rate:
            return frames
        return round(frames * self.out_rate / self.model_rate)

    def _file(self, name: str, suffix: str) -> Path:
        if not SLOT_PATTERN.fullmatch(name):
            raise ValueError(f"invalid slot name {name[:70]!r}")
        path = self.out_dir / f"{name}-{suffix}.wav"
        if path.parent != self.out_dir:  # defence in depth: the pattern already forbids it
            raise ValueError(f"slot name {name!r} leaves the output folder")
        return path

    def next_path(self, name: str) -> Path:
        """The file the slot's next sound goes to (the one its latest sound is not in)."""
        return self._file(name, "ab"[self._turn.get(name, 0) % 2])

    def write(self, name: str, audio: np.ndarray) -> tuple[Path, int]:
        """Writes a sound into the slot's next file, atomically.

        Args:
            name: Canonical slot name.
            audio: float32 of shape [frames] (one sound) or [n, frames] (n sounds, written one
                after another).

        Returns:
            The file written and its length in frames at the output rate.

        Raises:
            OutputUnavailable: the folder cannot be written, or the disk is (nearly) full.
        """
        audio = self._at_out_rate(audio)
        target = self.next_path(name)
        path = self._write_file(target, np.ascontiguousarray(audio.reshape(-1)))
        self._turn[name] = self._turn.get(name, 0) + 1
        return path, int(audio.size)

    def _at_out_rate(self, audio: np.ndarray) -> np.ndarray:
        """[frames] or [n, frames] at the model's rate -> the same at the output rate."""
        audio = np.asarray(audio, dtype=np.float32)
        if audio.ndim not in (1, 2):
            raise ValueError(f"audio must be [frames] or [n, frames], got shape {audio.shape}")
        if self.out_rate != self.model_rate:  # each sound on its own: n * frames stays exact
            audio = resample(audio.T, self.model_rate, self.out_rate).T
        return audio

    def _write_file(self, target: Path, audio: np.ndarray) -> Path:
        self.folder.ensure(audio.size * _SAMPLE_BYTES.get(self.fmt, 4) + 1024)
        try:
            return write_wav_atomic(target, audio, self.out_rate, self.fmt)
        except OSError as err:
            raise self.folder.reason(err) from None

    def bank_folder(self, name: str) -> Path:
        """The SuperDirt bank folder of slot `name`: `<out>/<name>/`."""
        if not SLOT_PATTERN.fullmatch(name):
            raise ValueError(f"invalid slot name {name[:70]!r}")
        return self.out_dir / name

    def write_bank(self, name: str, audio: np.ndarray) -> Path:
        """Writes n sounds [n, frames] as the bank folder of slot `name`, sound i as `<i>.wav`
        (zero-padded to the width of n - 1), each atomically; files of an earlier, longer bank
        are removed. Returns the folder.

        Raises:
            OutputUnavailable: the folder cannot be written, or the disk is (nearly) full.
        """
        audio = self._at_out_rate(audio)
        if audio.ndim != 2 or audio.shape[0] < 1:
            raise ValueError(f"a bank needs audio [n, frames], got shape {audio.shape}")
        folder = self.bank_folder(name)
        try:
            folder.mkdir(exist_ok=True)
        except OSError as err:
            raise self.folder.reason(err) from None
        width = len(str(len(audio) - 1))
        names = [f"{i:0{width}d}.wav" for i in range(len(audio))]
        for file, sound in zip(names, audio, strict=True):
            self._write_file(folder / file, np.ascontiguousarray(sound))
        _clear_bank(folder, keep=set(names))
        return folder

    def delete(self, name: str) -> None:
        """Forgets slot `name` and deletes its files and bank folder (nothing if it is empty)."""
        if name in self._slots:
            del self._slots[name]
            self._turn.pop(name, None)
            self._remove_files(name)

    def _remove_files(self, name: str) -> None:
        for suffix in "ab":
            self._file(name, suffix).unlink(missing_ok=True)
        bank = self.bank_folder(name)
        if bank.is_dir():
            _clear_bank(bank, keep=set())
            try:
                bank.rmdir()
            except OSError:  # something else lies there: leave it
                pass

    def set(
        self,
        name: str,
        cls: str,
        base: np.ndarray,
        latent: np.ndarray,
        path: Path,
        frames: int,
        styles: np.ndarray | None = None,
        hits: Break | None = None,
        residual: np.ndarray | None = None,
    ) -> Slot:
        """Records a slot's new state after its file is in place; evicts past `max_slots`."""
        slot = Slot(
            name,
            cls,
            np.array(base, dtype=np.float32),
            np.array(latent, dtype=np.float32),
            path,
            frames,
            None if styles is None else np.array(styles, dtype=np.float32),
            hits,
            None if residual is None else np.array(residual, dtype=np.float32),
        )
        self._slots[name] = slot
        self._slots.move_to_end(name)
        while len(self._slots) > self.max_slots:
            self._evict(next(iter(self._slots)))
        return slot

    def _evict(self, name: str) -> None:
        del self._slots[name]
        self._turn.pop(name, None)
        self._remove_files(name)
        self.evicted += 1
        log.debug("slot %s evicted (least recently used of %d)", name, self.max_slots)


#: The sound files of a bank folder: `0.wav`, `01.wav`, ...
_BANK_FILE = re.compile(r"[0-9]{1,5}\.wav")


def _clear_bank(folder: Path, keep: set[str]) -> None:
    """Deletes the bank files in `folder` not named in `keep` (nothing else)."""
    for path in folder.iterdir():
        if _BANK_FILE.fullmatch(path.name) and path.name not in keep and path.is_file():
            path.unlink(missing_ok=True)


def remove_stale_temporaries(out_dir: Path) -> int:
    """Deletes temporary files a killed server left in `out_dir`; returns how many."""
    removed = 0
    if not out_dir.is_dir():
        return 0
    for path in out_dir.iterdir():
        if _TEMP_PATTERN.fullmatch(path.name) and path.is_file():
            path.unlink(missing_ok=True)
            removed += 1
    if removed:
        log.info("removed %d stale temporary files from %s", removed, out_dir)
    return removed
