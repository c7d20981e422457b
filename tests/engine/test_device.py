"""The device the engine reports (`drumsynth info`, `/drum/info device`), with and without a GPU."""

from __future__ import annotations

import pytest
import tensorflow as tf

from oscserver.engine.engine import device_kind


def test_device_names_the_gpu_in_use(monkeypatch: pytest.MonkeyPatch) -> None:
    gpu = tf.config.PhysicalDevice("/physical_device:GPU:0", "GPU")
    monkeypatch.setattr(tf.config, "list_physical_devices", lambda kind=None: [gpu])
    monkeypatch.setattr(tf.config.experimental, "get_device_details",
                        lambda device: {"device_name": "NVIDIA H200"})  # fmt: skip
    assert device_kind() == "gpu (NVIDIA H200)"
    monkeypatch.setattr(tf.config.experimental, "get_device_details", lambda device: {})
    assert device_kind() == "gpu"


def test_device_without_a_gpu_is_cpu(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tf.config, "list_physical_devices", lambda kind=None: [])
    assert device_kind() == "cpu"
