"""Published additions to and removals from the Matrix (which claims are
flows, and in which direction, is data/manual/matrix_flows.csv), and what the
published levels imply about the people the flows do not mention (the level
arithmetic in data/manual/matrix_flow_reconciliation.csv)."""

from __future__ import annotations

import re

import pandas as pd

from police_lists.methods.expressions import evaluate, expression_names
from police_lists.methods.rounding import Interval
from police_lists.readers import claims as claims_mod
from police_lists.readers.manual import read_manual


def flows(data_dir: str = "data") -> pd.DataFrame:
    """Published additions and removals, each with its window and source."""
    by_id = claims_mod.claims_by_id(data_dir)
    rows = []
    for cid, direction in read_manual("matrix_flows", data_dir)[["claim_id", "direction"]].itertuples(index=False):
        c = by_id[cid]
        iv = claims_mod.claim_interval(c)
        rows.append(
            {
                "claim_id": cid,
                "direction": direction,
                "measure": c["measure"],
                "published": claims_mod.published_text(c),
                "count_low": int(iv.lo),
                "count_high": "" if iv.hi is None else int(iv.hi),
                "window": c["ref_date"],
                "source_id": c["source_id"],
                "evidence": c["evidence"],
            }
        )
    return pd.DataFrame(rows)


def flow_reconciliation(data_dir: str = "data") -> pd.DataFrame:
    """Level arithmetic around the published flows: each expression over published
    counts, exactly, with the claims it uses in the order they appear."""
    by_id = claims_mod.claims_by_id(data_dir)
    rows = []
    for question, expression in read_manual("matrix_flow_reconciliation", data_dir).itertuples(index=False):
        values = {name: Interval.point(int(by_id[name]["value"])) for name in expression_names(expression)}
        rows.append(
            {
                "question": question,
                "expression": expression,
                "value": int(evaluate(expression, values).lo),
                "claims": " ".join(re.findall(r"[A-Za-z_]\w*", expression)),
            }
        )
    return pd.DataFrame(rows)
