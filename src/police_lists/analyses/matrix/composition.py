"""Matrix composition as count intervals: which published figure describes
which snapshot, and of which published total, is a human decision in
data/manual/matrix_composition.csv.

Counts behind rounded percentages were never published. A percentage of an
exact published count gives the whole counts consistent with it
(rounding.consistent_counts, the GRIM idea for percentages; methods.md 3.1);
a percentage of a rounded count, or a rounded percentage with a coarse
precision, gives an interval by exact interval arithmetic (methods.md 3.4),
and only the whole counts inside it are kept.
"""

from __future__ import annotations

import math
from fractions import Fraction

import pandas as pd

from police_lists.methods import stats
from police_lists.methods.rounding import Interval, consistent_counts, half_up, point_count
from police_lists.readers import claims as claims_mod
from police_lists.readers.manual import read_manual

# The snapshot label of Amnesty's profile in matrix_composition.csv (the profile appendix charts it).
AMNESTY_SNAPSHOT = "Amnesty report (Oct 2017 list)"
_text = claims_mod.published_text


def whole_counts(iv: Interval) -> tuple[int, int] | None:
    """The whole numbers inside a closed interval, as (lowest, highest)."""
    lo, hi = math.ceil(iv.lo), math.floor(iv.hi)
    return (lo, hi) if lo <= hi else None


def load_composition(data_dir: str = "data") -> pd.DataFrame:
    return read_manual("matrix_composition", data_dir)


def count_interval(claim: pd.Series, base: pd.Series | None, rounding_rule: str) -> tuple[tuple[int, int] | None, str]:
    """Whole counts a published figure allows, and how they were found."""
    rule = claims_mod.claim_rule(claim, rounding_rule)
    if claim["unit"] == "count":
        iv = claims_mod.claim_interval(claim, rounding_rule)
        if iv.hi is None:
            return None, "a lower bound only"
        return whole_counts(iv), ("published count" if iv.is_point else f"rounded count ({claim['rounding']})")
    if base is None:
        return None, "base not published"
    if base["rounding"] == "exact" and rule in ("half_up", "truncate") and not claim["precision"]:
        ks = consistent_counts(claim["value"], int(base["value"]), rule)
        if len(ks) == 0:
            return None, f"no whole count of {_text(base)} gives {_text(claim)}"
        return (ks.start, ks.stop - 1), f"counts consistent with the percentage ({rule.replace('_', ' ')})"
    iv = claims_mod.claim_interval(claim, rounding_rule)
    if iv.hi is None or claims_mod.claim_interval(base).hi is None:
        return None, "an open-ended range only"
    counts = iv * claims_mod.claim_interval(base) / Interval.point(100)
    return whole_counts(counts), "interval arithmetic (the percentage or its base is approximate)"


def composition(data_dir: str = "data", rounding_rule: str = "half_up") -> pd.DataFrame:
    """One row per composition figure: its share range, its base and the whole
    counts it allows (empty when no base was published), with a point value
    (the nearest whole count to share x base, named as such)."""
    by_id = claims_mod.claims_by_id(data_dir)
    rows = []
    for _, r in load_composition(data_dir).iterrows():
        c = by_id[r["claim_id"]]
        base = by_id[r["base_claim_id"]] if r["base_claim_id"] else None
        counts, method = count_interval(c, base, rounding_rule)
        if c["unit"] == "percent":
            share = claims_mod.claim_interval(c, rounding_rule)
        elif base is not None and c["unit"] == "count" and counts is not None:
            share = Interval(Fraction(100 * counts[0]), Fraction(100 * counts[1])) / claims_mod.claim_interval(base)
        else:
            share = None
        point = ""
        if base is not None:
            if c["unit"] == "count":
                point = int(half_up(Fraction(c["value"])))
            else:
                point = point_count(c["value"], Fraction(base["value"]))
        rows.append(
            {
                "snapshot": r["snapshot"],
                "ref_date": r["ref_date"],
                "dimension": r["dimension"],
                "category": r["category"],
                "claim_id": r["claim_id"],
                "published": _text(c),
                "share_low": "" if share is None or share.hi is None else float(share.lo),
                "share_high": "" if share is None or share.hi is None else float(share.hi),
                "base": f"{r['base_claim_id']}: {_text(base)}" if base is not None else "",
                "base_n": int(base["value"]) if base is not None and base["rounding"] == "exact" else "",
                "base_assumed": r["base_assumed"],
                "count_low": "" if counts is None else counts[0],
                "count_high": "" if counts is None else counts[1],
                "point_value": point,
                "count_method": method,
                "source_id": c["source_id"],
                "evidence": c["evidence"],
                "note": r["note"],
            }
        )
    return pd.DataFrame(rows)


def profile(data_dir: str = "data", rounding_rule: str = "half_up", years=("2016", "2017", "2018")) -> pd.DataFrame:
    """The 2016-2018 profile reported by Amnesty and MOPAC (and the answers
    around it): the composition rows whose snapshot falls in those years."""
    comp = composition(data_dir, rounding_rule)
    return comp[comp["ref_date"].str[:4].isin(years)].reset_index(drop=True)


def profile_shares(table: pd.DataFrame, confidence: float = 0.95, method: str = "wilson") -> pd.DataFrame:
    """Share intervals for composition rows with an exact base, carried over
    every count the rounding allows (stats.envelope; methods.md 3.4). These
    are model-based intervals for process variability, not sampling error."""
    rows = []
    for _, r in table.iterrows():
        if r["count_low"] == "" or r["base_n"] == "":
            continue  # no count, or a rounded base: no share interval to draw
        n = int(r["base_n"])
        env = stats.envelope(
            stats.share(k, n, confidence, method) for k in range(int(r["count_low"]), int(r["count_high"]) + 1)
        )
        rows.append(
            {
                "snapshot": r["snapshot"],
                "category": r["category"],
                "claim_id": r["claim_id"],
                "published": r["published"],
                "base": n,
                "share_low_over_range": int(r["count_low"]) / n,
                "share_high_over_range": int(r["count_high"]) / n,
                "ci_low_over_range": env.low,
                "ci_high_over_range": env.high,
                "ci_method": method,
                "confidence": confidence,
            }
        )
    return pd.DataFrame(rows)
