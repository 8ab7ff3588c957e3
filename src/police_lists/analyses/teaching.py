"""Teaching pack: the exercise checks (the build is pipeline.teaching).

Each lesson in notebooks/teaching/ is ONE parameterised notebook. Its cells
are tagged:
  "exercise"  the blank student version of an answer (``answer_1 = None``
              with a hint comment);
  "solution"  the code that solves it (``answer_1 = ...``).
A check cell calls ``check.exercise_1(answer_1)``; the check compares the
answer with a value this module computes from data/ (claims by id, census
tables), never a typed number, and prints whether it is right, with a hint.

build_teaching() renders two versions of every lesson from the same source:
  student     solution cells removed BEFORE execution, so neither solution
              code nor solution output can reach the page; every check must
              print "not answered yet" (a check that prints "right" would
              mean a non-solution cell gives the answer away);
  instructor  exercise cells removed, solutions run; a check that is not
              right raises, so a wrong solution fails the build, and every
              registered exercise must report "right".
Both are published to <out>/html/teaching/<lesson>_<role>.html (code shown:
students read it) and <out>/notebooks/teaching/<lesson>_<role>.ipynb.
"""

from __future__ import annotations

import numbers
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

import pandas as pd

from police_lists.analyses import pima
from police_lists.contract.paths import resolve
from police_lists.methods import stats
from police_lists.methods.rounding import consistent_counts, rounds_to
from police_lists.readers import census
from police_lists.readers import claims as claims_mod

ROLES = ("student", "instructor")
RIGHT, WRONG, UNANSWERED = "right", "not right yet", "not answered yet"


class ExerciseCheckError(AssertionError):
    """An instructor solution did not pass its check (fails the instructor build)."""


# --- values read from data/ ------------------------------------------------

claim = claims_mod.claim  # one row of data/claims.csv, as text (so '61' and '61.0' stay different)


def value(claim_id: str, data_dir: str = "data") -> str:
    """The published value of a claim, exactly as printed."""
    return claim(claim_id, data_dir)["value"]


def count(claim_id: str, data_dir: str = "data") -> int:
    """A published count as an integer."""
    return int(value(claim_id, data_dir))


def share(claim_id: str, data_dir: str = "data") -> float:
    """A published percentage as a share (61 -> 0.61)."""
    return float(Decimal(value(claim_id, data_dir)) / 100)


def one_more_decimal(percent: str) -> str:
    """The same percentage printed with one more decimal place: '61' -> '61.0'.
    Lesson one uses it to show that precision as printed is part of a claim."""
    d = Decimal(percent)
    return str(d.quantize(Decimal(1).scaleb(min(d.as_tuple().exponent, 0) - 1)))


def percent_change(before: int, after: int) -> float:
    """Fall from `before` to `after` as a percentage of `before`."""
    return 100 * (before - after) / before


def peak_fits(
    change_claim: str, after_claim: str, peaks: tuple[str, ...] = ("M6", "M7"), data_dir: str = "data"
) -> list[str]:
    """Which rival peak counts give a fall that rounds to the published percentage
    (exact arithmetic and the claim's rounding rule, as in the claims ledger)."""
    c = claim(change_claim, data_dir)
    after = count(after_claim, data_dir)
    return [
        p
        for p in peaks
        if rounds_to(
            Fraction(100 * (count(p, data_dir) - after), count(p, data_dir)),
            c["value"],
            c["rounding"],
            c["precision"] or None,
        )
    ]


def young_ages(data_dir: str = "data") -> tuple[int, int]:
    """The age band of Amnesty's 'aged 12 to 24' claim (A1), read from its measure text."""
    m = re.search(r"aged (\d+) to (\d+)", claim("A1", data_dir)["measure"])
    if not m:
        raise ValueError("claim A1: no 'aged X to Y' in its measure text")
    return int(m[1]), int(m[2])


def impossible_one_decimal_percentages(n: int) -> int:
    """How many of the percentages 0.0, 0.1, ..., 100.0 no whole count out of n
    can produce under half-up rounding (GRIM for percentages, methods.md 3)."""
    steps = range(0, 1001)
    return sum(1 for s in steps if len(consistent_counts(str(Decimal(s).scaleb(-1)), n)) == 0)


def black_share_by_age_2021(data_dir: str = "data", max_age: int = 40) -> pd.DataFrame:
    """Black share of Londoners at each single year of age, 2021 Census (rounded table)."""
    t = census.census_2021_by_age(data_dir)
    t = t[(t["area_code"] == census.LONDON) & (t["age"] <= max_age)].copy()
    t["count"] = t["count"].fillna(0).astype(int)
    g = t.groupby("age")
    out = pd.DataFrame({"black": t[t["group"] == "Black"].groupby("age")["count"].sum(), "all": g["count"].sum()})
    out["black_share"] = out["black"] / out["all"]
    return out.reset_index()


def point_count(claim_id: str, data_dir: str = "data") -> int:
    """Point value for a percentage of a published count: the whole count nearest
    to percent x base / 100 (pima.POINT_RULE)."""
    by_id = claims_mod.claims_by_id(data_dir)
    _, point = pima.count_range(by_id[claim_id], by_id, "half_up")
    return int(point)


def pima_point_count(data_dir: str = "data") -> int:
    """Point value for the Black count on the Pima list (claim PD3)."""
    return point_count(pima.list_claims(data_dir)[1], data_dir)


def claims_table(claim_ids: list[str], data_dir: str = "data") -> pd.DataFrame:
    """The published figures a lesson uses, as a reader would see them printed."""
    rows = []
    for cid in claim_ids:
        c = claim(cid, data_dir)
        rows.append(
            {
                "claim_id": cid,
                "measure": c["measure"],
                "published": claims_mod.published_text(c),
                "of": c["base"],
                "date": c["ref_date"],
                "source_id": c["source_id"],
                "quote": c["quote"],
            }
        )
    return pd.DataFrame(rows)


def counts_around(percent: str, n: int, rule: str = "half_up", margin: int = 2) -> pd.DataFrame:
    """Each whole count near percent x n / 100, the exact percentage it gives,
    and whether it would be printed as `percent` (the worked example of lesson one)."""
    ks = consistent_counts(percent, n, rule)
    centre = int(Decimal(percent) * n / 100)
    lo = (ks.start if len(ks) else centre) - margin
    hi = (ks.stop - 1 if len(ks) else centre) + margin
    rows = []
    for k in range(max(0, lo), min(n, hi) + 1):
        exact = Fraction(100 * k, n)
        rows.append(
            {
                "count": k,
                "exact_percent": round(float(exact), 4),
                "printed_as": str(
                    (Decimal(100 * k) / Decimal(n)).quantize(
                        Decimal(1).scaleb(min(Decimal(percent).as_tuple().exponent, 0)), rounding=ROUND_HALF_UP
                    )
                ),
                "fits": k in ks,
            }
        )
    return pd.DataFrame(rows)


def fits_per_percentage(percents: list[str], n: int) -> pd.DataFrame:
    """How many whole counts out of n each printed percentage allows (zero: impossible)."""
    return pd.DataFrame(
        [
            {"printed_percent": p, "list_size": n, "whole_counts_that_fit": len(consistent_counts(p, n))}
            for p in percents
        ]
    )


def one_decimal_neighbours(percent: str, steps: int = 5) -> list[str]:
    """One-decimal percentages either side of `percent`: '61' -> ['60.5', ..., '61.5']."""
    centre = Decimal(percent).quantize(Decimal("0.1"))
    return [str(centre + Decimal(i).scaleb(-1)) for i in range(-steps, steps + 1)]


SYNTHETIC_GLOB = "examples/*synthetic*.csv"


def synthetic_list(data_dir: str = "data") -> tuple[str, pd.DataFrame] | None:
    """(file name, rows) of the synthetic teaching list in data/examples/, or
    None when it is not there (lessons then say so instead of failing)."""
    files = sorted(resolve(data_dir).glob(SYNTHETIC_GLOB))
    if not files:
        return None
    return files[0].name, pd.read_csv(files[0], dtype=str, keep_default_na=False)


def synthetic_shares_by_band(
    rows: pd.DataFrame, group_column: str = "ethnicity", group: str = "Black", band_column: str = "age_band"
) -> pd.DataFrame:
    """Share of `group` within each band of the synthetic list, with its count."""
    t = (
        rows.groupby(band_column, sort=True)[group_column]
        .agg(people="size", in_group=lambda s: int((s == group).sum()))
        .reset_index()
    )
    t["share"] = t["in_group"] / t["people"]
    return t.rename(columns={"in_group": f"{group}_people"})


def london_population_2021(data_dir: str = "data") -> int:
    return census.group_count(2021, census.LONDON, data_dir=data_dir)[1]


# --- exercises -------------------------------------------------------------


@dataclass(frozen=True)
class Exercise:
    """One exercise: how to compare an answer and what to say when it is not right.
    `expected` computes the reference answer from data_dir."""

    number: int
    kind: str  # "number", "count_range", "interval", "choice"
    expected: Callable[[str], Any]
    hint: str
    tolerance: float = 0.0
    shape: str = ""  # what an answer looks like, said when the type is wrong


def _l1(data_dir):  # noqa: D401 - small helpers kept next to the registry
    return value("PD3", data_dir), count("P3", data_dir)


LESSONS: dict[str, dict] = {
    "lesson1_reading_a_statistic": {
        "title": "Reading a statistic: rebuilding counts from percentages",
        "exercises": [
            Exercise(
                1,
                "number",
                lambda d: float(Decimal(_l1(d)[0]) * _l1(d)[1] / 100),
                "multiply the percentage (as a number, not text) by the list size and divide by 100.",
                tolerance=0.005,
                shape="a number",
            ),
            Exercise(
                2,
                "count_range",
                lambda d: consistent_counts(*_l1(d)),
                "use consistent_counts(percent_as_printed, list_size) as in the worked example; "
                "give (lowest, highest) or the range itself.",
                shape="(lowest, highest)",
            ),
            Exercise(
                3,
                "number",
                lambda d: len(consistent_counts(one_more_decimal(_l1(d)[0]), _l1(d)[1])),
                "build the text with teaching.one_more_decimal(...) and count the whole numbers "
                "consistent_counts returns (len(...)).",
                shape="a whole number",
            ),
            Exercise(
                4,
                "count_range",
                lambda d: consistent_counts(*_l1(d), rule="truncate"),
                "consistent_counts takes rule='truncate' for a source that cuts decimals off.",
                shape="(lowest, highest)",
            ),
        ],
    },
    "lesson2_shares_and_ratios": {
        "title": "Shares, intervals and disproportionality",
        "exercises": [
            Exercise(
                1,
                "interval",
                lambda d: stats.share(pima_point_count(d), count("P3", d)),
                "stats.share(k, n) returns the share with .low and .high (Wilson, 95%).",
                tolerance=1e-4,
                shape="(low, high) or the Estimate stats.share returns",
            ),
            Exercise(
                2,
                "number",
                lambda d: stats.disproportionality_ratio(pima_point_count(d), count("P3", d), share("PD4", d)).value,
                "share ratio = list share / benchmark share; stats.disproportionality_ratio does it.",
                tolerance=0.005,
                shape="a number",
            ),
            Exercise(
                3,
                "number",
                lambda d: (
                    stats.group_vs_rest_rate_ratio(
                        pima_point_count(d),
                        count("P3", d),
                        stats.benchmark_group_count(share("PD4", d), london_population_2021(d)),
                        london_population_2021(d),
                    ).value
                ),
                "you need the number of Black Londoners (stats.benchmark_group_count) and all Londoners "
                "(population) before stats.group_vs_rest_rate_ratio.",
                tolerance=0.01,
                shape="a number",
            ),
            Exercise(
                4,
                "choice",
                lambda d: "b",
                "'times as likely as other Londoners' compares two groups of Londoners with each other.",
                shape="a letter",
            ),
        ],
    },
    "lesson3_choosing_a_benchmark": {
        "title": "Choosing a benchmark",
        "exercises": [
            Exercise(
                1,
                "number",
                lambda d: (lambda k, n: k / n)(
                    *census.group_count(2021, census.LONDON, "Black", *young_ages(d), data_dir=d)
                ),
                "census.group_count(year, area, group, age_from, age_to) returns (group, everyone); divide them.",
                tolerance=0.0005,
                shape="a share between 0 and 1",
            ),
            Exercise(
                2,
                "number",
                lambda d: share("E5", d) / (lambda k, n: k / n)(*census.group_count(2021, census.LONDON, data_dir=d)),
                "list share / benchmark share, with the all-ages share from the worked example.",
                tolerance=0.01,
                shape="a number",
            ),
            Exercise(
                3,
                "number",
                lambda d: (
                    share("E5", d)
                    / (lambda k, n: k / n)(
                        *census.group_count(2021, census.LONDON, "Black", *young_ages(d), data_dir=d)
                    )
                ),
                "the same division, with your answer to the first exercise as the benchmark.",
                tolerance=0.01,
                shape="a number",
            ),
            Exercise(
                4,
                "number",
                lambda d: share("E5", d) / share("BM9", d),
                "read BM9 with teaching.share('BM9') and divide.",
                tolerance=0.01,
                shape="a number",
            ),
            Exercise(
                5,
                "choice",
                lambda d: "b",
                "who decides which people are recorded as responsible for violence?",
                shape="a letter",
            ),
        ],
    },
    "lesson4_checking_figures": {
        "title": "Checking published figures against each other",
        "exercises": [
            Exercise(
                1,
                "number",
                lambda d: percent_change(count("M6", d), count("M12a", d)),
                "fall = 100 x (peak - later count) / peak.",
                tolerance=0.01,
                shape="a percentage",
            ),
            Exercise(
                2,
                "number",
                lambda d: percent_change(count("M7", d), count("M12a", d)),
                "the same formula with the other peak.",
                tolerance=0.01,
                shape="a percentage",
            ),
            Exercise(
                3,
                "choice",
                lambda d: _fits_text(peak_fits("M12b", "M12a", data_dir=d)),
                "round each of your two falls to a whole percent and compare with M12b.",
                shape="'M6', 'M7', 'both' or 'neither'",
            ),
            Exercise(
                4,
                "choice",
                lambda d: _fits_text(peak_fits("X19", "M16", data_dir=d)),
                "compute the fall from each peak to M16 and round it like X19.",
                shape="'M6', 'M7', 'both' or 'neither'",
            ),
            Exercise(
                5,
                "number",
                lambda d: impossible_one_decimal_percentages(count("P3", d)),
                "loop over every one-decimal percentage and count those for which consistent_counts is empty.",
                shape="a whole number",
            ),
        ],
    },
}


def _fits_text(fits: list[str]) -> str:
    return {0: "neither", 2: "both"}.get(len(fits), fits[0] if fits else "neither")


def expected(lesson: str, number: int, data_dir: str = "data"):
    """The reference answer to one exercise, computed from data_dir."""
    return _exercise(lesson, number).expected(data_dir)


def _exercise(lesson: str, number: int) -> Exercise:
    if lesson not in LESSONS:
        raise KeyError(f"no lesson {lesson!r}; known: {sorted(LESSONS)}")
    for ex in LESSONS[lesson]["exercises"]:
        if ex.number == number:
            return ex
    raise KeyError(f"{lesson} has no exercise {number}")


def _as_pair(answer) -> tuple | None:
    if isinstance(answer, range):
        return (answer.start, answer.stop - 1) if len(answer) else None
    if hasattr(answer, "low") and hasattr(answer, "high"):
        return (answer.low, answer.high)
    if isinstance(answer, (tuple, list)) and len(answer) == 2 and all(_is_number(x) for x in answer):
        return tuple(answer)
    return None


def _is_number(x) -> bool:
    return isinstance(x, numbers.Real) and not isinstance(x, bool)


def _show(x) -> str:
    if isinstance(x, range):
        return f"{x.start}–{x.stop - 1}" if len(x) else "none"
    if hasattr(x, "low") and hasattr(x, "high"):
        return f"{x.value:.4f} ({x.low:.4f}–{x.high:.4f})"
    if isinstance(x, float):
        return f"{x:.4f}"
    return str(x)


def judge(ex: Exercise, answer, reference) -> tuple[str, str]:
    """(verdict, detail) for an answer against the reference value."""
    if answer is None:
        return UNANSWERED, ""
    if ex.kind == "number":
        if not _is_number(answer):
            return WRONG, f"expected {ex.shape}, got {type(answer).__name__}"
        return (RIGHT if abs(float(answer) - float(reference)) <= ex.tolerance else WRONG), ""
    if ex.kind in ("count_range", "interval"):
        pair = _as_pair(answer)
        if pair is None:
            return WRONG, f"expected {ex.shape}"
        ref = _as_pair(reference)
        if ref is None:  # an empty range: no count fits
            return WRONG, ""
        ok = all(abs(float(a) - float(b)) <= ex.tolerance for a, b in zip(pair, ref))
        return (RIGHT if ok else WRONG), ""
    if ex.kind == "choice":
        if not isinstance(answer, str):
            return WRONG, f"expected {ex.shape}"
        return (RIGHT if answer.strip().lower() == str(reference).lower() else WRONG), ""
    raise ValueError(f"unknown exercise kind {ex.kind!r}")


class Checker:
    """What a lesson calls: ``check = teaching.Checker(lesson, role, data_dir)``,
    then ``check.exercise_1(answer_1)``.

    Prints "Exercise N: right", "not right yet" or "not answered yet", with a
    hint when it is not right. The hint never contains the answer. In the
    instructor role anything but "right" raises ExerciseCheckError."""

    def __init__(self, lesson: str, role: str = "student", data_dir: str = "data"):
        if lesson not in LESSONS:
            raise KeyError(f"no lesson {lesson!r}; known: {sorted(LESSONS)}")
        if role not in ROLES:
            raise ValueError(f"role must be one of {ROLES}; got {role!r}")
        self.lesson, self.role, self.data_dir = lesson, role, data_dir
        self.results: dict[int, str] = {}  # exercise number -> last verdict

    def __getattr__(self, name: str):
        m = re.fullmatch(r"exercise_(\d+)", name)
        if not m:
            raise AttributeError(name)
        ex = _exercise(self.lesson, int(m[1]))
        return lambda answer: self._check(ex, answer)

    def _check(self, ex: Exercise, answer) -> None:
        reference = ex.expected(self.data_dir)
        verdict, detail = judge(ex, answer, reference)
        self.results[ex.number] = verdict
        if verdict == RIGHT:
            # Only a right answer is echoed with the reference value.
            print(f"Exercise {ex.number}: right. Reference answer: {_show(reference)}")
        else:
            extra = f" ({detail})" if detail else ""
            print(f"Exercise {ex.number}: {verdict}{extra}. Hint: {ex.hint}")
            if self.role == "instructor":
                raise ExerciseCheckError(f"{self.lesson} exercise {ex.number}: the solution is {verdict}{extra}")

    def banner(self) -> str:
        if self.role == "student":
            return (
                "**Student version.** Fill in each `answer_...` and run the check below it; it says whether "
                "your answer is right and gives a hint if it is not."
            )
        return "**Instructor version.** Solutions and their outputs are shown; every check has been run against them."
