"""Every data file is validated before anything runs; bad files are refused
with one line naming file, row, column, value and rule."""

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from police_lists.contract import standards, validate
from police_lists.contract.problems import ProblemError

ROOT = Path(__file__).resolve().parents[1]
LINE = re.compile(
    r"^(?P<file>\S+): row (?P<line>\S+), column '(?P<column>[^']*)': value (?P<value>.*) breaks rule: (?P<rule>.+)$"
)


def test_real_data_is_valid():
    validate.validate("data")


def test_schema_enums_match_standards():
    claims = json.loads((ROOT / "data/schemas/claims.schema.json").read_text())
    fields = {f["name"]: f for f in claims["fields"]}
    assert tuple(fields["subject"]["constraints"]["enum"]) == standards.SUBJECTS
    assert tuple(fields["unit"]["constraints"]["enum"]) == standards.UNITS
    assert tuple(fields["rounding"]["constraints"]["enum"]) == standards.ROUNDING_RULES
    assert tuple(fields["evidence"]["constraints"]["enum"]) == standards.EVIDENCE
    checks = json.loads((ROOT / "data/schemas/claim_checks.schema.json").read_text())
    fields = {f["name"]: f for f in checks["fields"]}
    assert tuple(fields["check"]["constraints"]["enum"]) == standards.CHECKS
    assert tuple(fields["comparator"]["constraints"]["enum"]) == standards.COMPARATORS
    pairs = json.loads((ROOT / "data/schemas/corroborations.schema.json").read_text())
    fields = {f["name"]: f for f in pairs["fields"]}
    assert tuple(fields["relation"]["constraints"]["enum"]) == standards.CORROBORATION_RELATIONS
    assumptions = json.loads((ROOT / "data/schemas/assumptions.schema.json").read_text())
    fields = {f["name"]: f for f in assumptions["fields"]}
    assert tuple(fields["kind"]["constraints"]["enum"]) == standards.ASSUMPTION_KINDS


def _edit_csv(path: Path, row_number: int, column: str, value: str) -> None:
    """Set one cell (row_number counts data rows from 1) keeping everything else."""
    import csv

    with open(path, newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
        fields = list(rows[0].keys())
    rows[row_number - 1][column] = value
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=fields, lineterminator="\n")
        w.writeheader()
        w.writerows(rows)


def _problems(data_copy) -> list[dict]:
    with pytest.raises(ProblemError) as info:
        validate.validate(str(data_copy))
    parsed = []
    for line in info.value.problems:
        assert "\n" not in line
        m = LINE.match(line)
        assert m, f"not in the one-line format: {line}"
        parsed.append(m.groupdict())
    return parsed


def _first_row(data_copy, column, value) -> int:
    import csv

    with open(data_copy / "claims.csv", encoding="utf-8") as fh:
        for i, row in enumerate(csv.DictReader(fh), start=1):
            if row[column] == value:
                return i
    raise AssertionError(value)


@pytest.mark.parametrize(
    "column, bad, rule",
    [
        ("unit", "percentage", "constraint"),  # not in the enum
        ("source_id", "no_such_source", "foreign"),  # dangling reference
        ("evidence", "maybe", "constraint"),
        ("rounding", "bankers", "constraint"),
    ],
)
def test_claims_structural_errors_are_refused(data_copy, column, bad, rule):
    row = _first_row(data_copy, "claim_id", "PD1")
    _edit_csv(data_copy / "claims.csv", row, column, bad)
    problems = _problems(data_copy)
    hit = [p for p in problems if p["file"].endswith("claims.csv") and rule in p["rule"].lower()]
    assert hit, problems
    assert any(p["line"] == str(row + 1) for p in hit)


def test_percent_with_sign_is_refused(data_copy):
    row = _first_row(data_copy, "claim_id", "PD1")
    _edit_csv(data_copy / "claims.csv", row, "value", "61%")
    (p,) = _problems(data_copy)
    assert (p["line"], p["column"], p["value"]) == (str(row + 1), "value", "'61%'")
    assert "percent" in p["rule"]


def test_long_quote_is_refused(data_copy):
    row = _first_row(data_copy, "claim_id", "P3")
    _edit_csv(data_copy / "claims.csv", row, "quote", " ".join(["word"] * 13))
    (p,) = _problems(data_copy)
    assert p["column"] == "quote" and "twelve" not in p["rule"] and "12 words" in p["rule"]


def test_duplicate_claim_id_is_refused(data_copy):
    row = _first_row(data_copy, "claim_id", "PD2")
    _edit_csv(data_copy / "claims.csv", row, "claim_id", "PD1")
    problems = _problems(data_copy)
    assert any(
        "claim_id" in p["column"] or "unique" in p["rule"].lower() or "primary" in p["rule"].lower() for p in problems
    )


def test_unknown_claim_in_expression_is_refused(data_copy):
    path = data_copy / "manual" / "claim_checks.csv"
    text = path.read_text(encoding="utf-8")
    assert "P13 + P14" in text
    path.write_text(text.replace("P13 + P14", "P13 + Q99", 1), encoding="utf-8")
    problems = _problems(data_copy)
    assert any(p["column"] == "expression" and "Q99" in p["rule"] for p in problems)


def test_claim_without_check_is_refused(data_copy):
    path = data_copy / "manual" / "claim_checks.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    kept = [line for line in lines if not line.startswith("P14,")]
    assert len(kept) == len(lines) - 1
    path.write_text("".join(kept), encoding="utf-8")
    problems = _problems(data_copy)
    assert any(p["value"] == "'P14'" and "claim_checks" in p["rule"] for p in problems)


def test_changed_raw_file_is_refused(data_copy):
    raw = data_copy / "raw" / "met_homicide_victims_2003_2023.csv"
    raw.write_bytes(raw.read_bytes().replace(b"Knife", b"Kn1fe", 1))
    problems = _problems(data_copy)
    assert any(
        p["file"].endswith("met_homicide_victims_2003_2023.csv") and "hash" in p["rule"].lower() for p in problems
    )


def test_bad_source_date_is_refused(data_copy):
    import csv

    with open(data_copy / "sources.csv", encoding="utf-8") as fh:
        n = len(list(csv.DictReader(fh)))
    _edit_csv(data_copy / "sources.csv", n, "date", "21 Dec 2021")
    problems = _problems(data_copy)
    assert any(
        p["file"].endswith("sources.csv") and p["column"] == "date" and p["line"] == str(n + 1) for p in problems
    )


def test_bad_base_table_row_is_refused(data_copy):
    path = data_copy / "manual" / "pima_base_table.csv"
    path.write_text(path.read_text(encoding="utf-8") + "gender,male,P3,no such table\n", encoding="utf-8")
    problems = _problems(data_copy)
    assert any(p["file"].endswith("pima_base_table.csv") and p["column"] == "table" for p in problems)


def test_cli_exits_non_zero_with_one_line_per_problem(data_copy):
    row = _first_row(data_copy, "claim_id", "PD1")
    _edit_csv(data_copy / "claims.csv", row, "value", "61%")
    result = subprocess.run(
        [sys.executable, "-m", "police_lists", "validate", "--data-dir", str(data_copy)], capture_output=True, text=True
    )
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert LINE.match(lines[0]) and "claims.csv" in lines[0]
    assert lines[-1].startswith("validation failed: 1 problem")


def test_failed_validation_writes_nothing(data_copy, tmp_path):
    from police_lists.pipeline import build

    row = _first_row(data_copy, "claim_id", "PD1")
    _edit_csv(data_copy / "claims.csv", row, "value", "61%")
    out = tmp_path / "out"
    with pytest.raises(ProblemError):
        build.build(output_dir=str(out), data_dir=str(data_copy), log=lambda *_: None)
    assert not out.exists() or not any(p for p in out.rglob("*") if ".cache" not in p.parts)


def test_unknown_claim_in_conflicts_is_refused(data_copy):
    path = data_copy / "manual" / "conflicts.csv"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("M6 M7", "M6 Z99 M7", 1), encoding="utf-8")
    problems = _problems(data_copy)
    assert any(
        p["file"].endswith("conflicts.csv") and p["column"] == "claim_ids" and p["value"] == "'Z99'" for p in problems
    )


# ------------------------------------------------- sources: kind, title, date, notes


def _source_row(data_copy, source_id) -> int:
    import csv

    with open(data_copy / "sources.csv", encoding="utf-8") as fh:
        for i, row in enumerate(csv.DictReader(fh), start=1):
            if row["source_id"] == source_id:
                return i
    raise AssertionError(source_id)


@pytest.mark.parametrize(
    "column, bad",
    [
        ("kind", "blog"),  # not in the enumeration
        ("kind", ""),  # required
        ("title", "[title not recorded; from URL slug] Gang crime"),  # a placeholder is not a title
        ("date", "2011/2021"),  # a reference period is not a publication date
        ("date", "Unknown"),  # only the exact word unknown
    ],
)
def test_bad_source_fields_are_refused(data_copy, column, bad):
    row = _source_row(data_copy, "fearless_gang_crime")
    _edit_csv(data_copy / "sources.csv", row, column, bad)
    problems = _problems(data_copy)
    assert any(
        p["file"].endswith("sources.csv") and p["column"] == column and p["line"] == str(row + 1) for p in problems
    ), problems


def test_unknown_title_and_date_are_allowed(data_copy):
    row = _source_row(data_copy, "fearless_gang_crime")
    _edit_csv(data_copy / "sources.csv", row, "title", "unknown")
    _edit_csv(data_copy / "sources.csv", row, "date", "unknown")
    validate.validate(str(data_copy))


def test_source_note_naming_another_sources_claim_is_refused(data_copy):
    # The old Liberty Investigates note listed rows P1-P9c, which include LBC's P8.
    row = _source_row(data_copy, "liberty_investigates_2021_pima")
    _edit_csv(data_copy / "sources.csv", row, "notes", "Rows P1-P9c, P15, PD1-PD4 and P8.")
    problems = _problems(data_copy)
    named = {p["value"] for p in problems if p["file"].endswith("sources.csv") and p["column"] == "notes"}
    assert named == {"'P8'"}  # P1, P9c, P15, PD1 and PD4 cite this source; P8 cites LBC
    (p,) = [p for p in problems if p["value"] == "'P8'"]
    assert p["line"] == str(row + 1) and "lbc_2020_05_pima_launch" in p["rule"]


def test_real_source_notes_name_no_claims_at_all():
    # The appendix derives each source's claims from claims.csv; notes keep no copy of that list.
    import csv

    claims = {r["claim_id"] for r in csv.DictReader(open(ROOT / "data/claims.csv", encoding="utf-8"))}
    for row in csv.DictReader(open(ROOT / "data/sources.csv", encoding="utf-8")):
        assert not claims & set(validate._CLAIM_ID_IN_TEXT.findall(row["notes"])), row["source_id"]


# ------------------------------------------------------- claims: quote_kind, qualifier


@pytest.mark.parametrize(
    "column, bad",
    [
        ("quote_kind", "verbatim-ish"),
        ("quote_kind", ""),
        ("qualifier", "roughly"),
        ("qualifier", "Nearly"),  # stored in lower case
    ],
)
def test_bad_quote_kind_and_qualifier_are_refused(data_copy, column, bad):
    row = _first_row(data_copy, "claim_id", "H10b")
    _edit_csv(data_copy / "claims.csv", row, column, bad)
    problems = _problems(data_copy)
    assert any(
        p["file"].endswith("claims.csv") and p["column"] == column and p["line"] == str(row + 1) for p in problems
    ), problems


def test_verbatim_quote_must_hold_its_qualifier(data_copy):
    # H10b prints "nearly 490"; a verbatim quote that drops "nearly" would hide it.
    row = _first_row(data_copy, "claim_id", "H10b")
    _edit_csv(data_copy / "claims.csv", row, "quote", "490 individuals with a 'green harm' banding")
    (p,) = _problems(data_copy)
    assert (p["line"], p["column"], p["value"]) == (str(row + 1), "qualifier", "'nearly'")
    # The same words are allowed when the quote is marked as a paraphrase.
    _edit_csv(data_copy / "claims.csv", row, "quote_kind", "paraphrase")
    validate.validate(str(data_copy))


def test_printed_qualifiers_are_recorded():
    # The published words the ledger used to rewrite ("nearly" -> "about", "just over" -> "more than").
    import csv

    claims = {r["claim_id"]: r for r in csv.DictReader(open(ROOT / "data/claims.csv", encoding="utf-8"))}
    assert claims["H10b"]["qualifier"] == "nearly"
    assert claims["P16"]["qualifier"] == "just over" and claims["X20"]["qualifier"] == "just over"
    assert claims["BM12"]["qualifier"] == "just under"
    assert claims["M17c"]["qualifier"] == "about" and claims["P8"]["qualifier"] == ""
