"""What a benchmark is: a share of some population that is in the group, with
its kind (population, police-generated, victims), source, date and caveat."""

from __future__ import annotations

from dataclasses import dataclass

from police_lists.methods import stats

POPULATION, POLICE, VICTIMS = "population", "police-generated", "victims"
KINDS = (POPULATION, POLICE, VICTIMS)

RATIO_MEASURE = "share ratio: list share / benchmark share"
RATE_RATIO_MEASURE = "rate ratio: listing rate of the group / listing rate of everyone else in the benchmark population"
GAP_MEASURE = "percentage-point gap: list share - benchmark share"
ODDS_MEASURE = "odds ratio of the two compositions: [p_L/(1-p_L)] / [p_B/(1-p_B)]"
ASR_MEASURE = "age-standardised ratio (indirect): observed / expected from age-specific census shares"

MIXED_BLACK_LABEL = "Black, including Mixed White and Black Caribbean and Mixed White and Black African"

POLICE_CAVEAT = (
    "police-generated benchmark: suspect and offender records are themselves outputs of policing, "
    "so a biased process contaminates its own benchmark"
)
CENSUS_CAVEAT = (
    "residents counted by the census; the lists are mostly young men, so an all-ages share flatters the ratio"
)


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


def custom_benchmark(
    id: str,
    share: float,
    *,
    label: str = "",
    kind: str = POPULATION,
    source_id: str = "user",
    ref_date: str = "",
    age_range: str = "",
    caveat: str = "user-supplied benchmark",
    population: int | None = None,
    counted: bool = False,
) -> Benchmark:
    """A user's own benchmark share. With `population` (a resident count) the
    panel also gives the group-vs-rest rate ratio, taking N_g = share x N to the
    nearest person (as methods.md R12 does for 13.5% of 8,799,800). With
    counted=True the share ratio interval is two-sample (N_g of N counted)
    instead of treating the share as known."""
    if counted and not population:
        raise ValueError(f"benchmark {id!r}: counted=True needs a population")
    group_count = stats.benchmark_group_count(share, population) if counted else None
    return Benchmark(
        id=id,
        label=label or id,
        kind=kind,
        share=share,
        source_id=source_id,
        ref_date=ref_date,
        age_range=age_range,
        caveat=caveat,
        group_count=group_count,
        population=population if counted else None,
        population_total=population if kind == POPULATION else None,
    )
