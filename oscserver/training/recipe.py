"""The whole recipe behind a shipped model, step by step, each step resumable."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import tensorflow as tf

from oscserver.model.config import ModelConfig
from oscserver.model.generator import seed_to_z
from oscserver.training.dataset import Dataset
from oscserver.training.gan import GanTrainer, TrainConfig, make_strategy, train_gan
from oscserver.training.samples import spectrogram_grid, write_examples


def ema_render(trainer: GanTrainer, seeds: list[int], labels: list[int]) -> np.ndarray:
    """Renders seeds with the moving-average generator and fixed noise: [n, frames]."""
    g = trainer.ema
    z = np.stack([seed_to_z(s, g.config.z_dim) for s in seeds])
    w = g.mapping([z, np.array(labels, np.int32)]).numpy()
    ws = np.repeat(w[:, None], g.config.num_ws, axis=1)
    layer, synth = g.noise(np.random.default_rng(0), len(seeds))
    return g.synthesis([ws, layer, synth]).numpy()


def sample_callback(run_dir: Path, per_class: int = 6):
    """A callback for train_gan writing WAVs and a spectrogram grid of each class."""

    def on_sample(trainer: GanTrainer, step: int) -> None:
        classes = trainer.config.classes
        labels = [c for c in range(len(classes)) for _ in range(per_class)]
        seeds = list(range(per_class)) * len(classes)
        audio = ema_render(trainer, seeds, labels)
        names = [f"{classes[c]}-{s}" for c, s in zip(labels, seeds)]
        spectrogram_grid(audio, names, trainer.config.sample_rate,
                         run_dir / "samples" / f"step{step:06d}.png", cols=per_class)
        write_examples(audio[::per_class], [classes[c] for c in range(len(classes))],
                       trainer.config.sample_rate, run_dir / "samples" / f"step{step:06d}")

    return on_sample


def train_run(
    data_path: Path, run_dir: Path, train: TrainConfig, config: ModelConfig | None = None
) -> GanTrainer:
    """Trains (or resumes) the GAN of a run folder and returns the trainer."""
    data = Dataset.load(data_path)
    run_dir.mkdir(parents=True, exist_ok=True)
    ckpt = run_dir / "checkpoint"
    if ckpt.exists():
        saved = json.loads((ckpt / "state.json").read_text())
        config = ModelConfig.from_json(saved["model"])
    elif config is None:
        config = ModelConfig(classes=data.classes, sample_rate=data.sample_rate)
    if tuple(config.classes) != tuple(data.classes):
        raise ValueError(f"dataset classes {data.classes} differ from the model's {config.classes}")
    trainer = GanTrainer(config, train, make_strategy())
    if ckpt.exists():
        trainer.load_checkpoint(ckpt)
    tf.get_logger().setLevel("ERROR")
    train_gan(trainer, data, run_dir, on_sample=sample_callback(run_dir))
    return trainer
