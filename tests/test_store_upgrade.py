"""A store written by an earlier schema version is upgraded when it is opened, losing nothing.

``tests/data/store-v3.sqlite`` to ``store-v7.sqlite`` were written by the
library at schema versions 3 to 7, the previous one (see
``tests/support/store_v3.py`` for what they hold and how they were made).
"""

from __future__ import annotations

import datetime as dt
import io
import json
import shutil
import sqlite3
import zipfile
from pathlib import Path

import attrs
import pytest

import cloudcontact_results as ccr
from tests.support.store_v3 import CAMPAIGN, JOB_START, MOSCOW, expected, fed

DATA = Path(__file__).parent / "data"
SCHEMA_VERSION = 8
OLD_VERSIONS = (3, 4, 5, 6, SCHEMA_VERSION - 1)
KEPT = attrs.evolve(CAMPAIGN, lists=CAMPAIGN.lists[:2])


def written_at(old_version: int) -> Path:
    return DATA / f"store-v{old_version}.sqlite"


@pytest.fixture(params=OLD_VERSIONS, ids=[f"v{number}" for number in OLD_VERSIONS])
def old(request: pytest.FixtureRequest, tmp_path: Path) -> Path:
    path = tmp_path / "old.sqlite"
    shutil.copyfile(written_at(request.param), path)
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


@pytest.mark.parametrize("old_version", OLD_VERSIONS)
def test_each_file_is_of_its_version(old_version: int) -> None:
    assert version(written_at(old_version)) == old_version


def test_an_old_store_keeps_every_record_attempt_and_value(old: Path) -> None:
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


@pytest.mark.parametrize("old_version", [3, 4])  # archive options came with version 5
def test_an_upgraded_store_archives_as_before_until_its_archive_options_are_set(
    old_version: int, tmp_path: Path
) -> None:
    old = tmp_path / "old.sqlite"
    shutil.copyfile(written_at(old_version), old)
    russian = ccr.ExportOptions(language="ru", timezone="Asia/Yekaterinburg")
    with ccr.ResultsStore(old) as store:
        assert store.archive_options(CAMPAIGN.name) == ccr.ExportOptions()
        (before,) = store.archives(CAMPAIGN.name)
        with zipfile.ZipFile(io.BytesIO(store.archive_bytes(before))) as zipped:
            assert "options" not in json.loads(zipped.read("manifest.json"))  # never rewritten

        archived = {"VIP": (store.remove_list(CAMPAIGN.name, "VIP"), ccr.ExportOptions())}
        store.put_campaign(store.campaign(CAMPAIGN.name), archive_options=russian)
        archived["Клиенты"] = (store.remove_list(CAMPAIGN.name, "Клиенты"), russian)
        assert store.archive_options(CAMPAIGN.name) == russian

        for list_name, (archive, options) in archived.items():
            with zipfile.ZipFile(io.BytesIO(store.archive_bytes(archive))) as zipped:
                detailed = zipped.read("detailed.csv")
            stream = io.BytesIO()
            records = [r for r in expected() if r.list_name == list_name]
            ccr.export(
                KEPT, records, stream, attrs.evolve(options, format="detailed", lists=[list_name])
            )
            assert detailed == stream.getvalue()


def test_an_upgraded_store_s_runs_were_written_into_folders_and_delivered_nowhere(
    old: Path,
) -> None:
    with ccr.ResultsStore(old) as store:
        (run,) = store.job_runs("hourly")
    assert (run.remote_url, run.delivered_at, run.delivery_attempts, run.delivery_error) == (
        None,
        None,
        0,
        None,
    )
    assert run.path.name == "hourly_20260301T000000Z.csv"
