"""The Met homicide victims file (data/raw/), as tidy rows, and the victims
counts the benchmark panel uses. Victims ids:
homicide_<method>_<a>_<b>[_males|_females][@<start>-<end>]."""

from __future__ import annotations

import re
from functools import lru_cache

import pandas as pd

from police_lists.contract.paths import data_dir as _data_dir
from police_lists.methods.bands import cuts_across, parse_band, within

HOMICIDE_VICTIMS = "raw/met_homicide_victims_2003_2023.csv"
HOMICIDE_SOURCE = "mps_homicide_victims_2003_2023"
# homicide_<method>_<a>_<b>[_males|_females][@<start>-<end>]
HOMICIDE_METHODS = {
    "knife": ("Knife or Sharp Implement",),
    "shooting": ("Shooting",),
    "knife_or_shooting": ("Knife or Sharp Implement", "Shooting"),
    "all": None,
}
VICTIMS_ID = re.compile(
    r"^homicide_(?P<method>knife_or_shooting|knife|shooting|all)_(?P<a>\d+)_(?P<b>\d+)"
    r"(?:_(?P<sex>males|females))?(?:@(?P<start>\d{4})-(?P<end>\d{4}))?$"
)
DEFAULT_VICTIMS_PERIOD = (2003, 2023)


def _age_group_bounds(label: str) -> tuple[int, int]:
    """'13 to19' (sic, as in the file) -> (13, 19); '65 and over' -> (65, OPEN_END)."""
    return parse_band(label, HOMICIDE_VICTIMS)


@lru_cache(maxsize=4)
def homicide_victims(data_dir: str = "data") -> pd.DataFrame:
    """The victims file as tidy rows: year (from 'Mon-YY'), age band bounds, tidy borough."""
    raw = pd.read_csv(_data_dir(data_dir) / HOMICIDE_VICTIMS, dtype=str, keep_default_na=False)
    out = pd.DataFrame(
        {
            "victims": raw["Count of Victims"].astype(int),
            "age_group": raw["Age Group"],
            "sex": raw["Sex"],
            "method": raw["Method of Killing"],
            "domestic_abuse": raw["Domestic Abuse"],
            "year": 2000 + raw["Recorded Date"].str[-2:].astype(int),
            "offence": raw["Homicide Offence Type"],
            "borough": raw["Borough"].str.strip(),
            "ethnicity": raw["Officer Observed Ethnicity"],
        }
    )
    bounds = out["age_group"].map(_age_group_bounds)
    out["age_from"] = [a for a, _ in bounds]
    out["age_to"] = [b for _, b in bounds]
    return out


def victims_count(
    method: str = "knife",
    age_from: int = 13,
    age_to: int = 24,
    period: tuple[int, int] = (2012, 2019),
    sex: str = "all",
    group: str = "Black",
    data_dir: str = "data",
) -> dict:
    """Homicide victims matching the filters: group count, all victims, and
    victims whose ethnicity was not recorded. Ages must fall on the file's age
    bands (0-12, 13-19, 20-24, 25-34, ...); the period is in recorded years,
    inclusive."""
    if method not in HOMICIDE_METHODS:
        raise ValueError(f"method must be one of {sorted(HOMICIDE_METHODS)}; got {method!r}")
    t = homicide_victims(data_dir)
    first, last = int(t["year"].min()), int(t["year"].max())
    if not first <= period[0] <= period[1] <= last:
        raise ValueError(f"period {period[0]}-{period[1]} must lie within the file's years {first}-{last}")
    straddles = cuts_across(t["age_from"], t["age_to"], age_from, age_to)
    if straddles.any():
        bands = sorted(set(t.loc[straddles, "age_group"]))
        raise ValueError(f"ages {age_from}-{age_to} cut across the homicide file's age groups {bands}")
    t = t[within(t["age_from"], t["age_to"], age_from, age_to) & t["year"].between(*period)]
    if HOMICIDE_METHODS[method]:
        t = t[t["method"].isin(HOMICIDE_METHODS[method])]
    if sex != "all":
        t = t[t["sex"].str.lower() == sex]
    if t.empty:
        raise ValueError(f"no homicide victims for {method}, ages {age_from}-{age_to}, {period[0]}-{period[1]}, {sex}")
    unknown = t["ethnicity"].str.startswith("Unrecorded")
    return {
        "group_count": int(t.loc[t["ethnicity"] == group, "victims"].sum()),
        "total": int(t["victims"].sum()),
        "unknown": int(t.loc[unknown, "victims"].sum()),
    }
