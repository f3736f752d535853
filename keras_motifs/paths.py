"""Where the project's shared benchmark data lives.

Resolution order: an explicit argument, the environment variable ``KERAS_MOTIFS_SHARED``, then
``../shared`` next to the repository root (the layout of the development checkout and CI).
"""

from __future__ import annotations

import os
from pathlib import Path

ENV_VAR = "KERAS_MOTIFS_SHARED"
_REPO_ROOT = Path(__file__).resolve().parent.parent


def shared_dir(explicit: str | os.PathLike | None = None) -> Path:
    """The shared folder (it holds ``data/``, ``papers/``, ``docs/``); may not exist."""
    if explicit is not None:
        return Path(explicit)
    env = os.environ.get(ENV_VAR)
    if env:
        return Path(env)
    return _REPO_ROOT.parent / "shared"


def shared_data_dir(*parts: str, explicit: str | os.PathLike | None = None) -> Path:
    """``<shared>/data/<parts...>``; callers check existence and fail with a clear message."""
    return shared_dir(explicit).joinpath("data", *parts)


def require_shared(*parts: str) -> Path:
    """Return a shared data path or raise FileNotFoundError naming the variable to set."""
    path = shared_data_dir(*parts)
    if not path.exists():
        raise FileNotFoundError(
            f"shared data not found at '{path}'. Set {ENV_VAR} to the folder that holds data/ "
            "(the project's shared/ folder) or pass the path explicitly."
        )
    return path
