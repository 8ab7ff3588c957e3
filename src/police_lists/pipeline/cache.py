"""The content-hash cache of the build (outputs/.cache/): a key over
everything a step depends on, the record a step leaves, and whether the
files it wrote are still there, byte for byte."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from police_lists.contract.files import atomic_write, sha256_file


def key(*parts) -> str:
    h = hashlib.sha256()
    for part in parts:
        h.update(json.dumps(part, sort_keys=True).encode())
    return h.hexdigest()


def read_record(path: Path) -> dict:
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return {}


def outputs_intact(out: Path, files: dict[str, str]) -> bool:
    """Every file a cached step wrote is still there with the same bytes."""
    return all((out / rel).is_file() and sha256_file(out / rel) == sha for rel, sha in files.items())


def write_record(path: Path, record: dict) -> None:
    atomic_write(path, (json.dumps(record, indent=1, sort_keys=True) + "\n").encode())
