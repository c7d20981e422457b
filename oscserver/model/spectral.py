"""The multi-resolution spectral distance: one definition for numpy arrays and tensors alike.

Training (the encoder's loss, the GAN's resynthesis of real drums), the engine (refinement of an
inversion) and the evaluation (inversion against the best of N seeds) all measure with these
functions, written in `keras.ops` so that numpy input and differentiable tensors give the same
numbers.

Per STFT size n (Hann, hop n/4, n/2 zeros on both sides) the power is pooled into bands and
over time before comparing: n // 16 log-spaced bands, none narrower than three bins, and the
mean of four frames every two. Drums are largely noise, and the magnitude of one bin of noise
is itself random: compared bin by bin, a drum and the same drum played with other noise were
0.6 (kicks) to 1.3 (open hats, cymbals) apart, most of the distance to the nearest of 256
random sounds of the class (0.58-0.84 of it), so no inversion could get far under that.
Pooled, the same pairs are 0.36-0.61 apart, 0.31-0.46 of that distance
(docs/spectral-distance.md).

The terms, averaged over the sizes: spectral convergence ||S_a - S_b|| / ||S_b|| plus the mean
|log(S_a + eps) - log(S_b + eps)|. Magnitudes are divided by the window's sum, so a full-scale
sine reads near 0.5 to 0.6 at every size and eps (1e-5) sits 100 dB under full scale whatever
the size: detail under -100 dB (such as the end of a decay) does not count.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any

import numpy as np
from keras import ops

#: STFT sizes of the multi-resolution distance.
MULTIRES_FFT_SIZES: tuple[int, ...] = (2048, 1024, 512, 256, 128)
#: Magnitude floor of the log term (window-sum scaled: 100 dB under a full-scale sine).
LOG_EPS = 1e-5
#: An STFT of size n is pooled into n // BAND_DIVISOR bands.
BAND_DIVISOR = 16
#: The narrowest band, in bins: where log spacing would be narrower, bands are this wide.
BAND_MIN_BINS = 3
#: Frames averaged into one (every TIME_POOL // 2 frames).
TIME_POOL = 4


@functools.cache
def band_matrix(n_fft: int) -> np.ndarray:
    """Triangular bands over the bins of an n_fft STFT: [n_fft // 2 + 1, bands], float32.

    Edges are log-spaced from bin 1 to the top bin, pushed apart to BAND_MIN_BINS; each band
    rises from one edge to the next and falls to the one after, so neighbours overlap by half.
    """
    top = n_fft // 2
    edges = [0.0]
    for e in np.geomspace(1.0, top, n_fft // BAND_DIVISOR + 2)[1:]:
        edges.append(max(float(e), edges[-1] + BAND_MIN_BINS))
    edges = [e for e in edges if e <= top]
    b = np.arange(top + 1, dtype=np.float64)[:, None]
    lo, mid, hi = (np.array(edges[i : len(edges) - 2 + i])[None] for i in range(3))
    tri = np.minimum((b - lo) / (mid - lo), (hi - b) / (hi - mid))
    return np.maximum(tri, 0.0).astype(np.float32)


def _pool_frames(power: Any) -> Any:
    """Means of TIME_POOL consecutive frames, every TIME_POOL // 2: [..., frames, bands]."""
    pad = [(0, 0)] * (len(power.shape) - 2) + [(1, 0), (0, 0)]
    total = ops.cumsum(ops.pad(power, pad), axis=-2)
    sums = total[..., TIME_POOL:, :] - total[..., :-TIME_POOL, :]
    return sums[..., :: TIME_POOL // 2, :] / TIME_POOL


def multires_magnitudes(audio: Any, fft_sizes: Sequence[int] = MULTIRES_FFT_SIZES) -> list[Any]:
    """Pooled STFT magnitudes at each size, the inputs of multires_distance_from_magnitudes.

    Args:
        audio: Shape [samples] or [batch, samples]: a numpy array or a tensor.

    Returns:
        One float32 tensor per size: [frames, bands] or [batch, frames, bands].
    """
    x = ops.convert_to_tensor(audio, "float32")
    mags = []
    for n in fft_sizes:
        pad = [(0, 0)] * (len(x.shape) - 1) + [(n // 2, n // 2)]
        real, imag = ops.stft(ops.pad(x, pad), n, n // 4, n, window="hann", center=False)
        power = (real * real + imag * imag) * (2.0 / n) ** 2  # a periodic Hann sums to n / 2
        banded = _pool_frames(ops.matmul(power, ops.convert_to_tensor(band_matrix(n))))
        mags.append(ops.sqrt(ops.maximum(banded, 1e-20)))  # a finite gradient in silence
    return mags


def multires_distance_from_magnitudes(a: Sequence[Any], b: Sequence[Any]) -> Any:
    """The distance from magnitudes made by multires_magnitudes: [] or [batch].

    Leading dimensions broadcast, so one sound's magnitudes can be compared with a batch's
    without computing them again for each pair.
    """
    if len(a) != len(b):
        raise ValueError(f"{len(a)} resolutions vs {len(b)}")
    total = 0.0
    for sa, sb in zip(a, b, strict=True):
        diff = ops.sqrt(ops.sum(ops.square(sa - sb), axis=(-2, -1)))
        norm = ops.sqrt(ops.sum(ops.square(sb), axis=(-2, -1)))
        conv = diff / (norm + 1e-8)
        logl1 = ops.mean(ops.abs(ops.log(sa + LOG_EPS) - ops.log(sb + LOG_EPS)), axis=(-2, -1))
        total = total + conv + logl1
    return total / len(a)


def multires_distance(a: Any, b: Any, fft_sizes: Sequence[int] = MULTIRES_FFT_SIZES) -> Any:
    """The multi-resolution spectral distance of a and b (0 for identical sounds).

    Args:
        a, b: Shape [samples] or [batch, samples], the same shape; numpy arrays or tensors.

    Returns:
        A float32 tensor of shape [] or [batch]; `ops.convert_to_numpy` gives numpy.
    """
    if tuple(a.shape) != tuple(b.shape):
        raise ValueError(f"shapes differ: {tuple(a.shape)} vs {tuple(b.shape)}")
    return multires_distance_from_magnitudes(
        multires_magnitudes(a, fft_sizes), multires_magnitudes(b, fft_sizes)
    )
