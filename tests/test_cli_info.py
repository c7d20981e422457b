"""`drumsynth info` shows what the artifact records of its training, not the run's plans."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from click.testing import CliRunner

from oscserver import cli


def test_info_shows_the_shipped_step_not_the_planned_one(tiny_model: Path, tmp_path: Path) -> None:
    model = tmp_path / "m"
    shutil.copytree(tiny_model, model)
    manifest = json.loads((model / "manifest.json").read_text())
    manifest["training"] = {"gan_steps": 5750, "train": {"steps": 30000, "batch": 16},
                            "encoder_steps": 2000}  # fmt: skip
    (model / "manifest.json").write_text(json.dumps(manifest))
    result = CliRunner().invoke(cli.main, ["info", "--model", str(model)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert any(line.startswith("gan steps") and "5,750" in line for line in lines), lines
    assert any(line.startswith("gan settings") and "batch 16" in line for line in lines), lines
    assert any(line.startswith("encoder_steps") and "2000" in line for line in lines), lines
    assert "30000" not in result.output and "30,000" not in result.output


def test_info_names_an_autoencoder_and_its_fitted_mapping(tiny_model: Path, tmp_path: Path) -> None:
    model = tmp_path / "m"
    shutil.copytree(tiny_model, model)
    manifest = json.loads((model / "manifest.json").read_text())
    manifest["training"] = {
        "gan_steps": 3000,
        "train": {"steps": 3000, "batch": 16, "adv_weight": 0.0, "recon_weight": 1.0},
        "mapping_fit": {"config": {"steps": 3000, "batch": 128}, "drums": {"kick": 133},
                        "energy": {"step": 3000, "kick": 0.0826}},
        "class_head": {"kick": 0.902, "hat": 0.864},
    }  # fmt: skip
    (model / "manifest.json").write_text(json.dumps(manifest))
    result = CliRunner().invoke(cli.main, ["info", "--model", str(model)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert any(line.startswith("autoencoder steps") and "3,000" in line for line in lines), lines
    assert not any(line.startswith("gan") for line in lines), lines
    fit = next(line for line in lines if line.startswith("mapping fit"))
    assert "batch 128" in fit and "kick 133" in fit and "kick 0.083" in fit
    assert any(line.startswith("class head ") and "trees" in line for line in lines), lines
    head = next(line for line in lines if line.startswith("class head fit"))
    assert "kick 0.90, hat 0.86" in head
