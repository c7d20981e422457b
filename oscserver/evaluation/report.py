"""The typed report of an evaluation: every figure and every target, per class.

A model passes only if every class meets every target that applies to it; a target whose value
could not be measured (too few test sounds, inversion skipped) is a miss, not a pass.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Literal

from oscserver.evaluation.config import EvalConfig

#: The targets of a shippable model, each checked per class.
FRECHET_FLOOR_FACTOR = 2.0  # frechet(generated, test) <= this x frechet(train, test)
FRECHET_NOISE_FACTOR = 0.5  # frechet(generated, test) <= this x frechet(noise bursts, test)
FIDELITY_FACTOR = 0.9  # generated accuracy >= this x the classifier's accuracy on real test
DIVERSITY_MIN_RATIO = 0.7  # generated spread >= this x the real training spread
MEMORISED_MAX_FRACTION = 0.0  # generated sounds nearer training than two velocity layers
INVERSION_CLASS_MIN = 0.85  # the encoder's class head right for this share of test sounds
INVERSION_CLASS_TARGETS = ("kick", "snare", "hat")  # the classes the class target applies to
INVERSION_ENCODER_MAX = 0.6  # encoder-only distance <= this x best of N seeds
INVERSION_REFINED_MAX = 0.45  # refined distance <= this x best of N seeds


@dataclass(frozen=True)
class Target:
    """One target of one class: value, limit, and whether the value meets the limit."""

    name: str  # e.g. "frechet_noise"
    value: float | None  # the measured figure; None when the data could not measure it
    limit: float | None  # the bound; None when it could not be measured (e.g. no test sounds)
    op: Literal["<=", ">="]  # how value must compare with limit
    rule: str  # the target in words
    applies: bool = True  # False: reported for information, never a miss

    @property
    def passed(self) -> bool | None:
        """None where the target does not apply; False where it could not be measured."""
        if not self.applies:
            return None
        if self.value is None or self.limit is None:
            return False
        return self.value <= self.limit if self.op == "<=" else self.value >= self.limit

    def describe(self) -> str:
        """'frechet_noise 250.1 > 120.0', or '... not measured'."""
        if self.value is None or self.limit is None:
            return f"{self.name} not measured"
        op = self.op if self.passed else {"<=": ">", ">=": "<"}[self.op]
        return f"{self.name} {_cell(self.value, 3)} {op} {_cell(self.limit, 3)}"


@dataclass(frozen=True)
class Counts:
    train: int  # real training sounds (not augmented)
    train_augmented: int  # augmented copies in the training split
    test: int  # held-out test sounds (not copies of training sounds)
    generated: int  # generated sounds measured
    inverted: int  # test sounds inverted with the encoder alone
    refined: int  # of those, inverted with refinement too


@dataclass(frozen=True)
class Fidelity:
    """Accuracy of one classifier (fitted on real training sounds) on a class's sounds."""

    generated: float  # share of generated sounds labelled as this class
    real_test: float | None  # share of held-out real sounds labelled as this class


@dataclass(frozen=True)
class Frechet:
    """Frechet distances to the class's held-out test sounds, in the PCA of log-mel stats."""

    generated: float | None  # generated sounds
    train_floor: float | None  # real training sounds of the class: what real drums score
    noise: float | None  # decaying noise bursts: what a naive generator scores


@dataclass(frozen=True)
class Diversity:
    """Mean pairwise distance of standardised log-mel statistics."""

    generated: float
    real: float  # real training sounds of the class
    ratio: float | None  # generated / real


@dataclass(frozen=True)
class Memorisation:
    """Distances of generated sounds to their nearest real training sound."""

    nearest_min: float
    nearest_median: float
    closer_than_layers: float | None  # share nearer than the closest two velocity layers
    real_test_closer_than_layers: float | None  # the same share for held-out real sounds


@dataclass(frozen=True)
class Inversion:
    """Inversion of held-out test sounds; distances are multires spectral distances."""

    heard: dict[str, int]  # class reported by the encoder's class head -> count
    class_accuracy: float  # share reported as the true class
    encoder: float  # mean distance of the encoder-only resynthesis
    best_of: float  # mean distance of the nearest of N random seeds of the true class
    encoder_ratio: float | None  # encoder / best_of
    refined: float | None  # mean distance after refinement (refined subset)
    best_of_refined: float | None  # best_of over the same subset
    refined_ratio: float | None  # refined / best_of_refined
    # Mean distance of generated sounds from themselves played with other synthesiser noise:
    # no resynthesis gets much under it, whatever its w (None in reports written before it).
    noise_floor: float | None = None

    @property
    def floor_ratio(self) -> float | None:
        """noise_floor / best_of: the least encoder_ratio a perfect inversion would reach."""
        if self.noise_floor is None or not self.best_of:
            return None
        return self.noise_floor / self.best_of


@dataclass(frozen=True)
class ClassReport:
    """Every figure of one class and each target's value, limit and verdict."""

    name: str
    counts: Counts
    fidelity_band: Fidelity
    fidelity_shape: Fidelity
    frechet: Frechet
    diversity: Diversity
    memorisation: Memorisation
    inversion: Inversion | None  # None when no test sound was inverted
    targets: tuple[Target, ...]

    @property
    def misses(self) -> tuple[Target, ...]:
        return tuple(t for t in self.targets if t.passed is False)

    def target(self, name: str) -> Target:
        return next(t for t in self.targets if t.name == name)


@dataclass(frozen=True)
class LayerPairs:
    """Distances between velocity layers of one drum: the memorisation reference."""

    pairs: int  # pairs of different layers measured
    duplicates: int  # pairs that are the same file (not counted)
    minimum: float | None
    p5: float | None
    median: float | None


@dataclass(frozen=True)
class Report:
    """An evaluation of one model against one dataset."""

    model: str
    classes: tuple[str, ...]
    sample_rate: int
    frames: int
    config: EvalConfig
    per_class: tuple[ClassReport, ...]
    layers: LayerPairs
    test_copies_of_train: int  # test sounds equal to a training sound, left out
    classifiers: dict[str, str]  # "band"/"shape" -> what the classifier is
    confusion: dict[str, list[list[int]]]  # "band"/"shape" -> [asked, predicted] counts
    pca_explained: dict[str, list[float]]  # class -> explained variance of the first W axes
    training: dict[str, Any] | None  # last row of the losses, when given
    figures: tuple[str, ...]
    frechet_dims: int  # dimensions of the PCA the Frechet distances are measured in
    features: dict[str, Any]  # what the feature vectors hold
    seconds: float

    @property
    def passed(self) -> bool:
        return not any(c.misses for c in self.per_class)

    def misses(self) -> list[str]:
        """'<class> <target> <value> <op> <limit>' for every miss, class by class."""
        return [f"{c.name} {t.describe()}" for c in self.per_class for t in c.misses]

    def verdict(self) -> str:
        """One line: PASS, or FAIL naming each class's misses."""
        if self.passed:
            return f"PASS: every class meets every target ({', '.join(self.classes)})"
        by_class = [f"{c.name} ({', '.join(t.name for t in c.misses)})"
                    for c in self.per_class if c.misses]  # fmt: skip
        return f"FAIL: {len(self.misses())} misses in {len(by_class)} of {len(self.classes)} " \
               f"classes: {'; '.join(by_class)}"  # fmt: skip

    def to_json(self) -> dict[str, Any]:
        """The report as JSON-able data; every target carries its verdict as "pass"."""
        data = asdict(self)
        for c, record in zip(self.per_class, data["per_class"], strict=True):
            for t, row in zip(c.targets, record["targets"], strict=True):
                row["pass"] = t.passed
            record["passed"] = not c.misses
        data["passed"] = self.passed
        data["misses"] = self.misses()
        return _finite(data)

    def write(self, path: Path) -> Path:
        """Writes to_json() to path (atomically)."""
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text(json.dumps(self.to_json(), indent=1))
        tmp.replace(path)
        return path


def _finite(node: Any) -> Any:
    """JSON has no NaN or infinity: they become None."""
    if isinstance(node, dict):
        return {k: _finite(v) for k, v in node.items()}
    if isinstance(node, (list, tuple)):
        return [_finite(v) for v in node]
    if isinstance(node, float) and not math.isfinite(node):
        return None
    return node


def _ratio(a: float | None, b: float | None) -> float | None:
    return None if a is None or b is None or b <= 0 else a / b


def _times(factor: float, x: float | None) -> float | None:
    return None if x is None else factor * x


def class_targets(
    name: str,
    fidelity_band: Fidelity,
    fidelity_shape: Fidelity,
    frechet: Frechet,
    diversity: Diversity,
    memorisation: Memorisation,
    inversion: Inversion | None,
    best_of: int,
) -> tuple[Target, ...]:
    """The targets of one class, from its figures."""
    inv = inversion
    fid = [
        Target(
            f"fidelity_{kind}",
            f.generated,
            _times(FIDELITY_FACTOR, f.real_test),
            ">=",
            f"generated sounds labelled {name} by the {kind} classifier >= {FIDELITY_FACTOR} x "
            "its accuracy on real test sounds",
        )
        for kind, f in (("band", fidelity_band), ("shape", fidelity_shape))
    ]
    return (
        Target(
            "frechet_floor",
            frechet.generated,
            _times(FRECHET_FLOOR_FACTOR, frechet.train_floor),
            "<=",
            f"frechet(generated, test) <= {FRECHET_FLOOR_FACTOR} x frechet(train, test)",
        ),
        Target(
            "frechet_noise",
            frechet.generated,
            _times(FRECHET_NOISE_FACTOR, frechet.noise),
            "<=",
            f"frechet(generated, test) <= {FRECHET_NOISE_FACTOR} x frechet(noise bursts, test)",
        ),
        *fid,
        Target(
            "diversity",
            diversity.ratio,
            DIVERSITY_MIN_RATIO,
            ">=",
            f"generated spread >= {DIVERSITY_MIN_RATIO} x real",
        ),
        Target(
            "memorisation",
            memorisation.closer_than_layers,
            MEMORISED_MAX_FRACTION,
            "<=",
            "no generated sound nearer a training sound than two velocity layers of one drum",
        ),
        Target(
            "inversion_class",
            None if inv is None else inv.class_accuracy,
            INVERSION_CLASS_MIN,
            ">=",
            f"test sounds the encoder reports as {name} >= {INVERSION_CLASS_MIN}",
            applies=name in INVERSION_CLASS_TARGETS,
        ),
        Target(
            "inversion_encoder",
            None if inv is None else inv.encoder_ratio,
            INVERSION_ENCODER_MAX,
            "<=",
            f"encoder-only distance <= {INVERSION_ENCODER_MAX} x best of {best_of} seeds",
        ),
        Target(
            "inversion_refined",
            None if inv is None else inv.refined_ratio,
            INVERSION_REFINED_MAX,
            "<=",
            f"refined distance <= {INVERSION_REFINED_MAX} x best of {best_of} seeds",
        ),
    )


def _cell(x: float | None, digits: int = 2) -> str:
    return "-" if x is None else f"{x:.{digits}f}"


def _marked(c: ClassReport, name: str, digits: int = 2) -> str:
    """A target's value, with '!' after a miss."""
    t = c.target(name)
    return _cell(t.value, digits) + ("!" if t.passed is False else "")


def format_table(report: Report) -> str:
    """A plain-text table: one row per class, a '!' after each missed value, then the misses."""
    header = (
        "class",
        "test",
        "fid band gen/real",
        "fid shape gen/real",
        "frechet gen/floor/noise",
        "divers",
        "memor",
        "inv class",
        "inv enc",
        "inv ref",
        "inv floor",
    )
    rows: list[Sequence[str]] = [header]
    for c in report.per_class:
        fb, fs, fr = c.fidelity_band, c.fidelity_shape, c.frechet
        fr_miss = any(c.target(n).passed is False for n in ("frechet_floor", "frechet_noise"))
        rows.append(
            (
                c.name,
                str(c.counts.test),
                f"{_marked(c, 'fidelity_band')} / {_cell(fb.real_test)}",
                f"{_marked(c, 'fidelity_shape')} / {_cell(fs.real_test)}",
                f"{_cell(fr.generated, 1)}{'!' if fr_miss else ''} / {_cell(fr.train_floor, 1)} / "
                f"{_cell(fr.noise, 1)}",
                _marked(c, "diversity"),
                _marked(c, "memorisation"),
                _marked(c, "inversion_class"),
                _marked(c, "inversion_encoder"),
                _marked(c, "inversion_refined"),
                _cell(None if c.inversion is None else c.inversion.floor_ratio),
            )
        )
    widths = [max(len(r[i]) for r in rows) for i in range(len(header))]
    lines = [
        "  ".join(
            cell.ljust(w) if i == 0 else cell.rjust(w)
            for i, (cell, w) in enumerate(zip(r, widths, strict=True))
        ).rstrip()
        for r in rows
    ]
    lines.insert(1, "-" * len(lines[0]))
    lines += ["", "inversion: encoder ratio and refined ratio to the best of "
              f"{report.config.best_of} seeds, and the ratio of the same sounds played with other "
              "noise (floor); '!' marks a missed target", ""]  # fmt: skip
    lines += [f"miss: {m}" for m in report.misses()]
    return "\n".join(lines)
