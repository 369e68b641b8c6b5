"""Every analytics table in one pass, against a plain loop over the same rows, in one process.

Usage::

    .venv/bin/python benchmarks/analytics.py [--rows N ...] [--rounds R]

Builds the detailed rows of a synthetic campaign (``_synthetic.py``, 3
attempts a record on average) once: 100 000 rows are kept in memory and a
larger ``N`` goes over them again (each pass reads the same records anew),
so building rows is never timed. Each round times, in an order that turns
from round to round, ``analytics.tables(rows)`` and the baseline: a plain
loop that reads every attribute the tables read and does nothing else. It
prints, per ``N``, the median rows/s of both and the median of the
per-round ratios (CPU time), and the peak memory the tables' pass
allocates beyond its input (``tracemalloc``, in a pass of its own).
"""

from __future__ import annotations

import argparse
import itertools
import statistics
import time
import tracemalloc
from collections.abc import Iterator

import _synthetic

import cloudcontact_results as ccr
from cloudcontact_results import analytics

_KEPT = 100_000


def rows_in_memory() -> list[ccr.DetailedRow]:
    campaign = _synthetic.synthetic_campaign()
    records = _synthetic.synthetic_records(campaign, _KEPT // 3 + 1000)
    detailed = ccr.ExportOptions(format="detailed")
    return list(itertools.islice(ccr.detailed_rows(campaign, records, detailed), _KEPT))


def rows_of(kept: list[ccr.DetailedRow], count: int) -> Iterator[ccr.DetailedRow]:
    """``count`` rows: ``kept`` over and over."""
    return itertools.islice(itertools.cycle(kept), count)


def baseline(rows: Iterator[ccr.DetailedRow]) -> None:
    """Read every attribute the tables read, and nothing else."""
    for row in rows:
        _read = (
            row.call_time,
            row.is_call_attempt,
            row.cpa_result,
            row.answered_duration,
            row.completed,
            row.call_disposition,
            row.call_note,
            row.out_of_quota,
            row.quota_group,
            row.agent,
            row.record_disposition,
            row.list_name,
            row.record_id,
        )


def tables(rows: Iterator[ccr.DetailedRow]) -> None:
    analytics.tables(rows, period="hour")


def peak_bytes(kept: list[ccr.DetailedRow], count: int) -> int:
    tracemalloc.start()
    try:
        tables(rows_of(kept, count))
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    kept = rows_in_memory()
    runs = {"analytics.tables": tables, "baseline loop": baseline}
    for count in args.rows:
        seconds: dict[str, list[float]] = {label: [] for label in runs}
        for round_number in range(args.rounds):
            labels = list(runs)
            shift = round_number % len(labels)
            for label in labels[shift:] + labels[:shift]:
                started = time.process_time()
                runs[label](rows_of(kept, count))
                seconds[label].append(time.process_time() - started)
        print(f"{count} detailed rows, {args.rounds} rounds, CPU (median)")
        for label, values in seconds.items():
            print(f"  {label}: {count / statistics.median(values):,.0f} rows/s")
        ratio = statistics.median(
            a / b
            for a, b in zip(seconds["analytics.tables"], seconds["baseline loop"], strict=True)
        )
        print(f"  analytics.tables / baseline loop: {ratio:.1f}x the time")
        print(f"  peak memory of the pass: {peak_bytes(kept, count) / 2**20:.1f} MiB")


if __name__ == "__main__":
    main()
