"""Training the residual head (`model/residual_head.py`) beside a finished model's frozen
encoder and synthesis network.

Each step takes a batch of training drums (pitch-shifted copies included), as the engine
prepares them for inversion, and descends the spectral distance between each drum and the
sound of the encoder's w with the head's residual added to its controls: the distance the
engine's refinement descends, so the head learns to start where refinement would go. The
controls of the encoder's w are computed once for every drum, so a step runs the head and the
synthesiser alone.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

import keras
import numpy as np
import tensorflow as tf

from oscserver.engine.engine import at_output_peak, synthesis_halves
from oscserver.model.artifact import Artifact
from oscserver.model.spectral import multires_distance
from oscserver.training.checkpoint import load_checkpoint, save_checkpoint

#: Drums a batch when the controls of many drums are computed at once.
_CHUNK = 64


@dataclass(frozen=True)
class ResidualHeadTrainConfig:
    """How the residual head trains."""

    steps: int = 20_000  # train until this step (a resumed run continues to it)
    batch: int = 8  # drums a step
    lr: float = 3e-4  # Adam's step size (at 1e-3 without a clip a probe run diverged)
    clipnorm: float = 1.0  # the gradient's norm is clipped to this
    seed: int = 0  # seeds the batches: step i's batch is drawn from (seed, i)
    checkpoint_every: int = 500  # steps between checkpoints


class ResidualHeadTraining:
    """The frozen halves of a model's synthesis network, its encoder, and a head to train.

    Args:
        artifact: The model whose encoder and synthesis network the head serves.
        head: The head (`build_residual_head(artifact.config)`), trained in place.
    """

    def __init__(self, artifact: Artifact, head: keras.Model, config: ResidualHeadTrainConfig):
        self.head, self.config = head, config
        self.optimizer = keras.optimizers.Adam(config.lr, clipnorm=config.clipnorm)
        self.optimizer.build(head.trainable_variables)
        controls_of, play = synthesis_halves(artifact.generator)
        encoder = artifact.encoder

        @tf.function(input_signature=[tf.TensorSpec([None, artifact.config.frames], tf.float32)])
        def base_controls(audio: tf.Tensor) -> tf.Tensor:
            w, _ = encoder(audio, training=False)
            return controls_of(w)

        def distances(audio: tf.Tensor, controls: tf.Tensor, residual: tf.Tensor) -> tf.Tensor:
            return multires_distance(at_output_peak(play(controls + residual)), audio)

        @tf.function
        def step(audio: tf.Tensor, controls: tf.Tensor) -> tf.Tensor:
            with tf.GradientTape() as tape:
                residual = head([audio, controls], training=True)
                loss = tf.reduce_mean(distances(audio, controls, residual))
            grads = tape.gradient(loss, head.trainable_variables)
            self.optimizer.apply_gradients(zip(grads, head.trainable_variables, strict=True))
            return loss

        @tf.function
        def measure(audio: tf.Tensor, controls: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor]:
            alone = distances(audio, controls, tf.zeros_like(controls))
            guessed = distances(audio, controls, head([audio, controls], training=False))
            return alone, guessed

        self._base_controls, self._step, self._measure = base_controls, step, measure

    def controls(self, audio: np.ndarray) -> np.ndarray:
        """The controls the encoder's w gives prepared drums [n, frames]: [n, frames', controls]."""
        chunks = range(0, len(audio), _CHUNK)
        return np.concatenate([self._base_controls(audio[i : i + _CHUNK]).numpy() for i in chunks])

    def fit(
        self,
        audio: np.ndarray,
        checkpoint: Path,
        losses: Path | None = None,
        on_step: Callable[[int, int], None] | None = None,
        minutes: float | None = None,
        start: int = 0,
    ) -> int:
        """Trains on prepared drums [n, frames] up to config.steps, resuming from `checkpoint`
        (a folder) where it holds one (else from step `start`, the head as it is), and writing
        it every checkpoint_every steps and at the end; each time, the mean training distance
        since the last is appended to `losses` (a JSON-lines file), when given. After `minutes`
        (None: no limit) it checkpoints and stops early. Returns the step reached."""
        c = self.config
        if (checkpoint / "state.json").is_file():
            start = int(load_checkpoint(checkpoint, {"head": self.head}, {"adam": self.optimizer})
                        .state["step"])  # fmt: skip
        controls = self.controls(audio)
        distances: list[float] = []
        stop = None if minutes is None else time.monotonic() + 60.0 * minutes
        step = start
        for i in range(start, c.steps):
            rows = np.random.default_rng((c.seed, i)).choice(len(audio), c.batch, replace=False)
            d = self._step(tf.constant(audio[rows]), tf.constant(controls[rows]))
            distances.append(float(d))
            if on_step is not None:
                on_step(i + 1, c.steps)
            step = i + 1
            late = stop is not None and time.monotonic() > stop
            if step % c.checkpoint_every == 0 or step == c.steps or late:
                save_checkpoint(
                    checkpoint,
                    {"head": self.head},
                    {"adam": self.optimizer},
                    {"step": i + 1, "train": asdict(c)},
                )
                if losses is not None:
                    with losses.open("a") as f:
                        f.write(json.dumps({"step": i + 1, "distance": np.mean(distances)}) + "\n")
                distances = []
            if late:
                break
        return step

    def distances(self, audio: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Per prepared drum [n, frames], the spectral distance of the encoder's sound and of
        that sound with the head's residual: ([n], [n])."""
        controls = self.controls(audio)
        pairs = [self._measure(tf.constant(audio[i : i + _CHUNK]),
                               tf.constant(controls[i : i + _CHUNK]))
                 for i in range(0, len(audio), _CHUNK)]  # fmt: skip
        return (
            np.concatenate([p[0].numpy() for p in pairs]),
            np.concatenate([p[1].numpy() for p in pairs]),
        )
