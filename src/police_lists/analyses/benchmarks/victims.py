"""Victims benchmarks counted from the Met homicide victims file (officer-observed ethnicity)."""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from police_lists.analyses.benchmarks.model import VICTIMS, Benchmark
from police_lists.methods import stats
from police_lists.readers import homicide


def victims_benchmark(
    benchmark_id: str, *, group: str = "Black", include_mixed_black: bool = False, data_dir: str = "data"
) -> Benchmark:
    m = homicide.VICTIMS_ID.match(benchmark_id)
    if not m:
        raise ValueError(f"{benchmark_id!r} is not a homicide benchmark id (e.g. homicide_knife_13_24@2012-2019)")
    period = (int(m["start"]), int(m["end"])) if m["start"] else homicide.DEFAULT_VICTIMS_PERIOD
    sex = {"males": "male", "females": "female"}.get(m["sex"], "all")
    c = homicide.victims_count(m["method"], int(m["a"]), int(m["b"]), period, sex, group, data_dir)
    method = {
        "knife": "knife or sharp implement",
        "all": "all methods",
        "shooting": "shooting",
        "knife_or_shooting": "knife or shooting",
    }[m["method"]]
    sex_text = "" if sex == "all" else f"{sex}s, "
    caveat = [
        f"homicide victims, officer-observed ethnicity; {c['unknown']} of {c['total']} not recorded "
        "(bounds count them as not in, or all in, the group)",
        "counted by recorded month; a small number of deaths, so the interval is wide",
    ]
    if include_mixed_black:
        caveat.append("officer-observed ethnicity has no Mixed category, so include_mixed_black does not apply")
    return Benchmark(
        id=benchmark_id,
        label=f"Met homicide victims ({method}, {sex_text}aged {m['a']}-{m['b']}, {period[0]}-{period[1]}): {group} share",
        kind=VICTIMS,
        share=c["group_count"] / c["total"],
        share_low=c["group_count"] / c["total"],
        share_high=(c["group_count"] + c["unknown"]) / c["total"],
        source_id=homicide.HOMICIDE_SOURCE,
        ref_date=f"{period[0]}/{period[1]}",
        age_range=f"{m['a']}-{m['b']}",
        caveat="; ".join(caveat),
        group_count=c["group_count"],
        population=c["total"],
        group_definition=f"{group} (officer-observed)",
        area="London (Met)",
    )


def victims_by_period(
    periods: Iterable[tuple[int, int]],
    method: str = "knife",
    age_from: int = 13,
    age_to: int = 24,
    group: str = "Black",
    data_dir: str = "data",
) -> pd.DataFrame:
    """The counted victims benchmark over several periods (how much it moves)."""
    rows = []
    for start, end in periods:
        c = homicide.victims_count(method, age_from, age_to, (start, end), "all", group, data_dir)
        ci = stats.share(c["group_count"], c["total"])
        rows.append(
            {
                "period": f"{start}-{end}",
                "method": method,
                "ages": f"{age_from}-{age_to}",
                "group_victims": c["group_count"],
                "victims": c["total"],
                "ethnicity_not_recorded": c["unknown"],
                "share": c["group_count"] / c["total"],
                "share_ci_low": ci.low,
                "share_ci_high": ci.high,
                "source_id": homicide.HOMICIDE_SOURCE,
            }
        )
    return pd.DataFrame(rows)
