"""drumsynth-osc: a style-based drum GAN served over OSC."""

__version__ = "0.1.0"
