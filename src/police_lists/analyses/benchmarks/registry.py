"""The benchmark registry: one id grammar for every benchmark, and the named
sets of benchmarks the appendices and the profile use (data/manual/benchmark_sets.csv).

Ids:
  census        <area>_[males_|females_]<ages>[@<year>] (readers.census.parse_census_id),
                area london | met_area | ew | pfa_<police force area code>,
                ages all_ages | under_18 | 10_24 | 25_plus,
                e.g. london_10_17@2011, pfa_E23000014_all_ages@2021 (West Midlands, all ages
                only); without '@year' the census_year in force
  victims       homicide_<knife|shooting|knife_or_shooting|all>_<a>_<b>[_males|_females][@<start>-<end>]
  published     a benchmark_id of data/manual/benchmarks.csv (a published share, by claim id)

A set's rows may use {ages} (an age range from-to, written a_b),
{victims_period} (years start-end) and {force} (a police force area code),
and may apply only_if:
  census_year_2021    only when the census year in force is 2021
  2011_bands_allow    only when the 2011 census bands can give {ages}
  2011_bands_refuse   only when they cannot
  force_metropolitan  only when {force} is the Metropolitan Police area (its age
                      benchmarks are London's, the City included: no census age
                      table by ethnic group separates the two)

The set `force` is a force's own benchmarks (force_benchmarks); which force a
list belongs to is readers.census.list_force.
"""

from __future__ import annotations

import pandas as pd

from police_lists.analyses.benchmarks.model import Benchmark
from police_lists.analyses.benchmarks.population import population_benchmark
from police_lists.analyses.benchmarks.published import claim_benchmark, load_benchmark_claims
from police_lists.analyses.benchmarks.victims import victims_benchmark
from police_lists.methods.bands import parse_band
from police_lists.readers import census, homicide
from police_lists.readers.manual import read_manual

CONDITIONS = ("census_year_2021", "2011_bands_allow", "2011_bands_refuse", "force_metropolitan")


def resolve(
    benchmark: str | Benchmark,
    *,
    group: str = "Black",
    include_mixed_black: bool = False,
    census_year: int = 2021,
    data_dir: str = "data",
) -> Benchmark:
    """A Benchmark from an id (census, homicide or data/manual/benchmarks.csv) or as given."""
    if isinstance(benchmark, Benchmark):
        return benchmark
    if census.CENSUS_ID.match(benchmark):
        return population_benchmark(
            benchmark, group=group, include_mixed_black=include_mixed_black, census_year=census_year, data_dir=data_dir
        )
    if homicide.VICTIMS_ID.match(benchmark):
        return victims_benchmark(benchmark, group=group, include_mixed_black=include_mixed_black, data_dir=data_dir)
    return claim_benchmark(benchmark, group=group, include_mixed_black=include_mixed_black, data_dir=data_dir)


def is_benchmark_id(benchmark_id: str, data_dir: str = "data") -> bool:
    """Does the id name a benchmark (census, homicide, or a benchmarks.csv row)?"""
    return bool(
        census.CENSUS_ID.match(benchmark_id)
        or homicide.VICTIMS_ID.match(benchmark_id)
        or benchmark_id in set(load_benchmark_claims(data_dir)["benchmark_id"])
    )


def load_sets(data_dir: str = "data") -> pd.DataFrame:
    """data/manual/benchmark_sets.csv: set, benchmark_id (a template), only_if, label."""
    return read_manual("benchmark_sets", data_dir)


def _bands_2011_allow(ages: tuple[int, int]) -> bool:
    try:
        census.population_count(2011, census.LONDON, *ages)
    except ValueError:
        return False
    return True


def benchmark_set(
    name: str,
    *,
    census_year: int = 2021,
    age_range: str = "10-24",
    victims_period: str = "2012-2019",
    force: str = "",
    labels: bool = False,
    data_dir: str = "data",
):
    """The benchmark ids of a named set, in order, each once; with labels=True,
    (id, label) pairs (the label the set prints, or the id). `force` (a police
    force area code) fills {force}."""
    table = load_sets(data_dir)
    rows = table[table["set"] == name]
    if rows.empty:
        raise ValueError(
            f"no benchmark set {name!r} in data/manual/benchmark_sets.csv; "
            f"known: {', '.join(dict.fromkeys(table['set']))}"
        )
    ages = parse_band(age_range)
    keep = {"": True, "census_year_2021": census_year == 2021, "force_metropolitan": force == census.METROPOLITAN}
    if rows["only_if"].str.startswith("2011_bands").any():
        allowed = _bands_2011_allow(ages)
        keep.update({"2011_bands_allow": allowed, "2011_bands_refuse": not allowed})
    out = {}
    for template, only_if, label in rows[["benchmark_id", "only_if", "label"]].itertuples(index=False):
        if keep[only_if]:
            if "{force}" in template and not force:
                raise ValueError(f"benchmark set {name!r} needs a force (a police force area code)")
            bid = template.format(ages=f"{ages[0]}_{ages[1]}", victims_period=victims_period, force=force)
            out.setdefault(bid, label or bid)
    return list(out.items()) if labels else list(out)


def panel_set(
    benchmark_set_or_ids: str = "default",
    age_range: str = "10-24",
    victims_period: str = "2012-2019",
    data_dir: str = "data",
) -> list[str]:
    """Benchmark ids for the appendix: 'default' is the set 'appendix' of
    benchmark_sets.csv; otherwise the comma-separated ids as given."""
    if benchmark_set_or_ids.strip() != "default":
        return [x.strip() for x in benchmark_set_or_ids.split(",")]
    return benchmark_set("appendix", age_range=age_range, victims_period=victims_period, data_dir=data_dir)


def force_benchmarks(force: str, data_dir: str = "data") -> list[str]:
    """A force's own benchmarks (the set `force` of benchmark_sets.csv): its area's census
    population, all ages, 2021 then 2011; for the Met also London aged 10-24. The first
    is the benchmark the comparison of forces uses (analyses.compare)."""
    return benchmark_set("force", force=census.force_code(force, data_dir), data_dir=data_dir)
