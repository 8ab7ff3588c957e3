"""Where things live. Relative paths are resolved against the project root,
never the current directory, so a notebook runs the same from JupyterLab
(cwd notebooks/), from the papermill command line (any cwd) and from the build."""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path

# In the repository the package is installed editable from src/, so the project root is three
# levels above this file (src/police_lists/contract/paths.py). POLICE_LISTS_ROOT overrides it (tests use that).
_SOURCE_ROOT = Path(__file__).resolve().parents[3]
IN_REPOSITORY = "POLICE_LISTS_ROOT" in os.environ or (_SOURCE_ROOT / "data" / "datapackage.json").is_file()
# Installed from the classroom wheel (outputs/teaching/), there is no repository: relative paths
# start at the folder the notebook runs in, and data/ is the copy packaged inside the wheel.
PROJECT_ROOT = Path(os.environ.get("POLICE_LISTS_ROOT", _SOURCE_ROOT if IN_REPOSITORY else Path.cwd()))
BUNDLE = "_bundle"  # police_lists/_bundle/: package data of the classroom wheel (pipeline.bundle writes it)


def packaged(*parts: str) -> Path | None:
    """A file or folder packaged inside the classroom wheel (police_lists/_bundle/...), or None
    when it is not there (in the repository nothing is packaged)."""
    found = resources.files("police_lists").joinpath(BUNDLE, *parts)
    return Path(str(found)) if found.is_file() or found.is_dir() else None


def resolve(path: str | os.PathLike) -> Path:
    """An absolute path for `path`; relative paths are taken from the project root."""
    p = Path(path)
    return p if p.is_absolute() else PROJECT_ROOT / p


def data_dir(path: str | os.PathLike = "data") -> Path:
    """The data folder: `path` resolved; outside the repository, the default "data" falls back
    to the copy packaged in the classroom wheel when the folder has no datapackage.json."""
    p = resolve(path)
    if not IN_REPOSITORY and Path(path) == Path("data") and not (p / "datapackage.json").is_file():
        return packaged("data") or p
    return p


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
