"""The evaluation: measure a model against a dataset class by class, write the report and figures.

`evaluate` works on a loaded engine and dataset; `run` is the command line's entry: it checks
the paths, reads the model artifact (its config first, so that a dataset of other classes fails
before the long compile), and evaluates.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import tensorflow as tf

from oscserver.audio.features import FEATURE_MELS, SHAPE_NAMES, Features, sound_features
from oscserver.engine import DrumEngine
from oscserver.engine.engine import render_noise, synthesize
from oscserver.evaluation.config import EvalConfig, EvaluationError
from oscserver.evaluation.figures import generated_beside_real, pca_sweeps
from oscserver.evaluation.measures import (
    BAND_CLASSIFIER,
    FRECHET_DIMS,
    SHAPE_CLASSIFIER,
    Projection,
    Standardiser,
    accuracy,
    best_of,
    copies_of_training,
    fit_band_classifier,
    fit_shape_classifier,
    frechet_distance,
    group_pair_distances,
    held_out,
    mean_pairwise_distance,
    nearest_distances,
    noise_bursts,
)
from oscserver.evaluation.report import (
    ClassReport,
    Counts,
    Diversity,
    Fidelity,
    Frechet,
    Inversion,
    LayerPairs,
    Memorisation,
    Report,
    class_targets,
)
from oscserver.model.artifact import ArtifactError, load_artifact
from oscserver.model.spectral import multires_distance
from oscserver.training.dataset import Dataset
from oscserver.training.plots import confusion_matrix_plot, loss_curves
from oscserver.training.samples import spectrogram_grid


def _check_classes(data: Sequence[str], model: Sequence[str]) -> None:
    if tuple(data) != tuple(model):
        raise EvaluationError(
            f"dataset classes ({', '.join(data)}) differ from the model's ({', '.join(model)})"
        )


def _check_compatible(engine: DrumEngine, data: Dataset) -> None:
    _check_classes(data.classes, engine.classes)
    if data.audio.ndim != 2 or data.audio.shape[1] != engine.frames:
        raise EvaluationError(
            f"dataset sounds are {data.audio.shape[1:]} samples, the model's are {engine.frames}"
        )
    if data.sample_rate != engine.sample_rate:
        raise EvaluationError(
            f"dataset rate {data.sample_rate} Hz differs from the model's {engine.sample_rate} Hz"
        )
    train = (data.split == 0) & (data.augmented == 0)
    for c in range(len(data.classes)):
        if np.sum(train & (data.class_id == c)) < 2:
            raise EvaluationError(f"class {data.classes[c]} has fewer than 2 training sounds")


#: Seed of the other synthesiser noise the noise floor replays seeds with (not the engine's).
FLOOR_NOISE_SEED = 1
#: Seeds the noise floor is measured on.
FLOOR_SEEDS = 16


def _seed_latents(engine: DrumEngine, cls: str, n: int, psi: float) -> np.ndarray:
    """The w of seeds 0 .. n-1 of a class, in one mapping call: [n, w_dim]."""
    return engine.seed_latents(range(n), [cls] * n, [psi] * n)


def _noise_floor(engine: DrumEngine, latents: np.ndarray, heard: np.ndarray) -> float:
    """Mean distance of sounds `heard` [n, frames] (the engine's renders of `latents`
    [n, w_dim]) from the same latents played with another draw of the synthesiser's noise (the
    layer noise kept): the part of any resynthesis's distance that no w can remove."""
    gen = engine.artifact.generator
    ws = tf.tile(tf.constant(latents)[:, None], [1, engine.num_ws, 1])
    layer, _ = render_noise(gen)
    _, other = gen.noise(np.random.default_rng(FLOOR_NOISE_SEED), 1)
    replayed = synthesize(gen, ws, tf.constant(layer), tf.constant(other)).numpy()
    return float(np.mean(np.asarray(multires_distance(replayed, heard))))


def _mean(x: Sequence[float]) -> float | None:
    return float(np.mean(x)) if len(x) else None


def _invert(
    engine: DrumEngine,
    cls: str,
    sounds: np.ndarray,
    refined: int,
    candidates: np.ndarray,
    noise_floor: float,
    config: EvalConfig,
    figure: Path,
) -> Inversion:
    """Inverts held-out sounds [k, frames] of one class: the encoder alone for all of them, with
    refinement for the first `refined`; compared with the best of the candidates [n, frames]
    and reported beside the class's noise floor (_noise_floor)."""
    sr = engine.sample_rate
    targets = np.stack([engine.prepare(s, sr) for s in sounds])
    best, nearest = best_of(candidates, targets)
    heard: dict[str, int] = dict.fromkeys(engine.classes, 0)
    enc_d, ref_d, grid, labels = [], [], [], []
    for i, (sound, target) in enumerate(zip(sounds, targets, strict=True)):
        enc = engine.invert(sound, sr, 0)
        heard[enc.labels[0]] += 1
        enc_d.append(float(multires_distance(enc.audio, target)))
        if i < refined:
            ref = engine.invert(sound, sr, config.refine_steps).audio
            ref_d.append(float(multires_distance(ref, target)))
            grid += [target, enc.audio, ref, candidates[int(nearest[i])]]
            labels += [f"{cls} test {i}", f"encoder: {enc.labels[0]}",
                       f"refined {config.refine_steps}", f"seed {int(nearest[i])}"]  # fmt: skip
    if grid:
        spectrogram_grid(np.stack(grid), labels, sr, figure, cols=4)
    enc_mean, best_mean = float(np.mean(enc_d)), float(np.mean(best))
    ref_mean, best_ref = _mean(ref_d), _mean(best[:refined].tolist())
    return Inversion(
        heard=heard,
        class_accuracy=heard[cls] / len(sounds),
        encoder=enc_mean,
        best_of=best_mean,
        encoder_ratio=enc_mean / best_mean if best_mean > 0 else None,
        refined=ref_mean,
        best_of_refined=best_ref,
        refined_ratio=None if ref_mean is None or not best_ref else ref_mean / best_ref,
        noise_floor=noise_floor,
    )


def evaluate(
    engine: DrumEngine,
    data: Dataset,
    out: Path,
    config: EvalConfig | None = None,
    *,
    losses: Sequence[dict[str, float]] | None = None,
    log: Callable[[str], None] | None = None,
    on_step: Callable[[int, int], None] | None = None,
) -> Report:
    """Measures `engine` against `data` class by class; writes out/report.json and out/*.png.

    Args:
        engine: The model; its classes, length and rate must be the dataset's.
        data: A dataset made by `drumsynth dataset`: training sounds fit the classifiers, the
            PCA of the Frechet distance and are the memorisation reference; held-out test
            sounds (not augmented, not a copy of a training sound) are the reference of the
            distances and the inversion targets.
        config: What to measure; EvalConfig() when None.
        losses: Rows of a training run's losses.jsonl, drawn as curves when given.
        log: Receives one progress line per step, with the elapsed time; None for silence.
        on_step: Told (classes measured, classes) before each class and once all are done.
    """
    config = config or EvalConfig()
    _check_compatible(engine, data)
    out.mkdir(parents=True, exist_ok=True)
    t0 = time.time()

    def say(line: str) -> None:
        if log is not None:
            log(f"[{time.time() - t0:6.1f} s] {line}")

    classes, sr = engine.classes, engine.sample_rate
    rng = np.random.default_rng(config.seed)
    say(f"features of {len(data.audio)} real sounds and {config.noise_count} noise bursts")
    real = sound_features(data.audio, sr)
    noise = sound_features(noise_bursts(config.noise_count, engine.frames, sr, rng), sr)
    train_all = data.split == 0
    train = train_all & (data.augmented == 0)
    copies = copies_of_training(data)
    test = held_out(data, copies)

    say("classifiers, PCA and velocity-layer distances")
    band_clf = fit_band_classifier(real.bands[train_all], data.class_id[train_all])
    shape_clf = fit_shape_classifier(real.shape[train_all], data.class_id[train_all])
    project = Projection.fit(real.stats[train], FRECHET_DIMS)
    z = Standardiser.fit(real.stats[train])
    pairs = group_pair_distances(z(real.stats[train]), data.group[train])
    duplicates = int(np.sum(pairs <= 1e-9))  # the same file under two layers: not a layer pair
    pairs = pairs[pairs > 1e-9]
    layers = LayerPairs(
        pairs=int(pairs.size),
        duplicates=duplicates,
        minimum=float(pairs.min()) if pairs.size else None,
        p5=float(np.percentile(pairs, 5)) if pairs.size else None,
        median=float(np.median(pairs)) if pairs.size else None,
    )
    train_z = z(real.stats[train_all])
    noise_p = project(noise.stats)

    def closer(d: np.ndarray) -> float | None:
        return float(np.mean(d < layers.minimum)) if layers.minimum and d.size else None

    confusion = {k: np.zeros((len(classes), len(classes)), np.int64) for k in ("band", "shape")}
    records, figures = [], []
    for c, cls in enumerate(classes):
        if on_step is not None:
            on_step(c, len(classes))
        in_test = np.flatnonzero(test & (data.class_id == c))
        k = min(config.invert_count, len(in_test))
        n = max(config.per_class, config.best_of if k else 0)
        say(f"{cls}: rendering {n} seeds")
        latents = _seed_latents(engine, cls, n, config.psi)
        audio = engine.render(latents).audio
        generated = audio[: config.per_class]
        gen = sound_features(generated, sr)
        real_test = Features(real.stats[in_test], real.segments[in_test], real.shape[in_test])
        fidelity = {}
        for kind, clf, part in (("band", band_clf, "bands"), ("shape", shape_clf, "shape")):
            acc, pred = accuracy(clf, getattr(gen, part), c)
            np.add.at(confusion[kind][c], pred, 1)
            test_acc = accuracy(clf, getattr(real_test, part), c)[0] if len(in_test) else None
            fidelity[kind] = Fidelity(acc, test_acc)

        train_c = real.stats[train & (data.class_id == c)]
        test_p = project(real_test.stats)
        enough = len(in_test) >= 2
        frechet = Frechet(
            frechet_distance(project(gen.stats), test_p) if enough else None,
            frechet_distance(project(train_c), test_p) if enough else None,
            frechet_distance(noise_p, test_p) if enough else None,
        )
        g, r = mean_pairwise_distance(z(gen.stats)), mean_pairwise_distance(z(train_c))
        near = nearest_distances(z(gen.stats), train_z)
        test_near = nearest_distances(z(real_test.stats), train_z)
        memorisation = Memorisation(
            float(near.min()), float(np.median(near)), closer(near), closer(test_near)
        )

        inversion, refined = None, min(config.refine_count, k) if config.refine_steps else 0
        if k:
            chosen = np.sort(rng.choice(in_test, size=k, replace=False))
            say(f"{cls}: inverting {k} test sounds, {refined} with {config.refine_steps} steps")
            inversion = _invert(
                engine,
                cls,
                data.audio[chosen],
                refined,
                audio[: config.best_of],
                _noise_floor(engine, latents[:FLOOR_SEEDS], audio[:FLOOR_SEEDS]),
                config,
                out / f"inversion_{cls}.png",
            )
            if refined:
                figures.append(f"inversion_{cls}.png")
        diversity = Diversity(g, r, g / r if r > 0 else None)
        records.append(
            ClassReport(
                name=cls,
                counts=Counts(
                    train=int(np.sum(train & (data.class_id == c))),
                    train_augmented=int(np.sum(train_all & ~train & (data.class_id == c))),
                    test=len(in_test),
                    generated=config.per_class,
                    inverted=k,
                    refined=refined,
                ),
                fidelity_band=fidelity["band"],
                fidelity_shape=fidelity["shape"],
                frechet=frechet,
                diversity=diversity,
                memorisation=memorisation,
                inversion=inversion,
                targets=class_targets(
                    cls,
                    fidelity["band"],
                    fidelity["shape"],
                    frechet,
                    diversity,
                    memorisation,
                    inversion,
                    config.best_of,
                ),  # fmt: skip
            )
        )
        say(f"{cls}: figures")
        shown = min(config.preview, len(generated))
        generated_beside_real(generated[:shown], data.audio[in_test[: config.preview]], cls, sr,
                              out / f"generated_{cls}.png")  # fmt: skip
        figures.append(f"generated_{cls}.png")
        axes = min(config.sweep_axes, engine.pca_axes)
        if axes:
            pca_sweeps(engine, cls, axes, config.sweep_span, config.sweep_steps,
                       out / f"sweep_{cls}.png")  # fmt: skip
            figures.append(f"sweep_{cls}.png")
    if on_step is not None:
        on_step(len(classes), len(classes))

    for kind, matrix in confusion.items():
        confusion_matrix_plot(matrix, classes, out / f"confusion_{kind}.png",
                              f"generated sounds, {kind} classifier")  # fmt: skip
        figures.append(f"confusion_{kind}.png")
    training = None
    if losses:
        figures.append(loss_curves(losses, out / "losses.png").name)
        training = {"rows": len(losses), "last": dict(losses[-1])}
    report = Report(
        model=engine.name,
        classes=classes,
        sample_rate=sr,
        frames=engine.frames,
        config=config,
        per_class=tuple(records),
        layers=layers,
        test_copies_of_train=int(np.sum(copies)),
        classifiers={"band": BAND_CLASSIFIER, "shape": SHAPE_CLASSIFIER},
        confusion={k: m.tolist() for k, m in confusion.items()},
        pca_explained={
            cls: [float(v) for v in engine.artifact.pca[cls].explained[: config.sweep_axes]]
            for cls in classes
        },
        training=training,
        figures=tuple(figures),
        frechet_dims=int(project.components.shape[0]),
        features={"band": 5 * FEATURE_MELS, "shape": list(SHAPE_NAMES)},
        seconds=round(time.time() - t0, 1),
    )
    report.write(out / "report.json")
    say(f"done in {report.seconds} s")
    return report


def read_losses(path: Path) -> list[dict[str, float]]:
    """Rows of a losses.jsonl (one JSON object per line, each with a "step"), by step.

    A resumed run appends to the file, so a step may be logged twice: its last row counts.
    """
    by_step: dict[float, dict[str, float]] = {}
    for i, line in enumerate(path.read_text().splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as err:
            raise EvaluationError(f"{path}:{i}: not JSON ({err.msg})") from None
        if not isinstance(row, dict) or not isinstance(row.get("step"), (int, float)):
            raise EvaluationError(f"{path}:{i}: a row needs a numeric 'step'")
        by_step[row["step"]] = row
    if not by_step:
        raise EvaluationError(f"{path} holds no rows")
    return [by_step[k] for k in sorted(by_step)]


def run(
    *,
    model: Path,
    data: Path,
    out: Path,
    config: EvalConfig | None = None,
    losses: Path | None = None,
    log: Callable[[str], None] | None = None,
    on_step: Callable[[int, int], None] | None = None,
) -> Report:
    """Checks the paths, loads model and dataset, evaluates; raises EvaluationError on bad input.
    `log` and `on_step` are evaluate's."""
    if not (model / "manifest.json").is_file():
        raise EvaluationError(f"no model artifact at {model} (no manifest.json)")
    if not data.is_file():
        raise EvaluationError(f"no dataset file {data}")
    if losses is not None and not losses.is_file():
        raise EvaluationError(f"no losses file {losses}")
    rows = read_losses(losses) if losses is not None else None
    try:
        dataset = Dataset.load(data)
    except (OSError, KeyError, ValueError) as err:
        raise EvaluationError(f"cannot read dataset {data}: {err}") from None
    if log:
        log(f"loading {model}")
    try:
        artifact = load_artifact(model)
    except ArtifactError as err:
        raise EvaluationError(f"cannot load model {model}: {err}") from None
    _check_classes(dataset.classes, artifact.config.classes)  # before the compile and warm-up
    return evaluate(
        DrumEngine(artifact), dataset, out, config, losses=rows, log=log, on_step=on_step
    )
