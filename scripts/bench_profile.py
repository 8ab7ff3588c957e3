"""Benchmark (not a test): `police_lists profile` against the floor, side by side in one run.

    .venv/bin/python scripts/bench_profile.py [--rows 1000000] [--repeat 3]
    .venv/bin/python scripts/bench_profile.py --rows 10000000 --repeat 1
    .venv/bin/python scripts/bench_profile.py --lists 20 --rows 10000

Generates a police.uk-style list (random, invented rows; deleted afterwards) and
times, each in its own child process, alternately:
  floor   a bare pandas.read_csv of the four profiled columns plus their value counts;
  profile the whole `python -m police_lists profile` command (read and validate,
          disclosure control and audit, notebook, HTML, manifest, publishing into OUT).
With --lists N it times instead one list of --rows rows against N such lists in
one command (a folder: OUT/<name>/ each and OUT/compare/).
Prints the median wall time of --repeat runs, their ratio, and the peak memory
of each: the resident memory of the whole process tree (the kernel included)
and of its largest process, sampled every 20 ms with psutil. Ratios measured side by side in
one run stay meaningful on a busy machine; the load average is printed too.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
PROFILED = ["Self-defined ethnicity", "Officer-defined ethnicity", "Age range", "Gender"]
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
FLOOR = (
    "import sys, pandas as pd\n"
    f"cols = {PROFILED!r}\n"
    "frame = pd.read_csv(sys.argv[1], usecols=cols)\n"
    "counts = {c: frame[c].value_counts(dropna=False) for c in cols}\n"
)


def generate(path: Path, rows: int, seed: int = 1, block: int = 1_000_000) -> None:
    """Random police.uk-style rows, written a million at a time (bounded memory)."""
    rng = np.random.default_rng(seed)
    with open(path, "w", encoding="utf-8", newline="") as fh:
        for start in range(0, rows, block):
            n = min(block, rows - start)

            def pick(options, p, n=n):
                return np.asarray(options, dtype=object)[rng.choice(len(options), size=n, p=p)]

            frame = pd.DataFrame(
                {
                    "Type": "Person search",
                    "Date": pd.to_datetime("2024-01-01") + pd.to_timedelta(rng.integers(0, 365 * 24, n), unit="h"),
                    "Part of a policing operation": "False",
                    "Policing operation": "",
                    "Latitude": np.round(51.5 + rng.normal(0, 0.05, n), 6),
                    "Longitude": np.round(-0.12 + rng.normal(0, 0.08, n), 6),
                    "Gender": pick(GENDERS, [0.86, 0.1, 0.005, 0.035]),
                    "Age range": pick(AGES, [0.002, 0.17, 0.33, 0.26, 0.2, 0.038]),
                    "Self-defined ethnicity": pick(SELF, [0.3, 0.08, 0.14, 0.1, 0.05, 0.03, 0.04, 0.05, 0.07, 0.14]),
                    "Officer-defined ethnicity": pick(OFFICER, [0.35, 0.3, 0.15, 0.08, 0.02, 0.1]),
                    "Legislation": "Misuse of Drugs Act 1971 (section 23)",
                    "Object of search": "Controlled drugs",
                    "Outcome": pick(
                        ["A no further action disposal", "Arrest", "Community resolution"], [0.7, 0.15, 0.15]
                    ),
                    "Outcome linked to object of search": "False",
                    "Removal of more than just outer clothing": "False",
                }
            )
            frame.to_csv(fh, index=False, header=start == 0)


def measure(command: list[str]) -> tuple[float, float, float]:
    """(wall seconds, peak MiB of the process tree's resident memory, peak MiB of
    its largest process) of one command."""
    import psutil

    t0 = time.perf_counter()
    child = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = largest = 0
    done = threading.Event()

    def sample():
        nonlocal peak, largest
        try:
            root = psutil.Process(child.pid)
        except psutil.NoSuchProcess:
            return
        while not done.is_set():
            total = 0
            try:
                for proc in [root, *root.children(recursive=True)]:
                    try:
                        rss = proc.memory_info().rss
                        total += rss
                        largest = max(largest, rss)
                    except psutil.NoSuchProcess:
                        pass
            except psutil.NoSuchProcess:
                return
            peak = max(peak, total)
            done.wait(0.02)

    watcher = threading.Thread(target=sample, daemon=True)
    watcher.start()
    _, err = child.communicate()
    elapsed = time.perf_counter() - t0
    done.set()
    watcher.join()
    if child.returncode:
        raise SystemExit(f"failed ({child.returncode}): {' '.join(command)}\n{err.decode(errors='replace')[-2000:]}")
    return elapsed, peak / 2**20, largest / 2**20


def side_by_side(name_a: str, make_a, name_b: str, make_b, repeat: int) -> dict:
    """Alternate the two commands `repeat` times; medians of each."""
    runs = {name_a: [], name_b: []}
    for i in range(repeat):
        for name, make in ((name_a, make_a), (name_b, make_b)):
            runs[name].append(measure(make(i)))
            t, tree, one = runs[name][-1]
            print(f"  run {i + 1} {name}: {t:.2f} s, {tree:.0f} MiB (largest process {one:.0f} MiB)", flush=True)
    return {name: tuple(statistics.median(x[k] for x in r) for k in range(3)) for name, r in runs.items()}


def report(result: dict, a: str, b: str) -> None:
    for name, (t, tree, one) in result.items():
        print(
            f"{name}: median {t:.2f} s; peak memory (medians) {tree:.0f} MiB for the process tree, "
            f"{one:.0f} MiB for its largest process"
        )
    print(f"ratio {b} / {a}: {result[b][0] / result[a][0]:.2f} (wall time, medians, measured side by side)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows of the list (of each list with --lists)")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each command (median reported)")
    parser.add_argument("--lists", type=int, default=0, help="time N lists in one command against one list")
    parser.add_argument("--list", dest="given", help="time this police.uk-style list instead of generating one")
    args = parser.parse_args()
    python = sys.executable
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())} ({os.cpu_count()} cores)")
    with tempfile.TemporaryDirectory(prefix="bench-profile-") as tmp:
        tmp = Path(tmp)
        t0 = time.perf_counter()
        if args.lists:
            folder = tmp / "lists"
            folder.mkdir()
            for i in range(args.lists):
                generate(folder / f"list_{i:02d}.csv", args.rows, seed=i + 1)
            one = folder / "list_00.csv"
            print(f"generated {args.lists} lists of {args.rows:,} rows in {time.perf_counter() - t0:.1f} s")
            profile = [python, "-m", "police_lists", "profile"]
            result = side_by_side(
                "one list",
                lambda i: [*profile, "--list", str(one), "--output-dir", str(tmp / f"one-{i}")],
                f"{args.lists} lists",
                lambda i: [*profile, "--list", str(folder), "--output-dir", str(tmp / f"many-{i}")],
                args.repeat,
            )
            report(result, "one list", f"{args.lists} lists")
        else:
            path = Path(args.given).resolve() if args.given else tmp / "bench_list.csv"
            if args.given:
                with open(path, "rb") as fh:
                    args.rows = sum(block.count(b"\n") for block in iter(lambda: fh.read(1 << 24), b"")) - 1
            else:
                generate(path, args.rows)
            size = path.stat().st_size / 2**20
            made = "read" if args.given else "generated"
            print(f"{made} {args.rows:,} rows ({size:,.0f} MiB) in {time.perf_counter() - t0:.1f} s")
            result = side_by_side(
                "floor (pandas.read_csv of the 4 columns + value_counts)",
                lambda i: [python, "-c", FLOOR, str(path)],
                "police_lists profile (whole command)",
                lambda i: [
                    python,
                    *("-m", "police_lists", "profile", "--list", str(path), "--output-dir", str(tmp / f"OUT-{i}")),
                ],
                args.repeat,
            )
            report(
                result,
                "floor (pandas.read_csv of the 4 columns + value_counts)",
                "police_lists profile (whole command)",
            )
            t = result["police_lists profile (whole command)"][0]
            print(f"rate: {args.rows / t / 1e6:.2f} million rows per second for the whole command")
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
