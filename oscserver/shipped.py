"""The shipped model: its name, and where it lies in a checkout and in an installed wheel.

`DEFAULT_MODEL` names a folder under the repository's `models/`. An editable install reads that
folder in place; building a wheel copies its top-level files (weights, config, PCA, manifest,
model card; not `evaluation/` or `examples/`) into the package as `oscserver/_models/<name>/`
(see `setup.py`), found with `importlib.resources`. No TensorFlow here: `setup.py` reads this
file, and the CLI asks for the path before the heavy imports.
"""

from __future__ import annotations

import os
from importlib.resources import files
from pathlib import Path

#: The model `serve`, the render commands and `info` use without --model; a folder of `models/`.
DEFAULT_MODEL = "drums-v2"
#: Folder of the package that holds the shipped model in a wheel.
PACKAGED_MODELS = "_models"


def packaged_model_path(name: str = DEFAULT_MODEL) -> Path:
    """The model inside the installed package (present in a wheel, absent in a checkout)."""
    return Path(str(files("oscserver") / PACKAGED_MODELS / name))


def checkout_model_path(name: str = DEFAULT_MODEL) -> Path:
    """The model in the source checkout's `models/` (an editable install)."""
    return Path(__file__).resolve().parents[1] / "models" / name


def default_model_path() -> Path:
    """$DRUMSYNTH_MODEL, else the shipped model from the wheel, else from the checkout.

    When neither holds it, the path named in the caller's "no model at" error is the checkout's
    in a checkout (a `models/` folder beside the package), else the packaged one.
    """
    env = os.environ.get("DRUMSYNTH_MODEL")
    if env:
        return Path(env)
    packaged = packaged_model_path()
    if (packaged / "manifest.json").is_file():
        return packaged
    checkout = checkout_model_path()
    return checkout if checkout.parent.is_dir() else packaged
