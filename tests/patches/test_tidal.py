"""Every pattern line of examples/tidal/drumsynth.tidal, run by Tidal in GHC, sends requests.

The file's definitions (the server target and its shapes, the `d1`..`d4` helpers) and each of
its `d<N> $ ...` and `once $ ...` lines become one headless Haskell program: a Tidal stream per
line, aimed at its own pair of UDP ports (SuperDirt's and the server's) where this test listens.
Each line must produce at least one datagram within a few cycles. Needs Debian's `ghc` and
`libghc-tidal-dev` (scripts/install-hosts.sh).
"""

from __future__ import annotations

import re
import shutil
import socket
import subprocess
import threading
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TIDAL_FILE = ROOT / "examples" / "tidal" / "drumsynth.tidal"
#: How long the streams run: about 2.8 cycles at Tidal's default 0.5625 cycles a second.
RUN_S = 5.0

pytestmark = pytest.mark.skipif(
    shutil.which("runghc") is None, reason="ghc is not installed (scripts/install-hosts.sh)"
)


def blocks(text: str) -> list[list[str]]:
    """The `:{ ... :}` blocks of a Tidal file, as their lines."""
    return [b.strip("\n").splitlines() for b in re.findall(r"^:\{\n(.*?)^:\}", text, re.M | re.S)]


def pattern_lines(text: str) -> list[str]:
    """The file's top-level `d<N> $ ...` and `once $ ...` lines, without trailing comments."""
    return [
        line.split("--")[0].rstrip()
        for line in text.splitlines()
        if re.match(r"(d\d|once) \$ ", line)
    ]


def haskell_program(text: str, ports: list[tuple[int, int]]) -> str:
    """A program running pattern line i on a stream aimed at ports[i] (SuperDirt, server)."""
    definitions, helpers = (b for b in blocks(text) if b[0].startswith("let "))
    start = next(line for line in text.splitlines() if line.startswith("tidal <- startStream"))
    for old in ("superdirtTarget {oLatency = 0.2}", "(drumTarget,"):
        assert old in start, f"the startStream line no longer has {old!r}: update this test"
    out = ['{-# LANGUAGE OverloadedStrings #-}', "import Sound.Tidal.Context",
           "import Control.Concurrent (threadDelay)", "", "main :: IO ()", "main = do"]  # fmt: skip
    out += ["    " + line for line in definitions]
    for line, (dirt, server) in zip(pattern_lines(text), ports, strict=True):
        aimed = start.replace(
            "superdirtTarget {oLatency = 0.2}",
            f"superdirtTarget {{oLatency = 0.2, oPort = {dirt}}}",
        ).replace("(drumTarget,", f"(drumTarget {{oPort = {server}}},")
        out += ["    do", "        " + aimed]
        out += ["        " + h for h in helpers]
        out += ["        " + line]
    out += [f"    threadDelay {int(RUN_S * 1e6)}"]
    return "\n".join(out) + "\n"


class Listener:
    """UDP sockets on free ports, counting the datagrams each receives."""

    def __init__(self, count: int) -> None:
        self.socks = []
        for _ in range(count):
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            s.bind(("127.0.0.1", 0))
            s.settimeout(0.2)
            self.socks.append(s)
        self.received: list[list[bytes]] = [[] for _ in self.socks]
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._recv, args=(i,)) for i in range(count)]
        for t in self._threads:
            t.start()

    def port(self, i: int) -> int:
        return int(self.socks[i].getsockname()[1])

    def _recv(self, i: int) -> None:
        while not self._stop.is_set():
            try:
                self.received[i].append(self.socks[i].recv(65536))
            except TimeoutError:
                continue

    def close(self) -> None:
        self._stop.set()
        for t in self._threads:
            t.join()
        for s in self.socks:
            s.close()


def test_every_pattern_line_sends(tmp_path: Path) -> None:
    text = TIDAL_FILE.read_text()
    lines = pattern_lines(text)
    assert len(lines) >= 5, lines
    listener = Listener(2 * len(lines))
    try:
        ports = [(listener.port(2 * i), listener.port(2 * i + 1)) for i in range(len(lines))]
        program = tmp_path / "lines.hs"
        program.write_text(haskell_program(text, ports))
        started = time.monotonic()
        done = subprocess.run(["runghc", str(program)], cwd=tmp_path, capture_output=True,
                              text=True, timeout=180, check=False)  # fmt: skip
        assert done.returncode == 0, done.stderr[-3000:]
        assert time.monotonic() - started >= RUN_S
    finally:
        listener.close()
    silent = []
    for i, line in enumerate(lines):
        dirt, server = listener.received[2 * i], listener.received[2 * i + 1]
        wanted = [d for d in dirt if b"/dirt/play" in d] + [d for d in server if b"/drum/" in d]
        if not wanted:
            silent.append(line)
    assert not silent, f"these lines sent nothing in {RUN_S} s: {silent}"
