"""Staging, then publishing: a run writes into a private folder under
<out>/.staging/, and only when every run succeeded are its files written into
<out> (each atomically, so a reader never sees half a file). A failure leaves
the published folders exactly as they were. Used by the build and the
teaching pack, whose folders belong to the project. `make profile` writes into a
user's OUT with pipeline.outdir instead: ownership by manifest, refusal of files
it did not write, and a journaled switch a later run can finish, which a
project-owned folder does not need."""

from __future__ import annotations

import shutil
from contextlib import contextmanager
from pathlib import Path

from police_lists.contract.files import atomic_write

STAGING = ".staging"
OUTPUT_KINDS = ("tables", "figures")


@contextmanager
def staging_area(out: Path, name: str):
    """A fresh folder <out>/.staging/<name> for the runs of one step; removed
    when the step ends, whether it published or failed (and .staging with it
    when nothing else is staged)."""
    root = Path(out) / STAGING / name
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True, exist_ok=True)
    try:
        yield root
    finally:
        shutil.rmtree(root, ignore_errors=True)
        try:
            (Path(out) / STAGING).rmdir()
        except OSError:
            pass


def staged_outputs(staging: Path, kinds: tuple[str, ...] = OUTPUT_KINDS) -> list[tuple[Path, str]]:
    """(file in staging, its path relative to the output folder) for each table and figure a run wrote."""
    found = []
    for kind in kinds:
        src = staging / kind
        if src.exists():
            found += [(p, f"{kind}/{p.relative_to(src).as_posix()}") for p in sorted(src.rglob("*")) if p.is_file()]
    return found


def publish(out: Path, files: dict[str, bytes], staged: list[tuple[Path, str]] = ()) -> None:
    """Write each file (path relative to `out`: bytes) atomically, and move each
    staged file (path in staging, path relative to `out`) into place."""
    for rel, data in files.items():
        atomic_write(Path(out) / rel, data)
    for path, rel in staged:
        dest = Path(out) / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        path.replace(dest)
