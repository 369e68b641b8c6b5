"""Export jobs on one PostgreSQL store with writers and runners in several processes.

The watermark's argument (docs/store.md): a write transaction takes the
store's write lock at ``BEGIN``, before it reads the ingest sequence, so the
numbers it gives are above those of every transaction committed before it,
and no transaction that began after it commits before it. A job's window
``(watermark, sequence now]`` therefore never passes a batch that commits
later. These tests hold a writer inside its transaction (a row lock the test
takes on the server) while another writer and a job runner go on, and run
writers and runners at once for half a minute; the job files must partition
every attempt ingested, computed from the workers' deterministic data.
"""

from __future__ import annotations

import datetime as dt
import io
import threading
import time
from collections.abc import Callable
from pathlib import Path

import attrs
import psycopg
import pytest

import cloudcontact_results as ccr
from tests.support import store_worker as worker
from tests.test_store_processes import add_job, finish, ready, rows_of, spawn, start

NAME = worker.CAMPAIGN.name


def stored_records(extra: dict[str, list[ccr.Attempt]], batches: set[int]) -> list[ccr.Record]:
    """What the store must hold: the base store, ``extra`` attempts of L1, the fed ``batches``."""
    fed: dict[str, list[ccr.Attempt]] = {}
    for number in sorted(batches):
        for _, record_id, attempt in worker.batch(number):
            fed.setdefault(record_id, []).append(attempt)
    return [
        attrs.evolve(r, attempts=[*r.attempts, *extra.get(r.id, [])])
        for r in worker.version_records(0)
    ] + [attrs.evolve(r, attempts=fed.get(r.id, [])) for r in worker.feed_records()]


def assert_files_partition(url: str, folder: Path, records: list[ccr.Record]) -> None:
    """The job's runs chain their windows, and its files hold every attempt exactly once."""
    with ccr.ResultsStore(url) as store:
        runs = store.job_runs("feed")
    assert all(run.outcome is ccr.JobOutcome.OK for run in runs)
    assert [run.window[0] for run in runs] == [0] + [run.window[1] for run in runs[:-1]]
    assert sorted(p.name for p in folder.iterdir()) == sorted(run.path.name for run in runs)
    delivered = [row for run in runs for row in rows_of(run.path.read_bytes())]
    stream = io.BytesIO()
    ccr.export(worker.CAMPAIGN, records, stream, ccr.ExportOptions(format="detailed"))
    expected = rows_of(stream.getvalue())
    assert len(delivered) == len(set(delivered))  # no attempt twice
    assert sorted(delivered) == sorted(expected)  # and none missing


def waiters(monitor: psycopg.Connection[tuple[int]], database: str, event: str) -> int:
    """How many of the database's sessions wait for a lock of kind ``event``."""
    row = monitor.execute(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = %s "
        "AND wait_event_type = 'Lock' AND wait_event = %s",
        (database, event),
    ).fetchone()
    return 0 if row is None else int(row[0])


def wait_until(condition: Callable[[], bool], what: str, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"still waiting for {what}"
        time.sleep(0.02)


def settled(callers: list[Caller], monitor: psycopg.Connection[tuple[int]], database: str) -> int:
    """How many of the callers are done, or wait for the store's write lock."""
    return sum(not c.is_alive() for c in callers) + waiters(monitor, database, "advisory")


class Caller(threading.Thread):
    """A call of the store's public API made by another store object (its own connections)."""

    def __init__(self, url: str, call: Callable[[ccr.ResultsStore], object]) -> None:
        super().__init__(daemon=True)
        self.url, self.call = url, call
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            with ccr.ResultsStore(self.url, timeout=30) as store:
                self.call(store)
        except BaseException as error:  # noqa: BLE001 - reported by the test
            self.error = error


def test_a_batch_held_inside_its_transaction_is_never_passed_by_a_job_window(
    postgres_url: str, tmp_path: Path
) -> None:
    worker.base_store(postgres_url)
    folder = tmp_path / "out"
    add_job(postgres_url, folder)
    database = postgres_url.rsplit("/", 1)[1]
    late = {f"v0-{i}": [worker.attempt(900_000 + i, "B")] for i in range(5)}
    with (
        psycopg.connect(postgres_url, autocommit=True) as monitor,
        psycopg.connect(postgres_url) as holder,
    ):
        # The test holds the feed's records: writer A (another process) stops
        # inside its add_attempts transaction, its sequence numbers given.
        holder.execute("SELECT id FROM records WHERE record_id LIKE 'f%' FOR UPDATE")
        writer_a = start("feed", postgres_url, 0, 1)
        wait_until(lambda: waiters(monitor, database, "transactionid") == 1, "writer A held")
        # Writer B (records A does not touch) and then a job run, meanwhile.
        callers = [
            Caller(postgres_url, lambda s: s.add_attempts(NAME, worker_items(late))),
            Caller(postgres_url, lambda s: s.run_due_jobs(worker.START + dt.timedelta(hours=1))),
        ]
        for count, caller in enumerate(callers, 1):
            caller.start()
            # Each one either commits or waits behind writer A for the write lock.
            wait_until(lambda n=count: settled(callers, monitor, database) >= n, "the caller")
        holder.rollback()  # writer A commits now, last
        assert finish(writer_a).split() == ["0"]
        for caller in callers:
            caller.join(timeout=60)
            assert caller.error is None, caller.error
    with ccr.ResultsStore(postgres_url) as store:
        (last,) = store.run_due_jobs(worker.START + dt.timedelta(hours=2))
        assert last.due == worker.START + dt.timedelta(hours=2)
    assert_files_partition(postgres_url, folder, stored_records(late, {0}))


def worker_items(attempts: dict[str, list[ccr.Attempt]]) -> list[tuple[str, str, ccr.Attempt]]:
    return [("L1", record_id, a) for record_id, items in attempts.items() for a in items]


#: How long the writers feed while the runners run the jobs.
FEED_SECONDS = 30
WRITERS = 4
RUNNERS = 2


@pytest.mark.slow
def test_four_writers_and_two_runners_for_half_a_minute_deliver_every_attempt_once(
    postgres_url: str, tmp_path: Path
) -> None:
    worker.base_store(postgres_url)
    folder = tmp_path / "out"
    folder.mkdir()
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    with ccr.ResultsStore(postgres_url) as store:
        options = ccr.ExportOptions(format="detailed-interval")
        store.add_job(ccr.ExportJob("feed", NAME, options, "FREQ=SECONDLY", folder, now))
    stop_feeding, stop_running = tmp_path / "stop-feeding", tmp_path / "stop-running"
    # Started together: the machine's cores load them all at once.
    runners = [spawn("serve", postgres_url, stop_running) for _ in range(RUNNERS)]
    writers = [
        spawn("feed", postgres_url, n * 100_000, (n + 1) * 100_000, 0.02, stop_feeding)
        for n in range(WRITERS)
    ]
    for process in runners + writers:
        ready(process)
    time.sleep(FEED_SECONDS)
    stop_feeding.touch()
    batches = {int(line) for writer in writers for line in finish(writer).split()}
    stop_running.touch()
    written = sum(int(finish(runner).split()[-1]) for runner in runners)
    with ccr.ResultsStore(postgres_url) as store:
        written += len(store.run_due_jobs(dt.datetime.now(dt.UTC) + dt.timedelta(seconds=1)))
        runs = store.job_runs("feed")
    assert written == len(runs) >= FEED_SECONDS // 2  # both runners ran, each window once
    assert len(batches) > WRITERS * 10
    assert_files_partition(postgres_url, folder, stored_records({}, batches))
