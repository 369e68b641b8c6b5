"""Parquet export against the CSV export of the same records: speed, size and memory.

Usage::

    .venv/bin/python benchmarks/parquet.py [--records N] [--rounds R]   # speed and size
    .venv/bin/python benchmarks/parquet.py --memory                     # peak RSS, two sizes

**Speed**: the records (default 20 000, about 60 000 detailed rows) are built
once, before any clock starts, so only the exports are timed. Each round
writes the detailed report as CSV, Parquet and a workbook, in an order that
rotates, and reads the CSV and the workbook back with ``read_report`` (typed
rows); the table gives the median CPU time over ``R`` rounds (default 5) and
the ratio of Parquet's to CSV's. **Memory**: each export of streamed records runs in a
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


#: The files read_report reads back (a Parquet file is for pandas, polars, DuckDB).
_READ_BACK = ("csv", "xlsx")


def speed(count: int, rounds: int) -> None:
    campaign = _synthetic.synthetic_campaign()
    records = list(_synthetic.synthetic_records(campaign, count))
    cpu: dict[str, list[float]] = {name: [] for name in OPTIONS}
    read: dict[str, list[float]] = {name: [] for name in _READ_BACK}
    sizes: dict[str, int] = {}
    rows = 0
    with tempfile.TemporaryDirectory() as folder:
        for round_number in range(rounds):
            # The order rotates from round to round, so a change of load hits each alike.
            names = list(OPTIONS)
            order = names[round_number % len(names) :] + names[: round_number % len(names)]
            for name in order:
                path = Path(folder) / f"report.{name}"
                started = time.process_time()
                result = ccr.export(campaign, records, path, OPTIONS[name])
                cpu[name].append(time.process_time() - started)
                sizes[name], rows = result.bytes, result.rows
                if name in read:
                    started = time.process_time()
                    read_rows = sum(1 for _ in ccr.read_report(path))
                    read[name].append(time.process_time() - started)
                    if read_rows != rows:
                        raise SystemExit(f"{name}: read {read_rows} rows of {rows}")
            print(f"round {round_number + 1}/{rounds} done", file=sys.stderr)
    ratios = [c / p for c, p in zip(cpu["csv"], cpu["parquet"], strict=True)]
    print(f"{rows} detailed rows ({count} records), median of {rounds} rounds, CPU time\n")
    print("| file | export CPU s | export rows/s | read_report rows/s (typed rows) | size |")
    print("|---|---|---|---|---|")
    for name in OPTIONS:
        seconds = statistics.median(cpu[name])
        reading = f"{rows / statistics.median(read[name]):,.0f}" if name in read else "-"
        print(
            f"| {name} | {seconds:.2f} | {rows / seconds:,.0f} | {reading} "
            f"| {sizes[name] / 1e6:.1f} MB |"
        )
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
