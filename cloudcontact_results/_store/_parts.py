"""A campaign's results in parts, each read by a process of its own (``store_bag``).

The parts are planned on the caller's side in one read transaction: the
campaign as it is defined then, its records split into runs of consecutive
row ids of about equal size (list by list, in the campaign's order of lists,
each in load order), and the last ingest sequence number. Each part is then
read by a worker in a read transaction of its own, with the attempts ingested
up to that number, so every part shows the attempts as they were when the
parts were planned, whatever the feed has added since.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import attrs

from .._model.campaign import Campaign, Record
from ..errors import OptionsError, StoreError
from ._schema import connect, retrying, store_error
from ._snapshot import RowRange, read_records
from ._store import ResultsStore

__all__ = ["StorePart", "plan_parts", "read_part"]

#: (list id, list name, first row id, last row id)
Segment = tuple[int, str, int, int]


@attrs.frozen
class StorePart:
    """One part of a campaign's results: small, picklable, read where it lands."""

    path: str
    timeout: float
    campaign_id: int
    campaign: Campaign
    segments: tuple[Segment, ...]
    hi: int


def plan_parts(store: ResultsStore, name: str, parts: int) -> list[StorePart]:
    """Split campaign ``name``'s records into ``parts`` runs of about equal size.

    Raises:
        UnknownNameError: the store holds no such campaign.
        OptionsError: ``parts`` is not a whole number >= 1.
    """
    if not isinstance(parts, int) or isinstance(parts, bool) or parts < 1:
        raise OptionsError("npartitions", parts, "must be a whole number >= 1")
    engine = store._engine  # noqa: SLF001  # the same package's store
    if engine.kind != "sqlite":
        raise engine.unavailable("store_bag (reading a campaign in parts)")
    path = store.path
    timeout: float = store._timeout  # noqa: SLF001  # the same package's store
    connection = connect(path, timeout)
    try:
        retrying(str(path), lambda: connection.execute("BEGIN"), seconds=timeout)
        campaign_id, campaign = store._find(connection, name)  # noqa: SLF001
        ids = store._lists(connection, campaign_id)  # noqa: SLF001
        lists = [(ids[cl.name], cl.name) for cl in campaign.lists if cl.name in ids]
        (hi,) = connection.execute("SELECT value FROM counters WHERE name = 'ingest'").fetchone()
        total = sum(
            connection.execute(
                "SELECT COUNT(*) FROM records WHERE list = ?", (list_id,)
            ).fetchone()[0]
            for list_id, _ in lists
        )
        # Sizes differ by one at most: the first ``total % parts`` parts take one more.
        sizes = iter([total // parts + (index < total % parts) for index in range(parts)])
        planned: list[list[Segment]] = [[]]
        room = next(sizes)
        for list_id, list_name in lists:
            rows = connection.execute(
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
    except sqlite3.Error as error:
        raise store_error(str(path), error) from error
    finally:
        connection.close()
    planned += [[] for _ in range(parts - len(planned))]
    return [
        StorePart(str(path), timeout, campaign_id, campaign, tuple(segments), hi)
        for segments in planned
    ]


def read_part(part: StorePart) -> list[Record]:
    """The records of ``part``, read in one read transaction of this process.

    Raises:
        StoreError: the store's file is not here, or cannot be read.
    """
    path = Path(part.path)
    if not path.is_file():
        raise StoreError(
            part.path,
            "is not a file where this part is read: the workers must see the store's "
            "file at the same path, on the same machine",
        )
    connection = connect(path, part.timeout)
    try:
        retrying(part.path, lambda: connection.execute("BEGIN"), seconds=part.timeout)
        records: list[Record] = []
        for list_id, list_name, first, last in part.segments:
            records += read_records(
                connection,
                part.campaign_id,
                part.campaign,
                [(list_id, list_name)],
                RowRange(first, last, part.hi),
            )
    except sqlite3.Error as error:
        raise store_error(part.path, error) from error
    finally:
        connection.close()
    return records
