"""Parquet export against the CSV export of the same records: speed, size and memory.

Usage::

    .venv/bin/python benchmarks/parquet.py [--records N] [--rounds R]   # speed and size
    .venv/bin/python benchmarks/parquet.py --memory                     # peak RSS, two sizes

**Speed**: the records (default 20 000, about 60 000 detailed rows) are built
once, before any clock starts, so only the exports are timed. Each round
writes the detailed report as CSV and as Parquet, in alternating order, and
takes the ratio of their CPU times; the table gives the median over ``R``
rounds (default 5). **Memory**: each export of streamed records runs in a
fresh process (peak RSS), for 100 000 and 300 000 records (workbooks, slower
to write: 20 000 and 60 000): a constant-memory writer peaks the same for both.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import _synthetic

import cloudcontact_results as ccr

OPTIONS = {
    "csv": ccr.ExportOptions(format="detailed"),
    "parquet": ccr.ExportOptions(format="detailed", file_format="parquet"),
    "xlsx": ccr.ExportOptions(format="detailed", file_format="xlsx"),
}


def speed(count: int, rounds: int) -> None:
    campaign = _synthetic.synthetic_campaign()
    records = list(_synthetic.synthetic_records(campaign, count))
    cpu: dict[str, list[float]] = {"csv": [], "parquet": []}
    sizes: dict[str, int] = {}
    rows = 0
    with tempfile.TemporaryDirectory() as folder:
        for round_number in range(rounds):
            order = ["csv", "parquet"] if round_number % 2 == 0 else ["parquet", "csv"]
            for name in order:
                started = time.process_time()
                result = ccr.export(campaign, records, Path(folder) / name, OPTIONS[name])
                cpu[name].append(time.process_time() - started)
                sizes[name], rows = result.bytes, result.rows
            print(f"round {round_number + 1}/{rounds} done", file=sys.stderr)
    ratios = [c / p for c, p in zip(cpu["csv"], cpu["parquet"], strict=True)]
    print(f"{rows} detailed rows ({count} records), median of {rounds} rounds\n")
    print("| file | CPU s (median) | rows/s | size |")
    print("|---|---|---|---|")
    for name in ("csv", "parquet"):
        seconds = statistics.median(cpu[name])
        print(f"| {name} | {seconds:.2f} | {rows / seconds:,.0f} | {sizes[name] / 1e6:.1f} MB |")
    print(f"\nParquet rows/s ÷ CSV rows/s: {statistics.median(ratios):.2f} (target >= 0.8)")


def measure(name: str, count: int) -> None:
    campaign = _synthetic.synthetic_campaign()
    with tempfile.TemporaryDirectory() as folder:
        result = ccr.export(
            campaign,
            _synthetic.synthetic_records(campaign, count),
            Path(folder) / name,
            OPTIONS[name],
        )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    print(json.dumps({"rows": result.rows, "peak_mb": peak, "bytes": result.bytes}))


def memory() -> None:
    print("| file | records | rows | peak RSS |")
    print("|---|---|---|---|")
    sizes = {"csv": (100_000, 300_000), "parquet": (100_000, 300_000), "xlsx": (20_000, 60_000)}
    for name, counts in sizes.items():
        for count in counts:
            output = subprocess.run(
                [sys.executable, __file__, "--measure", name, str(count)],
                capture_output=True,
                text=True,
                check=True,
            ).stdout
            result = json.loads(output)
            print(f"| {name} | {count:,} | {result['rows']:,} | {result['peak_mb']:.0f} MB |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--memory", action="store_true")
    parser.add_argument("--measure", nargs=2, metavar=("FILE", "RECORDS"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        measure(args.measure[0], int(args.measure[1]))
    elif args.memory:
        memory()
    else:
        speed(args.records, args.rounds)


if __name__ == "__main__":
    main()
