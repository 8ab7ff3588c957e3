"""Census readers against the published totals (data/raw provenance checks)."""

import pandas as pd
import pytest

from police_lists.readers import census


def test_london_2011_totals():
    black, total = census.group_count(2011, census.LONDON)
    assert (black, total) == (1_088_640, 8_173_941)


def test_london_2011_black_share_aged_10_17():
    black, total = census.group_count(2011, census.LONDON, age_from=10, age_to=17)
    assert (black, total) == (144_747, 737_090)
    assert 100 * black / total == pytest.approx(19.64, abs=0.005)


def test_london_2021_black_from_sex_table_is_exact():
    black, _ = census.group_count(2021, census.LONDON)
    assert black == 1_188_370


def test_london_2021_age_table_rounding_gap():
    # The single-year table is rounded to 5 with suppressed cells: its sum
    # differs from the exact figure, and the code reports that, not hides it.
    t = census.census_2021_by_age()
    london = t[t["area_code"] == census.LONDON]
    black = int(london.loc[london["group"] == "Black", "count"].fillna(0).sum())
    assert black == 1_188_380
    assert black - 1_188_370 == 10
    assert int(london["count"].fillna(0).sum()) == 8_799_600


def test_london_2021_black_share_aged_10_24():
    black, total = census.group_count(2021, census.LONDON, age_from=10, age_to=24)
    assert 100 * black / total == pytest.approx(17.83, abs=0.005)


def test_2011_ages_must_fall_on_band_edges():
    with pytest.raises(ValueError, match="cut across"):
        census.group_count(2011, census.LONDON, age_from=12, age_to=24)


def test_one_areas_single_year_rows_are_those_of_the_whole_table():
    # population_count reads one area's rows (census_2021_by_age_in); they must be the
    # whole table's rows for it, in the same order, with the same suppressed cells
    whole = census.census_2021_by_age()
    for area in (census.LONDON, "E09000001"):  # London; the City of London, mostly suppressed
        expected = whole[whole["area_code"] == area].reset_index(drop=True)
        assert len(expected) == 101 * 19
        pd.testing.assert_frame_equal(census.census_2021_by_age_in(area), expected)
    city = census.census_2021_by_age_in("E09000001")
    assert city["suppressed"].any() and city["count"].isna().sum() == city["suppressed"].sum()
