"""The benchmark panel (issue 4): census benchmarks recomputed from the raw
files, the panel against methods.md section 7, the victims benchmark, the
derive command, and notebook 04 through papermill."""

import itertools
import subprocess
import sys
from pathlib import Path

import pandas as pd
import papermill
import pytest
from statsmodels.stats.proportion import proportion_confint

from conftest import run_notebook, shared
from police_lists.analyses import benchmarks
from police_lists.readers import census, homicide

ROOT = Path(__file__).resolve().parents[1]


# ----------------------------------------------------------------- census
def test_london_2011_totals_from_dc2101ew():
    pc = census.population_count(2011, census.LONDON)
    assert (pc.group_count, pc.total) == (1_088_640, 8_173_941)
    assert not pc.rounded


def test_london_2021_black_from_sex_file_and_age_file_gap():
    pc = census.population_count(2021, census.LONDON)
    assert pc.group_count == 1_188_370 and pc.table == "census2021_ethnic_group_by_sex_areas.csv"
    gap = census.age_table_rounding_gap(census.LONDON)
    assert (gap["age_table_group"], gap["sex_table_group"], gap["group_gap"]) == (1_188_380, 1_188_370, 10)
    assert gap["age_table_total"] == 8_799_600


def test_black_shares_by_age():
    pc = census.population_count(2011, census.LONDON, 10, 17)
    assert 100 * pc.share == pytest.approx(19.64, abs=0.005)
    pc = census.population_count(2021, census.LONDON, 10, 24)
    assert 100 * pc.share == pytest.approx(17.83, abs=0.005)
    assert pc.rounded and pc.table == "census2021_ethnic_group_by_single_year_of_age.csv"


def test_2011_ages_off_band_edges_are_a_clear_error():
    with pytest.raises(ValueError, match="cut across 2011 DC2101EW age bands"):
        census.population_count(2011, census.LONDON, 12, 24)
    with pytest.raises(ValueError, match="cut across"):
        benchmarks.panel(462, 758, benchmarks=["london_12_24@2011"])
    # 12-24 exists in 2021 (single years)
    assert benchmarks.panel(462, 758, benchmarks=["london_12_24@2021"])["benchmark_share"].iloc[0] > 0


def test_met_area_is_london_less_the_city_from_ts021():
    raw = pd.read_csv(ROOT / "data/raw/census2021_ts021_ethnic_group_ltla.csv")
    london = raw[raw["Lower Tier Local Authorities Code"].str.startswith("E09")]
    met = london[london["Lower Tier Local Authorities Code"] != "E09000001"]
    black = met["Ethnic group (20 categories)"].str.startswith("Black")
    assert london["Observation"].sum() == 8_799_736  # data README check
    pc = census.population_count(2021, census.MET_AREA)
    assert (pc.group_count, pc.total) == (int(met.loc[black, "Observation"].sum()), int(met["Observation"].sum()))
    assert (pc.group_count, pc.total) == (1_188_137, 8_791_152)
    with pytest.raises(ValueError, match="merges the City of London with Westminster"):
        census.population_count(2021, census.MET_AREA, 10, 24)
    # 2011: QS201EW by local authority gives the Met area for all ages (London's
    # DC2101EW total 8,173,941 less the City's 7,375); by age, DC2101EW holds regions only.
    pc = census.population_count(2011, census.MET_AREA)
    assert (pc.group_count, pc.total) == (1_088_447, 8_166_566)
    with pytest.raises(ValueError, match="regions only"):
        census.population_count(2011, census.MET_AREA, 10, 17)


def test_mixed_black_definition_recomputed_from_raw_columns():
    wide = pd.read_csv(ROOT / "data/raw/census2011_dc2101ew_ethnic_group_by_sex_by_age_regions.csv")
    row = wide[wide["geography code"] == census.LONDON].iloc[0]
    col = "Sex: All persons; Age: All categories: Age; Ethnic Group: {}; measures: Value"
    expected = sum(
        int(row[col.format(g)])
        for g in (
            "Black/African/Caribbean/Black British: Total",
            "Mixed/multiple ethnic group: White and Black Caribbean",
            "Mixed/multiple ethnic group: White and Black African",
        )
    )
    assert census.population_count(2011, census.LONDON, include_mixed_black=True).group_count == expected


def test_2021_sex_by_age_is_refused():
    with pytest.raises(ValueError, match="no sex split"):
        census.population_count(2021, census.LONDON, 10, 24, sex="male")
    male = census.population_count(2011, census.LONDON, 10, 24, sex="male")
    female = census.population_count(2011, census.LONDON, 10, 24, sex="female")
    both = census.population_count(2011, census.LONDON, 10, 24)
    assert male.group_count + female.group_count == both.group_count


# ------------------------------------------------------------------ panel
def one(df, benchmark):
    return df.set_index("benchmark").loc[benchmark]


def test_panel_r8_r9_published_13_percent():
    row = one(benchmarks.panel(462, 758, benchmarks=["published_london_13pct"]), "published_london_13pct")
    assert row["ratio"] == pytest.approx(4.6884513903, abs=1e-6)  # R8
    assert (row["ci_low"], row["ci_high"]) == pytest.approx((4.4176870549, 4.9507214352), abs=1e-6)  # R9
    assert row["benchmark_kind"] == "population" and row["source_id"] == "liberty_investigates_2021_pima"
    # Rate ratio from first principles: N_g = 13% of London's 2021 population.
    total = census.population_count(2021, census.LONDON).total
    n_g = round(0.13 * total)
    assert row["rate_ratio"] == pytest.approx((462 / n_g) / (296 / (total - n_g)), rel=1e-9)
    assert row["pp_gap"] == pytest.approx(100 * (462 / 758 - 0.13))


def test_panel_r12_custom_counted_benchmark_katz():
    b = benchmarks.custom_benchmark("census_2021_rounded", 0.135, population=8_799_800, counted=True)
    row = benchmarks.panel(462, 758, benchmarks=[b], ratio_method="katz").iloc[0]
    assert row["ratio"] == pytest.approx(4.515, abs=5e-4)
    assert (row["ci_low"], row["ci_high"]) == pytest.approx((4.2646, 4.7797), abs=1e-4)  # R12


def test_panel_r13_census_2011_katz():
    row = benchmarks.panel(462, 758, benchmarks=["london_all_ages@2011"], ratio_method="katz").iloc[0]
    assert row["benchmark_share"] == 1_088_640 / 8_173_941
    assert row["ratio"] == pytest.approx(4.576, abs=5e-4)
    assert (row["ci_low"], row["ci_high"]) == pytest.approx((4.3228, 4.8448), abs=1e-4)  # R13


def test_panel_r20_matrix_shares():
    p = benchmarks.panel(78, 100, benchmarks=["published_london_13pct", "met_syv_responsible"])
    pop, syv = one(p, "published_london_13pct"), one(p, "met_syv_responsible")
    assert pop["ratio"] == pytest.approx(6.00, abs=5e-3) and syv["ratio"] == pytest.approx(2.889, abs=5e-4)
    assert pop["composition_odds_ratio"] == pytest.approx(23.73, abs=5e-3)
    assert syv["composition_odds_ratio"] == pytest.approx(9.59, abs=5e-3)
    assert pop["rate_ratio"] == pytest.approx(23.73, abs=5e-3)  # a population count exists
    assert pd.isna(syv["rate_ratio"]) and pd.isna(syv["rr_ci_low"])  # no population behind an offender share


def test_panel_carries_the_whole_count_range():
    row = benchmarks.panel((459, 466), 758, benchmarks=["published_london_13pct"]).iloc[0]
    lows, highs = zip(*(proportion_confint(k, 758, method="wilson") for k in range(459, 467)))
    assert row["ci_low"] == pytest.approx(min(lows) / 0.13) and row["ci_high"] == pytest.approx(max(highs) / 0.13)
    assert (round(row["ci_low"], 2), round(row["ci_high"], 2)) == (4.39, 4.99)  # methods.md 2.3
    assert row["k_point"] == 462.5 and row["ratio_low"] == pytest.approx(459 / 758 / 0.13)
    # rounding of both printed figures: 13% allows [12.5%, 13.5%)
    assert row["ratio_rounding_low"] == pytest.approx(459 / 758 / 0.135)
    assert row["ratio_rounding_high"] == pytest.approx(466 / 758 / 0.125)


def test_police_generated_benchmarks_are_flagged():
    p = benchmarks.panel(
        462,
        758,
        benchmarks=[
            "met_syv_responsible",
            "met_syv_prosecuted",
            "met_syv_convicted",
            "cityhall_syv_attackers",
            "cityhall_syv_victims",
        ],
    )
    police = p[p["benchmark_kind"] == "police-generated"]
    assert set(police["claim_id"]) == {"BM9", "BM9b", "BM9c", "BM11e"}
    assert police["police_generated"].all() and police["caveat"].str.startswith(benchmarks.POLICE_CAVEAT).all()
    victims = one(p, "cityhall_syv_victims")
    assert victims["benchmark_kind"] == "victims" and not victims["police_generated"]
    assert victims["benchmark_share"] == 0.26


def test_default_benchmark_set_resolves_for_both_censuses():
    for year in (2011, 2021):
        p = benchmarks.panel(462, 758, census_year=year)
        assert p["ratio"].notna().all() and set(p["benchmark_kind"]) == set(benchmarks.KINDS)
    table = benchmarks.load_benchmark_claims()
    assert all(census.parse_census_id(key) for key in set(table["population_key"]) - {""})


# ------------------------------------------------------ age standardising
def test_age_standardised_ratio_by_hand():
    profile = {"10-17": 300, "18-24": 300, "25+": 158}
    row = benchmarks.panel(462, 758, benchmarks=["london_all_ages"], age_profile=profile).iloc[0]
    shares = [census.population_count(2021, census.LONDON, a, b).share for a, b in ((10, 17), (18, 24), (25, 200))]
    expected = 300 * shares[0] + 300 * shares[1] + 158 * shares[2]
    assert row["age_standardised_ratio"] == pytest.approx(462 / expected, rel=1e-12)
    low = 0.5 * __import__("scipy").stats.chi2.ppf(0.025, 2 * 462) / expected
    assert row["asr_ci_low"] == pytest.approx(low, rel=1e-9)


def test_expected_range_matches_brute_force():
    ranges = {(10, 15): (1, 4), (16, 18): (2, 6), (19, 200): (0, 5)}
    shares = {(10, 15): 0.19, (16, 18): 0.21, (19, 200): 0.12}
    n = 10
    values = [
        sum(c * shares[b] for c, b in zip(combo, ranges))
        for combo in itertools.product(*(range(lo, hi + 1) for lo, hi in ranges.values()))
        if sum(combo) == n
    ]
    assert benchmarks.expected_range(ranges, shares, n) == pytest.approx((min(values), max(values)))


def test_age_profile_that_cannot_add_up_is_refused():
    with pytest.raises(ValueError, match="cannot add up"):
        benchmarks.age_standardised(
            (462, 462), 758, {"10-17": (1, 2), "18+": (3, 4)}, (2021, census.LONDON, "all", "Black", False)
        )


def test_list_inputs_from_claims():
    pima = benchmarks.list_inputs("pima")
    assert pima["k"] == (459, 466, 462) and pima["n"] == 758  # R21
    assert pima["age_profile"] == {"10-15": (110, 117), "16-18": (342, 356), "19+": (292, 299)}  # R22
    matrix = benchmarks.list_inputs("matrix_2017")
    assert matrix["k"][:2] == (2950, 2987) and matrix["n"] == 3806  # R23
    assert matrix["youngest_age"] == 12  # claim A3


# ---------------------------------------------------------------- victims
def test_victims_benchmark_recomputed_directly():
    raw = pd.read_csv(ROOT / "data/raw/met_homicide_victims_2003_2023.csv")
    year = 2000 + raw["Recorded Date"].str[-2:].astype(int)
    sel = raw[
        raw["Age Group"].isin(["13 to19", "20 to 24"])
        & (raw["Method of Killing"] == "Knife or Sharp Implement")
        & year.between(2012, 2019)
    ]
    row = benchmarks.panel(462, 758, benchmarks=["homicide_knife_13_24@2012-2019"]).iloc[0]
    black = int((sel["Officer Observed Ethnicity"] == "Black").sum())
    assert (row["benchmark_group_count"], row["benchmark_population"]) == (black, len(sel))
    assert row["benchmark_kind"] == "victims" and pd.isna(row["rate_ratio"])
    unknown = int(sel["Officer Observed Ethnicity"].str.startswith("Unrecorded").sum())
    assert row["benchmark_share_high"] == pytest.approx((black + unknown) / len(sel))
    with pytest.raises(ValueError, match="cut across the homicide file's age groups"):
        homicide.victims_count(age_from=13, age_to=22)


# ----------------------------------------------------------------- derive
def _derive_command(folder):
    result = subprocess.run(
        [sys.executable, "-m", "police_lists", "derive", "--output-dir", str(folder / "derived")],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    return result.returncode, result.stderr


@pytest.fixture(scope="module")
def derived_by_command(tmp_path_factory):
    """`python -m police_lists derive` once: (its folder, exit status, stderr)."""
    folder, (code, stderr) = shared(tmp_path_factory, "derived_by_command", _derive_command)
    return folder / "derived", code, stderr


@pytest.mark.slow
def test_derive_is_deterministic_and_complete(tmp_path, derived_by_command):
    # Two derivations of the same inputs, one in this process and one by the command line
    # (a separate process), give the same bytes.
    a, (b, code, stderr) = tmp_path / "a", derived_by_command
    assert code == 0, stderr
    benchmarks.derive(output_dir=str(a), log=lambda *_: None)
    names = sorted(p.name for p in a.iterdir())
    assert names == sorted(benchmarks.DERIVED_TABLES)
    assert sorted(p.name for p in b.iterdir() if not p.name.startswith(".")) == names
    for name in names:
        assert (a / name).read_bytes() == (b / name).read_bytes(), name
    shares = pd.read_csv(a / "census_shares.csv")
    row = shares[
        (shares["year"] == 2011)
        & (shares["area_code"] == census.LONDON)
        & (shares["sex"] == "all")
        & (shares["age_range"] == "all ages")
        & (shares["group_definition"] == "Black")
    ].iloc[0]
    assert (row["group_count"], row["total"]) == (1_088_640, 8_173_941)
    assert str(tmp_path) not in (a / "benchmark_catalogue.csv").read_text()


@pytest.mark.slow
def test_derive_command_line(derived_by_command):
    out, code, stderr = derived_by_command
    assert code == 0, stderr
    assert (out / "census_shares.csv").is_file()


# --------------------------------------------------------------- notebook
def run(tmp_path, **params):
    return run_notebook("04_benchmarks", tmp_path, **params)


@pytest.fixture(scope="module")
def default_run(built):
    return built[0]  # the session's build ran this notebook with its defaults (conftest.built)


@pytest.mark.slow
def test_notebook_panel_table(default_run):
    p = pd.read_csv(default_run / "tables" / "benchmark_panel.csv")
    assert list(p["list"].unique()) == ["pima", "matrix_2017"]
    pima = p[p["list"] == "pima"].set_index("benchmark")
    assert pima.loc["published_london_13pct", "ratio"] == pytest.approx(4.6884513903, abs=1e-6)  # R8 at 462
    assert (pima.loc["published_london_13pct", ["k_low", "k_high"]] == [459, 466]).all()
    assert pima.loc["london_10_17", "benchmark_share"] == pytest.approx(0.1965, abs=5e-4)
    assert pima.loc["london_all_ages@2011", "benchmark_share"] == 1_088_640 / 8_173_941
    assert pima.loc["london_10_24@2021", "benchmark_share"] == pytest.approx(0.1783, abs=5e-5)
    assert pima.loc["london_10_24@2011", "benchmark_share"] == 256_470 / 1_558_496  # the "16-18% of 10-24s"
    assert pima.loc["london_males_10_24@2011", "benchmark_share"] == pytest.approx(0.1611, abs=5e-5)
    assert pima["age_standardised_ratio"].notna().any()
    matrix = p[p["list"] == "matrix_2017"].set_index("benchmark")
    assert matrix.loc["published_london_13pct", "ratio"] == pytest.approx((2969 / 3806) / 0.13)
    assert matrix.loc["met_syv_responsible", "police_generated"]
    assert matrix.loc["met_syv_responsible", "ratio"] == pytest.approx((2969 / 3806) / 0.27)
    assert matrix.loc["cityhall_syv_attackers", "benchmark_share"] == 0.35
    assert matrix.loc["cityhall_syv_victims", "benchmark_share"] == 0.26
    assert "homicide_knife_13_24@2012-2017" in matrix.index


@pytest.mark.slow
def test_notebook_names_source_and_date_for_every_ratio(default_run):
    p = pd.read_csv(default_run / "tables" / "benchmark_panel.csv")
    src = pd.read_csv(default_run / "tables" / "benchmark_panel_sources.csv", keep_default_na=False)
    assert len(src) == len(p)
    assert (src["measures"] != "").all() and (src["publisher"] != "").all() and (src["source_date"] != "").all()
    assert (src["benchmark_ref_date"] != "").all()
    assert (default_run / "figures" / "benchmark_panel_ratios.png").is_file()


@pytest.mark.slow
def test_notebook_stops_on_impossible_2011_age_range(tmp_path):
    with pytest.raises(papermill.PapermillExecutionError, match="cut across"):
        run(tmp_path, census_year=2011, age_range="12-24")


@pytest.mark.slow
def test_notebook_stops_on_bad_parameter(tmp_path):
    with pytest.raises(papermill.PapermillExecutionError, match="census_year"):
        run(tmp_path, census_year=2015)


@pytest.mark.slow
def test_notebook_census_year_definition_and_user_benchmark(tmp_path):
    out = run(
        tmp_path,
        census_year=2011,
        include_mixed_black=True,
        extra_benchmark_share=0.4,
        extra_benchmark_label="a user's share",
        panel_lists="pima",
    )
    p = pd.read_csv(out / "tables" / "benchmark_panel.csv").set_index("benchmark")
    expected = census.population_count(2011, census.LONDON, 10, 17, include_mixed_black=True)
    assert p.loc["london_10_17", "benchmark_share"] == expected.share
    assert p.loc["london_10_17", "benchmark_share"] > 0.2  # wider definition, higher share than 19.64%
    assert p.loc["published_london_13pct", "benchmark_share"] == 0.13  # published shares are left as printed
    assert p.loc["user_benchmark", "ratio"] == pytest.approx((462 / 758) / 0.4)
    assert p.loc["user_benchmark", "benchmark_label"] == "a user's share"
