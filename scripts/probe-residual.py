"""The engine's refinement (a residual on the synthesiser's controls) against the alternatives,
and how a sound with a residual moves when its w does.

For a few held-out test drums a class, from the encoder's guess, 50 steps each (the spectral
distance the evaluation uses, mean over the drums; lower is nearer):
- in W, as the engine refined before the residual;
- on the residual alone, at step sizes 0.02 and 0.1, and at the engine's (`REFINE_LR`, 0.05) by
  the engine itself, timed;
- on w and the residual together.

Then the smoothness of the residual: 50 steps descending the distance plus a weight times the
residual's roughness (its mean absolute change from one control frame to the next), at weights
0, 0.05 and the engine's (`REFINE_SMOOTHNESS`), and a residual fitted at half and a quarter of
the control frames, interpolated; the mean distance and roughness each reaches.

Then, with the engine's residual, each drum's w moved 2 standard deviations either way along
each of its class's first three PCA axes: the distance the move makes with the residual kept,
as a share of the distance the same move makes to the sound of w alone (the median over moves
and drums; 1: a performer's PCA controls move a refined sound as much as a plain one).

With `--figure`, log-mel spectrograms of each class's first drum: as recorded, the encoder's
guess, refined, and moved 2 standard deviations along the first PCA axis without and with its
residual.

A research probe for issue 8's inversion targets (docs/refinement.md).

    .venv/bin/python scripts/probe-residual.py [--model models/drums-v2] \
        [--data data/drums.npz] [--count 4] [--figure docs/refinement-residual.png]
"""

from __future__ import annotations

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import click  # noqa: E402
import numpy as np  # noqa: E402

from oscserver.cli.options import probe_options  # noqa: E402

#: Steps of every refinement compared, as many as the refinement target's.
STEPS = 50
#: Step sizes tried on the residual besides the engine's.
OTHER_LRS = (0.02, 0.1)
#: PCA axes moved and how far (standard deviations) for the edit measure.
MOVED_AXES, MOVE = 3, 2.0
#: Roughness weights tried besides the engine's, and the frame-rate divisors of a coarser
#: residual.
OTHER_SMOOTHNESS, COARSER = (0.0, 0.05), (2, 4)


@click.command()
@probe_options(count=4, seed=2)
@click.option("--figure", type=click.Path(dir_okay=False), help="Write the spectrograms here.")
def main(model: str, data: str, count: int, seed: int, figure: str | None) -> None:
    import time
    from pathlib import Path

    import tensorflow as tf

    from oscserver.engine import DrumEngine
    from oscserver.engine.engine import REFINE_LR, REFINE_SMOOTHNESS, synthesis_halves
    from oscserver.evaluation.probes import AdamFit, chosen_drums, roughness
    from oscserver.model.spectral import multires_distance
    from oscserver.training.dataset import Dataset
    from oscserver.training.samples import spectrogram_grid

    engine = DrumEngine.load(model)
    c = engine.config
    drums = chosen_drums(engine, Dataset.load(Path(data)), count, seed)
    controls, play = synthesis_halves(engine.artifact.generator)
    shape = engine.residual_shape

    def both(state: tf.Tensor) -> tf.Tensor:  # w, then the residual's values
        residual = tf.reshape(state[:, c.w_dim :], [1, *shape])
        return play(controls(state[:, : c.w_dim]) + residual)

    fit_w = AdamFit(lambda w: play(controls(w)), (1, c.w_dim), REFINE_LR)
    base = tf.Variable(tf.zeros((1, *shape)))  # the controls of the drum's guess
    fit_r = {lr: AdamFit(lambda r: play(base + r), (1, *shape), lr) for lr in OTHER_LRS}
    fit_both = AdamFit(both, (1, c.w_dim + shape[0] * shape[1]), REFINE_LR)

    def full(r: tf.Tensor) -> tf.Tensor:  # a coarser residual interpolated to every frame
        return tf.image.resize(r[..., None], shape, method="bilinear")[..., 0]

    smooth = {f"{w}": AdamFit(lambda r: play(base + r), (1, *shape), REFINE_LR,
                              lambda r, w=w: w * roughness(r))
              for w in OTHER_SMOOTHNESS}  # fmt: skip
    smooth[f"{REFINE_SMOOTHNESS} (the engine's)"] = AdamFit(
        lambda r: play(base + r), (1, *shape), REFINE_LR,
        lambda r: REFINE_SMOOTHNESS * roughness(r),
    )  # fmt: skip
    for k in COARSER:
        smooth[f"1/{k} of the frames"] = AdamFit(
            lambda r: play(base + full(r)), (1, shape[0] // k, shape[1]), REFINE_LR
        )
    smooth_lines = [
        "| class | " + " | ".join(smooth) + " |",
        "|---" * (len(smooth) + 1) + "|",
    ]  # printed after the first table: mean distance, mean roughness
    heads = ["encoder", "W", *(f"residual, {lr}" for lr in OTHER_LRS)]
    heads += [f"residual, {REFINE_LR} (the engine's)", "W and residual", "s (the engine's)"]
    heads.append("edit kept")
    click.echo("| class | " + " | ".join(heads) + " |")
    click.echo("|---" * (len(heads) + 1) + "|")
    grid: list[np.ndarray] = []
    titles: list[str] = []
    for cls, (sounds, targets) in zip(engine.classes, drums, strict=True):
        rows, kept = [], []
        reached: dict[str, list[tuple[float, float]]] = {name: [] for name in smooth}
        for sound, target in zip(sounds, targets, strict=True):
            guess = engine.invert(sound, engine.sample_rate)
            w = guess.latent[None]
            base.assign(controls(tf.constant(w)))
            row = [float(multires_distance(guess.audio, target)), fit_w(w, target, STEPS)[0]]
            row += [fit_r[lr](np.zeros((1, *shape)), target, STEPS)[0] for lr in OTHER_LRS]
            began = time.perf_counter()
            refined = engine.invert(sound, engine.sample_rate, STEPS)
            seconds = time.perf_counter() - began
            row.append(float(multires_distance(refined.audio, target)))
            start = np.concatenate([w, np.zeros((1, shape[0] * shape[1]))], axis=1)
            row += [fit_both(start, target, STEPS)[0], seconds]
            rows.append(row)
            for name, fit in smooth.items():
                d, r = fit(np.zeros(fit.shape), target, STEPS)
                reached[name].append((d, float(roughness(full(tf.constant(r))))))
            for axis in range(min(MOVED_AXES, engine.pca_axes)):
                for move in (-MOVE, MOVE):
                    coords = np.zeros(engine.pca_axes)
                    coords[axis] = move  # as /drum/pca moves around the inverted w
                    moved = engine.coordinates_latent(cls, coords, guess.latent)
                    with_r = engine.render(moved, residual=refined.residual).audio
                    alone = engine.render(moved).audio
                    made = float(multires_distance(with_r, refined.audio))
                    kept.append(made / float(multires_distance(alone, guess.audio)))
                    if axis == 0 and move > 0 and not any(t.startswith(cls) for t in titles):
                        grid += [target, guess.audio, refined.audio, alone, with_r]
                        titles += [f"{cls} as recorded", "encoder", "refined 50", "moved",
                                   "moved, residual kept"]  # fmt: skip
        cells = [f"{x:.2f}" for x in np.mean(rows, axis=0)] + [f"{np.median(kept):.2f}"]
        click.echo(f"| {cls} | " + " | ".join(cells) + " |")
        means = (np.mean(reached[name], axis=0) for name in smooth)
        smooth_lines.append(
            f"| {cls} | " + " | ".join(f"{d:.3f}, {r:.3f}" for d, r in means) + " |"
        )
    click.echo("")
    click.echo("\n".join(smooth_lines))
    if figure:
        spectrogram_grid(np.stack(grid), titles, engine.sample_rate, Path(figure), cols=5)
        click.echo(f"figure: {figure}")


if __name__ == "__main__":
    main()
