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
share whose numerator or denominator is suppressed is "[c]". Intervals are
police_lists.methods.stats.share (Wilson by default): model-based intervals for
process variability, since a list is a whole list (methods.md 2.3).

The disproportionality table compares each group's share of those with a
known ethnicity with its share of each benchmark (methods.md 1.2): ratio =
list share / benchmark share, with the interval police_lists.analyses.benchmarks.panel
gives (Koopman score, census counted, by default).

`run()` is `make profile`: validate, execute notebooks/05_list_profile.ipynb in
a temporary folder, move the finished profile into OUT.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from police_lists.methods import sdc, stats
from police_lists.readers.listinput import UNKNOWN, ListData

SUPPRESSED = sdc.SUPPRESSED
TABLE_COLUMNS = ["category", "count", "share", "ci_low", "ci_high", "share_known", "ci_low_known", "ci_high_known",
                 "share_min", "share_max"]
DIGITS = 4

CENSUS_GROUPS = ("White", "Black", "Asian", "Mixed", "Other")
DEFAULT_BENCHMARKS = "london_all_ages,london_10_24"


@dataclass
class Profile:
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
    k = min(int(k), int(n))
    e = stats.share(k, int(n), confidence, method)
    return [_r(e.value), _r(e.low), _r(e.high)]


def dimension_table(p: sdc.Protected, confidence: float = 0.95, ci_method: str = "wilson") -> pd.DataFrame:
    """The profile table of one dimension from its protected counts (see module docstring)."""
    n = p.total_published
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
            else:
                bounds = [_r(int(k) / int(n)), _r(min(int(k) + int(u), int(n)) / int(n))]
        rows.append([cat, k, *share, *known, *bounds])
    rows.append(["Total", n, 1.0 if n not in (SUPPRESSED, 0) else None, None, None,
                 None, None, None, None, None])
    return pd.DataFrame(rows, columns=TABLE_COLUMNS).astype(object)


def build_profile(data: ListData, threshold: int = sdc.DEFAULT_THRESHOLD, disclosure_control: bool = True,
                  confidence: float = 0.95, ci_method: str = "wilson") -> Profile:
    """Protect and tabulate every dimension the list has. A dimension the list
    does not record (e.g. gender) is one Unknown row of everybody, said so in notes."""
    tables, protected, notes = {}, {}, []
    for dim in ("ethnicity", "ethnicity_officer", "age", "gender", "harm"):
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


def disproportionality_table(profile: Profile, benchmarks: str = DEFAULT_BENCHMARKS, data_dir: str = "data",
                             confidence: float = 0.95, ci_method: str = "wilson",
                             ratio_method: str = "koopman") -> tuple[pd.DataFrame, list[str]]:
    """Each known ethnic group's share of the list (Unknown left out) against each benchmark.

    The benchmark panel is police_lists.analyses.benchmarks.panel (census ids such as
    london_all_ages, london_10_24, or published benchmark ids for the Black
    group); ratio = list share / benchmark share with its interval. Counts come
    from the PUBLISHED table; a suppressed count gives suppressed cells.
    Returns the table and notes on anything skipped."""
    from police_lists.analyses import benchmarks as bm

    ids = [b.strip() for b in benchmarks.split(",") if b.strip()]
    p = profile.protected["ethnicity"]
    n = p.total_published
    u = p.value(UNKNOWN) if UNKNOWN in p.categories else 0
    n_known = SUPPRESSED if SUPPRESSED in (n, u) else int(n) - int(u)
    rows, notes = [], []
    for cat, k in zip(p.categories, p.published):
        if cat not in CENSUS_GROUPS:
            if cat != UNKNOWN:
                notes.append(f"{cat}: no census benchmark for this group")
            continue
        for bid in ids:
            if SUPPRESSED in (k, n_known) or n_known == 0:
                rows.append([cat, bid, "", SUPPRESSED, SUPPRESSED, None, SUPPRESSED, SUPPRESSED, SUPPRESSED, "", ""])
                continue
            try:
                t = bm.panel(min(int(k), int(n_known)), int(n_known), benchmarks=[bid], group=cat,
                             confidence=confidence, ci_method=ci_method, ratio_method=ratio_method,
                             data_dir=data_dir)
            except ValueError as exc:
                notes.append(f"{cat} against {bid}: {exc}")
                continue
            r = t.iloc[0]
            rows.append([cat, bid, r["benchmark_label"], int(k), _r(r["list_share"]), _r(r["benchmark_share"]),
                         _r(r["ratio"]), _r(r["ci_low"]), _r(r["ci_high"]), r["ratio_interval_method"], r["caveat"]])
    columns = ["category", "benchmark", "benchmark_label", "list_count", "list_share", "benchmark_share", "ratio",
               "ci_low", "ci_high", "ratio_interval_method", "caveat"]
    # benchmark_share of a suppressed row is still public (it is the census share)
    out = pd.DataFrame(rows, columns=columns).astype(object)
    return out, notes


def what_changed(now: Profile, before: Profile, dimension: str = "ethnicity") -> pd.DataFrame:
    """Published counts and shares now and in the previous snapshot, and the change.

    Changes are taken between PUBLISHED values (both rounded), never true counts,
    so differencing two snapshots reveals nothing the two tables do not."""
    a, b = now.tables[dimension], before.tables[dimension]
    a = a[a["category"] != "Total"].set_index("category")
    b = b[b["category"] != "Total"].set_index("category")
    cats = list(b.index) + [c for c in a.index if c not in b.index]
    cats = [c for c in cats if c != UNKNOWN] + ([UNKNOWN] if UNKNOWN in cats else [])
    rows = []
    for c in cats:
        k0 = b["count"].get(c, 0)
        k1 = a["count"].get(c, 0)
        s0 = b["share"].get(c, 0.0)
        s1 = a["share"].get(c, 0.0)
        change = SUPPRESSED if SUPPRESSED in (k0, k1) else int(k1) - int(k0)
        pp = SUPPRESSED if SUPPRESSED in (s0, s1) else _r(100 * (float(s1) - float(s0)))
        rows.append([c, k0, k1, change, s0, s1, pp])
    rows.append(["Total", before.n_published, now.n_published,
                 SUPPRESSED if SUPPRESSED in (before.n_published, now.n_published)
                 else int(now.n_published) - int(before.n_published), None, None, None])
    return pd.DataFrame(rows, columns=["category", "count_previous", "count_now", "change", "share_previous",
                                       "share_now", "change_percentage_points"]).astype(object)


def changes_table(now: Profile, before: Profile) -> pd.DataFrame:
    """what_changed for every dimension both snapshots have, stacked with a `dimension` column."""
    parts = []
    for dim in now.tables:
        if dim in before.tables:
            part = what_changed(now, before, dim)
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
    """Whether each dimension passed the LP audit, and how many cells it hides.

    The feasible ranges themselves are NOT published: their width is computed
    from true counts and would say more than the rounded table does."""
    rows = []
    for dim, p in profile.protected.items():
        width = (p.audit["high"] - p.audit["low"]) if len(p.audit) else pd.Series(dtype=float)
        known = [k for c, k in zip(p.categories, p.true) if c != UNKNOWN and k > 0]
        # class disclosure (methods.md 4.4): one known category holds everyone, so the
        # table tells a reader that attribute of every person on the list
        rows.append([dim, int(p.suppressed.sum()), bool((width >= profile.threshold).all()),
                     len(known) == 1])
    return pd.DataFrame(rows, columns=["dimension", "suppressed_cells", "audit_passed",
                                       "one_group_holds_everyone"]).astype(object)


# ---------------------------------------------------------------- what the notebook shows


def sensitivity(synthetic: bool, disclosure_control: bool) -> str:
    """The report label of every output: SYNTHETIC wins; otherwise controlled or NOT FOR PUBLICATION."""
    from police_lists.present import appendix as report

    if synthetic:
        return report.SYNTHETIC if disclosure_control else report.NOT_FOR_PUBLICATION
    return report.RECORD_LEVEL if disclosure_control else report.NOT_FOR_PUBLICATION


def stamp_label(synthetic: bool, disclosure_control: bool) -> str | None:
    """The words stamped on every row of every table (None: nothing to stamp)."""
    words = []
    if synthetic:
        words.append("SYNTHETIC - not real people")
    if not disclosure_control:
        words.append("NOT FOR PUBLICATION")
    return "; ".join(words) or None


def banner(synthetic: bool, disclosure_control: bool, threshold: int) -> str:
    parts = []
    if synthetic:
        parts.append("**SYNTHETIC: this list is invented teaching data with published margins. It describes no real "
                     "people and supports no finding.**")
    if disclosure_control:
        parts.append(f"Disclosure control is on: counts from 1 to {threshold - 1} are shown as `{SUPPRESSED}`, other "
                     f"counts are rounded to the nearest {sdc.DEFAULT_BASE}, and further cells are suppressed where "
                     "the margins would reveal a hidden count.")
    else:
        parts.append("**NOT FOR PUBLICATION: disclosure control was switched off, so these tables hold exact "
                     "counts of people from a record-level list. Do not publish or share them.**")
    return "\n\n".join(parts)


def say_count(value, disclosure_control: bool) -> str:
    if value == SUPPRESSED:
        return f"fewer than the threshold ({SUPPRESSED})"
    return f"{int(value):,}" + (" (rounded)" if disclosure_control else "")


def summary_table(data: ListData, profile: Profile) -> pd.DataFrame:
    """Dimension, the file column it came from, and the categories found (no values from rows)."""
    rows = []
    for dim, table in profile.tables.items():
        cats = [c for c in table["category"] if c != "Total"]
        rows.append([dim, data.columns.get(dim, "(not in the list)"), ", ".join(str(c) for c in cats)])
    return pd.DataFrame(rows, columns=["dimension", "column", "categories"])


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
    if stamp:
        fig.text(0.5, 0.5, stamp, ha="center", va="center", fontsize=16, color="#cc3311", alpha=0.35, rotation=20)
    return fig


def say_largest(table: pd.DataFrame, what: str, level: str) -> str:
    known = table[(table["category"] != "Total") & (table["category"] != UNKNOWN)]
    if known.empty:
        return f"No {what} is recorded for anyone on the list."
    t = known[known["share"] != SUPPRESSED]
    if t.empty:
        return f"No {what} share can be shown without revealing a small count."
    top = t.loc[t["share"].astype(float).idxmax()]
    text = (f"The largest {what} is **{top['category']}**: {float(top['share']):.1%} of the list "
            f"({level} interval {float(top['ci_low']):.1%} to {float(top['ci_high']):.1%})")
    if top["share_known"] not in (None, SUPPRESSED) and not pd.isna(top["share_known"]):
        text += f", {float(top['share_known']):.1%} of those whose {what} is known"
        if top["share_min"] != SUPPRESSED:
            text += (f"; the unknowns allow anything from {float(top['share_min']):.1%} to "
                     f"{float(top['share_max']):.1%}")
    unknown = table[table["category"] == UNKNOWN]
    if not unknown.empty:
        k = unknown.iloc[0]["count"]
        text += f". Unknown: {k if k == SUPPRESSED else f'{int(k):,}'} people"
    return text + "."


def say_disproportionality(table: pd.DataFrame, level: str) -> str:
    shown = table[table["ratio"] != SUPPRESSED]
    if shown.empty:
        return "No ratio can be shown without revealing a small count."
    parts = [f"{r['category']} against {r['benchmark']}: {float(r['ratio']):.2f} ({level} interval "
             f"{float(r['ci_low']):.2f} to {float(r['ci_high']):.2f})" for _, r in shown.iterrows()]
    return "Ratios of list share to benchmark share: " + "; ".join(parts) + "."


def say_disclosure(profile: Profile) -> str:
    if not profile.disclosure_control:
        return "Disclosure control was off: nothing was suppressed or rounded, and these outputs are NOT FOR PUBLICATION."
    hidden = sum(int(p.suppressed.sum()) for p in profile.protected.values())
    passed = all(bool(r) for r in audit_table(profile)["audit_passed"])
    table = audit_table(profile)
    text = (f"{hidden} cell(s) are hidden across the tables; the audit "
            + ("passed for every dimension." if passed else "FAILED: do not publish."))
    whole = [d for d, flag in zip(table["dimension"], table["one_group_holds_everyone"]) if flag]
    if whole:
        text += (" In " + ", ".join(whole) + " a single known group holds everyone, which tells a reader that "
                 "attribute of every person on the list (class disclosure): check before publishing.")
    return text


# ---------------------------------------------------------------- make profile


NOTEBOOK = "05_list_profile.ipynb"
PROFILE_KIND = "police_lists profile"
OUTPUT_FILES = ("profile.html", "notebook.ipynb", "manifest.json")


class ProfileError(Exception):
    """`make profile` was refused or failed; str() is one line per problem."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


def papermill_value(text: str, name: str = ""):
    """A -p value as papermill's command line reads it: int, float, bool, None, else str.
    A parameter whose rule wants a string keeps the text as given (a column named '2021')."""
    from police_lists.pipeline.params import RULES

    if name in RULES and RULES[name].kind is str:
        return text
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return {"True": True, "False": False, "None": None}.get(text, text)


def _check_out(out) -> None:
    """OUT may be missing, empty, or an earlier profile (replaced whole); nothing else is touched."""
    import json

    if not out.exists():
        return
    if not out.is_dir():
        raise ProfileError([f"{out.name}: row -, column -: value {out.name!r} breaks rule: OUT must be a folder"])
    if not any(out.iterdir()):
        return
    manifest = out / "manifest.json"
    try:
        kind = json.loads(manifest.read_text()).get("kind")
    except (OSError, ValueError):
        kind = None
    if kind != PROFILE_KIND:
        raise ProfileError([f"{out.name}: row -, column -: value {out.name!r} breaks rule: OUT must be missing, "
                            "empty or an earlier profile; it will not overwrite other files"])


def run(list_path: str, output_dir: str, parameters: dict | None = None, data_dir: str = "data",
        show_code: bool = False) -> dict:
    """Validate, execute notebooks/05 on the list in a temporary folder, then move
    OUT/{profile.html, notebook.ipynb, manifest.json, tables/, figures/} into place.

    Everything is checked before anything is created under OUT; on any error OUT
    is left exactly as it was (the build happens in a sibling temporary folder
    that is renamed into place only when complete)."""
    import json
    import os
    import platform
    import shutil
    import tempfile
    from pathlib import Path

    import nbformat

    from police_lists.pipeline import build, params as params_mod
    from police_lists.readers import listinput
    from police_lists.contract.files import sha256_file
    from police_lists.contract.paths import display_path, notebooks_dir

    given = dict(parameters or {})
    for fixed in ("list_path", "output_dir", "table_prefix"):
        if fixed in given:
            raise ProfileError([f"parameter {fixed} is set by make profile (LIST=, OUT=), not with -p"])
    src = Path(list_path).expanduser().resolve()
    out = Path(output_dir).expanduser().resolve()
    values = {"data_dir": data_dir, "list_path": str(src), **given, "table_prefix": ""}
    if "previous_path" in values and values["previous_path"]:
        values["previous_path"] = str(Path(values["previous_path"]).expanduser().resolve())
    try:
        params_mod.check_parameters(**values)
    except params_mod.ParameterError as exc:
        raise ProfileError([str(exc)]) from None
    column_args = {k: values[k] for k in ("ethnicity_column", "officer_ethnicity_column", "age_column",
                                          "gender_column", "harm_column", "id_column", "age_bands", "harm_bands") if k in values}
    # The list (and the previous snapshot) are validated here, before papermill starts.
    data = listinput.read_list(src, data_dir=data_dir, **column_args)
    if values.get("previous_path"):
        listinput.read_list(values["previous_path"], data_dir=data_dir, **column_args)
    _check_out(out)

    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.profile-", dir=out.parent))
    try:
        run_dir = staging / ".run"
        validated = run_dir / "validated_counts.json"
        listinput.save_validated(data, validated, src)  # the notebook reuses these counts (no second read)
        try:
            nb = build.execute(notebooks_dir() / NOTEBOOK, {**values, "output_dir": str(staging),
                                                             "validated_counts": str(validated)}, run_dir)
        except Exception as exc:  # papermill's error carries the notebook's own one-line reason
            reason = getattr(exc, "evalue", None) or str(exc).strip().splitlines()[-1]
            raise ProfileError([f"{display_path(src)}: the profile notebook failed: {reason}"]) from None
        shown_list = display_path(src)
        for cell in nb.cells:  # before clean_executed, which rewrites the staging folder
            if "injected-parameters" in cell.metadata.get("tags", []):
                cell.source = "\n".join(line for line in cell.source.splitlines()
                                        if not line.startswith("validated_counts ="))
                cell.source = cell.source.replace(str(src), shown_list)
                if values.get("previous_path"):
                    cell.source = cell.source.replace(values["previous_path"], display_path(values["previous_path"]))
        build.clean_executed(nb, "OUT", str(staging))
        pm = nb.metadata.get("papermill", {}).get("parameters", {})
        for key in ("list_path", "previous_path"):
            if pm.get(key):
                pm[key] = display_path(pm[key])
        pm.pop("validated_counts", None)
        shown_params = {k: (display_path(v) if k in ("list_path", "previous_path") and v else v)
                        for k, v in {**values, "output_dir": "OUT"}.items()}
        inputs = {shown_list: sha256_file(src)}
        if values.get("previous_path"):
            inputs[display_path(values["previous_path"])] = sha256_file(Path(values["previous_path"]))
        inputs[f"notebooks/{NOTEBOOK}"] = sha256_file(notebooks_dir() / NOTEBOOK)
        inputs[f"data/{listinput.MAPPING}"] = sha256_file(Path(build.resolve(data_dir)) / listinput.MAPPING)
        versions = build.package_versions()
        commit = build.git_commit()
        page = build.to_html(nb, "profile", build.provenance_html("profile", shown_params, inputs, versions, commit),
                             show_code)
        shutil.rmtree(run_dir)
        (staging / "profile.html").write_bytes(page.encode("utf-8"))
        (staging / "notebook.ipynb").write_bytes(nbformat.writes(nb).encode("utf-8"))
        labels = {}
        for label in sorted((staging / "tables" / ".labels").glob("*.json")):
            info = json.loads(label.read_text())
            labels[f"tables/{info['table']}"] = info["sensitivity"]
        outputs = {}
        for path in sorted(p for p in staging.rglob("*") if p.is_file() and ".labels" not in p.parts):
            rel = path.relative_to(staging).as_posix()
            outputs[rel] = {"sha256": sha256_file(path), **({"sensitivity": labels[rel]} if rel in labels else {})}
        manifest = {
            "kind": PROFILE_KIND,
            "format": data.format,
            "synthetic": data.synthetic,
            "sensitivity": sensitivity(data.synthetic, bool(values.get("disclosure_control", True))),
            "ethnicity_mapping_version": data.mapping_version,
            "git_commit": commit,
            "python": platform.python_version(),
            "packages": versions,
            "inputs": inputs,
            "parameters": shown_params,
            "outputs": outputs,
        }
        (staging / "manifest.json").write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n")
        for path in staging.rglob("*"):
            os.chmod(path, 0o755 if path.is_dir() else 0o644)
        # Swap into place: the old profile (if any) is moved aside first, removed last.
        old = None
        if out.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=out.parent))
            os.replace(out, old / "profile")
        os.replace(staging, out)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
        return manifest
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
