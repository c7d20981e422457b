"""Labelled one-shots from the General MIDI drum kits of soundfonts, rendered with fluidsynth.

A kit is a program on MIDI channel 10 (bank 128). For each kit we write one MIDI file that plays
every drum note of `GM_DRUMS` at a few velocities, `spacing` seconds apart, render it offline
with fluidsynth (reverb and chorus off) and cut the render into one WAV per note. Every file is
labelled by its General MIDI note, so no name guessing is involved. A `manifest.json` beside the
renders records path, class, instrument group, source and licence of each file, which
`drumsynth dataset` reads like a Hydrogen kit's drumkit.xml.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import mido
import numpy as np
import soundfile as sf

from oscserver.audio.io import to_mono

#: General MIDI percussion notes (channel 10) and the drum class each one is.
GM_DRUMS: dict[int, str] = {
    35: "kick",  # acoustic bass drum
    36: "kick",  # bass drum 1
    38: "snare",  # acoustic snare
    40: "snare",  # electric snare
    42: "hat",  # closed hi-hat
    44: "hat",  # pedal hi-hat
    46: "openhat",  # open hi-hat
    41: "tom",  # low floor tom
    43: "tom",  # high floor tom
    45: "tom",  # low tom
    47: "tom",  # low-mid tom
    48: "tom",  # hi-mid tom
    50: "tom",  # high tom
    49: "cymbal",  # crash 1
    57: "cymbal",  # crash 2
    51: "cymbal",  # ride 1
    59: "cymbal",  # ride 2
    52: "cymbal",  # china
    55: "cymbal",  # splash
    37: "rim",  # side stick
    39: "clap",  # hand clap
}

#: Kits that play something else on some GM drum notes: (kit name pattern, notes). The GS
#: Orchestra set (program 48) plays timpani on notes 41-53, where GM has toms, hats and cymbals
#: (its renders there have spectral centroids of 150-450 Hz, rising a semitone a note).
NOT_DRUMS: tuple[tuple[re.Pattern[str], range], ...] = (
    (re.compile(r"orchestra", re.IGNORECASE), range(41, 54)),
)

#: Classes whose notes are held long (they ring); others get a short note-off.
LONG_CLASSES = ("cymbal", "openhat")


@dataclass(frozen=True)
class Soundfont:
    """A soundfont shipped by a Debian package, and the licence of its samples."""

    name: str  # short name, the source name in the dataset
    path: Path  # the .sf2 / .sf3 file
    licence: str  # licence of the samples (from the package's copyright file)
    package: str  # the Debian package that ships it


#: The soundfonts scripts/install-kits.sh installs.
DEBIAN_SOUNDFONTS: tuple[Soundfont, ...] = (
    Soundfont("fluidr3", Path("/usr/share/sounds/sf2/FluidR3_GM.sf2"), "MIT", "fluid-soundfont-gm"),
    Soundfont(
        "musescore",
        Path("/usr/share/sounds/sf3/MuseScore_General.sf3"),
        "MIT",
        "musescore-general-soundfont",
    ),
    Soundfont(
        "timgm6mb", Path("/usr/share/sounds/sf2/TimGM6mb.sf2"), "GPL-2", "timgm6mb-soundfont"
    ),
)

#: Kit programs that are not drum kits in the GM sense (a metronome, marching sets).
SKIP_KITS = re.compile(r"metronome|marching", re.IGNORECASE)


def list_kits(soundfont: Path) -> list[tuple[int, str]]:
    """The drum kits (bank 128 programs) of a soundfont, as (program, name)."""
    with tempfile.TemporaryDirectory() as tmp:
        out = subprocess.run(
            ["fluidsynth", "-n", "-a", "file", "-o", f"audio.file.name={tmp}/x.wav",
             str(soundfont)],
            input="inst 1\nquit\n",
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )  # fmt: skip
    kits = []
    for line in out.stdout.splitlines():
        m = re.match(r"^128-(\d{3}) (.+)$", line.strip())
        if m and not SKIP_KITS.search(m.group(2)):
            kits.append((int(m.group(1)), m.group(2).strip()))
    return kits


def drum_midi(
    program: int,
    notes: Sequence[int],
    velocities: Sequence[int],
    spacing: float,
) -> tuple[mido.MidiFile, list[tuple[int, int, float]]]:
    """A MIDI file playing each note at each velocity on channel 10, `spacing` s apart.

    Returns:
        The file and the events (note, velocity, start in seconds) in playing order.
    """
    tpb, tempo = 480, 500_000  # 120 bpm: one beat is 0.5 s
    ticks = int(round(spacing / (tempo / 1e6) * tpb))
    track = mido.MidiTrack()
    track.append(mido.MetaMessage("set_tempo", tempo=tempo, time=0))
    track.append(mido.Message("program_change", channel=9, program=program, time=0))
    events: list[tuple[int, int, float]] = []
    since_start = ticks - tpb  # the first note starts one beat in
    for i, (note, vel) in enumerate((n, v) for n in notes for v in velocities):
        hold = 1.0 if GM_DRUMS[note] in LONG_CLASSES else 0.25
        hold_ticks = int(round(hold / (tempo / 1e6) * tpb))
        # Every note starts `ticks` after the last one started (that one's note-off between).
        track.append(mido.Message("note_on", channel=9, note=note, velocity=vel,
                                  time=ticks - since_start))  # fmt: skip
        since_start = hold_ticks
        track.append(mido.Message("note_off", channel=9, note=note, velocity=0, time=hold_ticks))
        events.append((note, vel, 0.5 + i * spacing))
    track.append(mido.MetaMessage("end_of_track", time=ticks))
    midi = mido.MidiFile(ticks_per_beat=tpb)
    midi.tracks.append(track)
    return midi, events


def plays_other(kit_name: str, note: int) -> bool:
    """True when the kit plays something other than GM_DRUMS's class on this note."""
    return any(p.search(kit_name) and note in notes for p, notes in NOT_DRUMS)


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def render_kit(
    font: Soundfont,
    program: int,
    kit_name: str,
    out_dir: Path,
    *,
    notes: Sequence[int],
    velocities: Sequence[int],
    sample_rate: int = 44100,
    spacing: float = 2.5,
) -> list[dict[str, str]]:
    """Renders one kit into out_dir/<font>/<kit>/ and returns its manifest rows."""
    notes = [n for n in notes if not plays_other(kit_name, n)]
    midi, events = drum_midi(program, notes, velocities, spacing)
    kit_dir = out_dir / font.name / f"{program:03d}-{_slug(kit_name)}"
    kit_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        mid, wav = Path(tmp) / "kit.mid", Path(tmp) / "kit.wav"
        midi.save(str(mid))
        subprocess.run(
            ["fluidsynth", "-ni", "-q", "-F", str(wav), "-r", str(sample_rate), "-R", "0",
             "-C", "0", "-g", "0.5", str(font.path), str(mid)],
            capture_output=True,
            timeout=600,
            check=True,
        )  # fmt: skip
        audio, sr = sf.read(str(wav), dtype="float32", always_2d=True)
    mono = to_mono(audio)
    rows = []
    for note, vel, start in events:
        a = int(start * sr)
        seg = mono[a : a + int(spacing * sr)]
        if seg.size == 0 or float(np.max(np.abs(seg))) < 1e-4:
            continue  # the kit has no sample on this note
        cls = GM_DRUMS[note]
        path = kit_dir / f"n{note}-{cls}-v{vel:03d}.wav"
        sf.write(str(path), seg, sr, subtype="PCM_24")
        rows.append(
            {
                "path": str(path.relative_to(out_dir)),
                "class": cls,
                "group": f"{font.name}/{kit_name}/{note}",
                "source": f"{font.name}/{kit_name}",
                "licence": f"{font.licence} ({font.package})",
            }
        )
    return rows


def render_soundfonts(
    out_dir: Path,
    fonts: Sequence[Soundfont] = DEBIAN_SOUNDFONTS,
    *,
    notes: Sequence[int] = tuple(GM_DRUMS),
    velocities: Sequence[int] = (60, 95, 127),
    sample_rate: int = 44100,
    progress: bool = True,
) -> Path:
    """Renders every kit of every installed soundfont; writes out_dir/manifest.json.

    Raises:
        FileNotFoundError: fluidsynth is not installed, or none of the soundfonts is.
    """
    if shutil.which("fluidsynth") is None:
        raise FileNotFoundError("fluidsynth is not installed (sh scripts/install-kits.sh)")
    present = [f for f in fonts if f.path.exists()]
    if not present:
        raise FileNotFoundError("no soundfont installed (sh scripts/install-kits.sh)")
    rows: list[dict[str, str]] = []
    for font in present:
        for program, name in list_kits(font.path):
            rows += render_kit(
                font, program, name, out_dir, notes=notes, velocities=velocities,
                sample_rate=sample_rate,
            )  # fmt: skip
            if progress:
                print(f"rendered {font.name} {program:03d} {name}: {len(rows)} files", flush=True)
    manifest = out_dir / "manifest.json"
    manifest.write_text(json.dumps(rows, indent=1))
    return manifest
