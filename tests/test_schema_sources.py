"""Sources and quotes are validated with the other data files (test_schema.py has
the claims, the base tables and the command): a bad source field, a note naming
another source's claim, or a quote that drops its printed qualifier is refused in
one line naming file, row, column, value and rule. A module of its own so that
pytest-xdist (which runs a module's tests in one process) can run it beside
test_schema.py."""

from pathlib import Path

import pytest

from conftest import set_cell, validation_problems
from police_lists.contract import validate

ROOT = Path(__file__).resolve().parents[1]


# ------------------------------------------------- sources: kind, title, date, notes


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
    line = set_cell(data_copy / "sources.csv", "fearless_gang_crime", column, bad, key_column="source_id")
    problems = validation_problems(data_copy)
    assert any(
        p["file"].endswith("sources.csv") and p["column"] == column and p["line"] == str(line) for p in problems
    ), problems


def test_unknown_title_and_date_are_allowed(data_copy):
    set_cell(data_copy / "sources.csv", "fearless_gang_crime", "title", "unknown", key_column="source_id")
    set_cell(data_copy / "sources.csv", "fearless_gang_crime", "date", "unknown", key_column="source_id")
    validate.validate(str(data_copy))


def test_source_note_naming_another_sources_claim_is_refused(data_copy):
    # The old Liberty Investigates note listed rows P1-P9c, which include LBC's P8.
    line = set_cell(
        data_copy / "sources.csv",
        "liberty_investigates_2021_pima",
        "notes",
        "Rows P1-P9c, P15, PD1-PD4 and P8.",
        key_column="source_id",
    )
    problems = validation_problems(data_copy)
    named = {p["value"] for p in problems if p["file"].endswith("sources.csv") and p["column"] == "notes"}
    assert named == {"'P8'"}  # P1, P9c, P15, PD1 and PD4 cite this source; P8 cites LBC
    (p,) = [p for p in problems if p["value"] == "'P8'"]
    assert p["line"] == str(line) and "lbc_2020_05_pima_launch" in p["rule"]


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
    line = set_cell(data_copy / "claims.csv", "H10b", column, bad)
    problems = validation_problems(data_copy)
    assert any(
        p["file"].endswith("claims.csv") and p["column"] == column and p["line"] == str(line) for p in problems
    ), problems


def test_verbatim_quote_must_hold_its_qualifier(data_copy):
    # H10b prints "nearly 490"; a verbatim quote that drops "nearly" would hide it.
    line = set_cell(data_copy / "claims.csv", "H10b", "quote", "490 individuals with a 'green harm' banding")
    (p,) = validation_problems(data_copy)
    assert (p["line"], p["column"], p["value"]) == (str(line), "qualifier", "'nearly'")
    # The same words are allowed when the quote is marked as a paraphrase.
    set_cell(data_copy / "claims.csv", "H10b", "quote_kind", "paraphrase")
    validate.validate(str(data_copy))


def test_printed_qualifiers_are_recorded():
    # The published words the ledger used to rewrite ("nearly" -> "about", "just over" -> "more than").
    import csv

    claims = {r["claim_id"]: r for r in csv.DictReader(open(ROOT / "data/claims.csv", encoding="utf-8"))}
    assert claims["H10b"]["qualifier"] == "nearly"
    assert claims["P16"]["qualifier"] == "just over" and claims["X20"]["qualifier"] == "just over"
    assert claims["BM12"]["qualifier"] == "just under"
    assert claims["M17c"]["qualifier"] == "about" and claims["P8"]["qualifier"] == ""
