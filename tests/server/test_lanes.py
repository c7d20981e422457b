"""Issue 10's lanes over real loopback UDP (numpy stand-in engine with delays): live requests
answered while a job runs, a job's progress, cancelling a job mid-way, batched live renders."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import soundfile as sf
from oschelpers import Client, FakeEngine, start_server

from oscserver.limits import LIVE_BATCH, PROGRESS_EVERY_S, SHUTDOWN_GRACE_S
from oscserver.server.app import Config


class Lanes:
    """A server on its own output folder with its own engine, and two clients."""

    def __init__(self, out: Path, engine: FakeEngine, **config: Any) -> None:
        self.engine = engine
        self.server, self.thread = start_server(Config(port=0, out=out, engine=engine, **config))
        port = self.server.transport.address[1]
        self.job = Client(port)  # sends the long job
        self.live = Client(port)  # plays meanwhile

    def close(self) -> None:
        self.job.close()
        self.live.close()
        self.server.stop()
        self.thread.join(10)


@pytest.fixture
def hit(tmp_path: Path) -> Path:
    wav = tmp_path / "hit.wav"
    sf.write(str(wav), np.linspace(0, 1, 4000, dtype=np.float32), 44100)
    return wav


@pytest.fixture
def lanes(tmp_path: Path) -> Iterator[Callable[..., Lanes]]:
    """Starts a server on a FakeEngine(**delays); stopped at the end of the test."""
    started: list[Lanes] = []

    def start(**delays: float) -> Lanes:
        started.append(Lanes(tmp_path / "out", FakeEngine(**delays)))
        return started[-1]

    yield start
    for s in started:
        s.close()


@pytest.fixture
def slow_jobs(lanes: Callable[..., Lanes]) -> Lanes:
    """Refinement takes 3 s in 10 chunks of 0.3 s; a render 5 ms."""
    return lanes(delay=0.005, refine_delay=3.0)


def job_replies(client: Client, timeout: float = 10.0) -> list[tuple[str, list[Any]]]:
    """Everything the job's client gets up to its `/drum/done` or `/drum/fail`."""
    replies = []
    while not replies or replies[-1][0] == "/drum/progress":
        replies.append(client.recv(timeout, skip=()))
    return replies


def test_a_live_seed_is_answered_while_a_refinement_runs(slow_jobs: Lanes, hit: Path) -> None:
    slow_jobs.job.send("/drum/invert", "inv", str(hit), 50)
    time.sleep(0.2)
    for i in range(3):
        start = time.perf_counter()
        address, args = slow_jobs.live.ask("/drum/seed", f"kick{i}", i)
        assert (address, args[:2]) == ("/drum/done", ["/drum/seed", f"kick{i}"])
        assert time.perf_counter() - start < 0.5  # one 0.3 s chunk at most, not the 3 s job
    replies = job_replies(slow_jobs.job)
    assert replies[-1][0] == "/drum/done" and replies[-1][1][:2] == ["/drum/invert", "inv"]


def test_a_long_path_is_a_job_and_live_requests_pass_it(lanes: Callable[..., Lanes]) -> None:
    s = lanes(delay=0.02)  # a path of 100 sounds: 2 s
    s.live.ask("/drum/seed", "a", 1)
    s.live.ask("/drum/seed", "b", 2)
    s.job.send("/drum/path", "long", "a", "b", 100)
    time.sleep(0.2)
    start = time.perf_counter()
    assert s.live.ask("/drum/seed", "c", 3)[0] == "/drum/done"
    assert time.perf_counter() - start < 0.3
    replies = job_replies(s.job)
    assert [a for a, _ in replies[:-1]] == ["/drum/progress"] * (len(replies) - 1)
    assert replies[-1][0] == "/drum/done" and replies[-1][1][-2:] == [100, 1024]
    # 32 steps or fewer: live, no progress
    s.job.send("/drum/path", "short", "a", "b", 32)
    assert s.job.recv(5, skip=())[0] == "/drum/done"


def test_progress_is_rate_limited_rises_and_ends_before_the_done(
    lanes: Callable[..., Lanes], tmp_path: Path, hit: Path
) -> None:
    s = lanes(refine_delay=0.2)  # chunks of 20 ms
    from tests.helpers import synthetic_break

    wav = tmp_path / "amen.wav"
    sf.write(str(wav), synthetic_break(np.random.default_rng(0)), 44100)
    start = time.perf_counter()
    s.job.send("/drum/break", "amen", str(wav), 10)  # 9 hits x 10 chunks
    arrivals, replies = [], []
    while not replies or replies[-1][0] == "/drum/progress":
        replies.append(s.job.recv(10, skip=()))
        arrivals.append(time.perf_counter())
    elapsed = time.perf_counter() - start
    progress = [args for address, args in replies if address == "/drum/progress"]
    assert replies[-1][0] == "/drum/done"
    assert all(a[:2] == ["/drum/break", "amen"] for a in progress)
    fractions = [a[2] for a in progress]
    assert len(fractions) >= 5 and fractions == sorted(fractions)
    assert 0.0 < fractions[0] and fractions[-1] < 1.0
    assert len(progress) <= elapsed / PROGRESS_EVERY_S + 1
    gaps = np.diff(arrivals[: len(progress)])
    # 10 a second at most; arrivals cluster when the client is scheduled late, so the median
    assert np.median(gaps) > PROGRESS_EVERY_S * 0.8
    # a live refinement-free inversion says nothing of progress
    s.job.send("/drum/invert", "plain", str(hit))
    assert s.job.recv(5, skip=())[0] == "/drum/done"


def test_cancel_stops_a_job_midway_while_live_requests_go_on(slow_jobs: Lanes, hit: Path) -> None:
    s = slow_jobs
    s.job.send("/drum/invert", "inv", str(hit), 50)
    time.sleep(0.5)
    assert s.live.ask("/drum/seed", "k", 1)[0] == "/drum/done"
    start = time.perf_counter()
    assert s.live.ask("/drum/cancel", "inv") == ("/drum/cancelled", ["inv", 1])
    replies = job_replies(s.job, timeout=3)
    assert time.perf_counter() - start < 1.0  # within a chunk, not the 2.5 s left
    assert replies[-1] == ("/drum/fail", ["/drum/invert", "inv", "cancelled"])
    assert not list(s.server.config.out.glob("inv-*.wav"))  # type: ignore[union-attr]
    assert s.live.ask("/drum/seed", "k", 2)[0] == "/drum/done"


def test_a_live_request_on_the_jobs_slot_waits_for_the_job(slow_jobs: Lanes, hit: Path) -> None:
    s = slow_jobs
    s.live.ask("/drum/seed", "x", 5)
    s.job.send("/drum/invert", "inv", str(hit), 50)
    time.sleep(0.2)
    s.live.send("/drum/morph", "m", "inv", "x", 0.5)  # reads what the job writes
    s.live.send("/drum/seed", "other", 1)
    first = s.live.recv(2)
    assert first[0] == "/drum/done" and first[1][1] == "other"  # passed the job
    job = job_replies(s.job)
    assert job[-1][0] == "/drum/done"
    morph = s.live.recv(2)
    assert morph[0] == "/drum/done" and morph[1][1] == "m"  # after the job, from its latent
    _, inv = s.live.ask("/drum/latent", "inv")
    s.live.ask("/drum/morph", "m2", "inv", "x", 0.5)
    assert s.live.ask("/drum/latent", "m")[1][1:] == s.live.ask("/drum/latent", "m2")[1][1:]
    assert inv[0] == "inv"


def wav_data(path: str) -> np.ndarray:
    return sf.read(path, dtype="float32")[0]


def test_live_renders_of_several_slots_share_one_engine_call(lanes: Callable[..., Lanes]) -> None:
    s = lanes(delay=0.3)
    s.live.ask("/drum/seed", "base", 7)  # for the pca and the morph below
    s.live.ask("/drum/seed", "other", 8)
    s.live.send("/drum/seed", "block", 1)  # renders alone for 0.3 s while the rest queue
    time.sleep(0.1)
    calls_before = len(s.engine.calls)
    s.live.send("/drum/seed", "s1", 11)
    s.live.send("/drum/seed", "s2", 12, "snare", 0.5)
    s.live.send("/drum/random", "r")
    s.live.send("/drum/pca", "base", 1.0, -0.5)
    s.live.send("/drum/morph", "m", "base", "other", 0.25)  # reads base: after the pca
    replies = [s.live.recv(5) for _ in range(6)]
    done = {args[1]: args for address, args in replies if address == "/drum/done"}
    assert set(done) == {"block", "s1", "s2", "r", "base", "m"}
    new_calls = s.engine.calls[calls_before:]
    assert new_calls.count("render") == 2, new_calls  # s1 s2 r base, then m
    assert s.engine.batches[-2:] == [4, 1]
    # each slot got its own sound: the same as a lone request for the same thing
    for slot, request in [("s1", ("/drum/seed", 11)), ("s2", ("/drum/seed", 12, "snare", 0.5)),
                          ("r", ("/drum/seed", done["r"][6]))]:  # fmt: skip
        _, alone = s.job.ask(request[0], f"{slot}-alone", *request[1:])
        np.testing.assert_array_equal(wav_data(done[slot][2]), wav_data(alone[2]))
        assert (
            s.job.ask("/drum/latent", slot)[1][1:]
            == (s.job.ask("/drum/latent", f"{slot}-alone")[1][1:])
        )
    _, coords = s.job.ask("/drum/latent", "base")
    _, seeded = s.job.ask("/drum/seed", "base2", 7)
    _, moved = s.job.ask("/drum/pca", "base2", 1.0, -0.5)
    np.testing.assert_array_equal(wav_data(done["base"][2]), wav_data(moved[2]))
    assert coords[1:] == s.job.ask("/drum/latent", "base2")[1][1:]


def test_sixteen_slots_render_as_one_batch_and_a_pca_behind_reads_their_new_state(
    lanes: Callable[..., Lanes],
) -> None:
    s = lanes(delay=0.3)
    s.live.send("/drum/seed", "block", 1)  # renders alone for 0.3 s while the rest queue
    time.sleep(0.1)
    calls_before = len(s.engine.calls)
    for i in range(LIVE_BATCH):
        s.live.send("/drum/seed", f"s{i}", 100 + i, s.engine.classes[i % 3])
    replies = [s.live.recv(5)]  # block's: the worker takes the 16 next, renders 0.3 s
    time.sleep(0.1)
    s.live.send("/drum/pca", "s3", 1.0, -0.5)  # reads what the batch writes: after it
    replies += [s.live.recv(5) for _ in range(LIVE_BATCH + 1)]
    assert [address for address, _ in replies] == ["/drum/done"] * (LIVE_BATCH + 2)
    slots = [args[1] for _, args in replies]
    assert slots == ["block", *(f"s{i}" for i in range(LIVE_BATCH)), "s3"]  # in order
    assert s.engine.batches[-2:] == [LIVE_BATCH, 1]
    new_calls = s.engine.calls[calls_before:]
    assert new_calls.count("seed_latents") == 1, new_calls  # the batch's seeds mapped at once
    files = {args[2] for _, args in replies[1:-1]}
    assert len(files) == LIVE_BATCH and all(Path(f).is_file() for f in files)
    for i in (0, 7, LIVE_BATCH - 1):  # each its own seed's sound and latent
        _, alone = s.job.ask("/drum/seed", f"a{i}", 100 + i, s.engine.classes[i % 3])
        np.testing.assert_array_equal(wav_data(replies[1 + i][1][2]), wav_data(alone[2]))
        assert (
            s.job.ask("/drum/latent", f"a{i}")[1][1:] == s.job.ask("/drum/latent", f"s{i}")[1][1:]
        )
    _, alone = s.job.ask("/drum/seed", "a3", 103, s.engine.classes[0])
    _, moved = s.job.ask("/drum/pca", "a3", 1.0, -0.5)
    np.testing.assert_array_equal(wav_data(replies[-1][1][2]), wav_data(moved[2]))


def test_a_lone_live_request_takes_its_own_path(lanes: Callable[..., Lanes]) -> None:
    s = lanes()
    s.live.ask("/drum/seed", "solo", 3)
    assert s.engine.calls[-1] == "generate" and "render" not in s.engine.calls


def test_a_failing_plan_fails_alone_and_the_batch_goes_on(lanes: Callable[..., Lanes]) -> None:
    s = lanes(delay=0.3)
    s.live.send("/drum/seed", "block", 1)
    time.sleep(0.1)
    s.live.send("/drum/seed", "s1", 11)
    s.live.send("/drum/pca", "nowhere", 1.0)  # an empty slot
    s.live.send("/drum/seed", "s2", 12)
    replies = sorted((args[1], address) for address, args in (s.live.recv(5) for _ in range(4)))
    assert replies == [("block", "/drum/done"), ("nowhere", "/drum/fail"),
                       ("s1", "/drum/done"), ("s2", "/drum/done")]  # fmt: skip
    assert s.engine.batches[-1] == 2


def test_shutdown_gives_a_job_its_grace_then_stops_it_with_a_reply(
    lanes: Callable[..., Lanes], hit: Path
) -> None:
    s = lanes(refine_delay=3.0)  # 3 s in chunks of 0.3 s: longer than the grace
    s.job.send("/drum/invert", "inv", str(hit), 50)
    time.sleep(0.3)
    start = time.perf_counter()
    s.server.stop()
    s.thread.join(10)
    assert time.perf_counter() - start < SHUTDOWN_GRACE_S + 0.5
    assert job_replies(s.job, timeout=1)[-1] == (
        "/drum/fail",
        ["/drum/invert", "inv", "server is shutting down"],
    )


@pytest.fixture
def amen(tmp_path: Path) -> Path:
    from tests.helpers import synthetic_break

    wav = tmp_path / "amen.wav"
    sf.write(str(wav), synthetic_break(np.random.default_rng(0)), 44100)
    return wav


def test_kit_and_break_edits_render_in_pieces_with_progress(
    lanes: Callable[..., Lanes], amen: Path
) -> None:
    s = lanes(delay=0.15)  # every render call 0.15 s, however many sounds: one a piece
    s.job.ask("/drum/break", "amen", str(amen))  # 9 hits, no refinement: one render
    s.job.ask("/drum/break", "amen2", str(amen))
    for request, pieces in [(("/drum/kit", "kit", 5), 3), (("/drum/breakpca", "amen", 1.0), 9),
                            (("/drum/breakmix", "amen", "amen", "amen2", 0.5), 9)]:  # fmt: skip
        before = len(s.engine.batches)
        s.job.send(*request)
        replies = job_replies(s.job)
        assert replies[-1][0] == "/drum/done" and replies[-1][1][:2] == list(request[:2])
        assert s.engine.batches[before:] == [1] * pieces  # a piece a render call
        fractions = [args[2] for address, args in replies if address == "/drum/progress"]
        assert len(fractions) >= pieces // 2 and fractions == sorted(fractions), replies
        assert all(args[:2] == list(request[:2]) for _, args in replies[:-1])


def test_a_kit_is_cancelled_between_pieces_and_live_requests_pass_it(
    lanes: Callable[..., Lanes], amen: Path
) -> None:
    s = lanes(delay=0.3)
    s.job.send("/drum/kit", "kit", 5)  # 3 pieces of 0.3 s
    time.sleep(0.1)
    start = time.perf_counter()
    assert s.live.ask("/drum/seed", "k", 1)[0] == "/drum/done"
    assert time.perf_counter() - start < 0.5  # beside the piece, not after the kit
    assert s.live.ask("/drum/cancel", "kit") == ("/drum/cancelled", ["kit", 1])
    assert job_replies(s.job)[-1] == ("/drum/fail", ["/drum/kit", "kit", "cancelled"])
    out = s.server.config.out
    assert out is not None and not list(out.glob("kit*")), "a cancelled kit writes nothing"
    s.job.ask("/drum/break", "amen", str(amen))
    s.job.send("/drum/breakpca", "amen", 1.0)  # 9 pieces of 0.3 s
    time.sleep(0.4)
    assert s.live.ask("/drum/cancel", "amen") == ("/drum/cancelled", ["amen", 1])
    assert job_replies(s.job)[-1] == ("/drum/fail", ["/drum/breakpca", "amen", "cancelled"])
