"""A tiny model made in seconds, for tests and for trying the tools without the shipped model.

It goes through the real pipeline (GAN steps, encoder steps, PCA, artifact) on a synthetic set
of drum-like sounds, so everything that loads it is exercised for real; it does not sound good.
"""

from __future__ import annotations

from pathlib import Path

import keras
import numpy as np

from oscserver.model.artifact import attach_residual_head, load_artifact, save_artifact
from oscserver.model.class_head import ClassHead
from oscserver.model.config import DEFAULT_CLASSES, ModelConfig, tiny_config
from oscserver.model.residual_head import RESIDUAL_HEAD_FILE, build_residual_head
from oscserver.training.dataset import Dataset
from oscserver.training.encoder import EncoderTrainConfig, train_encoder
from oscserver.training.gan import GanTrainer, TrainConfig, make_strategy, train_gan
from oscserver.training.pca import fit_pca
from oscserver.training.residual_head import ResidualHeadTrainConfig, ResidualHeadTraining


def synthetic_drums(
    classes: tuple[str, ...], per_class: int, config: ModelConfig, rng: np.random.Generator
) -> Dataset:
    """Drum-like sounds: pitched decaying sines with a pitch drop, and decaying noise bursts.

    Class i gets a pitch of 50 * 3**i Hz and a noise share of i / (classes - 1).
    """
    t = np.arange(config.frames) / config.sample_rate
    audio, labels = [], []
    for label in range(len(classes)):
        share = label / max(1, len(classes) - 1)
        for _ in range(per_class):
            f0 = 50.0 * 3.0**label * rng.uniform(0.8, 1.25)
            decay = rng.uniform(8.0, 30.0)
            freq = f0 * (1.0 + 2.0 * np.exp(-t * 40.0))
            tone = np.sin(2 * np.pi * np.cumsum(freq) / config.sample_rate)
            noise = rng.standard_normal(config.frames)
            x = ((1 - share) * tone + share * noise) * np.exp(-t * decay)
            audio.append((0.9 * x / np.max(np.abs(x))).astype(np.float32))
            labels.append(label)
    n = len(audio)
    split = (np.arange(n) % per_class >= per_class - max(1, per_class // 5)).astype(np.int8)
    return Dataset(
        np.stack(audio),
        np.array(labels, np.int32),
        split,
        np.arange(n, dtype=np.int32),
        np.zeros(n, np.int8),
        classes,
        config.sample_rate,
    )


def make_tiny_artifact(
    folder: Path,
    *,
    classes: tuple[str, ...] = DEFAULT_CLASSES,
    gan_steps: int = 30,
    encoder_steps: int = 30,
    residual_head_steps: int = 3,
    seed: int = 0,
) -> Path:
    """Trains a tiny model for a few steps and saves it as a real artifact in `folder`.

    `seed` also seeds Keras, whose initial weights are otherwise drawn afresh in every process,
    so the same call makes the same model. Its class head, fitted on the same drums, names
    inverted sounds, and its residual head (`residual_head_steps` steps; 0: none) guesses their
    detail beyond W, as the shipped model's do.
    """
    keras.utils.set_random_seed(seed)
    config = tiny_config(classes)
    data = synthetic_drums(classes, 12, config, np.random.default_rng(seed))
    run = folder.with_name(folder.name + ".run")
    run.mkdir(parents=True, exist_ok=True)
    trainer = GanTrainer(
        config,
        TrainConfig(steps=gan_steps, batch=8, seed=seed, checkpoint_every=10**9),
        make_strategy(),
    )
    train_gan(trainer, data, run)
    pca = fit_pca(trainer.ema, axes=8, samples=10_000, seed=seed)
    from oscserver.model.encoder import build_encoder

    encoder = build_encoder(config)
    means = np.stack([pca[c].mean for c in classes])
    train_encoder(
        encoder,
        trainer.ema,
        means,
        EncoderTrainConfig(steps=encoder_steps, batch=8, seed=seed),
    )
    head = ClassHead.fit(data.audio, data.class_id, len(classes), config.sample_rate, seed)
    save_artifact(
        folder,
        config,
        trainer.ema,
        encoder,
        pca,
        extra={"recipe": "tiny (tests only)"},
        class_head=head,
    )
    if residual_head_steps:
        residual_head = build_residual_head(config)
        train = ResidualHeadTrainConfig(steps=residual_head_steps, batch=4, seed=seed)
        ResidualHeadTraining(load_artifact(folder), residual_head, train).fit(
            data.audio, run / "residual-head"
        )
        residual_head.save_weights(run / RESIDUAL_HEAD_FILE)
        attach_residual_head(folder, run / RESIDUAL_HEAD_FILE, {"recipe": "tiny (tests only)"})
    return folder
