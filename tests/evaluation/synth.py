"""Synthetic datasets and made-up reports for the evaluation tests."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np

from oscserver.evaluation.config import EvalConfig
from oscserver.evaluation.report import (
    ClassReport,
    Counts,
    Diversity,
    Fidelity,
    Frechet,
    Inversion,
    LayerPairs,
    Memorisation,
    Report,
    class_targets,
)
from oscserver.model.config import tiny_config
from oscserver.training.dataset import Dataset
from oscserver.training.tiny import synthetic_drums


def synthetic(classes: tuple[str, ...], per_class: int = 16, seed: int = 1) -> Dataset:
    """Synthetic drums with two 'velocity layers' per group and augmented copies of 4 sounds."""
    data = synthetic_drums(classes, per_class, tiny_config(classes), np.random.default_rng(seed))
    data = dataclasses.replace(data, group=np.arange(len(data.audio), dtype=np.int32) // 2)
    train = np.flatnonzero(data.split == 0)[:4]
    copies = data.subset(train)
    copies = dataclasses.replace(copies, audio=(copies.audio[:, ::-1] * 0.5).copy(),
                                 augmented=np.ones(len(train), np.int8))  # fmt: skip
    return Dataset(*(np.concatenate([getattr(data, f), getattr(copies, f)])
                     for f in ("audio", "class_id", "split", "group", "augmented")),
                   data.classes, data.sample_rate)  # fmt: skip


def save_npz(data: Dataset, path: Path) -> Path:
    np.savez(path, audio=data.audio, class_id=data.class_id, split=data.split, group=data.group,
             augmented=data.augmented, classes=np.array(data.classes),
             sample_rate=np.array(data.sample_rate))  # fmt: skip
    return path


#: Figures of a class that meets every target.
GOOD = {
    "fidelity_band": Fidelity(1.0, 0.95),
    "fidelity_shape": Fidelity(0.95, 0.9),
    "frechet": Frechet(30.0, 20.0, 100.0),
    "diversity": Diversity(9.0, 10.0, 0.9),
    "memorisation": Memorisation(2.0, 5.0, 0.0, 0.0),
    "inversion": Inversion({"kick": 38, "snare": 2}, 0.95, 0.5, 1.0, 0.5, 0.4, 1.0, 0.4),
}


def record(name: str, **changes) -> ClassReport:
    """A class that meets every target, but for the figures in `changes`."""
    figures = {**GOOD, **changes}
    return ClassReport(name, Counts(40, 10, 40, 64, 40, 8), **figures,
                       targets=class_targets(name, *figures.values(), best_of=256))  # fmt: skip


def report(*records: ClassReport) -> Report:
    """A report of these classes, with nothing else measured."""
    names = tuple(r.name for r in records)
    return Report("m", names, 44100, 32768, EvalConfig(), records, LayerPairs(10, 0, 1.0, 1.5, 3.0),
                  0, {}, {}, {}, None, (), 16, {}, 1.0)  # fmt: skip
