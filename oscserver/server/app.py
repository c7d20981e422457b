"""The server's life cycle: load the model -> warm up -> open the socket -> serve -> drain -> close.

`run(*, ...)` is what `drumsynth serve` calls: it builds a `Config`, hands it to a `Server` and
runs it until SIGINT or SIGTERM. The receive path (the main thread) only parses, validates and
enqueues; one worker thread owns the engine and the slots.

The worker serves two lanes from the one queue (`protocol.Lane`). A job (a refinement, a break
and its edits, a long path, a kit) hands its engine work (`handlers.Work`) to a thread of its
own, which runs it in chunks of about `JOB_SLICE_S`; between them the job reports its
`/drum/progress`, stops when cancelled or overdue, and holds back while live requests render.
Meanwhile the worker serves the live lane, so a live request never waits behind a job: at worst
it shares the cores with one chunk (one refinement step of the shipped model is about 21 ms and
cannot be cut). The job's result is stored by the worker, which alone touches the slots. Live
renders queued for different slots are rendered in one batched engine call (at most
`LIVE_BATCH`, their seeds mapped in one call too); nothing waits for a batch to fill. Then the
worker stores and answers the batch's sounds one by one, in queue order, before it takes the
next: a request behind the batch sees all its writes. Storing stays on the worker on purpose: a
file costs about 0.4 ms, mostly its rename into place, which the kernel serializes per folder
(a thread pool measured no faster), and clients that wait for their reply before sending again
have nothing queued that could render meanwhile. No request overtakes an earlier one that
writes a slot it reads or writes.

Start-up checks everything cheap before the slow model load, so a mistake costs one line and a
non-zero exit at once: who may connect (loopback unless `--allow`), the output folder (writable,
and not in use by another server: a lock file), the port (the socket is bound first). Shutdown
waits `SHUTDOWN_GRACE_S` for the render in flight, then abandons it; a second signal exits at
once. Either way the temporary files are removed.
"""

from __future__ import annotations

import logging
import os
import signal
import statistics
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Collection, Hashable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import Any

import numpy as np

from oscserver import __version__
from oscserver.audio.io import WAV_SUBTYPES
from oscserver.limits import (
    DEFAULT_DEADLINE_S,
    DEFAULT_MAX_SLOTS,
    DEFAULT_QUEUE,
    JOB_SLICE_S,
    LIVE_BATCH,
    MIN_FREE_BYTES,
    PROGRESS_EVERY_S,
    SHUTDOWN_GRACE_S,
)
from oscserver.server.guards import Allowed, FailBudget, LogThrottle, is_loopback, parse_networks
from oscserver.server.handlers import (
    Done,
    Engine,
    Handlers,
    Message,
    Outcome,
    Plan,
    Stopped,
    Work,
)
from oscserver.server.inputs import ReadPolicy
from oscserver.server.presets import PresetStore, presets_file
from oscserver.server.protocol import (
    NEVER_ANSWERED,
    Call,
    Context,
    RequestError,
    canonical_slot,
    parse,
    slot_reply_value,
)
from oscserver.server.queue import PutResult, SlotQueue
from oscserver.server.slots import (
    OutputFolder,
    OutputLocked,
    OutputUnavailable,
    SlotStore,
    remove_stale_temporaries,
)
from oscserver.server.transport import Addr, Transport

log = logging.getLogger(__name__)

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 57300
WAV_FORMATS = tuple(WAV_SUBTYPES)


class StartupError(RuntimeError):
    """The server cannot start; the message is one clear line for the performer."""


def default_out_dir() -> Path:
    """The per-user cache folder: $XDG_CACHE_HOME/drumsynth, else ~/.cache/drumsynth."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "drumsynth"


@dataclass
class Config:
    """Everything `drumsynth serve` can be told.

    Attributes:
        host: Address to bind.
        port: UDP port; 0 picks a free one.
        model: Model artifact folder; None is the shipped model.
        out: Output folder for the WAV files; None is `default_out_dir()`.
        fmt: WAV sample format: float32, int16 or int24.
        sr: Sample rate of the files written; None is the model's.
        queue_size: Most slots waiting at once before requests are refused as busy.
        warmup: Run the compiled functions once before answering.
        allow: Networks (CIDR) besides loopback that may send; required to bind elsewhere.
        allow_read: Folders `/drum/invert` and `/drum/break` may read; empty: any (loopback
            only; binding elsewhere requires them).
        max_slots: Most slots kept; the least recently used is evicted with its files.
        deadline: Seconds a long job (a break) may run before it is stopped.
        min_free: Bytes that must stay free on the output folder's disk.
        presets: Folder of the presets files (one per model); None is
            `presets.default_presets_dir()`.
        wekinator_slot: The slot `/wek/outputs` moves.
        engine: An engine already loaded (tests), instead of `model`.
    """

    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT
    model: Path | None = None
    out: Path | None = None
    fmt: str = "float32"
    sr: int | None = None
    queue_size: int = DEFAULT_QUEUE
    warmup: bool = True
    allow: tuple[str, ...] = ()
    allow_read: tuple[Path, ...] = ()
    max_slots: int = DEFAULT_MAX_SLOTS
    deadline: float = DEFAULT_DEADLINE_S
    min_free: int = MIN_FREE_BYTES
    presets: Path | None = None
    wekinator_slot: str = "wek"
    engine: Engine | None = field(default=None, repr=False)

    def exposure(self) -> Allowed:
        """Who may send, from `host` and `allow`. Raises StartupError (protected mode)."""
        try:
            allowed = Allowed(parse_networks(self.allow))
        except ValueError as err:
            raise StartupError(f"--allow: {err}") from None
        if not is_loopback(self.host):
            if not allowed.networks:
                raise StartupError(
                    f"refusing to listen on {self.host} without --allow: only this machine is "
                    "served unless you name the networks that may send, e.g. "
                    "--allow 192.168.1.0/24"
                )
            if not self.allow_read:
                raise StartupError(
                    f"listening on {self.host} needs --allow-read DIR: the folders whose audio "
                    "files /drum/invert and /drum/break may read"
                )
        return allowed

    def load(self) -> Engine:
        """Loads (and warms up) the engine: the heavy step. Raises StartupError."""
        if self.engine is not None:
            return self.engine
        if self.fmt not in WAV_SUBTYPES:
            raise StartupError(f"unknown WAV format {self.fmt!r}; choose {', '.join(WAV_SUBTYPES)}")
        # open_model finds a missing folder before it imports TensorFlow, which `drumsynth
        # protocol` never needs.
        from oscserver.engine import ModelError, open_model

        try:
            self.engine = open_model(self.model, warmup=self.warmup)
        except ModelError as err:
            raise StartupError(str(err)) from err
        return self.engine


@dataclass
class Request:
    """A validated call waiting for the worker.

    Attributes:
        call: The validated call.
        sender: Where it came from (replies go to its reply address).
        received: `time.perf_counter()` at receipt.
    """

    call: Call
    sender: Addr
    received: float

    @property
    def coalesce_key(self) -> Hashable | None:
        """Renders coalesce per target slot; other queued calls queue alone."""
        return self.call.slot if self.call.spec.renders else None

    def replaces(self, other: Any) -> bool:
        """An absolute request replaces all; a relative one replaces its own address only."""
        if not self.call.relative:
            return True
        return isinstance(other, Request) and other.call.spec is self.call.spec

    @property
    def slots(self) -> tuple[str, ...]:
        """The slots it writes or reads: its target and its sources."""
        return tuple(s for s in (self.call.slot, *self.call.sources) if s is not None)


def touches(slots: Sequence[str], held: Collection[str]) -> bool:
    """True when any of `slots` is a held slot or one of its hit slots (`<held>-<i>`)."""
    return any(s in held or any(s.startswith(f"{h}-") for h in held) for s in slots)


def live_selector(held: Collection[str]) -> Callable[[list[Request]], bool]:
    """Picks, in queue order, the entries the live lane may serve now: all their requests live,
    touching no slot in `held` (the job's in flight) nor one that an entry left behind writes.
    For `SlotQueue.take`."""
    blocked = set(held)

    def accept(requests: list[Request]) -> bool:
        if all(r.call.lane == "live" for r in requests) and not any(
            touches(r.slots, blocked) for r in requests
        ):
            return True
        blocked.update(r.call.slot for r in requests if r.call.slot is not None)
        return False

    return accept


class Stats:
    """Counters for `/drum/status`; thread-safe."""

    def __init__(self) -> None:
        self.started = time.monotonic()
        self.requests = 0
        self.done = 0
        self.failed = 0
        self.coalesced = 0
        self.throttled = 0  # failure replies held back by the per-host budget
        self.cancelled = 0
        self._ms: deque[float] = deque(maxlen=2000)
        self._lock = threading.Lock()

    def count(self, name: str, n: int = 1) -> None:
        """Adds n to a counter."""
        with self._lock:
            setattr(self, name, getattr(self, name) + n)

    def record(self, ms: float) -> None:
        """Records one request's time from receipt to file in place."""
        with self._lock:
            self._ms.append(ms)
            self.done += 1

    def percentiles(self) -> tuple[float, float]:
        """Median and p99 of the last 2000 render times, in ms (0 before any)."""
        with self._lock:
            values = list(self._ms)
        if not values:
            return 0.0, 0.0
        return statistics.median(values), float(np.percentile(values, 99))


@dataclass
class Job:
    """The job-lane request the worker is serving now.

    Attributes:
        request: The request.
        deadline: `time.monotonic()` past which it is stopped.
        reported: `time.monotonic()` of its last `/drum/progress` (its start before any).
        resumed: `time.monotonic()` when its current chunk began (its start before any).
        stop: Why it must stop (set by `/drum/cancel`), or None.
        grace: `time.monotonic()` past which shutdown stops it, or None.
        thread: The thread its engine work runs on (its checks count there only).
    """

    request: Request
    deadline: float
    reported: float
    resumed: float
    stop: str | None = None
    grace: float | None = None
    thread: threading.Thread | None = None

    @property
    def slot(self) -> str | None:
        """Its target slot (what `/drum/cancel` names)."""
        return self.request.call.slot


class Server:
    """One OSC server: a transport, a queue, one worker and the engine.

    Args:
        config: What to serve and where.
    """

    def __init__(self, config: Config) -> None:
        self.config = config
        self.stats = Stats()
        self.ready = threading.Event()
        self._stop = threading.Event()
        self._queue: SlotQueue[Request] = SlotQueue(config.queue_size)
        self.throttle = LogThrottle(log)
        self.transport = Transport(
            config.host, config.port, self.on_message, never_answer=NEVER_ANSWERED,
            throttle=self.throttle,
        )  # fmt: skip
        self._fail_budget = FailBudget()
        self._worker: threading.Thread | None = None
        self._job: Job | None = None
        self._job_lock = threading.Lock()
        self._live_idle = threading.Event()  # clear while the worker renders beside a job
        self._live_idle.set()
        self._signals = 0
        self.folder: OutputFolder | None = None
        self.engine: Engine | None = None
        self.slots: SlotStore | None = None
        self.handlers: Handlers | None = None
        self.context: Context | None = None

    # life cycle -------------------------------------------------------------------------------

    def startup(self) -> None:
        """Checks exposure, locks the output folder, binds the socket, then loads the model.

        Raises:
            StartupError: exposure without --allow, unusable or shared folder, port taken,
                missing or broken model.
        """
        config = self.config
        self.transport.allowed = config.exposure()
        if config.fmt not in WAV_SUBTYPES:
            raise StartupError(
                f"unknown WAV format {config.fmt!r}; choose {', '.join(WAV_SUBTYPES)}"
            )
        folder = OutputFolder(Path(config.out or default_out_dir()), config.min_free)
        try:
            folder.open()
        except (OutputUnavailable, OutputLocked) as err:
            raise StartupError(str(err)) from None
        self.folder = folder
        remove_stale_temporaries(folder.path)  # ours alone: the folder is locked
        try:
            host, port = self.transport.open()
        except OSError as err:
            raise StartupError(
                f"cannot listen on udp://{config.host}:{config.port}: {err.strerror or err}"
            ) from err
        engine = config.load()
        self.engine = engine
        out_rate = config.sr or engine.sample_rate
        self.slots = SlotStore(folder, engine.sample_rate, out_rate, config.fmt, config.max_slots)
        presets = PresetStore(presets_file(config.presets, engine.name), engine.name)
        presets.load()
        self.handlers = Handlers(
            engine, self.slots, np.random.default_rng(), ReadPolicy.under(config.allow_read),
            self._between_chunks, presets,
        )  # fmt: skip
        try:
            wek = canonical_slot(config.wekinator_slot, "--wekinator-slot")
        except ValueError as err:
            raise StartupError(str(err)) from None
        self.context = Context(tuple(engine.classes), int(engine.pca_axes), wek)
        self._worker = threading.Thread(target=self._work, name="drumsynth-worker", daemon=True)
        self._worker.start()
        self.ready.set()
        if not is_loopback(config.host):
            log.warning(
                "listening on %s: hosts in %s may render and read audio under %s",
                config.host, " ".join(config.allow), " ".join(map(str, config.allow_read)),
            )  # fmt: skip
        log.info(
            "drumsynth ready in %.1f s on udp://%s:%d, model %s (%s, %s), %s WAV at %d Hz into %s",
            time.monotonic() - self.stats.started,
            host,
            port,
            engine.name,
            engine.device,
            " ".join(engine.classes),
            config.fmt,
            out_rate,
            folder.path,
        )

    def main_loop(self) -> None:
        """Receives until `stop()` (or a signal)."""
        self.transport.serve(self._stop)

    def shutdown(self) -> None:
        """Refuses the queued requests, gives the one in flight SHUTDOWN_GRACE_S to finish (a
        job stops with a reply just before, anything else is abandoned), closes the socket,
        removes temporary files and the lock."""
        self._stop.set()
        for request in self._queue.close():
            call = request.call
            self._fail(request.sender, call.spec.address, call.slot, "server is shutting down")
        with self._job_lock:
            if self._job is not None:  # its chunks go on within the grace, then it stops
                self._job.grace = time.monotonic() + SHUTDOWN_GRACE_S - 0.5
        if self._worker is not None:
            self._worker.join(SHUTDOWN_GRACE_S)
            if self._worker.is_alive():
                log.warning("abandoned the render in flight after %g s", SHUTDOWN_GRACE_S)
        self.transport.close()
        if self.folder is not None:
            remove_stale_temporaries(self.folder.path)
            self.folder.close()
        self.throttle.flush()
        if self.ready.is_set():
            log.info("drumsynth stopped")
        self.ready.clear()

    def stop(self) -> None:
        """Asks the main loop to end; safe from any thread or a signal handler."""
        self._stop.set()

    def run(self) -> None:
        """startup -> main_loop -> shutdown, with SIGINT and SIGTERM stopping the loop.

        Raises:
            StartupError: the server could not start (nothing is left running).
        """
        restore = self._install_signals()
        try:
            try:
                self.startup()
            except BaseException:
                self.shutdown()
                raise
            try:
                self.main_loop()
            finally:
                self.shutdown()
        finally:
            for sig, handler in restore.items():
                signal.signal(sig, handler)

    def _install_signals(self) -> dict[int, Any]:
        if threading.current_thread() is not threading.main_thread():
            return {}

        def on_signal(signum: int, frame: FrameType | None) -> None:
            self._signals += 1
            name = signal.Signals(signum).name
            if self._signals == 1:
                log.info("received %s, stopping (again to exit at once)", name)
                self.stop()
                return
            log.warning("received %s again, exiting now", name)
            if self.folder is not None:
                remove_stale_temporaries(self.folder.path)
                self.folder.close()
            os._exit(128 + signum)

        restore: dict[int, Any] = {}
        for sig in (signal.SIGINT, signal.SIGTERM):
            restore[sig] = signal.signal(sig, on_signal)
        return restore

    # receive path ------------------------------------------------------------------------------

    def on_message(self, address: str, values: list[Any], sender: Addr, received: float) -> None:
        """Parses, validates and enqueues one message (or answers it at once)."""
        self.stats.count("requests")
        assert self.context is not None
        try:
            call = parse(address, values, self.context)
        except RequestError as err:
            self._fail(sender, err.cmd, err.slot, err.reason, received)
            return
        if not call.spec.queued:
            try:
                getattr(self, f"on_{call.spec.handler}")(call, sender)
            except RequestError as err:
                self._fail(sender, address, call.slot, err.reason, received)
                return
            self._log_request(address, call.slot, received, "answered")
            return
        put = self._queue.put(Request(call, sender, received))
        if put.result is PutResult.COALESCED:
            self.stats.count("coalesced", len(put.replaced))
            for old in put.replaced:
                self._log_request(address, call.slot, old.received, "coalesced")
        elif put.result is PutResult.BUSY:
            self._fail(sender, address, call.slot, "busy", received)
        elif put.result is PutResult.CLOSED:
            self._fail(sender, address, call.slot, "server is shutting down", received)

    def on_ping(self, call: Call, sender: Addr) -> None:
        """`/drum/ping` -> `/drum/pong`."""
        self._send(sender, "/drum/pong")

    def on_info(self, call: Call, sender: Addr) -> None:
        """`/drum/info` -> key-value pairs."""
        assert self.engine is not None and self.slots is not None
        engine = self.engine
        self._send(
            sender,
            "/drum/info",
            "model", engine.name,
            "version", __version__,
            "format", str(engine.format_version),
            "sr", self.slots.out_rate,
            "frames", self.slots.frames_at_out_rate(engine.frames),
            "classes", " ".join(engine.classes),
            "pca", int(engine.pca_axes),
            "device", engine.device,
            "port", self.transport.address[1],
        )  # fmt: skip

    def on_status(self, call: Call, sender: Addr) -> None:
        """`/drum/status` -> counters."""
        assert self.slots is not None
        median, p99 = self.stats.percentiles()
        s, t = self.stats, self.transport
        self._send(
            sender,
            "/drum/status",
            "requests", s.requests,
            "done", s.done,
            "failed", s.failed,
            "coalesced", s.coalesced,
            "queue", len(self._queue),
            "uptime", round(time.monotonic() - s.started, 3),
            "median", round(median, 3),
            "p99", round(p99, 3),
            "malformed", t.malformed,
            "dropped", t.dropped,
            "ignored", t.ignored,
            "errors", t.errors,
            "throttled", s.throttled,
            "cancelled", s.cancelled,
            "slots", len(self.slots),
            "evicted", self.slots.evicted,
        )  # fmt: skip

    def on_reply(self, call: Call, sender: Addr) -> None:
        """`/drum/reply [host] port`: later replies to this sender go there."""
        target = (call.args.get("host") or sender[0], call.args["port"])
        if self.transport.is_own(target):
            raise RequestError(call.spec.address, None, "reply address is this server's own")
        if target[0] not in self.transport.allowed:
            raise RequestError(
                call.spec.address, None, f"reply host {target[0]} is not allowed (see --allow)"
            )
        self.transport.set_reply_address(sender, target)
        self._send(sender, "/drum/reply", target[0], target[1])

    def on_cancel(self, call: Call, sender: Addr) -> None:
        """`/drum/cancel slot`: drops the slot's queued requests and stops its job in flight."""
        assert call.slot is not None
        dropped = self._queue.cancel(call.slot)
        for request in dropped:
            self._fail(request.sender, request.call.spec.address, call.slot, "cancelled")
        stopped = 0
        with self._job_lock:
            job = self._job
            if job is not None and job.slot == call.slot and job.stop is None:
                job.stop = "cancelled"
                stopped = 1
        self.stats.count("cancelled", len(dropped) + stopped)
        self._send(sender, "/drum/cancelled", slot_reply_value(call.slot), len(dropped) + stopped)

    # worker ------------------------------------------------------------------------------------

    def _work(self) -> None:
        while True:
            requests = self._queue.get(timeout=0.5)
            if requests is None:
                if self._queue.closed:
                    return
                continue
            try:
                if all(r.call.lane == "live" for r in requests):
                    more = self._queue.take(live_selector(()), self._queue.maxsize)
                    self._serve_live([requests, *more])
                else:
                    for request in requests:  # a job, and what was queued behind it for its slot
                        if request.call.lane == "job":
                            self._serve_job(request)
                        else:
                            self._serve(request)
            except Exception:  # the worker outlives any one request
                self.throttle.log(logging.ERROR, "worker", "serving %s failed",
                                  requests[0].call.spec.address, exc=True)  # fmt: skip

    def _serve_job(self, request: Request) -> None:
        """Serves a job-lane request: its engine work beside the live lane (`_beside`), then
        its storing step and its answer here; `_between_chunks` checks it between chunks."""
        assert self.handlers is not None
        handlers, call = self.handlers, request.call
        now = time.monotonic()
        job = Job(request, now + self.config.deadline, now, now)
        with self._job_lock:
            self._job = job
        try:
            if not handlers.can_work(call):  # no work to hand over: in turn, still checked
                job.thread = threading.current_thread()
                self._serve(request)
                return
            work = self._outcome(request, lambda: handlers.work(call))
            if work is None:
                return
            outcome = self._outcome(request, lambda: work.finish(self._beside(job, work)))
            if outcome is not None:
                self._answer(request, outcome)
        finally:
            with self._job_lock:
                self._job = None

    def _beside(self, job: Job, work: Work) -> Any:
        """Runs `work.compute` on a thread of its own while this worker serves the live entries
        that touch none of the job's slots (batched, as ever). Returns the work's result once
        it is over, or raises its exception here."""
        ended: dict[str, Any] = {}
        finished = threading.Event()

        def run() -> None:
            try:
                ended["value"] = work.compute(self._between_chunks)
            except BaseException as err:  # raised again on the worker, which answers it
                ended["error"] = err
            finally:
                finished.set()
                self._queue.wake()

        job.thread = threading.Thread(target=run, name="drumsynth-job", daemon=True)
        job.thread.start()
        held = (job.slot,) if job.slot is not None else ()
        while not finished.is_set():
            seen = self._queue.changes
            live = self._queue.take(live_selector(held), self._queue.maxsize)
            if live:
                self._live_idle.clear()
                try:
                    self._serve_live(live)
                except Exception:  # the job goes on whatever a live batch does
                    self.throttle.log(logging.ERROR, "worker", "serving beside %s failed",
                                      job.request.call.spec.address, exc=True)  # fmt: skip
                finally:
                    self._live_idle.set()
            elif self._queue.closed:
                finished.wait(0.5)
            else:
                self._queue.wait_change(seen, 0.5)
        if "error" in ended:
            raise ended["error"]
        return ended["value"]

    def _between_chunks(self, fraction: float) -> None:
        """The handlers' check, called on the job's thread between its chunks with the fraction
        done: stops the job when cancelled or overdue, reports its progress, and holds it back
        while the worker renders live requests, for no longer than its last chunk took (so a
        live render shares the cores with at most one chunk, and a stream of them cannot
        starve the job). Does nothing on any other thread (a live request's work)."""
        with self._job_lock:
            job = self._job
        if job is None or job.thread is not threading.current_thread():
            return
        self._check_job(job)
        now = time.monotonic()
        if fraction > 0.0 and now - job.reported >= PROGRESS_EVERY_S:  # once it has done some
            job.reported = now
            call = job.request.call
            slot = slot_reply_value(call.slot) if call.slot else ""
            self._send(job.request.sender, "/drum/progress", call.spec.address, slot,
                       round(min(max(fraction, 0.0), 1.0), 4))  # fmt: skip
        if not self._live_idle.is_set():
            self._live_idle.wait(max(now - job.resumed, JOB_SLICE_S))
            self._check_job(job)  # cancelled while the live requests rendered
        job.resumed = time.monotonic()

    def _check_job(self, job: Job) -> None:
        """Raises Stopped when the job was cancelled or is past its deadline."""
        if job.stop is not None:
            raise Stopped(job.stop)
        if job.grace is not None and time.monotonic() > job.grace:
            raise Stopped("server is shutting down")
        if time.monotonic() > job.deadline:
            raise Stopped(f"deadline exceeded ({self.config.deadline:g} s)")

    def _serve_live(self, entries: list[list[Request]]) -> None:
        """Serves live entries in queue order, the single renders of different slots together
        in batched engine calls; a lone render takes its handler's own (fastest) path."""
        assert self.handlers is not None
        handlers = self.handlers
        batchable = [e for e in entries if len(e) == 1 and handlers.can_batch(e[0].call)]
        if len(batchable) < 2:
            for requests in entries:
                for request in requests:
                    self._serve(request)
            return
        pending: list[tuple[Request, Plan]] = []
        for requests in entries:
            request = requests[0]
            if len(requests) != 1 or not handlers.can_batch(request.call):
                self._render_batch(pending)  # it may read what the batch writes
                for request in requests:
                    self._serve(request)
                continue
            if touches(request.slots, [r.call.slot for r, _ in pending if r.call.slot]):
                self._render_batch(pending)  # it reads or writes what the batch writes
            plan = self._outcome(request, lambda r=request: handlers.plan(r.call))
            if plan is not None:
                pending.append((request, plan))
            if len(pending) >= LIVE_BATCH:
                self._render_batch(pending)
        self._render_batch(pending)

    def _render_batch(self, pending: list[tuple[Request, Plan]]) -> None:
        """Renders the pending plans in one engine call, stores and answers each; empties it."""
        assert self.handlers is not None
        if not pending:
            return
        batch = list(pending)
        pending.clear()
        try:
            latents, audio = self.handlers.render([plan for _, plan in batch])
        except Exception as err:
            self.throttle.log(logging.ERROR, "internal", "batch of %d failed", len(batch),
                              exc=True)  # fmt: skip
            for request, _ in batch:
                self._failure(request, err)
            return
        for (request, plan), w, sound in zip(batch, latents, audio, strict=True):
            outcome = self._outcome(request, lambda p=plan, a=sound, w=w: p.finish(a, w))
            if outcome is not None:
                self._answer(request, outcome)

    def _serve(self, request: Request) -> None:
        assert self.handlers is not None
        call = request.call
        outcome = self._outcome(request, lambda: getattr(self.handlers, call.spec.handler)(call))
        if outcome is not None:
            self._answer(request, outcome)

    def _outcome(self, request: Request, produce: Callable[[], Any]) -> Any:
        """What `produce` returns, or None after answering its failure."""
        try:
            return produce()
        except Exception as err:
            if not isinstance(err, ValueError):
                self.throttle.log(logging.ERROR, "internal", "%s %s failed",
                                  request.call.spec.address, request.call.slot,
                                  exc=True)  # fmt: skip
            self._failure(request, err)
            return None

    def _failure(self, request: Request, err: Exception) -> None:
        """`/drum/fail` for an exception: ValueError (UnknownSlot, InputRefused,
        OutputUnavailable, Stopped, ...) says its reason, anything else is an internal error."""
        reason = str(err) if isinstance(err, ValueError) else f"internal error: {err}"
        call = request.call
        self._fail(request.sender, call.spec.address, call.slot, reason, request.received)

    def _answer(self, request: Request, outcome: Outcome) -> None:
        """Sends a handler's outcome: its message, or `/drum/done` with the time since receipt."""
        assert self.slots is not None
        call = request.call
        cmd = call.spec.address
        if isinstance(outcome, Message):
            self._log_request(cmd, call.slot, request.received, "answered")
            self._send(request.sender, outcome.address, *outcome.args)
            return
        assert isinstance(outcome, Done)
        ms = (time.perf_counter() - request.received) * 1000.0
        self.stats.record(ms)
        assert call.slot is not None
        self._log_request(cmd, call.slot, request.received, "done")
        self._send(
            request.sender,
            "/drum/done",
            cmd,
            slot_reply_value(call.slot),
            str(outcome.path),
            outcome.frames,
            self.slots.out_rate,
            round(ms, 3),
            *outcome.extra,
        )

    # replies -----------------------------------------------------------------------------------

    def _send(self, sender: Addr, address: str, *args: Any) -> None:
        self.transport.send(self.transport.reply_address(sender), address, args)

    def _fail(
        self, sender: Addr, cmd: str, slot: str | None, reason: str, received: float | None = None
    ) -> None:
        """Answers `/drum/fail`, within the per-host budget (past it the reply is counted)."""
        self.stats.count("failed")
        self._log_request(cmd, slot, received, f"fail: {reason}")
        target = self.transport.reply_address(sender)
        if not self._fail_budget.take(target[0]):
            self.stats.count("throttled")
            return
        slot_value: int | str = slot_reply_value(slot) if slot else ""
        self.transport.send(target, "/drum/fail", (cmd, slot_value, reason[:300]))

    def _log_request(self, cmd: str, slot: str | None, received: float | None, result: str) -> None:
        """`--log-level debug`: one line per request: address, slot, ms, result."""
        if log.isEnabledFor(logging.DEBUG):
            ms = (time.perf_counter() - received) * 1000.0 if received is not None else 0.0
            log.debug("%s %s %.1f ms %s", cmd, slot or "-", ms, result[:200])


def run(
    *,
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    model: Path | None = None,
    out: Path | None = None,
    fmt: str = "float32",
    sr: int | None = None,
    queue_size: int = DEFAULT_QUEUE,
    warmup: bool = True,
    allow: tuple[str, ...] = (),
    allow_read: tuple[Path, ...] = (),
    max_slots: int = DEFAULT_MAX_SLOTS,
    deadline: float = DEFAULT_DEADLINE_S,
    presets: Path | None = None,
    wekinator_slot: str = "wek",
    log_level: str = "info",
) -> None:
    """Serves until SIGINT or SIGTERM. Raises StartupError (one line) when it cannot start.

    Args: as `Config`'s attributes; `log_level` sets the log lines on stderr when the caller
    configured no logging of its own.
    """
    root = logging.getLogger()
    if not root.handlers:
        logging.basicConfig(
            level=log_level.upper(),
            format="%(asctime)s %(levelname)s %(message)s",
            stream=sys.stderr,
        )
    config = Config(
        host=host,
        port=port,
        model=model,
        out=out,
        fmt=fmt,
        sr=sr,
        queue_size=queue_size,
        warmup=warmup,
        allow=allow,
        allow_read=allow_read,
        max_slots=max_slots,
        deadline=deadline,
        presets=presets,
        wekinator_slot=wekinator_slot,
    )
    Server(config).run()
