"""The queued requests' handlers: run on the worker thread, which alone touches the slots.

Each handler takes a validated `protocol.Call` and returns what to answer: a `Done` (a sound is
in place) or a `Message`. The live renders that can share a batched synthesis (seed, random, pca,
morph) also have a planner: `plan` gives the latent to render (for a seed, the seed itself: the
batch's seeds go through the mapping network together) and the step that stores the sound, so
the worker renders several slots' latents in one engine call. The calls that can be
long (inversion, breaks and their edits, paths, kits) are split the same way into `Work`: the
engine work, which reads what it needs first and touches no slot, so the server can run it on a
thread of its own beside the live lane, and the step that stores its result. Handlers and planners
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
from oscserver.engine.latent import blend_residuals
from oscserver.limits import MAX_SEED, MAX_SLOT_CHARS
from oscserver.server.inputs import ReadPolicy, read_request_audio
from oscserver.server.presets import PRESET_OFFSETS_TOLERANCE, Preset, PresetError, PresetStore
from oscserver.server.protocol import Call, slot_reply_value
from oscserver.server.slots import Break, Slot, SlotStore

#: Called by long jobs between their chunks with the fraction done (0 to 1); raises `Stopped`
#: when the job is cancelled or overdue, and may hold the job back while live requests render.
Check = Callable[[float], None]


class Stopped(ValueError):
    """A job cancelled by `/drum/cancel`, past its deadline, or cut by shutdown."""


class RenderLike(Protocol):
    """What the engine returns: audio [frames] or [n, frames], latent [w_dim] or [n, w_dim],
    and the residual [control_frames, num_controls] (or [n, ...]) of a refined inversion."""

    @property
    def audio(self) -> np.ndarray: ...

    @property
    def latent(self) -> np.ndarray: ...

    @property
    def labels(self) -> tuple[str, ...]: ...  # inversion: the class heard in each input

    @property
    def residual(self) -> np.ndarray | None: ...  # None: a sound of its latent alone


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

    @property
    def residual_shape(self) -> tuple[int, int]: ...

    def generate(self, seed: int, cls: str, psi: float = 1.0) -> RenderLike: ...

    def seed_latent(self, seed: int, cls: str, psi: float = 1.0) -> np.ndarray: ...

    def seed_latents(
        self, seeds: Sequence[int], classes: Sequence[str], psis: Sequence[float]
    ) -> np.ndarray: ...

    def render(
        self,
        latent: np.ndarray,
        check: Check | None = None,
        residual: np.ndarray | None = None,
    ) -> RenderLike: ...

    def kit_latents(self, seed: int, psi: float = 1.0) -> np.ndarray: ...

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
        residuals: Sequence[np.ndarray | None] | None = None,
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

    @property
    def num_ws(self) -> int: ...

    def render_styles(
        self, styles: np.ndarray, residual: np.ndarray | None = None
    ) -> RenderLike: ...

    def mix(
        self,
        a: np.ndarray,
        b: np.ndarray,
        layer: int | None = None,
        residual: np.ndarray | None = None,
    ) -> RenderLike: ...

    def hybrid_latent(
        self, blend: Sequence[tuple[str, float]], seed: int, psi: float = 1.0
    ) -> np.ndarray: ...


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
class Seeded:
    """The latent of a seed in a class, truncated by psi: mapped when its batch renders."""

    seed: int
    cls: str
    psi: float


@dataclass(frozen=True)
class Plan:
    """A live render waiting for its place in a batched synthesis.

    Attributes:
        latent: What to render: [w_dim], or the seed whose latent it is (`Handlers.render` maps
            the batch's seeds in one call of the mapping network, not one call each).
        finish: Stores the rendered audio [frames] and its latent [w_dim] in the slot and says
            what to answer.
        residual: Added to the controls the latent gives ([control_frames, num_controls]), or
            None.
    """

    latent: np.ndarray | Seeded
    finish: Callable[[np.ndarray, np.ndarray], Done]
    residual: np.ndarray | None = None


@dataclass(frozen=True)
class Work:
    """A request that can take long, split where its engine work can run beside the live lane.

    Attributes:
        compute: The engine work (reading the request's file included); touches no slot.
            Called with the job's check (None for a live request: no chunks, no checks);
            returns what `finish` takes.
        finish: Stores the result in the slots and says what to answer.
    """

    compute: Callable[[Check | None], Any]
    finish: Callable[[Any], Outcome]


def hit_slot_name(slot: str, index: int | str) -> str:
    """The slot of hit `index` of a `/drum/break` into `slot`: `<slot>-<index>` (also a kit's
    `<prefix>-<class>`).

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
        check: Called between the chunks of a job (refinement, a break and its edits, a long
            path, a kit) with the fraction done; raises `Stopped` to end it.
    """

    def __init__(
        self,
        engine: Engine,
        slots: SlotStore,
        rng: np.random.Generator,
        reads: ReadPolicy | None = None,
        check: Check = lambda fraction: None,
        presets: PresetStore | None = None,
    ) -> None:
        self.engine = engine
        self.slots = slots
        self.rng = rng
        self.reads = reads or ReadPolicy()
        self.check = check
        self.presets = presets or PresetStore(None, engine.name)
        self._planners: dict[str, Callable[[Call], Plan]] = {
            "seed": self.plan_seed,
            "random": self.plan_random,
            "pca": self.plan_pca,
            "morph": self.plan_morph,
        }
        self._works: dict[str, Callable[[Call], Work]] = {
            "path": self.work_path,
            "invert": self.work_invert,
            "invert_break": self.work_break,
            "kit": self.work_kit,
            "breakpca": self.work_breakpca,
            "breakmix": self.work_breakmix,
        }

    # batched live renders ----------------------------------------------------------------------

    def can_batch(self, call: Call) -> bool:
        """True when the call's sound can be rendered in a batch with other slots'."""
        return call.spec.handler in self._planners

    def plan(self, call: Call) -> Plan:
        """The latent and the storing step of a call that `can_batch`; raises ValueError (an
        unknown slot, ...) like its handler."""
        return self._planners[call.spec.handler](call)

    def render(self, plans: Sequence[Plan]) -> tuple[np.ndarray, np.ndarray]:
        """The sounds of several plans in one engine call (two when some have a residual and
        some not: a sound of w alone always renders the same way), their seeds mapped in one
        call before: latents [n, w_dim] and audio [n, frames]."""
        seeds = [p.latent for p in plans if isinstance(p.latent, Seeded)]
        mapped = iter(
            self.engine.seed_latents(
                [s.seed for s in seeds], [s.cls for s in seeds], [s.psi for s in seeds]
            )
            if seeds
            else ()
        )
        latents = np.stack([next(mapped) if isinstance(p.latent, Seeded) else p.latent
                            for p in plans])  # fmt: skip
        plain = [i for i, p in enumerate(plans) if p.residual is None]
        refined = [i for i, p in enumerate(plans) if p.residual is not None]
        groups = [(plain, None)] if plain else []
        if refined:
            groups.append((refined, np.stack([plans[i].residual for i in refined])))
        rendered: dict[int, np.ndarray] = {}
        for rows, residual in groups:
            some = np.asarray(self.engine.render(latents[rows], residual=residual).audio)
            if some.ndim != 2 or some.shape[0] != len(rows):
                raise RuntimeError(
                    f"engine.render returned audio of shape {some.shape} for {len(rows)} latents"
                )
            rendered.update(zip(rows, some, strict=True))
        return latents, np.stack([rendered[i] for i in range(len(plans))])

    def _plan_absolute(
        self,
        slot: str,
        cls: str,
        latent: np.ndarray | Seeded,
        extra: tuple[Any, ...] = (),
        residual: np.ndarray | None = None,
    ) -> Plan:
        def finish(audio: np.ndarray, rendered: np.ndarray) -> Done:
            done = self._store(slot, cls, audio, rendered, rendered, residual=residual)
            return Done(done.path, done.frames, extra)

        return Plan(latent, finish, residual)

    def plan_seed(self, call: Call) -> Plan:
        """`/drum/seed` as a plan: the seed, mapped with the batch's others."""
        assert call.slot is not None
        cls = call.args["class"]
        return self._plan_absolute(call.slot, cls, Seeded(call.args["seed"], cls, call.args["psi"]))

    def plan_random(self, call: Call) -> Plan:
        """`/drum/random` as a plan: a random seed; answers the seed."""
        assert call.slot is not None
        seed = int(self.rng.integers(0, MAX_SEED + 1))
        cls = call.args["class"]
        return self._plan_absolute(call.slot, cls, Seeded(seed, cls, 1.0), (seed,))

    def plan_pca(self, call: Call) -> Plan:
        """`/drum/pca` as a plan: the latent at the coordinates around the slot's base."""
        assert call.slot is not None
        slot, state = call.slot, self.slots.get(call.slot)
        latent = self.engine.coordinates_latent(state.cls, list(call.args["c"]), state.base)

        def finish(audio: np.ndarray, w: np.ndarray) -> Done:
            return self._store(slot, state.cls, audio, state.base, w, residual=state.residual)

        return Plan(latent, finish, state.residual)

    def plan_morph(self, call: Call) -> Plan:
        """`/drum/morph` as a plan: the latent at t between the two slots."""
        assert call.slot is not None
        a = self.slots.get(call.args["slotA"])
        b = self.slots.get(call.args["slotB"])
        latent = self.engine.morph_latent(a.latent, b.latent, call.args["t"])
        residual = blend_residuals(a.residual, b.residual, call.args["t"])
        cls = self._class_between(a.cls, b.cls, latent)
        return self._plan_absolute(call.slot, cls, latent, residual=residual)

    def _alone(self, plan: Plan) -> Done:
        latents, audio = self.render([plan])
        return plan.finish(audio[0], latents[0])

    # long work ---------------------------------------------------------------------------------

    def can_work(self, call: Call) -> bool:
        """True when the call's engine work can run apart from its storing step (`work`)."""
        return call.spec.handler in self._works

    def work(self, call: Call) -> Work:
        """The engine work and the storing step of a call that `can_work`; raises ValueError
        (an empty source slot, ...) like its handler."""
        return self._works[call.spec.handler](call)

    def _in_turn(self, call: Call) -> Outcome:
        """A call's work and its storing step one after the other, here: a live request (no
        checks), or a job whose server runs no job thread (checked)."""
        work = self.work(call)
        return work.finish(work.compute(self.check if call.lane == "job" else None))

    # one call at a time ------------------------------------------------------------------------

    def _store(
        self,
        slot: str,
        cls: str,
        audio: np.ndarray,
        base: np.ndarray,
        latent: np.ndarray,
        styles: np.ndarray | None = None,
        hits: Break | None = None,
        residual: np.ndarray | None = None,
    ) -> Done:
        path, frames = self.slots.write(slot, audio)
        self.slots.set(slot, cls, base, latent, path, frames, styles, hits, residual)
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
        return self._in_turn(call)

    def work_path(self, call: Call) -> Work:
        """`/drum/path` as work: the sounds from A's latent to B's (a long one in chunks)."""
        slot, steps, mode = call.slot, call.args["steps"], call.args["mode"]
        assert slot is not None
        a = self.slots.get(call.args["slotA"])
        b = self.slots.get(call.args["slotB"])

        def compute(check: Check | None) -> RenderLike:
            return self.engine.path(
                [a.latent, b.latent], steps, mode, check, residuals=[a.residual, b.residual]
            )

        def finish(render: RenderLike) -> Done:
            audio = np.asarray(render.audio)
            if audio.ndim != 2 or audio.shape[0] != steps:
                raise RuntimeError(
                    f"engine.path returned audio of shape {audio.shape}, not [{steps}, frames]"
                )
            last = np.asarray(render.latent)[-1]
            residual = None if render.residual is None else np.asarray(render.residual)[-1]
            done = self._store(slot, b.cls, audio, last, last, residual=residual)
            return Done(done.path, done.frames, (steps, done.frames // steps))

        return Work(compute, finish)

    def invert(self, call: Call) -> Outcome:
        """`/drum/invert slot path [refine_steps]`: answers the nearest class."""
        return self._in_turn(call)

    def work_invert(self, call: Call) -> Work:
        """`/drum/invert` as work: the file read and inverted, then stored."""
        slot, path, steps = call.slot, call.args["path"], call.args["refine_steps"]
        assert slot is not None

        def compute(check: Check | None) -> RenderLike:
            audio, rate = read_request_audio(path, self.reads)
            if check is not None:
                check(0.0)
            return self.engine.invert(audio, rate, steps, check)

        def finish(render: RenderLike) -> Done:
            cls = render.labels[0]  # the encoder's class head
            latent = render.latent
            done = self._store(slot, cls, render.audio, latent, latent, residual=render.residual)
            return Done(done.path, done.frames, (cls,))

        return Work(compute, finish)

    def invert_break(self, call: Call) -> Outcome:
        """`/drum/break slot path [refine_steps]`: the loop into the slot, hit i into `<slot>-i`.

        Answers the number of hits. The slot itself takes the first hit's class and latent.
        """
        return self._in_turn(call)

    def work_break(self, call: Call) -> Work:
        """`/drum/break` as work: the file read, cut and every hit inverted, then laid out."""
        slot, path, steps = call.slot, call.args["path"], call.args["refine_steps"]
        assert slot is not None
        hit_slot_name(slot, 0)  # fail before the inversion when no suffix fits

        def compute(check: Check | None) -> tuple[Break, np.ndarray]:
            mono, rate = read_request_audio(path, self.reads)
            if check is not None:
                check(0.0)
            starts, render = self.engine.invert_slices(mono, rate, steps, check)
            audio, latents = np.asarray(render.audio), np.asarray(render.latent)
            length = round(mono.size * self.engine.sample_rate / rate)
            n = len(starts)
            if n == 0 or audio.ndim != 2 or audio.shape[0] != n or latents.shape[0] != n:
                raise RuntimeError(
                    f"engine.invert_slices returned {n} onsets, audio of shape {audio.shape} "
                    f"and latents of shape {latents.shape}"
                )
            classes = tuple(render.labels)  # the encoder's class head, hit by hit
            hits = Break(starts, latents, latents, classes, length, render.residual)
            return hits, audio

        return Work(compute, lambda result: self._lay_break(call, *result))

    def _lay_break(self, call: Call, hits: Break, audio: np.ndarray) -> Done:
        """Stores a break: hit i [frames] of audio [n, frames] into `<slot>-<i>`, the hit slots
        of a longer earlier break past n emptied, the bank folder, and the loop into the slot
        (which holds `hits`). Answers the number of hits and the bank folder."""
        assert call.slot is not None
        slot, n = call.slot, len(hits.onsets)
        names = [hit_slot_name(slot, i) for i in range(n)]  # all checked before any write
        old = self.slots.get(slot).hits if slot in self.slots else None
        for i in range(n, 0 if old is None else len(old.onsets)):
            self.slots.delete(hit_slot_name(slot, i))
        residuals = [None] * n if hits.residuals is None else list(hits.residuals)
        for i, name in enumerate(names):
            self._store(name, hits.classes[i], audio[i], hits.base[i], hits.latents[i],
                        residual=residuals[i])  # fmt: skip
        bank = self.slots.write_bank(slot, audio)
        loop = place_slices(audio, hits.onsets, hits.length, self.engine.sample_rate)
        done = self._store(slot, hits.classes[0], np.asarray(loop), hits.base[0],
                           hits.latents[0], hits=hits, residual=residuals[0])  # fmt: skip
        return Done(done.path, done.frames, call.spec.reply_values(hits=n, bank=str(bank)))

    def _coordinates(self, state: Slot) -> np.ndarray:
        """The slot's latent along its class's axes, from the class mean: [pca_axes] float32."""
        coords = self.engine.to_coordinates(state.cls, state.latent)
        return np.asarray(coords, dtype=np.float32).reshape(-1)

    def latent(self, call: Call) -> Outcome:
        """`/drum/latent slot` -> `/drum/latent slot class c1 ... cK` (from the class mean), as
        float32 values unrounded, so that `/drum/pcaabs` can be sent them back exactly."""
        assert call.slot is not None
        state = self.slots.get(call.slot)
        values = tuple(float(c) for c in self._coordinates(state))
        return Message("/drum/latent", (slot_reply_value(call.slot), state.cls, *values))

    def _sound_of(self, state: Slot) -> np.ndarray:
        """The slot's latent, or its per-layer styles, and its residual rendered again:
        audio [frames]."""
        if state.styles is not None:
            return np.asarray(self.engine.render_styles(state.styles, state.residual).audio)
        return np.asarray(self.engine.render(state.latent, residual=state.residual).audio)

    def pcaabs(self, call: Call) -> Outcome:
        """`/drum/pcaabs slot c1 ... cK`: absolute coordinates, the base's off-axis rest kept.

        Coordinates equal to the slot's own (what `/drum/latent` answered) keep its state, and
        so its sound, exactly; others place the latent at base + (coords - base's coords).
        """
        assert call.slot is not None
        slot, state = call.slot, self.slots.get(call.slot)
        coords = np.zeros(self.engine.pca_axes, np.float32)
        coords[: len(call.args["c"])] = call.args["c"]
        if np.array_equal(coords, self._coordinates(state)):
            audio = self._sound_of(state)
            return self._store(slot, state.cls, audio, state.base, state.latent, state.styles,
                               residual=state.residual)  # fmt: skip
        at_base = np.asarray(self.engine.to_coordinates(state.cls, state.base), np.float32)
        latent = self.engine.coordinates_latent(state.cls, list(coords - at_base), state.base)
        audio = np.asarray(self.engine.render(latent, residual=state.residual).audio)
        return self._store(slot, state.cls, audio, state.base, latent, residual=state.residual)

    @staticmethod
    def _styles_of(state: Slot) -> np.ndarray:
        return state.latent if state.styles is None else state.styles

    def mix(self, call: Call) -> Outcome:
        """`/drum/mix slot slotA slotB [layer]`: A's coarse layers, B's fine ones, and B's
        residual (the finest detail)."""
        assert call.slot is not None
        a = self.slots.get(call.args["slotA"])
        b = self.slots.get(call.args["slotB"])
        num_ws = self.engine.num_ws
        layer = num_ws // 2 if call.args["layer"] is None else call.args["layer"]
        if layer > num_ws:
            raise ValueError(f"layer must be between 0 and {num_ws} for this model, got {layer}")
        render = self.engine.mix(self._styles_of(a), self._styles_of(b), layer, b.residual)
        styles = np.asarray(render.latent)
        mean = styles.mean(axis=0)
        done = self._store(call.slot, a.cls, render.audio, mean, mean, styles, residual=b.residual)
        return Done(done.path, done.frames, call.spec.reply_values(layer=layer))

    def hybrid(self, call: Call) -> Outcome:
        """`/drum/hybrid slot class1 w1 ... [seed]`: answers the slot's class, the heaviest."""
        assert call.slot is not None
        blend = call.args["blend"]
        latent = self.engine.hybrid_latent(blend, call.args["seed"])
        weights: dict[str, float] = {}
        for cls, weight in blend:
            weights[cls] = weights.get(cls, 0.0) + weight
        cls = max(weights, key=lambda k: weights[k])
        audio = np.asarray(self.engine.render(latent).audio)
        done = self._store(call.slot, cls, audio, latent, latent)
        return Done(done.path, done.frames, call.spec.reply_values(**{"class": cls}))

    def kit(self, call: Call) -> Outcome:
        """`/drum/kit prefix seed [psi]`: slots `<prefix>-<class>`, the kit in `<prefix>`, and
        the bank folder; answers the folder and the number of sounds."""
        return self._in_turn(call)

    def work_kit(self, call: Call) -> Work:
        """`/drum/kit` as work: the same seed through every class (the engine's `kit`),
        rendered in slices with the job's check, then stored."""
        prefix, classes = call.slot, self.engine.classes
        seed, psi = call.args["seed"], call.args["psi"]
        assert prefix is not None
        names = [hit_slot_name(prefix, k) for k in classes]  # all checked before any write

        def compute(check: Check | None) -> tuple[np.ndarray, np.ndarray]:
            latents = self.engine.kit_latents(seed, psi)
            return latents, np.asarray(self.engine.render(latents, check).audio)

        def finish(result: tuple[np.ndarray, np.ndarray]) -> Done:
            latents, audio = result
            for name, cls, sound, w in zip(names, classes, audio, latents, strict=True):
                self._store(name, cls, sound, w, w)
            bank = self.slots.write_bank(prefix, audio)
            done = self._store(prefix, classes[0], audio, latents[0], latents[0])
            values = call.spec.reply_values(bank=str(bank), sounds=len(classes))
            return Done(done.path, done.frames, values)

        return Work(compute, finish)

    def store(self, call: Call) -> Outcome:
        """`/drum/store slot name` -> `/drum/stored slot name`."""
        assert call.slot is not None
        state = self.slots.get(call.slot)
        offsets = self.engine.to_coordinates(state.cls, state.latent, state.base)
        preset = Preset(
            state.cls,
            state.base,
            state.latent,
            np.asarray(offsets, np.float32),
            state.styles,
            state.residual,
        )
        self.presets.put(call.args["name"], preset)
        values = call.spec.reply_values(slot=slot_reply_value(call.slot), name=call.args["name"])
        return Message("/drum/stored", values)

    def recall(self, call: Call) -> Outcome:
        """`/drum/recall slot name`: the preset's state (class, base, latent, styles) and sound
        into the slot; answers its PCA offsets around the base, so a client's PCA controls and
        the next `/drum/pca` continue from them. A preset whose offsets are not where its
        latent lies (a file edited by hand) is refused; one stored without offsets gets them
        from its latent."""
        assert call.slot is not None
        name = call.args["name"]
        preset = self.presets.get(name)
        engine = self.engine
        preset.check_fits(
            tuple(engine.classes), engine.w_dim, engine.num_ws, engine.pca_axes,
            engine.residual_shape,
        )  # fmt: skip
        at = np.asarray(engine.to_coordinates(preset.cls, preset.latent, preset.base), np.float32)
        offsets = preset.offsets if preset.offsets.size else at
        if not np.allclose(offsets, at, atol=PRESET_OFFSETS_TOLERANCE):
            raise PresetError(
                f"preset {name}: its PCA offsets are not where its latent lies (off by up to "
                f"{float(np.abs(offsets - at).max()):.3g}); store it again"
            )
        if preset.styles is not None:
            audio = np.asarray(engine.render_styles(preset.styles, preset.residual).audio)
        else:
            audio = np.asarray(engine.render(preset.latent, residual=preset.residual).audio)
        done = self._store(call.slot, preset.cls, audio, preset.base, preset.latent,
                           preset.styles, residual=preset.residual)  # fmt: skip
        values = call.spec.reply_values(name=name, c=tuple(float(x) for x in offsets))
        return Done(done.path, done.frames, values)

    def presets_list(self, call: Call) -> Outcome:
        """`/drum/presets` -> `/drum/presets name1 ... nameN`."""
        return Message("/drum/presets", self.presets.names())

    def forget(self, call: Call) -> Outcome:
        """`/drum/forget name` -> `/drum/forgotten name`."""
        self.presets.forget(call.args["name"])
        return Message("/drum/forgotten", call.spec.reply_values(name=call.args["name"]))

    def _break_of(self, slot: str) -> Break:
        hits = self.slots.get(slot).hits
        if hits is None:
            raise ValueError(f"slot {slot} holds no break; fill it with /drum/break first")
        return hits

    def slices(self, call: Call) -> Outcome:
        """`/drum/slices slot` -> `/drum/slices slot f1 ... fN` (frames at the output rate)."""
        assert call.slot is not None
        hits = self._break_of(call.slot)
        onsets = tuple(self.slots.frames_at_out_rate(int(o)) for o in hits.onsets)
        return Message("/drum/slices", (slot_reply_value(call.slot), *onsets))

    def breakpca(self, call: Call) -> Outcome:
        """`/drum/breakpca slot c1 ... cK`: every hit by the same coordinates, each along its
        own class's axes around its latent as inverted."""
        return self._in_turn(call)

    def work_breakpca(self, call: Call) -> Work:
        """`/drum/breakpca` as work: the hits' new latents, rendered in checked slices."""
        assert call.slot is not None
        hits = self._break_of(call.slot)
        coords = list(call.args["c"])

        def compute(check: Check | None) -> tuple[Break, np.ndarray]:
            latents = np.stack(
                [self.engine.coordinates_latent(cls, coords, base)
                 for cls, base in zip(hits.classes, hits.base, strict=True)]
            )  # fmt: skip
            moved = Break(hits.onsets, hits.base, latents, hits.classes, hits.length,
                          hits.residuals)  # fmt: skip
            audio = self.engine.render(latents, check, residual=hits.residuals).audio
            return moved, np.asarray(audio)

        return Work(compute, lambda result: self._lay_break(call, *result))

    def breakmix(self, call: Call) -> Outcome:
        """`/drum/breakmix slot slotA slotB t`: hit i of A with hit i of B (B repeating), at
        A's onsets."""
        return self._in_turn(call)

    def work_breakmix(self, call: Call) -> Work:
        """`/drum/breakmix` as work: the hits' morphed latents, rendered in checked slices."""
        a, b = self._break_of(call.args["slotA"]), self._break_of(call.args["slotB"])
        t, nb = call.args["t"], len(b.onsets)

        def compute(check: Check | None) -> tuple[Break, np.ndarray]:
            latents = np.stack(
                [self.engine.morph_latent(w, b.latents[i % nb], t)
                 for i, w in enumerate(a.latents)]
            )  # fmt: skip
            classes = tuple(
                self._class_between(cls, b.classes[i % nb], w)
                for i, (cls, w) in enumerate(zip(a.classes, latents, strict=True))
            )
            blended = [blend_residuals(None if a.residuals is None else a.residuals[i],
                                       None if b.residuals is None else b.residuals[i % nb], t)
                       for i in range(len(a.onsets))]  # fmt: skip
            residuals = None if blended[0] is None else np.stack(blended)  # all or none
            mixed = Break(a.onsets, latents, latents, classes, a.length, residuals)
            audio = self.engine.render(latents, check, residual=residuals).audio
            return mixed, np.asarray(audio)

        return Work(compute, lambda result: self._lay_break(call, *result))
