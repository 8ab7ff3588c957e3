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

One module per concern: model (what a benchmark is), registry (ids, named
sets, resolve), population, published, victims, lists (the lists compared),
standardise (age standardisation), panel, derived (the derived tables). The
names notebooks and tests use are gathered here.
"""

from police_lists.analyses.benchmarks.derived import DERIVED_TABLES, derive
from police_lists.analyses.benchmarks.lists import AGE_OF_CRIMINAL_RESPONSIBILITY, list_inputs, load_lists
from police_lists.analyses.benchmarks.model import (
    ASR_MEASURE,
    GAP_MEASURE,
    KINDS,
    MIXED_BLACK_LABEL,
    ODDS_MEASURE,
    POLICE,
    POLICE_CAVEAT,
    POPULATION,
    RATE_RATIO_MEASURE,
    RATIO_MEASURE,
    VICTIMS,
    Benchmark,
    custom_benchmark,
)
from police_lists.analyses.benchmarks.panel import (
    PANEL_COLUMNS,
    list_panel,
    panel,
    panel_row,
    panel_sources,
    sensitivity,
)
from police_lists.analyses.benchmarks.population import group_definition, population_benchmark
from police_lists.analyses.benchmarks.published import claim_benchmark, load_benchmark_claims
from police_lists.analyses.benchmarks.registry import (
    benchmark_set,
    force_benchmarks,
    is_benchmark_id,
    panel_set,
    resolve,
)
from police_lists.analyses.benchmarks.standardise import age_standardised, expected_range
from police_lists.analyses.benchmarks.victims import victims_benchmark, victims_by_period

__all__ = [
    "AGE_OF_CRIMINAL_RESPONSIBILITY",
    "ASR_MEASURE",
    "DERIVED_TABLES",
    "GAP_MEASURE",
    "KINDS",
    "MIXED_BLACK_LABEL",
    "ODDS_MEASURE",
    "PANEL_COLUMNS",
    "POLICE",
    "POLICE_CAVEAT",
    "POPULATION",
    "RATE_RATIO_MEASURE",
    "RATIO_MEASURE",
    "VICTIMS",
    "Benchmark",
    "age_standardised",
    "benchmark_set",
    "claim_benchmark",
    "custom_benchmark",
    "derive",
    "expected_range",
    "force_benchmarks",
    "group_definition",
    "is_benchmark_id",
    "list_inputs",
    "list_panel",
    "load_benchmark_claims",
    "load_lists",
    "panel",
    "panel_row",
    "panel_set",
    "panel_sources",
    "population_benchmark",
    "resolve",
    "sensitivity",
    "victims_benchmark",
    "victims_by_period",
]
