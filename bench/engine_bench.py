"""Engine benchmark: the in-process DrumEngine, without OSC, files or the server.

Measures median and p99 latency (time.perf_counter, after warm-up) of: one sound from a seed
(mapping + synthesis), a batch of 16 latents (`engine.render` on [16, w_dim]), a 30-step path,
inversion without refinement and with `--refine` steps; for a model with a class head, the two
parts of its work in every inversion (its features of one sound, and the walk of its trees);
and the batch-16 throughput in sounds and samples per second. Compares one sound with the
original model's figure from docs/facts.md (~190 ms per 16384-sample drum on this 2-core CPU;
a reference figure, not re-measured here).

    python bench/engine_bench.py                                # the shipped model
    python bench/engine_bench.py --model /tmp/tinymodel --calls 20 --json
    python bench/engine_bench.py --random-default /tmp/fullsize # default architecture, random
                                                                # weights (built once; timing only)

Targets on a 2-core CPU: one sound median <= 10 ms, 30-step path <= 150 ms, inversion without
refinement <= 20 ms. `--check` exits 1 when one is missed.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402

from oscserver.engine import DrumEngine, default_model_path  # noqa: E402

#: The original model (style-drumsynth) with random weights on this 2-core CPU, from
#: docs/facts.md: a reference figure, not measured by this script.
REFERENCE_MS = 190.0
REFERENCE_FRAMES = 16384
TARGETS_MS = {"seed": 10.0, "path30": 150.0, "invert": 20.0}
FULL_SIZE_CLASSES = ("kick", "snare", "hat", "tom", "cymbal")


def build_random_default(folder: Path) -> Path:
    """A model of the default architecture with random weights and a quick PCA, for timing.

    Reused when `folder` already holds one. Its sounds are noise; its speed is the real one.
    """
    if (folder / "manifest.json").is_file():
        return folder
    from oscserver.model.artifact import save_artifact
    from oscserver.model.config import ModelConfig
    from oscserver.model.encoder import build_encoder
    from oscserver.model.generator import Generator
    from oscserver.training.pca import fit_pca

    config = ModelConfig(classes=FULL_SIZE_CLASSES)
    gen = Generator.build(config)
    pca = fit_pca(gen, samples=2000)
    return save_artifact(folder, config, gen, build_encoder(config), pca,
                         extra={"recipe": "random weights (benchmark only)"})  # fmt: skip


def measure(fn: Callable[[int], Any], calls: int, warmup: int) -> dict[str, float]:
    """Runs fn(i) `warmup` times, then times `calls` runs: median and p99 in ms."""
    for i in range(warmup):
        fn(i)
    times = []
    for i in range(calls):
        t = time.perf_counter()
        fn(warmup + i)
        times.append((time.perf_counter() - t) * 1000.0)
    a = np.asarray(times)
    return {"calls": calls, "median_ms": float(np.median(a)), "p99_ms": float(np.percentile(a, 99))}


def run(model: Path, calls: int, warmup: int, refine: int, refine_calls: int) -> dict[str, Any]:
    """Loads the engine and measures every case; returns the figures."""
    t = time.perf_counter()
    engine = DrumEngine.load(model)
    load_s = time.perf_counter() - t
    classes = engine.classes
    rng = np.random.default_rng(0)
    means = np.stack([engine.class_mean(c) for c in classes])
    batch = (means[rng.integers(0, len(classes), 16)]
             + 0.5 * rng.standard_normal((16, engine.w_dim))).astype(np.float32)  # fmt: skip
    a, b = engine.seed_latent(1, classes[0]), engine.seed_latent(2, classes[-1])
    source = engine.generate(7, classes[min(1, len(classes) - 1)]).audio

    cases = {
        "seed": measure(lambda i: engine.generate(i, classes[i % len(classes)]), calls, warmup),
        "batch16": measure(lambda i: engine.render(batch), calls, warmup),
        "path30": measure(lambda i: engine.path([a, b], 30), calls, warmup),
        "invert": measure(lambda i: engine.invert(source, engine.sample_rate), calls, warmup),
        f"invert_refine{refine}": measure(
            lambda i: engine.invert(source, engine.sample_rate, refine),
            min(calls, refine_calls), min(warmup, 2),
        ),
    }  # fmt: skip
    head = engine.artifact.class_head
    if head is not None:
        from oscserver.model.class_head import head_features

        prepared = engine.prepare(source, engine.sample_rate)[None]
        features = head_features(prepared, engine.sample_rate)
        cases["head_features"] = measure(
            lambda i: head_features(prepared, engine.sample_rate), calls, warmup
        )
        cases["head_trees"] = measure(lambda i: head.scores(features), calls, warmup)
    for name, target in TARGETS_MS.items():
        cases[name]["target_ms"] = target
    sounds_per_s = 16.0 / (cases["batch16"]["median_ms"] / 1000.0)
    seed_ms = cases["seed"]["median_ms"]
    return {
        "model": engine.name,
        "device": engine.device,
        "cpus": os.cpu_count(),
        "sample_rate": engine.sample_rate,
        "frames": engine.frames,
        "load_s": load_s,
        "cases": cases,
        "sounds_per_s": sounds_per_s,
        "samples_per_s": sounds_per_s * engine.frames,
        "realtime_x": sounds_per_s * engine.frames / engine.sample_rate,
        "reference_ms": REFERENCE_MS,
        "reference_frames": REFERENCE_FRAMES,
        "speedup_per_sound": REFERENCE_MS / seed_ms,
        "speedup_per_sample": (REFERENCE_MS / REFERENCE_FRAMES) / (seed_ms / engine.frames),
    }


def print_table(r: dict[str, Any]) -> bool:
    """Prints the figures; returns whether every target is met."""
    print(f"model {r['model']} on {r['device']} ({r['cpus']} CPUs), {r['frames']} frames at "
          f"{r['sample_rate']} Hz; load + warm-up {r['load_s']:.2f} s")  # fmt: skip
    labels = {
        "seed": "one sound (seed)",
        "batch16": "batch of 16 (render)",
        "path30": "path, 30 steps",
        "invert": "invert, no refinement",
        "head_features": "class head: features",
        "head_trees": "class head: trees",
    }
    print(f"{'case':26s} {'calls':>5s} {'median ms':>10s} {'p99 ms':>9s} {'target ms':>10s}  ok")
    met = True
    for key, c in r["cases"].items():
        label = labels.get(key, key.replace("invert_refine", "invert, refine "))
        target = c.get("target_ms")
        ok = target is None or c["median_ms"] <= target
        met &= ok
        tgt = f"<= {target:g}" if target is not None else "-"
        mark = ("yes" if ok else "NO") if target is not None else ""
        print(f"{label:26s} {c['calls']:5d} {c['median_ms']:10.2f} {c['p99_ms']:9.2f} "
              f"{tgt:>10s}  {mark}")  # fmt: skip
    print(
        f"throughput (batch 16): {r['sounds_per_s']:.1f} sounds/s, "
        f"{r['samples_per_s'] / 1e6:.2f} M samples/s, {r['realtime_x']:.0f}x real time"
    )
    print(f"reference (docs/facts.md, original model, not re-measured): {r['reference_ms']:.0f} "
          f"ms per {r['reference_frames']}-sample drum; one sound here is "
          f"{r['speedup_per_sound']:.1f}x faster per sound, {r['speedup_per_sample']:.1f}x per "
          "sample")  # fmt: skip
    return met


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=None, help="artifact (default: shipped)")
    parser.add_argument(
        "--random-default",
        type=Path,
        default=None,
        metavar="DIR",
        help="build (once) and time a random-weight default-architecture model",
    )
    parser.add_argument("--calls", type=int, default=100, help="timed calls per case")
    parser.add_argument("--warmup", type=int, default=10, help="untimed calls first")
    parser.add_argument("--refine", type=int, default=50, help="refinement steps of that case")
    parser.add_argument("--refine-calls", type=int, default=20, help="timed calls of that case")
    parser.add_argument("--json", action="store_true", help="also print the figures as JSON")
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args()  # fmt: skip
    if args.random_default is not None:
        model = build_random_default(args.random_default)
    else:
        model = args.model if args.model is not None else default_model_path()
    if not Path(model, "manifest.json").is_file():
        print(f"no model at {model}: pass --model or --random-default DIR", file=sys.stderr)
        return 2
    results = run(model, args.calls, args.warmup, args.refine, args.refine_calls)
    met = print_table(results)
    if args.json:
        print(json.dumps(results))
    return 1 if args.check and not met else 0


if __name__ == "__main__":
    sys.exit(main())
