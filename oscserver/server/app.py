"""The server's life cycle: load the model -> warm up -> open the socket -> serve -> drain -> close.

`run(*, ...)` is what `drumsynth serve` calls: it builds a `Config`, hands it to a `Server` and
runs it until SIGINT or SIGTERM. The receive path (the main thread) only parses, validates and
enqueues; one worker thread owns the engine and the slots.
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
from collections.abc import Hashable
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import Any

import numpy as np

from oscserver import __version__
from oscserver.audio.io import WAV_SUBTYPES
from oscserver.server.handlers import Done, Engine, Handlers, Message
from oscserver.server.protocol import Call, Context, RequestError, parse, slot_reply_value
from oscserver.server.queue import PutResult, SlotQueue
from oscserver.server.slots import SlotStore, remove_stale_temporaries
from oscserver.server.transport import Addr, Transport

log = logging.getLogger(__name__)

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 57300
DEFAULT_QUEUE = 64
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
    """

    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT
    model: Path | None = None
    out: Path | None = None
    fmt: str = "float32"
    sr: int | None = None
    queue_size: int = DEFAULT_QUEUE
    warmup: bool = True
    engine: Engine | None = field(default=None, repr=False)

    def load(self) -> Engine:
        """Loads (and warms up) the engine: the heavy step. Raises StartupError."""
        if self.engine is not None:
            return self.engine
        if self.fmt not in WAV_SUBTYPES:
            raise StartupError(f"unknown WAV format {self.fmt!r}; choose {', '.join(WAV_SUBTYPES)}")
        missing = "no model at {}: pass --model or set DRUMSYNTH_MODEL"
        if self.model is not None and not Path(self.model).exists():
            raise StartupError(missing.format(self.model))  # before the slow import
        # Imported here: the engine pulls in TensorFlow, which `drumsynth protocol` never needs.
        from oscserver.engine import DrumEngine, default_model_path
        from oscserver.model.artifact import ArtifactError

        path = Path(self.model) if self.model is not None else Path(default_model_path())
        if not path.exists():
            raise StartupError(missing.format(path))
        try:
            self.engine = DrumEngine.load(path, warmup=self.warmup)
        except (ArtifactError, OSError, ValueError) as err:
            raise StartupError(f"cannot load the model at {path}: {err}") from err
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


class Stats:
    """Counters for `/drum/status`; thread-safe."""

    def __init__(self) -> None:
        self.started = time.monotonic()
        self.requests = 0
        self.done = 0
        self.failed = 0
        self.coalesced = 0
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
        self.transport = Transport(config.host, config.port, self.on_message)
        self._worker: threading.Thread | None = None
        self.engine: Engine | None = None
        self.slots: SlotStore | None = None
        self.handlers: Handlers | None = None
        self.context: Context | None = None

    # life cycle -------------------------------------------------------------------------------

    def startup(self) -> None:
        """Loads the model, prepares the output folder, opens the socket, starts the worker.

        Raises:
            StartupError: missing or broken model, unusable folder, port taken.
        """
        engine = self.config.load()
        self.engine = engine
        out = Path(self.config.out or default_out_dir()).expanduser()
        out_rate = self.config.sr or engine.sample_rate
        try:
            self.slots = SlotStore(out, engine.sample_rate, out_rate, self.config.fmt)
        except OSError as err:
            raise StartupError(f"cannot use the output folder {out}: {err}") from err
        remove_stale_temporaries(self.slots.out_dir)
        self.handlers = Handlers(engine, self.slots, np.random.default_rng())
        self.context = Context(tuple(engine.classes), int(engine.pca_axes))
        try:
            host, port = self.transport.open()
        except OSError as err:
            raise StartupError(
                f"cannot listen on udp://{self.config.host}:{self.config.port}: "
                f"{err.strerror or err}"
            ) from err
        self._worker = threading.Thread(target=self._work, name="drumsynth-worker", daemon=True)
        self._worker.start()
        self.ready.set()
        log.info(
            "drumsynth ready on udp://%s:%d, model %s (%s, %s), %s WAV at %d Hz into %s",
            host,
            port,
            engine.name,
            engine.device,
            " ".join(engine.classes),
            self.config.fmt,
            out_rate,
            self.slots.out_dir,
        )

    def main_loop(self) -> None:
        """Receives until `stop()` (or a signal)."""
        self.transport.serve(self._stop)

    def shutdown(self) -> None:
        """Finishes the request in progress, refuses the queued ones, closes the socket."""
        self._stop.set()
        for request in self._queue.close():
            call = request.call
            self._fail(request.sender, call.spec.address, call.slot, "server is shutting down")
        if self._worker is not None:
            self._worker.join()
        self.transport.close()
        if self.slots is not None:
            remove_stale_temporaries(self.slots.out_dir)
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
            log.info("received %s, stopping", signal.Signals(signum).name)
            self.stop()

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
            self._fail(sender, err.cmd, err.slot, err.reason)
            return
        if not call.spec.queued:
            try:
                getattr(self, f"on_{call.spec.handler}")(call, sender)
            except Exception as err:  # never let one message end the receive loop
                log.exception("%s failed", address)
                self._fail(sender, address, call.slot, f"internal error: {err}")
            return
        put = self._queue.put(Request(call, sender, received))
        if put.result is PutResult.COALESCED:
            self.stats.count("coalesced", len(put.replaced))
        elif put.result is PutResult.BUSY:
            self._fail(sender, address, call.slot, "busy")
        elif put.result is PutResult.CLOSED:
            self._fail(sender, address, call.slot, "server is shutting down")

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
        median, p99 = self.stats.percentiles()
        s = self.stats
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
        )  # fmt: skip

    def on_reply(self, call: Call, sender: Addr) -> None:
        """`/drum/reply [host] port`: later replies to this sender go there."""
        target = (call.args.get("host") or sender[0], call.args["port"])
        self.transport.set_reply_address(sender, target)
        self._send(sender, "/drum/reply", target[0], target[1])

    # worker ------------------------------------------------------------------------------------

    def _work(self) -> None:
        while True:
            requests = self._queue.get(timeout=0.5)
            if requests is None:
                if self._queue.closed:
                    return
                continue
            for request in requests:
                try:
                    self._serve(request)
                except Exception:  # the worker outlives any one request
                    log.exception("serving %s failed", request.call.spec.address)

    def _serve(self, request: Request) -> None:
        assert self.handlers is not None and self.slots is not None
        call = request.call
        cmd = call.spec.address
        try:
            outcome = getattr(self.handlers, call.spec.handler)(call)
        except ValueError as err:  # UnknownSlot, AudioReadError, the engine's own checks
            self._fail(request.sender, cmd, call.slot, str(err))
            return
        except Exception as err:
            log.exception("%s %s failed", cmd, call.slot)
            self._fail(request.sender, cmd, call.slot, f"internal error: {err}")
            return
        if isinstance(outcome, Message):
            self._send(request.sender, outcome.address, *outcome.args)
            return
        assert isinstance(outcome, Done)
        ms = (time.perf_counter() - request.received) * 1000.0
        self.stats.record(ms)
        assert call.slot is not None
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

    def _fail(self, sender: Addr, cmd: str, slot: str | None, reason: str) -> None:
        self.stats.count("failed")
        log.debug("fail %s %s: %s", cmd, slot, reason)
        slot_value: int | str = slot_reply_value(slot) if slot else ""
        self._send(sender, "/drum/fail", cmd, slot_value, reason[:300])


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
    )
    Server(config).run()
