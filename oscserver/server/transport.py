"""UDP transport: one socket, OSC 1.0 messages and bundles in, small OSC messages out.

The receive loop only parses datagrams and hands each message to a callback; it never sleeps
on a bundle's time tag and never touches the model. Replies leave from the same socket, to the
sender's address and port unless the client named another with `/drum/reply`.
"""

from __future__ import annotations

import logging
import socket
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any

from pythonosc.osc_message_builder import OscMessageBuilder
from pythonosc.osc_packet import OscPacket, ParseError

from oscserver.server.protocol import MAX_REPLY_BYTES

log = logging.getLogger(__name__)

#: A UDP address: (host, port).
Addr = tuple[str, int]

#: Called for each message received: (address, arguments, sender, perf_counter at receipt).
OnMessage = Callable[[str, list[Any], Addr, float], None]

#: Biggest datagram read (the UDP limit).
_MAX_DATAGRAM = 65535

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
            builder.add_arg(str(value), builder.ARG_TYPE_STRING)
    return builder.build().dgram


class Transport:
    """One UDP socket serving OSC.

    Args:
        host: Address to bind, e.g. "127.0.0.1" (loopback only) or "0.0.0.0".
        port: Port to bind; 0 picks a free one (see `address`).
        on_message: Receives every message of every datagram, in order.
    """

    def __init__(self, host: str, port: int, on_message: OnMessage) -> None:
        self.host = host
        self.port = port
        self.on_message = on_message
        self.malformed = 0
        self._sock: socket.socket | None = None
        self._replies: dict[Addr, Addr] = {}
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

    def reply_address(self, sender: Addr) -> Addr:
        """Where replies to `sender` go: the address it named with /drum/reply, else itself."""
        with self._lock:
            return self._replies.get(sender, sender)

    def set_reply_address(self, sender: Addr, target: Addr) -> None:
        """Sends `sender`'s future replies to `target`."""
        with self._lock:
            self._replies[sender] = target

    def send(self, to: Addr, address: str, args: Sequence[Any] = ()) -> None:
        """Sends one message; logs (never raises) when it cannot."""
        if self._sock is None:
            return
        dgram = encode(address, args)
        if len(dgram) > MAX_REPLY_BYTES:
            log.warning("reply %s is %d bytes, over %d", address, len(dgram), MAX_REPLY_BYTES)
        try:
            self._sock.sendto(dgram, to)
        except OSError as err:
            log.warning("cannot send %s to %s:%d: %s", address, to[0], to[1], err)

    def serve(self, stop: threading.Event) -> None:
        """Receives until `stop` is set (checked at least every 0.1 s)."""
        if self._sock is None:
            raise RuntimeError("transport is not open")
        sock = self._sock
        while not stop.is_set():
            try:
                dgram, sender = sock.recvfrom(_MAX_DATAGRAM)
            except TimeoutError:
                continue
            except (ConnectionResetError, ConnectionRefusedError):
                continue  # an ICMP error about an earlier reply (Windows reports them here)
            except OSError:
                if stop.is_set():
                    break
                raise
            self.handle_datagram(dgram, (str(sender[0]), int(sender[1])), time.perf_counter())

    def handle_datagram(self, dgram: bytes, sender: Addr, received: float) -> None:
        """Parses one datagram (a message or a bundle) and hands on each message."""
        try:
            messages = OscPacket(dgram).messages
        except (ParseError, ValueError, IndexError, TypeError) as err:
            self.malformed += 1
            log.warning(
                "malformed datagram from %s:%d (%d bytes) dropped: %s",
                sender[0],
                sender[1],
                len(dgram),
                err,
            )
            return
        for timed in messages:  # a bundle's time tag is never waited for
            message = timed.message
            self.on_message(message.address, list(message.params), sender, received)

    def close(self) -> None:
        """Closes the socket."""
        if self._sock is not None:
            self._sock.close()
            self._sock = None
