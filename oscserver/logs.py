"""What the command line prints on stderr: the project's own log lines, not its libraries'.

TensorFlow's C++ side logs through absl. `TF_CPP_MIN_LOG_LEVEL` filters its lines once TensorFlow
is loaded (e.g. `E0000 ... oneDNN supports DT_INT32 only on platforms with AVX-512`, which is
not an error), but the lines its shared libraries print while they load come before any
threshold applies ("All log messages before absl::InitializeLog() is called are written to
STDERR", "oneDNN custom operations are on"). `quiet_tensorflow` hides both unless the user set
`TF_CPP_MIN_LOG_LEVEL` (`TF_CPP_MIN_LOG_LEVEL=0` shows everything). Imports no TensorFlow.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import logging
import os
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from types import ModuleType

#: TensorFlow's C++ log threshold; 3 drops info, warnings and errors (which reach Python as
#: exceptions anyway).
TF_LOG_ENV = "TF_CPP_MIN_LOG_LEVEL"
TF_QUIET_LEVEL = "3"
#: Logger whose children are the project's own modules (`logging.getLogger(__name__)`).
PROJECT_LOGGER = "oscserver"
LOG_FORMAT = "%(asctime)s %(levelname)s %(message)s"


@contextmanager
def stderr_muted() -> Iterator[None]:
    """Points file descriptor 2 at /dev/null (C libraries' writes too), then restores it."""
    sys.stderr.flush()
    saved = os.dup(2)
    null = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(null, 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(null)


class _MutedLoader(importlib.abc.Loader):
    """Runs another loader's `exec_module` with stderr muted, then hands the module back to it."""

    def __init__(self, loader: importlib.abc.Loader) -> None:
        self.loader = loader

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType | None:
        return self.loader.create_module(spec)

    def exec_module(self, module: ModuleType) -> None:
        module.__loader__ = self.loader
        if module.__spec__ is not None:
            module.__spec__.loader = self.loader
        with stderr_muted():
            self.loader.exec_module(module)


class _QuietTensorFlowImport(importlib.abc.MetaPathFinder):
    """Finds `tensorflow` the usual way, once, and loads it with stderr muted."""

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname != "tensorflow":
            return None
        sys.meta_path.remove(self)
        spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        if spec is not None and spec.loader is not None:
            spec.loader = _MutedLoader(spec.loader)
        return spec


def quiet_tensorflow() -> None:
    """Hides TensorFlow's C++ log lines, unless the user set TF_CPP_MIN_LOG_LEVEL.

    Call before anything imports TensorFlow (the CLI does, first thing); the import itself stays
    lazy. Python errors during the import are raised as usual.
    """
    if TF_LOG_ENV in os.environ or "tensorflow" in sys.modules:
        return
    os.environ[TF_LOG_ENV] = TF_QUIET_LEVEL
    if not any(isinstance(f, _QuietTensorFlowImport) for f in sys.meta_path):
        sys.meta_path.insert(0, _QuietTensorFlowImport())


def configure_logging(level: str) -> None:
    """Log lines on stderr: the project's at `level` ("debug", "info"...), other libraries'
    (matplotlib, absl, h5py...) at warning and above. Does nothing when logging is configured.
    """
    if logging.getLogger().handlers:
        return
    own = logging.getLevelName(level.upper())
    logging.basicConfig(level=max(logging.WARNING, own), format=LOG_FORMAT, stream=sys.stderr)
    logging.getLogger(PROJECT_LOGGER).setLevel(own)
