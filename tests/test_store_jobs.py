"""Automatic export: jobs, schedules, incremental windows, failures and their redo.

Every test of a store runs on each of its databases (``store_target``).
"""

from __future__ import annotations

import csv
import datetime as dt
import errno
import hashlib
import io
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

import cloudcontact_results as ccr
from cloudcontact_results.errors import JobError, StoreError, UnknownNameError, ValidationError
from tests.support.delivery_servers import Webhook
from tests.support.samples import NO_ANSWER

UTC = dt.UTC
NEW_YORK = ZoneInfo("America/New_York")
START = dt.datetime(2026, 3, 1, tzinfo=UTC)
FINALIZED = ccr.system_disposition("Finalized by dial rule")
CAMPAIGN = ccr.Campaign("Обзвон", [ccr.CallingList("L1", ["№"]), ccr.CallingList("L2", ["№"])])
RECORDS = [ccr.Record(f"r{i}", "L1" if i < 3 else "L2", {"№": str(i)}) for i in range(5)]


def hours(count: float) -> dt.datetime:
    return START + dt.timedelta(hours=count)


def attempt(hour: float, note: str, *, completes: bool = False) -> ccr.Attempt:
    return ccr.Attempt(
        "+7916",
        hours(hour),
        call_disposition=NO_ANSWER,
        record_disposition=FINALIZED if completes else None,
        note=note,
    )


def job(
    name: str,
    destination: Path,
    report: str = "detailed-interval",
    schedule: str = "FREQ=HOURLY",
    **values: object,
) -> ccr.ExportJob:
    return ccr.ExportJob(
        name,
        CAMPAIGN.name,
        ccr.ExportOptions(format=report),  # type: ignore[arg-type]
        schedule,
        destination,
        values.pop("start", START),  # type: ignore[arg-type]
        **values,  # type: ignore[arg-type]
    )


def follows(window: tuple[int, int], after: int) -> bool:
    """Whether ``window`` starts where the previous one ended, and holds some numbers.

    Ingest numbers grow, but need not be consecutive (PostgreSQL's come from
    a sequence, a block at a time): a window is checked by where it starts,
    and by what its file holds.
    """
    return window[0] == after < window[1]


def notes(path: Path) -> list[str]:
    rows = csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"), newline=""))
    return [row.get("Call Note") or row.get("Last Note") or "" for row in rows]


def exported(records: list[ccr.Record], report: str) -> bytes:
    stream = io.BytesIO()
    ccr.export(CAMPAIGN, records, stream, ccr.ExportOptions(format=report))  # type: ignore[arg-type]
    return stream.getvalue()


@pytest.fixture
def out(tmp_path: Path) -> Path:
    folder = tmp_path / "out"
    folder.mkdir()
    return folder


@pytest.fixture
def store(store_target: str) -> Iterator[ccr.ResultsStore]:
    with ccr.ResultsStore(store_target) as opened:
        opened.put_campaign(CAMPAIGN)
        opened.add_records(CAMPAIGN.name, RECORDS)
        yield opened


# --- jobs ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"start": dt.datetime(2026, 3, 1)}, "ExportJob.start", "naive"),  # noqa: DTZ001
        ({"schedule": "FREQ=SOMETIMES"}, "ExportJob.schedule", "not an RFC 5545"),
        ({"schedule": ""}, "ExportJob.schedule", "non-empty"),
        ({"incremental": "yes"}, "ExportJob.incremental", "True or False"),
    ],
)
def test_a_job_is_validated_when_made(
    out: Path, values: dict[str, object], field: str, message: str
) -> None:
    arguments: dict[str, object] = {"schedule": "FREQ=HOURLY", "start": START}
    arguments.update(values)
    with pytest.raises(ValidationError, match=message) as error:
        ccr.ExportJob("j", "c", ccr.ExportOptions(), destination=out, **arguments)  # type: ignore[arg-type]
    assert error.value.field == field


def test_an_incremental_job_takes_no_interval(out: Path) -> None:
    options = ccr.ExportOptions(format="detailed", interval=(START, hours(1)))
    with pytest.raises(ValidationError, match="incremental job takes no interval"):
        ccr.ExportJob("j", "c", options, "FREQ=HOURLY", out, START)
    full = ccr.ExportJob("j", "c", options, "FREQ=HOURLY", out, START, incremental=False)
    assert full.options.interval is not None


def test_jobs_are_kept_in_the_store(store: ccr.ResultsStore, out: Path, store_target: str) -> None:
    moscow = dt.datetime(2026, 3, 1, 6, tzinfo=ZoneInfo("Europe/Moscow"))
    options = ccr.ExportOptions(
        format="detailed",
        lists=["L2"],
        language="ru",
        interval=(dt.datetime(2026, 3, 1), hours(30)),  # noqa: DTZ001 - read in the zone
        compress=True,
        zip_timestamp=moscow,
    )
    jobs = [
        job("hourly", out),
        ccr.ExportJob(
            "daily", CAMPAIGN.name, options, "FREQ=DAILY", out, moscow, incremental=False
        ),
    ]
    for each in jobs:
        store.add_job(each)
    assert store.jobs(CAMPAIGN.name) == tuple(jobs)
    with ccr.ResultsStore(store_target) as again:
        assert again.jobs(CAMPAIGN.name) == tuple(jobs)
        again.remove_job("hourly")
        assert again.jobs(CAMPAIGN.name) == (jobs[1],)
    assert store.jobs(CAMPAIGN.name) == (jobs[1],)


def test_bad_jobs_are_refused_by_the_store(store: ccr.ResultsStore, out: Path) -> None:
    store.add_job(job("j", out))
    with pytest.raises(StoreError, match="job 'j': the store has a job of that name"):
        store.add_job(job("j", out))
    with pytest.raises(UnknownNameError, match="campaign 'Нет'"):
        store.add_job(ccr.ExportJob("k", "Нет", ccr.ExportOptions(), "FREQ=HOURLY", out, START))
    with pytest.raises(ccr.errors.CampaignMismatchError, match="Нет списка"):
        store.add_job(
            ccr.ExportJob(
                "k",
                CAMPAIGN.name,
                ccr.ExportOptions(lists=["Нет списка"]),
                "FREQ=HOURLY",
                out,
                START,
            )
        )
    with pytest.raises(ValidationError, match="must be an ExportJob"):
        store.add_job("j")  # type: ignore[arg-type]
    for call in (lambda: store.remove_job("k"), lambda: store.job_runs("k")):
        with pytest.raises(UnknownNameError, match="job 'k'"):
            call()
    with pytest.raises(ValidationError, match="now"):
        store.run_due_jobs(dt.datetime(2026, 3, 1))  # noqa: DTZ001
    assert [j.name for j in store.jobs(CAMPAIGN.name)] == ["j"]


def test_delete_campaign_deletes_its_jobs(store: ccr.ResultsStore, out: Path) -> None:
    store.add_job(job("j", out))
    store.delete_campaign(CAMPAIGN.name)
    with pytest.raises(UnknownNameError, match="job 'j'"):
        store.job_runs("j")
    store.put_campaign(CAMPAIGN)
    assert store.jobs(CAMPAIGN.name) == ()
    store.add_job(job("j", out))  # the name is free again


# --- incremental runs -----------------------------------------------------------------------


def test_incremental_detailed_interval_files_hold_each_ingested_attempt_once(
    store: ccr.ResultsStore, out: Path
) -> None:
    store.add_job(job("feed", out))
    assert store.run_due_jobs(hours(-1)) == ()  # before the start: nothing is due

    store.add_attempts(
        CAMPAIGN.name, [("L1", "r0", attempt(0.5, "a")), ("L2", "r3", attempt(0.2, "b"))]
    )
    (first,) = store.run_due_jobs(hours(1.5))
    assert first.due == hours(1)
    assert first.path == out / "feed_20260301T010000Z.csv"
    assert first.rows == 2
    assert follows(first.window, 0)
    assert notes(first.path) == ["a", "b"]
    assert store.run_due_jobs(hours(1.9)) == ()  # that occurrence has run

    # A late attempt with an old time still lands in the next file.
    store.add_attempts(
        CAMPAIGN.name, [("L1", "r1", attempt(-30, "late")), ("L1", "r0", attempt(0.5, "a"))]
    )
    (second,) = store.run_due_jobs(hours(2))
    assert (second.rows, notes(second.path)) == (1, ["late"])
    assert follows(second.window, first.window[1])

    # Nothing new: the file is still written, header only.
    (third,) = store.run_due_jobs(hours(3))
    assert (third.rows, third.window) == (0, (second.window[1],) * 2)
    assert third.path.read_bytes() == exported([], "detailed-interval")

    # Missed occurrences are coalesced into one run, due at the latest of them.
    store.add_attempts(CAMPAIGN.name, [("L2", "r4", attempt(4, "c"))])
    (fourth,) = store.run_due_jobs(hours(7.2))
    assert (fourth.due, fourth.rows) == (hours(7), 1)
    assert sorted(p.name for p in out.iterdir()) == [
        "feed_20260301T010000Z.csv",
        "feed_20260301T020000Z.csv",
        "feed_20260301T030000Z.csv",
        "feed_20260301T070000Z.csv",
    ]
    runs = store.job_runs("feed")
    assert [r.due for r in runs] == [hours(1), hours(2), hours(3), hours(7)]
    assert all(r.outcome is ccr.JobOutcome.OK for r in runs)
    assert runs[0] == first
    for run in runs:
        data = run.path.read_bytes()
        assert run.bytes == len(data)
        assert run.sha256 == hashlib.sha256(data).hexdigest()


def test_incremental_simple_and_detailed_files_hold_each_completed_record_once(
    store: ccr.ResultsStore, out: Path
) -> None:
    store.add_job(job("simple", out, report="simple"))
    store.add_job(job("detailed", out, report="detailed"))
    store.add_attempts(
        CAMPAIGN.name,
        [("L1", "r0", attempt(0, "r0 open")), ("L1", "r1", attempt(0, "r1 done", completes=True))],
    )
    simple_1, detailed_1 = store.run_due_jobs(hours(1))
    r1 = ccr.Record("r1", "L1", {"№": "1"}, [attempt(0, "r1 done", completes=True)])
    assert simple_1.path.read_bytes() == exported([r1], "simple")
    assert detailed_1.path.read_bytes() == exported([r1], "detailed")

    # r1 gets another attempt (not a new completion); r0 is completed now.
    more = [
        ("L1", "r1", attempt(1, "r1 again")),
        ("L1", "r0", attempt(1, "r0 done", completes=True)),
    ]
    store.add_attempts(CAMPAIGN.name, more)
    simple_2, detailed_2 = store.run_due_jobs(hours(2))
    r0 = ccr.Record(
        "r0", "L1", {"№": "0"}, [attempt(0, "r0 open"), attempt(1, "r0 done", completes=True)]
    )
    assert simple_2.path.read_bytes() == exported([r0], "simple")
    assert detailed_2.path.read_bytes() == exported([r0], "detailed")


def test_a_full_job_exports_the_whole_snapshot_each_run(store: ccr.ResultsStore, out: Path) -> None:
    store.add_job(job("full", out, report="simple", schedule="FREQ=DAILY", incremental=False))
    store.add_attempts(CAMPAIGN.name, [("L1", "r0", attempt(0, "x"))])
    (first,) = store.run_due_jobs(hours(1))
    (second,) = store.run_due_jobs(hours(25))
    assert first.rows == second.rows == 5
    expected = exported(list(store.records(CAMPAIGN.name)), "simple")
    assert first.path.read_bytes() == second.path.read_bytes() == expected


# --- failures ---------------------------------------------------------------------------------


def test_a_failed_run_is_recorded_raised_and_redone_first_with_its_window(
    store: ccr.ResultsStore, tmp_path: Path, out: Path
) -> None:
    missing = tmp_path / "missing"
    missing.mkdir()
    store.add_job(job("broken", missing))
    missing.rmdir()  # gone after the job was added
    store.add_job(job("fine", out))
    store.add_attempts(CAMPAIGN.name, [("L1", "r0", attempt(0, "a"))])

    with pytest.raises(ExceptionGroup) as group:
        store.run_due_jobs(hours(1))
    (failure,) = group.value.exceptions
    assert isinstance(failure, JobError)
    assert not isinstance(failure, ValueError)  # the job is fine; its run failed
    assert failure.job == "broken"
    assert "does not exist" in str(failure)
    assert isinstance(failure.__cause__, ccr.errors.ExportError)
    (fine,) = store.job_runs("fine")  # the other job still ran
    assert fine.rows == 1
    (failed,) = store.job_runs("broken")
    assert (failed.outcome, failed.due) == (ccr.JobOutcome.FAILED, hours(1))
    assert follows(failed.window, 0)
    assert "does not exist" in (failed.error or "")

    store.add_attempts(CAMPAIGN.name, [("L1", "r1", attempt(1, "b"))])
    missing.mkdir()
    redo, following = store.run_due_jobs(hours(2))[:2]
    assert (redo.due, redo.window, redo.path) == (hours(1), failed.window, failed.path)
    assert notes(redo.path) == ["a"]
    assert (following.due, notes(following.path)) == (hours(2), ["b"])
    assert follows(following.window, failed.window[1])
    assert [r.outcome for r in store.job_runs("broken")] == [ccr.JobOutcome.OK] * 2


def test_a_destination_replaced_by_a_file_fails_and_leaves_no_partial_file(
    store: ccr.ResultsStore, tmp_path: Path
) -> None:
    folder = tmp_path / "was-a-folder"
    folder.mkdir()
    store.add_job(job("j", folder))
    folder.rmdir()
    folder.write_text("not a folder")
    with pytest.raises(ExceptionGroup):
        store.run_due_jobs(hours(1))
    assert folder.read_text() == "not a folder"
    (run,) = store.job_runs("j")
    assert run.outcome is ccr.JobOutcome.FAILED


def test_a_full_disk_fails_the_run_and_the_redo_delivers_the_window(
    store: ccr.ResultsStore, out: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store.add_job(job("j", out))
    store.add_attempts(CAMPAIGN.name, [("L1", "r0", attempt(0, "a"))])

    def no_space(descriptor: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    with monkeypatch.context() as patch:
        patch.setattr(os, "fsync", no_space)
        with pytest.raises(ExceptionGroup) as group:
            store.run_due_jobs(hours(1))
    (failure,) = group.value.exceptions
    assert isinstance(failure.__cause__, OSError)
    assert failure.__cause__.errno == errno.ENOSPC
    assert list(out.iterdir()) == []  # no partial or temporary file

    (run,) = store.run_due_jobs(hours(1))
    assert (run.due, notes(run.path)) == (hours(1), ["a"])
    assert follows(run.window, 0)
    assert [p.name for p in out.iterdir()] == [run.path.name]


# --- schedules ----------------------------------------------------------------------------------


def dues(store: ccr.ResultsStore, name: str, moments: list[dt.datetime]) -> list[dt.datetime]:
    found = []
    for moment in moments:
        found += [run.due for run in store.run_due_jobs(moment) if run.job == name]
    return found


def test_daily_at_a_local_hour_stays_at_that_hour_across_a_dst_change(
    store: ccr.ResultsStore, out: Path
) -> None:
    start = dt.datetime(2026, 3, 6, tzinfo=NEW_YORK)
    store.add_job(job("daily", out, schedule="FREQ=DAILY;BYHOUR=6", start=start))
    moments = [dt.datetime(2026, 3, day, 12, tzinfo=UTC) for day in range(6, 11)]
    found = dues(store, "daily", moments)
    assert [d.astimezone(NEW_YORK).hour for d in found] == [6] * 5
    # 06:00 EST is 11:00 UTC; after the change (8 March) 06:00 EDT is 10:00 UTC.
    assert [d.hour for d in found] == [11, 11, 10, 10, 10]


def test_hourly_across_the_spring_forward_gap(store: ccr.ResultsStore, out: Path) -> None:
    start = dt.datetime(2026, 3, 8, tzinfo=NEW_YORK)
    store.add_job(job("hourly", out, start=start))
    moments = [dt.datetime(2026, 3, 8, 4, tzinfo=UTC) + dt.timedelta(hours=h) for h in range(6)]
    found = dues(store, "hourly", moments)
    # 01:00 EST, (02:00 does not exist), 03:00 EDT, 04:00, 05:00: each instant once, in order.
    assert found == sorted(set(found))
    assert [d.astimezone(NEW_YORK).hour for d in found] == [0, 1, 3, 4, 5]


def test_byday_rules(store: ccr.ResultsStore, out: Path) -> None:
    rule = "FREQ=WEEKLY;BYDAY=MO,TH;BYHOUR=9;BYMINUTE=30"
    store.add_job(job("weekly", out, schedule=rule))  # 1 March 2026 is a Sunday
    moments = [dt.datetime(2026, 3, day, 23, tzinfo=UTC) for day in range(1, 15)]
    found = dues(store, "weekly", moments)
    assert [(d.day, d.strftime("%a %H:%M")) for d in found] == [
        (2, "Mon 09:30"),
        (5, "Thu 09:30"),
        (9, "Mon 09:30"),
        (12, "Thu 09:30"),
    ]


def test_coalescing_runs_the_latest_missed_occurrence_once(
    store: ccr.ResultsStore, out: Path
) -> None:
    store.add_job(job("j", out, schedule="FREQ=MINUTELY;INTERVAL=15"))
    (run,) = store.run_due_jobs(hours(5) + dt.timedelta(minutes=7))
    assert run.due == hours(5)
    assert [r.due for r in store.job_runs("j")] == [hours(5)]


# --- a run written by another host ---------------------------------------------------------


@pytest.fixture
def hook(monkeypatch: pytest.MonkeyPatch) -> Iterator[Webhook]:
    monkeypatch.setenv("SSL_CERT_FILE", str(Path(__file__).parent / "tls" / "cert.pem"))
    with Webhook(token=None) as receiver:
        yield receiver


def undelivered_run(store_target: str, spool: Path, hook: Webhook) -> ccr.JobRun:
    """A run written into ``spool`` by one host (its store object), its delivery failed."""
    with ccr.ResultsStore(store_target, spool=spool) as host:
        host.put_campaign(CAMPAIGN)
        host.add_records(CAMPAIGN.name, RECORDS)
        host.add_job(job("feed", ccr.Remote(hook.url)))  # type: ignore[arg-type]
        host.add_attempts(
            CAMPAIGN.name, [("L1", "r0", attempt(0.5, "a")), ("L2", "r3", attempt(0.2, "b"))]
        )
        hook.answers = [503]
        with pytest.raises(ExceptionGroup):
            host.run_due_jobs(hours(1))
        (run,) = host.job_runs("feed")
    assert run.delivered_at is None
    assert run.path.parent.parent == spool
    return run


def test_a_run_written_by_another_host_is_written_again_here_and_delivered_once(
    store_target: str, tmp_path: Path, hook: Webhook
) -> None:
    run = undelivered_run(store_target, tmp_path / "host-a", hook)
    shutil.rmtree(tmp_path / "host-a")  # the host that wrote it is another machine
    with ccr.ResultsStore(store_target, spool=tmp_path / "host-b") as here:
        # Ingested after the run's window: the run's file must not hold it.
        here.add_attempts(CAMPAIGN.name, [("L1", "r1", attempt(1.2, "later"))])
        assert here.run_due_jobs(hours(1.5)) == ()  # nothing due: the run is delivered
        (delivered,) = here.job_runs("feed")
        assert here.run_due_jobs(hours(1.6)) == ()
    ((headers, body),) = hook.received.values()
    assert hook.resent == []
    r0 = ccr.Record("r0", "L1", {"№": "0"}, [attempt(0.5, "a")])
    r3 = ccr.Record("r3", "L2", {"№": "3"}, [attempt(0.2, "b")])
    assert body == exported([r0, r3], "detailed-interval")
    assert headers["X-File-SHA256"] == run.sha256 == hashlib.sha256(body).hexdigest()
    assert delivered.delivered_at is not None
    assert (delivered.path, delivered.window) == (run.path, run.window)
    assert list((tmp_path / "host-b").rglob("*.csv")) == []  # the store holds its source


def test_a_run_whose_window_changed_since_is_left_to_the_host_that_wrote_it(
    store_target: str, tmp_path: Path, hook: Webhook
) -> None:
    run = undelivered_run(store_target, tmp_path / "host-a", hook)
    written = run.path.read_bytes()
    moved = tmp_path / "elsewhere"
    run.path.parent.rename(moved)  # host A's spool, not reachable from here
    with ccr.ResultsStore(store_target, spool=tmp_path / "host-b") as here:
        # r0's fields change: the window's file written now would not be the same.
        here.add_records(CAMPAIGN.name, [ccr.Record("r0", "L1", {"№": "zero"})])
        with pytest.raises(ExceptionGroup) as group:
            here.run_due_jobs(hours(1.5))
        (failure,) = group.value.exceptions
        assert isinstance(failure, ccr.errors.DeliveryError)
        assert "holds other bytes" in str(failure)
        assert run.sha256 in str(failure)
        assert hook.received == {}
        assert list((tmp_path / "host-b").rglob("*.csv")) == []
    moved.rename(run.path.parent)  # host A again: it delivers its own file
    with ccr.ResultsStore(store_target, spool=tmp_path / "host-a") as host_a:
        assert host_a.run_due_jobs(hours(1.5)) == ()
        (delivered,) = host_a.job_runs("feed")
    assert delivered.delivered_at is not None
    assert [body for _, body in hook.received.values()] == [written]
