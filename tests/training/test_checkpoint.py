"""Training checkpoints: optimiser slots follow their variables by name, formats are checked."""

import json

import keras
import numpy as np
import pytest

from oscserver.training.checkpoint import (
    CHECKPOINT_FORMAT,
    CheckpointError,
    load_checkpoint,
    read_state,
    save_checkpoint,
)


def net(units, name):
    inp = keras.Input((4,))
    x = inp
    for i, u in enumerate(units):
        x = keras.layers.Dense(u, name=f"{name}_{i}")(x)
    return keras.Model(inp, x, name=name)


def trained(model, steps=3):
    opt = keras.optimizers.Adam(1e-2)
    opt.build(model.trainable_weights)
    for _ in range(steps):
        grads = [keras.ops.ones_like(v) for v in model.trainable_weights]
        opt.apply_gradients(zip(grads, model.trainable_weights, strict=True))
    return opt


def test_round_trip_restores_weights_optimiser_and_state(tmp_path):
    model = net([8, 2], "g")
    opt = trained(model)
    save_checkpoint(tmp_path / "ckpt", {"g": model}, {"g": opt}, {"step": 7})
    assert read_state(tmp_path / "ckpt") == {"step": 7, "format": CHECKPOINT_FORMAT}

    model2 = net([8, 2], "g")
    opt2 = keras.optimizers.Adam(1e-2)
    opt2.build(model2.trainable_weights)
    restored = load_checkpoint(tmp_path / "ckpt", {"g": model2}, {"g": opt2})
    assert restored.state["step"] == 7 and restored.optimizer_fresh == 0
    for a, b in zip(model.weights, model2.weights, strict=True):
        np.testing.assert_array_equal(a.numpy(), b.numpy())
    for a, b in zip(opt.variables, opt2.variables, strict=True):
        np.testing.assert_array_equal(np.asarray(a.numpy()), np.asarray(b.numpy()))


def test_a_grown_network_keeps_the_slots_that_still_fit(tmp_path):
    model = net([8, 2], "d")
    opt = trained(model)
    save_checkpoint(tmp_path / "ckpt", {"d": model}, {"d": opt}, {"step": 1})
    grown = net([8, 3], "d")  # the last layer changed shape
    opt2 = keras.optimizers.Adam(1e-2)
    opt2.build(grown.trainable_weights)
    restored = load_checkpoint(tmp_path / "ckpt", {"d": grown}, {"d": opt2}, reshapable=("d",))
    assert restored.optimizer_slots > 0 and restored.optimizer_fresh == 4  # 2 vars x m, v
    first = {v.path.split("/")[-1]: v for v in opt.variables}
    kept = [v for v in opt2.variables if "d_0" in v.path]
    assert kept and all(
        np.array_equal(v.numpy(), first[v.path.split("/")[-1]].numpy()) for v in kept
    )


def test_missing_and_newer_checkpoints_are_clear_errors(tmp_path):
    with pytest.raises(CheckpointError, match="no checkpoint"):
        read_state(tmp_path / "none")
    (tmp_path / "ckpt").mkdir()
    (tmp_path / "ckpt" / "state.json").write_text(json.dumps({"format": 99, "step": 1}))
    with pytest.raises(CheckpointError, match="newer"):
        read_state(tmp_path / "ckpt")


def test_a_format_1_checkpoint_loads_its_weights_with_a_fresh_optimiser(tmp_path):
    model = net([8, 2], "g")
    opt = trained(model)
    save_checkpoint(tmp_path / "ckpt", {"g": model}, {"g": opt}, {"step": 3})
    state = tmp_path / "ckpt" / "state.json"
    state.write_text(json.dumps({"step": 3}))  # what format 1 wrote: no format key
    opt2 = keras.optimizers.Adam(1e-2)
    model2 = net([8, 2], "g")
    opt2.build(model2.trainable_weights)
    restored = load_checkpoint(tmp_path / "ckpt", {"g": model2}, {"g": opt2})
    assert restored.optimizer_slots == 0
    np.testing.assert_array_equal(model.weights[0].numpy(), model2.weights[0].numpy())
