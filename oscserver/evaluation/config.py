"""What an evaluation measures, and how much of it."""

from __future__ import annotations

from dataclasses import dataclass

from oscserver.limits import MAX_REFINE_STEPS


class EvaluationError(ValueError):
    """Inputs that cannot be evaluated: a missing file, or a model and dataset that differ."""


@dataclass(frozen=True)
class EvalConfig:
    """What to measure, and how much of it."""

    per_class: int = 64  # generated sounds per class: seeds 0 .. per_class - 1
    psi: float = 1.0  # truncation of generated sounds and of best-of-N candidates
    invert_count: int = 40  # most held-out test sounds inverted per class (encoder only)
    refine_count: int = 8  # of those, how many are also inverted with refinement (slow)
    refine_steps: int = 50  # gradient steps after the encoder in the refined inversion
    best_of: int = 256  # random seeds of the true class the inversion is compared with
    noise_count: int = 128  # decaying noise bursts of the baseline
    seed: int = 0  # seeds the noise baseline and the choice of inverted sounds
    preview: int = 16  # sounds per class drawn in each spectrogram grid
    sweep_axes: int = 3  # PCA axes swept in the figures
    sweep_span: float = 3.0  # sweeps go from -span to +span standard deviations
    sweep_steps: int = 7  # sounds per sweep

    def __post_init__(self) -> None:
        if self.per_class < 2 or self.noise_count < 2:
            raise EvaluationError(
                f"per_class and noise_count must be at least 2, got {self.per_class} and "
                f"{self.noise_count}"
            )
        if not 0 <= self.refine_steps <= MAX_REFINE_STEPS:
            raise EvaluationError(
                f"refine_steps must be between 0 and {MAX_REFINE_STEPS}, got {self.refine_steps}"
            )
        if self.invert_count < 0 or self.refine_count < 0 or self.best_of < 1:
            raise EvaluationError("invert_count and refine_count must be >= 0, best_of >= 1")
        if not 0.0 <= self.psi <= 2.0:
            raise EvaluationError(f"psi must be between 0 and 2, got {self.psi}")
        if self.sweep_steps < 2 or self.sweep_axes < 0 or self.preview < 1:
            raise EvaluationError("sweep_steps must be >= 2, sweep_axes >= 0, preview >= 1")
