"""Copying a whole store between databases (``ResultsStore.copy_to``, docs/store.md, "Copying").

The answer key is the source itself: after a copy, every campaign exports
the same bytes from the copy as from the source, and everything else the
store holds reads back the same through the public API.
"""

from __future__ import annotations

import concurrent.futures
import csv
import datetime as dt
import itertools
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import attrs
import psycopg
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import cloudcontact_results as ccr
from cloudcontact_results._store._schema import APPLICATION_ID
from cloudcontact_results.errors import StoreError
from tests.conftest import examples
from tests.support.postgres import PASSWORD, PostgresServer
from tests.support.strategies import campaign_with_records
from tests.test_store_properties import store_bytes

UTC = dt.UTC
START = dt.datetime(2026, 3, 1, tzinfo=UTC)
NO_ANSWER = ccr.system_disposition("No answer")
CAMPAIGN = ccr.Campaign("Обзвон", [ccr.CallingList("L1", ["№"]), ccr.CallingList("L2", ["№"])])
RECORDS = [ccr.Record(f"r{i}", "L1" if i < 3 else "L2", {"№": str(i)}) for i in range(5)]
#: Reports every campaign is compared in after a copy.
OPTIONS = (
    ccr.ExportOptions(),
    ccr.ExportOptions(format="detailed"),
    ccr.ExportOptions(format="detailed", language="ru", timezone="Asia/Tokyo", dialect="excel"),
    ccr.ExportOptions(format="detailed-interval", compress=True),
)
_DATABASES = itertools.count()


def hours(count: float) -> dt.datetime:
    return START + dt.timedelta(hours=count)


def attempt(hour: float, note: str) -> ccr.Attempt:
    return ccr.Attempt("+7916", hours(hour), call_disposition=NO_ANSWER, note=note)


def exports(store: ccr.ResultsStore) -> dict[tuple[str, int], bytes]:
    """Every campaign's export in every report of :data:`OPTIONS`."""
    return {
        (name, index): store_bytes(store, name, options)
        for name in store.campaign_names()
        for index, options in enumerate(OPTIONS)
    }


def fresh_url(server: PostgresServer) -> str:
    """A new database of ``server``, its URL with the password (as a user may give it)."""
    url = server.create_database(f"copy_{next(_DATABASES)}")
    return url.replace("postgres@", f"postgres:{PASSWORD.replace('-', '%2D')}@")


# --- the round trip ----------------------------------------------------------------------


@pytest.mark.slow
@settings(
    max_examples=examples(10),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(
    st.lists(campaign_with_records(max_records=5), min_size=1, max_size=3),
    st.integers(min_value=1, max_value=3),
)
def test_a_copy_to_postgresql_and_back_exports_the_same_bytes(
    postgres_server: PostgresServer,
    tmp_path_factory: pytest.TempPathFactory,
    campaigns: list[tuple[ccr.Campaign, list[ccr.Record]]],
    batches: int,
) -> None:
    folder = tmp_path_factory.mktemp("copy")
    named = [
        (attrs.evolve(campaign, name=f"{campaign.name} {index}"), records)
        for index, (campaign, records) in enumerate(campaigns)
    ]
    with ccr.ResultsStore(folder / "source.sqlite") as source:
        for campaign, records in named:
            source.put_campaign(campaign)
            # In several batches: each its own transaction and run of sequence numbers.
            for batch in range(batches):
                source.add_records(campaign.name, records[batch::batches])
        expected = exports(source)
        url = fresh_url(postgres_server)
        copied = source.copy_to(url)
    assert copied["campaigns"] == len(named)
    with ccr.ResultsStore(url) as middle:
        assert exports(middle) == expected
        middle.copy_to(folder / "back.sqlite")
    with ccr.ResultsStore(folder / "back.sqlite") as back:
        assert exports(back) == expected


# --- everything the store holds ----------------------------------------------------------


@pytest.fixture
def full(tmp_path: Path) -> Iterator[ccr.ResultsStore]:
    """An SQLite store holding some of everything: archives, a job that ran, a mirror's
    watermark, archive options; and the highest archive ids given, and deleted since."""
    out = tmp_path / "out"
    out.mkdir()
    with ccr.ResultsStore(tmp_path / "full.sqlite") as store:
        store.put_campaign(
            CAMPAIGN,
            archive_options=ccr.ExportOptions(language="ru", timezone="UTC"),
            archive_destination=out,
        )
        store.add_records(CAMPAIGN.name, RECORDS)
        store.add_attempts(CAMPAIGN.name, [("L1", "r0", attempt(0.5, "a"))])
        store.add_records(CAMPAIGN.name, RECORDS[3:], replace=True)  # archive 1, of L2
        store.add_attempts(CAMPAIGN.name, [("L2", "r3", attempt(0.7, "b"))])
        store.add_job(
            ccr.ExportJob(
                "feed",
                CAMPAIGN.name,
                ccr.ExportOptions(format="detailed-interval"),
                "FREQ=HOURLY",
                out,
                START,
            )
        )
        store.run_due_jobs(hours(1.5))
        store.add_synced_records(CAMPAIGN.name, "L1", "https://platform", [], hours(1))
        gone = attrs.evolve(CAMPAIGN, name="Удалена")
        store.put_campaign(gone)
        store.add_records(gone.name, RECORDS)
        store.remove_list(gone.name, "L2")  # archive 2
        store.remove_list(gone.name, "L1")  # archive 3
        store.delete_campaign(gone.name)  # archives 2 and 3 gone with it
        yield store


def holdings(store: ccr.ResultsStore) -> dict[str, object]:
    """What the store holds, read through its public API (an SQLite store's: all of it)."""
    name = CAMPAIGN.name
    archives = store.archives(name)
    return {
        "exports": exports(store),
        "campaigns": [store.campaign(n) for n in store.campaign_names()],
        "archive_options": store.archive_options(name),
        "archive_destination": store.archive_destination(name),
        "archives": [(a, store.archive_bytes(a)) for a in archives],
        "jobs": store.jobs(name),
        "runs": store.job_runs("feed"),
        "watermark": store.sync_watermark(name, "L1", "https://platform"),
    }


def test_a_copy_holds_everything_the_source_holds(
    full: ccr.ResultsStore, postgres_url: str, tmp_path: Path
) -> None:
    expected = holdings(full)
    assert [a.id for a in full.archives(CAMPAIGN.name)] == [1]
    full.copy_to(postgres_url)
    with ccr.ResultsStore(postgres_url) as middle:
        assert exports(middle) == expected["exports"]
        assert middle.sync_watermark(CAMPAIGN.name, "L1", "https://platform") == hours(1)
        assert middle.archive_options(CAMPAIGN.name) == expected["archive_options"]
        middle.copy_to(tmp_path / "back.sqlite")
    with ccr.ResultsStore(tmp_path / "back.sqlite") as back:
        assert holdings(back) == expected
        # An archive id is never given twice: not 2 or 3, which the source gave and deleted.
        new = back.remove_list(CAMPAIGN.name, "L1")
        assert new.id == 4


def test_after_a_copy_new_results_get_new_ids_and_a_job_exports_only_them(
    full: ccr.ResultsStore, postgres_url: str, tmp_path: Path
) -> None:
    full.copy_to(postgres_url)
    late = [("L1", "r1", attempt(1.6, "late")), ("L2", "r4", attempt(1.7, "later"))]
    with ccr.ResultsStore(postgres_url) as middle:
        # New rows of every kind the copy wrote ids for: records, zones, attempts.
        assert middle.add_records(CAMPAIGN.name, [ccr.Record("r9", "L2", {"№": "9"})]) == 1
        assert middle.add_attempts(CAMPAIGN.name, late) == 2
        middle.put_campaign(
            attrs.evolve(CAMPAIGN, lists=[*CAMPAIGN.lists, ccr.CallingList("L3", ["№"])])
        )
        middle.add_records(CAMPAIGN.name, [ccr.Record("x", "L3", {"№": "x"})])
        middle.copy_to(tmp_path / "back.sqlite")
    with ccr.ResultsStore(tmp_path / "back.sqlite") as back:
        (run,) = back.run_due_jobs(hours(2.5))
    # The job's first run took attempts 1 and 2; this one takes only what came after.
    with run.path.open(encoding="utf-8", newline="") as file:
        notes = [row["Call Note"] for row in csv.DictReader(file)]
    assert notes == ["late", "later"]


def test_a_target_that_holds_anything_is_refused(full: ccr.ResultsStore, store_target: str) -> None:
    with ccr.ResultsStore(store_target) as target:
        target.put_campaign(attrs.evolve(CAMPAIGN, name="Другая"))
        before = exports(target)
    with pytest.raises(StoreError, match=r"is not empty \(its table campaigns has rows\)") as error:
        full.copy_to(store_target)
    assert PASSWORD not in str(error.value)
    with ccr.ResultsStore(store_target) as target:
        assert exports(target) == before


def test_the_source_is_read_in_one_snapshot_taken_when_the_copy_starts(
    full: ccr.ResultsStore, postgres_url: str, postgres_server: PostgresServer
) -> None:
    full.copy_to(postgres_url)
    target = fresh_url(postgres_server)
    ccr.ResultsStore(target).close()  # an empty store
    with ccr.ResultsStore(postgres_url) as source:
        expected = exports(source)
        # Another process writes into the target: the copy waits for it, its
        # snapshot of the source taken.
        with psycopg.connect(target, autocommit=True) as holder:
            holder.execute("BEGIN")
            holder.execute("SELECT pg_advisory_xact_lock(%s)", (APPLICATION_ID,))
            with concurrent.futures.ThreadPoolExecutor(1) as pool:
                copying = pool.submit(source.copy_to, target)
                _wait_for_lock_wait(holder)
                source.add_attempts(CAMPAIGN.name, [("L1", "r1", attempt(3, "during"))])
                source.add_records(CAMPAIGN.name, [ccr.Record("r9", "L2", {"№": "9"})])
                holder.execute("ROLLBACK")
                rows = copying.result(timeout=60)
        assert exports(source) != expected
    assert (rows["records"], rows["ingested"]) == (5, 2)
    with ccr.ResultsStore(target) as copy:
        assert exports(copy) == expected


def _wait_for_lock_wait(connection: psycopg.Connection[Any]) -> None:
    """Until another session of the server waits for an advisory lock."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        (waiting,) = connection.execute(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
        ).fetchone() or (0,)
        if waiting:
            return
        time.sleep(0.05)
    pytest.fail("the copy never waited for the target's write lock")
