"""THE table of OSC addresses: each row maps an address to its typed arguments, its handler and
its help text. Parsing, validation, `/drum/fail` reasons, the protocol page (docs/protocol.md)
and the patch help files all come from this one table.

Pure Python: nothing here imports the engine, TensorFlow or a socket.

Pd and Max send every number as a float, so an argument that wants a whole number accepts an
integral float (3.0 is 3, 3.5 is refused); an argument that wants a float accepts an int.
"""

from __future__ import annotations

import ipaddress
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Final, Literal

from oscserver.limits import (
    COORD_LIMIT,
    FAIL_BURST,
    FAIL_RATE,
    LIVE_PATH_STEPS,
    MAX_BUNDLE_DEPTH,
    MAX_BUNDLE_MESSAGES,
    MAX_FILE_BYTES,
    MAX_FILE_SECONDS,
    MAX_PRESETS,
    MAX_SEED,
    MAX_SLOT_CHARS,
    OSC_REFINE_RANGE,
    OSC_STEPS_RANGE,
    PROGRESS_EVERY_S,
    PSI_RANGE,
)

#: The worker's two lanes: "live" requests are short and are served while a "job" (a refinement,
#: a break and its edits, a kit, a long path) computes beside them, so they never wait behind one.
Lane = Literal["live", "job"]

#: The argument kinds the table knows. Each has one converter in `_convert`.
ArgKind = Literal[
    "slot", "int", "float", "class", "choice", "path", "host", "port", "name", "blend"
]

#: Slot names that are symbols: letters, digits, `_` and `-`, 1 to MAX_SLOT_CHARS characters,
#: nothing else (matched whole with `fullmatch`: no newline, no path separator).
SLOT_PATTERN: Final = re.compile(rf"[A-Za-z0-9_-]{{1,{MAX_SLOT_CHARS}}}")

#: Path interpolation modes of `/drum/path`.
PATH_MODES: Final = ("lin", "slerp")

_OMITTED: Final = object()


def _span(bounds: tuple[int, int]) -> str:
    """(2, 256) -> "2 to 256", for help texts."""
    return f"{bounds[0]} to {bounds[1]}"


@dataclass(frozen=True)
class Arg:
    """One typed argument of an address.

    Attributes:
        name: The name used in usage lines, reasons and handler keyword lookups.
        kind: How the raw OSC value is converted and checked.
        help: One line for the protocol page.
        low: Smallest accepted value (numbers), inclusive.
        high: Largest accepted value (numbers), inclusive.
        choices: Accepted symbols (kind "choice").
        default: Value when omitted; `REQUIRED` makes the argument mandatory.
        variadic: The last argument only: takes zero or more values, collected in a tuple.
    """

    name: str
    kind: ArgKind
    help: str
    low: float | None = None
    high: float | None = None
    choices: tuple[str, ...] = ()
    default: Any = _OMITTED
    variadic: bool = False

    @property
    def required(self) -> bool:
        """True when a request must carry this argument."""
        return self.default is _OMITTED and not self.variadic


#: Marker for a mandatory argument (the default of `Arg.default`).
REQUIRED: Final = _OMITTED


@dataclass(frozen=True)
class Address:
    """One row of the table.

    Attributes:
        address: The OSC address, e.g. "/drum/seed".
        signatures: The accepted argument lists; most rows have one. A request takes the first
            signature whose argument count fits.
        handler: Name of the method that serves it (on `handlers.Handlers` when `queued`,
            on `app.Server` otherwise).
        help: What it does, for the protocol page.
        reply: What comes back, for the protocol page.
        queued: Served by the worker that owns the model (True) or answered at once by the
            receive path (False).
        renders: Writes a sound into the slot (and so answers `/drum/done`).
        relative: Depends on the slot's own earlier state; decides how coalescing keeps it.
        values: Names of the values its handler answers, in order: after `/drum/done`'s own
            (rows that render) or as the whole reply message (the others); the reply is built
            from them (`reply_values`). The last name may end in `...`: a sequence of values,
            spread at the end.
        implicit_slot: Its target slot is the server's `--wekinator-slot`, not an argument.
        lane: The worker lane of its requests (queued rows only).
        job_past: (argument, bound): a request whose argument is above the bound is a job
            whatever `lane` says, e.g. ("refine_steps", 0).
    """

    address: str
    signatures: tuple[tuple[Arg, ...], ...]
    handler: str
    help: str
    reply: str
    queued: bool = False
    renders: bool = False
    relative: bool = False
    values: tuple[str, ...] = ()
    implicit_slot: bool = False
    lane: Lane = "live"
    job_past: tuple[str, int] | None = None

    def lane_words(self) -> str:
        """The lane for the protocol page, e.g. "live; a job when refine_steps > 0"."""
        if self.job_past is None:
            return self.lane
        return f"{self.lane}; a job when {self.job_past[0]} > {self.job_past[1]}"

    @property
    def has_slot(self) -> bool:
        """True when the first argument of every signature is the target slot (`slot`, or the
        `prefix` of a kit)."""
        return all(bool(s) and s[0].kind == "slot" for s in self.signatures)

    def reply_values(self, **values: Any) -> tuple[Any, ...]:
        """The values of a reply in the row's order; the names must be the row's `values` (a
        last name `c...` is passed as `c`, a sequence, and spread)."""
        names = [name.removesuffix("...") for name in self.values]
        if set(values) != set(names):
            raise AssertionError(f"{self.address} answers {self.values}, got {sorted(values)}")
        out = tuple(values[name] for name in names)
        if self.values and self.values[-1].endswith("..."):
            return (*out[:-1], *out[-1])
        return out

    def usage(self) -> str:
        """The usage lines, e.g. "/drum/seed slot seed [class] [psi]", one per signature."""
        lines = []
        for sig in self.signatures:
            parts = [self.address]
            for arg in sig:
                if arg.kind == "blend":
                    parts.append("class1 w1 [class2 w2 ...] [seed]")
                elif arg.variadic:
                    parts.append(f"[{arg.name}1 ... {arg.name}K]")
                elif arg.required:
                    parts.append(arg.name)
                else:
                    parts.append(f"[{arg.name}]")
            lines.append(" ".join(parts))
        return " | ".join(lines)


@dataclass(frozen=True)
class Reply:
    """One address the server sends, for the protocol page."""

    address: str
    args: str
    help: str


_SLOT = Arg(
    "slot",
    "slot",
    "the target: an int >= 0 (e.g. a SuperCollider buffer number) or a name of letters, "
    f"digits, `_` and `-` (at most {MAX_SLOT_CHARS})",
)
_CLASS = Arg(
    "class",
    "class",
    "a class name from `/drum/info` (or its index, 0 first); default: the model's first class",
    default=None,
)

_COORDS = Arg(
    "c",
    "float",
    f"coordinates along the class's principal axes, in standard deviations "
    f"(-{COORD_LIMIT:g} to {COORD_LIMIT:g}); missing ones are 0",
    -COORD_LIMIT,
    COORD_LIMIT,
    variadic=True,
)
_PRESET = Arg(
    "name",
    "name",
    "a preset name: letters, digits, `_` and `-`, at most 64 (nothing that could name "
    "another folder)",
)
_BANK_NOTE = (
    "`bank` is a SuperDirt sample bank folder inside the output folder, one WAV per sound "
    "(`0.wav`, `1.wav`, ...; zero-padded to one width from ten sounds on, so sorted names keep "
    "the order)"
)

TABLE: Final[tuple[Address, ...]] = (
    Address(
        "/drum/ping",
        ((),),
        "ping",
        "Is the server ready? Ready means answering this.",
        "`/drum/pong`",
    ),
    Address(
        "/drum/info",
        ((),),
        "info",
        "Describe the model and the server.",
        "`/drum/info` then key-value pairs: `model` name, `version` (server), `format` "
        "(model artifact), `sr` and `frames` (of the files written), `classes` (names joined "
        "by spaces), `pca` (number of axes), `device` (`cpu` or `gpu (<name>)`), `port`",
    ),
    Address(
        "/drum/seed",
        (
            (
                _SLOT,
                Arg("seed", "int", f"0 to {MAX_SEED} (exact in a 32-bit float)", 0, MAX_SEED),
                _CLASS,
                Arg(
                    "psi",
                    "float",
                    "truncation: 0 is the class's average sound, 1 the full variety",
                    *PSI_RANGE,
                    default=1.0,
                ),
            ),
        ),
        "seed",
        "The sound of that seed. Sets the slot's class and base latent.",
        "`/drum/done /drum/seed slot path frames sr ms`",
        queued=True,
        renders=True,
    ),
    Address(
        "/drum/random",
        ((_SLOT, _CLASS),),
        "random",
        "A random seed. Sets the slot's class and base latent.",
        "`/drum/done /drum/random slot path frames sr ms seed` (the seed used, to recall it "
        "with `/drum/seed`)",
        queued=True,
        renders=True,
    ),
    Address(
        "/drum/pca",
        ((_SLOT, _COORDS),),
        "pca",
        "Move around the slot's base latent (set by seed, random or invert) along the class's "
        "principal axes. The slot must hold a sound; a refined inversion's detail moves with "
        "it.",
        "`/drum/done /drum/pca slot path frames sr ms`",
        queued=True,
        renders=True,
        relative=True,
    ),
    Address(
        "/drum/morph",
        (
            (
                _SLOT,
                Arg("slotA", "slot", "the slot at t = 0"),
                Arg("slotB", "slot", "the slot at t = 1"),
                Arg("t", "float", "position between A and B, 0 to 1", 0.0, 1.0),
            ),
        ),
        "morph",
        "The point at t between the current latents of two slots, their refined inversions' "
        "detail blended by the same t. The result becomes the slot's base latent.",
        "`/drum/done /drum/morph slot path frames sr ms`",
        queued=True,
        renders=True,
    ),
    Address(
        "/drum/path",
        (
            (
                _SLOT,
                Arg("slotA", "slot", "the first sound"),
                Arg("slotB", "slot", "the last sound"),
                Arg(
                    "steps", "int", f"number of sounds, {_span(OSC_STEPS_RANGE)}", *OSC_STEPS_RANGE
                ),
                Arg(
                    "mode",
                    "choice",
                    "`lin` (straight line) or `slerp` (great circle)",
                    choices=PATH_MODES,
                    default="lin",
                ),
            ),
        ),
        "path",
        "`steps` sounds from A to B (their refined inversions' detail blended along it), "
        "concatenated into one buffer. The slot's latent becomes B's.",
        "`/drum/done /drum/path slot path frames sr ms steps frames_per_step`",
        queued=True,
        renders=True,
        job_past=("steps", LIVE_PATH_STEPS),
    ),
    Address(
        "/drum/invert",
        (
            (
                _SLOT,
                Arg("path", "path", "an audio file the server can read (WAV, FLAC, AIFF, OGG)"),
                Arg(
                    "refine_steps",
                    "int",
                    f"optimisation steps after the encoder, fitting the detail the model's "
                    f"latent misses (the nearest sound they find is kept), "
                    f"{_span(OSC_REFINE_RANGE)}",
                    *OSC_REFINE_RANGE,
                    default=0,
                ),
            ),
        ),
        "invert",
        "The sound of an audio file inverted into the model. The slot's base latent becomes "
        "that latent, its class the one the encoder hears. The slot also keeps the detail "
        "beyond the latent (a residual on the synthesiser's controls that the model's residual "
        "head guesses and refinement steps fit, docs/refinement.md) through `/drum/pca`, "
        "`/drum/pcaabs`, `/drum/morph`, `/drum/path`, `/drum/mix` (as slot B) and presets; a "
        "seed or random sound replaces it.",
        "`/drum/done /drum/invert slot path frames sr ms class`",
        queued=True,
        renders=True,
        job_past=("refine_steps", 0),
    ),
    Address(
        "/drum/break",
        (
            (
                _SLOT,
                Arg(
                    "path",
                    "path",
                    "a loop or breakbeat the server can read (WAV, FLAC, AIFF, OGG)",
                ),
                Arg(
                    "refine_steps",
                    "int",
                    f"optimisation steps after the encoder, per hit (each hit keeps its detail, "
                    f"as `/drum/invert`), {_span(OSC_REFINE_RANGE)}",
                    *OSC_REFINE_RANGE,
                    default=0,
                ),
            ),
        ),
        "invert_break",
        "A loop or breakbeat cut at its hits, every hit inverted into the model, and the "
        "hits laid back at their onsets: the slot gets the re-synthesised loop (at the file's "
        "length) and the first hit's latent and class. Each hit also becomes its own slot "
        "`<slot>-<i>` (i = 0, 1, ...; its class the one the encoder hears, its base latent the "
        "hit's latent), ready for morph, path, pca or latent; the slot name plus that suffix must "
        "stay within 64 characters.",
        "`/drum/done /drum/break slot path frames sr ms hits bank` (the number of hits, so "
        "the hit slots are `<slot>-0` to `<slot>-<hits - 1>`; a new break with fewer hits "
        "empties the old hit slots past them); " + _BANK_NOTE,
        queued=True,
        renders=True,
        values=("hits", "bank"),
        lane="job",
    ),
    Address(
        "/drum/latent",
        ((_SLOT,),),
        "latent",
        "Where the slot is: its class and the coordinates of its current latent along the "
        "class's principal axes (standard deviations from the class mean).",
        "`/drum/latent slot class c1 ... cK`",
        queued=True,
    ),
    Address(
        "/drum/status",
        ((),),
        "status",
        "Counters since start.",
        "`/drum/status` then key-value pairs: `requests`, `done`, `failed`, `coalesced`, "
        "`queue` (length), `uptime` (s), `median` and `p99` (ms, receipt to file in place), "
        "`malformed` (datagrams that are not OSC within the bounds), `dropped` (datagrams "
        "from hosts not allowed), `ignored` (messages to reply addresses), `errors` "
        "(exceptions caught), `throttled` (failure replies held back), `cancelled`, `slots` "
        "(held now) and `evicted` (least recently used slots dropped with their files)",
    ),
    Address(
        "/drum/cancel",
        ((_SLOT,),),
        "cancel",
        "Stop the slot's work: its queued requests are dropped, and a job in flight (an "
        "`/drum/invert` with refinement, a `/drum/break`, a long `/drum/path`) stops within a "
        "few refinement steps or sounds. "
        "Each stopped request is answered `/drum/fail cmd slot cancelled`. Long jobs also stop "
        "by themselves at the server's deadline (`--deadline`, 60 s): `deadline exceeded`.",
        "`/drum/cancelled slot n` (n: the requests stopped)",
    ),
    Address(
        "/drum/reply",
        (
            (Arg("port", "port", "UDP port for replies to this client, 1 to 65535", 1, 65535),),
            (
                Arg("host", "host", "an IP address or `localhost`"),
                Arg("port", "port", "UDP port, 1 to 65535", 1, 65535),
            ),
        ),
        "reply",
        "Send this client's replies to another port (and host) than the one it sends from, "
        "e.g. Max's separate [udpsend] and [udpreceive].",
        "`/drum/reply host port`, sent to the new address",
    ),
    Address(
        "/drum/pcaabs",
        ((_SLOT, _COORDS),),
        "pcaabs",
        "Place the slot at absolute coordinates along its class's principal axes: the "
        "coordinates `/drum/latent` answers (standard deviations from the class mean). What "
        "lies off the axes stays the slot's base's. Sending back what `/drum/latent` answered "
        "leaves the sound as it is, byte for byte; `/drum/pca` takes offsets from the base "
        "instead. The slot must hold a sound.",
        "`/drum/done /drum/pcaabs slot path frames sr ms`",
        queued=True,
        renders=True,
        relative=True,
    ),
    Address(
        "/drum/mix",
        (
            (
                _SLOT,
                Arg("slotA", "slot", "gives the coarse (early) layers' styles"),
                Arg("slotB", "slot", "gives the fine (late) layers' styles"),
                Arg(
                    "layer",
                    "int",
                    "the first layer styled by B, 0 to the model's number of styled layers "
                    "(all from B to all from A); default: the middle",
                    0,
                    64,
                    default=None,
                ),
            ),
        ),
        "mix",
        "Style mixing: the coarse layers' styles from slot A, the fine layers' from slot B "
        "(see docs/architecture.md for what each layer carries). The slot keeps its per-layer "
        "styles: a mixed A or B gives its own styles of those layers, `/drum/store` keeps "
        "them; `/drum/pca`, `/drum/morph`, `/drum/path` and `/drum/latent` read the mean of "
        "the styles (and so render one style again). Its class is A's; a refined inversion's "
        "detail comes from B, which styles the finest layers.",
        "`/drum/done /drum/mix slot path frames sr ms layer` (the split used)",
        queued=True,
        renders=True,
        values=("layer",),
    ),
    Address(
        "/drum/hybrid",
        (
            (
                _SLOT,
                Arg(
                    "blend",
                    "blend",
                    "class and weight pairs (weights >= 0, not all 0; scaled to sum to 1), "
                    "then optionally the seed (default 0)",
                    variadic=True,
                ),
            ),
        ),
        "hybrid",
        "A class hybrid: the class embeddings blended by the weights inside the mapping "
        "network (kick 0.7 + tom 0.3), the seed's z through the rest. Sets the slot's class "
        "(the heaviest) and base latent.",
        "`/drum/done /drum/hybrid slot path frames sr ms class` (the slot's class)",
        queued=True,
        renders=True,
        values=("class",),
    ),
    Address(
        "/drum/kit",
        (
            (
                Arg("prefix", "slot", "names the kit: slots `<prefix>-<class>` and the bank"),
                Arg("seed", "int", f"0 to {MAX_SEED}", 0, MAX_SEED),
                Arg("psi", "float", "truncation, as for `/drum/seed`", *PSI_RANGE, default=1.0),
            ),
        ),
        "kit",
        "A coherent kit: the same seed through every class. Slot `<prefix>-<class>` gets "
        "each class's sound and latent (the name must stay within 64 characters); slot "
        "`<prefix>` gets the kit's sounds one after another, in class order, and the first "
        "class's latent; the bank folder `<prefix>/` gets sound n of the class order as "
        '`<n>.wav` (`s "kit:1"` in SuperDirt is the second class).',
        "`/drum/done /drum/kit prefix path frames sr ms bank sounds`; " + _BANK_NOTE,
        queued=True,
        renders=True,
        values=("bank", "sounds"),
        lane="job",
    ),
    Address(
        "/drum/store",
        ((_SLOT, _PRESET),),
        "store",
        "Store the slot as a preset of this model: its class, base latent, latent, PCA "
        "offsets and mixed styles. Presets survive a restart: one JSON file per model in "
        "`--presets` (default `$XDG_DATA_HOME/drumsynth/presets`, else "
        f"`~/.local/share/drumsynth/presets`), written atomically; at most {MAX_PRESETS}.",
        "`/drum/stored slot name`",
        queued=True,
        values=("slot", "name"),
    ),
    Address(
        "/drum/recall",
        ((_SLOT, _PRESET),),
        "recall",
        "Put a preset into the slot: the same sound, byte for byte, and the same state: its "
        "class, its base, its latent and so its PCA offsets, which the reply ends with. A "
        "client that sets its PCA controls to them continues from there: `/drum/pca slot "
        "c1 ... cK` with those offsets keeps the sound, and `/drum/latent` answers what it "
        "answered when the preset was stored.",
        "`/drum/done /drum/recall slot path frames sr ms name c1 ... cK` (the PCA offsets "
        "around the base)",
        queued=True,
        renders=True,
        values=("name", "c..."),
    ),
    Address(
        "/drum/presets",
        ((),),
        "presets_list",
        "List this model's presets.",
        "`/drum/presets name1 ... nameN` (sorted; none: no values)",
        queued=True,
    ),
    Address(
        "/drum/forget",
        ((_PRESET,),),
        "forget",
        "Delete a preset.",
        "`/drum/forgotten name`",
        queued=True,
        values=("name",),
    ),
    Address(
        "/wek/outputs",
        ((_COORDS,),),
        "pca",
        "Wekinator's output message (set Wekinator's OSC output to this server's port; its "
        "default message name is this address): the values move the slot named by the "
        "server's `--wekinator-slot` (default `wek`; fill it first, e.g. `/drum/seed wek 1`) "
        "exactly as `/drum/pca` does, and coalesce the same way, latest wins. Set each "
        "Wekinator output's range to the standard deviations wanted, e.g. -2 to 2.",
        "`/drum/done /wek/outputs slot path frames sr ms`",
        queued=True,
        renders=True,
        relative=True,
        implicit_slot=True,
    ),
    Address(
        "/drum/slices",
        ((_SLOT,),),
        "slices",
        "Where the hits of the slot's break start (`/drum/break`, `/drum/breakmix`).",
        "`/drum/slices slot f1 ... fN` (onsets in frames of the slot's file, at the output rate)",
        queued=True,
    ),
    Address(
        "/drum/breakpca",
        ((_SLOT, _COORDS),),
        "breakpca",
        "Move every hit of the slot's break together: each hit by the same coordinates along "
        "its own class's principal axes, around its latent as inverted. The loop, the hit "
        "slots `<slot>-<i>` and the bank are rendered again.",
        "`/drum/done /drum/breakpca slot path frames sr ms hits bank`; " + _BANK_NOTE,
        queued=True,
        renders=True,
        relative=True,
        values=("hits", "bank"),
        lane="job",
    ),
    Address(
        "/drum/breakmix",
        (
            (
                _SLOT,
                Arg("slotA", "slot", "a slot holding a break: its onsets are kept"),
                Arg("slotB", "slot", "a slot holding a break"),
                Arg("t", "float", "position between A and B, 0 to 1", 0.0, 1.0),
            ),
        ),
        "breakmix",
        "A slice-aligned morph of two breaks: hit i of A with hit i of B (B's hits repeat "
        "when it has fewer), laid at A's onsets, at A's length. The slot gets the loop, the "
        "hit slots `<slot>-<i>` and the bank, and holds the result as its break.",
        "`/drum/done /drum/breakmix slot path frames sr ms hits bank`; " + _BANK_NOTE,
        queued=True,
        renders=True,
        values=("hits", "bank"),
        lane="job",
    ),
)

REPLIES: Final[tuple[Reply, ...]] = (
    Reply("/drum/pong", "", "The answer to `/drum/ping`: the server is ready."),
    Reply(
        "/drum/cancelled",
        "slot n",
        "The answer to `/drum/cancel`: `n` requests of `slot` were stopped.",
    ),
    Reply(
        "/drum/done",
        "cmd slot path frames sr ms [values]",
        "A sound is in place: `path` (a WAV file, alternating between `<slot>-a.wav` and "
        "`<slot>-b.wav`), its length in `frames` at `sr`, `ms` the server's time from receipt "
        "to file in place, then any command-specific values.",
    ),
    Reply(
        "/drum/progress",
        "cmd slot fraction",
        "How far a job (`cmd` into `slot`) has come, `fraction` from 0 to 1, sent to the "
        f"requester at most every {PROGRESS_EVERY_S:g} s while it runs; its `/drum/done` or "
        "`/drum/fail` comes after the last one.",
    ),
    Reply("/drum/stored", "slot name", "The answer to `/drum/store`: the preset is on disk."),
    Reply("/drum/forgotten", "name", "The answer to `/drum/forget`: the preset is gone."),
    Reply(
        "/drum/fail",
        "cmd slot reason",
        "A request that cannot be served: `cmd` its address, `slot` its slot or an empty "
        "string, `reason` what was wrong, in words. Also `busy` when the queue is full. "
        f"At most {FAIL_BURST} at once and {FAIL_RATE:g} a second go to one host; the rest "
        "are counted in "
        "`/drum/status` as `throttled`. Never answered.",
    ),
)

#: Rows by address.
BY_ADDRESS: Final[dict[str, Address]] = {row.address: row for row in TABLE}

#: Addresses the server only sends: a message to one is dropped unanswered, so two servers, or
#: a server and a client echoing what it gets, cannot answer each other forever.
NEVER_ANSWERED: Final = frozenset(r.address for r in REPLIES) - frozenset(BY_ADDRESS)


@dataclass(frozen=True)
class Context:
    """What validation needs to know about the loaded model.

    Attributes:
        classes: The model's class names, in order.
        pca_axes: Number of principal axes per class.
        wekinator_slot: The slot `/wek/outputs` moves.
    """

    classes: tuple[str, ...]
    pca_axes: int
    wekinator_slot: str = "wek"


@dataclass(frozen=True)
class Call:
    """A validated request.

    Attributes:
        spec: Its row in the table.
        slot: The canonical slot name, or None for addresses without a slot.
        args: Converted values by argument name, defaults filled in (variadic: a tuple).
    """

    spec: Address
    slot: str | None
    args: dict[str, Any] = field(default_factory=dict)

    @property
    def sources(self) -> tuple[str, ...]:
        """Other slots this call reads (slotA and slotB of morph and path)."""
        return tuple(v for k, v in self.args.items() if k in ("slotA", "slotB"))

    @property
    def lane(self) -> Lane:
        """The worker lane that serves it: the row's, or "job" past the row's `job_past`."""
        if self.spec.job_past is not None:
            name, bound = self.spec.job_past
            if self.args.get(name, 0) > bound:
                return "job"
        return self.spec.lane

    @property
    def relative(self) -> bool:
        """True when the result depends on the target slot's own earlier state."""
        return self.spec.relative or (self.slot is not None and self.slot in self.sources)


class RequestError(ValueError):
    """A request that cannot be served; becomes `/drum/fail cmd slot reason`.

    Attributes:
        cmd: The address of the request.
        slot: Its slot name ("" when it has none or it could not be read).
        reason: What was wrong, for a performer.
    """

    def __init__(self, cmd: str, slot: str | None, reason: str) -> None:
        super().__init__(reason)
        self.cmd = cmd
        self.slot = slot or ""
        self.reason = reason


def slot_reply_value(slot: str) -> int | str:
    """The slot as it goes back in replies: an int for numeric slots (buffer numbers) that fit
    an OSC int32, else the name as sent."""
    return int(slot) if slot.isdigit() and int(slot) < 2**31 else slot


def _type_name(value: Any) -> str:
    if isinstance(value, bool):
        return "true/false"
    if value is None:
        return "nil"
    if isinstance(value, (bytes, bytearray)):
        return "a blob"
    if isinstance(value, str):
        return f"the symbol {value!r}"
    if isinstance(value, (int, float)):
        return f"{value:g}"
    return f"a {type(value).__name__}"


def _as_number(arg: Arg, value: Any) -> float | int:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"{arg.name} must be a number, got {_type_name(value)}")
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"{arg.name} must be a finite number, got {value}")
    return value


def _as_whole(arg: Arg, value: Any) -> int:
    number = _as_number(arg, value)
    if isinstance(number, float):
        if not number.is_integer():
            raise ValueError(f"{arg.name} must be a whole number, got {number:g}")
        number = int(number)
    return number


def _num(x: float) -> str:
    """A number in words: 16777215 (never 1.67772e+07), 2.5."""
    return str(int(x)) if float(x).is_integer() and abs(x) < 1e15 else f"{x:g}"


def _check_range(arg: Arg, number: float) -> None:
    if arg.low is not None and arg.high is not None and not arg.low <= number <= arg.high:
        raise ValueError(
            f"{arg.name} must be between {_num(arg.low)} and {_num(arg.high)}, got {_num(number)}"
        )


def canonical_slot(value: Any, name: str = "slot") -> str:
    """Converts a slot as sent (int, integral float or symbol) to its canonical name.

    Numeric symbols are numbers: "007", 7 and 7.0 are the same slot "7".

    Raises:
        ValueError: with a reason for a performer.
    """
    if isinstance(value, str):
        if not SLOT_PATTERN.fullmatch(value):
            raise ValueError(
                f"{name} must be a number >= 0 or a name of letters, digits, _ and - "
                f"(at most {MAX_SLOT_CHARS}), got {value[:70]!r}"
            )
        return str(int(value)) if value.isdigit() else value
    try:
        number = _as_whole(Arg(name, "int", ""), value)
    except ValueError as err:
        raise ValueError(
            f"{name} must be a number >= 0 or a name, got {_type_name(value)}"
        ) from err
    if number < 0:
        raise ValueError(f"{name} must be a number >= 0 or a name, got {number}")
    return str(number)


def _convert(arg: Arg, value: Any, ctx: Context) -> Any:
    """Converts and checks one raw OSC value against its argument; raises ValueError."""
    if arg.kind == "slot":
        return canonical_slot(value, arg.name)
    if arg.kind in ("int", "port"):
        whole = _as_whole(arg, value)
        _check_range(arg, whole)
        return whole
    if arg.kind == "float":
        number = float(_as_number(arg, value))
        _check_range(arg, number)
        return number
    if arg.kind == "class":
        if isinstance(value, str):
            if value not in ctx.classes:
                raise ValueError(
                    f"unknown class {value[:64]!r}; the classes are {' '.join(ctx.classes)}"
                )
            return value
        index = _as_whole(Arg(arg.name, "int", ""), value)
        if not 0 <= index < len(ctx.classes):
            raise ValueError(
                f"class index must be between 0 and {len(ctx.classes) - 1}, got {index}"
            )
        return ctx.classes[index]
    if arg.kind == "choice":
        if not isinstance(value, str) or value not in arg.choices:
            raise ValueError(
                f"{arg.name} must be one of {' '.join(arg.choices)}, got {_type_name(value)}"
            )
        return value
    if arg.kind == "path":
        if not isinstance(value, str) or not value:
            raise ValueError(f"{arg.name} must be a file path, got {_type_name(value)}")
        return value
    if arg.kind == "name":
        if isinstance(value, str) and SLOT_PATTERN.fullmatch(value):
            return value
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return canonical_slot(value, arg.name)  # Pd and Max send 3 as 3.0
        raise ValueError(
            f"{arg.name} must be letters, digits, _ and - (at most {MAX_SLOT_CHARS}), got "
            f"{_type_name(value)[:80]}"
        )
    if arg.kind == "host":
        if not isinstance(value, str):
            raise ValueError(f"{arg.name} must be an IP address, got {_type_name(value)}")
        if value == "localhost":
            return "127.0.0.1"
        try:
            return str(ipaddress.ip_address(value))
        except ValueError as err:
            raise ValueError(
                f"{arg.name} must be an IP address or localhost, got {value[:64]!r}"
            ) from err
    raise AssertionError(f"unknown argument kind {arg.kind!r}")  # the table is wrong


def _blend(arg: Arg, values: Sequence[Any], ctx: Context) -> dict[str, Any]:
    """`class1 w1 class2 w2 ... [seed]` -> {"blend": ((class, weight), ...), "seed": seed}."""
    pairs, rest = values[: len(values) // 2 * 2], values[len(values) // 2 * 2 :]
    if not pairs:
        raise ValueError("a hybrid needs at least one class and its weight")
    weight = Arg("weight", "float", "", 0.0, 1e6)
    blend = tuple(
        (_convert(_CLASS, pairs[i], ctx), _convert(weight, pairs[i + 1], ctx))
        for i in range(0, len(pairs), 2)
    )
    if sum(w for _, w in blend) <= 0:
        raise ValueError("a hybrid needs a weight above 0")
    seed = _convert(Arg("seed", "int", "", 0, MAX_SEED), rest[0], ctx) if rest else 0
    return {arg.name: blend, "seed": seed}


def _fits(sig: tuple[Arg, ...], count: int) -> bool:
    low = sum(1 for a in sig if a.required)
    high = float("inf") if sig and sig[-1].variadic else len(sig)
    return low <= count <= high


def parse(address: str, values: Sequence[Any], ctx: Context) -> Call:
    """Validates one OSC message against the table.

    Args:
        address: The OSC address as received.
        values: Its arguments as python-osc decoded them.
        ctx: The loaded model's classes and axes.

    Returns:
        The validated call, defaults filled in.

    Raises:
        RequestError: unknown address, missing or extra arguments, wrong types, values out of
            range, NaN; the reason names what was wrong.
    """
    spec = BY_ADDRESS.get(address)
    if spec is None:
        raise RequestError(
            address[:80], None, f"unknown address {address[:80]}; try /drum/info or /drum/ping"
        )
    slot: str | None = ctx.wekinator_slot if spec.implicit_slot else None
    if spec.has_slot and values:
        try:
            slot = canonical_slot(values[0])
        except ValueError as err:
            raise RequestError(address, None, str(err)) from None
    sig = next((s for s in spec.signatures if _fits(s, len(values))), None)
    if sig is None:
        shortest = min(spec.signatures, key=lambda s: sum(1 for a in s if a.required))
        required = [a.name for a in shortest if a.required]
        if len(values) < len(required):
            reason = f"{', '.join(required[len(values) :])} missing; usage: {spec.usage()}"
        else:
            reason = f"too many arguments ({len(values)}); usage: {spec.usage()}"
        raise RequestError(address, slot, reason)
    args: dict[str, Any] = {}
    for i, arg in enumerate(sig):
        try:
            if arg.kind == "blend":
                args.update(_blend(arg, values[i:], ctx))
            elif arg.variadic:
                args[arg.name] = tuple(_convert(arg, v, ctx) for v in values[i:])
                if arg.name == "c" and len(args[arg.name]) > ctx.pca_axes:
                    raise ValueError(
                        f"this model has {ctx.pca_axes} principal axes, got "
                        f"{len(args[arg.name])} coordinates"
                    )
            elif i < len(values):
                args[arg.name] = _convert(arg, values[i], ctx)
            else:
                args[arg.name] = arg.default
        except ValueError as err:
            raise RequestError(address, slot, str(err)) from None
    if "class" in args and args["class"] is None:
        args["class"] = ctx.classes[0]
    if spec.has_slot:
        slot = args.pop(sig[0].name)
    return Call(spec, slot, args)


def _arg_line(arg: Arg) -> str:
    default = ""
    if arg.variadic:
        default = " (zero or more)"
    elif not arg.required and arg.default is not None:
        default = f" (default `{arg.default}`)"
    elif not arg.required:
        default = " (optional)"
    return f"  - `{arg.name}`{default}: {arg.help}"


def render_markdown() -> str:
    """The protocol page, generated from the table (`drumsynth protocol > docs/protocol.md`)."""
    out = [
        "# drumsynth OSC protocol",
        "",
        "<!-- Generated from oscserver/server/protocol.py by `drumsynth protocol`; "
        "do not edit. -->",
        "",
        "Transport: OSC 1.0 over UDP, `127.0.0.1:57300` by default. Messages and bundles (every "
        "message of a bundle is handled at once; time tags are not waited for). Replies go to "
        "the sender's address and port unless the client named another with `/drum/reply`.",
        "",
        f"Bounds: bundles nest at most {MAX_BUNDLE_DEPTH} deep and hold at most "
        f"{MAX_BUNDLE_MESSAGES} messages; a datagram past them, or not well-formed OSC, is "
        "dropped whole and counted (`malformed` in `/drum/status`). Only this machine may "
        "send unless the server runs with `--allow CIDR`; datagrams from other hosts are "
        "dropped and counted (`dropped`). Messages to the addresses the server only sends "
        "(`/drum/done`, `/drum/fail`, `/drum/pong`, `/drum/cancelled`, `/drum/progress`) are "
        "never answered. "
        f"Audio files for `/drum/invert` and `/drum/break` must be regular files of at most "
        f"{MAX_FILE_BYTES // 1000000} MB and {MAX_FILE_SECONDS:g} s, inside the server's "
        "`--allow-read` folders when it has any; anything else is `not a readable audio "
        "file`, and silence is `silent input`.",
        "",
        "Numbers: Pd and Max send every number as a float; a whole number argument accepts an "
        "integral float (`3.0`), a float argument accepts an int. Slots are an int >= 0 or a "
        'name of letters, digits, `_` and `-` (at most 64 characters); `7`, `7.0` and `"7"` '
        "are the same slot.",
        "",
        "Queue: rendering requests go to one worker that owns the model. A newer request for a "
        "slot replaces one still queued for that slot (it gets no reply of its own), so a "
        "sensor gets the latest state rendered, never a backlog; a `/drum/pca` queued behind a "
        "`/drum/seed` of the same slot keeps the seed. Past the queue's bound the server "
        "answers `/drum/fail cmd slot busy`.",
        "",
        "Lanes: the worker serves two lanes. Live requests (seed, random, pca, morph, mix, "
        f"hybrid, pcaabs, paths of up to {LIVE_PATH_STEPS} steps, inversion without "
        "refinement) are rendered while a job (an inversion with refinement, a break and its "
        "edits, a kit, a longer path) computes beside them, so they never wait behind one; "
        "the job holds back between its chunks while they render. Live renders queued for "
        "different slots are rendered together in one batched call. A live request that reads "
        "or writes a slot a job is still working on (the job's slot or its `<slot>-<i>` hit "
        "slots) waits for that job. A job reports `/drum/progress cmd slot fraction` while it "
        "runs, and stops between its chunks on `/drum/cancel slot` or at the server's "
        "deadline.",
        "",
        "Files: each sound is written as WAV into the server's `--out` folder, under a "
        "temporary name then renamed into place, alternating `<slot>-a.wav` and "
        "`<slot>-b.wav` so a buffer being played is never overwritten. `/drum/path` writes "
        "`steps` sounds one after another into one file.",
        "",
        "## Requests",
        "",
        "| Address | Arguments | Reply |",
        "|---|---|---|",
    ]
    for row in TABLE:
        usage = row.usage().replace(" | ", "` or `").replace("|", "\\|")
        out.append(f"| `{row.address}` | `{usage}` | {row.reply.replace('|', chr(92) + '|')} |")
    out += ["", "## Requests in detail", ""]
    for row in TABLE:
        out += [f"### `{row.address}`", "", row.help, ""]
        for sig in row.signatures:
            if len(row.signatures) > 1:
                names = " ".join(a.name for a in sig)
                out += [f"Form `{row.address} {names}`:", ""]
            out += [_arg_line(arg) for arg in sig] or ["  - no arguments"]
            out.append("")
        if row.queued:
            out += [f"Lane: {row.lane_words()}.", ""]
        out += [f"Reply: {row.reply}.", ""]
    out += ["## Replies", "", "| Address | Arguments | Meaning |", "|---|---|---|"]
    for reply in REPLIES:
        out.append(f"| `{reply.address}` | `{reply.args}` | {reply.help} |")
    out.append("")
    return "\n".join(out)
