"""How near can the synthesiser itself come to held-out drums, its controls fitted freely?

For each class, a few held-out test drums are resynthesised three ways, each measured by the
spectral distance the evaluation uses (mean over the drums; lower is nearer):
- the encoder alone, then 50 and 300 Adam steps in W from its guess (the refinement the engine
  ran before it refined a residual);
- the synthesiser (DrumSynth) alone, its control frames fitted directly by Adam (no synthesis
  network, no W), in the shipped configuration and in variants: a noise gain for every bin,
  16 partials, a control hop of 64 samples.

and the engine's own refinement, 50 steps on a residual added to the controls the synthesis
network gives the encoder's guess (a refinement past W).

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

from oscserver.cli.options import probe_options  # noqa: E402

#: The synthesisers fitted: control hop, partials, noise gains and their spacing.
VARIANTS: dict[str, tuple[int, int, int, str]] = {
    "shipped": (128, 8, 64, "log"),
    "bins129": (128, 8, 129, "linear"),
    "partials16": (128, 16, 64, "log"),
    "hop64": (64, 8, 64, "log"),
}
#: Adam's step size on the controls (unbounded network outputs, as the synthesis network gives).
CONTROL_LR = 0.05
#: Adam's step size in W (the refinement the engine ran before the residual).
W_LR = 0.05
#: Steps of the engine's refinement, as many as the refinement target's.
RESIDUAL_STEPS = 50


@click.command()
@probe_options(count=4, seed=2)
@click.option("--steps", default=400, type=click.IntRange(1), help="Adam steps of a free fit.")
def main(model: str, data: str, count: int, steps: int, seed: int) -> None:
    from pathlib import Path

    import tensorflow as tf

    from oscserver.engine import DrumEngine
    from oscserver.engine.engine import synthesis_halves
    from oscserver.evaluation.probes import AdamFit, chosen_drums
    from oscserver.model.layers import DrumSynth
    from oscserver.model.spectral import multires_distance
    from oscserver.training.dataset import Dataset

    engine = DrumEngine.load(model, warmup=False)
    c = engine.config
    drums = chosen_drums(engine, Dataset.load(Path(data)), count, seed)
    controls, play = synthesis_halves(engine.artifact.generator)
    fit_w = AdamFit(lambda w: play(controls(w)), (1, c.w_dim), W_LR)
    rows = []
    for sounds, targets in drums:
        row = []
        for sound, target in zip(sounds, targets, strict=True):
            guess = engine.invert(sound, engine.sample_rate)
            refined = engine.invert(sound, engine.sample_rate, RESIDUAL_STEPS)
            row.append([
                float(multires_distance(guess.audio, target)),
                fit_w(guess.latent, target, 50)[0],
                fit_w(guess.latent, target, 300)[0],
                float(multires_distance(refined.audio, target)),
            ])  # fmt: skip
        rows.append(np.mean(row, axis=0))

    def free_fit(hop: int, partials: int, bands: int, spacing: str) -> list[float]:
        """A synthesiser of this shape fitted from near silence, as the synthesis network
        starts: the mean nearest distance per class."""
        frames, n_fft = c.frames // hop, 2 * hop
        synth = DrumSynth(c.sample_rate, hop, partials, bands, n_fft, c.min_hz, c.max_hz,
                          envelopes=2, noise_spacing=spacing)  # fmt: skip
        draw = np.random.default_rng(0)
        noise = tf.constant(draw.standard_normal((1, frames + 1, n_fft // 2 + 1, 2), np.float32))
        shape = (1, frames, 2 * partials + bands + 2)
        fit = AdamFit(lambda ctrl: synth([ctrl, noise]), shape, CONTROL_LR)
        return [
            float(np.mean([fit(-3.0 + 0.5 * draw.standard_normal(shape), t, steps)[0]
                           for t in targets]))
            for _, targets in drums
        ]  # fmt: skip

    fits = {name: free_fit(*variant) for name, variant in VARIANTS.items()}
    heads = ["encoder", "W, 50 steps", "W, 300 steps", "residual, 50 steps (the engine's)"]
    heads += [f"free fit, {name}" for name in VARIANTS]
    click.echo("| class | " + " | ".join(heads) + " |")
    click.echo("|---" * (5 + len(VARIANTS)) + "|")
    for k, cls in enumerate(c.classes):
        cells = [f"{x:.2f}" for x in rows[k]] + [f"{fits[name][k]:.2f}" for name in VARIANTS]
        click.echo(f"| {cls} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
