"""Readers for the census tables in data/raw/ (copied unchanged from shared/data).

Each reader returns a tidy long table (one row per area x sex x age x group)
so benchmark code never touches the publishers' layouts. The checks quoted in
data/raw's provenance (London 2011 total 8,173,941, Black 1,088,640; 2021
Black 1,188,370) are asserted in tests/test_census.py.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import pandas as pd

from police_lists.contract.paths import data_dir as _data_dir
from police_lists.methods.bands import OPEN_END, cuts_across, parse_band, within

CENSUS_2011 = "raw/census2011_dc2101ew_ethnic_group_by_sex_by_age_regions.csv"
CENSUS_2021_AGE = "raw/census2021_ethnic_group_by_single_year_of_age.csv"
CENSUS_2021_SEX = "raw/census2021_ethnic_group_by_sex_areas.csv"

LONDON = "E12000007"
ENGLAND_AND_WALES = "K04000001"

# Five-group ("Black", "White", ...) headings as the two censuses print them.
_FIVE_GROUP_2011 = {
    "White": "White",
    "Mixed/multiple ethnic group": "Mixed",
    "Asian/Asian British": "Asian",
    "Black/African/Caribbean/Black British": "Black",
    "Other ethnic group": "Other",
}
_FIVE_GROUP_2021 = {
    "White": "White",
    "Mixed or Multiple ethnic groups": "Mixed",
    "Asian, Asian British or Asian Welsh": "Asian",
    "Black, Black British, Black Welsh, Caribbean or African": "Black",
    "Other ethnic group": "Other",
}
# The two Mixed groups with Black heritage, for the "Black including Mixed
# Black" sensitivity (methods.md 6.2).
MIXED_BLACK_DETAIL = ("White and Black Caribbean", "White and Black African")

_HEADER_2011 = re.compile(r"Sex: (?P<sex>[^;]+); Age: (?P<age>[^;]+); Ethnic Group: (?P<group>[^;]+); measures: Value")


def _age_band_2011(label: str) -> tuple[int, int] | None:
    """'Age 10 to 14' -> (10, 14); 'Age 15' -> (15, 15); 'Age 85 and over' -> (85, OPEN_END)."""
    return None if label.startswith("All categories") else parse_band(label, CENSUS_2011)


@lru_cache(maxsize=4)
def census_2011(data_dir: str = "data") -> pd.DataFrame:
    """DC2101EW as long rows of detailed groups (group totals dropped; they are
    re-derived by summing, and tests check the sums equal the printed totals)."""
    wide = pd.read_csv(_data_dir(data_dir) / CENSUS_2011)
    rows = []
    for column in wide.columns[3:]:
        m = _HEADER_2011.fullmatch(column)
        if not m:
            raise ValueError(f"{CENSUS_2011}: unrecognised column {column!r}")
        sex, age, group = m["sex"], m["age"], m["group"]
        if sex == "All persons" or group.startswith("All categories") or group.endswith(": Total"):
            continue
        band = _age_band_2011(age)
        if band is None:
            continue
        heading, detail = group.split(": ", 1)
        for code, value in zip(wide["geography code"], wide[column]):
            rows.append((code, sex, band[0], band[1], _FIVE_GROUP_2011[heading], detail, int(value)))
    return pd.DataFrame(rows, columns=["area_code", "sex", "age_from", "age_to", "group", "detail", "count"])


def _split_2021_heading(column: str) -> tuple[str, str]:
    heading, detail = column.split(": ", 1)
    return _FIVE_GROUP_2021[heading], detail


@lru_cache(maxsize=4)
def census_2021_by_age(data_dir: str = "data") -> pd.DataFrame:
    """Single year of age x 19 groups, rounded to 5 by ONS; 'c' (suppressed)
    becomes a missing count with suppressed=True, never a silent zero."""
    wide = pd.read_csv(_data_dir(data_dir) / CENSUS_2021_AGE, encoding="utf-8-sig", dtype=str)
    long = wide.melt(id_vars=["Geography Code", "Geography Name", "Age"], var_name="column", value_name="raw")
    long["suppressed"] = long["raw"].eq("c")
    long["count"] = pd.to_numeric(long["raw"].where(~long["suppressed"]), errors="raise").astype("Int64")
    long["age"] = long["Age"].str.replace(" or over", "", regex=False).astype(int)
    groups = long["column"].map(lambda c: _split_2021_heading(c))
    long["group"] = [g for g, _ in groups]
    long["detail"] = [d for _, d in groups]
    return long.rename(columns={"Geography Code": "area_code", "Geography Name": "area_name"})[
        ["area_code", "area_name", "age", "group", "detail", "count", "suppressed"]
    ]


@lru_cache(maxsize=4)
def census_2021_by_sex(data_dir: str = "data") -> pd.DataFrame:
    wide = pd.read_csv(_data_dir(data_dir) / CENSUS_2021_SEX, encoding="utf-8-sig", dtype=str)
    long = wide.melt(id_vars=["Geography Code", "Geography Name", "Sex"], var_name="column", value_name="raw")
    long["count"] = pd.to_numeric(long["raw"], errors="raise").astype("Int64")  # blanks stay missing
    groups = long["column"].map(lambda c: _split_2021_heading(c))
    long["group"] = [g for g, _ in groups]
    long["detail"] = [d for _, d in groups]
    return long.rename(columns={"Geography Code": "area_code", "Geography Name": "area_name", "Sex": "sex"})[
        ["area_code", "area_name", "sex", "group", "detail", "count"]
    ]


def group_count(
    year: int,
    area: str,
    group: str = "Black",
    age_from: int = 0,
    age_to: int = 200,
    include_mixed_black: bool = False,
    data_dir: str = "data",
) -> tuple[int, int]:
    """(people in `group`, all people) in `area` aged age_from..age_to inclusive
    (population_count says which table answers and how exact it is)."""
    pc = population_count(year, area, age_from, age_to, "all", group, include_mixed_black, data_dir)
    return pc.group_count, pc.total


# --- Benchmark support (issue 4): TS021 by borough, sex, the Met area, and a
# general counter that says which table answered and how exact it is.

CENSUS_2021_TS021 = "raw/census2021_ts021_ethnic_group_ltla.csv"
CITY_OF_LONDON = "E09000001"
# Pseudo area code: the Metropolitan Police district, i.e. London less the City
# of London (which has its own force). Only TS021 (2021, all ages) lists the City
# separately; the 2021 age and sex files merge it with Westminster and the 2011
# file holds regions only.
MET_AREA = "MPS"
AREA_NAMES = {
    LONDON: "London",
    ENGLAND_AND_WALES: "England and Wales",
    MET_AREA: "Metropolitan Police area (London less the City of London)",
}
SEXES = ("all", "male", "female")
_SEX_LABELS = {"Males": "male", "Females": "female", "Male": "male", "Female": "female"}


@lru_cache(maxsize=4)
def census_2021_ts021(data_dir: str = "data") -> pd.DataFrame:
    """TS021 by lower-tier local authority, unrounded (ONS cell-key perturbation
    only), as long rows; the 'Does not apply' category (always 0) is dropped."""
    raw = pd.read_csv(_data_dir(data_dir) / CENSUS_2021_TS021, dtype={"Observation": "Int64"})
    raw = raw[raw["Ethnic group (20 categories) Code"] >= 1]
    groups = raw["Ethnic group (20 categories)"].map(_split_2021_heading)
    return pd.DataFrame(
        {
            "area_code": raw["Lower Tier Local Authorities Code"].to_numpy(),
            "area_name": raw["Lower Tier Local Authorities"].to_numpy(),
            "group": [g for g, _ in groups],
            "detail": [d for _, d in groups],
            "count": raw["Observation"].to_numpy(),
        }
    )


@dataclass(frozen=True)
class PopulationCount:
    """People in a group and in the whole population, with where they came from."""

    group_count: int
    total: int
    year: int
    area: str
    age_from: int
    age_to: int
    sex: str
    group: str
    include_mixed_black: bool
    table: str  # data/raw file that answered
    source_id: str  # data/sources.csv id of that table
    rounded: bool  # cells rounded to 5 by ONS
    suppressed_cells: int  # cells shown as 'c' (counted as 0)
    cells: int  # cells summed (for rounding bounds)
    note: str
    group_cells: int = 0  # of which in the group

    @property
    def share(self) -> float:
        return self.group_count / self.total


def _in_group(t: pd.DataFrame, group: str, include_mixed_black: bool) -> pd.Series:
    mask = t["group"].eq(group)
    if include_mixed_black and group == "Black":
        mask |= t["detail"].isin(MIXED_BLACK_DETAIL)
    return mask


def population_count(
    year: int,
    area: str = LONDON,
    age_from: int = 0,
    age_to: int = 200,
    sex: str = "all",
    group: str = "Black",
    include_mixed_black: bool = False,
    data_dir: str = "data",
) -> PopulationCount:
    """Count `group` and everyone in `area`, ages age_from..age_to inclusive, `sex`.

    Which table answers (the most exact one that can):
    - 2011: DC2101EW (exact); ages must fall on its band edges (10-17 yes,
      12-24 no: ValueError naming the bands cut); regions only, so no Met area.
    - 2021, all ages, London less the City (MET_AREA) or any borough: TS021.
    - 2021, all ages, by sex or for a region: the by-sex table (cells are
      multiples of five, like the age table, but London's Black total equals
      the official figure).
    - 2021, an age range: the single-year table, rounded to 5 with suppressed
      'c' cells counted as 0 (the count of each is reported); no sex split and
      the City is merged with Westminster there, so no Met area by age.
    """
    if sex not in SEXES:
        raise ValueError(f"sex must be one of {SEXES}; got {sex!r}")
    if age_from < 0 or age_to < age_from:
        raise ValueError(f"need 0 <= age_from <= age_to; got {age_from}-{age_to}")
    all_ages = age_from == 0 and age_to >= 100
    note = ""
    suppressed = 0
    if year == 2011:
        if area == MET_AREA:
            raise ValueError(
                "2011 DC2101EW holds regions only: the Met area (London less the City) "
                "is not available; use area London"
            )
        t = census_2011(data_dir)
        t = t if area == ENGLAND_AND_WALES else t[t["area_code"] == area]
        straddles = cuts_across(t["age_from"], t["age_to"], age_from, age_to)
        if straddles.any():
            bands = sorted(set(zip(t.loc[straddles, "age_from"], t.loc[straddles, "age_to"])))
            raise ValueError(
                f"ages {age_from}-{age_to} cut across 2011 DC2101EW age bands {bands}; "
                "2011 ages must start and end on a band edge"
            )
        t = t[within(t["age_from"], t["age_to"], age_from, age_to)]
        if sex != "all":
            t = t[t["sex"].map(_SEX_LABELS) == sex]
        table, source, rounded = CENSUS_2011, "ons_census2011_dc2101ew", False
    elif year == 2021 and all_ages and sex == "all" and (area == MET_AREA or area.startswith("E09")):
        t = census_2021_ts021(data_dir)
        t = (
            t[t["area_code"].str.startswith("E09") & (t["area_code"] != CITY_OF_LONDON)]
            if area == MET_AREA
            else t[t["area_code"] == area]
        )
        table, source, rounded = CENSUS_2021_TS021, "ons_census2021_ts021", False
        note = "TS021 is unrounded but carries ONS cell-key perturbation"
    elif year == 2021 and all_ages:
        if area == MET_AREA:
            raise ValueError(
                "2021 by-sex table merges the City of London with Westminster: the Met area by sex is not available"
            )
        t = census_2021_by_sex(data_dir)
        t = t[t["area_code"] == area]
        if sex != "all":
            t = t[t["sex"].map(_SEX_LABELS) == sex]
        table, source, rounded = CENSUS_2021_SEX, "ons_census2021_ethnic_group_by_sex", True
        note = "by-sex table: cells are multiples of five"
    elif year == 2021:
        if sex != "all":
            raise ValueError(
                "the 2021 single-year-of-age table has no sex split; "
                "use sex='all' or the 2011 census for an age range by sex"
            )
        if area == MET_AREA:
            raise ValueError(
                "the 2021 single-year-of-age table merges the City of London with "
                "Westminster: the Met area by age is not available; use area London"
            )
        t = census_2021_by_age(data_dir)
        t = t[(t["area_code"] == area) & (t["age"] >= age_from) & (t["age"] <= age_to)]
        suppressed = int(t["suppressed"].sum())
        table, source, rounded = CENSUS_2021_AGE, "ons_census2021_ethnic_group_by_age_sex", True
        note = "single-year table: cells rounded to 5, suppressed cells counted as 0"
    else:
        raise ValueError(f"no census table for year {year!r}; use 2011 or 2021")
    if t.empty:
        raise ValueError(f"no census rows for area {area!r}, {year}, ages {age_from}-{age_to}, sex {sex}")
    counts = t["count"].fillna(0)
    mask = _in_group(t, group, include_mixed_black)
    return PopulationCount(
        int(counts[mask].sum()),
        int(counts.sum()),
        year,
        area,
        age_from,
        min(age_to, 200),
        sex,
        group,
        include_mixed_black,
        table.removeprefix("raw/"),
        source,
        rounded,
        suppressed,
        len(t),
        note,
        int(mask.sum()),
    )


def age_table_rounding_gap(
    area: str = LONDON, group: str = "Black", include_mixed_black: bool = False, data_dir: str = "data"
) -> dict:
    """All-ages totals from the rounded single-year table against the by-sex
    table: the gap the rounding to 5 (and suppression) leaves in a sum."""
    by_age = census_2021_by_age(data_dir)
    by_age = by_age[by_age["area_code"] == area]
    by_sex = census_2021_by_sex(data_dir)
    by_sex = by_sex[by_sex["area_code"] == area]
    out = {}
    for name, t in (("age_table", by_age), ("sex_table", by_sex)):
        counts = t["count"].fillna(0)
        out[f"{name}_group"] = int(counts[_in_group(t, group, include_mixed_black)].sum())
        out[f"{name}_total"] = int(counts.sum())
    out["group_gap"] = out["age_table_group"] - out["sex_table_group"]
    out["total_gap"] = out["age_table_total"] - out["sex_table_total"]
    out["suppressed_cells"] = int(by_age["suppressed"].sum())
    return out


# ---------------------------------------------------------------- census ids
# One name for every census count the project uses (benchmarks, the ledger's
# census checks, notebook parameters):
# <area>_[males_|females_]<ages>[@<year>], ages = all_ages | under_<N> | <a>_<b> | <a>_plus
_AREAS = {"london": LONDON, "met_area": MET_AREA, "ew": ENGLAND_AND_WALES}
CENSUS_ID = re.compile(
    r"^(?P<area>london|met_area|ew)_(?:(?P<sex>males|females)_)?"
    r"(?P<ages>all_ages|under_(?P<under>\d+)|(?P<a>\d+)_(?P<b>\d+)|(?P<plus>\d+)_plus)"
    r"(?:@(?P<year>\d{4}))?$"
)


def parse_census_id(census_id: str, census_year: int | None = None) -> dict | None:
    """'london_10_24' -> dict(year, area, age_from, age_to, sex); None if not a census id,
    or if it names no year ('@2011') and no census_year is given."""
    m = CENSUS_ID.match(census_id)
    if not m:
        return None
    if m["ages"] == "all_ages":
        ages = (0, OPEN_END)
    elif m["under"]:
        ages = (0, int(m["under"]) - 1)
    elif m["plus"]:
        ages = (int(m["plus"]), OPEN_END)
    else:
        ages = (int(m["a"]), int(m["b"]))
    sex = {"males": "male", "females": "female"}.get(m["sex"], "all")
    year = int(m["year"]) if m["year"] else census_year
    if year is None:
        return None
    return dict(year=year, area=_AREAS[m["area"]], age_from=ages[0], age_to=ages[1], sex=sex)


def census_share(census_id: str, group: str = "Black", data_dir: str = "data") -> tuple[int, int]:
    """(people in `group`, everyone) for a census id that names its year, e.g. london_all_ages@2011."""
    spec = parse_census_id(census_id)
    if spec is None:
        raise KeyError(f"{census_id!r} is not a census id with a year (e.g. london_all_ages@2011, london_10_17@2021)")
    pc = population_count(group=group, data_dir=data_dir, **spec)
    return pc.group_count, pc.total
