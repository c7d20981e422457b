"""OSC 1.0 datagrams in: a bounded, iterative parser for messages and bundles.

Everything a datagram says about its own layout is checked against the datagram before it is
believed: element sizes (positive, a multiple of 4, inside the enclosing bundle), string ends,
argument sizes. Bundles are walked with an explicit stack, so nesting costs no recursion, and
both nesting depth and the number of messages are bounded (`oscserver.limits`). An unknown type
tag rejects the datagram at once: one datagram is at most one `WireError`, never a log line per
argument and never a loop.

Pure Python: no socket, no logging, no model.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from typing import Any

from oscserver.limits import MAX_BUNDLE_DEPTH, MAX_BUNDLE_MESSAGES, MAX_MESSAGE_ARGS

_BUNDLE = b"#bundle\x00"
_BUNDLE_HEADER = len(_BUNDLE) + 8  # the tag, then a 64-bit time tag (never waited for)

#: Fixed-size argument types: (struct format, bytes).
_FIXED: dict[str, tuple[str, int]] = {
    "i": (">i", 4),
    "f": (">f", 4),
    "h": (">q", 8),
    "d": (">d", 8),
    "t": (">Q", 8),
    "r": (">I", 4),
    "c": (">I", 4),
}
#: Types that carry no bytes.
_NO_DATA: dict[str, Any] = {"T": True, "F": False, "N": None, "I": float("inf")}


class WireError(ValueError):
    """A datagram that is not well-formed OSC within the bounds; the message says where."""


@dataclass(frozen=True)
class Message:
    """One OSC message.

    Attributes:
        address: Its address pattern, e.g. "/drum/seed".
        args: Its arguments: int, float, str, bytes, bool, None, or lists (OSC arrays).
    """

    address: str
    args: list[Any]


def _padded(n: int) -> int:
    return (n + 4) & ~3  # a string and its terminating NUL, padded to 4


def _string(data: bytes, pos: int, end: int, what: str) -> tuple[str, int]:
    """An OSC string at `pos`; returns it and the position after its padding."""
    nul = data.find(b"\x00", pos, end)
    if nul < 0:
        raise WireError(f"{what} at byte {pos} has no end")
    after = pos + _padded(nul - pos)
    if after > end:
        raise WireError(f"{what} at byte {pos} runs past its element")
    try:
        return data[pos:nul].decode("utf-8"), after
    except UnicodeDecodeError:
        raise WireError(f"{what} at byte {pos} is not UTF-8") from None


def _blob(data: bytes, pos: int, end: int) -> tuple[bytes, int]:
    if pos + 4 > end:
        raise WireError(f"blob size at byte {pos} runs past its element")
    (size,) = struct.unpack_from(">i", data, pos)
    if size < 0 or pos + 4 + size > end:
        raise WireError(f"blob at byte {pos} claims {size} bytes, more than its element holds")
    start = pos + 4
    return data[start : start + size], start + ((size + 3) & ~3)


def parse_message(data: bytes, start: int = 0, end: int | None = None) -> Message:
    """Decodes the message in `data[start:end]`.

    Raises:
        WireError: no address, a bad type tag string, an unknown type, a size past the end,
            more than MAX_MESSAGE_ARGS arguments or unbalanced array brackets.
    """
    end = len(data) if end is None else end
    address, pos = _string(data, start, end, "address")
    if not address.startswith("/"):
        raise WireError(f"address {address[:40]!r} does not start with /")
    if pos == end:
        return Message(address, [])  # OSC 1.0 allows a message without a type tag string
    tags, pos = _string(data, pos, end, "type tags")
    if not tags.startswith(","):
        raise WireError("type tags do not start with ,")
    if len(tags) - 1 > MAX_MESSAGE_ARGS:
        raise WireError(f"{len(tags) - 1} type tags, more than {MAX_MESSAGE_ARGS}")
    args: list[Any] = []
    stack: list[list[Any]] = [args]  # open arrays, innermost last
    for tag in tags[1:]:
        value: Any
        if tag in _FIXED:
            fmt, size = _FIXED[tag]
            if pos + size > end:
                raise WireError(f"argument {tag!r} at byte {pos} runs past its element")
            (value,) = struct.unpack_from(fmt, data, pos)
            value = chr(value) if tag == "c" and value < 0x110000 else value
            pos += size
        elif tag in _NO_DATA:
            value = _NO_DATA[tag]
        elif tag in "sS":
            value, pos = _string(data, pos, end, "string argument")
        elif tag == "b":
            value, pos = _blob(data, pos, end)
        elif tag == "m":
            if pos + 4 > end:
                raise WireError(f"MIDI argument at byte {pos} runs past its element")
            value, pos = tuple(data[pos : pos + 4]), pos + 4
        elif tag == "[":
            inner: list[Any] = []
            stack[-1].append(inner)
            stack.append(inner)
            continue
        elif tag == "]":
            if len(stack) == 1:
                raise WireError("an array closes that never opened")
            stack.pop()
            continue
        else:
            raise WireError(f"unknown type tag {tag!r}")
        stack[-1].append(value)
    if len(stack) != 1:
        raise WireError("an array opens that never closes")
    return Message(address, args)


def parse_datagram(data: bytes) -> list[Message]:
    """Every message of a datagram (a message, or a bundle of messages and bundles), in order.

    Bundles are walked iteratively; their time tags are read past, never waited for.

    Raises:
        WireError: anything malformed, bundles nested deeper than MAX_BUNDLE_DEPTH, or more than
            MAX_BUNDLE_MESSAGES messages; no message of such a datagram is handed on.
    """
    if not data.startswith(_BUNDLE):
        return [parse_message(data)]
    if len(data) < _BUNDLE_HEADER:
        raise WireError("bundle shorter than its header")
    messages: list[Message] = []
    # One frame per open bundle: [next element's position, the bundle's end, its depth].
    frames: list[list[int]] = [[_BUNDLE_HEADER, len(data), 1]]
    while frames:
        frame = frames[-1]
        pos, end, depth = frame
        if pos == end:
            frames.pop()
            continue
        if pos + 4 > end:
            raise WireError(f"element size at byte {pos} runs past its bundle")
        (size,) = struct.unpack_from(">i", data, pos)
        start = pos + 4
        if size <= 0 or size % 4 or start + size > end:
            raise WireError(f"element at byte {pos} claims {size} bytes; its bundle has "
                            f"{end - start} left")  # fmt: skip
        frame[0] = start + size
        if data.startswith(_BUNDLE, start):
            if depth + 1 > MAX_BUNDLE_DEPTH:
                raise WireError(f"bundles nested deeper than {MAX_BUNDLE_DEPTH}")
            if size < _BUNDLE_HEADER:
                raise WireError(f"bundle at byte {start} shorter than its header")
            frames.append([start + _BUNDLE_HEADER, start + size, depth + 1])
            continue
        if len(messages) == MAX_BUNDLE_MESSAGES:
            raise WireError(f"more than {MAX_BUNDLE_MESSAGES} messages in one datagram")
        messages.append(parse_message(data, start, start + size))
    return messages
