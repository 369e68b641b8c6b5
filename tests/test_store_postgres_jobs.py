"""Export jobs on one PostgreSQL store with writers and runners in several processes.

The watermark's argument (docs/store.md, "Export jobs on several hosts"):
ingests hold the store's write lock shared (into different campaigns they run
side by side, their numbers from a sequence, not in commit order), and a
job's run is claimed in a write that holds it alone, so no ingest is in
flight when the claim reads how far the numbers reached. A window
``(watermark, reached]`` therefore never passes a batch that commits later.
These tests hold a writer inside its transaction (a row lock the test takes
on the server) while other writers and a job runner go on, and run writers
and runners at once for half a minute; the job files must partition every
attempt ingested, computed from the workers' deterministic data.
"""

from __future__ import annotations

import datetime as dt
import io
import signal
import subprocess
import threading
import time
from collections.abc import Callable
from pathlib import Path

import attrs
import psycopg
import pytest

import cloudcontact_results as ccr
from tests.support import store_worker as worker
from tests.test_store_processes import (
    add_job,
    finish,
    ready,
    rows_of,
    spawn,
    start,
    store_serve,
)

NAME = worker.CAMPAIGN.name
#: A second campaign, whose ingests run beside those of the first.
OTHER = attrs.evolve(worker.CAMPAIGN, name="Второй")
OTHER_RECORDS = [ccr.Record(f"b{i}", "L1", {"№": str(i)}) for i in range(5)]


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


def assert_files_partition(
    url: str,
    folder: Path,
    records: list[ccr.Record],
    *,
    job: str = "feed",
    campaign: ccr.Campaign = worker.CAMPAIGN,
) -> None:
    """The job's runs chain their windows, and its files hold every attempt exactly once."""
    with ccr.ResultsStore(url) as store:
        runs = store.job_runs(job)
    assert all(run.outcome is ccr.JobOutcome.OK for run in runs)
    assert [run.window[0] for run in runs] == [0] + [run.window[1] for run in runs[:-1]]
    assert sorted(p.name for p in folder.iterdir()) == sorted(run.path.name for run in runs)
    delivered = [row for run in runs for row in rows_of(run.path.read_bytes())]
    stream = io.BytesIO()
    ccr.export(campaign, records, stream, ccr.ExportOptions(format="detailed"))
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
    add_job(postgres_url, tmp_path / "out")
    with ccr.ResultsStore(postgres_url) as store:
        store.put_campaign(OTHER)
        store.add_records(OTHER.name, OTHER_RECORDS)
        options = ccr.ExportOptions(format="detailed-interval")
        (tmp_path / "other").mkdir()
        store.add_job(
            ccr.ExportJob(
                "other", OTHER.name, options, "FREQ=HOURLY", tmp_path / "other", worker.START
            )
        )
    same = [("L1", f"v0-{i}", worker.attempt(900_000 + i, "B")) for i in range(5)]
    beside = [("L1", f"b{i}", worker.attempt(800_000 + i, "C")) for i in range(5)]
    database = postgres_url.rsplit("/", 1)[1]
    with (
        psycopg.connect(postgres_url, autocommit=True) as monitor,
        psycopg.connect(postgres_url) as holder,
    ):
        # The test holds the first campaign's feed records: writer A (another
        # process) stops inside its add_attempts transaction, its numbers taken.
        holder.execute("SELECT id FROM records WHERE record_id LIKE 'f%' FOR UPDATE")
        writer_a = start("feed", postgres_url, 0, 1)
        wait_until(lambda: waiters(monitor, database, "transactionid") == 1, "writer A held")
        # Meanwhile: writer B into A's campaign (other records), writer C into the
        # other campaign, and a job run.
        callers = [
            Caller(postgres_url, lambda s: s.add_attempts(NAME, same)),
            Caller(postgres_url, lambda s: s.add_attempts(OTHER.name, beside)),
            Caller(postgres_url, lambda s: s.run_due_jobs(worker.START + dt.timedelta(hours=1))),
        ]
        for count, caller in enumerate(callers, 1):
            caller.start()
            # Each one commits (C, beside A), or waits behind A for a lock (B, the run).
            wait_until(lambda n=count: settled(callers, monitor, database) >= n, "the caller")
        assert not callers[1].is_alive()  # C committed while A was held
        holder.rollback()  # writer A goes on and commits
        assert finish(writer_a).split() == ["0"]
        for caller in callers:
            caller.join(timeout=60)
            assert caller.error is None, caller.error
    with ccr.ResultsStore(postgres_url) as store:
        last = store.run_due_jobs(worker.START + dt.timedelta(hours=2))
        assert [run.job for run in last] == ["feed", "other"]
    extra = {record_id: [attempt] for _, record_id, attempt in same}
    assert_files_partition(postgres_url, tmp_path / "out", stored_records(extra, {0}))
    others = [
        attrs.evolve(r, attempts=[a for _, i, a in beside if i == r.id]) for r in OTHER_RECORDS
    ]
    assert_files_partition(postgres_url, tmp_path / "other", others, job="other", campaign=OTHER)


def test_a_run_whose_lease_was_lost_is_not_recorded_as_done_and_the_next_call_redoes_it(
    postgres_url: str, tmp_path: Path
) -> None:
    worker.base_store(postgres_url)
    add_job(postgres_url, tmp_path / "out")
    database = postgres_url.rsplit("/", 1)[1]
    due = worker.START + dt.timedelta(hours=1)
    with (
        psycopg.connect(postgres_url, autocommit=True) as monitor,
        psycopg.connect(postgres_url) as holder,
    ):
        # The job's row held: the run waits inside its turn, its lease taken.
        holder.execute("SELECT id FROM jobs FOR UPDATE")
        runner = Caller(postgres_url, lambda s: s.run_due_jobs(due))
        runner.start()
        wait_until(lambda: waiters(monitor, database, "transactionid") == 1, "the run held")
        # Its lease's connection (the one idle session: the run's own waits, the
        # holder's is in a transaction) dies, as in a network cut: the lease
        # may be another holder's now.
        (ended,) = monitor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = %s AND state = 'idle' AND pid <> pg_backend_pid()",
            (database,),
        ).fetchall()
        assert ended == (True,)
        holder.rollback()
        runner.join(timeout=60)
    assert isinstance(runner.error, ccr.errors.StoreError)
    assert "the lease of job row 1 was lost" in str(runner.error)
    with ccr.ResultsStore(postgres_url) as store:
        # Claimed before the cut; its end was not recorded, nor the watermark moved.
        (left,) = store.job_runs("feed")
        assert left.outcome is ccr.JobOutcome.RUNNING
        (run,) = store.run_due_jobs(due)  # redone, with its window
        assert (run.due, run.window, run.outcome) == (due, left.window, ccr.JobOutcome.OK)
        assert store.job_runs("feed") == (run,)
    assert_files_partition(postgres_url, tmp_path / "out", stored_records({}, set()))


#: How long the writers feed while the runners run the jobs.
FEED_SECONDS = 30
WRITERS = 4
RUNNERS = 2


def serving(url: str) -> subprocess.Popen[str]:
    """``store serve`` on ``url``, once it says it is serving."""
    process, first = store_serve(url)
    assert " serving postgresql://" in first
    return process


def stopped(process: subprocess.Popen[str]) -> list[str]:
    """What a ``store serve`` stopped by SIGTERM printed between its first and last lines."""
    process.send_signal(signal.SIGTERM)
    out, err = process.communicate(timeout=60)
    assert process.returncode == 0, err
    assert err == ""  # no error, nor a run that failed
    lines = out.splitlines()
    assert lines[-1].endswith(" stopped")
    return lines[:-1]


@pytest.mark.slow
@pytest.mark.long
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
    stop_feeding = tmp_path / "stop-feeding"
    # Started together: the machine's cores load them all at once.
    writers = [
        spawn("feed", postgres_url, n * 100_000, (n + 1) * 100_000, 0.02, stop_feeding)
        for n in range(WRITERS)
    ]
    runners = [serving(postgres_url) for _ in range(RUNNERS)]
    for process in writers:
        ready(process)
    time.sleep(FEED_SECONDS)
    stop_feeding.touch()
    batches = {int(line) for writer in writers for line in finish(writer).split()}
    # One line a run each wrote.
    written = [len(stopped(runner)) for runner in runners]
    with ccr.ResultsStore(postgres_url) as store:
        last = store.run_due_jobs(dt.datetime.now(dt.UTC) + dt.timedelta(seconds=1))
        runs = store.job_runs("feed")
    assert sum(written) + len(last) == len(runs) >= FEED_SECONDS // 2  # each window once
    assert len(batches) > WRITERS * 10
    assert_files_partition(postgres_url, folder, stored_records({}, batches))
