"""The Met Gangs (Violence) Matrix, 2012-2024: size by snapshot, composition
as count intervals, every published change recomputed from the published
levels, flows in and out, the governance timeline, and the conflicts table.

Everything is built from data/claims.csv and two human decisions in
data/manual/: matrix_composition.csv (which figure describes which snapshot,
and which published count it is a share of) and conflicts.csv (the
disagreements numbered C1.. in the research notes, figures.md).

Counts behind rounded percentages were never published. A percentage of an
exact published count gives the whole counts consistent with it
(rounding.consistent_counts, the GRIM idea for percentages; methods.md 3.1);
a percentage of a rounded count, or a rounded percentage with a coarse
precision, gives an interval by exact interval arithmetic (methods.md 3.4),
and only the whole counts inside it are kept. Changes and verdicts use
fractions.Fraction throughout, so "31%" is tested exactly, not in floats.
"""

from __future__ import annotations

import calendar
import datetime as dt
import math
from decimal import Decimal
from fractions import Fraction

import pandas as pd

from police_lists.contract.paths import data_dir as _data_dir, display_path
from police_lists.contract.problems import ProblemError, problem
from police_lists.methods.formatting import count, exact_pct, exact_pct_span, span
from police_lists.methods.rounding import Interval, consistent_counts, half_up, point_count, rounds_to
from police_lists.readers import claims as claims_mod

COMPOSITION = "manual/matrix_composition.csv"
CONFLICTS = "manual/conflicts.csv"

# Claims giving the number of people on the Matrix, in date order (a human
# choice, like pima.FUNNEL). Both published peaks are kept as separate rows.
SIZE_CLAIMS = ["M2", "M3a", "M4a", "M5", "M6", "M7", "M8", "M9", "M10a", "M12a", "M13a", "M14a", "M16"]
END_CLAIM = "M18a"  # the Matrix ended; no headcount at closure was published
PEAKS = ("M6", "M7")

# Published changes in size: (change claim, from-level claim, to-level claim).
# Falls "from the peak" are recomputed from both published peaks (conflict C1).
CHANGES = [
    ("M10b", "M8", "M10a"),
    ("M12b", "M6", "M12a"), ("M12b", "M7", "M12a"),
    ("M14b", "M6", "M14a"), ("M14b", "M7", "M14a"),
    ("X19", "M6", "M16"), ("X19", "M7", "M16"),
    ("X20", "M6", "M16"), ("X20", "M7", "M16"),
]

# Additions and removals: (claim id, direction).
FLOWS = [
    ("M10b", "net fall"), ("E8a", "added"), ("H10a", "removed"), ("H10b", "removed"),
    ("M13b", "removed"), ("T6b", "removed"), ("M13c", "added"), ("H14", "removed"),
    ("M17a", "removed"), ("M17c", "removed"),
]

# Governance events for the timeline chart, in order.
TIMELINE = ["M1", "T1", "T2", "T4a", "T5a", "T5c", "X10", "X14", "X1", "T7", "T8", "T9", "T10", "T11", "T12", "T13"]


# ---------------------------------------------------------------- helpers

def date_span(text: str) -> tuple[dt.date, dt.date]:
    """First and last day an ISO date claim covers: '2019' -> the whole year,
    '2020-02' -> February, '2019/2020' -> both years."""
    first, _, last = text.partition("/")
    last = last or first

    def start(s):
        parts = [int(p) for p in s.split("-")]
        return dt.date(parts[0], parts[1] if len(parts) > 1 else 1, parts[2] if len(parts) > 2 else 1)

    def end(s):
        parts = [int(p) for p in s.split("-")]
        if len(parts) == 3:
            return dt.date(*parts)
        if len(parts) == 2:
            return dt.date(parts[0], parts[1], calendar.monthrange(parts[0], parts[1])[1])
        return dt.date(parts[0], 12, 31)

    return start(first), end(last)


def date_mid(text: str) -> dt.date:
    """Middle of the span a date claim covers (where a chart plots it)."""
    a, b = date_span(text)
    return a + (b - a) / 2


def whole_counts(iv: Interval) -> tuple[int, int] | None:
    """The whole numbers inside a closed interval, as (lowest, highest)."""
    lo, hi = math.ceil(iv.lo), math.floor(iv.hi)
    return (lo, hi) if lo <= hi else None


def pct_fall(start: Interval, end: Interval) -> Interval:
    """100 * (start - end) / start, exactly, over every value both allow.
    Written as 100 * (1 - end / start) so each range appears once and the
    interval arithmetic is tight (no dependency widening)."""
    return Interval.point(100) * (Interval.point(1) - end / start)


def _text(claim: pd.Series) -> str:
    return claims_mod.published_text(claim)


def _fits(claim: pd.Series, result: Interval, exact: bool, rounding_rule: str) -> bool:
    """Does a recomputed value (or range) give the published figure? An exact
    value must round to it; a range must meet the figure's own range."""
    rule = claims_mod.claim_rule(claim, rounding_rule)
    if exact and result.is_point:
        return rounds_to(result.lo, claim["value"], rule, claim["precision"] or None)
    return result.overlaps(claims_mod.claim_interval(claim, rounding_rule))


# -------------------------------------------------------------- snapshots

def snapshots(data_dir: str = "data") -> pd.DataFrame:
    """Matrix size by reference date, one row per published headcount (both
    August 2017 peaks), then the end of the Matrix, which has no headcount."""
    by_id = claims_mod.claims_by_id(data_dir)
    rows = []
    for cid in SIZE_CLAIMS + [END_CLAIM]:
        c = by_id[cid]
        iv = claims_mod.claim_interval(c)
        rows.append({
            "ref_date": c["ref_date"], "plot_date": date_mid(c["ref_date"]).isoformat(),
            "claim_id": cid, "measure": c["measure"],
            "published": _text(c) if iv is not None else "no headcount published",
            "size_low": "" if iv is None else int(iv.lo), "size_high": "" if iv is None else int(iv.hi),
            "rounding": c["rounding"], "source_id": c["source_id"], "evidence": c["evidence"],
            "is_peak": cid in PEAKS,
        })
    out = pd.DataFrame(rows)
    return out.sort_values(["plot_date", "claim_id"], kind="stable").reset_index(drop=True)


# ------------------------------------------------------------ composition

def load_composition(data_dir: str = "data") -> pd.DataFrame:
    return pd.read_csv(_data_dir(data_dir) / COMPOSITION, dtype=str, keep_default_na=False)


def count_interval(claim: pd.Series, base: pd.Series | None, rounding_rule: str) -> tuple[tuple[int, int] | None, str]:
    """Whole counts a published figure allows, and how they were found."""
    rule = claims_mod.claim_rule(claim, rounding_rule)
    if claim["unit"] == "count":
        iv = claims_mod.claim_interval(claim, rounding_rule)
        if iv.hi is None:
            return None, "a lower bound only"
        return whole_counts(iv), ("published count" if iv.is_point else f"rounded count ({claim['rounding']})")
    if base is None:
        return None, "base not published"
    if base["rounding"] == "exact" and rule in ("half_up", "truncate") and not claim["precision"]:
        ks = consistent_counts(claim["value"], int(base["value"]), rule)
        if len(ks) == 0:
            return None, f"no whole count of {_text(base)} gives {_text(claim)}"
        return (ks.start, ks.stop - 1), f"counts consistent with the percentage ({rule.replace('_', ' ')})"
    iv = claims_mod.claim_interval(claim, rounding_rule)
    if iv.hi is None or claims_mod.claim_interval(base).hi is None:
        return None, "an open-ended range only"
    counts = iv * claims_mod.claim_interval(base) / Interval.point(100)
    return whole_counts(counts), "interval arithmetic (the percentage or its base is approximate)"


def composition(data_dir: str = "data", rounding_rule: str = "half_up") -> pd.DataFrame:
    """One row per composition figure: its share range, its base and the whole
    counts it allows (empty when no base was published), with a point value
    (the nearest whole count to share x base, named as such)."""
    by_id = claims_mod.claims_by_id(data_dir)
    rows = []
    for _, r in load_composition(data_dir).iterrows():
        c = by_id[r["claim_id"]]
        base = by_id[r["base_claim_id"]] if r["base_claim_id"] else None
        counts, method = count_interval(c, base, rounding_rule)
        if c["unit"] == "percent":
            share = claims_mod.claim_interval(c, rounding_rule)
        elif base is not None and c["unit"] == "count" and counts is not None:
            share = Interval(Fraction(100 * counts[0]), Fraction(100 * counts[1])) / claims_mod.claim_interval(base)
        else:
            share = None
        point = ""
        if base is not None:
            if c["unit"] == "count":
                point = int(half_up(Fraction(c["value"])))
            else:
                point = point_count(c["value"], Fraction(base["value"]))
        rows.append({
            "snapshot": r["snapshot"], "ref_date": r["ref_date"], "dimension": r["dimension"], "category": r["category"],
            "claim_id": r["claim_id"], "published": _text(c),
            "share_low": "" if share is None or share.hi is None else float(share.lo),
            "share_high": "" if share is None or share.hi is None else float(share.hi),
            "base": f"{r['base_claim_id']}: {_text(base)}" if base is not None else "",
            "base_n": int(base["value"]) if base is not None and base["rounding"] == "exact" else "",
            "base_assumed": r["base_assumed"],
            "count_low": "" if counts is None else counts[0], "count_high": "" if counts is None else counts[1],
            "point_value": point, "count_method": method,
            "source_id": c["source_id"], "evidence": c["evidence"], "note": r["note"],
        })
    return pd.DataFrame(rows)


def profile(data_dir: str = "data", rounding_rule: str = "half_up", years=("2016", "2017", "2018")) -> pd.DataFrame:
    """The 2016-2018 profile reported by Amnesty and MOPAC (and the answers
    around it): the composition rows whose snapshot falls in those years."""
    comp = composition(data_dir, rounding_rule)
    return comp[comp["ref_date"].str[:4].isin(years)].reset_index(drop=True)


def profile_shares(table: pd.DataFrame, confidence: float = 0.95, method: str = "wilson") -> pd.DataFrame:
    """Share intervals for composition rows with an exact base, carried over
    every count the rounding allows (stats.envelope; methods.md 3.4). These
    are model-based intervals for process variability, not sampling error."""
    from police_lists.methods import stats

    rows = []
    for _, r in table.iterrows():
        if r["count_low"] == "" or r["base_n"] == "":
            continue  # no count, or a rounded base: no share interval to draw
        n = int(r["base_n"])
        env = stats.envelope(stats.share(k, n, confidence, method) for k in range(int(r["count_low"]), int(r["count_high"]) + 1))
        rows.append({"snapshot": r["snapshot"], "category": r["category"], "claim_id": r["claim_id"],
                     "published": r["published"], "base": n,
                     "share_low_over_range": int(r["count_low"]) / n, "share_high_over_range": int(r["count_high"]) / n,
                     "ci_low_over_range": env.low, "ci_high_over_range": env.high,
                     "ci_method": method, "confidence": confidence})
    return pd.DataFrame(rows)


# ---------------------------------------------------------------- changes

def changes(data_dir: str = "data", rounding_rule: str = "half_up") -> pd.DataFrame:
    """Every published change in size recomputed from the published levels,
    exactly; falls from the peak are tried against both peaks (C1)."""
    by_id = claims_mod.claims_by_id(data_dir)
    rows = []
    for change_id, from_id, to_id in CHANGES:
        c, a, b = by_id[change_id], by_id[from_id], by_id[to_id]
        ia, ib = claims_mod.claim_interval(a), claims_mod.claim_interval(b)
        exact = ia.is_point and ib.is_point
        if c["unit"] == "percent":
            result = pct_fall(ia, ib)
            shown = exact_pct_span(result, 2)
        else:
            result = ia - ib
            shown = span(result.lo, result.hi)
        fits = _fits(c, result, exact, rounding_rule)
        reading = f"fall from the peak as {_text(a)}" if from_id in PEAKS else "fall between two published levels"
        rows.append({
            "claim_id": change_id, "reading": reading, "published": _text(c), "from": f"{from_id}: {_text(a)}", "to": f"{to_id}: {_text(b)}",
            "recomputed": shown, "recomputed_low": float(result.lo), "recomputed_high": float(result.hi),
            "fits_published": fits, "source_id": c["source_id"],
        })
    rows.extend(_under18_change(by_id, rounding_rule))
    rows.extend(_removal_change(by_id, rounding_rule))
    rows.append(_one_year_change(by_id, rounding_rule))
    return pd.DataFrame(rows)


def under18_baseline(by_id: dict, rounding_rule: str) -> tuple[int, int]:
    """Whole under-18 counts in 2018 that '14% of 3,362' allows (A6a of M10a)."""
    ks = consistent_counts(by_id["A6a"]["value"], int(by_id["M10a"]["value"]), rounding_rule)
    return ks.start, ks.stop - 1


def _under18_change(by_id, rounding_rule) -> list[dict]:
    c, now = by_id["A8b"], int(by_id["A8a"]["value"])
    lo, hi = under18_baseline(by_id, rounding_rule)
    result = pct_fall(Interval(Fraction(lo), Fraction(hi)), Interval.point(now))
    return [{"claim_id": "A8b", "reading": "fall in under-18s from the 2018 count the rounding allows", "published": _text(c), "from": f"A6a x M10a: {span(lo, hi)} under-18s (2018)",
             "to": f"A8a: {count(now)}", "recomputed": exact_pct_span(result, 2),
             "recomputed_low": float(result.lo), "recomputed_high": float(result.hi),
             "fits_published": _fits(c, result, False, rounding_rule), "source_id": c["source_id"]}]


def removed_if_before(by_id: dict, rounding_rule: str) -> tuple[int, int]:
    """Whole removals '65% of 1,933' allows, taking 1,933 as the pre-removal list."""
    ks = consistent_counts(by_id["M17b"]["value"], int(by_id["M16"]["value"]), rounding_rule)
    return ks.start, ks.stop - 1


def _removal_change(by_id, rounding_rule) -> list[dict]:
    lo, hi = removed_if_before(by_id, rounding_rule)
    removed = Interval(Fraction(lo), Fraction(hi))
    rows = []
    for cid in ("M17a", "M17c"):
        c = by_id[cid]
        rows.append({"claim_id": cid, "reading": f"removals if the {_text(by_id['M17b'])} is of the {_text(by_id['M16'])} (conflict C2)", "published": _text(c),
                     "from": f"M17b x M16: {_text(by_id['M17b'])} of {_text(by_id['M16'])}",
                     "to": "removed in Nov 2022", "recomputed": span(lo, hi),
                     "recomputed_low": float(lo), "recomputed_high": float(hi),
                     "fits_published": _fits(c, removed, False, rounding_rule), "source_id": c["source_id"]})
    return rows


def _one_year_change(by_id, rounding_rule) -> dict:
    # Not a published change: the fall from May 2018, to show that the Feb 2020
    # "31%" is not a one-year fall (conflict C3).
    c = by_id["M12b"]
    result = pct_fall(claims_mod.claim_interval(by_id["M10a"]), claims_mod.claim_interval(by_id["M12a"]))
    return {"claim_id": "M12b", "reading": "read as a one-year fall from May 2018 (conflict C3)", "published": _text(c),
            "from": f"M10a: {_text(by_id['M10a'])}",
            "to": f"M12a: {_text(by_id['M12a'])}", "recomputed": exact_pct_span(result, 2),
            "recomputed_low": float(result.lo), "recomputed_high": float(result.hi),
            "fits_published": _fits(c, result, True, rounding_rule), "source_id": c["source_id"]}


# ------------------------------------------------------------------ flows

def flows(data_dir: str = "data") -> pd.DataFrame:
    """Published additions and removals, each with its window and source."""
    by_id = claims_mod.claims_by_id(data_dir)
    rows = []
    for cid, direction in FLOWS:
        c = by_id[cid]
        iv = claims_mod.claim_interval(c)
        rows.append({"claim_id": cid, "direction": direction, "measure": c["measure"], "published": _text(c),
                     "count_low": int(iv.lo), "count_high": "" if iv.hi is None else int(iv.hi),
                     "window": c["ref_date"], "source_id": c["source_id"], "evidence": c["evidence"]})
    return pd.DataFrame(rows)


def flow_reconciliation(data_dir: str = "data") -> pd.DataFrame:
    """Level arithmetic around the published flows: what the published levels
    and flows imply about the people they do not mention."""
    by_id = claims_mod.claims_by_id(data_dir)
    v = {k: int(by_id[k]["value"]) for k in ("M10a", "E8a", "H10a", "M12a", "M13a", "M13b", "M13c")}
    removed_total = v["M10a"] + v["E8a"] - v["M12a"]
    before_recent = v["M13a"] + v["M13b"] - v["M13c"]
    return pd.DataFrame([
        {"question": "people removed between the May 2018 list and the 2019 list, if the additions are the May 2018 to Oct 2019 additions",
         "expression": "M10a + E8a - M12a", "value": removed_total, "claims": "M10a E8a M12a"},
        {"question": "of whom not in the green-band reappraisal", "expression": "M10a + E8a - M12a - H10a",
         "value": removed_total - v["H10a"], "claims": "M10a E8a M12a H10a"},
        {"question": "list size before StopWatch's recent removals and additions", "expression": "M13a + M13b - M13c",
         "value": before_recent, "claims": "M13a M13b M13c"},
        {"question": "that level less the 2019 list", "expression": "M13a + M13b - M13c - M12a",
         "value": before_recent - v["M12a"], "claims": "M13a M13b M13c M12a"},
    ])


# --------------------------------------------------------------- timeline

def timeline(data_dir: str = "data") -> pd.DataFrame:
    """Governance events from the date claims, with the span each date covers."""
    by_id = claims_mod.claims_by_id(data_dir)
    rows = []
    for cid in TIMELINE:
        c = by_id[cid]
        a, b = date_span(c["value"])
        rows.append({"claim_id": cid, "event": c["measure"], "date": c["value"], "start": a.isoformat(),
                     "end": b.isoformat(), "source_id": c["source_id"], "evidence": c["evidence"]})
    return pd.DataFrame(rows).sort_values(["start", "end"], kind="stable").reset_index(drop=True)


# -------------------------------------------------------------- conflicts

def load_conflicts(data_dir: str = "data") -> pd.DataFrame:
    """data/manual/conflicts.csv, with every claim id checked against claims.csv."""
    path = _data_dir(data_dir) / CONFLICTS
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    known = set(claims_mod.load_claims(data_dir)["claim_id"])
    for i, row in enumerate(table.itertuples(index=False), start=2):
        for cid in row.claim_ids.split():
            if cid not in known:
                raise ProblemError([problem(display_path(path), i, "claim_ids", cid, "every claim id must be in claims.csv")])
    return table


def _c1(by_id, rule):
    peaks = {p: claims_mod.claim_interval(by_id[p]) for p in PEAKS}
    parts, fit_only = [], {p: [] for p in PEAKS}
    both = []
    for change_id, to_id in (("M12b", "M12a"), ("M14b", "M14a"), ("X19", "M16"), ("X20", "M16")):
        c, to = by_id[change_id], claims_mod.claim_interval(by_id[to_id])
        fits = {}
        shown = []
        for p, iv in peaks.items():
            fall = pct_fall(iv, to)
            fits[p] = _fits(c, fall, True, rule)
            shown.append(f"from {count(iv.lo)} {exact_pct(fall.lo, 1)} ({'fits' if fits[p] else 'does not fit'})")
        parts.append(f"{change_id} '{_text(c)}' to {_text(by_id[to_id])}: " + "; ".join(shown))
        if all(fits.values()):
            both.append(change_id)
        for p in PEAKS:
            if fits[p] and not all(fits.values()):
                fit_only[p].append(change_id)
    m8, m10a = claims_mod.claim_interval(by_id["M8"]), claims_mod.claim_interval(by_id["M10a"])
    oct17 = m10a + claims_mod.claim_interval(by_id["M10b"])
    gaps = [f"{count(peaks[p].lo - m8.lo)} above {by_id['M8']['claim_id']}" for p in PEAKS]
    digits = sum(x != y for x, y in zip(by_id["M6"]["value"], by_id["M7"]["value"]))
    parts.append(f"M10a + M10b: {count(m10a.lo)} + {_text(by_id['M10b'])} = {span(oct17.lo, oct17.hi)} "
                 f"(contains {count(peaks['M6'].lo)}: {oct17.contains(peaks['M6'].lo)}; "
                 f"contains {count(peaks['M7'].lo)}: {oct17.contains(peaks['M7'].lo)})")
    parts.append(f"the two peaks are {' and '.join(gaps)} ({by_id['M8']['ref_date']}); they differ in {digits} digit")
    p6, p7 = (count(peaks[p].lo) for p in PEAKS)
    split = f"The published falls split: {' and '.join(fit_only['M6']) or 'none'} fit only {p6}; " \
            f"{' and '.join(fit_only['M7']) or 'none'} fit only {p7}; {' and '.join(both) or 'none'} fit both. "
    if fit_only["M6"] and fit_only["M7"]:
        verdict = "unresolved"
        text = (split + "Whichever peak is taken, some published changes do not fit it, so the arithmetic cannot "
                f"choose; the two figures differ in {digits} digit only, which a transcription slip could explain.")
    else:
        winner = p6 if fit_only["M6"] else p7 if fit_only["M7"] else None
        verdict = f"resolved: the changes fit {winner}" if winner else "unresolved"
        text = split + (f"Every published change fits {winner}." if winner else "The changes do not separate the peaks.")

    return "; ".join(parts), verdict, text


def _c2(by_id, rule):
    lo, hi = removed_if_before(by_id, rule)
    n = int(by_id["M16"]["value"])
    p = claims_mod.claim_interval(by_id["M17b"], rule)
    m17a, m17c = by_id["M17a"], by_id["M17c"]
    ok_a = Interval(Fraction(lo), Fraction(hi)).overlaps(claims_mod.claim_interval(m17a))
    ok_c = Interval(Fraction(lo), Fraction(hi)).overlaps(claims_mod.claim_interval(m17c))
    # If 1,933 were the count AFTER removing 65%, the list before would be n / (1 - p).
    before_after = Interval.point(n) / (Interval.point(1) - p / Interval.point(100))
    peak = max(int(by_id[x]["value"]) for x in PEAKS)
    above_peak = before_after.lo > peak
    c_iv = claims_mod.claim_interval(m17c)
    # c / (n + c) = 1 / (1 + n / c): each range once, so the bounds are tight.
    share_if_after = Interval.point(100) / (Interval.point(1) + Interval.point(n) / c_iv)
    share_ok = share_if_after.overlaps(p)
    arithmetic = (f"before: {_text(by_id['M17b'])} of {count(n)} = {span(lo, hi)} removed, "
                  f"{span(n - hi, n - lo)} left; {_text(m17a)}: {'holds' if ok_a else 'fails'}; "
                  f"{_text(m17c)}: {'within rounding' if ok_c else 'fails'}. "
                  f"After: list before removal = {count(n)} / (1 - {_text(by_id['M17b'])}) = "
                  f"{span(math.ceil(before_after.lo), math.floor(before_after.hi))}, "
                  f"{'above' if above_peak else 'not above'} the higher peak {count(peak)}; "
                  f"{_text(m17c)} as a share of {count(n)} plus itself = {exact_pct_span(share_if_after, 1)}, "
                  f"{'meets' if share_ok else 'not'} {_text(by_id['M17b'])}")
    resolved = ok_a and ok_c and above_peak and not share_ok
    verdict = "resolved: 1,933 is the count before the removals" if resolved else "unresolved"
    text = (f"Read as the count before the removals, {_text(by_id['M17b'])} of {count(n)} is "
            f"{span(lo, hi)} people, which agrees with both '{_text(m17a)}' and '{_text(m17c)}', "
            f"leaving {span(n - hi, n - lo)} (derived, not published). Read as the count after, the list before "
            f"would have been {span(math.ceil(before_after.lo), math.floor(before_after.hi))}, more than the "
            f"all-time peak, and '{_text(m17c)}' would be only {exact_pct_span(share_if_after, 1)} of it. "
            f"The review ({by_id['T10']['value']}) also predates the settlement ({by_id['T11']['value']}).")
    return arithmetic, verdict, text


def _c3(by_id, rule):
    a, b = int(by_id["M12a"]["value"]), int(by_id["M13a"]["value"])
    one_year = pct_fall(claims_mod.claim_interval(by_id["M10a"]), Interval.point(a))
    fits_one_year = _fits(by_id["M12b"], one_year, True, rule)
    before = b + int(by_id["M13b"]["value"]) - int(by_id["M13c"]["value"])
    arithmetic = (f"M12a - M13a = {count(a - b)}; M10a to M12a = {exact_pct(one_year.lo, 1)} "
                  f"({'fits' if fits_one_year else 'does not fit'} {_text(by_id['M12b'])}); "
                  f"M13a + M13b - M13c = {count(before)} (not {count(a)})")
    verdict = ("resolved: different snapshots (dates not pinned)" if before != a
               else "consistent: the recent flows lead from one count to the other")
    text = (f"The counts differ by {count(a - b)}. Adding back StopWatch's recent removals and taking off its "
            f"additions gives {count(before)}, not {count(a)}, so the two reports do not start from the same "
            f"list; {count(a)} uses data to {by_id['X15']['value']}. The '{_text(by_id['M12b'])}' is not a one-year "
            f"fall ({by_id['M10a']['ref_date']} to {by_id['M12a']['ref_date']} is {exact_pct(one_year.lo, 1)}); it fits a fall from "
            f"the {by_id['M7']['ref_date']} peak (see C1).")
    return arithmetic, verdict, text


def _c4(by_id, rule):
    ids = ["E1a", "E2a", "E3b", "E5", "E7a", "E11b", "E12"]
    ivs = {i: claims_mod.claim_interval(by_id[i], rule) for i in ids}
    lo = min(ids, key=lambda i: Decimal(by_id[i]["value"]))
    hi = max(ids, key=lambda i: Decimal(by_id[i]["value"]))
    span_lo = min(v.lo for v in ivs.values())
    span_hi = max(v.hi for v in ivs.values())
    disjoint = [(i, j) for k, i in enumerate(ids) for j in ids[k + 1:] if not ivs[i].overlaps(ivs[j])]
    bame14 = claims_mod.claim_interval(by_id["E1a"], rule) + claims_mod.claim_interval(by_id["E1b"], rule)
    arithmetic = ("Black share by snapshot: " + "; ".join(f"{i} {by_id[i]['ref_date']} {_text(by_id[i])}" for i in ids)
                  + f"; BAME in Oct 2014 = E1a + E1b = {exact_pct_span(bame14, 2)}; pairs that cannot be equal: {len(disjoint)}")
    verdict = "resolved: different snapshots"
    text = (f"The published Black share runs from {_text(by_id[lo])} ({lo}) to {_text(by_id[hi])} ({hi}) across "
            f"{len(ids)} snapshots (rounding allows {exact_pct(span_lo, 1)} to {exact_pct(span_hi, 1)}); "
            f"{len(disjoint)} pairs cannot describe the same list, which is expected of different dates. "
            "Each share is reported with its own snapshot date in the composition tables.")
    return arithmetic, verdict, text


def _c5(by_id, rule):
    b18, b19, bbc = (claims_mod.claim_interval(by_id[i], rule) for i in ("E8b", "E8c", "E9a"))
    same_2019 = bbc.overlaps(b19)
    same_2018 = bbc.overlaps(b18)
    arithmetic = (f"E9a {_text(by_id['E9a'])} ({exact_pct_span(bbc, 1)}) against E8c {_text(by_id['E8c'])} for 2019 "
                  f"({exact_pct_span(b19, 1)}): {'overlap' if same_2019 else 'no overlap'}; against E8b {_text(by_id['E8b'])} "
                  f"for 2018: {'overlap' if same_2018 else 'no overlap'}")
    verdict = "inconsistent as labelled; consistent if the BBC's year is 2018" if (same_2018 and not same_2019) else "unresolved"
    text = (f"Additions in one year cannot be both {_text(by_id['E9a'])} and {_text(by_id['E8c'])} BAME. "
            f"The BBC's figure equals the Mayor's {by_id['E8b']['ref_date']} value, so its year label is the likely slip; "
            f"the BBC copy seen is a mirror (evidence {by_id['E9a']['evidence']}).")
    return arithmetic, verdict, text


def _c6(by_id, rule):
    a, b = claims_mod.claim_interval(by_id["A5b"], rule), claims_mod.claim_interval(by_id["A7a"], rule)
    n = int(by_id["M10a"]["value"])
    ka = consistent_counts(by_id["A5b"]["value"], n, rule)
    kb = consistent_counts(by_id["A7a"]["value"], n, rule)
    overlap = a.overlaps(b)
    arithmetic = (f"A5b {_text(by_id['A5b'])} = {exact_pct_span(a, 1)}; A7a {_text(by_id['A7a'])} = {exact_pct_span(b, 1)}: "
                  f"{'overlap' if overlap else 'no overlap'}; of {count(n)} they would be "
                  f"{span(ka.start, ka.stop - 1)} and {span(kb.start, kb.stop - 1)} people")
    verdict = "unresolved: cannot describe the same list" if not overlap else "consistent within rounding"
    text = (f"No single list can be both {_text(by_id['A5b'])} and {_text(by_id['A7a'])} under 25. The MOPAC review "
            "describes its own review data, whose size and date were not published; the Mayor's figure is for "
            f"{by_id['A7a']['ref_date']}. They are probably different bases.")
    return arithmetic, verdict, text


def _c7(by_id, rule):
    a1, x21 = claims_mod.claim_interval(by_id["A1"], rule), claims_mod.claim_interval(by_id["X21"], rule)
    gap = a1 - x21
    arithmetic = (f"if both held, the share in the wider band only would be A1 - X21 = at most {exact_pct(gap.hi, 1)}; "
                  f"A2 gives {_text(by_id['A2'])} under 18 and A3 a youngest age of {by_id['A3']['value']}")
    verdict = "unresolved (probably a transcription slip)"
    text = (f"Both can hold only if at most {exact_pct(gap.hi, 1)} of the list were in the ages the wider band has and "
            f"the narrower lacks, while "
            f"{_text(by_id['A2'])} were under 18 and the youngest was {by_id['A3']['value']}. The report's age table "
            "would settle it; the replication uses the band in the primary reports (A1).")
    return arithmetic, verdict, text


def _c8(by_id, rule):
    h1a, h2 = claims_mod.claim_interval(by_id["H1a"], rule), claims_mod.claim_interval(by_id["H2"], rule)
    counts = claims_mod.claim_interval(by_id["H1a"], rule) * claims_mod.claim_interval(by_id["M9"]) / Interval.point(100)
    cz = whole_counts(counts)
    h1b = claims_mod.claim_interval(by_id["H1b"])
    ks = consistent_counts(by_id["H2"]["value"], int(by_id["M8"]["value"]), rule)
    arithmetic = (f"H1a {_text(by_id['H1a'])} = {exact_pct_span(h1a, 1)} and H2 {_text(by_id['H2'])} = {exact_pct_span(h2, 1)}: "
                  f"{'overlap' if h1a.overlaps(h2) else 'no overlap'}; H1a of M9 {_text(by_id['M9'])} = "
                  f"{span(*cz)} people, H1b {_text(by_id['H1b'])} = {span(int(h1b.lo), int(h1b.hi))}: "
                  f"{'overlap' if counts.overlaps(h1b) else 'no overlap'}; H2 of M8 {_text(by_id['M8'])} = "
                  f"{span(ks.start, ks.stop - 1)} people")
    verdict = ("consistent in value; definition unresolved" if h1a.overlaps(h2) and counts.overlaps(h1b)
               else "inconsistent in value")
    text = (f"The numbers agree ({span(*cz)} people with a zero harm score against {span(ks.start, ks.stop - 1)} "
            "with no violent offence in two years), but a zero harm score and no recent violent offence are different "
            "definitions. Whether Amnesty reported one statistic or two needs the report's own text.")
    return arithmetic, verdict, text


def _c9(by_id, rule):
    list_share = claims_mod.claim_interval(by_id["E5"], rule)
    options = [("BM9", "27% 'responsible for'"), ("BM11e", "City Hall attackers"), ("BM10a", "MOPAC lowest offence type"),
               ("BM10b", "MOPAC highest offence type")]
    same = {i: by_id[i]["value"] for i in ("BM9", "BM9b", "BM9c")}
    parts, ratios = [], []
    for cid, label in options:
        bench = claims_mod.claim_interval(by_id[cid], rule)
        r = list_share / bench
        ratios.append(r)
        point = Fraction(by_id["E5"]["value"]) / Fraction(by_id[cid]["value"])
        parts.append(f"E5 / {cid} ({_text(by_id[cid])}) = {half_up(point, 2)} (rounding range {half_up(r.lo, 2)}–{half_up(r.hi, 2)})")
    arithmetic = f"BM9, BM9b, BM9c all print {', '.join(sorted(set(same.values())))}%; " + "; ".join(parts)
    verdict = "unresolved: one value, three definitions"
    lo = min(r.lo for r in ratios)
    hi = max(r.hi for r in ratios)
    text = (f"The three descriptions print the same value, so the arithmetic cannot tell them apart. The choice matters: "
            f"the Black share of the Matrix ({_text(by_id['E5'])}) is between {half_up(lo, 2)} and {half_up(hi, 2)} times "
            "the benchmark depending on which offending benchmark is used.")
    return arithmetic, verdict, text


def _c10(by_id, rule):
    k, n = int(by_id["H11b"]["value"]), int(by_id["M13a"]["value"])
    share = Fraction(100 * k, n)
    two_thirds = Fraction(200, 3)
    arithmetic = f"H11b / M13a = {count(k)} / {count(n)} = {exact_pct(share, 2)}; two thirds = {exact_pct(two_thirds, 2)}"
    verdict = "loose wording; the published counts stand"
    text = (f"{count(k)} of {count(n)} is {exact_pct(share, 1)}, {exact_pct(two_thirds - share, 1)[:-1]} points short "
            "of two thirds; the counts are the figures to use.")
    return arithmetic, verdict, text


VERDICTS = {"C1": _c1, "C2": _c2, "C3": _c3, "C4": _c4, "C5": _c5, "C6": _c6, "C7": _c7, "C8": _c8, "C9": _c9,
            "C10": _c10}


def conflicts(data_dir: str = "data", rounding_rule: str = "half_up") -> pd.DataFrame:
    """The conflicts table: the human description from conflicts.csv, the
    arithmetic computed here, and a verdict (or 'unresolved' with what would
    settle it). Every number in the arithmetic and verdict text is computed."""
    by_id = claims_mod.claims_by_id(data_dir)
    rows = []
    for _, r in load_conflicts(data_dir).iterrows():
        fn = VERDICTS.get(r["conflict_id"])
        if fn is None:
            arithmetic, verdict, text = "", "unresolved", "No arithmetic bears on it."
        else:
            arithmetic, verdict, text = fn(by_id, rounding_rule)
        rows.append({
            "conflict_id": r["conflict_id"], "title": r["title"], "claim_ids": r["claim_ids"],
            "sources": " ".join(sorted({by_id[c]["source_id"] for c in r["claim_ids"].split()})),
            "what_disagrees": r["what_disagrees"], "arithmetic": arithmetic, "verdict": verdict,
            "explanation": text, "would_settle": r["would_settle"] if "unresolved" in verdict else "",
        })
    return pd.DataFrame(rows)


def sources_table(data_dir: str = "data") -> pd.DataFrame:
    from police_lists.analyses import pima

    return pima.sources_table(data_dir, "matrix")


def attach_status(table: pd.DataFrame, ledger: pd.DataFrame) -> pd.DataFrame:
    """Add each claim's ledger status and reason (analyses.ledger.build_ledger) to a table keyed by claim_id."""
    status = ledger[["claim_id", "status", "reason"]].rename(columns={"status": "ledger_status", "reason": "ledger_reason"})
    return table.merge(status, on="claim_id", how="left", validate="many_to_one")


def status_counts(ledger: pd.DataFrame) -> dict[str, int]:
    """How many claims have each ledger status, in the order of strength."""
    from police_lists.contract.standards import STATUSES

    tally = ledger["status"].value_counts()
    return {s: int(tally.get(s, 0)) for s in STATUSES}


# Labels used by the profile appendix (kept here so prose never types them).
AMNESTY_SNAPSHOT = "Amnesty report (Oct 2017 list)"
