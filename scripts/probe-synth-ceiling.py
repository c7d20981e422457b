"""How near can the synthesiser itself come to held-out drums, its controls fitted freely?

For each class, a few held-out test drums are resynthesised three ways, each measured by the
spectral distance the evaluation uses (mean over the drums; lower is nearer):
- the engine's inversion: the encoder alone, then 50 and 300 refinement steps in W;
- the synthesiser (DrumSynth) alone, its control frames fitted directly by Adam (no synthesis
  network, no W), in the shipped configuration and in variants: a noise gain for every bin,
  16 partials, a control hop of 64 samples.

and the shipped synthesiser's controls refined for 50 steps from those the synthesis network
gives the encoder's guess (a refinement past W, as a per-sound control residual would be).

Where the free fit comes much nearer than the refinement in W, the synthesiser can play the drum
and what holds inversion back is the synthesis network (where W reaches), not the synthesiser.
A research probe for issue 8's inversion targets, not part of the server
(docs/refinement.md, "Where the ceiling is").

    .venv/bin/python scripts/probe-synth-ceiling.py [--model models/drums-v2] \
        [--data data/drums.npz] [--count 4] [--steps 400]
"""

from __future__ import annotations

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import click  # noqa: E402
import numpy as np  # noqa: E402

#: The synthesisers fitted: control hop, partials, noise gains and their spacing.
VARIANTS: dict[str, tuple[int, int, int, str]] = {
    "shipped": (128, 8, 64, "log"),
    "bins129": (128, 8, 129, "linear"),
    "partials16": (128, 16, 64, "log"),
    "hop64": (64, 8, 64, "log"),
}
#: Adam's step size on the controls (unbounded network outputs, as the synthesis network gives).
CONTROL_LR = 0.05
#: Steps of the control refinement from the encoder's guess, as many as the refinement target's.
RESIDUAL_STEPS = 50


@click.command()
@click.option("--model", default="models/drums-v2", type=click.Path(exists=True, file_okay=False))
@click.option("--data", default="data/drums.npz", type=click.Path(exists=True, dir_okay=False))
@click.option("--count", default=4, type=click.IntRange(1), help="Held-out drums a class.")
@click.option("--steps", default=400, type=click.IntRange(1), help="Adam steps of a free fit.")
@click.option("--seed", default=2, type=click.IntRange(0), help="Seeds the choice of drums.")
def main(model: str, data: str, count: int, steps: int, seed: int) -> None:
    from collections.abc import Callable
    from pathlib import Path

    import keras
    import tensorflow as tf

    from oscserver.engine import DrumEngine
    from oscserver.engine.engine import OUTPUT_PEAK, render_noise
    from oscserver.evaluation.measures import held_out
    from oscserver.model.layers import DrumSynth
    from oscserver.model.spectral import multires_distance
    from oscserver.training.dataset import Dataset

    engine = DrumEngine.load(model, warmup=False)
    c = engine.config
    ds = Dataset.load(Path(data))
    rng = np.random.default_rng(seed)
    judged = held_out(ds)
    chosen = [
        rng.choice(rows, size=min(count, len(rows)), replace=False)
        for rows in (np.flatnonzero(judged & (ds.class_id == k)) for k in range(len(c.classes)))
    ]
    sounds = [ds.audio[rows] for rows in chosen]
    targets = [[engine.prepare(s, engine.sample_rate) for s in drums] for drums in sounds]

    def fit(
        synth: keras.layers.Layer, noise: tf.Tensor, shape: tuple[int, int, int],
        starts: Callable[[np.ndarray], np.ndarray], steps: int,
    ) -> list[list[float]]:  # fmt: skip
        """The nearest distance `steps` Adam steps on the controls [shape] of `synth` reached
        from starts(drum as recorded), per class and drum."""
        ctrl, m, v = (tf.Variable(tf.zeros(shape)) for _ in range(3))
        target = tf.Variable(tf.zeros([1, c.frames]))

        @tf.function
        def step(t: tf.Tensor) -> tf.Tensor:
            with tf.GradientTape() as tape:
                audio = synth([ctrl, noise])
                peak = tf.reduce_max(tf.abs(audio), axis=1, keepdims=True)
                audio = audio * (OUTPUT_PEAK / tf.maximum(peak, 1e-6))  # as the engine serves
                loss = tf.reduce_mean(multires_distance(audio, target))
            g = tape.gradient(loss, ctrl)
            m.assign(0.9 * m + 0.1 * g)
            v.assign(0.999 * v + 0.001 * tf.square(g))
            m_hat, v_hat = m / (1.0 - 0.9**t), v / (1.0 - 0.999**t)
            ctrl.assign_sub(CONTROL_LR * m_hat / (tf.sqrt(v_hat) + 1e-8))
            return loss

        nearest = []
        for drums, prepared in zip(sounds, targets, strict=True):
            row = []
            for sound, audio in zip(drums, prepared, strict=True):
                ctrl.assign(starts(sound))
                m.assign(tf.zeros(shape))
                v.assign(tf.zeros(shape))
                target.assign(audio[None])
                row.append(min(float(step(tf.constant(i + 1.0))) for i in range(steps)))
            nearest.append(row)
        return nearest

    def free_fit(hop: int, partials: int, bands: int, spacing: str) -> list[list[float]]:
        """A synthesiser of this shape fitted from near silence, as the synthesis network
        starts."""
        frames, n_fft = c.frames // hop, 2 * hop
        synth = DrumSynth(c.sample_rate, hop, partials, bands, n_fft, c.min_hz, c.max_hz,
                          envelopes=2, noise_spacing=spacing)  # fmt: skip
        draw = np.random.default_rng(0)
        noise = tf.constant(draw.standard_normal((1, frames + 1, n_fft // 2 + 1, 2), np.float32))
        shape = (1, frames, 2 * partials + bands + 2)
        return fit(synth, noise, shape, lambda _: -3.0 + 0.5 * draw.standard_normal(shape), steps)

    network = engine.artifact.generator.synthesis
    controls = keras.Model(network.inputs, network.get_layer("to_controls").output)
    layer_noise, synth_noise = render_noise(engine.artifact.generator)

    def guessed_controls(sound: np.ndarray) -> np.ndarray:
        """The controls the synthesis network gives the encoder's guess of a drum."""
        w = np.asarray(engine.invert(sound, engine.sample_rate).latent, np.float32)
        ws = np.repeat(w[None, None], c.num_ws, axis=1)
        return np.asarray(controls([ws, layer_noise, synth_noise], training=False))

    residual = fit(
        network.get_layer("drum_synth"), tf.constant(synth_noise),
        (1, c.control_frames, c.num_controls), guessed_controls, RESIDUAL_STEPS,
    )  # fmt: skip
    fits = {name: free_fit(*variant) for name, variant in VARIANTS.items()}
    heads = ["encoder", "W, 50 steps", "W, 300 steps", "controls, 50 steps"]
    heads += [f"free fit, {name}" for name in VARIANTS]
    click.echo("| class | " + " | ".join(heads) + " |")
    click.echo("|---" * (5 + len(VARIANTS)) + "|")
    for k, cls in enumerate(c.classes):
        inverted = [
            [
                float(multires_distance(engine.invert(sound, engine.sample_rate, n).audio, target))
                for n in (0, 50, 300)
            ]
            for sound, target in zip(sounds[k], targets[k], strict=True)
        ]
        cells = [f"{x:.2f}" for x in np.mean(inverted, axis=0)]
        cells.append(f"{np.mean(residual[k]):.2f}")
        cells += [f"{np.mean(fits[name][k]):.2f}" for name in VARIANTS]
        click.echo(f"| {cls} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
