"""Issue 9's faults, each a named regression test over real loopback UDP (numpy stand-in engine):
hostile datagrams, reply loops, bad slot names, broken output folders, unbounded files and work,
disk growth, amplification, log floods, shutdown and a shared output folder.
"""

from __future__ import annotations

import logging
import os
import shutil
import signal
import socket
import struct
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import soundfile as sf
from click.testing import CliRunner
from oschelpers import Client, FakeEngine, start_server
from pythonosc.osc_message_builder import OscMessageBuilder

from oscserver import cli
from oscserver.limits import FAIL_BURST, MAX_BUNDLE_MESSAGES
from oscserver.server.app import Config, Server, StartupError

HERE = Path(__file__).resolve().parent


def message(address: str, *args: Any) -> bytes:
    builder = OscMessageBuilder(address)
    for a in args:
        builder.add_arg(a)
    return builder.build().dgram


def bundle(*elements: bytes) -> bytes:
    body = b"".join(struct.pack(">i", len(e)) + e for e in elements)
    return b"#bundle\x00" + struct.pack(">Q", 1) + body


def status(client: Client) -> dict[str, Any]:
    address, args = client.ask("/drum/status")
    assert address == "/drum/status"
    return dict(zip(args[::2], args[1::2], strict=True))


class Served:
    """A server on its own output folder, with a client."""

    def __init__(self, out: Path, **config: Any) -> None:
        engine = config.pop("engine", None) or FakeEngine()
        self.out = out
        self.server, self.thread = start_server(Config(port=0, out=out, engine=engine, **config))
        self.port = self.server.transport.address[1]
        self.client = Client(self.port)

    def raw(self, dgram: bytes) -> None:
        self.client.udp._sock.sendto(dgram, ("127.0.0.1", self.port))

    def close(self) -> None:
        self.client.close()
        self.server.stop()
        self.thread.join(10)


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Served]:
    s = Served(tmp_path / "out")
    yield s
    s.close()


def readonly_folder(tmp_path: Path) -> Path:
    """A folder this process cannot write (root writes anywhere chmod allows nothing)."""
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o555)
    probe = ro / "probe"
    try:
        probe.write_bytes(b"")
    except OSError:
        return ro
    probe.unlink()
    for candidate in (Path("/sys/kernel"), Path("/proc/sys")):
        try:
            (candidate / "drumsynth-probe").write_bytes(b"")
        except OSError:
            return candidate
    pytest.skip("no folder here refuses writes")


# the wire -------------------------------------------------------------------------------------


def test_bundle_nested_600_deep_is_dropped_and_the_server_lives(served: Served) -> None:
    dgram = message("/drum/ping")
    for _ in range(600):
        dgram = bundle(dgram)
    assert len(dgram) < 20000
    before = status(served.client)["malformed"]
    served.raw(dgram)
    assert served.client.ask("/drum/ping") == ("/drum/pong", [])  # no pong from the bundle
    assert status(served.client)["malformed"] == before + 1
    eight = message("/drum/ping")
    for _ in range(8):
        eight = bundle(eight)
    served.raw(eight)  # 8 deep is allowed
    assert served.client.recv() == ("/drum/pong", [])


def test_element_size_minus_4_neither_hangs_nor_blocks_shutdown(tmp_path: Path) -> None:
    s = Served(tmp_path / "out")
    try:
        before = status(s.client)["malformed"]
        s.raw(b"#bundle\x00" + struct.pack(">Q", 1) + struct.pack(">i", -4) + b"\x00" * 4)
        s.raw(bundle(message("/drum/ping"))[:-4] + struct.pack(">i", 400))  # size past the end
        assert s.client.ask("/drum/ping", timeout=2) == ("/drum/pong", [])
        assert status(s.client)["malformed"] == before + 2
    finally:
        start = time.perf_counter()
        s.close()
        assert not s.thread.is_alive() and time.perf_counter() - start < 3


def test_log_flood_of_65000_type_tags_is_one_throttled_line(
    served: Served, caplog: pytest.LogCaptureFixture
) -> None:
    tags = b"," + b"x" * 65000
    dgram = b"/drum/seed\x00\x00" + tags + b"\x00" * (4 - len(tags) % 4)
    with caplog.at_level(logging.WARNING, logger="oscserver"):
        served.raw(dgram)
        for _ in range(500):
            served.raw(b"not osc")
        assert served.client.ask("/drum/ping") == ("/drum/pong", [])
    lines = [r for r in caplog.records if r.name.startswith("oscserver")]
    assert 1 <= len(lines) <= 2, [r.getMessage()[:100] for r in lines]
    assert status(served.client)["malformed"] >= 501


# reply loops and amplification ----------------------------------------------------------------


def test_reply_to_the_servers_own_port_is_refused(served: Served) -> None:
    for request in [("/drum/reply", served.port), ("/drum/reply", "127.0.0.1", served.port),
                    ("/drum/reply", "localhost", served.port)]:  # fmt: skip
        address, args = served.client.ask(*request)
        assert (address, args[2]) == ("/drum/fail", "reply address is this server's own")
    address, args = served.client.ask("/drum/reply", "8.8.8.8", 9000)
    assert address == "/drum/fail" and "not allowed" in args[2]
    assert served.client.ask("/drum/ping") == ("/drum/pong", [])
    assert status(served.client)["requests"] < 20  # nothing answered itself


def test_reply_targets_are_remembered_for_a_bounded_number_of_senders(served: Served) -> None:
    from oscserver.limits import MAX_TRACKED_HOSTS

    transport = served.server.transport
    for port in range(1, MAX_TRACKED_HOSTS + 101):
        transport.set_reply_address(("127.0.0.1", port), ("127.0.0.1", 9))
    assert transport.reply_address(("127.0.0.1", 1)) == ("127.0.0.1", 1)  # forgotten
    assert transport.reply_address(("127.0.0.1", MAX_TRACKED_HOSTS + 100))[1] == 9


def test_reply_addresses_are_never_answered(served: Served) -> None:
    before = status(served.client)["ignored"]
    for address in ("/drum/done", "/drum/fail", "/drum/pong", "/drum/cancelled"):
        served.client.send(address, "x", 1)
    assert served.client.drain(0.3) == []
    assert status(served.client)["ignored"] == before + 4


def test_two_servers_cannot_ping_pong(tmp_path: Path) -> None:
    a, b = Served(tmp_path / "a"), Served(tmp_path / "b")
    try:
        # a client makes a send its replies to b; b answers a's replies with fails, a drops them
        a.client.send("/drum/reply", b.port)
        a.client.send("/drum/bogus")
        time.sleep(0.5)
        other = Client(a.port)
        sa, sb = status(other), status(b.client)
        other.close()
        assert sa["requests"] <= 3 and sb["requests"] <= 3
        assert sa["ignored"] + sb["ignored"] >= 1
    finally:
        a.close()
        b.close()


def test_a_bundle_of_unknown_addresses_gets_a_bounded_number_of_replies(served: Served) -> None:
    served.raw(bundle(*[message("/x")] * MAX_BUNDLE_MESSAGES))
    replies = served.client.drain(0.5)
    assert len(replies) == FAIL_BURST and {a for a, _ in replies} == {"/drum/fail"}
    assert status(served.client)["throttled"] == MAX_BUNDLE_MESSAGES - FAIL_BURST
    served.raw(bundle(*[message("/x")] * (MAX_BUNDLE_MESSAGES + 1)))  # past the bound: dropped
    assert served.client.drain(0.3) == []


def test_datagrams_from_hosts_not_allowed_are_dropped(served: Served) -> None:
    transport = served.server.transport
    transport.handle_datagram(message("/drum/ping"), ("10.1.2.3", 4000), time.perf_counter())
    assert status(served.client)["dropped"] == 1


# slots and disk -------------------------------------------------------------------------------


def test_slot_named_kick_newline_is_refused(served: Served) -> None:
    address, args = served.client.ask("/drum/seed", "kick\n", 1)
    assert address == "/drum/fail" and args[1] == "" and "slot must be" in args[2]
    assert served.client.ask("/drum/seed", "kick", 1)[0] == "/drum/done"
    assert all("\n" not in p.name for p in served.out.iterdir())


def test_a_numeric_slot_past_int32_comes_back_as_its_name(served: Served) -> None:
    big = "9" * 30  # found by the fuzz test: the reply could not be encoded
    assert served.client.ask("/drum/seed", big, 1)[1][:2] == ["/drum/seed", big]
    assert served.client.ask("/drum/seed", big, 1.5)[1][:2] == ["/drum/seed", big]


def test_slot_limit_evicts_the_least_recently_used_with_its_files(tmp_path: Path) -> None:
    s = Served(tmp_path / "out", max_slots=3)
    try:
        for slot in ("a", "b", "c", "d", "e"):
            assert s.client.ask("/drum/seed", slot, 1)[0] == "/drum/done"
        assert sorted(p.name for p in s.out.glob("*.wav")) == ["c-a.wav", "d-a.wav", "e-a.wav"]
        st = status(s.client)
        assert (st["slots"], st["evicted"]) == (3, 2)
        assert s.client.ask("/drum/latent", "a")[1][2].startswith("slot a is empty")
    finally:
        s.close()


def test_disk_full_fails_with_a_reason(tmp_path: Path) -> None:
    s = Served(tmp_path / "out", min_free=2**62)
    try:
        address, args = s.client.ask("/drum/seed", "k", 1)
        assert address == "/drum/fail" and args[2].startswith("disk full")
        assert s.client.ask("/drum/ping")[0] == "/drum/pong"
    finally:
        s.close()


# the output folder ----------------------------------------------------------------------------


def test_read_only_out_stops_the_start_before_the_model_loads(tmp_path: Path) -> None:
    ro = readonly_folder(tmp_path)
    config = Config(port=0, out=ro, model=tmp_path / "no-model")  # a model load would fail too
    with pytest.raises(StartupError, match="^output folder not writable: "):
        Server(config).run()
    result = CliRunner().invoke(cli.main, ["serve", "--port", "0", "--out", str(ro)])
    assert result.exit_code == 1
    assert result.output.startswith("Error: output folder not writable")
    assert len(result.output.strip().splitlines()) == 1


def test_a_taken_port_stops_the_start_before_the_model_loads(tmp_path: Path) -> None:
    taken = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    taken.bind(("127.0.0.1", 0))
    try:
        config = Config(port=taken.getsockname()[1], out=tmp_path, model=tmp_path / "no-model")
        with pytest.raises(StartupError, match="^cannot listen on udp://127.0.0.1:"):
            Server(config).run()
    finally:
        taken.close()


def test_deleted_out_is_recreated_and_a_broken_one_recovers(served: Served) -> None:
    assert served.client.ask("/drum/seed", "k", 1)[0] == "/drum/done"
    shutil.rmtree(served.out)
    args = served.client.ask("/drum/seed", "k", 2)[1]
    assert Path(args[2]).is_file() and Path(args[2]).parent == served.out.resolve()
    shutil.rmtree(served.out)
    served.out.write_bytes(b"")  # a file where the folder was: nothing can be made there
    address, args = served.client.ask("/drum/seed", "k", 3)
    assert address == "/drum/fail" and args[2].startswith(
        f"output folder not writable: {served.out}"
    )
    served.out.unlink()
    assert served.client.ask("/drum/seed", "k", 4)[0] == "/drum/done"  # no restart


def test_second_server_on_the_same_out_refuses_and_spares_the_first(tmp_path: Path) -> None:
    first = Served(tmp_path / "out")
    try:
        temp = first.out / ".k-a.abc123.tmp"  # as if the first were writing it now
        temp.write_bytes(b"x")
        with pytest.raises(StartupError, match="^another drumsynth server .* uses the output"):
            Server(Config(port=0, out=tmp_path / "out", engine=FakeEngine())).run()
        assert temp.exists()
        assert first.client.ask("/drum/seed", "k", 1)[0] == "/drum/done"
    finally:
        first.close()
    assert not (tmp_path / "out" / ".drumsynth.lock").exists()


# exposure -------------------------------------------------------------------------------------


def test_binding_beyond_loopback_needs_allow_and_allow_read(tmp_path: Path) -> None:
    with pytest.raises(StartupError, match="^refusing to listen on 0.0.0.0 without --allow"):
        Server(Config(host="0.0.0.0", port=0, out=tmp_path, engine=FakeEngine())).run()
    config = Config(
        host="0.0.0.0", port=0, out=tmp_path, engine=FakeEngine(), allow=("10.0.0.0/8",)
    )
    with pytest.raises(StartupError, match="needs --allow-read DIR"):
        Server(config).run()
    with pytest.raises(StartupError, match="not an address or CIDR"):
        Server(Config(port=0, out=tmp_path, engine=FakeEngine(), allow=("nonsense",))).run()


def test_binding_beyond_loopback_with_allow_warns(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    config = Config(host="0.0.0.0", port=0, out=tmp_path / "out", engine=FakeEngine(),
                    allow=("10.0.0.0/8",), allow_read=(tmp_path,))  # fmt: skip
    with caplog.at_level(logging.WARNING, logger="oscserver.server.app"):
        server, thread = start_server(config)
        server.stop()
        thread.join(5)
    assert any("listening on 0.0.0.0" in r.getMessage() for r in caplog.records)


# files ----------------------------------------------------------------------------------------


def test_files_that_cannot_be_read_share_one_reason(served: Served, tmp_path: Path) -> None:
    fifo = tmp_path / "fifo.wav"
    os.mkfifo(fifo)
    (tmp_path / "folder.wav").mkdir()
    junk = tmp_path / "junk.wav"
    junk.write_bytes(b"not audio" * 20)
    for path in (fifo, tmp_path / "folder.wav", tmp_path / "missing.wav", junk):
        address, args = served.client.ask("/drum/invert", "f", str(path), timeout=3)
        assert (address, args[2]) == ("/drum/fail", f"not a readable audio file: {path.name}")


def test_huge_and_long_files_are_refused_from_the_header(served: Served, tmp_path: Path) -> None:
    huge = tmp_path / "huge.wav"
    with open(huge, "wb") as f:
        f.truncate(101 * 1000 * 1000)  # sparse: 101 MB that costs nothing
    args = served.client.ask("/drum/break", "h", str(huge), timeout=3)[1]
    assert args[2] == "file too big: huge.wav has 101.0 MB, at most 100 MB"
    long = tmp_path / "long.wav"
    sf.write(str(long), np.zeros(61 * 8000, np.int16), 8000, subtype="PCM_16")
    args = served.client.ask("/drum/invert", "l", str(long), timeout=3)[1]
    assert args[2] == "audio too long: long.wav lasts 61.0 s, at most 60 s"


def test_silent_or_empty_input_is_a_fail(served: Served, tmp_path: Path) -> None:
    silence, empty = tmp_path / "silence.wav", tmp_path / "empty.wav"
    sf.write(str(silence), np.zeros(8000, np.float32), 8000)
    sf.write(str(empty), np.zeros(0, np.float32), 8000)
    for cmd in ("/drum/invert", "/drum/break"):
        for path in (silence, empty):
            assert served.client.ask(cmd, "s", str(path))[1][2] == "silent input"


def test_allow_read_keeps_requests_inside_its_folders(tmp_path: Path) -> None:
    inside, outside = tmp_path / "samples", tmp_path / "elsewhere"
    inside.mkdir()
    outside.mkdir()
    for folder in (inside, outside):
        sf.write(str(folder / "hit.wav"), np.linspace(0, 1, 4000, dtype=np.float32), 44100)
    (inside / "link.wav").symlink_to(outside / "hit.wav")
    s = Served(tmp_path / "out", allow_read=(inside,))
    try:
        assert s.client.ask("/drum/invert", "i", str(inside / "hit.wav"))[0] == "/drum/done"
        for path in (
            outside / "hit.wav",
            inside / "link.wav",
            inside / ".." / "elsewhere" / "hit.wav",
        ):
            args = s.client.ask("/drum/invert", "o", str(path))[1]
            assert args[2] == f"not a readable audio file: {path.name}"
    finally:
        s.close()


# work -----------------------------------------------------------------------------------------


def write_break(tmp_path: Path) -> Path:
    from tests.helpers import synthetic_break

    wav = tmp_path / "amen.wav"
    sf.write(str(wav), synthetic_break(np.random.default_rng(0)), 44100)
    return wav


def test_cancel_stops_a_break_between_hits_and_drops_queued_work(tmp_path: Path) -> None:
    s = Served(tmp_path / "out", engine=FakeEngine(refine_delay=0.3))
    try:
        wav = write_break(tmp_path)
        s.client.send("/drum/break", "amen", str(wav), 10)  # 9 hits x 0.3 s
        time.sleep(0.5)
        start = time.perf_counter()
        replies = [s.client.ask("/drum/cancel", "amen"), s.client.recv(3)]
        assert time.perf_counter() - start < 1.5
        assert ("/drum/cancelled", ["amen", 1]) in replies
        assert ("/drum/fail", ["/drum/break", "amen", "cancelled"]) in replies
        assert s.client.ask("/drum/cancel", "amen") == ("/drum/cancelled", ["amen", 0])
        assert not list(s.out.glob("amen*"))
    finally:
        s.close()


def test_cancel_stops_an_inversion_during_its_refinement(tmp_path: Path) -> None:
    s = Served(tmp_path / "out", engine=FakeEngine(refine_delay=3.0))
    try:
        wav = tmp_path / "hit.wav"
        sf.write(str(wav), np.linspace(0, 1, 4000, dtype=np.float32), 44100)
        s.client.send("/drum/invert", "inv", str(wav), 50)
        time.sleep(0.5)
        start = time.perf_counter()
        replies = [s.client.ask("/drum/cancel", "inv"), s.client.recv(3)]
        assert time.perf_counter() - start < 1.0  # not the 2.5 s the refinement had left
        assert ("/drum/fail", ["/drum/invert", "inv", "cancelled"]) in replies
    finally:
        s.close()


def test_a_long_break_stops_at_its_deadline(tmp_path: Path) -> None:
    s = Served(tmp_path / "out", engine=FakeEngine(refine_delay=0.3), deadline=0.5)
    try:
        address, args = s.client.ask("/drum/break", "amen", str(write_break(tmp_path)), 10)
        assert (address, args[2]) == ("/drum/fail", "deadline exceeded (0.5 s)")
    finally:
        s.close()


# logs -----------------------------------------------------------------------------------------


def test_debug_logs_one_line_per_request(served: Served, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.DEBUG, logger="oscserver.server.app"):
        served.client.ask("/drum/seed", "dbg", 1)
        served.client.ask("/drum/seed", "dbg", 1.5)
        served.client.ask("/drum/ping")
        served.client.ask("/drum/status")  # the receive thread logged the ping before this
    lines = [r.getMessage() for r in caplog.records if r.name == "oscserver.server.app"]
    assert any(line.startswith("/drum/seed dbg ") and line.endswith(" ms done") for line in lines)
    assert any(
        line.startswith("/drum/seed dbg ") and "ms fail: seed must be" in line for line in lines
    )
    assert any(line.startswith("/drum/ping - ") for line in lines)


# shutdown -------------------------------------------------------------------------------------

_SERVE = """
import sys, threading
from pathlib import Path
sys.path.insert(0, {here!r})
from oschelpers import FakeEngine
from oscserver.server.app import Config, Server
server = Server(Config(port=0, out=Path(sys.argv[1]), engine=FakeEngine(delay=float(sys.argv[2]))))
def announce():
    server.ready.wait()
    print(server.transport.address[1], flush=True)
threading.Thread(target=announce, daemon=True).start()
server.run()
"""


def serve_process(out: Path, delay: float) -> tuple[subprocess.Popen[str], Client]:
    proc = subprocess.Popen(
        [sys.executable, "-c", _SERVE.format(here=str(HERE)), str(out), str(delay)],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )  # fmt: skip
    assert proc.stdout is not None
    return proc, Client(int(proc.stdout.readline()))


def test_shutdown_abandons_a_long_render_within_2_s(tmp_path: Path) -> None:
    proc, client = serve_process(tmp_path / "out", delay=30.0)
    try:
        client.send("/drum/seed", "slow", 1)
        time.sleep(0.3)
        start = time.perf_counter()
        proc.send_signal(signal.SIGINT)
        assert proc.wait(10) == 0
        assert time.perf_counter() - start < 3.5
        assert [p.name for p in (tmp_path / "out").iterdir()] == []  # no temporaries, no lock
    finally:
        client.close()
        proc.kill()


def test_a_second_signal_exits_at_once(tmp_path: Path) -> None:
    proc, client = serve_process(tmp_path / "out", delay=30.0)
    try:
        client.send("/drum/seed", "slow", 1)
        time.sleep(0.3)
        proc.send_signal(signal.SIGINT)
        time.sleep(0.1)
        start = time.perf_counter()
        proc.send_signal(signal.SIGINT)
        assert proc.wait(5) == 128 + signal.SIGINT
        assert time.perf_counter() - start < 1.0
        assert not list((tmp_path / "out").glob(".*.tmp"))
    finally:
        client.close()
        proc.kill()


def test_a_reply_echoing_a_nul_or_a_surrogate_still_parses():
    """A slot name with NUL in it, echoed by /drum/fail, must not break the reply apart."""
    from pythonosc.osc_message import OscMessage

    from oscserver.server.transport import encode

    msg = OscMessage(encode("/drum/fail", ["/drum/seed", "a\x00b", "\udc80x", 3]))
    assert msg.address == "/drum/fail"
    assert list(msg.params) == ["/drum/seed", "a\ufffdb", "?x", 3]
