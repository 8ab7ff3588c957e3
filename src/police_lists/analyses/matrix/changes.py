"""Every published change in the size of the Matrix, recomputed exactly from
the published levels. Which claims are compared, and how, is a human decision
in data/manual/matrix_changes.csv:

  level_to_level  a change from one published level to another (a fall from
                  "the peak" is listed once for each published peak);
  share_to_level  a fall from the whole counts a published share of a
                  published count allows, to a published level;
  removed_share   removals as the whole counts a published share of a published
                  count allows, against a published number removed.

Changes and verdicts use fractions.Fraction throughout, so "31%" is tested
exactly, not in floats.
"""

from __future__ import annotations

from fractions import Fraction

import pandas as pd

from police_lists.analyses.matrix.snapshots import peaks
from police_lists.methods.formatting import count, exact_pct_span, span
from police_lists.methods.rounding import Interval, consistent_counts, rounds_to
from police_lists.readers import claims as claims_mod
from police_lists.readers.manual import read_manual

_text = claims_mod.published_text


def pct_fall(start: Interval, end: Interval) -> Interval:
    """100 * (start - end) / start, exactly, over every value both allow.
    Written as 100 * (1 - end / start) so each range appears once and the
    interval arithmetic is tight (no dependency widening)."""
    return Interval.point(100) * (Interval.point(1) - end / start)


def _fits(claim: pd.Series, result: Interval, exact: bool, rounding_rule: str) -> bool:
    """Does a recomputed value (or range) give the published figure? An exact
    value must round to it; a range must meet the figure's own range."""
    rule = claims_mod.claim_rule(claim, rounding_rule)
    if exact and result.is_point:
        return rounds_to(result.lo, claim["value"], rule, claim["precision"] or None)
    return result.overlaps(claims_mod.claim_interval(claim, rounding_rule))


def share_counts(share: pd.Series, base: pd.Series, rounding_rule: str) -> tuple[int, int]:
    """Whole counts of a published count that a published percentage of it allows."""
    ks = consistent_counts(share["value"], int(base["value"]), rounding_rule)
    return ks.start, ks.stop - 1


def _method_row(method: str, data_dir: str) -> pd.Series:
    table = read_manual("matrix_changes", data_dir)
    return table[table["method"] == method].iloc[0]


def under18_baseline(by_id: dict, rounding_rule: str, data_dir: str = "data") -> tuple[int, int]:
    """Whole under-18 counts in 2018 that the published share of the 2018 list allows
    (the share_to_level row of matrix_changes.csv)."""
    row = _method_row("share_to_level", data_dir)
    return share_counts(by_id[row["from_claim_id"]], by_id[row["base_claim_id"]], rounding_rule)


def removed_if_before(by_id: dict, rounding_rule: str, data_dir: str = "data") -> tuple[int, int]:
    """Whole removals the published share removed allows, taking the last published
    headcount as the list before the removals (the removed_share rows of matrix_changes.csv)."""
    row = _method_row("removed_share", data_dir)
    return share_counts(by_id[row["from_claim_id"]], by_id[row["base_claim_id"]], rounding_rule)


def _result(c: pd.Series, rule: str, **fields) -> dict:
    result = fields.pop("result")
    return {
        "claim_id": c["claim_id"],
        "reading": fields["reading"],
        "published": _text(c),
        "from": fields["from"],
        "to": fields["to"],
        "recomputed": fields["recomputed"],
        "recomputed_low": float(result.lo),
        "recomputed_high": float(result.hi),
        "fits_published": _fits(c, result, fields["exact"], rule),
        "source_id": c["source_id"],
    }


def changes(data_dir: str = "data", rounding_rule: str = "half_up") -> pd.DataFrame:
    """Every published change in size recomputed from the published levels,
    exactly; falls from the peak are tried against both peaks."""
    by_id = claims_mod.claims_by_id(data_dir)
    peak_ids = peaks(data_dir)
    rows = []
    for _, r in read_manual("matrix_changes", data_dir).iterrows():
        c = by_id[r["claim_id"]]
        if r["method"] == "level_to_level":
            a, b = by_id[r["from_claim_id"]], by_id[r["to_claim_id"]]
            ia, ib = claims_mod.claim_interval(a), claims_mod.claim_interval(b)
            if c["unit"] == "percent":
                result = pct_fall(ia, ib)
                shown = exact_pct_span(result, 2)
            else:
                result = ia - ib
                shown = span(result.lo, result.hi)
            reading = r["reading"] or (
                f"fall from the peak as {_text(a)}"
                if r["from_claim_id"] in peak_ids
                else "fall between two published levels"
            )
            rows.append(
                _result(
                    c,
                    rounding_rule,
                    result=result,
                    reading=reading,
                    exact=ia.is_point and ib.is_point,
                    recomputed=shown,
                    **{"from": f"{r['from_claim_id']}: {_text(a)}", "to": f"{r['to_claim_id']}: {_text(b)}"},
                )
            )
        elif r["method"] == "share_to_level":
            lo, hi = share_counts(by_id[r["from_claim_id"]], by_id[r["base_claim_id"]], rounding_rule)
            now = int(by_id[r["to_claim_id"]]["value"])
            result = pct_fall(Interval(Fraction(lo), Fraction(hi)), Interval.point(now))
            rows.append(
                _result(
                    c,
                    rounding_rule,
                    result=result,
                    reading=r["reading"],
                    exact=False,
                    recomputed=exact_pct_span(result, 2),
                    **{
                        "from": f"{r['from_claim_id']} x {r['base_claim_id']}: {span(lo, hi)} {r['label']}",
                        "to": f"{r['to_claim_id']}: {count(now)}",
                    },
                )
            )
        elif r["method"] == "removed_share":
            share, base = by_id[r["from_claim_id"]], by_id[r["base_claim_id"]]
            lo, hi = share_counts(share, base, rounding_rule)
            rows.append(
                _result(
                    c,
                    rounding_rule,
                    result=Interval(Fraction(lo), Fraction(hi)),
                    exact=False,
                    reading=r["reading"].format(share=_text(share), base=_text(base)),
                    recomputed=span(lo, hi),
                    **{
                        "from": f"{r['from_claim_id']} x {r['base_claim_id']}: {_text(share)} of {_text(base)}",
                        "to": r["label"],
                    },
                )
            )
        else:
            raise ValueError(f"matrix_changes.csv: unknown method {r['method']!r}")
    return pd.DataFrame(rows)
