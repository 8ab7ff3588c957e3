"""The lists the panel compares (data/manual/panel_lists.csv): each list's
size (a count claim), its group share (a percent of that size) and, where
published, its age profile as arithmetic over claim ids
(data/manual/panel_list_bands.csv; percents stand for every whole count of n
their rounding allows). Band edges that were never published (the youngest
and oldest ages) are parameters."""

from __future__ import annotations

from fractions import Fraction

import pandas as pd

from police_lists.methods.expressions import evaluate, expression_names
from police_lists.methods.rounding import Interval, consistent_counts, point_count
from police_lists.readers import claims as claims_mod
from police_lists.readers.manual import read_manual


def load_lists(data_dir: str = "data") -> dict[str, dict]:
    """data/manual/panel_lists.csv with each list's bands from panel_list_bands.csv, by list name."""
    bands = read_manual("panel_list_bands", data_dir)
    out = {}
    for _, r in read_manual("panel_lists", data_dir).iterrows():
        mine = bands[bands["list"] == r["list"]]
        out[r["list"]] = dict(
            label=r["label"],
            n=r["size_claim_id"],
            k=r["share_claim_id"],
            bands=list(zip(mine["band"], mine["expression"])) or None,
            youngest=r["youngest_claim_id"] or None,
            victims_period=r["victims_period"],
            note=r["note"],
        )
    return out


# Nobody under the age of criminal responsibility (10 in England and Wales) can
# be an offender: the default youngest age where none was published.
AGE_OF_CRIMINAL_RESPONSIBILITY = 10


def _percent_counts(claim: pd.Series, n: int, rounding_rule: str) -> tuple[int, int]:
    rule = claims_mod.claim_rule(claim, rounding_rule)
    ks = consistent_counts(
        claim["value"], n, rule if rule in ("half_up", "truncate") else "half_up", claim["precision"] or None
    )
    if len(ks) == 0:
        raise ValueError(f"{claim['claim_id']}: {claim['value']}% of {n} is impossible under {rule}")
    return ks.start, ks.stop - 1


def list_inputs(
    list_name: str,
    data_dir: str = "data",
    rounding_rule: str = "half_up",
    youngest_age: int | None = None,
    oldest_age: int = 200,
) -> dict:
    """k (low, high, point), n, and the age profile of a known list, from its claims.

    The point count is the whole count nearest to percent x n / 100 (methods.rounding.POINT_RULE); the age profile maps band labels to count ranges."""
    lists = load_lists(data_dir)
    if list_name not in lists:
        raise ValueError(f"unknown list {list_name!r}; known: {', '.join(lists)}")
    spec = lists[list_name]
    by_id = claims_mod.claims_by_id(data_dir)
    n = int(by_id[spec["n"]]["value"])
    k_claim = by_id[spec["k"]]
    lo, hi = _percent_counts(k_claim, n, rounding_rule)
    point = point_count(k_claim["value"], n)
    out = {
        "list_name": list_name,
        "label": spec["label"],
        "n": n,
        "k": (lo, hi, point),
        "n_claim": spec["n"],
        "k_claim": spec["k"],
        "k_published": claims_mod.published_text(k_claim),
        "source_ids": sorted({by_id[spec["n"]]["source_id"], k_claim["source_id"]}),
        "ref_date": k_claim["ref_date"],
        "victims_period": spec["victims_period"],
        "note": spec["note"],
        "age_profile": None,
        "age_claims": [],
        "youngest_age": None,
    }
    if spec["bands"]:
        if youngest_age is None:
            youngest_age = int(by_id[spec["youngest"]]["value"]) if spec["youngest"] else AGE_OF_CRIMINAL_RESPONSIBILITY
        values = {}
        profile = {}
        for template, expression in spec["bands"]:
            for name in expression_names(expression):
                c = by_id[name]
                if c["unit"] == "count":
                    values[name] = Interval.point(Fraction(int(c["value"])))
                else:
                    values[name] = Interval(*(Fraction(x) for x in _percent_counts(c, n, rounding_rule)))
                out["age_claims"].append(name)
            iv = evaluate(expression, values)
            band = template.format(youngest=youngest_age, oldest=oldest_age)
            if oldest_age >= 100:
                band = band.replace(f"-{oldest_age}", "+")
            profile[band] = (max(int(iv.lo), 0), min(int(iv.hi), n))
        out["age_profile"] = profile
        out["youngest_age"] = youngest_age
        out["age_claims"] = sorted(set(out["age_claims"]))
    return out
