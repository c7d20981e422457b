"""A bounded request queue with per-slot coalescing, drained by one worker.

Each queued entry holds the pending requests of one slot, at the position where the slot first
entered the queue. A newer request for a slot that is still queued replaces what it makes
obsolete, so a sensor sending 200 messages a second gets the latest state rendered, never a
growing backlog:

- a request that does not depend on the slot's own earlier state (seed, random, morph, path,
  invert) replaces everything queued for that slot;
- a request that does (pca: it moves around the base latent that a seed sets) replaces only the
  queued requests of its own address, keeping a queued seed in front of it.

The requests decide (`replaces`); the queue only applies the decision.

Requests without a slot to coalesce on (e.g. `/drum/latent`) queue on their own.
Thread-safe: the receive path puts, the worker gets (the oldest entry) or takes (the entries a
lane wants, past the ones it leaves in place). While a job runs beside it, the worker waits for
the queue to change (`wait_change`) rather than for its oldest entry.
"""

from __future__ import annotations

import itertools
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Generic, Protocol, TypeVar


class Coalescable(Protocol):
    """What the queue needs to know of a request."""

    @property
    def coalesce_key(self) -> Hashable | None:
        """The slot it writes (requests with the same key coalesce), or None to queue alone."""

    def replaces(self, other: Any) -> bool:
        """True when this request makes `other`, queued earlier for the same slot, obsolete."""


T = TypeVar("T", bound=Coalescable)


class PutResult(Enum):
    """What `SlotQueue.put` did with a request."""

    QUEUED = "queued"  # a new entry at the back
    COALESCED = "coalesced"  # merged into the slot's queued entry
    BUSY = "busy"  # the queue is full; the request was refused
    CLOSED = "closed"  # the server is shutting down; the request was refused


@dataclass
class Entry(Generic[T]):
    """The pending requests of one slot, served in order by the worker.

    Attributes:
        requests: In the order they will be served.
    """

    requests: list[T] = field(default_factory=list)


@dataclass(frozen=True)
class Put(Generic[T]):
    """The outcome of a put.

    Attributes:
        result: What happened.
        replaced: The requests the new one made obsolete (they get no reply of their own).
    """

    result: PutResult
    replaced: tuple[T, ...] = ()


class SlotQueue(Generic[T]):
    """Bounded FIFO of per-slot entries.

    Args:
        maxsize: Most entries (slots) waiting at once; past it `put` answers BUSY.
    """

    def __init__(self, maxsize: int = 64) -> None:
        if maxsize < 1:
            raise ValueError(f"maxsize must be >= 1, got {maxsize}")
        self.maxsize = maxsize
        self._entries: OrderedDict[Hashable, Entry[T]] = OrderedDict()
        self._cond = threading.Condition()
        self._closed = False
        self._unique = itertools.count()
        self._changes = 0  # puts, closes and wakes so far: what `wait_change` waits on

    def __len__(self) -> int:
        with self._cond:
            return len(self._entries)

    @property
    def closed(self) -> bool:
        """True once `close` was called."""
        return self._closed

    def put(self, request: T) -> Put[T]:
        """Queues a request, coalescing it with what is queued for its slot."""
        with self._cond:
            if self._closed:
                return Put(PutResult.CLOSED)
            key = request.coalesce_key
            entry = self._entries.get(key) if key is not None else None
            if entry is not None:
                kept = [r for r in entry.requests if not request.replaces(r)]
                replaced = tuple(r for r in entry.requests if request.replaces(r))
                entry.requests = [*kept, request]
                self._changed()
                return Put(PutResult.COALESCED, replaced)
            if len(self._entries) >= self.maxsize:
                return Put(PutResult.BUSY)
            self._entries[key if key is not None else ("unique", next(self._unique))] = Entry(
                [request]
            )
            self._changed()
            return Put(PutResult.QUEUED)

    def get(self, timeout: float | None = None) -> list[T] | None:
        """Takes the oldest entry's requests; None on timeout or once closed and empty."""
        with self._cond:
            if not self._entries and not self._closed:
                self._cond.wait(timeout)
            if not self._entries:
                return None
            _, entry = self._entries.popitem(last=False)
            return entry.requests

    def take(self, accept: Callable[[list[T]], bool], limit: int) -> list[list[T]]:
        """Takes, without waiting, up to `limit` entries that `accept` approves, oldest first.

        `accept` sees every queued entry's requests in queue order (until `limit` are taken), so
        it may remember what it passed over, e.g. to keep a later entry behind an earlier one.
        The entries it refuses keep their places.
        """
        taken: list[list[T]] = []
        with self._cond:
            for key, entry in list(self._entries.items()):
                if len(taken) >= limit:
                    break
                if accept(entry.requests):
                    del self._entries[key]
                    taken.append(entry.requests)
        return taken

    @property
    def changes(self) -> int:
        """A count that grows whenever the queue changes (put, close, `wake`); read it before
        looking at the queue and hand it to `wait_change`."""
        with self._cond:
            return self._changes

    def wait_change(self, seen: int, timeout: float) -> None:
        """Waits until `changes` differs from `seen` (at once when it already does), the queue
        is closed, or `timeout` seconds pass."""
        with self._cond:
            if self._changes == seen and not self._closed:
                self._cond.wait(timeout)

    def wake(self) -> None:
        """Counts as a change: wakes a `wait_change` (e.g. when a job beside the worker ends)."""
        with self._cond:
            self._changed()

    def _changed(self) -> None:
        self._changes += 1
        self._cond.notify_all()

    def cancel(self, key: Hashable) -> list[T]:
        """Takes the requests queued for `key` (a slot) out of the queue and returns them."""
        with self._cond:
            entry = self._entries.pop(key, None)
            return entry.requests if entry is not None else []

    def close(self) -> list[T]:
        """Refuses further puts, wakes the worker and returns every request still queued."""
        with self._cond:
            self._closed = True
            pending = [r for entry in self._entries.values() for r in entry.requests]
            self._entries.clear()
            self._changed()
            return pending
