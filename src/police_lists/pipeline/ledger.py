"""tables/claims_ledger.csv: every claim of every subject with the default
rounding assumption, written by the build beside the appendices (each
appendix also shows its own subject's rows)."""

from __future__ import annotations

import json
from pathlib import Path

from police_lists.contract.files import atomic_write, sha256_file
from police_lists.pipeline.cache import outputs_intact, read_record, write_record

LEDGER_FILES = ("tables/claims_ledger.csv", "tables/.labels/claims_ledger.json")


def full_ledger(out: Path, data_dir: str, cache_key: str | None = None, reuse: bool = True):
    """The bytes of tables/claims_ledger.csv (every claim of every subject, with
    the default rounding assumption; each appendix also shows its own subject's
    rows) and of its label; None when cache_key (a hash of data and code)
    matches the last run and the files are intact."""
    if cache_key and reuse:
        record = read_record(out / ".cache" / "ledger.json")
        if (
            record.get("key") == cache_key
            and set(record.get("outputs", {})) == set(LEDGER_FILES)
            and outputs_intact(out, record["outputs"])
        ):
            return None
    from police_lists.analyses.ledger import build_ledger
    from police_lists.contract.standards import PUBLISHED

    ledger = build_ledger(data_dir)
    label = {
        "table": "claims_ledger.csv",
        "notebook": "(build)",
        "caption": "every published figure, all subjects",
        "sensitivity": PUBLISHED,
    }
    return (
        ledger.to_csv(index=False, lineterminator="\n").encode("utf-8"),
        (json.dumps(label, indent=1, sort_keys=True) + "\n").encode("utf-8"),
        cache_key,
    )


def write_ledger(out: Path, csv_bytes: bytes, label_bytes: bytes, cache_key: str | None) -> None:
    atomic_write(out / LEDGER_FILES[0], csv_bytes)
    atomic_write(out / LEDGER_FILES[1], label_bytes)
    if cache_key:
        write_record(
            out / ".cache" / "ledger.json",
            {"key": cache_key, "outputs": {rel: sha256_file(out / rel) for rel in LEDGER_FILES}},
        )


def write_full_ledger(out: Path, data_dir: str, cache_key: str | None = None) -> None:
    """Write tables/claims_ledger.csv and its label (see full_ledger)."""
    ledger = full_ledger(out, data_dir, cache_key)
    if ledger is not None:
        write_ledger(out, *ledger)
