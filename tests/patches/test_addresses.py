"""The patches cannot drift from the protocol, and the Max patches are well-formed.

Every OSC address that a shipped patch or example uses (Pd, Max, SuperCollider, Tidal) must be
in the server's table (requests, replies and the replies named in its `reply` column). Pd patches
do not spell addresses out: [drumsynth] turns a message `seed ...` into `/drum/seed ...`, so
their addresses are read from the patch graph (messages into [drumsynth], [oscformat drum x],
[route drum] -> [route x y]).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from hosthelpers import ROOT

from oscserver.server.protocol import REPLIES, TABLE

ADDRESS = re.compile(r"/(?:drum|wek)/[A-Za-z0-9_]+")
#: Messages to [drumsynth] that the abstractions handle themselves (not OSC addresses).
PD_LOCAL = {"connect"}
PATCH_ROOTS = (ROOT / "patches", ROOT / "examples" / "tidal")


def known_addresses() -> set[str]:
    """Requests, replies, and the replies each row documents (e.g. `/drum/pong`)."""
    known = {row.address for row in TABLE} | {r.address for r in REPLIES}
    for row in TABLE:
        known |= set(ADDRESS.findall(row.reply))
    return known


def shipped_files() -> list[Path]:
    return sorted(p for root in PATCH_ROOTS for p in root.rglob("*") if p.is_file())


def pd_records(text: str) -> list[list[str]]:
    """A .pd file -> its records (`#X obj 10 10 route drum` -> [#X, obj, 10, 10, route, drum])."""
    records = re.split(r"(?<!\\);\s*\n", text)
    return [r.replace("\\,", ",").replace("\\;", ";").split() for r in records if r.strip()]


def pd_addresses(text: str) -> set[str]:
    """Addresses a Pd patch uses, canvas by canvas, from its objects and connections."""
    found: set[str] = set()
    stack: list[tuple[list[list[str]], list[tuple[int, int]]]] = []
    boxes: list[list[str]] = []
    wires: list[tuple[int, int]] = []
    for rec in pd_records(text):
        if rec[:2] == ["#N", "canvas"]:
            stack.append((boxes, wires))
            boxes, wires = [], []
        elif rec[:2] == ["#X", "restore"]:
            found |= _pd_canvas(boxes, wires)
            boxes, wires = stack.pop()
            boxes.append(["obj", *rec[4:]])  # the subpatch box itself
        elif rec[:2] == ["#X", "connect"]:
            wires.append((int(rec[2]), int(rec[4])))
        elif rec[0] == "#X" and rec[1] in {"obj", "msg", "text", "floatatom", "symbolatom"}:
            boxes.append([rec[1], *rec[4:]])
        elif rec[0] == "#X":
            boxes.append([rec[1]])
    found |= _pd_canvas(boxes, wires)
    return found


def _pd_canvas(boxes: list[list[str]], wires: list[tuple[int, int]]) -> set[str]:
    found = set()
    for kind, *atoms in boxes:
        if kind == "obj" and atoms[:1] == ["oscformat"] and len(atoms) >= 3:
            found.add("/" + "/".join(atoms[1:3]))
    for src, dst in wires:
        s_kind, *s_atoms = boxes[src]
        d_kind, *d_atoms = boxes[dst]
        if d_kind == "obj" and d_atoms[:1] == ["drumsynth"] and s_kind == "msg":
            for message in " ".join(s_atoms).split(","):
                words = message.split()
                if words and words[0] not in PD_LOCAL and not words[0].startswith("$"):
                    found.add(f"/drum/{words[0]}")
        if s_atoms[:2] == ["route", "drum"] and d_atoms[:1] == ["route"]:
            found |= {f"/drum/{w}" for w in d_atoms[1:]}
    return found


def max_addresses(text: str) -> set[str]:
    """Addresses of the messages a Max patch sends into [drumsynth] (message or [prepend])."""
    patcher = json.loads(text)["patcher"]
    boxes = {b["box"]["id"]: b["box"] for b in patcher["boxes"]}
    found = set()
    for line in patcher["lines"]:
        src = boxes[line["patchline"]["source"][0]]
        dst = boxes[line["patchline"]["destination"][0]]
        if not dst.get("text", "").startswith("drumsynth"):
            continue
        words = src.get("text", "").split()
        if src.get("maxclass") == "message":
            messages = [m.split() for m in src["text"].split(",")]
        elif words[:1] == ["prepend"]:
            messages = [words[1:]]
        else:
            continue
        found |= {f"/drum/{m[0]}" for m in messages if m and m[0] not in PD_LOCAL}
    return found


def addresses_in(path: Path) -> set[str]:
    text = path.read_text(encoding="utf-8", errors="replace")
    found = set(ADDRESS.findall(text))
    if path.suffix == ".pd":
        found |= pd_addresses(text)
    if path.suffix in {".maxpat", ".maxhelp"}:
        found |= max_addresses(text)
    return found


def test_every_address_in_the_patches_is_in_the_server_table() -> None:
    known = known_addresses()
    files = shipped_files()
    assert files, "no patches found"
    unknown = {
        str(p.relative_to(ROOT)): sorted(addresses_in(p) - known)
        for p in files
        if addresses_in(p) - known
    }
    assert not unknown, f"addresses not in oscserver/server/protocol.py: {unknown}"


@pytest.mark.parametrize(
    "client",
    [
        "patches/pd/drumsynth-help.pd",
        "patches/max/drumsynth.maxpat",
        "patches/max/drumsynth.maxhelp",
        "patches/supercollider/DrumSynth/DrumSynth.sc",
    ],
)
def test_each_host_covers_every_request(client: str) -> None:
    """The help patches document, and the SC class sends, every request of the table."""
    used = addresses_in(ROOT / client)
    missing = sorted({row.address for row in TABLE} - used)
    assert not missing, f"{client} lacks {missing}"


def test_each_host_uses_the_protocol() -> None:
    """The parsers above find addresses in every kind of file (so the drift test is not empty)."""
    for suffix in (".pd", ".maxpat", ".sc", ".scd", ".tidal"):
        files = [p for p in shipped_files() if p.suffix == suffix]
        assert files, f"no {suffix} file shipped"
        assert set().union(*(addresses_in(p) for p in files)), f"no address in {suffix} files"


@pytest.mark.parametrize(
    "path",
    sorted((ROOT / "patches" / "max").glob("*.maxpat"))
    + sorted((ROOT / "patches" / "max").glob("*.maxhelp")),
    ids=lambda p: p.name,
)
def test_max_patch_validates_with_py2max(path: Path) -> None:
    """`py2max validate` finds no error, and no unknown object but our own abstractions."""
    py2max = pytest.importorskip("py2max")
    cli = subprocess.run(
        [sys.executable, "-m", "py2max", "validate", str(path)], capture_output=True, text=True
    )
    assert cli.returncode == 0, cli.stdout + cli.stderr
    patcher = py2max.Patcher.from_file(path)
    patcher.rect = pytest.importorskip("py2max.core.common").Rect(*patcher.rect)  # as the CLI does
    ours = {p.stem for p in (ROOT / "patches" / "max").glob("*.maxpat")}
    findings = [
        f
        for f in patcher.lint()
        if not (f.code == "W-UNKNOWN-OBJECT" and any(f"'{name}'" in f.message for name in ours))
    ]
    assert not findings, "\n".join(str(f) for f in findings)
