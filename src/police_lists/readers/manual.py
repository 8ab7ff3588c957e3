"""The human decisions in data/manual/, read as text (each file has a
Frictionless schema in data/schemas/ and is checked by `make validate`)."""

from __future__ import annotations

import pandas as pd

from police_lists.contract.paths import data_dir as _data_dir

MANUAL = "manual"


def read_manual(name: str, data_dir: str = "data") -> pd.DataFrame:
    """data/manual/<name>.csv, every cell as text, blanks as ''."""
    return pd.read_csv(_data_dir(data_dir) / MANUAL / f"{name}.csv", dtype=str, keep_default_na=False, encoding="utf-8")
