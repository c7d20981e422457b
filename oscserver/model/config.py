"""The resolved configuration of a drum model: everything needed to rebuild its networks."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

#: Classes of the default recipe; a model's own list always comes from its config.
DEFAULT_CLASSES: tuple[str, ...] = ("kick", "snare", "hat")
#: How the synthesiser's noise gains are spread over frequency (layers.noise_band_matrix).
NOISE_SPACINGS: tuple[str, ...] = ("log", "linear")


@dataclass(frozen=True)
class ModelConfig:
    """Dimensions and architecture of the mapping, synthesis and encoder networks."""

    classes: tuple[str, ...] = DEFAULT_CLASSES  # drum classes, index = class id
    sample_rate: int = 44100  # output rate in Hz
    frames: int = 32768  # samples per sound (0.74 s at 44.1 kHz)
    z_dim: int = 128  # input noise dimension
    w_dim: int = 128  # style space dimension
    mapping_layers: int = 4  # dense layers of the mapping network
    mapping_units: int = 256  # width of the mapping network
    hop: int = 128  # samples per control frame of the synthesiser
    const_frames: int = 4  # length of the learned constant the synthesis starts from
    channels: tuple[int, ...] = (256, 256, 192, 160, 128, 128, 96)  # per resolution, coarse first
    kernel: int = 5  # convolution width of the synthesis network
    partials: int = 8  # damped sinusoids with pitch trajectories
    noise_bands: int = 64  # gains shaping the filtered noise, spaced by noise_spacing
    noise_spacing: str = "log"  # "log" from 20 Hz, or "linear" (one gain a bin at n_fft_noise)
    envelopes: int = 0  # decay envelopes: 0 (none) or 2 (partials, noise; drums-v2): see DrumSynth
    min_hz: float = 30.0  # lowest partial frequency
    max_hz: float = 14000.0  # highest partial frequency
    n_fft_noise: int = 256  # STFT size of the noise filter (hop = `hop`)
    mel_fft: int = 1024  # STFT size of the discriminator and encoder features
    mel_hop: int = 256  # their hop
    mel_bands: int = 64  # their mel bands
    disc_channels: tuple[int, ...] = (32, 64, 128, 128)  # discriminator conv widths
    enc_channels: tuple[int, ...] = (32, 64, 128, 192, 256)  # encoder conv widths
    extra: dict[str, Any] = field(default_factory=dict)  # free-form notes (not architecture)

    def __post_init__(self) -> None:
        if len(self.classes) < 1 or len(set(self.classes)) != len(self.classes):
            raise ValueError(f"classes must be unique and non-empty, got {self.classes}")
        if self.envelopes not in (0, 2):
            raise ValueError(f"envelopes must be 0 or 2, got {self.envelopes}")
        if self.noise_spacing not in NOISE_SPACINGS:
            known = ", ".join(NOISE_SPACINGS)
            raise ValueError(f"noise_spacing must be one of {known}, got {self.noise_spacing}")
        if self.control_frames * self.hop != self.frames:
            raise ValueError(
                f"frames ({self.frames}) must equal const_frames * 2**(len(channels)-1) * hop"
            )

    @property
    def control_frames(self) -> int:
        """Frames of the control signal at the synthesis network's last resolution."""
        return self.const_frames * 2 ** (len(self.channels) - 1)

    @property
    def num_ws(self) -> int:
        """Number of per-layer style inputs: two convolutions per block and the output head."""
        return 2 * len(self.channels) + 1

    @property
    def num_controls(self) -> int:
        """Control channels the synthesis network gives the synthesiser per frame."""
        return 2 * self.partials + self.noise_bands + self.envelopes

    @property
    def num_noise(self) -> int:
        """Number of per-layer noise inputs (one per modulated convolution)."""
        return 2 * len(self.channels)

    @property
    def noise_bins(self) -> int:
        return self.n_fft_noise // 2 + 1

    def to_json(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        data["classes"] = list(self.classes)
        data["channels"] = list(self.channels)
        data["disc_channels"] = list(self.disc_channels)
        data["enc_channels"] = list(self.enc_channels)
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ModelConfig:
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ValueError(f"unknown config keys: {', '.join(unknown)}")
        kwargs = dict(data)
        for key in ("classes", "channels", "disc_channels", "enc_channels"):
            if key in kwargs:
                kwargs[key] = tuple(kwargs[key])
        return cls(**kwargs)


def tiny_config(classes: tuple[str, ...] = DEFAULT_CLASSES) -> ModelConfig:
    """A small configuration for tests: same architecture, fewer channels, 8192 frames."""
    return ModelConfig(
        classes=classes,
        frames=8192,
        z_dim=32,
        w_dim=32,
        mapping_layers=2,
        mapping_units=64,
        hop=128,
        const_frames=8,
        channels=(32, 32, 24, 16),
        partials=4,
        noise_bands=16,
        envelopes=2,
        mel_fft=512,
        mel_hop=128,
        mel_bands=32,
        disc_channels=(8, 16, 16),
        enc_channels=(8, 16, 16),
    )


def default_config(classes: tuple[str, ...] = DEFAULT_CLASSES) -> ModelConfig:
    """The shipped architecture: 32768 samples at 44.1 kHz, with decay envelopes."""
    return ModelConfig(classes=classes, envelopes=2)


def fine_config(classes: tuple[str, ...] = DEFAULT_CLASSES) -> ModelConfig:
    """The shipped architecture with a noise gain for every bin of the noise filter (129, 172 Hz
    apart) instead of 64 log-spaced ones, which leave 14 gains above 5 kHz, where hats and
    cymbals live (trained and judged in MODEL_CARD.md, "Levers tried on the seventh release's
    networks")."""
    return ModelConfig(classes=classes, envelopes=2, noise_bands=129, noise_spacing="linear")


def no_envelopes_config(classes: tuple[str, ...] = DEFAULT_CLASSES) -> ModelConfig:
    """The shipped architecture without decay envelopes (as drums-v2 was first trained)."""
    return ModelConfig(classes=classes, envelopes=0)


#: Named architectures, for `drumsynth dataset/train --arch`.
ARCHITECTURES = {
    "default": default_config,
    "tiny": tiny_config,
    "no-envelopes": no_envelopes_config,
    "fine": fine_config,
}
