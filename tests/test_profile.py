"""`make profile`: the input contract, the bad-input corpus, the profile tables,
disclosure control end to end, and the SYNTHETIC teaching list."""

import csv
import hashlib
import json
import os
from collections import Counter
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from conftest import profile_argv
from police_lists.analyses import synth
from police_lists.contract.safety import quoted
from police_lists.methods import sdc
from police_lists.pipeline import cli, outdir
from police_lists.pipeline.params import parse_value
from police_lists.readers import listinput
from police_lists.readers.listinput import map_ethnicity

ROOT = Path(__file__).resolve().parents[1]
BAD = ROOT / "tests" / "bad_inputs"
FIXTURES = ROOT / "tests" / "fixtures"
POLICE_UK = FIXTURES / "police_uk_stop_search.csv"
SYNTHETIC = ROOT / "data" / "examples" / "pima_synthetic_list.csv"


def lookup():
    return listinput.ethnicity_lookup("data")[0]


# ---------------------------------------------------------------- mapping


@pytest.mark.parametrize(
    "value,group",
    [
        ("Black or Black British - African (B2)", "Black"),
        ("B2 - Black or Black British - African", "Black"),
        ("B2", "Black"),
        ("b2", "Black"),
        ("IC3", "Black"),
        ("ic1", "White"),
        ("IC2", "White"),
        ("IC4", "Asian"),
        ("IC5", "Other"),
        ("IC6", "Other"),
        ("IC9", "Unknown"),
        ("IC0", "Unknown"),
        ("A4", "Asian"),
        ("Asian/Asian British - Chinese", "Asian"),
        ("O1", "Other"),
        ("Chinese or other ethnic group - Chinese", "Other"),
        ("O2", "Other"),
        ("W3", "White"),
        ("NS", "Unknown"),
        ("Black/African/Caribbean/Black British \u2013 Caribbean", "Black"),  # en dash, as pasted from Word
        ("Mixed/Multiple ethnic groups - White and Black Caribbean", "Mixed"),
        ("Other ethnic group - Not stated", "Unknown"),
        ("White: Roma", "White"),
        ("Roma", "White"),
        ("Other Black", "Black"),
        ("Any other ethnic group", "Other"),
        ("Black, Black British, Black Welsh, Caribbean or African: African", "Black"),
        ("  black  ", "Black"),
        ("", "Unknown"),
        ("Not stated", "Unknown"),
        ("Not Black", "Not Black"),
    ],
)
def test_mapping_known_values(value, group):
    assert map_ethnicity(value, lookup()) == group


@pytest.mark.parametrize("value", ["Martian", "IC7", "Black or Black British - African (W1)", "B7", "Blackish"])
def test_mapping_refuses_unknown_or_contradictory_values(value):
    assert map_ethnicity(value, lookup()) is None


def test_mapping_covers_every_coding():
    table = pd.read_csv(ROOT / "data" / "manual" / "ethnicity_mapping.csv", dtype=str, keep_default_na=False)
    codes = table.groupby("coding")["code"].apply(lambda c: sorted(set(c) - {""}))
    assert len(codes["self_defined_16"]) == 17  # 16 + not stated
    assert len(codes["self_defined_18"]) == 19  # 18 + not stated
    assert codes["ic_code"] == ["IC0", "IC1", "IC2", "IC3", "IC4", "IC5", "IC6", "IC9"]
    census = table[(table["coding"] == "census_2021") & table["value"].str.contains(": ")]
    assert len(census) == 19


def test_census_2021_labels_match_the_ons_file():
    # the 19 "heading: detail" labels are exactly the column headings of the ONS table in data/raw
    header = pd.read_csv(
        ROOT / "data" / "raw" / "census2021_ethnic_group_by_sex_areas.csv", nrows=0, encoding="utf-8-sig"
    ).columns[3:]
    table = pd.read_csv(ROOT / "data" / "manual" / "ethnicity_mapping.csv", dtype=str, keep_default_na=False)
    census = set(table[(table["coding"] == "census_2021") & table["value"].str.contains(": ")]["value"])
    assert census == set(header)


# ---------------------------------------------------------------- reading


def _police_uk_expected():
    """Independent count of the fixture with the csv module and the police.uk headings."""
    heads = {
        "White": "White",
        "Black/African/Caribbean/Black British": "Black",
        "Asian/Asian British": "Asian",
        "Mixed/Multiple ethnic groups": "Mixed",
        "Other ethnic group": "Other",
    }
    with open(POLICE_UK, newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    eth = Counter(
        "Unknown"
        if r["Self-defined ethnicity"] in ("", "Other ethnic group - Not stated")
        else heads[r["Self-defined ethnicity"].split(" - ")[0]]
        for r in rows
    )
    off = Counter(r["Officer-defined ethnicity"] or "Unknown" for r in rows)
    age = Counter({"over 34": "35 and over", "": "Unknown"}.get(r["Age range"], r["Age range"]) for r in rows)
    gender = Counter(r["Gender"] or "Unknown" for r in rows)
    return len(rows), eth, off, age, gender


def test_police_uk_export_is_recognised_without_parameters():
    data = listinput.read_list(POLICE_UK)
    n, eth, off, age, gender = _police_uk_expected()
    assert data.format == "police.uk stop and search"
    assert data.n == n == 400
    assert data.columns["ethnicity"] == "Self-defined ethnicity"  # self-defined by default
    assert data.columns["ethnicity_officer"] == "Officer-defined ethnicity"  # reported beside it
    assert dict(data.counts["ethnicity"]) == dict(eth)
    assert dict(data.counts["ethnicity_officer"]) == dict(off)
    assert dict(data.counts["age"]) == dict(age)
    assert dict(data.counts["gender"]) == dict(gender)
    assert data.counts["ethnicity"]["Unknown"] == eth["Unknown"] > 0  # blanks and "Not stated" counted, not dropped


def test_csv_variants_and_xlsx_read_the_same(tmp_path):
    frame = pd.read_csv(POLICE_UK, dtype=str, keep_default_na=False)
    semi = tmp_path / "semi.csv"
    semi.write_bytes(b"\xef\xbb\xbf" + frame.to_csv(index=False, sep=";").encode("utf-8"))
    crlf = tmp_path / "crlf.csv"
    crlf.write_bytes(frame.to_csv(index=False, lineterminator="\r\n").encode("utf-8"))
    xlsx = tmp_path / "list.xlsx"
    frame.to_excel(xlsx, index=False)
    base = listinput.read_list(POLICE_UK).counts
    for path in (semi, crlf, xlsx):
        other = listinput.read_list(path).counts
        assert {k: dict(v) for k, v in other.items()} == {k: dict(v) for k, v in base.items()}, path.name


def test_whole_years_are_banded(tmp_path):
    p = tmp_path / "ages.csv"
    p.write_text("ethnicity,age\n" + "".join(f"White,{a}\n" for a in [9, 10, 17, 18, 24, 25, 34, 35, 80, ""]))
    counts = listinput.read_list(p).counts["age"]
    assert dict(counts) == {"under 10": 1, "10-17": 2, "18-24": 2, "25-34": 2, "35 and over": 2, "Unknown": 1}
    other = listinput.read_list(p, age_bands="16,19").counts["age"]
    assert dict(other) == {"under 16": 2, "16-18": 2, "19 and over": 5, "Unknown": 1}


def test_aggregate_table_sums_codes_into_groups(tmp_path):
    p = tmp_path / "agg.csv"
    p.write_text(
        "dimension,category,count\nethnicity,B1,20\nethnicity,B2,25\nethnicity,W1,40\nethnicity,,5\n"
        "age,10-17,30\nage,18-24,60\ngender,Male,80\ngender,Female,10\n"
    )
    data = listinput.read_list(p)
    assert data.kind == "aggregate" and data.n == 90
    assert dict(data.counts["ethnicity"]) == {"White": 40, "Black": 45, "Unknown": 5}


def test_harm_scores_are_banded_by_the_parameter_only(tmp_path):
    p = tmp_path / "harm.csv"
    p.write_text("ethnicity,harm score\nBlack,12.5\nWhite,3\nBlack,55\nAsian,\nWhite,100\nWhite,9.99\n")
    counts = listinput.read_list(p, harm_bands="10,50,100").counts["harm"]
    assert dict(counts) == {
        "score under 10": 2,
        "score 10 to under 50": 1,
        "score 50 to under 100": 1,
        "score 100 and over": 1,
        "Unknown": 1,
    }


def test_columns_can_be_named(tmp_path):
    p = tmp_path / "named.csv"
    p.write_text("Ethnic origin,Years\nIC3,17\nIC1,30\n")
    data = listinput.read_list(p, ethnicity_column="ethnic origin", age_column="Years")
    assert dict(data.counts["ethnicity"]) == {"White": 1, "Black": 1}


# ---------------------------------------------------------------- bad inputs

# file -> (extra -p parameters, row text, column, value, words of the rule)
CASES = {
    "unknown_ethnicity_code.csv": ([], "rows 3, 5", "ethnicity", "Martian", "ethnicity must be a value in"),
    "unknown_ic_code.csv": ([], "row 4", "officer_defined_ethnicity", "IC7", "ethnicity must be a value in"),
    "unknown_code.xlsx": ([], "row 4", "Ethnicity", "Z9", "ethnicity must be a value in"),
    "semicolon_unknown_code.csv": ([], "row 4", "Self-defined ethnicity", "Black - Martian", "ethnicity must be"),
    "unknown_gender.csv": ([], "row 3", "gender", "Zebra", "gender is one of"),
    "negative_age.csv": ([], "row 3", "age", "-4", "not negative"),
    "fractional_age.csv": ([], "row 2", "age", "16.5", "whole number"),
    "age_too_high.csv": ([], "row 2", "age", "230", "at most 120"),
    "age_years_and_bands.csv": ([], "row 3", "age", "18-24", "whole years or bands, not both"),
    "overlapping_age_bands.csv": ([], "row -", "age", "10-17 / 16-18", "do not overlap"),
    "unreadable_age.csv": ([], "row 2", "age", "teenager", "age is whole years or a band"),
    "negative_count.csv": ([], "row 3", "count", "-3", "not negative"),
    "fractional_count.csv": ([], "row 2", "count", "12.5", "whole number"),
    "percent_sign_count.csv": ([], "rows 2, 3", "count", "61%", "not percentages"),
    "percentages_not_counts.csv": ([], "row 1", "percent", "percent", "not percentages"),
    "non_numeric_count.csv": ([], "row 2", "count", "many", "whole number of people"),
    "duplicate_rows.csv": ([], "rows 2, 4", "category", "Black", "duplicate rows"),
    "duplicate_identifier.csv": ([], "rows 2, 4", "person_id", "(identifier withheld)", "each person appears once"),
    "unknown_dimension.csv": ([], "row 3", "dimension", "religion", "dimension is one of"),
    "dimension_totals_disagree.csv": ([], "row -", "count", "gender total 25", "adds up to the list size"),
    "empty.csv": ([], "row 1", "-", "", "the file is empty"),
    "whitespace_only.csv": ([], "row 1", "-", "", "the file is empty"),
    "header_only.csv": ([], "row 2", "-", "", "no data rows"),
    "latin1_encoding.csv": ([], "row 4", "gender", "byte e9", "must be UTF-8"),
    "utf16_encoding.csv": ([], "row 1", "-", "byte ff fe", "UTF-16"),
    "missing_ethnicity_column.csv": ([], "row 1", "ethnicity", "(missing)", "required ethnicity column is missing"),
    "missing_named_column.csv": (
        [("ethnicity_column", "Ethnic origin")],
        "row 1",
        "Ethnic origin",
        "(missing)",
        "named by the parameter must be in the header",
    ),
    "ragged_row.csv": ([], "row 3", "-", "4 fields", "header's 3 fields"),
    "blank_row_inside.csv": ([], "row 3", "-", "", "no blank rows"),
    "harm_free_text.csv": (
        [("harm_labels", "Red,Amber,Green")],
        "row 3",
        "harm band",
        "seen with cousin near the station on Friday",
        "one of the declared harm_labels",
    ),
    "harm_scores_without_bands.csv": ([], "row -", "harm score", "(numeric scores)", "give the harm_bands parameter"),
    "count_without_dimension.csv": ([], "row 1", "count", "count", "needs dimension and category"),
    "not_black_with_groups.csv": ([], "row -", "ethnicity", "Not Black", "uses no other group"),
    "wrong_file_type.json": ([], "row -", "-", "wrong_file_type.json", "a .csv or .xlsx file"),
    "corrupt_workbook.xlsx": ([], "row -", "-", "corrupt_workbook.xlsx", "readable Excel workbook"),
}


def test_corpus_is_complete():
    assert len(CASES) >= 20
    assert {p.name for p in BAD.iterdir()} == set(CASES)


def _tree(folder: Path) -> dict:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="module")
def earlier_profile(tmp_path_factory):
    """A real profile, so a refused run can be shown to leave it untouched."""
    out = tmp_path_factory.mktemp("earlier") / "OUT"
    assert cli.main(["profile", "--list", str(SYNTHETIC), "--output-dir", str(out)]) == 0
    return out


@pytest.mark.parametrize("name", sorted(CASES))
def test_bad_input_is_refused_with_one_line(name, tmp_path, capsys, earlier_profile):
    params, row, column, value, rule = CASES[name]
    extra = [a for k, v in params for a in ("-p", k, v)]
    # 1. OUT does not exist: it is not created
    missing = tmp_path / "OUT"
    assert cli.main(["profile", "--list", str(BAD / name), "--output-dir", str(missing), *extra]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 2 and err[1].startswith("profile refused: 1 problem(s)")
    line = err[0]
    assert line.startswith(f"tests/bad_inputs/{name}: {row}, column {column!r}: value {quoted(value)} breaks rule: "), (
        line
    )
    assert rule in line
    assert not missing.exists()
    assert not any(p.name.startswith(".OUT") for p in tmp_path.iterdir())  # no temporary folder left behind
    # 2. OUT holds an earlier profile: not a byte changes
    before = _tree(earlier_profile)
    assert cli.main(["profile", "--list", str(BAD / name), "--output-dir", str(earlier_profile), *extra]) == 1
    capsys.readouterr()
    assert _tree(earlier_profile) == before


def test_bad_parameter_is_refused_before_anything_is_written(tmp_path, capsys):
    out = tmp_path / "OUT"
    assert cli.main(["profile", "--list", str(SYNTHETIC), "--output-dir", str(out), "-p", "threshold", "0"]) == 1
    assert "parameter threshold = 0 is not allowed" in capsys.readouterr().err
    assert not out.exists()


def test_out_holding_other_files_is_not_overwritten(tmp_path, capsys):
    out = tmp_path / "OUT"
    out.mkdir()
    (out / "thesis.docx").write_text("precious")
    assert cli.main(["profile", "--list", str(SYNTHETIC), "--output-dir", str(out)]) == 1
    assert (
        "value 'thesis.docx' breaks rule: OUT must be missing, empty or an earlier profile" in capsys.readouterr().err
    )
    assert [p.name for p in out.iterdir()] == ["thesis.docx"]


# ---------------------------------------------------------------- end to end

SECRET_NAMES = ["Zebedee Quixotic-Smith", "Marigold Fenwick-Ashdown", "Tobias Yarrowgate"]


def _small_cells_list(path: Path, drop: int = 0) -> dict:
    """A record-level list with small cells, identifiers, names and free-text notes.
    Returns the true counts per dimension (known by construction)."""
    eth = (
        ["White"] * 40
        + ["B2"] * 15
        + ["Black or Black British - Caribbean (B1)"] * 10
        + ["A1"] * 3
        + ["M1"] * 1
        + ["O9"] * 12
        + [""] * 2
    )
    ages = [15 + (i * 7) % 30 for i in range(len(eth))]
    gender = (["Male"] * 70 + ["Female"] * 12 + ["Other"] * 1)[: len(eth)]
    harm = (["Red"] * 5 + ["Amber"] * 30 + ["Green"] * 48)[: len(eth)]
    rows = []
    for i in range(len(eth)):
        rows.append(
            {
                "person_id": f"PNC-{900000 + i}",
                "Name": SECRET_NAMES[i % 3] + f" {i}",
                "Notes": f"seen near 14 Acacia Avenue with associate {i}",
                "ethnicity": eth[i],
                "age": ages[i],
                "gender": gender[i],
                "harm band": harm[i],
            }
        )
    rows = rows[drop:]
    pd.DataFrame(rows).to_csv(path, index=False)
    frame = pd.DataFrame(rows)
    return {"n": len(rows), "frame": frame}


@pytest.fixture(scope="module")
def small_profile(tmp_path_factory):
    folder = tmp_path_factory.mktemp("small")
    src = folder / "list.csv"
    truth = _small_cells_list(src)
    prev = folder / "previous.csv"
    _small_cells_list(prev, drop=20)
    out = folder / "OUT"
    with pytest.MonkeyPatch.context() as env:  # the kernel's IPython folder (test_the_kernel_keeps_no_history)
        env.setenv("IPYTHONDIR", str(folder / "ipython"))
        assert cli.main(profile_argv(src, out, previous_path=prev, harm_labels="Red,Amber,Green")) == 0
    return out, src, truth


def test_profile_writes_the_promised_files(small_profile):
    out, _, _ = small_profile
    for name in (
        "profile.html",
        "notebook.ipynb",
        "manifest.json",
        "tables/ethnicity.csv",
        "tables/age.csv",
        "tables/gender.csv",
        "tables/disproportionality.csv",
        "tables/harm.csv",
        "tables/changes.csv",
    ):
        assert (out / name).is_file(), name
    for name in ("ethnicity", "age", "gender"):
        cols = pd.read_csv(out / "tables" / f"{name}.csv").columns
        assert {"category", "count", "share", "ci_low", "ci_high"} <= set(cols)
    cols = pd.read_csv(out / "tables" / "disproportionality.csv").columns
    assert {"category", "benchmark", "list_share", "benchmark_share", "ratio", "ci_low", "ci_high"} <= set(cols)
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["kind"] == outdir.KIND and manifest["sensitivity"].startswith("disclosure-controlled")
    assert set(manifest["outputs"]) >= {"profile.html", "notebook.ipynb", "tables/ethnicity.csv"}


COUNT_COLUMNS = ("count", "list_count", "count_previous", "count_now")


def test_no_published_cell_between_1_and_9(small_profile):
    out, _, _ = small_profile
    checked = 0
    for path in sorted((out / "tables").glob("*.csv")):
        table = pd.read_csv(path, dtype=str, keep_default_na=False)
        for column in COUNT_COLUMNS:
            if column not in table:
                continue
            for value in table[column]:
                checked += 1
                assert value in ("[c]", "", "0") or (int(value) >= 10 and int(value) % 5 == 0), (path.name, value)
    assert checked > 20
    eth = pd.read_csv(out / "tables" / "ethnicity.csv", dtype=str, keep_default_na=False).set_index("category")
    # 3 Asian, 1 Mixed, 2 Unknown are hidden, and so is every share that would reveal them
    assert eth.loc[["Asian", "Mixed", "Unknown"], "count"].tolist() == ["[c]"] * 3
    assert eth.loc["Asian", "share"] == eth.loc["Asian", "ci_high"] == "[c]"
    assert eth.loc["Black", "count"] == "25" and eth.loc["Total", "count"] == "85"


def test_no_suppressed_cell_can_be_recovered(small_profile):
    # LP audit against the TRUE counts (the intruder's best case: every published
    # cell and the total known exactly): every hidden cell keeps a range >= 10
    out, _, truth = small_profile
    frame = truth["frame"]
    groups = {
        "White": "White",
        "B2": "Black",
        "Black or Black British - Caribbean (B1)": "Black",
        "A1": "Asian",
        "M1": "Mixed",
        "O9": "Other",
        "": "Unknown",
    }
    true = {
        "ethnicity": Counter(groups[e] for e in frame["ethnicity"]),
        "gender": Counter(frame["gender"]),
        "harm": Counter(frame["harm band"]),
    }
    hidden = 0
    for dim, counts in true.items():
        table = pd.read_csv(out / "tables" / f"{dim}.csv", dtype=str, keep_default_na=False)
        table = table[table["category"] != "Total"]
        values = np.array([[counts[c] for c in table["category"]]])
        mask = (table["count"] == "[c]").to_numpy()[None, :]
        assert mask.sum() != 1, dim  # a lone hidden cell is always recoverable from the total
        audit = sdc.audit(values, mask, rows=True, cols=False)
        for r in audit.itertuples():
            hidden += 1
            assert r.low <= r.true <= r.high and r.high - r.low >= 10, (dim, r)
    assert hidden >= 4


def test_no_row_level_data_reaches_any_output(small_profile):
    out, src, truth = small_profile
    text = "\n".join(
        p.read_text(encoding="utf-8", errors="replace")
        for p in out.rglob("*")
        if p.is_file() and p.suffix in (".html", ".ipynb", ".csv", ".json")
    )
    frame = truth["frame"]
    for secret in [*SECRET_NAMES, "Acacia Avenue", "PNC-9000", "associate", str(src.parent)]:
        assert secret not in text, secret
    assert "Black or Black British - Caribbean" not in text  # raw codes are mapped, not echoed
    assert frame["Notes"].iloc[0] not in text


def test_the_kernel_keeps_no_history_of_the_list(small_profile):
    """IPython's history stays in the kernel's memory (execute.KERNEL_OPTIONS): by default
    every cell's source, the injected parameters with the list's path among them, went
    into history.sqlite in the user's IPython folder and stayed there."""
    out, src, _ = small_profile
    folder = src.parent / "ipython"
    assert (folder / "profile_default").is_dir()  # the kernel ran with this IPython folder
    assert list(folder.rglob("history.sqlite")) == []
    for path in folder.rglob("*"):
        if path.is_file():
            assert os.fsencode(src.parent) not in path.read_bytes(), path


def test_what_changed_uses_published_figures(small_profile):
    out, _, _ = small_profile
    changes = pd.read_csv(out / "tables" / "changes.csv", dtype=str, keep_default_na=False)
    assert set(changes["dimension"]) == {"ethnicity", "age", "gender", "harm"}
    changes = changes[changes["dimension"] == "ethnicity"].set_index("category")
    assert changes.loc["Total", "count_previous"] == "65" and changes.loc["Total", "count_now"] == "85"
    assert changes.loc["White", "change"] == "20"  # 40 now (rounded 40) vs 20 before
    assert changes.loc["Mixed", "change"] == "[c]"


@pytest.fixture(scope="module")
def unprotected(tmp_path_factory):
    out = tmp_path_factory.mktemp("nfp") / "OUT"
    assert (
        cli.main(["profile", "--list", str(POLICE_UK), "--output-dir", str(out), "-p", "disclosure_control", "False"])
        == 0
    )
    return out


def test_disclosure_control_off_stamps_every_output(unprotected):
    for path in (unprotected / "tables").glob("*.csv"):
        table = pd.read_csv(path, dtype=str, keep_default_na=False)
        assert (table["label"] == "NOT FOR PUBLICATION").all(), path.name
    assert "NOT FOR PUBLICATION" in (unprotected / "profile.html").read_text()
    manifest = json.loads((unprotected / "manifest.json").read_text())
    assert manifest["sensitivity"].startswith("NOT FOR PUBLICATION")
    assert all(
        v.get("sensitivity", "").startswith("NOT FOR PUBLICATION")
        for k, v in manifest["outputs"].items()
        if k.startswith("tables/")
    )
    # nothing row-level from the export (times, coordinates) reaches any output
    frame = pd.read_csv(POLICE_UK, dtype=str, keep_default_na=False)
    text = "\n".join(
        p.read_text(encoding="utf-8")
        for p in unprotected.rglob("*")
        if p.is_file() and p.suffix in (".html", ".ipynb", ".csv", ".json")
    )
    for secret in [*frame["Latitude"].head(20), *frame["Longitude"].head(20), *frame["Date"].head(20)]:
        assert secret not in text, secret
    # exact counts: the police.uk fixture's 121 self-defined Black people
    eth = pd.read_csv(unprotected / "tables" / "ethnicity.csv").set_index("category")
    assert eth.loc["Black", "count"] == _police_uk_expected()[1]["Black"] == 121


@pytest.fixture(scope="module")
def synthetic_profile(tmp_path_factory):
    out = tmp_path_factory.mktemp("synth") / "OUT"
    assert cli.main(["profile", "--list", str(SYNTHETIC), "--output-dir", str(out)]) == 0
    return out


def test_synthetic_list_is_labelled_in_every_output(synthetic_profile):
    for path in (synthetic_profile / "tables").glob("*.csv"):
        table = pd.read_csv(path, dtype=str, keep_default_na=False)
        assert (table["label"] == "SYNTHETIC - not real people").all(), path.name
    html = (synthetic_profile / "profile.html").read_text()
    assert "SYNTHETIC" in html
    eth = pd.read_csv(synthetic_profile / "tables" / "ethnicity.csv").set_index("category")
    assert eth.loc["Black", "count"] == 460 and eth.loc["Total", "count"] == 760  # 462 and 758, rounded to 5


def test_profile_output_is_deterministic(synthetic_profile, tmp_path):
    again = tmp_path / "OUT"
    assert cli.main(["profile", "--list", str(SYNTHETIC), "--output-dir", str(again)]) == 0
    assert _tree(again) == _tree(synthetic_profile)


# ---------------------------------------------------------------- synthetic list


def test_synthetic_margins_are_inside_the_published_rounding():
    m = synth.margins("data")
    assert m["n"] == 758
    assert m["ethnicity"] == {"Black": 462, "Not Black": 296}
    assert m["age_band"] == {"under 16": 114, "16-18": 348, "19 and over": 296}
    ranges = {c["claim_id"]: (c["allowed_low"], c["allowed_high"]) for c in m["choices"]}
    assert ranges == {"PD3": (459, 466), "PD2": (110, 117), "PD1": (459, 466)}  # R21, R22


def test_synthetic_list_is_reproducible_and_fits_its_margins(tmp_path):
    csv_path, json_path = synth.write(str(tmp_path), "data")
    assert csv_path.read_bytes() == SYNTHETIC.read_bytes()
    assert json_path.read_bytes() == SYNTHETIC.with_suffix(".json").read_bytes()
    record = json.loads(json_path.read_text())
    # R27: a uniform seed gives the independence table, outer product / 758
    expected = np.outer([462, 296], [114, 348, 296]) / 758
    assert np.allclose(record["fitted_table"], expected, atol=1e-6)
    frame = pd.read_csv(SYNTHETIC)
    assert (frame["synthetic"] == "SYNTHETIC - not real people").all()
    assert frame["ethnicity"].value_counts().to_dict() == {"Black": 462, "Not Black": 296}
    assert frame["age_band"].value_counts().to_dict() == {"16-18": 348, "19 and over": 296, "under 16": 114}
    assert pd.crosstab(frame["ethnicity"], frame["age_band"]).loc["Black"].sum() == 462


def test_parameter_values_are_read_like_papermill():
    assert parse_value("05_list_profile", "threshold", "10") == 10
    assert parse_value("05_list_profile", "disclosure_control", "False") is False
    assert parse_value("05_list_profile", "confidence", "0.9") == 0.9
    assert parse_value("05_list_profile", "age_column", "2021") == "2021"  # a column name stays text


def test_aggregate_table_profiles_end_to_end(tmp_path):
    src = tmp_path / "foi_answer.csv"
    src.write_text(
        "dimension,category,count\nethnicity,Black,312\nethnicity,White,141\nethnicity,Asian,38\n"
        "ethnicity,Mixed,7\nethnicity,Other,22\nethnicity,Unknown,0\n"
        "age,10-17,160\nage,18-24,290\nage,25 and over,70\ngender,Male,505\ngender,Female,15\n"
    )
    out = tmp_path / "OUT"
    assert cli.main(["profile", "--list", str(src), "--output-dir", str(out)]) == 0
    eth = pd.read_csv(out / "tables" / "ethnicity.csv", dtype=str, keep_default_na=False).set_index("category")
    assert eth["count"].to_dict() == {
        "White": "140",
        "Black": "310",
        "Asian": "40",
        "Mixed": "[c]",
        "Other": "[c]",
        "Unknown": "0",
        "Total": "520",
    }
    # seen: an aggregate table was labelled "derived from record-level input"
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["sensitivity"].startswith("disclosure-controlled: derived from an aggregate table")
    assert all("record-level" not in info.get("sensitivity", "") for info in manifest["outputs"].values())
    assert "derived from record-level input" not in (out / "profile.html").read_text()
    disp = pd.read_csv(out / "tables" / "disproportionality.csv", dtype=str, keep_default_na=False)
    black = disp[(disp["category"] == "Black") & (disp["benchmark"] == "london_all_ages")].iloc[0]
    assert float(black["list_share"]) == round(310 / 520, 4)  # published counts, Unknown = 0
    assert disp[disp["category"] == "Mixed"]["ratio"].tolist() == ["[c]", "[c]"]
