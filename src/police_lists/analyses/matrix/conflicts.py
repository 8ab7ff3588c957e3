"""The conflicts table: the disagreements between published figures (the
Gangs Matrix's, and Operation Pima's, whose comparisons live in
analyses.pima), each tested by arithmetic.

Two human decisions in data/manual/: conflicts.csv (the disagreements numbered
as in the research notes, figures.md, with what would settle each) and
conflict_inputs.csv (which comparison tests each one, and which claims play
which role in it). The comparison's arithmetic, verdict and explanation are
computed here; every number in them comes from the claims.
"""

from __future__ import annotations

import math
from decimal import Decimal
from fractions import Fraction

import pandas as pd

from police_lists.analyses.matrix.changes import _fits, pct_fall, removed_if_before
from police_lists.analyses.matrix.composition import whole_counts
from police_lists.analyses.matrix.snapshots import date_span
from police_lists.analyses.pima import PIMA_COMPARISONS
from police_lists.contract.paths import data_dir as _data_dir
from police_lists.contract.paths import display_path
from police_lists.contract.problems import ProblemError, problem
from police_lists.methods.formatting import count, exact_pct, exact_pct_span, span
from police_lists.methods.rounding import Interval, consistent_counts, half_up, rounds_to
from police_lists.readers import claims as claims_mod
from police_lists.readers.manual import read_manual

CONFLICTS = "manual/conflicts.csv"
_text = claims_mod.published_text
_iv = claims_mod.claim_interval


def load_conflicts(data_dir: str = "data") -> pd.DataFrame:
    """data/manual/conflicts.csv, with every claim id checked against claims.csv."""
    path = _data_dir(data_dir) / CONFLICTS
    table = read_manual("conflicts", data_dir)
    known = set(claims_mod.claims_by_id(data_dir))
    for i, row in enumerate(table.itertuples(index=False), start=2):
        for cid in row.claim_ids.split():
            if cid not in known:
                raise ProblemError(
                    [problem(display_path(path), i, "claim_ids", cid, "every claim id must be in claims.csv")]
                )
    return table


class Inputs:
    """The claims one conflict's comparison uses, by role (conflict_inputs.csv)."""

    def __init__(self, rows: pd.DataFrame, conflict_of: dict[str, str], assumed: dict | None = None, data_dir="data"):
        self.rows = rows
        self.conflict_of = conflict_of  # comparison -> conflict id, for cross references
        self.assumed = assumed or {}  # claim id -> kind of assumption (data/manual/assumptions.csv)
        self.data_dir = data_dir

    def all(self, role: str) -> list[str]:
        return list(self.rows.loc[self.rows["role"] == role, "claim_id"])

    def one(self, role: str) -> str:
        (found,) = self.all(role)
        return found

    def pairs(self, role: str) -> list[tuple[str, str]]:
        sel = self.rows[self.rows["role"] == role]
        return list(zip(sel["claim_id"], sel["paired_claim_id"]))


def peak_size(by_id, rule, inp: Inputs):
    peak_ids = inp.all("peak")
    first, second = peak_ids
    peaks = {p: _iv(by_id[p]) for p in peak_ids}
    parts, fit_only = [], {p: [] for p in peak_ids}
    both = []
    for change_id, to_id in inp.pairs("fall"):
        c, to = by_id[change_id], _iv(by_id[to_id])
        fits = {}
        shown = []
        for p, iv in peaks.items():
            fall = pct_fall(iv, to)
            fits[p] = _fits(c, fall, True, rule)
            shown.append(f"from {count(iv.lo)} {exact_pct(fall.lo, 1)} ({'fits' if fits[p] else 'does not fit'})")
        parts.append(f"{change_id} '{_text(c)}' to {_text(by_id[to_id])}: " + "; ".join(shown))
        if all(fits.values()):
            both.append(change_id)
        for p in peak_ids:
            if fits[p] and not all(fits.values()):
                fit_only[p].append(change_id)
    snap, later, change = inp.one("snapshot"), inp.one("later_level"), inp.one("later_change")
    m8, m10a = _iv(by_id[snap]), _iv(by_id[later])
    oct17 = m10a + _iv(by_id[change])
    gaps = [f"{count(peaks[p].lo - m8.lo)} above {by_id[snap]['claim_id']}" for p in peak_ids]
    digits = sum(x != y for x, y in zip(by_id[first]["value"], by_id[second]["value"]))
    parts.append(
        f"{later} + {change}: {count(m10a.lo)} + {_text(by_id[change])} = {span(oct17.lo, oct17.hi)} "
        f"(contains {count(peaks[first].lo)}: {oct17.contains(peaks[first].lo)}; "
        f"contains {count(peaks[second].lo)}: {oct17.contains(peaks[second].lo)})"
    )
    parts.append(f"the two peaks are {' and '.join(gaps)} ({by_id[snap]['ref_date']}); they differ in {digits} digit")
    p6, p7 = (count(peaks[p].lo) for p in peak_ids)
    split = (
        f"The published falls split: {' and '.join(fit_only[first]) or 'none'} fit only {p6}; "
        f"{' and '.join(fit_only[second]) or 'none'} fit only {p7}; {' and '.join(both) or 'none'} fit both. "
    )
    falls = dict(inp.pairs("fall"))
    named = []
    for cid, peak in inp.pairs("source_peak"):
        if not _fits(by_id[cid], pct_fall(_iv(by_id[peak]), _iv(by_id[falls[cid]])), True, rule):
            named.append(f"{cid}'s own source prints the peak as {count(_iv(by_id[peak]).lo)} ({peak}) beside it")
    if named:
        split += "; ".join(named) + ", so its fit to the other peak is arithmetic only. "
    if fit_only[first] and fit_only[second]:
        verdict = "unresolved"
        text = (
            split + "Whichever peak is taken, some published changes do not fit it, so the arithmetic cannot "
            f"choose; the two figures differ in {digits} digit only, which a transcription slip could explain."
        )
    else:
        winner = p6 if fit_only[first] else p7 if fit_only[second] else None
        verdict = "resolved: every published change fits the same peak" if winner else "unresolved"
        text = split + (
            f"Every published change fits {winner}." if winner else "The changes do not separate the peaks."
        )

    return "; ".join(parts), verdict, text


def count_timing(by_id, rule, inp: Inputs):
    lo, hi = removed_if_before(by_id, rule)
    total, share = by_id[inp.one("count")], by_id[inp.one("share_removed")]
    n = int(total["value"])
    p = _iv(share, rule)
    m17a, m17c = by_id[inp.one("removed_more_than")], by_id[inp.one("removed_about")]
    ok_a = Interval(Fraction(lo), Fraction(hi)).overlaps(_iv(m17a))
    ok_c = Interval(Fraction(lo), Fraction(hi)).overlaps(_iv(m17c))
    # If the count were the count AFTER removing the share, the list before would be n / (1 - p).
    before_after = Interval.point(n) / (Interval.point(1) - p / Interval.point(100))
    peak = max(int(by_id[x]["value"]) for x in inp.all("peak"))
    above_peak = before_after.lo > peak
    c_iv = _iv(m17c)
    # c / (n + c) = 1 / (1 + n / c): each range once, so the bounds are tight.
    share_if_after = Interval.point(100) / (Interval.point(1) + Interval.point(n) / c_iv)
    share_ok = share_if_after.overlaps(p)
    arithmetic = (
        f"before: {_text(share)} of {count(n)} = {span(lo, hi)} removed, "
        f"{span(n - hi, n - lo)} left; {_text(m17a)}: {'holds' if ok_a else 'fails'}; "
        f"{_text(m17c)}: {'within rounding' if ok_c else 'fails'}. "
        f"After: list before removal = {count(n)} / (1 - {_text(share)}) = "
        f"{span(math.ceil(before_after.lo), math.floor(before_after.hi))}, "
        f"{'above' if above_peak else 'not above'} the higher peak {count(peak)}; "
        f"{_text(m17c)} as a share of {count(n)} plus itself = {exact_pct_span(share_if_after, 1)}, "
        f"{'meets' if share_ok else 'not'} {_text(share)}"
    )
    growth = ""
    publishers = claims_mod.load_sources(inp.data_dir).set_index("source_id")["publisher"]
    for earlier_id in inp.all("earlier_count"):
        earlier = by_id[earlier_id]
        e = int(earlier["value"])
        arithmetic += f"; {earlier_id} {_text(earlier)} ({earlier['ref_date']}) {'<' if e < n else '>='} {count(n)}"
        growth += (
            f" {publishers[earlier['source_id']]} gives {_text(earlier)} on {earlier['ref_date']} ({earlier_id}): read "
            f"as the count after, the list would have grown by "
            f"{span(math.ceil(before_after.lo) - e, math.floor(before_after.hi) - e)} people before the removals"
            + (
                f"; in either reading {count(n)} is not the lowest count since the database was set up."
                if e < n
                else "."
            )
        )
    before_fits = ok_a and ok_c
    after_fits = share_ok and not above_peak
    if before_fits and not after_fits:
        verdict = "unresolved; the arithmetic favours the count before the removals, if the share removed is of the whole list"
    elif after_fits and not before_fits:
        verdict = "unresolved; the arithmetic favours the count after the removals"
    elif before_fits:
        verdict = "unresolved: both readings fit the arithmetic"
    else:
        verdict = "unresolved: neither reading fits the arithmetic"
    c_rule = claims_mod.claim_rule(m17c, rule)
    edge = [k for k in range(lo, hi + 1) if rounds_to(Fraction(k), m17c["value"], c_rule, m17c["precision"] or None)]
    text = (
        f"Read as the count before the removals, {_text(share)} of {count(n)} is "
        f"{span(lo, hi)} people: '{_text(m17a)}' {'holds' if ok_a else 'fails'}, and '{_text(m17c)}' "
        f"{'fits' if edge else 'does not fit'}"
        + (
            f" only at its edge ({len(edge)} of the {hi - lo + 1} whole counts)"
            if edge and len(edge) < hi - lo + 1
            else ""
        )
        + f", leaving {span(n - hi, n - lo)} (derived, not published). Read as the count after, the list before "
        f"would have been {span(math.ceil(before_after.lo), math.floor(before_after.hi))}, "
        f"{'more' if above_peak else 'not more'} than the all-time peak, and '{_text(m17c)}' would be "
        f"{exact_pct_span(share_if_after, 1)} of it. Both readings take the share removed to be of the whole list. "
        f"The review ({by_id[inp.one('review')]['value']}) predates the settlement "
        f"({by_id[inp.one('settlement')]['value']}), and one source calls the count 'now' after reporting the removals. "
        "No count after the removals was published." + growth
    )
    return arithmetic, verdict, text


def snapshot_dates(by_id, rule, inp: Inputs):
    a_id, b_id, earlier = inp.one("count"), inp.one("other_count"), inp.one("earlier_level")
    removed, added, fall = inp.one("removed"), inp.one("added"), by_id[inp.one("published_fall")]
    a, b = int(by_id[a_id]["value"]), int(by_id[b_id]["value"])
    one_year = pct_fall(_iv(by_id[earlier]), Interval.point(a))
    fits_one_year = _fits(fall, one_year, True, rule)
    before = b + int(by_id[removed]["value"]) - int(by_id[added]["value"])
    arithmetic = (
        f"{a_id} - {b_id} = {count(a - b)}; {earlier} to {a_id} = {exact_pct(one_year.lo, 1)} "
        f"({'fits' if fits_one_year else 'does not fit'} {_text(fall)}); "
        f"{b_id} + {removed} - {added} = {count(before)} (not {count(a)})"
    )
    text = (
        f"The counts differ by {count(a - b)}. Adding back StopWatch's recent removals and taking off its "
        f"additions gives {count(before)}, not {count(a)}, so the two reports do not start from the same "
        f"list; {count(a)} uses data to {by_id[inp.one('data_to')]['value']}. The '{_text(fall)}' is not a one-year "
        f"fall ({by_id[earlier]['ref_date']} to {by_id[a_id]['ref_date']} is {exact_pct(one_year.lo, 1)}); it fits a "
        f"fall from the {by_id[inp.one('peak')]['ref_date']} peak (see {inp.conflict_of['peak_size']})."
    )
    if before != a:
        return arithmetic, "unresolved; most likely two snapshots, whose dates are not printed", text
    return arithmetic, "consistent: the recent flows lead from one count to the other", text


def shares_by_snapshot(by_id, rule, inp: Inputs):
    ids = inp.all("black_share")
    ivs = {i: _iv(by_id[i], rule) for i in ids}
    lo = min(ids, key=lambda i: Decimal(by_id[i]["value"]))
    hi = max(ids, key=lambda i: Decimal(by_id[i]["value"]))
    span_lo = min(v.lo for v in ivs.values())
    span_hi = max(v.hi for v in ivs.values())
    assumed = {i for i in ids if inp.assumed.get(i) == "snapshot"}
    pinned = {i: i not in assumed and bool(by_id[i]["ref_date"]) for i in ids}
    disjoint = [(i, j) for k, i in enumerate(ids) for j in ids[k + 1 :] if not ivs[i].overlaps(ivs[j])]

    def dates_differ(i, j):
        a, b = date_span(by_id[i]["ref_date"]), date_span(by_id[j]["ref_date"])
        return a[1] < b[0] or b[1] < a[0]

    explained = [(i, j) for i, j in disjoint if pinned[i] and pinned[j] and dates_differ(i, j)]
    open_pairs = [p for p in disjoint if p not in explained]
    black, other = inp.all("bame_part")
    bame14 = _iv(by_id[black], rule) + _iv(by_id[other], rule)
    arithmetic = (
        "Black share by snapshot: "
        + "; ".join(
            f"{i} {by_id[i]['ref_date'] or 'undated'}{'' if pinned[i] else ' (date assumed)'} {_text(by_id[i])}"
            for i in ids
        )
        + f"; BAME in {by_id[black]['ref_date']} = {black} + {other} = {exact_pct_span(bame14, 2)}; "
        f"pairs that cannot be equal: {len(disjoint)}, of which {len(explained)} carry different printed dates"
    )
    if not disjoint:
        verdict = "consistent: every share could describe one list"
    elif not open_pairs:
        verdict = "resolved: the shares that cannot be equal carry different printed dates"
    else:
        verdict = "unresolved: some shares that cannot be equal have an assumed or missing date"
    text = (
        f"The published Black share runs from {_text(by_id[lo])} ({lo}) to {_text(by_id[hi])} ({hi}) across "
        f"{len(ids)} snapshots (rounding allows {exact_pct(span_lo, 1)} to {exact_pct(span_hi, 1)}). "
        f"{len(disjoint)} pairs cannot describe the same list; {len(explained)} of them are explained by the dates "
        "their sources print"
        + (
            ", and the others involve a share whose date a person assumed ("
            + ", ".join(sorted({x for p in open_pairs for x in p if not pinned[x]}))
            + ", data/manual/assumptions.csv)"
            if open_pairs
            else ""
        )
        + ". Each share is reported with its own snapshot date in the composition tables."
    )
    return arithmetic, verdict, text


def year_label(by_id, rule, inp: Inputs):
    e18, e19, bbc_id = inp.one("earlier_year"), inp.one("labelled_year"), inp.one("disputed")
    b18, b19, bbc = (_iv(by_id[i], rule) for i in (e18, e19, bbc_id))
    same_2019 = bbc.overlaps(b19)
    same_2018 = bbc.overlaps(b18)
    arithmetic = (
        f"{bbc_id} {_text(by_id[bbc_id])} ({exact_pct_span(bbc, 1)}) against {e19} {_text(by_id[e19])} "
        f"for 2019 ({exact_pct_span(b19, 1)}): {'overlap' if same_2019 else 'no overlap'}; against "
        f"{e18} {_text(by_id[e18])} for 2018: {'overlap' if same_2018 else 'no overlap'}"
    )
    verdict = (
        "inconsistent as labelled; consistent if the BBC's year is the Mayor's earlier year"
        if (same_2018 and not same_2019)
        else "unresolved"
    )
    text = (
        f"Additions in one year cannot be both {_text(by_id[bbc_id])} and {_text(by_id[e19])} BAME. "
        f"The BBC's figure equals the Mayor's {by_id[e18]['ref_date']} value, so its year label is the likely slip; "
        f"the BBC copy seen is a mirror (evidence {by_id[bbc_id]['evidence']})."
    )
    return arithmetic, verdict, text


def same_list(by_id, rule, inp: Inputs):
    a_id, b_id, base = inp.one("share"), inp.one("other_share"), inp.one("base")
    a, b = _iv(by_id[a_id], rule), _iv(by_id[b_id], rule)
    n = int(by_id[base]["value"])
    ka = consistent_counts(by_id[a_id]["value"], n, rule)
    kb = consistent_counts(by_id[b_id]["value"], n, rule)
    overlap = a.overlaps(b)
    arithmetic = (
        f"{a_id} {_text(by_id[a_id])} = {exact_pct_span(a, 1)}; {b_id} {_text(by_id[b_id])} = "
        f"{exact_pct_span(b, 1)}: {'overlap' if overlap else 'no overlap'}; of {count(n)} they would be "
        f"{span(ka.start, ka.stop - 1)} and {span(kb.start, kb.stop - 1)} people"
    )
    verdict = "unresolved: cannot describe the same list" if not overlap else "consistent within rounding"
    text = (
        f"No single list can be both {_text(by_id[a_id])} and {_text(by_id[b_id])} under 25. The MOPAC review "
        "describes its own review data, whose size and date were not published; the Mayor's figure is for "
        f"{by_id[b_id]['ref_date']}. They are probably different bases."
    )
    return arithmetic, verdict, text


def age_band(by_id, rule, inp: Inputs):
    wide, narrow, u18, youngest = (by_id[inp.one(r)] for r in ("wide_band", "narrow_band", "under_18", "youngest"))
    gap = _iv(wide, rule) - _iv(narrow, rule)
    arithmetic = (
        f"if both held, the share in the wider band only would be {wide['claim_id']} - {narrow['claim_id']} "
        f"= at most {exact_pct(gap.hi, 1)}; {u18['claim_id']} gives {_text(u18)} under 18 and "
        f"{youngest['claim_id']} a youngest age of {youngest['value']}"
    )
    verdict = (
        "inconsistent: the narrower band cannot hold more than the wider one"
        if gap.hi < 0
        else "unresolved: both bands can hold only if few people were in the ages one has and the other lacks"
    )
    text = (
        f"Both can hold only if at most {exact_pct(gap.hi, 1)} of the list were in the ages the wider band has and "
        f"the narrower lacks, while "
        f"{_text(u18)} were under 18 and the youngest was {youngest['value']}. The report's age table "
        f"would settle it; the replication uses the band in the primary reports ({wide['claim_id']})."
    )
    return arithmetic, verdict, text


def zero_harm(by_id, rule, inp: Inputs):
    a_id, b_id, base, count_id, other_base = (
        inp.one(r) for r in ("share", "other_share", "base", "count", "other_base")
    )
    h1a, h2 = _iv(by_id[a_id], rule), _iv(by_id[b_id], rule)
    counts = _iv(by_id[a_id], rule) * _iv(by_id[base]) / Interval.point(100)
    cz = whole_counts(counts)
    h1b = _iv(by_id[count_id])
    ks = consistent_counts(by_id[b_id]["value"], int(by_id[other_base]["value"]), rule)
    arithmetic = (
        f"{a_id} {_text(by_id[a_id])} = {exact_pct_span(h1a, 1)} and {b_id} {_text(by_id[b_id])} = "
        f"{exact_pct_span(h2, 1)}: {'overlap' if h1a.overlaps(h2) else 'no overlap'}; {a_id} of {base} "
        f"{_text(by_id[base])} = {span(*cz)} people, {count_id} {_text(by_id[count_id])} = "
        f"{span(int(h1b.lo), int(h1b.hi))}: {'overlap' if counts.overlaps(h1b) else 'no overlap'}; "
        f"{b_id} of {other_base} {_text(by_id[other_base])} = {span(ks.start, ks.stop - 1)} people"
    )
    verdict = (
        "consistent in value; definition unresolved"
        if h1a.overlaps(h2) and counts.overlaps(h1b)
        else "inconsistent in value"
    )
    text = (
        f"The numbers agree ({span(*cz)} people with a zero harm score against {span(ks.start, ks.stop - 1)} "
        "with no violent offence in two years), but a zero harm score and no recent violent offence are different "
        "definitions. Whether Amnesty reported one statistic or two needs the report's own text."
    )
    return arithmetic, verdict, text


def offending_benchmark(by_id, rule, inp: Inputs):
    list_id = inp.one("list_share")
    list_share = _iv(by_id[list_id], rule)
    same = {i: by_id[i]["value"] for i in inp.all("same_value")}
    parts, ratios = [], []
    for cid in inp.all("benchmark"):
        bench = _iv(by_id[cid], rule)
        r = list_share / bench
        ratios.append(r)
        point = Fraction(by_id[list_id]["value"]) / Fraction(by_id[cid]["value"])
        parts.append(
            f"{list_id} / {cid} ({_text(by_id[cid])}) = {half_up(point, 2)} "
            f"(rounding range {half_up(r.lo, 2)}–{half_up(r.hi, 2)})"
        )
    arithmetic = f"{', '.join(same)} all print {', '.join(sorted(set(same.values())))}%; " + "; ".join(parts)
    verdict = (
        "unresolved: one value, several definitions"
        if len(set(same.values())) == 1
        else "unresolved: the descriptions print different values"
    )
    lo = min(r.lo for r in ratios)
    hi = max(r.hi for r in ratios)
    text = (
        f"The {len(same)} descriptions print {'the same value' if len(set(same.values())) == 1 else 'different values'}, "
        "so the arithmetic cannot tell the definitions apart. The choice matters: "
        f"the Black share of the Matrix ({_text(by_id[list_id])}) is between {half_up(lo, 2)} and {half_up(hi, 2)} "
        "times the benchmark depending on which offending benchmark is used."
    )
    return arithmetic, verdict, text


def loose_wording(by_id, rule, inp: Inputs):
    k_id, n_id = inp.one("count"), inp.one("base")
    k, n = int(by_id[k_id]["value"]), int(by_id[n_id]["value"])
    share = Fraction(100 * k, n)
    two_thirds = Fraction(200, 3)
    arithmetic = (
        f"{k_id} / {n_id} = {count(k)} / {count(n)} = {exact_pct(share, 2)}; two thirds = {exact_pct(two_thirds, 2)}"
    )
    if half_up(share) == half_up(two_thirds):
        verdict = "consistent: the count is two thirds of the base to the nearest percent"
    else:
        verdict = "loose wording; the published counts stand"
    text = (
        f"{count(k)} of {count(n)} is {exact_pct(share, 1)}, {exact_pct(abs(two_thirds - share), 1)[:-1]} points "
        f"{'short of' if share < two_thirds else 'above'} two thirds; the counts are the figures to use."
    )
    return arithmetic, verdict, text


COMPARISONS = {
    f.__name__: f
    for f in (
        peak_size,
        count_timing,
        snapshot_dates,
        shares_by_snapshot,
        year_label,
        same_list,
        age_band,
        zero_harm,
        offending_benchmark,
        loose_wording,
        *PIMA_COMPARISONS,
    )
}


def conflicts(data_dir: str = "data", rounding_rule: str = "half_up") -> pd.DataFrame:
    """The conflicts table: the human description from conflicts.csv, the
    arithmetic computed here, and a verdict (or 'unresolved' with what would
    settle it). Every number in the arithmetic and explanation is computed from
    the claims in the conflict's row; a verdict holds no number."""
    by_id = claims_mod.claims_by_id(data_dir)
    inputs = read_manual("conflict_inputs", data_dir)
    conflict_of = dict(zip(inputs["comparison"], inputs["conflict_id"]))
    assumptions = read_manual("assumptions", data_dir)
    assumed = dict(zip(assumptions["claim_id"], assumptions["kind"]))
    rows = []
    for _, r in load_conflicts(data_dir).iterrows():
        mine = inputs[inputs["conflict_id"] == r["conflict_id"]]
        if mine.empty:
            arithmetic, verdict, text = "", "unresolved", "No arithmetic bears on it."
        else:
            fn = COMPARISONS[mine["comparison"].iloc[0]]
            arithmetic, verdict, text = fn(by_id, rounding_rule, Inputs(mine, conflict_of, assumed, data_dir))
        rows.append(
            {
                "conflict_id": r["conflict_id"],
                "title": r["title"],
                "claim_ids": r["claim_ids"],
                "sources": " ".join(sorted({by_id[c]["source_id"] for c in r["claim_ids"].split()})),
                "what_disagrees": r["what_disagrees"],
                "arithmetic": arithmetic,
                "verdict": verdict,
                "explanation": text,
                "would_settle": r["would_settle"] if "unresolved" in verdict else "",
            }
        )
    return pd.DataFrame(rows)
