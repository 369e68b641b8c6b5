"""Several processes on one store, and processes killed with SIGKILL in the middle of a write.

Real processes (``tests/support/store_worker.py`` run with :mod:`subprocess`), a
real SQLite file or PostgreSQL database, real ``SIGKILL`` of a writer, a job
runner or ``store serve`` (of the PostgreSQL server itself:
``tests/test_store_postgres_faults.py``). What the store must hold afterwards
is computed from the worker's deterministic data and the stateless export.
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
import psycopg
import pytest

import cloudcontact_results as ccr
from cloudcontact_results.errors import UnknownNameError
from tests.support import store_worker as worker
from tests.support.postgres import PostgresServer

pytestmark = [
    pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="SIGKILL is a POSIX signal"),
    pytest.mark.slow,  # real worker processes, many of them killed
]

WORKER = Path(__file__).parent / "support" / "store_worker.py"
NAME = worker.CAMPAIGN.name
#: Kills per kind of write: adding attempts, replacing, removing a list, running a job.
TRIALS = 11
#: Seconds after its start within which a writer is killed, per database: about
#: the time its write takes there (a batch of attempts, a few versions of a list
#: replaced, one list removed, a job run: a server adds connections and round
#: trips), so that kills fall before, during and after it.
WINDOWS = {
    "sqlite": {"feed": 0.6, "replace": 0.5, "remove": 0.15, "job": 0.08},
    "postgresql": {"feed": 0.6, "replace": 1.2, "remove": 0.2, "job": 0.3},
}
_COPIES = itertools.count()


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


def base_database(server: PostgresServer) -> str:
    """The base store in a new database of ``server``: its name, for copies of it."""
    name = f"processes_base_{os.getpid()}_{next(_COPIES)}"
    with pytest.MonkeyPatch.context() as patch:
        for variable, value in server.environment().items():
            patch.setenv(variable, value)
        worker.base_store(server.create_database(name))
    return name


def copy_of(server: PostgresServer, base: str) -> str:
    """A new database holding what ``base`` holds (its template); its URL."""
    name = f"processes_{os.getpid()}_{next(_COPIES)}"
    server.psql(f'CREATE DATABASE "{name}" TEMPLATE "{base}"')
    return server.url(name)


@pytest.fixture(scope="module")
def postgres_base(postgres_server: PostgresServer) -> str:
    return base_database(postgres_server)


@pytest.fixture
def target(backend: str, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """A copy of the base store on the test's database: a file, or a URL."""
    if backend == "sqlite":
        return str(request.getfixturevalue("store_path"))
    server: PostgresServer = request.getfixturevalue("postgres_server")
    for variable, value in server.environment().items():
        monkeypatch.setenv(variable, value)
    return copy_of(server, request.getfixturevalue("postgres_base"))


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


def store_serve(target: str) -> tuple[subprocess.Popen[str], str]:
    """``store serve`` on ``target`` in a process of its own, and the first line it printed."""
    process = subprocess.Popen(
        [sys.executable, "-m", "cloudcontact_results", "store", "serve", target],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        encoding="utf-8",
    )
    assert process.stdout is not None
    return process, process.stdout.readline()


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


def assert_writable(target: str | Path) -> None:
    """The store opens after the crash and takes writes: no lock was left behind."""
    with ccr.ResultsStore(target, timeout=5) as store:
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


def killed(process: subprocess.Popen[str], after: float, target: str | Path) -> None:
    time.sleep(after)
    with contextlib.suppress(ProcessLookupError):  # it may have finished its work already
        os.kill(process.pid, signal.SIGKILL)
    process.communicate(timeout=60)
    settled(target)


def settled(target: str | Path) -> None:
    """Wait until the PostgreSQL server has ended the killed writer's session.

    A COMMIT the writer sent just before it died is still the server's to
    carry out: the checks, each a read of its own, must all see it or none.
    """
    if not str(target).startswith("postgresql://"):
        return
    deadline = time.monotonic() + 60
    with psycopg.connect(str(target), autocommit=True) as connection:
        while connection.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND backend_type = 'client backend' AND pid <> pg_backend_pid()"
        ).fetchone() != (0,):
            assert time.monotonic() < deadline, "the killed writer's session never ended"
            time.sleep(0.01)


def trials(kind: str, count: int = TRIALS) -> list[object]:
    """Seeded moments (fractions of the write's duration) at which to kill."""
    return [
        pytest.param(random.Random(f"{kind}{trial}").random(), id=f"{kind}-{trial}")  # noqa: S311
        for trial in range(count)
    ]


@pytest.mark.parametrize("when", trials("feed"))
def test_kill_during_add_attempts_leaves_whole_batches(
    target: str, backend: str, when: float
) -> None:
    killed(start("feed", target, 0, 1000), when * WINDOWS[backend]["feed"], target)
    with ccr.ResultsStore(target) as store:
        records = list(store.records(NAME, lists=["L2"]))
        notes = {a.note for r in records for a in r.attempts}
        assert records == fed(len(notes))
        # L1 untouched.
        assert list(store.records(NAME, lists=["L1"])) == worker.version_records(0)
    assert_writable(target)


@pytest.mark.parametrize("when", trials("replace"))
def test_kill_during_replace_leaves_every_version_live_or_archived(
    target: str, backend: str, when: float
) -> None:
    killed(start("replace", target), when * WINDOWS[backend]["replace"], target)
    with ccr.ResultsStore(target) as store:
        live = list(store.records(NAME, lists=["L1"]))
        version = int(live[0].id.split("-")[0][1:])
        assert live == worker.version_records(version)
        archives = store.archives(NAME)
        assert [a.reason for a in archives] == [ccr.ArchiveReason.REPLACED] * version
        for number, archive in enumerate(archives):
            assert_archive_holds(store, archive, worker.version_records(number))
        assert list(store.records(NAME, lists=["L2"])) == worker.feed_records()
    assert_writable(target)


@pytest.mark.parametrize("when", trials("remove"))
def test_kill_during_remove_list_leaves_the_list_live_or_archived(
    target: str, backend: str, when: float
) -> None:
    killed(start("remove", target), when * WINDOWS[backend]["remove"], target)
    with ccr.ResultsStore(target) as store:
        assert_live_or_archived(store)
    assert_writable(target)


def assert_live_or_archived(store: ccr.ResultsStore) -> None:
    """List L1 is live or archived, whole, never both or neither."""
    original = worker.version_records(0)
    archives = store.archives(NAME)
    if archives:
        (archive,) = archives
        assert archive.reason is ccr.ArchiveReason.REMOVED
        assert_archive_holds(store, archive, original)
        assert [cl.name for cl in store.campaign(NAME).lists] == ["L2"]
        with pytest.raises(UnknownNameError):
            store.records(NAME, lists=["L1"])
        return
    assert store.campaign(NAME) == worker.CAMPAIGN
    assert list(store.records(NAME, lists=["L1"])) == original


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


def redo_then_deliver(target: str, folder: Path, batch: list[tuple[str, str, ccr.Attempt]]) -> None:
    """After a run at START + 1.5 h was killed: the next calls redo it and run the next one.

    ``batch`` is ingested after the killed run claimed its window, or before:
    either way the redo keeps the claimed window and the next run takes the rest.
    """
    with ccr.ResultsStore(target) as store:
        store.add_attempts(NAME, batch)
        store.run_due_jobs(worker.START + dt.timedelta(hours=1.5))  # redoes, or runs it
        (last,) = store.run_due_jobs(worker.START + dt.timedelta(hours=2))
        assert last.due == worker.START + dt.timedelta(hours=2)
    assert_delivered_once(target, folder)


@pytest.mark.parametrize("when", trials("job", 2 * TRIALS))
def test_kill_during_a_job_run_then_the_next_call_delivers_the_window(
    target: str, backend: str, tmp_path: Path, when: float
) -> None:
    folder = tmp_path / "out"
    add_job(target, folder)
    killed(start("jobs", target, 1.5), when * WINDOWS[backend]["job"], target)
    redo_then_deliver(target, folder, worker.batch(0))


@pytest.mark.parametrize("when", trials("serve", 3))
def test_store_serve_killed_during_a_run_leaves_it_to_the_next_call(
    target: str, backend: str, tmp_path: Path, when: float
) -> None:
    folder = tmp_path / "out"
    add_job(target, folder)
    with ccr.ResultsStore(target) as store:
        store.add_attempts(NAME, worker.batch(0))
    serve, first = store_serve(target)
    assert " serving " in first  # its first run starts now: the job is due
    killed(serve, when * WINDOWS[backend]["job"], target)
    with ccr.ResultsStore(target) as store:
        # The killed process claimed the run due now (or none yet): this call redoes
        # it, or runs it, and nothing is due after it until the next hour.
        store.run_due_jobs()
        assert store.run_due_jobs() == ()
    assert_delivered_once(target, folder)


def test_two_processes_running_jobs_at_once_never_run_one_twice(
    target: str, tmp_path: Path
) -> None:
    folder = tmp_path / "out"
    add_job(target, folder)
    for hour in (1, 2, 3):
        with ccr.ResultsStore(target) as store:
            store.add_attempts(NAME, worker.batch(hour))
        go = tmp_path / f"go-{hour}"
        both = [start("jobs", target, hour, go), start("jobs", target, hour, go)]
        go.touch()
        written = [int(finish(process).split()[-1]) for process in both]
        assert sorted(written) == [0, 1]
    assert_delivered_once(target, folder)
    with ccr.ResultsStore(target) as store:
        assert len(store.job_runs("feed")) == 3
