"""What the forces comparison (06_forces) says and draws: its findings in plain
words, computed from analyses.compare's tables (every label from a file escaped),
and a chart of each list's ratio with its interval."""

from __future__ import annotations

import numpy as np
import pandas as pd

from police_lists.analyses import compare
from police_lists.contract.safety import html_text as _h
from police_lists.present.profile import plain


def _pct(x) -> str:
    return f"{float(x):.1%}"


def _who(row) -> str:
    return f"{_h(row['force'])} (<code>{_h(row['list'])}</code>)"


def _many(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


def opening(sizes: pd.DataFrame, comparison: pd.DataFrame, synthetic: bool) -> str:
    """The page's first paragraphs (HTML): what is compared, and the SYNTHETIC warning."""
    parts = []
    if synthetic:
        parts.append(
            "<strong>SYNTHETIC: these lists are invented people, generated from census margins with invented "
            "settings. Every difference between them was put there by the generator; none is a finding.</strong>"
        )
    forces = comparison.drop_duplicates("list")
    named = forces[forces["force_code"] != ""]
    parts.append(
        f"This page compares {_many(len(sizes), 'list')} from {_many(named['force_code'].nunique(), 'police force area')} side "
        "by side. Each list is compared with the census population of its own force area, and every count comes "
        "from the list's published, disclosure-controlled profile."
    )
    if len(named) < len(forces):
        missing = forces[forces["force_code"] == ""]
        parts.append(
            "No force area is known for "
            + ", ".join(f"<code>{_h(x)}</code>" for x in missing["list"])
            + " (give the parameter <code>force</code>, or a police.uk file name), so no ratio is shown for it."
        )
    return "".join(f"<p>{p}</p>" for p in parts)


def say_group(comparison: pd.DataFrame, ranks: pd.DataFrame, group: str, level: str) -> str:
    """One group's findings in words: the range of its shares and ratios, which lists the
    intervals order, and which are not ranked (HTML, every label escaped)."""
    sentences = group_sentences(comparison, ranks, group, level, who=_who, esc=_h)
    return "".join(f"<p>{p}</p>" for p in sentences)


def group_sentences(comparison, ranks, group: str, level: str, who=None, esc=str, brief: bool = False) -> list[str]:
    """The share sentence and the ratio sentence for one group. `who` writes a list's
    name and `esc` escapes a label: HTML for the page (say_group), plain text for the
    In short (Appendix.in_short escapes it). `brief`: no sentences on shared or missing ranks."""
    who = who or (lambda row: esc(row["force"]))
    out = []
    for measure, what in ((compare.SHARE, "share of the people whose ethnicity is known"), (compare.RATIO, "ratio")):
        r = ranks[(ranks["group"] == group) & (ranks["measure"] == measure)]
        left_out = compare.unranked(comparison, group, measure)
        if r.empty:
            out.append(f"No list has a published {esc(group)} {esc(what)} with an interval.")
            continue
        lo, hi = r.loc[r["value"].astype(float).idxmin()], r.loc[r["value"].astype(float).idxmax()]
        fmt = _pct if measure == compare.SHARE else (lambda x: f"{float(x):.2f}")
        subject = (
            f"The {esc(group)} {esc(what)}"
            if measure == compare.SHARE
            else f"Against each force area's own residents, the {esc(group)} ratio (list share over census share)"
        )
        if len(r) == 1:  # one list only: no range, and nothing to rank it against
            text = (
                f"{subject} can be given for one list only: {fmt(lo['value'])} in {who(lo)} ({esc(level)} interval "
                f"{fmt(lo['ci_low'])} to {fmt(lo['ci_high'])}), so no list is ranked against another."
            )
        else:
            text = f"{subject} ranges from {fmt(lo['value'])} in {who(lo)} to {fmt(hi['value'])} in {who(hi)}"
            text += f" ({esc(level)} intervals {fmt(lo['ci_low'])} to {fmt(lo['ci_high'])} and {fmt(hi['ci_low'])} to "
            text += f"{fmt(hi['ci_high'])})."
        first = r[(r["rank_best"] == 1) & (r["rank_worst"] == 1)]
        if len(r) > 1 and len(first):
            text += f" Only {who(first.iloc[0])} is placed first: its interval lies wholly above every other list's."
        if brief:
            out.append(text)
            continue
        firm = r[r["rank_best"] == r["rank_worst"]]
        shared = len(r) - len(firm)
        if len(r) > 1 and shared == len(r):
            text += " Every interval overlaps another, so no list can be placed above the others: all share ranks."
        elif len(r) > 1:
            verb = "has" if len(firm) == 1 else "have"
            text += (
                f" Ordered by their intervals, {len(firm)} of {_many(len(r), 'list')} {verb} a rank of their own; "
                f"{shared} share a rank range with a list whose interval overlaps theirs."
            )
        if left_out:
            text += (
                " Not ranked (a count suppressed, a count of 0 whose ratio has no interval, or no force area): "
                + ", ".join(f"<code>{esc(x)}</code>" if esc is _h else x for x in left_out)
                + "."
            )
        out.append(text)
    return out


def in_short_bullets(
    sizes: pd.DataFrame, comparison: pd.DataFrame, ranks: pd.DataFrame, level: str, table_prefix: str, status: str
) -> list[dict]:
    """The comparison's "In short": what is compared, the Black share and ratio across
    the lists with their intervals and ranks, and the disclosure control, each with the
    page's label (SYNTHETIC, NOT FOR PUBLICATION or disclosure-controlled) as its status
    and a link to its table. Plain text: Appendix.in_short escapes it."""
    opening_text = plain(opening(sizes, comparison, synthetic=False))
    share, ratio = group_sentences(comparison, ranks, "Black", level, brief=True)
    thresholds = sorted({int(t) for t in sizes["threshold"]})
    controlled = all(bool(x) for x in sizes["disclosure_control"])
    rule = (
        f"Every list was profiled with the same disclosure control as a single list: counts from 1 to "
        f"{thresholds[0] - 1} are hidden and the rest rounded, and this page reads only those published counts."
        if controlled and len(thresholds) == 1
        else "At least one list was profiled with weakened disclosure control, so this page is NOT FOR PUBLICATION."
    )
    return [
        {"text": opening_text, "status": status, "href": f"#tbl-{table_prefix}lists"},
        {"text": share, "status": status, "href": f"#tbl-{table_prefix}comparison"},
        {"text": ratio, "status": status, "href": f"#tbl-{table_prefix}ranks"},
        {"text": rule, "status": status, "href": f"#tbl-{table_prefix}disclosure_audit"},
    ]


def ratio_chart_alt(ranks: pd.DataFrame, group: str, level: str) -> str:
    """The chart's finding in words, with its numbers (the image's alt text)."""
    r = ranks[(ranks["group"] == group) & (ranks["measure"] == compare.RATIO)]
    if r.empty:
        return f"No {group} ratio can be shown without revealing a small count."
    return (
        f"Dot chart of the {group} ratio of each list against its own force area's residents, with {level} "
        "intervals, highest rank first: "
        + "; ".join(
            f"{f}: {float(v):.2f} ({float(lo):.2f} to {float(hi):.2f}), rank {k}"
            for f, v, lo, hi, k in zip(r["force"], r["value"], r["ci_low"], r["ci_high"], r["rank"])
        )
        + ". A ratio of 1 is parity."
    )


def ratio_chart(ranks: pd.DataFrame, group: str, level: str, stamp: str | None = None):
    """Each list's ratio for `group` against its own force area, with its interval, one
    row per list in rank order; a dashed line at parity (ratio 1)."""
    import matplotlib.pyplot as plt

    r = ranks[(ranks["group"] == group) & (ranks["measure"] == compare.RATIO)]
    fig, ax = plt.subplots(figsize=(6.5, 0.5 * max(len(r), 2) + 1.2))
    y = np.arange(len(r))[::-1]
    value = r["value"].astype(float).to_numpy()
    low, high = r["ci_low"].astype(float).to_numpy(), r["ci_high"].astype(float).to_numpy()
    ax.errorbar(value, y, xerr=[value - low, high - value], fmt="o", color="#4477aa", ecolor="black", capsize=3)
    ax.axvline(1.0, color="grey", linestyle="--", linewidth=1)
    ax.set_yticks(y, [f"{f} (rank {k})" for f, k in zip(r["force"], r["rank"])])
    ax.set_xlabel(f"{group} share of the list over {group} share of the force area's residents ({level} interval)")
    ax.set_title(f"{group} people on each list against their force area's population (1 = parity)")
    if r.empty:
        ax.text(0.5, 0.5, "no ratio can be shown without revealing a small count", ha="center", transform=ax.transAxes)
    if stamp:
        fig.text(0.5, 0.5, stamp, ha="center", va="center", fontsize=16, color="#cc3311", alpha=0.35, rotation=20)
    return fig
