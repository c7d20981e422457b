"""scripts/venv.sh runs pip only when pyproject.toml, setup.py or the asked extras changed."""

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
