"""Rendering General MIDI drum kits with the real fluidsynth and a real Debian soundfont."""

import json
import shutil

import mido
import numpy as np
import pytest
import soundfile as sf

from oscserver.training.soundfonts import (
    DEBIAN_SOUNDFONTS,
    GM_DRUMS,
    drum_midi,
    plays_other,
    render_kit,
    render_soundfonts,
)

TIMGM = next(f for f in DEBIAN_SOUNDFONTS if f.name == "timgm6mb")
FLUID = next(f for f in DEBIAN_SOUNDFONTS if f.name == "fluidr3")


def test_midi_plays_every_note_on_channel_10_at_its_time():
    midi, events = drum_midi(25, [36, 46], [60, 127], spacing=2.0)
    msgs = [m for m in midi if not m.is_meta]
    assert msgs[0].type == "program_change" and msgs[0].program == 25 and msgs[0].channel == 9
    t, starts = 0.0, []
    for m in msgs:
        t += m.time
        if m.type == "note_on":
            starts.append((m.note, m.velocity, round(t, 6)))
    assert starts == [(n, v, round(s, 6)) for n, v, s in events]
    assert [s for _, _, s in events] == [0.5, 2.5, 4.5, 6.5]
    assert all(isinstance(m, mido.Message) and m.channel == 9 for m in msgs)


@pytest.mark.skipif(
    shutil.which("fluidsynth") is None or not TIMGM.path.exists(),
    reason="fluidsynth and timgm6mb-soundfont are installed by scripts/install-hosts.sh",
)
def test_render_a_real_kit_into_labelled_one_shots(tmp_path):
    manifest = render_soundfonts(
        tmp_path, [TIMGM], notes=[36, 38, 42], velocities=[100], progress=False
    )
    rows = json.loads(manifest.read_text())
    assert {r["class"] for r in rows} == {"kick", "snare", "hat"}
    assert len(rows) >= 3 * 6  # TimGM6mb has 8 kits; all play these notes
    for r in rows:
        audio, sr = sf.read(tmp_path / r["path"])
        assert sr == 44100 and audio.ndim == 1
        assert np.argmax(np.abs(audio) > 0.01) < 0.05 * sr  # the hit starts the file
        assert r["licence"].startswith("GPL-2") and r["source"].startswith("timgm6mb/")
        assert GM_DRUMS[int(r["path"].split("/")[-1][1:3])] == r["class"]
    # a kick is low, a closed hat is bright
    kick = sf.read(tmp_path / next(r["path"] for r in rows if r["class"] == "kick"))[0]
    hat = sf.read(tmp_path / next(r["path"] for r in rows if r["class"] == "hat"))[0]

    def centroid(x):
        spec = np.abs(np.fft.rfft(x[:8192]))
        return float(np.sum(spec * np.arange(spec.size)) / np.sum(spec))

    assert centroid(kick) * 4 < centroid(hat)


def test_the_orchestra_sets_timpani_are_not_labelled_drums():
    assert plays_other("Orchestra Kit", 42) and plays_other("Orchestra Kit", 53)
    assert not plays_other("Orchestra Kit", 36) and not plays_other("Orchestra Kit", 57)
    assert not plays_other("Standard", 42)


@pytest.mark.skipif(
    shutil.which("fluidsynth") is None or not FLUID.path.exists(),
    reason="fluidsynth and fluid-soundfont-gm are installed by scripts/install-kits.sh",
)
def test_a_real_orchestra_set_renders_its_kick_and_not_its_timpani(tmp_path):
    rows = render_kit(FLUID, 48, "Orchestra Kit", tmp_path, notes=[36, 42, 45], velocities=[100])
    assert [r["class"] for r in rows] == ["kick"]
    standard = render_kit(FLUID, 0, "Standard", tmp_path, notes=[36, 42], velocities=[100])
    assert [r["class"] for r in standard] == ["kick", "hat"]
