"""How much nearer does inversion come to training drums than to held-out ones? Per class, the
mean spectral distance of the encoder's resynthesis and of the refined one (50 steps), on drums
the model trained on and on held-out test drums.

A research probe for issue 8's inversion targets, not part of the server: where the refinement
reaches both alike and the encoder does not, the encoder is what fails to carry to new libraries
(MODEL_CARD.md, "Levers tried on the sixth release's networks").

    .venv/bin/python scripts/probe-inversion-gap.py [--model models/drums-v2] \
        [--data data/drums.npz] [--count 8]
"""

from __future__ import annotations

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import click  # noqa: E402
import numpy as np  # noqa: E402

from oscserver.cli.options import probe_options  # noqa: E402

#: Refinement steps of the refined distance, as `drumsynth evaluate` refines.
REFINE_STEPS = 50


@click.command()
@probe_options(count=8, seed=1, count_help="Drums a class and split.")
def main(model: str, data: str, count: int, seed: int) -> None:
    from pathlib import Path

    from oscserver.engine import DrumEngine
    from oscserver.evaluation.measures import held_out
    from oscserver.model.spectral import multires_distance
    from oscserver.training.dataset import Dataset

    engine = DrumEngine.load(model)
    ds = Dataset.load(Path(data))
    sr = engine.sample_rate
    splits = {
        "training": (ds.split == 0) & (ds.augmented == 0),
        "held-out": held_out(ds),
    }
    rng = np.random.default_rng(seed)
    click.echo("| class | training: encoder / refined | held-out: encoder / refined |")
    click.echo("|---|---|---|")
    for c, cls in enumerate(engine.classes):
        cells = []
        for mask in splits.values():
            rows = np.flatnonzero(mask & (ds.class_id == c))
            chosen = rng.choice(rows, size=min(count, len(rows)), replace=False)
            enc, ref = [], []
            for sound in ds.audio[chosen]:
                target = engine.prepare(sound, sr)
                enc.append(float(multires_distance(engine.invert(sound, sr).audio, target)))
                refined = engine.invert(sound, sr, REFINE_STEPS).audio
                ref.append(float(multires_distance(refined, target)))
            cells.append(f"{np.mean(enc):.2f} / {np.mean(ref):.2f}")
        click.echo(f"| {cls} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
