"""Many lists side by side (issue 16): one row per list and ethnic group with the
list's size, the group's share of the people whose ethnicity is known, and its
ratio to the group's share of the list's OWN force area (its census population,
readers.census + analyses.benchmarks.force_benchmarks), each with its interval;
then every list ranked by each measure with a rank RANGE, never by a point value.

Inputs are only published profiles (analyses.profile.Published: counts after
disclosure control, never a true count), so nothing here can reveal more than
the single-list appendices do. A count published as [c] gives [c] shares and
ratios, and its list is not ranked on that measure.

Ranking (rank_table). A list is placed above another only when its whole interval
lies above the other's interval (the two do not overlap). The rank range of a
list is every rank left open by those orderings: its best rank is one plus the
number of lists placed above it, its worst rank is the number of ranked lists
less the number placed below it. Lists whose intervals overlap therefore share
ranks, and a list ranked "1-4" of four is not told apart from any other. This is
conservative on purpose: two 95% intervals that do not overlap differ at well
under the 5% level, so an ordering the page states is one the data support. It
is computed directly from the intervals (no simulation), so it is deterministic.
The league-table critique behind ranking with intervals is Goldstein and
Spiegelhalter (1996), "League tables and their limitations", JRSS A 159(3).
"""

from __future__ import annotations

import pandas as pd

from police_lists.analyses import profile as prof
from police_lists.methods import stats
from police_lists.readers import census

SHARE = "share_known"
RATIO = "ratio"
MEASURES = {
    SHARE: "share of the people whose ethnicity is known",
    RATIO: "ratio of that share to the group's share of the force area's residents",
}
NO_FORCE = "no force area"
COLUMNS = [
    "list",
    "force_code",
    "force",
    "n_published",
    "group",
    "count",
    "share_known",
    "share_ci_low",
    "share_ci_high",
    "benchmark",
    "benchmark_share",
    "ratio",
    "ratio_ci_low",
    "ratio_ci_high",
]
RANK_COLUMNS = ["group", "measure", "list", "force", "value", "ci_low", "ci_high", "rank_best", "rank_worst", "rank"]


def list_force_code(pub: prof.Published, force: str = "", data_dir: str = "data") -> str | None:
    """Whose population a list is compared with: `force` when given (the same for
    every list); else the force its profile used; else its police.uk file name."""
    if force.strip():
        return census.list_force(force, pub.file, data_dir)
    return pub.force or census.force_from_filename(pub.file, data_dir)


def _number(x) -> bool:
    return x not in (None, "", prof.SUPPRESSED, prof.NOT_COMPUTABLE) and not pd.isna(x)


def comparison_table(
    published: dict[str, prof.Published],
    *,
    force: str = "",
    census_year: int = 2021,
    confidence: float = 0.95,
    ci_method: str = "wilson",
    ratio_method: str = "koopman",
    data_dir: str = "data",
) -> pd.DataFrame:
    """One row per list (key of `published`, in sorted order) and census group (White,
    Black, Asian, Mixed, Other) with COLUMNS. Shares and ratios are computed here, at
    `confidence`, from the published counts only (as analyses.profile does), against
    the list's own force area's census population of `census_year` (all ages)."""
    rows = []
    for key in sorted(published):
        pub = published[key]
        code = list_force_code(pub, force, data_dir)
        name = census.force_name(code, data_dir) if code else NO_FORCE
        benchmark = census.force_census_id(code, census_year) if code else ""
        table = pub.tables["ethnicity"]
        # analyses.profile computes each ratio from the published table alone: a Profile
        # holding only published tables (no protected counts) is all it reads.
        shell = prof.Profile({"ethnicity": table}, {}, pub.n_published, pub.disclosure_control, pub.threshold)
        ratios = {}
        if code:
            disp, _ = prof.disproportionality_table(shell, benchmark, data_dir, confidence, ci_method, ratio_method)
            ratios = {r["category"]: r for _, r in disp.iterrows()}
        n_known = prof.known_total(table)
        counts = dict(zip(table["category"], table["count"]))
        for group in prof.CENSUS_GROUPS:
            k = counts.get(group, 0 if prof.WHOLE not in counts else prof.SUPPRESSED)
            if prof.SUPPRESSED in (k, n_known) or n_known == 0:
                share = [prof.SUPPRESSED] * 3 if n_known != 0 else [None] * 3
            else:
                e = stats.share(min(int(k), int(n_known)), int(n_known), confidence, ci_method)
                share = [prof._r(e.value), prof._r(e.low), prof._r(e.high)]
            r = ratios.get(group)
            bshare = None
            if code:  # public whatever the list's counts are
                g, tot = census.census_share(benchmark, group, data_dir)
                bshare = prof._r(g / tot)
            if r is None:
                # no row: no one in the group is on the list (ratio 0, no interval), or its share is hidden
                if share[0] == prof.SUPPRESSED:
                    ratio = [prof.SUPPRESSED] * 3
                else:
                    ratio = [0.0, None, None] if code and k == 0 else [None] * 3
            else:
                ratio = [r["ratio"], r["ci_low"], r["ci_high"]]
            rows.append([key, code or "", name, pub.n_published, group, k, *share, benchmark, bshare, *ratio])
    return pd.DataFrame(rows, columns=COLUMNS).astype(object)


def rank_ranges(values: pd.DataFrame) -> pd.DataFrame:
    """Rank ranges (1 = highest) from intervals `ci_low`, `ci_high` (see the module
    docstring): rank_best, rank_worst and rank ('2' or '1-3') for every row."""
    lo = values["ci_low"].astype(float).to_numpy()
    hi = values["ci_high"].astype(float).to_numpy()
    n = len(values)
    above = [int((lo > hi[i]).sum()) for i in range(n)]  # lists wholly above this one
    below = [int((hi < lo[i]).sum()) for i in range(n)]  # lists wholly below it
    out = values.copy()
    out["rank_best"] = [1 + a for a in above]
    out["rank_worst"] = [n - b for b in below]
    out["rank"] = [str(b) if b == w else f"{b}-{w}" for b, w in zip(out["rank_best"], out["rank_worst"])]
    return out


def rank_table(comparison: pd.DataFrame, groups: tuple[str, ...] = prof.CENSUS_GROUPS) -> pd.DataFrame:
    """For each group and measure (share_known, ratio): every list with a published
    value and interval, ranked with rank_ranges; lists without one are left out
    (said so in the notes of findings). Sorted by group, measure, best rank."""
    parts = []
    for group in groups:
        g = comparison[comparison["group"] == group]
        for measure, low, high in ((SHARE, "share_ci_low", "share_ci_high"), (RATIO, "ratio_ci_low", "ratio_ci_high")):
            ok = g[g[measure].map(_number) & g[low].map(_number) & g[high].map(_number)]
            if ok.empty:
                continue
            values = pd.DataFrame(
                {
                    "group": group,
                    "measure": measure,
                    "list": ok["list"].to_numpy(),
                    "force": ok["force"].to_numpy(),
                    "value": ok[measure].astype(float).to_numpy(),
                    "ci_low": ok[low].astype(float).to_numpy(),
                    "ci_high": ok[high].astype(float).to_numpy(),
                }
            )
            ranked = rank_ranges(values).sort_values(["rank_best", "rank_worst", "list"], kind="stable")
            parts.append(ranked)
    if not parts:
        return pd.DataFrame(columns=RANK_COLUMNS).astype(object)
    return pd.concat(parts, ignore_index=True)[RANK_COLUMNS].astype(object)


def unranked(comparison: pd.DataFrame, group: str, measure: str) -> list[str]:
    """Lists with no published value or interval for `group` and `measure` (suppressed,
    not computable, or no force area), so not ranked."""
    g = comparison[comparison["group"] == group]
    low, high = ("share_ci_low", "share_ci_high") if measure == SHARE else ("ratio_ci_low", "ratio_ci_high")
    bad = ~(g[measure].map(_number) & g[low].map(_number) & g[high].map(_number))
    return g.loc[bad, "list"].tolist()


def sizes(published: dict[str, prof.Published]) -> pd.DataFrame:
    """Each list's file, format, published size and disclosure settings (published values only)."""
    rows = [
        [key, p.file, p.format, p.n_published, p.disclosure_control, p.threshold, p.synthetic, p.sensitivity]
        for key, p in sorted(published.items())
    ]
    return pd.DataFrame(
        rows,
        columns=["list", "file", "format", "n_published", "disclosure_control", "threshold", "synthetic", "label"],
    ).astype(object)


def label(published: dict[str, prof.Published]) -> tuple[str, str | None]:
    """(sensitivity, stamp) of the comparison: the strictest of its lists' (SYNTHETIC if
    any list is, NOT FOR PUBLICATION if any list's disclosure control is weakened)."""
    pubs = list(published.values())
    synthetic = any(p.synthetic for p in pubs)
    control = all(p.disclosure_control for p in pubs)
    threshold = min((p.threshold for p in pubs), default=10)
    kind = "aggregate" if pubs and all(p.kind == "aggregate" for p in pubs) else "record"
    return prof.sensitivity(synthetic, control, threshold, kind), prof.stamp_label(synthetic, control, threshold)


LIST_SUFFIXES = (".csv", ".xlsx")


def published_profiles(
    lists_dir: str = "",
    published_dir: str = "",
    *,
    force: str = "",
    threshold: int = 10,
    disclosure_control: bool = True,
    confidence: float = 0.95,
    ci_method: str = "wilson",
    ratio_method: str = "koopman",
    data_dir: str = "data",
) -> dict[str, prof.Published]:
    """The published profile of every list, keyed by file stem. With `published_dir`
    (make profile's many-list mode) the <stem>.json files there, and no list is read;
    otherwise every .csv/.xlsx in `lists_dir` read with readers.listinput and published
    with analyses.profile.publish: the same disclosure control as a single list. A bad
    list raises ProblemError (one line per problem); an empty folder too."""
    from police_lists.contract.paths import display_path, resolve
    from police_lists.contract.problems import ProblemError, problem
    from police_lists.readers import listinput

    if published_dir:
        folder = resolve(published_dir)
        files = sorted(folder.glob("*.json"))
        if not files:
            raise ProblemError([problem(display_path(folder), "-", "-", "", "a folder of <list>.json profiles")])
        return {p.stem: prof.Published.load(p) for p in files}
    folder = resolve(lists_dir)
    files = sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in LIST_SUFFIXES)
    if not files:
        raise ProblemError([problem(display_path(folder), "-", "-", "", "a folder holding .csv or .xlsx lists")])
    settings = dict(threshold=threshold, disclosure_control=disclosure_control, confidence=confidence)
    settings.update(ci_method=ci_method, ratio_method=ratio_method, force=force, data_dir=data_dir)
    # every list gets the same settings, so the lists are profiled alike
    return {path.stem: prof.publish(listinput.read_list(path, data_dir=data_dir), **settings) for path in files}


def audit_summary(published: dict[str, prof.Published]) -> pd.DataFrame:
    """Every list's disclosure audit (analyses.profile.audit_table rows), stacked with its list."""
    parts = []
    for key, pub in sorted(published.items()):
        part = pub.audit.copy()
        part.insert(0, "list", key)
        parts.append(part)
    return pd.concat(parts, ignore_index=True).astype(object)
