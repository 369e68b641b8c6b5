"""The results store: ingest rate, export rate against in-memory export, memory, size on disk.

Usage::

    .venv/bin/python benchmarks/store.py             # ingest, export, size, jobs: 5 rounds each
    .venv/bin/python benchmarks/store.py --cases jobs    # one part only
    .venv/bin/python benchmarks/store.py --cases delivery  # FTP on 127.0.0.1 (pyftpdlib)
    .venv/bin/python benchmarks/store.py --memory        # peak memory, 100 000 vs 1 000 000

Every figure is the median of ``--rounds`` rounds; each round measures the
store and its baseline in the same process, one right after the other (which
one goes first alternates from round to round), and the ratio is taken round
by round. Exports are timed in CPU time (``time.process_time``), so that other
jobs on the machine slow both sides alike; ingest in wall-clock time too,
since it waits for the disk (``fsync`` of every commit):

* ingest: ``add_attempts`` in batches of 1 000 attempts (one transaction each)
  on records already loaded, against plain ``executemany`` of the same number
  of rows into a bare SQLite table, one transaction a batch, same settings
  (WAL, ``synchronous=FULL``);
* export: ``store.export`` of a 100 000-record campaign against ``export`` of
  the same records held in memory (built before the clock starts);
* memory: a detailed ``store.export`` in a fresh process, of 100 000 and of
  1 000 000 records (the stores are built first, in other processes);
* export jobs: ``run_due_jobs`` for an incremental job with nothing new on the
  100 000-record store (it writes a header-only file), against ``export`` of
  no records to a file: the difference is the run's own overhead.
* delivery: ``run_due_jobs`` of an incremental job delivering to an FTP server
  on 127.0.0.1 (``tests/support/ftp_server.py``, its own process), 1 000 new
  attempts a run, against the same run of a folder job on a store fed alike
  and a bare ``ftplib`` upload of the same file (connect, log in, STOR, quit):
  what delivery adds beyond the transfer itself is the difference.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import _synthetic
import attrs

import cloudcontact_results as ccr

MB = 1024 * 1024
BATCH = 1000
JOB_START = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)
#: store.export against the in-memory export, CPU time (docs/development/performance.md).
TARGETS = {"detailed": 0.8, "simple": 1.0}


def _maxrss_mb() -> float:
    # ru_maxrss is KiB on Linux (bytes on macOS, where this reads 1024x too high).
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _records(count: int) -> tuple[ccr.Campaign, list[ccr.Record]]:
    campaign = _synthetic.synthetic_campaign()
    return campaign, list(_synthetic.synthetic_records(campaign, count))


def build_store(path: Path, count: int) -> None:
    campaign = _synthetic.synthetic_campaign()
    with ccr.ResultsStore(path) as store:
        store.put_campaign(campaign)
        store.add_records(campaign.name, _synthetic.synthetic_records(campaign, count))


# --- ingest -------------------------------------------------------------------------------


def _store_ingest(
    folder: Path, campaign: ccr.Campaign, records: list[ccr.Record], items: list[Any]
) -> tuple[float, float, int]:
    """``add_attempts`` of ``items`` in batches: (CPU seconds, wall seconds, file size)."""
    path = folder / f"ingest-{time.monotonic_ns()}.sqlite"
    with ccr.ResultsStore(path) as store:
        store.put_campaign(campaign)
        store.add_records(campaign.name, [attrs.evolve(r, attempts=()) for r in records])
        cpu, wall = time.process_time(), time.perf_counter()
        for start in range(0, len(items), BATCH):
            store.add_attempts(campaign.name, items[start : start + BATCH])
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    return cpu, wall, path.stat().st_size


def _raw_ingest(folder: Path, items: list[Any]) -> tuple[float, float]:
    """Plain ``executemany`` of as many rows into a bare table: (CPU seconds, wall seconds)."""
    raw_path = folder / f"raw-{time.monotonic_ns()}.sqlite"
    connection = sqlite3.connect(raw_path, isolation_level=None)
    connection.execute("PRAGMA journal_mode = WAL")
    connection.execute("PRAGMA synchronous = FULL")
    connection.execute(
        "CREATE TABLE attempts (seq INTEGER PRIMARY KEY, record INTEGER, t INTEGER, phone TEXT, "
        "disposition TEXT, note TEXT, agent TEXT, interaction_id TEXT, duration INTEGER)"
    )
    connection.execute("CREATE INDEX attempts_by_record ON attempts (record, t)")
    rows = [
        (
            n,
            n // 3,
            int(a.time.timestamp() * 1_000_000),
            a.phone,
            a.call_disposition.name if a.call_disposition else None,
            a.note,
            a.agent,
            a.interaction_id,
            a.answered_duration,
        )
        for n, (_, _, a) in enumerate(items)
    ]
    cpu, wall = time.process_time(), time.perf_counter()
    for start in range(0, len(rows), BATCH):
        connection.execute("BEGIN IMMEDIATE")
        connection.executemany(
            "INSERT INTO attempts VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", rows[start : start + BATCH]
        )
        connection.execute("COMMIT")
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    connection.close()
    return cpu, wall


def ingest_round(
    folder: Path, campaign: ccr.Campaign, records: list[ccr.Record], *, store_first: bool
) -> dict[str, float]:
    items = [(r.list_name, r.id, a) for r in records for a in r.attempts]
    if store_first:
        store_cpu, store_wall, size = _store_ingest(folder, campaign, records, items)
        raw_cpu, raw_wall = _raw_ingest(folder, items)
    else:
        raw_cpu, raw_wall = _raw_ingest(folder, items)
        store_cpu, store_wall, size = _store_ingest(folder, campaign, records, items)
    return {
        "attempts": len(items),
        "store_rate": len(items) / store_wall,
        "raw_rate": len(items) / raw_wall,
        "store_cpu_rate": len(items) / store_cpu,
        "raw_cpu_rate": len(items) / raw_cpu,
        "bytes": size,
    }


# --- export -------------------------------------------------------------------------------


def export_round(
    folder: Path,
    store: ccr.ResultsStore,
    campaign: ccr.Campaign,
    records: list[ccr.Record],
    report: str,
    *,
    store_first: bool,
) -> dict[str, float]:
    options = ccr.ExportOptions(format=report)

    def in_memory() -> tuple[float, float, ccr.ExportResult]:
        cpu, wall = time.process_time(), time.perf_counter()
        result = ccr.export(campaign, records, folder / "memory.csv", options)
        return time.process_time() - cpu, time.perf_counter() - wall, result

    def from_store() -> tuple[float, float, ccr.ExportResult]:
        cpu, wall = time.process_time(), time.perf_counter()
        result = store.export(campaign.name, folder / "store.csv", options)
        return time.process_time() - cpu, time.perf_counter() - wall, result

    if store_first:
        store_cpu, store_wall, stored = from_store()
        memory_cpu, memory_wall, memory = in_memory()
    else:
        memory_cpu, memory_wall, memory = in_memory()
        store_cpu, store_wall, stored = from_store()
    if (folder / "memory.csv").read_bytes() != (folder / "store.csv").read_bytes():
        raise SystemExit("the store's export differs from the in-memory export")
    return {
        "rows": stored.rows,
        "bytes": memory.bytes,
        "memory_rate": memory.rows / memory_cpu,
        "store_rate": stored.rows / store_cpu,
        "ratio": memory_cpu / store_cpu,
        "wall_ratio": memory_wall / store_wall,
    }


def _median(rounds: list[dict[str, float]], key: str) -> float:
    return statistics.median(r[key] for r in rounds)


def speed(records_count: int, ingest_count: int, rounds: int, cases: set[str]) -> None:
    python = sys.version.split()[0]
    print(f"results store benchmark: Python {python}, SQLite {sqlite3.sqlite_version}")
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        if "ingest" in cases:
            ingest(folder, ingest_count, rounds)
        if "delivery" in cases:
            delivery(folder, rounds)
        if not cases & {"export", "jobs"}:
            return
        campaign, records = _records(records_count)
        path = folder / "export.sqlite"
        started = time.perf_counter()
        with ccr.ResultsStore(path) as store:
            store.put_campaign(campaign)
            store.add_records(campaign.name, records)
        load_seconds = time.perf_counter() - started
        total = sum(len(r.attempts) for r in records)
        print(
            f"\nload: {records_count:,} records, {total:,} attempts with add_records: "
            f"{load_seconds:.1f} s ({total / load_seconds:,.0f} attempts/s)"
        )
        with ccr.ResultsStore(path) as store:
            if "export" in cases:
                export(folder, store, campaign, records, rounds)
            if "jobs" in cases:
                jobs(folder, store, campaign, rounds)


def ingest(folder: Path, count: int, rounds: int) -> None:
    campaign, small = _records(count)
    results = [ingest_round(folder, campaign, small, store_first=n % 2 == 0) for n in range(rounds)]
    attempts = int(results[0]["attempts"])
    print(f"\ningest: {attempts:,} attempts in batches of {BATCH:,}, median of {rounds} rounds")
    print("                              wall        CPU")
    for label, key in (("add_attempts", "store"), ("raw executemany", "raw")):
        wall = _median(results, f"{key}_rate")
        cpu = _median(results, f"{key}_cpu_rate")
        print(f"  {label:<22} {wall:>10,.0f} {cpu:>10,.0f} attempts/s")
    wall_ratio = statistics.median(r["store_rate"] / r["raw_rate"] for r in results)
    cpu_ratio = statistics.median(r["store_cpu_rate"] / r["raw_cpu_rate"] for r in results)
    print(f"  store / raw            {wall_ratio:>10.2f} {cpu_ratio:>10.2f}   (target: >= 0.3)")
    print(f"  peak RSS               {_maxrss_mb():>10.0f} MB")


def export(
    folder: Path,
    store: ccr.ResultsStore,
    campaign: ccr.Campaign,
    records: list[ccr.Record],
    rounds: int,
) -> None:
    csv_bytes = 0.0
    for report in ("detailed", "simple"):
        results = [
            export_round(folder, store, campaign, records, report, store_first=n % 2 == 0)
            for n in range(rounds)
        ]
        rows = int(results[0]["rows"])
        print(f"\nexport {report}: {rows:,} rows, median of {rounds} rounds, CPU time")
        print(f"  export (in memory)     {_median(results, 'memory_rate'):>10,.0f} rows/s")
        print(f"  store.export           {_median(results, 'store_rate'):>10,.0f} rows/s")
        target = TARGETS[report]
        print(
            f"  store / in memory      {_median(results, 'ratio'):>10.2f}   (target: >= {target})"
        )
        print(f"  the same, wall clock   {_median(results, 'wall_ratio'):>10.2f}")
        if report == "detailed":
            csv_bytes = results[0]["bytes"]
    print(f"  peak RSS               {_maxrss_mb():>10.0f} MB (the records held in memory)")
    total = sum(len(r.attempts) for r in records)
    size = store.path.stat().st_size
    print(f"\nsize on disk: {size / MB:.1f} MB for {total:,} attempts of {len(records):,} records")
    print(f"  store                  {size / total:>10.0f} bytes per attempt (records included)")
    print(f"  detailed CSV           {csv_bytes / total:>10.0f} bytes per row")
    print(f"  store / CSV            {size / csv_bytes:>10.2f}")


# --- export jobs --------------------------------------------------------------------------


def job_round(
    folder: Path, store: ccr.ResultsStore, campaign: ccr.Campaign, hour: int
) -> dict[str, float]:
    """One run of a job with nothing new, and the export of nothing it cannot do without."""
    now = JOB_START + dt.timedelta(hours=hour)
    started = time.perf_counter()
    (run,) = store.run_due_jobs(now)
    run_seconds = time.perf_counter() - started
    if run.rows != 0:
        raise SystemExit("the benchmark's job found something new")
    options = ccr.ExportOptions(format="detailed-interval")
    started = time.perf_counter()
    ccr.export(campaign, [], folder / "empty.csv", options)
    export_seconds = time.perf_counter() - started
    started = time.perf_counter()
    store.run_due_jobs(now)  # nothing due at all
    idle_seconds = time.perf_counter() - started
    return {
        "run_ms": run_seconds * 1000,
        "export_ms": export_seconds * 1000,
        "overhead_ms": (run_seconds - export_seconds) * 1000,
        "idle_ms": idle_seconds * 1000,
    }


def jobs(folder: Path, store: ccr.ResultsStore, campaign: ccr.Campaign, rounds: int) -> None:
    (folder / "jobs").mkdir()
    options = ccr.ExportOptions(format="detailed-interval")
    job = ccr.ExportJob("bench", campaign.name, options, "FREQ=HOURLY", folder / "jobs", JOB_START)
    store.add_job(job)
    (first,) = store.run_due_jobs(JOB_START)  # everything ingested so far
    # A round is a few fsyncs, whose time varies more than the rest: take more of them.
    rounds = max(rounds, 21)
    results = [job_round(folder, store, campaign, hour) for hour in range(1, rounds + 1)]
    print(
        f"\nexport job with nothing new ({first.rows:,} rows in its first run), "
        f"median of {rounds} rounds"
    )
    print(f"  run_due_jobs           {_median(results, 'run_ms'):>10.1f} ms (a header-only file)")
    print(f"  export of no records   {_median(results, 'export_ms'):>10.1f} ms")
    overhead = _median(results, "overhead_ms")
    print(f"  overhead of the run    {overhead:>10.1f} ms   (target: < 50 ms)")
    print(f"  nothing due            {_median(results, 'idle_ms'):>10.1f} ms")


# --- delivery -----------------------------------------------------------------------------

FTP_PASSWORD = "bench"  # noqa: S105 - the throwaway login of a loopback server


def _ftp_server(root: Path) -> tuple[subprocess.Popen[str], int]:
    script = Path(__file__).resolve().parent.parent / "tests" / "support" / "ftp_server.py"
    server = subprocess.Popen(
        [sys.executable, str(script), str(root), "bench", FTP_PASSWORD],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    line = server.stdout.readline() if server.stdout is not None else ""
    if not line.startswith("port "):
        raise SystemExit(f"the FTP server did not start (pip install pyftpdlib): {line!r}")
    return server, int(line.split()[1])


def _bare_upload(port: int, path: Path) -> float:
    """Seconds for what any uploader does: connect, log in, STOR the file, quit."""
    import ftplib  # noqa: PLC0415 - only this case uses it

    started = time.perf_counter()
    with ftplib.FTP() as ftp, path.open("rb") as file:  # noqa: S321 - loopback
        ftp.connect("127.0.0.1", port)
        ftp.login("bench", FTP_PASSWORD)
        ftp.storbinary(f"STOR bare-{path.name}", file)
        ftp.quit()
    return time.perf_counter() - started


def delivery_round(
    stores: dict[str, ccr.ResultsStore], port: int, feed: list[Any], hour: int, *, ftp_first: bool
) -> dict[str, float]:
    now = JOB_START + dt.timedelta(hours=hour)
    seconds: dict[str, float] = {}
    runs: dict[str, ccr.JobRun] = {}
    for kind in ("ftp", "folder") if ftp_first else ("folder", "ftp"):
        store = stores[kind]
        store.add_attempts(_synthetic.synthetic_campaign().name, feed)
        started = time.perf_counter()
        (runs[kind],) = store.run_due_jobs(now)
        seconds[kind] = time.perf_counter() - started
    if runs["ftp"].delivered_at is None or runs["ftp"].sha256 != runs["folder"].sha256:
        raise SystemExit("the delivered file is not the folder job's file")
    transfer = _bare_upload(port, runs["ftp"].path)
    rows = runs["ftp"].rows
    return {
        "rows": rows,
        "ftp_rate": rows / seconds["ftp"],
        "folder_rate": rows / seconds["folder"],
        "ratio": seconds["folder"] / seconds["ftp"],
        "ftp_ms": seconds["ftp"] * 1000,
        "folder_ms": seconds["folder"] * 1000,
        "transfer_ms": transfer * 1000,
        "added_ms": (seconds["ftp"] - seconds["folder"] - transfer) * 1000,
    }


def delivery(folder: Path, rounds: int) -> None:
    campaign, records = _records(1000)
    root = folder / "ftp-root"
    root.mkdir()
    (folder / "out").mkdir()
    server, port = _ftp_server(root)
    (folder / "netrc").write_text(f"machine 127.0.0.1 login bench password {FTP_PASSWORD}\n")
    (folder / "netrc").chmod(0o600)
    os.environ["NETRC"] = str(folder / "netrc")
    options = ccr.ExportOptions(format="detailed-interval")
    destinations = {"ftp": f"ftp://127.0.0.1:{port}/", "folder": folder / "out"}
    stores = {}
    try:
        for kind, destination in destinations.items():
            store = stores[kind] = ccr.ResultsStore(folder / f"delivery-{kind}.sqlite")
            store.put_campaign(campaign)
            store.add_records(campaign.name, [attrs.evolve(r, attempts=()) for r in records])
            job = ccr.ExportJob(kind, campaign.name, options, "FREQ=HOURLY", destination, JOB_START)
            store.add_job(job)
        # Each round feeds every record's first attempt again under a new time: 1 000 rows.
        rounds = max(rounds, 11)
        results = []
        for hour in range(rounds):
            feed = [
                (
                    r.list_name,
                    r.id,
                    attrs.evolve(
                        r.attempts[0], time=JOB_START + dt.timedelta(hours=hour, seconds=n)
                    ),
                )
                for n, r in enumerate(records)
                if r.attempts
            ]
            results.append(delivery_round(stores, port, feed, hour, ftp_first=hour % 2 == 0))
    finally:
        for store in stores.values():
            store.close()
        server.kill()
        server.wait()
    rows = int(results[0]["rows"])
    print(f"\ndelivery to FTP on 127.0.0.1: {rows:,} rows a run, median of {rounds} rounds")
    print(f"  run_due_jobs, folder job     {_median(results, 'folder_rate'):>10,.0f} rows/s")
    print(f"  run_due_jobs, FTP job        {_median(results, 'ftp_rate'):>10,.0f} rows/s")
    print(f"  folder / FTP (time ratio)    {_median(results, 'ratio'):>10.2f}")
    print(f"  folder job                   {_median(results, 'folder_ms'):>10.1f} ms")
    print(f"  FTP job                      {_median(results, 'ftp_ms'):>10.1f} ms")
    print(f"  bare ftplib upload           {_median(results, 'transfer_ms'):>10.1f} ms")
    added = _median(results, "added_ms")
    print(f"  added by delivery            {added:>10.1f} ms   (target: < 50 ms)")
    print(f"  peak RSS                     {_maxrss_mb():>10.0f} MB")


# --- memory -------------------------------------------------------------------------------


def export_case(path: Path) -> dict[str, Any]:
    """One detailed export from the store at ``path``; runs in its own process."""
    campaign = _synthetic.synthetic_campaign()
    before = _maxrss_mb()
    with ccr.ResultsStore(path) as store, tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        result = store.export(
            campaign.name, Path(folder) / "out.csv", ccr.ExportOptions(format="detailed")
        )
        seconds = time.perf_counter() - started
    return {
        "rows": result.rows,
        "seconds": seconds,
        "rss_before_mb": before,
        "rss_peak_mb": _maxrss_mb(),
    }


def _subprocess(*arguments: str) -> dict[str, Any]:
    output = subprocess.run(
        [sys.executable, __file__, *arguments], check=True, capture_output=True, text=True
    ).stdout
    result: dict[str, Any] = json.loads(output)
    return result


def memory(keep: Path | None) -> None:
    print("peak RSS of a detailed store.export, each in a fresh process:")
    with tempfile.TemporaryDirectory() as name:
        folder = keep or Path(name)
        peaks = {}
        for count in (100_000, 1_000_000):
            path = folder / f"store-{count}.sqlite"
            if not path.exists():
                started = time.perf_counter()
                _subprocess("--build", str(path), "--records", str(count))
                print(
                    f"  built a store of {count:,} records in {time.perf_counter() - started:.0f} s"
                )
            result = _subprocess("--export-case", str(path))
            peaks[count] = result["rss_peak_mb"]
            print(
                f"  {count:>9,} records, {result['rows']:>9,} rows, {result['seconds']:>6.1f} s: "
                f"peak {result['rss_peak_mb']:.1f} MB "
                f"(before export {result['rss_before_mb']:.1f} MB)"
            )
        growth = peaks[1_000_000] - peaks[100_000]
        print(f"  growth for 10x the records: {growth:+.1f} MB (target: within 20 MB)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--records", type=int, default=100_000, help="records of the export case")
    parser.add_argument("--ingest-records", type=int, default=20_000, help="records fed live")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument(
        "--cases",
        nargs="+",
        choices=["ingest", "export", "jobs", "delivery"],
        default=["ingest", "export", "jobs", "delivery"],
        help="what to measure (default: all)",
    )
    parser.add_argument("--memory", action="store_true", help="compare 100 000 and 1 000 000")
    parser.add_argument("--keep", type=Path, help="folder keeping the --memory stores")
    parser.add_argument("--build", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--export-case", type=Path, help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.build:
        build_store(arguments.build, arguments.records)
        print("{}")
    elif arguments.export_case:
        print(json.dumps(export_case(arguments.export_case)))
    elif arguments.memory:
        memory(arguments.keep)
    else:
        speed(arguments.records, arguments.ingest_records, arguments.rounds, set(arguments.cases))


if __name__ == "__main__":
    main()
