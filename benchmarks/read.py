"""Reading throughput and memory: typed rows, DataFrames and Arrow against plain pandas, same file.

Usage::

    .venv/bin/python benchmarks/read.py [--records N] [--rounds R]   # speed
    .venv/bin/python benchmarks/read.py --memory [--records N]      # peak memory per row

Exports ``N`` synthetic records (default 100 000, 300 352 detailed rows,
103 MB) once to a temporary file. **Speed**: each round times every reader
once, in an order that rotates from round to round, and divides each
reader's time by the baseline's time *of the same round*; the table gives
the median of those ratios over ``R`` rounds (default 5), for CPU time
(all threads of the process, steadier on a shared machine) and wall time.
The baseline is what an analyst would write without the library:
``pandas.read_csv(..., dtype=str)`` plus the call time parsed and put in
its zone. **Memory**: each reader runs in a fresh process; the figure is its
peak RSS less the RSS before the read, per row.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import _synthetic

import cloudcontact_results as ccr

MOSCOW = ZoneInfo("Europe/Moscow")
FORMAT = "%Y-%m-%d %H:%M:%S"
NAMES = [field.name for field in _synthetic.synthetic_campaign().exported_script_fields]


def read_typed(path: Path) -> int:
    return sum(1 for _ in ccr.read_report(path, script_fields=NAMES))


def read_plain(path: Path) -> int:
    """A hand-written csv.reader loop doing the obvious conversions."""
    count = 0
    strptime = dt.datetime.strptime
    with path.open(encoding="utf-8-sig", newline="") as file:
        reader = csv.reader(file)
        header = next(reader)
        first = len(header) - len(ccr.DETAILED_COLUMNS)
        for cells in reader:
            c = cells[first:]
            row = (
                c[1] == "1",
                c[3] or None,
                strptime(c[10], FORMAT).replace(tzinfo=MOSCOW),
                int(c[11]),
                int(c[15]) if c[15] else None,
            )
            count += row[0] is not None
    return count


def read_baseline(path: Path) -> int:
    """What an analyst writes without the library: strings, and the call time parsed."""
    import pandas as pd  # noqa: PLC0415  # optional

    frame = pd.read_csv(path, encoding="utf-8-sig", dtype=str, keep_default_na=False)
    frame["Call Time"] = pd.to_datetime(frame["Call Time"], format=FORMAT).dt.tz_localize(
        "Europe/Moscow"
    )
    return len(frame)


def frame_reader(engine: str) -> Callable[[Path], int]:
    def read(path: Path) -> int:
        return len(ccr.read_report(path, script_fields=NAMES).to_pandas(engine=engine))

    return read


def read_arrow(path: Path) -> int:
    return int(ccr.read_report(path, script_fields=NAMES).to_arrow().num_rows)


def read_chunks(path: Path) -> int:
    report = ccr.read_report(path, script_fields=NAMES)
    return sum(len(frame) for frame in report.to_pandas(chunksize=50_000))


READERS: dict[str, Callable[[Path], int]] = {
    "pandas.read_csv(dtype=str) + time (baseline)": read_baseline,
    "to_pandas() engine=pyarrow": frame_reader("pyarrow"),
    "to_pandas() engine=c": frame_reader("c"),
    "to_pandas(chunksize=50_000)": read_chunks,
    "to_arrow()": read_arrow,
    "to_pandas() engine=python (typed rows)": frame_reader("python"),
    "read_report, typed rows": read_typed,
    "plain csv.reader loop": read_plain,
}
BASELINE = next(iter(READERS))


def speed(path: Path, rows: int, rounds: int) -> None:
    ratios: dict[str, dict[str, list[float]]] = {name: {"cpu": [], "wall": []} for name in READERS}
    seconds: dict[str, list[float]] = {name: [] for name in READERS}
    names = list(READERS)
    for round_number in range(rounds):
        order = names[round_number % len(names) :] + names[: round_number % len(names)]
        cpu: dict[str, float] = {}
        wall: dict[str, float] = {}
        for name in order:
            started_cpu, started_wall = time.process_time(), time.perf_counter()
            count = READERS[name](path)
            cpu[name] = time.process_time() - started_cpu
            wall[name] = time.perf_counter() - started_wall
            assert count == rows, (name, count, rows)  # noqa: S101
        for name in names:
            ratios[name]["cpu"].append(cpu[BASELINE] / cpu[name])
            ratios[name]["wall"].append(wall[BASELINE] / wall[name])
            seconds[name].append(wall[name])
        print(f"round {round_number + 1}/{rounds} done", file=sys.stderr)
    print("| reader | wall s (median) | speed ÷ baseline, CPU | speed ÷ baseline, wall |")
    print("|---|---|---|---|")
    for name in names:
        print(
            f"| {name} | {statistics.median(seconds[name]):.2f} "
            f"| {statistics.median(ratios[name]['cpu']):.2f} "
            f"| {statistics.median(ratios[name]['wall']):.2f} |"
        )


def _rss_kib() -> int:
    with open("/proc/self/status", encoding="ascii") as status:  # noqa: PTH123
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def measure_memory(name: str, path: str) -> None:
    """One reader in this process: its peak RSS above the RSS before it, as JSON."""
    import pandas as pd  # noqa: F401, PLC0415  # imported before the baseline RSS
    import pyarrow.csv  # noqa: F401, PLC0415

    ccr.read_report(path, script_fields=NAMES).head(1)  # warm every import
    before = _rss_kib()
    rows = READERS[name](Path(path))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    print(json.dumps({"rows": rows, "growth_kib": peak - before}))


def memory(path: Path) -> None:
    print("| reader | peak RSS growth | per row |")
    print("|---|---|---|")
    for name in READERS:
        if "typed rows" in name or "csv.reader" in name:
            continue  # streaming readers: nothing kept
        output = subprocess.run(
            [sys.executable, __file__, "--measure", name, str(path)],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        result: dict[str, Any] = json.loads(output)
        per_row = result["growth_kib"] * 1024 / result["rows"]
        print(f"| {name} | {result['growth_kib'] / 1024:.0f} MB | {per_row / 1000:.2f} KB |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--memory", action="store_true")
    parser.add_argument("--measure", nargs=2, metavar=("READER", "PATH"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        measure_memory(*args.measure)
        return

    campaign = _synthetic.synthetic_campaign()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "detailed.csv"
        result = ccr.export(
            campaign,
            _synthetic.synthetic_records(campaign, args.records),
            path,
            ccr.ExportOptions(format="detailed"),
        )
        print(f"file: {result.rows} detailed rows, {result.bytes / 1e6:.1f} MB\n")
        if args.memory:
            memory(path)
        else:
            speed(path, result.rows, args.rounds)


if __name__ == "__main__":
    main()
