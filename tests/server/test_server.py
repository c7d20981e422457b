"""The server over real loopback UDP with python-osc as the client (numpy stand-in engine).

One test per address and per failure kind, plus coalescing, reply redirection, bundles and
files that are never seen half-written.
"""

from __future__ import annotations

import logging
import math
import socket
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import soundfile as sf
from oschelpers import Client, FakeEngine, Running, start_server
from pythonosc.osc_bundle_builder import OscBundleBuilder
from pythonosc.osc_message import OscMessage
from pythonosc.osc_message_builder import OscMessageBuilder

from oscserver.limits import MAX_REPLY_BYTES
from oscserver.server.app import Config, Server, StartupError


def done(client: Client, *request: Any, timeout: float = 5.0) -> list[Any]:
    """Sends a request and returns the /drum/done arguments (fails on anything else)."""
    address, args = client.ask(*request, timeout=timeout)
    assert address == "/drum/done", (address, args)
    assert args[0] == request[0]
    return args


def fail(client: Client, *request: Any) -> list[Any]:
    address, args = client.ask(*request)
    assert address == "/drum/fail", (address, args)
    return args


def status(client: Client) -> dict[str, Any]:
    address, args = client.ask("/drum/status")
    assert address == "/drum/status"
    return dict(zip(args[::2], args[1::2], strict=True))


def latent(client: Client, slot: Any) -> tuple[str, np.ndarray]:
    address, args = client.ask("/drum/latent", slot)
    assert address == "/drum/latent" and args[0] == slot
    return args[1], np.array(args[2:], dtype=np.float64)


# addresses ---------------------------------------------------------------------------------------


def test_ping(client: Client) -> None:
    assert client.ask("/drum/ping") == ("/drum/pong", [])


def test_info(client: Client, fake_server: Running) -> None:
    address, args = client.ask("/drum/info")
    assert address == "/drum/info"
    info = dict(zip(args[::2], args[1::2], strict=True))
    assert info["model"] == "fake" and info["sr"] == 16000 and info["frames"] == 1024
    assert info["classes"] == "kick snare hat" and info["pca"] == 4
    assert info["device"] == "cpu" and info["port"] == fake_server.port
    assert {"version", "format"} <= set(info)


def test_seed_writes_the_file_and_alternates(client: Client, fake_server: Running) -> None:
    first = done(client, "/drum/seed", 1, 3)
    assert first[1] == 1  # numeric slots come back as ints (buffer numbers)
    path = Path(first[2])
    assert path == fake_server.out.resolve() / "1-a.wav"
    assert first[3:5] == [1024, 16000] and 0 < first[5] < 1000
    audio, sr = sf.read(str(path), dtype="float32")
    assert sr == 16000 and audio.shape == (1024,) and sf.info(str(path)).subtype == "FLOAT"
    second = done(client, "/drum/seed", 1.0, 3.0, "kick", 1.0)  # Pd sends floats
    assert Path(second[2]).name == "1-b.wav"
    np.testing.assert_array_equal(sf.read(second[2], dtype="float32")[0], audio)
    assert Path(done(client, "/drum/seed", "1", 4)[2]).name == "1-a.wav"


def test_seed_class_and_psi(client: Client) -> None:
    done(client, "/drum/seed", "s", 9, "hat", 0.0)
    cls, coords = latent(client, "s")
    assert cls == "hat"
    np.testing.assert_allclose(coords, 0.0, atol=1e-4)  # psi 0: the class mean
    done(client, "/drum/seed", "s", 9, 2.0)  # a class index, as a Pd number
    assert latent(client, "s")[0] == "hat"


def test_random_answers_a_seed_that_recalls_it(client: Client) -> None:
    args = done(client, "/drum/random", "r", "snare")
    seed = args[6]
    assert isinstance(seed, int) and 0 <= seed < 2**24
    _, coords = latent(client, "r")
    done(client, "/drum/seed", "r2", float(seed), "snare")
    np.testing.assert_allclose(latent(client, "r2")[1], coords, atol=1e-4)


def test_pca_moves_around_the_base(client: Client) -> None:
    done(client, "/drum/seed", "p", 5, "kick")
    _, base = latent(client, "p")
    done(client, "/drum/pca", "p", 1.0, -2)
    _, moved = latent(client, "p")
    np.testing.assert_allclose(moved - base, [1, -2, 0, 0], atol=1e-3)
    done(client, "/drum/pca", "p", 0.5)  # around the base again, not the last point
    np.testing.assert_allclose(latent(client, "p")[1] - base, [0.5, 0, 0, 0], atol=1e-3)
    done(client, "/drum/pca", "p")
    np.testing.assert_allclose(latent(client, "p")[1], base, atol=1e-3)


def test_morph(client: Client) -> None:
    done(client, "/drum/seed", "ma", 1, "kick")
    done(client, "/drum/seed", "mb", 2, "kick")
    done(client, "/drum/morph", "mm", "ma", "mb", 0.25)
    a, b, m = (latent(client, s)[1] for s in ("ma", "mb", "mm"))
    np.testing.assert_allclose(m, 0.75 * a + 0.25 * b, atol=1e-3)
    done(client, "/drum/morph", "mm", "ma", "mb", 1)  # an int where a float is wanted
    np.testing.assert_allclose(latent(client, "mm")[1], b, atol=1e-3)


def test_path(client: Client) -> None:
    done(client, "/drum/seed", "pa", 1)
    done(client, "/drum/seed", "pb", 2, "hat")
    args = done(client, "/drum/path", "pp", "pa", "pb", 6.0, "slerp")
    assert args[3] == 6 * 1024 and args[6:] == [6, 1024]
    assert sf.info(args[2]).frames == 6 * 1024
    assert latent(client, "pp")[0] == "hat"


def test_invert(client: Client, tmp_path: Path) -> None:
    wav = tmp_path / "hit.wav"
    sf.write(str(wav), np.linspace(0, 1, 4000, dtype=np.float32), 44100)
    args = done(client, "/drum/invert", "inv", str(wav), 10)
    assert args[6] in FakeEngine.classes
    assert latent(client, "inv")[0] == args[6]


def write_break(tmp_path: Path) -> Path:
    from tests.helpers import synthetic_break

    wav = tmp_path / "amen.wav"
    sf.write(str(wav), synthetic_break(np.random.default_rng(0)), 44100)
    return wav


def test_break_fills_the_loop_slot_and_one_slot_per_hit(
    client: Client, fake_server: Running, tmp_path: Path
) -> None:
    from tests.helpers import BREAK_STARTS

    args = done(client, "/drum/break", 5, str(write_break(tmp_path)))
    hits = len(BREAK_STARTS)
    assert args[1] == 5 and args[6] == hits and Path(args[7]).name == "5"
    assert args[3] == 2 * FakeEngine.sample_rate == sf.info(args[2]).frames  # the break's length
    for i in range(hits):
        cls, _ = latent(client, f"5-{i}")
        assert cls in FakeEngine.classes
        assert list(fake_server.out.glob(f"5-{i}-[ab].wav"))
    assert fail(client, "/drum/latent", f"5-{hits}")[2].startswith(f"slot 5-{hits} is empty")
    done(client, "/drum/morph", "bm", "5-0", "5-3", 0.5)


def test_break_fails_clearly(client: Client, tmp_path: Path) -> None:
    silence = tmp_path / "silence.wav"
    sf.write(str(silence), np.zeros(44100, np.float32), 44100)
    assert fail(client, "/drum/break", "s", str(silence)) == ["/drum/break", "s", "silent input"]
    assert fail(client, "/drum/break", "s", str(tmp_path / "none.wav"))[2] == (
        "not a readable audio file: none.wav"
    )
    wav = str(write_break(tmp_path))
    reason = fail(client, "/drum/break", "x" * 63, wav)[2]  # "x...x-0" would be 65 characters
    assert reason.startswith("slot name too long for the hit slots")
    assert done(client, "/drum/break", "y" * 62, wav)[6] == 9  # "y...y-8": 64 characters
    assert latent(client, "y" * 62 + "-8")[0] in FakeEngine.classes


def test_latent_of_unknown_slot(client: Client) -> None:
    assert fail(client, "/drum/latent", "never") == [
        "/drum/latent",
        "never",
        "slot never is empty; fill it first with /drum/seed, /drum/random or /drum/invert",
    ]


def test_status_counts(client: Client) -> None:
    before = status(client)
    done(client, "/drum/seed", "st", 1)
    fail(client, "/drum/seed", "st", 1.5)
    after = status(client)
    assert after["requests"] - before["requests"] == 3
    assert after["done"] - before["done"] == 1
    assert after["failed"] - before["failed"] == 1
    assert after["queue"] == 0 and after["uptime"] > 0
    assert 0 < after["median"] <= after["p99"]


def test_reply_redirects_to_another_port(fake_server: Running) -> None:
    sender = Client(fake_server.port)
    listener = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    listener.bind(("127.0.0.1", 0))
    listener.settimeout(5)
    try:
        sender.send("/drum/reply", listener.getsockname()[1])
        msg = OscMessage(listener.recv(4096))
        assert (msg.address, msg.params) == (
            "/drum/reply",
            ["127.0.0.1", listener.getsockname()[1]],
        )
        sender.send("/drum/ping")
        assert OscMessage(listener.recv(4096)).address == "/drum/pong"
        sender.send("/drum/seed", "redir", 1)
        assert OscMessage(listener.recv(4096)).address == "/drum/done"
        assert sender.drain() == []  # nothing comes back to the sending socket
        sender.send("/drum/reply", "localhost", float(sender.port))
        assert sender.recv()[0] == "/drum/reply"
        assert sender.ask("/drum/ping")[0] == "/drum/pong"
    finally:
        sender.close()
        listener.close()


# failures ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("request_", "expected"),
    [
        (("/drum/bogus", 1), ["/drum/bogus", "", "unknown address /drum/bogus"]),
        (("/drum/seed", "f"), ["/drum/seed", "f", "seed missing"]),
        (("/drum/ping", 1), ["/drum/ping", "", "too many arguments"]),
        (("/drum/seed", "f", "one"), ["/drum/seed", "f", "seed must be a number"]),
        (("/drum/seed", "f", 3.5), ["/drum/seed", "f", "seed must be a whole number"]),
        (("/drum/morph", "f", "a", "b", 2.0), ["/drum/morph", "f", "t must be between 0 and 1"]),
        (("/drum/seed", "f", 1, "kick", math.nan), ["/drum/seed", "f", "psi must be a finite"]),
        (("/drum/seed", "f", 1, "cowbell"), ["/drum/seed", "f", "unknown class 'cowbell'"]),
        (("/drum/seed", "a b", 1), ["/drum/seed", "", "slot must be a number >= 0 or a name"]),
        (("/drum/seed", -2, 1), ["/drum/seed", "", "slot must be a number >= 0"]),
        (("/drum/pca", "nobody", 1.0), ["/drum/pca", "nobody", "slot nobody is empty"]),
        (("/drum/morph", "f", "nobody", "x", 0.5), ["/drum/morph", "f", "slot nobody is empty"]),
        (("/drum/path", "f", "nobody", "x", 4), ["/drum/path", "f", "slot nobody is empty"]),
        (("/drum/pca", 1, 1, 2, 3, 4, 5), ["/drum/pca", 1, "this model has 4 principal axes"]),
        (("/drum/invert", "f", "/no/such/file.wav"), ["/drum/invert", "f", "not a readable"]),
    ],
)
def test_failure_kinds(client: Client, request_: tuple[Any, ...], expected: list[Any]) -> None:
    args = fail(client, *request_)
    assert args[:2] == expected[:2]
    assert expected[2] in args[2]


def test_unreadable_file(client: Client, tmp_path: Path) -> None:
    junk = tmp_path / "junk.wav"
    junk.write_bytes(b"this is not audio" * 10)
    assert fail(client, "/drum/invert", "j", str(junk)) == [
        "/drum/invert",
        "j",
        "not a readable audio file: junk.wav",
    ]


def test_busy_when_the_queue_is_full(tmp_path: Path) -> None:
    server, thread = start_server(
        Config(port=0, out=tmp_path, engine=FakeEngine(delay=0.2), queue_size=2)
    )
    client = Client(server.transport.address[1])
    try:
        client.send("/drum/seed", 0, 1)
        time.sleep(0.05)  # the worker takes it
        for slot in range(1, 5):  # two queued, two refused
            client.send("/drum/seed", slot, 1)
        replies = [client.recv(5) for _ in range(5)]
        fails = [args for address, args in replies if address == "/drum/fail"]
        assert sorted(f[1] for f in fails) == [3, 4]
        assert all(f[2] == "busy" for f in fails)
        assert sum(address == "/drum/done" for address, _ in replies) == 3
    finally:
        client.close()
        server.stop()
        thread.join(5)


def test_malformed_datagram_is_logged_and_the_server_goes_on(
    client: Client, fake_server: Running, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="oscserver.server.transport"):
        client.udp._sock.sendto(b"not osc at all", ("127.0.0.1", fake_server.port))
        assert client.ask("/drum/ping")[0] == "/drum/pong"
    assert any("malformed datagram" in r.getMessage() for r in caplog.records)


def test_replies_stay_small(client: Client) -> None:
    done(client, "/drum/seed", "x" * 64, 1)
    dgram = client.udp
    dgram.send_message("/drum/latent", ["x" * 64])
    raw = dgram.receive(5)
    assert 0 < len(raw) < MAX_REPLY_BYTES


# concurrency -------------------------------------------------------------------------------------


def test_bundle_with_a_future_timetag_is_handled_at_once(
    client: Client, fake_server: Running
) -> None:
    bundle = OscBundleBuilder(time.time() + 30.0)  # python-osc's timetag: seconds since 1970
    for address, args in [("/drum/seed", ["b1", 1]), ("/drum/seed", ["b2", 2]), ("/drum/ping", [])]:
        msg = OscMessageBuilder(address)
        for a in args:
            msg.add_arg(a)
        bundle.add_content(msg.build())
    start = time.perf_counter()
    client.udp.send(bundle.build())
    replies = [client.recv(2) for _ in range(3)]
    assert time.perf_counter() - start < 2.0
    assert sorted(r[0] for r in replies) == ["/drum/done", "/drum/done", "/drum/pong"]
    assert {r[1][1] for r in replies if r[0] == "/drum/done"} == {"b1", "b2"}


def test_burst_of_morphs_coalesces_to_the_last_state(client: Client) -> None:
    done(client, "/drum/seed", "ca", 1)
    done(client, "/drum/seed", "cb", 2, "snare")
    before = status(client)
    n = 500
    for t in np.linspace(0.0, 1.0, n):
        client.send("/drum/morph", "cm", "ca", "cb", float(t))
    replies = [client.recv(5)]
    while more := client.drain(0.5):  # until the worker falls silent
        replies += more
    assert {address for address, _ in replies} == {"/drum/done"}
    after = status(client)
    assert after["queue"] == 0
    morphs = after["done"] - before["done"]
    assert 1 <= morphs < n
    assert after["coalesced"] - before["coalesced"] == n - morphs
    np.testing.assert_allclose(latent(client, "cm")[1], latent(client, "cb")[1], atol=1e-3)


def test_no_partial_file_is_ever_visible(client: Client, fake_server: Running) -> None:
    stop = threading.Event()
    seen: list[int] = []
    errors: list[str] = []

    def poll() -> None:
        while not stop.is_set():
            for path in fake_server.out.glob("poll-*.wav"):
                try:
                    frames = sf.info(str(path)).frames
                    audio, _ = sf.read(str(path), dtype="float32")
                except FileNotFoundError:
                    continue
                except Exception as err:  # a half-written file
                    errors.append(f"{path.name}: {err}")
                    continue
                seen.append(frames)
                if audio.shape[0] != 1024:
                    errors.append(f"{path.name}: {audio.shape[0]} frames")

    poller = threading.Thread(target=poll)
    poller.start()
    try:
        for seed in range(40):
            done(client, "/drum/seed", "poll", seed)
    finally:
        stop.set()
        poller.join(5)
    assert errors == []
    assert seen and set(seen) == {1024}
    names = sorted(
        p.name for p in fake_server.out.iterdir() if p.name.startswith(("poll", ".poll"))
    )
    assert names == ["poll-a.wav", "poll-b.wav"]


def test_shutdown_fails_queued_requests_and_leaves_no_temporaries(tmp_path: Path) -> None:
    server, thread = start_server(
        Config(port=0, out=tmp_path, engine=FakeEngine(delay=0.3), queue_size=8)
    )
    client = Client(server.transport.address[1])
    try:
        client.send("/drum/seed", 0, 1)
        time.sleep(0.05)  # 0 in flight; 1 and 2 queued behind it (else one batch of three)
        for slot in (1, 2):
            client.send("/drum/seed", slot, 1)
        time.sleep(0.05)
        server.stop()
        thread.join(5)
        replies = client.drain(0.5)
        assert [a for a, _ in replies].count("/drum/done") == 1  # the one in progress finishes
        fails = [args for a, args in replies if a == "/drum/fail"]
        assert [f[2] for f in fails] == ["server is shutting down"] * 2
        assert sorted(p.name for p in tmp_path.iterdir()) == ["0-a.wav"]
    finally:
        client.close()


def test_a_taken_port_stops_the_start_with_a_clear_error(tmp_path: Path) -> None:
    taken = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    taken.bind(("127.0.0.1", 0))
    try:
        config = Config(port=taken.getsockname()[1], out=tmp_path, engine=FakeEngine())
        with pytest.raises(StartupError, match="cannot listen on udp://127.0.0.1:"):
            Server(config).run()
    finally:
        taken.close()
