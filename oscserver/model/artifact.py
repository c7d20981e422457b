"""The model artifact: one folder holding everything inference needs, validated on load.

Layout of a model folder:
    manifest.json              format version, model name, sha256 of every other file
    config.json                the resolved ModelConfig
    mapping.weights.h5         weights only (no pickled code), moving-average generator
    synthesis.weights.h5
    encoder.weights.h5
    pca.npz                    per class: mean w, components, std per axis, explained variance
    class_head.npz             optional: the class head (model/class_head.py); without it the
                               encoder's own head names inverted sounds
    residual_head.weights.h5   optional: the residual head (model/residual_head.py); without it
                               an inversion without refinement is of w alone
An optional file is part of the model when the manifest lists it.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import keras
import numpy as np

from oscserver.model.class_head import CLASS_HEAD_FILE, ClassHead, ClassHeadError
from oscserver.model.config import ModelConfig
from oscserver.model.encoder import build_encoder
from oscserver.model.generator import Generator
from oscserver.model.residual_head import RESIDUAL_HEAD_FILE, build_residual_head

FORMAT_VERSION = "1"
WEIGHT_FILES = ("mapping.weights.h5", "synthesis.weights.h5", "encoder.weights.h5")
DATA_FILES = ("config.json", "pca.npz", *WEIGHT_FILES)
#: Files a model may have; each is part of it when the manifest lists it.
OPTIONAL_FILES = (CLASS_HEAD_FILE, RESIDUAL_HEAD_FILE)


class ArtifactError(ValueError):
    """A model folder is missing, incomplete, corrupted or of an unknown format."""


@dataclass(frozen=True)
class ClassPCA:
    """Principal axes of W for one class."""

    mean: np.ndarray  # [w_dim] mean w of the class (the truncation centre)
    components: np.ndarray  # [k, w_dim] orthonormal axes, most variance first
    std: np.ndarray  # [k] standard deviation of w along each axis
    explained: np.ndarray  # [k] fraction of the class's variance along each axis

    def __post_init__(self) -> None:
        k, w_dim = self.components.shape
        if self.mean.shape != (w_dim,) or self.std.shape != (k,) or self.explained.shape != (k,):
            raise ValueError(
                f"inconsistent PCA shapes: mean {self.mean.shape}, components "
                f"{self.components.shape}, std {self.std.shape}, explained {self.explained.shape}"
            )


@dataclass
class Artifact:
    """A loaded model: config, networks with weights, PCA statistics."""

    name: str  # the folder's name
    config: ModelConfig  # resolved configuration
    generator: Generator  # moving-average mapping + synthesis
    encoder: keras.Model  # audio -> w
    pca: dict[str, ClassPCA]  # per class
    manifest: dict[str, Any]  # the manifest as read
    class_head: ClassHead | None = None  # names inverted sounds; None: the encoder's head does
    #: (audio, controls) -> the residual an inversion adds to w's controls; None: none
    residual_head: keras.Model | None = None

    @property
    def pca_axes(self) -> int:
        return int(next(iter(self.pca.values())).components.shape[0])


def save_pca(pca: dict[str, ClassPCA], path: Path) -> None:
    """Writes per-class PCA statistics as one .npz, keys `<class>/<field>`."""
    arrays: dict[str, np.ndarray] = {}
    for cls, p in pca.items():
        for key in ("mean", "components", "std", "explained"):
            arrays[f"{cls}/{key}"] = getattr(p, key)
    np.savez(path, **arrays)  # type: ignore[arg-type]  # numpy's stub types **kwds as bool


def read_pca(path: Path, classes: tuple[str, ...]) -> dict[str, ClassPCA]:
    """Reads what save_pca wrote, for `classes`. Raises KeyError or ValueError on bad data."""
    with np.load(path) as d:
        return {
            c: ClassPCA(
                *(
                    d[f"{c}/{k}"].astype(np.float32)
                    for k in ("mean", "components", "std", "explained")
                )
            )
            for c in classes
        }


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def save_artifact(
    folder: Path,
    config: ModelConfig,
    generator: Generator,
    encoder: keras.Model,
    pca: dict[str, ClassPCA],
    extra: dict[str, Any] | None = None,
    class_head: ClassHead | None = None,
    residual_head: keras.Model | None = None,
) -> Path:
    """Writes a model folder (to a temporary sibling, then moved into place)."""
    if class_head is not None and class_head.classes != len(config.classes):
        raise ValueError(
            f"the class head names {class_head.classes} classes, the model has "
            f"{len(config.classes)}"
        )
    missing = [c for c in config.classes if c not in pca]
    if missing:
        raise ValueError(f"PCA statistics missing for class(es): {', '.join(missing)}")
    tmp = folder.with_name(folder.name + ".partial")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    (tmp / "config.json").write_text(json.dumps(config.to_json(), indent=1))
    generator.mapping.save_weights(tmp / "mapping.weights.h5")
    generator.synthesis.save_weights(tmp / "synthesis.weights.h5")
    encoder.save_weights(tmp / "encoder.weights.h5")
    save_pca(pca, tmp / "pca.npz")
    files = DATA_FILES
    if class_head is not None:
        class_head.save(tmp / CLASS_HEAD_FILE)
        files = (*files, CLASS_HEAD_FILE)
    if residual_head is not None:
        residual_head.save_weights(tmp / RESIDUAL_HEAD_FILE)
        files = (*files, RESIDUAL_HEAD_FILE)
    manifest = {
        "format_version": FORMAT_VERSION,
        "name": folder.name,
        "checksums": {f: sha256(tmp / f) for f in files},
        **(extra or {}),
    }
    (tmp / "manifest.json").write_text(json.dumps(manifest, indent=1))
    # Keep files that are not part of the artifact (model card, examples) across a rewrite.
    if folder.exists():
        for f in ("manifest.json", *DATA_FILES, *OPTIONAL_FILES):
            (folder / f).unlink(missing_ok=True)
    folder.mkdir(parents=True, exist_ok=True)
    for moved in tmp.iterdir():
        os.replace(moved, folder / moved.name)
    tmp.rmdir()
    return folder


def _read_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text())
    except (OSError, json.JSONDecodeError) as err:
        raise ArtifactError(f"{path.name} is not valid JSON: {err}") from err
    if not isinstance(data, dict):
        raise ArtifactError(f"{path.name} must hold a JSON object")
    return data


def load_artifact(folder: str | os.PathLike[str]) -> Artifact:
    """Loads and validates a model folder.

    Raises:
        ArtifactError: naming the missing file, checksum mismatch, unknown version or bad data.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise ArtifactError(f"model folder not found: {folder}")
    for f in ("manifest.json", *DATA_FILES):
        if not (folder / f).is_file():
            raise ArtifactError(f"model {folder.name} is missing {f}")
    manifest = _read_json(folder / "manifest.json")
    version = manifest.get("format_version")
    if version != FORMAT_VERSION:
        raise ArtifactError(
            f"model {folder.name} has unknown format version {version!r} "
            f"(this drumsynth reads version {FORMAT_VERSION})"
        )
    checksums = manifest.get("checksums", {})
    # an optional file is checked when the manifest lists it: a model without one is complete
    listed = tuple(f for f in OPTIONAL_FILES if f in checksums)
    for f in listed:
        if not (folder / f).is_file():
            raise ArtifactError(f"model {folder.name} is missing {f}")
    for f in (*DATA_FILES, *listed):
        if checksums.get(f) != sha256(folder / f):
            raise ArtifactError(
                f"model {folder.name}: checksum mismatch for {f} (file changed or corrupt)"
            )
    try:
        config = ModelConfig.from_json(_read_json(folder / "config.json"))
    except (TypeError, ValueError) as err:
        raise ArtifactError(f"model {folder.name}: bad config.json: {err}") from err
    generator = Generator.build(config)
    encoder = build_encoder(config)
    try:
        generator.mapping.load_weights(folder / "mapping.weights.h5")
        generator.synthesis.load_weights(folder / "synthesis.weights.h5")
        encoder.load_weights(folder / "encoder.weights.h5")
    except (ValueError, OSError) as err:
        raise ArtifactError(
            f"model {folder.name}: weights do not match config.json: {err}"
        ) from err
    try:
        pca = read_pca(folder / "pca.npz", config.classes)
    except (KeyError, ValueError) as err:
        raise ArtifactError(f"model {folder.name}: bad pca.npz: {err}") from err
    if pca[config.classes[0]].mean.shape != (config.w_dim,):
        raise ArtifactError(f"model {folder.name}: PCA dimension does not match w_dim")
    class_head = None
    if CLASS_HEAD_FILE in listed:
        try:
            class_head = ClassHead.load(folder / CLASS_HEAD_FILE)
        except ClassHeadError as err:
            raise ArtifactError(f"model {folder.name}: {err}") from err
        if (
            class_head.classes != len(config.classes)
            or class_head.sample_rate != config.sample_rate
        ):
            raise ArtifactError(
                f"model {folder.name}: {CLASS_HEAD_FILE} names {class_head.classes} classes at "
                f"{class_head.sample_rate} Hz, config.json {len(config.classes)} at "
                f"{config.sample_rate} Hz"
            )
    residual_head = None
    if RESIDUAL_HEAD_FILE in listed:
        residual_head = build_residual_head(config)
        try:
            residual_head.load_weights(folder / RESIDUAL_HEAD_FILE)
        except (ValueError, OSError) as err:
            raise ArtifactError(
                f"model {folder.name}: {RESIDUAL_HEAD_FILE} does not match config.json: {err}"
            ) from err
    return Artifact(
        folder.name, config, generator, encoder, pca, manifest, class_head, residual_head
    )


def attach_residual_head(
    folder: str | os.PathLike[str], weights: Path, info: dict[str, Any]
) -> Path:
    """Puts a trained residual head's weights into a model folder, listed in its manifest with
    `info` (under "residual_head"), replacing any head it had. The rest of the folder is not
    rewritten.

    The weights are checked against the model's config first (ArtifactError if they do not
    fit). The file, then the manifest, are each written beside and renamed into place.
    """
    folder = Path(folder)
    artifact = load_artifact(folder)
    try:
        build_residual_head(artifact.config).load_weights(weights)
    except (ValueError, OSError) as err:
        raise ArtifactError(f"{weights} is not a residual head of {folder.name}: {err}") from err
    tmp = folder / (RESIDUAL_HEAD_FILE + ".partial")
    shutil.copyfile(weights, tmp)
    manifest = dict(artifact.manifest)
    manifest["checksums"] = {**manifest["checksums"], RESIDUAL_HEAD_FILE: sha256(tmp)}
    manifest["residual_head"] = info
    os.replace(tmp, folder / RESIDUAL_HEAD_FILE)
    tmp_manifest = folder / "manifest.json.partial"
    tmp_manifest.write_text(json.dumps(manifest, indent=1))
    os.replace(tmp_manifest, folder / "manifest.json")
    return folder / RESIDUAL_HEAD_FILE
