"""A store written by the previous schema version is upgraded when it is opened, losing nothing.

``tests/data/store-v3.sqlite`` was written by the library at schema version 3
(see ``tests/store_v3.py`` for what it holds and how it was made).
"""

from __future__ import annotations

import datetime as dt
import io
import shutil
import sqlite3
from pathlib import Path

import attrs
import pytest

import cloudcontact_results as ccr
from tests.store_v3 import CAMPAIGN, JOB_START, MOSCOW, expected, fed

V3 = Path(__file__).parent / "data" / "store-v3.sqlite"
SCHEMA_VERSION = 4
KEPT = attrs.evolve(CAMPAIGN, lists=CAMPAIGN.lists[:2])


@pytest.fixture
def old(tmp_path: Path) -> Path:
    path = tmp_path / "old.sqlite"
    shutil.copyfile(V3, path)
    return path


def version(path: Path) -> int:
    connection = sqlite3.connect(path)
    try:
        found: int = connection.execute("PRAGMA user_version").fetchone()[0]
    finally:
        connection.close()
    return found


def exported(options: ccr.ExportOptions, store: ccr.ResultsStore | None = None) -> bytes:
    stream = io.BytesIO()
    if store is None:
        ccr.export(KEPT, expected(), stream, options)
    else:
        store.export(CAMPAIGN.name, stream, options)
    return stream.getvalue()


def test_the_file_is_of_the_previous_version() -> None:
    assert version(V3) == SCHEMA_VERSION - 1


def test_a_version_3_store_keeps_every_record_attempt_and_value(old: Path) -> None:
    with ccr.ResultsStore(old) as store:
        assert store.campaign(CAMPAIGN.name) == KEPT
        assert list(store.records(CAMPAIGN.name)) == expected()
        for report in ("simple", "detailed"):
            options = ccr.ExportOptions(format=report, timezone="America/New_York")
            assert exported(options, store) == exported(options)
    assert version(old) == SCHEMA_VERSION


def test_an_upgraded_store_still_knows_its_attempts_archives_and_jobs(old: Path) -> None:
    with ccr.ResultsStore(old) as store:
        assert store.add_attempts(CAMPAIGN.name, fed()) == 0  # all stored already
        (archive,) = store.archives(CAMPAIGN.name)
        assert (archive.list_name, archive.records, archive.attempts) == ("Старый", 1, 1)
        simple = ccr.read_report(io.BytesIO(store.archive_bytes(archive)), member="simple.csv")
        assert [row.fields["Фамилия"] for row in simple] == ["Сидоров"]
        # The job's first run took the first transaction; its next run takes
        # the attempts ingested after it (before the upgrade), and the one
        # after that only what came after the upgrade.
        (job,) = store.jobs(CAMPAIGN.name)
        destination = Path(job.destination)
        destination.mkdir(parents=True, exist_ok=True)  # the maker's folder, gone since
        try:
            (run,) = store.run_due_jobs(JOB_START + dt.timedelta(hours=1))
            assert run.rows == len(fed())
            new = ccr.Attempt("+7", dt.datetime(2026, 3, 5, 9, tzinfo=MOSCOW))
            store.add_attempts(CAMPAIGN.name, [("VIP", "v1", new)])
            (run,) = store.run_due_jobs(JOB_START + dt.timedelta(hours=2))
            assert run.rows == 1
            rows = ccr.read_report(run.path)
            assert [row.this_phone_number for row in rows] == ["+7"]
        finally:
            shutil.rmtree(destination)
