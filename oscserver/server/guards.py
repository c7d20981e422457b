"""The server's guards against its own network: who may talk to it, how many failure replies one
host gets, and log lines that repeat.

Each guard is a small object the server owns (no module state); all are thread-safe.
"""

from __future__ import annotations

import ipaddress
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from oscserver.limits import FAIL_BURST, FAIL_RATE, LOG_THROTTLE_S, MAX_TRACKED_HOSTS

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_networks(specs: Iterable[str]) -> tuple[Network, ...]:
    """ "10.0.0.0/8", "192.168.1.20" -> networks (a bare address is a /32 or /128).

    Raises:
        ValueError: a spec that is not an address or a CIDR network, naming it.
    """
    networks = []
    for spec in specs:
        try:
            networks.append(ipaddress.ip_network(spec.strip(), strict=False))
        except ValueError:
            raise ValueError(f"not an address or CIDR network: {spec!r}") from None
    return tuple(networks)


def is_loopback(host: str) -> bool:
    """True for 127.0.0.0/8, ::1 and `localhost`."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True)
class Allowed:
    """Where datagrams may come from, and replies may go: loopback, plus `networks`.

    Attributes:
        networks: Extra networks (`serve --allow`); empty for loopback only.
    """

    networks: tuple[Network, ...] = ()

    def __contains__(self, host: str) -> bool:
        try:
            ip = ipaddress.ip_address(host.split("%", 1)[0])
        except ValueError:
            return False
        mapped = getattr(ip, "ipv4_mapped", None)  # ::ffff:10.0.0.1 on a dual-stack socket
        ip = mapped or ip
        return ip.is_loopback or any(
            ip in net for net in self.networks if net.version == ip.version
        )


@dataclass
class FailBudget:
    """A token bucket per host for `/drum/fail` replies: `burst` at once, `rate` a second.

    A flood of bad requests (or of spoofed ones aimed at a victim) gets at most that many
    failure replies; the rest are counted, not sent. The least recently seen hosts are forgotten
    past `max_hosts`.
    """

    rate: float = FAIL_RATE
    burst: float = FAIL_BURST
    max_hosts: int = MAX_TRACKED_HOSTS
    clock: Callable[[], float] = time.monotonic
    _hosts: OrderedDict[str, tuple[float, float]] = field(default_factory=OrderedDict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def take(self, host: str) -> bool:
        """True when `host` may be sent one more failure reply now (and counts it)."""
        now = self.clock()
        with self._lock:
            tokens, last = self._hosts.pop(host, (self.burst, now))
            tokens = min(self.burst, tokens + (now - last) * self.rate)
            allowed = tokens >= 1.0
            self._hosts[host] = (tokens - 1.0 if allowed else tokens, now)
            while len(self._hosts) > self.max_hosts:
                self._hosts.popitem(last=False)
            return allowed


class LogThrottle:
    """Writes a repeated log line once per `window` seconds, then how many were held back.

    Args:
        logger: Where the lines go.
        window: Seconds during which further lines of the same key are only counted.
        clock: Monotonic seconds (a test passes its own).
    """

    def __init__(
        self,
        logger: logging.Logger,
        window: float = LOG_THROTTLE_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.logger = logger
        self.window = window
        self.clock = clock
        self._keys: dict[str, tuple[float, int]] = {}
        self._lock = threading.Lock()

    def log(self, level: int, key: str, msg: str, *args: object, exc: bool = False) -> bool:
        """Logs `msg % args` unless a line of `key` was written less than `window` ago.

        Returns:
            True when the line was written, False when it was only counted.
        """
        if not self.logger.isEnabledFor(level):
            return False
        now = self.clock()
        with self._lock:
            since, held = self._keys.get(key, (-float("inf"), 0))
            if now - since < self.window:
                self._keys[key] = (since, held + 1)
                return False
            self._keys[key] = (now, 0)
        if held:
            msg += f" (and {held} more like this in the last {self.window:g} s)"
        self.logger.log(level, msg, *args, exc_info=exc)
        return True

    def flush(self) -> None:
        """Writes how many lines of each key are still held back (at shutdown)."""
        with self._lock:
            held = {k: n for k, (_, n) in self._keys.items() if n}
            self._keys.clear()
        for key, n in held.items():
            self.logger.warning("%d more %s lines were held back", n, key)
