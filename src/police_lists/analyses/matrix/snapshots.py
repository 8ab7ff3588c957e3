"""Matrix size by reference date: every published headcount (both published
August 2017 peaks), then the end of the Matrix, which has no headcount. Which
claims are headcounts is a human decision in data/manual/matrix_sizes.csv."""

from __future__ import annotations

import calendar
import datetime as dt

import pandas as pd

from police_lists.readers import claims as claims_mod
from police_lists.readers.manual import read_manual


def sizes(data_dir: str = "data") -> pd.DataFrame:
    """data/manual/matrix_sizes.csv: claim_id and role (headcount, peak or end)."""
    return read_manual("matrix_sizes", data_dir)


def peaks(data_dir: str = "data") -> list[str]:
    """The claims giving the published peak, in the file's order (conflict over which is right)."""
    t = sizes(data_dir)
    return list(t.loc[t["role"] == "peak", "claim_id"])


def date_span(text: str) -> tuple[dt.date, dt.date]:
    """First and last day an ISO date claim covers: '2019' -> the whole year,
    '2020-02' -> February, '2019/2020' -> both years."""
    first, _, last = text.partition("/")
    last = last or first

    def start(s):
        parts = [int(p) for p in s.split("-")]
        return dt.date(parts[0], parts[1] if len(parts) > 1 else 1, parts[2] if len(parts) > 2 else 1)

    def end(s):
        parts = [int(p) for p in s.split("-")]
        if len(parts) == 3:
            return dt.date(*parts)
        if len(parts) == 2:
            return dt.date(parts[0], parts[1], calendar.monthrange(parts[0], parts[1])[1])
        return dt.date(parts[0], 12, 31)

    return start(first), end(last)


def date_mid(text: str) -> dt.date:
    """Middle of the span a date claim covers (where a chart plots it)."""
    a, b = date_span(text)
    return a + (b - a) / 2


def snapshots(data_dir: str = "data") -> pd.DataFrame:
    """Matrix size by reference date, one row per published headcount (both
    August 2017 peaks), then the end of the Matrix, which has no headcount."""
    by_id = claims_mod.claims_by_id(data_dir)
    table = sizes(data_dir)
    is_peak = set(table.loc[table["role"] == "peak", "claim_id"])
    rows = []
    for cid in table["claim_id"]:
        c = by_id[cid]
        iv = claims_mod.claim_interval(c)
        rows.append(
            {
                "ref_date": c["ref_date"],
                "plot_date": date_mid(c["ref_date"]).isoformat(),
                "claim_id": cid,
                "measure": c["measure"],
                "published": claims_mod.published_text(c) if iv is not None else "no headcount published",
                "size_low": "" if iv is None else int(iv.lo),
                "size_high": "" if iv is None else int(iv.hi),
                "rounding": c["rounding"],
                "source_id": c["source_id"],
                "evidence": c["evidence"],
                "is_peak": cid in is_peak,
            }
        )
    out = pd.DataFrame(rows)
    return out.sort_values(["plot_date", "claim_id"], kind="stable").reset_index(drop=True)
