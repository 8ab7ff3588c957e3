"""What the profile notebook (05_list_profile) says and draws: paragraphs in
HTML with every value from the list escaped, and the share chart. The tables
themselves are analyses.profile's."""

from __future__ import annotations

import html as _html
import re

import numpy as np
import pandas as pd

from police_lists.analyses.profile import NOT_COMPUTABLE, SUPPRESSED, Published, _whole
from police_lists.contract.safety import html_text as _h
from police_lists.methods import sdc
from police_lists.readers.labels import name as label
from police_lists.readers.listinput import UNKNOWN


def banner(synthetic: bool, disclosure_control: bool, threshold: int) -> str:
    """The opening paragraphs (HTML; nothing in them comes from the list)."""
    parts = []
    if synthetic:
        parts.append(
            "<strong>SYNTHETIC: this list is invented teaching data with published margins. It describes "
            "no real people and supports no finding.</strong>"
        )
    if not disclosure_control:
        parts.append(
            "<strong>NOT FOR PUBLICATION: disclosure control was switched off, so these tables hold exact "
            "counts of people from the list. Do not publish or share them.</strong>"
        )
        return "".join(f"<p>{p}</p>" for p in parts)
    if threshold < sdc.DEFAULT_THRESHOLD:
        parts.append(
            f"<strong>NOT FOR PUBLICATION: the threshold was set to {threshold}, below the "
            f"{sdc.DEFAULT_THRESHOLD} of the ONS 10-5 rule, so counts of {threshold} to "
            f"{sdc.DEFAULT_THRESHOLD - 1} people are shown. Do not publish or share these tables.</strong>"
        )
    parts.append(
        f"Disclosure control is on: counts from 1 to {threshold - 1} are shown as "
        f"<code>{SUPPRESSED}</code>, other counts are rounded to the nearest {sdc.DEFAULT_BASE}, and "
        "further cells are suppressed where the margins would reveal a hidden count. A table that would "
        "tell a reader something about everyone on the list (because one group holds everyone whose "
        "value is known, or the list is smaller than the threshold) is suppressed whole."
    )
    return "".join(f"<p>{p}</p>" for p in parts)


def say_count(value, disclosure_control: bool) -> str:
    if value == SUPPRESSED:
        return f"fewer than the threshold ({SUPPRESSED})"
    return f"{int(value):,}" + (" (rounded)" if disclosure_control else "")


def say_read(pub: Published) -> str:
    """What was read, as HTML: the file name and every other string escaped."""
    notes = " ".join(f"{_h(note[0].upper() + note[1:])}." for note in pub.notes)
    return (
        f"<p>The file <code>{_h(pub.file)}</code> was read as a <strong>{_h(pub.format)}</strong> with "
        f"{_h(say_count(pub.n_published, pub.disclosure_control))} people. Ethnicity codes were mapped with "
        f"version {_h(pub.mapping_version)} of <code>data/manual/ethnicity_mapping.csv</code>. {notes}</p>"
    )


def say_previous(pub: Published) -> str:
    if pub.changes is None:
        return (
            "<p>No previous snapshot was given (parameter <code>previous_path</code>), so there is nothing to "
            "compare.</p>"
        )
    return (
        f"<p>The previous snapshot <code>{_h(pub.previous_file)}</code> had "
        f"{_h(say_count(pub.previous_n, pub.disclosure_control))} people; this one has "
        f"{_h(say_count(pub.n_published, pub.disclosure_control))}. Changes are taken between the published, "
        "rounded figures, so comparing the snapshots reveals nothing the two tables do not.</p>"
    )


def share_chart(table: pd.DataFrame, title: str, stamp: str | None = None):
    """Horizontal bars of each category's share with its interval; suppressed shares are left blank.
    `stamp` (SYNTHETIC / NOT FOR PUBLICATION) is written across the chart."""
    import matplotlib.pyplot as plt

    t = table[(table["category"] != "Total") & (table["share"] != SUPPRESSED)]
    fig, ax = plt.subplots(figsize=(6.5, 0.45 * max(len(t), 2) + 1))
    y = np.arange(len(t))[::-1]
    share = t["share"].astype(float).to_numpy()
    low, high = t["ci_low"].astype(float).to_numpy(), t["ci_high"].astype(float).to_numpy()
    ax.barh(y, share, color="#4477aa")
    ax.errorbar(share, y, xerr=[share - low, high - share], fmt="none", ecolor="black", capsize=3)
    ax.set_yticks(y, t["category"])
    ax.set_xlabel("share of the list")
    ax.set_xlim(0, 1)
    ax.set_title(title)
    if t.empty:
        ax.text(
            0.5,
            0.5,
            "no share can be shown without revealing a small count",
            ha="center",
            va="center",
            transform=ax.transAxes,
        )
    if stamp:
        fig.text(0.5, 0.5, stamp, ha="center", va="center", fontsize=16, color="#cc3311", alpha=0.35, rotation=20)
    return fig


def say_largest(table: pd.DataFrame, what: str, level: str) -> str:
    """The largest category of a table in words (HTML, labels escaped)."""
    if _whole(table):
        return (
            f"<p>The {_h(what)} table is suppressed whole: showing it would tell a reader something about "
            "everyone on the list, or every count in it would be hidden anyway.</p>"
        )
    known = table[(table["category"] != "Total") & (table["category"] != UNKNOWN)]
    if known.empty:
        return f"<p>No {_h(what)} is recorded for anyone on the list.</p>"
    t = known[known["share"] != SUPPRESSED]
    if t.empty:
        return f"<p>No {_h(what)} share can be shown without revealing a small count.</p>"
    top = t.loc[t["share"].astype(float).idxmax()]
    text = (
        f"The largest {_h(what)} is <strong>{_h(top['category'])}</strong>: {float(top['share']):.1%} of the "
        f"list ({_h(level)} interval {float(top['ci_low']):.1%} to {float(top['ci_high']):.1%})"
    )
    if top["share_known"] not in (None, SUPPRESSED) and not pd.isna(top["share_known"]):
        text += f", {float(top['share_known']):.1%} of those whose {_h(what)} is known"
        if top["share_min"] not in (None, SUPPRESSED) and not pd.isna(top["share_min"]):
            lo, hi = f"{float(top['share_min']):.1%}", f"{float(top['share_max']):.1%}"
            if lo != hi:  # with no unknowns (or too few to move the share) there is no range to state
                text += f"; the unknowns allow anything from {lo} to {hi}"
    unknown = table[table["category"] == UNKNOWN]
    if not unknown.empty:
        k = unknown.iloc[0]["count"]
        text += f". Unknown: {_h(k if k == SUPPRESSED else f'{int(k):,}')} people"
    return f"<p>{text}.</p>"


def say_disproportionality(table: pd.DataFrame, level: str, notes: list[str] = ()) -> str:
    shown = table[~table["ratio"].isin([SUPPRESSED, NOT_COMPUTABLE])]
    extra = "".join(f" {_h(n)}." for n in notes)
    if shown.empty:
        return f"<p>No ratio can be shown without revealing a small count.{extra}</p>"
    parts = [
        f"{_h(r['category'])} against {_h(label(r['benchmark']))}: {float(r['ratio']):.2f} ({_h(level)} interval "
        f"{float(r['ci_low']):.2f} to {float(r['ci_high']):.2f})"
        for _, r in shown.iterrows()
    ]
    return "<p>Ratios of list share to benchmark share: " + "; ".join(parts) + f".{extra}</p>"


def say_disclosure(pub: Published) -> str:
    if pub.weak and not pub.disclosure_control:
        return (
            "<p>Disclosure control was off: nothing was suppressed or rounded, and these outputs are NOT FOR "
            "PUBLICATION.</p>"
        )
    table = pub.audit
    hidden = int(sum(int(x) for x in table["suppressed_cells"]))
    passed = all(x is True for x in table["audit_passed"])
    whole = [d for d, check in zip(table["dimension"], table["group_disclosure_check"]) if check == "suppressed whole"]
    text = f"{hidden} cell(s) are hidden across the tables; the audit " + (
        "passed for every dimension." if passed else "FAILED: do not publish."
    )
    if whole:
        text += " Suppressed whole: " + ", ".join(_h(d) for d in whole) + "."
    if pub.weak:
        text += (
            f" The threshold ({pub.threshold}) is weaker than the ONS 10-5 rule, so every output is NOT FOR "
            "PUBLICATION."
        )
    return f"<p>{text}</p>"


def show_html(text: str) -> None:
    """Display a paragraph built by the say_* functions (every value in it escaped)."""
    from IPython.display import HTML, display

    display(HTML(text))


def plain(text: str) -> str:
    """Plain text of a sentence built as HTML here (tags dropped, entities decoded):
    an In short bullet is plain text that Appendix.in_short escapes."""
    return _html.unescape(re.sub(r"<[^>]+>", "", text))


def in_short_bullets(pub: Published, level: str, table_prefix: str) -> list[dict]:
    """The profile's "In short": plain sentences from the published tables only
    (the largest group of each dimension, the ratios, the disclosure audit), each
    with the page's label (SYNTHETIC, NOT FOR PUBLICATION or the sensitivity) as its
    status and a link to its table. Plain text: Appendix.in_short escapes it."""
    status = pub.stamp or "disclosure-controlled"
    bullets = [
        {
            "text": plain(say_read(pub)).split(". Ethnicity codes")[0] + ".",
            "status": status,
            "href": f"#tbl-{table_prefix}summary",
        }
    ]
    for dimension, what in (("ethnicity", "ethnic group"), ("age", "age band")):
        if dimension in pub.tables:
            bullets.append(
                {
                    "text": plain(say_largest(pub.tables[dimension], what, level)),
                    "status": status,
                    "href": f"#tbl-{table_prefix}{dimension}",
                }
            )
    bullets.append(
        {
            "text": plain(say_disproportionality(pub.disproportionality, level)),
            "status": status,
            "href": f"#tbl-{table_prefix}disproportionality",
        }
    )
    bullets.append(
        {"text": plain(say_disclosure(pub)), "status": status, "href": f"#tbl-{table_prefix}disclosure_audit"}
    )
    return bullets[:6]
