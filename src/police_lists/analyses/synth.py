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


def generate(data_dir: str = "data") -> tuple[pd.DataFrame, dict]:
    """The synthetic list (one row per invented person) and its record of choices."""
    import humanleague as hl

    m = margins(data_dir)
    eth = np.array(list(m["ethnicity"].values()), dtype=float)
    age = np.array(list(m["age_band"].values()), dtype=float)
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
        "seed_table": seed.astype(int).tolist(),
        "fitted_table": [[round(float(x), 6) for x in row] for row in fitted],
        "integer_table": integer.tolist(),
        "ipf_iterations": int(stats.get("iterations", -1)),
        "ipf_max_error": round(float(stats.get("maxError", 0.0)), 9),  # rounded: last bits vary by machine
        "integerise_rmse": round(float(istats.get("rmse", 0.0)), 6),
        "shuffle_seed": SHUFFLE_SEED,
        "caveats": [
            "The joint distribution of ethnicity and age is an assumption (independence), not published.",
            "The published margins are rounded percentages; the counts are chosen inside their ranges (see margins).",
            "Gender, harm score and anything else about these people were not published and are not invented.",
        ],
        "regenerate": "python -m police_lists synth --output-dir data/examples",
    }
    return frame, record


def write(output_dir: str = "data/examples", data_dir: str = "data") -> tuple[Path, Path]:
    """Write <output_dir>/pima_synthetic_list.csv and its .json record."""
    frame, record = generate(data_dir)
    out = resolve(output_dir)
    csv_path = out / f"{LIST_NAME}.csv"
    json_path = out / f"{LIST_NAME}.json"
    atomic_write(csv_path, frame.to_csv(index=False, lineterminator="\n").encode("utf-8"))
    atomic_write(json_path, (json.dumps(record, indent=1, sort_keys=True) + "\n").encode("utf-8"))
    return csv_path, json_path
