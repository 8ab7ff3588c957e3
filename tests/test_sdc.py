"""Disclosure control (methods.md 4.3-4.4): the 10-5 rule, secondary
suppression and the LP audit, against the worked example R28."""

import numpy as np
import pandas as pd
import pytest

from police_lists.analyses import profile
from police_lists.methods import sdc

# The worked example of methods.md 4.3: ethnicity x age (<16, 16-18, 19+) for
# 758 people. The Mixed and Other rows are the example's own cells; the other
# rows are any values with those margins (they do not enter the audit).
R28 = np.array(
    [
        [12, 60, 82],  # White
        [40, 190, 232],  # Black
        [20, 30, 23],  # Asian
        [8, 20, 28],  # Mixed
        [4, 3, 6],  # Other
    ]
)
R28_RANGES = {(3, 0): (0, 12), (3, 1): (10, 23), (3, 2): (21, 34), (4, 0): (0, 12), (4, 1): (0, 13), (4, 2): (0, 13)}


def test_r28_table_size():
    assert R28.sum() == 758


def test_round_to_base_half_up():
    # methods.md 4.3: 232 -> 230, 12 -> 10, 28 -> 30; halves go up (12.5 cannot occur, 2.5 x 5 = 12.5)
    assert sdc.round_to_base([232, 12, 28, 10, 13, 17, 18, 0]).tolist() == [230, 10, 30, 10, 15, 15, 20, 0]


def test_r28_primary_cells():
    assert [tuple(c) for c in np.argwhere(sdc.primary_mask(R28))] == [(3, 0), (4, 0), (4, 1), (4, 2)]


def test_r28_secondary_suppression_adds_mixed_16_18_and_19_plus():
    mask = sdc.secondary_suppression(R28, sdc.primary_mask(R28))
    added = {tuple(c) for c in np.argwhere(mask & ~sdc.primary_mask(R28))}
    assert added == {(3, 1), (3, 2)}


def test_r28_lp_audit_ranges():
    mask, audit = sdc.protect_table(R28)
    got = {(int(r.row), int(r.col)): (r.low, r.high) for r in audit.itertuples()}
    assert got == R28_RANGES
    assert set(got) == {tuple(c) for c in np.argwhere(mask)}


def test_audit_detects_a_recoverable_cell():
    # one suppressed cell in a line with a published margin is pinned: low == high == true value
    t = np.array([[8, 40, 52]])
    audit = sdc.audit(t, np.array([[True, False, False]]), rows=True, cols=False)
    assert audit.loc[0, "low"] == audit.loc[0, "high"] == 8


def test_one_way_secondary_and_audit():
    counts = pd.Series({"White": 120, "Black": 85, "Asian": 31, "Mixed": 3, "Other": 14, "Unknown": 22})
    p = sdc.protect_counts(counts)
    assert p.published == [120, 85, 30, "[c]", "[c]", 20]  # Mixed primary, Other (smallest) secondary
    assert p.total_published == 275
    assert (p.audit["low"] == 0).all() and (p.audit["high"] == 17).all()  # 3 + 14, neither pinned


def test_threshold_is_a_parameter():
    counts = pd.Series({"A": 7, "B": 30, "C": 4, "D": 60})
    p10 = sdc.protect_counts(counts, threshold=10)
    assert p10.published == ["[c]", 30, "[c]", 60]  # A and C both primary under 10
    p5 = sdc.protect_counts(counts, threshold=5)
    assert p5.published == ["[c]", 30, "[c]", 60]  # C primary (4 < 5), A (7, the smallest) secondary
    assert p5.audit["high"].tolist() == [11, 11]
    p3 = sdc.protect_counts(counts, threshold=3)
    assert p3.published == [5, 30, 5, 60]  # nothing below 3: only rounding


def test_list_smaller_than_threshold_is_all_suppressed():
    # zeros too: "White 0" beside a hidden Black count would say who the 7 are
    p = sdc.protect_counts(pd.Series({"Black": 4, "White": 3, "Asian": 0, "Unknown": 0}))
    assert p.published == ["[c]"] * 4 and p.total_published == "[c]" and p.whole
    table = profile.dimension_table(p)
    assert table["category"].tolist() == [profile.WHOLE, "Total"]  # no category names either
    assert table["count"].tolist() == ["[c]", "[c]"]


@pytest.mark.parametrize("seed", range(40))
def test_random_one_way_tables_are_safe(seed):
    # property check over seeded random tables: no published count in 1..9, no
    # line with exactly one hidden cell, every hidden cell's LP range >= threshold
    rng = np.random.default_rng(seed)
    k = int(rng.integers(2, 8))
    counts = pd.Series(rng.choice([0, 1, 2, 5, 9, 10, 11, 40, 300], size=k), index=[f"g{i}" for i in range(k)])
    if counts.sum() < 10:
        counts.iloc[0] += 10
    p = sdc.protect_counts(counts)
    assert sdc.published_cells_ok(p.published)
    assert p.suppressed.sum() != 1
    widths = p.audit["high"] - p.audit["low"]
    assert (widths >= 10).all()
    assert all(x == "[c]" or x == 0 or (x >= 10 and x % 5 == 0) for x in p.published)


def test_shares_of_suppressed_counts_are_suppressed():
    counts = pd.Series({"White": 120, "Black": 85, "Mixed": 3, "Other": 14, "Unknown": 6})
    t = profile.dimension_table(sdc.protect_counts(counts)).set_index("category")
    for cat in ("Mixed", "Other", "Unknown"):
        assert t.loc[cat, "count"] == "[c]" and t.loc[cat, "share"] == "[c]" and t.loc[cat, "ci_low"] == "[c]"
    # Unknown hidden -> every share without Unknown, and every bound, would reveal it: suppressed
    assert t.loc["White", "share_known"] == "[c]" and t.loc["White", "share_max"] == "[c]"
    # shares are computed from the published counts: 120 / 230 (rounded total)
    assert t.loc["White", "share"] == round(120 / 230, 4)


def test_disclosure_control_off_keeps_exact_counts():
    p = sdc.protect_counts(pd.Series({"White": 12, "Black": 3}), enabled=False)
    assert p.published == [12, 3] and p.total_published == 15
    assert profile.stamp_label(False, False) == "NOT FOR PUBLICATION"
    assert profile.sensitivity(False, False).startswith("NOT FOR PUBLICATION")


def test_group_disclosure_suppresses_the_table_whole():
    from police_lists.readers.listinput import ListData

    # every known person in one group (38 Male, 2 Unknown): publishing "Male 40" or even
    # "Male [c], Unknown [c]" would tell a reader everyone's gender
    data = ListData(
        "x.csv",
        "record",
        "record-level list",
        40,
        {"ethnicity": pd.Series({"Black": 25, "White": 15}), "gender": pd.Series({"Male": 38, "Unknown": 2})},
    )
    p = profile.build_profile(data)
    assert p.protected["gender"].group_disclosure and not p.protected["ethnicity"].group_disclosure
    assert p.tables["gender"]["category"].tolist() == [profile.WHOLE, "Total"]
    assert p.tables["gender"]["count"].tolist() == ["[c]", 40]  # the list size is published anyway
    audit = profile.audit_table(p).set_index("dimension")
    assert audit.loc["gender", "group_disclosure_check"] == "suppressed whole"
    assert audit.loc["ethnicity", "group_disclosure_check"] == "passed"
    assert audit.loc["gender", "audit_passed"] is True  # 40 people: every hidden cell ranges over 0..40
    # a table whose every count is hidden anyway looks the same, so "suppressed whole" names no reason
    near = sdc.protect_counts(pd.Series({"Male": 34, "Female": 6}))
    assert near.whole and not near.group_disclosure


def test_group_disclosure_is_reported_not_applied_without_control():
    p = sdc.protect_counts(pd.Series({"Male": 38, "Unknown": 2}), enabled=False)
    assert p.published == [38, 2] and p.group_disclosure and not p.whole


@pytest.mark.parametrize("threshold", [2, 3])
def test_a_small_group_is_never_shown_as_zero(threshold):
    # with a threshold of 2 a group of 2 used to be rounded to 0 and published as "0"
    counts = pd.Series({"A": 2, "B": 1, "C": 40, "D": 33})
    p = sdc.protect_counts(counts, threshold=threshold)
    shown = dict(zip(p.categories, p.published))
    assert shown["A"] == "[c]" and shown["B"] == "[c]"
    assert all(x == "[c]" or int(x) > 0 for x, true in zip(p.published, counts) if true > 0)
