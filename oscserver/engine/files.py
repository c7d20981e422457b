"""Renders to WAV files for the `drumsynth` render commands: where they go, checked, written.

An output target is a folder (one `<name>.wav` per sound) or a `.wav` file (one sound, or
`<stem>-<name>.wav` per sound when there are several). Every file is written under a temporary
name and renamed into place, so a failed command leaves whole files or none.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import soundfile as sf

from oscserver.audio.io import AudioReadError, read_mono, resample, write_wav_atomic


class OutputError(ValueError):
    """An output path cannot be written; the message says which and why, in one line."""


def is_file_target(out: Path) -> bool:
    """A target names one file when it ends in .wav and is not an existing folder."""
    return out.suffix.lower() == ".wav" and not out.is_dir()


def output_paths(out: Path, names: Sequence[str]) -> list[Path]:
    """The file of each sound: `out/<name>.wav`, `out` itself, or `<stem>-<name>.wav` beside it."""
    if not names:
        raise ValueError("no sounds to name")
    if not is_file_target(out):
        return [out / f"{name}.wav" for name in names]
    if len(names) == 1:
        return [out]
    return [out.with_name(f"{out.stem}-{name}{out.suffix}") for name in names]


def target_folder(out: Path) -> Path:
    """The folder a target writes into: the file's parent, or the folder itself."""
    return out.parent if is_file_target(out) else out


def check_writable(folder: Path) -> None:
    """Creates `folder` if missing and proves it writable with a temporary file.

    Raises:
        OutputError: the folder cannot be made or written.
    """
    if folder.exists() and not folder.is_dir():
        raise OutputError(f"cannot write to {folder}: it is a file, not a folder")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder, prefix=".drumsynth-probe-"):
            pass
    except OSError as err:
        raise OutputError(f"cannot write to {folder}: {err.strerror or err}") from None


def write_renders(
    audio: np.ndarray,
    paths: Sequence[Path],
    *,
    rate_in: int,
    rate_out: int,
    fmt: str,
) -> list[Path]:
    """Writes each sound to its path, resampled from `rate_in` to `rate_out`.

    Args:
        audio: float32 [frames] (one sound) or [n, frames] (n sounds, n == len(paths)).
        paths: Where each sound goes (see `output_paths`).
        fmt: A key of `oscserver.audio.io.WAV_SUBTYPES`.

    Raises:
        OutputError: a file could not be written (the files before it are whole).
    """
    sounds = np.asarray(audio, np.float32)
    sounds = sounds[None] if sounds.ndim == 1 else sounds
    if sounds.ndim != 2 or len(sounds) != len(paths):
        raise ValueError(f"audio {np.shape(audio)} does not match {len(paths)} path(s)")
    written = []
    for sound, path in zip(sounds, paths, strict=True):
        try:
            data = resample(sound, rate_in, rate_out)
            written.append(write_wav_atomic(path, data, rate_out, fmt))
        except OSError as err:
            raise OutputError(f"cannot write {path}: {err.strerror or err}") from None
    return written


def read_audio(path: Path) -> tuple[np.ndarray, int]:
    """Any audio file libsndfile reads, as mono float32 [samples] at its own rate.

    Raises:
        AudioReadError: missing, not audio, empty or holding NaN.
    """
    if not path.is_file():
        what = "not a file" if path.exists() else "no such file"
        raise AudioReadError(f"{what}: {path}")
    try:
        rate = int(sf.info(str(path)).samplerate)
    except (sf.LibsndfileError, RuntimeError, TypeError):
        raise AudioReadError(f"not a readable audio file: {path.name}") from None
    return read_mono(path, rate), rate


def residual_file(latent: Path) -> Path:
    """Where a refined inversion's residual is saved beside its latent: `<stem>-residual.npy`."""
    return latent.with_name(f"{latent.stem}-residual.npy")


def write_latent(path: Path, latent: np.ndarray) -> Path:
    """Saves a latent as a .npy file at exactly `path` (temporary name, then renamed)."""
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        with tmp.open("wb") as handle:
            np.save(handle, np.asarray(latent, np.float32))
        os.replace(tmp, path)
    except OSError as err:
        tmp.unlink(missing_ok=True)
        raise OutputError(f"cannot write {path}: {err.strerror or err}") from None
    return path
