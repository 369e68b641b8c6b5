"""Archives that leave the store: delivered to the campaign's ``archive_destination``, pruned.

An archive made while its campaign has an ``archive_destination`` keeps that
destination in its own row (a later change of the campaign's destination
does not move it) and is delivered after the transaction that made it
commits, by the steps of every delivery (:mod:`._delivering`): its zip is
written from the store into the spool folder (``<store>.spool/archives/``),
checked against its recorded SHA-256, sent under its file name, and the
spool file removed once the delivery is recorded.

Pruning removes archives older than an age, one transaction each, and never
the newest archive of a list (per campaign and list) nor one whose delivery
is still due; with ``save_to``, the zip is in that folder (delivered there by
the same steps) before its row is deleted.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any, Final

from .._delivery import Target, location
from ._archive import Archive, ArchiveReason
from ._codec import micros, moment_of
from ._damage import reading
from ._delivering import Due
from ._engine import Connection
from ._jobs import destination_from_json, destination_json

__all__ = [
    "ARCHIVE_COLUMNS",
    "archive_from_row",
    "archive_target",
    "prunable_archives",
    "target_text",
    "undelivered_archives",
]

#: The ``archives`` columns (joined with its campaign ``c``) :func:`archive_from_row` reads.
ARCHIVE_COLUMNS: Final = (
    "a.id, c.name, a.list_name, a.reason, a.created, a.records, a.attempts, a.size, "
    "a.sha256, a.remote, a.delivered, a.delivery_attempts, a.delivery_error"
)


def archive_from_row(row: Any) -> Archive:
    """An :class:`Archive` from a row of :data:`ARCHIVE_COLUMNS`.

    Raises:
        Damaged: the row cannot be read back.
    """
    with reading("archives", row[0]):
        (
            archive_id,
            campaign,
            list_name,
            reason,
            created,
            records,
            attempts,
            size,
            sha256,
            remote,
            delivered,
            delivery_attempts,
            delivery_error,
        ) = row
        return Archive(
            id=archive_id,
            campaign=campaign,
            list_name=list_name,
            reason=ArchiveReason(reason),
            created=moment_of(created),
            records=records,
            attempts=attempts,
            size=size,
            sha256=sha256,
            remote_url=remote,
            delivered_at=None if delivered is None else moment_of(delivered),
            delivery_attempts=delivery_attempts,
            delivery_error=delivery_error,
        )


def target_text(target: Target | None) -> str | None:
    """A destination as the store keeps it (JSON), or None."""
    return None if target is None else json.dumps(destination_json(target), ensure_ascii=False)


def archive_target(connection: Connection, campaign_id: int) -> Target | None:
    """The campaign's ``archive_destination``, read in the caller's transaction."""
    (text,) = connection.execute(
        "SELECT archive_destination FROM campaigns WHERE id = ?", (campaign_id,)
    ).fetchone()
    if text is None:
        return None
    with reading("campaigns", campaign_id):
        return destination_from_json(json.loads(text))


def remote_of(target: Target, archive: Archive) -> str:
    """Where ``archive`` is once delivered to ``target``."""
    return location(target, archive.file_name)


def undelivered_archives(connection: Connection, campaign_id: int, spool: Path) -> list[Due]:
    """The campaign's archives still to deliver, oldest first, their spool files in ``spool``."""
    found = []
    for row in connection.execute(
        f"SELECT {ARCHIVE_COLUMNS}, a.destination FROM archives AS a "  # noqa: S608 - constants
        "JOIN campaigns AS c ON a.campaign = c.id "
        "WHERE a.campaign = ? AND a.remote IS NOT NULL AND a.delivered IS NULL ORDER BY a.id",
        (campaign_id,),
    ):
        archive = archive_from_row(row[:-1])
        with reading("archives", archive.id):
            target = destination_from_json(json.loads(row[-1]))
        found.append(
            Due(
                archive.id,
                archive.created,
                spool / archive.file_name,
                archive.sha256 or "",
                archive.remote_url or "",
                target,
            )
        )
    return found


def prunable_archives(
    connection: Connection, campaign_id: int, before: dt.datetime
) -> list[Archive]:
    """The campaign's archives made before ``before`` that pruning may remove, oldest first.

    Never the newest archive of a list, nor one whose delivery is due.
    """
    return [
        archive_from_row(row)
        for row in connection.execute(
            f"SELECT {ARCHIVE_COLUMNS} FROM archives AS a "  # noqa: S608 - constants
            "JOIN campaigns AS c ON a.campaign = c.id "
            "WHERE a.campaign = ? AND a.created < ? "
            "AND NOT (a.remote IS NOT NULL AND a.delivered IS NULL) "
            "AND EXISTS (SELECT 1 FROM archives AS n WHERE n.campaign = a.campaign "
            "AND n.list_name = a.list_name AND n.id > a.id) ORDER BY a.id",
            (campaign_id, micros(before)),
        )
    ]
