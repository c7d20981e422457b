"""Property-based fuzzing of the server over real UDP (hypothesis, numpy stand-in engine).

Datagrams come in four kinds: requests of the address table with argument lists built from each
argument's kind (edge values, wrong types, hostile strings), messages to any address with any
OSC values, bundles of those nested at random, and mutations of all of them (bytes flipped, cut
short, size fields overwritten). Hypothesis is derandomized: the same cases on every run.

After every batch the server must still answer `/drum/ping`; at the end no file may lie outside
`--out` and at least MIN_CASES datagrams must have been sent.
"""

from __future__ import annotations

import os
import socket
import struct
import threading
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import soundfile as sf
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from oschelpers import Client, FakeEngine, start_server
from pythonosc.osc_message_builder import OscMessageBuilder

from oscserver.server.app import Config
from oscserver.server.protocol import NEVER_ANSWERED, TABLE, Arg

MIN_CASES = 20_000
BATCHES = 900  # hypothesis examples: a batch of datagrams each
MUTANTS = 4  # cheap byte-level variants sent after each generated datagram

HOSTILE = ["kick\n", "../x", "a/b", "", "x" * 65, "/etc/passwd", "~/x.wav", "/dev/zero",
           "/proc/self/status", ".", "..", "\x00", "lin", "slerp", "snare", "kick", "7", "-1",
           "nan", "é", "a b", "/drum/ping", "#bundle"]  # fmt: skip

_values = st.one_of(
    st.integers(-(2**31), 2**31 - 1),
    st.integers(-(2**63), 2**63 - 1).map(lambda v: ("h", v)),
    st.floats(width=32),
    st.floats().map(lambda v: ("d", v)),
    # python-osc's builder re-parses what it built, and a NUL inside a string splits it there
    # (the rest then fails to decode): NULs come from the blobs, '\x00' and the mutations.
    st.text(max_size=24).map(lambda s: s.replace("\x00", "")),
    st.sampled_from(HOSTILE),
    st.binary(min_size=1, max_size=24),
    st.booleans(),
    st.none(),
)


def _encode(address: str, args: list[Any]) -> bytes:
    builder = OscMessageBuilder(address)
    for value in args:
        if isinstance(value, tuple):
            kind, v = value
            builder.add_arg(v, builder.ARG_TYPE_INT64 if kind == "h" else builder.ARG_TYPE_DOUBLE)
        elif isinstance(value, bytes):
            builder.add_arg(value, builder.ARG_TYPE_BLOB)
        elif value is None:
            builder.add_arg(value, builder.ARG_TYPE_NIL)
        elif isinstance(value, float):
            builder.add_arg(value, builder.ARG_TYPE_FLOAT)
        else:
            builder.add_arg(value)
    return builder.build().dgram


def _bundle(elements: list[bytes]) -> bytes:
    body = b"".join(struct.pack(">i", len(e)) + e for e in elements)
    return b"#bundle\x00" + struct.pack(">Q", 1) + body


def _arg_values(arg: Arg, wav: str, port: int) -> st.SearchStrategy[Any]:
    """Values near what the argument accepts, and some it refuses."""
    near: dict[str, st.SearchStrategy[Any]] = {
        "slot": st.one_of(st.integers(-2, 40), st.sampled_from(["a", "b", "c", "kick", "d-0"])),
        "int": st.one_of(st.integers(-3, 300), st.sampled_from([2**24 - 1, 2**24, 2.0, 2.5])),
        "float": st.floats(-12, 12, width=32) | st.sampled_from([float("nan"), float("inf")]),
        "class": st.sampled_from(["kick", "snare", "hat", "cowbell", 0, 2, 3, -1, 1.0]),
        "choice": st.sampled_from(["lin", "slerp", "cubic", 1]),
        "path": st.sampled_from([wav, wav + "x", "/dev/zero", "../../etc/passwd", ""]),
        "host": st.sampled_from(["127.0.0.1", "localhost", "::1", "8.8.8.8", "nonsense", 1]),
        "port": st.sampled_from([port, 1, 65535, 0, 70000, 9000.0]),
        "name": st.sampled_from(["p1", "p-2", "../x", "a/b", "", 3.0, 2.5]),
        "blend": st.sampled_from(["kick", "hat", "tom", 0.5, 0, -1.0, 3, float("nan")]),
    }
    return st.one_of(near[arg.kind], _values)


def _requests(wav: str, port: int) -> st.SearchStrategy[bytes]:
    per_row = []
    for row in TABLE:
        for sig in row.signatures:
            args = st.tuples(*(_arg_values(a, wav, port) for a in sig)).flatmap(
                lambda values: st.integers(0, len(values) + 1).map(
                    lambda n, v=values: list(v[:n]) + [0] * max(0, n - len(v))
                )
            )
            per_row.append(args.map(lambda a, addr=row.address: _encode(addr, a)))
    return st.one_of(per_row)


def _datagrams(wav: str, port: int) -> st.SearchStrategy[bytes]:
    addresses = st.one_of(
        st.sampled_from([row.address for row in TABLE] + sorted(NEVER_ANSWERED)),
        st.text(max_size=20).map(lambda s: "/" + s.replace("\x00", "")),
    )
    messages = st.one_of(
        _requests(wav, port),
        st.builds(_encode, addresses, st.lists(_values, max_size=6)),
    )
    nested = st.recursive(messages, lambda inner: st.lists(inner, max_size=3).map(_bundle),
                          max_leaves=6)  # fmt: skip
    mutated = st.builds(_mutate, nested, st.lists(st.tuples(st.integers(0, 2**16), st.integers()),
                                                  min_size=1, max_size=3))  # fmt: skip
    return st.one_of(nested, mutated, st.binary(max_size=64))


def _mutate(dgram: bytes, edits: list[tuple[int, int]]) -> bytes:
    """Flips a byte, overwrites an aligned int32 (a size field, often) or cuts the datagram."""
    data = bytearray(dgram)
    for where, value in edits:
        if not data:
            break
        i = where % len(data)
        kind = value % 3
        if kind == 0:
            data[i] = value & 0xFF
        elif kind == 1 and len(data) >= 4:
            j = (i // 4) * 4
            j = min(j, len(data) - 4)
            data[j : j + 4] = struct.pack(">i", (value >> 2) % 2**32 - 2**31)
        else:
            del data[i:]
    return bytes(data)


def _variant(dgram: bytes, rng: np.random.Generator) -> bytes:
    """One quick mutation: a byte flipped, an int32 overwritten, or the datagram cut."""
    if not dgram:
        return bytes(rng.integers(0, 256, 8, dtype=np.uint8))
    edits = [(int(rng.integers(0, len(dgram))), int(rng.integers(0, 2**32))) for _ in range(2)]
    return _mutate(dgram, edits)


class Fuzzed:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.out = root / "out"
        reads = root / "reads"
        reads.mkdir()
        self.wav = str(reads / "hit.wav")
        sf.write(self.wav, np.sin(np.linspace(0, 300, 4000)).astype(np.float32), 16000)
        config = Config(port=0, out=self.out, engine=FakeEngine(), queue_size=16, max_slots=16,
                        allow_read=(reads,))  # fmt: skip
        self.server, self.thread = start_server(config)
        self.port = self.server.transport.address[1]
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.settimeout(0.01)
        self.probe = Client(self.port)
        self.sent = 0
        self._stop = threading.Event()
        self._drain = threading.Thread(target=self._drain_replies, daemon=True)
        self._drain.start()

    def _drain_replies(self) -> None:
        while not self._stop.is_set():
            try:
                self.sock.recv(65536)
            except OSError:
                continue

    def send(self, dgram: bytes) -> None:
        self.sock.sendto(dgram, ("127.0.0.1", self.port))
        self.sent += 1

    def close(self) -> None:
        self._stop.set()
        self._drain.join(2)
        self.sock.close()
        self.probe.close()
        self.server.stop()
        self.thread.join(10)


@pytest.fixture(scope="module")
def fuzzed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Fuzzed]:
    f = Fuzzed(tmp_path_factory.mktemp("fuzz"))
    yield f
    f.close()


def _cwd() -> set[str]:
    """The working folder's entries, less Hypothesis's own cache (it writes `.hypothesis/` on
    its first text draw in a fresh checkout)."""
    return set(os.listdir(".")) - {".hypothesis"}


def _listing(root: Path, skip: Path) -> set[str]:
    return {str(p) for p in root.rglob("*") if skip not in p.parents and p != skip}


def test_fuzzed_datagrams_never_stop_the_server(fuzzed: Fuzzed) -> None:
    outside_before = _listing(fuzzed.root, fuzzed.out)
    cwd_before = _cwd()
    datagrams = _datagrams(fuzzed.wav, fuzzed.port)

    @settings(max_examples=BATCHES, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))  # fmt: skip
    @given(st.lists(datagrams, min_size=4, max_size=6))
    def batch(dgrams: list[bytes]) -> None:
        for dgram in dgrams:
            rng = np.random.default_rng(zlib.crc32(dgram))  # the variants follow the datagram
            for variant in [dgram, *(_variant(dgram, rng) for _ in range(MUTANTS))]:
                if len(variant) <= 65507:  # a UDP datagram's limit
                    fuzzed.send(variant)
        assert fuzzed.probe.ask("/drum/ping", timeout=5)[0] == "/drum/pong"

    batch()
    assert fuzzed.sent >= MIN_CASES
    fuzzed.probe.drain(0.2)
    assert fuzzed.probe.ask("/drum/ping") == ("/drum/pong", [])
    address, args = fuzzed.probe.ask("/drum/status")
    counters = dict(zip(args[::2], args[1::2], strict=True))
    assert counters["requests"] > 0 and counters["malformed"] > 0 and counters["errors"] == 0
    assert _listing(fuzzed.root, fuzzed.out) == outside_before
    assert _cwd() == cwd_before
    out = fuzzed.out.resolve()  # slot files, and SuperDirt bank folders of kits and breaks
    assert all(out in p.resolve().parents for p in out.rglob("*"))


def test_argument_lists_never_raise_past_validation(fuzzed: Fuzzed) -> None:
    """parse() either returns a call or raises RequestError, for any argument list."""
    from oscserver.server.protocol import Context, RequestError, parse

    ctx = Context(FakeEngine.classes, FakeEngine.pca_axes)
    addresses = st.sampled_from([row.address for row in TABLE] + ["/x"])
    plain = _values.map(lambda v: v[1] if isinstance(v, tuple) else v)

    @settings(max_examples=2_000, deadline=None, derandomize=True, database=None)
    @given(addresses, st.lists(plain, max_size=10))
    def one(address: str, values: list[Any]) -> None:
        try:
            call = parse(address, values, ctx)
        except RequestError as err:
            assert err.reason and len(err.reason) < 400
            return
        assert call.spec.address == address

    one()
