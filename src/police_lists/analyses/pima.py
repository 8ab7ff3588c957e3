"""Operation Pima: base counts as intervals, the funnel, and disproportionality
carried over every count the published rounding allows.

The FOI answers behind the published figures were not released, so every
count here is the set of whole numbers consistent with a rounded percentage
of 758 (methods.md 3.1), never a single invented number. A point value is
shown next to each range and is named: the whole count nearest to
percent x base / 100.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pandas as pd

from police_lists.contract.paths import data_dir as _data_dir
from police_lists.methods import stats
from police_lists.methods.expressions import evaluate, expression_names
from police_lists.methods.rounding import POINT_RULE, Interval, consistent_counts, point_count
from police_lists.readers import census, claims as claims_mod

BASE_TABLE = "manual/pima_base_table.csv"
LIST_SIZE = "P3"  # claim id: people visited or attempted
BLACK_SHARE = "PD3"

# Claim ids of the funnel, in order, from the planned list to diversion.
FUNNEL = [
    ("P8", "planned list (Met, May 2020)"),
    ("P3", "visited or attempted (Liberty Investigates FOI)"),
    ("P11", "visited (LBC FOI)"),
    ("P12", "follow-up engagements (LBC FOI)"),
    ("P15", "expressed interest in diversion (Liberty Investigates)"),
    ("P13", "interested in diversion (LBC FOI)"),
    ("P14", "further people who made contact (LBC FOI)"),
]


def count_range(claim: pd.Series, by_id: dict, rounding_rule: str) -> tuple[Interval, Fraction]:
    """(range of whole counts, point count) for a count claim or a percent of a count."""
    if claim["unit"] == "count" and claim["rounding"] == "exact":
        v = Fraction(int(claim["value"]))
        return Interval(v, v), v
    if claim["unit"] == "percent" and claim["base_claim_id"]:
        n = int(by_id[claim["base_claim_id"]]["value"])
        ks = consistent_counts(claim["value"], n, rounding_rule, claim["precision"] or None)
        if len(ks) == 0:
            raise ValueError(f"{claim['claim_id']}: {claim['value']}% of {n} is impossible under {rounding_rule}")
        return Interval(Fraction(ks.start), Fraction(ks.stop - 1)), Fraction(point_count(claim["value"], n))
    raise ValueError(f"{claim['claim_id']}: not a count or a percent of a published count")


def base_counts(data_dir: str = "data", rounding_rule: str = "half_up") -> pd.DataFrame:
    """The Pima base tables: each category's count range, point value and rule."""
    by_id = claims_mod.claims_by_id(data_dir)
    spec = pd.read_csv(_data_dir(data_dir) / BASE_TABLE, dtype=str, keep_default_na=False)
    rows = []
    for _, row in spec.iterrows():
        names = expression_names(row["definition"])
        ranges, points = {}, {}
        for name in names:
            ranges[name], points[name] = count_range(by_id[name], by_id, rounding_rule)
        rng = evaluate(row["definition"], ranges)
        point = evaluate(row["definition"], {k: Interval.point(v) for k, v in points.items()})
        rows.append({
            "table": row["table"], "category": row["category"], "definition": row["definition"],
            "source_ids": " ".join(sorted({by_id[n]["source_id"] for n in names})),
            "count_low": int(rng.lo), "count_high": int(rng.hi), "point_value": int(point.lo),
            "point_rule": POINT_RULE, "rounding_rule": rounding_rule, "note": row["note"],
        })
    out = pd.DataFrame(rows)
    # Inline assumption checks (The Markup style): the point values of a
    # partition must add up to the list size, and every point lies in its range.
    n = int(by_id[LIST_SIZE]["value"])
    age = out[(out["table"] == "age") & (out["category"] != "18 or under")]
    assert age["point_value"].sum() == n, "age point values must add up to the list size"
    assert out[out["table"] == "ethnicity"]["point_value"].sum() == n
    assert ((out["count_low"] <= out["point_value"]) & (out["point_value"] <= out["count_high"])).all()
    return out


def shares(base: pd.DataFrame, n: int, confidence: float, method: str) -> pd.DataFrame:
    """Share of the list in each category with its interval, at the point value
    and as the envelope over every count in the category's range."""
    rows = []
    for _, r in base.iterrows():
        at_point = stats.share(r["point_value"], n, confidence, method)
        env = stats.envelope(stats.share(k, n, confidence, method) for k in range(r["count_low"], r["count_high"] + 1))
        rows.append({
            "table": r["table"], "category": r["category"], "count_low": r["count_low"],
            "count_high": r["count_high"], "point_value": r["point_value"], "share": at_point.value,
            "ci_low": at_point.low, "ci_high": at_point.high, "share_low_over_range": r["count_low"] / n,
            "share_high_over_range": r["count_high"] / n, "ci_low_over_range": env.low,
            "ci_high_over_range": env.high, "ci_method": method, "confidence": confidence,
        })
    return pd.DataFrame(rows)


def disproportionality(k_range: tuple[int, int], k_point: int, n: int, benchmark_share: float,
                       population: int, confidence: float, ci_method: str, ratio_method: str,
                       benchmark_label: str) -> pd.DataFrame:
    """Both measures, named, at the point count and over the whole count range:
    the share ratio (list share / benchmark share) and the rate ratio of the
    group against everyone else in the benchmark population; plus the gap."""
    group_pop = stats.benchmark_group_count(benchmark_share, population)
    ks = range(k_range[0], k_range[1] + 1)
    dr = stats.disproportionality_ratio(k_point, n, benchmark_share, confidence, ci_method)
    dr_env = stats.envelope(stats.disproportionality_ratio(k, n, benchmark_share, confidence, ci_method) for k in ks)
    rr = stats.group_vs_rest_rate_ratio(k_point, n, group_pop, population, confidence, ratio_method)
    rr_env = stats.envelope(stats.group_vs_rest_rate_ratio(k, n, group_pop, population, confidence, ratio_method)
                            for k in ks)
    gap = stats.percentage_point_gap(k_point / n, benchmark_share)
    return pd.DataFrame([
        {"measure": "share ratio (list share / benchmark share)", "benchmark": benchmark_label,
         "benchmark_share": benchmark_share, "value": dr.value, "ci_low": dr.low, "ci_high": dr.high,
         "value_low_over_range": min(k / n for k in ks) / benchmark_share,
         "value_high_over_range": max(k / n for k in ks) / benchmark_share,
         "ci_low_over_range": dr_env.low, "ci_high_over_range": dr_env.high, "interval_method": dr.method},
        {"measure": "rate ratio, group vs rest of population", "benchmark": benchmark_label,
         "benchmark_share": benchmark_share, "value": rr.value, "ci_low": rr.low, "ci_high": rr.high,
         "value_low_over_range": stats.group_vs_rest_rate_ratio(ks[0], n, group_pop, population).value,
         "value_high_over_range": stats.group_vs_rest_rate_ratio(ks[-1], n, group_pop, population).value,
         "ci_low_over_range": rr_env.low, "ci_high_over_range": rr_env.high, "interval_method": rr.method},
        {"measure": "percentage-point gap (list share - benchmark share)", "benchmark": benchmark_label,
         "benchmark_share": benchmark_share, "value": gap, "ci_low": float("nan"), "ci_high": float("nan"),
         "value_low_over_range": stats.percentage_point_gap(ks[0] / n, benchmark_share),
         "value_high_over_range": stats.percentage_point_gap(ks[-1] / n, benchmark_share),
         "ci_low_over_range": float("nan"), "ci_high_over_range": float("nan"), "interval_method": "none (exact description)"},
    ])


def benchmark_options(data_dir: str, claim_share: float, claim_id: str) -> list[tuple[str, float]]:
    """The published benchmark and the two censuses it could have come from."""
    out = [(f"published {claim_id}", claim_share)]
    for key in ("london_2011_black_all_ages", "london_2021_black_all_ages"):
        k, n = census.census_share(key, data_dir)
        out.append((f"census {key}", k / n))
    return out


def funnel(data_dir: str = "data") -> pd.DataFrame:
    by_id = claims_mod.claims_by_id(data_dir)
    rows = []
    for claim_id, stage in FUNNEL:
        c = by_id[claim_id]
        rows.append({"claim_id": claim_id, "stage": stage, "published": claims_mod.published_text(c),
                     "value": int(c["value"]), "rounding": c["rounding"], "source_id": c["source_id"],
                     "ref_date": c["ref_date"]})
    return pd.DataFrame(rows)


def check_benchmark(data_dir: str, benchmark_share: float, benchmark_source: str) -> str:
    """The benchmark must trace to a source: a percent claim in claims.csv or a
    census key. Returns a one-line description; raises ValueError if the share
    does not match what the source gives."""
    by_id = claims_mod.claims_by_id(data_dir)
    if benchmark_source in by_id:
        claim = by_id[benchmark_source]
        if claim["unit"] != "percent":
            raise ValueError(f"benchmark_source {benchmark_source} is a {claim['unit']}, not a percent")
        published = float(Decimal(claim["value"]) / 100)
        if abs(published - benchmark_share) > 1e-12:
            raise ValueError(f"benchmark_share = {benchmark_share} but {benchmark_source} published "
                             f"{claim['value']}%; pass -p benchmark_share {published}")
        return f"{claim['value']}% ({benchmark_source}, {claim['source_id']})"
    if benchmark_source in census.CENSUS_SHARE_KEYS:
        k, n = census.census_share(benchmark_source, data_dir)
        if abs(k / n - benchmark_share) > 0.0005:
            raise ValueError(f"benchmark_share = {benchmark_share} but census {benchmark_source} gives "
                             f"{k:,} of {n:,} = {k / n:.4f}")
        return f"{100 * k / n:.2f}% (census {benchmark_source}: {k:,} of {n:,})"
    raise ValueError(f"benchmark_source {benchmark_source!r} is neither a claim id in claims.csv "
                     f"nor a census key ({', '.join(sorted(census.CENSUS_SHARE_KEYS))})")


def sources_table(data_dir: str = "data", subject: str = "pima") -> pd.DataFrame:
    """Sources cited by a subject's claims, with the claims each supports."""
    claims = claims_mod.load_claims(data_dir)
    claims = claims[claims["subject"] == subject]
    sources = claims_mod.load_sources(data_dir).set_index("source_id")
    rows = []
    for source_id, group in claims.groupby("source_id", sort=True):
        s = sources.loc[source_id]
        rows.append({"source_id": source_id, "publisher": s["publisher"], "title": s["title"], "date": s["date"],
                     "url": s["url"], "claims": " ".join(group["claim_id"]), "n_claims": len(group)})
    return pd.DataFrame(rows).sort_values(["date", "source_id"], kind="stable").reset_index(drop=True)


def rounding_only_range(list_claim: pd.Series, benchmark_claim: pd.Series, rounding_rule: str) -> tuple[float, float]:
    """Share-ratio range implied by the rounding of the two printed percentages
    alone, ignoring the list size (methods.md R14: 61% vs 13% -> [4.48, 4.92))."""
    a = claims_mod.claim_interval(list_claim, rounding_rule)
    b = claims_mod.claim_interval(benchmark_claim, rounding_rule)
    r = a / b
    return float(r.lo), float(r.hi)


def funnel_rates(data_dir: str = "data") -> pd.DataFrame:
    """The published 'interest' figures over each possible denominator: the
    arithmetic behind the LBC and Liberty Investigates framings."""
    by_id = claims_mod.claims_by_id(data_dir)
    pairs = [("P13", "P8"), ("P13", "P11"), ("P13", "P3"), ("P15", "P3"), ("P15", "P11"), ("P15", "P8")]
    rows = []
    for num_id, den_id in pairs:
        num, den = by_id[num_id], by_id[den_id]
        rows.append({"numerator": f"{num_id}: {claims_mod.published_text(num)}",
                     "denominator": f"{den_id}: {claims_mod.published_text(den)}",
                     "percent": 100 * int(num["value"]) / int(den["value"]),
                     "denominator_exact": den["rounding"] == "exact"})
    return pd.DataFrame(rows)
