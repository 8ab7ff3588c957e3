"""The claims ledger: every published figure, recomputed where the published
record allows, with a status and the arithmetic behind it.

Inputs (all in data/): sources.csv, claims.csv and manual/claim_checks.csv,
where a person decided how each claim can be checked. Output: one ledger row
per claim (outputs/tables/claims_ledger.csv).
"""

from __future__ import annotations

from fractions import Fraction

import pandas as pd

from police_lists.contract.standards import CONSISTENT, INCONSISTENT, NOT_CHECKABLE, REPRODUCED, STATUSES
from police_lists.methods.expressions import evaluate, expression_names
from police_lists.methods.rounding import Interval, consistent_counts, rounds_to
from police_lists.readers import census
from police_lists.readers.claims import (
    claim_interval,
    claim_rule,
    claims_by_id,
    load_checks,
    load_claims,
    load_sources,
    published_text,
)

LEDGER_COLUMNS = [
    "claim_id",
    "subject",
    "measure",
    "published",
    "unit",
    "ref_date",
    "source_id",
    "evidence",
    "check",
    "expression",
    "recomputed",
    "implied_low",
    "implied_high",
    "status",
    "reason",
]


def _fmt(x: Fraction | None, unit: str) -> str:
    if x is None:
        return ""
    if x.denominator == 1:
        return f"{int(x):,}"
    return f"{float(x):.2f}"


def _row(claim, check, status, reason, recomputed="", low=None, high=None) -> dict:
    return {
        "claim_id": claim["claim_id"],
        "subject": claim["subject"],
        "measure": claim["measure"],
        "published": published_text(claim),
        "unit": claim["unit"],
        "ref_date": claim["ref_date"],
        "source_id": claim["source_id"],
        "evidence": claim["evidence"],
        "check": check["check"],
        "expression": check["expression"],
        "recomputed": recomputed,
        "implied_low": "" if low is None else _fmt(low, claim["unit"]),
        "implied_high": "" if high is None else _fmt(high, claim["unit"]),
        "status": status,
        "reason": reason,
    }


def check_share_of(claim, check, claims_by_id, rounding_rule) -> dict:
    base = claims_by_id[check["expression"]]
    rule = claim_rule(claim, rounding_rule)
    what = f"{claim['value']}% of {published_text(base)} ({rule.replace('_', ' ')})"
    if base["rounding"] != "exact":
        # The base is itself rounded: bound the count by interval arithmetic.
        counts = claim_interval(claim, rounding_rule) * claim_interval(base) / Interval.point(100)
        return _row(
            claim,
            check,
            CONSISTENT,
            f"{what}: the base is not exact, so the count lies in {counts.format(0)}",
            counts.format(0),
            counts.lo,
            counts.hi,
        )
    if rule not in ("half_up", "truncate"):
        return _row(claim, check, NOT_CHECKABLE, f"{what}: no count range for rounding '{rule}'")
    ks = consistent_counts(claim["value"], int(base["value"]), rule, claim["precision"] or None)
    if len(ks) == 0:
        return _row(
            claim,
            check,
            INCONSISTENT,
            f"{what}: no whole number of people out of {published_text(base)} gives this percentage",
        )
    n_values = len(ks)
    return _row(
        claim,
        check,
        CONSISTENT,
        f"{what} allows {ks.start:,}–{ks.stop - 1:,} people ({n_values} whole counts); "
        "the count itself was not published",
        f"{ks.start:,}–{ks.stop - 1:,}",
        Fraction(ks.start),
        Fraction(ks.stop - 1),
    )


def _compare(claim, check, result: Interval, inputs_exact: bool, rounding_rule: str, shown: str) -> dict:
    comparator = check["comparator"] or "="
    stated = claim_interval(claim, rounding_rule)
    rule = claim_rule(claim, rounding_rule)
    if comparator == "=":
        if inputs_exact and result.is_point:
            ok = rounds_to(result.lo, claim["value"], rule, claim["precision"] or None)
            status = REPRODUCED if ok else INCONSISTENT
            verb = "gives" if ok else "gives, which does not round to the published figure:"
            return _row(
                claim, check, status, f"{shown} {verb} {result.format(2)}", result.format(2), result.lo, result.hi
            )
        ok = result.overlaps(stated)
        status = CONSISTENT if ok else INCONSISTENT
        relation = "overlaps" if ok else "does not overlap"
        return _row(
            claim,
            check,
            status,
            f"{shown} lies in {result.format(2)}, which {relation} the published "
            f"{published_text(claim)} ({stated.format(2)})",
            result.format(2),
            result.lo,
            result.hi,
        )
    # Order checks: the claim must be at most / at least the expression.
    if comparator == "<=":
        certain = stated.hi is not None and result.lo is not None and stated.hi <= result.lo
        impossible = stated.lo is not None and result.hi is not None and stated.lo > result.hi
    else:
        certain = stated.lo is not None and result.hi is not None and stated.lo >= result.hi
        impossible = stated.hi is not None and result.lo is not None and stated.hi < result.lo
    status = INCONSISTENT if impossible else CONSISTENT
    verdict = "cannot hold" if impossible else ("holds" if certain else "can hold within rounding")
    return _row(
        claim,
        check,
        status,
        f"order check {published_text(claim)} {comparator} {shown} = {result.format(2)}: {verdict}",
        result.format(2),
        result.lo,
        result.hi,
    )


def check_expression(claim, check, claims_by_id, rounding_rule) -> dict:
    names = expression_names(check["expression"])
    values = {}
    for name in names:
        values[name] = claim_interval(claims_by_id[name], rounding_rule)
    inputs_exact = all(v is not None and v.is_point for v in values.values())
    result = evaluate(check["expression"], values)
    shown = check["expression"]
    for name in sorted(set(names), key=len, reverse=True):
        shown = shown.replace(name, f"{name} ({published_text(claims_by_id[name])})")
    return _compare(claim, check, result, inputs_exact, rounding_rule, shown)


def check_census_share(claim, check, rounding_rule, data_dir) -> dict:
    k, n = census.census_share(check["expression"], data_dir=data_dir)
    pct = Fraction(100 * k, n)
    shown = f"census {check['expression']}: {k:,} of {n:,}"
    return _compare(claim, check, Interval.point(pct), True, rounding_rule, shown)


def build_ledger(
    data_dir: str = "data", subjects: tuple[str, ...] | None = None, rounding_rule: str = "half_up"
) -> pd.DataFrame:
    """One row per claim with its recomputed value, implied range and status.

    `rounding_rule` is the rule assumed for published percentages whose
    source did not state one ('half_up' or 'truncate')."""
    by_id = claims_by_id(data_dir)
    checks = load_checks(data_dir).set_index("claim_id")
    rows = []
    for claim in by_id.values():
        if subjects and claim["subject"] not in subjects:
            continue
        check = checks.loc[claim["claim_id"]]
        check = {
            "check": check["check"],
            "expression": check["expression"],
            "comparator": check["comparator"],
            "note": check["note"],
        }
        kind = check["check"]
        if kind == "share_of":
            row = check_share_of(claim, check, by_id, rounding_rule)
        elif kind == "expression":
            row = check_expression(claim, check, by_id, rounding_rule)
        elif kind == "census_share":
            row = check_census_share(claim, check, rounding_rule, data_dir)
        else:
            row = _row(claim, check, NOT_CHECKABLE, check["note"])
        if kind != "not_checkable" and check["note"]:
            row["reason"] = f"{row['reason']}. {check['note']}"
        rows.append(row)
    return pd.DataFrame(rows, columns=LEDGER_COLUMNS)


def sources_table(data_dir: str = "data", subject: str = "pima") -> pd.DataFrame:
    """Sources cited by a subject's claims, with the claims each supports."""
    claims = load_claims(data_dir)
    claims = claims[claims["subject"] == subject]
    sources = load_sources(data_dir).set_index("source_id")
    rows = []
    for source_id, group in claims.groupby("source_id", sort=True):
        s = sources.loc[source_id]
        rows.append(
            {
                "source_id": source_id,
                "publisher": s["publisher"],
                "title": s["title"],
                "date": s["date"],
                "url": s["url"],
                "claims": " ".join(group["claim_id"]),
                "n_claims": len(group),
            }
        )
    return pd.DataFrame(rows).sort_values(["date", "source_id"], kind="stable").reset_index(drop=True)


def attach_status(table: pd.DataFrame, ledger: pd.DataFrame) -> pd.DataFrame:
    """Add each claim's ledger status and reason (build_ledger) to a table keyed by claim_id."""
    status = ledger[["claim_id", "status", "reason"]].rename(
        columns={"status": "ledger_status", "reason": "ledger_reason"}
    )
    return table.merge(status, on="claim_id", how="left", validate="many_to_one")


def status_counts(ledger: pd.DataFrame) -> dict[str, int]:
    """How many claims have each ledger status, in the order of strength."""
    tally = ledger["status"].value_counts()
    return {s: int(tally.get(s, 0)) for s in STATUSES}
