"""The results store against hostile input: job files in a shared folder, damaged values."""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import hashlib
import io
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import tracemalloc
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import cloudcontact_results as ccr
from cloudcontact_results.cli import main
from cloudcontact_results.errors import ExportError, JobError, StoreError
from tests.conftest import examples

from .test_store_jobs import CAMPAIGN, NEW_YORK, RECORDS, attempt, hours, job, notes


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


# --- damaged values -------------------------------------------------------------------------


def damage(store: ccr.ResultsStore, table: str, column: str, value: object) -> None:
    """Set ``column`` of every row of ``table`` behind the store's back (integrity stays fine)."""
    with sqlite3.connect(store.path) as connection:
        connection.execute(f"UPDATE {table} SET {column} = ?", (value,))  # noqa: S608
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    connection.close()


def test_a_damaged_campaign_definition_is_a_store_error_naming_table_and_row(
    store: ccr.ResultsStore, tmp_path: Path
) -> None:
    damage(store, "campaigns", "definition", '{"name": "Обзвон", "lists": [')
    with ccr.ResultsStore(store.path) as again:
        with pytest.raises(StoreError, match=r"table 'campaigns', row 1: a damaged value"):
            again.campaign(CAMPAIGN.name)
        with pytest.raises(StoreError, match=r"JSONDecodeError|ReadError"):
            again.export(CAMPAIGN.name, tmp_path / "a.csv")


def test_a_damaged_zone_is_a_store_error_not_zoneinfo_not_found(
    store: ccr.ResultsStore,
) -> None:
    store.add_attempts(CAMPAIGN.name, [("L1", "r0", attempt(0, "a"))])
    damage(store, "zones", "name", "Europe/Atlantis")
    with pytest.raises(StoreError, match=r"table 'zones'.*ZoneInfoNotFoundError"):
        list(store.records(CAMPAIGN.name))


@pytest.mark.parametrize("column", ["attempts", "data", "summary"])
def test_a_packed_record_cut_short_is_a_store_error_not_eof_error(
    store: ccr.ResultsStore, column: str
) -> None:
    store.add_attempts(CAMPAIGN.name, [("L1", "r0", attempt(0, "a"))])
    with sqlite3.connect(store.path) as connection:
        connection.execute(
            f"UPDATE records SET {column} = substr({column}, 1, 9) WHERE record_id = 'r0'"  # noqa: S608
        )
    connection.close()
    where = r"table 'records', row \('L1', 'r0'\).*EOFError"
    if column != "summary":  # the records are built from their attempts, not the summary
        with pytest.raises(StoreError, match=where):
            list(store.records(CAMPAIGN.name))
    if column != "attempts":  # a simple export reads the fields and the summary only
        with pytest.raises(StoreError, match=where):
            store.export(CAMPAIGN.name, io.BytesIO())
    if column == "attempts":  # what ingest reads and rewrites
        with pytest.raises(StoreError, match=r"table 'records', row 1: .*EOFError"):
            store.add_attempts(CAMPAIGN.name, [("L1", "r0", attempt(1, "b"))])


def test_a_damaged_job_is_reported_and_the_other_jobs_still_run(
    store: ccr.ResultsStore, out: Path
) -> None:
    store.add_job(job("broken", out))
    store.add_job(job("fine", out))
    with sqlite3.connect(store.path) as connection:
        connection.execute("UPDATE jobs SET definition = '{\"name\": 1}' WHERE name = 'broken'")
    connection.close()
    with pytest.raises(ExceptionGroup) as group:
        store.run_due_jobs(hours(1))
    (failure,) = group.value.exceptions
    assert isinstance(failure, StoreError)
    assert "table 'jobs', row 1" in str(failure)
    assert [run.outcome for run in store.job_runs("fine")] == [ccr.JobOutcome.OK]
    with pytest.raises(StoreError, match="table 'jobs'"):
        store.jobs(CAMPAIGN.name)


def test_a_damaged_run_is_a_store_error_naming_its_table(
    store: ccr.ResultsStore, out: Path
) -> None:
    store.add_job(job("broken", out))
    store.add_job(job("fine", out))
    out.rmdir()  # both runs fail, to be redone
    with pytest.raises(ExceptionGroup):
        store.run_due_jobs(hours(1))
    out.mkdir()
    damage(store, "job_runs", "due", "yesterday")
    with pytest.raises(ExceptionGroup) as group:
        store.run_due_jobs(hours(2))
    assert all(isinstance(each, StoreError) for each in group.value.exceptions)
    assert "table 'job_runs'" in str(group.value.exceptions[0])
    with pytest.raises(StoreError, match="table 'job_runs'"):
        store.job_runs("fine")


def test_store_export_of_a_damaged_store_is_one_error_line(
    store: ccr.ResultsStore, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    damage(store, "campaigns", "definition", "[")
    target = tmp_path / "a.csv"
    assert main(["store", "export", str(store.path), CAMPAIGN.name, "-o", str(target)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: store ")
    assert "table 'campaigns'" in err
    assert "Traceback" not in err
    assert not target.exists()


def test_jobs_run_reports_a_damaged_job_and_runs_the_others(
    store: ccr.ResultsStore, out: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store.add_job(job("broken", out))
    store.add_job(job("fine", out))
    with sqlite3.connect(store.path) as connection:
        connection.execute("UPDATE jobs SET definition = 'x' WHERE name = 'broken'")
    connection.close()
    now = ["--now", "2026-03-01T01:00Z"]
    assert main(["store", "jobs", "run", str(store.path), *now]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "table 'jobs', row 1" in err
    assert [run.outcome for run in store.job_runs("fine")] == [ccr.JobOutcome.OK]


# --- fuzz: damaged values, only the library's errors, bounded -----------------------------

SECONDS = 5.0
PEAK_MB = 200.0
#: (table, column) of the values the store decodes itself.
DAMAGEABLE = (
    ("campaigns", "definition"),
    ("campaigns", "archive_options"),
    ("zones", "name"),
    ("dispositions", "name"),
    ("records", "data"),
    ("records", "summary"),
    ("records", "attempts"),
    ("jobs", "definition"),
    ("job_runs", "due"),
    ("job_runs", "file"),
    ("job_runs", "finished"),
    ("archives", "created"),
    ("archives", "records"),
    ("platform_sync", "watermark"),
)


@functools.cache
def template() -> Path:
    """A store holding a value of every damageable column."""
    folder = Path(tempfile.mkdtemp(prefix="ccr-damage-"))
    path = folder / "template.sqlite"
    out = folder / "out"
    out.mkdir()
    lists = [ccr.CallingList(name, ["№"]) for name in ("L1", "L2", "L3")]
    campaign = ccr.Campaign(CAMPAIGN.name, lists)
    with ccr.ResultsStore(path) as store:
        store.put_campaign(campaign, archive_options=ccr.ExportOptions(language="ru"))
        store.add_records(CAMPAIGN.name, [*RECORDS, ccr.Record("r9", "L3", {"№": "9"})])
        moscow = attempt(0, "a").time.astimezone(NEW_YORK)
        store.add_attempts(
            CAMPAIGN.name,
            [
                ("L1", "r0", attempt(0, "a", completes=True)),
                ("L2", "r3", ccr.Attempt("+1", moscow, note="b")),
                ("L3", "r9", attempt(1, "c")),
            ],
        )
        store.add_synced_records(CAMPAIGN.name, "L1", "platform", [], hours(1))
        store.add_job(job("j", out))
        store.run_due_jobs(hours(1))
        store.put_campaign(ccr.Campaign(CAMPAIGN.name, lists[:2]))  # L3 archived
    return path


def damaged_values() -> st.SearchStrategy[object]:
    return st.one_of(
        st.text(max_size=40),
        st.sampled_from(["{}", "[]", "null", '{"name": 1}', "Europe", "x" * 300, "\x00"]),
        st.integers(min_value=-(2**63), max_value=2**63 - 1),
        st.floats(allow_nan=True),
        # Not a marshalled list, tuple or set: its count is trusted (docs/security.md).
        st.binary(max_size=40).filter(lambda data: not data or data[0] & 0x7F not in b"([<>"),
    )


def operations(store: ccr.ResultsStore, out: Path) -> None:
    """Everything that reads stored values back; each may fail, only with our errors."""
    steps = [
        lambda: store.campaign(CAMPAIGN.name),
        lambda: list(store.records(CAMPAIGN.name)),
        lambda: store.export(CAMPAIGN.name, io.BytesIO()),
        lambda: store.jobs(CAMPAIGN.name),
        lambda: store.job_runs("j"),
        lambda: store.archives(CAMPAIGN.name),
        lambda: store.sync_watermark(CAMPAIGN.name, "L1", "platform"),
        lambda: store.add_attempts(CAMPAIGN.name, [("L1", "r0", attempt(5, "z"))]),
        lambda: store.run_due_jobs(hours(3)),
        lambda: store.remove_list(CAMPAIGN.name, "L2"),
    ]
    for step in steps:
        try:
            step()
        except ExceptionGroup as group:
            foreign = [each for each in group.exceptions if not isinstance(each, ccr.ResultsError)]
            if foreign:
                raise
        except ccr.ResultsError:
            pass


@pytest.mark.slow
@given(
    target=st.sampled_from(DAMAGEABLE),
    value=damaged_values(),
    cut=st.integers(min_value=0, max_value=200),
    truncate=st.booleans(),
)
@settings(max_examples=examples(60))
def test_a_store_with_damaged_values_raises_only_the_librarys_errors(
    target: tuple[str, str], value: object, cut: int, truncate: bool
) -> None:
    table, column = target
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "results.sqlite"
        shutil.copyfile(template(), path)
        with (
            sqlite3.connect(path) as connection,
            contextlib.suppress(sqlite3.IntegrityError),  # NOT NULL, CHECK, UNIQUE
        ):
            if truncate:
                connection.execute(
                    f"UPDATE {table} SET {column} = substr({column}, 1, ?)",  # noqa: S608
                    (cut,),
                )
            else:
                connection.execute(f"UPDATE {table} SET {column} = ?", (value,))  # noqa: S608
        connection.close()
        out = Path(folder) / "out"
        out.mkdir()
        tracemalloc.start()
        # CPU seconds of this process, not wall time: the budget is for the work,
        # and a busy machine (other processes, a parallel run) stretches wall time.
        started = time.process_time()
        try:
            with ccr.ResultsStore(path) as store:
                operations(store, out)
        except ccr.ResultsError:
            pass
        finally:
            elapsed = time.process_time() - started
            peak = tracemalloc.get_traced_memory()[1] / (1024 * 1024)
            tracemalloc.stop()
        assert elapsed < SECONDS, f"{elapsed:.1f} s"
        assert peak < PEAK_MB, f"{peak:.0f} MB"


# --- results that leave the campaign between runs -----------------------------------------


def archived_notes(store: ccr.ResultsStore, archive: ccr.Archive) -> list[str]:
    data = io.BytesIO(store.archive_bytes(archive))
    return [row.call_note for row in ccr.read_report(data, member="detailed.csv")]


def test_attempts_of_a_removed_list_are_in_one_job_file_or_else_in_its_archive(
    store: ccr.ResultsStore, out: Path
) -> None:
    store.add_job(job("j", out))
    store.add_attempts(
        CAMPAIGN.name, [("L1", "r0", attempt(0, "a")), ("L2", "r3", attempt(0, "b"))]
    )
    store.run_due_jobs(hours(1))
    store.add_attempts(
        CAMPAIGN.name, [("L1", "r1", attempt(1, "c")), ("L2", "r4", attempt(1, "d"))]
    )
    archive = store.remove_list(CAMPAIGN.name, "L2")
    store.add_attempts(CAMPAIGN.name, [("L1", "r2", attempt(2, "e"))])
    store.run_due_jobs(hours(2))

    in_files = [note for run in store.job_runs("j") for note in notes(run.path)]
    in_archive = archived_notes(store, archive)
    assert sorted(in_files) == ["a", "b", "c", "e"]  # each once
    assert sorted(in_archive) == ["b", "d"]  # the whole list: "d" no run covered
    assert set(in_files) | set(in_archive) == {"a", "b", "c", "d", "e"}
    assert sum(run.rows for run in store.job_runs("j")) == len(in_files)


@pytest.mark.slow
def test_serve_logs_a_damaged_job_and_runs_the_others(store: ccr.ResultsStore, out: Path) -> None:
    store.add_job(job("broken", out))
    store.add_job(job("fine", out))
    with sqlite3.connect(store.path) as connection:
        connection.execute("UPDATE jobs SET definition = '[' WHERE name = 'broken'")
    connection.close()
    process = subprocess.Popen(
        [sys.executable, "-m", "cloudcontact_results", "store", "serve", str(store.path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        encoding="utf-8",
    )
    try:
        deadline = time.monotonic() + 30
        while not list(out.glob("fine_*.csv")) and time.monotonic() < deadline:
            time.sleep(0.1)
        time.sleep(0.5)
        assert process.poll() is None, process.communicate()
    finally:
        process.send_signal(signal.SIGTERM)
        _, err = process.communicate(timeout=10)
    assert process.returncode == 0, err
    assert list(out.glob("fine_*.csv"))
    assert "table 'jobs', row 1" in err
    assert "Traceback" not in err
