"""Dataset building from a Hydrogen kit and a plain folder, with real audio files."""

import json
import os
import subprocess
import sys

import numpy as np
import soundfile as sf

from oscserver.training.dataset import (
    PITCH_SHIFTS,
    Dataset,
    build_dataset,
    classify,
    hydrogen_sources,
)

KIT_XML = """<?xml version="1.0" encoding="UTF-8"?>
<drumkit_info xmlns="http://www.hydrogen-music.org/drumkit">
 <name>TestKit</name><license>CC0</license>
 <instrumentList>
  {instruments}
 </instrumentList>
</drumkit_info>"""
INSTRUMENT = """<instrument><id>{i}</id><name>{name}</name><instrumentComponent>{layers}
</instrumentComponent></instrument>"""


def tone(freq, sr, seconds, rng):
    t = np.arange(int(sr * seconds)) / sr
    return np.sin(2 * np.pi * freq * t) * np.exp(-t * 10) + 0.01 * rng.standard_normal(t.size)


def make_kit(root, rng):
    kit = root / "TestKit"
    kit.mkdir(parents=True)
    instruments = []
    names = [
        "Kick A",
        "Kick B",
        "Kick C",
        "Snare A",
        "Snare B",
        "Snare C",
        "Closed HH",
        "Open Hat",
        "Pedal HH",
        "Cowbell",
    ]
    for i, name in enumerate(names):
        layers = ""
        for v in range(3):  # three velocity layers per instrument
            fname = f"{name.replace(' ', '_')}_{v}.wav"
            sf.write(
                kit / fname, tone(60 + 40 * i, 48000, 0.3 + 0.1 * v, rng) * (0.3 + 0.3 * v), 48000
            )
            layers += f"<layer><filename>{fname}</filename></layer>"
        instruments.append(INSTRUMENT.format(i=i, name=name, layers=layers))
    (kit / "drumkit.xml").write_text(KIT_XML.format(instruments="".join(instruments)))
    return root


def test_a_packed_dataset_reads_back_as_its_training_drums_with_new_copies(tmp_path):
    root = make_kit(tmp_path / "kits", np.random.default_rng(0))
    full = tmp_path / "d.npz"
    build_dataset([root], full, classes=["kick", "snare", "hat"], sample_rate=44100,
                  frames=8192, test_fraction=0.34, min_per_class=3)  # fmt: skip
    data = Dataset.load(full)
    packed = Dataset.load(data.pack(tmp_path / "packed.npz"))
    assert (tmp_path / "packed.npz").stat().st_size < 0.5 * full.stat().st_size
    assert packed.classes == data.classes and packed.sample_rate == data.sample_rate
    assert not np.any(packed.split)  # the test drums stay behind
    kept = (data.split == 0) & (data.augmented == 0)
    originals = packed.augmented == 0
    np.testing.assert_allclose(packed.audio[originals], data.audio[kept], atol=1e-4)
    np.testing.assert_array_equal(packed.class_id[originals], data.class_id[kept])
    # a copy per shift of every drum, of its class and instrument, onset aligned at peak 0.9
    assert np.sum(packed.augmented) == len(PITCH_SHIFTS) * np.sum(kept)
    for cls in range(3):
        assert np.sum(packed.class_id == cls) == np.sum(data.train.class_id == cls)
    assert set(packed.group[~originals]) == set(data.group[kept])
    assert np.allclose(np.max(np.abs(packed.audio), axis=1), 0.9, atol=1e-3)


def test_classify_by_words():
    classes = ["kick", "snare", "hat"]
    assert classify("Pearl Kick", classes) == "kick"
    assert classify("Closed HH", classes) == "hat"
    assert classify("snare_rimshot-2", classes) == "snare"
    assert classify("Cowbell", classes) is None
    assert classify("Hatchet", classes) is None  # whole words only


def test_build_from_hydrogen_kit(tmp_path):
    rng = np.random.default_rng(0)
    root = make_kit(tmp_path / "kits", rng)
    out = tmp_path / "d.npz"
    summary = build_dataset(
        [root],
        out,
        classes=["kick", "snare", "hat"],
        sample_rate=44100,
        frames=8192,
        test_fraction=0.34,
        shifts=(-1.0, 1.0),
        min_per_class=3,
    )
    data = Dataset.load(out)
    assert data.audio.shape[1] == 8192 and data.audio.dtype == np.float32
    assert summary["files"] == {"kick": 9, "snare": 9, "hat": 9}
    # velocity layers of one drum never straddle the split
    for g in np.unique(data.group):
        assert len(set(data.split[data.group == g])) == 1
    assert set(data.class_id[data.split == 1]) == {0, 1, 2}  # every class tested
    # pitch-shifted copies only in training
    assert not np.any(data.augmented[data.split == 1])
    assert np.sum(data.augmented) == 2 * np.sum((data.split == 0) & (data.augmented == 0))
    # onset aligned, peak normalised
    assert np.allclose(np.max(np.abs(data.audio), axis=1), 0.9, atol=1e-3)
    assert np.all(np.argmax(np.abs(data.audio) > 0.1, axis=1) < 200)
    recorded = json.loads(out.with_suffix(".json").read_text())
    assert {s["licence"] for s in recorded["sources"]} == {"CC0"}


def test_too_few_sounds_is_a_clear_error(tmp_path):
    rng = np.random.default_rng(0)
    root = make_kit(tmp_path / "kits", rng)
    import pytest

    with pytest.raises(ValueError, match="too few sounds for class"):
        build_dataset(
            [root],
            tmp_path / "d.npz",
            classes=["kick", "clap"],
            sample_rate=44100,
            frames=4096,
            min_per_class=3,
        )


def test_identical_files_in_two_kits_count_once(tmp_path):
    import shutil

    rng = np.random.default_rng(0)
    root = make_kit(tmp_path / "kits", rng)
    shutil.copytree(root / "TestKit", root / "CopyKit")  # a second kit sharing every sample
    out = tmp_path / "d.npz"
    summary = build_dataset(
        [root],
        out,
        classes=["kick", "snare", "hat"],
        sample_rate=44100,
        frames=4096,
        shifts=(),
        min_per_class=3,
    )
    assert summary["files"] == {"kick": 9, "snare": 9, "hat": 9}


def test_open_and_closed_hats_are_told_apart():
    classes = ["kick", "snare", "hat", "openhat", "cymbal"]
    assert classify("hihat_opened01", classes) == "openhat"
    assert classify("Open HH", classes) == "openhat"
    assert classify("Hat Open", classes) == "openhat"
    assert classify("hihat_closed02", classes) == "hat"
    assert classify("drum_cymbal_pedal", classes) == "hat"  # a hi-hat's two cymbals, closed
    assert classify("drum_cymbal_open", classes) == "openhat"
    assert classify("crash01", classes) == "cymbal"
    # the names of the held-out kits that rang like open hats but were classed closed
    assert classify("Hat Op Dirty", classes) == "openhat"  # ElectricEmpireKit
    assert classify('Hi-Hat Semiopen (Paiste Alpha Metal edge 14")', classes) == "openhat"
    assert classify("Sabian Hat Swish", classes) == "openhat"  # The Black Pearl
    assert classify("Hi Hat Free", classes) == "openhat"  # BJA_Pacific
    assert classify("VariBreaks Hat 1 Op", classes) == "openhat"
    assert classify("Sabian Hat Choke", classes) == "hat"
    assert classify("Hat Ring 1", classes) == "hat"
    assert classify("Op Amp Kick", classes) == "kick"  # "op" opens hats only
    # without an openhat class, open hats stay hats
    assert classify("hihat_opened01", ["kick", "hat"]) == "hat"


def test_renders_near_copies_and_whole_test_sources(tmp_path):
    """Soundfont renders read from their manifest; a velocity layer that is the same sample
    louder counts once; a named source is held out whole."""
    rng = np.random.default_rng(1)
    renders = tmp_path / "renders"
    rows = []
    for font in ("fontA", "fontB"):
        for note, cls, freq in ((36, "kick", 60.0), (38, "snare", 300.0), (42, "hat", 3000.0)):
            for kit in range(3):
                sound = tone(freq * (1 + 0.3 * kit) + (50 if font == "fontB" else 0), 44100,
                             0.4, rng)  # fmt: skip
                for vel, gain in ((60, 0.3), (127, 0.9)):  # the same sample at two levels
                    path = renders / font / f"{kit}" / f"n{note}-v{vel}.wav"
                    path.parent.mkdir(parents=True, exist_ok=True)
                    sf.write(path, gain * sound, 44100)
                    rows.append({"path": str(path.relative_to(renders)), "class": cls,
                                 "group": f"{font}/{kit}/{note}", "source": f"{font}/{kit}",
                                 "licence": "MIT"})  # fmt: skip
    (renders / "manifest.json").write_text(json.dumps(rows))
    out = tmp_path / "d.npz"
    summary = build_dataset(
        [renders], out, classes=["kick", "snare", "hat"], sample_rate=44100, frames=8192,
        shifts=(), min_per_class=3, test_sources=["fontB"],
    )  # fmt: skip
    assert summary["duplicates_dropped"] == 18  # one of each velocity pair
    assert summary["files"] == {"kick": 6, "snare": 6, "hat": 6}
    assert summary["test_files"] == {"kick": 3, "snare": 3, "hat": 3}
    recorded = json.loads(out.with_suffix(".json").read_text())
    assert {s["split"] for s in recorded["sources"] if s["source"].startswith("fontB")} == {"test"}
    assert {s["split"] for s in recorded["sources"] if s["source"].startswith("fontA")} == {"train"}


def test_a_kits_files_come_in_the_same_order_under_any_hash_seed(tmp_path):
    """Which velocity layer stands for its near-copies follows the order the kit's files are
    read in: that order must not change between runs (Python salts string hashes per run)."""
    make_kit(tmp_path / "kits", np.random.default_rng(0))
    script = (
        "import sys; from pathlib import Path; "
        "from oscserver.training.dataset import hydrogen_sources; "
        "print([s.path.name for s in hydrogen_sources(Path(sys.argv[1]), ['kick', 'hat'])])"
    )
    orders = {
        subprocess.run(
            [sys.executable, "-c", script, str(tmp_path / "kits" / "TestKit")],
            env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for seed in ("1", "2", "3")
    }
    assert len(orders) == 1 and "Kick_A_0.wav" in orders.pop()


def test_a_kit_of_the_older_format_names_its_file_on_the_instrument(tmp_path):
    kit = tmp_path / "OldKit"
    kit.mkdir()
    rng = np.random.default_rng(0)
    sf.write(kit / "bd1.flac", tone(60, 44100, 0.3, rng), 44100)
    sf.write(kit / "closehihat3.flac", tone(5000, 44100, 0.1, rng), 44100)
    instruments = "".join(
        f"<instrument><id>{i}</id><name>{name}</name><filename>{f}</filename></instrument>"
        for i, (name, f) in enumerate([("Kick", "bd1.flac"), ("Closed HH", "closehihat3.flac")])
    )
    (kit / "drumkit.xml").write_text(KIT_XML.format(instruments=instruments))
    sources = hydrogen_sources(kit, ["kick", "hat"])
    assert [(s.path.name, s.cls) for s in sources] == [
        ("bd1.flac", "kick"),
        ("closehihat3.flac", "hat"),
    ]
