"""Synthesis network: per-layer styles -> control frames -> differentiable drum synthesiser.

A learned constant is upsampled x2 per block through style-modulated convolutions with
per-layer noise; a final modulated 1x1 convolution gives the synthesiser's controls (partials
with amplitude and pitch trajectories, the gains of noise bands, log-spaced or one a bin, and,
where the config has them, two decay envelopes), which DrumSynth renders to audio. The controls
run at sample_rate / hop (345 Hz by default), so the network is small and fast; the audio rate
work is sines (their phases in closed form within each control frame) and one inverse STFT.
"""

from __future__ import annotations

import keras

from oscserver.model.config import ModelConfig
from oscserver.model.layers import (
    DrumSynth,
    LearnedConstant,
    ModulatedConv1D,
    NoiseChannel,
    NoiseInjection,
    StyleIndex,
)


def build_synthesis(config: ModelConfig) -> keras.Model:
    """Builds the synthesis network.

    Inputs:
        ws: [batch, num_ws, w_dim], one style per modulated layer (equal rows unless mixing).
        layer_noise: [batch, control_frames, num_noise], per-layer noise (standard normal).
        synth_noise: [batch, control_frames + 1, noise_bins, 2], the synthesiser's noise spectra.

    Output: audio [batch, frames] float32.
    """
    f = config.control_frames
    ws = keras.Input(shape=(config.num_ws, config.w_dim), name="ws")
    layer_noise = keras.Input(shape=(f, config.num_noise), name="layer_noise")
    synth_noise = keras.Input(shape=(f + 1, config.noise_bins, 2), name="synth_noise")

    x = LearnedConstant(config.const_frames, config.channels[0], name="const")(ws)
    style = 0
    for block, ch in enumerate(config.channels):
        if block > 0:
            x = keras.layers.UpSampling1D(2, name=f"up{block}")(x)
        for conv in range(2):
            w = StyleIndex(style, name=f"style{style}")(ws)
            x = ModulatedConv1D(ch, config.kernel, name=f"b{block}_conv{conv}")([x, w])
            n = NoiseChannel(style, name=f"noise{style}")(layer_noise)
            x = NoiseInjection(name=f"b{block}_noise{conv}")([x, n])
            x = keras.layers.LeakyReLU(0.2)(x)
            style += 1
    w = StyleIndex(style, name=f"style{style}")(ws)
    controls = ModulatedConv1D(
        config.num_controls,
        1,
        demodulate=False,
        bias_init=-3.0,  # start near silence: the sound grows where the data asks for it
        name="to_controls",
    )([x, w])
    audio = DrumSynth(
        config.sample_rate,
        config.hop,
        config.partials,
        config.noise_bands,
        config.n_fft_noise,
        config.min_hz,
        config.max_hz,
        envelopes=config.envelopes,
        noise_spacing=config.noise_spacing,
        name="drum_synth",
    )([controls, synth_noise])
    return keras.Model([ws, layer_noise, synth_noise], audio, name="synthesis")


def split_synthesis(synthesis: keras.Model) -> tuple[keras.Model, keras.layers.Layer]:
    """The synthesis network in its two halves, sharing its weights.

    Returns:
        The network up to the synthesiser's controls, (ws, layer_noise) -> controls
        [batch, control_frames, num_controls] (unbounded), and the DrumSynth layer,
        (controls, synth_noise) -> audio. The second after the first is the whole network.
    """
    ws, layer_noise, _ = synthesis.inputs
    to_controls = keras.Model(
        [ws, layer_noise], synthesis.get_layer("to_controls").output, name="to_controls"
    )
    return to_controls, synthesis.get_layer("drum_synth")
