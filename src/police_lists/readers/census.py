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
from police_lists.readers.manual import read_manual

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


def _group_and_detail(long: pd.DataFrame) -> None:
    """The five-group name and the detailed group of each melted row, split once per
    column heading (a table has 19) rather than once per row."""
    split = {c: _split_2021_heading(c) for c in long["column"].unique()}
    long["group"] = long["column"].map({c: g for c, (g, _) in split.items()})
    long["detail"] = long["column"].map({c: d for c, (_, d) in split.items()})


@lru_cache(maxsize=4)
def _census_2021_by_age_wide(data_dir: str) -> pd.DataFrame:
    """The single-year table as published (an area and an age a row, a group a column),
    ages as numbers; 0.03-0.07 s, against 0.3 s for making all of it long."""
    wide = pd.read_csv(_data_dir(data_dir) / CENSUS_2021_AGE, encoding="utf-8-sig", dtype=str)
    wide["Age"] = wide["Age"].str.replace(" or over", "", regex=False).astype(int)  # once per row, before melting
    return wide


@lru_cache(maxsize=4)
def census_2021_by_age(data_dir: str = "data") -> pd.DataFrame:
    """Single year of age x 19 groups, rounded to 5 by ONS; 'c' (suppressed)
    becomes a missing count with suppressed=True, never a silent zero.
    One area's rows: census_2021_by_age_in (the same rows, in the same order)."""
    return _by_age_long(_census_2021_by_age_wide(data_dir))


@lru_cache(maxsize=64)
def census_2021_by_age_in(area: str, data_dir: str = "data") -> pd.DataFrame:
    """census_2021_by_age's rows for one area (numbered from 0), made long from that
    area's rows of the table alone: a profile's population benchmarks need one or two
    areas, and making the whole table long took 0.3 of the 0.5 s its first profile
    costs. Cached: `make derive` asks about a few areas some 2,500 times. Callers
    filter the frame further and never change it."""
    wide = _census_2021_by_age_wide(data_dir)
    return _by_age_long(wide[wide["Geography Code"] == area].reset_index(drop=True))


def _by_age_long(wide: pd.DataFrame) -> pd.DataFrame:
    """The single-year table's rows, long: a row per area, age and group (column by column, as melt orders them)."""
    long = wide.melt(id_vars=["Geography Code", "Geography Name", "Age"], var_name="column", value_name="raw")
    long["suppressed"] = long["raw"].eq("c")
    long["count"] = pd.to_numeric(long["raw"].where(~long["suppressed"]), errors="raise").astype("Int64")
    long["age"] = long["Age"]
    _group_and_detail(long)
    return long.rename(columns={"Geography Code": "area_code", "Geography Name": "area_name"})[
        ["area_code", "area_name", "age", "group", "detail", "count", "suppressed"]
    ]


@lru_cache(maxsize=4)
def census_2021_by_sex(data_dir: str = "data") -> pd.DataFrame:
    wide = pd.read_csv(_data_dir(data_dir) / CENSUS_2021_SEX, encoding="utf-8-sig", dtype=str)
    long = wide.melt(id_vars=["Geography Code", "Geography Name", "Sex"], var_name="column", value_name="raw")
    long["count"] = pd.to_numeric(long["raw"], errors="raise").astype("Int64")  # blanks stay missing
    _group_and_detail(long)
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


# --- Police force areas (issue 16). A police force area (PFA) in England and
# Wales is a set of whole local authority districts; the ONS lookup says which.
# 2021 counts are TS021 summed over the December 2022 lookup's districts (the
# 331 districts of the 2021 census); 2011 counts are QS201EW summed over the
# December 2016 lookup's (the 348 districts of the 2011 census). All ages and
# both sexes only: see population_count. The Met area (MET_AREA) is the PFA
# E23000001, so it comes out of the same code as every other force.

LOOKUPS = {
    2021: ("raw/ons_lad22_csp22_pfa22_lookup_dec2022_from_rds.csv", "LAD22CD", "PFA22CD", "PFA22NM", "utf-8"),
    2011: ("raw/ons_lad16_csp16_pfa16_lookup_dec2016.csv", "LAD16CD", "PFA16CD", "PFA16NM", "utf-8-sig"),
}
CENSUS_2011_QS201 = "raw/census2011_qs201ew_ethnic_group_la.csv"
METROPOLITAN = "E23000001"
CITY_OF_LONDON_POLICE = "E23000034"
PFA_CODE = re.compile(r"^(E23|W15)\d{6}$")
_QS201_HEADER = re.compile(r"Ethnic Group: (?P<heading>[^:;]+): (?P<detail>[^;]+); measures: Value")
# A police.uk export: <year>-<month>-<force slug>-<stop-and-search|street|outcomes>.csv (anything before it is allowed)
_POLICE_UK_NAME = re.compile(
    r"(?:^|[^0-9])\d{4}-\d{2}-(?P<slug>[a-z]+(?:-[a-z]+)*?)-(?:stop-and-search|street|outcomes)\."
)


def is_force_area(area: str) -> bool:
    """A police force area code (E23..., W15...) or the Met area's alias MET_AREA."""
    return area == MET_AREA or bool(PFA_CODE.match(area))


@lru_cache(maxsize=8)
def lad_to_pfa(year: int = 2021, data_dir: str = "data") -> pd.DataFrame:
    """The ONS lookup for the census of `year`: lad_code, pfa_code, pfa_name, one row per district
    (the lookup has a row per district and partnership; every district is in one force area)."""
    if year not in LOOKUPS:
        raise ValueError(f"no police force area lookup for census year {year!r}; use 2011 or 2021")
    path, lad, pfa, name, encoding = LOOKUPS[year]
    raw = pd.read_csv(_data_dir(data_dir) / path, dtype=str, encoding=encoding)
    out = raw[[lad, pfa, name]].drop_duplicates().set_axis(["lad_code", "pfa_code", "pfa_name"], axis=1)
    if out["lad_code"].duplicated().any():
        raise ValueError(f"{path}: a local authority district is in two police force areas")
    return out.reset_index(drop=True)


def lads_of(area: str, year: int = 2021, data_dir: str = "data") -> list[str]:
    """The local authority districts that make up a police force area in the census of `year`."""
    code = METROPOLITAN if area == MET_AREA else area
    lk = lad_to_pfa(year, data_dir)
    lads = lk.loc[lk["pfa_code"] == code, "lad_code"].tolist()
    if not lads:
        raise ValueError(f"{area!r} is not a police force area in the {year} ONS lookup")
    return lads


@lru_cache(maxsize=4)
def census_2011_qs201ew(data_dir: str = "data") -> pd.DataFrame:
    """QS201EW by local authority as long rows of detailed groups (the printed group
    totals are dropped; tests check the sums equal them)."""
    wide = pd.read_csv(_data_dir(data_dir) / CENSUS_2011_QS201)
    parts = []
    for column in wide.columns:
        m = _QS201_HEADER.fullmatch(column)
        if not m or m["heading"] == "All categories":
            continue
        parts.append(
            pd.DataFrame(
                {
                    "area_code": wide["geography code"].to_numpy(),
                    "group": _FIVE_GROUP_2011[m["heading"]],
                    "detail": m["detail"],
                    "count": wide[column].astype("int64").to_numpy(),
                }
            )
        )
    return pd.concat(parts, ignore_index=True)


@lru_cache(maxsize=4)
def forces(data_dir: str = "data") -> pd.DataFrame:
    """data/manual/forces.csv: slug, name, pfa_code, pfa_name, note (one row per police.uk force)."""
    return read_manual("forces", data_dir)


def _key(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", text.lower().replace("&", " and ")).strip()


def force_code(force: str, data_dir: str = "data") -> str:
    """The PFA code of a force given by its code (E23000014), its police.uk slug
    (west-midlands), its police.uk name (West Midlands Police) or its ONS area name
    (West Midlands); case, spacing, '&' and punctuation do not matter. ValueError
    naming the known forces when it is none of them, or has no area (btp)."""
    table = forces(data_dir)
    wanted = _key(force)
    for row in table.itertuples(index=False):
        names = {_key(row.slug), _key(row.name), _key(row.pfa_code), _key(row.pfa_name)}
        if wanted and wanted in names:
            if not row.pfa_code:
                raise ValueError(f"force {force!r} ({row.name}) has no police force area: {row.note}")
            return row.pfa_code
    known = ", ".join(sorted(table.loc[table["pfa_code"] != "", "slug"]))
    raise ValueError(f"unknown force {force!r}: give a police force area code (E23..., W15...), name or slug ({known})")


def force_name(code: str, data_dir: str = "data") -> str:
    """The police.uk name of the force whose area is `code` (Metropolitan Police Service, ...)."""
    code = METROPOLITAN if code == MET_AREA else code
    table = forces(data_dir)
    names = table.loc[table["pfa_code"] == code, "name"]
    if names.empty:
        raise ValueError(f"{code!r} is not a police force area code in data/manual/forces.csv")
    return str(names.iloc[0])


def force_from_filename(name, data_dir: str = "data") -> str | None:
    """The PFA code of the force in a police.uk file name such as
    2016-06-metropolitan-stop-and-search.csv (any folder; anything before the date),
    or None when the name is not one or its force has no police force area (btp)."""
    from pathlib import PurePath

    m = _POLICE_UK_NAME.search(PurePath(str(name)).name.lower())
    if not m:
        return None
    table = forces(data_dir)
    codes = table.loc[table["slug"] == m["slug"], "pfa_code"]
    if codes.empty or not codes.iloc[0]:
        return None
    return str(codes.iloc[0])


NO_FORCE = "none"


def list_force(force: str, file_name, data_dir: str = "data") -> str | None:
    """The police force area code a list's benchmarks come from: `force` as given
    (a code, name or slug: force_code); '' to find it from the list's police.uk
    file name (None when the name is not one); 'none' for no force."""
    if force.strip().lower() == NO_FORCE:
        return None
    if not force.strip():
        return force_from_filename(file_name, data_dir)
    return force_code(force, data_dir)


def area_name(area: str, data_dir: str = "data") -> str:
    """Words for an area code: London, England and Wales, a force area, or the code itself."""
    if area in AREA_NAMES:
        return AREA_NAMES[area]
    if PFA_CODE.match(area):
        return f"{force_name(area, data_dir)} area"
    return area


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


@lru_cache(maxsize=64)
def _area_rows(table, area: str, data_dir: str) -> pd.DataFrame:
    """The rows of one area of a census table (`table(data_dir)`, itself cached),
    kept for the next call: `make derive` asks population_count about a few areas
    some 2,500 times, and each comparison over a table's area column costs
    milliseconds (the single-year table has census_2021_by_age_in instead).
    Callers filter the frame further and never change it."""
    t = table(data_dir)
    return t[t["area_code"] == area]


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
      12-24 no: ValueError naming the bands cut); regions only.
    - a police force area (E23..., W15...; MET_AREA is the Met's): all ages and
      both sexes only, summed over its local authorities (lads_of): 2021 TS021,
      2011 QS201EW (both unrounded). No age or sex split: see the errors.
    - 2021, all ages, any borough: TS021.
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
    if year == 2011 and is_force_area(area):
        if not (all_ages and sex == "all"):
            raise ValueError(
                f"2011 by police force area: all ages and both sexes only (QS201EW by local authority has no "
                f"age or sex; DC2101EW holds regions only); got {area_name(area, data_dir)}, ages "
                f"{age_from}-{age_to}, sex {sex}"
            )
        t = census_2011_qs201ew(data_dir)
        t = t[t["area_code"].isin(lads_of(area, 2011, data_dir))]
        table, source, rounded = CENSUS_2011_QS201, "ons_census2011_qs201ew", False
    elif year == 2011:
        t = census_2011(data_dir) if area == ENGLAND_AND_WALES else _area_rows(census_2011, area, data_dir)
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
    elif year == 2021 and all_ages and sex == "all" and (is_force_area(area) or area.startswith("E09")):
        t = census_2021_ts021(data_dir)
        t = t[t["area_code"].isin(lads_of(area, 2021, data_dir))] if is_force_area(area) else t[t["area_code"] == area]
        table, source, rounded = CENSUS_2021_TS021, "ons_census2021_ts021", False
        note = "TS021 is unrounded but carries ONS cell-key perturbation"
    elif year == 2021 and all_ages:
        if is_force_area(area):
            raise ValueError(
                "2021 by police force area: both sexes only (the by-sex table merges the City of London with "
                f"Westminster and is rounded); got {area_name(area, data_dir)}, sex {sex}"
            )
        t = _area_rows(census_2021_by_sex, area, data_dir)
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
        if is_force_area(area):
            raise ValueError(
                f"2021 by police force area: all ages only, not ages {age_from}-{age_to} for "
                f"{area_name(area, data_dir)}. The single-year-of-age table merges the City of London with "
                "Westminster and, summed over a force's local authorities, loses most of a small group to "
                "suppressed cells; for the Met use area London (Met and City together)"
            )
        t = census_2021_by_age_in(area, data_dir)
        t = t[(t["age"] >= age_from) & (t["age"] <= age_to)]
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
    by_age = census_2021_by_age_in(area, data_dir)
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
# or pfa_<code> for a police force area, e.g. pfa_E23000014_all_ages@2021 (West Midlands).
_AREAS = {"london": LONDON, "met_area": MET_AREA, "ew": ENGLAND_AND_WALES}
CENSUS_ID = re.compile(
    r"^(?P<area>london|met_area|ew|pfa_(?P<pfa>(?:E23|W15)\d{6}))_(?:(?P<sex>males|females)_)?"
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
    area = m["pfa"] or _AREAS[m["area"]]
    return dict(year=year, area=area, age_from=ages[0], age_to=ages[1], sex=sex)


def force_census_id(code: str, year: int | None = 2021) -> str:
    """The census id of a force area's all-ages population: pfa_<code>_all_ages@<year>."""
    return f"pfa_{code}_all_ages" + (f"@{year}" if year else "")


def census_share(census_id: str, group: str = "Black", data_dir: str = "data") -> tuple[int, int]:
    """(people in `group`, everyone) for a census id that names its year, e.g. london_all_ages@2011."""
    spec = parse_census_id(census_id)
    if spec is None:
        raise KeyError(f"{census_id!r} is not a census id with a year (e.g. london_all_ages@2011, london_10_17@2021)")
    pc = population_count(group=group, data_dir=data_dir, **spec)
    return pc.group_count, pc.total
