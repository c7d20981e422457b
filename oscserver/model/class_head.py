"""The class head: which drum a sound is, read from its envelope shape and band levels.

The encoder has a class head of its own, but its trunk learned the colour of the training
libraries: on drums from libraries it never heard it names 75% of kicks and 72% of hats.
Gradient-boosted trees on the shape features (attack, decay times, centroid and flatness over
time) and the band features of `oscserver.audio.features` name 88-90% of those kicks and 85-86%
of hats (MODEL_CARD.md). This head is such a model.

scikit-learn fits the trees. They are kept as plain arrays (an .npz, read without pickle) and
walked in numpy, all trees at once: scikit-learn's own predict calls every tree in turn, 3.6 ms
for one sound against 0.36 ms here (`bench/engine_bench.py`), and an inversion has 20 ms in all.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sklearn.ensemble import HistGradientBoostingClassifier

from oscserver.audio.features import FEATURE_MELS, SHAPE_NAMES, sound_features

#: The artifact's file of the class head.
CLASS_HEAD_FILE = "class_head.npz"
#: Features a sound is read as: the shape features, then the band features.
FEATURES = len(SHAPE_NAMES) + 5 * FEATURE_MELS
#: The arrays of that file.
_FIELDS = ("feature", "threshold", "left", "right", "leaf", "value", "tree_class", "baseline")


class ClassHeadError(ValueError):
    """A class head file that cannot be read or does not hold a class head."""


def head_features(audio: np.ndarray, sample_rate: int) -> np.ndarray:
    """What the head reads of sounds [n, samples]: shape, then band features [n, FEATURES].

    Each sound is scaled to peak 1 first, so that the level a sound was recorded or played at
    does not change its class.
    """
    audio = np.asarray(audio, np.float32)
    peak = np.max(np.abs(audio), axis=1, keepdims=True)
    features = sound_features(audio / np.maximum(peak, 1e-9), sample_rate)
    return np.nan_to_num(np.concatenate([features.shape, features.bands], axis=1))


@dataclass(frozen=True)
class ClassHead:
    """Boosted trees as arrays, one row a tree, one column a node (padded to the largest tree).

    A sound goes left at a node when its feature is at most the threshold. Its score for a
    class is that class's baseline plus the leaf values of that class's trees; the class with
    the highest score is the head's answer (scikit-learn's decision function, to the bit).
    """

    feature: np.ndarray  # [trees, nodes] int: feature index the node splits on
    threshold: np.ndarray  # [trees, nodes] float
    left: np.ndarray  # [trees, nodes] int: node index of the left child
    right: np.ndarray  # [trees, nodes] int
    leaf: np.ndarray  # [trees, nodes] bool
    value: np.ndarray  # [trees, nodes] float: the leaf's share of the score
    tree_class: np.ndarray  # [trees] int: the class whose score the tree adds to
    baseline: np.ndarray  # [classes] float: the score before any tree
    sample_rate: int  # Hz of the sounds the features are computed at

    @property
    def classes(self) -> int:
        return len(self.baseline)

    @classmethod
    def fit(
        cls, audio: np.ndarray, labels: np.ndarray, classes: int, sample_rate: int, seed: int = 0
    ) -> ClassHead:
        """Fits a head on sounds [n, samples] (n >= 2 of every class) with labels [n].

        Raises:
            ValueError: a class with fewer than 2 sounds, or sounds shorter than the features.
        """
        counts = np.bincount(np.asarray(labels, np.int64), minlength=classes)
        if len(counts) != classes or np.any(counts < 2):
            raise ValueError(f"the class head needs 2 sounds of every class, got {counts.tolist()}")
        # scikit-learn's defaults but two:
        # - every split weighs a random half of the features: without it, the trees' choices
        #   hung on rounding (the band features shifted by a constant moved held-out snares
        #   from 0.86 to 0.80), with it 8 seeds named 0.86-0.89 of them;
        # - a leaf may hold fewer than 20 drums where a class has fewer than 100 (a small set
        #   would otherwise never split).
        leaf = min(20, max(2, len(labels) // (5 * classes)))
        trees = HistGradientBoostingClassifier(
            class_weight="balanced", max_features=0.5, min_samples_leaf=leaf, random_state=seed
        )
        trees.fit(head_features(audio, sample_rate), labels)
        return cls.from_trees(trees, sample_rate)

    @classmethod
    def from_trees(cls, trees: HistGradientBoostingClassifier, sample_rate: int) -> ClassHead:
        """The arrays of fitted trees.

        Two classes have one tree a round, scoring the second class against a first held at
        zero; more have a tree a class a round.
        """
        rounds = trees._predictors  # noqa: SLF001 - the fitted trees, one list a boosting round
        binary = len(trees.classes_) == 2
        nodes = [(1 if binary else k, tree.nodes) for per_round in rounds
                 for k, tree in enumerate(per_round)]  # fmt: skip
        width = max(len(n) for _, n in nodes)

        def table(field: str, dtype: type) -> np.ndarray:
            out = np.zeros((len(nodes), width), dtype)
            for i, (_, n) in enumerate(nodes):
                out[i, : len(n)] = n[field]
            return out

        baseline = np.asarray(trees._baseline_prediction, np.float64).reshape(-1)  # noqa: SLF001
        if binary:
            baseline = np.concatenate([[0.0], baseline])
        return cls(
            table("feature_idx", np.int64),
            table("num_threshold", np.float64),
            table("left", np.int64),
            table("right", np.int64),
            table("is_leaf", np.bool_),
            table("value", np.float64),
            np.array([k for k, _ in nodes], np.int64),
            baseline,
            sample_rate,
        )

    def scores(self, features: np.ndarray) -> np.ndarray:
        """Scores [n, classes] of feature rows [n, FEATURES] (finite)."""
        n, trees = len(features), np.arange(len(self.tree_class))[None]
        node = np.zeros((n, len(self.tree_class)), np.int64)
        rows = np.arange(n)[:, None]
        for _ in range(self.feature.shape[1]):  # no path is longer than a tree has nodes
            at_leaf = self.leaf[trees, node]
            if at_leaf.all():
                break
            go_left = features[rows, self.feature[trees, node]] <= self.threshold[trees, node]
            child = np.where(go_left, self.left[trees, node], self.right[trees, node])
            node = np.where(at_leaf, node, child)
        owner = np.eye(self.classes)[self.tree_class]  # [trees, classes]: whose score it adds to
        return self.baseline + self.value[trees, node] @ owner

    def predict(self, audio: np.ndarray) -> np.ndarray:
        """Class ids [n] of sounds [n, samples] at the head's rate."""
        if len(audio) == 0:
            return np.zeros(0, np.int32)
        return np.argmax(self.scores(head_features(audio, self.sample_rate)), axis=1).astype(
            np.int32
        )

    def save(self, path: Path) -> None:
        arrays = {f: getattr(self, f) for f in _FIELDS}
        with path.open("wb") as f:
            np.savez(f, sample_rate=np.int64(self.sample_rate), **arrays)

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> ClassHead:
        """Reads what `save` wrote. Raises ClassHeadError for any other file."""
        name = Path(path).name
        try:
            with np.load(path, allow_pickle=False) as d:
                head = cls(*(d[f] for f in _FIELDS), sample_rate=int(d["sample_rate"]))
        except (OSError, ValueError, KeyError) as err:
            raise ClassHeadError(f"{name} is not a readable class head: {err}") from err
        shape = head.feature.shape
        if (
            any(getattr(head, f).shape != shape for f in ("threshold", "left", "right", "leaf",
                                                          "value"))
            or head.tree_class.shape != shape[:1]
            or not len(head.baseline)
            or np.any((head.left < 0) | (head.left >= shape[1]) | (head.right < 0)
                      | (head.right >= shape[1]))
            or np.any((head.tree_class < 0) | (head.tree_class >= len(head.baseline)))
            or np.any((head.feature < 0) | (head.feature >= FEATURES))
        ):  # fmt: skip
            raise ClassHeadError(f"{name} holds inconsistent trees")
        return head
