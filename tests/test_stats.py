"""The statistics against the reference values of methods.md section 7
(computed there by hand and through the libraries; tolerance 1e-6)."""

import pytest

from police_lists.methods import stats

TOL = 1e-6


@pytest.mark.parametrize(
    "method, expected",
    [
        ("wilson", (0.5742993171, 0.6435937866)),  # R1
        ("clopper_pearson", (0.5737372507, 0.6444046853)),  # R2
        ("jeffreys", (0.5744048392, 0.6437581055)),  # R3
        ("agresti_coull", (0.5742949403, 0.6435981634)),  # R4
        ("wald", (0.5747681735, 0.6442291879)),  # R5
    ],
)
def test_share_intervals_r1_to_r5(method, expected):
    est = stats.share(462, 758, 0.95, method)
    assert est.value == pytest.approx(462 / 758)
    assert (est.low, est.high) == pytest.approx(expected, abs=TOL)


def test_disproportionality_ratio_r8_r9():
    dr = stats.disproportionality_ratio(462, 758, 0.13)
    assert dr.value == pytest.approx(4.6884513903, abs=TOL)  # R8
    assert (dr.low, dr.high) == pytest.approx((4.4176870549, 4.9507214352), abs=TOL)  # R9


def test_two_sample_ratio_katz_r10_and_koopman_r11():
    katz = stats.ratio_of_proportions(462, 758, 1_144_000, 8_800_000, method="katz")
    assert (katz.low, katz.high) == pytest.approx((4.4286492057, 4.9634946048), abs=TOL)  # R10
    koop = stats.ratio_of_proportions(462, 758, 1_144_000, 8_800_000, method="koopman")
    assert (koop.low, koop.high) == pytest.approx((4.4175828905, 4.9508607826), abs=TOL)  # R11


def test_group_vs_rest_rate_ratio_r15():
    group = stats.benchmark_group_count(0.13, 8_800_000)
    assert group == 1_144_000
    katz = stats.group_vs_rest_rate_ratio(462, 758, group, 8_800_000, method="katz")
    assert katz.value == pytest.approx(10.4454261954, abs=TOL)
    assert (katz.low, katz.high) == pytest.approx((9.0273339293, 12.0862847501), abs=TOL)
    koop = stats.group_vs_rest_rate_ratio(462, 758, group, 8_800_000, method="koopman")
    assert (koop.low, koop.high) == pytest.approx((9.0284949914, 12.0847183717), abs=TOL)


def test_odds_ratio_r16():
    est = stats.odds_ratio(462, 1_144_000, 296, 7_656_000)
    assert est.value == pytest.approx(10.4492422356, abs=TOL)
    assert (est.low, est.high) == pytest.approx((9.0303929913, 12.0910201142), abs=TOL)


def test_rate_difference_r17_per_100000():
    est = stats.rate_difference(462, 1_144_000, 296, 7_656_000)
    assert 1e5 * est.value == pytest.approx(36.5183667, abs=TOL)
    assert (1e5 * est.low, 1e5 * est.high) == pytest.approx((32.9697917, 40.3940964), abs=TOL)


def test_poisson_rate_r18_per_100000():
    est = stats.poisson_rate(462, 1_144_000)
    assert (1e5 * est.low, 1e5 * est.high) == pytest.approx((36.7855921, 44.2405957), abs=TOL)


def test_small_count_ratio_r19_methods_differ():
    katz = stats.ratio_of_proportions(12, 40, 5, 60, method="katz")
    koop = stats.ratio_of_proportions(12, 40, 5, 60, method="koopman")
    assert katz.value == pytest.approx(3.6)
    assert (katz.low, katz.high) == pytest.approx((1.3735839, 9.4351717), abs=TOL)
    assert (koop.low, koop.high) == pytest.approx((1.4347925, 9.2072297), abs=TOL)


def test_matrix_reference_r20():
    assert stats.disproportionality_ratio(78, 100, 0.13).value == pytest.approx(6.0)
    assert stats.disproportionality_ratio(78, 100, 0.27).value == pytest.approx(2.889, abs=1e-3)
    # Group vs rest from the shares alone: a list of 78 in 100 against a population
    # whose group is 13% (27%) of a million; the ratio depends only on the shares.
    assert stats.group_vs_rest_rate_ratio(78, 100, 130_000, 1_000_000).value == pytest.approx(23.73, abs=1e-2)
    assert stats.group_vs_rest_rate_ratio(78, 100, 270_000, 1_000_000).value == pytest.approx(9.59, abs=1e-2)


def test_lower_confidence_narrows_interval():
    wide, narrow = stats.share(462, 758, 0.95), stats.share(462, 758, 0.90)
    assert narrow.low > wide.low and narrow.high < wide.high


@pytest.mark.parametrize("bad", [0, 1, 1.5, -0.1])
def test_bad_confidence_is_refused(bad):
    with pytest.raises(ValueError, match="confidence"):
        stats.share(462, 758, bad)


def test_envelope_covers_every_count():
    env = stats.envelope(stats.disproportionality_ratio(k, 758, 0.13) for k in range(459, 467))
    assert env.low == pytest.approx(stats.disproportionality_ratio(459, 758, 0.13).low)
    assert env.high == pytest.approx(stats.disproportionality_ratio(466, 758, 0.13).high)
