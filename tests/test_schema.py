"""Every data file is validated before anything runs; bad files are refused
with one line naming file, row, column, value and rule."""

import json
import shutil
from pathlib import Path

import pytest

from conftest import PROBLEM_LINE, drop_rows, read_rows, set_cell, validation_problems
from police_lists.contract import standards, validate
from police_lists.contract.problems import ProblemError
from police_lists.pipeline import cli

ROOT = Path(__file__).resolve().parents[1]


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
    line = set_cell(data_copy / "claims.csv", "PD1", column, bad)
    problems = validation_problems(data_copy)
    hit = [p for p in problems if p["file"].endswith("claims.csv") and rule in p["rule"].lower()]
    assert hit, problems
    assert any(p["line"] == str(line) for p in hit)


def test_percent_with_sign_is_refused(data_copy):
    line = set_cell(data_copy / "claims.csv", "PD1", "value", "61%")
    (p,) = validation_problems(data_copy)
    assert (p["line"], p["column"], p["value"]) == (str(line), "value", "'61%'")
    assert "percent" in p["rule"]


def test_long_quote_is_refused(data_copy):
    set_cell(data_copy / "claims.csv", "P3", "quote", " ".join(["word"] * 13))
    (p,) = validation_problems(data_copy)
    assert p["column"] == "quote" and "twelve" not in p["rule"] and "12 words" in p["rule"]


def test_duplicate_claim_id_is_refused(data_copy):
    set_cell(data_copy / "claims.csv", "PD2", "claim_id", "PD1")
    problems = validation_problems(data_copy)
    assert any(
        "claim_id" in p["column"] or "unique" in p["rule"].lower() or "primary" in p["rule"].lower() for p in problems
    )


def test_unknown_claim_in_expression_is_refused(data_copy):
    path = data_copy / "manual" / "claim_checks.csv"
    text = path.read_text(encoding="utf-8")
    assert "P13 + P14" in text
    path.write_text(text.replace("P13 + P14", "P13 + Q99", 1), encoding="utf-8")
    problems = validation_problems(data_copy)
    assert any(p["column"] == "expression" and "Q99" in p["rule"] for p in problems)


def test_claim_without_check_is_refused(data_copy):
    path = data_copy / "manual" / "claim_checks.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    kept = [line for line in lines if not line.startswith("P14,")]
    assert len(kept) == len(lines) - 1
    path.write_text("".join(kept), encoding="utf-8")
    problems = validation_problems(data_copy)
    assert any(p["value"] == "'P14'" and "claim_checks" in p["rule"] for p in problems)


def test_changed_raw_file_is_refused(data_copy):
    raw = data_copy / "raw" / "met_homicide_victims_2003_2023.csv"
    raw.write_bytes(raw.read_bytes().replace(b"Knife", b"Kn1fe", 1))
    problems = validation_problems(data_copy)
    assert any(
        p["file"].endswith("met_homicide_victims_2003_2023.csv") and "hash" in p["rule"].lower() for p in problems
    )


def test_bad_source_date_is_refused(data_copy):
    last = read_rows(data_copy / "sources.csv")[-1]["source_id"]
    line = set_cell(data_copy / "sources.csv", last, "date", "21 Dec 2021", key_column="source_id")
    problems = validation_problems(data_copy)
    assert any(p["file"].endswith("sources.csv") and p["column"] == "date" and p["line"] == str(line) for p in problems)


def test_bad_base_table_row_is_refused(data_copy):
    path = data_copy / "manual" / "pima_base_table.csv"
    path.write_text(path.read_text(encoding="utf-8") + "gender,male,P3,no such table\n", encoding="utf-8")
    problems = validation_problems(data_copy)
    assert any(p["file"].endswith("pima_base_table.csv") and p["column"] == "table" for p in problems)


def test_cli_exits_non_zero_with_one_line_per_problem(data_copy, capsys):
    # `python -m police_lists` exits with what cli.main returns (the profile tests run it as a process).
    set_cell(data_copy / "claims.csv", "PD1", "value", "61%")
    assert cli.main(["validate", "--data-dir", str(data_copy)]) == 1
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert PROBLEM_LINE.match(lines[0]) and "claims.csv" in lines[0]
    assert lines[-1].startswith("validation failed: 1 problem")
    assert len(lines) == 2 and captured.out == ""  # one line per problem, a summary, no traceback


def test_failed_validation_writes_nothing(data_copy, tmp_path):
    from police_lists.pipeline import build

    set_cell(data_copy / "claims.csv", "PD1", "value", "61%")
    out = tmp_path / "out"
    with pytest.raises(ProblemError):
        build.build(output_dir=str(out), data_dir=str(data_copy), log=lambda *_: None)
    assert not out.exists() or not any(p for p in out.rglob("*") if ".cache" not in p.parts)


def test_unknown_claim_in_conflicts_is_refused(data_copy):
    path = data_copy / "manual" / "conflicts.csv"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("M6 M7", "M6 Z99 M7", 1), encoding="utf-8")
    problems = validation_problems(data_copy)
    assert any(
        p["file"].endswith("conflicts.csv") and p["column"] == "claim_ids" and p["value"] == "'Z99'" for p in problems
    )


# -------------------------------------- schemas frictionless cannot load; reused results


def test_a_schema_frictionless_cannot_load_is_refused_naming_it(data_copy):
    # Its error used to sit on the report, not on a resource, and the data passed as valid.
    path = data_copy / "schemas" / "glossary.schema.json"
    schema = json.loads(path.read_text(encoding="utf-8"))
    schema["fields"][0]["type"] = "nonsense"
    path.write_text(json.dumps(schema), encoding="utf-8")
    (p,) = validation_problems(data_copy)
    assert p["file"].endswith("/schemas/glossary.schema.json") and '"nonsense" is not supported' in p["rule"]


def test_a_missing_schema_file_is_refused_in_one_line(data_copy):
    # It used to end in a traceback.
    path = data_copy / "datapackage.json"
    descriptor = json.loads(path.read_text(encoding="utf-8"))
    (glossary,) = [r for r in descriptor["resources"] if r["name"] == "glossary"]
    glossary["schema"] = "schemas/no_such.schema.json"
    path.write_text(json.dumps(descriptor), encoding="utf-8")
    (p,) = validation_problems(data_copy)
    assert p["file"].endswith("/schemas/no_such.schema.json") and "cannot retrieve" in p["rule"]


def test_a_file_is_checked_again_when_a_file_it_refers_to_changes(data_copy, tmp_path):
    # Validation keeps each file's result while nothing it depends on changes; claims.csv's
    # source_id refers to sources.csv, so removing a source there must fail claims.csv.
    validate.validate(str(data_copy))  # every file's result is now kept
    other = tmp_path / "other"
    shutil.copytree(data_copy, other)
    drop_rows(other / "sources.csv", {"lbc_2020_05_pima_launch"}, key_column="source_id")
    citing = [r for r in read_rows(other / "claims.csv") if r["source_id"] == "lbc_2020_05_pima_launch"]
    problems = validation_problems(other)
    assert citing and len(problems) == len(citing)
    assert all(p["file"].endswith("/claims.csv") and "foreign" in p["rule"].lower() for p in problems), problems
    validate.validate(str(data_copy))  # and the unchanged copy is still valid
