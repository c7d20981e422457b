"""What the research probes in `scripts/` share: the drums they pick, a residual's roughness
and an Adam fit (the synthesis network's two halves are the engine's `synthesis_halves`).

Neither the server nor `drumsynth evaluate` uses this module. The probes measure what a
refinement could reach, beside what the engine's own refinement does (docs/refinement.md).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import tensorflow as tf

from oscserver.engine.engine import DrumEngine, at_output_peak
from oscserver.evaluation.measures import held_out
from oscserver.model.spectral import multires_distance
from oscserver.training.dataset import Dataset

Fn = Callable[[tf.Tensor], tf.Tensor]


def chosen_drums(
    engine: DrumEngine, data: Dataset, count: int, seed: int
) -> list[tuple[np.ndarray, np.ndarray]]:
    """Per class (the engine's order), `count` held-out test drums drawn by `seed`: their audio
    as recorded [k, frames] and as the engine prepares it for inversion [k, frames]."""
    rng = np.random.default_rng(seed)
    judged = held_out(data)
    out = []
    for k in range(len(engine.classes)):
        rows = np.flatnonzero(judged & (data.class_id == k))
        rows = rng.choice(rows, size=min(count, len(rows)), replace=False)
        sounds = data.audio[rows]
        out.append((sounds, np.stack([engine.prepare(s, engine.sample_rate) for s in sounds])))
    return out


def roughness(residual: tf.Tensor) -> tf.Tensor:
    """A residual's [..., frames, controls] mean absolute change from one frame to the next,
    as the engine's refinement weighs it (`REFINE_SMOOTHNESS`)."""
    return tf.reduce_mean(tf.abs(residual[..., 1:, :] - residual[..., :-1, :]))


class AdamFit:
    """Adam on a parameter tensor of one shape, descending the spectral distance between what
    `play` makes of it (audio [1, frames], unnormalised) and a target; compiled once.

    Args:
        play: Parameters [shape] -> audio [1, frames]; scaled to the engine's output peak here,
            as the engine serves every sound.
        shape: The parameters' shape.
        lr: Adam's step size.
        penalty: Parameters -> a scalar the steps descend beside the distance (not counted in
            the distance the fit reports and picks its nearest parameters by).
    """

    def __init__(
        self, play: Fn, shape: tuple[int, ...], lr: float, penalty: Fn | None = None
    ) -> None:
        self.shape = shape
        self._param, self._m, self._v = (tf.Variable(tf.zeros(shape)) for _ in range(3))

        @tf.function
        def step(t: tf.Tensor, target: tf.Tensor) -> tf.Tensor:
            with tf.GradientTape() as tape:
                audio = at_output_peak(play(self._param))
                loss = tf.reduce_mean(multires_distance(audio, target))
                descended = loss if penalty is None else loss + penalty(self._param)
            g = tape.gradient(descended, self._param)
            self._m.assign(0.9 * self._m + 0.1 * g)
            self._v.assign(0.999 * self._v + 0.001 * tf.square(g))
            m_hat, v_hat = self._m / (1.0 - 0.9**t), self._v / (1.0 - 0.999**t)
            self._param.assign_sub(lr * m_hat / (tf.sqrt(v_hat) + 1e-8))
            return loss

        self._step = step

    def __call__(
        self, start: np.ndarray, target: np.ndarray, steps: int
    ) -> tuple[float, np.ndarray]:
        """The nearest distance `steps` steps from `start` reached (start's own included, as
        the engine's refinement counts it) and the parameters there."""
        self._param.assign(np.asarray(start, np.float32).reshape(self.shape))
        self._m.assign(tf.zeros(self.shape))
        self._v.assign(tf.zeros(self.shape))
        target_t = tf.constant(np.asarray(target, np.float32).reshape(1, -1))
        best_d, best = np.inf, self._param.numpy()
        for i in range(steps + 1):  # the last step's parameters are measured by one more
            before = self._param.numpy()
            d = float(self._step(tf.constant(i + 1.0), target_t))
            if d < best_d:
                best_d, best = d, before
        return best_d, best
