"""The benchmark tables derived from data/raw/ (census shares by year, area,
sex and age band; borough shares; the 2021 rounding gap; homicide victims; the
catalogue of default benchmarks), written by `make derive` for the tests and
for readers who want the numbers behind the panel."""

from __future__ import annotations

import pandas as pd

from police_lists.analyses.benchmarks.population import _rounding_bounds, group_definition
from police_lists.analyses.benchmarks.registry import benchmark_set, resolve
from police_lists.contract.files import atomic_write
from police_lists.contract.paths import resolve as resolve_path
from police_lists.methods.bands import band_label
from police_lists.readers import census, homicide

DERIVED = "outputs/derived"  # not an input: only tests and curious readers read these tables
# Age bands the derived tables cover: the ranges the published figures use.
STANDARD_AGES = [
    (0, 200),
    (0, 17),
    (10, 17),
    (10, 24),
    (12, 24),
    (13, 24),
    (16, 24),
    (18, 24),
    (0, 24),
    (25, 200),
    (0, 9),
    (10, 14),
    (15, 17),
    (20, 24),
    (25, 34),
    (35, 200),
]
GROUPS = ("White", "Mixed", "Asian", "Black", "Other")


def census_shares_table(data_dir: str = "data") -> pd.DataFrame:
    """Share of each ethnic group (and Black including Mixed Black) by census
    year, area, sex and age band, wherever the tables can give it. Rows the
    tables cannot give (2011 ages off band edges, 2021 sex by age, the Met area
    outside TS021) are absent, and census_unavailable_table() says why."""
    rows = []
    for year, area, sex, (a, b) in _census_cells():
        for group, mixed in [(g, False) for g in GROUPS] + [("Black", True)]:
            try:
                pc = census.population_count(year, area, a, b, sex, group, mixed, data_dir)
            except ValueError:
                continue
            lo, hi = _rounding_bounds(pc, pc.group_cells)
            rows.append(
                {
                    "year": year,
                    "area_code": area,
                    "area_name": census.AREA_NAMES.get(area, area),
                    "sex": sex,
                    "age_from": a,
                    "age_to": min(b, 200),
                    "age_range": band_label(a, b),
                    "group": group,
                    "group_definition": group_definition(group, mixed),
                    "group_count": pc.group_count,
                    "total": pc.total,
                    "share": pc.share,
                    "share_low_if_cells_off_by_2": lo,
                    "share_high_if_cells_off_by_2": hi,
                    "rounded_to_5": pc.rounded,
                    "suppressed_cells": pc.suppressed_cells,
                    "table": pc.table,
                    "source_id": pc.source_id,
                }
            )
    return pd.DataFrame(rows)


def _census_cells():
    for year in (2011, 2021):
        for area in (census.LONDON, census.MET_AREA, census.ENGLAND_AND_WALES):
            for sex in census.SEXES:
                for ages in STANDARD_AGES:
                    yield year, area, sex, ages


def census_unavailable_table(data_dir: str = "data") -> pd.DataFrame:
    """Every (year, area, sex, ages) the standard grid asks for that the census
    tables cannot answer, with the reason (one line each)."""
    rows = []
    for year, area, sex, (a, b) in _census_cells():
        try:
            census.population_count(year, area, a, b, sex, "Black", False, data_dir)
        except ValueError as exc:
            rows.append(
                {"year": year, "area_code": area, "sex": sex, "age_range": band_label(a, b), "reason": str(exc)}
            )
    return pd.DataFrame(rows)


def borough_shares_table(data_dir: str = "data") -> pd.DataFrame:
    """Census 2021 TS021 (unrounded): Black share by London borough, with the
    Met area (London less the City) and London as a whole."""
    t = census.census_2021_ts021(data_dir)
    t = t[t["area_code"].str.startswith("E09")]
    rows = []
    groups = list(t.groupby(["area_code", "area_name"], sort=True))
    met = t[t["area_code"] != census.CITY_OF_LONDON]
    groups += [((census.MET_AREA, census.AREA_NAMES[census.MET_AREA]), met), (("E09*", "London (sum of boroughs)"), t)]
    for (code, name), g in groups:
        total = int(g["count"].sum())
        black = int(g.loc[g["group"] == "Black", "count"].sum())
        mixed_black = int(g.loc[g["detail"].isin(census.MIXED_BLACK_DETAIL), "count"].sum())
        rows.append(
            {
                "area_code": code,
                "area_name": name,
                "total": total,
                "black": black,
                "black_share": black / total,
                "black_incl_mixed_black": black + mixed_black,
                "black_incl_mixed_black_share": (black + mixed_black) / total,
                "source_id": "ons_census2021_ts021",
            }
        )
    return pd.DataFrame(rows)


def rounding_gap_table(data_dir: str = "data") -> pd.DataFrame:
    """All-ages sums of the rounded 2021 single-year table against the 2021 by-sex table."""
    rows = []
    for area in (census.LONDON, census.ENGLAND_AND_WALES):
        for group, mixed in [(g, False) for g in GROUPS] + [("Black", True)]:
            gap = census.age_table_rounding_gap(area, group, mixed, data_dir)
            rows.append(
                {
                    "area_code": area,
                    "area_name": census.AREA_NAMES[area],
                    "group_definition": group_definition(group, mixed),
                    **gap,
                }
            )
    return pd.DataFrame(rows)


def homicide_victims_table(data_dir: str = "data") -> pd.DataFrame:
    """Met homicide victims by recorded year, age group, method and officer-observed ethnicity."""
    t = homicide.homicide_victims(data_dir)
    out = (
        t.groupby(["year", "age_group", "age_from", "age_to", "method", "ethnicity"], sort=True)["victims"]
        .sum()
        .reset_index()
    )
    out["source_id"] = homicide.HOMICIDE_SOURCE
    return out


def benchmark_catalogue(data_dir: str = "data") -> pd.DataFrame:
    """Every default benchmark resolved, for both census years and both definitions of Black."""
    rows = []
    for year in (2011, 2021):
        for mixed in (False, True):
            for item in benchmark_set("catalogue", census_year=year, data_dir=data_dir):
                b = resolve(item, include_mixed_black=mixed, census_year=year, data_dir=data_dir)
                rows.append(
                    {
                        "census_year": year,
                        "include_mixed_black": mixed,
                        "benchmark": b.id,
                        "benchmark_label": b.label,
                        "benchmark_kind": b.kind,
                        "source_id": b.source_id,
                        "claim_id": b.claim_id,
                        "ref_date": b.ref_date,
                        "age_range": b.age_range,
                        "share": b.share,
                        "share_low": b.share_low,
                        "share_high": b.share_high,
                        "group_count": b.group_count,
                        "population": b.population or b.population_total,
                        "caveat": b.caveat,
                    }
                )
    return pd.DataFrame(rows).astype({"group_count": "Int64", "population": "Int64"})


def force_areas_table(data_dir: str = "data") -> pd.DataFrame:
    """Every police force area's census population (all ages) by group, 2011 and 2021:
    its local authorities summed with the ONS lookup (readers.census.population_count)."""
    rows = []
    for year in (2011, 2021):
        for code in sorted(census.lad_to_pfa(year, data_dir)["pfa_code"].unique()):
            for group in GROUPS:
                pc = census.population_count(year, code, group=group, data_dir=data_dir)
                rows.append(
                    {
                        "census_year": year,
                        "pfa_code": code,
                        "force": census.force_name(code, data_dir),
                        "benchmark": census.force_census_id(code, year),
                        "group": group,
                        "group_count": pc.group_count,
                        "total": pc.total,
                        "share": pc.share,
                        "districts": len(census.lads_of(code, year, data_dir)),
                        "table": pc.table,
                        "source_id": pc.source_id,
                    }
                )
    return pd.DataFrame(rows)


DERIVED_TABLES = {
    "census_shares.csv": census_shares_table,
    "census_unavailable.csv": census_unavailable_table,
    "census2021_borough_shares.csv": borough_shares_table,
    "census2021_rounding_gap.csv": rounding_gap_table,
    "homicide_victims_by_year.csv": homicide_victims_table,
    "benchmark_catalogue.csv": benchmark_catalogue,
    "census_force_areas.csv": force_areas_table,
}


def derive(data_dir: str = "data", output_dir: str | None = None, log=print) -> list:
    """Build every benchmark table into outputs/derived/ (or output_dir).
    All tables are computed before any is written, and each is written
    atomically, so a failure leaves the previous files in place. Output is
    byte-deterministic (sorted rows, LF line ends, no timestamps)."""
    out = resolve_path(output_dir or DERIVED)
    tables = {name: make(data_dir) for name, make in DERIVED_TABLES.items()}
    written = []
    for name, df in tables.items():
        atomic_write(out / name, df.to_csv(index=False, lineterminator="\n").encode("utf-8"))
        written.append(out / name)
        log(f"{name}: {len(df)} rows")
    return written
