"""The benchmark panel: how disproportionate a list looks depends on whom it
is compared with (methods.md 1.2-1.6).

Three kinds of benchmark, each traced to a source:

- **population**: the group's share of residents, computed from the census
  tables in data/raw/ (by year, area, age band, sex and definition of the
  group; census.population_count says which table answers), or a published
  population share (a claim in data/claims.csv, e.g. "13%");
- **police-generated**: the group's share of suspects, offenders or attackers
  as published by the Met, City Hall or MOPAC. They are outputs of policing,
  so a biased process contaminates its own benchmark; every row says so;
- **victims**: the group's share of victims, published (City Hall) or
  counted from the Met homicide victims file (officer-observed ethnicity).

Claim-based benchmarks are listed in data/manual/benchmarks.csv (a human
decision: which published figure is a benchmark, of which kind, with which
caveat). Census and homicide benchmarks are named by an id this module parses,
so a user can ask for any age band, area, sex or period the files allow, or
pass a custom Benchmark.

For each benchmark `panel()` gives, for a list of n people with k in the group
(k a whole count or a range of counts a rounded percentage allows):

- the **share ratio** DR = (k/n) / p_B (methods.md 1.2): the group's listing
  rate over the listing rate of the whole benchmark population. Interval: the
  Wilson (or other) share interval over p_B when p_B is a published figure
  taken as known; a two-sample Koopman (or Katz) interval when p_B is itself a
  count (census, homicide victims);
- the **rate ratio, group against the rest** (methods.md 1.3), only where a
  population count exists: (k/N_g) / ((n-k)/(N-N_g)), Koopman or Katz;
- the **percentage-point gap** p_L - p_B;
- the **odds ratio of the two compositions** [p_L/(1-p_L)] / [p_B/(1-p_B)],
  which equals the group-vs-rest rate ratio when the list is drawn from the
  benchmark population (methods.md R20); for police-generated and victim
  benchmarks it is only arithmetic on two shares, not a rate ratio;
- an **age-standardised ratio** by indirect standardisation (methods.md 1.6):
  O / E with E = sum over age bands of n_a * s_a (list count in band a times
  the census share in band a), exact Poisson interval on O (Breslow & Day
  1987, ch. 2), carried over every count and age profile the published
  figures allow.

Every interval is model-based (process variability): the lists are whole
lists, not samples (methods.md 2.3). Ranges over counts are the envelope of
the point values and of the interval ends at every count allowed (3.4).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Iterable

import pandas as pd

from police_lists.readers import census, claims as claims_mod
from police_lists.methods import stats
from police_lists.contract.paths import data_dir as _data_dir
from police_lists.contract.files import atomic_write
from police_lists.methods.bands import band_label, cuts_across, first_overlap, parse_band, within
from police_lists.methods.expressions import evaluate, expression_names

BENCHMARKS_CSV = "manual/benchmarks.csv"
HOMICIDE_VICTIMS = "raw/met_homicide_victims_2003_2023.csv"
HOMICIDE_SOURCE = "mps_homicide_victims_2003_2023"

POPULATION, POLICE, VICTIMS = "population", "police-generated", "victims"
KINDS = (POPULATION, POLICE, VICTIMS)

RATIO_MEASURE = "share ratio: list share / benchmark share"
RATE_RATIO_MEASURE = "rate ratio: listing rate of the group / listing rate of everyone else in the benchmark population"
GAP_MEASURE = "percentage-point gap: list share - benchmark share"
ODDS_MEASURE = "odds ratio of the two compositions: [p_L/(1-p_L)] / [p_B/(1-p_B)]"
ASR_MEASURE = "age-standardised ratio (indirect): observed / expected from age-specific census shares"

MIXED_BLACK_LABEL = "Black, including Mixed White and Black Caribbean and Mixed White and Black African"

POLICE_CAVEAT = ("police-generated benchmark: suspect and offender records are themselves outputs of policing, "
                 "so a biased process contaminates its own benchmark")
CENSUS_CAVEAT = "residents counted by the census; the lists are mostly young men, so an all-ages share flatters the ratio"


@dataclass(frozen=True)
class Benchmark:
    """One benchmark share with everything the panel needs to name it.

    `group_count`/`population` are set when the share is a count (census,
    victims file): the ratio interval is then two-sample. `population_total`
    is set when a resident population count exists (for the rate ratio).
    `census_spec` holds (year, area, sex, group, include_mixed_black) for the
    age-standardised ratio; None when age-specific shares do not apply."""

    id: str
    label: str
    kind: str
    share: float
    source_id: str
    ref_date: str
    age_range: str
    caveat: str
    share_low: float | None = None
    share_high: float | None = None
    group_count: int | None = None
    population: int | None = None
    population_total: int | None = None
    claim_id: str = ""
    group_definition: str = "Black"
    area: str = ""
    census_spec: tuple | None = None

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"benchmark {self.id!r}: kind must be one of {KINDS}; got {self.kind!r}")
        if not 0 < self.share < 1:
            raise ValueError(f"benchmark {self.id!r}: share must be strictly between 0 and 1; got {self.share!r}")
        if self.share_low is None:
            object.__setattr__(self, "share_low", self.share)
        if self.share_high is None:
            object.__setattr__(self, "share_high", self.share)


def custom_benchmark(id: str, share: float, *, label: str = "", kind: str = POPULATION, source_id: str = "user",
                     ref_date: str = "", age_range: str = "", caveat: str = "user-supplied benchmark",
                     population: int | None = None, counted: bool = False) -> Benchmark:
    """A user's own benchmark share. With `population` (a resident count) the
    panel also gives the group-vs-rest rate ratio, taking N_g = share x N to the
    nearest person (as methods.md R12 does for 13.5% of 8,799,800). With
    counted=True the share ratio interval is two-sample (N_g of N counted)
    instead of treating the share as known."""
    if counted and not population:
        raise ValueError(f"benchmark {id!r}: counted=True needs a population")
    group_count = stats.benchmark_group_count(share, population) if counted else None
    return Benchmark(id=id, label=label or id, kind=kind, share=share, source_id=source_id, ref_date=ref_date,
                     age_range=age_range, caveat=caveat, group_count=group_count,
                     population=population if counted else None,
                     population_total=population if kind == POPULATION else None)


# ---------------------------------------------------------------- census ids
# <area>_[males_|females_]<ages>[@<year>], ages = all_ages | under_<N> | <a>_<b> | <a>_plus
_AREAS = {"london": census.LONDON, "met_area": census.MET_AREA, "ew": census.ENGLAND_AND_WALES}
_POP_ID = re.compile(r"^(?P<area>london|met_area|ew)_(?:(?P<sex>males|females)_)?"
                     r"(?P<ages>all_ages|under_(?P<under>\d+)|(?P<a>\d+)_(?P<b>\d+)|(?P<plus>\d+)_plus)"
                     r"(?:@(?P<year>\d{4}))?$")


def parse_population_id(benchmark_id: str, census_year: int) -> dict | None:
    """'london_10_24' -> dict(year, area, age_from, age_to, sex); None if not a census id."""
    m = _POP_ID.match(benchmark_id)
    if not m:
        return None
    if m["ages"] == "all_ages":
        ages = (0, 200)
    elif m["under"]:
        ages = (0, int(m["under"]) - 1)
    elif m["plus"]:
        ages = (int(m["plus"]), 200)
    else:
        ages = (int(m["a"]), int(m["b"]))
    sex = {"males": "male", "females": "female"}.get(m["sex"], "all")
    year = int(m["year"]) if m["year"] else census_year
    return dict(year=year, area=_AREAS[m["area"]], age_from=ages[0], age_to=ages[1], sex=sex)


def _rounding_bounds(pc: census.PopulationCount, group_cells: int) -> tuple[float, float]:
    """Share bounds if every rounded cell was off by up to 2 (ONS rounds to the
    nearest 5). Suppressed cells are counted as 0 and not bounded here."""
    if not pc.rounded:
        return pc.share, pc.share
    rest_cells = pc.cells - group_cells
    g_lo, g_hi = max(pc.group_count - 2 * group_cells, 0), pc.group_count + 2 * group_cells
    r_lo, r_hi = max(pc.total - pc.group_count - 2 * rest_cells, 0), pc.total - pc.group_count + 2 * rest_cells
    return g_lo / (g_lo + r_hi), g_hi / (g_hi + r_lo)


def group_definition(group: str, include_mixed_black: bool) -> str:
    return MIXED_BLACK_LABEL if include_mixed_black and group == "Black" else group


def population_benchmark(benchmark_id: str, *, group: str = "Black", include_mixed_black: bool = False,
                         census_year: int = 2021, data_dir: str = "data") -> Benchmark:
    """A census benchmark from its id (see parse_population_id); raises ValueError
    when the tables cannot give it (e.g. 2011 ages off the band edges)."""
    spec = parse_population_id(benchmark_id, census_year)
    if spec is None:
        raise ValueError(f"{benchmark_id!r} is not a census benchmark id (e.g. london_10_24, london_all_ages@2011)")
    pc = census.population_count(group=group, include_mixed_black=include_mixed_black, data_dir=data_dir, **spec)
    lo, hi = _rounding_bounds(pc, pc.group_cells)
    area = census.AREA_NAMES.get(pc.area, pc.area)
    sex = "" if pc.sex == "all" else f"{pc.sex}s, "
    ages = band_label(pc.age_from, pc.age_to)
    caveat = [CENSUS_CAVEAT if ages == "all ages" else
              f"residents aged {ages} only: the whole list is compared with them, though it may include people "
              "outside these ages (the age-standardised ratio uses the list's own age profile)"]
    if pc.note:
        caveat.append(pc.note + (f" ({pc.suppressed_cells} suppressed)" if pc.suppressed_cells else ""))
    if pc.area == census.LONDON:
        caveat.append("London including the City of London (the Met area excludes it; "
                      + ("TS021 gives it for all ages only)" if pc.year == 2021 else "the 2011 file holds regions only)"))
    if pc.year == 2021:
        caveat.append("the 2021 census was taken in lockdown and may undercount London")
    if include_mixed_black and group == "Black":
        caveat.append("only the census side changes: the list's share is the published Black share, and how the "
                      "police recorded Mixed heritage is not stated")
    definition = group_definition(group, include_mixed_black)
    return Benchmark(
        id=benchmark_id, label=f"Census {pc.year}: {definition} share of {area} residents, {sex}{ages}",
        kind=POPULATION, share=pc.share, share_low=lo, share_high=hi, source_id=pc.source_id,
        ref_date=str(pc.year), age_range=ages, caveat="; ".join(caveat), group_count=pc.group_count,
        population=pc.total, population_total=pc.total, group_definition=definition, area=area,
        census_spec=(pc.year, pc.area, pc.sex, group, include_mixed_black),
    )


# ------------------------------------------------------------ homicide victims
# homicide_<method>_<a>_<b>[_males|_females][@<start>-<end>]
HOMICIDE_METHODS = {"knife": ("Knife or Sharp Implement",), "shooting": ("Shooting",),
                    "knife_or_shooting": ("Knife or Sharp Implement", "Shooting"), "all": None}
_HOM_ID = re.compile(r"^homicide_(?P<method>knife_or_shooting|knife|shooting|all)_(?P<a>\d+)_(?P<b>\d+)"
                     r"(?:_(?P<sex>males|females))?(?:@(?P<start>\d{4})-(?P<end>\d{4}))?$")
DEFAULT_VICTIMS_PERIOD = (2003, 2023)


def _age_group_bounds(label: str) -> tuple[int, int]:
    """'13 to19' (sic, as in the file) -> (13, 19); '65 and over' -> (65, OPEN_END)."""
    try:
        return parse_band(label)
    except ValueError:
        raise ValueError(f"{HOMICIDE_VICTIMS}: unrecognised age group {label!r}") from None


@lru_cache(maxsize=4)
def homicide_victims(data_dir: str = "data") -> pd.DataFrame:
    """The victims file as tidy rows: year (from 'Mon-YY'), age band bounds, tidy borough."""
    raw = pd.read_csv(_data_dir(data_dir) / HOMICIDE_VICTIMS, dtype=str, keep_default_na=False)
    out = pd.DataFrame({
        "victims": raw["Count of Victims"].astype(int),
        "age_group": raw["Age Group"],
        "sex": raw["Sex"],
        "method": raw["Method of Killing"],
        "domestic_abuse": raw["Domestic Abuse"],
        "year": 2000 + raw["Recorded Date"].str[-2:].astype(int),
        "offence": raw["Homicide Offence Type"],
        "borough": raw["Borough"].str.strip(),
        "ethnicity": raw["Officer Observed Ethnicity"],
    })
    bounds = out["age_group"].map(_age_group_bounds)
    out["age_from"] = [a for a, _ in bounds]
    out["age_to"] = [b for _, b in bounds]
    return out


def victims_count(method: str = "knife", age_from: int = 13, age_to: int = 24, period: tuple[int, int] = (2012, 2019),
                  sex: str = "all", group: str = "Black", data_dir: str = "data") -> dict:
    """Homicide victims matching the filters: group count, all victims, and
    victims whose ethnicity was not recorded. Ages must fall on the file's age
    bands (0-12, 13-19, 20-24, 25-34, ...); the period is in recorded years,
    inclusive."""
    if method not in HOMICIDE_METHODS:
        raise ValueError(f"method must be one of {sorted(HOMICIDE_METHODS)}; got {method!r}")
    t = homicide_victims(data_dir)
    first, last = int(t["year"].min()), int(t["year"].max())
    if not first <= period[0] <= period[1] <= last:
        raise ValueError(f"period {period[0]}-{period[1]} must lie within the file's years {first}-{last}")
    straddles = cuts_across(t["age_from"], t["age_to"], age_from, age_to)
    if straddles.any():
        bands = sorted(set(t.loc[straddles, "age_group"]))
        raise ValueError(f"ages {age_from}-{age_to} cut across the homicide file's age groups {bands}")
    t = t[within(t["age_from"], t["age_to"], age_from, age_to) & t["year"].between(*period)]
    if HOMICIDE_METHODS[method]:
        t = t[t["method"].isin(HOMICIDE_METHODS[method])]
    if sex != "all":
        t = t[t["sex"].str.lower() == sex]
    if t.empty:
        raise ValueError(f"no homicide victims for {method}, ages {age_from}-{age_to}, {period[0]}-{period[1]}, {sex}")
    unknown = t["ethnicity"].str.startswith("Unrecorded")
    return {"group_count": int(t.loc[t["ethnicity"] == group, "victims"].sum()), "total": int(t["victims"].sum()),
            "unknown": int(t.loc[unknown, "victims"].sum())}


def victims_benchmark(benchmark_id: str, *, group: str = "Black", include_mixed_black: bool = False,
                      data_dir: str = "data") -> Benchmark:
    m = _HOM_ID.match(benchmark_id)
    if not m:
        raise ValueError(f"{benchmark_id!r} is not a homicide benchmark id (e.g. homicide_knife_13_24@2012-2019)")
    period = (int(m["start"]), int(m["end"])) if m["start"] else DEFAULT_VICTIMS_PERIOD
    sex = {"males": "male", "females": "female"}.get(m["sex"], "all")
    c = victims_count(m["method"], int(m["a"]), int(m["b"]), period, sex, group, data_dir)
    method = {"knife": "knife or sharp implement", "all": "all methods", "shooting": "shooting",
              "knife_or_shooting": "knife or shooting"}[m["method"]]
    sex_text = "" if sex == "all" else f"{sex}s, "
    caveat = [f"homicide victims, officer-observed ethnicity; {c['unknown']} of {c['total']} not recorded "
              "(bounds count them as not in, or all in, the group)",
              "counted by recorded month; a small number of deaths, so the interval is wide"]
    if include_mixed_black:
        caveat.append("officer-observed ethnicity has no Mixed category, so include_mixed_black does not apply")
    return Benchmark(
        id=benchmark_id,
        label=f"Met homicide victims ({method}, {sex_text}aged {m['a']}-{m['b']}, {period[0]}-{period[1]}): {group} share",
        kind=VICTIMS, share=c["group_count"] / c["total"], share_low=c["group_count"] / c["total"],
        share_high=(c["group_count"] + c["unknown"]) / c["total"], source_id=HOMICIDE_SOURCE,
        ref_date=f"{period[0]}/{period[1]}", age_range=f"{m['a']}-{m['b']}", caveat="; ".join(caveat),
        group_count=c["group_count"], population=c["total"], group_definition=f"{group} (officer-observed)",
        area="London (Met)",
    )


# ------------------------------------------------------------- claim-based ids
def load_benchmark_claims(data_dir: str = "data") -> pd.DataFrame:
    """data/manual/benchmarks.csv: published benchmark figures (claim ids)."""
    return pd.read_csv(_data_dir(data_dir) / BENCHMARKS_CSV, dtype=str, keep_default_na=False)


def claim_benchmark(benchmark_id: str, *, group: str = "Black", include_mixed_black: bool = False,
                    rounding_rule: str = "half_up", data_dir: str = "data") -> Benchmark:
    """A published benchmark share (data/manual/benchmarks.csv -> data/claims.csv).
    The share is the printed value, taken as known; share_low/high is the range
    its rounding allows."""
    table = load_benchmark_claims(data_dir).set_index("benchmark_id")
    if benchmark_id not in table.index:
        raise ValueError(f"unknown benchmark {benchmark_id!r}: not a census id, a homicide id, or a row of "
                         f"{BENCHMARKS_CSV} ({', '.join(table.index)})")
    row = table.loc[benchmark_id]
    if group != row["group"]:
        raise ValueError(f"benchmark {benchmark_id!r} is a published {row['group']} share; group is {group!r}")
    claim = claims_mod.claim(row["claim_id"], data_dir)
    if claim["unit"] != "percent":
        raise ValueError(f"{BENCHMARKS_CSV}: benchmark {benchmark_id} cites {row['claim_id']}, which is not a percent")
    interval = claims_mod.claim_interval(claim, rounding_rule)
    population_total = None
    if row["population_key"]:
        population_total = census.census_share(row["population_key"], data_dir)[1]
    caveat = [row["caveat"]]
    if row["kind"] == POLICE:
        caveat.insert(0, POLICE_CAVEAT)
    if include_mixed_black:
        caveat.append("a published share: its definition of Black is the publisher's, include_mixed_black does not apply")
    return Benchmark(
        id=benchmark_id, label=f"{row['label']} ({claims_mod.published_text(claim)}, {row['claim_id']})",
        kind=row["kind"], share=float(claim["value"]) / 100, share_low=float(interval.lo) / 100,
        share_high=float(interval.hi) / 100, source_id=claim["source_id"], ref_date=claim["ref_date"],
        age_range=row["age_range"], caveat="; ".join(caveat), population_total=population_total,
        claim_id=row["claim_id"], group_definition=f"{row['group']} (as published)", area=row["area"],
    )


def resolve(benchmark: str | Benchmark, *, group: str = "Black", include_mixed_black: bool = False,
            census_year: int = 2021, data_dir: str = "data") -> Benchmark:
    """A Benchmark from an id (census, homicide or data/manual/benchmarks.csv) or as given."""
    if isinstance(benchmark, Benchmark):
        return benchmark
    if _POP_ID.match(benchmark):
        return population_benchmark(benchmark, group=group, include_mixed_black=include_mixed_black,
                                    census_year=census_year, data_dir=data_dir)
    if _HOM_ID.match(benchmark):
        return victims_benchmark(benchmark, group=group, include_mixed_black=include_mixed_black, data_dir=data_dir)
    return claim_benchmark(benchmark, group=group, include_mixed_black=include_mixed_black, data_dir=data_dir)


def default_benchmarks(census_year: int = 2021, data_dir: str = "data") -> list[str]:
    """The default panel: residents of all ages and of the ages the lists cover
    (census), the published shares campaigners and the Met used, police-generated
    offender shares, and victims (published and counted)."""
    ids = ["london_all_ages", "london_under_18", "london_10_17", "london_10_24"]
    if census_year == 2021:
        ids.insert(1, "met_area_all_ages")
    ids += list(load_benchmark_claims(data_dir)["benchmark_id"])
    ids.append("homicide_knife_13_24@2012-2019")
    return ids


# --------------------------------------------------------------- age profile
def _profile_ranges(age_profile: dict, n: int) -> dict[tuple[int, int], tuple[int, int]]:
    out = {}
    for label, counts in age_profile.items():
        lo, hi = (counts, counts) if isinstance(counts, int) else (int(counts[0]), int(counts[1]))
        if not 0 <= lo <= hi <= n:
            raise ValueError(f"age_profile[{label!r}] = {counts!r}: need 0 <= low <= high <= n = {n}")
        out[parse_band(label)] = (lo, hi)
    overlap = first_overlap(out)
    if overlap:
        (a0, a1), (b0, _) = overlap
        raise ValueError(f"age_profile bands overlap: {a0}-{a1} and {b0}-")
    if sum(lo for lo, _ in out.values()) > n or sum(hi for _, hi in out.values()) < n:
        raise ValueError(f"age_profile cannot add up to the list size {n}: lows sum to "
                         f"{sum(lo for lo, _ in out.values())}, highs to {sum(hi for _, hi in out.values())}")
    return out


def expected_range(ranges: dict, shares: dict, n: int) -> tuple[float, float]:
    """Least and greatest E = sum n_a s_a over every age profile with
    low_a <= n_a <= high_a and sum n_a = n (fill the cheapest / dearest bands
    first: a linear programme over a box with one equality, solved greedily)."""
    def fill(order):
        counts = {b: lo for b, (lo, _) in ranges.items()}
        left = n - sum(counts.values())
        for b in order:
            add = min(left, ranges[b][1] - counts[b])
            counts[b] += add
            left -= add
        return sum(counts[b] * shares[b] for b in counts)

    by_share = sorted(ranges, key=lambda b: (shares[b], b))
    return fill(by_share), fill(by_share[::-1])


def age_standardised(k_range: tuple[int, int], n: int, age_profile: dict, spec: tuple,
                     confidence: float = 0.95, data_dir: str = "data") -> dict:
    """Indirectly standardised ratio O/E over every count and profile allowed.

    spec = (year, area, sex, group, include_mixed_black) of the census shares.
    Returns expected-count range, ratio range and the exact-Poisson interval
    envelope (lowest bound at the fewest observed and most expected)."""
    year, area, sex, group, mixed = spec
    ranges = _profile_ranges(age_profile, n)
    shares = {}
    for band in ranges:
        pc = census.population_count(year, area, band[0], band[1], sex, group, mixed, data_dir)
        shares[band] = pc.share
    e_lo, e_hi = expected_range(ranges, shares, n)
    low = stats.poisson_rate(k_range[0], e_hi, confidence)
    high = stats.poisson_rate(k_range[1], e_lo, confidence)
    return {"expected_low": e_lo, "expected_high": e_hi, "asr_low": k_range[0] / e_hi, "asr_high": k_range[1] / e_lo,
            "asr_ci_low": low.low, "asr_ci_high": high.high,
            "band_shares": "; ".join(f"{band_label(*b)}: {shares[b]:.4f}" for b in sorted(shares))}


# --------------------------------------------------------------------- panel
def _k_range(k, n: int) -> tuple[int, int, float]:
    """(low, high, point) from an int, a (low, high) or a (low, high, point) tuple.
    Without a named point the midpoint of the range is used (and said so)."""
    if isinstance(k, bool):
        raise ValueError(f"k must be a whole count or a (low, high) tuple; got {k!r}")
    if isinstance(k, int):
        lo = hi = point = k
    else:
        items = tuple(k)
        if len(items) not in (2, 3) or not all(isinstance(x, int) and not isinstance(x, bool) for x in items):
            raise ValueError(f"k must be a whole count or a (low, high[, point]) tuple of whole counts; got {k!r}")
        lo, hi = items[0], items[1]
        point = items[2] if len(items) == 3 else (lo + hi) / 2
    if not (0 <= lo <= hi <= n) or not lo <= point <= hi:
        raise ValueError(f"need 0 <= low <= point <= high <= n; got k={k!r}, n={n!r}")
    if n <= 0:
        raise ValueError(f"n must be a positive whole count; got {n!r}")
    return lo, hi, point


PANEL_COLUMNS = [
    "benchmark", "benchmark_label", "benchmark_kind", "police_generated", "source_id", "claim_id", "ref_date",
    "area", "age_range", "group_definition", "benchmark_share", "benchmark_share_low", "benchmark_share_high",
    "benchmark_group_count", "benchmark_population",
    "k_low", "k_high", "k_point", "n", "list_share", "list_share_low", "list_share_high",
    "ratio_measure", "ratio", "ratio_low", "ratio_high", "ci_low", "ci_high", "ratio_interval_method",
    "ratio_rounding_low", "ratio_rounding_high",
    "rate_ratio_measure", "rate_ratio", "rate_ratio_low", "rate_ratio_high", "rr_ci_low", "rr_ci_high",
    "pp_gap", "pp_gap_low", "pp_gap_high", "composition_odds_ratio",
    "age_standardised_ratio", "age_standardised_ratio_low", "age_standardised_ratio_high",
    "asr_ci_low", "asr_ci_high", "asr_expected_low", "asr_expected_high", "asr_band_shares",
    "confidence", "caveat",
]


def _ratio_estimates(b: Benchmark, k, n, confidence, ci_method, ratio_method):
    if b.group_count is not None:
        return stats.ratio_of_proportions(k, n, b.group_count, b.population, confidence, ratio_method)
    return stats.disproportionality_ratio(k, n, b.share, confidence, ci_method)


def panel_row(b: Benchmark, k, n: int, *, age_profile: dict | None = None, confidence: float = 0.95,
              ci_method: str = "wilson", ratio_method: str = "koopman", data_dir: str = "data") -> dict:
    """One row of the panel (see panel())."""
    lo, hi, point = _k_range(k, n)
    ks = range(lo, hi + 1)
    p_point = point / n
    at_point = _ratio_estimates(b, point, n, confidence, ci_method, ratio_method)
    env = stats.envelope(_ratio_estimates(b, kk, n, confidence, ci_method, ratio_method) for kk in ks)
    row = {
        "benchmark": b.id, "benchmark_label": b.label, "benchmark_kind": b.kind, "police_generated": b.kind == POLICE,
        "source_id": b.source_id, "claim_id": b.claim_id, "ref_date": b.ref_date, "area": b.area,
        "age_range": b.age_range, "group_definition": b.group_definition, "benchmark_share": b.share,
        "benchmark_share_low": b.share_low, "benchmark_share_high": b.share_high,
        "benchmark_group_count": b.group_count, "benchmark_population": b.population or b.population_total,
        "k_low": lo, "k_high": hi, "k_point": point, "n": n, "list_share": p_point,
        "list_share_low": lo / n, "list_share_high": hi / n,
        "ratio_measure": RATIO_MEASURE, "ratio": p_point / b.share, "ratio_low": lo / n / b.share,
        "ratio_high": hi / n / b.share,
        "ci_low": env.low if lo != hi else at_point.low, "ci_high": env.high if lo != hi else at_point.high,
        "ratio_interval_method": (f"{ratio_method} two-sample (benchmark counted)" if b.group_count is not None
                                  else f"{ci_method} share interval / benchmark share (benchmark taken as known)"),
        "ratio_rounding_low": lo / n / b.share_high, "ratio_rounding_high": hi / n / b.share_low,
        "rate_ratio_measure": "", "rate_ratio": None, "rate_ratio_low": None, "rate_ratio_high": None,
        "rr_ci_low": None, "rr_ci_high": None,
        "pp_gap": stats.percentage_point_gap(p_point, b.share),
        "pp_gap_low": stats.percentage_point_gap(lo / n, b.share),
        "pp_gap_high": stats.percentage_point_gap(hi / n, b.share),
        "composition_odds_ratio": (p_point / (1 - p_point)) / (b.share / (1 - b.share)) if p_point < 1 else None,
        "age_standardised_ratio": None, "age_standardised_ratio_low": None, "age_standardised_ratio_high": None,
        "asr_ci_low": None, "asr_ci_high": None, "asr_expected_low": None, "asr_expected_high": None,
        "asr_band_shares": "", "confidence": confidence, "caveat": b.caveat,
    }
    if b.kind == POPULATION and b.population_total:
        # N_g counted (census) or share x N to the nearest person (published share).
        total = b.population_total
        n_g = b.group_count if b.group_count is not None else stats.benchmark_group_count(b.share, total)
        rr = stats.group_vs_rest_rate_ratio(point, n, n_g, total, confidence, ratio_method)
        rrs = [stats.group_vs_rest_rate_ratio(kk, n, n_g, total, confidence, ratio_method) for kk in ks]
        row.update({"rate_ratio_measure": RATE_RATIO_MEASURE, "rate_ratio": rr.value,
                    "rate_ratio_low": rrs[0].value, "rate_ratio_high": rrs[-1].value,
                    "rr_ci_low": rr.low if lo == hi else min(r.low for r in rrs),
                    "rr_ci_high": rr.high if lo == hi else max(r.high for r in rrs)})
    if age_profile and b.census_spec is not None:
        try:
            a = age_standardised((lo, hi), n, age_profile, b.census_spec, confidence, data_dir)
        except ValueError as exc:
            row["caveat"] += f"; no age-standardised ratio: {exc}"
        else:
            e_mid = (a["expected_low"] + a["expected_high"]) / 2
            row.update({"age_standardised_ratio": point / e_mid, "age_standardised_ratio_low": a["asr_low"],
                        "age_standardised_ratio_high": a["asr_high"], "asr_ci_low": a["asr_ci_low"],
                        "asr_ci_high": a["asr_ci_high"], "asr_expected_low": a["expected_low"],
                        "asr_expected_high": a["expected_high"], "asr_band_shares": a["band_shares"]})
            if a["expected_low"] != a["expected_high"]:
                row["caveat"] += "; age-standardised point value uses the middle of the expected-count range"
    return row


def panel(k, n, *, benchmarks=None, group="Black", include_mixed_black=False, census_year=2021, age_profile=None,
          confidence=0.95, ci_method="wilson", ratio_method="koopman", data_dir="data") -> pd.DataFrame:
    """The benchmark panel for a list of n people, k of them in `group`.

    k: a whole count, a (low, high) tuple of whole counts (every count in it is
       carried through; the point value is the midpoint of the range) or a
       (low, high, point) tuple naming the point value.
    benchmarks: ids or Benchmark objects (custom_benchmark); None = default_benchmarks(census_year).
       Census ids: <area>_[males_|females_]<ages>[@<year>], area london | met_area | ew,
       ages all_ages | under_18 | 10_24 | 25_plus, e.g. london_10_17@2011.
       Homicide victims: homicide_<knife|shooting|knife_or_shooting|all>_<a>_<b>[_males]@<start>-<end>.
       Published figures: benchmark_id in data/manual/benchmarks.csv.
    include_mixed_black: count Mixed White and Black Caribbean / African as Black (census only).
    census_year: year for census ids without '@year' (2011 or 2021).
    age_profile: optional {"10-17": (lo, hi), "18-24": (lo, hi), "25+": (lo, hi)} list counts by
       age band (whole counts or ranges; must be able to add up to n) for the indirectly
       age-standardised ratio, computed for census benchmarks only.

    One row per benchmark with the columns in PANEL_COLUMNS: the share ratio
    and its interval (at the point and the envelope over every count), the
    ratio range the rounding of both published figures allows, the
    group-vs-rest rate ratio where a population count exists (else empty),
    the percentage-point gap, the odds ratio of the two compositions, the
    age-standardised ratio with its range and interval, and a caveat. An id the
    tables cannot answer (e.g. 2011 ages 12-24) raises ValueError.
    """
    if census_year not in (2011, 2021):
        raise ValueError(f"census_year must be 2011 or 2021; got {census_year!r}")
    ids = default_benchmarks(census_year, data_dir) if benchmarks is None else list(benchmarks)
    if not ids:
        raise ValueError("benchmarks is empty")
    rows = []
    for item in ids:
        b = resolve(item, group=group, include_mixed_black=include_mixed_black, census_year=census_year,
                    data_dir=data_dir)
        rows.append(panel_row(b, k, n, age_profile=age_profile, confidence=confidence, ci_method=ci_method,
                              ratio_method=ratio_method, data_dir=data_dir))
    return pd.DataFrame(rows, columns=PANEL_COLUMNS)


# -------------------------------------------------------------------- derive
DERIVED = "derived"
# Age bands the derived tables cover: the ranges the published figures use.
STANDARD_AGES = [(0, 200), (0, 17), (10, 17), (10, 24), (12, 24), (13, 24), (16, 24), (18, 24), (0, 24), (25, 200),
                 (0, 9), (10, 14), (15, 17), (20, 24), (25, 34), (35, 200)]
GROUPS = ("White", "Mixed", "Asian", "Black", "Other")


def census_shares_table(data_dir: str = "data") -> pd.DataFrame:
    """Share of each ethnic group (and Black including Mixed Black) by census
    year, area, sex and age band, wherever the tables can give it. Rows the
    tables cannot give (2011 ages off band edges, 2021 sex by age, the Met area
    outside TS021) are absent, and census_unavailable_table() says why."""
    rows = []
    for year, area, sex, (a, b) in _census_cells():
        for group, mixed in [(g, False) for g in GROUPS] + [("Black", True)]:
            try:
                pc = census.population_count(year, area, a, b, sex, group, mixed, data_dir)
            except ValueError:
                continue
            lo, hi = _rounding_bounds(pc, pc.group_cells)
            rows.append({"year": year, "area_code": area, "area_name": census.AREA_NAMES.get(area, area), "sex": sex,
                         "age_from": a, "age_to": min(b, 200), "age_range": band_label(a, b), "group": group,
                         "group_definition": group_definition(group, mixed), "group_count": pc.group_count,
                         "total": pc.total, "share": pc.share, "share_low_if_cells_off_by_2": lo,
                         "share_high_if_cells_off_by_2": hi, "rounded_to_5": pc.rounded,
                         "suppressed_cells": pc.suppressed_cells, "table": pc.table, "source_id": pc.source_id})
    return pd.DataFrame(rows)


def _census_cells():
    for year in (2011, 2021):
        for area in (census.LONDON, census.MET_AREA, census.ENGLAND_AND_WALES):
            for sex in census.SEXES:
                for ages in STANDARD_AGES:
                    yield year, area, sex, ages


def census_unavailable_table(data_dir: str = "data") -> pd.DataFrame:
    """Every (year, area, sex, ages) the standard grid asks for that the census
    tables cannot answer, with the reason (one line each)."""
    rows = []
    for year, area, sex, (a, b) in _census_cells():
        try:
            census.population_count(year, area, a, b, sex, "Black", False, data_dir)
        except ValueError as exc:
            rows.append({"year": year, "area_code": area, "sex": sex, "age_range": band_label(a, b), "reason": str(exc)})
    return pd.DataFrame(rows)


def borough_shares_table(data_dir: str = "data") -> pd.DataFrame:
    """Census 2021 TS021 (unrounded): Black share by London borough, with the
    Met area (London less the City) and London as a whole."""
    t = census.census_2021_ts021(data_dir)
    t = t[t["area_code"].str.startswith("E09")]
    rows = []
    groups = list(t.groupby(["area_code", "area_name"], sort=True))
    met = t[t["area_code"] != census.CITY_OF_LONDON]
    groups += [((census.MET_AREA, census.AREA_NAMES[census.MET_AREA]), met), (("E09*", "London (sum of boroughs)"), t)]
    for (code, name), g in groups:
        total = int(g["count"].sum())
        black = int(g.loc[g["group"] == "Black", "count"].sum())
        mixed_black = int(g.loc[g["detail"].isin(census.MIXED_BLACK_DETAIL), "count"].sum())
        rows.append({"area_code": code, "area_name": name, "total": total, "black": black,
                     "black_share": black / total, "black_incl_mixed_black": black + mixed_black,
                     "black_incl_mixed_black_share": (black + mixed_black) / total,
                     "source_id": "ons_census2021_ts021"})
    return pd.DataFrame(rows)


def rounding_gap_table(data_dir: str = "data") -> pd.DataFrame:
    """All-ages sums of the rounded 2021 single-year table against the 2021 by-sex table."""
    rows = []
    for area in (census.LONDON, census.ENGLAND_AND_WALES):
        for group, mixed in [(g, False) for g in GROUPS] + [("Black", True)]:
            gap = census.age_table_rounding_gap(area, group, mixed, data_dir)
            rows.append({"area_code": area, "area_name": census.AREA_NAMES[area],
                         "group_definition": group_definition(group, mixed), **gap})
    return pd.DataFrame(rows)


def homicide_victims_table(data_dir: str = "data") -> pd.DataFrame:
    """Met homicide victims by recorded year, age group, method and officer-observed ethnicity."""
    t = homicide_victims(data_dir)
    out = (t.groupby(["year", "age_group", "age_from", "age_to", "method", "ethnicity"], sort=True)["victims"]
           .sum().reset_index())
    out["source_id"] = HOMICIDE_SOURCE
    return out


def benchmark_catalogue(data_dir: str = "data") -> pd.DataFrame:
    """Every default benchmark resolved, for both census years and both definitions of Black."""
    rows = []
    for year in (2011, 2021):
        for mixed in (False, True):
            for item in default_benchmarks(year, data_dir):
                b = resolve(item, include_mixed_black=mixed, census_year=year, data_dir=data_dir)
                rows.append({"census_year": year, "include_mixed_black": mixed, "benchmark": b.id,
                             "benchmark_label": b.label, "benchmark_kind": b.kind, "source_id": b.source_id,
                             "claim_id": b.claim_id, "ref_date": b.ref_date, "age_range": b.age_range,
                             "share": b.share, "share_low": b.share_low, "share_high": b.share_high,
                             "group_count": b.group_count, "population": b.population or b.population_total,
                             "caveat": b.caveat})
    return pd.DataFrame(rows).astype({"group_count": "Int64", "population": "Int64"})


DERIVED_TABLES = {
    "census_shares.csv": census_shares_table,
    "census_unavailable.csv": census_unavailable_table,
    "census2021_borough_shares.csv": borough_shares_table,
    "census2021_rounding_gap.csv": rounding_gap_table,
    "homicide_victims_by_year.csv": homicide_victims_table,
    "benchmark_catalogue.csv": benchmark_catalogue,
}


def derive(data_dir: str = "data", output_dir: str | None = None, log=print) -> list:
    """Build every benchmark table into <data_dir>/derived/ (or output_dir).
    All tables are computed before any is written, and each is written
    atomically, so a failure leaves the previous files in place. Output is
    byte-deterministic (sorted rows, LF line ends, no timestamps)."""
    from pathlib import Path

    out = Path(output_dir) if output_dir else _data_dir(data_dir) / DERIVED
    tables = {name: make(data_dir) for name, make in DERIVED_TABLES.items()}
    written = []
    for name, df in tables.items():
        atomic_write(out / name, df.to_csv(index=False, lineterminator="\n").encode("utf-8"))
        written.append(out / name)
        log(f"{name}: {len(df)} rows")
    return written


# ------------------------------------------------------------- known lists
# Each list: its size (a count claim), its group share (a percent of that size)
# and, where published, its age profile as arithmetic over claim ids (percents
# stand for every whole count of n their rounding allows). Band edges that were
# never published (the youngest and oldest ages) are parameters.
LISTS = {
    "pima": dict(
        label="Operation Pima: people visited or attempted (May-July 2020)", n="P3", k="PD3",
        bands=[("{youngest}-15", "PD2"), ("16-18", "PD1 - PD2"), ("19-{oldest}", "P3 - PD1")],
        youngest=None, victims_period="2017-2019",
        note="age bands from the Liberty Investigates FOI figures (under 16; 18 or under)"),
    "matrix_2017": dict(
        label="Gangs Matrix, October 2017 (Amnesty)", n="M8", k="E5",
        bands=[("{youngest}-17", "A2"), ("18-24", "A1 - A2"), ("25-{oldest}", "M8 - A1")],
        youngest="A3", victims_period="2012-2017",
        note="Amnesty's age shares (A1, A2) are taken as shares of the October 2017 list (M8); "
             "StopWatch printed the same 80% as ages 16-24 (C7)"),
    "matrix_2016": dict(
        label="Gangs Matrix, 2016 (Lammy FOI)", n="M5", k="E2a", bands=None, youngest=None,
        victims_period="2012-2016", note="no age profile was published with this snapshot"),
    "matrix_2014": dict(
        label="Gangs Matrix, October 2014 (IRR)", n="M2", k="E1a", bands=None, youngest=None,
        victims_period="2012-2014", note="no age profile was published with this snapshot"),
}
# Nobody under the age of criminal responsibility (10 in England and Wales) can
# be an offender: the default youngest age where none was published.
AGE_OF_CRIMINAL_RESPONSIBILITY = 10


def _percent_counts(claim: pd.Series, n: int, rounding_rule: str) -> tuple[int, int]:
    from police_lists.methods.rounding import consistent_counts

    rule = claims_mod.claim_rule(claim, rounding_rule)
    ks = consistent_counts(claim["value"], n, rule if rule in ("half_up", "truncate") else "half_up",
                           claim["precision"] or None)
    if len(ks) == 0:
        raise ValueError(f"{claim['claim_id']}: {claim['value']}% of {n} is impossible under {rule}")
    return ks.start, ks.stop - 1


def list_inputs(list_name: str, data_dir: str = "data", rounding_rule: str = "half_up",
                youngest_age: int | None = None, oldest_age: int = 200) -> dict:
    """k (low, high, point), n, and the age profile of a known list, from its claims.

    The point count is the whole count nearest to percent x n / 100 (as in
    pima.POINT_RULE); the age profile maps band labels to count ranges."""
    from fractions import Fraction

    from police_lists.methods.rounding import Interval, point_count

    if list_name not in LISTS:
        raise ValueError(f"unknown list {list_name!r}; known: {', '.join(LISTS)}")
    spec = LISTS[list_name]
    by_id = claims_mod.claims_by_id(data_dir)
    n = int(by_id[spec["n"]]["value"])
    k_claim = by_id[spec["k"]]
    lo, hi = _percent_counts(k_claim, n, rounding_rule)
    point = point_count(k_claim["value"], n)
    out = {"list_name": list_name, "label": spec["label"], "n": n, "k": (lo, hi, point), "n_claim": spec["n"],
           "k_claim": spec["k"], "k_published": claims_mod.published_text(k_claim),
           "source_ids": sorted({by_id[spec["n"]]["source_id"], k_claim["source_id"]}),
           "ref_date": k_claim["ref_date"], "victims_period": spec["victims_period"], "note": spec["note"],
           "age_profile": None, "age_claims": [], "youngest_age": None}
    if spec["bands"]:
        if youngest_age is None:
            youngest_age = int(by_id[spec["youngest"]]["value"]) if spec["youngest"] else AGE_OF_CRIMINAL_RESPONSIBILITY
        values = {}
        profile = {}
        for template, expression in spec["bands"]:
            for name in expression_names(expression):
                c = by_id[name]
                if c["unit"] == "count":
                    values[name] = Interval.point(Fraction(int(c["value"])))
                else:
                    values[name] = Interval(*(Fraction(x) for x in _percent_counts(c, n, rounding_rule)))
                out["age_claims"].append(name)
            iv = evaluate(expression, values)
            band = template.format(youngest=youngest_age, oldest=oldest_age)
            if oldest_age >= 100:
                band = band.replace(f"-{oldest_age}", "+")
            profile[band] = (max(int(iv.lo), 0), min(int(iv.hi), n))
        out["age_profile"] = profile
        out["youngest_age"] = youngest_age
        out["age_claims"] = sorted(set(out["age_claims"]))
    return out


def is_benchmark_id(benchmark_id: str, data_dir: str = "data") -> bool:
    """Does the id name a benchmark (census, homicide, or a benchmarks.csv row)?"""
    return bool(_POP_ID.match(benchmark_id) or _HOM_ID.match(benchmark_id)
                or benchmark_id in set(load_benchmark_claims(data_dir)["benchmark_id"]))


# ------------------------------------------------------- notebook helpers
POLICE_AND_VICTIM_IDS = ["met_syv_responsible", "met_syv_prosecuted", "met_syv_convicted", "cityhall_syv_attackers",
                         "mopac_offenders_lowest", "mopac_offenders_highest", "cityhall_syv_victims"]


def panel_set(benchmark_set: str = "default", age_range: str = "10-24", victims_period: str = "2012-2019") -> list[str]:
    """Benchmark ids for the appendix: 'default' gives the published all-ages
    share, both censuses for all ages, the Met area, under-18s (census and
    published), ages 10-17, the chosen age range, police-generated offender
    shares and victims; otherwise the comma-separated ids as given."""
    if benchmark_set.strip() != "default":
        return [x.strip() for x in benchmark_set.split(",")]
    a, b = parse_band(age_range)
    matched = [f"london_{a}_{b}"]
    try:  # both censuses where the 2011 bands allow the range
        census.population_count(2011, census.LONDON, a, b)
        matched = [f"london_{a}_{b}@2011", f"london_{a}_{b}@2021"]
    except ValueError:
        pass
    ids = ["published_london_13pct", "london_all_ages@2011", "london_all_ages@2021", "met_area_all_ages@2021",
           "london_under_18", "published_london_under_18", "london_10_17", *matched,
           "london_males_10_24@2011",  # the lists are almost all male; only 2011 has sex by age
           *POLICE_AND_VICTIM_IDS, f"homicide_knife_13_24@{victims_period}"]
    return list(dict.fromkeys(ids))


def list_panel(list_name: str, benchmark_ids: list, *, k=None, n: int | None = None, age_profile=None,
               **kwargs) -> pd.DataFrame:
    """panel() for a named list (or custom k, n), with list columns in front."""
    if list_name == "custom":
        if not n or k is None:
            raise ValueError("a custom list needs its size n > 0 and its count k")
        label = "user list"
    else:
        label = LISTS[list_name]["label"]
    out = panel(k, n, benchmarks=benchmark_ids, age_profile=age_profile, **kwargs)
    out.insert(0, "list_label", label)
    out.insert(0, "list", list_name)
    return out


def sensitivity(k, n, benchmark_ids: list, **kwargs) -> pd.DataFrame:
    """The panel's headline columns under each census year and each
    definition of Black, for census benchmarks (ids without '@year')."""
    rows = []
    for year in (2011, 2021):
        for mixed in (False, True):
            for item in benchmark_ids:
                try:
                    b = resolve(item, include_mixed_black=mixed, census_year=year,
                                data_dir=kwargs.get("data_dir", "data"))
                except ValueError as exc:
                    rows.append({"census_year": year, "include_mixed_black": mixed, "benchmark": item,
                                 "note": str(exc)})
                    continue
                r = panel_row(b, k, n, **kwargs)
                rows.append({"census_year": year, "include_mixed_black": mixed, "benchmark": item,
                             "group_definition": r["group_definition"], "table": b.source_id,
                             "benchmark_share": r["benchmark_share"],
                             "benchmark_share_low": r["benchmark_share_low"],
                             "benchmark_share_high": r["benchmark_share_high"], "ratio": r["ratio"],
                             "ci_low": r["ci_low"], "ci_high": r["ci_high"], "rate_ratio": r["rate_ratio"],
                             "pp_gap": r["pp_gap"], "age_standardised_ratio": r["age_standardised_ratio"],
                             "note": ""})
    return pd.DataFrame(rows)


def panel_sources(panel_df: pd.DataFrame, data_dir: str = "data") -> pd.DataFrame:
    """For every ratio in a panel: the measures, the benchmark, its source
    (publisher, title, date, URL) and the benchmark's reference date."""
    sources = claims_mod.load_sources(data_dir).set_index("source_id")
    rows = []
    for _, r in panel_df.iterrows():
        s = sources.loc[r["source_id"]] if r["source_id"] in sources.index else None
        measures = [RATIO_MEASURE, GAP_MEASURE]
        if isinstance(r["rate_ratio_measure"], str) and r["rate_ratio_measure"]:
            measures.insert(1, RATE_RATIO_MEASURE)
        if pd.notna(r["age_standardised_ratio"]):
            measures.append(ASR_MEASURE)
        rows.append({"list": r.get("list", ""), "benchmark": r["benchmark"], "benchmark_label": r["benchmark_label"],
                     "benchmark_kind": r["benchmark_kind"], "measures": "; ".join(measures),
                     "claim_id": r["claim_id"], "source_id": r["source_id"],
                     "publisher": "" if s is None else s["publisher"], "title": "" if s is None else s["title"],
                     "source_date": "" if s is None else s["date"], "url": "" if s is None else s["url"],
                     "benchmark_ref_date": r["ref_date"]})
    return pd.DataFrame(rows)


def victims_by_period(periods: Iterable[tuple[int, int]], method: str = "knife", age_from: int = 13,
                      age_to: int = 24, group: str = "Black", data_dir: str = "data") -> pd.DataFrame:
    """The counted victims benchmark over several periods (how much it moves)."""
    rows = []
    for start, end in periods:
        c = victims_count(method, age_from, age_to, (start, end), "all", group, data_dir)
        ci = stats.share(c["group_count"], c["total"])
        rows.append({"period": f"{start}-{end}", "method": method, "ages": f"{age_from}-{age_to}",
                     "group_victims": c["group_count"], "victims": c["total"], "ethnicity_not_recorded": c["unknown"],
                     "share": c["group_count"] / c["total"], "share_ci_low": ci.low, "share_ci_high": ci.high,
                     "source_id": HOMICIDE_SOURCE})
    return pd.DataFrame(rows)
