"""Indirect age standardisation (methods.md 1.6): O / E with E = sum over age
bands of n_a * s_a, carried over every count and age profile allowed."""

from __future__ import annotations

from police_lists.methods import stats
from police_lists.methods.bands import band_label, first_overlap, parse_band
from police_lists.readers import census


def _profile_ranges(age_profile: dict, n: int) -> dict[tuple[int, int], tuple[int, int]]:
    out = {}
    for label, counts in age_profile.items():
        lo, hi = (counts, counts) if isinstance(counts, int) else (int(counts[0]), int(counts[1]))
        if not 0 <= lo <= hi <= n:
            raise ValueError(f"age_profile[{label!r}] = {counts!r}: need 0 <= low <= high <= n = {n}")
        out[parse_band(label)] = (lo, hi)
    overlap = first_overlap(out)
    if overlap:
        (a0, a1), (b0, _) = overlap
        raise ValueError(f"age_profile bands overlap: {a0}-{a1} and {b0}-")
    if sum(lo for lo, _ in out.values()) > n or sum(hi for _, hi in out.values()) < n:
        raise ValueError(
            f"age_profile cannot add up to the list size {n}: lows sum to "
            f"{sum(lo for lo, _ in out.values())}, highs to {sum(hi for _, hi in out.values())}"
        )
    return out


def expected_range(ranges: dict, shares: dict, n: int) -> tuple[float, float]:
    """Least and greatest E = sum n_a s_a over every age profile with
    low_a <= n_a <= high_a and sum n_a = n (fill the cheapest / dearest bands
    first: a linear programme over a box with one equality, solved greedily)."""

    def fill(order):
        counts = {b: lo for b, (lo, _) in ranges.items()}
        left = n - sum(counts.values())
        for b in order:
            add = min(left, ranges[b][1] - counts[b])
            counts[b] += add
            left -= add
        return sum(counts[b] * shares[b] for b in counts)

    by_share = sorted(ranges, key=lambda b: (shares[b], b))
    return fill(by_share), fill(by_share[::-1])


def age_standardised(
    k_range: tuple[int, int], n: int, age_profile: dict, spec: tuple, confidence: float = 0.95, data_dir: str = "data"
) -> dict:
    """Indirectly standardised ratio O/E over every count and profile allowed.

    spec = (year, area, sex, group, include_mixed_black) of the census shares.
    Returns expected-count range, ratio range and the exact-Poisson interval
    envelope (lowest bound at the fewest observed and most expected)."""
    year, area, sex, group, mixed = spec
    ranges = _profile_ranges(age_profile, n)
    shares = {}
    for band in ranges:
        pc = census.population_count(year, area, band[0], band[1], sex, group, mixed, data_dir)
        shares[band] = pc.share
    e_lo, e_hi = expected_range(ranges, shares, n)
    low = stats.poisson_rate(k_range[0], e_hi, confidence)
    high = stats.poisson_rate(k_range[1], e_lo, confidence)
    return {
        "expected_low": e_lo,
        "expected_high": e_hi,
        "asr_low": k_range[0] / e_hi,
        "asr_high": k_range[1] / e_lo,
        "asr_ci_low": low.low,
        "asr_ci_high": high.high,
        "band_shares": "; ".join(f"{band_label(*b)}: {shares[b]:.4f}" for b in sorted(shares)),
    }
