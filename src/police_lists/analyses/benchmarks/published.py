"""Published benchmark figures: which published shares serve as benchmarks, of
which kind and with which caveat, is a human decision in data/manual/benchmarks.csv."""

from __future__ import annotations

import pandas as pd

from police_lists.analyses.benchmarks.model import POLICE, POLICE_CAVEAT, Benchmark
from police_lists.readers import census
from police_lists.readers import claims as claims_mod
from police_lists.readers.manual import read_manual

BENCHMARKS_CSV = "manual/benchmarks.csv"


def load_benchmark_claims(data_dir: str = "data") -> pd.DataFrame:
    """data/manual/benchmarks.csv: published benchmark figures (claim ids)."""
    return read_manual("benchmarks", data_dir)


def claim_benchmark(
    benchmark_id: str,
    *,
    group: str = "Black",
    include_mixed_black: bool = False,
    rounding_rule: str = "half_up",
    data_dir: str = "data",
) -> Benchmark:
    """A published benchmark share (data/manual/benchmarks.csv -> data/claims.csv).
    The share is the printed value, taken as known; share_low/high is the range
    its rounding allows."""
    table = load_benchmark_claims(data_dir).set_index("benchmark_id")
    if benchmark_id not in table.index:
        raise ValueError(
            f"unknown benchmark {benchmark_id!r}: not a census id, a homicide id, or a row of "
            f"{BENCHMARKS_CSV} ({', '.join(table.index)})"
        )
    row = table.loc[benchmark_id]
    if group != row["group"]:
        raise ValueError(f"benchmark {benchmark_id!r} is a published {row['group']} share; group is {group!r}")
    claim = claims_mod.claim(row["claim_id"], data_dir)
    if claim["unit"] != "percent":
        raise ValueError(f"{BENCHMARKS_CSV}: benchmark {benchmark_id} cites {row['claim_id']}, which is not a percent")
    interval = claims_mod.claim_interval(claim, rounding_rule)
    population_total = None
    if row["population_key"]:
        population_total = census.census_share(row["population_key"], data_dir=data_dir)[1]
    caveat = [row["caveat"]]
    if row["kind"] == POLICE:
        caveat.insert(0, POLICE_CAVEAT)
    if include_mixed_black:
        caveat.append(
            "a published share: its definition of Black is the publisher's, include_mixed_black does not apply"
        )
    return Benchmark(
        id=benchmark_id,
        label=f"{row['label']} ({claims_mod.published_text(claim)}, {row['claim_id']})",
        kind=row["kind"],
        share=float(claim["value"]) / 100,
        share_low=float(interval.lo) / 100,
        share_high=float(interval.hi) / 100,
        source_id=claim["source_id"],
        ref_date=claim["ref_date"],
        age_range=row["age_range"],
        caveat="; ".join(caveat),
        population_total=population_total,
        claim_id=row["claim_id"],
        group_definition=f"{row['group']} (as published)",
        area=row["area"],
    )
