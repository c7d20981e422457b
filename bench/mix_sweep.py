"""Style-mixing sweep: which of a model's styled layers carry which property of its sounds.

For `--pairs` pairs of seeds (A, B) in each class (the pairs furthest apart in W among
`CANDIDATES` x pairs seeds, so that A and B differ enough to see what moves), renders the style
mix at every split from 0
(every layer styled by B) to num_ws (every layer by A): layers 0 to split - 1 take A's style,
as `/drum/mix slot A B split` does. Each sound is measured five ways (`MEASURES`), and for each
span of layers (one synthesis block of two modulated convolutions, then the last layer, which
styles the 1x1 convolution into the synthesiser's controls) it reports the share of the change
from B's value to A's that happens when that span takes A's styles:

    share(span) = sum over pairs of sign(A - B) * (m(split after span) - m(split before span))
                  / sum over pairs of |A - B|

The shares of a class add up to 1 for each measure; a span with a share near 0 does not move that
property, one above 1 or below 0 overshoots (the mixed sound leaves the range between A and B).
Also the half-way split: the first split at which the pooled measure has come half the way from
B's value to A's (layers 0 to half - 1 from A). Where A and B differ by less than `MIN_DIFF` on
average, the shares are noise and are shown in parentheses.

Prints the tables of docs/style-mixing.md and writes `<out>/mix_sweep.json` (the seeds, every
measure of every sound, the shares) and `<out>/style_mixing.png` (log-mel spectrograms of the
first pair of each class, the furthest apart, at every split: B on the left, A on the right).
Deterministic: the seeds are 0 to CANDIDATES x pairs - 1 in every class.

    python bench/mix_sweep.py --pairs 12 --out models/drums-v2/evaluation   # docs/style-mixing.md
    python bench/mix_sweep.py --model runs/x/model --pairs 3 --out /tmp/sweep
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402
from PIL import Image  # noqa: E402
from scipy.signal import find_peaks  # noqa: E402

from oscserver.audio.features import SHAPE_NAMES, shape_features  # noqa: E402
from oscserver.engine import open_model  # noqa: E402
from oscserver.engine.latent import mix_styles  # noqa: E402
from oscserver.training.samples import spectrogram_grid  # noqa: E402

#: What is measured of each sound: name -> (unit, what it is). The shares of `low_pitch` are
#: taken in semitones, the others in their unit.
MEASURES = {
    "decay20": ("s", "decay from the peak to -20 dB"),
    "centroid": ("kHz", "spectral centroid of the first 30 ms after the peak (the hit)"),
    "flatness": ("0-1", "spectral flatness 30-100 ms after the peak: 1 noise, near 0 tonal"),
    "tail": ("dB", "level from 0.3 s after the peak on, under the peak"),
    "low_pitch": ("Hz", "lowest spectral peak within 30 dB of the strongest, first 150 ms"),
}
#: Columns of `shape_features` behind the first four measures.
SHAPE_COLUMNS = {
    "decay20": "decay20_s",
    "centroid": "centroid_khz_attack",
    "flatness": "flatness_early",
    "tail": "level_db_tail",
}
#: Mean |A - B| below which a measure's shares are noise (in the units the shares are taken in).
MIN_DIFF = {"decay20": 0.02, "centroid": 0.1, "flatness": 0.02, "tail": 3.0, "low_pitch": 1.0}
#: A mix "rings" when its tail is more than this many dB above both its parents' tails.
RING_DB = 3.0
#: Seeds drawn per pair wanted; the pairs are the ones furthest apart in W among them.
CANDIDATES = 4
#: The lowest partial: seconds of sound after the peak, FFT size (zero-padded), dB range.
LOW_SECONDS, LOW_FFT, LOW_DB = 0.15, 16384, 30.0


def lowest_partial_hz(audio: np.ndarray, sample_rate: int) -> np.ndarray:
    """The frequency of the lowest spectral peak (above 20 Hz) within LOW_DB of the strongest,
    over the first LOW_SECONDS after each sound's peak sample: audio [n, samples] -> [n] Hz."""
    span = int(LOW_SECONDS * sample_rate)
    freqs = np.fft.rfftfreq(LOW_FFT, 1.0 / sample_rate)
    out = np.empty(len(audio))
    for i, x in enumerate(np.asarray(audio, np.float64)):
        start = int(np.argmax(np.abs(x)))
        seg = x[start : start + span]
        mag = np.abs(np.fft.rfft(seg * np.hanning(seg.size), LOW_FFT))
        db = 20.0 * np.log10(np.maximum(mag / max(mag.max(), 1e-12), 1e-9))
        peaks, _ = find_peaks(db, height=-LOW_DB, prominence=6.0)
        peaks = peaks[freqs[peaks] > 20.0]
        out[i] = freqs[peaks[0]] if peaks.size else float("nan")
    return out


def measure(audio: np.ndarray, sample_rate: int) -> dict[str, np.ndarray]:
    """Every measure of sounds [n, samples]: name -> [n]."""
    shape = shape_features(audio, sample_rate)
    out = {name: shape[:, SHAPE_NAMES.index(col)] for name, col in SHAPE_COLUMNS.items()}
    out["low_pitch"] = lowest_partial_hz(audio, sample_rate)
    return out


def far_pairs(latents: np.ndarray, pairs: int) -> list[tuple[int, int]]:
    """Indices of `pairs` disjoint pairs of latents [n, w_dim], furthest apart first (greedy)."""
    d = np.linalg.norm(latents[:, None] - latents[None], axis=-1)
    order = np.dstack(np.unravel_index(np.argsort(-d, axis=None), d.shape))[0]
    used: set[int] = set()
    out = []
    for i, j in order:
        if i < j and i not in used and j not in used:
            out.append((int(i), int(j)))
            used |= {int(i), int(j)}
            if len(out) == pairs:
                break
    return out


def spans(num_ws: int) -> list[tuple[str, int, int]]:
    """(label, first layer, end layer) of each block's two layers, then the last layer."""
    blocks = (num_ws - 1) // 2
    out = [(f"block {b} (layers {2 * b}-{2 * b + 1})", 2 * b, 2 * b + 2) for b in range(blocks)]
    return [*out, (f"controls (layer {num_ws - 1})", num_ws - 1, num_ws)]


def shares(values: np.ndarray, bounds: list[tuple[str, int, int]]) -> dict[str, Any]:
    """Shares of each span in the change from B to A pooled over pairs, the half-way split and
    the mean |A - B|.

    Args:
        values: [pairs, num_ws + 1], the measure at split 0 (all B) to num_ws (all A).
    """
    ok = np.all(np.isfinite(values), axis=1)
    v = values[ok]
    diff = v[:, -1] - v[:, 0]
    total = np.abs(diff).sum()
    if not ok.any() or total <= 0:
        return {"shares": [float("nan")] * len(bounds), "half": None, "mean_abs_diff": 0.0}
    moved = np.sign(diff)[:, None] * (v - v[:, :1])  # [pairs, splits], toward A
    position = moved.sum(axis=0) / total  # 0 at split 0, 1 at num_ws
    return {
        "shares": [float(position[hi] - position[lo]) for _, lo, hi in bounds],
        "half": int(np.argmax(position >= 0.5)),
        "mean_abs_diff": float(np.abs(diff).mean()),
    }


def sweep(model: Path | None, pairs: int, out: Path) -> dict[str, Any]:
    """Renders and measures the sweep; writes the JSON, the tables and the figure."""
    engine = open_model(model, warmup=False)
    num_ws, sr = engine.num_ws, engine.sample_rate
    bounds = spans(num_ws)
    results: dict[str, Any] = {"model": engine.name, "num_ws": num_ws, "pairs": pairs,
                               "spans": [b[0] for b in bounds], "classes": {}}  # fmt: skip
    figure, labels = [], []
    began = time.perf_counter()
    for cls in engine.classes:
        per_pair: dict[str, list[np.ndarray]] = {name: [] for name in MEASURES}
        seeds = list(range(CANDIDATES * pairs))
        latents = np.stack([engine.seed_latent(seed, cls) for seed in seeds])
        chosen = far_pairs(latents, pairs)
        for p, (i, j) in enumerate(chosen):
            a, b = latents[i], latents[j]
            styles = np.stack([mix_styles(a, b, num_ws, split) for split in range(num_ws + 1)])
            audio = np.asarray(engine.render_styles(styles).audio)
            for name, values in measure(audio, sr).items():
                per_pair[name].append(values)
            if p == 0:
                figure.append(audio)
                labels += [f"{cls} {'B' if s == 0 else 'A' if s == num_ws else s}"
                           for s in range(num_ws + 1)]  # fmt: skip
        entry: dict[str, Any] = {"seeds": [[seeds[i], seeds[j]] for i, j in chosen]}
        for name, rows in per_pair.items():
            values = np.stack(rows)  # [pairs, num_ws + 1]
            scaled = 12.0 * np.log2(values) if name == "low_pitch" else values
            entry[name] = {"values": values.round(4).tolist(), **shares(scaled, bounds)}
        results["classes"][cls] = entry
        print(f"{cls}: {pairs} pairs x {num_ws + 1} splits", file=sys.stderr)
    results["seconds"] = round(time.perf_counter() - began, 1)
    out.mkdir(parents=True, exist_ok=True)
    png = spectrogram_grid(np.concatenate(figure), labels, sr, out / "style_mixing.png",
                           cols=num_ws + 1)  # fmt: skip
    with Image.open(png) as image:  # 256 colours: a quarter of the bytes, the same picture
        image.convert("RGB").quantize(256).save(png, optimize=True)
    (out / "mix_sweep.json").write_text(json.dumps(results, indent=1) + "\n")
    return results


def tables(results: dict[str, Any]) -> str:
    """The half-way splits (a row per class, a column per measure), then one table per measure:
    a row per span, a column per class, shares in % (in parentheses where A and B differ by
    less than MIN_DIFF)."""
    classes = list(results["classes"])
    names = list(MEASURES)
    lines = ["| class | " + " | ".join(names) + " |", "|---|" + "---:|" * len(names)]
    for c in classes:
        cells = []
        for name in names:
            m = results["classes"][c][name]
            half = "-" if m["half"] is None else str(m["half"])
            cells.append(half if m["mean_abs_diff"] >= MIN_DIFF[name] else f"({half})")
        lines.append(f"| {c} | " + " | ".join(cells) + " |")
    lines.append("")
    for name, (unit, what) in MEASURES.items():
        scale = "semitones" if name == "low_pitch" else unit
        lines += [f"**{name}** ({what}; shares of the change in {scale})", "",
                  "| span | " + " | ".join(classes) + " |",
                  "|---|" + "---:|" * len(classes)]  # fmt: skip
        for i, span in enumerate(results["spans"]):
            text = []
            for c in classes:
                m = results["classes"][c][name]
                x = m["shares"][i]
                cell = "-" if not np.isfinite(x) else f"{100 * x:.0f}%"
                text.append(cell if m["mean_abs_diff"] >= MIN_DIFF[name] else f"({cell})")
            lines.append(f"| {span} | " + " | ".join(text) + " |")
        diffs = [results["classes"][c][name]["mean_abs_diff"] for c in classes]
        lines += [f"| mean \\|A - B\\| ({scale}) | " + " | ".join(f"{d:.3g}" for d in diffs)
                  + " |", ""]  # fmt: skip
    return "\n".join(lines)


def rings(results: dict[str, Any]) -> str:
    """One line: per class, the pairs whose mix at the default split (`/drum/mix` without a
    split: num_ws // 2) rings louder than both parents, by the tail measure."""
    split = results["num_ws"] // 2
    counts = []
    for c, entry in results["classes"].items():
        tail = np.asarray(entry["tail"]["values"])  # [pairs, num_ws + 1]
        louder = tail[:, split] > np.maximum(tail[:, 0], tail[:, -1]) + RING_DB
        counts.append(f"{c} {int(louder.sum())}/{len(tail)}")
    return f"rings (tail > {RING_DB:g} dB above both parents) at split {split}: " + ", ".join(
        counts
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=None, help="artifact (default: shipped)")
    parser.add_argument("--pairs", type=int, default=12, help="pairs of seeds per class")
    parser.add_argument("--out", type=Path, default=Path("mix-sweep"), help="output folder")
    args = parser.parse_args()
    if args.pairs < 1:
        parser.error("--pairs must be at least 1")
    results = sweep(args.model, args.pairs, args.out)
    print(tables(results))
    print(rings(results))
    print(f"{results['seconds']} s; wrote {args.out}/mix_sweep.json and style_mixing.png")
    return 0


if __name__ == "__main__":
    sys.exit(main())
