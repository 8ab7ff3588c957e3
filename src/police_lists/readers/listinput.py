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
The core is vectorised (factorize, then map the few distinct values) so a
million-row list reads in seconds.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import repeat
from pathlib import Path

import numpy as np
import pandas as pd

from police_lists.contract.paths import data_dir as _data_dir
from police_lists.contract.paths import display_path, resolve
from police_lists.contract.problems import MAX_SHOWN_ROWS, ProblemError, problem
from police_lists.contract.safety import quoted

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
    '19+' / '19 and over' -> (19, None); '18 or under' -> (0, 18). None if not a band."""
    v = norm(value)
    m = re.fullmatch(r"(?:under|below|less than|<) ?(\d+)", v)
    if m:
        return (0, int(m[1]) - 1) if int(m[1]) > 0 else None
    m = re.fullmatch(r"(\d+) ?(?:-|to) ?(\d+)", v)
    if m:
        return (int(m[1]), int(m[2])) if int(m[1]) <= int(m[2]) else None
    m = re.fullmatch(r"(?:over|above|>) ?(\d+)", v)
    if m:
        return int(m[1]) + 1, None
    m = re.fullmatch(r"(\d+) ?(?:\+|and over|or over|and above|or older|plus)", v)
    if m:
        return int(m[1]), None
    m = re.fullmatch(r"(\d+) ?(?:or under|and under|or younger)", v)
    if m:
        return 0, int(m[1])
    return None


def band_label(lo: int, hi: int | None) -> str:
    """Canonical label, so the same band reads the same whatever its spelling."""
    if hi is None:
        return f"{lo} and over"
    if lo == 0:
        return f"under {hi + 1}"
    return f"{lo}-{hi}" if lo != hi else f"{lo}"


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


def _decode(path: Path, shown: str) -> tuple[bytes, str]:
    """The file's bytes (BOM removed) and its text; refuses anything but UTF-8
    text with line-feed line ends (CRLF is fine)."""
    raw = path.read_bytes()
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        _refuse(
            shown,
            1,
            "-",
            f"byte {raw[:2].hex(' ')}",
            "the file must be UTF-8 text (with or without BOM); this one is UTF-16: save it as CSV UTF-8",
        )
    nul = raw.find(b"\x00")
    if nul >= 0:
        head = raw[:4096]
        if head[1::2].count(0) > len(head) // 8 or head[0::2].count(0) > len(head) // 8:
            _refuse(
                shown,
                1,
                "-",
                f"bytes {head[:4].hex(' ')}",
                "the file must be UTF-8 text; this one looks like "
                "UTF-16 without a byte-order mark (a NUL byte beside every letter): save it as CSV UTF-8",
            )
        _refuse(
            shown,
            raw[:nul].count(b"\n") + 1,
            "-",
            "byte 00",
            "a CSV file is text and holds no NUL bytes "
            "(is it a binary or spreadsheet file renamed .csv?): save it as CSV UTF-8",
        )
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        row = raw[: exc.start].count(b"\n") + 1
        line_start = raw.rfind(b"\n", 0, exc.start) + 1
        column = _column_at(raw, line_start, exc.start) if row > 1 else "-"
        _refuse(
            shown,
            row,
            column,
            f"byte {raw[exc.start : exc.end].hex(' ')}",
            "the file must be UTF-8 text (with or without BOM); save it as CSV UTF-8",
        )
    if not text or text.isspace():  # isspace stops at the first character; strip() would copy the file
        _refuse(shown, 1, "-", "", "the file is empty: a list needs a header row and data rows")
    end = text.find("\n")
    if end < 0 and "\r" in text.rstrip("\r"):
        _refuse(
            shown,
            "-",
            "-",
            "CR line ends",
            "lines must end with a line feed (LF or CRLF); this file ends them "
            "with a carriage return only (classic Mac OS): save it as CSV UTF-8",
        )
    return raw, text


def _column_at(raw: bytes, line_start: int, pos: int) -> str:
    header = raw.split(b"\n", 1)[0].decode("utf-8", "replace")
    sep = _sniff_line(header)
    names = _split(header, sep)
    index = raw[line_start:pos].decode("utf-8", "replace").count(sep)
    return names[index].strip() if index < len(names) else "-"


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


def _check_field_length(frame: pd.DataFrame, header: list[str], shown: str) -> None:
    for name in header:
        if len(name) > MAX_FIELD:
            _refuse(shown, 1, name, name, f"a column name is at most {MAX_FIELD:,} characters")
    for column in frame.columns:
        lengths = frame[column].str.len().to_numpy()
        if len(lengths) and lengths.max() > MAX_FIELD:
            i = int(np.argmax(lengths > MAX_FIELD))
            _refuse(
                shown,
                i + 2,
                column,
                frame[column].iloc[i],
                f"a field is at most {MAX_FIELD:,} characters (no free text is read)",
            )


def read_table(path: Path, shown: str, wanted=None, recognised=None) -> pd.DataFrame:
    """The file as strings, blanks as ''. `wanted` picks columns (by header key) to
    keep memory low; `recognised(keys)` says whether a row holds column names this
    profile reads (to spot a title row above the header)."""
    suffix = path.suffix.lower()
    if not path.is_file():
        _refuse(shown, "-", "-", str(shown), "the list file must exist")
    with open(path, "rb") as fh:
        head = fh.read(4)
    if suffix == ".xlsx" or head == b"PK\x03\x04":
        header, frame = _read_xlsx(path, shown, recognised)
        if wanted is not None:
            keys = {_key(h) for h in header}
            frame = frame[[c for c, h in zip(frame.columns, header) if _key(h) in wanted(keys)]]
        blank = (frame.apply(lambda c: c.str.strip()) == "").all(axis=1).to_numpy()
    elif suffix in (".csv", ".txt", ""):
        raw, text = _decode(path, shown)
        first = _first_line(text)
        sep = _sniff_line(first)
        header = [h.strip() for h in _split(first, sep)]
        if recognised is not None and not recognised({_key(h) for h in header}):
            lines = text[: 64 * 1024].split("\n")[:TITLE_ROWS]
            _title_rows([[h.strip() for h in _split(line, _sniff_line(line))] for line in lines], recognised, shown)
        _duplicate_columns(header, shown)
        if any(len(h) > MAX_FIELD for h in header):
            _check_field_length(pd.DataFrame(), header, shown)
        usecols = None
        if wanted is not None:
            keys = {_key(h) for h in header}
            usecols = [h for h in header if _key(h) in wanted(keys)]
        try:
            frame = pd.read_csv(
                io.BytesIO(raw),
                sep=sep,
                dtype=str,
                keep_default_na=False,
                na_filter=False,
                skip_blank_lines=False,
                usecols=usecols,
                skipinitialspace=False,
                encoding="utf-8",
                engine="c",
            )
        except pd.errors.ParserError as exc:
            m = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", str(exc))
            if m:
                _refuse(
                    shown,
                    int(m[2]),
                    "-",
                    f"{m[3]} fields",
                    f"every row has the header's {m[1]} fields (check separators and quotes)",
                )
            m = re.search(r"EOF inside string starting at row (\d+)", str(exc))
            if m:
                _refuse(shown, int(m[1]) + 1, "-", '"', "every quoted field is closed (a quote mark is missing)")
            _refuse(shown, "-", "-", str(exc).splitlines()[0], "the file must be a well-formed CSV")
        except pd.errors.EmptyDataError:
            _refuse(shown, 1, "-", "", "the file is empty: a list needs a header row and data rows")
        except ValueError as exc:  # usecols and header disagree: quoting pandas reads differently
            _refuse(shown, 1, "-", str(exc).splitlines()[0], "the header must be a well-formed CSV row")
        frame.columns = [c.strip() for c in frame.columns]
        frame.attrs["header"] = header
        blank = _check_rows(raw, text, sep, len(header), shown)
    else:
        _refuse(shown, "-", "-", path.name, "a list is a .csv or .xlsx file")
    _check_field_length(frame, [], shown)
    # Trailing blank rows are an editor artefact; blank rows inside the list are an error below.
    if len(blank) != len(frame):  # a quoted field spanning lines: fall back to the columns read
        blank = (frame == "").all(axis=1).to_numpy()
    last = len(frame) - int(np.argmax(~blank[::-1])) if (~blank).any() else 0
    frame = frame.iloc[:last]
    if len(frame) == 0:
        _refuse(shown, 2, "-", "", "the file has a header but no data rows")
    inner_blank = np.flatnonzero(blank[:last])
    if len(inner_blank):
        _refuse(shown, inner_blank + 2, "-", "", "no blank rows inside the list")
    frame.attrs["header"] = header
    return frame


def _check_rows(raw: bytes, text: str, sep: str, expected: int, shown: str) -> np.ndarray:
    """Every row has the header's number of fields (pandas pads short rows and,
    with usecols, drops extra fields without a word). Returns, per data row,
    whether it is blank in EVERY column (not just the ones read).
    Vectorised over the bytes when the file has no quotes; the csv module otherwise."""
    if b'"' not in raw:
        # No quotes: a row is a line. bytes.count per line runs in C (about two
        # seconds for a million rows); per-byte numpy arrays would need gigabytes.
        lines = raw.split(b"\n")
        if raw.endswith(b"\n"):
            lines.pop()
        sep_b = sep.encode()
        fields = np.fromiter(map(bytes.count, lines, repeat(sep_b)), dtype=np.int64, count=len(lines)) + 1
        lengths = np.fromiter(map(len, lines), dtype=np.int64, count=len(lines))
        # A blank row is short: only short rows are looked at one by one.
        empty = np.zeros(len(lines), dtype=bool)
        strip = f"{sep} \t\r".encode()
        for i in np.flatnonzero(lengths <= 8 * expected + 16):
            empty[i] = not lines[i].strip(strip)
        wrong = np.flatnonzero((fields != expected) & ~empty)
        if len(wrong):
            i = int(wrong[0])
            _refuse(
                shown,
                i + 1,
                "-",
                f"{int(fields[i])} fields",
                f"every row has the header's {expected} fields (check separators and quotes)",
            )
        return empty[1:]
    blank = []
    reader = csv.reader(io.StringIO(text), delimiter=sep)
    i = 0
    try:
        with _csv_limit(len(text)):
            for i, r in enumerate(reader, start=1):
                empty = not any(f.strip() for f in r)
                if len(r) != expected and not empty:
                    _refuse(
                        shown,
                        i,
                        "-",
                        f"{len(r)} fields",
                        f"every row has the header's {expected} fields (check separators and quotes)",
                    )
                blank.append(empty)
    except csv.Error as exc:
        _refuse(shown, i + 1, "-", str(exc), "the file must be a well-formed CSV (check quotes)")
    return np.array(blank[1:], dtype=bool)


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
) -> ListData:
    """Read and validate a list; return its counts per dimension or raise ProblemError."""
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

    frame = read_table(p, shown, wanted, recognised)
    header = list(frame.columns)
    keys = {_key(h) for h in header}
    if aggregate_keys <= keys:
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
    police_uk = POLICE_UK_STOP_SEARCH <= {_key(h) for h in frame.attrs.get("header", header)}
    data = ListData(
        shown,
        "record",
        "police.uk stop and search" if police_uk else "record-level list",
        len(frame),
        {},
        mapping_version=version,
    )
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
    for role in ("ethnicity", "ethnicity_officer"):
        if cols[role]:
            data.counts[role] = _count_ethnicity(frame[cols[role]], cols[role], shown, lookup, problems)
    if cols["age"]:
        data.counts["age"] = _count_age(frame[cols["age"]], cols["age"], shown, edges, problems)
    if cols["gender"]:
        data.counts["gender"] = _count_mapped(
            frame[cols["gender"]],
            cols["gender"],
            shown,
            GENDER_VALUES,
            GENDER_ORDER,
            "gender is one of Male, Female, Other or blank/Unknown",
            problems,
        )
    if cols["harm"]:
        data.counts["harm"] = _count_harm(frame[cols["harm"]], cols["harm"], shown, problems, *harm)
    if cols["id"]:
        ids = frame[cols["id"]]
        dup = ids.duplicated(keep=False) & ids.ne("")
        if dup.any():
            first = ids[dup].iloc[0]
            rows = np.flatnonzero((ids == first).to_numpy()) + 2
            problems.append(
                problem(
                    shown,
                    rows,
                    cols["id"],
                    "(identifier withheld)",
                    f"each person appears once: duplicate identifier on {int(dup.sum())} rows",
                )
            )
    synth = _find(header, None, "synthetic", shown, required=False)
    if synth:
        data.synthetic = bool(frame[synth].str.upper().str.startswith("SYNTHETIC").all())
        if not data.synthetic:
            problems.append(problem(shown, "-", synth, "", "a synthetic column labels every row SYNTHETIC"))
    if problems:
        raise ProblemError(problems)
    data.columns = {role: c for role, c in cols.items() if c and role != "id"}
    if "ethnicity_officer" in data.counts:
        data.notes.append("ethnicity: self-defined used; officer-defined reported beside it")
    return data


def _rows_by_value(series: pd.Series, bad_mask: np.ndarray) -> dict[str, np.ndarray]:
    idx = np.flatnonzero(bad_mask)
    values = series.to_numpy()[idx]
    out: dict[str, list] = {}
    for i, v in zip(idx, values):
        out.setdefault(v, []).append(i + 2)
    return {v: np.array(r) for v, r in out.items()}


def _factor_map(series: pd.Series, fn):
    """Apply fn to each distinct value only; return (mapped array, codes)."""
    codes, uniques = pd.factorize(series, sort=False)
    mapped = np.array([fn(u) for u in uniques], dtype=object)
    return mapped, codes


def _tally(mapped: np.ndarray, codes: np.ndarray, order) -> pd.Series:
    per_unique = np.bincount(codes, minlength=len(mapped))
    counts = pd.Series(per_unique, index=pd.Index(mapped, dtype=object)).groupby(level=0).sum()
    known = [c for c in order if c in counts.index]
    rest = sorted(c for c in counts.index if c not in order)
    return counts.reindex(known + rest).astype("int64")


def _count_ethnicity(series, column, shown, lookup, problems) -> pd.Series:
    mapped, codes = _factor_map(series, lambda v: map_ethnicity(v, lookup))
    bad = np.array([m is None for m in mapped])
    if bad.any():
        for v, rows in _rows_by_value(series, bad[codes]).items():
            problems.append(
                problem(
                    shown,
                    rows,
                    column,
                    v,
                    f"ethnicity must be a value in data/{MAPPING} (White, Black, Asian, Mixed, Other; "
                    f"IC codes; self-defined 16+1/18+1; Census 2021 groups) or blank for Unknown",
                )
            )
        return pd.Series(dtype="int64")
    counts = _tally(mapped, codes, GROUP_ORDER)
    if "Not Black" in counts.index and set(counts.index) - {"Black", "Not Black", UNKNOWN}:
        problems.append(problem(shown, "-", column, "Not Black", "a list coded Black / Not Black uses no other group"))
    return counts


def _count_mapped(series, column, shown, vocabulary, order, rule, problems) -> pd.Series:
    mapped, codes = _factor_map(series, lambda v: vocabulary.get(norm(v)))
    bad = np.array([m is None for m in mapped])
    if bad.any():
        for v, rows in _rows_by_value(series, bad[codes]).items():
            problems.append(problem(shown, rows, column, v, rule))
        return pd.Series(dtype="int64")
    return _tally(mapped, codes, order)


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


def _count_age(series, column, shown, edges, problems) -> pd.Series:
    parsed, codes = _factor_map(series, _age_value)
    bad = np.array([p[0] == "bad" for p in parsed])
    if bad.any():
        rules = {u: p[1] for u, p in zip(pd.factorize(series)[1], parsed) if p[0] == "bad"}
        for v, rows in _rows_by_value(series, bad[codes]).items():
            problems.append(problem(shown, rows, column, v, rules[v]))
        return pd.Series(dtype="int64")
    kinds = {p[0] for p in parsed} - {"unknown"}
    if kinds == {"year", "band"}:
        first_band = next(u for u, p in zip(pd.factorize(series)[1], parsed) if p[0] == "band")
        rows = np.flatnonzero((series == first_band).to_numpy()) + 2
        problems.append(problem(shown, rows, column, first_band, "an age column holds whole years or bands, not both"))
        return pd.Series(dtype="int64")
    if kinds == {"year"}:
        bands = _year_bands(edges)
        labels = []
        for p in parsed:
            if p[0] == "unknown":
                labels.append(UNKNOWN)
            else:
                lo, hi = next(b for b in bands if b[0] <= p[1] and (b[1] is None or p[1] <= b[1]))
                labels.append((lo, hi))
    else:
        labels = [UNKNOWN if p[0] == "unknown" else p[1] for p in parsed]
        distinct = sorted({b for b in labels if b != UNKNOWN}, key=lambda b: b[0])
        for a, b in zip(distinct, distinct[1:]):
            if a[1] is None or b[0] <= a[1]:
                problems.append(
                    problem(shown, "-", column, f"{band_label(*a)} / {band_label(*b)}", "age bands do not overlap")
                )
                return pd.Series(dtype="int64")
    per = np.bincount(codes, minlength=len(labels))
    counts: dict = {}
    for lab, c in zip(labels, per):
        counts[lab] = counts.get(lab, 0) + int(c)
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


def _count_harm(series, column, shown, problems, edges: tuple[float, ...] = (), labels: tuple[str, ...] = ()):
    """Harm bands from the declared vocabulary (harm_labels), or numeric harm
    scores banded by `edges` (the harm_bands parameter; band edges are never
    taken from the data, whose quantiles would reveal individual scores).
    Anything else is refused with its rows: no free text reaches an output."""
    codes, uniques = pd.factorize(series, sort=False)
    parsed = [_harm_category(u, edges, labels) for u in uniques]
    bad = np.array([cat is None for cat, _ in parsed])
    if bad.any():
        rules = {u: rule for u, (cat, rule) in zip(uniques, parsed) if cat is None}
        numeric = [u for u in rules if _HARM_SCORE.fullmatch(str(u).strip())]
        if numeric and not edges:  # one line for every score, not one per distinct number
            problems.append(problem(shown, "-", column, "(numeric scores)", rules[numeric[0]]))
            rules = {u: r for u, r in rules.items() if u not in numeric}
        for v, rows in _rows_by_value(series, bad[codes]).items():
            if v in rules:
                problems.append(problem(shown, rows, column, v, rules[v]))
        return pd.Series(dtype="int64")
    mapped = np.array([cat for cat, _ in parsed], dtype=object)
    order = list(labels) + ([_harm_band(x, edges) for x in (edges[0] - 1, *edges)] if edges else [])
    return _tally(mapped, codes, order)


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
