"""Teaching pack: the exercise checks (the build is pipeline.teaching).

Each lesson in notebooks/teaching/ is ONE parameterised notebook. Its cells
are tagged:
  "exercise"  the blank student version of an answer (``answer_1 = None``);
              its cell metadata "exercise" holds the exercise's check, written
              once, next to the exercise: number, kind (number, count_range,
              interval, choice), tolerance, shape, hint, and the reference
              answer as a recipe call over claim ids (RECIPES below), e.g.
              "counts_fitting('<percentage claim>', '<count claim>')";
  "solution"  the code that solves it (``answer_1 = ...``).
A check cell calls ``check.exercise_1(answer_1)``; the check compares the
answer with the reference its recipe computes from data/ (claims by id, census
tables), never a typed number, and prints whether it is right, with the hint.
No claim id is written in this module: the notebooks name them.

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

import ast
import json
import numbers
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pandas as pd

from police_lists.analyses import pima
from police_lists.contract.paths import IN_REPOSITORY, notebooks_dir, packaged
from police_lists.contract.paths import data_dir as data_folder
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


def peak_fits(change_claim: str, after_claim: str, peaks: tuple[str, ...], data_dir: str = "data") -> list[str]:
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


def ages_in(claim_id: str, data_dir: str = "data") -> tuple[int, int]:
    """The age band a claim is about ('aged X to Y' in its measure text)."""
    m = re.search(r"aged (\d+) to (\d+)", claim(claim_id, data_dir)["measure"])
    if not m:
        raise ValueError(f"claim {claim_id}: no 'aged X to Y' in its measure text")
    return int(m[1]), int(m[2])


def impossible_one_decimal_percentages(n: int) -> int:
    """How many of the percentages 0.0, 0.1, ..., 100.0 no whole count out of n
    can produce under half-up rounding (GRIM for percentages, methods.md 3)."""
    steps = range(0, 1001)
    return sum(1 for s in steps if len(consistent_counts(str(Decimal(s).scaleb(-1)), n)) == 0)


def black_share_by_age_2021(data_dir: str = "data", max_age: int = 40) -> pd.DataFrame:
    """Black share of Londoners at each single year of age, 2021 Census (rounded table)."""
    t = census.census_2021_by_age_in(census.LONDON, data_dir)
    t = t[t["age"] <= max_age].copy()
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
    """Point value for the Black count on the Pima list (the list's Black share, pima.list_claims)."""
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
    files = sorted(data_folder(data_dir).glob(SYNTHETIC_GLOB))
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


# --- reference answers ------------------------------------------------------
# An exercise's reference answer is named in its notebook, next to the exercise,
# as a call of one of these recipes with claim ids as arguments, e.g.
# "literal_count('<percentage claim>', '<count claim>')". Each recipe computes
# the answer from data/ (never a typed number); none knows a claim id.


def _census_share(data_dir: str, ages: tuple[int, int] | tuple = ()) -> float:
    black, everyone = census.group_count(2021, census.LONDON, "Black", *ages, data_dir=data_dir)
    return black / everyone


def _at_point(percent_claim: str, count_claim: str, data_dir: str) -> tuple[int, int]:
    return point_count(percent_claim, data_dir), count(count_claim, data_dir)


RECIPES: dict[str, Callable[..., Any]] = {
    # a published percentage of a published count, taken literally (a fraction of a person)
    "literal_count": lambda pct, n, *, data_dir: float(Decimal(value(pct, data_dir)) * count(n, data_dir) / 100),
    # every whole count the printed percentage allows, under a rounding rule
    "counts_fitting": lambda pct, n, rule="half_up", *, data_dir: consistent_counts(
        value(pct, data_dir), count(n, data_dir), rule
    ),
    # how many whole counts fit the same percentage printed with one more decimal place
    "counts_fitting_one_more_decimal": lambda pct, n, *, data_dir: len(
        consistent_counts(one_more_decimal(value(pct, data_dir)), count(n, data_dir))
    ),
    # the share at the point value, with its interval (stats.share)
    "share_interval": lambda pct, n, *, data_dir: stats.share(*_at_point(pct, n, data_dir)),
    # list share at the point value over a published benchmark share
    "share_ratio": lambda pct, n, bench, *, data_dir: (
        stats.disproportionality_ratio(*_at_point(pct, n, data_dir), share(bench, data_dir)).value
    ),
    # rate ratio of the group against everyone else, London's 2021 population
    "rate_ratio_vs_rest": lambda pct, n, bench, *, data_dir: (
        stats.group_vs_rest_rate_ratio(
            *_at_point(pct, n, data_dir),
            stats.benchmark_group_count(share(bench, data_dir), london_population_2021(data_dir)),
            london_population_2021(data_dir),
        ).value
    ),
    # a multiple-choice answer
    "choice": lambda letter, *, data_dir: letter,
    # Black share of Londoners (2021 Census) in the age band a claim is about
    "census_share_in_ages": lambda ages_claim, *, data_dir: _census_share(data_dir, ages_in(ages_claim, data_dir)),
    # a published share over the Black share of all Londoners (2021 Census)
    "ratio_to_census": lambda pct, *, data_dir: share(pct, data_dir) / _census_share(data_dir),
    # a published share over the Black share of Londoners in the age band a claim is about
    "ratio_to_census_in_ages": lambda pct, ages_claim, *, data_dir: (
        share(pct, data_dir) / _census_share(data_dir, ages_in(ages_claim, data_dir))
    ),
    # one published share over another
    "ratio": lambda a, b, *, data_dir: share(a, data_dir) / share(b, data_dir),
    # percentage fall from one published count to another
    "fall": lambda before, after, *, data_dir: percent_change(count(before, data_dir), count(after, data_dir)),
    # which of the rival counts gives the published fall: one of them, 'both' or 'neither'
    "peak_fit": lambda change, after, *peaks, data_dir: _fits_text(peak_fits(change, after, peaks, data_dir)),
    # how many one-decimal percentages no whole count out of a published count can produce
    "impossible_one_decimal": lambda n, *, data_dir: impossible_one_decimal_percentages(count(n, data_dir)),
}


def _fits_text(fits: list[str]) -> str:
    return {0: "neither", 2: "both"}.get(len(fits), fits[0] if fits else "neither")


def parse_recipe(text: str) -> tuple[str, tuple, dict]:
    """'name(arg, ..., key=value)' with literal arguments -> (name, args, kwargs); ValueError otherwise."""
    try:
        call = ast.parse(text.strip(), mode="eval").body
        if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Name) and call.func.id in RECIPES):
            raise ValueError
        args = tuple(ast.literal_eval(a) for a in call.args)
        kwargs = {k.arg: ast.literal_eval(k.value) for k in call.keywords}
    except (SyntaxError, ValueError) as exc:
        raise ValueError(f"answer {text!r}: expected one of {sorted(RECIPES)} called with literal arguments") from exc
    return call.func.id, args, kwargs


# --- exercises, as written in the lesson notebooks --------------------------

EXERCISE_TAG = "exercise"  # cell tag, and the cell-metadata key holding the exercise's check
SPEC_FILE = "exercises.json"  # in the classroom wheel: every lesson's exercises, read from the notebooks
KINDS = ("number", "count_range", "interval", "choice")


@dataclass(frozen=True)
class Exercise:
    """One exercise, as its notebook states it in the metadata of its `exercise` cell:
    the reference `answer` (a recipe call), how to compare (`kind`, `tolerance`), what an
    answer looks like (`shape`), and the `hint` students see (never the answer)."""

    number: int
    kind: str
    answer: str
    hint: str
    tolerance: float = 0.0
    shape: str = ""

    @classmethod
    def from_metadata(cls, where: str, meta: dict) -> Exercise:
        try:
            ex = cls(
                number=int(meta["number"]),
                kind=str(meta["kind"]),
                answer=str(meta["answer"]),
                hint=str(meta["hint"]),
                tolerance=float(meta.get("tolerance", 0.0)),
                shape=str(meta.get("shape", "")),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"{where}: exercise metadata needs number, kind, answer, hint ({exc})") from None
        if ex.kind not in KINDS:
            raise ValueError(f"{where}: exercise {ex.number}: kind {ex.kind!r} is not one of {KINDS}")
        parse_recipe(ex.answer)
        return ex

    def expected(self, data_dir: str = "data"):
        name, args, kwargs = parse_recipe(self.answer)
        return RECIPES[name](*args, **kwargs, data_dir=data_dir)


def exercises_in(nb: dict, where: str = "notebook") -> dict[int, Exercise]:
    """Exercise number -> Exercise, from the `exercise` cells of a notebook (a dict or nbformat node)."""
    found: dict[int, Exercise] = {}
    for cell in nb["cells"]:
        meta = cell.get("metadata", {})
        if EXERCISE_TAG in meta.get("tags", []):
            if EXERCISE_TAG not in meta:
                raise ValueError(f"{where}: an exercise cell has no exercise metadata (number, kind, answer, hint)")
            ex = Exercise.from_metadata(where, meta[EXERCISE_TAG])
            if ex.number in found:
                raise ValueError(f"{where}: exercise {ex.number} is defined twice")
            found[ex.number] = ex
    return found


def lesson_notebooks() -> dict[str, Path]:
    """Lesson name -> its notebook in the repository (notebooks/teaching/)."""
    return {p.stem: p for p in sorted((notebooks_dir() / "teaching").glob("lesson*.ipynb"))}


def all_exercises() -> dict[str, dict[int, Exercise]]:
    """Every lesson's exercises: read from the lesson notebooks in the repository, or, installed
    from the classroom wheel, from the copy the bundle build packaged (exercises.json)."""
    if IN_REPOSITORY:
        return {
            name: exercises_in(json.loads(path.read_text(encoding="utf-8")), path.name)
            for name, path in lesson_notebooks().items()
        }
    spec = packaged("teaching", SPEC_FILE)
    if spec is None:
        raise FileNotFoundError("police_lists was installed without the classroom data (teaching/exercises.json)")
    return {
        lesson: {int(n): Exercise(**fields) for n, fields in items.items()}
        for lesson, items in json.loads(spec.read_text(encoding="utf-8")).items()
    }


def lesson_exercises(lesson: str) -> dict[int, Exercise]:
    everything = all_exercises()
    if lesson not in everything:
        raise KeyError(f"no lesson {lesson!r}; known: {sorted(everything)}")
    return everything[lesson]


def expected(lesson: str, number: int, data_dir: str = "data"):
    """The reference answer to one exercise, computed from data_dir."""
    return _exercise(lesson, number).expected(data_dir)


def _exercise(lesson: str, number: int) -> Exercise:
    exercises = lesson_exercises(lesson)
    if number not in exercises:
        raise KeyError(f"{lesson} has no exercise {number}")
    return exercises[number]


# --- judging ---------------------------------------------------------------


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


def show(x) -> str:
    """An answer written for people: '459 to 466', '0.6095 (interval 0.5743 to 0.6436)', '4.6934'."""
    if isinstance(x, range):
        return f"{x.start:,} to {x.stop - 1:,}" if len(x) else "none"
    if hasattr(x, "low") and hasattr(x, "high"):
        return f"{x.value:.4f} (interval {x.low:.4f} to {x.high:.4f})"
    if isinstance(x, float):
        return f"{x:,.4f}"
    if isinstance(x, int) and not isinstance(x, bool):
        return f"{x:,}"
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
    if not isinstance(answer, str):  # choice
        return WRONG, f"expected {ex.shape}"
    return (RIGHT if answer.strip().lower() == str(reference).lower() else WRONG), ""


# --- answers carried out of a kernel (grading) ------------------------------


def plain(answer):
    """An answer as JSON-able data that from_plain() turns back into something judge() reads:
    numbers, text and None as they are; a range, an interval (low/high) or a pair tagged."""
    if answer is None or isinstance(answer, (bool, str)):
        return answer
    if _is_number(answer):
        return float(answer) if not isinstance(answer, numbers.Integral) else int(answer)
    if isinstance(answer, range):
        return {"range": [answer.start, answer.stop]}
    if hasattr(answer, "low") and hasattr(answer, "high") and _is_number(answer.low) and _is_number(answer.high):
        return {"interval": [float(answer.low), float(answer.high)]}
    if isinstance(answer, (tuple, list)) and len(answer) == 2 and all(_is_number(x) for x in answer):
        return {"pair": [float(x) for x in answer]}
    return {"type": type(answer).__name__}


def from_plain(value):
    if not isinstance(value, dict):
        return value
    if "range" in value:
        return range(int(value["range"][0]), int(value["range"][1]))
    if "pair" in value:
        return tuple(value["pair"])
    if "interval" in value:
        low, high = value["interval"]
        return SimpleNamespace(value=(low + high) / 2, low=low, high=high)
    # an answer of a type no exercise accepts: an object of a class of that name (judge names it)
    return type(str(value.get("type", "object"))[:40] or "object", (), {})()


def answers_json(namespace: dict, numbers_: list[int]) -> str:
    """The answer_N variables of a kernel as one JSON line (what the grader reads)."""
    return json.dumps({str(n): plain(namespace.get(f"answer_{n}")) for n in numbers_})


# --- the checker a lesson calls -----------------------------------------------


class Checker:
    """What a lesson calls: ``check = teaching.Checker(lesson, role, data_dir)``,
    then ``check.exercise_1(answer_1)``.

    Prints "Exercise N: right", "not right yet" or "not answered yet", with a
    hint when it is not right. The hint never contains the answer. In the
    instructor role anything but "right" raises ExerciseCheckError."""

    def __init__(self, lesson: str, role: str = "student", data_dir: str = "data"):
        if role not in ROLES:
            raise ValueError(f"role must be one of {ROLES}; got {role!r}")
        self.exercises = lesson_exercises(lesson)
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
            print(f"Exercise {ex.number}: right. Reference answer: {show(reference)}")
        else:
            extra = f" ({detail})" if detail else ""
            print(f"Exercise {ex.number}: {verdict}{extra}. Hint: {ex.hint}")
            if self.role == "instructor":
                raise ExerciseCheckError(f"{self.lesson} exercise {ex.number}: the solution is {verdict}{extra}")

    def banner(self) -> str:
        if self.role == "student":
            return (
                "**Student version.** Write each answer where the notebook says `answer_... = None` and run the "
                "check below it; it says whether your answer is right and gives a hint if it is not."
            )
        return "**Instructor version.** Solutions and their outputs are shown; every check has been run against them."
