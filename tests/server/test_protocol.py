"""The address table: parsing, Pd-style numbers, every failure reason, the generated page."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from oscserver.server import protocol
from oscserver.server.protocol import Context, RequestError, canonical_slot, parse

CTX = Context(("kick", "snare", "hat"), 4)
ROOT = Path(__file__).resolve().parents[2]


def fail_reason(address: str, *values: object) -> str:
    with pytest.raises(RequestError) as info:
        parse(address, list(values), CTX)
    return info.value.reason


def test_every_row_has_help_reply_and_a_handler_name() -> None:
    from oscserver.server.app import Server
    from oscserver.server.handlers import Handlers

    for row in protocol.TABLE:
        assert row.address.startswith("/drum/") or row.address == "/wek/outputs"
        assert row.help and row.reply
        owner = Handlers if row.queued else Server
        prefix = "" if row.queued else "on_"
        assert callable(getattr(owner, prefix + row.handler)), row.address
        for sig in row.signatures:
            assert all(a.help for a in sig)
            assert not any(a.variadic for a in sig[:-1]), "only the last argument may be variadic"
    assert len(protocol.BY_ADDRESS) == len(protocol.TABLE)


def test_pd_floats_are_accepted_where_ints_are_wanted() -> None:
    call = parse("/drum/seed", [3.0, 5.0, 1.0, 1], CTX)
    assert call.slot == "3"
    assert call.args == {"seed": 5, "class": "snare", "psi": 1.0}
    assert isinstance(call.args["seed"], int) and isinstance(call.args["psi"], float)


def test_defaults_are_filled_in() -> None:
    call = parse("/drum/seed", ["a", 1], CTX)
    assert call.args == {"seed": 1, "class": "kick", "psi": 1.0}
    assert parse("/drum/path", ["p", "a", "b", 4], CTX).args["mode"] == "lin"
    assert parse("/drum/invert", ["i", "/x.wav"], CTX).args["refine_steps"] == 0
    assert parse("/drum/pca", ["a"], CTX).args["c"] == ()


@pytest.mark.parametrize(
    ("value", "slot"), [(7, "7"), (7.0, "7"), ("7", "7"), ("007", "7"), ("kick_1-b", "kick_1-b")]
)
def test_slot_forms(value: object, slot: str) -> None:
    assert canonical_slot(value) == slot


@pytest.mark.parametrize("value", [-1, 2.5, "", "a b", "../etc", "x" * 65, b"blob", None, True])
def test_bad_slots(value: object) -> None:
    with pytest.raises(ValueError, match="slot must be"):
        canonical_slot(value)


def test_reply_has_two_forms() -> None:
    assert parse("/drum/reply", [9000.0], CTX).args == {"port": 9000}
    assert parse("/drum/reply", ["localhost", 9000], CTX).args == {
        "host": "127.0.0.1",
        "port": 9000,
    }


@pytest.mark.parametrize(
    ("message", "words"),
    [
        (("/drum/nope",), "unknown address /drum/nope"),
        (("/drum/seed", "a"), "seed missing; usage: /drum/seed slot seed [class] [psi]"),
        (("/drum/seed",), "slot, seed missing"),
        (("/drum/ping", 1), "too many arguments"),
        (("/drum/seed", "a", "x"), "seed must be a number, got the symbol 'x'"),
        (("/drum/seed", "a", 3.5), "seed must be a whole number, got 3.5"),
        (("/drum/seed", "a", -1), "seed must be between 0 and 16777215, got -1"),
        (("/drum/seed", "a", 1, "kick", math.nan), "psi must be a finite number"),
        (("/drum/seed", "a", 1, "kick", 2.5), "psi must be between 0 and 2"),
        (("/drum/seed", "a", 1, "tom"), "unknown class 'tom'; the classes are kick snare hat"),
        (("/drum/seed", "a", 1, 3), "class index must be between 0 and 2"),
        (("/drum/pca", "a", 1, 2, 3, 4, 5), "this model has 4 principal axes, got 5"),
        (("/drum/pca", "a", 11.0), "c must be between -10 and 10"),
        (("/drum/pca", "a", math.inf), "c must be a finite number"),
        (("/drum/morph", "m", "a", "b", 1.5), "t must be between 0 and 1"),
        (("/drum/path", "m", "a", "b", 1), "steps must be between 2 and 256"),
        (("/drum/path", "m", "a", "b", 4, "cubic"), "mode must be one of lin slerp"),
        (("/drum/invert", "m", 3), "path must be a file path"),
        (("/drum/invert", "m", "/x.wav", 500), "refine_steps must be between 0 and 200"),
        (("/drum/reply", 0), "port must be between 1 and 65535"),
        (("/drum/reply", "nowhere.example", 9000), "host must be an IP address or localhost"),
        (("/drum/seed", True, 1), "slot must be a number >= 0 or a name"),
        (("/drum/seed", "a", b"\x00"), "seed must be a number, got a blob"),
    ],
)
def test_failure_reasons(message: tuple[object, ...], words: str) -> None:
    assert words in fail_reason(*message)  # type: ignore[arg-type]


def test_failure_names_the_slot_when_it_can() -> None:
    with pytest.raises(RequestError) as info:
        parse("/drum/seed", [4.0, 3.5], CTX)
    assert (info.value.cmd, info.value.slot) == ("/drum/seed", "4")
    with pytest.raises(RequestError) as info:
        parse("/drum/seed", ["bad slot", 3], CTX)
    assert info.value.slot == ""


def test_relative_calls() -> None:
    assert parse("/drum/pca", ["a", 1], CTX).relative
    assert not parse("/drum/seed", ["a", 1], CTX).relative
    assert not parse("/drum/morph", ["m", "a", "b", 0.5], CTX).relative
    assert parse("/drum/morph", ["a", "a", "b", 0.5], CTX).relative


def test_committed_protocol_page_is_generated_from_the_table() -> None:
    page = ROOT / "docs" / "protocol.md"
    assert page.read_text(encoding="utf-8") == protocol.render_markdown(), (
        "docs/protocol.md is stale: run `drumsynth protocol > docs/protocol.md`"
    )


def test_protocol_page_names_every_address() -> None:
    page = protocol.render_markdown()
    for row in protocol.TABLE:
        assert f"### `{row.address}`" in page
    for reply in protocol.REPLIES:
        assert reply.address in page
