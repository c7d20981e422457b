"""Fixed-size descriptions of sounds, computed the same way for generated and real ones: what
the evaluation judges sounds by, and what the model's class head (`model/class_head.py`) reads.

Two families that see different things, so that two classifiers can judge independently:
- band features: log-mel statistics over the whole sound (mean and spread per band) and the
  per-band mean of three time segments; the distances (Frechet, diversity, memorisation) use
  the statistics part;
- shape features: attack time, decay times to -10/-20/-40 dB, and the level, spectral centroid
  and spectral flatness of four time segments after the peak (the envelope and decay shape).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.signal import stft

from oscserver.audio.dsp import log_mel

#: Mel bands of the band features: the statistics part is 2 x this (mean and std per band).
FEATURE_MELS = 32
#: STFT of the band features; 2048/512 at 44.1 kHz is 46 ms windows every 12 ms.
FEATURE_FFT = 2048
FEATURE_HOP = 512
#: Ends of the time segments (seconds) whose per-band mean log-mel is a band feature:
#: attack, body, tail.
SEGMENT_ENDS = (0.05, 0.2)
#: Shortest sound the features describe: three STFT frames of the band features.
MIN_FEATURE_SAMPLES = FEATURE_FFT + 2 * FEATURE_HOP
#: Sounds per feature batch (bounds the STFT's memory).
FEATURE_CHUNK = 64

#: STFT of the shape features: 23 ms windows (a whole period of a 45 Hz kick) every 5.8 ms.
SHAPE_FFT = 1024
SHAPE_HOP = 256
#: Block of the short level envelope the attack is read from (2.9 ms at 44.1 kHz).
ATTACK_BLOCK = 128
#: The attack runs from the first block above this level (dB under the peak) to the peak.
ATTACK_DB = 20.0
#: Decay times are measured from the peak frame down to these levels below it.
DECAY_DB = (10.0, 20.0, 40.0)
#: Starts of the shape segments (seconds after the peak frame): attack, early, body, tail.
SHAPE_SEGMENTS = (("attack", 0.0), ("early", 0.03), ("body", 0.1), ("tail", 0.3))
#: Floor of the power spectrum relative to the peak frame's mean power (-80 dB): silence reads
#: as a flat floor, so that centroid and flatness stay defined after a sound has ended.
POWER_FLOOR = 1e-8
#: Names of the shape features, in column order.
SHAPE_NAMES = (
    "attack_s",
    *(f"decay{int(d)}_s" for d in DECAY_DB),
    *(f"{kind}_{seg}" for seg, _ in SHAPE_SEGMENTS for kind in ("level_db", "centroid_khz",
                                                                 "flatness")),
)  # fmt: skip


@dataclass(frozen=True)
class Features:
    """Fixed-size descriptions of n sounds."""

    stats: np.ndarray  # [n, 2 * FEATURE_MELS] per-band mean, then std, of the log-mel over time
    segments: np.ndarray  # [n, 3 * FEATURE_MELS] per-band mean log-mel of attack, body, tail
    shape: np.ndarray  # [n, len(SHAPE_NAMES)] attack, decays, level/centroid/flatness per segment

    @property
    def bands(self) -> np.ndarray:
        """The band features, statistics then segments: [n, 5 * FEATURE_MELS]."""
        return np.concatenate([self.stats, self.segments], axis=1)

    def __len__(self) -> int:
        return len(self.stats)


def _mel_segments(mel: np.ndarray, sample_rate: int) -> np.ndarray:
    """Per-band mean of log-mel [b, t, m] over attack, body and tail: [b, 3 * m].

    Each segment keeps at least one frame, so short sounds get shorter segments.
    """
    t = mel.shape[1]
    e1 = int(np.clip(round(SEGMENT_ENDS[0] * sample_rate / FEATURE_HOP), 1, t - 2))
    e2 = int(np.clip(round(SEGMENT_ENDS[1] * sample_rate / FEATURE_HOP), e1 + 1, t - 1))
    return np.concatenate(
        [mel[:, :e1].mean(axis=1), mel[:, e1:e2].mean(axis=1), mel[:, e2:].mean(axis=1)], axis=1
    )


def attack_times(audio: np.ndarray, sample_rate: int) -> np.ndarray:
    """Seconds from the first block within ATTACK_DB of the loudest block to that block.

    Args:
        audio: Shape [b, samples].

    Returns:
        Shape [b].
    """
    b, samples = audio.shape
    blocks = audio[:, : samples // ATTACK_BLOCK * ATTACK_BLOCK].reshape(b, -1, ATTACK_BLOCK)
    energy = np.mean(np.square(blocks, dtype=np.float64), axis=-1)
    peak = np.argmax(energy, axis=1)
    loud = energy >= energy.max(axis=1, keepdims=True) * 10.0 ** (-ATTACK_DB / 10.0)
    return (peak - np.argmax(loud, axis=1)) * ATTACK_BLOCK / sample_rate


def decay_times(level_db: np.ndarray, frame_s: float) -> np.ndarray:
    """Seconds from the peak of a level envelope until it first falls `d` dB below the peak.

    The crossing is interpolated linearly (in dB) between the two frames around it; a sound that
    never falls that far gets the time from its peak to its end.

    Args:
        level_db: Shape [b, frames], dB relative to each row's peak (so its maximum is 0).
        frame_s: Seconds between frames.

    Returns:
        Shape [b, len(DECAY_DB)].
    """
    b, frames = level_db.shape
    peak = np.argmax(level_db, axis=1)
    rows = np.arange(b)
    after = np.arange(frames)[None, :] > peak[:, None]
    out = np.empty((b, len(DECAY_DB)))
    for k, db in enumerate(DECAY_DB):
        below = after & (level_db < -db)
        found = below.any(axis=1)
        end = np.where(found, below.argmax(axis=1), frames - 1)
        prev = np.maximum(end - 1, 0)
        hi, lo = level_db[rows, prev], level_db[rows, end]
        frac = np.where(found & (hi > lo), (hi + db) / np.maximum(hi - lo, 1e-12), 0.0)
        out[:, k] = (prev + np.clip(frac, 0.0, 1.0) - peak) * frame_s
        out[~found, k] = (frames - 1 - peak[~found]) * frame_s
    return out


def shape_features(audio: np.ndarray, sample_rate: int) -> np.ndarray:
    """Envelope and decay shape of a batch: audio [b, samples] -> [b, len(SHAPE_NAMES)].

    Level in dB under the peak frame, centroid in kHz and flatness (geometric over arithmetic
    mean of the power spectrum: 1 for white noise, near 0 for a sine) of each segment's summed
    power spectrum. Segments start at the peak frame and keep at least one frame each.
    """
    freqs, _, spec = stft(
        audio.astype(np.float64),
        fs=sample_rate,
        nperseg=SHAPE_FFT,
        noverlap=SHAPE_FFT - SHAPE_HOP,
        boundary=None,
        padded=True,
        axis=-1,
    )
    power = np.square(np.abs(spec)).transpose(0, 2, 1)  # [b, t, f]
    energy = power.mean(axis=-1)  # [b, t]
    top = np.maximum(energy.max(axis=1), 1e-30)  # [b]
    level = 10.0 * np.log10(np.maximum(energy / top[:, None], POWER_FLOOR))
    frame_s = SHAPE_HOP / sample_rate
    frames = power.shape[1]
    peak = np.argmax(energy, axis=1)
    starts = [int(round(s / frame_s)) for _, s in SHAPE_SEGMENTS]
    rows = []
    for i in range(len(audio)):
        row = []
        for k, start in enumerate(starts):
            a = min(peak[i] + start, frames - 1)
            e = peak[i] + starts[k + 1] if k + 1 < len(starts) else frames
            seg = power[i, a : max(a + 1, min(e, frames))].mean(axis=0) + POWER_FLOOR * top[i]
            row += [
                10.0 * np.log10(seg.mean() / top[i]),
                float(np.sum(seg * freqs) / np.sum(seg)) / 1000.0,
                float(np.exp(np.mean(np.log(seg))) / np.mean(seg)),
            ]
        rows.append(row)
    return np.concatenate(
        [attack_times(audio, sample_rate)[:, None], decay_times(level, frame_s), np.array(rows)],
        axis=1,
    )


def sound_features(audio: np.ndarray, sample_rate: int) -> Features:
    """Features of sounds [n, samples] (any length of at least MIN_FEATURE_SAMPLES)."""
    audio = np.asarray(audio, np.float32)
    if audio.ndim != 2 or audio.shape[1] < MIN_FEATURE_SAMPLES:
        raise ValueError(f"audio must be [n, samples >= {MIN_FEATURE_SAMPLES}], got {audio.shape}")
    stats, segments, shape = [], [], []
    for i in range(0, len(audio), FEATURE_CHUNK):
        chunk = audio[i : i + FEATURE_CHUNK]
        mel = log_mel(chunk, sample_rate, FEATURE_FFT, FEATURE_HOP, FEATURE_MELS)
        stats.append(np.concatenate([mel.mean(axis=1), mel.std(axis=1)], axis=1))
        segments.append(_mel_segments(mel, sample_rate))
        shape.append(shape_features(chunk, sample_rate))
    if not stats:
        return Features(
            np.zeros((0, 2 * FEATURE_MELS)),
            np.zeros((0, 3 * FEATURE_MELS)),
            np.zeros((0, len(SHAPE_NAMES))),
        )
    return Features(
        np.concatenate(stats).astype(np.float64),
        np.concatenate(segments).astype(np.float64),
        np.concatenate(shape).astype(np.float64),
    )
