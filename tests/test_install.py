"""The package as a user installs it: a built wheel, in a fresh venv, run from another folder.

The wheel must carry the shipped model (oscserver.shipped.DEFAULT_MODEL) and nothing of the
checkout may be needed. The fresh venv borrows this environment's installed dependencies through
a .pth line (`pip install --no-deps`), so no TensorFlow is downloaded; it sees neither the
checkout nor its editable install.
"""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest
import soundfile as sf

from oscserver.shipped import DEFAULT_MODEL, PACKAGED_MODELS

ROOT = Path(__file__).resolve().parents[1]
MAX_WHEEL_BYTES = 60_000_000


def run(cmd: list[str], cwd: Path, env: dict[str, str] | None = None) -> str:
    """Runs a command; fails the test with its output when it exits non-zero."""
    done = subprocess.run(
        cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=300, check=False
    )
    output = done.stdout + done.stderr
    assert done.returncode == 0, f"{' '.join(cmd)} exited {done.returncode}:\n{output[-4000:]}"
    return output


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """The wheel built from the checkout, and pip's build output."""
    if not (ROOT / "models" / DEFAULT_MODEL / "manifest.json").is_file():
        pytest.skip(f"no models/{DEFAULT_MODEL} in this checkout")
    out = tmp_path_factory.mktemp("dist")
    cmd = [sys.executable, "-m", "pip", "wheel", "--no-deps", "-v", "-w", str(out), str(ROOT)]
    log = run(cmd, cwd=out)
    (path,) = out.glob("drumsynth_osc-*.whl")
    return path, log


def test_wheel_carries_the_default_model_only(wheel: tuple[Path, str]) -> None:
    path, log = wheel
    assert path.stat().st_size < MAX_WHEEL_BYTES, f"{path.stat().st_size:,} bytes"
    with zipfile.ZipFile(path) as z:
        names = set(z.namelist())
        metadata = z.read(next(n for n in names if n.endswith(".dist-info/METADATA"))).decode()
    prefix = f"oscserver/{PACKAGED_MODELS}/{DEFAULT_MODEL}/"
    model_files = {n[len(prefix) :] for n in names if n.startswith(prefix)}
    shipped = {p.name for p in (ROOT / "models" / DEFAULT_MODEL).iterdir() if p.is_file()}
    assert model_files == shipped
    assert not [n for n in names if n.startswith(f"oscserver/{PACKAGED_MODELS}/") and
                not n.startswith(prefix)]  # fmt: skip
    assert "License-Expression: GPL-2.0-or-later" in metadata
    # one TensorFlow: the full wheel, whose [and-cuda] extra the gpu extra names
    requires = [
        line for line in metadata.splitlines() if line.startswith("Requires-Dist: tensorflow")
    ]
    assert [r.split(";")[0].split("<")[0].split(">")[0] for r in requires] == [
        "Requires-Dist: tensorflow",
        "Requires-Dist: tensorflow[and-cuda]",
    ], requires
    assert "Deprecat" not in log, "setuptools printed a deprecation warning"


def test_installed_wheel_renders_outside_the_checkout(
    wheel: tuple[Path, str], tmp_path: Path
) -> None:
    path, _ = wheel
    # nothing of the caller's: no PYTHONPATH (a checkout on it would count as installed)
    env = {k: v for k, v in os.environ.items() if k not in {"DRUMSYNTH_MODEL", "PYTHONPATH"}}
    env["KERAS_HOME"] = str(tmp_path / "keras")
    venv = tmp_path / "venv"
    run([sys.executable, "-m", "venv", "--without-pip", str(venv)], cwd=tmp_path, env=env)
    python = venv / "bin" / "python"
    purelib = run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                  cwd=tmp_path, env=env).strip()  # fmt: skip
    # appended after the venv's own site-packages: the installed oscserver comes first
    (Path(purelib) / "borrowed-deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    pip = [sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps"]
    run([*pip, "--no-index", str(path)], cwd=tmp_path, env=env)

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    where = run([str(python), "-c", "from oscserver.shipped import default_model_path as d; "
                 "import oscserver; print(d()); print(oscserver.__file__)"],
                cwd=elsewhere, env=env).split()  # fmt: skip
    assert all(Path(p).is_relative_to(venv) for p in where), where

    drumsynth = str(venv / "bin" / "drumsynth")
    run([drumsynth, "generate", "-c", "kick", "-s", "7", "-o", "kick.wav"], cwd=elsewhere, env=env)
    audio, rate = sf.read(elsewhere / "kick.wav")
    assert rate == 44100 and audio.ndim == 1 and len(audio) > 10000
    assert 0.5 < abs(audio).max() <= 1.0


def test_checkout_default_is_the_named_model(monkeypatch: pytest.MonkeyPatch) -> None:
    from oscserver.shipped import default_model_path

    monkeypatch.delenv("DRUMSYNTH_MODEL", raising=False)
    assert default_model_path() == ROOT / "models" / DEFAULT_MODEL
    monkeypatch.setenv("DRUMSYNTH_MODEL", "/elsewhere/m")
    assert default_model_path() == Path("/elsewhere/m")
