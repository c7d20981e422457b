"""The inference object: a model held once, compiled, warmed up, with a small surface.

seed -> sound, PCA coordinates -> sound (and back), interpolation paths, inversion of audio.
Every sound is a pure function of its latent and, for an inversion, its residual (what the
model's residual head guessed, and refinement added, to the synthesiser's controls beyond what
w gives them; none for a model without the head, unrefined): the synthesis noise
is drawn once at load (from a fixed seed) and shared by every render, so the same state gives
the same bytes whether it is rendered alone, in a path or in another process.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

import keras
import numpy as np
import tensorflow as tf

from oscserver.audio.dsp import (
    ONE_SHOT_DECAY_DB,
    normalize_peak,
    onsets,
    place_slices,
    prepare_one_shot,
)
from oscserver.audio.io import read_mono, resample, to_mono
from oscserver.engine import latent as L
from oscserver.limits import JOB_SLICE_S, MAX_PATH_STEPS, MAX_REFINE_STEPS
from oscserver.model.artifact import Artifact, load_artifact
from oscserver.model.generator import Generator, seed_to_z
from oscserver.model.spectral import multires_distance
from oscserver.model.synthesis import split_synthesis

_T = TypeVar("_T")

#: The noise every render shares; changing it changes every sound of every model.
RENDER_NOISE_SEED = 0
#: Every sound is normalised to this peak, like the training data: no clipping in any format.
OUTPUT_PEAK = 0.9
#: Batch the synthesis runs in; paths longer than this render in several calls.
RENDER_CHUNK = 32
#: Weight of the residual's roughness (mean absolute change from one control frame to the next)
#: in what the refinement descends; the distance alone picks the nearest residual. On drums-v2
#: it quarters the roughness for 0.004-0.027 of distance (docs/refinement.md): each frame's
#: residual fitted on its own left frame-to-frame level jumps.
REFINE_SMOOTHNESS = 0.2
#: Most refinement steps run in one compiled call; a cancel or deadline is seen between calls.
REFINE_CHUNK = 25
#: Adam's step size in the refinement of a residual (unbounded control values): on drums-v2,
#: 50 steps come within 0.02 as near at 0.05 as at 0.1 (nearer in toms) and nearer than at
#: 0.02 (docs/refinement.md). A step that overshoots costs nothing: the refinement returns the
#: nearest residual it visited.
REFINE_LR = 0.05

#: Called by long work between its chunks with the fraction done (0 to 1); it may raise to stop
#: the work (a cancelled request, a deadline) or do other work meanwhile (the server's live
#: requests). Chunks are sized to about JOB_SLICE_S seconds while a check is given.
Check = Callable[[float], None]


@dataclass(frozen=True)
class Render:
    """A rendered sound (or several) and the state it came from."""

    audio: np.ndarray  # float32 [frames] or [n, frames]
    latent: np.ndarray  # float32 [w_dim] or [n, w_dim]
    labels: tuple[str, ...] = ()  # inversion: the class the encoder heard in each input
    #: float32 [control_frames, num_controls] or [n, ...]: added to the controls w gives the
    #: synthesiser (an inversion's detail beyond W); None for a sound of w alone
    residual: np.ndarray | None = None


def _check_refine(refine_steps: int) -> None:
    if not 0 <= refine_steps <= MAX_REFINE_STEPS:
        raise ValueError(f"refine_steps must be between 0 and {MAX_REFINE_STEPS}")


def device_kind() -> str:
    """'cpu', or 'gpu (<name>)' naming the GPU TensorFlow places the model on (its first)."""
    gpus = tf.config.list_physical_devices("GPU")
    if not gpus:
        return "cpu"
    name = tf.config.experimental.get_device_details(gpus[0]).get("device_name")
    return f"gpu ({name})" if name else "gpu"


def render_noise(generator: Generator) -> tuple[np.ndarray, np.ndarray]:
    """The layer and synthesiser noise every render shares: ([1, ...], [1, ...])."""
    return generator.noise(np.random.default_rng(RENDER_NOISE_SEED), 1)


def synthesize(
    generator: Generator, ws: tf.Tensor, layer_noise: tf.Tensor, synth_noise: tf.Tensor
) -> tf.Tensor:
    """Per-layer styles ws [n, num_ws, w_dim] -> audio [n, frames], peak-normalised as served.

    The noise ([1, ...], from render_noise) is shared by all n sounds. The engine renders
    through this function, and so do the training samples, so both sound the same.
    """
    n = tf.shape(ws)[0]
    layer = tf.tile(layer_noise, [n, 1, 1])
    synth = tf.tile(synth_noise, [n, 1, 1, 1])
    return at_output_peak(generator.synthesis([ws, layer, synth], training=False))


def synthesis_halves(
    generator: Generator,
) -> tuple[Callable[[tf.Tensor], tf.Tensor], Callable[[tf.Tensor], tf.Tensor]]:
    """The synthesis network in its two halves, with the noise every render shares: w
    [n, w_dim] (or styles [n, num_ws, w_dim]) -> controls [n, control_frames, num_controls],
    and controls -> audio [n, frames] (not yet at the output peak). The second after the first
    plays w as `synthesize` does; a residual is added between them."""
    to_controls, drum_synth = split_synthesis(generator.synthesis)
    layer, synth = (tf.constant(x) for x in render_noise(generator))
    num_ws = generator.synthesis.inputs[0].shape[1]

    def controls(w: tf.Tensor) -> tf.Tensor:
        ws = tf.tile(w[:, None], [1, num_ws, 1]) if w.shape.rank == 2 else w
        return to_controls([ws, tf.tile(layer, [tf.shape(w)[0], 1, 1])], training=False)

    def play(ctrl: tf.Tensor) -> tf.Tensor:
        return drum_synth([ctrl, tf.tile(synth, [tf.shape(ctrl)[0], 1, 1, 1])], training=False)

    return controls, play


def at_output_peak(audio: tf.Tensor) -> tf.Tensor:
    """Audio [n, frames] scaled to OUTPUT_PEAK, as every sound is served."""
    peak = tf.reduce_max(tf.abs(audio), axis=1, keepdims=True)
    return audio * (OUTPUT_PEAK / tf.maximum(peak, 1e-6))


class DrumEngine:
    """Renders drums from one model artifact.

    Nothing changes after construction (the noise, the class means and the compiled functions
    are set once), so two threads may call it at once: the server's worker renders live
    requests while a job's work runs on a thread of its own.
    """

    def __init__(self, artifact: Artifact, *, warmup: bool = True) -> None:
        self.artifact = artifact
        c = artifact.config
        self.config = c
        gen = artifact.generator
        layer, synth = render_noise(gen)
        self._layer_noise = tf.constant(layer)
        self._synth_noise = tf.constant(synth)
        self._class_means = np.stack([artifact.pca[k].mean for k in c.classes])

        @tf.function(input_signature=[tf.TensorSpec([None, c.w_dim], tf.float32)])
        def synth_fn(w: tf.Tensor) -> tf.Tensor:
            ws = tf.tile(w[:, None, :], [1, c.num_ws, 1])
            return synthesize(gen, ws, self._layer_noise, self._synth_noise)

        @tf.function(input_signature=[tf.TensorSpec([None, c.num_ws, c.w_dim], tf.float32)])
        def styles_fn(ws: tf.Tensor) -> tf.Tensor:
            # style mixing: one w per layer (synth_fn, one w tiled, stays the fast path)
            return synthesize(gen, ws, self._layer_noise, self._synth_noise)

        controls_of, play = synthesis_halves(gen)

        def played(controls: tf.Tensor) -> tf.Tensor:
            return at_output_peak(play(controls))

        self._played = played
        self._controls = tf.function(
            controls_of, input_signature=[tf.TensorSpec([None, c.num_ws, c.w_dim], tf.float32)]
        )

        @tf.function(
            input_signature=[
                tf.TensorSpec([None, c.num_ws, c.w_dim], tf.float32),
                tf.TensorSpec([None, *self.residual_shape], tf.float32),
            ]
        )
        def residual_fn(ws: tf.Tensor, residual: tf.Tensor) -> tf.Tensor:
            return played(controls_of(ws) + residual)

        head = artifact.residual_head

        @tf.function(input_signature=[tf.TensorSpec([None, c.frames], tf.float32)])
        def encode_fn(audio: tf.Tensor) -> tuple[tf.Tensor, ...]:
            # the whole of an inversion without refinement in one call: w [n, w_dim], the
            # encoder's class [n], the sound [n, frames] and, with a residual head, its guess
            # at the residual [n, control_frames, num_controls] (in the sound), the controls of
            # w computed once for the head and the sound
            w, logits = artifact.encoder(audio, training=False)
            labels = tf.argmax(logits, axis=-1, output_type=tf.int32)
            if head is None:
                return w, labels, synth_fn(w)
            controls = controls_of(w)
            residual = head([audio, controls], training=False)
            return w, labels, played(controls + residual), residual

        means = tf.constant(self._class_means)
        seed_spec = [
            tf.TensorSpec([1, c.z_dim], tf.float32),
            tf.TensorSpec([1], tf.int32),
            tf.TensorSpec([], tf.float32),
        ]

        def truncated(z: tf.Tensor, label: tf.Tensor, psi: tf.Tensor) -> tf.Tensor:
            # mapping and truncation toward the class mean: the one place a seed becomes w
            centre = tf.gather(means, label)
            return centre + psi * (gen.mapping([z, label], training=False) - centre)

        @tf.function(input_signature=seed_spec)
        def latent_fn(z: tf.Tensor, label: tf.Tensor, psi: tf.Tensor) -> tf.Tensor:
            return truncated(z, label, psi)

        @tf.function(
            input_signature=[
                tf.TensorSpec([None, c.z_dim], tf.float32),
                tf.TensorSpec([None], tf.int32),
                tf.TensorSpec([None], tf.float32),
            ]
        )
        def latents_fn(z: tf.Tensor, label: tf.Tensor, psi: tf.Tensor) -> tf.Tensor:
            # n seeds in one call (a batch of live renders), each mapped on its own as in
            # latent_fn: the same w to the bit (a batched matmul sums in another order): [n, w_dim]
            return tf.map_fn(
                lambda one: truncated(one[0][None], one[1][None], one[2])[0],
                (z, label, psi),
                fn_output_signature=tf.float32,
            )

        @tf.function(input_signature=seed_spec)
        def seed_fn(z: tf.Tensor, label: tf.Tensor, psi: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor]:
            # latent and sound in one call: the hot path of /drum/seed
            w = latent_fn(z, label, psi)
            return w, synth_fn(w)

        embed = gen.mapping.get_layer("class_embed")
        # the mapping network from the class embedding on: (z, embedding vector) -> w
        after_embed = keras.Model([gen.mapping.inputs[0], embed.output], gen.mapping.output)
        blend_spec = [
            tf.TensorSpec([1, c.z_dim], tf.float32),
            tf.TensorSpec([len(c.classes)], tf.float32),
            tf.TensorSpec([], tf.float32),
        ]

        @tf.function(input_signature=blend_spec)
        def hybrid_fn(z: tf.Tensor, weights: tf.Tensor, psi: tf.Tensor) -> tf.Tensor:
            # the class embeddings blended by weights (summing to 1) inside the mapping
            # network; truncation toward the class means blended by the same weights
            blended = tf.matmul(weights[None], embed.embeddings)
            centre = tf.matmul(weights[None], means)
            return centre + psi * (after_embed([z, blended], training=False) - centre)

        self._latent, self._synth, self._encode_fn = latent_fn, synth_fn, encode_fn
        self._styles, self._hybrid, self._residual_fn = styles_fn, hybrid_fn, residual_fn
        self._seed, self._latents = seed_fn, latents_fn
        self._refine_fn = self._build_refine()
        if warmup:
            self.warm_up()

    @classmethod
    def load(cls, path: str | os.PathLike[str], *, warmup: bool = True) -> DrumEngine:
        """Loads and validates an artifact (raises ArtifactError) and compiles the engine."""
        return cls(load_artifact(path), warmup=warmup)

    # ---- facts -------------------------------------------------------------------------------

    @property
    def name(self) -> str:
        return self.artifact.name

    @property
    def format_version(self) -> str:
        return str(self.artifact.manifest.get("format_version"))

    @property
    def sample_rate(self) -> int:
        return self.config.sample_rate

    @property
    def frames(self) -> int:
        return self.config.frames

    @property
    def classes(self) -> tuple[str, ...]:
        return self.config.classes

    @property
    def w_dim(self) -> int:
        return self.config.w_dim

    @property
    def num_ws(self) -> int:
        """Per-layer styles the synthesis network takes, coarse (early) layers first."""
        return self.config.num_ws

    @property
    def residual_shape(self) -> tuple[int, int]:
        """Shape of one sound's residual: [control_frames, num_controls]."""
        return (self.config.control_frames, self.config.num_controls)

    @property
    def pca_axes(self) -> int:
        return self.artifact.pca_axes

    @property
    def device(self) -> str:
        return device_kind()

    def warm_up(self) -> None:
        """Runs every compiled function once at the shapes serving uses."""
        w = self.class_mean(self.classes[0])
        self.render(w)
        self.render(np.repeat(w[None], 2, axis=0))
        self.render(w, residual=np.zeros(self.residual_shape, np.float32))
        self.seed_latent(0, self.classes[0])
        self.seed_latents([0, 1], self.classes[:1] * 2, [1.0, 1.0])
        self.mix(w, w)
        self.hybrid_latent([(self.classes[0], 1.0)], 0)
        self.generate(0, self.classes[0])
        self._encode(np.zeros((1, self.frames), np.float32))
        self._refine(w[None], np.zeros([1, self.frames], np.float32), 1, None)

    # ---- latents -----------------------------------------------------------------------------

    def _class_index(self, cls: str) -> int:
        try:
            return self.classes.index(cls)
        except ValueError:
            raise ValueError(
                f"unknown class {cls!r}; this model knows {', '.join(self.classes)}"
            ) from None

    def class_mean(self, cls: str) -> np.ndarray:
        """Mean w of a class: [w_dim]."""
        return self._class_means[self._class_index(cls)].copy()

    def _seed_inputs(self, seed: int, cls: str, psi: float) -> tuple[np.ndarray, ...]:
        """Checked (z [1, z_dim], label [1], psi []) of a seed, for latent_fn and seed_fn."""
        if not 0.0 <= psi <= 2.0 or not np.isfinite(psi):
            raise ValueError(f"psi must be between 0 and 2, got {psi}")
        if not 0 <= seed < 2**63:
            raise ValueError(f"seed must be a non-negative integer, got {seed}")
        label = np.array([self._class_index(cls)], np.int32)
        return seed_to_z(int(seed), self.config.z_dim)[None], label, np.float32(psi)

    def seed_latent(self, seed: int, cls: str, psi: float = 1.0) -> np.ndarray:
        """The w of a seed in a class, truncated toward the class mean by psi: [w_dim]."""
        return self._latent(*self._seed_inputs(seed, cls, psi)).numpy()[0]

    def seed_latents(
        self, seeds: Sequence[int], classes: Sequence[str], psis: Sequence[float]
    ) -> np.ndarray:
        """The w of n seeds, each in its class and truncated by its psi: [n, w_dim], row i
        exactly `seed_latent(seeds[i], classes[i], psis[i])`, in one call instead of n (a call
        costs far more than the mapping of one seed)."""
        if not len(seeds) == len(classes) == len(psis) > 0:
            raise ValueError(
                f"need as many seeds, classes and psis (at least one), got {len(seeds)}, "
                f"{len(classes)} and {len(psis)}"
            )
        inputs = [self._seed_inputs(*one) for one in zip(seeds, classes, psis, strict=True)]
        z = np.concatenate([one[0] for one in inputs])
        labels = np.concatenate([one[1] for one in inputs])
        psi = np.array([one[2] for one in inputs], np.float32)
        return self._latents(z, labels, psi).numpy()

    def hybrid_latent(
        self, blend: Sequence[tuple[str, float]], seed: int, psi: float = 1.0
    ) -> np.ndarray:
        """The w of a seed through a blend of classes: [w_dim].

        The class embeddings are blended inside the mapping network by the weights (scaled to
        sum to 1; a class named twice adds up), the same z goes through the rest of the mapping,
        and truncation pulls toward the class means blended by the same weights. A blend of one
        class is that class's `seed_latent`.
        """
        z, _, psi32 = self._seed_inputs(seed, self.classes[0], psi)
        weights = np.zeros(len(self.classes), np.float64)
        for cls, weight in blend:
            if not np.isfinite(weight) or weight < 0:
                raise ValueError(f"weights must be finite and >= 0, got {weight:g} for {cls}")
            weights[self._class_index(cls)] += weight
        if weights.sum() <= 0:
            raise ValueError("a hybrid needs a class with a weight above 0")
        return self._hybrid(z, (weights / weights.sum()).astype(np.float32), psi32).numpy()[0]

    def nearest_class(self, latent: np.ndarray) -> str:
        """The class whose mean w is nearest to `latent`."""
        d = np.linalg.norm(self._class_means - latent[None], axis=1)
        return self.classes[int(np.argmin(d))]

    def to_coordinates(
        self, cls: str, latent: np.ndarray, base: np.ndarray | None = None
    ) -> np.ndarray:
        """[pca_axes] coordinates of `latent` along the class's axes, relative to base."""
        pca = self.artifact.pca[self.classes[self._class_index(cls)]]
        return L.to_coordinates(pca, latent, pca.mean if base is None else base)

    # ---- sounds ------------------------------------------------------------------------------

    def render(
        self,
        latent: np.ndarray,
        check: Check | None = None,
        residual: np.ndarray | None = None,
    ) -> Render:
        """Renders w [w_dim] -> audio [frames], or [n, w_dim] -> [n, frames].

        Args:
            residual: None (the sound of w alone), or [control_frames, num_controls] for one w,
                [n, control_frames, num_controls] for n: added to the controls w gives.
            check: A batch renders in slices of about JOB_SLICE_S, `check` called before each
                with the fraction done (a job's kit or break edit stops and reports between them).
        """
        w = np.asarray(latent, np.float32)
        single = w.ndim == 1
        batch = w[None] if single else w
        if batch.ndim != 2 or batch.shape[1] != self.w_dim:
            raise ValueError(f"latent must be [{self.w_dim}] or [n, {self.w_dim}], got {w.shape}")
        if not np.all(np.isfinite(batch)):
            raise ValueError("latent holds NaN or infinite values")
        r = self._residuals(residual, len(batch), single)
        audio = self._render_checked(batch, check, residual=r)
        return Render(audio[0] if single else audio, w, residual=_one(r, single))

    def _residuals(self, residual: np.ndarray | None, n: int, single: bool) -> np.ndarray | None:
        """A render's residual, checked, as [n, control_frames, num_controls] float32."""
        if residual is None:
            return None
        r = np.asarray(residual, np.float32)
        shape = self.residual_shape if single else (n, *self.residual_shape)
        if r.shape != shape:
            raise ValueError(f"residual must be {list(shape)}, got {list(r.shape)}")
        if not np.all(np.isfinite(r)):
            raise ValueError("residual holds NaN or infinite values")
        return r[None] if single else r

    def _render_checked(
        self,
        batch: np.ndarray,
        check: Check | None,
        done: float = 0.0,
        share: float = 1.0,
        residual: np.ndarray | None = None,
    ) -> np.ndarray:
        """Audio [n, frames] of w [n, w_dim] or styles [n, num_ws, w_dim] (and a residual
        [n, control_frames, num_controls], or None): in chunks of RENDER_CHUNK, or with `check`
        in slices of about JOB_SLICE_S, `check` called before each (the fraction done running
        from `done` to `done + share`)."""

        def play(rows: np.ndarray) -> np.ndarray:
            ws = batch[rows]
            if residual is not None:
                if ws.ndim == 2:
                    ws = np.repeat(ws[:, None], self.num_ws, axis=1)
                return self._residual_fn(ws, residual[rows]).numpy()
            return (self._synth(ws) if ws.ndim == 2 else self._styles(ws)).numpy()

        rows = np.arange(len(batch))
        if check is None:
            chunks = [play(rows[i : i + RENDER_CHUNK]) for i in range(0, len(batch), RENDER_CHUNK)]
        else:
            chunks = _in_slices(play, rows, check, done, share)
        return np.concatenate(chunks).astype(np.float32)

    def render_styles(self, styles: np.ndarray, residual: np.ndarray | None = None) -> Render:
        """Renders per-layer styles ws [num_ws, w_dim] -> audio [frames], or
        [n, num_ws, w_dim] -> [n, frames]; the Render's latent is the styles. `residual` as in
        `render`."""
        ws = np.asarray(styles, np.float32)
        single = ws.ndim == 2
        batch = ws[None] if single else ws
        if batch.ndim != 3 or batch.shape[1:] != (self.num_ws, self.w_dim):
            raise ValueError(
                f"styles must be [{self.num_ws}, {self.w_dim}] or [n, {self.num_ws}, "
                f"{self.w_dim}], got {ws.shape}"
            )
        if not np.all(np.isfinite(batch)):
            raise ValueError("styles hold NaN or infinite values")
        r = self._residuals(residual, len(batch), single)
        audio = self._render_checked(batch, None, residual=r)
        return Render(audio[0] if single else audio, ws, residual=_one(r, single))

    def generate(self, seed: int, cls: str, psi: float = 1.0) -> Render:
        """The sound of a seed: deterministic for (model, seed, class, psi)."""
        w, audio = self._seed(*self._seed_inputs(seed, cls, psi))
        return Render(audio.numpy()[0], w.numpy()[0])

    def mix(
        self,
        a: np.ndarray,
        b: np.ndarray,
        layer: int | None = None,
        residual: np.ndarray | None = None,
    ) -> Render:
        """Style mixing: layers 0 to layer - 1 (the coarse ones) styled by a [w_dim], the
        rest by b [w_dim]; layer defaults to num_ws // 2. Returns audio [frames] and the
        styles [num_ws, w_dim] as its latent. `residual` as in `render` (the server passes
        b's: the residual is the finest detail, and b styles the fine layers)."""
        return self.render_styles(L.mix_styles(a, b, self.num_ws, layer), residual)

    def hybrid(self, blend: Sequence[tuple[str, float]], seed: int, psi: float = 1.0) -> Render:
        """The sound of a seed through a blend of classes (see `hybrid_latent`)."""
        return self.render(self.hybrid_latent(blend, seed, psi))

    def kit(self, seed: int, psi: float = 1.0) -> Render:
        """The same z through every class, in class order: a coherent kit from one seed.
        Audio [classes, frames], latents [classes, w_dim]."""
        return self.render(self.kit_latents(seed, psi))

    def kit_latents(self, seed: int, psi: float = 1.0) -> np.ndarray:
        """What `kit` renders: the seed's w in every class, [classes, w_dim]."""
        n = len(self.classes)
        return self.seed_latents([seed] * n, self.classes, [psi] * n)

    def from_coordinates(
        self, cls: str, coords: Sequence[float], base: np.ndarray | None = None
    ) -> Render:
        """The sound at PCA coordinates (standard deviations) around base (class mean if None)."""
        return self.render(self.coordinates_latent(cls, coords, base))

    def coordinates_latent(
        self, cls: str, coords: Sequence[float], base: np.ndarray | None = None
    ) -> np.ndarray:
        """The w [w_dim] at PCA coordinates around base (class mean if None): what
        `from_coordinates` renders, for a batched `render`."""
        pca = self.artifact.pca[self.classes[self._class_index(cls)]]
        if not np.all(np.isfinite(np.asarray(coords, np.float64))):
            raise ValueError("coordinates must be finite numbers")
        return L.from_coordinates(pca, coords, pca.mean if base is None else base)

    def morph(
        self,
        a: np.ndarray,
        b: np.ndarray,
        t: float,
        mode: str = "lin",
        residuals: tuple[np.ndarray | None, np.ndarray | None] = (None, None),
    ) -> Render:
        """The sound at t in [0, 1] between latents a and b, their residuals (None: none)
        blended linearly by the same t."""
        return self.render(
            self.morph_latent(a, b, t, mode), residual=L.blend_residuals(*residuals, t)
        )

    def morph_latent(self, a: np.ndarray, b: np.ndarray, t: float, mode: str = "lin") -> np.ndarray:
        """The w [w_dim] at t in [0, 1] between latents a and b: what `morph` renders."""
        if not 0.0 <= t <= 1.0:
            raise ValueError(f"t must be between 0 and 1, got {t}")
        return L.interpolate(a, b, t, mode)

    def path(
        self,
        anchors: Sequence[np.ndarray],
        steps: int,
        mode: str = "lin",
        check: Check | None = None,
        residuals: Sequence[np.ndarray | None] | None = None,
    ) -> Render:
        """`steps` sounds through the anchors: audio [steps, frames]. Batched RENDER_CHUNK at a
        time, or with `check` in chunks of about JOB_SLICE_S, `check` called before each.

        `residuals`, one per anchor (None: none), are blended linearly along the path; without
        any, the path is of w alone."""
        if steps > MAX_PATH_STEPS:
            raise ValueError(f"at most {MAX_PATH_STEPS} steps, got {steps}")
        latents = np.asarray(L.path(list(anchors), steps, mode), np.float32)
        blended = None
        if residuals is not None and any(r is not None for r in residuals):
            if len(residuals) != len(anchors):
                raise ValueError(f"{len(residuals)} residuals for {len(anchors)} anchors")
            flat = [np.zeros(self.residual_shape, np.float32).ravel() if r is None
                    else np.asarray(r, np.float32).ravel() for r in residuals]  # fmt: skip
            blended = L.path(flat, steps, "lin").reshape(steps, *self.residual_shape)
        return self.render(latents, check, residual=blended)

    # ---- inversion ---------------------------------------------------------------------------

    def _build_refine(self):  # noqa: ANN202 - returns a tf.function
        c = self.config
        size = [1, *self.residual_shape]
        residual_spec = tf.TensorSpec(size, tf.float32)

        @tf.function(
            input_signature=[
                residual_spec,
                residual_spec,
                residual_spec,
                residual_spec,
                tf.TensorSpec([], tf.float32),
                residual_spec,
                tf.TensorSpec([1, c.frames], tf.float32),
                tf.TensorSpec([], tf.int32),
                tf.TensorSpec([], tf.int32),
            ]
        )
        def refine(
            r: tf.Tensor, m: tf.Tensor, v: tf.Tensor, best: tf.Tensor, best_d: tf.Tensor,
            controls: tf.Tensor, target: tf.Tensor, start: tf.Tensor, steps: tf.Tensor,
        ) -> tuple[tf.Tensor, ...]:  # fmt: skip
            # Adam on the residual r added to the controls w gives, written out so the
            # engine holds no optimiser object; steps start+1 to start+steps, the moments m and
            # v and the nearest residual so far (best, at best_d) carried from the steps
            # before. Each step's distance is that of the residual it starts from; the step
            # descends the distance and the residual's roughness.
            for i in tf.range(start, start + steps):
                with tf.GradientTape() as tape:
                    tape.watch(r)
                    loss = tf.reduce_mean(multires_distance(self._played(controls + r), target))
                    rough = tf.reduce_mean(tf.abs(r[:, 1:] - r[:, :-1]))
                    descended = loss + REFINE_SMOOTHNESS * rough
                nearer = loss < best_d
                best = tf.ensure_shape(tf.where(nearer, r, best), size)
                best_d = tf.where(nearer, loss, best_d)
                g = tf.ensure_shape(tape.gradient(descended, r), size)
                m = 0.9 * m + 0.1 * g
                v = 0.999 * v + 0.001 * tf.square(g)
                t = tf.cast(i + 1, tf.float32)
                m_hat, v_hat = m / (1.0 - 0.9**t), v / (1.0 - 0.999**t)
                step = REFINE_LR * m_hat / (tf.sqrt(v_hat) + 1e-8)
                r = tf.ensure_shape(r - step, size)
            return r, m, v, best, best_d

        return refine

    def _refine(
        self,
        w: np.ndarray,
        target: np.ndarray,
        steps: int,
        check: Check | None,
        done: float = 0.0,
        share: float = 1.0,
        start: np.ndarray | None = None,
    ) -> np.ndarray:
        """`steps` Adam steps on a residual added to the controls w [1, w_dim] gives, from
        `start` (the residual head's guess [1, control_frames, num_controls]; None: zero),
        towards target [1, frames]; returns the nearest residual visited, the start included,
        so refinement never moves a sound further away than the encoder's guess.
        The residual reaches detail W does not, and faster than steps in W (docs/refinement.md).

        Without `check`, REFINE_CHUNK steps a call. With it, chunks of about JOB_SLICE_S (one
        step at least, REFINE_CHUNK at most), `check` called before each with the fraction done,
        running from `done` to `done + share`; it may raise to stop the work. The chunking does
        not change the result: the steps, Adam's moments and the nearest residual carry over.
        """
        refine_fn = self._refine_fn
        ws = np.repeat(np.asarray(w, np.float32)[:, None], self.num_ws, axis=1)
        controls = self._controls(ws)
        m = v = tf.zeros_like(controls)
        r = m if start is None else tf.constant(start, tf.float32)
        best, best_d = r, tf.constant(np.inf, tf.float32)
        target_t = tf.constant(target, tf.float32)
        i, n = 0, 1 if check is not None else REFINE_CHUNK
        while i < steps:
            if check is not None:
                check(done + share * i / steps)
            n = min(n, steps - i)
            began = time.perf_counter()
            r, m, v, best, best_d = refine_fn(
                r, m, v, best, best_d, controls, target_t, tf.constant(i), tf.constant(n)
            )
            i += n
            if check is not None:
                n = _slice_size((time.perf_counter() - began) / n, REFINE_CHUNK)
        if steps:  # the last step's residual, not yet measured: one more step measures it
            # (and moves on, unused), rather than a forward pass of its own to trace at warm-up
            _, _, _, best, _ = refine_fn(
                r, m, v, best, best_d, controls, target_t, tf.constant(steps), tf.constant(1)
            )
        return best.numpy()

    def prepare(self, audio: np.ndarray, sample_rate: int) -> np.ndarray:
        """Any audio ([samples] or [samples, channels], any rate) -> encoder input [frames].

        Prepared as the training sounds were: from its onset, cut where it stays
        ONE_SHOT_DECAY_DB under its peak, fitted to the model's length, peak-normalised.
        """
        mono = to_mono(np.asarray(audio, np.float32))
        if mono.size == 0 or not np.all(np.isfinite(mono)):
            raise ValueError("audio must hold finite samples")
        mono = resample(mono, sample_rate, self.sample_rate)
        one_shot = prepare_one_shot(mono, self.frames, decay_db=ONE_SHOT_DECAY_DB)
        return normalize_peak(one_shot, OUTPUT_PEAK)

    def _encode(
        self, targets: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray | None]:
        """Prepared sounds [n, frames] -> their w [n, w_dim], class ids [n], sounds [n, frames]
        and the residual head's guesses [n, control_frames, num_controls] (None when the model
        has no head; the sounds include them): an inversion without refinement.

        The class is the artifact's class head's where it has one, else the encoder's.
        """
        head = self.artifact.class_head
        named = None if head is None else head.predict(targets)
        w, labels, audio, *guess = (t.numpy() for t in self._encode_fn(targets))
        return w, labels if named is None else named, audio, guess[0] if guess else None

    def invert(
        self,
        audio: np.ndarray,
        sample_rate: int,
        refine_steps: int = 0,
        check: Check | None = None,
    ) -> Render:
        """Inverts audio into W with the encoder (and the residual head's guess at what W
        lacks, where the model has one), then `refine_steps` gradient steps on the residual.

        `check`, when given, is called between chunks of refinement with the fraction done and
        may raise to stop the work (a cancelled request, a deadline).

        Returns:
            The resynthesis [frames], its latent [w_dim] and its residual (None for a model
            without a residual head, unrefined).
        """
        _check_refine(refine_steps)
        target = self.prepare(audio, sample_rate)[None]
        w, label, sound, residual = self._encode(target)
        labels = (self.classes[int(label[0])],)
        if not refine_steps:
            return Render(sound[0], w[0], labels, _one(residual, True))
        residual = self._refine(w, target, refine_steps, check, start=residual)
        render = self.render(w[0], residual=residual[0])
        return Render(render.audio, render.latent, labels, render.residual)

    def invert_slices(
        self,
        audio: np.ndarray,
        sample_rate: int,
        refine_steps: int = 0,
        check: Check | None = None,
    ) -> tuple[np.ndarray, Render]:
        """Cuts a loop or breakbeat at its onsets and inverts every slice.

        Args:
            audio: [samples] or [samples, channels] at `sample_rate`.
            check: Called between chunks of encoding, refinement and rendering with the
                fraction done; it may raise to stop.

        Returns:
            The onsets (sample positions at the model's rate, [n]) and a Render with audio
            [n, frames], latents [n, w_dim] and, refined, residuals, slice by slice.
        """
        _check_refine(refine_steps)
        mono = resample(to_mono(np.asarray(audio, np.float32)), sample_rate, self.sample_rate)
        if mono.size == 0 or not np.all(np.isfinite(mono)):
            raise ValueError("audio must hold finite samples")
        starts = onsets(mono, self.sample_rate)
        if starts.size == 0:
            raise ValueError("no drum hits found in the audio")
        if starts.size > MAX_PATH_STEPS:
            raise ValueError(f"found {starts.size} hits; at most {MAX_PATH_STEPS} per file")
        ends = [*starts[1:], mono.size]
        targets = np.stack(
            [self.prepare(mono[a:b], self.sample_rate) for a, b in zip(starts, ends, strict=True)]
        )
        # progress in units of about one sound's work: encode (and render) each slice; refined,
        # its steps and its render again
        n = len(targets)
        total = n * (2 + refine_steps) if refine_steps else n
        if check is None:
            encoded = [self._encode(targets[i : i + RENDER_CHUNK])
                       for i in range(0, n, RENDER_CHUNK)]  # fmt: skip
        else:
            encoded = _in_slices(self._encode, targets, check, 0.0, n / total)
        w = np.concatenate([e[0] for e in encoded])
        labels = tuple(self.classes[int(k)] for e in encoded for k in e[1])
        residual = None if encoded[0][3] is None else np.concatenate([e[3] for e in encoded])
        if not refine_steps:
            audio = np.concatenate([e[2] for e in encoded])
            return starts, Render(audio, w, labels, residual)
        share = refine_steps / total
        refined = [self._refine(w[i : i + 1], targets[i : i + 1], refine_steps, check,
                                (n + i * refine_steps) / total, share,
                                None if residual is None else residual[i : i + 1])
                   for i in range(n)]  # fmt: skip
        residual = np.concatenate(refined)
        audio = self._render_checked(w, check, 1.0 - n / total, n / total, residual)
        return starts, Render(audio, w, labels, residual)

    def invert_file(self, path: str | os.PathLike[str], refine_steps: int = 0) -> Render:
        """Reads any audio file (raises AudioReadError) and inverts it."""
        return self.invert(read_mono(path, self.sample_rate), self.sample_rate, refine_steps)

    def invert_break_file(
        self, path: str | os.PathLike[str], refine_steps: int = 0
    ) -> tuple[np.ndarray, Render, np.ndarray]:
        """Reads a loop or breakbeat (raises AudioReadError) and inverts every hit of it.

        Returns:
            The onsets ([n] sample positions at the model's rate), a Render with audio
            [n, frames] and latents [n, w_dim], and the loop laid out again from the
            resynthesised hits ([samples] at the model's rate, the file's length).
        """
        mono = read_mono(path, self.sample_rate)
        starts, render = self.invert_slices(mono, self.sample_rate, refine_steps)
        loop = place_slices(render.audio, starts, mono.size, self.sample_rate)
        return starts, render, loop


def _one(batch: np.ndarray | None, single: bool) -> np.ndarray | None:
    """batch[0] where a call was for one sound, else the batch (None stays None)."""
    return batch[0] if single and batch is not None else batch


def _slice_size(seconds_per_item: float, most: int) -> int:
    """Items that take about JOB_SLICE_S: one at least, `most` at most."""
    if seconds_per_item <= 0:
        return most
    return int(min(most, max(1, JOB_SLICE_S // seconds_per_item)))


def _in_slices(
    fn: Callable[[np.ndarray], _T], items: np.ndarray, check: Check, done: float, share: float
) -> list[_T]:
    """fn over items[i:j] in slices of about JOB_SLICE_S each (one item first, then sized from
    the time it took, at most RENDER_CHUNK), `check` called before each with the fraction done,
    from `done` to `done + share`. Returns fn's results in order."""
    out: list[_T] = []
    start, n = 0, 1
    while start < len(items):
        check(done + share * start / len(items))
        n = min(n, len(items) - start)
        began = time.perf_counter()
        out.append(fn(items[start : start + n]))
        start += n
        n = _slice_size((time.perf_counter() - began) / n, RENDER_CHUNK)
    return out
