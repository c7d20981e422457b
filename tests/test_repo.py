"""The repository stands alone: no project file points outside it."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
#: A sibling folder of the checkout (the development machine's notes), spelled in two parts so
#: this file does not match itself.
OUTSIDE = "../" + "shared/"


def tracked_files() -> list[Path]:
    done = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=False)
    if done.returncode != 0:
        pytest.skip("not a git checkout")
    return [ROOT / name for name in done.stdout.decode().split("\0") if name]


def test_no_file_cites_a_path_outside_the_repository() -> None:
    citing = []
    for path in tracked_files():
        if path.suffix in {".h5", ".npz", ".wav", ".png"} or not path.is_file():
            continue
        if OUTSIDE in path.read_text(errors="replace"):
            citing.append(str(path.relative_to(ROOT)))
    assert not citing, f"{citing} cite {OUTSIDE}: keep the facts in docs/facts.md"
