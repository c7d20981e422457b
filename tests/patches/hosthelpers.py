"""Helpers for the host tests: the real server as a subprocess, host processes and their output.

The hosts (Pd, sclang) talk to the server over loopback UDP exactly as on stage; the tests only
start processes, wait for text on their output and check what the hosts report.
"""

from __future__ import annotations

import os
import queue
import shutil
import socket
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from pythonosc.osc_message import OscMessage
from pythonosc.osc_message_builder import OscMessageBuilder

ROOT = Path(__file__).resolve().parents[2]

#: Seconds to wait for the server to answer /drum/ping (TensorFlow import and model load).
SERVER_START_TIMEOUT = 60.0


def free_udp_port() -> int:
    """A UDP port on loopback that nothing is bound to right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def ask(port: int, address: str, *args: Any, timeout: float = 1.0) -> tuple[str, list[Any]] | None:
    """Sends one request from a fresh socket; returns the reply, or None on timeout."""
    builder = OscMessageBuilder(address)
    for a in args:
        builder.add_arg(a)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.settimeout(timeout)
        s.sendto(builder.build().dgram, ("127.0.0.1", port))
        try:
            data, _ = s.recvfrom(65536)
        except TimeoutError:
            return None
    msg = OscMessage(data)
    return msg.address, list(msg.params)


@dataclass(frozen=True)
class DrumServer:
    """A running server: its port, output folder and the key-value pairs of /drum/info."""

    port: int
    out: Path
    info: dict[str, Any]

    @property
    def frames(self) -> int:
        return int(self.info["frames"])


def requires_binaries(*names: str) -> pytest.MarkDecorator:
    """Marks tests to skip, naming what is missing, unless every binary is on PATH."""
    missing = [n for n in names if shutil.which(n) is None]
    return pytest.mark.skipif(
        bool(missing),
        reason=f"{', '.join(missing)} not installed (run scripts/install-hosts.sh; CI does)",
    )


class LineReader:
    """Collects a process's output lines on a thread so a test can wait for them with a timeout."""

    def __init__(self, stream: Any) -> None:
        self.lines: list[str] = []
        self._queue: queue.Queue[str | None] = queue.Queue()
        self._thread = threading.Thread(target=self._pump, args=(stream,), daemon=True)
        self._thread.start()

    def _pump(self, stream: Any) -> None:
        for raw in iter(stream.readline, b""):
            self._queue.put(raw.decode("utf-8", "replace").rstrip("\n"))
        self._queue.put(None)

    def wait_for(self, done: Any, timeout: float) -> bool:
        """Reads lines until `done(lines)` is true (True) or time or output runs out (False)."""
        deadline = time.monotonic() + timeout
        while not done(self.lines):
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            try:
                line = self._queue.get(timeout=left)
            except queue.Empty:
                return False
            if line is None:
                return bool(done(self.lines))
            self.lines.append(line)
        return True


def stop(proc: subprocess.Popen[bytes]) -> None:
    """Ends a host process this test started (its whole process group)."""
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, 15)
        except ProcessLookupError:
            return
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, 9)
            proc.wait()
