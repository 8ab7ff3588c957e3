"""Time the build against the naive way of building the same appendices, in one run.

    .venv/bin/python scripts/bench_build.py [--notebook NAME ...] [--jobs 2] [--repeat N]

Measures, over the same notebooks and into fresh temporary folders:
  (a) full build: police_lists.pipeline.build.build(force=True) in this process' child
      (`python -m police_lists build --force`): validation, parallel execution
      through papermill's Python API in warm kernels (forked from one process that
      has imported what the notebooks import, pipeline/warmkernel.py), in-process
      conversion, ledger, index, manifest;
  (b) naive loop: for each notebook, the `papermill` command line, then the
      `jupyter nbconvert --to html` command line (no validation, no ledger,
      no manifest: strictly less work than (a));
  (c) no-change rebuild: the build command again over (a)'s output folder.
Then prints the seconds and the ratios. The targets (issue 14): (a) <= 0.25 of
(b), and (c) under two seconds. Wall-clock times depend on the machine and its
load, so this is a measurement to read, not a test; the ratio is meaningful
because (a) and (b) run back to back on the same machine.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
TARGET = 0.25  # (a)/(b), issue 14


def run(cmd: list[str]) -> tuple[float, str]:
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        sys.exit(f"bench: command failed ({proc.returncode}): {' '.join(cmd)}\n{proc.stderr[-3000:]}")
    return elapsed, proc.stdout


def measure(notebooks: list[Path], jobs: int) -> tuple[float, float, float, list[str]]:
    """One round: (a) forced build, (c) no-change rebuild, (b) naive loop, in fresh folders."""
    names = [p.stem for p in notebooks]
    with tempfile.TemporaryDirectory(prefix="bench-build-") as tmp:
        build_out, naive_out = Path(tmp) / "build", Path(tmp) / "naive"
        build_cmd = [
            sys.executable,
            "-m",
            "police_lists",
            "build",
            "--output-dir",
            str(build_out),
            "--jobs",
            str(jobs),
        ] + [a for n in names for a in ("--notebook", n)]

        full, _ = run(build_cmd + ["--force"])
        nochange, log = run(build_cmd)
        redone = [line for line in log.splitlines() if "executed and converted" in line or "re-converted" in line]

        naive = 0.0
        for nb in notebooks:
            executed = naive_out / "notebooks" / nb.name
            executed.parent.mkdir(parents=True, exist_ok=True)
            naive += run(
                [
                    str(BIN / "papermill"),
                    str(nb),
                    str(executed),
                    "-p",
                    "output_dir",
                    str(naive_out),
                    "--no-progress-bar",
                    "--cwd",
                    str(nb.parent),
                ]
            )[0]
            naive += run(
                [
                    str(BIN / "jupyter"),
                    "nbconvert",
                    "--to",
                    "html",
                    "--output-dir",
                    str(naive_out / "html"),
                    str(executed),
                ]
            )[0]

        missing = [
            n
            for n in names
            if not (build_out / "html" / f"{n}.html").is_file() or not (naive_out / "html" / f"{n}.html").is_file()
        ]
        if missing:
            sys.exit(f"bench: no HTML for {missing}")
    return full, nochange, naive, redone


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--notebook", action="append", dest="names", help="only this notebook (repeatable)")
    parser.add_argument("--jobs", type=int, default=2, help="notebooks executed at once by the build")
    parser.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="rounds of (a), (c), (b); the best time of each is reported (less load noise)",
    )
    args = parser.parse_args(argv)

    sys.path.insert(0, str(ROOT / "src"))
    from police_lists.pipeline.build import discover_notebooks

    notebooks = [p for p in discover_notebooks() if not args.names or p.stem in args.names]
    if not notebooks:
        sys.exit("bench: no notebook to build")
    names = [p.stem for p in notebooks]
    print(f"notebooks ({len(names)}): {', '.join(names)}; cores: {os.cpu_count()}; build jobs: {args.jobs}")
    print("load average at start (1, 5, 15 min): " + ", ".join(f"{x:.2f}" for x in os.getloadavg()))

    fulls, nochanges, naives, redone = [], [], [], []
    for _ in range(args.repeat):
        full, nochange, naive, redid = measure(notebooks, args.jobs)
        fulls.append(full)
        nochanges.append(nochange)
        naives.append(naive)
        redone.extend(redid)
    full, nochange, naive = min(fulls), min(nochanges), min(naives)
    if args.repeat > 1:
        print(
            "runs (s): a "
            + ", ".join(f"{t:.1f}" for t in fulls)
            + "; b "
            + ", ".join(f"{t:.1f}" for t in naives)
            + "; c "
            + ", ".join(f"{t:.2f}" for t in nochanges)
            + " (the best of each is used)"
        )
    print(f"(a) full build, forced        {full:7.1f} s")
    print(f"(b) naive papermill+nbconvert {naive:7.1f} s")
    print(f"(c) no-change rebuild         {nochange:7.2f} s")
    print(f"(a)/(b) = {full / naive:.2f}  (target <= 0.25: {'met' if full <= naive * TARGET else 'NOT met'})")
    print(
        f"(c)     = {nochange:.2f} s (target < 2 s: {'met' if nochange < 2 else 'NOT met'}); "
        f"(c)/(a) = {nochange / full:.3f}"
    )
    print(
        "load average at end (1, 5, 15 min): "
        + ", ".join(f"{x:.2f}" for x in os.getloadavg())
        + f" (other work on these {os.cpu_count()} cores slows (a) and (b) alike, not evenly)"
    )
    if redone:  # someone edited data/, the package or a notebook between (a) and (c)
        print(
            "warning: the no-change rebuild redid work, so an input changed during the benchmark:\n  "
            + "\n  ".join(redone)
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
