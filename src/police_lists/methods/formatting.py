"""How numbers are written, one set for the whole project: analyses use it to
build the arithmetic they publish, notebooks (through present.appendix) to
write prose. Everything is deterministic text; nothing is typed by hand."""

from __future__ import annotations

from fractions import Fraction

from police_lists.methods.rounding import Interval, half_up


def pct(x: float, digits: int = 1) -> str:
    """A share as a percent: 0.60949 -> '60.9%'."""
    return f"{100 * x:.{digits}f}%"


def num(x: float, digits: int = 2) -> str:
    """A number with thousands separators and fixed decimals: 4.6884 -> '4.69'."""
    return f"{x:,.{digits}f}"


def count(x) -> str:
    """A whole count with thousands separators: 3806 -> '3,806'."""
    return f"{int(x):,}"


def span(lo, hi, fmt=count) -> str:
    """A range, or one value when both ends meet: '459–466', '462'."""
    return fmt(lo) if lo == hi else f"{fmt(lo)}–{fmt(hi)}"


def exact_pct(x: Fraction, places: int = 1) -> str:
    """An exact percentage (not a share) rounded half up: Fraction(1205*100, 3881) -> '31.0%'."""
    return f"{half_up(x, places)}%"


def exact_pct_span(iv: Interval, places: int = 1) -> str:
    """The exact percentages of an interval, each rounded half up: '37.3%–39.3%'."""
    return span(iv.lo, iv.hi, lambda v: exact_pct(v, places))
