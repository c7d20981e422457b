"""The inference engine: a model artifact loaded once, rendering drums from latents."""

from oscserver.engine.engine import (
    MAX_PATH_STEPS,
    MAX_REFINE_STEPS,
    DrumEngine,
    Render,
)
from oscserver.shipped import default_model_path

__all__ = ["MAX_PATH_STEPS", "MAX_REFINE_STEPS", "DrumEngine", "Render", "default_model_path"]
