"""Fixtures for the server tests: a server on loopback with the numpy engine, and a client."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from oschelpers import Client, FakeEngine, Running, start_server

from oscserver.server.app import Config


@pytest.fixture(scope="module")
def fake_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    out = tmp_path_factory.mktemp("out")
    engine = FakeEngine(delay=0.002)
    server, thread = start_server(Config(port=0, out=out, engine=engine, queue_size=8))
    yield Running(server, engine, server.transport.address[1], out)
    server.stop()
    thread.join(10)


@pytest.fixture
def client(fake_server: Running) -> Iterator[Client]:
    c = Client(fake_server.port)
    yield c
    c.close()
