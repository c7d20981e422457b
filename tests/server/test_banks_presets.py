"""SuperDirt bank folders of a slot store, and the presets file (no server)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from oscserver.limits import MAX_PRESETS
from oscserver.server.presets import Preset, PresetError, PresetStore, presets_file, read_presets
from oscserver.server.slots import OutputFolder, SlotStore


def store(tmp_path: Path) -> SlotStore:
    folder = OutputFolder(tmp_path / "out", min_free=0)
    folder.open()
    return SlotStore(folder, 16000, 16000, "float32", max_slots=2)


def test_bank_files_keep_their_order_and_shrink(tmp_path: Path) -> None:
    slots = store(tmp_path)
    sounds = np.linspace(-0.5, 0.5, 12 * 64, dtype=np.float32).reshape(12, 64)
    bank = slots.write_bank("amen", sounds)
    assert bank == slots.out_dir / "amen"
    names = sorted(p.name for p in bank.iterdir())
    assert names == [f"{i:02d}.wav" for i in range(12)]  # sorted names are the hit order
    (bank / "notes.txt").write_text("mine")
    slots.write_bank("amen", sounds[:3])
    assert sorted(p.name for p in bank.iterdir()) == ["0.wav", "1.wav", "2.wav", "notes.txt"]
    with pytest.raises(ValueError, match="invalid slot name"):
        slots.write_bank("../up", sounds)


def test_delete_and_eviction_remove_the_bank(tmp_path: Path) -> None:
    slots = store(tmp_path)
    sound = np.zeros(64, np.float32)
    for name in ("a", "b"):
        path, frames = slots.write(name, sound)
        slots.set(name, "kick", sound[:4], sound[:4], path, frames)
        slots.write_bank(name, sound[None])
    slots.delete("a")
    assert "a" not in slots and not (slots.out_dir / "a").exists()
    assert not list(slots.out_dir.glob("a-*.wav"))
    for name in ("c", "d"):  # evicts b, the least recently used
        path, frames = slots.write(name, sound)
        slots.set(name, "kick", sound[:4], sound[:4], path, frames)
    assert "b" not in slots and not (slots.out_dir / "b").exists()
    slots.delete("never-there")  # nothing to do


def preset(cls: str = "kick") -> Preset:
    w = np.array([0.1, -0.2, 0.3], np.float32)
    return Preset(cls, w, w * 2, np.array([1.5], np.float32))


def test_presets_round_trip_exactly_and_atomically(tmp_path: Path) -> None:
    path = presets_file(tmp_path, "drums-v2")
    assert path == tmp_path / "drums-v2.json"
    presets = PresetStore(path, "drums-v2")
    presets.put("fat", preset())
    assert not list(tmp_path.glob("*.tmp"))
    again = PresetStore(path, "drums-v2")
    again.load()
    assert again.names() == ("fat",)
    assert again.get("fat").latent.tobytes() == preset().latent.tobytes()
    again.forget("fat")
    assert read_presets(path) == {}
    with pytest.raises(PresetError, match="no preset named fat"):
        again.forget("fat")


@pytest.mark.parametrize("name", ["../x", "a/b", "", ".", "x" * 65])
def test_presets_refuse_names_that_leave_the_folder(tmp_path: Path, name: str) -> None:
    with pytest.raises(PresetError, match="a preset name is"):
        PresetStore(tmp_path / "m.json", "m").put(name, preset())
    assert list(tmp_path.iterdir()) == []


def test_presets_are_bounded_and_checked_against_the_model(tmp_path: Path) -> None:
    presets = PresetStore(None, "m")
    for i in range(MAX_PRESETS):
        presets.put(f"p{i}", preset())
    with pytest.raises(PresetError, match="forget one first"):
        presets.put("one-more", preset())
    presets.put("p0", preset("hat"))  # replacing is fine
    with pytest.raises(PresetError, match="class 'hat' is not one of kick snare"):
        presets.get("p0").check_fits(("kick", "snare"), 3, 5)
    with pytest.raises(PresetError, match="this model 4"):
        presets.get("p1").check_fits(("kick",), 4, 5)


def test_a_newer_presets_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "m.json"
    path.write_text(json.dumps({"format": 2, "presets": {}}))
    with pytest.raises(PresetError, match="format 2"):
        read_presets(path)
