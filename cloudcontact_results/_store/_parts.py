"""A campaign's results in parts, each read by a process of its own (``store_bag``).

The parts are planned on the caller's side in one read transaction: the
campaign as it is defined then, its records split into runs of consecutive
row ids of about equal size (list by list, in the campaign's order of lists,
each in load order), and the last ingest sequence number. Each part is then
read by a worker in a read transaction of its own, with the attempts ingested
up to that number, so every part shows the attempts as they were when the
parts were planned, whatever the feed has added since.

On PostgreSQL every part reads the very snapshot the parts were planned in:
the planning transaction exports it (``pg_export_snapshot()``) and is kept
open, on the caller's side, as long as the parts are referenced (the bag, or
any bag made from it); each worker's transaction imports it (``SET
TRANSACTION SNAPSHOT``). Nothing written after planning shows, not even a
record's fields replaced or a list removed. A part carries the database's URL
without its password: each worker logs in with its own (``PGPASSWORD``,
``~/.pgpass``).
"""

from __future__ import annotations

import weakref
from pathlib import Path
from typing import Any

import attrs

from .._model.campaign import Campaign, Record
from ..errors import OptionsError, StoreError
from ._engine import Connection
from ._open import open_engine
from ._snapshot import RowRange, read_records
from ._store import ResultsStore

__all__ = ["HeldSnapshot", "StorePart", "plan_parts", "read_part"]


class HeldSnapshot:
    """An exported PostgreSQL snapshot: its id, and on the caller's side the transaction
    that keeps it alive (ended when this object is garbage-collected).

    Pickled (into a task graph, to a worker), it is the id alone.
    """

    def __init__(self, snapshot_id: str, connection: Connection | None = None) -> None:
        self.id = snapshot_id
        if connection is not None:
            weakref.finalize(self, connection.close)

    def __reduce__(self) -> tuple[Any, ...]:
        return (HeldSnapshot, (self.id,))


#: (list id, list name, first row id, last row id)
Segment = tuple[int, str, int, int]


@attrs.frozen
class StorePart:
    """One part of a campaign's results: small, picklable, read where it lands."""

    #: The store's file, or its URL without a password.
    location: str
    timeout: float
    campaign_id: int
    campaign: Campaign
    segments: tuple[Segment, ...]
    hi: int
    #: PostgreSQL: the snapshot the parts were planned in, which every part reads.
    snapshot: HeldSnapshot | None = attrs.field(default=None, eq=False)


def plan_parts(store: ResultsStore, name: str, parts: int) -> list[StorePart]:
    """Split campaign ``name``'s records into ``parts`` runs of about equal size.

    Raises:
        UnknownNameError: the store holds no such campaign.
        OptionsError: ``parts`` is not a whole number >= 1.
    """
    if not isinstance(parts, int) or isinstance(parts, bool) or parts < 1:
        raise OptionsError("npartitions", parts, "must be a whole number >= 1")
    engine = store._engine  # noqa: SLF001  # the same package's store
    store._live()  # noqa: SLF001  # refused when closed
    timeout: float = store._timeout  # noqa: SLF001  # the same package's store
    connection = engine.connect()
    held: HeldSnapshot | None = None
    try:
        with engine.translated():
            snapshot_id = engine.begin_shared_snapshot(connection)
            if snapshot_id is not None:
                held = HeldSnapshot(snapshot_id, connection)
            campaign_id, campaign = store._find(connection, name)  # noqa: SLF001
            ids = store._lists(connection, campaign_id)  # noqa: SLF001
            lists = [(ids[cl.name], cl.name) for cl in campaign.lists if cl.name in ids]
            # On PostgreSQL read after the snapshot was taken: above every number it shows.
            hi = connection.reached()
            planned = _planned(connection, lists, parts)
    except BaseException:
        connection.close()
        raise
    if held is None:
        connection.close()  # SQLite: each part reads up to ``hi`` in a snapshot of its own
    planned += [[] for _ in range(parts - len(planned))]
    return [
        StorePart(engine.name, timeout, campaign_id, campaign, tuple(segments), hi, held)
        for segments in planned
    ]


def _planned(
    connection: Connection, lists: list[tuple[int, str]], parts: int
) -> list[list[Segment]]:
    """The records of ``lists`` split into ``parts`` runs of row ids of about equal size."""
    total = sum(
        connection.execute("SELECT COUNT(*) FROM records WHERE list = ?", (list_id,)).fetchone()[0]
        for list_id, _ in lists
    )
    # Sizes differ by one at most: the first ``total % parts`` parts take one more.
    sizes = iter([total // parts + (index < total % parts) for index in range(parts)])
    planned: list[list[Segment]] = [[]]
    room = next(sizes)
    for list_id, list_name in lists:
        rows = connection.stream(
            "SELECT id FROM records INDEXED BY records_by_list WHERE list = ? ORDER BY id",
            (list_id,),
        )
        for (row_id,) in rows:
            while room == 0:
                planned.append([])
                room = next(sizes)
            segments = planned[-1]
            if segments and segments[-1][0] == list_id:
                segments[-1] = (*segments[-1][:3], row_id)
            else:
                segments.append((list_id, list_name, row_id, row_id))
            room -= 1
    return planned


def read_part(part: StorePart) -> list[Record]:
    """The records of ``part``, read in one read transaction of this process.

    Raises:
        StoreError: the store's file is not here, or cannot be read; the
            PostgreSQL snapshot the parts were planned in has ended.
    """
    engine = open_engine(part.location, part.timeout)
    if engine.kind == "sqlite" and not Path(part.location).is_file():
        raise StoreError(
            part.location,
            "is not a file where this part is read: the workers must see the store's "
            "file at the same path, on the same machine",
        )
    connection = engine.connect()
    try:
        with engine.translated():
            if part.snapshot is None:
                engine.begin_snapshot(connection)
            else:
                engine.join_snapshot(connection, part.snapshot.id)
            records: list[Record] = []
            for list_id, list_name, first, last in part.segments:
                records += read_records(
                    connection,
                    part.campaign_id,
                    part.campaign,
                    [(list_id, list_name)],
                    RowRange(first, last, part.hi),
                )
    finally:
        connection.close()
    return records
