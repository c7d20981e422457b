"""Fixtures for the host tests: the real server (`python -m oscserver.cli serve`) on a free port."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from hosthelpers import ROOT, SERVER_START_TIMEOUT, DrumServer, ask, free_udp_port


@pytest.fixture(scope="session")
def drum_server(tiny_model: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[DrumServer]:
    """`drumsynth serve` on the tiny model, answering /drum/ping."""
    out = tmp_path_factory.mktemp("drum-out")
    port = free_udp_port()
    log = (out / "server.log").open("w")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "oscserver.cli",
            "serve",
            "--port",
            str(port),
            "--out",
            str(out),
            "--model",
            str(tiny_model),
        ],
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + SERVER_START_TIMEOUT
        while ask(port, "/drum/ping", timeout=0.5) != ("/drum/pong", []):
            if proc.poll() is not None or time.monotonic() > deadline:
                log.flush()
                pytest.fail(
                    "server did not answer /drum/ping:\n" + (out / "server.log").read_text()
                )
        reply = ask(port, "/drum/info", timeout=5.0)
        assert reply is not None and reply[0] == "/drum/info", reply
        args = reply[1]
        yield DrumServer(port, out, dict(zip(args[::2], args[1::2], strict=True)))
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()
