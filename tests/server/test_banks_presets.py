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
    path.write_text(json.dumps({"format": 3, "presets": {}}))
    with pytest.raises(PresetError, match="format 3"):
        read_presets(path)


def test_a_residual_round_trips_exactly_and_is_checked(tmp_path: Path) -> None:
    residual = np.random.default_rng(1).normal(size=(256, 82)).astype(np.float32)
    path = tmp_path / "m.json"
    w = np.arange(3, dtype=np.float32)
    PresetStore(path, "m").put(
        "deep", Preset("kick", w, w, np.zeros(1, np.float32), None, residual)
    )
    data = json.loads(path.read_text())
    assert data["format"] == 2 and data["presets"]["deep"]["residual"]["shape"] == [256, 82]
    assert path.stat().st_size < 5 * residual.nbytes // 3  # base64, not a list of floats
    back = read_presets(path)["deep"]
    assert back.residual is not None and back.residual.tobytes() == residual.tobytes()
    back.check_fits(("kick",), 3, 5, 1, (256, 82))
    with pytest.raises(
        PresetError, match=r"residual has shape \[256, 82\], this model \[128, 82\]"
    ):
        back.check_fits(("kick",), 3, 5, 1, (128, 82))
    entry = data["presets"]["deep"]
    for broken, words in [
        ({**entry["residual"], "shape": [256, 81]}, "holds 83968 bytes"),
        ({**entry["residual"], "float32le": "not base64!"}, "not base64"),
        ({"shape": [2]}, "shape and float32le"),
    ]:
        path.write_text(json.dumps({**data, "presets": {"deep": {**entry, "residual": broken}}}))
        with pytest.raises(PresetError, match=words):
            read_presets(path)


def test_a_presets_file_of_version_1_is_read(tmp_path: Path) -> None:
    path = tmp_path / "m.json"
    one = {"class": "kick", "base": [0.0, 1.0], "latent": [0.0, 1.0], "offsets": [0.0]}
    path.write_text(json.dumps({"format": 1, "model": "m", "presets": {"old": one}}))
    assert read_presets(path)["old"].residual is None
