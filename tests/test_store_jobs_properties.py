"""Incremental export jobs partition the results exactly, for any feed and any run times.

The answer key is written from SPEC section 8 alone, with the stateless
:func:`export`: the test keeps its own account of what was ingested before
each run and computes every file the jobs must have written, byte for byte.
It runs on each of the store's databases, a new store for each example.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
import os
import tempfile
from pathlib import Path
from unittest import mock

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

import cloudcontact_results as ccr
from tests.conftest import STORE_BACKENDS
from tests.support.postgres import PASSWORD, PostgresServer
from tests.support.strategies import campaign_with_records
from tests.test_store_properties import identity, interleavings

START = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)
_DATABASES = itertools.count()
REPORTS = ("detailed-interval", "simple", "detailed")


def exported(campaign: ccr.Campaign, records: list[ccr.Record], report: str) -> bytes:
    stream = io.BytesIO()
    ccr.export(campaign, records, stream, ccr.ExportOptions(format=report))  # type: ignore[arg-type]
    return stream.getvalue()


class Account:
    """What the store was fed, in ingest order, kept independently of the store."""

    def __init__(self, campaign: ccr.Campaign, records: list[ccr.Record]) -> None:
        order = {calling_list.name: i for i, calling_list in enumerate(campaign.lists)}
        # Records come back list by list, each list in load order.
        self.records = sorted(records, key=lambda r: order[r.list_name])
        self.ingested: dict[tuple[str, str], list[tuple[int, ccr.Attempt]]] = {
            (r.list_name, r.id): [] for r in records
        }
        self.completed_at: dict[tuple[str, str], int] = {}
        self.sequence = 0

    def feed(self, batch: list[tuple[str, str, ccr.Attempt]]) -> None:
        for list_name, record_id, attempt in batch:
            known = self.ingested[list_name, record_id]
            if any(identity(a) == identity(attempt) for _, a in known):
                continue  # a duplicate: ignored
            self.sequence += 1
            known.append((self.sequence, attempt))
            if attempt.record_disposition is not None:
                self.completed_at.setdefault((list_name, record_id), self.sequence)

    def window_records(self, report: str, lo: int, hi: int) -> list[ccr.Record]:
        """The records a job's file for the window ``(lo, hi]`` must hold."""
        found = []
        for record in self.records:
            key = (record.list_name, record.id)
            ingested = self.ingested[key]
            if report == "detailed-interval":
                attempts = [a for seq, a in ingested if lo < seq <= hi]
                if not attempts:
                    continue
            else:
                if not lo < self.completed_at.get(key, 0) <= hi:
                    continue
                attempts = [a for seq, a in ingested if seq <= hi]
            # The store gives a record's attempts in time order, ties in ingest order.
            attempts.sort(key=lambda a: a.time.astimezone(dt.UTC))
            found.append(attrs.evolve(record, attempts=attempts))
        return found


def new_store(backend: str, request: pytest.FixtureRequest, folder: Path) -> str:
    """Where an example's store is opened: a new file, or a new database of the session's server."""
    if backend == "sqlite":
        return str(folder / "results.sqlite")
    server: PostgresServer = request.getfixturevalue("postgres_server")
    return server.create_database(f"jobs_{os.getpid()}_{next(_DATABASES)}")


@pytest.mark.slow
@pytest.mark.parametrize("backend", STORE_BACKENDS)
@given(campaign_with_records(max_records=6), st.data())
def test_incremental_files_partition_what_was_ingested(
    backend: str,
    request: pytest.FixtureRequest,
    campaign_and_records: tuple[ccr.Campaign, list[ccr.Record]],
    data: st.DataObject,
) -> None:
    campaign, records = campaign_and_records
    feed = list(
        interleavings(data.draw, [[(r.list_name, r.id, a) for a in r.attempts] for r in records])
    )
    account = Account(campaign, records)
    with (
        tempfile.TemporaryDirectory() as name,
        mock.patch.dict(os.environ, {"PGPASSWORD": PASSWORD}),
    ):
        folder = Path(name)
        with ccr.ResultsStore(new_store(backend, request, folder)) as store:
            store.put_campaign(campaign)
            store.add_records(campaign.name, [attrs.evolve(r, attempts=()) for r in records])
            for report in REPORTS:
                (folder / report).mkdir()
                options = ccr.ExportOptions(format=report)  # type: ignore[arg-type]
                store.add_job(
                    ccr.ExportJob(
                        report, campaign.name, options, "FREQ=HOURLY", folder / report, START
                    )
                )
            hour = 0
            position = 0
            runs: list[tuple[ccr.JobRun, int, int]] = []
            while True:
                size = data.draw(st.integers(0, 4), label="batch size")
                batch = feed[position : position + size]
                position += size
                if batch:
                    # Redelivered items come again; they must change nothing.
                    batch += data.draw(st.lists(st.sampled_from(feed[:position]), max_size=2))
                    store.add_attempts(campaign.name, batch)
                    account.feed(batch)
                if data.draw(st.booleans(), label="run the jobs now") or position >= len(feed):
                    hour += data.draw(st.integers(1, 3), label="hours later")
                    lo = runs[-1][2] if runs else 0
                    done = store.run_due_jobs(START + dt.timedelta(hours=hour))
                    assert [run.job for run in done] == list(REPORTS)
                    runs += [(run, lo, account.sequence) for run in done]
                    if position >= len(feed):
                        break

        # The account counts attempts one by one; the store's numbers only grow
        # (PostgreSQL's skip): each job's windows chain, empty where the account's is.
        ends = dict.fromkeys(REPORTS, 0)
        for run, lo, hi in runs:
            assert run.window[0] == ends[run.job]
            assert (run.window[1] == run.window[0]) == (hi == lo)
            ends[run.job] = run.window[1]
            expected = account.window_records(run.job, lo, hi)
            assert run.path.read_bytes() == exported(campaign, expected, run.job)

        # Across the files: every attempt once, every completed record once.
        every = [
            attrs.evolve(r, attempts=[a for _, a in account.ingested[r.list_name, r.id]])
            for r in account.records
        ]
        all_rows = rows_of(exported(campaign, every, "detailed"))
        interval_rows = [
            row
            for run, _, _ in runs
            if run.job == "detailed-interval"
            for row in rows_of(run.path.read_bytes())
        ]
        assert sorted(interval_rows) == sorted(all_rows)
        simple_ids = [
            row[-1]
            for run, _, _ in runs
            if run.job == "simple"
            for row in rows_of(run.path.read_bytes())
        ]
        assert len(simple_ids) == len(account.completed_at)


def rows_of(data: bytes) -> list[tuple[str, ...]]:
    """The data rows of a platform-dialect CSV."""
    rows = list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))
    return [tuple(row) for row in rows[1:]]
