"""The residual head: the encoder's guess at what W cannot say about a recording.

An inverted drum is a w and a residual added to the synthesiser's controls w gives
(`engine.invert`). Refinement finds the residual by gradient steps, hundreds of milliseconds a
sound; the head guesses it in one pass, from the recording's log-magnitude STFT frames (the
size and hop of the synthesiser's noise, so a frame of the recording lines up with a frame of
controls) beside those controls. Three 1-D convolutions over the frames, a last one that starts
at zero (an untrained head adds nothing), and a bound of +-RESIDUAL_BOUND on every value.

It is trained after everything else, the encoder and the synthesis network frozen
(`training/residual_head.py`), and belongs to the encoder it was trained beside: retraining the
encoder means retraining the head.
"""

from __future__ import annotations

from typing import Any

import keras
import tensorflow as tf

from oscserver.model.config import ModelConfig
from oscserver.model.layers import PACKAGE

#: The head's file in a model folder (listed in the manifest when the model has one).
RESIDUAL_HEAD_FILE = "residual_head.weights.h5"
#: Convolutions over the frames, their channels and width (frames either side: KERNEL // 2).
LAYERS, CHANNELS, KERNEL = 3, 128, 5
#: The bound on each guessed control value (the refinement's residuals of training drums stay
#: well inside it).
RESIDUAL_BOUND = 3.0


@keras.saving.register_keras_serializable(package=PACKAGE)
class LogSpectrumFrames(keras.layers.Layer):
    """Log-magnitude STFT frames: audio [batch, samples] -> [batch, frames, n_fft // 2 + 1],
    one frame a hop from the start (the last ones zero-padded), `frames` of them."""

    def __init__(self, n_fft: int, hop: int, frames: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.n_fft = n_fft  # STFT size
        self.hop = hop  # STFT hop
        self.frames = frames  # frames kept

    def call(self, audio: tf.Tensor) -> tf.Tensor:
        spec = tf.signal.stft(audio, self.n_fft, self.hop, self.n_fft, pad_end=True)
        return tf.math.log(tf.abs(spec[:, : self.frames]) + 1e-4)

    def compute_output_shape(self, input_shape: Any) -> tuple[Any, ...]:
        return (input_shape[0], self.frames, self.n_fft // 2 + 1)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "n_fft": self.n_fft, "hop": self.hop, "frames": self.frames}


def build_residual_head(config: ModelConfig) -> keras.Model:
    """Builds the residual head of a model.

    Inputs:
        audio: [batch, frames], the recording as the engine prepares it for inversion.
        controls: [batch, control_frames, num_controls], the controls the encoder's w gives.

    Output: the residual [batch, control_frames, num_controls], within +-RESIDUAL_BOUND.
    """
    f = config.control_frames
    audio = keras.Input(shape=(config.frames,), name="audio")
    controls = keras.Input(shape=(f, config.num_controls), name="controls")
    spectrum = LogSpectrumFrames(config.n_fft_noise, config.hop, f, name="spectrum")(audio)
    x = keras.layers.Concatenate(name="frames")([spectrum, controls])
    for i in range(LAYERS):
        x = keras.layers.Conv1D(CHANNELS, KERNEL, padding="same", name=f"conv{i}")(x)
        x = keras.layers.LeakyReLU(0.2, name=f"act{i}")(x)
    last = keras.layers.Conv1D(config.num_controls, 1, kernel_initializer="zeros", name="out")
    x = last(x)
    x = keras.layers.Activation("tanh", name="tanh")(x)
    residual = keras.layers.Rescaling(RESIDUAL_BOUND, name="bound")(x)
    return keras.Model([audio, controls], residual, name="residual_head")
