"""Statistical disclosure control for tables derived from record-level lists
(methods.md section 4.3-4.4, the project default policy).

  1. Primary suppression: a count 1..threshold-1 (ONS 10-5 rule: 1-9) is
     shown as "[c]"; zeros are shown.
  2. Rounding: every other count is rounded half up to base 5,
     R(x) = b * floor(x / b + 1/2), and so is the published total.
  3. Secondary suppression until every line (row, column; the total of a
     one-way table) holds 0 or at least 2 suppressed cells; candidates whose
     crossing line already holds a suppressed cell are preferred, then the
     smallest, so the pattern spreads as little as possible.
  4. LP audit: for each suppressed cell, the least and greatest value
     consistent with everything published (the unsuppressed cells and the
     margins, taken as known exactly, the attacker's best case) and x >= 0,
     by scipy.optimize.linprog(method="highs"). Every feasible range must
     span at least `protection` (default: the threshold); if one does not,
     another cell is suppressed and the audit runs again.
  5. Shares and intervals are computed only from published values, and a
     share whose numerator or denominator is suppressed is suppressed too.

Reference: the worked example in methods.md 4.3 (R28) is a test fixture.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

SUPPRESSED = "[c]"
DEFAULT_THRESHOLD = 10
DEFAULT_BASE = 5


def round_to_base(x, base: int = DEFAULT_BASE):
    """Half-up rounding to a multiple of base in integer arithmetic: 12 -> 10, 13 -> 15, 232 -> 230."""
    x = np.asarray(x, dtype=np.int64)
    return (2 * x + base) // (2 * base) * base


def primary_mask(values, threshold: int = DEFAULT_THRESHOLD, base: int = DEFAULT_BASE) -> np.ndarray:
    """Cells 1..threshold-1, and any non-zero cell that rounding would show as 0
    (with a threshold below 3 a group of 2 would otherwise be published as 0)."""
    v = np.asarray(values)
    return (v > 0) & ((v < threshold) | (round_to_base(v, base) == 0))


def _line_counts(mask: np.ndarray):
    return mask.sum(axis=1), mask.sum(axis=0)


def secondary_suppression(table, mask, rows: bool = True, cols: bool = True) -> np.ndarray:
    """Greedy secondary suppression on a 2-D table (a one-way table is 1 x k with rows only).

    While some line holds exactly one suppressed cell, suppress another non-zero
    cell in it: preferring a cell whose crossing line already has a suppressed
    cell, then the smallest value."""
    t = np.asarray(table, dtype=np.int64)
    m = np.array(mask, dtype=bool, copy=True)
    for _ in range(m.size + 1):
        r, c = _line_counts(m)
        lines = [("row", i) for i in range(t.shape[0]) if rows and r[i] == 1]
        lines += [("col", j) for j in range(t.shape[1]) if cols and c[j] == 1]
        if not lines:
            return m
        kind, i = lines[0]
        cells = [(i, j) for j in range(t.shape[1])] if kind == "row" else [(k, i) for k in range(t.shape[0])]
        candidates = [(a, b) for a, b in cells if not m[a, b] and t[a, b] > 0]
        if not candidates:
            raise ValueError(f"cannot protect {kind} {i}: no other non-zero cell to suppress")

        def cost(cell, kind=kind):  # used at once by min(); bound for clarity
            a, b = cell
            crossing = m[:, b].sum() if kind == "row" else m[a, :].sum()
            return (
                0 if (crossing > 0 or (kind == "row" and not cols) or (kind == "col" and not rows)) else 1,
                t[a, b],
                a,
                b,
            )

        a, b = min(candidates, key=cost)
        m[a, b] = True
    raise RuntimeError("secondary suppression did not settle")


def audit(table, mask, rows: bool = True, cols: bool = True) -> pd.DataFrame:
    """Feasible range of each suppressed cell given the published cells and margins (LP).

    Variables are the suppressed cells, x >= 0; each row (and column) constraint
    says the suppressed cells of that line add up to its margin minus the
    published cells. Returns row, col, true, low, high."""
    t = np.asarray(table, dtype=np.int64)
    m = np.asarray(mask, dtype=bool)
    cells = [tuple(ix) for ix in np.argwhere(m)]
    if not cells:
        return pd.DataFrame(columns=["row", "col", "true", "low", "high"])
    index = {cell: k for k, cell in enumerate(cells)}
    a_eq, b_eq = [], []
    lines = ([("row", i) for i in range(t.shape[0])] if rows else []) + (
        [("col", j) for j in range(t.shape[1])] if cols else []
    )
    for kind, i in lines:
        members = [(i, j) for j in range(t.shape[1])] if kind == "row" else [(k, i) for k in range(t.shape[0])]
        hidden = [index[c] for c in members if m[c]]
        if not hidden:
            continue
        row = np.zeros(len(cells))
        row[hidden] = 1
        a_eq.append(row)
        b_eq.append(sum(t[c] for c in members if m[c]))  # margin minus published cells
    # scipy.optimize is imported here, not with the module: a kernel that only shows
    # published values uses sdc's constants and never audits.
    from scipy.optimize import linprog

    out = []
    if not a_eq:  # no published line holds a hidden cell: each could be anything from 0 up
        return pd.DataFrame(
            [(c[0], c[1], int(t[c]), 0.0, np.inf) for c in cells], columns=["row", "col", "true", "low", "high"]
        )
    for cell, k in index.items():
        bounds = []
        for sign in (1, -1):
            objective = np.zeros(len(cells))
            objective[k] = sign
            res = linprog(
                objective, A_eq=np.array(a_eq), b_eq=np.array(b_eq), bounds=[(0, None)] * len(cells), method="highs"
            )
            if res.status == 3:  # unbounded above: the cell is in no published line
                bounds.append(np.inf)
            elif not res.success:
                raise RuntimeError(f"LP audit failed for cell {cell}: {res.message}")
            else:
                bounds.append(sign * res.fun)
        out.append((cell[0], cell[1], int(t[cell]), round(bounds[0], 9), round(bounds[1], 9)))
    return pd.DataFrame(out, columns=["row", "col", "true", "low", "high"])


def protect_table(
    table,
    threshold: int = DEFAULT_THRESHOLD,
    protection: int | None = None,
    rows: bool = True,
    cols: bool = True,
    base: int = DEFAULT_BASE,
) -> tuple[np.ndarray, pd.DataFrame]:
    """Primary + secondary suppression, then the audit; widen until every range spans `protection`."""
    t = np.asarray(table, dtype=np.int64)
    need = threshold if protection is None else protection
    m = secondary_suppression(t, primary_mask(t, threshold, base), rows, cols)
    for _ in range(t.size + 1):
        result = audit(t, m, rows, cols)
        narrow = result[(result["high"] - result["low"]) < need]
        if narrow.empty:
            return m, result
        r, c = int(narrow.iloc[0]["row"]), int(narrow.iloc[0]["col"])
        # widen: suppress the smallest published non-zero cell sharing a line with it
        pool = [(r, j) for j in range(t.shape[1]) if rows] + [(i, c) for i in range(t.shape[0]) if cols]
        pool = [p for p in pool if not m[p] and t[p] > 0]
        if not pool:
            raise ValueError(f"cell {(r, c)} cannot be protected: its line has no other cell to suppress")
        m[min(pool, key=lambda p: t[p])] = True
        m = secondary_suppression(t, m, rows, cols)
    raise RuntimeError("protection did not settle")


@dataclass
class Protected:
    """A one-way table after disclosure control."""

    categories: list
    true: np.ndarray  # never published; kept for the audit and tests
    published: list  # int or SUPPRESSED
    suppressed: np.ndarray
    total_true: int
    total_published: int | str
    audit: pd.DataFrame  # true/low/high per suppressed cell (row is always 0)
    whole: bool = False  # suppressed whole: categories are not listed either (group disclosure check)
    group_disclosure: bool = False  # the check fired (recorded for the parent only: never published on its own)

    def value(self, category):
        return self.published[self.categories.index(category)]


def group_disclosure(counts: pd.Series, threshold: int = DEFAULT_THRESHOLD, unknown: str = "Unknown") -> bool:
    """Group (class) disclosure, methods.md 4.1 and 4.4: the table's total is
    below the threshold, or every person whose value is known falls in one
    category, so the table would tell a reader that attribute of everyone on
    the list (the zeros of the other categories say it as well as the count does)."""
    v = counts.to_numpy(dtype=np.int64)
    n = int(v.sum())
    known = [k for c, k in zip(counts.index, v) if c != unknown and k > 0]
    return 0 < n < threshold or len(known) == 1


def protect_counts(
    counts: pd.Series,
    threshold: int = DEFAULT_THRESHOLD,
    base: int = DEFAULT_BASE,
    enabled: bool = True,
    unknown: str = "Unknown",
) -> Protected:
    """The 10-5 rule with secondary suppression and the LP audit for one dimension of a list.

    The table's only margin is the list size, published rounded. A table is
    suppressed WHOLE (every count, zeros included, and the list of categories:
    a row label alone would say who is there) when group_disclosure() fires,
    and also whenever every non-zero count would be hidden anyway, so a table
    suppressed whole does not say which of those reasons applied. A list
    smaller than the threshold has its total suppressed too."""
    cats = list(counts.index)
    v = counts.to_numpy(dtype=np.int64)
    n = int(v.sum())
    fired = group_disclosure(counts, threshold, unknown)
    if not enabled:
        return Protected(
            cats,
            v,
            [int(x) for x in v],
            np.zeros(len(v), bool),
            n,
            n,
            pd.DataFrame(columns=["row", "col", "true", "low", "high"]),
            group_disclosure=fired,
        )
    if not fired and n > 0:
        m, result = protect_table(v[None, :], threshold, rows=True, cols=False, base=base)
        m = m[0]
        if not (m | (v == 0)).all():
            rounded = round_to_base(v, base)
            published = [SUPPRESSED if s else int(r) for s, r in zip(m, rounded)]
            return Protected(cats, v, published, m, n, int(round_to_base(n, base)), result)
    if n == 0:
        return Protected(
            cats,
            v,
            [0] * len(v),
            np.zeros(len(v), bool),
            0,
            0,
            pd.DataFrame(columns=["row", "col", "true", "low", "high"]),
        )
    # Suppressed whole. The audit sees every cell hidden with the total as the
    # only published line (none when the total is hidden too).
    m = np.ones(len(v), bool)
    total_shown = n >= threshold
    result = audit(v[None, :], m[None, :], rows=total_shown, cols=False)
    total = int(round_to_base(n, base)) if total_shown else SUPPRESSED
    return Protected(cats, v, [SUPPRESSED] * len(v), m, n, total, result, whole=True, group_disclosure=fired)


def published_cells_ok(published, threshold: int = DEFAULT_THRESHOLD) -> bool:
    """True when no published count lies in 1..threshold-1 (the 10-5 rule's promise)."""
    for x in published:
        if x == SUPPRESSED or x is None or (isinstance(x, float) and np.isnan(x)):
            continue
        if 0 < int(x) < threshold:
            return False
    return True
