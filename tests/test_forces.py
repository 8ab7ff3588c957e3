"""Census benchmarks by police force area, the force parameter, and the comparison
of many published profiles (issue 16).

Official totals used here:
- ONS news release, 28 June 2022, "First census 2021 results show continued population
  growth in England and Wales": usual residents of England and Wales 59,597,300,
  England 56,489,800, Wales 3,107,500 (rounded to the nearest 100); the 2011 figures
  56,075,912 (England and Wales), 53,012,456 (England), 3,063,456 (Wales).
- London 2021: 8,799,728 residents, 1,188,370 Black (the project's London figures,
  tests/test_census.py); London 2011 (DC2101EW, data/raw): 8,173,941, Black 1,088,640.
- Per force: the ONS by-sex table (data/raw/census2021_ethnic_group_by_sex_areas.csv),
  a separately published table of the same census by local authority, rounded to 5.
"""

import json
import re
from pathlib import Path

import pandas as pd
import pytest

from conftest import run_notebook
from police_lists.analyses import benchmarks as bm
from police_lists.analyses import compare, synth
from police_lists.analyses import profile as prof
from police_lists.pipeline import params
from police_lists.readers import census, listinput

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "data" / "examples" / "forces"
MET, CITY = census.METROPOLITAN, census.CITY_OF_LONDON_POLICE
WALES = ("W15000001", "W15000002", "W15000003", "W15000004")


def _pfas(year=2021):
    return sorted(census.lad_to_pfa(year)["pfa_code"].unique())


def _total(year, codes, group="Black"):
    counts = [census.population_count(year, c, group=group) for c in codes]
    return sum(p.total for p in counts), sum(p.group_count for p in counts)


# ---------------------------------------------------------------- the lookups


def test_the_2021_lookup_covers_exactly_the_census_districts():
    lk = census.lad_to_pfa(2021)
    ts021 = set(census.census_2021_ts021()["area_code"])
    assert set(lk["lad_code"]) == ts021 and len(lk) == len(ts021) == 331
    codes = _pfas(2021)
    assert len(codes) == 43
    assert sum(c.startswith("E23") for c in codes) == 39 and sum(c.startswith("W15") for c in codes) == 4
    boroughs = lk[lk["lad_code"].str.startswith("E09")]
    assert boroughs.groupby("pfa_code").size().to_dict() == {MET: 32, CITY: 1}
    assert census.lads_of(CITY) == ["E09000001"]
    assert set(census.lads_of(census.MET_AREA)) == set(boroughs["lad_code"]) - {"E09000001"}


def test_the_2011_lookup_covers_exactly_the_qs201ew_districts():
    lk = census.lad_to_pfa(2011)
    qs = set(census.census_2011_qs201ew()["area_code"])
    assert set(lk["lad_code"]) == qs and len(qs) == 348
    assert _pfas(2011) == _pfas(2021)  # PFA codes unchanged since 2016


def test_qs201ew_detail_columns_add_up_to_its_printed_totals():
    wide = pd.read_csv(ROOT / "data/raw/census2011_qs201ew_ethnic_group_la.csv")
    long = census.census_2011_qs201ew()
    by_area = long.groupby("area_code")["count"].sum()
    printed = wide.set_index("geography code")["Ethnic Group: All categories: Ethnic group; measures: Value"]
    assert by_area.sort_index().tolist() == printed.sort_index().tolist()
    black = long[long["group"] == "Black"].groupby("area_code")["count"].sum()
    assert (
        black.sort_index().tolist()
        == wide.set_index("geography code")["Ethnic Group: Black; measures: Value"].sort_index().tolist()
    )


def test_forces_list_names_every_police_force_area_once():
    table = census.forces()
    lk = census.lad_to_pfa(2021).drop_duplicates("pfa_code").set_index("pfa_code")["pfa_name"]
    coded = table[table["pfa_code"] != ""]
    assert sorted(coded["pfa_code"]) == _pfas(2021)
    assert (coded.set_index("pfa_code")["pfa_name"] == lk.reindex(coded["pfa_code"])).all()
    assert set(table.loc[table["pfa_code"] == "", "slug"]) == {"btp", "northern-ireland"}


# ---------------------------------------------------------------- totals against ONS's own


def test_2021_force_areas_add_up_to_the_official_england_and_wales_totals():
    # every district counted once: the 43 areas are exactly TS021's total
    ew, _ = _total(2021, _pfas(2021))
    assert ew == int(census.census_2021_ts021()["count"].sum()) == 59_597_578
    england, _ = _total(2021, [c for c in _pfas(2021) if c.startswith("E23")])
    wales, _ = _total(2021, WALES)
    # ONS rounds these to 100, and TS001 and TS021 carry different cell-key perturbation:
    # agreement within a thousandth of a percent
    for computed, official in ((ew, 59_597_300), (england, 56_489_800), (wales, 3_107_500)):
        assert abs(computed - official) / official < 1e-5, (computed, official)
    assert england + wales == ew


def test_2011_force_areas_reproduce_the_official_totals_exactly():
    assert _total(2011, _pfas(2011))[0] == 56_075_912
    assert _total(2011, [c for c in _pfas(2011) if c.startswith("E23")])[0] == 53_012_456
    assert _total(2011, WALES)[0] == 3_063_456
    # and Wales from the project's DC2101EW regions file, another ONS table
    dc = census.population_count(2011, "W92000004")
    assert (dc.total, dc.group_count) == _total(2011, WALES)


@pytest.mark.parametrize("code", ["E23000014", "E23000005", "E23000010", "W15000004", "W15000002"])
def test_a_force_area_matches_the_ons_by_sex_table_within_its_rounding(code):
    # The by-sex table publishes every district's cells rounded to 5 ('c' when small):
    # its sum over the force's districts may differ from TS021's by at most 2.5 per
    # rounded cell and 10 per suppressed one.
    by_sex = census.census_2021_by_sex()
    cells = by_sex[by_sex["area_code"].isin(census.lads_of(code))]
    tolerance = 2.5 * cells["count"].notna().sum() + 10 * cells["count"].isna().sum()
    ts = census.population_count(2021, code)
    assert abs(int(cells["count"].fillna(0).sum()) - ts.total) <= tolerance
    black = cells[cells["group"] == "Black"]
    black_tolerance = 2.5 * black["count"].notna().sum() + 10 * black["count"].isna().sum()
    assert abs(int(black["count"].fillna(0).sum()) - ts.group_count) <= black_tolerance
    assert ts.total > 500_000  # a whole force area, not one district


def test_met_area_and_city_of_london_are_todays_london_figures():
    met = census.population_count(2021, MET)
    city = census.population_count(2021, CITY)
    assert (city.total, city.group_count) == (8_584, 232)
    # the Met area is the same whether named met_area or by its force code
    assert census.census_share("met_area_all_ages@2021") == census.census_share(f"pfa_{MET}_all_ages@2021")
    assert (met.group_count, met.total) == (1_188_137, 8_791_152)
    # London's official figures: within ONS's perturbation between tables
    assert abs(met.total + city.total - 8_799_728) <= 10
    assert abs(met.group_count + city.group_count - 1_188_370) <= 2
    # and the project's London benchmark london_all_ages@2021 (the by-sex table, 38 cells
    # rounded to 5): its Black count is the official one; its total within 2.5 per cell
    london = census.population_count(2021, census.LONDON)
    assert london.group_count == 1_188_370
    assert abs(london.total - (met.total + city.total)) <= 2.5 * london.cells
    # 2011: exactly London's DC2101EW figures
    met11, city11 = census.population_count(2011, MET), census.population_count(2011, CITY)
    assert met11.total + city11.total == census.population_count(2011, census.LONDON).total == 8_173_941
    assert met11.group_count + city11.group_count == 1_088_640


def test_a_force_area_has_all_ages_only_and_says_why():
    with pytest.raises(ValueError, match="all ages only"):
        census.population_count(2021, "E23000014", 10, 24)
    with pytest.raises(ValueError, match="both sexes only"):
        census.population_count(2021, "E23000014", sex="male")
    with pytest.raises(ValueError, match="regions only"):
        census.population_count(2011, "E23000014", 10, 17)


# ---------------------------------------------------------------- ids, names, files


def test_force_ids_and_benchmark_sets():
    assert census.parse_census_id("pfa_W15000004_all_ages@2011") == dict(
        year=2011, area="W15000004", age_from=0, age_to=census.OPEN_END, sex="all"
    )
    b = bm.resolve("pfa_E23000014_all_ages@2021")
    assert b.label == "Census 2021: Black share of West Midlands Police area residents, all ages"
    assert round(b.share, 6) == round(236_047 / 2_919_655, 6)
    assert bm.force_benchmarks("metropolitan") == [
        f"pfa_{MET}_all_ages@2021",
        f"pfa_{MET}_all_ages@2011",
        "london_10_24@2021",
    ]
    assert bm.force_benchmarks("City of London Police") == [f"pfa_{CITY}_all_ages@2021", f"pfa_{CITY}_all_ages@2011"]


@pytest.mark.parametrize(
    "name,code",
    [
        ("2016-06-metropolitan-stop-and-search.csv", MET),
        ("/any/folder/2017-12-devon-and-cornwall-stop-and-search.csv", "E23000035"),
        ("SYNTHETIC-2021-06-west-midlands-stop-and-search.csv", "E23000014"),
        ("2019-01-city-of-london-street.csv", CITY),
        ("2017-12-btp-stop-and-search.csv", None),
        ("2017-12-northern-ireland-stop-and-search.csv", None),
        ("2017-12-atlantis-stop-and-search.csv", None),
        ("metropolitan.csv", None),
    ],
)
def test_force_from_filename(name, code):
    assert census.force_from_filename(name) == code


def test_force_names_codes_and_slugs_all_work():
    for given in ("Devon & Cornwall", "devon-and-cornwall", "Devon and Cornwall Police", "e23000035"):
        assert census.force_code(given) == "E23000035"
    assert census.force_code("London, City of") == CITY
    assert census.list_force("none", "2016-06-metropolitan-stop-and-search.csv") is None
    assert census.list_force("", "2016-06-metropolitan-stop-and-search.csv") == MET
    assert census.list_force("gwent", "2016-06-metropolitan-stop-and-search.csv") == "W15000002"
    with pytest.raises(ValueError, match="unknown force 'Atlantis'"):
        census.force_code("Atlantis")
    with pytest.raises(ValueError, match="no police force area"):
        census.force_code("btp")


def test_force_parameter_is_checked():
    assert params.check_given("05_list_profile", {"force": "West Midlands"})
    with pytest.raises(params.ParameterError, match="parameter force = 'Atlantis' is not allowed"):
        params.check_given("05_list_profile", {"force": "Atlantis"})
    with pytest.raises(params.ParameterError, match="give lists_dir"):
        params.Forces(**{**_forces_defaults(), "lists_dir": "", "published_dir": ""}).cross_checks()


def _forces_defaults():
    """Notebook 06's defaults, as its parameters cell writes them (papermill)."""
    from police_lists.pipeline.execute import notebook_parameters

    return notebook_parameters(ROOT / "notebooks" / "06_forces.ipynb", {})


# ---------------------------------------------------------------- the profile's force


def test_a_police_uk_file_name_chooses_its_forces_benchmarks():
    fixture = ROOT / "tests" / "fixtures" / "police_uk" / "2016-06-city-of-london-stop-and-search.csv"
    data = listinput.read_list(fixture)
    pub = prof.publish(data)
    assert pub.force == CITY
    assert set(pub.disproportionality["benchmark"]) <= {f"pfa_{CITY}_all_ages@2021", f"pfa_{CITY}_all_ages@2011"}
    assert "found from the file name" in pub.disproportionality_notes[0]
    # 'none' keeps the benchmarks parameter; the force survives the JSON hand-over
    assert prof.publish(data, force="none").force is None
    assert prof.Published.from_json(pub.to_json()).force == CITY


# ---------------------------------------------------------------- comparison and ranks


def test_rank_ranges_from_intervals():
    values = pd.DataFrame({"ci_low": [0.10, 0.15, 0.40, 0.05], "ci_high": [0.20, 0.30, 0.50, 0.08]})
    ranked = compare.rank_ranges(values)
    # the third lies wholly above all; the first two overlap; the fourth lies wholly below all
    assert ranked["rank"].tolist() == ["2-3", "2-3", "1", "4"]
    # a single list, and lists that all overlap
    assert compare.rank_ranges(values.iloc[[0]])["rank"].tolist() == ["1"]
    overlapping = pd.DataFrame({"ci_low": [0.1, 0.2, 0.15], "ci_high": [0.3, 0.4, 0.35]})
    assert compare.rank_ranges(overlapping)["rank"].tolist() == ["1-3"] * 3


@pytest.fixture(scope="module")
def example():
    return compare.published_profiles(str(EXAMPLE))


def test_comparison_uses_only_published_counts_and_each_lists_own_force(example):
    table = compare.comparison_table(example)
    assert set(table["list"]) == {p.stem for p in EXAMPLE.glob("*.csv")}
    ts = pd.read_csv(ROOT / "data/raw/census2021_ts021_ethnic_group_ltla.csv")
    lk = pd.read_csv(ROOT / "data/raw/ons_lad22_csp22_pfa22_lookup_dec2022_from_rds.csv")
    for key, pub in example.items():
        eth = pub.tables["ethnicity"].set_index("category")["count"]
        rows = table[table["list"] == key].set_index("group")
        for group, row in rows.iterrows():
            assert row["count"] == eth.get(group, 0 if prof.WHOLE not in eth.index else prof.SUPPRESSED)
        code = census.force_from_filename(key + ".csv")
        assert (rows["force_code"] == code).all()
        # the benchmark share recomputed from the raw files, independently of the readers
        lads = lk.loc[lk["PFA22CD"] == code, "LAD22CD"]
        area = ts[ts["Lower Tier Local Authorities Code"].isin(lads) & (ts["Ethnic group (20 categories) Code"] >= 1)]
        black = area["Ethnic group (20 categories)"].str.startswith("Black").map(int) @ area["Observation"]
        assert rows.loc["Black", "benchmark_share"] == round(black / area["Observation"].sum(), 4)
    met = table[(table["force_code"] == MET) & (table["group"] == "Black")].iloc[0]
    n_known = prof.known_total(example[met["list"]].tables["ethnicity"])
    assert met["share_known"] == round(int(met["count"]) / n_known, 4)
    assert met["ratio"] == round((int(met["count"]) / n_known) / (1_188_137 / 8_791_152), 4)
    assert met["ratio_ci_low"] < met["ratio"] < met["ratio_ci_high"]


def test_suppressed_counts_are_never_ranked(example):
    table = compare.comparison_table(example)
    ranks = compare.rank_table(table)
    city = table[(table["force_code"] == CITY) & (table["group"] == "Black")].iloc[0]
    assert city["count"] == prof.SUPPRESSED and city["ratio"] == prof.SUPPRESSED
    black = ranks[(ranks["group"] == "Black") & (ranks["measure"] == compare.RATIO)]
    assert city["list"] not in set(black["list"])
    assert city["list"] in compare.unranked(table, "Black", compare.RATIO)
    # every ranked value has its interval, and its rank range holds its point order
    assert (black["ci_low"].astype(float) <= black["value"].astype(float)).all()
    order = black.sort_values("value", ascending=False)["rank_best"].tolist()
    assert order == sorted(order)


def test_synthetic_forces_example_is_reproducible(tmp_path):
    written = synth.write_forces(str(tmp_path), "data")
    for path in written:
        assert path.read_bytes() == (EXAMPLE / path.name).read_bytes(), path.name
    record = json.loads((EXAMPLE / "forces.json").read_text())
    for entry in record["lists"]:
        frame = pd.read_csv(EXAMPLE / entry["file"])
        assert (frame["synthetic"] == synth.LABEL).all()
        assert frame["ethnicity"].value_counts().to_dict() == {k: v for k, v in entry["ethnicity_margin"].items() if v}
        assert len(frame) == entry["n"]
        assert census.force_from_filename(entry["file"]) == entry["pfa_code"]


# ---------------------------------------------------------------- the notebook


def test_forces_notebook_from_lists_and_from_published_profiles_agree(tmp_path, example):
    (tmp_path / "lists").mkdir()
    (tmp_path / "pub").mkdir()
    out = run_notebook("06_forces", tmp_path / "lists")
    tables = out / "tables"
    comparison = (tables / "forces_comparison.csv").read_text()
    assert "SYNTHETIC - not real people" in comparison
    # many-list mode: the published profiles only, never the lists
    handed = tmp_path / "published"
    handed.mkdir()
    for key, pub in example.items():
        pub.save(handed / f"{key}.json")
    out2 = run_notebook("06_forces", tmp_path / "pub", published_dir=str(handed), lists_dir="")
    assert (out2 / "tables" / "forces_comparison.csv").read_text() == comparison
    assert (out2 / "tables" / "forces_ranks.csv").read_bytes() == (tables / "forces_ranks.csv").read_bytes()
    ranks = pd.read_csv(tables / "forces_ranks.csv", dtype=str)
    assert ranks["rank"].str.fullmatch(r"\d+(-\d+)?").all()
    page = json.dumps(json.loads((tmp_path / "lists" / "run.ipynb").read_text()))
    assert "SYNTHETIC: these lists are invented people" in page
    assert not re.search(r"Traceback", page)
