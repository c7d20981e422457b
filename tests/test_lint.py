"""The house tooling: ruff (lint and format) passes on everything we ship."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
TARGETS = ["oscserver", "tests", "bench", "examples", "scripts", "setup.py"]


def ruff(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "ruff", *args, *TARGETS], cwd=ROOT,
                          capture_output=True, text=True)  # fmt: skip


@pytest.mark.skipif(shutil.which("ruff") is None and not (Path(sys.prefix) / "bin/ruff").exists(),
                    reason="ruff is not installed (pip install -e .[test])")  # fmt: skip
def test_ruff_lint_and_format_clean():
    lint = ruff("check")
    assert lint.returncode == 0, lint.stdout + lint.stderr
    fmt = ruff("format", "--check")
    assert fmt.returncode == 0, fmt.stdout + fmt.stderr
