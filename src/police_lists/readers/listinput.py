"""The input contract for `make profile`: read any police list, refuse a bad one.

Accepted (see README "Profile any police list"):
  * a record-level list, one row per person: CSV (UTF-8 with or without BOM,
    comma or semicolon separated) or XLSX (first sheet);
  * an aggregate table with columns dimension, category, count.
Columns are found by name: explicit names (parameters) win, otherwise the
common spellings in ALIASES are tried, case- and space-insensitively. A
police.uk stop-and-search export is recognised from its header without any
parameter; it carries both self-defined and officer-defined ethnicity, and
self-defined is used (as the Home Office statistics do) with officer-defined
reported beside it.

Ethnicity goes through the versioned human decision
data/manual/ethnicity_mapping.csv; age is whole years (binned) or bands;
gender a short fixed vocabulary; harm band optional. Blank values become
Unknown and are counted, never dropped. A value outside the contract stops the
run before anything is written, with one line per problem naming the file,
row(s), column, value and rule (ProblemError).

Only counts per category leave this module (ListData.counts): no row, name,
identifier or free text is kept, so nothing row-level can reach a table.
A CSV is read once, in pieces (_Source), with only the columns used, as
categoricals: each rule is checked once per distinct value and a refusal's rows
are found from the category codes, so a million-row list reads about as fast as
pandas reads those columns, and ten million in bounded memory.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from police_lists.contract.paths import data_dir as _data_dir
from police_lists.contract.paths import display_path, resolve
from police_lists.contract.problems import MAX_SHOWN_ROWS, ProblemError, problem
from police_lists.contract.safety import quoted
from police_lists.methods import bands as _bands

MAPPING = "manual/ethnicity_mapping.csv"
GROUP_ORDER = ("White", "Black", "Asian", "Mixed", "Other", "Not Black", "Unknown")
GENDER_ORDER = ("Male", "Female", "Other", "Unknown")
UNKNOWN = "Unknown"
DIMENSIONS = ("ethnicity", "ethnicity_officer", "age", "gender", "harm")
DEFAULT_AGE_EDGES = (10, 18, 25, 35)  # police.uk bands: under 10, 10-17, 18-24, 25-34, 35 and over
MAX_AGE = 120
MAX_HARM_BANDS = 12
MAX_FIELD = 1000  # characters in a field that is read (no free text is read; a longer field is refused)
MAX_XLSX_UNPACKED = 100 * 2**20  # declared unpacked size of an .xlsx (zip bomb guard); larger lists go as CSV
MAX_XLSX_RATIO = 100  # declared unpacked / packed size of a large part (pandas' own sheets pack about 17 to 1)
MAX_COUNT = 100_000_000  # a count in an aggregate table (more than the UK population is not a list)
TITLE_ROWS = 10  # rows looked at for a header that is not on row 1
# a formula element in worksheet XML (<f>, <f t="shared" ...>, <x:f>), not <font> or <formula>
_FORMULA_TAG = re.compile(rb"<(?:[A-Za-z0-9_]+:)?f[\s>/]")

# Common spellings of each column (compared after _key()).
ALIASES = {
    "ethnicity": [
        "self-defined ethnicity",
        "self defined ethnicity",
        "self_defined_ethnicity",
        "ethnicity",
        "ethnic group",
        "ethnic_group",
        "ethnicity (self-defined)",
        "self-defined ethnicity code",
    ],
    "ethnicity_officer": [
        "officer-defined ethnicity",
        "officer defined ethnicity",
        "officer_defined_ethnicity",
        "ethnicity (officer-defined)",
        "ic code",
        "ic_code",
        "ethnic appearance",
        "ethnic_appearance",
    ],
    "age": ["age", "age range", "age_range", "age band", "age_band", "age group", "age_group"],
    "gender": ["gender", "sex"],
    "harm": ["harm band", "harm_band", "harm score", "harm_score", "risk band", "risk_band"],
    "id": ["id", "person id", "person_id", "nominal id", "nominal_id", "urn", "pnc id", "pnc_id"],
    "dimension": ["dimension"],
    "category": ["category"],
    "count": ["count", "n", "number", "people"],
    "synthetic": ["synthetic"],
}
PERCENT_HEADERS = {"percent", "percentage", "%", "share", "pct", "proportion"}
POLICE_UK_STOP_SEARCH = {
    "type",
    "date",
    "gender",
    "age range",
    "self-defined ethnicity",
    "officer-defined ethnicity",
    "legislation",
    "object of search",
    "outcome",
}
DIMENSION_ALIASES = {
    "ethnicity": "ethnicity",
    "self-defined ethnicity": "ethnicity",
    "ethnic group": "ethnicity",
    "ethnicity_officer": "ethnicity_officer",
    "officer-defined ethnicity": "ethnicity_officer",
    "officer_ethnicity": "ethnicity_officer",
    "age": "age",
    "age band": "age",
    "age range": "age",
    "gender": "gender",
    "sex": "gender",
    "harm": "harm",
    "harm band": "harm",
}
GENDER_VALUES = {
    "male": "Male",
    "m": "Male",
    "man": "Male",
    "boy": "Male",
    "female": "Female",
    "f": "Female",
    "woman": "Female",
    "girl": "Female",
    "other": "Other",
    "non-binary": "Other",
    "nonbinary": "Other",
    "x": "Other",
    "indeterminate": "Other",
    "unknown": UNKNOWN,
    "u": UNKNOWN,
    "not stated": UNKNOWN,
    "not known": UNKNOWN,
    "not recorded": UNKNOWN,
    "prefer not to say": UNKNOWN,
    "": UNKNOWN,
}
# a declared harm label: starts with a letter or digit (never = + - @, which a spreadsheet runs as a formula)
_HARM_LABEL = re.compile(r"[A-Za-z0-9][A-Za-z0-9 +\-<>./]{0,29}")
_HARM_SCORE = re.compile(r"-?\d{1,15}(\.\d{1,15})?")
_UNKNOWN_WORDS = {"", "unknown", "not known", "not recorded", "not stated"}


@dataclass
class ListData:
    """What a list contributes to a profile: counts per category, nothing row-level."""

    file: str
    kind: str  # "record" or "aggregate"
    format: str  # e.g. "police.uk stop and search", "record-level list", "aggregate table"
    n: int
    counts: dict[str, pd.Series]  # dimension -> counts indexed by category, Unknown included
    columns: dict[str, str] = field(default_factory=dict)  # dimension -> column name in the file
    synthetic: bool = False
    mapping_version: int = 0
    notes: list[str] = field(default_factory=list)


# ---------------------------------------------------------------- mapping


def norm(value: str) -> str:
    """Case, dash style and spacing around punctuation do not matter."""
    v = str(value).strip().lower().replace("\u2013", "-").replace("\u2014", "-").replace("\u00a0", " ")
    v = re.sub(r"\s*([-/:,])\s*", r"\1", v)
    return re.sub(r"\s+", " ", v)


@lru_cache(maxsize=4)
def ethnicity_lookup(data_dir: str = "data") -> tuple[dict[str, str], int]:
    """normalised value -> group from data/manual/ethnicity_mapping.csv, and its version.

    A value listed under two codings must map to the same group everywhere;
    otherwise the mapping itself is refused (a list could not be read unambiguously)."""
    path = _data_dir(data_dir) / MAPPING
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    lookup: dict[str, str] = {}
    for i, row in enumerate(table.itertuples(index=False), start=2):
        key = norm(row.value)
        if lookup.get(key, row.group) != row.group:
            raise ProblemError(
                [
                    problem(
                        display_path(path),
                        i,
                        "value",
                        row.value,
                        f"maps to {row.group} here but to {lookup[key]} in another row",
                    )
                ]
            )
        lookup[key] = row.group
    versions = sorted(set(table["mapping_version"]))
    if len(versions) != 1:
        raise ProblemError(
            [problem(display_path(path), "-", "mapping_version", versions, "one mapping version for the whole table")]
        )
    return lookup, int(versions[0])


def map_ethnicity(value: str, lookup: dict[str, str]) -> str | None:
    """Group for one distinct value; None when it is not in the mapping.

    Also accepts 'label (CODE)' and 'CODE - label' when label and code agree."""
    key = norm(value)
    if key == "":
        return UNKNOWN
    if key in lookup:
        return lookup[key]
    m = re.fullmatch(r"(.+?)\s*\(([a-z0-9]{2,3})\)", key)
    if m and m[1] in lookup and m[2] in lookup and lookup[m[1]] == lookup[m[2]]:
        return lookup[m[1]]
    m = re.fullmatch(r"([a-z0-9]{2,3})\s*[-:]\s*(.+)", key)
    if m and m[1] in lookup and m[2] in lookup and lookup[m[1]] == lookup[m[2]]:
        return lookup[m[1]]
    return None


# ---------------------------------------------------------------- age


def parse_age_band(value: str) -> tuple[int, int | None] | None:
    """'under 10' -> (0, 9); '10-17' -> (10, 17); 'over 34' -> (35, None);
    '19+' / '19 and over' -> (19, None); '18 or under' -> (0, 18). None if not a band:
    a plain number is an age, not a band. The one band parser is methods.bands.parse_band;
    an open band ends at None here."""
    v = norm(value)
    if re.fullmatch(r"(?:age )?\d+", v):
        return None
    try:
        lo, hi = _bands.parse_band(v)
    except ValueError:
        return None
    return lo, (None if hi >= _bands.OPEN_END else hi)


def band_label(lo: int, hi: int | None) -> str:
    """Canonical label, so the same band reads the same whatever its spelling
    (methods.bands.band_label; a one-year band is its year)."""
    return str(lo) if lo == hi else _bands.band_label(lo, _bands.OPEN_END if hi is None else hi)


def age_edges(spec: str | tuple = DEFAULT_AGE_EDGES) -> tuple[int, ...]:
    """'10,18,25,35' -> (10, 18, 25, 35): band lower edges for whole years."""
    if isinstance(spec, str):
        spec = tuple(int(x) for x in spec.split(",") if x.strip())
    edges = tuple(int(x) for x in spec)
    if not edges or list(edges) != sorted(set(edges)) or edges[0] <= 0:
        raise ValueError(f"age bands must be increasing positive whole years, e.g. '10,18,25,35'; got {spec!r}")
    return edges


def _year_bands(edges: tuple[int, ...]) -> list[tuple[int, int | None]]:
    bounds = [0, *edges]
    return [(bounds[i], bounds[i + 1] - 1) for i in range(len(edges))] + [(edges[-1], None)]


# ---------------------------------------------------------------- reading


def _key(name: str) -> str:
    return re.sub(r"\s+", " ", str(name).replace("\ufeff", "").strip().lower())


def _refuse(shown: str, rows, column, value, rule: str):
    raise ProblemError([problem(shown, rows, column, value, rule)])


@contextmanager
def _csv_limit(size: int):
    """The csv module's field limit is process-wide state that other libraries change
    (frictionless, scipy): lift it for one read, so a result never depends on them.
    The length of every field that is read is checked afterwards (MAX_FIELD)."""
    old = csv.field_size_limit(max(size, csv.field_size_limit()))
    try:
        yield
    finally:
        csv.field_size_limit(old)


def _split(line: str, sep: str) -> list[str]:
    try:
        with _csv_limit(len(line)):
            return next(csv.reader([line], delimiter=sep), [])
    except csv.Error:
        return [line]


def _sniff_line(line: str) -> str:
    """Comma, semicolon or tab: whichever splits the line (outside quotes) into most fields."""
    line = line.rstrip("\r")
    fields = {sep: len(_split(line, sep)) for sep in (",", ";", "\t")}
    return max(fields, key=lambda sep: (fields[sep], sep == ","))


def _first_line(text: str) -> str:
    end = text.find("\n")
    return (text if end < 0 else text[:end]).rstrip("\r")


def _duplicate_columns(header: list[str], shown: str) -> None:
    """Two columns with the same name (exactly, or apart from case and spacing) are refused, naming both."""
    seen: dict[str, int] = {}
    for j, name in enumerate(header):
        k = _key(name)
        if not k:
            continue
        if k in seen:
            i = seen[k]
            same = "the same name" + ("" if header[i] == name else " apart from case and spacing")
            _refuse(
                shown,
                1,
                name,
                header[i],
                f"each column name appears once in the header: columns {i + 1} "
                f"({quoted(header[i])}) and {j + 1} ({quoted(name)}) have {same}",
            )
        seen[k] = j


def _title_rows(rows: list[list[str]], recognised, shown: str) -> None:
    """Row 1 must be the header: when it has no column this profile reads but a row
    below it does, the rows above are a title or notes, and the message says so."""
    if recognised is None or not rows or recognised({_key(h) for h in rows[0]}):
        return
    for i, row in enumerate(rows[1:TITLE_ROWS], start=2):
        if recognised({_key(h) for h in row}):
            _refuse(
                shown,
                list(range(1, i)),
                "-",
                ", ".join(h for h in rows[0] if h.strip()) or "(blank)",
                f"the header (column names) must be row 1; row {i} holds the column names, so the rows above it "
                "are a title or notes: delete them",
            )


def _read_xlsx(path: Path, shown: str, recognised) -> tuple[list[str], pd.DataFrame]:
    """The first sheet as strings: header list and data rows. Guards: declared
    unpacked size (zip bomb), formula cells without a saved result."""
    try:
        with zipfile.ZipFile(path) as zf:
            unpacked = sum(info.file_size for info in zf.infolist())
            if unpacked > MAX_XLSX_UNPACKED:
                _refuse(
                    shown,
                    "-",
                    "-",
                    f"{unpacked / 2**20:,.0f} MiB unpacked",
                    f"an .xlsx file unpacks to at most {MAX_XLSX_UNPACKED // 2**20} MiB (a guard against zip "
                    "bombs); save the sheet as CSV UTF-8",
                )
            for info in zf.infolist():  # a real sheet packs about 5 to 20 to 1; a bomb hundreds to 1
                if info.file_size > 8 * 2**20 and info.file_size > MAX_XLSX_RATIO * max(info.compress_size, 1):
                    _refuse(
                        shown,
                        "-",
                        "-",
                        f"{info.file_size / max(info.compress_size, 1):,.0f} to 1",
                        f"an .xlsx part packs at most {MAX_XLSX_RATIO} to 1 (a guard against zip bombs; "
                        f"{info.filename} does not): save the sheet as CSV UTF-8",
                    )
            sheets = [
                i.filename
                for i in zf.infolist()
                if i.filename.startswith("xl/worksheets/") and i.filename.endswith(".xml")
            ]
            has_formulas = any(_FORMULA_TAG.search(zf.read(name)) for name in sheets)
        if has_formulas:
            _uncached_formulas(path, shown)
        frame = pd.read_excel(path, sheet_name=0, header=None, dtype=str, engine="openpyxl", keep_default_na=False)
    except ProblemError:
        raise
    except Exception as exc:  # noqa: BLE001 - any failure of the workbook parsers on a hostile file is a refusal
        _refuse(shown, "-", "-", path.name, f"an .xlsx file must be a readable Excel workbook ({type(exc).__name__})")
    frame = frame.fillna("")
    if frame.shape[0] == 0 or frame.shape[1] == 0:
        _refuse(shown, 1, "-", "", "the file is empty: a list needs a header row and data rows")
    rows = [[str(v) for v in frame.iloc[i]] for i in range(min(TITLE_ROWS, len(frame)))]
    _title_rows(rows, recognised, shown)
    header = [str(h).strip() for h in frame.iloc[0]]
    _duplicate_columns(header, shown)
    frame = frame.iloc[1:].reset_index(drop=True)
    frame.columns = [h if h else f"(column {j + 1} without a name)" for j, h in enumerate(header)]
    return header, frame


def _uncached_formulas(path: Path, shown: str) -> None:
    """Refuse formula cells that have no saved result (openpyxl's data_only gives
    None for them, which would silently count as Unknown)."""
    import openpyxl

    book = openpyxl.load_workbook(path, read_only=True, data_only=False)
    try:
        sheet = book.worksheets[0]
        header, formulas = {}, {}
        for row in sheet.iter_rows():
            for cell in row:
                if getattr(cell, "data_type", None) == "f":
                    formulas[(cell.row, cell.column)] = (cell.coordinate, str(cell.value))
                elif getattr(cell, "row", None) == 1:
                    header[cell.column] = "" if cell.value is None else str(cell.value).strip()
    finally:
        book.close()
    if not formulas:
        return
    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        missing = [
            (r, c)
            for row in book.worksheets[0].iter_rows()
            for cell in row
            if (r := getattr(cell, "row", None)) is not None
            and (c := cell.column) is not None
            and (r, c) in formulas
            and cell.value is None
        ]
    finally:
        book.close()
    problems = []
    by_column: dict[int, list] = {}
    for r, c in sorted(missing, key=lambda rc: (rc[1], rc[0])):
        by_column.setdefault(c, []).append(r)
    for c, rows in by_column.items():
        cells = [formulas[(r, c)][0] for r in rows]
        named = ", ".join(cells[:MAX_SHOWN_ROWS]) + (
            f" and {len(cells) - MAX_SHOWN_ROWS} more" if len(cells) > MAX_SHOWN_ROWS else ""
        )
        problems.append(
            problem(
                shown,
                rows,
                header.get(c) or f"column {c}",
                formulas[(rows[0], c)][1],
                f"a formula cell must hold its saved result, and {named} have none (the file was "
                "written by a program that does not calculate): open it in Excel or LibreOffice "
                "and save it, so each result is stored",
            )
        )
    if problems:
        raise ProblemError(problems)


# ---------------------------------------------------------------- reading a CSV in pieces
# A CSV list is read once, in pieces of CHUNK_BYTES that end on a record boundary,
# so memory stays bounded whatever the file's size. Each piece is checked as bytes
# with numpy (UTF-8, NUL bytes, quotes, fields per record, blank records) and
# parsed by pandas' C parser with only the columns used, as categoricals: every
# rule below is then checked once per distinct value, and the rows a refusal names
# are found from the category codes (_Tally). No row is ever looked at in Python.
# Why by hand: no CSV library reports the record number of a wrong field count
# while reading only some columns (pandas pads short rows and, with usecols,
# drops extra fields without a word); pyarrow's streaming reader would, but it
# changes pandas 3's string storage for the whole project.

CHUNK_BYTES = 8 * 2**20  # about 100 MiB of parser memory at most (16 MiB: 165 MiB, hardly faster)
HEAD_BYTES = 2**20  # read first for the checks on the head of the file (encoding, header, title rows)
MAX_TRACKED = 50  # distinct values of one column whose rows are collected for a refusal


class _Tally:
    """Distinct values of one column with their counts (in order of first
    appearance) and, for the values `track` flags (those a refusal would name),
    the rows they are on. Fed categoricals piece by piece."""

    def __init__(self, track=None):
        self.counts: dict[str, int] = {}
        self.flag: dict[str, bool] = {}
        self.track = track or (lambda v: False)
        self.tracked: dict[str, list[np.ndarray]] = {}
        self.untracked_rows = 0  # rows of flagged values beyond MAX_TRACKED

    def add(self, cat: pd.Categorical, rows: np.ndarray) -> None:
        codes = np.asarray(cat.codes)
        if not len(codes):
            return
        categories = cat.categories
        per = np.bincount(codes, minlength=len(categories))
        present, first = np.unique(codes, return_index=True)
        for c in present[np.argsort(first, kind="stable")]:
            v = str(categories[c])
            k = int(per[c])
            if v in self.counts:
                self.counts[v] += k
            else:
                self.counts[v] = k
                self.flag[v] = bool(self.track(v))
            if self.flag[v]:
                if v in self.tracked:
                    self.tracked[v].append(rows[codes == c])
                elif len(self.tracked) < MAX_TRACKED:
                    self.tracked[v] = [rows[codes == c]]
                else:
                    self.untracked_rows += k

    def rows(self, value: str) -> np.ndarray:
        return np.concatenate(self.tracked[value]) if value in self.tracked else np.array([], dtype=np.int64)

    def flagged(self) -> list[str]:
        return list(self.tracked)


class _Ids:
    """Identifiers, kept only as two independent 64-bit hashes per row (128 bits:
    a false duplicate is about as likely as 1 in 10**25 for ten million rows), to
    find duplicates in bounded memory; the identifier itself is never kept."""

    KEYS = ("police-lists-id-1", "police-lists-id-2")

    def __init__(self):
        self.parts: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        self.long: tuple[int, str] | None = None  # the first field longer than MAX_FIELD (row, value)

    def add(self, cat: pd.Categorical, rows: np.ndarray) -> None:
        values = cat.categories.to_numpy(dtype=object)
        codes = np.asarray(cat.codes)
        keep = codes >= 0
        blank = np.array([v == "" for v in values], dtype=bool)
        if len(values):
            keep &= ~blank[codes]
        long = np.array([len(v) > MAX_FIELD for v in values], dtype=bool)
        if self.long is None and len(values) and long[codes[codes >= 0]].any():
            i = int(np.argmax(long[np.maximum(codes, 0)] & (codes >= 0)))
            self.long = (int(rows[i]), str(values[codes[i]]))
        codes = codes[keep]
        h1, h2 = (pd.util.hash_array(values, hash_key=k.ljust(16)[:16]) for k in self.KEYS)
        self.parts.append((h1[codes], h2[codes], rows[keep]))

    def duplicates(self) -> tuple[np.ndarray, int]:
        """Rows of the first duplicated identifier, and how many rows hold a duplicate."""
        if not self.parts:
            return np.array([], dtype=np.int64), 0
        frame = pd.DataFrame({k: np.concatenate([p[i] for p in self.parts]) for i, k in enumerate("abr")})
        dup = frame.duplicated(["a", "b"], keep=False).to_numpy()
        if not dup.any():
            return np.array([], dtype=np.int64), 0
        i = int(np.argmax(dup))
        same = (frame["a"].to_numpy() == frame["a"].iat[i]) & (frame["b"].to_numpy() == frame["b"].iat[i])
        return frame["r"].to_numpy()[same], int(dup.sum())


def _head_checks(block: bytes, shown: str) -> None:
    """What the first piece says about the whole file: UTF-16, empty, CR-only line ends."""
    if block.startswith((b"\xff\xfe", b"\xfe\xff")):
        _refuse(
            shown,
            1,
            "-",
            f"byte {block[:2].hex(' ')}",
            "the file must be UTF-8 text (with or without BOM); this one is UTF-16: save it as CSV UTF-8",
        )
    if not block or block.isspace():
        _refuse(shown, 1, "-", "", "the file is empty: a list needs a header row and data rows")
    if b"\n" not in block and b"\r" in block.rstrip(b"\r"):
        _refuse(
            shown,
            "-",
            "-",
            "CR line ends",
            "lines must end with a line feed (LF or CRLF); this file ends them "
            "with a carriage return only (classic Mac OS): save it as CSV UTF-8",
        )


def _nul(piece: bytes, head: bytes, line_no: int, shown: str) -> None:
    nul = piece.find(b"\x00")
    if nul < 0:
        return
    start = head[:4096]
    if start[1::2].count(0) > len(start) // 8 or start[0::2].count(0) > len(start) // 8:
        _refuse(
            shown,
            1,
            "-",
            f"bytes {start[:4].hex(' ')}",
            "the file must be UTF-8 text; this one looks like "
            "UTF-16 without a byte-order mark (a NUL byte beside every letter): save it as CSV UTF-8",
        )
    _refuse(
        shown,
        line_no + piece[:nul].count(b"\n") + 1,
        "-",
        "byte 00",
        "a CSV file is text and holds no NUL bytes "
        "(is it a binary or spreadsheet file renamed .csv?): save it as CSV UTF-8",
    )


def _utf8(piece: bytes, line_no: int, header: list[str], sep: str, shown: str) -> None:
    try:
        piece.decode("utf-8")
    except UnicodeDecodeError as exc:
        row = line_no + piece[: exc.start].count(b"\n") + 1
        line_start = piece.rfind(b"\n", 0, exc.start) + 1
        index = piece[line_start : exc.start].decode("utf-8", "replace").count(sep)
        column = header[index].strip() if row > 1 and index < len(header) else "-"
        _refuse(
            shown,
            row,
            column,
            f"byte {piece[exc.start : exc.end].hex(' ')}",
            "the file must be UTF-8 text (with or without BOM); save it as CSV UTF-8",
        )


# Every cell is read as the text it holds: no NA guessing, blank lines and spaces
# kept (the reader counts rows itself), UTF-8, pandas' C parser.
_CSV_TEXT = dict(
    keep_default_na=False, na_filter=False, skip_blank_lines=False, skipinitialspace=False, encoding="utf-8", engine="c"
)


def _outside(positions: np.ndarray, quotes: np.ndarray) -> np.ndarray:
    """The positions not inside a quoted field (an even number of quote marks before them)."""
    if not len(quotes) or not len(positions):
        return positions
    return positions[np.searchsorted(quotes, positions) % 2 == 0]


def _blank_record(record: bytes, sep: str) -> bool:
    """A record holding nothing but separators, spaces and empty quoted fields."""
    if not record.strip(f"{sep} \t\r".encode()):
        return True
    if b'"' in record:
        return not any(f.strip() for f in _split(record.decode("utf-8"), sep))
    return False


def _records(piece: bytes, sep: str, expected: int, first_row: int, shown: str, at_end: bool):
    """Record boundaries of a piece, (starts, ends), checked: a record whose
    number of fields is not the header's is refused unless it is blank, and so is
    an unclosed quote. Counting runs over the newlines and separators outside
    quotes (np.searchsorted), never over the records one by one."""
    buf = np.frombuffer(piece, dtype=np.uint8)
    quotes = np.flatnonzero(buf == ord('"'))
    ends = _outside(np.flatnonzero(buf == 10), quotes)
    if at_end and len(quotes) % 2:
        opening = int(quotes[-1])  # an odd number of quote marks: the last one opens a field never closed
        _refuse(
            shown,
            first_row + int(np.searchsorted(ends, opening)),
            "-",
            '"',
            "every quoted field is closed (a quote mark is missing)",
        )
    if len(piece) and (not len(ends) or ends[-1] != len(piece) - 1):
        ends = np.append(ends, len(piece))
    starts = np.concatenate(([0], ends[:-1] + 1)).astype(np.int64)
    seps = _outside(np.flatnonzero(buf == ord(sep)), quotes)
    fields = np.diff(np.searchsorted(seps, ends), prepend=0) + 1
    for i in np.flatnonzero(fields != expected):
        if not _blank_record(piece[starts[i] : ends[i]], sep):
            _refuse(
                shown,
                first_row + int(i),
                "-",
                f"{int(fields[i])} fields",
                f"every row has the header's {expected} fields (check separators and quotes)",
            )
    return starts, ends


class _Source:
    """A list file opened for reading: its header (row 1), then its data rows
    piece by piece (pieces()) as categoricals of the columns asked for, with
    their row numbers. Blank records are left out of the pieces; `inner_blank`
    names those inside the list (a refusal) and `n` counts the data rows."""

    def __init__(self, path: Path, shown: str, recognised, chunk_bytes: int | None = None):
        self.path, self.shown = path, shown
        self.chunk = chunk_bytes or CHUNK_BYTES
        self.n = 0
        self.inner_blank: list[np.ndarray] = []
        self.xlsx = None
        suffix = path.suffix.lower()
        if not path.is_file():
            _refuse(shown, "-", "-", str(shown), "the list file must exist")
        with open(path, "rb") as fh:
            magic = fh.read(4)
        if suffix == ".xlsx" or magic == b"PK\x03\x04":
            self.header, self.xlsx = _read_xlsx(path, shown, recognised)
            return
        if suffix not in (".csv", ".txt", ""):
            _refuse(shown, "-", "-", path.name, "a list is a .csv or .xlsx file")
        with open(path, "rb") as fh:  # the head: at least a MiB, and the whole header line
            self.first = fh.read(max(self.chunk, HEAD_BYTES))
            while b"\n" not in self.first and (more := fh.read(HEAD_BYTES)):
                self.first += more
            self.whole = not fh.read(1)
        self.bom = 3 if self.first.startswith(b"\xef\xbb\xbf") else 0
        self.first = self.first[self.bom :]
        _head_checks(self.first, shown)
        _nul(self.first, self.first, 0, shown)
        end = self.first.find(b"\n")
        line = (self.first if end < 0 else self.first[:end]).decode("utf-8", "replace").rstrip("\r")
        self.sep = _sniff_line(line)
        self.header = [h.strip() for h in _split(line, self.sep)]
        _utf8(self.first if self.whole else self.first[: self.first.rfind(b"\n") + 1], 0, self.header, self.sep, shown)
        if recognised is not None and not recognised({_key(h) for h in self.header}):
            lines = self.first[: 64 * 1024].decode("utf-8", "replace").split("\n")[:TITLE_ROWS]
            _title_rows([[h.strip() for h in _split(x, _sniff_line(x))] for x in lines], recognised, shown)
        _duplicate_columns(self.header, shown)
        for name in self.header:
            if len(name) > MAX_FIELD:
                _refuse(shown, 1, name, name, f"a column name is at most {MAX_FIELD:,} characters")

    def pieces(self, columns: list[str], dtype="category"):
        """(frame of `columns` (strings or categoricals), row numbers) per piece."""
        if self.xlsx is not None:
            yield from self._xlsx_pieces(columns, dtype)
            return
        index = [self.header.index(c) for c in columns] or [0]
        pending: list[np.ndarray] = []
        record_no, offset, carry, at_end = 0, 0, b"", False
        with open(self.path, "rb") as fh:
            fh.seek(self.bom)
            while not at_end:
                block = fh.read(self.chunk)
                at_end = not block
                data = carry + block
                if not at_end:
                    cut = data.rfind(b"\n") + 1
                    if cut and b'"' in data:  # the last line end outside quotes
                        buf = np.frombuffer(data, dtype=np.uint8)
                        ends = _outside(np.flatnonzero(buf == 10), np.flatnonzero(buf == ord('"')))
                        cut = int(ends[-1]) + 1 if len(ends) else 0
                    if not cut:
                        carry = data
                        continue
                    piece, carry = data[:cut], data[cut:]
                else:
                    piece, carry = data, b""
                if not piece:
                    continue
                if b"\x00" in piece:
                    _nul(piece, self.first, self._lines_before(offset), self.shown)
                try:
                    piece.decode("utf-8")
                except UnicodeDecodeError:
                    _utf8(piece, self._lines_before(offset), self.header, self.sep, self.shown)
                starts, ends = _records(piece, self.sep, len(self.header), record_no + 1, self.shown, at_end)
                skip = 1 if record_no == 0 else 0  # the header
                rows = record_no + 1 + np.arange(skip, len(ends), dtype=np.int64)
                record_no += len(ends)
                offset += len(piece)
                if not len(rows):
                    continue
                frame = self._parse(piece, int(starts[skip]), index, columns, dtype, rows)
                # A blank record is blank in every column read: only those rows are looked at as bytes.
                maybe = np.ones(len(rows), dtype=bool)
                for column in frame.columns[: len(columns)]:
                    values = frame[column].array
                    if dtype == "category":
                        empty = np.array([not str(v).strip() for v in values.categories], dtype=bool)
                        maybe &= empty[np.asarray(values.codes)] if len(empty) else False
                    else:
                        maybe &= frame[column].str.strip().eq("").to_numpy()
                blank = np.zeros(len(rows), dtype=bool)
                for i in np.flatnonzero(maybe):
                    blank[i] = _blank_record(piece[starts[i + skip] : ends[i + skip]], self.sep)
                keep = ~blank
                if keep.any():
                    last = rows[keep][-1]
                    self.inner_blank += pending + [rows[blank & (rows < last)]]
                    pending = [rows[blank & (rows > last)]]
                else:
                    pending.append(rows[blank])
                self.n += int(keep.sum())
                if not keep.all():
                    frame, rows = frame[keep], rows[keep]
                yield frame, rows

    def _lines_before(self, offset: int) -> int:
        """Line ends before a byte offset (only when a refusal names a row)."""
        count = 0
        with open(self.path, "rb") as fh:
            fh.seek(self.bom)
            while offset > 0:
                block = fh.read(min(self.chunk, offset))
                if not block:
                    break
                count += block.count(b"\n")
                offset -= len(block)
        return count

    def _parse(self, piece: bytes, start: int, index, columns, dtype, rows) -> pd.DataFrame:
        try:
            frame = pd.read_csv(
                io.BytesIO(memoryview(piece)[start:]),
                sep=self.sep,
                header=None,
                names=list(range(len(self.header))),
                usecols=index,
                dtype=dtype,
                **_CSV_TEXT,
            )
        except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError) as exc:
            _refuse(self.shown, int(rows[0]), "-", str(exc).splitlines()[0], "the file must be a well-formed CSV")
        if len(frame) != len(rows):  # pandas ends a line at a lone carriage return too
            buf = np.frombuffer(piece, dtype=np.uint8)
            cr = np.flatnonzero(buf == 13)
            lone = cr[(cr + 1 >= len(buf)) | (buf[np.minimum(cr + 1, len(buf) - 1)] != 10)]
            lone = _outside(lone[lone >= start], np.flatnonzero(buf == ord('"')))
            ends = _outside(np.flatnonzero(buf == 10), np.flatnonzero(buf == ord('"')))
            at = rows[0] + int(np.searchsorted(ends[ends >= start], lone[0])) if len(lone) else int(rows[0])
            _refuse(
                self.shown,
                at,
                "-",
                "carriage return",
                "lines end with a line feed (LF or CRLF): a carriage return alone is allowed only inside quotes",
            )
        frame.columns = [self.header[i] for i in index]
        return frame[columns]

    def _xlsx_pieces(self, columns, dtype):
        frame = self.xlsx[[c for c in self.xlsx.columns if c in columns]]
        blank = (frame.apply(lambda c: c.str.strip()) == "").all(axis=1).to_numpy()
        if not len(frame.columns):
            blank = (self.xlsx.apply(lambda c: c.str.strip()) == "").all(axis=1).to_numpy()
        rows = np.arange(2, len(blank) + 2, dtype=np.int64)
        keep = ~blank
        if keep.any():
            last = rows[keep][-1]
            self.inner_blank.append(rows[blank & (rows < last)])
        self.n = int(keep.sum())
        frame = frame[keep]
        if dtype == "category":
            frame = frame.astype("category")
        yield frame, rows[keep]

    def blank_rows(self) -> np.ndarray:
        return np.concatenate(self.inner_blank) if self.inner_blank else np.array([], dtype=np.int64)

    def finish(self, long_fields: list[tuple[str, int, str]]) -> None:
        """The checks that need the whole file, in the order a reader meets them:
        a field too long (the first column, in file order, that has one), blank rows
        inside the list, no data rows."""
        if long_fields:
            column, row, value = long_fields[0]
            _refuse(
                self.shown, row, column, value, f"a field is at most {MAX_FIELD:,} characters (no free text is read)"
            )
        inner = self.blank_rows()
        if len(inner):
            _refuse(self.shown, np.sort(inner), "-", "", "no blank rows inside the list")
        if self.n == 0:
            _refuse(self.shown, 2, "-", "", "the file has a header but no data rows")


def _find(header: list[str], explicit: str | None, role: str, shown: str, required: bool) -> str | None:
    keys = {_key(h): h for h in header}
    if explicit:
        if _key(explicit) in keys:
            return keys[_key(explicit)]
        named = ", ".join(quoted(h) for h in header[:10]) + (
            f" and {len(header) - 10} more" if len(header) > 10 else ""
        )
        raise ProblemError(
            [
                problem(
                    shown,
                    1,
                    explicit,
                    "(missing)",
                    f"the {role} column named by the parameter must be in the header; header has {named}",
                )
            ]
        )
    for alias in ALIASES[role]:
        if alias in keys:
            return keys[alias]
    if required:
        raise ProblemError(
            [
                problem(
                    shown,
                    1,
                    role,
                    "(missing)",
                    f"a required {role} column is missing; name it with the {role}_column "
                    f"parameter or use one of: {', '.join(ALIASES[role][:4])}",
                )
            ]
        )
    return None


def read_list(
    path,
    *,
    ethnicity_column: str = "",
    officer_ethnicity_column: str = "",
    age_column: str = "",
    gender_column: str = "",
    harm_column: str = "",
    id_column: str = "",
    harm_bands: str = "",
    harm_labels: str = "",
    age_bands: str | tuple = DEFAULT_AGE_EDGES,
    data_dir: str = "data",
    chunk_bytes: int | None = None,
) -> ListData:
    """Read and validate a list; return its counts per dimension or raise ProblemError.

    A CSV is read once, in pieces of `chunk_bytes` (default CHUNK_BYTES), and
    only its columns this profile uses; the result does not depend on the piece size."""
    p = resolve(path)
    shown = display_path(p)
    lookup, version = ethnicity_lookup(data_dir)
    edges = age_edges(age_bands)
    harm = (harm_edges(harm_bands), harm_vocabulary(harm_labels))
    explicit = {
        "ethnicity": ethnicity_column,
        "ethnicity_officer": officer_ethnicity_column,
        "age": age_column,
        "gender": gender_column,
        "harm": harm_column,
        "id": id_column,
    }
    aggregate_keys = {"dimension", "category"}

    def wanted(keys: set[str]) -> set[str]:
        if aggregate_keys <= keys:
            return keys
        out = {_key(v) for v in explicit.values() if v}
        for role in ("ethnicity", "ethnicity_officer", "age", "gender", "harm", "id", "synthetic", "count"):
            out |= set(ALIASES[role])
        return out

    readable = {_key(v) for v in explicit.values() if v} | set(ALIASES["ethnicity"]) | set(ALIASES["ethnicity_officer"])

    def recognised(keys: set[str]) -> bool:
        return aggregate_keys <= keys or bool(keys & readable)

    source = _Source(p, shown, recognised, chunk_bytes)
    full_header = source.header
    keys = {_key(h) for h in full_header}
    header = [h for h in full_header if _key(h) in wanted(keys)]
    if source.xlsx is not None:
        header = [c for c, h in zip(source.xlsx.columns, full_header) if _key(h) in wanted(keys)]
    if aggregate_keys <= keys:
        parts = list(source.pieces(header, dtype=str))
        frame = pd.concat([f for f, _ in parts], ignore_index=True) if parts else pd.DataFrame(columns=header)
        source.finish(_long_fields(frame, header))
        return _read_aggregate(frame, shown, lookup, version, harm)
    count_like = [h for h in header if _key(h) in PERCENT_HEADERS or _key(h) == "count"]
    if count_like:
        raise ProblemError(
            [
                problem(
                    shown,
                    1,
                    count_like[0],
                    count_like[0],
                    "a count or percentage column needs dimension and category columns "
                    "(aggregate table); a record-level list has one row per person",
                )
            ]
        )
    police_uk = POLICE_UK_STOP_SEARCH <= keys
    data = ListData(shown, "record", "police.uk stop and search" if police_uk else "record-level list", 0, {})
    data.mapping_version = version
    problems: list[str] = []
    cols = {
        role: _find(header, explicit[role], role, shown, required=False)
        for role in ("ethnicity", "ethnicity_officer", "age", "gender", "harm", "id")
    }
    if cols["ethnicity"] == cols["ethnicity_officer"]:
        cols["ethnicity_officer"] = None
    if cols["ethnicity"] is None and cols["ethnicity_officer"] is not None:
        # Only officer-defined ethnicity (e.g. IC codes): it becomes the profile's ethnicity.
        cols["ethnicity"], cols["ethnicity_officer"] = cols["ethnicity_officer"], None
        data.notes.append("ethnicity: officer-defined (the list has no self-defined column)")
    if cols["ethnicity"] is None:
        _find(header, None, "ethnicity", shown, required=True)
    synth = _find(header, None, "synthetic", shown, required=False)

    # What a refusal would name, decided once per distinct value as it is first met.
    first_band: list[str] = []

    def age_flag(v: str) -> bool:
        kind = _age_value(v)[0]
        if kind == "band" and not first_band:
            first_band.append(v)
            return True
        return kind == "bad"

    rules = {
        "ethnicity": lambda v: map_ethnicity(v, lookup) is None,
        "ethnicity_officer": lambda v: map_ethnicity(v, lookup) is None,
        "age": age_flag,
        "gender": lambda v: GENDER_VALUES.get(norm(v)) is None,
        "harm": lambda v: _harm_category(v, *harm)[0] is None,
    }
    tallies: dict[str, _Tally] = {}
    roles: dict[str, str] = {}
    for role, column in [*((r, cols[r]) for r in rules), ("synthetic", synth)]:
        if column and column not in tallies:
            rule = rules.get(role, lambda v: False)
            tallies[column] = _Tally(lambda v, rule=rule: len(v) > MAX_FIELD or rule(v))
            roles[role] = column
    ids = _Ids() if cols["id"] else None
    read = [c for c in header if c in tallies or c == cols["id"]]
    for frame, rows in source.pieces(read):
        for column, tally in tallies.items():
            tally.add(frame[column].array, rows)
        if ids is not None:
            ids.add(frame[cols["id"]].array, rows)
    long = []
    for column in read:
        if column in tallies:
            found = [v for v in tallies[column].flagged() if len(v) > MAX_FIELD]
            if found:
                first = min(found, key=lambda v: int(tallies[column].rows(v)[0]))
                long.append((int(tallies[column].rows(first)[0]), column, first))
        elif ids is not None and ids.long:
            long.append((ids.long[0], column, ids.long[1]))
    source.finish([(c, r, v) for r, c, v in sorted(long, key=lambda x: (read.index(x[1]), x[0]))[:1]])
    data.n = source.n
    for role in ("ethnicity", "ethnicity_officer"):
        if cols[role]:
            data.counts[role] = _count_ethnicity(tallies[cols[role]], cols[role], shown, lookup, problems)
    if cols["age"]:
        data.counts["age"] = _count_age(tallies[cols["age"]], cols["age"], shown, edges, problems)
    if cols["gender"]:
        data.counts["gender"] = _count_mapped(
            tallies[cols["gender"]],
            cols["gender"],
            shown,
            GENDER_VALUES,
            GENDER_ORDER,
            "gender is one of Male, Female, Other or blank/Unknown",
            problems,
        )
    if cols["harm"]:
        data.counts["harm"] = _count_harm(tallies[cols["harm"]], cols["harm"], shown, problems, *harm)
    if ids is not None:
        rows, total = ids.duplicates()
        if total:
            problems.append(
                problem(
                    shown,
                    rows,
                    cols["id"],
                    "(identifier withheld)",
                    f"each person appears once: duplicate identifier on {total} rows",
                )
            )
    if synth:
        data.synthetic = all(str(v).upper().startswith("SYNTHETIC") for v in tallies[synth].counts)
        if not data.synthetic:
            problems.append(problem(shown, "-", synth, "", "a synthetic column labels every row SYNTHETIC"))
    if problems:
        raise ProblemError(problems)
    data.columns = {role: c for role, c in cols.items() if c and role != "id"}
    if "ethnicity_officer" in data.counts:
        data.notes.append("ethnicity: self-defined used; officer-defined reported beside it")
    return data


def _long_fields(frame: pd.DataFrame, columns: list[str]) -> list[tuple[str, int, str]]:
    """The first field longer than MAX_FIELD in a (small, aggregate) table read whole."""
    for column in columns:
        lengths = frame[column].str.len().to_numpy()
        if len(lengths) and lengths.max() > MAX_FIELD:
            i = int(np.argmax(lengths > MAX_FIELD))
            return [(column, i + 2, frame[column].iloc[i])]
    return []


def _refuse_values(tally: _Tally, bad: list[str], rule_of, column: str, shown: str, problems: list[str]) -> None:
    """One line per value that breaks a rule, naming its rows (found from the codes)."""
    for v in bad:
        problems.append(problem(shown, tally.rows(v), column, v, rule_of(v)))
    if tally.untracked_rows:
        problems.append(
            problem(
                shown,
                "-",
                column,
                f"{tally.untracked_rows:,} more rows",
                f"more values break the rules above; the first {MAX_TRACKED} are named with their rows",
            )
        )


def _tally(mapped: dict, counts: dict[str, int], order) -> pd.Series:
    """Counts per published category, from counts per distinct value and each value's category."""
    out: dict = {}
    for v, k in counts.items():
        out[mapped[v]] = out.get(mapped[v], 0) + k
    known = [c for c in order if c in out]
    rest = sorted(c for c in out if c not in order)
    return pd.Series([out[c] for c in known + rest], index=pd.Index(known + rest, dtype=object), dtype="int64")


def _count_ethnicity(tally: _Tally, column, shown, lookup, problems) -> pd.Series:
    mapped = {v: map_ethnicity(v, lookup) for v in tally.counts}
    bad = [v for v in tally.flagged() if mapped[v] is None]
    if bad or any(m is None for m in mapped.values()):
        _refuse_values(
            tally,
            bad,
            lambda v: (
                f"ethnicity must be a value in data/{MAPPING} (White, Black, Asian, Mixed, Other; "
                f"IC codes; self-defined 16+1/18+1; Census 2021 groups) or blank for Unknown"
            ),
            column,
            shown,
            problems,
        )
        return pd.Series(dtype="int64")
    counts = _tally(mapped, tally.counts, GROUP_ORDER)
    if "Not Black" in counts.index and set(counts.index) - {"Black", "Not Black", UNKNOWN}:
        problems.append(problem(shown, "-", column, "Not Black", "a list coded Black / Not Black uses no other group"))
    return counts


def _count_mapped(tally: _Tally, column, shown, vocabulary, order, rule, problems) -> pd.Series:
    mapped = {v: vocabulary.get(norm(v)) for v in tally.counts}
    if any(m is None for m in mapped.values()):
        _refuse_values(
            tally, [v for v in tally.flagged() if mapped[v] is None], lambda v: rule, column, shown, problems
        )
        return pd.Series(dtype="int64")
    return _tally(mapped, tally.counts, order)


def _age_value(value: str):
    v = norm(value)
    if v in ("", "unknown", "not known", "not stated", "not recorded"):
        return ("unknown",)
    m = re.fullmatch(r"0*(\d+?)(\.0+)?", v)
    if m:  # compared as text first: int(float()) of a long digit string overflows
        years = int(m[1]) if len(m[1]) <= 3 else MAX_AGE + 1
        return ("year", years) if years <= MAX_AGE else ("bad", f"an age in years is at most {MAX_AGE}")
    if re.fullmatch(r"-\d+(\.\d+)?", v):
        return ("bad", "an age is not negative")
    if re.fullmatch(r"\d*\.\d+", v):
        return ("bad", "an age in years is a whole number (or give bands such as '10-17')")
    band = parse_age_band(v)
    if band is None:
        return ("bad", "age is whole years or a band such as 'under 10', '10-17', '35 and over'")
    return ("band", band)


def _count_age(tally: _Tally, column, shown, edges, problems) -> pd.Series:
    parsed = {v: _age_value(v) for v in tally.counts}
    if any(p[0] == "bad" for p in parsed.values()):
        bad = [v for v in tally.flagged() if parsed[v][0] == "bad"]
        _refuse_values(tally, bad, lambda v: parsed[v][1], column, shown, problems)
        return pd.Series(dtype="int64")
    kinds = {p[0] for p in parsed.values()} - {"unknown"}
    if kinds == {"year", "band"}:
        first_band = next(v for v, p in parsed.items() if p[0] == "band")
        problems.append(
            problem(
                shown, tally.rows(first_band), column, first_band, "an age column holds whole years or bands, not both"
            )
        )
        return pd.Series(dtype="int64")
    if kinds == {"year"}:
        bands = _year_bands(edges)
        labels = {}
        for v, p in parsed.items():
            if p[0] == "unknown":
                labels[v] = UNKNOWN
            else:
                labels[v] = next(b for b in bands if b[0] <= p[1] and (b[1] is None or p[1] <= b[1]))
    else:
        labels = {v: UNKNOWN if p[0] == "unknown" else p[1] for v, p in parsed.items()}
        distinct = sorted({b for b in labels.values() if b != UNKNOWN}, key=lambda b: b[0])
        for a, b in zip(distinct, distinct[1:]):
            if a[1] is None or b[0] <= a[1]:
                problems.append(
                    problem(shown, "-", column, f"{band_label(*a)} / {band_label(*b)}", "age bands do not overlap")
                )
                return pd.Series(dtype="int64")
    counts: dict = {}
    for v, k in tally.counts.items():
        counts[labels[v]] = counts.get(labels[v], 0) + k
    order = sorted((b for b in counts if b != UNKNOWN), key=lambda b: b[0])
    index = [band_label(*b) for b in order] + ([UNKNOWN] if UNKNOWN in counts else [])
    return pd.Series(
        [counts[b] for b in order] + ([counts[UNKNOWN]] if UNKNOWN in counts else []),
        index=pd.Index(index, dtype=object),
        dtype="int64",
    )


def harm_edges(spec: str) -> tuple[float, ...]:
    """'10,50,100' -> (10.0, 50.0, 100.0): where harm-score bands start ('' for none)."""
    edges = tuple(float(x) for x in spec.split(",") if x.strip())
    if list(edges) != sorted(set(edges)) or not all(np.isfinite(edges)):
        raise ValueError(f"harm bands must be increasing numbers, e.g. '10,50,100'; got {spec!r}")
    return edges


def harm_vocabulary(spec: str) -> tuple[str, ...]:
    """'Red,Amber,Green' -> ('Red', 'Amber', 'Green'): the harm labels a list may use
    ('' for none). These declared spellings, never the file's, are what is published."""
    labels = tuple(x.strip() for x in spec.split(",") if x.strip())
    bad = [x for x in labels if not _HARM_LABEL.fullmatch(x) or norm(x) in _UNKNOWN_WORDS]
    if bad or len({norm(x) for x in labels}) != len(labels) or len(labels) > MAX_HARM_BANDS:
        raise ValueError(
            f"harm labels are up to {MAX_HARM_BANDS} different short labels separated by commas, each "
            f"starting with a letter or digit (letters, digits, spaces, + - < > . /), e.g. "
            f"'Red,Amber,Green'; got {quoted(spec)}"
        )
    return labels


def _harm_band(score: float, edges: tuple[float, ...]) -> str:
    fmt = lambda x: f"{x:g}"  # noqa: E731
    if score < edges[0]:
        return f"score under {fmt(edges[0])}"
    for lo, hi in zip(edges, edges[1:]):
        if score < hi:
            return f"score {fmt(lo)} to under {fmt(hi)}"
    return f"score {fmt(edges[-1])} and over"


def _harm_category(value: str, edges: tuple[float, ...], labels: tuple[str, ...]):
    """(published category, None) or (None, rule broken) for one distinct harm value."""
    v = str(value).strip()
    if norm(v) in _UNKNOWN_WORDS:
        return UNKNOWN, None
    declared = {norm(x): x for x in labels}
    if norm(v) in declared:
        return declared[norm(v)], None
    if _HARM_SCORE.fullmatch(v):
        if not edges:
            return None, "harm scores are numbers: give the harm_bands parameter, e.g. '10,50,100'"
        return _harm_band(float(v), edges), None
    if labels:
        return None, f"a harm value is one of the declared harm_labels ({', '.join(labels)}) or blank for Unknown"
    return None, (
        "a harm label is published only from a declared list: give the harm_labels parameter, e.g. "
        "'Red,Amber,Green' (free text is never published)"
    )


def _count_harm(tally: _Tally, column, shown, problems, edges: tuple[float, ...] = (), labels: tuple[str, ...] = ()):
    """Harm bands from the declared vocabulary (harm_labels), or numeric harm
    scores banded by `edges` (the harm_bands parameter; band edges are never
    taken from the data, whose quantiles would reveal individual scores).
    Anything else is refused with its rows: no free text reaches an output."""
    parsed = {v: _harm_category(v, edges, labels) for v in tally.counts}
    if any(cat is None for cat, _ in parsed.values()):
        rules = {v: rule for v, (cat, rule) in parsed.items() if cat is None}
        numeric = [v for v in rules if _HARM_SCORE.fullmatch(str(v).strip())]
        if numeric and not edges:  # one line for every score, not one per distinct number
            problems.append(problem(shown, "-", column, "(numeric scores)", rules[numeric[0]]))
            rules = {v: r for v, r in rules.items() if v not in numeric}
        bad = [v for v in tally.flagged() if v in rules]
        for v in bad:
            problems.append(problem(shown, tally.rows(v), column, v, rules[v]))
        return pd.Series(dtype="int64")
    mapped = {v: cat for v, (cat, _) in parsed.items()}
    order = list(labels) + ([_harm_band(x, edges) for x in (edges[0] - 1, *edges)] if edges else [])
    return _tally(mapped, tally.counts, order)


def _count_value(text) -> tuple[int | None, str | None]:
    """A count cell: (whole number, None) or (None, the rule it breaks). Parsed as
    text, never through float, so NaN, infinity and 10**400 are refused by name."""
    ks = str(text).strip().replace(",", "")
    if ks.endswith("%"):
        return None, "counts are expected, not percentages"
    if norm(ks) in ("nan", "inf", "-inf", "+inf", "infinity", "-infinity"):
        return None, "a count is a whole number of people (not NaN or infinity)"
    m = re.fullmatch(r"(-?)0*(\d+?)(\.0+)?", ks)
    if m:
        if m[1]:
            return None, "a count is not negative"
        if len(m[2]) > len(str(MAX_COUNT)) or int(m[2]) > MAX_COUNT:
            return None, f"a count is at most {MAX_COUNT:,} (more than any list of people)"
        return int(m[2]), None
    if re.fullmatch(r"-\d*\.?\d+(e[+-]?\d+)?", ks, re.I):
        return None, "a count is not negative"
    if re.fullmatch(r"\d*\.\d+|\d+\.\d*", ks):
        return None, "a count is a whole number (percentages are not accepted)"
    return None, "a count is a whole number of people"


def _read_aggregate(frame: pd.DataFrame, shown: str, lookup, version, harm) -> ListData:
    header = list(frame.columns)
    pct = [h for h in header if _key(h) in PERCENT_HEADERS]
    if pct:
        raise ProblemError([problem(shown, 1, pct[0], pct[0], "counts are expected, not percentages or shares")])
    dim_col = _find(header, None, "dimension", shown, True)
    cat_col = _find(header, None, "category", shown, True)
    cnt_col = _find(header, None, "count", shown, True)
    problems: list[str] = []
    per_row: dict[tuple, list] = {}  # (column, rule) -> [(row, value)]: one line per rule, naming its rows

    def bad(i, column, value, rule):
        per_row.setdefault((column, rule), []).append((i, value))

    rows_of: dict[str, list] = {}
    records = []
    for i, (d, c, k) in enumerate(zip(frame[dim_col], frame[cat_col], frame[cnt_col]), start=2):
        dim = DIMENSION_ALIASES.get(norm(d))
        if dim is None:
            bad(i, dim_col, d, f"dimension is one of {', '.join(DIMENSIONS)}")
            continue
        value, rule = _count_value(k)
        if rule:
            bad(i, cnt_col, k, rule)
            continue
        if dim in ("ethnicity", "ethnicity_officer"):
            cat = map_ethnicity(c, lookup)
            rule = f"ethnicity must be a value in data/{MAPPING} or blank for Unknown"
        elif dim == "gender":
            cat = GENDER_VALUES.get(norm(c))
            rule = "gender is one of Male, Female, Other or blank/Unknown"
        elif dim == "age":
            p = _age_value(c)
            cat = (
                UNKNOWN if p[0] == "unknown" else (p[1] if p[0] == "band" else (p[1], p[1]) if p[0] == "year" else None)
            )
            rule = p[1] if p[0] == "bad" else "age is a band such as '10-17'"
        else:
            cat, rule = _harm_category(c, *harm)
        if cat is None:
            bad(i, cat_col, c, rule)
            continue
        rows_of.setdefault(f"{dim}\x00{norm(c)}", []).append((i, c))
        records.append((dim, cat, value))
    for (column, rule), seen in per_row.items():
        problems.append(problem(shown, [r for r, _ in seen], column, seen[0][1], rule))
    for key, seen in rows_of.items():
        if len(seen) > 1:
            dim = key.split("\x00")[0]
            problems.append(
                problem(
                    shown,
                    [r for r, _ in seen],
                    cat_col,
                    seen[0][1],
                    f"each {dim} category appears once (duplicate rows)",
                )
            )
    if problems:
        raise ProblemError(problems)
    counts: dict[str, pd.Series] = {}
    for dim in DIMENSIONS:
        part = [(c, k) for d, c, k in records if d == dim]
        if not part:
            continue
        agg: dict = {}
        for c, k in part:
            agg[c] = agg.get(c, 0) + k
        if dim == "age":
            bands = sorted((b for b in agg if b != UNKNOWN), key=lambda b: b[0])
            for a, b in zip(bands, bands[1:]):
                if a[1] is None or b[0] <= a[1]:
                    raise ProblemError(
                        [
                            problem(
                                shown, "-", cat_col, f"{band_label(*a)} / {band_label(*b)}", "age bands do not overlap"
                            )
                        ]
                    )
            index = [band_label(*b) for b in bands] + ([UNKNOWN] if UNKNOWN in agg else [])
            values = [agg[b] for b in bands] + ([agg[UNKNOWN]] if UNKNOWN in agg else [])
            counts[dim] = pd.Series(values, index=pd.Index(index, dtype=object), dtype="int64")
        else:
            order = GROUP_ORDER if dim.startswith("ethnicity") else GENDER_ORDER if dim == "gender" else []
            s = pd.Series(agg, dtype="int64")
            known = [c for c in order if c in s.index]
            counts[dim] = s.reindex(known + sorted(c for c in s.index if c not in order))
    if "ethnicity" not in counts:
        raise ProblemError([problem(shown, "-", dim_col, "(missing)", "an aggregate table has ethnicity rows")])
    totals = {d: int(s.sum()) for d, s in counts.items()}
    n = totals["ethnicity"]
    if n == 0:
        raise ProblemError([problem(shown, "-", cnt_col, 0, "the ethnicity counts add up to more than zero")])
    for d, t in totals.items():
        if t != n:
            problems.append(
                problem(
                    shown,
                    "-",
                    cnt_col,
                    f"{d} total {t}",
                    f"every dimension adds up to the list size ({n}, the ethnicity total); "
                    "put the rest in an Unknown row",
                )
            )
    if problems:
        raise ProblemError(problems)
    return ListData(shown, "aggregate", "aggregate table", n, counts, {d: d for d in counts}, mapping_version=version)
