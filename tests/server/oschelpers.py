"""Test helpers for the server: a numpy stand-in for the engine, a loopback client, a runner.

The fake engine keeps the protocol tests fast (no TensorFlow); `test_real_model.py` runs the
same server on the real tiny model.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from pythonosc.osc_message import OscMessage, ParseError
from pythonosc.udp_client import SimpleUDPClient

from oscserver.audio.dsp import onsets
from oscserver.audio.io import resample
from oscserver.server.app import Config, Server


@dataclass(frozen=True)
class FakeRender:
    audio: np.ndarray
    latent: np.ndarray
    labels: tuple[str, ...] = ()
    residual: np.ndarray | None = None


class FakeEngine:
    """Implements the engine API with numpy: latents map to decaying sines, a residual
    ([3, 2]; a refined inversion's is the input's mean level) raises their pitch."""

    name = "fake"
    format_version = "1"
    sample_rate = 16000
    frames = 1024
    classes = ("kick", "snare", "hat")
    pca_axes = 4
    device = "cpu"
    w_dim = 8
    residual_shape = (3, 2)

    def __init__(self, delay: float = 0.0, refine_delay: float = 0.0) -> None:
        self.delay = delay  # seconds each render (one sound, or one batch) takes
        self.refine_delay = refine_delay  # seconds each refined inversion (or break hit) takes
        rng = np.random.default_rng(0)
        self.means = {c: rng.normal(size=self.w_dim).astype(np.float32) for c in self.classes}
        q, _ = np.linalg.qr(rng.normal(size=(self.w_dim, self.w_dim)))
        self.axes = q[: self.pca_axes].astype(np.float32)  # [pca_axes, w_dim], orthonormal rows
        self.calls: list[str] = []
        self.batches: list[int] = []  # sounds per `render` call

    def _sound(self, latent: np.ndarray, residual: np.ndarray | None = None) -> np.ndarray:
        t = np.arange(self.frames, dtype=np.float32) / self.sample_rate
        freq = 100.0 + 50.0 * float(np.abs(latent).sum())
        if residual is not None:
            freq += 1000.0 * float(np.asarray(residual).mean())
        return (0.5 * np.sin(2 * np.pi * freq * t) * np.exp(-t * 20)).astype(np.float32)

    def _audio(self, latent: np.ndarray, residual: np.ndarray | None = None) -> np.ndarray:
        if self.delay:
            time.sleep(self.delay)
        return self._sound(latent, residual)

    def _check(self, cls: str) -> None:
        if cls not in self.classes:
            raise ValueError(f"unknown class {cls!r}")

    def seed_latent(self, seed: int, cls: str, psi: float = 1.0) -> np.ndarray:
        self._check(cls)
        z = np.random.default_rng(seed).normal(size=self.w_dim).astype(np.float32)
        return (self.means[cls] + psi * z).astype(np.float32)

    def seed_latents(
        self, seeds: Sequence[int], classes: Sequence[str], psis: Sequence[float]
    ) -> np.ndarray:
        self.calls.append("seed_latents")
        return np.stack([self.seed_latent(*one) for one in zip(seeds, classes, psis, strict=True)])

    def generate(self, seed: int, cls: str, psi: float = 1.0) -> FakeRender:
        self.calls.append("generate")
        latent = self.seed_latent(seed, cls, psi)
        return FakeRender(self._audio(latent), latent)

    def coordinates_latent(
        self, cls: str, coords: Sequence[float], base: np.ndarray | None = None
    ) -> np.ndarray:
        self._check(cls)
        c = np.zeros(self.pca_axes, dtype=np.float32)
        c[: len(coords)] = coords
        origin = self.means[cls] if base is None else base
        return (origin + c @ self.axes).astype(np.float32)

    def morph_latent(self, a: np.ndarray, b: np.ndarray, t: float, mode: str = "lin") -> np.ndarray:
        return ((1 - t) * a + t * b).astype(np.float32)

    def from_coordinates(
        self, cls: str, coords: Sequence[float], base: np.ndarray | None = None
    ) -> FakeRender:
        self._check(cls)
        self.calls.append("from_coordinates")
        c = np.zeros(self.pca_axes, dtype=np.float32)
        c[: len(coords)] = coords
        origin = self.means[cls] if base is None else base
        latent = (origin + c @ self.axes).astype(np.float32)
        return FakeRender(self._audio(latent), latent)

    def to_coordinates(
        self, cls: str, latent: np.ndarray, base: np.ndarray | None = None
    ) -> np.ndarray:
        origin = self.means[cls] if base is None else base
        return ((latent - origin) @ self.axes.T).astype(np.float32)

    def render(
        self,
        latent: np.ndarray,
        check: Callable[[float], None] | None = None,
        residual: np.ndarray | None = None,
    ) -> FakeRender:
        """One sound [w_dim] or a batch [n, w_dim] (a residual [3, 2] or [n, 3, 2], or None),
        `delay` per call whatever its size; with `check`, a sound at a time (as the engine's
        slices when a sound takes the whole slice), `check` called before each."""
        latent = np.asarray(latent, np.float32)
        if residual is not None:
            residual = np.asarray(residual, np.float32)
            want = (*latent.shape[:-1], *self.residual_shape)
            if residual.shape != want:
                raise ValueError(f"residual must be {list(want)}, got {list(residual.shape)}")
        if check is not None and latent.ndim == 2:
            audio = []
            for i, w in enumerate(latent):
                check(i / len(latent))
                one = None if residual is None else residual[i : i + 1]
                audio.append(self.render(w[None], residual=one).audio[0])
            return FakeRender(np.stack(audio), latent, residual=residual)
        self.calls.append("render")
        self.batches.append(1 if latent.ndim == 1 else len(latent))
        if self.delay:
            time.sleep(self.delay)
        if latent.ndim == 1:
            return FakeRender(self._sound(latent, residual), latent, residual=residual)
        rs = [None] * len(latent) if residual is None else list(residual)
        audio = np.stack([self._sound(w, r) for w, r in zip(latent, rs, strict=True)])
        return FakeRender(audio, latent, residual=residual)

    def morph(self, a: np.ndarray, b: np.ndarray, t: float, mode: str = "lin") -> FakeRender:
        self.calls.append("morph")
        latent = ((1 - t) * a + t * b).astype(np.float32)
        return FakeRender(self._audio(latent), latent)

    def path(
        self,
        anchors: Sequence[np.ndarray],
        steps: int,
        mode: str = "lin",
        check: Callable[[float], None] | None = None,
        residuals: Sequence[np.ndarray | None] | None = None,
    ) -> FakeRender:
        """`delay` per sound; with `check`, called before each sound, as the engine's chunks."""
        self.calls.append("path")
        ts = np.linspace(0, 1, steps, dtype=np.float32)[:, None]
        latents = (1 - ts) * anchors[0] + ts * anchors[-1]
        blended = None
        if residuals is not None and any(r is not None for r in residuals):
            ends = [np.zeros(self.residual_shape, np.float32) if r is None else r
                    for r in (residuals[0], residuals[-1])]  # fmt: skip
            blended = (1 - ts[:, :, None]) * ends[0] + ts[:, :, None] * ends[1]
        sounds = []
        for i, w in enumerate(latents):
            if check is not None:
                check(i / steps)
            sounds.append(self._audio(w, None if blended is None else blended[i]))
        return FakeRender(np.stack(sounds), latents, residual=blended)

    def _refine(
        self,
        refine_steps: int,
        check: Callable[[float], None] | None,
        done: float = 0.0,
        share: float = 1.0,
    ) -> None:
        """Sleeps refine_delay in 10 chunks, calling check before each, as the engine does."""
        for i in range(10 if refine_steps and self.refine_delay else 0):
            if check is not None:
                check(done + share * i / 10)
            time.sleep(self.refine_delay / 10)

    def invert(
        self,
        audio: np.ndarray,
        sample_rate: int,
        refine_steps: int = 0,
        check: Callable[[], None] | None = None,
    ) -> FakeRender:
        self.calls.append("invert")
        self._refine(refine_steps, check)
        mono = resample(np.asarray(audio, np.float32), sample_rate, self.sample_rate)
        level = float(np.abs(mono).mean())
        latent = np.full(self.w_dim, level, dtype=np.float32)
        residual = np.full(self.residual_shape, level, np.float32) if refine_steps else None
        return FakeRender(
            self._audio(latent, residual), latent, (self.nearest_class(latent),), residual
        )

    def invert_slices(
        self,
        audio: np.ndarray,
        sample_rate: int,
        refine_steps: int = 0,
        check: Callable[[], None] | None = None,
    ) -> tuple[np.ndarray, FakeRender]:
        self.calls.append("invert_slices")
        mono = resample(np.asarray(audio, np.float32), sample_rate, self.sample_rate)
        starts = onsets(mono, self.sample_rate)
        if starts.size == 0:
            raise ValueError("no drum hits found in the audio")
        for i in range(len(starts)):
            self._refine(refine_steps, check, i / len(starts), 1 / len(starts))
        ends = [*starts[1:], mono.size]
        latents = np.stack(
            [np.full(self.w_dim, float(np.abs(mono[a:b]).mean()), dtype=np.float32)
             for a, b in zip(starts, ends, strict=True)]
        )  # fmt: skip
        labels = tuple(self.nearest_class(w) for w in latents)
        if not refine_steps:
            return starts, FakeRender(np.stack([self._audio(w) for w in latents]), latents, labels)
        residuals = np.repeat(latents[:, :1, None], 3, axis=1).repeat(2, axis=2)
        audio = np.stack([self._audio(w, r) for w, r in zip(latents, residuals, strict=True)])
        return starts, FakeRender(audio, latents, labels, residuals)

    def nearest_class(self, latent: np.ndarray) -> str:
        return min(self.classes, key=lambda c: float(np.sum((self.means[c] - latent) ** 2)))

    num_ws = 5

    def render_styles(self, styles: np.ndarray, residual: np.ndarray | None = None) -> FakeRender:
        """Per-layer styles [num_ws, w_dim]: half the sound from the first layer's style, half
        from the last's (with the residual)."""
        ws = np.asarray(styles, np.float32)
        if ws.shape != (self.num_ws, self.w_dim):
            raise ValueError(f"styles must be [{self.num_ws}, {self.w_dim}], got {ws.shape}")
        self.calls.append("render_styles")
        audio = 0.5 * self._audio(ws[0]) + 0.5 * self._sound(ws[-1], residual)
        return FakeRender(audio, ws, residual=residual)

    def mix(
        self,
        a: np.ndarray,
        b: np.ndarray,
        layer: int | None = None,
        residual: np.ndarray | None = None,
    ) -> FakeRender:
        split = self.num_ws // 2 if layer is None else layer
        a_ws = np.broadcast_to(np.asarray(a, np.float32), (self.num_ws, self.w_dim))
        b_ws = np.broadcast_to(np.asarray(b, np.float32), (self.num_ws, self.w_dim))
        return self.render_styles(np.concatenate([a_ws[:split], b_ws[split:]]), residual)

    def hybrid_latent(
        self, blend: Sequence[tuple[str, float]], seed: int, psi: float = 1.0
    ) -> np.ndarray:
        total = sum(w for _, w in blend)
        if total <= 0:
            raise ValueError("a hybrid needs a class with a weight above 0")
        return sum(w / total * self.seed_latent(seed, c, psi) for c, w in blend).astype(np.float32)

    def kit(self, seed: int, psi: float = 1.0) -> FakeRender:
        self.calls.append("kit")
        return self.render(self.kit_latents(seed, psi))

    def kit_latents(self, seed: int, psi: float = 1.0) -> np.ndarray:
        return np.stack([self.seed_latent(seed, c, psi) for c in self.classes])


class Client:
    """A python-osc client that also reads the replies sent to its own port."""

    def __init__(self, port: int, host: str = "127.0.0.1") -> None:
        self.udp = SimpleUDPClient(host, port)
        self.udp._sock.bind(("127.0.0.1", 0))
        self.port = self.udp._sock.getsockname()[1]
        self.junk = 0  # datagrams received that were not OSC

    def send(self, address: str, *args: Any) -> None:
        self.udp.send_message(address, list(args))

    def recv(
        self, timeout: float = 5.0, skip: tuple[str, ...] = ("/drum/progress",)
    ) -> tuple[str, list[Any]]:
        """The next reply, passing over those to `skip` addresses (a job's progress)."""
        end = time.monotonic() + timeout
        while True:
            dgram = self.udp.receive(max(0.001, end - time.monotonic()))
            if not dgram:
                raise TimeoutError("no reply")
            try:
                msg = OscMessage(dgram)
            except (ParseError, UnicodeDecodeError):
                # Not from the server (which is tested to send parseable replies, see
                # test_hostile): a stray datagram from an earlier test's peer that had this
                # ephemeral port. A client ignores it, as a real one would.
                self.junk += 1
                continue
            if msg.address not in skip:
                return msg.address, list(msg.params)

    def ask(self, address: str, *args: Any, timeout: float = 5.0) -> tuple[str, list[Any]]:
        self.send(address, *args)
        return self.recv(timeout)

    def drain(self, timeout: float = 0.05) -> list[tuple[str, list[Any]]]:
        out = []
        while True:
            try:
                out.append(self.recv(timeout))
            except TimeoutError:
                return out

    def close(self) -> None:
        self.udp.close()


@dataclass
class Running:
    server: Server
    engine: FakeEngine
    port: int
    out: Path


def start_server(config: Config) -> tuple[Server, threading.Thread]:
    server = Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    assert server.ready.wait(10), "server did not start"
    return server, thread
