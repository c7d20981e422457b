"""Build hook: the wheel carries the shipped model as package data.

`oscserver/shipped.py` names the model (`DEFAULT_MODEL`), a folder of `models/`. Building a wheel
copies that folder's top-level files (weights, config, PCA, manifest, model card; not its
`evaluation/` figures or `examples/` WAVs) to `oscserver/_models/<name>/`, where
`oscserver.shipped.default_model_path` finds them. Editable installs read `models/` in place.
Everything else about the package is in pyproject.toml.
"""

from __future__ import annotations

import ast
import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent


def _constant(module: Path, name: str) -> str:
    """A string constant of a module, read without importing the package."""
    for node in ast.parse(module.read_text()).body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == name for t in node.targets
        ):
            value = ast.literal_eval(node.value)
            if isinstance(value, str):
                return value
    raise SystemExit(f"{module}: no string constant {name}")


class build_py_with_model(build_py):  # noqa: N801 (setuptools command naming)
    def run(self) -> None:
        super().run()
        if self.editable_mode:
            return
        shipped = ROOT / "oscserver" / "shipped.py"
        name = _constant(shipped, "DEFAULT_MODEL")
        folder = _constant(shipped, "PACKAGED_MODELS")
        source = ROOT / "models" / name
        if not (source / "manifest.json").is_file():
            raise SystemExit(f"no model at {source}: DEFAULT_MODEL in {shipped} names it")
        packaged = Path(self.build_lib) / "oscserver" / folder
        # A build folder left from an earlier build may hold the model shipped before: only
        # the one DEFAULT_MODEL names may go into this wheel.
        shutil.rmtree(packaged, ignore_errors=True)
        target = packaged / name
        self.mkpath(str(target))
        for path in sorted(p for p in source.iterdir() if p.is_file()):
            self.copy_file(str(path), str(target / path.name))


setup(cmdclass={"build_py": build_py_with_model})
