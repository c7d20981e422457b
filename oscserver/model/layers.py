"""Custom Keras layers shared by the networks: style modulation, noise, the drum synthesiser.

Every layer implements `get_config` and is registered for serialization, so weights-only
checkpoints rebuild from the model config alone. Shapes are given as [batch, ...].
"""

from __future__ import annotations

import math
from typing import Any

import keras
import numpy as np
import tensorflow as tf

from oscserver.audio.dsp import mel_filterbank

PACKAGE = "drumsynth"


@keras.saving.register_keras_serializable(package=PACKAGE)
class PixelNorm(keras.layers.Layer):
    """Scales each vector to unit root-mean-square along the last axis."""

    def call(self, x: tf.Tensor) -> tf.Tensor:
        return x * tf.math.rsqrt(tf.reduce_mean(tf.square(x), axis=-1, keepdims=True) + 1e-8)


@keras.saving.register_keras_serializable(package=PACKAGE)
class LearnedConstant(keras.layers.Layer):
    """The synthesis network's starting point: a learned [frames, channels] tensor per batch item.

    Call with any [batch, ...] tensor; only its batch size is used.
    """

    def __init__(self, frames: int, channels: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.frames = frames  # time steps of the constant
        self.channels = channels  # its channels

    def build(self, input_shape: Any) -> None:
        self.const = self.add_weight(
            name="const",
            shape=(self.frames, self.channels),
            initializer=keras.initializers.RandomNormal(stddev=1.0),
        )

    def call(self, ref: tf.Tensor) -> tf.Tensor:
        batch = tf.shape(ref)[0]
        return tf.tile(self.const[None], [batch, 1, 1])

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "frames": self.frames, "channels": self.channels}


@keras.saving.register_keras_serializable(package=PACKAGE)
class StyleIndex(keras.layers.Layer):
    """Picks style i from ws: [batch, num_ws, w_dim] -> [batch, w_dim]."""

    def __init__(self, index: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.index = index  # which per-layer style to take

    def call(self, ws: tf.Tensor) -> tf.Tensor:
        return ws[:, self.index]

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "index": self.index}


@keras.saving.register_keras_serializable(package=PACKAGE)
class MinibatchStd(keras.layers.Layer):
    """Appends each group's mean feature standard deviation to its items: [B, F] -> [B, F + 1].

    Lets the discriminator see a group of look-alikes, so the generator pays for collapse.
    Groups are `group_size` consecutive items (the whole batch when B is not a multiple of it);
    the trainer fills each group with one class, so collapse within a class shows even when
    the batch as a whole is spread by its mix of classes.
    """

    def __init__(self, group_size: int = 4, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.group_size = group_size

    def call(self, x: tf.Tensor) -> tf.Tensor:
        b = tf.shape(x)[0]
        size = tf.where(b % self.group_size == 0, self.group_size, b)
        groups = tf.reshape(x, [b // size, size, -1])
        std = tf.sqrt(tf.math.reduce_variance(groups, axis=1) + 1e-8)  # [B / size, F]
        stat = tf.repeat(tf.reduce_mean(std, axis=1), size)[:, None]  # [B, 1]
        return tf.concat([x, tf.cast(stat, x.dtype)], axis=1)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "group_size": self.group_size}

    def compute_output_shape(self, input_shape: Any) -> tuple[Any, ...]:
        return (input_shape[0], None if input_shape[1] is None else input_shape[1] + 1)


@keras.saving.register_keras_serializable(package=PACKAGE)
class NoiseChannel(keras.layers.Layer):
    """Picks noise channel i: [batch, time, num_noise] -> [batch, time, 1]."""

    def __init__(self, index: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.index = index  # which per-layer noise to take

    def call(self, noise: tf.Tensor) -> tf.Tensor:
        return noise[..., self.index : self.index + 1]

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "index": self.index}


@keras.saving.register_keras_serializable(package=PACKAGE)
class ModulatedConv1D(keras.layers.Layer):
    """StyleGAN2-style modulated 1-D convolution.

    Inputs: x [batch, time, in_channels] and w [batch, w_dim].
    Output: [batch, time, filters]. The style scales the input channels (an affine map of w,
    initialised to 1); with `demodulate` the output is rescaled to unit expected variance.
    """

    def __init__(
        self,
        filters: int,
        kernel: int,
        demodulate: bool = True,
        bias_init: float = 0.0,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.filters = filters  # output channels
        self.kernel = kernel  # convolution width in frames
        self.demodulate = demodulate  # normalise output variance per sample
        self.bias_init = bias_init  # initial output bias

    def build(self, input_shape: Any) -> None:
        x_shape, w_shape = input_shape
        in_ch, w_dim = int(x_shape[-1]), int(w_shape[-1])
        self.affine = self.add_weight(
            name="affine",
            shape=(w_dim, in_ch),
            initializer=keras.initializers.RandomNormal(stddev=1.0 / math.sqrt(w_dim)),
        )
        self.affine_bias = self.add_weight(name="affine_bias", shape=(in_ch,), initializer="ones")
        self.kernel_weight = self.add_weight(
            name="kernel",
            shape=(self.kernel, in_ch, self.filters),
            initializer=keras.initializers.RandomNormal(
                stddev=1.0 / math.sqrt(self.kernel * in_ch)
            ),
        )
        self.bias = self.add_weight(
            name="bias",
            shape=(self.filters,),
            initializer=keras.initializers.Constant(self.bias_init),
        )

    def call(self, inputs: list[tf.Tensor]) -> tf.Tensor:
        x, w = inputs
        style = tf.matmul(w, self.affine) + self.affine_bias  # [B, in]
        y = tf.nn.conv1d(x * style[:, None, :], self.kernel_weight, stride=1, padding="SAME")
        if self.demodulate:
            power = tf.matmul(tf.square(style), tf.reduce_sum(tf.square(self.kernel_weight), 0))
            y = y * tf.math.rsqrt(power + 1e-8)[:, None, :]
        return y + self.bias

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "filters": self.filters,
            "kernel": self.kernel,
            "demodulate": self.demodulate,
            "bias_init": self.bias_init,
        }


@keras.saving.register_keras_serializable(package=PACKAGE)
class NoiseInjection(keras.layers.Layer):
    """Adds per-layer noise with a learned per-channel strength (initially zero).

    Inputs: x [batch, time, channels] and noise [batch, time_full, 1]; the noise is taken at
    every (time_full // time)-th frame so one noise tensor serves every resolution.
    """

    def build(self, input_shape: Any) -> None:
        channels = int(input_shape[0][-1])
        self.strength = self.add_weight(name="strength", shape=(channels,), initializer="zeros")

    def call(self, inputs: list[tf.Tensor]) -> tf.Tensor:
        x, noise = inputs
        stride = tf.shape(noise)[1] // tf.shape(x)[1]
        return x + noise[:, ::stride, :] * self.strength


def exp_sigmoid(x: tf.Tensor, max_value: float = 2.0) -> tf.Tensor:
    """A bounded positive nonlinearity (DDSP's scaled sigmoid): never overflows like exp."""
    return max_value * tf.sigmoid(x) ** math.log(10.0) + 1e-7


def noise_band_matrix(
    sample_rate: int, n_fft: int, bands: int, spacing: str = "log", fmin: float = 20.0
) -> np.ndarray:
    """Maps `bands` gains to the n_fft // 2 + 1 STFT bins by linear interpolation between their
    centres: log-spaced from fmin to half the sample rate, or linearly from 0 ("linear"; with
    as many bands as bins, each gain is one bin's).

    Returns:
        Shape [bands, n_fft // 2 + 1], float32; each bin's weights sum to 1.
    """
    bins_hz = np.linspace(0.0, sample_rate / 2.0, n_fft // 2 + 1)
    if spacing == "log":
        pos = np.interp(
            np.log(np.maximum(bins_hz, fmin)),
            np.log(np.geomspace(fmin, sample_rate / 2.0, bands)),
            np.arange(bands),
        )
    elif spacing == "linear":
        pos = bins_hz / (sample_rate / 2.0) * (bands - 1)
    else:
        raise ValueError(f"unknown noise spacing {spacing!r}")
    lo = np.floor(pos).astype(int)  # pos runs from 0 to bands - 1
    hi = np.minimum(lo + 1, bands - 1)
    frac = pos - lo
    m = np.zeros((bands, bins_hz.size), dtype=np.float32)
    m[lo, np.arange(bins_hz.size)] += 1.0 - frac
    m[hi, np.arange(bins_hz.size)] += frac
    return m


def oscillators(amp: tf.Tensor, freq: tf.Tensor, hop: int, sample_rate: int) -> tf.Tensor:
    """A bank of sinusoids whose amplitude and frequency move linearly between control points.

    Args:
        amp, freq: [batch, points, partials] with points = frames + 1; sample n of frame i
            moves from point i to point i + 1 (frequencies in Hz).

    Returns:
        [batch, frames * hop]: the sum of the partials. A partial's phase is the running sum of
        its frequency, as a cumulative sum over samples would give, but in closed form within a
        frame (a linear ramp sums to a quadratic) and summed over frames only: half the time of
        the sample-by-sample sum at drums-v2's size, and its float32 phase no longer drifts
        over the 32768 samples.
    """
    step = 2.0 * math.pi / sample_rate  # radians per sample per Hz
    f0, df = freq[:, :-1], freq[:, 1:] - freq[:, :-1]  # [B, F, P]
    a0, da = amp[:, :-1], amp[:, 1:] - amp[:, :-1]
    n = tf.range(hop, dtype=freq.dtype)[None, None, :, None]  # [1, 1, hop, 1]
    # phase gained over each whole frame, summed over the frames before it: [B, F, P]
    start = tf.cumsum(step * (hop * f0 + df * ((hop - 1) / 2.0)), axis=1, exclusive=True)
    # within a frame, the sum of f0 + df * k / hop over k = 0..n
    phase = start[:, :, None] + step * (
        f0[:, :, None] * (n + 1.0) + df[:, :, None] * (n * (n + 1.0) / (2.0 * hop))
    )
    y = tf.reduce_sum((a0[:, :, None] + da[:, :, None] * (n / hop)) * tf.sin(phase), axis=-1)
    shape = tf.shape(y)
    return tf.reshape(y, [shape[0], shape[1] * hop])


@keras.saving.register_keras_serializable(package=PACKAGE)
class DrumSynth(keras.layers.Layer):
    """A differentiable drum synthesiser driven by control frames.

    Inputs:
        controls: [batch, control_frames, 2 * partials + noise_bands + envelopes], unbounded
            network outputs: per partial an amplitude and a log-frequency trajectory, the noise
            band gains, then (with `envelopes` = 2) the decay rates of two envelopes, one
            scaling the partials and one the noise.
        noise: [batch, control_frames + 1, n_fft // 2 + 1, 2], standard normal (real, imaginary)
            spectra of the noise source: explicit randomness, drawn by the caller.

    Output: audio [batch, control_frames * hop], float32.

    An envelope is exp(-cumsum(rate)), its rate softplus(control) * DECAY_SCALE nepers per
    frame, never negative: a sound can only die away along it, and a steady rate reaches any
    depth of silence. Without envelopes the frame gains (sigmoid-bounded) must reach silence
    on their own, which drums-v2's generator never learned: its snares and hats ring on.
    """

    #: Nepers per control frame per unit of softplus: the initial control (-3) decays
    #: 5 dB over 256 frames, a control of 5 falls 60 dB in 28 frames (80 ms at hop 128).
    DECAY_SCALE = 0.05

    def __init__(
        self,
        sample_rate: int,
        hop: int,
        partials: int,
        noise_bands: int,
        n_fft: int,
        min_hz: float,
        max_hz: float,
        envelopes: int = 0,
        noise_spacing: str = "log",
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.sample_rate = sample_rate  # output rate in Hz
        self.hop = hop  # samples per control frame (and noise STFT hop)
        self.partials = partials  # number of sinusoids
        self.noise_bands = noise_bands  # number of noise gains
        self.noise_spacing = noise_spacing  # their spacing: "log" or "linear" (noise_band_matrix)
        self.n_fft = n_fft  # noise STFT size, 2 * hop
        self.min_hz = min_hz  # lowest partial frequency
        self.max_hz = max_hz  # highest partial frequency
        self.envelopes = envelopes  # 0, or 2 decay envelopes (partials, noise)
        if envelopes not in (0, 2):
            raise ValueError(f"envelopes must be 0 or 2, got {envelopes}")
        if n_fft != 2 * hop:
            raise ValueError(f"n_fft ({n_fft}) must be twice the hop ({hop})")
        if max_hz >= sample_rate / 2.0:  # a partial above it would alias
            raise ValueError(f"max_hz ({max_hz}) must be below half the sample rate")
        self._bands = tf.constant(noise_band_matrix(sample_rate, n_fft, noise_bands, noise_spacing))
        # Unit-gain noise comes out with unit variance: irfft scales by 1/n_fft, hann^2 overlap
        # at hop n_fft/2 sums to 1.5/2 on average, and each bin carries two unit variances.
        self._noise_scale = float(n_fft / math.sqrt(n_fft * 0.75))

    def call(self, inputs: list[tf.Tensor]) -> tf.Tensor:
        controls, noise = inputs
        p = self.partials
        ctrl = tf.concat([controls, controls[:, -1:]], axis=1)  # one more point to end on
        amp = exp_sigmoid(ctrl[..., :p]) / p
        log_lo, log_hi = math.log(self.min_hz), math.log(self.max_hz)
        freq = tf.exp(log_lo + (log_hi - log_lo) * tf.sigmoid(ctrl[..., p : 2 * p]))
        gains = exp_sigmoid(ctrl[..., 2 * p : 2 * p + self.noise_bands])  # [B, F+1, bands]
        if self.envelopes:
            rate = tf.nn.softplus(ctrl[..., 2 * p + self.noise_bands :]) * self.DECAY_SCALE
            env = tf.exp(-tf.cumsum(rate, axis=1, exclusive=True))  # [B, F+1, 2]
            amp = amp * env[..., :1]
            gains = gains * env[..., 1:]

        harmonic = oscillators(amp, freq, self.hop, self.sample_rate)

        shape = tf.einsum("bfk,kn->bfn", gains, self._bands)  # [B, F+1, bins]
        spec = tf.complex(noise[..., 0] * shape, noise[..., 1] * shape)
        frames = self.hop * (tf.shape(controls)[1])
        wave = tf.signal.inverse_stft(
            spec,
            frame_length=self.n_fft,
            frame_step=self.hop,
            fft_length=self.n_fft,
            window_fn=tf.signal.hann_window,
        )
        noisy = wave[:, self.hop : self.hop + frames] * self._noise_scale
        return harmonic + noisy

    def compute_output_shape(self, input_shape: Any) -> tuple[Any, ...]:
        c = input_shape[0]
        return (c[0], None if c[1] is None else c[1] * self.hop)

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "sample_rate": self.sample_rate,
            "hop": self.hop,
            "partials": self.partials,
            "noise_bands": self.noise_bands,
            "n_fft": self.n_fft,
            "min_hz": self.min_hz,
            "max_hz": self.max_hz,
            "envelopes": self.envelopes,
            "noise_spacing": self.noise_spacing,
        }


@keras.saving.register_keras_serializable(package=PACKAGE)
class LogMel(keras.layers.Layer):
    """Log-mel magnitude features: audio [batch, samples] -> [batch, frames, mel_bands]."""

    def __init__(
        self, sample_rate: int, n_fft: int, hop: int, mel_bands: int, **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        self.sample_rate = sample_rate  # input rate in Hz
        self.n_fft = n_fft  # STFT size
        self.hop = hop  # STFT hop
        self.mel_bands = mel_bands  # number of mel filters
        self._fb = tf.constant(mel_filterbank(sample_rate, n_fft, mel_bands))

    def call(self, audio: tf.Tensor) -> tf.Tensor:
        spec = tf.signal.stft(audio, self.n_fft, self.hop, pad_end=True)
        mel = tf.matmul(tf.abs(spec), self._fb)
        return tf.math.log(mel + 1e-4)

    def compute_output_shape(self, input_shape: Any) -> tuple[Any, ...]:
        n = input_shape[1]
        return (input_shape[0], None if n is None else -(-n // self.hop), self.mel_bands)

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "sample_rate": self.sample_rate,
            "n_fft": self.n_fft,
            "hop": self.hop,
            "mel_bands": self.mel_bands,
        }
