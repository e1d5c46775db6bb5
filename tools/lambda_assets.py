"""Running a Lambda asset's code in this process, laid out as Lambda lays it out.

In Lambda, a function's folder is the working directory and the shared modules that
``LabFunction(shared_modules=...)`` bundles sit beside its handler. Here the same is had by putting
the folder and ``lambda/shared/`` on ``sys.path``. Tests and the rehearsal use this; the product does not.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from types import ModuleType

from study_env.paths import LAMBDA_DIR, LAMBDA_SHARED_DIR


def asset_folders() -> list[str]:
    """The function asset folders under ``lambda/`` (``shared`` is bundled into them, not deployed alone)."""
    return sorted(
        name
        for name in os.listdir(LAMBDA_DIR)
        if os.path.isdir(os.path.join(LAMBDA_DIR, name))
        and os.path.join(LAMBDA_DIR, name) != LAMBDA_SHARED_DIR
        and not name.startswith((".", "_"))
    )


def add_to_path(folder: str) -> str:
    """Put ``lambda/<folder>`` and ``lambda/shared`` on ``sys.path``; return the folder's path."""
    path = os.path.join(LAMBDA_DIR, folder)
    if not os.path.isdir(path):
        raise FileNotFoundError(f"no Lambda asset folder {path}")
    for entry in (LAMBDA_SHARED_DIR, path):
        if entry not in sys.path:
            sys.path.insert(0, entry)
    return path


def load(folder: str, module: str, name: str | None = None, *, fresh: bool = False) -> ModuleType:
    """``lambda/<folder>/<module>.py`` as module ``name`` (default ``<folder>_<module>``), loaded once.

    Several assets have a ``handler.py``; a name of its own keeps them apart in ``sys.modules``.
    ``fresh`` loads it again, as a new Lambda container would (module-level state starts empty).
    """
    name = name or f"{folder}_{module}"
    if fresh or name not in sys.modules:
        path = add_to_path(folder)
        spec = importlib.util.spec_from_file_location(name, os.path.join(path, module + ".py"))
        if spec is None or spec.loader is None:
            raise ImportError(f"cannot load {module}.py from {path}")
        loaded = importlib.util.module_from_spec(spec)
        sys.modules[name] = loaded  # dataclasses look their module up there
        spec.loader.exec_module(loaded)
    return sys.modules[name]
