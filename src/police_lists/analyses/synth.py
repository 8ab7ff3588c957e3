"""A SYNTHETIC teaching list with the published Operation Pima margins
(methods.md section 5): one row per invented person, never a real one.

Steps (methods.md 5.1-5.4):
  1. Integer margins from the published, rounded percentages of the Pima list
     size (data/manual/panel_lists.csv): its Black share, and the shares under
     16 and aged 18 or under (rows of data/manual/pima_base_table.csv). Each is
     chosen inside the range of whole counts its rounding allows
     (rounding.consistent_counts) as the count nearest percent x n, and the
     choice is recorded beside the list.
  2. IPF (humanleague.ipf) of ethnicity {Black, Not Black} x age band
     {under 16, 16-18, 19 and over} to those margins from a UNIFORM seed: no
     cross-table was published, so the joint structure is independence, an
     assumption and not a finding (methods.md 5.4, caveat 3).
  3. humanleague.integerise (margin-preserving), then
     humanleague.tabulate_individuals: one row per person; rows are shuffled
     with a fixed seed so the file does not look sorted.
  4. The fitted margins are asserted afterwards (humanleague.ipf raises on a
     total mismatch, but other libraries do not; methods.md 5.4 caveat 1).
Every row carries "SYNTHETIC - not real people" in a `synthetic` column, which
police_lists.readers.listinput recognises, so every output built from it is labelled.

The same module makes the SYNTHETIC forces example (forces_example, below).

Command: python -m police_lists synth [--output-dir data/examples]
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from police_lists.analyses import pima
from police_lists.contract.files import atomic_write
from police_lists.contract.paths import resolve
from police_lists.methods.rounding import consistent_counts, point_count
from police_lists.readers import claims as claims_mod
from police_lists.readers.manual import read_manual

LABEL = "SYNTHETIC - not real people"
LIST_NAME = "pima_synthetic_list"
ETHNICITY = ("Black", "Not Black")
AGE_BANDS = ("under 16", "16-18", "19 and over")
SHUFFLE_SEED = 20200511  # the first day of Operation Pima; any fixed value would do
# The base-table rows (data/manual/pima_base_table.csv) whose published shares are the age margins.
AGE_MARGINS = {"under_16": ("age", "under 16"), "18_or_under": ("age", "18 or under")}


def _choose(claim, n: int) -> dict:
    """Whole count nearest percent x n inside the rounding interval, with the interval."""
    allowed = consistent_counts(claim["value"], n, claim["rounding"])
    point = point_count(claim["value"], n)
    if point not in allowed:
        raise ValueError(f"{claim['claim_id']}: {point} is outside the counts {claim['value']}% of {n} allows")
    return {
        "claim_id": claim["claim_id"],
        "printed": f"{claim['value']}%",
        "rounding": claim["rounding"],
        "allowed_low": allowed.start,
        "allowed_high": allowed.stop - 1,
        "chosen": point,
    }


def margins(data_dir: str = "data") -> dict:
    """The integer margins and how each was chosen."""
    by_id = claims_mod.claims_by_id(data_dir)
    size_id, share_id = pima.list_claims(data_dir)
    base = read_manual("pima_base_table", data_dir).set_index(["table", "category"])["definition"]
    n = int(by_id[size_id]["value"])
    black = _choose(by_id[share_id], n)
    under16 = _choose(by_id[base[AGE_MARGINS["under_16"]]], n)
    to18 = _choose(by_id[base[AGE_MARGINS["18_or_under"]]], n)
    eth = [black["chosen"], n - black["chosen"]]
    age = [under16["chosen"], to18["chosen"] - under16["chosen"], n - to18["chosen"]]
    if min(age) < 0 or sum(eth) != n or sum(age) != n:
        raise ValueError(f"margins do not share the total {n}: {eth}, {age}")
    return {
        "n": n,
        "n_claim": size_id,
        "ethnicity": dict(zip(ETHNICITY, eth)),
        "age_band": dict(zip(AGE_BANDS, age)),
        "choices": [black, under16, to18],
    }


def individuals(eth: np.ndarray, age: np.ndarray) -> tuple[pd.DataFrame, dict]:
    """One row per person (columns ethnicity, age_band: category indices) with two whole-number
    margins, by IPF from a uniform seed (independence), humanleague.integerise and
    humanleague.tabulate_individuals, rows shuffled with SHUFFLE_SEED; and what was fitted."""
    import humanleague as hl

    eth = np.asarray(eth, dtype=float)
    age = np.asarray(age, dtype=float)
    seed = np.ones((len(eth), len(age)))
    fitted, stats = hl.ipf(seed, [np.array([0]), np.array([1])], [eth, age])
    # humanleague returns (array, {"conv": ..., "pop": ..., "iterations": ..., "maxError": ...})
    if not stats.get("conv", False):
        raise RuntimeError(f"IPF did not converge: {stats}")
    integer, istats = hl.integerise(fitted)
    integer = np.asarray(integer, dtype=np.int64)
    # Assert the fitted margins ourselves (methods.md 5.4 caveat 1).
    np.testing.assert_allclose(fitted.sum(axis=1), eth, atol=1e-6)
    np.testing.assert_allclose(fitted.sum(axis=0), age, atol=1e-6)
    assert (integer.sum(axis=1) == eth).all() and (integer.sum(axis=0) == age).all(), "integerise broke a margin"
    people = hl.tabulate_individuals(integer, ["ethnicity", "age_band"])
    rng = np.random.default_rng(SHUFFLE_SEED)
    people = people.iloc[rng.permutation(len(people))].reset_index(drop=True)
    fit = {
        "seed_table": seed.astype(int).tolist(),
        "fitted_table": [[round(float(x), 6) for x in row] for row in fitted],
        "integer_table": integer.tolist(),
        "ipf_iterations": int(stats.get("iterations", -1)),
        "ipf_max_error": round(float(stats.get("maxError", 0.0)), 9),  # rounded: last bits vary by machine
        "integerise_rmse": round(float(istats.get("rmse", 0.0)), 6),
    }
    return people, fit


def generate(data_dir: str = "data") -> tuple[pd.DataFrame, dict]:
    """The synthetic list (one row per invented person) and its record of choices."""
    m = margins(data_dir)
    people, fit = individuals(list(m["ethnicity"].values()), list(m["age_band"].values()))
    frame = pd.DataFrame(
        {
            "synthetic": LABEL,
            "ethnicity": [ETHNICITY[i] for i in people["ethnicity"]],
            "age_band": [AGE_BANDS[i] for i in people["age_band"]],
        }
    )
    record = {
        "label": LABEL,
        "what": "Synthetic teaching list with the published Operation Pima margins; NOT real people, not for findings.",
        "method": "humanleague.ipf from a uniform seed (independence), humanleague.integerise, "
        "humanleague.tabulate_individuals; rows shuffled with numpy default_rng(shuffle_seed)",
        "reference": "methods.md section 5 (Deming and Stephan 1940 IPF)",
        "margins": m,
        **fit,
        "shuffle_seed": SHUFFLE_SEED,
        "caveats": [
            "The joint distribution of ethnicity and age is an assumption (independence), not published.",
            "The published margins are rounded percentages; the counts are chosen inside their ranges (see margins).",
            "Gender, harm score and anything else about these people were not published and are not invented.",
        ],
        "regenerate": "python -m police_lists synth --output-dir data/examples",
    }
    return frame, record


# ---------------------------------------------------------------- the forces example (issue 16)
# A SYNTHETIC list per force area in data/manual/synthetic_forces.csv: its ethnicity
# margin is the area's census 2021 composition (TS021 summed over the area's local
# authorities) with Black residents listed `black_rate_ratio` times as often as anyone
# else; its age margin is invented. Both margins are made whole numbers with
# humanleague.integerise (1-d: the closest whole counts with the list's total), then
# `individuals` as above. File names follow police.uk's (<date>-<force>-stop-and-search)
# behind a SYNTHETIC- prefix so readers.census.force_from_filename finds each force.

FORCES_DIR = "forces"
FORCES_MONTH = "2021-06"  # the census year's; the lists describe no real month
FORCE_AGE_BANDS = ("10-17", "18-24", "25-34", "over 34")
_AGE_COLUMNS = ("age_10_17", "age_18_24", "age_25_34", "age_over_34")


def force_file_name(slug: str) -> str:
    return f"SYNTHETIC-{FORCES_MONTH}-{slug}-stop-and-search.csv"


def forces_example(data_dir: str = "data") -> tuple[dict[str, pd.DataFrame], dict]:
    """The SYNTHETIC forces lists (file name -> one row per invented person) and their record."""
    import humanleague as hl

    from police_lists.analyses.profile import CENSUS_GROUPS
    from police_lists.readers import census

    settings = read_manual("synthetic_forces", data_dir)
    lists, record = {}, []
    for row in settings.itertuples(index=False):
        code = census.force_code(row.force, data_dir)
        n, tilt = int(row.n), float(row.black_rate_ratio)
        residents = [census.census_share(census.force_census_id(code), g, data_dir)[0] for g in CENSUS_GROUPS]
        weights = np.array([r * (tilt if g == "Black" else 1.0) for g, r in zip(CENSUS_GROUPS, residents)])
        eth, _ = hl.integerise(weights / weights.sum(), n)
        age_shares = np.array([float(getattr(row, c)) for c in _AGE_COLUMNS])
        age, _ = hl.integerise(age_shares / age_shares.sum(), n)
        people, fit = individuals(np.asarray(eth), np.asarray(age))
        name = force_file_name(row.force)
        lists[name] = pd.DataFrame(
            {
                "synthetic": LABEL,
                "ethnicity": [CENSUS_GROUPS[i] for i in people["ethnicity"]],
                "age": [FORCE_AGE_BANDS[i] for i in people["age_band"]],
            }
        )
        record.append(
            {
                "file": name,
                "force": row.force,
                "pfa_code": code,
                "n": n,
                "black_rate_ratio_invented": tilt,
                "census_2021_residents": dict(zip(CENSUS_GROUPS, residents)),
                "ethnicity_margin": dict(zip(CENSUS_GROUPS, np.asarray(eth).tolist())),
                "age_margin": dict(zip(FORCE_AGE_BANDS, np.asarray(age).tolist())),
                **fit,
            }
        )
    return lists, {
        "label": LABEL,
        "what": "SYNTHETIC lists, one per force area, for the forces comparison (notebooks/06_forces.ipynb); "
        "invented people, NOT real lists and not for findings.",
        "method": "ethnicity margin: census 2021 residents of the force area (TS021 by local authority summed "
        "with the ONS lookup), Black residents weighted by the invented black_rate_ratio; age margin invented "
        "(data/manual/synthetic_forces.csv); both made whole with humanleague.integerise; then IPF from a "
        "uniform seed, humanleague.integerise, humanleague.tabulate_individuals, rows shuffled with "
        "numpy default_rng(shuffle_seed)",
        "shuffle_seed": SHUFFLE_SEED,
        "lists": record,
        "caveats": [
            "Every difference between these lists was put there by the invented settings; none is a finding.",
            "The joint distribution of ethnicity and age is an assumption (independence).",
        ],
        "regenerate": "python -m police_lists synth --output-dir data/examples",
    }


def write(output_dir: str = "data/examples", data_dir: str = "data") -> tuple[Path, Path]:
    """Write <output_dir>/pima_synthetic_list.csv and its .json record."""
    frame, record = generate(data_dir)
    out = resolve(output_dir)
    csv_path = out / f"{LIST_NAME}.csv"
    json_path = out / f"{LIST_NAME}.json"
    atomic_write(csv_path, frame.to_csv(index=False, lineterminator="\n").encode("utf-8"))
    atomic_write(json_path, (json.dumps(record, indent=1, sort_keys=True) + "\n").encode("utf-8"))
    return csv_path, json_path


def write_forces(output_dir: str = "data/examples", data_dir: str = "data") -> list[Path]:
    """Write the SYNTHETIC forces example: <output_dir>/forces/, one list per force area and forces.json."""
    lists, record = forces_example(data_dir)
    folder = resolve(output_dir) / FORCES_DIR
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, people in lists.items():
        atomic_write(folder / name, people.to_csv(index=False, lineterminator="\n").encode("utf-8"))
        written.append(folder / name)
    atomic_write(folder / "forces.json", (json.dumps(record, indent=1, sort_keys=True) + "\n").encode("utf-8"))
    return [*written, folder / "forces.json"]
