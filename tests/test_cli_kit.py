"""`drumsynth kit` and `drumsynth presets export/import`."""

import json
from pathlib import Path

import soundfile as sf
from click.testing import CliRunner

from oscserver.cli import main


def test_kit_writes_a_superdirt_bank(tiny_model: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main, ["kit", "--seed", "5", "-o", str(tmp_path / "bank"), "--model", str(tiny_model)]
    )
    assert result.exit_code == 0, result.output
    files = sorted(p.name for p in (tmp_path / "bank").iterdir())
    assert files == ["0.wav", "1.wav", "2.wav"]
    assert "class snare seed 5" in result.output
    assert sf.info(str(tmp_path / "bank" / "0.wav")).samplerate == 44100


def preset(cls: str) -> dict:
    return {"class": cls, "base": [0.5, 1.0], "latent": [0.25, 1.0], "offsets": [0.1]}


def test_presets_export_then_import_elsewhere(tmp_path: Path) -> None:
    here, there = tmp_path / "here", tmp_path / "there"
    here.mkdir()
    (here / "m.json").write_text(
        json.dumps({"format": 1, "model": "m", "presets": {"a": preset("kick")}})
    )
    model = ["--model", str(tmp_path / "m")]  # only its name is used
    runner = CliRunner()
    out = runner.invoke(main, ["presets", "export", str(tmp_path / "x.json"), "--presets",
                               str(here), *model])  # fmt: skip
    assert out.exit_code == 0, out.output
    out = runner.invoke(main, ["presets", "import", str(tmp_path / "x.json"), "--presets",
                               str(there), *model])  # fmt: skip
    assert out.exit_code == 0, out.output
    data = json.loads((there / "m.json").read_text())
    assert data["presets"]["a"]["latent"] == [0.25, 1.0] and data["model"] == "m"


def test_presets_import_refuses_a_bad_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"format": 1, "presets": {"../up": preset("kick")}}))
    out = CliRunner().invoke(
        main, ["presets", "import", str(bad), "--presets", str(tmp_path / "p")]
    )
    assert out.exit_code != 0 and "preset name" in out.output
    assert not (tmp_path / "p").exists()
