"""Dask throughput and client memory: 1 and 2 workers against one process, same records.

Usage::

    .venv/bin/python benchmarks/dask.py [--records N] [--rounds R] [--partitions P]
    .venv/bin/python benchmarks/dask.py --memory [--records 1000000]

Speed (default 50 000 records, about 150 000 detailed rows, 5 rounds, the
median reported): the synthetic records (``_synthetic.py``) are made in
``P`` partitions; the single process exports them one partition after the
other, and the cluster makes each partition on the worker that exports it,
so both do the same work on the same records, generation included. Cases:

* export, detailed report: one process (``export``); part files
  (``export_partitioned``); one file (``single_file=True``), plain and zipped;
* read, detailed report back into pandas: one process
  (``read_report(...).to_pandas()`` of the one file); ``read_reports`` of the
  one file in byte ranges, and of the part files (one partition each).

Each runs on a ``LocalCluster`` of 1, then 2 worker processes of one thread.
The machine has 2 cores and the client and scheduler share them with the
workers, so 2 workers is the ceiling here.

Memory (``--memory``): a fresh process (client and scheduler) exports
1 000 000 records through a 2-worker ``LocalCluster``, as part files and as
one file, and reports its own peak RSS (the workers are other processes).
"""

from __future__ import annotations

import sys
from pathlib import Path

# This script is named after the library it measures: with its folder first on
# the path, ``import dask`` would import this file. Keep the folder, but last.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [entry for entry in sys.path if Path(entry or ".").resolve() != _HERE]
sys.path.append(str(_HERE))

import argparse  # noqa: E402  # after the path fix above
import itertools  # noqa: E402
import json  # noqa: E402
import shutil  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable, Iterator  # noqa: E402
from typing import Any  # noqa: E402

import _synthetic  # noqa: E402
import dask.bag as db  # noqa: E402
import distributed  # noqa: E402

import cloudcontact_results as ccr  # noqa: E402
from cloudcontact_results.dask import export_partitioned, read_reports  # noqa: E402

MB = 1024 * 1024
DETAILED = ccr.ExportOptions(format="detailed")
ZIPPED = ccr.ExportOptions(format="detailed", compress=True)
SCRIPT_FIELDS = ["Результат опроса", "comment", "Дата доставки"]


def partition_records(index: int, size: int) -> Iterator[ccr.Record]:
    """The records of partition ``index``: the same on every machine and every run."""
    campaign = _synthetic.synthetic_campaign()
    return _synthetic.synthetic_records(campaign, size, seed=20260302 + index)


def records_bag(partitions: int, size: int) -> db.Bag:
    """Partitions made on the workers: the client never holds a record."""
    return db.from_sequence(range(partitions), npartitions=partitions).map_partitions(
        lambda indexes: [r for i in indexes for r in partition_records(i, size)]
    )


def all_records(partitions: int, size: int) -> Iterator[ccr.Record]:
    return itertools.chain.from_iterable(partition_records(i, size) for i in range(partitions))


def cluster(workers: int) -> distributed.LocalCluster:
    # No dashboard: it is no part of an export, and its server (and, with bokeh,
    # its imports and task stream) would count in the client's memory.
    return distributed.LocalCluster(
        n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None
    )


def timed(run: Callable[[], int]) -> tuple[float, int]:
    started = time.perf_counter()
    rows = run()
    return time.perf_counter() - started, rows


def warm_up() -> None:
    """Import on a new worker what the one process has imported already."""
    import dask.dataframe  # noqa: F401, PLC0415


def cluster_round(
    work: Path,
    campaign: ccr.Campaign,
    bag: db.Bag,
    workers: int,
    note: Callable[[str, float, int], None],
) -> None:
    """Each cluster case once, on the current client."""
    suffix = f"{workers} worker{'s' if workers > 1 else ''}"
    seconds, rows = timed(
        lambda: export_partitioned(campaign, bag, work / f"parts-{workers}", DETAILED).rows
    )
    note(f"export part files, {suffix}", seconds, rows)
    seconds, rows = timed(
        lambda: export_partitioned(campaign, bag, work / "y.csv", DETAILED, single_file=True).rows
    )
    note(f"export one file, {suffix}", seconds, rows)
    seconds, rows = timed(
        lambda: export_partitioned(campaign, bag, work / "y.zip", ZIPPED, single_file=True).rows
    )
    note(f"export one zipped file, {suffix}", seconds, rows)
    one_file = work / "one.csv"
    seconds, rows = timed(
        lambda: len(read_reports(one_file, script_fields=SCRIPT_FIELDS, blocksize=8 * MB))
    )
    note(f"read one file in byte ranges, {suffix}", seconds, rows)
    pattern = str(work / f"parts-{workers}" / "part-*.csv")
    seconds, rows = timed(lambda: len(read_reports(pattern, script_fields=SCRIPT_FIELDS)))
    note(f"read part files, {suffix}", seconds, rows)


def speed(records: int, rounds: int, partitions: int) -> None:
    size = -(-records // partitions)
    campaign = _synthetic.synthetic_campaign()
    results: dict[str, list[float]] = {}
    rows_of: dict[str, int] = {}

    def note(case: str, seconds: float, rows: int) -> None:
        results.setdefault(case, []).append(seconds)
        rows_of[case] = rows

    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        one_file = work / "one.csv"
        ccr.export(campaign, all_records(partitions, size), one_file, DETAILED)
        # Rounds interleave the cases, so that a change in the machine's load
        # over the run weighs on all of them alike.
        for round_number in range(rounds):
            for zipped, options in ((False, DETAILED), (True, ZIPPED)):
                target = work / ("x.zip" if zipped else "x.csv")
                records_again = all_records(partitions, size)
                seconds, rows = timed(
                    lambda: ccr.export(campaign, records_again, target, options).rows  # noqa: B023
                )
                note(f"export{' zipped' if zipped else ''}, one process", seconds, rows)
            seconds, rows = timed(
                lambda: len(ccr.read_report(one_file, script_fields=SCRIPT_FIELDS).to_pandas())
            )
            note("read to pandas, one process", seconds, rows)
            for workers in (1, 2):
                with cluster(workers) as local, distributed.Client(local) as client:
                    client.run(warm_up)
                    cluster_round(work, campaign, records_bag(partitions, size), workers, note)
                shutil.rmtree(work / f"parts-{workers}", ignore_errors=True)
            print(f"round {round_number + 1} of {rounds} done", file=sys.stderr)
        same = (work / "y.csv").read_bytes() == (work / "x.csv").read_bytes()
        size_mb = one_file.stat().st_size / MB

    print(
        f"{records} records in {partitions} partitions, {rows_of['export, one process']} "
        f"detailed rows, {size_mb:.1f} MB of CSV; median of {rounds} rounds"
    )
    print(f"one file from the cluster == export in one process: {same}")
    print()
    print("| case | s (median) | rows/s | ÷ one process |")
    print("|---|---|---|---|")
    baseline = {
        "export": statistics.median(results["export, one process"]),
        "zipped": statistics.median(results["export zipped, one process"]),
        "read": statistics.median(results["read to pandas, one process"]),
    }
    for case, times in results.items():
        seconds = statistics.median(times)
        kind = "zipped" if "zipped" in case else "read" if case.startswith("read") else "export"
        rate = f"{rows_of[case] / seconds:,.0f}".replace(",", " ")
        print(f"| {case} | {seconds:.2f} | {rate} | {baseline[kind] / seconds:.2f} |")


def _peak_rss_mb() -> float:
    """This process's peak RSS since it started (Linux's VmHWM).

    Not ``ru_maxrss``: Linux carries that over fork and exec, so a process
    started by a larger one would begin at its parent's peak.
    """
    with Path("/proc/self/status").open() as status:
        kib = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
    return kib / 1024


def memory_case(records: int, partitions: int, single_file: bool) -> dict[str, Any]:
    """One export of ``records`` through a 2-worker cluster; runs in its own process."""
    size = -(-records // partitions)
    campaign = _synthetic.synthetic_campaign()
    with (
        tempfile.TemporaryDirectory() as folder,
        cluster(2) as local,
        distributed.Client(local) as client,
    ):
        before = _peak_rss_mb()
        started = time.perf_counter()
        result = export_partitioned(
            campaign,
            records_bag(partitions, size),
            Path(folder) / ("one.csv" if single_file else "parts"),
            DETAILED,
            single_file=single_file,
        )
        seconds = time.perf_counter() - started
        workers = client.run(_peak_rss_mb)
    return {
        "case": "one file" if single_file else "part files",
        "records": partitions * size,
        "rows": result.rows,
        "mb": result.bytes / MB,
        "seconds": seconds,
        "rss_before_mb": before,
        "peak_rss_mb": _peak_rss_mb(),
        "worker_peak_rss_mb": max(workers.values()),
    }


def memory(records: int, partitions: int) -> None:
    print(f"client peak RSS, detailed export of {records} records, 2 workers, {partitions} parts")
    print()
    print("| shape | rows | MB | s | client RSS before | client peak RSS | worker peak RSS |")
    print("|---|---|---|---|---|---|---|")
    for single_file in (False, True):
        output = subprocess.run(
            [
                sys.executable,
                __file__,
                "--memory-case",
                str(records),
                str(partitions),
                str(int(single_file)),
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        case = json.loads(output.splitlines()[-1])
        print(
            f"| {case['case']} | {case['rows']} | {case['mb']:.0f} | {case['seconds']:.1f} | "
            f"{case['rss_before_mb']:.0f} MB | **{case['peak_rss_mb']:.0f} MB** | "
            f"{case['worker_peak_rss_mb']:.0f} MB |"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=None)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--partitions", type=int, default=None)
    parser.add_argument("--memory", action="store_true")
    parser.add_argument("--memory-case", nargs=3, type=int, help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.memory_case:
        records, partitions, single_file = arguments.memory_case
        print(json.dumps(memory_case(records, partitions, bool(single_file))))
    elif arguments.memory:
        memory(arguments.records or 1_000_000, arguments.partitions or 100)
    else:
        speed(arguments.records or 50_000, arguments.rounds, arguments.partitions or 16)


if __name__ == "__main__":
    main()
