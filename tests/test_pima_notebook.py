"""The Pima appendix executed through papermill inside the test suite, with
assertions on the tables it writes."""

import math
from pathlib import Path

import pandas as pd
import papermill
import pytest

from conftest import run_notebook
from police_lists.readers import census

ROOT = Path(__file__).resolve().parents[1]


def run(tmp_path, **params):
    return run_notebook("01_operation_pima", tmp_path, **params)


@pytest.fixture(scope="module")
def default_run(built):
    return built[0]  # the session's build ran this notebook with its defaults (conftest.built)


@pytest.fixture(scope="module")
def narrow_run(tmp_path_factory):
    return run(tmp_path_factory.mktemp("pima90"), confidence=0.9)


def table(out, name):
    return pd.read_csv(out / "tables" / f"{name}.csv")


def test_base_counts_are_the_rounding_ranges(default_run):
    base = table(default_run, "pima_base_counts").set_index("category")
    assert tuple(base.loc["18 or under", ["count_low", "count_high", "point_value"]]) == (459, 466, 462)
    assert tuple(base.loc["under 16", ["count_low", "count_high", "point_value"]]) == (110, 117, 114)
    assert tuple(base.loc["16 to 18", ["count_low", "count_high", "point_value"]]) == (342, 356, 348)
    assert tuple(base.loc["Black", ["count_low", "count_high", "point_value"]]) == (459, 466, 462)


def test_both_disproportionality_measures(default_run):
    dp = table(default_run, "pima_disproportionality")
    share_ratio = dp[dp["measure"].str.startswith("share ratio")].iloc[0]
    rate_ratio = dp[dp["measure"].str.startswith("rate ratio")].iloc[0]
    assert share_ratio["value"] == pytest.approx(4.6884513903, abs=1e-6)  # R8
    assert (share_ratio["ci_low"], share_ratio["ci_high"]) == pytest.approx(
        (4.4176870549, 4.9507214352), abs=1e-6
    )  # R9
    # Rate ratio recomputed here from first principles with London's population from the
    # census year assumed for the 13% (2011, data/manual/assumptions.csv): no mixed years.
    population = census.group_count(2011, census.LONDON)[1]
    assert population == 8_173_941
    group = round(0.13 * population)
    expected = (462 / group) / (296 / (population - group))
    assert rate_ratio["value"] == pytest.approx(expected, rel=1e-9)
    assert rate_ratio["value"] == pytest.approx(10.4, abs=0.05)


def test_claims_ledger_written(default_run):
    ledger = table(default_run, "claims_ledger_pima")
    assert set(ledger["subject"]) == {"pima"}
    assert "PD1" in set(ledger["claim_id"])


def test_figures_written(default_run):
    figures = sorted(p.name for p in (default_run / "figures").glob("*.png"))
    assert len(figures) >= 2


def test_lower_confidence_narrows_every_interval(default_run, narrow_run):
    for name in ("pima_shares", "pima_disproportionality"):
        wide, narrow = table(default_run, name), table(narrow_run, name)
        for low, high in (("ci_low", "ci_high"), ("ci_low_over_range", "ci_high_over_range")):
            for w_lo, w_hi, n_lo, n_hi in zip(wide[low], wide[high], narrow[low], narrow[high]):
                if math.isnan(w_lo):
                    continue
                assert n_lo > w_lo and n_hi < w_hi


@pytest.mark.parametrize(
    "params, message",
    [
        ({"confidence": 1.5}, "confidence = 1.5"),
        ({"rounding_rule": "bankers"}, "rounding_rule = 'bankers'"),
        ({"benchmark_source": "london_13pct"}, "benchmark_source = 'london_13pct' is not allowed"),
        (
            {"population_source": "published_london_13pct"},
            "population_source = 'published_london_13pct' is not allowed",
        ),
    ],
)
def test_bad_parameter_stops_at_the_top(tmp_path, params, message):
    with pytest.raises(papermill.PapermillExecutionError) as info:
        run(tmp_path, **params)
    assert message in str(info.value)
    assert not (tmp_path / "out").exists()
