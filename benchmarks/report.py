"""The HTML report of a detailed CSV export: rows/s and peak memory, from 100 000 rows up.

Usage::

    .venv/bin/python benchmarks/report.py [--rows N ...] [--rounds R]

Writes, per ``N``, a detailed export of about ``N`` rows of a synthetic
campaign (``_synthetic.py``: about 3 attempts a record) to a temporary
folder. Each round runs two fresh processes, in an order that turns from
round to round: one writes the HTML report of the file
(``analytics.write_html_report(read_report(path), ...)``), the baseline
only reads the file's typed rows, which the report cannot do without. Each
prints its CPU time and its peak RSS (``ru_maxrss``): a fresh process, so
the peak is the run's own. The script prints, per ``N``, the median rows/s
of both, the median of the per-round ratios of their CPU times, and the
median peak RSS of both: flat when nothing grows with the rows.
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
from typing import Any

import _synthetic

import cloudcontact_results as ccr
from cloudcontact_results import analytics


def child(kind: str, path: str, out: str) -> None:
    """One run in this process, as JSON: rows, CPU seconds, peak RSS in MiB."""
    started = time.process_time()
    report = ccr.read_report(path)
    if kind == "report":
        rows = analytics.write_html_report(report, destination=out).rows
    else:
        rows = sum(1 for _ in report)
    seconds = time.process_time() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    print(json.dumps({"rows": rows, "cpu": seconds, "rss_mib": peak}))


def run(kind: str, path: Path, out: Path) -> dict[str, Any]:
    output = subprocess.run(
        [sys.executable, __file__, "--child", kind, str(path), str(out)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    result: dict[str, Any] = json.loads(output)
    return result


def measure(count: int, rounds: int, folder: Path) -> None:
    campaign = _synthetic.synthetic_campaign()
    path = folder / f"detailed-{count}.csv"
    written = ccr.export(
        campaign,
        _synthetic.synthetic_records(campaign, count // 3),
        path,
        ccr.ExportOptions(format="detailed"),
    )
    results: dict[str, list[dict[str, Any]]] = {"report": [], "read": []}
    for round_ in range(rounds):
        order = ["report", "read"] if round_ % 2 == 0 else ["read", "report"]
        for kind in order:
            results[kind].append(run(kind, path, folder / "report.html"))
    ratio = statistics.median(
        report["cpu"] / read["cpu"]
        for report, read in zip(results["report"], results["read"], strict=True)
    )

    def speed(kind: str) -> float:
        return statistics.median(result["rows"] / result["cpu"] for result in results[kind])

    def peak(kind: str) -> float:
        return statistics.median(result["rss_mib"] for result in results[kind])

    size = (folder / "report.html").stat().st_size / 1e6
    print(
        f"| {written.rows:,} | {written.bytes / 1e6:,.0f} MB | {speed('report'):,.0f} rows/s | "
        f"{speed('read'):,.0f} rows/s | {ratio:.2f} | {peak('report'):,.0f} MiB | "
        f"{peak('read'):,.0f} MiB | {size:.2f} MB |",
        flush=True,
    )
    path.unlink()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--child", nargs=3, metavar=("KIND", "PATH", "OUT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return
    print(
        "| rows | CSV | HTML report | baseline: reading the rows | ratio (CPU) "
        "| peak RSS, report | peak RSS, reading | page |"
    )
    print("|---|---|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as folder:
        for count in args.rows:
            measure(count, args.rounds, Path(folder))


if __name__ == "__main__":
    main()
