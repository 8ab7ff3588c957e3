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
row(s), column, value and rule (ListInputError).

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
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import repeat
from pathlib import Path

import numpy as np
import pandas as pd

from police_lists.contract.paths import data_dir as _data_dir, display_path, resolve

MAPPING = "manual/ethnicity_mapping.csv"
GROUP_ORDER = ("White", "Black", "Asian", "Mixed", "Other", "Not Black", "Unknown")
GENDER_ORDER = ("Male", "Female", "Other", "Unknown")
UNKNOWN = "Unknown"
DIMENSIONS = ("ethnicity", "ethnicity_officer", "age", "gender", "harm")
DEFAULT_AGE_EDGES = (10, 18, 25, 35)  # police.uk bands: under 10, 10-17, 18-24, 25-34, 35 and over
MAX_AGE = 120
MAX_HARM_BANDS = 12
MAX_SHOWN_ROWS = 5

# Common spellings of each column (compared after _key()).
ALIASES = {
    "ethnicity": ["self-defined ethnicity", "self defined ethnicity", "self_defined_ethnicity", "ethnicity",
                  "ethnic group", "ethnic_group", "ethnicity (self-defined)", "self-defined ethnicity code"],
    "ethnicity_officer": ["officer-defined ethnicity", "officer defined ethnicity", "officer_defined_ethnicity",
                          "ethnicity (officer-defined)", "ic code", "ic_code", "ethnic appearance", "ethnic_appearance"],
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
POLICE_UK_STOP_SEARCH = {"type", "date", "gender", "age range", "self-defined ethnicity",
                         "officer-defined ethnicity", "legislation", "object of search", "outcome"}
DIMENSION_ALIASES = {
    "ethnicity": "ethnicity", "self-defined ethnicity": "ethnicity", "ethnic group": "ethnicity",
    "ethnicity_officer": "ethnicity_officer", "officer-defined ethnicity": "ethnicity_officer",
    "officer_ethnicity": "ethnicity_officer", "age": "age", "age band": "age", "age range": "age",
    "gender": "gender", "sex": "gender", "harm": "harm", "harm band": "harm",
}
GENDER_VALUES = {
    "male": "Male", "m": "Male", "man": "Male", "boy": "Male",
    "female": "Female", "f": "Female", "woman": "Female", "girl": "Female",
    "other": "Other", "non-binary": "Other", "nonbinary": "Other", "x": "Other", "indeterminate": "Other",
    "unknown": UNKNOWN, "u": UNKNOWN, "not stated": UNKNOWN, "not known": UNKNOWN, "not recorded": UNKNOWN,
    "prefer not to say": UNKNOWN, "": UNKNOWN,
}
_HARM_OK = re.compile(r"^[A-Za-z0-9 +\-<>.]{1,20}$")


class ListInputError(ValueError):
    """A list breaks the input contract; str() is one line per problem."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


def problem(file: str, rows, column: str, value, rule: str) -> str:
    """One line: file, row(s), column, value, rule. `rows` are spreadsheet row
    numbers (the header is row 1), or '-' when the problem is not in a row."""
    if isinstance(rows, (list, tuple, np.ndarray)):
        rows = [int(r) for r in rows]
        shown = ", ".join(str(r) for r in rows[:MAX_SHOWN_ROWS])
        more = len(rows) - MAX_SHOWN_ROWS
        where = f"row {shown}" if len(rows) == 1 else f"rows {shown}" + (f" and {more} more" if more > 0 else "")
    else:
        where = f"row {rows}"
    return f"{file}: {where}, column {column!r}: value {value!r} breaks rule: {rule}"


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


def save_validated(data: ListData, path, source) -> None:
    """Write the counts of a list already validated (no row-level data), with the
    sha256 of its file, so `make profile` reads a large list once, not twice."""
    import json

    from police_lists.contract.files import atomic_write, sha256_file

    record = {"sha256": sha256_file(resolve(source)), "file": data.file, "kind": data.kind, "format": data.format,
              "n": data.n, "columns": data.columns, "synthetic": data.synthetic,
              "mapping_version": data.mapping_version, "notes": data.notes,
              "counts": {d: [[c, int(k)] for c, k in s.items()] for d, s in data.counts.items()}}
    atomic_write(Path(path), json.dumps(record).encode("utf-8"))


def load_validated(path, source) -> ListData:
    """The counts written by save_validated, refused unless `source` still has the same sha256."""
    import json

    from police_lists.contract.files import sha256_file

    record = json.loads(Path(path).read_text(encoding="utf-8"))
    if record["sha256"] != sha256_file(resolve(source)):
        raise ListInputError([problem(display_path(resolve(source)), "-", "-", "(file changed)",
                                      "the list changed after it was validated; run the profile again")])
    counts = {d: pd.Series([k for _, k in rows], index=pd.Index([c for c, _ in rows], dtype=object), dtype="int64")
              for d, rows in record["counts"].items()}
    return ListData(record["file"], record["kind"], record["format"], record["n"], counts, record["columns"],
                    record["synthetic"], record["mapping_version"], record["notes"])


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
            raise ListInputError([problem(display_path(path), i, "value", row.value,
                                          f"maps to {row.group} here but to {lookup[key]} in another row")])
        lookup[key] = row.group
    versions = sorted(set(table["mapping_version"]))
    if len(versions) != 1:
        raise ListInputError([problem(display_path(path), "-", "mapping_version", versions,
                                      "one mapping version for the whole table")])
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
        return 0, int(m[1]) - 1
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


def _decode(path: Path, shown: str) -> tuple[bytes, str]:
    """The file's bytes (BOM removed) and its text; refuses anything but UTF-8."""
    raw = path.read_bytes()
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ListInputError([problem(shown, 1, "-", f"byte {raw[:2].hex(' ')}",
                                      "the file must be UTF-8 text (with or without BOM); this one is UTF-16: "
                                      "save it as CSV UTF-8")])
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        row = raw[: exc.start].count(b"\n") + 1
        line_start = raw.rfind(b"\n", 0, exc.start) + 1
        column = _column_at(raw, line_start, exc.start) if row > 1 else "-"
        raise ListInputError([problem(shown, row, column, f"byte {raw[exc.start:exc.end].hex(' ')}",
                                      "the file must be UTF-8 text (with or without BOM); save it as CSV UTF-8")])
    if not text or text.isspace():  # isspace stops at the first character; strip() would copy the file
        raise ListInputError([problem(shown, 1, "-", "", "the file is empty: a list needs a header row and data rows")])
    return raw, text


def _column_at(raw: bytes, line_start: int, pos: int) -> str:
    header = raw.split(b"\n", 1)[0].decode("utf-8", "replace")
    sep = ";" if header.count(";") > header.count(",") else ","
    names = next(csv.reader([header], delimiter=sep))
    index = raw[line_start:pos].decode("utf-8", "replace").count(sep)
    return names[index].strip() if index < len(names) else "-"


def _sniff_separator(text: str) -> str:
    """Comma or semicolon: whichever splits the header (outside quotes) into more fields."""
    end = text.find("\n")
    first = text if end < 0 else text[:end]
    fields = {sep: len(next(csv.reader([first], delimiter=sep))) for sep in (",", ";")}
    return ";" if fields[";"] > fields[","] else ","


def read_table(path: Path, shown: str, wanted=None) -> pd.DataFrame:
    """The file as strings, blanks as ''. `wanted` picks columns (by header key) to keep memory low."""
    suffix = path.suffix.lower()
    if not path.is_file():
        raise ListInputError([problem(shown, "-", "-", str(shown), "the list file must exist")])
    with open(path, "rb") as fh:
        head = fh.read(4)
    if suffix == ".xlsx" or head == b"PK\x03\x04":
        try:
            frame = pd.read_excel(path, sheet_name=0, dtype=str, engine="openpyxl", keep_default_na=False)
        except (zipfile.BadZipFile, ValueError, KeyError, OSError) as exc:
            raise ListInputError([problem(shown, "-", "-", path.name,
                                          f"an .xlsx file must be a readable Excel workbook ({type(exc).__name__})")])
        if frame.shape[1] == 0:
            raise ListInputError([problem(shown, 1, "-", "", "the file is empty: a list needs a header row and data rows")])
        frame.columns = [str(c) for c in frame.columns]
        frame = frame.fillna("")
        blank = (frame.astype(str).apply(lambda c: c.str.strip()) == "").all(axis=1).to_numpy()
    elif suffix in (".csv", ".txt", ""):
        raw, text = _decode(path, shown)
        sep = _sniff_separator(text)
        end = text.find("\n")
        header = [h.strip() for h in next(csv.reader([(text if end < 0 else text[:end]).rstrip("\r")], delimiter=sep))]
        usecols = None
        if wanted is not None:
            keys = {_key(h) for h in header}
            usecols = [h for h in header if _key(h) in wanted(keys)]
        try:
            frame = pd.read_csv(io.BytesIO(raw), sep=sep, dtype=str, keep_default_na=False, na_filter=False,
                                skip_blank_lines=False, usecols=usecols, skipinitialspace=False,
                                encoding="utf-8", engine="c")
        except pd.errors.ParserError as exc:
            m = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", str(exc))
            if m:
                raise ListInputError([problem(shown, int(m[2]), "-", f"{m[3]} fields",
                                              f"every row has the header's {m[1]} fields (check separators and quotes)")])
            raise ListInputError([problem(shown, "-", "-", str(exc).splitlines()[0], "the file must be a well-formed CSV")])
        except pd.errors.EmptyDataError:
            raise ListInputError([problem(shown, 1, "-", "", "the file is empty: a list needs a header row and data rows")])
        frame.columns = [c.strip() for c in frame.columns]
        frame.attrs["header"] = header
        blank = _check_rows(raw, text, sep, len(header), shown)
    else:
        raise ListInputError([problem(shown, "-", "-", path.name, "a list is a .csv or .xlsx file")])
    dupes = sorted({c for c in frame.columns if list(map(_key, frame.columns)).count(_key(c)) > 1})
    if dupes:
        raise ListInputError([problem(shown, 1, dupes[0], dupes[0], "each column name appears once in the header")])
    # Trailing blank rows are an editor artefact; blank rows inside the list are an error below.
    if len(blank) != len(frame):  # a quoted field spanning lines: fall back to the columns read
        blank = (frame == "").all(axis=1).to_numpy()
    last = len(frame) - int(np.argmax(~blank[::-1])) if (~blank).any() else 0
    frame = frame.iloc[:last]
    if len(frame) == 0:
        raise ListInputError([problem(shown, 2, "-", "", "the file has a header but no data rows")])
    inner_blank = np.flatnonzero(blank[:last])
    if len(inner_blank):
        raise ListInputError([problem(shown, inner_blank + 2, "-", "", "no blank rows inside the list")])
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
            raise ListInputError([problem(shown, i + 1, "-", f"{int(fields[i])} fields",
                                          f"every row has the header's {expected} fields (check separators and quotes)")])
        return empty[1:]
    blank = []
    for i, r in enumerate(csv.reader(io.StringIO(text), delimiter=sep), start=1):
        empty = not any(f.strip() for f in r)
        if len(r) != expected and not empty:
            raise ListInputError([problem(shown, i, "-", f"{len(r)} fields",
                                          f"every row has the header's {expected} fields (check separators and quotes)")])
        blank.append(empty)
    return np.array(blank[1:], dtype=bool)


def _find(header: list[str], explicit: str | None, role: str, shown: str, required: bool) -> str | None:
    keys = {_key(h): h for h in header}
    if explicit:
        if _key(explicit) in keys:
            return keys[_key(explicit)]
        raise ListInputError([problem(shown, 1, explicit, "(missing)",
                                      f"the {role} column named by the parameter must be in the header; "
                                      f"header has {', '.join(header)}")])
    for alias in ALIASES[role]:
        if alias in keys:
            return keys[alias]
    if required:
        raise ListInputError([problem(shown, 1, role, "(missing)",
                                      f"a required {role} column is missing; name it with the {role}_column "
                                      f"parameter or use one of: {', '.join(ALIASES[role][:4])}")])
    return None


def read_list(path, *, ethnicity_column: str = "", officer_ethnicity_column: str = "", age_column: str = "",
              gender_column: str = "", harm_column: str = "", id_column: str = "", harm_bands: str = "",
              age_bands: str | tuple = DEFAULT_AGE_EDGES, data_dir: str = "data") -> ListData:
    """Read and validate a list; return its counts per dimension or raise ListInputError."""
    p = resolve(path)
    shown = display_path(p)
    lookup, version = ethnicity_lookup(data_dir)
    edges = age_edges(age_bands)
    explicit = {"ethnicity": ethnicity_column, "ethnicity_officer": officer_ethnicity_column, "age": age_column,
                "gender": gender_column, "harm": harm_column, "id": id_column}
    aggregate_keys = {"dimension", "category"}

    def wanted(keys: set[str]) -> set[str]:
        if aggregate_keys <= keys:
            return keys
        out = {_key(v) for v in explicit.values() if v}
        for role in ("ethnicity", "ethnicity_officer", "age", "gender", "harm", "id", "synthetic", "count"):
            out |= set(ALIASES[role])
        return out

    frame = read_table(p, shown, wanted)
    header = list(frame.columns)
    keys = {_key(h) for h in header}
    if aggregate_keys <= keys:
        return _read_aggregate(frame, shown, lookup, version, edges)
    count_like = [h for h in header if _key(h) in PERCENT_HEADERS or _key(h) == "count"]
    if count_like:
        raise ListInputError([problem(shown, 1, count_like[0], count_like[0],
                                      "a count or percentage column needs dimension and category columns "
                                      "(aggregate table); a record-level list has one row per person")])
    police_uk = POLICE_UK_STOP_SEARCH <= {_key(h) for h in frame.attrs.get("header", header)}
    data = ListData(shown, "record", "police.uk stop and search" if police_uk else "record-level list", len(frame),
                    {}, mapping_version=version)
    problems: list[str] = []
    cols = {role: _find(header, explicit[role], role, shown, required=False)
            for role in ("ethnicity", "ethnicity_officer", "age", "gender", "harm", "id")}
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
        data.counts["gender"] = _count_mapped(frame[cols["gender"]], cols["gender"], shown, GENDER_VALUES,
                                              GENDER_ORDER, "gender is one of Male, Female, Other or blank/Unknown",
                                              problems)
    if cols["harm"]:
        data.counts["harm"] = _count_harm(frame[cols["harm"]], cols["harm"], shown, problems, harm_edges(harm_bands))
    if cols["id"]:
        ids = frame[cols["id"]]
        dup = ids.duplicated(keep=False) & ids.ne("")
        if dup.any():
            first = ids[dup].iloc[0]
            rows = np.flatnonzero((ids == first).to_numpy()) + 2
            problems.append(problem(shown, rows, cols["id"], "(identifier withheld)",
                                    f"each person appears once: duplicate identifier on {int(dup.sum())} rows"))
    synth = _find(header, None, "synthetic", shown, required=False)
    if synth:
        data.synthetic = bool(frame[synth].str.upper().str.startswith("SYNTHETIC").all())
        if not data.synthetic:
            problems.append(problem(shown, "-", synth, "", "a synthetic column labels every row SYNTHETIC"))
    if problems:
        raise ListInputError(problems)
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
            problems.append(problem(shown, rows, column, v,
                                    f"ethnicity must be a value in data/{MAPPING} (White, Black, Asian, Mixed, Other; "
                                    f"IC codes; self-defined 16+1/18+1; Census 2021 groups) or blank for Unknown"))
        return pd.Series(dtype="int64")
    counts = _tally(mapped, codes, GROUP_ORDER)
    if "Not Black" in counts.index and set(counts.index) - {"Black", "Not Black", UNKNOWN}:
        problems.append(problem(shown, "-", column, "Not Black",
                                "a list coded Black / Not Black uses no other group"))
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
    if re.fullmatch(r"\d+(\.0+)?", v):
        years = int(float(v))
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
        problems.append(problem(shown, rows, column, first_band,
                                "an age column holds whole years or bands, not both"))
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
                problems.append(problem(shown, "-", column, f"{band_label(*a)} / {band_label(*b)}",
                                        "age bands do not overlap"))
                return pd.Series(dtype="int64")
    per = np.bincount(codes, minlength=len(labels))
    counts: dict = {}
    for lab, c in zip(labels, per):
        counts[lab] = counts.get(lab, 0) + int(c)
    order = sorted((b for b in counts if b != UNKNOWN), key=lambda b: b[0])
    index = [band_label(*b) for b in order] + ([UNKNOWN] if UNKNOWN in counts else [])
    return pd.Series([counts[b] for b in order] + ([counts[UNKNOWN]] if UNKNOWN in counts else []),
                     index=pd.Index(index, dtype=object), dtype="int64")


def harm_edges(spec: str) -> tuple[float, ...]:
    """'10,50,100' -> (10.0, 50.0, 100.0): where harm-score bands start ('' for none)."""
    edges = tuple(float(x) for x in spec.split(",") if x.strip())
    if list(edges) != sorted(set(edges)):
        raise ValueError(f"harm bands must be increasing numbers, e.g. '10,50,100'; got {spec!r}")
    return edges


def _harm_band(score: float, edges: tuple[float, ...]) -> str:
    fmt = lambda x: f"{x:g}"  # noqa: E731
    if score < edges[0]:
        return f"score under {fmt(edges[0])}"
    for lo, hi in zip(edges, edges[1:]):
        if score < hi:
            return f"score {fmt(lo)} to under {fmt(hi)}"
    return f"score {fmt(edges[-1])} and over"


def _count_harm(series, column, shown, problems, edges: tuple[float, ...] = ()) -> pd.Series:
    """Harm bands as labelled, or numeric harm scores banded by `edges` (the
    harm_bands parameter; band edges are never taken from the data, whose
    quantiles would reveal individual scores)."""
    codes, uniques = pd.factorize(series)
    blank = [norm(u) in ("", "unknown", "not recorded") for u in uniques]
    numeric = [bool(re.fullmatch(r"-?\d+(\.\d+)?", str(u).strip())) for u in uniques]
    if any(numeric) and all(n or b for n, b in zip(numeric, blank)):
        if not edges:
            problems.append(problem(shown, "-", column, "(numeric scores)",
                                    "harm scores are numbers: give the harm_bands parameter, e.g. '10,50,100'"))
            return pd.Series(dtype="int64")
        labels = [UNKNOWN if b else _harm_band(float(u), edges) for u, b in zip(uniques, blank)]
        order = [_harm_band(x, edges) for x in (edges[0] - 1, *edges)]
        return _tally(np.array(labels, dtype=object), codes, order)
    labels = [UNKNOWN if b else str(u).strip() for u, b in zip(uniques, blank)]
    bad = np.array([lab != UNKNOWN and not _HARM_OK.match(lab) for lab in labels])
    if bad.any():
        for v, rows in _rows_by_value(series, bad[codes]).items():
            problems.append(problem(shown, rows, column, v, "a harm band is a short label (letters, digits, + - < >)"))
        return pd.Series(dtype="int64")
    if len(set(labels) - {UNKNOWN}) > MAX_HARM_BANDS:
        problems.append(problem(shown, "-", column, f"{len(set(labels))} distinct values",
                                f"a harm column holds at most {MAX_HARM_BANDS} bands; band scores before profiling"))
        return pd.Series(dtype="int64")
    return _tally(np.array(labels, dtype=object), codes, [])


def _read_aggregate(frame: pd.DataFrame, shown: str, lookup, version, edges) -> ListData:
    header = list(frame.columns)
    pct = [h for h in header if _key(h) in PERCENT_HEADERS]
    if pct:
        raise ListInputError([problem(shown, 1, pct[0], pct[0], "counts are expected, not percentages or shares")])
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
        ks = str(k).strip().replace(",", "")
        if ks.endswith("%"):
            bad(i, cnt_col, k, "counts are expected, not percentages")
            continue
        try:
            value = float(ks)
        except ValueError:
            bad(i, cnt_col, k, "a count is a whole number of people")
            continue
        if not np.isfinite(value) or value < 0:
            bad(i, cnt_col, k, "a count is not negative")
            continue
        if value != int(value):
            bad(i, cnt_col, k, "a count is a whole number (percentages are not accepted)")
            continue
        if dim in ("ethnicity", "ethnicity_officer"):
            cat = map_ethnicity(c, lookup)
            rule = f"ethnicity must be a value in data/{MAPPING} or blank for Unknown"
        elif dim == "gender":
            cat = GENDER_VALUES.get(norm(c))
            rule = "gender is one of Male, Female, Other or blank/Unknown"
        elif dim == "age":
            p = _age_value(c)
            cat = UNKNOWN if p[0] == "unknown" else (p[1] if p[0] == "band" else (p[1], p[1]) if p[0] == "year" else None)
            rule = p[1] if p[0] == "bad" else "age is a band such as '10-17'"
        else:
            cat = UNKNOWN if norm(c) in ("", "unknown") else (str(c).strip() if _HARM_OK.match(str(c).strip()) else None)
            rule = "a harm band is a short label"
        if cat is None:
            bad(i, cat_col, c, rule)
            continue
        rows_of.setdefault(f"{dim}\x00{norm(c)}", []).append((i, c))
        records.append((dim, cat, int(value)))
    for (column, rule), seen in per_row.items():
        problems.append(problem(shown, [r for r, _ in seen], column, seen[0][1], rule))
    for key, seen in rows_of.items():
        if len(seen) > 1:
            dim = key.split("\x00")[0]
            problems.append(problem(shown, [r for r, _ in seen], cat_col, seen[0][1],
                                    f"each {dim} category appears once (duplicate rows)"))
    if problems:
        raise ListInputError(problems)
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
                    raise ListInputError([problem(shown, "-", cat_col, f"{band_label(*a)} / {band_label(*b)}",
                                                  "age bands do not overlap")])
            index = [band_label(*b) for b in bands] + ([UNKNOWN] if UNKNOWN in agg else [])
            values = [agg[b] for b in bands] + ([agg[UNKNOWN]] if UNKNOWN in agg else [])
            counts[dim] = pd.Series(values, index=pd.Index(index, dtype=object), dtype="int64")
        else:
            order = GROUP_ORDER if dim.startswith("ethnicity") else GENDER_ORDER if dim == "gender" else []
            s = pd.Series(agg, dtype="int64")
            known = [c for c in order if c in s.index]
            counts[dim] = s.reindex(known + sorted(c for c in s.index if c not in order))
    if "ethnicity" not in counts:
        raise ListInputError([problem(shown, "-", dim_col, "(missing)", "an aggregate table has ethnicity rows")])
    totals = {d: int(s.sum()) for d, s in counts.items()}
    n = totals["ethnicity"]
    if n == 0:
        raise ListInputError([problem(shown, "-", cnt_col, 0, "the ethnicity counts add up to more than zero")])
    for d, t in totals.items():
        if t != n:
            problems.append(problem(shown, "-", cnt_col, f"{d} total {t}",
                                    f"every dimension adds up to the list size ({n}, the ethnicity total); "
                                    "put the rest in an Unknown row"))
    if problems:
        raise ListInputError(problems)
    return ListData(shown, "aggregate", "aggregate table", n, counts, {d: d for d in counts},
                    mapping_version=version)
