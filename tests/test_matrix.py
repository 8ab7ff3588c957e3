"""The Gangs Matrix: snapshots, composition intervals, recomputed changes and
the conflicts table, with the values behind each verdict asserted exactly
(figures.md sections 3-8 and Conflicts; methods.md section 7, R23)."""

import csv
import re
from fractions import Fraction
from pathlib import Path

import pandas as pd
import papermill
import pytest

from conftest import drop_rows, run_notebook, set_cell
from police_lists.analyses import matrix
from police_lists.analyses.ledger import build_ledger
from police_lists.contract.problems import ProblemError
from police_lists.methods.formatting import exact_pct
from police_lists.methods.rounding import Interval, consistent_counts, point_count
from police_lists.readers import claims

ROOT = Path(__file__).resolve().parents[1]
LISTED = [f"C{i}" for i in range(1, 14)]


@pytest.fixture(scope="module")
def by_id():
    return claims.claims_by_id("data")


@pytest.fixture(scope="module")
def conflicts():
    return matrix.conflicts("data").set_index("conflict_id")


# ------------------------------------------------------------ arithmetic


def test_fall_to_2676_fits_3881_not_3811():
    to = Interval.point(2676)
    from_3881 = matrix.pct_fall(Interval.point(3881), to)
    from_3811 = matrix.pct_fall(Interval.point(3811), to)
    assert from_3881.lo == Fraction(100 * 1205, 3881)
    assert exact_pct(from_3881.lo, 1) == "31.0%"
    assert exact_pct(from_3811.lo, 1) == "29.8%"


def test_published_changes_recomputed():
    ch = matrix.changes("data")
    fits = {(c, f): ok for c, f, ok in zip(ch["claim_id"], ch["from"], ch["fits_published"])}
    assert fits[("M12b", "M7: 3,881")] and not fits[("M12b", "M6: 3,811")]
    # "a 40% drop" to 2,305: 39.52% from 3,811 rounds to 40; 40.61% from 3,881 does not.
    assert fits[("M14b", "M6: 3,811")] and not fits[("M14b", "M7: 3,881")]
    # "49%" fits 3,811 (49.28%); "just over 50%" fits 3,881 (50.19%).
    assert fits[("X19", "M6: 3,811")] and not fits[("X19", "M7: 3,881")]
    assert fits[("X20", "M7: 3,881")] and not fits[("X20", "M6: 3,811")]
    m10b = ch[ch["claim_id"] == "M10b"].iloc[0]
    assert m10b["recomputed"] == "444" and m10b["fits_published"]
    # The Feb 2020 "31%" read as a one-year fall from May 2018 is 20.40%, which does not fit.
    one_year = ch[ch["from"] == "M10a: 3,362"].iloc[0]
    assert one_year["recomputed"] == "20.40%" and not one_year["fits_published"]


def test_under18_fall_to_146():
    ch = matrix.changes("data").set_index("claim_id")
    assert matrix.under18_baseline(claims.claims_by_id("data"), "half_up") == (454, 487)
    # 1 - 146/454 and 1 - 146/487, exactly
    assert ch.loc["A8b", "recomputed_low"] == pytest.approx(float(100 * (1 - Fraction(146, 454))), abs=1e-12)
    assert ch.loc["A8b", "recomputed_high"] == pytest.approx(float(100 * (1 - Fraction(146, 487))), abs=1e-12)
    assert ch.loc["A8b", "recomputed"] == "67.84%–70.02%"
    assert bool(ch.loc["A8b", "fits_published"])


def test_sixty_five_percent_of_1933(by_id):
    assert matrix.removed_if_before(by_id, "half_up") == (1247, 1266)
    # The named point value behind "65% of 1,933" (POINT_RULE): 1,256.45 to the nearest person.
    assert point_count("65", 1933) == 1256
    # Under truncation "65%" means [65, 66): 1,257-1,275.
    assert matrix.removed_if_before(by_id, "truncate") == (1257, 1275)


def test_forty_percent_of_3806_as_an_interval():
    assert consistent_counts("40", 3806) == range(1504, 1542)
    comp = matrix.composition("data").set_index("claim_id")
    assert (comp.loc["H2", "count_low"], comp.loc["H2", "count_high"]) == (1504, 1541)
    # "about 40%" (to the nearest 5) of "about 3,800" (to the nearest 100): interval arithmetic.
    assert (comp.loc["H1a", "count_low"], comp.loc["H1a", "count_high"]) == (1407, 1636)
    assert comp.loc["H1a", "count_method"].startswith("interval arithmetic")


def test_seventy_eight_percent_of_3806_is_r23():
    comp = matrix.composition("data").set_index("claim_id")
    assert (comp.loc["E5", "count_low"], comp.loc["E5", "count_high"]) == (2950, 2987)  # methods.md R23
    assert comp.loc["E5", "point_value"] == 2969  # figures.md E14
    assert (comp.loc["E1a", "count_low"], comp.loc["E1a", "count_high"]) == (2675, 2677)
    # No base published: no count.
    assert comp.loc["E7a", "count_low"] == "" and comp.loc["E7a", "count_method"] == "base not published"


def test_snapshots_keep_both_peaks_and_the_end():
    snaps = matrix.snapshots("data")
    peaks = snaps[snaps["is_peak"]]
    assert sorted(peaks["size_low"]) == [3811, 3881]
    assert set(peaks["ref_date"]) == {"2017-08"}
    sizes = dict(zip(snaps["claim_id"], snaps["size_low"]))
    assert (sizes["M2"], sizes["M8"], sizes["M10a"], sizes["M12a"], sizes["M13a"], sizes["M14a"], sizes["M16"]) == (
        3422,
        3806,
        3362,
        2676,
        2552,
        2305,
        1933,
    )
    end = snaps.iloc[-1]
    assert end["ref_date"] == "2024-02-13" and end["size_low"] == "" and end["published"] == "no headcount published"
    assert all(snaps["source_id"] != "")


def test_flow_reconciliation():
    rec = matrix.flow_reconciliation("data").set_index("expression")["value"]
    assert rec["M10a + E8a - M12a"] == 3362 + 339 - 2676 == 1025
    assert rec["M10a + E8a - M12a - H10a"] == 537
    assert rec["M13a + M13b - M13c"] == 2552 + 374 - 181 == 2745


def test_date_span():
    import datetime as dt

    assert matrix.date_span("2020-02") == (dt.date(2020, 2, 1), dt.date(2020, 2, 29))
    assert matrix.date_span("2019/2020") == (dt.date(2019, 1, 1), dt.date(2020, 12, 31))
    assert matrix.date_span("2024-02-13") == (dt.date(2024, 2, 13),) * 2


# ------------------------------------------------------------- conflicts


def test_every_listed_conflict_has_a_verdict(conflicts):
    for cid in LISTED:
        assert cid in conflicts.index
        row = conflicts.loc[cid]
        assert row["verdict"] and row["arithmetic"] and row["explanation"]
        if "unresolved" in row["verdict"]:
            assert row["would_settle"], cid


def test_c1_peak_unresolved_with_the_split(conflicts):
    c1 = conflicts.loc["C1"]
    assert c1["verdict"] == "unresolved"
    assert "from 3,811 29.8% (does not fit); from 3,881 31.0% (fits)" in c1["arithmetic"]
    assert "from 3,811 49.3% (fits); from 3,881 50.2% (does not fit)" in c1["arithmetic"]
    assert "3,787–3,837 (contains 3,811: True; contains 3,881: False)" in c1["arithmetic"]
    assert "M14b and X19 fit only 3,811; M12b and X20 fit only 3,881" in c1["explanation"]


def test_c2_favours_the_count_before_the_removals_without_settling_it(conflicts):
    c2 = conflicts.loc["C2"]
    assert c2["verdict"].startswith("unresolved; the arithmetic favours the count before the removals")
    assert c2["would_settle"]
    assert "1,247–1,266 removed, 667–686 left" in c2["arithmetic"]
    # 1,933 / (1 - [0.645, 0.655]) = 5,445.07 .. 5,602.90: whole lists 5,446-5,602, above any peak.
    assert "5,446–5,602" in c2["arithmetic"]
    assert "37.3%–39.3%" in c2["arithmetic"]  # 1,150/3,083 .. 1,250/3,183
    # "About 1,200" (nearest 100: 1,150-1,249) meets 1,247-1,266 only at 1,247-1,249.
    assert "only at its edge (3 of the 20 whole counts)" in c2["explanation"]
    # The Times' 1,883 on 30 June 2022: read as the count after, the list would have grown by
    # 5,446 - 1,883 = 3,563 to 5,602 - 1,883 = 3,719 people in four months.
    assert "grown by 3,563–3,719 people" in c2["explanation"]


def test_c3_c5_c6_c8_c9(conflicts):
    assert "M12a - M13a = 124" in conflicts.loc["C3", "arithmetic"]
    assert "2,745" in conflicts.loc["C3", "arithmetic"]
    assert conflicts.loc["C5", "verdict"].startswith("inconsistent as labelled")
    assert "no overlap" in conflicts.loc["C5", "arithmetic"]
    assert conflicts.loc["C6", "verdict"].startswith("unresolved")
    assert "2,472–2,504 and 2,404–2,437" in conflicts.loc["C6", "arithmetic"]
    assert "1,407–1,636" in conflicts.loc["C8", "arithmetic"] and "1,504–1,541" in conflicts.loc["C8", "arithmetic"]
    # methods.md R20: 78% vs 27% gives a share ratio of 2.889
    assert "E5 / BM9 (27%) = 2.89" in conflicts.loc["C9", "arithmetic"]
    assert conflicts.loc["C9", "verdict"].startswith("unresolved")


def test_c10_green_share(conflicts):
    assert "61.95%" in conflicts.loc["C10", "arithmetic"] and "66.67%" in conflicts.loc["C10", "arithmetic"]


def test_unknown_claim_in_conflicts_is_refused(data_copy):
    path = data_copy / "manual" / "conflicts.csv"
    text = path.read_text().replace("M6 M7 M8", "M6 M7 ZZ9", 1)
    path.write_text(text)
    with pytest.raises(ProblemError) as info:
        matrix.load_conflicts(str(data_copy))
    assert "row 2, column 'claim_ids': value 'ZZ9' breaks rule" in str(info.value)


def test_every_matrix_claim_is_in_the_ledger():
    ledger = build_ledger("data", ("matrix",))
    matrix_ids = set(claims.load_claims("data").query("subject == 'matrix'")["claim_id"])
    assert set(ledger["claim_id"]) == matrix_ids
    assert (ledger["status"] != "").all() and (ledger["reason"] != "").all()


# ------------------------------------------------------------- notebooks


def run(tmp_path, name, **params):
    return run_notebook(name, tmp_path, **params)


def test_profile_notebook_writes_its_tables(built):
    out = built[0]  # the session's build ran this notebook with its defaults (conftest.built)
    ledger = pd.read_csv(out / "tables" / "claims_ledger_matrix.csv")
    assert set(ledger["subject"]) == {"matrix"} and "M7" in set(ledger["claim_id"])
    prof = pd.read_csv(out / "tables" / "matrix_profile.csv").set_index("claim_id")
    assert (prof.loc["E5", "count_low"], prof.loc["E5", "count_high"]) == (2950, 2987)
    assert prof["ledger_status"].notna().all()
    assert len(list((out / "figures").glob("*.png"))) >= 2


@pytest.mark.slow
def test_over_time_notebook_writes_the_conflicts_table(tmp_path):
    out = run(tmp_path, "03_gangs_matrix_over_time", rounding_rule="truncate")
    conf = pd.read_csv(out / "tables" / "conflicts.csv", keep_default_na=False).set_index("conflict_id")
    assert set(LISTED) <= set(conf.index)
    assert conf.loc["C1", "verdict"] == "unresolved"
    # Truncation changes the 65% range: 65-66% of 1,933 is 1,257-1,275 removed.
    assert "1,257–1,275 removed" in conf.loc["C2", "arithmetic"]
    for name in ("matrix_snapshots", "matrix_changes", "matrix_flows", "matrix_timeline", "matrix_composition"):
        assert (out / "tables" / f"{name}.csv").exists()
    assert {p.stem for p in (out / "figures").glob("*.png")} >= {"matrix_size_over_time", "matrix_timeline"}


@pytest.mark.slow
def test_bad_parameter_stops_at_the_top(tmp_path):
    with pytest.raises(papermill.PapermillExecutionError) as info:
        run(tmp_path, "03_gangs_matrix_over_time", ci_method="bayes")
    assert "ci_method = 'bayes'" in str(info.value)
    assert not (tmp_path / "out").exists()


# ------------------------------------------------- verdicts follow from each row


def test_the_table_holds_every_conflict_and_no_verdict_holds_a_number(conflicts):
    listed = [r["conflict_id"] for r in csv.DictReader(open(ROOT / "data/manual/conflicts.csv", encoding="utf-8"))]
    assert list(conflicts.index) == listed == LISTED
    for cid, row in conflicts.iterrows():
        assert not re.search(r"\d", row["verdict"]), (cid, row["verdict"])
        assert not row["verdict"].startswith("resolved") or "unresolved" not in row["verdict"]


def test_verdicts_as_built(conflicts):
    v = conflicts["verdict"]
    assert v["C3"] == "unresolved; most likely two snapshots, whose dates are not printed"
    assert v["C4"].startswith("unresolved: some shares that cannot be equal have an assumed or missing date")
    assert v["C11"].startswith("unresolved: the counts fit one list counted several ways")
    assert v["C12"].startswith("unresolved: the criteria count different things")
    assert v["C13"] == "unresolved: the share fits the earlier census only; the story names no source"
    assert "P13 + P14 = 82 (equals P15 82)" in conflicts.loc["C11", "arithmetic"]
    # 1,088,640 / 8,173,941 = 13.32% (2011) and 1,188,370 / 8,799,720 = 13.50% (2021).
    assert "13.32% (rounds to 13%)" in conflicts.loc["C13", "arithmetic"]
    assert "13.50% (does not round to 13%)" in conflicts.loc["C13", "arithmetic"]


# (conflict, claim edits {claim_id: {column: value}}, expected verdict start)
ALTERED = [
    # C1: make every change fit 3,881: "40%" -> "41%" (40.61%), "49%" -> "50%" (50.19%).
    ("C1", {"M14b": {"value": "41"}, "X19": {"value": "50"}}, "resolved: every published change fits the same peak"),
    # C2: a 30% share of 1,933 is 572-590 people, not "more than 1,100".
    ("C2", {"M17b": {"value": "30"}}, "unresolved: neither reading fits the arithmetic"),
    # C3: 2,552 + 374 - 250 = 2,676: the flows now lead from one count to the other.
    ("C3", {"M13c": {"value": "250"}}, "consistent: the recent flows lead from one count to the other"),
    # C4: every Black share 78%: all could describe one list.
    ("C4", {c: {"value": "78"} for c in ("E7a", "E11b", "E12")}, "consistent: every share could describe one list"),
    # C5: the BBC's 79% would match its own year label.
    ("C5", {"E9a": {"value": "79"}}, "unresolved"),
    # C6: 72% and 72% can describe one list.
    ("C6", {"A5b": {"value": "72"}}, "consistent within rounding"),
    # C7: a narrower band cannot hold more than the wider one.
    ("C7", {"X21": {"value": "90"}}, "inconsistent: the narrower band cannot hold more"),
    # C8: 60% is not around 40%.
    ("C8", {"H2": {"value": "60"}}, "inconsistent in value"),
    # C9: the descriptions no longer print one value.
    ("C9", {"BM9b": {"value": "28"}}, "unresolved: the descriptions print different values"),
    # C10: 1,701 of 2,552 is 66.65%, two thirds to the nearest percent.
    ("C10", {"H11b": {"value": "1701"}}, "consistent: the count is two thirds"),
    # C11: 62 + 21 is not 82; and 800 visited cannot be inside 758 visited or attempted.
    ("C11", {"P14": {"value": "21"}}, "unresolved: the counts can nest, but the interested count is not the sum"),
    ("C11", {"P11": {"value": "800"}}, "unresolved: the counts cannot be one list counted several ways"),
    # C12: the same thing counted, different numbers.
    (
        "C12",
        {
            "P9b": {"base": "involvements in a violent offence within the last year"},
            "P9c": {"base": "involvements in a violent offence within the last year"},
        },
        "inconsistent: the criteria give different numbers of the same thing",
    ),
    # C13: 14% fits the 2021 Census (13.50%, half up) and not the 2011 one.
    ("C13", {"PD4": {"value": "14"}}, "unresolved: the share fits the later census only"),
]


@pytest.mark.parametrize("cid, edits, expected", ALTERED, ids=[f"{a[0]}-{'-'.join(a[1])}" for a in ALTERED])
def test_each_verdict_follows_from_the_numbers_in_its_row(data_copy, conflicts, cid, edits, expected):
    assert not conflicts.loc[cid, "verdict"].startswith(expected)
    for claim_id, changes in edits.items():
        for column, value in changes.items():
            set_cell(data_copy / "claims.csv", claim_id, column, value)
    altered = matrix.conflicts(str(data_copy)).set_index("conflict_id")
    assert altered.loc[cid, "verdict"].startswith(expected), altered.loc[cid, "verdict"]


def test_c4_verdict_follows_from_which_dates_are_assumed(data_copy, conflicts):
    assert conflicts.loc["C4", "verdict"].startswith("unresolved")
    # If every date were printed, the shares that cannot be equal would all be explained by their dates.
    drop_rows(data_copy / "manual" / "assumptions.csv", {"E5", "E7a", "E11b", "E12"})
    altered = matrix.conflicts(str(data_copy)).set_index("conflict_id")
    assert altered.loc["C4", "verdict"] == "resolved: the shares that cannot be equal carry different printed dates"
