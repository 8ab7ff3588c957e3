"""Every police.uk stop-and-search ethnicity wording since 2015 is read, and real
exports of 2016 and 2026 are profiled with no parameters.

The wordings are listed here by vintage, with the group each belongs to, as
the test's own record (from the exports themselves: see
tests/fixtures/police_uk/README.md), independent of
data/manual/ethnicity_mapping.csv, which they check:
  * self-defined, data months 2015 to April 2017: the 16+1 classification,
    written "label (code)", e.g. "White - White British (W1)";
  * self-defined, from May 2017 on: the 18+1 (2011 Census) wording, no code;
  * officer-defined, every vintage: White, Black, Asian, Other, Mixed (rare).
A blank is Unknown in every column.
"""

import csv
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest

from police_lists.methods import sdc
from police_lists.pipeline import cli
from police_lists.readers import listinput

ROOT = Path(__file__).resolve().parents[1]
REAL = ROOT / "tests" / "fixtures" / "police_uk"
HEADER = [
    "Type",
    "Date",
    "Part of a policing operation",
    "Policing operation",
    "Latitude",
    "Longitude",
    "Gender",
    "Age range",
    "Self-defined ethnicity",
    "Officer-defined ethnicity",
    "Legislation",
    "Object of search",
    "Outcome",
    "Outcome linked to object of search",
    "Removal of more than just outer clothing",
]

SELF_2015 = {  # 16+1, data months 2015-03 (first seen) to 2017-04
    "White - White British (W1)": "White",
    "White - White Irish (W2)": "White",
    "White - Any other White ethnic background (W9)": "White",
    "Mixed - White and Black Caribbean (M1)": "Mixed",
    "Mixed - White and Black African (M2)": "Mixed",
    "Mixed - White and Asian (M3)": "Mixed",
    "Mixed - Any other Mixed ethnic background (M9)": "Mixed",
    "Asian or Asian British - Indian (A1)": "Asian",
    "Asian or Asian British - Pakistani (A2)": "Asian",
    "Asian or Asian British - Bangladeshi (A3)": "Asian",
    "Asian or Asian British - Any other Asian ethnic background (A9)": "Asian",
    "Black or Black British - Caribbean (B1)": "Black",
    "Black or Black British - African (B2)": "Black",
    "Black or Black British - Any other Black ethnic background (B9)": "Black",
    "Chinese or other ethnic group - Chinese (O1)": "Other",  # 16+1 puts Chinese with Other
    "Chinese or other ethnic group - Any other ethnic group (O9)": "Other",
    "Not Stated (NS)": "Unknown",
    "": "Unknown",
}
SELF_2017 = {  # 18+1, data months 2017-05 to the latest export (2026-02)
    "White - English/Welsh/Scottish/Northern Irish/British": "White",
    "White - Irish": "White",
    "White - Gypsy or Irish Traveller": "White",
    "White - Any other White background": "White",
    "Mixed/Multiple ethnic groups - White and Black Caribbean": "Mixed",
    "Mixed/Multiple ethnic groups - White and Black African": "Mixed",
    "Mixed/Multiple ethnic groups - White and Asian": "Mixed",
    "Mixed/Multiple ethnic groups - Any other Mixed/Multiple ethnic background": "Mixed",
    "Asian/Asian British - Indian": "Asian",
    "Asian/Asian British - Pakistani": "Asian",
    "Asian/Asian British - Bangladeshi": "Asian",
    "Asian/Asian British - Chinese": "Asian",  # 18+1 puts Chinese with Asian
    "Asian/Asian British - Any other Asian background": "Asian",
    "Black/African/Caribbean/Black British - African": "Black",
    "Black/African/Caribbean/Black British - Caribbean": "Black",
    "Black/African/Caribbean/Black British - Any other Black/African/Caribbean background": "Black",
    "Other ethnic group - Arab": "Other",
    "Other ethnic group - Any other ethnic group": "Other",
    "Other ethnic group - Not stated": "Unknown",
    "": "Unknown",
}
OFFICER = {"White": "White", "Black": "Black", "Asian": "Asian", "Other": "Other", "Mixed": "Mixed", "": "Unknown"}
VINTAGES = {"2015-03 to 2017-04": SELF_2015, "2017-05 on": SELF_2017}
AGES = {
    "under 10": "under 10",
    "10-17": "10-17",
    "18-24": "18-24",
    "25-34": "25-34",
    "over 34": "35 and over",
    "": "Unknown",
}


def lookup():
    return listinput.ethnicity_lookup("data")[0]


@pytest.mark.parametrize(
    "wording,group",
    [(w, g) for table in (SELF_2015, SELF_2017, OFFICER) for w, g in table.items()],
    ids=lambda x: x or "blank",
)
def test_every_police_uk_wording_maps_to_its_group(wording, group):
    assert listinput.map_ethnicity(wording, lookup()) == group


def _export(path: Path, self_defined: dict, line_end: str = "\r\n") -> list[dict]:
    """A police.uk-shaped export using every wording of a vintage (row-level values invented)."""
    rows = []
    selves, officers, ages = list(self_defined), list(OFFICER), list(AGES)
    genders = ["Male", "Female", "Other", ""]
    for i in range(3 * len(selves)):
        rows.append(
            {
                "Type": "Person search",
                "Date": f"2016-06-{1 + i % 28:02d}T12:00:00+00:00",
                "Part of a policing operation": "False",
                "Policing operation": "",
                "Latitude": "51.51",
                "Longitude": "-0.09",
                "Gender": genders[i % 4],
                "Age range": ages[i % len(ages)],
                "Self-defined ethnicity": selves[i % len(selves)],
                "Officer-defined ethnicity": officers[i % 6],
                "Legislation": "Misuse of Drugs Act 1971 (section 23)",
                "Object of search": "Controlled drugs",
                "Outcome": "A no further action disposal",
                "Outcome linked to object of search": "False",
                "Removal of more than just outer clothing": "False",
            }
        )
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=HEADER, lineterminator=line_end)
        writer.writeheader()
        writer.writerows(rows)
    return rows


@pytest.mark.parametrize("vintage", sorted(VINTAGES))
@pytest.mark.parametrize("line_end", ["\r\n", "\n"], ids=["CRLF", "LF"])
def test_an_export_of_each_vintage_is_read_with_no_parameters(tmp_path, vintage, line_end):
    p = tmp_path / "export.csv"
    rows = _export(p, VINTAGES[vintage], line_end)
    data = listinput.read_list(p)
    assert data.format == "police.uk stop and search" and data.n == len(rows)
    assert data.columns == {
        "ethnicity": "Self-defined ethnicity",
        "ethnicity_officer": "Officer-defined ethnicity",
        "age": "Age range",
        "gender": "Gender",
    }
    assert dict(data.counts["ethnicity"]) == Counter(VINTAGES[vintage][r["Self-defined ethnicity"]] for r in rows)
    assert dict(data.counts["ethnicity_officer"]) == Counter(OFFICER[r["Officer-defined ethnicity"]] for r in rows)
    assert dict(data.counts["age"]) == Counter(AGES[r["Age range"]] for r in rows)


# ---------------------------------------------------------------- real exports


def _independent_counts(path: Path) -> dict[str, Counter]:
    """The export counted with the csv module and the tables above (not the package)."""
    with open(path, newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    selves = {**SELF_2015, **SELF_2017}
    return {
        "n": len(rows),
        "ethnicity": Counter(selves[r["Self-defined ethnicity"]] for r in rows),
        "ethnicity_officer": Counter(OFFICER[r["Officer-defined ethnicity"]] for r in rows),
        "age": Counter(AGES[r["Age range"]] for r in rows),
        "gender": Counter(r["Gender"] or "Unknown" for r in rows),
    }


REAL_EXPORTS = ["2016-06-city-of-london-stop-and-search.csv", "2026-02-city-of-london-stop-and-search.csv"]


@pytest.mark.parametrize("name", REAL_EXPORTS)
def test_real_export_counts_exactly(name):
    truth = _independent_counts(REAL / name)
    data = listinput.read_list(REAL / name)
    assert data.format == "police.uk stop and search" and data.n == truth["n"]
    for dim in ("ethnicity", "ethnicity_officer", "age", "gender"):
        assert dict(data.counts[dim]) == dict(truth[dim]), dim


@pytest.fixture(scope="module")
def real_profiles(tmp_path_factory):
    """Each real export profiled by the command line with no parameters."""
    outs = {}
    for name in REAL_EXPORTS:
        outs[name] = tmp_path_factory.mktemp("real") / "OUT"
        assert cli.main(["profile", "--list", str(REAL / name), "--output-dir", str(outs[name])]) == 0
    return outs


@pytest.mark.parametrize("name", REAL_EXPORTS)
def test_real_export_is_profiled_with_no_parameters(real_profiles, name):
    out = real_profiles[name]
    truth = _independent_counts(REAL / name)
    shown = 0
    for dim in ("ethnicity", "ethnicity_officer", "age", "gender"):
        table = pd.read_csv(out / "tables" / f"{dim}.csv", dtype=str, keep_default_na=False).set_index("category")
        assert table.loc["Total", "count"] == str(int(sdc.round_to_base(truth["n"])))
        for category, count in table["count"].drop("Total").items():
            if count == "[c]":
                continue
            shown += 1
            # every published count is the true count rounded half up to 5, and no count under 10 is shown
            assert int(count) == int(sdc.round_to_base(truth[dim][category])), (dim, category)
            assert truth[dim][category] == 0 or truth[dim][category] >= 10, (dim, category)
    assert shown >= 6  # the profile says something: not everything is suppressed


def test_real_2016_export_hand_checked_counts(real_profiles):
    # City of London, June 2016 (99 searches), counted by hand from the file's self-defined column:
    # White 20 (W1) + 28 (W9) = 48; Black 3 (B1) + 10 (B2) + 2 (B9) = 15; Asian 1 + 2 + 8 + 1 = 12;
    # Mixed 3 + 1 + 1 = 5; Other 1 (O1); Not stated 18. Published: 48 -> 50, 15, 18 -> 20, 99 -> 100;
    # Mixed and Other are under 10 and Asian is hidden with them (their sum alone would be 6, a range
    # narrower than 10).
    out = real_profiles[REAL_EXPORTS[0]]
    eth = pd.read_csv(out / "tables" / "ethnicity.csv", dtype=str, keep_default_na=False).set_index("category")
    assert eth["count"].to_dict() == {
        "White": "50",
        "Black": "15",
        "Asian": "[c]",
        "Mixed": "[c]",
        "Other": "[c]",
        "Unknown": "20",
        "Total": "100",
    }
