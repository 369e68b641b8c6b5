"""The PostgreSQL server itself killed with SIGKILL during writes, then started again.

During an ingest and a list's removal, and during an export job's run: after
the restart every write is whole or absent, each list live or archived, the
store's exports equal the stateless export of what it holds, and the job's
files partition the attempts. The server is these tests' own (the session's
is never killed); the store, the worker processes and the checks are those of
``tests/test_store_processes.py``.
"""

from __future__ import annotations

import io
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

import cloudcontact_results as ccr
from tests.support import store_worker as worker
from tests.support.postgres import PostgresServer
from tests.test_store_processes import (
    NAME,
    WINDOWS,
    add_job,
    assert_live_or_archived,
    assert_writable,
    base_database,
    copy_of,
    fed,
    finish,
    redo_then_deliver,
    start,
    trials,
)

# --- during an ingest and a removal ----------------------------------------------------


@pytest.fixture(scope="module")
def own_server() -> Iterator[PostgresServer]:
    """A server of these tests' own: it is killed, which the session's server never is."""
    with PostgresServer() as server:
        yield server


@pytest.fixture(scope="module")
def own_base(own_server: PostgresServer) -> str:
    return base_database(own_server)


def wait_for_a_write(url: str, application: str, process: subprocess.Popen[str]) -> None:
    """Return once ``application``'s transaction has written (it has an id), not committed.

    The removal's first write is its archive's row; its last, the commit.
    Returns early if the process ends first (its removal committed).
    """
    deadline = time.monotonic() + 60
    with psycopg.connect(url, autocommit=True) as connection:
        while process.poll() is None:
            assert time.monotonic() < deadline, f"{application} never wrote"
            if connection.execute(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE application_name = %s AND backend_xid IS NOT NULL",
                (application,),
            ).fetchone() != (0,):
                return
            time.sleep(0.002)


def ended_with_a_store_error(process: subprocess.Popen[str], done: str | None) -> None:
    """The writer ended with the library's error, or (``done`` given) finished its write first."""
    out, err = process.communicate(timeout=120)
    if process.returncode == 0 and done is not None:
        assert out.split()[-1] == done
        return
    assert process.returncode == 1, err
    # What the writer raised, its traceback's last line: the library's error, naming the store.
    raised = err.strip().splitlines()[-1]
    assert raised.startswith("cloudcontact_results.errors.StoreError: store 'postgresql://"), err
    assert "cannot be reached" in raised, err


@pytest.mark.parametrize("when", [pytest.param(None, id="mid-removal"), *trials("server", 4)])
def test_the_postgresql_server_killed_during_ingest_and_a_removal_leaves_whole_writes(
    own_server: PostgresServer, own_base: str, monkeypatch: pytest.MonkeyPatch, when: float | None
) -> None:
    for variable, value in own_server.environment().items():
        monkeypatch.setenv(variable, value)
    url = copy_of(own_server, own_base)
    own_server.psql("CHECKPOINT")  # the restart replays this test's writes only: a quick one
    feeder = start("feed", url, 0, 1000)
    remover = start("remove", f"{url}?application_name=remover")
    try:
        if when is None:
            wait_for_a_write(url, "remover", remover)
        else:
            time.sleep(when * WINDOWS["postgresql"]["remove"])
        own_server.kill()
        ended_with_a_store_error(feeder, None)  # it feeds far longer than this test waits
        ended_with_a_store_error(remover, "removed")
    finally:
        for process in (feeder, remover):
            process.kill()
            process.communicate()
        own_server.start()

    with ccr.ResultsStore(url) as store:
        assert_live_or_archived(store)
        records = list(store.records(NAME, lists=["L2"]))
        assert records == fed(len({a.note for r in records for a in r.attempts}))
        campaign, held = store.campaign(NAME), list(store.records(NAME))
        for report in ("simple", "detailed"):
            options = ccr.ExportOptions(format=report)
            exported, expected = io.BytesIO(), io.BytesIO()
            store.export(NAME, exported, options)
            ccr.export(campaign, held, expected, options)
            assert exported.getvalue() == expected.getvalue()
    assert_writable(url)


# --- during a job run ---------------------------------------------------------------------


def job_run_seconds(url: str, folder: Path) -> float:
    """How long the job worker takes, once its store is open, to run a due job at ``url``."""
    add_job(url, folder)
    with ccr.ResultsStore(url) as store:
        store.add_attempts(NAME, worker.batch(0))
    runner = start("jobs", url, 1.5)
    started = time.monotonic()
    assert finish(runner).split()[-1] == "1"
    return time.monotonic() - started


@pytest.mark.parametrize("when", trials("server-job", 4))
def test_the_postgresql_server_killed_during_a_job_run_then_the_next_call_delivers_the_window(
    own_server: PostgresServer,
    own_base: str,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    when: float,
) -> None:
    for variable, value in own_server.environment().items():
        monkeypatch.setenv(variable, value)
    # The kill falls within a run as long as one takes here, measured on a copy.
    seconds = job_run_seconds(copy_of(own_server, own_base), tmp_path / "probe")
    url = copy_of(own_server, own_base)
    own_server.psql("CHECKPOINT")  # the restart replays this test's writes only: a quick one
    folder = tmp_path / "out"
    add_job(url, folder)
    with ccr.ResultsStore(url) as store:
        store.add_attempts(NAME, worker.batch(0))
    runner = start("jobs", url, 1.5)
    try:
        time.sleep(when * seconds * 0.6)  # the measured time includes the process's exit
        own_server.kill()
        ended_with_a_store_error(runner, "1")  # or it wrote its file before the kill
    finally:
        runner.kill()
        runner.communicate()
        own_server.start()
    redo_then_deliver(url, folder, worker.batch(1))
