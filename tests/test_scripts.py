"""scripts/venv.sh runs pip only when something it reads changed; scripts/recipe.sh runs its
stages in order and resumes."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
#: Stands in for .venv/bin/python: logs each call, hashes with the real python, "pip show"
#: finds nothing, every other pip call succeeds without doing anything.
FAKE_PYTHON = """#!/bin/sh
echo "$*" >> "$(dirname "$0")/../calls.log"
case "$1" in -c) exec python3 "$@" ;; esac
case "$*" in *" show "*) exit 1 ;; esac
exit 0
"""


def venv_sh(tree: Path, *extras: str) -> tuple[str, list[str]]:
    """Runs the copied venv.sh; its output and the pip installs it made."""
    log = tree / ".venv" / "calls.log"
    log.unlink(missing_ok=True)
    done = subprocess.run(["sh", "scripts/venv.sh", *extras], cwd=tree, capture_output=True,
                          text=True, timeout=60, check=True)  # fmt: skip
    calls = log.read_text().splitlines() if log.exists() else []
    return done.stdout, [c for c in calls if c.startswith("-m pip install") and " -e " in c]


def test_pip_runs_only_when_something_changed(tmp_path: Path) -> None:
    (tmp_path / "scripts").mkdir()
    for name in ("scripts/venv.sh", "pyproject.toml", "setup.py"):
        shutil.copy(ROOT / name, tmp_path / name)
    python = tmp_path / ".venv" / "bin" / "python"
    python.parent.mkdir(parents=True)
    python.write_text(FAKE_PYTHON)
    python.chmod(0o755)

    assert venv_sh(tmp_path, "test")[1] == ["-m pip install --quiet -e .[test]"]
    out, installs = venv_sh(tmp_path, "test")
    assert installs == [] and "venv up to date" in out
    assert venv_sh(tmp_path)[1] == []  # the test extras include a plain install
    assert venv_sh(tmp_path, "gpu")[1] == ["-m pip install --quiet -e .[gpu]"]
    with (tmp_path / "pyproject.toml").open("a") as f:
        f.write("\n# changed\n")
    assert venv_sh(tmp_path)[1] == ["-m pip install --quiet -e ."]
    assert venv_sh(tmp_path, "test")[1] == ["-m pip install --quiet -e .[test]"]
    assert venv_sh(tmp_path, "test")[1] == []


#: Stands in for .venv/bin/drumsynth in the recipe: logs each call and writes what the call
#: would (the files the recipe tests to skip a finished step).
FAKE_DRUMSYNTH = r"""#!/bin/sh
echo "$*" >> calls.log
cmd="$1"; shift
case "$cmd" in
  render-soundfonts) mkdir -p data/renders && touch data/renders/manifest.json ;;
  dataset) mkdir -p data && touch data/drums.npz ;;
  train)  # an autoencoder run's checkpoint holds its encoder
    run=$(echo "$*" | sed 's/.*--run \([^ ]*\).*/\1/')
    mkdir -p "$run/checkpoint" && touch "$run/checkpoint/encoder.weights.h5" ;;
  fit-mapping) touch "$2/mapping.weights.h5" ;;
  fit-pca) touch "$2/pca.npz" ;;
  train-encoder) touch "$2/encoder.weights.h5" ;;
  fit-class-head) touch "$2/class_head.npz" ;;
esac
"""


def test_the_recipe_runs_its_stages_in_order_and_a_rerun_skips_what_is_done(
    tmp_path: Path,
) -> None:
    (tmp_path / "scripts").mkdir()
    shutil.copy(ROOT / "scripts/recipe.sh", tmp_path / "scripts/recipe.sh")
    for name in ("install-kits.sh", "venv.sh"):
        (tmp_path / "scripts" / name).write_text("#!/bin/sh\n")
    fake = tmp_path / ".venv" / "bin" / "drumsynth"
    fake.parent.mkdir(parents=True)
    fake.write_text(FAKE_DRUMSYNTH)
    fake.chmod(0o755)
    (tmp_path / "runs" / "main").mkdir(parents=True)

    def recipe() -> list[str]:
        log = tmp_path / "calls.log"
        log.unlink(missing_ok=True)
        subprocess.run(["sh", "scripts/recipe.sh"], cwd=tmp_path, check=True, timeout=60,
                       capture_output=True)  # fmt: skip
        return log.read_text().splitlines()

    first = recipe()
    assert [c.split()[0] for c in first] == [
        "render-soundfonts", "dataset", "train", "fit-mapping", "fit-pca", "train-encoder",
        "fit-class-head", "export", "train-residual-head", "evaluate",
    ]  # fmt: skip
    train = first[2]
    assert "--run runs/main --steps 3000" in train
    assert "--recon-weight 1 --adv-weight 0 --stats-weight 0 --recon-noise 0" in train
    assert first[3] == "fit-mapping --run runs/main --data data/drums.npz --from-scratch --seed 10"
    # the autoencoder's own encoder, fine-tuned on the fitted generator and on real drums
    assert first[5] == ("train-encoder --run runs/main --steps 600 --real-data data/drums.npz "
                        "--real-steps 400")  # fmt: skip
    assert first[6] == "fit-class-head --run runs/main --data data/drums.npz"
    assert first[7] == "export --run runs/main -o models/drums-v2"
    # the residual head trains into the exported model, from its own resumable run
    assert first[8] == ("train-residual-head --model models/drums-v2 --data data/drums.npz "
                        "--run runs/main/residual-head --steps 21000")  # fmt: skip
    # a rerun resumes the autoencoder and the head (no-ops once done), skips the fitted steps
    assert [c.split()[0] for c in recipe()] == [
        "train", "export", "train-residual-head", "evaluate"
    ]  # fmt: skip


def test_the_gpu_recipe_trains_a_packed_dataset_into_one_folder_within_its_time(
    tmp_path: Path,
) -> None:
    from tests.training.test_dataset import make_kit

    kits = make_kit(tmp_path / "kits", np.random.default_rng(0))
    drumsynth = str(Path(sys.executable).parent / "drumsynth")
    full, packed, out = tmp_path / "d.npz", tmp_path / "carry" / "p.npz", tmp_path / "out"
    for args in (
        ["dataset", str(kits), "-o", str(full), "--classes", "kick,snare,hat", "--arch", "tiny"],
        ["pack-dataset", "--data", str(full), "-o", str(packed)],
    ):
        subprocess.run([drumsynth, *args], check=True, capture_output=True, timeout=300)
    env = dict(os.environ, RUN=str(tmp_path / "run"), MINUTES="0.0001", AE_STEPS="500",
               BATCH="4", MAP_STEPS="4", ENC_STEPS="2", REAL_STEPS="2", HEAD_STEPS="2",
               ARCH="tiny", DS=drumsynth)  # fmt: skip
    done = subprocess.run(["sh", str(ROOT / "scripts/gpu-recipe.sh"), str(packed), str(out)],
                          env=env, capture_output=True, text=True, timeout=900)  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    assert "gpu-recipe: " in done.stdout
    # the time budget stopped the autoencoder long before its 500 steps
    assert 1 <= len((out / "losses.jsonl").read_text().splitlines()) < 500
    assert sorted(p.name for p in out.iterdir()) == ["losses.jsonl", "model"]
    from oscserver.model.artifact import load_artifact

    model = load_artifact(out / "model")
    assert model.class_head is not None and model.config.classes == ("kick", "snare", "hat")
    assert model.residual_head is not None
    usage = subprocess.run(["sh", str(ROOT / "scripts/gpu-recipe.sh")], capture_output=True,
                           text=True, timeout=60)  # fmt: skip
    assert usage.returncode == 2 and "usage:" in usage.stderr
