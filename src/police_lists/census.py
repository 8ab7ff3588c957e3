"""Readers for the census tables in data/raw/ (copied unchanged from shared/data).

Each reader returns a tidy long table (one row per area x sex x age x group)
so benchmark code never touches the publishers' layouts. The checks quoted in
data/raw's provenance (London 2011 total 8,173,941, Black 1,088,640; 2021
Black 1,188,370) are asserted in tests/test_census.py.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import pandas as pd

from police_lists.paths import data_dir as _data_dir

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
    """'Age 10 to 14' -> (10, 14); 'Age 15' -> (15, 15); 'Age 85 and over' -> (85, 200)."""
    if label.startswith("All categories"):
        return None
    m = re.fullmatch(r"Age (\d+) to (\d+)", label)
    if m:
        return int(m[1]), int(m[2])
    m = re.fullmatch(r"Age (\d+) and over", label)
    if m:
        return int(m[1]), 200
    m = re.fullmatch(r"Age (\d+)", label)
    if m:
        return int(m[1]), int(m[1])
    raise ValueError(f"{CENSUS_2011}: unrecognised age label {label!r}")


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
    year: int, area: str, group: str = "Black", age_from: int = 0, age_to: int = 200,
    include_mixed_black: bool = False, data_dir: str = "data",
) -> tuple[int, int]:
    """(people in `group`, all people) in `area` aged age_from..age_to inclusive.

    2011 ages must fall on DC2101EW band edges; 2021 all-ages figures come from
    the exact by-sex table, age ranges from the rounded single-year table
    (suppressed cells count as 0, as in data/raw's provenance note)."""
    if year == 2011:
        t = census_2011(data_dir)
        if area == ENGLAND_AND_WALES:
            t = t  # the 2011 file holds the nine English regions and Wales: their sum is E&W
        else:
            t = t[t["area_code"] == area]
        inside = (t["age_from"] >= age_from) & (t["age_to"] <= age_to)
        straddles = ((t["age_from"] < age_from) & (t["age_to"] >= age_from)) | (
            (t["age_from"] <= age_to) & (t["age_to"] > age_to)
        )
        if straddles.any():
            bands = sorted(set(zip(t.loc[straddles, "age_from"], t.loc[straddles, "age_to"])))
            raise ValueError(f"ages {age_from}-{age_to} cut across 2011 age bands {bands}")
        t = t[inside]
    elif year == 2021 and age_from == 0 and age_to >= 100:
        t = census_2021_by_sex(data_dir)
        t = t[t["area_code"] == area]
    elif year == 2021:
        t = census_2021_by_age(data_dir)
        t = t[(t["area_code"] == area) & (t["age"] >= age_from) & (t["age"] <= age_to)]
    else:
        raise ValueError(f"no census table for year {year!r}")
    if t.empty:
        raise ValueError(f"no census rows for area {area!r}, {year}, ages {age_from}-{age_to}")
    in_group = t["group"].eq(group)
    if include_mixed_black and group == "Black":
        in_group |= t["detail"].isin(MIXED_BLACK_DETAIL)
    counts = t["count"].fillna(0)
    return int(counts[in_group].sum()), int(counts.sum())


# Named census shares that data/manual/claim_checks.csv may cite.
CENSUS_SHARE_KEYS = {
    "london_2011_black_all_ages": dict(year=2011, area=LONDON),
    "london_2021_black_all_ages": dict(year=2021, area=LONDON),
    "london_2011_black_10_17": dict(year=2011, area=LONDON, age_from=10, age_to=17),
    "london_2021_black_under_18": dict(year=2021, area=LONDON, age_from=0, age_to=17),
    "ew_2011_black_all_ages": dict(year=2011, area=ENGLAND_AND_WALES),
    "ew_2021_black_all_ages": dict(year=2021, area=ENGLAND_AND_WALES),
}


def census_share(key: str, data_dir: str = "data") -> tuple[int, int]:
    """(numerator, denominator) for a named census share."""
    if key not in CENSUS_SHARE_KEYS:
        raise KeyError(f"unknown census share {key!r}; known: {sorted(CENSUS_SHARE_KEYS)}")
    return group_count(data_dir=data_dir, **CENSUS_SHARE_KEYS[key])
