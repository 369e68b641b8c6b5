"""Several processes on one store, and processes killed with SIGKILL in the middle of a write.

Real processes (``tests/support/store_worker.py`` run with :mod:`subprocess`), a
real SQLite file (and, for the export jobs, a real PostgreSQL database too), real
``SIGKILL``. What the store must hold afterwards is
computed from the worker's deterministic data and the stateless export.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
import itertools
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import attrs
import pytest

import cloudcontact_results as ccr
from cloudcontact_results.errors import UnknownNameError
from tests.support import store_worker as worker

pytestmark = [
    pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="SIGKILL is a POSIX signal"),
    pytest.mark.slow,  # real worker processes, many of them killed
]

WORKER = Path(__file__).parent / "support" / "store_worker.py"
NAME = worker.CAMPAIGN.name
#: Kills per kind of write: adding attempts, replacing, removing a list, running a job.
TRIALS = 11
#: The seconds within which a PostgreSQL job run is killed (SQLite's: 0.08).
KILL_PG = 0.3


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("base") / "base.sqlite"
    worker.base_store(path)
    return path


@pytest.fixture
def store_path(base: Path, tmp_path: Path) -> Path:
    path = tmp_path / "store.sqlite"
    shutil.copyfile(base, path)
    return path


@pytest.fixture
def job_store(backend: str, base: Path, tmp_path: Path, request: pytest.FixtureRequest) -> str:
    """The base store, as a file or as a new PostgreSQL database."""
    if backend == "sqlite":
        path = tmp_path / "store.sqlite"
        shutil.copyfile(base, path)
        return str(path)
    url = str(request.getfixturevalue("postgres_url"))
    worker.base_store(url)
    return url


def start(*arguments: object) -> subprocess.Popen[str]:
    return ready(spawn(*arguments))


def spawn(*arguments: object) -> subprocess.Popen[str]:
    """A worker started, not waited for: :func:`ready` waits."""
    return subprocess.Popen(
        [sys.executable, str(WORKER), *map(str, arguments)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def ready(process: subprocess.Popen[str]) -> subprocess.Popen[str]:
    """``process`` once it has its store open."""
    assert process.stdout is not None
    # Byte by byte from the pipe: a buffered readline could take later lines
    # with it, which communicate() would then never see.
    line = b""
    while not line.endswith(b"\n") and (byte := os.read(process.stdout.fileno(), 1)):
        line += byte
    assert line == b"ready\n", process.communicate()[1]
    return process


def finish(process: subprocess.Popen[str]) -> str:
    out, err = process.communicate(timeout=120)
    assert process.returncode == 0, err
    assert err == ""
    return out


def detailed(records: list[ccr.Record], list_name: str) -> bytes:
    stream = io.BytesIO()
    options = ccr.ExportOptions(format="detailed", lists=[list_name])
    ccr.export(worker.CAMPAIGN, records, stream, options)
    return stream.getvalue()


def simple(records: list[ccr.Record], list_name: str) -> bytes:
    stream = io.BytesIO()
    ccr.export(worker.CAMPAIGN, records, stream, ccr.ExportOptions(lists=[list_name]))
    return stream.getvalue()


def fed(batches: int) -> list[ccr.Record]:
    """The feed's records after the first ``batches`` batches."""
    attempts: dict[str, list[ccr.Attempt]] = {}
    for number in range(batches):
        for _, record_id, attempt in worker.batch(number):
            attempts.setdefault(record_id, []).append(attempt)
    return [attrs.evolve(r, attempts=attempts.get(r.id, [])) for r in worker.feed_records()]


def assert_archive_holds(
    store: ccr.ResultsStore, archive: ccr.Archive, records: list[ccr.Record]
) -> None:
    with zipfile.ZipFile(io.BytesIO(store.archive_bytes(archive))) as zipped:
        assert zipped.read("detailed.csv") == detailed(records, archive.list_name)
        assert zipped.read("simple.csv") == simple(records, archive.list_name)
        manifest = json.loads(zipped.read("manifest.json"))
    assert manifest["attempts"] == archive.attempts == sum(len(r.attempts) for r in records)
    assert manifest["records"] == archive.records == len(records)


def assert_writable(path: Path) -> None:
    """The store opens after the crash and takes writes: no lock was left behind."""
    with ccr.ResultsStore(path, timeout=5) as store:
        extra = ccr.Record("after-crash", "L2", {"№": "x"})
        assert store.add_records(NAME, [extra]) == 1


# --- several processes at once --------------------------------------------------------


def test_exports_never_show_part_of_a_batch_while_two_writers_feed(
    store_path: Path, tmp_path: Path
) -> None:
    stop, out = tmp_path / "stop", tmp_path / "seen.json"
    exporter = start("export", store_path, out, stop)
    writers = [start("feed", store_path, 0, 30, 0.005), start("feed", store_path, 30, 60, 0.005)]
    for writer in writers:
        finish(writer)
    stop.touch()
    finish(exporter)

    seen: list[dict[str, int]] = json.loads(out.read_text())
    batches = [{note for note in counts if note.startswith("b")} for counts in seen]
    for counts in seen:
        for note, count in counts.items():
            assert count == worker.BATCH_SIZE, f"{note}: {count} of a batch's attempts"
    for earlier, later in itertools.pairwise(batches):
        assert earlier <= later  # nothing once seen is lost
    assert batches[-1] == {f"b{n}" for n in range(60)}
    assert any(0 < len(b) < 60 for b in batches), "no export ran while the writers wrote"
    with ccr.ResultsStore(store_path) as store:
        by_id = {r.id: r for r in store.records(NAME, lists=["L2"])}
    expected = fed(60)
    # The two writers interleave, so compare each record's attempts as a set.
    for record in expected:
        assert set(by_id[record.id].attempts) == set(record.attempts)


# --- kill -9 ----------------------------------------------------------------------------


def killed(process: subprocess.Popen[str], after: float) -> None:
    time.sleep(after)
    with contextlib.suppress(ProcessLookupError):  # it may have finished its work already
        os.kill(process.pid, signal.SIGKILL)
    process.communicate(timeout=60)


def trials(kind: str, count: int = TRIALS) -> list[object]:
    """Seeded moments (fractions of the write's duration) at which to kill."""
    return [
        pytest.param(random.Random(f"{kind}{trial}").random(), id=f"{kind}-{trial}")  # noqa: S311
        for trial in range(count)
    ]


@pytest.mark.parametrize("when", trials("feed"))
def test_kill_during_add_attempts_leaves_whole_batches(store_path: Path, when: float) -> None:
    killed(start("feed", store_path, 0, 1000), when * 0.6)
    with ccr.ResultsStore(store_path) as store:
        records = list(store.records(NAME, lists=["L2"]))
        notes = {a.note for r in records for a in r.attempts}
        assert records == fed(len(notes))
        # L1 untouched.
        assert list(store.records(NAME, lists=["L1"])) == worker.version_records(0)
    assert_writable(store_path)


@pytest.mark.parametrize("when", trials("replace"))
def test_kill_during_replace_leaves_every_version_live_or_archived(
    store_path: Path, when: float
) -> None:
    killed(start("replace", store_path), when * 0.5)
    with ccr.ResultsStore(store_path) as store:
        live = list(store.records(NAME, lists=["L1"]))
        version = int(live[0].id.split("-")[0][1:])
        assert live == worker.version_records(version)
        archives = store.archives(NAME)
        assert [a.reason for a in archives] == [ccr.ArchiveReason.REPLACED] * version
        for number, archive in enumerate(archives):
            assert_archive_holds(store, archive, worker.version_records(number))
        assert list(store.records(NAME, lists=["L2"])) == worker.feed_records()
    assert_writable(store_path)


@pytest.mark.parametrize("when", trials("remove"))
def test_kill_during_remove_list_leaves_the_list_live_or_archived(
    store_path: Path, when: float
) -> None:
    killed(start("remove", store_path), when * 0.07)
    original = worker.version_records(0)
    with ccr.ResultsStore(store_path) as store:
        archives = store.archives(NAME)
        if archives:
            (archive,) = archives
            assert archive.reason is ccr.ArchiveReason.REMOVED
            assert_archive_holds(store, archive, original)
            assert [cl.name for cl in store.campaign(NAME).lists] == ["L2"]
            with pytest.raises(UnknownNameError):
                store.records(NAME, lists=["L1"])
        else:
            assert store.campaign(NAME) == worker.CAMPAIGN
            assert list(store.records(NAME, lists=["L1"])) == original
    assert_writable(store_path)


# --- export jobs ------------------------------------------------------------------------------


def add_job(path: Path | str, folder: Path) -> None:
    folder.mkdir(exist_ok=True)
    with ccr.ResultsStore(path) as store:
        options = ccr.ExportOptions(format="detailed-interval")
        store.add_job(ccr.ExportJob("feed", NAME, options, "FREQ=HOURLY", folder, worker.START))


def rows_of(data: bytes) -> list[tuple[str, ...]]:
    rows = list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))
    return [tuple(row) for row in rows[1:]]


def assert_delivered_once(path: Path | str, folder: Path) -> None:
    """The job's files partition every attempt, and nothing else is in the folder."""
    with ccr.ResultsStore(path) as store:
        runs = store.job_runs("feed")
        records = list(store.records(NAME))
    assert all(run.outcome is ccr.JobOutcome.OK for run in runs)
    assert [run.window[0] for run in runs] == [0] + [run.window[1] for run in runs[:-1]]
    assert sorted(p.name for p in folder.iterdir()) == sorted(run.path.name for run in runs)
    delivered = [row for run in runs for row in rows_of(run.path.read_bytes())]
    stream = io.BytesIO()
    ccr.export(worker.CAMPAIGN, records, stream, ccr.ExportOptions(format="detailed"))
    assert sorted(delivered) == sorted(rows_of(stream.getvalue()))


@pytest.mark.parametrize("when", trials("job", 2 * TRIALS))
def test_kill_during_a_job_run_then_the_next_call_delivers_the_window(
    job_store: str, backend: str, tmp_path: Path, when: float
) -> None:
    folder = tmp_path / "out"
    add_job(job_store, folder)
    # A run takes longer on a server (connections, round trips): kill within it too.
    killed(start("jobs", job_store, 1.5), when * (0.08 if backend == "sqlite" else KILL_PG))
    with ccr.ResultsStore(job_store) as store:
        # Ingested after the killed run claimed its window, or before: either way
        # the redo keeps the claimed window and the next run takes the rest.
        store.add_attempts(NAME, worker.batch(0))
        store.run_due_jobs(worker.START + dt.timedelta(hours=1.5))  # redoes, or runs it
        (last,) = store.run_due_jobs(worker.START + dt.timedelta(hours=2))
        assert last.due == worker.START + dt.timedelta(hours=2)
    assert_delivered_once(job_store, folder)


def test_two_processes_running_jobs_at_once_never_run_one_twice(
    job_store: str, tmp_path: Path
) -> None:
    folder = tmp_path / "out"
    add_job(job_store, folder)
    for hour in (1, 2, 3):
        with ccr.ResultsStore(job_store) as store:
            store.add_attempts(NAME, worker.batch(hour))
        go = tmp_path / f"go-{hour}"
        both = [start("jobs", job_store, hour, go), start("jobs", job_store, hour, go)]
        go.touch()
        written = [int(finish(process).split()[-1]) for process in both]
        assert sorted(written) == [0, 1]
    assert_delivered_once(job_store, folder)
    with ccr.ResultsStore(job_store) as store:
        assert len(store.job_runs("feed")) == 3
