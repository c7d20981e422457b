"""The multi-resolution spectral distance: one definition for numpy arrays and tensors alike.

Training (the encoder's loss), the engine (refinement of an inversion) and the evaluation
(inversion against the best of N seeds) all measure with these functions, written in
`keras.ops` so that numpy input and differentiable tensors give the same numbers.

Per STFT size n (Hann, hop n/4, n/2 zeros on both sides): spectral convergence
||S_a - S_b|| / ||S_b|| plus the mean |log(S_a + eps) - log(S_b + eps)|, averaged over the
sizes. Magnitudes are divided by the window's sum, so a full-scale sine peaks near 0.5 at every
size and eps (1e-5) sits 100 dB under full scale whatever the size: detail under -100 dB
(such as the end of a decay) does not count.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from keras import ops

#: STFT sizes of the multi-resolution distance.
MULTIRES_FFT_SIZES: tuple[int, ...] = (2048, 1024, 512, 256, 128)
#: Magnitude floor of the log term (window-sum scaled: 100 dB under a full-scale sine).
LOG_EPS = 1e-5


def multires_magnitudes(audio: Any, fft_sizes: Sequence[int] = MULTIRES_FFT_SIZES) -> list[Any]:
    """STFT magnitudes at each size, the inputs of multires_distance_from_magnitudes.

    Args:
        audio: Shape [samples] or [batch, samples]: a numpy array or a tensor.

    Returns:
        One float32 tensor per size: [frames, bins] or [batch, frames, bins].
    """
    x = ops.convert_to_tensor(audio, "float32")
    mags = []
    for n in fft_sizes:
        pad = [(0, 0)] * (len(x.shape) - 1) + [(n // 2, n // 2)]
        real, imag = ops.stft(ops.pad(x, pad), n, n // 4, n, window="hann", center=False)
        power = ops.maximum(real * real + imag * imag, 1e-20)  # a finite gradient in silence
        mags.append(ops.sqrt(power) * (2.0 / n))  # a periodic Hann window sums to n / 2
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
