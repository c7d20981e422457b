"""The coalescing queue and the slot store, without sockets."""

from __future__ import annotations

import os
import threading
from collections.abc import Hashable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import soundfile as sf

from oscserver.server.queue import PutResult, SlotQueue
from oscserver.server.slots import (
    OutputFolder,
    OutputLocked,
    OutputUnavailable,
    SlotStore,
    UnknownSlot,
    remove_stale_temporaries,
)


@dataclass(eq=True)
class Req:
    slot: str | None
    name: str
    rel: bool = False

    @property
    def coalesce_key(self) -> Hashable | None:
        return self.slot

    def replaces(self, other: Any) -> bool:
        return not self.rel or (other.rel and other.name[0] == self.name[0])


def test_newer_request_replaces_queued_one_for_the_slot() -> None:
    q: SlotQueue[Req] = SlotQueue(4)
    assert q.put(Req("a", "m1")).result is PutResult.QUEUED
    assert q.put(Req("b", "m1")).result is PutResult.QUEUED
    put = q.put(Req("a", "m2"))
    assert put.result is PutResult.COALESCED and [r.name for r in put.replaced] == ["m1"]
    assert len(q) == 2
    assert [r.name for r in q.get(0)] == ["m2"]  # keeps the slot's place in line
    assert [r.name for r in q.get(0)] == ["m1"]
    assert q.get(0.01) is None


def test_relative_request_keeps_the_seed_in_front() -> None:
    q: SlotQueue[Req] = SlotQueue(4)
    q.put(Req("a", "seed"))
    q.put(Req("a", "p1", rel=True))
    put = q.put(Req("a", "p2", rel=True))
    assert [r.name for r in put.replaced] == ["p1"]
    assert [r.name for r in q.get(0)] == ["seed", "p2"]


def test_identical_requests_are_replaced_by_identity() -> None:
    q: SlotQueue[Req] = SlotQueue(4)
    q.put(Req("a", "seed"))
    q.put(Req("a", "p", rel=True))
    q.put(Req("a", "p", rel=True))
    assert [r.name for r in q.get(0)] == ["seed", "p"]


def test_bound_and_unkeyed_requests() -> None:
    q: SlotQueue[Req] = SlotQueue(2)
    assert q.put(Req(None, "latent")).result is PutResult.QUEUED
    assert q.put(Req(None, "latent")).result is PutResult.QUEUED  # no key: never coalesces
    assert q.put(Req("a", "m")).result is PutResult.BUSY
    q.get(0)
    assert q.put(Req("a", "m")).result is PutResult.QUEUED
    assert q.put(Req("a", "m2")).result is PutResult.COALESCED  # coalescing never needs room


def test_close_wakes_the_worker_and_returns_pending() -> None:
    q: SlotQueue[Req] = SlotQueue(4)
    got: list[object] = []
    worker = threading.Thread(target=lambda: got.append(q.get(5)))
    worker.start()
    pending = q.close()
    worker.join(2)
    assert got == [None] and pending == []
    q2: SlotQueue[Req] = SlotQueue(4)
    q2.put(Req("a", "m"))
    assert [r.name for r in q2.close()] == ["m"]
    assert q2.put(Req("a", "m")).result is PutResult.CLOSED


def test_slot_files_alternate_and_resample(tmp_path: Path) -> None:
    store = SlotStore(OutputFolder(tmp_path), 16000, 48000, "int16")
    audio = np.zeros(1000, np.float32)
    p1, n1 = store.write("7", audio)
    p2, _ = store.write("7", audio)
    p3, _ = store.write("7", audio)
    assert (p1.name, p2.name, p3.name) == ("7-a.wav", "7-b.wav", "7-a.wav")
    assert n1 == 3000
    info = sf.info(str(p1))
    assert (info.samplerate, info.frames, info.subtype) == (48000, 3000, "PCM_16")
    path, frames = store.write("p", np.zeros((5, 1000), np.float32))
    assert frames == 5 * 3000 == sf.info(str(path)).frames
    assert sorted(x.name for x in tmp_path.iterdir()) == ["7-a.wav", "7-b.wav", "p-a.wav"]


def test_slot_state_and_names(tmp_path: Path) -> None:
    store = SlotStore(OutputFolder(tmp_path), 16000, 16000, "float32")
    with pytest.raises(UnknownSlot, match="slot x is empty"):
        store.get("x")
    w = np.ones(4, np.float32)
    store.set("x", "kick", w, 2 * w, tmp_path / "x-a.wav", 10)
    assert store.get("x").cls == "kick" and "x" in store
    for bad in ("../x", "a/b", "", "kick\n", "a\x00"):
        with pytest.raises(ValueError):
            store.next_path(bad)


def test_stale_temporaries_are_removed(tmp_path: Path) -> None:
    (tmp_path / ".7-a.abc123.tmp").write_bytes(b"x")
    (tmp_path / "keep.tmp").write_bytes(b"x")
    assert remove_stale_temporaries(tmp_path) == 1
    assert [p.name for p in tmp_path.iterdir()] == ["keep.tmp"]


def test_least_recently_used_slot_is_evicted_with_its_files(tmp_path: Path) -> None:
    store = SlotStore(OutputFolder(tmp_path), 16000, 16000, "float32", max_slots=2)
    w = np.ones(4, np.float32)
    for name in ("a", "b"):
        for _ in range(2):  # both files
            path, frames = store.write(name, np.zeros(10, np.float32))
            store.set(name, "kick", w, w, path, frames)
    store.get("a")  # a is now more recent than b
    path, frames = store.write("c", np.zeros(10, np.float32))
    store.set("c", "kick", w, w, path, frames)
    assert "b" not in store and "a" in store and "c" in store and store.evicted == 1
    assert sorted(p.name for p in tmp_path.glob("*.wav")) == ["a-a.wav", "a-b.wav", "c-a.wav"]


def test_disk_full_is_a_reason_not_a_crash(tmp_path: Path) -> None:
    folder = OutputFolder(tmp_path, min_free=10_000, disk_usage=lambda p: 12_000)
    store = SlotStore(folder, 16000, 16000, "float32")
    store.write("small", np.zeros(10, np.float32))
    with pytest.raises(OutputUnavailable, match="^disk full"):
        store.write("big", np.zeros(1000, np.float32))
    assert not list(tmp_path.glob("big*"))


def test_output_folder_lock_keeps_a_second_server_out(tmp_path: Path) -> None:
    first = OutputFolder(tmp_path / "out")
    first.open()
    try:
        with pytest.raises(OutputLocked, match=f"pid {os.getpid()}"):
            OutputFolder(tmp_path / "out").open()
    finally:
        first.close()
    second = OutputFolder(tmp_path / "out")
    second.open()  # free again once the first closed
    second.close()
    assert list((tmp_path / "out").iterdir()) == []
