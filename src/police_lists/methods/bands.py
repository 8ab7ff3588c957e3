"""Age bands: one parser for every way the project's files and parameters write
a band, one label for it, and the checks that a range of ages falls on a
table's band edges and that bands do not overlap.

A band is (lowest age, highest age), both inclusive; an open band ("85 and
over", "25+") ends at OPEN_END.
"""

from __future__ import annotations

import re

OPEN_END = 200  # highest age of an open band: older than anyone on any list or census table

_NUMBER = r"(\d+)"
_FORMS = [  # (pattern, band from the numbers); spelling, case and spaces around '-' do not matter
    (re.compile(rf"(?:age )?{_NUMBER} ?(?:-|to) ?{_NUMBER}"), lambda a, b: (a, b)),
    (re.compile(rf"(?:age )?{_NUMBER} ?(?:\+|and over|or over|and above|or older|plus)"), lambda a: (a, OPEN_END)),
    (re.compile(rf"(?:under|below|less than|<) ?{_NUMBER}"), lambda a: (0, a - 1)),
    (re.compile(rf"(?:over|above|>) ?{_NUMBER}"), lambda a: (a + 1, OPEN_END)),
    (re.compile(rf"{_NUMBER} ?(?:or under|and under|or younger)"), lambda a: (0, a)),
    (re.compile(rf"(?:age )?{_NUMBER}"), lambda a: (a, a)),
]


def parse_band(label: str, source: str = "") -> tuple[int, int]:
    """'10-17' or '10 to 17' -> (10, 17); '13 to19' -> (13, 19); '25+' or '85 and over' -> (25, OPEN_END);
    'under 18' -> (0, 17); '18 or under' -> (0, 18); 'over 34' -> (35, OPEN_END); '18' or 'Age 15' -> (18, 18).
    `source` (a file) is named in the error when the label is not a band.

    >>> parse_band("Age 10 to 14"), parse_band("65 and over")
    ((10, 14), (65, 200))
    """
    text = re.sub(r"\s+", " ", str(label).strip().lower().replace("\u2013", "-"))
    text = re.sub(r"\s*-\s*", "-", text)
    for pattern, band in _FORMS:
        m = pattern.fullmatch(text)
        if m:
            lo, hi = band(*(int(x) for x in m.groups()))
            if hi < lo:
                raise ValueError(f"age band {label!r} runs backwards")
            return lo, hi
    where = f"{source}: " if source else ""
    raise ValueError(f"{where}age band {label!r} must look like '10-17', '25+' or '18'")


def band_label(age_from: int, age_to: int) -> str:
    """How a band is written in tables: 'all ages', '85 and over', 'under 18', '10-17'."""
    if age_from == 0 and age_to >= 100:
        return "all ages"
    if age_to >= 100:
        return f"{age_from} and over"
    if age_from == 0:
        return f"under {age_to + 1}"
    return f"{age_from}-{age_to}"


def cuts_across(band_from, band_to, age_from: int, age_to: int):
    """Which bands [band_from, band_to] hold ages both inside and outside
    [age_from, age_to]: a table banded that way cannot count exactly those ages.
    Works on numbers and, element by element, on numpy arrays and pandas Series."""
    return ((band_from < age_from) & (band_to >= age_from)) | ((band_from <= age_to) & (band_to > age_to))


def within(band_from, band_to, age_from: int, age_to: int):
    """Which bands lie wholly inside [age_from, age_to] (numbers, arrays or Series)."""
    return (band_from >= age_from) & (band_to <= age_to)


def first_overlap(bands) -> tuple[tuple[int, int], tuple[int, int]] | None:
    """The first two bands, in order of their lowest age, that share an age; None if none do."""
    ordered = sorted(bands)
    for a, b in zip(ordered, ordered[1:]):
        if b[0] <= a[1]:
            return a, b
    return None
