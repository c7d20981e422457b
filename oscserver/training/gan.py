"""Adversarial training of the mapping and synthesis networks against the discriminator.

Non-saturating logistic loss with R1 on the discriminator's log-mel input, differentiable gain
augmentation of real and fake alike, style mixing, an exponential moving average of the
generator, class-balanced batches, and randomness drawn fresh every step from an explicit
`tf.random.Generator` (never frozen at trace time). A `tf.distribute` strategy spreads each
step over every GPU of the machine when there are several.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import keras
import numpy as np
import tensorflow as tf

from oscserver.audio.dsp import ONE_SHOT_DECAY_DB
from oscserver.model.config import ModelConfig
from oscserver.model.discriminator import build_discriminator, build_features, mel_frames
from oscserver.model.encoder import build_encoder
from oscserver.model.generator import Generator
from oscserver.training.checkpoint import CheckpointError, load_checkpoint, save_checkpoint
from oscserver.training.dataset import Dataset
from oscserver.training.encoder import class_loss, peak_normalized, resynthesis_distance


@dataclass(frozen=True)
class TrainConfig:
    """Hyper-parameters of a GAN run."""

    steps: int = 20000  # total discriminator/generator steps (a resumed run continues to it)
    batch: int = 32  # global batch size
    lr_g: float = 1e-4  # generator learning rate
    lr_d: float = 5e-5  # discriminator learning rate (half G's: a stronger D won and collapsed G)
    beta1: float = 0.0  # Adam beta 1
    beta2: float = 0.99  # Adam beta 2
    r1_gamma: float = 30.0  # weight of the R1 gradient penalty
    style_mix: float = 0.5  # probability of mixing two styles in a generated sound
    ema_halflife: int = 500  # half-life of the generator's moving average, in steps
    ema_rampup: float = 0.1  # ... but at most this fraction of the steps so far (early runs)
    gain_db: float = 6.0  # random gain augmentation, +- dB, real and fake alike
    floor_db: float = -70.0  # white noise floor added to real and fake alike (hides silence)
    stats_weight: float = 1.0  # weight of matching each class's log-mel mean and spread (G)
    duration_weight: float = 0.0  # weight of matching each class's lengths, per second (G)
    recon_weight: float = 0.0  # weight of resynthesising real drums through an encoder (G, E)
    adv_weight: float = 1.0  # weight of the adversary (0: no discriminator steps at all, the
    # reconstruction-first stage: encoder and synthesis train as an autoencoder on real drums)
    recon_noise: float = 0.0  # noise added to the encoder's w before it is played back, in
    # units of the batch's spread of w: the synthesis network learns to play a neighbourhood of
    # each real drum's w as that drum (a smoother W for a mapping fitted to it afterwards)
    train_synthesis: bool = True  # False: the mapping network alone learns (on top of a
    # synthesis network an autoencoder stage trained: its encoder stays exact)
    lr_e: float = 1e-4  # learning rate of that encoder
    group: int = 4  # sounds of one class drawn together (minibatch std, length quantiles)
    sample_every: int = 1000  # steps between sample WAVs and spectrograms
    checkpoint_every: int = 500  # steps between checkpoints
    keep_every: int = 0  # steps between kept snapshots (snapshots/stepN, whole); 0: none
    seed: int = 0  # seed of every random draw of the run


def is_autoencoder(train: Mapping[str, Any]) -> bool:
    """Whether saved training settings (a checkpoint's state["train"], an artifact's
    training.train) are an autoencoder run's: no adversary (--adv-weight 0)."""
    return float(train.get("adv_weight", 1.0)) == 0.0


def _masked_mean(values: tf.Tensor, mask: tf.Tensor) -> tf.Tensor:
    """Mean of values [n] where mask [n] holds (0 where it never does)."""
    kept = tf.cast(mask, values.dtype)
    return tf.reduce_sum(values * kept) / tf.maximum(tf.reduce_sum(kept), 1.0)


def in_batches(
    fn: Callable[[tf.Tensor], tf.Tensor], audio: np.ndarray, size: int = 64
) -> np.ndarray:
    """fn over audio [n, frames] in batches of `size` (the whole training set does not fit one
    call's memory), concatenated."""
    return np.concatenate([fn(audio[i : i + size]).numpy() for i in range(0, len(audio), size)])


def make_strategy() -> tf.distribute.Strategy:
    """MirroredStrategy over all GPUs when there are several, else the default strategy."""
    gpus = tf.config.list_logical_devices("GPU")
    return tf.distribute.MirroredStrategy() if len(gpus) > 1 else tf.distribute.get_strategy()


class GanTrainer:
    """Owns the networks, optimisers and random state of one run, and its checkpoints."""

    def __init__(self, config: ModelConfig, train: TrainConfig, strategy: tf.distribute.Strategy):
        self.config = config
        self.train_config = train
        self.strategy = strategy
        with strategy.scope():
            self.gen = Generator.build(config)
            self.ema = Generator.build(config)
            self.disc = build_discriminator(config)
            self.features = build_features(config)
            self.opt_g = keras.optimizers.Adam(train.lr_g, train.beta1, train.beta2)
            self.opt_d = keras.optimizers.Adam(train.lr_d, train.beta1, train.beta2)
            self.rng = tf.random.Generator.from_seed(train.seed)
            self.step = tf.Variable(0, dtype=tf.int64, trainable=False, name="step")
            # Mean and standard deviation of each class's log-mel spectrograms over the whole
            # training set; set by set_real_stats before training (zeros until then).
            shape = [len(config.classes), mel_frames(config), config.mel_bands]
            self.real_stats = tf.Variable(tf.zeros(shape), trainable=False, name="real_stats")
            self.real_std = tf.Variable(tf.zeros(shape), trainable=False, name="real_std")
            # Each class's length quantiles (seconds) at the midpoints of `group` equal shares:
            # [classes, group], what a sorted group of its sounds should last.
            self.real_lengths = tf.Variable(
                tf.zeros([shape[0], train.group]), trainable=False, name="real_lengths"
            )
            # With reconstruction, an encoder learns beside the generator: it inverts real
            # drums and the synthesis network learns to resynthesise them from its w.
            self.encoder = build_encoder(config) if train.recon_weight else None
            self.opt_e = keras.optimizers.Adam(train.lr_e)
        self.g_vars = self.gen.mapping.trainable_weights + (
            self.gen.synthesis.trainable_weights if train.train_synthesis else []
        )
        # (live, moving-average) weight pairs. The average follows what learns; a frozen
        # synthesis network is its own average (the one its encoder learned), made so again
        # wherever a checkpoint loads.
        mapping = list(zip(self.gen.mapping.weights, self.ema.mapping.weights, strict=True))
        self._synthesis_pairs = list(
            zip(self.gen.synthesis.weights, self.ema.synthesis.weights, strict=True)
        )
        for src, dst in mapping + self._synthesis_pairs:
            dst.assign(src)
        self._averaged = mapping + (self._synthesis_pairs if train.train_synthesis else [])
        with strategy.scope():
            self.opt_g.build(self.g_vars)
            self.opt_d.build(self.disc.trainable_weights)
            if self.encoder is not None:
                self.opt_e.build(self.encoder.trainable_weights)

    # ---- one step -------------------------------------------------------------------------

    def _fake(self, labels: tf.Tensor, batch: int) -> tf.Tensor:
        return self._fake_with_styles(labels, batch)[0]

    def _fake_with_styles(
        self, labels: tf.Tensor, batch: int
    ) -> tuple[tf.Tensor, tf.Tensor, tf.Tensor]:
        """Generated sounds [batch, frames], their first style w [batch, w_dim], and whether
        each is that style alone (no mixing) [batch]."""
        c = self.config
        z = self.rng.normal([batch, c.z_dim])
        z2 = self.rng.normal([batch, c.z_dim])
        w1 = self.gen.mapping([z, labels], training=True)
        w2 = self.gen.mapping([z2, labels], training=True)
        cut = self.rng.uniform([batch, 1], 1, c.num_ws, dtype=tf.int32)
        mix = self.rng.uniform([batch, 1]) < self.train_config.style_mix
        cut = tf.where(mix, cut, c.num_ws)
        take_first = tf.range(c.num_ws)[None, :] < cut  # [B, num_ws]
        ws = tf.where(take_first[..., None], w1[:, None], w2[:, None])
        layer_shape, synth_shape = self.gen.noise_shapes(batch)
        noise = [self.rng.normal(layer_shape), self.rng.normal(synth_shape)]
        audio = self.gen.synthesis([ws, *noise], training=True)
        return audio, w1, tf.logical_not(mix[:, 0])

    def _inversion_loss(
        self, real: tf.Tensor, labels: tf.Tensor, fake: tf.Tensor, w: tf.Tensor, pure: tf.Tensor
    ) -> dict[str, tf.Tensor]:
        """The encoder's losses, per sound: resynthesis of real drums (which trains the
        synthesis network too), their class, and the style of unmixed generated sounds (so
        that real drums invert into the region of W the mapping network fills)."""
        spectral, logits = resynthesis_distance(
            self.encoder,
            self.gen,
            real,
            self.rng,
            train_synthesis=True,
            noise=self.train_config.recon_noise,
        )
        w_hat, _ = self.encoder(peak_normalized(tf.stop_gradient(fake)), training=True)
        w = tf.stop_gradient(w)
        scale = tf.math.reduce_variance(w) + 1e-6
        latent = tf.reduce_mean(tf.square(w_hat - w), axis=1) / scale
        latent *= tf.cast(pure, tf.float32)
        return {"recon": spectral, "class": class_loss(labels, logits), "latent": latent}

    def _floor(self, audio: tf.Tensor) -> tf.Tensor:
        floor = 10.0 ** (self.train_config.floor_db / 20.0)
        return audio + floor * self.rng.normal(tf.shape(audio))

    def _augment(self, audio: tf.Tensor) -> tf.Tensor:
        db = self.rng.uniform(
            [tf.shape(audio)[0], 1], -self.train_config.gain_db, self.train_config.gain_db
        )
        return self._floor(audio * tf.pow(10.0, db / 20.0))

    def set_real_stats(self, audio: np.ndarray, labels: np.ndarray) -> None:
        """Computes each class's log-mel mean and spread over `audio` [n, frames], and its
        length quantiles when lengths are matched (`duration_weight`)."""
        mels = in_batches(lambda x: self.features(self._floor(x)), audio)
        classes = range(len(self.config.classes))
        self.real_stats.assign(np.stack([mels[labels == c].mean(axis=0) for c in classes]))
        self.real_std.assign(np.stack([mels[labels == c].std(axis=0, ddof=1) for c in classes]))
        if not self.train_config.duration_weight:
            return
        # Lengths without the floor: it would sit within 50 dB of some sounds' peaks.
        lengths = in_batches(lambda x: self.lengths(self.features(x)), audio)
        shares = (np.arange(self.train_config.group) + 0.5) / self.train_config.group
        self.real_lengths.assign(
            np.stack([np.quantile(lengths[labels == c], shares) for c in classes])
        )

    def lengths(self, mel: tf.Tensor) -> tf.Tensor:
        """How long each sound lasts, in seconds, differentiably: [batch].

        A frame is active where its level is within ONE_SHOT_DECAY_DB of the sound's loudest
        frame (a sigmoid 1 dB wide); the length counts every frame after which some frame is
        still active, the soft form of where trim_decay cuts a sound. Measure it without the
        training noise floor, which lies within 50 dB of some sounds' peaks.

        Args:
            mel: Log-mel magnitudes [batch, frames, bands] (the discriminator's features).
        """
        db = 10.0 / math.log(10.0)
        level = db * tf.reduce_logsumexp(2.0 * mel, axis=-1)  # dB of each frame's power
        peak = tf.reduce_max(level, axis=1, keepdims=True)
        active = tf.sigmoid(level - peak - ONE_SHOT_DECAY_DB)
        silent_from_here = tf.math.cumprod(1.0 - active, axis=1, reverse=True)
        hop_s = self.config.mel_hop / self.config.sample_rate
        return tf.reduce_sum(1.0 - silent_from_here, axis=1) * hop_s

    def _length_error(self, mel: tf.Tensor, labels: tf.Tensor) -> tf.Tensor:
        """Distance (seconds) of each class group's sorted lengths from the class's quantiles.

        A one-dimensional Wasserstein distance: where three of four real snares have ended by
        0.4 s, three of four generated ones must have too, which matching the mean and spread
        of the log-mel alone does not ask (four half-loud snares fit those as well). The batch
        holds groups of `group` sounds of one class (BalancedSampler).
        """
        g = self.train_config.group
        sorted_groups = tf.sort(tf.reshape(self.lengths(mel), [-1, g]), axis=1)
        target = tf.gather(self.real_lengths, labels[::g])
        return tf.reduce_mean(tf.abs(sorted_groups - target))

    def _discriminator_step(
        self, real: tf.Tensor, labels: tf.Tensor, avg: Callable[[tf.Tensor], tf.Tensor]
    ) -> dict[str, tf.Tensor]:
        """One discriminator update: fake low, real high, R1 on real."""
        t = self.train_config
        fake = tf.stop_gradient(self._fake(labels, tf.shape(real)[0]))
        real_mel = self.features(self._augment(real))
        fake_mel = self.features(self._augment(fake))
        with tf.GradientTape() as tape:
            with tf.GradientTape() as r1_tape:
                r1_tape.watch(real_mel)
                real_logits = self.disc([real_mel, labels], training=True)
                real_sum = tf.reduce_sum(real_logits)
            r1_grad = r1_tape.gradient(real_sum, real_mel)
            r1 = tf.reduce_sum(tf.square(r1_grad), axis=[1, 2])
            fake_logits = self.disc([fake_mel, labels], training=True)
            d_loss = avg(
                tf.nn.softplus(fake_logits) + tf.nn.softplus(-real_logits) + 0.5 * t.r1_gamma * r1
            )
        grads = tape.gradient(d_loss, self.disc.trainable_weights)
        self.opt_d.apply_gradients(zip(grads, self.disc.trainable_weights, strict=False))
        return {
            "d": d_loss,
            "r1": avg(r1),
            "d_real": avg(real_logits),
            "d_fake": avg(fake_logits),
        }

    def _replica_step(self, real: tf.Tensor, labels: tf.Tensor) -> dict[str, tf.Tensor]:
        t = self.train_config
        batch = tf.shape(real)[0]
        global_batch = t.batch

        def avg(x: tf.Tensor) -> tf.Tensor:
            return tf.nn.compute_average_loss(x, global_batch_size=global_batch)

        d_out = self._discriminator_step(real, labels, avg) if t.adv_weight else {}

        # Generator: make the discriminator call fakes real, and match each class's mean
        # log-mel spectrogram over the training set (a stable signal on small data; the
        # adversary keeps the variety).
        # The spread is matched too, where a class has two or more sounds in the batch, so
        # the generator cannot settle on each class's average sound. Both see the noise floor:
        # without it the digital silence that ends short real files dominates the spread.
        n_classes = len(self.config.classes)
        count = tf.math.unsorted_segment_sum(tf.ones([batch]), labels, n_classes)
        recon = self.encoder is not None
        g_vars = self.g_vars + (self.encoder.trainable_weights if recon else [])
        with tf.GradientTape() as tape:
            fake, w, pure = self._fake_with_styles(labels, batch)
            adversarial = tf.constant(0.0)
            if t.adv_weight:  # fixed per run: decided when the step is traced
                logits = self.disc([self.features(self._augment(fake)), labels], training=True)
                adversarial = avg(tf.nn.softplus(-logits))
            mel = self.features(self._floor(fake))
            mean = tf.math.unsorted_segment_mean(mel, labels, n_classes)
            dev2 = tf.square(mel - tf.gather(mean, labels))
            var = (
                tf.math.unsorted_segment_sum(dev2, labels, n_classes)
                / tf.maximum(count - 1.0, 1.0)[:, None, None]
            )
            std = tf.sqrt(var + 1e-6)
            mean_err = tf.reduce_mean(tf.abs(mean - self.real_stats), axis=[1, 2])
            std_err = tf.reduce_mean(tf.abs(std - self.real_std), axis=[1, 2])
            stats = _masked_mean(mean_err, count > 0) + _masked_mean(std_err, count > 1)
            lengths = (  # another STFT of the fakes: only when it counts
                self._length_error(self.features(fake), labels)
                if t.duration_weight
                else tf.constant(0.0)
            )
            replicas = self.strategy.num_replicas_in_sync
            g_loss = (
                t.adv_weight * adversarial
                + (t.stats_weight * stats + t.duration_weight * lengths) / replicas
            )
            inversion = (
                {k: avg(v) for k, v in self._inversion_loss(real, labels, fake, w, pure).items()}
                if recon
                else {}
            )
            # The class and latent terms reach the encoder alone, the resynthesis both.
            loss = g_loss + sum(
                (t.recon_weight * v if k == "recon" else v) for k, v in inversion.items()
            )
        grads = tape.gradient(loss, g_vars)
        n_g = len(self.g_vars)
        self.opt_g.apply_gradients(zip(grads[:n_g], self.g_vars, strict=False))
        if recon:
            self.opt_e.apply_gradients(
                zip(grads[n_g:], self.encoder.trainable_weights, strict=False)
            )
        return {
            **inversion,
            **d_out,
            "g": g_loss,
            "stats": stats / replicas,
            "lengths": lengths / replicas,
        }

    @tf.function
    def train_step(self, real: tf.Tensor, labels: tf.Tensor) -> dict[str, tf.Tensor]:
        """One discriminator and one generator update on a global batch; updates the EMA."""
        out = self.strategy.run(self._replica_step, args=(real, labels))
        out = {k: self.strategy.reduce("SUM", v, axis=None) for k, v in out.items()}
        t = self.train_config
        halflife = tf.minimum(
            float(t.ema_halflife), tf.maximum(1.0, t.ema_rampup * tf.cast(self.step, tf.float32))
        )
        beta = tf.pow(0.5, 1.0 / halflife)
        for src, dst in self._averaged:
            dst.assign(beta * dst + (1.0 - beta) * src)
        self.step.assign_add(1)
        return out

    def init_generator(self, source: Generator) -> None:
        """Starts both generators (trained and moving average) from another model's weights.

        The source may have fewer outputs where this config grew (for example decay envelopes
        added to drums-v2's controls): see transfer_weights.
        """
        for dst in (self.gen, self.ema):
            transfer_weights(source.mapping, dst.mapping)
            transfer_weights(source.synthesis, dst.synthesis)

    # ---- checkpoints ------------------------------------------------------------------------

    def _models(self) -> dict[str, keras.Model]:
        models = {
            "mapping": self.gen.mapping,
            "synthesis": self.gen.synthesis,
            "ema_mapping": self.ema.mapping,
            "ema_synthesis": self.ema.synthesis,
            "discriminator": self.disc,
        }
        return models | ({"encoder": self.encoder} if self.encoder is not None else {})

    def _optimizers(self) -> dict[str, keras.optimizers.Optimizer]:
        opts = {"g": self.opt_g, "d": self.opt_d}
        return opts | ({"e": self.opt_e} if self.encoder is not None else {})

    def save_checkpoint(self, folder: Path, with_optimizer: bool = True) -> None:
        """Writes weights, optimiser and random state to `folder` (replacing what is there)."""
        state = {
            "step": int(self.step.numpy()),
            "rng_state": self.rng.state.numpy().tolist(),
            "model": self.config.to_json(),
            "train": asdict(self.train_config),
        }
        optimizers = self._optimizers() if with_optimizer else {}
        save_checkpoint(folder, self._models(), optimizers, state)

    def load_checkpoint(self, folder: Path) -> None:
        """Restores what save_checkpoint wrote; optimiser slots where they were saved and fit.

        A discriminator of a changed shape restarts where it must (skip_mismatch).

        Raises:
            CheckpointError: reconstruction is on and the checkpoint holds no encoder.
        """
        if self.encoder is not None and not (folder / "encoder.weights.h5").is_file():
            raise CheckpointError(
                f"{folder} holds no encoder for --recon-weight: copy a trained one of this "
                "architecture there as encoder.weights.h5"
            )
        restored = load_checkpoint(
            folder,
            self._models(),
            self._optimizers(),
            reshapable=("discriminator",),
        )
        if not self.train_config.train_synthesis:
            for src, dst in self._synthesis_pairs:
                dst.assign(src)
        step = int(restored.state["step"])
        self.step.assign(step)
        self.rng.reset_from_seed(self.train_config.seed + step)


def transfer_weights(src: keras.Model, dst: keras.Model) -> None:
    """Copies src's weights into dst, layer by layer by name.

    A weight of dst that grew (every dimension at least src's) takes src's values in its
    leading slice; the grown part of a kernel (2 or more dimensions) starts at zero, so the new
    outputs start from their bias alone, and a grown bias keeps its initial value.

    Raises:
        ValueError: a layer of dst is missing from src, or a weight shrank or changed rank.
    """
    for layer in dst.layers:
        if not layer.weights:
            continue
        try:
            old = src.get_layer(layer.name)
        except ValueError:
            raise ValueError(f"{src.name} has no layer {layer.name!r} to start from") from None
        if len(old.weights) != len(layer.weights):
            raise ValueError(f"layer {layer.name!r} differs in its number of weights")
        for have, new in zip(old.weights, layer.weights, strict=True):
            a, shape = have.numpy(), tuple(new.shape)
            if a.shape == shape:
                new.assign(a)
                continue
            if a.ndim != len(shape) or any(x > y for x, y in zip(a.shape, shape, strict=True)):
                raise ValueError(f"{layer.name}/{new.name}: cannot grow {a.shape} into {shape}")
            value = np.zeros(shape, a.dtype) if a.ndim >= 2 else new.numpy()
            value[tuple(slice(0, n) for n in a.shape)] = a
            new.assign(value)


class BalancedSampler:
    """Draws batches with classes in equal shares, from an explicit numpy generator.

    A batch is made of groups of `group` consecutive sounds of one class (the discriminator's
    minibatch-std groups), so that within-class collapse is visible to it.
    """

    def __init__(self, data: Dataset, rng: np.random.Generator, group: int = 4) -> None:
        self.data = data
        self.rng = rng
        self.group = group
        self.by_class = [np.flatnonzero(data.class_id == c) for c in range(len(data.classes))]
        empty = [data.classes[c] for c, idx in enumerate(self.by_class) if idx.size == 0]
        if empty:
            raise ValueError(f"no training sounds for class(es): {', '.join(empty)}")

    def batch(self, size: int) -> tuple[np.ndarray, np.ndarray]:
        group = self.group if size % self.group == 0 else 1
        labels = np.repeat(self.rng.integers(0, len(self.by_class), size // group), group)
        idx = np.array([self.rng.choice(self.by_class[c]) for c in labels])
        return self.data.audio[idx], labels.astype(np.int32)


def train_gan(
    trainer: GanTrainer,
    data: Dataset,
    run_dir: Path,
    *,
    on_sample: Callable[[GanTrainer, int], None] | None = None,
    on_step: Callable[[int, int], None] | None = None,
    seconds: float | None = None,
) -> list[dict[str, float]]:
    """Trains until trainer.train_config.steps, checkpointing to run_dir/checkpoint.

    Args:
        on_step: Told (steps done, steps in all) once before the first step (a resumed run
            starts past 0) and after every step; the losses go to run_dir/losses.jsonl.
        seconds: Stop after the first step that ends this long after the call began, with a
            checkpoint, so that a later call resumes there (a time budget: a lent GPU).

    Returns:
        The loss history of this call, one row per step: step, seconds, d, g, r1, ...
    """
    t = trainer.train_config
    if t.duration_weight and t.batch % t.group:
        raise ValueError(
            f"length matching needs a batch ({t.batch}) of whole class groups ({t.group})"
        )
    sampler = BalancedSampler(
        data.train, np.random.default_rng(t.seed + int(trainer.step)), group=t.group
    )
    trainer.set_real_stats(data.train.audio, data.train.class_id)
    start = int(trainer.step.numpy())
    if on_step is not None:
        on_step(start, t.steps)
    history: list[dict[str, float]] = []
    log = (run_dir / "losses.jsonl").open("a")
    t0 = time.time()
    for step in range(start, t.steps):
        real, labels = sampler.batch(t.batch)
        out = {k: float(v) for k, v in trainer.train_step(real, labels).items()}
        row = {"step": step + 1, "seconds": round(time.time() - t0, 2), **out}
        history.append(row)
        log.write(json.dumps(row) + "\n")
        if on_step is not None:
            on_step(step + 1, t.steps)
        if not all(np.isfinite(v) for v in out.values()):
            raise FloatingPointError(f"non-finite loss at step {step + 1}: {out}")
        out_of_time = seconds is not None and time.time() - t0 >= seconds
        if (step + 1) % t.checkpoint_every == 0 or step + 1 == t.steps or out_of_time:
            log.flush()
            trainer.save_checkpoint(run_dir / "checkpoint")
        if t.keep_every and (step + 1) % t.keep_every == 0:
            # The GAN oscillates: the best step of a class is chosen afterwards, by evaluation.
            # Whole, optimiser state too: a run branched from a snapshot with a fresh Adam
            # jolted its discriminator (drums-v2 second release, run v4).
            trainer.save_checkpoint(run_dir / "snapshots" / f"step{step + 1:06d}")
        if on_sample is not None and ((step + 1) % t.sample_every == 0 or step + 1 == t.steps):
            on_sample(trainer, step + 1)
        if out_of_time:
            break
    log.close()
    return history
