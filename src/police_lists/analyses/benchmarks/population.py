"""Population benchmarks: the group's share of residents, counted from the
census tables (readers.census.population_count says which table answers)."""

from __future__ import annotations

from police_lists.analyses.benchmarks.model import CENSUS_CAVEAT, MIXED_BLACK_LABEL, POPULATION, Benchmark
from police_lists.methods.bands import band_label
from police_lists.readers import census


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


def population_benchmark(
    benchmark_id: str,
    *,
    group: str = "Black",
    include_mixed_black: bool = False,
    census_year: int = 2021,
    data_dir: str = "data",
) -> Benchmark:
    """A census benchmark from its id (see readers.census.parse_census_id); raises ValueError
    when the tables cannot give it (e.g. 2011 ages off the band edges)."""
    spec = census.parse_census_id(benchmark_id, census_year)
    if spec is None:
        raise ValueError(f"{benchmark_id!r} is not a census benchmark id (e.g. london_10_24, london_all_ages@2011)")
    pc = census.population_count(group=group, include_mixed_black=include_mixed_black, data_dir=data_dir, **spec)
    lo, hi = _rounding_bounds(pc, pc.group_cells)
    area = census.area_name(pc.area, data_dir)
    sex = "" if pc.sex == "all" else f"{pc.sex}s, "
    ages = band_label(pc.age_from, pc.age_to)
    caveat = [
        CENSUS_CAVEAT
        if ages == "all ages"
        else f"residents aged {ages} only: the whole list is compared with them, though it may include people "
        "outside these ages (the age-standardised ratio uses the list's own age profile)"
    ]
    if pc.note:
        caveat.append(pc.note + (f" ({pc.suppressed_cells} suppressed)" if pc.suppressed_cells else ""))
    if pc.area == census.LONDON:
        caveat.append(
            "London including the City of London (the Met area excludes it; "
            + ("TS021 gives it for all ages only)" if pc.year == 2021 else "the 2011 file holds regions only)")
        )
    if census.is_force_area(pc.area):
        lookup = "December 2022" if pc.year == 2021 else "December 2016"
        caveat.append(
            f"police force area: the sum of its local authorities in the ONS {lookup} lookup; all ages only "
            "(no census age table by ethnic group survives suppression when summed to a force area)"
        )
    london = pc.area in (census.LONDON, census.MET_AREA, census.METROPOLITAN, census.CITY_OF_LONDON_POLICE)
    if pc.year == 2021 and (london or pc.area.startswith("E09")):
        caveat.append("the 2021 census was taken in lockdown and may undercount London")
    if include_mixed_black and group == "Black":
        caveat.append(
            "only the census side changes: the list's share is the published Black share, and how the "
            "police recorded Mixed heritage is not stated"
        )
    definition = group_definition(group, include_mixed_black)
    return Benchmark(
        id=benchmark_id,
        label=f"Census {pc.year}: {definition} share of {area} residents, {sex}{ages}",
        kind=POPULATION,
        share=pc.share,
        share_low=lo,
        share_high=hi,
        source_id=pc.source_id,
        ref_date=str(pc.year),
        age_range=ages,
        caveat="; ".join(caveat),
        group_count=pc.group_count,
        population=pc.total,
        population_total=pc.total,
        group_definition=definition,
        area=area,
        census_spec=(pc.year, pc.area, pc.sex, group, include_mixed_black),
    )
