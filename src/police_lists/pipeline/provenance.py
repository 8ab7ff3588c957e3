"""What produced an output: the inputs and their sha256, the package code,
the pinned package versions, the git commit, and how a folder is recorded
(no machine paths). Light imports only: a no-change rebuild reads these."""

from __future__ import annotations

import subprocess
from importlib import metadata
from pathlib import Path

from police_lists.contract.files import sha256_file
from police_lists.contract.paths import PROJECT_ROOT, display_path, resolve

PACKAGE_DIR = Path(__file__).resolve().parents[1]  # src/police_lists: every module of the package
OUTSIDE = "<outside the project>"  # how a folder outside the project is shown (no machine paths)


def data_inputs(data_dir: str = "data") -> dict[str, str]:
    """sha256 of every file under data/."""
    root = resolve(data_dir)
    files = sorted(p for p in root.rglob("*") if p.is_file())
    return {display_path(p): sha256_file(p) for p in files}


def code_inputs() -> dict[str, str]:
    """sha256 of the package code, templates and pins (they change what a notebook produces)."""
    files = sorted(
        p
        for p in PACKAGE_DIR.rglob("*")
        if p.is_file() and p.suffix in {".py", ".j2", ".json", ".css"} and "__pycache__" not in p.parts
    )
    files += [PROJECT_ROOT / "requirements.txt", PROJECT_ROOT / "constraints.txt"]
    return {display_path(p): sha256_file(p) for p in files if p.exists()}


def package_versions() -> dict[str, str]:
    names = [
        line.split("==")[0]
        for line in (PROJECT_ROOT / "requirements.txt").read_text().splitlines()
        if "==" in line and not line.startswith("#")
    ]
    return {name: metadata.version(name) for name in sorted(names, key=str.lower)}


def git_commit() -> str:
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=PROJECT_ROOT, capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=PROJECT_ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown (not a git checkout)"
    return commit + (" with uncommitted changes" if dirty else "")


def shown_path(path: str) -> str:
    """A folder as recorded in outputs: relative to the project root when inside
    it; otherwise a fixed placeholder, so a build into /tmp/x and one into /tmp/y
    give the same bytes and no machine path leaks into an appendix."""
    p = Path(path)
    if not p.is_absolute():
        return p.as_posix()
    try:
        return p.resolve().relative_to(PROJECT_ROOT.resolve()).as_posix()
    except ValueError:
        return OUTSIDE
