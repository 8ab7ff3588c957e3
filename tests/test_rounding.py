"""Counts from rounded percentages, exactly (methods.md section 3; R14, R21-R25)."""

from fractions import Fraction

import pytest

from police_lists.methods.rounding import Interval, consistent_counts, partition_feasible, rounds_to, value_interval


def as_tuple(r):
    return (r.start, r.stop - 1)


def test_r21_61_percent_of_758_half_up_and_truncate():
    assert as_tuple(consistent_counts("61", 758, "half_up")) == (459, 466)
    assert as_tuple(consistent_counts("61", 758, "truncate")) == (463, 469)


def test_r22_r23():
    assert as_tuple(consistent_counts("15", 758)) == (110, 117)
    assert as_tuple(consistent_counts("78", 3806)) == (2950, 2987)
    assert len(consistent_counts("78", 3806)) == 38


def test_r24_printed_precision_matters():
    assert len(consistent_counts("61.0", 758)) == 0  # impossible
    assert as_tuple(consistent_counts("60.9", 758)) == (462, 462)
    assert as_tuple(consistent_counts("61.0", 758, "truncate")) == (463, 463)


def test_methods_table_13_percent():
    assert as_tuple(consistent_counts("13", 758)) == (95, 102)
    assert as_tuple(consistent_counts("13", 758, "truncate")) == (99, 106)


def test_r25_partitions():
    assert partition_feasible(["61", "20", "10", "6", "3"], 758)
    assert partition_feasible(["61", "22", "10", "6", "3"], 758)
    assert not partition_feasible(["61", "25", "10", "6", "3"], 758)
    assert not partition_feasible(["61", "17", "10", "6", "3"], 758)


def test_r14_share_ratio_range_from_rounding_alone():
    r = value_interval("61", "half_up") / value_interval("13", "half_up")
    assert float(r.lo) == pytest.approx(4.4815, abs=1e-4)
    assert float(r.hi) == pytest.approx(4.92, abs=1e-4)


def test_half_up_is_not_bankers_rounding():
    # 0.5 ties: Python's round(2.5) == 2, a source rounding half up prints 3.
    assert rounds_to(Fraction(5, 2), "3", "half_up")
    assert not rounds_to(Fraction(5, 2), "2", "half_up")


def test_interval_arithmetic_for_percent_change():
    peak, later = Interval.point(3881), Interval.point(2676)
    change = Interval.point(100) * (peak - later) / peak
    assert float(change.lo) == pytest.approx(31.05, abs=0.01)
    assert rounds_to(change.lo, "31", "half_up")
    other = Interval.point(100) * (Interval.point(3811) - later) / Interval.point(3811)
    assert float(other.lo) == pytest.approx(29.78, abs=0.01)
    assert not rounds_to(other.lo, "31", "half_up")


def test_approximate_and_bounds():
    assert value_interval("3800", "approximate", "100") == Interval(Fraction(3750), Fraction(3850))
    assert value_interval("1100", "lower_bound").hi is None
    with pytest.raises(ValueError):
        value_interval("x", "exact")
