"""The results store on PostgreSQL: ingest from several processes, and export against SQLite.

Usage::

    .venv/bin/python benchmarks/store_postgres.py                  # both parts, 5 rounds
    .venv/bin/python benchmarks/store_postgres.py --cases ingest   # one part only

A PostgreSQL server is started for the run (``tests/support/postgres.py``:
``initdb`` and ``pg_ctl`` in a temporary folder, 127.0.0.1, a free port), with
its defaults (``fsync`` and ``synchronous_commit`` on). Every figure is the
median of ``--rounds`` rounds; each round measures both sides in the same
process and round, one right after the other (which one goes first
alternates), and the ratio is taken round by round. Times are wall-clock:
PostgreSQL's work is done in its own processes, which CPU time of this one
would leave out.

* ingest: ``--attempts`` attempts, ``add_attempts`` in batches of 1 000 (one
  transaction each), into records already loaded, written by one process,
  against the same attempts split into ``--processes`` parts (each part the
  attempts of a quarter of the records, the parts of one campaign), each
  written by its own process at the same time; the clock runs from the
  moment every process is ready until the last one is done, each into a
  fresh database;
* export: ``store.export`` of a ``--records``-record campaign (simple and
  detailed) from a PostgreSQL store, against the same export from an SQLite
  store holding the same campaign; the two files must be byte for byte equal.

Targets (issue 30): 4 processes >= 1.5x one process; PostgreSQL export >=
0.9x SQLite's (a ratio is SQLite's time / PostgreSQL's).
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import _synthetic
import attrs

import cloudcontact_results as ccr

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.support.postgres import PostgresServer

BATCH = 1000
TARGETS = {"ingest": 1.5, "export": 0.9}


# --- ingest -------------------------------------------------------------------------------

#: One batch: the campaign's name and ``add_attempts``'s triples.
Batch = tuple[str, list[Any]]


def _writer(url: str, batches: list[Batch], ready: Any, go: Any) -> None:
    """One writer process: open the store, wait for the start, write its batches."""
    with ccr.ResultsStore(url) as store:
        ready.release()
        go.wait()
        for name, items in batches:
            store.add_attempts(name, items)


def _campaigns(count: int) -> list[ccr.Campaign]:
    campaign = _synthetic.synthetic_campaign()
    return [attrs.evolve(campaign, name=f"{campaign.name} {n + 1}") for n in range(count)]


def _batches(campaign: ccr.Campaign, records: list[ccr.Record]) -> list[Batch]:
    items = [(r.list_name, r.id, a) for r in records for a in r.attempts]
    return [(campaign.name, items[start : start + BATCH]) for start in range(0, len(items), BATCH)]


def _ingest_seconds(
    server: PostgresServer,
    campaigns: list[ccr.Campaign],
    records: list[ccr.Record],
    shares: list[list[Batch]],
    database: str,
) -> float:
    """Wall seconds for one process a share to write its batches into a fresh store."""
    url = server.create_database(database)
    with ccr.ResultsStore(url) as store:
        for campaign in campaigns:
            store.put_campaign(campaign)
            store.add_records(campaign.name, [attrs.evolve(r, attempts=()) for r in records])
    context = multiprocessing.get_context("fork")
    ready, go = context.Semaphore(0), context.Event()
    processes = [context.Process(target=_writer, args=(url, share, ready, go)) for share in shares]
    for process in processes:
        process.start()
    for _ in processes:
        ready.acquire()
    started = time.perf_counter()
    go.set()
    for process in processes:
        process.join()
        if process.exitcode != 0:
            raise SystemExit(f"a writer process failed (exit code {process.exitcode})")
    seconds = time.perf_counter() - started
    expected = sum(len(items) for share in shares for _, items in share)
    with ccr.ResultsStore(url) as store:
        stored = sum(
            len(r.attempts) for campaign in campaigns for r in store.records(campaign.name)
        )
    if stored != expected:
        raise SystemExit(f"{stored} attempts stored, {expected} written")
    return seconds


def ingest(server: PostgresServer, count: int, processes: int, rounds: int) -> None:
    """Both loads: each process its own campaign, then every process the same campaign."""
    records = list(_synthetic.synthetic_records(_synthetic.synthetic_campaign(), count))
    campaigns = _campaigns(processes)
    by_campaign = [_batches(campaign, records) for campaign in campaigns]
    # The same batches in one process, a campaign's batches in turn with the others'.
    one_by_one = [batch for batches in zip(*by_campaign, strict=True) for batch in batches]
    one = _batches(campaigns[0], records)
    loads = {
        "a campaign each": (campaigns, [one_by_one], by_campaign),
        "one campaign": (campaigns[:1], [one], [one[n::processes] for n in range(processes)]),
    }
    for label, (used, single, shared) in loads.items():
        results = []
        for n in range(rounds):
            sides = [("one", single), ("many", shared)]
            seconds = {
                side: _ingest_seconds(server, used, records, shares, f"i_{label[0]}_{n}_{side}")
                for side, shares in (sides if n % 2 == 0 else sides[::-1])
            }
            attempts = sum(len(items) for share in single for _, items in share)
            results.append((attempts / seconds["one"], attempts / seconds["many"]))
        one_rate = statistics.median(r[0] for r in results)
        many_rate = statistics.median(r[1] for r in results)
        ratio = statistics.median(r[1] / r[0] for r in results)
        print(
            f"\ningest, {label}: {attempts:,} attempts in batches of {BATCH:,}, "
            f"median of {rounds} rounds"
        )
        print(f"  1 process               {one_rate:>10,.0f} attempts/s")
        print(f"  {processes} processes             {many_rate:>10,.0f} attempts/s")
        print(
            f"  {processes} / 1                   {ratio:>10.2f}   (target: >= {TARGETS['ingest']})"
        )


# --- export -------------------------------------------------------------------------------


def export(server: PostgresServer, folder: Path, count: int, rounds: int) -> None:
    campaign = _synthetic.synthetic_campaign()
    url = server.create_database("export")
    for target in (url, folder / "export.sqlite"):
        with ccr.ResultsStore(target) as store:
            store.put_campaign(campaign)
            store.add_records(campaign.name, _synthetic.synthetic_records(campaign, count))
    with ccr.ResultsStore(url) as postgres, ccr.ResultsStore(folder / "export.sqlite") as sqlite:
        for report in ("simple", "detailed"):
            options = ccr.ExportOptions(format=report)
            results = []
            for n in range(rounds):
                seconds = {}
                order = (("sqlite", sqlite), ("postgresql", postgres))
                for name, store in order if n % 2 == 0 else order[::-1]:
                    started = time.perf_counter()
                    result = store.export(campaign.name, folder / f"{name}.csv", options)
                    seconds[name] = time.perf_counter() - started
                if (folder / "sqlite.csv").read_bytes() != (folder / "postgresql.csv").read_bytes():
                    raise SystemExit("the PostgreSQL store's export differs from SQLite's")
                results.append((result.rows, seconds["sqlite"], seconds["postgresql"]))
            rows = results[0][0]
            print(f"\nexport {report}: {count:,} records, {rows:,} rows, median of {rounds} rounds")
            for label, index in (("SQLite", 1), ("PostgreSQL", 2)):
                rate = statistics.median(rows / r[index] for r in results)
                print(f"  {label:<22} {rate:>10,.0f} rows/s")
            ratio = statistics.median(r[1] / r[2] for r in results)
            print(f"  PostgreSQL / SQLite    {ratio:>10.2f}   (target: >= {TARGETS['export']})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cases", default="ingest,export")
    parser.add_argument("--attempts-records", type=int, default=8000, dest="ingest_records")
    parser.add_argument("--records", type=int, default=50_000)
    parser.add_argument("--processes", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=5)
    arguments = parser.parse_args()
    cases = set(arguments.cases.split(","))
    with PostgresServer() as server, tempfile.TemporaryDirectory() as name:
        os.environ.update(server.environment())  # the password, as a deployment passes it
        version = server.psql("SHOW server_version").strip()
        print(f"results store on PostgreSQL {version}; {os.cpu_count()} CPUs")
        if "ingest" in cases:
            ingest(server, arguments.ingest_records, arguments.processes, arguments.rounds)
        if "export" in cases:
            export(server, Path(name), arguments.records, arguments.rounds)


if __name__ == "__main__":
    main()
