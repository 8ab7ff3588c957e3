"""Operation Pima: base counts as intervals, the funnel, and disproportionality
carried over every count the published rounding allows.

The FOI answers behind the published figures were not released, so every
count here is the set of whole numbers consistent with a rounded percentage
of 758 (methods.md 3.1), never a single invented number. A point value is
shown next to each range and is named: the whole count nearest to
percent x base / 100.
"""

from __future__ import annotations

from fractions import Fraction

import pandas as pd

from police_lists.analyses import benchmarks
from police_lists.methods import stats
from police_lists.methods.expressions import evaluate, expression_names
from police_lists.methods.formatting import count, exact_pct, exact_pct_span, span
from police_lists.methods.rounding import POINT_RULE, Interval, consistent_counts, point_count, rounds_to
from police_lists.readers import census, labels
from police_lists.readers import claims as claims_mod
from police_lists.readers.manual import read_manual

LIST = "pima"  # the Pima list in data/manual/panel_lists.csv: its size and Black share are claims there


def list_claims(data_dir: str = "data") -> tuple[str, str]:
    """(claim id of the list size, claim id of its published Black share)."""
    spec = benchmarks.load_lists(data_dir)[LIST]
    return spec["n"], spec["k"]


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
    spec = read_manual("pima_base_table", data_dir)
    rows = []
    for _, row in spec.iterrows():
        names = expression_names(row["definition"])
        ranges, points = {}, {}
        for name in names:
            ranges[name], points[name] = count_range(by_id[name], by_id, rounding_rule)
        rng = evaluate(row["definition"], ranges)
        point = evaluate(row["definition"], {k: Interval.point(v) for k, v in points.items()})
        rows.append(
            {
                "table": row["table"],
                "category": row["category"],
                "definition": row["definition"],
                "source_ids": " ".join(sorted({by_id[n]["source_id"] for n in names})),
                "count_low": int(rng.lo),
                "count_high": int(rng.hi),
                "point_value": int(point.lo),
                "point_rule": POINT_RULE,
                "rounding_rule": rounding_rule,
                "note": row["note"],
            }
        )
    out = pd.DataFrame(rows)
    # Inline assumption checks (The Markup style): the point values of a
    # partition must add up to the list size, and every point lies in its range.
    n = int(by_id[list_claims(data_dir)[0]]["value"])
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
        rows.append(
            {
                "table": r["table"],
                "category": r["category"],
                "count_low": r["count_low"],
                "count_high": r["count_high"],
                "point_value": r["point_value"],
                "share": at_point.value,
                "ci_low": at_point.low,
                "ci_high": at_point.high,
                "share_low_over_range": r["count_low"] / n,
                "share_high_over_range": r["count_high"] / n,
                "ci_low_over_range": env.low,
                "ci_high_over_range": env.high,
                "ci_method": method,
                "confidence": confidence,
            }
        )
    return pd.DataFrame(rows)


def disproportionality(
    k_range: tuple[int, int],
    k_point: int,
    n: int,
    benchmark_share: float,
    population: int,
    confidence: float,
    ci_method: str,
    ratio_method: str,
    benchmark_label: str,
) -> pd.DataFrame:
    """Both measures, named, at the point count and over the whole count range:
    the share ratio (list share / benchmark share) and the rate ratio of the
    group against everyone else in the benchmark population; plus the gap.
    The benchmark share is taken as known, with `population` people behind it
    (benchmarks.panel_row computes every measure)."""
    b = benchmarks.custom_benchmark("pima_benchmark", benchmark_share, population=population)
    options = dict(confidence=confidence, ci_method=ci_method, ratio_method=ratio_method)
    at = benchmarks.panel_row(b, k_point, n, **options)
    over = benchmarks.panel_row(b, (k_range[0], k_range[1], k_point), n, **options)
    common = {"benchmark": benchmark_label, "benchmark_share": benchmark_share}
    return pd.DataFrame(
        [
            {
                "measure": "share ratio (list share / benchmark share)",
                **common,
                "value": at["ratio"],
                "ci_low": at["ci_low"],
                "ci_high": at["ci_high"],
                "value_low_over_range": over["ratio_low"],
                "value_high_over_range": over["ratio_high"],
                "ci_low_over_range": over["ci_low"],
                "ci_high_over_range": over["ci_high"],
                "interval_method": f"{ci_method} share interval / benchmark share",
            },
            {
                "measure": "rate ratio, group vs rest of population",
                **common,
                "value": at["rate_ratio"],
                "ci_low": at["rr_ci_low"],
                "ci_high": at["rr_ci_high"],
                "value_low_over_range": over["rate_ratio_low"],
                "value_high_over_range": over["rate_ratio_high"],
                "ci_low_over_range": over["rr_ci_low"],
                "ci_high_over_range": over["rr_ci_high"],
                "interval_method": ratio_method,
            },
            {
                "measure": "percentage-point gap (list share - benchmark share)",
                **common,
                "value": at["pp_gap"],
                "ci_low": float("nan"),
                "ci_high": float("nan"),
                "value_low_over_range": over["pp_gap_low"],
                "value_high_over_range": over["pp_gap_high"],
                "ci_low_over_range": float("nan"),
                "ci_high_over_range": float("nan"),
                "interval_method": "none (exact description)",
            },
        ]
    )


def benchmark_census(benchmark_id: str, data_dir: str = "data") -> tuple[str | None, str, str]:
    """(census id, assumption, claim id) behind a benchmark share: a census id is
    its own census; for a published share (a claim), the census year a person
    assumed for it (data/manual/assumptions.csv, kind census_vintage) and those
    words, 'if ...'; None and '' when unknown."""
    if census.CENSUS_ID.match(benchmark_id):
        return benchmark_id, "", ""
    b = benchmarks.resolve(benchmark_id, data_dir=data_dir)
    if not b.claim_id:
        return None, "", ""
    rows = read_manual("assumptions", data_dir)
    row = rows[(rows["claim_id"] == b.claim_id) & (rows["kind"] == "census_vintage")]
    if not len(row):
        return None, "", b.claim_id
    return row["assumed"].iloc[0], f"if {row['statement'].iloc[0]}", b.claim_id


def census_year(census_id: str | None) -> str | None:
    """'london_all_ages@2011' -> '2011'; None for None."""
    return census_id.rsplit("@", 1)[1] if census_id else None


def sensitivity_benchmarks(data_dir: str = "data") -> list[tuple[str, float, int]]:
    """(label, share, population) of each benchmark in the set 'pima_sensitivity'
    (benchmark_sets.csv): the published benchmark and the two censuses it could
    have come from. Each share's rate ratio takes the population of its own
    census year (for the published share, the year assumed for it), so no rate
    ratio mixes a share from one census with a population from another."""
    out = []
    for bid, label in benchmarks.benchmark_set("pima_sensitivity", labels=True, data_dir=data_dir):
        source, _, _ = benchmark_census(bid, data_dir)
        if source is None:
            raise ValueError(
                f"benchmark {bid!r} has no census year: add a census_vintage row to data/manual/assumptions.csv"
            )
        out.append((label, benchmarks.resolve(bid, data_dir=data_dir).share, population_total(source, data_dir)))
    return out


def funnel(data_dir: str = "data") -> pd.DataFrame:
    """The published funnel, from the planned list to diversion (data/manual/pima_funnel.csv)."""
    by_id = claims_mod.claims_by_id(data_dir)
    rows = []
    for claim_id, stage in read_manual("pima_funnel", data_dir)[["claim_id", "stage"]].itertuples(index=False):
        c = by_id[claim_id]
        rows.append(
            {
                "claim_id": claim_id,
                "stage": stage,
                "published": claims_mod.published_text(c),
                "value": int(c["value"]),
                "rounding": c["rounding"],
                "source_id": c["source_id"],
                "ref_date": c["ref_date"],
            }
        )
    return pd.DataFrame(rows)


def describe_benchmark(benchmark_id: str, data_dir: str = "data") -> tuple[float, str]:
    """(share, one-line description with its source) of a benchmark in the
    registry (benchmarks.resolve); raises ValueError for an unknown id."""
    if not benchmarks.is_benchmark_id(benchmark_id, data_dir):
        raise ValueError(f"benchmark {benchmark_id!r} is not a benchmark id (see analyses.benchmarks.registry)")
    b = benchmarks.resolve(benchmark_id, data_dir=data_dir)
    if b.claim_id:
        claim = claims_mod.claim(b.claim_id, data_dir)
        return b.share, f"{claim['value']}% ({b.claim_id}, {labels.name(claim['source_id'])})"
    if b.group_count is not None:
        return b.share, f"{100 * b.share:.2f}% ({labels.name(benchmark_id)}: {b.group_count:,} of {b.population:,})"
    return b.share, f"{100 * b.share:.2f}% ({b.label})"


def population_total(census_id: str, data_dir: str = "data") -> int:
    """Everyone in the population a census id names (the N of the rate ratio)."""
    b = benchmarks.resolve(census_id, data_dir=data_dir)
    if b.kind != benchmarks.POPULATION or not b.population_total or b.claim_id:
        raise ValueError(f"{census_id!r} is not a census population id (e.g. london_all_ages@2021)")
    return b.population_total


def rounding_only_range(list_claim: pd.Series, benchmark_claim: pd.Series, rounding_rule: str) -> tuple[float, float]:
    """Share-ratio range implied by the rounding of the two printed percentages
    alone, ignoring the list size (methods.md R14: 61% vs 13% -> [4.48, 4.92))."""
    a = claims_mod.claim_interval(list_claim, rounding_rule)
    b = claims_mod.claim_interval(benchmark_claim, rounding_rule)
    r = a / b
    return float(r.lo), float(r.hi)


def funnel_rates(data_dir: str = "data") -> pd.DataFrame:
    """The published 'interest' figures over each possible denominator
    (data/manual/pima_interest_rates.csv): the arithmetic behind the LBC and
    Liberty Investigates framings."""
    by_id = claims_mod.claims_by_id(data_dir)
    rows = []
    for num_id, den_id in read_manual("pima_interest_rates", data_dir).itertuples(index=False):
        num, den = by_id[num_id], by_id[den_id]
        rows.append(
            {
                "numerator": f"{num_id}: {claims_mod.published_text(num)}",
                "denominator": f"{den_id}: {claims_mod.published_text(den)}",
                "percent": 100 * int(num["value"]) / int(den["value"]),
                "denominator_exact": den["rounding"] == "exact",
            }
        )
    return pd.DataFrame(rows)


# --- The Pima conflicts (data/manual/conflicts.csv): their comparisons -------------------------------
# Each takes (claims by id, rounding rule, the conflict's inputs by role) and
# returns (arithmetic, verdict, explanation); analyses.matrix.conflicts builds
# the one conflicts table from these and the Matrix comparisons. A verdict
# holds no number: the figures are in the arithmetic and the explanation.


def cohort_uptake(by_id, rule, inp):
    """Cohort and uptake: are LBC's and Liberty Investigates' counts one list counted several ways?"""
    iv = {r: claims_mod.claim_interval(by_id[inp.one(r)], rule) for r in ("list", "visited", "visited_or_attempted")}
    text = {r: claims_mod.published_text(by_id[inp.one(r)]) for r in ("list", "visited", "visited_or_attempted")}
    nested = iv["visited"].hi <= iv["visited_or_attempted"].lo and iv["visited_or_attempted"].lo <= iv["list"].hi
    parts_ids = (inp.one("interested"), inp.one("further_contacts"))
    total_id = inp.one("interested_total")
    parts = sum(int(by_id[c]["value"]) for c in parts_ids)
    total = int(by_id[total_id]["value"])
    interested = int(by_id[parts_ids[0]]["value"])
    rate = by_id[inp.one("rate")]
    rate_iv = claims_mod.claim_interval(rate, rule)
    lbc_rate = Interval.point(100 * interested) / iv["list"]
    rates = {
        "visited": Fraction(100 * interested, int(iv["visited"].lo)),
        "visited_or_attempted": Fraction(100 * total, int(iv["visited_or_attempted"].lo)),
    }
    arithmetic = (
        f"{inp.one('visited')} {text['visited']} <= {inp.one('visited_or_attempted')} {text['visited_or_attempted']} "
        f"<= {inp.one('list')} {text['list']} ({span(int(iv['list'].lo), int(iv['list'].hi))}): "
        f"{'holds' if nested else 'fails'}; {parts_ids[0]} + {parts_ids[1]} = {count(parts)} "
        f"({'equals' if parts == total else 'differs from'} {total_id} {count(total)}); "
        f"{parts_ids[0]} / {inp.one('list')} = {exact_pct_span(lbc_rate, 1)} against {rate['claim_id']} "
        f"'{claims_mod.published_text(rate)}' ({'meets' if lbc_rate.overlaps(rate_iv) else 'misses'} it); "
        f"{parts_ids[0]} / {inp.one('visited')} = {exact_pct(rates['visited'], 1)}; "
        f"{total_id} / {inp.one('visited_or_attempted')} = {exact_pct(rates['visited_or_attempted'], 1)}"
    )
    if nested and parts == total:
        verdict = "unresolved: the counts fit one list counted several ways, but neither answer says so"
    elif nested:
        verdict = "unresolved: the counts can nest, but the interested count is not the sum of the other two"
    else:
        verdict = "unresolved: the counts cannot be one list counted several ways"
    explanation = (
        f"The {text['visited']} visited, the {text['visited_or_attempted']} visited or attempted and the list of "
        f"{text['list']} {'can' if nested else 'cannot'} be nested counts of one list, and "
        f"{parts_ids[0]} + {parts_ids[1]} ({count(parts)}) {'equals' if parts == total else 'does not equal'} the "
        f"{count(total)} who expressed an interest ({total_id}). "
        "Fitting is not proof: the two FOI answers describe different things and neither says its count includes "
        f"the other's. The uptake rate is {exact_pct(rates['visited'], 1)} or "
        f"{exact_pct(rates['visited_or_attempted'], 1)} depending on the denominator."
    )
    return arithmetic, verdict, explanation


def criterion_wordings(by_id, rule, inp):
    """Selection criterion: the published selection criteria, which count different things."""
    ids = inp.all("criterion")
    measures = {by_id[c]["base"] for c in ids}
    arithmetic = "; ".join(f"{c}: '{by_id[c]['quote']}' ({labels.name(by_id[c]['source_id'])})" for c in ids)
    if len(measures) > 1:
        verdict = "unresolved: the criteria count different things, so no arithmetic compares them"
    elif len({by_id[c]["value"] for c in ids}) == 1:
        verdict = "consistent: the criteria give the same number of the same thing"
    else:
        verdict = "inconsistent: the criteria give different numbers of the same thing"
    explanation = (
        f"The {len(ids)} accounts count {len(measures)} different things: "
        + "; ".join(sorted(measures))
        + ". Only the Met's own selection rule can say which, if any, was applied."
    )
    return arithmetic, verdict, explanation


def census_vintage(by_id, rule, inp):
    """Census year: which census a published share of London rounds to."""
    published = by_id[inp.one("published")]
    checks = claims_mod.load_checks(inp.data_dir).set_index("claim_id")
    fits, parts = {}, []
    for cid in inp.all("census"):
        census_id = checks.loc[cid, "expression"]
        k, n = census.census_share(census_id, data_dir=inp.data_dir)
        share = Fraction(100 * k, n)
        fits[census_id] = rounds_to(share, published["value"], claims_mod.claim_rule(published, rule))
        parts.append(
            f"{labels.name(census_id)}: {count(k)} of {count(n)} = {exact_pct(share, 2)} "
            f"({'rounds' if fits[census_id] else 'does not round'} to {claims_mod.published_text(published)})"
        )
    ordered = sorted(fits, key=lambda c: c.rsplit("@", 1)[1])
    arithmetic = "; ".join(parts)
    fitting = [c for c in ordered if fits[c]]
    if len(fitting) == 1:
        which = "earlier" if fitting[0] == ordered[0] else "later"
        verdict = f"unresolved: the share fits the {which} census only; the story names no source"
    elif fitting:
        verdict = "unresolved: the share fits every census tested; the story names no source"
    else:
        verdict = "unresolved: the share fits no census tested; the story names no source"
    sources = claims_mod.load_sources(inp.data_dir).set_index("source_id")
    explanation = (
        f"{published['claim_id']} ({claims_mod.published_text(published)}, {labels.name(published['source_id'])}, dated "
        f"{sources.loc[published['source_id'], 'date']}) fits "
        + (" and ".join(labels.name(c) for c in fitting) if fitting else "none of the censuses tested")
        + ". The census it fits is a reading of the arithmetic, not the source's word; the rate ratio in appendix 01 "
        "takes the census year recorded as an assumption in data/manual/assumptions.csv."
    )
    return arithmetic, verdict, explanation


PIMA_COMPARISONS = (cohort_uptake, criterion_wordings, census_vintage)
