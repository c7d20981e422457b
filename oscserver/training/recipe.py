"""The whole recipe behind a shipped model, step by step, each step resumable."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path

import keras
import numpy as np
import tensorflow as tf

from oscserver.engine.engine import render_noise, synthesize
from oscserver.model.artifact import (
    ClassPCA,
    attach_residual_head,
    load_artifact,
    read_pca,
    save_artifact,
    save_pca,
)
from oscserver.model.class_head import CLASS_HEAD_FILE, ClassHead
from oscserver.model.config import ModelConfig
from oscserver.model.encoder import build_encoder
from oscserver.model.generator import Generator, seed_to_z
from oscserver.model.mapping import build_mapping
from oscserver.model.residual_head import RESIDUAL_HEAD_FILE, build_residual_head
from oscserver.training.checkpoint import CheckpointError, read_state
from oscserver.training.dataset import Dataset
from oscserver.training.encoder import (
    EncoderTrainConfig,
    finetune_encoder_real,
    train_encoder,
)
from oscserver.training.gan import (
    GanTrainer,
    TrainConfig,
    is_autoencoder,
    make_strategy,
    train_gan,
)
from oscserver.training.mapping import MappingFitConfig, encode_by_class, fit_mapping
from oscserver.training.pca import fit_pca
from oscserver.training.residual_head import ResidualHeadTrainConfig, ResidualHeadTraining
from oscserver.training.samples import spectrogram_grid, write_examples

#: What a run's later steps write beside its checkpoint.
ENCODER_FILE = "encoder.weights.h5"
MAPPING_FILE = "mapping.weights.h5"


def ema_render(trainer: GanTrainer, seeds: list[int], labels: list[int]) -> np.ndarray:
    """Renders seeds with the moving-average generator as the server would: [n, frames]."""
    g = trainer.ema
    z = np.stack([seed_to_z(s, g.config.z_dim) for s in seeds])
    w = g.mapping([z, np.array(labels, np.int32)]).numpy()
    ws = np.repeat(w[:, None], g.config.num_ws, axis=1)
    layer, synth = render_noise(g)
    return synthesize(g, tf.constant(ws), tf.constant(layer), tf.constant(synth)).numpy()


def sample_callback(run_dir: Path, per_class: int = 6):
    """A callback for train_gan writing WAVs and a spectrogram grid of each class."""

    def on_sample(trainer: GanTrainer, step: int) -> None:
        classes = trainer.config.classes
        labels = [c for c in range(len(classes)) for _ in range(per_class)]
        seeds = list(range(per_class)) * len(classes)
        audio = ema_render(trainer, seeds, labels)
        names = [f"{classes[c]}-{s}" for c, s in zip(labels, seeds, strict=False)]
        spectrogram_grid(
            audio,
            names,
            trainer.config.sample_rate,
            run_dir / "samples" / f"step{step:06d}.png",
            cols=per_class,
        )
        write_examples(
            audio[::per_class],
            [classes[c] for c in range(len(classes))],
            trainer.config.sample_rate,
            run_dir / "samples" / f"step{step:06d}",
        )

    return on_sample


def train_run(
    data_path: Path,
    run_dir: Path,
    train: TrainConfig,
    config: ModelConfig | None = None,
    init_from: Path | None = None,
    on_step: Callable[[int, int], None] | None = None,
    seconds: float | None = None,
) -> GanTrainer:
    """Trains (or resumes) the GAN of a run folder and returns the trainer.

    A new run may start its generator from a model folder or from another run's latest
    checkpoint (`init_from`, same classes; the discriminator starts fresh); a resumed run
    ignores it. `on_step` is told (steps done, train.steps) as train_gan tells it; `seconds`
    stops it early, resumable, as train_gan does.
    """
    data = Dataset.load(data_path)
    run_dir.mkdir(parents=True, exist_ok=True)
    ckpt = run_dir / "checkpoint"
    if ckpt.exists():
        config, _ = run_state(run_dir)
    elif config is None:
        config = ModelConfig(classes=data.classes, sample_rate=data.sample_rate)
    _check_data(data, config)
    trainer = GanTrainer(config, train, make_strategy())
    if ckpt.exists():
        trainer.load_checkpoint(ckpt)
    elif init_from is not None:
        if (init_from / "checkpoint").is_dir():
            source = load_run_generator(init_from)[1]
        else:
            source = load_artifact(init_from).generator
        if source.config.classes != config.classes:
            raise ValueError(
                f"{init_from} has classes {source.config.classes}, the run {config.classes}"
            )
        trainer.init_generator(source)
    tf.get_logger().setLevel("ERROR")
    train_gan(
        trainer, data, run_dir, on_sample=sample_callback(run_dir), on_step=on_step,
        seconds=seconds,
    )  # fmt: skip
    return trainer


class RunError(ValueError):
    """A run folder lacks what a step needs (e.g. no checkpoint yet)."""


def _check_data(data: Dataset, config: ModelConfig) -> None:
    """Raises ValueError unless the dataset's classes, length and rate are the model's."""
    if tuple(config.classes) != tuple(data.classes):
        raise ValueError(f"dataset classes {data.classes} differ from the model's {config.classes}")
    if data.audio.shape[1] != config.frames or data.sample_rate != config.sample_rate:
        raise ValueError(
            f"dataset sounds are {data.audio.shape[1]} samples at {data.sample_rate} Hz, the model "
            f"wants {config.frames} at {config.sample_rate} Hz: rebuild it with the same --arch"
        )


def run_state(run_dir: Path) -> tuple[ModelConfig, dict]:
    """The model configuration and state of a run's latest checkpoint (RunError without one)."""
    try:
        state = read_state(run_dir / "checkpoint")
    except CheckpointError as err:
        raise RunError(str(err)) from None
    return ModelConfig.from_json(state["model"]), state


def load_run_generator(
    run_dir: Path, *, fitted_mapping: bool = True
) -> tuple[ModelConfig, Generator, dict]:
    """The generator of a run's latest checkpoint, and the checkpoint state.

    A GAN run's is its moving average. An autoencoder run's (no adversary: --adv-weight 0)
    synthesis network is the live one, the one its encoder learned to drive: the moving
    average lags behind it, and the encoder's w play differently through it.
    Its mapping network is the one `fit-mapping` wrote beside the checkpoint
    (run/mapping.weights.h5) when there is one and `fitted_mapping` is true.
    """
    config, state = run_state(run_dir)
    ckpt = run_dir / "checkpoint"
    gen = Generator.build(config)
    fitted = run_dir / MAPPING_FILE
    use_fitted = fitted_mapping and fitted.exists()
    gen.mapping.load_weights(fitted if use_fitted else ckpt / "ema_mapping.weights.h5")
    synthesis = "synthesis" if is_autoencoder(state["train"]) else "ema_synthesis"
    gen.synthesis.load_weights(ckpt / f"{synthesis}.weights.h5")
    return config, gen, state


def run_encoder_path(run_dir: Path) -> Path:
    """A run's encoder: the one `train-encoder` wrote (run/encoder.weights.h5), else the one
    a reconstruction run trained beside its synthesis network (in its checkpoint)."""
    for path in (run_dir / ENCODER_FILE, run_dir / "checkpoint" / ENCODER_FILE):
        if path.exists():
            return path
    raise RunError(
        f"no encoder in {run_dir}: run `drumsynth train-encoder`, or train with --recon-weight"
    )


def fit_mapping_run(
    run_dir: Path,
    data_path: Path,
    config: MappingFitConfig,
    on_step: Callable[[int, int], None] | None = None,
) -> Path:
    """Fits a run's mapping network to its encoder's w of the dataset's training drums.

    Starts from the checkpoint's moving-average mapping, or with config.from_scratch from
    fresh weights drawn with config.seed; a rerun replaces the last fit. Writes
    run/mapping.weights.h5, which every later step (fit-pca, train-encoder, export) then uses,
    and run/mapping_fit.json: the settings and the energy distance of every class every
    config.log_every steps.
    """
    model, gen, state = load_run_generator(run_dir, fitted_mapping=False)
    if config.from_scratch:
        keras.utils.set_random_seed(config.seed)  # Keras draws initial weights from its own seed
        gen.mapping.set_weights(build_mapping(model).get_weights())
    encoder = build_encoder(model)
    encoder.load_weights(run_encoder_path(run_dir))
    data = Dataset.load(data_path)
    _check_data(data, model)
    real = data.subset((data.split == 0) & (data.augmented == 0))
    encoded = encode_by_class(encoder, real.audio, real.class_id, len(model.classes))
    history = fit_mapping(gen.mapping, encoded, config, on_step=on_step)
    out = run_dir / MAPPING_FILE
    tmp = run_dir / ("tmp-" + MAPPING_FILE)
    gen.mapping.save_weights(tmp)
    tmp.replace(out)
    names = {f"energy{c}": name for c, name in enumerate(model.classes)}
    record = {
        "checkpoint_step": state["step"],
        "data": str(data_path),
        "drums": {name: len(e) for name, e in zip(model.classes, encoded, strict=True)},
        "config": asdict(config),
        "energy": [{names.get(k, k): v for k, v in row.items()} for row in history],
    }
    (run_dir / "mapping_fit.json").write_text(json.dumps(record, indent=1))
    return out


def fit_class_head_run(run_dir: Path, data_path: Path, seed: int = 0) -> dict[str, float]:
    """Fits the class head on the dataset's training drums (pitch-shifted copies too).

    Writes run/class_head.npz, which export then puts in the model, and
    run/class_head.json: the share of the held-out test drums of each class it names right.

    Returns:
        That share per class.
    """
    model, _ = run_state(run_dir)
    data = Dataset.load(data_path)
    _check_data(data, model)
    train = data.split == 0
    head = ClassHead.fit(
        data.audio[train], data.class_id[train], len(model.classes), data.sample_rate, seed
    )
    test = data.subset((data.split == 1) & (data.augmented == 0))
    named = head.predict(test.audio)
    held_out = {
        name: float(np.mean(named[test.class_id == k] == k))
        for k, name in enumerate(model.classes)
        if np.any(test.class_id == k)
    }
    tmp = run_dir / ("tmp-" + CLASS_HEAD_FILE)
    head.save(tmp)
    tmp.replace(run_dir / CLASS_HEAD_FILE)
    record = {"data": str(data_path), "seed": seed, "held_out_named_right": held_out}
    (run_dir / "class_head.json").write_text(json.dumps(record, indent=1))
    return held_out


def train_residual_head_run(
    model_dir: Path,
    data_path: Path,
    run_dir: Path,
    config: ResidualHeadTrainConfig,
    on_step: Callable[[int, int], None] | None = None,
    minutes: float | None = None,
    from_model: bool = False,
) -> dict[str, dict[str, float]]:
    """Trains a model's residual head on the dataset's training drums and puts it in the model
    (after `minutes`, None for no limit, it stops early: at the step its record names).

    A run without a checkpoint starts from a fresh head or, `from_model`, from the head the
    model holds, at the step its manifest names (with a fresh optimiser): a shipped head trained
    on, where its run's checkpoint is not at hand.

    The run folder keeps the head's checkpoint (resumed from), `losses.jsonl`, the weights and
    `residual_head.json`: per class, the mean distance of the held-out test drums inverted
    without refinement, by the encoder alone and with the head. The model folder gets the
    weights and that record in its manifest.

    Returns:
        That record's per-class table.
    """
    from oscserver.engine import DrumEngine
    from oscserver.evaluation.measures import held_out

    engine = DrumEngine(load_artifact(model_dir), warmup=False)
    data = Dataset.load(data_path)
    _check_data(data, engine.config)
    prepared = np.stack([engine.prepare(a, data.sample_rate) for a in data.audio])
    run_dir.mkdir(parents=True, exist_ok=True)
    head = build_residual_head(engine.config)
    first = 0
    if from_model and not (run_dir / "checkpoint" / "state.json").is_file():
        if engine.artifact.residual_head is None:
            raise ValueError(f"model {model_dir.name} holds no residual head to start from")
        head.set_weights(engine.artifact.residual_head.get_weights())
        first = int(engine.artifact.manifest.get("residual_head", {}).get("step", 0))
    training = ResidualHeadTraining(engine.artifact, head, config)
    step = training.fit(prepared[data.split == 0], run_dir / "checkpoint",
                        run_dir / "losses.jsonl", on_step, minutes, first)  # fmt: skip
    judged = held_out(data)
    table = {}
    for k, name in enumerate(engine.classes):
        rows = judged & (data.class_id == k)
        if np.any(rows):
            alone, guessed = training.distances(prepared[rows])
            table[name] = {
                "drums": int(rows.sum()),
                "encoder": float(np.mean(alone)),
                "with_head": float(np.mean(guessed)),
            }
    weights = run_dir / RESIDUAL_HEAD_FILE
    head.save_weights(weights)
    record = {
        "data": str(data_path),
        "step": step,
        "train": asdict(config),
        "held_out_distance": table,
    }
    (run_dir / "residual_head.json").write_text(json.dumps(record, indent=1))
    attach_residual_head(model_dir, weights, record)
    return table


def load_pca(path: Path, classes: tuple[str, ...]) -> dict[str, ClassPCA]:
    """The PCA statistics a run's `fit-pca` step wrote."""
    if not path.exists():
        raise RunError(f"no {path.name} in {path.parent}: run `drumsynth fit-pca` first")
    return read_pca(path, classes)


def fit_pca_run(run_dir: Path, axes: int = 8, samples: int = 10_000, seed: int = 0) -> Path:
    """Fits the per-class PCA of a run's generator into run_dir/pca.npz."""
    config, gen, _ = load_run_generator(run_dir)
    out = run_dir / "pca.npz"
    save_pca(fit_pca(gen, axes=axes, samples=samples, seed=seed), out)
    return out


def train_encoder_run(
    run_dir: Path,
    train: EncoderTrainConfig,
    real_data: Path | None = None,
    real_steps: int = 0,
    on_step: Callable[[int, int], None] | None = None,
) -> Path:
    """Trains the encoder of a run (resuming from run_dir/encoder.weights.h5 if present).

    `on_step` is told (steps done, steps in all) over both phases: the generated pairs, then
    the real sounds.
    """
    config, gen, _ = load_run_generator(run_dir)
    pca = load_pca(run_dir / "pca.npz", config.classes)
    encoder = build_encoder(config)
    out = run_dir / ENCODER_FILE
    if out.exists():
        encoder.load_weights(out)
    means = np.stack([pca[c].mean for c in config.classes])
    real = Dataset.load(real_data).train if real_data is not None and real_steps > 0 else None
    total = train.steps + (real_steps if real is not None else 0)
    history = train_encoder(encoder, gen, means, train, on_step=_counted(on_step, 0, total))
    if real is not None:
        history += finetune_encoder_real(
            encoder,
            gen,
            real.audio,
            real.class_id,
            real_steps,
            batch=train.batch,
            seed=train.seed,
            on_step=_counted(on_step, train.steps, total),
        )
    encoder.save_weights(out)
    with (run_dir / "encoder_losses.jsonl").open("a") as f:
        for row in history:
            f.write(json.dumps(row) + "\n")
    return out


def _counted(
    on_step: Callable[[int, int], None] | None, before: int, total: int
) -> Callable[[int, int], None] | None:
    """A phase's on_step, told the steps of the whole: `before` steps came in earlier phases."""
    if on_step is None:
        return None
    return lambda done, _: on_step(before + done, total)


def export_run(run_dir: Path, out: Path, extra: dict | None = None) -> Path:
    """Writes the model artifact of a run: generator, encoder, PCA, and the class head when
    `fit-class-head` wrote one."""
    config, gen, state = load_run_generator(run_dir)
    pca = load_pca(run_dir / "pca.npz", config.classes)
    encoder = build_encoder(config)
    encoder.load_weights(run_encoder_path(run_dir))
    info = {"gan_steps": state["step"], "train": state["train"], **(extra or {})}
    fit = run_dir / "mapping_fit.json"
    if fit.exists() and (run_dir / MAPPING_FILE).exists():
        record = json.loads(fit.read_text())
        info["mapping_fit"] = {k: record[k] for k in ("config", "drums")} | {
            "energy": record["energy"][-1]
        }
    head_path = run_dir / CLASS_HEAD_FILE
    head = ClassHead.load(head_path) if head_path.exists() else None
    head_fit = run_dir / "class_head.json"
    if head is not None and head_fit.exists():
        info["class_head"] = json.loads(head_fit.read_text())["held_out_named_right"]
    save_artifact(out, config, gen, encoder, pca, extra={"training": info}, class_head=head)
    write_audition(out)
    return out


def write_audition(model_dir: Path, per_class: int = 8, psi: float = 0.8) -> list[Path]:
    """Renders seeds 0..per_class-1 of every class, as served, into model_dir/examples/."""
    from oscserver.engine import DrumEngine

    engine = DrumEngine.load(model_dir, warmup=False)
    paths = []
    for cls in engine.classes:
        audio = np.stack([engine.generate(s, cls, psi).audio for s in range(per_class)])
        paths += write_examples(
            audio,
            [f"{cls}-seed{s}" for s in range(per_class)],
            engine.sample_rate,
            model_dir / "examples",
        )
    return paths
