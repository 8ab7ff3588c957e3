"""The one registry of human names for ids: data/manual/labels.csv (id, kind,
name) for sources, benchmarks and lists. Tables, chart labels and legends show
these names; the CSV files in outputs/tables/ keep the ids (reviewers join on
them).

A census or victims benchmark id carries its year or period after '@'
(london_10_24@2011): its name is the name of the part before '@' with the year
or period added. A source with no row yet (a new row in data/sources.csv) is
named by its publisher and date, so a page never falls back to a bare id."""

from __future__ import annotations

import re
from functools import lru_cache

from police_lists.contract.paths import data_dir as _data_dir
from police_lists.readers.manual import read_manual

_ID = re.compile(r"^[a-z][a-z0-9]*(?:_[a-z0-9]+)+(?:@[0-9]{4}(?:-[0-9]{4})?)?$")


@lru_cache(maxsize=4)
def _registry(data_dir: str) -> dict[str, str]:
    names = dict(zip(*(read_manual("labels", data_dir)[c] for c in ("id", "name"))))
    sources = _data_dir(data_dir) / "sources.csv"
    if sources.is_file():
        import pandas as pd

        for r in pd.read_csv(sources, dtype=str, keep_default_na=False).itertuples():
            date = r.date if r.date and r.date != "unknown" else "undated"
            names.setdefault(r.source_id, f"{r.publisher}, {date}")
    return names


def registry(data_dir: str = "data") -> dict[str, str]:
    """Every id with a name: id -> name."""
    return dict(_registry(str(_data_dir(data_dir))))


def name(value: str, data_dir: str = "data") -> str:
    """The human name of an id, or the value itself when it is not an id the registry names."""
    if not isinstance(value, str):
        return value
    names = _registry(str(_data_dir(data_dir)))
    if value in names:
        return names[value]
    base, at, when = value.partition("@")
    if at and base in names:
        kind = "census" if re.fullmatch(r"[0-9]{4}", when) else "period"
        return f"{names[base]} ({kind} {when})"
    return value


def is_named_id(value, data_dir: str = "data") -> bool:
    """True for an id the registry gives a name (a cell showing it shows an id where a name exists)."""
    return isinstance(value, str) and bool(_ID.match(value)) and name(value, data_dir) != value
