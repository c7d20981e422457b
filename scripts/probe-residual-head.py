"""Could the encoder guess a residual too, so that inversion without refinement comes nearer?

A small network (three 1-D convolutions over the control frames) reads the recording's
log-magnitude STFT frames (hop and size of the synthesiser's noise) beside the controls the
synthesis network gives the encoder's w, and guesses a residual on them (bounded to +-3). It
trains with the spectral distance on the training split's drums (pitch-shifted copies
included), the encoder, the synthesis network and the synthesiser frozen. Then, for a few
held-out test drums a class, the distance of the encoder's sound and of the encoder's sound
with the guessed residual (mean over the drums; lower is nearer; no refinement in either).

A research probe for issue 8's encoder-only inversion target (docs/refinement.md); nothing is
written to the model.

    .venv/bin/python scripts/probe-residual-head.py [--model models/drums-v2] \
        [--data data/drums.npz] [--steps 2500] [--count 8]
"""

from __future__ import annotations

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import click  # noqa: E402
import numpy as np  # noqa: E402

#: The head: convolutions, their channels and width, and the bound on its residual.
LAYERS, CHANNELS, KERNEL, BOUND = 3, 128, 5, 3.0
#: Adam's step size and gradient-norm clip (at 1e-3 without a clip the run diverged at step
#: 1100), and drums a step.
LR, CLIP, BATCH = 3e-4, 1.0, 8


@click.command()
@click.option("--model", default="models/drums-v2", type=click.Path(exists=True, file_okay=False))
@click.option("--data", default="data/drums.npz", type=click.Path(exists=True, dir_okay=False))
@click.option("--steps", default=2500, type=click.IntRange(1), help="Training steps.")
@click.option("--count", default=8, type=click.IntRange(1), help="Held-out drums a class.")
@click.option("--seed", default=2, type=click.IntRange(0), help="Seeds the drums and batches.")
def main(model: str, data: str, steps: int, count: int, seed: int) -> None:
    import time
    from pathlib import Path

    import keras
    import tensorflow as tf

    from oscserver.engine import DrumEngine
    from oscserver.engine.engine import at_output_peak, synthesis_halves
    from oscserver.evaluation.probes import chosen_drums
    from oscserver.model.spectral import multires_distance
    from oscserver.training.dataset import Dataset

    engine = DrumEngine.load(model, warmup=False)
    c = engine.config
    frames, controls = engine.residual_shape
    ds = Dataset.load(Path(data))
    train = np.stack([engine.prepare(a, engine.sample_rate) for a in ds.audio[ds.split == 0]])

    controls_of, played = synthesis_halves(engine.artifact.generator)

    def guessed_controls(targets: np.ndarray) -> np.ndarray:
        """The controls the synthesis network gives the encoder's w of prepared drums."""
        out = []
        for i in range(0, len(targets), 64):
            w = engine._encode(targets[i : i + 64])[0]
            out.append(controls_of(tf.constant(w)).numpy())
        return np.concatenate(out)

    base = guessed_controls(train)

    def stft_frames(audio: tf.Tensor) -> tf.Tensor:
        n_fft = c.n_fft_noise
        spec = tf.signal.stft(audio, n_fft, c.hop, n_fft, pad_end=True)[:, :frames]
        return tf.math.log(tf.abs(spec) + 1e-4)

    def play(ctrl: tf.Tensor) -> tf.Tensor:
        return at_output_peak(played(ctrl))

    spec_in = keras.Input((frames, c.n_fft_noise // 2 + 1))
    base_in = keras.Input((frames, controls))
    x = keras.layers.Concatenate()([spec_in, base_in])
    for _ in range(LAYERS):
        x = keras.layers.LeakyReLU(0.2)(keras.layers.Conv1D(CHANNELS, KERNEL, padding="same")(x))
    x = keras.layers.Conv1D(controls, 1, kernel_initializer="zeros")(x)  # starts at the guess
    head = keras.Model([spec_in, base_in], BOUND * keras.ops.tanh(x))
    opt = keras.optimizers.Adam(LR, clipnorm=CLIP)

    @tf.function
    def step(targets: tf.Tensor, ctrl: tf.Tensor) -> tf.Tensor:
        with tf.GradientTape() as tape:
            residual = head([stft_frames(targets), ctrl], training=True)
            loss = tf.reduce_mean(multires_distance(play(ctrl + residual), targets))
        grads = tape.gradient(loss, head.trainable_variables)
        opt.apply_gradients(zip(grads, head.trainable_variables, strict=True))
        return loss

    rng = np.random.default_rng(seed)
    began, losses = time.perf_counter(), []
    for i in range(steps):
        rows = rng.choice(len(train), BATCH, replace=False)
        losses.append(float(step(tf.constant(train[rows]), tf.constant(base[rows]))))
        if (i + 1) % 500 == 0 or i + 1 == steps:
            click.echo(f"step {i + 1}: training distance {np.mean(losses[-100:]):.3f} "
                       f"({time.perf_counter() - began:.0f} s)")  # fmt: skip
    click.echo("| class | encoder | encoder and guessed residual |")
    click.echo("|---|---|---|")
    held_out = chosen_drums(engine, ds, count, seed)
    for cls, (_, targets) in zip(engine.classes, held_out, strict=True):
        ctrl = tf.constant(guessed_controls(targets))
        residual = head([stft_frames(tf.constant(targets)), ctrl])
        alone = multires_distance(play(ctrl), tf.constant(targets))
        guessed = multires_distance(play(ctrl + residual), tf.constant(targets))
        click.echo(f"| {cls} | {float(np.mean(alone)):.2f} | {float(np.mean(guessed)):.2f} |")


if __name__ == "__main__":
    main()
