"""The sourced claims in data/: sources.csv, claims.csv and
manual/claim_checks.csv, read as text ('61' and '61.0' are different claims),
and the one claims-by-id lookup every analysis and notebook uses.

A claim is one row of claims.csv (a pandas Series). published_text() is how a
reader saw it printed; claim_interval() is every exact value its rounding allows.
"""

from __future__ import annotations

import os

import pandas as pd

from police_lists.contract.paths import data_dir as _data_dir
from police_lists.methods.rounding import Interval, value_interval

CLAIMS = "claims.csv"
SOURCES = "sources.csv"
CHECKS = "manual/claim_checks.csv"


def _read(path) -> pd.DataFrame:
    # Everything as text: '61' and '61.0' are different claims.
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")


def load_claims(data_dir: str = "data") -> pd.DataFrame:
    return _read(_data_dir(data_dir) / CLAIMS)


def load_sources(data_dir: str = "data") -> pd.DataFrame:
    return _read(_data_dir(data_dir) / SOURCES)


def load_checks(data_dir: str = "data") -> pd.DataFrame:
    return _read(_data_dir(data_dir) / CHECKS)


_INDEX: dict[tuple, dict[str, pd.Series]] = {}


def claims_by_id(data_dir: str = "data") -> dict[str, pd.Series]:
    """Every claim by its id, in the order of claims.csv (a new dict each call;
    the file is read again whenever it changes)."""
    path = _data_dir(data_dir) / CLAIMS
    stat = os.stat(path)
    key = (str(path.resolve()), stat.st_mtime_ns, stat.st_size)
    if key not in _INDEX:
        _INDEX.clear()
        _INDEX[key] = {row["claim_id"]: row for _, row in _read(path).iterrows()}
    return dict(_INDEX[key])


def claim(claim_id: str, data_dir: str = "data") -> pd.Series:
    """One claim, or KeyError naming the file."""
    by_id = claims_by_id(data_dir)
    if claim_id not in by_id:
        raise KeyError(f"no claim {claim_id!r} in data/{CLAIMS}")
    return by_id[claim_id]


def claim_rule(claim: pd.Series, rounding_rule: str) -> str:
    """The rounding rule to use for a claim: the notebook's assumption replaces
    'half_up' for percentages, whose rule sources almost never state."""
    if claim["unit"] == "percent" and claim["rounding"] == "half_up":
        return rounding_rule
    return claim["rounding"]


def claim_interval(claim: pd.Series, rounding_rule: str = "half_up") -> Interval | None:
    """The exact values a numeric claim allows, or None for dates and text."""
    rule = claim_rule(claim, rounding_rule)
    if claim["unit"] in ("date", "text") or rule == "not_applicable":
        return None
    return value_interval(claim["value"], rule, claim["precision"] or None)


def published_text(claim: pd.Series) -> str:
    """The figure as a reader saw it printed, with the words the source printed
    before it (claims.csv `qualifier`: "nearly", "just over", ...). A claim the
    project treats as approximate with no printed qualifier is shown bare: its
    precision is the project's judgement, not the source's words."""
    value = claim["value"]
    if claim["unit"] in ("count", "ratio") and value.replace(".", "", 1).isdigit():
        whole, _, frac = value.partition(".")
        value = f"{int(whole):,}" + (f".{frac}" if frac else "")
    suffix = "%" if claim["unit"] == "percent" else ""
    qualifier = claim.get("qualifier", "") or ""
    prefix = f"{qualifier} " if qualifier else ""
    return f"{prefix}{value}{suffix}"
