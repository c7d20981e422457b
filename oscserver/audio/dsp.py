"""Pure numpy DSP for drums: onset alignment, fades, fitting to a length, mel features, distances.

Nothing here knows of TensorFlow, OSC or training.
"""

from __future__ import annotations

import numpy as np
from scipy.signal import stft


def onset_index(audio: np.ndarray, threshold_db: float = -30.0) -> int:
    """Index of the first sample whose level exceeds `threshold_db` below the peak.

    Args:
        audio: Shape [samples].
    """
    audio = np.asarray(audio)
    peak = float(np.max(np.abs(audio))) if audio.size else 0.0
    if peak <= 0.0:
        return 0
    above = np.flatnonzero(np.abs(audio) >= peak * 10.0 ** (threshold_db / 20.0))
    return int(above[0]) if above.size else 0


def fit_length(audio: np.ndarray, frames: int, fade_fraction: float = 0.1) -> np.ndarray:
    """Cuts or zero-pads [samples] to [frames]; a cut sound gets a linear fade-out."""
    audio = np.asarray(audio, dtype=np.float32)
    if audio.shape[0] >= frames:
        out = audio[:frames].copy()
        fade = max(1, int(frames * fade_fraction))
        out[-fade:] *= np.linspace(1.0, 0.0, fade, dtype=np.float32)
        return out
    return np.pad(audio, (0, frames - audio.shape[0])).astype(np.float32)


#: Where a one-shot ends, in dB under its peak: training sounds are cut there, and so is what
#: the engine inverts. Soundfont renders hold a release tail at -55 dB; real drums have decayed
#: long before it.
ONE_SHOT_DECAY_DB = -50.0


def trim_decay(
    audio: np.ndarray, floor_db: float = ONE_SHOT_DECAY_DB, hop: int = 256, fade: int = 441
) -> np.ndarray:
    """Cuts a one-shot where its level falls below `floor_db` under its peak for good.

    The level is the RMS of `hop`-sample frames; the last `fade` samples kept fade out linearly,
    so a release tail or a noise floor after the drum's natural decay is removed.

    Args:
        audio: Shape [samples].

    Returns:
        Shape [kept samples] float32 (all of `audio` when it never falls below the floor).
    """
    audio = np.asarray(audio, dtype=np.float32)
    n = audio.shape[0] // hop
    if n == 0:
        return audio
    rms = np.sqrt(np.mean(audio[: n * hop].reshape(n, hop) ** 2, axis=1))
    if rms.max() <= 0.0:
        return audio
    loud = np.flatnonzero(rms >= rms.max() * 10.0 ** (floor_db / 20.0))
    end = (int(loud[-1]) + 1) * hop
    if end >= audio.shape[0] - hop:
        return audio
    out = audio[:end].copy()
    k = min(fade, end)
    out[-k:] *= np.linspace(1.0, 0.0, k, dtype=np.float32)
    return out


def prepare_one_shot(
    audio: np.ndarray, frames: int, pre_roll: int = 32, decay_db: float | None = None
) -> np.ndarray:
    """Aligns a one-shot to its onset (keeping `pre_roll` samples before it) and fits its length.

    Args:
        audio: Mono, shape [samples].
        decay_db: When given, the sound is first cut at its natural decay (see trim_decay).

    Returns:
        Shape [frames], float32.
    """
    start = max(0, onset_index(audio) - pre_roll)
    x = np.asarray(audio)[start:]
    if decay_db is not None:
        x = trim_decay(x, decay_db)
    return fit_length(x, frames)


def normalize_peak(audio: np.ndarray, peak: float = 0.9) -> np.ndarray:
    """Scales so that the largest absolute sample equals `peak`; silence stays silence."""
    m = float(np.max(np.abs(audio))) if np.size(audio) else 0.0
    return (audio * (peak / m)).astype(np.float32) if m > 0 else np.asarray(audio, np.float32)


def hz_to_mel(hz: np.ndarray | float) -> np.ndarray:
    """HTK mel scale."""
    return 2595.0 * np.log10(1.0 + np.asarray(hz, dtype=np.float64) / 700.0)


def mel_to_hz(mel: np.ndarray | float) -> np.ndarray:
    """Inverse of hz_to_mel."""
    return 700.0 * (10.0 ** (np.asarray(mel, dtype=np.float64) / 2595.0) - 1.0)


def mel_filterbank(
    sample_rate: int, n_fft: int, n_mels: int, fmin: float = 20.0, fmax: float | None = None
) -> np.ndarray:
    """Triangular mel filters.

    Returns:
        Shape [n_fft // 2 + 1, n_mels], float32, each filter peaking at 1.
    """
    fmax = sample_rate / 2.0 if fmax is None else fmax
    bins = np.linspace(0.0, sample_rate / 2.0, n_fft // 2 + 1)
    edges = mel_to_hz(np.linspace(hz_to_mel(fmin), hz_to_mel(fmax), n_mels + 2))
    lower, centre, upper = edges[:-2], edges[1:-1], edges[2:]
    rising = (bins[:, None] - lower[None, :]) / (centre - lower)[None, :]
    falling = (upper[None, :] - bins[:, None]) / (upper - centre)[None, :]
    return np.maximum(0.0, np.minimum(rising, falling)).astype(np.float32)


def log_mel(
    audio: np.ndarray, sample_rate: int, n_fft: int = 2048, hop: int = 512, n_mels: int = 64
) -> np.ndarray:
    """Log-mel magnitude spectrogram.

    Args:
        audio: Shape [samples] or [batch, samples].

    Returns:
        Shape [frames, n_mels] or [batch, frames, n_mels], natural log of magnitude + 1e-5.
    """
    _, _, spec = stft(
        audio, nperseg=n_fft, noverlap=n_fft - hop, boundary=None, padded=True, axis=-1
    )
    mag = np.abs(spec) * n_fft / 2.0  # scipy scales by the window sum; undo for unit sines
    mel = np.einsum("...ft,fm->...tm", mag, mel_filterbank(sample_rate, n_fft, n_mels))
    return np.log(mel + 1e-5).astype(np.float32)


def onsets(
    audio: np.ndarray,
    sample_rate: int,
    *,
    n_fft: int = 1024,
    hop: int = 256,
    min_gap: float = 0.06,
    sensitivity: float = 1.3,
) -> np.ndarray:
    """Drum onsets by spectral flux: rises of log-magnitude summed over 24 mel bands.

    A frame is an onset where its flux is a local maximum, exceeds `sensitivity` times the
    median flux of the surrounding half second plus a small absolute margin, and lies at least
    `min_gap` seconds after the previous onset.

    Args:
        audio: Mono, shape [samples].

    Returns:
        Sample indices of the onsets, ascending, int64 (the first sound's start included).
    """
    audio = np.asarray(audio, dtype=np.float64)
    if audio.size < n_fft:
        audio = np.pad(audio, (0, n_fft - audio.size))
    frames = 1 + (audio.size - n_fft) // hop
    idx = np.arange(n_fft)[None, :] + hop * np.arange(frames)[:, None]
    mag = np.abs(np.fft.rfft(audio[idx] * np.hanning(n_fft), axis=1))
    # Mel bands weigh a kick's few low bins as much as a hat's many high ones.
    logmag = np.log1p(100.0 * mag @ mel_filterbank(sample_rate, n_fft, 24, fmin=30.0))
    flux = np.concatenate([[logmag[0].sum()], np.maximum(0.0, np.diff(logmag, axis=0)).sum(1)])
    half = max(1, int(0.25 * sample_rate / hop))
    padded = np.pad(flux, half, mode="constant", constant_values=float(np.median(flux)))
    local = np.array([np.median(padded[i : i + 2 * half + 1]) for i in range(frames)])
    margin = 0.05 * float(flux.max()) if flux.size else 0.0
    gap = max(1, int(min_gap * sample_rate / hop))
    found: list[int] = []
    for i in range(frames):
        lo, hi = max(0, i - 1), min(frames, i + 2)
        if flux[i] < flux[lo:hi].max() or flux[i] <= sensitivity * local[i] + margin:
            continue
        start = i  # walk back to where this rise crossed the threshold
        while start > 0 and flux[start - 1] > sensitivity * local[start - 1] + margin:
            start -= 1
        if found and start - found[-1] < gap:
            continue
        found.append(start)
    # Refine each in the time domain: the first sample of the frame's span that rises a tenth
    # of the way from what still rings to the new peak, so a slice starts at its attack.
    out: list[int] = []
    peak = float(np.max(np.abs(audio)))
    for f in found:
        lo = max(out[-1] + 1 if out else 0, f * hop - n_fft // 2)
        span = np.abs(audio[lo : f * hop + n_fft])
        if span.size == 0:
            out.append(lo)
            continue
        if span.max() < 0.03 * peak:  # under -30 dB of the loudest hit: a crackle, not a hit
            continue
        before = float(span[: hop // 2].max())  # what still rings from earlier hits
        level = before + 0.1 * (float(span.max()) - before)
        out.append(lo + int(np.argmax(span > level)))
    return np.array(out, dtype=np.int64)


def place_slices(
    slices: np.ndarray, starts: np.ndarray, length: int, sample_rate: int, fade: float = 0.005
) -> np.ndarray:
    """Lays sounds back on a timeline: slice i from starts[i], cut (with a fade) at starts[i+1].

    Args:
        slices: [n, frames] sounds, each beginning at its onset.
        starts: [n] ascending sample positions.
        length: Samples of the result.

    Returns:
        [length] float32.
    """
    out = np.zeros(length, np.float32)
    fade_n = max(1, int(fade * sample_rate))
    for i, (sound, start) in enumerate(zip(slices, starts, strict=True)):
        end = int(starts[i + 1]) if i + 1 < len(starts) else length
        n = min(end - int(start), sound.shape[0], length - int(start))
        if n <= 0:
            continue
        piece = sound[:n].astype(np.float32).copy()
        if n < sound.shape[0]:  # cut short by the next hit: fade out instead of clicking
            k = min(fade_n, n)
            piece[-k:] *= np.linspace(1.0, 0.0, k, dtype=np.float32)
        out[int(start) : int(start) + n] += piece
    return out
