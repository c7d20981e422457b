"""Where the residual head's guess falls short: refinement from the guess, on one group of
controls at a time.

For a few held-out test drums a class: the mean spectral distance of the encoder's w alone, of
the head's guess (an inversion without refinement), and of 40 Adam steps from the guess that
move only the partials' amplitudes, only their pitches, only the noise bands' gains, only the
two decay envelopes' rates, or every control. The group whose steps close most of the gap to
"every control" is what the head has not learned to guess.

A research probe for issue 8's inversion targets (docs/refinement.md, "The residual head").

    .venv/bin/python scripts/probe-head-gap.py [--model models/drums-v2] \
        [--data data/drums.npz] [--count 10] [--steps 40]
"""

from __future__ import annotations

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import click  # noqa: E402
import numpy as np  # noqa: E402

from oscserver.cli.options import probe_options  # noqa: E402


@click.command()
@probe_options(count=10, seed=2)
@click.option("--steps", default=40, type=click.IntRange(1), help="Adam steps a group.")
def main(model: str, data: str, count: int, steps: int, seed: int) -> None:
    from pathlib import Path

    import tensorflow as tf

    from oscserver.engine import DrumEngine
    from oscserver.engine.engine import REFINE_LR, synthesis_halves
    from oscserver.evaluation.probes import AdamFit, chosen_drums
    from oscserver.model.spectral import multires_distance
    from oscserver.training.dataset import Dataset

    engine = DrumEngine.load(model)
    if engine.artifact.residual_head is None:
        raise click.UsageError(f"model {model} has no residual head")
    c = engine.config
    p, bands = c.partials, c.noise_bands
    groups = {
        "amplitudes": slice(0, p),
        "pitches": slice(p, 2 * p),
        "noise gains": slice(2 * p, 2 * p + bands),
        "decay rates": slice(2 * p + bands, c.num_controls),
        "every control": slice(0, c.num_controls),
    }
    controls, play = synthesis_halves(engine.artifact.generator)
    shape = engine.residual_shape
    base = tf.Variable(tf.zeros((1, *shape)))  # the controls of the drum's w
    guess = tf.Variable(tf.zeros((1, *shape)))  # the head's residual

    def masked(group: slice) -> AdamFit:
        mask = np.zeros((1, 1, c.num_controls), np.float32)
        mask[..., group] = 1.0
        return AdamFit(lambda r: play(base + guess + r * mask), (1, *shape), REFINE_LR)

    fits = {name: masked(group) for name, group in groups.items()}
    heads = ["encoder's w", "head's guess", *fits]
    click.echo("| class | " + " | ".join(heads) + " |")
    click.echo("|---" * (len(heads) + 1) + "|")
    data_set = Dataset.load(Path(data))
    for cls, (sounds, targets) in zip(engine.classes, chosen_drums(engine, data_set, count, seed),
                                      strict=True):  # fmt: skip
        rows = []
        for sound, target in zip(sounds, targets, strict=True):
            inverted = engine.invert(sound, engine.sample_rate)
            base.assign(controls(tf.constant(inverted.latent[None])))
            guess.assign(inverted.residual[None])
            alone = engine.render(inverted.latent).audio
            row = [float(multires_distance(alone, target)),
                   float(multires_distance(inverted.audio, target))]  # fmt: skip
            row += [fit(np.zeros(fit.shape), target, steps)[0] for fit in fits.values()]
            rows.append(row)
        click.echo(f"| {cls} | " + " | ".join(f"{x:.3f}" for x in np.mean(rows, axis=0)) + " |")


if __name__ == "__main__":
    main()
