"""Governance events of the Matrix from the dated claims (which claims, in
data/manual/matrix_timeline.csv), with the span each published date covers."""

from __future__ import annotations

import pandas as pd

from police_lists.analyses.matrix.snapshots import date_span
from police_lists.readers import claims as claims_mod
from police_lists.readers.manual import read_manual


def timeline(data_dir: str = "data") -> pd.DataFrame:
    """Governance events from the date claims, with the span each date covers."""
    by_id = claims_mod.claims_by_id(data_dir)
    rows = []
    for cid in read_manual("matrix_timeline", data_dir)["claim_id"]:
        c = by_id[cid]
        a, b = date_span(c["value"])
        rows.append(
            {
                "claim_id": cid,
                "event": c["measure"],
                "date": c["value"],
                "start": a.isoformat(),
                "end": b.isoformat(),
                "source_id": c["source_id"],
                "evidence": c["evidence"],
            }
        )
    return pd.DataFrame(rows).sort_values(["start", "end"], kind="stable").reset_index(drop=True)
