"""One way to say what is wrong with an input: a line naming the file, the
row(s), the column, the value and the rule it breaks, and one error class that
carries every such line. Rows are spreadsheet rows: the header is row 1, so the
first data row is row 2 (as Frictionless numbers them)."""

from __future__ import annotations

import sys

from police_lists.contract.safety import one_line, quoted

MAX_SHOWN_ROWS = 5  # rows named in one line before "and N more"
MAX_SHOWN = 20  # lines printed before "... and N more problem(s)"


def problem(file: str, rows, column: str, value, rule: str) -> str:
    """One line: file, row(s), column, value, rule. `rows` is a row number, a
    list of them, or '-' when the problem is not in a row. The file name is kept
    on one line and the column and value are shown cut (contract.safety), so a
    hostile field can neither flood nor rewrite the terminal."""
    if isinstance(rows, (list, tuple)) or type(rows).__name__ == "ndarray":
        rows = [int(r) for r in rows]
        shown = ", ".join(str(r) for r in rows[:MAX_SHOWN_ROWS])
        more = len(rows) - MAX_SHOWN_ROWS
        where = f"row {shown}" if len(rows) == 1 else f"rows {shown}" + (f" and {more} more" if more > 0 else "")
    else:
        where = f"row {rows}"
    return f"{one_line(file)}: {where}, column {quoted(column)}: value {quoted(value)} breaks rule: {rule}"


class ProblemError(Exception):
    """An input breaks its contract; `problems` holds one line per problem (see problem())."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


def report(exc, outcome: str, stream=None) -> None:
    """Print the first MAX_SHOWN problems of `exc` (anything with .problems), one
    line each, then `outcome` with '{n}' replaced by the number of problems
    (to `stream`, by default sys.stderr as it is when called)."""
    stream = stream or sys.stderr
    for line in exc.problems[:MAX_SHOWN]:
        print(line, file=stream)
    more = len(exc.problems) - MAX_SHOWN
    if more > 0:
        print(f"... and {more} more problem(s) of the same kinds", file=stream)
    print(outcome.replace("{n}", str(len(exc.problems))), file=stream)
