"""Shares, intervals and disproportionality measures (methods.md sections 1-2).

statsmodels does the statistics; these functions only name the measure, fix
the method explicitly (statsmodels' defaults are not the ones we want) and
return plain dataclasses a notebook can print. Every interval is a
model-based interval for process variability, not sampling error: the lists
are whole lists (methods.md section 2.3).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass

from statsmodels.stats.contingency_tables import Table2x2
from statsmodels.stats.proportion import confint_proportions_2indep, proportion_confint
from statsmodels.stats.rates import confint_poisson

from police_lists.contract.standards import RATIO_CI_METHODS, SHARE_CI_METHODS


def _alpha(confidence: float) -> float:
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be strictly between 0 and 1; got {confidence!r}")
    return 1 - confidence


def _check_count(k: int, n: int) -> None:
    if n <= 0 or not 0 <= k <= n:
        raise ValueError(f"need 0 <= k <= n and n > 0; got k={k!r}, n={n!r}")


@dataclass(frozen=True)
class Estimate:
    """A point value with its interval and how the interval was made."""

    value: float
    low: float
    high: float
    method: str
    confidence: float

    def as_dict(self) -> dict:
        return asdict(self)


def share(k: int, n: int, confidence: float = 0.95, method: str = "wilson") -> Estimate:
    """Share k/n with a Wilson (default) or Clopper-Pearson interval.

    >>> round(share(462, 758).low, 6)
    0.574299
    """
    _check_count(k, n)
    if method not in SHARE_CI_METHODS:
        raise ValueError(f"method must be one of {sorted(SHARE_CI_METHODS)}; got {method!r}")
    low, high = proportion_confint(k, n, alpha=_alpha(confidence), method=SHARE_CI_METHODS[method])
    return Estimate(k / n, float(low), float(high), method, confidence)


def disproportionality_ratio(
    k: int, n: int, benchmark_share: float, confidence: float = 0.95, method: str = "wilson"
) -> Estimate:
    """Share-versus-share ratio DR = (k/n) / p_B, the benchmark taken as known.

    DR is the group's listing rate divided by the listing rate of the WHOLE
    benchmark population (methods.md 1.2), not of the rest of it. The interval
    is the share's interval divided by p_B.
    """
    if not 0 < benchmark_share < 1:
        raise ValueError(f"benchmark_share must be strictly between 0 and 1; got {benchmark_share!r}")
    s = share(k, n, confidence, method)
    return Estimate(
        s.value / benchmark_share,
        s.low / benchmark_share,
        s.high / benchmark_share,
        f"{method} share interval / benchmark share",
        confidence,
    )


def ratio_of_proportions(
    k1: int, n1: int, k2: int, n2: int, confidence: float = 0.95, method: str = "koopman"
) -> Estimate:
    """(k1/n1) / (k2/n2) with a Katz log or Koopman score interval.

    Used for the DR when both sides are counted and for the group-versus-rest
    rate ratio. statsmodels' default for compare="ratio" is "log-adjusted",
    which is neither, so the method is always passed explicitly.
    """
    _check_count(k1, n1)
    _check_count(k2, n2)
    if method not in RATIO_CI_METHODS:
        raise ValueError(f"method must be one of {sorted(RATIO_CI_METHODS)}; got {method!r}")
    sm_method, correction = RATIO_CI_METHODS[method]
    if k2 == 0:  # refused before statsmodels, which would print its divide-by-zero warnings first
        raise ZeroDivisionError(f"ratio of proportions: the second group has none of its {n2} (k2 = 0)")
    low, high = confint_proportions_2indep(
        k1, n1, k2, n2, compare="ratio", method=sm_method, correction=correction, alpha=_alpha(confidence)
    )
    return Estimate((k1 / n1) / (k2 / n2), float(low), float(high), method, confidence)


def benchmark_group_count(benchmark_share: float, population: int) -> int:
    """Members of the group in the benchmark population, N_g = p_B * N, to the nearest person."""
    return int(round(benchmark_share * population))


def group_vs_rest_rate_ratio(
    k: int, n: int, group_population: int, population: int, confidence: float = 0.95, method: str = "koopman"
) -> Estimate:
    """How many times as likely a member of the group was to be listed as
    someone outside it: (k / N_g) / ((n - k) / (N - N_g)).  methods.md 1.3."""
    return ratio_of_proportions(k, group_population, n - k, population - group_population, confidence, method)


def percentage_point_gap(list_share: float, benchmark_share: float) -> float:
    """Absolute gap in percentage points, p_L - p_B."""
    return 100 * (list_share - benchmark_share)


def odds_ratio(a: int, n1: int, b: int, n2: int, confidence: float = 0.95) -> Estimate:
    """Woolf (logit) odds ratio of being listed, group vs rest. Never write it as 'times as likely'."""
    table = Table2x2([[a, n1 - a], [b, n2 - b]])
    low, high = table.oddsratio_confint(alpha=_alpha(confidence))
    return Estimate(float(table.oddsratio), float(low), float(high), "woolf", confidence)


def rate_difference(a: int, n1: int, b: int, n2: int, confidence: float = 0.95) -> Estimate:
    """Difference of listing rates with the Newcombe hybrid score interval."""
    low, high = confint_proportions_2indep(a, n1, b, n2, compare="diff", method="newcomb", alpha=_alpha(confidence))
    return Estimate(a / n1 - b / n2, float(low), float(high), "newcombe", confidence)


def poisson_rate(count: int, exposure: int, confidence: float = 0.95) -> Estimate:
    """Rate count/exposure with the exact (Garwood) Poisson interval."""
    low, high = confint_poisson(count, exposure, method="exact-c", alpha=_alpha(confidence))
    return Estimate(count / exposure, float(low), float(high), "exact poisson", confidence)


def envelope(estimates: Iterable[Estimate]) -> Estimate:
    """The range covered by estimates made at every count a rounded figure allows:
    the lowest point and bound and the highest point and bound (methods.md 3.4).
    `value` is left as the midpoint of the point values; callers show the range."""
    items = list(estimates)
    if not items:
        raise ValueError("envelope of no estimates")
    points = [e.value for e in items]
    return Estimate(
        (min(points) + max(points)) / 2,
        min(e.low for e in items),
        max(e.high for e in items),
        f"envelope over {len(items)} counts",
        items[0].confidence,
    )
