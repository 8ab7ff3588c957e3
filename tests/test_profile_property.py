"""Property-based tests (hypothesis): random bytes and random CSV shapes fed to
the reader and to the `profile` command give a profile or a one-line refusal,
never a traceback and never a half-written OUT.

Derandomised (the same examples on every run, so CI is reproducible) and with
no example database on disk; example counts are kept modest because each
accepted list at the command line runs a notebook.
"""

import contextlib
import io
import json
import re
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from police_lists.contract.problems import ProblemError
from police_lists.pipeline import cli
from police_lists.readers import listinput

LINE = re.compile(r"^.+: (row|rows) [-0-9, ]+(and \d+ more)?, column .+: value .+ breaks rule: .+$")

NAMES = [
    "ethnicity",
    "Ethnicity",
    "ETHNICITY ",
    "Self-defined ethnicity",
    "Officer-defined ethnicity",
    "age",
    "Age range",
    "gender",
    "Sex",
    "harm band",
    "person_id",
    "dimension",
    "category",
    "count",
    "notes",
    "",
    "=cmd|' /C calc'!A0",
    "synthetic",
]
GOOD = [
    "White",
    "Black",
    "Asian",
    "Mixed",
    "Other",
    "",
    "IC3",
    "B2",
    "W1",
    "Not stated",
    "White - White British (W1)",
    "Black/African/Caribbean/Black British - African",
    "17",
    "34",
    "10-17",
    "over 34",
    "Male",
    "Female",
    "ethnicity",
    "Black",
    "12",
]
BAD = [
    "Martian",
    "-4",
    "1e400",
    "nan",
    "inf",
    "9" * 60,
    '"',
    "a,b",
    "x\ny",
    "=1+1",
    "@SUM(A1)",
    "\x00",
    "é",
    "\U0001f642",
    " ",
    "\r",
    "John Smith",
    "SYNTHETIC - not real people",
]


@st.composite
def csv_files(draw, good_weight: int = 3):
    """The bytes of a CSV-like file: header and rows from name/value pools, random
    separators, line ends, quoting (including none, which breaks rows), BOM and
    encoding, ragged rows. Written by hand: the csv module refuses to write broken files."""
    header = draw(st.lists(st.sampled_from(NAMES), min_size=1, max_size=5))
    cell = st.one_of(*[st.sampled_from(GOOD)] * good_weight, st.sampled_from(BAD), st.text(max_size=6))
    width = len(header)
    rows = draw(st.lists(st.lists(cell, min_size=max(1, width - 1), max_size=width + 1), max_size=25))
    sep = draw(st.sampled_from([",", ",", ";", "\t"]))
    eol = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    quoting = draw(st.sampled_from(["minimal", "all", "none"]))  # "none" writes separators and quotes raw

    def field(cell: str) -> str:
        special = any(c in cell for c in (sep, '"', "\n", "\r"))
        if quoting == "all" or (quoting == "minimal" and special):
            return '"' + cell.replace('"', '""') + '"'
        return cell

    text = eol.join(sep.join(field(c) for c in row) for row in [header, *rows]) + draw(st.sampled_from([eol, ""]))
    encoding = draw(st.sampled_from(["utf-8", "utf-8", "utf-8-sig", "latin-1", "utf-16", "utf-16-le"]))
    return text.encode(encoding, errors="replace")


def _read(raw: bytes, suffix: str):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"list{suffix}"
        path.write_bytes(raw)
        try:
            data = listinput.read_list(path)
        except ProblemError as exc:
            assert exc.problems, "a refusal names at least one problem"
            for line in exc.problems:
                assert "\n" not in line and "\r" not in line and len(line) < 2000, line
                assert LINE.match(line), line
            return None
    assert data.n > 0 and sum(int(v) for v in data.counts["ethnicity"]) == data.n
    return data


@settings(max_examples=150, deadline=None, derandomize=True, database=None)
@given(raw=st.binary(max_size=3000), suffix=st.sampled_from([".csv", ".xlsx", ".txt", ""]))
def test_random_bytes_are_read_or_refused_in_one_line(raw, suffix):
    _read(raw, suffix)


@settings(max_examples=300, deadline=None, derandomize=True, database=None)
@given(raw=csv_files())
def test_random_csv_shapes_are_read_or_refused_in_one_line(raw):
    _read(raw, ".csv")


COLUMN_VALUES = {
    "ethnicity": ["White", "Black", "Asian", "Mixed", "Other", "", "B2", "W1", "IC3", "White - White British (W1)"],
    "Age range": ["10-17", "18-24", "25-34", "over 34", ""],
    "gender": ["Male", "Female", ""],
    "notes": ["seen near the station", '=HYPERLINK("x")', "", "John Smith"],
}


@st.composite
def plausible_lists(draw):
    """Mostly valid record-level lists (so some run the whole way through the notebook),
    with one hostile cell, row or byte dropped in about half of them."""
    extra = draw(st.lists(st.sampled_from(["Age range", "gender", "notes"]), unique=True, max_size=3))
    header = ["ethnicity", *extra]
    rows = draw(st.lists(st.tuples(*[st.sampled_from(COLUMN_VALUES[h]) for h in header]), min_size=1, max_size=60))
    lines = [",".join(header)] + [",".join(f'"{c}"' if "," in c or '"' in c else c for c in row) for row in rows]
    if draw(st.booleans()):
        where = draw(st.integers(0, len(lines) - 1))
        lines[where] = draw(st.sampled_from(BAD + ["a,b,c,d,e,f", "", "White,17"]))
    return ("\n".join(lines) + "\n").encode("utf-8")


def test_the_command_gives_a_whole_profile_or_a_one_line_refusal():
    outcomes = []

    @settings(
        max_examples=8,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(raw=plausible_lists())
    def run(raw):
        with tempfile.TemporaryDirectory() as folder:
            src = Path(folder) / "list.csv"
            src.write_bytes(raw)
            out = Path(folder) / "OUT"
            err, std = io.StringIO(), io.StringIO()
            with contextlib.redirect_stderr(err), contextlib.redirect_stdout(std):
                rc = cli.main(["profile", "--list", str(src), "--output-dir", str(out)])
            outcomes.append(rc)
            lines = err.getvalue().strip().splitlines()
            assert "Traceback" not in err.getvalue()
            if rc == 0:
                manifest = json.loads((out / "manifest.json").read_text())
                written = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())
                assert written == sorted([*manifest["outputs"], "manifest.json"])  # the whole profile, nothing else
            else:
                assert rc == 1 and not out.exists()  # nothing half-written
                assert lines[-1].startswith("profile refused:")
                assert all(LINE.match(line) for line in lines[:-1]), lines
            assert sorted(p.name for p in Path(folder).iterdir()) == sorted(["list.csv"] + (["OUT"] if rc == 0 else []))

    run()
    assert 0 in outcomes and 1 in outcomes, outcomes  # both ways out were exercised
