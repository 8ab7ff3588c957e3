"""The claims ledger: every published figure, recomputed where the published
record allows, with a status and the arithmetic behind it.

Inputs (all in data/): sources.csv, claims.csv and manual/claim_checks.csv,
where a person decided how each claim can be checked. Output: one ledger row
per claim (outputs/tables/claims_ledger.csv).
"""

from __future__ import annotations

import re
from decimal import ROUND_FLOOR, Decimal
from fractions import Fraction

import pandas as pd

from police_lists.contract.standards import (
    CONSISTENT,
    CORROBORATED,
    EVIDENCE_STATUSES,
    INCONSISTENT,
    NO_TEST,
    NOT_CHECKABLE,
    ORDER_HOLDS,
    POWER_REQUIRED,
    REPRODUCED_EXACTLY,
    REPRODUCED_ROUNDED,
    STATUSES,
    UNDER_ASSUMPTION,
)
from police_lists.contract.standards import STATUS_DEFINITIONS as STATUS_DEFINITIONS  # for the notebooks
from police_lists.methods.expressions import evaluate, expression_names
from police_lists.methods.rounding import Interval, consistent_counts, digits_unit, rounds_to
from police_lists.readers import census, labels
from police_lists.readers.claims import (
    claim_interval,
    claim_rule,
    claims_by_id,
    load_checks,
    load_claims,
    load_sources,
    published_text,
)
from police_lists.readers.manual import read_manual

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
    "could_fail",
    "status",
    "assumption",
    "evidence_unit",
    "counted",
    "reason",
]


def _fmt(x: Fraction | None, unit: str) -> str:
    if x is None:
        return ""
    if x.denominator == 1:
        return f"{int(x):,}"
    return f"{float(x):.2f}"


def _row(claim, check, status, reason, recomputed="", low=None, high=None, could_fail=None, unit_id="") -> dict:
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
        "could_fail": "" if could_fail is None else ("yes" if could_fail else "no"),
        "status": status,
        "assumption": "",
        "evidence_unit": unit_id,
        "counted": "no",
        "reason": reason,
    }


def _join(*parts: str) -> str:
    """Sentences joined with one full stop between them."""
    return ". ".join(p.rstrip(". ") for p in parts if p)


def _unit_id(claim_id: str, others) -> str:
    """The evidence unit of a check: the set of figures it relates. Two checks
    relating the same figures (A = B - C and C = B - A) are one piece of evidence."""
    return "+".join(sorted({claim_id, *others}))


# --- The power test ------------------------------------------------------------------------------
# A check is evidence only if it could have failed: some other value printed the
# same way (same digits, same rounding) would have been judged inconsistent
# with the same inputs. Written here because it is the project's own rule over
# its own interval arithmetic; no library states it.


def _quantum(claim) -> Fraction:
    return Fraction(Decimal(claim["precision"]) if claim["precision"] else digits_unit(claim["value"]))


def _printed(v: Fraction, q: Fraction) -> str:
    """v floored to the grid of q, written with q's digits (the way a source would print it)."""
    dq = Decimal(q.numerator) / Decimal(q.denominator)
    steps = (Decimal(v.numerator) / Decimal(v.denominator) / dq).to_integral_value(rounding=ROUND_FLOOR)
    printed = steps * dq
    places = max(0, -dq.normalize().as_tuple().exponent)
    return f"{printed:.{places}f}"


def _fails(comparator: str, stated: Interval, result: Interval) -> bool:
    if comparator == "<=":
        return stated.lo is not None and result.hi is not None and stated.lo > result.hi
    if comparator == ">=":
        return stated.hi is not None and result.lo is not None and stated.hi < result.lo
    return not stated.overlaps(result)


def could_fail(claim, comparator: str, result: Interval, rounding_rule: str = "half_up") -> bool:
    """Could the comparison of `claim` with `result` have failed for some value
    printed with the claim's digits and rounding? Tries the values that can
    fail if any can: the bottom and top of the claim's domain and values just
    outside the result."""
    q = _quantum(claim)
    top = Fraction(100) if claim["unit"] == "percent" else None
    candidates = {Fraction(0)}
    if top is not None:
        candidates.add(top)
    if result.hi is not None:
        candidates.add(result.hi + 2 * q if top is None else min(top, result.hi + 2 * q))
    if result.lo is not None and result.lo - 2 * q >= 0:
        candidates.add(result.lo - 2 * q)
    for v in candidates:
        printed = _printed(v, q)
        stated = claim_interval(pd.Series({**claim.to_dict(), "value": printed}), rounding_rule)
        if stated is not None and _fails(comparator, stated, result):
            return True
    return False


def share_could_fail(claim, n: int, rule: str) -> bool:
    """Could a percentage printed with the claim's digits, of a base of n, have
    had no whole count at all? Every printable value from 0 to 100 is tried.
    A whole-number percentage of 100 or more people always has one."""
    q = _quantum(claim)
    unit = claim["precision"] or None
    steps = int(Fraction(100) / q)
    return any(len(consistent_counts(_printed(i * q, q), n, rule, unit)) == 0 for i in range(steps + 1))


# --- The checks ----------------------------------------------------------------------------------


def check_share_of(claim, check, claims_by_id, rounding_rule) -> dict:
    base = claims_by_id[check["expression"]]
    rule = claim_rule(claim, rounding_rule)
    unit_id = _unit_id(claim["claim_id"], [base["claim_id"]])
    what = f"{published_text(claim)} of {published_text(base)} ({rule.replace('_', ' ')})"
    if base["rounding"] != "exact":
        # The base is itself rounded: the count range is a product of ranges, and
        # nothing is compared with it.
        counts = claim_interval(claim, rounding_rule) * claim_interval(base) / Interval.point(100)
        return _row(
            claim,
            check,
            NO_TEST,
            f"{what}: the base is rounded, so the count lies in {counts.format(0)}; nothing is compared with it",
            counts.format(0),
            counts.lo,
            counts.hi,
            False,
            unit_id,
        )
    if rule not in ("half_up", "truncate"):
        return _row(claim, check, NOT_CHECKABLE, f"{what}: no count range for rounding '{rule}'")
    n = int(base["value"])
    ks = consistent_counts(claim["value"], n, rule, claim["precision"] or None)
    power = share_could_fail(claim, n, rule)
    if len(ks) == 0:
        return _row(
            claim,
            check,
            INCONSISTENT,
            f"{what}: no whole number of people out of {published_text(base)} gives this percentage",
            could_fail=power,
            unit_id=unit_id,
        )
    allowed = f"{what} allows {ks.start:,}–{ks.stop - 1:,} people ({len(ks)} whole counts); the count itself was not published"
    if not power:
        reason = f"{allowed}. Any count fits: every percentage printed this way of {n:,} people has a matching count"
    else:
        reason = f"{allowed}. Some percentages printed this way of {n:,} people have no whole count, so this one could have failed"
    return _row(
        claim,
        check,
        CONSISTENT if power else NO_TEST,
        reason,
        f"{ks.start:,}–{ks.stop - 1:,}",
        Fraction(ks.start),
        Fraction(ks.stop - 1),
        power,
        unit_id,
    )


def _compare(claim, check, result: Interval, inputs_exact: bool, rounding_rule: str, shown: str, unit_id: str) -> dict:
    row = _compare_values(claim, check, result, inputs_exact, rounding_rule, shown, unit_id)
    if row["could_fail"] == "no" and row["status"] != INCONSISTENT:
        # The power rule: a check no printed value could have failed shows nothing.
        row["status"] = NO_TEST
        row["reason"] += "; no value printed this way could have failed the check"
    return row


def _compare_values(claim, check, result, inputs_exact, rounding_rule, shown, unit_id) -> dict:
    comparator = check["comparator"] or "="
    stated = claim_interval(claim, rounding_rule)
    rule = claim_rule(claim, rounding_rule)
    power = could_fail(claim, comparator, result, rounding_rule)
    bound = rule in ("lower_bound", "upper_bound")
    if comparator == "=":
        if inputs_exact and result.is_point:
            ok = rounds_to(result.lo, claim["value"], rule, claim["precision"] or None)
            if not ok:
                status = INCONSISTENT
            elif bound:
                status = ORDER_HOLDS
            elif result.lo == Fraction(Decimal(claim["value"])):
                status = REPRODUCED_EXACTLY
            else:
                status = REPRODUCED_ROUNDED
            reason = f"{shown} gives {result.format(2)}" + (
                "" if ok else ", which does not round to the published figure"
            )
            return _row(claim, check, status, reason, result.format(2), result.lo, result.hi, power, unit_id)
        ok = result.overlaps(stated)
        inside = stated.contains(result.lo) and (result.hi is None or stated.contains(result.hi)) if ok else False
        status = INCONSISTENT if not ok else (ORDER_HOLDS if bound and inside else CONSISTENT)
        relation = "overlaps" if ok else "does not overlap"
        reason = (
            f"{shown} lies in {result.format(2)}, which {relation} the published "
            f"{published_text(claim)} ({stated.format(2)})"
        )
        return _row(claim, check, status, reason, result.format(2), result.lo, result.hi, power, unit_id)
    # Order checks: the claim must be at most / at least the expression.
    if comparator == "<=":
        certain = stated.hi is not None and result.lo is not None and stated.hi <= result.lo
    else:
        certain = stated.lo is not None and result.hi is not None and stated.lo >= result.hi
    impossible = _fails(comparator, stated, result)
    status = INCONSISTENT if impossible else (ORDER_HOLDS if certain else CONSISTENT)
    verdict = "cannot hold" if impossible else ("holds" if certain else "can hold within rounding")
    reason = f"order check {published_text(claim)} {comparator} {shown} = {result.format(2)}: {verdict}"
    return _row(claim, check, status, reason, result.format(2), result.lo, result.hi, power, unit_id)


def check_expression(claim, check, claims_by_id, rounding_rule) -> dict:
    names = expression_names(check["expression"])
    values = {}
    for name in names:
        values[name] = claim_interval(claims_by_id[name], rounding_rule)
    inputs_exact = all(v is not None and v.is_point for v in values.values())
    result = evaluate(check["expression"], values)
    shown = check["expression"]
    for name in sorted(set(names), key=len, reverse=True):
        shown = re.sub(rf"\b{name}\b", f"{name} ({published_text(claims_by_id[name])})", shown)
    return _compare(claim, check, result, inputs_exact, rounding_rule, shown, _unit_id(claim["claim_id"], set(names)))


def check_census_share(claim, check, rounding_rule, data_dir) -> dict:
    k, n = census.census_share(check["expression"], data_dir=data_dir)
    pct = Fraction(100 * k, n)
    shown = f"{labels.name(check['expression'])}: {k:,} of {n:,}"
    unit_id = _unit_id(claim["claim_id"], [check["expression"]])
    return _compare(claim, check, Interval.point(pct), True, rounding_rule, shown, unit_id)


def _run_check(claim, check, by_id, rounding_rule, data_dir) -> dict:
    kind = check["check"]
    if kind == "share_of":
        return check_share_of(claim, check, by_id, rounding_rule)
    if kind == "expression":
        return check_expression(claim, check, by_id, rounding_rule)
    if kind == "census_share":
        return check_census_share(claim, check, rounding_rule, data_dir)
    return _row(claim, check, NOT_CHECKABLE, check["note"])


# --- Corroboration pairs and assumptions (data/manual/) ------------------------------------------


def load_corroborations(data_dir: str = "data") -> dict[str, dict]:
    """data/manual/corroborations.csv by claim id."""
    return {r["claim_id"]: dict(r) for _, r in read_manual("corroborations", data_dir).iterrows()}


def load_assumptions(data_dir: str = "data") -> dict[str, dict]:
    """data/manual/assumptions.csv by claim id."""
    return {r["claim_id"]: dict(r) for _, r in read_manual("assumptions", data_dir).iterrows()}


def _described(ref: str, by_id) -> str:
    """A claim as '<id>: <published words>'; any other id (a census share) by its human name."""
    return f"{ref}: {published_text(by_id[ref])}" if ref in by_id else labels.name(ref)


def assumption_text(assumption: dict, by_id) -> str:
    """'if <statement> (<assumed figure>)', the words a row and the prose show."""
    text = f"if {assumption['statement']}"
    if assumption["assumed"]:
        text += f" ({_described(assumption['assumed'], by_id)})"
    return text


def _apply_pair(row: dict, pair: dict) -> dict:
    agree = row["status"] != INCONSISTENT
    relation = pair["relation"]
    row["evidence_unit"] = pair["pair_id"]
    if relation == "independent":
        row["status"] = CORROBORATED if agree else INCONSISTENT
        row["could_fail"] = "yes"
        lead = "an independent source's report of the same figure"
    elif relation == "restated":
        row["status"] = NO_TEST if agree else INCONSISTENT
        row["could_fail"] = "no" if agree else "yes"
        lead = "the same figure reported again by a source that took it from the other, not an independent test"
    else:
        row["status"] = NO_TEST
        row["could_fail"] = "no"
        lead = "one value printed for a differently described quantity: agreement or not, it tests nothing"
    row["reason"] = _join(f"Compared with {pair['other_claim_id']}, {lead}: {row['reason']}", pair["note"])
    return row


def _apply_assumption(row, claim, check, assumption, by_id, rounding_rule, data_dir) -> dict:
    text = assumption_text(assumption, by_id)
    row["assumption"] = text
    if row["status"] in POWER_REQUIRED or row["status"] == CORROBORATED:
        row["status"] = UNDER_ASSUMPTION
        row["reason"] = f"Holds {text}: {row['reason']}"
    else:
        row["reason"] = f"{text[0].upper()}{text[1:]}: {row['reason']}"
    alt = assumption["alternative"]
    if alt and assumption["assumed"] and check["check"] != "not_checkable":
        changed = dict(check)
        if check["check"] == "expression":
            changed["expression"] = re.sub(rf"\b{assumption['assumed']}\b", alt, check["expression"])
        else:
            changed["expression"] = alt
        other = _run_check(claim, changed, by_id, rounding_rule, data_dir)
        result = "fails" if other["status"] == INCONSISTENT else "also holds"
        row["reason"] = _join(row["reason"], f"With {_described(alt, by_id)} instead it {result}: {other['reason']}")
    return row


def _count_once(rows: list[dict]) -> None:
    """Mark one row per evidence unit as counted: the strongest evidence status,
    then the first in claims.csv order. No check is counted twice."""
    rank = {s: i for i, s in enumerate(STATUSES)}
    best: dict[str, dict] = {}
    for row in rows:
        if row["status"] not in EVIDENCE_STATUSES or not row["evidence_unit"]:
            continue
        held = best.get(row["evidence_unit"])
        if held is None or rank[row["status"]] < rank[held["status"]]:
            best[row["evidence_unit"]] = row
    for row in best.values():
        row["counted"] = "yes"
    for row in rows:
        if row["counted"] == "no" and row["status"] in EVIDENCE_STATUSES and row["evidence_unit"]:
            row["reason"] = _join(
                row["reason"], f"Counted once, with {best[row['evidence_unit']]['claim_id']} (the same check)"
            )


def build_ledger(
    data_dir: str = "data", subjects: tuple[str, ...] | None = None, rounding_rule: str = "half_up"
) -> pd.DataFrame:
    """One row per claim with its recomputed value, implied range, whether the
    check could have failed, its status, the assumption it rests on, and
    whether it is counted as evidence (once per evidence unit).

    `rounding_rule` is the rule assumed for published percentages whose
    source did not state one ('half_up' or 'truncate')."""
    by_id = claims_by_id(data_dir)
    checks = load_checks(data_dir).set_index("claim_id")
    pairs = load_corroborations(data_dir)
    assumptions = load_assumptions(data_dir)
    rows = []
    for claim in by_id.values():
        if subjects and claim["subject"] not in subjects:
            continue
        c = checks.loc[claim["claim_id"]]
        check = {"check": c["check"], "expression": c["expression"], "comparator": c["comparator"], "note": c["note"]}
        row = _run_check(claim, check, by_id, rounding_rule, data_dir)
        if check["check"] != "not_checkable" and check["note"]:
            row["reason"] = _join(row["reason"], check["note"])
        if claim["claim_id"] in pairs:
            row = _apply_pair(row, pairs[claim["claim_id"]])
        if claim["claim_id"] in assumptions:
            row = _apply_assumption(row, claim, check, assumptions[claim["claim_id"]], by_id, rounding_rule, data_dir)
        if row["status"] not in EVIDENCE_STATUSES:
            row["evidence_unit"] = row["evidence_unit"] if row["status"] == UNDER_ASSUMPTION else ""
        rows.append(row)
    _count_once(rows)
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
    """How many claims have each ledger status, in the order of STATUSES."""
    tally = ledger["status"].value_counts()
    return {s: int(tally.get(s, 0)) for s in STATUSES}


def evidence_count(ledger: pd.DataFrame) -> int:
    """Checks counted as evidence: statuses in EVIDENCE_STATUSES, each evidence unit once."""
    return int((ledger["counted"] == "yes").sum())


def checkable_count(ledger: pd.DataFrame) -> int:
    """Figures some other published figure or the census bears on (every status but not checkable)."""
    return int((ledger["status"] != NOT_CHECKABLE).sum())


def tally(ledger: pd.DataFrame) -> pd.DataFrame:
    """Rows per subject and status, with the evidence counted once per check."""
    table = pd.crosstab(ledger["subject"], ledger["status"]).reindex(columns=list(STATUSES), fill_value=0)
    table["counted as evidence"] = ledger[ledger["counted"] == "yes"].groupby("subject").size()
    table["counted as evidence"] = table["counted as evidence"].fillna(0).astype(int)
    table["figures"] = ledger.groupby("subject").size()
    return table
