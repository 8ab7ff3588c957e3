"""Benchmark (not a test): generate a 1,000,000-row police.uk-style list and profile it.

    .venv/bin/python scripts/bench_profile.py [--rows 1000000] [--full]

Prints the time and peak memory of reading + validating + disclosure control +
profile tables (the package core), and with --full of the whole
`police_lists profile` command (notebook, HTML, manifest) in a child process.
Target on the reference machine: under 15 s and under 2 GB.
The generated rows are random and invented; the file is deleted afterwards.
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
HEADER = [
    "Type",
    "Date",
    "Part of a policing operation",
    "Policing operation",
    "Latitude",
    "Longitude",
    "Gender",
    "Age range",
    "Self-defined ethnicity",
    "Officer-defined ethnicity",
    "Legislation",
    "Object of search",
    "Outcome",
    "Outcome linked to object of search",
    "Removal of more than just outer clothing",
]
SELF = [
    "White - English/Welsh/Scottish/Northern Irish/British",
    "White - Any other White background",
    "Black/African/Caribbean/Black British - African",
    "Black/African/Caribbean/Black British - Caribbean",
    "Asian/Asian British - Bangladeshi",
    "Asian/Asian British - Pakistani",
    "Mixed/Multiple ethnic groups - White and Black Caribbean",
    "Other ethnic group - Any other ethnic group",
    "Other ethnic group - Not stated",
    "",
]
OFFICER = ["White", "Black", "Asian", "Other", "Mixed", ""]
AGES = ["under 10", "10-17", "18-24", "25-34", "over 34", ""]
GENDERS = ["Male", "Female", "Other", ""]


def generate(path: Path, rows: int, seed: int = 1) -> None:
    """Random police.uk-style rows, written column-wise with numpy (a few seconds)."""
    rng = np.random.default_rng(seed)
    pick = lambda options, p: np.asarray(options, dtype=object)[rng.choice(len(options), size=rows, p=p)]  # noqa: E731
    frame = pd.DataFrame(
        {
            "Type": "Person search",
            "Date": pd.to_datetime("2024-01-01") + pd.to_timedelta(rng.integers(0, 365 * 24, rows), unit="h"),
            "Part of a policing operation": "False",
            "Policing operation": "",
            "Latitude": np.round(51.5 + rng.normal(0, 0.05, rows), 6),
            "Longitude": np.round(-0.12 + rng.normal(0, 0.08, rows), 6),
            "Gender": pick(GENDERS, [0.86, 0.1, 0.005, 0.035]),
            "Age range": pick(AGES, [0.002, 0.17, 0.33, 0.26, 0.2, 0.038]),
            "Self-defined ethnicity": pick(SELF, [0.3, 0.08, 0.14, 0.1, 0.05, 0.03, 0.04, 0.05, 0.07, 0.14]),
            "Officer-defined ethnicity": pick(OFFICER, [0.35, 0.3, 0.15, 0.08, 0.02, 0.1]),
            "Legislation": "Misuse of Drugs Act 1971 (section 23)",
            "Object of search": "Controlled drugs",
            "Outcome": pick(["A no further action disposal", "Arrest", "Community resolution"], [0.7, 0.15, 0.15]),
            "Outcome linked to object of search": "False",
            "Removal of more than just outer clothing": "False",
        }
    )
    frame.to_csv(path, index=False)


def core(path: Path) -> dict:
    from police_lists.analyses import profile
    from police_lists.readers import listinput

    data = listinput.read_list(path)
    prof = profile.build_profile(data)
    disp, _ = profile.disproportionality_table(prof)
    return {"n": data.n, "tables": len(prof.tables), "disproportionality_rows": len(disp)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--full", action="store_true", help="also time the whole `police_lists profile` command")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench_list.csv"
        t0 = time.perf_counter()
        generate(path, args.rows)
        print(f"generated {args.rows:,} rows ({path.stat().st_size / 1e6:.0f} MB) in {time.perf_counter() - t0:.1f} s")
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        t0 = time.perf_counter()
        result = core(path)
        elapsed = time.perf_counter() - t0
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
        print(
            f"core profile (read + validate + disclosure control + tables + benchmarks): {elapsed:.2f} s, "
            f"peak memory {peak / 1024:.0f} MiB (process; {before / 1024:.0f} MiB before profiling), {result}"
        )
        if args.full:
            out = Path(tmp) / "OUT"
            t0 = time.perf_counter()
            subprocess.run(
                [sys.executable, "-m", "police_lists", "profile", "--list", str(path), "--output-dir", str(out)],
                check=True,
                cwd=ROOT,
            )
            elapsed = time.perf_counter() - t0
            child = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
            print(
                f"full `police_lists profile` (validation, notebook, HTML, manifest): {elapsed:.2f} s, "
                f"peak memory {child / 1024:.0f} MiB (largest child process)"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
