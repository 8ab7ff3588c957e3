"""What a rounded published figure allows, in exact arithmetic (methods.md section 3).

Floats and Python's round() (half to even) give wrong answers at ties, so
counts are found by quantizing Decimal(100 k / n) under the source's rounding
mode, and value ranges use fractions.Fraction. This is the GRIM idea for
percentages; no maintained Python library does it for rounding modes and
precision-as-printed ("61.0" is not "61"), hence this module.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from fractions import Fraction

DECIMAL_MODES = {"half_up": ROUND_HALF_UP, "truncate": ROUND_DOWN}


def _decimal(value: str) -> Decimal:
    try:
        d = Decimal(value)
    except Exception as exc:  # decimal.InvalidOperation has no useful message
        raise ValueError(f"not a decimal number: {value!r}") from exc
    if not d.is_finite():
        raise ValueError(f"not a finite number: {value!r}")
    return d


def digits_unit(value: str) -> Decimal:
    """The unit of the last digit printed: '61' -> 1, '61.0' -> 0.1, '78.2' -> 0.1."""
    d = _decimal(value)
    exponent = d.as_tuple().exponent
    return Decimal(1).scaleb(min(exponent, 0))


def consistent_counts(percent: str, n: int, rule: str = "half_up", unit: str | None = None) -> range:
    """Whole counts k of n whose percentage, rounded by `rule` to the digits
    printed in `percent` (or to `unit`), equals `percent`.

    >>> consistent_counts("61", 758)
    range(459, 467)
    >>> len(consistent_counts("61.0", 758))
    0
    """
    if rule not in DECIMAL_MODES:
        raise ValueError(f"rule must be one of {sorted(DECIMAL_MODES)}; got {rule!r}")
    if n <= 0:
        raise ValueError(f"base must be a positive count; got {n!r}")
    target = _decimal(percent)
    quantum = _decimal(unit) if unit else digits_unit(percent)
    mode = DECIMAL_MODES[rule]
    # Only counts near P*n/100 can match; scan a window two units wide each side.
    centre = Fraction(target) * n / 100
    spread = Fraction(quantum) * n / 100 * 2 + 2
    start = max(0, math.floor(centre - spread))
    stop = min(n, math.ceil(centre + spread))
    hits = [
        k for k in range(start, stop + 1) if (Decimal(100 * k) / Decimal(n)).quantize(quantum, rounding=mode) == target
    ]
    if not hits:
        return range(0)
    # The consistent counts of a monotone rounding are contiguous.
    assert hits == list(range(hits[0], hits[-1] + 1)), hits
    return range(hits[0], hits[-1] + 1)


@dataclass(frozen=True)
class Interval:
    """A closed range of exact values [lo, hi]; None means unbounded on that side.

    Open ends ([60.5, 61.5) for "61%") are kept closed here: the checks only
    ask whether two ranges can meet, and a shared end point is reported as
    consistent, the cautious side for a ledger."""

    lo: Fraction | None
    hi: Fraction | None

    @classmethod
    def point(cls, v) -> Interval:
        f = Fraction(v)
        return cls(f, f)

    @property
    def is_point(self) -> bool:
        return self.lo is not None and self.lo == self.hi

    def overlaps(self, other: Interval) -> bool:
        lo_ok = self.hi is None or other.lo is None or other.lo <= self.hi
        hi_ok = self.lo is None or other.hi is None or self.lo <= other.hi
        return lo_ok and hi_ok

    def contains(self, v) -> bool:
        v = Fraction(v)
        return (self.lo is None or self.lo <= v) and (self.hi is None or v <= self.hi)

    # Interval arithmetic, exact. Needed for checks like 100*(A-B)/A where A
    # and B are themselves rounded figures.
    def __add__(self, other: Interval) -> Interval:
        return Interval(_add(self.lo, other.lo), _add(self.hi, other.hi))

    def __neg__(self) -> Interval:
        return Interval(None if self.hi is None else -self.hi, None if self.lo is None else -self.lo)

    def __sub__(self, other: Interval) -> Interval:
        return self + (-other)

    def __mul__(self, other: Interval) -> Interval:
        if None in (self.lo, self.hi, other.lo, other.hi):
            raise ValueError("cannot multiply an unbounded range")
        products = [a * b for a in (self.lo, self.hi) for b in (other.lo, other.hi)]
        return Interval(min(products), max(products))

    def __truediv__(self, other: Interval) -> Interval:
        if None in (other.lo, other.hi) or other.lo <= 0 <= other.hi:
            raise ValueError("cannot divide by a range that contains zero or is unbounded")
        return self * Interval(1 / other.hi, 1 / other.lo)

    def format(self, digits: int = 2) -> str:
        def f(x):
            if x is None:
                return "∞"
            return str(int(x)) if x.denominator == 1 else f"{float(x):.{digits}f}"

        return f(self.lo) if self.is_point else f"{f(self.lo)}–{f(self.hi)}"


def _add(a, b):
    return None if a is None or b is None else a + b


def value_interval(value: str, rule: str, precision: str | None = None) -> Interval:
    """The exact values a published figure allows under its rounding rule."""
    v = Fraction(_decimal(value))
    if rule == "exact":
        return Interval(v, v)
    if rule in ("half_up", "approximate"):
        unit = Fraction(_decimal(precision)) if precision else Fraction(digits_unit(value))
        return Interval(v - unit / 2, v + unit / 2)
    if rule == "truncate":
        unit = Fraction(_decimal(precision)) if precision else Fraction(digits_unit(value))
        return Interval(v, v + unit)
    if rule == "lower_bound":
        return Interval(v, None)
    if rule == "upper_bound":
        return Interval(Fraction(0), v)
    raise ValueError(f"no numeric range for rounding rule {rule!r}")


def rounds_to(x: Fraction, value: str, rule: str, precision: str | None = None) -> bool:
    """Would the exact value x be printed as `value` under `rule`?"""
    if rule == "exact":
        return Fraction(_decimal(value)) == x
    if rule in ("half_up", "truncate", "approximate"):
        quantum = _decimal(precision) if precision else digits_unit(value)
        mode = ROUND_DOWN if rule == "truncate" else ROUND_HALF_UP
        exact = Decimal(x.numerator) / Decimal(x.denominator)
        return (
            exact.quantize(quantum, rounding=mode) == _decimal(value)
            if quantum <= 1
            else ((exact / quantum).quantize(Decimal(1), rounding=mode) * quantum == _decimal(value))
        )
    if rule == "lower_bound":
        return x > Fraction(_decimal(value))
    if rule == "upper_bound":
        return x < Fraction(_decimal(value))
    raise ValueError(f"cannot round under rule {rule!r}")


POINT_RULE = "nearest whole count to percent x base / 100"


def point_count(percent: str, base: int) -> int:
    """The named point value behind a published percentage: the whole count
    nearest to percent x base / 100, ties rounded half up, in exact arithmetic
    (POINT_RULE; a convention shown beside the range, never a published figure).

    >>> point_count("61", 758)
    462
    """
    return int(half_up(Fraction(_decimal(percent)) * base / 100))


def half_up(x: Fraction, places: int = 0) -> Decimal:
    """An exact value rounded half up to `places` decimals (no float ties)."""
    q = Decimal(1).scaleb(-places)
    return (Decimal(x.numerator) / Decimal(x.denominator)).quantize(q, rounding=ROUND_HALF_UP)


def partition_feasible(percents: list[str], n: int, rule: str = "half_up") -> bool:
    """Can categories printed as these percentages of n add up to n? (methods.md 3.3)"""
    ranges = [consistent_counts(p, n, rule) for p in percents]
    if any(len(r) == 0 for r in ranges):
        return False
    return sum(r.start for r in ranges) <= n <= sum(r.stop - 1 for r in ranges)
