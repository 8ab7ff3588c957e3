"""The benchmark panel: for a list of n people with k in the group, every
measure against every benchmark, side by side (see the package docstring)."""

from __future__ import annotations

import pandas as pd

from police_lists.analyses.benchmarks.lists import load_lists
from police_lists.analyses.benchmarks.model import (
    ASR_MEASURE,
    GAP_MEASURE,
    POLICE,
    POPULATION,
    RATE_RATIO_MEASURE,
    RATIO_MEASURE,
    Benchmark,
)
from police_lists.analyses.benchmarks.registry import benchmark_set, resolve
from police_lists.analyses.benchmarks.standardise import age_standardised
from police_lists.methods import stats
from police_lists.readers import claims as claims_mod


def _k_range(k, n: int) -> tuple[int, int, float]:
    """(low, high, point) from an int, a (low, high) or a (low, high, point) tuple.
    Without a named point the midpoint of the range is used (and said so)."""
    if isinstance(k, bool):
        raise ValueError(f"k must be a whole count or a (low, high) tuple; got {k!r}")
    if isinstance(k, int):
        lo = hi = point = k
    else:
        items = tuple(k)
        if len(items) not in (2, 3) or not all(isinstance(x, int) and not isinstance(x, bool) for x in items):
            raise ValueError(f"k must be a whole count or a (low, high[, point]) tuple of whole counts; got {k!r}")
        lo, hi = items[0], items[1]
        point = items[2] if len(items) == 3 else (lo + hi) / 2
    if not (0 <= lo <= hi <= n) or not lo <= point <= hi:
        raise ValueError(f"need 0 <= low <= point <= high <= n; got k={k!r}, n={n!r}")
    if n <= 0:
        raise ValueError(f"n must be a positive whole count; got {n!r}")
    return lo, hi, point


PANEL_COLUMNS = [
    "benchmark",
    "benchmark_label",
    "benchmark_kind",
    "police_generated",
    "source_id",
    "claim_id",
    "ref_date",
    "area",
    "age_range",
    "group_definition",
    "benchmark_share",
    "benchmark_share_low",
    "benchmark_share_high",
    "benchmark_group_count",
    "benchmark_population",
    "k_low",
    "k_high",
    "k_point",
    "n",
    "list_share",
    "list_share_low",
    "list_share_high",
    "ratio_measure",
    "ratio",
    "ratio_low",
    "ratio_high",
    "ci_low",
    "ci_high",
    "ratio_interval_method",
    "ratio_rounding_low",
    "ratio_rounding_high",
    "rate_ratio_measure",
    "rate_ratio",
    "rate_ratio_low",
    "rate_ratio_high",
    "rr_ci_low",
    "rr_ci_high",
    "pp_gap",
    "pp_gap_low",
    "pp_gap_high",
    "composition_odds_ratio",
    "age_standardised_ratio",
    "age_standardised_ratio_low",
    "age_standardised_ratio_high",
    "asr_ci_low",
    "asr_ci_high",
    "asr_expected_low",
    "asr_expected_high",
    "asr_band_shares",
    "confidence",
    "caveat",
]


def _ratio_estimates(b: Benchmark, k, n, confidence, ci_method, ratio_method):
    if b.group_count is not None:
        return stats.ratio_of_proportions(k, n, b.group_count, b.population, confidence, ratio_method)
    return stats.disproportionality_ratio(k, n, b.share, confidence, ci_method)


def panel_row(
    b: Benchmark,
    k,
    n: int,
    *,
    age_profile: dict | None = None,
    confidence: float = 0.95,
    ci_method: str = "wilson",
    ratio_method: str = "koopman",
    data_dir: str = "data",
) -> dict:
    """One row of the panel (see panel())."""
    lo, hi, point = _k_range(k, n)
    ks = range(lo, hi + 1)
    p_point = point / n
    at_point = _ratio_estimates(b, point, n, confidence, ci_method, ratio_method)
    env = stats.envelope(_ratio_estimates(b, kk, n, confidence, ci_method, ratio_method) for kk in ks)
    row = {
        "benchmark": b.id,
        "benchmark_label": b.label,
        "benchmark_kind": b.kind,
        "police_generated": b.kind == POLICE,
        "source_id": b.source_id,
        "claim_id": b.claim_id,
        "ref_date": b.ref_date,
        "area": b.area,
        "age_range": b.age_range,
        "group_definition": b.group_definition,
        "benchmark_share": b.share,
        "benchmark_share_low": b.share_low,
        "benchmark_share_high": b.share_high,
        "benchmark_group_count": b.group_count,
        "benchmark_population": b.population or b.population_total,
        "k_low": lo,
        "k_high": hi,
        "k_point": point,
        "n": n,
        "list_share": p_point,
        "list_share_low": lo / n,
        "list_share_high": hi / n,
        "ratio_measure": RATIO_MEASURE,
        "ratio": p_point / b.share,
        "ratio_low": lo / n / b.share,
        "ratio_high": hi / n / b.share,
        "ci_low": env.low if lo != hi else at_point.low,
        "ci_high": env.high if lo != hi else at_point.high,
        "ratio_interval_method": (
            f"{ratio_method} two-sample (benchmark counted)"
            if b.group_count is not None
            else f"{ci_method} share interval / benchmark share (benchmark taken as known)"
        ),
        "ratio_rounding_low": lo / n / b.share_high,
        "ratio_rounding_high": hi / n / b.share_low,
        "rate_ratio_measure": "",
        "rate_ratio": None,
        "rate_ratio_low": None,
        "rate_ratio_high": None,
        "rr_ci_low": None,
        "rr_ci_high": None,
        "pp_gap": stats.percentage_point_gap(p_point, b.share),
        "pp_gap_low": stats.percentage_point_gap(lo / n, b.share),
        "pp_gap_high": stats.percentage_point_gap(hi / n, b.share),
        "composition_odds_ratio": (p_point / (1 - p_point)) / (b.share / (1 - b.share)) if p_point < 1 else None,
        "age_standardised_ratio": None,
        "age_standardised_ratio_low": None,
        "age_standardised_ratio_high": None,
        "asr_ci_low": None,
        "asr_ci_high": None,
        "asr_expected_low": None,
        "asr_expected_high": None,
        "asr_band_shares": "",
        "confidence": confidence,
        "caveat": b.caveat,
    }
    if b.kind == POPULATION and b.population_total:
        # N_g counted (census) or share x N to the nearest person (published share).
        total = b.population_total
        n_g = b.group_count if b.group_count is not None else stats.benchmark_group_count(b.share, total)
        rr = stats.group_vs_rest_rate_ratio(point, n, n_g, total, confidence, ratio_method)
        rrs = [stats.group_vs_rest_rate_ratio(kk, n, n_g, total, confidence, ratio_method) for kk in ks]
        row.update(
            {
                "rate_ratio_measure": RATE_RATIO_MEASURE,
                "rate_ratio": rr.value,
                "rate_ratio_low": rrs[0].value,
                "rate_ratio_high": rrs[-1].value,
                "rr_ci_low": rr.low if lo == hi else min(r.low for r in rrs),
                "rr_ci_high": rr.high if lo == hi else max(r.high for r in rrs),
            }
        )
    if age_profile and b.census_spec is not None:
        try:
            a = age_standardised((lo, hi), n, age_profile, b.census_spec, confidence, data_dir)
        except ValueError as exc:
            row["caveat"] += f"; no age-standardised ratio: {exc}"
        else:
            e_mid = (a["expected_low"] + a["expected_high"]) / 2
            row.update(
                {
                    "age_standardised_ratio": point / e_mid,
                    "age_standardised_ratio_low": a["asr_low"],
                    "age_standardised_ratio_high": a["asr_high"],
                    "asr_ci_low": a["asr_ci_low"],
                    "asr_ci_high": a["asr_ci_high"],
                    "asr_expected_low": a["expected_low"],
                    "asr_expected_high": a["expected_high"],
                    "asr_band_shares": a["band_shares"],
                }
            )
            if a["expected_low"] != a["expected_high"]:
                row["caveat"] += "; age-standardised point value uses the middle of the expected-count range"
    return row


def panel(
    k,
    n,
    *,
    benchmarks=None,
    group="Black",
    include_mixed_black=False,
    census_year=2021,
    age_profile=None,
    confidence=0.95,
    ci_method="wilson",
    ratio_method="koopman",
    data_dir="data",
) -> pd.DataFrame:
    """The benchmark panel for a list of n people, k of them in `group`.

    k: a whole count, a (low, high) tuple of whole counts (every count in it is
       carried through; the point value is the midpoint of the range) or a
       (low, high, point) tuple naming the point value.
    benchmarks: ids or Benchmark objects (custom_benchmark); None = the set 'catalogue' (benchmark_sets.csv).
       Census ids: <area>_[males_|females_]<ages>[@<year>], area london | met_area | ew,
       ages all_ages | under_18 | 10_24 | 25_plus, e.g. london_10_17@2011.
       Homicide victims: homicide_<knife|shooting|knife_or_shooting|all>_<a>_<b>[_males]@<start>-<end>.
       Published figures: benchmark_id in data/manual/benchmarks.csv.
    include_mixed_black: count Mixed White and Black Caribbean / African as Black (census only).
    census_year: year for census ids without '@year' (2011 or 2021).
    age_profile: optional {"10-17": (lo, hi), "18-24": (lo, hi), "25+": (lo, hi)} list counts by
       age band (whole counts or ranges; must be able to add up to n) for the indirectly
       age-standardised ratio, computed for census benchmarks only.

    One row per benchmark with the columns in PANEL_COLUMNS: the share ratio
    and its interval (at the point and the envelope over every count), the
    ratio range the rounding of both published figures allows, the
    group-vs-rest rate ratio where a population count exists (else empty),
    the percentage-point gap, the odds ratio of the two compositions, the
    age-standardised ratio with its range and interval, and a caveat. An id the
    tables cannot answer (e.g. 2011 ages 12-24) raises ValueError.
    """
    if census_year not in (2011, 2021):
        raise ValueError(f"census_year must be 2011 or 2021; got {census_year!r}")
    ids = (
        benchmark_set("catalogue", census_year=census_year, data_dir=data_dir)
        if benchmarks is None
        else list(benchmarks)
    )
    if not ids:
        raise ValueError("benchmarks is empty")
    rows = []
    for item in ids:
        b = resolve(
            item, group=group, include_mixed_black=include_mixed_black, census_year=census_year, data_dir=data_dir
        )
        rows.append(
            panel_row(
                b,
                k,
                n,
                age_profile=age_profile,
                confidence=confidence,
                ci_method=ci_method,
                ratio_method=ratio_method,
                data_dir=data_dir,
            )
        )
    return pd.DataFrame(rows, columns=PANEL_COLUMNS)


def list_panel(
    list_name: str, benchmark_ids: list, *, k=None, n: int | None = None, age_profile=None, **kwargs
) -> pd.DataFrame:
    """panel() for a named list (or custom k, n), with list columns in front."""
    if list_name == "custom":
        if not n or k is None:
            raise ValueError("a custom list needs its size n > 0 and its count k")
        label = "user list"
    else:
        label = load_lists(kwargs.get("data_dir", "data"))[list_name]["label"]
    out = panel(k, n, benchmarks=benchmark_ids, age_profile=age_profile, **kwargs)
    out.insert(0, "list_label", label)
    out.insert(0, "list", list_name)
    return out


def sensitivity(k, n, benchmark_ids: list, **kwargs) -> pd.DataFrame:
    """The panel's headline columns under each census year and each
    definition of Black, for census benchmarks (ids without '@year')."""
    rows = []
    for year in (2011, 2021):
        for mixed in (False, True):
            for item in benchmark_ids:
                try:
                    b = resolve(
                        item, include_mixed_black=mixed, census_year=year, data_dir=kwargs.get("data_dir", "data")
                    )
                except ValueError as exc:
                    rows.append(
                        {"census_year": year, "include_mixed_black": mixed, "benchmark": item, "note": str(exc)}
                    )
                    continue
                r = panel_row(b, k, n, **kwargs)
                rows.append(
                    {
                        "census_year": year,
                        "include_mixed_black": mixed,
                        "benchmark": item,
                        "group_definition": r["group_definition"],
                        "table": b.source_id,
                        "benchmark_share": r["benchmark_share"],
                        "benchmark_share_low": r["benchmark_share_low"],
                        "benchmark_share_high": r["benchmark_share_high"],
                        "ratio": r["ratio"],
                        "ci_low": r["ci_low"],
                        "ci_high": r["ci_high"],
                        "rate_ratio": r["rate_ratio"],
                        "pp_gap": r["pp_gap"],
                        "age_standardised_ratio": r["age_standardised_ratio"],
                        "note": "",
                    }
                )
    return pd.DataFrame(rows)


def panel_sources(panel_df: pd.DataFrame, data_dir: str = "data") -> pd.DataFrame:
    """For every ratio in a panel: the measures, the benchmark, its source
    (publisher, title, date, URL) and the benchmark's reference date."""
    sources = claims_mod.load_sources(data_dir).set_index("source_id")
    rows = []
    for _, r in panel_df.iterrows():
        s = sources.loc[r["source_id"]] if r["source_id"] in sources.index else None
        measures = [RATIO_MEASURE, GAP_MEASURE]
        if isinstance(r["rate_ratio_measure"], str) and r["rate_ratio_measure"]:
            measures.insert(1, RATE_RATIO_MEASURE)
        if pd.notna(r["age_standardised_ratio"]):
            measures.append(ASR_MEASURE)
        rows.append(
            {
                "list": r.get("list", ""),
                "benchmark": r["benchmark"],
                "benchmark_label": r["benchmark_label"],
                "benchmark_kind": r["benchmark_kind"],
                "measures": "; ".join(measures),
                "claim_id": r["claim_id"],
                "source_id": r["source_id"],
                "publisher": "" if s is None else s["publisher"],
                "title": "" if s is None else s["title"],
                "source_date": "" if s is None else s["date"],
                "url": "" if s is None else s["url"],
                "benchmark_ref_date": r["ref_date"],
            }
        )
    return pd.DataFrame(rows)
