"""Delivering a URL job's files: which are due, and each attempt recorded before and after.

A delivery goes through three steps, each durable before the next starts,
under the job's lease (so two processes never deliver one job's files at
once):

1. *start* (one write transaction): count the attempt (``attempts + 1``);
2. *send* (no transaction held): the transport looks at the remote name and,
   unless the same bytes are there, sends the file under a temporary name and
   renames it into place;
3. *record* (one write transaction): ``delivered`` (UTC), or the reason it failed.

A crash between the steps leaves the delivery due: the next call starts it
again, with the same bytes (the run's spool file, checked against its
recorded SHA-256) and the same remote name; a crash after the rename and
before the record finds the same bytes there and records the delivery
without sending them again.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import attrs

from ._codec import micros, moment_of
from ._damage import reading

__all__ = [
    "Undelivered",
    "prunable",
    "record_failure",
    "record_start",
    "record_success",
    "undelivered",
]


@attrs.frozen
class Undelivered:
    """A job file written and recorded, not yet delivered."""

    run_id: int
    due: dt.datetime
    path: Path
    sha256: str
    remote: str


def undelivered(connection: sqlite3.Connection, job_id: int) -> list[Undelivered]:
    """The job's files still to deliver, oldest first."""
    found = []
    for run_id, due, file, sha256, remote in connection.execute(
        "SELECT id, due, file, sha256, remote FROM job_runs WHERE job = ? AND remote IS NOT NULL "
        "AND delivered IS NULL AND outcome = 'ok' ORDER BY id",
        (job_id,),
    ):
        with reading("job_runs", run_id):
            found.append(Undelivered(run_id, moment_of(due), Path(file), sha256, remote))
    return found


def record_start(connection: sqlite3.Connection, run_id: int) -> None:
    connection.execute("UPDATE job_runs SET attempts = attempts + 1 WHERE id = ?", (run_id,))


def record_success(connection: sqlite3.Connection, run_id: int) -> None:
    connection.execute(
        "UPDATE job_runs SET delivered = ?, delivery_error = NULL WHERE id = ?",
        (micros(dt.datetime.now(dt.UTC)), run_id),
    )


def record_failure(connection: sqlite3.Connection, run_id: int, reason: str) -> None:
    connection.execute("UPDATE job_runs SET delivery_error = ? WHERE id = ?", (reason, run_id))


def prunable(
    connection: sqlite3.Connection, job_id: int, keep: int | dt.timedelta, now: dt.datetime
) -> Iterator[Path]:
    """The spool files of delivered runs that ``keep`` no longer keeps, oldest last.

    A count keeps the files of the newest ``keep`` delivered runs; a duration,
    those due within ``keep`` before ``now``. A file not yet delivered is kept.
    """
    kept = 0
    for due, file in connection.execute(
        "SELECT due, file FROM job_runs WHERE job = ? AND delivered IS NOT NULL ORDER BY id DESC",
        (job_id,),
    ).fetchall():
        if isinstance(keep, int):
            kept += 1
            if kept <= keep:
                continue
        elif due >= micros(now - keep):
            continue
        yield Path(file)
