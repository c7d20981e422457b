"""Speed of the candidate synthesis architectures, measured the same way on this machine.

A: the shipped one: style-modulated control network (345 frames/s) driving the differentiable
   drum synthesiser (partials + filtered noise).
B: a direct waveform generator in the style of the original model, made fast: a learned
   constant, 7 blocks of upsample x2 + modulated Conv1D k9, then a stride-16 transposed
   convolution to 32768 samples (the shape probed in docs/facts.md).
C: B with twice the channels.

Prints median and p99 ms for one sound and a batch of 16, and the parameter count.
Usage: python bench/arch_compare.py [--calls 50]
"""

from __future__ import annotations

import argparse
import time

import keras
import numpy as np
import tensorflow as tf

from oscserver.model.config import ModelConfig
from oscserver.model.generator import Generator
from oscserver.model.layers import LearnedConstant, ModulatedConv1D, StyleIndex


def waveform_generator(channels: tuple[int, ...], w_dim: int = 128) -> keras.Model:
    """B/C: w -> waveform through upsampling modulated convolutions and a transposed output."""
    ws = keras.Input(shape=(len(channels) + 1, w_dim))
    x = LearnedConstant(16, channels[0])(ws)
    for i, ch in enumerate(channels):
        x = keras.layers.UpSampling1D(2)(x)
        x = ModulatedConv1D(ch, 9)([x, StyleIndex(i)(ws)])
        x = keras.layers.LeakyReLU(0.2)(x)
    x = keras.layers.Conv1DTranspose(1, 32, strides=16, padding="same")(x)
    return keras.Model(ws, keras.layers.Reshape((-1,))(x))


def time_fn(fn, args, calls: int) -> tuple[float, float]:
    for _ in range(5):
        fn(*args)
    times = []
    for _ in range(calls):
        t = time.perf_counter()
        np.asarray(fn(*args))
        times.append((time.perf_counter() - t) * 1000)
    return float(np.median(times)), float(np.percentile(times, 99))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=50)
    args = parser.parse_args()
    rng = np.random.default_rng(0)

    config = ModelConfig(classes=("kick", "snare", "hat", "tom", "cymbal"))
    gen = Generator.build(config)
    rows = []
    for batch in (1, 16):
        layer, synth = gen.noise(rng, batch)
        ws = rng.standard_normal((batch, config.num_ws, config.w_dim)).astype(np.float32)
        fn = tf.function(lambda a, b, c: gen.synthesis([a, b, c], training=False))
        rows.append(
            (
                "A: control net + drum synthesiser",
                batch,
                gen.synthesis.count_params(),
                *time_fn(fn, (ws, layer, synth), args.calls),
            )
        )
    for name, channels in (
        ("B: waveform, transposed output", (256, 192, 128, 96, 64, 48, 32)),
        ("C: waveform, 2x channels", (512, 384, 256, 192, 128, 96, 64)),
    ):
        model = waveform_generator(channels)
        for batch in (1, 16):
            ws = rng.standard_normal((batch, len(channels) + 1, 128)).astype(np.float32)
            fn = tf.function(lambda a, m=model: m(a, training=False))
            out = fn(ws)
            assert out.shape[-1] == 32768, out.shape
            rows.append((name, batch, model.count_params(), *time_fn(fn, (ws,), args.calls)))
    print(f"{'architecture':36s} {'batch':>5s} {'params':>9s} {'median ms':>10s} {'p99 ms':>8s}")
    for name, batch, params, med, p99 in rows:
        print(f"{name:36s} {batch:5d} {params:9d} {med:10.1f} {p99:8.1f}")


if __name__ == "__main__":
    main()
