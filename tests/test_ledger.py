"""The claims ledger: every claim gets a status whose arithmetic is right."""

import pytest

from police_lists.analyses.ledger import build_ledger
from police_lists.contract import standards
from police_lists.methods.expressions import evaluate
from police_lists.readers import claims


@pytest.fixture(scope="module")
def ledger():
    return build_ledger("data").set_index("claim_id")


def test_every_claim_has_one_ledger_row(ledger):
    ids = claims.load_claims("data")["claim_id"]
    assert sorted(ids) == sorted(ledger.index)
    assert ledger["status"].isin(standards.STATUSES).all()
    assert (ledger["reason"].str.len() > 0).all()


def test_pima_percentages_give_count_ranges(ledger):
    pd1 = ledger.loc["PD1"]
    assert pd1["status"] == standards.CONSISTENT
    assert (pd1["implied_low"], pd1["implied_high"]) == ("459", "466")
    assert (ledger.loc["PD2", "implied_low"], ledger.loc["PD2", "implied_high"]) == ("110", "117")


def test_truncation_moves_the_range():
    led = build_ledger("data", ("pima",), "truncate").set_index("claim_id")
    assert (led.loc["PD1", "implied_low"], led.loc["PD1", "implied_high"]) == ("463", "469")


def test_82_is_62_plus_20(ledger):
    assert ledger.loc["P15", "status"] == standards.REPRODUCED
    assert ledger.loc["P15", "recomputed"] == "82"


def test_13_percent_of_londoners_reproduced_from_the_2011_census(ledger):
    row = ledger.loc["PD4"]
    assert row["status"] == standards.REPRODUCED
    assert "1,088,640 of 8,173,941" in row["reason"]


def test_primary_counts_are_not_checkable(ledger):
    assert ledger.loc["P3", "status"] == standards.NOT_CHECKABLE


def test_impossible_percentage_is_inconsistent(data_copy):
    path = data_copy / "claims.csv"
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines()
    pd1 = next(line for line in lines if line.startswith("PD1,"))
    path.write_text(text.replace(pd1, pd1.replace(",61,", ",61.0,", 1)), encoding="utf-8")
    led = build_ledger(str(data_copy), ("pima",)).set_index("claim_id")
    assert led.loc["PD1", "status"] == standards.INCONSISTENT
    assert "no whole number" in led.loc["PD1", "reason"]


def test_expression_evaluator_refuses_code():
    from police_lists.methods.rounding import Interval

    with pytest.raises(ValueError):
        evaluate("__import__('os').system('true')", {})
    assert evaluate("A + 2 * B", {"A": Interval.point(1), "B": Interval.point(3)}) == Interval.point(7)
