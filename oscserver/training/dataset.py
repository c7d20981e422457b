"""Building a training set of one-shots from Hydrogen drum kits, soundfont renders and folders.

Each sound is resampled to the model rate, mixed to mono, aligned to its onset, cut at its
natural decay, cut or padded to the model length with a short fade-out, and peak-normalised.
Sounds that come out (nearly) the same as an earlier one of their class are dropped: kits and
velocity layers share samples. Train and test are split by instrument (the velocity layers of
one drum never straddle the split), or by whole source when test sources are named, so the test
set is a library never trained on. Pitch-shifted copies are added to the training split only.
"""

from __future__ import annotations

import hashlib
import json
import re
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from oscserver.audio.dsp import ONE_SHOT_DECAY_DB, log_mel, normalize_peak, prepare_one_shot
from oscserver.audio.io import AudioReadError, read_mono, resample

#: Keywords (matched as words in instrument, folder or file names) that name each class.
CLASS_KEYWORDS: dict[str, tuple[str, ...]] = {
    "kick": ("kick", "bd", "bassdrum", "bass drum", "kik", "bass"),
    "snare": ("snare", "sd", "snr", "rimshot", "sn"),
    "hat": ("hat", "hh", "hihat", "hi-hat", "hi hat", "ohh", "chh", "hats"),
    "openhat": ("ohh", "openhat"),
    "clap": ("clap", "handclap", "claps"),
    "tom": ("tom", "toms", "floor tom"),
    "cymbal": ("crash", "ride", "splash", "china", "cymbal", "cym"),
}
#: Words that make a hat (or a hi-hat "cymbal") an open one, and a cymbal a closed hat. Kits
#: abbreviate ("Hat Op Dirty"), join ("Semiopen") and name the playing ("Hat Swish": opened and
#: closed by the foot; "Hi Hat Free": left loose): every one of those rings for 0.3-0.7 s like an
#: open hat, where closed and pedal hats are over in 0.05-0.3 s (the drums-v2 data).
OPEN_WORDS = ("open", "opened", "ohh", "op", "semiopen", "swish", "free")
CLOSED_WORDS = ("closed", "pedal", "foot")
AUDIO_SUFFIXES = (".wav", ".flac", ".aif", ".aiff", ".ogg")


@dataclass(frozen=True)
class Library:
    """A folder of one-shots shipped by a Debian package, read by file name."""

    path: Path  # where the package installs it
    licence: str  # licence of its samples (from the package's copyright file)
    include: str  # regular expression the file names of its one-shots match


#: Sample folders of Debian packages that scripts/install-kits.sh installs; a root that is one
#: of them takes its licence and reads only its drum one-shots (not loops, basses or synths).
LIBRARIES: dict[str, Library] = {
    "lmms": Library(
        Path("/usr/share/lmms/samples/drums"),
        "GPL-2+ (lmms-common)",
        r"^(bassdrum|kick|snare|hihat|tom|crash|ride|clap)",
    ),
    "sonic-pi": Library(
        Path("/usr/share/sonic-pi/samples"),
        "CC0 (sonic-pi-samples, from freesound.org)",
        r"^(drum_(bass|cymbal|heavy|snare|splash|tom)|bd_|sn_|elec_\w*(kick|snare|cymbal|tom))",
    ),
}


@dataclass(frozen=True)
class Source:
    """One file of one instrument."""

    path: Path  # the audio file
    cls: str  # its drum class
    group: str  # the instrument it belongs to (kit/instrument): the unit of the split
    licence: str  # licence of the kit or folder it came from
    source: str = ""  # the library or kit it came from (a whole source can be held out)


def _has_word(text: str, words: Iterable[str]) -> bool:
    return any(f" {w} " in text for w in words)


def classify(name: str, classes: Sequence[str]) -> str | None:
    """The class whose keyword appears as a word in `name`, or None.

    Hi-hats named open ("Hat Open", "hihat_opened", "ohh") are `openhat` when that class is
    wanted; cymbals named closed or pedal (a hi-hat's two cymbals) are `hat`.
    """
    spaced = re.sub(r"(?<=[a-z])(?=[0-9])|(?<=[0-9])(?=[a-z])", " ", name.lower())
    text = " " + re.sub(r"[^a-z0-9]+", " ", spaced) + " "
    cls = None
    for candidate in classes:
        if candidate != "openhat" and _has_word(text, CLASS_KEYWORDS.get(candidate, (candidate,))):
            cls = candidate
            break
    if cls == "cymbal" and "hat" in classes and _has_word(text, CLOSED_WORDS):
        cls = "hat"
    if (
        "openhat" in classes
        and _has_word(text, OPEN_WORDS)
        and (cls in ("hat", "cymbal") or _has_word(text, CLASS_KEYWORDS["openhat"]))
    ):
        cls = "openhat"
    return cls


def _text(node: ET.Element, tag: str) -> str:
    found = node.find(tag)
    return (found.text or "").strip() if found is not None else ""


def hydrogen_sources(kit_dir: Path, classes: Sequence[str]) -> list[Source]:
    """Sources of one Hydrogen kit, classed by its drumkit.xml instrument names."""
    root = ET.parse(kit_dir / "drumkit.xml").getroot()
    for el in root.iter():  # drop the XML namespace
        el.tag = el.tag.split("}")[-1]
    licence = _text(root, "license") or "see the kit's copyright"
    out: list[Source] = []
    for inst in root.iter("instrument"):
        name = _text(inst, "name")
        cls = classify(name, classes)
        if cls is None:
            continue
        # Velocity layers; kits of the older format (HardElectro1, Millo-Drums_v.1,
        # rumpf_kit_z01_h2) name one file on the instrument itself. Sorted: which layer stands
        # for its near-copies must not depend on hashing.
        layers = {_text(layer, "filename") for layer in inst.iter("layer")} - {""}
        for fname in sorted(layers or {_text(inst, "filename")} - {""}):
            path = kit_dir / fname
            if path.is_file():
                source = f"hydrogen/{kit_dir.name}"
                out.append(Source(path, cls, f"{kit_dir.name}/{name}", licence, source))
    return out


def folder_sources(
    folder: Path, classes: Sequence[str], licence: str, include: str = "", source: str = ""
) -> list[Source]:
    """Sources of a plain folder tree: the class from the folder or file name.

    Each file is its own instrument unless its name ends in a velocity-like number, which is
    stripped to form the group. Only files whose name matches `include` are read.
    """
    out = []
    for path in sorted(folder.rglob("*")):
        if path.suffix.lower() not in AUDIO_SUFFIXES or not re.search(include, path.name):
            continue
        rel = path.relative_to(folder)
        cls = classify(path.stem, classes) or classify(str(rel.parent), classes)
        if cls is None:
            continue
        group = re.sub(r"[\s_-]*\d+$", "", str(rel.with_suffix("")))
        out.append(Source(path, cls, f"{folder.name}/{group}", licence, source or folder.name))
    return out


def manifest_sources(folder: Path, classes: Sequence[str]) -> list[Source]:
    """Sources listed by a manifest.json (soundfont renders): class, group, source, licence."""
    rows = json.loads((folder / "manifest.json").read_text())
    return [
        Source(folder / r["path"], r["class"], r["group"], r["licence"], r["source"])
        for r in rows
        if r["class"] in classes
    ]


def find_sources(roots: Iterable[Path], classes: Sequence[str]) -> list[Source]:
    """Hydrogen kits (any folder with drumkit.xml), soundfont renders (a folder with
    manifest.json), the Debian sample libraries of LIBRARIES, and plain folders under each root.

    A file whose bytes equal an earlier file's (kits share samples) is left out, so no sound
    can stand in both the training and the test split.
    """
    sources: list[Source] = []
    for root in roots:
        kits = sorted(p.parent for p in root.rglob("drumkit.xml"))
        library = next(
            (name for name, lib in LIBRARIES.items() if lib.path.resolve() == root.resolve()), None
        )
        for kit in kits:
            sources.extend(hydrogen_sources(kit, classes))
        if kits:
            continue
        if (root / "manifest.json").is_file():
            sources.extend(manifest_sources(root, classes))
        elif library is not None:
            lib = LIBRARIES[library]
            sources.extend(folder_sources(root, classes, lib.licence, lib.include, library))
        else:
            sources.extend(folder_sources(root, classes, licence="unknown (plain folder)"))
    seen: set[str] = set()
    unique = []
    for s in sources:
        digest = hashlib.sha256(s.path.read_bytes()).hexdigest()
        if digest not in seen:
            seen.add(digest)
            unique.append(s)
    return unique


def split_groups(
    sources: Sequence[Source],
    test_fraction: float,
    rng: np.random.Generator,
    test_sources: Sequence[str] = (),
) -> set[str]:
    """Picks test instruments: every group of a source that starts with one of `test_sources`
    when any are named, else about `test_fraction` of each class's groups at random."""
    if test_sources:
        return {s.group for s in sources if s.source.startswith(tuple(test_sources))}
    test: set[str] = set()
    by_class: dict[str, list[str]] = {}
    for s in sources:
        by_class.setdefault(s.cls, [])
        if s.group not in by_class[s.cls]:
            by_class[s.cls].append(s.group)
    for groups in by_class.values():
        order = rng.permutation(len(groups))
        n = max(1, round(len(groups) * test_fraction)) if len(groups) > 1 else 0
        test.update(groups[i] for i in order[:n])
    return test


def fingerprint(audio: np.ndarray, sample_rate: int) -> np.ndarray:
    """A coarse log-mel spectrogram in dB, floored 80 dB below its peak: [frames, 32].

    Two renders of one sample (velocity layers, kits sharing samples) come out within a
    fraction of a dB of each other once peak-normalised; different drums are many dB apart.
    """
    db = log_mel(audio, sample_rate, n_fft=2048, hop=1024, n_mels=32) * (20.0 / np.log(10.0))
    return np.maximum(db, db.max() - 80.0)


def _one_shot(audio: np.ndarray, frames: int) -> np.ndarray:
    """A training sound: from its onset, cut at its natural decay, fitted, peak-normalised."""
    return normalize_peak(prepare_one_shot(audio, frames, decay_db=ONE_SHOT_DECAY_DB))


#: Pitch shifts (semitones) of the copies `drumsynth dataset` adds of every training drum.
PITCH_SHIFTS = (-2.0, -1.0, 1.0, 2.0)


def pitch_shift(audio: np.ndarray, semitones: float) -> np.ndarray:
    """Shifts pitch and duration together by resampling (a tape-speed change)."""
    ratio = 2.0 ** (semitones / 12.0)
    return resample(audio, int(round(44100 * ratio)), 44100)


def build_dataset(
    roots: Sequence[Path],
    out: Path,
    *,
    classes: Sequence[str],
    sample_rate: int,
    frames: int,
    test_fraction: float = 0.15,
    shifts: Sequence[float] = PITCH_SHIFTS,
    seed: int = 0,
    min_per_class: int = 8,
    test_sources: Sequence[str] = (),
    duplicate_db: float = 1.0,
    on_step: Callable[[int, int], None] | None = None,
) -> dict[str, object]:
    """Builds `out` (an .npz) and `out`.json (sources, licences, counts).

    The npz holds audio [n, frames] float32, class_id [n], split [n] (0 train, 1 test),
    group [n] (index into groups), augmented [n] (1 for pitch-shifted copies), classes.

    Args:
        test_sources: Hold these sources out whole (prefixes of Source.source, e.g.
            "timgm6mb" or "hydrogen/GMRockKit") instead of a random share of instruments.
        duplicate_db: A sound whose coarse log-mel spectrogram is within this mean distance (dB)
            of an earlier sound of its class is a duplicate and left out.
        on_step: Told (files read, files found) before each file and once all are read.

    Returns:
        The summary written to the JSON file.

    Raises:
        ValueError: no sources, or a class with fewer than `min_per_class` files.
    """
    rng = np.random.default_rng(seed)
    sources = find_sources([Path(r) for r in roots], classes)
    counts = Counter(s.cls for s in sources)
    missing = [c for c in classes if counts[c] < min_per_class]
    if missing:
        raise ValueError(
            "too few sounds for class(es) "
            + ", ".join(f"{c} ({counts[c]})" for c in missing)
            + f"; need {min_per_class} each"
        )
    test_groups = split_groups(sources, test_fraction, rng, test_sources)
    groups = sorted({s.group for s in sources})
    audio, cls_ids, split, group_ids, augmented, used = [], [], [], [], [], []
    prints: dict[str, list[np.ndarray]] = {c: [] for c in classes}
    duplicates = 0
    # Training sources first, so that a sound shared by a test kit stays out of the test set.
    order = sorted(sources, key=lambda s: s.group in test_groups)
    for done, s in enumerate(order):
        if on_step is not None:
            on_step(done, len(order))
        try:
            raw = read_mono(s.path, sample_rate)
        except AudioReadError:
            continue
        sound = _one_shot(raw, frames)
        fp = fingerprint(sound, sample_rate)
        if any(np.mean(np.abs(fp - other)) < duplicate_db for other in prints[s.cls]):
            duplicates += 1
            continue
        prints[s.cls].append(fp)
        is_test = s.group in test_groups
        variants = [0.0] if is_test else [0.0, *shifts]
        for shift in variants:
            y = _one_shot(pitch_shift(raw, shift), frames) if shift else sound  # fingerprinted
            if not np.any(y):
                continue
            audio.append(y)
            cls_ids.append(list(classes).index(s.cls))
            split.append(int(is_test))
            group_ids.append(groups.index(s.group))
            augmented.append(int(shift != 0.0))
        used.append(s)
    if on_step is not None:
        on_step(len(order), len(order))
    out.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(
        out,
        audio=np.stack(audio),
        class_id=np.array(cls_ids, np.int32),
        split=np.array(split, np.int8),
        group=np.array(group_ids, np.int32),
        augmented=np.array(augmented, np.int8),
        classes=np.array(list(classes)),
        sample_rate=np.array(sample_rate),
    )
    summary: dict[str, object] = {
        "classes": list(classes),
        "sample_rate": sample_rate,
        "frames": frames,
        "files": {c: sum(1 for s in used if s.cls == c) for c in classes},
        "test_files": {
            c: sum(1 for s in used if s.cls == c and s.group in test_groups) for c in classes
        },
        "examples": len(audio),
        "duplicates_dropped": duplicates,
        "test_sources": list(test_sources),
        "pitch_shifts": list(shifts),
        "licences": dict(Counter(s.licence for s in used)),
        "sources": [
            {
                "path": str(s.path),
                "class": s.cls,
                "group": s.group,
                "licence": s.licence,
                "source": s.source,
                "split": "test" if s.group in test_groups else "train",
            }
            for s in used
        ],
    }
    out.with_suffix(".json").write_text(json.dumps(summary, indent=1))
    return summary


@dataclass(frozen=True)
class Dataset:
    """A built dataset, loaded."""

    audio: np.ndarray  # [n, frames] float32
    class_id: np.ndarray  # [n] int32
    split: np.ndarray  # [n] 0 train, 1 test
    group: np.ndarray  # [n] instrument index
    augmented: np.ndarray  # [n] 1 for pitch-shifted copies
    classes: tuple[str, ...]  # class names, index = class_id
    sample_rate: int  # Hz

    @classmethod
    def load(cls, path: Path) -> Dataset:
        """Reads a dataset `drumsynth dataset` built, or one `pack` wrote (its pitch-shifted
        copies made again)."""
        with np.load(path) as d:
            packed = "audio_scale" in d
            audio = (
                d["audio"].astype(np.float32) * float(d["audio_scale"]) if packed else d["audio"]
            )
            data = cls(
                audio,
                d["class_id"],
                d["split"],
                d["group"],
                d["augmented"],
                tuple(str(c) for c in d["classes"]),
                int(d["sample_rate"]),
            )
            return data.with_shifted_copies(tuple(d["pitch_shifts"])) if packed else data

    @staticmethod
    def classes_in(path: Path) -> tuple[str, ...]:
        """A dataset file's class names, read without its audio."""
        with np.load(path) as d:
            return tuple(str(c) for c in d["classes"])

    def pack(self, out: Path) -> Path:
        """Writes the training drums, without their pitch-shifted copies, as 16-bit samples,
        compressed: small enough to carry to a lent machine (the shipped data: 248 MB -> 20 MB).

        `load` makes the copies again (PITCH_SHIFTS), from the packed drums rather than from
        the source files, so they differ from `drumsynth dataset`'s by the cut at the decay.
        """
        train = self.subset((self.split == 0) & (self.augmented == 0))
        scale = max(float(np.max(np.abs(train.audio), initial=0.0)), 1e-9) / 32767.0
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = out.with_name(out.name + ".partial.npz")
        np.savez_compressed(
            tmp,
            audio=np.round(train.audio / scale).astype(np.int16),
            audio_scale=np.float64(scale),
            pitch_shifts=np.array(PITCH_SHIFTS),
            class_id=train.class_id,
            split=train.split,
            group=train.group,
            augmented=train.augmented,
            classes=np.array(list(self.classes)),
            sample_rate=np.array(self.sample_rate),
        )
        tmp.replace(out)
        return out

    def with_shifted_copies(self, shifts: Sequence[float]) -> Dataset:
        """This dataset and a pitch-shifted copy of each training drum per shift."""
        rows = np.flatnonzero((self.split == 0) & (self.augmented == 0))
        frames = self.audio.shape[1]
        copies, of = [], []
        for i in rows:
            for shift in shifts:
                y = _one_shot(pitch_shift(self.audio[i], shift), frames)
                if np.any(y):
                    copies.append(y)
                    of.append(i)
        if not copies:
            return self
        of_rows = np.array(of)
        return Dataset(
            np.concatenate([self.audio, np.stack(copies).astype(np.float32)]),
            np.concatenate([self.class_id, self.class_id[of_rows]]),
            np.concatenate([self.split, self.split[of_rows]]),
            np.concatenate([self.group, self.group[of_rows]]),
            np.concatenate([self.augmented, np.ones(len(of_rows), self.augmented.dtype)]),
            self.classes,
            self.sample_rate,
        )

    def subset(self, mask: np.ndarray) -> Dataset:
        return Dataset(
            self.audio[mask],
            self.class_id[mask],
            self.split[mask],
            self.group[mask],
            self.augmented[mask],
            self.classes,
            self.sample_rate,
        )

    @property
    def train(self) -> Dataset:
        return self.subset(self.split == 0)

    @property
    def test(self) -> Dataset:
        return self.subset(self.split == 1)
