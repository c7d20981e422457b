"""Opening a model: one function, the engine's own error, and no TensorFlow before it."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from oscserver.engine import ModelError, open_model


def test_engine_files_and_limits_import_without_tensorflow() -> None:
    code = (
        "import oscserver.engine, oscserver.engine.files, oscserver.engine.latent, "
        "oscserver.limits, sys; assert 'tensorflow' not in sys.modules, 'tensorflow'; "
        "assert 'keras' not in sys.modules, 'keras'"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_a_missing_model_is_a_model_error_before_tensorflow(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match=f"no model at {tmp_path / 'nope'}"):
        open_model(tmp_path / "nope")
    assert issubclass(ModelError, ValueError)


def test_a_broken_model_is_a_model_error_naming_what_is_wrong(
    tiny_model: Path, tmp_path: Path
) -> None:
    broken = Path(shutil.copytree(tiny_model, tmp_path / "broken"))
    (broken / "manifest.json").write_text("{ not json")
    says = f"cannot load the model at {broken}: manifest.json is not valid JSON"
    with pytest.raises(ModelError, match=says):
        open_model(broken, warmup=False)


def test_open_model_opens_the_engine(tiny_model: Path) -> None:
    engine = open_model(tiny_model, warmup=False)
    assert engine.generate(1, engine.classes[0]).audio.shape == (engine.frames,)
