"""Where things live. Relative paths are resolved against the project root,
never the current directory, so a notebook runs the same from JupyterLab
(cwd notebooks/), from the papermill command line (any cwd) and from the build."""

from __future__ import annotations

import os
from pathlib import Path

# The package is installed editable from src/, so the project root is three
# levels above this file (src/police_lists/contract/paths.py). POLICE_LISTS_ROOT overrides it (tests use that).
PROJECT_ROOT = Path(os.environ.get("POLICE_LISTS_ROOT", Path(__file__).resolve().parents[3]))


def resolve(path: str | os.PathLike) -> Path:
    """An absolute path for `path`; relative paths are taken from the project root."""
    p = Path(path)
    return p if p.is_absolute() else PROJECT_ROOT / p


def data_dir(path: str | os.PathLike = "data") -> Path:
    return resolve(path)


def notebooks_dir() -> Path:
    return PROJECT_ROOT / "notebooks"


def display_path(path: str | os.PathLike) -> str:
    """A path as shown in outputs: relative to the project root when inside it,
    so no absolute path of the build machine leaks into a table or appendix."""
    p = Path(path).resolve()
    try:
        return p.relative_to(PROJECT_ROOT.resolve()).as_posix()
    except ValueError:
        return p.name
