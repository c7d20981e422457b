"""Reading any audio file into mono float32 at a target rate, and writing WAV files atomically.

Pure numpy/scipy/soundfile: nothing here knows of TensorFlow, OSC or training.
"""

from __future__ import annotations

import io
import os
import tempfile
from fractions import Fraction
from pathlib import Path

import numpy as np
import soundfile as sf
from scipy.signal import resample_poly

#: WAV sample formats a client may ask for, mapped to libsndfile subtypes.
WAV_SUBTYPES: dict[str, str] = {"float32": "FLOAT", "int16": "PCM_16", "int24": "PCM_24"}


class AudioReadError(ValueError):
    """An audio file could not be read; the message says why in plain words."""


def resample(audio: np.ndarray, sr_in: int, sr_out: int) -> np.ndarray:
    """Resamples along axis 0 with a polyphase filter.

    Args:
        audio: Shape [samples] or [samples, channels].
        sr_in: Rate of `audio` in Hz.
        sr_out: Wanted rate in Hz.

    Returns:
        float32 audio of shape [round(samples * sr_out / sr_in), ...].
    """
    if sr_in <= 0 or sr_out <= 0:
        raise ValueError(f"sample rates must be positive, got {sr_in} and {sr_out}")
    if sr_in == sr_out:
        return np.asarray(audio, dtype=np.float32)
    ratio = Fraction(sr_out, sr_in).limit_denominator(1000)
    out = resample_poly(audio, ratio.numerator, ratio.denominator, axis=0)
    return out.astype(np.float32)


def to_mono(audio: np.ndarray) -> np.ndarray:
    """Mixes [samples, channels] down to [samples] by averaging; [samples] passes through."""
    audio = np.asarray(audio, dtype=np.float32)
    if audio.ndim == 1:
        return audio
    if audio.ndim != 2:
        raise ValueError(f"audio must be [samples] or [samples, channels], got shape {audio.shape}")
    return audio.mean(axis=1)


def read_mono(path: str | os.PathLike[str], sample_rate: int) -> np.ndarray:
    """Reads any file libsndfile understands (WAV, FLAC, AIFF, OGG, ...) as mono float32.

    Returns:
        Shape [samples] at `sample_rate`.

    Raises:
        AudioReadError: the file is missing, is not audio, or holds no samples.
    """
    p = Path(path)
    if not p.exists():
        raise AudioReadError(f"no such file: {p}")
    if not p.is_file():
        raise AudioReadError(f"not a file: {p}")
    try:
        audio, sr = sf.read(str(p), dtype="float32", always_2d=True)
    except (sf.LibsndfileError, RuntimeError, TypeError) as err:
        raise AudioReadError(f"not a readable audio file: {p.name}") from err
    if audio.shape[0] == 0:
        raise AudioReadError(f"audio file holds no samples: {p.name}")
    mono = resample(to_mono(audio), int(sr), sample_rate)
    if not np.all(np.isfinite(mono)):
        raise AudioReadError(f"audio file holds NaN or infinite samples: {p.name}")
    return mono


#: libsndfile's command to add or leave out the PEAK chunk of float files (sndfile.h).
_SFC_SET_ADD_PEAK_CHUNK = 0x1050


def _no_peak_chunk(out: sf.SoundFile) -> None:
    """Leaves out the PEAK chunk libsndfile adds to float WAVs: it holds the time of writing,
    so the same sound written twice would differ in bytes. Best effort (soundfile internals)."""
    try:
        sf._snd.sf_command(out._file, _SFC_SET_ADD_PEAK_CHUNK, sf._ffi.NULL, 0)
    except AttributeError:  # a soundfile without these internals: keep the chunk
        pass


def write_wav_atomic(
    path: str | os.PathLike[str],
    audio: np.ndarray,
    sample_rate: int,
    fmt: str = "float32",
) -> Path:
    """Writes a WAV file under a temporary name in the same folder, then renames it into place.

    A reader polling the folder sees either the old file or the whole new one, never a part.
    The file is encoded in memory first and written with one call: libsndfile writing to the
    file itself seeks and writes a dozen times a file, a cost paid per sound of a live batch.

    Args:
        path: Final file name.
        audio: Shape [samples] (mono) or [samples, channels].
        sample_rate: Rate in Hz written to the header.
        fmt: One of WAV_SUBTYPES.

    Raises:
        ValueError: unknown format. OSError: the folder is not writable.
    """
    if fmt not in WAV_SUBTYPES:
        raise ValueError(f"unknown WAV format {fmt!r}; choose one of {', '.join(WAV_SUBTYPES)}")
    final = Path(path)
    data = np.asarray(audio, dtype=np.float32)
    if fmt != "float32":
        data = np.clip(data, -1.0, 1.0)
    encoded = io.BytesIO()
    channels = 1 if data.ndim == 1 else data.shape[1]
    with sf.SoundFile(
        encoded, "w", sample_rate, channels, subtype=WAV_SUBTYPES[fmt], format="WAV"
    ) as out:
        _no_peak_chunk(out)
        out.write(data)
    fd, tmp = tempfile.mkstemp(prefix=f".{final.stem}.", suffix=".tmp", dir=final.parent)
    try:
        os.fchmod(fd, 0o644)  # readable by clients running as other users, like any WAV file
        with os.fdopen(fd, "wb") as handle, encoded.getbuffer() as view:
            handle.write(view)
        os.replace(tmp, final)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return final
