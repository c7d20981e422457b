"""UDP transport: one socket, OSC 1.0 messages and bundles in, small OSC messages out.

The receive loop only parses datagrams (`wire.parse_datagram`, bounded and iterative) and hands
each message to a callback; it never sleeps on a bundle's time tag and never touches the model.
Nothing one datagram holds can end the loop: every exception is caught, counted and logged
(throttled). Datagrams from hosts outside `allowed` are dropped and counted; messages to
addresses the server only ever sends (`/drum/done`, `/drum/fail`, ...) are never answered, so
two servers, or a server and an echoing client, cannot ping-pong. Replies leave from the same
socket, to the sender's address and port unless the client named another with `/drum/reply`.
"""

from __future__ import annotations

import ipaddress
import logging
import socket
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from typing import Any

from pythonosc.osc_message_builder import OscMessageBuilder

from oscserver.limits import MAX_DATAGRAM, MAX_REPLY_BYTES, MAX_TRACKED_HOSTS
from oscserver.server.guards import Allowed, LogThrottle
from oscserver.server.wire import WireError, parse_datagram

log = logging.getLogger(__name__)

#: A UDP address: (host, port).
Addr = tuple[str, int]

#: Called for each message received: (address, arguments, sender, perf_counter at receipt).
OnMessage = Callable[[str, list[Any], Addr, float], None]

#: Receive buffer asked for, so a burst of a few hundred messages is not dropped by the kernel.
_RCVBUF = 4 * 1024 * 1024

_INT32 = (-(2**31), 2**31 - 1)


def encode(address: str, args: Sequence[Any]) -> bytes:
    """Builds one OSC message: ints as `i` (or `h` past 32 bits), floats `f`, strings `s`."""
    builder = OscMessageBuilder(address=address)
    for value in args:
        if isinstance(value, bool):
            builder.add_arg(value)
        elif isinstance(value, int):
            in32 = _INT32[0] <= value <= _INT32[1]
            builder.add_arg(value, builder.ARG_TYPE_INT if in32 else builder.ARG_TYPE_INT64)
        elif isinstance(value, float):
            builder.add_arg(value, builder.ARG_TYPE_FLOAT)
        else:
            builder.add_arg(osc_string(str(value)), builder.ARG_TYPE_STRING)
    return builder.build().dgram


def osc_string(text: str) -> str:
    """`text` as an OSC string can carry it: NUL (which would end the string early and shift
    every argument after it) and what UTF-8 cannot encode become U+FFFD. Replies echo what a
    client sent (a slot name), so this is what keeps a reply parseable."""
    return text.replace("\x00", "\ufffd").encode("utf-8", "replace").decode("utf-8")


class Transport:
    """One UDP socket serving OSC.

    Args:
        host: Address to bind, e.g. "127.0.0.1" (loopback only) or "0.0.0.0".
        port: Port to bind; 0 picks a free one (see `address`).
        on_message: Receives every message of every datagram, in order.
        allowed: Hosts datagrams are taken from (and replies may be sent to).
        never_answer: Addresses the server itself sends; messages to them are dropped unanswered.
        throttle: Writes the repeated warnings (malformed datagrams, failing handlers).
    """

    def __init__(
        self,
        host: str,
        port: int,
        on_message: OnMessage,
        allowed: Allowed | None = None,
        never_answer: frozenset[str] = frozenset(),
        throttle: LogThrottle | None = None,
    ) -> None:
        self.host = host
        self.port = port
        self.on_message = on_message
        self.allowed = allowed or Allowed()
        self.never_answer = never_answer
        self.throttle = throttle or LogThrottle(log)
        self.malformed = 0  # datagrams that are not OSC within the bounds
        self.dropped = 0  # datagrams from hosts that are not allowed
        self.ignored = 0  # messages to addresses the server only sends
        self.errors = 0  # exceptions caught while handling a datagram
        self._sock: socket.socket | None = None
        self._replies: OrderedDict[Addr, Addr] = OrderedDict()  # bounded: MAX_TRACKED_HOSTS
        self._lock = threading.Lock()

    def open(self) -> Addr:
        """Binds the socket; returns the bound (host, port). Raises OSError (e.g. port in use)."""
        family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_DGRAM)
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, _RCVBUF)
            sock.bind((self.host, self.port))
        except OSError:
            sock.close()
            raise
        sock.settimeout(0.1)
        self._sock = sock
        return self.address

    @property
    def address(self) -> Addr:
        """The bound (host, port)."""
        if self._sock is None:
            raise RuntimeError("transport is not open")
        host, port = self._sock.getsockname()[:2]
        return str(host), int(port)

    def is_own(self, target: Addr) -> bool:
        """True when `target` reaches this very socket (replies to it would loop)."""
        host, port = self.address
        if target[1] != port:
            return False
        try:
            ip, bound = ipaddress.ip_address(target[0]), ipaddress.ip_address(host)
        except ValueError:
            return False
        if ip == bound or ip.is_unspecified:
            return True
        return ip.is_loopback and (bound.is_loopback or bound.is_unspecified)

    def reply_address(self, sender: Addr) -> Addr:
        """Where replies to `sender` go: the address it named with /drum/reply, else itself."""
        with self._lock:
            return self._replies.get(sender, sender)

    def set_reply_address(self, sender: Addr, target: Addr) -> None:
        """Sends `sender`'s future replies to `target` (the oldest of too many are forgotten)."""
        with self._lock:
            self._replies.pop(sender, None)
            self._replies[sender] = target
            while len(self._replies) > MAX_TRACKED_HOSTS:
                self._replies.popitem(last=False)

    def send(self, to: Addr, address: str, args: Sequence[Any] = ()) -> bool:
        """Sends one message; logs (never raises) when it cannot. True when it left."""
        sock = self._sock
        if sock is None:
            return False
        try:
            dgram = encode(address, args)
            if len(dgram) > MAX_REPLY_BYTES:
                log.warning("reply %s is %d bytes, over %d", address, len(dgram), MAX_REPLY_BYTES)
            sock.sendto(dgram, to)
            return True
        except Exception as err:  # an unencodable value, a closed socket, an unreachable host
            self.throttle.log(logging.WARNING, "send", "cannot send %s to %s: %s", address, to, err)
            return False

    def serve(self, stop: threading.Event) -> None:
        """Receives until `stop` is set (checked at least every 0.1 s)."""
        if self._sock is None:
            raise RuntimeError("transport is not open")
        sock = self._sock
        while not stop.is_set():
            try:
                dgram, sender = sock.recvfrom(MAX_DATAGRAM)
            except TimeoutError:
                continue
            except OSError:  # an ICMP error about an earlier reply, or the socket closing
                if stop.is_set():
                    break
                continue
            try:
                self.handle_datagram(dgram, (str(sender[0]), int(sender[1])), time.perf_counter())
            except Exception:  # never let one datagram end the receive loop
                self.errors += 1
                self.throttle.log(logging.ERROR, "error", "datagram from %s failed", sender,
                                  exc=True)  # fmt: skip

    def handle_datagram(self, dgram: bytes, sender: Addr, received: float) -> None:
        """Checks the sender, parses one datagram (a message or a bundle), hands on each message."""
        if sender[0] not in self.allowed:
            self.dropped += 1
            self.throttle.log(logging.WARNING, "dropped", "datagram from %s:%d dropped: "
                              "not an allowed host (see --allow)", *sender)  # fmt: skip
            return
        try:
            messages = parse_datagram(dgram)
        except WireError as err:
            self.malformed += 1
            self.throttle.log(logging.WARNING, "malformed",
                              "malformed datagram from %s:%d (%d bytes) dropped: %s",
                              sender[0], sender[1], len(dgram), err)  # fmt: skip
            return
        for message in messages:  # a bundle's time tag is never waited for
            if message.address in self.never_answer:
                self.ignored += 1
                continue
            try:
                self.on_message(message.address, message.args, sender, received)
            except Exception:
                self.errors += 1
                self.throttle.log(logging.ERROR, "error", "%s from %s failed", message.address,
                                  sender, exc=True)  # fmt: skip

    def close(self) -> None:
        """Closes the socket."""
        if self._sock is not None:
            self._sock.close()
            self._sock = None
