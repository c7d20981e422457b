"""The queued requests' handlers: run on the one worker thread that owns the engine.

Each handler takes a validated `protocol.Call` and returns what to answer: a `Done` (a sound is
in place) or a `Message`. The live renders that can share a batched synthesis (seed, random, pca,
morph) also have a planner: `plan` gives the latent to render and the step that stores the
sound, so the worker renders several slots' latents in one engine call. Handlers and planners
raise ValueError (UnknownSlot, InputRefused, OutputUnavailable, Stopped, the engine's own
checks) for requests that cannot be served; the worker turns those into `/drum/fail`. Files
named by requests are read here, within `inputs.ReadPolicy`, and handed to the engine as
samples: the engine never opens a path a client chose.

The server knows the engine only through the `Engine` protocol below: its public API.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from oscserver.audio.dsp import place_slices
from oscserver.limits import MAX_SEED, MAX_SLOT_CHARS
from oscserver.server.inputs import ReadPolicy, read_request_audio
from oscserver.server.protocol import Call, slot_reply_value
from oscserver.server.slots import SlotStore

#: Called by long jobs between their chunks with the fraction done (0 to 1); raises `Stopped`
#: when the job is cancelled or overdue, and meanwhile lets the worker serve live requests.
Check = Callable[[float], None]


class Stopped(ValueError):
    """A job cancelled by `/drum/cancel`, past its deadline, or cut by shutdown."""


class RenderLike(Protocol):
    """What the engine returns: audio [frames] or [n, frames], latent [w_dim] or [n, w_dim]."""

    @property
    def audio(self) -> np.ndarray: ...

    @property
    def latent(self) -> np.ndarray: ...

    @property
    def labels(self) -> tuple[str, ...]: ...  # inversion: the class heard in each input


class Engine(Protocol):
    """The public API of `oscserver.engine.DrumEngine` that the server uses."""

    @property
    def name(self) -> str: ...

    @property
    def format_version(self) -> str: ...

    @property
    def sample_rate(self) -> int: ...

    @property
    def frames(self) -> int: ...

    @property
    def classes(self) -> tuple[str, ...]: ...

    @property
    def pca_axes(self) -> int: ...

    @property
    def device(self) -> str: ...

    @property
    def w_dim(self) -> int: ...

    def generate(self, seed: int, cls: str, psi: float = 1.0) -> RenderLike: ...

    def seed_latent(self, seed: int, cls: str, psi: float = 1.0) -> np.ndarray: ...

    def render(self, latent: np.ndarray) -> RenderLike: ...

    def coordinates_latent(
        self, cls: str, coords: Sequence[float], base: np.ndarray | None = None
    ) -> np.ndarray: ...

    def morph_latent(
        self, a: np.ndarray, b: np.ndarray, t: float, mode: str = "lin"
    ) -> np.ndarray: ...

    def to_coordinates(
        self, cls: str, latent: np.ndarray, base: np.ndarray | None = None
    ) -> np.ndarray: ...

    def path(
        self,
        anchors: Sequence[np.ndarray],
        steps: int,
        mode: str = "lin",
        check: Callable[[float], None] | None = None,
    ) -> RenderLike: ...

    def invert(
        self,
        audio: np.ndarray,
        sample_rate: int,
        refine_steps: int = 0,
        check: Callable[[float], None] | None = None,
    ) -> RenderLike: ...

    def invert_slices(
        self,
        audio: np.ndarray,
        sample_rate: int,
        refine_steps: int = 0,
        check: Callable[[float], None] | None = None,
    ) -> tuple[np.ndarray, RenderLike]: ...

    def nearest_class(self, latent: np.ndarray) -> str: ...


@dataclass(frozen=True)
class Done:
    """A sound is in place.

    Attributes:
        path: The file written.
        frames: Its length at the output rate.
        extra: Command-specific values appended to `/drum/done`.
    """

    path: Path
    frames: int
    extra: tuple[Any, ...] = ()


@dataclass(frozen=True)
class Message:
    """A reply that is not a `/drum/done`."""

    address: str
    args: tuple[Any, ...]


Outcome = Done | Message


@dataclass(frozen=True)
class Plan:
    """A live render waiting for its place in a batched synthesis.

    Attributes:
        latent: What to render: [w_dim].
        finish: Stores the rendered audio [frames] in the slot and says what to answer.
    """

    latent: np.ndarray
    finish: Callable[[np.ndarray], Done]


def hit_slot_name(slot: str, index: int) -> str:
    """The slot of hit `index` of a `/drum/break` into `slot`: `<slot>-<index>`.

    Raises:
        ValueError: the name would be longer than a slot name may be.
    """
    name = f"{slot}-{index}"
    if len(name) > MAX_SLOT_CHARS:
        raise ValueError(
            f"slot name too long for the hit slots: {name[:70]} has {len(name)} characters, "
            f"at most {MAX_SLOT_CHARS}"
        )
    return name


class Handlers:
    """Serves queued calls with one engine and one slot store.

    Args:
        engine: The loaded engine.
        slots: Slot state and files.
        rng: Draws the seeds of `/drum/random`.
        reads: Which files `/drum/invert` and `/drum/break` may read, and how big.
        check: Called between the chunks of a job (refinement, a break, a long path) with the
            fraction done; raises `Stopped` to end it.
    """

    def __init__(
        self,
        engine: Engine,
        slots: SlotStore,
        rng: np.random.Generator,
        reads: ReadPolicy | None = None,
        check: Check = lambda fraction: None,
    ) -> None:
        self.engine = engine
        self.slots = slots
        self.rng = rng
        self.reads = reads or ReadPolicy()
        self.check = check
        self._planners: dict[str, Callable[[Call], Plan]] = {
            "seed": self.plan_seed,
            "random": self.plan_random,
            "pca": self.plan_pca,
            "morph": self.plan_morph,
        }

    # batched live renders ----------------------------------------------------------------------

    def can_batch(self, call: Call) -> bool:
        """True when the call's sound can be rendered in a batch with other slots'."""
        return call.spec.handler in self._planners

    def plan(self, call: Call) -> Plan:
        """The latent and the storing step of a call that `can_batch`; raises ValueError (an
        unknown slot, ...) like its handler."""
        return self._planners[call.spec.handler](call)

    def render(self, plans: Sequence[Plan]) -> np.ndarray:
        """The sounds of several plans in one engine call: audio [n, frames]."""
        audio = np.asarray(self.engine.render(np.stack([p.latent for p in plans])).audio)
        if audio.ndim != 2 or audio.shape[0] != len(plans):
            raise RuntimeError(
                f"engine.render returned audio of shape {audio.shape} for {len(plans)} latents"
            )
        return audio

    def _plan_absolute(
        self, slot: str, cls: str, latent: np.ndarray, extra: tuple[Any, ...] = ()
    ) -> Plan:
        def finish(audio: np.ndarray) -> Done:
            done = self._store(slot, cls, audio, latent, latent)
            return Done(done.path, done.frames, extra)

        return Plan(latent, finish)

    def plan_seed(self, call: Call) -> Plan:
        """`/drum/seed` as a plan: the seed's latent."""
        assert call.slot is not None
        cls = call.args["class"]
        latent = self.engine.seed_latent(call.args["seed"], cls, call.args["psi"])
        return self._plan_absolute(call.slot, cls, latent)

    def plan_random(self, call: Call) -> Plan:
        """`/drum/random` as a plan: a random seed's latent; answers the seed."""
        assert call.slot is not None
        seed = int(self.rng.integers(0, MAX_SEED + 1))
        cls = call.args["class"]
        return self._plan_absolute(call.slot, cls, self.engine.seed_latent(seed, cls), (seed,))

    def plan_pca(self, call: Call) -> Plan:
        """`/drum/pca` as a plan: the latent at the coordinates around the slot's base."""
        assert call.slot is not None
        slot, state = call.slot, self.slots.get(call.slot)
        latent = self.engine.coordinates_latent(state.cls, list(call.args["c"]), state.base)
        return Plan(latent, lambda audio: self._store(slot, state.cls, audio, state.base, latent))

    def plan_morph(self, call: Call) -> Plan:
        """`/drum/morph` as a plan: the latent at t between the two slots."""
        assert call.slot is not None
        a = self.slots.get(call.args["slotA"])
        b = self.slots.get(call.args["slotB"])
        latent = self.engine.morph_latent(a.latent, b.latent, call.args["t"])
        return self._plan_absolute(call.slot, self._class_between(a.cls, b.cls, latent), latent)

    def _alone(self, plan: Plan) -> Done:
        return plan.finish(np.asarray(self.engine.render(plan.latent).audio))

    # one call at a time ------------------------------------------------------------------------

    def _store(
        self, slot: str, cls: str, audio: np.ndarray, base: np.ndarray, latent: np.ndarray
    ) -> Done:
        path, frames = self.slots.write(slot, audio)
        self.slots.set(slot, cls, base, latent, path, frames)
        return Done(path, frames)

    def seed(self, call: Call) -> Outcome:
        """`/drum/seed slot seed [class] [psi]`."""
        assert call.slot is not None
        cls = call.args["class"]
        render = self.engine.generate(call.args["seed"], cls, call.args["psi"])
        return self._store(call.slot, cls, render.audio, render.latent, render.latent)

    def random(self, call: Call) -> Outcome:
        """`/drum/random slot [class]`: answers the seed used."""
        assert call.slot is not None
        seed = int(self.rng.integers(0, MAX_SEED + 1))
        cls = call.args["class"]
        render = self.engine.generate(seed, cls, 1.0)
        done = self._store(call.slot, cls, render.audio, render.latent, render.latent)
        return Done(done.path, done.frames, (seed,))

    def pca(self, call: Call) -> Outcome:
        """`/drum/pca slot c1 ... cK` around the slot's base latent."""
        return self._alone(self.plan_pca(call))

    def _class_between(self, a: str, b: str, latent: np.ndarray) -> str:
        return a if a == b else self.engine.nearest_class(latent)

    def morph(self, call: Call) -> Outcome:
        """`/drum/morph slot slotA slotB t`: the result is also the slot's new base."""
        return self._alone(self.plan_morph(call))

    def path(self, call: Call) -> Outcome:
        """`/drum/path slot slotA slotB steps [mode]`: answers steps and frames per step."""
        assert call.slot is not None
        a = self.slots.get(call.args["slotA"])
        b = self.slots.get(call.args["slotB"])
        steps = call.args["steps"]
        check = self.check if call.lane == "job" else None  # a long path: in chunks
        render = self.engine.path([a.latent, b.latent], steps, call.args["mode"], check)
        audio = np.asarray(render.audio)
        if audio.ndim != 2 or audio.shape[0] != steps:
            raise RuntimeError(
                f"engine.path returned audio of shape {audio.shape}, not [{steps}, frames]"
            )
        last = np.asarray(render.latent)[-1]
        done = self._store(call.slot, b.cls, audio, last, last)
        return Done(done.path, done.frames, (steps, done.frames // steps))

    def invert(self, call: Call) -> Outcome:
        """`/drum/invert slot path [refine_steps]`: answers the nearest class."""
        assert call.slot is not None
        audio, rate = read_request_audio(call.args["path"], self.reads)
        self.check(0.0)
        render = self.engine.invert(audio, rate, call.args["refine_steps"], self.check)
        cls = render.labels[0]  # the encoder's class head
        done = self._store(call.slot, cls, render.audio, render.latent, render.latent)
        return Done(done.path, done.frames, (cls,))

    def invert_break(self, call: Call) -> Outcome:
        """`/drum/break slot path [refine_steps]`: the loop into the slot, hit i into `<slot>-i`.

        Answers the number of hits. The slot itself takes the first hit's class and latent.
        """
        assert call.slot is not None
        slot = call.slot
        hit_slot_name(slot, 0)  # fail before the inversion when no suffix fits
        mono, rate = read_request_audio(call.args["path"], self.reads)
        self.check(0.0)
        starts, render = self.engine.invert_slices(
            mono, rate, call.args["refine_steps"], self.check
        )
        audio, latents = np.asarray(render.audio), np.asarray(render.latent)
        length = round(mono.size * self.engine.sample_rate / rate)
        n = len(starts)
        if n == 0 or audio.ndim != 2 or audio.shape[0] != n or latents.shape[0] != n:
            raise RuntimeError(
                f"engine.invert_slices returned {n} onsets, audio of shape {audio.shape} "
                f"and latents of shape {latents.shape}"
            )
        loop = place_slices(audio, starts, length, self.engine.sample_rate)
        names = [hit_slot_name(slot, i) for i in range(n)]  # all checked before any write
        classes = list(render.labels)  # the encoder's class head, hit by hit
        for name, cls, sound, w in zip(names, classes, audio, latents, strict=True):
            self._store(name, cls, sound, w, w)
        done = self._store(slot, classes[0], np.asarray(loop), latents[0], latents[0])
        return Done(done.path, done.frames, (n,))

    def latent(self, call: Call) -> Outcome:
        """`/drum/latent slot` -> `/drum/latent slot class c1 ... cK` (from the class mean)."""
        assert call.slot is not None
        state = self.slots.get(call.slot)
        coords = np.asarray(self.engine.to_coordinates(state.cls, state.latent), dtype=np.float64)
        values = tuple(round(float(c), 4) for c in coords.reshape(-1))
        return Message("/drum/latent", (slot_reply_value(call.slot), state.cls, *values))
