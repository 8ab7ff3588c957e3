"""The claims ledger: every claim gets a status from the one vocabulary, no
check that cannot fail counts as evidence, and no check is counted twice
(issue 12)."""

from fractions import Fraction

import pandas as pd
import pytest

from conftest import drop_rows, set_cell
from police_lists.analyses.ledger import (
    build_ledger,
    could_fail,
    evidence_count,
    share_could_fail,
    tally,
)
from police_lists.contract import standards
from police_lists.methods.expressions import evaluate, expression_names
from police_lists.methods.rounding import Interval
from police_lists.readers import census, claims
from police_lists.readers.manual import read_manual


@pytest.fixture(scope="module")
def ledger():
    return build_ledger("data").set_index("claim_id")


# ------------------------------------------------------------- vocabulary


def test_every_claim_has_one_row_and_a_status_from_the_vocabulary(ledger):
    ids = claims.load_claims("data")["claim_id"]
    assert sorted(ids) == sorted(ledger.index)
    assert ledger["status"].isin(standards.STATUSES).all()
    assert (ledger["reason"].str.len() > 0).all()
    # Each status has one plain sentence, and the evidence statuses are statuses.
    assert set(standards.STATUS_DEFINITIONS) == set(standards.STATUSES)
    assert all(d.endswith(".") and len(d.split(".")) <= 3 for d in standards.STATUS_DEFINITIONS.values())
    assert standards.EVIDENCE_STATUSES <= set(standards.STATUSES)
    assert standards.NO_TEST not in standards.EVIDENCE_STATUSES
    assert standards.UNDER_ASSUMPTION not in standards.EVIDENCE_STATUSES


def test_published_column_keeps_the_source_words(ledger):
    assert ledger.loc["H10b", "published"] == "nearly 490"
    assert ledger.loc["P16", "published"] == "just over 6%"
    assert ledger.loc["BM12", "published"] == "just under 5%"
    # Approximate by the project's judgement, printed bare: no invented "about".
    assert ledger.loc["P8", "published"] == "1,000"


# ------------------------------------------------------------- the power rule


def test_no_row_claims_a_check_that_could_not_fail(ledger):
    needs_power = ledger["status"].isin(standards.POWER_REQUIRED)
    assert needs_power.any()
    assert (ledger.loc[needs_power, "could_fail"] == "yes").all()
    # And the other way round: a check with no power is labelled so, never evidence.
    no_power = ledger["could_fail"] == "no"
    assert set(ledger.loc[no_power, "status"]) <= {standards.NO_TEST}
    assert (ledger.loc[no_power, "counted"] == "no").all()


def test_whole_percentages_of_100_or_more_always_fit(ledger):
    """A whole-number percent of n >= 100 has a count for every printable value
    (each 1% cell is n/100 >= 1 person wide); found here by trying every value."""
    checks = read_manual("claim_checks").set_index("claim_id")
    by_id = claims.claims_by_id("data")
    share_rows = checks[checks["check"] == "share_of"].index
    assert len(share_rows) >= 16
    for cid in share_rows:
        base = by_id[checks.loc[cid, "expression"]]
        whole = "." not in by_id[cid]["value"]
        n = int(base["value"])
        cell = Fraction(1 if whole else Fraction(1, 10)) * n / 100
        assert (ledger.loc[cid, "could_fail"] == "yes") == (cell < 1), cid
        if cell >= 1:
            assert ledger.loc[cid, "status"] == standards.NO_TEST
            assert "Any count fits" in ledger.loc[cid, "reason"]


def test_share_power_reference_values():
    # methods.md R24: "61.0%" of 758 has no count, so one decimal of 758 can fail; "61" cannot.
    pd1 = claims.claim("PD1")
    assert not share_could_fail(pd1, 758, "half_up")
    assert share_could_fail(pd.Series({**pd1.to_dict(), "value": "61.0"}), 758, "half_up")
    # A whole percent of fewer than 100 people can fail: 1% of 50 is half a person.
    assert share_could_fail(pd1, 50, "half_up")


def test_a_check_that_could_fail_is_consistent_and_one_that_fails_is_inconsistent(data_copy):
    path = data_copy / "claims.csv"
    set_cell(path, "PD1", "value", "61.1")  # 61.05-61.15% of 758: exactly 463
    set_cell(path, "PD2", "value", "61.0")  # no whole count of 758 (R24)
    led = build_ledger(str(data_copy), ("pima",)).set_index("claim_id")
    assert led.loc["PD1", "status"] == standards.CONSISTENT and led.loc["PD1", "could_fail"] == "yes"
    assert (led.loc["PD1", "implied_low"], led.loc["PD1", "implied_high"]) == ("463", "463")
    assert led.loc["PD2", "status"] == standards.INCONSISTENT
    assert "no whole number" in led.loc["PD2", "reason"]


def test_order_checks(ledger):
    # Exact numbers: nothing was rounded, so the order simply holds (and could have failed).
    for cid in ("P12", "P13", "M2", "H11a", "H11b", "H11c", "B1a", "B1c", "X5"):
        assert ledger.loc[cid, "status"] == standards.ORDER_HOLDS, cid
        assert ledger.loc[cid, "could_fail"] == "yes"
    # "The lowest number since the database was set up" (1,933) against The Times' 1,883 of June 2022.
    assert ledger.loc["M16", "status"] == standards.INCONSISTENT
    assert "1,933 <= M16b (1,883)" in ledger.loc["M16", "reason"]
    # "more than 7,000" >= the peak holds whatever number followed "more than": no test.
    assert ledger.loc["M11", "status"] == standards.NO_TEST
    m11 = claims.claim("M11")
    assert not could_fail(m11, ">=", Interval.point(3811))
    assert could_fail(m11, "<=", Interval.point(3811))


def test_reproduced_exactly_and_after_rounding(ledger):
    # 573,931 + 344,597 + 170,112 = 1,088,640 exactly (census 2011 London Black total).
    assert ledger.loc["BM1b", "status"] == standards.REPRODUCED_EXACTLY
    # 100 * 573,931 / 8,173,941 = 7.02..., printed 7%: after the source's rounding.
    assert ledger.loc["BM1e", "status"] == standards.REPRODUCED_ROUNDED
    assert ledger.loc["BM1e", "recomputed"] == "7.02"
    # 3,811 - 2,305 over 3,811 = 39.52% -> 40%; 3,806 - 3,362 = 444 -> about 450.
    assert ledger.loc["M14b", "status"] == standards.REPRODUCED_ROUNDED
    assert ledger.loc["M10b", "status"] == standards.REPRODUCED_ROUNDED
    assert not (ledger["status"] == "reproduced").any()


# ------------------------------------------------------------- counted once


def test_no_figure_is_counted_twice_as_evidence(ledger):
    counted = ledger[ledger["counted"] == "yes"]
    assert set(counted["status"]) <= standards.EVIDENCE_STATUSES
    assert counted["evidence_unit"].is_unique
    # Every evidence row belongs to a unit with exactly one counted row.
    evidence = ledger[ledger["status"].isin(standards.EVIDENCE_STATUSES)]
    assert set(evidence["evidence_unit"]) == set(counted["evidence_unit"])
    # Independently of the ledger's own unit ids: the figures each counted check
    # relates (from claim_checks.csv and corroborations.csv) are never the same set twice.
    checks = read_manual("claim_checks").set_index("claim_id")
    pairs = read_manual("corroborations").set_index("claim_id")
    related = []
    for cid in counted.index:
        if cid in pairs.index:
            related.append(frozenset({cid, pairs.loc[cid, "other_claim_id"]}))
        elif checks.loc[cid, "check"] == "expression":
            related.append(frozenset({cid, *expression_names(checks.loc[cid, "expression"])}))
        else:
            related.append(frozenset({cid, checks.loc[cid, "expression"]}))
    assert len(related) == len(set(related))
    assert evidence_count(ledger.reset_index()) == len(counted)


def test_one_identity_in_two_directions_is_one_piece_of_evidence(ledger):
    # M10a = M8 - M10b and M10b = M8 - M10a; H1a = 100 H1b / M9 and H1b = H1a M9 / 100.
    for a, b in (("M10a", "M10b"), ("H1a", "H1b")):
        assert ledger.loc[a, "evidence_unit"] == ledger.loc[b, "evidence_unit"] != ""
        assert sorted([ledger.loc[a, "counted"], ledger.loc[b, "counted"]]) == ["no", "yes"]


def test_corroboration_pairs(ledger):
    # One figure reported twice by sources that copy each other: nothing was tested.
    for cid in ("M13b", "T6b", "H10a", "H10b", "M9"):
        assert ledger.loc[cid, "status"] == standards.NO_TEST, cid
        assert ledger.loc[cid, "counted"] == "no"
    # One value under two definitions (C7, C8) or two year labels (C5): no test.
    for cid in ("H2", "X21", "E9a"):
        assert ledger.loc[cid, "status"] == standards.NO_TEST, cid
    # Independent sources: corroborated, counted once for the pair.
    assert ledger.loc["X6", "status"] == standards.CORROBORATED
    assert ledger.loc["X6", "counted"] == "yes"


def test_every_comparison_of_two_reports_is_a_recorded_pair():
    """An '=' check against one other claim compares two reports of a figure;
    each must say how the two relate (corroborations.csv)."""
    checks = read_manual("claim_checks")
    pairs = read_manual("corroborations").set_index("claim_id")
    for r in checks.itertuples():
        if (
            r.check == "expression"
            and (r.comparator or "=") == "="
            and expression_names(r.expression) == [r.expression]
        ):
            assert r.claim_id in pairs.index, r.claim_id
            assert pairs.loc[r.claim_id, "other_claim_id"] == r.expression


def test_a_pair_that_disagrees_is_inconsistent(data_copy):
    set_cell(data_copy / "claims.csv", "T6b", "value", "375")
    led = build_ledger(str(data_copy), ("matrix",)).set_index("claim_id")
    assert led.loc["M13b", "status"] == standards.INCONSISTENT
    assert led.loc["T6b", "status"] == standards.INCONSISTENT
    assert (led.loc[["M13b", "T6b"], "counted"] == "yes").sum() == 1


# ------------------------------------------------------------- assumptions


def test_the_13_percent_holds_under_the_2011_census_assumption(ledger):
    row = ledger.loc["PD4"]
    assert row["status"] == standards.UNDER_ASSUMPTION
    assert row["counted"] == "no"
    k11, n11 = census.census_share("london_all_ages@2011")
    k21, n21 = census.census_share("london_all_ages@2021")
    assert row["recomputed"] == f"{float(Fraction(100 * k11, n11)):.2f}" == "13.32"
    # The 2021 Census gives 13.50%, which rounds half up to 14: the row says so.
    assert f"{float(Fraction(100 * k21, n21)):.2f}" == "13.50"
    assert (
        "With London residents, all ages (census 2021) instead it fails" in row["reason"] and "13.50" in row["reason"]
    )
    assert row["assumption"].startswith("if the story's share is the 2011 Census share")


def test_the_assumption_file_decides_the_status(data_copy):
    drop_rows(data_copy / "manual" / "assumptions.csv", {"PD4"})
    led = build_ledger(str(data_copy), ("pima",)).set_index("claim_id")
    assert led.loc["PD4", "status"] == standards.REPRODUCED_ROUNDED
    assert led.loc["PD4", "counted"] == "yes" and led.loc["PD4", "assumption"] == ""


def test_chosen_peak_and_identity_are_assumptions(ledger):
    m12b = ledger.loc["M12b"]
    assert m12b["status"] == standards.UNDER_ASSUMPTION and m12b["recomputed"] == "31.05"
    # With the Mayor's own 3,811 the fall is 29.78%, which does not round to 31.
    assert "With M6: 3,811 instead it fails" in m12b["reason"] and "29.78" in m12b["reason"]
    assert ledger.loc["P15", "status"] == standards.UNDER_ASSUMPTION
    assert ledger.loc["P15", "recomputed"] == "82"
    assert ledger.loc["E5", "assumption"].startswith("if Amnesty's Black share is of the October 2017 list")


def test_every_assumed_base_in_the_composition_is_an_assumption():
    comp = read_manual("matrix_composition")
    assumed = set(read_manual("assumptions")["claim_id"])
    assert set(comp.loc[comp["base_assumed"] == "yes", "claim_id"]) <= assumed


# ------------------------------------------------------------- tally and rules


def test_tally_counts_each_subject(ledger):
    t = tally(ledger.reset_index())
    assert set(t.index) == {"pima", "matrix", "london"}
    assert (t[list(standards.STATUSES)].sum(axis=1) == t["figures"]).all()
    for subject, group in ledger.groupby("subject"):
        assert t.loc[subject, "counted as evidence"] == (group["counted"] == "yes").sum()


def test_truncation_moves_the_range():
    led = build_ledger("data", ("pima",), "truncate").set_index("claim_id")
    assert (led.loc["PD1", "implied_low"], led.loc["PD1", "implied_high"]) == ("463", "469")  # R21


def test_primary_counts_are_not_checkable(ledger):
    assert ledger.loc["P3", "status"] == standards.NOT_CHECKABLE
    assert ledger.loc["P3", "could_fail"] == "" and ledger.loc["P3", "counted"] == "no"


def test_expression_evaluator_refuses_code():
    with pytest.raises(ValueError):
        evaluate("__import__('os').system('true')", {})
    assert evaluate("A + 2 * B", {"A": Interval.point(1), "B": Interval.point(3)}) == Interval.point(7)


def test_the_written_ledger_uses_only_the_vocabulary(tmp_path):
    """outputs/tables/claims_ledger.csv as the build writes it (pipeline.ledger)."""
    import io

    from police_lists.pipeline.ledger import full_ledger

    csv_bytes, _, _ = full_ledger(tmp_path, "data")
    written = pd.read_csv(io.BytesIO(csv_bytes), dtype=str, keep_default_na=False)
    assert sorted(written["claim_id"]) == sorted(claims.load_claims("data")["claim_id"])
    assert written["status"].isin(standards.STATUSES).all()
    assert set(written["counted"]) == {"yes", "no"}
    assert written.loc[written["counted"] == "yes", "evidence_unit"].is_unique
