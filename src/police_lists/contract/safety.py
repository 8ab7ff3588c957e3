"""Escaping for the medium: every string that comes from a user's file
(file names, column names, category labels, parameter values) goes through
one of these before it reaches a page, a CSV cell or a message.

  * HTML: html.escape, always (never inside a markdown code span, where a
    backtick in a file name would close the span and let raw HTML through).
  * CSV: a text cell beginning with = + - @ tab or CR is neutralised as the
    OWASP "CSV injection" guidance recommends, by prefixing a single quote, so
    a spreadsheet shows it as text instead of running it as a formula. Genuine
    numbers (including negative ones) are left as they are.
  * JSON: json.dumps (nothing here: the standard library already escapes).
  * Messages: a value is cut to 40 characters and control characters are
    shown escaped, so a 10 MB field or an ANSI escape in a file name cannot
    flood or rewrite the terminal, and every problem stays one line.

Written by hand because these rules are a few lines each and no maintained
library implements OWASP's cell rule for pandas frames.
"""

from __future__ import annotations

import html
import re

MAX_SHOWN = 40  # characters of a value shown in a message
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def html_text(value) -> str:
    """Text for HTML element content or a quoted attribute."""
    return html.escape(str(value), quote=True)


def csv_cell(value):
    """One CSV cell: text that a spreadsheet would run as a formula gets a
    leading single quote (OWASP); numbers and other values are unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_START) and not _NUMBER.fullmatch(value):
        return "'" + value
    return value


def csv_frame(df):
    """A copy of a DataFrame with every header and text cell passed through csv_cell."""
    out = df.copy()
    out.columns = [csv_cell(c) for c in out.columns]
    for column in out.columns:
        if out[column].dtype == object or str(out[column].dtype).startswith(("str", "string")):
            out[column] = out[column].map(csv_cell)
    return out


def one_line(text) -> str:
    """Control characters (newlines, escapes, NUL) shown as \\xNN / \\n, so the text stays on one line."""
    return _CONTROL.sub(lambda m: m[0].encode("unicode_escape").decode("ascii"), str(text))


def quoted(value, limit: int = MAX_SHOWN) -> str:
    """A value for a one-line message: repr() of at most `limit` characters
    (repr escapes newlines and control characters), saying how long it was when cut."""
    text = value if isinstance(value, str) else repr(value)
    shown = repr(text[:limit]) if isinstance(value, str) else one_line(text[:limit])
    return shown + (f"... ({len(text):,} characters)" if len(text) > limit else "")
