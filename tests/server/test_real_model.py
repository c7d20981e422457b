"""`drumsynth serve` as a subprocess on the real tiny model, over loopback UDP.

One server for the module (starting one imports TensorFlow: 5-10 s). The last test stops it with
SIGTERM while a request is in progress.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import soundfile as sf
from oschelpers import Client

START_TIMEOUT = 90.0


def drumsynth_command() -> list[str]:
    """`drumsynth` from this interpreter's environment (the module as a fallback)."""
    script = Path(sys.executable).parent / "drumsynth"
    if script.is_file():
        return [str(script)]
    return [sys.executable, "-c", "from oscserver.cli import main; main()"]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Proc:
    proc: subprocess.Popen[bytes]
    port: int
    out: Path
    log: Path


@pytest.fixture(scope="module")
def served(tiny_model: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Proc]:
    out = tmp_path_factory.mktemp("served")
    log = out.parent / f"{out.name}.log"
    port = free_port()
    env = dict(os.environ, DRUMSYNTH_OUT=str(out), DRUMSYNTH_PORT=str(port))
    cmd = [*drumsynth_command(), "serve", "--model", str(tiny_model)]
    cmd += ["--sr", "48000", "--format", "int16"]
    with log.open("wb") as sink:
        proc = subprocess.Popen(cmd, stdout=sink, stderr=subprocess.STDOUT, env=env)
    client = Client(port)
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"server did not answer /drum/ping:\n{log.read_text()}")
            client.send("/drum/ping")
            try:
                if client.recv(0.2)[0] == "/drum/pong":
                    break
            except TimeoutError:
                pass
        yield Proc(proc, port, out, log)
    finally:
        client.close()
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)


@pytest.fixture
def rc(served: Proc) -> Iterator[Client]:
    c = Client(served.port)
    yield c
    c.close()


def done(client: Client, *request: Any) -> list[Any]:
    address, args = client.ask(*request, timeout=60)
    assert address == "/drum/done", (address, args)
    return args


def test_ready_line_names_the_address_and_the_model(served: Proc, tiny_model: Path) -> None:
    text = served.log.read_text()
    ready = [line for line in text.splitlines() if "drumsynth ready in" in line]
    assert len(ready) == 1
    seconds = float(ready[0].split("ready in ")[1].split(" s on ")[0])
    assert 0 < seconds < START_TIMEOUT
    assert f"udp://127.0.0.1:{served.port}" in ready[0] and tiny_model.name in ready[0]
    assert "Traceback" not in text


def test_info_reports_the_clients_rate(rc: Client) -> None:
    address, args = rc.ask("/drum/info")
    info = dict(zip(args[::2], args[1::2], strict=True))
    assert address == "/drum/info" and info["sr"] == 48000
    assert info["device"] == "cpu" or info["device"].startswith("gpu")
    assert info["pca"] >= 1 and len(info["classes"].split()) >= 1


def test_every_render_on_the_real_model(rc: Client, served: Proc) -> None:
    first = done(rc, "/drum/seed", 0, 5.0)
    audio, sr = sf.read(first[2], dtype="float32")
    assert sr == 48000 and sf.info(first[2]).subtype == "PCM_16"
    frames = first[3]
    assert audio.shape == (frames,) and np.all(np.isfinite(audio)) and np.abs(audio).max() > 0
    again = done(rc, "/drum/seed", 0, 5)
    np.testing.assert_array_equal(sf.read(again[2], dtype="float32")[0], audio)  # deterministic
    seed = done(rc, "/drum/random", "r")[6]
    assert 0 <= seed < 2**24
    done(rc, "/drum/pca", 0, 1.0, -1.0)
    done(rc, "/drum/morph", "m", 0, "r", 0.5)
    path = done(rc, "/drum/path", "p", 0, "r", 30, "slerp")
    assert path[6:] == [30, frames] and sf.info(path[2]).frames == 30 * frames
    inverted = done(rc, "/drum/invert", "i", first[2], 2)
    assert isinstance(inverted[6], str)
    address, args = rc.ask("/drum/latent", "i")
    assert address == "/drum/latent" and args[:2] == ["i", inverted[6]]
    assert all(p.parent == served.out.resolve() for p in map(Path, (first[2], path[2])))


def test_a_refined_inversion_sounds_the_same_through_its_edits(rc: Client, served: Proc) -> None:
    source = done(rc, "/drum/seed", "src", 7)[2]
    refined = sf.read(done(rc, "/drum/invert", "ri", source, 5)[2])[0]
    plain = sf.read(done(rc, "/drum/invert", "rp", source, 0)[2])[0]
    assert not np.array_equal(refined, plain)
    alone = sf.read(done(rc, "/drum/seed", "s", 3)[2])[0]
    # live renders of both kinds sent together, so the worker may batch them
    for request in [("/drum/morph", "m", "ri", "rp", 0.0), ("/drum/seed", "s", 3),
                    ("/drum/pca", "ri", 0.0), ("/drum/morph", "n", "ri", "rp", 1.0)]:  # fmt: skip
        rc.send(*request)
    replies = {}
    for _ in range(4):
        address, args = rc.recv(30)
        assert address == "/drum/done", args
        replies[args[1]] = sf.read(args[2])[0]
    np.testing.assert_array_equal(replies["m"], refined)
    np.testing.assert_array_equal(replies["ri"], refined)
    np.testing.assert_array_equal(replies["n"], plain)
    np.testing.assert_array_equal(replies["s"], alone)


def test_unreadable_file_fails(rc: Client, served: Proc) -> None:
    junk = served.out.parent / "junk.wav"
    junk.write_bytes(b"RIFF nonsense")
    address, args = rc.ask("/drum/invert", "j", str(junk))
    assert address == "/drum/fail" and args[:2] == ["/drum/invert", "j"]


def test_break_inverts_every_hit_into_its_own_slot(rc: Client, served: Proc) -> None:
    from tests.helpers import BREAK_STARTS, synthetic_break

    wav = served.out.parent / "amen.wav"
    sf.write(str(wav), synthetic_break(np.random.default_rng(0)), 44100)  # 2 s, 9 hits
    args = done(rc, "/drum/break", "amen", str(wav))
    assert args[:2] == ["/drum/break", "amen"] and args[6] == len(BREAK_STARTS)
    assert abs(args[3] - 2 * 48000) <= 1 and sf.info(args[2]).frames == args[3]
    morph = done(rc, "/drum/morph", "x", "amen-0", "amen-3", 0.5)
    assert morph[:2] == ["/drum/morph", "x"] and sf.info(morph[2]).frames == morph[3]


def test_break_of_silence_or_a_missing_file_fails(rc: Client, served: Proc) -> None:
    silence = served.out.parent / "silence.wav"
    sf.write(str(silence), np.zeros(44100, np.float32), 44100)
    address, args = rc.ask("/drum/break", "quiet", str(silence), timeout=60)
    assert address == "/drum/fail" and args[:2] == ["/drum/break", "quiet"]
    assert args[2] == "silent input"
    address, args = rc.ask("/drum/break", "gone", str(served.out.parent / "gone.wav"))
    assert address == "/drum/fail"
    assert args == ["/drum/break", "gone", "not a readable audio file: gone.wav"]


def test_live_seeds_pass_a_refinement_and_sound_as_they_do_alone(rc: Client, served: Proc) -> None:
    alone = [done(rc, "/drum/seed", f"alone{i}", i) for i in range(4)]
    job = Client(served.port)
    try:
        job.send("/drum/invert", "refined", alone[0][2], 200)
        assert job.recv(60, skip=())[0] == "/drum/progress"  # under way
        beside = [done(rc, "/drum/seed", f"beside{i}", i) for i in range(4)]
        try:
            early = job.recv(0.001)  # passes over its progress
        except TimeoutError:
            early = None
        assert early is None, f"the job ended before the live seeds were answered: {early}"
        final = job.recv(60)
    finally:
        job.close()
    assert final[0] == "/drum/done" and final[1][1] == "refined"
    for a, b in zip(alone, beside, strict=True):  # rendered beside the job, the same bytes
        np.testing.assert_array_equal(sf.read(a[2])[0], sf.read(b[2])[0])


def test_burst_of_morphs_renders_the_last_state(rc: Client) -> None:
    done(rc, "/drum/seed", "ca", 1)
    done(rc, "/drum/seed", "cb", 2)
    for t in np.linspace(0.0, 1.0, 500):
        rc.send("/drum/morph", "cm", "ca", "cb", float(t))
    replies = [rc.recv(30)]
    while more := rc.drain(1.0):
        replies += more
    assert {a for a, _ in replies} == {"/drum/done"}
    assert len(replies) < 500
    _, status = rc.ask("/drum/status")
    assert dict(zip(status[::2], status[1::2], strict=True))["queue"] == 0
    _, cm = rc.ask("/drum/latent", "cm")
    _, cb = rc.ask("/drum/latent", "cb")
    np.testing.assert_allclose(cm[2:], cb[2:], atol=1e-3)


def test_sigterm_finishes_the_request_in_progress_and_exits_cleanly(
    rc: Client, served: Proc
) -> None:
    rc.send("/drum/path", "last", "ca", "cb", 256)
    time.sleep(0.05)
    served.proc.send_signal(signal.SIGTERM)
    assert served.proc.wait(30) == 0
    address, args = rc.recv(5)
    assert address == "/drum/done" and args[1] == "last"
    assert list(served.out.glob("*.tmp")) == [] and list(served.out.glob(".*")) == []
    text = served.log.read_text()
    assert "Traceback" not in text and "drumsynth stopped" in text


def test_a_broken_model_stops_the_start_in_one_line(tmp_path: Path) -> None:
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "manifest.json").write_text("{ not json")
    proc = subprocess.run(
        [*drumsynth_command(), "serve", "--model", str(broken), "--port", "0"],
        capture_output=True,
        text=True,
        timeout=120,
        env=dict(os.environ, DRUMSYNTH_OUT=str(tmp_path / "out")),
        check=False,
    )
    assert proc.returncode != 0
    assert "Traceback" not in proc.stderr
    errors = [line for line in proc.stderr.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1 and "cannot load the model" in errors[0], proc.stderr
