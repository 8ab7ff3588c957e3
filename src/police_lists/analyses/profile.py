"""Profile tables for any list read by police_lists.readers.listinput.

For each dimension (ethnicity, officer-defined ethnicity beside it, age band,
gender, harm band when present) one table with
  category, count, share, ci_low, ci_high                 (Unknown as a category)
  share_known, ci_low_known, ci_high_known                (Unknown left out)
  share_min, share_max                                    (bounds the unknowns allow:
                                                           none / all of them in the category)
plus a Total row. With disclosure control (the default) counts follow
police_lists.methods.sdc and every share is computed from the PUBLISHED (rounded)
counts and total, so no derived figure reveals more than the counts do; a
share whose numerator or denominator is suppressed is "[c]". A table that
would disclose a group (sdc.group_disclosure) is suppressed whole: one row,
no category names. Intervals are police_lists.methods.stats.share (Wilson by
default): model-based intervals for process variability, since a list is a
whole list (methods.md 2.3).

The disproportionality table compares each group's share of those with a
known ethnicity with its share of each benchmark (methods.md 1.2): ratio =
list share / benchmark share, with the interval police_lists.analyses.benchmarks.panel
gives (Koopman score, census counted, by default).

publish() does all of it in memory and returns a Published: only published
values (and audit pass/fail flags), never a true count. It is what the
notebook shows, whether the notebook read the list itself (papermill, `make
all`) or `make profile` computed it in its own process and handed it over
(Published.save / load) through a private scratch folder.

`run()` is `make profile`: validate the list, compute the profile and its
LP audit in this process, execute notebooks/05_list_profile.ipynb on the
published values in a private scratch folder (police_lists.pipeline.scratch), then
publish into OUT file by file (police_lists.pipeline.outdir).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import pandas as pd

from police_lists.methods import sdc
from police_lists.readers.listinput import UNKNOWN, ListData

SUPPRESSED = sdc.SUPPRESSED
NOT_COMPUTABLE = "not computable"
WHOLE = "all categories (suppressed)"  # the one row of a table suppressed whole
TABLE_COLUMNS = [
    "category",
    "count",
    "share",
    "ci_low",
    "ci_high",
    "share_known",
    "ci_low_known",
    "ci_high_known",
    "share_min",
    "share_max",
]
DIGITS = 4
DIMENSIONS = ("ethnicity", "ethnicity_officer", "age", "gender", "harm")

CENSUS_GROUPS = ("White", "Black", "Asian", "Mixed", "Other")


@dataclass
class Profile:
    """Protected tables with the true counts behind them: lives only in the process
    that read the list (the LP audit needs the true counts). Never saved."""

    tables: dict[str, pd.DataFrame]
    protected: dict[str, sdc.Protected]
    n_published: int | str
    disclosure_control: bool
    threshold: int
    notes: list[str] = field(default_factory=list)


def _r(x: float) -> float:
    return round(float(x), DIGITS)


def _share_cells(k, n, confidence, method):
    """share, low, high from published k of published n; suppressed if either is."""
    if k == SUPPRESSED or n == SUPPRESSED or n in (0, None):
        return [SUPPRESSED] * 3
    # statsmodels is imported on first use, not with this module: the profile's kernel
    # imports this module only to load and show published values, and starts faster.
    from police_lists.methods import stats

    k = min(int(k), int(n))
    e = stats.share(k, int(n), confidence, method)
    return [_r(e.value), _r(e.low), _r(e.high)]


def dimension_table(p: sdc.Protected, confidence: float = 0.95, ci_method: str = "wilson") -> pd.DataFrame:
    """The profile table of one dimension from its protected counts (see module docstring)."""
    n = p.total_published
    if p.whole:
        rows = [
            [WHOLE, SUPPRESSED, *[SUPPRESSED] * 3, *[SUPPRESSED] * 3, SUPPRESSED, SUPPRESSED],
            ["Total", n, 1.0 if n not in (SUPPRESSED, 0) else None, None, None, None, None, None, None, None],
        ]
        return pd.DataFrame(rows, columns=TABLE_COLUMNS).astype(object)
    cats = p.categories
    u = p.value(UNKNOWN) if UNKNOWN in cats else 0
    n_known = SUPPRESSED if (u == SUPPRESSED or n == SUPPRESSED) else int(n) - int(u)
    rows = []
    for cat, k in zip(cats, p.published):
        share = _share_cells(k, n, confidence, ci_method)
        if cat == UNKNOWN:
            known = [None] * 3
            bounds = [None, None]
        else:
            known = _share_cells(k, n_known, confidence, ci_method) if n_known != 0 else [None] * 3
            if SUPPRESSED in (k, u, n):
                bounds = [SUPPRESSED] * 2
            elif int(n) == 0:
                bounds = [None, None]
            else:
                bounds = [_r(int(k) / int(n)), _r(min(int(k) + int(u), int(n)) / int(n))]
        rows.append([cat, k, *share, *known, *bounds])
    rows.append(["Total", n, 1.0 if n not in (SUPPRESSED, 0) else None, None, None, None, None, None, None, None])
    return pd.DataFrame(rows, columns=TABLE_COLUMNS).astype(object)


def weak_control(disclosure_control: bool, threshold: int) -> bool:
    """True when the settings are weaker than the ONS 10-5 rule: every output is then NOT FOR PUBLICATION."""
    return not disclosure_control or threshold < sdc.DEFAULT_THRESHOLD


def build_profile(
    data: ListData,
    threshold: int = sdc.DEFAULT_THRESHOLD,
    disclosure_control: bool = True,
    confidence: float = 0.95,
    ci_method: str = "wilson",
) -> Profile:
    """Protect and tabulate every dimension the list has. A dimension the list
    does not record (e.g. gender) is one Unknown row of everybody, said so in notes."""
    tables, protected, notes = {}, {}, []
    for dim in DIMENSIONS:
        counts = data.counts.get(dim)
        if counts is None:
            if dim in ("ethnicity_officer", "harm"):
                continue
            counts = pd.Series({UNKNOWN: data.n}, dtype="int64")
            notes.append(f"{dim}: not recorded in the list, so everyone is counted as Unknown")
        p = sdc.protect_counts(counts, threshold, enabled=disclosure_control)
        protected[dim] = p
        tables[dim] = dimension_table(p, confidence, ci_method)
    n_pub = protected["ethnicity"].total_published
    return Profile(tables, protected, n_pub, disclosure_control, threshold, notes)


@lru_cache(maxsize=256)
def resolved_benchmark(benchmark_id: str, group: str, data_dir: str = "data"):
    """A benchmark resolved once per process (analyses.benchmarks.resolve): finding a
    census share filters the single-year census table, which costs far more than the
    panel's arithmetic, and every list profiled in a run uses the same benchmarks."""
    from police_lists.analyses import benchmarks as bm

    return bm.resolve(benchmark_id, group=group, data_dir=data_dir)


def known_total(table: pd.DataFrame):
    """People whose value is known in a published table: its published Total less its
    published Unknown ([c] when either is)."""
    n = table.loc[table["category"] == "Total", "count"].iloc[0]
    unknown = table.loc[table["category"] == UNKNOWN, "count"]
    u = unknown.iloc[0] if len(unknown) else 0
    return SUPPRESSED if SUPPRESSED in (n, u) else int(n) - int(u)


def disproportionality_table(
    profile: Profile,
    benchmarks: str = "",
    data_dir: str = "data",
    confidence: float = 0.95,
    ci_method: str = "wilson",
    ratio_method: str = "koopman",
) -> tuple[pd.DataFrame, list[str]]:
    """Each known ethnic group's share of the list (Unknown left out) against each benchmark.

    The benchmark panel is police_lists.analyses.benchmarks.panel (census ids such as
    london_all_ages, london_10_24, or published benchmark ids for the Black
    group; '' for the set 'profile' of data/manual/benchmark_sets.csv); ratio = list share / benchmark share with its interval. Counts come
    from the PUBLISHED table; a suppressed count gives suppressed cells. When
    everyone whose ethnicity is known is in one group the interval is undefined
    and the row says "not computable". Returns the table and notes on anything skipped."""
    from police_lists.analyses import benchmarks as bm

    ids = [b.strip() for b in benchmarks.split(",") if b.strip()] or bm.benchmark_set("profile", data_dir=data_dir)
    table = profile.tables["ethnicity"]
    body = table[table["category"] != "Total"]
    n_known = known_total(table)
    rows, notes = [], []
    for cat, k in zip(body["category"], body["count"]):
        if cat not in CENSUS_GROUPS:
            if cat not in (UNKNOWN, WHOLE):
                notes.append(f"{cat}: no census benchmark for this group")
            continue
        for bid in ids:
            if SUPPRESSED in (k, n_known) or n_known == 0:
                rows.append([cat, bid, "", SUPPRESSED, SUPPRESSED, None, SUPPRESSED, SUPPRESSED, SUPPRESSED, "", ""])
                continue
            try:
                t = bm.panel(
                    min(int(k), int(n_known)),
                    int(n_known),
                    benchmarks=[resolved_benchmark(bid, cat, data_dir)],
                    group=cat,
                    confidence=confidence,
                    ci_method=ci_method,
                    ratio_method=ratio_method,
                    data_dir=data_dir,
                )
            except (ZeroDivisionError, FloatingPointError):
                rows.append(
                    [
                        cat,
                        bid,
                        "",
                        int(k),
                        _r(int(k) / int(n_known)),
                        None,
                        NOT_COMPUTABLE,
                        NOT_COMPUTABLE,
                        NOT_COMPUTABLE,
                        "",
                        "",
                    ]
                )
                notes.append(
                    f"{cat} against {bid}: ratio not computable (everyone whose ethnicity is known is in "
                    "one group, so its interval is undefined)"
                )
                continue
            except ValueError as exc:
                notes.append(f"{cat} against {bid}: {exc}")
                continue
            r = t.iloc[0]
            rows.append(
                [
                    cat,
                    bid,
                    r["benchmark_label"],
                    int(k),
                    _r(r["list_share"]),
                    _r(r["benchmark_share"]),
                    _r(r["ratio"]),
                    _r(r["ci_low"]),
                    _r(r["ci_high"]),
                    r["ratio_interval_method"],
                    r["caveat"],
                ]
            )
    columns = [
        "category",
        "benchmark",
        "benchmark_label",
        "list_count",
        "list_share",
        "benchmark_share",
        "ratio",
        "ci_low",
        "ci_high",
        "ratio_interval_method",
        "caveat",
    ]
    # benchmark_share of a suppressed row is still public (it is the census share)
    out = pd.DataFrame(rows, columns=columns).astype(object)
    return out, notes


def _whole(table: pd.DataFrame) -> bool:
    return bool((table["category"] == WHOLE).any())


def what_changed(now: pd.DataFrame, before: pd.DataFrame) -> pd.DataFrame:
    """Published counts and shares now and in the previous snapshot, and the change.

    Changes are taken between PUBLISHED values (both rounded), never true counts,
    so differencing two snapshots reveals nothing the two tables do not. When
    either table is suppressed whole, so is the comparison."""
    a = now[now["category"] != "Total"].set_index("category")
    b = before[before["category"] != "Total"].set_index("category")
    total0 = before.loc[before["category"] == "Total", "count"].iloc[0]
    total1 = now.loc[now["category"] == "Total", "count"].iloc[0]
    rows = []
    if _whole(now) or _whole(before):
        rows.append([WHOLE] + [SUPPRESSED] * 6)
    else:
        cats = list(b.index) + [c for c in a.index if c not in b.index]
        cats = [c for c in cats if c != UNKNOWN] + ([UNKNOWN] if UNKNOWN in cats else [])
        for c in cats:
            k0 = b["count"].get(c, 0)
            k1 = a["count"].get(c, 0)
            s0 = b["share"].get(c, 0.0)
            s1 = a["share"].get(c, 0.0)
            change = SUPPRESSED if SUPPRESSED in (k0, k1) else int(k1) - int(k0)
            pp = SUPPRESSED if SUPPRESSED in (s0, s1) else _r(100 * (float(s1) - float(s0)))
            rows.append([c, k0, k1, change, s0, s1, pp])
    rows.append(
        [
            "Total",
            total0,
            total1,
            SUPPRESSED if SUPPRESSED in (total0, total1) else int(total1) - int(total0),
            None,
            None,
            None,
        ]
    )
    return pd.DataFrame(
        rows,
        columns=[
            "category",
            "count_previous",
            "count_now",
            "change",
            "share_previous",
            "share_now",
            "change_percentage_points",
        ],
    ).astype(object)


def changes_table(now: dict[str, pd.DataFrame], before: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """what_changed for every dimension both snapshots have, stacked with a `dimension` column."""
    parts = []
    for dim in now:
        if dim in before:
            part = what_changed(now[dim], before[dim])
            part.insert(0, "dimension", dim)
            parts.append(part)
    return pd.concat(parts, ignore_index=True).astype(object)


def stamp(df: pd.DataFrame, label: str | None) -> pd.DataFrame:
    """Add a `label` column carrying SYNTHETIC / NOT FOR PUBLICATION on every row."""
    out = df.astype(object).where(df.notna(), "")  # blanks, never the word None
    if label:
        out["label"] = label
    return out


def audit_table(profile: Profile) -> pd.DataFrame:
    """For each dimension: cells hidden, the group disclosure check, and the LP audit.

    The feasible ranges themselves are NOT published: their width is computed
    from true counts and would say more than the rounded table does. The group
    check says only "suppressed whole", never why (one group holding everyone
    and every count being hidden anyway look the same), since a published
    reason would itself tell a reader that everyone is in one group."""
    rows = []
    for dim, p in profile.protected.items():
        if not profile.disclosure_control:
            check = (
                "fails: one group holds everyone (not applied: disclosure control off)"
                if p.group_disclosure
                else "passed"
            )
            rows.append([dim, 0, check, "not run (disclosure control off)"])
            continue
        width = (p.audit["high"] - p.audit["low"]) if len(p.audit) else pd.Series(dtype=float)
        rows.append(
            [
                dim,
                int(p.suppressed.sum()),
                "suppressed whole" if p.whole else "passed",
                bool((width >= profile.threshold).all()),
            ]
        )
    return pd.DataFrame(
        rows, columns=["dimension", "suppressed_cells", "group_disclosure_check", "audit_passed"]
    ).astype(object)


# ---------------------------------------------------------------- what crosses to the notebook


def _json_value(x):
    if isinstance(x, (np.integer,)):
        return int(x)
    if isinstance(x, (np.floating, float)):
        return None if not np.isfinite(x) else float(x)
    if isinstance(x, np.bool_):
        return bool(x)
    if x is pd.NA or x is pd.NaT:
        return None
    return x


def _frame_record(df: pd.DataFrame | None):
    if df is None:
        return None
    return {
        "columns": [str(c) for c in df.columns],
        "rows": [[_json_value(v) for v in row] for row in df.itertuples(index=False, name=None)],
    }


def _frame(record) -> pd.DataFrame | None:
    if record is None:
        return None
    return pd.DataFrame(record["rows"], columns=record["columns"]).astype(object)


@dataclass
class Published:
    """Everything the profile notebook shows: published (disclosure-controlled,
    or with disclosure control off exact and stamped NOT FOR PUBLICATION) tables,
    audit pass/fail flags and notes. Never a true count behind a suppressed or
    rounded one, so it may be written to a (private) file."""

    file: str
    format: str
    kind: str
    synthetic: bool
    mapping_version: int
    columns: dict[str, str]
    notes: list[str]
    n_published: int | str
    disclosure_control: bool
    threshold: int
    tables: dict[str, pd.DataFrame]
    summary: pd.DataFrame
    disproportionality: pd.DataFrame
    disproportionality_notes: list[str]
    audit: pd.DataFrame
    previous_file: str | None = None
    previous_n: int | str | None = None
    changes: pd.DataFrame | None = None
    force: str | None = None  # police force area code whose benchmarks were used (readers.census.list_force)

    @property
    def weak(self) -> bool:
        return weak_control(self.disclosure_control, self.threshold)

    @property
    def sensitivity(self) -> str:
        return sensitivity(self.synthetic, self.disclosure_control, self.threshold, self.kind)

    @property
    def stamp(self) -> str | None:
        return stamp_label(self.synthetic, self.disclosure_control, self.threshold)

    def to_json(self) -> str:
        record = {
            k: getattr(self, k)
            for k in (
                "file",
                "format",
                "kind",
                "synthetic",
                "mapping_version",
                "columns",
                "notes",
                "n_published",
                "disclosure_control",
                "threshold",
                "disproportionality_notes",
                "previous_file",
                "previous_n",
                "force",
            )
        }
        record["n_published"] = _json_value(record["n_published"])
        record["previous_n"] = _json_value(record["previous_n"])
        record["tables"] = {d: _frame_record(t) for d, t in self.tables.items()}
        for name in ("summary", "disproportionality", "audit", "changes"):
            record[name] = _frame_record(getattr(self, name))
        return json.dumps(record, allow_nan=False, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> Published:
        r = json.loads(text)
        frames = {name: _frame(r.pop(name)) for name in ("summary", "disproportionality", "audit", "changes")}
        tables = {d: _frame(t) for d, t in r.pop("tables").items()}
        return cls(tables=tables, **frames, **r)

    def save(self, path) -> None:
        from pathlib import Path

        Path(path).write_text(self.to_json(), encoding="utf-8")

    @classmethod
    def load(cls, path) -> Published:
        from pathlib import Path

        return cls.from_json(Path(path).read_text(encoding="utf-8"))


def summary_table(data: ListData, tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Dimension, the file column it came from, and the categories published (no values from rows)."""
    rows = []
    for dim, table in tables.items():
        cats = [c for c in table["category"] if c != "Total"]
        rows.append([dim, data.columns.get(dim, "(not in the list)"), ", ".join(str(c) for c in cats)])
    return pd.DataFrame(rows, columns=["dimension", "column", "categories"])


def publish(
    data: ListData,
    previous: ListData | None = None,
    *,
    threshold: int = sdc.DEFAULT_THRESHOLD,
    disclosure_control: bool = True,
    confidence: float = 0.95,
    ci_method: str = "wilson",
    ratio_method: str = "koopman",
    benchmarks: str = "",
    force: str = "",
    data_dir: str = "data",
) -> Published:
    """The whole profile of a list (and its previous snapshot), in memory: only published values leave.

    `force` (a police force area code, name or slug; '' to find it from a police.uk
    file name; 'none' for none, readers.census.list_force): when a force is known its
    own benchmarks (analyses.benchmarks.force_benchmarks) replace `benchmarks`."""
    from police_lists.analyses.benchmarks import force_benchmarks
    from police_lists.readers.census import force_name, list_force

    code = list_force(force, data.file, data_dir)
    if code is not None:
        benchmarks = ",".join(force_benchmarks(code, data_dir))
    profile = build_profile(data, threshold, disclosure_control, confidence, ci_method)
    disp, disp_notes = disproportionality_table(profile, benchmarks, data_dir, confidence, ci_method, ratio_method)
    if code is not None:
        how = "as given" if force.strip() else "found from the file name"
        disp_notes.insert(0, f"benchmarks: the census population of the {force_name(code, data_dir)} area ({how})")
    pub = Published(
        file=data.file,
        format=data.format,
        kind=data.kind,
        synthetic=data.synthetic or bool(previous and previous.synthetic),
        mapping_version=data.mapping_version,
        columns=dict(data.columns),
        notes=[*data.notes, *profile.notes],
        n_published=profile.n_published,
        disclosure_control=disclosure_control,
        threshold=threshold,
        tables=profile.tables,
        summary=summary_table(data, profile.tables),
        disproportionality=disp,
        disproportionality_notes=disp_notes,
        audit=audit_table(profile),
        force=code,
    )
    if previous is not None:
        before = build_profile(previous, threshold, disclosure_control, confidence, ci_method)
        pub.previous_file = previous.file
        pub.previous_n = before.n_published
        pub.changes = changes_table(profile.tables, before.tables)
    return pub


def sensitivity(
    synthetic: bool, disclosure_control: bool, threshold: int = sdc.DEFAULT_THRESHOLD, kind: str = "record"
) -> str:
    """The report label of every output: SYNTHETIC, aggregate or record-level when
    controlled; NOT FOR PUBLICATION when control is off or weaker than the 10-5 rule."""
    from police_lists.contract import standards as report

    if weak_control(disclosure_control, threshold):
        return report.NOT_FOR_PUBLICATION
    if synthetic:
        return report.SYNTHETIC
    return report.AGGREGATE if kind == "aggregate" else report.RECORD_LEVEL


def stamp_label(synthetic: bool, disclosure_control: bool, threshold: int = sdc.DEFAULT_THRESHOLD) -> str | None:
    """The words stamped on every row of every table (None: nothing to stamp)."""
    words = []
    if synthetic:
        words.append("SYNTHETIC - not real people")
    if weak_control(disclosure_control, threshold):
        words.append("NOT FOR PUBLICATION")
    return "; ".join(words) or None
