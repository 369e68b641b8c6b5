"""The results store against hostile input: job files in a shared folder, damaged values."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import threading
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

import cloudcontact_results as ccr
from cloudcontact_results.errors import ExportError, JobError

from .test_store_jobs import CAMPAIGN, RECORDS, attempt, hours, job, notes


@pytest.fixture
def store(tmp_path: Path) -> Iterator[ccr.ResultsStore]:
    with ccr.ResultsStore(tmp_path / "results.sqlite") as store:
        store.put_campaign(CAMPAIGN)
        store.add_records(CAMPAIGN.name, RECORDS)
        yield store


@pytest.fixture
def out(tmp_path: Path) -> Path:
    folder = tmp_path / "out"
    folder.mkdir()
    return folder


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def failure_of(store: ccr.ResultsStore, now: dt.datetime) -> JobError:
    with pytest.raises(ExceptionGroup) as group:
        store.run_due_jobs(now)
    (failure,) = group.value.exceptions
    assert isinstance(failure, JobError)
    return failure


# --- job file names ----------------------------------------------------------------------


def test_jobs_whose_names_differ_in_unsafe_characters_write_different_files(
    store: ccr.ResultsStore, out: Path
) -> None:
    for name in ("daily:eu", "daily_eu", "daily%3Aeu", "daily/eu"):
        store.add_job(job(name, out))
    store.add_attempts(CAMPAIGN.name, [("L1", "r0", attempt(0, "a"))])
    runs = store.run_due_jobs(hours(1))
    assert len({run.path for run in runs}) == 4
    for run in runs:
        (kept,) = store.job_runs(run.job)
        assert run.path.parent == out
        assert sha256(run.path) == kept.sha256
        assert notes(run.path) == ["a"]
    assert {run.path.name for run in runs} == {
        "daily%3Aeu_20260301T010000Z.csv",
        "daily_eu_20260301T010000Z.csv",
        "daily%253Aeu_20260301T010000Z.csv",
        "daily%2Feu_20260301T010000Z.csv",
    }


def test_a_file_already_at_a_new_runs_name_is_never_replaced(
    store: ccr.ResultsStore, out: Path
) -> None:
    store.add_job(job("j", out))
    taken = out / "j_20260301T010000Z.csv"
    taken.write_text("someone else's")
    failure = failure_of(store, hours(1))
    assert "already at the job file's name" in str(failure)
    assert isinstance(failure.__cause__, ExportError)
    assert taken.read_text() == "someone else's"
    taken.unlink()
    (redo,) = store.run_due_jobs(hours(1))
    assert redo.path == taken
    assert sha256(taken) == store.job_runs("j")[-1].sha256


def test_a_redo_replaces_the_file_its_own_crashed_attempt_left(
    store: ccr.ResultsStore, out: Path
) -> None:
    store.add_job(job("j", out))
    store.add_attempts(CAMPAIGN.name, [("L1", "r0", attempt(0, "a"))])
    (run,) = store.run_due_jobs(hours(1))
    # As if the process died after renaming the file into place, before recording it.
    with store._write() as connection:
        connection.execute("UPDATE job_runs SET outcome = 'failed'")
    run.path.write_text("half")
    (redo,) = store.run_due_jobs(hours(1))
    assert redo.path == run.path
    assert notes(redo.path) == ["a"]


def test_a_compressed_job_file_is_the_export_of_its_path(
    store: ccr.ResultsStore, out: Path, tmp_path: Path
) -> None:
    options = ccr.ExportOptions(
        format="detailed",
        compress=True,
        zip_timestamp=dt.datetime(2026, 3, 1, 12),  # noqa: DTZ001 - zip times are local
    )
    store.add_job(ccr.ExportJob("z:1", CAMPAIGN.name, options, "FREQ=HOURLY", out, hours(0), False))
    store.add_attempts(CAMPAIGN.name, [("L1", "r0", attempt(0, "a", completes=True))])
    (run,) = store.run_due_jobs(hours(1))
    expected = tmp_path / run.path.name
    store.export(CAMPAIGN.name, expected, options)
    assert run.path.read_bytes() == expected.read_bytes()
    assert zipfile.ZipFile(run.path).namelist() == ["z%3A1_20260301T010000Z.csv"]
    assert (run.bytes, run.sha256) == (run.path.stat().st_size, sha256(run.path))


# --- relative destinations -----------------------------------------------------------------


def test_a_relative_destination_is_kept_absolute_when_the_job_is_added(
    store: ccr.ResultsStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second = tmp_path / "first", tmp_path / "second"
    for folder in (first / "out", second / "out"):
        folder.mkdir(parents=True)
    monkeypatch.chdir(first)
    store.add_job(job("j", Path("out")))
    (kept,) = store.jobs(CAMPAIGN.name)
    assert kept.destination == first / "out"
    monkeypatch.chdir(second)
    store.add_attempts(CAMPAIGN.name, [("L1", "r0", attempt(0, "a"))])
    (run,) = store.run_due_jobs(hours(1))
    assert run.path.parent == first / "out"
    assert list((second / "out").iterdir()) == []


def test_a_destination_that_is_no_folder_is_refused_when_the_job_is_added(
    store: ccr.ResultsStore, tmp_path: Path
) -> None:
    with pytest.raises(ExportError, match=r"missing.*No such file"):
        store.add_job(job("j", tmp_path / "missing"))
    (tmp_path / "file").write_text("")
    with pytest.raises(ExportError, match="is not a folder"):
        store.add_job(job("j", tmp_path / "file"))
    assert store.jobs(CAMPAIGN.name) == ()


# --- planted names in a writable folder ---------------------------------------------------


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes")
def test_a_fifo_planted_at_the_next_name_does_not_block_the_run(
    store: ccr.ResultsStore, out: Path
) -> None:
    store.add_job(job("j", out))
    store.add_job(job("k", out))
    fifo = out / "j_20260301T010000Z.csv"
    os.mkfifo(fifo)
    outcome: list[BaseException | tuple[ccr.JobRun, ...]] = []

    def run() -> None:
        try:
            outcome.append(store.run_due_jobs(hours(1)))
        except BaseException as error:  # noqa: BLE001 - looked at below
            outcome.append(error)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(10)
    if thread.is_alive():  # release it: open the pipe's other end
        os.close(os.open(fifo, os.O_RDONLY | os.O_NONBLOCK))
        thread.join(10)
        pytest.fail("the run blocked on a planted pipe")
    (group,) = outcome
    assert isinstance(group, ExceptionGroup)
    (failure,) = group.exceptions
    assert failure.job == "j"
    assert fifo.is_fifo()
    assert [run.outcome for run in store.job_runs("k")] == [ccr.JobOutcome.OK]


def test_a_symlink_planted_at_the_next_name_is_not_followed(
    store: ccr.ResultsStore, out: Path, tmp_path: Path
) -> None:
    store.add_job(job("j", out))
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    planted = out / "j_20260301T010000Z.csv"
    planted.symlink_to(victim)
    failure = failure_of(store, hours(1))
    assert "symbolic link" in str(failure)
    assert victim.read_text() == "keep me"
    assert planted.is_symlink()


def test_a_job_name_with_glob_characters_leaves_other_jobs_temporary_files(
    store: ccr.ResultsStore, out: Path
) -> None:
    store.add_job(job("[a-z]x", out))
    # A live writer's temporary file (this process is alive) for job "ax"'s file.
    live = out / f".ax_20260301T010000Z.csv.cloudcontact.{os.getpid()}.0123abcd.part"
    live.write_text("being written")
    (run,) = store.run_due_jobs(hours(1))
    assert run.path.name == "[a-z]x_20260301T010000Z.csv"
    assert live.read_text() == "being written"
