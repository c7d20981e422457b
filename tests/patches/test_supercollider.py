"""SuperCollider: sclang boots scsynth on a dummy JACK server and loads slots through DrumSynth.

It also checks DrumSynthDirt against a stand-in for SuperDirt's sound library (the bank holds
the slots' current buffers after every done), and that the SuperDirt bank folders the server
writes for a kit and a break load into Buffers as SuperDirt loads a folder.

The class folder is compiled through a language config (`sclang -l`) whose includePaths name
patches/supercollider/DrumSynth, as a user would add it. The script prints `RESULT ...` lines.
"""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

import numpy as np
import soundfile as sf
from hosthelpers import ROOT, DrumServer, LineReader, requires_binaries, stop

SCLANG_TIMEOUT = 60.0
SCRIPT = ROOT / "tests" / "patches" / "sc" / "drumsynth_test.scd"
BANKS_SCRIPT = ROOT / "tests" / "patches" / "sc" / "drumsynth_banks_test.scd"


def start_jack(name: str) -> subprocess.Popen[bytes]:
    """A JACK server on the dummy backend (no sound card), named so it clashes with no other."""
    proc = subprocess.Popen(
        ["jackd", "-n", name, "-r", "-d", "dummy", "-r", "44100", "-p", "1024"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    time.sleep(1.0)
    assert proc.poll() is None, "jackd (dummy backend) did not start"
    return proc


def results(lines: list[str]) -> dict[str, list[str]]:
    """`RESULT <key> <values...>` lines -> {key: values}; keyed by "slot <name>" for slots and
    "bank <name>" for banks."""
    out = {}
    for line in lines:
        if line.startswith("RESULT "):
            fields = line.split()[1:]
            if fields[0] in ("slot", "bank"):
                out[f"{fields[0]} {fields[1]}"] = fields[2:]
            else:
                out[fields[0]] = fields[1:]
    return out


pytestmark = requires_binaries("sclang", "scsynth", "jackd")


def run_sclang(script: Path, server: DrumServer, tmp_path: Path, **env: str) -> list[str]:
    """Runs an sclang script that compiles the DrumSynth classes and talks to `server`, with a
    dummy JACK server for scsynth; returns its output lines once it reports an end (a
    `RESULT end`, `fail` or `timeout` line) or SCLANG_TIMEOUT passes."""
    config = tmp_path / "sclang_conf.yaml"
    config.write_text(
        "includePaths:\n"
        f"    - {ROOT / 'patches' / 'supercollider' / 'DrumSynth'}\n"
        "excludePaths:\n    []\npostInlineWarnings: false\n"
    )
    jack_name = f"drumsynth-test-{os.getpid()}"
    environ = dict(
        os.environ,
        DRUMSYNTH_PORT=str(server.port),
        JACK_DEFAULT_SERVER=jack_name,
        QT_QPA_PLATFORM="offscreen",
        QTWEBENGINE_DISABLE_SANDBOX="1",
        **env,
    )
    jack = start_jack(jack_name)
    proc = subprocess.Popen(
        ["sclang", "-l", str(config), str(script)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env=environ,
        cwd=tmp_path,
        start_new_session=True,
    )
    reader = LineReader(proc.stdout)
    try:
        finished = reader.wait_for(
            lambda lines: any(
                line.startswith(("RESULT end", "RESULT fail", "RESULT timeout")) for line in lines
            ),
            SCLANG_TIMEOUT,
        )
    finally:
        stop(proc)
        stop(jack)
    log = "\n".join(reader.lines[-80:])
    assert finished, f"sclang reported no end in {SCLANG_TIMEOUT} s:\n{log}"
    return reader.lines


def test_drumsynth_class_loads_slots_into_buffers(drum_server: DrumServer, tmp_path: Path) -> None:
    lines = run_sclang(SCRIPT, drum_server, tmp_path)
    log = "\n".join(lines[-80:])
    got = results(lines)
    assert "end" in got and "pong" in got, log
    for slot in ("slot 0", "slot probe"):
        fields = got[slot]
        values = dict(zip(fields[::2], fields[1::2], strict=True))
        assert int(values["numFrames"]) == int(values["size"]) == drum_server.frames, log
        assert float(values["peak"]) > 0.0, log
    first, second, _, current = got["swap"]
    assert first != second and current == second, f"slot 0 did not swap buffers:\n{log}"
    size, bank, current_bufnums, frames = got["dirt"]
    assert size == "2" and bank == current_bufnums, f"the SuperDirt bank is stale:\n{log}"
    assert int(frames) == drum_server.frames, log


def test_kit_and_break_banks_load_into_buffers(drum_server: DrumServer, tmp_path: Path) -> None:
    from tests.helpers import BREAK_STARTS, synthetic_break

    loop = tmp_path / "amen.wav"
    sf.write(str(loop), synthetic_break(np.random.default_rng(0)), 44100)  # 9 hits
    lines = run_sclang(BANKS_SCRIPT, drum_server, tmp_path, DRUMSYNTH_BREAK=str(loop))
    log = "\n".join(lines[-80:])
    got = results(lines)
    assert "end" in got, log
    classes = str(drum_server.info["classes"]).split()
    for bank, sounds in (("kit", len(classes)), ("break", len(BREAK_STARTS))):
        counted, *pairs = got[f"bank {bank}"]
        values = dict(zip(pairs[::2], pairs[1::2], strict=True))
        assert int(counted) == int(values["files"]) == sounds, log  # one file a sound
        width = len(str(sounds - 1))
        assert values["names"].split(",") == [f"{i:0{width}d}.wav" for i in range(sounds)], log
        assert {int(f) for f in values["frames"].split(",")} == {drum_server.frames}, log
        assert set(values["channels"].split(",")) == {"1"}, log
        assert all(float(p) > 0.0 for p in values["peaks"].split(",")), log
