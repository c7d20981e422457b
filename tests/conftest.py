"""Shared fixtures: a tiny but real model artifact, made once per test session."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small model trained for a few steps on synthetic drums, saved as a real artifact."""
    from oscserver.training.tiny import make_tiny_artifact

    return make_tiny_artifact(tmp_path_factory.mktemp("models") / "tiny")


@pytest.fixture(scope="session")
def engine(tiny_model: Path):
    """The inference engine over the tiny model, loaded once."""
    from oscserver.engine import DrumEngine

    return DrumEngine.load(tiny_model)
