"""Which class head would name held-out real drums best? Per class, on every held-out test sound:

- the encoder's own class head;
- the evaluation's envelope-shape forest, fitted on the training sounds;
- their product (both probabilities multiplied) and their mean;
- the model's class head (`drumsynth fit-class-head`: what /drum/invert reports), where it has
  one.

A research probe for issue 8's inversion-class target, not part of the server: it is how the
class head was chosen (MODEL_CARD.md, "The class head").

    .venv/bin/python scripts/probe-class-head.py [--model models/drums-v2] [--data data/drums.npz]
"""

from __future__ import annotations

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import click  # noqa: E402
import numpy as np  # noqa: E402

#: Sounds per encoder call.
CHUNK = 64


def _softmax(x: np.ndarray) -> np.ndarray:
    e = np.exp(x - x.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


@click.command()
@click.option("--model", default="models/drums-v2", type=click.Path(exists=True, file_okay=False))
@click.option("--data", default="data/drums.npz", type=click.Path(exists=True, dir_okay=False))
def main(model: str, data: str) -> None:
    from oscserver.audio.features import shape_features
    from oscserver.evaluation.measures import fit_shape_classifier
    from oscserver.model.artifact import load_artifact
    from oscserver.training.dataset import Dataset
    from oscserver.training.encoder import peak_normalized

    artifact = load_artifact(model)
    encoder = artifact.encoder
    dataset = Dataset.load(data)
    train = dataset.split == 0
    test = (dataset.split == 1) & (dataset.augmented == 0)
    logits = np.concatenate([
        np.asarray(encoder(peak_normalized(dataset.audio[i : i + CHUNK]), training=False)[1])
        for i in range(0, len(dataset.audio), CHUNK)
    ])  # fmt: skip
    shape = shape_features(dataset.audio, dataset.sample_rate)
    forest = fit_shape_classifier(shape[train], dataset.class_id[train])
    head, shaped = _softmax(logits), forest.predict_proba(shape)
    heads = {
        "encoder head": head,
        "shape forest": shaped,
        "product": np.log(head + 1e-6) + np.log(shaped + 1e-6),
        "mean": head + shaped,
    }
    if artifact.class_head is not None:
        named = artifact.class_head.predict(dataset.audio)
        heads["model's head"] = np.eye(len(dataset.classes))[named]
    names = dataset.classes
    print(f"{'':14s}" + "".join(f"{c:>9s}" for c in names))
    print(f"{'test sounds':14s}" + "".join(
        f"{int(np.sum(test & (dataset.class_id == k))):9d}" for k in range(len(names))
    ))  # fmt: skip
    for label, scores in heads.items():
        chosen = scores.argmax(axis=1)
        row = [np.mean(chosen[test & (dataset.class_id == k)] == k) for k in range(len(names))]
        print(f"{label:14s}" + "".join(f"{a:9.2f}" for a in row))


if __name__ == "__main__":
    main()
