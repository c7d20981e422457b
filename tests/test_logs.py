"""What the command line prints on stderr: no TensorFlow C++ lines unless asked, the project's
own log lines at --log-level debug and no library's."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

#: An absl/TensorFlow C++ log line ("I0000 00:00:17... port.cc:153] ...") or absl's banner.
TF_LINE = re.compile(r"^[IWEF]\d{4} |absl::InitializeLog", re.MULTILINE)


def drumsynth(*args: str, env_extra: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """`drumsynth ARGS` in a fresh interpreter, with no TF_CPP_MIN_LOG_LEVEL of the caller's."""
    env = {k: v for k, v in os.environ.items() if k != "TF_CPP_MIN_LOG_LEVEL"}
    env.update(env_extra or {})
    cmd = [sys.executable, "-m", "oscserver.cli", *args]
    return subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120, check=False)


def test_tensorflow_is_quiet_unless_the_user_asks(tmp_path: Path) -> None:
    # `info` imports TensorFlow (the engine) before it finds that the folder holds no model (a
    # missing folder is found before the import)
    args = ("info", "--model", str(tmp_path))
    quiet = drumsynth(*args)
    assert quiet.returncode == 1
    assert quiet.stderr.strip().splitlines() == [
        f"Error: cannot load the model at {tmp_path}: model {tmp_path.name} is missing "
        "manifest.json"
    ]
    loud = drumsynth(*args, env_extra={"TF_CPP_MIN_LOG_LEVEL": "0"})
    if not TF_LINE.search(loud.stderr):
        pytest.skip("this TensorFlow prints nothing at import: nothing to hide")
    assert "Error: cannot load the model" in loud.stderr


def test_debug_shows_own_lines_not_libraries() -> None:
    code = (
        "import logging; from oscserver.logs import configure_logging; "
        "configure_logging('debug'); "
        "logging.getLogger('matplotlib.font_manager').debug('library detail'); "
        "logging.getLogger('oscserver.server.app').debug('own detail'); "
        "logging.getLogger('h5py').warning('library warning')"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "own detail" in done.stderr
    assert "library warning" in done.stderr
    assert "library detail" not in done.stderr
