"""Delivering what the store wrote, job files and archives: each attempt recorded before and after.

A delivery goes through three steps, each durable before the next starts,
under a lease (the job's, or the campaign's for its archives: two processes
never deliver the same file at once):

1. *start* (one write transaction): count the attempt (``attempts + 1``);
2. *send* (no transaction held): the transport looks at the remote name and,
   unless the same bytes are there, sends the file under a temporary name and
   renames it into place;
3. *record* (one write transaction): ``delivered`` (UTC), or the reason it failed.

A crash between the steps leaves the delivery due: the next call starts it
again, with the same bytes (the run's spool file, or where another host
wrote it the same file written again from the store; the archive's zip;
each checked against its recorded SHA-256) and the same remote name; a crash
after the rename and before the record finds the same bytes there and
records the delivery without sending them again.

Job runs and archives record their deliveries in the same four columns
(``remote``, ``delivered``, ``attempts``, ``delivery_error``) of their own
table; :func:`deliver_due` is the one loop that delivers either.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Final, Literal

import attrs

from .._delivery import DeliveryFailed, Target, Transport, deliver, open_transport
from ._codec import micros, moment_of
from ._damage import reading
from ._engine import Connection

__all__ = [
    "Due",
    "Table",
    "deliver_due",
    "prunable",
    "undelivered",
]

#: The tables whose rows are delivered: a job's runs, a campaign's archives.
Table = Literal["job_runs", "archives"]
#: The column of each table that counts the deliveries started.
_ATTEMPTS: Final = {"job_runs": "attempts", "archives": "delivery_attempts"}


@attrs.frozen
class Due:
    """A file written and recorded, not yet delivered.

    Attributes:
        row_id: its row in its table.
        due: a job run's due time, or an archive's creation.
        path: where the file is (an archive's is written there from the store when sent).
        sha256: the bytes recorded.
        remote: where it goes (its URL, or its path in a folder).
        target: the destination it is delivered to.
    """

    row_id: int
    due: dt.datetime
    path: Path
    sha256: str
    remote: str
    target: Target


def undelivered(connection: Connection, job_id: int, target: Target) -> list[Due]:
    """The job's files still to deliver, oldest first."""
    found = []
    for run_id, due, file, sha256, remote in connection.execute(
        "SELECT id, due, file, sha256, remote FROM job_runs WHERE job = ? AND remote IS NOT NULL "
        "AND delivered IS NULL AND outcome = 'ok' ORDER BY id",
        (job_id,),
    ):
        with reading("job_runs", run_id):
            found.append(Due(run_id, moment_of(due), Path(file), sha256, remote, target))
    return found


def _record_start(connection: Connection, table: Table, row_id: int) -> None:
    column = _ATTEMPTS[table]
    connection.execute(
        f"UPDATE {table} SET {column} = {column} + 1 WHERE id = ?",  # noqa: S608 - constants
        (row_id,),
    )


def _record_success(connection: Connection, table: Table, row_id: int) -> None:
    connection.execute(
        f"UPDATE {table} SET delivered = ?, delivery_error = NULL WHERE id = ?",  # noqa: S608
        (micros(dt.datetime.now(dt.UTC)), row_id),
    )


def _record_failure(connection: Connection, table: Table, row_id: int, reason: str) -> None:
    connection.execute(
        f"UPDATE {table} SET delivery_error = ? WHERE id = ?",  # noqa: S608 - a constant
        (reason, row_id),
    )


def deliver_due(
    items: Sequence[Due],
    table: Table,
    write: Callable[[], AbstractContextManager[Connection]],
    source: Callable[[Due], Path] = lambda item: item.path,
) -> tuple[list[Due], tuple[Due, str] | None]:
    """Deliver ``items`` in order, each step recorded in ``table``; stop at the first failure.

    Args:
        items: the files to deliver, under the caller's lease.
        table: where their rows are.
        write: a write transaction of the store.
        source: the local file to send for an item (raising
            :class:`DeliveryFailed` when it cannot be had).

    Returns:
        The items delivered, and the one that failed with its reason (or None).
    """
    transports: dict[Target, Transport] = {}
    delivered: list[Due] = []
    try:
        for item in items:
            with write() as connection:
                _record_start(connection, table, item.row_id)
            try:
                path = source(item)
                transport = transports.get(item.target)
                if transport is None:
                    transport = transports[item.target] = open_transport(item.target)
                deliver(transport, item.target, path, item.sha256)
            except DeliveryFailed as failed:
                with write() as connection:
                    _record_failure(connection, table, item.row_id, failed.reason)
                return delivered, (item, failed.reason)
            with write() as connection:
                _record_success(connection, table, item.row_id)
            delivered.append(item)
    finally:
        for transport in transports.values():
            transport.close()
    return delivered, None


def prunable(
    connection: Connection, job_id: int, keep: int | dt.timedelta, now: dt.datetime
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
