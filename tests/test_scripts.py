"""scripts/venv.sh runs pip only when something it reads changed; scripts/recipe.sh runs its
stages in order and resumes."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

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
  train)  # a kept snapshot at the last step, as --keep-every leaves one
    run=$(echo "$*" | sed 's/.*--run \([^ ]*\).*/\1/')
    steps=$(echo "$*" | sed 's/.*--steps \([0-9]*\).*/\1/')
    mkdir -p "$run/snapshots/step$(printf %06d "$steps")" "$run/checkpoint"
    touch "$run/snapshots/step$(printf %06d "$steps")/optimizers.npz" ;;
  fit-pca) touch "$2/pca.npz" ;;
  train-encoder) touch "$2/encoder.weights.h5" ;;
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
    (tmp_path / "runs" / "stage1").mkdir(parents=True)

    def recipe() -> list[str]:
        log = tmp_path / "calls.log"
        log.unlink(missing_ok=True)
        subprocess.run(["sh", "scripts/recipe.sh"], cwd=tmp_path, check=True, timeout=60,
                       capture_output=True)  # fmt: skip
        return log.read_text().splitlines()

    first = recipe()
    assert [c.split()[0] for c in first] == [
        "render-soundfonts", "dataset", "train", "train", "train", "train", "fit-pca",
        "train-encoder", "fit-pca", "train-encoder", "fit-pca", "train-encoder", "train",
        "fit-pca", "train-encoder", "export", "evaluate",
    ]  # fmt: skip
    calls = first
    assert "--run runs/stage1 --arch no-envelopes --steps 5250" in calls[2]
    assert "--run runs/stage2 --init-from runs/stage1 --steps 2500" in calls[3]
    assert "--run runs/stage3 --steps 3500 --lr 3e-5" in calls[4]
    assert "--run runs/stage4 --steps 4500" in calls[5] and "--ema-halflife 1000" in calls[5]
    # stage 3 branched from stage 2's step 2500 without its optimiser (as the shipped run did),
    # stage 4 from stage 3's step 3500 with it, stage 5 from stage 4's step 4500 with it and
    # with stage 4's trained encoder
    assert not (tmp_path / "runs/stage3/checkpoint/optimizers.npz").exists()
    assert (tmp_path / "runs/stage4/checkpoint/optimizers.npz").exists()
    assert (tmp_path / "runs/main/checkpoint/optimizers.npz").exists()
    assert calls[7].startswith("train-encoder --run runs/stage1 --steps 2000")
    assert calls[9].startswith("train-encoder --run runs/stage2 --steps 1000")
    assert calls[11].startswith("train-encoder --run runs/stage4 --steps 1000")
    assert "--run runs/main --steps 10000" in calls[12] and "--recon-weight 2" in calls[12]
    assert (tmp_path / "runs/main/checkpoint/encoder.weights.h5").exists()
    assert calls[14].startswith("train-encoder --run runs/main --steps 600")
    assert calls[15].startswith("export --run runs/main")
    assert [c.split()[0] for c in recipe()] == ["train"] * 5 + ["export", "evaluate"]
