"""The one table presenter: how every appendix shows a DataFrame in HTML.

The CSV in outputs/tables/ keeps every value at full precision and every id;
only the page changes: shares as percentages, counts with thousands
separators, at most two decimals elsewhere, text left and numbers right, no
index column, a dash (with a footnote) for a missing value, ids replaced by
their human names (readers.labels), ledger statuses as labelled badges, a
<caption> and header scope. A long table shows its first rows with the rest
behind <details>; a text repeated in every row is said once above the table.
Written by hand because pandas' to_html and Styler offer none of the
per-column kinds, the id names, the badges or the summary (Styler could format
but still emits an index-free table without scope or caption markup we need).
"""

from __future__ import annotations

import math
import numbers
import re

import pandas as pd

from police_lists.contract import standards
from police_lists.contract.safety import html_text as _h
from police_lists.present import glossary
from police_lists.readers import labels

WIDE = 8  # a table with more columns than this is shown as one card per row (every column visible)
LONG_CELL = 60  # characters: a longer text cell spans the whole card
SUMMARY_ROWS = 10  # rows shown before <details> when a table is long
LONG = 15  # a table with more rows than this is shown as a summary
DASH = "–"
_SHARE = re.compile(r"(^|_)(share|proportion|confidence)(_|$)")
_INTERVAL = re.compile(r"^(ci|share)_(low|high)")
_RATIO_COLUMNS = {"ratio", "value", "rate_ratio"}
_TEXT_NUMBER = re.compile(r"-?\d[\d,]*\.\d{4,}")
_URL = re.compile(r"^https?://[^\s<>\"]+$")
_YEARISH = re.compile(r"(year|date|period|_id$|^id$)")


def _missing(v) -> bool:
    if v is None or v is pd.NA or v is pd.NaT:
        return True
    if isinstance(v, float) and math.isnan(v):
        return True
    return isinstance(v, str) and v.strip() in ("", "nan", "NaN", "<NA>", "None")


def column_kinds(df: pd.DataFrame, formats: dict[str, str] | None = None) -> dict[str, str]:
    """Each column's kind: pct (a share shown as a percentage), percent (already in
    percent), count, num, year (a whole number shown as is), bool or text."""
    cols = [str(c) for c in df.columns]
    has_share = any(_SHARE.search(c) for c in cols)
    has_ratio = any(c in _RATIO_COLUMNS for c in cols)
    kinds = {}
    for c, col in zip(cols, df.columns):
        s = df[col]
        values = [v for v in s if not _missing(v)]
        numeric = [v for v in values if isinstance(v, numbers.Number) and not isinstance(v, bool)]
        if values and all(isinstance(v, bool) for v in values):
            kind = "bool"
        elif not numeric:
            kind = "text"
        elif _YEARISH.search(c):
            kind = "year"
        elif _SHARE.search(c) or (has_share and not has_ratio and _INTERVAL.match(c)):
            kind = "pct"
        elif c == "percent" or c.endswith("_percent"):
            kind = "percent"
        elif all(float(v).is_integer() for v in numeric):
            kind = "count"
        else:
            kind = "num"
        kinds[c] = kind
    kinds.update(formats or {})
    return kinds


def cell_text(value, kind: str, data_dir: str = "data") -> tuple[str, bool]:
    """(HTML of one cell, whether it was missing)."""
    if _missing(value):
        return DASH, True
    if isinstance(value, bool):
        return ("yes" if value else "no"), False
    if isinstance(value, numbers.Number):
        x = float(value)
        if kind == "pct":
            return f"{100 * x:.1f}%", False
        if kind == "percent":
            return f"{x:.1f}%", False
        if kind == "year":
            return _h(str(int(x)) if x.is_integer() else str(value)), False
        if x.is_integer() and kind in ("count", "num", "text"):
            return f"{int(x):,}", False
        return f"{x:,.2f}", False
    text = str(value)
    if text in standards.STATUSES:
        return glossary.badge(text), False
    if _URL.match(text):
        host = re.sub(r"^https?://(www\.)?", "", text).split("/", 1)[0]
        return f'<a href="{_h(text)}">{_h(host)}</a>', False
    tokens = text.split()
    if tokens and all(labels.is_named_id(t, data_dir) for t in tokens):
        return _h("; ".join(labels.name(t, data_dir) for t in tokens)), False
    if "_" in text and re.fullmatch(r"[a-z]+(_[a-z]+)+", text) and _is_enum(text):
        text = text.replace("_", " ")
    text = _TEXT_NUMBER.sub(lambda m: f"{float(m[0].replace(',', '')):,.2f}", text)
    return _h(text), False


def _is_enum(text: str) -> bool:
    return any(
        text in values
        for values in (standards.ROUNDING_RULES, standards.CHECKS, standards.ASSUMABLE_ROUNDING, standards.UNITS)
    )


def header_text(column: str) -> str:
    return _h(str(column).replace("_", " "))


def _rows_html(df, columns, kinds, data_dir, used_dash) -> list[str]:
    out = []
    for row in df.itertuples(index=False):
        cells = []
        for i, (c, v) in enumerate(zip(columns, row)):
            text, missing = cell_text(v, kinds[c], data_dir)
            used_dash[0] |= missing
            cls = "num" if kinds[c] in ("pct", "percent", "count", "num") else "txt"
            if len(text) > LONG_CELL and not text.startswith("<"):
                cls += " long"
            label = header_text(c)
            if i == 0:
                cells.append(f'<th scope="row" class="{cls}" data-label="{label}">{text}</th>')
            else:
                cells.append(f'<td class="{cls}" data-label="{label}">{text}</td>')
        out.append("<tr>" + "".join(cells) + "</tr>")
    return out


def table_html(
    df: pd.DataFrame,
    name: str,
    caption: str,
    sensitivity: str,
    formats: dict[str, str] | None = None,
    data_dir: str = "data",
) -> str:
    """The table as one <div class="pl-table" id="tbl-<name>"> (see the module docstring)."""
    df = df.reset_index(drop=True)
    columns = [str(c) for c in df.columns]
    df.columns = columns
    kinds = column_kinds(df, formats)
    # A long text that is the same in every row is said once, above the table.
    notes = []
    if len(df) > 2:
        for c in list(columns):
            values = df[c].dropna().astype(str).unique() if kinds[c] == "text" else []
            constant = len(values) == 1 and df[c].notna().all() and len(columns) > 2 and c != columns[0]
            if constant and (len(values[0]) > 40 or len(df) > 3):
                shown, _ = cell_text(values[0], "text", data_dir)
                notes.append(f'<p class="pl-note">In every row, <em>{header_text(c)}</em>: {shown}</p>')
                columns.remove(c)
        df = df[columns]
    head = "".join(
        f'<th scope="col" class="{"num" if kinds[c] in ("pct", "percent", "count", "num") else "txt"}">'
        f"{header_text(c)}</th>"
        for c in columns
    )
    used_dash = [False]
    long = len(df) > LONG
    shown = df.head(SUMMARY_ROWS) if long else df
    body = _rows_html(shown, columns, kinds, data_dir, used_dash)
    csv_href = f"../tables/{_h(name)}.csv"
    cap = (
        f'<caption><span class="pl-cap">Table: {_h(caption)}</span> '
        f'<span class="pl-meta">(<a href="{csv_href}">{_h(name)}.csv</a>, {len(df):,} rows; {_h(sensitivity)})'
        "</span></caption>"
    )
    wide = " pl-cards" if len(columns) > WIDE else ""
    parts = [f'<div class="pl-table{wide}" id="tbl-{_h(name)}">', *notes]
    parts.append(f"<table>{cap}<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>")
    if long:
        rest = _rows_html(df.iloc[SUMMARY_ROWS:], columns, kinds, data_dir, used_dash)
        parts.append(
            f"<details><summary>Show the other {len(df) - SUMMARY_ROWS:,} rows of this table "
            f"(all {len(df):,} rows are in <code>{_h(name)}.csv</code>)</summary>"
            f'<table><caption class="pl-cont">Table (continued): {_h(caption)}</caption>'
            f"<thead><tr>{head}</tr></thead><tbody>{''.join(rest)}</tbody></table></details>"
        )
    if used_dash[0]:
        parts.append(
            f'<p class="pl-note">{DASH} no value: the cell is blank in the CSV (not applicable or not published).</p>'
        )
    parts.append("</div>")
    return "".join(parts)
