"""How good is a model, class by class: features, measures, a typed report, the run.

Layers: `features` and `measures` are pure functions of audio and feature vectors; `report`
holds the typed figures and the targets; `run` drives the engine over a dataset and writes
report.json and the figures. Only the command line imports this package.
"""
